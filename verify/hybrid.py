"""The hybrid exact/Arb number type of the certifier: :class:`XV` and :class:`HybridArith`.

An :class:`XV` is a real number known either *exactly* (a ``fractions.Fraction``) or as an Arb
ball (python-flint). Arithmetic keeps exactness wherever the result is rational (sums, products,
integer powers, exact roots, ``Max``/``Min`` of rationals); everything else becomes a ball at the
working precision. Comparisons are exact or certain and raise
:class:`~skd.operators.arith.Undecided` otherwise, so careless code cannot silently take a wrong
branch; division by an exact zero raises :class:`ExactZeroDivision` (a certain failure, not a
rounding artefact).

:class:`HybridArith` implements the :class:`~skd.operators.arith.Arith` protocol (declared once,
in :mod:`skd.operators.arith`) on these values, so the evaluators of :mod:`skd.operators`
(``eval_expr``, the vector algorithms) run on them unchanged. The exact-input helpers shared by
the certifier (:mod:`skd.verify.certify`) and the limit engine (:mod:`skd.verify.limits`) live
here too: :func:`frac`, :func:`exact_values` and :func:`note`.

>>> from fractions import Fraction as Q
>>> ar = HybridArith(128)
>>> with ar.active():
...     third = ar.num(Q(1, 3))
...     (third * 3).q, ar.sqrt(Q(4, 9)).q, ar.sqrt(2).exact, ar.sqrt(2) > Q(141, 100)
(Fraction(1, 1), Fraction(2, 3), False, True)
>>> with ar.active():
...     ar.sqrt(2) ** 2 == 2
Traceback (most recent call last):
...
skd.operators.arith.Undecided: cannot decide ...
>>> XV(Q(1)) / 0
Traceback (most recent call last):
...
skd.verify.hybrid.ExactZeroDivision: division by exactly 0
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import flint
import sympy as sp

from skd.operators.arith import Arith, Undecided
from skd.operators.errors import NotWellDefined, SkdError

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = [
    "DISPLAY_PREC",
    "EXACT_BITS",
    "XV",
    "ExactZeroDivision",
    "HybridArith",
    "ball_of",
    "exact_values",
    "frac",
    "lift",
    "note",
    "Dismissal",
    "HoldsNote",
    "UndefinedNote",
    "xlog",
]

#: the certifier's log: :func:`note` records there why a candidate is not certified
log = logging.getLogger("skd.verify.certify")

#: Stored enclosures are computed (and the certification confirmed) at least at this precision,
#: so that their 50-digit decimals are meaningful; signs of closed-form numbers are decided at it.
DISPLAY_PREC = 256
#: Exact rationals whose numerator or denominator exceed this many bits become balls.
EXACT_BITS = 1 << 14


class ExactZeroDivision(SkdError, ZeroDivisionError):
    """Division by a value that is *exactly* zero (a certain failure, not a rounding artefact)."""


# =============================================================================================
# Hybrid exact/ball values
# =============================================================================================


def _small(q: Fraction) -> bool:
    return q.numerator.bit_length() <= EXACT_BITS and q.denominator.bit_length() <= EXACT_BITS


def ball_of(q: Fraction) -> Any:
    """A fresh Arb ball of ``q`` at the current precision."""
    return flint.arb(flint.fmpq(q.numerator, q.denominator))


class XV:
    """A real number known either exactly (``q``: a Fraction) or as an Arb ball.

    Arithmetic keeps exactness where the result is rational; comparisons are exact or certain,
    and raise :class:`Undecided` otherwise (so even careless code that compares values with
    ``>`` cannot silently take a wrong branch).
    """

    __slots__ = ("q", "_b")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, q: Fraction | None = None, b: Any = None) -> None:
        if q is not None and not _small(q):
            b, q = ball_of(q), None
        if q is None:
            if b is None:
                raise ValueError("XV needs a value")
            if not b.is_finite():
                raise Undecided(f"non-finite ball {b}")
        self.q = q
        self._b = b

    # -- views ---------------------------------------------------------------------------
    @property
    def exact(self) -> bool:
        return self.q is not None

    @property
    def ball(self) -> Any:
        if self._b is None:
            assert self.q is not None  # __init__ keeps one of the two
            self._b = ball_of(self.q)
        return self._b

    def __repr__(self) -> str:
        return f"XV({self.q})" if self.q is not None else f"XV({self.ball.str(10, radius=True)})"

    def __float__(self) -> float:
        return float(self.q) if self.q is not None else float(self.ball.mid())

    # -- arithmetic ----------------------------------------------------------------------
    def __add__(self, o: Any) -> XV:
        o = _lift_or_none(o)
        if o is None:
            return NotImplemented
        if self.q is not None and o.q is not None:
            return XV(self.q + o.q)
        return XV(b=self.ball + o.ball)

    def __radd__(self, o: Any) -> XV:
        o = _lift_or_none(o)
        return NotImplemented if o is None else o.__add__(self)

    def __sub__(self, o: Any) -> XV:
        o = _lift_or_none(o)
        if o is None:
            return NotImplemented
        if self.q is not None and o.q is not None:
            return XV(self.q - o.q)
        return XV(b=self.ball - o.ball)

    def __rsub__(self, o: Any) -> XV:
        o = _lift_or_none(o)
        return NotImplemented if o is None else o.__sub__(self)

    def __mul__(self, o: Any) -> XV:
        o = _lift_or_none(o)
        if o is None:
            return NotImplemented
        if self.q is not None and o.q is not None:
            return XV(self.q * o.q)
        if (self.q is not None and self.q == 0) or (o.q is not None and o.q == 0):
            return XV(Fraction(0))
        return XV(b=self.ball * o.ball)

    def __rmul__(self, o: Any) -> XV:
        o = _lift_or_none(o)
        return NotImplemented if o is None else o.__mul__(self)

    def __truediv__(self, o: Any) -> XV:
        o = _lift_or_none(o)
        if o is None:
            return NotImplemented
        if o.q is not None and o.q == 0:
            raise ExactZeroDivision("division by exactly 0")
        if self.q is not None and o.q is not None:
            return XV(self.q / o.q)
        ob = o.ball
        if ob.is_zero():
            raise ExactZeroDivision("division by exactly 0")
        if not (ob > 0 or ob < 0):
            raise Undecided(f"division by a ball containing 0: {ob.str(10, radius=True)}")
        if self.q is not None and self.q == 0:
            return XV(Fraction(0))
        return XV(b=self.ball / ob)

    def __rtruediv__(self, o: Any) -> XV:
        o = _lift_or_none(o)
        return NotImplemented if o is None else o.__truediv__(self)

    def __neg__(self) -> XV:
        return XV(-self.q) if self.q is not None else XV(b=-self.ball)

    def __pos__(self) -> XV:
        return self

    def __abs__(self) -> XV:
        return XV(abs(self.q)) if self.q is not None else XV(b=abs(self.ball))

    def __pow__(self, n: Any) -> XV:
        if isinstance(n, int) and not isinstance(n, bool):
            return _pow(self, XV(Fraction(n)))
        o = _lift_or_none(n)
        return NotImplemented if o is None else _pow(self, o)

    # -- comparisons (exact or certain, else Undecided) ------------------------------------
    def _pair(self, o: Any) -> XV:
        v = _lift_or_none(o)
        if v is None:
            raise TypeError(f"cannot compare XV with {type(o).__name__}")
        return v

    def __lt__(self, o: Any) -> bool:
        o = self._pair(o)
        if self.q is not None and o.q is not None:
            return self.q < o.q
        a, b = self.ball, o.ball
        if a < b:
            return True
        if a >= b:
            return False
        raise Undecided(f"cannot decide {a.str(15, radius=True)} < {b.str(15, radius=True)}")

    def __le__(self, o: Any) -> bool:
        o = self._pair(o)
        if self.q is not None and o.q is not None:
            return self.q <= o.q
        a, b = self.ball, o.ball
        if a <= b:
            return True
        if a > b:
            return False
        raise Undecided(f"cannot decide {a.str(15, radius=True)} <= {b.str(15, radius=True)}")

    def __gt__(self, o: Any) -> bool:
        return self._pair(o).__lt__(self)

    def __ge__(self, o: Any) -> bool:
        return self._pair(o).__le__(self)

    def __eq__(self, o: Any) -> bool:
        v = _lift_or_none(o)
        if v is None:
            return NotImplemented
        if self.q is not None and v.q is not None:
            return self.q == v.q
        a, b = self.ball, v.ball
        if a == b:  # both exact and equal
            return True
        if a != b:  # disjoint
            return False
        raise Undecided(f"cannot decide {a.str(15, radius=True)} == {b.str(15, radius=True)}")

    def __ne__(self, o: Any) -> bool:
        r = self.__eq__(o)
        return NotImplemented if r is NotImplemented else not r

    def __bool__(self) -> bool:
        if self.q is not None:
            return self.q != 0
        b = self.ball
        if b.is_zero():
            return False
        if b > 0 or b < 0:
            return True
        raise Undecided(f"truth value of a ball containing 0: {b.str(15, radius=True)}")

    def __floor__(self) -> int:
        if self.q is not None:
            return math.floor(self.q)
        z = self.ball.floor().unique_fmpz()
        if z is None:
            raise Undecided(f"floor of {self.ball.str(15, radius=True)} is not determined")
        return int(z)

    def __ceil__(self) -> int:
        if self.q is not None:
            return math.ceil(self.q)
        z = self.ball.ceil().unique_fmpz()
        if z is None:
            raise Undecided(f"ceiling of {self.ball.str(15, radius=True)} is not determined")
        return int(z)

    # -- bounds (floats, for heuristics and messages only) --------------------------------
    def lower_float(self) -> float:
        return float(self.q) if self.q is not None else float(self.ball.lower())

    def upper_float(self) -> float:
        return float(self.q) if self.q is not None else float(self.ball.upper())

    def same_as(self, other: XV) -> bool:
        """Consistency of two evaluations of one quantity (exact equal, or balls overlap)."""
        if self.q is not None and other.q is not None:
            return self.q == other.q
        return bool(self.ball.overlaps(other.ball))


def _lift_or_none(v: Any) -> XV | None:
    if isinstance(v, XV):
        return v
    if isinstance(v, bool):
        return None
    exact = getattr(v, "skd_exact_value", None)  # an entry that only compares (certify._TieBroken)
    if exact is not None:
        return XV(exact())
    if isinstance(v, (int, Fraction)):
        return XV(Fraction(v))
    if isinstance(v, float):
        if not math.isfinite(v):
            raise Undecided(f"non-finite float {v}")
        return XV(Fraction(v))
    if isinstance(v, sp.Rational):
        return XV(Fraction(int(v.p), int(v.q)))
    if isinstance(v, flint.arb):
        return XV(b=v)
    if isinstance(v, flint.fmpq):
        return XV(Fraction(int(v.p), int(v.q)))
    if isinstance(v, flint.fmpz):
        return XV(Fraction(int(v)))
    return None


def lift(v: Any) -> XV:
    out = _lift_or_none(v)
    if out is None:
        raise TypeError(f"cannot use {type(v).__name__} {v!r} as a real number")
    return out


def _exact_pow(a: Fraction, e: Fraction) -> Fraction | None:
    """``a**e`` when it is rational and small enough, else ``None``; certain failures raise."""
    if e.denominator == 1:
        n = e.numerator
        if a == 0:
            if n > 0:
                return Fraction(0)
            if n < 0:
                raise ExactZeroDivision("0 to a negative power")
            raise Undecided("0**0")
        bits = max(a.numerator.bit_length(), a.denominator.bit_length())
        if abs(n) * bits > EXACT_BITS:
            return None
        return a**n
    if a < 0:
        return None
    if a == 0:
        if e > 0:
            return Fraction(0)
        raise ExactZeroDivision("0 to a negative power")
    n = e.denominator
    if n > 64:
        return None
    rn, ok_n = sp.integer_nthroot(a.numerator, n)
    rd, ok_d = sp.integer_nthroot(a.denominator, n)
    if not (ok_n and ok_d):
        return None
    return _exact_pow(Fraction(int(rn), int(rd)), Fraction(e.numerator))


def _pow(a: XV, b: XV) -> XV:
    if a.q is not None and b.q is not None:
        r = _exact_pow(a.q, b.q)
        if r is not None:
            return XV(r)
    if a.q is not None and a.q == 0:
        if b > 0:
            return XV(Fraction(0))
        if b.q is not None and b.q < 0 or b.q is None and b.ball < 0:
            raise NotWellDefined("0 to a negative power (division by zero)")
        raise Undecided("0 to a power that is not certainly positive")
    ab = a.ball
    if ab > 0:
        return XV(b=(b.ball * ab.log()).exp())
    if b.q is not None and b.q.denominator == 1:
        return XV(b=ab ** flint.fmpz(b.q.numerator))
    if ab < 0 and (b.q is not None or _no_integer_in(b.ball)):
        # a negative base to a power that is certainly not an integer: not real
        raise NotWellDefined(f"a certainly negative base {ab.str(15, radius=True)} to a non-integer power is not real")
    raise Undecided(f"power of a ball not certainly positive: {ab.str(15, radius=True)}")


def _no_integer_in(ball: Any) -> bool:
    """True if the ball certainly contains no integer."""
    lo, hi = ball.lower(), ball.upper()
    if not (lo.is_finite() and hi.is_finite()):
        return False
    return bool(lo.floor() == hi.floor() and lo.floor() < lo)


def _certainly_equal(a: XV, b: XV) -> bool:
    if a.q is not None and b.q is not None:
        return a.q == b.q
    return bool(a.ball == b.ball)


_ZERO_AT_ZERO = {"sin", "tan", "tanh", "sinh", "atan", "asin", "erf"}
_ONE_AT_ZERO = {"cos", "cosh"}
#: the named functions ar.func may call here: continuous where defined (what V.2, V.3' and V.3''
#: of docs/theory/vector.md use), and differentiable (V.3'' asks their derivative of no one: its
#: first-order arithmetic refuses ar.func)
_CONTINUOUS_FUNCS = _ZERO_AT_ZERO | _ONE_AT_ZERO | {"acos"}


class HybridArith(Arith):
    """Exact rationals where possible, Arb balls at ``prec`` bits elsewhere.

    Use inside ``with ar.active():`` so that every ball operation runs at ``prec`` bits.
    """

    name = "hybrid"

    def __init__(self, prec: int = 128, *, strict: bool = False) -> None:
        self.prec = prec
        #: index chosen by a first evaluation, re-used by its confirmation at a higher precision
        self.hint: int | None = None
        #: strict: a comparison ``gt``/``ge`` of two *equal* values raises Undecided instead of
        #: deciding it (used where a proof needs every derived comparison to be strict).
        self.strict = strict

    @contextlib.contextmanager
    def active(self) -> Iterator[HybridArith]:
        old = flint.ctx.prec
        flint.ctx.prec = self.prec
        try:
            yield self
        finally:
            flint.ctx.prec = old

    def num(self, v: Any) -> XV:
        return lift(v)

    def log(self, a: Any) -> XV:
        return xlog(lift(a))

    def exp(self, a: Any) -> XV:
        a = lift(a)
        if a.q is not None and a.q == 0:
            return XV(Fraction(1))
        return XV(b=a.ball.exp())

    def sqrt(self, a: Any) -> XV:
        a = lift(a)
        if a.q is not None:
            if a.q < 0:
                raise NotWellDefined(f"sqrt of the negative number {a.q} is not real")
            r = _exact_pow(a.q, Fraction(1, 2))
            if r is not None:
                return XV(r)
        if a.ball >= 0:
            return XV(b=a.ball.sqrt())
        if a.ball < 0:
            raise NotWellDefined(f"sqrt of a certainly negative number {a.ball.str(15, radius=True)} is not real")
        raise Undecided(f"sqrt of a ball not certainly non-negative: {a.ball.str(15, radius=True)}")

    def pow(self, a: Any, b: Any) -> XV:
        return _pow(lift(a), lift(b))

    def gt(self, a: Any, b: Any) -> bool:
        a, b = lift(a), lift(b)
        if self.strict and _certainly_equal(a, b):
            raise Undecided("non-strict derived comparison")
        return a > b

    def ge(self, a: Any, b: Any) -> bool:
        a, b = lift(a), lift(b)
        if self.strict and _certainly_equal(a, b):
            raise Undecided("non-strict derived comparison")
        return a >= b

    def max(self, a: Any, b: Any) -> XV:
        a, b = lift(a), lift(b)
        try:
            return a if a >= b else b
        except Undecided:
            return XV(b=a.ball.max(b.ball))

    def min(self, a: Any, b: Any) -> XV:
        a, b = lift(a), lift(b)
        try:
            return b if a >= b else a
        except Undecided:
            return XV(b=a.ball.min(b.ball))

    def is_zero(self, a: Any) -> bool:
        """Exact values decide; a ball decides only when it is exactly 0 or excludes 0 (a ball
        that contains 0 is undecided, never guessed). Strict: a value that is 0 is undecided too
        (near it the test may go the other way)."""
        a = lift(a)
        if a.q is not None:
            zero = a.q == 0
        elif a.ball.is_zero():
            zero = True
        elif a.ball.contains(0):
            raise Undecided(f"cannot decide whether {a.ball.str(15, radius=True)} is 0")
        else:
            zero = False
        if zero and self.strict:
            raise Undecided("a derived value tested for 0 is 0 (not strict)")
        return zero

    def func(self, name: str, a: Any) -> XV:
        if name not in _CONTINUOUS_FUNCS:  # floor, sign, ...: no theorem of the certifier is about them
            raise TypeError(f"ar.func({name!r}): the certifier's arithmetic has the continuous elementary functions "
                            f"{sorted(_CONTINUOUS_FUNCS)} only")
        a = lift(a)
        if a.q is not None and a.q == 0:
            if name in _ZERO_AT_ZERO:
                return XV(Fraction(0))
            if name in _ONE_AT_ZERO:
                return XV(Fraction(1))
        if name in ("asin", "acos") and (a.q is not None and abs(a.q) > 1 or a.q is None and abs(a.ball) > 1):
            raise NotWellDefined(f"{name} of a number certainly outside [-1, 1] is not real")
        return XV(b=getattr(a.ball, name)())

    @property
    def pi(self) -> XV:
        return XV(b=flint.arb.pi())

    @property
    def e(self) -> XV:
        return XV(b=flint.arb(1).exp())


def xlog(a: XV) -> XV:
    """``log a``: exact 0 at 1, a certain failure at a certainly non-positive ``a``, else a ball."""
    if a.q is not None:
        if a.q == 1:
            return XV(Fraction(0))
        if a.q <= 0:
            raise NotWellDefined(f"log of the non-positive number {a.q} is not real")
    if a.ball > 0:
        return XV(b=a.ball.log())
    if a.ball < 0:
        raise NotWellDefined(f"log of a certainly negative number {a.ball.str(15, radius=True)} is not real")
    raise Undecided(f"log of a ball not certainly positive: {a.ball.str(15, radius=True)}")


# =============================================================================================
# Exact inputs
# =============================================================================================


def frac(v: Any) -> Fraction:
    """An exact rational from Fraction / int / sympy Rational / 'a/b' string; floats refused."""
    if isinstance(v, bool):
        raise TypeError("a bool is not a number")
    if isinstance(v, Fraction):
        return v
    if isinstance(v, int):
        return Fraction(v)
    if isinstance(v, sp.Rational):
        return Fraction(int(v.p), int(v.q))
    if isinstance(v, str):
        return Fraction(v)
    if isinstance(v, float):
        raise TypeError(f"give exact inputs (Fraction), not the float {v!r}")
    raise TypeError(f"not an exact rational: {v!r}")


def exact_values(op: Operator, values: Mapping[str, Any] | None, notes: list[str] | None) -> dict[str, Fraction] | None:
    """The values of ``op``'s parameters as exact rationals, or None (noted) when one is outside
    its domain; a missing or unknown parameter is a ``KeyError``."""
    values = dict(values or {})
    out: dict[str, Fraction] = {}
    names = {prm.name for prm in op.params}
    extra = set(values) - names
    if extra:
        raise KeyError(f"{op.name!r} has no parameters {sorted(extra)}")
    for prm in op.params:
        if prm.name not in values:
            raise KeyError(f"operator {op.name!r} has a free parameter {prm.name!r}; pass values={{'{prm.name}': ...}}")
        v = frac(values[prm.name])
        if not prm.contains(v):
            note(notes, f"{prm.name} = {v} is outside its domain {prm.describe()}")
            return None
        out[prm.name] = v
    return out


class Dismissal(str):
    """A note that dismisses a floating-point alarm: the exact/Arb evaluation found no violation
    at the candidate. Consumers test the type, never the text."""


class HoldsNote(Dismissal):
    """The relation the axiom asks for certainly holds at the candidate."""


class UndefinedNote(Dismissal):
    """``F`` is not defined at the candidate, so the relation has no violation there (whether
    ``F`` is undefined is ``well_defined``'s question, certified by its own certifier)."""


def note(notes: list[str] | None, text: str) -> None:
    """Record why something is not certified: appended to ``notes`` (if given) and logged."""
    if notes is not None:
        notes.append(text)
    log.debug(text)
    return None
