"""Extending the verifier touches only the files docs/architecture.md names.

Each test adds something in this file alone (monkeypatched into the registries, as a new module
would register it) and checks that the engine, the checker and the dispatcher pick it up without
an edit: a toy operator kind with one search handler, and a toy prover for an axiom and kind that
have none — whose "proof" must still pass the independent kernel before anyone sees it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from skd.operators import kinds, library
from skd.operators.declare import Operator, vector
from skd.theory.axioms import AXIOM_IDS, Profile
from skd.verify import budget, check
from skd.verify.axioms import prover_for, rules_for
from skd.verify.axioms.base import LemmaFn
from skd.verify.axioms.ranking import Ranking
from skd.verify.checker import check_axiom
from skd.verify.outcome import Outcome
from skd.verify.search import Search
from skd.verify.verdict import Counterexample, Step

TOY = "toy"


def _toy_operator() -> Operator:
    # an algorithm-defined map (top-k) declared as the toy kind
    return dataclasses.replace(library.topk, kind=TOY, name="toy_topk")  # type: ignore[arg-type]


def test_architecture_a_toy_operator_kind_needs_a_kindspec_and_one_handler_per_axiom(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # the registries are patched in this process only: the obligations must run here too. A fork
    # would inherit the patch, but once any earlier test of this process left a thread (the NumPy
    # kernel's pool) the checker rightly starts its workers from a forkserver, which would not
    monkeypatch.setattr(budget, "in_process", True)
    spec = dataclasses.replace(kinds.KIND_SPECS[kinds.OperatorKind.VECTOR], kind=TOY)  # type: ignore[arg-type]
    monkeypatch.setitem(kinds.KIND_SPECS, TOY, spec)  # type: ignore[index]
    marker = tmp_path / "toy-search-ran"

    def toy_search(s: Search) -> Counterexample | None:
        marker.write_text(str(s.kind))  # leave a trace that the search ran
        return None

    monkeypatch.setattr(Ranking, "structured", {**Ranking.structured, TOY: toy_search})
    op = _toy_operator()
    report = check(op, timeout=5, attack_seconds=0.5, jobs=1)
    by_axiom = {v.axiom: v for v in report.verdicts}
    assert list(by_axiom) == list(AXIOM_IDS)
    # ranking: the toy handler ran, then the engine's generic phases certified top-k's tie violation
    assert marker.read_text() == TOY
    assert by_axiom["ranking"].status == "refuted"
    # every other axiom: no handler for the kind, so unknown (unsupported) by itself, never skipped
    for axiom_id, v in by_axiom.items():
        if axiom_id == "ranking":
            continue
        assert (v.status, v.reason_kind) == ("unknown", "unsupported"), (axiom_id, v.reason)
        assert f"of {TOY} operators" in (v.reason or ""), (axiom_id, v.reason)
        assert v.scope == spec.scope(op)
    assert prover_for("ranking", TOY) is None


def _power_as_algorithm(p: Any, T: Any, ar: Any) -> list[Any]:
    w = [ar.pow(ar.num(v), ar.num(1) / T) for v in p]
    total = sum(w[1:], w[0])
    return [v / total for v in w]


def test_architecture_a_toy_prover_is_found_and_its_proof_goes_through_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """A prover registered for (identity, vector) is used by check_axiom without an edit of the
    checker or the dispatcher; its certificate has no step the kernel can re-decide, so the kernel
    rejects it and the verdict is unknown — never proved — even though identity is true here."""

    def toy_prover(op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
        return Outcome("proved", "toy prover", steps=[Step("trust me", "lemma", (("toy", "true"),))])

    # the registries are patched in this process only: the obligations must run here too. A fork
    # would inherit the patch, but once any earlier test of this process left a thread (the NumPy
    # kernel's pool) the checker rightly starts its workers from a forkserver, which would not
    monkeypatch.setattr(budget, "in_process", True)
    rules = rules_for("identity")
    monkeypatch.setattr(type(rules), "provers", {**rules.provers, kinds.OperatorKind.VECTOR: toy_prover})
    assert prover_for("identity", "vector") is toy_prover
    op = vector(_power_as_algorithm, name="power_as_algorithm", definition="p**(1/T) / sum p**(1/T)", sizes=(2, 3))
    v = check_axiom(op, "identity", timeout=20, attack_seconds=0.5)
    assert v.status == "unknown", v
    assert "independent proof checker rejected" in (v.reason or ""), v.reason
