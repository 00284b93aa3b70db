"""Cross-checks of the ``multistage`` topic: the temperature path, evaluated directly.

The path ``q_β = F_{1/β}(p)`` at the reference teacher is evaluated by :func:`evaluate_mp` (40 digits),
never through the derived log-score: limits by Richardson extrapolation of ``n·ΣKL``, every-``n``
bounds by direct sums for ``n = 1..64``, suprema by a dense grid plus golden section of
finite-difference Fisher information, path lengths by chord sums. ``θ`` of a one-parameter family is
read from what the derivation states (the family certificate, the constant's meaning) and only
evaluated. The process theorems (R2, R3, the projection chain, the explicit rates) are in
:mod:`.multistage_process`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import mpmath
import sympy as sp
from hypothesis import strategies as st

from skd.operators import evaluate_mp
from skd.operators.arith import MpArith, Undecided
from skd.operators.evaluate import eval_expr
from skd.operators.parse import parse_formula
from skd.operators.symbols import V, x
from skd.theory.multistage import BETA0, BETA1, I_MEAN, L_gamma, r
from skd.theory.theorems import symbol

from ...checks import Check, compare_values, draw, gate, in_interval, one_sided, skip
from ...strategies import rational_distributions
from ..claims import DerivedConstant
from ..common import REFERENCE_P, constant_or_none, mpq, pstr, rational, richardson
from .multistage_process import (
    error_propagation_checks,
    euler_checks,
    explicit_rate_checks,
    projection_chain_checks,
)

if TYPE_CHECKING:
    from skd.operators.declare import Operator

    from .. import Derivation

__all__ = ["GLUED_BETA", "PathQ", "REFERENCE_BETA", "crosscheck"]

#: The reference β-interval (theory-notes §6 item 10), with the reference teacher: β: 1 → 1/4 (T: 1 → 4).
REFERENCE_BETA = (Fraction(1), Fraction(1, 4))
#: The glued reference interval: β: 2 → 1/2 (T: 1/2 → 2), across T = 1.
GLUED_BETA = (Fraction(2), Fraction(1, 2))
beta = symbol("beta")
_XDPS = 40
#: Largest n of the every-n checks (path_energy_bound, L_gamma_bound).
_N_MAX = 64


class PathQ:
    """``q_β = F_{1/β}(p)`` from :func:`evaluate_mp` (40 digits), cached by exact ``β``; never the derived log-score."""

    def __init__(self, op: Operator, p: Sequence[Fraction] = REFERENCE_P) -> None:
        self.op, self.p = op, list(p)
        self.cache: dict[Fraction, list[Any]] = {}

    def q(self, b: Fraction) -> list[Any]:
        if b not in self.cache:
            with mpmath.workdps(_XDPS):
                self.cache[b] = [mpmath.mpf(v) for v in evaluate_mp(self.op, self.p, 1 / b, dps=_XDPS)]
        return self.cache[b]

    def dq(self, b: Fraction, side: int = 0) -> list[Any]:
        """Central difference ``∂_β q`` (step ``β·10⁻¹²``; error ~1e-24 relative); ``side = ±1``: the
        one-sided second-order difference into ``β ± h`` (used at an interval end that is a piece
        boundary, where a central difference would straddle two formulas)."""
        h = b / 10**12
        if side:
            hs = h * side
            q0, q1, q2 = self.q(b), self.q(b + hs), self.q(b + 2 * hs)
            with mpmath.workdps(_XDPS):
                hm = mpq(hs)
                return [(-3 * a + 4 * c - e) / (2 * hm) for a, c, e in zip(q0, q1, q2, strict=True)]
        qp, qm = self.q(b + h), self.q(b - h)
        with mpmath.workdps(_XDPS):
            hm = mpq(h)
            return [(a - c) / (2 * hm) for a, c in zip(qp, qm, strict=True)]

    def fisher(self, b: Fraction, side: int = 0) -> Any:
        """``I(β) = Σ (∂_β q_i)² / q_i`` (the Fisher information of the path, from finite differences)."""
        q, dq = self.q(b), self.dq(b, side)
        with mpmath.workdps(_XDPS):
            return mpmath.fsum(d * d / qi for d, qi in zip(dq, q, strict=True))


def _grid(b0: Fraction, b1: Fraction, n: int) -> list[Fraction]:
    return [b0 + (b1 - b0) * Fraction(k, n) for k in range(n + 1)]


def _kl(qa: Sequence[Any], qb: Sequence[Any]) -> Any:
    with mpmath.workdps(_XDPS):
        return mpmath.fsum(a * mpmath.log(a / c) for a, c in zip(qa, qb, strict=True) if a > 0)


def _n_kl(path: PathQ, pts: Sequence[Fraction]) -> Any:
    qs = [path.q(b) for b in pts]
    with mpmath.workdps(_XDPS):
        return (len(pts) - 1) * mpmath.fsum(_kl(a, c) for a, c in itertools.pairwise(qs))


def _stated(const: DerivedConstant) -> Any:
    return mpmath.mpf(const.values[0][1])


def _ball_of(text: str) -> tuple[Any, Any]:
    mid, rad = text.strip("[]").split("+/-")
    return mpmath.mpf(mid) - mpmath.mpf(rad), mpmath.mpf(mid) + mpmath.mpf(rad)


def _grid_max(f: Callable[[Fraction], Any], lo: Fraction, hi: Fraction, nodes: int = 60, iters: int = 40) -> Any:
    """``max f`` on ``[lo, hi]``: ``nodes + 1`` grid points (ends included), then golden section around the best node."""
    xs = [lo + (hi - lo) * Fraction(k, nodes) for k in range(nodes + 1)]
    vals = [f(v) for v in xs]
    i = max(range(len(xs)), key=lambda j: vals[j])
    a, b = xs[max(i - 1, 0)], xs[min(i + 1, nodes)]
    best = vals[i]
    g = Fraction(5**0.5 - 1) / 2  # a rational golden ratio: exact inputs for evaluate_mp
    g = g.limit_denominator(10**6)
    c1, c2 = b - g * (b - a), a + g * (b - a)
    f1, f2 = f(c1), f(c2)
    for _ in range(iters):
        if f1 >= f2:
            b, c2, f2 = c2, c1, f1
            c1 = (b - g * (b - a)).limit_denominator(10**30)
            f1 = f(c1)
        else:
            a, c1, f1 = c1, c2, f2
            c2 = (a + g * (b - a)).limit_denominator(10**30)
            f2 = f(c2)
    return max(best, f1, f2)


def _at(b0: Fraction, b1: Fraction, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"p": pstr(REFERENCE_P), "beta0": str(b0), "beta1": str(b1), **(extra or {})}


def crosscheck(d: Derivation, cases: int) -> list[Check]:
    """Path constants against direct KL sums and distances of :func:`evaluate_mp`; R2/R3 bounds against simulations.

    The path ``q_β = F_{1/β}(p)`` at the reference teacher is evaluated directly (40 digits), never
    through the derived log-score: limits by three-level Richardson extrapolation of ``n·ΣKL`` at
    ``n = 64, 128, 256, 512``; every-n bounds for ``n = 1..64`` on both path directions; suprema by a
    61-point grid plus golden section of finite-difference Fisher information. The operator-independent
    bounds (R2 error propagation, R3 Euler) are evaluated at ``cases`` Hypothesis draws of their
    parameters and compared with the worst-case recursion / the forward-Euler iterate.
    """
    path = PathQ(d.op)
    out = _path_limit_checks(d, path, cases)
    out += _path_bound_checks(d, path)
    out += _homotopy_checks(d, path, cases)
    out += error_propagation_checks(d, cases)
    out += projection_chain_checks(d, cases)
    out += _glued_checks(d)
    out += explicit_rate_checks(d)
    out += euler_checks(d, cases)
    return out


def _path_limit_checks(d: Derivation, path: PathQ, cases: int) -> list[Check]:
    """``path_energy_limit``: the stated limits by Richardson of direct ``n·ΣKL``; ``∂_β s`` and ``I`` by finite differences."""
    op = d.op
    cid = "path_energy_limit.conclusion"
    why = gate(d, cid)
    if why:
        return [skip(f"{cid}:{name}", "direct n·ΣKL / finite differences of evaluate_mp", why)
                for name in ("n_sum_KL_limit", "I_mean", "n_sum_KL_limit_T_grid", "dbeta_s", "fisher_information")]
    b0, b1 = REFERENCE_BETA
    b_lo, b_hi = min(b0, b1), max(b0, b1)
    at0 = _at(b0, b1)
    out: list[Check] = []
    lim = richardson(lambda m: _n_kl(path, _grid(b0, b1, m)), 64, 3)
    k_lim, k_mean, k_t = (d.constant(f"{cid}:{name}") for name in ("n_sum_KL_limit", "I_mean", "n_sum_KL_limit_T_grid"))
    meth = "three-level Richardson of n·Σ_k KL(q_{k−1} ‖ q_k) (evaluate_mp, 40 digits) at n = 64, 128, 256, 512"
    dev, worst, m = compare_values([({**at0, "grid": "beta"}, float(_stated(k_lim)), float(lim))])
    out.append(Check(f"{cid}:n_sum_KL_limit", meth + ", grid uniform in β", m, dev, 1e-7, worst=worst))
    env = {BETA0: rational(b0), BETA1: rational(b1), I_MEAN: sp.Float(k_mean.values[0][1], 30)}
    via = float(sp.N(k_lim.expr.subs(env), 30))
    dev, worst, m = compare_values([({**at0, "I_mean": k_mean.values[0][1]}, via, float(lim))])
    out.append(Check(f"{cid}:I_mean", "½(β1 − β0)²·I_mean (the derived limit formula at the stated I_mean) vs " + meth,
                     m, dev, 1e-7, worst=worst))
    t0, t1 = 1 / b0, 1 / b1
    lim_t = richardson(lambda m: _n_kl(path, [1 / t for t in _grid(t0, t1, m)]), 64, 3)
    dev, worst, m = compare_values([({**at0, "grid": "T"}, float(_stated(k_t)), float(lim_t))])
    out.append(Check(f"{cid}:n_sum_KL_limit_T_grid", meth + ", grid uniform in T", m, dev, 1e-7, worst=worst))

    ds_k = d.constant(f"{cid}:dbeta_s")
    pts = draw(st.tuples(rational_distributions(max_size=6, max_denominator=200), st.integers(5, 995)), cases, seed=0)
    inputs = [(list(REFERENCE_P), b) for b in (Fraction(1, 2), Fraction(3, 4))]
    inputs += [(list(p), b_lo + (b_hi - b_lo) * Fraction(k, 1000)) for p, k in pts]
    rows: list[tuple[dict[str, str], float, float]] = []
    frows: list[tuple[dict[str, str], float, float]] = []
    for p, b in inputs:
        pp = PathQ(op, p)
        q, fd = pp.q(b), pp.dq(b)
        at = {"p": pstr(p), "beta": str(b)}
        with mpmath.workdps(_XDPS):
            ar = MpArith(_XDPS)
            try:
                dv = [mpmath.mpf(eval_expr(ds_k.expr, {x: ar.num(pi), beta: ar.num(b), V: ar.num(len(p))}, ar)) for pi in p]
            except (Undecided, ZeroDivisionError, ValueError):
                rows.append((at, math.nan, 0.0))
                continue
            mean = mpmath.fsum(qi * di for qi, di in zip(q, dv, strict=True))
            sym = [qi * (di - mean) for qi, di in zip(q, dv, strict=True)]
            scale = max(max(abs(v) for v in fd), mpmath.mpf(10) ** -12)  # 40-digit FD resolves ~1e-27 absolute
            i = max(range(len(p)), key=lambda j: abs(sym[j] - fd[j]))
            rows.append((at, float(sym[i] / scale), float(fd[i] / scale)))
            var = mpmath.fsum(qi * (di - mean) ** 2 for qi, di in zip(q, dv, strict=True))
            h = b / 10**6
            f1, f2, f3 = (2 * _kl(q, pp.q(b + hh)) / mpq(hh) ** 2 for hh in (h, h / 2, h / 4))
            ext = (4 * (2 * f3 - f2) - (2 * f2 - f1)) / 3  # two Richardson levels: error O(h³)
            frows.append((at, float(var), float(ext)))
    dev, worst, m = compare_values(rows, relative=False)
    out.append(Check(f"{cid}:dbeta_s", "q_i(∂_β s_i − E_q ∂_β s) with the derived ∂_β s vs central difference of q_β = F_{1/β}(p) "
                     "in β (evaluate_mp, 40 digits; relative to max(max |∂_β q|, 1e-12))", m, dev, 1e-12, relative=False,
                     worst=worst))
    dev, worst, m = compare_values(frows, floor=1e-12)
    out.append(Check(f"{cid}:fisher_information", "Var_q(∂_β s) vs two-level Richardson of 2·KL(q_β ‖ q_{β+h})/h² at "
                     "h = β·1e-6, β·5e-7, β·2.5e-7 (evaluate_mp, 40 digits; relative to max(I, 1e-12))", m, dev, 1e-9,
                     worst=worst))
    return out


def _stated_family(d: Derivation) -> tuple[str | None, sp.Expr | None]:
    """The one-parameter family and ``θ(β)`` as the derivation states them (certificate and constant meaning), read back."""
    fam = d.claim("path_energy_bound.one_parameter_family")
    head = fam.certificate[0] if fam.certificate else ""
    family = "mixture" if head.startswith("mixture family") else "exponential" if head.startswith("exponential family") else None
    k = constant_or_none(d, "path_energy_bound.conclusion", "n_sum_KL_bound_reparam")
    if k is None or "θ = " not in k.meaning:
        return family, None
    theta = parse_formula(k.meaning.rpartition("θ = ")[2].strip(), parameters=["beta"])
    return family, theta.xreplace({s: beta for s in theta.free_symbols if s.name == "beta"})


def _path_bound_checks(d: Derivation, path: PathQ) -> list[Check]:
    """``path_energy_bound``: direct ``n·ΣKL`` for ``n = 1..64`` below the bounds; suprema of I, J, |θ'| in their enclosures."""
    cid = "path_energy_bound.conclusion"
    why = gate(d, cid)
    if why:
        return [skip(f"{cid}:{name}", "direct n·ΣKL for n = 1..64 / dense-grid maximum", why)
                for name in ("n_sum_KL_bound", "n_sum_KL_bound_reparam", "I_sup", "J_sup", "dtheta_sup")]
    b0, b1 = REFERENCE_BETA
    b_lo, b_hi = min(b0, b1), max(b0, b1)
    at0 = _at(b0, b1)
    out: list[Check] = []
    sums = {m: (_n_kl(path, _grid(b0, b1, m)), _n_kl(path, _grid(b1, b0, m))) for m in range(1, _N_MAX + 1)}
    for name in ("n_sum_KL_bound", "n_sum_KL_bound_reparam"):
        k = constant_or_none(d, cid, name)
        if k is None:
            continue
        bound = _ball_of(k.enclosure)[1] if k.enclosure else _stated(k)
        rows = [({"n": str(m), "direction": dirn}, bound, v) for m, pair in sums.items()
                for dirn, v in zip((f"{b0}->{b1}", f"{b1}->{b0}"), pair, strict=True)]
        dev, worst, cnt = one_sided(rows)
        out.append(Check(f"{cid}:{name}", "n·Σ_k KL(q_{k−1} ‖ q_k) (evaluate_mp) for n = 1..64 on both path directions must not "
                         "exceed the bound; deviation max(0, value − bound)/bound", cnt, dev, 0.0, worst=worst))

    def fisher_in(b: Fraction) -> Any:  # differences taken inside [b_lo, b_hi] (the ends may be piece boundaries)
        return path.fisher(b, 1 if b == b_lo else -1 if b == b_hi else 0)

    k = constant_or_none(d, cid, "I_sup")
    if k is not None and k.enclosure:
        i_grid = _grid_max(fisher_in, b_lo, b_hi)
        lo, hi = _ball_of(k.enclosure)
        dev, worst, cnt = in_interval([(at0, lo, hi, i_grid)])
        out.append(Check(f"{cid}:I_sup", "max over β of I(β) = Σ (∂_β q_i)²/q_i (central differences of evaluate_mp; 61-point "
                         "grid + golden section) must lie in the Arb enclosure", cnt, dev, 1e-12, worst=worst))
    kj, kt = constant_or_none(d, cid, "J_sup"), constant_or_none(d, cid, "dtheta_sup")
    if kj is not None and kt is not None:
        out += _theta_sup_checks(d, path, fisher_in, kj, kt)
    return out


def _theta_sup_checks(d: Derivation, path: PathQ, fisher_in: Callable[[Fraction], Any], kj: DerivedConstant,
                      kt: DerivedConstant) -> list[Check]:
    """``J_sup`` and ``dtheta_sup`` with the stated ``θ``: ``J = I/θ'²`` (``Σ(p_i − 1/V)²/q_i`` for a mixture family)."""
    cid = "path_energy_bound.conclusion"
    b0, b1 = REFERENCE_BETA
    b_lo, b_hi = min(b0, b1), max(b0, b1)
    family, theta = _stated_family(d)
    if theta is None:
        return [skip(f"{cid}:J_sup", "dense-grid maximum", "θ(β) not stated by the derivation")]
    vv = len(REFERENCE_P)

    def theta_at(b: Fraction) -> Any:
        ar = MpArith(_XDPS)
        return mpmath.mpf(eval_expr(theta, {beta: ar.num(b), V: ar.num(vv)}, ar))

    def dtheta(b: Fraction) -> Any:
        h = b / 10**12
        with mpmath.workdps(_XDPS):
            return (theta_at(b + h) - theta_at(b - h)) / (2 * mpq(h))

    def u_values() -> list[Any]:
        """``u(p_i) − u(p_0)`` of an exponential family ``q_β ∝ exp(θ(β) u(x))``: ``(log q_i − log q_0)/θ`` where ``|θ|`` is largest
        among five nodes of the interval (the family's ``u`` read off the path, not the derivation's)."""
        with mpmath.workdps(_XDPS):
            b_u = max(_grid(b_lo, b_hi, 4), key=lambda b: abs(theta_at(b)))
            qu = path.q(b_u)
            return [(mpmath.log(qi) - mpmath.log(qu[0])) / theta_at(b_u) for qi in qu]

    def var_u(b: Fraction) -> Any:
        th = dtheta(b)
        if family != "mixture" and abs(th) > mpmath.mpf(10) ** -30:
            return fisher_in(b) / th**2
        # J directly, q from evaluate_mp: Σ(p_i − 1/V)²/q_i for a mixture family (θ' may vanish, e.g. laplace at
        # β = 1, where I/θ'² is 0/0); Var_q(u) where θ' = 0, u read off the path itself
        q = path.q(b)
        with mpmath.workdps(_XDPS):
            if family == "mixture":
                return mpmath.fsum((mpq(pi) - mpmath.mpf(1) / vv) ** 2 / qi for pi, qi in zip(REFERENCE_P, q, strict=True))
            u = u_values()
            m = mpmath.fsum(qi * ui for qi, ui in zip(q, u, strict=True))
            return mpmath.fsum(qi * (ui - m) ** 2 for qi, ui in zip(q, u, strict=True))

    j_grid = _grid_max(var_u, b_lo, b_hi)
    t_grid = _grid_max(lambda b: abs(dtheta(b)), b_lo, b_hi)
    out = []
    for kk, val, meth in ((kj, j_grid, ("max over β of J = I(β)/θ'(β)² (I from central differences of "
                                        "evaluate_mp, θ' a central difference of θ; J directly where "
                                        "θ' = 0, and Σ(p_i − 1/V)²/q_i with q from evaluate_mp for a "
                                        "mixture family; grid + golden section)")),
                          (kt, t_grid, "max over β of |θ'(β)| (central difference of θ; grid + golden section)")):
        if not kk.enclosure:
            out.append(skip(f"{cid}:{kk.name}", meth, "no enclosure stated"))
            continue
        lo, hi = _ball_of(kk.enclosure)
        dev, worst, cnt = in_interval([(_at(b0, b1), lo, hi, val)])
        out.append(Check(f"{cid}:{kk.name}", meth + " must lie in the Arb enclosure", cnt, dev, 1e-12, worst=worst))
    return out


def _homotopy_checks(d: Derivation, path: PathQ, cases: int) -> list[Check]:
    """``homotopy_conditions``: one-shot distance, path lengths (chord sums), ``L_γ`` and ``n_sufficient`` by stage distances."""
    cid = "homotopy_conditions.conclusion"
    why = gate(d, cid)
    if why:
        return [skip(f"{cid}:{name}", "direct distances of evaluate_mp along the path", why)
                for name in ("d_one_shot_l2", "path_length_l2", "path_length_fisher", "L_gamma_bound", "n_sufficient")]
    b0, b1 = REFERENCE_BETA
    at0 = _at(b0, b1)
    consts = {k.name: k for k in d.claim(cid).constants}
    out: list[Check] = []
    qa, qb = path.q(b0), path.q(b1)
    with mpmath.workdps(_XDPS):
        d01 = mpmath.sqrt(mpmath.fsum((a - c_) ** 2 for a, c_ in zip(qa, qb, strict=True)))
    dev, worst, m = compare_values([(at0, float(_stated(consts["d_one_shot_l2"])), float(d01))])
    out.append(Check(f"{cid}:d_one_shot_l2", "‖q_{β1} − q_{β0}‖₂ of evaluate_mp (40 digits)", m, dev, 1e-12, worst=worst))

    def chords(m: int, sq: bool) -> Any:
        qs = [path.q(b) for b in _grid(b0, b1, m)]
        with mpmath.workdps(_XDPS):
            if sq:
                qs = [[2 * mpmath.sqrt(v) for v in qq] for qq in qs]
            return mpmath.fsum(mpmath.sqrt(mpmath.fsum((a - c_) ** 2 for a, c_ in zip(u, w, strict=True)))
                               for u, w in itertools.pairwise(qs))

    for name, sq, meth in (("path_length_l2", False, "Σ_k ‖q_k − q_{k−1}‖₂"),
                           ("path_length_fisher", True, "Σ_k ‖2√q_k − 2√q_{k−1}‖₂ (Fisher length = length of 2√q)")):
        with mpmath.workdps(_XDPS):
            s1, s2 = chords(64, sq), chords(128, sq)
            ext = (4 * s2 - s1) / 3  # chord sums converge as ℓ − a/n² + O(1/n⁴)
        dev, worst, m = compare_values([(at0, float(_stated(consts[name])), float(ext))])
        out.append(Check(f"{cid}:{name}", meth + " at n = 64, 128 (evaluate_mp), Richardson", m, dev, 1e-7, worst=worst))
    lg = consts.get("L_gamma_bound")
    if lg is None:
        return out + [skip(f"{cid}:L_gamma_bound", "stage distances", "no L_gamma_bound derived (sup I not enclosed)"),
                      skip(f"{cid}:n_sufficient", "stage distances at n > L_γ/r", "no L_gamma_bound derived (sup I not enclosed)")]
    lgv = _stated(lg)
    rows: list[tuple[dict[str, str], Any, Any]] = []
    stage = {}
    for m in range(1, _N_MAX + 1):
        qs = [path.q(b) for b in _grid(b0, b1, m)]
        with mpmath.workdps(_XDPS):
            d1 = max(mpmath.fsum(abs(a - c_) for a, c_ in zip(u, w, strict=True)) for u, w in itertools.pairwise(qs))
            d2 = max(mpmath.sqrt(mpmath.fsum((a - c_) ** 2 for a, c_ in zip(u, w, strict=True))) for u, w in itertools.pairwise(qs))
        stage[m] = d1
        rows += [({"n": str(m), "norm": "l1"}, lgv, m * d1), ({"n": str(m), "norm": "l2"}, lgv, m * d2)]
    dev, worst, cnt = one_sided(rows)
    out.append(Check(f"{cid}:L_gamma_bound", "n·max_k ‖γ(t_k) − γ(t_{k−1})‖ (ℓ1, ℓ2; evaluate_mp) for n = 1..64 must not "
                     "exceed L_γ", cnt, dev, 0.0, worst=worst))
    ns = consts["n_sufficient"]
    rs = draw(st.integers(17, 1000), cases, seed=0)
    nrows: list[tuple[dict[str, str], Any, Any]] = []
    for k in [1000, 500, 100] + rs:
        rv = lgv * k / 1000
        thr = sp.N(ns.expr.subs({L_gamma: sp.Float(lg.values[0][1], 30), r: sp.Float(mpmath.nstr(rv, 30), 30)}), 30)
        m = math.floor(float(thr)) + 1
        if m > _N_MAX:
            continue
        nrows.append(({"r": mpmath.nstr(rv, 12), "n": str(m)}, rv, stage[m]))
    dev, worst, cnt = one_sided(nrows)
    out.append(Check(f"{cid}:n_sufficient", "at n = ⌊L_γ/r⌋ + 1 every stage distance ‖γ(t_k) − γ(t_{k−1})‖₁ (evaluate_mp) "
                     "must be below r", cnt, dev, 0.0, worst=worst))
    return out


def _glued_checks(d: Derivation) -> list[Check]:
    """``glued_path_energy`` against direct KL sums of :func:`evaluate_mp` on the glued reference interval.

    * the limit: three-level Richardson of ``n·Σ KL`` at ``n = 48, 96, 192, 384`` (multiples of 3, so the junction
      β = 1 is a grid point and the expansion in ``1/n`` holds on each side);
    * the bound: ``n·Σ KL`` for ``n = 1 … 32`` in both directions must not exceed the stated value.
    """
    cid = "glued_path_energy.conclusion"
    if not any(c.id == cid for c in d.claims):
        return [skip(f"{cid}:n_sum_KL_limit_glued", "direct KL sums", "no glued_path_energy claim in this derivation")]
    why = gate(d, cid)
    consts = {k.name: k for k in d.claim(cid).constants}
    if why is None and not consts:
        why = "no constants derived (Arb enclosures failed)"
    if why:
        return [skip(f"{cid}:{nm}", "direct KL sums of evaluate_mp", why) for nm in ("n_sum_KL_limit_glued", "n_sum_KL_bound_glued")]
    b0, b1 = GLUED_BETA
    path = PathQ(d.op)
    at = _at(b0, b1)
    lim = richardson(lambda m: _n_kl(path, _grid(b0, b1, m)), 48, 3)
    stated = float(consts["n_sum_KL_limit_glued"].values[0][1])
    dev, worst, cnt = compare_values([(at, stated, float(lim))])
    out = [Check(f"{cid}:n_sum_KL_limit_glued", "three-level Richardson of n·Σ_k KL (evaluate_mp, 40 digits) at n = 48, 96, 192, "
                 "384 across T = 1 (junction on the grid)", cnt, dev, 1e-7, worst=worst)]
    bound = float(consts["n_sum_KL_bound_glued"].values[0][1])
    rows: list[tuple[dict[str, str], Any, Any]] = []
    for nn in range(1, 33):
        for a, b, direction in ((b0, b1, "forward"), (b1, b0, "reversed")):
            rows.append(({**at, "n": str(nn), "direction": direction}, bound, float(_n_kl(path, _grid(a, b, nn)))))
    dev, worst, cnt = one_sided(rows)
    out.append(Check(f"{cid}:n_sum_KL_bound_glued", "n·Σ_k KL of evaluate_mp for n = 1 … 32, both directions, across T = 1, must not "
                     "exceed the stated bound", cnt, dev, 0.0, worst=worst))
    return out
