"""The verifier against a corpus whose true verdicts were written from the mathematics.

Soundness: no ``proved`` where the axiom fails, no ``refuted`` where it holds — zero tolerance.
Decision rate: at least 90% of the settled (operator, axiom) pairs are decided.
"""

from __future__ import annotations

import pytest

from skd.operators import separable
from skd.verify import check

from .corpus import AXES, BROKEN, CORRECT

pytestmark = pytest.mark.slow

_RESULTS: dict[str, dict[str, str]] = {}


def _verdicts(score: str) -> dict[str, str]:
    if score not in _RESULTS:
        report = check(separable(score, name="corpus"), timeout=20, attack_seconds=0.5)
        _RESULTS[score] = {v.axiom: v.status for v in report.verdicts}
    return _RESULTS[score]


def _cases():
    for score, truths, why in BROKEN:
        yield pytest.param(score, truths, id=score[:40])
    for score, why in CORRECT:
        yield pytest.param(score, {a: True for a in AXES}, id=score[:40])


def test_corpus_has_the_promised_size():
    assert len(BROKEN) >= 25
    assert len(CORRECT) >= 10


@pytest.mark.parametrize(("score", "truths"), list(_cases()))
def test_corpus_verdicts_are_sound(score, truths):
    got = _verdicts(score)
    for axiom, truth in truths.items():
        if truth is None:
            continue
        status = got[axiom]
        assert not (truth and status == "refuted"), f"{score}: {axiom} holds but was refuted"
        assert not (not truth and status == "proved"), f"{score}: {axiom} fails but was proved"


def test_corpus_decision_rate_is_at_least_90_percent():
    settled = decided = 0
    undecided = []
    for score, truths in [(s, t) for s, t, _ in BROKEN] + [(s, {a: True for a in AXES}) for s, _ in CORRECT]:
        got = _verdicts(score)
        for axiom, truth in truths.items():
            if truth is None:
                continue
            settled += 1
            if got[axiom] != "unknown":
                decided += 1
            else:
                undecided.append(f"{score}/{axiom}")
    rate = decided / settled
    assert rate >= 0.9, f"decided {decided}/{settled} = {rate:.1%}; undecided: {undecided}"
