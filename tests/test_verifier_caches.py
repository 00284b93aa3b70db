"""The verifier's caches (issue 17, item 3): each is hit when the same work repeats, and two
inputs that differ only in assumptions, region, side, parameter values or budget never share an
entry. A cache only saves time: with and without it the verdicts and certificates are the same.
"""

from __future__ import annotations

import gc
import time
from fractions import Fraction

import pytest
import sympy as sp
from skd.operators import Param, library, separable
from skd.operators.symbols import T, x
from skd.theory.axioms import PROFILES
from skd.verify import budget, checker, limits, prove, signs
from skd.verify.budget import MEMOS, Memo


@pytest.fixture(autouse=True)
def _fresh_memos() -> None:
    for memo in MEMOS.values():
        memo.clear()


# -- the memo itself ------------------------------------------------------------------------------


def test_memo_is_bounded_and_never_stores_an_exception() -> None:
    m = Memo("test.bounded", limit=3)
    for k in range(10):
        m.store(k, k * k)
        assert len(m.data) <= 3
    assert m.lookup(9) == (True, 81)
    assert m.lookup(0) == (False, None)
    assert m.lookup([1, 2]) == (False, None)  # unhashable: a miss, not an error
    m.store([1, 2], 0)
    assert len(m.data) <= 3
    del MEMOS["test.bounded"]


def test_memo_keys_compare_sympy_objects_exactly() -> None:
    m = Memo("test.keys")
    t = sp.Symbol("t", positive=True)
    m.store((sp.Integer(2), t), "integer")
    assert m.lookup((sp.Float(2), t)) == (False, None)  # Float(2) is another key than Integer(2)
    assert m.lookup((sp.Integer(2), sp.Symbol("t"))) == (False, None)  # other assumptions
    assert m.lookup((sp.Integer(2), sp.Symbol("t", positive=True))) == (True, "integer")
    del MEMOS["test.keys"]


# -- sign_of ---------------------------------------------------------------------------------------


def test_sign_memo_is_hit_on_the_same_expression() -> None:
    t = sp.Symbol("t", positive=True)
    e = sp.log(1 + t) + 1
    assert signs.sign_of(e) == "pos"
    hits = signs._SIGN_MEMO.hits
    assert signs.sign_of(e) == "pos"
    assert signs._SIGN_MEMO.hits == hits + 1


def test_sign_memo_does_not_mix_regions_assumptions_or_depth() -> None:
    t = sp.Symbol("t", positive=True)
    # log T on the region T in (0, 1) (T = 1/(1 + t)) and on T in (1, oo) (T = 1 + t)
    assert signs.sign_of(sp.log(1 / (1 + t))) == "neg"
    assert signs.sign_of(sp.log(1 + t)) == "pos"
    # the same text with other assumptions is another symbol, hence another key
    t_int = sp.Symbol("t", positive=True, integer=True)
    misses = signs._SIGN_MEMO.misses
    signs.sign_of(t_int - 1)
    assert signs._SIGN_MEMO.misses > misses
    assert ((t_int - 1), 0) in signs._SIGN_MEMO.data and ((t - 1), 0) not in signs._SIGN_MEMO.data
    # depth is part of the key: past the cut-off the answer is None, not the cached sign
    assert signs.sign_of(sp.exp(t), 0) == "pos"
    assert signs.sign_of(sp.exp(t), 61) is None
    # a free symbol not declared positive is still an error, never a cached answer
    with pytest.raises(ValueError):
        signs.sign_of(sp.Symbol("w") + 1)
    with pytest.raises(ValueError):
        signs.sign_of(sp.Symbol("w") + 1)


def test_sign_on_a_region_is_computed_once_and_keyed_by_expression_and_region() -> None:
    """``provers.common.sign_step`` asks for the same sign on the same region again (another axiom,
    the route through -g): the second time it is a memo hit with the same sign, expression and
    step; another region or another expression is another entry."""
    from skd.verify.provers import common

    memo = common._SIGN_ON
    region = ((T, sp.Symbol("t", positive=True) + 1), (x, sp.Rational(1, 2)))
    first = common.sign_step(sp.log(T), region, "log T", "T > 1", sp.log(T))
    assert first[0] == "pos" and memo.misses == 1 and memo.hits == 0
    again = common.sign_step(sp.log(T), region, "log T", "T > 1", sp.log(T))
    assert again == first and memo.hits == 1
    below = ((T, 1 / (sp.Symbol("t", positive=True) + 1)), (x, sp.Rational(1, 2)))
    assert common.sign_step(sp.log(T), below, "log T", "T < 1", sp.log(T))[0] == "neg"
    assert common.sign_step(-sp.log(T), region, "-log T", "T > 1", -sp.log(T))[0] == "neg"
    assert memo.hits == 1 and memo.misses == 3


# -- exact limits of the refuter/certifier ------------------------------------------------------------


def test_limit_memo_is_hit_and_keyed_by_side() -> None:
    e = 1 / (x - sp.Rational(1, 2))
    assert limits._lim(e, x, sp.Rational(1, 2), "+") == sp.oo
    hits = limits._LIM_MEMO.hits
    assert limits._lim(e, x, sp.Rational(1, 2), "+") == sp.oo
    assert limits._LIM_MEMO.hits == hits + 1
    assert limits._lim(e, x, sp.Rational(1, 2), "-") == -sp.oo  # the other side: its own entry


def test_limit_memo_keeps_symbols_with_different_assumptions_apart() -> None:
    a = sp.Symbol("a")
    a_pos = sp.Symbol("a", positive=True)
    expr = sp.Heaviside(x - sp.Rational(1, 3)) * a
    assert limits._lim(expr.subs(a, a_pos), x, sp.Rational(1, 3), "+") == a_pos
    assert limits._lim(expr, x, sp.Rational(1, 3), "+") == a  # not the positive symbol's entry


def test_score_limit_memo_separates_parameter_values_and_ends() -> None:
    op = separable("x**(1/T) * exp(c*T)", params=[Param("c", -5, 5)], name="c_op")
    q = Fraction(1, 4)
    cold = limits.score_T_limit(op, q, "cold", 2, {"c": Fraction(1)})
    misses = limits._T_EXPR_MEMO.misses
    assert limits.score_T_limit(op, q, "cold", 2, {"c": Fraction(1)}) == cold
    assert limits._T_EXPR_MEMO.misses == misses and limits._T_EXPR_MEMO.hits >= 1
    # another parameter value, another end: other entries and other answers
    g1, _ = limits._T_expr(op, q, 2, {"c": Fraction(1)}, "hot")
    g2, _ = limits._T_expr(op, q, 2, {"c": Fraction(2)}, "hot")
    assert g1 != g2
    hot = limits.score_T_limit(op, q, "hot", 2, {"c": Fraction(-1)})
    assert hot == 0 and cold == 0
    assert limits.score_T_limit(op, q, "hot", 2, {"c": Fraction(1)}) == sp.oo


def test_separable_limits_are_the_same_with_a_cold_and_a_warm_memo() -> None:
    op = separable("x**(1/T) + 1", name="plus_one")
    cases = [([Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)], w) for w in ("cold", "hot")]
    first = [limits.separable_T_limit(op, p, w) for p, w in cases]
    warm = [limits.separable_T_limit(op, p, w) for p, w in cases]
    for memo in MEMOS.values():
        memo.clear()
    cold = [limits.separable_T_limit(op, p, w) for p, w in cases]
    assert first == warm == cold


# -- prover outcomes shared between the axioms of one check ----------------------------------------------


def test_seed_memo_takes_only_this_prover_version_and_keeps_what_is_there() -> None:
    op = library.power
    out = prove.prove("well_defined", op, PROFILES["paper"])
    key = (prove.PROVER_VERSION, "well_defined", op.hash, "paper")
    assert prove._MEMO[key] is out
    other = prove.Outcome("unknown", "x", reason="stale")
    assert prove.seed_memo({key: other}) == 0 and prove._MEMO[key] is out
    stale = ("0", "well_defined", op.hash, "paper")
    assert prove.seed_memo({stale: other}) == 0 and stale not in prove._MEMO


def test_prove_job_shares_its_lemmas_keyed_by_operator_and_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prove, "_MEMO", {})
    op = separable("x**(2/T)", name="sharp")
    res = checker._prove_job("ranking", op, "paper", {})
    assert isinstance(res, checker._Shared) and res.outcome.status == "proved"
    keys = set(res.entries)
    assert (prove.PROVER_VERSION, "well_defined", op.hash, "paper") in keys  # the lemma, proved on the way
    assert (prove.PROVER_VERSION, "ranking", op.hash, "paper") in keys
    # another operator (same text, another parameter range would change the hash too) never hits
    other = separable("x**(3/T)", name="sharp")
    assert all(k[2] != other.hash for k in keys)
    # a fresh process seeded with the entries computes nothing for them again
    monkeypatch.setattr(prove, "_MEMO", {})
    assert prove.seed_memo(res.entries) == len(res.entries)
    again = checker._prove_job("ranking", op, "paper", res.entries)
    assert again.entries == {} and again.outcome is res.entries[(prove.PROVER_VERSION, "ranking", op.hash, "paper")]
    # without ``shared`` the job is the plain prover call
    assert checker._prove_job("ranking", op, "paper").status == "proved"


def _fingerprint(report):  # type: ignore[no-untyped-def]
    return [(v.axiom, v.status, v.method, v.scope, v.reason_kind, v.certificate,
             None if v.counterexample is None else (v.counterexample.p, v.counterexample.T, v.counterexample.V))
            for v in report.verdicts]


@pytest.mark.parametrize("score", ["x**(1/T)*exp(x/(T - 1))", "x**(1/T) + 1"])
def test_shared_outcomes_give_the_same_verdicts_and_certificates(score: str) -> None:
    op = separable(score, name="shared")
    with_sharing = checker.check(op, timeout=60, attack_seconds=0.3)
    prove._MEMO.clear()
    alone = [checker.check_axiom(op, a.id, timeout=60, attack_seconds=0.3) for a in PROFILES["paper"].axioms]
    assert _fingerprint(with_sharing) == [(v.axiom, v.status, v.method, v.scope, v.reason_kind, v.certificate,
                                          None if v.counterexample is None else
                                          (v.counterexample.p, v.counterexample.T, v.counterexample.V)) for v in alone]


# -- publishing from run_parallel workers; the forked worker's garbage collector ----------------------------


def _publishing_job(k: int) -> int:
    budget.publish({"from": k})
    return k * 10


def _reading_job(seen: dict) -> int:
    return len(seen)


def test_run_parallel_delivers_published_payloads_before_later_jobs_start() -> None:
    seen: dict = {}
    got: list = []

    def on_message(i: int, payload: dict) -> None:
        got.append((i, payload))
        seen.update({i: payload})

    jobs = [(_publishing_job, (0,)), (_publishing_job, (1,)), (_reading_job, (seen,))]
    out = budget.run_parallel(jobs, workers=2, on_message=on_message)
    assert out[:2] == [0, 10]
    assert sorted(i for i, _ in got) == [0, 1]
    assert out[2] >= 1  # started after at least one payload had arrived
    assert budget.publish({"x": 1}) is False  # not inside a run_parallel worker: nothing sent


def _sleeping_job(seconds: float) -> float:
    time.sleep(seconds)
    return time.monotonic()


def test_run_parallel_ready_holds_a_job_back_until_its_predicate_allows_it() -> None:
    """Job 2 is not ready while job 0 runs: the free worker takes job 1 (listed later) first, and
    job 2 starts only after job 0 has finished."""
    done: set[int] = set()
    starts: dict[int, float] = {}
    out = budget.run_parallel([(_sleeping_job, (1.0,)), (_sleeping_job, (0.1,)), (_sleeping_job, (0.1,))], workers=2,
                              on_start=lambda i: starts.__setitem__(i, time.monotonic()),
                              on_done=lambda i, v: done.add(i), ready=lambda i: i != 2 or 0 in done)
    assert starts[1] < starts[2] and starts[2] >= out[0] - 0.05  # job 2 after job 0 ended


def test_run_parallel_starts_a_job_that_is_never_ready_rather_than_deadlock() -> None:
    assert budget.run_parallel([(_reading_job, ({},)), (_reading_job, ({},))], workers=2,
                               ready=lambda i: False) == [0, 0]


def test_the_positivity_lemma_is_one_axiom_and_cites_no_lemma_itself() -> None:
    from skd.theory.axioms import AXIOM_IDS
    from skd.verify.axioms import rules_for

    providers = [a for a in AXIOM_IDS if rules_for(a).provides_positive_score]
    assert providers == ["well_defined"]
    assert not rules_for("well_defined").needs_positive_score  # else the checker would wait on itself


def _watched_check(monkeypatch: pytest.MonkeyPatch, op, **kw):  # type: ignore[no-untyped-def]
    """``checker.check(op)`` and the events of its job pool: ("start" | "published" | "done", axiom)."""
    events: list[tuple[str, str]] = []
    real = budget.run_parallel

    def watched(jobs, **kwargs):  # type: ignore[no-untyped-def]
        axiom = [args[1] for _, args in jobs]
        on_start, on_message, on_done = kwargs["on_start"], kwargs["on_message"], kwargs["on_done"]

        def start(i: int) -> None:
            events.append(("start", axiom[i]))
            on_start(i)

        def message(i: int, payload: object) -> None:
            events.append(("published", axiom[i]))
            on_message(i, payload)

        def done(i: int, v: object) -> None:
            events.append(("done", axiom[i]))
            on_done(i, v)

        return real(jobs, **{**kwargs, "on_start": start, "on_message": message, "on_done": done})

    monkeypatch.setattr(checker, "run_parallel", watched)
    prove._MEMO.clear()
    return checker.check(op, **kw), events


def _settled_at(events: list[tuple[str, str]], axiom: str) -> int:
    return min(events.index(e) for e in (("published", axiom), ("done", axiom)) if e in events)


def test_check_starts_an_axiom_citing_well_defined_only_once_the_lemma_is_settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """With two workers, the axioms whose proofs cite the lemma well_defined wait while its job
    runs (identity, which cites none, goes first) until the lemma is published: none of them
    proves it a second time (on the old checker, ranking started while the lemma was being proved)."""
    report, events = _watched_check(monkeypatch, library.topk, timeout=60, attack_seconds=0.1)
    assert report.verdict("well_defined").status == "proved"
    assert [a for e, a in events if e == "start"][:2] == ["well_defined", "identity"]
    for axiom in ("ranking", "continuity", "entropy", "boundary_cold", "boundary_hot"):
        assert events.index(("start", axiom)) > _settled_at(events, "well_defined"), (axiom, events)


def test_check_starts_entropy_once_its_lemmas_ranking_and_continuity_are_settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entropy's prover reads ranking and continuity as lemmas (``Entropy.cites``): it starts
    after both are settled."""
    from skd.verify.axioms import rules_for

    assert set(rules_for("entropy").cites) == {"ranking", "continuity"}
    report, events = _watched_check(monkeypatch, separable("x**(1/T)*(1 + x/(T + 3))", name="cites"), timeout=60,
                                    attack_seconds=0.1)
    assert report.verdict("entropy").status == "proved"
    start = events.index(("start", "entropy"))
    assert start > _settled_at(events, "ranking") and start > _settled_at(events, "continuity"), events


def test_publish_is_off_inside_budget_workers_of_a_parallel_job() -> None:
    def nested(_: int) -> bool:
        return budget.run_with_budget(budget.publish, ({"y": 1},), seconds=30)

    got: list = []
    assert budget.run_parallel([(nested, (0,)), (nested, (1,))], workers=2,
                               on_message=lambda i, p: got.append(p)) == [False, False]
    assert got == []


def test_workers_are_started_with_the_parent_gc_unchanged() -> None:
    before = gc.get_freeze_count()
    frozen_in_worker = budget.run_with_budget(gc.get_freeze_count, (), seconds=30)
    if budget.worker_context((gc.get_freeze_count, (), {})) is budget._CTX:
        assert frozen_in_worker > 0  # a forked worker inherits the parent's objects frozen
    assert gc.get_freeze_count() == before == 0


def test_check_many_starts_every_operators_lemma_free_axioms_before_the_axioms_that_wait(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Over several operators, the axioms that cite no lemma (well_defined, identity) of every
    operator are listed to start first, then the waiting ones in operator order: the last
    operator's well_defined (entmax15's takes ~9 s) starts with the first jobs instead of after
    every other operator's axioms, where its five waiting axioms ended the library run alone."""
    seen: list[tuple[str, str]] = []

    class _Stop(Exception):
        pass

    def capture(jobs, **kwargs):  # type: ignore[no-untyped-def]
        seen.extend((args[0].name, args[1]) for _, args in jobs)
        raise _Stop

    monkeypatch.setattr(checker, "run_parallel", capture)
    with pytest.raises(_Stop):
        checker.check_many([library.power, library.topk], timeout=60, attack_seconds=0.1)
    first = [(n, a) for n, a in seen[:4]]
    assert sorted(first) == [("power", "identity"), ("power", "well_defined"),
                             ("topk", "identity"), ("topk", "well_defined")], seen
    assert len(seen) == 14 and sorted(seen) == sorted({(n, a) for n, a in seen})  # every axiom once
    rest = [n for n, _ in seen[4:]]
    assert rest == sorted(rest, key=["power", "topk"].index)  # then operator by operator


def _sympy_draw() -> int:
    import sympy.core.random as sympy_random

    return sympy_random.randint(0, 10**12)


def test_every_budget_job_starts_sympys_random_generator_from_one_seed() -> None:
    """SymPy's multivariate factorisation draws random evaluation points (the same sign obligation
    took 2 s or > 40 s from run to run): a job's draws are the same in every run, whatever the parent
    drew before."""
    import sympy.core.random as sympy_random

    first = budget.run_with_budget(_sympy_draw, seconds=30)
    sympy_random.randint(0, 10)  # the parent's own draws move nothing in the next job
    assert budget.run_with_budget(_sympy_draw, seconds=30) == first
