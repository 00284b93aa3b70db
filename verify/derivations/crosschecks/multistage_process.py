"""Cross-checks of the ``multistage`` process theorems: R2, R3, the exact projection chain, the explicit rates.

* R2 ``error_propagation``: the closed forms against the worst-case recursion in exact rationals;
* R3 ``euler_continuation``: the error bound against forward Euler on test equations;
* ``exact_projection_chain``: ``n`` exact projection stages, each found by minimising the KL objective
  (:func:`projection_chain_gap`), end at the one-shot student, at a temperature inside the stated scope
  of ``a(T)``;
* ``pruning_path_energy``, ``stage_statistical_error``: simulations with the operator's NumPy kernel
  (never the derived ``a(T)``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from skd.operators import apply, evaluate_mp
from skd.operators.symbols import T
from skd.theory.multistage import L_EULER, M_EULER, c, e0, eps_m, kappa, n, rho
from skd.theory.multistage import LAMBDA_X as LAMBDA_XS
from skd.theory.multistage import N_W as N_KL_W
from skd.theory.multistage import R_P as R_PS
from skd.theory.multistage import W_S as W_SS
from skd.theory.theorems import symbol

from ...checks import Check, compare_values, draw, gate, one_sided, skip
from ..claims import DerivedConstant
from ..common import constant_or_none, exact_fraction, mpq, richardson

if TYPE_CHECKING:
    from skd.operators.declare import Operator

    from .. import Derivation

__all__ = ["error_propagation_checks", "euler_checks", "explicit_rate_checks", "projection_chain_checks",
           "projection_chain_gap"]


def _temperature_in_scope(a_expr: sp.Expr) -> Fraction:
    """A temperature where the stated ``a(T)`` holds: inside its first interval of ``T`` (the midpoint, or
    ``lo + 2`` on an unbounded one — ``T = 1`` would be the identity), else its first point."""
    branches = list(a_expr.args) if isinstance(a_expr, sp.Piecewise) else [(a_expr, sp.true)]
    sets = [sp.Interval.open(0, sp.oo) if cond == sp.true else cond.as_set().intersect(sp.Interval.open(0, sp.oo))
            for _, cond in branches]
    for s_ in sets:
        parts = s_.args if isinstance(s_, sp.Union) else (s_,)
        iv = next((p for p in parts if isinstance(p, sp.Interval) and p.measure > 0), None)
        if iv is not None:
            lo = iv.inf
            return Fraction(str(lo)) + 2 if iv.sup == sp.oo else Fraction(str((lo + iv.sup) / 2))
    first = next((p for s_ in sets for p in (s_.args if isinstance(s_, sp.FiniteSet) else ())), None)
    return Fraction(str(first)) if first is not None else Fraction(1)


def error_propagation_checks(d: Derivation, cases: int) -> list[Check]:
    """R2 ``error_propagation``: the closed forms against the worst-case recursion ``e_k = ρ e_{k−1} + c/n² + ε_m``."""
    worst: Mapping[str, str]
    cid = "error_propagation.conclusion"
    why = gate(d, cid)
    r2 = ("e_n_bound", "e_n_bound_near_contraction", "n_star", "bound_at_n_star", "e_n_bound_contraction", "e_inf_bound_contraction")
    if why:
        return [skip(f"{cid}:{name}", "worst-case recursion e_k = ρ e_{k−1} + c/n² + ε_m", why) for name in r2]
    out: list[Check] = []
    params = draw(st.tuples(st.integers(1, 199), st.integers(1, 100), st.integers(1, 1000), st.integers(0, 100),
                            st.integers(1, 60), st.integers(0, 200)), cases, seed=0)
    fixed = [(90, 30, 1000, 20, 5, 50), (110, 30, 100, 20, 7, 50), (50, 30, 1000, 20, 1, 0)]
    rows: dict[str, list[Any]] = {k: [] for k in r2}
    ks = {k: d.constant(f"{cid}:{k}") for k in r2}

    def ev(expr: sp.Expr, env: Mapping[sp.Symbol, Fraction | int]) -> Any:
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
            dev, worst, cnt = one_sided(rows[name])
        else:
            dev, worst, cnt = compare_values(rows[name])
        out.append(Check(f"{cid}:{name}", meth, cnt, dev, tol, worst=worst))
    return out


def projection_chain_checks(d: Derivation, cases: int) -> list[Check]:
    """``exact_projection_chain``: ``n`` exact stages against the one-shot student (:func:`projection_chain_gap`)."""
    cid = "exact_projection_chain.conclusion"
    try:
        why = gate(d, cid)
    except KeyError:
        why = "no exact_projection_chain claim in this derivation"
    meth = ("max |f_n − f_one-shot| after n exact stages (each: golden-section minimiser over θ of Σ_x KL(F_T(target) ‖ F_T(g_θ)), "
            "F_T from evaluate_mp, 50 digits; g_θ ∝ exp(θ·x·1{y=0} + b_k(x, y)), random offsets b_k; one-shot with b_n)")
    if why:
        return [skip(f"{cid}:chain_equals_one_shot", meth, why)]
    a_k = constant_or_none(d, cid, "softened_parameter_scale")  # a(T), with the T-range where it is proved
    t_in = _temperature_in_scope(a_k.expr) if a_k is not None else Fraction(1)
    rows = []
    for nn, seed in ((2, 1), (3, 0))[:max(1, min(2, cases))]:
        gap, move = projection_chain_gap(d.op, t_in, nn, seed)
        rows.append(({"T": str(t_in), "n": str(nn), "seed": str(seed), "one_shot_moved": mpmath.nstr(move, 6)}, 0.0, float(gap)))
    dev = max(r[2] for r in rows)
    worst = {**max(rows, key=lambda r: r[2])[0], "gap": f"{dev:.3g}"}
    return [Check(f"{cid}:chain_equals_one_shot", meth + f"; T = {t_in} inside the proved scope", len(rows), dev, 1e-20,
                  relative=False, worst=worst)]


def projection_chain_gap(op: Operator, t: Fraction, n: int, seed: int = 0, *, dps: int = 50, iters: int = 170) -> tuple[Any, Any]:
    """``(gap, move)``: max |chain end − one-shot student| after ``n`` exact stages, and how far the
    offsets moved the one-shot student from the teacher's class (so a zero gap is not trivial).

    Independent of the theorem's argument: each stage *minimises* ``Σ_x KL(F_T(target) ‖ F_T(g_θ))``
    over θ by golden section (``dps`` digits), with ``F_T`` from :func:`evaluate_mp`. Classes:
    ``g_θ(y|x) ∝ exp(θ·x·1[y = 0] + b_k(x, y))``, three inputs ``x``, ``V = 3``, offsets ``b_k``
    drawn per stage (seeded); the one-shot fit uses the last stage's offsets.
    """
    rng = random.Random(seed)
    xs = [Fraction(1), Fraction(-1, 2), Fraction(2)]
    with mpmath.workdps(dps):
        def dist(vals: Sequence[Any]) -> list[Fraction]:
            top = max(vals)
            w = [mpmath.exp(v - top) for v in vals]
            z = mpmath.fsum(w)
            fr = [exact_fraction(wi / z) for wi in w[:-1]]
            return [*fr, 1 - sum(fr, Fraction(0))]

        def soft(p: Sequence[Fraction]) -> list[Any]:
            return [mpmath.mpf(v) for v in evaluate_mp(op, list(p), t, dps=dps)]

        def student(theta: Any, b: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
            return [dist([theta * mpq(xv) * (1 if y == 0 else 0) + mpq(b[j][y]) for y in range(3)]) for j, xv in enumerate(xs)]

        def fit(targets: Sequence[Sequence[Fraction]], b: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
            tq = [soft(tg) for tg in targets]

            def obj(theta: Any) -> Any:
                return mpmath.fsum(mpmath.fsum(a * mpmath.log(a / c) for a, c in zip(tqj, soft(gj), strict=True))
                                   for tqj, gj in zip(tq, student(theta, b), strict=True))

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
        gap = max(abs(mpq(a) - mpq(c)) for ra, rc in zip(cur, one, strict=True) for a, c in zip(ra, rc, strict=True))
        move = max(abs(mpq(a) - mpq(c)) for ra, rc in zip(one, teacher, strict=True) for a, c in zip(ra, rc, strict=True))
        return gap, move


def euler_checks(d: Derivation, cases: int) -> list[Check]:
    """R3 ``euler_continuation``: the error bound against forward Euler on test equations; the limit ``n(e − (1 + 1/n)^n)``."""
    worst: Mapping[str, str]
    cid = "euler_continuation.conclusion"
    why = gate(d, cid)
    if why:
        return [skip(f"{cid}:euler_error_bound", "forward Euler on θ' = λθ and the logistic equation", why),
                skip(f"{cid}:n_error_limit_exp", "n(e − (1 + 1/n)^n) extrapolated", why)]
    out: list[Check] = []
    kb = d.constant(f"{cid}:euler_error_bound")
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
    dev, worst, cnt = one_sided(rows)
    out.append(Check(f"{cid}:euler_error_bound", "|θ_n − θ(1)| of n forward-Euler steps (mpmath 30 digits) on θ' = λθ "
                     "(L = |λ|, M = λ²θ0·max(1, e^λ)) and the logistic equation (L = 1, M = 1/(6√3)) must not exceed "
                     "M(e^L − 1)/(2Ln)", cnt, dev, 0.0, worst=worst))
    ke = d.constant(f"{cid}:n_error_limit_exp")
    with mpmath.workdps(40):
        lim = richardson(lambda m: m * (mpmath.e - (1 + mpmath.mpf(1) / m) ** m), 1024, 2)
    val = float(sp.N(ke.expr, 30))
    dev, worst, cnt = compare_values([({"example": "theta' = theta"}, val, float(lim))])
    out.append(Check(f"{cid}:n_error_limit_exp", "two-level Richardson of n(e − (1 + 1/n)^n) at n = 1024, 2048, 4096 (mpmath)",
                     cnt, dev, 1e-9, worst=worst))
    return out


_RATE_TS = (Fraction(1, 2), Fraction(1), Fraction(2), Fraction(4))


def _softmax_rows(z: Any) -> Any:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _kernel_logits(op: Operator, w: Any, xs: Any, t: Fraction) -> Any:
    """Logits (reference row 0 subtracted) of ``apply(op, softmax(W x), T)`` for the rows of ``xs``: the operator's own
    NumPy kernel, not the derived ``a(T)``."""
    q = np.asarray(apply(op, _softmax_rows(xs @ w.T), float(t)))
    lq = np.log(q)
    return lq - lq[:, -1:]


def _constant_at(k: DerivedConstant, env: dict[sp.Symbol, Any]) -> float | None:
    val = sp.N(k.expr.subs({s: (sp.Rational(v.numerator, v.denominator) if isinstance(v, Fraction) else sp.Float(v, 30))
                            for s, v in env.items()}), 30)
    return float(val) if val.is_real and val.is_finite else None


def explicit_rate_checks(d: Derivation) -> list[Check]:
    """Independent simulations for ``pruning_path_energy`` and ``stage_statistical_error``.

    Both use the operator's NumPy kernel on ``softmax(Wx)`` (never the derived ``a(T)``):

    * ``a_T``: the kernel's logits of ``F_T(softmax(z))`` equal ``a(T)·z`` (two-sided, the derived ``a``);
    * ``S_n_bound``: ``S_n`` computed exactly on a seeded pool of 400 Gaussian inputs (V = 4, d = 5, half of the 15 free
      weights pruned by magnitude, n = 1 … 32) must not exceed the derived bound at the pool's ``λ_x``, ``s``, ``N_w``, ``w_s``;
    * ``eps_m_sq``: a Monte Carlo mean over 4000 least-squares stages (V = 3, d = 4, k = 2 features kept per row,
      m = 20 Gaussian inputs, a seeded Σ) against the exact formula (relative tolerance 0.08, about 4 standard errors);
      ``eps_m_sq_bound`` must not be below it.
    """
    out: list[Any] = []
    for cid, names in (("pruning_path_energy.conclusion", ("a_T", "S_n_bound")),
                       ("stage_statistical_error.conclusion", ("eps_m_sq", "eps_m_sq_bound"))):
        why = gate(d, cid) if any(c.id == cid for c in d.claims) else "no such claim in this derivation"
        consts = {k.name: k for k in d.claim(cid).constants} if why is None else {}
        if why is None and not consts:
            why = "no constants derived"
        if why:
            out += [skip(f"{cid}:{nm}", "simulation with the NumPy kernel", why) for nm in names]
            continue
        if cid.startswith("pruning"):
            out += _path_energy_checks(d.op, cid, consts["S_n_bound"])
        else:
            out += _stage_error_checks(d.op, cid, consts["eps_m_sq"], consts["eps_m_sq_bound"])
    return out


def _a_of(bound: DerivedConstant, t: Fraction) -> float | None:
    """``a(T)²`` read back from the derived ``S_n_bound = a(T)²·λ_x·s·N_w·w_s²/(4n)`` (the others set to 1, n = 1)."""
    env: dict[sp.Symbol, Any] = {s: Fraction(1) for s in bound.expr.free_symbols if s != T}
    val = _constant_at(bound, {**env, T: t})
    return None if val is None else 4 * val


def _path_energy_checks(op: Operator, cid: str, bound: DerivedConstant) -> list[Check]:
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
        dev, worst, cnt = one_sided(rows)
        out.append(Check(f"{cid}:S_n_bound", "S_n = Σ_k E_x KL(q_{t_{k−1}} ‖ q_{t_k}) of the kernel on a seeded pool (400 Gaussian "
                         "inputs, V = 4, d = 5, the 7 smallest of the 15 free weights pruned, n = 1 … 32) must not exceed "
                         "the derived bound; deviation max(0, S_n − bound)/bound", cnt, dev, 0.0, worst=worst))
    return out


def _stage_error_checks(op: Operator, cid: str, exact: DerivedConstant, bound: DerivedConstant) -> list[Check]:
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
        dev, worst, cnt = one_sided(rows_bound)
        out.append(Check(f"{cid}:eps_m_sq_bound", "the bound in the model parameters (λ_x = λ_max(Σ), s, N_w, w_s) must not be "
                         "below the exact value; deviation max(0, exact − bound)/bound", cnt, dev, 0.0, worst=worst))
    return out
