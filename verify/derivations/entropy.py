"""Entropy rate ``dH/dT`` of a separable operator, per piece in ``T`` (``docs/theory/entropy.md``).

For ``q = F_T(p)`` with log-score ``s = log g``: ``dH/dT = −Cov_q(∂_T s, s)`` inside every open
``T``-piece of the score. When ``∂_T s = a(T)·s + b(T)`` the rate is ``−a(T)·Var_q(s)``, and when
moreover ``s = c(T)·log x + d(T)`` it is ``−a(T)·c(T)²·Var_q(log p)`` — for power ``1/T³``.

>>> from skd.operators import library
>>> from skd.verify.derivations import derive
>>> d = derive(library.power, topics=["entropy"])
>>> d.constant("entropy_rate_power_type.conclusion:dH_dT").expr
VarQ_logp/T**3
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import math

import mpmath
import sympy as sp

from skd.operators.evaluate import log_score
from skd.operators.symbols import T, V, x
from skd.theory.entropy import COV_DS_S, ENTROPY_RATE, ENTROPY_RATE_POWER_TYPE, VAR_LOGP, VAR_S

from ..regions import Unsupported, t_pieces
from .claims import Claim, Context, DerivedConstant, budgeted

__all__ = ["derive", "crosscheck", "entropy_rate_numeric", "REFERENCE_P", "REFERENCE_T"]

#: The reference point of theory-notes §6 item 2.
REFERENCE_P = (Fraction(7, 10), Fraction(1, 5), Fraction(1, 10))
REFERENCE_T = (Fraction(1, 2), Fraction(1), Fraction(2))


def _piece_forms(score: sp.Expr) -> list[dict[str, Any]]:
    """For every open T-piece: the label, a sample T, ∂_T s, and the affine/power-type coefficients."""
    out = []
    for piece in t_pieces(score):
        if piece.point:
            continue
        s = log_score(piece.expr)
        ds = sp.simplify(sp.diff(s, T))
        sx = sp.diff(s, x)
        a = b = c = None
        if sx != 0:
            a_try = sp.simplify(sp.diff(ds, x) / sx)
            if x not in a_try.free_symbols:
                b_try = sp.simplify(ds - a_try * s)
                if x not in b_try.free_symbols:
                    a, b = a_try, b_try
            c_try = sp.simplify(sx * x)
            if x not in c_try.free_symbols:
                c = c_try
        out.append({"label": str(piece.label), "lo": piece.lo, "hi": piece.hi, "s": s, "ds": ds, "a": a, "b": b, "c": c})
    return out


def entropy_rate_numeric(s: sp.Expr, ds: sp.Expr, p: Sequence[Fraction], t: Fraction, v: int | None = None, dps: int = 40) -> mpmath.mpf:
    """``−Cov_q(∂_T s, s)`` at ``(p, T=t)`` in ``dps``-digit arithmetic (``s``, ``ds`` in ``x, T, V``).

    >>> from skd.operators.symbols import x, T
    >>> s = sp.log(x) / T
    >>> float(entropy_rate_numeric(s, sp.diff(s, T), [Fraction(7, 10), Fraction(1, 5), Fraction(1, 10)], Fraction(1)))
    0.4943...
    """
    v = len(p) if v is None else v
    with mpmath.workdps(dps):
        env = {T: sp.Rational(t.numerator, t.denominator), V: v}
        sv = [mpmath.mpf(sp.N(s.subs(env).subs(x, sp.Rational(pi.numerator, pi.denominator)), dps)) for pi in p]
        dv = [mpmath.mpf(sp.N(ds.subs(env).subs(x, sp.Rational(pi.numerator, pi.denominator)), dps)) for pi in p]
        top = max(sv)
        w = [mpmath.exp(si - top) for si in sv]
        z = mpmath.fsum(w)
        q = [wi / z for wi in w]
        es = mpmath.fsum(qi * si for qi, si in zip(q, sv))
        ed = mpmath.fsum(qi * di for qi, di in zip(q, dv))
        cov = mpmath.fsum(qi * (si - es) * (di - ed) for qi, si, di in zip(q, sv, dv))
        return -cov


def _inside(t: Fraction, lo: Any, hi: Any) -> bool:
    tv = sp.Rational(t.numerator, t.denominator)
    return (lo is None or bool(tv > lo)) and (hi is None or hi is sp.oo or bool(tv < hi))


def _values(pieces: list[dict[str, Any]]) -> tuple[tuple[dict[str, str], str], ...]:
    vals = []
    pstr = ",".join(str(pi) for pi in REFERENCE_P)
    for t in REFERENCE_T:
        for pc in pieces:
            if _inside(t, pc["lo"], pc["hi"]):
                r = entropy_rate_numeric(pc["s"], pc["ds"], REFERENCE_P, t)
                vals.append(({"p": pstr, "T": str(t)}, mpmath.nstr(r, 15)))
    return tuple(vals)


def derive(ctx: Context) -> list[Claim]:
    op = ctx.op
    thm, thm2 = ENTROPY_RATE.key, ENTROPY_RATE_POWER_TYPE.key
    wd = ctx.axiom_claim(f"{thm}.well_defined", thm, "well_defined", ENTROPY_RATE.hypothesis("well_defined").statement)
    wd2 = ctx.axiom_claim(f"{thm2}.well_defined", thm2, "well_defined", ENTROPY_RATE_POWER_TYPE.hypothesis("well_defined").statement)
    if op.kind != "separable" or op.params:
        why = ("vector operators have no symbolic score; the entropy rate is derived for separable operators only"
               if op.kind != "separable" else "operators with free parameters: fix them first (op.fix(...))")
        unk = dict(status="unknown", reason=why, reason_kind="unsupported", method="none")
        return [
            wd, Claim(f"{thm}.score_differentiable", thm, "hypothesis", statement=ENTROPY_RATE.hypothesis("score_differentiable").statement, **unk),
            Claim(f"{thm}.conclusion", thm, "conclusion", "pending", ENTROPY_RATE.conclusion,
                  depends_on=(f"{thm}.well_defined", f"{thm}.score_differentiable")),
            wd2, Claim(f"{thm2}.score_affine_in_T_derivative", thm2, "hypothesis",
                       statement=ENTROPY_RATE_POWER_TYPE.hypothesis("score_affine_in_T_derivative").statement, **unk),
            Claim(f"{thm2}.conclusion", thm2, "conclusion", "pending", ENTROPY_RATE_POWER_TYPE.conclusion,
                  depends_on=(f"{thm2}.well_defined", f"{thm2}.score_affine_in_T_derivative")),
        ]
    res = budgeted(_piece_forms, op.score, seconds=ctx.timeout, what="derivative of the log-score in T")
    claims: list[Claim] = [wd]
    if not res.ok or isinstance(res.value, Unsupported):
        diff = Claim(f"{thm}.score_differentiable", thm, "hypothesis", "unknown",
                     ENTROPY_RATE.hypothesis("score_differentiable").statement, method="sympy diff",
                     reason=res.reason, reason_kind=res.reason_kind)
        pieces: list[dict[str, Any]] = []
    else:
        pieces = res.value
        labels = [pc["label"] for pc in pieces]
        scope = "full" if len(pieces) == 1 else "inside each open T-piece: " + "; ".join(labels) + " (one-sided rates at the breakpoints)"
        diff = Claim(f"{thm}.score_differentiable", thm, "hypothesis", "proved",
                     ENTROPY_RATE.hypothesis("score_differentiable").statement, method="sympy diff per T-piece",
                     scope=scope,
                     certificate=tuple(f"{pc['label']}: d/dT s = {sp.sstr(pc['ds'])} (elementary in x, T on the piece; "
                                       "g > 0 by A0)" for pc in pieces))
    claims.append(diff)
    consts = []
    if pieces:
        if len(pieces) == 1:
            consts.append(DerivedConstant("dT_s", pieces[0]["ds"], "exact", "T-derivative of the log-score s = log g"))
        else:
            consts.append(DerivedConstant("dT_s", sp.Piecewise(*[(pc["ds"], _cond(pc)) for pc in pieces]), "exact",
                                          "T-derivative of the log-score s = log g, per open T-piece"))
        consts.append(DerivedConstant("dH_dT", -COV_DS_S, "exact", "entropy rate dH/dT at (p, T), q = F_T(p)",
                                      values=_values(pieces)))
    claims.append(Claim(f"{thm}.conclusion", thm, "conclusion", "pending", ENTROPY_RATE.conclusion,
                        method="theorem entropy_rate", scope=diff.scope if diff.status == "proved" else "full",
                        depends_on=(wd.id, diff.id), constants=tuple(consts)))

    # power-type specialisation
    claims.append(wd2)
    aff_id = f"{thm2}.score_affine_in_T_derivative"
    stmt = ENTROPY_RATE_POWER_TYPE.hypothesis("score_affine_in_T_derivative").statement
    consts2: list[DerivedConstant] = []
    if not pieces:
        claims.append(Claim(aff_id, thm2, "hypothesis", "unknown", stmt, method="sympy",
                            reason=diff.reason or "no T-pieces", reason_kind=diff.reason_kind or "undecided"))
    elif any(pc["a"] is None for pc in pieces):
        bad = [pc["label"] for pc in pieces if pc["a"] is None]
        claims.append(Claim(aff_id, thm2, "hypothesis", "unknown", stmt, method="sympy: d/dx(d_T s) / d/dx(s)",
                            reason=f"d_T s is not recognised as a(T) s + b(T) on {', '.join(bad)} "
                            "(the ratio d/dx(d_T s) / d/dx(s) depends on x there); the general form applies",
                            reason_kind="undecided"))
    else:
        scope = "full" if len(pieces) == 1 else "inside each open T-piece"
        claims.append(Claim(aff_id, thm2, "hypothesis", "proved", stmt, method="sympy: d_T s = a(T) s + b(T)", scope=scope,
                            certificate=tuple(f"{pc['label']}: a(T) = {sp.sstr(pc['a'])}, b(T) = {sp.sstr(pc['b'])}, "
                                              "checked by simplify(d_T s - a s - b) = 0" for pc in pieces)))
        rates = []
        for pc in pieces:
            if pc["c"] is not None:
                rates.append(sp.simplify(-pc["a"] * pc["c"] ** 2) * VAR_LOGP)
            else:
                rates.append(sp.simplify(-pc["a"]) * VAR_S)
        expr = rates[0] if len(rates) == 1 else sp.Piecewise(*[(r, _cond(pc)) for r, pc in zip(rates, pieces)])
        consts2.append(DerivedConstant("dH_dT", expr, "exact",
                                       "entropy rate; Var_q(log p) when s = c(T) log x + d(T), else Var_q(s)",
                                       values=_values(pieces)))
    claims.append(Claim(f"{thm2}.conclusion", thm2, "conclusion", "pending", ENTROPY_RATE_POWER_TYPE.conclusion,
                        method="theorem entropy_rate_power_type", depends_on=(wd2.id, aff_id), constants=tuple(consts2)))
    return claims


def _cond(pc: dict[str, Any]) -> sp.Basic:
    lo, hi = pc["lo"], pc["hi"]
    conds = []
    if lo is not None and lo != 0:
        conds.append(T > lo)
    if hi is not None and hi is not sp.oo:
        conds.append(T < hi)
    return sp.And(*conds) if conds else sp.true


# -- cross-checks (skd crosscheck) ------------------------------------------------------------


def _entropy_mp(op: Any, p: Sequence[Fraction], t: Fraction, dps: int = 50) -> mpmath.mpf:
    from skd.operators import evaluate_mp

    with mpmath.workdps(dps):
        q = evaluate_mp(op, p, t, dps=dps)
        return -mpmath.fsum(qi * mpmath.log(qi) for qi in q if qi > 0)


def _entropy_fd(op: Any, p: Sequence[Fraction], t: Fraction) -> float:
    """Central difference of H(F_T(p)) with step T·1e-15 at 50 digits (independent of the derivation)."""
    h = t / 10**15
    with mpmath.workdps(50):
        return float((_entropy_mp(op, p, t + h) - _entropy_mp(op, p, t - h)) / (2 * mpmath.mpf(h.numerator) / h.denominator))


#: Budget (seconds) for re-deriving the symbolic forms during a cross-check, as ``skd derive``'s default.
CROSSCHECK_BUDGET = 20.0


def crosscheck(d: Any, cases: int) -> list[Any]:
    """Entropy rates against finite differences of ``H(F_T(p))`` (mpmath, 50 digits) and the NumPy kernel.

    Inputs: the reference point of theory-notes §6 item 2 and ``cases`` Hypothesis draws of
    rational ``p`` (V ≤ 6) and ``T`` in [1/20, 20], kept at least 1e-3 away from the breakpoints
    of a piecewise score.
    """
    import numpy as np
    from hypothesis import strategies as st

    from skd.operators import apply

    from ..checks import Check, compare_values, draw
    from ..strategies import rational_distributions, temperatures

    op = d.op
    concl = d.claim("entropy_rate.conclusion")
    if concl.status != "established":
        return [Check("entropy_rate.conclusion:dH_dT", "finite differences", 0, math.nan, 0.0,
                      skipped=f"conclusion {concl.status}: {concl.reason}")]
    res = budgeted(_piece_forms, op.score, seconds=CROSSCHECK_BUDGET, what="derivative of the log-score in T")
    if not res.ok:
        return [Check("entropy_rate.conclusion:dH_dT", "finite differences", 0, math.nan, 0.0, skipped=res.reason)]
    pieces = res.value
    breaks = sorted({float(pc[k]) for pc in pieces for k in ("lo", "hi") if pc[k] is not None and pc[k] is not sp.oo})
    drawn = draw(st.tuples(rational_distributions(max_size=6, max_denominator=200), temperatures(min_value=0.05, max_value=20)),
                 cases, seed=0)
    inputs = [(list(REFERENCE_P), t) for t in REFERENCE_T] + [(p, t) for p, t in drawn]
    inputs = [(p, t) for p, t in inputs if all(abs(float(t) - b) > 1e-3 for b in breaks)]
    general, closed, kernel = [], [], []
    pt2 = d.claim("entropy_rate_power_type.conclusion")
    for p, t in inputs:
        pc = next((pc for pc in pieces if _inside(t, pc["lo"], pc["hi"])), None)
        if pc is None:
            continue
        at = {"p": ",".join(map(str, p)), "T": str(t)}
        fd = _entropy_fd(op, p, t)
        sym = float(entropy_rate_numeric(pc["s"], pc["ds"], p, t, v=len(p)))
        general.append((at, sym, fd))
        if pt2.status == "established" and pc["c"] is not None and pc["a"] is not None:
            rate = sp.simplify(-pc["a"] * pc["c"] ** 2)
            with mpmath.workdps(50):
                from skd.operators import evaluate_mp

                q = evaluate_mp(op, p, t, dps=50)
                lp = [mpmath.log(mpmath.mpf(x.numerator) / x.denominator) for x in p]
                m1 = mpmath.fsum(qi * li for qi, li in zip(q, lp))
                var = mpmath.fsum(qi * (li - m1) ** 2 for qi, li in zip(q, lp))
                closed.append((at, float(sp.N(rate.subs({T: sp.Rational(t.numerator, t.denominator), V: len(p)}), 30)) * float(var), fd))
        # the NumPy reference kernel: central difference in float64 with a step suited to it
        arr = np.array([float(x) for x in p])
        tf, h = float(t), float(t) * 1e-5

        def H(tt: float) -> float:
            q = apply(op, arr, tt)
            q = q[q > 0]
            return float(-(q * np.log(q)).sum())

        kernel.append((at, sym, (H(tf + h) - H(tf - h)) / (2 * h)))
    out = []
    dev, worst, n = compare_values(general, relative=False)
    out.append(Check("entropy_rate.conclusion:dH_dT", "−Cov_q(∂_T s, s) vs central difference of H(F_T(p)), mpmath 50 digits",
                     n, dev, 1e-12, relative=False, worst=worst))
    if closed:
        dev, worst, n = compare_values(closed, relative=False)
        out.append(Check("entropy_rate_power_type.conclusion:dH_dT", "closed form −a(T)c(T)²·Var_q(log p) vs central difference, mpmath",
                         n, dev, 1e-12, relative=False, worst=worst))
    dev, worst, n = compare_values(kernel, relative=False)
    out.append(Check("entropy_rate.conclusion:dH_dT (kernel)", "derived rate vs central difference of H with the NumPy kernel (float64, step 1e-5·T)",
                     n, dev, 1e-6, relative=False, worst=worst))
    return out
