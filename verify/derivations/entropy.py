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

import mpmath
import sympy as sp

from skd.operators.evaluate import log_score
from skd.operators.symbols import T, V, x
from skd.theory.entropy import COV_DS_S, ENTROPY_RATE, ENTROPY_RATE_POWER_TYPE, VAR_LOGP, VAR_S

from ..regions import Unsupported, t_pieces
from .claims import Claim, Context, DerivedConstant, budgeted
from .common import REFERENCE_P, in_piece

__all__ = ["derive", "entropy_rate_numeric", "REFERENCE_P", "REFERENCE_T"]

#: The temperatures of theory-notes §6 item 2 (with the reference teacher :data:`REFERENCE_P`).
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
        es = mpmath.fsum(qi * si for qi, si in zip(q, sv, strict=True))
        ed = mpmath.fsum(qi * di for qi, di in zip(q, dv, strict=True))
        cov = mpmath.fsum(qi * (si - es) * (di - ed) for qi, si, di in zip(q, sv, dv, strict=True))
        return -cov


def _values(pieces: list[dict[str, Any]]) -> tuple[tuple[dict[str, str], str], ...]:
    vals = []
    pstr = ",".join(str(pi) for pi in REFERENCE_P)
    for t in REFERENCE_T:
        for pc in pieces:
            if in_piece(t, pc["lo"], pc["hi"]):
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
        unk: dict[str, Any] = {"status": "unknown", "reason": why, "reason_kind": "unsupported", "method": "none"}
        return [
            wd, Claim(f"{thm}.score_differentiable", thm, "hypothesis",
                      statement=ENTROPY_RATE.hypothesis("score_differentiable").statement, **unk),
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
        expr = rates[0] if len(rates) == 1 else sp.Piecewise(*[(r, _cond(pc)) for r, pc in zip(rates, pieces, strict=True)])
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
