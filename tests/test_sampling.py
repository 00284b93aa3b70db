"""What a search's candidates are built from (:mod:`skd.verify.sampling`): switching points of a
score (Piecewise, Min/Max, Abs, Heaviside, sign) in ``T`` and in ``x``, snapped to simple
rationals; sample values of declared parameters; exact probability vectors from weights; the
1-D root finder and the rational snapping it relies on.
"""

from __future__ import annotations

import math
from fractions import Fraction as Q

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from skd.operators import Param, library, separable, vector
from skd.operators.errors import InvalidArgument
from skd.operators.symbols import T, x
from skd.verify.sampling import (
    nice_rationals,
    param_samples,
    roots_1d,
    switch_exprs,
    switching_points,
    values_grid,
    weights_to_p,
)


@pytest.mark.parametrize("formula,Ts,xs", [
    ("Piecewise((x**(1/T), T < 2), (x**(1/2), True))", [Q(2)], []),
    ("x*Max(1, 3/T)", [Q(3)], []),
    ("x*(2 + sign(T - 3/2))", [Q(3, 2)], []),
    ("Piecewise((x**(1/T), x < 1/3), (2*x**(1/T), True))", [], [Q(1, 3)]),
    ("x + Abs(x - 1/4)", [], [Q(1, 4)]),
    ("x**(1/T) + Min(x, 2/5)", [], [Q(2, 5)]),
    ("x*(1 + Heaviside(x - 1/2))", [], [Q(1, 2)]),
])
def test_sampling_switching_points_are_found_and_snapped_to_simple_rationals(formula, Ts, xs):
    assert switching_points(separable(formula, name="sw")) == (Ts, xs)


def test_sampling_switching_points_of_the_builtins_are_at_T_equal_1():
    for op in (library.hybrid, library.mixture, library.laplace):
        assert switching_points(op) == ([Q(1)], []), op.name
    assert switching_points(library.power) == ([], [])


def test_sampling_switching_point_that_is_not_simple_is_kept_as_a_close_rational():
    Ts, xs = switching_points(separable("Piecewise((x**(1/T), T < sqrt(2)), (x, True))", name="irr"))
    assert xs == [] and len(Ts) == 1
    assert abs(float(Ts[0]) - math.sqrt(2)) < 1e-9 and Ts[0].denominator > 1000


def test_sampling_switching_points_use_the_parameter_values():
    op = separable("x*Max(1, c/T)", params=[Param("c", lower=0, lower_closed=False)], name="pc")
    assert switching_points(op, [{"c": Q(5)}])[0] == [Q(5)]
    assert switching_points(op, [{"c": Q(1, 4)}, {"c": Q(8)}])[0] == [Q(1, 4), Q(8)]


def test_sampling_vector_operator_has_no_switching_points():
    assert switching_points(library.topk) == ([], [])
    op = vector(lambda p, T_, ar: [ar.num(v) for v in p], name="ident", definition="p")
    assert switching_points(op) == ([], [])


def test_sampling_switch_exprs_reads_conditions_and_crossings():
    e = sp.Piecewise((x, (T < 2) & (x > sp.Rational(1, 3))), (sp.Max(x, T) + sp.Abs(x - 1), True))
    def up_to_sign(es):
        return {frozenset({sp.expand(e), sp.expand(-e)}) for e in es}

    assert up_to_sign(switch_exprs(e)) == up_to_sign([T - 2, x - sp.Rational(1, 3), x - T, x - 1])
    assert switch_exprs(x ** (1 / T)) == []


def test_sampling_roots_1d_finds_sign_changes_and_grid_zeros():
    grid = np.linspace(0, 1, 11)
    (r,) = roots_1d(lambda a: a - 0.3, grid)
    assert abs(r - 0.3) < 1e-14
    assert roots_1d(lambda a: a - 0.5, grid) == [0.5]  # a grid point: reported once
    got = roots_1d(lambda a: (a - 0.25) * (a - 0.75), np.linspace(0, 1, 8))
    assert len(got) == 2 and abs(got[0] - 0.25) < 1e-14 and abs(got[1] - 0.75) < 1e-14
    assert roots_1d(lambda a: a * a + 1, grid) == []


def test_sampling_nice_rationals_snaps_to_simple_values_and_keeps_the_float():
    assert nice_rationals(1 / 3)[0] == Q(1, 3)
    assert nice_rationals(0.25)[0] == Q(1, 4)
    assert nice_rationals(2.0)[0] == Q(2)
    out = nice_rationals(math.sqrt(2))
    assert len(out) == 1 and abs(float(out[0]) - math.sqrt(2)) < 1e-12
    for bad in (0.0, -1.0, math.nan, math.inf):
        assert nice_rationals(bad) == []


def test_sampling_values_grid_of_an_operator_without_parameters_is_one_empty_assignment():
    assert values_grid(library.power, None) == [{}]


def test_sampling_values_grid_keeps_fixed_values_exact():
    op = separable("x**(a/T)", params=[Param("a", lower=0, lower_closed=False)], name="pa")
    assert values_grid(op, {"a": "1/2"}) == [{"a": Q(1, 2)}]
    assert values_grid(op, {"a": 3}) == [{"a": Q(3)}]
    for bad in ({"a": 0.5}, {"a": -1}, {"a": 0}, {"b": 1}):  # inexact, outside (0, oo), unknown name
        with pytest.raises(InvalidArgument):
            values_grid(op, bad)


@pytest.mark.parametrize("params", [
    [Param("a", lower=0, lower_closed=False)],
    [Param("a", lower=5)],
    [Param("a", upper=-5, upper_closed=False)],
    [Param("a", lower=Q(1, 10000), upper=Q(2, 10000), lower_closed=False, upper_closed=False)],
    [Param("a", lower=0, lower_closed=False), Param("b", lower=0, upper=1)],
    [Param("a"), Param("b", lower=1), Param("c", lower=-1, upper=1)],
])
def test_sampling_values_grid_of_free_parameters_is_small_and_inside_the_domain(params):
    op = separable("x**(1/T) + " + " + ".join(f"0*{p.name}" for p in params), params=params, name="pp")
    grid = values_grid(op, None)
    assert 1 <= len(grid) <= 12
    assert len({tuple(sorted(d.items())) for d in grid}) == len(grid)
    for d in grid:
        assert set(d) == {p.name for p in params}
        for p in params:
            assert isinstance(d[p.name], Q) and p.contains(d[p.name])


def test_sampling_values_grid_mixes_fixed_and_free_parameters():
    op = separable("x**(a/T) + b", params=[Param("a", lower=0, lower_closed=False), Param("b", lower=0, upper=1)], name="ab")
    grid = values_grid(op, {"b": Q(1, 2)})
    assert grid and all(d["b"] == Q(1, 2) for d in grid)
    assert len({d["a"] for d in grid}) == len(grid) == len(param_samples(op.params[0]))


def test_sampling_param_samples_are_at_most_six_distinct_values_in_the_domain():
    prm = Param("a", lower=-1, upper=1, lower_closed=False)
    out = param_samples(prm)
    assert 1 <= len(out) <= 6 and len(set(out)) == len(out)
    assert all(prm.contains(v) for v in out) and Q(-1) not in out


def test_sampling_weights_to_p_is_exact():
    assert weights_to_p([2, 1, 1]) == (Q(1, 2), Q(1, 4), Q(1, 4))
    assert weights_to_p([Q(1, 3), Q(1, 6)]) == (Q(2, 3), Q(1, 3))
    assert weights_to_p([10**300, 1]) == (Q(10**300, 10**300 + 1), Q(1, 10**300 + 1))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 10**6), st.fractions(min_value=0, max_value=10**6)), min_size=1, max_size=8)
       .filter(lambda w: sum(w) > 0))
def test_sampling_weights_to_p_sums_to_one_and_keeps_the_ratios(w):
    P = weights_to_p(w)
    assert all(isinstance(v, Q) for v in P)
    assert sum(P) == 1
    s = sum(Q(v) for v in w)
    assert all(p * s == v for p, v in zip(P, w, strict=True))
