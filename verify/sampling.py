"""What a search's candidates are built from: the switching points of a score (where a
``Piecewise``, ``Min``/``Max``, ``Abs``, ``Heaviside`` or ``sign`` changes branch), sample values of
declared parameters, and exact probability vectors from weights. Nothing here is certified: these
only steer the search (:mod:`skd.verify.search`) towards where axioms tend to fail.

>>> from skd.operators import separable
>>> switching_points(separable("Piecewise((x**(1/T), T < 2), (x**(1/2), True))", name="pw"))[0][:1]
[Fraction(2, 1)]
>>> weights_to_p([2, 1, 1])
(Fraction(1, 2), Fraction(1, 4), Fraction(1, 4))
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from skd.operators.declare import Operator
from skd.operators.errors import InvalidArgument
from skd.operators.evaluate import eval_numpy
from skd.operators.symbols import T as T_SYM
from skd.operators.symbols import V as V_SYM
from skd.operators.symbols import x as X_SYM

from .hybrid import frac

__all__ = ["fixed_values", "switching_points", "switch_exprs", "roots_1d", "nice_rationals", "param_samples", "values_grid",
           "weights_to_p"]


# =============================================================================================
# Switching points of a score
# =============================================================================================


def switch_exprs(expr: sp.Basic) -> list[sp.Expr]:
    out: list[sp.Expr] = []

    def rel(c: sp.Basic) -> None:
        if isinstance(c, sp.core.relational.Relational):
            out.append(c.lhs - c.rhs)
        elif isinstance(c, (sp.And, sp.Or, sp.Not)):
            for a in c.args:
                rel(a)

    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Piecewise):
            for _, c in node.args:
                rel(c)
        elif isinstance(node, (sp.Min, sp.Max)):
            for a, b in itertools.combinations(node.args, 2):
                out.append(a - b)
        elif isinstance(node, (sp.Abs, sp.Heaviside, sp.sign)):
            out.append(node.args[0])
    return out


def roots_1d(f: Callable[[np.ndarray], np.ndarray], grid: np.ndarray) -> list[float]:
    with np.errstate(all="ignore"):
        v = np.asarray(f(grid), dtype=float)
    v = np.broadcast_to(v, grid.shape)
    roots: list[float] = []
    for k in range(len(grid)):
        if v[k] == 0:
            roots.append(float(grid[k]))
    for k in range(len(grid) - 1):
        a, b = v[k], v[k + 1]
        if not (np.isfinite(a) and np.isfinite(b)) or a == 0 or b == 0 or (a > 0) == (b > 0):
            continue
        lo, hi, flo = float(grid[k]), float(grid[k + 1]), a
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            with np.errstate(all="ignore"):
                fm = float(np.asarray(f(np.array([mid]))).reshape(-1)[0])
            if not np.isfinite(fm):
                break
            if fm == 0:
                lo = hi = mid
                break
            if (fm > 0) == (flo > 0):
                lo, flo = mid, fm
            else:
                hi = mid
        roots.append(0.5 * (lo + hi))
    return roots


def nice_rationals(r: float) -> list[Fraction]:
    """Rationals at a float root: simple ones that match it closely, and the float itself."""
    if not math.isfinite(r) or r <= 0:
        return []
    out = []
    exact = Fraction(r)
    for D in (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 100, 1000, 10**6):
        c = exact.limit_denominator(D)
        if c > 0 and abs(float(c) - r) <= 1e-12 * max(1.0, abs(r)):
            out.append(c)
            break
    out.append(exact.limit_denominator(10**12))
    return out


def switching_points(op: Operator, values_list: Sequence[Mapping[str, Fraction]] = ({},),
                     sizes: Sequence[int] = (2, 3, 5, 10)) -> tuple[list[Fraction], list[Fraction]]:
    """Approximate switching points of a separable score: (T values, x values), as rationals.

    From Piecewise conditions, Min/Max argument crossings, Abs/Heaviside/sign arguments; roots
    are found numerically (sign changes on a grid, then bisection) and snapped to simple
    rationals when they match. These only steer the search; nothing is certified from them.
    """
    if op.score is None:  # an algorithm has no formula to read switching points from
        return [], []
    exprs = switch_exprs(op.score)
    Tgrid = np.exp(np.linspace(math.log(1e-5), math.log(1e5), 801))
    xgrid = np.concatenate([np.geomspace(1e-15, 0.5, 300), 1 - np.geomspace(1e-15, 0.5, 300)[::-1]])
    xgrid = np.unique(xgrid)
    Ts: set[Fraction] = set()
    xs: set[Fraction] = set()
    for e in exprs:
        fs = e.free_symbols
        for vals in values_list:
            for Vn in sizes:
                env: dict[Any, Any] = {V_SYM: float(Vn)}
                for prm in op.params:
                    env[prm.symbol] = float(vals.get(prm.name, 1))
                if T_SYM in fs:
                    for xv in ([0.5] if X_SYM not in fs else [1e-3, 0.1, 0.25, 0.5, 0.75, 0.9]):
                        def fT(a: np.ndarray, xv: float = xv, env: dict[Any, Any] = env, e: sp.Expr = e) -> np.ndarray:
                            return eval_numpy(e, {**env, T_SYM: a, X_SYM: np.float64(xv)})
                        for r in roots_1d(fT, Tgrid):
                            Ts.update(nice_rationals(r))
                if X_SYM in fs:
                    for Tv in ([1.0] if T_SYM not in fs else [0.1, 0.5, 1.0, 2.0, 10.0]):
                        def fx(a: np.ndarray, Tv: float = Tv, env: dict[Any, Any] = env, e: sp.Expr = e) -> np.ndarray:
                            return eval_numpy(e, {**env, X_SYM: a, T_SYM: np.float64(Tv)})
                        for r in roots_1d(fx, xgrid):
                            if 0 < r < 1:
                                xs.update(c for c in nice_rationals(r) if 0 < c < 1)
    return sorted(Ts)[:60], sorted(xs)[:60]


# =============================================================================================
# Param values
# =============================================================================================


def param_samples(prm: Any) -> list[Fraction]:
    lo, hi = prm.bounds
    cands = [Fraction(v) for v in ("0", "1", "2", "1/2", "1/4", "3/4", "1/10", "9/10", "3", "10", "-1", "-1/2", "1/1000")]
    if lo is not None:
        lo_f = Fraction(int(lo.p), int(lo.q))
        cands += [lo_f, lo_f + Fraction(1, 1000), lo_f + 1]
    if hi is not None:
        hi_f = Fraction(int(hi.p), int(hi.q))
        cands += [hi_f, hi_f - Fraction(1, 1000), hi_f - 1]
    if lo is not None and hi is not None:
        cands.append((Fraction(int(lo.p), int(lo.q)) + Fraction(int(hi.p), int(hi.q))) / 2)
    out = []
    for c in cands:
        if prm.contains(c) and c not in out:
            out.append(c)
    return out[:6]


def fixed_values(op: Operator, values: Mapping[str, Any] | None) -> dict[str, Fraction]:
    """``values`` as exact rationals, validated: each names a declared parameter of ``op`` and
    lies in its declared domain (:class:`~skd.operators.errors.InvalidArgument` otherwise).

    >>> from skd.operators import Param, separable
    >>> op = separable("x**(a/T)", params=[Param("a", lower=0, lower_closed=False)], name="pa")
    >>> fixed_values(op, {"a": "1/2"})
    {'a': Fraction(1, 2)}
    >>> fixed_values(op, {"a": -1})
    Traceback (most recent call last):
    ...
    skd.operators.errors.InvalidArgument: a=-1: outside the declared domain (0, oo)
    """
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise InvalidArgument("values", values, "must be a mapping from parameter names to exact values")
    known = {prm.name: prm for prm in op.params}
    out: dict[str, Fraction] = {}
    for name, value in values.items():
        if name not in known:
            raise InvalidArgument(str(name), value, f"{op.name!r} has no parameter {name!r}; it has {sorted(known) or 'none'}")
        try:
            q = frac(value)
        except (TypeError, ValueError, ZeroDivisionError) as exc:
            raise InvalidArgument(name, value, f"is not an exact rational ({exc})") from None
        if not known[name].contains(q):
            raise InvalidArgument(name, value, f"outside the declared domain {known[name].describe()}")
        out[name] = q
    return out


def values_grid(op: Operator, values: Mapping[str, Any] | None) -> list[dict[str, Fraction]]:
    """Parameter values a search covers: the fixed ``values`` (validated by :func:`fixed_values`)
    and up to 12 combinations of sample values of the free parameters."""
    fixed = fixed_values(op, values)
    free = [prm for prm in op.params if prm.name not in fixed]
    if not free:
        return [fixed]
    lists = [param_samples(prm) for prm in free]
    out = []
    for combo in itertools.product(*lists):
        d = dict(fixed)
        d.update({prm.name: v for prm, v in zip(free, combo, strict=True)})
        out.append(d)
        if len(out) >= 12:
            break
    return out


def weights_to_p(w: Sequence[int | Fraction]) -> tuple[Fraction, ...]:
    """The probability vector proportional to the weights ``w`` (exact)."""
    s = sum(Fraction(v) for v in w)
    return tuple(Fraction(v) / s for v in w)
