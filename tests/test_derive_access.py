"""``skd derive`` access topic: claims per operator, constants against independent computations.

Every number is recomputed here without the derivation code: exact ``Fraction`` arithmetic where
the operator is rational, mpmath at 50 digits otherwise.
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction as Q

import mpmath
import pytest


@pytest.fixture(autouse=True)
def _fifty_digits():
    """Every mpmath computation of this module at 50 digits (restored afterwards)."""
    with mpmath.workdps(50):
        yield

from skd.operators import library
from skd.verify.derivations import derive
from skd.verify.derivations.compare import parse_constant

P_REF = (Q(1, 2), Q(3, 10), Q(3, 20), Q(1, 20))


@pytest.fixture(scope="module")
def power():
    return derive(library.power, topics=["access"])


@pytest.fixture(scope="module")
def mixture():
    return derive(library.mixture, topics=["access"])


@pytest.fixture(scope="module")
def topk():
    return derive(library.topk, topics=["access"])


def _mpq(v):
    v = Q(v)
    return mpmath.mpf(v.numerator) / v.denominator


def _power_mp(p, t):
    s = [_mpq(v) ** (1 / _mpq(t)) for v in p]
    z = mpmath.fsum(s)
    return [si / z for si in s]


def _mixture_exact(p, t):
    lam = min(Q(1), 1 / Q(t))
    return [lam * v + (1 - lam) / len(p) for v in p]


def _statuses(d):
    return {c.id: c.status for c in d.claims}


def test_power_all_conclusions_established_except_dp_conditional(power):
    st = _statuses(power)
    for key in ("topk_commutation", "truncation_cost", "tail_mass_monotone", "zero_preservation", "invertibility"):
        assert st[f"{key}.conclusion"] == "established", key
    assert st["dp_post_processing.conclusion"] == "conditional"


def test_power_truncation_cost_values_match_theory_notes(power):
    pinned = {"1/2": ("0.068493", "0.070952"), "1": ("0.2", "0.223144"), "2": ("0.327434", "0.396655"),
              "4": ("0.409241", "0.526347")}
    tv = power.constant("truncation_cost.conclusion:TV")
    kl = power.constant("truncation_cost.conclusion:KL")
    assert [at["T"] for at, _ in tv.values] == list(pinned)
    for (at, tau), (_, cost) in zip(tv.values, kl.values):
        q = _power_mp(P_REF, Q(at["T"]))
        tau_ref = q[2] + q[3]
        assert abs(mpmath.mpf(tau) - tau_ref) < 1e-13
        assert abs(mpmath.mpf(cost) + mpmath.log(1 - tau_ref)) < 1e-13
        assert abs(float(tau) - float(pinned[at["T"]][0])) < 5e-7
        assert abs(float(cost) - float(pinned[at["T"]][1])) < 5e-7


def test_truncation_cost_identities_hold_for_power_at_T2():
    q = _power_mp(P_REF, 2)
    mass = q[0] + q[1]
    cond = [q[0] / mass, q[1] / mass, 0, 0]
    tau = q[2] + q[3]
    tv = mpmath.fsum(abs(a - b) for a, b in zip(q, cond)) / 2
    kl = mpmath.fsum(c * mpmath.log(c / qi) for c, qi in zip(cond, q) if c)
    assert abs(tv - tau) < 1e-40 and abs(kl + mpmath.log(1 - tau)) < 1e-40


@pytest.mark.slow  # the mixture's full derivation (~8-16 s): CI only, power covers the fast loop
def test_mixture_truncation_cost_values_exact(mixture):
    for at, tau in mixture.constant("truncation_cost.conclusion:TV").values:
        q = _mixture_exact(P_REF, Q(at["T"]))
        assert abs(Q(tau) - (q[2] + q[3])) < Q(1, 10**13)


def test_truncation_cost_constants_parse_back(power):
    for name in ("TV", "KL"):
        k = power.constant(f"truncation_cost.conclusion:{name}")
        j = k.to_json()
        assert parse_constant(j["expr"], j["symbols"]) == k.expr


@pytest.mark.slow  # the mixture's full derivation (~8-16 s): CI only, power covers the fast loop
def test_mixture_commutation_refuted_with_theory_notes_numbers(mixture):
    c = mixture.claim("topk_commutation.scale_invariant_ratio")
    assert c.status == "refuted"
    ce = c.counterexample
    assert ce["certified_by"] == "exact" and ce["T"] == "2" and ce["K"] == "0,1"
    # independent: lambda = 1/2, V = 2 after truncation, V = 4 before
    lhs = _mixture_exact([Q(5, 8), Q(3, 8)], 2)
    full = _mixture_exact(P_REF, 2)
    rhs = [full[0] / (full[0] + full[1]), full[1] / (full[0] + full[1])]
    assert lhs == [Q(9, 16), Q(7, 16)] and rhs == [Q(15, 26), Q(11, 26)]
    assert ce["lhs"]["exact"] == "9/16, 7/16" and ce["rhs"]["exact"] == "15/26, 11/26"
    assert abs(float(rhs[0]) - 0.576923) < 5e-7
    assert mixture.claim("topk_commutation.conclusion").status == "not_established"


@pytest.mark.slow  # the mixture's full derivation (~8-16 s): CI only, power covers the fast loop
def test_mixture_zero_preservation_refuted_exactly(mixture):
    ce = mixture.claim("zero_preservation.score_vanishes_at_zero").counterexample
    assert ce["certified_by"] == "exact" and ce["p"] == "1/2,1/2,0" and ce["T"] == "2"
    q = _mixture_exact([Q(1, 2), Q(1, 2), Q(0)], 2)
    assert q[2] == Q(1, 6) == (1 - Q(1, 2)) / 3  # (1 - lambda)/V
    assert ce["lhs"]["exact"] == "1/6"


@pytest.mark.slow  # the mixture's full derivation (~8-16 s): CI only, power covers the fast loop
def test_mixture_tail_monotone_and_invertibility_established(mixture):
    st = _statuses(mixture)
    assert st["tail_mass_monotone.conclusion"] == "established"
    assert st["invertibility.conclusion"] == "established"


@pytest.mark.slow  # the mixture's full derivation (~8-16 s): CI only, power covers the fast loop
def test_mixture_inverse_constant_inverts_exactly(mixture):
    inv = mixture.constant("invertibility.conclusion:inverse")
    import sympy as sp

    from skd.theory.access import Q_I
    from skd.theory.theorems import symbol

    for t in (Q(1, 2), Q(3)):
        q = _mixture_exact(P_REF, t)
        for qi, pi in zip(q, P_REF):
            val = inv.expr.subs({symbol("T"): sp.Rational(t.numerator, t.denominator), symbol("V"): 4,
                                 Q_I: sp.Rational(qi.numerator, qi.denominator)})
            assert val == sp.Rational(pi.numerator, pi.denominator)


def test_power_inverse_is_F_one_over_T(power):
    inv = power.constant("invertibility.conclusion:inverse")
    assert str(inv.expr) == "q_i**T/Z_q"
    assert any("F_{1/T}(F_T(p)) = p" in step for step in power.claim("invertibility.injective").certificate)
    q = _power_mp(P_REF, 3)
    back = _power_mp_raw(q, mpmath.mpf(1) / 3)
    assert max(abs(a - _mpq(b)) for a, b in zip(back, P_REF)) < 1e-45


def _power_mp_raw(q, t):
    s = [qi ** (1 / t) for qi in q]
    z = mpmath.fsum(s)
    return [si / z for si in s]


def test_topk_commutation_refuted_only_through_a_tie(topk):
    ce = topk.claim("topk_commutation.scale_invariant_ratio").counterexample
    assert "tie" in ce["statement"] and ce["certified_by"] == "exact"
    # independent: p = (2/5, 3/10, 3/10); topk keeps {0, 1}; K = {0, 2} is also a top-2 set
    assert ce["lhs"]["exact"] == "4/7, 3/7" and ce["rhs"]["exact"] == "1, 0"


def test_topk_not_injective_exact_collision(topk):
    c = topk.claim("invertibility.injective")
    assert c.status == "refuted" and "not injective" in c.counterexample["statement"]
    p1 = [Q(v) for v in c.counterexample["p"].split(",")]
    p2 = [Q(v) for v in c.counterexample["p2"].split(",")]
    assert p1 != p2

    def topk_exact(p):  # T = 1: keep the 2 largest, renormalise
        keep = sorted(range(len(p)), key=lambda i: (-p[i], i))[:2]
        m = sum(p[i] for i in keep)
        return [p[i] / m if i in keep else Q(0) for i in range(len(p))]

    assert c.counterexample["T"] == "1" and topk_exact(p1) == topk_exact(p2)
    assert topk.claim("invertibility.conclusion").status == "not_established"


def test_topk_truncation_values_zero_for_top2(topk):
    assert all(v == "0" for _, v in topk.constant("truncation_cost.conclusion:TV").values)


@pytest.mark.slow  # proves the vector operator's well_defined on V <= 5 (6-15 s): CI runs it
def test_sparsemax_commutation_refuted_by_arb_and_reproduces():
    d = derive(library.sparsemax, topics=["access"])
    ce = d.claim("topk_commutation.scale_invariant_ratio").counterexample
    assert ce["certified_by"] == "arb"
    out = subprocess.run([sys.executable, "-c", ce["reproduce"]], capture_output=True, text=True, timeout=60).stdout
    lhs_text, rhs_text = out.split("] [")
    lhs0 = float(lhs_text.split("'")[1])
    rhs0 = float(rhs_text.split("'")[1])
    assert abs(lhs0 - rhs0) > 1e-3
    assert d.claim("invertibility.injective").status == "refuted"


def test_dp_post_processing_is_conditional_on_the_release(power):
    c = power.claim("dp_post_processing.dp_release")
    assert c.role == "assumption"
    assert power.claim("dp_post_processing.conclusion").reason == "conditional on dp_post_processing.dp_release"
