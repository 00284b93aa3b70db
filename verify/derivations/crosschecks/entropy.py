"""Cross-checks of the ``entropy`` topic: the derived rates against finite differences of ``H(F_T(p))``.

The derived ``∂_T s`` (constant ``dT_s``, per open ``T``-piece) enters ``−Cov_q(∂_T s, log q)`` with
``q = F_T(p)`` from :func:`evaluate_mp` (``Cov_q(∂_T s, s) = Cov_q(∂_T s, log q)``: ``s − log q`` is
constant in ``i``); the power-type closed form is the derived ``dH_dT`` at the computed
``Var_q(log p)``. Both are compared with central differences of the entropy, never with the
derivation's own evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from skd.operators import apply, evaluate_mp
from skd.operators.symbols import T, V, x
from skd.theory.entropy import VAR_LOGP, VAR_S

from ...checks import Check, compare_values, draw
from ...strategies import rational_distributions, temperatures
from ..common import REFERENCE_P, constant_or_none, mpq, pstr, rational

if TYPE_CHECKING:
    from skd.operators.declare import Operator

    from .. import Derivation

__all__ = ["crosscheck"]

#: The temperatures of theory-notes §6 item 2 (with the reference teacher).
REFERENCE_T = (Fraction(1, 2), Fraction(1), Fraction(2))


def _branch_at(expr: sp.Expr, t: Fraction) -> sp.Expr | None:
    """The branch of a derived constant (a ``Piecewise`` in ``T`` per open ``T``-piece, or one formula) at ``T = t``."""
    if not isinstance(expr, sp.Piecewise):
        return expr
    tv = rational(t)
    return next((e for e, cond in expr.args if cond.subs(T, tv) == sp.true), None)


def _breakpoints(expr: sp.Expr) -> list[float]:
    """The ``T``-values bounding the branches of a derived constant (empty for one formula)."""
    if not isinstance(expr, sp.Piecewise):
        return []
    ends = {rel.rhs if rel.lhs == T else rel.lhs for _, cond in expr.args for rel in cond.atoms(sp.Rel)}
    return sorted(float(e) for e in ends if e.is_number and e.is_finite)


def _entropy_mp(op: Operator, p: Sequence[Fraction], t: Fraction, dps: int = 50) -> Any:
    with mpmath.workdps(dps):
        q = evaluate_mp(op, p, t, dps=dps)
        return -mpmath.fsum(qi * mpmath.log(qi) for qi in q if qi > 0)


def _entropy_fd(op: Operator, p: Sequence[Fraction], t: Fraction) -> float:
    """Central difference of H(F_T(p)) with step T·1e-15 at 50 digits (independent of the derivation)."""
    h = t / 10**15
    with mpmath.workdps(50):
        return float((_entropy_mp(op, p, t + h) - _entropy_mp(op, p, t - h)) / (2 * mpq(h)))


def _rate_from_dts(ds: sp.Expr, q: Sequence[Any], p: Sequence[Fraction], t: Fraction) -> float:
    """``−Cov_q(∂_T s, log q)`` with ``∂_T s`` the derived branch at ``(p_i, T = t, V)`` (40 digits)."""
    with mpmath.workdps(40):
        env = {T: rational(t), V: len(p)}
        dv = [mpmath.mpf(sp.N(ds.subs(env).subs(x, rational(pi)), 40)) for pi in p]
        lq = [mpmath.log(qi) for qi in q]
        el = mpmath.fsum(qi * li for qi, li in zip(q, lq, strict=True))
        ed = mpmath.fsum(qi * di for qi, di in zip(q, dv, strict=True))
        return float(-mpmath.fsum(qi * (li - el) * (di - ed) for qi, li, di in zip(q, lq, dv, strict=True)))


def _closed_form(rate: sp.Expr, q: Sequence[Any], p: Sequence[Fraction], t: Fraction) -> float:
    """The derived power-type rate (a branch in ``Var_q(log p)``) at the computed ``Var_q(log p)``."""
    with mpmath.workdps(50):
        lp = [mpmath.log(mpq(v)) for v in p]
        m1 = mpmath.fsum(qi * li for qi, li in zip(q, lp, strict=True))
        var = mpmath.fsum(qi * (li - m1) ** 2 for qi, li in zip(q, lp, strict=True))
        var_s = sp.Float(mpmath.nstr(var, 50), 50)
    return float(sp.N(rate.subs({T: rational(t), V: len(p), VAR_LOGP: var_s}), 30))


def _kernel_fd(op: Operator, p: Sequence[Fraction], t: Fraction) -> float:
    """Central difference of H(F_T(p)) with the NumPy reference kernel (float64, step 1e-5·T)."""
    arr = np.array([float(v) for v in p])
    tf, h = float(t), float(t) * 1e-5

    def entropy(tt: float) -> float:
        q = apply(op, arr, tt)
        q = q[q > 0]
        return float(-(q * np.log(q)).sum())

    return (entropy(tf + h) - entropy(tf - h)) / (2 * h)


def crosscheck(d: Derivation, cases: int) -> list[Check]:
    """Entropy rates against finite differences of ``H(F_T(p))`` (mpmath, 50 digits) and the NumPy kernel.

    Inputs: the reference point of theory-notes §6 item 2 and ``cases`` Hypothesis draws of
    rational ``p`` (V ≤ 6) and ``T`` in [1/20, 20], kept at least 1e-3 away from the breakpoints
    of a piecewise score.
    """
    op = d.op
    concl = d.claim("entropy_rate.conclusion")
    if concl.status != "established":
        return [Check("entropy_rate.conclusion:dH_dT", "finite differences", 0, math.nan, 0.0,
                      skipped=f"conclusion {concl.status}: {concl.reason}")]
    dts = constant_or_none(d, "entropy_rate.conclusion", "dT_s")
    if dts is None:
        return [Check("entropy_rate.conclusion:dH_dT", "finite differences", 0, math.nan, 0.0, skipped="no derived dT_s")]
    pt2 = d.claim("entropy_rate_power_type.conclusion")
    closed_k = constant_or_none(d, "entropy_rate_power_type.conclusion", "dH_dT") if pt2.status == "established" else None
    breaks = _breakpoints(dts.expr)
    drawn = draw(st.tuples(rational_distributions(max_size=6, max_denominator=200), temperatures(min_value=0.05, max_value=20)),
                 cases, seed=0)
    inputs = [(list(REFERENCE_P), t) for t in REFERENCE_T] + [(p, t) for p, t in drawn]
    inputs = [(p, t) for p, t in inputs if all(abs(float(t) - b) > 1e-3 for b in breaks)]
    general, closed, kernel = [], [], []
    for p, t in inputs:
        ds = _branch_at(dts.expr, t)
        if ds is None:
            continue
        at = {"p": pstr(p), "T": str(t)}
        fd = _entropy_fd(op, p, t)
        with mpmath.workdps(50):
            q = evaluate_mp(op, p, t, dps=50)
        sym = _rate_from_dts(ds, q, p, t)
        general.append((at, sym, fd))
        rate = None if closed_k is None else _branch_at(closed_k.expr, t)
        if rate is not None and not rate.has(VAR_S):
            closed.append((at, _closed_form(rate, q, p, t), fd))
        kernel.append((at, sym, _kernel_fd(op, p, t)))
    out = []
    dev, worst, n = compare_values(general, relative=False)
    out.append(Check("entropy_rate.conclusion:dH_dT", "−Cov_q(∂_T s, s) vs central difference of H(F_T(p)), mpmath 50 digits",
                     n, dev, 1e-12, relative=False, worst=worst))
    if closed:
        dev, worst, n = compare_values(closed, relative=False)
        out.append(Check("entropy_rate_power_type.conclusion:dH_dT", "closed form −a(T)c(T)²·Var_q(log p) vs central difference, mpmath",
                         n, dev, 1e-12, relative=False, worst=worst))
    dev, worst, n = compare_values(kernel, relative=False)
    out.append(Check("entropy_rate.conclusion:dH_dT (kernel)",
                     "derived rate vs central difference of H with the NumPy kernel (float64, step 1e-5·T)",
                     n, dev, 1e-6, relative=False, worst=worst))
    return out
