"""Multi-stage O(1/n) derivations along the temperature path (``docs/theory/multistage.md``).

For a separable operator and a teacher ``p``, the temperature path is ``γ(β) = F_{1/β}(p)`` with
log-score ``s(x, β) = log g(x, 1/β, V)`` and Fisher information ``I(β) = Var_{q_β}(∂_β s)``.
Instantiated at the reference teacher ``p = (7/10, 1/5, 1/10)`` and ``β: 1 → 1/4`` (``T: 1 → 4``):

* ``path_energy_limit`` — ``n·Σ_k KL(q_{β_{k−1}} ‖ q_{β_k}) → ½(Δβ)²·mean I`` (grid uniform in β),
  and the different limit on the grid uniform in ``T``;
* ``path_energy_bound`` — ``n·Σ_k KL ≤ ½(Δβ)²·sup J·sup θ'²`` for **every** n, when the path is a
  one-parameter exponential family (``s = θ(β)u(x) + w(β)``) or mixture family (``g ∝ x + c(β)``);
  ``½(Δβ)²·sup I`` when θ is affine in β. ``sup`` by Arb branch-and-bound over β. Without the
  affine hypothesis the sup-I form is false in general: :func:`sup_i_counterexample` certifies it
  (power_T2, laplace). Both statements hold for every teacher and every interval inside one T-piece
  (:func:`symbolic_path_pieces`); the constants are values at the reference;
* ``exact_projection_chain`` — exact forward-KL stages onto affine log-linear classes end at the
  one-shot student (power-type scores), checked by :func:`projection_chain_gap`;
* ``pruning_path_energy`` and ``stage_statistical_error`` — the O(1/n) energy of the log-linear pruning path
  and one least-squares stage's statistical error, with ``a(T)`` (power-type pieces), the sparsity and ``m``
  explicit, confirmed by :func:`_explicit_rate_checks` with the NumPy kernel;
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
    A_T,
    BETA0,
    BETA1,
    D01,
    DTHETA_SUP,
    ELL_2,
    ELL_F,
    ERROR_PROPAGATION,
    EULER_CONTINUATION,
    EXACT_PROJECTION_CHAIN,
    FISHER,
    GLUED_PATH_ENERGY,
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
    PRUNING_PATH_ENERGY,
    STAGE_STATISTICAL_ERROR,
)
from skd.theory.multistage import LAMBDA_X as LAMBDA_XS
from skd.theory.multistage import N_W as N_KL_W
from skd.theory.multistage import R_P as R_PS
from skd.theory.multistage import W_S as W_SS
from skd.theory.theorems import symbol

from ..regions import Unsupported, t_pieces, x_pieces
from ..reproduce import format_fraction, fraction_code, list_code, snippet
from .claims import Claim, Context, DerivedConstant, budgeted

__all__ = [
    "LIPSCHITZ_CLAIM",
    "REFERENCE_BETA",
    "REFERENCE_P",
    "crosscheck",
    "derive",
    "fisher_sup",
    "kl_path_sum",
    "power_type_pieces",
    "symbolic_path_pieces",
    "projection_chain_gap",
    "path_forms",
    "sup_enclosure",
    "sup_i_counterexample",
    "SUP_I_CANDIDATES",
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


_NON_SMOOTH = (sp.Heaviside, sp.DiracDelta, sp.sign, sp.Abs, sp.floor, sp.ceiling, sp.Min, sp.Max, sp.Piecewise)


def x_smooth(expr: sp.Expr) -> bool:
    """``True`` when the score ``expr`` (one T-piece) is one formula in ``x`` on (0, 1): no piece boundary in ``x``
    (:func:`~skd.verify.regions.x_pieces`) and no step-like atom in ``x`` left (Heaviside, sign, Abs, floor, …,
    whose derivative a symbolic ``diff`` would drop or mistake).

    >>> x_smooth(x ** (1 / T)), x_smooth(x ** (1 / T) * (1 + sp.Heaviside(x - sp.Rational(1, 2))))
    (True, False)
    """
    try:
        xs = x_pieces(expr)
    except Unsupported:
        return False
    if len(xs) != 1 or xs[0].point or xs[0].expr is None:
        return False
    return not any(a.has(x) for a in xs[0].expr.atoms(*_NON_SMOOTH))


def _finite_free_of_x(diff: sp.Expr | None) -> bool:
    """A closed-end difference of log-scores that is a finite term free of ``x`` (``nan``/``zoo`` from a 0/0 are not)."""
    if diff is None or diff.has(x) or diff.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return False
    return bool(diff.is_zero) or (diff.free_symbols <= {V} and diff.is_finite is not False)


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
            if diff is not None and (diff.has(sp.nan, sp.zoo) or diff.is_finite is False):
                # the piece's formula is 0/0 (or infinite) at its end: its limit there decides continuity; not handled
                return {"ok": False, "kind": "undecided",
                        "reason": f"at the closed end T = {end} the formula of {chosen.label} is not defined ({sp.sstr(diff)} "
                                  "in the log-score difference): continuity of the path there is not decided"}
            if not _finite_free_of_x(diff):
                return {"ok": False, "kind": "undecided",
                        "reason": f"at the closed end T = {end} the score is {point.expr}, which is not the formula of "
                                  f"{chosen.label} up to a factor free of x"}
            end_checks.append(f"at T = {end}: log g = log of the formula of {chosen.label} + ({sp.sstr(diff)}), "
                              "a term free of x (cancels in F)")
    if not x_smooth(chosen.expr):
        return {"ok": False, "kind": "undecided",
                "reason": f"on {chosen.label} the score is not one smooth formula in x on (0, 1) (a piece boundary or a step "
                          "in x): the path-family analysis does not apply"}
    s = sp.expand_log(log_score(chosen.expr).subs(T, 1 / beta), force=False)
    ds = sp.simplify(sp.diff(s, beta))
    d2s = sp.simplify(sp.diff(ds, beta))
    theta = u = a = da = family = None
    sx = sp.diff(s, x)
    b_s = 1 / chosen.sample()
    ref = sx.subs(beta, b_s)
    if ref != 0:
        k = sp.simplify(sx / ref)
        if x not in k.free_symbols and k.is_finite is not False:
            u_try = sp.simplify(s.subs(beta, b_s))
            if sp.simplify(sp.diff(s - k * u_try, x)) == 0:
                coeff, rest = k.as_coeff_Mul()  # move a numeric factor into u (θ = β/2, u = 2 log x → θ = β, u = log x)
                if coeff != 0 and rest.has(beta):
                    k, u_try = rest, sp.simplify(coeff * u_try)
                theta, u, family = k, u_try, "exponential"
                a, da = u_try, sp.Integer(0)  # ∂_θ s = u(x)
    if family is None and sx != 0:
        # mixture family: g ∝ x + c(β) (a factor free of x cancels), i.e. 1/∂_x s = x + c(β); with Σ p_i = 1,
        # q_i = (p_i + c)/(1 + Vc) = θ p_i + (1 − θ)/V, θ = 1/(1 + Vc)
        cb = sp.simplify(1 / sx - x)
        if x not in cb.free_symbols and cb.is_finite is not False:
            theta = sp.simplify(1 / (1 + V * cb))
            family = "mixture"
            a = (x - 1 / V) / (theta * x + (1 - theta) / V)  # ∂_θ log q_i; E_q a = Σ(p_i − 1/V) = 0
            da = sp.simplify(sp.diff(a, beta))
    return {"ok": True, "label": chosen.label, "s": s, "ds": ds, "d2s": d2s, "theta": theta, "u": u, "family": family,
            "a": a, "da": da,
            "dtheta": sp.simplify(sp.diff(theta, beta)) if theta is not None else None, "end_checks": end_checks}


def symbolic_path_pieces(score: sp.Expr) -> list[dict[str, Any]]:
    """Per non-point T-piece: is the path a one-parameter family with θ ∈ C² on the piece's β-range?

    Each entry: ``{"label", "ok", "family", "theta", "why"}``. ``ok`` means, for **every** teacher in the
    open simplex and **every** compact β-interval whose T-range lies in the closure of the piece: the
    end formulas agree at the piece's finite ends (as in :func:`path_forms`), ``s`` is recognised as an
    exponential family ``θ(β)u(x) + w(β)`` (``u`` continuous on (0, 1)) or a mixture family
    ``log(x + c(β)) + w(β)``, and ``θ, θ', θ''`` are continuous on the piece's β-range (SymPy
    ``continuous_domain``). Then ``q_β`` is C² in β there, whatever p is.

    >>> from skd.operators import library
    >>> [(e["label"], e["ok"], e["family"]) for e in symbolic_path_pieces(library.hybrid.score)]
    [('T in (0, 1)', True, 'exponential'), ('T in (1, oo)', True, 'mixture')]
    """
    from sympy.calculus.util import continuous_domain

    out = []
    for pc in t_pieces(score):
        if pc.point or pc.expr is None:
            continue
        lo = sp.Integer(0) if pc.lo is None else pc.lo
        hi = None if pc.hi is None else pc.hi
        t_a = lo if lo > 0 else (hi / 2 if hi is not None else sp.Rational(1, 2))
        t_b = hi if hi is not None else lo + 2
        forms = path_forms(score, (Fraction(str(t_a)), Fraction(str(t_b))))
        entry: dict[str, Any] = {"label": pc.label, "ok": False, "family": None, "theta": None, "why": ""}
        if not forms["ok"] or forms["label"] != pc.label:
            entry["why"] = forms.get("reason", "another piece was chosen")
            out.append(entry)
            continue
        entry["family"], entry["theta"] = forms.get("family"), forms.get("theta")
        if forms.get("family") is None:
            entry["why"] = "not recognised as an exponential or a mixture family"
            out.append(entry)
            continue
        b_lo = sp.Integer(0) if hi is None else 1 / hi
        dom = (sp.Interval(b_lo, 1 / lo, left_open=(hi is None), right_open=False) if lo > 0
               else sp.Interval(b_lo, sp.oo, left_open=(hi is None), right_open=True))
        theta = forms["theta"]
        derivs = [theta, sp.diff(theta, beta), sp.diff(theta, beta, 2)]
        bad = [d for d in derivs if continuous_domain(d, beta, dom) != dom]
        if forms["family"] == "exponential":
            unit = sp.Interval.open(0, 1)
            if continuous_domain(forms["u"], x, unit) != unit:
                bad.append(forms["u"])
        if bad:
            entry["why"] = f"{sp.sstr(bad[0])} is not continuous on β ∈ {dom}"
        else:
            entry["ok"] = True
            entry["beta_range"] = str(dom)
            entry["end_checks"] = forms["end_checks"]
        out.append(entry)
    return out


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


def _arb_abs_mean_value(expr: sp.Expr, ar: Any, size: int) -> Callable[[Any], Any]:
    """Ball enclosure of ``β ↦ |expr(β)|`` in mean-value form ``f(c) + f'(B)(B − c)`` ∩ naive (tight boxes)."""
    dexpr = sp.diff(expr, beta)

    def f(b: Any) -> Any:
        import flint

        env = {V: ar.num(size)}
        naive = eval_expr(expr, {**env, beta: b}, ar)
        if b.rad() == 0:
            return abs(naive)
        c = flint.arb(b.mid())
        mv = eval_expr(expr, {**env, beta: c}, ar) + eval_expr(dexpr, {**env, beta: b}, ar) * (b - c)
        try:
            return abs(mv.intersection(naive))
        except ValueError:
            return abs(naive)

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


#: Candidates (p, β0, β1) for a certified counterexample to the sup-I form of the every-n bound when the
#: natural parameter θ(β) is not affine (theory-notes §5.8): tried in order, first certified wins.
SUP_I_CANDIDATES = (
    ((Fraction(1, 2), Fraction(499, 1000), Fraction(1, 1000)), Fraction(1, 4), Fraction(3, 2)),
    ((Fraction(1, 2), Fraction(499, 1000), Fraction(1, 1000)), Fraction(1, 4), Fraction(1)),
)


def _arb_q(s: sp.Expr, p: Sequence[Fraction], b: Fraction) -> list[Any]:
    """Arb balls of ``q_β ∝ exp(s(p_i, β))`` at the exact point ``β = b``."""
    ar = ArbArith(_PREC)
    env = {beta: _ball(b, b), V: ar.num(len(p))}
    sv = [eval_expr(s, {**env, x: ar.num(pi)}, ar) for pi in p]
    w = [(si - sv[0]).exp() for si in sv]
    z = sum(w[1:], w[0])
    return [wi / z for wi in w]


def sup_i_counterexample(op: Any, candidates: Sequence[tuple[Sequence[Fraction], Fraction, Fraction]] = SUP_I_CANDIDATES
                         ) -> dict[str, Any] | None:
    """A certified ``n = 1`` counterexample to ``Σ KL ≤ ½(β1 − β0)² sup I / n``, or ``None``.

    For each candidate ``(p, β0, β1)`` on which the path is one C² formula: ``KL(q_a ‖ q_b)`` (both
    directions) is enclosed in Arb and compared with the upper end of the Arb enclosure of
    ``½(β1 − β0)² sup_{[β0, β1]} I``; the counterexample is certified when the balls are disjoint.
    """
    import flint

    flint.ctx.prec = _PREC
    for p, lo, hi in candidates:
        forms = path_forms(op.score, (1 / hi, 1 / lo))
        if not forms["ok"]:  # one formula on [β0, β1]; sup I below is an Arb enclosure, so no C² check is needed
            continue
        try:
            i_lo, i_hi = sup_enclosure(_arb_variance(forms["s"], forms["ds"], forms["ds"], forms["d2s"], p), lo, hi)
            qa, qb = _arb_q(forms["s"], p, lo), _arb_q(forms["s"], p, hi)
        except (Undecided, ZeroDivisionError, ValueError):
            continue
        half = (hi - lo) ** 2 / 2
        rhs = flint.arb(flint.fmpq(half.numerator, half.denominator)) * flint.arb(i_hi)
        for a, b, qx, qy in ((lo, hi, qa, qb), (hi, lo, qb, qa)):
            kl = sum((u * (u / v).log() for u, v in zip(qx[1:], qy[1:])), qx[0] * (qx[0] / qy[0]).log())
            if kl > rhs:
                body = (f"p = {list_code(p)}; qa = evaluate_mp(op, p, {fraction_code(1 / a)}); qb = evaluate_mp(op, p, "
                        f"{fraction_code(1 / b)}); print(mpmath.fsum(u * mpmath.log(u / v) for u, v in zip(qa, qb)), "
                        f"{fraction_code(half)} * fisher_sup(op.score, ({fraction_code(1 / hi)}, {fraction_code(1 / lo)}), p)[1])")
                return {
                    "statement": (f"n = 1, β: {a} → {b} (T: {format_fraction(1 / a)} → {format_fraction(1 / b)}) at p = ({_pstr(p)}): "
                                  f"KL(q_{{β0}} ‖ q_{{β1}}) = {kl.str(6, radius=False)} > ½(Δβ)² sup I = {rhs.str(6, radius=False)} "
                                  f"(sup I ∈ [{i_lo:.6g}, {i_hi:.6g}] on β ∈ [{lo}, {hi}])"),
                    "reproduce": snippet(op, {}, body, extra_imports="import mpmath; from skd.verify.derivations.multistage "
                                                                     "import fisher_sup"),
                    "certified_by": "arb", "p": _pstr(p), "T": format_fraction(1 / a), "T2": format_fraction(1 / b),
                    "lhs": {"ball": kl.str(20, radius=True), "decimal": kl.str(12, radius=False)},
                    "rhs": {"ball": rhs.str(20, radius=True), "decimal": rhs.str(12, radius=False)},
                }
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


#: Printed upper bounds are inflated by this factor first, so that rounding to 12 significant
#: digits (relative error <= 5e-12) never prints a value below the bound.
_UP = 1 + mpmath.mpf(10) ** -11


def _dec(v: Any, digits: int = 15) -> str:
    return mpmath.nstr(v, digits)


def _enclosure(lo: float, hi: float, scale: Fraction = Fraction(1)) -> str:
    """``[mid +/- rad]`` text of a ball containing ``scale·[lo, hi]`` (``scale > 0``; mid printed exactly by repr)."""
    a, b = Fraction(lo) * scale, Fraction(hi) * scale
    mid = float((a + b) / 2)
    rad = float(max(abs(Fraction(mid) - a), abs(b - Fraction(mid))))
    rad = float(f"{rad * 1.01 + 1e-300:.3g}")
    return f"[{mid!r} +/- {rad:.3g}]"


def _sups_text(b_lo: Fraction, b_hi: Fraction, what: str, j_sup: Any, dth_sup: Any) -> str:
    if j_sup is None or dth_sup is None:
        return f"sup J and sup |θ'| over β ∈ [{b_lo}, {b_hi}] at the reference were not enclosed: no constants are stated"
    return (f"at the reference, sup over β ∈ [{b_lo}, {b_hi}] of J = {what} ∈ [{j_sup[0]:.12g}, {j_sup[1]:.12g}], "
            f"of |θ'| ∈ [{dth_sup[0]:.12g}, {dth_sup[1]:.12g}] (Arb branch and bound)")


def _assumption(cid: str, thm: str, statement: str) -> Claim:
    return Claim(cid, thm, "assumption", "unknown", statement, method="stated, not checked",
                 reason=ASSUMPTION_REASON, reason_kind="unsupported")


def _operator_independent(ctx: Context) -> list[Claim]:
    power_type = _power_type_result(ctx)
    claims: list[Claim] = (_glued_claims(ctx) + _projection_chain_claims(ctx, power_type)
                           + _explicit_rate_claims(ctx, power_type))
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


#: The glued reference interval: β: 2 → 1/2 (T: 1/2 → 2), across T = 1.
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
    points = [pc.lo for pc in pieces if pc.point]
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
    ar = ArbArith(_PREC)
    xs = [ar.num(pi) for pi in p]
    vv = ar.num(len(p))

    def f(b: Any) -> Any:
        env = [{x: xi, beta: b, V: vv} for xi in xs]
        sv = [eval_expr(s, e, ar) for e in env]
        dv = [eval_expr(ds, e, ar) for e in env]
        w = [(v - sv[0]).exp() for v in sv]
        z = sum(w[1:], w[0])
        q = [wi / z for wi in w]
        md = sum((qi * di for qi, di in zip(q[1:], dv[1:])), q[0] * dv[0])
        return abs(q[i] * (dv[i] - md))

    return f


def _arb_neg_q(s: sp.Expr, p: Sequence[Fraction], i: int) -> Callable[[Any], Any]:
    """Ball enclosure of ``β ↦ −q_{β,i}`` (its sup is ``−inf q_i``)."""
    ar = ArbArith(_PREC)
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
        j_hi = sup_enclosure(_arb_variance(f["s"], f["ds"], f["a"], f["da"], p), lo_b, hi_b)[1]
        th_hi = sup_enclosure(_arb_abs_mean_value(f["dtheta"], ArbArith(_PREC), len(p)), lo_b, hi_b)[1]
        a_up = max(a_up, j_hi * th_hi * th_hi)
        for i in range(len(p)):
            dq_sup[i] = max(dq_sup[i], sup_enclosure(_arb_dq_abs(f["s"], f["ds"], p, i), lo_b, hi_b, rel_tol=1e-6)[1])
            q_inf[i] = min(q_inf[i], -sup_enclosure(_arb_neg_q(f["s"], p, i), lo_b, hi_b, rel_tol=1e-6)[1])
        with mpmath.workdps(_DPS):
            integral += mpmath.quad(lambda b, f=f: _fisher_mp(f["s"], f["ds"], p, b), [_mpf(lo_b), _mpf(hi_b)])
    if min(q_inf) <= 0:
        raise Undecided("inf q_i not enclosed away from 0")
    c_chi = sum(d * d / q for d, q in zip(dq_sup, q_inf))
    db = abs(b1 - b0)
    db2 = float(db * db)
    nj = len(g["junctions"])
    return {"A": a_up, "C_chi": c_chi, "N_J": nj, "bound_n1": (db2 / 2 * a_up + nj * db2 * c_chi) * (1 + 1e-12),
            "limit": db * integral / 2}


def _glued_claims(ctx: Context) -> list[Claim]:
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
            ref_scope = f"reference teacher p = ({_pstr(REFERENCE_P)}), β ∈ [{min(b0, b1)}, {max(b0, b1)}] (T ∈ [{t_range[0]}, {t_range[1]}])"
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
                at = {"p": _pstr(REFERENCE_P), "beta0": str(b0), "beta1": str(b1)}
                consts = (
                    DerivedConstant("n_sum_KL_limit_glued", th.constants[0].expr, "limit",
                                    "lim n·Σ_k KL = ½|Δβ|∫I across the junctions (grid uniform in β; value at the reference)",
                                    values=((at, _dec(nums["limit"], 12)),)),
                    DerivedConstant("n_sum_KL_bound_glued", th.constants[1].expr, "upper_bound",
                                    f"n·Σ_k KL ≤ ½(Δβ)²A + N_J(Δβ)²C_χ/n for every n; at the reference A ≤ {nums['A']:.12g}, "
                                    f"C_χ ≤ {nums['C_chi']:.12g}, N_J = {nums['N_J']} (Arb upper ends); the value is its n = 1 maximum",
                                    values=((at, _dec(mpmath.mpf(nums["bound_n1"]), 12)),)),
                )
    concl = Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem glued_path_energy",
                  scope=hyp.scope if hyp.status == "proved" else "full", depends_on=(wd.id, hyp.id), constants=consts)
    return [wd, hyp, concl]


def _projection_chain_claims(ctx: Context, res: Any) -> list[Claim]:
    th = EXACT_PROJECTION_CHAIN
    k = th.key
    assumption = _assumption(f"{k}.affine_loglinear_classes", k, th.hypothesis("affine_loglinear_classes").statement)
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
        assumption = _assumption(f"{k}.{setting}", k, th.hypothesis(setting).statement)
        hyp, a_expr = _softening_loglinear(ctx, f"{k}.softening_loglinear", k, th.hypothesis("softening_loglinear").statement,
                                             res)
        consts = tuple(DerivedConstant(c.name, c.expr.subs(A_T, a_expr), c.kind, c.meaning) for c in th.constants) \
            if a_expr is not None else ()
        claims += [assumption, hyp, Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method=f"theorem {k}",
                                          depends_on=(assumption.id, hyp.id), constants=consts)]
    return claims


def _exact_fraction(v: Any) -> Fraction:
    man, exp = mpmath.mpf(v).man_exp
    return Fraction(int(man)) * Fraction(2) ** int(exp)


def projection_chain_gap(op: Any, t: Fraction, n: int, seed: int = 0, *, dps: int = 50, iters: int = 170) -> tuple[Any, Any]:
    """``(gap, move)``: max |chain end − one-shot student| after ``n`` exact stages, and how far the
    offsets moved the one-shot student from the teacher's class (so a zero gap is not trivial).

    Independent of the theorem's argument: each stage *minimises* ``Σ_x KL(F_T(target) ‖ F_T(g_θ))``
    over θ by golden section (``dps`` digits), with ``F_T`` from :func:`evaluate_mp`. Classes:
    ``g_θ(y|x) ∝ exp(θ·x·1[y = 0] + b_k(x, y))``, three inputs ``x``, ``V = 3``, offsets ``b_k``
    drawn per stage (seeded); the one-shot fit uses the last stage's offsets.
    """
    from skd.operators import evaluate_mp

    rng = __import__("random").Random(seed)
    xs = [Fraction(1), Fraction(-1, 2), Fraction(2)]
    with mpmath.workdps(dps):
        def dist(vals: Sequence[Any]) -> list[Fraction]:
            top = max(vals)
            w = [mpmath.exp(v - top) for v in vals]
            z = mpmath.fsum(w)
            fr = [_exact_fraction(wi / z) for wi in w[:-1]]
            return fr + [1 - sum(fr)]

        def soft(p: Sequence[Fraction]) -> list[Any]:
            return [mpmath.mpf(v) for v in evaluate_mp(op, list(p), t, dps=dps)]

        def student(theta: Any, b: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
            return [dist([theta * _mpf(xv) * (1 if y == 0 else 0) + _mpf(b[j][y]) for y in range(3)]) for j, xv in enumerate(xs)]

        def fit(targets: Sequence[Sequence[Fraction]], b: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
            tq = [soft(tg) for tg in targets]

            def obj(theta: Any) -> Any:
                return mpmath.fsum(mpmath.fsum(a * mpmath.log(a / c) for a, c in zip(tqj, soft(gj)))
                                   for tqj, gj in zip(tq, student(theta, b)))

            lo, hi = mpmath.mpf(-30), mpmath.mpf(30)
            g = (mpmath.sqrt(5) - 1) / 2
            c1, c2 = hi - g * (hi - lo), lo + g * (hi - lo)
            f1, f2 = obj(c1), obj(c2)
            for _ in range(iters):
                if f1 <= f2:
                    hi, c2, f2 = c2, c1, f1
                    c1 = hi - g * (hi - lo)
                    f1 = obj(c1)
                else:
                    lo, c1, f1 = c1, c2, f2
                    c2 = lo + g * (hi - lo)
                    f2 = obj(c2)
            return student((lo + hi) / 2, b)

        teacher = [[Fraction(6, 10), Fraction(3, 10), Fraction(1, 10)], [Fraction(1, 5), Fraction(1, 2), Fraction(3, 10)],
                   [Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)]]
        offsets = [[[Fraction(rng.randint(-10, 10), 10) for _ in range(3)] for _ in xs] for _ in range(n)]
        cur = teacher
        for b in offsets:
            cur = fit(cur, b)
        one = fit(teacher, offsets[-1])
        gap = max(abs(_mpf(a) - _mpf(c)) for ra, rc in zip(cur, one) for a, c in zip(ra, rc))
        move = max(abs(_mpf(a) - _mpf(c)) for ra, rc in zip(one, teacher) for a, c in zip(ra, rc))
        return gap, move


def _unsupported_path_claims(ctx: Context, why: str, kind: str) -> list[Claim]:
    claims: list[Claim] = []
    unk = {"status": "unknown", "reason": why, "reason_kind": kind, "method": "none"}
    for th in (PATH_ENERGY_LIMIT, PATH_ENERGY_BOUND):
        k = th.key
        wd = ctx.axiom_claim(f"{k}.well_defined", k, "well_defined", th.hypothesis("well_defined").statement)
        hyps = [wd, Claim(f"{k}.path_c2", k, "hypothesis", statement=th.hypothesis("path_c2").statement, **unk)]
        if th is PATH_ENERGY_BOUND:
            hyps.append(Claim(f"{k}.one_parameter_family", k, "hypothesis", statement=th.hypothesis("one_parameter_family").statement, **unk))
        claims += hyps
        claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, depends_on=tuple(h.id for h in hyps)))
    k = HOMOTOPY_CONDITIONS.key
    claims.append(_assumption(f"{k}.basin_radius", k, HOMOTOPY_CONDITIONS.hypothesis("basin_radius").statement))
    claims.append(Claim(f"{k}.path_lipschitz", k, "hypothesis", statement=_PATH_LIP_STATEMENT, **unk))
    claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", HOMOTOPY_CONDITIONS.conclusion,
                        depends_on=(f"{k}.basin_radius", f"{k}.path_lipschitz"),
                        constants=(_n_sufficient(),)))
    return claims


_PATH_LIP_STATEMENT = (r"the temperature path $t\mapsto F_{1/(\beta_0+t(\beta_1-\beta_0))}(p)$ is "
                       r"$L_\gamma$-Lipschitz in $\ell_1$ (hence $\ell_2$) with $L_\gamma \le |\beta_1-\beta_0|\sqrt{\sup I}$, "
                       r"$\sup I$ over $[\beta_0,\beta_1]$ (finite where the path is $C^2$)")


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

    # symbolic: on which pieces is the path a one-parameter family with θ ∈ C², for every p and interval?
    sym = budgeted(symbolic_path_pieces, op.score, seconds=ctx.timeout, what="symbolic path families per T-piece")
    sym_ok = [e for e in sym.value if e["ok"]] if sym.ok else []
    sym_here = next((e for e in sym_ok if e["label"] == forms["label"]), None)
    n_pieces = len(sym.value) if sym.ok else 0
    if sym_here is not None:
        sym_scope = ("full" if n_pieces == 1 and len(sym_ok) == 1 else
                     "every p in the open simplex and every [β0, β1] whose T-range lies in the closure of one of: "
                     + "; ".join(f"{e['label']} ({e['family']} family, θ = {sp.sstr(e['theta'])})" for e in sym_ok))
        sym_cert = tuple(f"{e['label']}: {e['family']} family with θ(β) = {sp.sstr(e['theta'])}; θ, θ', θ'' continuous on "
                         f"β ∈ {e['beta_range']} (sympy continuous_domain), so q_β is C² in β for every p in the open simplex"
                         + (" (" + "; ".join(e["end_checks"]) + ")" if e["end_checks"] else "") for e in sym_ok)
    path_scope = sym_scope if sym_here is not None else scope

    # path C² at the reference: Arb-finite s, ∂s, ∂²s on a cover of the closed interval
    bad = _arb_finite_cover([forms["s"], forms["ds"], forms["d2s"]], REFERENCE_P, b_lo, b_hi)
    c2_stmt = PATH_ENERGY_LIMIT.hypothesis("path_c2").statement
    if sym_here is not None:
        c2 = {"status": "proved", "method": "one-parameter family per T-piece (sympy) + Arb enclosures at the reference",
              "scope": sym_scope, "certificate": (*sym_cert,
              (f"reference check: s, ∂_β s, ∂²_β s enclosed by finite Arb balls on 16 closed boxes covering [{b_lo}, {b_hi}] at "
               f"p = ({_pstr(REFERENCE_P)})" + ("" if bad is None else f" FAILED ({bad}); the symbolic argument stands")))}
    elif bad is None:
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
                j_sup = sup_enclosure(_arb_variance(forms["s"], forms["ds"], forms["a"], forms["da"], REFERENCE_P), b_lo, b_hi)
                ar = ArbArith(_PREC)
                dth = forms["dtheta"]
                dth_sup = sup_enclosure(_arb_abs_mean_value(dth, ar, len(REFERENCE_P)), b_lo, b_hi)
            except (Undecided, ZeroDivisionError, ValueError) as exc:
                i_sup_reason = f"Arb branch and bound for sup J or sup |θ'| failed: {exc}"
    try:
        nums = _reference_numbers(forms, REFERENCE_P, b0, b1)
    except (ZeroDivisionError, ValueError, ArithmeticError, TypeError) as exc:
        # a formula mpmath cannot evaluate on the interval (e.g. 0/0 at an end): an honest unknown, never a crash
        why = f"the path's reference numbers could not be evaluated on [{b_lo}, {b_hi}]: {type(exc).__name__}: {exc}"
        return _unsupported_path_claims(ctx, why, "undecided") + _operator_independent(ctx)

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
                        scope=c2["scope"], depends_on=(wd.id, c2_claim.id), constants=lim_consts))

    # theorem 2: the bound for every n
    th = PATH_ENERGY_BOUND
    k = th.key
    wd2 = ctx.axiom_claim(f"{k}.well_defined", k, "well_defined", th.hypothesis("well_defined").statement)
    c2b = Claim(f"{k}.path_c2", k, "hypothesis", statement=c2_stmt, **c2)
    ef_stmt = th.hypothesis("one_parameter_family").statement
    affine = forms["theta"] is not None and forms["dtheta"].free_symbols.isdisjoint({beta})
    fam = forms.get("family")
    if forms["theta"] is None:
        ef = Claim(f"{k}.one_parameter_family", k, "hypothesis", "unknown", ef_stmt, method="sympy: ∂_x s / ∂_x s(β*), 1/∂_x s − x",
                   scope=scope, reason="s(x, β) is recognised neither as θ(β)·u(x) + w(β) (the ratio ∂_x s(x, β)/∂_x s(x, β*) "
                   "depends on x) nor as log(x + c(β)) + w(β) (1/∂_x s − x depends on x); no every-n bound is proved for "
                   "other paths", reason_kind="undecided")
    elif (j_sup is None or dth_sup is None) and sym_here is None:
        ef = Claim(f"{k}.one_parameter_family", k, "hypothesis", "unknown", ef_stmt, method="Arb", scope=scope,
                   reason=i_sup_reason or "path not C²", reason_kind="undecided")
    elif fam == "exponential":
        ef = Claim(f"{k}.one_parameter_family", k, "hypothesis", "proved", ef_stmt, method="sympy: s − θ(β)·u(x) free of x",
                   scope=path_scope,
                   certificate=((f"exponential family: θ(β) = {sp.sstr(forms['theta'])}, u(x) = {sp.sstr(forms['u'])}: "
                                "simplify(∂_x(s − θ u)) = 0, so w = s − θ u depends on β (and V) only and cancels in F"),
                                ("q_β is the exponential family ∝ exp(θ u(p_i)); KL(q_a || q_b) = ψ(θ_b) − ψ(θ_a) − (θ_b − θ_a)ψ'(θ_a) "
                                "= ½ ψ''(ξ)(θ_b − θ_a)² with ψ = log Σ exp(θ u_i), ψ'' = Var(u) = J (Lagrange remainder)"),
                                _sups_text(b_lo, b_hi, "Var_q(u)", j_sup, dth_sup)))
    else:
        ef = Claim(f"{k}.one_parameter_family", k, "hypothesis", "proved", ef_stmt, method="sympy: 1/∂_x s − x free of x",
                   scope=path_scope,
                   certificate=((f"mixture family: 1/∂_x s − x = c(β) is free of x, so g ∝ x + c(β) and, with Σ p_i = 1, "
                                f"q_β = θ p + (1 − θ) u, θ(β) = 1/(1 + V c(β)) = {sp.sstr(forms['theta'])}"),
                                ("K(a) = KL(q_a || q_b) expanded in its FIRST argument (θ): K(b) = 0, K'(a) = Σ(p_i − 1/V)(log q_{a,i} − "
                                "log q_{b,i}) vanishes at a = b, K''(a) = Σ(p_i − 1/V)²/q_{a,i} = J(a); so KL = ½ J(ξ)(θ_a − θ_b)² "
                                "(Lagrange remainder, ξ between θ_a and θ_b)"),
                                _sups_text(b_lo, b_hi, "Σ(p_i − 1/V)²/q_i", j_sup, dth_sup)))
    claims += [wd2, c2b, ef]
    if forms["theta"] is not None and not affine:
        # the sup-I form without the affine hypothesis (theory-notes §5.8): refuted when a candidate certifies
        sup_i_stmt = (r"(the general form, not a hypothesis of this theorem) for every path, interval and $n$: "
                      r"$\sum_k\mathrm{KL}(q_{\beta_{k-1}}\|q_{\beta_k}) \le \tfrac12(\beta_1-\beta_0)^2\sup_\beta I(\beta)/n$")
        got = budgeted(sup_i_counterexample, op, seconds=ctx.timeout, what="counterexample search for the sup-I form")
        if got.ok and got.value is not None:
            claims.append(Claim(f"{k}.sup_I_form", k, "hypothesis", "refuted", sup_i_stmt,
                                method=f"Arb: KL at n = 1 vs sup I (θ(β) = {sp.sstr(forms['theta'])} is not affine in β)",
                                counterexample=got.value))
        else:
            claims.append(Claim(f"{k}.sup_I_form", k, "hypothesis", "unknown", sup_i_stmt, method="Arb: KL at n = 1 vs sup I",
                                reason=got.reason if not got.ok else (
                                    f"θ(β) = {sp.sstr(forms['theta'])} is not affine in β, so the proof gives only the "
                                    "reparametrised form; no certified counterexample among the candidates"),
                                reason_kind=got.reason_kind if not got.ok else "undecided"))
    bconsts: list[DerivedConstant] = []
    db2 = (b1 - b0) ** 2 / 2
    if j_sup is not None and dth_sup is not None:
        if affine and i_sup is not None:
            bconsts.append(DerivedConstant("n_sum_KL_bound", N_KL_BOUND, "upper_bound",
                                           "n·Σ_k KL ≤ ½(Δβ)²·sup I for EVERY n (grid uniform in β; θ affine in β so I = θ'²·J)",
                                           enclosure=_enclosure(i_sup[0], i_sup[1], db2),
                                           values=((_at(), _dec(_UP * mpmath.mpf(i_sup[1]) * db2.numerator / db2.denominator, 12)),)))
            bconsts.append(DerivedConstant("I_sup", I_SUP, "sharp", "sup of I(β) over the interval (Arb enclosure; the value shown is its upper end)",
                                           enclosure=_enclosure(*i_sup), values=((_at(), _dec(_UP * mpmath.mpf(i_sup[1]), 12)),)))
        top = mpmath.mpf(j_sup[1]) * mpmath.mpf(dth_sup[1]) ** 2 * db2.numerator / db2.denominator
        bconsts.append(DerivedConstant("n_sum_KL_bound_reparam", N_KL_BOUND_REPARAM, "upper_bound",
                                       "n·Σ_k KL ≤ ½(Δβ)²·sup J·sup θ'² for EVERY n (grid uniform in β); "
                                       f"θ = {sp.sstr(forms['theta'])}",
                                       values=((_at(), _dec(_UP * top, 12)),)))
        bconsts.append(DerivedConstant("J_sup", J_SUP, "sharp", "sup over the interval of J(β), the Fisher information in θ (Var_{q_β}(u) for an exponential family, Σ(p_i − 1/V)²/q_{β,i} for a mixture family; Arb enclosure)",
                                       enclosure=_enclosure(*j_sup)))
        bconsts.append(DerivedConstant("dtheta_sup", DTHETA_SUP, "sharp", "sup of |θ'(β)| over the interval (Arb enclosure)",
                                       enclosure=_enclosure(*dth_sup)))
    claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem path_energy_bound",
                        scope=c2["scope"] if ef.scope == c2["scope"] else scope, depends_on=(wd2.id, c2b.id, ef.id),
                        constants=tuple(bconsts)))

    # theorem 4: homotopy conditions on the temperature path
    th = HOMOTOPY_CONDITIONS
    k = th.key
    basin = _assumption(f"{k}.basin_radius", k, th.hypothesis("basin_radius").statement)
    lip_cert = ("∂_β q_i = q_i(∂_β s_i − E_q ∂_β s), so ‖∂_β q‖₂ ≤ ‖∂_β q‖₁ = E_q|∂_β s − E_q ∂_β s| "
                "≤ √Var_q(∂_β s) = √I(β) (Cauchy–Schwarz); with t ↦ β = β0 + t(β1 − β0): L_γ ≤ |β1 − β0|·√sup I")
    if sym_here is not None:
        lip = Claim(f"{k}.path_lipschitz", k, "hypothesis", "proved", _PATH_LIP_STATEMENT, method="Cauchy–Schwarz + path_c2",
                    scope=sym_scope, certificate=(lip_cert, "I(β) is continuous on the compact interval because the path is C² there "
                                                  "(path_c2, symbolic on the piece), so sup I < ∞",
                                                  (f"at the reference: sup I ∈ [{i_sup[0]:.12g}, {i_sup[1]:.12g}] (Arb branch and bound)"
                                                   if i_sup is not None else "at the reference: sup I not enclosed (no value stated)")))
    elif i_sup is not None:
        lip = Claim(f"{k}.path_lipschitz", k, "hypothesis", "proved", _PATH_LIP_STATEMENT, method="Cauchy–Schwarz + Arb",
                    scope=scope, certificate=(lip_cert, f"at the reference: sup I ∈ [{i_sup[0]:.12g}, {i_sup[1]:.12g}] (Arb branch and bound)"))
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
                                 scope=lip.scope, depends_on=(basin.id, lip.id), constants=tuple(hconsts))]
    return claims + _operator_independent(ctx)


# -- cross-checks (skd crosscheck) ----------------------------------------------------------------

_XDPS = 40
#: Largest n of the every-n checks (path_energy_bound, L_gamma_bound).
_N_MAX = 64


class _Path:
    """``q_β = F_{1/β}(p)`` from :func:`evaluate_mp` (40 digits), cached by exact ``β``; never the derived log-score."""

    def __init__(self, op: Any, p: Sequence[Fraction] = REFERENCE_P) -> None:
        self.op, self.p, self.cache = op, list(p), {}

    def q(self, b: Fraction) -> list[Any]:
        if b not in self.cache:
            from skd.operators import evaluate_mp

            with mpmath.workdps(_XDPS):
                self.cache[b] = [mpmath.mpf(v) for v in evaluate_mp(self.op, self.p, 1 / b, dps=_XDPS)]
        return self.cache[b]

    def dq(self, b: Fraction, side: int = 0) -> list[Any]:
        """Central difference ``∂_β q`` (step ``β·10⁻¹²``; error ~1e-24 relative); ``side = ±1``: the
        one-sided second-order difference into ``β ± h`` (used at an interval end that is a piece
        boundary, where a central difference would straddle two formulas)."""
        h = b / 10**12
        if side:
            hs = h * side
            q0, q1, q2 = self.q(b), self.q(b + hs), self.q(b + 2 * hs)
            with mpmath.workdps(_XDPS):
                hm = _mpf(hs)
                return [(-3 * a + 4 * c - e) / (2 * hm) for a, c, e in zip(q0, q1, q2)]
        qp, qm = self.q(b + h), self.q(b - h)
        with mpmath.workdps(_XDPS):
            hm = _mpf(h)
            return [(a - c) / (2 * hm) for a, c in zip(qp, qm)]

    def fisher(self, b: Fraction, side: int = 0) -> Any:
        """``I(β) = Σ (∂_β q_i)² / q_i`` (the Fisher information of the path, from finite differences)."""
        q, dq = self.q(b), self.dq(b, side)
        with mpmath.workdps(_XDPS):
            return mpmath.fsum(d * d / qi for d, qi in zip(dq, q))


def _grid(b0: Fraction, b1: Fraction, n: int) -> list[Fraction]:
    return [b0 + (b1 - b0) * Fraction(k, n) for k in range(n + 1)]


def _kl(qa: Sequence[Any], qb: Sequence[Any]) -> Any:
    with mpmath.workdps(_XDPS):
        return mpmath.fsum(a * mpmath.log(a / c) for a, c in zip(qa, qb) if a > 0)


def _n_kl(path: _Path, pts: Sequence[Fraction]) -> Any:
    qs = [path.q(b) for b in pts]
    with mpmath.workdps(_XDPS):
        return (len(pts) - 1) * mpmath.fsum(_kl(a, c) for a, c in itertools.pairwise(qs))


def _richardson(f: Callable[[int], Any], n: int, levels: int) -> Any:
    """``levels`` Richardson steps for ``f(n) = L + a₁/n + a₂/n² + …`` from ``n, 2n, …, 2^levels·n``."""
    col = [f(n * 2**j) for j in range(levels + 1)]
    with mpmath.workdps(_XDPS):
        for k in range(1, levels + 1):
            col = [(2**k * b - a) / (2**k - 1) for a, b in itertools.pairwise(col)]
        return col[0]


def _stated(const: DerivedConstant) -> Any:
    return mpmath.mpf(const.values[0][1])


def _ball_of(text: str) -> tuple[Any, Any]:
    mid, rad = text.strip("[]").split("+/-")
    return mpmath.mpf(mid) - mpmath.mpf(rad), mpmath.mpf(mid) + mpmath.mpf(rad)


def _grid_max(f: Callable[[Fraction], Any], lo: Fraction, hi: Fraction, nodes: int = 60, iters: int = 40) -> Any:
    """``max f`` on ``[lo, hi]``: ``nodes + 1`` grid points (ends included), then golden section around the best node."""
    xs = [lo + (hi - lo) * Fraction(k, nodes) for k in range(nodes + 1)]
    vals = [f(v) for v in xs]
    i = max(range(len(xs)), key=lambda j: vals[j])
    a, b = xs[max(i - 1, 0)], xs[min(i + 1, nodes)]
    best = vals[i]
    g = Fraction(5**0.5 - 1) / 2  # a rational golden ratio: exact inputs for evaluate_mp
    g = g.limit_denominator(10**6)
    c1, c2 = b - g * (b - a), a + g * (b - a)
    f1, f2 = f(c1), f(c2)
    for _ in range(iters):
        if f1 >= f2:
            b, c2, f2 = c2, c1, f1
            c1 = (b - g * (b - a)).limit_denominator(10**30)
            f1 = f(c1)
        else:
            a, c1, f1 = c1, c2, f2
            c2 = (a + g * (b - a)).limit_denominator(10**30)
            f2 = f(c2)
    return max(best, f1, f2)


def crosscheck(d: Any, cases: int) -> list[Any]:
    """Path constants against direct KL sums and distances of :func:`evaluate_mp`; R2/R3 bounds against simulations.

    The path ``q_β = F_{1/β}(p)`` at the reference teacher is evaluated directly (40 digits), never
    through the derived log-score: limits by three-level Richardson extrapolation of ``n·ΣKL`` at
    ``n = 64, 128, 256, 512``; every-n bounds for ``n = 1..64`` on both path directions; suprema by a
    61-point grid plus golden section of finite-difference Fisher information. The operator-independent
    bounds (R2 error propagation, R3 Euler) are evaluated at ``cases`` Hypothesis draws of their
    parameters and compared with the worst-case recursion / the forward-Euler iterate.
    """
    from hypothesis import strategies as st

    from skd.theory.multistage import (
        L_EULER,
        M_EULER,
        L_gamma,
        c,
        e0,
        eps_m,
        kappa,
        n,
        r,
        rho,
    )

    from ..checks import Check, compare_values, draw
    from ..checks import gate as _gate
    from ..checks import in_interval as _in_interval
    from ..checks import one_sided as _one_sided
    from ..checks import skip as _skip
    from ..strategies import rational_distributions

    op = d.op
    out: list[Any] = []
    b0, b1 = REFERENCE_BETA
    b_lo, b_hi = min(b0, b1), max(b0, b1)
    path = _Path(op)
    at0 = _at()

    def const(cid: str, name: str) -> DerivedConstant | None:
        return next((k for k in d.claim(cid).constants if k.name == name), None)

    # -- path_energy_limit ------------------------------------------------------------------------
    cid = "path_energy_limit.conclusion"
    why = _gate(d, cid)
    if why:
        for name in ("n_sum_KL_limit", "I_mean", "n_sum_KL_limit_T_grid", "dbeta_s", "fisher_information"):
            out.append(_skip(f"{cid}:{name}", "direct n·ΣKL / finite differences of evaluate_mp", why))
    else:
        lim = _richardson(lambda m: _n_kl(path, _grid(b0, b1, m)), 64, 3)
        k_lim, k_mean, k_t = const(cid, "n_sum_KL_limit"), const(cid, "I_mean"), const(cid, "n_sum_KL_limit_T_grid")
        meth = "three-level Richardson of n·Σ_k KL(q_{k−1} ‖ q_k) (evaluate_mp, 40 digits) at n = 64, 128, 256, 512"
        dev, worst, m = compare_values([({**at0, "grid": "beta"}, float(_stated(k_lim)), float(lim))])
        out.append(Check(f"{cid}:n_sum_KL_limit", meth + ", grid uniform in β", m, dev, 1e-7, worst=worst))
        env = {BETA0: sp.Rational(b0.numerator, b0.denominator), BETA1: sp.Rational(b1.numerator, b1.denominator),
               I_MEAN: sp.Float(k_mean.values[0][1], 30)}
        via = float(sp.N(k_lim.expr.subs(env), 30))
        dev, worst, m = compare_values([({**at0, "I_mean": k_mean.values[0][1]}, via, float(lim))])
        out.append(Check(f"{cid}:I_mean", "½(β1 − β0)²·I_mean (the derived limit formula at the stated I_mean) vs " + meth,
                         m, dev, 1e-7, worst=worst))
        t0, t1 = 1 / b0, 1 / b1
        lim_t = _richardson(lambda m: _n_kl(path, [1 / t for t in _grid(t0, t1, m)]), 64, 3)
        dev, worst, m = compare_values([({**at0, "grid": "T"}, float(_stated(k_t)), float(lim_t))])
        out.append(Check(f"{cid}:n_sum_KL_limit_T_grid", meth + ", grid uniform in T", m, dev, 1e-7, worst=worst))

        ds_expr = const(cid, "dbeta_s").expr
        pts = draw(st.tuples(rational_distributions(max_size=6, max_denominator=200), st.integers(5, 995)), cases, seed=0)
        inputs = [(list(REFERENCE_P), b) for b in (Fraction(1, 2), Fraction(3, 4))]
        inputs += [(p, b_lo + (b_hi - b_lo) * Fraction(k, 1000)) for p, k in pts]
        rows, frows = [], []
        for p, b in inputs:
            pp = _Path(op, p)
            q, fd = pp.q(b), pp.dq(b)
            at = {"p": ",".join(map(str, p)), "beta": str(b)}
            with mpmath.workdps(_XDPS):
                ar = MpArith(_XDPS)
                try:
                    dv = [mpmath.mpf(eval_expr(ds_expr, {x: ar.num(pi), beta: ar.num(b), V: ar.num(len(p))}, ar)) for pi in p]
                except (Undecided, ZeroDivisionError, ValueError):
                    rows.append((at, math.nan, 0.0))
                    continue
                mean = mpmath.fsum(qi * di for qi, di in zip(q, dv))
                sym = [qi * (di - mean) for qi, di in zip(q, dv)]
                scale = max(max(abs(v) for v in fd), mpmath.mpf(10) ** -12)  # 40-digit FD resolves ~1e-27 absolute
                i = max(range(len(p)), key=lambda j: abs(sym[j] - fd[j]))
                rows.append((at, float(sym[i] / scale), float(fd[i] / scale)))
                var = mpmath.fsum(qi * (di - mean) ** 2 for qi, di in zip(q, dv))
                h = b / 10**6
                f1, f2, f3 = (2 * _kl(q, pp.q(b + hh)) / _mpf(hh) ** 2 for hh in (h, h / 2, h / 4))
                ext = (4 * (2 * f3 - f2) - (2 * f2 - f1)) / 3  # two Richardson levels: error O(h³)
                frows.append((at, float(var), float(ext)))
        dev, worst, m = compare_values(rows, relative=False)
        out.append(Check(f"{cid}:dbeta_s", "q_i(∂_β s_i − E_q ∂_β s) with the derived ∂_β s vs central difference of q_β = F_{1/β}(p) "
                         "in β (evaluate_mp, 40 digits; relative to max(max |∂_β q|, 1e-12))", m, dev, 1e-12, relative=False, worst=worst))
        dev, worst, m = compare_values(frows, floor=1e-12)
        out.append(Check(f"{cid}:fisher_information", "Var_q(∂_β s) vs two-level Richardson of 2·KL(q_β ‖ q_{β+h})/h² at h = β·1e-6, β·5e-7, β·2.5e-7 "
                         "(evaluate_mp, 40 digits; relative to max(I, 1e-12))", m, dev, 1e-9, worst=worst))

    # -- path_energy_bound ------------------------------------------------------------------------
    cid = "path_energy_bound.conclusion"
    why = _gate(d, cid)
    if why:
        for name in ("n_sum_KL_bound", "n_sum_KL_bound_reparam", "I_sup", "J_sup", "dtheta_sup"):
            out.append(_skip(f"{cid}:{name}", "direct n·ΣKL for n = 1..64 / dense-grid maximum", why))
    else:
        sums = {}
        for m in range(1, _N_MAX + 1):
            sums[m] = (_n_kl(path, _grid(b0, b1, m)), _n_kl(path, _grid(b1, b0, m)))
        for name in ("n_sum_KL_bound", "n_sum_KL_bound_reparam"):
            k = const(cid, name)
            if k is None:
                continue
            bound = _stated(k)
            if k.enclosure:
                bound = _ball_of(k.enclosure)[1]
            rows = [({"n": str(m), "direction": dirn}, bound, v) for m, pair in sums.items()
                    for dirn, v in zip((f"{b0}->{b1}", f"{b1}->{b0}"), pair)]
            dev, worst, cnt = _one_sided(rows)
            out.append(Check(f"{cid}:{name}", "n·Σ_k KL(q_{k−1} ‖ q_k) (evaluate_mp) for n = 1..64 on both path directions must not "
                             "exceed the bound; deviation max(0, value − bound)/bound", cnt, dev, 0.0, worst=worst))
        def fisher_in(b: Fraction) -> Any:  # differences taken inside [b_lo, b_hi] (the ends may be piece boundaries)
            return path.fisher(b, 1 if b == b_lo else -1 if b == b_hi else 0)

        i_grid = _grid_max(fisher_in, b_lo, b_hi)
        k = const(cid, "I_sup")
        if k is not None and k.enclosure:
            lo, hi = _ball_of(k.enclosure)
            dev, worst, cnt = _in_interval([(at0, lo, hi, i_grid)])
            out.append(Check(f"{cid}:I_sup", "max over β of I(β) = Σ (∂_β q_i)²/q_i (central differences of evaluate_mp; 61-point "
                             "grid + golden section) must lie in the Arb enclosure", cnt, dev, 1e-12, worst=worst))
        kj, kt = const(cid, "J_sup"), const(cid, "dtheta_sup")
        if kj is not None and kt is not None:
            t_range = (1 / b_hi, 1 / b_lo)
            forms = path_forms(op.score, t_range)
            theta = forms.get("theta")
            if theta is None:
                out.append(_skip(f"{cid}:J_sup", "dense-grid maximum", "θ(β) not recognised on re-analysis"))
            else:
                def dtheta(b: Fraction) -> Any:
                    h = b / 10**12
                    ar = MpArith(_XDPS)
                    with mpmath.workdps(_XDPS):
                        vals = [mpmath.mpf(eval_expr(theta, {beta: ar.num(b + s * h), V: ar.num(len(REFERENCE_P))}, ar))
                                for s in (1, -1)]
                        return (vals[0] - vals[1]) / (2 * _mpf(h))

                def var_u(b: Fraction) -> Any:
                    th = dtheta(b)
                    if forms.get("family") != "mixture" and abs(th) > mpmath.mpf(10) ** -30:
                        return fisher_in(b) / th**2
                    # J directly, q from evaluate_mp: Σ(p_i − 1/V)²/q_i for a mixture family (θ' may vanish,
                    # e.g. laplace at β = 1, where I/θ'² is 0/0); Var_q(u), u from the re-analysis, where θ' = 0
                    ar = MpArith(_XDPS)
                    q = path.q(b)
                    with mpmath.workdps(_XDPS):
                        if forms.get("family") == "mixture":
                            vv = len(REFERENCE_P)
                            return mpmath.fsum((_mpf(pi) - mpmath.mpf(1) / vv) ** 2 / qi for pi, qi in zip(REFERENCE_P, q))
                        u = [mpmath.mpf(eval_expr(forms["u"], {x: ar.num(pi), V: ar.num(len(REFERENCE_P))}, ar)) for pi in REFERENCE_P]
                        m = mpmath.fsum(qi * ui for qi, ui in zip(q, u))
                        return mpmath.fsum(qi * (ui - m) ** 2 for qi, ui in zip(q, u))

                j_grid = _grid_max(var_u, b_lo, b_hi)
                t_grid = _grid_max(lambda b: abs(dtheta(b)), b_lo, b_hi)
                for kk, val, meth in ((kj, j_grid, ("max over β of J = I(β)/θ'(β)² (I from central differences of "
                                                    "evaluate_mp, θ' a central difference of θ; J directly where "
                                                    "θ' = 0, and Σ(p_i − 1/V)²/q_i with q from evaluate_mp for a "
                                                    "mixture family; grid + golden section)")),
                                      (kt, t_grid, "max over β of |θ'(β)| (central difference of θ; grid + golden section)")):
                    lo, hi = _ball_of(kk.enclosure)
                    dev, worst, cnt = _in_interval([(at0, lo, hi, val)])
                    out.append(Check(f"{cid}:{kk.name}", meth + " must lie in the Arb enclosure", cnt, dev, 1e-12, worst=worst))

    # -- homotopy_conditions ------------------------------------------------------------------------
    cid = "homotopy_conditions.conclusion"
    why = _gate(d, cid)
    names = ("d_one_shot_l2", "path_length_l2", "path_length_fisher", "L_gamma_bound", "n_sufficient")
    if why:
        for name in names:
            out.append(_skip(f"{cid}:{name}", "direct distances of evaluate_mp along the path", why))
    else:
        qa, qb = path.q(b0), path.q(b1)
        with mpmath.workdps(_XDPS):
            d01 = mpmath.sqrt(mpmath.fsum((a - c_) ** 2 for a, c_ in zip(qa, qb)))
        dev, worst, m = compare_values([(at0, float(_stated(const(cid, "d_one_shot_l2"))), float(d01))])
        out.append(Check(f"{cid}:d_one_shot_l2", "‖q_{β1} − q_{β0}‖₂ of evaluate_mp (40 digits)", m, dev, 1e-12, worst=worst))

        def chords(m: int, sq: bool) -> Any:
            qs = [path.q(b) for b in _grid(b0, b1, m)]
            with mpmath.workdps(_XDPS):
                if sq:
                    qs = [[2 * mpmath.sqrt(v) for v in qq] for qq in qs]
                return mpmath.fsum(mpmath.sqrt(mpmath.fsum((a - c_) ** 2 for a, c_ in zip(u, w))) for u, w in itertools.pairwise(qs))

        for name, sq, meth in (("path_length_l2", False, "Σ_k ‖q_k − q_{k−1}‖₂"),
                               ("path_length_fisher", True, "Σ_k ‖2√q_k − 2√q_{k−1}‖₂ (Fisher length = length of 2√q)")):
            with mpmath.workdps(_XDPS):
                s1, s2 = chords(64, sq), chords(128, sq)
                ext = (4 * s2 - s1) / 3  # chord sums converge as ℓ − a/n² + O(1/n⁴)
            dev, worst, m = compare_values([(at0, float(_stated(const(cid, name))), float(ext))])
            out.append(Check(f"{cid}:{name}", meth + " at n = 64, 128 (evaluate_mp), Richardson", m, dev, 1e-7, worst=worst))
        lg = const(cid, "L_gamma_bound")
        if lg is None:
            out.append(_skip(f"{cid}:L_gamma_bound", "stage distances", "no L_gamma_bound derived (sup I not enclosed)"))
            out.append(_skip(f"{cid}:n_sufficient", "stage distances at n > L_γ/r", "no L_gamma_bound derived (sup I not enclosed)"))
        else:
            lgv = _stated(lg)
            rows, stage = [], {}
            for m in range(1, _N_MAX + 1):
                qs = [path.q(b) for b in _grid(b0, b1, m)]
                with mpmath.workdps(_XDPS):
                    d1 = max(mpmath.fsum(abs(a - c_) for a, c_ in zip(u, w)) for u, w in itertools.pairwise(qs))
                    d2 = max(mpmath.sqrt(mpmath.fsum((a - c_) ** 2 for a, c_ in zip(u, w))) for u, w in itertools.pairwise(qs))
                stage[m] = d1
                rows += [({"n": str(m), "norm": "l1"}, lgv, m * d1), ({"n": str(m), "norm": "l2"}, lgv, m * d2)]
            dev, worst, cnt = _one_sided(rows)
            out.append(Check(f"{cid}:L_gamma_bound", "n·max_k ‖γ(t_k) − γ(t_{k−1})‖ (ℓ1, ℓ2; evaluate_mp) for n = 1..64 must not "
                             "exceed L_γ", cnt, dev, 0.0, worst=worst))
            ns = const(cid, "n_sufficient")
            rs = draw(st.integers(17, 1000), cases, seed=0)
            rows = []
            for k in [1000, 500, 100] + rs:
                rv = lgv * k / 1000
                thr = sp.N(ns.expr.subs({L_gamma: sp.Float(lg.values[0][1], 30), r: sp.Float(mpmath.nstr(rv, 30), 30)}), 30)
                m = math.floor(float(thr)) + 1
                if m > _N_MAX:
                    continue
                rows.append(({"r": mpmath.nstr(rv, 12), "n": str(m)}, rv, stage[m]))
            dev, worst, cnt = _one_sided(rows)
            out.append(Check(f"{cid}:n_sufficient", "at n = ⌊L_γ/r⌋ + 1 every stage distance ‖γ(t_k) − γ(t_{k−1})‖₁ (evaluate_mp) "
                             "must be below r", cnt, dev, 0.0, worst=worst))

    # -- error_propagation (R2): worst-case recursion ---------------------------------------------------
    cid = "error_propagation.conclusion"
    why = _gate(d, cid)
    r2 = ("e_n_bound", "e_n_bound_near_contraction", "n_star", "bound_at_n_star", "e_n_bound_contraction", "e_inf_bound_contraction")
    if why:
        for name in r2:
            out.append(_skip(f"{cid}:{name}", "worst-case recursion e_k = ρ e_{k−1} + c/n² + ε_m", why))
    else:
        params = draw(st.tuples(st.integers(1, 199), st.integers(1, 100), st.integers(1, 1000), st.integers(0, 100),
                                st.integers(1, 60), st.integers(0, 200)), cases, seed=0)
        fixed = [(90, 30, 1000, 20, 5, 50), (110, 30, 100, 20, 7, 50), (50, 30, 1000, 20, 1, 0)]
        rows = {k: [] for k in r2}
        ks = {k: const(cid, k) for k in r2}

        def ev(expr: sp.Expr, env: dict[sp.Symbol, Fraction | int]) -> Any:
            val = sp.N(expr.subs({s: sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.Integer(v)
                                  for s, v in env.items()}), 40)
            return mpmath.mpf(str(val))

        def worst_case(rr: Fraction, cc: Fraction, em: Fraction, e_0: Fraction, nn: int) -> Fraction:
            e = e_0
            for _ in range(nn):
                e = rr * e + cc / nn**2 + em
            return e

        for kr, kc, ke, k0, nn, kk in fixed + [tuple(p) for p in params]:
            rr = Fraction(kr if kr != 100 else 101, 100)
            cc, em, e_0, ka = Fraction(kc, 100), Fraction(ke, 10**5), Fraction(k0, 100), Fraction(kk, 100)
            rc = Fraction(kr % 99 + 1, 100)  # a fixed contraction ρ < 1
            at = {"rho": str(rr), "c": str(cc), "eps_m": str(em), "e0": str(e_0), "n": str(nn)}
            env = {rho: rr, c: cc, eps_m: em, e0: e_0, n: nn}
            rows["e_n_bound"].append((at, float(ev(ks["e_n_bound"].expr, env)), float(worst_case(rr, cc, em, e_0, nn))))
            rw = 1 + ka / nn
            rows["e_n_bound_near_contraction"].append(({**at, "rho": str(rw), "kappa": str(ka)},
                                                       ev(ks["e_n_bound_near_contraction"].expr, {**env, kappa: ka}),
                                                       worst_case(rw, cc, em, e_0, nn)))
            rows["e_n_bound_contraction"].append(({**at, "rho": str(rc)}, ev(ks["e_n_bound_contraction"].expr, {**env, rho: rc}),
                                                  worst_case(rc, cc, em, e_0, nn)))
            # n → ∞ of the fixed-ρ recursion (float64; ρ^N negligible, 1/N² removed by Richardson)
            big = []
            for nb in (8192, 16384):
                e, step, rf = float(e_0), float(cc) / nb**2 + float(em), float(rc)
                for _ in range(nb):
                    e = rf * e + step
                big.append(e)
            rows["e_inf_bound_contraction"].append(({"rho": str(rc), "c": str(cc), "eps_m": str(em), "e0": str(e_0)},
                                                    float(ev(ks["e_inf_bound_contraction"].expr, {rho: rc, eps_m: em})),
                                                    (4 * big[1] - big[0]) / 3))
            # n*: numeric minimiser over real n > 0 of the near-contraction bound (golden section in log n)
            f = sp.lambdify(n, ks["e_n_bound_near_contraction"].expr.subs(
                {s: sp.Rational(v.numerator, v.denominator) for s, v in {kappa: ka, c: cc, eps_m: em, e0: e_0}.items()}), "mpmath")
            with mpmath.workdps(30):
                lo, hi = mpmath.log(mpmath.mpf(10) ** -3), mpmath.log(mpmath.mpf(10) ** 9)
                g = (mpmath.sqrt(5) - 1) / 2
                x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
                f1, f2 = f(mpmath.exp(x1)), f(mpmath.exp(x2))
                for _ in range(160):
                    if f1 <= f2:
                        hi, x2, f2 = x2, x1, f1
                        x1 = hi - g * (hi - lo)
                        f1 = f(mpmath.exp(x1))
                    else:
                        lo, x1, f1 = x1, x2, f2
                        x2 = lo + g * (hi - lo)
                        f2 = f(mpmath.exp(x2))
                n_num = mpmath.exp((lo + hi) / 2)
                f_min = f(n_num)
            sub = {c: cc, eps_m: em, e0: e_0, kappa: ka}
            at2 = {"c": str(cc), "eps_m": str(em), "e0": str(e_0), "kappa": str(ka)}
            rows["n_star"].append((at2, float(ev(ks["n_star"].expr, sub)), float(n_num)))
            rows["bound_at_n_star"].append((at2, float(ev(ks["bound_at_n_star"].expr, sub)), float(f_min)))
        specs = {
            "e_n_bound": ("equals", ("closed form (40 digits) vs the worst-case recursion e_k = ρ e_{k−1} + c/n² + ε_m "
                                    "(exact rationals, ρ ≠ 1), compared as floats"), 1e-14),
            "e_n_bound_near_contraction": ("bound", "worst-case recursion with ρ = 1 + κ/n (exact rationals) must not exceed the bound", 0.0),
            "e_n_bound_contraction": ("bound", "worst-case recursion with a fixed ρ < 1 (exact rationals) must not exceed the bound", 0.0),
            "e_inf_bound_contraction": ("equals", "fixed-ρ recursion at n = 8192, 16384 (float64) with Richardson in 1/n²", 1e-9),
            "n_star": ("equals", "golden-section minimiser over real n of e^κ(e0 + c/n + n ε_m) (mpmath 30 digits, log n)", 1e-8),
            "bound_at_n_star": ("equals", "minimum value of the near-contraction bound found by golden section", 1e-12),
        }
        for name, (how, meth, tol) in specs.items():
            if how == "bound":
                dev, worst, cnt = _one_sided(rows[name])
            else:
                dev, worst, cnt = compare_values(rows[name])
            out.append(Check(f"{cid}:{name}", meth, cnt, dev, tol, worst=worst))

    # -- exact_projection_chain: n exact stages vs one shot, by direct minimisation ---------------------
    cid = "exact_projection_chain.conclusion"
    try:
        why = _gate(d, cid)
    except KeyError:
        why = "no exact_projection_chain claim in this derivation"
    meth = ("max |f_n − f_one-shot| after n exact stages (each: golden-section minimiser over θ of Σ_x KL(F_T(target) ‖ F_T(g_θ)), "
            "F_T from evaluate_mp, 50 digits; g_θ ∝ exp(θ·x·1{y=0} + b_k(x, y)), random offsets b_k; one-shot with b_n)")
    if why:
        out.append(_skip(f"{cid}:chain_equals_one_shot", meth, why))
    else:
        good = [pc for _, a, pc in power_type_pieces(op.score) if a is not None]
        pc0 = next((pc for pc in good if not pc.point), good[0] if good else None)
        if pc0 is None:
            t_in = Fraction(1)
        elif pc0.point:
            t_in = Fraction(str(pc0.lo))
        elif pc0.hi is None:  # an unbounded piece: a temperature that softens (T = 1 would be the identity)
            t_in = Fraction(str(pc0.lo or 0)) + 2
        else:
            t_in = Fraction(str(pc0.sample()))
        rows = []
        for nn, seed in ((2, 1), (3, 0))[:max(1, min(2, cases))]:
            gap, move = projection_chain_gap(op, t_in, nn, seed)
            rows.append(({"T": str(t_in), "n": str(nn), "seed": str(seed), "one_shot_moved": mpmath.nstr(move, 6)}, 0.0, float(gap)))
        dev = max(r[2] for r in rows)
        worst = {**max(rows, key=lambda r: r[2])[0], "gap": f"{dev:.3g}"}
        out.append(Check(f"{cid}:chain_equals_one_shot", meth + f"; T = {t_in} inside the proved scope", len(rows), dev, 1e-20,
                         relative=False, worst=worst))

    out += _glued_checks(d, op)
    out += _explicit_rate_checks(d, op)

    # -- euler_continuation (R3): forward Euler on test equations --------------------------------------
    cid = "euler_continuation.conclusion"
    why = _gate(d, cid)
    if why:
        out.append(_skip(f"{cid}:euler_error_bound", "forward Euler on θ' = λθ and the logistic equation", why))
        out.append(_skip(f"{cid}:n_error_limit_exp", "n(e − (1 + 1/n)^n) extrapolated", why))
    else:
        kb = const(cid, "euler_error_bound")
        draws = draw(st.tuples(st.integers(-30, 30).filter(lambda k: k != 0), st.integers(1, 20), st.integers(1, 64),
                               st.integers(1, 99)), cases, seed=0)
        rows = []

        def bound_at(lv: Any, mv: Any, nn: int) -> Any:
            val = sp.N(kb.expr.subs({L_EULER: sp.Float(mpmath.nstr(lv, 30), 30), M_EULER: sp.Float(mpmath.nstr(mv, 30), 30), n: nn}), 30)
            return mpmath.mpf(str(val))

        with mpmath.workdps(30):
            for kl, k0, nn, kq in [(10, 10, 1, 50), (10, 10, 10, 50)] + [tuple(v) for v in draws]:
                lam, th0 = mpmath.mpf(kl) / 10, mpmath.mpf(k0) / 10
                it = th0
                for _ in range(nn):
                    it = it + lam * it / nn
                err = abs(it - th0 * mpmath.exp(lam))
                mv = lam**2 * th0 * max(1, mpmath.exp(lam))
                rows.append(({"ode": "theta' = lambda theta", "lambda": str(lam), "theta0": str(th0), "n": str(nn)},
                             bound_at(abs(lam), mv, nn), err))
                # logistic θ' = θ(1 − θ): L = 1 on [0, 1], |θ''| = |(1 − 2θ)θ(1 − θ)| <= 1/(6√3)
                th = mpmath.mpf(kq) / 100
                it = th
                for _ in range(nn):
                    it = it + it * (1 - it) / nn
                exact = 1 / (1 + (1 - th) / th * mpmath.exp(-1))
                rows.append(({"ode": "theta' = theta(1 - theta)", "theta0": str(th), "n": str(nn)},
                             bound_at(mpmath.mpf(1), 1 / (6 * mpmath.sqrt(3)), nn), abs(it - exact)))
        dev, worst, cnt = _one_sided(rows)
        out.append(Check(f"{cid}:euler_error_bound", "|θ_n − θ(1)| of n forward-Euler steps (mpmath 30 digits) on θ' = λθ "
                         "(L = |λ|, M = λ²θ0·max(1, e^λ)) and the logistic equation (L = 1, M = 1/(6√3)) must not exceed "
                         "M(e^L − 1)/(2Ln)", cnt, dev, 0.0, worst=worst))
        ke = const(cid, "n_error_limit_exp")
        with mpmath.workdps(_XDPS):
            lim = _richardson(lambda m: m * (mpmath.e - (1 + mpmath.mpf(1) / m) ** m), 1024, 2)
        val = float(sp.N(ke.expr, 30))
        dev, worst, cnt = compare_values([({"example": "theta' = theta"}, val, float(lim))])
        out.append(Check(f"{cid}:n_error_limit_exp", "two-level Richardson of n(e − (1 + 1/n)^n) at n = 1024, 2048, 4096 (mpmath)",
                         cnt, dev, 1e-9, worst=worst))
    return out


# -- pruning_path_energy / stage_statistical_error: simulations with the NumPy kernel ---------------

_RATE_TS = (Fraction(1, 2), Fraction(1), Fraction(2), Fraction(4))


def _softmax_rows(z: Any) -> Any:
    import numpy as np

    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _kernel_logits(op: Any, w: Any, xs: Any, t: Fraction) -> Any:
    """Logits (reference row 0 subtracted) of ``apply(op, softmax(W x), T)`` for the rows of ``xs``: the operator's own
    NumPy kernel, not the derived ``a(T)``."""
    import numpy as np

    from skd.operators import apply

    q = np.asarray(apply(op, _softmax_rows(xs @ w.T), float(t)))
    lq = np.log(q)
    return lq - lq[:, -1:]


def _constant_at(k: DerivedConstant, env: dict[sp.Symbol, Any]) -> float | None:
    val = sp.N(k.expr.subs({s: (sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.Float(v, 30))
                            for s, v in env.items()}), 30)
    return float(val) if val.is_real and val.is_finite else None


def _explicit_rate_checks(d: Any, op: Any) -> list[Any]:
    """Independent simulations for ``pruning_path_energy`` and ``stage_statistical_error``.

    Both use the operator's NumPy kernel on ``softmax(Wx)`` (never the derived ``a(T)``):

    * ``a_T``: the kernel's logits of ``F_T(softmax(z))`` equal ``a(T)·z`` (two-sided, the derived ``a``);
    * ``S_n_bound``: ``S_n`` computed exactly on a seeded pool of 400 Gaussian inputs (V = 4, d = 5, half of the 15 free
      weights pruned by magnitude, n = 1 … 32) must not exceed the derived bound at the pool's ``λ_x``, ``s``, ``N_w``, ``w_s``;
    * ``eps_m_sq``: a Monte Carlo mean over 4000 least-squares stages (V = 3, d = 4, k = 2 features kept per row,
      m = 20 Gaussian inputs, a seeded Σ) against the exact formula (relative tolerance 0.08, about 4 standard errors);
      ``eps_m_sq_bound`` must not be below it.
    """
    from ..checks import gate as _gate
    from ..checks import skip as _skip

    out: list[Any] = []
    for cid, names in (("pruning_path_energy.conclusion", ("a_T", "S_n_bound")),
                       ("stage_statistical_error.conclusion", ("eps_m_sq", "eps_m_sq_bound"))):
        why = _gate(d, cid) if any(c.id == cid for c in d.claims) else "no such claim in this derivation"
        consts = {k.name: k for k in d.claim(cid).constants} if why is None else {}
        if why is None and not consts:
            why = "no constants derived"
        if why:
            out += [_skip(f"{cid}:{nm}", "simulation with the NumPy kernel", why) for nm in names]
            continue
        if cid.startswith("pruning"):
            out += _path_energy_checks(op, cid, consts["S_n_bound"])
        else:
            out += _stage_error_checks(op, cid, consts["eps_m_sq"], consts["eps_m_sq_bound"])
    return out


def _a_of(bound: DerivedConstant, t: Fraction) -> float | None:
    """``a(T)²`` read back from the derived ``S_n_bound = a(T)²·λ_x·s·N_w·w_s²/(4n)`` (the others set to 1, n = 1)."""
    env: dict[sp.Symbol, Any] = {s: Fraction(1) for s in bound.expr.free_symbols if s != T}
    val = _constant_at(bound, {**env, T: t})
    return None if val is None else 4 * val


def _path_energy_checks(op: Any, cid: str, bound: DerivedConstant) -> list[Any]:
    import numpy as np

    from skd.operators import apply

    from ..checks import Check, compare_values
    from ..checks import one_sided as _one_sided

    rng = np.random.default_rng(20261206)
    v_, d_ = 4, 5
    w = np.vstack([rng.normal(0, 1.5, (v_ - 1, d_)), np.zeros((1, d_))])
    free = np.abs(w[:-1]).ravel()
    n_w = free.size
    order = np.argsort(free, kind="stable")
    n_p = n_w // 2
    mask = np.zeros(n_w, dtype=bool)
    mask[order[:n_p]] = True
    w_p = np.zeros_like(w)
    w_p[:-1] = np.where(mask.reshape(v_ - 1, d_), w[:-1], 0.0)
    s_frac, w_s = Fraction(n_p, n_w), float(np.max(np.abs(w_p)))
    xs = rng.normal(0, 1, (400, d_))
    lam = float(np.linalg.eigvalsh(xs.T @ xs / len(xs)).max())
    a_rows, rows = [], []
    for t in _RATE_TS:
        a2 = _a_of(bound, t)
        if a2 is None:
            continue  # T outside the proved scope
        z = rng.normal(0, 2, (50, v_))
        z = z - z[:, -1:]
        lq = np.log(np.asarray(apply(op, _softmax_rows(z), float(t))))
        lq = lq - lq[:, -1:]
        a_num = float(np.sum(lq * z) / np.sum(z * z))
        a_rows.append(({"T": str(t)}, math.sqrt(a2), a_num))
        for nn in (1, 2, 4, 8, 16, 32):
            total = 0.0
            prev = _kernel_logits(op, w, xs, t)
            for kk in range(1, nn + 1):
                cur = _kernel_logits(op, w - (kk / nn) * w_p, xs, t)
                qa, qb = _softmax_rows(prev), _softmax_rows(cur)
                total += float(np.mean(np.sum(qa * (np.log(qa) - np.log(qb)), axis=1)))
                prev = cur
            b = _constant_at(bound, {T: t, symbol("n"): Fraction(nn), symbol("s"): s_frac, N_KL_W: Fraction(n_w),
                                     LAMBDA_XS: lam, W_SS: w_s})
            rows.append(({"T": str(t), "n": str(nn), "lambda_x": f"{lam:.6g}", "s": str(s_frac), "N_w": str(n_w),
                          "w_s": f"{w_s:.6g}"}, b if b is not None else math.nan, total))
    out = []
    if a_rows:
        dev, worst, cnt = compare_values(a_rows, relative=True)
        out.append(Check(f"{cid}:a_T", "a(T) from the derived bound vs the least-squares slope of the kernel's logits of "
                         "F_T(softmax(z)) on z (50 random logit vectors, V = 4)", cnt, dev, 1e-9, worst=worst))
    if rows:
        dev, worst, cnt = _one_sided(rows)
        out.append(Check(f"{cid}:S_n_bound", "S_n = Σ_k E_x KL(q_{t_{k−1}} ‖ q_{t_k}) of the kernel on a seeded pool (400 Gaussian "
                         "inputs, V = 4, d = 5, the 7 smallest of the 15 free weights pruned, n = 1 … 32) must not exceed "
                         "the derived bound; deviation max(0, S_n − bound)/bound", cnt, dev, 0.0, worst=worst))
    return out


def _stage_error_checks(op: Any, cid: str, exact: DerivedConstant, bound: DerivedConstant) -> list[Any]:
    import numpy as np

    from ..checks import Check, compare_values
    from ..checks import one_sided as _one_sided

    rng = np.random.default_rng(6122026)
    v_, d_, k_, m_, reps = 3, 4, 2, 20, 4000
    a_mat = rng.normal(0, 1, (d_, d_))
    sigma = a_mat @ a_mat.T / d_ + 0.3 * np.eye(d_)
    chol = np.linalg.cholesky(sigma)
    w = np.vstack([rng.normal(0, 1, (v_ - 1, d_)), np.zeros((1, d_))])
    keep = [np.sort(np.argsort(-np.abs(w[j]), kind="stable")[:k_]) for j in range(v_ - 1)]
    r_p, pruned_sq, pruned_max = 0.0, 0.0, 0.0
    for j in range(v_ - 1):
        kj = keep[j]
        pj = np.array([i for i in range(d_) if i not in kj])
        cond = sigma[np.ix_(pj, pj)] - sigma[np.ix_(pj, kj)] @ np.linalg.solve(sigma[np.ix_(kj, kj)], sigma[np.ix_(kj, pj)])
        r_p += float(w[j, pj] @ cond @ w[j, pj])
        pruned_sq += float(np.sum(w[j, pj] ** 2))
        pruned_max = max(pruned_max, float(np.max(np.abs(w[j, pj]))))
    n_w = (v_ - 1) * d_
    s_frac = Fraction((v_ - 1) * (d_ - k_), n_w)
    lam = float(np.linalg.eigvalsh(sigma).max())
    rows_exact, rows_bound = [], []
    for t in (Fraction(1, 2), Fraction(2)):
        env = {T: t, symbol("k"): Fraction(k_), symbol("m"): Fraction(m_)}
        want = _constant_at(exact, {**env, R_PS: r_p})
        b = _constant_at(bound, {**env, symbol("s"): s_frac, N_KL_W: Fraction(n_w), LAMBDA_XS: lam, W_SS: pruned_max})
        if want is None:
            continue
        # the population fit of each row: the kernel's target logits are linear in x, so a least-squares fit on 40
        # generic inputs recovers their coefficients b_j exactly (to rounding); w_j = Σ_KK⁻¹ Σ_K: b_j
        x_big = rng.normal(0, 1, (40, d_)) @ chol.T
        coef = np.linalg.lstsq(x_big, _kernel_logits(op, w, x_big, t), rcond=None)[0].T
        pops = [np.linalg.solve(sigma[np.ix_(keep[j], keep[j])], sigma[keep[j], :] @ coef[j]) for j in range(v_ - 1)]
        errs = np.empty(reps)
        for r_ in range(reps):
            x = rng.normal(0, 1, (m_, d_)) @ chol.T
            y = _kernel_logits(op, w, x, t)
            tot = 0.0
            for j in range(v_ - 1):
                kj = keep[j]
                est = np.linalg.lstsq(x[:, kj], y[:, j], rcond=None)[0]
                dlt = est - pops[j]
                tot += float(dlt @ sigma[np.ix_(kj, kj)] @ dlt)
            errs[r_] = tot
        mean, se = float(errs.mean()), float(errs.std(ddof=1) / math.sqrt(reps))
        at = {"T": str(t), "k": str(k_), "m": str(m_), "R_P": f"{r_p:.6g}", "reps": str(reps), "MC_se": f"{se:.3g}"}
        rows_exact.append((at, want, mean))
        if b is not None:
            rows_bound.append((at, b, want))
    out = []
    if rows_exact:
        dev, worst, cnt = compare_values(rows_exact, relative=True)
        out.append(Check(f"{cid}:eps_m_sq", f"Monte Carlo mean over {reps} least-squares stages on the kernel's target logits "
                         f"(V = 3, d = 4, k = 2 per row, m = 20 Gaussian inputs, seeded Σ) vs the exact formula",
                         cnt, dev, 0.08, worst=worst))
        dev, worst, cnt = _one_sided(rows_bound)
        out.append(Check(f"{cid}:eps_m_sq_bound", "the bound in the model parameters (λ_x = λ_max(Σ), s, N_w, w_s) must not be "
                         "below the exact value; deviation max(0, exact − bound)/bound", cnt, dev, 0.0, worst=worst))
    return out


def _glued_checks(d: Any, op: Any) -> list[Any]:
    """``glued_path_energy`` against direct KL sums of :func:`evaluate_mp` on the glued reference interval.

    * the limit: three-level Richardson of ``n·Σ KL`` at ``n = 48, 96, 192, 384`` (multiples of 3, so the junction
      β = 1 is a grid point and the expansion in ``1/n`` holds on each side);
    * the bound: ``n·Σ KL`` for ``n = 1 … 32`` in both directions must not exceed the stated value.
    """
    from ..checks import Check, compare_values
    from ..checks import gate as _gate
    from ..checks import one_sided as _one_sided
    from ..checks import skip as _skip

    cid = "glued_path_energy.conclusion"
    if not any(c.id == cid for c in d.claims):
        return [_skip(f"{cid}:n_sum_KL_limit_glued", "direct KL sums", "no glued_path_energy claim in this derivation")]
    why = _gate(d, cid)
    consts = {k.name: k for k in d.claim(cid).constants}
    if why is None and not consts:
        why = "no constants derived (Arb enclosures failed)"
    if why:
        return [_skip(f"{cid}:{nm}", "direct KL sums of evaluate_mp", why) for nm in ("n_sum_KL_limit_glued", "n_sum_KL_bound_glued")]
    b0, b1 = GLUED_BETA
    path = _Path(op)
    at = {"p": _pstr(REFERENCE_P), "beta0": str(b0), "beta1": str(b1)}
    lim = _richardson(lambda m: _n_kl(path, _grid(b0, b1, m)), 48, 3)
    stated = float(consts["n_sum_KL_limit_glued"].values[0][1])
    dev, worst, cnt = compare_values([(at, stated, float(lim))])
    out = [Check(f"{cid}:n_sum_KL_limit_glued", "three-level Richardson of n·Σ_k KL (evaluate_mp, 40 digits) at n = 48, 96, 192, "
                 "384 across T = 1 (junction on the grid)", cnt, dev, 1e-7, worst=worst)]
    bound = float(consts["n_sum_KL_bound_glued"].values[0][1])
    rows = []
    for nn in range(1, 33):
        for a, b, direction in ((b0, b1, "forward"), (b1, b0, "reversed")):
            rows.append(({**at, "n": str(nn), "direction": direction}, bound, float(_n_kl(path, _grid(a, b, nn)))))
    dev, worst, cnt = _one_sided(rows)
    out.append(Check(f"{cid}:n_sum_KL_bound_glued", "n·Σ_k KL of evaluate_mp for n = 1 … 32, both directions, across T = 1, must not "
                     "exceed the stated bound", cnt, dev, 0.0, worst=worst))
    return out
