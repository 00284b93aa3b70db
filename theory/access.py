"""Partial access and privacy theorems (``docs/theory/access.md``).

Top-k truncation (commutation, its cost, its growth with ``T``), zeros of an empirical teacher,
invertibility of softening (no privacy by itself) and differential-privacy post-processing.

>>> from skd.theory.access import TRUNCATION_COST
>>> [c.name for c in TRUNCATION_COST.constants]
['TV', 'KL']
>>> TRUNCATION_COST.constants[1].expr
-log(1 - tau)
"""

from __future__ import annotations

import sympy as sp

from .theorems import Constant, Hypothesis, placeholder, symbol, theorem

__all__ = [
    "TOPK_COMMUTATION",
    "TRUNCATION_COST",
    "TAIL_MASS_MONOTONE",
    "ZERO_PRESERVATION",
    "INVERTIBILITY",
    "DP_POST_PROCESSING",
    "TAU",
    "Q_I",
    "Z_Q",
]

TAU = symbol("tau")
#: ``q_i``: an entry of the released (softened) distribution q = F_T(p).
Q_I = placeholder("q_i", r"q_i")
#: ``Z_q``: the normaliser of the power-type inverse, ``Σ_j q_j^{e}`` (exponent ``e`` of the piece).
Z_Q = placeholder("Z_q", r"Z_q")

_WELL_DEFINED = Hypothesis("well_defined", "A0: F_T maps the open simplex into the simplex", "axiom")

TOPK_COMMUTATION = theorem(
    "topk_commutation",
    "access",
    "Softening commutes with top-k truncation",
    [
        _WELL_DEFINED,
        Hypothesis("scale_invariant_ratio",
                   r"separable: $g>0$ on $(0,1)$ and the score ratio is scale invariant and independent of the vocabulary "
                   r"size, $g(cx,T,W)/g(cy,T,W) = g(x,T,V)/g(y,T,V)$ for all $x,y\in(0,1]$, $c\ge 1$ with $cx,cy\le 1$, "
                   r"$1\le W\le V$ (vector operators: the conclusion itself is checked)"),
    ],
    r"$F_T(p|_K) = F_T(p)|_K$ for every $p$ in the open simplex, every $T>0$ and every top-$k$ set $K$ "
    r"($p_i\ge p_j$ for $i\in K$, $j\notin K$; $p|_K$ is $p$ restricted to $K$ and renormalised, a distribution on "
    r"$|K|$ classes): softening the truncated teacher equals conditioning the softened teacher on $K$",
    proof="docs/theory/access.md#top-k-commutation",
    source="theory-notes §5.6 (commutation lemma), §6 item 7 [RECON]",
)

TRUNCATION_COST = theorem(
    "truncation_cost",
    "access",
    "Cost of top-k truncation in total variation and KL",
    [_WELL_DEFINED],
    r"with $q=F_T(p)$ and $\tau_T=q(K^c)<1$: $\mathrm{TV}(q, q|_K)=\tau_T$ and "
    r"$\mathrm{KL}(q|_K\,\|\,q)=-\log(1-\tau_T)$",
    [
        Constant("TV", TAU, "exact", "total variation between the softened teacher and its truncation to K"),
        Constant("KL", -sp.log(1 - TAU), "exact", "KL(F_T(p)|_K || F_T(p)) of the truncation to K"),
    ],
    proof="docs/theory/access.md#truncation-cost",
    source="theory-notes §5.6, §6 item 7 [RECON]",
)

TAIL_MASS_MONOTONE = theorem(
    "tail_mass_monotone",
    "access",
    "The truncated tail mass grows with the temperature",
    [
        Hypothesis("continuity", "A2: F is jointly continuous in (p, T)", "axiom"),
        Hypothesis("cross_derivative_nonpositive",
                   r"separable: $g>0$ and $\partial_x\partial_T \log g(x,T,V) \le 0$ on $(0,1)$ inside every open "
                   r"$T$-piece (one $x$-piece); vector operators: the conclusion itself is checked"),
    ],
    r"$\tau_T = F_T(p)(K^c)$ is non-decreasing in $T$ for every $p$ and every top set $K$: truncation costs more "
    r"at higher temperature",
    proof="docs/theory/access.md#tail-mass-monotone",
    source="theory-notes §5.6 [RECON], generalised from power to separable scores",
)

ZERO_PRESERVATION = theorem(
    "zero_preservation",
    "access",
    "Never-sampled classes stay at zero",
    [
        _WELL_DEFINED,
        Hypothesis("score_vanishes_at_zero",
                   r"separable: $\lim_{x\to0^+} g(x,T,V) = 0$ and $g(y,T,V)>0$ for $y\in(0,1)$, for every $T$"),
    ],
    r"on the closed simplex minus its vertices (score extended by $g(0,T):=\lim_{x\to0^+}g(x,T)$), "
    r"$p_i=0 \Rightarrow F_T(p)_i=0$: "
    r"softening an empirical teacher $\hat p$ keeps its zeros, so the dark knowledge of never-sampled classes "
    r"cannot be recovered by softening",
    proof="docs/theory/access.md#zero-preservation",
    source="theory-notes §5.6 (text-only outputs) [RECON]",
)

INVERTIBILITY = theorem(
    "invertibility",
    "access",
    "Softening alone gives no privacy: F_T is invertible",
    [
        _WELL_DEFINED,
        Hypothesis("injective",
                   r"$F_T$ is injective on the open simplex for each $T$ (separable: implied by "
                   r"$\partial_x \log g(x,T,V) > 0$ on $(0,1)$, see the proof)"),
    ],
    r"F_T is invertible, so releasing $F_T(p)$ reveals $p$: no privacy from softening alone",
    [Constant("inverse", Q_I, "exact", "p_i as a function of the released q = F_T(p), per T-piece")],
    proof="docs/theory/access.md#invertibility",
    source="theory-notes §5.6 privacy (iii), §6 item 17 [FLAG]",
)

DP_POST_PROCESSING = theorem(
    "dp_post_processing",
    "access",
    "Differential privacy survives softening (post-processing)",
    [
        Hypothesis("dp_release", r"the released probabilities $p(D)$ come from an $(\varepsilon,\delta)$-DP mechanism "
                   r"in the data set $D$", "assumption"),
        _WELL_DEFINED,
    ],
    r"$D\mapsto F_T(p(D))$ is $(\varepsilon,\delta)$-DP for every $T$ (softening is data-independent post-processing)",
    proof="docs/theory/access.md#dp-post-processing",
    source="theory-notes §5.6 privacy (ii); Dwork & Roth (2014) Prop. 2.1",
)
