"""Pasteable reproducers (:mod:`skd.verify.reproduce`): exact numbers as code, operators as code
that rebuilds an equal operator in a fresh namespace, and snippets that run there and print
what they claim."""

from __future__ import annotations

import contextlib
import io
from fractions import Fraction as Q
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skd.operators import Param, library, separable, vector
from skd.operators.evaluate import evaluate_mp
from skd.verify.reproduce import format_fraction, fraction_code, is_builtin, list_code, operator_code, snippet

fractions = st.fractions(min_value=-(10**12), max_value=10**12, max_denominator=10**12)


def _run(code: str) -> tuple[dict[str, Any], str]:
    ns: dict[str, Any] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, ns)  # our own generated code, never stored input
    return ns, out.getvalue()


@given(fractions)
def test_reproduce_fraction_text_and_code_round_trip(q: Q) -> None:
    assert Q(format_fraction(q)) == q
    assert eval(fraction_code(q), {"Q": Q}) == q
    assert ("/" in format_fraction(q)) == (q.denominator != 1) and ("," in fraction_code(q)) == (q.denominator != 1)


@given(st.lists(fractions, max_size=6))
def test_reproduce_list_code_round_trips(values: list[Q]) -> None:
    assert eval(list_code(values), {"Q": Q}) == values


@pytest.mark.parametrize("op", library.ALL, ids=lambda o: o.name)
def test_reproduce_builtins_are_rebuilt_by_get(op: Any) -> None:
    imp, expr = operator_code(op, {})
    assert (imp, expr) == ("from skd.operators.library import get", f"get({op.name!r})")
    ns, _ = _run(f"{imp}; op = {expr}")
    assert ns["op"] == op


def test_reproduce_is_builtin_needs_the_name_and_the_definition() -> None:
    assert is_builtin(library.topk)
    assert not is_builtin(separable("x**(1/T)", name="mine"))  # same definition, another name
    assert not is_builtin(separable("x**(2/T)", name="power"))  # the name of a built-in, another definition
    assert not is_builtin(object())


@pytest.mark.parametrize("formula", ["x**(1/T) + x/V", "exp(-x/T)*(1 + x)", "Piecewise((x, T <= 1), (x**2, True))"])
def test_reproduce_operator_code_rebuilds_an_operator_with_the_same_definition(formula: str) -> None:
    op = separable(formula, name="custom")
    imp, expr = operator_code(op, {})
    ns, _ = _run(f"{imp}; op = {expr}")
    assert ns["op"].hash == op.hash and ns["op"] == op  # the default name is custom too


def test_reproduce_operator_code_fixes_parameters_exactly() -> None:
    op = separable("x**(a/T) + b", params=[Param("a", 0), Param("b", 0, 1)], name="pa")
    vals = {"a": Q(2, 7), "b": Q(1, 3)}
    ns, _ = _run("; ".join(operator_code(op, vals)).replace("; separable", "; op = separable"))
    assert ns["op"].hash == op.fix(a="2/7", b="1/3").hash


def test_reproduce_operator_code_keeps_the_written_formula_of_a_cancelled_divisor() -> None:
    op = separable("x*(T - 1)/(T - 1)")
    imp, expr = operator_code(op, {})
    assert expr == "separable('x*(T - 1)/(T - 1)')"
    ns, _ = _run(f"{imp}; op = {expr}")
    assert ns["op"].obligations == op.obligations and ns["op"].hash == op.hash


def test_reproduce_user_vector_operator_must_be_bound_by_the_user() -> None:
    op = vector(lambda p, T, ar: [ar.num(v) for v in p], name="v", definition="p")
    assert operator_code(op, {}) == ("", "op")
    line = snippet(op, {}, "print(1)")
    assert "op = op" in line and "import get" not in line
    ns, out = _run(line.replace("op = op", "op = bound").replace("from fractions", "bound = None; from fractions", 1))
    assert out == "1\n"


def test_reproduce_snippet_runs_in_a_fresh_namespace_and_prints_what_it_claims() -> None:
    p, t = [Q(7, 10), Q(2, 10), Q(1, 10)], Q(2)
    for op in (library.power, separable("x + Max(0, T - 1)**2/V", name="lap")):
        line = snippet(op, {}, f"print([str(v) for v in evaluate_mp(op, {list_code(p)}, {fraction_code(t)})])")
        _, out = _run(line)
        assert out.strip() == str([str(v) for v in evaluate_mp(op, p, t)])


def test_reproduce_snippet_extra_imports_come_before_the_operator() -> None:
    line = snippet(library.power, {}, "print(math.pi > 3)", extra_imports="import math")
    parts = line.split("; ")
    assert parts[:2] == ["from fractions import Fraction as Q", "import math"] and parts[-1] == "print(math.pi > 3)"
    assert _run(line)[1] == "True\n"


def test_reproduce_snippet_is_a_single_line() -> None:
    line = snippet(separable("x**2 + T", name="sq"), {}, "print(op)")
    assert "\n" not in line
    assert _run(line)[1] == "Operator('custom', separable: T + x**2)\n"
