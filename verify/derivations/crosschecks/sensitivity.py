"""Cross-checks of the ``sensitivity`` topic: Jacobian and Lipschitz constants against direct numerics.

Finite differences of :func:`evaluate_mp` (50 digits, up to 450 for the ``ε → 0`` rate), chord
ratios on the (closed) simplex and the NumPy kernel on logits; upper bounds are checked one-sidedly
(``max(0, sampled − bound)/bound``), enclosures by the distance of an independent maximum outside
them. The derived constants are only evaluated at points, never re-derived.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from skd.operators import apply, evaluate_mp
from skd.operators.arith import MpArith, Undecided
from skd.operators.errors import NotWellDefined
from skd.operators.evaluate import eval_expr
from skd.operators.symbols import T, V, x
from skd.theory.theorems import symbol

from ...checks import Check, compare_values, draw, gate, in_interval, one_sided, skip
from ...strategies import rational_distributions, temperatures
from ..common import REFERENCE_P, constant_or_none, exact_fraction, mpq, parse_p, pstr

if TYPE_CHECKING:
    from skd.operators.declare import Operator

    from .. import Derivation

__all__ = ["crosscheck"]

EPS = symbol("eps")
#: Temperatures of theory-notes §6 item 2, used with the reference teacher besides the Hypothesis draws.
REFERENCE_T = (Fraction(1, 2), Fraction(1), Fraction(2))
EPS_CHOICES = (Fraction(1, 1000), Fraction(1, 100), Fraction(1, 20), Fraction(1, 10))
#: eps of the V = 2 extremal points (ε, 1 − ε) where the L_bound ratios are sampled.
EXTREMAL_EPS = (Fraction(1, 100), Fraction(1, 10))
#: eps at which the closed-simplex chord ratio is evaluated directly.
BLOWUP_EPS = (Fraction(1, 10**2), Fraction(1, 10**4), Fraction(1, 10**6), Fraction(1, 10**9))
#: The level the ℓ2 witness of lipschitz_eps_sharp claims to beat: (21/20)·c ε^(c−1) (docs/theory/sensitivity.md).
L2_LEVEL = Fraction(21, 20)

#: One input of the main checks: (p, T, ε, integers of a tangent direction, integer logits).
Input = tuple[list[Fraction], Fraction, Fraction, list[int], list[int]]
Row = tuple[dict[str, str], float, float]


def _value_at(expr: sp.Expr, env: dict[sp.Symbol, Any], dps: int = 40) -> Any:
    """``expr`` at exact inputs (Fractions/ints) as a global-context mpf; ``None`` where undefined."""
    ar = MpArith(dps)
    try:
        v = eval_expr(expr, {k: ar.num(Fraction(val)) for k, val in env.items()}, ar)
    except (NotWellDefined, Undecided, ZeroDivisionError, ValueError, TypeError):
        return None
    with mpmath.workdps(dps):
        v = mpmath.mpf(v)
    return v if mpmath.isfinite(v) else None


def _mp_eval(op: Operator, p: Sequence[Fraction], t: Fraction, dps: int = 50) -> list[Any]:
    with mpmath.workdps(dps):
        return [mpmath.mpf(v) for v in evaluate_mp(op, p, t, dps=dps)]


def _fd_direction(op: Operator, p: Sequence[Fraction], u: Sequence[Fraction], t: Fraction, dps: int = 50) -> list[Any]:
    """Central difference of ``F_T`` at ``p`` along the tangent direction ``u`` (exact inputs, ``dps`` digits).

    The step is ``min(p)·10⁻¹²`` (``u`` is scaled so that ``max |u_i| = 1``): both points stay in the open
    simplex, truncation error ``O(10⁻²⁴)`` relative, rounding ``O(10^{12−dps})``.
    """
    h = min(p) / 10**12
    plus = _mp_eval(op, [pi + h * ui for pi, ui in zip(p, u, strict=True)], t, dps)
    minus = _mp_eval(op, [pi - h * ui for pi, ui in zip(p, u, strict=True)], t, dps)
    with mpmath.workdps(dps):
        hm = mpq(h)
        return [(a - b) / (2 * hm) for a, b in zip(plus, minus, strict=True)]


def _ratios(du: Sequence[Any], u: Sequence[Fraction], dps: int = 50) -> tuple[Any, Any]:
    """``‖∂_u F‖₁/‖u‖₁`` and ``‖∂_u F‖₂/‖u‖₂`` of a directional derivative ``du`` along ``u``."""
    with mpmath.workdps(dps):
        un = [mpq(k) for k in u]
        r1 = mpmath.fsum(abs(k) for k in du) / mpmath.fsum(abs(k) for k in un)
        r2 = mpmath.sqrt(mpmath.fsum(k * k for k in du)) / mpmath.sqrt(mpmath.fsum(k * k for k in un))
        return r1, r2


def _tangent(ints: Sequence[int], v: int) -> list[Fraction]:
    """A tangent direction (sum 0, max |u_i| = 1) from drawn integers; ``e_0 − e_1`` when they are constant."""
    raw = [Fraction(k) for k in ints[:v]]
    m = sum(raw, Fraction(0)) / v
    u = [k - m for k in raw]
    top = max(abs(k) for k in u)
    if top == 0:
        return [Fraction(1), Fraction(-1)] + [Fraction(0)] * (v - 2)
    return [k / top for k in u]


def _jacobian_formula(a_expr: sp.Expr, q: Sequence[Any], p: Sequence[Fraction], u: Sequence[Fraction],
                      t: Fraction) -> list[Any] | None:
    """``(diag q − q qᵀ) diag(a(p)) u`` with ``a`` the derived ``∂_x s`` (mpmath)."""
    a = [_value_at(a_expr, {x: pj, T: t, V: len(p)}) for pj in p]
    if any(v is None for v in a):
        return None
    with mpmath.workdps(50):
        w = [aj * mpq(uj) for aj, uj in zip(a, u, strict=True)]
        m = mpmath.fsum(qi * wi for qi, wi in zip(q, w, strict=True))
        return [qi * (wi - m) for qi, wi in zip(q, w, strict=True)]


def _tangent_fd_v2(op: Operator, xv: Fraction, t: Fraction) -> Any:
    """``d/dx F_T(x, 1 − x)_1`` by a central difference of :func:`evaluate_mp` (50 digits)."""
    return _fd_direction(op, [xv, 1 - xv], [Fraction(1), Fraction(-1)], t)[0]


def _max_abs_tangent(op: Operator, t: Fraction, eps: Fraction, grid: int = 40, iters: int = 40) -> Any:
    """``max_{x ∈ [eps, 1 − eps]} |d/dx F_T(x, 1 − x)_1|``: a grid, then golden section around the best node."""
    xs = [eps + (1 - 2 * eps) * Fraction(k, grid) for k in range(grid + 1)]
    vals = [abs(_tangent_fd_v2(op, xv, t)) for xv in xs]
    i = max(range(len(xs)), key=lambda j: vals[j])
    best = vals[i]
    a, b = xs[max(i - 1, 0)], xs[min(i + 1, grid)]
    with mpmath.workdps(50):
        g = (mpmath.sqrt(5) - 1) / 2
        lo, hi = mpq(a), mpq(b)
        c1, c2 = hi - g * (hi - lo), lo + g * (hi - lo)
        f1, f2 = abs(_tangent_fd_v2(op, exact_fraction(c1), t)), abs(_tangent_fd_v2(op, exact_fraction(c2), t))
        for _ in range(iters):
            if f1 >= f2:
                hi, c2, f2 = c2, c1, f1
                c1 = hi - g * (hi - lo)
                f1 = abs(_tangent_fd_v2(op, exact_fraction(c1), t))
            else:
                lo, c1, f1 = c1, c2, f2
                c2 = lo + g * (hi - lo)
                f2 = abs(_tangent_fd_v2(op, exact_fraction(c2), t))
        return max(best, f1, f2)


def _closed_ratio(op: Operator, p: Sequence[Fraction], p2: Sequence[Fraction], t: Fraction) -> tuple[Any, Any]:
    """``ℓ1`` and ``ℓ2`` chord ratios ``‖F_T(p) − F_T(p')‖ / ‖p − p'‖`` (mpmath, faces allowed)."""
    f1, f2 = _mp_eval(op, p, t), _mp_eval(op, p2, t)
    with mpmath.workdps(50):
        din = [mpq(a - b) for a, b in zip(p, p2, strict=True)]
        dout = [a - b for a, b in zip(f1, f2, strict=True)]
        r1 = mpmath.fsum(abs(v) for v in dout) / mpmath.fsum(abs(v) for v in din)
        r2 = mpmath.sqrt(mpmath.fsum(v * v for v in dout)) / mpmath.sqrt(mpmath.fsum(v * v for v in din))
        return r1, r2


def crosscheck(d: Derivation, cases: int) -> list[Check]:
    """Jacobian and Lipschitz constants against finite differences, direct chord ratios and the NumPy kernel.

    Inputs: the reference point of theory-notes §6 item 2 and ``cases`` Hypothesis draws of
    rational ``p`` (V ≤ 6), ``T`` in [1/20, 20], ``ε`` in {1/1000, 1/100, 1/20, 1/10} (at most
    1/(2V)), tangent directions and logits. Upper bounds are checked one-sidedly
    (``max(0, sampled − bound)/bound``), enclosures by the distance of an independent maximum
    outside them.
    """
    out: list[Check] = []
    if d.op.kind == "separable":
        out += _crosscheck_sharp(d, cases)
    else:
        out += _crosscheck_vector(d, cases)
    ints = st.lists(st.integers(-4, 4), min_size=6, max_size=6)
    logits = st.lists(st.integers(-60, 60), min_size=2, max_size=6)
    drawn = draw(st.tuples(rational_distributions(max_size=6, max_denominator=200), temperatures(min_value=0.05, max_value=20),
                           st.sampled_from(EPS_CHOICES), ints, logits), cases, seed=0)
    inputs: list[Input] = [(list(REFERENCE_P), t, Fraction(1, 100), [1, -1, 0, 0, 0, 0], [10, 0, -10]) for t in REFERENCE_T]
    inputs += [(list(p), t, e, list(iv), list(zs)) for p, t, e, iv, zs in drawn]
    out += _jacobian_checks(d, inputs)
    out += _lipschitz_eps_checks(d, inputs)
    out += _logit_checks(d, inputs)
    out += _closed_checks(d, cases, inputs)
    return out


def _jacobian_checks(d: Derivation, inputs: Sequence[Input]) -> list[Check]:
    """``jacobian``: the derived ``∂_x s`` in the Jacobian formula vs central differences (mpmath and kernel)."""
    op = d.op
    q_jac = "jacobian.conclusion:dx_s"
    why = gate(d, "jacobian.conclusion")
    a_const = None if why else constant_or_none(d, "jacobian.conclusion", "dx_s")
    if why or a_const is None:
        why = why or "no derived dx_s"
        return [skip(q_jac, "Jacobian formula vs central differences of F_T, mpmath 50 digits", why),
                skip(q_jac + " (kernel)", "Jacobian formula vs central differences of the NumPy kernel", why)]
    rows: list[Row] = []
    krows: list[Row] = []
    for p, t, _e, _u, _z in inputs:
        q = _mp_eval(op, p, t)
        k = max(range(len(p)), key=lambda i: p[i])
        arr = np.array([float(v) for v in p])
        for j in range(len(p)):
            if j == k:
                continue
            u = [Fraction(int(i == j) - int(i == k)) for i in range(len(p))]
            at = {"p": pstr(p), "T": str(t), "direction": f"e{j}-e{k}"}
            sym = _jacobian_formula(a_const.expr, q, p, u, t)
            fd = _fd_direction(op, p, u, t)
            if sym is None:
                rows.append((at, math.nan, 0.0))
                continue
            scale = max(max(abs(v) for v in fd), mpmath.mpf(10) ** -20)  # absolute floor: 50-digit FD resolves ~1e-35
            i = max(range(len(p)), key=lambda i: abs(sym[i] - fd[i]))
            rows.append((at, float(sym[i] / scale), float(fd[i] / scale)))
            # the NumPy kernel: central difference in float64, step 1e-6·min(p)
            h = 1e-6 * float(min(p))
            uu = np.array([float(v) for v in u])
            kd = (apply(op, arr + h * uu, float(t)) - apply(op, arr - h * uu, float(t))) / (2 * h)
            ks = max(float(np.max(np.abs(kd))), 1.0)  # float64 FD error ~ 1e-16/h is absolute (|F| <= 1)
            i = int(np.argmax(np.abs(np.array([float(v) for v in sym]) - kd)))
            krows.append((at, float(sym[i]) / ks, float(kd[i]) / ks))
    dev, worst, n = compare_values(rows, relative=False)
    out = [Check(q_jac, "(diag q − q qᵀ) diag(a(p)) u vs central difference of F_T along u = e_j − e_k, mpmath 50 digits "
                 "(deviation relative to max(max |∂_u F|, 1e-20))", n, dev, 1e-12, relative=False, worst=worst)]
    dev, worst, n = compare_values(krows, relative=False)
    out.append(Check(q_jac + " (kernel)", "Jacobian formula vs central difference of the NumPy kernel apply() (float64, step "
                     "1e-6·min p; relative to max(max |∂_u F|, 1))", n, dev, 1e-5, relative=False, worst=worst))
    return out


def _lipschitz_eps_checks(d: Derivation, inputs: Sequence[Input]) -> list[Check]:
    """``lipschitz_eps``: L_bound (sampled ratios on Δ_ε), dF1_dx_V2 (central differences), L_sharp (grid maximum)."""
    worst: Mapping[str, str]
    at: Mapping[str, str]
    op = d.op
    cid = "lipschitz_eps.conclusion"
    why = gate(d, cid)
    out: list[Check] = []
    bound = None if why else constant_or_none(d, cid, "L_bound")
    q_b = f"{cid}:L_bound"
    if why or bound is None:
        out.append(skip(q_b, "sampled directional derivative ratios on Δ_ε", why or "no derived L_bound"))
    else:
        rows: list[tuple[dict[str, str], Any, Any]] = []
        pts = [([e, 1 - e], t, e, [Fraction(1), Fraction(-1)]) for t in REFERENCE_T for e in EXTREMAL_EPS]
        for w, t, e, iv, _z in inputs:
            v = len(w)
            e = min(e, Fraction(1, 2 * v))
            variants = [list(w)]
            j = min(range(v), key=lambda i: w[i])
            w0 = [Fraction(0) if i == j else wi for i, wi in enumerate(w)]
            variants.append([wi / sum(w0) for wi in w0])
            for ww in variants:
                p = [e + (1 - v * e) * wi for wi in ww]
                lo, hi = min(range(v), key=lambda i: p[i]), max(range(v), key=lambda i: p[i])
                pts.append((p, t, e, _tangent(iv, v)))
                if lo != hi:
                    pts.append((p, t, e, [Fraction(int(i == lo) - int(i == hi)) for i in range(v)]))
        for p, t, e, u in pts:
            b = _value_at(bound.expr, {T: t, EPS: e, V: len(p)})
            r1, r2 = _ratios(_fd_direction(op, p, u, t), u)
            at = {"p": pstr(p), "T": str(t), "eps": str(e), "u": pstr(u)}
            rows.append(({**at, "norm": "l1"}, math.nan if b is None else b, r1))
            rows.append(({**at, "norm": "l2"}, math.nan if b is None else b, r2))
        dev, worst, n = one_sided(rows)
        out.append(Check(q_b, "‖∂_u F_T(p)‖/‖u‖ (ℓ1, ℓ2; central differences, mpmath 50 digits) at p ∈ Δ_ε incl. faces "
                         "p_i = ε must not exceed L_bound(T, ε, V); deviation max(0, sampled − bound)/bound",
                         n, dev, 1e-10, worst=worst))

    q_t = f"{cid}:dF1_dx_V2"
    tang = None if why else constant_or_none(d, cid, "dF1_dx_V2")
    if why or tang is None:
        out.append(skip(q_t, "central differences of F_T(x, 1 − x)_1", why or "no derived dF1_dx_V2"))
    else:
        trows: list[tuple[dict[str, str], float, float]] = []
        for w, t, _e, _u, _z in inputs:
            xv = min(w)
            sym = _value_at(tang.expr, {x: xv, T: t, V: 2})
            trows.append(({"x": str(xv), "T": str(t), "V": "2"}, math.nan if sym is None else float(sym),
                          float(_tangent_fd_v2(op, xv, t))))
        for at, val in tang.values:
            if val.startswith("not evaluated"):
                continue
            xv, t = Fraction(at["x"]), Fraction(at["T"])
            trows.append(({**at, "stated": "yes"}, float(val), float(_tangent_fd_v2(op, xv, t))))
        dev, worst, n = compare_values(trows, relative=True)
        out.append(Check(q_t, "d/dx F_T(x, 1 − x)_1: derived expression and stated 20-digit values vs central difference "
                         "of evaluate_mp (50 digits)", n, dev, 1e-12, worst=worst))

    q_s = f"{cid}:L_sharp"
    sharp = None if why else constant_or_none(d, cid, "L_sharp")
    if why or sharp is None or not sharp.values:
        out.append(skip(q_s, "grid + golden-section maximisation of |d/dx F_T(x, 1 − x)_1|",
                        why or (sharp.meaning if sharp is not None else "no derived L_sharp")))
    else:
        srows = []
        for at, val in sharp.values:
            lo_v, hi_v = (mpmath.mpf(s) for s in val.strip("[]").split(","))
            srows.append((dict(at), lo_v, hi_v, _max_abs_tangent(op, Fraction(at["T"]), Fraction(at["eps"]))))
        dev, worst, n = in_interval(srows)
        out.append(Check(q_s, "V = 2: max over [ε, 1 − ε] of |central difference of F_T(x, 1 − x)_1| (41-point grid + 40 "
                         "golden-section steps, mpmath 50 digits) must lie in the Arb enclosure [lo, hi]",
                         n, dev, 1e-10, worst=worst))
    return out


def _logit_checks(d: Derivation, inputs: Sequence[Input]) -> list[Check]:
    """``lipschitz_logit``: spectral norms of the Jacobian of ``z ↦ F_T(softmax(z))`` with the NumPy kernel."""
    worst: Mapping[str, str]
    op = d.op
    q_l = "lipschitz_logit.conclusion:L_logit"
    why = gate(d, "lipschitz_logit.conclusion")
    logit = None if why else constant_or_none(d, "lipschitz_logit.conclusion", "L_logit")
    if why or logit is None:
        return [skip(q_l, "spectral norms of the Jacobian of z ↦ F_T(softmax(z)) (NumPy kernel)", why or "no derived L_logit"),
                skip(q_l + " (attained)", "spectral norm at z = 0, V = 2", why or "no derived L_logit")]

    def jac_norm(z: np.ndarray, t: float) -> float:
        def f(zz: np.ndarray) -> np.ndarray:
            s = np.exp(zz - zz.max())
            return np.asarray(apply(op, s / s.sum(), t))

        h = 1e-6
        cols = [(f(z + h * e) - f(z - h * e)) / (2 * h) for e in np.eye(len(z))]
        return float(np.linalg.norm(np.array(cols).T, 2))

    rows: list[tuple[dict[str, str], Any, Any]] = []
    sharp_rows: list[tuple[dict[str, str], float, float]] = []
    for _w, t, _e, _u, zs in inputs:
        lv = _value_at(logit.expr, {T: t})
        b = math.nan if lv is None else float(lv)
        z = np.array(zs, dtype=float) / 10
        rows.append(({"z": ",".join(f"{v:g}" for v in z), "T": str(t)}, b, jac_norm(z, float(t))))
        sharp_rows.append(({"z": "0,0", "T": str(t)}, b, jac_norm(np.zeros(2), float(t))))
    dev, worst, n = one_sided(rows)
    out = [Check(q_l, "‖J‖₂ of z ↦ apply(op, softmax(z), T) (central differences, float64) at drawn logits must not "
                 "exceed L_logit(T); deviation max(0, sampled − bound)/bound", n, dev, 1e-6, worst=worst)]
    dev, worst, n = compare_values(sharp_rows, relative=True)
    out.append(Check(q_l + " (attained)", "sharpness: ‖J‖₂ at z = 0, V = 2 (q = (1/2, 1/2)) equals L_logit(T) "
                     "(NumPy kernel, central differences)", n, dev, 1e-6, worst=worst))
    return out


def _closed_checks(d: Derivation, cases: int, inputs: Sequence[Input]) -> list[Check]:
    """``lipschitz_closed``: L_closed on the proved ranges, the blow-up rate and the counterexamples of a refuted range."""
    worst: Mapping[str, str]
    op = d.op
    key = "lipschitz_closed"
    hyps = {h: d.claim(f"{key}.{h}") for h in ("global_lipschitz_T_le_1", "global_lipschitz_T_gt_1")}
    lc = constant_or_none(d, f"{key}.conclusion", "L_closed")
    q_c = f"{key}.conclusion:L_closed"
    out: list[Check] = []
    if lc is None:
        reasons = "; ".join(f"{h}: {c.status} ({c.reason or 'no constant'})" for h, c in hyps.items())
        out.append(skip(q_c, "direct chord ratios on the closed simplex", f"no L_closed derived ({reasons})"))
    else:
        pairs = draw(st.tuples(st.integers(2, 6).flatmap(lambda v: st.tuples(
            st.lists(st.one_of(st.just(0), st.integers(1, 60)), min_size=v, max_size=v),
            st.lists(st.one_of(st.just(0), st.integers(1, 60)), min_size=v, max_size=v))),
            temperatures(min_value=0.05, max_value=20)), cases, seed=0)
        rows: list[tuple[dict[str, str], Any, Any]] = []
        eq_rows: list[tuple[dict[str, str], float, float]] = []
        tries: list[tuple[Sequence[int], Sequence[int], Fraction]] = [((7, 2, 1), (0, 5, 5), t)
                                                                      for t in (*REFERENCE_T, Fraction(1, 4), Fraction(3))]
        tries += [(a, b, t) for (a, b), t in pairs]
        for a, b, t in tries:
            if sum(a) == 0 or sum(b) == 0:
                continue
            p, p2 = [Fraction(k, sum(a)) for k in a], [Fraction(k, sum(b)) for k in b]
            if p == p2:
                continue
            L = _value_at(lc.expr, {T: t, V: len(p)})
            if L is None:
                continue  # outside the T-range where a closed-simplex constant is claimed
            try:
                r1, r2 = _closed_ratio(op, p, p2, t)
            except (NotWellDefined, ZeroDivisionError):
                continue  # a face where F_T is not defined: not a case
            at = {"p": pstr(p), "p2": pstr(p2), "T": str(t)}
            rows.append(({**at, "norm": "l1"}, L, r1))
            rows.append(({**at, "norm": "l2 (bound·sqrt V)"}, L * mpmath.sqrt(len(p)), r2))
            if lc.kind == "sharp":
                eq_rows.append((at, float(L), float(r1)))
        if not rows:
            out.append(skip(q_c, "direct chord ratios on the closed simplex", "no drawn T in the range where L_closed is defined"))
        else:
            dev, worst, n = one_sided(rows)
            out.append(Check(q_c, "ℓ1 chord ratios ‖F_T(p) − F_T(p')‖₁/‖p − p'‖₁ (ℓ2: against L·√V) of evaluate_mp at pairs "
                             "with zero entries must not exceed L_closed(T, V)", n, dev, 1e-12, worst=worst))
        if eq_rows:
            dev, worst, n = compare_values(eq_rows, relative=True)
            out.append(Check(q_c + " (attained)", "sharp (affine) constant: every ℓ1 chord ratio equals |r(T)|", n, dev, 1e-12,
                             worst=worst))
    return out + _blowup_checks(d, inputs)


def _blowup_checks(d: Derivation, inputs: Sequence[Input]) -> list[Check]:
    """A refuted closed-simplex range: the derived blow-up rate and the stated Arb chord ratios, by direct evaluation."""
    op = d.op
    key = "lipschitz_closed"
    hyps = {h: d.claim(f"{key}.{h}") for h in ("global_lipschitz_T_le_1", "global_lipschitz_T_gt_1")}
    rate = constant_or_none(d, f"{key}.conclusion", "blowup_rate")
    refuted = [(h, c) for h, c in hyps.items() if c.status == "refuted"]
    q_r = f"{key}.conclusion:blowup_rate"
    if rate is None or not refuted:
        why = "no hypothesis of lipschitz_closed is refuted" if not refuted else "no blow-up rate derived"
        return [skip(q_r, "direct chord ratios between (ε, 1 − ε) and (0, 1)", why)]
    out: list[Check] = []
    ident: list[tuple[dict[str, str], float, float]] = []
    lemma: list[tuple[dict[str, str], Any, Any]] = []
    temps = [Fraction(2), Fraction(3), Fraction(1, 2)] + [c[1] for c in inputs]
    for t in temps:
        for e in BLOWUP_EPS:
            r_e = _value_at(rate.expr, {T: t, EPS: e})
            r_1e = _value_at(rate.expr, {T: t, EPS: 1 - e})
            if r_e is None or r_1e is None:
                break  # no blow-up claimed at this T
            ratio, _ = _closed_ratio(op, [e, 1 - e], [Fraction(0), Fraction(1)], t)
            with mpmath.workdps(50):
                em = mpq(e)
                pred = r_e / (em * r_e + (1 - em) * r_1e)
            at = {"T": str(t), "eps": str(e)}
            ident.append((at, float(pred), float(ratio)))
            lemma.append((at, float(ratio), float(r_e / 2)))
    if not ident:
        out.append(skip(q_r, "direct chord ratios", "no T among the inputs where the rate is defined"))
    else:
        dev, worst, n = compare_values(ident, relative=True)
        out.append(Check(q_r, "chord ratio ‖F_T(ε, 1−ε) − F_T(0, 1)‖₁/(2ε) of evaluate_mp vs rate(ε)/(ε·rate(ε) + (1−ε)·rate(1−ε)) "
                         "(= ε^(c−1)/(ε^c + (1−ε)^c) for g = e^d x^c)", n, dev, 1e-12, worst=worst))
        dev, worst, n = one_sided(lemma)
        out.append(Check(q_r + " (lemma)", "chord ratio ≥ rate(ε)/2 (docs/theory/sensitivity.md); deviation "
                         "max(0, rate/2 − ratio)/ratio", n, dev, 1e-12, worst=worst))
    for h, c in refuted:
        ce = c.counterexample or {}
        rows: list[tuple[dict[str, str], float, float]] = []
        above: list[tuple[dict[str, str], Any, Any]] = []
        t = Fraction(str(ce.get("T", "0")))
        for pt in ce.get("points", []):
            e = Fraction(pt["eps"])
            ratio, _ = _closed_ratio(op, [e, 1 - e], [Fraction(0), Fraction(1)], t)
            at = {"T": str(t), "eps": pt["eps"], "L": pt["L"]}
            rows.append((at, float(mpmath.mpf(pt["lhs"]["decimal"])), float(ratio)))
            above.append((at, float(ratio), float(pt["L"])))
        if rows:
            dev, worst, n = compare_values(rows, relative=True)
            dev2, worst2, _ = one_sided(above)
            if dev2 > 0:
                dev, worst = math.inf, {**worst2, "failed": "chord ratio not above the certified level"}
            out.append(Check(f"{key}.{h}:counterexample", "stated Arb chord ratios (30 digits) vs direct evaluate_mp (50 digits), "
                             "compared as floats; each must exceed its level L", n, dev, 1e-15, worst=worst))
    return out


def _crosscheck_sharp(d: Derivation, cases: int) -> list[Check]:
    """lipschitz_eps_sharp against 50-digit finite differences of evaluate_mp (no derivation helper)."""
    key = "lipschitz_eps_sharp.conclusion"
    names = ("L1_sharp", "L1_upper", "L1_lower", "L2_lower", "L2_upper", "L2_rate_lower", "L2_witness")
    why = gate(d, key)
    ks = {nm: (None if why else constant_or_none(d, key, nm)) for nm in names}
    l1_k = ks["L1_sharp"]
    if why or l1_k is None:
        reason = why or "no derived L1_sharp"
        return [skip(f"{key}:{nm}", "finite differences on Delta_eps, V >= 3", reason) for nm in names[:5]]
    op = d.op
    out: list[Check] = []
    temps = [Fraction(1), Fraction(3, 2), Fraction(2), Fraction(4)]
    drawn = draw(st.tuples(rational_distributions(min_size=3, max_size=6, max_denominator=50),
                           st.sampled_from(temps), st.sampled_from(EPS_CHOICES), st.lists(st.integers(-4, 4), min_size=6, max_size=6)),
                 cases, seed=1)
    vertex_rows: list[tuple[dict[str, str], float, float]] = []
    l2_vertex: list[tuple[dict[str, str], float, float]] = []
    lo_rows: list[tuple[dict[str, str], Any, Any]] = []
    up_rows: list[tuple[dict[str, str], Any, Any]] = []
    bound1: list[tuple[dict[str, str], Any, Any]] = []
    bound2: list[tuple[dict[str, str], Any, Any]] = []
    settings = [(t, Fraction(1, 1000), 3) for t in temps] + [(t, e, len(w)) for w, t, e, _ in drawn]
    for t, e, vv in settings:
        e = min(e, Fraction(1, 2 * vv))
        env = {T: t, EPS: e, V: vv}
        l1 = _value_at(l1_k.expr, env)
        if l1 is None:
            continue
        # the vertex (eps, ..., eps, 1 - (V-1) eps) and direction e_1 - e_2: l1 and l2 ratios
        pv = [e] * (vv - 1) + [1 - (vv - 1) * e]
        u = [Fraction(1), Fraction(-1)] + [Fraction(0)] * (vv - 2)
        du = _fd_direction(op, pv, u, t)
        with mpmath.workdps(50):
            r1 = mpmath.fsum(abs(k) for k in du) / 2
            r2 = mpmath.sqrt(mpmath.fsum(k * k for k in du)) / mpmath.sqrt(2)
        at = {"T": str(t), "eps": str(e), "V": str(vv)}
        vertex_rows.append((at, float(l1), float(r1)))
        l2l = _value_at(ks["L2_lower"].expr, env) if ks["L2_lower"] is not None else None
        if l2l is not None:
            l2_vertex.append((at, float(l2l), float(r2)))
        for nm, rows, upper in (("L1_lower", lo_rows, False), ("L1_upper", up_rows, True)):
            kk = ks[nm]
            b = None if kk is None else _value_at(kk.expr, env)
            if b is not None:
                rows.append((at, b, r1) if upper else (at, r1, b))
    for w, t, e, iv in drawn:
        vv = len(w)
        e = min(e, Fraction(1, 2 * vv))
        env = {T: t, EPS: e, V: vv}
        l1 = _value_at(l1_k.expr, env)
        l2u = _value_at(ks["L2_upper"].expr, env) if ks["L2_upper"] is not None else None
        if l1 is None:
            continue
        p = [e + (1 - vv * e) * wi for wi in w]
        dirs = [[Fraction(int(k == i) - int(k == j)) for k in range(vv)] for i in range(vv) for j in range(vv) if i != j]
        dirs.append(_tangent(iv, vv))
        for u in dirs:
            r1, r2 = _ratios(_fd_direction(op, p, u, t), u)
            at = {"p": pstr(p), "T": str(t), "eps": str(e), "u": pstr(u)}
            bound1.append((at, l1, r1))
            if l2u is not None:
                bound2.append((at, l2u, r2))
    dev, worst, n = compare_values(vertex_rows, relative=True)
    out.append(Check(f"{key}:L1_sharp (attained)", "ℓ1 ratio ‖∂_u F_T‖₁/‖u‖₁ at the vertex (ε, …, ε, 1 − (V−1)ε), u = e₁ − e₂ "
                     "(central differences of evaluate_mp, 50 digits) equals L1_sharp", n, dev, 1e-12, worst=worst))
    dev, worst, n = one_sided(bound1)
    out.append(Check(f"{key}:L1_sharp", "ℓ1 ratios at drawn p ∈ Δ_ε (V ≥ 3) along every e_i − e_j and a drawn tangent u must "
                     "not exceed L1_sharp", n, dev, 1e-10, worst=worst))
    for nm, rows, what in (("L1_lower", lo_rows, "L1_lower ≤ attained ℓ1 ratio"), ("L1_upper", up_rows, "attained ℓ1 ratio ≤ L1_upper")):
        if rows:
            dev, worst, n = one_sided(rows)
            out.append(Check(f"{key}:{nm}", what + " at the vertex (finite differences)", n, dev, 1e-12, worst=worst))
        else:
            out.append(skip(f"{key}:{nm}", what, "not derived"))
    if l2_vertex:
        dev, worst, n = compare_values(l2_vertex, relative=True)
        out.append(Check(f"{key}:L2_lower", "ℓ2 ratio at the vertex along e₁ − e₂ equals L2_lower (so L2 ≥ L2_lower)", n, dev, 1e-12,
                         worst=worst))
    if bound2:
        dev, worst, n = one_sided(bound2)
        out.append(Check(f"{key}:L2_upper", "ℓ2 ratios at drawn p ∈ Δ_ε along every e_i − e_j and a drawn tangent u must not "
                         "exceed L2_upper", n, dev, 1e-10, worst=worst))
    return out + _l2_rate_checks(op, key, ks["L2_rate_lower"]) + _l2_witness_checks(op, key, ks["L2_witness"], ks["L1_upper"])


def _l2_rate_checks(op: Operator, key: str, rate: Any) -> list[Check]:
    """The ℓ2 liminf constant against a 450-digit ratio along the family of its proof at ε = 1e-400."""
    if rate is None:
        return []
    rows: list[tuple[dict[str, str], float, float]] = []
    for t in (Fraction(3, 2), Fraction(2), Fraction(3)):
        for vv in (3, 4):
            e = Fraction(1, 10**400)
            r = _value_at(rate.expr, {T: t, EPS: e, V: vv})
            if r is None:
                continue
            eta = Fraction(1, 10**200)  # eta = sqrt(eps): the family of the liminf proof
            p = [e] + [eta] * (vv - 2) + [1 - e - (vv - 2) * eta]
            u = [Fraction(1)] + [Fraction(-1, vv - 1)] * (vv - 1)
            _r1, r2 = _ratios(_fd_direction(op, p, u, t, dps=450), u, dps=450)
            rows.append(({"T": str(t), "V": str(vv), "eps": "1e-400", "eta": "1e-200", "rate": mpmath.nstr(r, 15)}, 1.0,
                         float(r2 / r)))  # as a quotient: both sides overflow a float
    if not rows:
        return []
    dev, worst, n = compare_values(rows, relative=True)
    return [Check(f"{key}:L2_rate_lower", "ℓ2 ratio along the family p = (ε, η, …, η, rest), η = √ε, u = (1, −1/(V−1), …) "
                  "at ε = 1e-400 (450-digit finite differences) divided by the liminf constant √(2(V−1)/V) c ε^(c−1) "
                  "(must be 1; relative error terms ε^((1−c)/2), ε^(c/2), below 1e-20 for c ≥ 1/9)", n, dev, 1e-9, worst=worst)]


def _l2_witness_checks(op: Operator, key: str, wit: Any, l1_upper: Any) -> list[Check]:
    """The stated ℓ2 witness: its chord ratio by direct evaluation, in Δ_ε and above (21/20)·L1_upper."""
    if wit is None or not wit.values:
        return []
    rows: list[tuple[dict[str, str], Any, Any]] = []
    above: list[tuple[dict[str, str], Any, Any]] = []
    for at, val in wit.values:
        t, e = Fraction(at["T"]), Fraction(at["eps"])
        p, p2 = parse_p(at["p"]), parse_p(at["p2"])
        _r1, r2 = _closed_ratio(op, p, p2, t)
        c = _value_at(l1_upper.expr, {T: t, EPS: e, V: 3}) if l1_upper is not None else None
        rows.append(({**at, "p": at["p"][:30], "p2": at["p2"][:30]}, float(r2), float(mpmath.mpf(val))))
        inside = min(p + p2) >= e and sum(p) == 1 and sum(p2) == 1
        above.append(({"T": at["T"], "eps": at["eps"], "in Delta_eps": str(inside)},
                      float(val) if inside else math.inf, float(c * L2_LEVEL) if c is not None else math.inf))
    dev, worst, n = one_sided(rows)
    dev2, worst2, _ = one_sided(above)
    if dev2 > 0:
        dev, worst = math.inf, {**worst2, "failed": "the witness is not above 21/20 c eps^(c-1) or leaves Delta_eps"}
    return [Check(f"{key}:L2_witness", "stated lower bound ≤ ℓ2 chord ratio of the stated pair (evaluate_mp, 50 digits), "
                  "pair in Δ_ε, and stated bound > (21/20) L1_upper", n, dev, 1e-12, worst=worst)]


def _softmax_f(z: Sequence[float] | np.ndarray) -> Any:
    a = np.asarray(z, dtype=float)
    s = np.exp(a - a.max())
    return s / s.sum()


def _tie_checks(d: Derivation) -> list[Check]:
    """A refuted ``continuous_at_ties``: the stated Arb chord ratios at the tie pairs by direct evaluation."""
    key = "lipschitz_vector"
    cont = d.claim(f"{key}.continuous_at_ties")
    if cont.status != "refuted":
        return []
    ce = cont.counterexample or {}
    rows: list[tuple[dict[str, str], float, float]] = []
    above: list[tuple[dict[str, str], Any, Any]] = []
    for pt in ce.get("points", []):
        t = Fraction(pt["T"])
        p, p2 = [Fraction(s) for s in pt["p"]], [Fraction(s) for s in pt["p2"]]
        r1, r2 = _closed_ratio(d.op, p, p2, t)
        at = {"T": pt["T"], "t": pt["t"], "L": pt["L"]}
        rows.append((at, float(mpmath.mpf(pt["lhs"]["decimal"])), float(r1)))
        above.append(({**at, "norm": "l1"}, float(pt["L"]), float(r1)))
        above.append(({**at, "norm": "l2"}, float(pt["L"]), float(r2)))
    if not rows:
        return [skip(f"{key}.continuous_at_ties:counterexample", "direct chord ratios", "no points stated")]
    dev, worst, n = compare_values(rows, relative=True)
    below = [(at, v, b) for at, b, v in above]  # ratio must be > L: one-sided on L - ratio
    dev2, worst2, _ = one_sided(below)
    if dev2 > 0 or any(float(v) <= float(b) for _, b, v in above):
        dev, worst = math.inf, {**worst2, "failed": "chord ratio not above the certified level"}
    return [Check(f"{key}.continuous_at_ties:counterexample", "stated Arb chord ratios vs direct evaluate_mp (50 digits) "
                  "at the tie pairs; each ℓ1 and ℓ2 ratio must exceed its level L", n, dev, 1e-15, worst=worst)]


def _crosscheck_vector(d: Derivation, cases: int) -> list[Check]:
    """lipschitz_vector: logit chord ratios (NumPy kernel), Δ_ε chord ratios and the top-k counterexample (evaluate_mp)."""
    worst: Mapping[str, str]
    key = "lipschitz_vector"
    op = d.op
    out = _tie_checks(d)
    why = gate(d, f"{key}.conclusion")
    ll = None if why else constant_or_none(d, f"{key}.conclusion", "L_logit_vec")
    if why or ll is None:
        for q in ("L_logit_vec", "L_logit_vec (attained)", "L_eps_vec"):
            out.append(skip(f"{key}.conclusion:{q}", "chord ratios", why or "no derived constant"))
        return out
    rng = np.random.default_rng(0)
    rows: list[tuple[dict[str, str], Any, Any]] = []
    att: list[tuple[dict[str, str], float, float]] = []
    lower = constant_or_none(d, f"{key}.conclusion", "L_logit_vec_lower")
    for t in (Fraction(1, 2), Fraction(1), Fraction(2), Fraction(5)):
        b = float(_value_at(ll.expr, {T: t}))
        for _ in range(max(cases, 1) * 40):
            vv = int(rng.integers(2, 6))
            z = rng.normal(scale=3, size=vv)
            z2 = z + rng.normal(scale=rng.choice([1e-3, 0.1, 2.0]), size=vv)
            f1, f2 = apply(op, _softmax_f(z), float(t)), apply(op, _softmax_f(z2), float(t))
            rows.append(({"T": str(t), "z": ",".join(f"{v:.3g}" for v in z)}, b,
                         float(np.linalg.norm(f1 - f2) / np.linalg.norm(z - z2))))
        # attainment / approach: z = 0 against s (e_1 - e_2), V = 2
        s = 1e-4
        f0, f1 = apply(op, _softmax_f([0.0, 0.0]), float(t)), apply(op, _softmax_f([s, -s]), float(t))
        want = b if ll.kind == "sharp" else (float(_value_at(lower.expr, {T: t})) if lower is not None else math.nan)
        att.append(({"T": str(t), "z": "0 vs (s, -s)", "s": str(s)}, want, float(np.linalg.norm(f1 - f0) / (s * math.sqrt(2)))))
    dev, worst, n = one_sided(rows)
    out.append(Check(f"{key}.conclusion:L_logit_vec", "ℓ2 chord ratios ‖G(z) − G(z')‖/‖z − z'‖ of G(z) = apply(op, softmax(z), T) "
                     "(NumPy kernel) at random logit pairs must not exceed L_logit_vec(T)", n, dev, 1e-9, worst=worst))
    dev, worst, n = compare_values(att, relative=True)
    out.append(Check(f"{key}.conclusion:L_logit_vec (attained)", "chord ratio between z = 0 and (s, −s), s = 1e-4, V = 2 "
                     "equals the sharp constant (sparsemax) or the stated lower bound (entmax15)", n, dev, 1e-6, worst=worst))
    le = constant_or_none(d, f"{key}.conclusion", "L_eps_vec")
    if le is not None:
        pairs = draw(st.tuples(rational_distributions(min_size=3, max_size=3, max_denominator=60),
                               rational_distributions(min_size=3, max_size=3, max_denominator=60),
                               temperatures(min_value=0.1, max_value=10), st.sampled_from(EPS_CHOICES)), max(cases, 1) * 5, seed=2)
        erows: list[tuple[dict[str, str], Any, Any]] = []
        for w1, w2, t, e in pairs:
            p1 = [e + (1 - 3 * e) * a for a in w1]
            p2 = [e + (1 - 3 * e) * a for a in w2]
            if p1 == p2:
                continue
            _r1, r2 = _closed_ratio(op, p1, p2, t)
            erows.append(({"p": pstr(p1), "p2": pstr(p2), "T": str(t), "eps": str(e)}, _value_at(le.expr, {T: t, EPS: e}), r2))
        dev, worst, n = one_sided(erows)
        out.append(Check(f"{key}.conclusion:L_eps_vec", "ℓ2 chord ratios of evaluate_mp at drawn pairs in Δ_ε (V = 3) must not "
                         "exceed L_eps_vec(T, ε)", n, dev, 1e-12, worst=worst))
    return out
