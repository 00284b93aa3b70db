"""Sensitivity theorems: the Jacobian and Lipschitz constants of a separable operator
(``docs/theory/sensitivity.md``).

For ``q = F_T(p)`` and log-score ``s = log g``: ``∂F/∂p = (diag q − q qᵀ) diag(a(p))`` with
``a_j = ∂_x s(p_j, T)``; on ``Δ_ε`` this gives the labelled bound ``½ sup |∂_x s|`` (power:
``1/(2Tε)``); in logit coordinates a power-type operator is ``|c(T)|/2``-Lipschitz; on the
closed simplex power is Lipschitz for ``T ≤ 1`` and not for ``T > 1``. For ``V ≥ 3`` and a
power-type score with exponent ``0 < c ≤ 1`` the sharp ``ℓ1`` constant on ``Δ_ε`` is
``c ε^{c−1} / ((V−1) ε^c + (1 − (V−1)ε)^c)``; the ``ℓ2`` one lies within ``[1, √(V/2)]`` times it.
Of the vector built-ins, sparsemax is ``1/T``-Lipschitz in the logits (sharp), entmax15 at most
``1/T``, and top-k is not Lipschitz (it jumps where entries tie).

>>> from skd.theory.sensitivity import LIPSCHITZ_EPS
>>> [h.key for h in LIPSCHITZ_EPS.hypotheses]
['well_defined', 'score_differentiable', 'derivative_monotone']
>>> [c.kind for c in LIPSCHITZ_EPS.constants]
['upper_bound', 'sharp']
>>> [c.name for c in LIPSCHITZ_EPS_SHARP.constants]
['L1_sharp', 'L1_upper', 'L1_lower', 'L2_lower', 'L2_upper', 'L2_rate_lower']
"""

from __future__ import annotations

import sympy as sp

from .theorems import Constant, Hypothesis, placeholder, symbol, theorem

__all__ = [
    "C_T",
    "DX_S",
    "JACOBIAN",
    "LIPSCHITZ_CLOSED",
    "LIPSCHITZ_EPS",
    "LIPSCHITZ_EPS_SHARP",
    "LIPSCHITZ_LOGIT",
    "LIPSCHITZ_VECTOR",
    "L_CLOSED",
    "L_SHARP_V2",
    "SUP_DX_S",
]

EPS = symbol("eps")
BETA = symbol("beta")
#: Placeholders for quantities of the operator (instantiated by ``skd derive``).
DX_S = placeholder("dx_s", r"\partial_x s(x,T)")
SUP_DX_S = placeholder("sup_dx_s", r"\sup_{x\in[\varepsilon,1-(V-1)\varepsilon]}|\partial_x s(x,T)|")
L_SHARP_V2 = placeholder("L_sharp_V2", r"L^{\sharp}_{V=2}(T,\varepsilon)")
C_T = placeholder("c_T", r"c(T)")
L_CLOSED = placeholder("L_closed", r"L_{\bar\Delta}(T,V)")

_A0 = Hypothesis("well_defined", "A0: F_T maps the open simplex into the simplex", "axiom")
_DIFF = Hypothesis(
    "score_differentiable",
    r"on every $T$-piece, $g(x,T,V) > 0$ for $x\in(0,1)$ and $g$ is one elementary expression in $x$ there "
    r"(no piece boundary in $x$), so $s=\log g$ is $C^1$ in $x$ on $(0,1)$",
)

JACOBIAN = theorem(
    "jacobian",
    "sensitivity",
    "Jacobian of a separable operator in probability coordinates",
    [_A0, _DIFF],
    r"$\frac{\partial F_T(p)}{\partial p} = (\operatorname{diag} q - q q^\top)\operatorname{diag}(a(p))$ on the open "
    r"simplex, $q = F_T(p)$, $a_j = \partial_x s(p_j, T)$",
    [Constant("dx_s", DX_S, "exact", "a(x, T) = d/dx log g(x, T, V), the factor of column j of the Jacobian")],
    proof="docs/theory/sensitivity.md#jacobian",
    source="theory-notes §3.1 [RECON], generalised to separable scores",
)

LIPSCHITZ_EPS = theorem(
    "lipschitz_eps",
    "sensitivity",
    "Lipschitz constant on the eps-simplex",
    [
        _A0,
        _DIFF,
        Hypothesis("derivative_monotone",
                   r"$|\partial_x s(x,T)|$ is monotone in $x$ on $(0,1)$ on every $T$-piece (so its supremum over "
                   r"$[\varepsilon, 1-(V-1)\varepsilon]$ is attained at an end point)"),
    ],
    r"for $0<\varepsilon\le 1/V$, $F_T$ is Lipschitz on $\Delta_\varepsilon=\{p\in\Delta: p_i\ge\varepsilon\}$ "
    r"in $\ell_1$ and $\ell_2$ with $L \le \frac12\sup_{x\in[\varepsilon,1-(V-1)\varepsilon]}|\partial_x s(x,T)|$ "
    r"(power: $1/(2T\varepsilon)$, a bound, not sharp); the sharp constant over tangent directions is "
    r"enclosed for $V=2$",
    [
        Constant("L_bound", SUP_DX_S / 2, "upper_bound", "labelled upper bound on the Lipschitz constant on Delta_eps"),
        Constant("L_sharp", L_SHARP_V2, "sharp",
                 "sup over x in [eps, 1-eps] of |d/dx F_1(x, 1-x)|: the least Lipschitz constant for V = 2"),
    ],
    proof="docs/theory/sensitivity.md#lipschitz-on-the-eps-simplex",
    source="theory-notes §3.1 [RECON]/[CORRECTED], §5.6, §6 item 8",
)

LIPSCHITZ_LOGIT = theorem(
    "lipschitz_logit",
    "sensitivity",
    "Lipschitz constant in logit coordinates",
    [
        _A0,
        Hypothesis("score_form",
                   r"on every $T$-piece either $x\,\partial_x s(x,T) = c(T)$ independent of $x$ (power type: "
                   r"$F_T\circ\operatorname{softmax} = \operatorname{softmax}(c(T) z)$) or $g$ is affine in $x$ "
                   r"($F_T(p) = r(T)p + (1-r(T))/V$)"),
    ],
    r"$z\mapsto F_T(\operatorname{softmax}(z))$ is $|c(T)|/2$-Lipschitz in $\ell_2$ (affine pieces: $|r(T)|/2$), and "
    r"no smaller constant works for every $V$; power: $1/(2T)$",
    [Constant("L_logit", sp.Abs(C_T) / 2, "sharp", "least l2 Lipschitz constant of z -> F_T(softmax(z))")],
    proof="docs/theory/sensitivity.md#lipschitz-in-logit-coordinates",
    source="theory-notes §3.1 [RECON], §6 item 9",
)

LIPSCHITZ_CLOSED = theorem(
    "lipschitz_closed",
    "sensitivity",
    "Global Lipschitz continuity on the closed simplex",
    [
        _A0,
        Hypothesis("global_lipschitz_T_le_1",
                   r"for every $T\in(0,1]$, $F_T$ (extended by continuity to the faces) is Lipschitz on the closed "
                   r"simplex in $\ell_1$ and $\ell_2$"),
        Hypothesis("global_lipschitz_T_gt_1",
                   r"for every $T>1$, $F_T$ (extended by continuity to the faces) is Lipschitz on the closed simplex "
                   r"in $\ell_1$ and $\ell_2$"),
    ],
    r"$F_T$ is Lipschitz on the closed simplex for every $T>0$ (the 'global Lipschitz' hypothesis of the "
    r"convergence theorem); for power it fails for every $T>1$: the chord ratio at the boundary is "
    r"$\ge \varepsilon^{1/T-1}/2$",
    [
        Constant("L_closed", L_CLOSED, "upper_bound", "Lipschitz constant on the closed simplex where it exists"),
        Constant("blowup_rate", EPS ** (BETA - 1), "rate",
                 "growth of the chord ratio between (eps, 1-eps) and (0, 1) as eps -> 0 (beta = 1/T < 1)"),
    ],
    proof="docs/theory/sensitivity.md#lipschitz-on-the-closed-simplex",
    source="theory-notes §3.1 [FLAG], §5.4 (R2), §6 item 8",
)

V_ = symbol("V")
#: The sharp l1 constant of a power-type score with exponent c in (0, 1] on Delta_eps, V >= 3.
L1_SHARP_FORM = C_T * EPS ** (C_T - 1) / ((V_ - 1) * EPS ** C_T + (1 - (V_ - 1) * EPS) ** C_T)

LIPSCHITZ_EPS_SHARP = theorem(
    "lipschitz_eps_sharp",
    "sensitivity",
    "Sharp Lipschitz constant on the eps-simplex for V >= 3",
    [
        _A0,
        Hypothesis("sharp_form",
                   r"on the $T$-pieces in scope the score is affine in $x$ ($F_T(p) = r(T)p + (1-r(T))/V$) or of power "
                   r"type $g = e^{d(T,V)} x^{c(T)}$ with $0 < c(T) \le 1$ (sign prover on $c$ and $c - 1$)"),
    ],
    r"for $V\ge 3$ and $0<\varepsilon<1/V$ the least $\ell_1$ Lipschitz constant of $F_T$ on $\Delta_\varepsilon$ is "
    r"$L_1 = c\varepsilon^{c-1}/((V-1)\varepsilon^c + (1-(V-1)\varepsilon)^c)$ (affine pieces: $|r|$), and "
    r"$c\varepsilon^{c-1}/(1+(V-1)\varepsilon^c) \le L_1 \le c\varepsilon^{c-1}$ (power: $c = 1/T$, $T \ge 1$); the "
    r"least $\ell_2$ constant $L_2$ satisfies $L_1 \le L_2 \le \sqrt{V/2}\,L_1$ and, for $c<1$, "
    r"$\liminf_{\varepsilon\to0} L_2/(c\varepsilon^{c-1}) \ge \sqrt{2(V-1)/V}$, so in $\ell_2$ the constant is not "
    r"asymptotic to $c\varepsilon^{c-1}$",
    [
        Constant("L1_sharp", L1_SHARP_FORM, "sharp", "least l1 Lipschitz constant of F_T on Delta_eps (V >= 3, 0 < eps < 1/V)"),
        Constant("L1_upper", C_T * EPS ** (C_T - 1), "upper_bound", "c eps^(c-1) >= L1_sharp (Sum p^c >= 1 for c <= 1)"),
        Constant("L1_lower", C_T * EPS ** (C_T - 1) / (1 + (V_ - 1) * EPS ** C_T), "lower_bound",
                 "c eps^(c-1) / (1 + (V-1) eps^c) <= L1_sharp: the asymptotic L1 ~ c eps^(c-1) with relative error <= (V-1) eps^c"),
        Constant("L2_lower", L1_SHARP_FORM, "lower_bound", "L1_sharp <= least l2 constant (attained direction e_1 - e_2 at the vertex)"),
        Constant("L2_upper", sp.sqrt(V_ / 2) * L1_SHARP_FORM, "upper_bound",
                 "least l2 constant <= sqrt(V/2) L1_sharp (||w||_2 <= ||w||_1/sqrt 2 for tangent w, ||v||_1 <= sqrt(V) ||v||_2)"),
        Constant("L2_rate_lower", sp.sqrt(2 * (V_ - 1) / V_) * C_T * EPS ** (C_T - 1), "rate",
                 "liminf as eps -> 0 of L2 / (c eps^(c-1)) is >= sqrt(2(V-1)/V) > 1 when c < 1"),
    ],
    proof="docs/theory/sensitivity.md#sharp-constant-for-v-at-least-3",
    source="issue 15 item 5 (the V = 2 value 14.879 at T = 2, eps = 1e-3 is not the V = 3 answer 14.885)",
)

LIPSCHITZ_VECTOR = theorem(
    "lipschitz_vector",
    "sensitivity",
    "Lipschitz constants of the vector built-ins",
    [
        Hypothesis("continuous_at_ties",
                   r"$F_T$ is continuous on the open simplex, including where entries of $p$ tie (every Lipschitz map is)"),
        Hypothesis("projection_form",
                   r"$F_T(\operatorname{softmax}(z)) = \mathrm{sparsemax}(z/T)$ or $\mathrm{entmax}_{1.5}(z/T)$ for every "
                   r"$z$: the operator's algorithm is the library's sparsemax or 1.5-entmax of $\log p/T$ (Theorems V.6, V.7)"),
    ],
    r"$z\mapsto F_T(\operatorname{softmax}(z))$ is $L$-Lipschitz in $\ell_2$ with $L = 1/T$ for sparsemax (sharp: "
    r"attained where the support has $\ge 2$ entries) and $1/(\sqrt2 T) \le L \le 1/T$ for 1.5-entmax; on "
    r"$\Delta_\varepsilon$, $F_T$ is $1/(T\varepsilon)$-Lipschitz in $\ell_2$; top-k is not Lipschitz (it jumps at ties)",
    [
        Constant("L_logit_vec", 1 / symbol("T"), "sharp", "least l2 Lipschitz constant of z -> F_T(softmax(z)) (entmax15: upper bound)"),
        Constant("L_logit_vec_lower", 1 / symbol("T"), "lower_bound", "a ratio attained or approached by pairs of logits"),
        Constant("L_eps_vec", 1 / (symbol("T") * EPS), "upper_bound",
                 "l2 Lipschitz bound of F_T on Delta_eps (log is 1/eps-Lipschitz on [eps, 1])"),
    ],
    proof="docs/theory/sensitivity.md#vector-operators-logit-constants-and-ties",
    source="issue 15 item 5 (sparsemax 1/T-Lipschitz in the logits; top-k not Lipschitz)",
)
