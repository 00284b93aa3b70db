"""Piece decomposition of a separable score and substitution to positive variables.

``Min``, ``Max``, ``Abs``, ``Heaviside`` and ``sign`` are rewritten as ``Piecewise``; every
condition must be a rational inequality in ``T`` alone or in ``x`` alone (anything else is
``Unsupported``). The breakpoints (real roots of numerators and denominators) split
``T ∈ (0, ∞)`` and ``x ∈ (0, 1)`` into open intervals and points; on each, every condition
has one truth value, decided exactly at a sample point, and the score is one expression.

Each piece then maps the original symbols to expressions in fresh **strictly positive**
symbols (``docs/theory/reductions.md#piecewise-scores``):

* ``(0, ∞) ∋ T = t``; ``(a, ∞) ∋ T = a + t``; ``(0, b) ∋ T = b/(1 + t)``;
  ``(a, b) ∋ T = (a + b t)/(1 + t)``; a breakpoint is substituted exactly;
* ``x`` likewise on ``(0, 1)`` and its pieces; ``V = 2`` and ``V = 2 + v`` (real ``V ≥ 2``,
  which covers every integer vocabulary size);
* a parameter on its declared interval: interior as above, closed finite ends as points.

>>> from skd.verify.regions import t_pieces
>>> from skd.operators import library
>>> [(str(p.label), str(p.expr)) for p in t_pieces(library.mixture.score)]
[('T in (0, 1)', 'x'), ('T = 1', 'x'), ('T in (1, oo)', '(1 - 1/T)/V + x/T')]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import sympy as sp

from skd.operators.declare import Param
from skd.operators.errors import SkdError
from skd.operators.symbols import T, V, x

from .signs import Sign, expand_logs, number_sign

__all__ = ["Unsupported", "Piece", "normalize", "t_pieces", "x_pieces", "param_pieces", "fresh_symbol", "expand_logs",
           "v_cases", "v_breakpoints", "resolve_v", "resolve_piecewise"]


class Unsupported(SkdError):
    """The score uses a construct the symbolic provers do not handle (reason in the message)."""


@dataclasses.dataclass(frozen=True)
class Piece:
    """One interval (or point) of one variable and the score's expression on it."""

    var: sp.Symbol
    lo: sp.Expr | None  # None: 0 for T and x (open end)
    hi: sp.Expr | None  # None: oo for T, 1 for x
    point: bool
    expr: sp.Expr | None  # None: no Piecewise branch applies (undefined)

    @property
    def label(self) -> str:
        if self.point:
            return f"{self.var} = {self.lo}"
        lo = "0" if self.lo is None else str(self.lo)
        hi = ("oo" if self.var == T else "1") if self.hi is None else str(self.hi)
        return f"{self.var} in ({lo}, {hi})"

    def substitution(self, fresh: sp.Symbol) -> sp.Expr:
        """The original variable as an expression in the positive symbol ``fresh``."""
        if self.point:
            return self.lo
        lo = sp.Integer(0) if self.lo is None else self.lo
        if self.hi is None and self.var == T:
            return fresh if lo == 0 else lo + fresh
        hi = sp.Integer(1) if self.hi is None else self.hi
        if lo == 0:
            return hi / (1 + fresh)
        return (lo + hi * fresh) / (1 + fresh)

    def sample(self) -> sp.Expr:
        """An exact interior point (or the point itself)."""
        if self.point:
            return self.lo
        return self.substitution(sp.Integer(1))


# -- normalisation -----------------------------------------------------------------------------


def normalize(expr: sp.Expr) -> sp.Expr:
    """Rewrite Min/Max/Abs/Heaviside/sign as Piecewise, bottom-up."""
    if not expr.args:
        return expr
    args = [normalize(a) if isinstance(a, sp.Expr) else a for a in expr.args]
    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*[(normalize(v), _floor_free_condition(c)) for v, c in expr.args])
    if isinstance(expr, (sp.Min, sp.Max)):
        out = args[0]
        for a in args[1:]:
            if isinstance(expr, sp.Min):
                out = sp.Piecewise((out, sp.Le(out - a, 0)), (a, True))
            else:
                out = sp.Piecewise((out, sp.Ge(out - a, 0)), (a, True))
        return out
    if isinstance(expr, sp.Abs):
        a = args[0]
        return sp.Piecewise((a, sp.Ge(a, 0)), (-a, True))
    if isinstance(expr, sp.Heaviside):
        a = args[0]
        return sp.Piecewise((sp.Integer(0), sp.Lt(a, 0)), (sp.Integer(1), sp.Gt(a, 0)), (sp.Rational(1, 2), True))
    if isinstance(expr, sp.sign):
        a = args[0]
        return sp.Piecewise((sp.Integer(-1), sp.Lt(a, 0)), (sp.Integer(1), sp.Gt(a, 0)), (sp.Integer(0), True))
    if isinstance(expr, (sp.floor, sp.ceiling)):
        return _integer_steps(expr, args[0])
    return expr.func(*args)


_MAX_STEPS = 40


def _integer_steps(expr: sp.Expr, a: sp.Expr) -> sp.Expr:
    """``floor(a)`` / ``ceiling(a)`` for ``a = alpha*x + beta`` (rational, alpha != 0) as a
    Piecewise over the integer thresholds ``a`` crosses for ``x`` in (0, 1): ``floor(a) = n`` on
    ``n <= a < n + 1``, ``ceiling(a) = n`` on ``n - 1 < a <= n``. Other arguments are unsupported."""
    name = type(expr).__name__
    try:
        poly = sp.Poly(a, x) if a.free_symbols == {x} else None
    except sp.PolynomialError:
        poly = None
    if poly is None or poly.degree() != 1 or not all(c.is_Rational for c in poly.all_coeffs()):
        raise Unsupported(f"{name} is supported only of a linear function of x with rational coefficients")
    alpha, beta_ = poly.all_coeffs()
    lo, hi = sorted([beta_, alpha + beta_])
    if hi - lo > _MAX_STEPS:
        raise Unsupported(f"{name}({a}) takes more than {_MAX_STEPS} values on x in (0, 1)")
    if isinstance(expr, sp.floor):
        values = list(range(int(sp.floor(lo)), int(sp.ceiling(hi))))  # a in the open (lo, hi)
        pieces = [(sp.Integer(n), sp.Lt(a, n + 1)) for n in values[:-1]] + [(sp.Integer(values[-1]), sp.true)]
    else:
        values = list(range(int(sp.floor(lo)) + 1, int(sp.ceiling(hi)) + 1))
        pieces = [(sp.Integer(n), sp.Le(a, n)) for n in values[:-1]] + [(sp.Integer(values[-1]), sp.true)]
    return sp.Piecewise(*pieces)


def _floor_free_condition(c: sp.Basic) -> sp.Basic:
    """A condition comparing ``floor(u)`` / ``ceiling(u)`` with an integer, rewritten on ``u``:
    ``floor(u) == n`` iff ``n <= u < n + 1``, ``floor(u) < n`` iff ``u < n``, ``floor(u) <= n`` iff
    ``u < n + 1`` (and the mirror rules for ``>``, ``>=`` and for ``ceiling``)."""
    if isinstance(c, (sp.And, sp.Or, sp.Not)):
        return c.func(*[_floor_free_condition(a) for a in c.args])
    if not isinstance(c, sp.core.relational.Relational):
        return c
    lhs, rhs, op = c.lhs, c.rhs, c.rel_op
    if isinstance(rhs, (sp.floor, sp.ceiling)) and lhs.is_Integer:
        lhs, rhs, op = rhs, lhs, {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}[op]
    if not (isinstance(lhs, (sp.floor, sp.ceiling)) and rhs.is_Integer):
        return c
    u, n = lhs.args[0], rhs
    if isinstance(lhs, sp.floor):  # floor(u) = k  iff  k <= u < k + 1
        rules = {"==": sp.And(sp.Ge(u, n), sp.Lt(u, n + 1)), "!=": sp.Or(sp.Lt(u, n), sp.Ge(u, n + 1)),
                 "<": sp.Lt(u, n), "<=": sp.Lt(u, n + 1), ">": sp.Ge(u, n + 1), ">=": sp.Ge(u, n)}
    else:  # ceiling(u) = k  iff  k - 1 < u <= k
        rules = {"==": sp.And(sp.Gt(u, n - 1), sp.Le(u, n)), "!=": sp.Or(sp.Le(u, n - 1), sp.Gt(u, n)),
                 "<": sp.Le(u, n - 1), "<=": sp.Le(u, n), ">": sp.Gt(u, n), ">=": sp.Gt(u, n - 1)}
    return rules[op]


def _conditions(expr: sp.Basic) -> list[sp.Basic]:
    out = []
    for pw in expr.atoms(sp.Piecewise):
        for _, c in pw.args:
            out.extend(_relationals(c))
    return out


def _relationals(c: sp.Basic) -> list[sp.Basic]:
    if c in (sp.true, sp.false):
        return []
    if isinstance(c, (sp.And, sp.Or, sp.Not)):
        return [r for a in c.args for r in _relationals(a)]
    if isinstance(c, sp.core.relational.Relational):
        return [c]
    raise Unsupported(f"condition {c} is not an inequality")


def _breakpoints(expr: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr | None) -> list[sp.Expr]:
    points: set[sp.Expr] = set()
    for rel in _conditions(expr):
        diff = rel.lhs - rel.rhs
        syms = diff.free_symbols
        if not syms or syms == {V}:
            continue  # conditions in V alone are resolved per V case (v_cases)
        if syms != {var}:
            if var in syms or not (syms & {x, T}):
                raise Unsupported(f"condition {rel} mixes variables {sorted(map(str, syms))}; "
                                  "only conditions in T alone or x alone are supported")
            continue
        num, den = sp.fraction(sp.cancel(sp.together(diff)))
        for part in (num, den):
            if not part.free_symbols:
                continue
            try:
                poly = sp.Poly(part, var)
            except sp.PolynomialError:
                raise Unsupported(f"condition {rel} is not rational in {var}") from None
            if poly.degree() > 8:
                raise Unsupported(f"condition {rel} has degree {poly.degree()} in {var}")
            for r in poly.real_roots():
                if r > lo and (hi is None or r < hi):
                    points.add(sp.nsimplify(r) if r.is_Rational else r)
    return sorted(points, key=lambda r: sp.N(r, 50))


def _decide(cond: sp.Basic, env: dict[sp.Symbol, sp.Expr]) -> bool:
    if cond is sp.true:
        return True
    if cond is sp.false:
        return False
    if isinstance(cond, sp.And):
        return all(_decide(c, env) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(_decide(c, env) for c in cond.args)
    if isinstance(cond, sp.Not):
        return not _decide(cond.args[0], env)
    if isinstance(cond, sp.core.relational.Relational):
        d = (cond.lhs - cond.rhs).subs(env)
        if d.free_symbols:
            raise _Open(cond)
        s: Sign | None = number_sign(sp.nsimplify(d) if d.is_Float else d)
        if s is None:
            raise Unsupported(f"cannot decide {cond} at {env}")
        op = cond.rel_op
        return {"<": s == "neg", "<=": s in ("neg", "zero"), ">": s == "pos", ">=": s in ("pos", "zero"),
                "==": s == "zero", "!=": s != "zero"}[op]
    raise Unsupported(f"condition {cond} is not supported")


class _Open(Exception):
    """A condition still depends on another variable; resolve it later."""


def resolve_piecewise(expr: sp.Expr, env: dict[sp.Symbol, sp.Expr]) -> sp.Expr | None:
    """Replace each Piecewise whose conditions are decided by ``env`` with its active branch."""
    if isinstance(expr, sp.Piecewise):
        for value, cond in expr.args:
            try:
                hit = _decide(cond, env)
            except _Open:
                rest = []
                for v, c in expr.args[expr.args.index((value, cond)):]:
                    rv = resolve_piecewise(v, env)
                    if rv is None:
                        return None
                    rest.append((rv, c))
                return sp.Piecewise(*rest)
            if hit:
                return resolve_piecewise(value, env)
        return None
    if not expr.args or not isinstance(expr, sp.Expr):
        return expr
    new_args = []
    for a in expr.args:
        if isinstance(a, sp.Expr):
            r = resolve_piecewise(a, env)
            if r is None:
                return None
            new_args.append(r)
        else:
            new_args.append(a)
    return expr.func(*new_args)


#: the former private name, still imported by ``verify/prove.py``; remove once it uses :func:`resolve_piecewise`
_resolve = resolve_piecewise


def _pieces(expr: sp.Expr, var: sp.Symbol, hi_default: sp.Expr | None) -> list[Piece]:
    lo0 = sp.Integer(0)
    pts = _breakpoints(expr, var, lo0, hi_default)
    ends: list[sp.Expr | None] = [None, *pts, None]
    out = []
    for k in range(len(ends) - 1):
        a, b = ends[k], ends[k + 1]
        piece = Piece(var, a, b, False, None)
        out.append(dataclasses.replace(piece, expr=resolve_piecewise(expr, {var: piece.sample()})))
        if b is not None:
            out.append(Piece(var, b, b, True, resolve_piecewise(expr, {var: b})))
    return out


def t_pieces(expr: sp.Expr) -> list[Piece]:
    """The pieces of ``expr`` in ``T`` (conditions in ``x`` may remain)."""
    return _pieces(normalize(expr), T, None)


def x_pieces(expr: sp.Expr) -> list[Piece]:
    """The pieces of a T-resolved ``expr`` in ``x`` on (0, 1)."""
    return _pieces(normalize(expr), x, sp.Integer(1))


# -- regions ------------------------------------------------------------------------------------

_FRESH = {T: sp.Symbol("t", positive=True), x: sp.Symbol("u", positive=True), V: sp.Symbol("v", positive=True)}


def fresh_symbol(var: sp.Symbol) -> sp.Symbol:
    return _FRESH.get(var) or sp.Symbol(f"{var}_", positive=True)


def param_pieces(params: Sequence[Param]) -> list[list[tuple[sp.Symbol, sp.Expr, str]]]:
    """For each parameter, its interior and closed finite ends as (symbol, substitution, label)."""
    out = []
    for prm in params:
        sym = prm.symbol
        lo, hi = prm.bounds
        f = sp.Symbol(f"{prm.name}_", positive=True)
        if lo is None and hi is None:
            raise Unsupported(f"parameter {prm.name} has an unbounded two-sided domain; split it or bound it")
        if lo is not None and hi is None:
            interior = lo + f
        elif lo is None:
            interior = hi - f
        else:
            interior = (lo + hi * f) / (1 + f)
        cases = [(sym, interior, f"{prm.name} in {prm.describe()} (interior)")]
        if lo is not None and prm.lower_closed:
            cases.append((sym, lo, f"{prm.name} = {lo}"))
        if hi is not None and prm.upper_closed:
            cases.append((sym, hi, f"{prm.name} = {hi}"))
        out.append(cases)
    return out


V_CASES = ((sp.Integer(2), "V = 2"), (2 + _FRESH[V], "V > 2"))
_MAX_V_BREAKPOINT_DEGREE = 8


def v_breakpoints(expr: sp.Expr) -> list[sp.Expr]:
    """Real roots > 2 of the conditions in ``V`` alone and of the ``V``-only subterms of
    ``expr`` (numerators and denominators): on the open intervals between them every such
    condition has one truth value and every such subterm one sign."""
    parts: list[sp.Expr] = [rel.lhs - rel.rhs for rel in _conditions(expr)]
    parts += [a for a in sp.preorder_traversal(expr) if isinstance(a, sp.Add)]
    points: set[sp.Expr] = set()
    for diff in parts:
        if diff.free_symbols != {V}:
            continue
        num, den = sp.fraction(sp.cancel(sp.together(diff)))
        for part in (num, den):
            if V not in part.free_symbols:
                continue
            try:
                poly = sp.Poly(part, V)
            except sp.PolynomialError:
                raise Unsupported(f"{diff} is not rational in V") from None
            if poly.degree() > _MAX_V_BREAKPOINT_DEGREE or any(c.free_symbols for c in poly.all_coeffs()):
                raise Unsupported(f"{diff}: degree {poly.degree()} in V")
            try:
                roots = poly.real_roots()
            except (NotImplementedError, sp.PolynomialError) as exc:
                raise Unsupported(f"real roots of {part} in V: {exc}") from None
            for r in roots:
                if sp.N(r - 2, 50) > 0:
                    points.add(r)
    return sorted(points, key=lambda r: sp.N(r, 50))


def v_cases(expr: sp.Expr) -> list[tuple[sp.Expr, str]]:
    """The cases of the vocabulary size: ``V = 2``, then the open intervals between the
    :func:`v_breakpoints` that contain an integer (as Möbius substitutions in a fresh positive
    ``v``) and the integer breakpoints themselves. Without breakpoints: ``V = 2`` and
    ``V = 2 + v`` (real ``V >= 2``, which covers every integer vocabulary size).

    >>> [label for _, label in v_cases(sp.Piecewise((x, V < 5), (x**2, True)))]
    ['V = 2', 'V in (2, 5)', 'V = 5', 'V > 5']
    """
    pts = v_breakpoints(expr)
    if not pts:
        return list(V_CASES)
    v = _FRESH[V]
    out: list[tuple[sp.Expr, str]] = [(sp.Integer(2), "V = 2")]
    ends: list[sp.Expr] = [sp.Integer(2), *pts]
    for k, a in enumerate(ends):
        b = ends[k + 1] if k + 1 < len(ends) else None
        if k > 0 and a.is_Integer:
            out.append((a, f"V = {a}"))
        lo_int = int(sp.floor(sp.N(a, 50))) + 1
        if b is not None and not sp.N(b, 50) > lo_int:
            continue  # no integer strictly between a and b
        if b is None:
            out.append((a + v, f"V > {a}"))
        else:
            out.append(((a + b * v) / (1 + v), f"V in ({a}, {b})"))
    return out


def resolve_v(expr: sp.Expr, v_sub: sp.Expr) -> sp.Expr:
    """``expr`` with every Piecewise branch whose conditions are in ``V`` alone decided on the V
    case ``v_sub`` (constant there, by :func:`v_cases`); other conditions are left alone."""
    if not expr.has(sp.Piecewise) or V not in expr.free_symbols:
        return expr
    sample = v_sub.subs({s: sp.Integer(1) for s in v_sub.free_symbols})
    out = resolve_piecewise(expr, {V: sample})
    return expr if out is None else out
