"""Symbolic provers for separable operators: the reduction theorems of design.md §4.

Each prover returns an :class:`Outcome`: ``proved`` with certificate steps (every step a sign
fact about an expression re-derivable from the definition, re-decided by
:mod:`skd.verify.proofcheck`), ``refuted`` with a certified counterexample (built by
:mod:`skd.verify.certify` from an *exact* limit or exact inputs), or ``unknown`` with a reason.
Theorem statements and proofs: ``docs/theory/reductions.md``.

Obligations can be expensive; :mod:`skd.verify.checker` runs each prover in a worker process
under a time budget.

>>> from skd.operators import library
>>> prove("identity", library.power).status
'proved'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from skd.operators.evaluate import log_score
from skd.operators.symbols import T, V, x

from .regions import (
    Piece,
    Unsupported,
    expand_logs,
    fresh_symbol,
    normalize,
    param_pieces,
    t_pieces,
    x_pieces,
    _resolve,
    resolve_v,
    v_cases,
)
from .signs import Sign, sign_of
from .verdict import Counterexample, Step

__all__ = ["Outcome", "prove", "PROVERS", "derive", "DERIVATIONS", "lemma_outcomes"]

y = sp.Symbol("y", positive=True)  # a second probability entry


@dataclasses.dataclass
class Outcome:
    status: str
    method: str
    steps: list[Step] = dataclasses.field(default_factory=list)
    counterexample: Counterexample | None = None
    reason: str | None = None
    reason_kind: str | None = None
    scope: str = "full"
    #: the SymPy expressions of sign steps, keyed by their srepr (for proofcheck's spot checks)
    exprs: dict[str, sp.Expr] = dataclasses.field(default_factory=dict)
    #: the substitutions (regions) of sign steps, keyed by their srepr (for the kernel)
    subs: dict[str, tuple[tuple[sp.Symbol, sp.Expr], ...]] = dataclasses.field(default_factory=dict)


#: srepr -> expression of every sign step made in this process (filtered per outcome)
_EXPRS: dict[str, sp.Expr] = {}
#: srepr -> substitution of every sign step made in this process (filtered per outcome)
_SUBS: dict[str, tuple[tuple[sp.Symbol, sp.Expr], ...]] = {}


# -- derivations: named expressions that proofcheck recomputes from the definition ------------


def _d_dx(g: sp.Expr) -> sp.Expr:
    return sp.diff(g, x)


def _cross(g: sp.Expr) -> sp.Expr:
    return sp.diff(log_score(g), x, T)


def _over_x(g: sp.Expr) -> sp.Expr:
    return sp.diff(g / x, x)


DERIVATIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "g": lambda g: g,
    "dg/dx": _d_dx,
    "d2(log g)/dxdT": _cross,
    "d/dx (g/x)": _over_x,
}


def derive(name: str, g: sp.Expr) -> sp.Expr:
    """The expression called ``name`` (a key of :data:`DERIVATIONS`, or ``a - b`` of two
    point evaluations, see :func:`_glue_expr`) for piece expression ``g``."""
    return DERIVATIONS[name](g)


def _sign_step(expr: sp.Expr, subs: Sequence[tuple[sp.Symbol, sp.Expr]], what: str, where: str,
               piece_expr: sp.Expr) -> tuple[Sign | None, Step, sp.Expr]:
    v_sub = dict(subs).get(V)
    expr = sp.sympify(expr)  # safe: SymPy object, not text
    if v_sub is not None:
        expr = resolve_v(expr, v_sub)  # conditions in V alone are constant on the V case
    e = expand_logs(expr.subs(dict(subs), simultaneous=True))
    # definedness before substitution: SymPy evaluates as it substitutes, and a complex
    # intermediate can vanish (cosh(sqrt(T - 2)) at T = 1 becomes cos(1)); every side condition
    # of the expression as it stands must hold strictly on the region (reductions.md D.5)
    s = sign_of(e) if _defined_under(expr, subs) else None
    _EXPRS[sp.srepr(e)] = e
    subs_key = sp.srepr(sp.Tuple(*[sp.Tuple(a, b) for a, b in subs]))
    _SUBS[subs_key] = tuple((a, b) for a, b in subs)
    step = Step(
        text=f"{what} is {_SIGN_WORDS.get(s, 'undecided')} on {where}",
        check="sign",
        args=(
            ("derivation", what),
            ("piece", sp.srepr(piece_expr)),
            ("subs", subs_key),
            ("expr", sp.srepr(e)),
            ("sign", str(s)),
        ),
    )
    return s, step, e


_SIGN_WORDS = {"pos": "> 0", "neg": "< 0", "zero": "identically 0"}


def _defined_under(expr: sp.Expr, subs: Sequence[tuple[sp.Symbol, sp.Expr]]) -> bool:
    """Every side condition of ``expr`` (signs.domain_conditions, in the original symbols) holds
    on the region after substitution: denominators non-zero, log/real-power arguments > 0,
    asin/acos ranges, with nothing the walk does not know."""
    from .signs import domain_conditions

    env = dict(subs)
    for kind, c in domain_conditions(expr):
        if kind == "unsupported":
            return False
        cs = expand_logs(c.subs(env, simultaneous=True))
        if cs.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I) or not positive_free(cs):
            return False
        s = sign_of(cs)
        if not ((kind == "ne0" and s in ("pos", "neg")) or (kind == "gt0" and s == "pos") or (kind == "ge0" and s in ("pos", "zero"))):
            return False
    return True


def positive_free(e: sp.Expr) -> bool:
    return all(sym.is_positive is True for sym in e.free_symbols)


def _base_cases(op: Any) -> list[tuple[list[tuple[sp.Symbol, sp.Expr]], str]]:
    """V cases × parameter cases, as substitution lists with labels."""
    pcs = param_pieces(op.params)
    import itertools

    out = []
    for v_sub, v_label in v_cases(normalize(op.score)):
        for combo in itertools.product(*pcs) if pcs else [()]:
            subs = [(V, v_sub)] + [(s, e) for s, e, _ in combo]
            out.append((subs, ", ".join([v_label] + [lab for _, _, lab in combo])))
    return out


def _t_sub(tp: Piece) -> tuple[sp.Symbol, sp.Expr]:
    return (T, tp.substitution(fresh_symbol(T)))


def _x_sub(xp: Piece) -> tuple[sp.Symbol, sp.Expr]:
    return (x, xp.substitution(fresh_symbol(x)))


def _sample_values(subs: Sequence[tuple[sp.Symbol, sp.Expr]], k: int = 1) -> dict[sp.Symbol, sp.Expr]:
    """Exact values of the original symbols at fresh symbols = k."""
    vals = {}
    for sym, e in subs:
        vals[sym] = sp.nsimplify(e.subs({s: sp.Integer(k) for s in e.free_symbols}))
    return vals


def _frac(v: sp.Expr) -> Fraction | None:
    v = sp.nsimplify(v)
    if v.is_Rational:
        return Fraction(int(v.p), int(v.q))
    return None


def _p_with(entries: Sequence[Fraction], V_: int) -> list[Fraction] | None:
    """A point of the open simplex of size V_ containing ``entries`` (rest equal), or None."""
    rest = 1 - sum(entries)
    k = V_ - len(entries)
    if k < 0:
        return None
    if k == 0:
        return list(entries) if rest == 0 else None
    if rest <= 0:
        return None
    return list(entries) + [rest / k] * k


def _certify(name: str, *args: Any, **kwargs: Any) -> Counterexample | None:
    try:
        from . import certify
    except ImportError:
        return None
    fn = getattr(certify, name, None)
    if fn is None:
        return None
    try:
        return fn(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a failed certification is simply no counterexample
        return None


def _values_dict(op: Any, base: Sequence[tuple[sp.Symbol, sp.Expr]]) -> dict[str, Fraction] | None:
    vals = _sample_values(base)
    out = {}
    for prm in op.params:
        f = _frac(vals.get(prm.symbol, sp.nan))
        if f is None:
            return None
        out[prm.name] = f
    return out


# -- the provers --------------------------------------------------------------------------------


def _pieces_or_raise(op: Any) -> list[Piece]:
    if op.kind != "separable":
        raise Unsupported("symbolic provers handle separable operators only")
    return t_pieces(op.score)


#: wraps the score and the written side conditions so that one piece decomposition serves all
_ALL = sp.Function("_skd_all")


def _guarded(ob: tuple[str, sp.Expr, sp.Basic]) -> sp.Expr:
    """A written side condition as an expression that is 1 (trivially satisfied) off its guard."""
    _, e, guard = ob
    return e if guard is sp.true else sp.Piecewise((e, guard), (sp.Integer(1), True))


_OBLIGATION_WORDS = {"ne0": "!= 0", "gt0": "> 0", "ge0": ">= 0"}
_OBLIGATION_OK = {"ne0": ("pos", "neg"), "gt0": ("pos",), "ge0": ("pos", "zero")}


def prove_well_defined(op: Any, profile: Any = None) -> Outcome:
    """g defined, finite, real and > 0 on every piece (``sign_of`` proves definedness before any
    sign), and every side condition of the formula as written (``op.obligations``: divisors
    and branches that SymPy's simplification cancelled) holds where its guard holds."""
    if op.kind != "separable":
        raise Unsupported("symbolic provers handle separable operators only")
    obligations = tuple(getattr(op, "obligations", ()))
    combined = _ALL(op.score, *[_guarded(o) for o in obligations]) if obligations else op.score
    steps: list[Step] = []
    undecided = []
    for tp in t_pieces(combined):
        for base, blabel in _base_cases(op):
            if tp.expr is None:
                return _refute_undefined(op, tp, base, f"no Piecewise branch applies for {tp.label}")
            for xp in x_pieces(tp.expr):
                where = f"{tp.label}, {xp.label}, {blabel}"
                if xp.expr is None:
                    return _refute_undefined(op, tp, base, f"no Piecewise branch applies for {where}", xp)
                parts = xp.expr.args if obligations else (xp.expr,)
                g, written = parts[0], parts[1:]
                subs = [_t_sub(tp), _x_sub(xp)] + base
                s, step, _ = _sign_step(g, subs, "g", where, g)
                if s == "pos":
                    steps.append(step)
                else:
                    if s in ("neg", "zero"):
                        out = _refute_undefined(op, tp, base, f"g is {_SIGN_WORDS[s]} on {where}", xp)
                        if out.status == "refuted":
                            return out
                    out = _refute_pole(op, tp, xp, base, g)
                    if out is not None:
                        return out
                    undecided.append(f"g on {where}" + (" (not proved defined there)" if s is None and not _defined_on(g, subs) else ""))
                for k, (ob, e) in enumerate(zip(obligations, written)):
                    if e == 1:
                        continue  # the guard does not hold on this piece
                    kind = ob[0]
                    se, step_o, _ = _sign_step(e, subs, f"written side condition {k}", where, e)
                    if se in _OBLIGATION_OK[kind]:
                        steps.append(step_o)
                    else:
                        out = _refute_pole(op, tp, xp, base, g)
                        if out is not None:
                            return out
                        undecided.append(f"the written formula's side condition {sp.sstr(ob[1])} {_OBLIGATION_WORDS[kind]} on {where} "
                                         "(SymPy's simplification removed it from the score)")
    if undecided:
        return Outcome("unknown", "sign analysis", reason=f"definedness and positivity of g not proved: {undecided[:3]}",
                       reason_kind="undecided")
    return Outcome("proved", "reduction: g defined, finite and > 0 on every piece (docs/theory/reductions.md#well-defined)", steps)


def _defined_on(e: sp.Expr, subs: Sequence[tuple[sp.Symbol, sp.Expr]]) -> bool:
    from .signs import defined

    return defined(expand_logs(sp.sympify(e).subs(dict(subs), simultaneous=True)))  # safe: SymPy object


def _refute_undefined(op: Any, tp: Piece, base: Sequence[tuple[sp.Symbol, sp.Expr]], why: str,
                      xp: Piece | None = None) -> Outcome:
    vals = _sample_values([_t_sub(tp)] + ([_x_sub(xp)] if xp else [(x, sp.Rational(1, 3))]) + list(base))
    Tv, xv = _frac(vals[T]), _frac(vals[x])
    values = _values_dict(op, base)
    if Tv is not None and xv is not None:
        for Vn in (2, 3, 4):
            p = _p_with([xv], Vn)
            if p is None:
                continue
            ce = _certify("certify_well_defined", op, p, Tv, values=values)
            if ce is not None:
                return Outcome("refuted", f"sign analysis: {why}", counterexample=ce)
    return Outcome("unknown", "sign analysis", reason=f"{why}, but no certified counterexample was built", reason_kind="undecided")


# -- poles and branch points ----------------------------------------------------------------------

_T_GRID = [Fraction(1, 10), Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(2), Fraction(3), Fraction(5),
           Fraction(10), Fraction(100)]
_X_GRID = [Fraction(1, 100), Fraction(1, 10), Fraction(1, 4), Fraction(1, 3), Fraction(1, 2), Fraction(2, 3), Fraction(3, 4),
           Fraction(9, 10), Fraction(99, 100)]
_MAX_POLE_CANDIDATES = 40


def _interval(piece: Piece) -> tuple[sp.Expr, sp.Expr | None]:
    lo = sp.Integer(0) if piece.lo is None else piece.lo
    hi = (None if piece.var == T else sp.Integer(1)) if piece.hi is None else piece.hi
    return lo, hi


def _inside(v: Fraction, lo: sp.Expr, hi: sp.Expr | None, var: sp.Symbol) -> bool:
    r = sp.Rational(v.numerator, v.denominator)
    if var == V:
        return v.denominator == 1 and v >= 2
    return bool(r > lo) and (hi is None or bool(r < hi))


def _critical_points(c: sp.Expr, var: sp.Symbol, kind: str, lo: sp.Expr, hi: sp.Expr | None) -> list[Fraction]:
    """Exact rational points of (lo, hi) where the side condition ``kind`` of ``c`` may fail:
    rational real roots of a rational ``c`` (its poles' and branch points' locations), points
    between and beyond its real roots (where a sign change puts it below 0), ``log(a) = 0`` at
    ``a = 1``; other expressions are probed on a fixed grid. The certifier decides each point."""
    out: list[Fraction] = []
    if isinstance(c, sp.log):
        return _critical_points(c.args[0] - 1, var, kind, lo, hi)
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
        for r, a in zip(roots, approx):
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


def _refute_pole(op: Any, tp: Piece, xp: Piece, base: Sequence[tuple[sp.Symbol, sp.Expr]], g: sp.Expr) -> Outcome | None:
    """A point of the domain where ``g`` is undefined, complex or <= 0, from the exact real roots
    of its side conditions (``signs.domain_conditions``) and of ``g`` itself; each candidate goes
    to the certifier (exact or Arb evaluation of F), which alone decides. None if none certifies."""
    from .signs import domain_conditions

    values = _values_dict(op, base)
    if op.params and values is None:
        return None
    env = {s: v for s, v in _sample_values(base).items() if s != V}
    Tdef, xdef = _frac(_sample_values([_t_sub(tp)])[T]), _frac(_sample_values([_x_sub(xp)])[x])
    Vdefs = [2] if dict(base).get(V) == 2 else [3, 4, 5]
    t_lo, t_hi = _interval(tp)
    x_lo, x_hi = _interval(xp)
    conditions = [(k, c) for k, c in domain_conditions(g) if k != "unsupported"] + [("gt0", g)]
    # the side conditions of the formula as written (SymPy cancelled them from g)
    conditions += [(k, c) for k, c, _guard in getattr(op, "obligations", ())]
    candidates: list[tuple[Fraction, Fraction, int]] = []
    for kind, c in conditions:
        for Vn in Vdefs:
            cv = c.subs(env).subs(V, Vn)
            syms = cv.free_symbols
            if syms == {T} and not tp.point:
                candidates += [(tv, xdef or Fraction(1, 3), Vn) for tv in _critical_points(cv, T, kind, t_lo, t_hi)]
            elif syms == {x} and not xp.point:
                candidates += [(Tdef or Fraction(1), xv, Vn) for xv in _critical_points(cv, x, kind, x_lo, x_hi)]
            elif syms == {x, T}:
                for xv in ([xdef] if xdef else []) + [Fraction(1, 3), Fraction(1, 2)]:
                    if not tp.point and _inside(xv, x_lo, x_hi, x):
                        candidates += [(tv, xv, Vn) for tv in _critical_points(cv.subs(x, sp.Rational(xv.numerator, xv.denominator)),
                                                                                T, kind, t_lo, t_hi)]
                for tv in ([Tdef] if Tdef else []) + [Fraction(1), Fraction(2)]:
                    if not xp.point and _inside(tv, t_lo, t_hi, T):
                        candidates += [(tv, xv, Vn) for xv in _critical_points(cv.subs(T, sp.Rational(tv.numerator, tv.denominator)),
                                                                                x, kind, x_lo, x_hi)]
        cV = c.subs(env)
        if V in cV.free_symbols and cV.free_symbols <= {V, T, x}:
            cV = cV.subs({T: sp.Rational(Tdef.numerator, Tdef.denominator) if Tdef else 1,
                          x: sp.Rational(xdef.numerator, xdef.denominator) if xdef else sp.Rational(1, 3)})
            if cV.free_symbols == {V}:
                candidates += [(Tdef or Fraction(1), xdef or Fraction(1, 3), int(vv))
                               for vv in _critical_points(cV, V, kind, sp.Integer(2) if 2 in Vdefs else sp.Integer(2), None)
                               if vv.denominator == 1 and (vv > 2 or 2 in Vdefs)]
    tried = 0
    for Tv, xv, Vn in dict.fromkeys(candidates):
        if Tv is None or xv is None or tried >= _MAX_POLE_CANDIDATES:
            continue
        p = _p_with([xv], Vn)
        if p is None:
            continue
        tried += 1
        ce = _certify("certify_well_defined", op, p, Tv, values=values)
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
        p = _p_with(xs, Vn)
        if p is None:
            continue
        ce = _certify("certify_undefined_at_constant", op, p, t0, values=values)
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


def _glue(op: Any, tp: Piece, base: Sequence[tuple[sp.Symbol, sp.Expr]], blabel: str, strict_order: bool,
          what: str) -> tuple[list[Step], list[str], list[tuple[str, Sign | None, sp.Expr, sp.Expr]]]:
    """Shared walk over the x-pieces of one T-piece: derivative signs on open x-pieces and
    jumps at x-breakpoints. ``what`` is ``"dg/dx"`` (ranking) or ``"d/dx (g/x)"`` (identity)."""
    steps: list[Step] = []
    undecided: list[str] = []
    bad: list[tuple[str, Sign | None, sp.Expr, sp.Expr]] = []
    xps = x_pieces(tp.expr)
    f = (lambda g: g) if what == "dg/dx" else (lambda g: g / x)
    for k, xp in enumerate(xps):
        where = f"{tp.label}, {xp.label}, {blabel}"
        if xp.expr is None:
            undecided.append(f"undefined on {where}")
            continue
        if not xp.point:
            subs = [_t_sub(tp), _x_sub(xp)] + list(base)
            s, step, _ = _sign_step(derive(what, xp.expr), subs, what, where, xp.expr)
            ok = (s == "pos" or (s == "zero" and not strict_order)) if what == "dg/dx" else s == "zero"
            if ok:
                steps.append(step)
            elif s is None:
                undecided.append(where)
            else:
                bad.append((where, s, xp.expr, sp.Integer(0)))
            continue
        c = xp.lo
        for nb, direction in ((xps[k - 1], "left"), (xps[k + 1], "right")):
            if nb.expr is None:
                undecided.append(f"undefined next to {where}")
                continue
            at = f(xp.expr).subs(x, c)
            near = f(nb.expr).subs(x, c)
            diff = (at - near) if direction == "left" else (near - at)
            subs = [_t_sub(tp)] + list(base)
            label = f"jump at x = {c} from the {direction} ({what.split()[-1] if what != 'dg/dx' else 'g'})"
            s, step, _ = _sign_step(diff, subs, label, f"{tp.label}, {blabel}", diff)
            ok = s in ("pos", "zero") if what == "dg/dx" else s == "zero"
            if ok:
                steps.append(step)
            elif s is None:
                undecided.append(f"{label} on {tp.label}, {blabel}")
            else:
                bad.append((f"{label}, {tp.label}, {blabel}", s, xp.expr, nb.expr))
    return steps, undecided, bad


def prove_ranking(op: Any, profile: Any = None) -> Outcome:
    strict = True if profile is None else profile.strict_ranking
    steps: list[Step] = []
    undecided: list[str] = []
    bad: list[str] = []
    for tp in _pieces_or_raise(op):
        for base, blabel in _base_cases(op):
            if tp.expr is None:
                undecided.append(f"undefined on {tp.label}")
                continue
            st, und, bd = _glue(op, tp, base, blabel, strict, "dg/dx")
            steps += st
            undecided += und
            bad += [b[0] for b in bd]
    if not undecided and not bad:
        word = "strictly increasing" if strict else "non-decreasing"
        return Outcome("proved", f"reduction: g {word} in x on (0,1) (docs/theory/reductions.md#ranking)", steps)
    if bad:
        return Outcome("unknown", "sign analysis", reason=f"g is not increasing on {bad[:2]}; a counterexample search follows",
                       reason_kind="undecided")
    return Outcome("unknown", "sign analysis", reason=f"monotonicity of g undecided on {undecided[:3]}", reason_kind="undecided")


def _at_T(expr: sp.Expr, value: sp.Expr) -> sp.Expr | None:
    r = _resolve(normalize(expr), {T: value})
    return None if r is None else r.subs(T, value)


def prove_identity(op: Any, profile: Any = None) -> Outcome:
    _pieces_or_raise(op)
    g1 = _at_T(op.score, sp.Integer(1))
    if g1 is None:
        return Outcome("unknown", "sign analysis", reason="no Piecewise branch applies at T = 1", reason_kind="undecided")
    # the score must be defined at T = 1 as it stands, before SymPy evaluates the substitution
    # (cosh(sqrt(T - 2)) at T = 1 evaluates to the real cos(1); as written it is not real)
    g1_T = _resolve(normalize(op.score), {T: sp.Integer(1)})
    for base, blabel in _base_cases(op):
        for xp in x_pieces(g1_T) if g1_T is not None else []:
            if xp.expr is None or not _defined_under(resolve_v(xp.expr, dict(base)[V]),
                                                     [(T, sp.Integer(1)), _x_sub(xp)] + list(base)):
                return Outcome("unknown", "sign analysis", reason=f"g is not proved defined at T = 1 on {xp.label}, {blabel} "
                               "(before SymPy's evaluation of the substitution)", reason_kind="undecided")
    tp = Piece(T, sp.Integer(1), sp.Integer(1), True, g1)
    steps: list[Step] = []
    undecided: list[str] = []
    bad = []
    for base, blabel in _base_cases(op):
        st, und, bd = _glue(op, tp, base, blabel, True, "d/dx (g/x)")
        steps += st
        undecided += und
        bad += [(b, base) for b in bd]
    if not undecided and not bad:
        # the constant c = g(x,1,V)/x must be non-zero (else F_1 is 0/0)
        for base, blabel in _base_cases(op):
            xp = next((q for q in x_pieces(g1) if not q.point), None)
            if xp is None or xp.expr is None:
                return Outcome("unknown", "sign analysis", reason="no open piece in x at T = 1", reason_kind="undecided")
            s, step, _ = _sign_step(xp.expr / x, [_x_sub(xp)] + list(base), "g(x,1,V)/x", f"{xp.label}, {blabel}", xp.expr)
            if s not in ("pos", "neg"):
                return Outcome("unknown", "sign analysis", reason=f"g(x,1,V)/x not proved non-zero on {blabel}",
                               reason_kind="undecided")
            steps.append(step)
        # the written formula must be defined at T = 1 too (side conditions SymPy cancelled)
        for k, ob in enumerate(getattr(op, "obligations", ())):
            e1 = _at_T(_guarded(ob), sp.Integer(1))
            if e1 is None or e1.has(sp.Piecewise):
                return Outcome("unknown", "sign analysis", reason=f"the written formula's side condition {sp.sstr(ob[1])} "
                               f"{_OBLIGATION_WORDS[ob[0]]} is not resolved at T = 1", reason_kind="undecided")
            for base, blabel in _base_cases(op):
                s, step, _ = _sign_step(e1, [(x, fresh_x())] + list(base), f"written side condition {k} at T = 1",
                                        f"x in (0, 1), {blabel}", e1)
                if s not in _OBLIGATION_OK[ob[0]]:
                    return Outcome("unknown", "sign analysis", reason=f"the written formula's side condition {sp.sstr(ob[1])} "
                                   f"{_OBLIGATION_WORDS[ob[0]]} is not proved at T = 1 on {blabel} (SymPy's simplification "
                                   "removed it from the score)", reason_kind="undecided")
                steps.append(step)
        return Outcome("proved", "reduction: g(x,1,V)/x a non-zero constant (docs/theory/reductions.md#identity)", steps)
    if bad:
        ce = _identity_counterexample(op, g1, bad[0][1])
        if ce is not None:
            return Outcome("refuted", "reduction: g(x,1,V)/x depends on x, necessary for V >= 3", counterexample=ce)
        return Outcome("unknown", "sign analysis", reason=f"g(x,1)/x depends on x on {bad[0][0][0]} but no certified counterexample was built",
                       reason_kind="undecided")
    return Outcome("unknown", "sign analysis", reason=f"constancy of g(x,1)/x undecided on {undecided[:3]}", reason_kind="undecided")


_CANDIDATES = [
    [Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)],
    [Fraction(7, 10), Fraction(2, 10), Fraction(1, 10)],
    [Fraction(2, 3), Fraction(1, 3)],
    [Fraction(1, 10), Fraction(3, 10), Fraction(6, 10)],
    [Fraction(9, 10), Fraction(1, 20), Fraction(1, 20)],
]


def _candidates_for(base: Sequence[tuple[sp.Symbol, sp.Expr]]) -> list[list[Fraction]]:
    """The fixed candidate points, or points of the base case's own size when it is larger."""
    n = _frac(_sample_values(base).get(V, sp.Integer(3)))
    if n is None or n.denominator != 1 or n <= 3:
        return _CANDIDATES
    size = int(n)
    return [p for p in (_p_with([Fraction(1, 2), Fraction(1, 4)], size), _p_with([Fraction(2, 3), Fraction(1, 6)], size)) if p]


def _identity_counterexample(op: Any, g1: sp.Expr, base: Sequence[tuple[sp.Symbol, sp.Expr]]) -> Counterexample | None:
    values = _values_dict(op, base)
    for p in _candidates_for(base):
        ce = _certify("certify_identity", op, p, values=values)
        if ce is not None:
            return ce
    return None


def prove_continuity(op: Any, profile: Any = None) -> Outcome:
    steps: list[Step] = []
    undecided: list[str] = []
    tps = _pieces_or_raise(op)
    for k, tp in enumerate(tps):
        for base, blabel in _base_cases(op):
            if tp.expr is None:
                undecided.append(f"undefined on {tp.label}")
                continue
            # g > 0 and elementary on every open piece: continuous there; x-pieces glue exactly.
            if not tp.point:
                for xp in x_pieces(tp.expr):
                    where = f"{tp.label}, {xp.label}, {blabel}"
                    if xp.expr is None:
                        undecided.append(where)
                        continue
                    if xp.point:
                        continue
                    s, step, _ = _sign_step(xp.expr, [_t_sub(tp), _x_sub(xp)] + list(base), "g", where, xp.expr)
                    (steps.append(step) if s == "pos" else undecided.append(f"positivity of g on {where}"))
                st, und, bd = _x_continuity(tp, base, blabel)
                steps += st
                undecided += und
                if bd:
                    return Outcome("unknown", "sign analysis", reason=f"g jumps in x at {bd[0]}: the refuter decides",
                                   reason_kind="undecided")
                continue
            # T-breakpoint b: each neighbouring piece, continued to b, must give the same ratios.
            b = tp.lo
            for nb in (tps[k - 1], tps[k + 1]):
                if nb.expr is None:
                    undecided.append(f"undefined next to {tp.label}")
                    continue
                g_nb = resolve_v(normalize(nb.expr), dict(base)[V]).subs(T, b)
                g_b = resolve_v(tp.expr, dict(base)[V]).subs(T, b)
                if g_nb.has(sp.Piecewise) or g_b.has(sp.Piecewise):
                    undecided.append(f"pieces in x at the T-breakpoint {b}")
                    continue
                s_def, step_def, _ = _sign_step(g_nb, [(x, fresh_x())] + list(base), f"g of {nb.label} continued to T = {b}",
                                                f"x in (0, 1), {blabel}", g_nb)
                if s_def != "pos":
                    undecided.append(f"continuation of {nb.label} to T = {b}")
                    continue
                ratio = sp.diff(g_nb / g_b, x)
                s, step, _ = _sign_step(ratio, [(x, fresh_x())] + list(base),
                                        f"d/dx [g({nb.label} at T = {b}) / g(T = {b})]", f"x in (0, 1), {blabel}", ratio)
                if s == "zero":
                    steps += [step_def, step]
                elif s is None:
                    undecided.append(f"gluing at T = {b}")
                else:
                    left, right = (normalize(n.expr).subs(T, b) if n.expr is not None else None for n in (tps[k - 1], tps[k + 1]))
                    ce = _discontinuity_counterexample(op, b, left, right, base) if left is not None and right is not None else None
                    if ce is not None:
                        return Outcome("refuted", f"one-sided limits at T = {b} differ (docs/theory/reductions.md#continuity)",
                                       counterexample=ce)
                    undecided.append(f"jump at T = {b} without a certified counterexample")
    if undecided:
        for tp in tps:
            if tp.point or tp.expr is None:
                continue
            for base, _blabel in _base_cases(op):
                ce = _pole_jump(op, tp, base)
                if ce is not None:
                    return Outcome("refuted", "one-sided limits of F at a pole of the score differ "
                                   "(docs/theory/reductions.md#continuity)", counterexample=ce)
        return Outcome("unknown", "sign analysis", reason=f"continuity undecided: {undecided[:3]}", reason_kind="undecided")
    return Outcome("proved", "reduction: ratios g(x,T)/g(y,T) jointly continuous (docs/theory/reductions.md#continuity)", steps)


_MAX_JUMP_POLES = 4


def _pole_jump(op: Any, tp: Piece, base: Sequence[tuple[sp.Symbol, sp.Expr]]) -> Counterexample | None:
    """A jump of ``T -> F_T(p)`` across a rational pole ``T0`` of the score inside the open
    T-piece ``tp``: the exact real roots of the score's denominators in ``T`` alone give ``T0``;
    SymPy's one-sided limits of ``F_T(p)`` at a fixed rational ``p`` are the candidate limits,
    and the certifier confirms each side by enclosures along ``T0 -+ 2^-k`` and the gap between
    them (:func:`skd.verify.certify.certify_discontinuity_T`). None if nothing certifies."""
    from .signs import domain_conditions

    values = _values_dict(op, base)
    if op.params and values is None:
        return None
    env = {sym: v for sym, v in _sample_values(base).items()}
    g = resolve_v(tp.expr, dict(base)[V]) if V in dict(base) else tp.expr
    g = g.subs({sym: v for sym, v in env.items() if sym != V})
    lo, hi = _interval(tp)
    poles: list[Fraction] = []
    for kind, c in domain_conditions(g):
        if kind != "ne0":
            continue
        for Vn in ([int(env[V])] if V in env and env[V].is_Integer else [2, 3]):
            cv = c.subs(V, Vn)
            if cv.free_symbols == {T}:
                poles += [r for r in _critical_points(cv, T, kind, lo, hi) if _is_root(cv, r)]
    for T0 in list(dict.fromkeys(poles))[:_MAX_JUMP_POLES]:
        t0 = sp.Rational(T0.numerator, T0.denominator)
        for p in _candidates_for(base):
            Vn = len(p)
            gv = g.subs(V, Vn)
            scores = [gv.subs(x, sp.Rational(q.numerator, q.denominator)) for q in p]
            left, right = _limit_of_F(scores, t0, "-"), _limit_of_F(scores, t0, "+")
            if left is None or right is None or all(sp.simplify(a - b) == 0 for a, b in zip(left, right)):
                continue
            ce = _certify("certify_discontinuity_T", op, p, T0, left, right, values=values,
                          proof=f"limits of the log-ratios (rational in T) at the pole T = {t0} of the score, taken exactly by SymPy")
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
        terms = []
        for k in range(len(scores)):
            r = sp.together(logs[k] - logs[j])
            if r.has(sp.log) and any(a.has(T) for a in r.atoms(sp.log)) or not r.is_rational_function(T):
                return None
            try:
                lim = sp.limit(r, T, t0, side)
            except (NotImplementedError, ValueError, TypeError, ArithmeticError, sp.PolynomialError):
                return None
            if lim is sp.oo:
                terms = None
                break
            if lim is -sp.oo:
                continue
            if not (lim.is_finite and lim.is_real):
                return None
            terms.append(sp.exp(lim))
        out.append(sp.Integer(0) if terms is None else 1 / sp.Add(*terms))
    return out


def _is_root(c: sp.Expr, r: Fraction) -> bool:
    try:
        return sp.simplify(c.subs(T, sp.Rational(r.numerator, r.denominator))) == 0
    except (TypeError, ValueError, ArithmeticError):
        return False


def fresh_x() -> sp.Expr:
    return 1 / (1 + fresh_symbol(x))


def _x_continuity(tp: Piece, base: Sequence[tuple[sp.Symbol, sp.Expr]], blabel: str) -> tuple[list[Step], list[str], list[str]]:
    steps, undecided, bad = [], [], []
    xps = x_pieces(tp.expr)
    for k, xp in enumerate(xps):
        if not xp.point:
            continue
        c = xp.lo
        for nb in (xps[k - 1], xps[k + 1]):
            if nb.expr is None or xp.expr is None:
                undecided.append(f"undefined at x = {c}")
                continue
            diff = nb.expr.subs(x, c) - xp.expr.subs(x, c)
            s, step, _ = _sign_step(diff, [_t_sub(tp)] + list(base), f"jump of g at x = {c}", f"{tp.label}, {blabel}", diff)
            if s == "zero":
                steps.append(step)
            elif s is None:
                undecided.append(f"jump at x = {c}")
            else:
                bad.append(f"x = {c} ({tp.label})")
    return steps, undecided, bad


def _discontinuity_counterexample(op: Any, b: sp.Expr, g_left: sp.Expr, g_right: sp.Expr,
                                  base: Sequence[tuple[sp.Symbol, sp.Expr]]) -> Counterexample | None:
    """Both neighbouring pieces continued to ``T = b`` give the exact one-sided limits of F."""
    bf = _frac(b)
    if bf is None:
        return None
    values = _values_dict(op, base)
    vals = _sample_values(base)
    for p in _candidates_for(base):
        Vn = len(p)
        env = {V: sp.Integer(Vn), **{s: v for s, v in vals.items() if s != V}}
        lim_l = [g_left.subs(env).subs(x, sp.Rational(q.numerator, q.denominator)) for q in p]
        lim_r = [g_right.subs(env).subs(x, sp.Rational(q.numerator, q.denominator)) for q in p]
        sl, sr = sp.Add(*lim_l), sp.Add(*lim_r)
        left = [v / sl for v in lim_l]
        right = [v / sr for v in lim_r]
        ce = _certify("certify_discontinuity_T", op, p, bf, left, right, values=values,
                      proof=f"the pieces on both sides of T = {b} are continuous up to it")
        if ce is not None:
            return ce
    return None


def prove_entropy(op: Any, profile: Any = None) -> Outcome:
    rank = prove("ranking", op, profile)
    if rank.status != "proved":
        reversed_ = _entropy_reversed(op, profile)
        if reversed_ is not None:
            return reversed_
        return Outcome("unknown", "reduction", reason="needs ranking (or g strictly decreasing in x), which is not proved",
                       reason_kind="undecided")
    cont = prove("continuity", op, profile)
    if cont.status != "proved":
        return Outcome("unknown", "reduction", reason="needs continuity in T, which is not proved", reason_kind="undecided")
    steps = [Step("ranking proved (g strictly increasing in x)", "lemma", (("axiom", "ranking"),)),
             Step("continuity proved (F continuous in T across pieces)", "lemma", (("axiom", "continuity"),))]
    undecided = []
    for tp in _pieces_or_raise(op):
        if tp.point or tp.expr is None:
            continue
        xps = x_pieces(tp.expr)
        if len(xps) > 1:
            return Outcome("unknown", "reduction", reason=f"the entropy reduction needs no pieces in x ({tp.label} has {len(xps)})",
                           reason_kind="unsupported")
        for base, blabel in _base_cases(op):
            where = f"{tp.label}, x in (0, 1), {blabel}"
            s, step, _ = _sign_step(derive("d2(log g)/dxdT", tp.expr), [_t_sub(tp), (x, fresh_x())] + list(base),
                                    "d2(log g)/dxdT", where, tp.expr)
            if s in ("neg", "zero"):
                steps.append(step)
            else:
                undecided.append(where)
    if undecided:
        return Outcome("unknown", "reduction", reason=f"sign of d2(log g)/dxdT not <= 0 proved on {undecided[:3]}",
                       reason_kind="undecided")
    return Outcome("proved", "reduction: dH/dT = -Cov_q(d_T s, s) >= 0 by Chebyshev (docs/theory/reductions.md#entropy)", steps)


def _entropy_reversed(op: Any, profile: Any) -> Outcome | None:
    """Corollary E.6: g strictly decreasing in x and d2(log g)/dxdT >= 0 on every T-piece make
    s and d_T s oppositely ordered (reversed order), so Theorem E.4 applies. None if not proved."""
    cont = prove("continuity", op, profile)
    if cont.status != "proved" or _is_negated(cont):
        return None
    steps = [Step("continuity proved (F continuous in T across pieces)", "lemma", (("axiom", "continuity"),))]
    for tp in _pieces_or_raise(op):
        if tp.point or tp.expr is None:
            continue
        if len(x_pieces(tp.expr)) > 1:
            return None
        for base, blabel in _base_cases(op):
            where = f"{tp.label}, x in (0, 1), {blabel}"
            subs = [_t_sub(tp), (x, fresh_x())] + list(base)
            s1, step1, _ = _sign_step(derive("dg/dx", tp.expr), subs, "dg/dx", where, tp.expr)
            if s1 != "neg":
                return None
            s2, step2, _ = _sign_step(derive("d2(log g)/dxdT", tp.expr), subs, "d2(log g)/dxdT", where, tp.expr)
            if s2 not in ("pos", "zero"):
                return None
            steps += [step1, step2]
    return Outcome("proved", "reduction: g decreasing in x and d2(log g)/dxdT >= 0: dH/dT = -Cov_q(d_T s, s) >= 0 "
                   "(docs/theory/reductions.md#entropy, E.6)", steps)


# -- limits -----------------------------------------------------------------------------------

beta = sp.Symbol("beta", positive=True)


def _pair_subs() -> list[tuple[sp.Symbol, sp.Expr]]:
    """0 < x < y < 1 as y = 1/(1+u), x = y/(1+w)."""
    u, w = fresh_symbol(x), sp.Symbol("w", positive=True)
    yv = 1 / (1 + u)
    return [(y, yv), (x, yv / (1 + w))]


def prove_boundary(op: Any, which: str, profile: Any = None) -> Outcome:
    tps = [tp for tp in _pieces_or_raise(op) if not tp.point]
    tp = tps[0] if which == "cold" else tps[-1]
    if tp.expr is None:
        return Outcome("unknown", "limit", reason=f"undefined on {tp.label}", reason_kind="undecided")
    if len(x_pieces(tp.expr)) > 1:
        return _boundary_x_pieces(op, tp, which)
    target = "0" if which == "cold" else "1"
    steps: list[Step] = []
    for base, blabel in _base_cases(op):
        g = resolve_v(tp.expr, dict(base)[V])
        if g.has(sp.Piecewise):
            return Outcome("unknown", "limit", reason="the limit lemma needs no pieces near the limit", reason_kind="unsupported")
        D = log_score(g) - log_score(g).subs(x, y)
        # T = 1/beta with beta -> oo (cold) or beta -> 0+ (hot)
        Db = sp.expand(expand_logs(D.subs(T, 1 / beta)))
        subs = _pair_subs() + list(base)
        # eventually constant: D independent of T on the piece
        dT = sp.diff(D, T)
        s_const, step_const, _ = _sign_step(dT, [_t_sub(tp)] + subs, "d/dT log(g(x)/g(y))", f"{tp.label}, 0<x<y<1, {blabel}", dT)
        if s_const == "zero":
            return _eventually_constant(op, tp, base, which)
        factored = _factored_limit(Db, which)
        if factored is not None:
            cf, kind, h_lim, h_text = factored
            step_h = Step(f"log(g(x)/g(y)) = c(x, y) * h(1/T) with {h_text}", "limit", (("h", h_text),))
            if which == "cold" and kind == "inf":
                s, step, _ = _sign_step(cf, subs, "c(x, y) in log(g(x)/g(y)) = c(x, y) * h(1/T)", f"0<x<y<1, {blabel}", cf)
                if s != "neg":
                    return Outcome("unknown", "limit", reason=f"sign of c(x, y) is {s} on {blabel}", reason_kind="undecided")
                steps += [step_h, step]
                continue
            if which == "hot" and kind == "zero":
                steps.append(step_h)
                continue
            if kind == "finite":
                return _ratio_limit_refutation(op, sp.exp(cf * h_lim), base, which)
            return Outcome("unknown", "limit", reason=f"h(1/T) tends to {kind} at the {which} end", reason_kind="undecided")
        try:
            poly = sp.Poly(Db, beta)
        except sp.PolynomialError:
            poly = None
        if poly is not None and all(not c.has(beta) for c in poly.coeffs()):
            deg = poly.degree()
            if which == "cold":
                if deg < 1:
                    return Outcome("unknown", "limit", reason="log-ratio bounded as T -> 0+", reason_kind="undecided")
                lc = poly.LC()
                s, step, _ = _sign_step(lc, subs, f"leading coefficient of log(g(x)/g(y)) in 1/T (degree {deg})",
                                        f"0<x<y<1, {blabel}", lc)
                if s != "neg":
                    return Outcome("unknown", "limit", reason=f"leading coefficient sign is {s} on {blabel}", reason_kind="undecided")
                steps.append(step)
            else:
                c0 = poly.eval(0) if deg >= 0 else sp.Integer(0)
                s, step, _ = _sign_step(c0, subs, "log(g(x)/g(y)) at 1/T = 0 (polynomial in 1/T)", f"0<x<y<1, {blabel}", c0)
                if s == "zero":
                    steps.append(step)
                    continue
                if s is None:
                    return Outcome("unknown", "limit", reason="the hot limit of log(g(x)/g(y)) is undecided", reason_kind="undecided")
                return _ratio_limit_refutation(op, sp.exp(c0), base, which)
            continue
        # the same log-ratio with x, y substituted first: logs of factors positive only for
        # 0 < x < y < 1 (like 1 - x) split too. Proofs only (refutations need L in x and y).
        Db2 = sp.expand(expand_logs(D.subs(T, 1 / beta).subs(dict(subs), simultaneous=True)))
        try:
            poly2 = sp.Poly(Db2, beta) if Db2 != Db else None
        except sp.PolynomialError:
            poly2 = None
        if poly2 is not None and all(not c.has(beta) for c in poly2.coeffs()):
            if which == "cold" and poly2.degree() >= 1:
                s, step, _ = _sign_step(poly2.LC(), subs, f"leading coefficient of log(g(x)/g(y)) in 1/T (degree {poly2.degree()})",
                                        f"0<x<y<1, {blabel}", poly2.LC())
                if s == "neg":
                    steps.append(step)
                    continue
            if which == "hot":
                c0 = poly2.eval(0)
                s, step, _ = _sign_step(c0, subs, "log(g(x)/g(y)) at 1/T = 0 (polynomial in 1/T)", f"0<x<y<1, {blabel}", c0)
                if s == "zero":
                    steps.append(step)
                    continue
        if which == "cold" and beta in Db2.free_symbols:
            # log-ratio rational in beta = 1/T (B.4): D = N(beta)/M(beta) with deg N > deg M tends
            # to sign(lc N / lc M) * oo; -oo proves the cold limit
            lc = _rational_growth(Db2)
            if lc is not None:
                s, step, _ = _sign_step(lc, subs, "leading coefficient ratio of log(g(x)/g(y)) as a rational function of 1/T",
                                        f"0<x<y<1, {blabel}", lc)
                if s == "neg":
                    steps.append(step)
                    continue
        if which == "hot":
            # continuity at 1/T = 0 (B.3): log(g(x)/g(y)) as a function of beta = 1/T is defined
            # at beta = 0 with every side condition strict there, so it is continuous at 0 and
            # its limit is its value. Tried on the x, y form, then on the substituted form and its
            # combined fractions (equal for small beta > 0, where every denominator is non-zero)
            substituted = False
            d0 = _continuous_value_at_zero(Db, subs)
            if d0 is None and beta in Db2.free_symbols:
                substituted = True
                d0 = _continuous_value_at_zero(Db2, subs)
                if d0 is None:
                    d0 = _continuous_value_at_zero(sp.cancel(sp.together(Db2)), subs)
            if d0 is not None:
                s, step, _ = _sign_step(d0, subs, "log(g(x)/g(y)) at 1/T = 0 (defined and continuous there)",
                                        f"0<x<y<1, {blabel}", d0)
                if s == "zero":
                    steps.append(step)
                    continue
                if s in ("pos", "neg") and not substituted:
                    return _ratio_limit_refutation(op, sp.exp(d0), base, which)
        # rational in T: limit of the ratio by degrees
        R = sp.cancel(sp.together(g / g.subs(x, y)))
        num, den = sp.fraction(R)
        try:
            pn, pd = sp.Poly(num, T), sp.Poly(den, T)
        except sp.PolynomialError:
            return Outcome("unknown", "limit", reason="the limit lemma needs log(g(x)/g(y)) polynomial in 1/T, rational in T, "
                           "or defined and continuous at 1/T = 0", reason_kind="unsupported")
        if which == "hot":
            if pn.degree() != pd.degree():
                return Outcome("unknown", "limit", reason="degrees differ", reason_kind="undecided")
            L = pn.LC() / pd.LC()
        else:
            (ln, cn), (ld, cd) = _trailing(pn), _trailing(pd)
            if ln < ld:
                return Outcome("unknown", "limit", reason="the ratio g(x)/g(y) diverges as T -> 0+", reason_kind="undecided")
            L = sp.Integer(0) if ln > ld else cn / cd
        diff = L - (0 if which == "cold" else 1)
        s, step, _ = _sign_step(diff, subs, f"lim g(x,T)/g(y,T) - {target} (ratio of rational functions in T)",
                                f"0<x<y<1, {blabel}", diff)
        if s == "zero":
            steps.append(step)
            continue
        if s is None:
            return Outcome("unknown", "limit", reason="limit of the ratio undecided", reason_kind="undecided")
        return _ratio_limit_refutation(op, L, base, which)
    lemma = "g(x,T)/g(y,T) -> 0 as T -> 0+" if which == "cold" else "g(x,T)/g(y,T) -> 1 as T -> oo"
    return Outcome("proved", f"reduction: {lemma} for all 0 < x < y < 1 (docs/theory/reductions.md#boundary)", steps)


def _pair_regions(xps: Sequence[Piece]) -> list[tuple[str, list[tuple[sp.Symbol, sp.Expr]], sp.Expr, sp.Expr]]:
    """Every (x-piece of x) <= (x-piece of y) with x < y: (label, substitution, g there at x,
    g there at y). Within one open piece ``x = lo + (y - lo)/(1 + w)``; across pieces each
    variable ranges over its own piece (or is its point)."""
    w, u2 = sp.Symbol("w", positive=True), sp.Symbol("u2", positive=True)
    out = []
    for i, pi in enumerate(xps):
        for j in range(i, len(xps)):
            pj = xps[j]
            if i == j:
                if pi.point:
                    continue
                yv = pi.substitution(u2)
                lo = sp.Integer(0) if pi.lo is None else pi.lo
                xv = lo + (yv - lo) / (1 + w)
            else:
                xv, yv = pi.substitution(fresh_symbol(x)), pj.substitution(u2)
            out.append((f"{pi.label}, {pj.label.replace('x', 'y', 1)}, x < y",
                        [(y, yv), (x, xv)], pi.expr, pj.expr))
    return out


def _boundary_x_pieces(op: Any, tp: Piece, which: str) -> Outcome:
    """B.6: pieces in ``x`` near the limit. The ratio lemma needs ``g(x,T)/g(y,T) -> 0`` (cold) or
    ``-> 1`` (hot) for all ``0 < x < y < 1``; with constant x-thresholds it is proved for each
    pair of pieces (x in one piece, y in the same or a later one) from the log-ratio
    ``log g_i(x) - log g_j(y)``, polynomial in ``1/T``: a negative leading coefficient (cold), a
    zero value at ``1/T = 0`` (hot). Proofs only; anything else is undecided."""
    xps = x_pieces(tp.expr)
    if any(xp.expr is None or xp.expr.has(sp.Piecewise) for xp in xps):
        return Outcome("unknown", "limit", reason="an x-piece near the limit is undefined or still has pieces", reason_kind="undecided")
    steps: list[Step] = []
    for base, blabel in _base_cases(op):
        v_sub = dict(base)[V]
        for label, subs, gi, gj in _pair_regions(xps):
            gi, gj = resolve_v(gi, v_sub), resolve_v(gj, v_sub)
            D = log_score(gi) - log_score(gj).subs(x, y)
            Db = sp.expand(expand_logs(D.subs(T, 1 / beta).subs(dict(subs + list(base)), simultaneous=True)))
            try:
                poly = sp.Poly(Db, beta)
            except sp.PolynomialError:
                poly = None
            if poly is None or any(c.has(beta) for c in poly.coeffs()):
                return Outcome("unknown", "limit", reason=f"log(g(x)/g(y)) is not polynomial in 1/T for {label}",
                               reason_kind="undecided")
            where = f"{label}, {blabel}"
            if which == "cold":
                if poly.degree() < 1:
                    return Outcome("unknown", "limit", reason=f"log-ratio bounded as T -> 0+ for {label}", reason_kind="undecided")
                s, step, _ = _sign_step(poly.LC(), subs + list(base), f"leading coefficient of log(g(x)/g(y)) in 1/T "
                                        f"(degree {poly.degree()})", where, poly.LC())
                if s != "neg":
                    return Outcome("unknown", "limit", reason=f"leading coefficient sign is {s} for {where}", reason_kind="undecided")
            else:
                c0 = poly.eval(0)
                s, step, _ = _sign_step(c0, subs + list(base), "log(g(x)/g(y)) at 1/T = 0 (polynomial in 1/T)", where, c0)
                if s != "zero":
                    return Outcome("unknown", "limit", reason=f"the hot limit of log(g(x)/g(y)) is {s or 'undecided'} for {where}",
                                   reason_kind="undecided")
            steps.append(step)
    lemma = "g(x,T)/g(y,T) -> 0 as T -> 0+" if which == "cold" else "g(x,T)/g(y,T) -> 1 as T -> oo"
    return Outcome("proved", f"reduction: {lemma} for all 0 < x < y < 1, pair by pair of x-pieces "
                   "(docs/theory/reductions.md#boundary)", steps)


def _rational_growth(Db: sp.Expr) -> sp.Expr | None:
    """``lc(N)/lc(M)`` when ``Db = N(beta)/M(beta)`` (after combining fractions, an identity where
    every denominator is non-zero) with polynomial ``N``, ``M`` in beta, coefficients free of beta,
    and ``deg N > deg M``: then ``Db -> sign(lc N / lc M) * oo`` as beta -> oo. Else None."""
    num, den = sp.fraction(sp.cancel(sp.together(Db)))
    try:
        pn, pd = sp.Poly(num, beta), sp.Poly(den, beta)
    except sp.PolynomialError:
        return None
    if any(c.has(beta) for c in pn.coeffs() + pd.coeffs()) or pn.degree() <= pd.degree():
        return None
    return pn.LC() / pd.LC()


def _continuous_value_at_zero(Db: sp.Expr, subs: Sequence[tuple[sp.Symbol, sp.Expr]]) -> sp.Expr | None:
    """``Db(beta = 0)`` when every side condition of ``Db`` (signs.domain_conditions) holds
    strictly at ``beta = 0`` for all 0 < x < y < 1 — so ``Db`` is defined on a neighbourhood of 0
    and, being built from functions continuous on their domains, continuous at 0 — else None."""
    from .signs import domain_conditions

    if beta not in Db.free_symbols:
        return None
    sub = dict(subs)
    for kind, c in domain_conditions(Db):
        if kind == "unsupported":
            return None
        c0 = c.subs(beta, 0)
        if c0.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            return None
        s = sign_of(expand_logs(c0.subs(sub, simultaneous=True)))
        if not ((kind == "ne0" and s in ("pos", "neg")) or (kind in ("gt0", "ge0") and s == "pos")):
            return None
    d0 = Db.subs(beta, 0)
    return None if d0.has(sp.zoo, sp.nan, sp.oo, -sp.oo) else d0


def _factored_limit(Db: sp.Expr, which: str) -> tuple[sp.Expr, str, sp.Expr | None, str] | None:
    """``D(beta) = c(x, y) * h(beta)`` with ``h`` rational in a root of ``beta``: the limit of ``h``
    as ``beta -> oo`` (cold) or ``beta -> 0+`` (hot), by degrees (exact). Returns
    ``(c, "inf" | "zero" | "finite" | "-inf", limit_of_h, description)`` or None."""
    cf, h = sp.factor_terms(Db).as_independent(beta, as_Add=False)
    if h.free_symbols != {beta} and len(sp.Add.make_args(Db)) <= 12:
        try:
            cf, h = sp.factor(Db).as_independent(beta, as_Add=False)  # (exp(beta) - 1)*(log(x) - log(y))
        except (sp.PolynomialError, NotImplementedError, ValueError, TypeError):
            return None
    if h.free_symbols != {beta} or cf.has(beta) or cf == 0:
        return None
    if not _rational_in_root(h):
        # h is not rational in a root of beta: the growth lemmas B.5 (exp, log, roots, bounded
        # oscillating terms) decide h -> +-oo at the cold end and h -> 0 at the hot end
        if which == "cold":
            if _to_infinity(h):
                return (cf, "inf", None, f"h = {sp.sstr(h)} -> oo (growth lemmas B.5)")
            if _to_infinity(-h):
                return (cf, "-inf", None, f"h = {sp.sstr(h)} -> -oo (growth lemmas B.5)")
        elif _to_zero_hot(h):
            return (cf, "zero", sp.Integer(0), f"h = {sp.sstr(h)} -> 0 as 1/T -> 0+ (growth lemmas B.5)")
        return None
    dens = [sp.Rational(a.exp).q for a in h.atoms(sp.Pow) if a.base == beta and a.exp.is_Rational]
    L = math.lcm(1, *(int(d) for d in dens))
    gamma = sp.Symbol("gamma", positive=True)
    hg = sp.cancel(sp.together(h.subs(beta, gamma**L)))
    num, den = sp.fraction(hg)
    try:
        pn, pd = sp.Poly(num, gamma), sp.Poly(den, gamma)
    except sp.PolynomialError:
        return None
    if which == "cold":
        d = pn.degree() - pd.degree()
        ratio = pn.LC() / pd.LC()
    else:
        (ln, cn), (ld, cd) = _trailing(pn), _trailing(pd)
        d = ld - ln  # h ~ (cn/cd) * gamma^(ln - ld) as gamma -> 0+
        ratio = cn / cd
    if not ratio.is_Rational or ratio == 0:
        return None
    text = f"h = {sp.sstr(h)}"
    if d > 0:
        return (cf, "inf" if ratio > 0 else "-inf", None, text + f" -> {'oo' if ratio > 0 else '-oo'}")
    if d < 0:
        return (cf, "zero", sp.Integer(0), text + " -> 0")
    return (cf, "finite", ratio, text + f" -> {ratio}")


def _rational_in_root(h: sp.Expr) -> bool:
    """``h`` is built from ``beta``, its rational powers and constants by + and * only."""
    if not h.has(beta):
        return True
    if h == beta:
        return True
    if isinstance(h, sp.Pow):
        if not h.base.has(beta):
            return not h.exp.has(beta)
        if h.exp.is_Integer:
            return _rational_in_root(h.base)
        return bool(h.exp.is_Rational) and h.base == beta
    if isinstance(h, (sp.Add, sp.Mul)):
        return all(_rational_in_root(a) for a in h.args)
    return False


# -- growth lemmas B.5 (docs/theory/reductions.md#growth) ---------------------------------------
# As beta -> oo: beta**a -> oo (a > 0); exp(u), log(u), u**a (a > 0) -> oo when u -> oo; c*u
# -> oo for a constant c > 0; a sum -> oo when one term does and every other is bounded below
# (a constant, sin/cos/tanh/atan/erf of a real argument times a constant, exp(.) > 0, a term
# -> 0 or -> oo); a product -> oo when one factor does and the others are >= a constant > 0.

_BOUNDED_FUNCS = (sp.sin, sp.cos, sp.tanh, sp.atan, sp.erf)
_MAX_GROWTH_DEPTH = 12


def _real_beta(e: sp.Expr) -> bool:
    return e.free_symbols <= {beta} and not e.has(sp.I, sp.zoo, sp.nan, sp.oo)


def _to_infinity(h: sp.Expr, depth: int = 0) -> bool:
    """``h(beta) -> +oo`` as ``beta -> oo`` by lemmas B.5 (False: not proved)."""
    if depth > _MAX_GROWTH_DEPTH or not _real_beta(h) or not h.has(beta):
        return False
    if h == beta:
        return True
    if isinstance(h, sp.Pow):
        b, e = h.args
        return bool(e.is_Rational and e > 0 and not e.has(beta) and _to_infinity(b, depth + 1))
    if isinstance(h, (sp.exp, sp.log)):
        return _to_infinity(h.args[0], depth + 1)
    if isinstance(h, sp.Add):
        growing = [a for a in h.args if _to_infinity(a, depth + 1)]
        return bool(growing) and all(a in growing or _bounded_below(a, depth + 1) for a in h.args)
    if isinstance(h, sp.Mul):
        c, rest = h.as_coeff_Mul()
        if c.is_Rational and c < 0:
            return False
        factors = sp.Mul.make_args(rest)
        growing = [f for f in factors if _to_infinity(f, depth + 1)]
        return bool(growing) and all(f in growing or _positive_floor(f, depth + 1) for f in factors) and (c > 0)
    return False


def _to_zero_cold(h: sp.Expr, depth: int) -> bool:
    """``h -> 0`` as ``beta -> oo``: ``u**(-a)`` with ``u -> oo`` (a > 0), times a constant, sums."""
    if depth > _MAX_GROWTH_DEPTH or not _real_beta(h):
        return False
    if isinstance(h, sp.Pow):
        b, e = h.args
        return bool(e.is_Rational and e < 0 and _to_infinity(b, depth + 1))
    if isinstance(h, sp.Mul):
        c, rest = h.as_coeff_Mul()
        return c.is_Rational and rest != 1 and _to_zero_cold(rest, depth + 1)
    if isinstance(h, sp.Add):
        return all(_to_zero_cold(a, depth + 1) for a in h.args)
    return False


def _bounded_below(a: sp.Expr, depth: int) -> bool:
    """A term bounded below for large beta (B.5)."""
    if not a.has(beta):
        return a.is_real is True and a.is_finite is True
    c, rest = a.as_coeff_Mul()
    if isinstance(rest, _BOUNDED_FUNCS) and c.is_Rational and _real_beta(rest.args[0]):
        return True  # c * f(u) >= -|c| (|f| <= 1, or |atan| < pi/2 < 2)
    if isinstance(rest, sp.exp) and c.is_Rational and c > 0 and _real_beta(rest.args[0]):
        return True
    return _to_infinity(a, depth) or _to_zero_cold(a, depth)


def _positive_floor(f: sp.Expr, depth: int) -> bool:
    """``f >= eps > 0`` for large beta: a positive constant, ``c + Σ k_i b_i`` with ``|b_i| <= 1``
    (sin, cos of a real argument) and ``c > Σ |k_i|``, or a factor -> +oo."""
    if not f.has(beta):
        return f.is_positive is True and f.is_finite is True
    if isinstance(f, sp.Add):
        const, budget = sp.Integer(0), sp.Integer(0)
        for t in f.args:
            if not t.has(beta):
                if not t.is_Rational:
                    return False
                const += t
                continue
            k, rest = t.as_coeff_Mul()
            if not (k.is_Rational and isinstance(rest, (sp.sin, sp.cos)) and _real_beta(rest.args[0])):
                return False
            budget += abs(k)
        return bool(const > budget)
    return _to_infinity(f, depth + 1)


def _to_zero_hot(h: sp.Expr, depth: int = 0) -> bool:
    """``h(beta) -> 0`` as ``beta -> 0+`` (B.5): ``beta**a`` (a > 0); ``u**(-a)`` with ``|u| -> oo``
    (``log(beta) -> -oo``, ``1/beta -> oo``); constants times such terms; sums and products
    of them with bounded factors (sin, cos of a real argument, constants)."""
    if depth > _MAX_GROWTH_DEPTH or not _real_beta(h) or not h.has(beta):
        return False
    if h == beta:
        return True
    if isinstance(h, sp.Pow):
        b, e = h.args
        if not (e.is_Rational and not e.has(beta)):
            return False
        if e > 0:
            return _to_zero_hot(b, depth + 1)
        return _hot_diverges(b, depth + 1)
    if isinstance(h, sp.Add):
        return all(_to_zero_hot(a, depth + 1) for a in h.args)
    if isinstance(h, sp.Mul):
        factors = sp.Mul.make_args(h)
        zero = [f for f in factors if _to_zero_hot(f, depth + 1)]
        bounded = [f for f in factors if f not in zero and (not f.has(beta) and f.is_finite is True
                                                            or isinstance(f, _BOUNDED_FUNCS) and _real_beta(f.args[0]))]
        return bool(zero) and len(zero) + len(bounded) == len(factors)
    return False


def _hot_diverges(u: sp.Expr, depth: int) -> bool:
    """``|u(beta)| -> oo`` as ``beta -> 0+``: ``log(beta)`` (-> -oo), ``beta**(-a)``, constants times them."""
    if depth > _MAX_GROWTH_DEPTH:
        return False
    if isinstance(u, sp.log) and u.args[0] == beta:
        return True
    if isinstance(u, sp.Pow) and u.args[0] == beta and u.args[1].is_Rational and u.args[1] < 0:
        return True
    if isinstance(u, sp.Mul):
        c, rest = u.as_coeff_Mul()
        return c.is_Rational and c != 0 and rest != u and _hot_diverges(rest, depth + 1)
    return False


def _trailing(p: sp.Poly) -> tuple[int, sp.Expr]:
    """Lowest degree and its coefficient of a non-zero polynomial."""
    (deg,), coeff = min(p.terms(), key=lambda t: t[0][0])
    return deg, coeff


def _target(p: Sequence[Fraction], which: str) -> list[Fraction]:
    if which == "hot":
        return [Fraction(1, len(p))] * len(p)
    m = max(p)
    k = sum(1 for v in p if v == m)
    return [Fraction(1, k) if v == m else Fraction(0) for v in p]


def _eventually_constant(op: Any, tp: Piece, base: Sequence[tuple[sp.Symbol, sp.Expr]], which: str) -> Outcome:
    values = _values_dict(op, base)
    T_star = _frac(tp.sample())
    if T_star is None:
        return Outcome("unknown", "limit", reason="no rational sample temperature", reason_kind="undecided")

    for p in _candidates_for(base):
        exact = _exact_F(op, p, T_star, values)
        if exact is None:
            continue
        ce = _certify("certify_limit", op, p, which, exact, _target(p, which), values=values,
                      proof=f"F_T(p) is constant for {tp.label} (the ratios g(x,T)/g(y,T) do not depend on T there), "
                            f"so its limit is F_{T_star}(p)")
        if ce is not None:
            return Outcome("refuted", f"eventually constant: F_T = F_{{{T_star}}} on {tp.label} (docs/theory/reductions.md#boundary)",
                           counterexample=ce)
    return Outcome("unknown", "limit", reason="F is eventually constant but no certified counterexample was built", reason_kind="undecided")


def _exact_F(op: Any, p: Sequence[Fraction], Tv: Fraction, values: dict[str, Fraction] | None) -> list[sp.Expr] | None:
    env = {T: sp.Rational(Tv.numerator, Tv.denominator), V: sp.Integer(len(p))}
    for prm in op.params:
        if values is None:
            return None
        env[prm.symbol] = sp.Rational(values[prm.name].numerator, values[prm.name].denominator)
    g = _resolve(normalize(op.score), env)
    if g is None:
        return None
    g = g.subs(env)
    gs = []
    for q in p:
        gv = _resolve(g, {x: sp.Rational(q.numerator, q.denominator)})
        if gv is None:
            return None
        gs.append(gv.subs(x, sp.Rational(q.numerator, q.denominator)))
    total = sp.Add(*gs)
    return [sp.simplify(gi / total) if all(v.is_Rational for v in gs) else gi / total for gi in gs]


def _ratio_limit_refutation(op: Any, L: sp.Expr, base: Sequence[tuple[sp.Symbol, sp.Expr]], which: str) -> Outcome:
    """The ratio g(x)/g(y) tends to L(x, y) in (0, oo): F tends to the normalised L-weights."""
    values = _values_dict(op, base)
    vals = _sample_values(base)
    for p in _candidates_for(base):
        env = {V: sp.Integer(len(p)), **{s: v for s, v in vals.items() if s != V}}
        ref = sp.Rational(p[0].numerator, p[0].denominator)
        # weights w_i = lim g(p_i)/g(p_0) = L(p_i, p_0)
        w = [L.subs(env).subs({x: sp.Rational(q.numerator, q.denominator), y: ref}, simultaneous=True) for q in p]
        if any(v.has(sp.nan, sp.zoo, sp.oo) for v in w):
            continue
        total = sp.Add(*w)
        limit = [wi / total for wi in w]
        ce = _certify("certify_limit", op, p, which, limit, _target(p, which), values=values,
                      proof=f"g(x,T)/g(y,T) -> {L} as T -> {'0+' if which == 'cold' else 'oo'}")
        if ce is not None:
            return Outcome("refuted", f"exact limit of the ratio: {L} (docs/theory/reductions.md#boundary)", counterexample=ce)
    return Outcome("unknown", "limit", reason=f"ratio tends to {L}, not the target, but no certified counterexample was built",
                   reason_kind="undecided")


#: Bump when a prover's logic changes: memoised outcomes are keyed by it.
PROVER_VERSION = "5"
_MEMO: dict[tuple[str, str, str, str], Outcome] = {}


def prove(axiom_id: str, op: Any, profile: Any = None) -> Outcome:
    """Run the prover for ``axiom_id`` (no budget here; see :mod:`skd.verify.checker`).

    Outcomes are memoised in-process by (prover version, axiom, operator content hash,
    profile), never across different definitions or prover versions.
    """
    key = (PROVER_VERSION, axiom_id, op.hash, getattr(profile, "name", "paper"))
    if key not in _MEMO:
        out = _kernel_checked(axiom_id, op, _prove_with_lemmas(axiom_id, op, profile))
        if out.status == "unknown":
            out = _fallback(_via_negated_score, axiom_id, op, profile) or _fallback(_via_v_sign_factor, axiom_id, op, profile) or out
        _MEMO[key] = out
    return _MEMO[key]


def memo_keys() -> set[tuple[str, str, str, str]]:
    """The keys of the outcomes memoised in this process so far (see :func:`memo_since`)."""
    return set(_MEMO)


def memo_since(before: set[tuple[str, str, str, str]]) -> dict[tuple[str, str, str, str], Outcome]:
    """The outcomes memoised in this process since :func:`memo_keys` returned ``before``."""
    return {k: v for k, v in _MEMO.items() if k not in before}


def seed_memo(entries: Mapping[tuple[str, str, str, str], Outcome]) -> int:
    """Add outcomes that :func:`prove` computed in another process of the same check (keyed as
    :func:`prove` keys them: prover version, axiom, operator content hash, profile), so that
    this process does not compute them again. Entries of another prover version are ignored and
    an outcome already here is kept. Returns how many were added."""
    added = 0
    for key, out in entries.items():
        if (isinstance(key, tuple) and len(key) == 4 and key[0] == PROVER_VERSION and isinstance(out, Outcome)
                and key not in _MEMO):
            _MEMO[key] = out
            added += 1
    return added


def _fallback(route: Callable[[str, Any, Any], Outcome | None], axiom_id: str, op: Any, profile: Any) -> Outcome | None:
    """A second route to a proof (through -g, through sigma(V) g): a construct it cannot handle
    means no proof by that route, never a crash."""
    try:
        return route(axiom_id, op, profile)
    except (Unsupported, TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError, sp.PolynomialError):
        return None


def _is_negated(out: Outcome) -> bool:
    """A proof through ``-g`` or ``sigma(V) * g`` (not about ``g > 0`` itself)."""
    return any(s.check == "lemma" and (dict(s.args).get(NEGATION_LEMMA) == "true" or SIGN_FACTOR_LEMMA in dict(s.args))
               for s in out.steps)


def _sign_factor_of(out: Outcome) -> sp.Expr | None:
    for s in out.steps:
        if s.check == "lemma" and SIGN_FACTOR_LEMMA in dict(s.args):
            return (out.exprs or {}).get(dict(s.args)[SIGN_FACTOR_LEMMA])
    return None


def lemma_outcomes(op: Any, out: Outcome, profile: Any = None) -> dict[str, Outcome]:
    """The proved outcomes of the axioms ``out`` cites as lemmas, transitively, for the kernel
    to check in turn (for the score -g, or sigma(V) * g, when ``out`` is a proof through it)."""
    sigma = _sign_factor_of(out)
    if sigma is not None:
        eff = dataclasses.replace(op, score=sigma * op.score)
    else:
        eff = dataclasses.replace(op, score=-op.score) if _is_negated(out) else op
    found: dict[str, Outcome] = {}
    todo = [out]
    while todo:
        cur = todo.pop()
        for s in cur.steps:
            name = dict(s.args).get("axiom") if s.check == "lemma" else None
            if name and name not in found:
                found[name] = prove(name, eff, profile)
                todo.append(found[name])
    return found


#: hashes of operators made by :func:`_negated` (never negated again)
_NEGATED: set[str] = set()
NEGATION_LEMMA = "negated_score"
SIGN_FACTOR_LEMMA = "sign_factor"


def _v_sign_factor(op: Any) -> sp.Expr | None:
    """``sigma(V)``: a Piecewise of +-1 over the V cases of the score's V-only factor ``c(V)``,
    the sign of ``c`` on each case, when ``c`` is negative on some case; None otherwise.
    ``sigma(V) * g`` then has a positive V-only factor, and ``F`` is the same map (W.5, per V)."""
    if op.kind != "separable" or op.params:
        return None
    c, _rest = op.score.as_independent(x, T, as_Add=False)
    if V not in c.free_symbols or c.free_symbols != {V}:
        return None
    pieces: list[tuple[sp.Expr, sp.Basic]] = []
    any_negative = False
    cases = v_cases(c)
    for v_sub, _label in cases:
        sample = v_sub.subs({sym: sp.Integer(1) for sym in v_sub.free_symbols})
        val = resolve_v(c, v_sub).subs(V, sample)
        if not val.is_number or val.has(sp.zoo, sp.nan) or val == 0:
            return None
        sgn = _number_sign_exact(val)
        if sgn is None:
            return None
        any_negative = any_negative or sgn < 0
        if v_sub.is_Integer:
            cond: sp.Basic = sp.Eq(V, v_sub)
        else:
            # a Möbius map of one fresh positive symbol onto (lo, hi) or (lo, oo)
            (v,) = v_sub.free_symbols
            lo, hi = sp.limit(v_sub, v, 0, "+"), sp.limit(v_sub, v, sp.oo)
            cond = sp.true if hi is sp.oo else sp.And(V > lo, V < hi)
        pieces.append((sp.Integer(sgn), cond))
    if not any_negative or not pieces or pieces[-1][1] is not sp.true:
        return None
    return sp.Piecewise(*pieces)


def _number_sign_exact(v: sp.Expr) -> int | None:
    if v.is_Rational:
        return 1 if v > 0 else -1 if v < 0 else None
    n = sp.N(v, 30)
    return 1 if n > 1e-20 else -1 if n < -1e-20 else None


def _via_v_sign_factor(axiom_id: str, op: Any, profile: Any) -> Outcome | None:
    """The V-only factor of the score changes sign between V cases (``x**(1/T)*(V - 5/2)``):
    for each fixed ``V``, ``g`` and ``sigma(V) g`` define the same ``F`` (W.5), so the axiom is
    proved for ``sigma(V) g``, whose V-only factor is positive. Proofs only; None otherwise."""
    if op.hash in _NEGATED:
        return None
    sigma = _v_sign_factor(op)
    if sigma is None:
        return None
    op2 = dataclasses.replace(op, score=sigma * op.score, name=f"{op.name}__sign_normalised")
    _NEGATED.add(op2.hash)
    if axiom_id not in ("boundary_cold", "boundary_hot") and prove("well_defined", op2, profile).status != "proved":
        return None
    out = prove(axiom_id, op2, profile)
    if out.status != "proved":
        return None
    key = sp.srepr(sigma)
    _EXPRS[key] = sigma
    lemma = Step(f"F_T(p) is unchanged when g is replaced by sigma(V) g with sigma = {sp.sstr(sigma)} "
                 "(+-1 for each V); the steps below are for sigma(V) g", "lemma", ((SIGN_FACTOR_LEMMA, key),))
    exprs = dict(out.exprs or {})
    exprs[key] = sigma
    return _kernel_checked(axiom_id, op, dataclasses.replace(out, steps=[lemma, *out.steps], exprs=exprs,
                                                             method=out.method + " applied to sigma(V) g (F unchanged)"))


def _negated(op: Any) -> Any | None:
    if op.kind != "separable" or op.hash in _NEGATED:
        return None
    neg = dataclasses.replace(op, score=-op.score, name=f"{op.name}__negated")
    _NEGATED.add(neg.hash)
    return neg


def _via_negated_score(axiom_id: str, op: Any, profile: Any) -> Outcome | None:
    """``F`` is unchanged when the score ``g`` is replaced by ``-g`` (the ratio ``g_i / Σ g_j``
    is, and so is where it is defined): a score that is negative everywhere is proved through
    ``-g > 0`` (docs/theory/reductions.md#negative-scores). Proofs only; None otherwise."""
    neg = _negated(op)
    if neg is None:
        return None
    # a limit needs -g > 0 only near its end (B.0), which its own proof for -g establishes
    if axiom_id not in ("boundary_cold", "boundary_hot") and prove("well_defined", neg, profile).status != "proved":
        return None
    out = prove(axiom_id, neg, profile)
    if out.status != "proved":
        return None
    lemma = Step("F_T(p) is unchanged when g is replaced by -g; the steps below are for the score -g", "lemma",
                 ((NEGATION_LEMMA, "true"),))
    return _kernel_checked(axiom_id, op, dataclasses.replace(out, steps=[lemma, *out.steps],
                                                             method=out.method + " applied to -g (F unchanged)"))


def _kernel_checked(axiom_id: str, op: Any, out: Outcome) -> Outcome:
    """Every ``proved`` outcome goes through the independent kernel (:mod:`skd.verify.kernel`)
    before anyone sees it; a rejected certificate becomes ``unknown`` (a prover bug)."""
    if out.status != "proved":
        return out
    from .kernel import check_proof

    ok, message = check_proof(axiom_id, op, out, lemmas=lemma_outcomes(op, out))
    if ok:
        return out
    return Outcome("unknown", out.method, reason=f"the independent proof checker rejected the certificate "
                   f"(a prover bug; please report it): {message}"[:600], reason_kind="undecided")


def _prove_with_lemmas(axiom_id: str, op: Any, profile: Any) -> Outcome:
    """Every reduction theorem assumes g > 0 (docs/theory/reductions.md): with scores of mixed
    sign the normaliser can be negative or zero and the order of F can reverse. So each axiom
    other than well_defined is proved only on top of a proof that g > 0; its refutations
    (certified counterexamples about F itself) need no such lemma."""
    out = _prove(axiom_id, op, profile)
    if axiom_id in ("well_defined", "identity") or out.status != "proved":
        # identity needs only g(x, 1, V) = c x with c != 0, checked by its own prover
        return out
    wd = prove("well_defined", op, profile)
    if wd.status != "proved" or _is_negated(wd):
        # the reductions need g > 0 itself; a proof through -g > 0 (g < 0) does not give it.
        # A limit needs it only near its end of the T-axis (reductions.md#boundary, B.0).
        if axiom_id in ("boundary_cold", "boundary_hot"):
            local = _local_positivity(op, "cold" if axiom_id == "boundary_cold" else "hot")
            if local is not None:
                return _with_step_data(dataclasses.replace(out, steps=[*local, *out.steps]))
        return Outcome("unknown", out.method, reason="the reduction needs g > 0 (well_defined), which is not proved",
                       reason_kind="undecided")
    lemma = Step("g > 0 on the whole domain (well_defined proved): the reduction applies", "lemma",
                 (("axiom", "well_defined"),))
    return dataclasses.replace(out, steps=[lemma, *out.steps])


_COLD_ENDS = (sp.Rational(1, 2), sp.Rational(1, 10), sp.Rational(1, 100), sp.Rational(1, 10000))
_HOT_ENDS = (sp.Integer(2), sp.Integer(10), sp.Integer(100), sp.Integer(10000))


def _local_positivity(op: Any, which: str) -> list[Step] | None:
    """Steps proving g defined and > 0 (and the written side conditions) for every x in (0, 1)
    and every V case on an end interval of the T-axis: the limit's own end piece, or
    ``(0, c)`` / ``(c, oo)`` inside it. None if no such interval is found."""
    obligations = tuple(getattr(op, "obligations", ()))
    combined = _ALL(op.score, *[_guarded(o) for o in obligations]) if obligations else op.score
    tps = [tp for tp in t_pieces(combined) if not tp.point]
    tp = tps[0] if which == "cold" else tps[-1]
    if tp.expr is None:
        return None
    lo, hi = _interval(tp)
    ends = [c for c in (_COLD_ENDS if which == "cold" else _HOT_ENDS)
            if (which == "cold" and (hi is None or c < hi)) or (which == "hot" and c > lo)]
    for c in [None, *ends]:
        piece = tp if c is None else (Piece(T, tp.lo, c, False, tp.expr) if which == "cold" else Piece(T, c, None, False, tp.expr))
        steps: list[Step] = []
        ok = True
        for base, blabel in _base_cases(op):
            for xp in x_pieces(tp.expr):
                if xp.expr is None:
                    return None
                parts = xp.expr.args if obligations else (xp.expr,)
                where = f"{piece.label}, {xp.label}, {blabel}"
                subs = [_t_sub(piece), _x_sub(xp)] + list(base)
                s, step, _ = _sign_step(parts[0], subs, "g", where, parts[0])
                if s != "pos":
                    ok = False
                    break
                steps.append(step)
                for k, (ob, e) in enumerate(zip(obligations, parts[1:])):
                    if e == 1:
                        continue
                    se, step_o, _ = _sign_step(e, subs, f"written side condition {k}", where, e)
                    if se not in _OBLIGATION_OK[ob[0]]:
                        ok = False
                        break
                    steps.append(step_o)
                if not ok:
                    break
            if not ok:
                break
        if ok:
            end = "T -> 0+" if which == "cold" else "T -> oo"
            return [Step(f"g > 0 on {piece.label} (proved below) suffices for the limit {end}", "lemma",
                         (("local", which),)), *steps]
    return None


def _prove(axiom_id: str, op: Any, profile: Any = None) -> Outcome:
    if profile is not None and not profile.open_simplex:
        # The reductions cover p in the open simplex (x in (0, 1)); entries equal to 0 need
        # their own lemmas, which do not exist yet. Never claim a proof outside that scope.
        return Outcome("unknown", "symbolic", reason=f"profile {profile.name!r} (closed simplex): the symbolic provers cover "
                       "the open simplex only", reason_kind="unsupported")
    try:
        out = PROVERS[axiom_id](op, profile)
    except Unsupported as exc:
        return Outcome("unknown", "symbolic", reason=str(exc), reason_kind="unsupported")
    except (TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError, sp.PolynomialError) as exc:
        # A SymPy corner the prover does not handle: an honest unknown, never a guess.
        return Outcome("unknown", "symbolic", reason=f"prover could not handle the score ({type(exc).__name__}: {exc})"[:300],
                       reason_kind="undecided")
    if out.status == "proved":
        out = _with_step_data(out)
    return out


def _with_step_data(out: Outcome) -> Outcome:
    """``out`` with the expressions and substitutions of its sign steps attached (for the
    kernel and for proofcheck's spot checks)."""
    wanted = {dict(s.args).get("expr") for s in out.steps}
    wanted_subs = {dict(s.args).get("subs") for s in out.steps}
    return dataclasses.replace(out, exprs={k: v for k, v in _EXPRS.items() if k in wanted},
                               subs={k: v for k, v in _SUBS.items() if k in wanted_subs})


PROVERS: dict[str, Callable[[Any, Any], Outcome]] = {
    "well_defined": prove_well_defined,
    "ranking": prove_ranking,
    "continuity": prove_continuity,
    "entropy": prove_entropy,
    "identity": prove_identity,
    "boundary_cold": lambda op, profile=None: prove_boundary(op, "cold", profile),
    "boundary_hot": lambda op, profile=None: prove_boundary(op, "hot", profile),
}
