"""Refutations at poles and branch points of a separable score: exact points where ``g`` is
undefined, complex or ``<= 0`` (well_defined), and jumps of ``T -> F_T(p)`` across a pole or a
T-breakpoint (continuity). Every candidate goes to the certifier (:mod:`skd.verify.certify`),
which alone decides; the helpers here only propose exact points and exact one-sided limits.

>>> import sympy as sp
>>> from skd.operators.symbols import T
>>> critical_points(T - sp.Rational(7, 3), T, "ne0", sp.Integer(0), None)
[Fraction(7, 3)]
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import sympy as sp

from skd.operators.declare import Operator
from skd.operators.symbols import T, V, x

from ..outcome import Outcome
from ..regions import Piece, resolve_v
from ..signs import domain_conditions
from ..verdict import Counterexample
from .common import Subs, candidates_for, certify_or_none, frac, interval, p_with, sample_values, t_sub, values_dict, x_sub

__all__ = ["critical_points", "discontinuity_counterexample", "pole_jump", "refute_pole"]

_T_GRID = [Fraction(1, 10), Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(2), Fraction(3), Fraction(5),
           Fraction(10), Fraction(100)]
_X_GRID = [Fraction(1, 100), Fraction(1, 10), Fraction(1, 4), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), Fraction(3, 4),
           Fraction(9, 10), Fraction(99, 100)]
_MAX_POLE_CANDIDATES = 40


def _inside(v: Fraction, lo: sp.Expr, hi: sp.Expr | None, var: sp.Symbol) -> bool:
    r = sp.Rational(v.numerator, v.denominator)
    if var == V:
        return v.denominator == 1 and v >= 2
    return bool(r > lo) and (hi is None or bool(r < hi))


def critical_points(c: sp.Expr, var: sp.Symbol, kind: str, lo: sp.Expr, hi: sp.Expr | None) -> list[Fraction]:
    """Exact rational points of (lo, hi) where the side condition ``kind`` of ``c`` may fail:
    rational real roots of a rational ``c`` (its poles' and branch points' locations), points
    between and beyond its real roots (where a sign change puts it below 0), ``log(a) = 0`` at
    ``a = 1``; other expressions are probed on a fixed grid. The certifier decides each point."""
    out: list[Fraction] = []
    if isinstance(c, sp.log):
        return critical_points(c.args[0] - 1, var, kind, lo, hi)
    grid = _X_GRID if var == x else ([Fraction(k) for k in range(2, 12)] if var == V else _T_GRID)
    try:
        num, _den = sp.fraction(sp.together(c))
        poly = sp.Poly(num, var)
        ok_poly = all(not co.free_symbols for co in poly.all_coeffs()) and 0 < poly.degree() <= 12
    except (sp.PolynomialError, sp.GeneratorsNeeded, ValueError):
        ok_poly = False
    roots: list[sp.Expr] = []
    if ok_poly:
        try:
            roots = sorted(set(poly.real_roots()), key=lambda r: sp.N(r, 30))
        except (NotImplementedError, sp.PolynomialError, ValueError):
            ok_poly = False
    if ok_poly:
        approx = [Fraction(str(sp.N(r, 30))) for r in roots]
        for r in roots:
            if r.is_Rational:
                out.append(Fraction(int(r.p), int(r.q)))
        if kind in ("gt0", "ge0"):
            marks = [a for a in approx]
            mids = [(marks[i] + marks[i + 1]) / 2 for i in range(len(marks) - 1)]
            ends = ([marks[0] - Fraction(1, 7)] + [marks[-1] + Fraction(1, 7)]) if marks else []
            out += [m.limit_denominator(10**6) if m.denominator > 10**6 else m for m in mids + ends]
            if var == V:
                out = [Fraction(int(m)) if m >= 2 else m for m in out] + [Fraction(int(m) + 1) for m in out]
        out += grid if kind in ("gt0", "ge0") else []
    else:
        out += grid
    return [v for v in dict.fromkeys(out) if _inside(v, lo, hi, var)]


def refute_pole(op: Operator, tp: Piece, xp: Piece, base: Subs, g: sp.Expr) -> Outcome | None:
    """A point of the domain where ``g`` is undefined, complex or <= 0, from the exact real roots
    of its side conditions (``signs.domain_conditions``) and of ``g`` itself; each candidate goes
    to the certifier (exact or Arb evaluation of F), which alone decides. None if none certifies."""
    values = values_dict(op, base)
    if op.params and values is None:
        return None
    env = {s: v for s, v in sample_values(base).items() if s != V}
    Tdef, xdef = frac(sample_values([t_sub(tp)])[T]), frac(sample_values([x_sub(xp)])[x])
    Vdefs = [2] if dict(base).get(V) == 2 else [3, 4, 5]
    t_lo, t_hi = interval(tp)
    x_lo, x_hi = interval(xp)
    conditions = [(k, c) for k, c in domain_conditions(g) if k != "unsupported"] + [("gt0", g)]
    # the side conditions of the formula as written (SymPy cancelled them from g)
    conditions += [(k, c) for k, c, _guard in op.obligations]
    candidates: list[tuple[Fraction, Fraction, int]] = []
    for kind, c in conditions:
        for Vn in Vdefs:
            cv = c.subs(env).subs(V, Vn)
            syms = cv.free_symbols
            if syms == {T} and not tp.point:
                candidates += [(tv, xdef or Fraction(1, 3), Vn) for tv in critical_points(cv, T, kind, t_lo, t_hi)]
            elif syms == {x} and not xp.point:
                candidates += [(Tdef or Fraction(1), xv, Vn) for xv in critical_points(cv, x, kind, x_lo, x_hi)]
            elif syms == {x, T}:
                for xv in ([xdef] if xdef else []) + [Fraction(1, 3), Fraction(1, 2)]:
                    if not tp.point and _inside(xv, x_lo, x_hi, x):
                        candidates += [(tv, xv, Vn) for tv in critical_points(cv.subs(x, sp.Rational(xv.numerator, xv.denominator)),
                                                                                T, kind, t_lo, t_hi)]
                for tv in ([Tdef] if Tdef else []) + [Fraction(1), Fraction(2)]:
                    if not xp.point and _inside(tv, t_lo, t_hi, T):
                        candidates += [(tv, xv, Vn) for xv in critical_points(cv.subs(T, sp.Rational(tv.numerator, tv.denominator)),
                                                                                x, kind, x_lo, x_hi)]
        cV = c.subs(env)
        if V in cV.free_symbols and cV.free_symbols <= {V, T, x}:
            cV = cV.subs({T: sp.Rational(Tdef.numerator, Tdef.denominator) if Tdef else 1,
                          x: sp.Rational(xdef.numerator, xdef.denominator) if xdef else sp.Rational(1, 3)})
            if cV.free_symbols == {V}:
                candidates += [(Tdef or Fraction(1), xdef or Fraction(1, 3), int(vv))
                               for vv in critical_points(cV, V, kind, sp.Integer(2) if 2 in Vdefs else sp.Integer(2), None)
                               if vv.denominator == 1 and (vv > 2 or 2 in Vdefs)]
    tried = 0
    for Tv, xv, Vn in dict.fromkeys(candidates):
        if Tv is None or xv is None or tried >= _MAX_POLE_CANDIDATES:
            continue
        p = p_with([xv], Vn)
        if p is None:
            continue
        tried += 1
        ce = certify_or_none("certify_well_defined", op, p, Tv, values=values)
        if ce is not None:
            return Outcome("refuted", f"domain analysis: g is undefined, complex or <= 0 at an exact point of {tp.label}",
                           counterexample=ce)
    # irrational temperatures: exact real roots (radicals, pi, ...) of conditions in T alone
    if tp.point or op.params:
        return None
    xs = [xdef or Fraction(1, 3)]
    exact_T: list[tuple[sp.Expr, int]] = []
    for kind, c in conditions:
        if kind not in ("ne0", "gt0"):
            continue
        for Vn in Vdefs:
            cv = c.subs(env).subs(V, Vn)
            if cv.free_symbols == {x, T}:
                cv = cv.subs(x, sp.Rational(xs[0].numerator, xs[0].denominator))
            if cv.free_symbols == {T}:
                exact_T += [(r, Vn) for r in _irrational_roots(cv, t_lo, t_hi)]
    for t0, Vn in list(dict.fromkeys(exact_T))[:_MAX_IRRATIONAL_POLES]:
        p = p_with(xs, Vn)
        if p is None:
            continue
        ce = certify_or_none("certify_undefined_at_constant", op, p, t0, values=values)
        if ce is not None:
            return Outcome("refuted", f"domain analysis: g is undefined at the exact temperature T = {t0} of {tp.label}",
                           counterexample=ce)
    return None


_MAX_IRRATIONAL_POLES = 6
_MAX_SOLVE_OPS = 16


def _irrational_roots(c: sp.Expr, lo: sp.Expr, hi: sp.Expr | None) -> list[sp.Expr]:
    """Exact irrational real roots of ``c`` (a function of ``T``) in ``(lo, hi)``: roots in
    radicals of a rational ``c`` (degree <= 6), else SymPy's ``solve`` for a small expression
    (``T - pi``, ``cos(T)``, ``log(pi*T)``). Candidates only: the certifier decides each."""
    num = sp.fraction(sp.together(c))[0]
    # the roots of num and -num are the same: the route through -g asks again for every pole of g
    for key in ((num, lo, hi), (-num, lo, hi)):
        if key in _ROOTS_MEMO:
            return list(_ROOTS_MEMO[key])
    out = _irrational_roots_uncached(num, lo, hi)
    if len(_ROOTS_MEMO) >= _ROOTS_MEMO_MAX:
        _ROOTS_MEMO.clear()
    _ROOTS_MEMO[(num, lo, hi)] = tuple(out)
    return out


#: ``_irrational_roots`` per (numerator, lo, hi): a pure function of its arguments, and SymPy's
#: ``solve`` is the costliest call of a typical proof attempt (half of it through -g)
_ROOTS_MEMO: dict[tuple[sp.Expr, sp.Expr, sp.Expr | None], tuple[sp.Expr, ...]] = {}
_ROOTS_MEMO_MAX = 4096


def _irrational_roots_uncached(num: sp.Expr, lo: sp.Expr, hi: sp.Expr | None) -> list[sp.Expr]:
    found: list[sp.Expr] = []
    try:
        poly = sp.Poly(num, T)
        rational_coeffs = all(co.is_Rational for co in poly.all_coeffs())
    except (sp.PolynomialError, sp.GeneratorsNeeded, ValueError):
        poly, rational_coeffs = None, False
    try:
        if poly is not None and rational_coeffs and 0 < poly.degree() <= 6:
            found = list(sp.roots(poly, filter="R"))
        elif sp.count_ops(num) <= _MAX_SOLVE_OPS:
            found = list(sp.solve(num, T))
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError, ArithmeticError):
        return []
    out = []
    for r in found:
        # rational roots of a polynomial were tried exactly already; those of sin(pi*T) were not
        if (r.is_Rational and poly is not None and rational_coeffs) or r.free_symbols or r.has(sp.CRootOf, sp.I) or r.is_real is not True:
            continue
        v = sp.N(r, 30)
        if v > sp.N(lo, 30) and (hi is None or v < sp.N(hi, 30)):
            out.append(r)
    return out


_MAX_JUMP_POLES = 4


def pole_jump(op: Operator, tp: Piece, base: Subs) -> Counterexample | None:
    """A jump of ``T -> F_T(p)`` across a rational pole ``T0`` of the score inside the open
    T-piece ``tp``: the exact real roots of the score's denominators in ``T`` alone give ``T0``;
    SymPy's one-sided limits of ``F_T(p)`` at a fixed rational ``p`` are the candidate limits,
    and the certifier confirms each side by enclosures along ``T0 -+ 2^-k`` and the gap between
    them (:func:`skd.verify.certify.certify_discontinuity_T`). None if nothing certifies."""
    if tp.expr is None:
        return None
    values = values_dict(op, base)
    if op.params and values is None:
        return None
    env = {sym: v for sym, v in sample_values(base).items()}
    g = resolve_v(tp.expr, dict(base)[V]) if V in dict(base) else tp.expr
    g = g.subs({sym: v for sym, v in env.items() if sym != V})
    lo, hi = interval(tp)
    poles: list[Fraction] = []
    for kind, c in domain_conditions(g):
        if kind != "ne0":
            continue
        for Vn in ([int(env[V])] if V in env and env[V].is_Integer else [2, 3]):
            cv = c.subs(V, Vn)
            if cv.free_symbols == {T}:
                poles += [r for r in critical_points(cv, T, kind, lo, hi) if _is_root(cv, r)]
    for T0 in list(dict.fromkeys(poles))[:_MAX_JUMP_POLES]:
        t0 = sp.Rational(T0.numerator, T0.denominator)
        for p in candidates_for(base):
            Vn = len(p)
            gv = g.subs(V, Vn)
            scores = [gv.subs(x, sp.Rational(q.numerator, q.denominator)) for q in p]
            left, right = _limit_of_F(scores, t0, "-"), _limit_of_F(scores, t0, "+")
            if left is None or right is None or all(sp.simplify(a - b) == 0 for a, b in zip(left, right, strict=True)):
                continue
            ce = certify_or_none("certify_discontinuity_T", op, p, T0, left, right, values=values,
                                 proof=f"limits of the log-ratios (rational in T) at the pole T = {t0} of the score, "
                                       "taken exactly by SymPy")
            if ce is not None:
                return ce
    return None


def _limit_of_F(scores: Sequence[sp.Expr], t0: sp.Expr, side: str) -> list[sp.Expr] | None:
    """``lim_{T -> t0 side} F_T(p)`` for the scores ``g(p_i, T)`` at a fixed ``p``, from the
    limits of the log-ratios ``log g_k - log g_j``, each required to be a rational function of
    ``T`` (a limit SymPy takes exactly and fast); ``F_j -> 0`` when some ratio -> +oo, else
    ``1 / Σ_k exp(lim)``. None when a log-ratio is not rational in ``T``."""
    # log(a**b) = b log a for a > 0: scores near t0 are positive (checked by the certifier's
    # enclosures, which alone decide); force=True only splits products and powers
    logs = [sp.expand_log(sp.log(sc), force=True) for sc in scores]
    out = []
    for j in range(len(scores)):
        terms: list[sp.Expr] = []
        dominated = False  # some ratio F_k / F_j -> +oo: F_j -> 0
        for k in range(len(scores)):
            r = sp.together(logs[k] - logs[j])
            if r.has(sp.log) and any(a.has(T) for a in r.atoms(sp.log)) or not r.is_rational_function(T):
                return None
            try:
                lim = sp.limit(r, T, t0, side)
            except (NotImplementedError, ValueError, TypeError, ArithmeticError, sp.PolynomialError):
                return None
            if lim is sp.oo:
                dominated = True
                break
            if lim is -sp.oo:
                continue
            if not (lim.is_finite and lim.is_real):
                return None
            terms.append(sp.exp(lim))
        out.append(sp.Integer(0) if dominated else 1 / sp.Add(*terms))
    return out


def _is_root(c: sp.Expr, r: Fraction) -> bool:
    try:
        return sp.simplify(c.subs(T, sp.Rational(r.numerator, r.denominator))) == 0
    except (TypeError, ValueError, ArithmeticError):
        return False


def discontinuity_counterexample(op: Operator, b: sp.Expr, g_left: sp.Expr, g_right: sp.Expr,
                                  base: Subs) -> Counterexample | None:
    """Both neighbouring pieces continued to ``T = b`` give the exact one-sided limits of F."""
    bf = frac(b)
    if bf is None:
        return None
    values = values_dict(op, base)
    vals = sample_values(base)
    for p in candidates_for(base):
        Vn = len(p)
        env = {V: sp.Integer(Vn), **{s: v for s, v in vals.items() if s != V}}
        lim_l = [g_left.subs(env).subs(x, sp.Rational(q.numerator, q.denominator)) for q in p]
        lim_r = [g_right.subs(env).subs(x, sp.Rational(q.numerator, q.denominator)) for q in p]
        sl, sr = sp.Add(*lim_l), sp.Add(*lim_r)
        left = [v / sl for v in lim_l]
        right = [v / sr for v in lim_r]
        ce = certify_or_none("certify_discontinuity_T", op, p, bf, left, right, values=values,
                             proof=f"the pieces on both sides of T = {b} are continuous up to it")
        if ce is not None:
            return ce
    return None
