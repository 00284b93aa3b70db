"""Operator kinds: one enumeration member each, with what the verifier needs to know of a kind.

An operator is either **separable** (a score ``g(x, T, V)`` normalised over the entries) or a
**vector** operator (an exact algorithm over the whole vector). Everything that differs by kind
and is not about one axiom lives here, in one :class:`KindSpec` per member of
:class:`OperatorKind`: the sizes a search covers, the scope an undecided verdict states, and the
floating-point evaluator the refuter's search uses to find candidates (candidates are never
reported as such: every counterexample is certified exactly). What differs by kind *and* axiom
(a prover, a structured search) is a handler registered per kind by the axiom's own module in
:mod:`skd.verify.axioms`.

Adding a kind: a member here, its :class:`KindSpec` in :data:`KIND_SPECS`, its declaration in
:mod:`skd.operators.declare`, and one handler per axiom where it has one (an axiom without a
handler for the kind answers ``unknown`` (``unsupported``) by itself).

>>> from skd.operators import library
>>> spec_of(library.power).kind, spec_of(library.topk).kind
('separable', 'vector')
>>> spec_of(library.topk).scope(library.topk)
'V in {2, 3, 4, 5}'
>>> OperatorKind.VECTOR == "vector"
True
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import math
import random
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from .arith import FloatArith, MpArith
from .evaluate import eval_numpy, exact_algorithm, log_score
from .symbols import T as T_SYM
from .symbols import V as V_SYM
from .symbols import x as X_SYM

if TYPE_CHECKING:  # annotations only: declare imports this module for OperatorKind
    from .declare import Operator

__all__ = ["OperatorKind", "KindSpec", "KIND_SPECS", "spec_of", "FloatF", "SEPARABLE_SIZES", "float_env", "float_log_scores",
           "float_log_neg_scores", "float_direct", "float_mp"]


class OperatorKind(enum.StrEnum):
    """The kinds of operator. A member equals its value (``OperatorKind.VECTOR == "vector"``)
    and serialises as it, so reports and content hashes are unchanged by the enumeration."""

    SEPARABLE = "separable"
    VECTOR = "vector"

    def __repr__(self) -> str:  # shown as its value, as the plain string it replaced was
        return repr(self.value)


#: the vocabulary sizes a search over a separable operator covers (its proofs hold for every V)
SEPARABLE_SIZES: tuple[int, ...] = (2, 3, 4, 5, 8, 64, 1000)


@dataclasses.dataclass(frozen=True)
class FloatF:
    """A floating-point ``F_T(p)`` for the search (``None`` when it cannot be evaluated), and
    whether the evaluation met a score ``<= 0`` (then no ``log g`` exists there)."""

    values: np.ndarray | None
    nonpositive: bool = False


@dataclasses.dataclass(frozen=True)
class KindSpec:
    """What the verifier needs to know of one operator kind."""

    kind: OperatorKind
    #: the vocabulary sizes a search covers
    search_sizes: Callable[[Operator], tuple[int, ...]]
    #: the scope stated by a verdict that covers what the search covered
    scope: Callable[[Operator], str]
    #: floating-point F_T(p) at exact (p, T, parameter values), for finding candidates
    float_F: Callable[[Operator, Sequence[Fraction], Fraction, Mapping[str, Fraction]], FloatF]
    #: the size a random candidate uses when the search drew ``Vn`` (a separable operator's
    #: searches cover V = 64 and 1000 by structured scans; random vectors stay small)
    sample_size: Callable[[int, random.Random], int] = lambda Vn, r: Vn
    #: what a proof of ``well_defined`` gives the proofs of the other axioms (their lemma step)
    defined_lemma: str = "g > 0 on the whole domain (well_defined proved): the reduction applies"
    #: why a proof of another axiom is not given when ``well_defined`` is not proved
    undefined_reason: str = "the reduction needs g > 0 (well_defined), which is not proved"


def float_env(op: Operator, xs: Any, T: Any, Vn: int, vals: Mapping[str, Fraction]) -> dict[Any, Any]:
    """The NumPy environment of a separable score: ``x``, ``T``, ``V`` and the parameters."""
    env: dict[Any, Any] = {X_SYM: xs, T_SYM: T, V_SYM: np.float64(Vn)}
    for prm in op.params:
        env[prm.symbol] = np.float64(float(vals[prm.name]))
    return env


@functools.lru_cache(maxsize=256)
def _log_score_of(score: Any) -> Any:
    return log_score(score, split_signed=True)


def float_log_scores(op: Operator, xs: np.ndarray, T: Any, Vn: int, vals: Mapping[str, Fraction]) -> np.ndarray:
    """``log g(x, T, V)`` of a separable operator in floating point (NaN where ``g < 0``, ``-inf``
    where ``g = 0``)."""
    out = eval_numpy(_log_score_of(op.score), float_env(op, xs, T, Vn, vals))
    shape = np.broadcast(np.asarray(xs), np.asarray(T)).shape
    return np.broadcast_to(np.asarray(out, dtype=float), shape)


def float_log_neg_scores(op: Operator, xs: np.ndarray, T: Any, Vn: int, vals: Mapping[str, Fraction]) -> np.ndarray:
    """``log(-g(x, T, V))`` in floating point (NaN where ``g > 0``): where every score of a vector
    is negative, ``F = |g| / sum |g|`` is ordered and normalised by these, with no underflow of
    ``g`` itself at small ``T`` (e.g. ``x**(1/T)*(T - 3)`` for ``T < 3``)."""
    if op.score is None:
        raise TypeError(f"{op.name} has no score (a vector operator)")
    out = eval_numpy(_log_score_of(-op.score), float_env(op, xs, T, Vn, vals))
    shape = np.broadcast(np.asarray(xs), np.asarray(T)).shape
    return np.broadcast_to(np.asarray(out, dtype=float), shape)


def float_direct(op: Operator, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> np.ndarray | None:
    """Float ``g / sum g`` from the score itself (scores of either sign; None when undefined,
    non-finite or with a normaliser too close to 0 to mean anything in floating point)."""
    try:
        with np.errstate(all="ignore"):
            g = eval_numpy(op.score, float_env(op, np.array([float(v) for v in P]), np.float64(float(T)), len(P), vals))
            g = np.broadcast_to(np.asarray(g, dtype=float), (len(P),))
    except Exception:  # noqa: BLE001 - an unevaluable score has no float F
        return None
    if not np.isfinite(g).all():
        return None
    total = float(g.sum())
    if not math.isfinite(total) or abs(total) <= 1e-12 * float(np.abs(g).sum()):
        return None
    return g / total


def float_mp(op: Operator, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> np.ndarray | None:
    """``F_T(p)`` through mpmath at 30 digits (a wider exponent range than floats), as floats."""
    try:
        out = exact_algorithm(op, vals)(list(P), T, MpArith(30))
        arr = np.array([float(v) for v in out])
    except Exception:  # noqa: BLE001 - not evaluable: no candidate here
        return None
    return arr if np.isfinite(arr).all() else None


def _separable_float_F(op: Operator, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> FloatF:
    try:
        s = float_log_scores(op, np.array([float(v) for v in P]), np.float64(float(T)), len(P), vals)
    except (TypeError, ValueError, KeyError):
        return FloatF(float_mp(op, P, T, vals))
    if np.isnan(s).any():
        # a score < 0 somewhere: every score < 0 gives F = |g| / sum |g| from log(-g) (no underflow),
        # else g / sum g
        with contextlib.suppress(TypeError, ValueError, KeyError):
            neg = float_log_neg_scores(op, np.array([float(v) for v in P]), np.float64(float(T)), len(P), vals)
            top = neg.max()
            if not np.isnan(neg).any() and np.isfinite(top):
                w = np.exp(neg - top)
                return FloatF(w / w.sum(), nonpositive=True)
        return FloatF(float_direct(op, P, T, vals), nonpositive=True)
    if np.isposinf(s).any():
        return FloatF(None)
    m = s.max()
    if not np.isfinite(m):
        return FloatF(None)
    w = np.exp(s - m)
    return FloatF(w / w.sum())


def _vector_float_F(op: Operator, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> FloatF:
    try:
        assert op.algorithm is not None  # a vector operator always has its algorithm
        out = op.algorithm([float(v) for v in P], float(T), FloatArith())
        arr = np.array([float(v) for v in out])
        if np.isfinite(arr).all():
            return FloatF(arr)
    except Exception:  # noqa: BLE001 - fall back to mpmath (wider exponent range)
        pass
    return FloatF(float_mp(op, P, T, vals))


KIND_SPECS: dict[OperatorKind, KindSpec] = {
    OperatorKind.SEPARABLE: KindSpec(
        OperatorKind.SEPARABLE,
        search_sizes=lambda op: SEPARABLE_SIZES,
        scope=lambda op: "full",
        float_F=_separable_float_F,
        sample_size=lambda Vn, r: r.choice([2, 3, 4, 5]) if Vn > 8 else Vn,
    ),
    OperatorKind.VECTOR: KindSpec(
        OperatorKind.VECTOR,
        search_sizes=lambda op: tuple(op.sizes),
        scope=lambda op: f"V in {{{', '.join(map(str, op.sizes))}}}",
        float_F=_vector_float_F,
        defined_lemma="F_T(p) is defined, >= 0 and sums to 1 on the declared sizes (well_defined proved)",
        undefined_reason="the proof presupposes that F is defined (well_defined), which is not proved",
    ),
}


def spec_of(op: Operator) -> KindSpec:
    """The :class:`KindSpec` of ``op``'s kind (a kind without one is a bug: KeyError names it)."""
    try:
        return KIND_SPECS[op.kind]
    except KeyError as exc:
        raise KeyError(f"operator {op.name!r} has kind {op.kind!r}, which has no KindSpec; kinds: "
                       f"{[k.value for k in KIND_SPECS]}") from exc
