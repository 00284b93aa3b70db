"""The adversarial corpus (issue 12, item 5): ground truth for the verifier, checked independently.

Fast tests (not ``slow``): the corpus is well formed, ``tests/independent_eval.py`` — which imports
nothing from skd — confirms every witness of every False cell and finds no counterexample to
the True cells on a bounded random sample, and its branch semantics are pinned.

Slow tests: ``skd.verify.check`` on every operator of this corpus and of ``tests/corpus.py``
gives **no unsound verdict** (``proved`` where the truth is False, ``refuted`` where it is True),
never crashes (an ``InternalConsistencyError`` — exit 4 — is a failure), and decides at least
:data:`DECISION_RATE_FLOOR` of the settled cells (issue 12's target, 85 %); the assertion
message lists every undecided cell with its reason.
"""

from __future__ import annotations

import ast
import collections
import json
import os
import pathlib
import random
from fractions import Fraction as Q

import pytest

from . import independent_eval as ie
from .adversarial_corpus import AXES, CASES, settled_cells
from .corpus import BROKEN, CORRECT

HERE = pathlib.Path(__file__).parent


def _id(case) -> str:
    return case.score[:48]


# -- the corpus itself ------------------------------------------------------------------------

def test_adversarial_corpus_size_categories_and_distinctness():
    assert len(CASES) >= 100
    assert settled_cells() >= 600
    scores = [c.score for c in CASES]
    assert len(set(scores)) == len(scores), "duplicate scores"
    old = {s for s, _, _ in BROKEN} | {s for s, _ in CORRECT}
    assert not set(scores) & old, "scores already in tests/corpus.py"
    per_category = collections.Counter(c.category for c in CASES)
    assert len(per_category) >= 12
    assert all(n >= 7 for n in per_category.values()), per_category


def test_adversarial_corpus_witnesses_exactly_for_false_cells():
    for c in CASES:
        assert set(c.truths) == set(AXES), c.score
        false = {a for a, t in c.truths.items() if t is False}
        assert set(c.witnesses) == false, f"{c.score}: witnesses {sorted(c.witnesses)} vs False cells {sorted(false)}"
        assert c.why.strip(), c.score


def test_adversarial_corpus_scores_parse_in_skd_and_in_the_independent_evaluator():
    from skd.operators.parse import parse_formula

    for c in CASES:
        parse_formula(c.score)
        ie.parse(c.score)


# -- the independent evaluator --------------------------------------------------------------------

def test_independent_eval_imports_nothing_from_skd():
    tree = ast.parse((HERE / "independent_eval.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative imports would reach the test package"
            names = [node.module or ""]
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            fname = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            assert fname not in {"__import__", "import_module", "eval", "exec"}, fname
            continue
        else:
            continue
        for name in names:
            assert name.split(".")[0] in {"__future__", "ast", "math", "random", "collections", "fractions",
                                          "typing", "mpmath"}, name


@pytest.mark.parametrize(("score", "p", "T", "expected"), [
    ("Heaviside(x - 1/3) + x", [Q(1, 3), Q(2, 3)], 1, [Q(1, 3), Q(2, 3)]),       # Heaviside(0) = 1/2
    ("sign(x - 1/2) + 2", [Q(1, 2), Q(1, 2)], 1, [Q(1, 2), Q(1, 2)]),             # sign(0) = 0
    ("floor(3*x) + 1", [Q(1, 3), Q(2, 3)], 1, [Q(2, 5), Q(3, 5)]),
    ("ceiling(3*x)", [Q(1, 3), Q(2, 3)], 1, [Q(1, 3), Q(2, 3)]),
    ("x**0*(x - 1/2)**0", [Q(1, 2), Q(1, 2)], 1, [Q(1, 2), Q(1, 2)]),            # 0**0 = 1
    ("-exp(-x/T)", [Q(1, 2), Q(1, 2)], 7, [Q(1, 2), Q(1, 2)]),                    # all negative: fine
    ("Min(x, 1/2) + Max(x, 1/2)", [Q(1, 4), Q(3, 4)], 1, [Q(3, 8), Q(5, 8)]),
    ("sqrt(x - 1/4) + 1", [Q(1, 4), Q(3, 4)], 1, ["1/(2 + sqrt(1/2))", "(1 + sqrt(1/2))/(2 + sqrt(1/2))"]),
    ("asin(2*x - 1) + 2", [Q(1, 2), Q(1, 2)], 1, [Q(1, 2), Q(1, 2)]),
])
def test_independent_eval_values(score, p, T, expected):
    kind, F, why = ie.outcome(score, p, T)
    assert kind == "ok", why
    for f, e in zip(F, expected):
        assert abs(ie.to_mpf(f) - ie.to_mpf(ie.value(e))) < ie.mpmath.mpf(10) ** -90


@pytest.mark.parametrize(("score", "p", "T", "kind"), [
    ("x*(T - 1)/(T - 1)", [Q(1, 3), Q(2, 3)], 1, "undefined"),          # written 0/0, whatever SymPy cancels
    ("(x - 1/2)**(1/T)", [Q(1, 3), Q(2, 3)], 3, "undefined"),            # negative base, exponent 1/3
    ("(x - 1/2)**(1/T)", [Q(1, 3), Q(2, 3)], Q(1, 2), "ok"),             # integer exponent 2: real
    ("sqrt(x - 1/2)", [Q(1, 3), Q(2, 3)], 1, "undefined"),
    ("log(x - 1/3)", [Q(1, 3), Q(2, 3)], 1, "undefined"),
    ("asin(2*x)", [Q(1, 3), Q(2, 3)], 1, "undefined"),
    ("acos(x - 1)", [Q(1, 3), Q(2, 3)], 1, "ok"),
    ("x*tan(T)", [Q(1, 3), Q(2, 3)], "pi/2", "undefined"),
    ("x/sin(pi*T)", [Q(1, 3), Q(2, 3)], 2, "undefined"),                 # sin(2 pi) = 0 to 110 digits
    ("x*exp(1/(T**2 - 2))", [Q(1, 3), Q(2, 3)], "sqrt(2)", "undefined"),
    ("x*exp(1/(T**2 - 2))", [Q(1, 3), Q(2, 3)], Q(141421356, 100000000), "ok"),
    ("x/log(T)", [Q(1, 3), Q(2, 3)], 1, "undefined"),
    ("Piecewise((x, T < 1), (x**2, T > 1))", [Q(1, 3), Q(2, 3)], 1, "undefined"),
    ("x - 1/2", [Q(1, 4), Q(3, 4)], 1, "undefined"),                     # normaliser 0
    ("x - 1/2", [Q(1, 5), Q(1, 5), Q(3, 5)], 1, "outside"),              # a negative entry
    ("x**(1/T)*Max(0, V - 1000)", [Q(1, 2), Q(1, 2)], 1, "undefined"),
])
def test_independent_eval_branch_semantics(score, p, T, kind):
    assert ie.outcome(score, p, T)[0] == kind


def test_independent_eval_agrees_with_a_closed_form():
    # softmax(-p/T) for the all-negative score -exp(-x/T), at 100 digits
    p, T = [Q(1, 2), Q(1, 3), Q(1, 6)], Q(3, 7)
    F = ie.evaluate("-exp(-x/T)", p, T)
    with ie.mpmath.workdps(ie.HI):
        w = [ie.mpmath.exp(-ie.mpmath.mpf(v.numerator) / v.denominator / (ie.mpmath.mpf(3) / 7)) for v in p]
        s = sum(w)
        assert max(abs(f - u / s) for f, u in zip(F, w)) < ie.mpmath.mpf(10) ** -100


# -- witnesses and samples ------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=_id)
def test_adversarial_witnesses_are_confirmed_independently(case):
    for axiom, truth in case.truths.items():
        if truth is False:
            ok, msg = ie.check_witness(case.score, axiom, case.witnesses[axiom])
            assert ok, f"{case.score} / {axiom}: witness not confirmed: {msg}"


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_adversarial_true_cells_survive_random_samples(case):
    for axiom, truth in case.truths.items():
        if truth is True:
            rng = random.Random(f"{case.score}/{axiom}")
            ok, msg = ie.sample_check(case.score, axiom, rng, n=4, opts=case.opts.get(axiom))
            assert ok, f"{case.score} / {axiom} believed true: {msg}"


# -- the verifier against the corpus (slow) -------------------------------------------------------

_RESULTS: dict[str, dict] = {}


#: fixed scores the prover and the refuter run on in the test's own process first (:func:`_warm_up`)
WARM_UP = ("x**(1/T)", "x**(1/T)*(T - 3)", "Piecewise((x**(1/T), T < 1), (x**(2/T), True))")
_WARM: list[bool] = []


def _warm_up() -> None:
    """Prove and search every axiom of :data:`WARM_UP` once in this process: ``check`` proves and
    searches in workers forked from it, which then start with SymPy's caches and the lazily imported
    modules warm instead of rebuilding them for every operator (as in tests/test_soundness_fuzz.py;
    docs/design-notes.md note 30). Caches change how fast an answer comes, never the answer;
    no thread is left (a threaded process would send the workers to the cold forkserver)."""
    import threading

    from skd.operators import separable
    from skd.theory.axioms import AXIOM_IDS
    from skd.verify.prove import prove
    from skd.verify.refute import refute

    if _WARM:
        return
    for k, score in enumerate(WARM_UP):
        op = separable(score, name=f"warm{k}")
        for axiom in AXIOM_IDS:
            prove(axiom, op)
            refute(op, axiom, seconds=0.3)
    assert threading.active_count() == 1, "the warm-up left a thread: workers would go to the forkserver (cold)"
    _WARM.append(True)


def _all_truths() -> list[tuple[str, str, dict]]:
    out = [("adversarial", c.score, c.truths) for c in CASES]
    out += [("corpus", s, t) for s, t, _ in BROKEN]
    out += [("corpus", s, {a: True for a in AXES}) for s, _ in CORRECT]
    return out


def _verdicts(score: str) -> dict:
    """axiom -> (status, reason_kind, reason); raises whatever check raises."""
    if score not in _RESULTS:
        from skd.operators import separable
        from skd.verify import check

        # attack_seconds: the refuter's cross-examination of each proof (a counterexample to a proof
        # is exit 4). Here every settled cell's truth is written by hand, so a false proof is caught
        # by the comparison with it whatever the attack finds; 0.1 s keeps the cross-examination
        # running (a crash still fails the test) at a fifth of the cost: the proved cells' 0.5 s
        # attacks were ~40 % of this test's CPU (tools/corpus_report.py, 2026-12-07: 570 proofs)
        report = check(separable(score, name="adversarial"), timeout=20, attack_seconds=0.1)
        _RESULTS[score] = {v.axiom: (v.status, v.reason_kind, v.reason) for v in report.verdicts}
    return _RESULTS[score]


#: Issue 12 asks for >= 85 % decided. Measured with tools/corpus_report.py (which prints the
#: per-reason table of what stays unknown): 79.4 % at the start of 2026-12-06, 87.7 % (880/1003,
#: 0 unsound, no crash) after that day's work. The floor is the issue's target.
DECISION_RATE_FLOOR = 0.85
#: tests/corpus.py alone (the first corpus, written before issue 12): at least 90 % decided, as
#: tests/test_corpus.py promised when it checked the same operators a second time (98.8 %, 246/249,
#: tools/corpus_report.py, 2026-12-07)
CORPUS_RATE_FLOOR = 0.90


#: The corpora are checked in this many interleaved shards (one test each, so that pytest-xdist
#: spreads ~7 min of checking over its workers instead of running it as one test at the end).
SHARDS = 4


def _rate_dir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A folder every shard of this pytest run sees (all xdist workers), and no other run."""
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    base = tmp_path_factory.getbasetemp()
    folder = base.parent / f"adversarial-rate-{uid}" if uid else base / "adversarial-rate"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("shard", range(SHARDS))
def test_verifier_is_sound_never_crashes_and_decides_enough_of_the_corpora(shard, tmp_path_factory):
    """Each shard checks every SHARDS-th operator once: soundness (0 unsound verdicts) and no crash
    (exit 4) per shard; the decision rate is over the settled cells of *both corpora*, so each shard
    leaves its counts where every worker sees them, and a shard that finds all SHARDS counts there
    (at least the last one to finish) asserts the floor on their sum."""
    settled = decided = 0
    corpus_settled = corpus_decided = 0   # tests/corpus.py alone (its own floor, CORPUS_RATE_FLOOR)
    unknown: list[str] = []
    wrong: list[str] = []
    _warm_up()
    for source, score, truths in _all_truths()[shard::SHARDS]:
        got = _verdicts(score)   # an InternalConsistencyError (exit 4) or any crash fails here
        for axiom, truth in truths.items():
            status, kind, reason = got[axiom]
            if truth is True and status == "refuted":
                wrong.append(f"{source} {score} / {axiom}: holds but was refuted")
            if truth is False and status == "proved":
                wrong.append(f"{source} {score} / {axiom}: fails but was proved")
            if truth is None:
                continue
            settled += 1
            corpus_settled += source == "corpus"
            if status != "unknown":
                decided += 1
                corpus_decided += source == "corpus"
            else:
                unknown.append(f"  [{kind}] {source} {score} / {axiom} (truth {truth}): {(reason or '')[:160]}")
    assert not wrong, "unsound verdicts:\n" + "\n".join(wrong)
    folder = _rate_dir(tmp_path_factory)
    part = folder / f"shard-{shard}.json"
    tmp = folder / f".shard-{shard}.json.tmp"
    tmp.write_text(json.dumps({"settled": settled, "decided": decided, "unknown": unknown,
                               "corpus_settled": corpus_settled, "corpus_decided": corpus_decided}), encoding="utf-8")
    tmp.replace(part)   # atomic: a reader sees a whole file or none
    parts = sorted(folder.glob("shard-*.json"))
    if len(parts) < SHARDS:
        return  # a later shard sums the counts
    counts = [json.loads(q.read_text(encoding="utf-8")) for q in parts]
    settled, decided = sum(c["settled"] for c in counts), sum(c["decided"] for c in counts)
    unknown = [u for c in counts for u in c["unknown"]]
    rate = decided / settled
    assert rate >= DECISION_RATE_FLOOR, (f"decided {decided}/{settled} = {rate:.1%} of the settled cells "
                                         f"(floor {DECISION_RATE_FLOOR:.0%}, target 85%); the {len(unknown)} unknown cells:\n"
                                         + "\n".join(unknown))
    c_settled, c_decided = sum(c["corpus_settled"] for c in counts), sum(c["corpus_decided"] for c in counts)
    assert c_decided >= CORPUS_RATE_FLOOR * c_settled, (
        f"tests/corpus.py: decided {c_decided}/{c_settled} of its settled cells (floor {CORPUS_RATE_FLOOR:.0%}); "
        "unknown cells:\n" + "\n".join(u for u in unknown if "] corpus " in u))
