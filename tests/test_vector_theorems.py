"""Proofs by a V-generic theorem of docs/theory/vector.md for the vector built-ins
(skd.verify.provers.theorems) and their check by the vector kernel (skd.verify.kernel_vector).

What the kernel must refuse: a theorem cited for an operator that is not the built-in (another
content hash: the same algorithm declared by a user included), a theorem that is not the
kernel's for that axiom, a scope other than every V, a proof of continuity, entropy or a limit
without the lemma well_defined proved by the same built-in's theorem — and, in the
instantiation, an algorithm whose pieces are not the map the theorem is about (a support that
misses an entry above the threshold, a kept set that moves with T).
"""

from __future__ import annotations

import dataclasses

import pytest

from skd.operators import library, vector
from skd.theory.axioms import PROFILES
from skd.verify.kernel_vector import _instantiate, check_vector_proof
from skd.verify.outcome import Outcome
from skd.verify.prove import prove
from skd.verify.provers.theorems import THEOREM_SCOPE, prove_by_theorem
from skd.verify.verdict import Step, Verdict

PAPER = PROFILES["paper"]


def _theorem(builtin: str, theorem: str, *, lemma: bool = False, scope: str = THEOREM_SCOPE) -> Outcome:
    steps = [Step("by theorem", "theorem", (("builtin", builtin), ("theorem", theorem)))]
    if lemma:
        steps.insert(0, Step("lemma", "lemma", (("axiom", "well_defined"),)))
    return Outcome("proved", "theorem", steps=steps, scope=scope)


def test_topk_well_defined_and_entropy_are_proved_by_theorem_for_every_V_and_the_kernel_agrees():
    wd = prove("well_defined", library.topk, PAPER)
    assert (wd.status, wd.scope) == ("proved", THEOREM_SCOPE)
    assert [dict(s.args)["theorem"] for s in wd.steps] == ["L.1"]
    ent = prove("entropy", library.topk, PAPER)
    assert (ent.status, ent.scope) == ("proved", THEOREM_SCOPE)
    assert [s.check for s in ent.steps] == ["lemma", "theorem"] and dict(ent.steps[1].args)["theorem"] == "V.9"
    ok, msg = check_vector_proof("entropy", library.topk, ent, lemmas={"well_defined": wd})
    assert ok and "on the lemma well_defined" in msg, msg
    ok, msg = check_vector_proof("well_defined", library.topk, wd)
    # V in {2, ..., 5}: one class per sequence of block sizes symbolically (2 + 4 + 8 + 16), Lemma V.0 on
    # every ordered partition (3 + 13 + 75 + 541)
    assert ok and "30 order classes checked symbolically" in msg and "V.0 spot-checked on all 632" in msg, msg


def test_no_theorem_for_topk_continuity_or_limits_and_only_the_closed_table_on_the_closed_simplex():
    for axiom in ("continuity", "boundary_cold", "boundary_hot"):
        out = prove_by_theorem(axiom, library.topk, PAPER)
        assert out.status == "unknown" and out.reason_kind == "unsupported", out
        assert prove_by_theorem(axiom, library.topk, PROFILES["closed"]).status == "unknown"
    # on the closed simplex the built-ins cite Z.1-Z.3 (docs/theory/vector.md), not the open theorems
    closed = prove_by_theorem("well_defined", library.sparsemax, PROFILES["closed"])
    assert closed.status == "proved" and dict(closed.steps[0].args)["theorem"] == "Z.2"
    assert prove_by_theorem("ranking", library.sparsemax, PROFILES["closed"]).status == "unknown"


def test_a_user_declared_copy_of_a_builtin_gets_no_theorem():
    """The same algorithm declared by a user is another operator (another content hash): the
    theorems are about the built-in's algorithm and declared sizes only."""
    mine = vector(library.topk_algorithm, name="topk", definition="top-2 by a user", sizes=(2, 3))
    assert mine.hash != library.topk.hash
    assert prove_by_theorem("well_defined", mine, PAPER).status == "unknown"
    ok, msg = check_vector_proof("well_defined", mine, _theorem("topk", "L.1"))
    assert not ok and "content hash" in msg, msg


@pytest.mark.parametrize(("axiom", "outcome", "lemmas", "words"), [
    ("well_defined", _theorem("topk", "V.6"), {}, "cites 'V.6'"),
    ("well_defined", _theorem("topk", "L.1", scope="V in {2, 3, 4, 5, 6}"), {}, "scope"),
    ("well_defined", _theorem("topk", "L.1", scope="V in {2, 3, 4, 5}"), {}, "scope"),
    ("well_defined", _theorem("nosuch", "L.1"), {}, "no theorem of the kernel"),
    ("continuity", _theorem("topk", "V.8", lemma=True), {}, "no theorem of the kernel"),
    ("entropy", _theorem("topk", "V.9"), {}, "two steps"),
    ("entropy", _theorem("topk", "V.9", lemma=True), {}, "not given"),
    ("entropy", _theorem("topk", "V.9", lemma=True),
     {"well_defined": Outcome("proved", "symbolic execution", steps=[Step("pieces", "vector_pieces")],
                              scope="V in {2, 3, 4, 5}")}, "cites exactly one theorem"),
    ("entropy", _theorem("topk", "V.9", lemma=True), {"well_defined": _theorem("sparsemax", "V.6")}, "content hash"),
    ("entropy", _theorem("topk", "V.9", lemma=True),
     {"well_defined": Outcome("unknown", "theorem", reason="r")}, "not proved"),
], ids=["wrong-theorem", "wider-scope", "the-sizes-scope", "no-such-builtin", "topk-continuity", "no-lemma-step",
        "lemma-missing", "lemma-not-by-theorem", "lemma-of-another-builtin", "lemma-unknown"])
def test_kernel_rejects_a_theorem_proof_that_does_not_apply(axiom, outcome, lemmas, words):
    ok, msg = check_vector_proof(axiom, library.topk, outcome, lemmas=lemmas)
    assert not ok and words in msg, msg


# -- the instantiation: the pieces must be the map the theorem is about ----------------------------


def _sparsemax_of_the_top_two(p, T, ar):
    """sparsemax of the two largest entries only (the others 0): a distribution, ordered, but not
    sparsemax once a third entry lies above the threshold."""
    order = sorted(range(len(p)), key=lambda i: (-p[i], i))
    z = [ar.log(ar.num(p[i])) / T for i in order[:2]]
    one, zero = ar.num(1), ar.num(0)
    out = [zero] * len(p)
    if ar.gt(one + z[1], z[0]):  # both kept: tau = (z0 + z1 - 1) / 2
        tau = (z[0] + z[1] - one) / ar.num(2)
        out[order[0]], out[order[1]] = z[0] - tau, z[1] - tau
    else:
        out[order[0]] = one
    return out


def _top_one_when_cold(p, T, ar):
    """Power-softening on the top 1 for T <= 1 and on the top 2 above: the kept set moves with T."""
    order = sorted(range(len(p)), key=lambda i: (-p[i], i))
    k = 2 if ar.gt(T, ar.num(1)) else 1
    s = {i: ar.pow(ar.num(p[i]), ar.num(1) / T) for i in order[:k]}
    tot = s[order[0]] if k == 1 else s[order[0]] + s[order[1]]
    return [s[i] / tot if i in s else ar.num(0) for i in range(len(p))]


def _softening_at_half_the_temperature(p, T, ar):
    """p ** (2/T), normalised: a power-softening, but at T/2, not at T."""
    s = [ar.pow(ar.num(v), ar.num(2) / T) for v in p]
    tot = s[0]
    for v in s[1:]:
        tot = tot + v
    return [v / tot for v in s]


@pytest.mark.parametrize(("alg", "form", "words"), [
    (_sparsemax_of_the_top_two, "sparsemax", "outside the support"),
    (_top_one_when_cold, "power", "involves T"),
    (_softening_at_half_the_temperature, "power", "log p_i / T - log F_i"),
    (library.sparsemax_algorithm, "power", "involves T"),
    (library.topk_algorithm, "sparsemax", "threshold"),
], ids=["top-two-sparsemax", "kept-set-moves-with-T", "power-at-T-over-2", "sparsemax-is-not-power",
        "topk-is-not-sparsemax"])
def test_instantiation_rejects_an_algorithm_that_is_not_the_theorems_map(alg, form, words):
    from skd.verify.kernel import KernelRejection

    op = vector(alg, name="t", definition="test", sizes=(2, 3))
    with pytest.raises(KernelRejection, match=words):
        _instantiate(op, form)


def test_the_sparsemax_of_the_top_two_agrees_with_sparsemax_on_V_2():
    """The rejected algorithm above is right on V = 2 (so the rejection is about V = 3)."""
    op = vector(_sparsemax_of_the_top_two, name="t2", definition="test", sizes=(2,))
    assert "on V in {2}" in _instantiate(op, "sparsemax")


# -- recheck ---------------------------------------------------------------------------------------


def test_recheck_accepts_a_theorem_certificate_and_refuses_a_tampered_one():
    from skd.verify.proofcheck import recheck_certificate

    out = prove("entropy", library.topk, PAPER)
    v = Verdict("entropy", "proved", out.method, out.scope, certificate=tuple(out.steps))
    ok, msg = recheck_certificate(library.topk, v)
    assert ok, msg
    tampered = (v.certificate[0], dataclasses.replace(v.certificate[1], args=(("builtin", "topk"), ("theorem", "V.8"))))
    ok, msg = recheck_certificate(library.topk, dataclasses.replace(v, certificate=tampered))
    assert not ok and "differs from its re-derivation" in msg, msg
    ok, msg = recheck_certificate(library.topk, dataclasses.replace(v, scope="V in {2, 3, 4, 5}"))
    assert not ok and "scope" in msg, msg


@pytest.mark.slow  # instantiates sparsemax (~7 s) and entmax15 (~17 s) on V <= 5: CI runs it
@pytest.mark.parametrize("op", [library.sparsemax, library.entmax15], ids=lambda o: o.name)
def test_sparse_builtins_every_paper_cell_but_ranking_and_identity_is_proved_by_theorem(op):
    for axiom in ("well_defined", "continuity", "entropy", "boundary_cold", "boundary_hot"):
        out = prove(axiom, op, PAPER)
        assert (out.status, out.scope) == ("proved", THEOREM_SCOPE), (axiom, out.reason)
    weak = prove("continuity", op, PROFILES["weak"])  # the weak profile differs only in ranking
    assert (weak.status, weak.scope) == ("proved", THEOREM_SCOPE)


def test_kernel_refuses_the_theorems_once_the_builtin_algorithm_changed(monkeypatch):
    """The theorems were read against one version of the algorithm: a changed built-in (its hash
    moves with its code, so the library's hash alone would still match) is refused."""
    import skd.verify.kernel_vector as K

    monkeypatch.setitem(K._PINNED, "topk", "0" * 16)
    ok, msg = check_vector_proof("well_defined", library.topk, _theorem("topk", "L.1"))
    assert not ok and "has changed" in msg and "_PINNED" in msg, msg


def test_weak_ranking_of_topk_is_proved_by_V10_and_accepted_only_under_the_weak_profile():
    out = prove("ranking", library.topk, PROFILES["weak"])
    assert (out.status, out.scope) == ("proved", THEOREM_SCOPE) and dict(out.steps[-1].args)["theorem"] == "V.10"
    wd = prove("well_defined", library.topk, PROFILES["weak"])
    ok, msg = check_vector_proof("ranking", library.topk, out, weak_ranking=True, lemmas={"well_defined": wd})
    assert ok, msg
    ok, msg = check_vector_proof("ranking", library.topk, out, weak_ranking=False, lemmas={"well_defined": wd})
    assert not ok and "under this profile" in msg, msg  # strict ranking is false for topk
    assert prove_by_theorem("ranking", library.topk, PAPER).status == "unknown"


def test_instantiation_rejects_a_kept_set_that_skips_a_larger_entry():
    """topk's V.10 needs the kept set to be a prefix of the order (T3)."""
    from skd.verify.kernel import KernelRejection

    def keep_the_smallest(p, T, ar):
        i = min(range(len(p)), key=lambda k: (p[k], k))
        return [ar.num(1) if k == i else ar.num(0) for k in range(len(p))]

    with pytest.raises(KernelRejection, match="larger than the kept entry"):
        _instantiate(vector(keep_the_smallest, name="t", definition="test", sizes=(2,)), "power")
