"""The refuter (skd.verify.refute): certified counterexamples where an axiom fails, an honest
SearchLog where none is found, never a bogus counterexample."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skd.operators import Param, library, separable
from skd.verify.recheck import recheck_counterexample
from skd.verify.refute import SearchLog, refute, switching_points
from skd.verify.verdict import Counterexample

from .corpus import CORRECT

JUMP_T = separable("Piecewise((x**(1/T), T <= 1), (x**(2/T), True))", name="jump_T")


def _certified(op, axiom, result, profile="paper"):
    assert isinstance(result, Counterexample), getattr(result, "summary", result)
    ok, why = recheck_counterexample(op, axiom, result, profile=profile)
    assert ok, why
    return result


def test_refute_topk_ranking_finds_two_tied_zeros():
    ce = _certified(library.topk, "ranking", refute(library.topk, "ranking", seconds=5))
    assert ce.V == 4 and ce.lhs.decimal == ce.rhs.decimal == "0"


@pytest.mark.parametrize(("name", "axiom"), [("sparsemax", "ranking"), ("sparsemax", "identity"),
                                             ("entmax15", "identity"), ("topk", "identity")])
def test_refute_vector_builtins_fail_the_expected_pointwise_axioms(name, axiom):
    op = library.get(name)
    ce = _certified(op, axiom, refute(op, axiom, seconds=5))
    assert ce.V in op.sizes


@pytest.mark.parametrize(("name", "axiom"), [("topk", "continuity"), ("topk", "boundary_cold"),
                                             ("topk", "boundary_hot"), ("mixture", "boundary_cold")])
def test_refute_builtins_fail_continuity_and_limits_through_exact_limits(name, axiom):
    op = library.get(name)
    ce = _certified(op, axiom, refute(op, axiom, seconds=5))
    assert ce.limit is not None and ce.relation == "!="


def test_refute_piecewise_entropy_drop_across_T_equal_1():
    ce = _certified(JUMP_T, "entropy", refute(JUMP_T, "entropy", seconds=5))
    assert ce.T == "1" and ce.V == 2


def test_refute_max_quarter_ranking_tie_is_shrunk():
    op = separable("Max(x, 1/4)", name="max_quarter")
    ce = _certified(op, "ranking", refute(op, "ranking", seconds=5))
    assert ce.certified_by == "exact rational arithmetic" and ce.V <= 3 and ce.T == "1"


@pytest.mark.parametrize("axiom", ["ranking", "identity", "entropy"])
def test_refute_power_returns_a_searchlog_not_a_counterexample(axiom):
    log = refute(library.power, axiom, seconds=2)
    assert isinstance(log, SearchLog)
    assert log.axiom == axiom and log.candidates > 0 and log.seed == 0
    assert "seed 0" in log.summary and log.reason_kind in ("undecided", "budget")


def test_refute_separable_limits_from_exact_limits_of_the_scores():
    op = separable("x**(1/T)*(1 + x)", name="tilted")
    ce = _certified(op, "boundary_hot", refute(op, "boundary_hot", seconds=5))
    assert ce.T == "oo" and ce.limit == "lim_{T->oo} F_T(p) = [5/9, 4/9]"
    op = separable("Max(x, 1/4)**(1/T)", name="flat")
    ce = _certified(op, "boundary_cold", refute(op, "boundary_cold", seconds=5))
    assert ce.V >= 5  # needs several entries below 1/4 with different values


def test_refute_leaves_true_separable_limits_and_T_continuity_unrefuted():
    op = separable("x**(1/T)*exp(-T)", name="scaled_power")
    for axiom in ("boundary_cold", "boundary_hot", "continuity"):
        assert isinstance(refute(op, axiom, seconds=1), SearchLog)
    log = refute(op, "continuity", seconds=1)
    assert log.reason_kind == "unsupported" and "decided symbolically" in log.summary


def test_refute_finds_a_jump_of_the_score_in_x():
    op = separable("Piecewise((x**(1/T), x <= 1/2), (2*x**(1/T), True))", name="x_jump_up")
    ce = _certified(op, "continuity", refute(op, "continuity", seconds=5))
    assert ce.limit.startswith("lim_{t->0+} F_T(p + t*d) = [")
    assert isinstance(refute(separable("Max(x, 1/4)**(1/T)", name="kink"), "continuity", seconds=2), SearchLog)


def test_refute_ignores_a_limit_function_attached_to_a_builtin_lookalike():
    fake = separable(library.power.definition, name="power", cold_limit=library.identity_limit)
    assert isinstance(refute(fake, "boundary_cold", seconds=1), SearchLog)


def test_refute_sparsemax_continuity_and_limits_stay_unrefuted():
    """sparsemax's limits are true (vector.md L.2) and it declares no limit function: the search
    takes the exact limits of its algorithm's path near each end at exact p, and finds nothing."""
    assert isinstance(refute(library.sparsemax, "continuity", seconds=2), SearchLog)
    for axiom in ("boundary_cold", "boundary_hot"):
        log = refute(library.sparsemax, axiom, seconds=3)
        assert isinstance(log, SearchLog) and log.supported, log
        assert any("algorithm's path" in st for st in log.strategies) and log.candidates > 0


def test_refute_is_deterministic_for_a_seed():
    a = refute(library.topk, "ranking", seed=3, seconds=5)
    b = refute(library.topk, "ranking", seed=3, seconds=5)
    assert isinstance(a, Counterexample) and a == b


def test_refute_ranking_of_negative_scores_orders_by_log_minus_g_without_float_alarms():
    """Scores < 0 for T < 3 (F = |g| / sum |g|, ranking holds there): g underflows at small T, and
    comparing F itself raised hundreds of 0-vs-0 float alarms, each certified in vain until the
    deadline. Ordered by log(-g), the structured scan raises none, no scan of F itself is needed, and
    the search ends before its budget (what the later phases raise near ties is dismissed exactly)."""
    log = refute(separable("x**(1/T)*(T - 3)"), "ranking", seconds=30)
    assert isinstance(log, SearchLog) and not log.out_of_time and not log.capped, log.summary
    assert not any("F itself" in st for st in log.strategies), log.strategies
    assert not log.uncertified and log.certify_attempts == log.dismissed
    # a real ranking failure seen only through negative scores is still found: -(2 - x) x**(1/T) at T = 4
    _certified(separable("x**(1/T)*(x - 2)"), "ranking", refute(separable("x**(1/T)*(x - 2)"), "ranking", seconds=10))


def test_refute_respects_its_budget():
    start = time.monotonic()
    log = refute(library.hybrid, "ranking", seconds=1)
    assert time.monotonic() - start < 2.0
    assert isinstance(log, SearchLog)


def test_refute_searches_over_a_free_parameter():
    op = separable("x**(a/T)", params=[Param("a", lower=0, lower_closed=False)], name="pa")
    ce = _certified(op, "identity", refute(op, "identity", seconds=5))
    assert dict(ce.values)["a"] != "1"


def test_refute_weak_profile_accepts_ties():
    op = separable("Max(x, 1/4)", name="max_quarter")
    assert isinstance(refute(op, "ranking", profile="weak", seconds=2), SearchLog)


def test_refute_switching_points_find_the_piecewise_threshold():
    Ts, xs = switching_points(JUMP_T)
    assert any(t == 1 for t in Ts)
    Ts, xs = switching_points(separable("Max(x, 1/4)"))
    assert any(x == pytest.approx(0.25) for x in xs)


@pytest.mark.parametrize("score", [s for s, _ in CORRECT[:2]])
@pytest.mark.parametrize("axiom", ["ranking", "identity", "entropy", "well_defined"])
def test_refute_never_refutes_a_correct_operator(score, axiom):
    assert isinstance(refute(separable(score, name="correct"), axiom, seconds=0.7), SearchLog)


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.integers(0, 3))
def test_refute_works_inside_a_running_hypothesis_test(seed):
    ce = refute(library.topk, "identity", seed=seed, seconds=3)
    assert isinstance(ce, Counterexample)
