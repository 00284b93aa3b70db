"""The first corpus (``tests/corpus.py``), whose true verdicts were written from the mathematics.

Its verdicts are checked in ``tests/test_adversarial_corpus.py``, with the adversarial corpus and
under the same rules: soundness — no ``proved`` where the axiom fails, no ``refuted`` where it
holds, zero tolerance — and at least 90 % of its settled (operator, axiom) pairs decided
(``CORPUS_RATE_FLOOR`` there). This file checked the same 38 operators a second time in CI
(about a minute of CPU); it keeps the corpus's own shape checks.
"""

from __future__ import annotations

from .corpus import AXES, BROKEN, CORRECT


def test_corpus_has_the_promised_size():
    assert len(BROKEN) >= 25
    assert len(CORRECT) >= 10


def test_corpus_truths_name_only_the_axioms():
    for score, truths, _ in BROKEN:
        assert set(truths) <= set(AXES), score
    assert len({s for s, _, _ in BROKEN} | {s for s, _ in CORRECT}) == len(BROKEN) + len(CORRECT)
