"""Multi-stage O(1/n) derivations along the temperature path (``docs/theory/multistage.md``).

For a separable operator and a teacher ``p``, the temperature path is ``γ(β) = F_{1/β}(p)`` with
log-score ``s(x, β) = log g(x, 1/β, V)`` and Fisher information ``I(β) = Var_{q_β}(∂_β s)``.
Instantiated at the reference teacher ``p = (7/10, 1/5, 1/10)`` and ``β: 1 → 1/4`` (``T: 1 → 4``):

* ``path_energy_limit`` — ``n·Σ_k KL(q_{β_{k−1}} ‖ q_{β_k}) → ½(Δβ)²·mean I`` (grid uniform in β),
  and the different limit on the grid uniform in ``T``;
* ``path_energy_bound`` — ``n·Σ_k KL ≤ ½(Δβ)²·sup I`` for **every** n, when the path is an
  exponential family with natural parameter β (a reparametrised form when it is ``θ(β)``);
  ``sup I`` is enclosed by Arb branch-and-bound over β;
* ``error_propagation`` (R2), ``homotopy_conditions`` and ``euler_continuation`` (R3), whose
  process hypotheses are *assumptions* (the conclusions are ``conditional``).

>>> from skd.operators import library
>>> from skd.verify.derivations import derive
>>> lo, hi = fisher_sup(library.power.score, (Fraction(1), Fraction(4)))
>>> round(lo, 6), round(hi, 6)
(0.670751, 0.670751)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp
from skd.operators.arith import ArbArith, MpArith, Undecided
from skd.operators.evaluate import eval_expr, log_score
from skd.operators.symbols import T, V, x
from skd.theory.multistage import (
    BETA0,
    BETA1,
    D01,
    DTHETA_SUP,
    ELL_2,
    ELL_F,
    ERROR_PROPAGATION,
    EULER_CONTINUATION,
    FISHER,
    HOMOTOPY_CONDITIONS,
    I_MEAN,
    I_SUP,
    J_SUP,
    N_KL_BOUND,
    N_KL_BOUND_REPARAM,
    N_KL_LIMIT,
    N_KL_LIMIT_T_GRID,
    PATH_ENERGY_BOUND,
    PATH_ENERGY_LIMIT,
)
from skd.theory.theorems import symbol

from ..regions import Unsupported, t_pieces
from .claims import Claim, Context, DerivedConstant, budgeted

__all__ = [
    "LIPSCHITZ_CLAIM",
    "REFERENCE_BETA",
    "REFERENCE_P",
    "derive",
    "fisher_sup",
    "kl_path_sum",
    "path_forms",
    "sup_enclosure",
]

#: The reference teacher and beta-interval (theory-notes §6 item 10).
REFERENCE_P = (Fraction(7, 10), Fraction(1, 5), Fraction(1, 10))
REFERENCE_BETA = (Fraction(1), Fraction(1, 4))
#: The sensitivity topic's claim that F_T is Lipschitz on Δ_ε (R2 depends on it).
LIPSCHITZ_CLAIM = "lipschitz_eps.conclusion"
ASSUMPTION_REASON = "an assumption about the training process, not checkable for an operator"

beta = symbol("beta")
_DPS = 30
_PREC = 128


# -- symbolic part (run in a budgeted worker) ----------------------------------------------------


def path_forms(score: sp.Expr, t_range: tuple[Fraction, Fraction]) -> dict[str, Any]:
    """The log-score along the path in ``β = 1/T`` on the T-piece covering ``t_range``.

    Returns ``{"ok": True, "label", "s", "ds", "d2s", "theta", "u", "end_checks"}`` (``theta`` and
    ``u`` are ``None`` unless ``s = θ(β)·u(x) + w(β)`` is recognised), or ``{"ok": False,
    "reason"}`` when ``t_range`` crosses a piece boundary or an end formula disagrees.

    >>> from skd.operators.symbols import x, T
    >>> f = path_forms(x ** (1 / T), (Fraction(1), Fraction(4)))
    >>> f["s"], f["theta"], f["u"]
    (beta*log(x), beta, log(x))
    """
    t_lo, t_hi = (sp.Rational(v.numerator, v.denominator) for v in t_range)
    try:
        pieces = t_pieces(score)
    except Unsupported as exc:
        return {"ok": False, "reason": f"piece decomposition: {exc}", "kind": "unsupported"}
    chosen = None
    for pc in pieces:
        if pc.point:
            continue
        lo = sp.Integer(0) if pc.lo is None else pc.lo
        hi = sp.oo if pc.hi is None else pc.hi
        if bool(lo <= t_lo) and bool(t_hi <= hi):
            chosen = pc
            break
    if chosen is None or chosen.expr is None:
        inside = [str(pc.lo) for pc in pieces if pc.point and bool(t_lo < pc.lo) and bool(pc.lo < t_hi)]
        return {"ok": False, "kind": "undecided",
                "reason": f"the T-range [{t_lo}, {t_hi}] crosses the piece boundary T = {', '.join(inside) or '?'}; "
                          "the path is not one C² formula there (piecewise paths are not handled)"}
    end_checks = []
    for end in (t_lo, t_hi):
        if (chosen.lo is not None and end == chosen.lo) or (chosen.hi is not None and end == chosen.hi):
            point = next(pc for pc in pieces if pc.point and pc.lo == end)
            diff = sp.simplify(log_score(point.expr).subs(T, end) - log_score(chosen.expr).subs(T, end)) if point.expr is not None else None
            if diff is None or diff.has(x) or not (diff.is_zero or diff.free_symbols <= {V}):
                return {"ok": False, "kind": "undecided",
                        "reason": f"at the closed end T = {end} the score is {point.expr}, which is not the formula of "
                                  f"{chosen.label} up to a factor free of x"}
            end_checks.append(f"at T = {end}: log g = log of the formula of {chosen.label} + ({sp.sstr(diff)}), "
                              "a term free of x (cancels in F)")
    s = sp.expand_log(log_score(chosen.expr).subs(T, 1 / beta), force=False)
    ds = sp.simplify(sp.diff(s, beta))
    d2s = sp.simplify(sp.diff(ds, beta))
    theta = u = None
    sx = sp.diff(s, x)
    b_s = 1 / chosen.sample()
    ref = sx.subs(beta, b_s)
    if ref != 0:
        k = sp.simplify(sx / ref)
        if x not in k.free_symbols and k.is_finite is not False:
            u_try = sp.simplify(s.subs(beta, b_s))
            if sp.simplify(sp.diff(s - k * u_try, x)) == 0:
                theta, u = k, u_try
    return {"ok": True, "label": chosen.label, "s": s, "ds": ds, "d2s": d2s, "theta": theta, "u": u,
            "dtheta": sp.simplify(sp.diff(theta, beta)) if theta is not None else None, "end_checks": end_checks}


# -- rigorous numerics (Arb) ---------------------------------------------------------------------


def _ball(lo: Fraction, hi: Fraction) -> Any:
    import flint

    a = flint.arb(flint.fmpq(lo.numerator, lo.denominator))
    b = flint.arb(flint.fmpq(hi.numerator, hi.denominator))
    return a.union(b)


def sup_enclosure(f: Callable[[Any], Any], lo: Fraction, hi: Fraction, *, rel_tol: float = 1e-9,
                  max_boxes: int = 4000) -> tuple[float, float]:
    """Rigorous ``[lower, upper]`` enclosure of ``sup_{β∈[lo,hi]} f(β)`` by Arb branch and bound.

    ``f`` maps an Arb ball (an interval of β) to a ball enclosing ``f`` on it. ``lower`` is a
    certified value ``f(β)`` at a point; ``upper`` bounds ``f`` on every box of the final cover.
    Raises :class:`~skd.operators.arith.Undecided` when ``f`` is unbounded on a box.

    >>> lo, hi = sup_enclosure(lambda b: 1 - (2 * b - 1) ** 2, Fraction(0), Fraction(1))
    >>> lo <= 1 <= hi and hi - lo < 1e-8
    True
    """
    import flint

    flint.ctx.prec = _PREC

    def upper(ball: Any) -> float:
        try:
            v = f(ball)
        except (Undecided, ZeroDivisionError, ValueError):
            return math.inf  # not enclosed on this box: refine it
        return _float_up(v) if v.is_finite() else math.inf

    def point_lower(t: Fraction) -> float:
        v = f(_ball(t, t))
        if not v.is_finite():
            raise Undecided(f"not finite at {t}")
        return _float_down(v)

    boxes = [(lo, hi, upper(_ball(lo, hi)))]
    best = max(point_lower(lo), point_lower(hi))
    count = 1
    while True:
        boxes.sort(key=lambda b: -b[2])
        top = boxes[0][2]
        if top - best <= rel_tol * max(abs(best), 1e-30) or count >= max_boxes:
            if top == math.inf:
                raise Undecided(f"no finite enclosure of the function near β = {float(boxes[0][0]):.6g} after {count} boxes")
            return best, top
        a, b, _ = boxes.pop(0)
        mid = (a + b) / 2
        best = max(best, point_lower(mid))
        for c, d in ((a, mid), (mid, b)):
            ub = upper(_ball(c, d))
            count += 1
            if ub >= best:
                boxes.append((c, d, ub))
        boxes = [bx for bx in boxes if bx[2] >= best]


def _float_up(v: Any) -> float:
    """A float >= every point of the Arb ball ``v``."""
    import flint

    u = v.upper()
    f = float(u)
    if flint.arb(f) < u:
        f = math.nextafter(f, math.inf)
    return f


def _float_down(v: Any) -> float:
    """A float <= every point of the Arb ball ``v``."""
    import flint

    lo = v.lower()
    f = float(lo)
    if flint.arb(f) > lo:
        f = math.nextafter(f, -math.inf)
    return f


def _var_and_slope(s_vals: Sequence[Any], d_vals: Sequence[Any], a_vals: Sequence[Any], da_vals: Sequence[Any]) -> tuple[Any, Any]:
    """``G = Var_q(A)`` and ``dG/dβ = 2 Cov_q(A, ∂A) + E_q[(A − E A)²(D − E D)]`` with ``q ∝ exp(s)``, ``D = ∂_β s``."""
    w = [(si - s_vals[0]).exp() for si in s_vals]
    z = sum(w[1:], w[0])
    q = [wi / z for wi in w]

    def mean(vals: Sequence[Any]) -> Any:
        return sum((qi * vi for qi, vi in zip(q[1:], vals[1:])), q[0] * vals[0])

    ma, md, mda = mean(a_vals), mean(d_vals), mean(da_vals)
    ca = [a - ma for a in a_vals]
    var = mean([c * c for c in ca])
    slope = 2 * mean([c * (e - mda) for c, e in zip(ca, da_vals)]) + mean([c * c * (d - md) for c, d in zip(ca, d_vals)])
    return var, slope


def _arb_variance(s: sp.Expr, ds: sp.Expr, a: sp.Expr, da: sp.Expr, p: Sequence[Fraction]) -> Callable[[Any], Any]:
    """Ball enclosure of ``β ↦ Var_{q_β}(a)`` on a β-ball, ``q_β ∝ exp(s(p_i, β))``, in mean-value form.

    On a ball ``B`` with midpoint ``c``: ``G(B) ⊂ G(c) + G'(B)·(B − c)``, intersected with the naive
    enclosure (second-order overestimation, so branch and bound converges quickly).
    """
    ar = ArbArith(_PREC)
    xs = [ar.num(pi) for pi in p]
    vv = ar.num(len(p))

    def parts(b: Any) -> tuple[Any, Any]:
        env = [{x: xi, beta: b, V: vv} for xi in xs]
        return _var_and_slope([eval_expr(s, e, ar) for e in env], [eval_expr(ds, e, ar) for e in env],
                              [eval_expr(a, e, ar) for e in env], [eval_expr(da, e, ar) for e in env])

    def f(b: Any) -> Any:
        import flint

        if b.rad() == 0:
            return parts(b)[0]
        naive, slope = parts(b)
        c = flint.arb(b.mid())
        centre = parts(c)[0]
        mv = centre + slope * (b - c)
        try:
            return mv.intersection(naive)
        except ValueError:  # disjoint cannot happen for true enclosures; keep the rigorous naive one
            return naive

    return f


def fisher_sup(score: sp.Expr, t_range: tuple[Fraction, Fraction], p: Sequence[Fraction] = REFERENCE_P) -> tuple[float, float]:
    """Enclosure ``[lo, hi]`` of ``sup I(β)`` over ``1/β ∈ t_range`` for the path of ``score`` at ``p``.

    >>> from skd.operators.symbols import x, T
    >>> lo, hi = fisher_sup(x ** (1 / T), (Fraction(1), Fraction(4)))
    >>> round(lo, 6), hi - lo < 1e-6
    (0.670751, True)
    """
    forms = path_forms(score, t_range)
    if not forms["ok"]:
        raise Unsupported(forms["reason"])
    return sup_enclosure(_arb_variance(forms["s"], forms["ds"], forms["ds"], forms["d2s"], p), 1 / t_range[1], 1 / t_range[0])


def _arb_finite_cover(exprs: Sequence[sp.Expr], p: Sequence[Fraction], lo: Fraction, hi: Fraction, boxes: int = 16) -> str | None:
    """``None`` if every expr is finite (Arb) on a cover of [lo, hi] by ``boxes`` boxes at every p_i; else why not."""
    ar = ArbArith(_PREC)
    xs = [ar.num(pi) for pi in p]
    step = (hi - lo) / boxes
    for k in range(boxes):
        b = _ball(lo + k * step, lo + (k + 1) * step)
        for e in exprs:
            for xi in xs:
                try:
                    v = eval_expr(e, {x: xi, beta: b, V: ar.num(len(p))}, ar)
                except (Undecided, ZeroDivisionError, ValueError) as exc:
                    return f"{sp.sstr(e)} is not enclosed on β ∈ [{lo + k * step}, {lo + (k + 1) * step}]: {exc}"
                if not v.is_finite():
                    return f"{sp.sstr(e)} is unbounded on β ∈ [{lo + k * step}, {lo + (k + 1) * step}]"
    return None


# -- 30-digit reference numbers ------------------------------------------------------------------


def _mpf(v: Any) -> Any:
    if isinstance(v, Fraction):
        return mpmath.mpf(v.numerator) / v.denominator
    return mpmath.mpf(v)


def _mp_q_and_d(s: sp.Expr, d: sp.Expr, p: Sequence[Fraction], b: Any) -> tuple[list[Any], list[Any]]:
    ar = MpArith(_DPS)
    env = {beta: _mpf(b), V: mpmath.mpf(len(p))}
    sv = [eval_expr(s, {**env, x: ar.num(pi)}, ar) for pi in p]
    dv = [eval_expr(d, {**env, x: ar.num(pi)}, ar) for pi in p]
    top = max(sv)
    w = [mpmath.exp(si - top) for si in sv]
    z = mpmath.fsum(w)
    return [wi / z for wi in w], dv


def _fisher_mp(s: sp.Expr, d: sp.Expr, p: Sequence[Fraction], b: Any) -> Any:
    q, dv = _mp_q_and_d(s, d, p, b)
    m = mpmath.fsum(qi * di for qi, di in zip(q, dv))
    return mpmath.fsum(qi * (di - m) ** 2 for qi, di in zip(q, dv))


def kl_path_sum(s: sp.Expr, p: Sequence[Fraction], grid: Sequence[Any]) -> Any:
    """``Σ_k KL(q_{grid[k−1]} ‖ q_{grid[k]})`` along the path of the log-score ``s(x, β)`` (30 digits).

    >>> from skd.operators.symbols import x
    >>> g = [1 - mpmath.mpf(3) / 4 * k / 4 for k in range(5)]
    >>> mpmath.nstr(4 * kl_path_sum(beta * sp.log(x), REFERENCE_P, g), 5)
    '0.16865'
    """
    with mpmath.workdps(_DPS):
        qs = [_mp_q_and_d(s, s, p, b)[0] for b in grid]
        return mpmath.fsum(mpmath.fsum(a * mpmath.log(a / c) for a, c in zip(qa, qb)) for qa, qb in itertools.pairwise(qs))


def _reference_numbers(forms: dict[str, Any], p: Sequence[Fraction], b0: Fraction, b1: Fraction) -> dict[str, Any]:
    s, ds = forms["s"], forms["ds"]
    with mpmath.workdps(_DPS):
        lo, hi = _mpf(min(b0, b1)), _mpf(max(b0, b1))
        i_int = mpmath.quad(lambda b: _fisher_mp(s, ds, p, b), [lo, hi])
        it_int = mpmath.quad(lambda b: _fisher_mp(s, ds, p, b) * b**2, [lo, hi])
        fisher_len = mpmath.quad(lambda b: mpmath.sqrt(_fisher_mp(s, ds, p, b)), [lo, hi])

        def speed_l2(b: Any) -> Any:
            q, dv = _mp_q_and_d(s, ds, p, b)
            m = mpmath.fsum(qi * di for qi, di in zip(q, dv))
            return mpmath.sqrt(mpmath.fsum((qi * (di - m)) ** 2 for qi, di in zip(q, dv)))

        l2_len = mpmath.quad(speed_l2, [lo, hi])
        qa, _ = _mp_q_and_d(s, s, p, b0)
        qb, _ = _mp_q_and_d(s, s, p, b1)
        d01 = mpmath.sqrt(mpmath.fsum((a - c) ** 2 for a, c in zip(qa, qb)))
        db = abs(_mpf(b1) - _mpf(b0))
        dt = abs(1 / _mpf(b1) - 1 / _mpf(b0))
        return {"limit": db * i_int / 2, "limit_T": dt * it_int / 2, "I_mean": i_int / db, "IT_mean": it_int / dt,
                "fisher_len": fisher_len, "l2_len": l2_len, "d01": d01}


# -- claims ----------------------------------------------------------------------------------------


def _pstr(p: Sequence[Fraction]) -> str:
    return ",".join(str(v) for v in p)


def _at(extra: dict[str, str] | None = None) -> dict[str, str]:
    at = {"p": _pstr(REFERENCE_P), "beta0": str(REFERENCE_BETA[0]), "beta1": str(REFERENCE_BETA[1])}
    return {**at, **(extra or {})}


def _dec(v: Any, digits: int = 15) -> str:
    return mpmath.nstr(v, digits)


def _enclosure(lo: float, hi: float, scale: Fraction = Fraction(1)) -> str:
    """``[mid +/- rad]`` text of a ball containing ``scale·[lo, hi]`` (``scale > 0``; mid printed exactly by repr)."""
    a, b = Fraction(lo) * scale, Fraction(hi) * scale
    mid = float((a + b) / 2)
    rad = float(max(abs(Fraction(mid) - a), abs(b - Fraction(mid))))
    rad = float(f"{rad * 1.01 + 1e-300:.3g}")
    return f"[{mid!r} +/- {rad:.3g}]"


def _assumption(cid: str, thm: str, statement: str) -> Claim:
    return Claim(cid, thm, "assumption", "unknown", statement, method="stated, not checked",
                 reason=ASSUMPTION_REASON, reason_kind="unsupported")


def _operator_independent(ctx: Context) -> list[Claim]:
    claims: list[Claim] = []
    # R2: error propagation
    th = ERROR_PROPAGATION
    k = th.key
    claims += [_assumption(f"{k}.contraction", k, th.hypothesis("contraction").statement),
               _assumption(f"{k}.stage_error", k, th.hypothesis("stage_error").statement)]
    consts = tuple(DerivedConstant(c.name, c.expr, c.kind, c.meaning + _R2_NOTE.get(c.name, "")) for c in th.constants)
    claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem error_propagation",
                        depends_on=(f"{k}.contraction", f"{k}.stage_error", LIPSCHITZ_CLAIM), constants=consts))
    # R3: Euler continuation
    th = EULER_CONTINUATION
    k = th.key
    claims += [_assumption(f"{k}.vector_field_lipschitz", k, th.hypothesis("vector_field_lipschitz").statement),
               _assumption(f"{k}.second_derivative_bounded", k, th.hypothesis("second_derivative_bounded").statement)]
    c0 = th.constants[0]
    e = mpmath.e
    claims.append(Claim(
        f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem euler_continuation",
        depends_on=(f"{k}.vector_field_lipschitz", f"{k}.second_derivative_bounded"),
        constants=(DerivedConstant(c0.name, c0.expr, c0.kind, c0.meaning,
                                   values=(({"L_Phi": "1", "M_2": "E", "n": "1"}, _dec(e / 2 * (e - 1))),)),
                   DerivedConstant("n_error_limit_exp", sp.E / 2, "limit",
                                   "example θ' = θ, θ(0) = 1: n·(e − θ_n) → e/2 (a limit, below the bound (e/2)(e − 1))",
                                   values=(({"example": "theta' = theta"}, _dec(e / 2)),)))))
    return claims


_R2_NOTE = {
    "e_n_bound": "; T enters through ρ ≥ Lip(F_T) (1/(2T) in logit space, up to 1/(2Tε) on Δ_ε), sparsity s through c ∝ s², "
                 "samples m through ε_m = O(d_eff/m)",
    "n_star": "; labelled as the bound's minimiser, not a property of every process (integer optimum: floor or ceiling)",
}


def _unsupported_path_claims(ctx: Context, why: str, kind: str) -> list[Claim]:
    claims: list[Claim] = []
    unk = {"status": "unknown", "reason": why, "reason_kind": kind, "method": "none"}
    for th in (PATH_ENERGY_LIMIT, PATH_ENERGY_BOUND):
        k = th.key
        wd = ctx.axiom_claim(f"{k}.well_defined", k, "well_defined", th.hypothesis("well_defined").statement)
        hyps = [wd, Claim(f"{k}.path_c2", k, "hypothesis", statement=th.hypothesis("path_c2").statement, **unk)]
        if th is PATH_ENERGY_BOUND:
            hyps.append(Claim(f"{k}.exponential_family", k, "hypothesis", statement=th.hypothesis("exponential_family").statement, **unk))
        claims += hyps
        claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, depends_on=tuple(h.id for h in hyps)))
    k = HOMOTOPY_CONDITIONS.key
    claims.append(_assumption(f"{k}.basin_radius", k, HOMOTOPY_CONDITIONS.hypothesis("basin_radius").statement))
    claims.append(Claim(f"{k}.path_lipschitz", k, "hypothesis", statement=_PATH_LIP_STATEMENT, **unk))
    claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", HOMOTOPY_CONDITIONS.conclusion,
                        depends_on=(f"{k}.basin_radius", f"{k}.path_lipschitz"),
                        constants=(_n_sufficient(),)))
    return claims


_PATH_LIP_STATEMENT = (r"the temperature path $t\mapsto F_{1/(\beta_0+t(\beta_1-\beta_0))}(p)$ at the reference teacher is "
                       r"$L_\gamma$-Lipschitz in $\ell_1$ (hence $\ell_2$) with $L_\gamma \le |\beta_1-\beta_0|\sqrt{\sup I}$")


def _n_sufficient() -> DerivedConstant:
    c = HOMOTOPY_CONDITIONS.constants[0]
    return DerivedConstant(c.name, c.expr, c.kind, c.meaning)


def derive(ctx: Context) -> list[Claim]:
    """The claims of the multistage topic for ``ctx.op`` (see the module docstring)."""
    op = ctx.op
    if op.kind != "separable" or op.params:
        why = ("vector operators have no symbolic score; the temperature-path theorems are derived for separable operators only"
               if op.kind != "separable" else "operators with free parameters: fix them first (op.fix(...))")
        return _unsupported_path_claims(ctx, why, "unsupported") + _operator_independent(ctx)
    b0, b1 = REFERENCE_BETA
    b_lo, b_hi = min(b0, b1), max(b0, b1)
    t_range = (1 / b_hi, 1 / b_lo)
    res = budgeted(path_forms, op.score, t_range, seconds=ctx.timeout, what="log-score along the temperature path")
    if not res.ok:
        return _unsupported_path_claims(ctx, res.reason or "", res.reason_kind or "undecided") + _operator_independent(ctx)
    forms = res.value
    if not forms["ok"]:
        return _unsupported_path_claims(ctx, forms["reason"], forms["kind"]) + _operator_independent(ctx)
    ctx.note(f"{op.name}: multistage numerics on {forms['label']}")
    scope = f"reference teacher p = ({_pstr(REFERENCE_P)}), β ∈ [{b_lo}, {b_hi}] (T ∈ [{t_range[0]}, {t_range[1]}], {forms['label']})"
    claims: list[Claim] = []

    # path C² at the reference: Arb-finite s, ∂s, ∂²s on a cover of the closed interval
    bad = _arb_finite_cover([forms["s"], forms["ds"], forms["d2s"]], REFERENCE_P, b_lo, b_hi)
    c2_stmt = PATH_ENERGY_LIMIT.hypothesis("path_c2").statement
    if bad is None:
        c2 = {"status": "proved", "method": "one T-piece + Arb enclosures", "scope": scope,
                  "certificate": ((f"[{t_range[0]}, {t_range[1]}] lies in the closure of {forms['label']}; the path is the formula "
                               f"s(x, β) = {sp.sstr(forms['s'])} there"), *forms["end_checks"],
                               f"∂_β s = {sp.sstr(forms['ds'])}, ∂²_β s = {sp.sstr(forms['d2s'])}",
                               (f"s, ∂_β s, ∂²_β s are elementary and enclosed by finite Arb balls on 16 closed boxes covering "
                               f"[{b_lo}, {b_hi}] at every p_i, so s is C² in β there"))}
    else:
        c2 = {"status": "unknown", "method": "Arb enclosures", "scope": scope, "reason": bad, "reason_kind": "undecided"}

    # Arb sup of I and, for exponential families, of Var(u) and |θ'|
    i_sup = j_sup = dth_sup = None
    i_sup_reason = ""
    if bad is None:
        try:
            i_sup = sup_enclosure(_arb_variance(forms["s"], forms["ds"], forms["ds"], forms["d2s"], REFERENCE_P), b_lo, b_hi)
        except (Undecided, ZeroDivisionError, ValueError) as exc:
            i_sup_reason = f"Arb branch and bound for sup I failed: {exc}"
        if forms["theta"] is not None:
            try:
                j_sup = sup_enclosure(_arb_variance(forms["s"], forms["ds"], forms["u"], sp.Integer(0), REFERENCE_P), b_lo, b_hi)
                ar = ArbArith(_PREC)
                dth = forms["dtheta"]
                dth_sup = sup_enclosure(lambda b: abs(eval_expr(dth, {beta: b, V: ar.num(len(REFERENCE_P))}, ar)), b_lo, b_hi)
            except (Undecided, ZeroDivisionError, ValueError) as exc:
                i_sup_reason = f"Arb branch and bound for sup Var(u) or sup |θ'| failed: {exc}"
    nums = _reference_numbers(forms, REFERENCE_P, b0, b1)

    # theorem 1: the limit
    th = PATH_ENERGY_LIMIT
    k = th.key
    wd = ctx.axiom_claim(f"{k}.well_defined", k, "well_defined", th.hypothesis("well_defined").statement)
    c2_claim = Claim(f"{k}.path_c2", k, "hypothesis", statement=c2_stmt, **c2)
    claims += [wd, c2_claim]
    fisher = FISHER
    lim_consts = (
        DerivedConstant("dbeta_s", forms["ds"], "exact", "β-derivative of the log-score along the path (β = 1/T); "
                        "the Fisher information is I(β) = Var_q(∂_β s)"),
        DerivedConstant("fisher_information", fisher, "exact", "I(β) = Var_{q_β}(∂_β s), q_β = F_{1/β}(p)"),
        DerivedConstant("n_sum_KL_limit", N_KL_LIMIT, "limit",
                        "lim_{n→∞} n·Σ_k KL(q_{β_{k−1}} || q_{β_k}) on the grid uniform in β; I_mean = β-average of I "
                        "(value: 30-digit mpmath quadrature, not an enclosure)",
                        values=((_at(), _dec(nums["limit"])),)),
        DerivedConstant("I_mean", I_MEAN, "exact", "β-average of I over the interval", values=((_at(), _dec(nums["I_mean"])),)),
        DerivedConstant("n_sum_KL_limit_T_grid", N_KL_LIMIT_T_GRID, "limit",
                        "lim n·Σ_k KL on the grid uniform in T (a different constant); IT_mean = T-average of I(1/T)/T⁴",
                        values=((_at(), _dec(nums["limit_T"])),)),
    )
    claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem path_energy_limit",
                        scope=scope, depends_on=(wd.id, c2_claim.id), constants=lim_consts))

    # theorem 2: the bound for every n
    th = PATH_ENERGY_BOUND
    k = th.key
    wd2 = ctx.axiom_claim(f"{k}.well_defined", k, "well_defined", th.hypothesis("well_defined").statement)
    c2b = Claim(f"{k}.path_c2", k, "hypothesis", statement=c2_stmt, **c2)
    ef_stmt = th.hypothesis("exponential_family").statement
    affine = forms["theta"] is not None and forms["dtheta"].free_symbols.isdisjoint({beta})
    if forms["theta"] is None:
        ef = Claim(f"{k}.exponential_family", k, "hypothesis", "unknown", ef_stmt, method="sympy: ∂_x s / ∂_x s(β*)",
                   scope=scope, reason="s(x, β) is not recognised as θ(β)·u(x) + w(β) (the ratio ∂_x s(x, β)/∂_x s(x, β*) "
                   "depends on x); no every-n bound is proved for paths outside exponential families", reason_kind="undecided")
    elif j_sup is None or dth_sup is None:
        ef = Claim(f"{k}.exponential_family", k, "hypothesis", "unknown", ef_stmt, method="Arb", scope=scope,
                   reason=i_sup_reason or "path not C²", reason_kind="undecided")
    else:
        ef = Claim(f"{k}.exponential_family", k, "hypothesis", "proved", ef_stmt, method="sympy: s − θ(β)·u(x) free of x",
                   scope=scope,
                   certificate=((f"θ(β) = {sp.sstr(forms['theta'])}, u(x) = {sp.sstr(forms['u'])}: "
                                "simplify(∂_x(s − θ u)) = 0, so w = s − θ u depends on β (and V) only and cancels in F"),
                                ("q_β is the exponential family ∝ exp(θ u(p_i)); KL(q_a || q_b) = ψ(θ_b) − ψ(θ_a) − (θ_b − θ_a)ψ'(θ_a) "
                                "= ½ ψ''(ξ)(θ_b − θ_a)² with ψ = log Σ exp(θ u_i), ψ'' = Var(u) (Lagrange remainder)"),
                                (f"sup over β ∈ [{b_lo}, {b_hi}] of Var_q(u) ∈ [{j_sup[0]:.12g}, {j_sup[1]:.12g}], "
                                f"of |θ'| ∈ [{dth_sup[0]:.12g}, {dth_sup[1]:.12g}] (Arb branch and bound)")))
    claims += [wd2, c2b, ef]
    bconsts: list[DerivedConstant] = []
    db2 = (b1 - b0) ** 2 / 2
    if j_sup is not None and dth_sup is not None:
        if affine and i_sup is not None:
            bconsts.append(DerivedConstant("n_sum_KL_bound", N_KL_BOUND, "upper_bound",
                                           "n·Σ_k KL ≤ ½(Δβ)²·sup I for EVERY n (grid uniform in β; θ affine in β so I = θ'²·Var(u))",
                                           enclosure=_enclosure(i_sup[0], i_sup[1], db2),
                                           values=((_at(), _dec(mpmath.mpf(i_sup[1]) * db2.numerator / db2.denominator, 12)),)))
            bconsts.append(DerivedConstant("I_sup", I_SUP, "sharp", "sup of I(β) over the interval (Arb enclosure; the value shown is its upper end)",
                                           enclosure=_enclosure(*i_sup), values=((_at(), _dec(mpmath.mpf(i_sup[1]), 12)),)))
        top = mpmath.mpf(j_sup[1]) * mpmath.mpf(dth_sup[1]) ** 2 * db2.numerator / db2.denominator
        bconsts.append(DerivedConstant("n_sum_KL_bound_reparam", N_KL_BOUND_REPARAM, "upper_bound",
                                       "n·Σ_k KL ≤ ½(Δβ)²·sup Var(u)·sup θ'² for EVERY n (grid uniform in β); "
                                       f"θ = {sp.sstr(forms['theta'])}",
                                       values=((_at(), _dec(top * (1 + mpmath.mpf(10) ** -12), 12)),)))
        bconsts.append(DerivedConstant("J_sup", J_SUP, "sharp", "sup of Var_{q_β}(u) over the interval (Arb enclosure)",
                                       enclosure=_enclosure(*j_sup)))
        bconsts.append(DerivedConstant("dtheta_sup", DTHETA_SUP, "sharp", "sup of |θ'(β)| over the interval (Arb enclosure)",
                                       enclosure=_enclosure(*dth_sup)))
    claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem path_energy_bound",
                        scope=scope, depends_on=(wd2.id, c2b.id, ef.id), constants=tuple(bconsts)))

    # theorem 4: homotopy conditions on the temperature path
    th = HOMOTOPY_CONDITIONS
    k = th.key
    basin = _assumption(f"{k}.basin_radius", k, th.hypothesis("basin_radius").statement)
    if i_sup is not None:
        lip = Claim(f"{k}.path_lipschitz", k, "hypothesis", "proved", _PATH_LIP_STATEMENT, method="Cauchy–Schwarz + Arb",
                    scope=scope, certificate=(("∂_β q_i = q_i(∂_β s_i − E_q ∂_β s), so ‖∂_β q‖₂ ≤ ‖∂_β q‖₁ = E_q|∂_β s − E_q ∂_β s| "
                                              "≤ √Var_q(∂_β s) = √I(β) (Cauchy–Schwarz)"),
                                              (f"with t ↦ β = β0 + t(β1 − β0): L_γ ≤ |β1 − β0|·√sup I, sup I ∈ "
                                              f"[{i_sup[0]:.12g}, {i_sup[1]:.12g}] (Arb branch and bound)")))
    else:
        lip = Claim(f"{k}.path_lipschitz", k, "hypothesis", "unknown", _PATH_LIP_STATEMENT, method="Arb", scope=scope,
                    reason=i_sup_reason or c2.get("reason") or "sup I not enclosed", reason_kind="undecided")
    hconsts = [_n_sufficient(),
               DerivedConstant("d_one_shot_l2", D01, "exact",
                               "ℓ2 distance ‖γ(β1) − γ(β0)‖₂: one-shot succeeds if it is < r", values=((_at(), _dec(nums["d01"])),)),
               DerivedConstant("path_length_l2", ELL_2, "exact", "ℓ2 length of the temperature path",
                               values=((_at(), _dec(nums["l2_len"])),)),
               DerivedConstant("path_length_fisher", ELL_F, "exact",
                               "Fisher length ∫ √I(β) dβ of the temperature path", values=((_at(), _dec(nums["fisher_len"])),))]
    if i_sup is not None:
        lg = abs(b1 - b0)
        hconsts.append(DerivedConstant("L_gamma_bound", abs(BETA1 - BETA0) * sp.sqrt(I_SUP), "upper_bound",
                                       "Lipschitz constant of t ↦ γ(t) in ℓ1 and ℓ2 (stage distances ≤ L_γ/n)",
                                       values=((_at(), _dec(mpmath.sqrt(mpmath.mpf(i_sup[1])) * lg.numerator / lg.denominator
                                                            * (1 + mpmath.mpf(10) ** -12), 12)),)))
    claims += [basin, lip, Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem homotopy_conditions",
                                 scope=scope, depends_on=(basin.id, lip.id), constants=tuple(hconsts))]
    return claims + _operator_independent(ctx)
