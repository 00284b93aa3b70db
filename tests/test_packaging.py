"""Packaging: the layering rule theory <- operators <- verify, and what a built wheel contains."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: source folder -> installed subpackage (pyproject.toml [tool.setuptools] package-dir)
SUBPACKAGES = {"theory": "skd.theory", "operators": "skd.operators", "verify": "skd.verify"}
#: the namespace package's own portion: ``skd/__main__.py`` (``python -m skd``), no ``__init__.py``
NAMESPACE_PORTION = "skd_main"
#: what each layer may NOT import
FORBIDDEN = {
    "skd.theory": ("skd.operators", "skd.verify"),
    "skd.operators": ("skd.verify",),
    "skd.verify": (),
}


def _module_name(folder: str, path: Path, root: Path) -> str:
    rel = path.relative_to(root / folder).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join([SUBPACKAGES[folder], *parts])


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    """Every module named by an import statement in ``path`` (anywhere in the file), absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # "from . import verify" names a module through the imported names too.
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
    return found


def layering_violations(root: Path) -> list[str]:
    """``file:line: layer imports forbidden-layer`` for every import breaking the rule."""
    bad = []
    for folder, package in SUBPACKAGES.items():
        for path in sorted((root / folder).rglob("*.py")):
            module = _module_name(folder, path, root)
            for lineno, target in _imports(path, module):
                # A bare "operators"/"verify" import would only work from a source checkout.
                candidates = {target}
                head = target.split(".")[0]
                if head in SUBPACKAGES:
                    candidates.add(SUBPACKAGES[head] + target[len(head):])
                for name in candidates:
                    for forbidden in FORBIDDEN[package]:
                        if name == forbidden or name.startswith(forbidden + "."):
                            bad.append(f"{path.relative_to(root)}:{lineno}: {package} imports {name}")
    return sorted(set(bad))


def test_packaging_layering_theory_operators_verify() -> None:
    assert layering_violations(ROOT) == []


def test_packaging_layering_sees_every_source_file() -> None:
    for folder in SUBPACKAGES:
        assert (ROOT / folder / "__init__.py").is_file(), f"{folder}/ must be a regular package"


@pytest.mark.parametrize(
    "folder, filename, source, expected",
    [
        ("theory", "bad.py", "from skd.operators import library\n", "theory/bad.py:1: skd.theory imports skd.operators"),
        ("theory", "bad.py", "def f():\n    import skd.verify.cli\n", "theory/bad.py:2: skd.theory imports skd.verify.cli"),
        ("theory", "bad.py", "from ..verify import verdict\n", "theory/bad.py:1: skd.theory imports skd.verify"),
        ("theory", "sub/bad.py", "from ...operators.parse import parse_formula\n",
         "theory/sub/bad.py:1: skd.theory imports skd.operators.parse"),
        ("operators", "bad.py", "from .. import verify\n", "operators/bad.py:1: skd.operators imports skd.verify"),
        ("operators", "bad.py", "import verify.check\n", "operators/bad.py:1: skd.operators imports skd.verify.check"),
    ],
)
def test_packaging_layering_detects_a_violation(tmp_path: Path, folder, filename, source, expected) -> None:
    for name in SUBPACKAGES:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    target = tmp_path / folder / filename
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source)
    assert expected in layering_violations(tmp_path)


def test_packaging_layering_allows_the_right_direction(tmp_path: Path) -> None:
    for name in SUBPACKAGES:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
    (tmp_path / "verify" / "ok.py").write_text("from ..operators import library\nfrom ..theory import axioms\n")
    (tmp_path / "operators" / "ok.py").write_text("from ..theory.axioms import AXIOMS\nfrom . import parse\n")
    (tmp_path / "theory" / "ok.py").write_text("from .axioms import AXIOMS\nimport sympy\n")
    assert layering_violations(tmp_path) == []


def test_packaging_wheel_contains_every_module_and_data_file(tmp_path: Path) -> None:
    # Build from a copy of exactly what a clean clone has, so stray local files cannot help.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in [*SUBPACKAGES, NAMESPACE_PORTION]:
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    out = tmp_path / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(src)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list(out.glob("skd-*.whl"))
    assert len(wheels) == 1, wheels
    with zipfile.ZipFile(wheels[0]) as zf:
        names = set(zf.namelist())
        entry_points = next(zf.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt"))
    expected = set()
    for folder, package in SUBPACKAGES.items():
        prefix = package.replace(".", "/")
        for path in (ROOT / folder).rglob("*.py"):
            if "__pycache__" not in path.parts:
                expected.add(f"{prefix}/{path.relative_to(ROOT / folder).as_posix()}")
    data = sorted((ROOT / "verify" / "data").glob("*.json"))
    assert any(p.name == "report.schema.json" for p in data)
    expected |= {f"skd/verify/data/{p.name}" for p in data}
    assert expected - names == set()
    # Nothing generic lands on the user's import path, and there is no skd/__init__.py.
    assert not any(n.split("/")[0] in SUBPACKAGES for n in names)
    assert "skd/__init__.py" not in names
    assert "skd/__main__.py" in names  # python -m skd
    assert sorted(p.name for p in (ROOT / NAMESPACE_PORTION).glob("*.py")) == ["__main__.py"]
    assert "skd = skd.verify.cli:main" in entry_points
