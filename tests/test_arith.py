"""The arithmetics of :mod:`skd.operators.arith`: floats, mpmath and rigorous Arb balls.

The Arb enclosures are confronted with mpmath at 80 digits (the ball's exact ends must bracket
the reference); the ball comparisons must refuse (``Undecided``) rather than guess; the domain
errors (log/sqrt/power of negatives, asin outside [-1, 1]) are ``NotWellDefined``.
"""

from __future__ import annotations

import math
from fractions import Fraction as Q
from typing import Any

import flint
import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skd.operators.arith import ArbArith, Arith, FloatArith, MpArith, Undecided
from skd.operators.errors import NotWellDefined

REF = mpmath.MPContext()
REF.dps = 80


def _exact(b: Any) -> Any:
    """An exact arb (a ball end) as an mpmath number at the reference precision."""
    man, exp = b.man_exp()
    return REF.ldexp(REF.mpf(int(man)), int(exp))


def _encloses(ball: Any, value: Any) -> bool:
    return bool(_exact(ball.lower()) <= value <= _exact(ball.upper()))


def _mq(q: Q) -> Any:
    return REF.mpf(q.numerator) / q.denominator


positive = st.fractions(min_value=Q(1, 10**6), max_value=Q(10**6)).filter(lambda q: q > 0)
moderate = st.fractions(min_value=Q(-20), max_value=Q(20), max_denominator=10**4)


# -- Arb: enclosures -------------------------------------------------------------------------


@given(positive)
def test_arith_arb_log_sqrt_and_exp_enclose_the_true_values(q: Q) -> None:
    ar = ArbArith(prec=120)
    a = ar.num(q)
    assert _encloses(a, _mq(q))
    assert _encloses(ar.log(a), REF.log(_mq(q)))
    assert _encloses(ar.sqrt(a), REF.sqrt(_mq(q)))
    small = ar.num(Q(q.numerator % 50, q.denominator))
    assert _encloses(ar.exp(small), REF.exp(_mq(Q(q.numerator % 50, q.denominator))))


@given(positive, moderate)
def test_arith_arb_pow_encloses_the_true_value(a: Q, b: Q) -> None:
    ar = ArbArith(prec=120)
    ball = ar.pow(ar.num(a), ar.num(b))
    assert _encloses(ball, REF.power(_mq(a), _mq(b)))


@pytest.mark.parametrize("name", ["tanh", "sinh", "cosh", "sin", "cos", "tan", "atan", "asin", "acos", "erf"])
def test_arith_arb_named_functions_enclose_mpmath(name: str) -> None:
    ar = ArbArith(prec=120)
    for q in (Q(-3, 7), Q(1, 3), Q(9, 10)):
        assert _encloses(ar.func(name, ar.num(q)), getattr(REF, name)(_mq(q))), (name, q)


def test_arith_arb_pi_and_e_enclose_the_constants() -> None:
    ar = ArbArith(prec=150)
    assert _encloses(ar.pi, REF.pi)
    assert _encloses(ar.e, REF.e)


def test_arith_arb_float_input_is_taken_exactly() -> None:
    ar = ArbArith(prec=64)
    ball = ar.num(0.1)  # the binary double nearest 1/10, not 1/10 itself
    assert ball.is_exact()
    assert _exact(ball) == REF.mpf(Q(0.1).numerator) / Q(0.1).denominator
    assert _exact(ball) != REF.mpf(1) / 10


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_arith_arb_non_finite_float_is_rejected(bad: float) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        ArbArith().num(bad)


def test_arith_arb_uses_its_own_precision_whatever_the_global_context() -> None:
    old = flint.ctx.prec
    try:
        flint.ctx.prec = 20
        ball = ArbArith(prec=300).log(ArbArith(prec=300).num(Q(1, 3)))
        assert ball.rad() < flint.arb(2) ** -280
        flint.ctx.prec = 20
        coarse = ArbArith(prec=30).num(Q(1, 3))
        assert coarse.rad() > flint.arb(2) ** -40
    finally:
        flint.ctx.prec = old


def test_arith_arb_max_and_min_enclose_the_true_extrema_of_overlapping_balls() -> None:
    ar = ArbArith(prec=100)
    a, b = ar.num(Q(1, 2)), flint.arb("0.5 +/- 0.125")  # b holds every value in [3/8, 5/8]
    hi, lo = ar.max(a, b), ar.min(a, b)  # the base class would have to decide a >= b: Undecided
    for v in (Q(3, 8), Q(1, 2), Q(5, 8)):
        assert _encloses(hi, _mq(max(Q(1, 2), v)))
        assert _encloses(lo, _mq(min(Q(1, 2), v)))


# -- Arb: undecidable comparisons raise, decidable ones answer -------------------------------


def test_arith_arb_comparisons_of_separated_balls_are_decided_both_ways() -> None:
    ar = ArbArith(prec=200)
    a, b = ar.num(Q(1, 3)), ar.num(Q(1, 3) + Q(1, 10**40))
    assert ar.gt(b, a) is True and ar.gt(a, b) is False
    assert ar.ge(b, a) is True and ar.ge(a, b) is False


def test_arith_arb_ge_of_equal_exact_numbers_is_true() -> None:
    ar = ArbArith()
    assert ar.ge(ar.num(Q(1, 2)), ar.num(Q(2, 4))) is True


@pytest.mark.parametrize("method", ["gt", "ge"])
def test_arith_arb_overlapping_balls_raise_undecided_naming_the_precision(method: str) -> None:
    ar = ArbArith(prec=90)
    third = ar.num(Q(1, 3))  # an inexact ball: equal to itself cannot be decided
    with pytest.raises(Undecided, match="at 90 bits"):
        getattr(ar, method)(third, third)


def test_arith_arb_limited_precision_cannot_separate_close_numbers() -> None:
    a, b = Q(1, 3), Q(1, 3) + Q(1, 10**60)
    with pytest.raises(Undecided):
        low = ArbArith(prec=53)
        low.gt(low.exp(low.num(b)), low.exp(low.num(a)))
    high = ArbArith(prec=400)
    assert high.gt(high.exp(high.num(b)), high.exp(high.num(a)))


def test_arith_arb_is_zero_only_for_a_certain_zero() -> None:
    """True only for a certain zero, False only for a ball without 0; a ball that contains 0
    (and is not exactly 0) is undecided — before 2026-12-07 it answered False, a guess."""
    ar = ArbArith()
    assert ar.is_zero(ar.num(0))
    with pytest.raises(Undecided):
        ar.is_zero(flint.arb("0 +/- 1e-30"))
    assert not ar.is_zero(ar.num(Q(1, 10**30)))


# -- Arb: domain errors ----------------------------------------------------------------------


def test_arith_arb_log_of_zero_is_not_well_defined() -> None:
    ar = ArbArith()
    with pytest.raises(NotWellDefined, match="log of zero"):
        ar.log(ar.num(0))


def test_arith_arb_log_of_a_negative_is_not_well_defined() -> None:
    ar = ArbArith()
    with pytest.raises(NotWellDefined, match="not real"):
        ar.log(ar.num(Q(-1, 2)))


@pytest.mark.parametrize("method", ["log", "sqrt"])
def test_arith_arb_log_and_sqrt_of_a_ball_straddling_zero_are_undecided(method: str) -> None:
    ar = ArbArith()
    with pytest.raises(Undecided):
        getattr(ar, method)(flint.arb("0 +/- 1e-20"))


def test_arith_arb_sqrt_of_a_negative_is_not_well_defined_and_of_zero_is_zero() -> None:
    ar = ArbArith()
    with pytest.raises(NotWellDefined, match="sqrt"):
        ar.sqrt(ar.num(-1))
    assert ar.is_zero(ar.sqrt(ar.num(0)))


def test_arith_arb_pow_at_zero_base() -> None:
    ar = ArbArith()
    assert ar.is_zero(ar.pow(ar.num(0), ar.num(Q(1, 3))))
    for b in (0, -1):
        with pytest.raises(Undecided, match="non-positive power"):
            ar.pow(ar.num(0), ar.num(b))


def test_arith_arb_pow_of_a_negative_base() -> None:
    ar = ArbArith()
    assert ar.pow(ar.num(-2), ar.num(3)) == ar.num(-8)  # integer exponent: exact and real
    with pytest.raises(NotWellDefined, match="non-integer power"):
        ar.pow(ar.num(-2), ar.num(Q(1, 2)))
    with pytest.raises(Undecided):
        ar.pow(flint.arb("0 +/- 0.1"), ar.num(Q(1, 2)))  # base not certainly positive or zero


def test_arith_arb_pow_with_an_exact_integer_exponent_is_exact() -> None:
    ar = ArbArith()
    out = ar.pow(ar.num(Q(3, 2)), ar.num(4))
    assert out.is_exact() and out == ar.num(Q(81, 16))


@pytest.mark.parametrize("name", ["asin", "acos"])
def test_arith_arb_asin_acos_outside_unit_interval_are_not_well_defined(name: str) -> None:
    ar = ArbArith()
    with pytest.raises(NotWellDefined, match=name):
        ar.func(name, ar.num(Q(3, 2)))


# -- floats and mpmath -----------------------------------------------------------------------


def test_arith_float_edge_values_are_ieee_like() -> None:
    ar = FloatArith()
    assert ar.log(0.0) == -math.inf
    assert ar.exp(1000.0) == math.inf
    assert ar.pow(0.0, 2.0) == 0.0 and ar.pow(0.0, 0.0) == 1.0 and ar.pow(0.0, -1.0) == math.inf
    assert ar.pow(1e300, 2.0) == math.inf
    assert ar.num(Q(1, 4)) == 0.25 and ar.pi == math.pi and ar.e == math.e
    assert ar.func("tanh", 0.5) == math.tanh(0.5)


def test_arith_mp_zero_and_log_edges_match_the_float_arithmetic() -> None:
    ar = MpArith(30)
    assert ar.log(ar.num(0)) == ar.ctx.ninf
    assert ar.pow(ar.num(0), ar.num(2)) == 0 and ar.pow(ar.num(0), ar.num(0)) == 1
    assert ar.pow(ar.num(0), ar.num(-1)) == ar.ctx.inf
    assert ar.is_zero(ar.num(0)) and not ar.is_zero(ar.num(Q(1, 10**40)))


def test_arith_mp_works_at_its_own_precision_and_leaves_the_global_mpmath_alone() -> None:
    before = mpmath.mp.dps
    ar = MpArith(60)
    third = ar.num(Q(1, 3))
    assert abs(third - REF.mpf(1) / 3) < REF.mpf(10) ** -58
    assert abs(ar.pi - REF.pi) < REF.mpf(10) ** -58
    assert abs(MpArith(10).num(Q(1, 3)) - REF.mpf(1) / 3) > REF.mpf(10) ** -20
    assert mpmath.mp.dps == before


def test_arith_mp_fraction_input_is_divided_at_full_precision() -> None:
    ar = MpArith(50)
    q = Q(10**30 + 1, 3)  # the numerator is not representable as a double
    assert abs(ar.num(q) * 3 - (10**30 + 1)) < REF.mpf(10) ** -15


# -- the interface ---------------------------------------------------------------------------


def test_arith_base_max_and_min_are_built_on_ge_with_ties_max_first_min_second() -> None:
    class ListArith(Arith):
        def ge(self, u: Any, v: Any) -> bool:
            return bool(u[0] >= v[0])

    la = ListArith()
    a, b, small = [1.0], [1.0], [0.0]  # a == b in value, distinct objects: which one comes back?
    assert la.max(a, b) is a and la.min(a, b) is b
    assert la.max(small, b) is b and la.min(small, b) is small
    assert FloatArith().max(1.0, 2.0) == 2.0 and FloatArith().min(1.0, 2.0) == 1.0


@pytest.mark.parametrize("method, args", [("num", (1,)), ("log", (1,)), ("exp", (1,)), ("sqrt", (1,)), ("pow", (1, 1)),
                                          ("gt", (1, 1)), ("ge", (1, 1)), ("is_zero", (1,)), ("func", ("sin", 1))])
def test_arith_abstract_primitives_raise_not_implemented(method: str, args: tuple[Any, ...]) -> None:
    with pytest.raises(NotImplementedError):
        getattr(Arith(), method)(*args)


def test_arith_names_identify_the_number_system() -> None:
    assert [FloatArith.name, MpArith.name, ArbArith.name] == ["float", "mpmath", "arb"]


def test_float_arith_log_of_zero_is_minus_infinity_and_of_a_negative_number_nan() -> None:
    """A past miss of the refuter (found by the vector fuzz): FloatArith.log returned -inf for a
    negative argument, which a later exp turned into a valid-looking 0, so the candidate search
    never saw ``log(-0.05)``. Now NaN, and the refuter certifies the failure exactly."""
    import math

    from skd.operators.arith import FloatArith
    from skd.verify.refute import refute
    from skd.verify.strategies import vector_operator_from_definition

    ar = FloatArith()
    assert ar.log(0.0) == -math.inf and math.isnan(ar.log(-0.05)) and ar.log(1.0) == 0.0
    op = vector_operator_from_definition("w = p; w = w - 1/10; w = log(w)/T; w = exp(w - w[first]); w = w/sum(w)")
    ce = refute(op, "well_defined", seconds=5)
    assert type(ce).__name__ == "Counterexample" and "not real" in ce.statement, ce


def test_arb_is_zero_never_guesses_for_a_ball_that_contains_zero():
    """``ArbArith.is_zero`` answered False for ``sqrt(2)**2 - 2`` (a ball around 0 that is not
    exactly 0), so an algorithm branching on ``ar.is_zero`` could be evaluated on the wrong branch
    in a certificate; it is undecided now, and exact 0 / a ball without 0 still decide."""
    import flint

    from skd.operators.arith import ArbArith, Undecided

    ar = ArbArith(128)
    assert ar.is_zero(flint.arb(0)) is True and ar.is_zero(flint.arb(1) / 3) is False
    with pytest.raises(Undecided):
        ar.is_zero(flint.arb(2).sqrt() ** 2 - 2)


def test_the_strict_hybrid_arithmetic_refuses_a_zero_test_of_a_zero_value():
    """Theorem V.3's proviso: near a value that is 0 the test ``is_zero`` may go either way."""
    from fractions import Fraction

    from skd.operators.arith import Undecided
    from skd.verify.hybrid import HybridArith

    assert HybridArith(128).is_zero(Fraction(0)) is True
    assert HybridArith(128, strict=True).is_zero(Fraction(1, 3)) is False
    with pytest.raises(Undecided):
        HybridArith(128, strict=True).is_zero(Fraction(0))
