"""Exact one-sided limits by the limit laws: the symbolic limit engine of the certifier.

:func:`separable_T_limit` gives the exact limit of ``F_T(p)`` of a separable operator as
``T -> 0+`` (``"cold"``) or ``T -> oo`` (``"hot"``, computed as ``s = 1/T -> 0+``);
:func:`score_T_limit` and :func:`score_one_sided_limit` give limits of the score ``g`` in ``T``
and in ``x``. Everything rests on one engine, ``_lim``: the exact limit of an expression in one
variable from one side, in the extended reals, or None when it is not established. It follows
the limit laws operation by operation; every indeterminate form (``oo - oo``, ``0 * oo``,
``1**oo``, ``0**0``) and every discontinuity (``floor``, a domain boundary) is answered by None,
never guessed. A Piecewise branch is taken only when each condition's truth on a one-sided
neighbourhood is certain: from a non-zero one-sided limit of ``lhs - rhs``, or from the first
non-zero Taylor coefficient (up to :data:`TAYLOR_ORDER`) of an analytic condition. Signs of
closed-form numbers are decided by enclosures in :class:`~skd.verify.hybrid.HybridArith`
(:func:`sign_of`). The limits are pure functions of their arguments and memoised in-process.

The certifier (:mod:`skd.verify.certify`) confirms every limit it uses by enclosures along a
sequence before it certifies anything with it; this module only computes.

>>> from fractions import Fraction as Q
>>> import sympy as sp
>>> from skd.operators import library
>>> from skd.operators.symbols import x
>>> separable_T_limit(library.power, [Q(7, 10), Q(3, 10)], "cold")
[1, 0]
>>> separable_T_limit(library.power, [Q(7, 10), Q(3, 10)], "hot")
[1/2, 1/2]
>>> jump = sp.Piecewise((x, x < sp.Rational(1, 2)), (1 - x / 2, True))
>>> one_sided(jump, sp.Rational(1, 2), "-"), one_sided(jump, sp.Rational(1, 2), "+")
(1/2, 3/4)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

import sympy as sp

from skd.operators.arith import Undecided
from skd.operators.errors import NotWellDefined
from skd.operators.evaluate import eval_expr
from skd.operators.symbols import T as T_SYM
from skd.operators.symbols import V as V_SYM
from skd.operators.symbols import x as X_SYM
from skd.verify.budget import Memo
from skd.verify.hybrid import DISPLAY_PREC, ExactZeroDivision, HybridArith, exact_values, frac, lift

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = [
    "TAYLOR_ORDER",
    "num_env",
    "one_sided",
    "score_T_limit",
    "score_one_sided_limit",
    "separable_T_limit",
    "sign_of",
    "vector_T_limit",
]

#: one-sided limits ``_lim(expr, var, x0, side)`` (a pure function of its four arguments)
_LIM_MEMO = Memo("limits._lim")
#: ``_T_expr``: the score at ``x0`` as a function of the limit variable, keyed by the score, the
#: parameter symbols and names, ``x0``, ``V``, the parameter values and the end
_T_EXPR_MEMO = Memo("limits._T_expr")

_SMOOTH = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.tanh, sp.sinh, sp.cosh, sp.atan, sp.erf)
TAYLOR_ORDER = 6


def num_env(op: Operator, T: Fraction, V: int, vals: Mapping[str, Fraction]) -> dict[sp.Symbol, sp.Expr]:
    """``{T, V, parameters}`` as exact SymPy numbers: substituted, they leave the score in ``x``."""
    env: dict[sp.Symbol, sp.Expr] = {T_SYM: sp.Rational(T.numerator, T.denominator), V_SYM: sp.Integer(V)}
    for prm in op.params:
        q = vals[prm.name]
        env[prm.symbol] = sp.Rational(q.numerator, q.denominator)
    return env


def sign_of(e: sp.Expr, prec: int = DISPLAY_PREC) -> int | None:
    """Certain sign of a closed-form number (-1, 0, 1), or None."""
    ar = HybridArith(prec)
    try:
        with ar.active():
            v = lift(eval_expr(e, {}, ar))
            if v.q is not None:
                return (v.q > 0) - (v.q < 0)
            if v.ball.is_zero():
                return 0
            if v.ball > 0:
                return 1
            if v.ball < 0:
                return -1
    except (Undecided, NotWellDefined, ExactZeroDivision, TypeError, ValueError, ZeroDivisionError):
        return None
    return None


def _analytic_at(h: sp.Expr, x0: sp.Expr, var: sp.Symbol = X_SYM) -> bool:
    """``h`` (a function of ``var`` only) is analytic on a neighbourhood of ``x0``: built from +,
    *, powers and smooth functions, with every domain condition strict at ``x0``."""
    for node in sp.preorder_traversal(h):
        if isinstance(node, (sp.Symbol, sp.Number)) or node in (sp.pi, sp.E):
            continue
        if isinstance(node, (sp.Add, sp.Mul)):
            continue
        if isinstance(node, sp.Pow):
            base, ex = node.args
            if isinstance(ex, sp.Integer) and ex >= 0:
                continue
            sb = sign_of(base.subs(var, x0))
            if isinstance(ex, sp.Integer):
                if sb in (1, -1):
                    continue
                return False
            if sb != 1:
                return False
            continue
        if isinstance(node, sp.log):
            if sign_of(node.args[0].subs(var, x0)) != 1:
                return False
            continue
        if isinstance(node, sp.tan):
            if sign_of(sp.cos(node.args[0].subs(var, x0))) not in (1, -1):
                return False
            continue
        if isinstance(node, _SMOOTH):
            continue
        return False
    return True


def _sgn_ext(e: sp.Expr) -> int | None:
    if e == sp.oo:
        return 1
    if e == -sp.oo:
        return -1
    return sign_of(e)


def _is_inf(e: sp.Expr) -> bool:
    return e == sp.oo or e == -sp.oo


def _sign_near(h: sp.Expr, x0: sp.Expr, side: str, var: sp.Symbol = X_SYM) -> int | None:
    """Sign of ``h`` on ``(x0, x0 + delta)`` (side "+") or ``(x0 - delta, x0)`` (side "-") for some
    ``delta > 0``; None when it cannot be established."""
    lim = _lim(h, var, x0, side)
    if lim is not None:
        s = _sgn_ext(lim)
        if s in (1, -1):
            return s  # h tends to a non-zero (possibly infinite) limit: constant sign near x0
    if not _analytic_at(h, x0, var):
        return None
    d = h
    for m in range(TAYLOR_ORDER + 1):
        s = sign_of(d.subs(var, x0))
        if s is None:
            return None
        if s != 0:
            return s if side == "+" or m % 2 == 0 else -s
        d = sp.diff(d, var)
    return None


def _truth_near(cond: sp.Basic, x0: sp.Expr, side: str, var: sp.Symbol = X_SYM) -> bool | None:
    if cond is sp.true:
        return True
    if cond is sp.false:
        return False
    if isinstance(cond, sp.Not):
        t = _truth_near(cond.args[0], x0, side, var)
        return None if t is None else not t
    if isinstance(cond, (sp.And, sp.Or)):
        ts = [_truth_near(c, x0, side, var) for c in cond.args]
        if isinstance(cond, sp.And):
            if any(t is False for t in ts):
                return False
            return None if any(t is None for t in ts) else True
        if any(t is True for t in ts):
            return True
        return None if any(t is None for t in ts) else False
    if isinstance(cond, sp.core.relational.Relational):
        op = cond.rel_op
        if var not in cond.free_symbols:
            sd = sign_of(cond.lhs - cond.rhs)
            if sd is None:
                return None
            return {">": sd > 0, ">=": sd >= 0, "<": sd < 0, "<=": sd <= 0, "==": sd == 0, "!=": sd != 0}.get(op)
        s = _sign_near(cond.lhs - cond.rhs, x0, side, var)
        if s is None:
            return None
        return {">": s > 0, ">=": s > 0, "<": s < 0, "<=": s < 0, "==": False, "!=": True}.get(op)
    return None


def _lim_add(args: Sequence[sp.Expr]) -> sp.Expr | None:
    infs = {a for a in args if _is_inf(a)}
    if not infs:
        return sp.Add(*args)
    if len(infs) > 1:
        return None  # oo - oo
    return infs.pop()


def _lim_mul(args: Sequence[sp.Expr]) -> sp.Expr | None:
    if not any(_is_inf(a) for a in args):
        return sp.Mul(*args)
    sign = 1
    for a in args:
        s = _sgn_ext(a)
        if s is None or s == 0:
            return None  # unknown sign, or 0 * oo
        sign *= s
    return sp.oo if sign > 0 else -sp.oo


def _lim_pow(expr: sp.Pow, B: sp.Expr, E: sp.Expr, var: sp.Symbol, x0: sp.Expr, side: str) -> sp.Expr | None:
    b_expr, e_expr = expr.args
    if isinstance(e_expr, sp.Integer):
        n = int(e_expr)
        if n == 0:
            return sp.Integer(1)
        if n > 0:
            if B == sp.oo:
                return sp.oo
            if B == -sp.oo:
                return sp.oo if n % 2 == 0 else -sp.oo
            return B**n
        if _is_inf(B):
            return sp.Integer(0)
        sb = sign_of(B)
        if sb in (1, -1):
            return B**n
        if sb == 0:
            s = _sign_near(b_expr, x0, side, var)
            if s is None:
                return None
            return sp.oo if (s > 0 or n % 2 == 0) else -sp.oo
        return None
    # non-integer or variable exponent: the base must be positive near the point
    if B == sp.oo:
        sE = _sgn_ext(E)
        return None if sE in (None, 0) else (sp.oo if sE > 0 else sp.Integer(0))
    if _is_inf(B):
        return None
    sB = sign_of(B)
    if sB == 1:
        if not _is_inf(E):
            return B**E
        s1 = sign_of(B - 1)
        if s1 in (None, 0):
            return None  # 1**oo
        grows = (s1 > 0) == (E == sp.oo)
        return sp.oo if grows else sp.Integer(0)
    if sB == 0 and _sign_near(b_expr, x0, side, var) == 1:
        sE = _sgn_ext(E)
        return None if sE in (None, 0) else (sp.Integer(0) if sE > 0 else sp.oo)
    return None


_AT_INF = {  # f(+oo), f(-oo)
    sp.exp: (sp.oo, sp.Integer(0)),
    sp.tanh: (sp.Integer(1), sp.Integer(-1)),
    sp.atan: (sp.pi / 2, -sp.pi / 2),
    sp.erf: (sp.Integer(1), sp.Integer(-1)),
    sp.sinh: (sp.oo, -sp.oo),
    sp.cosh: (sp.oo, sp.oo),
}


def _lim(expr: sp.Expr, var: sp.Symbol, x0: sp.Expr, side: str) -> sp.Expr | None:
    """:func:`_lim_uncached`, memoised in-process by ``(expr, var, x0, side)`` (it is a pure
    function of them: the signs it needs are decided by :func:`sign_of` at a fixed precision)."""
    key = (expr, var, x0, side)
    found, value = _LIM_MEMO.lookup(key)
    if found:
        return value
    value = _lim_uncached(expr, var, x0, side)
    _LIM_MEMO.store(key, value)
    return value


def _lim_uncached(expr: sp.Expr, var: sp.Symbol, x0: sp.Expr, side: str) -> sp.Expr | None:
    """Exact ``lim_{var -> x0 +/-} expr`` in the extended reals (a closed-form number, ``oo`` or
    ``-oo``), or None when not established.

    Piecewise branches are chosen by the sign of each condition on a one-sided neighbourhood
    (a non-zero one-sided limit, or the first non-zero Taylor coefficient of an analytic
    condition); other operations follow the limit laws, with every indeterminate form
    (``oo - oo``, ``0 * oo``, ``1**oo``, ``0**0``, ...) and every discontinuity (floor, a domain
    boundary) answered by None.
    """
    if var not in expr.free_symbols:
        return None if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo) else expr
    if expr == var:
        return x0
    if isinstance(expr, sp.Piecewise):
        for e, c in expr.args:
            t = _truth_near(c, x0, side, var)
            if t is None:
                return None
            if t:
                return _lim(e, var, x0, side)
        return None
    if isinstance(expr, (sp.Heaviside, sp.sign)):
        s = _sign_near(expr.args[0], x0, side, var)
        if s is None:
            return None
        if isinstance(expr, sp.sign):
            return sp.Integer(s)
        return sp.Integer(1 if s > 0 else 0)
    if isinstance(expr, (sp.floor, sp.ceiling)):
        return None
    args = [_lim(a, var, x0, side) for a in expr.args]
    if any(a is None for a in args):
        return None
    if isinstance(expr, sp.Add):
        return _lim_add(args)
    if isinstance(expr, sp.Mul):
        return _lim_mul(args)
    if isinstance(expr, sp.Pow):
        return _lim_pow(expr, args[0], args[1], var, x0, side)
    if isinstance(expr, (sp.Min, sp.Max)):
        out = expr.func(*args)
        return out if (_is_inf(out) or not out.has(sp.zoo, sp.nan, sp.oo, -sp.oo)) else None
    if isinstance(expr, sp.Abs):
        return sp.oo if _is_inf(args[0]) else sp.Abs(args[0])
    A = args[0] if args else None
    if A is not None and _is_inf(A):
        for fn, (at_pos, at_neg) in _AT_INF.items():
            if isinstance(expr, fn):
                return at_pos if A == sp.oo else at_neg
        if isinstance(expr, sp.log) and A == sp.oo:
            return sp.oo
        return None
    if isinstance(expr, sp.log):
        sA = sign_of(A)
        if sA == 1:
            return sp.log(A)
        if sA == 0 and _sign_near(expr.args[0], x0, side, var) == 1:
            return -sp.oo
        return None
    if isinstance(expr, (sp.asin, sp.acos)):
        if A is None or sign_of(1 - A**2) != 1:
            return None
    elif isinstance(expr, sp.tan):
        if sign_of(sp.cos(A)) not in (1, -1):
            return None
    elif not isinstance(expr, _SMOOTH):
        return None
    out = expr.func(*args)
    return None if out.has(sp.zoo, sp.nan, sp.oo, -sp.oo) else out


def one_sided(expr: sp.Expr, x0: sp.Expr, side: str) -> sp.Expr | None:
    """Finite exact ``lim_{x -> x0 +/-} expr`` (expr in x only), or None."""
    out = _lim(expr, X_SYM, x0, side)
    return None if out is None or _is_inf(out) else out


_S_HOT = sp.Symbol("s_hot", positive=True)


def _T_expr(op: Operator, x0: Fraction, V: int, vals: Mapping[str, Fraction], which: str) -> tuple[sp.Expr, sp.Symbol]:
    """The score at ``x0`` as a function of the limit variable: ``T`` (cold) or ``s = 1/T`` (hot).

    Memoised by everything it reads: the score, each parameter's symbol, name and value, ``x0``,
    ``V`` and ``which``."""
    key = (op.score, tuple((prm.symbol, prm.name, vals[prm.name]) for prm in op.params), Fraction(x0), int(V), which)
    found, value = _T_EXPR_MEMO.lookup(key)
    if found:
        return value
    value = _T_expr_uncached(op, x0, V, vals, which)
    _T_EXPR_MEMO.store(key, value)
    return value


def _T_expr_uncached(op: Operator, x0: Fraction, V: int, vals: Mapping[str, Fraction], which: str) -> tuple[sp.Expr, sp.Symbol]:
    env: dict[sp.Symbol, sp.Expr] = {X_SYM: sp.Rational(x0.numerator, x0.denominator), V_SYM: sp.Integer(V)}
    for prm in op.params:
        env[prm.symbol] = sp.Rational(vals[prm.name].numerator, vals[prm.name].denominator)
    g = cast("sp.Expr", op.score).subs(env)
    if which == "cold":
        return g, T_SYM
    return g.subs(T_SYM, 1 / _S_HOT), _S_HOT


def score_T_limit(op: Operator, x0: Any, which: str, V: int, values: Mapping[str, Any] | None = None) -> sp.Expr | None:
    """``lim g(x0, T, V)`` as ``T -> 0+`` (``which="cold"``) or ``T -> oo`` (``"hot"``, computed as
    ``s = 1/T -> 0+``) in the extended reals, by :func:`_lim`; None when not established."""
    if op.kind != "separable" or which not in ("cold", "hot"):
        return None
    vals = exact_values(op, values, None) or {}
    g, var = _T_expr(op, frac(x0), V, vals, which)
    return _lim(g, var, sp.Integer(0), "+")


def _surely_positive(e: sp.Expr) -> bool:
    """Structural positivity for every T > 0 (numbers decided by enclosures)."""
    if e.is_number:
        return sign_of(e) == 1
    if e in (T_SYM, _S_HOT):
        return True
    if isinstance(e, sp.exp):
        return True
    if isinstance(e, sp.Pow):
        return _surely_positive(e.args[0])
    if isinstance(e, (sp.Add, sp.Mul, sp.Min)):
        return all(_surely_positive(a) for a in e.args)
    if isinstance(e, sp.Max):
        return any(_surely_positive(a) for a in e.args)
    if isinstance(e, sp.Piecewise):
        return all(_surely_positive(v) for v, _ in e.args)
    return False


def _combined_powers(e: sp.Expr) -> sp.Expr:
    """``e`` with powers of the same base combined (``powsimp(combine="exp")``: ``exp(a) exp(b) =
    exp(a + b)``, ``b**u b**w = b**(u + w)``) and, in a product, powers of positive rationals with
    the same exponent (up to sign) merged: ``a**k / b**k = (a/b)**k``, exact for ``a, b > 0``.

    Not ``powsimp``'s default, which also moves integer factors of an exponent into the base:
    ``(a/b)**(1000/T)`` became ``((a/b)**1000)**(1/T)``, a rational of thousands of digits that
    SymPy then tested for primality (15 s for one refuter candidate of ``x**(1000/T)``).

    >>> from skd.operators.symbols import T
    >>> _combined_powers(sp.Rational(1, 3)**(1000/T) / sp.Rational(2, 3)**(1000/T))
    2**(-1000/T)
    """
    e = sp.powsimp(e, combine="exp")
    if not isinstance(e, sp.Mul):
        return e
    merged: dict[sp.Expr, sp.Rational] = {}
    rest = []
    for f in e.args:
        if isinstance(f, sp.Pow) and f.base.is_Rational and f.base > 0 and not f.exp.is_number:
            k, b = (-f.exp, 1 / f.base) if f.exp.could_extract_minus_sign() else (f.exp, f.base)
            merged[k] = merged.get(k, sp.Integer(1)) * b
        else:
            rest.append(f)
    return sp.Mul(*rest, *[sp.Pow(b, k) for k, b in merged.items()])


#: ``_ratio_limit(g, g_ref, var)``: the limit of the ratio of two scores, keyed by the two
#: expressions and the variable
_RATIO_MEMO = Memo("limits._ratio_limit")


def _ratio_limit(g: sp.Expr, g_ref: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
    """``lim_{var -> 0+} g / g_ref`` (powers combined by :func:`_combined_powers`) by :func:`_lim`
    (memoised: a pure function of its arguments; candidates of the refuter share entries, so the
    same ratio recurs)."""
    key = (g, g_ref, var)
    found, value = _RATIO_MEMO.lookup(key)
    if found:
        return value
    value = _lim(_combined_powers(g / g_ref), var, sp.Integer(0), "+")
    _RATIO_MEMO.store(key, value)
    return value


def separable_T_limit(op: Operator, p: Sequence[Any], which: str, values: Mapping[str, Any] | None = None) -> list[sp.Expr] | None:
    """The exact limit of ``F_T(p)`` as ``T -> 0+`` / ``T -> oo``, or None.

    Either every score has a finite limit with a positive sum (``F`` tends to the normalised
    limits), or, for a reference entry whose score is structurally positive for every ``T``, the
    ratios ``g(p_i)/g(p_ref)`` (powers of positive numbers combined) have finite limits
    (``F_i = ratio_i / sum of ratios`` for every T). Every limit is by the limit laws of
    :func:`_lim`; anything else is left to the symbolic prover.
    """
    if op.kind != "separable" or which not in ("cold", "hot"):
        return None
    P = [frac(v) for v in p]
    vals = exact_values(op, values, None) or {}
    V = len(P)
    cache: dict[Fraction, sp.Expr | None] = {}
    scores = []
    for v in P:
        if v not in cache:
            cache[v] = score_T_limit(op, v, which, V, vals)
        scores.append(cache[v])
    if all(g is not None and not _is_inf(g) and sign_of(g) in (0, 1) for g in scores):
        total = sp.Add(*scores)
        if sign_of(total) == 1:
            return [gi / total for gi in scores]
    exprs = {v: _T_expr(op, v, V, vals, which) for v in set(P)}
    refs = sorted(set(P), reverse=True)
    for ref in refs:
        g_ref, var = exprs[ref]
        if not _surely_positive(g_ref):
            continue
        ratios = []
        for v in P:
            if v == ref:
                ratios.append(sp.Integer(1))
                continue
            r = _ratio_limit(exprs[v][0], g_ref, var)
            if r is None or _is_inf(r) or sign_of(r) not in (0, 1):
                break
            ratios.append(r)
        else:
            total = sp.Add(*ratios)
            if sign_of(total) == 1:
                return [r / total for r in ratios]
    return None


def score_one_sided_limit(op: Operator, x0: Any, side: str, T: Any, V: int,
                          values: Mapping[str, Any] | None = None) -> sp.Expr | None:
    """``lim_{x -> x0 +/-} g(x, T, V)`` exactly (a closed-form SymPy number), or None.

    ``side`` is "+" (from above) or "-" (from below). Sound by construction: a Piecewise branch
    is taken only when every earlier condition is certainly false and its own certainly true on
    a one-sided neighbourhood of ``x0``, and every operation is continuous at the limit point.
    """
    if op.kind != "separable" or side not in ("+", "-"):
        return None
    vals = exact_values(op, values, None) or {}
    x0q = frac(x0)
    g = cast("sp.Expr", op.score).subs(num_env(op, frac(T), V, vals))
    return one_sided(g, sp.Rational(x0q.numerator, x0q.denominator), side)


#: paths of one algorithm at one exact p that :func:`vector_T_limit` follows at most
VECTOR_LIMIT_PATHS = 256

_RELATIONS = {">": sp.StrictGreaterThan, ">=": sp.GreaterThan, "<": sp.StrictLessThan, "<=": sp.LessThan,
              "==": sp.Eq, "!=": sp.Ne}


def vector_T_limit(op: Operator, p: Sequence[Any], which: str) -> list[sp.Expr] | None:
    """The exact limit of ``F_T(p)`` of an operator declared by an algorithm (no parameters) as
    ``T -> 0+`` (``"cold"``) or ``T -> oo`` (``"hot"``, as ``s = 1/T -> 0+``), or None.

    The algorithm runs once per path at the exact ``p`` (:func:`skd.verify.symexec.pieces` with
    ``at=p``: ``T`` is its only symbol). The path taken near the end of the T-axis is the one
    whose every condition is certainly true on a one-sided neighbourhood of it
    (:func:`_truth_near`: a non-zero one-sided limit of the condition's expression, or its first
    non-zero Taylor coefficient); unless exactly one path is, None. Its outputs' limits are taken
    by :func:`_lim` — directly, or, where that meets an indeterminate form such as
    ``a**(1/T) / (a**(1/T) + b**(1/T))``, as ratios to an output positive for every ``T``
    (combined by :func:`_combined_powers`), scaled by the limit of the outputs' sum. Proof and assumption (the
    algorithm computes the same function in every arithmetic): docs/theory/limits.md, "Limits of an
    algorithm without a declared limit function".

    >>> from fractions import Fraction as Q
    >>> from skd.operators import library
    >>> vector_T_limit(library.topk, [Q(1, 2), Q(3, 10), Q(1, 5)], "hot")
    [1/2, 1/2, 0]
    """
    from skd.operators.errors import SkdError

    from .symexec import Condition, OrderClass, pieces

    if op.kind != "vector" or op.algorithm is None or op.params or which not in ("cold", "hot"):
        return None
    P = [frac(v) for v in p]
    try:
        found = pieces(op.algorithm, OrderClass.of(P), at=P, max_paths=VECTOR_LIMIT_PATHS)
    except (SkdError, ValueError):
        return None
    var = T_SYM if which == "cold" else _S_HOT

    def near(e: sp.Expr) -> sp.Expr:
        return e if which == "cold" else e.subs(T_SYM, 1 / _S_HOT)

    def gathered(e: sp.Expr) -> sp.Expr:
        # terms with the same power of the limit variable combined: 1 + log(3/10)/T + log(2)/T is
        # oo - oo term by term, 1 + log(3/5)/T as one term
        return sp.collect(sp.expand(e), [1 / var, var])

    def truth(c: Condition) -> bool | None:
        for e in (near(c.expr), gathered(near(c.expr))):
            t = _truth_near(_RELATIONS[c.rel](e, 0, evaluate=False), sp.Integer(0), "+", var)
            if t is not None:
                return t
        return None

    def lim(e: sp.Expr) -> sp.Expr | None:
        for form in (e, gathered(e), _by_dominant_powers(e, var)):
            if form is not None:
                out = _lim(form, var, sp.Integer(0), "+")
                if out is not None:
                    return out
        return None

    active = []
    for piece in found:
        truths = [truth(c) for c in piece.conditions]
        if any(t is None for t in truths):
            return None  # which path is taken near the end is not established
        if all(truths):
            active.append(piece)
    if len(active) != 1:
        return None
    outs = [near(o) for o in active[0].outputs]
    direct = [lim(o) for o in outs]
    if all(v is not None and not _is_inf(v) for v in direct):
        return cast("list[sp.Expr]", direct)
    S = sp.Add(*outs)
    total = sp.Integer(1) if _identically_one(S) else lim(sp.together(S))
    if total is None or _is_inf(total):
        return None
    for ref in sorted(range(len(P)), key=lambda i: -P[i]):
        if not _surely_positive(outs[ref]):
            continue
        ratios = []
        for i, o in enumerate(outs):
            r = sp.Integer(1) if i == ref else lim(_combined_powers(o / outs[ref]))
            if r is None or _is_inf(r):
                break
            ratios.append(r)
        else:
            denominator = sp.Add(*ratios)
            if sign_of(denominator) == 1:
                return [total * r / denominator for r in ratios]
    return None


def _identically_one(e: sp.Expr) -> bool:
    """Whether ``e == 1`` as an identity of rational functions once every power ``b**f`` of a
    positive rational ``b`` is written over the primes of ``b`` and each ``prime**f`` is replaced by
    its own symbol (an identity in independent symbols holds whatever values they take), e.g.
    ``(20**(1/T) + 30**(1/T)) / (10**(1/T) (2**(1/T) + 3**(1/T))) == 1``. False when not shown.

    >>> from skd.operators.symbols import T
    >>> _identically_one((20**(1/T) + 30**(1/T)) / (10**(1/T) * (2**(1/T) + 3**(1/T))))
    True
    >>> _identically_one((20**(1/T) + 30**(1/T)) / (10**(1/T) * (2**(1/T) + 5**(1/T))))
    False
    """
    atoms: dict[sp.Expr, sp.Symbol] = {}

    def gen(prime: int, f: sp.Expr) -> sp.Symbol:
        key = sp.Pow(sp.Integer(prime), f, evaluate=False)
        if key not in atoms:
            atoms[key] = sp.Symbol(f"_g{len(atoms)}", positive=True)
        return atoms[key]

    def rewrite(x: sp.Expr) -> sp.Expr:
        if isinstance(x, sp.Pow) and x.args[0].is_Rational and x.args[0] > 0 and not x.args[1].is_number:
            b, f = x.args
            if f.could_extract_minus_sign():  # b**(-f) = (1/b)**f: one symbol per prime and f
                b, f = 1 / b, -f
            out = sp.Integer(1)
            for q, k in sp.factorint(int(b.p)).items():
                out *= gen(q, f) ** k
            for q, k in sp.factorint(int(b.q)).items():
                out /= gen(q, f) ** k
            return out
        if x.args:
            return x.func(*[rewrite(a) for a in x.args])
        return x

    try:
        # T itself (outside those powers) stays a symbol of its own: still an identity in independent symbols
        return bool(sp.cancel(sp.together(rewrite(e) - 1)) == 0)
    except (TypeError, ValueError, sp.PolynomialError):
        return False


def _by_dominant_powers(e: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
    """``e`` with every power ``b**f`` of a positive rational ``b`` (``f`` in ``var``) written as
    ``(b/m)**f * m**f`` for the largest base ``m`` of its exponent ``f``, and ``m**f`` cancelled —
    None unless it cancels out entirely (``e`` homogeneous of degree 0 in it). The result equals
    ``e``; it turns the ``0/0`` of ``a**(1/T) / (a**(1/T) + b**(1/T))`` (``a > b``) into
    ``1 / (1 + (b/a)**(1/T))``, whose limit the limit laws take.

    >>> from skd.operators.symbols import T
    >>> e = (sp.Rational(3, 10)**(1/T) / ((sp.Rational(3, 10))**(1/T) + (sp.Rational(1, 2))**(1/T)))
    >>> _lim(e, T, sp.Integer(0), "+") is None, _lim(_by_dominant_powers(e, T), T, sp.Integer(0), "+")
    (True, 0)
    """
    powers: dict[sp.Expr, list[tuple[sp.Expr, sp.Rational, sp.Expr]]] = {}
    for a in e.atoms(sp.Pow):
        b, f = a.args
        if not (b.is_Rational and b > 0 and var in f.free_symbols):
            continue
        if f.could_extract_minus_sign():
            b, f = 1 / b, -f
        powers.setdefault(f, []).append((a, b, f))
    if not powers:
        return None
    scale: dict[sp.Expr, sp.Symbol] = {}
    swap: dict[sp.Expr, sp.Expr] = {}
    back: dict[sp.Symbol, sp.Expr] = {}  # each (b/m)**f is a symbol while cancelling (which would re-split it)
    for k, (f, items) in enumerate(powers.items()):
        m = max(b for _, b, _ in items)
        scale[f] = sp.Symbol(f"_m{k}", positive=True)
        for a, b, _ in items:
            if b == m:
                q: sp.Expr = sp.Integer(1)
            else:
                q = sp.Symbol(f"_q{len(back)}", positive=True)
                back[q] = sp.Pow(b / m, f)
            swap[a] = q * scale[f]  # (b/m)**f * m**f = b**f = a (b, f normalised above)
    try:
        out = sp.cancel(sp.together(e.xreplace(swap)))
    except (TypeError, ValueError, sp.PolynomialError):
        return None
    if out.free_symbols & set(scale.values()):
        return None
    return out.xreplace(back)
