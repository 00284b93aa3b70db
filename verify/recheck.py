"""Independent re-validation of stored counterexamples (``skd recheck``).

:func:`recheck_counterexample` recomputes a counterexample from its stored **exact** inputs only,
with fresh arithmetic and without calling the refuter or the certifier:

* the inputs are re-validated: ``p`` exact rationals in the (open, or for ``closed`` closed)
  simplex summing exactly to 1, ``V = len(p)`` (and declared for vector operators), ``T > 0``,
  indices in range, parameter values in their domains;
* the relation the axiom forbids is derived from the axiom and the profile — the stored
  ``relation`` must equal it — and re-decided with python-flint Arb balls
  (:class:`skd.operators.arith.ArbArith`) at a higher precision than stored, or with exact
  rational arithmetic (a separate Fraction evaluator) when the two sides are equal rationals;
* the stored enclosures must overlap the recomputed ones, and the stored 50-digit decimals must
  lie in their enclosures;
* limit counterexamples: the stored exact limit is re-enclosed, the axiom's target recomputed
  from ``p`` and the profile, and ``F`` is re-evaluated along ``T_k = 2^-k`` (``2^k``), or along
  ``T0 -+ 2^-k`` / ``p + 2^-k d`` for discontinuities, and must approach the stored limits; a
  directional limit of a vector algorithm is recomputed with entries compared as ``p + t d``
  (strict derived comparisons, Theorem V.3'), else to first order along ``d`` (V.3''), in this
  module's own arithmetic; a jump somewhere in a segment of ``T`` (V.3''') is re-derived by
  running the algorithm over the whole segment in this module's own ball arithmetic (``_Seg``).
  A stored limit in ``T`` (cold, hot, one-sided in ``T``) is *not*
  recomputed here: approaching it along ``k = 8 .. 128`` is evidence, and a map converging like
  ``T**(1e-6)`` would pass it with a wrong limit (found by an adversarial review with a
  hand-supplied limit; the certifier's limits come from the limit laws, not from the caller).

The ``reproduce`` snippet is never executed (a report is untrusted data).

:func:`recheck_report` rebuilds the operator from a report's ``operator`` object (the safe parser
for separable definitions; the built-in library for vector operators, whose ``hash`` must match)
and rechecks every refuted verdict, and every proved one through
:func:`skd.verify.proofcheck.recheck_certificate` when that module is available.

Size: the independent recheck is one file on purpose, to be audited end to end; it may share no
code with the prover, the search or the certifiers (a test checks its imports), so its exact
arithmetic and per-axiom rechecks cannot move into their modules.

>>> from fractions import Fraction as Q
>>> from skd.operators import library
>>> from skd.verify.certify import certify_ranking
>>> ce = certify_ranking(library.topk, [Q(4, 10), Q(3, 10), Q(2, 10), Q(1, 10)], Q(1), 2, 3)
>>> recheck_counterexample(library.topk, "ranking", ce)[0]
True
>>> import dataclasses
>>> recheck_counterexample(library.topk, "ranking", dataclasses.replace(ce, j=1))[0]
False
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

import flint
import sympy as sp

from skd.operators.arith import ArbArith, Arith, Undecided
from skd.operators.errors import NotWellDefined, SkdError
from skd.operators.evaluate import eval_expr, exact_algorithm
from skd.operators.symbols import T as T_SYM
from skd.operators.symbols import V as V_SYM
from skd.operators.symbols import x as X_SYM
from skd.theory.axioms import PROFILES
from skd.verify.verdict import Counterexample, Enclosure, Verdict

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = ["recheck_counterexample", "recheck_report", "recheck_claims", "RecheckError", "MAX_V"]

MAX_PREC = 4096
_EVIDENCE_K = (8, 16, 32, 64, 128)
_RATIONAL = re.compile(r"^-?\d+(/\d+)?$")


class RecheckError(SkdError):
    """A stored counterexample does not re-validate (the message says why)."""


# =============================================================================================
# Exact rational arithmetic (independent of the certifier's)
# =============================================================================================


class _NotExact(ArithmeticError):
    pass


def _iroot(n: int, k: int) -> int | None:
    if n < 0:
        return None
    if n < 2:
        return n
    r = int(round(n ** (1.0 / k))) if n.bit_length() < 1000 else int(sp.integer_nthroot(n, k)[0])
    for c in (r - 1, r, r + 1):
        if c >= 0 and c**k == n:
            return c
    c, exact = sp.integer_nthroot(n, k)
    return int(c) if exact else None


class _ExactArith(Arith):
    """Fractions only; anything irrational raises ``_NotExact``; division by 0 raises."""

    name = "exact"
    MAX_BITS = 1 << 14

    def num(self, v: Any) -> Fraction:
        if isinstance(v, bool):
            raise TypeError("bool")
        if isinstance(v, float):
            if not math.isfinite(v):
                raise _NotExact("non-finite")
            return Fraction(v)
        return Fraction(v)

    def log(self, a: Fraction) -> Fraction:
        if a == 1:
            return Fraction(0)
        raise _NotExact("log")

    def exp(self, a: Fraction) -> Fraction:
        if a == 0:
            return Fraction(1)
        raise _NotExact("exp")

    def sqrt(self, a: Fraction) -> Fraction:
        return self.pow(a, Fraction(1, 2))

    def pow(self, a: Fraction, b: Fraction) -> Fraction:
        a, b = Fraction(a), Fraction(b)
        if a == 0:
            if b > 0:
                return Fraction(0)
            if b < 0:
                raise ZeroDivisionError("0 to a negative power")
            raise _NotExact("0**0")
        if b.denominator != 1:
            if a < 0 or b.denominator > 64:
                raise _NotExact("root")
            rn, rd = _iroot(a.numerator, b.denominator), _iroot(a.denominator, b.denominator)
            if rn is None or rd is None:
                raise _NotExact("irrational root")
            a, b = Fraction(rn, rd), Fraction(b.numerator)
        n = b.numerator
        if abs(n) * max(a.numerator.bit_length(), a.denominator.bit_length()) > self.MAX_BITS:
            raise _NotExact("too large")
        return a**n

    def gt(self, a: Fraction, b: Fraction) -> bool:
        return a > b

    def ge(self, a: Fraction, b: Fraction) -> bool:
        return a >= b

    def is_zero(self, a: Fraction) -> bool:
        return a == 0

    def func(self, name: str, a: Fraction) -> Fraction:
        if a == 0 and name in ("sin", "tan", "tanh", "sinh", "atan", "asin", "erf"):
            return Fraction(0)
        if a == 0 and name in ("cos", "cosh"):
            return Fraction(1)
        raise _NotExact(name)

    @property
    def pi(self) -> Fraction:
        raise _NotExact("pi")

    @property
    def e(self) -> Fraction:
        raise _NotExact("e")


class _DirectedEntry(Fraction):
    """``p0_i`` as a number; compared with entries and 0 as ``p0 + t d`` is for small ``t > 0``
    (by ``(p0_i, d_i)``); no arithmetic on the entry itself."""

    direction: Fraction
    _v: Fraction

    def __new__(cls, value: Fraction, direction: Fraction) -> _DirectedEntry:
        self = super().__new__(cls, value)
        self.direction = Fraction(direction)
        self._v = Fraction(value)
        return self

    def plain(self) -> Fraction:
        """``p0_i``, for this module's arithmetics' ``num`` only."""
        return self._v

    def _opaque(self, *_: Any) -> Any:  # no plain number to compute with outside ar (see certify._TieBroken)
        raise TypeError("an entry of p is read through ar.num(p[i]) only")

    numerator = property(_opaque)
    denominator = property(_opaque)
    as_integer_ratio = limit_denominator = __reduce__ = __format__ = __copy__ = __deepcopy__ = _opaque  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<an entry of p: compares only>"

    __str__ = __repr__

    def _pair(self, other: Any) -> tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]]:
        mine = (self.plain(), self.direction)
        if isinstance(other, _DirectedEntry):
            return mine, (other.plain(), other.direction)
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return mine, (Fraction(0), Fraction(0))
        raise TypeError(f"an entry of p compared with {other!r}")

    def __lt__(self, o: Any) -> bool:
        a, b = self._pair(o)
        return a < b

    def __le__(self, o: Any) -> bool:
        a, b = self._pair(o)
        return a <= b

    def __gt__(self, o: Any) -> bool:
        a, b = self._pair(o)
        return a > b

    def __ge__(self, o: Any) -> bool:
        a, b = self._pair(o)
        return a >= b

    def __eq__(self, o: Any) -> bool:
        a, b = self._pair(o)
        return a == b

    def __ne__(self, o: Any) -> bool:
        return not self == o

    def __hash__(self) -> int:  # type: ignore[override]  # consistent with __eq__ (Fraction's is by value)
        return hash((self.plain(), self.direction))

    def __neg__(self) -> _DirectedEntry:
        return _DirectedEntry(-self.plain(), -self.direction)

    def __bool__(self) -> bool:  # as p0 + t d for small t > 0: a zero entry with d != 0 is not 0
        return not (self._v == 0 and self.direction == 0)

    def _refused(self, *_: Any) -> Any:
        raise TypeError("arithmetic on an entry of p outside the arithmetic")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _refused
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _refused
    __pow__ = __rpow__ = __abs__ = __pos__ = __float__ = __int__ = __round__ = __trunc__ = _refused  # type: ignore[assignment]


# -- first order along a direction (Theorem V.3''), independent of the certifier's -----------------


def _fx(v: Any) -> Any:
    """An exact Fraction when ``v`` is one (or an int), else an Arb ball."""
    if isinstance(v, bool):
        raise TypeError("bool")
    if isinstance(v, (int, Fraction)):
        return Fraction(v)
    if isinstance(v, flint.arb):
        return v
    raise TypeError(f"not a number of the recheck: {type(v).__name__}")


def _fop(f: Any, *xs: Any) -> Any:
    """``f`` on exact operands when all are exact (``f`` rational), else on balls."""
    if all(isinstance(x, Fraction) for x in xs):
        return f(*xs)
    return f(*[_ball(x) for x in xs])


def _fzero(v: Any) -> bool:
    """Certainly 0 / certainly not; Undecided for a ball containing 0."""
    if isinstance(v, Fraction):
        return v == 0
    if v.is_zero():
        return True
    if v.contains(0):
        raise Undecided("a ball containing 0 at t = 0")
    return False


def _fpos(v: Any) -> bool:
    if isinstance(v, Fraction):
        return v > 0
    if v > 0:
        return True
    if v <= 0:
        return False
    raise Undecided("sign of a ball at t = 0")


class _Fwd:
    """``v + w t`` along ``p + t d``: the value at ``t = 0`` and the derivative there."""

    __slots__ = ("v", "w")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, v: Any, w: Any) -> None:
        self.v, self.w = _fx(v), _fx(w)

    @staticmethod
    def of(x: Any) -> _Fwd:
        if isinstance(x, _Fwd):
            return x
        if isinstance(x, _DirectedEntry):
            raise TypeError("arithmetic on an entry of p outside the arithmetic")
        return _Fwd(x, Fraction(0))

    def __add__(self, o: Any) -> _Fwd:
        o = _Fwd.of(o)
        return _Fwd(_fop(lambda a, b: a + b, self.v, o.v), _fop(lambda a, b: a + b, self.w, o.w))

    __radd__ = __add__

    def __neg__(self) -> _Fwd:
        return _Fwd(-self.v, -self.w)

    def __sub__(self, o: Any) -> _Fwd:
        return self + (-_Fwd.of(o))

    def __rsub__(self, o: Any) -> _Fwd:
        return _Fwd.of(o) + (-self)

    def __mul__(self, o: Any) -> _Fwd:
        o = _Fwd.of(o)
        return _Fwd(_fop(lambda a, b: a * b, self.v, o.v),
                    _fop(lambda a, b, c, d: a * d + b * c, self.v, self.w, o.v, o.w))

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> _Fwd:
        o = _Fwd.of(o)
        if _fzero(o.v):
            raise Undecided("division by a value that is 0 at t = 0")
        return _Fwd(_fop(lambda a, b: a / b, self.v, o.v),
                    _fop(lambda a, b, c, d: (b * c - a * d) / (c * c), self.v, self.w, o.v, o.w))

    def __rtruediv__(self, o: Any) -> _Fwd:
        return _Fwd.of(o) / self

    def __pow__(self, o: Any) -> _Fwd:
        return _fwd_pow(self, _Fwd.of(o))

    def __rpow__(self, o: Any) -> _Fwd:
        return _fwd_pow(_Fwd.of(o), self)

    def _refused(self, *_: Any) -> Any:
        raise TypeError("values compare through the arithmetic only")

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = __bool__ = _refused


def _fwd_pow(x: _Fwd, y: _Fwd) -> _Fwd:
    if _fzero(x.v):  # x may be o(t): only a non-negative integer power is differentiable at 0
        if not (isinstance(y.v, Fraction) and y.v.denominator == 1 and y.v >= 0 and _fzero(y.w)):
            raise Undecided("a power of a value that is 0 at t = 0")
        n = int(y.v)
        return _Fwd(Fraction(1) if n == 0 else Fraction(0), x.w if n == 1 else Fraction(0))
    try:
        val: Any = _ExactArith().pow(x.v, y.v) if isinstance(x.v, Fraction) and isinstance(y.v, Fraction) else None
    except (_NotExact, ZeroDivisionError):
        val = None
    if val is None:
        if not _fpos(x.v):
            raise Undecided("a real power of a value not positive at t = 0")
        val = (_ball(y.v) * _ball(x.v).log()).exp()
    dv = _fop(lambda n, f, a, da: n * f / a * da, y.v, val, x.v, x.w)
    if not _fzero(y.w):
        if not _fpos(x.v):
            raise Undecided("a power with a moving exponent at a base not positive at t = 0")
        dv = _fop(lambda a, b: a + b, dv, _ball(val) * _ball(x.v).log() * _ball(y.w))
    return _Fwd(val, dv)


class _FwdArith(Arith):
    """The algorithm's arithmetic along ``p + t d`` to first order: a derived comparison is the
    sign at ``t = 0``, or, where that is exactly 0, the sign of the derivative; everything else
    that is not certain (equal to first order, not differentiable, a ball that cannot tell) is
    Undecided."""

    name = "first-order"

    def __init__(self, at_point: bool = False) -> None:
        #: at_point: evaluate F at p itself (every direction 0; two equal values compare equal),
        #: an exact-where-rational, Arb-elsewhere evaluation of F_T(p)
        self.at_point = at_point

    def num(self, v: Any) -> _Fwd:
        if isinstance(v, _DirectedEntry):
            return _Fwd(v.plain(), v.direction)
        return _Fwd.of(v)

    def log(self, a: Any) -> _Fwd:
        x = self.num(a)
        if not _fpos(x.v):
            raise Undecided("log of a value not positive at t = 0")
        val = Fraction(0) if x.v == 1 else _ball(x.v).log()
        return _Fwd(val, _fop(lambda w, v: w / v, x.w, x.v))

    def exp(self, a: Any) -> _Fwd:
        x = self.num(a)
        val = Fraction(1) if isinstance(x.v, Fraction) and x.v == 0 else _ball(x.v).exp()
        return _Fwd(val, _fop(lambda e, w: e * w, val, x.w))

    def sqrt(self, a: Any) -> _Fwd:
        x = self.num(a)
        if not _fpos(x.v):
            raise Undecided("sqrt of a value not positive at t = 0")
        return self.pow(x, Fraction(1, 2))

    def pow(self, a: Any, b: Any) -> _Fwd:
        return _fwd_pow(self.num(a), self.num(b))

    def func(self, name: str, a: Any) -> _Fwd:
        raise Undecided(f"ar.func({name!r}) along a direction")

    @property
    def pi(self) -> _Fwd:
        return _Fwd(flint.arb.pi(), Fraction(0))

    @property
    def e(self) -> _Fwd:
        return _Fwd(flint.arb(1).exp(), Fraction(0))

    def _sign(self, z: _Fwd) -> int:
        if _fzero(z.v):
            if self.at_point:
                return 0
            if _fzero(z.w):
                raise Undecided("a derived comparison equal at t = 0 to first order")
            return 1 if _fpos(z.w) else -1
        return 1 if _fpos(z.v) else -1

    def gt(self, a: Any, b: Any) -> bool:
        return self._sign(self.num(a) - self.num(b)) > 0

    def ge(self, a: Any, b: Any) -> bool:  # along d never equal for small t > 0; at p maybe
        return self._sign(self.num(a) - self.num(b)) >= 0

    def is_zero(self, a: Any) -> bool:
        return self._sign(self.num(a)) == 0

    def max(self, a: Any, b: Any) -> _Fwd:
        return self.num(a) if self.ge(a, b) else self.num(b)

    def min(self, a: Any, b: Any) -> _Fwd:
        return self.num(b) if self.ge(a, b) else self.num(a)


def _F_first_order(op: Operator, Q: Sequence[Any], T: Fraction, vals: Mapping[str, Fraction],
                   prec: int, at_point: bool = False) -> list[Any]:
    """``lim_{t->0+} F_T(p + t d)`` by Theorem V.3'': the values at ``t = 0`` of the algorithm run
    to first order (raises Undecided when the theorem does not apply). ``at_point``: ``F_T(p)``
    itself, exact where rational and Arb elsewhere (``Q`` plain Fractions)."""
    p = prec
    while True:
        try:
            with _Ctx(p):
                out = exact_algorithm(op, vals)(list(Q), T, _FwdArith(at_point))
                return [_Fwd.of(v).v for v in out]
        except (NotWellDefined, ZeroDivisionError, _NotExact) as exc:
            if at_point:
                raise
            raise Undecided(f"the path is not defined at t = 0 ({exc})") from None
        except Undecided:
            if p >= MAX_PREC:
                raise
            p *= 2


class _StrictArb(ArbArith):
    """Arb balls where a derived comparison of two equal (exact) values, or a test for 0 of a
    value that is 0, is undecided."""

    def num(self, v: Any) -> Any:
        return super().num(v.plain() if isinstance(v, _DirectedEntry) else v)

    def is_zero(self, a: Any) -> bool:
        if super().is_zero(a):
            raise Undecided("a derived value tested for 0 is 0 (not strict)")
        return False

    def gt(self, a: Any, b: Any) -> bool:
        if a == b:
            raise Undecided("non-strict derived comparison")
        return super().gt(a, b)

    def ge(self, a: Any, b: Any) -> bool:
        if a == b:
            raise Undecided("non-strict derived comparison")
        return super().ge(a, b)


class _StrictExact(_ExactArith):
    def num(self, v: Any) -> Fraction:
        return v.plain() if isinstance(v, _DirectedEntry) else super().num(v)

    def is_zero(self, a: Fraction) -> bool:
        if a == 0:
            raise Undecided("a derived value tested for 0 is 0 (not strict)")
        return False

    def gt(self, a: Fraction, b: Fraction) -> bool:
        if a == b:
            raise Undecided("non-strict derived comparison")
        return a > b

    def ge(self, a: Fraction, b: Fraction) -> bool:
        if a == b:
            raise Undecided("non-strict derived comparison")
        return a >= b


# =============================================================================================
# Values: Fractions (exact) or flint arb balls
# =============================================================================================


def _ball(v: Any) -> Any:
    if isinstance(v, Fraction):
        return flint.arb(flint.fmpq(v.numerator, v.denominator))
    return v


def _is_exact(v: Any) -> bool:
    return isinstance(v, Fraction)


def _decide(rel: str, a: Any, b: Any) -> bool | None:
    """True: ``a rel b`` certainly; False: certainly not; None: undecided."""
    if _is_exact(a) and _is_exact(b):
        return {"<": a < b, "<=": a <= b, "!=": a != b, "==": a == b}[rel]
    x, y = _ball(a), _ball(b)
    if rel == "<":
        return True if x < y else (False if x >= y else None)
    if rel == "<=":
        return True if x <= y else (False if x > y else None)
    if rel == "!=":
        return True if x != y else (False if x == y else None)
    if rel == "==":
        return True if x == y else (False if x != y else None)
    raise RecheckError(f"unknown relation {rel!r}")


def _prec_from(ce: Counterexample) -> int:
    m = re.search(r"at (\d+) bits", ce.certified_by or "")
    stored = int(m.group(1)) if m else 256
    return min(MAX_PREC, max(512, 2 * stored))


class _Ctx:
    def __init__(self, prec: int) -> None:
        self.prec = prec

    def __enter__(self) -> _Ctx:
        self.old = flint.ctx.prec
        flint.ctx.prec = self.prec
        return self

    def __exit__(self, *exc: Any) -> None:
        flint.ctx.prec = self.old


def _parse_q(s: Any, what: str) -> Fraction:
    if isinstance(s, bool) or not isinstance(s, (str, int)):
        raise RecheckError(f"{what}={s!r} is not an exact rational")
    text = str(s).strip()
    if not _RATIONAL.match(text):
        raise RecheckError(f"{what}={s!r} is not an exact rational 'a/b'")
    return Fraction(text)


def _parse_vector(text: str, what: str) -> list[sp.Expr]:
    """Comma-separated exact numbers inside one pair of brackets, parsed by the safe parser."""
    from skd.operators.parse import parse_formula

    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch in "(["
        depth -= ch in ")]"
        cur += ch
    parts.append(cur)
    out = []
    for part in parts:
        e = parse_formula(part.strip(), symbols=[])
        if e.free_symbols:
            raise RecheckError(f"{what}: entry {part.strip()!r} is not a number")
        out.append(e)
    return out


# =============================================================================================
# Evaluation
# =============================================================================================


def _env(op: Operator, vals: Mapping[str, Fraction], ar: Arith) -> dict[sp.Symbol, Any]:
    return {prm.symbol: ar.num(vals[prm.name]) for prm in op.params}


def _F_exact(op: Operator, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction],
             strict: bool = False) -> list[Fraction] | None:
    try:
        out = exact_algorithm(op, vals)(list(P), T, _StrictExact() if strict else _ExactArith())
    except (_NotExact, Undecided, NotWellDefined, ZeroDivisionError, TypeError):
        return None
    return [Fraction(v) for v in out]


def _F_arb(op: Operator, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction], prec: int,
           strict: bool = False) -> list[Any]:
    """F_T(p) as Arb balls at ``prec`` bits or more (raises Undecided / NotWellDefined).

    ``T`` goes to the algorithm as the exact rational it is; an algorithm that mixes it with the
    arithmetic's balls (``ar.num(1) / T``: an Arb ball does not combine with a ``Fraction``) gets
    the same number as an exact ball instead."""
    p = prec
    as_ball = False
    while True:
        try:
            with _Ctx(p):
                ar = _StrictArb(p) if strict else ArbArith(p)
                out = exact_algorithm(op, vals)(list(P), ar.num(T) if as_ball else T, ar)
                return [v if isinstance(v, flint.arb) else flint.arb(_ball(v)) for v in out]
        except TypeError:
            if as_ball or op.kind != "vector":
                raise
            as_ball = True
        except Undecided:
            if p == prec and op.kind == "vector" and not strict:
                # an exact equality the balls cannot see (a mass of exactly 9/10 compared with 9/10):
                # exact where rational, Arb elsewhere, before more bits
                try:
                    return [_ball(v) for v in _F_first_order(op, P, T, vals, prec, at_point=True)]
                except (Undecided, _NotExact, TypeError):
                    pass
            if p >= MAX_PREC:
                raise
            p *= 2


def _F_best(op: Operator, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction], prec: int,
            strict: bool = False) -> list[Any]:
    exact = _F_exact(op, P, T, vals, strict)
    if exact is not None:
        return exact
    return _F_arb(op, P, T, vals, prec, strict)


def _scores_arb(op: Operator, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction], prec: int) -> list[Any]:
    ar = ArbArith(prec)
    with _Ctx(prec):
        env = _env(op, vals, ar)
        env[T_SYM], env[V_SYM] = ar.num(T), ar.num(len(P))
        out = []
        for v in P:
            env[X_SYM] = ar.num(v)
            out.append(eval_expr(op.score, env, ar))
        return out


def _scores_exact(op: Operator, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> list[Fraction] | None:
    ar = _ExactArith()
    env = _env(op, vals, ar)
    env[T_SYM], env[V_SYM] = ar.num(T), ar.num(len(P))
    out = []
    try:
        for v in P:
            env[X_SYM] = ar.num(v)
            out.append(Fraction(eval_expr(op.score, env, ar)))
    except (_NotExact, Undecided, TypeError):
        return None
    return out


def _entropy(q: Sequence[Any], prec: int) -> Any:
    with _Ctx(prec):
        total = flint.arb(0)
        for v in q:
            b = _ball(v)
            if b.is_zero() or (_is_exact(v) and v == 1):
                continue
            if not b > 0:
                raise Undecided("entry of F not certainly positive")
            total -= b * b.log()
        return total


def _enclose_sym(e: sp.Expr, prec: int) -> Any:
    if isinstance(e, sp.Rational):
        return Fraction(int(e.p), int(e.q))
    ar = ArbArith(prec)
    with _Ctx(prec):
        return eval_expr(e, {}, ar)


# =============================================================================================
# Checks
# =============================================================================================


def _stored_ok(enc: Enclosure, value: Any, prec: int, side: str) -> None:
    """The stored enclosure must overlap the recomputed value; its decimal must lie in it."""
    with _Ctx(prec):
        try:
            stored = flint.arb(enc.ball)
        except Exception:  # noqa: BLE001
            raise RecheckError(f"{side}: stored enclosure {enc.ball!r} is not an Arb ball") from None
        if not stored.is_finite():
            raise RecheckError(f"{side}: stored enclosure {enc.ball!r} is not finite")
        fresh = _ball(value)
        if not stored.overlaps(fresh):
            raise RecheckError(f"{side}: stored enclosure {enc.ball} does not overlap the recomputed "
                               f"{fresh.str(20, radius=True)}")
        try:
            dec = flint.arb(enc.decimal)
        except Exception:  # noqa: BLE001
            raise RecheckError(f"{side}: stored decimal {enc.decimal!r} is not a number") from None
        slack = stored.abs_upper() * flint.arb("1e-45")
        if not (dec - stored).abs_lower() <= slack:
            raise RecheckError(f"{side}: stored decimal {enc.decimal} is not in the stored enclosure {enc.ball}")


def _certain(rel: str, lhs: Any, rhs: Any, what: str) -> None:
    r = _decide(rel, lhs, rhs)
    if r is True:
        return
    if r is False:
        raise RecheckError(f"{what}: the relation lhs {rel} rhs does not hold")
    raise RecheckError(f"{what}: lhs {rel} rhs is undecided at the recheck precision")


def _distance(F: Sequence[Any], L: Sequence[Any], prec: int) -> float:
    with _Ctx(prec):
        return max(float(abs(_ball(a) - _ball(b)).upper()) for a, b in zip(F, L, strict=False))


def _approach(points: Sequence[tuple[int, Any]], L: Sequence[Any], gap: float, what: str) -> None:
    """``points``: (k, thunk returning F or None). The distances to L must shrink below gap/4."""
    ds = []
    for k, thunk in points:
        try:
            F = thunk()
        except (Undecided, NotWellDefined, ZeroDivisionError):
            continue
        if F is None:
            continue
        ds.append(_distance(F, L, max(512, k + 128)))
    if len(ds) < 3:
        raise RecheckError(f"{what}: too few evaluations to confirm the limit")
    first, last = ds[0], ds[-1]
    if not (last <= gap / 4 and last <= max(first, gap / 1000)):
        raise RecheckError(f"{what}: F does not approach the stored limit (distances "
                           + ", ".join(f"{d:.3g}" for d in ds) + ")")


def _gap(a: Any, b: Any, prec: int) -> float:
    with _Ctx(prec):
        return float(abs(_ball(a) - _ball(b)).lower())


def _target(P: Sequence[Fraction], which: str, profile: str) -> list[Fraction]:
    if which == "cold":
        top = max(P)
        mask = [v == top for v in P]
    elif profile == "closed":
        mask = [v > 0 for v in P]
    else:
        mask = [True] * len(P)
    m = sum(mask)
    return [Fraction(1, m) if b else Fraction(0) for b in mask]


def _contains_token(text: str, piece: str) -> bool:
    """``piece`` occurs in ``text`` and is not the prefix of a longer number ('T = 1' in 'T = 1/2')."""
    start = text.find(piece)
    while start >= 0:
        after = text[start + len(piece):start + len(piece) + 1]
        if not (piece[-1:].isdigit() and after and (after.isdigit() or after == "/")):
            return True
        start = text.find(piece, start + 1)
    return False


def _q_lit(q: Fraction) -> str:
    return f"Q({q.numerator})" if q.denominator == 1 else f"Q({q.numerator},{q.denominator})"


def _list_lit(P: Sequence[Fraction]) -> str:
    return "[" + ", ".join(_q_lit(v) for v in P) + "]"


def _fmt_q(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


_MAX_CONSTANT_CHARS = 200


def _is_exact_zero(c: sp.Expr) -> bool:
    """``c`` is exactly 0: SymPy's exact evaluation gives the literal 0, or ``c`` is algebraic
    with minimal polynomial ``z``. False means not proved."""
    if c.free_symbols or c.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
        return False
    if c == 0 or sp.expand(c) == 0:
        return True
    if sp.count_ops(c) > 60 or sp.expand(c).is_algebraic is not True:
        return False
    z = sp.Dummy("z")
    try:
        return bool(sp.minimal_polynomial(sp.expand(c), z) == z)
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError):
        return False


def _must_be_nonzero(expr: sp.Expr) -> list[sp.Expr]:
    """Subterms whose value 0 leaves ``expr`` undefined: divisors (bases of negative powers),
    ``log`` arguments, and ``cos(a)`` for each ``tan(a)``."""
    found = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and node.exp.is_number and node.exp.is_negative:
            found.append(node.base)
        elif isinstance(node, sp.log):
            found.append(node.args[0])
        elif isinstance(node, sp.tan):
            found.append(sp.cos(node.args[0]))
    return found


def _written_side_condition_fails(op: Operator, env: dict[Any, Any], ar: Any, prec: int) -> str | None:
    """A side condition of the formula as written (``op.obligations``, re-derived from the
    definition text by the parser) that fails at ``env`` for certain: ``!= 0`` violated by a
    value that is exactly 0, ``> 0`` / ``>= 0`` by a value certainly below. None otherwise."""
    for kind, e, guard in getattr(op, "obligations", ()):
        cond = e if guard is sp.true else sp.Piecewise((e, guard), (sp.Integer(1), True))
        try:
            with _Ctx(prec):
                v = eval_expr(cond, env, ar)
                if kind == "ne0":
                    bad = v == 0 if isinstance(v, Fraction) else bool(v.is_zero())
                elif kind == "gt0":
                    bad = bool(v <= 0)
                else:
                    bad = bool(v < 0)
        except (NotWellDefined, Undecided, ZeroDivisionError, TypeError, ValueError, AttributeError, _NotExact):
            continue
        if bad:
            return f"its side condition {sp.sstr(e)} {dict(ne0='!= 0', gt0='> 0', ge0='>= 0').get(kind, kind)} fails"
    return None


# -- a jump in a segment of T (Theorem V.3'''), independent of the certifier's -------------------


class _Seg:
    """A value of the algorithm for every T of a segment at once: an Arb ball, arithmetic only (a
    comparison, truth value or conversion outside the arithmetic is refused and remembered)."""

    __slots__ = ("b",)
    refused: list[str] = []

    def __init__(self, b: Any) -> None:
        self.b = b

    @classmethod
    def fail(cls, exc: Exception) -> Any:
        cls.refused.append(str(exc))
        raise exc

    @staticmethod
    def ball(v: Any) -> Any:
        if isinstance(v, _Seg):
            return v.b
        if isinstance(v, bool) or not isinstance(v, (int, Fraction)):
            return _Seg.fail(TypeError(f"{type(v).__name__} does not combine with a segment value"))
        q = Fraction(v)
        return flint.arb(flint.fmpq(q.numerator, q.denominator))

    def __add__(self, o: Any) -> _Seg:
        return _Seg(self.b + _Seg.ball(o))

    def __radd__(self, o: Any) -> _Seg:
        return _Seg(_Seg.ball(o) + self.b)

    def __sub__(self, o: Any) -> _Seg:
        return _Seg(self.b - _Seg.ball(o))

    def __rsub__(self, o: Any) -> _Seg:
        return _Seg(_Seg.ball(o) - self.b)

    def __mul__(self, o: Any) -> _Seg:
        return _Seg(self.b * _Seg.ball(o))

    def __rmul__(self, o: Any) -> _Seg:
        return _Seg(_Seg.ball(o) * self.b)

    def __truediv__(self, o: Any) -> _Seg:
        d = _Seg.ball(o)
        return _Seg(self.b / d) if not d.contains(0) else _Seg.fail(Undecided("division by a ball holding 0"))

    def __rtruediv__(self, o: Any) -> _Seg:
        return _Seg(_Seg.ball(o)) / self

    def __neg__(self) -> _Seg:
        return _Seg(-self.b)

    def __pos__(self) -> _Seg:
        return self

    def __abs__(self) -> _Seg:  # continuous: a ball of |x| for every x of the ball
        return _Seg(abs(self.b))

    def __pow__(self, k: Any) -> _Seg:
        if isinstance(k, bool) or not isinstance(k, int) or (k < 0 and self.b.contains(0)):
            return _Seg.fail(TypeError(f"** {k!r} of a segment value"))
        return _Seg(self.b ** k)

    def _no(self, *_: Any) -> Any:
        return _Seg.fail(TypeError("a segment value used outside the arithmetic"))

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = __bool__ = __float__ = __int__ = __index__ = _no
    __complex__ = __round__ = __trunc__ = __floor__ = __ceil__ = _no
    __rpow__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __divmod__ = __rdivmod__ = _no
    __hash__ = None  # type: ignore[assignment]

    def __getattr__(self, name: str) -> Any:
        return _Seg.fail(AttributeError(f"no attribute {name!r} on a segment value"))


class _SegArith(Arith):
    """The arithmetic of a segment run: balls decide what they can; the first comparison they
    cannot is answered ``answer``, a second is refused."""

    name = "recheck-segment"
    _FUNCS = frozenset({"sin", "cos", "sinh", "cosh", "tanh", "atan", "erf"})

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.open_comparisons = 0

    def num(self, v: Any) -> _Seg:
        return _Seg(_Seg.ball(v))

    def _pos(self, a: Any) -> Any:
        b = _Seg.ball(a)
        if not b > 0:
            raise Undecided("not certainly positive on the segment")
        return b

    def log(self, a: Any) -> _Seg:
        return _Seg(self._pos(a).log())

    def exp(self, a: Any) -> _Seg:
        return _Seg(_Seg.ball(a).exp())

    def sqrt(self, a: Any) -> _Seg:
        b = _Seg.ball(a)
        if not b >= 0:
            raise Undecided("sqrt: not certainly >= 0 on the segment")
        return _Seg(b.sqrt())

    def pow(self, a: Any, b: Any) -> _Seg:
        return _Seg((_Seg.ball(b) * self._pos(a).log()).exp())

    def max(self, a: Any, b: Any) -> _Seg:
        return _Seg(_Seg.ball(a).max(_Seg.ball(b)))

    def min(self, a: Any, b: Any) -> _Seg:
        return _Seg(_Seg.ball(a).min(_Seg.ball(b)))

    def _open(self, yes: bool, no: bool) -> bool:
        if yes != no:
            return yes
        self.open_comparisons += 1
        if self.open_comparisons > 1:
            raise Undecided("a second comparison the balls leave open on the segment")
        return self.answer

    def gt(self, a: Any, b: Any) -> bool:
        x, y = _Seg.ball(a), _Seg.ball(b)
        return self._open(bool(x > y), bool(x <= y))

    def ge(self, a: Any, b: Any) -> bool:
        x, y = _Seg.ball(a), _Seg.ball(b)
        return self._open(bool(x >= y), bool(x < y))

    def is_zero(self, a: Any) -> bool:
        x = _Seg.ball(a)
        return self._open(bool(x.is_zero()), not x.contains(0))

    def func(self, name: str, a: Any) -> _Seg:
        if name not in self._FUNCS:
            raise Undecided(f"ar.func({name!r}) is not continuous on the whole line")
        return _Seg(getattr(_Seg.ball(a), name)())

    @property
    def pi(self) -> _Seg:
        return _Seg(flint.arb.pi())

    @property
    def e(self) -> _Seg:
        return _Seg(flint.arb(1).exp())


def _segment_balls(op: Operator, P: Sequence[Fraction], T1: Fraction, T2: Fraction, prec: int,
                   answer: bool) -> list[Any]:
    """F over the whole segment ``[T1, T2]`` with its one open comparison answered ``answer``."""
    _Seg.refused = []
    with _Ctx(prec):
        ar = _SegArith(answer)
        T = _Seg(_Seg.ball(T1).union(_Seg.ball(T2)))
        try:
            out = exact_algorithm(op)(list(P), T, ar)
        except Exception as exc:  # noqa: BLE001 - user code raising on the segment: the certificate fails
            raise RecheckError(f"the segment run (answer {answer}) fails: {type(exc).__name__}: {str(exc)[:120]}") from None
        if _Seg.refused:
            raise RecheckError(f"the algorithm went on after a refusal on the segment ({_Seg.refused[0][:80]})")
        if ar.open_comparisons != 1:
            raise RecheckError(f"the segment run leaves {ar.open_comparisons} comparisons open (exactly 1 needed)")
        balls = [_Seg.ball(v) for v in out]
    if len(balls) != len(P) or not all(b.is_finite() for b in balls):
        raise RecheckError("the segment run's outputs are not V finite balls")
    return balls


class _Recheck:
    def __init__(self, op: Operator, axiom: str, ce: Counterexample, profile: str) -> None:
        if profile not in PROFILES:
            raise RecheckError(f"unknown profile {profile!r}")
        PROFILES[profile].get(axiom)
        self.op, self.axiom, self.ce, self.profile = op, axiom, ce, profile
        self.prec = _prec_from(ce)

    # -- inputs ----------------------------------------------------------------------------
    def inputs(self) -> None:
        ce, op = self.ce, self.op
        P = [_parse_q(v, "p entry") for v in ce.p]
        if len(P) < 2:
            raise RecheckError("V >= 2 is required")
        if ce.V != len(P):
            raise RecheckError(f"V = {ce.V} but p has {len(P)} entries")
        if op.kind == "vector" and len(P) not in op.sizes:
            raise RecheckError(f"{op.name} is declared for V in {op.sizes}, not V = {len(P)}")
        open_simplex = self.profile != "closed"
        if any(v < 0 for v in P) or (open_simplex and any(v == 0 for v in P)):
            raise RecheckError("p is not in the " + ("open" if open_simplex else "closed") + " simplex")
        if sum(P) != 1:
            raise RecheckError(f"p sums to {sum(P)}, not exactly 1")
        self.P = P
        vals = {}
        stored = dict(ce.values or ())
        names = {prm.name for prm in op.params}
        if set(stored) - names:
            raise RecheckError(f"values for unknown parameters {sorted(set(stored) - names)}")
        for prm in op.params:
            if prm.name not in stored:
                raise RecheckError(f"no value for parameter {prm.name!r}")
            v = _parse_q(stored[prm.name], prm.name)
            if not prm.contains(v):
                raise RecheckError(f"{prm.name} = {v} is outside {prm.describe()}")
            vals[prm.name] = v
        self.vals = vals

    def T(self) -> Fraction:
        t = _parse_q(self.ce.T, "T")
        if t <= 0:
            raise RecheckError(f"T = {t} is not > 0")
        return t

    def index(self, k: Any, what: str) -> int:
        if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < len(self.P):
            raise RecheckError(f"{what} = {k!r} is not an index of p")
        return k

    def relation(self, expected: str | Sequence[str]) -> str:
        allowed = (expected,) if isinstance(expected, str) else tuple(expected)
        if self.ce.relation not in allowed:
            raise RecheckError(f"relation {self.ce.relation!r} is not the violation of {self.axiom} "
                               f"({' or '.join(allowed)}) under profile {self.profile!r}")
        return self.ce.relation

    def mentions(self, *, statement: Sequence[str] = (), reproduce: Sequence[str] = ()) -> None:
        """The readable parts of the record must describe the stored inputs (binds them together:
        a field changed after certification no longer matches its statement / snippet)."""
        for piece in statement:
            if not _contains_token(self.ce.statement or "", piece):
                raise RecheckError(f"the statement does not match the stored fields (expected {piece!r} in it)")
        for piece in reproduce:
            if not _contains_token(self.ce.reproduce or "", piece):
                raise RecheckError(f"the reproduce snippet does not match the stored fields (expected {piece!r} in it)")

    def sides(self, lhs: Any, rhs: Any) -> None:
        _stored_ok(self.ce.lhs, lhs, self.prec, "lhs")
        _stored_ok(self.ce.rhs, rhs, self.prec, "rhs")

    # -- per axiom -------------------------------------------------------------------------
    def run(self) -> tuple[bool, str]:
        self.inputs()
        handler = {
            "ranking": self.ranking, "identity": self.identity, "entropy": self.entropy,
            "well_defined": self.well_defined, "boundary_cold": self.limit, "boundary_hot": self.limit,
            "continuity": self.continuity,
        }[self.axiom]
        return True, handler()

    def _undefined_at_constant(self) -> str:
        """An 'undefined' counterexample at an exact irrational temperature (``sqrt(2)``, ``pi``):
        ``T`` is parsed by the safe parser as a constant, proved > 0 by SymPy's exact assumptions, and
        a divisor, a ``log`` argument, a written side condition or every score must be exactly 0."""
        from skd.operators.parse import ExpressionError, parse_formula

        text = str(self.ce.T or "").strip()
        if len(text) > _MAX_CONSTANT_CHARS:
            raise RecheckError(f"T = {text[:40]}... is longer than {_MAX_CONSTANT_CHARS} characters")
        try:
            t0 = parse_formula(text, symbols=())
        except ExpressionError as exc:
            raise RecheckError(f"T = {text!r} is neither an exact rational nor an exact constant: {exc}") from None
        if t0.free_symbols or not t0.is_real:
            raise RecheckError(f"T = {text!r} is not a real constant")
        if cast("sp.Expr", self.op.score).has(sp.Piecewise) or any(e.has(sp.Piecewise)
                                                                    for _k, e, _g in getattr(self.op, "obligations", ())):
            raise RecheckError("an exact-constant counterexample needs a score without Piecewise branches "
                               "(a divisor in a branch that is not taken does not make the score undefined)")
        if t0.is_positive is not True:  # SymPy's exact assumptions, not a floating-point value
            raise RecheckError(f"T = {text} is not proved > 0")
        self.mentions(statement=[f"at T = {text}"], reproduce=[_list_lit(self.P), repr(text)])
        op, P = self.op, self.P
        env = {prm.symbol: sp.Rational(self.vals[prm.name].numerator, self.vals[prm.name].denominator) for prm in op.params}
        env.update({T_SYM: t0, V_SYM: sp.Integer(len(P))})
        checks = [(op.score, False)] + [(e, True) for kind, e, guard in getattr(op, "obligations", ())
                                        if guard is sp.true and kind in ("ne0", "gt0")]
        for k, v in enumerate(P):
            point = {**env, X_SYM: sp.Rational(v.numerator, v.denominator)}
            for expr, itself in checks:
                for d in _must_be_nonzero(expr) + ([expr] if itself else []):
                    if _is_exact_zero(d.subs(point, simultaneous=True)):
                        return f"g(p_{k}, T, V) is undefined at T = {text}: {sp.sstr(d)} is exactly 0"
        scores = [cast("sp.Expr", op.score).subs({**env, X_SYM: sp.Rational(v.numerator, v.denominator)}, simultaneous=True) for v in P]
        if all(_is_exact_zero(sc) for sc in scores):
            return f"every score is exactly 0 at T = {text}: the normaliser is 0"
        raise RecheckError(f"F_T(p) is not certainly undefined at T = {text}")

    def ranking(self) -> str:
        rel = self.relation("<" if self.profile == "weak" else "<=")
        t = self.T()
        i, j = self.index(self.ce.i, "i"), self.index(self.ce.j, "j")
        if i == j or not self.P[i] > self.P[j]:
            raise RecheckError(f"p_{i} > p_{j} does not hold")
        self.mentions(statement=[f"p_{i} > p_{j}", f"F_T(p)_{i} {rel} F_T(p)_{j}", f"T = {_fmt_q(t)}"],
                      reproduce=[_list_lit(self.P), _q_lit(t), f"F[{i}]", f"F[{j}]"])
        F = _F_best(self.op, self.P, t, self.vals, self.prec)
        _certain(rel, F[i], F[j], "ranking")
        self.sides(F[i], F[j])
        return f"p_{i} > p_{j} and F_T(p)_{i} {rel} F_T(p)_{j} re-established ({self._how(F[i], F[j])})"

    def identity(self) -> str:
        self.relation("!=")
        if self.T() != 1:
            raise RecheckError("an identity counterexample is at T = 1")
        i = self.index(self.ce.i, "i")
        self.mentions(statement=[f"F_1(p)_{i} != p_{i}"], reproduce=[_list_lit(self.P), f"F[{i}]"])
        F = _F_best(self.op, self.P, Fraction(1), self.vals, self.prec)
        _certain("!=", F[i], self.P[i], "identity")
        self.sides(F[i], self.P[i])
        return f"F_1(p)_{i} != p_{i} re-established ({self._how(F[i], self.P[i])})"

    def entropy(self) -> str:
        self.relation("<")
        t1 = self.T()
        t2 = _parse_q(self.ce.T2, "T2")
        if not 0 < t1 < t2:
            raise RecheckError(f"T1 = {t1} < T2 = {t2} does not hold")
        self.mentions(statement=[f"T1 = {_fmt_q(t1)}, T2 = {_fmt_q(t2)}"],
                      reproduce=[_list_lit(self.P), _q_lit(t1), _q_lit(t2)])
        H1 = _entropy(_F_best(self.op, self.P, t1, self.vals, self.prec), self.prec)
        H2 = _entropy(_F_best(self.op, self.P, t2, self.vals, self.prec), self.prec)
        _certain("<", H2, H1, "entropy")
        self.sides(H2, H1)
        return f"H(F_T2(p)) < H(F_T1(p)) re-established at {self.prec} bits"

    def well_defined(self) -> str:
        rel = self.relation(("<", "!=", "==", "undefined"))
        if rel == "undefined" and self.op.kind == "separable" and not _RATIONAL.match(str(self.ce.T or "").strip()):
            return self._undefined_at_constant()
        t = self.T()
        op, P, vals = self.op, self.P, self.vals
        self.mentions(statement=[f"at T = {_fmt_q(t)}"]
                      + ([f"F_T(p)_{self.ce.i} < 0"] if rel == "<" else [])
                      + ([f"at entry {self.ce.i}"] if rel == "undefined" and self.ce.i is not None else []),
                      reproduce=[_list_lit(P), _q_lit(t)] + ([f"[{self.ce.i}]"] if rel == "<" else []))
        if rel == "undefined":
            if self.ce.lhs.ball != "undefined" or self.ce.rhs.ball != "undefined":
                raise RecheckError("an 'undefined' counterexample stores no numeric sides")
            i = self.ce.i
            if op.kind == "separable":
                i = self.index(i, "i")
                ar = ArbArith(self.prec)
                env = _env(op, vals, ar)
                env[T_SYM], env[V_SYM], env[X_SYM] = ar.num(t), ar.num(len(P)), ar.num(P[i])
                ex = _ExactArith()
                exact_env = _env(op, vals, ex)
                exact_env[T_SYM], exact_env[V_SYM], exact_env[X_SYM] = ex.num(t), ex.num(len(P)), ex.num(P[i])
                written = (_written_side_condition_fails(op, exact_env, ex, self.prec)
                           or _written_side_condition_fails(op, env, ar, self.prec))
                if written is not None:
                    return f"g(p_{i}, T, V) is undefined as written: {written}"
                try:
                    with _Ctx(self.prec):
                        eval_expr(op.score, env, ar)
                except NotWellDefined as exc:
                    return f"g(p_{i}, T, V) is undefined: {exc}"
                except Undecided:
                    pass
                ex = _ExactArith()
                env = _env(op, vals, ex)
                env[T_SYM], env[V_SYM], env[X_SYM] = ex.num(t), ex.num(len(P)), ex.num(P[i])
                try:
                    eval_expr(op.score, env, ex)
                except ZeroDivisionError:
                    return f"g(p_{i}, T, V) divides by exactly 0"
                except (_NotExact, Undecided, NotWellDefined):
                    pass
                # a rational T where only exact symbolic evaluation sees the zero (sin(pi*T) at T = 1)
                return self._undefined_at_constant()
            try:
                with _Ctx(self.prec):
                    exact_algorithm(op)(list(P), t, ArbArith(self.prec))
            except NotWellDefined as exc:
                return f"the algorithm is undefined: {exc}"
            except Undecided:
                pass
            try:
                exact_algorithm(op)(list(P), t, _ExactArith())
            except ZeroDivisionError:
                return "the algorithm divides by exactly 0"
            except (_NotExact, Undecided, NotWellDefined, TypeError):
                pass
            raise RecheckError("F_T(p) is not certainly undefined")
        if op.kind == "separable":
            g = _scores_exact(op, P, t, vals)
            if g is None:
                g = _scores_arb(op, P, t, vals, self.prec)
            with _Ctx(self.prec):
                total = g[0]
                for v in g[1:]:
                    total = total + v
                if rel == "==":
                    _certain("==", total, Fraction(0), "normaliser")
                    self.sides(total, Fraction(0))
                    return "the normaliser is exactly 0"
                if rel != "<":
                    raise RecheckError("a separable F sums to 1 by construction")
                i = self.index(self.ce.i, "i")
                tb = _ball(total)
                if not (tb > 0 or tb < 0):
                    raise RecheckError("the normaliser's sign is undecided")
                Fi = g[i] / total if _is_exact(g[i]) and _is_exact(total) else _ball(g[i]) / tb
        else:
            F = _F_best(op, P, t, vals, self.prec)
            if rel == "!=":
                with _Ctx(self.prec):
                    s = F[0]
                    for v in F[1:]:
                        s = s + v if _is_exact(s) and _is_exact(v) else _ball(s) + _ball(v)
                _certain("!=", s, Fraction(1), "sum")
                self.sides(s, Fraction(1))
                return "the entries of F_T(p) certainly do not sum to 1"
            if rel != "<":
                raise RecheckError("relation not applicable to a vector operator")
            i = self.index(self.ce.i, "i")
            Fi = F[i]
        _certain("<", Fi, Fraction(0), "negative entry")
        self.sides(Fi, Fraction(0))
        return f"F_T(p)_{self.ce.i} < 0 re-established"

    def limit(self) -> str:
        self.relation("!=")
        which = "cold" if self.axiom == "boundary_cold" else "hot"
        want_T = "0+" if which == "cold" else "oo"
        if self.ce.T != want_T:
            raise RecheckError(f"T = {self.ce.T!r}: a {which} limit counterexample has T = {want_T!r}")
        m = re.fullmatch(r"lim_\{T->(0\+|oo)\} F_T\(p\) = \[(.*)\]", self.ce.limit or "")
        if not m or m.group(1) != want_T:
            raise RecheckError(f"limit field {self.ce.limit!r} is not an exact {which} limit")
        L = [_enclose_sym(e, self.prec) for e in _parse_vector(m.group(2), "limit")]
        if len(L) != len(self.P):
            raise RecheckError("the stored limit has the wrong length")
        # no distribution check of L: a map that is no operator may tend to a vector that is no
        # distribution; the exact limit differing from the target and F approaching it suffice
        target = _target(self.P, which, self.profile)
        i = self.index(self.ce.i, "i")
        self.mentions(statement=[f"lim_{{T->{want_T}}} F_T(p)_{i} ="], reproduce=[_list_lit(self.P), f"F[{i}]"])
        _certain("!=", L[i], target[i], "limit vs target")
        self.sides(L[i], target[i])
        gap = _gap(L[i], target[i], self.prec)
        P, vals, op = self.P, self.vals, self.op
        if which == "cold":
            pts = [(k, (lambda k=k: _F_arb(op, P, Fraction(1, 2**k), vals, max(512, k + 128)))) for k in _EVIDENCE_K]
        else:
            pts = [(k, (lambda k=k: _F_arb(op, P, Fraction(2**k), vals, max(512, k + 128)))) for k in _EVIDENCE_K]
        _approach(pts, L, gap, f"T -> {want_T}")
        return f"limit_{i} != target_{i} re-established; F approaches the stored limit along T = 2^{'-' if which == 'cold' else ''}k"

    def _distribution(self, L: Sequence[Any]) -> None:
        with _Ctx(self.prec):
            for v in L:
                if _decide("<", v, Fraction(0)) is True:
                    raise RecheckError("the stored limit has a negative entry")
            s = flint.arb(0)
            for v in L:
                s += _ball(v)
            if s != 1 and not s.contains(1):
                raise RecheckError("the stored limit does not sum to 1")

    def continuity(self) -> str:
        self.relation("!=")
        lim = self.ce.limit or ""
        m = re.fullmatch(r"lim_\{t->0\+\} F_T\(p \+ t\*d\), d = \[(.*)\]", lim)
        if m:
            return self._direction(m.group(1))
        m = re.fullmatch(r"lim_\{t->0\+\} F_T\(p \+ t\*d\) = \[(.*)\]; lim_\{t->0\+\} F_T\(p - t\*d\) = \[(.*)\], "
                         r"d = \[(.*)\]", lim)
        if m:
            return self._stored_directions(m.group(3), [("+", m.group(1)), ("-", m.group(2))])
        m = re.fullmatch(r"lim_\{t->0\+\} F_T\(p ([+-]) t\*d\) = \[(.*)\], d = \[(.*)\]", lim)
        if m:
            return self._stored_directions(m.group(3), [(m.group(1), m.group(2))])
        m = re.fullmatch(r"lim_\{T->T0-\} F_T\(p\) = \[(.*)\]; lim_\{T->T0\+\} F_T\(p\) = \[(.*)\]", lim)
        if m:
            return self._one_sided(m.group(1), m.group(2))
        m = re.fullmatch(r"lim_\{T->T0([+-])\} F_T\(p\) = \[(.*)\]; F_T0\(p\)", lim)
        if m:
            return self._one_sided_vs_value(m.group(1), m.group(2))
        m = re.fullmatch(r"jump in T in \[([^,\]]+), ([^,\]]+)\], the undecided comparison answered (True|False) at T1", lim)
        if m:
            return self._segment(m.group(1), m.group(2), m.group(3) == "True")
        raise RecheckError(f"limit field {lim!r} describes no discontinuity")

    def _segment(self, t1_text: str, t2_text: str, answer: bool) -> str:
        """Theorem V.3''': over the segment the algorithm leaves exactly one comparison open; the
        two runs' balls of F_i are disjoint, F_T1(p)_i is outside the other answer's ball and
        F_T2(p)_i outside this one's, so F_T(p)_i, in one of the two balls for every T of the
        segment, is not continuous on it."""
        if self.op.kind != "vector" or self.op.algorithm is None or self.vals:
            raise RecheckError("a jump in a segment of T is re-derived for vector operators with an algorithm only")
        t1, t2 = _parse_q(t1_text, "T1"), _parse_q(t2_text, "T2")
        if not 0 < t1 < t2 or self.ce.T != _fmt_q(t1) or self.ce.T2 != _fmt_q(t2):
            raise RecheckError("the segment [T1, T2] does not match the stored T and T2, or is not 0 < T1 < T2")
        i = self.index(self.ce.i, "i")
        self.mentions(statement=[f"F_T(p)_{i}", f"[{_fmt_q(t1)}, {_fmt_q(t2)}]"],
                      reproduce=[_list_lit(self.P), f"[{i}]"])
        X = _segment_balls(self.op, self.P, t1, t2, self.prec, answer)
        Y = _segment_balls(self.op, self.P, t1, t2, self.prec, not answer)
        F1 = _F_arb(self.op, self.P, t1, self.vals, self.prec)
        F2 = _F_arb(self.op, self.P, t2, self.vals, self.prec)
        with _Ctx(self.prec):
            if X[i].overlaps(Y[i]) or F1[i].overlaps(Y[i]) or F2[i].overlaps(X[i]):
                raise RecheckError(f"entry {i}: the two runs' balls overlap, or an end of the segment is not in "
                                   "its own run's ball only")
        for k in range(1, 8):  # evidence that the segment runs compute the algorithm's own function
            t = t1 + (t2 - t1) * Fraction(k, 8)
            try:
                v = _F_arb(self.op, self.P, t, self.vals, self.prec)[i]
            except (Undecided, NotWellDefined, ArithmeticError):
                continue
            with _Ctx(self.prec):
                if not (X[i].contains(v) or Y[i].contains(v)):
                    raise RecheckError(f"F_T(p)_{i} at T = {_fmt_q(t)} lies in neither segment ball: the algorithm "
                                       "does not compute one function in every arithmetic")
        self.sides(X[i], Y[i])
        return (f"one comparison open on [{_fmt_q(t1)}, {_fmt_q(t2)}]; F_T(p)_{i} in two disjoint balls, each end in "
                "its own: a jump in the segment re-established")

    def _one_sided(self, left_text: str, right_text: str) -> str:
        t0 = self.T()
        Lf = [_enclose_sym(e, self.prec) for e in _parse_vector(left_text, "left limit")]
        Rt = [_enclose_sym(e, self.prec) for e in _parse_vector(right_text, "right limit")]
        if len(Lf) != len(self.P) or len(Rt) != len(self.P):
            raise RecheckError("one-sided limits of the wrong length")
        self._distribution(Lf)
        self._distribution(Rt)
        i = self.index(self.ce.i, "i")
        self.mentions(statement=[f"lim_{{T->{_fmt_q(t0)}-}} F_T(p)_{i} != lim_{{T->{_fmt_q(t0)}+}} F_T(p)_{i}"],
                      reproduce=[_list_lit(self.P), _q_lit(t0), f"[{i}]"])
        _certain("!=", Lf[i], Rt[i], "one-sided limits")
        self.sides(Lf[i], Rt[i])
        gap = _gap(Lf[i], Rt[i], self.prec)
        op, P, vals = self.op, self.P, self.vals
        left = [(k, (lambda k=k: _F_arb(op, P, t0 - Fraction(1, 2**k), vals, max(512, k + 128))
                     if t0 > Fraction(1, 2**k) else None)) for k in _EVIDENCE_K]
        right = [(k, (lambda k=k: _F_arb(op, P, t0 + Fraction(1, 2**k), vals, max(512, k + 128)))) for k in _EVIDENCE_K]
        _approach(left, Lf, gap, "T -> T0-")
        _approach(right, Rt, gap, "T -> T0+")
        return f"one-sided limits at T = {t0} differ at entry {i}; F approaches both"

    def _one_sided_vs_value(self, side: str, text: str) -> str:
        t0 = self.T()
        L = [_enclose_sym(e, self.prec) for e in _parse_vector(text, "one-sided limit")]
        if len(L) != len(self.P):
            raise RecheckError("one-sided limit of the wrong length")
        self._distribution(L)
        i = self.index(self.ce.i, "i")
        self.mentions(statement=[f"lim_{{T->{_fmt_q(t0)}{side}}} F_T(p)_{i} != F_T(p)_{i} at T = {_fmt_q(t0)}"],
                      reproduce=[_list_lit(self.P), _q_lit(t0), f"[{i}]"])
        F0 = _F_best(self.op, self.P, t0, self.vals, self.prec)
        _certain("!=", L[i], F0[i], "one-sided limit vs value")
        self.sides(L[i], F0[i])
        gap = _gap(L[i], F0[i], self.prec)
        op, P, vals = self.op, self.P, self.vals
        if side == "-":
            pts = [(k, (lambda k=k: _F_arb(op, P, t0 - Fraction(1, 2**k), vals, max(512, k + 128))
                        if t0 > Fraction(1, 2**k) else None)) for k in _EVIDENCE_K]
        else:
            pts = [(k, (lambda k=k: _F_arb(op, P, t0 + Fraction(1, 2**k), vals, max(512, k + 128)))) for k in _EVIDENCE_K]
        _approach(pts, L, gap, f"T -> T0{side}")
        return f"lim_(T->{t0}{side}) F_T(p)_{i} != F_T0(p)_{i} re-established; F approaches the stored limit"

    def _parse_d(self, d_text: str) -> list[Fraction]:
        D = []
        for e in _parse_vector(d_text, "d"):
            if not isinstance(e, sp.Rational):
                raise RecheckError("d must have rational entries")
            D.append(Fraction(int(e.p), int(e.q)))
        P = self.P
        if len(D) != len(P) or sum(D) != 0 or all(v == 0 for v in D):
            raise RecheckError("d must be a non-zero vector of V entries summing to 0")
        return D

    def _stored_directions(self, d_text: str, limits: list[tuple[str, str]]) -> str:
        """Separable operators: exact directional limits stored in the record (one compared with
        F_T(p), or two compared with each other), each confirmed along p +/- 2^-k d."""
        if self.op.kind != "separable":
            raise RecheckError("stored directional limits are used for separable operators only")
        t = self.T()
        P, D, op, vals = self.P, self._parse_d(d_text), self.op, self.vals
        Ls = []
        for sgn, text in limits:
            L = [_enclose_sym(e, self.prec) for e in _parse_vector(text, "directional limit")]
            if len(L) != len(P):
                raise RecheckError("directional limit of the wrong length")
            self._distribution(L)
            Ls.append((sgn, L))
        i = self.index(self.ce.i, "i")
        if len(Ls) == 2:
            lhs, rhs = Ls[0][1][i], Ls[1][1][i]
            stmt = f"F_T(p + t*d)_{i} != lim_{{t->0+}} F_T(p - t*d)_{i} at T = {_fmt_q(t)}"
        else:
            lhs, rhs = Ls[0][1][i], _F_best(op, P, t, vals, self.prec)[i]
            stmt = f"F_T(p {Ls[0][0]} t*d)_{i} != F_T(p)_{i} at T = {_fmt_q(t)}"
        self.mentions(statement=[stmt], reproduce=[_list_lit(P), _list_lit(D), _q_lit(t), f"[{i}]"])
        _certain("!=", lhs, rhs, "directional limits")
        self.sides(lhs, rhs)
        gap = _gap(lhs, rhs, self.prec)
        moving = [P[k] / abs(D[k]) for k in range(len(P)) if D[k] != 0]
        scale = min([Fraction(1)] + [v / 2 for v in moving])
        for sgn, L in Ls:
            sign = 1 if sgn == "+" else -1

            def at(k: int, sign: int = sign) -> list[Any] | None:
                pt = [a + sign * (scale / 2**k) * b for a, b in zip(P, D, strict=True)]  # _parse_d: len(D) == len(P)
                if any(v <= 0 for v in pt):
                    return None
                return _F_arb(op, pt, t, vals, max(512, k + 128))

            _approach([(k, (lambda k=k, at=at: at(k))) for k in _EVIDENCE_K], L, gap, f"p {sgn} t d, t -> 0+")
        return f"directional limits of F_T at p re-established at entry {i}; F approaches the stored limits"

    def _direction(self, d_text: str) -> str:
        op = self.op
        if op.kind != "vector" or op.algorithm is None:
            raise RecheckError("directional limits are computed only for vector operators with an algorithm")
        order_based = bool(getattr(op, "order_based", False))
        t = self.T()
        D = self._parse_d(d_text)
        P = self.P
        if any(P[k] == 0 and D[k] < 0 for k in range(len(P))):
            raise RecheckError("p + t d leaves the simplex")
        if order_based:  # Theorem V.3: p permuted so that index order breaks the ties as d does
            sigma = sorted(range(len(P)), key=lambda k: (-P[k], -D[k], k))
            Q: list[Any] = [P[k] for k in sigma]
        else:  # Theorem V.3': the entries compare as those of p + t d for small t > 0
            sigma = list(range(len(P)))
            Q = [_DirectedEntry(a, b) for a, b in zip(P, D, strict=True)]
        try:
            out = _F_best(op, Q, t, self.vals, self.prec, strict=True)  # strict comparisons only
        except Undecided:
            if order_based:
                raise
            out = _F_first_order(op, Q, t, self.vals, self.prec)  # Theorem V.3'': to first order along d
        L: list[Any] = [None] * len(P)
        for r, k in enumerate(sigma):
            L[k] = out[r]
        try:
            F0 = _F_best(op, P, t, self.vals, self.prec)
        except Undecided:  # an equality of a rational comparison after an irrational step
            F0 = _F_first_order(op, P, t, self.vals, self.prec, at_point=True)
        i = self.index(self.ce.i, "i")
        self.mentions(statement=[f"F_T(p + t*d)_{i} != F_T(p)_{i} at T = {_fmt_q(t)}"],
                      reproduce=[_list_lit(P), _list_lit(D), _q_lit(t), f"[{i}]"])
        _certain("!=", L[i], F0[i], "directional limit vs value")
        self.sides(L[i], F0[i])
        gap = _gap(L[i], F0[i], self.prec)
        neg = [P[k] / -D[k] for k in range(len(P)) if D[k] < 0]
        scale = min([Fraction(1)] + [v / 2 for v in neg])
        vals = self.vals

        def at(k: int) -> list[Any] | None:
            tk = scale / 2**k
            pt = [a + tk * b for a, b in zip(P, D, strict=True)]  # _parse_d: len(D) == len(P)
            if any(v <= 0 for v in pt):
                return None
            return _F_arb(op, pt, t, vals, max(512, k + 128))

        _approach([(k, (lambda k=k: at(k))) for k in _EVIDENCE_K], L, gap, "p + t d, t -> 0+")
        return f"lim_(t->0+) F_T(p + t d)_{i} != F_T(p)_{i} re-established"

    def _how(self, a: Any, b: Any) -> str:
        return "exact rational arithmetic" if _is_exact(a) and _is_exact(b) else f"Arb at {self.prec} bits"


def recheck_counterexample(op: Operator, axiom_id: str, ce: Counterexample | Mapping[str, Any], *,
                           profile: str = "paper") -> tuple[bool, str]:
    """Re-validate ``ce`` for ``op`` and ``axiom_id`` from its exact inputs; ``(ok, reason)``."""
    try:
        if not isinstance(ce, Counterexample):
            ce = Counterexample.from_json(ce)
        return _Recheck(op, axiom_id, ce, profile).run()
    except RecheckError as exc:
        return False, str(exc)
    except Exception as exc:  # noqa: BLE001 - anything unexpected is a failed recheck, never a pass
        return False, f"recheck failed: {type(exc).__name__}: {exc}"


# =============================================================================================
# Reports
# =============================================================================================


def _parse_param(name: str, text: str) -> Any:
    from skd.operators import Param

    m = re.fullmatch(r"\s*([\[(])\s*(\S+)\s*,\s*(\S+)\s*([\])])\s*", text)
    if not m:
        raise RecheckError(f"parameter {name!r}: cannot read the domain {text!r}")
    lo = None if m.group(2) in ("-oo", "oo") else m.group(2)
    hi = None if m.group(3) in ("oo", "-oo") else m.group(3)
    return Param(name, lower=lo, upper=hi, lower_closed=m.group(1) == "[", upper_closed=m.group(4) == "]")


def _rebuild(obj: Mapping[str, Any], supplied: Mapping[str, Any] | None = None) -> tuple[Any | None, str]:
    """The operator a report speaks of: a separable one from its definition (the safe parser), a
    vector one from the built-in library or from ``supplied`` (the operators of a file the user
    names: a report carries no code), its hash equal to the report's in every case."""
    from skd.operators import library, separable

    kind = obj.get("kind")
    name = obj.get("name", "custom")
    if kind == "separable":
        params = [_parse_param(k, v) for k, v in (obj.get("params") or {}).items()]
        try:
            op = separable(obj["definition"], name=name if isinstance(name, str) and name and " " not in name else "custom",
                           params=params)
        except Exception as exc:  # noqa: BLE001
            return None, _short(f"cannot rebuild the operator from its definition: {exc}")
    elif kind == "vector":
        if supplied is not None and isinstance(name, str) and name in supplied:
            op = supplied[name]
        else:
            try:
                op = library.get(name)
            except Exception:  # noqa: BLE001
                return None, (f"vector operator {name!r} is not a built-in: it cannot be rebuilt from a report "
                              "(give the file that defines it: skd recheck REPORT --file PATH)")
    else:
        return None, f"unknown operator kind {kind!r}"
    if obj.get("hash") != op.hash:
        return None, _short(f"operator hash mismatch: report says {obj.get('hash')!r}, the definition gives {op.hash!r}")
    return op, "ok"


#: Time budget of one counterexample recheck (a worker process, killed at the budget).
RECHECK_SECONDS = 120.0
#: Caps on one stored counterexample (a report is untrusted input; see skd.verify.reportio).
MAX_V = 4096
MAX_ENTRY_CHARS = 2000
MAX_MESSAGE = 400


def _short(text: Any) -> str:
    s = str(text)
    return s if len(s) <= MAX_MESSAGE else s[: MAX_MESSAGE - 30] + f" … [{len(s) - MAX_MESSAGE + 30} more characters]"


def _too_big(raw: Mapping[str, Any]) -> str | None:
    """Why a stored counterexample is beyond the recheck caps (``None``: within them)."""
    ce = raw.get("counterexample")
    if not isinstance(ce, Mapping):
        return None
    p = ce.get("p")
    if isinstance(p, list) and len(p) > MAX_V:
        return f"counterexample has V = {len(p)} entries, more than the recheck cap of {MAX_V}"
    for key, value in ce.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, str) and len(item) > MAX_ENTRY_CHARS and key in ("p", "T", "T2", "values"):
                return f"counterexample field {key!r} holds a number of {len(item)} characters (cap {MAX_ENTRY_CHARS})"
    return None


def recheck_claims(report_json: Mapping[str, Any], op: Operator | None, why: str) -> list[tuple[str, bool, str]]:
    """The report's own claims (issue 12 item 4): every axiom of the profile exactly once, the
    stored ``qualifies`` equal to what the verdicts say, the operator hash equal to the hash of its
    definition. One ``(label, ok, detail)`` row per claim."""
    rows: list[tuple[str, bool, str]] = []
    profile = report_json.get("profile", "paper")
    if profile not in PROFILES:
        return [("report: profile", False, _short(f"unknown profile {profile!r}"))]
    ids = [a.id for a in PROFILES[profile].axioms]
    verdicts = report_json.get("verdicts")
    verdicts = verdicts if isinstance(verdicts, list) else []
    named = [v.get("axiom") for v in verdicts if isinstance(v, Mapping)]
    counts = {a: named.count(a) for a in set(map(str, named))}
    missing = [a for a in ids if a not in counts]
    extra = sorted(a for a in counts if a not in ids)
    repeated = sorted(a for a, n in counts.items() if n > 1 and a in ids)
    problems = ([f"missing: {', '.join(missing)}"] if missing else []) + \
               ([f"not axioms of profile {profile!r}: {', '.join(extra)}"] if extra else []) + \
               ([f"more than one verdict: {', '.join(repeated)}"] if repeated else [])
    rows.append(("report: axioms", not problems,
                 _short("; ".join(problems)) if problems else f"each of the {len(ids)} axioms of {profile!r} exactly once"))
    decided = (not problems) and all(
        isinstance(v, Mapping) and v.get("status") == "proved" and v.get("scope", "full") == "full" for v in verdicts)
    stored = report_json.get("qualifies")
    if not isinstance(stored, bool):
        rows.append(("report: qualifies", False, _short(f"'qualifies' is {stored!r}, not true or false")))
    else:
        rows.append(("report: qualifies", stored == decided,
                     f"qualifies = {str(stored).lower()} agrees with the verdicts" if stored == decided else
                     f"qualifies = {str(stored).lower()}, but the verdicts say {str(decided).lower()}"))
    rows.append(("report: operator hash", op is not None,
                 "the hash matches the operator's definition" if op is not None else _short(why)))
    return rows


def recheck_report(report_json: Any, *, claims: bool = True,
                   operators: Mapping[str, Any] | None = None) -> list[tuple[str, bool, str]]:
    """Recheck one operator report (dict, JSON text or Report): its own claims
    (:func:`recheck_claims`, unless ``claims=False``), then every decided verdict. ``operators``:
    user vector operators by name (a report holds no code), each matched by its hash."""
    if isinstance(report_json, (str, bytes)):
        report_json = json.loads(report_json)
    elif hasattr(report_json, "to_json"):
        report_json = report_json.to_json()
    obj = report_json["operator"]
    profile = report_json.get("profile", "paper")
    op, why = _rebuild(obj, operators)
    out: list[tuple[str, bool, str]] = recheck_claims(report_json, op, why) if claims else []
    seen: set[str] = set()
    for raw in report_json["verdicts"]:
        axiom = str(raw.get("axiom", "?"))[:60]
        if axiom in seen:
            out.append((axiom, False, "a second verdict for this axiom (each axiom appears once)"))
            continue
        seen.add(axiom)
        status = raw.get("status")
        if status == "unknown":
            out.append((axiom, True, "unknown: nothing to recheck"))
            continue
        if op is None:
            out.append((axiom, False, _short(why)))
            continue
        big = _too_big(raw)
        if big:
            out.append((axiom, False, big))
            continue
        try:
            verdict = Verdict.from_json(raw)
        except Exception as exc:  # noqa: BLE001
            out.append((axiom, False, _short(f"malformed verdict: {exc}")))
            continue
        if status == "refuted":
            from .budget import BudgetExceeded, WorkerError, run_with_budget

            try:
                ok, msg = run_with_budget(recheck_counterexample, (op, axiom, verdict.counterexample),
                                          {"profile": profile}, seconds=RECHECK_SECONDS)
            except (BudgetExceeded, WorkerError) as exc:
                ok, msg = False, f"recheck did not finish: {exc}"
            out.append((axiom, ok, _short(msg)))
        elif status == "proved":
            try:
                from skd.verify.proofcheck import recheck_certificate
            except ImportError:
                out.append((axiom, False, "no proof checker available"))
                continue
            try:
                res = recheck_certificate(op, verdict, profile=profile)
            except Exception as exc:  # noqa: BLE001
                out.append((axiom, False, _short(f"proof check failed: {type(exc).__name__}: {exc}")))
                continue
            if isinstance(res, tuple):
                out.append((axiom, bool(res[0]), _short(res[1])))
            else:
                out.append((axiom, bool(res), "certificate re-derived" if res else "certificate rejected"))
        else:
            out.append((axiom, False, _short(f"unknown status {status!r}")))
    return out
