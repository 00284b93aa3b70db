"""Bias–variance theorems (``docs/theory/biasvar.md``).

Three operator-agnostic identities (squared loss, KL after Heskes, moments of an empirical
teacher), the delta method for a teacher seen through ``m`` samples (bias ``B/m``, covariance
``V/m``, closed forms for separable operators) and the least-squares toy model in which a sparse
student beats a dense teacher.

>>> from skd.theory.biasvar import SPARSE_VS_DENSE, TEACHER_RISK
>>> TEACHER_RISK.subs({symbol("sigma2"): 1, symbol("d"): 100, symbol("N"): 1000})
100/899
>>> [c.name for c in DELTA_METHOD.constants]
['B_i', 'V_ii', 'V_ik']
"""

from __future__ import annotations

from .theorems import Constant, Hypothesis, placeholder, symbol, theorem

__all__ = [
    "A_I",
    "A_K",
    "B2_I",
    "BIAS2",
    "BIAS_EXACT",
    "B_I",
    "DELTA_METHOD",
    "EMPIRICAL_TEACHER",
    "KL_DECOMPOSITION",
    "M1",
    "M2",
    "M3",
    "M4",
    "M5",
    "P_I",
    "P_K",
    "Q_I",
    "Q_K",
    "SPARSE_VS_DENSE",
    "SQUARED_LOSS_DECOMPOSITION",
    "STUDENT_RISK",
    "TAIL2",
    "TEACHER_RISK",
    "THRESHOLD",
    "VAR_S",
    "V_II",
    "V_IK",
]

m, d, k, N, sigma2 = (symbol(n) for n in ("m", "d", "k", "N", "sigma2"))

# -- squared loss / KL ---------------------------------------------------------------------------
BIAS2 = placeholder("Bias2", r"\lVert \mathbb E_A S - q\rVert^2")
VAR_S = placeholder("Var_S", r"\mathbb E_A\lVert S - \mathbb E_A S\rVert^2")
KL_BIAS = placeholder("KL_bias", r"\mathrm{KL}(q\,\Vert\,\bar S)")
KL_VAR = placeholder("KL_var", r"\mathbb E_A \mathrm{KL}(\bar S\,\Vert\, S)")

SQUARED_LOSS_DECOMPOSITION = theorem(
    "squared_loss_decomposition",
    "biasvar",
    "Bias-variance-noise decomposition of the squared loss (operator-agnostic)",
    [
        Hypothesis("algebraic_identity",
                   r"the difference of the two sides vanishes identically once $\mathbb E_A(S-\mathbb E_A S)=0$, "
                   r"$\mathbb E(Y-q)=0$ and $Y$ is independent of $A$ (checked symbolically on a generic finite model)"),
    ],
    r"For every target vector $q$, every random target $Y$ with $\mathbb E[Y\mid x]=q$ that is independent of the "
    r"training randomness $A$, and every square-integrable student $S$: "
    r"$\mathbb E\lVert S-Y\rVert^2=\lVert\mathbb E_A S-q\rVert^2+\mathbb E_A\lVert S-\mathbb E_A S\rVert^2"
    r"+\mathbb E\lVert Y-q\rVert^2$. The identity does not depend on how $q=F_T(p)$ was produced; the noise term is 0 "
    r"for a deterministic target; scored against the same target, 'sparse beats dense iff $\Delta\mathrm{Var}>"
    r"\Delta\mathrm{Bias}^2$' is a restatement of $R(S)<R(T)$ (a tautology): the content is in estimating the terms",
    [Constant("risk", BIAS2 + VAR_S + sigma2, "exact",
              "expected squared loss = squared bias + variance + target noise (sigma2 = E||Y - q||^2, 0 for deterministic q)")],
    proof="docs/theory/biasvar.md#squared-loss-decomposition",
    source="theory-notes §4.1 [SEEN-2nd], §5.2 [RECON]",
)

KL_DECOMPOSITION = theorem(
    "kl_decomposition",
    "biasvar",
    "Bias-variance decomposition of the forward KL loss (Heskes 1998, operator-agnostic)",
    [
        Hypothesis("algebraic_identity",
                   r"with $\bar S\propto\exp(\mathbb E_A\log S)$ the difference of the two sides vanishes identically "
                   r"(checked symbolically on a generic finite model)"),
    ],
    r"For every probability vector $q$ (in particular $q=F_T(p)$ wherever A0 holds) and every random student $S$ "
    r"with positive entries and $\mathbb E_A\lvert\log S_i\rvert<\infty$: "
    r"$\mathbb E_A\mathrm{KL}(q\Vert S)=\mathrm{KL}(q\Vert\bar S)+\mathbb E_A\mathrm{KL}(\bar S\Vert S)$, "
    r"$\bar S_i=\exp(\mathbb E_A\log S_i)/\sum_j\exp(\mathbb E_A\log S_j)$; there is no noise term for a fixed $q$",
    [Constant("risk_KL", KL_BIAS + KL_VAR, "exact", "expected KL(q||S) = KL bias + KL variance")],
    proof="docs/theory/biasvar.md#kl-decomposition",
    source="theory-notes §5.2 [RECON] (Heskes 1998)",
)

# -- empirical teacher ----------------------------------------------------------------------------
P_I = placeholder("p_i", r"p_i")
NORM2_P = placeholder("norm2_p", r"\lVert p\rVert_2^2")

EMPIRICAL_TEACHER = theorem(
    "empirical_teacher",
    "biasvar",
    "Moments of an empirical teacher (text-only access, operator-agnostic)",
    [
        Hypothesis("binomial_moments",
                   r"$N_i\sim\mathrm{Bin}(m,p_i)$ has $\operatorname{Var}N_i=mp_i(1-p_i)$ and $P(N_i=0)=(1-p_i)^m$ "
                   r"(checked symbolically from the generating function $(1-p+pz)^m$ for symbolic $m$)"),
    ],
    r"For $\hat p$ the empirical distribution of $m$ i.i.d. draws from $p$: "
    r"$\mathbb E\lVert\hat p-p\rVert^2=(1-\lVert p\rVert^2)/m$ and $P(\hat p_i=0)=(1-p_i)^m$",
    [Constant("E_sq_err", (1 - NORM2_P) / m, "exact", "E||p_hat - p||^2"),
     Constant("P_unseen", (1 - P_I) ** m, "exact", "probability that class i is never sampled")],
    proof="docs/theory/biasvar.md#empirical-teacher",
    source="theory-notes §5.6 [RECON], §6 item 15",
)

# -- delta method ---------------------------------------------------------------------------------
Q_I = placeholder("q_i", r"q_i")
A_I = placeholder("a_i", r"a_i")
B2_I = placeholder("b_i", r"b_i")
P_K = placeholder("p_k", r"p_k")
Q_K = placeholder("q_k", r"q_k")
A_K = placeholder("a_k", r"a_k")
M1 = placeholder("M1", r"\textstyle\sum_j p_j q_j a_j")
M2 = placeholder("M2", r"\textstyle\sum_j p_j q_j^2 a_j^2")
M3 = placeholder("M3", r"\textstyle\sum_j p_j q_j a_j^2")
M4 = placeholder("M4", r"\textstyle\sum_j p_j^2 q_j a_j^2")
M5 = placeholder("M5", r"\textstyle\sum_j p_j (1-p_j) q_j b_j")

#: m * Var of F_i(p_hat) to first order, divided by q_i^2 (the q-weighted variance of d log F_i).
_U2_I = P_I * A_I**2 * (1 - 2 * Q_I) + M2 - (P_I * A_I - M1) ** 2
#: Sum_jk Sigma_jk d_j d_k log F_i.
_H_I = P_I * (1 - P_I) * B2_I - M3 + M2 + M4 - M1**2 - M5
B_I = Q_I * (_U2_I + _H_I) / 2
V_II = Q_I**2 * _U2_I
V_IK = Q_I * Q_K * (-P_I * Q_I * A_I**2 - P_K * Q_K * A_K**2 + M2 - (P_I * A_I - M1) * (P_K * A_K - M1))

DELTA_METHOD = theorem(
    "delta_method",
    "biasvar",
    "Bias and covariance of a softened empirical teacher (delta method)",
    [
        Hypothesis("well_defined", "A0: F_T maps the open simplex into the simplex", "axiom"),
        Hypothesis("score_twice_differentiable",
                   r"$s=\log g$ is twice continuously differentiable in $x$ on $(0,1)$ with $g>0$ there, at the "
                   r"fixed $T$ (on every $T$-piece of the score)"),
        Hypothesis("closed_simplex",
                   r"$g(\cdot,T)$ extends continuously to $x=0$ with a finite $g(0^+,T)\ge 0$, so $F_T(\hat p)$ is "
                   r"defined for every empirical $\hat p$ (which can have zero entries)"),
    ],
    r"For $p$ in the open simplex and $\hat p$ the empirical distribution of $m$ draws from $p$: "
    r"$\mathbb E F_T(\hat p)-F_T(p)=B(p,T)/m+o(1/m)$ and $\operatorname{Cov}F_T(\hat p)=V(p,T)/m+o(1/m)$, "
    r"$B_i=\tfrac12\sum_{jk}\Sigma_{jk}\partial_j\partial_k F_i$, $V=J\Sigma J^\top$, $\Sigma=\operatorname{diag}(p)-pp^\top$. "
    r"Asymptotic only: at finite $m$ the exact bias (multinomial enumeration) differs, e.g. by 21% in the last "
    r"class for power at $p=(0.7,0.2,0.1)$, $T=2$, $m=50$",
    [Constant("B_i", B_I, "limit",
              "lim m*(E F_T(p_hat)_i - F_T(p)_i) for a separable operator; a_j = d_x s(p_j), b_j = d_x^2 s(p_j), "
              "q = F_T(p), M1..M5 the p-weighted sums named in their LaTeX"),
     Constant("V_ii", V_II, "limit", "lim m*Var F_T(p_hat)_i for a separable operator"),
     Constant("V_ik", V_IK, "limit", "lim m*Cov(F_T(p_hat)_i, F_T(p_hat)_k), i != k, for a separable operator")],
    proof="docs/theory/biasvar.md#delta-method",
    source="theory-notes §5.6 [RECON], corrected by §5.7 [CORRECTED]",
)

# -- least squares toy model ------------------------------------------------------------------------
#: E F_T(p_hat)_i - F_T(p)_i at finite m (values from exact multinomial enumeration).
BIAS_EXACT = placeholder("bias_exact_i", r"\mathbb E F_T(\hat p)_i - F_T(p)_i")
TAIL2 = placeholder("tail2", r"\lVert\beta_{\mathrm{tail}}\rVert^2")
TEACHER_RISK = sigma2 * d / (N - d - 1)
STUDENT_RISK = TAIL2 + (sigma2 + TAIL2) * k / (N - k - 1)
THRESHOLD = sigma2 * (d / (N - d - 1) - k / (N - k - 1)) / (1 + k / (N - k - 1))

SPARSE_VS_DENSE = theorem(
    "sparse_vs_dense",
    "biasvar",
    "Sparse student against dense teacher in least squares with Gaussian design",
    [
        Hypothesis("risk_formulas",
                   r"in the model $y=x^\top\beta+\varepsilon$, $x\sim N(0,I_d)$, $\varepsilon\sim N(0,\sigma^2)$ "
                   r"independent, $N>d+1$ samples: OLS excess risks follow from $\mathbb E[(X^\top X)^{-1}]=I/(N-d-1)$ "
                   r"(inverse-Wishart mean); the threshold solves the comparison (checked symbolically)"),
    ],
    r"In that model (an implication about the model, the same for every operator): the dense teacher (OLS on all "
    r"$d$ features) has excess risk $\sigma^2 d/(N-d-1)$, the sparse student (OLS on $k$ features) "
    r"$\lVert\beta_{\mathrm{tail}}\rVert^2+(\sigma^2+\lVert\beta_{\mathrm{tail}}\rVert^2)k/(N-k-1)$, and the student "
    r"wins iff $\lVert\beta_{\mathrm{tail}}\rVert^2<\sigma^2\bigl(\tfrac{d}{N-d-1}-\tfrac{k}{N-k-1}\bigr)/"
    r"\bigl(1+\tfrac{k}{N-k-1}\bigr)$",
    [Constant("teacher_risk", TEACHER_RISK, "exact", "excess risk of dense OLS"),
     Constant("student_risk", STUDENT_RISK, "exact", "excess risk of OLS on the first k features"),
     Constant("threshold", THRESHOLD, "threshold", "the student wins iff ||beta_tail||^2 is below this")],
    proof="docs/theory/biasvar.md#sparse-vs-dense",
    source="theory-notes §5.2 [RECON], §6 item 12",
)
