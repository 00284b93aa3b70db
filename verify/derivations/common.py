"""Neutral helpers of the derivation topics and of their cross-checks, one copy each.

Formatting exact inputs, converting between exact and multi-precision numbers, locating ``T`` in
a piece of a piecewise score, enumerating multinomial outcomes, evaluating a score at the corner
``x → 0⁺``, reading a derived constant. Nothing here derives or checks a claim. A cross-check
module (:mod:`skd.verify.derivations.crosschecks`) may import this module — and of
:mod:`skd.verify.derivations` only this, :mod:`.claims` and the :class:`Derivation` type — so
what it computes stays independent of the derivation it checks.

>>> pstr([Fraction(7, 10), Fraction(1, 5), Fraction(1)])
'7/10,1/5,1'
>>> float(mpq(Fraction(1, 4))), exact_fraction(mpmath.mpf(0.375))
(0.25, Fraction(3, 8))
>>> sum(1 for _ in compositions(50, 3))
1326
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeVar, cast

import mpmath
import sympy as sp

from skd.operators.symbols import T, V, x

from .claims import DerivedConstant

if TYPE_CHECKING:
    from skd.operators.declare import Operator

    from . import Derivation

__all__ = [
    "REFERENCE_P",
    "compositions",
    "constant_or_none",
    "exact_fraction",
    "fstr",
    "g_at_zero",
    "in_piece",
    "mpq",
    "parse_p",
    "piece_at",
    "pstr",
    "rational",
    "richardson",
]

#: The reference teacher of theory-notes §6 (items 1, 2, 5, 10): where the topics state values.
REFERENCE_P: tuple[Fraction, ...] = (Fraction(7, 10), Fraction(1, 5), Fraction(1, 10))

P = TypeVar("P")


def fstr(v: Fraction) -> str:
    """An exact number as ``n`` or ``n/d`` (the text the safe parser reads back)."""
    return f"{v.numerator}" if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def pstr(p: Iterable[Fraction]) -> str:
    """Comma-joined :func:`fstr` texts of exact entries (the form a claim's ``at`` stores)."""
    return ",".join(fstr(v) for v in p)


def parse_p(text: str) -> list[Fraction]:
    """The exact entries of a :func:`pstr` text (``"7/10, 1/5"`` → ``[7/10, 1/5]``)."""
    return [Fraction(s.strip()) for s in text.split(",")]


def rational(v: Fraction | int) -> sp.Rational:
    """An exact ``Fraction`` (or int) as a SymPy ``Rational``."""
    f = Fraction(v)
    return sp.Rational(f.numerator, f.denominator)


def mpq(v: Any) -> Any:
    """``v`` (a Fraction, int or rational text; any other number as is) as an mpf at the working precision."""
    if isinstance(v, (Fraction, int, str)):
        f = Fraction(v)
        return mpmath.mpf(f.numerator) / f.denominator
    return mpmath.mpf(v)


def exact_fraction(v: Any) -> Fraction:
    """The exact binary value of an mpf as a Fraction."""
    man, exp = mpmath.mpf(v).man_exp
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def in_piece(t: Fraction, lo: sp.Expr | None, hi: sp.Expr | None, point: bool = False) -> bool:
    """Whether ``T = t`` is in the open ``T``-piece ``(lo, hi)`` (``None``: 0 resp. ∞), or is ``lo`` of a point piece."""
    tv = rational(t)
    if point:
        return bool(tv == lo)
    return (lo is None or bool(tv > lo)) and (hi is None or hi is sp.oo or bool(tv < hi))


def piece_at(pieces: Sequence[P], t: Fraction, bounds: Callable[[P], tuple[Any, Any, bool]]) -> P | None:
    """The first of ``pieces`` containing ``T = t`` (:func:`in_piece` of ``bounds(piece) = (lo, hi, point)``), or ``None``."""
    return next((pc for pc in pieces if in_piece(t, *bounds(pc))), None)


def richardson(f: Callable[[int], Any], n: int, levels: int, dps: int = 40) -> Any:
    """``levels`` Richardson steps for ``f(n) = L + a₁/n + a₂/n² + …`` from ``n, 2n, …, 2^levels·n`` (``dps`` digits)."""
    col = [f(n * 2**j) for j in range(levels + 1)]
    with mpmath.workdps(dps):
        for k in range(1, levels + 1):
            col = [(2**k * b - a) / (2**k - 1) for a, b in itertools.pairwise(col)]
        return col[0]


def compositions(m: int, v: int) -> Iterator[tuple[int, ...]]:
    """All ``(n_1..n_v)`` of non-negative integers summing to ``m`` (the multinomial outcomes of ``m`` draws)."""
    if v == 1:
        yield (m,)
        return
    for n0 in range(m, -1, -1):
        for rest in compositions(m - n0, v - 1):
            yield (n0, *rest)


def g_at_zero(op: Operator, t: Fraction, v: int) -> sp.Expr:
    """``g(0+, T=t, V=v)`` of a separable operator (SymPy limit); raises ``ValueError`` if not finite and ≥ 0.

    >>> from skd.operators import library
    >>> g_at_zero(library.power, Fraction(2), 3), g_at_zero(library.mixture, Fraction(2), 3)
    (0, 1/6)
    """
    g = cast("sp.Expr", op.score).subs({T: rational(t), V: v})
    g0 = sp.limit(g, x, 0, "+")
    if not (g0.is_real and g0.is_finite and g0 >= 0):
        raise ValueError(f"g(0+, T={t}) = {g0} is not a finite non-negative number")
    return g0


def constant_or_none(d: Derivation, claim_id: str, name: str) -> DerivedConstant | None:
    """The constant ``name`` of claim ``claim_id`` of ``d``, or ``None`` when the claim states no such constant."""
    return next((k for k in d.claim(claim_id).constants if k.name == name), None)
