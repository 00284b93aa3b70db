"""A2, joint continuity of ``(p, T) -> F_T(p)`` on the open simplex times ``(0, oo)``.

Separable operators: proved by "the ratios g(x, T)/g(y, T) are jointly continuous"
(docs/theory/reductions.md#continuity); the search only looks for jumps of the score **in x**, at
its switching points, with exact one-sided limits (continuity in ``T`` is the prover's). Vector
operators: tied ``p0`` along tie-breaking directions ``d`` — the exact one-sided limit along ``d``
is ``F`` of the re-ordered vector (declared ``order_based``, Theorem V.3) or the algorithm run on
entries that compare as those of ``p0 + t d`` (any other, Theorem V.3'; docs/theory/vector.md);
for an algorithm that is not order-based, also structured ``p0`` where a derived comparison is an
equality (an entry at the mean), along every ``e_j - e_i``, to first order (Theorem V.3'').
No float margin: candidates are jumps.

>>> from skd.verify.axioms import rules_for
>>> sorted(rules_for("continuity").searched_kinds())
['separable', 'vector']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import ClassVar

import numpy as np
import sympy as sp

from skd.operators.arith import Undecided
from skd.operators.evaluate import eval_numpy
from skd.operators.kinds import OperatorKind, float_env
from skd.operators.symbols import x as X_SYM

from .. import certify as C
from ..hybrid import HoldsNote, HybridArith
from ..outcome import Prover
from ..provers.separable import prove_continuity
from ..provers.theorems import FirstOf, TheoremProver
from ..provers.vector_forms import FormProver
from ..sampling import nice_rationals, roots_1d, switch_exprs
from ..search import Candidate, Search, SearchLog, tie_directions
from ..verdict import Counterexample
from .base import AxiomRules

__all__ = ["Continuity"]

_TEMPS = (Fraction(1), Fraction(1, 2), Fraction(2), Fraction(1, 10), Fraction(10))


def _direction_gap(s: Search, P: Sequence[Fraction], d: Sequence[Fraction], T: Fraction,
                   vals: Mapping[str, Fraction]) -> float | None:
    """``max |F(p0 + t d) - F(p0)|`` as ``t -> 0+``: for an order-based operator ``F`` of ``p0``
    re-ordered as ``p0 + t d`` orders it, against ``F(p0)``; for any other, ``F`` at ``p0 + t d``
    with ``t = 10**-9`` (a float estimate: the certifier computes the limit exactly)."""
    if not s.op.order_based:
        t = Fraction(1, 10**9)
        Fa = s.F_float(tuple(a + t * b for a, b in zip(P, d, strict=True)), T, vals)
        Fb = s.F_float(P, T, vals)
        return None if Fa is None or Fb is None else float(np.max(np.abs(Fa - Fb)))
    sigma = sorted(range(len(P)), key=lambda k: (-P[k], -d[k], k))
    Q = [P[k] for k in sigma]
    F0 = s.F_float(P, T, vals)
    Fq = s.F_float(tuple(Q), T, vals)
    if F0 is None or Fq is None:
        return None
    L = np.empty(len(P))
    for r, k in enumerate(sigma):
        L[k] = Fq[r]
    return float(np.max(np.abs(L - F0)))


def _certify_direction(s: Search, P: Sequence[Fraction], d: Sequence[Fraction], T: Fraction,
                       vals: Mapping[str, Fraction]) -> Counterexample | None:
    """The exact one-sided limit along ``d`` against ``F(P)`` (the certifier); a refusal is logged."""
    notes: list[str] = []
    s.certify_attempts += 1
    ce = C.certify_vector_discontinuity(s.op, P, d, T, values=vals or None, open_simplex=s.open_simplex, notes=notes)
    if ce is None:
        s.uncertified.append(f"{s.describe((tuple(P), (T,), vals))}, d={tuple(map(str, d))} "
                             f"({notes[-1] if notes else 'not certified'})")
    return ce


def _run_vector(s: Search) -> Counterexample | SearchLog:
    s.strategies.append("tied p0 x tie-breaking directions d (order classes; exact one-sided limits, Theorem V.3/V.3')")
    for Vn in s.sizes:
        s.sizes_used.add(Vn)
        for P in s.tie_candidates(Vn):
            for d in tie_directions(P):
                for T in _TEMPS:
                    for vals in s.values_list:
                        if s.late():
                            return s.result()
                        s.candidates += 1
                        s.log_T([T])
                        gap = _direction_gap(s, P, d, T, vals)
                        if gap is None:
                            continue
                        cand: Candidate = (P, (T,), vals)
                        s.observe(-gap, cand)
                        if gap <= 1e-12:
                            continue
                        ce = _certify_direction(s, P, d, T, vals)
                        if ce is not None:
                            return ce
    if not s.op.order_based:
        found = _run_derived_boundaries(s)
        if isinstance(found, Counterexample):
            return found
    return _run_T_jumps(s)


#: temperatures scanned for a jump in T: 2^k and 3 * 2^(k-1), k = -10..6
_T_SCAN = sorted({Fraction(2) ** k * m for k in range(-10, 7) for m in (Fraction(1), Fraction(3, 2))})


def _bisect_jump(s: Search, P: Sequence[Fraction], lo: Fraction, hi: Fraction) -> tuple[Fraction, Fraction] | None:
    """Halve ``[lo, hi]`` 40 times towards the half where ``F_T(p)`` changes most (floats); the
    last segment, widened by its length on each side (the floats place a flip only to ~10^-16 of
    T), if ``F`` still changes across it by more than 10^-3 (a jump, to be certified)."""
    Flo, Fhi = s.F_float(P, lo, {}), s.F_float(P, hi, {})
    if Flo is None or Fhi is None:
        return None
    for _ in range(40):
        mid = (lo + hi) / 2
        Fm = s.F_float(P, mid, {})
        if Fm is None:
            return None
        if float(np.max(np.abs(Fm - Flo))) >= float(np.max(np.abs(Fhi - Fm))):
            hi, Fhi = mid, Fm
        else:
            lo, Flo = mid, Fm
    return (lo - (hi - lo), hi + (hi - lo)) if float(np.max(np.abs(Fhi - Flo))) > 1e-3 else None


def _run_T_jumps(s: Search) -> Counterexample | SearchLog:
    """A jump in ``T`` at fixed ``p`` where a derived comparison flips at an irrational ``T`` (no
    exact point to take one-sided limits at): along a scan of ``T``, a change of ``F`` between two
    neighbouring temperatures is bisected in exact rationals to a segment ~2^-40 of it long, where a
    jump is certified by running the algorithm over the whole segment at once (Theorem V.3''')."""
    if s.op.params:
        return s.result()
    s.strategies.append("scan of T at structured p, a change of F bisected to a short segment of T (a jump "
                        "somewhere in it, Theorem V.3''')")
    for Vn in s.sizes:
        for P in s.p_candidates(Vn)[:12]:
            Fs = [(T, s.F_float(P, T, {})) for T in _T_SCAN]
            for (Ta, Fa), (Tb, Fb) in zip(Fs, Fs[1:], strict=False):
                if s.late():
                    return s.result()
                if Fa is None or Fb is None or float(np.max(np.abs(Fa - Fb))) <= 0.05:
                    continue
                s.candidates += 1
                seg = _bisect_jump(s, P, Ta, Tb)
                if seg is None:
                    continue
                notes: list[str] = []
                s.certify_attempts += 1
                ce = C.certify_T_segment_jump(s.op, P, seg[0], seg[1], open_simplex=s.open_simplex, notes=notes)
                if ce is not None:
                    return ce
                s.uncertified.append(f"{s.describe((tuple(P), (seg[0],), {}))} ({notes[-1] if notes else 'not certified'})")
    return s.result()


def _on_a_derived_boundary(s: Search, P: Sequence[Fraction], T: Fraction) -> bool:
    """The algorithm at ``P`` makes a derived comparison of two equal values (or tests a value that
    is 0): where a jump at a derived comparison can sit (Theorem V.3''). Found by the strict
    arithmetic refusing to decide it; any other failure is not a boundary."""
    alg = s.op.algorithm
    if alg is None:
        return False
    strict = HybridArith(128, strict=True)
    try:
        with strict.active():
            alg(list(P), T, strict)
    except Undecided as exc:
        return "non-strict" in str(exc) or "is 0 (not strict)" in str(exc)
    except Exception:  # noqa: BLE001 - user code undefined at P: not a candidate for continuity
        return False
    return False


def _run_derived_boundaries(s: Search) -> Counterexample | SearchLog:
    """An algorithm that is not order-based may jump where a *derived* comparison is an equality
    (an entry at the mean of p, a cumulative mass at a threshold): at each structured ``p0`` where
    one is, along each ``e_j - e_i``, the exact one-sided limit to first order (Theorem V.3'')
    against ``F(p0)``."""
    s.strategies.append("p0 where a derived comparison is an equality x directions e_j - e_i (exact one-sided "
                        "limits to first order, Theorem V.3'')")
    for Vn in s.sizes:
        for P in s.p_candidates(Vn):
            for T in _TEMPS:
                if s.late():
                    return s.result()
                s.candidates += 1
                if not _on_a_derived_boundary(s, P, T):
                    continue
                for a in range(Vn):
                    for b in range(Vn):
                        if a == b:
                            continue
                        d = [Fraction(0)] * Vn
                        d[a], d[b] = Fraction(1), Fraction(-1)
                        for vals in s.values_list:
                            gap = _direction_gap(s, P, d, T, vals)
                            if gap is None or gap <= 1e-12:
                                continue
                            ce = _certify_direction(s, P, d, T, vals)
                            if ce is not None:
                                return ce
    return s.result()


def _switching_points_in_x(s: Search, exprs: Sequence[sp.Expr], T: Fraction, vals: Mapping[str, Fraction],
                           xgrid: np.ndarray) -> list[Fraction]:
    cs: list[Fraction] = []
    for e in exprs:
        for Vn in (2, 3):
            env = float_env(s.op, None, np.float64(float(T)), Vn, vals)

            def f(a: np.ndarray, env: dict = env, e: sp.Expr = e) -> np.ndarray:
                return eval_numpy(e, {**env, X_SYM: a})

            try:
                roots = roots_1d(f, xgrid)
            except Exception:  # noqa: BLE001 - not evaluable here: no switching point found
                continue
            for r in roots:
                for c in nice_rationals(r)[:1]:
                    if 0 < c < 1 and c not in cs:
                        cs.append(c)
    return cs


def _run_separable(s: Search) -> Counterexample | SearchLog:
    """Jumps of the score in x: exact one-sided limits at its switching points in x."""
    note = ("continuity in T of separable operators is decided symbolically (skd.verify.prove); "
            "the refuter only looks for jumps of the score in x")
    exprs = [e for e in switch_exprs(s.op.score) if X_SYM in e.free_symbols]
    if not exprs:
        return s.result("limits/continuity of separable operators are decided symbolically (skd.verify.prove); "
                        "the score has no switching points in x", supported=False)
    s.strategies.append("jumps of the score in x at its switching points (exact one-sided limits)")
    temps = list(_TEMPS)
    temps += [t for t in s.T_switch[:5] if t not in temps]
    xgrid = np.unique(np.concatenate([np.geomspace(1e-12, 0.5, 400), 1 - np.geomspace(1e-12, 0.5, 400)[::-1]]))
    attempts = 0
    for vals in s.values_list:
        for T in temps:
            cs = _switching_points_in_x(s, exprs, T, vals, xgrid)
            for c in cs[:8]:
                cands: list[tuple[Fraction, ...]] = [(c, 1 - c)]
                if c < 1:
                    b = (1 - c) / 2
                    cands.append((c, b, 1 - c - b))
                for P in cands:
                    if s.late() or attempts >= 40:
                        return s.result(note)
                    if any(v <= 0 for v in P):
                        continue
                    s.candidates += 1
                    s.sizes_used.add(len(P))
                    s.log_T([T])
                    eps = min(P) * Fraction(1, 10**9)
                    Fp = s.F_float((P[0] + eps, P[1] - eps) + tuple(P[2:]), T, vals)
                    Fm = s.F_float((P[0] - eps, P[1] + eps) + tuple(P[2:]), T, vals)
                    if Fp is None or Fm is None:
                        continue
                    jump = float(np.max(np.abs(Fp - Fm)))
                    s.observe(-jump, (P, (T,), vals))
                    if jump < 1e-6:
                        continue  # no sign of a jump at this point
                    attempts += 1
                    s.certify_attempts += 1
                    notes: list[str] = []
                    try:
                        ce = C.certify_discontinuity_x(s.op, P, 0, 1, T, values=vals or None,
                                                       open_simplex=s.open_simplex, notes=notes)
                    except Exception as exc:  # noqa: BLE001 - a failed certification is no counterexample
                        ce, notes = None, [f"{type(exc).__name__}: {exc}"]
                    if ce is not None:
                        return ce
                    if notes and not any(isinstance(n, HoldsNote) for n in notes):
                        s.uncertified.append(f"{s.describe((P, (T,), vals))} ({notes[-1]})")
    return s.result(note)


_RUNS = {OperatorKind.SEPARABLE: _run_separable, OperatorKind.VECTOR: _run_vector}


class Continuity(AxiomRules):
    axiom_id = "continuity"
    margin_name = "-(size of the jump of F_T across p along d)"
    provers: ClassVar[Mapping[OperatorKind, Prover]] = {
        OperatorKind.SEPARABLE: prove_continuity,
        OperatorKind.VECTOR: FirstOf(TheoremProver("continuity"), FormProver("continuity")),
    }
    #: whole searches per kind (no float margin, so no generic phases)
    runs: ClassVar[Mapping[OperatorKind, Callable[[Search], Counterexample | SearchLog]]] = _RUNS

    def searched_kinds(self) -> frozenset[OperatorKind]:
        return frozenset(self.runs)

    def run(self, s: Search) -> Counterexample | SearchLog:
        handler = _RUNS.get(s.kind)
        if handler is None:
            return s.result(f"no search for continuity of {s.kind} operators", supported=False)
        return handler(s)
