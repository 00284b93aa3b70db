"""The refuter: a deterministic, budgeted search for certified counterexamples, per axiom.

``refute(op, axiom_id, ...)`` returns a :class:`~skd.verify.verdict.Counterexample` certified by
:mod:`skd.verify.certify` (exact rational arithmetic or disjoint Arb enclosures), or a
:class:`SearchLog` that says what was tried. Candidates are found with fast floating-point
evaluation and are *never* reported as such: a sampled failure that cannot be certified is a
near-miss in the log, not a counterexample.

Search, in phases that each stop at the deadline (``seconds``):

1. **structured** — aimed at each axiom's failure mode: for separable operators a vectorised
   scan of the score over a grid of entries ``x`` (dyadic, decimal, tiny, near 1, around the
   score's switching points in ``x``) and temperatures (powers of 2 from ``2^-13`` to ``2^13``,
   values near 1, the Piecewise/Min/Max/Abs switching points in ``T`` and just around them);
   pairs of co-occurring entries (``x + y < 1`` for ``V >= 3``, ``y = 1 - x`` for ``V = 2``)
   for ranking; ``T = 1`` exactly for identity; pairs ``T1 < T2`` (neighbours on a fine log
   grid and spread far apart) for entropy; extreme ``p`` and ``T`` for well-definedness.
   Vector operators are searched at their declared sizes only, with near-ties, tiny entries,
   steep and flat vectors; continuity of order-based vector operators at tied ``p0`` along
   tie-breaking directions; limits from the operator's declared (proved) limit functions.
2. **Hypothesis** — ``st.randoms()`` drives the same samplers, with ``target()`` on the
   violation margin (seeded with ``seed``, no database, no shrinking: the certifier shrinks).
   Skipped (replaced by the seeded sampler) when called inside a running Hypothesis test.
3. **local optimisation** — random coordinate perturbations of the best near-misses,
   minimising the margin.

A certified counterexample is then shrunk (fewer classes for separable operators, simpler
rationals; every step re-certified). The candidate sequence depends only on ``seed``; the
deadline only truncates it.

A limit is never refuted by one finite ``T``: the refuter uses exact limits only — a vector
operator's (or built-in's) declared limit functions (proved in docs), or, for separable operators,
the limits of the scores (or of their ratios to a structurally positive reference score) by the
limit laws (:func:`skd.verify.certify.separable_T_limit`); 0/0 and oo/oo forms beyond that are the
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

import dataclasses
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from skd.operators.arith import FloatArith, MpArith
from skd.operators.evaluate import eval_numpy, log_score
from skd.operators.symbols import T as T_SYM
from skd.operators.symbols import V as V_SYM
from skd.operators.symbols import x as X_SYM
from skd.theory.axioms import PROFILES
from skd.verify.verdict import Counterexample

from . import certify as C

__all__ = ["SearchLog", "refute", "switching_points"]

SEPARABLE_SIZES: tuple[int, ...] = (2, 3, 4, 5, 8, 64, 1000)
MAX_CERTIFY = 400


@dataclasses.dataclass(frozen=True)
class SearchLog:
    """What the refuter tried when it found no certified counterexample."""

    axiom: str
    operator: str
    profile: str
    seed: int
    seconds: float
    budget: float
    candidates: int
    certify_attempts: int
    sizes: tuple[int, ...]
    T_range: tuple[str, str] | None
    strategies: tuple[str, ...]
    near_miss: str | None = None
    uncertified: tuple[str, ...] = ()
    dismissed: int = 0
    note: str | None = None
    out_of_time: bool = False
    supported: bool = True

    @property
    def reason_kind(self) -> str:
        if not self.supported:
            return "unsupported"
        if self.out_of_time and not self.uncertified:
            return "budget"
        return "undecided"

    @property
    def summary(self) -> str:
        if not self.supported:
            return f"{self.note}" if self.note else "not supported by the refuter"
        parts = [f"no certified counterexample in {self.candidates} candidates"]
        scope = []
        if self.sizes:
            scope.append("V in {" + ", ".join(map(str, self.sizes)) + "}")
        if self.T_range:
            scope.append(f"T in [{self.T_range[0]}, {self.T_range[1]}]")
        if scope:
            parts[0] += " (" + "; ".join(scope) + ")"
        parts.append(f"strategies: {', '.join(self.strategies)}")
        overran = self.seconds > self.budget
        parts.append(f"seed {self.seed}, {self.seconds:.1f} s of {self.budget:g} s"
                     + (" (the last candidate overran the budget)" if overran else " (budget exhausted)" if self.out_of_time else ""))
        if self.near_miss:
            parts.append(f"closest: {self.near_miss}")
        if self.uncertified:
            parts.append(f"{len(self.uncertified)} sampled failure(s) could not be certified, e.g. {self.uncertified[0]}")
        if self.dismissed:
            parts.append(f"{self.dismissed} floating-point alarm(s) dismissed by exact/Arb evaluation")
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)

    @property
    def reason(self) -> str:
        return self.summary

    def __str__(self) -> str:
        return self.summary


class _Found(Exception):
    pass


class _Late(Exception):
    pass


# =============================================================================================
# Switching points of a score
# =============================================================================================


def _switch_exprs(expr: sp.Basic) -> list[sp.Expr]:
    out: list[sp.Expr] = []

    def rel(c: sp.Basic) -> None:
        if isinstance(c, sp.core.relational.Relational):
            out.append(c.lhs - c.rhs)
        elif isinstance(c, (sp.And, sp.Or, sp.Not)):
            for a in c.args:
                rel(a)

    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Piecewise):
            for _, c in node.args:
                rel(c)
        elif isinstance(node, (sp.Min, sp.Max)):
            for a, b in itertools.combinations(node.args, 2):
                out.append(a - b)
        elif isinstance(node, (sp.Abs, sp.Heaviside, sp.sign)):
            out.append(node.args[0])
    return out


def _roots_1d(f: Callable[[np.ndarray], np.ndarray], grid: np.ndarray) -> list[float]:
    with np.errstate(all="ignore"):
        v = np.asarray(f(grid), dtype=float)
    v = np.broadcast_to(v, grid.shape)
    roots: list[float] = []
    for k in range(len(grid)):
        if v[k] == 0:
            roots.append(float(grid[k]))
    for k in range(len(grid) - 1):
        a, b = v[k], v[k + 1]
        if not (np.isfinite(a) and np.isfinite(b)) or a == 0 or b == 0 or (a > 0) == (b > 0):
            continue
        lo, hi, flo = float(grid[k]), float(grid[k + 1]), a
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            with np.errstate(all="ignore"):
                fm = float(np.asarray(f(np.array([mid]))).reshape(-1)[0])
            if not np.isfinite(fm):
                break
            if fm == 0:
                lo = hi = mid
                break
            if (fm > 0) == (flo > 0):
                lo, flo = mid, fm
            else:
                hi = mid
        roots.append(0.5 * (lo + hi))
    return roots


def _nice(r: float) -> list[Fraction]:
    """Rationals at a float root: simple ones that match it closely, and the float itself."""
    if not math.isfinite(r) or r <= 0:
        return []
    out = []
    exact = Fraction(r)
    for D in (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 100, 1000, 10**6):
        c = exact.limit_denominator(D)
        if c > 0 and abs(float(c) - r) <= 1e-12 * max(1.0, abs(r)):
            out.append(c)
            break
    out.append(exact.limit_denominator(10**12))
    return out


def switching_points(op: Any, values_list: Sequence[Mapping[str, Fraction]] = ({},),
                     sizes: Sequence[int] = (2, 3, 5, 10)) -> tuple[list[Fraction], list[Fraction]]:
    """Approximate switching points of a separable score: (T values, x values), as rationals.

    From Piecewise conditions, Min/Max argument crossings, Abs/Heaviside/sign arguments; roots
    are found numerically (sign changes on a grid, then bisection) and snapped to simple
    rationals when they match. These only steer the search; nothing is certified from them.
    """
    if op.kind != "separable":
        return [], []
    exprs = _switch_exprs(op.score)
    Tgrid = np.exp(np.linspace(math.log(1e-5), math.log(1e5), 801))
    xgrid = np.concatenate([np.geomspace(1e-15, 0.5, 300), 1 - np.geomspace(1e-15, 0.5, 300)[::-1]])
    xgrid = np.unique(xgrid)
    Ts: set[Fraction] = set()
    xs: set[Fraction] = set()
    for e in exprs:
        fs = e.free_symbols
        for vals in values_list:
            for Vn in sizes:
                env: dict[Any, Any] = {V_SYM: float(Vn)}
                for prm in op.params:
                    env[prm.symbol] = float(vals.get(prm.name, 1))
                if T_SYM in fs:
                    for xv in ([0.5] if X_SYM not in fs else [1e-3, 0.1, 0.25, 0.5, 0.75, 0.9]):
                        def fT(a: np.ndarray, xv: float = xv, env: dict = env) -> np.ndarray:
                            return eval_numpy(e, {**env, T_SYM: a, X_SYM: np.float64(xv)})
                        for r in _roots_1d(fT, Tgrid):
                            Ts.update(_nice(r))
                if X_SYM in fs:
                    for Tv in ([1.0] if T_SYM not in fs else [0.1, 0.5, 1.0, 2.0, 10.0]):
                        def fx(a: np.ndarray, Tv: float = Tv, env: dict = env) -> np.ndarray:
                            return eval_numpy(e, {**env, X_SYM: a, T_SYM: np.float64(Tv)})
                        for r in _roots_1d(fx, xgrid):
                            if 0 < r < 1:
                                xs.update(c for c in _nice(r) if 0 < c < 1)
    return sorted(Ts)[:60], sorted(xs)[:60]


# =============================================================================================
# Param values
# =============================================================================================


def _param_samples(prm: Any) -> list[Fraction]:
    lo, hi = prm.bounds
    cands = [Fraction(v) for v in ("0", "1", "2", "1/2", "1/4", "3/4", "1/10", "9/10", "3", "10", "-1", "-1/2", "1/1000")]
    if lo is not None:
        lo_f = Fraction(int(lo.p), int(lo.q))
        cands += [lo_f, lo_f + Fraction(1, 1000), lo_f + 1]
    if hi is not None:
        hi_f = Fraction(int(hi.p), int(hi.q))
        cands += [hi_f, hi_f - Fraction(1, 1000), hi_f - 1]
    if lo is not None and hi is not None:
        cands.append((Fraction(int(lo.p), int(lo.q)) + Fraction(int(hi.p), int(hi.q))) / 2)
    out = []
    for c in cands:
        if prm.contains(c) and c not in out:
            out.append(c)
    return out[:6]


def _values_grid(op: Any, values: Mapping[str, Any] | None) -> list[dict[str, Fraction]]:
    fixed = {k: C._frac(v) for k, v in (values or {}).items()}
    free = [prm for prm in op.params if prm.name not in fixed]
    if not free:
        return [fixed]
    lists = [_param_samples(prm) for prm in free]
    out = []
    for combo in itertools.product(*lists):
        d = dict(fixed)
        d.update({prm.name: v for prm, v in zip(free, combo)})
        out.append(d)
        if len(out) >= 12:
            break
    return out


# =============================================================================================
# The search
# =============================================================================================


def _fmt(q: Fraction) -> str:
    if q.denominator < 10**6 and abs(q.numerator) < 10**9:
        return C.format_fraction(q)
    return f"~{float(q):.6g}"


def _weights_to_p(w: Sequence[int | Fraction]) -> tuple[Fraction, ...]:
    s = sum(Fraction(v) for v in w)
    return tuple(Fraction(v) / s for v in w)


class _Search:
    def __init__(self, op: Any, axiom: str, profile: str, seed: int, seconds: float,
                 values: Mapping[str, Any] | None) -> None:
        self.op = op
        self.axiom = axiom
        self.profile = profile
        self.nonpositive = False  # set once a separable score is seen <= 0 (no log g there)
        prof = PROFILES[profile]
        prof.get(axiom)
        self.strict = prof.strict_ranking
        self.open_simplex = prof.open_simplex
        self.seed = seed
        self.seconds = float(seconds)
        self.start = time.monotonic()
        self.deadline = self.start + 0.85 * self.seconds
        self.hard_deadline = self.start + 0.95 * self.seconds
        self.rng = random.Random(seed)
        self.values_list = _values_grid(op, values)
        self.candidates = 0
        self.certify_attempts = 0
        self.sizes_used: set[int] = set()
        self.T_seen: list[Fraction] = []
        self.strategies: list[str] = []
        self.best: tuple[float, str] | None = None
        self.uncertified: list[str] = []
        self.dismissed = 0
        self.tried: set[Any] = set()
        self.out_of_time = False
        self.near_pool: list[tuple[float, tuple]] = []
        if op.kind == "separable":
            self.sizes = SEPARABLE_SIZES
            self._ls = log_score(op.score)
        else:
            self.sizes = tuple(op.sizes)
            self._ls = None
        self._T_switch, self._x_switch = ([], [])
        if op.kind == "separable":
            try:
                self._T_switch, self._x_switch = switching_points(op, self.values_list[:3])
            except Exception:  # noqa: BLE001 - switching points only steer the search
                pass

    # -- time ------------------------------------------------------------------------------
    def late(self) -> bool:
        if time.monotonic() > self.deadline:
            self.out_of_time = True
            return True
        return False

    # -- bookkeeping -----------------------------------------------------------------------
    def observe(self, margin: float, cand: tuple) -> None:
        if margin is None or not math.isfinite(margin):
            return
        if self.best is None or margin < self.best[0]:
            self.best = (margin, self.describe(cand))
        self.near_pool.append((margin, cand))
        if len(self.near_pool) > 400:
            self.near_pool.sort(key=lambda t: t[0])
            del self.near_pool[50:]

    def describe(self, cand: tuple) -> str:
        P, temps, vals = cand
        s = "p=(" + ", ".join(_fmt(v) for v in P[:6]) + (", ..." if len(P) > 6 else "") + ")"
        if temps:
            s += ", T=" + "/".join(_fmt(t) for t in temps)
        if vals:
            s += ", " + ", ".join(f"{k}={_fmt(v)}" for k, v in vals.items())
        return s

    def log_T(self, temps: Iterable[Fraction]) -> None:
        for t in temps:
            if not self.T_seen:
                self.T_seen = [t, t]
            else:
                if t < self.T_seen[0]:
                    self.T_seen[0] = t
                if t > self.T_seen[1]:
                    self.T_seen[1] = t

    def result(self, note: str | None = None, supported: bool = True) -> SearchLog:
        near = None
        if self.best is not None:
            m, d = self.best
            near = f"{self.margin_name()} {m:.3g} at {d}"
        return SearchLog(
            axiom=self.axiom, operator=self.op.name, profile=self.profile, seed=self.seed,
            seconds=round(time.monotonic() - self.start, 3), budget=self.seconds, candidates=self.candidates,
            certify_attempts=self.certify_attempts, sizes=tuple(sorted(self.sizes_used)),
            T_range=(None if not self.T_seen else (_fmt(self.T_seen[0]), _fmt(self.T_seen[1]))),
            strategies=tuple(dict.fromkeys(self.strategies)), near_miss=near, uncertified=tuple(self.uncertified[:5]), dismissed=self.dismissed,
            note=note, out_of_time=self.out_of_time, supported=supported,
        )

    def margin_name(self) -> str:
        return {
            "ranking": "ranking margin (log g(p_i) - log g(p_j) or F_i - F_j)",
            "identity": "identity margin (-max |F_1(p)_i/p_i - 1|)",
            "entropy": "entropy margin H(F_T2) - H(F_T1)",
            "well_defined": "smallest entry of F_T(p)",
            "continuity": "-(size of the jump of F_T across p along d)",
        }.get(self.axiom, "margin")

    # -- float evaluation ------------------------------------------------------------------
    def _env(self, xs: Any, T: Any, Vn: int, vals: Mapping[str, Fraction]) -> dict[Any, Any]:
        env: dict[Any, Any] = {X_SYM: xs, T_SYM: T, V_SYM: np.float64(Vn)}
        for prm in self.op.params:
            env[prm.symbol] = np.float64(float(vals[prm.name]))
        return env

    def log_scores(self, xs: np.ndarray, T: Any, Vn: int, vals: Mapping[str, Fraction]) -> np.ndarray:
        out = eval_numpy(self._ls, self._env(xs, T, Vn, vals))
        shape = np.broadcast(np.asarray(xs), np.asarray(T)).shape
        return np.broadcast_to(np.asarray(out, dtype=float), shape)

    def F_float(self, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> np.ndarray | None:
        """Float ``F_T(p)``; None when it cannot be evaluated (undefined or overflow)."""
        if self.op.kind == "separable":
            try:
                s = self.log_scores(np.array([float(v) for v in P]), np.float64(float(T)), len(P), vals)
            except (TypeError, ValueError, KeyError):
                return self._F_mp(P, T, vals)
            if np.isnan(s).any():
                return self._F_direct(P, T, vals)  # a score <= 0 somewhere: no log; g / sum g itself
            if np.isposinf(s).any():
                return None
            m = s.max()
            if not np.isfinite(m):
                return None
            w = np.exp(s - m)
            return w / w.sum()
        try:
            out = self.op.algorithm([float(v) for v in P], float(T), FloatArith())
            arr = np.array([float(v) for v in out])
            if np.isfinite(arr).all():
                return arr
        except Exception:  # noqa: BLE001 - fall back to mpmath (wider exponent range)
            pass
        return self._F_mp(P, T, vals)

    def _F_direct(self, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> np.ndarray | None:
        """Float ``g / sum g`` from the score itself (scores of either sign; None when undefined,
        non-finite or with a normaliser too close to 0 to mean anything in floating point)."""
        self.nonpositive = True
        try:
            with np.errstate(all="ignore"):
                g = eval_numpy(self.op.score, self._env(np.array([float(v) for v in P]), np.float64(float(T)), len(P), vals))
                g = np.broadcast_to(np.asarray(g, dtype=float), (len(P),))
        except Exception:  # noqa: BLE001 - an unevaluable score has no float F
            return None
        if not np.isfinite(g).all():
            return None
        total = float(g.sum())
        if not math.isfinite(total) or abs(total) <= 1e-12 * float(np.abs(g).sum()):
            return None
        return g / total

    def _F_mp(self, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> np.ndarray | None:
        from skd.operators.evaluate import exact_algorithm

        try:
            out = exact_algorithm(self.op, vals)(list(P), T, MpArith(30))
            arr = np.array([float(v) for v in out])
        except Exception:  # noqa: BLE001
            return None
        return arr if np.isfinite(arr).all() else None

    # -- candidate generators --------------------------------------------------------------
    def T_grid(self, dense: bool = False) -> list[Fraction]:
        ts: set[Fraction] = set()
        step = 8 if dense else 1
        for k in range(-13 * step, 13 * step + 1):
            if dense:
                ts.add(Fraction(2 ** (k / step)).limit_denominator(10**6) if k % step else Fraction(2) ** (k // step))
            else:
                ts.add(Fraction(2) ** k)
        for v in ("1/10", "1/3", "2/3", "3/4", "5/4", "3/2", "3", "5", "10", "1/5", "4/5", "6/5"):
            ts.add(Fraction(v))
        for k in (2, 4, 6, 8, 12, 16, 24, 32):
            ts.add(1 + Fraction(1, 2**k))
            ts.add(1 - Fraction(1, 2**k))
        for t in self._T_switch:
            ts.add(t)
            for k in (3, 6, 10, 20, 40):
                for sgn in (1, -1):
                    c = t * (1 + sgn * Fraction(1, 2**k))
                    if c > 0:
                        ts.add(c)
        return sorted(t for t in ts if t > 0)

    def x_grid(self) -> list[Fraction]:
        xs: set[Fraction] = set()
        for k in range(1, 64):
            xs.add(Fraction(k, 64))
        for k in range(1, 20):
            xs.add(Fraction(k, 20))
        for k in range(1, 61):
            xs.add(Fraction(1, 2**k))
        for k in range(2, 51):
            xs.add(1 - Fraction(1, 2**k))
        for k in range(1, 16):
            xs.add(Fraction(1, 10**k))
        for k in (3, 7, 9, 11, 13, 17, 19, 31, 49, 99, 101, 999):
            xs.add(Fraction(1, k))
            xs.add(1 - Fraction(1, k))
        for c in self._x_switch:
            xs.add(c)
            for k in (4, 10, 20, 40):
                for sgn in (1, -1):
                    v = c + sgn * Fraction(1, 2**k) * min(c, 1 - c)
                    if 0 < v < 1:
                        xs.add(v)
        if not self.open_simplex:
            xs.add(Fraction(0))
        return sorted(v for v in xs if 0 <= v < 1)

    def p_candidates(self, Vn: int, ties: bool = False) -> list[tuple[Fraction, ...]]:
        """Structured vectors of size Vn (exact, summing to 1) plus seeded random ones."""
        out: list[tuple[Fraction, ...]] = []
        add = out.append
        add(_weights_to_p(range(Vn, 0, -1)))
        add(_weights_to_p([2 ** min(Vn - k, 60) for k in range(Vn)]))
        add(_weights_to_p([10 ** min(Vn - k, 30) for k in range(Vn)]))
        add(_weights_to_p([1000] + [Vn - k for k in range(1, Vn)]))
        add(_weights_to_p([10**9] + [Vn - k for k in range(1, Vn)]))
        add(_weights_to_p([100 + (Vn - k) for k in range(Vn)]))            # near-uniform
        add(_weights_to_p([10**6 + (Vn - k) for k in range(Vn)]))          # nearly tied
        add(_weights_to_p([3] + [2] * (Vn - 2) + [1]) if Vn > 2 else _weights_to_p([3, 1]))
        add(_weights_to_p([2 ** (2 ** min(Vn - k, 7)) for k in range(Vn)]))  # very steep
        for extra in ([7, 2, 1], [5, 3, 2], [9, 1], [3, 2], [6, 3, 1], [1, 1]):
            if len(extra) <= Vn:
                w = list(extra) + [1] * (Vn - len(extra))
                add(_weights_to_p(sorted(w, reverse=True)))
        if ties or self.axiom in ("continuity", "boundary_cold"):
            out += self.tie_candidates(Vn)
        for _ in range(12):
            kind = self.rng.random()
            if kind < 0.4:
                w = [self.rng.randint(1, 1000) for _ in range(Vn)]
            elif kind < 0.7:
                w = [Fraction(2) ** self.rng.randint(-60, 0) for _ in range(Vn)]
            else:
                base = self.rng.randint(1, 10**6)
                w = [base + self.rng.randint(0, 3) for _ in range(Vn)]
            add(_weights_to_p(w))
        if not self.open_simplex:
            for w in ([2, 1] + [0] * (Vn - 2), [1] + [0] * (Vn - 1), [3, 2, 1] + [0] * (Vn - 3) if Vn >= 3 else [1, 0]):
                if len(w) == Vn and sum(w) > 0:
                    add(_weights_to_p(w))
        seen, uniq = set(), []
        for P in out:
            if P not in seen and all((v > 0) if self.open_simplex else (v >= 0) for v in P):
                seen.add(P)
                uniq.append(P)
        return uniq

    def tie_candidates(self, Vn: int) -> list[tuple[Fraction, ...]]:
        out = []
        levels = (1, 2, 3)
        for w in itertools.product(levels, repeat=Vn):
            if len(set(w)) < Vn:
                out.append(_weights_to_p(w))
            if len(out) > 200:
                break
        return out

    # -- certification ---------------------------------------------------------------------
    def certify(self, cand: tuple, margin: float | None = None) -> Counterexample | None:
        P, temps, vals = cand
        key = (self.axiom, P, temps, tuple(sorted(vals.items())))
        if key in self.tried or self.certify_attempts >= MAX_CERTIFY:
            return None
        self.tried.add(key)
        self.certify_attempts += 1
        notes: list[str] = []
        ce = None
        try:
            if self.axiom == "ranking":
                ce = self._certify_ranking(P, temps[0], vals, notes)
            elif self.axiom == "identity":
                ce = C.certify_identity(self.op, P, vals, open_simplex=self.open_simplex, notes=notes)
            elif self.axiom == "entropy":
                ce = C.certify_entropy(self.op, P, temps[0], temps[1], vals, open_simplex=self.open_simplex, notes=notes)
            elif self.axiom == "well_defined":
                ce = C.certify_well_defined(self.op, P, temps[0], vals, open_simplex=self.open_simplex, notes=notes)
        except Exception as exc:  # noqa: BLE001 - a failed certification is no counterexample
            notes.append(f"{type(exc).__name__}: {exc}")
            ce = None
        if ce is None:
            why = notes[-1] if notes else "not certified"
            if any("certainly holds" in n or "not well defined" in n for n in notes):
                self.dismissed += 1
            else:
                self.uncertified.append(f"{self.describe(cand)} ({why})")
        return ce

    def _certify_ranking(self, P: tuple, T: Fraction, vals: Mapping[str, Fraction], notes: list[str]) -> Counterexample | None:
        F = self.F_float(P, T, vals)
        pairs = self._ranking_pairs(P, F, T, vals)
        for _, a, b in pairs[:2]:
            ce = C.certify_ranking(self.op, P, T, a, b, strict=self.strict, values=vals,
                                   open_simplex=self.open_simplex, notes=notes)
            if ce is not None:
                return ce
        return None

    # -- margins ---------------------------------------------------------------------------
    def _ranking_pairs(self, P: tuple, F: np.ndarray | None, T: Fraction, vals: Mapping[str, Fraction]) -> list[tuple[float, int, int]]:
        Vn = len(P)
        if self.op.kind == "separable":
            try:
                s = self.log_scores(np.array([float(v) for v in P]), np.float64(float(T)), Vn, vals)
            except Exception:  # noqa: BLE001
                s = None
            if s is not None and np.isnan(s).any():
                # a score <= 0: compare the entries of F itself (the order of log g is meaningless)
                s, F = None, self._F_direct(P, T, vals)
                vals_ = F
            else:
                vals_ = s if s is not None else (None if F is None else np.log(np.maximum(F, 1e-300)))
        else:
            vals_ = F
        if vals_ is None:
            return []
        # worst pairs in O(V log V): for each entry a, the entry b with the largest value among
        # the entries with p_b < p_a (ties in p excluded)
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
                    da = vals_[a]
                    if np.isneginf(da) and np.isneginf(best_v):
                        m = 0.0
                    else:
                        m = float(da - best_v)
                    if not math.isnan(m):
                        out.append((m, a, best_b))
            for b in grp:
                vb = vals_[b]
                if not np.isnan(vb) and (best_b < 0 or vb >= best_v):
                    best_b, best_v = b, vb
            k += len(grp)
        out.sort(key=lambda t: t[0])
        return out[:4]

    def margin(self, cand: tuple) -> float | None:
        P, temps, vals = cand
        self.candidates += 1
        self.sizes_used.add(len(P))
        self.log_T(temps)
        if self.axiom == "ranking":
            F = self.F_float(P, temps[0], vals) if self.op.kind == "vector" else None
            if self.op.kind == "vector" and F is None:
                return None
            pairs = self._ranking_pairs(P, F, temps[0], vals)
            return pairs[0][0] if pairs else None
        if self.axiom == "identity":
            F = self.F_float(P, Fraction(1), vals)
            if F is None:
                return None
            Pf = np.array([float(v) for v in P])
            with np.errstate(all="ignore"):
                rel = np.abs(F - Pf) / np.maximum(Pf, 1e-300)
            return -float(np.nanmax(rel))
        if self.axiom == "entropy":
            H1, H2 = self.H(P, temps[0], vals), self.H(P, temps[1], vals)
            if H1 is None or H2 is None:
                return None
            return H2 - H1
        if self.axiom == "well_defined":
            return self.wd_margin(P, temps[0], vals)
        return None

    def violates(self, m: float | None) -> bool:
        if m is None or math.isnan(m):
            return False
        if self.axiom == "ranking":
            return m <= 0 if self.strict else m < 0
        if self.axiom == "identity":
            return m < -1e-9
        if self.axiom == "entropy":
            return m < -1e-13
        if self.axiom == "well_defined":
            return m < 0
        return False

    def H(self, P: tuple, T: Fraction, vals: Mapping[str, Fraction]) -> float | None:
        F = self.F_float(P, T, vals)
        if F is None or (F < 0).any():
            return None
        with np.errstate(all="ignore"):
            return float(-np.sum(np.where(F > 0, F * np.log(np.where(F > 0, F, 1.0)), 0.0)))

    def wd_margin(self, P: tuple, T: Fraction, vals: Mapping[str, Fraction]) -> float:
        """Smallest entry of F (or -inf when undefined)."""
        if self.op.kind == "separable":
            try:
                g = eval_numpy(self.op.score, self._env(np.array([float(v) for v in P]), np.float64(float(T)), len(P), vals))
                g = np.broadcast_to(np.asarray(g, dtype=float), (len(P),))
            except Exception:  # noqa: BLE001
                return 0.0
            if np.isnan(g).any():
                return -math.inf
            if (g < 0).any():
                tot = g.sum()
                if tot > 0:
                    return float((g / tot).min())
                return -math.inf
            if (g == 0).all():
                return -math.inf
            return float(np.min(g / g.sum())) if np.isfinite(g).all() else 0.0
        try:
            out = self.op.algorithm([float(v) for v in P], float(T), FloatArith())
            arr = np.array([float(v) for v in out])
        except Exception:  # noqa: BLE001
            arr = self._F_mp(P, T, vals)
            if arr is None:
                return -math.inf
        if np.isnan(arr).any():
            return -math.inf
        if abs(arr.sum() - 1) > 1e-6:
            return -abs(arr.sum() - 1)
        return float(arr.min())

    # -- phases ----------------------------------------------------------------------------
    def consider(self, cand: tuple) -> Counterexample | None:
        m = self.margin(cand)
        if m is None:
            return None
        self.observe(m, cand)
        if self.violates(m):
            return self.certify(cand, m)
        return None

    def hypothesis_phase(self, sampler: Callable[[random.Random], tuple | None], max_examples: int) -> Counterexample | None:
        if self.late():
            return None
        try:
            from hypothesis.control import currently_in_test_context

            nested = currently_in_test_context()
        except Exception:  # noqa: BLE001
            nested = True
        if nested:
            self.strategies.append("seeded random sampling")
            for _ in range(max_examples):
                if self.late():
                    return None
                cand = sampler(self.rng)
                if cand is None:
                    continue
                ce = self.consider(cand)
                if ce is not None:
                    return ce
            return None
        from hypothesis import HealthCheck, Phase, Verbosity, given, settings, target
        from hypothesis import seed as hseed
        from hypothesis import strategies as st

        self.strategies.append("Hypothesis (targeted)")
        found: list[Counterexample] = []

        @hseed(self.seed)
        @settings(database=None, max_examples=max_examples, deadline=None, derandomize=False,
                  phases=(Phase.generate, Phase.target), suppress_health_check=list(HealthCheck),
                  verbosity=Verbosity.quiet, report_multiple_bugs=False, print_blob=False)
        @given(st.randoms(use_true_random=False))
        def run(rnd: random.Random) -> None:
            cand = sampler(rnd)  # draw first: a replay must draw the same data before stopping
            if found:
                raise _Found
            if self.late():
                raise _Late
            if cand is None:
                return
            m = self.margin(cand)
            if m is None or math.isnan(m):
                return
            self.observe(m, cand)
            target(float(max(-1e300, min(1e300, -m))))
            if self.violates(m):
                ce = self.certify(cand, m)
                if ce is not None:
                    found.append(ce)
                    raise _Found

        try:
            run()
        except (_Found, _Late):
            pass
        except Exception as exc:  # noqa: BLE001 - a Hypothesis-internal failure ends only this phase
            self.strategies.append(f"(Hypothesis phase ended: {type(exc).__name__})")
        return found[0] if found else None

    def local_phase(self, steps: int = 60, starts: int = 6) -> Counterexample | None:
        if self.late() or not self.near_pool:
            return None
        self.strategies.append("local optimisation")
        pool = sorted(self.near_pool, key=lambda t: t[0])
        seen, starts_list = set(), []
        for m, cand in pool:
            key = (cand[0], cand[1], tuple(sorted(cand[2].items())))
            if key not in seen:
                seen.add(key)
                starts_list.append((m, cand))
            if len(starts_list) >= starts:
                break
        for m0, cand in starts_list:
            cur, cur_m, sigma = cand, m0, 0.5
            for _ in range(steps):
                if self.late():
                    return None
                nxt = self.perturb(cur, sigma)
                if nxt is None:
                    sigma *= 0.7
                    continue
                m = self.margin(nxt)
                if m is None:
                    sigma *= 0.7
                    continue
                self.observe(m, nxt)
                if self.violates(m):
                    ce = self.certify(nxt, m)
                    if ce is not None:
                        return ce
                if m < cur_m:
                    cur, cur_m, sigma = nxt, m, min(2.0, sigma * 1.3)
                else:
                    sigma *= 0.7
                if sigma < 1e-9:
                    break
        return None

    def perturb(self, cand: tuple, sigma: float) -> tuple | None:
        P, temps, vals = cand
        P = list(P)
        temps = list(temps)
        r = self.rng
        if temps and self.axiom != "identity" and (r.random() < 0.4 or len(P) < 2):
            k = r.randrange(len(temps))
            t = float(temps[k]) * 2 ** (sigma * r.gauss(0, 4))
            if not (1e-30 < t < 1e30):
                return None
            temps[k] = Fraction(t).limit_denominator(10**12)
            if t <= 0 or temps[k] <= 0:
                return None
            if self.axiom == "entropy" and not temps[0] < temps[1]:
                temps.sort()
                if temps[0] == temps[1]:
                    return None
        else:
            a, b = r.sample(range(len(P)), 2)
            m = min(P[a], P[b])
            if m == 0:
                return None
            delta = Fraction(float(m) * sigma * r.gauss(0, 1) * 0.5).limit_denominator(10**12)
            P[a] += delta
            P[b] -= delta
            if any(v <= 0 for v in P) if self.open_simplex else any(v < 0 for v in P):
                return None
        return (tuple(P), tuple(temps), vals)

    # -- per-axiom structured phases -------------------------------------------------------
    def run(self) -> Counterexample | SearchLog:
        ax = self.axiom
        if ax in ("boundary_cold", "boundary_hot"):
            return self.run_limit("cold" if ax == "boundary_cold" else "hot")
        if ax == "continuity":
            return self.run_continuity()
        handler = {
            "ranking": self.structured_ranking,
            "identity": self.structured_identity,
            "entropy": self.structured_entropy,
            "well_defined": self.structured_well_defined,
        }[ax]
        ce = handler()
        if ce is None:
            ce = self.hypothesis_phase(self.sampler(), max_examples=300)
        if ce is None:
            ce = self.local_phase()
        if ce is None:
            return self.result()
        return self.finish(ce)

    def finish(self, ce: Counterexample) -> Counterexample:
        if self.axiom in ("ranking", "identity", "entropy", "well_defined"):
            try:
                ce = C.shrink(self.op, self.axiom, ce, profile=self.profile, deadline=self.hard_deadline)
            except Exception:  # noqa: BLE001 - shrinking is optional; the original is certified
                pass
        return ce

    # ranking ------------------------------------------------------------------------------
    def structured_ranking(self) -> Counterexample | None:
        if self.op.kind == "separable":
            ce = self.ranking_pairs_scan()
            if ce is None and self.nonpositive and not self.late():
                # the pair scan compares log g, which a score <= 0 somewhere does not have
                self.strategies.append("F itself on structured vectors x temperature grid (the score is <= 0 somewhere)")
                ce = self.scan_vectors(self.T_grid(), self.p_candidates)
            return ce
        self.strategies.append("structured vectors x temperature grid")
        return self.scan_vectors(self.T_grid(), self.p_candidates)

    def scan_vectors(self, Ts: Sequence[Fraction], candidates: Callable[[int], list]) -> Counterexample | None:
        """``consider`` every (p, T, parameter values) with p from ``candidates(V)``, V in the
        sizes, until a certified counterexample or the deadline."""
        for Vn in self.sizes:
            for P in candidates(Vn):
                for vals in self.values_list:
                    for T in Ts:
                        if self.late():
                            return None
                        ce = self.consider((P, (T,), vals))
                        if ce is not None:
                            return ce
        return None

    def ranking_pairs_scan(self) -> Counterexample | None:
        self.strategies.append("pair scan of the score over an x-grid x T-grid (incl. switching points)")
        xs = self.x_grid()
        xf = np.array([float(v) for v in xs])
        self._lo_idx = np.array([k for k, v in enumerate(xs) if v < Fraction(1, 2) and (v > 0 or not self.open_simplex)],
                                dtype=int)
        self._lim = np.searchsorted(xf, 1.0 - xf, side="left")
        Ts = self.T_grid()
        pending: list[tuple[float, tuple]] = []
        for vals in self.values_list:
            for Vn in self.sizes:
                self.sizes_used.add(Vn)
                for T in Ts:
                    if self.late():
                        break
                    self.log_T([T])
                    try:
                        s = self.log_scores(xf, np.float64(float(T)), Vn, vals)
                    except Exception:  # noqa: BLE001
                        continue
                    if np.isnan(s).any():
                        self.nonpositive = True
                    self.candidates += len(xs)
                    for m, hi, lo in self._scan(xs, xf, s, Vn, T, vals):
                        P = self._pair_vector(hi, lo, Vn)
                        if P is None:
                            continue
                        cand = (P, (T,), vals)
                        self.observe(m, cand)
                        if self.violates(m):
                            pending.append((m, cand))
                    if len(pending) > 40:
                        ce = self._certify_pending(pending)
                        if ce is not None:
                            return ce
        return self._certify_pending(pending)

    def _certify_pending(self, pending: list[tuple[float, tuple]]) -> Counterexample | None:
        pending.sort(key=lambda t: (t[0], len(t[1][0])))
        for m, cand in pending[:30]:
            if time.monotonic() > self.hard_deadline:
                break
            ce = self.certify(cand, m)
            if ce is not None:
                pending.clear()
                return ce
        pending.clear()
        return None

    def _pair_vector(self, hi: Fraction, lo: Fraction, Vn: int) -> tuple[Fraction, ...] | None:
        if Vn == 2:
            return (hi, lo) if hi + lo == 1 else None
        rest = 1 - hi - lo
        if rest < 0 or (rest == 0 and self.open_simplex):
            return None
        return (hi, lo) + (rest / (Vn - 2),) * (Vn - 2)

    def _scan(self, xs: list[Fraction], xf: np.ndarray, s: np.ndarray, Vn: int, T: Fraction,
              vals: Mapping[str, Fraction]) -> list[tuple[float, Fraction, Fraction]]:
        """Worst co-occurring pairs (margin, hi, lo) for one (T, V): a few per scan (vectorised)."""
        n = len(xs)
        out: list[tuple[float, Fraction, Fraction]] = []
        if Vn == 2:
            lo_idx = self._lo_idx
            if len(lo_idx) == 0:
                return out
            try:
                s_hi = self.log_scores(1.0 - xf[lo_idx], np.float64(float(T)), 2, vals)
            except Exception:  # noqa: BLE001
                return out
            s_lo = s[lo_idx]
            with np.errstate(all="ignore"):
                m = np.where(np.isneginf(s_hi) & np.isneginf(s_lo), 0.0, s_hi - s_lo)
            m = np.where(np.isnan(m), np.inf, m)
            for r in np.argsort(m, kind="stable")[:3]:
                if not np.isfinite(m[r]) and m[r] > 0:
                    continue
                x = xs[int(lo_idx[r])]
                out.append((float(m[r]), 1 - x, x))
            return out
        sm = np.where(np.isnan(s), -np.inf, s)
        pm = np.maximum.accumulate(sm)
        idx = np.arange(n)
        pm_idx = np.maximum.accumulate(np.where(sm >= pm, idx, 0))
        lim = np.minimum(self._lim, idx)
        valid = (lim >= 1) & ~np.isnan(s)
        j = pm_idx[np.maximum(lim - 1, 0)]
        with np.errstate(all="ignore"):
            m = np.where(np.isneginf(s) & np.isneginf(s[j]), 0.0, s - s[j])
        m = np.where(valid & ~np.isnan(m) & ~np.isnan(s[j]), m, np.inf)
        for k in np.argsort(m, kind="stable")[:3]:
            if not np.isfinite(m[k]):
                continue
            hi, lo = xs[int(k)], xs[int(j[k])]
            if lo < hi and hi + lo < 1:
                out.append((float(m[k]), hi, lo))
        return out

    # identity -----------------------------------------------------------------------------
    def structured_identity(self) -> Counterexample | None:
        self.strategies.append("T = 1 exactly on structured and random vectors")
        sizes = self.sizes if self.op.kind == "vector" else (2, 3, 4, 5, 64)
        for Vn in sizes:
            for P in self.p_candidates(Vn):
                for vals in self.values_list:
                    if self.late():
                        return None
                    ce = self.consider((P, (Fraction(1),), vals))
                    if ce is not None:
                        return ce
        if self.op.kind == "separable":
            # g(x,1,V)/x on the x-grid: extreme ratios among entries < 1/2 co-occur
            xs = [v for v in self.x_grid() if 0 < v < Fraction(1, 2)]
            xf = np.array([float(v) for v in xs])
            for vals in self.values_list:
                for Vn in (3, 4, 64):
                    try:
                        r = self.log_scores(xf, np.float64(1.0), Vn, vals) - np.log(xf)
                    except Exception:  # noqa: BLE001
                        continue
                    ok = np.isfinite(r)
                    if ok.sum() < 2:
                        continue
                    idx = np.flatnonzero(ok)
                    a, b = idx[np.argmin(r[ok])], idx[np.argmax(r[ok])]
                    if a == b:
                        continue
                    P = self._pair_vector(max(xs[a], xs[b]), min(xs[a], xs[b]), Vn)
                    if P is None or self.late():
                        continue
                    ce = self.consider((P, (Fraction(1),), vals))
                    if ce is not None:
                        return ce
        return None

    # entropy ------------------------------------------------------------------------------
    def structured_entropy(self) -> Counterexample | None:
        self.strategies.append("entropy along a fine log grid of T (incl. switching points) on structured vectors")
        Ts = self.T_grid(dense=True)
        Tf = np.array([float(t) for t in Ts])
        sizes = self.sizes if self.op.kind == "vector" else (2, 3, 4, 5, 8)
        for Vn in sizes:
            for P in self.p_candidates(Vn):
                for vals in self.values_list:
                    if self.late():
                        return None
                    H = self.H_batch(P, Ts, Tf, vals)
                    if H is None:
                        continue
                    self.candidates += len(Ts)
                    self.sizes_used.add(Vn)
                    self.log_T([Ts[0], Ts[-1]])
                    for m, a, b in self._entropy_pairs(H):
                        cand = (P, (Ts[a], Ts[b]), vals)
                        self.observe(m, cand)
                        if self.violates(m):
                            ce = self.certify(cand, m)
                            if ce is not None:
                                return ce
        return None

    def H_batch(self, P: tuple, Ts: list[Fraction], Tf: np.ndarray, vals: Mapping[str, Fraction]) -> np.ndarray | None:
        if self.op.kind == "separable":
            try:
                s = self.log_scores(np.array([float(v) for v in P])[None, :], Tf[:, None], len(P), vals)
            except Exception:  # noqa: BLE001
                return None
            with np.errstate(all="ignore"):
                mx = s.max(axis=1, keepdims=True)
                w = np.exp(s - mx)
                F = w / w.sum(axis=1, keepdims=True)
                H = -np.sum(np.where(F > 0, F * np.log(np.where(F > 0, F, 1.0)), 0.0), axis=1)
            H[~np.isfinite(H)] = np.nan
            H[np.isnan(s).any(axis=1)] = np.nan
            return H
        out = np.full(len(Ts), np.nan)
        for k, t in enumerate(Ts):
            h = self.H(P, t, vals)
            if h is not None:
                out[k] = h
        return out

    def _entropy_pairs(self, H: np.ndarray) -> list[tuple[float, int, int]]:
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

    # well-defined -------------------------------------------------------------------------
    def structured_well_defined(self) -> Counterexample | None:
        self.strategies.append("extreme entries and temperatures")
        Ts = sorted(set(self.T_grid()) | {Fraction(2) ** k for k in range(-60, 61, 6)})
        if self.op.kind == "separable":
            xs = self.x_grid() + [Fraction(1, 10**100), Fraction(1, 10**300), 1 - Fraction(1, 10**20)]
            xs = sorted(set(v for v in xs if (0 < v < 1) or (v == 0 and not self.open_simplex)))
            xf = np.array([float(v) for v in xs])
            pending = []
            for vals in self.values_list:
                for Vn in self.sizes:
                    self.sizes_used.add(Vn)
                    for T in Ts:
                        if self.late():
                            break
                        self.log_T([T])
                        try:
                            g = eval_numpy(self.op.score, self._env(xf, np.float64(float(T)), Vn, vals))
                            g = np.broadcast_to(np.asarray(g, dtype=float), xf.shape)
                        except Exception:  # noqa: BLE001
                            continue
                        self.candidates += len(xs)
                        bad = np.flatnonzero(np.isnan(g) | (g < 0) | np.isinf(g))
                        for k in bad[:2]:
                            x = xs[k]
                            P = (x, 1 - x) if Vn == 2 else (x,) + ((1 - x) / (Vn - 1),) * (Vn - 1)
                            pending.append((P, (T,), vals))
                        if (g == 0).all():
                            pending.append((_weights_to_p([2, 1] + [1] * (Vn - 2)), (T,), vals))
                    if len(pending) > 20 or self.late():
                        break
            for cand in pending[:40]:
                if time.monotonic() > self.hard_deadline:
                    break
                m = self.margin(cand)
                if m is not None:
                    self.observe(m, cand)
                ce = self.certify(cand, m)
                if ce is not None:
                    return ce
            return None
        return self.scan_vectors(Ts, lambda Vn: self.p_candidates(Vn) + [
            _weights_to_p([10**300] + [1] * (Vn - 1)), _weights_to_p([1] * Vn)])

    # samplers for the Hypothesis / random phase ------------------------------------------
    def sampler(self) -> Callable[[random.Random], tuple | None]:
        Ts_sw = list(self._T_switch)
        xs_sw = list(self._x_switch)
        sizes = list(self.sizes)
        vals_list = self.values_list
        open_s = self.open_simplex

        def frac01(r: random.Random) -> Fraction:
            k = r.random()
            if k < 0.25:
                return Fraction(1, 2 ** r.randint(1, 60))
            if k < 0.35:
                return 1 - Fraction(1, 2 ** r.randint(2, 50))
            if k < 0.5 and xs_sw:
                c = r.choice(xs_sw)
                v = c * (1 + Fraction(r.choice([-1, 1]), 2 ** r.randint(2, 40)))
                return v if 0 < v < 1 else Fraction(1, 2)
            return Fraction(r.randint(1, 10**6 - 1), 10**6)

        def temp(r: random.Random) -> Fraction:
            k = r.random()
            if k < 0.2 and Ts_sw:
                c = r.choice(Ts_sw)
                return c * (1 + Fraction(r.choice([-1, 1]), 2 ** r.randint(2, 40)))
            if k < 0.3:
                return 1 + Fraction(r.choice([-1, 1]), 2 ** r.randint(1, 40))
            if k < 0.4:
                return Fraction(1)
            e = r.uniform(-13, 13)
            return Fraction(2**e).limit_denominator(10**6) or Fraction(1, 10**6)

        def vec(r: random.Random, Vn: int) -> tuple[Fraction, ...]:
            k = r.random()
            if k < 0.3:
                w = [r.randint(1, 1000) for _ in range(Vn)]
            elif k < 0.55:
                w = [Fraction(2) ** r.randint(-60, 0) for _ in range(Vn)]
            elif k < 0.75:
                base = r.randint(1, 10**6)
                w = [base + r.randint(0, 2) for _ in range(Vn)]
            else:
                w = [r.choice([1, 2, 3]) for _ in range(Vn)]
            if not open_s and r.random() < 0.2:
                w[r.randrange(Vn)] = 0
                if sum(w) == 0:
                    w[0] = 1
            return _weights_to_p(w)

        axiom = self.axiom
        separable = self.op.kind == "separable"

        def sample(r: random.Random) -> tuple | None:
            vals = r.choice(vals_list)
            Vn = r.choice(sizes)
            if axiom == "ranking" and separable:
                a, b = frac01(r), frac01(r)
                if a == b:
                    return None
                hi, lo = max(a, b), min(a, b)
                if Vn == 2 or hi + lo >= 1:
                    if lo >= Fraction(1, 2):
                        return None
                    return ((1 - lo, lo), (temp(r),), vals)
                P = (hi, lo) + ((1 - hi - lo) / (Vn - 2),) * (Vn - 2)
                return (P, (temp(r),), vals)
            if separable and Vn > 8:
                Vn = r.choice([2, 3, 4, 5])
            P = vec(r, Vn)
            if axiom == "identity":
                return (P, (Fraction(1),), vals)
            if axiom == "entropy":
                t1 = temp(r)
                t2 = t1 * (1 + Fraction(r.randint(1, 1000), 1000) * (r.choice([1, 10, 100]) if r.random() < 0.3 else 1))
                return (P, (t1, t2), vals)
            return (P, (temp(r),), vals)

        return sample

    # limits -------------------------------------------------------------------------------
    def run_limit(self, which: str) -> Counterexample | SearchLog:
        fn = self.op.cold_limit if which == "cold" else self.op.hot_limit
        trusted = self.op.kind == "vector"
        if self.op.kind == "separable" and fn is not None and C.is_builtin(self.op):
            # only the library's own (proved) limit function, never one attached to a look-alike
            from skd.operators import library

            ref = library.get(self.op.name)
            trusted = fn is (ref.cold_limit if which == "cold" else ref.hot_limit)
        if fn is None or not trusted:
            if self.op.kind == "separable":
                return self.run_limit_separable(which)
            return self.result(f"{self.op.name} declares no proved {which} limit function; a limit is never "
                               "refuted by one finite T", supported=False)
        self.strategies.append(f"declared exact {which} limit ({getattr(fn, '__name__', 'limit')}) on structured vectors")
        sizes = self.sizes if self.op.kind == "vector" else (2, 3, 4, 5)
        for Vn in sizes:
            self.sizes_used.add(Vn)
            for P in self.p_candidates(Vn, ties=True):
                for vals in self.values_list:
                    if self.late():
                        return self.result()
                    self.candidates += 1
                    L = _exact_uniform_limit(fn, P)
                    if L is None:
                        continue
                    target = C.limit_target(P, which, self.profile)
                    if L == target:
                        continue
                    notes: list[str] = []
                    self.certify_attempts += 1
                    proof = f"{getattr(fn, '__name__', 'declared limit')} (declared by {self.op.name}; proved in docs/theory)"
                    ce = C.certify_limit(self.op, P, which, L, target, values=vals or None, profile=self.profile,
                                         proof=proof, open_simplex=self.open_simplex, notes=notes)
                    if ce is not None:
                        return self._shrink_limit(ce, which, vals, proof, lambda Q: _exact_uniform_limit(fn, Q))
                    self.uncertified.append(f"{self.describe((P, (), vals))} ({notes[-1] if notes else 'not certified'})")
        return self.result()

    def _shrink_limit(self, ce: Counterexample, which: str, vals: Mapping[str, Fraction], proof: str,
                      limit_of: Callable[[Sequence[Fraction]], list[Any] | None]) -> Counterexample:
        """Simpler entries of p for a limit counterexample; every step recomputes the exact limit
        (by the same proved method) and re-certifies."""
        best = [ce]

        def recert(Q: Sequence[Fraction]) -> bool:
            if time.monotonic() > self.hard_deadline:
                return False
            try:
                L = limit_of(list(Q))
                if L is None:
                    return False
                c = C.certify_limit(self.op, list(Q), which, L, C.limit_target(Q, which, self.profile),
                                    values=vals or None, profile=self.profile, proof=proof)
            except Exception:  # noqa: BLE001
                return False
            if c is not None:
                best[0] = c
            return c is not None

        P = [Fraction(v) for v in ce.p]
        try:
            C.shrink_vector(P, recert, open_simplex=self.open_simplex, deadline=self.hard_deadline)
        except Exception:  # noqa: BLE001
            return ce
        return best[0]

    def run_limit_separable(self, which: str) -> Counterexample | SearchLog:
        """Exact limits of the scores (extended-real limit laws); only when every score has a finite
        limit with a positive sum. 0/0 and oo/oo forms are left to the symbolic prover."""
        self.strategies.append(f"exact {which} limits of the scores g(p_i, T) (limit laws; no 0/0 or oo/oo forms)")
        note = ("limits of separable operators whose scores all tend to 0 or oo are decided by the symbolic prover "
                "(skd.verify.prove)")
        found_any = False
        for Vn in (2, 3, 4, 5):
            self.sizes_used.add(Vn)
            for P in self.p_candidates(Vn, ties=True)[:40]:
                for vals in self.values_list:
                    if self.late():
                        return self.result(note)
                    self.candidates += 1
                    try:
                        L = C.separable_T_limit(self.op, P, which, vals or None)
                    except Exception:  # noqa: BLE001 - no limit, no counterexample
                        L = None
                    if L is None:
                        continue
                    found_any = True
                    target = C.limit_target(P, which, self.profile)
                    notes: list[str] = []
                    self.certify_attempts += 1
                    proof = ("limits of the scores g(p_i, T) (or of their ratios to a positive reference score) "
                             "by the limit laws (skd.verify.certify.separable_T_limit)")
                    ce = C.certify_limit(self.op, P, which, L, target, values=vals or None, profile=self.profile,
                                         proof=proof, notes=notes)
                    if ce is not None:
                        return self._shrink_limit(ce, which, vals, proof,
                                                  lambda Q: C.separable_T_limit(self.op, Q, which, vals or None))
                    if notes and not any("certainly holds" in n for n in notes):
                        self.uncertified.append(f"{self.describe((P, (), vals))} ({notes[-1]})")
                if not found_any and Vn == 2:
                    return self.result(note + f"; the scores' {which} limits are 0/0 or oo/oo forms here")
        return self.result(note)

    # continuity ---------------------------------------------------------------------------
    def run_continuity(self) -> Counterexample | SearchLog:
        if self.op.kind == "separable":
            return self.run_continuity_separable()
        if not getattr(self.op, "order_based", False):
            return self.result(f"{self.op.name} is not declared order_based: its one-sided limits cannot be "
                               "computed exactly here", supported=False)
        self.strategies.append("tied p0 x tie-breaking directions d (order classes)")
        temps = [Fraction(1), Fraction(1, 2), Fraction(2), Fraction(1, 10), Fraction(10)]
        for Vn in self.sizes:
            self.sizes_used.add(Vn)
            for P in self.tie_candidates(Vn):
                for d in _tie_directions(P):
                    for T in temps:
                        for vals in self.values_list:
                            if self.late():
                                return self.result()
                            self.candidates += 1
                            self.log_T([T])
                            gap = self._direction_gap(P, d, T, vals)
                            if gap is None:
                                continue
                            cand = (P, (T,), vals)
                            self.observe(-gap, cand)
                            if gap <= 1e-12:
                                continue
                            notes: list[str] = []
                            self.certify_attempts += 1
                            ce = C.certify_vector_discontinuity(self.op, P, d, T, values=vals or None,
                                                                open_simplex=self.open_simplex, notes=notes)
                            if ce is not None:
                                return ce
                            self.uncertified.append(f"{self.describe(cand)}, d={tuple(map(str, d))} "
                                                    f"({notes[-1] if notes else 'not certified'})")
        return self.result()

    def run_continuity_separable(self) -> Counterexample | SearchLog:
        """Jumps of the score in x: exact one-sided limits at its switching points in x."""
        note = ("continuity in T of separable operators is decided symbolically (skd.verify.prove); "
                "the refuter only looks for jumps of the score in x")
        exprs = [e for e in _switch_exprs(self.op.score) if X_SYM in e.free_symbols]
        if not exprs:
            return self.result("limits/continuity of separable operators are decided symbolically (skd.verify.prove); "
                               "the score has no switching points in x", supported=False)
        self.strategies.append("jumps of the score in x at its switching points (exact one-sided limits)")
        temps = [Fraction(1), Fraction(1, 2), Fraction(2), Fraction(1, 10), Fraction(10)]
        temps += [t for t in self._T_switch[:5] if t not in temps]
        xgrid = np.unique(np.concatenate([np.geomspace(1e-12, 0.5, 400), 1 - np.geomspace(1e-12, 0.5, 400)[::-1]]))
        attempts = 0
        for vals in self.values_list:
            for T in temps:
                cs: list[Fraction] = []
                for e in exprs:
                    for Vn in (2, 3):
                        env = self._env(None, np.float64(float(T)), Vn, vals)

                        def f(a: np.ndarray, env: dict = env, e: sp.Expr = e) -> np.ndarray:
                            return eval_numpy(e, {**env, X_SYM: a})

                        try:
                            roots = _roots_1d(f, xgrid)
                        except Exception:  # noqa: BLE001
                            continue
                        for r in roots:
                            for c in _nice(r)[:1]:
                                if 0 < c < 1 and c not in cs:
                                    cs.append(c)
                for c in cs[:8]:
                    cands = [(c, 1 - c)]
                    if c < 1:
                        b = (1 - c) / 2
                        cands.append((c, b, 1 - c - b))
                    for P in cands:
                        if self.late() or attempts >= 40:
                            return self.result(note)
                        if any(v <= 0 for v in P):
                            continue
                        self.candidates += 1
                        self.sizes_used.add(len(P))
                        self.log_T([T])
                        eps = min(P) * Fraction(1, 10**9)
                        Fp = self.F_float((P[0] + eps, P[1] - eps) + tuple(P[2:]), T, vals)
                        Fm = self.F_float((P[0] - eps, P[1] + eps) + tuple(P[2:]), T, vals)
                        if Fp is None or Fm is None:
                            continue
                        jump = float(np.max(np.abs(Fp - Fm)))
                        self.observe(-jump, (P, (T,), vals))
                        if jump < 1e-6:
                            continue  # no sign of a jump at this point
                        attempts += 1
                        self.certify_attempts += 1
                        notes: list[str] = []
                        try:
                            ce = C.certify_discontinuity_x(self.op, P, 0, 1, T, values=vals or None,
                                                           open_simplex=self.open_simplex, notes=notes)
                        except Exception as exc:  # noqa: BLE001
                            ce, notes = None, [f"{type(exc).__name__}: {exc}"]
                        if ce is not None:
                            return ce
                        if notes and not any("certainly holds" in n for n in notes):
                            self.uncertified.append(f"{self.describe((P, (T,), vals))} ({notes[-1]})")
        return self.result(note)

    def _direction_gap(self, P: tuple, d: tuple, T: Fraction, vals: Mapping[str, Fraction]) -> float | None:
        sigma = sorted(range(len(P)), key=lambda k: (-P[k], -d[k], k))
        Q = [P[k] for k in sigma]
        F0 = self.F_float(P, T, vals)
        Fq = self.F_float(tuple(Q), T, vals)
        if F0 is None or Fq is None:
            return None
        L = np.empty(len(P))
        for r, k in enumerate(sigma):
            L[k] = Fq[r]
        return float(np.max(np.abs(L - F0)))

    def margin_for_limit(self) -> None:  # pragma: no cover - limits have no float margin
        return None


def _tie_directions(P: Sequence[Fraction]) -> list[tuple[Fraction, ...]]:
    """Directions that break ties of p0 against index order (and a few others)."""
    V = len(P)
    out = []
    for a in range(V):
        for b in range(a + 1, V):
            if P[a] == P[b]:
                d = [Fraction(0)] * V
                d[b], d[a] = Fraction(1), Fraction(-1)
                out.append(tuple(d))
    return out[:6]


def _exact_uniform_limit(fn: Callable[..., Any], P: Sequence[Fraction]) -> list[Fraction] | None:
    """Apply a declared (proved) limit function to exact input.

    The functions take float arrays and return uniform distributions on index sets. The float
    image of ``P`` must preserve every order relation and zero of ``P`` exactly (else the index
    sets could differ) and each output must be exactly 0 or ``1/m`` for the number ``m`` of
    non-zero outputs; otherwise ``None``. ``identity_limit`` (limit = ``p``) is applied exactly.
    """
    from skd.operators import library

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
    except Exception:  # noqa: BLE001
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


def refute(op: Any, axiom_id: str, *, profile: str = "paper", seed: int = 0, seconds: float = 10.0,
           values: Mapping[str, Any] | None = None) -> Counterexample | SearchLog:
    """Search for a certified counterexample to ``axiom_id`` for ``op``; see the module docstring.

    Returns a :class:`Counterexample` (certified, shrunk) or a :class:`SearchLog`. Deterministic
    for a given ``seed`` as long as the budget ``seconds`` does not cut the search short.
    """
    if profile not in PROFILES:
        raise KeyError(f"profile={profile!r}: choose from {sorted(PROFILES)}")
    search = _Search(op, axiom_id, profile, seed, seconds, values)
    return search.run()
