"""What a prover returns: :class:`Outcome` (``proved`` with certificate steps, ``refuted`` with a
certified counterexample, or ``unknown`` with a reason and a reason kind).

It lives below the provers (:mod:`skd.verify.provers`), the per-axiom rules
(:mod:`skd.verify.axioms`) and the dispatcher (:mod:`skd.verify.prove`), which all speak it, with
the signature every prover has (:data:`Prover`) and the way a prover cites another axiom
(:data:`LemmaFn`).

>>> Outcome("unknown", "symbolic", reason="not tried", reason_kind="unsupported").status
'unknown'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

import sympy as sp

from .verdict import Counterexample, Step

if TYPE_CHECKING:  # annotations only
    from skd.operators.declare import Operator
    from skd.theory.axioms import Profile

__all__ = ["Outcome", "LemmaFn", "Prover"]


@dataclasses.dataclass
class Outcome:
    """A prover's answer for one axiom of one operator."""

    status: str
    method: str
    steps: list[Step] = dataclasses.field(default_factory=list)
    counterexample: Counterexample | None = None
    reason: str | None = None
    reason_kind: str | None = None
    scope: str = "full"
    #: the SymPy expressions of sign steps, keyed by their srepr (for proofcheck's spot checks)
    exprs: dict[str, sp.Expr] = dataclasses.field(default_factory=dict)
    #: the substitutions (regions) of sign steps, keyed by their srepr (for the kernel)
    subs: dict[str, tuple[tuple[sp.Symbol, sp.Expr], ...]] = dataclasses.field(default_factory=dict)


#: ``lemma(axiom_id, op)``: the (memoised, kernel-checked) outcome of another axiom of ``op``,
#: for a prover whose reduction cites it (entropy cites ranking and continuity)
LemmaFn = Callable[[str, "Operator"], Outcome]
#: ``prover(op, profile, lemma)``: a symbolic prover for one axiom and one operator kind
Prover = Callable[["Operator", "Profile | None", LemmaFn], Outcome]
