"""Adversarial tests of the vector kernel's proofs by theorem (skd.verify.kernel_vector).

Each test failed while the hole it names was open (something false accepted); they pin the fix.

Hole found (adversarial review of the theorem stage): an operator's content hash (``Operator.hash``) records a closed-over object whose
``repr`` is an address by its ``id`` ("keeps two different objects apart in one process"); but
CPython reuses the id of a freed object for the next object of the same size. Two operators
built one after the other from the same factory, over two *different* configuration objects
(the first dropped before the second is made), then share one content hash although their
algorithms compute different maps. Everything keyed by the hash then hands the second operator
the first one's verdicts without checking it: the kernel's ``_INSTANTIATED`` cache in
``_instantiate`` (the instantiation of V.6 is "re-checked" for an algorithm that is not
sparsemax), and ``prove``'s memo (``well_defined`` "proved" for outputs summing to 2).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from skd.operators import vector
from skd.operators.arith import MpArith
from skd.operators.library import sparsemax_algorithm
from skd.theory.axioms import PROFILES
from skd.verify.kernel import KernelRejection
from skd.verify.kernel_vector import _instantiate
from skd.verify.prove import prove


class _Cfg:
    """A configuration object with the default (address) repr, like most user objects."""

    __slots__ = ("mode",)

    def __init__(self, mode: str) -> None:
        self.mode = mode


def _make(cfg: _Cfg):
    def alg(p, T, ar):
        out = sparsemax_algorithm(p, T, ar)
        if cfg.mode == "swap":  # not sparsemax: the first two outputs exchanged
            out[0], out[1] = out[1], out[0]
        elif cfg.mode == "double":  # not a distribution: the outputs sum to 2
            out = [o + o for o in out]
        return out
    return alg


def _declare(cfg: _Cfg):
    return vector(_make(cfg), name="configured", definition="sparsemax, configured", sizes=(2, 3))


def _sparsemax_mp(p, T):
    """sparsemax(log p / T) at 50 digits, tau by bisection on sum (z_i - tau)_+ = 1."""
    with mpmath.workdps(50):
        z = [mpmath.log(mpmath.mpf(x.numerator) / x.denominator) / T for x in p]
        lo, hi = min(z) - 1, max(z)
        for _ in range(400):
            mid = (lo + hi) / 2
            if sum(max(zi - mid, 0) for zi in z) > 1:
                lo = mid
            else:
                hi = mid
        return [max(zi - lo, 0) for zi in z]


def _run(op, p, T):
    ar = MpArith(50)
    return [mpmath.mpf(v) for v in op.algorithm([Fraction(x) for x in p], Fraction(T), ar)]


def _rounds(mode: str, use_first, rounds: int = 12):
    """Declare an honest operator, use it (``use_first``), drop it and its configuration, then
    declare ``mode`` operators over fresh configurations (one of which CPython would place at the
    freed object's address): yields (the first hash, the new operators)."""
    for _ in range(rounds):
        cfg = _Cfg("honest")
        op = _declare(cfg)
        h1 = op.hash
        use_first(op)
        del op, cfg
        yield h1, [_declare(_Cfg(mode)) for _ in range(8)]


def test_instantiation_cache_is_not_fooled_by_a_reused_object_id():
    """Was a hole: ``_instantiate`` caches its verdict by ``(op.hash, form, sizes)``, and the hash
    of an operator closing over an object with an address repr recorded the object's id, which
    CPython reuses once the object is freed: an operator that swaps F_0 and F_1 got the honest
    one's "computes the sparsemax map". Witness (50 digits): p = (7/10, 3/10), T = 1: the
    swapping algorithm gives F_0 = 0.0763..., sparsemax 0.9236... Fixed by keeping every object
    fingerprinted by identity alive (``skd.operators.declare._KEPT_BY_ID``)."""
    got, want = None, _sparsemax_mp([Fraction(7, 10), Fraction(3, 10)], 1)
    for h1, ops in _rounds("swap", lambda op: _instantiate(op, "sparsemax")):
        assert all(op.hash != h1 for op in ops), "a dropped operator's hash was reused"
        got = _run(ops[0], ("7/10", "3/10"), 1)
        with pytest.raises(KernelRejection):
            _instantiate(ops[0], "sparsemax")
    assert got is not None and abs(got[0] - want[0]) > mpmath.mpf("0.8")  # the swapped ones are not sparsemax


def test_prove_memo_does_not_serve_a_proof_to_a_colliding_operator():
    """Was a hole (the same collision, outside the kernel): ``prove`` memoises by content hash,
    so an operator whose outputs sum to 2 got the honest one's ``well_defined`` proof.
    Witness (50 digits): p = (7/10, 3/10), T = 1: F_0 + F_1 = 2."""
    for h1, ops in _rounds("double", lambda op: prove("well_defined", op, PROFILES["paper"]), rounds=4):
        assert all(op.hash != h1 for op in ops), "a dropped operator's hash was reused"
        got = _run(ops[0], ("7/10", "3/10"), 1)
        assert abs(sum(got) - 2) < mpmath.mpf(10) ** -45  # not a distribution
        assert prove("well_defined", ops[0], PROFILES["paper"]).status != "proved"


def test_instantiation_rejects_an_algorithm_that_does_not_relabel_like_the_builtins():
    """The instantiation runs the algorithm symbolically on one order class per sequence of block
    sizes (blocks of consecutive indices, so ``p_0`` is always a largest entry there) and relies on
    Lemma V.0 (the pinned built-ins relabel with their order classes) for the other classes. An
    algorithm that is sparsemax except where ``p_2 > p_0`` (outputs 0 and 2 exchanged there) is
    never wrong on those representatives: only the spot check of V.0 on every other class can
    catch it. Witness: p = (1/6, 1/3, 1/2), T = 1 gives F_0 > F_2."""
    def alg(p, T, ar):
        out = sparsemax_algorithm(p, T, ar)
        if ar.gt(p[2], p[0]):
            out[0], out[2] = out[2], out[0]
        return out

    op = vector(alg, name="swap_when_2_beats_0", definition="sparsemax, 0 and 2 exchanged when p_2 > p_0", sizes=(3,))
    got = _run(op, ("1/6", "1/3", "1/2"), 1)
    assert got[0] > got[2]  # not order-preserving, not sparsemax
    with pytest.raises(KernelRejection, match="does not relabel like the built-ins"):
        _instantiate(op, "sparsemax")
