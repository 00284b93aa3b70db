"""Jumps of a user's algorithm in T at an irrational temperature (Theorem V.3''' of
docs/theory/vector.md): certified by running the algorithm over a whole segment of T at once with
its one open comparison answered both ways, re-derived by ``skd recheck`` with its own arithmetic.

Pinned here: the corpus's ``large_gap_flips_sign`` (a flip at log(p_max / p_min) / T = 30) is
refuted and rechecked; a segment that holds no jump, a steep continuous map, an algorithm that
catches a refusal and goes on, and a step hidden in ``ar.func`` are never certified; tampered
certificates (segment, answer, entry, enclosure, another operator) fail the recheck.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import pytest

from skd.operators import vector
from skd.verify import certify as C
from skd.verify.recheck import recheck_counterexample

from .vector_corpus import large_gap_flips_sign, temperature_scaling

P = [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
T_STAR = math.log(2) / 30   # the flip of large_gap_flips_sign at P: log(1/2 / (1/4)) / T = 30


def _op(alg, name="seg"):
    return vector(alg, name=name, definition=f"test: {name}", sizes=(2, 3))


def _around(center: float, half: Fraction) -> tuple[Fraction, Fraction]:
    c = Fraction(center).limit_denominator(10**15)
    return c - half, c + half


@pytest.fixture(scope="module")
def jump():
    op = _op(large_gap_flips_sign, "large_gap")
    lo, hi = _around(T_STAR, Fraction(1, 10**9))
    notes: list[str] = []
    ce = C.certify_T_segment_jump(op, P, lo, hi, notes=notes)
    assert ce is not None, notes
    return op, ce


def test_a_jump_at_an_irrational_temperature_is_certified_and_rechecked(jump):
    op, ce = jump
    assert "V.3'''" in ce.certified_by and ce.T2 is not None and ce.i == 0
    ok, msg = recheck_counterexample(op, "continuity", ce)
    assert ok, msg


def test_the_checker_refutes_the_corpus_flip_in_T_and_recheck_agrees():
    from skd.verify.checker import check_axiom

    op = _op(large_gap_flips_sign, "large_gap")
    v = check_axiom(op, "continuity", timeout=20)
    assert v.status == "refuted" and "V.3'''" in v.counterexample.certified_by, (v.status, v.reason)
    ok, msg = recheck_counterexample(op, "continuity", v.counterexample)
    assert ok, msg


def test_a_segment_without_the_jump_is_not_certified():
    op = _op(large_gap_flips_sign, "large_gap")
    lo, hi = _around(T_STAR * 1.01, Fraction(1, 10**9))   # 1 % off the flip: no open comparison
    notes: list[str] = []
    assert C.certify_T_segment_jump(op, P, lo, hi, notes=notes) is None
    assert notes


def _steep(p, T, ar):
    """Temperature scaling mixed with a steep but continuous tanh step in T: never a jump."""
    s = [ar.pow(ar.num(v), ar.num(1) / T) for v in p]
    tot = s[0]
    for v in s[1:]:
        tot = tot + v
    w = (ar.func("tanh", (T - ar.num(Fraction(1, 43))) * ar.num(10**9)) + ar.num(1)) / ar.num(2)
    n = ar.num(len(p))
    return [(ar.num(1) - w) * v / tot + w / n for v in s]


def _catching(p, T, ar):
    """The flip decided by a Python comparison caught when refused: a path no arithmetic chose."""
    out = temperature_scaling(p, T, ar)
    gap = ar.log(ar.num(max(p))) - ar.log(ar.num(min(p)))
    try:
        flip = bool(gap / T > ar.num(30))
    except TypeError:
        flip = True
    if flip:
        out[0], out[-1] = out[0] + out[-1] + ar.num(1), ar.num(-1)
    return out


def _floor_step(p, T, ar):
    """A step hidden in ar.func("floor"): a jump, but not one the segment run may see through."""
    out = temperature_scaling(p, T, ar)
    out[0] = out[0] + ar.func("floor", T * ar.num(43))
    return out


@pytest.mark.parametrize("alg", [_steep, _catching, _floor_step], ids=["steep", "catching", "floor"])
def test_no_segment_certificate_for_a_steep_map_a_caught_refusal_or_a_hidden_step(alg):
    lo, hi = _around(1 / 43, Fraction(1, 10**12))
    notes: list[str] = []
    assert C.certify_T_segment_jump(_op(alg), P, lo, hi, notes=notes) is None, notes


def _tampered(ce, **changes):
    return dataclasses.replace(ce, **changes)


def test_a_tampered_segment_certificate_fails_the_recheck(jump):
    op, ce = jump
    t1, t2 = Fraction(ce.T), Fraction(ce.T2)
    far = Fraction(T_STAR * 1.01).limit_denominator(10**15)
    moved = f"jump in T in [{far}, {far + (t2 - t1)}], the undecided comparison answered True at T1"
    flipped = ce.limit.replace("answered True", "answered False") if "True" in ce.limit else \
        ce.limit.replace("answered False", "answered True")
    for bad in (
        _tampered(ce, limit=moved, T=str(far), T2=str(far + (t2 - t1))),   # a segment with no jump in it
        _tampered(ce, limit=flipped),                                       # the ends in the wrong balls
        _tampered(ce, i=1),                                                 # an entry that does not jump
        _tampered(ce, T2=str(t2 + 1)),                                      # T2 no longer the segment's end
        _tampered(ce, lhs=ce.rhs, rhs=ce.lhs),                              # enclosures swapped
    ):
        ok, msg = recheck_counterexample(op, "continuity", bad)
        assert not ok, (bad.limit, msg)
    ok, msg = recheck_counterexample(_op(temperature_scaling, "continuous"), "continuity", ce)
    assert not ok, msg


# -- the adversarial review of 2026-12-08 ----------------------------------------------------------


def _bump(s, ar):
    try:
        return ar.sqrt((s - ar.num(30)) * (s - ar.num(30))) * ar.num(100)   # 100 |s - 30|
    except ArithmeticError:
        return ar.num(1)   # a "defensive" fallback: never taken in exact arithmetic


def _lazy_and_continuous(p, T, ar):
    """Continuous (temperature scaling + 100 max(s - 30, 0), s = log(max p / min p) / T), its outputs
    returned as a generator on one branch — whose catch of the arithmetic's exception came after the
    watched run's check, and let ``skd recheck`` accept a forged jump."""
    s = (ar.log(ar.num(max(p))) - ar.log(ar.num(min(p)))) / T
    out = temperature_scaling(p, T, ar)
    if ar.gt(ar.num(30), s):
        return out
    return (v + _bump(s, ar) for v in out)


def _lazy_catcher(p, T, ar):
    def outputs():
        for v in p:
            try:
                ar.log(ar.num(-1))   # raises in Arb: the run must not be trusted
            except Exception:  # noqa: BLE001 - the point of the test
                pass
            yield ar.num(v)
    return outputs()


def test_outputs_returned_lazily_are_computed_before_the_run_is_trusted():
    from skd.operators.arith import ArbArith, Undecided
    from skd.operators.evaluate import exact_algorithm

    with pytest.raises(Undecided, match="caught an exception of the arithmetic"):
        exact_algorithm(_op(_lazy_catcher, "lazy"))([Fraction(2, 3), Fraction(1, 3)], Fraction(1), ArbArith(64))


def test_recheck_refuses_a_forged_jump_of_a_continuous_map_with_lazy_outputs():
    real = _op(large_gap_flips_sign, "large_gap")
    P2 = [Fraction(2, 3), Fraction(1, 3)]
    lo = Fraction(math.log(2) / 30).limit_denominator(10**15) - Fraction(1, 10**10)   # the flip in the first
    hi = lo + Fraction(2, 10**9)                                                        # eighth of the segment
    ce = C.certify_T_segment_jump(real, P2, lo, hi)
    assert ce is not None and "answered True" in ce.limit
    # the lazy map compares the other way round (30 > s): its caught fallback is the "False" run
    forged = dataclasses.replace(ce, limit=ce.limit.replace("answered True", "answered False"))
    ok, msg = recheck_counterexample(_op(_lazy_and_continuous, "lazy"), "continuity", forged)
    assert not ok and "caught an exception" in msg, msg


def _fraction_outputs(p, T, ar):
    """The flip of large_gap_flips_sign with exact Python outputs on the flipped branch: a real jump."""
    out = temperature_scaling(p, T, ar)
    gap = ar.log(ar.num(max(p))) - ar.log(ar.num(min(p)))
    if ar.gt(gap / T, ar.num(30)):
        return [Fraction(2), Fraction(-1)] if len(p) == 2 else out
    return out


def _asserting(p, T, ar):
    """A sanity check that raises AssertionError on a branch the real map never takes."""
    out = large_gap_flips_sign(p, T, ar)
    if ar.gt(T * (ar.num(1) / T), ar.num(2)):
        raise AssertionError("unreachable")
    return out


def test_exact_outputs_are_rechecked_and_a_raising_branch_is_no_crash():
    P2 = [Fraction(2, 3), Fraction(1, 3)]
    lo, hi = _around(math.log(2) / 30, Fraction(1, 10**9))
    op = _op(_fraction_outputs, "fractions")
    ce = C.certify_T_segment_jump(op, P2, lo, hi)
    assert ce is not None
    ok, msg = recheck_counterexample(op, "continuity", ce)
    assert ok, msg
    C.certify_T_segment_jump(_op(_asserting, "asserting"), P2, lo, hi)   # a verdict or None, never a raise
