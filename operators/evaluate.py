"""Evaluating operators: one tree walker, several arithmetics; plus the public ``apply``.

* :func:`eval_expr` evaluates a SymPy expression in any :class:`~skd.operators.arith.Arith`
  (floats, mpmath, Arb balls). It never calls ``eval``/``lambdify``: it walks the tree.
* :func:`exact_algorithm` turns any operator into ``f(p, T, ar) -> list``, the form the
  verifier uses for rigorous counterexamples.
* :func:`evaluate_mp` is the high-precision reference (mpmath, default 50 digits).
* :func:`apply` is the one call that applies an operator to an array: built-in kernels where
  they exist, otherwise a generic NumPy evaluation of the declared formula in the log domain.

>>> from fractions import Fraction as Q
>>> from skd.operators import library
>>> [round(float(v), 6) for v in evaluate_mp(library.power, [Q(7, 10), Q(2, 10), Q(1, 10)], 2)]
[0.522879, 0.279491, 0.19763]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import sympy as sp

from .arith import Arith, MpArith, Undecided
from .errors import MissingParameter, NotWellDefined
from .symbols import T as T_SYM
from .symbols import V as V_SYM
from .symbols import x as X_SYM

if TYPE_CHECKING:
    from .declare import Operator

__all__ = [
    "eval_expr",
    "exact_algorithm",
    "evaluate_mp",
    "evaluate_in",
    "eval_numpy",
    "log_score",
    "apply",
]

_UNARY = {
    sp.tanh: "tanh",
    sp.sinh: "sinh",
    sp.cosh: "cosh",
    sp.sin: "sin",
    sp.cos: "cos",
    sp.tan: "tan",
    sp.atan: "atan",
    sp.asin: "asin",
    sp.acos: "acos",
    sp.erf: "erf",
}


def _to_fraction(num: sp.Number) -> Fraction:
    if isinstance(num, sp.Rational):
        return Fraction(int(num.p), int(num.q))
    if isinstance(num, sp.Float):
        return Fraction(str(num))
    raise TypeError(f"not a real number: {num!r}")


def eval_expr(expr: sp.Basic, env: Mapping[sp.Symbol, Any], ar: Arith) -> Any:
    """Evaluate ``expr`` with symbols bound by ``env`` in arithmetic ``ar``.

    Piecewise conditions and comparisons are decided by ``ar`` and raise
    :class:`~skd.operators.arith.Undecided` when ball arithmetic cannot decide them.

    >>> from skd.operators.arith import FloatArith
    >>> from skd.operators.symbols import x, T
    >>> eval_expr(x ** (1 / T), {x: 0.25, T: 0.5}, FloatArith())
    0.0625
    """
    if isinstance(expr, sp.Symbol):
        try:
            return env[expr]
        except KeyError:
            raise KeyError(f"no value for symbol {expr}") from None
    if isinstance(expr, (sp.Integer, sp.Rational, sp.Float)):
        return ar.num(_to_fraction(expr))
    if expr is sp.pi:
        return ar.pi
    if expr is sp.E:
        return ar.e
    if isinstance(expr, sp.Add):
        args = [eval_expr(a, env, ar) for a in expr.args]
        total = args[0]
        for a in args[1:]:
            total = total + a
        return total
    if isinstance(expr, sp.Mul):
        args = [eval_expr(a, env, ar) for a in expr.args]
        prod = args[0]
        for a in args[1:]:
            prod = prod * a
        return prod
    if isinstance(expr, sp.Pow):
        base, ex = expr.args
        b = eval_expr(base, env, ar)
        if isinstance(ex, sp.Integer):
            n = int(ex)
            if n >= 0:
                return _int_pow(b, n, ar)
            return ar.num(1) / _int_pow(b, -n, ar)
        if ex == sp.Rational(1, 2):
            return ar.sqrt(b)
        if ex == sp.Rational(-1, 2):
            return ar.num(1) / ar.sqrt(b)
        return ar.pow(b, eval_expr(ex, env, ar))
    if isinstance(expr, sp.exp):
        return ar.exp(eval_expr(expr.args[0], env, ar))
    if isinstance(expr, sp.log):
        return ar.log(eval_expr(expr.args[0], env, ar))
    if isinstance(expr, sp.Abs):
        return abs(eval_expr(expr.args[0], env, ar))
    if isinstance(expr, (sp.Min, sp.Max)):
        args = [eval_expr(a, env, ar) for a in expr.args]
        pick = ar.min if isinstance(expr, sp.Min) else ar.max
        out = args[0]
        for a in args[1:]:
            out = pick(out, a)
        return out
    if isinstance(expr, sp.Piecewise):
        for value, cond in expr.args:
            if _decide(cond, env, ar):
                return eval_expr(value, env, ar)
        raise NotWellDefined(f"no Piecewise branch applies at {dict((str(k), v) for k, v in env.items())}")
    if isinstance(expr, sp.Heaviside):
        a = eval_expr(expr.args[0], env, ar)
        zero = ar.num(0)
        if ar.gt(a, zero):
            return ar.num(1)
        if ar.gt(zero, a):
            return ar.num(0)
        return ar.num(Fraction(1, 2))
    if isinstance(expr, sp.sign):
        a = eval_expr(expr.args[0], env, ar)
        zero = ar.num(0)
        if ar.gt(a, zero):
            return ar.num(1)
        if ar.gt(zero, a):
            return ar.num(-1)
        return ar.num(0)
    if isinstance(expr, (sp.floor, sp.ceiling)):
        a = eval_expr(expr.args[0], env, ar)
        return _round_integer(a, ar, ceiling=isinstance(expr, sp.ceiling))
    for cls, name in _UNARY.items():
        if isinstance(expr, cls):
            return ar.func(name, eval_expr(expr.args[0], env, ar))
    raise TypeError(f"cannot evaluate {type(expr).__name__} node: {expr}")


def _int_pow(b: Any, n: int, ar: Arith) -> Any:
    result = ar.num(1)
    base = b
    while n:
        if n & 1:
            result = result * base
        base = base * base
        n >>= 1
    return result


def _round_integer(a: Any, ar: Arith, ceiling: bool) -> Any:
    if ar.name == "arb":
        lo = a.lower().floor() if not ceiling else a.lower().ceil()
        hi = a.upper().floor() if not ceiling else a.upper().ceil()
        if lo == hi:
            return lo
        raise Undecided(f"{'ceiling' if ceiling else 'floor'} of {a} is not determined")
    import math

    return ar.num(math.ceil(a) if ceiling else math.floor(a))


def _decide(cond: sp.Basic, env: Mapping[sp.Symbol, Any], ar: Arith) -> bool:
    if cond is sp.true:
        return True
    if cond is sp.false:
        return False
    if isinstance(cond, sp.And):
        return all(_decide(c, env, ar) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(_decide(c, env, ar) for c in cond.args)
    if isinstance(cond, sp.Not):
        return not _decide(cond.args[0], env, ar)
    if isinstance(cond, sp.core.relational.Relational):
        lhs = eval_expr(cond.lhs, env, ar)
        rhs = eval_expr(cond.rhs, env, ar)
        op = cond.rel_op
        if op == "<":
            return ar.gt(rhs, lhs)
        if op == "<=":
            return ar.ge(rhs, lhs)
        if op == ">":
            return ar.gt(lhs, rhs)
        if op == ">=":
            return ar.ge(lhs, rhs)
        if op == "==":
            return ar.ge(lhs, rhs) and ar.ge(rhs, lhs)
        if op == "!=":
            return ar.gt(lhs, rhs) or ar.gt(rhs, lhs)
    raise TypeError(f"cannot decide condition {cond}")


def _param_env(op: Operator, values: Mapping[str, Any] | None, ar: Arith) -> dict[sp.Symbol, Any]:
    env: dict[sp.Symbol, Any] = {}
    values = dict(values or {})
    for prm in op.params:
        if prm.name not in values:
            raise MissingParameter(f"operator {op.name!r} has a free parameter {prm.name!r}; fix it with op.fix({prm.name}=...)")
        env[prm.symbol] = ar.num(Fraction(values[prm.name]))
    return env


class _Watched:
    """An arithmetic that remembers the first exception any of its operations raised (the run
    that caught it is not trusted: :func:`exact_algorithm`)."""

    def __init__(self, ar: Any) -> None:
        self._ar = ar
        self.raised: BaseException | None = None

    def __getattr__(self, name: str) -> Any:
        try:
            attr = getattr(self._ar, name)
        except Exception as exc:  # (a property such as ar.pi may raise)
            self.raised = self.raised or exc
            raise
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return attr(*args, **kwargs)
            except Exception as exc:
                self.raised = self.raised or exc
                raise

        return call


def exact_algorithm(op: Operator, values: Mapping[str, Any] | None = None) -> Callable[[Sequence[Any], Any, Arith], list[Any]]:
    """``f(p, T, ar)``: the operator as an algorithm over any arithmetic.

    For a separable operator the scores ``g(p_i)`` are evaluated by :func:`eval_expr` and
    normalised as declared (negative scores are not repaired); a normaliser that is certainly
    zero raises :class:`~skd.operators.errors.NotWellDefined`.
    """
    if op.kind == "vector" or op.algorithm is not None:  # (any kind declared by an algorithm)
        user = cast("Callable[[Sequence[Any], Any, Arith], list[Any]]", op.algorithm)

        def watched(p: Sequence[Any], T: Any, ar: Arith) -> list[Any]:
            # an algorithm that catches an exception of the arithmetic (Undecided: "cannot tell")
            # and goes on would take a path the arithmetic never chose: its run is the exception
            w = _Watched(ar)
            # list(): outputs returned lazily (a generator) are computed here, before the check below
            # (else the arithmetic's exceptions they catch would come after it: adversarial review)
            out = list(user(p, T, w))  # type: ignore[arg-type]  # an Arith in all but name
            if w.raised is not None:  # (never a certain failure either: that path was not the user's)
                raise Undecided(f"the algorithm caught an exception of the arithmetic and went on "
                                f"({type(w.raised).__name__}: {str(w.raised)[:80]}): its result is not trusted")
            return out

        return watched

    score = op.score
    # side conditions of the formula as written that SymPy's simplification removed from the
    # score (x*(T - 1)/(T - 1) is undefined at T = 1): each as an expression that is 1 off its guard
    written = [(kind, e if guard is sp.true else sp.Piecewise((e, guard), (sp.Integer(1), True)), e)
               for kind, e, guard in getattr(op, "obligations", ())]

    def algorithm(p: Sequence[Any], T: Any, ar: Arith) -> list[Any]:
        env = _param_env(op, values, ar)
        env[T_SYM] = T if not isinstance(T, (Fraction, int, float)) else ar.num(T)
        env[V_SYM] = ar.num(len(p))
        zero = ar.num(0)
        gs = []
        for v in p:
            env[X_SYM] = v if not isinstance(v, (Fraction, int, float)) else ar.num(v)
            for kind, cond, e in written:
                c = eval_expr(cond, env, ar)
                fails = ar.gt(zero, c) if kind == "ge0" else ar.is_zero(c) or (kind == "gt0" and ar.gt(zero, c))
                if fails:
                    raise NotWellDefined(f"the written formula's side condition {sp.sstr(e)} "
                                         f"{ {'ne0': '!= 0', 'gt0': '> 0'}.get(kind, '>= 0') } fails")
            gs.append(eval_expr(score, env, ar))
        total = gs[0]
        for g in gs[1:]:
            total = total + g
        # F = g / sum(g) as declared: negative scores are not repaired (the entries of F are
        # what the well_defined axiom judges); only a normaliser that is certainly 0 is undefined.
        if ar.is_zero(total):
            raise NotWellDefined("scores sum to zero")
        if not (ar.gt(total, zero) or ar.gt(zero, total)):
            raise Undecided("cannot decide the sign of the normaliser")
        return [g / total for g in gs]

    algorithm.__qualname__ = f"separable[{op.definition}]"
    return algorithm


def evaluate_in(op: Operator, p: Sequence[Any], T: Any, ar: Arith, values: Mapping[str, Any] | None = None) -> list[Any]:
    """``F_T(p)`` in arithmetic ``ar`` (inputs exact rationals or floats)."""
    return exact_algorithm(op, values)(list(p), T, ar)


def evaluate_mp(op: Operator, p: Sequence[Any], T: Any, dps: int = 50, values: Mapping[str, Any] | None = None) -> list[Any]:
    """The mpmath reference value of ``F_T(p)`` at ``dps`` digits (inputs taken exactly)."""
    ar = MpArith(dps)
    p_exact = [Fraction(v) if not isinstance(v, Fraction) else v for v in p]
    T_exact = Fraction(T) if not isinstance(T, Fraction) else T
    return evaluate_in(op, p_exact, T_exact, ar, values)


# -- NumPy ------------------------------------------------------------------------------------

_NP_UNARY = {
    sp.tanh: np.tanh,
    sp.sinh: np.sinh,
    sp.cosh: np.cosh,
    sp.sin: np.sin,
    sp.cos: np.cos,
    sp.tan: np.tan,
    sp.atan: np.arctan,
    sp.asin: np.arcsin,
    sp.acos: np.arccos,
}


def eval_numpy(expr: sp.Basic, env: Mapping[sp.Symbol, Any], dtype: Any = np.float64) -> np.ndarray:
    """Vectorised evaluation of ``expr`` over NumPy arrays in ``env`` (broadcasting)."""
    def ev(e: sp.Basic) -> Any:
        if isinstance(e, sp.Symbol):
            return env[e]
        if isinstance(e, (sp.Integer, sp.Rational, sp.Float)):
            return dtype(float(e))
        if e is sp.pi:
            return dtype(np.pi)
        if e is sp.E:
            return dtype(np.e)
        if isinstance(e, sp.Add):
            out = ev(e.args[0])
            for a in e.args[1:]:
                out = out + ev(a)
            return out
        if isinstance(e, sp.Mul):
            out = ev(e.args[0])
            for a in e.args[1:]:
                out = out * ev(a)
            return out
        if isinstance(e, sp.Pow):
            b, ex = e.args
            if isinstance(ex, sp.Integer):
                return np.power(ev(b), int(ex)) if int(ex) >= 0 else 1 / np.power(ev(b), -int(ex))
            return np.power(ev(b), ev(ex))
        if isinstance(e, sp.exp):
            return np.exp(ev(e.args[0]))
        if isinstance(e, sp.log):
            return np.log(ev(e.args[0]))
        if isinstance(e, sp.Abs):
            return np.abs(ev(e.args[0]))
        if isinstance(e, sp.Min):
            out = ev(e.args[0])
            for a in e.args[1:]:
                out = np.minimum(out, ev(a))
            return out
        if isinstance(e, sp.Max):
            out = ev(e.args[0])
            for a in e.args[1:]:
                out = np.maximum(out, ev(a))
            return out
        if isinstance(e, sp.Piecewise):
            conds = [np.asarray(cond_ev(c)) for _, c in e.args]
            vals = [np.asarray(ev(v)) for v, _ in e.args]
            return np.select(conds, vals, default=np.nan)
        if isinstance(e, sp.Heaviside):
            return np.heaviside(ev(e.args[0]), 0.5)
        if isinstance(e, sp.sign):
            return np.sign(ev(e.args[0]))
        if isinstance(e, sp.floor):
            return np.floor(ev(e.args[0]))
        if isinstance(e, sp.ceiling):
            return np.ceil(ev(e.args[0]))
        if isinstance(e, sp.erf):
            from math import erf

            return np.vectorize(erf, otypes=[dtype])(ev(e.args[0]))
        for cls, fn in _NP_UNARY.items():
            if isinstance(e, cls):
                return fn(ev(e.args[0]))
        raise TypeError(f"cannot evaluate {type(e).__name__} node: {e}")

    def cond_ev(c: sp.Basic) -> Any:
        if c is sp.true:
            return True
        if c is sp.false:
            return False
        if isinstance(c, sp.And):
            return np.logical_and.reduce([np.asarray(cond_ev(a)) for a in c.args])
        if isinstance(c, sp.Or):
            return np.logical_or.reduce([np.asarray(cond_ev(a)) for a in c.args])
        if isinstance(c, sp.Not):
            return np.logical_not(cond_ev(c.args[0]))
        if isinstance(c, sp.core.relational.Relational):
            lhs, rhs = ev(c.lhs), ev(c.rhs)
            return {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
                    "==": np.equal, "!=": np.not_equal}[c.rel_op](lhs, rhs)
        raise TypeError(f"cannot evaluate condition {c}")

    with np.errstate(all="ignore"):
        return ev(expr)


def _provably_positive(e: sp.Basic) -> bool:
    """Structural positivity on x, T, V > 0 (no assumptions about parameters)."""
    if e in (X_SYM, T_SYM, V_SYM):
        return True
    if isinstance(e, sp.Number):
        return bool(e > 0)
    if e in (sp.pi, sp.E):
        return True
    if isinstance(e, sp.exp):
        return e.args[0].is_real is True or _real_structure(e.args[0])
    if isinstance(e, (sp.Add, sp.Mul)):
        return all(_provably_positive(a) for a in e.args)
    if isinstance(e, sp.Pow):
        return _provably_positive(e.args[0]) and _real_structure(e.args[1])
    return False


def _real_structure(e: sp.Basic) -> bool:
    return all(s in (X_SYM, T_SYM, V_SYM) or s.is_real for s in e.free_symbols) and not e.has(sp.I)


def log_score(expr: sp.Expr, *, split_signed: bool = False) -> sp.Expr:
    """``log g`` rewritten so that powers and products of provably positive factors become
    sums (``log(x**(1/T)) -> log(x)/T``), which evaluates without overflow for extreme ``T``.

    Only rewrites that are exact on ``x, T, V > 0`` are made. With ``split_signed`` (the float
    search's form) a product also sheds its provably positive factors when the others are not
    provably positive: ``log(a*b) = log(a) + log(b)`` for ``a > 0`` whatever the sign of ``b`` as
    floats read it (``-inf`` on both sides where ``b = 0``, NaN where ``b < 0``), and ``x**(1/T)``
    no longer underflows to a ``log`` of 0 at small ``T``.

    >>> from skd.operators.symbols import x, T
    >>> log_score(x ** (1 / T))
    log(x)/T
    >>> log_score(x ** (1 / T) * (T - 3)), log_score(x ** (1 / T) * (T - 3), split_signed=True)
    (log(x**(1/T)*(T - 3)), log(T - 3) + log(x)/T)
    """
    def again(e: sp.Expr) -> sp.Expr:
        return log_score(e, split_signed=split_signed)

    if isinstance(expr, sp.Piecewise):
        return sp.Piecewise(*[(again(v), c) for v, c in expr.args])
    if isinstance(expr, sp.exp):
        return expr.args[0]
    if isinstance(expr, sp.Pow) and _provably_positive(expr.args[0]) and _real_structure(expr.args[1]):
        return expr.args[1] * again(expr.args[0])
    if isinstance(expr, sp.Mul):
        positive = [a for a in expr.args if _provably_positive(a)]
        if len(positive) == len(expr.args):
            return sp.Add(*[again(a) for a in expr.args])
        if split_signed and positive:
            rest = sp.Mul(*[a for a in expr.args if not _provably_positive(a)])
            # unevaluated: SymPy would turn log(-1) into I*pi, a complex number where g < 0 means NaN
            return sp.Add(*[again(a) for a in positive]) + sp.log(rest, evaluate=False)
    return sp.log(expr)


def apply(op: Operator, p: Any, T: float, *, values: Mapping[str, Any] | None = None, dtype: Any = None) -> np.ndarray:
    """Apply operator ``op`` to the distributions in the last axis of ``p`` at temperature ``T``.

    Input is validated (entries finite and >= 0, rows summing to 1 within the tolerance of
    :func:`skd.operators.validate.check_distribution`, ``T`` finite and > 0). Built-ins use
    their kernels; any other operator is evaluated as declared.

    >>> import numpy as np
    >>> from skd.operators import library
    >>> apply(library.power, np.array([0.7, 0.2, 0.1]), 2.0).round(6)
    array([0.522879, 0.279491, 0.19763 ])
    """
    from .validate import check_distribution, check_temperature

    if op.kernel is not None and not op.params:
        out = _apply_builtin_fused(op, p, T, dtype)
        if out is not None:
            return out
    arr = check_distribution(p, dtype=dtype)
    t = check_temperature(T)
    if op.kernel is not None and not op.params:
        return op.kernel(arr, t)
    if op.kind == "vector":
        return _apply_vector(op, arr, t)
    return _apply_separable(op, arr, t, values)


_FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _apply_builtin_fused(op: Operator, p: Any, T: Any, dtype: Any) -> np.ndarray | None:
    """The separable built-ins on a float32/float64 array: the row checks of
    :func:`~skd.operators.validate.check_distribution` run inside the kernel's own passes
    (:func:`skd.operators.kernels.checked`), so a valid input is read once, not three more times.

    ``None`` — and :func:`apply` then takes the ordinary path (full validation, which raises the
    documented error, then the kernel) — for anything else: another input type or dtype, an
    invalid ``T`` (so that a bad ``p`` is still reported first), a row that fails a check or is
    too close to the tolerance for the fused sum to decide, an operator whose kernel is not a
    built-in's (:class:`skd.operators.kernels.BuiltinKernel`, which the library gives each built-in).
    The output is bit for bit what the ordinary path returns.
    """
    if not (isinstance(p, np.ndarray) and p.dtype in _FLOAT_DTYPES and p.ndim >= 1 and p.size > 0
            and p.shape[-1] >= 2 and (dtype is None or np.dtype(dtype) == p.dtype)):
        return None
    from . import kernels
    from .errors import InvalidArgument
    from .validate import check_temperature

    kernel = op.kernel  # a built-in's, set by skd.operators.library: it knows its checked form
    if not isinstance(kernel, kernels.BuiltinKernel) or kernel.name not in kernels.SEPARABLE:
        return None
    try:
        t = check_temperature(T)
    except InvalidArgument:
        return None
    return kernel.checked(p, t)


def _apply_separable(op: Operator, arr: np.ndarray, t: float, values: Mapping[str, Any] | None) -> np.ndarray:
    env: dict[sp.Symbol, Any] = {X_SYM: arr, T_SYM: arr.dtype.type(t), V_SYM: arr.dtype.type(arr.shape[-1])}
    for prm in op.params:
        if values is None or prm.name not in values:
            raise MissingParameter(f"operator {op.name!r} has a free parameter {prm.name!r}; pass values={{'{prm.name}': ...}}")
        env[prm.symbol] = arr.dtype.type(float(Fraction(values[prm.name])))
    s = np.asarray(eval_numpy(log_score(op.score), env, arr.dtype.type), dtype=arr.dtype)
    s = np.broadcast_to(s, arr.shape)
    if np.isnan(s).any() or np.isposinf(s).any():
        bad = np.argwhere(np.isnan(s) | np.isposinf(s))[0]
        raise NotWellDefined(
            f"{op.name}: score is negative, undefined or infinite at p={arr[tuple(bad[:-1])].tolist()!r}, T={t!r} "
            f"(entry {int(bad[-1])})"
        )
    m = s.max(axis=-1, keepdims=True)
    if np.isneginf(m).any():
        raise NotWellDefined(f"{op.name}: every score is zero for some row at T={t!r}")
    w = np.exp(s - m)
    return w / w.sum(axis=-1, keepdims=True)


def _apply_vector(op: Operator, arr: np.ndarray, t: float) -> np.ndarray:
    from .arith import FloatArith

    V = arr.shape[-1]
    if V not in op.sizes:
        from .errors import InvalidArgument

        raise InvalidArgument("p", f"shape {arr.shape}", f"{op.name} is declared for V in {op.sizes}, not V={V}")
    ar = FloatArith()
    flat = arr.reshape(-1, V)
    out = np.empty_like(flat)
    for r in range(flat.shape[0]):
        out[r] = [float(v) for v in cast("Callable[..., list[Any]]", op.algorithm)([float(v) for v in flat[r]], float(t), ar)]
    return out.reshape(arr.shape)
