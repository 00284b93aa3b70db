"""The sensitivity topic of ``skd derive``: Jacobian, Lipschitz bounds, sharp enclosures, closed simplex.

Every derived constant is compared with an independent computation (mpmath finite differences,
direct chord ratios, NumPy Jacobians), never with the derivation's own formulas.
"""

from __future__ import annotations

from fractions import Fraction as Q

import mpmath
import numpy as np
import pytest
import sympy as sp
from skd.operators import library
from skd.operators.symbols import T, V, x
from skd.theory.theorems import symbol
from skd.verify.derivations import derive
from skd.verify.derivations.sensitivity import (
    DERIVATIVE_POINTS,
    SHARP_GRID_EPS,
    SHARP_GRID_T,
    chord_ratio_arb,
    sharp_enclosure,
    tangent_derivative_v2,
)

EPS = symbol("eps")


@pytest.fixture(scope="module")
def power():
    return derive(library.power, topics=["sensitivity"])


@pytest.fixture(scope="module")
def mixture():
    return derive(library.mixture, topics=["sensitivity"])


@pytest.fixture(scope="module")
def topk():
    return derive(library.topk, topics=["sensitivity"])


def _power_h(x_: mpmath.mpf, t: mpmath.mpf) -> mpmath.mpf:
    """F_T(x, 1-x)_1 for power, computed directly."""
    b = 1 / t
    return x_**b / (x_**b + (1 - x_) ** b)


def _interval(text: str) -> tuple[mpmath.mpf, mpmath.mpf]:
    lo, hi = text.strip("[]").split(",")
    return mpmath.mpf(lo), mpmath.mpf(hi)


# -- power: closed forms ---------------------------------------------------------------------------


def test_power_claims_all_settled_as_expected(power):
    status = {c.id: c.status for c in power.claims}
    assert status["jacobian.conclusion"] == "established"
    assert status["lipschitz_eps.conclusion"] == "established"
    assert status["lipschitz_logit.conclusion"] == "established"
    assert status["lipschitz_closed.global_lipschitz_T_le_1"] == "proved"
    assert status["lipschitz_closed.global_lipschitz_T_gt_1"] == "refuted"
    assert status["lipschitz_closed.conclusion"] == "not_established"


def test_power_jacobian_matches_finite_differences(power):
    a = power.constant("jacobian.conclusion:dx_s").expr
    assert sp.simplify(a - 1 / (T * x)) == 0
    mpmath.mp.dps = 30
    pq = [sp.Rational(7, 10), sp.Rational(2, 10), sp.Rational(1, 10)]
    p = [mpmath.mpf(v.p) / v.q for v in pq]
    t = mpmath.mpf(2)

    def F(*pp):
        w = [v ** (1 / t) for v in pp]
        return [v / sum(w) for v in w]

    q = F(*p)
    for i in range(3):
        for j in range(3):
            fd = mpmath.diff(lambda u, i=i, j=j: F(*[u if k == j else p[k] for k in range(3)])[i], p[j])
            av = mpmath.mpf(str(sp.N(a.subs({T: 2, x: pq[j]}), 40)))
            formula = (q[i] * (1 if i == j else 0) - q[i] * q[j]) * av
            assert abs(fd - formula) < 1e-20


def test_power_bound_is_one_over_2_T_eps(power):
    k = power.constant("lipschitz_eps.conclusion:L_bound")
    assert k.kind == "upper_bound"
    assert sp.simplify(k.expr - 1 / (2 * T * EPS)) == 0
    for at, val in k.values:
        assert float(val) == pytest.approx(1 / (2 * float(Q(at["T"])) * float(Q(at["eps"]))), rel=1e-12)


def test_power_logit_constant_is_one_over_2T(power):
    k = power.constant("lipschitz_logit.conclusion:L_logit")
    assert k.kind == "sharp"
    assert sp.simplify(k.expr - 1 / (2 * T)) == 0
    # independent: the Jacobian of z -> softmax(z/T) has spectral norm <= 1/(2T), and
    # approaches it for V = 2 at z = 0
    rng = np.random.default_rng(0)
    for t in (0.5, 1.0, 2.0):
        worst = 0.0
        for _ in range(200):
            z = rng.normal(scale=3, size=4)
            q = np.exp(z / t - np.max(z / t))
            q /= q.sum()
            J = (np.diag(q) - np.outer(q, q)) / t
            worst = max(worst, np.linalg.norm(J, 2))
        assert worst <= 1 / (2 * t) + 1e-12
        q = np.array([0.5, 0.5])
        assert np.linalg.norm((np.diag(q) - np.outer(q, q)) / t, 2) == pytest.approx(1 / (2 * t))


def test_power_tangent_derivative_values_match_mpmath_finite_differences(power):
    k = power.constant("lipschitz_eps.conclusion:dF1_dx_V2")
    mpmath.mp.dps = 40
    got = {Q(at["x"]): mpmath.mpf(v) for at, v in k.values}
    assert set(got) == set(DERIVATIVE_POINTS)
    expected = {Q(1, 10**2): 4.19, Q(1, 10**4): 49.02, Q(1, 10**6): 499.0}  # theory-notes §6 item 8
    for e, ref in expected.items():
        fd = mpmath.diff(lambda u: _power_h(u, mpmath.mpf(2)), mpmath.mpf(e.numerator) / e.denominator)
        assert abs(got[e] - fd) < mpmath.mpf(10) ** -15 * abs(fd)
        assert round(float(fd), 2 if ref < 100 else 1) == ref


def test_power_sharp_enclosure_brackets_mpmath_maximisation(power):
    k = power.constant("lipschitz_eps.conclusion:L_sharp")
    assert k.kind == "sharp"
    encl = {(Q(at["T"]), Q(at["eps"])): _interval(v) for at, v in k.values}
    assert set(encl) == {(t, e) for t in SHARP_GRID_T for e in SHARP_GRID_EPS}
    mpmath.mp.dps = 30
    for (t, e), (lo, hi) in encl.items():
        tm = mpmath.mpf(t.numerator) / t.denominator
        em = mpmath.mpf(e.numerator) / e.denominator
        dh = lambda u, tm=tm: abs(mpmath.diff(lambda w: _power_h(w, tm), u))
        xs = [em + (1 - 2 * em) * i / 400 for i in range(401)]
        vals = [dh(u) for u in xs]
        i = max(range(len(xs)), key=lambda j: vals[j])
        a, b = xs[max(i - 1, 0)], xs[min(i + 1, 400)]
        best = vals[i]
        for _ in range(60):  # ternary refinement around the sampled maximiser
            m1, m2 = a + (b - a) / 3, b - (b - a) / 3
            if dh(m1) < dh(m2):
                a = m1
            else:
                b = m2
        best = max(best, dh((a + b) / 2))
        assert lo <= best * (1 + mpmath.mpf(10) ** -12)
        assert best <= hi
        assert hi - lo <= mpmath.mpf(10) ** -4 * hi
        # sanity: between the derivative at the end point and the labelled bound 1/(2T eps)
        assert dh(em) <= hi <= 1 / (2 * tm * em)


def test_power_closed_simplex_refuted_for_T_gt_1_with_certified_counterexample(power):
    c = power.claim("lipschitz_closed.global_lipschitz_T_gt_1")
    assert c.status == "refuted"
    ce = c.counterexample
    assert ce["certified_by"] == "arb" and ce["T"] == "2"
    assert {"statement", "reproduce", "p", "p2", "points"} <= set(ce)
    mpmath.mp.dps = 50
    levels = []
    for pt in ce["points"]:
        e = Q(pt["eps"])
        em = mpmath.mpf(e.numerator) / e.denominator
        f = [_power_h(em, mpmath.mpf(2)), 1 - _power_h(em, mpmath.mpf(2))]
        diff_out = [f[0] - 0, f[1] - 1]
        diff_in = [em - 0, (1 - em) - 1]
        r1 = sum(abs(d) for d in diff_out) / sum(abs(d) for d in diff_in)
        r2 = mpmath.sqrt(sum(d * d for d in diff_out)) / mpmath.sqrt(sum(d * d for d in diff_in))
        assert abs(r1 - r2) < mpmath.mpf(10) ** -40
        assert r1 > int(pt["L"])
        assert r1 >= em ** (mpmath.mpf(1) / 2 - 1) / 2  # the lemma of docs/theory/sensitivity.md
        assert abs(mpmath.mpf(pt["lhs"]["decimal"]) - r1) < mpmath.mpf(10) ** -25 * r1
        levels.append(int(pt["L"]))
    assert levels == [10, 100, 1000]
    assert power.claim("lipschitz_closed.conclusion").status == "not_established"


def test_power_blowup_rate_is_eps_to_one_over_T_minus_one(power):
    k = power.constant("lipschitz_closed.conclusion:blowup_rate")
    assert k.kind == "rate"
    assert sp.simplify(k.expr.subs(T, 2) - EPS ** sp.Rational(-1, 2)) == 0
    assert sp.simplify(k.expr.subs(T, 3) - EPS ** sp.Rational(-2, 3)) == 0
    assert k.expr.subs(T, sp.Rational(1, 2)) is sp.nan  # no blow-up claimed for T <= 1


def test_power_closed_bound_for_T_le_1_holds_on_random_pairs(power):
    k = power.constant("lipschitz_closed.conclusion:L_closed")
    assert k.kind == "upper_bound"
    rng = np.random.default_rng(1)
    # T = 1 is the identity: exact constant 1 (affine piece); T < 1: the bound 2 c V^(c-1), c = 1/T
    assert k.expr.subs({T: 1, V: 3}) == 1
    for t, vv in ((0.5, 3), (0.25, 4), (0.75, 2)):
        bound = float(k.expr.subs({T: sp.Rational(str(t)), V: vv}))
        c = 1 / t
        assert bound == pytest.approx(2 * c * vv ** (c - 1))
        for _ in range(300):
            p, pp = rng.dirichlet(np.ones(vv) * 0.3), rng.dirichlet(np.ones(vv) * 0.3)
            p[rng.integers(vv)] = 0.0  # include faces
            p /= p.sum()
            F = lambda u, c=c: u**c / np.sum(u**c)
            d_in = p - pp
            d_out = F(p) - F(pp)
            assert np.abs(d_out).sum() <= bound * np.abs(d_in).sum() + 1e-12
            assert np.linalg.norm(d_out) <= bound * np.sqrt(vv) * np.linalg.norm(d_in) + 1e-12


def test_chord_ratio_arb_encloses_the_mpmath_ratio():
    mpmath.mp.dps = 50
    e = Q(1, 400)
    b = chord_ratio_arb(library.power, Q(2), e)
    em = mpmath.mpf(1) / 400
    ref = _power_h(em, mpmath.mpf(2)) / em
    assert b.lower() <= mpmath.mpf(b.mid().str(60, radius=False)) + 1  # ball is a ball
    assert abs(mpmath.mpf(b.mid().str(50, radius=False)) - ref) < 1e-30
    assert b > 10


def test_sharp_enclosure_brackets_a_known_interior_maximum():
    # power at T = 1/2: sup of |h'| over [eps, 1 - eps] is h'(1/2) = 2
    hp = sp.simplify(tangent_derivative_v2(x**2))
    r = sharp_enclosure(hp, Q(1, 2), Q(1, 10), max_boxes=400)
    assert r["lo"] <= 2 <= r["hi"]
    assert r["hi"] - r["lo"] < Q(1, 100)


# -- mixture: affine --------------------------------------------------------------------------------


@pytest.mark.slow  # the mixture's full derivation (~8-16 s): CI only, power covers the fast loop
def test_mixture_closed_simplex_constant_is_lambda(mixture):
    assert mixture.claim("lipschitz_closed.conclusion").status == "established"
    k = mixture.constant("lipschitz_closed.conclusion:L_closed")
    assert k.kind == "sharp"
    rng = np.random.default_rng(2)
    for t in (Q(1, 2), Q(1), Q(3, 2), Q(4)):
        lam = min(1.0, 1 / float(t))
        assert float(k.expr.subs(T, sp.Rational(t.numerator, t.denominator))) == pytest.approx(lam)
        for _ in range(50):
            p, pp = rng.dirichlet(np.ones(3)), rng.dirichlet(np.ones(3))
            F = lambda u, lam=lam: lam * u + (1 - lam) / 3
            assert np.abs(F(p) - F(pp)).sum() == pytest.approx(lam * np.abs(p - pp).sum())


@pytest.mark.slow  # the mixture's full derivation (~8-16 s): CI only, power covers the fast loop
def test_mixture_logit_and_eps_constants_match_numeric(mixture):
    lg = mixture.constant("lipschitz_logit.conclusion:L_logit").expr
    bd = mixture.constant("lipschitz_eps.conclusion:L_bound").expr
    for t in (Q(1, 2), Q(1), Q(2)):
        tv = sp.Rational(t.numerator, t.denominator)
        lam = min(1, 1 / tv)
        assert sp.simplify(lg.subs(T, tv) - lam / 2) == 0
        # 1/2 max |d/dx log(lam x + (1-lam)/V)| at x = eps
        e, vv = sp.Rational(1, 100), 3
        assert sp.simplify(bd.subs({T: tv, EPS: e, V: vv}) - lam / (lam * e + (1 - lam) / vv) / 2) == 0
    for at, val in mixture.constant("lipschitz_eps.conclusion:L_sharp").values:
        lam = min(1.0, 1 / float(Q(at["T"])))
        lo, hi = _interval(val)
        assert lo <= lam <= hi


# -- vector operators ------------------------------------------------------------------------------


def test_topk_separable_theorems_unknown_with_a_reason(topk):
    hyps = [c for c in topk.claims if c.role == "hypothesis" and not c.id.endswith("well_defined")
            and c.theorem != "lipschitz_vector"]
    assert hyps and all(c.status == "unknown" and c.reason_kind == "unsupported" and "symbolic score" in c.reason for c in hyps)
    assert all(c.status == "not_established" for c in topk.claims if c.role == "conclusion")
    assert {"lipschitz_eps.conclusion", "lipschitz_eps_sharp.conclusion"} <= {c.id for c in topk.claims}


# -- lipschitz_eps_sharp: V >= 3 -----------------------------------------------------------------------


def _power_J(p: np.ndarray, t: float) -> np.ndarray:
    """The Jacobian of p -> p^(1/T)/sum p^(1/T), by central differences of the formula (independent of skd)."""
    def F(u):
        w = u ** (1 / t)
        return w / w.sum()

    h = 1e-7 * p.min()
    return np.array([(F(p + h * e) - F(p - h * e)) / (2 * h) for e in np.eye(len(p))]).T


def _l1_tangent_norm(jm: np.ndarray) -> float:
    v = jm.shape[0]
    return max(np.abs(jm[:, i] - jm[:, j]).sum() / 2 for i in range(v) for j in range(v) if i != j)


def _l2_tangent_norm(jm: np.ndarray) -> float:
    v = jm.shape[0]
    basis = np.linalg.svd(np.eye(v) - 1.0 / v)[0][:, : v - 1]
    return float(np.linalg.norm(jm @ basis, 2))


def test_power_sharp_l1_constant_v_ge_3_closed_form(power):
    k = power.constant("lipschitz_eps_sharp.conclusion:L1_sharp")
    assert k.kind == "sharp"
    vals = {(at["T"], at["eps"], at["V"]): float(v) for at, v in k.values}
    assert vals[("2", "1/1000", "3")] == pytest.approx(14.8848782685426, rel=1e-13)  # issue 15's 14.885
    assert vals[("2", "1/1000", "4")] == pytest.approx(14.4611876557155, rel=1e-13)
    rng = np.random.default_rng(3)
    for t, e, vv in ((2.0, 1e-3, 3), (2.0, 1e-2, 4), (1.5, 1e-2, 3), (4.0, 1e-3, 5), (1.0, 0.05, 3)):
        L = float(k.expr.subs({T: sp.nsimplify(t), EPS: sp.nsimplify(e), V: vv}))
        pv = np.array([e] * (vv - 1) + [1 - (vv - 1) * e])
        assert _l1_tangent_norm(_power_J(pv, t)) == pytest.approx(L, rel=1e-6)  # attained at the vertex
        worst = 0.0
        for _ in range(300):
            w = rng.dirichlet(np.ones(vv) * rng.choice([0.1, 1.0]))
            worst = max(worst, _l1_tangent_norm(_power_J(e + (1 - vv * e) * w, t)))
        assert worst <= L * (1 + 1e-6)
        c = 1 / t  # the two-sided asymptotic bounds
        assert c * e ** (c - 1) / (1 + (vv - 1) * e**c) <= L * (1 + 1e-12) and L <= c * e ** (c - 1) * (1 + 1e-12)
    # V = 2's value at the end point is smaller: 14.8787554359 (not the V = 3 answer)
    mpmath.mp.dps = 30
    e = mpmath.mpf(1) / 1000
    assert mpmath.diff(lambda u: _power_h(u, mpmath.mpf(2)), e) < vals[("2", "1/1000", "3")] - mpmath.mpf("0.006")
    assert k.expr.subs({T: sp.Rational(1, 2), EPS: sp.Rational(1, 100), V: 3}) is sp.nan  # T < 1: not claimed


def test_power_l2_constant_between_bounds_and_certified_above_l1(power):
    lo = power.constant("lipschitz_eps_sharp.conclusion:L2_lower").expr
    up = power.constant("lipschitz_eps_sharp.conclusion:L2_upper").expr
    for t, e, vv in ((2.0, 1e-6, 3), (2.0, 1e-3, 3), (1.2, 1e-4, 4)):
        env = {T: sp.nsimplify(t), EPS: sp.nsimplify(e), V: vv}
        # float search along the family (eps, d, ..., rest) of the liminf proof
        best = max(_l2_tangent_norm(_power_J(np.array([e] + [d] * (vv - 2) + [1 - e - (vv - 2) * d]), t))
                   for d in np.geomspace(e, 0.2, 400))
        assert float(lo.subs(env)) * (1 - 1e-6) <= best <= float(up.subs(env))
    w = power.constant("lipschitz_eps_sharp.conclusion:L2_witness")
    (at, val), = w.values
    assert (at["T"], at["eps"], at["V"]) == ("2", "1/1000000", "3")
    assert min(Q(s) for s in at["p"].split(",") + at["p2"].split(",")) >= Q(1, 10**6)
    # the pair differs by ~1e-15: 60 digits from the start (the conversion too), without touching the global precision
    with mpmath.workdps(60):
        p = [mpmath.mpf(Q(s).numerator) / Q(s).denominator for s in at["p"].split(",")]
        p2 = [mpmath.mpf(Q(s).numerator) / Q(s).denominator for s in at["p2"].split(",")]
        F = lambda u: [x_ ** mpmath.mpf("0.5") / sum(y ** mpmath.mpf("0.5") for y in u) for x_ in u]  # noqa: E731
        ratio = mpmath.norm([a - b for a, b in zip(F(p), F(p2))]) / mpmath.norm([a - b for a, b in zip(p, p2)])
        assert mpmath.mpf(val) <= ratio < mpmath.mpf(val) * (1 + mpmath.mpf(10) ** -12)
    assert ratio > 525 and 525 > 1.05 * float(power.constant("lipschitz_eps_sharp.conclusion:L1_sharp").expr.subs(
        {T: 2, EPS: sp.Rational(1, 10**6), V: 3}))
    rate = power.constant("lipschitz_eps_sharp.conclusion:L2_rate_lower")
    assert sp.simplify(rate.expr.subs({T: 2, V: 3}) - sp.sqrt(sp.Rational(4, 3)) / 2 * EPS ** sp.Rational(-1, 2)) == 0


@pytest.mark.slow  # the mixture's full derivation (~8-16 s): CI only, power covers the fast loop
def test_mixture_sharp_constant_is_lambda_for_every_v(mixture):
    k = mixture.constant("lipschitz_eps_sharp.conclusion:L1_sharp").expr
    for t in (Q(1, 2), Q(1), Q(3)):
        assert k.subs({T: sp.Rational(t.numerator, t.denominator), V: 4, EPS: sp.Rational(1, 100)}) == min(1, 1 / sp.Rational(t.numerator, t.denominator))
    assert mixture.claim("lipschitz_eps_sharp.conclusion").status == "established"


# -- lipschitz_vector: sparsemax, entmax15, topk ----------------------------------------------------


def _proj_simplex(w: np.ndarray) -> np.ndarray:
    """Euclidean projection onto the simplex by bisection on the threshold (independent of skd)."""
    lo, hi = w.max() - 1, w.max()
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if np.maximum(w - mid, 0).sum() > 1 else (lo, mid)
    return np.maximum(w - (lo + hi) / 2, 0)


@pytest.fixture(scope="module")
def sparsemax():
    return derive(library.sparsemax, topics=["sensitivity"])


def test_sparsemax_is_one_over_T_lipschitz_in_logits(sparsemax):
    c = sparsemax.claim("lipschitz_vector.conclusion")
    assert c.status == "established"
    k = sparsemax.constant("lipschitz_vector.conclusion:L_logit_vec")
    assert k.kind == "sharp" and sp.simplify(k.expr - 1 / T) == 0
    rng = np.random.default_rng(4)
    for t in (0.5, 1.0, 3.0):
        worst = 0.0
        for _ in range(400):
            vv = int(rng.integers(2, 6))
            z, z2 = rng.normal(scale=2, size=vv), rng.normal(scale=2, size=vv)
            worst = max(worst, np.linalg.norm(_proj_simplex(z / t) - _proj_simplex(z2 / t)) / np.linalg.norm(z - z2))
        assert worst <= 1 / t + 1e-9
        z = np.array([0.3, 0.1, -5.0])  # support {1, 2}: the ratio along e_1 - e_2 is exactly 1/T
        d = 1e-3 * np.array([1.0, -1.0, 0.0])
        assert np.linalg.norm(_proj_simplex((z + d) / t) - _proj_simplex(z / t)) / np.linalg.norm(d) == pytest.approx(1 / t, rel=1e-9)


@pytest.mark.slow  # proves the vector operator's well_defined on V <= 5 (6-15 s): CI runs it
def test_entmax15_logit_bound_and_lower_bound():
    d = derive(library.entmax15, topics=["sensitivity"])
    assert d.claim("lipschitz_vector.conclusion").status == "established"
    assert d.constant("lipschitz_vector.conclusion:L_logit_vec").kind == "upper_bound"
    assert sp.simplify(d.constant("lipschitz_vector.conclusion:L_logit_vec_lower").expr - 1 / (sp.sqrt(2) * T)) == 0


def test_topk_is_not_lipschitz_certified(topk):
    c = topk.claim("lipschitz_vector.continuous_at_ties")
    assert c.status == "refuted" and c.counterexample["certified_by"] == "arb"
    assert topk.claim("lipschitz_vector.conclusion").status == "not_established"
    mpmath.mp.dps = 50
    levels = []
    for pt in c.counterexample["points"]:
        t, cc = Q(pt["T"]), 1 / mpmath.mpf(Q(pt["T"]).numerator) * Q(pt["T"]).denominator
        p = [mpmath.mpf(Q(s).numerator) / Q(s).denominator for s in pt["p"]]
        p2 = [mpmath.mpf(Q(s).numerator) / Q(s).denominator for s in pt["p2"]]

        def topk2(u):  # keep the two largest (ties to the lower index), power-soften
            keep = sorted(range(3), key=lambda i: (-u[i], i))[:2]
            w = [u[i] ** cc if i in keep else mpmath.mpf(0) for i in range(3)]
            return [x_ / sum(w) for x_ in w]

        r = sum(abs(a - b) for a, b in zip(topk2(p), topk2(p2))) / sum(abs(a - b) for a, b in zip(p, p2))
        assert r > int(pt["L"]) and abs(r - mpmath.mpf(pt["lhs"]["decimal"])) < mpmath.mpf(10) ** -25 * r
        assert r >= 2 ** (-cc) / (4 * (p[1] - mpmath.mpf(1) / 4))  # the lemma
        levels.append((pt["T"], int(pt["L"])))
    assert levels == [("1", 10), ("1", 100), ("1", 1000), ("2", 10), ("2", 100), ("2", 1000)]
    assert topk.claim("lipschitz_vector.projection_form").status == "unknown"


def test_separable_operators_leave_the_vector_theorem_unknown_with_a_reason(power):
    for h in ("continuous_at_ties", "projection_form"):
        c = power.claim(f"lipschitz_vector.{h}")
        assert c.status == "unknown" and "separable operator" in c.reason


@pytest.mark.slow
def test_hybrid_closed_simplex_established_with_logit_one_over_2T():
    d = derive(library.hybrid, topics=["sensitivity"])
    assert d.claim("lipschitz_closed.conclusion").status == "established"
    assert sp.simplify(d.constant("lipschitz_logit.conclusion:L_logit").expr - 1 / (2 * T)) == 0
