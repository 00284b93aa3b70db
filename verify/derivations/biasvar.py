"""Bias–variance topic of ``skd derive`` (``docs/theory/biasvar.md``).

Operator-agnostic identities (squared loss, KL, empirical-teacher moments, least-squares toy model)
are checked symbolically once per process; the delta method (bias ``B/m``, covariance ``V/m`` of
``F_T(p̂)``) is instantiated for separable operators, with the exact finite-``m`` bias computed by
multinomial enumeration (exact integer weights, scores at ``dps`` digits, sums in Arb balls).

>>> from fractions import Fraction as Q
>>> from skd.operators import library
>>> p = (Q(7, 10), Q(1, 5), Q(1, 10))
>>> [round(float(b), 5) for b in exact_bias(library.power, p, Q(2), 50)]  # theory-notes §5.7
[0.0053, -0.00083, -0.00447]
>>> [round(float(b) / 50, 5) for b in delta_B_V(library.power, p, Q(2))[0]]  # B/m: 21% off in class 3
[0.00463, -0.00093, -0.0037]
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import flint
import mpmath
import sympy as sp

from skd.operators.arith import MpArith
from skd.operators.evaluate import eval_expr, log_score
from skd.operators.symbols import T, V, x
from skd.theory import biasvar as th
from skd.theory.theorems import symbol

from ..regions import Unsupported, fresh_symbol, t_pieces, x_pieces
from .claims import Claim, Context, DerivedConstant, budgeted
from .common import REFERENCE_P, compositions, g_at_zero, piece_at, pstr

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = [
    "REFERENCE_M",
    "REFERENCE_P",
    "REFERENCE_T",
    "binomial_moments",
    "compositions",
    "delta_B_V",
    "derive",
    "exact_bias",
    "g_at_zero",
    "kl_identity",
    "least_squares_check",
    "squared_loss_identity",
]

#: The reference point of theory-notes §5.7 (with the teacher :data:`REFERENCE_P`): T and the sample size m.
REFERENCE_T = Fraction(2)
REFERENCE_M = 50
_PSTR = pstr(REFERENCE_P)


# -- operator-agnostic identities (symbolic, generic finite models) ------------------------------

def squared_loss_identity() -> tuple[str, ...]:
    """Check E||S − Y||² = bias² + variance + noise on a generic finite model; return the steps.

    >>> squared_loss_identity()[-1]
    'expand(LHS - RHS) = 0'
    """
    w, u = sp.symbols("w u", positive=True)
    s = [[sp.Symbol(f"s{a}{i}", real=True) for i in range(3)] for a in range(2)]
    y = [[sp.Symbol(f"y{b}{i}", real=True) for i in range(3)] for b in range(2)]
    ws, us = (w, 1 - w), (u, 1 - u)
    q = [us[0] * y[0][i] + us[1] * y[1][i] for i in range(3)]  # E[Y] = q
    es = [ws[0] * s[0][i] + ws[1] * s[1][i] for i in range(3)]
    lhs = sum(ws[a] * us[b] * sum((s[a][i] - y[b][i]) ** 2 for i in range(3)) for a in range(2) for b in range(2))
    bias2 = sum((es[i] - q[i]) ** 2 for i in range(3))
    var = sum(ws[a] * sum((s[a][i] - es[i]) ** 2 for i in range(3)) for a in range(2))
    noise = sum(us[b] * sum((y[b][i] - q[i]) ** 2 for i in range(3)) for b in range(2))
    diff = sp.expand(lhs - bias2 - var - noise)
    if diff != 0:
        raise ArithmeticError(f"squared-loss identity failed: residual {diff}")
    return ("generic model: V = 3; student S = s_a (a = 1, 2) with probabilities (w, 1 - w) over A; target Y = y_b "
            "(b = 1, 2) with probabilities (u, 1 - u), independent of A (joint weight w_a u_b); all 12 entries symbolic",
            "q := E Y = u y_1 + (1 - u) y_2 (the hypothesis E[Y|x] = q)",
            "LHS = sum_ab w_a u_b ||s_a - y_b||^2; RHS = ||E_A S - q||^2 + sum_a w_a ||s_a - E_A S||^2 + sum_b u_b ||y_b - q||^2",
            "expand(LHS - RHS) = 0")


def kl_identity() -> tuple[str, ...]:
    """Check Heskes' E_A KL(q||S) = KL(q||S̄) + E_A KL(S̄||S) on a generic finite model; return the steps.

    >>> kl_identity()[-1]
    'simplify(LHS - RHS) = 0'
    """
    w1, w2 = sp.symbols("w1 w2", positive=True)
    ws = (w1, w2, 1 - w1 - w2)
    q1, q2 = sp.symbols("q1 q2", positive=True)
    q = (q1, q2, 1 - q1 - q2)
    lam = [[sp.Symbol(f"l{a}{i}", real=True) for i in range(3)] for a in range(3)]  # log S_a,i
    mu = [sum(ws[a] * lam[a][i] for a in range(3)) for i in range(3)]  # E_A log S_i
    z = sum(sp.exp(mu[i]) for i in range(3))
    logz = sp.log(z)
    sbar = [sp.exp(mu[i]) / z for i in range(3)]
    log_sbar = [mu[i] - logz for i in range(3)]  # exact: exp(mu_i) > 0, z > 0
    lq = [sp.Symbol(f"logq{i}", real=True) for i in range(3)]  # log q_i (only differences matter)
    lhs = sum(ws[a] * sum(q[i] * (lq[i] - lam[a][i]) for i in range(3)) for a in range(3))
    bias = sum(q[i] * (lq[i] - log_sbar[i]) for i in range(3))
    var = sum(ws[a] * sum(sbar[i] * (log_sbar[i] - lam[a][i]) for i in range(3)) for a in range(3))
    diff = sp.simplify(sp.expand(lhs - bias - var))
    if diff != 0:
        raise ArithmeticError(f"KL identity failed: residual {diff}")
    return ("generic model: V = 3; S = S_a (a = 1, 2, 3) with probabilities (w1, w2, 1 - w1 - w2); log S_a,i = l_ai "
            "symbolic reals; q = (q1, q2, 1 - q1 - q2), log q_i symbolic",
            "mu_i = sum_a w_a l_ai = E_A log S_i; S_bar_i = exp(mu_i)/Z, Z = sum_i exp(mu_i), log S_bar_i = mu_i - log Z",
            "LHS = sum_a w_a sum_i q_i (log q_i - l_ai); RHS = sum_i q_i (log q_i - log S_bar_i) "
            "+ sum_a w_a sum_i S_bar_i (log S_bar_i - l_ai)",
            "simplify(LHS - RHS) = 0")


def binomial_moments() -> tuple[str, ...]:
    """Check Var N = m p (1 − p) and P(N = 0) = (1 − p)^m for symbolic m from the generating function.

    >>> binomial_moments()[-1]
    'E||p_hat - p||^2 = sum_i p_i (1 - p_i)/m = (1 - ||p||^2)/m'
    """
    z, pp = sp.symbols("z p", positive=True)
    mm = symbol("m")
    gf = (1 - pp + pp * z) ** mm
    e1 = sp.diff(gf, z).subs(z, 1)
    e2 = sp.diff(gf, z, 2).subs(z, 1)
    var = sp.simplify(e2 + e1 - e1**2)
    if sp.simplify(var - mm * pp * (1 - pp)) != 0:
        raise ArithmeticError(f"binomial variance: got {var}")
    p0 = gf.subs(z, 0)
    if sp.simplify(p0 - (1 - pp) ** mm) != 0:
        raise ArithmeticError(f"P(N = 0): got {p0}")
    return ("N_i ~ Bin(m, p_i): generating function G(z) = (1 - p + p z)^m, m symbolic",
            f"G'(1) = {sp.sstr(sp.simplify(e1))}, G''(1) = {sp.sstr(sp.simplify(e2))}, "
            "Var N = G''(1) + G'(1) - G'(1)^2 = m p (1 - p) (sympy simplify)",
            "P(N_i = 0) = G(0) = (1 - p_i)^m",
            "E||p_hat - p||^2 = sum_i p_i (1 - p_i)/m = (1 - ||p||^2)/m")


def least_squares_check() -> tuple[str, ...]:
    """Check that teacher risk − student risk = (1 + k/(N−k−1))·(threshold − tail²) identically.

    >>> least_squares_check()[-1]
    'simplify(teacher_risk - student_risk - (1 + k/(N - k - 1))*(threshold - tail2)) = 0; 1 + k/(N - k - 1) > 0 for N > k + 1'
    """
    k, n = symbol("k"), symbol("N")
    factor = 1 + k / (n - k - 1)
    diff = sp.simplify(th.TEACHER_RISK - th.STUDENT_RISK - factor * (th.THRESHOLD - th.TAIL2))
    if diff != 0:
        raise ArithmeticError(f"threshold algebra failed: residual {diff}")
    return ("model: y = x^T beta + eps, x ~ N(0, I_d), eps ~ N(0, sigma2) independent, N samples, N > d + 1 (so N > k + 1)",
            "OLS: beta_hat - beta = (X^T X)^{-1} X^T eps; E||.||^2 = sigma2 tr E[(X^T X)^{-1}] = sigma2 d/(N - d - 1) "
            "(inverse-Wishart mean, Muirhead 1982 Thm 3.2.12; docs/theory/biasvar.md#sparse-vs-dense)",
            "student on the first k features: the dropped part x_tail^T beta_tail is N(0, ||beta_tail||^2), independent "
            "of x_S and eps, so it is extra noise: E||beta_hat_S - beta_S||^2 = (sigma2 + tail2) k/(N - k - 1); "
            "excess risk with E[x x^T] = I is E||beta_hat - beta||^2 = tail2 + that",
            "simplify(teacher_risk - student_risk - (1 + k/(N - k - 1))*(threshold - tail2)) = 0; "
            "1 + k/(N - k - 1) > 0 for N > k + 1")


@functools.cache
def _agnostic(timeout: float) -> dict[str, Any]:
    """The four operator-agnostic checks, each budgeted, computed once per process."""
    return {name: budgeted(fn, seconds=timeout, what=name) for name, fn in (
        ("squared-loss identity", squared_loss_identity), ("KL identity", kl_identity),
        ("binomial moments", binomial_moments), ("least-squares threshold algebra", least_squares_check))}


# -- separable operators: score forms, closed simplex -------------------------------------------

def _positive_on(expr: sp.Expr, subs: dict[sp.Symbol, sp.Expr]) -> bool:
    e = sp.factor(sp.together(expr.subs(subs)))
    return bool(e.is_positive)


def _smooth(expr: sp.Expr, subs: dict[sp.Symbol, sp.Expr]) -> bool:
    """Structural C^oo check on the open region given by ``subs`` (fresh positive symbols).

    Allowed: numbers, symbols, +, *, powers with integer exponent of a positive base or any
    exponent of a positive base, exp, log of a positive argument. Anything else: False.
    """
    if expr.is_Number or expr.is_Symbol:
        return True
    if isinstance(expr, (sp.Add, sp.Mul)):
        return all(_smooth(a, subs) for a in expr.args)
    if isinstance(expr, sp.Pow):
        base, ex = expr.args
        if not (_smooth(base, subs) and _smooth(ex, subs)):
            return False
        if x not in base.free_symbols:
            return base.is_Number and base.is_positive or _positive_on(base, subs)
        if ex.is_Integer and ex >= 0:
            return True
        return _positive_on(base, subs)
    if isinstance(expr, sp.exp):
        return _smooth(expr.args[0], subs)
    if isinstance(expr, sp.log):
        return _smooth(expr.args[0], subs) and _positive_on(expr.args[0], subs)
    return False


def _forms(score: sp.Expr) -> list[dict[str, Any]]:
    """Per T-piece: s, s_x, s_xx, the smoothness verdict and g(0+, T) with its sign."""
    out = []
    for tp in t_pieces(score):
        if tp.expr is None:
            raise Unsupported(f"no branch of the score applies on {tp.label}")
        tsub = {T: tp.substitution(fresh_symbol(T))}
        xps = [xp for xp in x_pieces(tp.expr) if not xp.point]
        if len(xps) != 1:
            raise Unsupported(f"the score has breakpoints in x on {tp.label}; the delta method is derived for scores "
                              "without x-breakpoints only")
        g = xps[0].expr
        if g is None:
            raise Unsupported(f"no branch of the score applies on {tp.label}, {xps[0].label}")
        subs = {**tsub, x: xps[0].substitution(fresh_symbol(x)), V: 2 + fresh_symbol(V)}
        smooth = _smooth(g, subs) and _positive_on(g, subs)
        s = log_score(g)
        sx = sp.simplify(sp.diff(s, x))
        sxx = sp.simplify(sp.diff(sx, x))
        g0 = sp.limit(g, x, 0, "+")
        g0_ok = g0.is_finite is not False and x not in g0.free_symbols and sp.limit(g, x, 0, "+") is not sp.nan
        tv_subs = {kk: vv for kk, vv in subs.items() if kk != x}
        nonneg = bool(g0 == 0) or _positive_on(g0, tv_subs)
        g1_pos = _positive_on(g.subs(x, 1), tv_subs)  # the normaliser of p_hat = e_i is g(1) + (V - 1) g(0)
        out.append({"label": str(tp.label), "lo": tp.lo, "hi": tp.hi, "point": tp.point, "g": g, "s": s, "sx": sx,
                    "sxx": sxx, "smooth": smooth, "g0": g0,
                    "g0_ok": bool(g0_ok and g0.is_finite) and nonneg and g1_pos})
    return out


# -- exact enumeration and the delta-method constants ---------------------------------------------

def _scores_on_grid(op: Operator, t: Fraction, m: int, v: int, dps: int) -> list[mpmath.mpf]:
    ar = MpArith(dps)
    out = []
    with mpmath.workdps(dps):
        out.append(mpmath.mpf(sp.N(g_at_zero(op, t, v), dps)))
        for kk in range(1, m + 1):
            env = {T: ar.num(t), V: ar.num(v), x: ar.num(Fraction(kk, m))}
            out.append(mpmath.mpf(eval_expr(op.score, env, ar)))
    return out


def exact_bias(op: Operator, p: Sequence[Fraction], t: Fraction, m: int, dps: int = 40) -> list[mpmath.mpf]:
    """Exact ``E F_T(p̂) − F_T(p)`` for ``p̂`` the empirical distribution of ``m`` draws from ``p``.

    Sums over all multinomial outcomes with exact integer weights; scores ``g(k/m)`` at ``dps``
    digits (``g(0)`` as the limit ``x → 0⁺``); the sums are formed in Arb balls. Separable
    operators without free parameters only.

    >>> [round(float(b), 5) for b in exact_bias(__import__("skd.operators.library").operators.library.power,
    ...                                         [Fraction(1, 2), Fraction(1, 2)], Fraction(2), 1)]
    [0.0, 0.0]
    """
    if op.kind != "separable" or op.params:
        raise ValueError("exact_bias handles separable operators without free parameters")
    p = [Fraction(v) for v in p]
    v = len(p)
    den = math.lcm(*(pi.denominator for pi in p))
    nums = [int(pi * den) for pi in p]
    prec = int(dps * 3.33) + 20
    old = flint.ctx.prec
    flint.ctx.prec = prec
    try:
        with mpmath.workdps(dps):
            g = [flint.arb(mpmath.nstr(gv, dps + 5)) for gv in _scores_on_grid(op, t, m, v, dps)]
            fact = [math.factorial(i) for i in range(m + 1)]
            powers = [[nj**e for e in range(m + 1)] for nj in nums]
            acc = [flint.arb(0)] * v
            for n in compositions(m, v):
                w = fact[m]
                for j, nj in enumerate(n):
                    w = w * powers[j][nj]
                for nj in n:
                    w //= fact[nj]
                gs = [g[nj] for nj in n]
                dsum = sum(gs[1:], gs[0])
                wa = flint.arb(w) / dsum
                acc = [acc[i] + wa * gs[i] for i in range(v)]
            scale = flint.arb(den) ** m
            ef = [a / scale for a in acc]
            # F_T(p) at the same precision
            ar = MpArith(dps)
            gp = [mpmath.mpf(eval_expr(op.score, {T: ar.num(t), V: ar.num(v), x: ar.num(pi)}, ar)) for pi in p]
            zp = mpmath.fsum(gp)
            return [mpmath.mpf((ef[i] - flint.arb(mpmath.nstr(gp[i] / zp, dps + 5))).mid().str(dps + 5, radius=False))
                    for i in range(v)]
    finally:
        flint.ctx.prec = old


def delta_B_V(op: Operator, p: Sequence[Fraction], t: Fraction, dps: int = 40) -> tuple[list[mpmath.mpf], list[list[mpmath.mpf]]]:
    """``B(p, T)`` and ``V(p, T)`` of the delta method from the closed forms of ``docs/theory/biasvar.md``.

    ``B_i = lim m·(E F_T(p̂)_i − F_T(p)_i)``, ``V = lim m·Cov F_T(p̂)``; needs ``s = log g`` twice
    differentiable at every ``p_i`` (checked by :func:`derive`, not here).

    >>> B, Vm = delta_B_V(__import__("skd.operators.library").operators.library.power,
    ...                   [Fraction(7, 10), Fraction(1, 5), Fraction(1, 10)], Fraction(2))
    >>> abs(round(float(sum(B)), 12)), round(float(Vm[0][0]), 6)
    (0.0, 0.07562)
    """
    pieces = _forms(op.score)
    pc = piece_at(pieces, Fraction(t), lambda pc: (pc["lo"], pc["hi"], pc["point"]))
    if pc is None:
        raise ValueError(f"no T-piece contains T = {t}")
    v = len(p)
    tv = sp.Rational(t.numerator, t.denominator)
    with mpmath.workdps(dps):
        def num(e: sp.Expr, pi: Fraction) -> mpmath.mpf:
            return mpmath.mpf(sp.N(e.subs({T: tv, V: v, x: sp.Rational(pi.numerator, pi.denominator)}), dps + 5))
        pm = [mpmath.mpf(pi.numerator) / pi.denominator for pi in p]
        sv = [num(pc["s"], pi) for pi in p]
        a = [num(pc["sx"], pi) for pi in p]
        b = [num(pc["sxx"], pi) for pi in p]
        top = max(sv)
        w = [mpmath.exp(si - top) for si in sv]
        z = mpmath.fsum(w)
        q = [wi / z for wi in w]
        env = {
            th.M1: mpmath.fsum(pm[j] * q[j] * a[j] for j in range(v)),
            th.M2: mpmath.fsum(pm[j] * q[j] ** 2 * a[j] ** 2 for j in range(v)),
            th.M3: mpmath.fsum(pm[j] * q[j] * a[j] ** 2 for j in range(v)),
            th.M4: mpmath.fsum(pm[j] ** 2 * q[j] * a[j] ** 2 for j in range(v)),
            th.M5: mpmath.fsum(pm[j] * (1 - pm[j]) * q[j] * b[j] for j in range(v)),
        }
        fb = sp.lambdify([th.P_I, th.Q_I, th.A_I, th.B2_I, *env], th.B_I, "mpmath")
        fvi = sp.lambdify([th.P_I, th.Q_I, th.A_I, *env], th.V_II, "mpmath")
        fvk = sp.lambdify([th.P_I, th.Q_I, th.A_I, th.P_K, th.Q_K, th.A_K, *env], th.V_IK, "mpmath")
        ms = list(env.values())
        B = [fb(pm[i], q[i], a[i], b[i], *ms) for i in range(v)]
        Vm = [[fvi(pm[i], q[i], a[i], *ms) if i == kk else fvk(pm[i], q[i], a[i], pm[kk], q[kk], a[kk], *ms)
               for kk in range(v)] for i in range(v)]
        return B, Vm


def _numbers(op: Operator) -> dict[str, Any]:
    """Reference-point values (picklable strings) for the constants of one separable operator."""
    B, Vm = delta_B_V(op, REFERENCE_P, REFERENCE_T)
    bias = exact_bias(op, REFERENCE_P, REFERENCE_T, REFERENCE_M)
    return {"B": [_dec(b) for b in B], "V": [[_dec(c) for c in row] for row in Vm], "bias": [_dec(b) for b in bias]}


def _dec(v: mpmath.mpf) -> str:
    """12 significant digits; values below 1e-30 (numerically zero at 40 digits) are written 0.0."""
    return "0.0" if abs(v) < mpmath.mpf(10) ** -30 else mpmath.nstr(v, 12)


# -- derive ----------------------------------------------------------------------------------------

def _at(i: int | None = None, kk: int | None = None, m: int | None = None) -> dict[str, str]:
    at = {"p": _PSTR, "T": str(REFERENCE_T)}
    if m is not None:
        at["m"] = str(m)
    if i is not None:
        at["i"] = str(i)
    if kk is not None:
        at["k"] = str(kk)
    return at


def _agnostic_claims(ctx: Context) -> list[Claim]:
    res = _agnostic(ctx.timeout)
    out: list[Claim] = []
    specs = [
        (th.SQUARED_LOSS_DECOMPOSITION, "squared-loss identity", "sympy expand on a generic finite model", ()),
        (th.KL_DECOMPOSITION, "KL identity", "sympy simplify on a generic finite model", ()),
        (th.EMPIRICAL_TEACHER, "binomial moments", "sympy: generating function with symbolic m",
         (("E_sq_err", ({"p": _PSTR, "m": "50"}, "0.0092")),
          ("P_unseen", ({"p_i": "1/10", "m": "50"}, mpmath.nstr(mpmath.mpf(9) ** 50 / mpmath.mpf(10) ** 50, 12))))),
        (th.SPARSE_VS_DENSE, "least-squares threshold algebra", "sympy simplify + cited inverse-Wishart mean", ()),
    ]
    ls_at = {"d": "100", "k": "20", "N": "1000", "sigma2": "1"}
    ls_env = {symbol("d"): 100, symbol("k"): 20, symbol("N"): 1000, symbol("sigma2"): 1}
    for thm, what, method, vals in specs:
        hyp = thm.hypotheses[0]
        r = res[what]
        hid = f"{thm.key}.{hyp.key}"
        if r.ok:
            out.append(Claim(hid, thm.key, "hypothesis", "proved", hyp.statement, method=method, certificate=r.value))
        else:
            out.append(Claim(hid, thm.key, "hypothesis", "unknown", hyp.statement, method=method,
                             reason=r.reason, reason_kind=r.reason_kind))
        consts = []
        vmap = dict(vals)
        for c in thm.constants:
            values: tuple[tuple[dict[str, str], str], ...] = ()
            if c.name in vmap:
                values = (vmap[c.name],)
            meaning = c.meaning
            if thm is th.SPARSE_VS_DENSE and th.TAIL2 not in c.expr.free_symbols:
                exact = sp.nsimplify(c.expr.subs(ls_env))
                values = ((ls_at, str(sp.N(exact, 12))),)
                meaning += f" (= {exact} exactly at d = 100, k = 20, N = 1000, sigma2 = 1)"
            elif thm is th.SPARSE_VS_DENSE:
                values = tuple(({**ls_at, "tail2": tl}, str(sp.N(c.expr.subs({**ls_env, th.TAIL2: sp.Rational(tl)}), 12)))
                               for tl in ("1/50", "2/25", "1/5"))
            consts.append(DerivedConstant(c.name, c.expr, c.kind, meaning, values=values))
        out.append(Claim(f"{thm.key}.conclusion", thm.key, "conclusion", "pending", thm.conclusion,
                         method=f"theorem {thm.key} (operator-independent)", depends_on=(hid,), constants=tuple(consts)))
    return out


def derive(ctx: Context) -> list[Claim]:
    """The bias–variance claims for ``ctx.op`` (identities first, then the delta method)."""
    op = ctx.op
    claims = _agnostic_claims(ctx)
    thm = th.DELTA_METHOD
    wd = ctx.axiom_claim(f"{thm.key}.well_defined", thm.key, "well_defined", thm.hypothesis("well_defined").statement)
    diff_id, cs_id = f"{thm.key}.score_twice_differentiable", f"{thm.key}.closed_simplex"
    deps = (wd.id, diff_id, cs_id)
    conclusion = Claim(id=f"{thm.key}.conclusion", theorem=thm.key, role="conclusion", status="pending",
                       statement=thm.conclusion, method="theorem delta_method", depends_on=deps)
    if op.kind != "separable" or op.params:
        why = ("vector operators have no symbolic score: the delta-method constants are derived for separable operators "
               "only (the identities above still apply)" if op.kind != "separable"
               else "operators with free parameters: fix them first (op.fix(...))")
        unk: dict[str, Any] = {"status": "unknown", "reason": why, "reason_kind": "unsupported", "method": "none"}
        return claims + [
            wd,
            Claim(diff_id, thm.key, "hypothesis", statement=thm.hypothesis("score_twice_differentiable").statement, **unk),
            Claim(cs_id, thm.key, "hypothesis", statement=thm.hypothesis("closed_simplex").statement, **unk),
            conclusion,
        ]
    res = budgeted(_forms, op.score, seconds=ctx.timeout, what="x-derivatives and x -> 0+ limit of the score")
    pieces: list[dict[str, Any]] = res.value if res.ok and not isinstance(res.value, Unsupported) else []
    stmt_d = thm.hypothesis("score_twice_differentiable").statement
    stmt_c = thm.hypothesis("closed_simplex").statement
    if not pieces:
        reason = res.reason if not res.ok else str(res.value)
        kind = res.reason_kind if not res.ok else "unsupported"
        dclaim = Claim(diff_id, thm.key, "hypothesis", "unknown", stmt_d, method="sympy", reason=reason, reason_kind=kind)
        cclaim = Claim(cs_id, thm.key, "hypothesis", "unknown", stmt_c, method="sympy", reason=reason, reason_kind=kind)
        return claims + [wd, dclaim, cclaim, conclusion]
    scope = "full" if len(pieces) == 1 else "on every T-piece: " + "; ".join(pc["label"] for pc in pieces)
    bad = [pc["label"] for pc in pieces if not pc["smooth"]]
    sx = _piecewise(pieces, "sx")
    sxx = _piecewise(pieces, "sxx")
    dconsts = (DerivedConstant("a", sx, "exact", "a(x) = d/dx log g; a_j = a(p_j)"),
               DerivedConstant("b", sxx, "exact", "b(x) = d^2/dx^2 log g; b_j = b(p_j)"))
    if bad:
        dclaim = Claim(diff_id, thm.key, "hypothesis", "unknown", stmt_d, method="structural smoothness check",
                       reason=f"the score is not recognised as smooth and positive on x in (0, 1) on {', '.join(bad)}",
                       reason_kind="undecided", constants=dconsts)
    else:
        dclaim = Claim(diff_id, thm.key, "hypothesis", "proved", stmt_d, method="structural smoothness check + sympy diff",
                       scope=scope, constants=dconsts,
                       certificate=tuple(f"{pc['label']}: g = {sp.sstr(pc['g'])} is built from +, *, exp, powers and logs "
                                         f"of provably positive subexpressions on x in (0, 1), and g > 0 there, so s = log g "
                                         f"is C^oo; s_x = {sp.sstr(pc['sx'])}, s_xx = {sp.sstr(pc['sxx'])}"
                                         for pc in pieces))
    g0c = (DerivedConstant("g0", _piecewise(pieces, "g0"), "limit",
                           "g(0+, T): the score of a class never sampled; 0 means such a class stays at probability 0 "
                           "(dark knowledge lost with probability (1 - p_i)^m)"),)
    badc = [pc["label"] for pc in pieces if not pc["g0_ok"]]
    if badc:
        cclaim = Claim(cs_id, thm.key, "hypothesis", "unknown", stmt_c, method="sympy limit x -> 0+",
                       reason=f"g(0+, T) is not shown finite and >= 0 (or g(1, T) > 0) on {', '.join(badc)}", reason_kind="undecided",
                       constants=g0c)
    else:
        cclaim = Claim(cs_id, thm.key, "hypothesis", "proved", stmt_c, method="sympy limit x -> 0+ and sign", scope=scope,
                       constants=g0c,
                       certificate=tuple(f"{pc['label']}: lim_(x->0+) g = {sp.sstr(pc['g0'])} (finite, >= 0); g(1) > 0 and "
                                         "g > 0 on (0, 1), so the normaliser of any p_hat is positive" for pc in pieces))
    consts: list[DerivedConstant] = []
    nres = budgeted(_numbers, op, seconds=ctx.timeout, what="delta-method constants and exact enumeration at m = 50")
    if nres.ok and not bad and not badc:
        n = nres.value
        v = len(REFERENCE_P)
        consts.append(DerivedConstant("B_i", th.B_I, "limit", thm.constants[0].meaning,
                                      values=tuple((_at(i + 1), n["B"][i]) for i in range(v))))
        consts.append(DerivedConstant("V_ii", th.V_II, "limit", thm.constants[1].meaning,
                                      values=tuple((_at(i + 1), n["V"][i][i]) for i in range(v))))
        consts.append(DerivedConstant("V_ik", th.V_IK, "limit", thm.constants[2].meaning,
                                      values=tuple((_at(i + 1, kk + 1), n["V"][i][kk]) for i in range(v)
                                                   for kk in range(i + 1, v))))
        consts.append(DerivedConstant("bias_exact", th.BIAS_EXACT, "exact",
                                      "E F_T(p_hat)_i - F_T(p)_i at finite m by exact multinomial enumeration "
                                      "(compare B_i/m: the delta method is asymptotic)",
                                      values=tuple((_at(i + 1, m=REFERENCE_M), n["bias"][i]) for i in range(v))))
    elif not nres.ok:
        ctx.note(f"{op.name}: numeric values skipped ({nres.reason})")
    return claims + [wd, dclaim, cclaim, dataclasses.replace(conclusion, constants=tuple(consts), scope=scope)]


def _piecewise(pieces: list[dict[str, Any]], key: str) -> sp.Expr:
    """One expression over T: a single piece as is, else a Piecewise whose point pieces are folded into a
    neighbouring open piece (``<=``/``>=``) when that piece's expression takes the same value there."""
    if len(pieces) == 1:
        return pieces[0][key]
    opens = [pc for pc in pieces if not pc["point"]]
    closed_hi: set[int] = set()
    closed_lo: set[int] = set()
    for pc in pieces:
        if not pc["point"]:
            continue
        pt = pc["lo"]
        for j, op_ in enumerate(opens):
            if op_["hi"] == pt and sp.simplify(op_[key].subs(T, pt) - pc[key].subs(T, pt)) == 0:
                closed_hi.add(j)
                break
            if op_["lo"] == pt and sp.simplify(op_[key].subs(T, pt) - pc[key].subs(T, pt)) == 0:
                closed_lo.add(j)
                break
    branches = []
    for j, pc in enumerate(opens):
        conds = []
        if pc["lo"] is not None:
            conds.append(T >= pc["lo"] if j in closed_lo else T > pc["lo"])
        if pc["hi"] is not None:
            conds.append(T <= pc["hi"] if j in closed_hi else T < pc["hi"])
        branches.append((pc[key], sp.And(*conds) if conds else sp.true))
    return sp.Piecewise(*branches)
