"""A1, ranking preservation: ``p_i > p_j  =>  F_T(p)_i > F_T(p)_j`` (``>=`` in the weak profile).

Separable operators: proved by the reduction "g(., T, V) strictly increasing on (0, 1)"
(docs/theory/reductions.md#ranking); searched by a vectorised pair scan of ``log g`` over an
x-grid times a T-grid (pairs that co-occur in one vector: ``x + y < 1`` for ``V >= 3``,
``y = 1 - x`` for ``V = 2``). Vector operators: proved on their declared sizes from the pieces of
the algorithm (:func:`skd.verify.provers.vector.prove_ranking_vector`); searched on structured
vectors times a temperature grid. The margin is ``log g(p_i) - log g(p_j)`` (or ``F_i - F_j``) for the worst
pair ``p_i > p_j``.

>>> from skd.operators import library
>>> from skd.verify.refute import refute
>>> refute(library.topk, "ranking", seconds=5).statement
'p_2 > p_3 but F_T(p)_2 <= F_T(p)_3 at T = 1'
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import ClassVar

import numpy as np

from skd.operators.kinds import OperatorKind

from .. import certify as C
from ..outcome import Prover
from ..provers.separable import prove_ranking
from ..provers.theorems import FirstOf, TheoremProver
from ..provers.vector import prove_ranking_vector
from ..search import Candidate, Search
from ..verdict import Counterexample
from .base import AxiomRules, Structured

__all__ = ["Ranking"]


def ranking_pairs(s: Search, P: Sequence[Fraction], F: np.ndarray | None, T: Fraction,
                  vals: Mapping[str, Fraction]) -> list[tuple[float, int, int]]:
    """The worst pairs ``(margin, a, b)`` with ``p_a > p_b``, in O(V log V): for each entry a,
    the entry b with the largest value among the entries with ``p_b < p_a`` (ties excluded)."""
    Vn = len(P)
    values: np.ndarray | None
    sc: np.ndarray | None = None
    if s.op.score is not None:
        try:
            sc = s.log_scores(np.array([float(v) for v in P]), np.float64(float(T)), Vn, vals)
        except Exception:  # noqa: BLE001 - not evaluable: compare F itself below
            sc = None
        if sc is not None and np.isnan(sc).any():
            # a score < 0: every score < 0 orders F = |g| / sum |g| by log(-g); else compare the
            # entries of F itself (the order of log g is meaningless)
            neg = _log_neg(s, P, T, Vn, vals)
            values = neg if neg is not None else s.F_direct(P, T, vals)
        else:
            values = sc if sc is not None else (None if F is None else np.log(np.maximum(F, 1e-300)))
    else:
        values = F
    if values is None or (sc is not None and np.isneginf(values).all()):
        return []  # not evaluable, or every score is 0: F is undefined (well_defined's matter), nothing to order
    order = sorted(range(Vn), key=lambda k: P[k])
    out = []
    best_b, best_v = -1, -math.inf
    k = 0
    while k < Vn:
        grp = [order[k]]
        while k + len(grp) < Vn and P[order[k + len(grp)]] == P[order[k]]:
            grp.append(order[k + len(grp)])
        if best_b >= 0:
            for a in grp:
                da = values[a]
                m = 0.0 if np.isneginf(da) and np.isneginf(best_v) else float(da - best_v)
                if not math.isnan(m):
                    out.append((m, a, best_b))
        for b in grp:
            vb = values[b]
            if not np.isnan(vb) and (best_b < 0 or vb >= best_v):
                best_b, best_v = b, vb
        k += len(grp)
    out.sort(key=lambda t: t[0])
    return out[:4]


def _log_neg(s: Search, P: Sequence[Fraction], T: Fraction, Vn: int, vals: Mapping[str, Fraction]) -> np.ndarray | None:
    """``log(-g)`` at the entries of ``P`` when every score is negative there, else None."""
    try:
        neg = s.log_neg_scores(np.array([float(v) for v in P]), np.float64(float(T)), Vn, vals)
    except Exception:  # noqa: BLE001 - not evaluable: compare F itself
        return None
    return None if np.isnan(neg).any() else np.asarray(neg, dtype=float)


def _scan_pairs(s: Search, xs: list[Fraction], xf: np.ndarray, lo_idx: np.ndarray, lim: np.ndarray, sc: np.ndarray,
                Vn: int, T: Fraction, vals: Mapping[str, Fraction],
                negative: bool = False) -> list[tuple[float, Fraction, Fraction]]:
    """Worst co-occurring pairs (margin, hi, lo) for one (T, V): a few per scan (vectorised).
    ``sc`` is ``log g`` on the grid, or ``log(-g)`` when ``negative`` (every score < 0)."""
    n = len(xs)
    out: list[tuple[float, Fraction, Fraction]] = []
    if Vn == 2:
        if len(lo_idx) == 0:
            return out
        try:
            scores = s.log_neg_scores if negative else s.log_scores
            s_hi = scores(1.0 - xf[lo_idx], np.float64(float(T)), 2, vals)
        except Exception:  # noqa: BLE001 - not evaluable at these points: no pair here
            return out
        s_lo = sc[lo_idx]
        with np.errstate(all="ignore"):
            m = np.where(np.isneginf(s_hi) & np.isneginf(s_lo), 0.0, s_hi - s_lo)
        m = np.where(np.isnan(m), np.inf, m)
        for r in np.argsort(m, kind="stable")[:3]:
            if not np.isfinite(m[r]) and m[r] > 0:
                continue
            x = xs[int(lo_idx[r])]
            out.append((float(m[r]), 1 - x, x))
        return out
    sm = np.where(np.isnan(sc), -np.inf, sc)
    pm = np.maximum.accumulate(sm)
    idx = np.arange(n)
    pm_idx = np.maximum.accumulate(np.where(sm >= pm, idx, 0))
    lim_k = np.minimum(lim, idx)
    valid = (lim_k >= 1) & ~np.isnan(sc)
    j = pm_idx[np.maximum(lim_k - 1, 0)]
    with np.errstate(all="ignore"):
        m = np.where(np.isneginf(sc) & np.isneginf(sc[j]), 0.0, sc - sc[j])
    m = np.where(valid & ~np.isnan(m) & ~np.isnan(sc[j]), m, np.inf)
    for k in np.argsort(m, kind="stable")[:3]:
        if not np.isfinite(m[k]):
            continue
        hi, lo = xs[int(k)], xs[int(j[k])]
        if lo < hi and hi + lo < 1:
            out.append((float(m[k]), hi, lo))
    return out


def pair_scan(s: Search) -> Counterexample | None:
    """The score's pair scan over an x-grid times a T-grid (including switching points)."""
    s.strategies.append("pair scan of the score over an x-grid x T-grid (incl. switching points)")
    xs = s.x_grid()
    xf = np.array([float(v) for v in xs])
    lo_idx = np.array([k for k, v in enumerate(xs) if v < Fraction(1, 2) and (v > 0 or not s.open_simplex)], dtype=int)
    lim = np.searchsorted(xf, 1.0 - xf, side="left")
    Ts = s.T_grid()
    pending: list[tuple[float, Candidate]] = []
    for vals in s.values_list:
        for Vn in s.sizes:
            s.sizes_used.add(Vn)
            for T in Ts:
                if s.late():
                    break
                s.log_T([T])
                try:
                    sc = s.log_scores(xf, np.float64(float(T)), Vn, vals)
                except Exception:  # noqa: BLE001 - not evaluable at this (T, V): next one
                    continue
                if np.isneginf(sc).all():
                    continue  # every score on the grid is 0 at this (T, V): no F to order (well_defined's matter)
                negative = False
                nan = np.isnan(sc)
                if nan.any():
                    # NaN: g < 0 or g undefined there. Every score < 0 on the grid: F = |g| / sum |g|,
                    # ordered by log(-g), scanned here; some < 0 and some > 0: F itself is scanned
                    # afterwards (s.nonpositive); NaN only where g is undefined: no F at those entries
                    below, neg = nan, None  # where g < 0 (all NaN points, unless log(-g) says otherwise)
                    with contextlib.suppress(Exception):
                        neg = np.asarray(s.log_neg_scores(xf, np.float64(float(T)), Vn, vals), dtype=float)
                        below = ~np.isnan(neg)
                    if neg is not None and below.all():
                        sc, negative = neg, True
                    elif below.any():
                        s.nonpositive = True
                s.candidates += len(xs)
                for m, hi, lo in _scan_pairs(s, xs, xf, lo_idx, lim, sc, Vn, T, vals, negative):
                    P = s.pair_vector(hi, lo, Vn)
                    if P is None:
                        continue
                    cand: Candidate = (P, (T,), vals)
                    s.observe(m, cand)
                    if s.violates(m):
                        pending.append((m, cand))
                if len(pending) > 40:
                    ce = s.certify_pending(pending)
                    if ce is not None:
                        return ce
    return s.certify_pending(pending)


def _structured_separable(s: Search) -> Counterexample | None:
    ce = pair_scan(s)
    if ce is None and s.nonpositive and not s.late():
        # the pair scan compares log g, which a score <= 0 somewhere does not have
        s.strategies.append("F itself on structured vectors x temperature grid (the score is <= 0 somewhere)")
        ce = s.scan_vectors(s.T_grid(), s.p_candidates)
    return ce


def _structured_vector(s: Search) -> Counterexample | None:
    s.strategies.append("structured vectors x temperature grid")
    return s.scan_vectors(s.T_grid(), s.p_candidates)


class Ranking(AxiomRules):
    axiom_id = "ranking"
    margin_name = "ranking margin (log g(p_i) - log g(p_j) or F_i - F_j)"
    provers: ClassVar[Mapping[OperatorKind, Prover]] = {
        OperatorKind.SEPARABLE: prove_ranking,
        # the weak profile: the built-ins by Corollary V.10, for every V; else on the declared sizes
        OperatorKind.VECTOR: FirstOf(TheoremProver("ranking"), prove_ranking_vector),
    }
    structured: ClassVar[Mapping[OperatorKind, Structured]] = {
        OperatorKind.SEPARABLE: _structured_separable,
        OperatorKind.VECTOR: _structured_vector,
    }

    def margin(self, s: Search, cand: Candidate) -> float | None:
        P, temps, vals = cand
        F = None
        if s.op.score is None:  # no score to compare: F itself
            F = s.F_float(P, temps[0], vals)
            if F is None:
                return None
        pairs = ranking_pairs(s, P, F, temps[0], vals)
        return pairs[0][0] if pairs else None

    def violates(self, s: Search, m: float) -> bool:
        return m <= 0 if s.strict else m < 0

    def certify(self, s: Search, cand: Candidate, notes: list[str]) -> Counterexample | None:
        P, temps, vals = cand
        T = temps[0]
        F = s.F_float(P, T, vals)
        for _, a, b in ranking_pairs(s, P, F, T, vals)[:2]:
            ce = C.certify_ranking(s.op, P, T, a, b, strict=s.strict, values=vals,
                                   open_simplex=s.open_simplex, notes=notes)
            if ce is not None:
                return ce
        return None

    def sample(self, s: Search, r: random.Random, Vn: int, vals: Mapping[str, Fraction]) -> Candidate | None:
        if s.op.score is None:
            return super().sample(s, r, Vn, vals)
        # two entries that co-occur in one vector of size Vn
        a, b = s.draw_x(r), s.draw_x(r)
        if a == b:
            return None
        hi, lo = max(a, b), min(a, b)
        if Vn == 2 or hi + lo >= 1:
            if lo >= Fraction(1, 2):
                return None
            return ((1 - lo, lo), (s.draw_T(r),), vals)
        P = (hi, lo) + ((1 - hi - lo) / (Vn - 2),) * (Vn - 2)
        return (P, (s.draw_T(r),), vals)
