"""Symbolic provers on the built-ins and on small cases whose truth is known."""

from __future__ import annotations

import dataclasses

import pytest

from skd.operators import library, separable
from skd.theory.axioms import AXIOM_IDS
from skd.verify.proofcheck import recheck_certificate
from skd.verify.prove import prove
from skd.verify.regions import Unsupported, t_pieces
from skd.verify.verdict import Verdict


@pytest.mark.parametrize("name", ["power", "power_T2", "hybrid"])
@pytest.mark.parametrize("axiom", list(AXIOM_IDS))
def test_prove_qualifying_builtins_get_full_proofs(name, axiom):
    out = prove(axiom, library.get(name))
    assert out.status == "proved", out.reason
    assert out.steps


@pytest.mark.parametrize("name", ["mixture", "laplace"])
def test_prove_mixture_type_cold_limit_is_refuted_by_the_exact_limit(name):
    out = prove("boundary_cold", library.get(name))
    assert out.status == "refuted"
    ce = out.counterexample
    assert ce.T == "0+" and ce.limit is not None


def test_prove_jump_in_T_is_refuted_by_one_sided_limits():
    out = prove("continuity", separable("Piecewise((x**(1/T), T <= 1), (x**(2/T), True))"))
    assert out.status == "refuted"
    assert out.counterexample.T == "1"


def test_prove_non_identity_is_refuted_with_a_counterexample():
    out = prove("identity", separable("x**2 + 1/T"))
    assert out.status == "refuted"


def test_prove_hot_limit_short_of_uniform_is_refuted():
    out = prove("boundary_hot", separable("x**(1/2 + 1/(2*T))"))
    assert out.status == "refuted"


def test_prove_does_not_prove_a_decreasing_score():
    out = prove("ranking", separable("x**(-1/T)"))
    assert out.status != "proved"


def test_regions_split_min_at_its_breakpoint():
    labels = [p.label for p in t_pieces(library.mixture.score)]
    assert labels == ["T in (0, 1)", "T = 1", "T in (1, oo)"]


def test_regions_reject_mixed_conditions():
    with pytest.raises(Unsupported):
        t_pieces(separable("Piecewise((x, x < T), (x**2, True))").score)


@pytest.mark.parametrize("axiom", ["ranking", "entropy", "continuity", "boundary_hot"])
def test_recheck_accepts_the_stored_certificate(axiom):
    op = library.hybrid
    out = prove(axiom, op)
    ok, why = recheck_certificate(op, Verdict(axiom, "proved", out.method, certificate=tuple(out.steps)))
    assert ok, why


def test_recheck_rejects_a_tampered_sign():
    op = library.power
    out = prove("ranking", op)
    steps = list(out.steps)
    args = dict(steps[0].args)
    args["sign"] = "neg"
    steps[0] = dataclasses.replace(steps[0], args=tuple(sorted(args.items())))
    ok, why = recheck_certificate(op, Verdict("ranking", "proved", out.method, certificate=tuple(steps)))
    assert not ok and "differs" in why


def test_recheck_rejects_a_certificate_for_another_operator():
    out = prove("identity", library.power)
    ok, _ = recheck_certificate(separable("x**2"), Verdict("identity", "proved", out.method, certificate=tuple(out.steps)))
    assert not ok


def test_prove_increasing_but_negative_score_does_not_prove_ranking():
    # g = x - 9/10 is increasing, but at p = (1/2, 3/10, 1/5) every score is negative and F
    # comes out in reverse order: a derivative condition alone must not prove ranking.
    op = separable("x - 9/10")
    assert prove("ranking", op).status != "proved"
    assert prove("well_defined", op).status != "proved"


def test_prove_memo_reuses_an_outcome_only_for_the_same_definition_and_prover_version(monkeypatch):
    from skd.verify import prove as P

    monkeypatch.setattr(P, "_MEMO", {})
    calls: list[str] = []
    real = P._prove_with_lemmas

    def counting(axiom_id, op, profile):
        calls.append(op.hash)
        return real(axiom_id, op, profile)

    monkeypatch.setattr(P, "_prove_with_lemmas", counting)
    a = separable("x**(1/T)", name="a")
    a_renamed = separable("x**(1/T)", name="renamed", doc="same definition")
    b = separable("x**(2/T)", name="b")
    first = prove("identity", a)
    assert prove("identity", a_renamed) is first  # same definition: reused
    assert calls == [a.hash]
    assert prove("identity", b).status == "refuted"  # a different definition is proved afresh
    assert calls == [a.hash, b.hash]
    monkeypatch.setattr(P, "PROVER_VERSION", P.PROVER_VERSION + "-changed")
    assert prove("identity", a) is not first  # a prover change invalidates the memo
    assert calls == [a.hash, b.hash, a.hash]


def test_operator_hash_covers_what_verdicts_depend_on():
    topk = library.get("topk")
    assert dataclasses.replace(topk, order_based=not topk.order_based).hash != topk.hash
    assert dataclasses.replace(topk, name="other", doc="x").hash == topk.hash
    power = library.get("power")
    assert separable("x**(1/T)", name="p2").hash == separable("x**(1/T)", name="p3").hash
    assert separable("x**(1/T)").hash != separable("x**(1/(2*T))").hash
    assert power.hash == separable(power.definition, name="copy").hash
