"""Cross-checks of the ``biasvar`` topic: identities, empirical teacher, least squares, the delta method.

Every quantity is recomputed without the derivation's code: both sides of the decompositions summed
directly on Hypothesis-drawn finite models (NumPy); the empirical-teacher moments by exact rational
enumeration and seeded Monte Carlo (99.9% simultaneous intervals); the least-squares risks by OLS
simulations; the delta-method ``B``, ``V`` from the derived constants against 50-digit central
differences of ``F``, and the stated finite-``m`` bias against a plain-mpmath enumeration.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from skd.operators import evaluate_mp
from skd.operators.arith import MpArith
from skd.operators.evaluate import eval_expr
from skd.operators.symbols import T, V, x
from skd.theory import biasvar as th
from skd.theory.theorems import symbol

from ...checks import Check, compare_values, draw
from ...strategies import rational_distributions, temperatures
from ..common import REFERENCE_P, compositions, g_at_zero, mpq, parse_p, pstr, rational

if TYPE_CHECKING:
    from skd.operators.declare import Operator

    from .. import Derivation

__all__ = ["crosscheck", "MC_CONFIDENCE", "CONVERGENCE_M"]

#: two-sided confidence level of every Monte Carlo interval (Bonferroni-corrected over the intervals of one check)
MC_CONFIDENCE = 0.999
#: multinomial sample sizes of the m·bias → B check (exact enumeration at the reference point)
CONVERGENCE_M = (25, 50, 100, 200)


def _z(n_intervals: int) -> float:
    """Normal quantile of a simultaneous ``MC_CONFIDENCE`` interval over ``n_intervals`` intervals (Bonferroni)."""
    return NormalDist().inv_cdf(1 - (1 - MC_CONFIDENCE) / (2 * max(n_intervals, 1)))


def _wilson(hits: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (valid also at 0 or n hits)."""
    ph = hits / n
    den = 1 + z * z / n
    mid = (ph + z * z / (2 * n)) / den
    half = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / den
    return (0.0 if hits == 0 else max(0.0, mid - half)), (1.0 if hits == n else min(1.0, mid + half))


def _ci_check(quantity: str, method: str, rows: list[tuple[dict[str, str], float, float, float]]) -> Check:
    """A check whose deviation is the distance of the symbolic value outside the interval ``[lo, hi]`` (tolerance 0)."""
    worst, where = 0.0, {}
    for i, (inputs, sym, lo, hi) in enumerate(rows):
        dev = max(lo - sym, sym - hi, 0.0) if math.isfinite(sym) else math.inf
        if dev > worst or i == 0:
            worst, where = dev, {**inputs, "symbolic": repr(sym), "numeric": f"CI [{lo!r}, {hi!r}]"}
    return Check(quantity, method, len(rows), worst, 0.0, relative=False, worst=where)


def _subs_float(expr: sp.Expr, env: dict[Any, Any]) -> float:
    return float(sp.N(expr.subs(env), 30))


def _delta_from_constants(d: Derivation, p: Sequence[Fraction], t: Fraction, dps: int = 50) -> tuple[list[Any], list[list[Any]]]:
    """``B`` and ``V`` from the *derived constants* of ``d`` (a, b, B_i, V_ii, V_ik), with ``q = evaluate_mp``."""
    v = len(p)
    tv = sp.Rational(t.numerator, t.denominator)
    a_expr = d.constant("delta_method.score_twice_differentiable:a").expr
    b_expr = d.constant("delta_method.score_twice_differentiable:b").expr
    kmap = {k.name: k.expr for k in d.claim("delta_method.conclusion").constants}
    with mpmath.workdps(dps):
        pm = [mpq(pi) for pi in p]
        q = evaluate_mp(d.op, p, t, dps=dps)

        def at(e: sp.Expr, pi: Fraction) -> mpmath.mpf:
            return mpmath.mpf(sp.N(e.subs({T: tv, V: v}).subs(x, sp.Rational(pi.numerator, pi.denominator)), dps + 5))

        a = [at(a_expr, pi) for pi in p]
        b = [at(b_expr, pi) for pi in p]
        ms = {
            th.M1: mpmath.fsum(pm[j] * q[j] * a[j] for j in range(v)),
            th.M2: mpmath.fsum(pm[j] * q[j] ** 2 * a[j] ** 2 for j in range(v)),
            th.M3: mpmath.fsum(pm[j] * q[j] * a[j] ** 2 for j in range(v)),
            th.M4: mpmath.fsum(pm[j] ** 2 * q[j] * a[j] ** 2 for j in range(v)),
            th.M5: mpmath.fsum(pm[j] * (1 - pm[j]) * q[j] * b[j] for j in range(v)),
        }
        args = [th.P_I, th.Q_I, th.A_I, th.B2_I, th.P_K, th.Q_K, th.A_K, *ms]
        fb, fvi, fvk = (sp.lambdify(args, kmap[n].subs({T: tv, V: v}), "mpmath") for n in ("B_i", "V_ii", "V_ik"))
        mv = list(ms.values())
        B = [fb(pm[i], q[i], a[i], b[i], 0, 0, 0, *mv) for i in range(v)]
        Vm = [[fvi(pm[i], q[i], a[i], b[i], 0, 0, 0, *mv) if i == k else
               fvk(pm[i], q[i], a[i], b[i], pm[k], q[k], a[k], *mv) for k in range(v)] for i in range(v)]
        return B, Vm


def _fd_B_V(op: Operator, p: Sequence[Fraction], t: Fraction, dps: int = 50) -> tuple[list[Any], list[list[Any]]]:
    """B and V by central differences of ``F`` (mpmath, ``dps`` digits, step ``min(p)·1e-12``).

    ``Σ = diag(p) − p pᵀ``: ``B_i = ½(Σ_j p_j ∂_j²F_i − ∂_p²F_i)``, ``V_ik = Σ_j p_j ∂_jF_i ∂_jF_k − ∂_pF_i ∂_pF_k``
    (``∂_p`` the derivative along ``p`` itself); only derivatives along the simplex enter.
    """
    v = len(p)
    h = min(p) / 10**12
    with mpmath.workdps(dps):
        f0 = evaluate_mp(op, p, t, dps=dps)
        dirs = [tuple(Fraction(int(i == j)) for i in range(v)) for j in range(v)] + [tuple(p)]
        hh = mpq(h)
        d1, d2 = [], []
        for u in dirs:
            fp = evaluate_mp(op, [a + h * c for a, c in zip(p, u, strict=True)], t, dps=dps)
            fm = evaluate_mp(op, [a - h * c for a, c in zip(p, u, strict=True)], t, dps=dps)
            d1.append([(a - c) / (2 * hh) for a, c in zip(fp, fm, strict=True)])
            d2.append([(a - 2 * c0 + c) / hh**2 for a, c, c0 in zip(fp, fm, f0, strict=True)])
        pm = [mpq(a) for a in p]
        B = [(mpmath.fsum(pm[j] * d2[j][i] for j in range(v)) - d2[v][i]) / 2 for i in range(v)]
        Vm = [[mpmath.fsum(pm[j] * d1[j][i] * d1[j][k] for j in range(v)) - d1[v][i] * d1[v][k] for k in range(v)]
              for i in range(v)]
        return B, Vm


def _enumerated_bias(op: Operator, p: Sequence[Fraction], t: Fraction, m: int, dps: int = 40) -> list[mpmath.mpf]:
    """``E F_T(p̂) − F_T(p)`` by enumerating the multinomial outcomes in plain mpmath (independent of
    :func:`exact_bias`): integer weights ``m!/∏n_j! ∏(den·p_j)^{n_j}``, ``F(n/m)`` by :func:`evaluate_mp`
    with a zero count scored ``g(0+)`` (the closed-simplex extension of the theorem)."""
    v = len(p)
    den = math.lcm(*(pi.denominator for pi in p))
    nums = [int(pi * den) for pi in p]
    ar = MpArith(dps)
    with mpmath.workdps(dps):
        g0 = mpmath.mpf(sp.N(g_at_zero(op, t, v), dps + 5))
        gk = [g0] + [mpmath.mpf(eval_expr(op.score, {T: ar.num(t), V: ar.num(v), x: ar.num(Fraction(k, m))}, ar))
                     for k in range(1, m + 1)]
        acc = [mpmath.mpf(0)] * v
        for n in compositions(m, v):
            w = math.factorial(m)
            for nj, cj in zip(n, nums, strict=True):
                w = w * cj**nj // math.factorial(nj)
            gs = [gk[nj] for nj in n]
            c = mpmath.mpf(w) / mpmath.fsum(gs)
            for i in range(v):
                acc[i] += c * gs[i]
        scale = mpmath.mpf(den) ** m
        fp = evaluate_mp(op, p, t, dps=dps)
        return [acc[i] / scale - fp[i] for i in range(v)]


def _model_draws() -> Any:
    """Hypothesis: a finite model — student outcomes (weights, vectors), targets (weights, vectors), V."""
    @st.composite
    def build(draw: Any) -> dict[str, Any]:
        v = draw(st.integers(2, 6))
        na, nb = draw(st.integers(1, 6)), draw(st.integers(1, 6))
        ints = st.integers(1, 1000)
        ws = draw(st.lists(ints, min_size=na, max_size=na))
        us = draw(st.lists(ints, min_size=nb, max_size=nb))
        fl = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
        s = draw(st.lists(st.lists(fl, min_size=v, max_size=v), min_size=na, max_size=na))
        y = draw(st.lists(st.lists(fl, min_size=v, max_size=v), min_size=nb, max_size=nb))
        sw = draw(st.lists(st.lists(ints, min_size=v, max_size=v), min_size=na, max_size=na))  # KL: positive students
        qw = draw(st.lists(ints, min_size=v, max_size=v))
        return {"v": v, "w": ws, "u": us, "s": s, "y": y, "sw": sw, "qw": qw}

    return build()


def _identity_checks(d: Derivation, cases: int) -> list[Check]:
    out: list[Any] = []
    models = draw(_model_draws(), cases, seed=0)
    sq_ok = d.claim("squared_loss_decomposition.conclusion")
    if sq_ok.status not in ("established", "conditional"):
        out.append(Check("squared_loss_decomposition.conclusion:risk", "NumPy", 0, math.nan, 0.0,
                         skipped=f"conclusion {sq_ok.status}: {sq_ok.reason}"))
    else:
        risk = d.constant("squared_loss_decomposition.conclusion:risk").expr
        rows = []
        for k, mdl in enumerate(models):
            w = np.array(mdl["w"], float) / sum(mdl["w"])
            u = np.array(mdl["u"], float) / sum(mdl["u"])
            s, y = np.array(mdl["s"]), np.array(mdl["y"])
            lhs = float(sum(w[a] * u[b] * np.sum((s[a] - y[b]) ** 2) for a in range(len(w)) for b in range(len(u))))
            q, es = u @ y, w @ s
            env = {th.BIAS2: float(np.sum((es - q) ** 2)), th.VAR_S: float(w @ np.sum((s - es) ** 2, axis=1)),
                   symbol("sigma2"): float(u @ np.sum((y - q) ** 2, axis=1))}
            rows.append(({"model": f"draw {k}", "V": str(mdl["v"]), "|A|": str(len(w)), "|Y|": str(len(u))},
                         _subs_float(risk, env), lhs))
        dev, worst, n = compare_values(rows, relative=True, floor=1e-12)
        out.append(Check("squared_loss_decomposition.conclusion:risk",
                         "Bias2 + Var_S + noise (derived constant, terms by NumPy) vs E||S - Y||^2 summed directly over "
                         "Hypothesis-drawn finite models (float64)", n, dev, 1e-12, worst=worst))
    kl_ok = d.claim("kl_decomposition.conclusion")
    if kl_ok.status not in ("established", "conditional"):
        out.append(Check("kl_decomposition.conclusion:risk_KL", "NumPy", 0, math.nan, 0.0,
                         skipped=f"conclusion {kl_ok.status}: {kl_ok.reason}"))
    else:
        risk = d.constant("kl_decomposition.conclusion:risk_KL").expr
        rows = []

        def kl(a: Any, b: Any) -> float:
            return float(np.sum(a * np.log(a / b)))

        for k, mdl in enumerate(models):
            w = np.array(mdl["w"], float) / sum(mdl["w"])
            S = np.array(mdl["sw"], float)
            S /= S.sum(axis=1, keepdims=True)
            q = np.array(mdl["qw"], float) / sum(mdl["qw"])
            lhs = sum(w[a] * kl(q, S[a]) for a in range(len(w)))
            sbar = np.exp(w @ np.log(S))
            sbar /= sbar.sum()
            env = {th.KL_BIAS: kl(q, sbar), th.KL_VAR: sum(w[a] * kl(sbar, S[a]) for a in range(len(w)))}
            rows.append(({"model": f"draw {k}", "V": str(mdl["v"]), "|A|": str(len(w))}, _subs_float(risk, env), lhs))
        dev, worst, n = compare_values(rows, relative=True, floor=1e-12)
        out.append(Check("kl_decomposition.conclusion:risk_KL",
                         "KL(q||S_bar) + E KL(S_bar||S) (derived constant) vs E_A KL(q||S) summed directly over "
                         "Hypothesis-drawn finite models (float64)", n, dev, 1e-10, worst=worst))
    return out


def _empirical_checks(d: Derivation, cases: int) -> list[Check]:
    c = d.claim("empirical_teacher.conclusion")
    names = ("E_sq_err", "P_unseen")
    if c.status not in ("established", "conditional"):
        return [Check(f"empirical_teacher.conclusion:{n}", "enumeration", 0, math.nan, 0.0,
                      skipped=f"conclusion {c.status}: {c.reason}") for n in names]
    e_sq = d.constant("empirical_teacher.conclusion:E_sq_err").expr
    unseen = d.constant("empirical_teacher.conclusion:P_unseen").expr
    msym = symbol("m")
    out: list[Any] = []
    # exact multinomial enumeration, small m
    small = draw(st.tuples(rational_distributions(max_size=4, max_denominator=30), st.integers(1, 10)), cases, seed=1)
    small = [(list(REFERENCE_P), 5)] + small
    sq_rows, un_rows = [], []
    for p, m in small:
        v = len(p)
        sq, miss = Fraction(0), [Fraction(0)] * v
        for outcome in compositions(m, v):
            w = Fraction(math.factorial(m))
            for nj, pj in zip(outcome, p, strict=True):
                w = w * pj**nj / math.factorial(nj)
            sq += w * sum((Fraction(nj, m) - pj) ** 2 for nj, pj in zip(outcome, p, strict=True))
            for i in range(v):
                if outcome[i] == 0:
                    miss[i] += w
        at = {"p": ",".join(map(str, p)), "m": str(m)}
        norm2 = sum(pj * pj for pj in p)
        sym = sp.Rational(e_sq.subs({th.NORM2_P: sp.Rational(norm2.numerator, norm2.denominator), msym: m}))
        sq_rows.append((at, float(sym), float(sq)))
        for i in range(v):
            symu = unseen.subs({th.P_I: sp.Rational(p[i].numerator, p[i].denominator), msym: m})
            un_rows.append(({**at, "i": str(i + 1)}, float(symu), float(miss[i])))
    for name, rows in (("E_sq_err", sq_rows), ("P_unseen", un_rows)):
        dev, worst, n = compare_values(rows, relative=True)
        out.append(Check(f"empirical_teacher.conclusion:{name}",
                         "derived closed form vs exact multinomial enumeration in rational arithmetic (m <= 10)",
                         n, dev, 0.0, worst=worst))
    # Monte Carlo, larger m
    reps = 20000
    big = draw(st.tuples(rational_distributions(max_size=5, max_denominator=30), st.sampled_from([50, 200])),
               max(1, min(cases, 8)), seed=2)
    big = [(list(REFERENCE_P), 50)] + big
    z_sq = _z(len(big))
    z_un = _z(sum(len(p) for p, _ in big))
    rng = np.random.default_rng(20240517)
    mc_sq, mc_un = [], []
    for p, m in big:
        pf = np.array([float(v) for v in p])
        pf /= pf.sum()
        counts = rng.multinomial(m, pf, size=reps)
        err = np.sum((counts / m - pf) ** 2, axis=1)
        mean, se = float(err.mean()), float(err.std(ddof=1)) / math.sqrt(reps)
        at = {"p": ",".join(map(str, p)), "m": str(m), "draws": str(reps)}
        norm2 = sum(pj * pj for pj in p)
        sym = float(e_sq.subs({th.NORM2_P: sp.Rational(norm2.numerator, norm2.denominator), msym: m}))
        mc_sq.append((at, sym, mean - z_sq * se, mean + z_sq * se))
        zeros = (counts == 0).sum(axis=0)
        for i in range(len(p)):
            lo, hi = _wilson(int(zeros[i]), reps, z_un)
            symu = float(sp.N(unseen.subs({th.P_I: sp.Rational(p[i].numerator, p[i].denominator), msym: m}), 20))
            mc_un.append(({**at, "i": str(i + 1)}, symu, lo, hi))
    conf = f"{MC_CONFIDENCE:.1%} simultaneous (Bonferroni)"
    out.append(_ci_check("empirical_teacher.conclusion:E_sq_err (Monte Carlo)",
                         f"derived closed form inside the {conf} normal CI of the mean of ||p_hat - p||^2 over {reps} "
                         "seeded multinomial draws (m in {50, 200}); deviation = distance outside the CI", mc_sq))
    out.append(_ci_check("empirical_teacher.conclusion:P_unseen (Monte Carlo)",
                         f"derived closed form inside the {conf} Wilson CI of the frequency of p_hat_i = 0 over {reps} "
                         "seeded multinomial draws (m in {50, 200}); deviation = distance outside the CI", mc_un))
    return out


def _least_squares_checks(d: Derivation, cases: int) -> list[Check]:
    """``sparse_vs_dense``: OLS simulations (small d), the stated values at d = 100 exactly and by a Wishart simulation."""
    worst: Mapping[str, str]
    at: Mapping[str, str]
    c = d.claim("sparse_vs_dense.conclusion")
    names = ("teacher_risk", "student_risk", "threshold")
    if c.status not in ("established", "conditional"):
        return [Check(f"sparse_vs_dense.conclusion:{n}", "Monte Carlo", 0, math.nan, 0.0,
                      skipped=f"conclusion {c.status}: {c.reason}") for n in names]
    ks = {n: d.constant(f"sparse_vs_dense.conclusion:{n}") for n in names}
    sd, sk, sn, ss = symbol("d"), symbol("k"), symbol("N"), symbol("sigma2")

    @st.composite
    def setting(draw_: Any) -> tuple[int, int, int, Fraction, list[float]]:
        dd = draw_(st.integers(2, 6))
        kk = draw_(st.integers(1, dd - 1))
        nn = draw_(st.integers(dd + 4, 3 * dd + 12))
        s2 = draw_(st.sampled_from([Fraction(1, 2), Fraction(1), Fraction(2)]))
        beta = draw_(st.lists(st.floats(-1, 1, allow_nan=False), min_size=dd, max_size=dd))
        return dd, kk, nn, s2, beta

    settings_ = draw(setting(), max(1, min(cases, 4)), seed=3)
    reps = 4000
    z = _z(3 * len(settings_))
    rng = np.random.default_rng(7)
    rows: dict[str, list[Any]] = {n: [] for n in names}
    for dd, kk, nn, s2, beta_list in settings_:
        beta = np.array(beta_list)
        tail2 = float(np.sum(beta[kk:] ** 2))
        env = {sd: dd, sk: kk, sn: nn, ss: sp.Rational(s2.numerator, s2.denominator)}
        thr = _subs_float(ks["threshold"].expr, env)
        at = {"d": str(dd), "k": str(kk), "N": str(nn), "sigma2": str(s2), "beta": ",".join(f"{b:.4g}" for b in beta),
              "reps": str(reps)}

        def simulate(bvec: Any, nn: int = nn, dd: int = dd, kk: int = kk, s2: Fraction = s2) -> tuple[Any, Any]:
            X = rng.standard_normal((reps, nn, dd))
            y = X @ bvec + rng.normal(0.0, math.sqrt(float(s2)), (reps, nn))
            Xt = np.swapaxes(X, 1, 2)
            bt = np.linalg.solve(Xt @ X, (Xt @ y[..., None]))[..., 0]
            Xs = X[:, :, :kk]
            Xst = np.swapaxes(Xs, 1, 2)
            bs = np.zeros_like(bt)
            bs[:, :kk] = np.linalg.solve(Xst @ Xs, Xst @ y[..., None])[..., 0]
            return np.sum((bt - bvec) ** 2, axis=1), np.sum((bs - bvec) ** 2, axis=1)

        et, es = simulate(beta)
        for name, sample, tl in (("teacher_risk", et, tail2), ("student_risk", es, tail2)):
            mean, se = float(sample.mean()), float(sample.std(ddof=1)) / math.sqrt(reps)
            sym = _subs_float(ks[name].expr, {**env, th.TAIL2: tl})
            rows[name].append(({**at, "tail2": f"{tl:.6g}"}, sym, mean - z * se, mean + z * se))
        # at tail2 = threshold the two risks agree: paired difference of the simulated risks
        bthr = beta.copy()
        tnorm = float(np.sqrt(np.sum(beta[kk:] ** 2)))
        bthr[kk:] = (beta[kk:] / tnorm if tnorm > 0 else np.ones(dd - kk) / math.sqrt(dd - kk)) * math.sqrt(max(thr, 0.0))
        et, es = simulate(bthr)
        diff = es - et
        mean, se = float(diff.mean()), float(diff.std(ddof=1)) / math.sqrt(reps)
        rows["threshold"].append(({**at, "tail2 = threshold": f"{thr:.6g}"}, 0.0, mean - z * se, mean + z * se))
    conf = f"{MC_CONFIDENCE:.1%} simultaneous (Bonferroni)"
    out = [
        _ci_check("sparse_vs_dense.conclusion:teacher_risk", f"derived risk inside the {conf} CI of a seeded OLS "
                  f"simulation (x ~ N(0, I_d), {reps} data sets per case, E||beta_hat - beta||^2)", rows["teacher_risk"]),
        _ci_check("sparse_vs_dense.conclusion:student_risk", f"derived risk inside the {conf} CI of a seeded simulation "
                  "of OLS on the first k features", rows["student_risk"]),
        _ci_check("sparse_vs_dense.conclusion:threshold", f"with ||beta_tail||^2 set to the derived threshold, 0 inside "
                  f"the {conf} CI of the paired simulated difference student - teacher risk (deviation in risk units)",
                  rows["threshold"]),
    ]
    # the reference point of the derivation: d = 100, k = 20, N = 1000, sigma2 = 1
    ref = {sd: 100, sk: 20, sn: 1000, ss: 1}
    exact_rows = []
    for name in names:
        for at, val in ks[name].values:
            tail = Fraction(at["tail2"]) if "tail2" in at else None
            # independent textbook formulas in rational arithmetic (docs/theory/biasvar.md#sparse-vs-dense)
            ind = {"teacher_risk": Fraction(100, 899), "threshold": Fraction(80, 899),
                   "student_risk": (tail + (1 + tail) * Fraction(20, 979)) if tail is not None else None}[name]
            if ind is None:
                continue
            exact_rows.append(({**at, "constant": name, "form": "stated value"}, float(val), float(ind)))
            env = {**ref, th.TAIL2: rational(tail)} if tail is not None else ref
            exact_rows.append(({**at, "constant": name, "form": "expression"}, _subs_float(ks[name].expr, env), float(ind)))
    dev, worst, n = compare_values(exact_rows, relative=True)
    out.append(Check("sparse_vs_dense.conclusion:* (d=100, k=20, N=1000)",
                     "stated values and expressions vs sigma2 d/(N-d-1), tail2 + (sigma2 + tail2) k/(N-k-1), "
                     "sigma2 (d-k)/(N-d-1) in exact rationals", n, dev, 1e-11, worst=worst))
    sims = 60
    X = np.random.default_rng(11).standard_normal((sims, 1000, 100))
    W = np.swapaxes(X, 1, 2) @ X
    tr_t = np.trace(np.linalg.inv(W), axis1=1, axis2=2)
    tr_s = np.trace(np.linalg.inv(W[:, :20, :20]), axis1=1, axis2=2)
    z2 = _z(1 + len(ks["student_risk"].values))
    mc: list[tuple[dict[str, str], float, float, float]] = []
    rows_ref: list[tuple[str, Mapping[str, str], Any, float]] = [("teacher_risk", {}, tr_t, 0.0)]
    rows_ref += [("student_risk", at, tr_s, float(Fraction(at["tail2"]))) for at, _ in ks["student_risk"].values]
    for name, at, tr, tl in rows_ref:
        sample = (1 + tl) * tr + tl  # E[ . | X] = (sigma2 + tail2) tr((X_S^T X_S)^-1) + tail2 (tail2 = 0 for the teacher)
        mean, se = float(sample.mean()), float(sample.std(ddof=1)) / math.sqrt(sims)
        env = {**ref, th.TAIL2: rational(Fraction(at["tail2"]))} if at else ref
        mc.append(({"d": "100", "k": "20", "N": "1000", "sigma2": "1", **at, "constant": name, "reps": str(sims)},
                   _subs_float(ks[name].expr, env), mean - z2 * se, mean + z2 * se))
    out.append(_ci_check("sparse_vs_dense.conclusion:teacher_risk/student_risk (d=100, k=20, N=1000)",
                         f"derived risks inside the {conf} CI of a seeded simulation of sigma2 tr((X^T X)^-1) (Wishart, "
                         f"N x d Gaussian designs; the student on the first k columns, tail as extra noise)", mc))
    return out


def _delta_checks(d: Derivation, cases: int) -> list[Check]:
    c = d.claim("delta_method.conclusion")
    names = ("B_i", "V_ii", "V_ik", "bias_exact")
    have = {k.name for k in c.constants}
    if c.status not in ("established", "conditional") or not have >= set(names):
        why = f"conclusion {c.status}: {c.reason}" if c.status not in ("established", "conditional") else \
            "the delta-method constants were not computed (see the derivation notes)"
        return [Check(f"delta_method.conclusion:{n}", "finite differences / enumeration", 0, math.nan, 0.0, skipped=why)
                for n in names] + [Check("delta_method.conclusion:B_i (m*bias -> B)", "enumeration", 0, math.nan, 0.0,
                                         skipped=why)]
    op = d.op
    out: list[Check] = []
    bk = d.constant("delta_method.conclusion:bias_exact")
    # the reference point is where the derivation states its values: (p, T, m) of bias_exact
    ref = bk.values[0][0]
    ref_p, ref_t, ref_m = parse_p(ref["p"]), Fraction(ref["T"]), int(ref["m"])
    drawn = draw(st.tuples(rational_distributions(max_size=5, max_denominator=60), temperatures(min_value=0.1, max_value=10)),
                 cases, seed=4)
    inputs = [(ref_p, ref_t), (ref_p, Fraction(1, 2))] + [(list(p), t) for p, t in drawn]
    rows: dict[str, list[Any]] = {"B_i": [], "V_ii": [], "V_ik": []}
    for p, t in inputs:
        try:
            B, Vm = _delta_from_constants(d, p, t)
            Bf, Vf = _fd_B_V(op, p, t)
        except (ValueError, ZeroDivisionError, TypeError) as exc:  # a T outside every piece, or a non-number
            rows["B_i"].append(({"p": ",".join(map(str, p)), "T": str(t), "error": str(exc)[:80]}, math.nan, 0.0))
            continue
        at = {"p": ",".join(map(str, p)), "T": str(t)}
        v = len(p)
        for i in range(v):
            rows["B_i"].append(({**at, "i": str(i + 1)}, float(B[i]), float(Bf[i])))
            rows["V_ii"].append(({**at, "i": str(i + 1)}, float(Vm[i][i]), float(Vf[i][i])))
            for k in range(i + 1, v):
                rows["V_ik"].append(({**at, "i": str(i + 1), "k": str(k + 1)}, float(Vm[i][k]), float(Vf[i][k])))
    for name, rws in rows.items():
        dev, worst, n = compare_values(rws, relative=True, floor=1e-8)
        out.append(Check(f"delta_method.conclusion:{name}",
                         "closed form (derived constants a, b and the formula, q = evaluate_mp) vs central differences "
                         "of F_T at 50 digits (step min(p)*1e-12), Sigma = diag(p) - p p^T; relative where |value| > 1e-8",
                         n, dev, 1e-12, worst=worst))
    # bias_exact: the stated values at m = 50 vs an independent enumeration
    enum = _enumerated_bias(op, ref_p, ref_t, ref_m)
    brow = [(at, float(val), float(enum[int(at["i"]) - 1])) for at, val in bk.values]
    dev, worst, n = compare_values(brow, relative=True, floor=1e-12)
    out.append(Check("delta_method.conclusion:bias_exact",
                     "stated values (12 digits) vs enumeration of all multinomial outcomes in mpmath (40 digits, "
                     "independent code)", n, dev, 1e-10, worst=worst))
    # m * bias -> B at the reference point, T in {2, 1/2}
    gaps_rows, final_rows, rich_rows = [], [], []
    for t in (ref_t, Fraction(1, 2)):
        try:
            B, _ = _delta_from_constants(d, ref_p, t)
        except (ValueError, ZeroDivisionError, TypeError):
            continue
        # gaps in units of max|B| (at least 1e-15: an unbiased operator is compared in absolute terms)
        scale = max(max(abs(b) for b in B), mpmath.mpf(10) ** -15)
        mb = {m: [m * b for b in _enumerated_bias(op, ref_p, t, m)] for m in CONVERGENCE_M}
        gaps = [float(max(abs(mb[m][i] - B[i]) for i in range(len(B))) / scale) for m in CONVERGENCE_M]
        at = {"p": pstr(ref_p), "T": str(t), "m": ",".join(map(str, CONVERGENCE_M)),
              "gaps/max|B|": ",".join(f"{g:.3g}" for g in gaps)}
        increase = max([0.0] + [g2 - g1 for g1, g2 in itertools.pairwise(gaps)])
        gaps_rows.append((at, increase if increase > 1e-12 else 0.0, 0.0))
        final_rows.append(({**at, "m": str(CONVERGENCE_M[-1])}, gaps[-1], 0.0))
        m1, m2 = CONVERGENCE_M[-2], CONVERGENCE_M[-1]
        rich = [(m2 * mb[m2][i] - m1 * mb[m1][i]) / (m2 - m1) for i in range(len(B))]
        rows_r = [({**at, "m": f"{m1},{m2}", "i": str(i + 1)}, float(B[i] / scale), float(rich[i] / scale)) for i in range(len(B))]
        rich_rows.extend(rows_r)
    dev, worst, n = compare_values(gaps_rows, relative=False)
    out.append(Check("delta_method.conclusion:B_i (m*bias -> B, monotone)",
                     "max_i |m*bias_i - B_i| / max|B| decreases along m = " + ", ".join(map(str, CONVERGENCE_M))
                     + " (exact enumeration, p = 7/10,1/5,1/10, T = 2 and 1/2); deviation = largest increase "
                     "(increases below 1e-12 are rounding)", n, dev, 0.0, relative=False, worst=worst))
    dev, worst, n = compare_values(final_rows, relative=False)
    out.append(Check("delta_method.conclusion:B_i (m*bias -> B)",
                     f"max_i |m*bias_i - B_i| / max|B| at m = {CONVERGENCE_M[-1]} (exact enumeration); the gap is "
                     "O(1/m), tolerance 10% of the largest |B|", n, dev, 0.1, relative=False, worst=worst))
    dev, worst, n = compare_values(rich_rows, relative=False)
    out.append(Check("delta_method.conclusion:B_i (Richardson)",
                     f"B_i / max|B| vs the Richardson extrapolation (m2 m2*bias - m1 m1*bias)/(m2 - m1) of the exact "
                     f"m*bias at m1, m2 = {CONVERGENCE_M[-2]}, {CONVERGENCE_M[-1]} (error O(1/m^2)); tolerance 2% of the "
                     "largest |B|", n, dev, 0.02, relative=False, worst=worst))
    return out


def crosscheck(d: Derivation, cases: int) -> list[Check]:
    """Bias–variance quantities against independent computations.

    * the squared-loss and KL decompositions: both sides summed directly (NumPy) on Hypothesis-drawn
      finite models;
    * the empirical teacher: exact rational multinomial enumeration (m ≤ 10) and seeded Monte Carlo
      with a 99.9% simultaneous confidence interval (m ∈ {50, 200}; deviation = distance outside);
    * the least-squares risks and threshold: seeded OLS simulations (small d) with 99.9% CIs, the
      stated values at d = 100, k = 20, N = 1000 in exact rationals and by a Wishart simulation;
    * the delta method: B, V against 50-digit central differences of F at drawn (p, T); the stated
      finite-m bias against an independent enumeration; m·bias → B along m = 25 … 200.

    Operator-independent checks run for every operator; the delta method only where established.
    """
    return [*_identity_checks(d, cases), *_empirical_checks(d, cases), *_least_squares_checks(d, cases),
            *_delta_checks(d, cases)]
