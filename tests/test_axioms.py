"""The axioms' rules (:mod:`skd.verify.axioms`): the registry mirrors the theory's axioms, the
per-kind provers, the flags the engine and the prover read, and each rule's margin / violation
test on small hand-made searches of built-in operators.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction as Q

import pytest

from skd.operators import library, separable, vector
from skd.operators.kinds import OperatorKind
from skd.theory.axioms import AXIOM_IDS, AXIOMS
from skd.verify.axioms import RULES, AxiomRules, prover_for, rules_for
from skd.verify.axioms.boundary import exact_uniform_limit
from skd.verify.axioms.identity import Identity
from skd.verify.search import Search, SearchLog
from skd.verify.verdict import Counterexample


def _search(op, axiom, profile="paper"):
    return Search(op, rules_for(axiom), profile, seed=0, seconds=60.0, values=None)


def _margin(op, axiom, P, temps, profile="paper"):
    s = _search(op, axiom, profile)
    r = rules_for(axiom)
    m = r.margin(s, (tuple(P), tuple(temps), {}))
    return m, (None if m is None else r.violates(s, m))


def test_axioms_rules_keys_are_the_theory_axiom_ids_in_order():
    assert tuple(RULES) == AXIOM_IDS
    assert [r.axiom for r in RULES.values()] == list(AXIOMS)
    for axiom_id, r in RULES.items():
        assert isinstance(r, AxiomRules) and r.axiom_id == axiom_id
        assert rules_for(axiom_id) is r


def test_axioms_rules_for_unknown_id_raises_keyerror_naming_the_axioms():
    with pytest.raises(KeyError) as info:
        rules_for("monotonicity")
    msg = str(info.value)
    assert "'monotonicity'" in msg
    assert all(a in msg for a in AXIOM_IDS)
    with pytest.raises(KeyError):
        prover_for("monotonicity", "separable")


@pytest.mark.parametrize("axiom", AXIOM_IDS)
def test_axioms_every_axiom_has_a_separable_and_a_vector_prover(axiom):
    """Vector operators: the pointwise axioms by symbolic execution on the declared sizes, the
    others by a theorem about a built-in, then from the form of the pieces (a user's operator,
    Theorems U.0-U.3); well_defined by theorem first, then symbolically."""
    from skd.verify.provers import theorems as TH
    from skd.verify.provers import vector as V
    from skd.verify.provers import vector_forms as VF

    assert callable(prover_for(axiom, "separable"))
    assert prover_for(axiom, OperatorKind.SEPARABLE) is prover_for(axiom, "separable")
    vec = prover_for(axiom, "vector")
    if axiom == "identity":
        assert vec is V.prove_identity_vector
    elif axiom in ("well_defined", "ranking"):  # ranking: by theorem under the weak profile only
        mechanical = {"well_defined": V.prove_well_defined_vector, "ranking": V.prove_ranking_vector}[axiom]
        assert isinstance(vec, TH.FirstOf)
        assert [type(p) for p in vec.provers] == [TH.TheoremProver, type(mechanical)]
        assert vec.provers[0].axiom_id == axiom and vec.provers[1] is mechanical
    else:
        assert isinstance(vec, TH.FirstOf)
        assert [type(p) for p in vec.provers] == [TH.TheoremProver, VF.FormProver]
        assert all(p.axiom_id == axiom for p in vec.provers)
    assert prover_for(axiom, "quantum") is None


def test_axioms_every_axiom_searches_both_kinds():
    for r in RULES.values():
        assert r.searched_kinds() == {OperatorKind.SEPARABLE, OperatorKind.VECTOR}, r.axiom_id


def test_axioms_needs_positive_score_is_false_exactly_for_well_defined_and_identity():
    assert {a for a, r in RULES.items() if not r.needs_positive_score} == {"well_defined", "identity"}


def test_axioms_boundary_rules_name_their_end_and_no_other_rule_has_one():
    assert rules_for("boundary_cold").end == "cold" and rules_for("boundary_hot").end == "hot"
    assert rules_for("boundary_cold").which == "cold" and rules_for("boundary_hot").which == "hot"
    assert {a for a, r in RULES.items() if r.end is not None} == {"boundary_cold", "boundary_hot"}


def test_axioms_identity_fixes_temperatures_and_entropy_orders_them():
    assert {a for a, r in RULES.items() if not r.perturb_temps} == {"identity"}
    assert {a for a, r in RULES.items() if r.ordered_temps} == {"entropy"}


# -- margins and violations -------------------------------------------------------------------

P3 = (Q(1, 2), Q(3, 10), Q(1, 5))
P4 = (Q(2, 5), Q(3, 10), Q(1, 5), Q(1, 10))


def test_axioms_identity_margin_is_zero_for_power_at_T_1():
    m, bad = _margin(library.power, "identity", P3, [Q(1)])
    assert abs(m) < 1e-12 and not bad


def test_axioms_identity_margin_is_negative_for_topk_where_it_drops_an_entry():
    m, bad = _margin(library.topk, "identity", P3, [Q(1)])  # F_1(p)_3 = 0 != 1/5
    assert m == pytest.approx(-1.0) and bad
    # the margin is taken at T = 1 whatever the candidate's temperature
    assert _margin(library.power, "identity", P3, [Q(5)])[0] == pytest.approx(0.0, abs=1e-12)


def test_axioms_identity_samples_at_T_1_and_certifies_topk():
    s = _search(library.topk, "identity")
    r = rules_for("identity")
    assert all(r.sample(s, random.Random(k), 3, {})[1] == (Q(1),) for k in range(20))
    ce = r.certify(s, (P3, (Q(1),), {}), [])
    assert isinstance(ce, Counterexample)
    assert ce.statement == "F_1(p)_2 != p_2" and ce.p == ("1/2", "3/10", "1/5") and ce.relation == "!="


def test_axioms_ranking_margin_is_positive_for_power():
    m, bad = _margin(library.power, "ranking", P4, [Q(1, 3)])
    assert m > 0 and not bad
    assert m == pytest.approx(3 * math.log(4 / 3), rel=1e-12)  # worst pair (2/5, 3/10): log g = 3 log x


def test_axioms_ranking_margin_of_topk_is_zero_on_the_truncated_tail():
    # p_3 > p_4, both dropped by top-2: F_3 = F_4 = 0, a violation of the strict axiom only
    m, bad = _margin(library.topk, "ranking", P4, [Q(1)])
    assert m == 0.0 and bad
    m, bad = _margin(library.topk, "ranking", P4, [Q(1)], profile="weak")
    assert m == 0.0 and not bad
    m, bad = _margin(library.topk, "ranking", P3, [Q(1)])
    assert m > 0 and not bad


def test_axioms_ranking_certifies_the_topk_tail_violation():
    s = _search(library.topk, "ranking")
    ce = rules_for("ranking").certify(s, (P4, (Q(1),), {}), [])
    assert isinstance(ce, Counterexample)
    assert ce.statement == "p_2 > p_3 but F_T(p)_2 <= F_T(p)_3 at T = 1"  # 0-based indices
    assert (ce.i, ce.j) == (2, 3)


def test_axioms_well_defined_margin_is_the_smallest_entry_of_F():
    m, bad = _margin(library.power, "well_defined", P3, [Q(1)])
    assert m == pytest.approx(0.2) and not bad
    m, bad = _margin(library.sparsemax, "well_defined", P3, [Q(1)])
    assert m == 0.0 and not bad


def test_axioms_well_defined_margin_is_negative_for_a_negative_score():
    op = separable("x - 1/5", name="shifted")
    m, bad = _margin(op, "well_defined", (Q(7, 10), Q(1, 5), Q(1, 10)), [Q(1)])
    assert m == pytest.approx(-0.25) and bad


def test_axioms_entropy_margin_is_the_entropy_change_between_the_temperatures():
    up, bad_up = _margin(library.power, "entropy", P3, [Q(1, 2), Q(2)])
    down, bad_down = _margin(library.power, "entropy", P3, [Q(2), Q(1, 2)])
    assert up > 0 and not bad_up
    assert down == pytest.approx(-up) and bad_down


def test_axioms_entropy_samples_increasing_temperature_pairs():
    s = _search(library.power, "entropy")
    for k in range(50):
        _, (t1, t2), _ = rules_for("entropy").sample(s, random.Random(k), 3, {})
        assert 0 < t1 < t2


@pytest.mark.parametrize("axiom", ["continuity", "boundary_cold", "boundary_hot"])
def test_axioms_limit_and_continuity_rules_have_no_float_margin(axiom):
    assert _margin(library.power, axiom, P3, [Q(1)]) == (None, None)


# -- whole-search answers that need no search --------------------------------------------------

def test_axioms_boundary_of_a_vector_operator_without_declared_limit_searches_its_algorithms_path():
    """No declared limit function (sparsemax): the search takes the exact limits of the path its
    algorithm takes near the end of the T-axis at exact p (issue 14, item 3) — a supported search,
    which finds nothing here (sparsemax's limits are true, vector.md L.2)."""
    s = Search(library.sparsemax, rules_for("boundary_cold"), "paper", seed=0, seconds=3.0, values=None)
    log = rules_for("boundary_cold").run(s)
    assert isinstance(log, SearchLog) and log.supported and log.reason_kind != "unsupported"
    assert "algorithm's path near the end of the T-axis" in log.summary and log.candidates > 0


def test_axioms_continuity_of_a_vector_operator_not_order_based_is_searched():
    """Jumps at ties are searched for every vector algorithm (Theorem V.3'), declared
    order_based or not: a continuous one yields a log of what was tried, not 'unsupported'."""
    op = vector(lambda p, T, ar: [ar.num(v) for v in p], name="ident", definition="p")
    log = rules_for("continuity").run(_search(op, "continuity"))
    assert isinstance(log, SearchLog) and log.reason_kind != "unsupported", log
    assert "V.3'" in " ".join(log.strategies)


def test_axioms_continuity_of_a_score_without_switching_points_in_x_is_unsupported():
    log = rules_for("continuity").run(_search(library.power, "continuity"))
    assert log.reason_kind == "unsupported"


def test_axioms_rules_without_a_handler_for_the_kind_answer_unsupported():
    class SeparableOnly(Identity):
        structured = {}

    log = SeparableOnly().run(_search(library.topk, "identity"))
    assert isinstance(log, SearchLog) and log.reason_kind == "unsupported"
    assert "identity" in log.summary and "vector" in log.summary


def test_axioms_exact_uniform_limit_applies_declared_limits_exactly():
    P = (Q(1, 2), Q(1, 3), Q(1, 6))
    assert exact_uniform_limit(library.topk_cold_limit, P) == [Q(1), 0, 0]
    assert exact_uniform_limit(library.topk_hot_limit, P) == [Q(1, 2), Q(1, 2), 0]
    assert exact_uniform_limit(library.uniform_on_argmax, (Q(2, 5), Q(2, 5), Q(1, 5))) == [Q(1, 2), Q(1, 2), 0]
    assert exact_uniform_limit(library.identity_limit, P) == list(P)
    # entries that differ exactly but not in floats: the index sets could differ, so no limit
    eps = Q(1, 10**30)
    assert exact_uniform_limit(library.uniform_on_argmax, (Q(1, 2) + eps, Q(1, 2) - eps)) is None
