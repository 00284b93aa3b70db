"""``skd crosscheck`` for the equivalence topic: every check passes on the built-ins, skipped claims
carry a reason, and a corrupted derivation (wrong φ, wrong refutation point, wrong λ, a claimed
ranking that does not hold) makes the corresponding check FAIL with the inputs that show it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time

import pytest
import sympy as sp
from skd.operators import library, separable
from skd.operators.symbols import T as T_SYM
from skd.operators.symbols import x as X_SYM
from skd.verify import cli
from skd.verify.derivations import derive
from skd.verify.derivations.crosschecks.equivalence import CROSSCHECK_TOLERANCE, crosscheck


@pytest.fixture(scope="module")
def power_d():  # type: ignore[no-untyped-def]
    return derive(library.power, topics=["equivalence"])


@pytest.fixture(scope="module")
def laplace_d():  # type: ignore[no-untyped-def]
    return derive(library.laplace, topics=["equivalence"])


def _by_name(checks):  # type: ignore[no-untyped-def]
    return {c.quantity: c for c in checks}


def _replace_claim(d, claim_id, **changes):  # type: ignore[no-untyped-def]
    claims = tuple(dataclasses.replace(c, **changes) if c.id == claim_id else c for c in d.claims)
    return dataclasses.replace(d, claims=claims)


def test_crosscheck_equivalence_power_all_pass_in_time(power_d) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    checks = crosscheck(power_d, 20)
    elapsed = time.perf_counter() - start
    assert elapsed < 30, f"crosscheck(d, 20) took {elapsed:.1f} s"
    by = _by_name(checks)
    phi = by["reparam_equivalence.power_T2.conclusion:phi"]
    assert phi.passed and phi.cases == 20 + 7 and phi.deviation <= CROSSCHECK_TOLERANCE and phi.worst
    refuted = [c for c in checks if c.quantity.endswith(":certificate")]
    assert len(refuted) == 6 and all(c.passed for c in refuted)
    assert by["ordinal_equivalence.conclusion:order"].passed
    for notion in ("kl", "l2"):
        assert by[f"projection_equivalence_{notion}.conclusion:students_equal"].passed
        assert by[f"projection_equivalence_{notion}.conclusion:targets_differ"].passed
    assert all(c.status == "pass" for c in checks)


def test_crosscheck_equivalence_piecewise_phi_near_its_breakpoint(laplace_d) -> None:  # type: ignore[no-untyped-def]
    """laplace ~ mixture with φ = T on (0, 1], (T − 1)² + 1 beyond: φ(T) just above 1 must be exact."""
    phi = _by_name(crosscheck(laplace_d, 20))["reparam_equivalence.mixture.conclusion:phi"]
    assert phi.passed, phi.worst


def test_crosscheck_equivalence_wrong_phi_fails(power_d) -> None:  # type: ignore[no-untyped-def]
    cid = "reparam_equivalence.power_T2.conclusion"
    concl = power_d.claim(cid)
    wrong = tuple(dataclasses.replace(k, expr=T_SYM) if k.name == "phi" else k for k in concl.constants)  # not sqrt(T)
    check = _by_name(crosscheck(_replace_claim(power_d, cid, constants=wrong), 5))[f"{cid}:phi"]
    assert check.status == "FAIL" and check.deviation > 1e-3
    assert {"p", "T", "phi(T)"} <= set(check.worst)


def test_crosscheck_equivalence_wrong_refutation_point_fails(power_d) -> None:  # type: ignore[no-untyped-def]
    """At T = 1 power is the identity: F_1(p) = p lies on the mixture line, D_mix = 0."""
    hid = "reparam_equivalence.mixture"
    ce = {**power_d.claim(hid).counterexample, "T": "1"}
    check = _by_name(crosscheck(_replace_claim(power_d, hid, counterexample=ce), 2))[f"{hid}:certificate"]
    assert check.status == "FAIL" and check.deviation == math.inf and check.worst["T"] == "1"


def test_crosscheck_equivalence_wrong_lambda_fails(power_d) -> None:  # type: ignore[no-untyped-def]
    cid = "projection_equivalence_kl.conclusion"
    concl = power_d.claim(cid)
    wrong = tuple(dataclasses.replace(k, expr=k.expr * sp.Rational(101, 100)) if k.name == "lambda" else k
                  for k in concl.constants)
    check = _by_name(crosscheck(_replace_claim(power_d, cid, constants=wrong), 2))[f"{cid}:students_equal"]
    assert check.status == "FAIL" and check.worst


def test_crosscheck_equivalence_ranking_violation_counted(power_d) -> None:  # type: ignore[no-untyped-def]
    """A derivation claiming A1 for an order-reversing operator: the sampled violations are counted."""
    reverse = separable(X_SYM ** (-1 / T_SYM), name="reverse")
    check = _by_name(crosscheck(dataclasses.replace(power_d, op=reverse), 3))["ordinal_equivalence.conclusion:order"]
    assert check.status == "FAIL" and check.deviation >= 1 and "pair" in check.worst


def test_crosscheck_equivalence_vector_operator_skips_with_reasons() -> None:
    checks = _by_name(crosscheck(derive(library.topk, topics=["equivalence"]), 3))
    skipped = [c for c in checks.values() if c.status == "skipped"]
    assert {"reparam_equivalence.sparsemax.conclusion:phi", "ordinal_equivalence.conclusion:order"} <= {c.quantity for c in skipped}
    assert all(c.skipped and not c.passed for c in skipped)
    assert all(c.status == "pass" for c in checks.values() if c.quantity.endswith(":certificate"))


def test_cli_crosscheck_equivalence_json(capsys) -> None:  # type: ignore[no-untyped-def]
    assert cli.main(["crosscheck", "power_T2", "--topic", "equivalence", "--cases", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    statuses = {c["quantity"]: c["status"] for c in data["operators"][0]["checks"]}
    assert statuses["reparam_equivalence.power.conclusion:phi"] == "pass" and "FAIL" not in statuses.values()
