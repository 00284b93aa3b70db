"""Sensitivity theorems: the Jacobian and Lipschitz constants of a separable operator
(``docs/theory/sensitivity.md``).

For ``q = F_T(p)`` and log-score ``s = log g``: ``∂F/∂p = (diag q − q qᵀ) diag(a(p))`` with
``a_j = ∂_x s(p_j, T)``; on ``Δ_ε`` this gives the labelled bound ``½ sup |∂_x s|`` (power:
``1/(2Tε)``); in logit coordinates a power-type operator is ``|c(T)|/2``-Lipschitz; on the
closed simplex power is Lipschitz for ``T ≤ 1`` and not for ``T > 1``.

>>> from skd.theory.sensitivity import LIPSCHITZ_EPS
>>> [h.key for h in LIPSCHITZ_EPS.hypotheses]
['well_defined', 'score_differentiable', 'derivative_monotone']
>>> [c.kind for c in LIPSCHITZ_EPS.constants]
['upper_bound', 'sharp']
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
    "LIPSCHITZ_LOGIT",
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
