"""A cross-check never uses the derivation it checks: the import rules of ``skd.verify.derivations``.

* a module of ``verify/derivations/crosschecks/`` imports, of ``skd.verify.derivations``, only the
  neutral helpers (``common``), the data types (``claims``; ``Derivation``, ``Claim``,
  ``DerivedConstant`` from the package) and its sibling cross-checks — never a derivation topic
  module (``entropy``, ``multistage``, ``sensitivity_analysis``, …) nor a name from one, neither
  directly (anywhere in the file, function-level imports included) nor through the modules it
  imports, and it names no module by a string (``importlib.import_module``, ``__import__``);
Import cycles and private names across modules are checked for the whole tree by
``tools/architecture.py`` (``tests/test_architecture.py``).

The rule is a function of a source tree, so the tests below also run it on injected violations
in a ``tmp_path`` tree and see it fail there.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "skd.verify.derivations"
#: modules of skd.verify.derivations a cross-check may import (besides its siblings in .crosschecks)
ALLOWED_MODULES = frozenset({f"{PACKAGE}.common", f"{PACKAGE}.claims"})
#: names a cross-check may import from the package itself: the data types it reads
ALLOWED_PACKAGE_NAMES = frozenset({"Derivation", "Claim", "DerivedConstant"})
CROSSCHECKS = f"{PACKAGE}.crosschecks"


def module_name(path: Path, root: Path) -> str:
    """``skd.verify.<...>`` of a file under ``root/verify``."""
    rel = path.relative_to(root / "verify").with_suffix("")
    return ".".join(["skd.verify", *[p for p in rel.parts if p != "__init__"]])


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the import nodes inside ``if TYPE_CHECKING:`` blocks (they never run)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return out


def imports(path: Path, module: str, *, runtime_only: bool = False) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """``(line, absolute module, imported names)`` of every import statement in ``path``, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _type_checking_nodes(tree) if runtime_only else set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield node.lineno, target, tuple(a.name for a in node.names)


def _named_modules(target: str, names: tuple[str, ...], known: set[str]) -> list[str]:
    """The modules an import statement names: ``target.name`` for names that are modules, and ``target`` itself
    unless every name is one (``from . import entropy`` names the module ``entropy``, not the package)."""
    subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in known]
    return subs if names and len(subs) == len(names) else [target, *subs]


def _sources(root: Path) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted((root / "verify").rglob("*.py"))}


def _allowed_for_crosscheck(mod: str) -> bool:
    return mod in ALLOWED_MODULES or mod == CROSSCHECKS or mod.startswith(CROSSCHECKS + ".")


def _direct_violations(root: Path, sources: dict[str, Path]) -> list[str]:
    bad = []
    for mod, path in sources.items():
        if not (mod == CROSSCHECKS or mod.startswith(CROSSCHECKS + ".")):
            continue
        rel = path.relative_to(root)
        for lineno, target, names in imports(path, mod):
            if target == PACKAGE:
                for n in names:
                    if n not in ALLOWED_PACKAGE_NAMES:
                        bad.append(f"{rel}:{lineno}: imports {n} from {PACKAGE}")
            elif target.startswith(PACKAGE + ".") and not _allowed_for_crosscheck(target):
                bad.append(f"{rel}:{lineno}: imports {target}" + (f" ({', '.join(names)})" if names else ""))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                fn = ast.unparse(node.func)
                if fn in ("__import__", "import_module", "importlib.import_module"):
                    bad.append(f"{rel}:{node.lineno}: names a module by a string ({fn})")
    return bad


def _runtime_graph(sources: dict[str, Path], within: str) -> dict[str, set[str]]:
    """module -> the modules (of ``within``) it imports at run time, module- and function-level."""
    known = set(sources)
    graph: dict[str, set[str]] = {}
    for mod, path in sources.items():
        if not (mod == within or mod.startswith(within + ".")):
            continue
        edges: set[str] = set()
        for _, target, names in imports(path, mod, runtime_only=True):
            edges.update(m for m in _named_modules(target, names, known) if m in known and m != mod)
        graph[mod] = edges
    return graph


def _transitive_violations(root: Path, sources: dict[str, Path]) -> list[str]:
    """A cross-check reaching a derivation topic module through the modules it imports."""
    graph = _runtime_graph(sources, "skd.verify")
    bad = []
    for start in graph:
        if not start.startswith(CROSSCHECKS + "."):
            continue
        seen, stack, parent = {start}, [start], {start: start}
        while stack:
            cur = stack.pop()
            for nxt in graph.get(cur, ()):
                if nxt in seen:
                    continue
                seen.add(nxt)
                parent[nxt] = cur
                if nxt.startswith(PACKAGE + ".") and not _allowed_for_crosscheck(nxt):
                    chain = [nxt]
                    while chain[-1] != start:
                        chain.append(parent[chain[-1]])
                    bad.append(f"{start} reaches {nxt} via " + " -> ".join(reversed(chain)))
                    continue
                stack.append(nxt)
    return bad


def independence_violations(root: Path) -> list[str]:
    """Every way a cross-check module of ``root`` depends on a derivation topic module (empty: none)."""
    sources = _sources(root)
    return sorted(set(_direct_violations(root, sources) + _transitive_violations(root, sources)))


# -- the repository -----------------------------------------------------------------------------------


def test_crosscheck_modules_import_no_derivation_topic():
    assert independence_violations(ROOT) == []


def test_crosscheck_every_topic_has_its_own_crosscheck_module():
    from skd.theory.theorems import TOPICS
    from skd.verify.derivations.registry import CROSSCHECKS as REGISTERED

    for topic, fn in REGISTERED.items():
        assert fn.__module__ == f"{CROSSCHECKS}.{topic}", (topic, fn.__module__)
    assert list(REGISTERED) == list(TOPICS)


# -- the rules see a violation -----------------------------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in {"verify/__init__.py": "", "verify/derivations/__init__.py": "",
                      "verify/derivations/crosschecks/__init__.py": "", "verify/derivations/common.py": "",
                      "verify/derivations/claims.py": "", "verify/derivations/entropy.py": "def _piece_forms(s):\n    return s\n",
                      "verify/checks.py": "", **files}.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return tmp_path


@pytest.mark.parametrize("source, expected", [
    ("from ..entropy import _piece_forms\n", "imports skd.verify.derivations.entropy (_piece_forms)"),
    ("from .. import entropy\n", "imports entropy from skd.verify.derivations"),
    ("def f():\n    from skd.verify.derivations.entropy import _piece_forms\n",
     "bad.py:2: imports skd.verify.derivations.entropy"),
    ("import skd.verify.derivations.entropy\n", "imports skd.verify.derivations.entropy"),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..entropy import _piece_forms\n",
     "bad.py:3: imports skd.verify.derivations.entropy"),
    ("import importlib\nm = importlib.import_module('skd.verify.derivations.entropy')\n", "names a module by a string"),
])
def test_independence_rule_catches_an_injected_import(tmp_path: Path, source: str, expected: str):
    root = _tree(tmp_path, {"verify/derivations/crosschecks/bad.py": source})
    found = independence_violations(root)
    assert any(expected in v for v in found), found


def test_independence_rule_catches_a_topic_reached_through_another_module(tmp_path: Path):
    root = _tree(tmp_path, {"verify/helper.py": "def f():\n    from .derivations.entropy import _piece_forms\n",
                            "verify/derivations/crosschecks/bad.py": "from ...helper import f\n"})
    assert independence_violations(root) == [
        "skd.verify.derivations.crosschecks.bad reaches skd.verify.derivations.entropy via "
        "skd.verify.derivations.crosschecks.bad -> skd.verify.helper -> skd.verify.derivations.entropy"]


def test_independence_rule_allows_helpers_data_types_and_siblings(tmp_path: Path):
    root = _tree(tmp_path, {"verify/derivations/crosschecks/ok.py": (
        "from typing import TYPE_CHECKING\nfrom ...checks import Check\nfrom ..common import pstr\nfrom ..claims import Claim\n"
        "from . import other\nif TYPE_CHECKING:\n    from .. import Derivation\n"),
        "verify/derivations/crosschecks/other.py": "import numpy\n"})
    assert independence_violations(root) == []


