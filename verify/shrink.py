"""Shrinking a certified counterexample: simpler rationals and probability vectors, each re-certified.

The search is generic: every function takes an ``accept`` callback that *re-certifies* a
candidate (normally a certifier of :mod:`skd.verify.certify` returning a counterexample or
None), so whatever it returns is certified whenever the input was. :func:`simplify_fraction`
tries simple values near a rational (``prefer``, then ``q.limit_denominator(D)`` for increasing
``D``); :func:`shrink_vector` simplifies the entries of a probability vector one at a time (the
last entry absorbs the difference); :func:`pair_reductions` / :func:`index_reductions` propose
smaller ``V`` that keep the violating entries of a separable operator. The per-axiom driver,
:func:`skd.verify.certify.shrink`, lives beside the certifiers it re-runs, so that the
dependency stays one-way (``certify`` imports this module, never the reverse).

>>> from fractions import Fraction as Q
>>> simplify_fraction(Q(333, 1000), lambda c: abs(c - Q(1, 3)) < Q(1, 100))
Fraction(1, 3)
>>> shrink_vector([Q(301, 1000), Q(699, 1000)], lambda P: P[0] < P[1])
[Fraction(1, 3), Fraction(2, 3)]
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction

__all__ = [
    "DENOMINATORS",
    "index_reductions",
    "pair_reductions",
    "shrink_vector",
    "simple_entries",
    "simple_temperatures",
    "simplify_fraction",
]

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
            cand[-1] = 1 - sum(cand[:-1], Fraction(0))
            lo_ok = all(v > 0 for v in cand) if open_simplex else all(v >= 0 for v in cand)
            return lo_ok and accept(cand)

        c = simplify_fraction(cur[k], ok, prefer=simple_entries(cur[k]), deadline=deadline)
        if c != cur[k]:
            cur[k] = c
            cur[-1] = 1 - sum(cur[:-1], Fraction(0))
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
