"""Shrinking (:mod:`skd.verify.shrink`): simpler rationals and probability vectors, each step
approved by an ``accept`` predicate (a re-certification), so nothing rejected is ever returned;
and the smaller vectors proposed for separable operators.
"""

from __future__ import annotations

from fractions import Fraction as Q

from hypothesis import given, settings
from hypothesis import strategies as st

from skd.verify.shrink import (
    index_reductions,
    pair_reductions,
    shrink_vector,
    simple_entries,
    simple_temperatures,
    simplify_fraction,
)


def _complexity(q: Q) -> int:
    return max(abs(q.numerator), q.denominator).bit_length()


def test_shrink_simplify_fraction_finds_the_simplest_accepted_value():
    assert simplify_fraction(Q(333, 1000), lambda c: abs(c - Q(1, 3)) < Q(1, 100)) == Q(1, 3)
    assert simplify_fraction(Q(7, 3), lambda c: True) == Q(2)
    assert simplify_fraction(Q(12345, 100000), lambda c: Q(1, 10) < c < Q(1, 8)) == Q(6, 49)


def test_shrink_simplify_fraction_returns_q_when_nothing_is_accepted():
    calls: list[Q] = []

    def reject(c: Q) -> bool:
        calls.append(c)
        return False

    assert simplify_fraction(Q(12345, 100000), reject, prefer=[Q(1, 8)]) == Q(12345, 100000)
    assert calls and Q(12345, 100000) not in calls and len(calls) == len(set(calls))
    assert simplify_fraction(Q(5), lambda c: True) == Q(5)  # an integer is as simple as it gets


def test_shrink_simplify_fraction_tries_preferred_values_first_and_only_simpler_ones():
    calls: list[Q] = []

    def accept(c: Q) -> bool:
        calls.append(c)
        return c < Q(1, 2)

    assert simplify_fraction(Q(12345, 100000), accept, prefer=[Q(1, 2), Q(123451, 1000000), Q(1, 8), Q(1, 10)]) == Q(1, 8)
    assert calls == [Q(1, 2), Q(1, 8)]  # 123451/10**6 is not simpler than q: skipped


@settings(max_examples=60, deadline=None)
@given(st.fractions(min_value=Q(1, 10**6), max_value=1 - Q(1, 10**6), max_denominator=10**7),
       st.fractions(min_value=Q(1, 10**4), max_value=Q(1, 10), max_denominator=10**4))
def test_shrink_simplify_fraction_result_is_accepted_and_no_more_complex(q, width):
    def accept(c: Q) -> bool:
        return abs(c - q) <= width

    out = simplify_fraction(q, accept, prefer=simple_entries(q))
    assert out == q or accept(out)
    assert _complexity(out) <= _complexity(q)


def test_shrink_vector_simplifies_entries_while_the_predicate_holds():
    assert shrink_vector([Q(301, 1000), Q(699, 1000)], lambda P: P[0] < P[1]) == [Q(1, 3), Q(2, 3)]
    seen: list[list[Q]] = []

    def accept(P: list[Q]) -> bool:
        seen.append(list(P))
        return P[0] > 2 * P[1]

    out = shrink_vector([Q(601, 1000), Q(123, 1000), Q(276, 1000)], accept)
    assert out == [Q(1, 2), Q(1, 5), Q(3, 10)] and out in seen


def test_shrink_vector_returns_the_input_when_every_step_is_rejected():
    P = [Q(601, 1000), Q(123, 1000), Q(276, 1000)]
    out = shrink_vector(P, lambda Q_: False)
    assert out == P and out is not P


def test_shrink_vector_keeps_the_requested_indices():
    out = shrink_vector([Q(601, 1000), Q(123, 1000), Q(276, 1000)], lambda P: True, keep=[0])
    assert out[0] == Q(601, 1000) and sum(out) == 1 and out[1] == Q(1, 3)


def test_shrink_vector_allows_zeros_only_on_the_closed_simplex():
    def zero_tail(P: list[Q]) -> bool:
        return P[-1] == 0

    P = [Q(999, 1000), Q(1, 1000)]
    assert shrink_vector(P, zero_tail) == P
    assert shrink_vector(P, zero_tail, open_simplex=False) == [Q(1), Q(0)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 1000), min_size=2, max_size=5), st.sampled_from(["order", "first_big", "sum_head"]))
def test_shrink_vector_never_returns_a_rejected_vector(w, rule):
    P = [Q(v, sum(w)) for v in w]
    order = sorted(range(len(P)), key=lambda k: (P[k], k))

    def accept(C: list[Q]) -> bool:
        if rule == "order":
            return sorted(range(len(C)), key=lambda k: (C[k], k)) == order
        if rule == "first_big":
            return C[0] >= P[0]
        return C[0] + C[1] <= P[0] + P[1]

    approved: list[list[Q]] = []

    def recording(C: list[Q]) -> bool:
        ok = accept(C)
        if ok:
            approved.append(list(C))
        return ok

    out = shrink_vector(P, recording)
    assert out == P or out in approved
    assert sum(out) == 1 and all(v > 0 for v in out)
    assert all(_complexity(out[k]) <= _complexity(P[k]) for k in range(len(P) - 1))


def test_shrink_pair_reductions_keep_both_entries_in_smaller_vectors():
    assert pair_reductions([Q(1, 2), Q(1, 4), Q(1, 8), Q(1, 8)], 0, 1) == [([Q(1, 2), Q(1, 4), Q(1, 4)], 0, 1)]
    assert pair_reductions([Q(1, 8), Q(1, 2), Q(1, 8), Q(1, 4)], 3, 1) == [([Q(1, 4), Q(1, 2), Q(1, 4)], 0, 1)]
    assert pair_reductions([Q(1, 2), Q(1, 2), Q(0), Q(0)], 0, 1) == [([Q(1, 2), Q(1, 2)], 0, 1)]
    assert pair_reductions([Q(1, 2), Q(1, 2)], 0, 1) == []  # V = 2 is already the smallest
    assert pair_reductions([Q(1, 2), Q(1, 4), Q(1, 4)], 0, 1) == []  # a V = 3 reduction would not be smaller


def test_shrink_index_reductions_keep_the_entry_in_smaller_vectors():
    assert index_reductions([Q(1, 2), Q(1, 2)], 0) == []
    assert index_reductions([Q(1, 2), Q(1, 4), Q(1, 4)], 1) == [([Q(1, 4), Q(3, 4)], 0)]
    out = index_reductions([Q(1, 2), Q(1, 4), Q(1, 8), Q(1, 8)], 1)
    assert out[0] == ([Q(1, 4), Q(3, 4)], 0)
    assert ([Q(1, 4), Q(1, 2), Q(1, 4)], 0) in out and ([Q(1, 4), Q(1, 8), Q(5, 8)], 0) in out
    for vec, i in out:
        assert vec[i] == Q(1, 4) and sum(vec) == 1 and len(vec) < 4


def test_shrink_simple_entries_and_temperatures_start_simple():
    entries = simple_entries(Q(1, 3))
    assert entries[0] == Q(1, 2) and all(0 < v < 1 for v in entries)
    temps = simple_temperatures(Q(7))
    assert temps[:3] == [Q(1), Q(2), Q(1, 2)]
    assert Q(8) in temps and all(t > 0 for t in temps)
