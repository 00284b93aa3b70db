"""The checker: verdict assembly, the library matrix, and the internal-consistency guard."""

from __future__ import annotations

import pytest

import skd.verify.checker as checker
from skd.operators import library, separable
from skd.verify.verdict import InternalConsistencyError, Report, Verdict


def test_check_expected_matrix_covers_every_builtin_and_axiom():
    m = checker.load_expected_matrix()
    from skd.theory.axioms import AXIOM_IDS

    assert set(m["operators"]) == {op.name for op in library.ALL}
    for name, row in m["operators"].items():
        assert set(row) == set(AXIOM_IDS), name
        for axiom, status in row.items():
            if status != "proved":
                assert m["reasons"][name][axiom], f"{name}/{axiom} needs a reason"


def test_check_compare_reports_differences():
    r = Report({"name": "power"}, "paper", (Verdict("identity", "unknown", "x", reason="r", reason_kind="budget"),))
    diffs = checker.compare_with_expected([r])
    assert any("power/identity: expected proved, got unknown" in d for d in diffs)


def test_check_proved_and_refuted_together_is_an_internal_error(monkeypatch):
    from skd.verify import refute as refute_mod
    from skd.verify.verdict import Counterexample, Enclosure

    fake = Counterexample(statement="fake", p=("1/2", "1/2"), V=2, T="1", lhs=Enclosure("0", "0"),
                          rhs=Enclosure("1", "1"), relation="<", reproduce="", certified_by="test")
    monkeypatch.setattr(refute_mod, "refute", lambda *a, **k: fake)
    monkeypatch.setattr(checker, "run_with_budget", lambda fn, args, seconds: fn(*args))
    with pytest.raises(InternalConsistencyError):
        # jobs=1: the axioms run in this process, where the patches are (a worker started through
        # the forkserver, as when another thread is alive, would not see them)
        checker.check(library.power, timeout=30, jobs=1)


def test_check_rejects_bad_arguments():
    with pytest.raises(ValueError):
        checker.check(library.power, profile="nope")
    with pytest.raises(ValueError):
        checker.check(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timeout"):
        checker.check(library.power, timeout=3e6)  # select/poll cannot wait that long (issue 16)


@pytest.mark.slow
def test_check_library_matches_the_expected_matrix():
    # 60 s: entmax15's well_defined (V <= 5) takes ~15 s idle, more beside the other xdist worker
    reports = checker.check_library(timeout=60, attack_seconds=0.5)
    assert checker.compare_with_expected(reports) == []


def test_check_power_qualifies_with_full_scope():
    report = checker.check(library.power, timeout=30, attack_seconds=0.3)
    assert report.qualifies and report.exit_code == 0
    assert all(v.scope == "full" and v.certificate for v in report.verdicts)


@pytest.mark.slow  # proves the vector operator's well_defined on V <= 5 (6-15 s): CI runs it
def test_check_vector_verdict_scope_names_the_sizes():
    report = checker.check(library.sparsemax, timeout=10, attack_seconds=0.3)
    unknowns = [v for v in report.verdicts if v.status == "unknown"]
    assert unknowns and all("V in {2, 3, 4, 5}" in v.scope for v in unknowns)
    assert report.exit_code == 1


def test_check_separable_non_identity_exits_1():
    report = checker.check(separable("x**2 + 1/T"), timeout=20, attack_seconds=0.3)
    assert report.verdict("identity").status == "refuted"
    assert report.exit_code == 1


def test_check_prover_crash_becomes_unknown_with_its_reason(monkeypatch):
    def boom(*args, **kwargs):
        raise KeyError("simulated prover bug")

    monkeypatch.setattr(checker, "_prove_job", boom)
    monkeypatch.setattr(checker, "_refute_job", boom)
    monkeypatch.setattr(checker, "run_with_budget", lambda fn, args, seconds: fn(*args))
    report = checker.check(library.power, timeout=5, jobs=1)  # in this process, where the patches are
    for v in report.verdicts:
        assert v.status == "unknown"
        assert "KeyError" in v.reason and "simulated prover bug" in v.reason


def test_check_axiom_rejects_bad_arguments_naming_them():
    from skd.operators.errors import InvalidArgument

    with pytest.raises(InvalidArgument, match="axiom_id='nope'.*'ranking'"):
        checker.check_axiom(library.power, "nope")
    with pytest.raises(InvalidArgument, match="timeout"):
        checker.check_axiom(library.power, "ranking", timeout=0)
    with pytest.raises(InvalidArgument, match="op"):
        checker.check_axiom(42, "ranking")  # type: ignore[arg-type]


def test_check_accepts_a_library_name_or_a_score_string():
    # issue 16 item 6: check("x**(1/T)") used to refuse a string the skd_check fixture accepts
    assert checker.as_operator("power") is library.power
    op = checker.as_operator("x**(1/T)")
    assert op.kind == "separable" and op.definition == "x**(1/T)"
    v = checker.check_axiom("x**(1/T)", "identity", timeout=30, attack_seconds=0.2)
    assert v.status == "proved"


def test_check_axiom_gives_the_verdict_check_gives():
    v = checker.check_axiom(library.power_T2, "identity", timeout=30, attack_seconds=0.2)
    assert v.status == "proved" and v.axiom == "identity"
    r = checker.check_axiom(separable("x**(2/T)"), "identity", timeout=30, attack_seconds=0.2)
    assert r.status == "refuted" and r.counterexample is not None
