"""Certification: turn a candidate violation into a rigorous :class:`Counterexample`, or ``None``.

Soundness is the first promise (design §5): a counterexample is returned only when the
violated relation is decided **with certainty** from exact inputs (``fractions.Fraction``
entries of ``p`` and temperatures). Values are computed in a *hybrid* arithmetic
(:class:`HybridArith`): exact rationals wherever an operation has a rational result (sums,
products, integer powers, exact roots, ``Max``/``Min`` of rationals, Piecewise conditions on
rationals), Arb balls (python-flint) everywhere else. Then a relation is

* certified by **exact rational arithmetic** when both sides are exact rationals, or
* certified by **disjoint Arb enclosures at N bits** otherwise (``N`` = 128, 256, 512, 1024;
  overlapping balls raise :class:`~skd.operators.arith.Undecided` and the precision goes up;
  after 1024 bits the candidate is given up and ``None`` is returned).

Every certified relation is confirmed once more at a higher precision (the enclosures of the
two runs must overlap), and for vector operators the Arb values are cross-checked against an
independent mpmath evaluation at 60 digits (a wrong branch in a user algorithm shows up there).
Comparisons of balls never guess: they raise ``Undecided``. Division by an exact zero and a
Piecewise with no applicable branch are *certain* failures; everything uncertain is not a
counterexample.

Limits are never refuted by one finite temperature: :func:`certify_limit` takes the **exact**
limit (proved by the caller, or computed by :func:`separable_T_limit` with the limit laws) and
confirms it by enclosures along ``T_k = 2^-k`` (or ``2^k``); a limit the enclosures do not
approach is refused. Continuity is refuted by one-sided limits that differ:
:func:`certify_discontinuity_T` (exact limits in ``T``, sides confirmed by enclosures),
:func:`certify_vector_discontinuity` (order-based vector operators: the exact directional limit
from the order class, Theorem V.3 of docs/theory/vector.md, with strict derived comparisons) and
:func:`certify_discontinuity_x` (separable operators: exact one-sided limits of the score in
``x``, Piecewise branches chosen by one-sided limits or Taylor coefficients of the conditions).

Shrinking (:func:`shrink`, :func:`simplify_fraction`, :func:`shrink_vector`) re-certifies every
simplification: fewer classes for separable pair violations, then simple temperatures and
entries.

>>> from fractions import Fraction as Q
>>> from skd.operators import library
>>> ce = certify_ranking(library.topk, [Q(4, 10), Q(3, 10), Q(2, 10), Q(1, 10)], Q(1), 2, 3)
>>> ce.statement
'p_2 > p_3 but F_T(p)_2 <= F_T(p)_3 at T = 1'
>>> ce.certified_by
'exact rational arithmetic'
>>> certify_ranking(library.power, [Q(7, 10), Q(3, 10)], Q(1, 2), 0, 1) is None
True
"""

from __future__ import annotations

import contextlib
import dataclasses
import decimal
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import flint
import sympy as sp

from skd.operators.arith import Arith, MpArith, Undecided
from skd.operators.errors import NotWellDefined
from skd.operators.evaluate import eval_expr
from skd.operators.symbols import T as T_SYM
from skd.operators.symbols import V as V_SYM
from skd.operators.symbols import x as X_SYM
from skd.verify.reproduce import format_fraction, fraction_code, is_builtin, list_code, operator_code, snippet
from skd.verify.budget import Memo
from skd.verify.verdict import Counterexample, Enclosure
from skd.operators.errors import SkdError

__all__ = [
    "PRECISIONS",
    "XV",
    "ExactZeroDivision",
    "HybridArith",
    "certify_ranking",
    "certify_identity",
    "certify_entropy",
    "certify_well_defined",
    "certify_undefined_at_constant",
    "certify_limit",
    "certify_discontinuity_T",
    "certify_vector_discontinuity",
    "certify_discontinuity_x",
    "score_one_sided_limit",
    "score_T_limit",
    "separable_T_limit",
    "limit_target",
    "evaluate_certified",
    "simplify_fraction",
    "simple_entries",
    "simple_temperatures",
    "shrink_vector",
    "pair_reductions",
    "index_reductions",
    "shrink",
    "is_builtin",
    "format_fraction",
]

log = logging.getLogger("skd.verify.certify")

#: Precisions (bits) tried in turn; a candidate still undecided at the last one is given up.
PRECISIONS: tuple[int, ...] = (128, 256, 512, 1024)
#: Stored enclosures are computed (and the certification confirmed) at least at this precision,
#: so that their 50-digit decimals are meaningful.
DISPLAY_PREC = 256
#: Exact rationals whose numerator or denominator exceed this many bits become balls.
EXACT_BITS = 1 << 14
#: Limit evidence: exponents k of the sequences T_k = 2^-k (cold) / 2^k (hot) / T0 -+ 2^-k.
EVIDENCE_K: tuple[int, ...] = (8, 16, 32, 64, 128)


#: one-sided limits ``_lim(expr, var, x0, side)`` (a pure function of its four arguments)
_LIM_MEMO = Memo("certify._lim")
#: ``_T_expr``: the score at ``x0`` as a function of the limit variable, keyed by the score, the
#: parameter symbols and names, ``x0``, ``V``, the parameter values and the end
_T_EXPR_MEMO = Memo("certify._T_expr")


class ExactZeroDivision(SkdError, ZeroDivisionError):
    """Division by a value that is *exactly* zero (a certain failure, not a rounding artefact)."""


# =============================================================================================
# Hybrid exact/ball values
# =============================================================================================


def _small(q: Fraction) -> bool:
    return q.numerator.bit_length() <= EXACT_BITS and q.denominator.bit_length() <= EXACT_BITS


def _ball_of(q: Fraction) -> Any:
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
            b, q = _ball_of(q), None
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
            self._b = _ball_of(self.q)
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

    def __eq__(self, o: Any) -> bool:  # type: ignore[override]
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

    def __ne__(self, o: Any) -> bool:  # type: ignore[override]
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
        return _xlog(lift(a))

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
        a = lift(a)
        return a.q == 0 if a.q is not None else bool(a.ball.is_zero())

    def func(self, name: str, a: Any) -> XV:
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


# =============================================================================================
# Inputs
# =============================================================================================


def _frac(v: Any) -> Fraction:
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


def _exact_p(op: Any, p: Sequence[Any], open_simplex: bool, notes: list[str] | None) -> list[Fraction] | None:
    P = [_frac(v) for v in p]
    if len(P) < 2:
        return _note(notes, f"p has {len(P)} entries; V >= 2 is required")
    if op.kind == "vector" and len(P) not in op.sizes:
        return _note(notes, f"{op.name} is declared for V in {op.sizes}, not V = {len(P)}")
    if any(v < 0 for v in P) or (open_simplex and any(v == 0 for v in P)):
        return _note(notes, "p is not in the " + ("open" if open_simplex else "closed") + " simplex")
    if sum(P) != 1:
        return _note(notes, f"p sums to {sum(P)}, not exactly 1")
    return P


def _exact_T(T: Any, notes: list[str] | None) -> Fraction | None:
    t = _frac(T)
    if t <= 0:
        return _note(notes, f"T = {t} is not > 0")
    return t


def _values(op: Any, values: Mapping[str, Any] | None, notes: list[str] | None) -> dict[str, Fraction] | None:
    values = dict(values or {})
    out: dict[str, Fraction] = {}
    names = {prm.name for prm in op.params}
    extra = set(values) - names
    if extra:
        raise KeyError(f"{op.name!r} has no parameters {sorted(extra)}")
    for prm in op.params:
        if prm.name not in values:
            raise KeyError(f"operator {op.name!r} has a free parameter {prm.name!r}; pass values={{'{prm.name}': ...}}")
        v = _frac(values[prm.name])
        if not prm.contains(v):
            return _note(notes, f"{prm.name} = {v} is outside its domain {prm.describe()}")
        out[prm.name] = v
    return out


def _note(notes: list[str] | None, text: str) -> None:
    if notes is not None:
        notes.append(text)
    log.debug(text)
    return None


# =============================================================================================
# Evaluation
# =============================================================================================


def _scores(op: Any, P: Sequence[Fraction], T: Fraction, ar: HybridArith, vals: Mapping[str, Fraction]) -> list[XV]:
    env: dict[sp.Symbol, Any] = {prm.symbol: ar.num(vals[prm.name]) for prm in op.params}
    env[T_SYM] = ar.num(T)
    env[V_SYM] = ar.num(len(P))
    out = []
    cache: dict[Fraction, XV] = {}
    for v in P:
        if v not in cache:  # equal entries have equal scores: evaluate each value once
            env[X_SYM] = ar.num(v)
            cache[v] = lift(eval_expr(op.score, env, ar))
        out.append(cache[v])
    return out


def _F(op: Any, P: Sequence[Fraction], T: Fraction, ar: HybridArith, vals: Mapping[str, Fraction]) -> list[XV]:
    """``F_T(p)`` as XV values; raises NotWellDefined when ``F`` is certainly not a distribution
    (separable: scores of both strict signs, or summing to 0), Undecided when that cannot be
    decided."""
    if op.kind == "separable":
        g = _scores(op, P, T, ar, vals)
        # reductions.md Lemma W.1: F = g / Σg is a distribution iff the scores do not take both
        # strict signs and their sum is non-zero (all-negative scores are fine: g and -g agree)
        negative = any(gi < 0 for gi in g)
        if negative and any(gi > 0 for gi in g):
            raise NotWellDefined("scores of both strict signs")
        total = g[0]
        for gi in g[1:]:
            total = total + gi
        if not (total < 0 if negative else total > 0):
            raise NotWellDefined("the scores sum to 0")
        return [gi / total for gi in g]
    out = op.algorithm(list(P), T, ar)
    if len(out) != len(P):
        raise NotWellDefined(f"the algorithm returned {len(out)} entries for V = {len(P)}")
    return [lift(v) for v in out]


def evaluate_certified(op: Any, p: Sequence[Any], T: Any, *, values: Mapping[str, Any] | None = None,
                       precisions: Sequence[int] = PRECISIONS) -> tuple[int, list[XV]] | None:
    """``F_T(p)`` in hybrid arithmetic at the first precision that decides every branch."""
    P = [_frac(v) for v in p]
    t = _frac(T)
    vals = _values(op, values, None) or {}
    for prec in precisions:
        ar = HybridArith(prec)
        try:
            with ar.active():
                return prec, _F(op, P, t, ar, vals)
        except Undecided:
            continue
    return None


def _xlog(a: XV) -> XV:
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


def _entropy(q: Sequence[XV]) -> XV:
    """Shannon entropy; entries exactly 0 (or exactly 1) contribute exactly 0."""
    total = XV(Fraction(0))
    for v in q:
        if v.q is not None and (v.q == 0 or v.q == 1):
            continue
        if not v > 0:
            raise NotWellDefined("a negative entry has no entropy")
        total = total - v * _xlog(v)
    return total


# =============================================================================================
# The decision loop
# =============================================================================================


def _hinted(items: Iterable[tuple[int, Any]], hint: int | None) -> list[tuple[int, Any]]:
    """``items`` with the hinted index first (a confirmation re-uses the first run's index)."""
    items = list(items)
    if hint is None:
        return items
    return [it for it in items if it[0] == hint] + [it for it in items if it[0] != hint]


@dataclasses.dataclass
class _Sides:
    lhs: XV
    rhs: XV
    i: int | None = None
    j: int | None = None
    info: dict[str, Any] = dataclasses.field(default_factory=dict)

    def consistent(self, other: _Sides) -> bool:
        return self.i == other.i and self.j == other.j and self.lhs.same_as(other.lhs) and self.rhs.same_as(other.rhs)


def _decide(attempt: Callable[[HybridArith], _Sides | None], notes: list[str] | None,
            precisions: Sequence[int] = PRECISIONS) -> tuple[int, _Sides, list[Any]] | None:
    """Run ``attempt`` at increasing precision until it decides.

    ``attempt(ar)`` returns the two sides of a certainly violated relation, ``None`` when the
    relation certainly holds, or raises Undecided. A positive answer is confirmed at a higher
    precision; the result holds the confirming precision, its sides, and their enclosures
    rendered inside the confirming precision's context.
    """
    for prec in precisions:
        ar = HybridArith(prec)
        try:
            with ar.active():
                first = attempt(ar)
        except Undecided as exc:
            _note(notes, f"undecided at {prec} bits: {exc}")
            continue
        except (NotWellDefined, ExactZeroDivision) as exc:
            return _note(notes, f"F is not well defined there: {exc}")
        if first is None:
            return _note(notes, f"the relation certainly holds (decided at {prec} bits)")
        prec2 = max(2 * prec, DISPLAY_PREC)
        ar2 = HybridArith(prec2)
        ar2.hint = first.i
        try:
            with ar2.active():
                second = attempt(ar2)
                if second is None or not first.consistent(second):
                    return _note(notes, f"inconsistent evaluations at {prec} and {prec2} bits; refusing to certify")
                rendered = [_enclosure(second.lhs), _enclosure(second.rhs)]
        except (Undecided, NotWellDefined, ExactZeroDivision) as exc:
            return _note(notes, f"confirmation at {prec2} bits failed: {exc}")
        return prec2, second, rendered
    return _note(notes, f"still undecided at {precisions[-1]} bits")


def _how(prec: int, s: _Sides) -> str:
    if s.lhs.exact and s.rhs.exact:
        return "exact rational arithmetic"
    lb, rb = s.lhs.ball, s.rhs.ball
    if lb.overlaps(rb):
        # only possible for relations like <= decided on touching exact balls
        return f"Arb enclosures at {prec} bits (exact endpoints)"
    return f"disjoint Arb enclosures at {prec} bits"


def _dec50(q: Fraction) -> str:
    if q == 0:
        return "0"
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        return str(decimal.Decimal(q.numerator) / decimal.Decimal(q.denominator))


def _enclosure(v: XV) -> Enclosure:
    if v.q is not None:
        return Enclosure(ball=_ball_of(v.q).str(radius=True), decimal=_dec50(v.q))
    b = v.ball
    return Enclosure(ball=b.str(radius=True), decimal=b.str(50, radius=False, more=True))


def _mp_agrees(op: Any, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction],
               checks: Mapping[int, XV], notes: list[str] | None) -> bool:
    """Independent mpmath evaluation of a vector operator must match the Arb values."""
    if op.kind != "vector":
        return True
    ar = MpArith(60)
    try:
        out = op.algorithm(list(P), T, ar)
    except Exception as exc:  # noqa: BLE001 - any failure means no cross-check, so no certificate
        _note(notes, f"mpmath cross-check failed to evaluate: {type(exc).__name__}: {exc}")
        return False
    for k, v in checks.items():
        m = float(out[k])
        ref = float(v)
        tol = (0.0 if v.q is not None else float(v.ball.rad())) + 1e-40 * max(1.0, abs(ref))
        if not abs(m - ref) <= tol:
            _note(notes, f"mpmath value {out[k]} disagrees with the enclosure of entry {k}; refusing to certify")
            return False
    return True


# =============================================================================================
# Formatting
# =============================================================================================


def _values_field(vals: Mapping[str, Fraction]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, format_fraction(v)) for k, v in vals.items()))


def _make(op: Any, *, statement: str, P: Sequence[Fraction], T: str | None, decided: tuple[int, _Sides, list[Any]],
          reproduce: str, vals: Mapping[str, Fraction], relation: str, T2: str | None = None,
          limit: str | None = None, certified_suffix: str = "") -> Counterexample:
    prec, sides, (lhs, rhs) = decided
    how = _how(prec, sides)
    return Counterexample(
        statement=statement,
        p=tuple(format_fraction(v) for v in P),
        V=len(P),
        T=T,
        T2=T2,
        i=sides.i,
        j=sides.j,
        values=_values_field(vals),
        limit=limit,
        lhs=lhs,
        rhs=rhs,
        relation=relation,
        certified_by=how + certified_suffix,
        reproduce=reproduce,
    )


# =============================================================================================
# Pointwise axioms
# =============================================================================================


def certify_ranking(op: Any, p: Sequence[Any], T: Any, i: int, j: int, *, strict: bool = True,
                    values: Mapping[str, Any] | None = None, open_simplex: bool = True,
                    notes: list[str] | None = None) -> Counterexample | None:
    """``p_i > p_j`` but ``F_T(p)_i <= F_T(p)_j`` (strict profile) / ``<`` (weak profile)."""
    P = _exact_p(op, p, open_simplex, notes)
    t = _exact_T(T, notes)
    vals = _values(op, values, notes)
    if P is None or t is None or vals is None:
        return None
    V = len(P)
    if not (0 <= i < V and 0 <= j < V and i != j):
        return _note(notes, f"bad indices i={i}, j={j} for V={V}")
    if not P[i] > P[j]:
        return _note(notes, f"p_{i} > p_{j} does not hold")
    rel = "<=" if strict else "<"

    def attempt(ar: HybridArith) -> _Sides | None:
        F = _F(op, P, t, ar, vals)
        holds = (F[i] <= F[j]) if strict else (F[i] < F[j])
        return _Sides(F[i], F[j], i, j) if holds else None

    decided = _decide(attempt, notes)
    if decided is None:
        return None
    s = decided[1]
    if not _mp_agrees(op, P, t, vals, {i: s.lhs, j: s.rhs}, notes):
        return None
    body = f"F = evaluate_mp(op, {list_code(P)}, {fraction_code(t)}); print(F[{i}], F[{j}])"
    return _make(op, statement=f"p_{i} > p_{j} but F_T(p)_{i} {rel} F_T(p)_{j} at T = {format_fraction(t)}",
                 P=P, T=format_fraction(t), decided=decided, reproduce=snippet(op, vals, body), vals=vals, relation=rel)


def certify_identity(op: Any, p: Sequence[Any], values: Mapping[str, Any] | None = None, *,
                     open_simplex: bool = True, notes: list[str] | None = None) -> Counterexample | None:
    """Some ``i`` with ``F_1(p)_i != p_i`` (the entry with the largest certified gap is reported)."""
    P = _exact_p(op, p, open_simplex, notes)
    vals = _values(op, values, notes)
    if P is None or vals is None:
        return None
    one = Fraction(1)

    def attempt(ar: HybridArith) -> _Sides | None:
        return _largest_gap(_F(op, P, one, ar, vals), [XV(v) for v in P], ar.hint, "F_1(p) = p at some entry")

    decided = _decide(attempt, notes)
    if decided is None:
        return None
    i = decided[1].i
    if not _mp_agrees(op, P, one, vals, {i: decided[1].lhs}, notes):
        return None
    body = f"p = {list_code(P)}; F = evaluate_mp(op, p, Q(1)); print(F[{i}], p[{i}])"
    return _make(op, statement=f"F_1(p)_{i} != p_{i}", P=P, T="1", decided=decided,
                 reproduce=snippet(op, vals, body), vals=vals, relation="!=")


def certify_entropy(op: Any, p: Sequence[Any], T1: Any, T2: Any, values: Mapping[str, Any] | None = None, *,
                    open_simplex: bool = True, notes: list[str] | None = None) -> Counterexample | None:
    """``T1 < T2`` and ``H(F_T2(p)) < H(F_T1(p))`` (Shannon entropy, exact zeros contribute 0)."""
    P = _exact_p(op, p, open_simplex, notes)
    t1, t2 = _exact_T(T1, notes), _exact_T(T2, notes)
    vals = _values(op, values, notes)
    if P is None or t1 is None or t2 is None or vals is None:
        return None
    if not t1 < t2:
        return _note(notes, f"T1 = {t1} is not < T2 = {t2}")

    def attempt(ar: HybridArith) -> _Sides | None:
        H1 = _entropy(_F(op, P, t1, ar, vals))
        H2 = _entropy(_F(op, P, t2, ar, vals))
        return _Sides(H2, H1) if H2 < H1 else None

    decided = _decide(attempt, notes)
    if decided is None:
        return None
    if op.kind == "vector":
        # cross-check both evaluations entrywise
        for t in (t1, t2):
            res = evaluate_certified(op, P, t, values=vals, precisions=(DISPLAY_PREC,))
            if res is None or not _mp_agrees(op, P, t, vals, dict(enumerate(res[1])), notes):
                return None
    body = (f"p = {list_code(P)}; H = lambda q: -sum(v*mpmath.log(v) for v in q if v > 0); "
            f"print(H(evaluate_mp(op, p, {fraction_code(t2)})), H(evaluate_mp(op, p, {fraction_code(t1)})))")
    return _make(op, statement=f"T1 < T2 but H(F_T2(p)) < H(F_T1(p)) with T1 = {format_fraction(t1)}, T2 = {format_fraction(t2)}",
                 P=P, T=format_fraction(t1), T2=format_fraction(t2), decided=decided,
                 reproduce=snippet(op, vals, body, extra_imports="import mpmath; mpmath.mp.dps = 50"),
                 vals=vals, relation="<")


_UNDEFINED = Enclosure(ball="undefined", decimal="undefined")


_CONDITION_WORDS = {"ne0": "!= 0", "gt0": "> 0", "ge0": ">= 0"}


def _written_condition_fails(op: Any, env: Mapping[sp.Symbol, Any], ar: Any) -> str | None:
    """The first side condition of the formula *as written* (``op.obligations``: a divisor or a
    branch that SymPy's simplification cancelled, e.g. ``T - 1`` in ``x*(T - 1)/(T - 1)``) that
    certainly fails at ``env`` (its guard holds there), described; None if none certainly fails."""
    for kind, e, guard in getattr(op, "obligations", ()):
        cond = e if guard is sp.true else sp.Piecewise((e, guard), (sp.Integer(1), True))
        try:
            v = lift(eval_expr(cond, env, ar))
            fails = (v == 0) if kind == "ne0" else (v <= 0) if kind == "gt0" else (v < 0)
        except (Undecided, NotWellDefined, ExactZeroDivision, TypeError, ValueError):
            continue
        if fails:
            return f"the written formula's side condition {sp.sstr(e)} {_CONDITION_WORDS.get(kind, kind)} fails"
    return None


_MAX_CONSTANT_OPS = 60


def exactly_zero(c: sp.Expr) -> bool:
    """True only if the real constant ``c`` is proved to be exactly 0: SymPy's automatic exact
    evaluation gives the literal 0 (``sqrt(2)**2 - 2``, ``sin(pi)``, ``log(pi*(1/pi))``), or
    ``c`` is algebraic and its minimal polynomial is ``z`` (exact algebraic arithmetic)."""
    if c.free_symbols or c.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
        return False
    if c == 0:
        return True
    if sp.count_ops(c) > _MAX_CONSTANT_OPS:
        return False
    e = sp.expand(c)
    if e == 0:
        return True
    if not (e.is_algebraic is True):
        return False
    z = sp.Dummy("z")
    try:
        return bool(sp.minimal_polynomial(e, z) == z)
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError):
        return False


def _zero_divisors(expr: sp.Expr) -> list[sp.Expr]:
    """Every subterm of ``expr`` that must be non-zero for it to be defined: bases of negative
    integer powers, arguments of ``log``, ``cos`` of ``tan`` arguments."""
    out: list[sp.Expr] = []
    for e in sp.preorder_traversal(expr):
        if isinstance(e, sp.Pow) and e.args[1].is_number and e.args[1].is_negative:
            out.append(e.args[0])
        elif isinstance(e, sp.log):
            out.append(e.args[0])
        elif isinstance(e, sp.tan):
            out.append(sp.cos(e.args[0]))
    return out


def certify_undefined_at_constant(op: Any, p: Sequence[Any], T0: sp.Expr, values: Mapping[str, Any] | None = None, *,
                                  open_simplex: bool = True, notes: list[str] | None = None) -> Counterexample | None:
    """``F_T0(p)`` undefined at an exact irrational temperature ``T0`` (``sqrt(2)``, ``pi/2``,
    a ``CRootOf``) of a separable operator: a divisor of the score (or of a side condition of
    the formula as written), a ``log`` argument or the normaliser is exactly 0 there
    (:func:`exactly_zero`). ``T0 > 0`` must follow from SymPy's exact assumptions. None otherwise."""
    if op.kind != "separable":
        return _note(notes, "certify_undefined_at_constant is for separable operators")
    P = _exact_p(op, p, open_simplex, notes)
    vals = _values(op, values, notes)
    T0 = sp.sympify(T0)  # safe: a SymPy object built by skd (never user text)
    if P is None or vals is None:
        return None
    if T0.free_symbols or T0.has(sp.zoo, sp.nan, sp.oo, sp.I) or not T0.is_real:
        return _note(notes, f"T0 = {T0} is not a real constant")
    if op.score.has(sp.Piecewise) or any(e.has(sp.Piecewise) for _k, e, _g in getattr(op, "obligations", ())):
        # a divisor in a branch that is not taken does not make the score undefined
        return _note(notes, "scores with Piecewise branches are not evaluated symbolically here")
    if T0.is_positive is not True:  # SymPy's exact assumptions (sqrt(2), pi/2, 1/pi, 3**(1/3))
        return _note(notes, f"T0 = {T0} is not proved > 0")
    Vn = len(P)
    env = {prm.symbol: sp.Rational(vals[prm.name].numerator, vals[prm.name].denominator) for prm in op.params}
    env.update({T_SYM: T0, V_SYM: sp.Integer(Vn)})
    # the score, and the unguarded side conditions of the formula as written that must be != 0
    exprs = [(op.score, False)] + [(e, True) for kind, e, guard in getattr(op, "obligations", ())
                                   if guard is sp.true and kind in ("ne0", "gt0")]
    why = None
    where = None
    for k, v in enumerate(P):
        point = {**env, X_SYM: sp.Rational(v.numerator, v.denominator)}
        for expr, itself in exprs:
            for d in (_zero_divisors(expr) + ([expr] if itself else [])):
                c = d.subs(point, simultaneous=True)
                if exactly_zero(c):
                    why, where = f"{sp.sstr(d)} is exactly 0", k
                    break
            if why:
                break
        if why:
            break
    if why is None:
        scores = [op.score.subs({**env, X_SYM: sp.Rational(v.numerator, v.denominator)}, simultaneous=True) for v in P]
        if all(exactly_zero(sc) for sc in scores):
            why = "every score is exactly 0, so the normaliser is 0"
    if why is None:
        return _note(notes, f"nothing is certainly undefined at T = {T0}")
    tq = sp.sstr(T0)
    plist = list_code(P)
    check_rational = (f"assert T0 == {fraction_code(Fraction(int(T0.p), int(T0.q)))}; " if T0.is_Rational else "")
    body = (f"import sympy as sp; from skd.operators.parse import parse_formula; from skd.operators.symbols import x, T, V; "
            f"p = {plist}; T0 = parse_formula({tq!r}, symbols=()); "
            f"{check_rational}print([op.score.subs({{x: sp.Rational(v.numerator, v.denominator), T: T0, V: len(p)}}) for v in p])")
    return Counterexample(
        statement=f"F_T(p) is undefined" + (f" at entry {where}" if where is not None else "") + f" at T = {tq}: {why}",
        p=tuple(format_fraction(v) for v in P), V=Vn, T=tq, i=where, values=_values_field(vals),
        lhs=Enclosure(ball="undefined", decimal=why), rhs=_UNDEFINED, relation="undefined",
        certified_by="exact symbolic evaluation at the exact temperature (SymPy's exact arithmetic; "
                     "zero by automatic evaluation or by a minimal polynomial z)",
        reproduce=snippet(op, vals, body),
    )


def certify_well_defined(op: Any, p: Sequence[Any], T: Any, values: Mapping[str, Any] | None = None, *,
                         open_simplex: bool = True, notes: list[str] | None = None) -> Counterexample | None:
    """An entry of ``F_T(p)`` certainly negative, ``F_T(p)`` certainly not summing to 1, or
    ``F_T(p)`` certainly undefined (no Piecewise branch applies, division by exactly 0, a zero
    normaliser). ``Undecided`` is never a counterexample."""
    P = _exact_p(op, p, open_simplex, notes)
    t = _exact_T(T, notes)
    vals = _values(op, values, notes)
    if P is None or t is None or vals is None:
        return None
    V = len(P)

    def attempt(ar: HybridArith) -> _Sides | None:
        if op.kind == "separable":
            env: dict[sp.Symbol, Any] = {prm.symbol: ar.num(vals[prm.name]) for prm in op.params}
            env[T_SYM], env[V_SYM] = ar.num(t), ar.num(V)
            g: list[XV | None] = []
            undecided: Undecided | None = None
            for k, v in enumerate(P):
                env[X_SYM] = ar.num(v)
                failed = _written_condition_fails(op, env, ar)
                if failed is not None:
                    return _Sides(XV(Fraction(0)), XV(Fraction(0)), k, info={"kind": "undefined", "why": failed})
                try:
                    g.append(lift(eval_expr(op.score, env, ar)))
                except (NotWellDefined, ExactZeroDivision) as exc:
                    return _Sides(XV(Fraction(0)), XV(Fraction(0)), k, info={"kind": "undefined", "why": str(exc)})
                except Undecided as exc:
                    undecided = exc
                    g.append(None)
            if undecided is not None:
                raise undecided
            total = g[0]
            for gk in g[1:]:
                total = total + gk
            if total.q is not None and total.q == 0 or (total.q is None and total.ball.is_zero()):
                return _Sides(total, XV(Fraction(0)), None, info={"kind": "zero"})
            F = [gk / total for gk in g]  # Undecided if the normaliser's sign is unknown
        else:
            try:
                F = [lift(v) for v in op.algorithm(list(P), t, ar)]
            except (NotWellDefined, ExactZeroDivision) as exc:
                return _Sides(XV(Fraction(0)), XV(Fraction(0)), None, info={"kind": "undefined", "why": str(exc)})
            if len(F) != V:
                return None
        best, best_gap, undecided_sign = None, -1.0, False
        for k, v in _hinted(enumerate(F), ar.hint):
            try:
                if v < 0:
                    gap = -v.upper_float()
                    if gap > best_gap:
                        best, best_gap = k, gap
                    if k == ar.hint:
                        break
            except Undecided:
                undecided_sign = True
        if best is not None:
            return _Sides(F[best], XV(Fraction(0)), best, info={"kind": "negative"})
        s = F[0]
        for v in F[1:]:
            s = s + v
        try:
            if s != 1:
                return _Sides(s, XV(Fraction(1)), None, info={"kind": "sum"})
        except Undecided:
            if not undecided_sign:
                return None  # sum not decided but compatible with 1, and no negative entry
        if undecided_sign:
            raise Undecided("the sign of some entry is undecided")
        return None

    decided = _decide(attempt, notes)
    if decided is None:
        return None
    prec, s, rendered = decided
    kind = s.info["kind"]
    tq = format_fraction(t)
    plist = list_code(P)
    if kind == "undefined":
        where = f"at entry {s.i}" if s.i is not None else ""
        why = s.info["why"]
        body = f"evaluate_mp(op, {plist}, {fraction_code(t)})  # raises: F_T(p) is undefined"
        ce = Counterexample(
            statement=f"F_T(p) is undefined {where} at T = {tq}: {why}".replace("  ", " "),
            p=tuple(format_fraction(v) for v in P), V=V, T=tq, i=s.i, values=_values_field(vals),
            lhs=Enclosure(ball="undefined", decimal=why), rhs=_UNDEFINED, relation="undefined",
            certified_by=(f"certain failure in exact/Arb arithmetic at {prec} bits "
                          "(no branch applies, or division by exactly 0)"),
            reproduce=snippet(op, vals, body),
        )
        return ce
    if op.kind == "vector":
        res = evaluate_certified(op, P, t, values=vals, precisions=(DISPLAY_PREC, 2 * DISPLAY_PREC))
        if res is None or not _mp_agrees(op, P, t, vals, dict(enumerate(res[1])), notes):
            return None
    if kind == "negative":
        stmt = f"F_T(p)_{s.i} < 0 at T = {tq}"
        rel = "<"
        if op.kind == "separable":
            body = (f"ar = MpArith(50); p = {plist}; g = [eval_expr(op.score, {{x: ar.num(v), T: ar.num({fraction_code(t)}), "
                    f"V: ar.num(len(p))}}, ar) for v in p]; print(g[{s.i}]/sum(g), 0)")
            extra = ("from skd.operators.arith import MpArith; from skd.operators.evaluate import eval_expr; "
                     "from skd.operators.symbols import x, T, V")
        else:
            body = f"F = evaluate_mp(op, {plist}, {fraction_code(t)}); print(F[{s.i}], 0)"
            extra = ""
    elif kind == "sum":
        stmt = f"the entries of F_T(p) do not sum to 1 at T = {tq}"
        rel = "!="
        body = f"F = evaluate_mp(op, {plist}, {fraction_code(t)}); print(sum(F), 1)"
        extra = ""
    else:  # zero normaliser
        stmt = f"the normaliser sum_j g(p_j, T, V) is 0 at T = {tq}, so F_T(p) is undefined"
        rel = "=="
        body = (f"ar = MpArith(50); p = {plist}; print(sum(eval_expr(op.score, {{x: ar.num(v), T: ar.num({fraction_code(t)}), "
                f"V: ar.num(len(p))}}, ar) for v in p), 0)")
        extra = ("from skd.operators.arith import MpArith; from skd.operators.evaluate import eval_expr; "
                 "from skd.operators.symbols import x, T, V")
    return _make(op, statement=stmt, P=P, T=tq, decided=decided, reproduce=snippet(op, vals, body, extra_imports=extra),
                 vals=vals, relation=rel)


# =============================================================================================
# Limits and continuity
# =============================================================================================


def limit_target(p: Sequence[Any], which: str, profile: str = "paper") -> list[Fraction]:
    """The distribution an axiom asks for: cold — uniform on argmax(p); hot — uniform on all V
    classes (profiles paper/weak) or on the support (profile closed)."""
    P = [_frac(v) for v in p]
    V = len(P)
    if which == "cold":
        top = max(P)
        mask = [v == top for v in P]
    elif which == "hot":
        mask = [v > 0 for v in P] if profile == "closed" else [True] * V
    else:
        raise ValueError(f"which={which!r}: must be 'cold' or 'hot'")
    m = sum(mask)
    return [Fraction(1, m) if b else Fraction(0) for b in mask]


def _sym_number(v: Any) -> sp.Expr:
    if isinstance(v, bool):
        raise TypeError("a bool is not a number")
    if isinstance(v, (Fraction, int)):
        q = Fraction(v)
        return sp.Rational(q.numerator, q.denominator)
    if isinstance(v, float):
        raise TypeError(f"an exact limit is needed, not the float {v!r}")
    if isinstance(v, sp.Basic):
        if v.free_symbols:
            raise TypeError(f"limit entry {v} has free symbols")
        return v
    if isinstance(v, str):
        from skd.operators.parse import parse_formula

        return parse_formula(v, symbols=[])
    raise TypeError(f"not an exact number: {v!r}")


def _sym_str(e: sp.Expr) -> str:
    if isinstance(e, sp.Rational):
        return format_fraction(Fraction(int(e.p), int(e.q)))
    return sp.sstr(e)


def _vec_str(es: Sequence[sp.Expr]) -> str:
    return "[" + ", ".join(_sym_str(e) for e in es) + "]"


def _enclose_all(es: Sequence[sp.Expr], ar: HybridArith) -> list[XV]:
    return [lift(eval_expr(e, {}, ar)) for e in es]


def _check_distribution(vals: Sequence[XV]) -> bool | None:
    """True: certainly a distribution-compatible vector; False: certainly not; None: unknown."""
    try:
        if any(v < 0 for v in vals):
            return False
    except Undecided:
        return None
    s = vals[0]
    for v in vals[1:]:
        s = s + v
    try:
        return not (s != 1)
    except Undecided:
        return True  # a ball containing 1


def _distance_upper(F: Sequence[XV], L: Sequence[XV]) -> float:
    return max(abs(a - b).upper_float() for a, b in zip(F, L))


def _F_at(op: Any, P: Sequence[Fraction], t: Fraction, vals: Mapping[str, Fraction], min_prec: int) -> list[XV] | None:
    for prec in sorted({min_prec, 2 * min_prec, 4 * min_prec}):
        ar = HybridArith(prec)
        try:
            with ar.active():
                return _F(op, P, t, ar, vals)
        except Undecided:
            continue
        except (NotWellDefined, ExactZeroDivision):
            return None
    return None


def _evidence(op: Any, vals: Mapping[str, Fraction], L: Sequence[sp.Expr], gap: float,
              points: Sequence[tuple[int, Callable[[], tuple[list[Fraction], Fraction] | None]]],
              label: str, notes: list[str] | None) -> str | None:
    """Evaluate F along a sequence approaching the limit point; require approach to ``L``.

    ``points`` is a list of ``(k, make)`` with ``make() -> (p, T)``. The last distances must be at
    most ``gap / 4`` and not larger than the first one (or than ``gap / 1000``). Returns a description or None.
    """
    ds: list[tuple[int, float]] = []
    for k, make in points:
        pt = make()
        if pt is None:
            continue
        P, t = pt
        F = _F_at(op, P, t, vals, max(DISPLAY_PREC, k + 128))
        if F is None:
            continue
        ar = HybridArith(max(DISPLAY_PREC, k + 128))
        with ar.active():
            Lx = _enclose_all(L, ar)
            ds.append((k, _distance_upper(F, Lx)))
    if len(ds) < 3:
        return _note(notes, f"too few evaluations along {label} to confirm the limit ({len(ds)})")
    first, last = ds[0][1], ds[-1][1]
    if not (last <= gap / 4 and last <= max(first, gap / 1000)):
        return _note(notes, f"F does not approach the supplied limit along {label}: distances "
                     + ", ".join(f"{d:.3g}" for _, d in ds) + f" (gap {gap:.3g}); refusing to certify")
    return (f"confirmed along {label}, k = " + ", ".join(str(k) for k, _ in ds)
            + ": max_i |F - limit| <= " + ", ".join(f"{d:.2g}" for _, d in ds))


def _largest_gap(Lx: Sequence[Any], Rx: Sequence[Any], hint: Any, what: str) -> _Sides | None:
    """The index where two lists of enclosures certainly differ the most (the hinted index
    first), or None if they certainly agree everywhere; Undecided if some pair cannot be told."""
    best, best_gap, undecided = None, -1.0, False
    for k, (a, b) in _hinted(enumerate(zip(Lx, Rx)), hint):
        try:
            if a != b:
                gap = abs(a - b).lower_float()
                if gap > best_gap:
                    best, best_gap = k, gap
                if k == hint:
                    break
        except Undecided:
            undecided = True
    if best is not None:
        return _Sides(Lx[best], Rx[best], best, info={"gap": best_gap})
    if undecided:
        raise Undecided(f"{what} undecided")
    return None


def _limit_attempt(L: Sequence[sp.Expr], R: Sequence[sp.Expr]) -> Callable[[HybridArith], _Sides | None]:
    def attempt(ar: HybridArith) -> _Sides | None:
        return _largest_gap(_enclose_all(L, ar), _enclose_all(R, ar), ar.hint, "limit entries")

    return attempt


def certify_limit(op: Any, p: Sequence[Any], which: str, limit: Sequence[Any], target: Sequence[Any], *,
                  values: Mapping[str, Any] | None = None, proof: str = "supplied by the caller",
                  open_simplex: bool = True, profile: str | None = None,
                  notes: list[str] | None = None) -> Counterexample | None:
    """The exact limit of ``F_T(p)`` as ``T -> 0+`` (``which="cold"``) or ``T -> oo`` (``"hot"``)
    differs from the axiom's ``target`` at some index.

    ``limit`` must be the *proved* exact limit (Fractions or SymPy numbers). It is also confirmed
    by enclosures of ``F`` along ``T_k = 2^-k`` (cold) or ``2^k`` (hot): if those do not approach
    ``limit``, nothing is certified. With ``profile`` given, ``target`` must be that profile's
    target (:func:`limit_target`).
    """
    if which not in ("cold", "hot"):
        raise ValueError(f"which={which!r}: must be 'cold' or 'hot'")
    if profile is not None:
        open_simplex = profile != "closed"
    P = _exact_p(op, p, open_simplex, notes)
    vals = _values(op, values, notes)
    if P is None or vals is None:
        return None
    L = [_sym_number(v) for v in limit]
    R = [_sym_number(v) for v in target]
    if len(L) != len(P) or len(R) != len(P):
        return _note(notes, "limit / target length differs from V")
    ar = HybridArith(DISPLAY_PREC)
    with ar.active():
        try:
            okL, okR = _check_distribution(_enclose_all(L, ar)), _check_distribution(_enclose_all(R, ar))
        except Undecided:
            okL = okR = None
    if okL is not True or okR is not True:
        return _note(notes, "the supplied limit or target is not a probability vector")
    if profile is not None:
        want = limit_target(P, which, profile)
        if [sp.Rational(v.numerator, v.denominator) for v in want] != list(R):
            return _note(notes, f"the target is not the {which} target of profile {profile!r}")
    decided = _decide(_limit_attempt(L, R), notes)
    if decided is None:
        return None
    prec, s, _ = decided
    if which == "cold":
        pts = [(k, (lambda k=k: (P, Fraction(1, 2**k)))) for k in EVIDENCE_K]
        label, tlabel = "T_k = 2^-k", "0+"
    else:
        pts = [(k, (lambda k=k: (P, Fraction(2**k)))) for k in EVIDENCE_K]
        label, tlabel = "T_k = 2^k", "oo"
    ev = _evidence(op, vals, L, s.info["gap"], pts, label, notes)
    if ev is None:
        return None
    i = s.i
    tk = "Q(1, 2**64)" if which == "cold" else "Q(2**64)"
    body = (f"F = evaluate_mp(op, {list_code(P)}, {tk}); print(F[{i}], '-> limit', {_sym_str(L[i])!r}, "
            f"'target', {_sym_str(R[i])!r})")
    return _make(op, statement=(f"lim_{{T->{tlabel}}} F_T(p)_{i} = {_sym_str(L[i])} but the axiom requires "
                                f"{_sym_str(R[i])}"),
                 P=P, T=tlabel, decided=decided, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                 limit=f"lim_{{T->{tlabel}}} F_T(p) = {_vec_str(L)}",
                 certified_suffix=f"; exact limit: {proof}; {ev}")


def certify_discontinuity_T(op: Any, p: Sequence[Any], T0: Any, left: Sequence[Any], right: Sequence[Any], *,
                            values: Mapping[str, Any] | None = None, proof: str = "supplied by the caller",
                            open_simplex: bool = True, notes: list[str] | None = None) -> Counterexample | None:
    """Discontinuity of ``T -> F_T(p)`` at ``T0`` from exact one-sided limits.

    ``left`` / ``right`` are exact vectors: normally the limits as ``T -> T0-`` and ``T -> T0+``;
    either may instead be the other side's limit or ``F_T0(p)`` itself (callers that know one
    neighbouring piece and the value at the breakpoint). Which side each vector is the limit of
    is confirmed by enclosures along ``T0 - 2^-k`` / ``T0 + 2^-k``. Certified: the two one-sided
    limits differ, or a confirmed one-sided limit differs from ``F_T0(p)`` (computed here).
    """
    P = _exact_p(op, p, open_simplex, notes)
    t0 = _exact_T(T0, notes)
    vals = _values(op, values, notes)
    if P is None or t0 is None or vals is None:
        return None
    A = [_sym_number(v) for v in left]
    B = [_sym_number(v) for v in right]
    if len(A) != len(P) or len(B) != len(P):
        return _note(notes, "one-sided limits must have V entries")
    pts = {
        "-": [(k, (lambda k=k: (P, t0 - Fraction(1, 2**k)) if t0 > Fraction(1, 2**k) else None)) for k in EVIDENCE_K],
        "+": [(k, (lambda k=k: (P, t0 + Fraction(1, 2**k)))) for k in EVIDENCE_K],
    }
    tq = format_fraction(t0)
    label = {"-": "T0 - 2^-k", "+": "T0 + 2^-k"}

    # 1. the two vectors as the two one-sided limits (either order)
    decided = _decide(_limit_attempt(A, B), notes)
    if decided is not None:
        gap = decided[1].info["gap"]
        for sa, sb in (("-", "+"), ("+", "-")):
            ev1 = _evidence(op, vals, A, gap, pts[sa], label[sa], notes)
            ev2 = _evidence(op, vals, B, gap, pts[sb], label[sb], notes) if ev1 else None
            if ev1 and ev2:
                Lf, Rt, dec = (A, B, decided) if sa == "-" else (B, A, _swap(decided))
                i = dec[1].i
                body = (f"p = {list_code(P)}; e = Q(1, 2**64); print(evaluate_mp(op, p, {fraction_code(t0)} - e)[{i}], "
                        f"evaluate_mp(op, p, {fraction_code(t0)} + e)[{i}])")
                return _make(op, statement=(f"lim_{{T->{tq}-}} F_T(p)_{i} != lim_{{T->{tq}+}} F_T(p)_{i}: "
                                            "F is discontinuous in T"),
                             P=P, T=tq, decided=dec, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                             limit=f"lim_{{T->T0-}} F_T(p) = {_vec_str(Lf)}; lim_{{T->T0+}} F_T(p) = {_vec_str(Rt)}",
                             certified_suffix=f"; exact one-sided limits: {proof}; {ev1}; {ev2}")
    # 2. one vector as a one-sided limit, compared with F_T0(p) computed rigorously
    for L in (A, B):
        dec = _decide(_value_attempt(op, P, t0, vals, L), notes)
        if dec is None:
            continue
        gap = dec[1].info["gap"]
        for side in ("+", "-"):
            ev = _evidence(op, vals, L, gap, pts[side], label[side], notes)
            if ev is None:
                continue
            i = dec[1].i
            sgn = "-" if side == "-" else "+"
            body = (f"p = {list_code(P)}; e = Q(1, 2**64); print(evaluate_mp(op, p, {fraction_code(t0)} {sgn} e)[{i}], "
                    f"evaluate_mp(op, p, {fraction_code(t0)})[{i}])")
            return _make(op, statement=(f"lim_{{T->{tq}{side}}} F_T(p)_{i} != F_T(p)_{i} at T = {tq}: "
                                        "F is discontinuous in T"),
                         P=P, T=tq, decided=dec, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                         limit=f"lim_{{T->T0{side}}} F_T(p) = {_vec_str(L)}; F_T0(p)",
                         certified_suffix=f"; exact one-sided limit: {proof}; {ev}")
    return None


def _swap(decided: tuple[int, _Sides, list[Any]]) -> tuple[int, _Sides, list[Any]]:
    prec, s, (lhs, rhs) = decided
    return prec, _Sides(s.rhs, s.lhs, s.i, s.j, s.info), [rhs, lhs]


def _value_attempt(op: Any, P: Sequence[Fraction], t0: Fraction, vals: Mapping[str, Fraction],
                   L: Sequence[sp.Expr]) -> Callable[[HybridArith], _Sides | None]:
    def attempt(ar: HybridArith) -> _Sides | None:
        return _largest_gap(_enclose_all(L, ar), _F(op, P, t0, ar, vals), ar.hint, "limit vs value")

    return attempt


# -- one-sided limits of a separable score in x ----------------------------------------------------

_SMOOTH = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.tanh, sp.sinh, sp.cosh, sp.atan, sp.erf)
_CONTINUOUS = (sp.Min, sp.Max, sp.Abs)
TAYLOR_ORDER = 6


def _num_env(op: Any, T: Fraction, V: int, vals: Mapping[str, Fraction]) -> dict[sp.Symbol, sp.Expr]:
    env: dict[sp.Symbol, sp.Expr] = {T_SYM: sp.Rational(T.numerator, T.denominator), V_SYM: sp.Integer(V)}
    for prm in op.params:
        q = vals[prm.name]
        env[prm.symbol] = sp.Rational(q.numerator, q.denominator)
    return env


def _sign_of(e: sp.Expr, prec: int = DISPLAY_PREC) -> int | None:
    """Certain sign of a closed-form number (-1, 0, 1), or None."""
    ar = HybridArith(prec)
    try:
        with ar.active():
            v = lift(eval_expr(e, {}, ar))
            if v.q is not None:
                return (v.q > 0) - (v.q < 0)
            if v.ball.is_zero():
                return 0
            if v.ball > 0:
                return 1
            if v.ball < 0:
                return -1
    except (Undecided, NotWellDefined, ExactZeroDivision, TypeError, ValueError, ZeroDivisionError):
        return None
    return None


def _analytic_at(h: sp.Expr, x0: sp.Expr, var: sp.Symbol = X_SYM) -> bool:
    """``h`` (a function of ``var`` only) is analytic on a neighbourhood of ``x0``: built from +,
    *, powers and smooth functions, with every domain condition strict at ``x0``."""
    for node in sp.preorder_traversal(h):
        if isinstance(node, (sp.Symbol, sp.Number)) or node in (sp.pi, sp.E):
            continue
        if isinstance(node, (sp.Add, sp.Mul)):
            continue
        if isinstance(node, sp.Pow):
            base, ex = node.args
            if isinstance(ex, sp.Integer) and ex >= 0:
                continue
            sb = _sign_of(base.subs(var, x0))
            if isinstance(ex, sp.Integer):
                if sb in (1, -1):
                    continue
                return False
            if sb != 1:
                return False
            continue
        if isinstance(node, sp.log):
            if _sign_of(node.args[0].subs(var, x0)) != 1:
                return False
            continue
        if isinstance(node, sp.tan):
            if _sign_of(sp.cos(node.args[0].subs(var, x0))) not in (1, -1):
                return False
            continue
        if isinstance(node, _SMOOTH):
            continue
        return False
    return True


def _sgn_ext(e: sp.Expr) -> int | None:
    if e == sp.oo:
        return 1
    if e == -sp.oo:
        return -1
    return _sign_of(e)


def _is_inf(e: sp.Expr) -> bool:
    return e == sp.oo or e == -sp.oo


def _sign_near(h: sp.Expr, x0: sp.Expr, side: str, var: sp.Symbol = X_SYM) -> int | None:
    """Sign of ``h`` on ``(x0, x0 + delta)`` (side "+") or ``(x0 - delta, x0)`` (side "-") for some
    ``delta > 0``; None when it cannot be established."""
    lim = _lim(h, var, x0, side)
    if lim is not None:
        s = _sgn_ext(lim)
        if s in (1, -1):
            return s  # h tends to a non-zero (possibly infinite) limit: constant sign near x0
    if not _analytic_at(h, x0, var):
        return None
    d = h
    for m in range(TAYLOR_ORDER + 1):
        s = _sign_of(d.subs(var, x0))
        if s is None:
            return None
        if s != 0:
            return s if side == "+" or m % 2 == 0 else -s
        d = sp.diff(d, var)
    return None


def _truth_near(cond: sp.Basic, x0: sp.Expr, side: str, var: sp.Symbol = X_SYM) -> bool | None:
    if cond is sp.true:
        return True
    if cond is sp.false:
        return False
    if isinstance(cond, sp.Not):
        t = _truth_near(cond.args[0], x0, side, var)
        return None if t is None else not t
    if isinstance(cond, (sp.And, sp.Or)):
        ts = [_truth_near(c, x0, side, var) for c in cond.args]
        if isinstance(cond, sp.And):
            if any(t is False for t in ts):
                return False
            return None if any(t is None for t in ts) else True
        if any(t is True for t in ts):
            return True
        return None if any(t is None for t in ts) else False
    if isinstance(cond, sp.core.relational.Relational):
        op = cond.rel_op
        if var not in cond.free_symbols:
            sd = _sign_of(cond.lhs - cond.rhs)
            if sd is None:
                return None
            return {">": sd > 0, ">=": sd >= 0, "<": sd < 0, "<=": sd <= 0, "==": sd == 0, "!=": sd != 0}.get(op)
        s = _sign_near(cond.lhs - cond.rhs, x0, side, var)
        if s is None:
            return None
        return {">": s > 0, ">=": s > 0, "<": s < 0, "<=": s < 0, "==": False, "!=": True}.get(op)
    return None


def _lim_add(args: Sequence[sp.Expr]) -> sp.Expr | None:
    infs = {a for a in args if _is_inf(a)}
    if not infs:
        return sp.Add(*args)
    if len(infs) > 1:
        return None  # oo - oo
    return infs.pop()


def _lim_mul(args: Sequence[sp.Expr]) -> sp.Expr | None:
    if not any(_is_inf(a) for a in args):
        return sp.Mul(*args)
    sign = 1
    for a in args:
        s = _sgn_ext(a)
        if s is None or s == 0:
            return None  # unknown sign, or 0 * oo
        sign *= s
    return sp.oo if sign > 0 else -sp.oo


def _lim_pow(expr: sp.Pow, B: sp.Expr, E: sp.Expr, var: sp.Symbol, x0: sp.Expr, side: str) -> sp.Expr | None:
    b_expr, e_expr = expr.args
    if isinstance(e_expr, sp.Integer):
        n = int(e_expr)
        if n == 0:
            return sp.Integer(1)
        if n > 0:
            if B == sp.oo:
                return sp.oo
            if B == -sp.oo:
                return sp.oo if n % 2 == 0 else -sp.oo
            return B**n
        if _is_inf(B):
            return sp.Integer(0)
        sb = _sign_of(B)
        if sb in (1, -1):
            return B**n
        if sb == 0:
            s = _sign_near(b_expr, x0, side, var)
            if s is None:
                return None
            return sp.oo if (s > 0 or n % 2 == 0) else -sp.oo
        return None
    # non-integer or variable exponent: the base must be positive near the point
    if B == sp.oo:
        sE = _sgn_ext(E)
        return None if sE in (None, 0) else (sp.oo if sE > 0 else sp.Integer(0))
    if _is_inf(B):
        return None
    sB = _sign_of(B)
    if sB == 1:
        if not _is_inf(E):
            return B**E
        s1 = _sign_of(B - 1)
        if s1 in (None, 0):
            return None  # 1**oo
        grows = (s1 > 0) == (E == sp.oo)
        return sp.oo if grows else sp.Integer(0)
    if sB == 0 and _sign_near(b_expr, x0, side, var) == 1:
        sE = _sgn_ext(E)
        return None if sE in (None, 0) else (sp.Integer(0) if sE > 0 else sp.oo)
    return None


_AT_INF = {  # f(+oo), f(-oo)
    sp.exp: (sp.oo, sp.Integer(0)),
    sp.tanh: (sp.Integer(1), sp.Integer(-1)),
    sp.atan: (sp.pi / 2, -sp.pi / 2),
    sp.erf: (sp.Integer(1), sp.Integer(-1)),
    sp.sinh: (sp.oo, -sp.oo),
    sp.cosh: (sp.oo, sp.oo),
}


def _lim(expr: sp.Expr, var: sp.Symbol, x0: sp.Expr, side: str) -> sp.Expr | None:
    """:func:`_lim_uncached`, memoised in-process by ``(expr, var, x0, side)`` (it is a pure
    function of them: the signs it needs are decided by :func:`_sign_of` at a fixed precision)."""
    key = (expr, var, x0, side)
    found, value = _LIM_MEMO.lookup(key)
    if found:
        return value  # type: ignore[no-any-return]
    value = _lim_uncached(expr, var, x0, side)
    _LIM_MEMO.store(key, value)
    return value


def _lim_uncached(expr: sp.Expr, var: sp.Symbol, x0: sp.Expr, side: str) -> sp.Expr | None:
    """Exact ``lim_{var -> x0 +/-} expr`` in the extended reals (a closed-form number, ``oo`` or
    ``-oo``), or None when not established.

    Piecewise branches are chosen by the sign of each condition on a one-sided neighbourhood
    (a non-zero one-sided limit, or the first non-zero Taylor coefficient of an analytic
    condition); other operations follow the limit laws, with every indeterminate form
    (``oo - oo``, ``0 * oo``, ``1**oo``, ``0**0``, ...) and every discontinuity (floor, a domain
    boundary) answered by None.
    """
    if var not in expr.free_symbols:
        return None if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo) else expr
    if expr == var:
        return x0
    if isinstance(expr, sp.Piecewise):
        for e, c in expr.args:
            t = _truth_near(c, x0, side, var)
            if t is None:
                return None
            if t:
                return _lim(e, var, x0, side)
        return None
    if isinstance(expr, (sp.Heaviside, sp.sign)):
        s = _sign_near(expr.args[0], x0, side, var)
        if s is None:
            return None
        if isinstance(expr, sp.sign):
            return sp.Integer(s)
        return sp.Integer(1 if s > 0 else 0)
    if isinstance(expr, (sp.floor, sp.ceiling)):
        return None
    args = [_lim(a, var, x0, side) for a in expr.args]
    if any(a is None for a in args):
        return None
    if isinstance(expr, sp.Add):
        return _lim_add(args)
    if isinstance(expr, sp.Mul):
        return _lim_mul(args)
    if isinstance(expr, sp.Pow):
        return _lim_pow(expr, args[0], args[1], var, x0, side)
    if isinstance(expr, (sp.Min, sp.Max)):
        out = expr.func(*args)
        return out if (_is_inf(out) or not out.has(sp.zoo, sp.nan, sp.oo, -sp.oo)) else None
    if isinstance(expr, sp.Abs):
        return sp.oo if _is_inf(args[0]) else sp.Abs(args[0])
    A = args[0] if args else None
    if A is not None and _is_inf(A):
        for fn, (at_pos, at_neg) in _AT_INF.items():
            if isinstance(expr, fn):
                return at_pos if A == sp.oo else at_neg
        if isinstance(expr, sp.log) and A == sp.oo:
            return sp.oo
        return None
    if isinstance(expr, sp.log):
        sA = _sign_of(A)
        if sA == 1:
            return sp.log(A)
        if sA == 0 and _sign_near(expr.args[0], x0, side, var) == 1:
            return -sp.oo
        return None
    if isinstance(expr, (sp.asin, sp.acos)):
        if _sign_of(1 - A**2) != 1:
            return None
    elif isinstance(expr, sp.tan):
        if _sign_of(sp.cos(A)) not in (1, -1):
            return None
    elif not isinstance(expr, _SMOOTH):
        return None
    out = expr.func(*args)
    return None if out.has(sp.zoo, sp.nan, sp.oo, -sp.oo) else out


def _one_sided(expr: sp.Expr, x0: sp.Expr, side: str) -> sp.Expr | None:
    """Finite exact ``lim_{x -> x0 +/-} expr`` (expr in x only), or None."""
    out = _lim(expr, X_SYM, x0, side)
    return None if out is None or _is_inf(out) else out


_S_HOT = sp.Symbol("s_hot", positive=True)


def _T_expr(op: Any, x0: Fraction, V: int, vals: Mapping[str, Fraction], which: str) -> tuple[sp.Expr, sp.Symbol]:
    """The score at ``x0`` as a function of the limit variable: ``T`` (cold) or ``s = 1/T`` (hot).

    Memoised by everything it reads: the score, each parameter's symbol, name and value, ``x0``,
    ``V`` and ``which``."""
    key = (op.score, tuple((prm.symbol, prm.name, vals[prm.name]) for prm in op.params), Fraction(x0), int(V), which)
    found, value = _T_EXPR_MEMO.lookup(key)
    if found:
        return value  # type: ignore[no-any-return]
    value = _T_expr_uncached(op, x0, V, vals, which)
    _T_EXPR_MEMO.store(key, value)
    return value


def _T_expr_uncached(op: Any, x0: Fraction, V: int, vals: Mapping[str, Fraction], which: str) -> tuple[sp.Expr, sp.Symbol]:
    env: dict[sp.Symbol, sp.Expr] = {X_SYM: sp.Rational(x0.numerator, x0.denominator), V_SYM: sp.Integer(V)}
    for prm in op.params:
        env[prm.symbol] = sp.Rational(vals[prm.name].numerator, vals[prm.name].denominator)
    g = op.score.subs(env)
    if which == "cold":
        return g, T_SYM
    return g.subs(T_SYM, 1 / _S_HOT), _S_HOT


def score_T_limit(op: Any, x0: Any, which: str, V: int, values: Mapping[str, Any] | None = None) -> sp.Expr | None:
    """``lim g(x0, T, V)`` as ``T -> 0+`` (``which="cold"``) or ``T -> oo`` (``"hot"``, computed as
    ``s = 1/T -> 0+``) in the extended reals, by :func:`_lim`; None when not established."""
    if op.kind != "separable" or which not in ("cold", "hot"):
        return None
    vals = _values(op, values, None) or {}
    g, var = _T_expr(op, _frac(x0), V, vals, which)
    return _lim(g, var, sp.Integer(0), "+")


def _surely_positive(e: sp.Expr) -> bool:
    """Structural positivity for every T > 0 (numbers decided by enclosures)."""
    if e.is_number:
        return _sign_of(e) == 1
    if e in (T_SYM, _S_HOT):
        return True
    if isinstance(e, sp.exp):
        return True
    if isinstance(e, sp.Pow):
        return _surely_positive(e.args[0])
    if isinstance(e, (sp.Add, sp.Mul, sp.Min)):
        return all(_surely_positive(a) for a in e.args)
    if isinstance(e, sp.Max):
        return any(_surely_positive(a) for a in e.args)
    if isinstance(e, sp.Piecewise):
        return all(_surely_positive(v) for v, _ in e.args)
    return False


#: ``_ratio_limit(g, g_ref, var)``: the limit of the ratio of two scores (``powsimp`` can be slow:
#: it may test huge integers for primality), keyed by the two expressions and the variable
_RATIO_MEMO = Memo("certify._ratio_limit")


def _ratio_limit(g: sp.Expr, g_ref: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
    """``lim_{var -> 0+} powsimp(g / g_ref)`` by :func:`_lim` (memoised: a pure function of its
    arguments; candidates of the refuter share entries, so the same ratio recurs)."""
    key = (g, g_ref, var)
    found, value = _RATIO_MEMO.lookup(key)
    if found:
        return value  # type: ignore[no-any-return]
    value = _lim(sp.powsimp(g / g_ref), var, sp.Integer(0), "+")
    _RATIO_MEMO.store(key, value)
    return value


def separable_T_limit(op: Any, p: Sequence[Any], which: str, values: Mapping[str, Any] | None = None) -> list[sp.Expr] | None:
    """The exact limit of ``F_T(p)`` as ``T -> 0+`` / ``T -> oo``, or None.

    Either every score has a finite limit with a positive sum (``F`` tends to the normalised
    limits), or, for a reference entry whose score is structurally positive for every ``T``, the
    ratios ``g(p_i)/g(p_ref)`` (powers of positive numbers combined) have finite limits
    (``F_i = ratio_i / sum of ratios`` for every T). Every limit is by the limit laws of
    :func:`_lim`; anything else is left to the symbolic prover.
    """
    if op.kind != "separable" or which not in ("cold", "hot"):
        return None
    P = [_frac(v) for v in p]
    vals = _values(op, values, None) or {}
    V = len(P)
    cache: dict[Fraction, sp.Expr | None] = {}
    scores = []
    for v in P:
        if v not in cache:
            cache[v] = score_T_limit(op, v, which, V, vals)
        scores.append(cache[v])
    if all(g is not None and not _is_inf(g) and _sign_of(g) in (0, 1) for g in scores):
        total = sp.Add(*scores)
        if _sign_of(total) == 1:
            return [gi / total for gi in scores]
    exprs = {v: _T_expr(op, v, V, vals, which) for v in set(P)}
    refs = sorted(set(P), reverse=True)
    for ref in refs:
        g_ref, var = exprs[ref]
        if not _surely_positive(g_ref):
            continue
        ratios = []
        for v in P:
            if v == ref:
                ratios.append(sp.Integer(1))
                continue
            r = _ratio_limit(exprs[v][0], g_ref, var)
            if r is None or _is_inf(r) or _sign_of(r) not in (0, 1):
                break
            ratios.append(r)
        else:
            total = sp.Add(*ratios)
            if _sign_of(total) == 1:
                return [r / total for r in ratios]
    return None


def score_one_sided_limit(op: Any, x0: Any, side: str, T: Any, V: int,
                          values: Mapping[str, Any] | None = None) -> sp.Expr | None:
    """``lim_{x -> x0 +/-} g(x, T, V)`` exactly (a closed-form SymPy number), or None.

    ``side`` is "+" (from above) or "-" (from below). Sound by construction: a Piecewise branch
    is taken only when every earlier condition is certainly false and its own certainly true on
    a one-sided neighbourhood of ``x0``, and every operation is continuous at the limit point.
    """
    if op.kind != "separable" or side not in ("+", "-"):
        return None
    vals = _values(op, values, None) or {}
    x0q = _frac(x0)
    g = op.score.subs(_num_env(op, _frac(T), V, vals))
    return _one_sided(g, sp.Rational(x0q.numerator, x0q.denominator), side)


def certify_discontinuity_x(op: Any, p0: Sequence[Any], a: int, b: int, T: Any, *,
                            values: Mapping[str, Any] | None = None, open_simplex: bool = True,
                            notes: list[str] | None = None) -> Counterexample | None:
    """Discontinuity of a separable ``F_T`` in ``p`` at ``p0`` along ``d = e_a - e_b``.

    Along ``p0 + t d`` only entries ``a`` (up) and ``b`` (down) move, so the one-sided limit of
    ``F`` is the normalised vector of scores with ``g(p_a+)`` and ``g(p_b-)`` (exact one-sided
    limits of the score, :func:`score_one_sided_limit`) and ``g(p_k)`` elsewhere; likewise along
    ``-d``. Certified: the two directional limits differ, or one differs from ``F_T(p0)``; the
    limit is also confirmed by enclosures along ``p0 +/- 2^-k d``.
    """
    if op.kind != "separable":
        return _note(notes, "certify_discontinuity_x is for separable operators")
    P = _exact_p(op, p0, open_simplex, notes)
    t = _exact_T(T, notes)
    vals = _values(op, values, notes)
    if P is None or t is None or vals is None:
        return None
    V = len(P)
    if not (0 <= a < V and 0 <= b < V and a != b):
        return _note(notes, f"bad indices a={a}, b={b}")
    env = _num_env(op, t, V, vals)
    g = op.score.subs(env)
    fixed = {}
    for k in range(V):
        if k not in (a, b):
            e = g.subs(X_SYM, sp.Rational(P[k].numerator, P[k].denominator))
            if e.free_symbols or e.has(sp.Piecewise, sp.zoo, sp.nan):
                return _note(notes, f"g(p_{k}) does not evaluate to a number")
            fixed[k] = e

    def limit_along(sign: int) -> list[sp.Expr] | None:
        ga = _one_sided(g, sp.Rational(P[a].numerator, P[a].denominator), "+" if sign > 0 else "-")
        gb = _one_sided(g, sp.Rational(P[b].numerator, P[b].denominator), "-" if sign > 0 else "+")
        if ga is None or gb is None:
            return None
        scores = [ga if k == a else gb if k == b else fixed[k] for k in range(V)]
        if any(_sign_of(s) not in (0, 1) for s in scores):
            return None
        total = sp.Add(*scores)
        if _sign_of(total) != 1:
            return None
        return [s / total for s in scores]

    D = [Fraction(0)] * V
    D[a], D[b] = Fraction(1), Fraction(-1)
    Lp, Lm = limit_along(1), limit_along(-1)
    if Lp is None and Lm is None:
        return _note(notes, "one-sided limits of the score could not be established")
    scale = min(Fraction(1), P[b] / 2, P[a] / 2)
    tq = format_fraction(t)
    dvec = _vec_str([sp.Rational(v.numerator, v.denominator) for v in D])

    def pts(sign: int) -> list[tuple[int, Callable[[], tuple[list[Fraction], Fraction] | None]]]:
        return [(k, (lambda k=k: ([v + sign * (scale / 2**k) * w for v, w in zip(P, D)], t))) for k in EVIDENCE_K]

    if Lp is not None and Lm is not None:
        decided = _decide(_limit_attempt(Lp, Lm), notes)
        if decided is not None:
            gap = decided[1].info["gap"]
            ev1 = _evidence(op, vals, Lp, gap, pts(1), "p + 2^-k d", notes)
            ev2 = _evidence(op, vals, Lm, gap, pts(-1), "p - 2^-k d", notes) if ev1 else None
            if ev1 and ev2:
                i = decided[1].i
                body = (f"p = {list_code(P)}; d = {list_code(D)}; e = Q(1, 2**64); "
                        f"print(evaluate_mp(op, [u + e*w for u, w in zip(p, d)], {fraction_code(t)})[{i}], "
                        f"evaluate_mp(op, [u - e*w for u, w in zip(p, d)], {fraction_code(t)})[{i}])")
                return _make(op, statement=(f"F_T is discontinuous at p: lim_{{t->0+}} F_T(p + t*d)_{i} != "
                                            f"lim_{{t->0+}} F_T(p - t*d)_{i} at T = {tq}"),
                             P=P, T=tq, decided=decided, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                             limit=(f"lim_{{t->0+}} F_T(p + t*d) = {_vec_str(Lp)}; "
                                    f"lim_{{t->0+}} F_T(p - t*d) = {_vec_str(Lm)}, d = {dvec}"),
                             certified_suffix=("; exact one-sided limits of the score in x (branch signs by "
                                               f"one-sided limits / Taylor coefficients); {ev1}; {ev2}"))
    for sign, L in ((1, Lp), (-1, Lm)):
        if L is None:
            continue
        decided = _decide(_value_attempt(op, P, t, vals, L), notes)
        if decided is None:
            continue
        ev = _evidence(op, vals, L, decided[1].info["gap"], pts(sign), f"p {'+' if sign > 0 else '-'} 2^-k d", notes)
        if ev is None:
            continue
        i = decided[1].i
        sg = "+" if sign > 0 else "-"
        body = (f"p = {list_code(P)}; d = {list_code(D)}; e = Q(1, 2**64); "
                f"print(evaluate_mp(op, [u {sg} e*w for u, w in zip(p, d)], {fraction_code(t)})[{i}], "
                f"evaluate_mp(op, p, {fraction_code(t)})[{i}])")
        return _make(op, statement=f"F_T is discontinuous at p: lim_{{t->0+}} F_T(p {sg} t*d)_{i} != F_T(p)_{i} at T = {tq}",
                     P=P, T=tq, decided=decided, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                     limit=f"lim_{{t->0+}} F_T(p {sg} t*d) = {_vec_str(L)}, d = {dvec}",
                     certified_suffix=("; exact one-sided limits of the score in x (branch signs by one-sided "
                                       f"limits / Taylor coefficients); {ev}"))
    return None


def _direction_order(P: Sequence[Fraction], D: Sequence[Fraction]) -> list[int]:
    """The order of the entries of ``p + t d`` for all small ``t > 0`` (ties to the lower index)."""
    return sorted(range(len(P)), key=lambda k: (-P[k], -D[k], k))


def certify_vector_discontinuity(op: Any, p0: Sequence[Any], d: Sequence[Any], T: Any, *,
                                 values: Mapping[str, Any] | None = None, open_simplex: bool = True,
                                 notes: list[str] | None = None) -> Counterexample | None:
    """Discontinuity of an order-based vector operator at ``p0`` along the direction ``d``.

    For ``op.order_based`` operators (the output depends on ``p`` through the order of its
    entries, ties to the lower index, and continuously on ``p`` within each order class;
    docs/theory/vector.md), ``lim_{t->0+} F_T(p0 + t d)`` is the algorithm evaluated at ``p0``
    permuted so that index-order tie-breaking realises the order of ``p0 + t d``, then
    un-permuted. A discontinuity is certified where that limit differs from ``F_T(p0)``.
    """
    if op.kind != "vector" or not getattr(op, "order_based", False):
        return _note(notes, "only order-based vector operators have directional limits computed here")
    P = _exact_p(op, p0, open_simplex, notes)
    t = _exact_T(T, notes)
    vals = _values(op, values, notes)
    if P is None or t is None or vals is None:
        return None
    D = [_frac(v) for v in d]
    if len(D) != len(P) or sum(D) != 0 or all(v == 0 for v in D):
        return _note(notes, "d must be a non-zero vector of V exact entries summing to 0")
    if any(P[k] == 0 and D[k] < 0 for k in range(len(P))):
        return _note(notes, "p0 + t d leaves the simplex for every t > 0")
    sigma = _direction_order(P, D)
    Q = [P[k] for k in sigma]

    def attempt(ar: HybridArith) -> _Sides | None:
        # Theorem V.3 needs every derived comparison of the forced program to be strict
        strict = HybridArith(ar.prec, strict=True)
        out = [lift(v) for v in op.algorithm(list(Q), t, strict)]
        L: list[XV] = [XV(Fraction(0))] * len(P)
        for r, k in enumerate(sigma):
            L[k] = out[r]
        F0 = [lift(v) for v in op.algorithm(list(P), t, ar)]
        sides = _largest_gap(L, F0, ar.hint, "limit vs value")
        if sides is not None:
            sides.info["L"] = L
        return sides

    decided = _decide(attempt, notes)
    if decided is None:
        return None
    prec, s, _ = decided
    i = s.i
    if not _mp_agrees(op, P, t, vals, {i: s.rhs}, notes) or not _mp_agrees(op, Q, t, vals, {sigma.index(i): s.lhs}, notes):
        return None
    # evidence: F(p0 + t_k d) approaches the limit
    neg = [P[k] / -D[k] for k in range(len(P)) if D[k] < 0]
    scale = min([Fraction(1)] + [v / 2 for v in neg])
    L_exact_free = s.info["L"]

    def point(k: int) -> tuple[list[Fraction], Fraction]:
        tk = scale / 2**k
        return [a + tk * b for a, b in zip(P, D)], t

    ev = _evidence_vec(op, vals, L_exact_free, s.info["gap"], [(k, (lambda k=k: point(k))) for k in EVIDENCE_K],
                       notes)
    if ev is None:
        return None
    tq = format_fraction(t)
    body = (f"p = {list_code(P)}; d = {list_code(D)}; e = Q(1, 2**64); "
            f"print(evaluate_mp(op, [a + e*b for a, b in zip(p, d)], {fraction_code(t)})[{i}], evaluate_mp(op, p, {fraction_code(t)})[{i}])")
    return _make(op, statement=f"F_T is discontinuous at p: lim_{{t->0+}} F_T(p + t*d)_{i} != F_T(p)_{i} at T = {tq}",
                 P=P, T=tq, decided=decided, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                 limit=f"lim_{{t->0+}} F_T(p + t*d), d = {_vec_str([sp.Rational(v.numerator, v.denominator) for v in D])}",
                 certified_suffix=("; one-sided limit from the order class of p + t*d (order_based operator, "
                                   f"docs/theory/vector.md); {ev}"))


def _evidence_vec(op: Any, vals: Mapping[str, Fraction], L: Sequence[XV], gap: float,
                  points: Sequence[tuple[int, Callable[[], tuple[list[Fraction], Fraction]]]],
                  notes: list[str] | None) -> str | None:
    ds: list[tuple[int, float]] = []
    for k, make in points:
        P, t = make()
        if any(v <= 0 for v in P):
            continue
        F = _F_at(op, P, t, vals, max(DISPLAY_PREC, k + 128))
        if F is None:
            continue
        with HybridArith(DISPLAY_PREC).active():
            ds.append((k, _distance_upper(F, L)))
    if len(ds) < 3:
        return _note(notes, f"too few evaluations along p + t_k d to confirm the limit ({len(ds)})")
    first, last = ds[0][1], ds[-1][1]
    if not (last <= gap / 4 and last <= max(first, gap / 1000)):
        return _note(notes, "F(p + t_k d) does not approach the computed limit: "
                     + ", ".join(f"{v:.3g}" for _, v in ds) + f" (gap {gap:.3g}); refusing to certify")
    return ("confirmed along t_k = 2^-k, k = " + ", ".join(str(k) for k, _ in ds)
            + ": max_i |F(p + t_k d) - limit| <= " + ", ".join(f"{v:.2g}" for _, v in ds))


# =============================================================================================
# Shrinking
# =============================================================================================

#: Denominators tried, smallest first, when simplifying a rational.
DENOMINATORS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 32, 50, 64, 100, 128, 256, 1000, 1024,
                                 4096, 10**4, 2**16, 10**5, 10**6, 2**24, 10**8, 10**10, 10**12, 10**15)


def _complexity(q: Fraction) -> int:
    return max(abs(q.numerator), q.denominator).bit_length()


def simple_entries(q: Fraction) -> list[Fraction]:
    """Simple values in (0, 1) to try for a probability entry near ``q``: small denominators
    first (nearest first), then powers of 1/10 and 1/2."""
    small = sorted({Fraction(a, b) for b in range(2, 11) for a in range(1, b)},
                   key=lambda f: (f.denominator, abs(f - q)))
    ladder = sorted({Fraction(1, 10**k) for k in range(2, 31)} | {Fraction(1, 2**k) for k in range(4, 65)},
                    key=lambda f: abs(math.log(f) - math.log(q)) if q > 0 else 0.0)[:8]
    return small + ladder


def simple_temperatures(q: Fraction) -> list[Fraction]:
    """Simple temperatures to try near ``q``: 1, 2, 1/2, 3, ... then powers of 2 and 10."""
    head = [Fraction(v) for v in ("1", "2", "1/2", "3", "1/3", "3/2", "2/3", "4", "1/4", "5", "1/5", "10", "1/10")]
    ladder = {Fraction(2) ** k for k in range(-64, 65)} | {Fraction(10) ** k for k in range(-30, 31)}
    lq = math.log(q) if q > 0 else 0.0
    tail = sorted(ladder - set(head), key=lambda f: abs(math.log(f) - lq))[:10]
    return head + tail


def simplify_fraction(q: Fraction, accept: Callable[[Fraction], bool], *, prefer: Iterable[Fraction] = (),
                      denominators: Iterable[int] = DENOMINATORS, deadline: float | None = None) -> Fraction:
    """A simpler rational than ``q`` that ``accept`` approves, else ``q``.

    Tries the ``prefer`` values simpler than ``q`` (in the given order), then
    ``q.limit_denominator(D)`` for increasing ``D``. ``accept`` re-certifies the candidate, so the
    result is always a certified value.
    """
    import time

    tried = {q}
    cq = _complexity(q)
    for c in prefer:
        if deadline is not None and time.monotonic() > deadline:
            return q
        if c in tried or _complexity(c) >= cq:
            continue
        tried.add(c)
        if accept(c):
            return c
    for D in denominators:
        if D >= q.denominator:
            break
        if deadline is not None and time.monotonic() > deadline:
            break
        c = q.limit_denominator(D)
        if c in tried:
            continue
        tried.add(c)
        if accept(c):
            return c
    return q


def shrink_vector(P: Sequence[Fraction], accept: Callable[[list[Fraction]], bool], *, open_simplex: bool = True,
                  deadline: float | None = None, keep: Iterable[int] = ()) -> list[Fraction]:
    """Simplify the entries of a probability vector one at a time (the last entry absorbs the
    difference and must stay in the simplex); each step is re-certified by ``accept``."""
    cur = list(P)
    V = len(cur)
    fixed = set(keep)
    for k in range(V - 1):
        if k in fixed:
            continue

        def ok(c: Fraction, k: int = k) -> bool:
            cand = list(cur)
            cand[k] = c
            cand[-1] = 1 - sum(cand[:-1])
            lo_ok = all(v > 0 for v in cand) if open_simplex else all(v >= 0 for v in cand)
            return lo_ok and accept(cand)

        c = simplify_fraction(cur[k], ok, prefer=simple_entries(cur[k]), deadline=deadline)
        if c != cur[k]:
            cur[k] = c
            cur[-1] = 1 - sum(cur[:-1])
    return cur


def pair_reductions(P: Sequence[Fraction], i: int, j: int) -> list[tuple[list[Fraction], int, int]]:
    """Smaller vectors holding the entries ``p_i, p_j`` (separable operators): ``V = 2`` when
    ``p_i + p_j = 1``, ``V = 3`` with third entry ``1 - p_i - p_j`` when that is positive."""
    a, b = P[i], P[j]
    out: list[tuple[list[Fraction], int, int]] = []
    if a + b == 1 and len(P) > 2:
        out.append(([a, b], 0, 1))
    if a + b < 1 and len(P) > 3:
        out.append(([a, b, 1 - a - b], 0, 1))
    return out


def index_reductions(P: Sequence[Fraction], i: int) -> list[tuple[list[Fraction], int]]:
    """Smaller vectors holding ``p_i``: ``(p_i, 1 - p_i)`` and ``(p_i, p_k, rest)``."""
    a = P[i]
    out: list[tuple[list[Fraction], int]] = []
    if len(P) > 2 and a < 1:
        out.append(([a, 1 - a], 0))
    if len(P) > 3:
        for k in range(len(P)):
            if k != i and a + P[k] < 1:
                out.append(([a, P[k], 1 - a - P[k]], 0))
    return out


def shrink(op: Any, axiom_id: str, ce: Counterexample, *, profile: str = "paper",
           values: Mapping[str, Any] | None = None, deadline: float | None = None) -> Counterexample:
    """A simpler counterexample for a pointwise axiom (ranking, identity, entropy, well_defined):
    fewer classes for separable operators, then simpler temperatures and entries of ``p``; every
    step is re-certified. Other axioms are returned unchanged."""
    import time

    strict = profile != "weak"
    open_simplex = profile != "closed"
    vals = dict(ce.values) if ce.values else dict(values or {})

    def late() -> bool:
        return deadline is not None and time.monotonic() > deadline

    P = [Fraction(v) for v in ce.p]
    if axiom_id == "ranking":
        T = Fraction(ce.T)
        i, j = ce.i, ce.j

        def cert(P_: Sequence[Fraction], T_: Fraction, i_: int, j_: int) -> Counterexample | None:
            return certify_ranking(op, P_, T_, i_, j_, strict=strict, values=vals, open_simplex=open_simplex)

        best = ce
        if op.kind == "separable":
            for cand, a, b in pair_reductions(P, i, j):
                if late():
                    break
                c = cert(cand, T, a, b)
                if c is not None:
                    P, i, j, best = cand, a, b, c
                    break
        for _ in range(2):
            T0, P0 = T, P
            T = simplify_fraction(T, lambda t: cert(P, t, i, j) is not None, prefer=simple_temperatures(T),
                                  deadline=deadline)
            P = shrink_vector(P, lambda c: cert(c, T, i, j) is not None, open_simplex=open_simplex, deadline=deadline)
            if (T, P) == (T0, P0):
                break
        return cert(P, T, i, j) or best
    if axiom_id == "identity":
        i = ce.i

        def cert_id(P_: Sequence[Fraction]) -> Counterexample | None:
            return certify_identity(op, P_, vals, open_simplex=open_simplex)

        best = ce
        if op.kind == "separable":
            for cand, _ in index_reductions(P, i):
                if late():
                    break
                c = cert_id(cand)
                if c is not None:
                    P, best = cand, c
                    break
        P = shrink_vector(P, lambda c: cert_id(c) is not None, open_simplex=open_simplex, deadline=deadline)
        return cert_id(P) or best
    if axiom_id == "entropy":
        T1, T2 = Fraction(ce.T), Fraction(ce.T2)

        def cert_h(P_: Sequence[Fraction], a: Fraction, b: Fraction) -> Counterexample | None:
            return certify_entropy(op, P_, a, b, vals, open_simplex=open_simplex)

        T1 = simplify_fraction(T1, lambda t: t < T2 and cert_h(P, t, T2) is not None, prefer=simple_temperatures(T1),
                               deadline=deadline)
        T2 = simplify_fraction(T2, lambda t: T1 < t and cert_h(P, T1, t) is not None, prefer=simple_temperatures(T2),
                               deadline=deadline)
        P = shrink_vector(P, lambda c: cert_h(c, T1, T2) is not None, open_simplex=open_simplex, deadline=deadline)
        return cert_h(P, T1, T2) or ce
    if axiom_id == "well_defined":
        T = Fraction(ce.T)

        def cert_w(P_: Sequence[Fraction], T_: Fraction) -> Counterexample | None:
            return certify_well_defined(op, P_, T_, vals, open_simplex=open_simplex)

        best = ce
        if op.kind == "separable" and ce.i is not None:
            for cand, _ in index_reductions(P, ce.i):
                if late():
                    break
                c = cert_w(cand, T)
                if c is not None:
                    P, best = cand, c
                    break
        T = simplify_fraction(T, lambda t: cert_w(P, t) is not None, prefer=simple_temperatures(T), deadline=deadline)
        P = shrink_vector(P, lambda c: cert_w(c, T) is not None, open_simplex=open_simplex, deadline=deadline)
        return cert_w(P, T) or best
    return ce
