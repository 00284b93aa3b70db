"""Soundness fuzz: >= 1000 random operators; every ``proved`` verdict confronted with a dense
numeric search at 40 digits (mpmath), a candidate conflict re-confirmed at 80 digits.

Axioms confronted pointwise: well_defined, ranking, identity, entropy (pairs T1 < T2) and
continuity (tiny perturbations of T must move F by a tiny amount). Limits are not confronted
numerically (convergence can be arbitrarily slow); they are covered by the corpus and by the
refuter attack inside ``check``.
"""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings

from skd.operators.errors import NotWellDefined
from skd.operators.evaluate import evaluate_mp
from skd.verify.budget import BudgetExceeded, run_with_budget
from skd.verify.prove import PROVERS, prove
from skd.verify.strategies import separable_operators

pytestmark = pytest.mark.slow

N_OPERATORS = 1000
CHUNKS = 10


def _unique_operators() -> list:
    ops: dict[str, object] = {}

    @settings(max_examples=6000, derandomize=True, suppress_health_check=list(HealthCheck), deadline=None, database=None)
    @given(separable_operators())
    def collect(op):
        if len(ops) < N_OPERATORS:
            ops.setdefault(op.hash, op)

    collect()
    return list(ops.values())


_OPS: list = []


def _ops() -> list:
    if not _OPS:
        _OPS.extend(_unique_operators())
    return _OPS


def _all_verdicts(op) -> dict[str, str]:
    return {ax: prove(ax, op).status for ax in PROVERS}


def _entropy(q) -> mpmath.mpf:
    return -mpmath.fsum(v * mpmath.log(v) for v in q if v > 0)


def _points(rng: random.Random, n: int):
    for _ in range(n):
        V = rng.choice([2, 3, 3, 5])
        w = [rng.randint(1, 1000) for _ in range(V)]
        p = [Fraction(a, sum(w)) for a in w]
        T = Fraction(10 ** rng.uniform(-1.5, 1.5)).limit_denominator(10**4)
        yield p, T


def _confirm_all(op, found: list[tuple]) -> list[str]:
    """Candidates that Arb certifies at 256..8192 bits (an overlap is not a conflict)."""
    from skd.operators.arith import ArbArith, Undecided
    from skd.operators.evaluate import exact_algorithm

    f = exact_algorithm(op)
    out = []
    for cand in found:
        kind, p, T, extra, text = cand
        exact = _exact_F(op, p, T if kind != "identity" else Fraction(1))
        if exact is not None and kind in ("ranking", "identity"):
            if kind == "ranking" and exact[extra[0]] <= exact[extra[1]]:
                out.append(text + " (exact)")
            if kind == "identity" and list(exact) != [sp.Rational(v.numerator, v.denominator) for v in p]:
                out.append(text + " (exact)")
            continue
        for prec in (256, 1024, 4096, 8192):
            ar = ArbArith(prec)
            try:
                if kind == "ranking":
                    q = f(p, T, ar)
                    i, j = extra
                    if q[i] <= q[j]:
                        out.append(text)
                    elif not q[i] > q[j]:
                        continue
                elif kind == "identity":
                    q = f(p, Fraction(1), ar)
                    if any(not (a - ar.num(b)).contains(0) for a, b in zip(q, p)):
                        out.append(text)
                    elif any(not (a - ar.num(b)).is_zero() for a, b in zip(q, p)):
                        continue
                elif kind == "entropy":
                    h1 = _arb_entropy(f(p, T, ar))
                    h2 = _arb_entropy(f(p, extra, ar))
                    if h2 < h1:
                        out.append(text)
                    elif not h2 >= h1:
                        continue
                else:  # well_defined / continuity: reported as found at 40 digits
                    out.append(text)
            except (Undecided, ZeroDivisionError, ValueError, ArithmeticError, MemoryError):
                continue
            break
    return out


def _exact_F(op, p, T):
    """F_T(p) in exact rationals when every score is rational there, else None."""
    from skd.operators.symbols import T as T_, V as V_, x as x_

    env = {T_: sp.Rational(T.numerator, T.denominator), V_: sp.Integer(len(p))}
    gs = []
    for v in p:
        g = op.score.subs(env).subs(x_, sp.Rational(v.numerator, v.denominator))
        if not g.is_Rational:
            return None
        gs.append(g)
    total = sum(gs)
    return None if total == 0 else [g / total for g in gs]


def _arb_entropy(q):
    total = None
    for v in q:
        if v.is_zero():
            continue
        term = -(v * v.log())
        total = term if total is None else total + term
    return total


def _conflicts(op, proved: set[str], dps: int, rng: random.Random) -> list[tuple]:
    # every comparison at the working precision of the reference values
    with mpmath.workdps(dps):
        return _conflicts_at(op, proved, dps, rng)


def _conflicts_at(op, proved: set[str], dps: int, rng: random.Random) -> list[tuple]:
    """Candidate conflicts ``(kind, p, T, extra, text)`` found at ``dps`` digits."""
    out = []
    for p, T in _points(rng, 12):
        try:
            q = evaluate_mp(op, p, T, dps=dps)
        except NotWellDefined as exc:
            if "well_defined" in proved:
                out.append(("well_defined", p, T, None, f"well_defined: {exc} at p={p}, T={T}"))
            continue
        except (ValueError, ZeroDivisionError, OverflowError, TypeError, MemoryError, ArithmeticError):
            continue
        tol = mpmath.mpf(10) ** (-(dps - 10))
        if "well_defined" in proved and (any(v < 0 for v in q) or abs(mpmath.fsum(q) - 1) > tol):
            out.append(("well_defined", p, T, None, f"well_defined at p={p}, T={T}: {q}"))
        if "ranking" in proved:
            for i in range(len(p)):
                for j in range(len(p)):
                    # relative: entries far below any absolute tolerance are still ordered
                    if p[i] > p[j] and not q[i] > q[j] * (1 + tol):
                        out.append(("ranking", p, T, (i, j), f"ranking at p={p}, T={T}, i={i}, j={j}"))
        if "identity" in proved:
            try:
                q1 = evaluate_mp(op, p, 1, dps=dps)
            except (ValueError, ZeroDivisionError, OverflowError, TypeError, MemoryError, ArithmeticError):
                continue
            if any(abs(a - mpmath.mpf(b.numerator) / b.denominator) > tol for a, b in zip(q1, p)):
                out.append(("identity", p, T, None, f"identity at p={p}"))
        if "entropy" in proved:
            T2 = T * Fraction(11, 10)
            try:
                q2 = evaluate_mp(op, p, T2, dps=dps)
            except (ValueError, ZeroDivisionError, OverflowError, TypeError, MemoryError, ArithmeticError):
                continue
            if _entropy(q2) < _entropy(q) - tol:
                out.append(("entropy", p, T, T2, f"entropy at p={p}, T1={T}, T2={T2}"))
        if "continuity" in proved:
            Tn = T * (1 + Fraction(1, 10**12))
            try:
                qn = evaluate_mp(op, p, Tn, dps=dps)
            except (ValueError, ZeroDivisionError, OverflowError, TypeError, MemoryError, ArithmeticError):
                continue
            if max(abs(a - b) for a, b in zip(q, qn)) > mpmath.mpf(10) ** -6:
                out.append(("continuity", p, T, None, f"continuity at p={p}, T={T}"))
    return out


def test_fuzz_generates_enough_distinct_operators():
    assert len(_ops()) >= N_OPERATORS


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_fuzz_proved_verdicts_survive_dense_numeric_search(chunk, record_property):
    ops = _ops()[chunk::CHUNKS]
    with_proof = 0
    conflicts: list[str] = []
    unconfronted: list[str] = []
    rng = random.Random(chunk)
    for op in ops:
        try:
            verdicts = run_with_budget(_all_verdicts, (op,), seconds=8)
        except BudgetExceeded:
            continue
        proved = {a for a, s in verdicts.items() if s == "proved"}
        if not proved:
            continue
        with_proof += 1
        seed = rng.randrange(2**32)
        try:
            found = run_with_budget(_conflicts, (op, proved, 40, random.Random(seed)), seconds=10)
            if found:
                # a conflict must itself be certain: confirm each candidate with Arb balls
                confirmed = run_with_budget(_confirm_all, (op, found), seconds=120)
                conflicts += [f"{op.definition}: {c}" for c in confirmed]
        except BudgetExceeded:
            # mpmath on towers like exp(exp(exp(x/T))) at small T: numbers with huge exponents
            unconfronted.append(op.definition)
    record_property("operators", len(ops))
    record_property("operators_with_a_proof", with_proof)
    record_property("unconfronted", len(unconfronted))
    assert not conflicts, "\n".join(conflicts[:20])
    assert len(unconfronted) <= max(2, with_proof // 20), f"{len(unconfronted)} proved operators not confronted: {unconfronted}"
    # >= 200 of 1000 operators with at least one proof, i.e. >= 20 per chunk of 100
    assert with_proof >= len(ops) // 5, f"only {with_proof} of {len(ops)} operators got a proof"
