"""Entropy-rate derivations (``skd.verify.derivations.entropy``) against independent numerics."""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from skd.operators import evaluate_mp, library, separable
from skd.operators.symbols import T, x
from skd.theory.entropy import VAR_LOGP
from skd.verify.derivations import derive

P = [Fraction(7, 10), Fraction(1, 5), Fraction(1, 10)]


def entropy_fd(op, p, t: Fraction, h: Fraction = Fraction(1, 10**15)) -> mpmath.mpf:
    """Central finite difference of H(F_T(p)) at 60 digits, from the evaluator (not the derivation)."""
    with mpmath.workdps(60):
        def H(tt: Fraction):
            q = evaluate_mp(op, p, tt, dps=60)
            return -mpmath.fsum(qi * mpmath.log(qi) for qi in q)

        return (H(t + h) - H(t - h)) / (2 * mpmath.mpf(h.numerator) / h.denominator)


@pytest.fixture(scope="module")
def power_entropy():
    return derive(library.power, topics=["entropy"])


def test_entropy_power_closed_form_is_var_log_p_over_T_cubed(power_entropy):
    c = power_entropy.constant("entropy_rate_power_type.conclusion:dH_dT")
    assert sp.simplify(c.expr - VAR_LOGP / T**3) == 0
    assert power_entropy.claim("entropy_rate_power_type.conclusion").status == "established"


@pytest.mark.parametrize(("t", "pinned"), [(Fraction(1, 2), 1.358214), (Fraction(1), 0.494387), (Fraction(2), 0.080898)])
def test_entropy_power_rate_matches_notes_and_finite_differences(power_entropy, t, pinned):
    values = {at["T"]: float(v) for at, v in power_entropy.constant("entropy_rate.conclusion:dH_dT").values}
    assert values[str(t)] == pytest.approx(pinned, abs=5e-7)
    assert values[str(t)] == pytest.approx(float(entropy_fd(library.power, P, t)), rel=1e-12)


def test_entropy_general_form_agrees_with_finite_differences_for_mixture_above_one():
    d = derive(library.mixture, topics=["entropy"])
    values = {at["T"]: float(v) for at, v in d.constant("entropy_rate.conclusion:dH_dT").values}
    assert values["2"] == pytest.approx(float(entropy_fd(library.mixture, P, Fraction(2))), rel=1e-12)
    # no value is claimed at the breakpoint T = 1 of the piecewise score
    assert "1" not in values
    assert "T in (1, oo)" in d.claim("entropy_rate.conclusion").scope


def test_entropy_power_T2_rate_is_two_var_over_T_fifth():
    d = derive(library.power_T2, topics=["entropy"])
    c = d.constant("entropy_rate_power_type.conclusion:dH_dT")
    assert sp.simplify(c.expr - 2 * VAR_LOGP / T**5) == 0
    v = {at["T"]: float(val) for at, val in c.values}
    assert v["2"] == pytest.approx(float(entropy_fd(library.power_T2, P, Fraction(2))), rel=1e-12)


def test_entropy_non_power_type_score_leaves_specialisation_unknown_with_reason():
    d = derive(library.mixture, topics=["entropy"])
    hyp = d.claim("entropy_rate_power_type.score_affine_in_T_derivative")
    assert hyp.status == "unknown" and "T in (1, oo)" in hyp.reason
    concl = d.claim("entropy_rate_power_type.conclusion")
    assert concl.status == "not_established" and "score_affine_in_T_derivative" in concl.reason


def test_entropy_vector_operator_is_unsupported_not_guessed():
    d = derive(library.topk, topics=["entropy"], checker=lambda op, timeout: _unknown_report(op))
    assert d.claim("entropy_rate.score_differentiable").reason_kind == "unsupported"
    assert d.claim("entropy_rate.conclusion").status == "not_established"


def test_entropy_user_score_with_exp_tower_stays_within_budget():
    op = separable("exp(exp(x/T))", name="tower")
    d = derive(op, topics=["entropy"], timeout=5)
    assert d.claim("entropy_rate.conclusion").status in ("established", "not_established")


def _unknown_report(op):
    from skd.theory.axioms import AXIOM_IDS
    from skd.verify.verdict import Report, Verdict, operator_json

    return Report(operator=operator_json(op), profile="paper", seed=0,
                  verdicts=tuple(Verdict(a, "unknown", "stand-in", reason="not checked in this test", reason_kind="unsupported")
                                 for a in AXIOM_IDS))
