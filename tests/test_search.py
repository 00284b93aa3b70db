"""The refuter's search engine (:mod:`skd.verify.search`): determinism for a seed, candidates on
the open (``paper``) or closed simplex, log formatting, the :class:`SearchLog` summary and reason
kinds, and the generic phases driven through a tiny fake :class:`SearchRules` (the engine names
no axiom: whatever rules it is given decide margins, violations and certification).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping
from fractions import Fraction as Q

import pytest

from skd.operators import library
from skd.verify.axioms import rules_for
from skd.verify.hybrid import HoldsNote
from skd.verify.search import Candidate, Search, SearchLog, SearchRules, fmt_q, tie_directions


@dataclasses.dataclass
class FakeRules:
    """A minimal :class:`SearchRules`: margin ``P[0] - 1/2`` (a violation when negative), and a
    certifier that records its calls and answers what the test asks."""

    axiom_id: str = "ranking"  # a declared axiom (the engine looks it up in the profile)
    margin_name: str = "fake margin"
    perturb_temps: bool = True
    ordered_temps: bool = False
    answer: object = None
    note: str | None = None
    raises: Exception | None = None
    certified: list = dataclasses.field(default_factory=list)

    def run(self, s):
        return s.result()

    def margin(self, s, cand: Candidate):
        return float(cand[0][0] - Q(1, 2))

    def violates(self, s, m):
        return m < 0

    def certify(self, s, cand, notes):
        self.certified.append(cand)
        if self.note is not None:
            notes.append(self.note)
        if self.raises is not None:
            raise self.raises
        return self.answer

    def sample(self, s, r: random.Random, Vn: int, vals: Mapping[str, Q]):
        return (s.draw_p(r, Vn), (s.draw_T(r),), vals)


def _search(op=library.power, rules: SearchRules | None = None, profile="paper", seed=0) -> Search:
    return Search(op, rules if rules is not None else rules_for("ranking"), profile, seed=seed, seconds=60.0, values=None)


def test_search_fake_rules_implement_the_protocol_used_by_the_engine():
    rules = FakeRules()
    s = _search(rules=rules)
    assert s.rules is rules and s.axiom == "ranking"
    assert isinstance(s.run(), SearchLog)


@pytest.mark.parametrize("op", [library.power, library.hybrid, library.topk], ids=lambda op: op.name)
def test_search_is_deterministic_for_a_seed(op):
    a, b = _search(op, seed=7), _search(op, seed=7)
    for Vn in (2, 3, 5):
        assert a.p_candidates(Vn) == b.p_candidates(Vn)
    assert a.p_candidates(4, ties=True) == b.p_candidates(4, ties=True)
    assert a.T_grid() == b.T_grid() and a.T_grid(dense=True) == b.T_grid(dense=True)
    assert a.x_grid() == b.x_grid()
    sa, sb = a.sampler(), b.sampler()
    assert [sa(a.rng) for _ in range(30)] == [sb(b.rng) for _ in range(30)]
    ra, rb = random.Random(3), random.Random(3)
    assert [(a.draw_x(ra), a.draw_T(ra), a.draw_p(ra, 4)) for _ in range(30)] == \
        [(b.draw_x(rb), b.draw_T(rb), b.draw_p(rb, 4)) for _ in range(30)]


def test_search_random_candidates_depend_on_the_seed():
    assert _search(seed=0).p_candidates(4) != _search(seed=1).p_candidates(4)


@pytest.mark.parametrize("Vn", [2, 3, 5, 8])
def test_search_paper_candidates_are_on_the_open_simplex(Vn):
    s = _search()
    cands = s.p_candidates(Vn, ties=True)
    assert len(cands) == len(set(cands)) > 10
    for P in cands:
        assert len(P) == Vn and all(isinstance(v, Q) and v > 0 for v in P) and sum(P) == 1
    r = random.Random(0)
    for _ in range(100):
        P = s.draw_p(r, Vn)
        assert all(v > 0 for v in P) and sum(P) == 1
    assert all(0 < v < 1 for v in s.x_grid())


def test_search_closed_candidates_may_contain_zeros():
    s = _search(profile="closed")
    cands = s.p_candidates(4)
    assert any(0 in P for P in cands)
    for P in cands:
        assert all(v >= 0 for v in P) and sum(P) == 1
    assert Q(0) in s.x_grid()
    r = random.Random(0)
    assert any(0 in s.draw_p(r, 4) for _ in range(200))


def test_search_T_grid_is_sorted_positive_and_holds_switching_points():
    s = _search(library.hybrid)
    assert s.T_switch == [Q(1)]
    for dense in (False, True):
        ts = s.T_grid(dense=dense)
        assert ts == sorted(set(ts)) and ts[0] > 0
        assert {Q(1), Q(1, 2**13), Q(2**13), 1 + Q(1, 2**32), 1 - Q(1, 2**32)} <= set(ts)
    assert len(s.T_grid(dense=True)) > len(s.T_grid())


def test_search_fmt_q_is_exact_when_short_else_six_digits():
    assert fmt_q(Q(1, 3)) == "1/3"
    assert fmt_q(Q(5)) == "5"
    assert fmt_q(Q(-2, 3)) == "-2/3"
    assert fmt_q(Q(1, 10**7)) == "~1e-07"
    assert fmt_q(Q(10**10)) == "~1e+10"
    assert fmt_q(Q(1, 3 * 10**6)) == "~3.33333e-07"


def test_search_describe_formats_p_temperatures_and_values():
    s = _search()
    assert s.describe(((Q(1, 3), Q(2, 3)), (Q(1),), {"a": Q(1, 2)})) == "p=(1/3, 2/3), T=1, a=1/2"
    assert s.describe(((Q(1, 2), Q(1, 2)), (), {})) == "p=(1/2, 1/2)"
    long = s.describe((tuple([Q(1, 10)] * 10), (Q(1, 4), Q(3)), {}))
    assert long == "p=(1/10, 1/10, 1/10, 1/10, 1/10, 1/10, ...), T=1/4/3"


def test_search_log_summary_mentions_sizes_T_range_seed_and_strategies():
    s = _search()
    s.strategies += ["a scan", "a scan", "another"]
    for cand in [((Q(1, 3), Q(2, 3)), (Q(1, 2),), {}), ((Q(1, 5), Q(1, 5), Q(3, 5)), (Q(4),), {})]:
        s.margin(cand)
    log = s.result()
    assert log.candidates == 2 and log.sizes == (2, 3) and log.T_range == ("1/2", "4")
    assert log.strategies == ("a scan", "another")
    text = log.summary
    assert "2 candidates" in text and "V in {2, 3}" in text and "T in [1/2, 4]" in text
    assert "strategies: a scan, another" in text and "seed 0" in text
    assert str(log) == log.reason == text
    assert log.reason_kind == "undecided"


def test_search_log_near_miss_names_the_rules_margin_and_the_closest_candidate():
    rules = FakeRules()
    s = _search(rules=rules)
    for P in [(Q(9, 10), Q(1, 10)), (Q(3, 5), Q(2, 5)), (Q(3, 4), Q(1, 4))]:
        s.observe(s.margin((P, (Q(1),), {})), (P, (Q(1),), {}))
    log = s.result()
    assert log.near_miss == "fake margin 0.1 at p=(3/5, 2/5), T=1"
    assert "closest: fake margin 0.1" in log.summary


def test_search_result_unsupported_has_reason_kind_unsupported_and_the_note_as_summary():
    log = _search().result("no search for this", supported=False)
    assert log.reason_kind == "unsupported" and log.summary == "no search for this"
    assert _search().result(supported=False).summary == "not supported by the refuter"


def test_search_log_reason_kind_budget_when_out_of_time_without_uncertified():
    base = dict(axiom="ranking", operator="op", profile="paper", seed=0, seconds=1.0, budget=1.0, candidates=3,
                certify_attempts=0, sizes=(2,), T_range=None, strategies=("s",))
    assert SearchLog(**base, out_of_time=True).reason_kind == "budget"
    assert "budget exhausted" in SearchLog(**base, out_of_time=True).summary
    assert SearchLog(**base, out_of_time=True, uncertified=("x",)).reason_kind == "undecided"
    assert SearchLog(**base).reason_kind == "undecided"


def test_search_consider_certifies_only_violations_and_each_candidate_once():
    rules = FakeRules(answer="CE")
    s = _search(rules=rules)
    ok: Candidate = ((Q(3, 4), Q(1, 4)), (Q(1),), {})
    bad: Candidate = ((Q(1, 4), Q(3, 4)), (Q(1),), {})
    assert s.consider(ok) is None and rules.certified == []
    assert s.consider(bad) == "CE" and rules.certified == [bad]
    assert s.consider(bad) is None and rules.certified == [bad]  # already tried
    assert s.certify_attempts == 1 and s.candidates == 3


def test_search_uncertified_violations_are_logged_and_dismissals_counted():
    bad: Candidate = ((Q(1, 4), Q(3, 4)), (Q(1),), {})
    rules = FakeRules(note="overlapping balls")
    s = _search(rules=rules)
    assert s.consider(bad) is None
    assert s.uncertified == ["p=(1/4, 3/4), T=1 (overlapping balls)"] and s.dismissed == 0
    rules = FakeRules(note=HoldsNote("holds exactly"))
    s = _search(rules=rules)
    assert s.consider(bad) is None
    assert s.uncertified == [] and s.dismissed == 1
    s = _search(rules=FakeRules(raises=ValueError("boom")))
    assert s.consider(bad) is None
    assert s.uncertified == ["p=(1/4, 3/4), T=1 (ValueError: boom)"]


def test_search_stops_at_the_certification_cap_and_says_so_not_out_of_time():
    """After MAX_CERTIFY failed certifications every later candidate would be declined: the search
    stops there (late() is True) and its log names the cap, not the budget (more time cannot help)."""
    from skd.verify.search import MAX_CERTIFY

    rules = FakeRules(note="overlapping balls")
    s = _search(rules=rules)
    for k in range(MAX_CERTIFY):
        assert not s.late()
        assert s.consider(((Q(1, 4) - Q(1, 10**6 + k), Q(3, 4) + Q(1, 10**6 + k)), (Q(1),), {})) is None
    assert s.certify_attempts == MAX_CERTIFY and s.late()
    assert s.consider(((Q(1, 5), Q(4, 5)), (Q(1),), {})) is None and len(rules.certified) == MAX_CERTIFY
    log = s.result()
    assert log.capped and not log.out_of_time and log.reason_kind == "undecided"
    assert f"stopped after {MAX_CERTIFY} certification attempts, the cap" in log.summary
    assert "budget exhausted" not in log.summary


def test_search_hypothesis_phase_returns_what_the_rules_certify():
    rules = FakeRules(answer="CE")
    s = _search(rules=rules)
    assert s.hypothesis_phase(s.sampler(), max_examples=50) == "CE"
    assert rules.certified and all(c[0][0] < Q(1, 2) for c in rules.certified)


def test_search_local_phase_descends_the_margin_to_a_violation():
    rules = FakeRules(answer="CE")
    s = _search(rules=rules)
    s.observe(s.margin(((Q(3, 5), Q(2, 5)), (Q(1),), {})), ((Q(3, 5), Q(2, 5)), (Q(1),), {}))
    assert s.local_phase(steps=200) == "CE"
    assert "local optimisation" in s.strategies


def _perturbs(rules, profile="paper", n=300):
    s = _search(rules=rules, profile=profile)
    cand: Candidate = ((Q(1, 2), Q(3, 10), Q(1, 5)), (Q(1, 2), Q(2)), {})
    return cand, [c for c in (s.perturb(cand, 1.0) for _ in range(n)) if c is not None]


def test_search_perturb_keeps_temperatures_when_rules_forbid_moving_them():
    cand, outs = _perturbs(FakeRules(perturb_temps=False))
    assert len(outs) > 100
    assert all(c[1] == cand[1] for c in outs)
    assert any(c[0] != cand[0] for c in outs)


def test_search_perturb_moves_temperatures_when_rules_allow():
    cand, outs = _perturbs(FakeRules(perturb_temps=True))
    assert any(c[1] != cand[1] for c in outs)
    assert all(t > 0 for c in outs for t in c[1])


def test_search_perturb_keeps_temperatures_strictly_increasing_when_rules_order_them():
    _, outs = _perturbs(FakeRules(perturb_temps=True, ordered_temps=True), n=600)
    assert any(c[1] != (Q(1, 2), Q(2)) for c in outs)
    assert all(c[1][0] < c[1][1] for c in outs)


@pytest.mark.parametrize("profile", ["paper", "closed"])
def test_search_perturb_keeps_p_on_the_simplex(profile):
    _, outs = _perturbs(FakeRules(perturb_temps=False), profile=profile)
    for P, _, _ in outs:
        assert sum(P) == 1
        assert all(v > 0 for v in P) if profile == "paper" else all(v >= 0 for v in P)


def test_search_tie_directions_break_each_tie_against_index_order():
    assert tie_directions((Q(1, 2), Q(1, 4), Q(1, 4))) == [(0, -1, 1)]
    assert tie_directions((Q(1, 2), Q(1, 3), Q(1, 6))) == []
    assert len(tie_directions((Q(1, 5),) * 5)) == 6  # capped


def test_search_pair_vector_holds_both_entries_or_is_none():
    s, closed = _search(), _search(profile="closed")
    assert s.pair_vector(Q(1, 2), Q(1, 2), 2) == (Q(1, 2), Q(1, 2))
    assert s.pair_vector(Q(1, 2), Q(1, 4), 2) is None
    assert s.pair_vector(Q(1, 2), Q(1, 4), 4) == (Q(1, 2), Q(1, 4), Q(1, 8), Q(1, 8))
    assert s.pair_vector(Q(1, 2), Q(1, 2), 3) is None
    assert closed.pair_vector(Q(1, 2), Q(1, 2), 3) == (Q(1, 2), Q(1, 2), Q(0))
