"""Exact SymPy arithmetic for the exact algorithms of the operators (used by the ``access`` topic).

:class:`SymArith` runs :func:`~skd.operators.evaluate.evaluate_in` on exact SymPy numbers: the
vector algorithms then give exact values, and a comparison is decided exactly or by an Arb ball.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import sympy as sp

from skd.operators.arith import ArbArith, Arith, Undecided
from skd.operators.errors import NotWellDefined
from skd.operators.evaluate import eval_expr

__all__ = ["SymArith"]


class SymArith(Arith):
    """Exact SymPy numbers; a comparison is decided exactly (rationals) or by an Arb enclosure.

    A comparison whose enclosure contains 0 is decided only if :func:`sympy.simplify` reduces the
    difference to 0; otherwise it raises :class:`~skd.operators.arith.Undecided` (never a guess).

    >>> ar = SymArith()
    >>> ar.pow(ar.num(Fraction(1, 4)), ar.num(Fraction(1, 2)))
    1/2
    >>> ar.gt(ar.log(ar.num(3)), ar.num(1))
    True
    """

    name = "sympy"

    def __init__(self, prec: int = 256) -> None:
        self.arb = ArbArith(prec)

    def num(self, v: Any) -> Any:
        if isinstance(v, sp.Basic):
            return v
        if isinstance(v, bool):
            raise TypeError("not a number")
        if isinstance(v, int):
            return sp.Integer(v)
        f = Fraction(v)
        return sp.Rational(f.numerator, f.denominator)

    def ball(self, a: Any) -> Any:
        """A rigorous Arb enclosure of the exact number ``a``."""
        return eval_expr(sp.sympify(a), {}, self.arb)  # safe: a is a SymPy number built here

    def sign(self, d: Any) -> int:
        d = sp.sympify(d)  # safe: SymPy number
        if d.is_Rational:
            return int(bool(d > 0)) - int(bool(d < 0))
        try:
            b = self.ball(d)
            if b > 0:
                return 1
            if b < 0:
                return -1
        except (Undecided, NotWellDefined, TypeError, ValueError):
            pass
        if sp.simplify(d) == 0:
            return 0
        raise Undecided(f"cannot decide the sign of {d}")

    def nonzero(self, d: Any) -> bool:
        """True only if ``d`` is certainly non-zero (exactly, or by an Arb ball excluding 0); no simplify."""
        d = sp.sympify(d)  # safe: SymPy number
        if d.is_Rational:
            return bool(d != 0)
        try:
            b = self.ball(d)
        except (Undecided, NotWellDefined, TypeError, ValueError):
            return False
        return bool(b > 0 or b < 0)

    def log(self, a: Any) -> Any:
        if self.sign(a) <= 0:
            raise Undecided("log of a non-positive number")
        return sp.log(a)

    def exp(self, a: Any) -> Any:
        return sp.exp(a)

    def sqrt(self, a: Any) -> Any:
        if self.sign(a) < 0:
            raise Undecided("sqrt of a negative number")
        return sp.sqrt(a)

    def pow(self, a: Any, b: Any) -> Any:
        sa = self.sign(a)
        if sa == 0:
            if self.sign(b) > 0:
                return sp.Integer(0)
            raise Undecided("0 to a non-positive power")
        if sa < 0 and sp.sympify(b).is_integer is not True:  # safe: b is a number built by the algorithm, never user text
            raise Undecided("power of a negative number")
        return sp.Pow(a, b)

    def gt(self, a: Any, b: Any) -> bool:
        return self.sign(a - b) > 0

    def ge(self, a: Any, b: Any) -> bool:
        return self.sign(a - b) >= 0

    def is_zero(self, a: Any) -> bool:
        d = sp.sympify(a)  # safe: SymPy number
        return bool(d == 0 or (not d.is_Rational and sp.simplify(d) == 0))

    def func(self, name: str, a: Any) -> Any:
        return getattr(sp, name)(a)

    @property
    def pi(self) -> Any:
        return sp.pi
