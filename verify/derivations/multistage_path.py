"""The temperature path of a separable score: its one-parameter families and rigorous numerics (``multistage``).

``γ(β) = F_{1/β}(p)`` with log-score ``s(x, β) = log g(x, 1/β, V)``: :func:`path_forms` and
:func:`symbolic_path_pieces` recognise exponential (``s = θ(β)u(x) + w(β)``) and mixture
(``g ∝ x + c(β)``) families per ``T``-piece; :func:`sup_enclosure` encloses suprema over ``β`` by Arb
branch and bound (:func:`fisher_sup`); :func:`sup_i_counterexample` certifies that the sup-I form of
the bound fails without the affine hypothesis; :func:`reference_numbers` computes the 30-digit limits.
:mod:`skd.verify.derivations.multistage` turns these into claims.

>>> lo, hi = fisher_sup(x ** (1 / T), (Fraction(1), Fraction(4)))
>>> round(lo, 6), round(hi, 6)
(0.670751, 0.670751)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import mpmath
import sympy as sp

from skd.operators.arith import ArbArith, MpArith, Undecided
from skd.operators.evaluate import eval_expr, log_score
from skd.operators.symbols import T, V, x
from skd.theory.theorems import symbol

from ..regions import Unsupported, t_pieces, x_pieces
from ..reproduce import format_fraction, fraction_code, list_code, snippet
from .common import REFERENCE_P, mpq, pstr

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = [
    "DPS",
    "PREC",
    "REFERENCE_BETA",
    "REFERENCE_P",
    "SUP_I_CANDIDATES",
    "arb_abs_mean_value",
    "arb_finite_cover",
    "arb_variance",
    "beta",
    "dec",
    "fisher_mp",
    "fisher_sup",
    "kl_path_sum",
    "path_forms",
    "reference_numbers",
    "sup_enclosure",
    "sup_i_counterexample",
    "symbolic_path_pieces",
    "x_smooth",
]

#: The reference beta-interval (theory-notes §6 item 10), with the reference teacher REFERENCE_P.
REFERENCE_BETA = (Fraction(1), Fraction(1, 4))

beta = symbol("beta")
#: Digits of the reference numbers; bits of the Arb balls.
DPS = 30
PREC = 128


def dec(v: Any, digits: int = 15) -> str:
    """``v`` as a decimal text of ``digits`` significant digits (``mpmath.nstr``)."""
    return mpmath.nstr(v, digits)


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

    flint.ctx.prec = PREC

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
        return sum((qi * vi for qi, vi in zip(q[1:], vals[1:], strict=True)), q[0] * vals[0])

    ma, md, mda = mean(a_vals), mean(d_vals), mean(da_vals)
    ca = [a - ma for a in a_vals]
    var = mean([c * c for c in ca])
    slope = (2 * mean([c * (e - mda) for c, e in zip(ca, da_vals, strict=True)])
             + mean([c * c * (d - md) for c, d in zip(ca, d_vals, strict=True)]))
    return var, slope


def arb_variance(s: sp.Expr, ds: sp.Expr, a: sp.Expr, da: sp.Expr, p: Sequence[Fraction]) -> Callable[[Any], Any]:
    """Ball enclosure of ``β ↦ Var_{q_β}(a)`` on a β-ball, ``q_β ∝ exp(s(p_i, β))``, in mean-value form.

    On a ball ``B`` with midpoint ``c``: ``G(B) ⊂ G(c) + G'(B)·(B − c)``, intersected with the naive
    enclosure (second-order overestimation, so branch and bound converges quickly).
    """
    ar = ArbArith(PREC)
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


def arb_abs_mean_value(expr: sp.Expr, ar: Any, size: int) -> Callable[[Any], Any]:
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
    return sup_enclosure(arb_variance(forms["s"], forms["ds"], forms["ds"], forms["d2s"], p), 1 / t_range[1], 1 / t_range[0])


def arb_finite_cover(exprs: Sequence[sp.Expr], p: Sequence[Fraction], lo: Fraction, hi: Fraction, boxes: int = 16) -> str | None:
    """``None`` if every expr is finite (Arb) on a cover of [lo, hi] by ``boxes`` boxes at every p_i; else why not."""
    ar = ArbArith(PREC)
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
    ar = ArbArith(PREC)
    env = {beta: _ball(b, b), V: ar.num(len(p))}
    sv = [eval_expr(s, {**env, x: ar.num(pi)}, ar) for pi in p]
    w = [(si - sv[0]).exp() for si in sv]
    z = sum(w[1:], w[0])
    return [wi / z for wi in w]


def sup_i_counterexample(op: Operator, candidates: Sequence[tuple[Sequence[Fraction], Fraction, Fraction]] = SUP_I_CANDIDATES
                         ) -> dict[str, Any] | None:
    """A certified ``n = 1`` counterexample to ``Σ KL ≤ ½(β1 − β0)² sup I / n``, or ``None``.

    For each candidate ``(p, β0, β1)`` on which the path is one C² formula: ``KL(q_a ‖ q_b)`` (both
    directions) is enclosed in Arb and compared with the upper end of the Arb enclosure of
    ``½(β1 − β0)² sup_{[β0, β1]} I``; the counterexample is certified when the balls are disjoint.
    """
    import flint

    flint.ctx.prec = PREC
    for p, lo, hi in candidates:
        forms = path_forms(op.score, (1 / hi, 1 / lo))
        if not forms["ok"]:  # one formula on [β0, β1]; sup I below is an Arb enclosure, so no C² check is needed
            continue
        try:
            i_lo, i_hi = sup_enclosure(arb_variance(forms["s"], forms["ds"], forms["ds"], forms["d2s"], p), lo, hi)
            qa, qb = _arb_q(forms["s"], p, lo), _arb_q(forms["s"], p, hi)
        except (Undecided, ZeroDivisionError, ValueError):
            continue
        half = (hi - lo) ** 2 / 2
        rhs = flint.arb(flint.fmpq(half.numerator, half.denominator)) * flint.arb(i_hi)
        for a, b, qx, qy in ((lo, hi, qa, qb), (hi, lo, qb, qa)):
            kl = sum((u * (u / v).log() for u, v in zip(qx[1:], qy[1:], strict=True)), qx[0] * (qx[0] / qy[0]).log())
            if kl > rhs:
                body = (f"p = {list_code(p)}; qa = evaluate_mp(op, p, {fraction_code(1 / a)}); qb = evaluate_mp(op, p, "
                        f"{fraction_code(1 / b)}); print(mpmath.fsum(u * mpmath.log(u / v) for u, v in zip(qa, qb)), "
                        f"{fraction_code(half)} * fisher_sup(op.score, ({fraction_code(1 / hi)}, {fraction_code(1 / lo)}), p)[1])")
                return {
                    "statement": (f"n = 1, β: {a} → {b} (T: {format_fraction(1 / a)} → {format_fraction(1 / b)}) at p = ({pstr(p)}): "
                                  f"KL(q_{{β0}} ‖ q_{{β1}}) = {kl.str(6, radius=False)} > ½(Δβ)² sup I = {rhs.str(6, radius=False)} "
                                  f"(sup I ∈ [{i_lo:.6g}, {i_hi:.6g}] on β ∈ [{lo}, {hi}])"),
                    "reproduce": snippet(op, {}, body, extra_imports="import mpmath; from skd.verify.derivations.multistage "
                                                                     "import fisher_sup"),
                    "certified_by": "arb", "p": pstr(p), "T": format_fraction(1 / a), "T2": format_fraction(1 / b),
                    "lhs": {"ball": kl.str(20, radius=True), "decimal": kl.str(12, radius=False)},
                    "rhs": {"ball": rhs.str(20, radius=True), "decimal": rhs.str(12, radius=False)},
                }
    return None


# -- 30-digit reference numbers ------------------------------------------------------------------


def _mp_q_and_d(s: sp.Expr, d: sp.Expr, p: Sequence[Fraction], b: Any) -> tuple[list[Any], list[Any]]:
    ar = MpArith(DPS)
    env = {beta: mpq(b), V: mpmath.mpf(len(p))}
    sv = [eval_expr(s, {**env, x: ar.num(pi)}, ar) for pi in p]
    dv = [eval_expr(d, {**env, x: ar.num(pi)}, ar) for pi in p]
    top = max(sv)
    w = [mpmath.exp(si - top) for si in sv]
    z = mpmath.fsum(w)
    return [wi / z for wi in w], dv


def fisher_mp(s: sp.Expr, d: sp.Expr, p: Sequence[Fraction], b: Any) -> Any:
    q, dv = _mp_q_and_d(s, d, p, b)
    m = mpmath.fsum(qi * di for qi, di in zip(q, dv, strict=True))
    return mpmath.fsum(qi * (di - m) ** 2 for qi, di in zip(q, dv, strict=True))


def kl_path_sum(s: sp.Expr, p: Sequence[Fraction], grid: Sequence[Any]) -> Any:
    """``Σ_k KL(q_{grid[k−1]} ‖ q_{grid[k]})`` along the path of the log-score ``s(x, β)`` (30 digits).

    >>> from skd.operators.symbols import x
    >>> g = [1 - mpmath.mpf(3) / 4 * k / 4 for k in range(5)]
    >>> mpmath.nstr(4 * kl_path_sum(beta * sp.log(x), REFERENCE_P, g), 5)
    '0.16865'
    """
    with mpmath.workdps(DPS):
        qs = [_mp_q_and_d(s, s, p, b)[0] for b in grid]
        return mpmath.fsum(mpmath.fsum(a * mpmath.log(a / c) for a, c in zip(qa, qb, strict=True)) for qa, qb in itertools.pairwise(qs))


def reference_numbers(forms: dict[str, Any], p: Sequence[Fraction], b0: Fraction, b1: Fraction) -> dict[str, Any]:
    """The 30-digit limits, means, lengths and one-shot distance of the path of ``forms`` at the teacher ``p`` on ``[b0, b1]``."""
    s, ds = forms["s"], forms["ds"]
    with mpmath.workdps(DPS):
        lo, hi = mpq(min(b0, b1)), mpq(max(b0, b1))
        i_int = mpmath.quad(lambda b: fisher_mp(s, ds, p, b), [lo, hi])
        it_int = mpmath.quad(lambda b: fisher_mp(s, ds, p, b) * b**2, [lo, hi])
        fisher_len = mpmath.quad(lambda b: mpmath.sqrt(fisher_mp(s, ds, p, b)), [lo, hi])

        def speed_l2(b: Any) -> Any:
            q, dv = _mp_q_and_d(s, ds, p, b)
            m = mpmath.fsum(qi * di for qi, di in zip(q, dv, strict=True))
            return mpmath.sqrt(mpmath.fsum((qi * (di - m)) ** 2 for qi, di in zip(q, dv, strict=True)))

        l2_len = mpmath.quad(speed_l2, [lo, hi])
        qa, _ = _mp_q_and_d(s, s, p, b0)
        qb, _ = _mp_q_and_d(s, s, p, b1)
        d01 = mpmath.sqrt(mpmath.fsum((a - c) ** 2 for a, c in zip(qa, qb, strict=True)))
        db = abs(mpq(b1) - mpq(b0))
        dt = abs(1 / mpq(b1) - 1 / mpq(b0))
        return {"limit": db * i_int / 2, "limit_T": dt * it_int / 2, "I_mean": i_int / db, "IT_mean": it_int / dt,
                "fisher_len": fisher_len, "l2_len": l2_len, "d01": d01}
