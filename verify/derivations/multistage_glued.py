"""``glued_path_energy``: the temperature path across junctions of a piecewise score (``multistage``).

:func:`glued_forms` cuts the interval at the score's piece boundaries and recognises a one-parameter
family on each part; :func:`glued_numbers` encloses the constants of the glued bound in Arb.

>>> from skd.operators import library
>>> glued_forms(library.hybrid.score, (Fraction(1, 2), Fraction(2)))["junctions"]
[Fraction(1, 1)]
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from skd.operators.arith import ArbArith, Undecided
from skd.operators.evaluate import eval_expr
from skd.operators.symbols import V, x
from skd.theory.multistage import GLUED_PATH_ENERGY

from ..regions import Unsupported, t_pieces
from .claims import Claim, Context, DerivedConstant, budgeted
from .common import REFERENCE_P, mpq, pstr
from .multistage_path import (
    DPS,
    PREC,
    arb_abs_mean_value,
    arb_variance,
    beta,
    dec,
    fisher_mp,
    path_forms,
    sup_enclosure,
    symbolic_path_pieces,
)

__all__ = ["GLUED_BETA", "glued_claims", "glued_forms", "glued_numbers"]

GLUED_BETA = (Fraction(2), Fraction(1, 2))


def glued_forms(score: sp.Expr, t_range: tuple[Fraction, Fraction]) -> dict[str, Any]:
    """:func:`path_forms` on each interval into which the score's piece boundaries cut ``t_range``.

    Returns ``{"ok": True, "junctions": [T_j], "subs": [forms...], "all_junctions_continuous": bool, "checks": [...]}``
    or ``{"ok": False, "reason"}``. Every sub-interval must be a recognised one-parameter family; the end checks of
    :func:`path_forms` at each closed junction make ``q_β`` continuous there (both sides equal the score at ``T_j`` up
    to a factor free of x). ``all_junctions_continuous`` repeats that check at every junction of the score, inside
    ``t_range`` or not (it decides whether the hypothesis holds for every interval).

    >>> from skd.operators import library
    >>> g = glued_forms(library.hybrid.score, (Fraction(1, 2), Fraction(2)))
    >>> g["junctions"], [f["family"] for f in g["subs"]], g["all_junctions_continuous"]
    ([Fraction(1, 1)], ['exponential', 'mixture'], True)
    """
    t_lo, t_hi = t_range
    try:
        pieces = t_pieces(score)
    except Unsupported as exc:
        return {"ok": False, "reason": f"piece decomposition: {exc}", "kind": "unsupported"}
    points = [pc.lo for pc in pieces if pc.point and pc.lo is not None]
    if any(not pt.is_Rational for pt in points):
        return {"ok": False, "kind": "undecided", "reason": f"a piece boundary is not rational ({points}): not handled"}
    junctions = sorted(Fraction(int(pt.p), int(pt.q)) for pt in points)
    inside = [j for j in junctions if t_lo < j < t_hi]
    cuts = [t_lo, *inside, t_hi]
    subs = []
    for a, b in itertools.pairwise(cuts):
        f = path_forms(score, (a, b))
        if not f["ok"]:
            return {"ok": False, "kind": f.get("kind", "undecided"), "reason": f"on T ∈ [{a}, {b}]: {f['reason']}"}
        if f["family"] is None:
            return {"ok": False, "kind": "undecided",
                    "reason": f"on T ∈ [{a}, {b}] the path is not recognised as an exponential or mixture family"}
        subs.append({**f, "t_range": (a, b)})
    checks, every = [], True
    for j in junctions:
        left = j / 2 if j == junctions[0] else (j + max(v for v in junctions if v < j)) / 2
        right = j + 1 if j == junctions[-1] else (j + min(v for v in junctions if v > j)) / 2
        for rng in ((left, j), (j, right)):
            f = path_forms(score, rng)
            if not f["ok"]:
                every = False
                checks.append(f"junction T = {j}, side T ∈ [{rng[0]}, {rng[1]}]: {f['reason']}")
            else:
                checks += [f"junction T = {j}, side T ∈ [{rng[0]}, {rng[1]}]: {c}" for c in f["end_checks"]]
    return {"ok": True, "junctions": inside, "subs": subs, "all_junctions_continuous": every, "checks": checks}


def _arb_dq_abs(s: sp.Expr, ds: sp.Expr, p: Sequence[Fraction], i: int) -> Callable[[Any], Any]:
    """Ball enclosure of ``β ↦ |∂_β q_{β,i}| = q_i |D_i − E_q D|`` (``D = ∂_β s``), naive."""
    ar = ArbArith(PREC)
    xs = [ar.num(pi) for pi in p]
    vv = ar.num(len(p))

    def f(b: Any) -> Any:
        env = [{x: xi, beta: b, V: vv} for xi in xs]
        sv = [eval_expr(s, e, ar) for e in env]
        dv = [eval_expr(ds, e, ar) for e in env]
        w = [(v - sv[0]).exp() for v in sv]
        z = sum(w[1:], w[0])
        q = [wi / z for wi in w]
        md = sum((qi * di for qi, di in zip(q[1:], dv[1:], strict=True)), q[0] * dv[0])
        return abs(q[i] * (dv[i] - md))

    return f


def _arb_neg_q(s: sp.Expr, p: Sequence[Fraction], i: int) -> Callable[[Any], Any]:
    """Ball enclosure of ``β ↦ −q_{β,i}`` (its sup is ``−inf q_i``)."""
    ar = ArbArith(PREC)
    xs = [ar.num(pi) for pi in p]
    vv = ar.num(len(p))

    def f(b: Any) -> Any:
        sv = [eval_expr(s, {x: xi, beta: b, V: vv}, ar) for xi in xs]
        w = [(v - sv[0]).exp() for v in sv]
        z = sum(w[1:], w[0])
        return -(w[i] / z)

    return f


def glued_numbers(g: dict[str, Any], p: Sequence[Fraction], b0: Fraction, b1: Fraction) -> dict[str, Any]:
    """Arb upper ends of ``A`` and ``C_χ``, the glued bound, and the limit ``½|Δβ|∫I`` (mpmath quad per interval)."""
    a_up, dq_sup, q_inf = 0.0, [0.0] * len(p), [math.inf] * len(p)
    integral = mpmath.mpf(0)
    for f in g["subs"]:
        lo_t, hi_t = f["t_range"]
        lo_b, hi_b = 1 / hi_t, 1 / lo_t
        j_hi = sup_enclosure(arb_variance(f["s"], f["ds"], f["a"], f["da"], p), lo_b, hi_b)[1]
        th_hi = sup_enclosure(arb_abs_mean_value(f["dtheta"], ArbArith(PREC), len(p)), lo_b, hi_b)[1]
        a_up = max(a_up, j_hi * th_hi * th_hi)
        for i in range(len(p)):
            dq_sup[i] = max(dq_sup[i], sup_enclosure(_arb_dq_abs(f["s"], f["ds"], p, i), lo_b, hi_b, rel_tol=1e-6)[1])
            q_inf[i] = min(q_inf[i], -sup_enclosure(_arb_neg_q(f["s"], p, i), lo_b, hi_b, rel_tol=1e-6)[1])
        with mpmath.workdps(DPS):
            integral += mpmath.quad(lambda b, f=f: fisher_mp(f["s"], f["ds"], p, b), [mpq(lo_b), mpq(hi_b)])
    if min(q_inf) <= 0:
        raise Undecided("inf q_i not enclosed away from 0")
    c_chi = sum(d * d / q for d, q in zip(dq_sup, q_inf, strict=True))
    db = abs(b1 - b0)
    db2 = float(db * db)
    nj = len(g["junctions"])
    return {"A": a_up, "C_chi": c_chi, "N_J": nj, "bound_n1": (db2 / 2 * a_up + nj * db2 * c_chi) * (1 + 1e-12),
            "limit": db * integral / 2}


def glued_claims(ctx: Context) -> list[Claim]:
    th = GLUED_PATH_ENERGY
    k = th.key
    op = ctx.op
    wd = ctx.axiom_claim(f"{k}.well_defined", k, "well_defined", th.hypothesis("well_defined").statement)
    stmt = th.hypothesis("piecewise_family").statement
    b0, b1 = GLUED_BETA
    t_range = (1 / max(b0, b1), 1 / min(b0, b1))
    consts: tuple[DerivedConstant, ...] = ()
    if op.kind != "separable" or op.params:
        why = ("vector operators have no symbolic score" if op.kind != "separable"
               else "operators with free parameters: fix them first (op.fix(...))")
        hyp = Claim(f"{k}.piecewise_family", k, "hypothesis", "unknown", stmt, method="none", reason=why,
                    reason_kind="unsupported")
    else:
        res = budgeted(glued_forms, op.score, t_range, seconds=ctx.timeout, what="path families per interval between junctions")
        sym = budgeted(symbolic_path_pieces, op.score, seconds=ctx.timeout, what="symbolic path families per T-piece")
        if not res.ok or not res.value["ok"]:
            hyp = Claim(f"{k}.piecewise_family", k, "hypothesis", "unknown", stmt, method="sympy per interval",
                        reason=res.reason if not res.ok else res.value["reason"],
                        reason_kind=res.reason_kind if not res.ok else res.value.get("kind", "undecided"))
        else:
            g = res.value
            sym_all = sym.ok and sym.value and all(e["ok"] for e in sym.value)
            full = sym_all and g["all_junctions_continuous"]
            ref_scope = (f"reference teacher p = ({pstr(REFERENCE_P)}), β ∈ [{min(b0, b1)}, {max(b0, b1)}] "
                         f"(T ∈ [{t_range[0]}, {t_range[1]}])")
            scope = "full" if full else ref_scope
            cert = tuple(f"T ∈ [{f['t_range'][0]}, {f['t_range'][1]}]: {f['family']} family, θ(β) = {sp.sstr(f['theta'])}"
                         for f in g["subs"]) + tuple(g["checks"])
            if full:
                cert += ("every T-piece is a one-parameter family with θ ∈ C² on its whole β-range (symbolic_path_pieces) and q is "
                         "continuous at every junction, for every p: the hypothesis holds on every interval",)
            hyp = Claim(f"{k}.piecewise_family", k, "hypothesis", "proved", stmt, method="sympy per interval", scope=scope,
                        certificate=cert)
            try:
                nums = glued_numbers(g, REFERENCE_P, b0, b1)
            except (Undecided, ZeroDivisionError, ValueError) as exc:
                ctx.note(f"{op.name}: glued path numbers not enclosed ({exc})")
                nums = None
            if nums is not None:
                at = {"p": pstr(REFERENCE_P), "beta0": str(b0), "beta1": str(b1)}
                consts = (
                    DerivedConstant("n_sum_KL_limit_glued", th.constants[0].expr, "limit",
                                    "lim n·Σ_k KL = ½|Δβ|∫I across the junctions (grid uniform in β; value at the reference)",
                                    values=((at, dec(nums["limit"], 12)),)),
                    DerivedConstant("n_sum_KL_bound_glued", th.constants[1].expr, "upper_bound",
                                    f"n·Σ_k KL ≤ ½(Δβ)²A + N_J(Δβ)²C_χ/n for every n; at the reference A ≤ {nums['A']:.12g}, "
                                    f"C_χ ≤ {nums['C_chi']:.12g}, N_J = {nums['N_J']} (Arb upper ends); the value is its n = 1 maximum",
                                    values=((at, dec(mpmath.mpf(nums["bound_n1"]), 12)),)),
                )
    concl = Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem glued_path_energy",
                  scope=hyp.scope if hyp.status == "proved" else "full", depends_on=(wd.id, hyp.id), constants=consts)
    return [wd, hyp, concl]
