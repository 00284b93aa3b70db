"""Reference values and the composition law (``skd.verify.derivations.basics``)."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from skd.operators import evaluate_mp, library
from skd.verify.derivations import derive
from skd.verify.derivations.basics import S
from skd.verify.derivations.crosschecks.basics import crosscheck
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


@pytest.fixture(scope="module")
def hybrid():
    return derive(library.hybrid, topics=["basics"])


def test_basics_hybrid_composition_law_refuted_at_F_half_of_F_2(hybrid):
    # re-derived by hand: F_2(p) = p/2 + 1/6 = (31, 16, 13)/60 (mixture piece), then F_{1/2} squares:
    # r = (961, 256, 169)/1386 exactly
    law = hybrid.claim("semigroup.law")
    assert law.status == "refuted" and law.counterexample["certified_by"] == "arb"
    assert (law.counterexample["S"], law.counterexample["T"]) == ("1/2", "2")
    r = [float(v["decimal"]) for v in law.counterexample["r"]]
    assert r == pytest.approx([961 / 1386, 256 / 1386, 169 / 1386], rel=1e-11)
    # r on the mixture line would need (r1 - r2)/(r2 - r3) = (p1 - p2)/(p2 - p3) = 5; it is 705/87
    assert (961 - 256) / (256 - 169) != pytest.approx(5)
    assert hybrid.claim("semigroup.one_family").status == "refuted"
    assert hybrid.claim("semigroup.conclusion").status == "not_established"


def test_basics_hybrid_law_counterexample_reproduce_line_runs(hybrid, capsys):
    exec(hybrid.claim("semigroup.law").counterexample["reproduce"], {})
    out = capsys.readouterr().out
    assert "0.6933621933621" in out and "0.3966" in out and "0.01948" in out


def test_basics_closure_search_finds_nothing_for_a_law_that_holds():
    from skd.operators import separable
    from skd.verify.derivations.basics import closure_counterexample

    # two power-type pieces (c = 1/T, then 1/T**2): not one family for the prover, yet every
    # composite is p^(c(S) c(T)), which is F_psi for some psi; a refutation here would be unsound
    two_pieces = separable("Piecewise((x**(1/T), T <= 1), (x**(1/T**2), True))")
    assert closure_counterexample(two_pieces) is None
    for op in (library.power, library.mixture, library.laplace, library.power_T2):
        assert closure_counterexample(op) is None


def test_basics_crosscheck_confirms_the_law_refutation_and_catches_a_moved_r(hybrid):
    checks = crosscheck(hybrid, 2)
    law_checks = [c for c in checks if c.quantity.startswith("semigroup.law:")]
    assert len(law_checks) == 2 and all(c.status == "pass" for c in law_checks)
    law = hybrid.claim("semigroup.law")
    # a stated r moved onto the curve: F_psi(p) at psi = 1 is p itself
    moved = {**law.counterexample, "r": [{"ball": "", "decimal": str(v)} for v in (0.7, 0.2, 0.1)]}
    bad_claims = tuple(dataclasses.replace(c, counterexample=moved) if c.id == law.id else c for c in hybrid.claims)
    bad = dataclasses.replace(hybrid, claims=bad_claims)
    got = {c.quantity: c.status for c in crosscheck(bad, 2)}
    assert got["semigroup.law:counterexample"] == "FAIL"
    assert got["semigroup.law:counterexample (no psi)"] == "FAIL"


def test_basics_crosscheck_catches_a_wrong_composition_temperature(power):
    ok = crosscheck(power, 4)
    assert all(c.status == "pass" for c in ok)
    concl = power.claim("semigroup.conclusion")
    wrong = dataclasses.replace(concl.constants[0], expr=S + T)
    bad_claims = tuple(dataclasses.replace(c, constants=(wrong,)) if c.id == concl.id else c for c in power.claims)
    bad = dataclasses.replace(power, claims=bad_claims)
    checks = crosscheck(bad, 4)
    assert next(c for c in checks if c.quantity == "semigroup.conclusion:psi").status == "FAIL"
