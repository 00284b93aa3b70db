"""The biasvar topic of ``skd derive``: identities, delta method, exact enumeration, least squares.

Every derived constant is checked against an independent computation: B and V against finite
differences of F at 60 digits, the enumeration against brute force over draw sequences and against
m·bias → B, the closed forms of the empirical teacher against exact rational enumeration, the
least-squares risks against a seeded simulation of the inverse-Wishart mean.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction as Q

import mpmath
import numpy as np
import pytest
import sympy as sp
from skd.operators import library, separable
from skd.operators.evaluate import evaluate_mp
from skd.theory import biasvar as th
from skd.theory.theorems import symbol
from skd.verify.derivations import derive
from skd.verify.derivations.biasvar import (
    compositions,
    delta_B_V,
    exact_bias,
    g_at_zero,
    kl_identity,
    squared_loss_identity,
)
from skd.verify.derivations.compare import parse_constant

P = (Q(7, 10), Q(1, 5), Q(1, 10))


@pytest.fixture(scope="module")
def power_derivation():
    return derive(library.power, topics=["biasvar"])


# -- identities -----------------------------------------------------------------------------------

def test_squared_loss_identity_holds_symbolically_and_numerically() -> None:
    assert squared_loss_identity()[-1] == "expand(LHS - RHS) = 0"
    rng = np.random.default_rng(1)
    s, y = rng.random((4, 3)), rng.random((5, 3))
    ws, us = rng.dirichlet(np.ones(4)), rng.dirichlet(np.ones(5))
    q = us @ y
    es = ws @ s
    lhs = sum(ws[a] * us[b] * np.sum((s[a] - y[b]) ** 2) for a in range(4) for b in range(5))
    rhs = np.sum((es - q) ** 2) + ws @ np.sum((s - es) ** 2, axis=1) + us @ np.sum((y - q) ** 2, axis=1)
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_kl_identity_holds_symbolically_and_numerically() -> None:
    assert kl_identity()[-1] == "simplify(LHS - RHS) = 0"
    rng = np.random.default_rng(2)
    S = rng.dirichlet(np.ones(4), size=6)
    w = rng.dirichlet(np.ones(6))
    q = rng.dirichlet(np.ones(4))
    kl = lambda a, b: float(np.sum(a * np.log(a / b)))
    sbar = np.exp(w @ np.log(S))
    sbar /= sbar.sum()
    lhs = sum(w[a] * kl(q, S[a]) for a in range(6))
    rhs = kl(q, sbar) + sum(w[a] * kl(sbar, S[a]) for a in range(6))
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_identities_established_for_every_kind_of_operator(power_derivation) -> None:
    topk = derive(library.topk, topics=["biasvar"])
    for d in (power_derivation, topk):
        for key in ("squared_loss_decomposition", "kl_decomposition", "empirical_teacher", "sparse_vs_dense"):
            assert d.claim(f"{key}.conclusion").status == "established"
            assert d.claim(f"{key}.conclusion").depends_on  # rests on a proved check, not on nothing
    for hyp in ("score_twice_differentiable", "closed_simplex"):
        c = topk.claim(f"delta_method.{hyp}")
        assert (c.status, c.reason_kind) == ("unknown", "unsupported")
    assert topk.claim("delta_method.conclusion").status == "not_established"


# -- empirical teacher --------------------------------------------------------------------------------

def _multinomial_weight(n: tuple[int, ...], p: tuple[Q, ...]) -> Q:
    w = Q(math.factorial(sum(n)))
    for nj, pj in zip(n, p):
        w = w / math.factorial(nj) * pj**nj
    return w


@pytest.mark.parametrize("m", [1, 2, 3, 5, 50])
def test_empirical_teacher_closed_forms_match_exact_enumeration(m: int) -> None:
    sq = sum(_multinomial_weight(n, P) * sum((Q(nj, m) - pj) ** 2 for nj, pj in zip(n, P)) for n in compositions(m, 3))
    unseen = sum(_multinomial_weight(n, P) for n in compositions(m, 3) if n[2] == 0)
    env = {th.NORM2_P: sum(pj**2 for pj in P), symbol("m"): m}
    assert sq == Q(str(th.EMPIRICAL_TEACHER.constants[0].expr.subs(env)))
    assert unseen == Q(str(th.EMPIRICAL_TEACHER.constants[1].expr.subs({th.P_I: P[2], symbol("m"): m})))
    if m == 50:
        assert sq == Q(23, 2500)  # 0.0092, theory-notes §6 item 15
        assert float(unseen) == pytest.approx(0.00515377520732, rel=1e-11)


# -- exact enumeration ---------------------------------------------------------------------------------

def test_exact_bias_power_reproduces_theory_notes_5_7() -> None:
    b = exact_bias(library.power, P, Q(2), 50)
    assert [float(v) for v in b] == pytest.approx([0.00530261998898, -0.00082906152971, -0.00447355845927], abs=1e-13)
    with mpmath.workdps(40):
        assert abs(mpmath.fsum(b)) < 1e-30


def test_exact_mean_of_softened_empirical_teacher_m50_pins_biasvar_page() -> None:
    # docs/theory/biasvar.md: E F_2(p_hat) = F_2(p) + bias = (0.528182, 0.278662, 0.193156) at m = 50
    # (issue 15: the third class is 0.1931563, once misprinted 0.193157)
    with mpmath.workdps(40):
        mean = [f + v for f, v in zip(evaluate_mp(library.power, P, Q(2), dps=40), exact_bias(library.power, P, Q(2), 50))]
    assert [round(float(v), 6) for v in mean] == [0.528182, 0.278662, 0.193156]
    assert float(mean[2]) == pytest.approx(0.1931563, abs=5e-8)


@pytest.mark.parametrize("name,t", [("power", Q(2)), ("power", Q(1, 2)), ("mixture", Q(2)), ("power_T2", Q(3, 2))])
def test_exact_bias_matches_brute_force_over_draw_sequences(name: str, t: Q) -> None:
    op = library.get(name)
    m = 4
    with mpmath.workdps(40):
        fp = evaluate_mp(op, P, t, dps=40)
        acc = [mpmath.mpf(0)] * 3
        g0 = g_at_zero(op, t, 3)
        tv = sp.Rational(t.numerator, t.denominator)
        for seq in itertools.product(range(3), repeat=m):
            w = math.prod(P[j] for j in seq)
            counts = [Q(seq.count(j), m) for j in range(3)]
            # F on the closed simplex: a zero count scores g(0+), the others g(k/m)
            gs = [mpmath.mpf(sp.N(g0, 45)) if c == 0 else
                  mpmath.mpf(sp.N(op.score.subs({symbol("T"): tv, symbol("V"): 3, symbol("x"): sp.Rational(c.numerator, c.denominator)}), 45))
                  for c in counts]
            z = mpmath.fsum(gs)
            fpos = [gv / z for gv in gs]
            acc = [a + mpmath.mpf(w.numerator) / w.denominator * f for a, f in zip(acc, fpos)]
        brute = [a - f for a, f in zip(acc, fp)]
    got = exact_bias(op, P, t, m)
    for a, b in zip(got, brute):
        assert abs(a - b) < mpmath.mpf(10) ** -25


def test_exact_bias_affine_scores_are_unbiased() -> None:
    # mixture / laplace at T = 2: g affine in x with sum_j g(p_j) constant, so F is affine in p_hat
    for op in (library.mixture, library.laplace, library.hybrid):
        assert all(abs(v) < 1e-35 for v in exact_bias(op, P, Q(2), 50))


def test_g_at_zero_infinite_is_rejected() -> None:
    with pytest.raises(ValueError):
        g_at_zero(separable("x**(-1/T)", name="inverse_power"), Q(2), 3)


# -- delta-method constants ----------------------------------------------------------------------------

def _fd_B_V(op, p, t, h=Q(1, 10**15)):
    """B and V by central finite differences of F (60 digits), directions e_j and p (Sigma = sum p_j e_j e_j^T - p p^T)."""
    with mpmath.workdps(60):
        f0 = evaluate_mp(op, p, t, dps=60)
        dirs = [tuple(Q(int(i == j)) for i in range(3)) for j in range(3)] + [tuple(p)]
        d1, d2 = [], []
        for v in dirs:
            fp = evaluate_mp(op, [a + h * b for a, b in zip(p, v)], t, dps=60)
            fm = evaluate_mp(op, [a - h * b for a, b in zip(p, v)], t, dps=60)
            hh = mpmath.mpf(h.numerator) / h.denominator
            d1.append([(a - b) / (2 * hh) for a, b in zip(fp, fm)])
            d2.append([(a - 2 * c + b) / hh**2 for a, b, c in zip(fp, fm, f0)])
        pm = [mpmath.mpf(a.numerator) / a.denominator for a in p]
        B = [(mpmath.fsum(pm[j] * d2[j][i] for j in range(3)) - d2[3][i]) / 2 for i in range(3)]
        Vm = [[mpmath.fsum(pm[j] * d1[j][i] * d1[j][k] for j in range(3)) - d1[3][i] * d1[3][k] for k in range(3)]
              for i in range(3)]
        return B, Vm


@pytest.mark.parametrize("name,t", [("power", Q(2)), ("power", Q(1, 2)), ("power_T2", Q(3, 2)), ("mixture", Q(2)),
                                    ("laplace", Q(3)), ("hybrid", Q(1, 3))])
def test_delta_B_V_match_finite_differences(name: str, t: Q) -> None:
    op = library.get(name)
    B, Vm = delta_B_V(op, P, t)
    Bf, Vf = _fd_B_V(op, P, t)
    with mpmath.workdps(40):
        for i in range(3):
            assert abs(B[i] - Bf[i]) < 1e-20
            for k in range(3):
                assert abs(Vm[i][k] - Vf[i][k]) < 1e-20


def test_delta_B_V_match_direct_sympy_differentiation() -> None:
    xs = sp.symbols("x1:4", positive=True)
    F = [xi ** sp.Rational(1, 2) / sum(xj ** sp.Rational(1, 2) for xj in xs) for xi in xs]
    env = {xi: sp.Rational(pi.numerator, pi.denominator) for xi, pi in zip(xs, P)}
    pr = [env[xi] for xi in xs]
    Sig = [[(pr[j] if j == k else 0) - pr[j] * pr[k] for k in range(3)] for j in range(3)]
    B, _ = delta_B_V(library.power, P, Q(2))
    for i in range(3):
        direct = sum(Sig[j][k] * sp.diff(F[i], xs[j], xs[k]).subs(env) for j in range(3) for k in range(3)) / 2
        with mpmath.workdps(40):
            assert abs(float(sp.N(direct, 35) - sp.Float(mpmath.nstr(B[i], 35), 35))) < 1e-25


def test_power_m_times_bias_converges_to_B() -> None:
    B, _ = delta_B_V(library.power, P, Q(2))
    gaps = []
    for m in (50, 200):
        b = exact_bias(library.power, P, Q(2), m)
        gaps.append(max(abs(m * b[i] - B[i]) for i in range(3)))
    assert gaps[1] < gaps[0] / 3
    assert float(B[0]) == pytest.approx(0.2314828371597, abs=1e-12)  # B/m at m = 50: 0.00463


@pytest.mark.slow
def test_power_m_times_bias_at_m800_pinned() -> None:
    b = exact_bias(library.power, P, Q(2), 800)
    assert [float(800 * v) for v in b] == pytest.approx([0.232814427314, -0.0464695773257, -0.186344849988], abs=1e-10)


# -- least squares ---------------------------------------------------------------------------------------

def test_sparse_vs_dense_constants_at_reference() -> None:
    env = {symbol("d"): 100, symbol("k"): 20, symbol("N"): 1000, symbol("sigma2"): 1}
    assert th.TEACHER_RISK.subs(env) == sp.Rational(100, 899)
    assert th.THRESHOLD.subs(env) == sp.Rational(80, 899)
    assert float(th.THRESHOLD.subs(env)) == pytest.approx(0.0890, abs=5e-5)
    student = [float(th.STUDENT_RISK.subs({**env, th.TAIL2: sp.Rational(t)})) for t in ("1/50", "2/25", "1/5")]
    assert student == pytest.approx([0.041, 0.102, 0.225], abs=1e-3)  # theory-notes simulated values
    # the threshold simplifies to sigma2 (d - k)/(N - d - 1) (docs/theory/biasvar.md#sparse-vs-dense)
    assert sp.simplify(th.THRESHOLD - symbol("sigma2") * (symbol("d") - symbol("k")) / (symbol("N") - symbol("d") - 1)) == 0
    # at the threshold the two risks are equal
    assert sp.simplify((th.STUDENT_RISK - th.TEACHER_RISK).subs(th.TAIL2, th.THRESHOLD)) == 0


def test_sparse_vs_dense_risk_matches_seeded_simulation() -> None:
    # independent check of the inverse-Wishart mean behind both risks: small d, k, N
    rng = np.random.default_rng(7)
    d, k, n, s2 = 4, 2, 14, 1.0
    beta = np.array([1.0, -0.5, 0.3, 0.2])
    reps = 6000
    err_t = err_s = 0.0
    for _ in range(reps):
        X = rng.standard_normal((n, d))
        y = X @ beta + rng.normal(0, math.sqrt(s2), n)
        bt = np.linalg.lstsq(X, y, rcond=None)[0]
        bs = np.zeros(d)
        bs[:k] = np.linalg.lstsq(X[:, :k], y, rcond=None)[0]
        err_t += np.sum((bt - beta) ** 2)
        err_s += np.sum((bs - beta) ** 2)
    env = {symbol("d"): d, symbol("k"): k, symbol("N"): n, symbol("sigma2"): 1, th.TAIL2: float(np.sum(beta[k:] ** 2))}
    assert err_t / reps == pytest.approx(float(th.TEACHER_RISK.subs(env)), rel=0.06)
    assert err_s / reps == pytest.approx(float(th.STUDENT_RISK.subs(env)), rel=0.06)


# -- the claim graph ---------------------------------------------------------------------------------------

def test_power_delta_method_established_with_pinned_constants(power_derivation) -> None:
    d = power_derivation
    assert d.claim("delta_method.conclusion").status == "established"
    assert d.constant("delta_method.score_twice_differentiable:a").expr == 1 / (symbol("T") * symbol("x"))
    assert d.constant("delta_method.closed_simplex:g0").expr == 0
    vals = [float(v) for _, v in d.constant("delta_method.conclusion:bias_exact").values]
    assert vals == pytest.approx([0.00530, -0.00083, -0.00447], abs=5e-6)
    bvals = [float(v) / 50 for _, v in d.constant("delta_method.conclusion:B_i").values]
    assert bvals == pytest.approx([0.00463, -0.00093, -0.00370], abs=5e-6)


def test_mixture_delta_method_established_with_zero_bias() -> None:
    d = derive(library.mixture, topics=["biasvar"])
    assert d.claim("delta_method.conclusion").status == "established"
    assert [v for _, v in d.constant("delta_method.conclusion:B_i").values] == ["0.0"] * 3
    assert d.claim("delta_method.closed_simplex").status == "proved"


def test_constants_parse_back_with_the_safe_parser(power_derivation) -> None:
    for c in power_derivation.claims:
        for k in c.constants:
            j = k.to_json()
            assert sp.simplify(parse_constant(j["expr"], j["symbols"]) - k.expr) == 0, k.name


def test_infinite_score_at_zero_leaves_closed_simplex_unknown() -> None:
    op = separable("x**(-1/T)", name="inverse_power")
    d = derive(op, topics=["biasvar"])
    assert d.claim("delta_method.closed_simplex").status == "unknown"
    assert d.claim("delta_method.conclusion").status == "not_established"
