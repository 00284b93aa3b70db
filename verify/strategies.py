"""Public Hypothesis strategies: random operators, distributions and temperatures.

Arguments are validated once, up front, and errors name the argument and its value.

>>> from hypothesis import given, settings
>>> from skd.verify.strategies import separable_operators, distributions, temperatures
>>> @settings(max_examples=5, derandomize=True)
... @given(separable_operators(), distributions(max_size=4), temperatures())
... def test(op, p, T):
...     assert op.kind == "separable" and abs(float(sum(p)) - 1) < 1e-12 and T > 0
>>> test()
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp
from hypothesis import strategies as st

from skd.operators import Operator, separable
from skd.operators.errors import InvalidArgument
from skd.operators.symbols import T, V, x

__all__ = ["scores", "separable_operators", "distributions", "rational_distributions", "temperatures"]


def _check_int(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidArgument(name, value, f"must be an integer in [{lo}, {hi}]")
    return value


_HALF = sp.Rational(1, 2)
_CONSTS = [sp.Rational(n, d) for n, d in ((1, 2), (1, 3), (2, 3), (1, 1), (3, 2), (2, 1), (1, 10), (3, 1))]


def _leaves() -> st.SearchStrategy[sp.Expr]:
    return st.one_of(
        st.just(x),
        st.just(T),
        st.just(1 / T),
        st.just(V),
        st.sampled_from(_CONSTS),
    )


def _extend(children: st.SearchStrategy[sp.Expr]) -> st.SearchStrategy[sp.Expr]:
    def pw(pair: tuple[sp.Expr, sp.Expr]) -> sp.Expr:
        a, b = pair
        return a**b

    return st.one_of(
        st.tuples(children, children).map(lambda ab: ab[0] + ab[1]),
        st.tuples(children, children).map(lambda ab: ab[0] * ab[1]),
        st.tuples(children, children).map(lambda ab: ab[0] / ab[1] if ab[1] != 0 else ab[0]),
        st.tuples(children, st.sampled_from([_HALF, sp.Integer(2), sp.Integer(-1), 1 / T, T, sp.Rational(1, 3)])).map(pw),
        children.map(sp.exp),
        children.map(lambda a: sp.log(1 + a)),
        children.map(sp.tanh),
        st.tuples(children, children).map(lambda ab: sp.Max(ab[0], ab[1])),
        st.tuples(children, children).map(lambda ab: sp.Min(ab[0], ab[1])),
        st.tuples(children, children, st.sampled_from([sp.Rational(1, 2), sp.Integer(1), sp.Integer(2)])).map(
            lambda abc: sp.Piecewise((abc[0], T <= abc[2]), (abc[1], True))
        ),
    )


def scores(*, max_leaves: int = 6) -> st.SearchStrategy[sp.Expr]:
    """Random score expressions g(x, T, V) that depend on ``x`` (a small expression grammar)."""
    _check_int("max_leaves", max_leaves, 1, 50)
    base = st.recursive(_leaves(), _extend, max_leaves=max_leaves)
    # Mix in power-like shapes so that a good share of operators are provable.
    shaped = st.one_of(
        base,
        st.tuples(base, st.sampled_from([1 / T, 1 / T**2, 2 / T, 1 / (2 * T), 1 / sp.sqrt(T)])).map(lambda ab: x ** ab[1] * (1 + 0 * ab[0])),
        st.tuples(base, st.sampled_from([1 / T, 2 / T, T])).map(lambda ab: (x + ab[0] * 0 + sp.Rational(1, 10)) ** ab[1]),
        st.tuples(base).map(lambda a: x ** (1 / T) * sp.exp(a[0].subs(x, 1))),
    )
    return shaped.filter(lambda e: x in e.free_symbols and not e.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I))


def separable_operators(*, max_leaves: int = 6) -> st.SearchStrategy[Operator]:
    """Random separable operators built from :func:`scores`."""
    return scores(max_leaves=max_leaves).map(lambda e: separable(e, name="random"))


def rational_distributions(*, min_size: int = 2, max_size: int = 6, max_denominator: int = 1000) -> st.SearchStrategy[list[Fraction]]:
    """Points of the open simplex with exact rational entries (all > 0, sum exactly 1)."""
    _check_int("min_size", min_size, 2, 10**6)
    _check_int("max_size", max_size, min_size, 10**6)
    _check_int("max_denominator", max_denominator, 2, 10**12)

    @st.composite
    def build(draw: st.DrawFn) -> list[Fraction]:
        n = draw(st.integers(min_size, max_size))
        weights = draw(st.lists(st.integers(1, max_denominator), min_size=n, max_size=n))
        total = sum(weights)
        return [Fraction(w, total) for w in weights]

    return build()


def distributions(*, min_size: int = 2, max_size: int = 6) -> st.SearchStrategy[list[Fraction]]:
    """Alias of :func:`rational_distributions` with default denominators."""
    return rational_distributions(min_size=min_size, max_size=max_size)


def temperatures(*, min_value: float = 1e-3, max_value: float = 1e3) -> st.SearchStrategy[Fraction]:
    """Exact rational temperatures, log-uniform-ish on [min_value, max_value], plus T = 1."""
    if not (isinstance(min_value, (int, float)) and 0 < min_value < max_value):
        raise InvalidArgument("min_value", min_value, f"must satisfy 0 < min_value < max_value={max_value!r}")
    import math

    lo, hi = math.log10(min_value), math.log10(max_value)
    return st.one_of(
        st.just(Fraction(1)),
        st.floats(lo, hi).map(lambda e: Fraction(10**e).limit_denominator(10**6)).filter(lambda t: t > 0),
    )
