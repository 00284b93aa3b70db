"""Cross-checks of the ``basics`` topic: reference values and the composition law.

* ``reference_values``: the stored 50-digit ``F_T(p)`` against the NumPy kernel at the stated ``(p, T)``;
* ``semigroup``: the derived ``ψ(S, T)`` by ``F_S(F_T(p)) = F_ψ(p)`` at 50 digits (:func:`evaluate_mp`);
* a refuted law: the stated ``r = F_S(F_T(p))`` against the kernel, and ``r`` far from every ``F_ψ(p)``
  (log grid of ``ψ`` + bounded minimisation), without the Arb code that certified it.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from skd.operators import apply, evaluate_mp
from skd.operators.symbols import T

from ...checks import Check, compare_values, draw
from ...strategies import rational_distributions, temperatures
from ..common import REFERENCE_P, parse_p, pstr, rational

if TYPE_CHECKING:
    from skd.operators.declare import Operator

    from .. import Derivation

__all__ = ["crosscheck"]

#: The second temperature of the composition law ``F_S ∘ F_T = F_ψ(S,T)`` (the name the derived ``ψ`` uses).
S = sp.Symbol("S", positive=True)


def crosscheck(d: Derivation, cases: int) -> list[Check]:
    """Reference values against the NumPy kernel; the composition law ``F_S(F_T(p)) = F_ψ(p)`` at 50 digits.

    Inputs for the law: the reference teacher at ``(S, T) = (2, 3)`` and ``cases`` Hypothesis draws of
    rational ``p`` (V ≤ 6) and ``S, T`` in [1/20, 20].
    """
    op = d.op
    out = [_reference_value_check(d)]
    law = next((c for c in d.claims if c.id == "semigroup.law"), None)
    if law is not None and law.status == "refuted":
        out.extend(_law_counterexample_checks(op, law.counterexample or {}))
    sg = d.claim("semigroup.conclusion")
    if sg.status != "established":
        out.append(Check("semigroup.conclusion:psi", "F_S(F_T(p)) vs F_psi(p)", 0, math.nan, 0.0,
                         skipped=f"conclusion {sg.status}: {sg.reason}"))
        return out
    psi = sg.constants[0].expr
    drawn = draw(st.tuples(rational_distributions(max_size=6, max_denominator=100), temperatures(min_value=0.05, max_value=20),
                           temperatures(min_value=0.05, max_value=20)), cases)
    inputs = [(list(REFERENCE_P), Fraction(2), Fraction(3))] + [(list(p), s_, t_) for p, s_, t_ in drawn]
    pairs = []
    for p, s_, t_ in inputs:
        ps = psi.subs({S: rational(s_), T: rational(t_)})
        # evaluate_mp takes exact rationals: an irrational psi is replaced by its 60-digit rational
        # approximation (F is smooth in T, so this moves F_psi by ~1e-58, far below the tolerance)
        ps_q = Fraction(str(sp.N(ps, 60))) if not ps.is_Rational else Fraction(int(ps.p), int(ps.q))
        with mpmath.workdps(50):
            q = evaluate_mp(op, p, t_, dps=60)
            qq = [Fraction(str(mpmath.nstr(v, 55, strip_zeros=False))) for v in q]
            lhs = evaluate_mp(op, qq, s_, dps=50)
            rhs = evaluate_mp(op, p, ps_q, dps=50)
        for i, (a, b) in enumerate(zip(lhs, rhs, strict=True)):
            pairs.append(({"p": pstr(p), "S": str(s_), "T": str(t_), "i": str(i)}, float(a), float(b)))
    dev, worst, n = compare_values(pairs, relative=False)
    out.append(Check("semigroup.conclusion:psi", "F_S(F_T(p)) vs F_psi(p), mpmath 50 digits (an irrational psi taken to 60 digits)",
                     n, dev, 1e-15, relative=False, worst=worst))
    return out


def _reference_value_check(d: Derivation) -> Check:
    """The stored values of ``F_T(p)`` against the NumPy kernel at the ``(p, T)`` each value states."""
    rv = d.claim("reference_values.conclusion")
    if not (rv.status == "established" and rv.constants and rv.constants[0].values):
        return Check("reference_values.conclusion:F_i", "kernel", 0, math.nan, 0.0, skipped=f"conclusion {rv.status}: {rv.reason}")
    pairs = []
    for at, val in rv.constants[0].values:
        if at["what"] != "F_T(p)":
            continue
        arr = np.array([float(v) for v in parse_p(at["p"])])
        stored = [float(v) for v in val.split(",")]
        k = apply(d.op, arr, float(Fraction(at["T"])))
        for i, (a, b) in enumerate(zip(stored, k, strict=False)):
            pairs.append(({"T": at["T"], "i": str(i)}, a, float(b)))
    dev, worst, n = compare_values(pairs, relative=False)
    return Check("reference_values.conclusion:F_i", "stored 50-digit values vs the NumPy kernel (float64)", n, dev, 1e-11,
                 relative=False, worst=worst)


def _law_counterexample_checks(op: Operator, ce: Any) -> list[Check]:
    """The refuted composition law, confirmed without the Arb code that certified it.

    * the stated ``r = F_S(F_T(p))`` against the NumPy kernel's composite (float64);
    * ``min_ψ max_i |F_ψ(p)_i − r_i|`` by the NumPy kernel over 4001 log-spaced ``ψ ∈ [10⁻³, 10³]``,
      refined by bounded scalar minimisation around the best grid point, must stay above ``10⁻³``
      (deviation ``max(0, 10⁻³ − distance)``). ``F_ψ(p)`` tends to the argmax vertex / uniform
      outside that range, both far from ``r`` when ``r`` is strictly inside (checked: distances at
      the ends are reported in ``worst``).
    """
    from scipy.optimize import minimize_scalar  # type: ignore[import-untyped]  # no stubs installed

    q_id = "semigroup.law:counterexample"
    try:
        p = np.array([float(v) for v in parse_p(str(ce["p"]))])
        s_, t_ = float(Fraction(ce["S"])), float(Fraction(ce["T"]))
        r = np.array([float(v["decimal"]) for v in ce["r"]])
    except (KeyError, ValueError, TypeError, ZeroDivisionError) as exc:
        return [Check(q_id, "stated r vs kernel", 0, math.nan, 0.0, skipped=f"counterexample unreadable: {exc}")]
    comp = np.asarray(apply(op, np.asarray(apply(op, p, t_)), s_))
    pairs = [({"i": str(i)}, float(a), float(b)) for i, (a, b) in enumerate(zip(r, comp, strict=False))]
    dev, worst, n = compare_values(pairs, relative=True)
    out = [Check(q_id, "stated r = F_S(F_T(p)) (Arb, 12 digits) vs the NumPy kernel's composite (float64)", n, dev, 1e-10,
                 worst=worst)]

    def dist(log_psi: float) -> float:
        return float(np.max(np.abs(np.asarray(apply(op, p, float(np.exp(log_psi)))) - r)))

    grid = np.linspace(math.log(1e-3), math.log(1e3), 4001)
    ds = np.array([dist(g) for g in grid])
    k = int(np.argmin(ds))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    best = minimize_scalar(dist, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
    m = min(float(ds[k]), float(best.fun))
    psi = math.exp(float(best.x) if best.fun <= ds[k] else float(grid[k]))
    level = 1e-3
    out.append(Check(q_id + " (no psi)", "min over psi of max_i |F_psi(p)_i - r_i| (NumPy kernel, log grid of 4001 psi in "
                     "[1e-3, 1e3] + bounded minimisation) must exceed 1e-3; deviation max(0, 1e-3 - distance)", len(grid),
                     max(0.0, level - m), 0.0, relative=False,
                     worst={"psi": f"{psi:.9g}", "distance": f"{m:.6g}", "distance at psi=1e-3": f"{ds[0]:.3g}",
                            "distance at psi=1e3": f"{ds[-1]:.3g}"}))
    return out
