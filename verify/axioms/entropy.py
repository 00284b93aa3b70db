"""A3, entropy monotonicity: ``T -> H(F_T(p))`` non-decreasing on ``(0, oo)``.

Separable operators: proved by the reduction "ranking, continuity in T, and
d2(log g)/dx dT <= 0 on each T-piece" (docs/theory/reductions.md#entropy), citing the ranking
and continuity proofs as lemmas. Searched along a fine log grid of ``T`` (with the switching
points) on structured vectors: the largest drops ``H(T_b) - H(T_a)``, ``T_a < T_b``, from the
running maximum and between neighbours. The margin is ``H(F_T2) - H(F_T1)``.

>>> from skd.verify.axioms import rules_for
>>> rules_for("entropy").ordered_temps
True
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import ClassVar

import numpy as np

from skd.operators.kinds import OperatorKind

from .. import certify as C
from ..outcome import Prover
from ..provers.separable import prove_entropy
from ..provers.theorems import FirstOf, TheoremProver
from ..provers.vector_forms import FormProver
from ..search import Candidate, Search
from ..verdict import Counterexample
from .base import AxiomRules, Structured

__all__ = ["Entropy"]

#: entropies of F_T(p) along a grid of T (NaN where not evaluable)
HBatch = Callable[[Search, Sequence[Fraction], list[Fraction], np.ndarray, Mapping[str, Fraction]], "np.ndarray | None"]


def _H_batch_separable(s: Search, P: Sequence[Fraction], Ts: list[Fraction], Tf: np.ndarray,
                       vals: Mapping[str, Fraction]) -> np.ndarray | None:
    try:
        sc = s.log_scores(np.array([float(v) for v in P])[None, :], Tf[:, None], len(P), vals)
    except Exception:  # noqa: BLE001 - not evaluable on this vector
        return None
    with np.errstate(all="ignore"):
        mx = sc.max(axis=1, keepdims=True)
        w = np.exp(sc - mx)
        F = w / w.sum(axis=1, keepdims=True)
        H = -np.sum(np.where(F > 0, F * np.log(np.where(F > 0, F, 1.0)), 0.0), axis=1)
    H[~np.isfinite(H)] = np.nan
    H[np.isnan(sc).any(axis=1)] = np.nan
    return H


def _H_batch_any(s: Search, P: Sequence[Fraction], Ts: list[Fraction], Tf: np.ndarray,
                 vals: Mapping[str, Fraction]) -> np.ndarray | None:
    out = np.full(len(Ts), np.nan)
    for k, t in enumerate(Ts):
        h = s.H(P, t, vals)
        if h is not None:
            out[k] = h
    return out


def _entropy_pairs(H: np.ndarray) -> list[tuple[float, int, int]]:
    """Largest drops H(T_b) - H(T_a), a < b: from the running maximum, and between neighbours."""
    out = []
    n = len(H)
    best_idx, best_val = -1, -np.inf
    drops = []
    for b in range(n):
        if np.isnan(H[b]):
            continue
        if best_idx >= 0:
            drops.append((float(H[b] - best_val), best_idx, b))
        if H[b] > best_val:
            best_idx, best_val = b, H[b]
    drops.sort(key=lambda t: t[0])
    out += drops[:2]
    neigh = [(float(H[k + 1] - H[k]), k, k + 1) for k in range(n - 1) if not (np.isnan(H[k]) or np.isnan(H[k + 1]))]
    neigh.sort(key=lambda t: t[0])
    out += neigh[:2]
    return out


def _along_T(s: Search, sizes: Sequence[int], H_batch: HBatch) -> Counterexample | None:
    s.strategies.append("entropy along a fine log grid of T (incl. switching points) on structured vectors")
    Ts = s.T_grid(dense=True)
    Tf = np.array([float(t) for t in Ts])
    for Vn in sizes:
        for P in s.p_candidates(Vn):
            for vals in s.values_list:
                if s.late():
                    return None
                H = H_batch(s, P, Ts, Tf, vals)
                if H is None:
                    continue
                s.candidates += len(Ts)
                s.sizes_used.add(Vn)
                s.log_T([Ts[0], Ts[-1]])
                for m, a, b in _entropy_pairs(H):
                    cand: Candidate = (P, (Ts[a], Ts[b]), vals)
                    s.observe(m, cand)
                    if s.violates(m):
                        ce = s.certify(cand, m)
                        if ce is not None:
                            return ce
    return None


def _structured_separable(s: Search) -> Counterexample | None:
    return _along_T(s, (2, 3, 4, 5, 8), _H_batch_separable)


def _structured_vector(s: Search) -> Counterexample | None:
    return _along_T(s, s.sizes, _H_batch_any)


class Entropy(AxiomRules):
    axiom_id = "entropy"
    cites = ("ranking", "continuity")  # the lemmas of prove_entropy (Theorem E.4, docs/theory/reductions.md)
    margin_name = "entropy margin H(F_T2) - H(F_T1)"
    provers: ClassVar[Mapping[OperatorKind, Prover]] = {
        OperatorKind.SEPARABLE: prove_entropy,
        OperatorKind.VECTOR: FirstOf(TheoremProver("entropy"), FormProver("entropy")),
    }
    structured: ClassVar[Mapping[OperatorKind, Structured]] = {
        OperatorKind.SEPARABLE: _structured_separable,
        OperatorKind.VECTOR: _structured_vector,
    }
    ordered_temps = True

    def margin(self, s: Search, cand: Candidate) -> float | None:
        P, temps, vals = cand
        H1, H2 = s.H(P, temps[0], vals), s.H(P, temps[1], vals)
        if H1 is None or H2 is None:
            return None
        return H2 - H1

    def violates(self, s: Search, m: float) -> bool:
        return m < -1e-13

    def certify(self, s: Search, cand: Candidate, notes: list[str]) -> Counterexample | None:
        P, temps, vals = cand
        return C.certify_entropy(s.op, P, temps[0], temps[1], vals, open_simplex=s.open_simplex, notes=notes)

    def sample_temps(self, s: Search, r: random.Random) -> tuple[Fraction, ...]:
        t1 = s.draw_T(r)
        t2 = t1 * (1 + Fraction(r.randint(1, 1000), 1000) * (r.choice([1, 10, 100]) if r.random() < 0.3 else 1))
        return (t1, t2)
