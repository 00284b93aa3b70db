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


def test_topk_sensitivity_claims_unknown_unsupported(topk):
    hyps = [c for c in topk.claims if c.role == "hypothesis" and not c.id.endswith("well_defined")]
    assert hyps and all(c.status == "unknown" and c.reason_kind == "unsupported" for c in hyps)
    assert all(c.status == "not_established" for c in topk.claims if c.role == "conclusion")
    assert "lipschitz_eps.conclusion" in {c.id for c in topk.claims}


@pytest.mark.slow
def test_hybrid_closed_simplex_established_with_logit_one_over_2T():
    d = derive(library.hybrid, topics=["sensitivity"])
    assert d.claim("lipschitz_closed.conclusion").status == "established"
    assert sp.simplify(d.constant("lipschitz_logit.conclusion:L_logit").expr - 1 / (2 * T)) == 0
