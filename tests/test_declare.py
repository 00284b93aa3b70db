"""Operator declarations (:mod:`skd.operators.declare`): ``Param``, ``separable``, ``vector``,
``Operator.fix``, ``reparametrize`` and ``compose`` — validation with the argument named, the
values they build, and what the content hash depends on (its independence from the name is
pinned in ``test_prove.py``)."""

from __future__ import annotations

from fractions import Fraction as Q
from typing import Any

import pytest
import sympy as sp

from skd.operators import DEFAULT_SIZES, Param, compose, library, reparametrize, separable, vector
from skd.operators.arith import ArbArith, FloatArith, MpArith
from skd.operators.errors import ExpressionError, InvalidArgument, NotWellDefined
from skd.operators.evaluate import evaluate_in, evaluate_mp
from skd.operators.symbols import T, x


def _identity(p: Any, T_: Any, ar: Any) -> list[Any]:
    return [ar.num(v) for v in p]


def _reverse(p: Any, T_: Any, ar: Any) -> list[Any]:
    return [ar.num(v) for v in reversed(p)]


# -- Param -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["x", "T", "V", "1a", "a b", "", 3])
def test_declare_param_rejects_reserved_or_non_identifier_names(name: object) -> None:
    with pytest.raises(InvalidArgument, match="identifier other than x, T, V") as err:
        Param(name)  # type: ignore[arg-type]
    assert err.value.argument == "name"


@pytest.mark.parametrize("bound, fragment", [(0.5, "not as a float"), (True, "must be an int"), ("abc", "not a rational"),
                                             ("1/0", "not a rational"), ([1], "must be an int")])
def test_declare_param_bounds_must_be_exact_rationals(bound: object, fragment: str) -> None:
    with pytest.raises(InvalidArgument, match=fragment) as err:
        Param("a", lower=bound)  # type: ignore[arg-type]
    assert err.value.argument == "lower"


@pytest.mark.parametrize("kwargs", [dict(lower=2, upper=1), dict(lower=1, upper=1, lower_closed=False),
                                    dict(lower=1, upper=1, upper_closed=False)])
def test_declare_param_empty_domain_is_rejected(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgument, match="is empty"):
        Param("a", **kwargs)


def test_declare_param_a_closed_point_is_a_valid_domain() -> None:
    p = Param("a", lower=1, upper=1)
    assert p.contains(1) and not p.contains(Q(1, 10**9) + 1)


def test_declare_param_contains_respects_open_and_closed_ends() -> None:
    p = Param("a", lower=0, upper="3/2", lower_closed=False, upper_closed=True)
    assert not p.contains(0) and p.contains(Q(1, 10**30)) and p.contains("3/2") and not p.contains(Q(3, 2) + Q(1, 10**30))
    q = Param("a", lower=0, upper=Q(3, 2), lower_closed=True, upper_closed=False)
    assert q.contains(0) and not q.contains(Q(3, 2))
    assert Param("a").contains(-(10**100)) and Param("a").contains(10**100)


def test_declare_param_contains_refuses_float_values() -> None:
    with pytest.raises(InvalidArgument, match="not as a float"):
        Param("a").contains(0.5)  # type: ignore[arg-type]


def test_declare_param_describe_shows_brackets_and_infinite_ends() -> None:
    assert Param("a", 0, 1).describe() == "[0, 1]"
    assert Param("a", "1/2", None, lower_closed=False).describe() == "(1/2, oo)"
    assert Param("a", None, 2, upper_closed=False).describe() == "(-oo, 2)"
    assert Param("a").describe() == "(-oo, oo)"


def test_declare_param_symbol_is_real_and_bounds_are_exact() -> None:
    p = Param("a", "1/3", 2)
    assert p.symbol.is_real and p.symbol.name == "a"
    assert p.bounds == (sp.Rational(1, 3), sp.Integer(2))


# -- separable -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "two words", "tab\there", "n" * 81, None, 5])
def test_declare_separable_rejects_bad_names(name: object) -> None:
    with pytest.raises(InvalidArgument, match="without spaces, at most 80") as err:
        separable("x", name=name)  # type: ignore[arg-type]
    assert err.value.argument == "name"


def test_declare_separable_accepts_an_80_character_name() -> None:
    assert separable("x", name="n" * 80).name == "n" * 80


@pytest.mark.parametrize("score", ["1 + T", "x*0 + V", "x/x"])
def test_declare_separable_score_without_x_is_rejected_with_its_simplified_form(score: str) -> None:
    with pytest.raises(InvalidArgument, match="does not depend on x") as err:
        separable(score)
    assert err.value.argument == "score"
    if score != "1 + T":
        assert "it simplifies to" in str(err.value)


def test_declare_separable_sympy_score_with_foreign_symbols_is_an_expression_error() -> None:
    y = sp.Symbol("y")
    with pytest.raises(ExpressionError, match=r"unknown symbols \['y'\]"):
        separable(x * y)
    a_unreal = sp.Symbol("a")  # not the real symbol a parameter uses: a different symbol
    with pytest.raises(ExpressionError):
        separable(x**a_unreal, params=[Param("a")])
    assert separable(x ** Param("a").symbol, params=[Param("a")]).params == (Param("a"),)


@pytest.mark.parametrize("score", [3, None, ["x"], 0.5])
def test_declare_separable_score_must_be_a_string_or_sympy_expression(score: object) -> None:
    with pytest.raises(InvalidArgument, match="formula string or a SymPy expression"):
        separable(score)  # type: ignore[arg-type]


def test_declare_separable_params_must_be_distinct_params() -> None:
    with pytest.raises(InvalidArgument, match="must be distinct"):
        separable("x**(a/T)", params=[Param("a"), Param("a", 0)])
    with pytest.raises(InvalidArgument, match="must be a Param"):
        separable("x**(a/T)", params=["a"])  # type: ignore[list-item]


def test_declare_separable_undeclared_parameter_in_text_is_rejected() -> None:
    with pytest.raises(ExpressionError, match="unknown symbol 'a'"):
        separable("x**(a/T)")


def test_declare_separable_string_and_sympy_forms_are_the_same_operator() -> None:
    assert separable("x**(1/T)", name="p") == separable(x ** (1 / T), name="p")
    assert separable("x**(1/T)", name="p") != separable("x**(1/T)", name="q")  # equality includes the name


def test_declare_separable_keeps_side_conditions_simplification_removed() -> None:
    op = separable("x*(T - 1)/(T - 1)", name="cancelled")
    assert op.score == x and op.definition == "x*(T - 1)/(T - 1)"  # shown as written
    assert [(k, e) for k, e, _ in op.obligations] == [("ne0", T - 1)]
    assert op.hash != separable("x", name="cancelled").hash
    with pytest.raises(NotWellDefined, match="T - 1 != 0"):
        evaluate_mp(op, [Q(1, 2), Q(1, 2)], 1)
    assert evaluate_mp(op, [Q(1, 2), Q(1, 2)], 2) == evaluate_mp(separable("x"), [Q(1, 2), Q(1, 2)], 2)


def test_declare_separable_positive_monomial_divisors_carry_no_obligation() -> None:
    assert separable("x*T/T").obligations == ()
    assert separable("x**(1/T)").obligations == ()


def test_declare_separable_a_cancelled_divisor_x_is_kept_the_closed_simplex_has_zeros() -> None:
    # x is positive on the open simplex only: x**(1/T)*x/x divides by 0 at a zero entry
    op = separable("x**(1/T)*x/x")
    assert op.score == separable("x**(1/T)").score
    assert [(k, e) for k, e, _ in op.obligations] == [("ne0", x)]
    assert op.hash != separable("x**(1/T)").hash


def test_closed_simplex_no_proof_for_a_formula_that_divides_by_x_as_written() -> None:
    """Was a hole (adversarial review of the closed simplex): the parser dropped the written
    condition ``x != 0`` as positive, so ``x**(1/T)*x/x`` was stored as ``x**(1/T)`` and every
    closed-simplex axiom was proved, though the formula divides by 0 at a zero entry. Now it
    keeps the condition: proved on the open simplex, unknown (outside Theorem C) on the closed."""
    from skd.theory.axioms import PROFILES
    from skd.verify.prove import prove

    op = separable("x**(1/T)*x/x")
    assert prove("well_defined", op, PROFILES["paper"]).status == "proved"
    for axiom in ("well_defined", "continuity", "boundary_cold"):
        assert prove(axiom, op, PROFILES["closed"]).status == "unknown", axiom


def test_declare_operator_is_frozen_and_hashable() -> None:
    op = separable("x**(1/T)", name="p")
    with pytest.raises(AttributeError):
        op.name = "q"  # type: ignore[misc]
    assert len({op, separable("x**(1/T)", name="p"), separable("x**(2/T)", name="p")}) == 2


def test_declare_hash_depends_on_parameter_ranges() -> None:
    a = separable("x**(a/T)", params=[Param("a", 0, 1)])
    b = separable("x**(a/T)", params=[Param("a", 0, 2)])
    c = separable("x**(a/T)", params=[Param("a", 0, 1, lower_closed=False)])
    assert len({a.hash, b.hash, c.hash}) == 3


def test_declare_latex_uses_declared_form_or_score_or_name() -> None:
    assert separable("x**2").latex == "x^{2}"
    assert vector(_identity, name="my_op", definition="p").latex == r"\mathrm{my\_op}_T(p)"
    assert vector(_identity, name="my_op", definition="p", latex="I(p)").latex == "I(p)"


# -- vector ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [(), (1,), (2, 1), (True,), (2.0,), ("3",)])
def test_declare_vector_sizes_must_be_integers_at_least_two(sizes: tuple[Any, ...]) -> None:
    with pytest.raises(InvalidArgument, match="integers >= 2") as err:
        vector(_identity, name="v", definition="p", sizes=sizes)
    assert err.value.argument == "sizes"


def test_declare_vector_sizes_are_sorted_and_deduplicated_default_two_to_five() -> None:
    assert vector(_identity, name="v", definition="p", sizes=[5, 2, 5, 3]).sizes == (2, 3, 5)
    assert vector(_identity, name="v", definition="p").sizes == DEFAULT_SIZES == (2, 3, 4, 5)


@pytest.mark.parametrize("definition", ["", None, 3])
def test_declare_vector_definition_must_be_a_non_empty_string(definition: object) -> None:
    with pytest.raises(InvalidArgument, match="non-empty description"):
        vector(_identity, name="v", definition=definition)  # type: ignore[arg-type]


def test_declare_vector_algorithm_must_be_callable() -> None:
    with pytest.raises(InvalidArgument, match="callable") as err:
        vector("p", name="v", definition="p")  # type: ignore[arg-type]
    assert err.value.argument == "algorithm"


def test_declare_vector_hash_depends_on_algorithm_and_sizes() -> None:
    a = vector(_identity, name="v", definition="p")
    assert a.hash != vector(_reverse, name="v", definition="p").hash
    assert a.hash != vector(_identity, name="v", definition="p", sizes=(2, 3)).hash
    assert a.hash == vector(_identity, name="w", definition="p").hash


# -- fix -------------------------------------------------------------------------------------

PA = separable("x**(a/T) + b", params=[Param("a", lower=0, lower_closed=False), Param("b", 0, 1)], name="pa")


def test_declare_fix_substitutes_exactly_and_keeps_the_other_parameters() -> None:
    fixed = PA.fix(a="1/2")
    assert fixed.name == "pa[a=1/2]" and fixed.params == (Param("b", 0, 1),)
    assert fixed.score == x ** (1 / (2 * T)) + Param("b").symbol
    both = PA.fix(a=2, b=0)
    assert both.params == () and both.definition == "x**(2/T)"


def test_declare_fix_unknown_parameter_names_the_known_ones() -> None:
    with pytest.raises(InvalidArgument, match=r"no parameter 'c'; it has \['a', 'b'\]"):
        PA.fix(c=1)
    with pytest.raises(InvalidArgument, match="it has none"):
        library.power.fix(a=1)


@pytest.mark.parametrize("value", [0, -1, "-1/2"])
def test_declare_fix_value_outside_the_domain_is_rejected(value: object) -> None:
    with pytest.raises(InvalidArgument, match=r"outside the declared domain \(0, oo\)") as err:
        PA.fix(a=value)  # type: ignore[arg-type]
    assert err.value.argument == "a"


def test_declare_fix_on_a_vector_operator_is_rejected() -> None:
    with pytest.raises(InvalidArgument, match="only separable operators have parameters"):
        library.topk.fix(a=1)


def test_declare_fix_carries_obligations_with_the_value_substituted() -> None:
    op = separable("x*(a - 1)/(a - 1)", params=[Param("a")], name="guarded")
    assert op.fix(a=2).obligations[0][1] == 1
    with pytest.raises(NotWellDefined):
        evaluate_mp(op.fix(a=1), [Q(1, 2), Q(1, 2)], 2)


# -- reparametrize ---------------------------------------------------------------------------


def test_declare_reparametrize_substitutes_the_temperature_map() -> None:
    op = reparametrize(library.power, "T**2")
    assert op.score == x ** (T**-2) and op.name == "power∘φ" and op.kernel is None
    assert op.hash == library.power_T2.hash  # same score: the same definition
    p = [Q(7, 10), Q(3, 10)]
    assert evaluate_mp(op, p, 3) == evaluate_mp(library.power, p, 9)


def test_declare_reparametrize_keeps_parameters() -> None:
    op = reparametrize(PA, "2*T", name="pa2")
    assert op.params == PA.params and op.name == "pa2"


def test_declare_reparametrize_rejects_x_in_phi_and_vector_operators() -> None:
    with pytest.raises(ExpressionError, match="unknown symbol 'x'"):
        reparametrize(library.power, "x*T")
    with pytest.raises(InvalidArgument, match="phi"):
        reparametrize(library.power, x * T)
    with pytest.raises(InvalidArgument, match="use compose"):
        reparametrize(library.topk, "T")


def test_declare_reparametrize_keeps_the_written_formulas_side_conditions() -> None:
    op = reparametrize(separable("x*(T - 1)/(T - 1)", name="cancelled"), "T**2")
    with pytest.raises(NotWellDefined):
        evaluate_mp(op, [Q(1, 2), Q(1, 2)], 1)


# -- compose ---------------------------------------------------------------------------------


def test_declare_compose_is_outer_after_inner_in_every_arithmetic() -> None:
    c = compose(library.power, library.mixture)
    p, t = [Q(7, 10), Q(2, 10), Q(1, 10)], Q(2)
    for ar in (MpArith(40), FloatArith()):
        want = evaluate_in(library.power, evaluate_in(library.mixture, p, t, ar), t, ar)
        assert evaluate_in(c, p, t, ar) == want
    arb = evaluate_in(c, p, t, ArbArith(200))
    mp = MpArith(60)
    ref = evaluate_in(library.power, evaluate_in(library.mixture, p, t, mp), t, mp)
    assert all(abs(float(b.mid()) - float(r)) < 1e-15 and b.rad() < 1e-50 for b, r in zip(arb, ref, strict=True))


def test_declare_compose_is_a_vector_operator_whose_hash_depends_on_the_order() -> None:
    ab, ba = compose(library.power, library.mixture), compose(library.mixture, library.power)
    assert ab.kind == "vector" and ab.definition == "power(mixture(p))" and ab.name == "power∘mixture"
    assert ab.hash != ba.hash
    assert ab.hash == compose(library.power, library.mixture, name="other").hash


def test_declare_compose_sizes_default_to_the_common_declared_sizes() -> None:
    a = vector(_identity, name="a", definition="p", sizes=(2, 3, 7))
    b = vector(_reverse, name="b", definition="p", sizes=(3, 7, 9))
    assert compose(a, b).sizes == (3, 7)
    assert compose(library.power, a).sizes == (2, 3, 7)  # a separable operand is defined for every V
    assert compose(library.power, library.mixture).sizes == (2, 3, 4, 5)  # both separable: the default sizes
    assert compose(a, b, sizes=[3]).sizes == (3,)


def test_declare_compose_rejects_non_operators_naming_the_argument() -> None:
    with pytest.raises(InvalidArgument, match="must be an Operator") as err:
        compose(library.power, "x**2")  # type: ignore[arg-type]
    assert err.value.argument == "inner"


def test_declare_compose_of_operators_with_disjoint_sizes_covers_no_undeclared_size() -> None:
    a = vector(_identity, name="a", definition="p", sizes=(2,))
    b = vector(_reverse, name="b", definition="p", sizes=(3,))
    try:
        c = compose(a, b)
    except InvalidArgument:
        return
    assert set(c.sizes) <= set(a.sizes) & set(b.sizes)


# -- the vector hash sees what the source text does not (a past unsound `proved`, issue 14 review) --


def _band_factory(band: bool) -> Any:
    def alg(p: Any, T: Any, ar: Any) -> list[Any]:
        tot = ar.num(p[0])
        for v in p[1:]:
            tot = tot + ar.num(v)
        out = [ar.num(v) / tot for v in p]
        if band:
            out[0], out[1] = out[1], out[0]
        return out

    return alg


_HELPER_SCALE = 1


def _uses_a_global_helper(p: Any, T: Any, ar: Any) -> list[Any]:
    return [ar.num(v) * _HELPER_SCALE for v in p]


def test_declare_vector_hash_sees_closure_cells_defaults_globals_and_sourceless_code() -> None:
    """Two closures of one factory share their source text; their hashes used to be equal, so
    ``prove`` returned the memoised ``proved`` of one for the other (identity and ranking of an
    operator that breaks both). The hash now records closure cells, defaults, the globals the code
    reads, and — without source, or for lambdas — the bytecode."""
    import types

    from skd.verify.prove import prove

    a = vector(_band_factory(False), name="a", definition="p", sizes=(2, 3))
    b = vector(_band_factory(True), name="b", definition="p", sizes=(2, 3))
    assert a.hash != b.hash
    assert vector(_band_factory(False), name="a2", definition="p", sizes=(2, 3)).hash == a.hash  # deterministic
    assert prove("identity", a).status == "proved"
    assert prove("identity", b).status != "proved"  # was: the memoised proof of a
    # defaults
    def with_default(p: Any, T: Any, ar: Any, k: int = 1) -> list[Any]:
        return [ar.num(v) for v in p]
    other = types.FunctionType(with_default.__code__, with_default.__globals__, "with_default", (2,), with_default.__closure__)
    other.__qualname__ = with_default.__qualname__
    assert vector(with_default, name="d", definition="p").hash != vector(other, name="d", definition="p").hash
    # a global the code reads (the same code and source, another module namespace)
    g2 = dict(_uses_a_global_helper.__globals__, _HELPER_SCALE=2)
    moved = types.FunctionType(_uses_a_global_helper.__code__, g2, "_uses_a_global_helper")
    moved.__qualname__ = _uses_a_global_helper.__qualname__
    assert vector(_uses_a_global_helper, name="g", definition="p").hash != vector(moved, name="g", definition="p").hash
    # no source (a REPL or exec): the bytecode tells two bodies of one name apart
    ns1: dict[str, Any] = {}
    ns2: dict[str, Any] = {}
    exec("def alg(p, T, ar):\n    return [ar.num(v) for v in p]\n", ns1)
    exec("def alg(p, T, ar):\n    return [ar.num(v) for v in reversed(p)]\n", ns2)
    assert vector(ns1["alg"], name="r", definition="p").hash != vector(ns2["alg"], name="r", definition="p").hash
    # two functools.wraps decorators of one function: inspect reports the inner function's source
    import functools

    def doubled(fn: Any) -> Any:
        @functools.wraps(fn)
        def wrapper(p: Any, T: Any, ar: Any) -> list[Any]:
            return [v * 2 for v in fn(p, T, ar)]
        return wrapper

    def negated(fn: Any) -> Any:
        @functools.wraps(fn)
        def wrapper(p: Any, T: Any, ar: Any) -> list[Any]:
            return [-v for v in fn(p, T, ar)]
        return wrapper

    assert (vector(doubled(_uses_a_global_helper), name="w", definition="p").hash
            != vector(negated(_uses_a_global_helper), name="w", definition="p").hash)
    # two lambdas on one line share their source line
    f, g = (lambda p, T, ar: [ar.num(v) for v in p]), (lambda p, T, ar: [ar.num(v) for v in p[::-1]])
    assert vector(f, name="l", definition="p").hash != vector(g, name="l", definition="p").hash


def test_declare_vector_hash_of_the_builtins_is_the_same_in_a_fresh_process() -> None:
    """Goldens, baselines and ``skd recheck`` compare hashes across runs: they must not depend on
    the process (no object addresses for the built-ins)."""
    import subprocess
    import sys

    code = "from skd.operators import library; print(' '.join(op.hash for op in library.ALL))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [op.hash for op in library.ALL]
