"""Symbolic provers: for separable operators, the reduction theorems of design.md §4; for vector
operators, ``well_defined`` on the declared sizes.

Each prover has one signature, ``prover(op, profile, lemma) -> Outcome``
(:data:`skd.verify.axioms.base.Prover`), and returns ``proved`` with certificate steps (every
step a sign fact about an expression re-derivable from the definition, re-decided by
:mod:`skd.verify.proofcheck`), ``refuted`` with a certified counterexample (built by
:mod:`skd.verify.certify` from an *exact* limit or exact inputs), or ``unknown`` with a reason.
A prover that cites another axiom asks ``lemma(axiom_id, op)`` for it; the dispatcher
(:mod:`skd.verify.prove`) supplies ``lemma``, so nothing here imports the dispatcher.
Theorem statements and proofs: ``docs/theory/reductions.md``.

Modules:

* :mod:`.common` — what several provers share: sign steps and their step data, the V and
  parameter cases, regions, exact sample points, the written side conditions, derivations;
* :mod:`.separable` — ``well_defined``, ``ranking``, ``identity``, ``continuity``, ``entropy``;
* :mod:`.poles` — refutations at poles and branch points of the score (undefined points, jumps in T);
* :mod:`.boundary` — the limits ``boundary_cold`` / ``boundary_hot`` and the growth lemmas B.5;
* :mod:`.vector` — ``well_defined`` of vector operators on their declared sizes, from the pieces
  of the algorithm (checked by :mod:`skd.verify.kernel_vector`, not by the separable kernel).
"""
