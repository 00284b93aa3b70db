"""Operator kinds (:mod:`skd.operators.kinds`): the enumeration, one :class:`KindSpec` per kind,
the search sizes and scopes it states, and the floating-point ``F_T(p)`` the search steers by
(checked against the 50-digit mpmath reference and :func:`skd.operators.apply`).
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import random
from fractions import Fraction as Q

import numpy as np
import pytest

from skd.operators import Param, apply, evaluate_mp, library, separable, vector
from skd.operators.kinds import KIND_SPECS, SEPARABLE_SIZES, FloatF, OperatorKind, float_log_neg_scores, float_log_scores, spec_of

SEPARABLE = [op for op in library.ALL if op.kind == "separable"]
VECTOR = [op for op in library.ALL if op.kind == "vector"]
POINTS = [
    ((Q(7, 10), Q(2, 10), Q(1, 10)), Q(1, 2)),
    ((Q(7, 10), Q(2, 10), Q(1, 10)), Q(3)),
    ((Q(1, 2), Q(1, 4), Q(1, 8), Q(1, 8)), Q(1)),
    ((Q(3, 5), Q(2, 5)), Q(7, 4)),
]


def _mp_floats(op, P, T, values=None):
    return np.array([float(v) for v in evaluate_mp(op, P, T, values=values)])


def test_kinds_member_equals_and_serialises_as_its_value():
    for member, value in ((OperatorKind.SEPARABLE, "separable"), (OperatorKind.VECTOR, "vector")):
        assert member == value and value == member
        assert hash(member) == hash(value)
        assert str(member) == value and f"{member}" == value
        assert json.dumps({"kind": member}) == json.dumps({"kind": value})
        assert OperatorKind(value) is member
        assert pickle.loads(pickle.dumps(member)) is member


def test_kinds_member_reprs_as_its_value():
    assert repr(OperatorKind.VECTOR) == repr("vector") == "'vector'"
    assert repr(OperatorKind.SEPARABLE) == "'separable'"
    assert repr([OperatorKind.SEPARABLE]) == "['separable']"


def test_kinds_every_member_has_a_spec_of_its_own_kind():
    assert set(KIND_SPECS) == set(OperatorKind)
    for kind, spec in KIND_SPECS.items():
        assert spec.kind is kind


@pytest.mark.parametrize("op", library.ALL, ids=lambda op: op.name)
def test_kinds_spec_of_each_builtin_is_its_kinds_spec(op):
    spec = spec_of(op)
    assert spec is KIND_SPECS[op.kind]
    assert spec.kind == op.kind


def test_kinds_scope_is_full_for_separable_and_names_the_sizes_for_vector():
    for op in SEPARABLE:
        assert spec_of(op).scope(op) == "full"
    for op in VECTOR:
        assert spec_of(op).scope(op) == "V in {2, 3, 4, 5}"
    custom = vector(lambda p, T, ar: [ar.num(v) for v in p], name="ident", definition="p", sizes=(7, 3))
    assert spec_of(custom).scope(custom) == "V in {3, 7}"


def test_kinds_search_sizes_are_the_fixed_list_for_separable_and_the_declared_sizes_for_vector():
    assert SEPARABLE_SIZES == (2, 3, 4, 5, 8, 64, 1000)
    for op in SEPARABLE:
        assert spec_of(op).search_sizes(op) == SEPARABLE_SIZES
    for op in VECTOR:
        assert spec_of(op).search_sizes(op) == op.sizes == (2, 3, 4, 5)
    custom = vector(lambda p, T, ar: [ar.num(v) for v in p], name="ident", definition="p", sizes=(9, 2, 9))
    assert spec_of(custom).search_sizes(custom) == (2, 9)


@pytest.mark.parametrize("op", [library.power, library.hybrid, library.mixture, library.topk, library.sparsemax],
                         ids=lambda op: op.name)
@pytest.mark.parametrize("P,T", POINTS)
def test_kinds_float_F_agrees_with_evaluate_mp_and_apply(op, P, T):
    res = spec_of(op).float_F(op, P, T, {})
    assert isinstance(res, FloatF)
    assert res.values is not None and not res.nonpositive
    np.testing.assert_allclose(res.values, _mp_floats(op, P, T), rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(res.values, apply(op, [float(v) for v in P], float(T)), rtol=1e-9, atol=1e-14)


def test_kinds_float_F_uses_the_parameter_values():
    op = separable("x**(a/T)", params=[Param("a", lower=0, lower_closed=False)], name="pa")
    P, T = (Q(1, 2), Q(1, 3), Q(1, 6)), Q(2)
    for a in (Q(1, 2), Q(3)):
        res = spec_of(op).float_F(op, P, T, {"a": a})
        np.testing.assert_allclose(res.values, _mp_floats(op, P, T, {"a": a}), rtol=1e-9)
    assert not np.allclose(spec_of(op).float_F(op, P, T, {"a": Q(1, 2)}).values,
                           spec_of(op).float_F(op, P, T, {"a": Q(3)}).values)


def test_kinds_float_F_of_a_score_nonpositive_somewhere_sets_nonpositive():
    op = separable("x - 1/5", name="shifted")
    P = (Q(7, 10), Q(1, 5), Q(1, 10))  # scores 1/2, 0, -1/10: no log g, F = g / sum g
    res = spec_of(op).float_F(op, P, Q(1), {})
    assert res.nonpositive
    np.testing.assert_allclose(res.values, [1.25, 0.0, -0.25], atol=1e-12)
    assert np.isnan(float_log_scores(op, np.array([0.7, 0.2, 0.1]), np.float64(1.0), 3, {})[2])


def test_kinds_float_F_of_negative_scores_at_small_T_is_taken_from_log_minus_g():
    """Every score < 0 (``(T - 3) < 0``): F = |g| / sum |g|, computed from log(-g), where g itself
    underflows to 0 at T = 1/8192 (g / sum g would be 0/0); the product sheds x**(1/T) in the log."""
    op = separable("x**(1/T)*(T - 3)", name="negative_below_3")
    P, T = (Q(1, 2), Q(1, 2) - Q(1, 10**6), Q(1, 10**6)), Q(1, 8192)
    res = spec_of(op).float_F(op, P, T, {})
    assert res.nonpositive
    ref = spec_of(library.power).float_F(library.power, P, T, {}).values
    assert res.values is not None and np.isfinite(res.values).all() and res.values[0] > res.values[1] > 0
    np.testing.assert_allclose(res.values, ref, rtol=1e-9)
    xs = np.array([float(v) for v in P])
    assert np.isfinite(float_log_neg_scores(op, xs, np.float64(float(T)), 3, {})).all()
    assert np.isnan(float_log_scores(op, xs, np.float64(float(T)), 3, {})).all()
    # signs mixed (x - 1/5): log(-g) is NaN at the positive scores, F stays g / sum g
    assert np.isnan(float_log_neg_scores(separable("x - 1/5"), np.array([0.7, 0.1]), np.float64(1.0), 2, {})[0])


def test_kinds_float_F_with_a_zero_normaliser_has_no_values():
    op = separable("x - 1/3", name="shifted3")
    res = spec_of(op).float_F(op, (Q(7, 10), Q(1, 5), Q(1, 10)), Q(1), {})  # scores sum to 0
    assert res.nonpositive and res.values is None


def test_kinds_float_F_of_a_positive_score_does_not_set_nonpositive():
    res = spec_of(library.power).float_F(library.power, (Q(1, 2), Q(1, 2)), Q(1, 1000), {})
    assert not res.nonpositive
    np.testing.assert_allclose(res.values, [0.5, 0.5])


def test_kinds_sample_size_caps_separable_sizes_above_8_into_2_to_5():
    sample = spec_of(library.power).sample_size
    r = random.Random(0)
    for Vn in (64, 1000, 9):
        drawn = {sample(Vn, r) for _ in range(200)}
        assert drawn == {2, 3, 4, 5}
    for Vn in (2, 3, 5, 8):
        assert sample(Vn, r) == Vn


def test_kinds_sample_size_of_vector_operators_is_the_drawn_size():
    sample = spec_of(library.topk).sample_size
    r = random.Random(0)
    assert [sample(Vn, r) for Vn in (2, 5, 64)] == [2, 5, 64]


def test_kinds_spec_of_an_unknown_kind_raises_keyerror_naming_the_kinds():
    odd = dataclasses.replace(library.power, kind="quantum")
    with pytest.raises(KeyError) as info:
        spec_of(odd)
    msg = str(info.value)
    assert "'quantum'" in msg and "'power'" in msg
    assert "separable" in msg and "vector" in msg
