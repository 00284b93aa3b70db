"""The docs: every Python example in the guides runs, and the generated reference pages are current."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ["docs/adding-an-operator.md"]


def _python_blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("guide", GUIDES)
def test_docs_every_python_example_in_the_guide_runs(guide):
    blocks = _python_blocks(ROOT / guide)
    assert blocks, f"{guide} has no python examples"
    for i, code in enumerate(blocks):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert proc.returncode == 0, f"{guide} example {i + 1} failed:\n{code}\n--- stderr ---\n{proc.stderr}"
        assert proc.stdout.strip(), f"{guide} example {i + 1} printed nothing"


def test_docs_generated_reference_pages_are_current():
    proc = subprocess.run([sys.executable, "tools/gen_docs.py", "--check"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_docs_every_builtin_operator_has_a_page_in_the_site_nav():
    from skd.operators import library

    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for op in library.ALL:
        for page in (f"operators/{op.name}.md", f"derivations/{op.name}.md"):
            assert (ROOT / "docs" / page).is_file(), page
            assert page in nav, f"{page} is not in the mkdocs nav"
