"""The process theorems of ``multistage``: R2, R3, the exact projection chain and the explicit rates.

Their process hypotheses are *assumptions* about training (the conclusions are ``conditional``);
what is derived for the operator is whether it maps a log-linear class into one
(:func:`power_type_pieces`: ``x·∂_x log g = a(T)`` free of ``x``) and ``a(T)`` in the constants.

>>> from skd.operators import library
>>> [(lab, a) for lab, a, _ in power_type_pieces(library.power.score)]
[('T in (0, oo)', 1/T)]
"""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

from skd.operators.evaluate import log_score
from skd.operators.symbols import T, V, x
from skd.theory.multistage import (
    A_T,
    ERROR_PROPAGATION,
    EULER_CONTINUATION,
    EXACT_PROJECTION_CHAIN,
    PRUNING_PATH_ENERGY,
    STAGE_STATISTICAL_ERROR,
)

from ..regions import t_pieces
from .claims import Claim, Context, DerivedConstant, budgeted
from .multistage_glued import glued_claims
from .multistage_path import dec, x_smooth

__all__ = ["ASSUMPTION_REASON", "LIPSCHITZ_CLAIM", "assumption_claim", "operator_independent_claims", "power_type_pieces"]

#: The sensitivity topic's claim that F_T is Lipschitz on Δ_ε (R2 depends on it).
LIPSCHITZ_CLAIM = "lipschitz_eps.conclusion"
ASSUMPTION_REASON = "an assumption about the training process, not checkable for an operator"


def assumption_claim(cid: str, thm: str, statement: str) -> Claim:
    """A hypothesis of ``thm`` that is an assumption about training: stated, never checked (status ``unknown``)."""
    return Claim(cid, thm, "assumption", "unknown", statement, method="stated, not checked",
                 reason=ASSUMPTION_REASON, reason_kind="unsupported")


def operator_independent_claims(ctx: Context) -> list[Claim]:
    """The glued-path, projection-chain, explicit-rate, R2 and R3 claims (the operator enters through ``a(T)`` only)."""
    power_type = _power_type_result(ctx)
    claims: list[Claim] = (glued_claims(ctx) + _projection_chain_claims(ctx, power_type)
                           + _explicit_rate_claims(ctx, power_type))
    # R2: error propagation
    th = ERROR_PROPAGATION
    k = th.key
    claims += [assumption_claim(f"{k}.contraction", k, th.hypothesis("contraction").statement),
               assumption_claim(f"{k}.stage_error", k, th.hypothesis("stage_error").statement)]
    consts = tuple(DerivedConstant(c.name, c.expr, c.kind, c.meaning + _R2_NOTE.get(c.name, "")) for c in th.constants)
    claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem error_propagation",
                        depends_on=(f"{k}.contraction", f"{k}.stage_error", LIPSCHITZ_CLAIM), constants=consts))
    # R3: Euler continuation
    th = EULER_CONTINUATION
    k = th.key
    claims += [assumption_claim(f"{k}.vector_field_lipschitz", k, th.hypothesis("vector_field_lipschitz").statement),
               assumption_claim(f"{k}.second_derivative_bounded", k, th.hypothesis("second_derivative_bounded").statement)]
    c0 = th.constants[0]
    e = mpmath.e
    claims.append(Claim(
        f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem euler_continuation",
        depends_on=(f"{k}.vector_field_lipschitz", f"{k}.second_derivative_bounded"),
        constants=(DerivedConstant(c0.name, c0.expr, c0.kind, c0.meaning,
                                   values=(({"L_Phi": "1", "M_2": "E", "n": "1"}, dec(e / 2 * (e - 1))),)),
                   DerivedConstant("n_error_limit_exp", sp.E / 2, "limit",
                                   "example θ' = θ, θ(0) = 1: n·(e − θ_n) → e/2 (a limit, below the bound (e/2)(e − 1))",
                                   values=(({"example": "theta' = theta"}, dec(e / 2)),)))))
    return claims


_R2_NOTE = {
    "e_n_bound": "; T enters through ρ ≥ Lip(F_T) (1/(2T) in logit space, up to 1/(2Tε) on Δ_ε), sparsity s through c ∝ s², "
                 "samples m through ε_m = O(d_eff/m)",
    "n_star": "; labelled as the bound's minimiser, not a property of every process (integer optimum: floor or ceiling)",
}


def power_type_pieces(score: sp.Expr) -> list[tuple[str, sp.Expr | None, Any]]:
    """Per T-piece of ``score``: ``(label, a(T) or None, piece)`` with ``x·∂_x log g = a(T)`` free of ``x``
    and non-zero (a power-type score: ``log g = a(T) log x + c(T, V)``), else ``None``.

    >>> from skd.operators import library
    >>> [(lab, a) for lab, a, _ in power_type_pieces(library.mixture.score)]
    [('T in (0, 1)', 1), ('T = 1', 1), ('T in (1, oo)', None)]
    """
    out = []
    for pc in t_pieces(score):
        if pc.expr is None:
            out.append((pc.label, None, pc))
            continue
        if not x_smooth(pc.expr):  # a step in x: x·∂_x log g would drop it (its derivative is a delta), not power type
            out.append((pc.label, None, pc))
            continue
        a = sp.simplify(x * sp.diff(log_score(pc.expr), x))
        if pc.point:
            a = sp.simplify(a.subs(T, pc.lo))
        ok = x not in a.free_symbols and V not in a.free_symbols and a.is_zero is False and a.is_finite is not False
        out.append((pc.label, a if ok else None, pc))
    return out


def _power_type_result(ctx: Context) -> Any:
    """:func:`power_type_pieces` of the score under the budget, or ``None`` (vector operator, free parameters)."""
    op = ctx.op
    if op.kind != "separable" or op.params:
        return None
    return budgeted(power_type_pieces, op.score, seconds=ctx.timeout, what="x·∂_x log g per T-piece")


def _softening_loglinear(ctx: Context, cid: str, key: str, stmt: str, res: Any) -> tuple[Claim, sp.Expr | None]:
    """The hypothesis ``softening_loglinear`` of ``key`` (power-type per T-piece) and ``a(T)`` where proved.

    ``res`` is :func:`_power_type_result` (computed once per operator).
    """
    op = ctx.op
    if res is None:
        why = ("vector operators have no symbolic score: whether F_T maps a log-linear class into one is not decided"
               if op.kind != "separable" else "operators with free parameters: fix them first (op.fix(...))")
        return Claim(cid, key, "hypothesis", "unknown", stmt, method="none", reason=why, reason_kind="unsupported"), None
    if not res.ok:
        return Claim(cid, key, "hypothesis", "unknown", stmt, method="sympy per T-piece", reason=res.reason,
                     reason_kind=res.reason_kind), None
    good = [(lab, a, pc) for lab, a, pc in res.value if a is not None]
    bad = [lab for lab, a, _ in res.value if a is None]
    if not good:
        return Claim(cid, key, "hypothesis", "unknown", stmt, method="sympy per T-piece",
                     reason=f"x·∂_x log g depends on x (or vanishes) on every T-piece ({', '.join(bad)}): F_T does not map "
                            "a log-linear class into one, and the argument does not apply",
                     reason_kind="undecided"), None
    scope = "; ".join(lab for lab, _, _ in good)
    cert = tuple(f"{lab}: x·∂_x log g = {sp.sstr(a)}, free of x and non-zero, so log g = a(T) log x + c(T, V) and "
                 "F_T(softmax(θᵀφ + b)) = softmax(a(T)θᵀφ + a(T)b)" for lab, a, _ in good)
    if bad:
        cert += (f"not power-type on {', '.join(bad)}: outside the scope, the argument does not apply there (not claimed)",)
    hyp = Claim(cid, key, "hypothesis", "proved", stmt, method="sympy per T-piece", scope="full" if not bad else scope,
                certificate=cert)
    branches = []
    for _, a, pc in good:
        if pc.point:
            cond = sp.Eq(T, pc.lo)
        else:
            lo = sp.Integer(0) if pc.lo is None else pc.lo
            cond = (T > lo) if pc.hi is None else sp.And(T > lo, T < pc.hi)
        branches.append((a, cond))
    expr = branches[0][0] if len(branches) == 1 and not bad else sp.Piecewise(*branches)
    return hyp, expr




def _projection_chain_claims(ctx: Context, res: Any) -> list[Claim]:
    th = EXACT_PROJECTION_CHAIN
    k = th.key
    assumption = assumption_claim(f"{k}.affine_loglinear_classes", k, th.hypothesis("affine_loglinear_classes").statement)
    hyp, expr = _softening_loglinear(ctx, f"{k}.softening_loglinear", k, th.hypothesis("softening_loglinear").statement, res)
    const = th.constants[0]
    consts = (DerivedConstant(const.name, expr, "exact", const.meaning),) if expr is not None else ()
    concl = Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem exact_projection_chain",
                  depends_on=(assumption.id, hyp.id), constants=consts)
    return [assumption, hyp, concl]


def _explicit_rate_claims(ctx: Context, res: Any) -> list[Claim]:
    """``pruning_path_energy`` (T and s in the O(1/n) bound) and ``stage_statistical_error`` (T, s and m in ε_m)."""
    claims: list[Claim] = []
    for th, setting in ((PRUNING_PATH_ENERGY, "loglinear_pruning_path"), (STAGE_STATISTICAL_ERROR, "gaussian_least_squares_stage")):
        k = th.key
        assumption = assumption_claim(f"{k}.{setting}", k, th.hypothesis(setting).statement)
        hyp, a_expr = _softening_loglinear(ctx, f"{k}.softening_loglinear", k, th.hypothesis("softening_loglinear").statement,
                                             res)
        consts = tuple(DerivedConstant(c.name, c.expr.subs(A_T, a_expr), c.kind, c.meaning) for c in th.constants) \
            if a_expr is not None else ()
        claims += [assumption, hyp, Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method=f"theorem {k}",
                                          depends_on=(assumption.id, hyp.id), constants=consts)]
    return claims
