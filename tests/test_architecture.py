"""tools/architecture.py: it finds what it is meant to find (synthetic packages), and the real tree meets
the architecture criteria (import cycles, private imports across modules, sizes)."""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("skd_architecture_tool", ROOT / "tools" / "architecture.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up by name
    spec.loader.exec_module(module)
    return module


arch = _load_tool()
PKG = {"pkg": "skd.pkg"}


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "pkg" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _analyze(root: Path, **kw: int) -> Any:
    return arch.analyze(root, PKG, axioms=("ranking", "identity"), **kw)


# -- synthetic packages -------------------------------------------------------------------------


def test_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    _write(tmp_path, {
        "__init__.py": "",
        "a.py": "from .b import helper\n",
        "b.py": "def helper():\n    from . import a\n    return a\n",
        "c.py": "from skd.pkg import a\n",  # depends on the cycle, is not part of it
    })
    f = _analyze(tmp_path)
    assert len(f.cycles) == 1
    group = f.cycles[0]
    assert group["modules"] == ["skd.pkg.a", "skd.pkg.b"]
    (cyc,) = group["cycles"]
    assert cyc["chain"] == ["skd.pkg.a", "skd.pkg.b", "skd.pkg.a"]
    assert "in helper()" in cyc["text"]
    assert not f.ok
    assert arch.main(["--root", str(tmp_path), "--package", "pkg=skd.pkg"]) == 1


def test_type_checking_imports_are_not_edges_but_importlib_literals_are(tmp_path: Path) -> None:
    _write(tmp_path, {
        "__init__.py": "",
        "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n",
        "b.py": "from . import a\n",
        "c.py": "import importlib\ndef load():\n    return importlib.import_module('skd.pkg.d')\n",
        "d.py": "from .c import load\n",
    })
    f = _analyze(tmp_path)
    assert [g["modules"] for g in f.cycles] == [["skd.pkg.c", "skd.pkg.d"]]
    assert "via importlib" in f.cycles[0]["cycles"][0]["text"]


def test_private_names_imported_across_modules(tmp_path: Path) -> None:
    _write(tmp_path, {
        "__init__.py": "",
        "a.py": "_hidden = 1\n__version__ = '1'\n",
        "b.py": "from .a import _hidden, __version__\n",
        "c.py": "from skd.pkg import a\n\ndef f():\n    return a._hidden + getattr(a, '_hidden')\n",
        "d.py": "import skd.pkg.a as mod\nx = mod._hidden\n",
        "e.py": "from . import _private_module\n",  # a module, not a name
        "_private_module.py": "",
    })
    f = _analyze(tmp_path)
    found = sorted((p["file"], p["name"]) for p in f.private_imports)
    assert found == [("pkg/b.py", "_hidden"), ("pkg/c.py", "_hidden"), ("pkg/c.py", "_hidden"), ("pkg/d.py", "_hidden")]
    assert not f.ok
    assert not f.cycles


def test_oversized_function_without_and_with_a_size_reason(tmp_path: Path) -> None:
    body = "".join(f"    v{k} = {k}\n" for k in range(10))
    big = f"def big():\n{body}    return 0\n"  # 12 lines
    _write(tmp_path, {
        "__init__.py": "",
        "plain.py": big,
        "excused.py": '"""A module.\n\nSize: one table, kept whole on purpose.\n"""\n' + big,
    })
    f = _analyze(tmp_path, max_function_lines=10, max_module_lines=1000)
    by_file = {s["file"]: s for s in f.function_sizes}
    assert by_file["pkg/plain.py"]["function"] == "big" and by_file["pkg/plain.py"]["lines"] == 12
    assert not by_file["pkg/plain.py"]["exempt"]
    assert by_file["pkg/excused.py"]["exempt"]
    assert by_file["pkg/excused.py"]["reason"] == "one table, kept whole on purpose."
    assert [s["file"] for s in f.size_violations] == ["pkg/plain.py"]
    assert not f.ok
    (tmp_path / "pkg" / "plain.py").unlink()
    assert _analyze(tmp_path, max_function_lines=10).ok


def test_oversized_module(tmp_path: Path) -> None:
    _write(tmp_path, {"__init__.py": "", "long.py": "x = 1\n" * 30})
    f = _analyze(tmp_path, max_module_lines=20)
    assert [(s["file"], s["lines"], s["exempt"]) for s in f.module_sizes] == [("pkg/long.py", 30, False)]


def test_string_tests_are_counted_but_do_not_fail(tmp_path: Path) -> None:
    _write(tmp_path, {
        "__init__.py": "",
        "a.py": textwrap.dedent("""\
            def f(op, ax):
                if op.kind == "separable":
                    return 1
                if ax in ("ranking", "other"):
                    return 2
                if ax not in {"identity": 1}:
                    return 3
                match op.kind:
                    case "vector":
                        return 4
                return "ranking"  # not a comparison
        """),
    })
    f = _analyze(tmp_path)
    assert f.string_tests == {"pkg/a.py": {"axiom": 2, "kind": 2, "total": 4}}
    assert f.ok
    data = json.loads(json.dumps(f.to_json()))
    assert data["string_tests"]["total"] == {"axiom": 2, "kind": 2, "total": 4}


def test_clean_package_passes_and_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, {"__init__.py": "from .a import f\n", "a.py": "def f():\n    return 1\n"})
    assert arch.main(["--root", str(tmp_path), "--package", "pkg=skd.pkg", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"] is True


# -- the real tree ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> Any:
    return arch.analyze(ROOT)


def test_real_tree_axiom_ids_are_read_from_theory() -> None:
    assert set(arch.axiom_ids(ROOT)) == {"well_defined", "ranking", "continuity", "entropy", "identity",
                                         "boundary_cold", "boundary_hot"}


def test_real_tree_no_private_names_imported_across_modules(real: Any) -> None:
    assert real.private_imports == [], "\n".join(f"{p['file']}:{p['line']}: {p['form']}" for p in real.private_imports)


def test_real_tree_no_import_cycles(real: Any) -> None:
    assert real.cycles == [], "\n".join(c["text"] for g in real.cycles for c in g["cycles"])


def test_real_tree_sizes(real: Any) -> None:
    bad = real.size_violations
    assert bad == [], "\n".join(f"{s['file']}: {s.get('function', '<module>')} {s['lines']} lines" for s in bad)


def test_real_tree_engine_checker_cli_and_plugin_name_no_axiom_and_no_operator_kind(real: Any) -> None:
    """The search engine, the refuter's entry, the checker, the CLI and the plugin look axioms up in
    skd.verify.axioms and kinds in skd.operators.kinds: no comparison with an axiom id or a kind."""
    found = {rel: real.string_tests.get(rel, {"total": 0})["total"] for rel in arch.HIGHLIGHT}
    sites = [f"{s['file']}:{s['line']}" for s in real.string_test_sites if s["file"] in arch.HIGHLIGHT]
    assert found == dict.fromkeys(arch.HIGHLIGHT, 0), sites


def test_real_tree_the_trusted_checkers_import_nothing_from_the_provers_search_or_certifiers(real: Any) -> None:
    """de Bruijn: the independent checkers share no code with what they check. The proof kernel
    imports nothing of skd.verify; the counterexample recheck only the report types. The one
    exception is stated: ``recheck_report`` (a whole report) hands *proved* verdicts to
    ``proofcheck`` (which re-runs the prover and the kernel) and runs each recheck under a budget;
    no function that rechecks a counterexample imports anything else."""
    kernel = {e.dst for e in real.edges if e.src == "skd.verify.kernel" and e.dst.startswith("skd.verify")}
    assert kernel == set(), sorted(kernel)
    # the kernel for vector operators: the kernel's public sign rules, nothing else of skd.verify
    kernel_vector = {e.dst for e in real.edges if e.src == "skd.verify.kernel_vector" and e.dst.startswith("skd.verify")}
    assert kernel_vector == {"skd.verify.kernel"}, sorted(kernel_vector)
    # the closed-simplex check (Theorem C): the same, the kernel's public sign rules and check_proof
    kernel_closed = {e.dst for e in real.edges if e.src == "skd.verify.kernel_closed" and e.dst.startswith("skd.verify")}
    assert kernel_closed == {"skd.verify.kernel"}, sorted(kernel_closed)
    recheck = [e for e in real.edges if e.src == "skd.verify.recheck" and e.dst.startswith("skd.verify")]
    outside = [(e.dst, e.scope) for e in recheck
               if e.dst != "skd.verify.verdict"
               and not (e.scope == "recheck_report" and e.dst in {"skd.verify.proofcheck", "skd.verify.budget"})]
    assert outside == [], outside


def test_real_tree_trusted_checker_rule_detects_a_violation(tmp_path: Path) -> None:
    """The rule above can fail: a recheck that imports the certifier inside a function is seen."""
    pkg = tmp_path / "verify"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "certify.py").write_text("def certify_ranking():\n    return 1\n")
    (pkg / "recheck.py").write_text("def run():\n    from .certify import certify_ranking\n    return certify_ranking()\n")
    f = arch.analyze(tmp_path, {"verify": "skd.verify"})
    assert {e.dst for e in f.edges if e.src == "skd.verify.recheck"} == {"skd.verify.certify"}
