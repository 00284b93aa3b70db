"""The protocol every axiom implements, and the types of its per-kind handlers.

An axiom is one module of this package holding one :class:`AxiomRules` subclass: *what* the
axiom asks is data in :mod:`skd.theory.axioms`; *how* it is decided is here, registered per
operator kind (:class:`skd.operators.kinds.OperatorKind`) in the style of SymPy's assumption
handlers — a prover per kind (:data:`Prover`), a structured search per kind, and the pieces the
search engine (:mod:`skd.verify.search`) calls without knowing the axiom: propose candidates,
measure a violation (``margin``/``violates``), certify, shrink. A kind without a prover is
``unknown`` (``unsupported``); a kind without a search handler is searched by the engine's
generic phases only if the rules say so, else reported unsupported — never skipped silently.

>>> from skd.verify.axioms import rules_for
>>> r = rules_for("entropy")
>>> r.axiom.label, sorted(r.provers), sorted(r.searched_kinds())
('A3', ['separable', 'vector'], ['separable', 'vector'])
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import ClassVar

from skd.operators.kinds import OperatorKind
from skd.theory.axioms import AXIOMS, Axiom

from .. import certify as C
from ..outcome import LemmaFn, Prover
from ..search import Candidate, Search, SearchLog
from ..verdict import Counterexample

__all__ = ["AxiomRules", "LemmaFn", "Prover", "Structured", "axiom_named"]

def axiom_named(axiom_id: str) -> Axiom:
    """The declared :class:`~skd.theory.axioms.Axiom` with this id (KeyError names the ids)."""
    for a in AXIOMS:
        if a.id == axiom_id:
            return a
    raise KeyError(f"no axiom {axiom_id!r}; axioms: {[a.id for a in AXIOMS]}")


#: a structured search aimed at an axiom's failure mode, for one operator kind
Structured = Callable[[Search], "Counterexample | None"]


class AxiomRules:
    """How one axiom is decided. Subclass once per axiom (one module each) and register the
    per-kind handlers; the defaults are what a pointwise axiom searched by margins needs."""

    #: the axiom's id in :data:`skd.theory.axioms.AXIOMS`
    axiom_id: ClassVar[str]
    #: what :meth:`margin` measures (for the near-miss line of a search log)
    margin_name: ClassVar[str] = "margin"
    #: symbolic provers, per operator kind (a kind without one: ``unknown``, ``unsupported``)
    provers: ClassVar[Mapping[OperatorKind, Prover]] = {}
    #: structured searches, per operator kind (a kind without one: the search reports unsupported)
    structured: ClassVar[Mapping[OperatorKind, Structured]] = {}
    #: the prover's reduction assumes g > 0 (``well_defined``), cited as a lemma
    needs_positive_score: ClassVar[bool] = True
    #: the axiom *is* that lemma (``well_defined``): the checker starts the axioms that cite it
    #: once it is settled, so that they do not prove it again
    provides_positive_score: ClassVar[bool] = False
    #: other axioms whose proved outcomes the prover reads as lemmas (``entropy``: ranking and
    #: continuity); the checker starts this axiom once those are settled
    cites: ClassVar[tuple[str, ...]] = ()
    #: for a limit axiom, its end of the T-axis ("cold": T -> 0+, "hot": T -> oo): there g > 0
    #: near that end suffices as the lemma (docs/theory/reductions.md#boundary, B.0)
    end: ClassVar[str | None] = None
    #: the local phase may move a candidate's temperatures
    perturb_temps: ClassVar[bool] = True
    #: a candidate's temperatures stay strictly increasing
    ordered_temps: ClassVar[bool] = False

    @property
    def axiom(self) -> Axiom:
        """The declared axiom (what is asked)."""
        return axiom_named(self.axiom_id)

    def __repr__(self) -> str:
        return f"<rules for {self.axiom_id}: provers {sorted(self.provers)}, searches {sorted(self.searched_kinds())}>"

    def searched_kinds(self) -> frozenset[OperatorKind]:
        """The operator kinds this axiom's search handles (others: the search reports unsupported)."""
        return frozenset(self.structured)

    # -- the search --------------------------------------------------------------------------
    def run(self, s: Search) -> Counterexample | SearchLog:
        """Structured search for the operator's kind, then Hypothesis-targeted sampling and local
        optimisation on the margin; a certified counterexample is shrunk."""
        handler = self.structured.get(s.kind)
        if handler is None:
            return s.result(f"no search for {self.axiom_id} of {s.kind} operators", supported=False)
        ce = handler(s)
        if ce is None:
            ce = s.hypothesis_phase(s.sampler(), max_examples=300)
        if ce is None:
            ce = s.local_phase()
        if ce is None:
            return s.result()
        return self.shrink(s, ce)

    def margin(self, s: Search, cand: Candidate) -> float | None:
        """The violation margin at ``cand`` in floats (``None``: not evaluable there)."""
        return None

    def violates(self, s: Search, m: float) -> bool:
        """Whether the margin ``m`` signals a violation worth certifying."""
        return False

    def certify(self, s: Search, cand: Candidate, notes: list[str]) -> Counterexample | None:
        """A certified counterexample at ``cand`` or None (reasons appended to ``notes``)."""
        return None

    def sample(self, s: Search, r: random.Random, Vn: int, vals: Mapping[str, Fraction]) -> Candidate | None:
        """A random candidate of (drawn) size ``Vn`` for the Hypothesis / seeded phase."""
        Vn = s.spec.sample_size(Vn, r)
        P = s.draw_p(r, Vn)
        return (P, self.sample_temps(s, r), vals)

    def sample_temps(self, s: Search, r: random.Random) -> tuple[Fraction, ...]:
        """The temperatures of a random candidate."""
        return (s.draw_T(r),)

    def shrink(self, s: Search, ce: Counterexample) -> Counterexample:
        """Simpler counterexample, each step re-certified; the original if shrinking fails."""
        try:
            return C.shrink(s.op, self.axiom_id, ce, profile=s.profile, deadline=s.hard_deadline)
        except Exception:  # noqa: BLE001 - shrinking is optional; the original is certified
            return ce
