"""The certifier's hybrid number type (:mod:`skd.verify.hybrid`): :class:`XV` stays an exact
``Fraction`` wherever the result is rational and becomes an Arb ball otherwise; comparisons are
exact or certain and raise ``Undecided`` when balls overlap; :class:`HybridArith` runs the
operators' evaluators unchanged (checked against the 50-digit mpmath reference); the exact-input
helpers (:func:`frac`, :func:`exact_values`, :func:`note`) and the typed dismissal notes.
"""

from __future__ import annotations

import logging
from fractions import Fraction as Q

import flint
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from skd.operators import Param, library, separable
from skd.operators.arith import Arith, Undecided
from skd.operators.errors import NotWellDefined
from skd.operators.evaluate import evaluate_in, evaluate_mp
from skd.verify.hybrid import (
    EXACT_BITS,
    XV,
    Dismissal,
    ExactZeroDivision,
    HoldsNote,
    HybridArith,
    UndefinedNote,
    exact_values,
    frac,
    lift,
    note,
)

AR = HybridArith(128)
fractions = st.fractions(min_value=-100, max_value=100, max_denominator=1000)


@settings(max_examples=60, deadline=None)
@given(fractions, fractions, st.integers(-5, 5))
def test_hybrid_rational_arithmetic_stays_exact(a, b, n):
    x, y = XV(a), XV(b)
    assert (x + y).q == a + b and (x - y).q == a - b and (x * y).q == a * b
    assert (-x).q == -a and abs(x).q == abs(a)
    assert (x + 1).q == a + 1 and (1 - x).q == 1 - a and (2 * x).q == 2 * a
    if b != 0:
        assert (x / y).q == a / b and (1 / y).q == 1 / b
    if a != 0 or n > 0:
        assert (x**n).q == (a**n if n != 0 else 1)
    assert (x < y) == (a < b) and (x <= y) == (a <= b) and (x == y) == (a == b) and (x != y) == (a != b)


def test_hybrid_exact_roots_and_extrema_stay_exact():
    with AR.active():
        assert AR.sqrt(Q(9, 4)).q == Q(3, 2)
        assert AR.pow(Q(8, 27), Q(1, 3)).q == Q(2, 3)
        assert AR.pow(Q(4, 9), Q(-1, 2)).q == Q(3, 2)
        assert AR.exp(0).q == 1 and AR.log(1).q == 0
        assert AR.max(Q(1, 3), Q(1, 2)).q == Q(1, 2) and AR.min(Q(1, 3), Q(1, 2)).q == Q(1, 3)
        assert AR.func("sin", 0).q == 0 and AR.func("cos", 0).q == 1


def test_hybrid_irrational_operations_fall_back_to_balls():
    with AR.active():
        values = [AR.sqrt(2), AR.pow(Q(2), Q(1, 3)), AR.log(2), AR.exp(1), AR.func("sin", 1), AR.pi, AR.e]
        for v in values:
            assert not v.exact and v.q is None
            assert v.ball.rad() < flint.arb(2) ** -100
        s2 = AR.sqrt(2)
        assert s2.ball.overlaps(flint.arb("1.41421356237309504880168872420969807856967187537694", "1e-45"))
        assert not (s2 + Q(1)).exact and not (s2 * s2).exact
        assert (s2 * 0).q == 0  # an exact zero factor stays exact


def test_hybrid_huge_rationals_become_balls():
    assert XV(Q(2) ** (EXACT_BITS - 1)).exact and XV(Q(1, 2 ** (EXACT_BITS - 1))).exact  # EXACT_BITS bits
    for big in (Q(2) ** EXACT_BITS, Q(1, 2**EXACT_BITS), Q(3, 2**EXACT_BITS + 1)):
        v = XV(big)
        assert not v.exact and v.ball.contains(flint.fmpq(big.numerator, big.denominator))
    with AR.active():
        assert not (XV(Q(2) ** (EXACT_BITS - 1)) * 2).exact  # a product past the limit


def test_hybrid_comparisons_of_separated_balls_decide():
    with AR.active():
        s2 = AR.sqrt(2)
        assert s2 > Q(141, 100) and s2 < Q(142, 100) and s2 >= 1 and s2 != Q(3, 2)
        assert AR.gt(s2, Q(7, 5)) and AR.ge(Q(3, 2), s2)
        assert bool(s2)


def test_hybrid_comparisons_of_overlapping_balls_raise_undecided():
    with AR.active():
        two = AR.sqrt(2) * AR.sqrt(2)
        for cmp in (lambda: two == 2, lambda: two > 2, lambda: two < 2, lambda: two <= 2, lambda: two >= 2,
                    lambda: AR.gt(two, 2)):
            with pytest.raises(Undecided):
                cmp()
        tiny = XV(b=flint.arb(0, 1e-10))
        for op in (lambda: bool(tiny), lambda: Q(1) / tiny, lambda: AR.sqrt(tiny), lambda: AR.log(tiny)):
            with pytest.raises(Undecided):
                op()
        assert not AR.max(tiny, XV(Q(0))).exact  # an undecided max is the ball max, not a guess


def test_hybrid_strict_mode_refuses_comparisons_of_equal_values():
    strict = HybridArith(64, strict=True)
    with pytest.raises(Undecided):
        strict.gt(Q(1), Q(1))
    with pytest.raises(Undecided):
        strict.ge(Q(1, 2), Q(1, 2))
    assert strict.gt(Q(2), Q(1)) and not strict.ge(Q(1), Q(2))
    assert HybridArith(64).ge(Q(1), Q(1))


def test_hybrid_certain_failures_are_not_undecided():
    with pytest.raises(ExactZeroDivision):
        XV(Q(1)) / 0
    assert issubclass(ExactZeroDivision, ZeroDivisionError)
    with AR.active():
        with pytest.raises(NotWellDefined):
            AR.sqrt(Q(-1))
        with pytest.raises(NotWellDefined):
            AR.log(Q(0))
        with pytest.raises(NotWellDefined):
            AR.pow(Q(-2), Q(1, 2))
        with pytest.raises(NotWellDefined):
            AR.func("asin", Q(2))


def test_hybrid_lift_accepts_numbers_and_refuses_the_rest():
    assert lift(Q(1, 2)).q == Q(1, 2) and lift(3).q == 3 and lift(0.5).q == Q(1, 2)
    assert lift(sp.Rational(2, 7)).q == Q(2, 7) and lift(flint.fmpq(1, 3)).q == Q(1, 3)
    for bad in (True, "1/2", None):
        with pytest.raises(TypeError):
            lift(bad)
    with pytest.raises(TypeError):
        XV(Q(1)) < "a"  # noqa: B015 - the comparison is what raises


def test_hybrid_arith_implements_the_arith_protocol():
    assert isinstance(AR, Arith) and AR.name == "hybrid"
    for name in ("num", "log", "exp", "sqrt", "pow", "gt", "ge", "max", "min", "is_zero", "func"):
        assert getattr(type(AR), name) is not getattr(Arith, name), name
    assert AR.is_zero(Q(0)) and not AR.is_zero(Q(1, 10**9))


@pytest.mark.parametrize("op", [library.power, library.hybrid, library.mixture, library.laplace, library.topk,
                                library.sparsemax, library.entmax15], ids=lambda op: op.name)
@pytest.mark.parametrize("P,T", [((Q(7, 10), Q(2, 10), Q(1, 10)), Q(1, 2)), ((Q(7, 10), Q(2, 10), Q(1, 10)), Q(3)),
                                 ((Q(1, 2), Q(1, 4), Q(1, 8), Q(1, 8)), Q(1))])
def test_hybrid_arith_runs_evaluate_in_and_encloses_evaluate_mp(op, P, T):
    with AR.active():
        out = evaluate_in(op, P, T, AR)
    ref = evaluate_mp(op, P, T)
    assert len(out) == len(ref)
    for v, r in zip(out, ref, strict=True):
        assert isinstance(v, XV)
        if v.exact:
            assert abs(float(v.q) - float(r)) < 1e-40 or v.q == 0 and r == 0
        else:
            assert v.ball.overlaps(flint.arb(str(r), "1e-45"))


def test_hybrid_arith_keeps_power_at_rational_exponents_exact():
    P = (Q(7, 10), Q(2, 10), Q(1, 10))
    with AR.active():
        out = evaluate_in(library.power, P, Q(1, 2), AR)
    s = sum(p * p for p in P)
    assert [v.q for v in out] == [p * p / s for p in P]


def test_hybrid_frac_accepts_exact_inputs():
    assert frac(Q(1, 2)) == Q(1, 2)
    assert frac(3) == Q(3) and isinstance(frac(3), Q)
    assert frac(sp.Rational(2, 7)) == Q(2, 7)
    assert frac("3/4") == Q(3, 4) and frac(" -1/2 ") == Q(-1, 2)


@pytest.mark.parametrize("bad", [0.5, 1.0, True, None, [1], 1j])
def test_hybrid_frac_refuses_floats_and_non_numbers(bad):
    with pytest.raises(TypeError):
        frac(bad)


def test_hybrid_exact_values_checks_the_parameters():
    op = separable("x**(a/T)", params=[Param("a", lower=0, lower_closed=False)], name="pa")
    assert exact_values(op, {"a": "1/2"}, None) == {"a": Q(1, 2)}
    notes: list[str] = []
    assert exact_values(op, {"a": -1}, notes) is None and "outside its domain" in notes[0]
    with pytest.raises(KeyError, match="free parameter"):
        exact_values(op, {}, None)
    with pytest.raises(KeyError, match="no parameters"):
        exact_values(op, {"a": 1, "b": 2}, None)
    assert exact_values(library.power, None, None) == {}


def test_hybrid_note_appends_and_logs(caplog):
    notes: list[str] = []
    with caplog.at_level(logging.DEBUG, logger="skd.verify.certify"):
        assert note(notes, "why not") is None
        note(None, "nowhere to put it")
    assert notes == ["why not"]
    assert [r.getMessage() for r in caplog.records] == ["why not", "nowhere to put it"]


def test_hybrid_dismissal_notes_are_str_subclasses():
    assert issubclass(Dismissal, str)
    assert issubclass(HoldsNote, Dismissal) and issubclass(UndefinedNote, Dismissal)
    h, u = HoldsNote("holds: 1 > 0"), UndefinedNote("F undefined")
    assert h == "holds: 1 > 0" and isinstance(h, str) and isinstance(h, Dismissal)
    assert isinstance(u, Dismissal) and not isinstance(u, HoldsNote)
    assert not isinstance("plain", Dismissal)
