"""Proofs by a V-generic theorem of ``docs/theory/vector.md``, for the vector built-ins.

Issue 14. The theorems of that page are about the built-in algorithms themselves, for **every**
size ``V``: the sparsemax and entmax15 algorithms compute the maps ``sparsemax(log p / T)`` and
``entmax15(log p / T)`` (Theorems V.6, V.7), which are jointly continuous (Corollary V.8), whose
entropy does not decrease in ``T`` (Theorem V.9), and whose limits are the paper's (Theorems L.2,
L.3: the cold limit ``u_M`` is even reached at a finite ``T``); topk's entropy does not decrease
either (V.9, through Theorem L.1). A proof by theorem applies to an operator only when its content
hash equals the built-in's (the same algorithm, the same declared sizes), on the open simplex
(profiles ``paper`` and ``weak``, which differ only in ranking) and, through Lemma Z.1 (the zero
entries are dropped) and Theorems Z.2/Z.3, on the closed simplex (profile ``closed``); its scope
is ``full``, the axiom's whole statement (every ``V >= 2``), as for a proof about a separable score.

The certificate is one step naming the theorem and the built-in. The independent kernel
(:func:`skd.verify.kernel_vector.check_vector_proof`) has its own table of theorems, recomputes
the hash comparison, and re-checks the instantiation: on every declared size, every piece of
every order class of the algorithm is defined and computes the map the theorem is about (the
threshold form ``(w - τ)_+^power`` with ``τ`` common, the support's ``w_i - τ >= 0`` and the
others' ``<= 0`` proved on the piece; topk: the power form on a kept set that does not move with
``T``) — so Theorems V.6/V.7 are re-checked mechanically on those sizes, not trusted.

>>> from skd.operators import library
>>> out = prove_by_theorem("well_defined", library.sparsemax, None)
>>> out.status, out.scope, out.steps[0].args
('proved', 'full', (('builtin', 'sparsemax'), ('theorem', 'V.6')))
>>> prove_by_theorem("continuity", library.sparsemax, None, lambda a, o: out).steps[1].args
(('builtin', 'sparsemax'), ('theorem', 'V.8'))
>>> prove_by_theorem("continuity", library.topk, None).reason_kind
'unsupported'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from skd.operators import library

from ..outcome import LemmaFn, Outcome, Prover
from ..verdict import Step

if TYPE_CHECKING:  # annotations only
    from skd.operators.declare import Operator
    from skd.theory.axioms import Profile

__all__ = ["THEOREM_SCOPE", "FirstOf", "TheoremProver", "is_by_theorem", "prove_by_theorem"]

#: the scope of a proof by theorem: the axiom's whole statement (every V >= 2, as a separable proof)
THEOREM_SCOPE = "full"

#: (built-in, axiom) -> (theorem, where it is proved, what it states for that axiom)
_THEOREMS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("topk", "well_defined"): ("L.1", "docs/theory/vector.md#topk",
                               "F_T(p) is the power-softening of p on the kept set, padded with zeros: a distribution"),
    ("sparsemax", "well_defined"): ("V.6", "docs/theory/vector.md#sparsemax-and-15-entmax-compute-the-mathematical-maps",
                                    "the algorithm computes sparsemax(log p / T), a point of the simplex"),
    ("entmax15", "well_defined"): ("V.7", "docs/theory/vector.md#sparsemax-and-15-entmax-compute-the-mathematical-maps",
                                   "the algorithm computes entmax15(log p / T), a point of the simplex"),
    ("topk", "entropy"): ("V.9", "docs/theory/vector.md#entropy-along-t",
                          "F_T(p) is the power-softening of p on a kept set that does not move with T (L.1), "
                          "so dH/dT = Var_q(log p)/T^3 >= 0"),
    ("sparsemax", "continuity"): ("V.8", "docs/theory/vector.md#sparsemax-and-15-entmax-compute-the-mathematical-maps",
                                  "the algorithm computes sparsemax(log p / T) (V.6), jointly continuous in (p, T)"),
    ("sparsemax", "entropy"): ("V.9", "docs/theory/vector.md#entropy-along-t",
                               "on each interval of constant support dH/dT = (k/T^2) Cov(log p, log q) >= 0 "
                               "(Chebyshev), and H is continuous in T"),
    ("sparsemax", "boundary_cold"): ("L.2", "docs/theory/vector.md#sparsemax",
                                     "F_T(p) = u_M exactly for T <= m log(p_max/p_next)"),
    ("sparsemax", "boundary_hot"): ("L.2", "docs/theory/vector.md#sparsemax",
                                    "for T > sum_j log(p_j/p_min), F_T(p) = u_V + (log p - mean log p)/T -> u_V"),
    ("entmax15", "continuity"): ("V.8", "docs/theory/vector.md#sparsemax-and-15-entmax-compute-the-mathematical-maps",
                                 "the algorithm computes entmax15(log p / T) (V.7), jointly continuous in (p, T)"),
    ("entmax15", "entropy"): ("V.9", "docs/theory/vector.md#entropy-along-t",
                              "on each interval of constant support dH/dT = (R/T^2) Cov_w(log p, log q) >= 0 "
                              "(Chebyshev), and H is continuous in T"),
    ("entmax15", "boundary_cold"): ("L.3", "docs/theory/vector.md#entmax15",
                                    "F_T(p) = u_M exactly for T <= (sqrt(m)/2) log(p_max/p_next)"),
    ("entmax15", "boundary_hot"): ("L.3", "docs/theory/vector.md#entmax15",
                                   "for T above T_full the support is all of V and F_T(p) -> u_V"),
}


#: theorems for the weak profile's ranking (``p_i > p_j => F_i >= F_j``)
_WEAK_THEOREMS: dict[tuple[str, str], tuple[str, str, str]] = {
    (name, "ranking"): ("V.10", "docs/theory/vector.md#weak-ranking", what)
    for name, what in (("topk", "the kept set is a prefix of the order and p -> p^(1/T) is increasing on it, 0 off it"),
                       ("sparsemax", "F_i = (w_i - tau)_+ is non-decreasing in w_i = log p_i / T"),
                       ("entmax15", "F_i = (w_i - tau)_+^2 is non-decreasing in w_i = log p_i / (2T)"))
}


_CLOSED = "docs/theory/vector.md#the-closed-simplex"
#: theorems for the closed simplex (profile ``closed``: zeros allowed, hot limit uniform on the
#: support): the built-ins drop the zero entries (Lemma Z.1), so each open-simplex theorem applied
#: on the support gives the closed reading (Z.2); continuity across a zero entry is Theorem Z.3
_CLOSED_THEOREMS: dict[tuple[str, str], tuple[str, str, str]] = {
    **{(name, "well_defined"): ("Z.2", _CLOSED, f"the zero entries map to 0 and the rest is {name} on the support "
                                "(Z.1), a point of the simplex (" + th + ")")
       for name, th in (("topk", "L.1"), ("sparsemax", "V.6"), ("entmax15", "V.7"))},
    **{(name, "entropy"): ("Z.2", _CLOSED, f"F_T(p) is {name} on the support (Z.1), whose entropy does not decrease (V.9)")
       for name in ("topk", "sparsemax", "entmax15")},
    **{(name, "boundary_cold"): ("Z.2", _CLOSED, f"F_T(p) is {name} on the support (Z.1), which tends to u_M ({th})")
       for name, th in (("sparsemax", "L.2"), ("entmax15", "L.3"))},
    **{(name, "boundary_hot"): ("Z.2", _CLOSED, f"F_T(p) is {name} on the support (Z.1), which tends to the uniform "
                                f"distribution on the support ({th})")
       for name, th in (("sparsemax", "L.2"), ("entmax15", "L.3"))},
    **{(name, "continuity"): ("Z.3", _CLOSED, "an entry below p_max e^(-T) (sparsemax; e^(-2T) for entmax15) is outside "
                              "the support, so near a zero entry F is the map on the other entries (Z.1), continuous (V.8)")
       for name in ("sparsemax", "entmax15")},
}


def _table(profile: Profile | None) -> dict[tuple[str, str], tuple[str, str, str]]:
    if profile is not None and not profile.open_simplex:
        return _CLOSED_THEOREMS
    return {**_THEOREMS, **_WEAK_THEOREMS} if profile is not None and not profile.strict_ranking else _THEOREMS


def _builtin_named_by_hash(op: Operator) -> str | None:
    """The name of the built-in whose content hash ``op`` has (the same algorithm and sizes)."""
    for b in library.ALL:
        if b.kind == op.kind and b.hash == op.hash:
            return b.name
    return None


def prove_by_theorem(axiom_id: str, op: Operator, profile: Profile | None, lemma: LemmaFn | None = None) -> Outcome:
    """``axiom_id`` for ``op`` by a theorem of docs/theory/vector.md, if one applies. Every axiom
    but ``well_defined`` cites ``well_defined`` proved by its theorem as a lemma (through
    ``lemma``; the kernel instantiates that proof once, the others rest on it)."""
    name = _builtin_named_by_hash(op)
    table = _table(profile)
    if name is None or (name, axiom_id) not in table:
        where = ("on the closed simplex only the built-ins' theorems prove anything (a user's vector operator is "
                 "proved from its pieces on the open simplex only: profiles paper and weak)"
                 if profile is not None and not profile.open_simplex else
                 "the theorems of docs/theory/vector.md are about the built-ins")
        return Outcome("unknown", "theorem", reason=f"no theorem proves {axiom_id} for this vector operator ({where})",
                       reason_kind="unsupported")
    theorem, where, what = table[(name, axiom_id)]
    step = Step(f"theorem {theorem} ({where}), for every V: {what}; instantiated: this operator is the built-in "
                f"{name} (same content hash)", "theorem", (("builtin", name), ("theorem", theorem)))
    steps = [step]
    if axiom_id != "well_defined":
        wd = lemma("well_defined", op) if lemma is not None else None
        if wd is None or not is_by_theorem(wd):
            return Outcome("unknown", "theorem", reason=f"theorem {theorem} presupposes that F is the built-in's map for "
                           "every V (well_defined by theorem), which is not proved", reason_kind="undecided")
        steps = [Step(f"F is {name}'s map, defined for every V (well_defined proved by theorem)", "lemma",
                      (("axiom", "well_defined"),)), step]
    return Outcome("proved", f"theorem {theorem} of docs/theory/vector.md (V-generic)", steps=steps, scope=THEOREM_SCOPE)


def is_by_theorem(out: Outcome) -> bool:
    """The outcome is a proof by theorem (a step cites the theorem)."""
    return out.status == "proved" and any(s.check == "theorem" for s in out.steps)


class FirstOf:
    """Provers tried in turn: the first ``proved`` outcome, else the last outcome."""

    def __init__(self, *provers: Prover) -> None:
        self.provers = provers

    def __call__(self, op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
        out = Outcome("unknown", "none", reason="no prover", reason_kind="unsupported")
        for prover in self.provers:
            out = prover(op, profile, lemma)
            if out.status == "proved":
                return out
        return out

    def __repr__(self) -> str:
        return f"FirstOf{self.provers!r}"


class TheoremProver:
    """The prover of one axiom by theorem (a :data:`skd.verify.outcome.Prover`)."""

    def __init__(self, axiom_id: str) -> None:
        self.axiom_id = axiom_id

    def __call__(self, op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
        return prove_by_theorem(self.axiom_id, op, profile, lemma)

    def __repr__(self) -> str:
        return f"TheoremProver({self.axiom_id!r})"
