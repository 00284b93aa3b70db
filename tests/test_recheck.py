"""Independent re-validation (skd.verify.recheck): certified counterexamples pass, tampered ones
fail, reports are rebuilt from their operator objects."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction as Q

import pytest

from skd.operators import library, separable
from skd.verify.certify import (
    certify_discontinuity_T,
    certify_entropy,
    certify_identity,
    certify_limit,
    certify_ranking,
    certify_vector_discontinuity,
    certify_well_defined,
    limit_target,
)
from skd.verify.recheck import recheck_counterexample, recheck_report
from skd.verify.verdict import Counterexample, Enclosure, Report, Verdict, operator_json

MAX_QUARTER = separable("Max(x, 1/4)", name="max_quarter")
JUMP_T = separable("Piecewise((x**(1/T), T <= 1), (x**(2/T), True))", name="jump_T")
NEG = separable("x - 1/4", name="neg")


def _cases():
    p3 = [Q(1, 2), Q(1, 4), Q(1, 4)]
    return {
        "topk-ranking": (library.topk, "ranking",
                         certify_ranking(library.topk, [Q(4, 10), Q(3, 10), Q(2, 10), Q(1, 10)], Q(2), 2, 3)),
        "max-ranking": (MAX_QUARTER, "ranking", certify_ranking(MAX_QUARTER, [Q(1, 4), Q(1, 5), Q(11, 20)], Q(1, 3), 0, 1)),
        "sparsemax-identity": (library.sparsemax, "identity",
                               certify_identity(library.sparsemax, [Q(6, 10), Q(3, 10), Q(1, 10)])),
        "jump-entropy": (JUMP_T, "entropy", certify_entropy(JUMP_T, [Q(7, 10), Q(3, 10)], Q(1), Q(9, 8))),
        "jump-continuity": (JUMP_T, "continuity",
                            certify_discontinuity_T(JUMP_T, [Q(7, 10), Q(3, 10)], Q(1), [Q(7, 10), Q(3, 10)],
                                                    [Q(49, 58), Q(9, 58)])),
        "topk-continuity": (library.topk, "continuity",
                            certify_vector_discontinuity(library.topk, p3, [0, -1, 1], Q(1))),
        "topk-hot": (library.topk, "boundary_hot",
                     certify_limit(library.topk, p3, "hot", [Q(1, 2), Q(1, 2), 0], limit_target(p3, "hot"))),
        "neg-well_defined": (NEG, "well_defined", certify_well_defined(NEG, [Q(1, 5), Q(4, 5)], Q(1))),
    }


CASES = _cases()


@pytest.mark.parametrize("key", sorted(CASES))
def test_recheck_accepts_certified_counterexamples_and_their_json(key):
    op, axiom, ce = CASES[key]
    assert ce is not None
    assert recheck_counterexample(op, axiom, ce) == (True, recheck_counterexample(op, axiom, ce)[1])
    ok, why = recheck_counterexample(op, axiom, Counterexample.from_json(json.loads(json.dumps(ce.to_json()))))
    assert ok, why


def _tamperings(ce: Counterexample) -> dict[str, Counterexample]:
    out = {
        "lhs": dataclasses.replace(ce, lhs=Enclosure(ball="[0.123 +/- 1e-6]", decimal="0.123")),
        "rhs": dataclasses.replace(ce, rhs=Enclosure(ball="[0.456 +/- 1e-6]", decimal="0.456")),
        "relation": dataclasses.replace(ce, relation=">" if ce.relation != ">" else "<"),
        "p-swapped": dataclasses.replace(ce, p=(ce.p[1], ce.p[0]) + tuple(ce.p[2:])),
        "p-sum": dataclasses.replace(ce, p=("1/7" if ce.p[0] != "1/7" else "1/8",) + tuple(ce.p[1:])),
        "V": dataclasses.replace(ce, V=ce.V + 1),
        "decimal": dataclasses.replace(ce, lhs=dataclasses.replace(ce.lhs, decimal="0.999")),
    }
    if ce.T not in ("0+", "oo"):
        out["T"] = dataclasses.replace(ce, T=str(Q(ce.T) * 3))
        out["T-negative"] = dataclasses.replace(ce, T="-1")
    if ce.i is not None:
        out["i"] = dataclasses.replace(ce, i=(ce.i + 1) % ce.V)
        out["i-range"] = dataclasses.replace(ce, i=ce.V)
    if ce.j is not None:
        out["j"] = dataclasses.replace(ce, j=(ce.j + 1) % ce.V)
    if ce.limit is not None:
        for a, b in (("[1/2, 1/2, 0]", "[1/3, 1/3, 1/3]"), ("[7/10, 3/10]", "[49/58, 9/58]"),
                     ("d = [0, -1, 1]", "d = [0, 1, -1]")):
            if a in ce.limit:
                out["limit"] = dataclasses.replace(ce, limit=ce.limit.replace(a, b))
        assert "limit" in out
    return out


@pytest.mark.parametrize("key", sorted(CASES))
def test_recheck_rejects_every_tampered_field(key):
    op, axiom, ce = CASES[key]
    for what, bad in _tamperings(ce).items():
        if bad.p == ce.p and what == "p-swapped":
            continue
        ok, why = recheck_counterexample(op, axiom, bad)
        assert not ok, f"tampered {what} passed: {bad}"


def test_recheck_rejects_the_strict_relation_under_the_weak_profile():
    op, axiom, ce = CASES["max-ranking"]
    ok, why = recheck_counterexample(op, axiom, ce, profile="weak")
    assert not ok and "relation" in why


def test_recheck_rejects_a_counterexample_for_another_axiom_or_operator():
    op, axiom, ce = CASES["max-ranking"]
    assert not recheck_counterexample(op, "identity", ce)[0]
    assert not recheck_counterexample(library.power, "ranking", ce)[0]


def test_recheck_never_executes_the_reproduce_snippet(tmp_path):
    op, axiom, ce = CASES["max-ranking"]
    marker = tmp_path / "pwned"
    bad = dataclasses.replace(ce, reproduce=f"open({str(marker)!r}, 'w').write('x')")
    ok, _ = recheck_counterexample(op, axiom, bad)
    assert not ok and not marker.exists()


def _report(op, axiom, ce) -> dict:
    verdict = Verdict(axiom, "refuted", "certified counterexample search", counterexample=ce)
    return Report(operator=operator_json(op), profile="paper", verdicts=(verdict,)).to_json()


def test_recheck_report_rebuilds_vector_and_separable_operators():
    for key in ("topk-ranking", "max-ranking", "jump-entropy"):
        op, axiom, ce = CASES[key]
        results = recheck_report(json.dumps(_report(op, axiom, ce)), claims=False)
        assert [(a, ok) for a, ok, _ in results] == [(axiom, True)], results


def test_recheck_report_rejects_a_changed_operator():
    op, axiom, ce = CASES["topk-ranking"]
    rep = _report(op, axiom, ce)
    rep["operator"]["hash"] = "0" * 16
    assert recheck_report(rep, claims=False)[0][1] is False
    op, axiom, ce = CASES["max-ranking"]
    rep = _report(op, axiom, ce)
    rep["operator"]["definition"] = "Max(x, 1/5)"
    assert recheck_report(rep, claims=False)[0][1] is False


def test_recheck_report_unknown_verdicts_need_nothing():
    v = Verdict("entropy", "unknown", "refuter", reason="no counterexample", reason_kind="undecided")
    rep = Report(operator=operator_json(library.power), profile="paper", verdicts=(v,)).to_json()
    assert recheck_report(rep, claims=False) == [("entropy", True, "unknown: nothing to recheck")]


@pytest.mark.slow
def test_recheck_report_budget_kill_is_a_failed_recheck(monkeypatch):
    import skd.verify.recheck as R
    from skd.verify.checker import check

    import time

    report = check(library.topk, timeout=2, attack_seconds=0.3)

    def slow(*args, **kwargs):
        time.sleep(30)
        return True, "should have been killed"

    monkeypatch.setattr(R, "recheck_counterexample", slow)
    monkeypatch.setattr(R, "RECHECK_SECONDS", 0.3)
    results = dict((a, (ok, msg)) for a, ok, msg in R.recheck_report(report.to_json()))
    ok, msg = results["ranking"]
    assert not ok and "did not finish" in msg
