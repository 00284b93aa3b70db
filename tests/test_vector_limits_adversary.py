"""Adversarial review of the limit refutations of vector operators without a declared limit
function (commit b77adef: skd.verify.limits.vector_T_limit, Boundary._path_limits).

Every truth below is from the mathematics and confirmed in mpmath far past the evidence points
(T = 2^-128 / 2^128). The review found a real unsoundness, pinned by the two tests
``..._not_refuted_through_a_wrongly_settled_comparison`` (both failed before the fix): PathArith
settled a comparison of a *number* (at an exact p the entries are numbers) by SymPy's assumptions
(``is_nonnegative``), which SymPy 1.14 answers wrongly for a large nested-radical expression
(sympy/sympy#23874): the symbolic run then followed a branch the algorithm never takes, and the
evidence along T = 2^-k cannot see a path that changes only below T = 2^-200. Fixed: a number is
settled by its exact value or a rigorous Arb enclosure (``signs.number_sign``), else it is a branch.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction as Q

import mpmath
import pytest
import sympy as sp

from skd.operators import vector
from skd.operators.arith import MpArith
from skd.verify.checker import check_axiom
from skd.verify.limits import vector_T_limit
from skd.verify.recheck import recheck_counterexample

# e = 1 - A sqrt(b - C sqrt(b)) + D sqrt(b) sqrt(b - C sqrt(b)) at b = B is about -1.16e51
# (sympy/sympy#23874); SymPy 1.14 says e.is_zero and e.is_nonnegative are True.
_B = 9652701250000017396208892402806395371977754899142349065641
_C = 98248161560407925000000000000
_A = 3726985656870075933632585676626665727443256562997522729681207550256131726985036146524261121642393839070068657267408810000000000000000
_D = 37934406076174129492117921975836356817323541612455241263187339671076848147750000000000000000000000000000


def _tot(xs):
    t = xs[0]
    for v in xs[1:]:
        t = t + v
    return t


def _norm(xs):
    t = _tot(xs)
    return [x / t for x in xs]


def _d(p, ar):
    """B * (p_0 + ... + p_{V-1}) = B on the simplex: a number only once p is exact (in the
    order-class run it is a symbol sum, so a branch there)."""
    b = ar.num(_B) * _tot([ar.num(v) for v in p])
    rb = ar.sqrt(b)
    s = ar.sqrt(b - ar.num(_C) * rb)
    return ar.num(1) - ar.num(_A) * s + ar.num(_D) * rb * s


def _cold_alg(p, T, ar):
    """Uniform for T > 2^-200, temperature scaling below: cold limit = uniform on argmax (holds)."""
    V = len(p)
    if ar.ge(_d(p, ar), ar.num(0)) or ar.gt(T, ar.num(Q(1, 2**200))):  # the first is truly false
        return [ar.num(1) / ar.num(V) for _ in p]
    return _norm([ar.pow(ar.num(v), ar.num(1) / T) for v in p])


def _hot_alg(p, T, ar):
    """F = p for T <= 2^200, p^(2^200/T) normalised above: hot limit = uniform (holds, paper)."""
    if ar.ge(_d(p, ar), ar.num(0)) or not ar.gt(T, ar.num(2**200)):  # the first is truly false
        return [ar.num(v) for v in p]
    return _norm([ar.pow(ar.num(v), ar.num(2**200) / T) for v in p])


def test_the_constant_is_negative_and_sympy_says_otherwise():
    with mpmath.workdps(300):
        B, C, A, D = map(mpmath.mpf, (_B, _C, _A, _D))
        s = mpmath.sqrt(B - C * mpmath.sqrt(B))
        e = 1 - A * s + D * mpmath.sqrt(B) * s
        assert e < -1e51
    ar = MpArith(300)
    assert _d([Q(2, 3), Q(1, 3)], ar) < -1e51
    e_sym = sp.Integer(1) - _A * sp.sqrt(_B - _C * sp.sqrt(_B)) + _D * sp.sqrt(_B) * sp.sqrt(_B - _C * sp.sqrt(_B))
    # SymPy's wrong answer, the root of the false refutations the tests below pin as fixed
    assert e_sym.is_nonnegative in (True, None)


def test_true_limits_of_the_adversarial_operators_in_mpmath():
    ar = MpArith(400)
    P = [ar.num(Q(2, 3)), ar.num(Q(1, 3))]
    F8 = _cold_alg(P, ar.num(Q(1, 2**8)), ar)
    F300 = _cold_alg(P, ar.num(Q(1, 2**300)), ar)
    F2000 = _cold_alg(P, ar.num(Q(1, 2**2000)), ar)
    assert abs(F8[0] - 0.5) < 1e-100  # what the evidence sees
    assert abs(F300[0] - 1) < 1e-100 and abs(F2000[0] - 1) < 1e-100  # the true cold limit is [1, 0]
    H128 = _hot_alg(P, ar.num(Q(2**128)), ar)
    H2000 = _hot_alg(P, ar.num(Q(2**2000)), ar)
    assert abs(H128[0] - ar.num(Q(2, 3))) < 1e-100
    assert abs(H2000[0] - 0.5) < 1e-100  # the true hot limit is uniform


def test_cold_limit_not_refuted_through_a_wrongly_settled_comparison():
    op = vector(_cold_alg, name="adv_settle_cold", definition="adversarial", sizes=(2, 3))
    L = vector_T_limit(op, [Q(2, 3), Q(1, 3)], "cold")
    assert L is None or L == [1, 0]
    assert check_axiom(op, "boundary_cold", timeout=30).status != "refuted"


def test_hot_limit_not_refuted_through_a_wrongly_settled_comparison():
    op = vector(_hot_alg, name="adv_settle_hot", definition="adversarial", sizes=(2, 3))
    L = vector_T_limit(op, [Q(2, 3), Q(1, 3)], "hot")
    assert L is None or L == [Q(1, 2), Q(1, 2)]
    assert check_axiom(op, "boundary_hot", timeout=30).status != "refuted"


# ---- attacks that did not break it: pinned correct behaviour ---------------------------------------------------


def _tanh_sat(p, T, ar):  # tanh(p_i / T) -> 1 for every p_i > 0: cold limit uniform on the support
    return _norm([ar.func("tanh", ar.num(v) / T) for v in p])


def _mixed_exps(p, T, ar):  # p_i^((i+1)/T): at a tie the first entry dominates
    return _norm([ar.pow(ar.num(v), ar.num(i + 1) / T) for i, v in enumerate(p)])


def _first_two(p, T, ar):  # softmax of the first two entries, whatever their order; zeros elsewhere
    a, b = ar.pow(ar.num(p[0]), ar.num(1) / T), ar.pow(ar.num(p[1]), ar.num(1) / T)
    return [a / (a + b), b / (a + b)] + [ar.num(0) for _ in p[2:]]


def _osc_branch(p, T, ar):  # the branch taken near T = 0 changes infinitely often
    if ar.gt(ar.func("sin", ar.num(1) / T), ar.num(0)):
        return [ar.num(1) / ar.num(len(p)) for _ in p]
    return _norm([ar.pow(ar.num(v), ar.num(1) / T) for v in p])


def _zero_cond(p, T, ar):  # T * (log 6 - log 2 - log 3) is identically 0
    if ar.gt(T * (ar.log(ar.num(6)) - ar.log(ar.num(2)) - ar.log(ar.num(3))), ar.num(0)):
        return [ar.num(1) / ar.num(len(p)) for _ in p]
    return _norm([ar.pow(ar.num(v), ar.num(1) / T) for v in p])


def _sin2cos2(p, T, ar):  # sin(1/T)^2 + cos(1/T)^2 - 1 is identically 0
    x = ar.num(1) / T
    if ar.ge(ar.func("sin", x) * ar.func("sin", x) + ar.func("cos", x) * ar.func("cos", x) - ar.num(1), ar.num(0)):
        return _norm([ar.pow(ar.num(v), ar.num(1) / T) for v in p])
    return [ar.num(1) / ar.num(len(p)) for _ in p]


def _exp_exp(p, T, ar):  # exp(exp(1/T) log p_i) -> p_i as T -> oo
    return _norm([ar.exp(ar.exp(ar.num(1) / T) * ar.log(ar.num(v))) for v in p])


def _imaginary(p, T, ar):  # outputs sqrt(-1): no probability vector, never certified, no crash
    return [ar.sqrt(ar.num(-1)) for _ in p]


@pytest.mark.parametrize(("alg", "which", "profile", "P", "L"), [
    (_tanh_sat, "cold", "paper", [Q(2, 3), Q(1, 3)], [Q(1, 2), Q(1, 2)]),
    (_mixed_exps, "cold", "paper", [Q(1, 2), Q(1, 2)], [1, 0]),
    (_first_two, "cold", "closed", [Q(0), Q(1, 2), Q(1, 2)], [0, 1, 0]),
    (_first_two, "hot", "paper", [Q(1, 2), Q(1, 3), Q(1, 6)], [Q(1, 2), Q(1, 2), 0]),
    (_exp_exp, "hot", "paper", [Q(2, 3), Q(1, 3)], [Q(2, 3), Q(1, 3)]),
    (_osc_branch, "hot", "closed", [Q(1), Q(0)], [Q(1, 2), Q(1, 2)]),
])
def test_true_refutations_have_the_true_limit(alg, which, profile, P, L):
    op = vector(alg, name=f"adv_{alg.__name__.strip('_')}", definition="adversarial", sizes=(2, 3))
    assert vector_T_limit(op, P, which) == L
    v = check_axiom(op, f"boundary_{which}", timeout=20, profile=profile)
    assert v.status == "refuted"
    ok, why = recheck_counterexample(op, f"boundary_{which}", v.counterexample, profile=profile)
    assert ok, why


@pytest.mark.parametrize("alg", [_osc_branch, _zero_cond, _sin2cos2])
def test_undecidable_paths_give_no_cold_limit(alg):
    op = vector(alg, name=f"adv_{alg.__name__.strip('_')}", definition="adversarial", sizes=(2, 3))
    assert vector_T_limit(op, [Q(1, 2), Q(3, 10), Q(1, 5)], "cold") is None
    assert check_axiom(op, "boundary_cold", timeout=20).status != "refuted"


def test_imaginary_outputs_do_not_crash_or_refute():
    op = vector(_imaginary, name="adv_imaginary", definition="adversarial", sizes=(2, 3))
    for which in ("cold", "hot"):
        assert check_axiom(op, f"boundary_{which}", timeout=20).status != "refuted"


def test_recheck_rejects_a_tampered_limit():
    op = vector(_tanh_sat, name="adv_tanh_sat", definition="adversarial", sizes=(2, 3))
    ce = check_axiom(op, "boundary_cold", timeout=20).counterexample
    assert recheck_counterexample(op, "boundary_cold", ce)[0]
    for lim in ("[3/4, 1/4]", "[1, 0]", "[1/3, 1/3]"):
        bad = dataclasses.replace(ce, limit=f"lim_{{T->0+}} F_T(p) = {lim}")
        assert not recheck_counterexample(op, "boundary_cold", bad)[0]
