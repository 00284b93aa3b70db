"""A5- and A5+, the boundary limits: ``F_T(p) ->`` uniform on ``argmax p`` as ``T -> 0+`` (cold)
and uniform on all ``V`` classes (``supp p`` in the closed profile) as ``T -> oo`` (hot).

One module for both limits: they are the same rules at the two ends of the ``T``-axis, so
:class:`Boundary` is instantiated once per end (:class:`BoundaryCold`, :class:`BoundaryHot`).

A limit is never refuted by one finite ``T``: the search uses exact limits only.
Separable operators: proved by the ratio lemmas of docs/theory/reductions.md#boundary; searched
through the limits of the scores (or of their ratios to a positive reference score) by the limit
laws (:func:`skd.verify.limits.separable_T_limit`; 0/0 and oo/oo forms beyond that are the
prover's). A built-in's own declared limit function is trusted (it is proved in docs/theory),
never one attached to a look-alike. Vector operators: their declared (proved) limit functions on
structured vectors; one without a declared limit (a user's algorithm): the exact limit of the path
its algorithm takes near the end of the T-axis at each exact structured vector
(:func:`skd.verify.limits.vector_T_limit`).

>>> from skd.verify.axioms import rules_for
>>> rules_for("boundary_cold").end, rules_for("boundary_hot").end
('cold', 'hot')
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from skd.operators import library
from skd.operators.kinds import OperatorKind

from .. import certify as C
from ..hybrid import HoldsNote
from ..limits import separable_T_limit, vector_T_limit
from ..outcome import Prover
from ..provers.boundary import prove_boundary_cold, prove_boundary_hot
from ..provers.theorems import FirstOf, TheoremProver
from ..provers.vector_forms import FormProver
from ..reproduce import is_builtin
from ..search import Search, SearchLog
from ..shrink import shrink_vector
from ..verdict import Counterexample
from .base import AxiomRules

__all__ = ["Boundary", "BoundaryCold", "BoundaryHot"]

LimitOf = Callable[[Sequence[Fraction]], "list[Any] | None"]


def exact_uniform_limit(fn: Callable[..., Any], P: Sequence[Fraction]) -> list[Fraction] | None:
    """Apply a declared (proved) limit function to exact input.

    The functions take float arrays and return uniform distributions on index sets. The float
    image of ``P`` must preserve every order relation and zero of ``P`` exactly (else the index
    sets could differ) and each output must be exactly 0 or ``1/m`` for the number ``m`` of
    non-zero outputs; otherwise ``None``. ``identity_limit`` (limit = ``p``) is applied exactly.
    """
    if fn is library.identity_limit:
        return list(P)
    Pf = [float(v) for v in P]
    for a in range(len(P)):
        if (P[a] > 0) != (Pf[a] > 0):
            return None
        for b in range(len(P)):
            if (P[a] < P[b]) != (Pf[a] < Pf[b]) or (P[a] == P[b]) != (Pf[a] == Pf[b]):
                return None
    try:
        out = np.asarray(fn(np.array(Pf, dtype=np.float64)), dtype=np.float64).reshape(-1)
    except Exception:  # noqa: BLE001 - a limit function that fails here gives no limit
        return None
    if out.shape != (len(P),) or not np.isfinite(out).all():
        return None
    m = int(np.count_nonzero(out))
    if m == 0 or m > 64:
        return None
    res = []
    for v in out:
        if v == 0:
            res.append(Fraction(0))
        elif v == 1.0 / m:
            res.append(Fraction(1, m))
        else:
            return None
    return res


class Boundary(AxiomRules):
    """The limit at one end of the T-axis."""

    #: "cold" (T -> 0+) or "hot" (T -> oo)
    end: ClassVar[str | None]
    margin_name = "margin"

    @property
    def which(self) -> str:
        """The end of the T-axis, "cold" or "hot" (set by each subclass)."""
        if self.end is None:  # pragma: no cover - both subclasses set it
            raise TypeError(f"{type(self).__name__} has no end of the T-axis")
        return self.end

    def searched_kinds(self) -> frozenset[OperatorKind]:
        return frozenset({OperatorKind.SEPARABLE, OperatorKind.VECTOR})

    def _declared(self, s: Search) -> Callable[..., Any] | None:
        return s.op.cold_limit if self.end == "cold" else s.op.hot_limit

    def run(self, s: Search) -> Counterexample | SearchLog:
        if s.kind is OperatorKind.VECTOR:
            fn = self._declared(s)
            if fn is None:
                if s.op.algorithm is None or s.op.params:
                    return s.result(f"{s.op.name} declares no proved {self.which} limit function and no parameter-free "
                                    "algorithm to run symbolically; a limit is never refuted by one finite T",
                                    supported=False)
                return self._path_limits(s)
            return self._declared_limit(s, fn, s.sizes)
        if s.kind is OperatorKind.SEPARABLE:
            fn = self._declared(s)
            if fn is not None and is_builtin(s.op):
                # only the library's own (proved) limit function, never one attached to a look-alike
                ref = library.get(s.op.name)
                if fn is (ref.cold_limit if self.end == "cold" else ref.hot_limit):
                    return self._declared_limit(s, fn, (2, 3, 4, 5))
            return self._score_limits(s)
        return s.result(f"no search for the {self.end} limit of {s.kind} operators", supported=False)

    def _declared_limit(self, s: Search, fn: Callable[..., Any], sizes: Sequence[int]) -> Counterexample | SearchLog:
        which = self.which
        s.strategies.append(f"declared exact {which} limit ({getattr(fn, '__name__', 'limit')}) on structured vectors")
        for Vn in sizes:
            s.sizes_used.add(Vn)
            for P in s.p_candidates(Vn, ties=True):
                for vals in s.values_list:
                    if s.late():
                        return s.result()
                    s.candidates += 1
                    L = exact_uniform_limit(fn, P)
                    if L is None:
                        continue
                    target = C.limit_target(P, which, s.profile)
                    if L == target:
                        continue
                    notes: list[str] = []
                    s.certify_attempts += 1
                    proof = f"{getattr(fn, '__name__', 'declared limit')} (declared by {s.op.name}; proved in docs/theory)"
                    ce = C.certify_limit(s.op, P, which, L, target, values=vals or None, profile=s.profile,
                                         proof=proof, open_simplex=s.open_simplex, notes=notes)
                    if ce is not None:
                        return self._shrink_limit(s, ce, vals, proof, lambda Q: exact_uniform_limit(fn, Q))
                    s.uncertified.append(f"{s.describe((P, (), vals))} ({notes[-1] if notes else 'not certified'})")
        return s.result()

    def _shrink_limit(self, s: Search, ce: Counterexample, vals: Mapping[str, Fraction], proof: str,
                      limit_of: LimitOf) -> Counterexample:
        """Simpler entries of p for a limit counterexample; every step recomputes the exact limit
        (by the same proved method) and re-certifies."""
        which = self.which
        best = [ce]

        def recert(Q: Sequence[Fraction]) -> bool:
            if time.monotonic() > s.hard_deadline:
                return False
            try:
                L = limit_of(list(Q))
                if L is None:
                    return False
                c = C.certify_limit(s.op, list(Q), which, L, C.limit_target(Q, which, s.profile),
                                    values=vals or None, profile=s.profile, proof=proof)
            except Exception:  # noqa: BLE001 - a step that fails is not taken
                return False
            if c is not None:
                best[0] = c
            return c is not None

        P = [Fraction(v) for v in ce.p]
        try:
            shrink_vector(P, recert, open_simplex=s.open_simplex, deadline=s.hard_deadline)
        except Exception:  # noqa: BLE001 - shrinking is optional; the original is certified
            return ce
        return best[0]

    def _score_limits(self, s: Search) -> Counterexample | SearchLog:
        """Exact limits of the scores (extended-real limit laws); only when every score has a finite
        limit with a positive sum. 0/0 and oo/oo forms are left to the symbolic prover."""
        which = self.which
        s.strategies.append(f"exact {which} limits of the scores g(p_i, T) (limit laws; no 0/0 or oo/oo forms)")
        note = ("limits of separable operators whose scores all tend to 0 or oo are decided by the symbolic prover "
                "(skd.verify.prove)")
        found_any = False
        for Vn in (2, 3, 4, 5):
            s.sizes_used.add(Vn)
            for P in s.p_candidates(Vn, ties=True)[:40]:
                for vals in s.values_list:
                    if s.late():
                        return s.result(note)
                    s.candidates += 1
                    try:
                        L = separable_T_limit(s.op, P, which, vals or None)
                    except Exception:  # noqa: BLE001 - no limit, no counterexample
                        L = None
                    if L is None:
                        continue
                    found_any = True
                    target = C.limit_target(P, which, s.profile)
                    notes: list[str] = []
                    s.certify_attempts += 1
                    proof = ("limits of the scores g(p_i, T) (or of their ratios to a positive reference score) "
                             "by the limit laws (skd.verify.limits.separable_T_limit)")
                    ce = C.certify_limit(s.op, P, which, L, target, values=vals or None, profile=s.profile,
                                         proof=proof, notes=notes)
                    if ce is not None:
                        def limit_of(Q: Sequence[Fraction], vals: Mapping[str, Fraction] = vals) -> list[Any] | None:
                            return separable_T_limit(s.op, Q, which, vals or None)

                        return self._shrink_limit(s, ce, vals, proof, limit_of)
                    if notes and not any(isinstance(n, HoldsNote) for n in notes):
                        s.uncertified.append(f"{s.describe((P, (), vals))} ({notes[-1]})")
                if not found_any and Vn == 2:
                    return s.result(note + f"; the scores' {which} limits are 0/0 or oo/oo forms here")
        return s.result(note)


    def _path_limits(self, s: Search) -> Counterexample | SearchLog:
        """A vector operator without a declared limit function: at each exact structured vector,
        the exact limit of the path its algorithm takes near the end of the T-axis."""
        which = self.which
        s.strategies.append(f"exact {which} limits of the algorithm's path near the end of the T-axis at exact p "
                            "(symbolic execution at p, limit laws)")
        proof = (f"the {which} limit of the algorithm's outputs on the one path taken near the end of the T-axis at p "
                 "(symbolic execution at p, each path condition's sign near the end, the limit laws: "
                 "skd.verify.limits.vector_T_limit)")
        undecided = 0
        for Vn in s.sizes:
            s.sizes_used.add(Vn)
            for P in s.p_candidates(Vn, ties=True)[:40]:
                if s.late():
                    return s.result()
                s.candidates += 1
                try:
                    L = vector_T_limit(s.op, P, which)
                except Exception:  # noqa: BLE001 - no limit, no counterexample
                    L = None
                if L is None:
                    undecided += 1
                    continue
                notes: list[str] = []
                s.certify_attempts += 1
                ce = C.certify_limit(s.op, P, which, L, C.limit_target(P, which, s.profile), profile=s.profile,
                                     proof=proof, notes=notes)
                if ce is not None:
                    return self._shrink_limit(s, ce, {}, proof, lambda Q: vector_T_limit(s.op, Q, which))
                if notes and not any(isinstance(n, HoldsNote) for n in notes):
                    s.uncertified.append(f"{s.describe((P, (), {}))} ({notes[-1]})")
        return s.result(f"the path limit was not established at {undecided} of {s.candidates} vectors" if undecided else None)


class BoundaryCold(Boundary):
    axiom_id = "boundary_cold"
    end = "cold"
    provers: ClassVar[Mapping[OperatorKind, Prover]] = {
        OperatorKind.SEPARABLE: prove_boundary_cold,
        OperatorKind.VECTOR: FirstOf(TheoremProver("boundary_cold"), FormProver("boundary_cold")),
    }


class BoundaryHot(Boundary):
    axiom_id = "boundary_hot"
    end = "hot"
    provers: ClassVar[Mapping[OperatorKind, Prover]] = {
        OperatorKind.SEPARABLE: prove_boundary_hot,
        OperatorKind.VECTOR: FirstOf(TheoremProver("boundary_hot"), FormProver("boundary_hot")),
    }
