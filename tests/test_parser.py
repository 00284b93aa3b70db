"""The safe formula parser (operators/parse.py): the whitelist is accepted, everything else is an
ExpressionError naming the token and column, fast, and user text is never executed."""

from __future__ import annotations

import builtins
import os
import subprocess
import time
from contextlib import contextmanager

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skd.operators import ExpressionError, SkdInputError, parse_formula
from skd.operators.parse import MAX_DEPTH, MAX_LENGTH
from skd.operators.symbols import T, V, x


@contextmanager
def nothing_may_run(monkeypatch: pytest.MonkeyPatch):
    """Sentinels: any attempt to open a file, run a shell or spawn a process fails the test."""

    def forbidden(*args, **kwargs):
        raise AssertionError(f"user text was executed: called with {args!r}")

    with monkeypatch.context() as m:
        m.setattr(builtins, "open", forbidden)
        m.setattr(os, "system", forbidden)
        m.setattr(os, "popen", forbidden)
        m.setattr(subprocess, "Popen", forbidden)
        yield


# -- accepted ------------------------------------------------------------------------------------

ACCEPTED = {
    "x**(1/T)": x ** (1 / T),
    "x/T + (1 - 1/T)/V": x / T + (1 - 1 / T) / V,
    "exp(log(x)/T)": sp.exp(sp.log(x) / T),
    "sqrt(x) * tanh(T) + Abs(x - 1/2)": sp.sqrt(x) * sp.tanh(T) + sp.Abs(x - sp.Rational(1, 2)),
    "Min(1, 1/T) * x + Max(0, T - 1)**2 / V": sp.Min(1, 1 / T) * x + sp.Max(0, T - 1) ** 2 / V,
    "0.25*x + 1e-3": sp.Rational(1, 4) * x + sp.Rational(1, 1000),
    "log(x, 2)": sp.log(x) / sp.log(2),
    "x**2 * pi / E": x**2 * sp.pi / sp.E,
    "-x + +T": -x + T,
    "cosh(x) + sinh(T) + sin(x) + cos(x) + tan(x) + atan(x) + asin(x) + acos(x) + erf(x)":
        sp.cosh(x) + sp.sinh(T) + sp.sin(x) + sp.cos(x) + sp.tan(x) + sp.atan(x) + sp.asin(x) + sp.acos(x) + sp.erf(x),
}


@pytest.mark.parametrize("text", sorted(ACCEPTED))
def test_parser_accepts_whitelisted_grammar(text: str) -> None:
    assert sp.simplify(parse_formula(text) - ACCEPTED[text]) == 0


def test_parser_accepts_piecewise_with_conditions() -> None:
    expr = parse_formula("Piecewise((x**(1/T), T <= 1), (x/T + (1 - 1/T)/V, True))")
    assert expr == sp.Piecewise((x ** (1 / T), T <= 1), (x / T + (1 - 1 / T) / V, True))
    expr = parse_formula("Piecewise((x, (T > 1/2) and (T < 2) or not (x >= 1/3)), (x**2, True))")
    assert isinstance(expr, sp.Piecewise)
    assert parse_formula("Piecewise((x, 1/2 < T <= 2), (x**2, True))").has(sp.And)


def test_parser_accepts_declared_parameters_only() -> None:
    expr = parse_formula("x**a / T", parameters=["a"])
    assert {s.name for s in expr.free_symbols} == {"x", "a", "T"}
    with pytest.raises(ExpressionError, match="unknown symbol 'a'"):
        parse_formula("x**a / T")


@pytest.mark.parametrize("text", ["x", "T", "(x)"])
def test_parser_accepts_bare_symbol(text: str) -> None:
    # SymPy's Symbol is a Boolean too: a bare symbol must still count as a number-valued formula.
    assert parse_formula(text).free_symbols


@pytest.mark.parametrize("text", ["Piecewise((x, T))", "Piecewise((x, x), (1, True))"])
def test_parser_rejects_symbol_as_piecewise_condition(text: str) -> None:
    with pytest.raises(ExpressionError, match="condition"):
        parse_formula(text)


def test_parser_builds_exact_rationals_from_decimals() -> None:
    assert parse_formula("0.1*x") == sp.Rational(1, 10) * x


# -- rejected ------------------------------------------------------------------------------------

REJECTED = {
    # text: (a substring of the message, the offending token or None, its column or None)
    "y**2": ("unknown symbol 'y'", "y", 0),
    "x + foo(x)": ("unknown function 'foo'", "foo(x)", 4),
    "__import__('os')": ("unknown function '__import__'", "__import__('os')", 0),
    "__import__('os').system('echo hacked')": ("only calls of whitelisted functions by name", None, 0),
    "x.real": ("attribute access", "x.real", 0),
    "(lambda: 1)()": ("only calls of whitelisted functions", None, 0),
    "lambda x: x": ("lambda", None, 0),
    "x[0]": ("subscripts", "x[0]", 0),
    "9**9**8": ("constant exponent larger than", None, 0),
    "x**(9**8)": ("constant exponent larger than", None, 0),
    "x^2": ("'^' is not a power here; write '**'", "^", 1),
    "x + 'abc'": ("constant of type str", "'abc'", 4),
    "x if T else 1": ("IfExp is not allowed", None, 0),
    "[x for x in ()]": ("is not allowed", None, 0),
    "x < T": ("comparisons are only allowed as Piecewise conditions", None, 0),
    "x +": ("syntax error", None, None),
    "exp(x, T)": ("exp() takes 1 argument(s), got 2", None, 0),
    "exp(x=1)": ("takes no keyword arguments", None, 0),
    "x/0": ("division by zero", None, 0),
    "0**(-1) + x": ("zero to a negative power", None, 0),
    "x + 10**40": ("constant power exceeds", None, 4),
    "x * 1" + "0" * 40: ("more than 30 digits", None, 4),
    "": ("empty", None, None),
    "x == T": ("comparisons are only allowed", None, 0),
    "open('/etc/passwd')": ("unknown function 'open'", None, 0),
    "True": ("only allowed as Piecewise conditions", None, 0),
    "exp": ("used without arguments", "exp", 0),
}


@pytest.mark.parametrize("text", sorted(REJECTED))
def test_parser_rejects_with_token_and_column_quickly(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fragment, token, column = REJECTED[text]
    start = time.perf_counter()
    with nothing_may_run(monkeypatch), pytest.raises(ExpressionError) as info:
        parse_formula(text)
    assert time.perf_counter() - start < 1.0
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, SkdInputError)
    assert fragment in str(err)
    if token is not None:
        assert err.token == token
        assert repr(token) in str(err)
    if column is not None:
        assert err.position == column
        assert f"(column {column})" in str(err)


def test_parser_rejects_long_text_quickly() -> None:
    text = "x+" * (MAX_LENGTH // 2) + "x"
    start = time.perf_counter()
    with pytest.raises(ExpressionError, match=f"limit is {MAX_LENGTH}"):
        parse_formula(text)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize("opener, closer", [("(", ")"), ("exp(", ")"), ("[", "]")])
def test_parser_rejects_deep_nesting_quickly(opener: str, closer: str) -> None:
    text = opener * (MAX_DEPTH + 1) + "x" + closer * (MAX_DEPTH + 1)
    start = time.perf_counter()
    with pytest.raises(ExpressionError, match=f"nesting deeper than {MAX_DEPTH}") as info:
        parse_formula(text)
    assert time.perf_counter() - start < 1.0
    assert info.value.position is not None


def test_parser_rejects_deep_unparenthesised_nesting_quickly() -> None:
    # Unary minus chains nest without brackets; the walk must cap them as well.
    text = "-" * 500 + "x"
    start = time.perf_counter()
    with pytest.raises(ExpressionError):
        parse_formula(text)
    assert time.perf_counter() - start < 1.0


def test_parser_rejects_non_string_input() -> None:
    with pytest.raises(ExpressionError, match="must be a string"):
        parse_formula(b"x**2")  # type: ignore[arg-type]


def test_parser_rejects_parameter_names_that_shadow() -> None:
    for name in ("x", "exp", "pi", "1a", "a b"):
        with pytest.raises(ExpressionError, match="invalid parameter name"):
            parse_formula("x", parameters=[name])


# -- properties ----------------------------------------------------------------------------------

PYTHONISH = [
    "x", "T", "V", "a", "y", "1", "0", "2.5", "1e308", "9", "-", "+", "*", "/", "**", "^", "%", "//",
    "(", ")", "[", "]", "{", "}", ",", ":", ".", "'", '"', "'os'", '"sh"', "<", "<=", "==", "!=", "and",
    "or", "not", "if", "else", "for", "in", "lambda", "True", "None", "exp", "log", "sqrt", "Piecewise",
    "Min", "Max", "Abs", "__import__", "__class__", "__globals__", "open", "os", "system", "eval", "exec",
    "sympify", "getattr", "globals", "@", "=", ":=", "yield", "await", "\\", "\n", "#", "...", "j", "1j",
]

def _check_only_expression_error(text: str) -> None:
    try:
        result = parse_formula(text)
    except ExpressionError:
        return
    assert isinstance(result, sp.Expr)
    assert result.free_symbols <= {x, T, V}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_parser_arbitrary_text_only_raises_expression_error(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with nothing_may_run(monkeypatch):
        _check_only_expression_error(text)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tokens=st.lists(st.sampled_from(PYTHONISH), max_size=40), seps=st.lists(st.sampled_from(["", " "]), min_size=40, max_size=40))
def test_parser_pythonish_token_soup_only_raises_expression_error(tokens, seps, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "".join(tok + sep for tok, sep in zip(tokens, seps))
    with nothing_may_run(monkeypatch):
        _check_only_expression_error(text)


@pytest.mark.parametrize("text", ["0x1 if 1else 2", "x + 1or 2", "1in x"])
def test_parser_text_python_parses_with_a_syntax_warning_is_an_expression_error_and_warns_nothing(text: str) -> None:
    """``1else`` is Python with a SyntaxWarning ("invalid decimal literal"), which reached the user's
    stderr as ``<unknown>:1: SyntaxWarning`` before the parser's own error: now one clear error."""
    import warnings

    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(ExpressionError, match="invalid decimal literal"):
            parse_formula(text)
    assert not seen, [str(w.message) for w in seen]


ATTACKS = [
    "__import__(\"os\").system(\"touch /tmp/skd-pwned\")",
    "open(\"/tmp/skd-pwned\", \"w\").write(\"x\")",
    "exp(x).__class__.__mro__[1].__subclasses__()",
    "(lambda: __import__('subprocess').Popen(['true']))()",
    "eval(\"1\")",
    "exec(\"import os\")",
    "getattr(x, 'func')",
    "[c for c in ().__class__.__base__.__subclasses__()]",
]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attack=st.sampled_from(ATTACKS), prefix=st.sampled_from(["", "x + ", "exp(", "Piecewise(("]),
       suffix=st.sampled_from(["", ")", " * T", ", True))"]))
def test_parser_attacks_are_never_executed(attack: str, prefix: str, suffix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with nothing_may_run(monkeypatch), pytest.raises(ExpressionError):
        parse_formula(prefix + attack + suffix)


def _grammar():
    """Well-formed formulas of the whitelist whose value is positive: (text, contains a symbol)."""
    leaves = st.one_of(
        st.sampled_from(["x", "T", "V"]).map(lambda s: (s, True)),
        st.sampled_from(["1", "2", "3", "0.5", "7/3"]).map(lambda s: (s, False)),
    )

    def extend(children):
        pair = st.tuples(children, children)
        return st.one_of(
            pair.map(lambda ab: (f"({ab[0][0]} + {ab[1][0]})", ab[0][1] or ab[1][1])),
            pair.map(lambda ab: (f"{ab[0][0]}*{ab[1][0]}", ab[0][1] or ab[1][1])),
            pair.map(lambda ab: (f"{ab[0][0]}/({ab[1][0]})", ab[0][1] or ab[1][1])),
            st.tuples(children.filter(lambda c: c[1]), st.integers(1, 4)).map(lambda a: (f"({a[0][0]})**{a[1]}", True)),
            st.tuples(st.sampled_from(["exp", "sqrt", "tanh", "Abs", "cosh"]), children).map(
                lambda a: (f"{a[0]}({a[1][0]})", a[1][1])),
            st.tuples(st.sampled_from(["Min", "Max"]), pair).map(
                lambda a: (f"{a[0]}({a[1][0][0]}, {a[1][1][0]})", a[1][0][1] or a[1][1][1])),
        )

    return st.recursive(leaves, extend, max_leaves=10)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(formula=_grammar())
def test_parser_accepts_generated_whitelisted_formulas(formula, monkeypatch: pytest.MonkeyPatch) -> None:
    text, _ = formula
    with nothing_may_run(monkeypatch):
        expr = parse_formula(text)
    assert isinstance(expr, sp.Expr)
    assert expr.free_symbols <= {x, T, V}
