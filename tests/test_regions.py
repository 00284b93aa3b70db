"""Pieces and cases (skd.verify.regions): steps become Piecewise the provers can walk.

Each test names the behaviour it pins: ``floor``/``ceiling`` of a linear function of ``x`` become
a Piecewise over the integer thresholds crossed on (0, 1); a comparison of ``floor(u)`` with an
integer becomes a condition on ``u``; any other ``floor``/``ceiling`` is unsupported (an honest
unknown, never a guess); the V cases cover every integer size; the kernel decides the same steps
with its own rule and accepts the resulting proofs.
"""

from __future__ import annotations

import pytest
import sympy as sp

from skd.operators import separable
from skd.operators.symbols import T, V, x
from skd.verify.kernel import check_proof
from skd.verify.prove import lemma_outcomes, prove
from skd.verify.regions import Unsupported, normalize, v_cases


def _values_on_grid(expr, n=97):
    return [expr.subs(x, sp.Rational(k, n)) for k in range(1, n)]


@pytest.mark.parametrize("text", ["floor(4*x) + x", "x**(1/T)*ceiling(3*x)", "floor(2 - 3*x/2) + 3", "ceiling(5*x/2 + 1/3)"])
def test_floor_and_ceiling_of_a_linear_function_of_x_become_exact_pieces(text):
    score = separable(text).score
    pieces = normalize(score)
    assert not pieces.has(sp.floor, sp.ceiling)
    # the same values at every grid point of (0, 1), including the thresholds themselves
    for a, b in zip(_values_on_grid(score.subs(T, 2)), _values_on_grid(pieces.subs(T, 2))):
        assert sp.simplify(a - b) == 0


@pytest.mark.parametrize("cond, inside, outside", [
    (sp.Eq(sp.floor(T), 1), [1, sp.Rational(3, 2)], [sp.Rational(1, 2), 2]),
    (sp.floor(T) < 2, [sp.Rational(19, 10)], [2]),
    (sp.floor(T) >= 2, [2], [sp.Rational(19, 10)]),
    (sp.ceiling(T) <= 1, [1, sp.Rational(1, 2)], [sp.Rational(11, 10)]),
    (sp.Ne(sp.ceiling(T), 2), [1, sp.Rational(21, 10)], [2, sp.Rational(3, 2)]),
])
def test_a_comparison_of_floor_with_an_integer_becomes_a_condition_on_its_argument(cond, inside, outside):
    pw = normalize(sp.Piecewise((x, cond), (2 * x, True)))
    assert not pw.has(sp.floor, sp.ceiling)
    for t in inside:
        assert pw.subs(T, t) == x
    for t in outside:
        assert pw.subs(T, t) == 2 * x


@pytest.mark.parametrize("text", ["x**(1/ceiling(T))", "x**(1/T)*floor(1 + x*V)", "x**(1/T)*floor(x**2 + 1)"])
def test_other_steps_are_unsupported(text):
    with pytest.raises(Unsupported):
        normalize(separable(text).score)


@pytest.mark.parametrize("text", ["floor(4*x) + x", "x**(1/T)*ceiling(3*x)",
                                  "Piecewise((x**(1/T), floor(T) == 1), (x**(1/T)*2, True))"])
def test_proofs_through_steps_are_accepted_by_the_kernel(text):
    op = separable(text)
    for axiom in ("well_defined", "ranking"):
        out = prove(axiom, op)
        assert out.status == "proved", out.reason
        assert check_proof(axiom, op, out, lemmas=lemma_outcomes(op, out))[0]


def test_v_cases_cover_every_integer_size():
    cases = v_cases(sp.Piecewise((x, V < 5), (x**2, True)))
    assert [label for _, label in cases] == ["V = 2", "V in (2, 5)", "V = 5", "V > 5"]
