"""A0, well-definedness: ``F_T(p)`` has finite entries ``>= 0`` summing to 1.

Separable operators: proved by "g(x, T, V) finite and > 0 on the whole domain" (with the
written side conditions; docs/theory/reductions.md#well-defined), or refuted exactly at a pole,
a zero of the normaliser or a failed side condition. Searched at extreme entries (down to
``1e-300``, up to ``1 - 1e-20``) and temperatures (``2^-60`` to ``2^60``): a score that is NaN,
infinite, negative or zero everywhere there is a candidate. Vector operators: proved on the
declared sizes from the pieces of the algorithm (:mod:`skd.verify.provers.vector`); searched at
structured vectors, a one-hot-like ``(1e300, 1, ..., 1)`` and the uniform vector. The margin is the smallest entry of
``F_T(p)`` (``-inf`` when undefined).

>>> from skd.verify.axioms import rules_for
>>> rules_for("well_defined").needs_positive_score
False
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import ClassVar

import numpy as np
import sympy as sp

from skd.operators.arith import FloatArith
from skd.operators.evaluate import eval_numpy
from skd.operators.kinds import OperatorKind, float_env, float_mp

from .. import certify as C
from ..outcome import Prover
from ..provers.separable import prove_well_defined
from ..provers.theorems import FirstOf, TheoremProver
from ..provers.vector import prove_well_defined_vector
from ..sampling import weights_to_p
from ..search import Candidate, Search
from ..verdict import Counterexample
from .base import AxiomRules, Structured

__all__ = ["WellDefined"]


def _extreme_temperatures(s: Search) -> list[Fraction]:
    return sorted(set(s.T_grid()) | {Fraction(2) ** k for k in range(-60, 61, 6)})


def _written_fails(s: Search, xf: np.ndarray, T: Fraction, Vn: int, vals: Mapping[str, Fraction]) -> np.ndarray:
    """Where, in floating point, a side condition of the formula *as written* fails
    (``op.obligations``: a divisor or ``log`` argument that SymPy's simplification cancelled, e.g.
    ``x`` in ``x**(1/T)*x/x``, which the stored score no longer shows): a hint only. The stored score
    is defined there (``0**(1/T) = 0``), so without it the search never offered such a point, and
    under the closed profile ``x**(1/T)*x/x`` stayed unknown; the certifier decides each candidate
    exactly (:func:`skd.verify.certify._written_condition_fails`)."""
    fails = np.zeros(xf.shape, dtype=bool)
    for kind, e, guard in s.op.obligations:
        cond = e if guard is sp.true else sp.Piecewise((e, guard), (sp.Integer(1), True))
        try:
            with np.errstate(all="ignore"):
                v = np.broadcast_to(np.asarray(eval_numpy(cond, float_env(s.op, xf, np.float64(float(T)), Vn, vals)),
                                               dtype=float), xf.shape)
        except Exception:  # noqa: BLE001 - not evaluable in floats: no hint from this condition
            continue
        fails |= (v == 0) if kind == "ne0" else (v <= 0) if kind == "gt0" else (v < 0)
    return fails


def _structured_separable(s: Search) -> Counterexample | None:
    s.strategies.append("extreme entries and temperatures")
    Ts = _extreme_temperatures(s)
    xs = s.x_grid() + [Fraction(1, 10**100), Fraction(1, 10**300), 1 - Fraction(1, 10**20)]
    xs = sorted(set(v for v in xs if (0 < v < 1) or (v == 0 and not s.open_simplex)))
    xf = np.array([float(v) for v in xs])
    pending: list[Candidate] = []
    for vals in s.values_list:
        for Vn in s.sizes:
            s.sizes_used.add(Vn)
            for T in Ts:
                if s.late():
                    break
                s.log_T([T])
                try:
                    g = eval_numpy(s.op.score, float_env(s.op, xf, np.float64(float(T)), Vn, vals))
                    g = np.broadcast_to(np.asarray(g, dtype=float), xf.shape)
                except Exception:  # noqa: BLE001 - not evaluable at this (T, V): next one
                    continue
                s.candidates += len(xs)
                bad = np.flatnonzero(np.isnan(g) | (g < 0) | np.isinf(g) | _written_fails(s, xf, T, Vn, vals))
                for k in bad[:2]:
                    x = xs[k]
                    P = (x, 1 - x) if Vn == 2 else (x,) + ((1 - x) / (Vn - 1),) * (Vn - 1)
                    pending.append((P, (T,), vals))
                if (g == 0).all():
                    pending.append((weights_to_p([2, 1] + [1] * (Vn - 2)), (T,), vals))
            if len(pending) > 20 or s.late():
                break
    if not s.open_simplex and s.values_list:
        # a zero entry, always offered to the certifier: the float score can hide an undefined term
        # there (exp(log(x)/T) is exp(-inf) = 0 in floats, but log(0) is undefined); the certifier
        # evaluates exactly, so an operator defined at zero entries costs three exact evaluations
        pending[:0] = [((Fraction(0), Fraction(1)), (T,), s.values_list[0])
                       for T in (Fraction(1, 2), Fraction(1), Fraction(2))]
    for cand in pending[:40]:
        if time.monotonic() > s.hard_deadline:
            break
        m = s.margin(cand)
        if m is not None:
            s.observe(m, cand)
        ce = s.certify(cand, m)
        if ce is not None:
            return ce
    return None


def _structured_vector(s: Search) -> Counterexample | None:
    s.strategies.append("extreme entries and temperatures")
    return s.scan_vectors(_extreme_temperatures(s), lambda Vn: s.p_candidates(Vn) + [
        weights_to_p([10**300] + [1] * (Vn - 1)), weights_to_p([1] * Vn)])


def _margin_separable(s: Search, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> float:
    try:
        g = eval_numpy(s.op.score, float_env(s.op, np.array([float(v) for v in P]), np.float64(float(T)), len(P), vals))
        g = np.broadcast_to(np.asarray(g, dtype=float), (len(P),))
    except Exception:  # noqa: BLE001 - not evaluable in floats: no signal either way
        return 0.0
    if np.isnan(g).any() or _written_fails(s, np.array([float(v) for v in P]), T, len(P), vals).any():
        return -math.inf
    if (g < 0).any():
        tot = g.sum()
        if tot > 0:
            return float((g / tot).min())
        return -math.inf
    if (g == 0).all():
        return -math.inf
    return float(np.min(g / g.sum())) if np.isfinite(g).all() else 0.0


def _margin_vector(s: Search, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> float:
    try:
        assert s.op.algorithm is not None  # a vector operator always has its algorithm
        out = s.op.algorithm([float(v) for v in P], float(T), FloatArith())
        arr = np.array([float(v) for v in out])
    except Exception:  # noqa: BLE001 - floats fail: mpmath's wider exponent range
        mp = float_mp(s.op, P, T, vals)
        if mp is None:
            return -math.inf
        arr = mp
    if np.isnan(arr).any():
        return -math.inf
    if abs(arr.sum() - 1) > 1e-6:
        return -abs(arr.sum() - 1)
    return float(arr.min())


_MARGINS = {OperatorKind.SEPARABLE: _margin_separable, OperatorKind.VECTOR: _margin_vector}


class WellDefined(AxiomRules):
    axiom_id = "well_defined"
    margin_name = "smallest entry of F_T(p)"
    provers: ClassVar[Mapping[OperatorKind, Prover]] = {
        OperatorKind.SEPARABLE: prove_well_defined,
        # a built-in: for every V by its theorem (V.6, V.7, L.1); otherwise on the declared sizes, pieces of the
        # algorithm per order class (skd.verify.kernel_vector checks both)
        OperatorKind.VECTOR: FirstOf(TheoremProver("well_defined"), prove_well_defined_vector),
    }
    structured: ClassVar[Mapping[OperatorKind, Structured]] = {
        OperatorKind.SEPARABLE: _structured_separable,
        OperatorKind.VECTOR: _structured_vector,
    }
    #: it is the lemma the other reductions cite
    needs_positive_score = False
    provides_positive_score = True

    def margin(self, s: Search, cand: Candidate) -> float | None:
        P, temps, vals = cand
        margin = _MARGINS.get(s.kind)
        return None if margin is None else margin(s, P, temps[0], vals)

    def violates(self, s: Search, m: float) -> bool:
        return m < 0

    def certify(self, s: Search, cand: Candidate, notes: list[str]) -> Counterexample | None:
        P, temps, vals = cand
        return C.certify_well_defined(s.op, P, temps[0], vals, open_simplex=s.open_simplex, notes=notes)
