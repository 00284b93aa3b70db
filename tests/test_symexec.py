"""Symbolic execution of vector algorithms (verify/symexec.py), the first stage of issue 14's prover.

Each test names the behaviour it pins: the order classes are counted right; a run on an order
class answers the algorithm's input comparisons from the class; every derived comparison SymPy
cannot settle becomes a recorded branch; the pieces of a class cover it — at exact random points
of the class exactly one piece's conditions hold and its outputs equal the algorithm evaluated in
mpmath — for top-k, sparsemax and 1.5-entmax; ties and zeros; an algorithm that compares derived
values itself, or branches without end, is refused with a reason (never a wrong piece).
"""

from __future__ import annotations

import random
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from skd.operators.arith import MpArith
from skd.operators.library import entmax15_algorithm, sparsemax_algorithm, topk_algorithm
from skd.verify.symexec import T_SYMBOL, NotSymbolic, OrderClass, PathLimit, order_classes, pieces


def _point(order: OrderClass, rng: random.Random) -> tuple[list[Fraction], Fraction]:
    """An exact point of the order class: distinct values per group, decreasing, summing to 1."""
    raw = sorted({Fraction(rng.randint(1, 10**6), 10**6) for _ in range(4 * len(order.groups))}, reverse=True)
    vals = sorted(rng.sample(raw, len(order.groups)), reverse=True)
    p = [Fraction(0)] * order.V
    for v, g in zip(vals, order.groups, strict=True):
        for i in g:
            p[i] = v
    s = sum(p)
    p = [v / s for v in p]
    T = Fraction(rng.randint(1, 400), rng.randint(1, 100))
    return p, T


def _symbol_values(order: OrderClass, p: list[Fraction], T: Fraction) -> dict[sp.Symbol, sp.Expr]:
    vals = {order.symbol(k): sp.Rational(p[g[0]].numerator, p[g[0]].denominator) for k, g in enumerate(order.groups)}
    vals[T_SYMBOL] = sp.Rational(T.numerator, T.denominator)
    return vals


def test_order_classes_are_the_ordered_set_partitions():
    assert sum(1 for _ in order_classes(3)) == 13          # Fubini number
    assert sum(1 for _ in order_classes(4)) == 75
    assert sum(1 for _ in order_classes(3, ties=False)) == 6
    # with zeros: every proper subset of zeros, then the ordered partitions of the rest
    assert sum(1 for _ in order_classes(2, zeros=True)) == 3 + 1 + 1
    with pytest.raises(ValueError, match="partitions"):
        OrderClass(((0,), (0, 1)))


def test_topk_is_one_piece_per_order_class_with_no_branch():
    for order in order_classes(4, ties=False):
        (piece,) = pieces(topk_algorithm, order)
        assert piece.conditions == ()
        kept = [order.groups[0][0], order.groups[1][0]]
        for i, out in enumerate(piece.outputs):
            assert (out == 0) == (i not in kept)


@pytest.mark.parametrize(("algorithm", "V"), [(sparsemax_algorithm, 3), (sparsemax_algorithm, 4),
                                                (entmax15_algorithm, 3), (entmax15_algorithm, 4)])
def test_pieces_cover_the_class_and_agree_with_the_algorithm_in_mpmath(algorithm, V):
    rng = random.Random(f"{algorithm.__name__}/{V}")
    order = OrderClass(((2,), (0,), (1,), (3,))[:V]) if V == 4 else OrderClass(((2,), (0,), (1,)))
    ps = pieces(algorithm, order)
    assert len(ps) >= V  # one support size per piece at least: 1, 2, ..., V
    assert all(piece.conditions for piece in ps[1:]) or len(ps) == 1
    ar = MpArith(60)
    hit_sizes = set()
    for _ in range(25):
        p, T = _point(order, rng)
        vals = _symbol_values(order, p, T)
        holding = [piece for piece in ps if all(c.holds(vals) for c in piece.conditions)]
        undecided = [piece for piece in ps if any(c.holds(vals) is None for c in piece.conditions)]
        if undecided:
            continue  # a point on a piece boundary (to 25 digits): not a test of coverage
        assert len(holding) == 1, f"{len(holding)} pieces hold at p={p}, T={T}"
        want = algorithm(p, T, ar)
        got = [sp.N(o.xreplace(vals), 50) for o in holding[0].outputs]
        with mpmath.workdps(60):
            for w, g in zip(want, got, strict=True):
                assert abs(mpmath.mpf(str(g)) - w) < mpmath.mpf(10) ** -40, (p, T, w, g)
        hit_sizes.add(sum(1 for g in got if g != 0))
    assert len(hit_sizes) >= 2, f"the random points reached only support sizes {hit_sizes}"


def test_tied_entries_get_equal_outputs_in_every_piece():
    order = OrderClass(((0, 2), (1,)))
    for piece in pieces(sparsemax_algorithm, order):
        assert sp.simplify(piece.outputs[0] - piece.outputs[2]) == 0


def test_zero_entries_are_compared_exactly_and_get_zero():
    order = OrderClass(((1,), (2,)), zero=(0,))
    for algorithm in (topk_algorithm, sparsemax_algorithm, entmax15_algorithm):
        for piece in pieces(algorithm, order):
            assert piece.outputs[0] == 0


def test_an_algorithm_comparing_derived_values_itself_is_refused_with_the_reason():
    def bad(p, T, ar):
        s = ar.log(ar.num(p[0])) / T
        return [ar.num(1) if s > -1 else ar.num(0)] + [ar.num(0)] * (len(p) - 1)

    with pytest.raises(NotSymbolic, match="ar.gt"):
        pieces(bad, OrderClass.strict(3))


def test_floats_and_unknown_functions_are_refused():
    with pytest.raises(NotSymbolic, match="exact"):
        pieces(lambda p, T, ar: [ar.num(0.5)] * len(p), OrderClass.strict(2))
    with pytest.raises(NotSymbolic, match="gamma"):
        pieces(lambda p, T, ar: [ar.func("gamma", ar.num(p[0]))] * len(p), OrderClass.strict(2))


def test_too_many_paths_is_a_path_limit_not_a_partial_list():
    def branchy(p, T, ar):
        z = ar.log(ar.num(p[0])) / T
        for k in range(1, 8):
            ar.gt(z, ar.num(-k))
        return [ar.num(p[i]) for i in range(len(p))]

    assert len(pieces(branchy, OrderClass.strict(2))) == 2**7
    with pytest.raises(PathLimit, match="more than 100 paths"):
        pieces(branchy, OrderClass.strict(2), max_paths=100)


def test_a_comparison_sympy_settles_is_not_a_branch():
    def settled(p, T, ar):
        assert ar.gt(ar.num(2), ar.num(1)) and ar.ge(ar.sqrt(ar.num(2)), ar.num(Fraction(7, 5)))
        return [ar.num(p[i]) for i in range(len(p))]

    (piece,) = pieces(settled, OrderClass.strict(2))
    assert piece.conditions == () and piece.path == ()


def test_a_number_is_settled_by_its_exact_value_or_an_enclosure_else_it_is_a_branch():
    """Not by SymPy's assumptions: SymPy calls the nested-radical number below (about -1.2e51)
    non-negative (sympy/sympy#23874; tests/test_vector_limits_adversary.py), and the run took the
    branch ``>= 0`` as settled — now it is never settled that way (a 256-bit ball either places it
    below 0 or leaves a branch). A number exactly 0 that no ball can place, log(6) - log(2) - log(3),
    is recorded as a condition and both branches are followed."""
    from .test_vector_limits_adversary import _A, _B, _C, _D

    bad = sp.Integer(1) - _A * sp.sqrt(_B - _C * sp.sqrt(_B)) + _D * sp.sqrt(_B) * sp.sqrt(_B - _C * sp.sqrt(_B))
    assert bad.is_nonnegative in (True, None)  # what SymPy says (mpmath at 300 digits: below -1e51)

    def branch_on_bad(p, T, ar):
        if ar.ge(bad, ar.num(0)):
            return [ar.num(0)] * len(p)
        return [ar.num(p[i]) for i in range(len(p))]

    found = pieces(branch_on_bad, OrderClass.strict(2))
    assert all(pc.outputs[0] != 0 or pc.conditions for pc in found), "the false branch was taken as settled"

    def exact_zero(p, T, ar):
        if ar.gt(ar.log(ar.num(6)) - ar.log(ar.num(2)) - ar.log(ar.num(3)), ar.num(0)):
            return [ar.num(0)] * len(p)
        return [ar.num(p[i]) for i in range(len(p))]

    found = pieces(exact_zero, OrderClass.strict(2))
    assert len(found) == 2 and all(len(pc.conditions) == 1 and not pc.conditions[0].expr.free_symbols for pc in found)


def test_zero_to_a_power_not_certainly_positive_stops_the_run():
    """0**b is 0 only for b > 0 (the Arith contract; float and mpmath give 1 for b = 0): an algorithm
    raising a zero entry to the power 0 (or to a symbol of unknown sign) is not run symbolically."""
    def zero_power(p, T, ar):
        return [ar.pow(ar.num(p[i]), ar.num(0)) for i in range(len(p))]

    with pytest.raises(NotSymbolic, match="not certainly positive"):
        pieces(zero_power, OrderClass(((0,),), (1,)))
    (piece,) = pieces(lambda p, T, ar: [ar.pow(ar.num(v), ar.num(1) / T) for v in p], OrderClass(((0,),), (1,)))
    assert piece.outputs[1] == 0


@pytest.mark.parametrize("algorithm", [topk_algorithm, sparsemax_algorithm, entmax15_algorithm], ids=lambda a: a.__name__)
def test_every_piece_of_the_library_vector_operators_sums_to_one_identically(algorithm):
    # the sum-to-one half of well_defined, per piece, as an algebraic identity (entmax's pieces use
    # sqrt(delta)**2 = delta, valid because delta >= 0 is one of their path conditions)
    for V in (2, 3, 4):
        for piece in pieces(algorithm, OrderClass.strict(V)):
            assert sp.simplify(sum(piece.outputs) - 1) == 0, (V, piece.conditions, piece.outputs)
