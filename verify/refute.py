"""The refuter: a deterministic, budgeted search for certified counterexamples, per axiom.

``refute(op, axiom_id, ...)`` returns a :class:`~skd.verify.verdict.Counterexample` certified by
:mod:`skd.verify.certify` (exact rational arithmetic or disjoint Arb enclosures), or a
:class:`SearchLog` that says what was tried. Candidates are found with fast floating-point
evaluation and are *never* reported as such: a sampled failure that cannot be certified is a
near-miss in the log, not a counterexample.

Search, in phases that each stop at the deadline (``seconds``), or once the certifier has been
asked :data:`~skd.verify.search.MAX_CERTIFY` times in vain (nothing later could be certified):

1. **structured** — aimed at each axiom's failure mode: for separable operators a vectorised
   scan of the score over a grid of entries ``x`` (dyadic, decimal, tiny, near 1, around the
   score's switching points in ``x``) and temperatures (powers of 2 from ``2^-13`` to ``2^13``,
   values near 1, the Piecewise/Min/Max/Abs switching points in ``T`` and just around them);
   pairs of co-occurring entries (``x + y < 1`` for ``V >= 3``, ``y = 1 - x`` for ``V = 2``)
   for ranking, compared by ``log g`` (or by ``log(-g)`` where every score is negative: ``F`` is
   then ``|g| / sum |g|``, and ``g`` itself would underflow at small ``T``); ``T = 1`` exactly
   for identity; pairs ``T1 < T2`` (neighbours on a fine log grid and spread far apart) for entropy;
   extreme ``p`` and ``T`` for well-definedness.
   Vector operators are searched at their declared sizes only, with near-ties, tiny entries,
   steep and flat vectors; continuity of order-based vector operators at tied ``p0`` along
   tie-breaking directions; limits from the operator's declared (proved) limit functions.
2. **Hypothesis** — ``st.randoms()`` drives the same samplers, with ``target()`` on the
   violation margin (seeded with ``seed``, no database, no shrinking: the certifier shrinks).
   Skipped (replaced by the seeded sampler) when called inside a running Hypothesis test.
3. **local optimisation** — random coordinate perturbations of the best near-misses,
   minimising the margin.

The phases live in the engine (:mod:`skd.verify.search`), which knows no axiom; what each axiom
searches for, measures, certifies and shrinks lives in its module of :mod:`skd.verify.axioms`.
A certified counterexample is then shrunk (fewer classes for separable operators, simpler
rationals; every step re-certified). The candidate sequence depends only on ``seed``; the
deadline only truncates it.

A limit is never refuted by one finite ``T``: the refuter uses exact limits only — a vector
operator's (or built-in's) declared limit functions (proved in docs), or, for separable operators,
the limits of the scores (or of their ratios to a structurally positive reference score) by the
limit laws (:func:`skd.verify.limits.separable_T_limit`); 0/0 and oo/oo forms beyond that are the
symbolic prover's (:mod:`skd.verify.prove`). Continuity of separable operators is refuted only
through jumps of the score in ``x`` at its switching points, with exact one-sided limits
(:func:`skd.verify.certify.certify_discontinuity_x`); continuity in ``T`` is the prover's.

>>> from skd.operators import library
>>> ce = refute(library.topk, "ranking", seconds=5)
>>> ce.statement
'p_2 > p_3 but F_T(p)_2 <= F_T(p)_3 at T = 1'
>>> log = refute(library.power, "identity", seconds=2)
>>> type(log).__name__, log.axiom
('SearchLog', 'identity')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from skd.operators.declare import Operator
from skd.theory.axioms import PROFILES
from skd.verify.verdict import Counterexample

from .axioms import rules_for
from .sampling import switching_points
from .search import Search, SearchLog

__all__ = ["SearchLog", "refute", "switching_points"]


def refute(op: Operator, axiom_id: str, *, profile: str = "paper", seed: int = 0, seconds: float = 10.0,
           values: Mapping[str, Any] | None = None) -> Counterexample | SearchLog:
    """Search for a certified counterexample to ``axiom_id`` for ``op``; see the module docstring.

    Returns a :class:`Counterexample` (certified, shrunk) or a :class:`SearchLog`. Deterministic
    for a given ``seed`` as long as the budget ``seconds`` does not cut the search short.
    """
    if profile not in PROFILES:
        raise KeyError(f"profile={profile!r}: choose from {sorted(PROFILES)}")
    return Search(op, rules_for(axiom_id), profile, seed, seconds, values).run()
