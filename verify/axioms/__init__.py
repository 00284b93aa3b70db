"""The axioms' rules: one module per axiom, one registry.

Each module holds one :class:`~skd.verify.axioms.base.AxiomRules` subclass with its handlers
registered per operator kind (provers, structured searches) and the margin, certification,
sampling and shrinking the search engine (:mod:`skd.verify.search`) calls. :data:`RULES` lists
every axiom of :data:`skd.theory.axioms.AXIOMS` — a missing one fails at import, never a silent
skip. The engine, the checker, the CLI and the pytest plugin look axioms up here and name none.

>>> [r.axiom.label for r in RULES.values()]
['A0', 'A1', 'A2', 'A3', 'A4', 'A5-', 'A5+']
>>> prover_for("entropy", "vector")
FirstOf(TheoremProver('entropy'), FormProver('entropy'))
>>> prover_for("entropy", "quantum") is None
True
"""

from __future__ import annotations

from skd.theory.axioms import AXIOM_IDS

from .base import AxiomRules, LemmaFn, Prover
from .boundary import BoundaryCold, BoundaryHot
from .continuity import Continuity
from .entropy import Entropy
from .identity import Identity
from .ranking import Ranking
from .well_defined import WellDefined

__all__ = ["RULES", "rules_for", "prover_for", "AxiomRules", "LemmaFn", "Prover"]

#: axiom id -> its rules, in the order of :data:`skd.theory.axioms.AXIOM_IDS`
RULES: dict[str, AxiomRules] = {
    r.axiom_id: r for r in (WellDefined(), Ranking(), Continuity(), Entropy(), Identity(), BoundaryCold(), BoundaryHot())
}
if tuple(RULES) != AXIOM_IDS:  # pragma: no cover - a declared axiom without rules is a bug
    raise ImportError(f"skd.verify.axioms covers {list(RULES)}, the theory declares {list(AXIOM_IDS)}")


def rules_for(axiom_id: str) -> AxiomRules:
    """The rules of ``axiom_id`` (a KeyError names the axioms there are)."""
    try:
        return RULES[axiom_id]
    except KeyError:
        raise KeyError(f"no axiom {axiom_id!r}; axioms: {list(RULES)}") from None


def prover_for(axiom_id: str, kind: str) -> Prover | None:
    """The symbolic prover of ``axiom_id`` for operators of ``kind``, or None (no prover there:
    the verdict is found by certified search or stays ``unknown``, ``unsupported``)."""
    return rules_for(axiom_id).provers.get(kind)  # type: ignore[call-overload]  # str keys find the StrEnum members
