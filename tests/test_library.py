"""The built-in library (:mod:`skd.operators.library`): names, kinds and declared properties of
every built-in, ``get``, the explicit limit functions (they must agree with the operator
evaluated at tiny and huge ``T``), and the vector algorithms (top-k ties to the lower index,
sparsemax/entmax15 against their defining optimisation conditions). The kernels are pinned in
``test_kernels.py``, the verdicts in ``verify/data/expected_matrix.json``."""

from __future__ import annotations

from fractions import Fraction as Q
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skd.operators import InvalidArgument, library
from skd.operators.arith import ArbArith, FloatArith, MpArith
from skd.operators.evaluate import evaluate_in, evaluate_mp

NAMES = ["power", "power_T2", "hybrid", "mixture", "laplace", "topk", "sparsemax", "entmax15"]
SEPARABLE = {"power", "power_T2", "hybrid", "mixture", "laplace"}
WITH_LIMITS = [op.name for op in library.ALL if op.cold_limit is not None]

rows = st.lists(st.integers(0, 20), min_size=2, max_size=5).filter(lambda w: sum(w) > 0).map(lambda w: [Q(v, sum(w)) for v in w])


def test_library_all_lists_the_builtins_in_order_and_get_returns_each() -> None:
    assert [op.name for op in library.ALL] == NAMES
    assert all(library.get(name) is op for name, op in zip(NAMES, library.ALL, strict=True))
    assert all(getattr(library, name) is library.get(name) for name in NAMES)


def test_library_get_unknown_name_lists_the_choices() -> None:
    with pytest.raises(InvalidArgument, match=r"no built-in operator of that name; choose from \['entmax15', 'hybrid'") as err:
        library.get("softmax")
    assert err.value.argument == "name" and err.value.value == "softmax"


@pytest.mark.parametrize("name", NAMES)
def test_library_builtins_declare_kind_kernel_doc_and_reference(name: str) -> None:
    op = library.get(name)
    assert op.kind == ("separable" if name in SEPARABLE else "vector")
    assert op.kernel is not None and op.kernel.__name__ == f"{name}_kernel"
    assert op.doc and op.reference and op.params == () and op.obligations == ()
    if op.kind == "vector":
        assert op.sizes == library.VECTOR_SIZES == (2, 3, 4, 5) and op.order_based
    assert len({o.hash for o in library.ALL}) == len(NAMES)


def test_library_limit_functions_are_declared_for_all_but_sparsemax_and_entmax15() -> None:
    assert WITH_LIMITS == ["power", "power_T2", "hybrid", "mixture", "laplace", "topk"]
    assert all((op.cold_limit is None) == (op.hot_limit is None) for op in library.ALL)


@pytest.mark.parametrize("name", ["power", "power_T2", "hybrid", "mixture", "laplace"])
def test_library_separable_builtins_fix_p_at_temperature_one(name: str) -> None:
    p = [Q(5, 8), Q(1, 4), Q(1, 8), Q(0)]
    assert evaluate_in(library.get(name), p, Q(1), MpArith(40)) == [MpArith(40).num(v) for v in p]


@pytest.mark.parametrize("name", ["mixture", "laplace"])
def test_library_mixture_type_builtins_are_the_identity_for_every_t_below_one(name: str) -> None:
    p = [Q(5, 8), Q(3, 8)]
    for t in (Q(1, 10**6), Q(1, 2), Q(99, 100)):
        assert evaluate_in(library.get(name), p, t, MpArith(40)) == [MpArith(40).num(v) for v in p]


def test_library_laplace_is_a_reparametrisation_of_mixture() -> None:
    # lambda = 1/(1 + (T-1)^2) for laplace; mixture at T' = 1/lambda has the same output
    p, t = [Q(3, 5), Q(1, 5), Q(1, 5)], Q(5, 2)
    mp = MpArith(50)
    lap = evaluate_in(library.laplace, p, t, mp)
    mix = evaluate_in(library.mixture, p, 1 + (t - 1) ** 2, mp)
    assert all(abs(a - b) < mp.num(Q(1, 10**45)) for a, b in zip(lap, mix, strict=True))


# -- the limit functions agree with the operators -------------------------------------------


@settings(max_examples=30, deadline=None)
@given(rows)
@pytest.mark.parametrize("name", WITH_LIMITS)
def test_library_cold_and_hot_limits_agree_with_the_operator_at_extreme_temperatures(name: str, p: list[Q]) -> None:
    op = library.get(name)
    if op.kind == "vector" and len(p) not in op.sizes:
        return
    mp = MpArith(30)
    cold = [float(v) for v in evaluate_in(op, p, Q(1, 10**6), mp)]
    hot = [float(v) for v in evaluate_in(op, p, Q(10**9), mp)]
    # the gaps between distinct entries are >= 1/400 of the row, so T = 1e-6 is deep in the cold
    # regime and T = 1e9 deep in the hot one (convergence there is O(1/T) for the mixtures, O(log/T) for powers)
    np.testing.assert_allclose(cold, op.cold_limit(np.array([float(v) for v in p])), atol=1e-6)
    np.testing.assert_allclose(hot, op.hot_limit(np.array([float(v) for v in p])), atol=1e-6)


def test_library_limit_functions_on_batches_are_row_by_row() -> None:
    batch = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5], [0.4, 0.4, 0.2]])
    np.testing.assert_array_equal(library.uniform_on_argmax(batch), [[0.5, 0.5, 0], [0, 0, 1], [0.5, 0.5, 0]])
    np.testing.assert_array_equal(library.uniform_on_support(batch), [[0.5, 0.5, 0], [1 / 3] * 3, [1 / 3] * 3])
    np.testing.assert_array_equal(library.uniform_on_all(batch), np.full((3, 3), 1 / 3))
    copy = library.identity_limit(batch)
    assert copy is not batch and (copy == batch).all()


def test_library_topk_limits_break_ties_to_the_lower_index_and_skip_zeros() -> None:
    p = np.array([[0.25, 0.25, 0.25, 0.25], [0.6, 0.4, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.2, 0.4, 0.4, 0.0]])
    np.testing.assert_array_equal(library.topk_hot_limit(p), [[0.5, 0.5, 0, 0], [0.5, 0.5, 0, 0], [1, 0, 0, 0], [0, 0.5, 0.5, 0]])
    np.testing.assert_array_equal(library.topk_cold_limit(p), [[0.5, 0.5, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [0, 0.5, 0.5, 0]])


# -- topk ------------------------------------------------------------------------------------


def test_library_topk_keeps_the_two_largest_with_ties_to_the_lower_index() -> None:
    mp = MpArith(30)
    out = library.topk_algorithm([Q(1, 4)] * 4, Q(1), mp)
    assert out == [mp.num(Q(1, 2)), mp.num(Q(1, 2)), 0, 0]
    out = library.topk_algorithm([Q(1, 5), Q(2, 5), Q(1, 5), Q(1, 5)], Q(1), mp)
    assert [float(v) for v in out] == [1 / 3, 2 / 3, 0, 0]  # the tie among the 1/5s goes to index 0


def test_library_topk_zero_entries_are_never_kept_and_k_is_a_parameter() -> None:
    ar = FloatArith()
    assert library.topk_algorithm([1.0, 0.0, 0.0], 2.0, ar) == [1.0, 0.0, 0.0]
    assert library.topk_algorithm([0.5, 0.3, 0.2], 1.0, ar, k=3) == pytest.approx([0.5, 0.3, 0.2])
    assert library.topk_algorithm([0.5, 0.3, 0.2], 1.0, ar, k=1) == [1.0, 0.0, 0.0]


@given(rows, st.sampled_from([Q(1, 7), Q(1), Q(3)]))
def test_library_topk_is_power_on_the_kept_pair(p: list[Q], t: Q) -> None:
    mp = MpArith(40)
    out = library.topk_algorithm(p, t, mp)
    kept = sorted(range(len(p)), key=lambda i: (-p[i], i))[:2]
    kept = [i for i in kept if p[i] > 0]
    sub = evaluate_in(library.power, [p[i] for i in kept], t, mp) if len(kept) == 2 else [mp.num(1)]
    for i in range(len(p)):
        want = sub[kept.index(i)] if i in kept else 0
        assert abs(out[i] - want) < mp.num(Q(1, 10**35))


@pytest.mark.parametrize("t", [Q(1, 3), 1 / 3])
def test_library_vector_algorithms_accept_exact_and_float_temperatures(t: Any) -> None:
    p = [Q(1, 2), Q(1, 3), Q(1, 6)]
    for algo in (library.topk_algorithm, library.sparsemax_algorithm, library.entmax15_algorithm):
        exact = [float(v) for v in algo(p, Q(1, 3), MpArith(30))]
        assert [float(v) for v in algo(p, t, MpArith(30))] == pytest.approx(exact, abs=1e-15)
        assert algo([float(v) for v in p], float(t), FloatArith()) == pytest.approx(exact, abs=1e-12)


# -- sparsemax and entmax15: their defining conditions -------------------------------------


def _z(p: list[Q], t: Q) -> list[float]:
    return [float(np.log(float(v))) / float(t) if v > 0 else -np.inf for v in p]


@settings(deadline=None)
@given(rows, st.sampled_from([Q(1, 5), Q(1, 2), Q(1), Q(4)]))
def test_library_sparsemax_is_the_euclidean_projection_of_log_p_over_t(p: list[Q], t: Q) -> None:
    out = [float(v) for v in library.sparsemax_algorithm(p, t, MpArith(40))]
    z = _z(p, t)
    assert abs(sum(out) - 1) < 1e-12 and min(out) >= 0
    support = [i for i, v in enumerate(out) if v > 0]
    tau = z[support[0]] - out[support[0]]
    for i, (zi, oi) in enumerate(zip(z, out, strict=True)):  # KKT: out_i = max(z_i - tau, 0)
        assert oi == pytest.approx(max(zi - tau, 0.0), abs=1e-9), i


@settings(deadline=None)
@given(rows, st.sampled_from([Q(1, 5), Q(1, 2), Q(1), Q(4)]))
def test_library_entmax15_satisfies_its_threshold_form(p: list[Q], t: Q) -> None:
    out = [float(v) for v in library.entmax15_algorithm(p, t, MpArith(40))]
    u = [zi / 2 for zi in _z(p, t)]
    assert abs(sum(out) - 1) < 1e-12 and min(out) >= 0
    support = [i for i, v in enumerate(out) if v > 0]
    tau = u[support[0]] - np.sqrt(out[support[0]])
    for i, (ui, oi) in enumerate(zip(u, out, strict=True)):  # out_i = max(u_i - tau, 0)^2
        assert oi == pytest.approx(max(ui - tau, 0.0) ** 2, abs=1e-9), i


def test_library_sparsemax_sends_small_entries_to_exactly_zero() -> None:
    out = library.sparsemax_algorithm([Q(98, 100), Q(1, 100), Q(1, 100)], Q(1, 4), ArbArith(200))
    assert out[1].is_zero() and out[2].is_zero() and out[0].contains(1)


def test_library_vector_algorithms_in_arb_enclose_the_mp_reference() -> None:
    p, t = [Q(1, 2), Q(3, 10), Q(1, 5)], Q(3, 2)
    for op in (library.topk, library.sparsemax, library.entmax15):
        balls = evaluate_in(op, p, t, ArbArith(200))
        ref = evaluate_mp(op, p, t, dps=60)
        for b, r in zip(balls, ref, strict=True):
            assert abs(float(b.mid()) - float(r)) < 1e-15 and b.rad() < 1e-50


@pytest.mark.parametrize("name", ["topk", "sparsemax", "entmax15"])
def test_library_vector_algorithms_are_permutation_equivariant_without_ties(name: str) -> None:
    algo = library.get(name).algorithm
    p = [Q(1, 10), Q(5, 10), Q(3, 10), Q(1, 10) + Q(1, 10)]
    perm = [2, 0, 3, 1]
    a = algo(p, Q(2), MpArith(40))
    b = algo([p[i] for i in perm], Q(2), MpArith(40))
    assert [b[k] for k in range(4)] == [a[i] for i in perm]
