"""Certification of counterexamples (skd.verify.certify, with skd.verify.limits): certified violations, and ``None`` for
true statements, undecidable candidates and inputs outside the domain."""

from __future__ import annotations

import contextlib
import dataclasses
import io
from fractions import Fraction as Q

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skd.operators import Param, library, separable, vector
from skd.verify.certify import (
    certify_discontinuity_T,
    certify_discontinuity_x,
    certify_entropy,
    certify_identity,
    certify_limit,
    certify_ranking,
    certify_vector_discontinuity,
    certify_well_defined,
    limit_target,
    shrink,
)
from skd.verify.limits import score_one_sided_limit, separable_T_limit
from skd.verify.recheck import recheck_counterexample
from skd.verify.verdict import Counterexample, Enclosure

MAX_QUARTER = separable("Max(x, 1/4)", name="max_quarter")
CUBIC = separable("x**2*(2 - x)", name="cubic")
JUMP_T = separable("Piecewise((x**(1/T), T <= 1), (x**(2/T), True))", name="jump_T")


def _rechecks(op, axiom, ce, profile="paper"):
    ok, why = recheck_counterexample(op, axiom, ce, profile=profile)
    assert ok, why


def _run_snippet(code: str) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(code, {})  # our own generated snippet, never a stored one
    return buf.getvalue()


# -- certified counterexamples -----------------------------------------------------------------


def test_certify_topk_ranking_ties_two_entries_outside_the_top2_exactly():
    p = [Q(4, 10), Q(3, 10), Q(2, 10), Q(1, 10)]
    ce = certify_ranking(library.topk, p, Q(2), 2, 3)
    assert ce is not None
    assert (ce.i, ce.j, ce.V, ce.T, ce.relation) == (2, 3, 4, "2", "<=")
    assert ce.p == ("2/5", "3/10", "1/5", "1/10")
    assert ce.lhs.decimal == ce.rhs.decimal == "0"
    assert ce.certified_by == "exact rational arithmetic"
    assert ce.statement.startswith("p_2 > p_3 but F_T(p)_2 <= F_T(p)_3")
    _rechecks(library.topk, "ranking", ce)


def test_certify_topk_ranking_inside_the_top2_is_not_a_counterexample():
    p = [Q(4, 10), Q(3, 10), Q(2, 10), Q(1, 10)]
    assert certify_ranking(library.topk, p, Q(2), 0, 1) is None
    assert certify_ranking(library.topk, p, Q(2), 1, 2) is None


def test_certify_sparsemax_ranking_sends_two_small_entries_to_zero():
    ce = certify_ranking(library.sparsemax, [Q(6, 10), Q(3, 10), Q(1, 10)], Q(1, 10), 1, 2)
    assert ce is not None and ce.lhs.ball == ce.rhs.ball == "0"
    _rechecks(library.sparsemax, "ranking", ce)


def test_certify_sparsemax_identity_fails_with_disjoint_enclosures():
    ce = certify_identity(library.sparsemax, [Q(6, 10), Q(3, 10), Q(1, 10)])
    assert ce is not None and ce.T == "1" and ce.relation == "!="
    assert ce.certified_by.startswith("disjoint Arb enclosures at")
    assert ce.lhs.decimal.startswith("0.8465735902799726547086160607290882840377500671801")
    _rechecks(library.sparsemax, "identity", ce)


def test_certify_entmax15_identity_fails():
    ce = certify_identity(library.entmax15, [Q(6, 10), Q(3, 10), Q(1, 10)])
    assert ce is not None and ce.i is not None
    assert float(ce.lhs.decimal) != float(ce.p[ce.i].split("/")[0]) / float(ce.p[ce.i].split("/")[1])
    _rechecks(library.entmax15, "identity", ce)


def test_certify_max_quarter_ranking_is_an_exact_tie():
    ce = certify_ranking(MAX_QUARTER, [Q(1, 4), Q(1, 5), Q(11, 20)], Q(1, 3), 0, 1)
    assert ce is not None
    assert ce.certified_by == "exact rational arithmetic"
    assert ce.lhs.decimal == ce.rhs.decimal  # both are exactly 5/21
    assert ce.lhs.decimal.startswith("0.238095238095238095238095238095238095238095238095")
    _rechecks(MAX_QUARTER, "ranking", ce)


def test_certify_cubic_score_is_not_the_identity_exactly():
    ce = certify_identity(CUBIC, [Q(1, 3), Q(2, 3)])
    assert ce is not None and ce.certified_by == "exact rational arithmetic"
    # g(1/3) = 5/27, g(2/3) = 16/27: F_1(p)_0 = 5/21 != 1/3
    assert ce.i == 0 and ce.lhs.decimal.startswith("0.2380952380952380952")
    _rechecks(CUBIC, "identity", ce)


def test_certify_piecewise_entropy_drops_across_T_equal_1():
    ce = certify_entropy(JUMP_T, [Q(7, 10), Q(3, 10)], Q(1), Q(9, 8))
    assert ce is not None and (ce.T, ce.T2, ce.relation) == ("1", "9/8", "<")
    assert float(ce.lhs.decimal) < float(ce.rhs.decimal)
    _rechecks(JUMP_T, "entropy", ce)


def test_certify_topk_vector_discontinuity_at_a_tie_for_second_place():
    ce = certify_vector_discontinuity(library.topk, [Q(1, 2), Q(1, 4), Q(1, 4)], [0, -1, 1], Q(1))
    assert ce is not None and ce.i == 1
    assert ce.lhs.decimal == "0"  # along d the tie breaks towards index 2: entry 1 is dropped
    assert ce.rhs.decimal.startswith("0.33333333333333333333")
    assert "d = [0, -1, 1]" in ce.limit
    _rechecks(library.topk, "continuity", ce)


def test_certify_sparsemax_has_no_discontinuity_at_ties():
    # sparsemax is continuous (docs/theory/vector.md): the directional limit equals the value
    for p0, d in (([Q(1, 2), Q(1, 4), Q(1, 4)], [0, -1, 1]), ([Q(1, 3)] * 3, [-1, 1, 0])):
        assert certify_vector_discontinuity(library.sparsemax, p0, d, Q(1)) is None


def test_certify_vector_discontinuity_without_an_order_based_declaration():
    """Theorem V.3': topk's algorithm, not declared order-based, has its jump at a tie of the two
    smaller entries certified with entries that compare as p0 + t d does (re-established by
    recheck); an algorithm that computes with raw entries outside the arithmetic is refused."""
    topk_like = vector(library.topk_algorithm, name="topk_like", definition="topk, not declared order-based", sizes=(3,))
    ce = certify_vector_discontinuity(topk_like, [Q(1, 2), Q(1, 4), Q(1, 4)], [0, -1, 1], Q(1))
    assert ce is not None and "V.3'" in ce.certified_by
    _rechecks(topk_like, "continuity", ce)

    def raw(p, T, ar):  # Fraction arithmetic on the entries themselves: not the arithmetic's contract
        s = sum(p[1:], p[0])
        return [ar.num(v) / ar.num(s) for v in p]

    raw_op = vector(raw, name="raw", definition="p / sum(p) on raw entries", sizes=(3,))
    notes: list[str] = []
    assert certify_vector_discontinuity(raw_op, [Q(1, 2), Q(1, 4), Q(1, 4)], [0, -1, 1], Q(1), notes=notes) is None


def test_certify_discontinuity_in_T_from_exact_one_sided_limits():
    ce = certify_discontinuity_T(JUMP_T, [Q(7, 10), Q(3, 10)], Q(1), [Q(7, 10), Q(3, 10)], [Q(49, 58), Q(9, 58)])
    assert ce is not None and ce.T == "1"
    _rechecks(JUMP_T, "continuity", ce)


def test_certify_discontinuity_in_T_accepts_limits_in_either_order_and_the_value_at_T0():
    p = [Q(7, 10), Q(3, 10)]
    ce = certify_discontinuity_T(JUMP_T, p, Q(1), [Q(49, 58), Q(9, 58)], [Q(7, 10), Q(3, 10)])
    assert ce is not None and ce.limit.startswith("lim_{T->T0-} F_T(p) = [7/10, 3/10]")
    _rechecks(JUMP_T, "continuity", ce)
    # removable jump: both one-sided limits are p, the value at T = 1 is p**3 normalised
    spike = separable("Piecewise((x**(1/T), T < 1), (x**3, T <= 1), (x**(1/T), True))", name="spike")
    ce = certify_discontinuity_T(spike, p, Q(1), p, [Q(343, 370), Q(27, 370)])
    assert ce is not None and ce.limit.endswith("; F_T0(p)")
    _rechecks(spike, "continuity", ce)


def test_certify_discontinuity_in_T_refuses_a_wrong_one_sided_limit():
    assert certify_discontinuity_T(JUMP_T, [Q(7, 10), Q(3, 10)], Q(1), [Q(7, 10), Q(3, 10)], [Q(1, 2), Q(1, 2)]) is None


def test_certify_limit_topk_hot_limit_is_uniform_on_two_entries():
    p = [Q(1, 2), Q(1, 4), Q(1, 4)]
    ce = certify_limit(library.topk, p, "hot", [Q(1, 2), Q(1, 2), 0], limit_target(p, "hot"), proof="topk_hot_limit")
    assert ce is not None and ce.T == "oo" and ce.limit == "lim_{T->oo} F_T(p) = [1/2, 1/2, 0]"
    assert "confirmed along T_k = 2^k" in ce.certified_by
    _rechecks(library.topk, "boundary_hot", ce)


def test_certify_limit_refuses_a_wrong_supplied_limit():
    notes: list[str] = []
    p = [Q(1, 2), Q(1, 4), Q(1, 4)]
    # power's hot limit is uniform: a caller claiming (1/2, 1/2, 0) must not get a counterexample
    assert certify_limit(library.power, p, "hot", [Q(1, 2), Q(1, 2), 0], limit_target(p, "hot"), notes=notes) is None
    assert "does not approach" in notes[-1]


def test_certify_limit_refuses_a_target_of_another_profile():
    p = [Q(1, 2), Q(1, 4), Q(1, 4)]
    assert certify_limit(library.topk, p, "hot", [Q(1, 2), Q(1, 2), 0], [Q(1, 2), Q(1, 2), 0], profile="paper") is None


def test_certify_well_defined_negative_entry_zero_normaliser_and_missing_branch():
    neg = separable("x - 1/4", name="neg")
    ce = certify_well_defined(neg, [Q(1, 5), Q(4, 5)], Q(1))
    assert ce is not None and ce.relation == "<" and ce.lhs.decimal == "-0.1"
    _rechecks(neg, "well_defined", ce)
    zero = separable("x**(1/T) - 1/2", name="zero")
    ce = certify_well_defined(zero, [Q(1, 2), Q(1, 2)], Q(1))
    assert ce is not None and ce.relation == "=="
    _rechecks(zero, "well_defined", ce)
    gap = separable("Piecewise((x, x < 1/2), (x**2, x > 3/4))", name="gap")
    ce = certify_well_defined(gap, [Q(1, 4), Q(3, 4)], Q(1))
    assert ce is not None and ce.relation == "undefined" and ce.i == 1
    _rechecks(gap, "well_defined", ce)


def test_certify_well_defined_negative_scores_summing_negative_are_not_a_counterexample():
    # g = -x gives F = p: the map is in the simplex even though every score is negative
    assert certify_well_defined(separable("-x", name="minus"), [Q(1, 3), Q(2, 3)], Q(1)) is None


def test_certify_reproduce_snippet_recomputes_both_sides():
    ce = certify_ranking(MAX_QUARTER, [Q(1, 4), Q(1, 5), Q(11, 20)], Q(1, 3), 0, 1)
    out = _run_snippet(ce.reproduce).split()
    assert out[0][:30] == out[1][:30] == ce.lhs.decimal[:30]
    ce = certify_identity(library.sparsemax, [Q(6, 10), Q(3, 10), Q(1, 10)])
    out = _run_snippet(ce.reproduce).split()
    assert out[0][:30] == ce.lhs.decimal[:30] and out[1] == "3/5"


def test_certify_undecidable_equality_is_not_a_counterexample():
    # sqrt(2)*x gives F_1(p) = p exactly, but only as overlapping balls -> never certified
    notes: list[str] = []
    assert certify_identity(separable("sqrt(2)*x", name="root2"), [Q(1, 3), Q(2, 3)], notes=notes) is None
    assert any("undecided" in n for n in notes)


def test_certify_rejects_inputs_outside_the_domain():
    assert certify_ranking(library.power, [Q(1, 2), Q(1, 3)], Q(1), 0, 1) is None  # sums to 5/6
    assert certify_ranking(library.topk, [Q(1, 2), Q(1, 2), 0, 0], Q(1), 0, 2) is None  # zeros: open simplex
    assert certify_ranking(MAX_QUARTER, [Q(1, 5), Q(1, 4), Q(11, 20)], Q(1), 0, 1) is None  # p_0 < p_1
    assert certify_ranking(MAX_QUARTER, [Q(1, 4), Q(1, 5), Q(11, 20)], Q(0), 0, 1) is None  # T = 0
    assert certify_ranking(library.topk, [Q(1, 6)] * 6, Q(1), 0, 1) is None  # V = 6 not declared
    with pytest.raises(TypeError):
        certify_ranking(library.power, [0.7, 0.3], Q(1), 0, 1)


def test_certify_respects_parameter_domains():
    op = separable("x**(a/T)", params=[Param("a", lower=0, lower_closed=False)], name="pa")
    assert certify_identity(op, [Q(1, 3), Q(2, 3)], values={"a": 2}) is not None
    assert certify_identity(op, [Q(1, 3), Q(2, 3)], values={"a": 1}) is None
    assert certify_identity(op, [Q(1, 3), Q(2, 3)], values={"a": -1}) is None  # outside (0, oo)
    with pytest.raises(KeyError):
        certify_identity(op, [Q(1, 3), Q(2, 3)])


def test_certify_shrink_moves_a_pair_violation_to_the_smallest_V():
    p = [Q(1, 4), Q(1, 5), Q(1, 10), Q(1, 5), Q(1, 4)]
    ce = certify_ranking(MAX_QUARTER, p, Q(7, 3), 0, 1)
    assert ce is not None and ce.V == 5
    small = shrink(MAX_QUARTER, "ranking", ce)
    assert small.V == 3 and small.T == "1"
    _rechecks(MAX_QUARTER, "ranking", small)


@settings(max_examples=25, deadline=None)
@given(
    w=st.lists(st.integers(1, 1000), min_size=2, max_size=5),
    t=st.fractions(min_value=Q(1, 100), max_value=100, max_denominator=1000),
)
def test_certify_returns_none_for_true_power_statements(w, t):
    p = [Q(v, sum(w)) for v in w]
    if t <= 0:
        return
    order = sorted(range(len(p)), key=lambda k: p[k])
    lo, hi = order[0], order[-1]
    if p[hi] > p[lo]:
        assert certify_ranking(library.power, p, t, hi, lo) is None
    assert certify_identity(library.power, p) is None
    assert certify_entropy(library.power, p, t, t + 1) is None
    assert certify_well_defined(library.power, p, t) is None


X_JUMP = separable("Piecewise((x**(1/T), x <= 1/2), (x**(1/T)/2, True))", name="x_jump")


def test_certify_score_one_sided_limits_pick_the_branch_of_each_side():
    assert [score_one_sided_limit(X_JUMP, Q(1, 2), s, Q(1), 3) for s in "+-"] == [Q(1, 4), Q(1, 2)]
    # a condition whose difference vanishes at the point to second order: x**2 < 1/4 near 1/2
    sq = separable("Piecewise((x, x**2 < 1/4), (x/3, True))", name="sq")
    assert [score_one_sided_limit(sq, Q(1, 2), s, Q(1), 3) for s in "+-"] == [Q(1, 6), Q(1, 2)]
    # Heaviside: sign of the argument on each side
    hv = separable("Heaviside(x - 1/3) + x", name="hv")
    assert [score_one_sided_limit(hv, Q(1, 3), s, Q(1), 3) for s in "+-"] == [Q(4, 3), Q(1, 3)]
    # floor is not handled: no limit rather than a guess
    assert score_one_sided_limit(separable("floor(3*x) + x", name="fl"), Q(1, 3), "+", Q(1), 3) is None


def test_certify_discontinuity_in_x_from_a_jump_of_the_score():
    ce = certify_discontinuity_x(X_JUMP, [Q(1, 2), Q(1, 3), Q(1, 6)], 0, 1, Q(1))
    assert ce is not None and ce.certified_by.startswith("exact rational arithmetic")
    assert ce.limit == ("lim_{t->0+} F_T(p + t*d) = [1/3, 4/9, 2/9]; lim_{t->0+} F_T(p - t*d) = [1/2, 1/3, 1/6], "
                        "d = [1, -1, 0]")
    _rechecks(X_JUMP, "continuity", ce)
    # Max(x, 1/4) is continuous: no counterexample at its kink
    assert certify_discontinuity_x(MAX_QUARTER, [Q(1, 4), Q(3, 8), Q(3, 8)], 0, 1, Q(1)) is None


def test_certify_separable_T_limits_follow_the_limit_laws_or_give_up():
    p = [Q(1, 2), Q(1, 3), Q(1, 6)]
    assert separable_T_limit(separable("x**(1/T)*(1 + x)"), p, "hot") == [Q(3, 8), Q(1, 3), Q(7, 24)]
    assert separable_T_limit(separable("x**(1/T) + 1"), p, "cold") == [Q(1, 3)] * 3
    # ratios to a positive reference: x*T is p for every T
    assert separable_T_limit(separable("x*T"), p, "cold") == p
    # power at T -> 0+: ratios (x/y)**(1/T) -> 0 towards the argmax
    assert separable_T_limit(library.power, p, "cold") == [1, 0, 0]
    # oo - oo and 0 * oo forms are not guessed
    assert separable_T_limit(separable("x + Max(0, T - 1)**2/V"), p, "hot") is None


def test_certify_limit_of_a_separable_operator_is_rechecked():
    op = separable("x**(1/T) + 1", name="lifted")
    p = [Q(2, 3), Q(1, 3)]
    ce = certify_limit(op, p, "cold", separable_T_limit(op, p, "cold"), limit_target(p, "cold"), profile="paper")
    assert ce is not None and ce.limit == "lim_{T->0+} F_T(p) = [1/2, 1/2]"
    _rechecks(op, "boundary_cold", ce)


def test_tie_broken_entries_compare_and_test_as_p_plus_t_d_for_small_t():
    """Theorem V.3': an entry is (p0_i, d_i) for every comparison, its negative too, and a zero entry
    moved by d_i > 0 is not 0 (``bool``), as p0 + t d is for small t > 0; arithmetic on it is refused."""
    from skd.verify.certify import _TieBroken

    a, b, z = _TieBroken(Q(1, 2), Q(-1)), _TieBroken(Q(1, 2), Q(1)), _TieBroken(Q(0), Q(1))
    assert a < b and -a > -b and a != b and a > 0 and z > 0 and bool(z)
    assert not bool(_TieBroken(Q(0), Q(0))) and _TieBroken(Q(1, 3), Q(0)) == _TieBroken(Q(1, 3), Q(0))
    with pytest.raises(TypeError):
        a + b


# -- Theorem V.3'': a jump where a derived comparison is an equality ------------------------------


def _keep_at_least_mean(p, T, ar):
    """Keep the entries at least the mean of p, power-soften, renormalise (keep_above_mean)."""
    mean = ar.num(0)
    for v in p:
        mean = mean + ar.num(v)
    mean = mean / ar.num(len(p))
    keep = [i for i in range(len(p)) if ar.ge(ar.num(p[i]), mean)]
    s = {i: ar.pow(ar.num(p[i]), ar.num(1) / T) for i in keep}
    tot = ar.num(0)
    for i in keep:
        tot = tot + s[i]
    return [s[i] / tot if i in s else ar.num(0) for i in range(len(p))]


def _squared_gap_switch(p, T, ar):
    """(1, 0, ...) where (p_0 - p_1)^2 > 0, else uniform: a jump at p_0 = p_1 that the first order
    cannot see (the squared gap and its derivative are both 0 there)."""
    g = ar.num(p[0]) - ar.num(p[1])
    if ar.gt(g * g, ar.num(0)):
        return [ar.num(1)] + [ar.num(0)] * (len(p) - 1)
    return [ar.num(1) / ar.num(len(p))] * len(p)


def _sqrt_of_a_gap_switch(p, T, ar):
    """A comparison after sqrt(p_0 - p_1): not differentiable where the gap is 0."""
    r = ar.sqrt(ar.max(ar.num(p[0]) - ar.num(p[1]), ar.num(0)))
    if ar.gt(r, ar.num(0)):
        return [ar.num(1)] + [ar.num(0)] * (len(p) - 1)
    return [ar.num(1) / ar.num(len(p))] * len(p)


@pytest.mark.parametrize("T", [Q(1), Q(2), Q(1, 3)])
def test_a_jump_at_an_entry_equal_to_the_mean_is_certified_to_first_order_and_rechecked(T):
    """At p0 = (1/2, 1/3, 1/6) entry 1 equals the mean; along d = (1, -1, 0) it is dropped for small
    t > 0 (the comparison's value is 0, its derivative -1): the limit (1, 0, 0) differs from F(p0).
    Certified (T = 2 makes the kept outputs irrational after the exact comparison) and rechecked
    by skd recheck's own first-order arithmetic; along (-1, 1, 0) nothing jumps and nothing is
    certified."""
    op = vector(_keep_at_least_mean, name="keep_at_least_mean", definition="test", sizes=(3,))
    p0 = [Q(1, 2), Q(1, 3), Q(1, 6)]
    ce = certify_vector_discontinuity(op, p0, [Q(1), Q(-1), Q(0)], T)
    assert ce is not None and "V.3''" in ce.certified_by and ce.lhs.decimal.startswith("1"), ce
    _rechecks(op, "continuity", ce)
    notes: list[str] = []
    assert certify_vector_discontinuity(op, p0, [Q(-1), Q(1), Q(0)], T, notes=notes) is None, notes
    # the same certificate with the direction reversed does not re-validate
    bad = dataclasses.replace(ce, limit=ce.limit.replace("d = [1, -1, 0]", "d = [-1, 1, 0]"))
    assert not recheck_counterexample(op, "continuity", bad)[0]


@pytest.mark.parametrize("alg", [_squared_gap_switch, _sqrt_of_a_gap_switch])
def test_first_order_runs_never_guess_a_comparison_equal_to_first_order_or_a_missing_derivative(alg):
    """(p_0 - p_1)^2 at a tie is 0 with derivative 0; sqrt of a gap that is 0 has no derivative:
    Theorem V.3'' does not apply and no discontinuity is certified from it (undecided)."""
    op = vector(alg, name=alg.__name__.strip("_"), definition="test", sizes=(2,))
    notes: list[str] = []
    assert certify_vector_discontinuity(op, [Q(1, 2), Q(1, 2)], [Q(1), Q(-1)], Q(1), notes=notes) is None
    assert notes and any("first order" in n or "t = 0" in n or "undecided" in n for n in notes), notes


_EPS = Q(1, 10**6)


def _entry_copied_with_fraction(p, T, ar):
    """max(p_1 - p_0, 0)^eps (continuous), behind a comparison of an entry with its own copy made by
    Fraction(p[0]), which would lose the entry's direction (adversarial review, 2026-12-07)."""
    x0 = ar.num(p[0])
    if ar.ge(x0, ar.num(Q(p[0]))):
        a = ar.pow(ar.max(ar.num(p[1]) - x0, ar.num(0)), ar.num(_EPS))
        return [a, ar.num(1) - a, ar.num(0)]
    return [ar.num(1), ar.num(0), ar.num(0)]


def _a_step_hidden_in_func(p, T, ar):
    """max(p_1 - p_0, 0)^eps again (continuous), written with floor through ar.func (adversarial
    review): a step function passed off as an operation continuous where defined."""
    if p[1] > p[0]:
        x = ar.num(p[1]) - ar.num(p[0])
        s = ar.num(1) - ar.func("floor", ar.num(1) - x)
        b = ar.num(1) - s * (ar.num(1) - ar.pow(x, ar.num(_EPS)))
        return [b, ar.num(1) - b, ar.num(0)]
    return [ar.num(0), ar.num(1), ar.num(0)]


@pytest.mark.parametrize("alg, refusal", [(_entry_copied_with_fraction, "ar.num(p[i]) only"),
                                          (_a_step_hidden_in_func, "continuous elementary functions")])
def test_no_discontinuity_is_certified_for_a_continuous_map_that_escapes_the_arithmetic(alg, refusal):
    """Both maps equal max(p_1 - p_0, 0)^(1e-6), continuous; at p0 = (1/3, 1/3, 1/3) along (-1, 1, 0) the
    samples at t = 2^-8 .. 2^-128 are all ~1 (t^1e-6 converges that slowly), so only the contract,
    enforced where the algorithm meets it, stands between them and a false certificate: an entry
    of p has no plain value to copy, and ar.func has no floor."""
    op = vector(alg, name="escape", definition="test", sizes=(3,))
    notes: list[str] = []
    assert certify_vector_discontinuity(op, [Q(1, 3)] * 3, [Q(-1), Q(1), Q(0)], Q(1), notes=notes) is None
    assert any(refusal in n for n in notes), notes


def _catches_the_arithmetics_exceptions(p, T, ar):
    """Temperature scaling (continuous) behind a comparison that holds in exact arithmetic and that
    no ball can decide near a tie ((p_0 - p_1)^6 in exp(x) >= exp(-x)); the algorithm catches the
    arithmetic's Undecided and returns a one-hot vector instead (adversarial review, 2026-12-08)."""
    a, b = ar.num(p[0]), ar.num(p[1])
    x = (a - b) * (a - b)
    x = x * x * x
    try:
        ar.ge(ar.exp(x), ar.exp(ar.num(0) - x))
    except ArithmeticError:
        top = sorted(range(len(p)), key=lambda i: (-p[i], i))[0]
        return [ar.num(1) if i == top else ar.num(0) for i in range(len(p))]
    s = [ar.pow(ar.num(v), ar.num(1) / T) for v in p]
    tot = s[0]
    for v in s[1:]:
        tot = tot + v
    return [v / tot for v in s]


def test_a_run_that_caught_an_exception_of_the_arithmetic_is_never_evidence():
    """The certifier and skd recheck run a user's algorithm through an arithmetic that remembers any
    exception it raised: a run that caught one and went on is Undecided, so no discontinuity is
    certified for this continuous map, and a hand-made certificate of one (which recheck accepted
    before: the balls at p + 2^-130 d could not decide either, and its 'approach' looked fine) fails."""
    op = vector(_catches_the_arithmetics_exceptions, name="catcher", definition="test", sizes=(2,))
    notes: list[str] = []
    assert certify_vector_discontinuity(op, [Q(1, 2), Q(1, 2)], [Q(-1), Q(1)], Q(1), notes=notes) is None, notes
    forged = Counterexample(
        statement="F_T is discontinuous at p: lim_{t->0+} F_T(p + t*d)_1 != F_T(p)_1 at T = 1",
        p=("1/2", "1/2"), V=2, T="1", lhs=Enclosure(ball="1", decimal="1"), rhs=Enclosure(ball="0.5", decimal="0.5"),
        relation="!=", reproduce="p = [Q(1,2), Q(1,2)]; d = [Q(-1), Q(1)]; print(F[1])",
        certified_by="hand-made", T2=None, i=1, j=None, values=(), limit="lim_{t->0+} F_T(p + t*d), d = [-1, 1]")
    ok, msg = recheck_counterexample(op, "continuity", forged)
    assert not ok and "caught an exception" in msg, msg
