"""The sign prover: every decided sign must hold at random positive points (Arb-checked)."""

from __future__ import annotations

from fractions import Fraction

import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st

from skd.operators.arith import ArbArith, Undecided
from skd.operators.evaluate import eval_expr
from skd.verify.signs import poly_sign, sign_of

u, t, v = sp.symbols("u t v", positive=True)
ATOMS = [u, t, v, sp.Integer(1), sp.Integer(2), sp.Rational(1, 3), sp.Integer(-1), sp.Integer(-3)]


def _exprs():
    leaves = st.sampled_from(ATOMS)
    return st.recursive(
        leaves,
        lambda c: st.one_of(
            st.tuples(c, c).map(lambda ab: ab[0] + ab[1]),
            st.tuples(c, c).map(lambda ab: ab[0] - ab[1]),
            st.tuples(c, c).map(lambda ab: ab[0] * ab[1]),
            st.tuples(c, c).map(lambda ab: ab[0] / ab[1] if ab[1] != 0 else ab[0]),
            c.map(sp.exp),
            c.map(lambda a: sp.log(1 + a**2)),
            c.map(sp.tanh),
            st.tuples(c, st.sampled_from([2, 3, -1])).map(lambda ab: ab[0] ** ab[1] if ab[0] != 0 else ab[0]),
        ),
        max_leaves=8,
    ).filter(lambda e: not e.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I))


POINTS = st.lists(st.fractions(Fraction(1, 100), Fraction(100)).filter(lambda f: f > 0), min_size=3, max_size=3)


@given(_exprs(), POINTS)
@settings(max_examples=300)
@example(-1 / ((1 + u) * t**2), [Fraction(1), Fraction(2), Fraction(3)])
@example(sp.log(1 + u) - sp.log(1 + u + t), [Fraction(1), Fraction(1, 7), Fraction(3)])
@example((u - t) ** 2, [Fraction(2), Fraction(2), Fraction(1)])
def test_sign_of_decided_signs_hold_at_positive_points(expr, point):
    s = sign_of(expr)
    if s is None:
        return
    ar = ArbArith(prec=200)
    env = {sym: ar.num(val) for sym, val in zip((u, t, v), point)}
    try:
        value = eval_expr(expr, env, ar)
    except (Undecided, ZeroDivisionError):
        return
    if not value.is_finite():
        return
    if s == "pos":
        assert not value <= 0, f"{expr} claimed > 0, got {value}"
    elif s == "neg":
        assert not value >= 0, f"{expr} claimed < 0, got {value}"
    else:
        assert value.contains(0), f"{expr} claimed identically 0, got {value}"


def test_sign_of_refuses_unsubstituted_symbols():
    import pytest

    with pytest.raises(ValueError, match="positive symbols"):
        sign_of(sp.Symbol("z", real=True) + 1)


def test_poly_sign_needs_one_signed_coefficient_pattern():
    assert poly_sign(u**2 + 2 * u * t + 1) == "pos"
    assert poly_sign(-(u**3) - t) == "neg"
    assert poly_sign(u - t) is None
    assert poly_sign(u - u) == "zero"


def test_sign_of_log_takes_the_sign_of_its_argument_minus_one():
    assert sign_of(sp.log(1 + u)) == "pos"
    assert sign_of(sp.log(1 / (1 + u))) == "neg"
    assert sign_of(sp.log(u)) is None


_COEFFS = [sp.Integer(1), sp.Integer(3), sp.Rational(2, 7), sp.sqrt(2), sp.sqrt(5) - 2, sp.pi - 3, sp.log(2)]
_MONOMIALS = [sp.Integer(1), u, t, v, u * t, u**2, t * v**3]


def _one_signed_polynomial():
    """A polynomial in the positive symbols whose coefficients (numbers, some irrational) all have one
    strict sign, with that sign."""
    terms = st.lists(st.tuples(st.sampled_from(_COEFFS), st.sampled_from(_MONOMIALS)), min_size=1, max_size=4)
    return st.tuples(terms, st.sampled_from([1, -1])).map(
        lambda ts: (ts[1] * sp.Add(*[c * m for c, m in ts[0]]), "pos" if ts[1] == 1 else "neg"))


@given(st.lists(st.tuples(_one_signed_polynomial(), st.integers(1, 3)), min_size=1, max_size=3),
       st.sampled_from([sp.Integer(1), sp.Integer(-2), sp.sqrt(3)]))
@settings(max_examples=60, deadline=None)
def test_poly_sign_decides_every_product_of_one_signed_polynomials(factors, c) -> None:  # type: ignore[no-untyped-def]
    """Why the sign engine does not factor (``skd.verify.signs``, the note above ``_rational_sign``'s
    helpers): a product ``c * prod f_j**k_j`` of polynomials with one-signed coefficients has, expanded,
    one-signed coefficients, so ``poly_sign`` on the expansion decides the sign a factorisation would."""
    expected = "pos" if c > 0 else "neg"
    product = c
    for (f, s), k in factors:
        product = product * f**k
        if s == "neg" and k % 2:
            expected = "neg" if expected == "pos" else "pos"
    assert poly_sign(sp.expand(product)) == expected


def test_the_sign_engine_never_factors_a_polynomial(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Multivariate factorisation in SymPy (Wang's algorithm) draws random evaluation points: the same
    obligation took 2 s in one run and > 40 s in the next. A sign that needs no factorisation (by the
    property above, none does) must not run one."""
    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("factor_list called")

    monkeypatch.setattr(sp.Poly, "factor_list", refuse)
    a, b = sp.symbols("a b", positive=True)
    # mixed coefficients after cancelling: undecided (true, but beyond the positivity lemma)
    assert sign_of((a + b)**2 * (a + 2) / (a + 1) - 1) is None
    assert sign_of((a**2 + a*b + 1) * (b + 3) / (a + b)) == "pos"
    assert sign_of(-(a**2 + 1) * (b + 2)**3 / (a*b + 1) - 1 / (a + 2)) == "neg"
