"""A4, identity at unity: ``F_1(p) = p`` on the open simplex.

Separable operators: proved by the reduction "g(x, 1, V)/x independent of x (and non-zero)"
(docs/theory/reductions.md#identity); searched at ``T = 1`` exactly on structured and random
vectors, then, for a score, on the pair of entries below 1/2 with the most different
``g(x, 1, V)/x``. Vector operators: proved on their declared sizes from the pieces of the
algorithm at ``T = 1`` (:func:`skd.verify.provers.vector.prove_identity_vector`); searched on
the same vectors at their declared sizes. The margin is
``-max_i |F_1(p)_i / p_i - 1|``.

>>> from skd.operators import library
>>> from skd.verify.refute import refute
>>> type(refute(library.power, "identity", seconds=2)).__name__
'SearchLog'
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import ClassVar

import numpy as np

from skd.operators.kinds import OperatorKind

from .. import certify as C
from ..outcome import Prover
from ..provers.separable import prove_identity
from ..provers.vector import prove_identity_vector
from ..search import Candidate, Search
from ..verdict import Counterexample
from .base import AxiomRules, Structured

__all__ = ["Identity"]

ONE = Fraction(1)


def _at_one(s: Search, sizes: Sequence[int]) -> Counterexample | None:
    s.strategies.append("T = 1 exactly on structured and random vectors")
    for Vn in sizes:
        for P in s.p_candidates(Vn):
            for vals in s.values_list:
                if s.late():
                    return None
                ce = s.consider((P, (ONE,), vals))
                if ce is not None:
                    return ce
    return None


def _structured_separable(s: Search) -> Counterexample | None:
    ce = _at_one(s, (2, 3, 4, 5, 64))
    if ce is not None or s.late():
        return ce
    # g(x,1,V)/x on the x-grid: extreme ratios among entries < 1/2 co-occur
    xs = [v for v in s.x_grid() if 0 < v < Fraction(1, 2)]
    xf = np.array([float(v) for v in xs])
    for vals in s.values_list:
        for Vn in (3, 4, 64):
            try:
                r = s.log_scores(xf, np.float64(1.0), Vn, vals) - np.log(xf)
            except Exception:  # noqa: BLE001 - not evaluable: next size
                continue
            ok = np.isfinite(r)
            if ok.sum() < 2:
                continue
            idx = np.flatnonzero(ok)
            a, b = idx[np.argmin(r[ok])], idx[np.argmax(r[ok])]
            if a == b:
                continue
            P = s.pair_vector(max(xs[a], xs[b]), min(xs[a], xs[b]), Vn)
            if P is None or s.late():
                continue
            ce = s.consider((P, (ONE,), vals))
            if ce is not None:
                return ce
    return None


def _structured_vector(s: Search) -> Counterexample | None:
    return _at_one(s, s.sizes)


class Identity(AxiomRules):
    axiom_id = "identity"
    margin_name = "identity margin (-max |F_1(p)_i/p_i - 1|)"
    provers: ClassVar[Mapping[OperatorKind, Prover]] = {OperatorKind.SEPARABLE: prove_identity, OperatorKind.VECTOR: prove_identity_vector}
    structured: ClassVar[Mapping[OperatorKind, Structured]] = {
        OperatorKind.SEPARABLE: _structured_separable,
        OperatorKind.VECTOR: _structured_vector,
    }
    #: g(x, 1, V) = c x with c != 0 is checked by the identity prover itself
    needs_positive_score = False
    perturb_temps = False

    def margin(self, s: Search, cand: Candidate) -> float | None:
        P, _, vals = cand
        F = s.F_float(P, ONE, vals)
        if F is None:
            return None
        Pf = np.array([float(v) for v in P])
        with np.errstate(all="ignore"):
            rel = np.abs(F - Pf) / np.maximum(Pf, 1e-300)
        return -float(np.nanmax(rel))

    def violates(self, s: Search, m: float) -> bool:
        return m < -1e-9

    def certify(self, s: Search, cand: Candidate, notes: list[str]) -> Counterexample | None:
        P, _, vals = cand
        return C.certify_identity(s.op, P, vals, open_simplex=s.open_simplex, notes=notes)

    def sample_temps(self, s: Search, r: random.Random) -> tuple[Fraction, ...]:
        return (ONE,)
