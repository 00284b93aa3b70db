"""The docs: every example runs, the generated reference pages are current, the math renderer is vendored.

* every Python snippet of the guides runs and prints; a snippet followed directly by a ``text``
  block must print exactly that;
* the CI page (``docs/ci.md``) is run as a project: its files (blocks whose first line is
  ``# NAME``) are written to a folder, its ``bash`` commands run there with the exit codes their
  comments state (``# exit 1``), and the failure it shows is the failure pytest prints;
* the KaTeX copy in ``docs/assets/katex`` matches its manifest (``tools/vendor_katex.py``), no
  page loads anything from another host, and the hook ``tools/mkdocs_math.py`` turns the
  CommonMark the pages are written in into lists and math.

The site itself, in a browser, is ``tests/test_docs_browser.py``.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDES = ["docs/index.md", "docs/adding-an-operator.md", "docs/ci.md"]
CI_PAGE = ROOT / "docs" / "ci.md"
FENCE = re.compile(r"```(\w*)\n(.*?)```", flags=re.S)
FILE_BLOCK = re.compile(r"#\s*([\w./-]+\.(?:py|toml|ya?ml))\n")


def _blocks(path: Path) -> list[tuple[str, str, int, int]]:
    """(language, body, start, end) of every fenced block."""
    return [(m.group(1), m.group(2), m.start(), m.end()) for m in FENCE.finditer(path.read_text(encoding="utf-8"))]


def _snippets(path: Path) -> list[tuple[str, str | None]]:
    """Python snippets (not file blocks) and the ``text`` block right after each, if any."""
    text = path.read_text(encoding="utf-8")
    blocks = _blocks(path)
    out = []
    for k, (lang, body, _, end) in enumerate(blocks):
        if lang != "python" or FILE_BLOCK.match(body):
            continue
        expected = None
        if k + 1 < len(blocks) and blocks[k + 1][0] == "text" and not text[end : blocks[k + 1][2]].strip():
            expected = blocks[k + 1][1]
        out.append((body, expected))
    return out


def _python_blocks(path: Path) -> list[str]:
    return [body for body, _ in _snippets(path)]


@pytest.mark.parametrize("guide", GUIDES)
def test_docs_every_python_example_in_the_guide_runs(guide):
    snippets = _snippets(ROOT / guide)
    assert snippets, f"{guide} has no python examples"
    for i, (code, expected) in enumerate(snippets):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
        assert proc.returncode == 0, f"{guide} example {i + 1} failed:\n{code}\n--- stderr ---\n{proc.stderr}"
        assert proc.stdout.strip(), f"{guide} example {i + 1} printed nothing"
        if expected is not None:
            assert proc.stdout == expected, f"{guide} example {i + 1} printed\n{proc.stdout}\nbut the page shows\n{expected}"


def _page_files(page: Path) -> dict[str, str]:
    files = {}
    for _, body, _, _ in _blocks(page):
        m = FILE_BLOCK.match(body)
        if m:
            files[m.group(1)] = body
    return files


def _bash_commands(page: Path) -> list[tuple[str, int]]:
    """Each command of the page's ``bash`` blocks with the exit code its comment states (0 if none)."""
    commands = []
    for lang, body, _, _ in _blocks(page):
        if lang != "bash":
            continue
        for line in body.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            code, _, comment = line.partition("  #")
            m = re.search(r"\bexit (\d)\b", comment)
            commands.append((code.strip(), int(m.group(1)) if m else 0))
    return commands


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # not this run's pytest settings
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_docs_ci_page_files_and_commands_are_listed():
    files = _page_files(CI_PAGE)
    assert {"my_ops.py", "test_my_ops.py", "pyproject.toml"} <= set(files), sorted(files)
    commands = [c for c, _ in _bash_commands(CI_PAGE)]
    assert any(c.startswith("skd check --file my_ops.py") and "--baseline" in c for c in commands), commands
    assert any(c.startswith("pytest") for c in commands), commands
    text = CI_PAGE.read_text(encoding="utf-8")
    assert "imports and runs your Python file" in text and "x**(a/T)" in text
    assert "ci.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), "docs/ci.md is not in the mkdocs nav"


@pytest.mark.slow
def test_docs_ci_page_runs_as_written(tmp_path):
    """docs/ci.md, run as a project: its files, its commands with their exit codes, its failure."""
    for name, body in _page_files(CI_PAGE).items():
        if name.startswith(".github/"):
            continue  # the workflow runs on GitHub, not here
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    listing = _run(f"{shlex.quote(sys.executable)} my_ops.py", tmp_path)
    assert listing.returncode == 0 and listing.stdout.count("Operator(") == 3, listing.stdout + listing.stderr
    for command, expected in _bash_commands(CI_PAGE):
        proc = _run(command, tmp_path)
        assert proc.returncode == expected, (
            f"docs/ci.md: `{command}` exited {proc.returncode}, the page says {expected}\n"
            f"--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"
        )
    assert (tmp_path / "skd_goldens" / "scaled_power.json").is_file(), "pytest --skd-update wrote no golden"

    # the failure the page shows: scaled_power's exponent 1/T -> 2/T
    ops = tmp_path / "my_ops.py"
    ops.write_text(ops.read_text(encoding="utf-8").replace('"3*x**(1/T)"', '"3*x**(2/T)"'), encoding="utf-8")
    proc = _run("pytest -q -p no:cacheprovider -k test_scaled_power_qualifies", tmp_path)
    assert proc.returncode == 1, proc.stdout[-3000:]
    shown = next(body for lang, body, _, _ in _blocks(CI_PAGE) if lang == "text" and body.startswith("AssertionError"))
    for line in shown.splitlines():
        if "..." not in line and line.strip():
            assert line.strip() in proc.stdout, f"the page shows {line.strip()!r}; pytest printed:\n{proc.stdout[-4000:]}"


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


# -- the math renderer and the Markdown the pages are written in ------------------------------


def test_docs_katex_is_vendored_as_pinned():
    proc = subprocess.run([sys.executable, "tools/vendor_katex.py", "--check"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (ROOT / "docs/assets/katex/LICENSE").read_text(encoding="utf-8").startswith("The MIT License")


def test_docs_site_loads_nothing_from_another_host():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert not re.search(r"^\s*-\s*(?:https?:)?//", config, flags=re.M), "mkdocs.yml loads a script or stylesheet from a CDN"
    assert re.search(r"^\s*highlightjs:\s*false", config, flags=re.M), "the mkdocs theme loads highlight.js from a CDN unless highlightjs: false"
    for asset in ("assets/katex/katex.min.js", "assets/katex/katex.min.css", "assets/javascripts/katex-init.js"):
        assert asset in config and (ROOT / "docs" / asset).is_file(), asset
    css = (ROOT / "docs/assets/katex/katex.min.css").read_text(encoding="utf-8")
    for font in re.findall(r"url\(([^)]+)\)", css):
        assert (ROOT / "docs/assets/katex" / font).is_file(), f"katex.min.css references a missing {font}"


def _markdown(text: str) -> str:
    markdown = pytest.importorskip("markdown")
    pytest.importorskip("pymdownx.arithmatex")
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import mkdocs_math
    finally:
        sys.path.remove(str(ROOT / "tools"))
    md = markdown.Markdown(
        extensions=["tables", "fenced_code", "pymdownx.arithmatex", mkdocs_math.CommonMarkMathExtension()],
        extension_configs={"pymdownx.arithmatex": {"generic": True, "smart_dollar": False}},
    )
    return md.convert(text)


def test_docs_markdown_a_list_right_after_a_paragraph_is_a_list():
    html = _markdown("**Lemma C.1.** Let $k \\le V$.\n* If $k < V$, then $x_1$ co-occur.\n* If $k = V$, then not.\n")
    assert html.count("<li>") == 2 and "<ul>" in html, html
    # a list item's continuation line is not a new list; fenced code and multi-line math are left alone
    html = _markdown("* one\n  two\n* three\n\n```text\nline\n- not a list\n```\n\nText $$a\n- b$$ end.\n")
    assert html.count("<li>") == 2, html
    assert "- not a list" in html and "\\[a\n- b\\]" in html, html


def test_docs_markdown_tex_is_kept_away_from_markdown():
    src = (
        "A score $g(x_i, T_j)$ and the norm $\\|a\\|_2 = \\|b\\|_2$, then\n"
        "$$F_T(p)_i = \\frac{g(p_i)}{Z_T(p)}$$\n"
        "and `$$code$$` stays code; $G = $ identity.\n\n"
        "$$\\sum_i p_i = 1$$\n"
    )
    html = _markdown(src)
    assert "<em>" not in html, html  # no underscore became italics
    assert '<span class="arithmatex">\\(g(x_i, T_j)\\)</span>' in html, html
    assert "\\|a\\|_2 = \\|b\\|_2" in html, html  # \| survives
    assert '<span class="arithmatex">\\[F_T(p)_i = \\frac{g(p_i)}{Z_T(p)}\\]</span>' in html, html  # display math in a paragraph
    assert "<code>$$code$$</code>" in html, html
    assert '<span class="arithmatex">\\(G = \\)</span>' in html, html
    assert '<div class="arithmatex">\\[\\sum_i p_i = 1\\]</div>' in html, html
