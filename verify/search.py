"""The search engine of the refuter: phases that know nothing of the axiom under test.

:class:`Search` holds one search's budget, its candidate generators (grids of ``T`` and ``x``,
structured and random vectors, ties), its floating-point evaluation of ``F`` (through the
operator kind's :class:`~skd.operators.kinds.KindSpec`), its bookkeeping (what was tried, the
closest near-miss, what could not be certified) and the generic phases (Hypothesis-targeted
sampling, local optimisation). What a violation *is*, how it is certified and shrunk, and the
structured search aimed at an axiom's failure mode belong to the axiom's rules
(:mod:`skd.verify.axioms`), which the engine calls through :class:`SearchRules` — the engine
names no axiom and no operator kind. Candidates are ``(p, temperatures, parameter values)`` with
exact rational entries; a candidate is never reported as such, only a certified counterexample.

Entry point: :func:`skd.verify.refute.refute`.

>>> from skd.operators import library
>>> from skd.verify.axioms import rules_for
>>> s = Search(library.power, rules_for("identity"), "paper", seed=0, seconds=1.0, values=None)
>>> s.sizes[:3], len(s.T_grid()) > 20
((2, 3, 4), True)
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, Protocol

import numpy as np

from skd.operators.declare import Operator
from skd.operators.kinds import float_direct, float_log_neg_scores, float_log_scores, spec_of
from skd.theory.axioms import PROFILES
from skd.verify.verdict import Counterexample

from .hybrid import Dismissal
from .reproduce import format_fraction
from .sampling import switching_points, values_grid, weights_to_p

__all__ = ["Search", "SearchLog", "SearchRules", "Candidate", "fmt_q", "tie_directions", "MAX_CERTIFY"]

#: a candidate: (p, temperatures, parameter values), all exact
Candidate = tuple[tuple[Fraction, ...], tuple[Fraction, ...], Mapping[str, Fraction]]

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
    #: the search stopped at :data:`MAX_CERTIFY` certification attempts: nothing later could be certified
    capped: bool = False

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
                     + (" (the last candidate overran the budget)" if overran else " (budget exhausted)" if self.out_of_time
                        else f" (stopped after {self.certify_attempts} certification attempts, the cap)" if self.capped
                        else ""))
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
# The search
# =============================================================================================


def fmt_q(q: Fraction) -> str:
    """A rational for a log line: exact when short, else ~6 significant digits."""
    if q.denominator < 10**6 and abs(q.numerator) < 10**9:
        return format_fraction(q)
    return f"~{float(q):.6g}"



def tie_directions(P: Sequence[Fraction]) -> list[tuple[Fraction, ...]]:
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


class SearchRules(Protocol):
    """What the engine asks of an axiom's rules (implemented by :class:`skd.verify.axioms.base.AxiomRules`)."""

    @property
    def axiom_id(self) -> str: ...

    @property
    def margin_name(self) -> str: ...

    @property
    def perturb_temps(self) -> bool:
        """The local phase may move the temperatures of a candidate (identity fixes T = 1)."""
        ...

    @property
    def ordered_temps(self) -> bool:
        """A candidate's temperatures must stay strictly increasing (entropy compares T1 < T2)."""
        ...

    def run(self, s: Search) -> Counterexample | SearchLog: ...

    def margin(self, s: Search, cand: Candidate) -> float | None: ...

    def violates(self, s: Search, m: float) -> bool: ...

    def certify(self, s: Search, cand: Candidate, notes: list[str]) -> Counterexample | None: ...

    def sample(self, s: Search, r: random.Random, Vn: int, vals: Mapping[str, Fraction]) -> Candidate | None: ...


class Search:
    """One budgeted, seeded search for a certified counterexample to ``rules`` for ``op``."""

    def __init__(self, op: Operator, rules: SearchRules, profile: str, seed: int, seconds: float,
                 values: Mapping[str, Any] | None) -> None:
        self.op = op
        self.rules = rules
        self.axiom = rules.axiom_id
        self.profile = profile
        self.spec = spec_of(op)
        self.kind = self.spec.kind
        self.nonpositive = False  # set once a separable score is seen <= 0 (no log g there)
        prof = PROFILES[profile]
        prof.get(self.axiom)
        self.strict = prof.strict_ranking
        self.open_simplex = prof.open_simplex
        self.seed = seed
        self.seconds = float(seconds)
        self.start = time.monotonic()
        self.deadline = self.start + 0.85 * self.seconds
        self.hard_deadline = self.start + 0.95 * self.seconds
        self.rng = random.Random(seed)
        self.values_list = values_grid(op, values)
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
        self.capped = False  # MAX_CERTIFY certification attempts made: the search can find nothing more
        self.near_pool: list[tuple[float, Candidate]] = []
        self.sizes = self.spec.search_sizes(op)
        self.T_switch: list[Fraction] = []
        self.x_switch: list[Fraction] = []
        if op.score is not None:
            with contextlib.suppress(Exception):  # switching points only steer the search
                self.T_switch, self.x_switch = switching_points(op, self.values_list[:3])

    def run(self) -> Counterexample | SearchLog:
        """Run the axiom's search (its structured phase, then the generic ones it asks for)."""
        return self.rules.run(self)

    # -- time ------------------------------------------------------------------------------
    def late(self) -> bool:
        """Whether to stop: past the deadline, or the certification cap reached (every later candidate
        would be declined by :meth:`certify`, the only way these phases turn a candidate into a
        counterexample, so searching on could not change the result)."""
        if self.capped:
            return True
        if time.monotonic() > self.deadline:
            self.out_of_time = True
            return True
        return False

    # -- bookkeeping -----------------------------------------------------------------------
    def observe(self, margin: float | None, cand: Candidate) -> None:
        if margin is None or not math.isfinite(margin):
            return
        if self.best is None or margin < self.best[0]:
            self.best = (margin, self.describe(cand))
        self.near_pool.append((margin, cand))
        if len(self.near_pool) > 400:
            self.near_pool.sort(key=lambda t: t[0])
            del self.near_pool[50:]

    def describe(self, cand: Candidate) -> str:
        P, temps, vals = cand
        s = "p=(" + ", ".join(fmt_q(v) for v in P[:6]) + (", ..." if len(P) > 6 else "") + ")"
        if temps:
            s += ", T=" + "/".join(fmt_q(t) for t in temps)
        if vals:
            s += ", " + ", ".join(f"{k}={fmt_q(v)}" for k, v in vals.items())
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
            near = f"{self.rules.margin_name} {m:.3g} at {d}"
        return SearchLog(
            axiom=self.axiom, operator=self.op.name, profile=self.profile, seed=self.seed,
            seconds=round(time.monotonic() - self.start, 3), budget=self.seconds, candidates=self.candidates,
            certify_attempts=self.certify_attempts, sizes=tuple(sorted(self.sizes_used)),
            T_range=(None if not self.T_seen else (fmt_q(self.T_seen[0]), fmt_q(self.T_seen[1]))),
            strategies=tuple(dict.fromkeys(self.strategies)), near_miss=near, uncertified=tuple(self.uncertified[:5]),
            dismissed=self.dismissed, note=note, out_of_time=self.out_of_time, supported=supported,
            capped=self.capped,
        )

    # -- float evaluation ------------------------------------------------------------------
    def log_scores(self, xs: np.ndarray, T: Any, Vn: int, vals: Mapping[str, Fraction]) -> np.ndarray:
        """``log g`` of the operator's score in floating point (an operator with a score only)."""
        return float_log_scores(self.op, xs, T, Vn, vals)

    def log_neg_scores(self, xs: np.ndarray, T: Any, Vn: int, vals: Mapping[str, Fraction]) -> np.ndarray:
        """``log(-g)`` in floating point (NaN where ``g > 0``): a vector of negative scores."""
        return float_log_neg_scores(self.op, xs, T, Vn, vals)

    def F_float(self, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> np.ndarray | None:
        """Float ``F_T(p)``; None when it cannot be evaluated (undefined or overflow)."""
        res = self.spec.float_F(self.op, P, T, vals)
        if res.nonpositive:
            self.nonpositive = True
        return res.values

    def F_direct(self, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> np.ndarray | None:
        """Float ``g / sum g`` from the score itself, for a score ``<= 0`` somewhere."""
        self.nonpositive = True
        return float_direct(self.op, P, T, vals)

    def H(self, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction]) -> float | None:
        """Float entropy of ``F_T(p)`` (None when F is not a valid distribution in floats)."""
        F = self.F_float(P, T, vals)
        if F is None or (F < 0).any():
            return None
        with np.errstate(all="ignore"):
            return float(-np.sum(np.where(F > 0, F * np.log(np.where(F > 0, F, 1.0)), 0.0)))


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
        for t in self.T_switch:
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
        for c in self.x_switch:
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
        add(weights_to_p(range(Vn, 0, -1)))
        add(weights_to_p([2 ** min(Vn - k, 60) for k in range(Vn)]))
        add(weights_to_p([10 ** min(Vn - k, 30) for k in range(Vn)]))
        add(weights_to_p([1000] + [Vn - k for k in range(1, Vn)]))
        add(weights_to_p([10**9] + [Vn - k for k in range(1, Vn)]))
        add(weights_to_p([100 + (Vn - k) for k in range(Vn)]))            # near-uniform
        add(weights_to_p([10**6 + (Vn - k) for k in range(Vn)]))          # nearly tied
        add(weights_to_p([3] + [2] * (Vn - 2) + [1]) if Vn > 2 else weights_to_p([3, 1]))
        add(weights_to_p([2 ** (2 ** min(Vn - k, 7)) for k in range(Vn)]))  # very steep
        for extra in ([7, 2, 1], [5, 3, 2], [9, 1], [3, 2], [6, 3, 1], [1, 1]):
            if len(extra) <= Vn:
                padded = list(extra) + [1] * (Vn - len(extra))
                add(weights_to_p(sorted(padded, reverse=True)))
        if ties:
            out += self.tie_candidates(Vn)
        for _ in range(12):
            kind = self.rng.random()
            rw: list[int | Fraction]
            if kind < 0.4:
                rw = [self.rng.randint(1, 1000) for _ in range(Vn)]
            elif kind < 0.7:
                rw = [Fraction(2) ** self.rng.randint(-60, 0) for _ in range(Vn)]
            else:
                base = self.rng.randint(1, 10**6)
                rw = [base + self.rng.randint(0, 3) for _ in range(Vn)]
            add(weights_to_p(rw))
        if not self.open_simplex:
            for w in ([2, 1] + [0] * (Vn - 2), [1] + [0] * (Vn - 1), [3, 2, 1] + [0] * (Vn - 3) if Vn >= 3 else [1, 0]):
                if len(w) == Vn and sum(w) > 0:
                    add(weights_to_p(w))
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
                out.append(weights_to_p(w))
            if len(out) > 200:
                break
        return out

    # -- certification and margins ---------------------------------------------------------
    def certify(self, cand: Candidate, margin: float | None = None) -> Counterexample | None:
        P, temps, vals = cand
        key = (self.axiom, P, temps, tuple(sorted(vals.items())))
        if key in self.tried:
            return None
        if self.certify_attempts >= MAX_CERTIFY:
            self.capped = True
            return None
        self.tried.add(key)
        self.certify_attempts += 1
        notes: list[str] = []
        ce = None
        try:
            ce = self.rules.certify(self, cand, notes)
        except Exception as exc:  # noqa: BLE001 - a failed certification is no counterexample
            notes.append(f"{type(exc).__name__}: {exc}")
            ce = None
        if ce is None:
            if self.certify_attempts >= MAX_CERTIFY:
                self.capped = True
            why = notes[-1] if notes else "not certified"
            if any(isinstance(n, Dismissal) for n in notes):
                self.dismissed += 1
            else:
                self.uncertified.append(f"{self.describe(cand)} ({why})")
        return ce

    def margin(self, cand: Candidate) -> float | None:
        """The axiom's violation margin at ``cand`` (negative or zero: a violation in floats)."""
        P, temps, vals = cand
        self.candidates += 1
        self.sizes_used.add(len(P))
        self.log_T(temps)
        return self.rules.margin(self, cand)

    def violates(self, m: float | None) -> bool:
        if m is None or math.isnan(m):
            return False
        return self.rules.violates(self, m)

    def consider(self, cand: Candidate) -> Counterexample | None:
        m = self.margin(cand)
        if m is None:
            return None
        self.observe(m, cand)
        if self.violates(m):
            return self.certify(cand, m)
        return None

    def hypothesis_phase(self, sampler: Callable[[random.Random], Candidate | None], max_examples: int) -> Counterexample | None:
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
            cur, cur_m, sigma = cand, float(m0), 0.5
            for _ in range(steps):
                if self.late():
                    return None
                nxt = self.perturb(cur, sigma)
                if nxt is None:
                    sigma *= 0.7
                    continue
                m_or_none = self.margin(nxt)
                if m_or_none is None:
                    sigma *= 0.7
                    continue
                m = m_or_none
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

    def perturb(self, cand: Candidate, sigma: float) -> Candidate | None:
        P = list(cand[0])
        temps = list(cand[1])
        vals = cand[2]
        r = self.rng
        if temps and self.rules.perturb_temps and (r.random() < 0.4 or len(P) < 2):
            k = r.randrange(len(temps))
            t = float(temps[k]) * 2 ** (sigma * r.gauss(0, 4))
            if not (1e-30 < t < 1e30):
                return None
            temps[k] = Fraction(t).limit_denominator(10**12)
            if t <= 0 or temps[k] <= 0:
                return None
            if self.rules.ordered_temps and not temps[0] < temps[1]:
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

    def certify_pending(self, pending: list[tuple[float, tuple]]) -> Counterexample | None:
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

    def pair_vector(self, hi: Fraction, lo: Fraction, Vn: int) -> tuple[Fraction, ...] | None:
        if Vn == 2:
            return (hi, lo) if hi + lo == 1 else None
        rest = 1 - hi - lo
        if rest < 0 or (rest == 0 and self.open_simplex):
            return None
        return (hi, lo) + (rest / (Vn - 2),) * (Vn - 2)

    # -- random draws for the Hypothesis / seeded phase -------------------------------------
    def draw_x(self, r: random.Random) -> Fraction:
        """An entry in (0, 1): dyadic tiny, near 1, around a switching point in x, or 6-digit."""
        k = r.random()
        if k < 0.25:
            return Fraction(1, 2 ** r.randint(1, 60))
        if k < 0.35:
            return 1 - Fraction(1, 2 ** r.randint(2, 50))
        if k < 0.5 and self.x_switch:
            c = r.choice(self.x_switch)
            v = c * (1 + Fraction(r.choice([-1, 1]), 2 ** r.randint(2, 40)))
            return v if 0 < v < 1 else Fraction(1, 2)
        return Fraction(r.randint(1, 10**6 - 1), 10**6)

    def draw_T(self, r: random.Random) -> Fraction:
        """A temperature: around a switching point in T, near 1, 1, or log-uniform in [2^-13, 2^13]."""
        k = r.random()
        if k < 0.2 and self.T_switch:
            c = r.choice(self.T_switch)
            return c * (1 + Fraction(r.choice([-1, 1]), 2 ** r.randint(2, 40)))
        if k < 0.3:
            return 1 + Fraction(r.choice([-1, 1]), 2 ** r.randint(1, 40))
        if k < 0.4:
            return Fraction(1)
        e = r.uniform(-13, 13)
        return Fraction(2**e).limit_denominator(10**6) or Fraction(1, 10**6)

    def draw_p(self, r: random.Random, Vn: int) -> tuple[Fraction, ...]:
        """A vector of size ``Vn``: random, steep, nearly tied or with small integer weights
        (and, on the closed simplex, sometimes a zero)."""
        k = r.random()
        w: list[int | Fraction]
        if k < 0.3:
            w = [r.randint(1, 1000) for _ in range(Vn)]
        elif k < 0.55:
            w = [Fraction(2) ** r.randint(-60, 0) for _ in range(Vn)]
        elif k < 0.75:
            base = r.randint(1, 10**6)
            w = [base + r.randint(0, 2) for _ in range(Vn)]
        else:
            w = [r.choice([1, 2, 3]) for _ in range(Vn)]
        if not self.open_simplex and r.random() < 0.2:
            w[r.randrange(Vn)] = 0
            if sum(w) == 0:
                w[0] = 1
        return weights_to_p(w)

    def sampler(self) -> Callable[[random.Random], Candidate | None]:
        """``sample(r)``: parameter values and a size drawn here, the rest by the axiom's rules."""

        def sample(r: random.Random) -> Candidate | None:
            vals = r.choice(self.values_list)
            Vn = r.choice(self.sizes)
            return self.rules.sample(self, r, Vn, vals)

        return sample
