"""``skd crosscheck`` for the sensitivity and multistage topics: every check passes, skips say why, corruption fails.

The cross-checks compare each derived constant with a computation that does not use it (finite
differences of ``evaluate_mp``, direct KL sums and distances along the temperature path, chord
ratios, worst-case recursions, forward Euler, the NumPy kernel). A corrupted derivation — a
constant edited with ``dataclasses.replace`` — must make its check FAIL.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
import sympy as sp
from skd.operators import library
from skd.theory.multistage import c, n
from skd.verify.crosscheck import crosscheck
from skd.verify.derivations import Derivation, derive
from skd.verify.derivations.crosschecks import multistage, sensitivity
from skd.verify.derivations.claims import DerivedConstant

TOPICS = ["sensitivity", "multistage"]
CASES = 3


@pytest.fixture(scope="module")
def derivations() -> dict[str, Derivation]:
    return {}


def _derived(cache: dict[str, Derivation], name: str) -> Derivation:
    if name not in cache:
        cache[name] = derive(getattr(library, name), topics=TOPICS)
    return cache[name]


def _corrupt(d: Derivation, claim_id: str, name: str, f: Callable[[DerivedConstant], DerivedConstant]) -> Derivation:
    claims = tuple(dataclasses.replace(cl, constants=tuple(f(k) if k.name == name else k for k in cl.constants))
                   if cl.id == claim_id else cl for cl in d.claims)
    return dataclasses.replace(d, claims=claims)


def _by_quantity(checks) -> dict:
    return {ch.quantity: ch for ch in checks}


SENS_EXPECTED = {
    "power": {"jacobian.conclusion:dx_s", "jacobian.conclusion:dx_s (kernel)", "lipschitz_eps.conclusion:L_bound",
              "lipschitz_eps.conclusion:dF1_dx_V2", "lipschitz_eps.conclusion:L_sharp", "lipschitz_logit.conclusion:L_logit",
              "lipschitz_logit.conclusion:L_logit (attained)", "lipschitz_closed.conclusion:L_closed",
              "lipschitz_closed.conclusion:blowup_rate", "lipschitz_closed.conclusion:blowup_rate (lemma)",
              "lipschitz_closed.global_lipschitz_T_gt_1:counterexample"},
}
SHARP_CHECKS = {f"lipschitz_eps_sharp.conclusion:{k}" for k in ("L1_sharp", "L1_sharp (attained)", "L1_lower", "L1_upper",
                                                                    "L2_lower", "L2_upper")}
SENS_EXPECTED["power"] = SENS_EXPECTED["power"] | SHARP_CHECKS | {"lipschitz_eps_sharp.conclusion:L2_rate_lower",
                                                                   "lipschitz_eps_sharp.conclusion:L2_witness"}
SENS_EXPECTED["power_T2"] = SENS_EXPECTED["power"]
SENS_EXPECTED["mixture"] = (SENS_EXPECTED["power"] - {"lipschitz_closed.conclusion:blowup_rate",
                                                      "lipschitz_closed.conclusion:blowup_rate (lemma)",
                                                      "lipschitz_closed.global_lipschitz_T_gt_1:counterexample"}
                            | {"lipschitz_closed.conclusion:L_closed (attained)"}) - {"lipschitz_eps_sharp.conclusion:L2_rate_lower",
                                                                                       "lipschitz_eps_sharp.conclusion:L2_witness"}

BOUND_NAMES = {f"path_energy_bound.conclusion:{k}" for k in ("n_sum_KL_bound", "n_sum_KL_bound_reparam", "I_sup", "J_sup", "dtheta_sup")}


@pytest.mark.parametrize("name", ["power", pytest.param("mixture", marks=pytest.mark.slow),
                                  pytest.param("power_T2", marks=pytest.mark.slow)])
def test_crosscheck_sensitivity_every_check_passes(derivations, name):
    checks = sensitivity.crosscheck(_derived(derivations, name), CASES)
    got = _by_quantity(checks)
    passed = {q for q, ch in got.items() if ch.passed}
    assert passed == SENS_EXPECTED[name], {q: (ch.status, ch.skipped, dict(ch.worst)) for q, ch in got.items()}
    assert all(ch.cases > 0 and ch.deviation <= ch.tolerance for ch in checks if ch.passed)
    for q, ch in got.items():
        if q not in passed:
            assert ch.status == "skipped" and ch.skipped, q


@pytest.mark.parametrize("name", ["power", pytest.param("mixture", marks=pytest.mark.slow),
                                  pytest.param("power_T2", marks=pytest.mark.slow)])
def test_crosscheck_multistage_every_check_passes(derivations, name):
    checks = multistage.crosscheck(_derived(derivations, name), CASES)
    assert not [ch for ch in checks if ch.status == "FAIL"], [(ch.quantity, ch.deviation, dict(ch.worst)) for ch in checks]
    got = _by_quantity(checks)
    skipped = {q for q, ch in got.items() if ch.status == "skipped"}
    if name in ("mixture", "power"):  # θ = β: a mixture resp. exponential family, both bound forms derived and checked
        assert not skipped and BOUND_NAMES <= set(got)
    else:  # power_T2: θ = β² is not affine, so only the reparametrised bound and its suprema are derived
        assert not skipped and BOUND_NAMES - set(got) == {"path_energy_bound.conclusion:n_sum_KL_bound",
                                                          "path_energy_bound.conclusion:I_sup"}
    assert {"error_propagation.conclusion:n_star", "euler_continuation.conclusion:euler_error_bound",
            "homotopy_conditions.conclusion:n_sufficient", "path_energy_limit.conclusion:n_sum_KL_limit_T_grid"} <= set(got)


def test_crosscheck_topk_sensitivity_and_multistage_skipped_with_reasons():
    result = crosscheck(library.topk, topics=TOPICS, cases=2)
    operator_free = [ch for ch in result.checks if ch.quantity.startswith("euler_continuation.")]
    tie = [ch for ch in result.checks if ch.quantity == "lipschitz_vector.continuous_at_ties:counterexample"]
    assert len(tie) == 1 and tie[0].passed  # the certified refutation of Lipschitz continuity is re-checked
    others = [ch for ch in result.checks if not ch.quantity.startswith("euler_continuation.") and ch not in tie]
    assert others and all(ch.status == "skipped" and ch.skipped for ch in others)
    # R3 does not involve the operator: conditional on its assumptions, so it is checked
    assert operator_free and all(ch.passed for ch in operator_free)


@pytest.mark.slow
def test_crosscheck_engine_runs_both_topics_on_a_given_derivation(derivations):
    d = _derived(derivations, "power")
    result = crosscheck(library.power, topics=TOPICS, cases=2, derivation=d)
    assert result.checks and not result.failed
    assert {ch.quantity.split(".")[0] for ch in result.checks} >= {"jacobian", "lipschitz_eps", "path_energy_limit",
                                                                   "error_propagation"}


# -- a corrupted derivation fails --------------------------------------------------------------------


def test_crosscheck_sensitivity_catches_a_too_small_lipschitz_bound(derivations):
    """L_bound/10 = 1/(20 T ε) is below the V = 2 tangent derivative at x = ε (4.19 at T = 2, ε = 1/100)."""
    d = _corrupt(_derived(derivations, "power"), "lipschitz_eps.conclusion", "L_bound",
                 lambda k: dataclasses.replace(k, expr=k.expr / 10))
    check = _by_quantity(sensitivity.crosscheck(d, 2))["lipschitz_eps.conclusion:L_bound"]
    assert check.status == "FAIL" and float(check.worst["numeric"]) > float(check.worst["bound"])


@pytest.mark.slow
def test_crosscheck_sensitivity_catches_a_wrong_jacobian(derivations):
    """dx_s off by one part in a million: the 50-digit finite differences disagree (tolerance 1e-12)."""
    d = _corrupt(_derived(derivations, "power_T2"), "jacobian.conclusion", "dx_s",
                 lambda k: dataclasses.replace(k, expr=k.expr * (1 + sp.Rational(1, 10**6))))
    check = _by_quantity(sensitivity.crosscheck(d, 2))["jacobian.conclusion:dx_s"]
    assert check.status == "FAIL" and check.deviation > 1e-7 and check.worst["direction"]


def test_crosscheck_sensitivity_catches_a_shifted_sharp_enclosure(derivations, monkeypatch):
    """Monkeypatched helper: the independent maximisation is moved 1e-6 outside every Arb enclosure."""
    real = sensitivity._max_abs_tangent
    monkeypatch.setattr(sensitivity, "_max_abs_tangent", lambda op, t, e: real(op, t, e) * (1 + 1e-6))
    check = _by_quantity(sensitivity.crosscheck(_derived(derivations, "power"), 1))["lipschitz_eps.conclusion:L_sharp"]
    assert check.status == "FAIL"


@pytest.mark.slow
def test_crosscheck_multistage_catches_a_too_small_every_n_bound(derivations):
    """5% below the bound: the reversed path at n = 1 (0.1793) exceeds 0.95·0.18865."""
    def lower(k: DerivedConstant) -> DerivedConstant:
        mid, rad = k.enclosure.strip("[]").split("+/-")
        return dataclasses.replace(k, enclosure=f"[{float(mid) * 0.95!r} +/- {rad.strip()}]",
                                   values=tuple((at, str(float(v) * 0.95)) for at, v in k.values))

    d = _corrupt(_derived(derivations, "power"), "path_energy_bound.conclusion", "n_sum_KL_bound", lower)
    check = _by_quantity(multistage.crosscheck(d, 1))["path_energy_bound.conclusion:n_sum_KL_bound"]
    assert check.status == "FAIL" and check.worst["n"] == "1" and check.worst["direction"] == "1/4->1"


def test_crosscheck_multistage_catches_a_wrong_limit_value(derivations):
    d = _corrupt(_derived(derivations, "power"), "path_energy_limit.conclusion", "n_sum_KL_limit",
                 lambda k: dataclasses.replace(k, values=tuple((at, str(float(v) * (1 + 1e-6))) for at, v in k.values)))
    check = _by_quantity(multistage.crosscheck(d, 1))["path_energy_limit.conclusion:n_sum_KL_limit"]
    assert check.status == "FAIL"


@pytest.mark.slow
def test_crosscheck_multistage_catches_a_wrong_error_propagation_formula(derivations):
    """c/n² replaced by c/n in the geometric R2 bound: the worst-case recursion disagrees."""
    d = _corrupt(_derived(derivations, "power"), "error_propagation.conclusion", "e_n_bound",
                 lambda k: dataclasses.replace(k, expr=k.expr.subs(c / n**2, c / n)))
    check = _by_quantity(multistage.crosscheck(d, 3))["error_propagation.conclusion:e_n_bound"]
    assert check.status == "FAIL" and check.worst["n"] != "1"


# -- the V >= 3 sharp constants and the vector theorem: corruption fails ----------------------------------


def test_crosscheck_sharp_l1_catches_a_value_one_part_in_a_million_low(derivations):
    d = _corrupt(_derived(derivations, "power"), "lipschitz_eps_sharp.conclusion", "L1_sharp",
                 lambda k: dataclasses.replace(k, expr=k.expr * (1 - sp.Rational(1, 10**6))))
    got = _by_quantity(sensitivity.crosscheck(d, 2))
    assert got["lipschitz_eps_sharp.conclusion:L1_sharp (attained)"].status == "FAIL"
    assert got["lipschitz_eps_sharp.conclusion:L1_sharp"].status == "FAIL"  # the vertex ratio exceeds it


def test_crosscheck_sharp_l2_upper_and_witness_catch_corruption(derivations):
    d = _corrupt(_derived(derivations, "power"), "lipschitz_eps_sharp.conclusion", "L2_upper",
                 lambda k: dataclasses.replace(k, expr=k.expr / 2))
    assert _by_quantity(sensitivity.crosscheck(d, 2))["lipschitz_eps_sharp.conclusion:L2_upper"].status == "FAIL"
    d = _corrupt(_derived(derivations, "power"), "lipschitz_eps_sharp.conclusion", "L2_witness",
                 lambda k: dataclasses.replace(k, values=tuple((at, str(float(v) * 1.01)) for at, v in k.values)))
    assert _by_quantity(sensitivity.crosscheck(d, 1))["lipschitz_eps_sharp.conclusion:L2_witness"].status == "FAIL"
    d = _corrupt(_derived(derivations, "power"), "lipschitz_eps_sharp.conclusion", "L2_rate_lower",
                 lambda k: dataclasses.replace(k, expr=k.expr * sp.Rational(101, 100)))
    assert _by_quantity(sensitivity.crosscheck(d, 1))["lipschitz_eps_sharp.conclusion:L2_rate_lower"].status == "FAIL"


@pytest.mark.slow  # proves the vector operator's well_defined on V <= 5 (6-15 s): CI runs it
def test_crosscheck_sparsemax_passes_and_catches_a_halved_logit_constant(derivations):
    d = _derived(derivations, "sparsemax")
    got = _by_quantity(sensitivity.crosscheck(d, 2))
    mine = {q: ch for q, ch in got.items() if q.startswith("lipschitz_vector.")}
    assert set(mine) == {"lipschitz_vector.conclusion:L_logit_vec", "lipschitz_vector.conclusion:L_logit_vec (attained)",
                         "lipschitz_vector.conclusion:L_eps_vec"} and all(ch.passed for ch in mine.values())
    bad = _corrupt(d, "lipschitz_vector.conclusion", "L_logit_vec", lambda k: dataclasses.replace(k, expr=k.expr / 2))
    got = _by_quantity(sensitivity.crosscheck(bad, 2))
    assert got["lipschitz_vector.conclusion:L_logit_vec"].status == "FAIL"
    assert got["lipschitz_vector.conclusion:L_logit_vec (attained)"].status == "FAIL"


def test_crosscheck_topk_catches_an_overstated_level(derivations):
    d = _derived(derivations, "topk")
    claims = []
    for cl in d.claims:
        if cl.id == "lipschitz_vector.continuous_at_ties":
            ce = dict(cl.counterexample)
            ce["points"] = [dict(pt, L=str(int(pt["L"]) * 10)) if i == 2 else pt for i, pt in enumerate(ce["points"])]
            cl = dataclasses.replace(cl, counterexample=ce)
        claims.append(cl)
    bad = dataclasses.replace(d, claims=tuple(claims))
    check = _by_quantity(sensitivity.crosscheck(bad, 1))["lipschitz_vector.continuous_at_ties:counterexample"]
    assert check.status == "FAIL"
