"""The CI gate cannot be fooled (issue 16 item 1): operators are matched with the baseline by name
**and** content hash; an operator missing from the baseline is judged on its own (refuted → fail;
not qualifying → fail under --strict); a baseline operator missing from the run is reported and
fails under --strict. Rename + break in one commit fails, through the CLI and through the plugin.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from skd.operators import library, separable
from skd.verify import cli
from skd.verify import pytest_plugin as plugin
from skd.verify.pytest_plugin import CheckResult
from skd.verify.verdict import Counterexample, Enclosure, Report, Step, Verdict, operator_json

AXIOMS = ["well_defined", "ranking", "continuity", "entropy", "identity", "boundary_cold", "boundary_hot"]
CE = Counterexample(statement="F_1(p)_0 != p_0", p=("1/2", "1/3", "1/6"), V=3, T="1",
                    lhs=Enclosure("[0.64 +/- 0.01]", "0.642857"), rhs=Enclosure("0.5", "0.5"), relation="!=",
                    reproduce="print('reproduced')", certified_by="exact rational arithmetic")


def _report(op: Any, **statuses: str) -> Report:
    verdicts = []
    for a in AXIOMS:
        s = statuses.get(a, "proved")
        if s == "proved":
            verdicts.append(Verdict(a, "proved", "symbolic", certificate=(Step("g > 0", "positive"),)))
        elif s == "refuted":
            verdicts.append(Verdict(a, "refuted", "search", counterexample=CE))
        else:
            verdicts.append(Verdict(a, "unknown", "prover and refuter", reason="r",
                                    reason_kind="budget" if s == "budget" else "undecided"))
    return Report(operator=operator_json(op), profile="paper", verdicts=tuple(verdicts))


DOUBLE = separable("x**(1/T)", name="double")
DOUBLE2_BROKEN = separable("x**(2/T)", name="double2")
DOUBLE2_UNDECIDED = separable("x**(1/T) + 0*T", name="double2")  # same map, another hash (unknowns below)


# -- compare_with_baseline (hand-made reports) -----------------------------------------------------


def test_baseline_renamed_and_broken_operator_is_a_regression_even_without_strict() -> None:
    old = [_report(DOUBLE).to_json()]
    new = [_report(DOUBLE2_BROKEN, identity="refuted").to_json()]
    comp = cli.compare_with_baseline(old, new)
    assert comp.failed(strict=False) and comp.failed(strict=True)
    assert any("double2" in r and "not in the baseline" in r and "identity" in r for r in comp.regressions)
    assert any("double" in v and "not checked now" in v for v in comp.vanished)


def test_baseline_new_operator_that_does_not_qualify_fails_under_strict_only() -> None:
    old = [_report(DOUBLE).to_json()]
    new = [_report(DOUBLE).to_json(), _report(DOUBLE2_UNDECIDED, entropy="unknown").to_json()]
    comp = cli.compare_with_baseline(old, new)
    assert not comp.failed(strict=False)
    assert comp.failed(strict=True) and any("does not qualify" in a and "entropy" in a for a in comp.added)


def test_baseline_new_operator_that_qualifies_is_a_note() -> None:
    comp = cli.compare_with_baseline([_report(DOUBLE).to_json()],
                                     [_report(DOUBLE).to_json(), _report(DOUBLE2_UNDECIDED).to_json()])
    assert not comp.failed(strict=True)
    assert any("not in the baseline (it qualifies)" in n for n in comp.notes)


def test_baseline_vanished_operator_fails_under_strict() -> None:
    comp = cli.compare_with_baseline([_report(DOUBLE).to_json(), _report(library.power).to_json()],
                                     [_report(library.power).to_json()])
    assert not comp.failed(strict=False) and comp.failed(strict=True)
    assert comp.vanished == [f"double (hash {DOUBLE.hash}): in the baseline, not checked now"]


def test_baseline_rename_with_the_same_definition_is_matched_by_hash() -> None:
    old = _report(DOUBLE).to_json()
    new = _report(DOUBLE, identity="refuted").to_json()
    new["operator"]["name"] = "renamed"
    comp = cli.compare_with_baseline([old], [new])
    assert any("renamed from 'double'" in n for n in comp.notes)
    assert comp.regressions == ["renamed / identity: proved → refuted"]


def test_baseline_built_in_new_to_the_baseline_matches_its_expected_row() -> None:
    from skd.verify.checker import load_expected_matrix

    row = load_expected_matrix()["operators"]["topk"]
    statuses = {a: ("proved" if s == "proved" else s) for a, s in row.items()}
    rep = _report(library.topk, **{a: s for a, s in statuses.items() if s != "proved"}).to_json()
    expected = {library.topk.hash: row}
    comp = cli.compare_with_baseline([_report(library.power).to_json()], [_report(library.power).to_json(), rep],
                                     expected)
    assert not comp.regressions and not comp.added
    assert any("equal the expected matrix" in n for n in comp.notes)
    # a user operator that merely takes a built-in's name gets no such excuse
    fake = _report(separable("x**(2/T)", name="topk"), identity="refuted").to_json()
    comp = cli.compare_with_baseline([_report(library.power).to_json()], [_report(library.power).to_json(), fake],
                                     expected)
    assert comp.regressions


# -- through the command line (real checker) --------------------------------------------------------


def _write_ops(folder: Path, body: str) -> Path:
    path = folder / "my_ops.py"
    path.write_text("from skd.operators import separable\n" + textwrap.dedent(body))
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_baseline_rename_and_break_fails_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ops = _write_ops(tmp_path, 'double = separable("x**(1/T)", name="double")\n')
    code, out, _ = _run(capsys, "check", "--file", f"{ops}:double", "--json", "--timeout", "20")
    assert code == 0, out
    baseline = tmp_path / "baseline.json"
    baseline.write_text(out)
    # one commit: rename the operator and break it
    ops = _write_ops(tmp_path, 'double2 = separable("x**(2/T)", name="double2")\n')
    for extra in ([], ["--strict"]):
        code, out, _ = _run(capsys, "check", "--file", f"{ops}:double2", "--baseline", str(baseline),
                            "--timeout", "20", *extra)
        assert code == 1, out
        assert "double2" in out and "not in the baseline" in out and "identity" in out
        assert "double (hash" in out  # the vanished operator is reported


# -- through the pytest plugin -------------------------------------------------------------------------


def _result(op: Any, **statuses: str) -> CheckResult:
    return CheckResult(op, _report(op, **statuses), 7.0)


def test_baseline_rename_and_break_fails_through_the_plugin(tmp_path: Path) -> None:
    with pytest.warns(plugin.SkdGoldenWarning):
        plugin.golden_report(_result(DOUBLE), tmp_path, update=True)
    plugin.golden_report(_result(DOUBLE), tmp_path)
    with pytest.raises(AssertionError, match="no golden report for operator 'double2'"):
        plugin.golden_report(_result(DOUBLE2_BROKEN, identity="refuted"), tmp_path)
    # same name, broken definition: matched by name, the definition change noted, the regression fails
    broken_same_name = separable("x**(2/T)", name="double")
    with pytest.raises(AssertionError) as info:
        plugin.golden_report(_result(broken_same_name, identity="refuted"), tmp_path)
    assert "double / identity: proved → refuted" in str(info.value)
    assert "definition changed" in str(info.value)


def test_baseline_plugin_golden_that_is_not_strict_json_fails_naming_the_file(tmp_path: Path) -> None:
    path = plugin.golden_path(tmp_path, DOUBLE, ".report.json")
    path.parent.mkdir(parents=True)
    path.write_text('{"a": 1, "a": 2}')
    with pytest.raises(AssertionError, match="duplicate key 'a'"):
        plugin.golden_report(_result(DOUBLE), tmp_path)
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(AssertionError, match="nests arrays/objects more than"):
        plugin.golden_report(_result(DOUBLE), tmp_path)
