"""``skd recheck`` checks the report's own claims (issue 12 item 4) and reads reports under caps
(issue 16 item 2). Reports are made by hand with ``unknown`` verdicts, so no proof is rechecked:
what is tested is the report-level logic, fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from skd.operators import library
from skd.verify import cli
from skd.verify.recheck import MAX_V, recheck_claims, recheck_report
from skd.verify.reportio import ReportFileError, load_json, load_reports
from skd.verify.verdict import Report, Verdict, operator_json

AXIOMS = ["well_defined", "ranking", "continuity", "entropy", "identity", "boundary_cold", "boundary_hot"]


def _unknowns(op: Any = library.power) -> dict[str, Any]:
    verdicts = tuple(Verdict(a, "unknown", "prover and refuter", reason="r", reason_kind="undecided") for a in AXIOMS)
    return Report(operator=operator_json(op), profile="paper", verdicts=verdicts).to_json()


def _rows(rep: dict[str, Any]) -> dict[str, tuple[bool, str]]:
    return {label: (ok, msg) for label, ok, msg in recheck_report(rep) if label.startswith("report:")}


def test_claims_an_honest_report_passes() -> None:
    rows = _rows(_unknowns())
    assert rows and all(ok for ok, _ in rows.values()), rows


def test_claims_qualifies_true_with_no_verdicts_fails() -> None:
    rep = _unknowns()
    rep["verdicts"], rep["qualifies"] = [], True
    rows = _rows(rep)
    assert not rows["report: axioms"][0] and "missing: well_defined" in rows["report: axioms"][1]
    assert not rows["report: qualifies"][0]


def test_claims_qualifies_must_agree_with_the_verdicts() -> None:
    rep = _unknowns()
    rep["qualifies"] = True
    assert not _rows(rep)["report: qualifies"][0]
    rep["qualifies"] = "yes"
    assert not _rows(rep)["report: qualifies"][0]
    del rep["qualifies"]
    assert not _rows(rep)["report: qualifies"][0]


def test_claims_each_axiom_exactly_once() -> None:
    rep = _unknowns()
    rep["verdicts"].append(dict(rep["verdicts"][0]))
    rows = recheck_report(rep)
    assert not dict((a, ok) for a, ok, _ in rows)["report: axioms"]
    assert any(a == "well_defined" and not ok and "second verdict" in m for a, ok, m in rows)
    rep = _unknowns()
    rep["verdicts"][0]["axiom"] = "made_up"
    msg = _rows(rep)["report: axioms"][1]
    assert "missing: well_defined" in msg and "made_up" in msg


def test_claims_hash_must_match_the_definition_even_when_nothing_is_decided() -> None:
    rep = _unknowns()
    rep["operator"]["hash"] = "0" * 16
    ok, msg = _rows(rep)["report: operator hash"]
    assert not ok and "hash mismatch" in msg
    rep = _unknowns()
    rep["operator"]["definition"] = "x**(2/T)"
    assert not _rows(rep)["report: operator hash"][0]


def test_claims_messages_are_bounded() -> None:
    rep = _unknowns()
    rep["operator"]["hash"] = "f" * 100_000
    rep["verdicts"][0]["axiom"] = "a" * 100_000
    for _, _, msg in recheck_report(rep):
        assert len(msg) <= 400


def test_claims_a_huge_counterexample_is_refused_without_rechecking_it() -> None:
    rep = _unknowns()
    rep["verdicts"][4] = {"axiom": "identity", "status": "refuted", "method": "m", "scope": "full",
                          "counterexample": {"p": ["1/10"] * (MAX_V + 1), "V": MAX_V + 1}}
    rows = {a: (ok, m) for a, ok, m in recheck_report(rep)}
    ok, msg = rows["identity"]
    assert not ok and f"V = {MAX_V + 1}" in msg and len(msg) <= 400


def test_claims_unit_function_directly() -> None:
    rows = recheck_claims(_unknowns(), object(), "ok")
    assert [label for label, _, _ in rows] == ["report: axioms", "report: qualifies", "report: operator hash"]


# -- readers: caps and strict JSON ----------------------------------------------------------------------


def test_reader_caps_are_overridable_by_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(_unknowns()))
    assert load_reports(str(path), "recheck")
    monkeypatch.setenv("SKD_MAX_REPORT_BYTES", "100")
    with pytest.raises(ReportFileError, match="larger than 100 bytes"):
        load_json(path, "recheck")
    monkeypatch.setenv("SKD_MAX_REPORT_BYTES", "lots")
    with pytest.raises(ReportFileError, match="SKD_MAX_REPORT_BYTES"):
        load_json(path, "recheck")
    monkeypatch.delenv("SKD_MAX_REPORT_BYTES")
    multi = {"schema_version": 1, "tool": {}, "operators": [_unknowns()] * 3}
    path.write_text(json.dumps(multi))
    with pytest.raises(ReportFileError, match="more than the cap of 2"):
        load_reports(str(path), "recheck", max_operators=2)
    monkeypatch.setenv("SKD_MAX_REPORT_OPERATORS", "2")
    with pytest.raises(ReportFileError, match="more than the cap of 2"):
        load_reports(str(path), "recheck")


@pytest.mark.parametrize("text, words", [
    ('{"a": 1e999}', "overflows"),
    ('{"a": -Infinity}', "not a JSON number"),
    ("[" * 70 + "]" * 70, "nests"),
    ('{"a": ' + "1" * 101 + "}", "101 digits"),
    ('{"a": {"b": 1, "b": 2}}', "duplicate key 'b'"),
])
def test_reader_strict_json(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text)
    with pytest.raises(ReportFileError, match=words):
        load_json(path, "--baseline")


def test_reader_cli_recheck_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(_unknowns()))
    assert cli.main(["recheck", str(path), "--max-bytes", "50"]) == 2
    assert "larger than 50 bytes" in capsys.readouterr().err
    assert cli.main(["recheck", str(path)]) == 0
    rep = _unknowns()
    rep["qualifies"] = True
    path.write_text(json.dumps(rep))
    assert cli.main(["recheck", str(path)]) == 1
    out = " ".join(capsys.readouterr().out.replace("│", " ").split())  # the table may wrap the detail column
    assert "report: qualifies" in out and "FAILED" in out and "verdicts say false" in out
