"""Entropy rate theorems (``docs/theory/entropy.md``).

>>> from skd.theory.entropy import ENTROPY_RATE
>>> ENTROPY_RATE.constants[0].name
'dH_dT'
"""

from __future__ import annotations

from .theorems import Constant, Hypothesis, placeholder, symbol, theorem

__all__ = ["ENTROPY_RATE", "ENTROPY_RATE_POWER_TYPE", "VAR_S", "VAR_LOGP", "COV_DS_S", "A_T"]

T = symbol("T")
#: Placeholders for q-weighted moments at (p, T), q = F_T(p), s = log g.
VAR_S = placeholder("VarQ_s", r"\operatorname{Var}_q(s)")
VAR_LOGP = placeholder("VarQ_logp", r"\operatorname{Var}_q(\log p)")
COV_DS_S = placeholder("CovQ_dTs_s", r"\operatorname{Cov}_q(\partial_T s,\, s)")
A_T = placeholder("a_T", r"a(T)")

ENTROPY_RATE = theorem(
    "entropy_rate",
    "entropy",
    "Entropy rate of a separable operator",
    [
        Hypothesis("well_defined", "A0: F_T maps the open simplex into the simplex", "axiom"),
        Hypothesis("score_differentiable",
                   r"$s(x,T)=\log g(x,T,V)$ is differentiable in $T$ at every $x\in(0,1)$ (no piece boundary in $T$ "
                   r"inside the range considered)"),
    ],
    r"$\frac{d}{dT}H(F_T(p)) = -\operatorname{Cov}_{q}(\partial_T s(p,T),\, s(p,T))$ with $q = F_T(p)$",
    [Constant("dH_dT", -COV_DS_S, "exact", "entropy rate as minus a q-covariance of the log-score and its T-derivative")],
    proof="docs/theory/entropy.md#entropy-rate",
    source="theory-notes §5.1 [RECON], generalised",
)

ENTROPY_RATE_POWER_TYPE = theorem(
    "entropy_rate_power_type",
    "entropy",
    "Entropy rate when the T-derivative of the log-score is proportional to the log-score",
    [
        Hypothesis("well_defined", "A0: F_T maps the open simplex into the simplex", "axiom"),
        Hypothesis("score_affine_in_T_derivative",
                   r"$\partial_T s(x,T) = a(T)\, s(x,T) + b(T)$ with $a, b$ independent of $x$"),
    ],
    r"$\frac{d}{dT}H(F_T(p)) = -a(T)\operatorname{Var}_q(s)$; for power ($s=\log x/T$, $a=-1/T$) this is "
    r"$\operatorname{Var}_q(\log p)/T^3 \ge 0$",
    [Constant("dH_dT", -A_T * VAR_S, "exact", "entropy rate for a power-type score")],
    proof="docs/theory/entropy.md#power-type-scores",
    source="theory-notes §5.1 [RECON]",
)
