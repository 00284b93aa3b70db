"""The closed simplex (profile ``closed``, zeros allowed): Theorem C of docs/theory/closed.md for
separable scores (skd.verify.provers.closed, checked by skd.verify.kernel_closed) and the
closed-simplex theorems Z.1-Z.3 of docs/theory/vector.md for the vector built-ins.

Each test names the behaviour it pins: the corpus of closed-simplex cases, whose truths are
written from the mathematics (not from skd's output), gets no unsound verdict and >= 90 % of its
cells decided; the kernel refuses forged certificates (a mass on zeros at the hot end, a
coefficient that is not positive, a switch left unresolved, an open-simplex proof through -g,
a theorem of the wrong profile); ``skd recheck`` re-derives a closed certificate and rejects a
tampered one.
"""

from __future__ import annotations

import dataclasses

import pytest

from skd.operators import library, separable, vector
from skd.theory.axioms import PROFILES
from skd.verify.checker import check
from skd.verify.kernel_closed import CLOSED_STEP, OPEN_LEMMA, check_closed_proof
from skd.verify.kernel_vector import check_vector_proof
from skd.verify.outcome import Outcome
from skd.verify.proofcheck import recheck_certificate
from skd.verify.prove import lemma_outcomes, prove
from skd.verify.verdict import Step, Verdict

CLOSED, PAPER = PROFILES["closed"], PROFILES["paper"]
AX = ("well_defined", "ranking", "continuity", "entropy", "identity", "boundary_cold", "boundary_hot")

#: (score, {axiom: truth on the closed simplex}), truths from the mathematics (docs/theory/closed.md):
#: True holds for every V >= 2, p in the closed simplex, T > 0; False has a counterexample there.
CASES: list[tuple[str, dict[str, bool]]] = [
    # g(0) = 0, increasing: every axiom of power carries over
    ("x**(1/T)", dict.fromkeys(AX, True)),
    ("x**(1/T)*(V - 1)", dict.fromkeys(AX, True)),
    # T-free powers: F does not move with T (entropy constant); identity and limits fail
    ("x**2", {"well_defined": True, "ranking": True, "continuity": True, "entropy": True, "identity": False,
              "boundary_cold": False, "boundary_hot": False}),
    # a positive constant term: zeros get mass; F_T = (p + 1)/(1 + V) for every T
    ("x + 1", {"well_defined": True, "ranking": True, "continuity": True, "entropy": True, "identity": False,
               "boundary_cold": False, "boundary_hot": False}),
    # two powers: F_1 = p (g(x, 1) = 2x), the limits keep the linear term's ratio x/y
    ("x**(1/T) + x", {"well_defined": True, "ranking": True, "continuity": True, "identity": True,
                      "boundary_cold": False, "boundary_hot": False}),
    # frozen above T = 2: the cold end is power's, the hot end is p**(1/2) normalised
    ("Piecewise((x**(1/T), T <= 2), (x**(1/2), True))", {"well_defined": True, "ranking": True, "continuity": True,
                                                          "identity": True, "boundary_cold": True, "boundary_hot": False}),
    # a pseudo-count 1/V: zeros keep mass 1/V / Z at every T, so the hot limit is not on the support
    ("x**(1/T) + 1/V", {"well_defined": True, "ranking": True, "continuity": True, "boundary_hot": False}),
    # undefined at x = 0 (log 0): F is undefined on every p with a zero
    ("x**(1/T)*(1 - log(x))", {"well_defined": False}),
]


def _verdicts(score: str) -> dict[str, str]:
    report = check(separable(score, name="closed_case"), profile="closed", timeout=60, attack_seconds=0.2)
    return {v.axiom: v.status for v in report.verdicts}


@pytest.mark.slow
def test_closed_corpus_no_unsound_verdict_and_at_least_90_percent_decided():
    """>= 25 closed-simplex cases: the separable corpus above and the library's vector built-ins'
    cells (their truths: docs/theory/vector.md Z.2, Z.3 and builtins.md)."""
    cells = unsound = decided = 0
    wrong: list[str] = []
    for score, truths in CASES:
        got = _verdicts(score)
        for axiom, truth in truths.items():
            cells += 1
            status = got[axiom]
            if status != "unknown":
                decided += 1
            if (status == "proved" and not truth) or (status == "refuted" and truth):
                unsound += 1
                wrong.append(f"{score} {axiom}: {status}, truth {truth}")
    vector_truths = {
        "topk": {"well_defined": True, "entropy": True, "ranking": False, "continuity": False, "identity": False},
        "sparsemax": {"well_defined": True, "continuity": True, "entropy": True, "boundary_cold": True, "boundary_hot": True,
                      "ranking": False},
    }
    for name, truths in vector_truths.items():
        report = check(name, profile="closed", timeout=120, attack_seconds=0.2)
        got = {v.axiom: v.status for v in report.verdicts}
        for axiom, truth in truths.items():
            cells += 1
            decided += got[axiom] != "unknown"
            if (got[axiom] == "proved" and not truth) or (got[axiom] == "refuted" and truth):
                unsound += 1
                wrong.append(f"{name} {axiom}: {got[axiom]}, truth {truth}")
    assert cells >= 25
    assert unsound == 0, wrong
    assert decided >= 0.9 * cells, f"{decided} of {cells} decided"


def test_theorem_c_proves_power_on_the_closed_simplex_and_the_kernel_accepts_it():
    for axiom in AX:
        out = prove(axiom, library.power, CLOSED)
        assert (out.status, out.scope) == ("proved", "full"), (axiom, out.reason)
        assert [s.check for s in out.steps] == ["lemma", CLOSED_STEP]
        open_out = prove(axiom, library.power, PAPER)
        ok, msg = check_closed_proof(axiom, library.power, out, open_outcome=open_out,
                                     open_lemmas=lemma_outcomes(library.power, open_out, PAPER))
        assert ok, msg


def _forged(axiom: str, breakpoints: str = "") -> Outcome:
    return Outcome("proved", "forged", scope="full", steps=[
        Step("open", "lemma", ((OPEN_LEMMA, axiom),)),
        Step("closed", CLOSED_STEP, (("breakpoints", breakpoints),))])


def _kernel(axiom: str, op, out: Outcome, open_out: Outcome | None = None) -> tuple[bool, str]:
    open_out = open_out or prove(axiom, op, PAPER)
    return check_closed_proof(axiom, op, out, open_outcome=open_out, open_lemmas=lemma_outcomes(op, open_out, PAPER))


def test_kernel_refuses_a_hot_limit_with_mass_on_the_zeros():
    """x**(1/T) + 1/V satisfies the open hot limit, but g(0) = 1/V > 0: on (1, 0) the zero keeps
    mass, so a forged closed certificate for boundary_hot must be refused (c_0 = 0 fails)."""
    op = separable("x**(1/T) + 1/V", name="pseudo")
    assert prove("boundary_hot", op, PAPER).status == "proved"
    ok, msg = _kernel("boundary_hot", op, _forged("boundary_hot"))
    assert not ok and "is not proved = 0" in msg, msg
    assert prove("boundary_hot", op, CLOSED).status == "unknown"


def test_kernel_refuses_a_coefficient_that_is_not_positive_and_a_score_outside_the_class():
    op = separable("x**(1/T) - x**(2/T)/2", name="dip")
    ok, msg = _kernel("well_defined", op, _forged("well_defined"))
    assert not ok and "coefficient" in msg, msg
    out = prove("well_defined", separable("exp(x/T)", name="e"), CLOSED)
    assert out.status == "unknown" and "Theorem C does not apply" in (out.reason or ""), out


def test_kernel_refuses_unresolved_switches_and_wrong_breakpoints():
    """mixture needs the breakpoint T = 1 (its Min): without it the Min is not resolved on
    (0, oo); with a negative or unordered list the certificate is malformed."""
    op = library.mixture
    ok, msg = _kernel("well_defined", op, _forged("well_defined", ""))
    assert not ok and "not decided" in msg, msg
    for bad in ("-1", "2, 1", "pi", "1, 1"):
        ok, msg = _kernel("well_defined", op, _forged("well_defined", bad))
        assert not ok, bad
    ok, msg = _kernel("well_defined", op, _forged("well_defined", "1"))
    assert ok, msg
    ok, msg = _kernel("well_defined", op, _forged("well_defined", "1/2, 1, 3"))  # extra cuts are harmless
    assert ok, msg


def test_kernel_refuses_an_open_proof_that_is_not_about_g_itself_or_about_another_axiom():
    op = library.power
    neg = dataclasses.replace(prove("ranking", op, PAPER))
    neg = dataclasses.replace(neg, steps=[Step("F unchanged for -g", "lemma", (("negated", "true"),)), *neg.steps])
    ok, msg = _kernel("ranking", op, _forged("ranking"), open_out=neg)
    assert not ok and "-g" in msg, msg
    ok, msg = _kernel("ranking", op, _forged("entropy"))
    assert not ok and "must cite ranking" in msg, msg
    unknown = Outcome("unknown", "none", reason="x")
    ok, msg = _kernel("ranking", op, _forged("ranking"), open_out=unknown)
    assert not ok, msg


def test_recheck_passes_a_closed_certificate_and_fails_a_tampered_one():
    out = prove("boundary_cold", library.hybrid, CLOSED)
    assert out.status == "proved", out.reason
    verdict = Verdict(axiom="boundary_cold", status="proved", method=out.method, scope=out.scope,
                      certificate=tuple(out.steps))
    ok, msg = recheck_certificate(library.hybrid, verdict, profile="closed")
    assert ok, msg
    tampered = list(out.steps)
    tampered[1] = Step(tampered[1].text, CLOSED_STEP, (("breakpoints", "2"),))
    ok, msg = recheck_certificate(library.hybrid, dataclasses.replace(verdict, certificate=tuple(tampered)), profile="closed")
    assert not ok and "differs" in msg, msg


def test_vector_closed_theorems_are_accepted_only_under_the_closed_profile():
    wd = prove("well_defined", library.sparsemax, CLOSED)
    assert (wd.status, dict(wd.steps[0].args)["theorem"]) == ("proved", "Z.2")
    cont = prove("continuity", library.sparsemax, CLOSED)
    assert cont.status == "proved" and dict(cont.steps[1].args)["theorem"] == "Z.3"
    ok, msg = check_vector_proof("continuity", library.sparsemax, cont, closed=True, lemmas={"well_defined": wd})
    assert ok, msg
    # Z.3 is not an open-simplex theorem, and the open V.8 is not a closed one
    ok, msg = check_vector_proof("continuity", library.sparsemax, cont, lemmas={"well_defined": wd})
    assert not ok and "is theorem V.8" in msg, msg
    open_cont = prove("continuity", library.sparsemax, PAPER)
    ok, msg = check_vector_proof("continuity", library.sparsemax, open_cont, closed=True,
                                 lemmas={"well_defined": prove("well_defined", library.sparsemax, PAPER)})
    assert not ok, msg
    # topk is not continuous on the closed simplex: no theorem
    assert prove("continuity", library.topk, CLOSED).status == "unknown"


def test_vector_closed_zero_check_rejects_an_algorithm_that_keeps_mass_on_zeros():
    """Z.1's spot check: a pinned built-in passes; an algorithm that puts mass on zero entries is
    refused (here called directly: such an algorithm is not a built-in, so no theorem is cited)."""
    from skd.verify.kernel_vector import _zeros_dropped

    assert "Z.1 spot-checked" in _zeros_dropped(library.topk)

    def smoothed(p, T, ar):
        eps = ar.num(1) / ar.num(100)
        w = [ar.num(v) + eps for v in p]
        total = w[0]
        for v in w[1:]:
            total = total + v
        return [v / total for v in w]

    from skd.verify.kernel import KernelRejection

    with pytest.raises(KernelRejection, match="not dropped"):
        _zeros_dropped(vector(smoothed, name="smoothed", definition="p + 1/100, normalised", sizes=(2, 3)))


def test_under_the_closed_profile_an_open_simplex_proof_is_not_accepted_as_a_closed_one():
    """The checker is chosen by the profile, not by the certificate: an open-simplex proof (no
    closed_extension step) handed over as a closed-simplex proof is refused by the prove gate and
    by skd recheck, and a closed certificate under the open profile is refused too."""
    from skd.verify.prove import _kernel_checked

    open_out = prove("ranking", library.power, PAPER)
    assert open_out.status == "proved"
    assert _kernel_checked("ranking", library.power, open_out, CLOSED).status == "unknown"
    verdict = Verdict(axiom="ranking", status="proved", method=open_out.method, scope=open_out.scope,
                      certificate=tuple(open_out.steps))
    ok, _ = recheck_certificate(library.power, verdict, profile="closed")
    assert not ok
    closed_out = prove("ranking", library.power, CLOSED)
    assert _kernel_checked("ranking", library.power, closed_out, PAPER).status == "unknown"


@pytest.mark.parametrize("score, why", [
    ("x**(1/T)*x/x", "side condition x != 0 fails"),  # the stored score is x**(1/T): defined at 0
    ("exp(log(x)/T)", "log of the non-positive number 0"),  # exp(-inf) = 0 in floats
])
def test_closed_simplex_refutes_well_defined_of_a_formula_undefined_at_a_zero_entry(score: str, why: str) -> None:
    """Was unknown (the gap left by the closed-simplex review): the search evaluated the stored score
    in floats, which is 0 at a zero entry for both, so no point with a zero entry reached the
    certifier. Now a failed written side condition is a float hint, a zero entry is always offered,
    and the counterexample is exact and passes skd recheck."""
    from skd.verify.recheck import recheck_counterexample

    op = separable(score)
    v = check(op, profile="closed", timeout=60, attack_seconds=0.1).verdict("well_defined")
    assert v.status == "refuted" and v.counterexample is not None, v.reason
    assert "0" in v.counterexample.p and why in v.counterexample.statement
    assert recheck_counterexample(op, "well_defined", v.counterexample, profile="closed")[0]
    assert check(separable("x**(1/T)"), profile="closed", timeout=60, attack_seconds=0.1).verdict(
        "well_defined").status == "proved"
