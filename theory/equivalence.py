"""Equivalence classes of operators (``docs/theory/equivalence.md``).

Three notions, each with its fixed data:

* **reparametrisation** (E1): ``F ~ G`` iff ``F_T = G_{φ(T)}`` for an increasing bijection ``φ``
  of ``(0, ∞)`` (may depend on ``V``, not on ``p``) — then the orbits ``{F_T(p) : T > 0}``
  coincide, so every student class, loss and teacher gives the same *set* of students;
* **projection** (E2/E3): for a fixed student class, loss and teacher, ``F ~ F'`` iff the
  minimisers coincide; pinned by the worked example of theory-notes §6 item 14;
* **ordinal** (E4): a student that learns only which of the teacher's strict preferences the
  target keeps cannot tell an A1 (ranking) operator from the identity.

>>> from skd.theory.equivalence import REPARAM_EQUIVALENCE, ORDINAL_EQUIVALENCE
>>> [h.key for h in REPARAM_EQUIVALENCE.hypotheses]
['phi_exists']
>>> ORDINAL_EQUIVALENCE.hypothesis("ranking").kind
'axiom'
"""

from __future__ import annotations

import sympy as sp

from .theorems import Constant, Hypothesis, placeholder, symbol, theorem

__all__ = [
    "EXAMPLE_P",
    "EXAMPLE_T",
    "EXAMPLE_V",
    "FIXED_DATA",
    "ORDINAL_EQUIVALENCE",
    "PHI_T",
    "PROJECTION_EQUIVALENCE_KL",
    "PROJECTION_EQUIVALENCE_L2",
    "REPARAM_EQUIVALENCE",
]

T = symbol("T")
#: The temperature map of a reparametrisation, as a placeholder for the generic statement.
PHI_T = placeholder("phi_T", r"\varphi(T)")

#: The worked example of theory-notes §5.5 (E3) / §6 item 14.
EXAMPLE_V = 3
EXAMPLE_P = (sp.Rational(7, 10), sp.Rational(1, 5), sp.Rational(1, 10))
EXAMPLE_T = sp.Integer(2)

#: The fixed data of each notion, as text (shown by ``skd derive --classes``).
FIXED_DATA: dict[str, str] = {
    "reparametrisation": (
        "any student class, loss and input distribution, any teacher: F ~ G iff F_T = G_phi(T) for all T > 0 and all p, "
        "for an increasing bijection phi of (0, oo) that may depend on V but not on p (then F and G have the same orbit "
        "{F_T(p) : T > 0} for every p, hence the same set of students)"),
    "projection_l2": (
        "one input, V = 3, teacher p = (7/10, 1/5, 1/10), squared loss, linear student class "
        "G = span{1[y = 0], 1[y != 0]} = {(a, b, b)}: the student is the orthogonal projection of the target onto G; "
        "F_T and F'_T' are equivalent iff F_T(p) - F'_T'(p) is orthogonal to G"),
    "projection_kl": (
        "one input, V = 3, teacher p = (7/10, 1/5, 1/10), forward KL(target || g), log-linear student class "
        "g_theta(y) ∝ exp(theta 1[y = 0]) = {(a, b, b) in the open simplex}: the student matches the moment "
        "E[1[y = 0]], i.e. g_0 = target_0; F_T and F'_T' are equivalent iff F_T(p)_0 = F'_T'(p)_0"),
    "ordinal": (
        "student capacity: the strict preference relation only; the student of a target q for a teacher p is "
        "{(i, j) : p_i > p_j and q_i > q_j} (which of the teacher's strict preferences the target keeps); "
        "F ~ F' iff for every p in the open simplex the sets of students over T > 0 coincide"),
}

REPARAM_EQUIVALENCE = theorem(
    "reparam_equivalence",
    "equivalence",
    "Reparametrisation equivalence (same orbit)",
    [
        Hypothesis("phi_exists",
                   r"there is an increasing bijection $\varphi$ of $(0,\infty)$ (depending on $V$ at most) with "
                   r"$F_T(p) = G_{\varphi(T)}(p)$ for every $T > 0$ and $p$ in the simplex"),
    ],
    r"for every $p$ the orbits coincide, $\{F_T(p) : T>0\} = \{G_t(p) : t>0\}$, so for every student class, loss, "
    r"input distribution and teacher the sets of students reachable by tuning $T$ coincide",
    [Constant("phi", PHI_T, "exact", "the temperature map: F_T = G_phi(T)")],
    proof="docs/theory/equivalence.md#reparametrisation-equivalence",
    source="theory-notes §3.4, §5.5 (E1) [RECON]",
)

PROJECTION_EQUIVALENCE_L2 = theorem(
    "projection_equivalence_l2",
    "equivalence",
    "Projection equivalence under squared loss with a linear student class (worked example)",
    [
        Hypothesis("student_equal",
                   r"at the fixed data ($V=3$, $p=(0.7,0.2,0.1)$, $G=\{(a,b,b)\}$): $F_T(p) - F'_{T'}(p) \perp G$"),
        Hypothesis("targets_differ", r"$F_T(p) \ne F'_{T'}(p)$"),
    ],
    r"power at $T=2$ and mixture with $\lambda = (F_2(p)_0 - 1/3)/(p_0 - 1/3)$ are distinct targets with the same "
    r"squared-loss student $\Pi_G$",
    [],
    proof="docs/theory/equivalence.md#projection-equivalence-squared-loss",
    source="theory-notes §5.5 (E2) [RECON]",
)

PROJECTION_EQUIVALENCE_KL = theorem(
    "projection_equivalence_kl",
    "equivalence",
    "Projection equivalence under forward KL with a log-linear student class (worked example)",
    [
        Hypothesis("minimiser_unique",
                   r"the forward-KL minimiser over $g_\theta \propto \exp(\theta\,1[y=0])$ exists and is unique for "
                   r"every target with $0 < q_0 < 1$"),
        Hypothesis("student_equal", r"$F_T(p)_0 = F'_{T'}(p)_0$ (moment matching)"),
        Hypothesis("targets_differ", r"$F_T(p) \ne F'_{T'}(p)$"),
    ],
    r"power at $T=2$ and mixture with $\lambda = (F_2(p)_0 - 1/3)/(p_0 - 1/3) \approx 0.516944$ are distinct "
    r"targets with the same log-linear student $\approx (0.522879, 0.238560, 0.238560)$",
    [],
    proof="docs/theory/equivalence.md#projection-equivalence-forward-kl",
    source="theory-notes §5.5 (E3), §6 item 14 [RECON]",
)

ORDINAL_EQUIVALENCE = theorem(
    "ordinal_equivalence",
    "equivalence",
    "Ordinal equivalence: every ranking-preserving operator is equivalent to the identity",
    [Hypothesis("ranking", "A1: p_i > p_j => F_T(p)_i > F_T(p)_j for every p in the open simplex and T > 0", "axiom")],
    r"under ordinal capacity the student of $F_T(p)$ is the teacher's full strict order for every $T$, as for the "
    r"identity; an operator refuting A1 is not ordinally equivalent to the identity (nor to any A1 operator)",
    [],
    proof="docs/theory/equivalence.md#ordinal-equivalence",
    source="theory-notes §5.5 (E4) [RECON]",
)
