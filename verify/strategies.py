"""Public Hypothesis strategies: random operators, simplex points and temperatures.

For downstream test suites: :func:`separable_operators` (random operators) and
:func:`vector_operators` (random algorithms, ``well_defined`` true or false), simplex points as
exact rationals (:func:`rational_distributions`) or NumPy float64 arrays
(:func:`float_distributions`) — sizes up to ``V = 65536``, near one-hot rows, exact ties, entries
down to ``1e-300``, open or closed simplex — and :func:`temperatures` (log-uniform, exact or
float, extremes). Arguments are validated once, up front: a bad argument, or one that leaves
nothing to generate, raises :class:`~skd.operators.errors.InvalidArgument` naming it and its value.

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
from typing import Any, TypeVar

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from skd.operators import Operator, separable, vector
from skd.operators.errors import InvalidArgument
from skd.operators.symbols import T, V, x

__all__ = [
    "DENSE_MAX_SIZE",
    "FLOAT_SUM_TOLERANCE",
    "MAX_SIZE",
    "NEAR_ONE_HOT_MASS",
    "HAZARD_KINDS",
    "distributions",
    "float_distributions",
    "rational_distributions",
    "scores",
    "separable_operators",
    "temperatures",
    "vector_operator_from_definition",
    "vector_operators",
]

X = TypeVar("X")


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


def scores(*, max_leaves: int = 6, hazards: bool = True) -> st.SearchStrategy[sp.Expr]:
    """Random score expressions g(x, T, V) that depend on ``x`` (a small expression grammar).

    With ``hazards=True`` (the default) most scores carry a **hazard**, the
    constructs on which a prover that skips definedness goes wrong (:data:`HAZARD_KINDS`):
    poles at rational and irrational points of ``T``, ``x`` and ``V`` (``1/(T - 7/3)``,
    ``1/(T**2 - 2)``, ``1/(x - sqrt(2)/2)``, ``tan(2*x)``, ``1/sin(pi*T)``, ``1/log(pi*T)``, ...),
    branch cuts (``sqrt``, ``log``, ``asin``, ``acos`` and real powers of sign-changing bases),
    sign changes and negative scores, and steps (``floor``, ``ceiling``, ``Heaviside``,
    ``sign``, ``Piecewise``), most of them hidden inside a shape the prover otherwise handles
    (``x**(1/T)*exp(h)``, ``x**(1/T + h**2)``, ...). ``hazards=False`` draws the original
    grammar only, with the original draw sequence.

    >>> from hypothesis import given, settings
    >>> seen = set()
    >>> @settings(max_examples=200, derandomize=True, database=None)
    ... @given(scores())
    ... def collect(g):
    ...     seen.update(type(f).__name__ for f in g.atoms(sp.Function))
    >>> collect()
    >>> {"tan", "asin", "log"} <= seen
    True
    """
    _check_int("max_leaves", max_leaves, 1, 50)
    _check_bool("hazards", hazards)
    base = st.recursive(_leaves(), _extend, max_leaves=max_leaves)
    # Mix in power-like shapes so that a good share of operators are provable.
    shaped = st.one_of(
        base,
        st.tuples(base, st.sampled_from([1 / T, 1 / T**2, 2 / T, 1 / (2 * T), 1 / sp.sqrt(T)]))
        .map(lambda ab: x ** ab[1] * (1 + 0 * ab[0])),
        st.tuples(base, st.sampled_from([1 / T, 2 / T, T])).map(lambda ab: (x + ab[0] * 0 + sp.Rational(1, 10)) ** ab[1]),
        st.tuples(base).map(lambda a: x ** (1 / T) * sp.exp(a[0].subs(x, 1))),
    )
    if hazards:
        wild = st.recursive(_leaves() | _hazards(), _extend_hazardous, max_leaves=max_leaves)
        hazardous = _hazardous_shapes(wild)
        shaped = st.one_of(shaped, hazardous, hazardous)
    return shaped.filter(_acceptable)


def separable_operators(*, max_leaves: int = 6, hazards: bool = True) -> st.SearchStrategy[Operator]:
    """Random separable operators built from :func:`scores` (same arguments)."""
    return scores(max_leaves=max_leaves, hazards=hazards).map(lambda e: separable(e, name="random"))


def _acceptable(e: sp.Expr) -> bool:
    return x in e.free_symbols and not e.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I)


# -- hazards: poles, branch cuts, sign changes, steps ----------------------------------------------

#: The hazard families :func:`scores` draws with ``hazards=True``.
HAZARD_KINDS = ("pole_T", "pole_x", "pole_V", "branch_cut", "sign_change", "negative", "step")

_Q = sp.Rational
#: Where poles and cuts sit in ``T``: the refuter's sample points (1, 3/2, 2), rationals it never
#: samples, and irrationals (no rational sample point can hit them).
_T_SPOTS = [_Q(7, 3), sp.Integer(1), _Q(3, 2), sp.Integer(2), _Q(5, 7), _Q(13, 4), _Q(1, 10),
            sp.sqrt(2), sp.pi / 2, sp.E, 1 / sp.pi, sp.sqrt(3) / 3]
#: ... and in ``x`` (inside (0, 1)).
_X_SPOTS = [_Q(1, 2), _Q(2, 7), _Q(1, 3), _Q(3, 7), _Q(5, 6), _Q(1, 10),
            sp.sqrt(2) / 2, 1 / sp.pi, (sp.sqrt(5) - 1) / 2, sp.E / 4]
_SCALES = [sp.Integer(1), sp.Integer(2), _Q(1, 2), _Q(1, 3), sp.Integer(3), sp.pi, sp.E]


def _hazards() -> st.SearchStrategy[sp.Expr]:
    """Atoms that are undefined, complex, negative or discontinuous somewhere on the domain."""
    tpt, xpt, sc = st.sampled_from(_T_SPOTS), st.sampled_from(_X_SPOTS), st.sampled_from(_SCALES)
    # sign-changing expressions: roots inside the domain, rational and irrational
    changing = st.one_of(
        tpt.map(lambda a: T - a),
        xpt.map(lambda b: x - b),
        xpt.map(lambda b: b - x),
        st.sampled_from([T**2 - 2, T**2 - 3 * T + 1, T**3 - 3 * T + 1, x**2 - _HALF, 3 * x**2 - 1,
                         x - T, x * T - _HALF, T - 2 * x, 3 - V, V - T, x - 1 / V, sp.sin(T), sp.cos(3 * x),
                         sp.log(2 * T), sp.log(3 * x), T - sp.pi]),
    )
    poles = st.one_of(
        changing.map(lambda s: 1 / s),
        changing.map(lambda s: s**-2),
        sc.map(lambda c: sp.tan(c * T)),
        st.sampled_from([2, 3, sp.pi, 4]).map(lambda c: sp.tan(c * x)),
        sc.map(lambda c: 1 / sp.sin(c * T)),
        st.sampled_from([4, 7, 2 * sp.pi, 3 * sp.pi]).map(lambda c: 1 / sp.sin(c * x)),
        st.sampled_from([sp.pi, 2, _Q(1, 3), sp.E, 3]).map(lambda c: 1 / sp.log(c * T)),
        st.sampled_from([2, 3, sp.pi, sp.E]).map(lambda c: 1 / sp.log(c * x)),
        st.just(1 / sp.cos(T)),
        st.just(1 / (V - 3)),
    )
    cuts = st.one_of(
        changing.map(sp.sqrt),
        changing.map(sp.log),
        changing.map(lambda s: s ** _Q(1, 3)),
        changing.map(lambda s: s ** (1 / T)),
        changing.map(lambda s: s**T),
        changing.map(lambda s: s ** _Q(-1, 2)),
        sc.map(lambda c: sp.asin(T / c)),
        sc.map(lambda c: sp.acos(T / c)),
        st.sampled_from([2, 3, sp.pi]).map(lambda c: sp.asin(c * x)),
        st.sampled_from([2, 3, sp.E]).map(lambda c: sp.acos(c * x)),
        changing.map(sp.asin),
    )
    steps = st.one_of(
        sc.map(lambda c: sp.floor(c * T)),
        st.sampled_from([2, 3, 7]).map(lambda c: sp.ceiling(c * x)),
        changing.map(sp.Heaviside),
        changing.map(sp.sign),
        tpt.map(lambda a: sp.Piecewise((T, T < a), (T + 1, True))),
        xpt.map(lambda b: sp.Piecewise((x, x <= b), (x / 2, True))),
    )
    return st.one_of(poles, cuts, poles, changing, cuts, steps)


def _extend_hazardous(children: st.SearchStrategy[sp.Expr]) -> st.SearchStrategy[sp.Expr]:
    """The grammar of :func:`_extend` plus functions that have poles, cuts or steps."""
    return st.one_of(
        _extend(children),
        children.map(sp.tan),
        children.map(lambda a: 1 / sp.sin(a)),
        children.map(sp.sqrt),
        children.map(sp.log),
        children.map(sp.asin),
        children.map(sp.acos),
        children.map(sp.floor),
        children.map(sp.Heaviside),
        children.map(lambda a: -a),
    )


#: The shapes a hazard ``h`` is hidden in (:func:`_hazardous_shapes`).
_SHAPES = [
    lambda h: x ** (1 / T) * sp.exp(h),
    lambda h: x ** (1 / T) * sp.exp(h.subs(x, _HALF)),  # a factor constant in x
    lambda h: x ** (1 / T + h**2),
    lambda h: x ** (1 / T) * (1 + h**2),
    lambda h: x ** (1 / T) * sp.cosh(h),
    lambda h: x ** (1 / T) * h,  # sign changes and zeros
    lambda h: x ** (1 / T) + sp.exp(h),
    lambda h: sp.exp(x * (1 / T + h**2)),
    lambda h: (x + _Q(1, 10)) ** (1 / T) * sp.exp(h * x),
    lambda h: x ** sp.exp(h),
    lambda h: sp.Piecewise((x ** (1 / T), T <= 1), (x ** (1 / T) * sp.exp(h), True)),
    lambda h: x ** (1 / T) * (2 + sp.sin(h)),
    lambda h: x ** (1 / T) * (1 + sp.atan(h) ** 2),
    lambda h: h,
    lambda h: -sp.exp(-x / T) * sp.exp(h),  # negative scores, reversed order
    lambda h: -(x ** (-1 / T)) * (1 + h**2),
    lambda h: x ** (1 / T) - _HALF + h * 0,
]


def _shaped(kh: tuple[int, sp.Expr]) -> sp.Expr:
    """Shape number ``k`` of ``h``, or NaN (which :func:`_acceptable` rejects) when SymPy refuses
    to build it: ``h.subs(x, 1/2)`` of ``Min``/``Max`` with an argument that is complex at
    ``x = 1/2`` raises ValueError ("not comparable") — once raised out of the strategy to its
    user (found by the soundness fuzz)."""
    k, h = kh
    try:
        return _SHAPES[k](h)
    except (ValueError, TypeError, ZeroDivisionError, NotImplementedError):
        return sp.nan


def _hazardous_shapes(wild: st.SearchStrategy[sp.Expr]) -> st.SearchStrategy[sp.Expr]:
    """A hazard ``h`` hidden in a shape the prover otherwise handles, or raw."""
    h = st.one_of(_hazards(), _hazards(), wild)
    return st.tuples(st.sampled_from(range(len(_SHAPES))), h).map(_shaped)


# -- distributions --------------------------------------------------------------------------------

#: Largest number of classes ``V`` the distribution strategies generate.
MAX_SIZE = 65536
#: Up to this ``V`` every entry is drawn on its own; above it, a drawn pattern of at most 8 values is
#: tiled over the row and at most 8 drawn positions are overwritten (cheap for ``V = 65536``).
DENSE_MAX_SIZE = 64
#: With ``near_one_hot=True`` the largest entry is at least ``1 - NEAR_ONE_HOT_MASS``.
NEAR_ONE_HOT_MASS = 1e-6
#: Float distributions satisfy ``abs(math.fsum(p) - 1) <= FLOAT_SUM_TOLERANCE`` (four times float64 eps).
FLOAT_SUM_TOLERANCE = 4 * 2.0**-52
_SMALLEST_NORMAL = 2.2250738585072014e-308


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(name, value, "must be True or False")
    return value


def _check_real(name: str, value: object, lo: float, hi: float) -> float:
    """A finite real (int, float or Fraction; not bool) in ``[lo, hi]``, returned as a float."""
    import math

    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise InvalidArgument(name, value, "must be a real number (int, float or Fraction)")
    f = float(value)
    if not math.isfinite(f) or not lo <= f <= hi:
        raise InvalidArgument(name, value, f"must be a finite number in [{lo!r}, {hi!r}]")
    return f


def _check_sizes(min_size: object, max_size: object, lowest: int = 2) -> tuple[int, int]:
    """Validated ``(min_size, max_size)``; sizes below ``lowest`` are not drawn (``max_size`` must reach it)."""
    lo = _check_int("min_size", min_size, 2, MAX_SIZE)
    hi = _check_int("max_size", max_size, max(lo, lowest), MAX_SIZE)
    return max(lo, lowest), hi


def _fill(draw: st.DrawFn, n: int, element: st.SearchStrategy[X]) -> list[X]:
    """``n`` values: drawn one by one for small ``n``, else a tiled pattern with a few drawn positions."""
    if n <= DENSE_MAX_SIZE:
        return draw(st.lists(element, min_size=n, max_size=n))
    base = draw(st.lists(element, min_size=1, max_size=8))
    out = (base * (n // len(base) + 1))[:n]
    for i, v in draw(st.lists(st.tuples(st.integers(0, n - 1), element), max_size=8)):
        out[i] = v
    return out


def _other(draw: st.DrawFn, n: int, avoid: set[int]) -> int:
    """A position in ``range(n)`` not in ``avoid`` (``len(avoid) < n``)."""
    allowed = n - len(avoid)
    k = draw(st.integers(0, allowed - 1))
    for i in sorted(avoid):
        if k >= i:
            k += 1
    return k


def rational_distributions(*, min_size: int = 2, max_size: int = 6, max_denominator: int = 1000, zeros: bool = False,
                           ties: bool = False, near_one_hot: bool = False) -> st.SearchStrategy[list[Fraction]]:
    """Points of the simplex with exact rational entries (a list of ``Fraction`` summing exactly to 1).

    The row is ``w / sum(w)`` for integer weights ``w_i`` in ``[1, max_denominator]``, of length
    ``V`` in ``[min_size, max_size]`` (``2 <= V <= 65536``; above ``V = 64`` a drawn pattern is tiled
    with a few drawn positions, so large rows stay cheap). Options:

    * ``zeros=True``: weights may be 0 (the closed simplex); at least one entry stays positive.
      With ``False`` (default) every entry is ``> 0`` (the open simplex).
    * ``ties=True``: at least two positive entries are exactly equal.
    * ``near_one_hot=True``: one entry is at least ``1 - 1e-6`` (its weight is ``10**k`` times the
      others' total, ``6 <= k <= 12``, so it exceeds ``max_denominator``).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, derandomize=True, database=None)
    ... @given(rational_distributions(min_size=3, max_size=5, ties=True, zeros=True))
    ... def check(p):
    ...     assert sum(p) == 1 and 3 <= len(p) <= 5 and min(p) >= 0
    ...     assert len({v for v in p if v > 0}) < len([v for v in p if v > 0])  # an exact tie
    >>> check()
    >>> rational_distributions(min_size=2, max_size=2, ties=True, near_one_hot=True)
    Traceback (most recent call last):
    ...
    skd.operators.errors.InvalidArgument: max_size=2: must be an integer in [3, 65536]
    """
    _check_bool("zeros", zeros)
    _check_bool("ties", ties)
    _check_bool("near_one_hot", near_one_hot)
    lo, hi = _check_sizes(min_size, max_size, lowest=3 if (ties and near_one_hot) else 2)
    _check_int("max_denominator", max_denominator, 2, 10**12)
    plain = not (zeros or ties or near_one_hot)

    @st.composite
    def build(draw: st.DrawFn) -> list[Fraction]:
        n = draw(st.integers(lo, hi))
        if plain and n <= DENSE_MAX_SIZE:  # the original draw sequence: reproducible draws stay the same
            weights = draw(st.lists(st.integers(1, max_denominator), min_size=n, max_size=n))
        else:
            weights = _fill(draw, n, st.integers(0 if zeros else 1, max_denominator))
        top = draw(st.integers(0, n - 1)) if near_one_hot else None
        if not any(weights):
            weights[top if top is not None else 0] = 1
        if ties:
            avoid = {top} if top is not None else set()
            j = _other(draw, n, avoid)
            i = _other(draw, n, avoid | {j})
            if weights[i] == 0:
                weights[i] = 1
            weights[j] = weights[i]
        if top is not None:
            rest = sum(weights) - weights[top]
            weights[top] = max(rest, 1) * 10 ** draw(st.integers(6, 12))
        total = sum(weights)
        return [Fraction(w, total) for w in weights]

    return build()


def float_distributions(*, min_size: int = 2, max_size: int = 6, min_entry: float = 1e-300, zeros: bool = False,
                        ties: bool = False, near_one_hot: bool = False) -> st.SearchStrategy[np.ndarray]:
    """Points of the simplex as NumPy float64 arrays of shape ``(V,)``.

    Contract: ``min_size <= V <= max_size`` (``2 <= V <= 65536``; above ``V = 64`` a drawn pattern
    is tiled with a few drawn positions, so large rows stay cheap); every entry is ``0`` or
    ``>= min_entry``, and entries equal to ``min_entry`` exactly are generated (rows mix entries
    spread over ``[1e-3, 1]``, ``[1e-30, 1]`` or the whole range down to ``min_entry``);
    ``abs(math.fsum(p) - 1) <= FLOAT_SUM_TOLERANCE`` (``4·eps``), so rows pass
    :func:`skd.operators.validate.check_distribution`. Options:

    * ``zeros=True``: entries may be exactly 0 (closed simplex); at least one stays positive.
      With ``False`` (default) every entry is ``>= min_entry > 0`` (open simplex).
    * ``ties=True``: at least two positive entries are exactly equal (bit for bit).
    * ``near_one_hot=True``: the largest entry is at least ``1 - NEAR_ONE_HOT_MASS`` (``1 - 1e-6``).

    ``min_entry`` lies in ``[2.2250738585072014e-308, 1/(2·max_size)]`` (``1e-6/max_size`` with
    ``near_one_hot``) so that every size has room for it.

    >>> import math
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20, derandomize=True, database=None)
    ... @given(float_distributions(max_size=8, near_one_hot=True))
    ... def check(p):
    ...     assert p.dtype == np.float64 and abs(math.fsum(p) - 1) <= FLOAT_SUM_TOLERANCE
    ...     assert p.min() >= 1e-300 and p.max() >= 1 - 1e-6
    >>> check()
    >>> float_distributions(max_size=10, min_entry=0.1)
    Traceback (most recent call last):
    ...
    skd.operators.errors.InvalidArgument: min_entry=0.1: must be a finite number in [2.2250738585072014e-308, 0.05]
    """
    import math

    _check_bool("zeros", zeros)
    _check_bool("ties", ties)
    _check_bool("near_one_hot", near_one_hot)
    lo, hi = _check_sizes(min_size, max_size, lowest=3 if (ties and near_one_hot) else 2)
    cap_all = NEAR_ONE_HOT_MASS / hi if near_one_hot else 1 / (2 * hi)
    m = _check_real("min_entry", min_entry, _SMALLEST_NORMAL, cap_all)

    @st.composite
    def build(draw: st.DrawFn) -> np.ndarray:
        n = draw(st.integers(lo, hi))
        c = 2 * n * m  # ordinary weights are >= c (relative to the largest, 1)
        depth = draw(st.sampled_from((3.0, 30.0, math.inf)))
        lo_exp = max(-depth, math.log10(c))
        cap = NEAR_ONE_HOT_MASS / n if near_one_hot else 1 / (2 * n)
        span = math.log10(cap / m)
        # kinds: 0 ordinary (weight 10**(lo_exp·u), renormalised), 1 extreme (final value m·10**(span·u)), 2 zero
        kinds = [1] if near_one_hot else [0] + ([1] if draw(st.booleans()) else [])
        if zeros and draw(st.booleans()):
            kinds.append(2)
        spec = _fill(draw, n, st.tuples(st.sampled_from(kinds), st.floats(0.0, 1.0)))
        top = draw(st.integers(0, n - 1))
        spec[top] = (0, 0.0)
        if ties:
            avoid = {top} if near_one_hot else set()
            j = _other(draw, n, avoid | {top})
            i = _other(draw, n, avoid | {j})
            if spec[i][0] == 2:
                spec[i] = (1 if near_one_hot else 0, spec[i][1])
            spec[j] = spec[i]
        kind = np.array([k for k, _ in spec], dtype=np.int8)
        u = np.array([v for _, v in spec], dtype=np.float64)
        p = np.zeros(n, dtype=np.float64)
        ext, ordn = kind == 1, kind == 0
        p[ext] = m * 10.0 ** (span * u[ext])
        w = 10.0 ** (lo_exp * u[ordn])
        p[ordn] = w * ((1.0 - math.fsum(p[ext])) / math.fsum(w))
        pos = p > 0
        p[pos] = np.maximum(p[pos], m)
        return p

    return build()


def distributions(*, min_size: int = 2, max_size: int = 6, exact: bool = True, **options: Any) -> st.SearchStrategy[Any]:
    """:func:`rational_distributions` (``exact=True``, the default) or :func:`float_distributions`.

    ``options`` are passed on (``zeros``, ``ties``, ``near_one_hot``, and ``max_denominator`` or
    ``min_entry``).

    >>> from hypothesis import find
    >>> find(distributions(exact=False, min_size=3), lambda p: True).shape
    (3,)
    """
    _check_bool("exact", exact)
    if exact:
        return rational_distributions(min_size=min_size, max_size=max_size, **options)
    return float_distributions(min_size=min_size, max_size=max_size, **options)


# -- temperatures --------------------------------------------------------------------------------


def _round_rational(t: float) -> Fraction:
    """An exact rational near ``t > 0``: the historical ``limit_denominator(10**6)`` for ``t >= 1e-3``
    (keeps reproducible draws unchanged), else 7 significant digits."""
    import math

    if t >= 1e-3:
        return Fraction(t).limit_denominator(10**6)
    k = math.floor(math.log10(t)) - 6
    return Fraction(round(t / 10.0**k)) * Fraction(10) ** k


def temperatures(*, min_value: float = 1e-3, max_value: float = 1e3, exact: bool = True,
                 extremes: bool = False) -> st.SearchStrategy[Any]:
    """Temperatures in ``[min_value, max_value]``, log-uniform, plus ``T = 1`` when it is in range.

    ``exact=True`` (default) gives ``Fraction`` values (``limit_denominator(10**6)`` of the float for
    ``T >= 1e-3``, 7 significant digits below), ``exact=False`` Python floats. ``extremes=True``
    adds the end points themselves and log-uniform values within one decade of each end (very
    small and very large ``T``). Bounds: ``1e-300 <= min_value < max_value <= 1e300``.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=30, derandomize=True, database=None)
    ... @given(temperatures(min_value=1e-9, max_value=1e9, extremes=True))
    ... def check(t):
    ...     assert isinstance(t, Fraction) and Fraction(1e-9) <= t <= Fraction(1e9)
    >>> check()
    >>> temperatures(min_value=2.0, max_value=1.0)
    Traceback (most recent call last):
    ...
    skd.operators.errors.InvalidArgument: max_value=1.0: must be > min_value=2.0
    """
    import math

    lo_v = _check_real("min_value", min_value, 1e-300, 1e300)
    hi_v = _check_real("max_value", max_value, 1e-300, 1e300)
    if not Fraction(max_value) > Fraction(min_value):
        raise InvalidArgument("max_value", max_value, f"must be > min_value={min_value!r}")
    _check_bool("exact", exact)
    _check_bool("extremes", extremes)
    lo, hi = math.log10(lo_v), math.log10(hi_v)
    f_lo, f_hi = Fraction(min_value), Fraction(max_value)

    def clamp_exact(e: float) -> Fraction:
        return min(max(_round_rational(10.0**e), f_lo), f_hi)

    def clamp_float(e: float) -> float:
        return min(max(10.0**e, lo_v), hi_v)

    conv = clamp_exact if exact else clamp_float
    one: Any = Fraction(1) if exact else 1.0
    parts: list[st.SearchStrategy[Any]] = []
    if f_lo <= 1 <= f_hi:
        parts.append(st.just(one))
    parts.append(st.floats(lo, hi).map(conv))
    if extremes:
        ends = [f_lo, f_hi] if exact else [lo_v, hi_v]
        parts.append(st.sampled_from(ends))
        parts.append(st.floats(lo, min(hi, lo + 1)).map(conv))
        parts.append(st.floats(max(lo, hi - 1), hi).map(conv))
    return st.one_of(*parts)


# -- vector operators ------------------------------------------------------------------------------


class _VState:
    """What a drawn vector algorithm carries from step to step: the entries of ``p`` in the current
    order of the positions (``p``) and the value of each kept position (``w``; the others are 0)."""

    __slots__ = ("p", "w")

    def __init__(self, p: list[Any], w: dict[int, Any]) -> None:
        self.p, self.w = p, w

    def order(self) -> list[int]:
        """The kept positions by decreasing entry of ``p``, ties to the lower position (exact)."""
        return sorted(self.w, key=lambda i: (-self.p[i], i))

    def map(self, f: Any) -> None:
        self.w = {i: f(v) for i, v in self.w.items()}

    def ties_at_top(self) -> list[int]:
        """The first two kept positions when their entries of ``p`` are equal, else ``[]``."""
        o = self.order()
        return o[:2] if len(o) >= 2 and self.p[o[0]] == self.p[o[1]] else []


def _v_sort(s: _VState, T: Any, ar: Any, c: Any) -> None:
    order = sorted(range(len(s.p)), key=lambda i: (-s.p[i], i))
    s.p, s.w = [s.p[i] for i in order], {k: s.w[i] for k, i in enumerate(order) if i in s.w}


def _v_power(s: _VState, T: Any, ar: Any, c: Any) -> None:
    e = ar.num(c) / T
    s.map(lambda v: ar.pow(v, e))


def _v_exp(s: _VState, T: Any, ar: Any, c: Any) -> None:
    if s.w:
        top = s.w[s.order()[0]]
        s.map(lambda v: ar.exp(v - top))


def _v_top(s: _VState, T: Any, ar: Any, k: Any) -> None:
    keep = set(s.order()[:k])
    s.w = {i: v for i, v in s.w.items() if i in keep}


def _v_normalise(s: _VState, T: Any, ar: Any, c: Any) -> None:
    total = ar.num(0)
    for i in sorted(s.w):
        total = total + s.w[i]
    s.map(lambda v: v / total)


def _v_mix(s: _VState, T: Any, ar: Any, c: Any) -> None:
    one = ar.num(1)
    lam, k = one / (one + T), ar.num(len(s.w))
    s.map(lambda v: (one - lam) * v + lam / k)


def _v_range(s: _VState, T: Any, ar: Any, c: Any) -> None:
    if s.w:
        o = s.order()
        hi, lo = s.w[o[0]], s.w[o[-1]]
        s.map(lambda v: (v - lo) / (hi - lo))


def _v_tie_pole(s: _VState, T: Any, ar: Any, c: Any) -> None:
    if 0 in s.w:
        d = ar.num(s.p[0]) - ar.num(s.p[1])
        s.w[0] = s.w[0] * d / d


def _v_if_V4(s: _VState, T: Any, ar: Any, c: Any) -> None:
    if len(s.p) >= 4 and s.w:
        if c > 0:
            i = s.order()[0]
            s.w[i] = s.w[i] + ar.num(c)
        else:
            i = s.order()[-1]
            s.w[i] = ar.num(0) - s.w[i]


def _v_if_tie(s: _VState, T: Any, ar: Any, c: Any) -> None:
    top = s.ties_at_top()
    if top and c > 0:
        s.w[top[0]] = s.w[top[0]] + ar.num(c)
    elif top:
        del s.w[top[0]], s.w[top[1]]


def _v_sparsemax(s: _VState, T: Any, ar: Any, on_logs: Any) -> None:
    o = s.order()
    if not o:
        return
    z = {i: ar.log(s.w[i]) / T for i in o} if on_logs else dict(s.w)
    one = ar.num(1)
    k_best, cum_best, cum = 1, z[o[0]], None
    for k, i in enumerate(o, start=1):
        cum = z[i] if cum is None else cum + z[i]
        if ar.gt(one + ar.num(k) * z[i], cum):
            k_best, cum_best = k, cum
    tau = (cum_best - one) / ar.num(k_best)
    s.w = {i: z[i] - tau for i in o[:k_best]}


_F = Fraction
#: Every step of :func:`vector_operators` (its docstring gives the grammar): its text (in the operator's ``definition``), the function
#: ``f(state, T, ar, arg)`` and its argument. Hazards (steps after which the output can be negative,
#: undefined or not sum to 1 for some inputs): subtracting, clipping, ``log``, the range scaling
#: (0/0 when all kept entries tie), the pole at ``p[0] = p[1]``, the branches on ``V >= 4`` and on ties.
_V_STEPS: dict[str, tuple[Any, Any]] = {
    "sort the positions by decreasing p (ties to the lower index)": (_v_sort, None),
    "w = w**(1/T)": (_v_power, _F(1)),
    "w = w**(2/T)": (_v_power, _F(2)),
    "w = w**(1/(2*T))": (_v_power, _F(1, 2)),
    "w = w*w": (lambda s, T, ar, c: s.map(lambda v: v * v), None),
    "w = log(w)/T": (lambda s, T, ar, c: s.map(lambda v: ar.log(v) / T), None),
    "w = exp(w - w[first])": (_v_exp, None),
    **{f"keep the {k} first (largest p, ties to the lower index)": (_v_top, k) for k in (1, 2, 3)},
    **{f"w = w + {c}": (lambda s, T, ar, c: s.map(lambda v: v + ar.num(c)), c) for c in (_F(1, 10), _F(1))},
    **{f"w = w - {c}": (lambda s, T, ar, c: s.map(lambda v: v - ar.num(c)), c) for c in (_F(1, 10), _F(1, 4), _F(1, 2))},
    **{f"w = max(w - {c}, 0)": (lambda s, T, ar, c: s.map(lambda v: ar.max(v - ar.num(c), ar.num(0))), c)
       for c in (_F(1, 10), _F(1, 4), _F(1, 2))},
    "w = w/sum(w)": (_v_normalise, None),
    "w = w*T/(1 + T) + 1/((1 + T)*len(w))": (_v_mix, None),
    "w = (w - w[last])/(w[first] - w[last])": (_v_range, None),
    "w[0] = w[0]*(p[0] - p[1])/(p[0] - p[1])": (_v_tie_pole, None),
    "if V >= 4: w[first] = w[first] + 1/2": (_v_if_V4, _F(1, 2)),
    "if V >= 4: w[last] = -w[last]": (_v_if_V4, _F(-1)),
    "if p[first] == p[second]: w[first] = w[first] + 1/2": (_v_if_tie, _F(1, 2)),
    "if p[first] == p[second]: drop first and second": (_v_if_tie, _F(-1)),
    "w = sparsemax(w)": (_v_sparsemax, False),
    "w = sparsemax(log(w)/T)": (_v_sparsemax, True),
}
#: the steps drawn before the last ones: all but the normalisation and the mixture (nested
#: normalisations make SymPy's expressions, and so the proofs, grow fast: they end the operator);
#: truncations twice as often (fewer kept entries: shorter proofs)
_V_BODY = [t for t in _V_STEPS if t not in ("w = w/sum(w)", "w = w*T/(1 + T) + 1/((1 + T)*len(w))")]
_V_BODY += [t for t in _V_BODY if t.startswith("keep")]
#: the last steps, weighted towards a normalisation (most drawn operators are meant to be candidates)
_V_ENDINGS: list[tuple[str, ...]] = [
    *[("w = w/sum(w)",)] * 4, *[("w = sparsemax(log(w)/T)",)] * 2, ("w = log(w)/T", "w = exp(w - w[first])", "w = w/sum(w)"),
    ("w = w/sum(w)", "w = w*T/(1 + T) + 1/((1 + T)*len(w))"), (), (), (),
]


def vector_operator_from_definition(definition: str, *, sizes: tuple[int, ...] = (2, 3, 4)) -> Operator:
    """The operator :func:`vector_operators` draws with this ``definition`` (to reproduce a draw).

    >>> from skd.operators.arith import FloatArith
    >>> op = vector_operator_from_definition("w = p; keep the 1 first (largest p, ties to the lower index); w = w/sum(w)")
    >>> op.algorithm([0.25, 0.75], 2.0, FloatArith())
    [0.0, 1.0]
    """
    _check_vector_sizes(sizes)
    texts = definition.split("; ") if isinstance(definition, str) else []
    if not texts or texts[0] != "w = p" or any(t not in _V_STEPS for t in texts[1:]):
        raise InvalidArgument("definition", definition, "must be 'w = p' then steps of vector_operators, joined by '; '")
    steps = [_V_STEPS[t] for t in texts[1:]]

    def algorithm(p: Any, T: Any, ar: Any) -> list[Any]:
        s = _VState(list(p), {i: ar.num(v) for i, v in enumerate(p)})
        for f, arg in steps:
            f(s, T, ar, arg)
        zero = ar.num(0)
        return [s.w.get(i, zero) for i in range(len(p))]

    return vector(algorithm, name="random_vector", definition=definition, sizes=sizes)


def _check_vector_sizes(sizes: object) -> tuple[int, ...]:
    if (not isinstance(sizes, (tuple, list)) or not sizes
            or any(isinstance(v, bool) or not isinstance(v, int) or not 2 <= v <= 8 for v in sizes)):
        raise InvalidArgument("sizes", sizes, "must be a non-empty tuple (or list) of integers in [2, 8]")
    return tuple(sorted(set(sizes)))


def vector_operators(*, sizes: tuple[int, ...] = (2, 3, 4), max_steps: int = 4) -> st.SearchStrategy[Operator]:
    """Random vector operators: algorithms of at most ``max_steps`` steps applied to ``w = p``.

    Declared with :func:`skd.operators.vector` on ``sizes`` (integers in ``[2, 8]``). Each step
    is something a user writes (exact comparisons of entries of ``p``; ``ar`` for every derived
    value). Positions are ordered by decreasing ``p``, ties to the lower index; ``first``,
    ``second`` and ``last`` name kept positions in that order; dropped positions output 0.

    * order: ``sort the positions by decreasing p``, ``keep the k first`` (``k = 1, 2, 3``);
    * values: ``w = w**(c/T)`` (``c = 1, 2, 1/2``), ``w = w*w``, ``w = log(w)/T``,
      ``w = exp(w - w[first])``, ``w = w + c`` (``c = 1/10, 1``);
    * thresholds and normalisations: ``w = sparsemax(w)``, ``w = sparsemax(log(w)/T)``,
      ``w = w/sum(w)``, and after it a mixture with the uniform distribution;
    * hazards (``well_defined`` fails for some inputs unless later steps repair it): ``w = w - c``
      and ``w = max(w - c, 0)`` (``c = 1/10, 1/4, 1/2``: negative entries, a sum or a ``log``
      argument that can be 0), ``w = (w - w[last])/(w[first] - w[last])`` (0/0 when the kept
      entries all tie), ``w[0] = w[0]*(p[0] - p[1])/(p[0] - p[1])`` (0/0 at ``p[0] = p[1]``),
      branches taken only when ``V >= 4`` or only when ``p[first] == p[second]``.

    The last steps are usually a normalisation (``w/sum(w)``, a sparsemax of ``log(w)/T``, a
    softmax of ``log(w)/T``, the mixture), sometimes none; a step is never repeated at once.
    The ``definition`` is the steps joined by ``"; "`` (``"w = p; w = w**(2/T); w = w/sum(w)"``):
    :func:`vector_operator_from_definition` builds the operator again from it.

    >>> from hypothesis import given, settings
    >>> from skd.operators.arith import FloatArith
    >>> @settings(max_examples=20, derandomize=True, database=None)
    ... @given(vector_operators(sizes=(3,), max_steps=3))
    ... def check(op):
    ...     assert op.kind == "vector" and op.sizes == (3,) and op.definition.startswith("w = p")
    ...     try:
    ...         assert len(op.algorithm([0.5, 0.3, 0.2], 2.0, FloatArith())) == 3
    ...     except (ArithmeticError, ValueError, TypeError):  # a hazard: undefined (or complex) here
    ...         pass
    >>> check()
    >>> vector_operators(max_steps=0)
    Traceback (most recent call last):
    ...
    skd.operators.errors.InvalidArgument: max_steps=0: must be an integer in [1, 12]
    """
    chosen = _check_vector_sizes(sizes)
    _check_int("max_steps", max_steps, 1, 12)
    endings = [e for e in _V_ENDINGS if len(e) <= max_steps]

    @st.composite
    def build(draw: st.DrawFn) -> Operator:
        end = draw(st.sampled_from(endings))
        body = draw(st.lists(st.sampled_from(_V_BODY), max_size=max_steps - len(end)))
        steps = [*body, *end]
        steps = [t for k, t in enumerate(steps) if k == 0 or t != steps[k - 1]]  # a step repeated at once: once
        return vector_operator_from_definition("; ".join(["w = p", *steps]), sizes=chosen)

    return build()
