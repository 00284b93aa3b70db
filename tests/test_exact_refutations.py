"""Refutations at exact points the rational grid never meets (issue 12, items 2 and 6).

Each test names the behaviour it pins: ``well_defined`` is refuted at an exact irrational
temperature (a divisor exactly 0 at ``sqrt(2)``, ``pi``, ``pi/2``, ``3**(1/3)``, ``1/pi``; a zero
normaliser), never through a ``Piecewise`` branch that is not taken, and ``skd recheck``
re-validates it with its own walk and rejects a moved point; side conditions of the formula as
written are refuted at exact rational points; a jump of ``F`` across a rational pole refutes
``continuity``; the growth lemmas B.5 decide limits whose log-ratio is not rational in ``1/T``;
the refuter compares ``F`` itself where a score is ``<= 0``.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction as Q

import pytest
import sympy as sp

from skd.operators import evaluate_mp, separable
from skd.operators.errors import NotWellDefined
from skd.verify.certify import certify_undefined_at_constant
from skd.verify.prove import prove
from skd.verify.recheck import recheck_counterexample
from skd.verify.refute import refute

IRRATIONAL = [
    ("x**(1/T)*exp(1/(T**2 - 2))", "sqrt(2)"),
    ("x**(1/T)/(T - pi)", "pi"),
    ("x**(1/T)*tan(T)", "pi/2"),
    ("x**(1/T)*exp(1/(T**3 - 3))", "3**(1/3)"),
    ("x**(1/T)*exp(1/log(pi*T))", "1/pi"),
    ("x**(1/T)*(T**2 - 2)", "sqrt(2)"),          # every score exactly 0: zero normaliser
    ("x**(1/T)/sin(pi*T)", "1"),                  # rational, but Arb cannot see sin(pi) = 0
]


@pytest.mark.parametrize("score, where", IRRATIONAL)
def test_well_defined_is_refuted_at_the_exact_pole_and_rechecked(score, where):
    op = separable(score)
    out = prove("well_defined", op)
    assert out.status == "refuted", out.reason
    ce = out.counterexample
    assert ce.T == where and ce.relation == "undefined"
    ok, why = recheck_counterexample(op, "well_defined", ce)
    assert ok, why


@pytest.mark.parametrize("score, where", IRRATIONAL[:5])
def test_recheck_rejects_an_exact_constant_counterexample_moved_off_the_pole(score, where):
    op = separable(score)
    ce = prove("well_defined", op).counterexample
    moved = dataclasses.replace(ce, T="sqrt(5)", statement=ce.statement.replace(where, "sqrt(5)"),
                                reproduce=ce.reproduce.replace(repr(where), repr("sqrt(5)")))
    ok, why = recheck_counterexample(op, "well_defined", moved)
    assert not ok and "not certainly undefined" in why


@pytest.mark.parametrize("T", ["-sqrt(2)", "x", "__import__('os')", "sqrt(-2)", "1" * 300])
def test_recheck_rejects_a_temperature_that_is_not_a_positive_exact_constant(T):
    op = separable("x**(1/T)*exp(1/(T**2 - 2))")
    ce = prove("well_defined", op).counterexample
    bad = dataclasses.replace(ce, T=T, statement=ce.statement.replace("sqrt(2)", T),
                              reproduce=ce.reproduce.replace(repr("sqrt(2)"), repr(T)))
    assert not recheck_counterexample(op, "well_defined", bad)[0]


def test_a_divisor_in_a_branch_that_is_not_taken_is_not_a_counterexample():
    op = separable("Piecewise((1/(T - sqrt(2)), T > 5), (x**(1/T), True))")
    notes: list[str] = []
    assert certify_undefined_at_constant(op, [Q(2, 3), Q(1, 3)], sp.sqrt(2), notes=notes) is None
    assert "Piecewise" in notes[-1]


def test_a_defined_point_is_not_a_counterexample():
    notes: list[str] = []
    assert certify_undefined_at_constant(separable("x**(1/T)"), [Q(2, 3), Q(1, 3)], sp.sqrt(2), notes=notes) is None


@pytest.mark.parametrize("score", ["x*(T - 1)/(T - 1)", "x**(1/T)*log(T)/log(T)", "x**(1/T)*(V - 2)/(V - 2)",
                                   "x**(1/T)*(x - 1/3)/(x - 1/3)"])
def test_a_written_side_condition_is_refuted_at_an_exact_point(score):
    op = separable(score)
    out = prove("well_defined", op)
    assert out.status == "refuted" and "written formula" in out.counterexample.statement
    assert recheck_counterexample(op, "well_defined", out.counterexample)[0]
    assert score in out.counterexample.reproduce  # the snippet rebuilds the formula as written


def test_the_evaluator_honours_the_written_formula():
    op = separable("x*(T - 1)/(T - 1)")
    assert len(evaluate_mp(op, [Q(1, 3), Q(2, 3)], Q(2))) == 2
    with pytest.raises(NotWellDefined):
        evaluate_mp(op, [Q(1, 3), Q(2, 3)], Q(1))


@pytest.mark.parametrize("score, pole", [("x**(1/(T - 7/3))", "7/3"), ("x**(1/T)*exp(x/(T - 1))", "1"),
                                         ("x**(1/T + 1/(T - 5))", "5")])
def test_a_jump_across_a_rational_pole_refutes_continuity(score, pole):
    op = separable(score)
    out = prove("continuity", op)
    assert out.status == "refuted" and out.counterexample.T == pole
    assert recheck_counterexample(op, "continuity", out.counterexample)[0]


def test_a_removable_pole_is_not_a_jump():
    # a T-only factor cancels from F: continuity is not refuted (and not proved)
    assert prove("continuity", separable("x**(1/T)*exp(1/(T - 7/3))")).status == "unknown"


@pytest.mark.parametrize("score, cold, hot", [
    ("x**(log(1 + 1/T))", "proved", "proved"),
    ("x**(exp(1/T))", "proved", "refuted"),
    ("x**(exp(1/T) - 1)", "proved", "proved"),
    ("x**(1/T + sin(1/T)/(2*T))", "proved", "proved"),
])
def test_growth_lemmas_decide_limits_whose_log_ratio_is_not_rational(score, cold, hot):
    op = separable(score)
    assert prove("boundary_cold", op).status == cold
    assert prove("boundary_hot", op).status == hot


def test_growth_lemmas_do_not_prove_an_oscillating_factor():
    from skd.verify.provers.boundary import beta, to_infinity

    assert not to_infinity(beta * sp.sin(beta))
    assert not to_infinity(-beta)
    assert to_infinity(beta + sp.sin(beta))


@pytest.mark.parametrize("score", ["x**(1/T) - 1/V", "x - 9/10", "x**(1/T)*(x - 2)"])
def test_the_refuter_compares_F_itself_where_a_score_is_not_positive(score):
    ce = refute(separable(score), "ranking")
    assert hasattr(ce, "statement") and "F_T(p)" in ce.statement, ce


@pytest.mark.parametrize("score, cold, hot", [
    ("Piecewise((x**(1/T), x <= 1/2), (x**(1/T)/2, True))", "proved", "unknown"),
    ("x**(1/T)*(1 + Heaviside(x - 1/2))", "proved", "unknown"),
    ("Max(x, 1/4)**(1/T)", "unknown", "proved"),
])
def test_limits_with_pieces_in_x_are_proved_pair_by_pair(score, cold, hot):
    from skd.verify.kernel import check_proof
    from skd.verify.prove import lemma_outcomes

    op = separable(score)
    for axiom, want in (("boundary_cold", cold), ("boundary_hot", hot)):
        out = prove(axiom, op)
        assert out.status == want, out.reason
        if want == "proved":
            assert check_proof(axiom, op, out, lemmas=lemma_outcomes(op, out))[0]


@pytest.mark.parametrize("score", ["x**(1/T)*(exp(V + 1) + 1)", "x**(1/T)*(V**(1/3) - 3/2)", "x**(1/T)*(log(V + 2) - 2)"])
def test_a_v_factor_the_cases_cannot_split_is_unknown_not_a_crash(score):
    # found by the soundness fuzz: the per-V sign-factor route raised Unsupported out of prove()
    for axiom in ("well_defined", "ranking", "boundary_cold"):
        assert prove(axiom, separable(score)).status in ("unknown", "proved", "refuted")


@pytest.mark.parametrize("score", ["x**(1/(T - 1))", "x**(1/T)*exp(1/log(T))", "x**(1/T)*exp(1/(x - 2/7))"])
def test_a_pole_at_a_point_the_refuter_samples_is_refuted_not_a_crash(score):
    # issue 12: these ended in "internal consistency error", exit 4
    from skd.verify import check

    report = check(separable(score), timeout=20, attack_seconds=0.2)
    v = report.verdict("well_defined")
    assert report.exit_code == 1 and v.status == "refuted"
    assert recheck_counterexample(separable(score), "well_defined", v.counterexample)[0]
