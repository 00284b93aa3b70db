"""Multi-stage O(1/n) derivations along the temperature path (``docs/theory/multistage.md``).

For a separable operator and a teacher ``p``, the temperature path is ``γ(β) = F_{1/β}(p)`` with
log-score ``s(x, β) = log g(x, 1/β, V)`` and Fisher information ``I(β) = Var_{q_β}(∂_β s)``.
Instantiated at the reference teacher ``p = (7/10, 1/5, 1/10)`` and ``β: 1 → 1/4`` (``T: 1 → 4``):

* ``path_energy_limit`` — ``n·Σ_k KL(q_{β_{k−1}} ‖ q_{β_k}) → ½(Δβ)²·mean I`` (grid uniform in β),
  and the different limit on the grid uniform in ``T``;
* ``path_energy_bound`` — ``n·Σ_k KL ≤ ½(Δβ)²·sup J·sup θ'²`` for **every** n, when the path is a
  one-parameter exponential family (``s = θ(β)u(x) + w(β)``) or mixture family (``g ∝ x + c(β)``);
  ``½(Δβ)²·sup I`` when θ is affine in β. ``sup`` by Arb branch-and-bound over β. Without the
  affine hypothesis the sup-I form is false in general: :func:`sup_i_counterexample` certifies it
  (power_T2, laplace). Both statements hold for every teacher and every interval inside one T-piece
  (:func:`symbolic_path_pieces`); the constants are values at the reference;
* ``exact_projection_chain`` — exact forward-KL stages onto affine log-linear classes end at the
  one-shot student (power-type scores), checked by ``skd crosscheck``;
* ``pruning_path_energy`` and ``stage_statistical_error`` — the O(1/n) energy of the log-linear pruning path
  and one least-squares stage's statistical error, with ``a(T)`` (power-type pieces), the sparsity and ``m``
  explicit, confirmed with the NumPy kernel by ``skd crosscheck``;
* ``error_propagation`` (R2), ``homotopy_conditions`` and ``euler_continuation`` (R3), whose
  process hypotheses are *assumptions* (the conclusions are ``conditional``).

The path analysis and its Arb numerics live in :mod:`.multistage_path`, the glued path in
:mod:`.multistage_glued`, the process theorems (R2, R3, projection chain, explicit rates) in
:mod:`.multistage_process`; this module assembles the path theorems 1, 2 and 4 and re-exports the
public names.

>>> from skd.operators import library
>>> from skd.verify.derivations import derive
>>> lo, hi = fisher_sup(library.power.score, (Fraction(1), Fraction(4)))
>>> round(lo, 6), round(hi, 6)
(0.670751, 0.670751)
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from skd.operators.arith import ArbArith, Undecided
from skd.theory.multistage import (
    BETA0,
    BETA1,
    D01,
    DTHETA_SUP,
    ELL_2,
    ELL_F,
    FISHER,
    HOMOTOPY_CONDITIONS,
    I_MEAN,
    I_SUP,
    J_SUP,
    N_KL_BOUND,
    N_KL_BOUND_REPARAM,
    N_KL_LIMIT,
    N_KL_LIMIT_T_GRID,
    PATH_ENERGY_BOUND,
    PATH_ENERGY_LIMIT,
)

from .claims import Claim, Context, DerivedConstant, budgeted
from .common import REFERENCE_P, pstr
from .multistage_glued import GLUED_BETA, glued_forms
from .multistage_path import (
    PREC,
    REFERENCE_BETA,
    SUP_I_CANDIDATES,
    arb_abs_mean_value,
    arb_finite_cover,
    arb_variance,
    beta,
    dec,
    fisher_sup,
    kl_path_sum,
    path_forms,
    reference_numbers,
    sup_enclosure,
    sup_i_counterexample,
    symbolic_path_pieces,
)
from .multistage_process import LIPSCHITZ_CLAIM, assumption_claim, operator_independent_claims, power_type_pieces

__all__ = [
    "GLUED_BETA",
    "LIPSCHITZ_CLAIM",
    "REFERENCE_BETA",
    "REFERENCE_P",
    "SUP_I_CANDIDATES",
    "beta",
    "derive",
    "fisher_sup",
    "glued_forms",
    "kl_path_sum",
    "path_forms",
    "power_type_pieces",
    "sup_enclosure",
    "sup_i_counterexample",
    "symbolic_path_pieces",
]


def _at(extra: dict[str, str] | None = None) -> dict[str, str]:
    at = {"p": pstr(REFERENCE_P), "beta0": str(REFERENCE_BETA[0]), "beta1": str(REFERENCE_BETA[1])}
    return {**at, **(extra or {})}


#: Printed upper bounds are inflated by this factor first, so that rounding to 12 significant
#: digits (relative error <= 5e-12) never prints a value below the bound.
_UP = 1 + mpmath.mpf(10) ** -11


def _enclosure(lo: float, hi: float, scale: Fraction = Fraction(1)) -> str:
    """``[mid +/- rad]`` text of a ball containing ``scale·[lo, hi]`` (``scale > 0``; mid printed exactly by repr)."""
    a, b = Fraction(lo) * scale, Fraction(hi) * scale
    mid = float((a + b) / 2)
    rad = float(max(abs(Fraction(mid) - a), abs(b - Fraction(mid))))
    rad = float(f"{rad * 1.01 + 1e-300:.3g}")
    return f"[{mid!r} +/- {rad:.3g}]"


def _sups_text(b_lo: Fraction, b_hi: Fraction, what: str, j_sup: Any, dth_sup: Any) -> str:
    if j_sup is None or dth_sup is None:
        return f"sup J and sup |θ'| over β ∈ [{b_lo}, {b_hi}] at the reference were not enclosed: no constants are stated"
    return (f"at the reference, sup over β ∈ [{b_lo}, {b_hi}] of J = {what} ∈ [{j_sup[0]:.12g}, {j_sup[1]:.12g}], "
            f"of |θ'| ∈ [{dth_sup[0]:.12g}, {dth_sup[1]:.12g}] (Arb branch and bound)")


def _unsupported_path_claims(ctx: Context, why: str, kind: str) -> list[Claim]:
    claims: list[Claim] = []
    unk: dict[str, Any] = {"status": "unknown", "reason": why, "reason_kind": kind, "method": "none"}
    for th in (PATH_ENERGY_LIMIT, PATH_ENERGY_BOUND):
        k = th.key
        wd = ctx.axiom_claim(f"{k}.well_defined", k, "well_defined", th.hypothesis("well_defined").statement)
        hyps = [wd, Claim(f"{k}.path_c2", k, "hypothesis", statement=th.hypothesis("path_c2").statement, **unk)]
        if th is PATH_ENERGY_BOUND:
            hyps.append(Claim(f"{k}.one_parameter_family", k, "hypothesis",
                              statement=th.hypothesis("one_parameter_family").statement, **unk))
        claims += hyps
        claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, depends_on=tuple(h.id for h in hyps)))
    k = HOMOTOPY_CONDITIONS.key
    claims.append(assumption_claim(f"{k}.basin_radius", k, HOMOTOPY_CONDITIONS.hypothesis("basin_radius").statement))
    claims.append(Claim(f"{k}.path_lipschitz", k, "hypothesis", statement=_PATH_LIP_STATEMENT, **unk))
    claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", HOMOTOPY_CONDITIONS.conclusion,
                        depends_on=(f"{k}.basin_radius", f"{k}.path_lipschitz"),
                        constants=(_n_sufficient(),)))
    return claims


_PATH_LIP_STATEMENT = (r"the temperature path $t\mapsto F_{1/(\beta_0+t(\beta_1-\beta_0))}(p)$ is "
                       r"$L_\gamma$-Lipschitz in $\ell_1$ (hence $\ell_2$) with $L_\gamma \le |\beta_1-\beta_0|\sqrt{\sup I}$, "
                       r"$\sup I$ over $[\beta_0,\beta_1]$ (finite where the path is $C^2$)")


def _n_sufficient() -> DerivedConstant:
    c = HOMOTOPY_CONDITIONS.constants[0]
    return DerivedConstant(c.name, c.expr, c.kind, c.meaning)


@dataclasses.dataclass
class _PathWork:
    """What the path theorems 1, 2 and 4 share: the path forms at the reference, the symbolic families, C², the suprema."""

    forms: dict[str, Any]
    scope: str
    sym_here: dict[str, Any] | None
    sym_scope: str
    path_scope: str
    c2: dict[str, Any]
    i_sup: tuple[float, float] | None
    j_sup: tuple[float, float] | None
    dth_sup: tuple[float, float] | None
    i_sup_reason: str
    nums: dict[str, Any]


def derive(ctx: Context) -> list[Claim]:
    """The claims of the multistage topic for ``ctx.op`` (see the module docstring)."""
    op = ctx.op
    if op.kind != "separable" or op.params:
        why = ("vector operators have no symbolic score; the temperature-path theorems are derived for separable operators only"
               if op.kind != "separable" else "operators with free parameters: fix them first (op.fix(...))")
        return _unsupported_path_claims(ctx, why, "unsupported") + operator_independent_claims(ctx)
    b0, b1 = REFERENCE_BETA
    b_lo, b_hi = min(b0, b1), max(b0, b1)
    t_range = (1 / b_hi, 1 / b_lo)
    res = budgeted(path_forms, op.score, t_range, seconds=ctx.timeout, what="log-score along the temperature path")
    if not res.ok:
        return _unsupported_path_claims(ctx, res.reason or "", res.reason_kind or "undecided") + operator_independent_claims(ctx)
    forms = res.value
    if not forms["ok"]:
        return _unsupported_path_claims(ctx, forms["reason"], forms["kind"]) + operator_independent_claims(ctx)
    ctx.note(f"{op.name}: multistage numerics on {forms['label']}")
    work = _analyse(ctx, forms, t_range)
    if isinstance(work, str):
        return _unsupported_path_claims(ctx, work, "undecided") + operator_independent_claims(ctx)
    return _limit_claims(ctx, work) + _bound_claims(ctx, work) + _homotopy_claims(ctx, work) + operator_independent_claims(ctx)


def _analyse(ctx: Context, forms: dict[str, Any], t_range: tuple[Fraction, Fraction]) -> _PathWork | str:
    """The symbolic families, the C² verdict, the Arb suprema and the reference numbers (or why the numbers failed)."""
    op = ctx.op
    b0, b1 = REFERENCE_BETA
    b_lo, b_hi = min(b0, b1), max(b0, b1)
    scope = f"reference teacher p = ({pstr(REFERENCE_P)}), β ∈ [{b_lo}, {b_hi}] (T ∈ [{t_range[0]}, {t_range[1]}], {forms['label']})"

    # symbolic: on which pieces is the path a one-parameter family with θ ∈ C², for every p and interval?
    sym = budgeted(symbolic_path_pieces, op.score, seconds=ctx.timeout, what="symbolic path families per T-piece")
    sym_ok = [e for e in sym.value if e["ok"]] if sym.ok else []
    sym_here = next((e for e in sym_ok if e["label"] == forms["label"]), None)
    n_pieces = len(sym.value) if sym.ok else 0
    if sym_here is not None:
        sym_scope = ("full" if n_pieces == 1 and len(sym_ok) == 1 else
                     "every p in the open simplex and every [β0, β1] whose T-range lies in the closure of one of: "
                     + "; ".join(f"{e['label']} ({e['family']} family, θ = {sp.sstr(e['theta'])})" for e in sym_ok))
        sym_cert = tuple(f"{e['label']}: {e['family']} family with θ(β) = {sp.sstr(e['theta'])}; θ, θ', θ'' continuous on "
                         f"β ∈ {e['beta_range']} (sympy continuous_domain), so q_β is C² in β for every p in the open simplex"
                         + (" (" + "; ".join(e["end_checks"]) + ")" if e["end_checks"] else "") for e in sym_ok)
    else:
        sym_scope, sym_cert = "", ()
    path_scope = sym_scope if sym_here is not None else scope

    # path C² at the reference: Arb-finite s, ∂s, ∂²s on a cover of the closed interval
    bad = arb_finite_cover([forms["s"], forms["ds"], forms["d2s"]], REFERENCE_P, b_lo, b_hi)
    if sym_here is not None:
        c2 = {"status": "proved", "method": "one-parameter family per T-piece (sympy) + Arb enclosures at the reference",
              "scope": sym_scope, "certificate": (*sym_cert,
              (f"reference check: s, ∂_β s, ∂²_β s enclosed by finite Arb balls on 16 closed boxes covering [{b_lo}, {b_hi}] at "
               f"p = ({pstr(REFERENCE_P)})" + ("" if bad is None else f" FAILED ({bad}); the symbolic argument stands")))}
    elif bad is None:
        c2 = {"status": "proved", "method": "one T-piece + Arb enclosures", "scope": scope,
                  "certificate": ((f"[{t_range[0]}, {t_range[1]}] lies in the closure of {forms['label']}; the path is the formula "
                               f"s(x, β) = {sp.sstr(forms['s'])} there"), *forms["end_checks"],
                               f"∂_β s = {sp.sstr(forms['ds'])}, ∂²_β s = {sp.sstr(forms['d2s'])}",
                               (f"s, ∂_β s, ∂²_β s are elementary and enclosed by finite Arb balls on 16 closed boxes covering "
                               f"[{b_lo}, {b_hi}] at every p_i, so s is C² in β there"))}
    else:
        c2 = {"status": "unknown", "method": "Arb enclosures", "scope": scope, "reason": bad, "reason_kind": "undecided"}

    # Arb sup of I and, for exponential families, of Var(u) and |θ'|
    i_sup: tuple[float, float] | None = None
    j_sup: tuple[float, float] | None = None
    dth_sup: tuple[float, float] | None = None
    i_sup_reason = ""
    if bad is None:
        try:
            i_sup = sup_enclosure(arb_variance(forms["s"], forms["ds"], forms["ds"], forms["d2s"], REFERENCE_P), b_lo, b_hi)
        except (Undecided, ZeroDivisionError, ValueError) as exc:
            i_sup_reason = f"Arb branch and bound for sup I failed: {exc}"
        if forms["theta"] is not None:
            try:
                j_sup = sup_enclosure(arb_variance(forms["s"], forms["ds"], forms["a"], forms["da"], REFERENCE_P), b_lo, b_hi)
                ar = ArbArith(PREC)
                dth = forms["dtheta"]
                dth_sup = sup_enclosure(arb_abs_mean_value(dth, ar, len(REFERENCE_P)), b_lo, b_hi)
            except (Undecided, ZeroDivisionError, ValueError) as exc:
                i_sup_reason = f"Arb branch and bound for sup J or sup |θ'| failed: {exc}"
    try:
        nums = reference_numbers(forms, REFERENCE_P, b0, b1)
    except (ZeroDivisionError, ValueError, ArithmeticError, TypeError) as exc:
        # a formula mpmath cannot evaluate on the interval (e.g. 0/0 at an end): an honest unknown, never a crash
        why = f"the path's reference numbers could not be evaluated on [{b_lo}, {b_hi}]: {type(exc).__name__}: {exc}"
        return why

    return _PathWork(forms, scope, sym_here, sym_scope, path_scope, c2, i_sup, j_sup, dth_sup, i_sup_reason, nums)


def _limit_claims(ctx: Context, w: _PathWork) -> list[Claim]:
    """Theorem 1, ``path_energy_limit``: the limits of ``n·ΣKL`` at the reference."""
    forms, c2, nums = w.forms, w.c2, w.nums
    c2_stmt = PATH_ENERGY_LIMIT.hypothesis("path_c2").statement
    # theorem 1: the limit
    th = PATH_ENERGY_LIMIT
    k = th.key
    wd = ctx.axiom_claim(f"{k}.well_defined", k, "well_defined", th.hypothesis("well_defined").statement)
    c2_claim = Claim(f"{k}.path_c2", k, "hypothesis", statement=c2_stmt, **c2)
    claims: list[Claim] = [wd, c2_claim]
    fisher = FISHER
    lim_consts = (
        DerivedConstant("dbeta_s", forms["ds"], "exact", "β-derivative of the log-score along the path (β = 1/T); "
                        "the Fisher information is I(β) = Var_q(∂_β s)"),
        DerivedConstant("fisher_information", fisher, "exact", "I(β) = Var_{q_β}(∂_β s), q_β = F_{1/β}(p)"),
        DerivedConstant("n_sum_KL_limit", N_KL_LIMIT, "limit",
                        "lim_{n→∞} n·Σ_k KL(q_{β_{k−1}} || q_{β_k}) on the grid uniform in β; I_mean = β-average of I "
                        "(value: 30-digit mpmath quadrature, not an enclosure)",
                        values=((_at(), dec(nums["limit"])),)),
        DerivedConstant("I_mean", I_MEAN, "exact", "β-average of I over the interval", values=((_at(), dec(nums["I_mean"])),)),
        DerivedConstant("n_sum_KL_limit_T_grid", N_KL_LIMIT_T_GRID, "limit",
                        "lim n·Σ_k KL on the grid uniform in T (a different constant); IT_mean = T-average of I(1/T)/T⁴",
                        values=((_at(), dec(nums["limit_T"])),)),
    )
    claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem path_energy_limit",
                        scope=c2["scope"], depends_on=(wd.id, c2_claim.id), constants=lim_consts))

    return claims


def _bound_claims(ctx: Context, w: _PathWork) -> list[Claim]:
    """Theorem 2, ``path_energy_bound``: the every-``n`` bound for a one-parameter family, and the sup-I form."""
    op, forms, c2, scope, path_scope = ctx.op, w.forms, w.c2, w.scope, w.path_scope
    i_sup, j_sup, dth_sup, i_sup_reason, sym_here = w.i_sup, w.j_sup, w.dth_sup, w.i_sup_reason, w.sym_here
    b0, b1 = REFERENCE_BETA
    b_lo, b_hi = min(b0, b1), max(b0, b1)
    c2_stmt = PATH_ENERGY_LIMIT.hypothesis("path_c2").statement
    # theorem 2: the bound for every n
    th = PATH_ENERGY_BOUND
    k = th.key
    wd2 = ctx.axiom_claim(f"{k}.well_defined", k, "well_defined", th.hypothesis("well_defined").statement)
    c2b = Claim(f"{k}.path_c2", k, "hypothesis", statement=c2_stmt, **c2)
    ef_stmt = th.hypothesis("one_parameter_family").statement
    affine = forms["theta"] is not None and forms["dtheta"].free_symbols.isdisjoint({beta})
    fam = forms.get("family")
    if forms["theta"] is None:
        ef = Claim(f"{k}.one_parameter_family", k, "hypothesis", "unknown", ef_stmt, method="sympy: ∂_x s / ∂_x s(β*), 1/∂_x s − x",
                   scope=scope, reason="s(x, β) is recognised neither as θ(β)·u(x) + w(β) (the ratio ∂_x s(x, β)/∂_x s(x, β*) "
                   "depends on x) nor as log(x + c(β)) + w(β) (1/∂_x s − x depends on x); no every-n bound is proved for "
                   "other paths", reason_kind="undecided")
    elif (j_sup is None or dth_sup is None) and sym_here is None:
        ef = Claim(f"{k}.one_parameter_family", k, "hypothesis", "unknown", ef_stmt, method="Arb", scope=scope,
                   reason=i_sup_reason or "path not C²", reason_kind="undecided")
    elif fam == "exponential":
        ef = Claim(f"{k}.one_parameter_family", k, "hypothesis", "proved", ef_stmt, method="sympy: s − θ(β)·u(x) free of x",
                   scope=path_scope,
                   certificate=((f"exponential family: θ(β) = {sp.sstr(forms['theta'])}, u(x) = {sp.sstr(forms['u'])}: "
                                "simplify(∂_x(s − θ u)) = 0, so w = s − θ u depends on β (and V) only and cancels in F"),
                                ("q_β is the exponential family ∝ exp(θ u(p_i)); KL(q_a || q_b) = ψ(θ_b) − ψ(θ_a) − (θ_b − θ_a)ψ'(θ_a) "
                                "= ½ ψ''(ξ)(θ_b − θ_a)² with ψ = log Σ exp(θ u_i), ψ'' = Var(u) = J (Lagrange remainder)"),
                                _sups_text(b_lo, b_hi, "Var_q(u)", j_sup, dth_sup)))
    else:
        ef = Claim(f"{k}.one_parameter_family", k, "hypothesis", "proved", ef_stmt, method="sympy: 1/∂_x s − x free of x",
                   scope=path_scope,
                   certificate=((f"mixture family: 1/∂_x s − x = c(β) is free of x, so g ∝ x + c(β) and, with Σ p_i = 1, "
                                f"q_β = θ p + (1 − θ) u, θ(β) = 1/(1 + V c(β)) = {sp.sstr(forms['theta'])}"),
                                ("K(a) = KL(q_a || q_b) expanded in its FIRST argument (θ): K(b) = 0, K'(a) = Σ(p_i − 1/V)(log q_{a,i} − "
                                "log q_{b,i}) vanishes at a = b, K''(a) = Σ(p_i − 1/V)²/q_{a,i} = J(a); so KL = ½ J(ξ)(θ_a − θ_b)² "
                                "(Lagrange remainder, ξ between θ_a and θ_b)"),
                                _sups_text(b_lo, b_hi, "Σ(p_i − 1/V)²/q_i", j_sup, dth_sup)))
    claims: list[Claim] = [wd2, c2b, ef]
    if forms["theta"] is not None and not affine:
        # the sup-I form without the affine hypothesis (theory-notes §5.8): refuted when a candidate certifies
        sup_i_stmt = (r"(the general form, not a hypothesis of this theorem) for every path, interval and $n$: "
                      r"$\sum_k\mathrm{KL}(q_{\beta_{k-1}}\|q_{\beta_k}) \le \tfrac12(\beta_1-\beta_0)^2\sup_\beta I(\beta)/n$")
        got = budgeted(sup_i_counterexample, op, seconds=ctx.timeout, what="counterexample search for the sup-I form")
        if got.ok and got.value is not None:
            claims.append(Claim(f"{k}.sup_I_form", k, "hypothesis", "refuted", sup_i_stmt,
                                method=f"Arb: KL at n = 1 vs sup I (θ(β) = {sp.sstr(forms['theta'])} is not affine in β)",
                                counterexample=got.value))
        else:
            claims.append(Claim(f"{k}.sup_I_form", k, "hypothesis", "unknown", sup_i_stmt, method="Arb: KL at n = 1 vs sup I",
                                reason=got.reason if not got.ok else (
                                    f"θ(β) = {sp.sstr(forms['theta'])} is not affine in β, so the proof gives only the "
                                    "reparametrised form; no certified counterexample among the candidates"),
                                reason_kind=got.reason_kind if not got.ok else "undecided"))
    bconsts: list[DerivedConstant] = []
    db2 = (b1 - b0) ** 2 / 2
    if j_sup is not None and dth_sup is not None:
        if affine and i_sup is not None:
            bconsts.append(DerivedConstant("n_sum_KL_bound", N_KL_BOUND, "upper_bound",
                                           "n·Σ_k KL ≤ ½(Δβ)²·sup I for EVERY n (grid uniform in β; θ affine in β so I = θ'²·J)",
                                           enclosure=_enclosure(i_sup[0], i_sup[1], db2),
                                           values=((_at(), dec(_UP * mpmath.mpf(i_sup[1]) * db2.numerator / db2.denominator, 12)),)))
            bconsts.append(DerivedConstant("I_sup", I_SUP, "sharp",
                                           "sup of I(β) over the interval (Arb enclosure; the value shown is its upper end)",
                                           enclosure=_enclosure(*i_sup), values=((_at(), dec(_UP * mpmath.mpf(i_sup[1]), 12)),)))
        top = mpmath.mpf(j_sup[1]) * mpmath.mpf(dth_sup[1]) ** 2 * db2.numerator / db2.denominator
        bconsts.append(DerivedConstant("n_sum_KL_bound_reparam", N_KL_BOUND_REPARAM, "upper_bound",
                                       "n·Σ_k KL ≤ ½(Δβ)²·sup J·sup θ'² for EVERY n (grid uniform in β); "
                                       f"θ = {sp.sstr(forms['theta'])}",
                                       values=((_at(), dec(_UP * top, 12)),)))
        bconsts.append(DerivedConstant("J_sup", J_SUP, "sharp",
                                       "sup over the interval of J(β), the Fisher information in θ (Var_{q_β}(u) for an exponential "
                                       "family, Σ(p_i − 1/V)²/q_{β,i} for a mixture family; Arb enclosure)",
                                       enclosure=_enclosure(*j_sup)))
        bconsts.append(DerivedConstant("dtheta_sup", DTHETA_SUP, "sharp", "sup of |θ'(β)| over the interval (Arb enclosure)",
                                       enclosure=_enclosure(*dth_sup)))
    claims.append(Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem path_energy_bound",
                        scope=c2["scope"] if ef.scope == c2["scope"] else scope, depends_on=(wd2.id, c2b.id, ef.id),
                        constants=tuple(bconsts)))

    return claims


def _homotopy_claims(ctx: Context, w: _PathWork) -> list[Claim]:
    """Theorem 4, ``homotopy_conditions``: the path is Lipschitz; distances and lengths at the reference."""
    i_sup, nums, scope, c2 = w.i_sup, w.nums, w.scope, w.c2
    sym_here, sym_scope, i_sup_reason = w.sym_here, w.sym_scope, w.i_sup_reason
    b0, b1 = REFERENCE_BETA
    # theorem 4: homotopy conditions on the temperature path
    th = HOMOTOPY_CONDITIONS
    k = th.key
    basin = assumption_claim(f"{k}.basin_radius", k, th.hypothesis("basin_radius").statement)
    lip_cert = ("∂_β q_i = q_i(∂_β s_i − E_q ∂_β s), so ‖∂_β q‖₂ ≤ ‖∂_β q‖₁ = E_q|∂_β s − E_q ∂_β s| "
                "≤ √Var_q(∂_β s) = √I(β) (Cauchy–Schwarz); with t ↦ β = β0 + t(β1 − β0): L_γ ≤ |β1 − β0|·√sup I")
    if sym_here is not None:
        lip = Claim(f"{k}.path_lipschitz", k, "hypothesis", "proved", _PATH_LIP_STATEMENT, method="Cauchy–Schwarz + path_c2",
                    scope=sym_scope, certificate=(lip_cert, "I(β) is continuous on the compact interval because the path is C² there "
                                                  "(path_c2, symbolic on the piece), so sup I < ∞",
                                                  (f"at the reference: sup I ∈ [{i_sup[0]:.12g}, {i_sup[1]:.12g}] (Arb branch and bound)"
                                                   if i_sup is not None else "at the reference: sup I not enclosed (no value stated)")))
    elif i_sup is not None:
        lip = Claim(f"{k}.path_lipschitz", k, "hypothesis", "proved", _PATH_LIP_STATEMENT, method="Cauchy–Schwarz + Arb",
                    scope=scope,
                    certificate=(lip_cert, f"at the reference: sup I ∈ [{i_sup[0]:.12g}, {i_sup[1]:.12g}] (Arb branch and bound)"))
    else:
        lip = Claim(f"{k}.path_lipschitz", k, "hypothesis", "unknown", _PATH_LIP_STATEMENT, method="Arb", scope=scope,
                    reason=i_sup_reason or c2.get("reason") or "sup I not enclosed", reason_kind="undecided")
    hconsts = [_n_sufficient(),
               DerivedConstant("d_one_shot_l2", D01, "exact",
                               "ℓ2 distance ‖γ(β1) − γ(β0)‖₂: one-shot succeeds if it is < r", values=((_at(), dec(nums["d01"])),)),
               DerivedConstant("path_length_l2", ELL_2, "exact", "ℓ2 length of the temperature path",
                               values=((_at(), dec(nums["l2_len"])),)),
               DerivedConstant("path_length_fisher", ELL_F, "exact",
                               "Fisher length ∫ √I(β) dβ of the temperature path", values=((_at(), dec(nums["fisher_len"])),))]
    if i_sup is not None:
        lg = abs(b1 - b0)
        hconsts.append(DerivedConstant("L_gamma_bound", abs(BETA1 - BETA0) * sp.sqrt(I_SUP), "upper_bound",
                                       "Lipschitz constant of t ↦ γ(t) in ℓ1 and ℓ2 (stage distances ≤ L_γ/n)",
                                       values=((_at(), dec(mpmath.sqrt(mpmath.mpf(i_sup[1])) * lg.numerator / lg.denominator
                                                            * (1 + mpmath.mpf(10) ** -12), 12)),)))
    return [basin, lip, Claim(f"{k}.conclusion", k, "conclusion", "pending", th.conclusion, method="theorem homotopy_conditions",
                                 scope=lip.scope, depends_on=(basin.id, lip.id), constants=tuple(hconsts))]

