"""The checker: verdict assembly, the library matrix, and the internal-consistency guard."""

from __future__ import annotations

import pytest

import skd.verify.checker as checker
from skd.operators import library, separable, vector
from skd.verify.verdict import InternalConsistencyError, Report, Step, Verdict


@pytest.mark.parametrize("profile", ["paper", "weak", "closed"])
def test_check_expected_matrix_covers_every_builtin_and_axiom(profile):
    m = checker.load_expected_matrix(profile)
    from skd.theory.axioms import AXIOM_IDS

    assert m["profile"] == profile
    assert set(m["operators"]) == {op.name for op in library.ALL}
    for name, row in m["operators"].items():
        assert set(row) == set(AXIOM_IDS), name
        for axiom, status in row.items():
            if status != "proved":
                assert m["reasons"][name][axiom], f"{name}/{axiom} needs a reason"


def test_check_expected_matrix_of_an_unknown_profile_is_an_invalid_argument():
    with pytest.raises(ValueError, match="profile"):
        checker.load_expected_matrix("strict")


def test_check_compare_reports_differences():
    r = Report({"name": "power"}, "paper", (Verdict("identity", "unknown", "x", reason="r", reason_kind="budget"),))
    diffs = checker.compare_with_expected([r])
    assert any("power/identity: expected proved, got unknown" in d for d in diffs)


def test_check_compare_reports_a_proof_on_another_scope_than_expected():
    cert = (Step("s", "positive"),)
    narrow = Report({"name": "power"}, "paper", (Verdict("identity", "proved", "x", scope="V in {2, 3}", certificate=cert),))
    assert checker.compare_with_expected([narrow]) == [
        "power/identity: expected proved on full, got proved on V in {2, 3}", "power_T2: expected in the matrix but not checked",
        "hybrid: expected in the matrix but not checked", "mixture: expected in the matrix but not checked",
        "laplace: expected in the matrix but not checked", "topk: expected in the matrix but not checked",
        "sparsemax: expected in the matrix but not checked", "entmax15: expected in the matrix but not checked"]
    stated = {"operators": {"power": {"identity": "proved"}}, "scopes": {"power": {"identity": "V in {2, 3}"}}}
    assert checker.compare_with_expected([narrow], stated) == []
    full = Report({"name": "power"}, "paper", (Verdict("identity", "proved", "x", certificate=cert),))
    assert checker.compare_with_expected([full], stated) == [
        "power/identity: expected proved on V in {2, 3}, got proved on full"]


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


@pytest.mark.slow  # instantiates the sparsemax theorem on V <= 5 (~7 s): CI runs it
def test_check_vector_verdict_scope_names_the_sizes():
    """The built-in: every proof is by a theorem, for every V; the same algorithm declared by a
    user (another content hash): no theorem applies, so well_defined, continuity, entropy and the
    limits are proved on the declared sizes only (the pieces; Theorem U.2 for the last four), and
    every verdict names those sizes."""
    report = checker.check(library.sparsemax, timeout=30, attack_seconds=0.3)
    proved = [v for v in report.verdicts if v.status == "proved"]
    assert {v.axiom for v in proved} == {"well_defined", "continuity", "entropy", "boundary_cold", "boundary_hot"}
    assert all(v.scope == "full" for v in proved)  # every V >= 2: the axioms' statement
    assert report.exit_code == 1

    mine = vector(lambda p, T, ar: library.sparsemax_algorithm(p, T, ar), name="my_sparsemax",
                  definition="sparsemax(log p / T), mine", sizes=(2, 3), order_based=True)
    report = checker.check(mine, timeout=30, attack_seconds=0.3)
    assert report.verdict("well_defined").status == "proved" and report.verdict("well_defined").scope == "V in {2, 3}"
    by_form = [v for v in report.verdicts if v.axiom in ("continuity", "entropy", "boundary_cold", "boundary_hot")]
    assert all(v.status == "proved" and v.scope == "V in {2, 3}" for v in by_form), by_form
    assert all("U.2" in v.certificate[-1].text for v in by_form)


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
