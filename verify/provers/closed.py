"""Closed-simplex proofs for separable scores (issue 14 item 4; ``docs/theory/closed.md``).

Theorem C of that page carries an axiom proved on the open simplex over to the closed one when
the score is an **increasing power sum** on each piece of the T-axis:
``g = c_0(T, V) + sum_k c_k(T, V) x**a_k(T, V)`` with ``a_k > 0``, ``c_k > 0``, ``c_0 >= 0``
(``c_0 = 0`` near the end of a limit). This prover only proposes the certificate: the axiom's
open-simplex proof as a lemma and the breakpoints of the T-axis (the rational roots of the
score's switches: ``Piecewise`` conditions, ``Min``/``Max``/``Abs``/``Heaviside``/``sign``
arguments, all free of ``x``). Whether the theorem applies is decided by the trusted check
:func:`skd.verify.kernel_closed.check_closed_proof` alone, from the score and the breakpoints.

>>> from skd.operators import library
>>> breakpoints(library.mixture.score)
[1]
>>> breakpoints(library.power.score)
[]
"""

from __future__ import annotations

import sympy as sp

from skd.operators.declare import Operator
from skd.operators.symbols import T, V, x

from ..kernel_closed import CLOSED_STEP, OPEN_LEMMA
from ..outcome import Outcome
from ..regions import Unsupported
from ..verdict import Step

__all__ = ["THEOREM_C", "breakpoints", "prove_closed_separable"]

THEOREM_C = "Theorem C of docs/theory/closed.md (increasing power sums)"
_MAX_DEGREE = 8


def _switches(e: sp.Basic) -> list[sp.Expr]:
    """The expressions whose sign selects a branch of the score."""
    out: list[sp.Expr] = []
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                for rel in sp.preorder_traversal(cond):
                    if isinstance(rel, sp.core.relational.Relational):
                        out.append(rel.lhs - rel.rhs)
        elif isinstance(node, (sp.Min, sp.Max)):
            args = list(node.args)
            out += [a - b for i, a in enumerate(args) for b in args[i + 1:]]
        elif isinstance(node, (sp.Abs, sp.Heaviside, sp.sign)):
            out.append(node.args[0])
        elif isinstance(node, (sp.floor, sp.ceiling)):
            raise Unsupported("floor/ceiling in the score: outside Theorem C (not continuous)")
    return out


def breakpoints(score: sp.Expr) -> list[sp.Rational]:
    """The positive rational roots in ``T`` of the score's switches, increasing; Unsupported when
    a switch depends on ``x`` or ``V``, or has a root that is not rational."""
    found: set[sp.Rational] = set()
    for s in _switches(score):
        if x in s.free_symbols or V in s.free_symbols:
            raise Unsupported(f"a switch of the score depends on {'x' if x in s.free_symbols else 'V'} ({s}): "
                              "outside Theorem C")
        if T not in s.free_symbols:
            continue
        num = sp.fraction(sp.together(s))[0]
        try:
            poly = sp.Poly(num, T)
        except sp.PolynomialError as exc:
            raise Unsupported(f"a switch of the score is not rational in T ({s})") from exc
        if not all(c.is_Rational for c in poly.all_coeffs()) or poly.degree() > _MAX_DEGREE:
            raise Unsupported(f"a switch of the score is not a small rational function of T ({s})")
        for r in poly.real_roots():
            if not r.is_Rational:
                raise Unsupported(f"a switch of the score changes at the irrational T = {r}")
            if r > 0:
                found.add(r)
    return sorted(found)


def prove_closed_separable(axiom_id: str, op: Operator, open_outcome: Outcome) -> Outcome:
    """The certificate of Theorem C for ``axiom_id``, given the axiom's outcome on the open
    simplex; ``unknown`` when that is not a proof or the score has no breakpoints of the kind the
    theorem reads. The kernel decides the rest."""
    if op.params:
        return Outcome("unknown", "closed", reason="closed simplex: operators with free parameters are not covered "
                       "by Theorem C yet", reason_kind="unsupported")
    if op.obligations:
        return Outcome("unknown", "closed", reason="closed simplex: the formula as written has side conditions "
                       "(outside Theorem C)", reason_kind="unsupported")
    if open_outcome.status != "proved":
        why = open_outcome.reason or open_outcome.status
        return Outcome("unknown", "closed", reason=f"closed simplex: {axiom_id} is not proved on the open simplex "
                       f"({why})"[:400], reason_kind="undecided")
    try:
        bps = breakpoints(op.score)
    except Unsupported as exc:
        return Outcome("unknown", "closed", reason=f"closed simplex: {exc}", reason_kind="unsupported")
    text = ", ".join(sp.sstr(b) for b in bps)
    steps = [Step(f"{axiom_id} on the open simplex (proved, profile paper)", "lemma", ((OPEN_LEMMA, axiom_id),)),
             Step(f"on each piece of the T-axis cut at [{text}] and for every V >= 2, g is an increasing power sum "
                  "c_0 + sum c_k x**a_k (a_k > 0, c_k > 0, c_0 = g(0, T, V) >= 0"
                  + (", = 0 at the limit's end" if axiom_id in ("boundary_cold", "boundary_hot") else "")
                  + ("; c_k, a_k continuous up to the pieces' ends" if axiom_id == "continuity" else "")
                  + f"), so {axiom_id} carries over to the closed simplex ({THEOREM_C})",
                  CLOSED_STEP, (("breakpoints", text),))]
    return Outcome("proved", f"closed-simplex extension ({THEOREM_C})", steps=steps, scope="full")
