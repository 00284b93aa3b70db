"""Re-validation of stored proof certificates (used by ``skd recheck``).

A certificate is a list of steps; each ``sign`` step claims that an expression, derived from
a piece of the operator's definition and substituted to positive variables, has a sign. The
recheck

1. rebuilds the operator from the report's definition (safe parser) and re-derives every
   obligation from scratch in a fresh worker;
2. requires the stored steps to be exactly the re-derived ones (same derivation, piece,
   substitution, expression and sign) — a tampered or missing step fails;
3. submits the re-derived proof to the independent kernel (:mod:`skd.verify.kernel`), which
   shares no code with the prover: it re-derives each step's expression from the definition,
   proves its definedness and re-decides its sign, and checks that the regions of a
   well-definedness proof cover the domain;
4. evaluates every sign step's expression with Arb balls at several positive points chosen
   independently of the prover and requires the claimed sign at each (independent evidence;
   a spot check, not a proof).

Stored text is never parsed or evaluated: it is only compared with re-derived text.

>>> from skd.operators import library
>>> from skd.verify.prove import prove
>>> from skd.verify.verdict import Verdict
>>> o = prove("ranking", library.power)
>>> v = Verdict("ranking", "proved", o.method, certificate=tuple(o.steps))
>>> recheck_certificate(library.power, v)
(True, '3 steps re-derived, accepted by the kernel and spot-checked')
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

import sympy as sp

from skd.operators.arith import ArbArith, Undecided
from skd.operators.evaluate import eval_expr
from skd.theory.axioms import PROFILES

from .kernel_closed import CLOSED_STEP, check_closed_proof
from .verdict import Step, Verdict

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = ["recheck_certificate", "spot_check"]

_POINTS = (0.01, 0.37, 1.0, 2.5, 40.0, 1e4)


def spot_check(expr: sp.Expr, sign: str, *, seed: int = 0, samples: int = 6) -> tuple[bool, str]:
    """Evaluate ``expr`` (positive symbols) at sample points in Arb; check ``sign`` holds."""
    syms = sorted(expr.free_symbols, key=str)
    rng = random.Random(seed)
    ar = ArbArith(prec=256)
    from fractions import Fraction

    for _ in range(samples):
        env = {s: ar.num(Fraction(rng.choice(_POINTS) * (1 + rng.random())).limit_denominator(10**6)) for s in syms}
        try:
            val = eval_expr(expr, env, ar)
        except (Undecided, ZeroDivisionError, ValueError, TypeError):
            continue
        if sign == "pos" and val <= 0:
            return False, f"claimed > 0 but {val} at {env}"
        if sign == "neg" and val >= 0:
            return False, f"claimed < 0 but {val} at {env}"
        if sign == "zero" and not (val.contains(0) if hasattr(val, "contains") else val == 0):
            return False, f"claimed identically 0 but {val} at {env}"
    return True, "ok"


def _prove_with_lemmas(axiom: str, op: Operator, profile: str) -> tuple[Any, dict[str, Any]]:
    """Worker job: the re-derived outcome and the outcomes of the lemmas it cites."""
    from .prove import lemma_outcomes, prove

    outcome = prove(axiom, op, PROFILES[profile])
    lemmas = lemma_outcomes(op, outcome, PROFILES[profile]) if outcome.status == "proved" else {}
    if outcome.status == "proved" and any(s.check == CLOSED_STEP for s in outcome.steps):
        # a closed-simplex proof rests on the axiom's open-simplex proof, re-derived here too
        open_outcome = prove(axiom, op, PROFILES["paper"])
        lemmas = {OPEN_KEY: open_outcome, **{f"{OPEN_KEY}{k}": v for k, v in
                                             lemma_outcomes(op, open_outcome, PROFILES["paper"]).items()}}
    return outcome, lemmas


#: where :func:`_prove_with_lemmas` puts the open-simplex outcome of a closed-simplex proof (and,
#: prefixed with it, that outcome's lemmas)
OPEN_KEY = "open simplex:"


def recheck_certificate(op: Operator, verdict: Verdict, *, profile: str = "paper") -> tuple[bool, str]:
    """Re-derive ``verdict``'s certificate for ``op`` and compare; see the module docstring."""
    if verdict.status != "proved":
        return False, f"verdict is {verdict.status}, not proved"
    if not verdict.certificate:
        return False, "proved verdict without certificate"
    from .budget import BudgetExceeded, WorkerError, run_with_budget

    try:
        outcome, lemmas = run_with_budget(_prove_with_lemmas, (verdict.axiom, op, profile), seconds=120)
    except (BudgetExceeded, WorkerError) as exc:
        return False, f"re-derivation did not finish: {exc}"
    if outcome.status != "proved":
        return False, f"re-derivation gives {outcome.status}: {outcome.reason}"
    if verdict.scope != outcome.scope:  # a proof is never claimed beyond what was re-derived
        return False, f"the verdict states the scope {verdict.scope!r}, the re-derivation proves {outcome.scope!r}"
    stored = list(verdict.certificate)
    fresh = list(outcome.steps)
    if len(stored) != len(fresh):
        return False, f"certificate has {len(stored)} steps, re-derivation {len(fresh)}"
    for k, (a, b) in enumerate(zip(stored, fresh, strict=True)):
        if _canon(a) != _canon(b):
            return False, f"step {k + 1} differs from its re-derivation: stored {a.text!r}, re-derived {b.text!r}"
    if op.kind == "vector":
        from .kernel_vector import check_vector_proof

        accepted, message = check_vector_proof(verdict.axiom, op, outcome, weak_ranking=not PROFILES[profile].strict_ranking,
                                               closed=not PROFILES[profile].open_simplex, lemmas=lemmas)
    elif not PROFILES[profile].open_simplex or any(s.check == CLOSED_STEP for s in fresh):
        # chosen by the profile (as in prove): under `closed` only the closed-simplex check decides
        if PROFILES[profile].open_simplex:
            return False, "a closed-simplex certificate under an open profile"
        if OPEN_KEY not in lemmas:
            return False, "closed-simplex proof without its re-derived open-simplex proof"
        accepted, message = check_closed_proof(verdict.axiom, op, outcome, open_outcome=lemmas[OPEN_KEY],
                                               open_lemmas={k[len(OPEN_KEY):]: v for k, v in lemmas.items()
                                                            if k.startswith(OPEN_KEY) and k != OPEN_KEY})
    else:
        from .kernel import check_proof

        accepted, message = check_proof(verdict.axiom, op, outcome, lemmas=lemmas)
    if not accepted:
        return False, message
    checked = 0
    for k, step in enumerate(fresh):
        if step.check != "sign":
            continue
        args = dict(step.args)
        # the re-derived (trusted) expression, rebuilt from the operator, not from stored text
        expr = outcome.exprs.get(args["expr"])
        if expr is None:
            return False, f"step {k + 1} has no re-derived expression"
        ok, why = spot_check(expr, args["sign"], seed=k)
        if not ok:
            return False, f"step {k + 1} ({step.text}) fails its spot check: {why}"
        checked += 1
    return True, f"{len(fresh)} steps re-derived, accepted by the kernel and spot-checked"


def _canon(step: Step) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    return (step.text, step.check, tuple(sorted(step.args)))

