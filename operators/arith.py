"""Arithmetics: one algorithm, several number systems.

Vector operators and the SymPy-expression evaluator are written once against the small
interface below and run in

* :class:`FloatArith` — Python floats (fast, for exploration),
* :class:`MpArith` — mpmath at a chosen number of digits (the 50-digit reference),
* :class:`ArbArith` — python-flint Arb balls (rigorous enclosures for certificates).

Inputs (entries of ``p``, the temperature) are exact rationals (:class:`fractions.Fraction`)
or floats, and comparisons *of inputs* are done exactly by the algorithm itself. Comparisons
of derived values go through :meth:`Arith.gt` / :meth:`Arith.ge`, which in ball arithmetic
raise :class:`Undecided` when the balls overlap instead of guessing.

>>> from fractions import Fraction
>>> ar = ArbArith(prec=200)
>>> third = ar.num(Fraction(1, 3))
>>> ar.gt(third, ar.num(Fraction(1, 4)))
True
>>> ar.gt(third, third)
Traceback (most recent call last):
...
skd.operators.arith.Undecided: cannot decide [0.333333333333333 +/- ...] > [0.333333333333333 +/- ...] at 200 bits
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath

from .errors import NotWellDefined, SkdError

__all__ = ["Undecided", "Arith", "FloatArith", "MpArith", "ArbArith", "ExactValue"]

ExactValue = Fraction | int | float


class Undecided(SkdError, ArithmeticError):
    """A comparison of balls that overlap: the arithmetic cannot decide it."""


class Arith:
    """Interface every arithmetic implements. Subclasses override the primitives."""

    name = "abstract"

    def num(self, v: ExactValue) -> Any:
        raise NotImplementedError

    def log(self, a: Any) -> Any:
        raise NotImplementedError

    def exp(self, a: Any) -> Any:
        raise NotImplementedError

    def sqrt(self, a: Any) -> Any:
        raise NotImplementedError

    def pow(self, a: Any, b: Any) -> Any:
        """``a ** b`` for ``a >= 0``; ``0 ** b = 0`` for ``b > 0``."""
        raise NotImplementedError

    def gt(self, a: Any, b: Any) -> bool:
        raise NotImplementedError

    def ge(self, a: Any, b: Any) -> bool:
        raise NotImplementedError

    def max(self, a: Any, b: Any) -> Any:
        return a if self.ge(a, b) else b

    def min(self, a: Any, b: Any) -> Any:
        return b if self.ge(a, b) else a

    def is_zero(self, a: Any) -> bool:
        """True only if ``a`` is certainly zero."""
        raise NotImplementedError

    def func(self, name: str, a: Any) -> Any:
        """Named elementary functions (``tanh``, ``sin``, ...)."""
        raise NotImplementedError

    @property
    def pi(self) -> Any:
        raise NotImplementedError

    @property
    def e(self) -> Any:
        return self.exp(self.num(1))


class FloatArith(Arith):
    """Python floats. Not rigorous: for exploration and tests of algorithms."""

    name = "float"

    def num(self, v: ExactValue) -> float:
        return float(v)

    def log(self, a: float) -> float:
        # log 0 = -inf (a zero entry of the closed simplex: exp(log 0 / T) = 0); the log of a
        # negative number is NaN, never -inf (which exp would turn into a harmless-looking 0)
        return math.log(a) if a > 0 else (-math.inf if a == 0 else math.nan)

    def exp(self, a: float) -> float:
        try:
            return math.exp(a)
        except OverflowError:
            return math.inf

    def sqrt(self, a: float) -> float:
        return math.sqrt(a)

    def pow(self, a: float, b: float) -> float:
        if a == 0:
            return 0.0 if b > 0 else (1.0 if b == 0 else math.inf)
        try:
            return a**b
        except OverflowError:
            return math.inf

    def gt(self, a: float, b: float) -> bool:
        return a > b

    def ge(self, a: float, b: float) -> bool:
        return a >= b

    def is_zero(self, a: float) -> bool:
        return a == 0

    def func(self, name: str, a: float) -> float:
        return float(getattr(math, name)(a))

    @property
    def pi(self) -> float:
        return math.pi


class MpArith(Arith):
    """mpmath at ``dps`` decimal digits (the high-precision reference; not rigorous)."""

    name = "mpmath"

    def __init__(self, dps: int = 50) -> None:
        self.dps = dps
        self.ctx = mpmath.MPContext()
        self.ctx.dps = dps

    def num(self, v: ExactValue) -> Any:
        if isinstance(v, Fraction):
            return self.ctx.mpf(v.numerator) / v.denominator
        return self.ctx.mpf(v)

    def log(self, a: Any) -> Any:
        return self.ctx.log(a) if a > 0 else self.ctx.ninf

    def exp(self, a: Any) -> Any:
        return self.ctx.exp(a)

    def sqrt(self, a: Any) -> Any:
        return self.ctx.sqrt(a)

    def pow(self, a: Any, b: Any) -> Any:
        if a == 0:
            return self.ctx.zero if b > 0 else (self.ctx.one if b == 0 else self.ctx.inf)
        return self.ctx.power(a, b)

    def gt(self, a: Any, b: Any) -> bool:
        return bool(a > b)

    def ge(self, a: Any, b: Any) -> bool:
        return bool(a >= b)

    def is_zero(self, a: Any) -> bool:
        return a == 0

    def func(self, name: str, a: Any) -> Any:
        return getattr(self.ctx, name)(a)

    @property
    def pi(self) -> Any:
        return +self.ctx.pi


class ArbArith(Arith):
    """python-flint Arb balls at ``prec`` bits: every result encloses the true value.

    The working precision is set on flint's global context for the duration of each call, so
    callers need not manage it.
    """

    name = "arb"

    def __init__(self, prec: int = 200) -> None:
        import flint

        self.flint = flint
        self.prec = prec

    def _ctx(self) -> Any:
        ctx = self.flint.ctx
        ctx.prec = self.prec
        return ctx

    def num(self, v: ExactValue) -> Any:
        self._ctx()
        if isinstance(v, Fraction):
            return self.flint.arb(self.flint.fmpq(v.numerator, v.denominator))
        if isinstance(v, int):
            return self.flint.arb(self.flint.fmpz(v))
        if isinstance(v, float):
            if not math.isfinite(v):
                raise ValueError(f"cannot enclose non-finite {v}")
            f = Fraction(v)
            return self.flint.arb(self.flint.fmpq(f.numerator, f.denominator))
        return self.flint.arb(v)

    def log(self, a: Any) -> Any:
        self._ctx()
        if a > 0:
            return a.log()
        if a.is_zero():
            raise NotWellDefined("log of zero")
        if a < 0:
            raise NotWellDefined(f"log of a certainly negative number {a} is not real")
        raise Undecided(f"log of a ball not certainly positive: {a}")

    def exp(self, a: Any) -> Any:
        self._ctx()
        return a.exp()

    def sqrt(self, a: Any) -> Any:
        self._ctx()
        if a >= 0:
            return a.sqrt()
        if a < 0:
            raise NotWellDefined(f"sqrt of a certainly negative number {a} is not real")
        raise Undecided(f"sqrt of a ball not certainly non-negative: {a}")

    def pow(self, a: Any, b: Any) -> Any:
        self._ctx()
        if a.is_zero():
            if b > 0:
                return self.flint.arb(0)
            raise Undecided("0 to a non-positive power")
        if a > 0:
            if b.is_exact() and b.is_integer():
                return a ** b
            return (b * a.log()).exp()
        if b.is_exact() and b.is_integer():
            return a ** b
        if a < 0 and (b.lower().floor() == b.upper().floor() and b.lower().floor() < b.lower()):
            raise NotWellDefined(f"a certainly negative base {a} to a non-integer power is not real")
        raise Undecided(f"power of a ball not certainly positive: {a}")

    def gt(self, a: Any, b: Any) -> bool:
        if a > b:
            return True
        if a <= b:
            return False
        raise Undecided(f"cannot decide {a.str(15, radius=True)} > {b.str(15, radius=True)} at {self.prec} bits")

    def ge(self, a: Any, b: Any) -> bool:
        if a >= b:
            return True
        if a < b:
            return False
        raise Undecided(f"cannot decide {a.str(15, radius=True)} >= {b.str(15, radius=True)} at {self.prec} bits")

    def max(self, a: Any, b: Any) -> Any:
        self._ctx()
        return a.max(b)

    def min(self, a: Any, b: Any) -> Any:
        self._ctx()
        return a.min(b)

    def is_zero(self, a: Any) -> bool:
        """True for the exact ball 0, False for a ball without 0; a ball that contains 0 but is
        not exactly 0 is undecided (``sqrt(2)**2 - 2`` at any precision), never guessed."""
        if a.is_zero():
            return True
        if a.contains(0):
            raise Undecided(f"cannot decide whether {a.str(15, radius=True)} is 0 at {self.prec} bits")
        return False

    def func(self, name: str, a: Any) -> Any:
        self._ctx()
        if name in ("asin", "acos") and abs(a) > 1:
            raise NotWellDefined(f"{name} of a number certainly outside [-1, 1] is not real")
        return getattr(a, name)()

    @property
    def pi(self) -> Any:
        self._ctx()
        return self.flint.arb.pi()
