"""Evaluating operators (:mod:`skd.operators.evaluate`): the tree walker ``eval_expr`` in each
arithmetic, ``exact_algorithm``/``evaluate_in``/``evaluate_mp``, the NumPy walker, the
log-domain rewrite ``log_score`` and the generic path of ``apply`` for user operators (the
built-in kernels are pinned in ``test_kernels.py``, input validation in ``test_validate.py``)."""

from __future__ import annotations

import math
from fractions import Fraction as Q
from typing import Any

import flint
import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from skd.operators import Param, apply, library, separable, vector
from skd.operators.arith import ArbArith, FloatArith, MpArith, Undecided
from skd.operators.errors import InvalidArgument, NotWellDefined, SkdInputError
from skd.operators.evaluate import eval_expr, eval_numpy, evaluate_in, evaluate_mp, exact_algorithm, log_score
from skd.operators.symbols import T, V, x

REF = mpmath.MPContext()
REF.dps = 60
a_sym = Param("a").symbol

# expressions covering every node kind of the walkers, each defined for x in (0, 1], T > 0
EXPRESSIONS = [
    x ** (1 / T), x**-3 + x**2, sp.sqrt(x) + 1 / sp.sqrt(T), x ** sp.Rational(2, 3), sp.exp(-x / T) + sp.log(1 + x),
    sp.Abs(x - sp.Rational(1, 2)), sp.Min(x, 1 / T) + sp.Max(x, T, 2), sp.pi * x + sp.E,
    sp.Piecewise((x**2, x < sp.Rational(1, 2)), (x, True)), sp.tanh(x) + sp.atan(T) + sp.erf(x) + sp.cos(x * T),
    sp.asin(x) + sp.acos(x / 2) + sp.sinh(x) + sp.cosh(x) + sp.sin(x) + sp.tan(x),
]

xs = st.fractions(min_value=Q(1, 1000), max_value=Q(999, 1000), max_denominator=1000)
ts = st.fractions(min_value=Q(1, 20), max_value=Q(20), max_denominator=100)


def _mp(expr: sp.Expr, xv: Q, tv: Q) -> Any:
    return REF.mpf(sp.N(expr.subs({x: sp.Rational(xv.numerator, xv.denominator), T: sp.Rational(tv.numerator, tv.denominator)}), 50))


# -- eval_expr -------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(xs, ts)
def test_evaluate_eval_expr_arb_encloses_and_float_and_mp_approximate_the_true_value(xv: Q, tv: Q) -> None:
    arb, mp, fl = ArbArith(160), MpArith(50), FloatArith()
    for expr in EXPRESSIONS:
        ref = _mp(expr, xv, tv)
        ball = eval_expr(expr, {x: arb.num(xv), T: arb.num(tv)}, arb)
        lo, hi = (REF.mpf(int(m)) * REF.mpf(2) ** int(e) for m, e in (ball.lower().man_exp(), ball.upper().man_exp()))
        assert lo <= ref <= hi, expr
        assert abs(eval_expr(expr, {x: mp.num(xv), T: mp.num(tv)}, mp) - ref) <= REF.mpf(10) ** -40 * (1 + abs(ref)), expr
        assert math.isclose(eval_expr(expr, {x: float(xv), T: float(tv)}, fl), float(ref), rel_tol=1e-9, abs_tol=1e-12), expr


def test_evaluate_eval_expr_rationals_stay_exact_in_arb() -> None:
    ar = ArbArith(64)
    out = eval_expr(sp.Rational(1, 3) * x + sp.Integer(2) ** -2, {x: ar.num(Q(3, 1))}, ar)
    assert out.contains(ar.num(Q(5, 4))) and out.rad() < flint.arb(2) ** -60


def test_evaluate_eval_expr_heaviside_and_sign_at_zero() -> None:
    ar = FloatArith()
    for value, h, s in ((0.5, 0.0, -1.0), (1.0, 0.5, 0.0), (2.0, 1.0, 1.0)):
        assert eval_expr(sp.Heaviside(x - 1), {x: value}, ar) == h
        assert eval_expr(sp.sign(x - 1), {x: value}, ar) == s


def test_evaluate_eval_expr_floor_and_ceiling_in_arb_decided_or_undecided() -> None:
    ar = ArbArith(100)
    assert eval_expr(sp.floor(x * 3), {x: ar.num(Q(1, 2))}, ar) == 1
    assert eval_expr(sp.ceiling(x * 3), {x: ar.num(Q(1, 2))}, ar) == 2
    with pytest.raises(Undecided, match="floor"):
        eval_expr(sp.floor(x * 3), {x: ar.num(Q(1, 3))}, ar)  # 3 * [1/3 +/- eps] straddles 1
    assert eval_expr(sp.floor(x * 3), {x: 0.5}, FloatArith()) == 1.0


def test_evaluate_eval_expr_piecewise_condition_on_an_overlapping_ball_is_undecided() -> None:
    ar = ArbArith(100)
    expr = sp.Piecewise((x, x <= sp.Rational(1, 4)), (2 * x, True))
    with pytest.raises(Undecided):
        eval_expr(expr, {x: ar.exp(ar.log(ar.num(Q(1, 4))))}, ar)  # a ball around 1/4, not exact
    assert eval_expr(expr, {x: ar.num(Q(1, 4))}, ar) == ar.num(Q(1, 4))  # the exact point: decided


def test_evaluate_eval_expr_piecewise_with_no_applicable_branch_is_not_well_defined() -> None:
    expr = sp.Piecewise((x, x < sp.Rational(1, 2)))
    with pytest.raises(NotWellDefined, match="no Piecewise branch"):
        eval_expr(expr, {x: MpArith().num(Q(3, 4))}, MpArith())


def test_evaluate_eval_expr_missing_symbol_and_unknown_node_are_named() -> None:
    with pytest.raises(KeyError, match="no value for symbol T"):
        eval_expr(x / T, {x: 0.5}, FloatArith())
    with pytest.raises(TypeError, match="cannot evaluate gamma node"):
        eval_expr(sp.gamma(x), {x: 0.5}, FloatArith())


def test_evaluate_eval_expr_log_of_a_negative_in_arb_is_not_well_defined() -> None:
    ar = ArbArith()
    with pytest.raises(NotWellDefined):
        eval_expr(sp.log(x - 1), {x: ar.num(Q(1, 2))}, ar)


# -- exact_algorithm / evaluate_in / evaluate_mp ----------------------------------------------


@settings(deadline=None)
@given(st.lists(st.integers(1, 50), min_size=2, max_size=6), ts)
def test_evaluate_separable_output_sums_to_one_exactly_in_arb_and_matches_mp(weights: list[int], tv: Q) -> None:
    p = [Q(w, sum(weights)) for w in weights]
    balls = evaluate_in(library.power, p, tv, ArbArith(200))
    ref = evaluate_mp(library.power, p, tv, dps=60)
    assert sum(balls).contains(1)
    for b, r in zip(balls, ref, strict=True):
        assert b.contains(flint.arb(mpmath.nstr(r, 55))) or abs(float(b.mid()) - float(r)) < 1e-40


def test_evaluate_negative_scores_are_normalised_as_declared_not_repaired() -> None:
    out = evaluate_mp(separable("x - 1/4"), [Q(9, 10), Q(1, 10)], 1)
    assert [round(float(v), 12) for v in out] == [1.3, -0.3]


def test_evaluate_scores_summing_to_zero_are_not_well_defined() -> None:
    with pytest.raises(NotWellDefined, match="scores sum to zero"):
        evaluate_mp(separable("x - 1/V"), [Q(1, 2), Q(1, 2)], 1)
    with pytest.raises(NotWellDefined, match="scores sum to zero"):
        evaluate_in(separable("x - 1/V"), [Q(1, 4), Q(3, 4)], Q(1), ArbArith())  # an exact zero ball


def test_evaluate_normaliser_of_undecidable_sign_raises_undecided() -> None:
    ar = ArbArith()
    with pytest.raises(Undecided):  # a ball around 0: neither zero nor of known sign, never guessed
        evaluate_in(separable("x - 1/V"), [Q(1, 3), Q(2, 3)], Q(1), ar)
    with pytest.raises(Undecided):
        evaluate_in(separable("x*(T - 1)"), [Q(1, 2), Q(1, 2)], flint.arb("1 +/- 1e-20"), ar)
    with pytest.raises(Undecided, match="sign of the normaliser"):  # float: a NaN normaliser has no sign
        evaluate_in(separable("x*(T - 1)"), [Q(1, 2), Q(1, 2)], math.nan, FloatArith())


def test_evaluate_parameters_are_taken_from_values_exactly() -> None:
    op = separable("x**(a/T)", params=[Param("a", 0)])
    p = [Q(3, 4), Q(1, 4)]
    assert evaluate_mp(op, p, 1, values={"a": "1/2"}) == evaluate_mp(op.fix(a="1/2"), p, 1)
    assert exact_algorithm(op, {"a": 2})(p, Q(1), MpArith()) == evaluate_mp(library.power, p, Q(1, 2))


def test_evaluate_missing_parameter_names_it_and_how_to_fix_it() -> None:
    op = separable("x**(a/T)", params=[Param("a", 0)])
    with pytest.raises((KeyError, SkdInputError), match="free parameter 'a'"):
        evaluate_mp(op, [Q(1, 2), Q(1, 2)], 1)


def test_evaluate_missing_parameter_is_an_skd_input_error() -> None:
    op = separable("x**(a/T)", params=[Param("a", 0)])
    with pytest.raises(SkdInputError):
        evaluate_mp(op, [Q(1, 2), Q(1, 2)], 1)


def test_evaluate_mp_takes_float_inputs_exactly_and_honours_dps() -> None:
    out = evaluate_mp(separable("x"), [0.1, 0.9], 1.0, dps=50)
    want = Q(0.1) / (Q(0.1) + Q(0.9))
    assert abs(out[0] - REF.mpf(want.numerator) / want.denominator) < REF.mpf(10) ** -48
    coarse = evaluate_mp(library.power, [Q(1, 3), Q(2, 3)], Q(1, 3), dps=10)[0]
    fine = evaluate_mp(library.power, [Q(1, 3), Q(2, 3)], Q(1, 3), dps=50)[0]
    assert 0 < abs(coarse - fine) < REF.mpf(10) ** -8


def test_evaluate_exact_algorithm_of_a_vector_operator_is_its_algorithm_watched() -> None:
    """A vector operator's algorithm as it is (same outputs), run through an arithmetic that
    remembers an exception the algorithm caught: then the run is Undecided, never evidence."""
    from skd.operators import vector

    p = [Q(5, 9), Q(3, 9), Q(1, 9)]
    assert exact_algorithm(library.topk)(p, Q(2), MpArith(30)) == library.topk.algorithm(p, Q(2), MpArith(30))

    def swallows(p, T, ar):
        try:
            ar.log(ar.num(0) - ar.num(p[0]))  # log of a negative number: the arithmetic raises
        except Exception:  # noqa: BLE001 - the behaviour under test
            pass
        return [ar.num(v) for v in p]

    with pytest.raises(Undecided, match="caught an exception"):
        exact_algorithm(vector(swallows, name="swallows", definition="test", sizes=(3,)))(p, Q(1), ArbArith(64))
    assert exact_algorithm(library.power).__qualname__ == "separable[x**(1/T)]"


def test_evaluate_is_deterministic_across_calls_and_arithmetic_instances() -> None:
    p = [Q(5, 9), Q(3, 9), Q(1, 9)]
    runs = [evaluate_in(library.hybrid, p, Q(7, 3), ArbArith(128)) for _ in range(3)]
    assert all([b.str(40, radius=True) for b in r] == [b.str(40, radius=True) for b in runs[0]] for r in runs)


def test_evaluate_v_is_bound_to_the_length_of_p() -> None:
    for n in (2, 5):
        out = evaluate_mp(separable("x + V"), [Q(1, n)] * n, 1)
        assert out == [1 / REF.mpf(n)] * n or all(abs(v - REF.mpf(1) / n) < REF.mpf(10) ** -45 for v in out)
    out = evaluate_mp(separable("x*V"), [Q(1, 4), Q(3, 4)], 1)
    assert abs(out[0] - REF.mpf(1) / 4) < REF.mpf(10) ** -45


# -- eval_numpy ------------------------------------------------------------------------------


@pytest.mark.parametrize("expr", EXPRESSIONS + [sp.Heaviside(x - sp.Rational(1, 2)) + sp.sign(x - sp.Rational(1, 2)),
                                               sp.floor(3 * x) + sp.ceiling(T)])
def test_evaluate_eval_numpy_agrees_with_the_float_tree_walker(expr: sp.Expr) -> None:
    grid = np.array([0.01, 0.25, 0.5, 0.75, 0.99])
    t = 1.7
    got = eval_numpy(expr, {x: grid, T: np.float64(t)})
    want = [eval_expr(expr, {x: float(v), T: t}, FloatArith()) for v in grid]
    np.testing.assert_allclose(np.broadcast_to(got, grid.shape), want, rtol=1e-12, atol=1e-15)


def test_evaluate_eval_numpy_piecewise_without_a_branch_is_nan() -> None:
    got = eval_numpy(sp.Piecewise((x, x < sp.Rational(1, 2))), {x: np.array([0.25, 0.75])})
    assert got[0] == 0.25 and np.isnan(got[1])


def test_evaluate_eval_numpy_keeps_the_dtype() -> None:
    got = eval_numpy(x ** (1 / T) + 1, {x: np.array([0.5], dtype=np.float32), T: np.float32(2)}, np.float32)
    assert got.dtype == np.float32


# -- log_score -------------------------------------------------------------------------------


def test_evaluate_log_score_rewrites_only_provably_positive_factors() -> None:
    assert log_score(x ** (1 / T)) == sp.log(x) / T
    assert log_score(sp.exp(-x / T)) == -x / T
    assert sp.simplify(log_score(2 * x**2 * T) - (sp.log(2) + 2 * sp.log(x) + sp.log(T))) == 0
    assert log_score(x - sp.Rational(1, 2)) == sp.log(x - sp.Rational(1, 2))  # may be negative: kept
    assert log_score(a_sym**x) == sp.log(a_sym**x)  # a parameter base may be negative: kept
    assert log_score(x ** (a_sym / T)) == a_sym * sp.log(x) / T  # a real exponent is fine
    pw = log_score(sp.Piecewise((x ** (1 / T), T <= 1), (x, True)))
    assert pw == sp.Piecewise((sp.log(x) / T, T <= 1), (sp.log(x), True))


@settings(max_examples=40, deadline=None)
@given(xs, ts)
def test_evaluate_log_score_is_exactly_the_log_of_the_score(xv: Q, tv: Q) -> None:
    mp = MpArith(50)
    env = {x: mp.num(xv), T: mp.num(tv), V: mp.num(3)}
    for expr in (x ** (1 / T), 3 * x**2 * sp.exp(x / T) * V, (x + T) ** (1 / T**2), x * sp.Min(1, 1 / T) + 1 / V):
        lhs = eval_expr(log_score(expr), env, mp)
        rhs = mp.log(eval_expr(expr, env, mp))
        assert abs(lhs - rhs) < REF.mpf(10) ** -40 * (1 + abs(rhs)), expr


# -- apply: the generic path for user operators ----------------------------------------------


def test_evaluate_apply_user_separable_matches_the_mp_reference() -> None:
    op = separable("x**(1/T) + x/V", name="user")
    p = np.array([0.6, 0.3, 0.1])
    got = apply(op, p, 0.7)
    want = [float(v) for v in evaluate_mp(op, [float(v) for v in p], 0.7)]
    np.testing.assert_allclose(got, want, rtol=1e-13)


@pytest.mark.parametrize("t", [1e-300, 1e-8, 1e8, 1e300])
def test_evaluate_apply_user_power_at_extreme_temperatures_is_finite_and_has_the_right_limit(t: float) -> None:
    op = separable("x**(1/T)", name="user_power")  # not the built-in: the log-domain generic path
    p = np.array([0.5, 0.3, 0.2, 0.0])
    out = apply(op, p, t)
    assert np.isfinite(out).all() and abs(out.sum() - 1) < 1e-12 and out[3] == 0
    if t < 1:
        limit = library.uniform_on_argmax(p)
        np.testing.assert_allclose(out, limit, atol=1e-12 if t < 1e-100 else 1e-3)
    elif t > 1e100:
        np.testing.assert_allclose(out, library.uniform_on_support(p), atol=1e-12)


def test_evaluate_apply_user_separable_negative_score_is_not_well_defined_naming_the_entry() -> None:
    with pytest.raises(NotWellDefined, match=r"score is negative, undefined or infinite .* \(entry 1\)"):
        apply(separable("x - 1/4", name="shifted"), np.array([0.9, 0.1]), 1.0)


def test_evaluate_apply_user_separable_all_zero_scores_are_not_well_defined() -> None:
    with pytest.raises(NotWellDefined, match="every score is zero"):
        apply(separable("Max(0, x - 3/4)", name="clipped"), np.array([0.5, 0.5]), 1.0)


def test_evaluate_apply_user_separable_with_parameters_needs_values() -> None:
    op = separable("x**(a/T)", params=[Param("a", 0)], name="pa")
    p = np.array([0.7, 0.3])
    np.testing.assert_allclose(apply(op, p, 1.0, values={"a": "2"}), apply(library.power, p, 0.5), rtol=1e-14)
    with pytest.raises((KeyError, SkdInputError), match="free parameter 'a'"):
        apply(op, p, 1.0)


def test_evaluate_apply_user_vector_operator_row_by_row_and_only_on_declared_sizes() -> None:
    def reverse(p: Any, T_: Any, ar: Any) -> list[Any]:
        return [ar.num(v) for v in reversed(p)]

    op = vector(reverse, name="rev", definition="reversed p", sizes=(3,))
    batch = np.array([[[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]])
    np.testing.assert_array_equal(apply(op, batch, 1.0), batch[..., ::-1])
    with pytest.raises(InvalidArgument, match=r"declared for V in \(3,\), not V=2"):
        apply(op, np.array([0.5, 0.5]), 1.0)


def test_evaluate_apply_float32_user_operator_stays_float32() -> None:
    out = apply(separable("x**(1/T)", name="u"), np.array([0.7, 0.3], dtype=np.float32), 2.0)
    assert out.dtype == np.float32
