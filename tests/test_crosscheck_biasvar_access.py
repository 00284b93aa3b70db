"""``skd crosscheck`` for the biasvar and access topics: checks pass, skips carry reasons, corruption fails."""

from __future__ import annotations

import dataclasses
import math

import pytest
import sympy as sp
from skd.operators import library
from skd.theory import biasvar as th
from skd.theory.access import Q_I, TAU, Z_Q
from skd.theory.theorems import symbol
from skd.verify.derivations import derive
from skd.verify.derivations.crosschecks import access, biasvar


@pytest.fixture(scope="module")
def power():
    return derive(library.power, topics=["biasvar", "access"])


@pytest.fixture(scope="module")
def mixture():
    return derive(library.mixture, topics=["biasvar", "access"])


def _replace_constant(d, name, expr):
    """A copy of the derivation whose constant ``<claim>:<constant>`` has the expression ``expr``."""
    claim_id, _, const = name.rpartition(":")
    claims = []
    for c in d.claims:
        if c.id == claim_id:
            ks = tuple(dataclasses.replace(k, expr=expr) if k.name == const else k for k in c.constants)
            c = dataclasses.replace(c, constants=ks)
        claims.append(c)
    return dataclasses.replace(d, claims=tuple(claims))


def _by_quantity(checks):
    return {c.quantity: c for c in checks}


@pytest.mark.parametrize("name", ["power", pytest.param("mixture", marks=pytest.mark.slow)])
def test_crosscheck_biasvar_every_check_passes(name, request):
    d = request.getfixturevalue(name)
    checks = biasvar.crosscheck(d, 3)
    assert checks and all(c.passed for c in checks), [(c.quantity, c.deviation, dict(c.worst)) for c in checks if not c.passed]
    got = _by_quantity(checks)
    for q in ("squared_loss_decomposition.conclusion:risk", "kl_decomposition.conclusion:risk_KL",
              "empirical_teacher.conclusion:E_sq_err", "empirical_teacher.conclusion:P_unseen (Monte Carlo)",
              "sparse_vs_dense.conclusion:threshold", "delta_method.conclusion:B_i", "delta_method.conclusion:V_ik",
              "delta_method.conclusion:bias_exact", "delta_method.conclusion:B_i (m*bias -> B)"):
        assert got[q].cases > 0, q


@pytest.mark.parametrize("name", ["power", "mixture"])
def test_crosscheck_access_checks_pass_or_skip_with_reason(name, request):
    d = request.getfixturevalue(name)
    checks = access.crosscheck(d, 3)
    assert not [c for c in checks if c.status == "FAIL"]
    assert all(c.skipped for c in checks if c.status == "skipped")
    got = _by_quantity(checks)
    for q in ("truncation_cost.conclusion:TV", "truncation_cost.conclusion:KL (kernel)", "tail_mass_monotone.conclusion",
              "invertibility.conclusion:inverse"):
        assert got[q].passed, q
    if name == "power":
        assert got["topk_commutation.conclusion"].passed and got["zero_preservation.conclusion"].passed
    else:  # both refuted for mixture: skipped, naming the refuted hypothesis
        assert "refuted" in got["topk_commutation.conclusion"].skipped
        assert "refuted" in got["zero_preservation.conclusion"].skipped


def test_crosscheck_topk_delta_method_and_access_skipped_with_reason():
    d = derive(library.topk, topics=["biasvar", "access"])
    bv = _by_quantity(biasvar.crosscheck(d, 2))
    assert bv["squared_loss_decomposition.conclusion:risk"].passed  # operator-independent identities still checked
    assert bv["delta_method.conclusion:B_i"].status == "skipped" and "not_established" in bv["delta_method.conclusion:B_i"].skipped
    ac = _by_quantity(access.crosscheck(d, 2))
    # well_defined of topk is proved on its declared sizes, so the truncation cost (which needs only
    # that) is established there and checked; every other access conclusion is skipped with its reason
    checked = {q for q, c in ac.items() if c.status != "skipped"}
    assert checked == {"truncation_cost.conclusion:TV", "truncation_cost.conclusion:TV (kernel)",
                       "truncation_cost.conclusion:KL", "truncation_cost.conclusion:KL (kernel)"}, checked
    assert all(ac[q].passed for q in checked)
    assert all(c.skipped for q, c in ac.items() if q not in checked)


def test_crosscheck_biasvar_catches_a_wrong_bias_constant(power):
    bad = _replace_constant(power, "delta_method.conclusion:B_i", 2 * th.B_I)
    got = _by_quantity(biasvar._delta_checks(bad, 2))
    assert got["delta_method.conclusion:B_i"].status == "FAIL" and got["delta_method.conclusion:B_i"].worst
    assert got["delta_method.conclusion:B_i (Richardson)"].status == "FAIL"
    assert got["delta_method.conclusion:V_ii"].passed  # only the corrupted constant fails


def test_crosscheck_biasvar_catches_a_wrong_empirical_teacher_constant(power):
    m = symbol("m")
    bad = _replace_constant(power, "empirical_teacher.conclusion:E_sq_err", (1 - th.NORM2_P) / (m + 1))
    got = _by_quantity(biasvar._empirical_checks(bad, 3))
    assert got["empirical_teacher.conclusion:E_sq_err"].status == "FAIL"  # exact enumeration sees 1/(m + 1)
    assert got["empirical_teacher.conclusion:P_unseen"].passed
    # Monte Carlo resolves a few per cent only (20000 draws, 99.9% CI): a factor 3/2 is caught
    bad = _replace_constant(power, "empirical_teacher.conclusion:E_sq_err", 3 * (1 - th.NORM2_P) / (2 * m))
    got = _by_quantity(biasvar._empirical_checks(bad, 3))
    assert got["empirical_teacher.conclusion:E_sq_err (Monte Carlo)"].status == "FAIL"


def test_crosscheck_biasvar_catches_a_wrong_threshold(power):
    bad = _replace_constant(power, "sparse_vs_dense.conclusion:threshold", 2 * th.THRESHOLD)
    got = _by_quantity(biasvar._least_squares_checks(bad, 2))
    assert got["sparse_vs_dense.conclusion:threshold"].status == "FAIL"


def test_crosscheck_access_catches_a_wrong_truncation_cost(power):
    bad = _replace_constant(power, "truncation_cost.conclusion:KL", -sp.log(1 - TAU) / 2)
    got = _by_quantity(access.crosscheck(bad, 2))
    assert got["truncation_cost.conclusion:KL"].status == "FAIL" and got["truncation_cost.conclusion:KL"].worst
    assert got["truncation_cost.conclusion:KL (kernel)"].status == "FAIL"
    assert got["truncation_cost.conclusion:TV"].passed


def test_crosscheck_access_catches_a_wrong_inverse(power):
    bad = _replace_constant(power, "invertibility.conclusion:inverse", Q_I ** (2 * symbol("T")) / Z_Q)
    got = _by_quantity(access.crosscheck(bad, 2))
    assert got["invertibility.conclusion:inverse"].status == "FAIL"


def test_crosscheck_access_catches_a_wrong_operator_evaluation(power, monkeypatch):
    """Corrupt the operator evaluation itself (F at T replaced by F at 2T in the truncated problem): commutation fails."""
    real = access.evaluate_mp

    def wrong(op, p, t, dps=50, values=None):
        return real(op, p, t * 2 if len(p) <= 2 else t, dps=dps, values=values)

    monkeypatch.setattr(access, "evaluate_mp", wrong)  # the evaluation the cross-check module calls
    got = _by_quantity(access.crosscheck(power, 2))
    assert got["topk_commutation.conclusion"].status == "FAIL"


def test_crosscheck_biasvar_ci_check_reports_distance_outside_interval():
    c = biasvar._ci_check("q", "m", [({"a": "1"}, 0.5, 0.0, 1.0), ({"a": "2"}, 1.25, 0.0, 1.0)])
    assert c.deviation == pytest.approx(0.25) and c.worst["a"] == "2" and c.status == "FAIL"
    assert biasvar._wilson(0, 100, 3.29)[0] == 0.0 and biasvar._wilson(100, 100, 3.29)[1] == 1.0
    assert math.isclose(biasvar._z(1), 3.2905, abs_tol=1e-3)
