"""The exact limit engine (:mod:`skd.verify.limits`): the cold / hot limits of separable
operators by the limit laws (uniform on argmax / on all classes for power), agreement with the
built-ins' declared (proved) limit functions, ``None`` for forms the laws do not settle, and the
one-sided limits and certain signs it is built on.
"""

from __future__ import annotations

from fractions import Fraction as Q

import numpy as np
import pytest
import sympy as sp

from skd.operators import Param, library, separable
from skd.operators.symbols import x
from skd.verify.limits import one_sided, score_one_sided_limit, score_T_limit, separable_T_limit, sign_of

from .vector_corpus import renormalised_p
from .vector_corpus import temperature_scaling as _softened

VECTORS = [
    (Q(7, 10), Q(3, 10)),
    (Q(1, 2), Q(1, 4), Q(1, 4)),
    (Q(2, 5), Q(2, 5), Q(1, 5)),
    (Q(1, 3), Q(1, 3), Q(1, 3)),
    (Q(1, 2), Q(1, 3), Q(1, 6)),
    (Q(1, 10), Q(3, 10), Q(3, 10), Q(3, 10)),
]
R = sp.Rational


def _uniform_on_argmax(P):
    m = max(P)
    k = sum(1 for v in P if v == m)
    return [R(1, k) if v == m else sp.Integer(0) for v in P]


@pytest.mark.parametrize("op", [library.power, library.power_T2], ids=lambda op: op.name)
@pytest.mark.parametrize("P", VECTORS)
def test_limits_power_cold_is_uniform_on_argmax_and_hot_uniform_on_all(op, P):
    assert separable_T_limit(op, P, "cold") == _uniform_on_argmax(P)
    assert separable_T_limit(op, P, "hot") == [R(1, len(P))] * len(P)


def test_limits_are_exact_sympy_numbers():
    out = separable_T_limit(library.power, [Q(2, 5), Q(2, 5), Q(1, 5)], "cold")
    assert all(isinstance(v, sp.Rational) for v in out) and sum(out) == 1
    out = separable_T_limit(library.mixture, ["1/2", "1/3", "1/6"], "cold")
    assert out == [R(1, 2), R(1, 3), R(1, 6)]


@pytest.mark.parametrize("op", [library.power, library.power_T2, library.hybrid, library.mixture, library.laplace],
                         ids=lambda op: op.name)
@pytest.mark.parametrize("which", ["cold", "hot"])
def test_limits_agree_with_the_builtins_declared_limits_where_established(op, which):
    declared = op.cold_limit if which == "cold" else op.hot_limit
    found = 0
    for P in VECTORS:
        L = separable_T_limit(op, P, which)
        if L is None:
            continue
        found += 1
        np.testing.assert_allclose([float(v) for v in L], declared(np.array([float(v) for v in P])), atol=1e-15)
    assert found >= 1 or (op.name, which) in {("hybrid", "cold"), ("laplace", "hot")}


def test_limits_with_parameters_use_their_values():
    op = separable("x**(a/T)", params=[Param("a", lower=0, lower_closed=False)], name="pa")
    assert separable_T_limit(op, [Q(2, 3), Q(1, 3)], "cold", {"a": 2}) == [1, 0]
    assert separable_T_limit(op, [Q(2, 3), Q(1, 3)], "hot", {"a": "1/2"}) == [R(1, 2), R(1, 2)]


def test_limits_a_score_with_finite_positive_limits_is_normalised():
    op = separable("T*x + (1 - T)*x**2", name="blend")  # -> x**2 as T -> 0+
    assert separable_T_limit(op, [Q(1, 2), Q(1, 3), Q(1, 6)], "cold") == [R(9, 14), R(2, 7), R(1, 14)]


@pytest.mark.parametrize("formula,P,which", [
    ("x**(1/T) - x**(2/T)", (Q(1, 2), Q(1, 3), Q(1, 6)), "cold"),  # 0/0, no structurally positive reference
    ("x + Max(0, T - 1)**2/V", (Q(1, 2), Q(1, 3), Q(1, 6)), "hot"),  # oo/oo (laplace)
    ("x*(2 + sin(1/T))", (Q(1, 2), Q(1, 3), Q(1, 6)), "cold"),  # oscillating score
])
def test_limits_undecided_forms_give_none(formula, P, which):
    assert separable_T_limit(separable(formula, name="form"), P, which) is None


def test_limits_of_vector_operators_or_unknown_ends_give_none():
    assert separable_T_limit(library.topk, [Q(1, 2), Q(1, 2)], "cold") is None
    assert separable_T_limit(library.power, [Q(1, 2), Q(1, 2)], "warm") is None
    assert score_T_limit(library.power, Q(1, 2), "warm", 2) is None


def test_limits_score_T_limit_of_power():
    assert score_T_limit(library.power, Q(1, 2), "cold", 3) == 0
    assert score_T_limit(library.power, Q(1, 2), "hot", 3) == 1
    assert score_T_limit(separable("x + 1/T", name="inv"), Q(1, 2), "cold", 3) == sp.oo


def test_limits_one_sided_of_a_piecewise_jump():
    jump = sp.Piecewise((x, x < R(1, 2)), (1 - x / 2, True))
    assert one_sided(jump, R(1, 2), "-") == R(1, 2)
    assert one_sided(jump, R(1, 2), "+") == R(3, 4)
    assert one_sided(jump, R(1, 4), "+") == R(1, 4)


def test_limits_one_sided_of_sign_heaviside_and_tangent_conditions():
    c = R(1, 3)
    assert one_sided(sp.sign(x - c), c, "-") == -1 and one_sided(sp.sign(x - c), c, "+") == 1
    assert one_sided(sp.Heaviside(x - c), c, "-") == 0 and one_sided(sp.Heaviside(x - c), c, "+") == 1
    # (x - 1/3)**2 > 0 on both sides of 1/3 (found from the Taylor coefficients, the limit is 0)
    touch = sp.Piecewise((1, (x - c) ** 2 > 0), (0, True))
    assert one_sided(touch, c, "-") == 1 and one_sided(touch, c, "+") == 1


def test_limits_one_sided_gives_none_for_infinite_limits_and_discontinuities():
    assert one_sided(1 / (x - R(1, 2)), R(1, 2), "+") is None
    assert one_sided(sp.floor(2 * x), R(1, 2), "+") is None
    assert one_sided(sp.log(x), sp.Integer(0), "+") is None


def test_limits_score_one_sided_limit_substitutes_T_V_and_parameters():
    op = separable("Piecewise((x**(1/T), x < 1/2), (V*x, True))", name="pj")
    assert score_one_sided_limit(op, Q(1, 2), "-", Q(1, 2), 3) == R(1, 4)
    assert score_one_sided_limit(op, Q(1, 2), "+", Q(1, 2), 3) == R(3, 2)
    assert score_one_sided_limit(op, Q(1, 2), "up", Q(1, 2), 3) is None
    assert score_one_sided_limit(library.topk, Q(1, 2), "+", Q(1), 3) is None


@pytest.mark.parametrize("expr,sign", [
    (sp.sqrt(2) - R(141, 100), 1),
    (sp.pi - R(22, 7), -1),
    (sp.Integer(0), 0),
    (sp.sqrt(2) ** 2 - 2, 0),
    (sp.log(R(1, 2)), -1),
    (sp.exp(R(1, 10**6)) - 1, 1),
])
def test_limits_sign_of_closed_form_numbers(expr, sign):
    assert sign_of(expr) == sign


def test_limits_sign_of_gives_none_when_not_real_or_too_close_to_zero_for_the_precision():
    assert sign_of(sp.log(sp.Integer(-1))) is None
    pi_300 = R(int(sp.floor(sp.pi * 2**300)), 2**300)  # pi rounded down at 300 bits: 0 < pi - pi_300 < 2**-300
    assert sign_of(sp.pi - pi_300) is None  # the default 256 bits cannot separate it from 0
    assert sign_of(sp.pi - pi_300, prec=512) == 1


# -- vector_T_limit: the path an algorithm takes near the end of the T-axis (issue 14, item 3) --------


def _switch_at_1000(p, T, ar):
    """Temperature scaling below T = 1000, p itself above: the hot limit is p."""
    if ar.gt(ar.num(1) / T, ar.num(Q(1, 1000))):
        return _softened(p, T, ar)
    return renormalised_p(p, T, ar)


def _oscillating(p, T, ar):
    """Which path is taken as T -> 0+ or oo is not eventually one: sin(1/T) and sin(T) change sign forever."""
    if ar.gt(ar.func("sin", ar.num(1) / T) * ar.func("sin", T), ar.num(0)):
        return _softened(p, T, ar)
    return renormalised_p(p, T, ar)


def test_vector_T_limit_of_algorithms_exact_at_both_ends():
    from skd.operators import vector
    from skd.verify.limits import vector_T_limit

    soft = vector(_softened, name="soft", definition="p^(1/T) renormalised", sizes=(2, 3))
    P = [Q(1, 2), Q(3, 10), Q(1, 5)]
    assert vector_T_limit(soft, P, "cold") == [1, 0, 0]
    assert vector_T_limit(soft, P, "hot") == [sp.Rational(1, 3)] * 3
    assert vector_T_limit(soft, [Q(2, 5), Q(2, 5), Q(1, 5)], "cold") == [sp.Rational(1, 2), sp.Rational(1, 2), 0]
    # the built-in's algorithm, not its declared limit function: top-2 keeps the two largest
    assert vector_T_limit(library.topk, P, "hot") == [sp.Rational(1, 2), sp.Rational(1, 2), 0]
    # sparsemax: piecewise in 1/T, the support shrinking to argmax p as T -> 0+
    assert vector_T_limit(library.sparsemax, P, "cold") == [1, 0, 0]
    assert vector_T_limit(library.sparsemax, P, "hot") == [sp.Rational(1, 3)] * 3
    switch = vector(_switch_at_1000, name="switch", definition="p above T = 1000", sizes=(2, 3))
    assert vector_T_limit(switch, P, "hot") == [sp.Rational(1, 2), sp.Rational(3, 10), sp.Rational(1, 5)]
    assert vector_T_limit(switch, P, "cold") == [1, 0, 0]


def test_vector_T_limit_is_none_where_the_path_near_the_end_is_not_established():
    from skd.operators import vector
    from skd.verify.limits import vector_T_limit

    osc = vector(_oscillating, name="osc", definition="a branch on sin(1/T) sin(T)", sizes=(2,))
    assert vector_T_limit(osc, [Q(7, 10), Q(3, 10)], "cold") is None
    assert vector_T_limit(osc, [Q(7, 10), Q(3, 10)], "hot") is None
    assert vector_T_limit(library.power, [Q(7, 10), Q(3, 10)], "cold") is None  # separable: not this function's


def test_refute_user_vector_limit_through_the_path_near_the_end_and_recheck():
    """A user's algorithm without a declared limit function: a false hot limit is refuted with an
    exact counterexample (the path above T = 1000 returns p); the true cold limit is not."""
    from skd.operators import vector
    from skd.verify.recheck import recheck_counterexample
    from skd.verify.refute import SearchLog, refute
    from skd.verify.verdict import Counterexample

    switch = vector(_switch_at_1000, name="switch", definition="p above T = 1000", sizes=(2, 3))
    ce = refute(switch, "boundary_hot", seconds=20)
    assert isinstance(ce, Counterexample), getattr(ce, "summary", ce)
    assert "symbolic execution at p" in ce.certified_by and ce.T == "oo"
    ok, why = recheck_counterexample(switch, "boundary_hot", ce)
    assert ok, why
    log = refute(switch, "boundary_cold", seconds=5)
    assert isinstance(log, SearchLog) and log.supported


@pytest.mark.parametrize("text, rewritten", [
    ("(3/10)**(1/T)/((3/10)**(1/T) + (1/2)**(1/T))", True),
    ("1/(2**(1/T)*((3/10)**(1/T) + (1/5)**(1/T) + (1/2)**(1/T)))", True),  # 2**(-1/T): a negative exponent
    ("(7/10)**(1/T)*(1 - 1/(T + 1))/((3/10)**(1/T) + (7/10)**(1/T)) + 1/(2*(T + 1))", True),
    ("(1/3)**(2/T)/((1/3)**(2/T) + (1/4)**(1/T))", False),  # two exponents: no common scale cancels
    ("5**(-1/T)/(5**(-1/T) + 3**(1/T))", True),
    ("3**(1/T)/(1 + 3**(1/T))", False),  # 1 is not a power: the scale 3**(1/T) stays
])
def test_by_dominant_powers_is_the_same_function(text, rewritten):
    """The rewrite behind vector_T_limit's 0/0 forms changes the form, never the value: equal to the
    expression at T = 1/7, 1, 3/2, 40 in 50 digits; None exactly where the scale does not cancel."""
    import mpmath

    from skd.operators.symbols import T
    from skd.verify.limits import _by_dominant_powers

    e = sp.sympify(text, locals={"T": T})  # test-only literal text
    out = _by_dominant_powers(e, T)
    assert (out is not None) == rewritten, out
    if out is None:
        return
    assert not out.free_symbols - {T}
    for t in (sp.Rational(1, 7), sp.Integer(1), sp.Rational(3, 2), sp.Integer(40)):
        a, b = sp.N(e.subs(T, t), 50), sp.N(out.subs(T, t), 50)
        assert abs(a - b) <= mpmath.mpf(10) ** -40 * max(1, abs(a)), (text, t, a, b)


def test_limits_a_large_exponent_never_raises_a_probability_to_its_power():
    """``x**(1000/T)`` at ``p = (1000001, 1000002)/2000003``: the ratio of the two scores used to go
    through ``powsimp``, which wrote ``(a/b)**(1000/T)`` as ``((a/b)**1000)**(1/T)`` and tested a
    rational of ~6000 digits for primality (15 s of one 0.1 s refuter attack in the corpus). The
    powers are merged without raising any number to a power: no rational in the ratio grows."""
    from skd.verify.limits import _combined_powers

    a, b = sp.Rational(1000001, 2000003), sp.Rational(1000002, 2000003)
    T = sp.Symbol("T", positive=True)
    ratio = _combined_powers(a ** (1000 / T) / b ** (1000 / T))
    assert ratio == (a / b) ** (1000 / T)
    assert max(max(abs(r.p), r.q) for r in ratio.atoms(sp.Rational)) < 10**7
    P = [Q(1000001, 2000003), Q(1000002, 2000003)]
    assert separable_T_limit(separable("x**(1000/T)"), P, "cold") == [0, 1]
    assert separable_T_limit(separable("x**(1000/T)"), P, "hot") == [R(1, 2)] * 2
