"""Multi-stage derivations (``skd.verify.derivations.multistage``) against independent numerics.

KL sums along the temperature path are computed here from the evaluator (``evaluate_mp``), not
from the derivation's log-scores; the pins are theory-notes §5.4 [CORRECTED] and §6 items 10, 11.
"""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from skd.operators import evaluate_mp, library
from skd.theory.theorems import symbol
from skd.verify.derivations import derive
from skd.verify.derivations.claims import Claim, resolve
from skd.verify.derivations.compare import parse_constant
from skd.verify.derivations.multistage import LIPSCHITZ_CLAIM, sup_enclosure

P = [Fraction(7, 10), Fraction(1, 5), Fraction(1, 10)]
DPS = 30


def q_at(op, b: Fraction):
    return evaluate_mp(op, P, 1 / b, dps=DPS)


def kl(qa, qb):
    return mpmath.fsum(a * mpmath.log(a / c) for a, c in zip(qa, qb))


def n_kl_sum(op, b0: Fraction, b1: Fraction, n: int, grid: str = "beta"):
    """n·Σ_k KL(q_{k−1} ‖ q_k) on the grid uniform in β (or in T), from the evaluator."""
    with mpmath.workdps(DPS):
        if grid == "beta":
            pts = [b0 + (b1 - b0) * Fraction(k, n) for k in range(n + 1)]
        else:
            t0, t1 = 1 / b0, 1 / b1
            pts = [1 / (t0 + (t1 - t0) * Fraction(k, n)) for k in range(n + 1)]
        qs = [q_at(op, b) for b in pts]
        return n * mpmath.fsum(kl(a, c) for a, c in itertools.pairwise(qs))


def value(const) -> float:
    return float(const.values[0][1])


def upper_end(const) -> float:
    mid, rad = const.enclosure.strip("[]").split("+/-")
    return float(mid) + float(rad)


def ball(const) -> tuple[float, float]:
    mid, rad = const.enclosure.strip("[]").split("+/-")
    return float(mid) - float(rad), float(mid) + float(rad)


@pytest.fixture(scope="module")
def power_d():
    return derive(library.power, topics=["multistage"])


@pytest.fixture(scope="module")
def power_t2_d():
    return derive(library.power_T2, topics=["multistage"])


@pytest.fixture(scope="module")
def mixture_d():
    return derive(library.mixture, topics=["multistage"])


# -- path_energy_limit ---------------------------------------------------------------------------

PINNED_ITEM10 = [0.16214, 0.16655, 0.16865, 0.16968, 0.17020, 0.17046, 0.17059]
PINNED_REVERSED = [0.1793, 0.1749, 0.1728]


def test_path_energy_limit_power_direct_sums_match_theory_notes_item10():
    got = [float(n_kl_sum(library.power, Fraction(1), Fraction(1, 4), 2**j)) for j in range(7)]
    assert got == pytest.approx(PINNED_ITEM10, abs=6e-6)
    assert all(a < b for a, b in itertools.pairwise(got))


def test_path_energy_limit_power_value_is_0_170718(power_d):
    assert power_d.claim("path_energy_limit.conclusion").status == "established"
    c = power_d.constant("path_energy_limit.conclusion:n_sum_KL_limit")
    assert c.kind == "limit"
    assert value(c) == pytest.approx(0.170718, abs=1e-6)
    # Richardson extrapolation of the direct sums (error O(1/n)) lands on the limit
    f32, f64 = (n_kl_sum(library.power, Fraction(1), Fraction(1, 4), n) for n in (32, 64))
    assert float(2 * f64 - f32) == pytest.approx(value(c), abs=2e-6)


def test_path_energy_limit_power_equals_logZ_derivative_difference(power_d):
    # exact for power: ∫ I dβ = (log Z)'(β1) − (log Z)'(β0) = E_{q_1}[log p] − E_{q_{1/4}}[log p]
    with mpmath.workdps(DPS):
        e = [mpmath.fsum(qi * mpmath.log(mpmath.mpf(pi.numerator) / pi.denominator) for qi, pi in zip(q_at(library.power, b), P))
             for b in (Fraction(1, 4), Fraction(1))]
        exact = mpmath.mpf(3) / 8 * (e[1] - e[0])
    assert value(power_d.constant("path_energy_limit.conclusion:n_sum_KL_limit")) == pytest.approx(float(exact), rel=1e-12)
    assert value(power_d.constant("path_energy_limit.conclusion:I_mean")) == pytest.approx(float(exact / (mpmath.mpf(9) / 32)), rel=1e-12)


def test_path_energy_limit_T_grid_is_a_different_constant(power_d):
    c = power_d.constant("path_energy_limit.conclusion:n_sum_KL_limit_T_grid")
    f32, f64, f128 = (n_kl_sum(library.power, Fraction(1), Fraction(1, 4), n, grid="T") for n in (32, 64, 128))
    r64, r128 = 2 * f64 - f32, 2 * f128 - f64  # error terms a/n + b/n²: two Richardson levels
    assert float((4 * r128 - r64) / 3) == pytest.approx(value(c), abs=1e-5)
    assert abs(value(c) - value(power_d.constant("path_energy_limit.conclusion:n_sum_KL_limit"))) > 0.1


def test_path_energy_limit_mixture_matches_direct_sums(mixture_d):
    assert mixture_d.claim("path_energy_limit.conclusion").status == "established"
    c = mixture_d.constant("path_energy_limit.conclusion:n_sum_KL_limit")
    f32, f64 = (n_kl_sum(library.mixture, Fraction(1), Fraction(1, 4), n) for n in (32, 64))
    assert float(2 * f64 - f32) == pytest.approx(value(c), abs=2e-5)


# -- path_energy_bound ---------------------------------------------------------------------------


def test_path_energy_bound_power_holds_for_every_n_in_both_directions(power_d):
    assert power_d.claim("path_energy_bound.conclusion").status == "established"
    c = power_d.constant("path_energy_bound.conclusion:n_sum_KL_bound")
    bound = upper_end(c)
    assert bound == pytest.approx(0.1886, abs=1e-4)
    limit = value(power_d.constant("path_energy_limit.conclusion:n_sum_KL_limit"))
    for n in (1, 2, 3, 4, 7, 16):
        forward = n_kl_sum(library.power, Fraction(1), Fraction(1, 4), n)
        backward = n_kl_sum(library.power, Fraction(1, 4), Fraction(1), n)
        assert forward <= bound and backward <= bound
        assert forward < limit < backward  # the limit is NOT a bound: the reversed path lies above it


def test_path_energy_bound_reversed_path_matches_theory_notes():
    got = [float(n_kl_sum(library.power, Fraction(1, 4), Fraction(1), n)) for n in (1, 2, 4)]
    assert got == pytest.approx(PINNED_REVERSED, abs=6e-5)


def test_path_energy_bound_power_sup_encloses_dense_grid_maximum(power_d):
    lo, hi = ball(power_d.constant("path_energy_bound.conclusion:I_sup"))
    with mpmath.workdps(DPS):
        logp = [mpmath.log(mpmath.mpf(pi.numerator) / pi.denominator) for pi in P]

        def fisher(b: Fraction):
            q = q_at(library.power, b)
            m = mpmath.fsum(qi * li for qi, li in zip(q, logp))
            return mpmath.fsum(qi * (li - m) ** 2 for qi, li in zip(q, logp))

        grid_max = max(fisher(Fraction(1, 4) + Fraction(3, 4) * Fraction(k, 60)) for k in range(61))
    assert lo <= hi
    assert float(grid_max) <= hi + 1e-12
    assert float(grid_max) >= lo - 1e-6  # the sup is attained at β = 1/4, a grid point


def test_path_energy_bound_power_T2_only_reparametrised_form(power_t2_d):
    d = power_t2_d
    ef = d.claim("path_energy_bound.exponential_family")
    assert ef.status == "proved" and "θ(β) = beta**2" in ef.certificate[0]
    names = [k.name for k in d.claim("path_energy_bound.conclusion").constants]
    assert "n_sum_KL_bound" not in names  # θ = β² is not affine in β: the I_sup form is not claimed
    bound = value(d.constant("path_energy_bound.conclusion:n_sum_KL_bound_reparam"))
    j_hi = ball(d.constant("path_energy_bound.conclusion:J_sup"))[1]
    assert bound == pytest.approx(Fraction(9, 32) * j_hi * 4, rel=1e-8)  # sup |θ'| = 2β = 2
    for n in (1, 2, 5, 12):
        for b0, b1 in ((Fraction(1), Fraction(1, 4)), (Fraction(1, 4), Fraction(1))):
            assert n_kl_sum(library.power_T2, b0, b1, n) <= bound


def test_path_energy_bound_mixture_is_not_established(mixture_d):
    ef = mixture_d.claim("path_energy_bound.exponential_family")
    assert ef.status == "unknown" and ef.reason_kind == "undecided"
    assert mixture_d.claim("path_energy_bound.conclusion").status == "not_established"
    assert mixture_d.claim("path_energy_bound.conclusion").constants == ()


def test_sup_enclosure_brackets_a_known_interior_maximum():
    lo, hi = sup_enclosure(lambda b: b * (b - 1) * (b - 1), Fraction(0), Fraction(1), rel_tol=1e-6)
    assert lo <= 4 / 27 <= hi and hi - lo < 1e-6


# -- vector operators ----------------------------------------------------------------------------


def test_multistage_topk_path_claims_are_unsupported():
    d = derive(library.topk, topics=["multistage"])
    for cid in ("path_energy_limit.path_c2", "path_energy_bound.exponential_family", "homotopy_conditions.path_lipschitz"):
        assert d.claim(cid).status == "unknown" and d.claim(cid).reason_kind == "unsupported"
    assert d.claim("path_energy_limit.conclusion").status == "not_established"
    assert d.claim("euler_continuation.conclusion").status == "conditional"


# -- error_propagation ---------------------------------------------------------------------------

n, rho, kappa, c, eps_m, e0 = (symbol(k) for k in ("n", "rho", "kappa", "c", "eps_m", "e0"))


def _ev(const, **vals) -> float:
    env = {symbol(k): sp.nsimplify(v) for k, v in vals.items()}
    return float(const.expr.subs(env))


def _worst_recursion(r: float, cc: float, em: float, e_0: float, nn: int) -> float:
    e = e_0
    for _ in range(nn):
        e = r * e + cc / nn**2 + em
    return e


def test_error_propagation_is_conditional_on_assumptions(power_d):
    concl = power_d.claim("error_propagation.conclusion")
    assert LIPSCHITZ_CLAIM in concl.depends_on
    assert power_d.claim("error_propagation.contraction").role == "assumption"
    if power_d.claim(LIPSCHITZ_CLAIM).status == "established":
        assert concl.status == "conditional"


def test_error_propagation_logic_on_constructed_claims(power_d):
    mine = [c for c in power_d.claims if c.theorem == "error_propagation"]
    pending = [dataclasses.replace(c, status="pending", reason=None, reason_kind=None) if c.role == "conclusion" else c
               for c in mine]
    ok = Claim(LIPSCHITZ_CLAIM, "lipschitz_eps", "conclusion", "established", "stub")
    bad = Claim(LIPSCHITZ_CLAIM, "lipschitz_eps", "conclusion", "not_established", "stub", reason="stub")
    assert resolve([ok, *pending])[-1].status == "conditional"
    assert resolve([bad, *pending])[-1].status == "not_established"


def test_error_propagation_geometric_bound_is_the_worst_case_recursion(power_d):
    const = power_d.constant("error_propagation.conclusion:e_n_bound")
    for r, nn in ((Fraction(9, 10), 5), (Fraction(11, 10), 7), (Fraction(1, 2), 1)):
        want = _worst_recursion(float(r), 0.3, 0.01, 0.2, nn)
        assert _ev(const, rho=r, n=nn, c="0.3", eps_m="0.01", e0="0.2") == pytest.approx(want, rel=1e-12)


def test_error_propagation_near_contraction_bound_and_its_minimiser(power_d):
    near = power_d.constant("error_propagation.conclusion:e_n_bound_near_contraction")
    for nn in (1, 3, 10, 40):
        r = 1 + 0.5 / nn
        assert _worst_recursion(r, 0.3, 0.001, 0.2, nn) <= _ev(near, kappa="0.5", n=nn, c="0.3", eps_m="0.001", e0="0.2")
    nstar = power_d.constant("error_propagation.conclusion:n_star")
    assert nstar.kind == "minimiser_of_bound"
    ns = _ev(nstar, c="0.3", eps_m="0.001")
    assert ns == pytest.approx((0.3 / 0.001) ** 0.5)
    f = [(_ev(near, kappa="0.5", n=k, c="0.3", eps_m="0.001", e0="0.2"), k) for k in range(1, 60)]
    assert min(f)[1] in (int(ns), int(ns) + 1)
    at = _ev(power_d.constant("error_propagation.conclusion:bound_at_n_star"), kappa="0.5", c="0.3", eps_m="0.001", e0="0.2")
    assert at == pytest.approx(float(near.expr.subs({kappa: sp.Rational(1, 2), n: sp.sqrt(300), c: sp.Rational(3, 10),
                                                      eps_m: sp.Rational(1, 1000), e0: sp.Rational(1, 5)})))
    assert min(f)[0] >= at


def test_error_propagation_fixed_contraction_has_no_interior_optimum(power_d):
    const = power_d.constant("error_propagation.conclusion:e_n_bound_contraction")
    vals = [_ev(const, rho="0.8", n=k, c="0.3", eps_m="0.001", e0="0.2") for k in range(1, 200)]
    assert all(a > b for a, b in itertools.pairwise(vals))
    assert vals[-1] > _ev(power_d.constant("error_propagation.conclusion:e_inf_bound_contraction"), rho="0.8", eps_m="0.001")
    for k in (1, 5, 50):
        assert _worst_recursion(0.8, 0.3, 0.001, 0.2, k) <= vals[k - 1]


# -- homotopy_conditions -------------------------------------------------------------------------


def test_homotopy_conditions_power_temperature_path_constants(power_d):
    d = power_d
    assert d.claim("homotopy_conditions.conclusion").status == "conditional"
    with mpmath.workdps(DPS):
        def dist(b0, b1):
            return mpmath.sqrt(mpmath.fsum((a - c) ** 2 for a, c in zip(q_at(library.power, b0), q_at(library.power, b1))))

        d01 = dist(Fraction(1), Fraction(1, 4))
        assert value(d.constant("homotopy_conditions.conclusion:d_one_shot_l2")) == pytest.approx(float(d01), rel=1e-12)
        lg = value(d.constant("homotopy_conditions.conclusion:L_gamma_bound"))
        for nn in (1, 3, 8):
            pts = [Fraction(1) - Fraction(3, 4) * Fraction(k, nn) for k in range(nn + 1)]
            assert max(dist(a, b) for a, b in itertools.pairwise(pts)) <= lg / nn
        pts = [Fraction(1) - Fraction(3, 4) * Fraction(k, 64) for k in range(65)]
        chords = mpmath.fsum(dist(a, b) for a, b in itertools.pairwise(pts))
    ell2 = value(d.constant("homotopy_conditions.conclusion:path_length_l2"))
    assert float(d01) <= float(chords) <= ell2 <= lg
    assert ell2 == pytest.approx(float(chords), rel=1e-4)
    assert value(d.constant("homotopy_conditions.conclusion:path_length_fisher")) <= lg


# -- euler_continuation --------------------------------------------------------------------------


def test_euler_continuation_matches_theory_notes_item11(power_d):
    with mpmath.workdps(DPS):
        got = [float(k * (mpmath.e - (1 + mpmath.mpf(1) / k) ** k)) for k in (1, 10, 100, 1000)]
    assert got == pytest.approx([0.7183, 1.2454, 1.3468, 1.3579], abs=6e-5)
    bound = power_d.constant("euler_continuation.conclusion:euler_error_bound")
    b1 = float(bound.expr.subs({symbol("n"): 1, sp.Symbol("L_Phi", real=True): 1, sp.Symbol("M_2", real=True): sp.E}))
    assert b1 == pytest.approx(2.335, abs=5e-4) and value(bound) == pytest.approx(b1)
    assert all(g <= b1 for g in got)
    assert value(power_d.constant("euler_continuation.conclusion:n_error_limit_exp")) == pytest.approx(1.35914, abs=1e-5)


# -- serialisation -------------------------------------------------------------------------------


def test_multistage_constants_read_back_with_the_safe_parser(power_d):
    mine = {"path_energy_limit", "path_energy_bound", "error_propagation", "homotopy_conditions", "euler_continuation"}
    for claim in power_d.claims:
        if claim.theorem not in mine:
            continue
        for k in claim.constants:
            j = k.to_json()
            back = parse_constant(j["expr"], j["symbols"])
            assert sp.simplify(back - k.expr) == 0, (claim.id, k.name)
