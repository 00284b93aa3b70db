"""Multi-stage O(1/n) theorems (``docs/theory/multistage.md``).

Six theorems: the path-energy **limit** and the path-energy **bound valid for every n** along
the temperature path ``γ(β) = F_{1/β}(p)`` (kept distinct: the limit is not a bound), error
propagation through ``n`` stages (R2), the homotopy conditions for one-shot against n-stage
compression, the forward-Euler continuation bound (R3), and the telescoping of exact forward-KL
stages onto affine log-linear classes (n stages = one shot).

>>> from skd.theory.multistage import PATH_ENERGY_LIMIT, ERROR_PROPAGATION
>>> PATH_ENERGY_LIMIT.constants[0].kind
'limit'
>>> [c.name for c in ERROR_PROPAGATION.constants if c.kind == "minimiser_of_bound"]
['n_star', 'bound_at_n_star']
"""

from __future__ import annotations

import sympy as sp

from .theorems import Constant, Hypothesis, placeholder, symbol, theorem

__all__ = [
    "BETA0",
    "BETA1",
    "D01",
    "DTHETA_SUP",
    "ELL_2",
    "ELL_F",
    "ERROR_PROPAGATION",
    "EULER_CONTINUATION",
    "EXACT_PROJECTION_CHAIN",
    "GLUED_PATH_ENERGY",
    "PRUNING_PATH_ENERGY",
    "STAGE_STATISTICAL_ERROR",
    "FISHER",
    "HOMOTOPY_CONDITIONS",
    "IT_MEAN",
    "I_MEAN",
    "I_SUP",
    "J_SUP",
    "L_EULER",
    "M_EULER",
    "N_KL_BOUND",
    "N_KL_BOUND_REPARAM",
    "N_KL_LIMIT",
    "N_KL_LIMIT_T_GRID",
    "PATH_ENERGY_BOUND",
    "PATH_ENERGY_LIMIT",
    "T0",
    "T1",
]

n, rho, kappa, c, eps_m, e0 = (symbol(k) for k in ("n", "rho", "kappa", "c", "eps_m", "e0"))
L_gamma, r = symbol("L_gamma"), symbol("r")

#: Ends of the beta-interval (beta = 1/T) and of the corresponding T-interval.
BETA0 = placeholder("beta_0", r"\beta_0")
BETA1 = placeholder("beta_1", r"\beta_1")
T0 = placeholder("T_0", r"T_0")
T1 = placeholder("T_1", r"T_1")
#: Averages and suprema of the Fisher information I(beta) = Var_q(d_beta s) over the interval.
I_MEAN = placeholder("I_mean", r"\overline{I}")
IT_MEAN = placeholder("IT_mean", r"\overline{I_T}")
I_SUP = placeholder("I_sup", r"\sup_{\beta} I(\beta)")
J_SUP = placeholder("J_sup", r"\sup_{\beta} J(\beta)")
DTHETA_SUP = placeholder("dtheta_sup", r"\sup_{\beta}|\theta'(\beta)|")
#: Fisher information along the path and path distances at a reference teacher.
FISHER = placeholder("VarQ_dbeta_s", r"\operatorname{Var}_{q_\beta}(\partial_\beta s)")
D01 = placeholder("d_01", r"d(\gamma(0),\gamma(1))")
ELL_2 = placeholder("ell_2", r"\ell_2")
ELL_F = placeholder("ell_F", r"\ell_F")
#: Constants of the Euler theorem: Lipschitz constant of the vector field, bound on |theta''|.
L_EULER = placeholder("L_Phi", r"L_\Phi")
M_EULER = placeholder("M_2", r"M")

N_KL_LIMIT = (BETA1 - BETA0) ** 2 * I_MEAN / 2
N_KL_LIMIT_T_GRID = (T1 - T0) ** 2 * IT_MEAN / 2
N_KL_BOUND = (BETA1 - BETA0) ** 2 * I_SUP / 2
N_KL_BOUND_REPARAM = (BETA1 - BETA0) ** 2 * J_SUP * DTHETA_SUP**2 / 2

_WD = Hypothesis("well_defined", "A0: F_T maps the open simplex into the simplex (separable: g > 0 and finite on (0,1))", "axiom")
_C2 = Hypothesis(
    "path_c2",
    r"$s(x,\beta)=\log g(x,1/\beta,V)$ is $C^2$ in $\beta$ on $[\beta_0,\beta_1]$: the $T$-range "
    r"$[1/\max\beta, 1/\min\beta]$ lies in the closure of one $T$-piece of the score and the piece's formula "
    r"agrees with the score at its closed ends",
)

PATH_ENERGY_LIMIT = theorem(
    "path_energy_limit",
    "multistage",
    "Path energy of the temperature path: the limit n·ΣKL",
    [_WD, _C2],
    r"On the grid $\beta_k=\beta_0+k(\beta_1-\beta_0)/n$ (uniform in $\beta=1/T$), "
    r"$n\sum_{k=1}^n \mathrm{KL}(q_{\beta_{k-1}}\,\|\,q_{\beta_k}) \to \tfrac12(\beta_1-\beta_0)^2\,\overline{I}$ as $n\to\infty$, "
    r"$\overline I$ the $\beta$-average of the Fisher information $I(\beta)=\operatorname{Var}_{q_\beta}(\partial_\beta s)$. "
    r"On the grid uniform in $T$ the limit is $\tfrac12(T_1-T_0)^2\,\overline{I_T}$ with $I_T = I(1/T)/T^4$. "
    r"A limit, not a bound for finite $n$.",
    [
        Constant("n_sum_KL_limit", N_KL_LIMIT, "limit", "lim n·Σ_k KL(q_{β_{k-1}} || q_{β_k}), grid uniform in β"),
        Constant("n_sum_KL_limit_T_grid", N_KL_LIMIT_T_GRID, "limit", "lim n·Σ_k KL(q_{T_{k-1}} || q_{T_k}), grid uniform in T"),
    ],
    proof="docs/theory/multistage.md#path-energy-limit",
    source="theory-notes §5.4 R1 [CORRECTED], §6 item 10",
)

PATH_ENERGY_BOUND = theorem(
    "path_energy_bound",
    "multistage",
    "Path energy of the temperature path: a bound valid for every n",
    [
        _WD,
        _C2,
        Hypothesis(
            "one_parameter_family",
            r"on the interval $q_\beta$ is a one-parameter **exponential** family, $s(x,\beta)=\theta(\beta)\,u(x)+w(\beta)$ "
            r"($\theta=\beta$ for power), or a one-parameter **mixture** family, $q_\beta=\theta(\beta)\,p+(1-\theta(\beta))\,u$ "
            r"($g\propto x+c(\beta)$; $\theta=\beta$ for mixture and hybrid on $T\ge1$), with $\theta\in C^1$",
        ),
    ],
    r"For every $n\ge1$, on the grid uniform in $\beta$: "
    r"$\sum_k \mathrm{KL}(q_{\beta_{k-1}}\|q_{\beta_k}) \le \tfrac12(\beta_1-\beta_0)^2 \sup_\beta J(\beta)"
    r"\,\sup_\beta\theta'(\beta)^2/n$, where $J$ is the Fisher information in $\theta$ "
    r"($\operatorname{Var}_{q_\beta}(u)$, resp. $\sum_i (p_i-1/V)^2/q_{\beta,i}$); this is "
    r"$\tfrac12(\beta_1-\beta_0)^2\sup_\beta I(\beta)/n$ when $\theta$ is affine in $\beta$. "
    r"Without the affine hypothesis the $\sup I$ form is false in general (certified counterexample for power_T2, $\theta=\beta^2$).",
    [
        Constant("n_sum_KL_bound", N_KL_BOUND, "upper_bound", "bound on n·Σ_k KL for every n (θ affine in β)"),
        Constant("n_sum_KL_bound_reparam", N_KL_BOUND_REPARAM, "upper_bound", "bound on n·Σ_k KL for every n (general θ)"),
    ],
    proof="docs/theory/multistage.md#path-energy-bound",
    source="theory-notes §5.1, §5.4 R1 [CORRECTED], §5.8",
)

N_KL_LIMIT_GLUED = placeholder("nKL_limit_glued", r"\lim n\textstyle\sum\mathrm{KL}")
N_KL_BOUND_GLUED = placeholder("nKL_bound_glued", r"\sup_n n\textstyle\sum\mathrm{KL}")
C_CHI = placeholder("C_chi", r"C_\chi")
A_SUP = placeholder("A_sup", r"\max_j\sup J\,\sup\theta'^2")
N_JUNCTIONS = placeholder("N_J", r"N_J")

GLUED_PATH_ENERGY = theorem(
    "glued_path_energy",
    "multistage",
    "Path energy of a temperature path that crosses piece boundaries of the score (glued at T = 1)",
    [
        _WD,
        Hypothesis(
            "piecewise_family",
            r"the junctions $T_j$ (piece boundaries of the score) cut $[\beta_0,\beta_1]$ into intervals on each of which "
            r"$q_\beta$ is a one-parameter exponential or mixture family with $\theta\in C^2$ (as in path_energy_bound), and "
            r"at every junction the score equals each neighbouring piece's formula up to a factor free of $x$, so "
            r"$\beta\mapsto q_\beta$ is continuous",
        ),
    ],
    r"On the grid uniform in $\beta$: (i) "
    r"$n\sum_k\mathrm{KL}(q_{\beta_{k-1}}\|q_{\beta_k})\to\tfrac12|\beta_1-\beta_0|\int I(\beta)\,d\beta$ "
    r"(the integral split at the junctions); (ii) for every $n\ge1$, "
    r"$n\sum_k\mathrm{KL}\le\tfrac12(\beta_1-\beta_0)^2A+N_J(\beta_1-\beta_0)^2C_\chi/n$, with $A=\max_j\sup J\,\sup\theta'^2$ over "
    r"the intervals, $C_\chi=\sum_i(\sup_\beta|\partial_\beta q_{\beta,i}|)^2/\inf_\beta q_{\beta,i}$ and $N_J$ the number of "
    r"junctions strictly inside.",
    [
        Constant("n_sum_KL_limit_glued", N_KL_LIMIT_GLUED, "limit", "lim n·Σ_k KL across the junctions, grid uniform in β"),
        Constant("n_sum_KL_bound_glued", (BETA1 - BETA0) ** 2 * A_SUP / 2 + N_JUNCTIONS * (BETA1 - BETA0) ** 2 * C_CHI / n,
                 "upper_bound", "bound on n·Σ_k KL for every n across the junctions"),
    ],
    proof="docs/theory/multistage.md#paths-glued-at-piece-boundaries",
    source="issue 15 item 3 ('piecewise paths glued at T = 1'); theory-notes §5.4 R1",
)

_E_GEOM = rho**n * e0 + (c / n**2 + eps_m) * (1 - rho**n) / (1 - rho)
_E_NEAR = sp.exp(kappa) * (e0 + c / n + n * eps_m)

ERROR_PROPAGATION = theorem(
    "error_propagation",
    "multistage",
    "Error propagation through n stages (R2)",
    [
        Hypothesis("contraction",
                   r"each stage is $\rho$-Lipschitz in its teacher input ($\rho \ge 0$; $\rho$ includes $\mathrm{Lip}(F_T)$)",
                   "assumption"),
        Hypothesis("stage_error", r"each stage adds at most $c/n^2$ (curvature of the step) $+\ \varepsilon_m$ (statistical error "
                   r"from $m$ samples)", "assumption"),
        Hypothesis("lipschitz_F", r"$F_T$ is Lipschitz on $\Delta_\varepsilon$ (sensitivity topic, claim lipschitz_eps.conclusion)"),
    ],
    r"$e_n \le \rho^n e_0 + \sum_{k=1}^n \rho^{n-k}(c/n^2+\varepsilon_m)$. If $\rho \le 1+\kappa/n$: "
    r"$e_n \le e^\kappa(e_0 + c/n + n\varepsilon_m)$, whose minimiser over real $n>0$ is $n^*=\sqrt{c/\varepsilon_m}$ "
    r"with value $e^\kappa(e_0+2\sqrt{c\,\varepsilon_m})$ (a property of the bound, not of every process). "
    r"If $\rho<1$ is fixed: $e_n \le \rho^n e_0 + (c/n^2+\varepsilon_m)/(1-\rho)$, decreasing in $n$ (no interior optimum).",
    [
        Constant("e_n_bound", _E_GEOM, "upper_bound", "error after n stages, ρ ≠ 1 (geometric sum in closed form)"),
        Constant("e_n_bound_near_contraction", _E_NEAR, "upper_bound", "error after n stages when ρ ≤ 1 + κ/n"),
        Constant("n_star", sp.sqrt(c / eps_m), "minimiser_of_bound", "minimiser over real n > 0 of e^κ(e0 + c/n + n ε_m)"),
        Constant("bound_at_n_star", sp.exp(kappa) * (e0 + 2 * sp.sqrt(c * eps_m)), "minimiser_of_bound",
                 "value of the bound e^κ(e0 + c/n + n ε_m) at n = n*"),
        Constant("e_n_bound_contraction", rho**n * e0 + (c / n**2 + eps_m) / (1 - rho), "upper_bound",
                 "error after n stages for a fixed ρ < 1"),
        Constant("e_inf_bound_contraction", eps_m / (1 - rho), "limit", "limit n → ∞ of the fixed-ρ bound"),
    ],
    proof="docs/theory/multistage.md#error-propagation",
    source="theory-notes §5.4 R2, §5.7",
)

HOMOTOPY_CONDITIONS = theorem(
    "homotopy_conditions",
    "multistage",
    "When n-stage compression tracks a path that one-shot compression cannot",
    [
        Hypothesis("basin_radius", r"retraining started within distance $r$ of $\gamma(t_k)$ converges to $\gamma(t_k)$", "assumption"),
        Hypothesis("path_lipschitz", r"$d(\gamma(t),\gamma(t')) \le L_\gamma|t-t'|$ for the path considered"),
    ],
    r"One-shot compression succeeds if $d(\gamma(0),\gamma(1))<r$; n-stage compression on $t_k=k/n$ succeeds if "
    r"$\max_k d(\gamma(t_{k-1}),\gamma(t_k))<r$, in particular if $n > L_\gamma/r$ (sufficient, not necessary).",
    [Constant("n_sufficient", L_gamma / r, "threshold", "n > L_γ/r suffices for n-stage tracking")],
    proof="docs/theory/multistage.md#homotopy-conditions",
    source="theory-notes §5.3, §5.7",
)

EULER_CONTINUATION = theorem(
    "euler_continuation",
    "multistage",
    "Forward-Euler continuation with n stages (R3)",
    [
        Hypothesis("vector_field_lipschitz", r"$\theta'=\Phi(\theta)$ on $[0,1]$ with $\Phi$ $L$-Lipschitz", "assumption"),
        Hypothesis("second_derivative_bounded", r"$|\theta''(t)| \le M$ on $[0,1]$", "assumption"),
    ],
    r"$n$ forward-Euler steps of size $1/n$ give $|\theta_n-\theta(1)| \le \frac{M}{2L}(e^L-1)/n$.",
    [Constant("euler_error_bound", M_EULER * (sp.exp(L_EULER) - 1) / (2 * L_EULER * n), "upper_bound",
              "global error of n forward-Euler steps on [0, 1]")],
    proof="docs/theory/multistage.md#euler-continuation",
    source="theory-notes §5.4 R3, §6 item 11",
)

EXACT_PROJECTION_CHAIN = theorem(
    "exact_projection_chain",
    "multistage",
    "Exact forward-KL stages onto affine log-linear classes equal one shot",
    [
        Hypothesis("affine_loglinear_classes",
                   r"stage $k$ fits its student in $G_k=\{g_\theta(y|x)\propto\exp(\theta^\top\phi(x,y)+b_k(x,y)):\theta\in\mathbb R^d\}$ "
                   r"with the **same** statistics $\phi$ at every stage (the offsets $b_k$ may change, e.g. pruned weights moved "
                   r"along a schedule), and every stage is an **exact** forward-KL projection of its softened target "
                   r"(population objective, unique minimiser)", "assumption"),
        Hypothesis("softening_loglinear",
                   r"on the temperatures used, $\log g(x,T,V)=a(T)\log x+c(T,V)$ with $a(T)\neq0$ (power-type score), so "
                   r"$F_T$ maps $G_k$ onto the affine log-linear class with parameter $a(T)\theta$ and offset $a(T)b_k$"),
    ],
    r"For every $n$ and all offsets $b_1,\dots,b_n$: the chain $f_k=\arg\min_{g\in G_k}E_x\,\mathrm{KL}(F_T(f_{k-1})\|F_T(g))$ "
    r"ends at the one-shot student $\arg\min_{g\in G_n}E_x\,\mathrm{KL}(F_T(f_0)\|F_T(g))$: every stage matches the same "
    r"moments $E_xE_{F_T(\cdot)}[\phi]$ of the softened teacher. Multi-stage gains (the O(1/n) of the homotopy picture) can "
    r"therefore only come from stages that are not such projections: inexact or finite-sample fits, penalties, or statistics "
    r"that change between stages.",
    [Constant("softened_parameter_scale", symbol("T") ** -1, "exact",
              "a(T): F_T maps the parameter θ of G_k to a(T)·θ (1/T for power; per operator, on the pieces where it is proved)")],
    proof="docs/theory/multistage.md#exact-projection-chains",
    source="issue 15 (observed to 3.3e-12 in experiments/nstage.py, affine_path_is_n_independent); theory-notes §5.5 E3",
)

#: Parameters of the log-linear pruning model (pruning_path_energy, stage_statistical_error).
LAMBDA_X = placeholder("lambda_x", r"\lambda_x")
N_W = placeholder("N_w", r"N_w")
W_S = placeholder("w_s", r"w_s")
R_P = placeholder("R_P", r"R_P")
A_T = placeholder("a_T", r"a(T)")
_s, _m, _k = symbol("s"), symbol("m"), symbol("k")

_LOGLINEAR = (r"students are log-linear, $f_W(\cdot|x)=\mathrm{softmax}(Wx)$ with $W\in\mathbb R^{V\times d}$ ($N_w$ free weights, "
              r"a reference row fixed at 0), inputs with second moment $E\,xx^\top\preceq\lambda_x I$; a fraction $s$ of the "
              r"weights (the set $P$, magnitudes $\le w_s$) is pruned")
_POWER_TYPE = (r"on the temperatures used, $\log g(x,T,V)=a(T)\log x+c(T,V)$ (power-type score), so "
               r"$F_T(\mathrm{softmax}(z))=\mathrm{softmax}(a(T)z)$")

PRUNING_PATH_ENERGY = theorem(
    "pruning_path_energy",
    "multistage",
    "The n-stage pruning path loses O(1/n) information, with its temperature and sparsity dependence",
    [
        Hypothesis("loglinear_pruning_path", _LOGLINEAR + r"; the path shrinks the pruned weights linearly, "
                   r"$W(t)=W^*-tW^*_P$, $t\in[0,1]$, and stage $k$ is the softened model at $t_k=k/n$", "assumption"),
        Hypothesis("softening_loglinear", _POWER_TYPE),
    ],
    r"For every $n$: $S_n=\sum_{k=1}^n E_x\,\mathrm{KL}(q_{t_{k-1}}(x)\|q_{t_k}(x))\le a(T)^2\,E_x\|W^*_Px\|_2^2/(4n)"
    r"\le a(T)^2\lambda_x\|W^*_P\|_F^2/(4n)\le a(T)^2\lambda_x\,s\,N_w\,w_s^2/(4n)$, where "
    r"$q_t(x)=F_T(f_{W(t)}(\cdot|x))$: $O(1/n)$ with the factor $a(T)^2$ ($1/T^2$ for power) and linear in the pruned "
    r"fraction $s$ at fixed $w_s$.",
    [Constant("S_n_bound", A_T**2 * LAMBDA_X * _s * N_W * W_S**2 / (4 * n), "upper_bound",
              "total KL lost along the n-stage chain, every n (a(T) per operator)")],
    proof="docs/theory/multistage.md#pruning-path-energy",
    source="theory-notes §5.4 R1 and 'explicit parameter dependence'; issue 15 item 5",
)

STAGE_STATISTICAL_ERROR = theorem(
    "stage_statistical_error",
    "multistage",
    "The statistical error of one stage, with its temperature, sparsity and sample-size dependence",
    [
        Hypothesis("gaussian_least_squares_stage", _LOGLINEAR + r"; one stage keeps, in each logit row $j$, the features "
                   r"$K_j$ ($|K_j|=k$; the others, $P_j$, are pruned) and fits them by least squares on the softened teacher's logits "
                   r"(logit matching) over $m>k+1$ "
                   r"inputs drawn i.i.d. from $N(0,\Sigma)$, $\Sigma\preceq\lambda_x I$", "assumption"),
        Hypothesis("softening_loglinear", _POWER_TYPE),
    ],
    r"$\varepsilon_m^2:=E\sum_j\|\hat w_j-w_j\|_{\Sigma_{K_jK_j}}^2=a(T)^2R_P\,k/(m-k-1)$ (exactly) "
    r"$\le a(T)^2\lambda_x\,s\,N_w\,w_s^2\,k/(m-k-1)$, where $w_j$ is the population least-squares fit of row $j$, "
    r"$R_P=\sum_jW^*_{jP_j}\Sigma_{P_j|K_j}W^{*\top}_{jP_j}$ and $\Sigma_{P|K}=\Sigma_{PP}-\Sigma_{PK}\Sigma_{KK}^{-1}\Sigma_{KP}$: "
    r"the $\varepsilon_m$ of error_propagation (R2) in the $\Sigma$-norm of the logits, $O(k/m)$ in $m$, $\propto a(T)^2$ in "
    r"the temperature and linear in the pruned mass.",
    [Constant("eps_m_sq", A_T**2 * R_P * _k / (_m - _k - 1), "exact", "expected squared estimation error of one stage"),
     Constant("eps_m_sq_bound", A_T**2 * LAMBDA_X * _s * N_W * W_S**2 * _k / (_m - _k - 1), "upper_bound",
              "the same in the model parameters (R_P <= lambda_x s N_w w_s^2)")],
    proof="docs/theory/multistage.md#stage-statistical-error",
    source="theory-notes §5.4 R2 ('eps_m = O(d_eff/m)') and 'explicit parameter dependence'; issue 15 item 5",
)
