"""Reference values and the composition law (``skd.verify.derivations.basics``)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from skd.operators import evaluate_mp, library
from skd.verify.derivations import derive
from skd.verify.derivations.basics import S, crosscheck
from skd.operators.symbols import T

P = [Fraction(7, 10), Fraction(1, 5), Fraction(1, 10)]
# theory-notes §6 item 1 (re-derived: F_{1/2}(p) = (49, 4, 1)/54 exactly)
ITEM1 = {"1/2": ((0.907407, 0.074074, 0.018519), 0.354829), "1": ((0.7, 0.2, 0.1), 0.801819),
         "2": ((0.522879, 0.279491, 0.197630), 1.015757), "4": ((0.426276, 0.311655, 0.262069), 1.077767),
         "10": ((0.369628, 0.326105, 0.304267), 1.095320)}


@pytest.fixture(scope="module")
def power():
    return derive(library.power, topics=["basics"])


def test_basics_power_reference_values_match_theory_notes_item_1(power):
    vals = power.constant("reference_values.conclusion:F_i").values
    got = {(at["T"], at["what"]): v for at, v in vals}
    for t, (q, h) in ITEM1.items():
        assert [float(v) for v in got[(t, "F_T(p)")].split(",")] == pytest.approx(q, abs=5e-7)
        assert float(got[(t, "H(F_T(p))")]) == pytest.approx(h, abs=5e-7)
    # the exact value at T = 1/2
    assert [float(v) for v in got[("1/2", "F_T(p)")].split(",")] == pytest.approx([49 / 54, 4 / 54, 1 / 54], rel=1e-11)


def test_basics_power_hot_limit_entropy_tends_to_log_V():
    with mpmath.workdps(30):
        q = evaluate_mp(library.power, P, Fraction(10**8), dps=30)
        h = -mpmath.fsum(x * mpmath.log(x) for x in q)
    assert float(h) == pytest.approx(1.098612, abs=1e-6)


def test_basics_power_composition_is_S_times_T_and_matches_item_3(power):
    psi = power.constant("semigroup.conclusion:psi").expr
    assert sp.simplify(psi - S * T) == 0
    q3 = evaluate_mp(library.power, P, Fraction(3), dps=60)
    q3 = [Fraction(str(mpmath.nstr(v, 55))) for v in q3]
    lhs = evaluate_mp(library.power, q3, Fraction(2), dps=40)
    rhs = evaluate_mp(library.power, P, Fraction(6), dps=40)
    assert [float(v) for v in lhs] == pytest.approx([0.394542, 0.320196, 0.285262], abs=5e-7)
    assert [float(a - b) for a, b in zip(lhs, rhs)] == pytest.approx([0, 0, 0], abs=1e-40)


def test_basics_mixture_composition_multiplies_weights_as_item_3():
    d = derive(library.mixture, topics=["basics"])
    psi = d.constant("semigroup.conclusion:psi").expr
    # weights lambda = 1/T: M_{0.5} ∘ M_{0.4} = M_{0.2}, i.e. psi(2, 5/2) = 5
    assert psi.subs({S: 2, T: sp.Rational(5, 2)}) == 5
    q = evaluate_mp(library.mixture, P, Fraction(5), dps=30)
    assert [float(v) for v in q] == pytest.approx([0.406667, 0.306667, 0.286667], abs=5e-7)


def test_basics_laplace_composition_found_on_the_right_branch():
    d = derive(library.laplace, topics=["basics"])
    psi = d.constant("semigroup.conclusion:psi").expr
    v = float(psi.subs({S: 2, T: 3}))
    assert v > 1 and v == pytest.approx(1 + (2 * 5 - 1) ** 0.5)


def test_basics_hybrid_mixed_family_is_unknown_not_guessed():
    d = derive(library.hybrid, topics=["basics"])
    assert d.claim("semigroup.one_family").status == "unknown"
    assert d.claim("semigroup.conclusion").status == "not_established"


def test_basics_crosscheck_catches_a_wrong_composition_temperature(power):
    ok = crosscheck(power, 4)
    assert all(c.status == "pass" for c in ok)
    concl = power.claim("semigroup.conclusion")
    wrong = dataclasses.replace(concl.constants[0], expr=S + T)
    bad_claims = tuple(dataclasses.replace(c, constants=(wrong,)) if c.id == concl.id else c for c in power.claims)
    bad = dataclasses.replace(power, claims=bad_claims)
    checks = crosscheck(bad, 4)
    assert next(c for c in checks if c.quantity == "semigroup.conclusion:psi").status == "FAIL"
