"""Basic facts of an operator: reference values and the composition (semigroup) law.

Proofs in ``docs/theory/basics.md``.

>>> from skd.theory.basics import SEMIGROUP
>>> [h.key for h in SEMIGROUP.hypotheses]
['well_defined', 'one_family']
"""

from __future__ import annotations

from .theorems import Constant, Hypothesis, placeholder, symbol, theorem

__all__ = ["REFERENCE_VALUES", "SEMIGROUP", "Z_T", "PSI"]

T = symbol("T")
Z_T = placeholder("Z_T", r"Z_T(p)")
PSI = placeholder("psi_ST", r"\psi(S,T)")

REFERENCE_VALUES = theorem(
    "reference_values",
    "basics",
    "Values and entropies at the reference teacher",
    [Hypothesis("well_defined", "A0: F_T maps the open simplex into the simplex", "axiom")],
    r"$F_T(p)_i = g(p_i, T, V)/Z_T(p)$ with $Z_T(p) = \sum_j g(p_j, T, V)$; values and $H(F_T(p))$ at "
    r"$p = (0.7, 0.2, 0.1)$ for $T \in \{1/2, 1, 2, 4, 10\}$, computed at 50 digits",
    [Constant("F_i", Z_T, "exact", "F_T(p)_i = g(p_i)/Z_T(p)")],
    proof="docs/theory/basics.md#reference-values",
    source="theory-notes §6 item 1",
)

SEMIGROUP = theorem(
    "semigroup",
    "basics",
    "Composition law: softening twice is softening once",
    [
        Hypothesis("well_defined", "A0: F_T maps the open simplex into the simplex", "axiom"),
        Hypothesis("one_family",
                   r"on every $T$-piece the operator is power type, $F_T(p) \propto p^{c(T)}$, or every piece is "
                   r"affine, $F_T(p) = r(T)\,p + (1 - r(T))/V$, and $c$ (resp. $r$) is a bijection onto its range "
                   r"closed under products"),
    ],
    r"$F_S \circ F_T = F_{\psi(S,T)}$ with $c(\psi) = c(S)\,c(T)$ (power type) or $r(\psi) = r(S)\,r(T)$ "
    r"(affine); hence $n$ stages of $F_T$ compose to $F_{\psi_n}$ — softening compounds unless the student "
    r"is compared with the teacher at the same temperature (theory-notes §5.7)",
    [Constant("psi", PSI, "exact", "the temperature of the composite")],
    proof="docs/theory/basics.md#composition-law",
    source="theory-notes §6 item 3, §5.7",
)
