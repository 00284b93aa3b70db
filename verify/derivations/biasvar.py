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

import functools
import itertools
import math
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

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

__all__ = [
    "REFERENCE_M",
    "REFERENCE_P",
    "REFERENCE_T",
    "binomial_moments",
    "compositions",
    "crosscheck",
    "delta_B_V",
    "derive",
    "exact_bias",
    "g_at_zero",
    "kl_identity",
    "least_squares_check",
    "squared_loss_identity",
]

REFERENCE_P = (Fraction(7, 10), Fraction(1, 5), Fraction(1, 10))
REFERENCE_T = Fraction(2)
REFERENCE_M = 50
_PSTR = ",".join(str(v) for v in REFERENCE_P)


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


def _piece_at(pieces: list[dict[str, Any]], t: Fraction) -> dict[str, Any]:
    tv = sp.Rational(t.numerator, t.denominator)
    for pc in pieces:
        if pc["point"]:
            if tv == pc["lo"]:
                return pc
            continue
        if (pc["lo"] is None or tv > pc["lo"]) and (pc["hi"] is None or tv < pc["hi"]):
            return pc
    raise ValueError(f"no T-piece contains T = {t}")


def g_at_zero(op: Any, t: Fraction, v: int) -> sp.Expr:
    """``g(0+, T=t, V=v)`` of a separable operator (SymPy limit); raises ``ValueError`` if not finite and ≥ 0.

    >>> from skd.operators import library
    >>> g_at_zero(library.power, Fraction(2), 3), g_at_zero(library.mixture, Fraction(2), 3)
    (0, 1/6)
    """
    tv = sp.Rational(t.numerator, t.denominator)
    g = op.score.subs({T: tv, V: v})
    g0 = sp.limit(g, x, 0, "+")
    if not (g0.is_real and g0.is_finite and g0 >= 0):
        raise ValueError(f"g(0+, T={t}) = {g0} is not a finite non-negative number")
    return g0


# -- exact enumeration and the delta-method constants ---------------------------------------------

def compositions(m: int, v: int) -> Iterator[tuple[int, ...]]:
    """All ``(n_1..n_v)`` of non-negative integers summing to ``m``.

    >>> sum(1 for _ in compositions(50, 3))
    1326
    """
    if v == 1:
        yield (m,)
        return
    for n0 in range(m, -1, -1):
        for rest in compositions(m - n0, v - 1):
            yield (n0, *rest)


def _scores_on_grid(op: Any, t: Fraction, m: int, v: int, dps: int) -> list[mpmath.mpf]:
    ar = MpArith(dps)
    out = []
    with mpmath.workdps(dps):
        out.append(mpmath.mpf(sp.N(g_at_zero(op, t, v), dps)))
        for kk in range(1, m + 1):
            env = {T: ar.num(t), V: ar.num(v), x: ar.num(Fraction(kk, m))}
            out.append(mpmath.mpf(eval_expr(op.score, env, ar)))
    return out


def exact_bias(op: Any, p: Sequence[Fraction], t: Fraction, m: int, dps: int = 40) -> list[mpmath.mpf]:
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


def delta_B_V(op: Any, p: Sequence[Fraction], t: Fraction, dps: int = 40) -> tuple[list[mpmath.mpf], list[list[mpmath.mpf]]]:
    """``B(p, T)`` and ``V(p, T)`` of the delta method from the closed forms of ``docs/theory/biasvar.md``.

    ``B_i = lim m·(E F_T(p̂)_i − F_T(p)_i)``, ``V = lim m·Cov F_T(p̂)``; needs ``s = log g`` twice
    differentiable at every ``p_i`` (checked by :func:`derive`, not here).

    >>> B, Vm = delta_B_V(__import__("skd.operators.library").operators.library.power,
    ...                   [Fraction(7, 10), Fraction(1, 5), Fraction(1, 10)], Fraction(2))
    >>> abs(round(float(sum(B)), 12)), round(float(Vm[0][0]), 6)
    (0.0, 0.07562)
    """
    pieces = _forms(op.score)
    pc = _piece_at(pieces, Fraction(t))
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


def _numbers(op: Any) -> dict[str, Any]:
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
    conclusion = dict(id=f"{thm.key}.conclusion", theorem=thm.key, role="conclusion", status="pending",
                      statement=thm.conclusion, method="theorem delta_method", depends_on=deps)
    if op.kind != "separable" or op.params:
        why = ("vector operators have no symbolic score: the delta-method constants are derived for separable operators "
               "only (the identities above still apply)" if op.kind != "separable"
               else "operators with free parameters: fix them first (op.fix(...))")
        unk = dict(status="unknown", reason=why, reason_kind="unsupported", method="none")
        return claims + [
            wd,
            Claim(diff_id, thm.key, "hypothesis", statement=thm.hypothesis("score_twice_differentiable").statement, **unk),
            Claim(cs_id, thm.key, "hypothesis", statement=thm.hypothesis("closed_simplex").statement, **unk),
            Claim(**conclusion),
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
        return claims + [wd, dclaim, cclaim, Claim(**conclusion)]
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
    conclusion["constants"] = tuple(consts)
    conclusion["scope"] = scope
    return claims + [wd, dclaim, cclaim, Claim(**conclusion)]


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


# -- cross-checks (skd crosscheck) ------------------------------------------------------------

#: two-sided confidence level of every Monte Carlo interval (Bonferroni-corrected over the intervals of one check)
MC_CONFIDENCE = 0.999
#: multinomial sample sizes of the m·bias → B check (exact enumeration at the reference point)
CONVERGENCE_M = (25, 50, 100, 200)


def _z(n_intervals: int) -> float:
    """Normal quantile of a simultaneous ``MC_CONFIDENCE`` interval over ``n_intervals`` intervals (Bonferroni)."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(1 - (1 - MC_CONFIDENCE) / (2 * max(n_intervals, 1)))


def _wilson(hits: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (valid also at 0 or n hits)."""
    ph = hits / n
    den = 1 + z * z / n
    mid = (ph + z * z / (2 * n)) / den
    half = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / den
    return (0.0 if hits == 0 else max(0.0, mid - half)), (1.0 if hits == n else min(1.0, mid + half))


def _ci_check(quantity: str, method: str, rows: list[tuple[dict[str, str], float, float, float]]) -> Any:
    """A check whose deviation is the distance of the symbolic value outside the interval ``[lo, hi]`` (tolerance 0)."""
    from ..checks import Check

    worst, where = 0.0, {}
    for i, (inputs, sym, lo, hi) in enumerate(rows):
        dev = max(lo - sym, sym - hi, 0.0) if math.isfinite(sym) else math.inf
        if dev > worst or i == 0:
            worst, where = dev, {**inputs, "symbolic": repr(sym), "numeric": f"CI [{lo!r}, {hi!r}]"}
    return Check(quantity, method, len(rows), worst, 0.0, relative=False, worst=where)


def _subs_float(expr: sp.Expr, env: dict[Any, Any]) -> float:
    return float(sp.N(expr.subs(env), 30))


def _mpq(f: Fraction) -> mpmath.mpf:
    return mpmath.mpf(f.numerator) / f.denominator


def _delta_from_constants(d: Any, p: Sequence[Fraction], t: Fraction, dps: int = 50) -> tuple[list[Any], list[list[Any]]]:
    """``B`` and ``V`` from the *derived constants* of ``d`` (a, b, B_i, V_ii, V_ik), with ``q = evaluate_mp``."""
    from skd.operators import evaluate_mp

    v = len(p)
    tv = sp.Rational(t.numerator, t.denominator)
    a_expr = d.constant("delta_method.score_twice_differentiable:a").expr
    b_expr = d.constant("delta_method.score_twice_differentiable:b").expr
    kmap = {k.name: k.expr for k in d.claim("delta_method.conclusion").constants}
    with mpmath.workdps(dps):
        pm = [_mpq(pi) for pi in p]
        q = evaluate_mp(d.op, p, t, dps=dps)

        def at(e: sp.Expr, pi: Fraction) -> mpmath.mpf:
            return mpmath.mpf(sp.N(e.subs({T: tv, V: v}).subs(x, sp.Rational(pi.numerator, pi.denominator)), dps + 5))

        a = [at(a_expr, pi) for pi in p]
        b = [at(b_expr, pi) for pi in p]
        ms = {
            th.M1: mpmath.fsum(pm[j] * q[j] * a[j] for j in range(v)),
            th.M2: mpmath.fsum(pm[j] * q[j] ** 2 * a[j] ** 2 for j in range(v)),
            th.M3: mpmath.fsum(pm[j] * q[j] * a[j] ** 2 for j in range(v)),
            th.M4: mpmath.fsum(pm[j] ** 2 * q[j] * a[j] ** 2 for j in range(v)),
            th.M5: mpmath.fsum(pm[j] * (1 - pm[j]) * q[j] * b[j] for j in range(v)),
        }
        args = [th.P_I, th.Q_I, th.A_I, th.B2_I, th.P_K, th.Q_K, th.A_K, *ms]
        fb, fvi, fvk = (sp.lambdify(args, kmap[n].subs({T: tv, V: v}), "mpmath") for n in ("B_i", "V_ii", "V_ik"))
        mv = list(ms.values())
        B = [fb(pm[i], q[i], a[i], b[i], 0, 0, 0, *mv) for i in range(v)]
        Vm = [[fvi(pm[i], q[i], a[i], b[i], 0, 0, 0, *mv) if i == k else
               fvk(pm[i], q[i], a[i], b[i], pm[k], q[k], a[k], *mv) for k in range(v)] for i in range(v)]
        return B, Vm


def _fd_B_V(op: Any, p: Sequence[Fraction], t: Fraction, dps: int = 50) -> tuple[list[Any], list[list[Any]]]:
    """B and V by central differences of ``F`` (mpmath, ``dps`` digits, step ``min(p)·1e-12``).

    ``Σ = diag(p) − p pᵀ``: ``B_i = ½(Σ_j p_j ∂_j²F_i − ∂_p²F_i)``, ``V_ik = Σ_j p_j ∂_jF_i ∂_jF_k − ∂_pF_i ∂_pF_k``
    (``∂_p`` the derivative along ``p`` itself); only derivatives along the simplex enter.
    """
    from skd.operators import evaluate_mp

    v = len(p)
    h = min(p) / 10**12
    with mpmath.workdps(dps):
        f0 = evaluate_mp(op, p, t, dps=dps)
        dirs = [tuple(Fraction(int(i == j)) for i in range(v)) for j in range(v)] + [tuple(p)]
        hh = _mpq(h)
        d1, d2 = [], []
        for u in dirs:
            fp = evaluate_mp(op, [a + h * c for a, c in zip(p, u)], t, dps=dps)
            fm = evaluate_mp(op, [a - h * c for a, c in zip(p, u)], t, dps=dps)
            d1.append([(a - c) / (2 * hh) for a, c in zip(fp, fm)])
            d2.append([(a - 2 * c0 + c) / hh**2 for a, c, c0 in zip(fp, fm, f0)])
        pm = [_mpq(a) for a in p]
        B = [(mpmath.fsum(pm[j] * d2[j][i] for j in range(v)) - d2[v][i]) / 2 for i in range(v)]
        Vm = [[mpmath.fsum(pm[j] * d1[j][i] * d1[j][k] for j in range(v)) - d1[v][i] * d1[v][k] for k in range(v)]
              for i in range(v)]
        return B, Vm


def _enumerated_bias(op: Any, p: Sequence[Fraction], t: Fraction, m: int, dps: int = 40) -> list[mpmath.mpf]:
    """``E F_T(p̂) − F_T(p)`` by enumerating the multinomial outcomes in plain mpmath (independent of
    :func:`exact_bias`): integer weights ``m!/∏n_j! ∏(den·p_j)^{n_j}``, ``F(n/m)`` by :func:`evaluate_mp`
    with a zero count scored ``g(0+)`` (the closed-simplex extension of the theorem)."""
    from skd.operators import evaluate_mp
    from skd.operators.arith import MpArith

    v = len(p)
    den = math.lcm(*(pi.denominator for pi in p))
    nums = [int(pi * den) for pi in p]
    ar = MpArith(dps)
    with mpmath.workdps(dps):
        g0 = mpmath.mpf(sp.N(g_at_zero(op, t, v), dps + 5))
        gk = [g0] + [mpmath.mpf(eval_expr(op.score, {T: ar.num(t), V: ar.num(v), x: ar.num(Fraction(k, m))}, ar))
                     for k in range(1, m + 1)]
        acc = [mpmath.mpf(0)] * v
        for n in compositions(m, v):
            w = math.factorial(m)
            for nj, cj in zip(n, nums):
                w = w * cj**nj // math.factorial(nj)
            gs = [gk[nj] for nj in n]
            c = mpmath.mpf(w) / mpmath.fsum(gs)
            for i in range(v):
                acc[i] += c * gs[i]
        scale = mpmath.mpf(den) ** m
        fp = evaluate_mp(op, p, t, dps=dps)
        return [acc[i] / scale - fp[i] for i in range(v)]


def _model_draws() -> Any:
    """Hypothesis: a finite model — student outcomes (weights, vectors), targets (weights, vectors), V."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        v = draw(st.integers(2, 6))
        na, nb = draw(st.integers(1, 6)), draw(st.integers(1, 6))
        ints = st.integers(1, 1000)
        ws = draw(st.lists(ints, min_size=na, max_size=na))
        us = draw(st.lists(ints, min_size=nb, max_size=nb))
        fl = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
        s = draw(st.lists(st.lists(fl, min_size=v, max_size=v), min_size=na, max_size=na))
        y = draw(st.lists(st.lists(fl, min_size=v, max_size=v), min_size=nb, max_size=nb))
        sw = draw(st.lists(st.lists(ints, min_size=v, max_size=v), min_size=na, max_size=na))  # KL: positive students
        qw = draw(st.lists(ints, min_size=v, max_size=v))
        return {"v": v, "w": ws, "u": us, "s": s, "y": y, "sw": sw, "qw": qw}

    return build()


def _identity_checks(d: Any, cases: int) -> list[Any]:
    import numpy as np

    from ..checks import Check, compare_values, draw

    out: list[Any] = []
    models = draw(_model_draws(), cases, seed=0)
    sq_ok = d.claim("squared_loss_decomposition.conclusion")
    if sq_ok.status not in ("established", "conditional"):
        out.append(Check("squared_loss_decomposition.conclusion:risk", "NumPy", 0, math.nan, 0.0,
                         skipped=f"conclusion {sq_ok.status}: {sq_ok.reason}"))
    else:
        risk = d.constant("squared_loss_decomposition.conclusion:risk").expr
        rows = []
        for k, mdl in enumerate(models):
            w = np.array(mdl["w"], float) / sum(mdl["w"])
            u = np.array(mdl["u"], float) / sum(mdl["u"])
            s, y = np.array(mdl["s"]), np.array(mdl["y"])
            lhs = float(sum(w[a] * u[b] * np.sum((s[a] - y[b]) ** 2) for a in range(len(w)) for b in range(len(u))))
            q, es = u @ y, w @ s
            env = {th.BIAS2: float(np.sum((es - q) ** 2)), th.VAR_S: float(w @ np.sum((s - es) ** 2, axis=1)),
                   symbol("sigma2"): float(u @ np.sum((y - q) ** 2, axis=1))}
            rows.append(({"model": f"draw {k}", "V": str(mdl["v"]), "|A|": str(len(w)), "|Y|": str(len(u))},
                         _subs_float(risk, env), lhs))
        dev, worst, n = compare_values(rows, relative=True, floor=1e-12)
        out.append(Check("squared_loss_decomposition.conclusion:risk",
                         "Bias2 + Var_S + noise (derived constant, terms by NumPy) vs E||S - Y||^2 summed directly over "
                         "Hypothesis-drawn finite models (float64)", n, dev, 1e-12, worst=worst))
    kl_ok = d.claim("kl_decomposition.conclusion")
    if kl_ok.status not in ("established", "conditional"):
        out.append(Check("kl_decomposition.conclusion:risk_KL", "NumPy", 0, math.nan, 0.0,
                         skipped=f"conclusion {kl_ok.status}: {kl_ok.reason}"))
    else:
        risk = d.constant("kl_decomposition.conclusion:risk_KL").expr
        rows = []

        def kl(a: Any, b: Any) -> float:
            return float(np.sum(a * np.log(a / b)))

        for k, mdl in enumerate(models):
            w = np.array(mdl["w"], float) / sum(mdl["w"])
            S = np.array(mdl["sw"], float)
            S /= S.sum(axis=1, keepdims=True)
            q = np.array(mdl["qw"], float) / sum(mdl["qw"])
            lhs = sum(w[a] * kl(q, S[a]) for a in range(len(w)))
            sbar = np.exp(w @ np.log(S))
            sbar /= sbar.sum()
            env = {th.KL_BIAS: kl(q, sbar), th.KL_VAR: sum(w[a] * kl(sbar, S[a]) for a in range(len(w)))}
            rows.append(({"model": f"draw {k}", "V": str(mdl["v"]), "|A|": str(len(w))}, _subs_float(risk, env), lhs))
        dev, worst, n = compare_values(rows, relative=True, floor=1e-12)
        out.append(Check("kl_decomposition.conclusion:risk_KL",
                         "KL(q||S_bar) + E KL(S_bar||S) (derived constant) vs E_A KL(q||S) summed directly over "
                         "Hypothesis-drawn finite models (float64)", n, dev, 1e-10, worst=worst))
    return out


def _empirical_checks(d: Any, cases: int) -> list[Any]:
    import numpy as np
    from hypothesis import strategies as st

    from ..checks import Check, compare_values, draw
    from ..strategies import rational_distributions

    c = d.claim("empirical_teacher.conclusion")
    names = ("E_sq_err", "P_unseen")
    if c.status not in ("established", "conditional"):
        return [Check(f"empirical_teacher.conclusion:{n}", "enumeration", 0, math.nan, 0.0,
                      skipped=f"conclusion {c.status}: {c.reason}") for n in names]
    e_sq = d.constant("empirical_teacher.conclusion:E_sq_err").expr
    unseen = d.constant("empirical_teacher.conclusion:P_unseen").expr
    msym = symbol("m")
    out: list[Any] = []
    # exact multinomial enumeration, small m
    small = draw(st.tuples(rational_distributions(max_size=4, max_denominator=30), st.integers(1, 10)), cases, seed=1)
    small = [(list(REFERENCE_P), 5)] + small
    sq_rows, un_rows = [], []
    for p, m in small:
        v = len(p)
        sq, miss = Fraction(0), [Fraction(0)] * v
        for n in compositions(m, v):
            w = Fraction(math.factorial(m))
            for nj, pj in zip(n, p):
                w = w * pj**nj / math.factorial(nj)
            sq += w * sum((Fraction(nj, m) - pj) ** 2 for nj, pj in zip(n, p))
            for i in range(v):
                if n[i] == 0:
                    miss[i] += w
        at = {"p": ",".join(map(str, p)), "m": str(m)}
        norm2 = sum(pj * pj for pj in p)
        sym = sp.Rational(e_sq.subs({th.NORM2_P: sp.Rational(norm2.numerator, norm2.denominator), msym: m}))
        sq_rows.append((at, float(sym), float(sq)))
        for i in range(v):
            symu = unseen.subs({th.P_I: sp.Rational(p[i].numerator, p[i].denominator), msym: m})
            un_rows.append(({**at, "i": str(i + 1)}, float(symu), float(miss[i])))
    for name, rows in (("E_sq_err", sq_rows), ("P_unseen", un_rows)):
        dev, worst, n = compare_values(rows, relative=True)
        out.append(Check(f"empirical_teacher.conclusion:{name}",
                         "derived closed form vs exact multinomial enumeration in rational arithmetic (m <= 10)",
                         n, dev, 0.0, worst=worst))
    # Monte Carlo, larger m
    reps = 20000
    big = draw(st.tuples(rational_distributions(max_size=5, max_denominator=30), st.sampled_from([50, 200])),
               max(1, min(cases, 8)), seed=2)
    big = [(list(REFERENCE_P), 50)] + big
    z_sq = _z(len(big))
    z_un = _z(sum(len(p) for p, _ in big))
    rng = np.random.default_rng(20240517)
    mc_sq, mc_un = [], []
    for p, m in big:
        pf = np.array([float(v) for v in p])
        pf /= pf.sum()
        counts = rng.multinomial(m, pf, size=reps)
        err = np.sum((counts / m - pf) ** 2, axis=1)
        mean, se = float(err.mean()), float(err.std(ddof=1)) / math.sqrt(reps)
        at = {"p": ",".join(map(str, p)), "m": str(m), "draws": str(reps)}
        norm2 = sum(pj * pj for pj in p)
        sym = float(e_sq.subs({th.NORM2_P: sp.Rational(norm2.numerator, norm2.denominator), msym: m}))
        mc_sq.append((at, sym, mean - z_sq * se, mean + z_sq * se))
        zeros = (counts == 0).sum(axis=0)
        for i in range(len(p)):
            lo, hi = _wilson(int(zeros[i]), reps, z_un)
            symu = float(sp.N(unseen.subs({th.P_I: sp.Rational(p[i].numerator, p[i].denominator), msym: m}), 20))
            mc_un.append(({**at, "i": str(i + 1)}, symu, lo, hi))
    conf = f"{MC_CONFIDENCE:.1%} simultaneous (Bonferroni)"
    out.append(_ci_check("empirical_teacher.conclusion:E_sq_err (Monte Carlo)",
                         f"derived closed form inside the {conf} normal CI of the mean of ||p_hat - p||^2 over {reps} "
                         "seeded multinomial draws (m in {50, 200}); deviation = distance outside the CI", mc_sq))
    out.append(_ci_check("empirical_teacher.conclusion:P_unseen (Monte Carlo)",
                         f"derived closed form inside the {conf} Wilson CI of the frequency of p_hat_i = 0 over {reps} "
                         "seeded multinomial draws (m in {50, 200}); deviation = distance outside the CI", mc_un))
    return out


def _least_squares_checks(d: Any, cases: int) -> list[Any]:
    import numpy as np
    from hypothesis import strategies as st

    from ..checks import Check, compare_values, draw

    c = d.claim("sparse_vs_dense.conclusion")
    names = ("teacher_risk", "student_risk", "threshold")
    if c.status not in ("established", "conditional"):
        return [Check(f"sparse_vs_dense.conclusion:{n}", "Monte Carlo", 0, math.nan, 0.0,
                      skipped=f"conclusion {c.status}: {c.reason}") for n in names]
    ks = {n: d.constant(f"sparse_vs_dense.conclusion:{n}") for n in names}
    sd, sk, sn, ss = symbol("d"), symbol("k"), symbol("N"), symbol("sigma2")

    @st.composite
    def setting(draw_: Any) -> tuple[int, int, int, Fraction, list[float]]:
        dd = draw_(st.integers(2, 6))
        kk = draw_(st.integers(1, dd - 1))
        nn = draw_(st.integers(dd + 4, 3 * dd + 12))
        s2 = draw_(st.sampled_from([Fraction(1, 2), Fraction(1), Fraction(2)]))
        beta = draw_(st.lists(st.floats(-1, 1, allow_nan=False), min_size=dd, max_size=dd))
        return dd, kk, nn, s2, beta

    settings_ = draw(setting(), max(1, min(cases, 4)), seed=3)
    reps = 4000
    z = _z(3 * len(settings_))
    rng = np.random.default_rng(7)
    rows: dict[str, list[Any]] = {n: [] for n in names}
    for dd, kk, nn, s2, beta in settings_:
        beta = np.array(beta)
        tail2 = float(np.sum(beta[kk:] ** 2))
        env = {sd: dd, sk: kk, sn: nn, ss: sp.Rational(s2.numerator, s2.denominator)}
        thr = _subs_float(ks["threshold"].expr, env)
        at = {"d": str(dd), "k": str(kk), "N": str(nn), "sigma2": str(s2), "beta": ",".join(f"{b:.4g}" for b in beta),
              "reps": str(reps)}

        def simulate(bvec: Any, nn: int = nn, dd: int = dd, kk: int = kk, s2: Fraction = s2) -> tuple[Any, Any]:
            X = rng.standard_normal((reps, nn, dd))
            y = X @ bvec + rng.normal(0.0, math.sqrt(float(s2)), (reps, nn))
            Xt = np.swapaxes(X, 1, 2)
            bt = np.linalg.solve(Xt @ X, (Xt @ y[..., None]))[..., 0]
            Xs = X[:, :, :kk]
            Xst = np.swapaxes(Xs, 1, 2)
            bs = np.zeros_like(bt)
            bs[:, :kk] = np.linalg.solve(Xst @ Xs, Xst @ y[..., None])[..., 0]
            return np.sum((bt - bvec) ** 2, axis=1), np.sum((bs - bvec) ** 2, axis=1)

        et, es = simulate(beta)
        for name, sample, tl in (("teacher_risk", et, tail2), ("student_risk", es, tail2)):
            mean, se = float(sample.mean()), float(sample.std(ddof=1)) / math.sqrt(reps)
            sym = _subs_float(ks[name].expr, {**env, th.TAIL2: tl})
            rows[name].append(({**at, "tail2": f"{tl:.6g}"}, sym, mean - z * se, mean + z * se))
        # at tail2 = threshold the two risks agree: paired difference of the simulated risks
        bthr = beta.copy()
        tnorm = float(np.sqrt(np.sum(beta[kk:] ** 2)))
        bthr[kk:] = (beta[kk:] / tnorm if tnorm > 0 else np.ones(dd - kk) / math.sqrt(dd - kk)) * math.sqrt(max(thr, 0.0))
        et, es = simulate(bthr)
        diff = es - et
        mean, se = float(diff.mean()), float(diff.std(ddof=1)) / math.sqrt(reps)
        rows["threshold"].append(({**at, "tail2 = threshold": f"{thr:.6g}"}, 0.0, mean - z * se, mean + z * se))
    conf = f"{MC_CONFIDENCE:.1%} simultaneous (Bonferroni)"
    out = [
        _ci_check("sparse_vs_dense.conclusion:teacher_risk", f"derived risk inside the {conf} CI of a seeded OLS "
                  f"simulation (x ~ N(0, I_d), {reps} data sets per case, E||beta_hat - beta||^2)", rows["teacher_risk"]),
        _ci_check("sparse_vs_dense.conclusion:student_risk", f"derived risk inside the {conf} CI of a seeded simulation "
                  "of OLS on the first k features", rows["student_risk"]),
        _ci_check("sparse_vs_dense.conclusion:threshold", f"with ||beta_tail||^2 set to the derived threshold, 0 inside "
                  f"the {conf} CI of the paired simulated difference student - teacher risk (deviation in risk units)",
                  rows["threshold"]),
    ]
    # the reference point of the derivation: d = 100, k = 20, N = 1000, sigma2 = 1
    ref = {sd: 100, sk: 20, sn: 1000, ss: 1}
    exact_rows = []
    for name in names:
        for at, val in ks[name].values:
            tl = Fraction(at["tail2"]) if "tail2" in at else None
            # independent textbook formulas in rational arithmetic (docs/theory/biasvar.md#sparse-vs-dense)
            ind = {"teacher_risk": Fraction(100, 899), "threshold": Fraction(80, 899),
                   "student_risk": (tl + (1 + tl) * Fraction(20, 979)) if tl is not None else None}[name]
            if ind is None:
                continue
            exact_rows.append(({**at, "constant": name, "form": "stated value"}, float(val), float(ind)))
            env = {**ref, th.TAIL2: sp.Rational(tl.numerator, tl.denominator)} if tl is not None else ref
            exact_rows.append(({**at, "constant": name, "form": "expression"}, _subs_float(ks[name].expr, env), float(ind)))
    dev, worst, n = compare_values(exact_rows, relative=True)
    out.append(Check("sparse_vs_dense.conclusion:* (d=100, k=20, N=1000)",
                     "stated values and expressions vs sigma2 d/(N-d-1), tail2 + (sigma2 + tail2) k/(N-k-1), "
                     "sigma2 (d-k)/(N-d-1) in exact rationals", n, dev, 1e-11, worst=worst))
    sims = 60
    X = np.random.default_rng(11).standard_normal((sims, 1000, 100))
    W = np.swapaxes(X, 1, 2) @ X
    tr_t = np.trace(np.linalg.inv(W), axis1=1, axis2=2)
    tr_s = np.trace(np.linalg.inv(W[:, :20, :20]), axis1=1, axis2=2)
    z2 = _z(1 + len(ks["student_risk"].values))
    mc = []
    tt = ("teacher_risk", {}, tr_t, 0.0)
    rows_ref = [tt] + [("student_risk", at, tr_s, float(Fraction(at["tail2"]))) for at, _ in ks["student_risk"].values]
    for name, at, tr, tl in rows_ref:
        sample = (1 + tl) * tr + tl  # E[ . | X] = (sigma2 + tail2) tr((X_S^T X_S)^-1) + tail2 (tail2 = 0 for the teacher)
        mean, se = float(sample.mean()), float(sample.std(ddof=1)) / math.sqrt(sims)
        env = {**ref, th.TAIL2: sp.Rational(Fraction(at["tail2"]).numerator, Fraction(at["tail2"]).denominator)} if at else ref
        mc.append(({"d": "100", "k": "20", "N": "1000", "sigma2": "1", **at, "constant": name, "reps": str(sims)},
                   _subs_float(ks[name].expr, env), mean - z2 * se, mean + z2 * se))
    out.append(_ci_check("sparse_vs_dense.conclusion:teacher_risk/student_risk (d=100, k=20, N=1000)",
                         f"derived risks inside the {conf} CI of a seeded simulation of sigma2 tr((X^T X)^-1) (Wishart, "
                         f"N x d Gaussian designs; the student on the first k columns, tail as extra noise)", mc))
    return out


def _delta_checks(d: Any, cases: int) -> list[Any]:
    from hypothesis import strategies as st

    from ..checks import Check, compare_values, draw
    from ..strategies import rational_distributions, temperatures

    c = d.claim("delta_method.conclusion")
    names = ("B_i", "V_ii", "V_ik", "bias_exact")
    have = {k.name for k in c.constants}
    if c.status not in ("established", "conditional") or not have >= set(names):
        why = f"conclusion {c.status}: {c.reason}" if c.status not in ("established", "conditional") else \
            "the delta-method constants were not computed (see the derivation notes)"
        return [Check(f"delta_method.conclusion:{n}", "finite differences / enumeration", 0, math.nan, 0.0, skipped=why)
                for n in names] + [Check("delta_method.conclusion:B_i (m*bias -> B)", "enumeration", 0, math.nan, 0.0,
                                         skipped=why)]
    op = d.op
    out: list[Any] = []
    drawn = draw(st.tuples(rational_distributions(max_size=5, max_denominator=60), temperatures(min_value=0.1, max_value=10)),
                 cases, seed=4)
    inputs = [(list(REFERENCE_P), REFERENCE_T), (list(REFERENCE_P), Fraction(1, 2))] + [(p, t) for p, t in drawn]
    rows: dict[str, list[Any]] = {"B_i": [], "V_ii": [], "V_ik": []}
    for p, t in inputs:
        try:
            B, Vm = _delta_from_constants(d, p, t)
            Bf, Vf = _fd_B_V(op, p, t)
        except (ValueError, ZeroDivisionError, TypeError) as exc:  # a T outside every piece, or a non-number
            rows["B_i"].append(({"p": ",".join(map(str, p)), "T": str(t), "error": str(exc)[:80]}, math.nan, 0.0))
            continue
        at = {"p": ",".join(map(str, p)), "T": str(t)}
        v = len(p)
        for i in range(v):
            rows["B_i"].append(({**at, "i": str(i + 1)}, float(B[i]), float(Bf[i])))
            rows["V_ii"].append(({**at, "i": str(i + 1)}, float(Vm[i][i]), float(Vf[i][i])))
            for k in range(i + 1, v):
                rows["V_ik"].append(({**at, "i": str(i + 1), "k": str(k + 1)}, float(Vm[i][k]), float(Vf[i][k])))
    for name, rws in rows.items():
        dev, worst, n = compare_values(rws, relative=True, floor=1e-8)
        out.append(Check(f"delta_method.conclusion:{name}",
                         "closed form (derived constants a, b and the formula, q = evaluate_mp) vs central differences "
                         "of F_T at 50 digits (step min(p)*1e-12), Sigma = diag(p) - p p^T; relative where |value| > 1e-8",
                         n, dev, 1e-12, worst=worst))
    # bias_exact: the stated values at m = 50 vs an independent enumeration
    bk = d.constant("delta_method.conclusion:bias_exact")
    enum = _enumerated_bias(op, REFERENCE_P, REFERENCE_T, REFERENCE_M)
    brow = [(at, float(val), float(enum[int(at["i"]) - 1])) for at, val in bk.values]
    dev, worst, n = compare_values(brow, relative=True, floor=1e-12)
    out.append(Check("delta_method.conclusion:bias_exact",
                     "stated values (12 digits) vs enumeration of all multinomial outcomes in mpmath (40 digits, "
                     "independent code)", n, dev, 1e-10, worst=worst))
    # m * bias -> B at the reference point, T in {2, 1/2}
    gaps_rows, final_rows, rich_rows = [], [], []
    for t in (REFERENCE_T, Fraction(1, 2)):
        try:
            B, _ = _delta_from_constants(d, REFERENCE_P, t)
        except (ValueError, ZeroDivisionError, TypeError):
            continue
        # gaps in units of max|B| (at least 1e-15: an unbiased operator is compared in absolute terms)
        scale = max(max(abs(b) for b in B), mpmath.mpf(10) ** -15)
        mb = {m: [m * b for b in _enumerated_bias(op, REFERENCE_P, t, m)] for m in CONVERGENCE_M}
        gaps = [float(max(abs(mb[m][i] - B[i]) for i in range(len(B))) / scale) for m in CONVERGENCE_M]
        at = {"p": _PSTR, "T": str(t), "m": ",".join(map(str, CONVERGENCE_M)),
              "gaps/max|B|": ",".join(f"{g:.3g}" for g in gaps)}
        increase = max([0.0] + [g2 - g1 for g1, g2 in itertools.pairwise(gaps)])
        gaps_rows.append((at, increase if increase > 1e-12 else 0.0, 0.0))
        final_rows.append(({**at, "m": str(CONVERGENCE_M[-1])}, gaps[-1], 0.0))
        m1, m2 = CONVERGENCE_M[-2], CONVERGENCE_M[-1]
        rich = [(m2 * mb[m2][i] - m1 * mb[m1][i]) / (m2 - m1) for i in range(len(B))]
        rows_r = [({**at, "m": f"{m1},{m2}", "i": str(i + 1)}, float(B[i] / scale), float(rich[i] / scale)) for i in range(len(B))]
        rich_rows.extend(rows_r)
    dev, worst, n = compare_values(gaps_rows, relative=False)
    out.append(Check("delta_method.conclusion:B_i (m*bias -> B, monotone)",
                     "max_i |m*bias_i - B_i| / max|B| decreases along m = " + ", ".join(map(str, CONVERGENCE_M))
                     + " (exact enumeration, p = 7/10,1/5,1/10, T = 2 and 1/2); deviation = largest increase "
                     "(increases below 1e-12 are rounding)", n, dev, 0.0, relative=False, worst=worst))
    dev, worst, n = compare_values(final_rows, relative=False)
    out.append(Check("delta_method.conclusion:B_i (m*bias -> B)",
                     f"max_i |m*bias_i - B_i| / max|B| at m = {CONVERGENCE_M[-1]} (exact enumeration); the gap is "
                     "O(1/m), tolerance 10% of the largest |B|", n, dev, 0.1, relative=False, worst=worst))
    dev, worst, n = compare_values(rich_rows, relative=False)
    out.append(Check("delta_method.conclusion:B_i (Richardson)",
                     f"B_i / max|B| vs the Richardson extrapolation (m2 m2*bias - m1 m1*bias)/(m2 - m1) of the exact "
                     f"m*bias at m1, m2 = {CONVERGENCE_M[-2]}, {CONVERGENCE_M[-1]} (error O(1/m^2)); tolerance 2% of the "
                     "largest |B|", n, dev, 0.02, relative=False, worst=worst))
    return out


def crosscheck(d: Any, cases: int) -> list[Any]:
    """Bias–variance quantities against independent computations.

    * the squared-loss and KL decompositions: both sides summed directly (NumPy) on Hypothesis-drawn
      finite models;
    * the empirical teacher: exact rational multinomial enumeration (m ≤ 10) and seeded Monte Carlo
      with a 99.9% simultaneous confidence interval (m ∈ {50, 200}; deviation = distance outside);
    * the least-squares risks and threshold: seeded OLS simulations (small d) with 99.9% CIs, the
      stated values at d = 100, k = 20, N = 1000 in exact rationals and by a Wishart simulation;
    * the delta method: B, V against 50-digit central differences of F at drawn (p, T); the stated
      finite-m bias against an independent enumeration; m·bias → B along m = 25 … 200.

    Operator-independent checks run for every operator; the delta method only where established.
    """
    return [*_identity_checks(d, cases), *_empirical_checks(d, cases), *_least_squares_checks(d, cases),
            *_delta_checks(d, cases)]
