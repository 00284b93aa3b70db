"""Safe parsing of operator formulas written by users.

Text is parsed with :func:`ast.parse` (which builds a syntax tree and executes nothing),
every node is checked against a whitelist, and only then is a SymPy expression built from
SymPy constructors. ``eval``, ``exec`` and ``sympify`` are never applied to user text.

Caps keep hostile input cheap: at most :data:`MAX_LENGTH` characters, nesting depth at most
:data:`MAX_DEPTH`, constant magnitudes at most ``10**MAX_CONSTANT_DIGITS`` and constant
exponents at most :data:`MAX_EXPONENT` in absolute value (so ``9**9**8`` is refused before any
arithmetic happens). Every refusal is an :class:`~skd.operators.errors.ExpressionError` that
names the offending token and its column.

>>> from skd.operators.parse import parse_formula
>>> parse_formula("x**(1/T)")
x**(1/T)
>>> parse_formula("Piecewise((x**(1/T), T <= 1), (x/T + (1 - 1/T)/V, True))")
Piecewise((x**(1/T), T <= 1), ((1 - 1/T)/V + x/T, True))
>>> parse_formula("__import__('os')")
Traceback (most recent call last):
...
skd.operators.errors.ExpressionError: cannot parse "__import__('os')" at "__import__('os')" (column 0):
unknown function '__import__'; allowed: ...
"""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any

import sympy as sp

from .errors import ExpressionError
from .symbols import RESERVED, param_symbol

__all__ = [
    "parse_formula", "parse_with_obligations", "Obligation", "FUNCTIONS",
    "MAX_LENGTH", "MAX_DEPTH", "MAX_EXPONENT", "MAX_CONSTANT_DIGITS",
]

MAX_LENGTH = 2000
MAX_DEPTH = 40
MAX_EXPONENT = 1000
MAX_CONSTANT_DIGITS = 30

#: Whitelisted functions: name -> (SymPy constructor, allowed argument counts).
FUNCTIONS: Mapping[str, tuple[Callable[..., Any], tuple[int, ...]]] = {
    "exp": (sp.exp, (1,)),
    "log": (sp.log, (1, 2)),
    "sqrt": (sp.sqrt, (1,)),
    "Abs": (sp.Abs, (1,)),
    "Min": (sp.Min, tuple(range(2, 9))),
    "Max": (sp.Max, tuple(range(2, 9))),
    "Piecewise": (sp.Piecewise, tuple(range(1, 17))),
    "tanh": (sp.tanh, (1,)),
    "sinh": (sp.sinh, (1,)),
    "cosh": (sp.cosh, (1,)),
    "sin": (sp.sin, (1,)),
    "cos": (sp.cos, (1,)),
    "tan": (sp.tan, (1,)),
    "atan": (sp.atan, (1,)),
    "asin": (sp.asin, (1,)),
    "acos": (sp.acos, (1,)),
    "erf": (sp.erf, (1,)),
    "Heaviside": (sp.Heaviside, (1,)),
    "floor": (sp.floor, (1,)),
    "ceiling": (sp.ceiling, (1,)),
    "sign": (sp.sign, (1,)),
}

_CONSTANTS = {"pi": sp.pi, "E": sp.E}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_COMPARE = {ast.Lt: sp.StrictLessThan, ast.LtE: sp.LessThan, ast.Gt: sp.StrictGreaterThan, ast.GtE: sp.GreaterThan,
            ast.Eq: sp.Eq}


#: A side condition of the formula *as written*: ``(kind, expr, guard)`` with kind ``"ne0"``
#: (a divisor), ``"gt0"`` (a ``log`` argument, the base of a real power), ``"ge0"`` (a ``sqrt``
#: argument, ``1 -+ a`` for ``asin``/``acos``); it applies where ``guard`` (the conditions of the
#: enclosing ``Piecewise`` branches) holds.
Obligation = tuple[str, sp.Expr, sp.Basic]


def parse_formula(text: str, parameters: Iterable[str] = (), *, symbols: Iterable[str] | None = None) -> sp.Expr:
    """Parse ``text`` into a SymPy expression in ``x``, ``T``, ``V`` and the named parameters.

    ``symbols`` restricts the reserved symbols that may appear (default: all of ``x, T, V``).
    Raises :class:`ExpressionError` for anything outside the grammar.

    >>> parse_formula("x**a / T", parameters=["a"])
    x**a/T
    """
    return parse_with_obligations(text, parameters, symbols=symbols)[0]


def parse_with_obligations(text: str, parameters: Iterable[str] = (), *,
                           symbols: Iterable[str] | None = None) -> tuple[sp.Expr, tuple[Obligation, ...]]:
    """:func:`parse_formula` and the side conditions of the formula **as written**.

    SymPy evaluates while it builds, and its automatic simplification can cancel a divisor
    (``x*(T - 1)/(T - 1)`` becomes ``x``) or a branch (``exp(log(x - 1/2))`` becomes
    ``x - 1/2``): the expression loses a point where the written formula is undefined. The
    builder records every divisor, ``log`` and ``sqrt`` argument, real-power base and
    ``asin``/``acos`` range of the text before any such simplification, each with the
    ``Piecewise`` guard under which it is evaluated; a proof of well-definedness must
    discharge them all (``docs/theory/reductions.md#definedness``).

    >>> expr, obligations = parse_with_obligations("x*(T - 1)/(T - 1)")
    >>> expr, obligations
    (x, (('ne0', T - 1, True),))
    """
    if not isinstance(text, str):
        raise ExpressionError(repr(text), f"a formula must be a string, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(text, f"formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise ExpressionError(text, "formula is empty")
    allowed = dict(RESERVED) if symbols is None else {s: RESERVED[s] for s in symbols}
    for name in parameters:
        if not (isinstance(name, str) and name.isidentifier()) or name in RESERVED or name in FUNCTIONS or name in _CONSTANTS:
            raise ExpressionError(text, f"invalid parameter name {name!r}")
        allowed[name] = param_symbol(name)
    # Cheap pre-check of nesting before handing text to the Python parser, whose own
    # recursion on deeply nested input is what we must not trigger.
    depth = 0
    for col, ch in enumerate(text):
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(text, f"nesting deeper than {MAX_DEPTH}", ch, col)
        elif ch in ")]}":
            depth -= 1
    try:
        with warnings.catch_warnings():
            # `1else 2` parses with a SyntaxWarning ("invalid decimal literal") printed on the
            # user's stderr: an error here instead, reported like every other syntax error
            warnings.simplefilter("error", SyntaxWarning)
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        stripped = text.strip()
        if not exc.offset or exc.offset - 1 >= len(stripped) or (exc.offset == 1 and exc.msg == "invalid syntax"
                                                                  and _incomplete(stripped)):
            # Python points at the start (or past the end) when the text simply stops too early.
            col = len(stripped)
            raise ExpressionError(text, f"syntax error: the formula ends too early after {stripped[-10:]!r}",
                                  None, col) from None
        col = exc.offset - 1
        token = stripped[col : col + 10]
        raise ExpressionError(text, f"syntax error: {exc.msg}", token, col) from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise ExpressionError(text, f"cannot be parsed ({type(exc).__name__})") from None
    builder = _Builder(text.strip(), allowed)
    expr = builder.build(tree.body, 0)
    if _is_condition(expr) or not isinstance(expr, sp.Expr):
        raise ExpressionError(text, "formula is a condition, not a number-valued expression")
    seen: set[tuple[str, sp.Expr, sp.Basic]] = set()
    obligations = []
    for ob in builder.obligations:
        if ob not in seen:
            seen.add(ob)
            obligations.append(ob)
    return expr, tuple(obligations)


def _is_condition(obj: object) -> bool:
    """Relations and logical connectives (a Symbol is a SymPy Boolean too, but not a condition)."""
    return isinstance(obj, (sp.core.relational.Relational, sp.logic.boolalg.BooleanFunction,
                            sp.logic.boolalg.BooleanAtom))


#: Letters that look like the symbols x, T, V but are not ASCII (a pasted Cyrillic or Greek letter).
_LOOKALIKES = {"\u0422": "T", "\u03a4": "T", "\u0442": "T", "\u03c4": "T", "\u0445": "x", "\u0425": "x",
               "\u03c7": "x", "\u00d7": "x", "\u0474": "V", "\u03bd": "V", "\u0475": "V"}


def _describe_chars(name: str, allowed: Mapping[str, sp.Symbol]) -> str:
    """For a name with non-ASCII letters: their code points, and the symbol it may stand for."""
    import unicodedata

    odd = [c for c in name if ord(c) > 127]
    if not odd:
        return ""
    points = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in odd[:3])
    guess = "".join(_LOOKALIKES.get(c, c) for c in name)
    hint = f"; did you mean {guess!r}?" if guess in allowed else ""
    return f" (non-ASCII: {points}{hint})"


def _incomplete(text: str) -> bool:
    """True when ``text`` ends in an operator or an open bracket (the formula stops too early)."""
    return text.rstrip().endswith(("*", "/", "+", "-", "(", ",", "[", "<", ">", "=", "%"))


class _Builder:
    def __init__(self, text: str, allowed: Mapping[str, sp.Symbol]) -> None:
        self.text = text
        self.allowed = allowed
        self.obligations: list[Obligation] = []
        self.guard: sp.Basic = sp.true

    def oblige(self, kind: str, expr: sp.Expr) -> None:
        """Record a side condition of the written formula (see :func:`parse_with_obligations`)."""
        if expr.free_symbols or not expr.is_Rational:
            self.obligations.append((kind, expr, self.guard))

    # -- helpers -----------------------------------------------------------------------
    def fail(self, node: ast.AST, problem: str) -> ExpressionError:
        col = getattr(node, "col_offset", None)
        end = getattr(node, "end_col_offset", None)
        token = None
        if col is not None:
            token = self.text[col : (end if end is not None and end - col <= 40 else col + 40)]
        return ExpressionError(self.text, problem, token, col)

    def magnitude(self, expr: sp.Expr) -> float:
        """log10 of |expr| for a constant already built (bounded because its parts are)."""
        try:
            value = abs(complex(sp.N(expr, 15)))
        except (TypeError, ValueError):
            return 0.0
        if value == 0 or not math.isfinite(value):
            return 0.0 if value == 0 else math.inf
        return math.log10(value)

    # -- the walk ----------------------------------------------------------------------
    def build(self, node: ast.AST, depth: int, *, condition: bool = False) -> sp.Basic:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nesting deeper than {MAX_DEPTH}")
        d = depth + 1
        if isinstance(node, ast.Constant):
            return self.constant(node, condition)
        if isinstance(node, ast.Name):
            if node.id in self.allowed:
                return self.allowed[node.id]
            if node.id in _CONSTANTS:
                return _CONSTANTS[node.id]
            if node.id in FUNCTIONS:
                raise self.fail(node, f"function {node.id!r} used without arguments")
            names = ", ".join(sorted(self.allowed)) or "none"
            raise self.fail(node, f"unknown symbol {node.id!r}{_describe_chars(node.id, self.allowed)}; "
                                  f"allowed symbols: {names}")
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.number(node.operand, d)
            if isinstance(node.op, ast.UAdd):
                return self.number(node.operand, d)
            if isinstance(node.op, ast.Not) and condition:
                return sp.Not(self.build(node.operand, d, condition=True))
            raise self.fail(node, f"operator {type(node.op).__name__} is not allowed")
        if isinstance(node, ast.BinOp):
            return self.binop(node, d)
        if isinstance(node, ast.Call):
            return self.call(node, d)
        if isinstance(node, ast.Compare):
            if not condition:
                raise self.fail(node, "comparisons are only allowed as Piecewise conditions")
            return self.compare(node, d)
        if isinstance(node, ast.BoolOp):
            if not condition:
                raise self.fail(node, "'and'/'or' are only allowed in Piecewise conditions")
            parts = [self.build(v, d, condition=True) for v in node.values]
            return sp.And(*parts) if isinstance(node.op, ast.And) else sp.Or(*parts)
        if isinstance(node, ast.Attribute):
            raise self.fail(node, "attribute access is not allowed")
        if isinstance(node, ast.Lambda):
            raise self.fail(node, "lambda is not allowed")
        if isinstance(node, ast.Subscript):
            raise self.fail(node, "subscripts are not allowed")
        if isinstance(node, (ast.Tuple, ast.List)):
            raise self.fail(node, "tuples are only allowed as Piecewise pieces")
        raise self.fail(node, f"{type(node).__name__} is not allowed in a formula")

    def number(self, node: ast.AST, depth: int) -> sp.Expr:
        value = self.build(node, depth)
        if not isinstance(value, sp.Expr) or _is_condition(value):
            raise self.fail(node, "expected a number-valued expression")
        return value

    def constant(self, node: ast.Constant, condition: bool) -> sp.Basic:
        value = node.value
        if isinstance(value, bool):
            if condition:
                return sp.true if value else sp.false
            raise self.fail(node, "True/False are only allowed as Piecewise conditions")
        if isinstance(value, int):
            if abs(value) >= 10**MAX_CONSTANT_DIGITS:
                raise self.fail(node, f"integer constant has more than {MAX_CONSTANT_DIGITS} digits")
            return sp.Integer(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.fail(node, "non-finite constant")
            if value != 0 and not (10.0**-MAX_CONSTANT_DIGITS <= abs(value) <= 10.0**MAX_CONSTANT_DIGITS):
                raise self.fail(node, "float constant out of range")
            # The decimal text the user wrote, exactly, as a rational.
            source = self.text[node.col_offset : node.end_col_offset] if node.end_col_offset else repr(value)
            try:
                frac = Fraction(source.replace("_", ""))
            except (ValueError, ZeroDivisionError):
                frac = Fraction(repr(value))
            return sp.Rational(frac.numerator, frac.denominator)
        raise self.fail(node, f"constant of type {type(value).__name__} is not allowed")

    def binop(self, node: ast.BinOp, depth: int) -> sp.Expr:
        if isinstance(node.op, ast.BitXor):
            start = getattr(node.left, "end_col_offset", None)
            at = self.text.find("^", start) if start is not None else -1
            if at >= 0:
                return_error = ExpressionError(self.text, "'^' is not a power here; write '**'", "^", at)
                raise return_error
            raise self.fail(node, "'^' is not a power here; write '**'")
        kind = _BINOPS.get(type(node.op))
        if kind is None:
            raise self.fail(node, f"operator {type(node.op).__name__} is not allowed")
        left = self.number(node.left, depth)
        right = self.number(node.right, depth)
        if kind == "+":
            result = left + right
        elif kind == "-":
            result = left - right
        elif kind == "*":
            result = left * right
        elif kind == "/":
            if right == 0:
                raise self.fail(node, "division by zero")
            self.oblige("ne0", right)
            result = left / right
        else:
            if not right.free_symbols:
                mag = self.magnitude(right)
                if mag > math.log10(MAX_EXPONENT):
                    raise self.fail(node, f"constant exponent larger than {MAX_EXPONENT} in absolute value")
                if not left.free_symbols:
                    lmag = self.magnitude(left)
                    if lmag * 10**mag > MAX_CONSTANT_DIGITS if mag > 0 else False:
                        raise self.fail(node, f"constant power exceeds 10**{MAX_CONSTANT_DIGITS}")
            if left == 0 and right.is_negative:
                raise self.fail(node, "zero to a negative power")
            if isinstance(right, sp.Integer):
                if right < 0:
                    self.oblige("ne0", left)
            elif right.is_Rational and right > 0:
                self.oblige("ge0", left)
            else:
                self.oblige("gt0", left)
            result = left**right
        if not result.free_symbols and result.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise self.fail(node, "expression is undefined (division by zero or infinite value)")
        return result

    def compare(self, node: ast.Compare, depth: int) -> sp.Basic:
        parts = []
        left = self.number(node.left, depth)
        for op, comp in zip(node.ops, node.comparators, strict=True):  # an ast.Compare has one of each per step
            rel = _COMPARE.get(type(op))
            if rel is None:
                raise self.fail(node, f"comparison {type(op).__name__} is not allowed (use <, <=, >, >=, ==)")
            right = self.number(comp, depth)
            parts.append(rel(left, right))
            left = right
        return parts[0] if len(parts) == 1 else sp.And(*parts)

    def call(self, node: ast.Call, depth: int) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            raise self.fail(node, "only calls of whitelisted functions by name are allowed")
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS, key=str.lower))
            raise self.fail(node, f"unknown function {name!r}; allowed: {allowed}")
        if node.keywords:
            raise self.fail(node, f"{name}() takes no keyword arguments")
        func, counts = FUNCTIONS[name]
        if len(node.args) not in counts:
            raise self.fail(node, f"{name}() takes {_counts(counts)} argument(s), got {len(node.args)}")
        if name == "Piecewise":
            pieces = []
            outer = self.guard
            earlier: list[sp.Basic] = []
            try:
                for arg in node.args:
                    if not isinstance(arg, ast.Tuple) or len(arg.elts) != 2:
                        raise self.fail(arg, "each Piecewise piece must be a pair (value, condition)")
                    # a condition is evaluated where no earlier one held; a value where its holds
                    self.guard = sp.And(outer, *[sp.Not(c) for c in earlier])
                    cond = self.build(arg.elts[1], depth, condition=True)
                    if not _is_condition(cond):
                        raise self.fail(arg.elts[1], "a Piecewise condition must be a comparison or True")
                    self.guard = sp.And(outer, *[sp.Not(c) for c in earlier], cond)
                    value = self.number(arg.elts[0], depth)
                    earlier.append(cond)
                    pieces.append((value, cond))
            finally:
                self.guard = outer
            try:
                return sp.Piecewise(*pieces)
            except (TypeError, ValueError) as exc:
                raise self.fail(node, f"invalid Piecewise: {exc}") from None
        args = [self.number(a, depth) for a in node.args]
        if name == "log":
            for a in args:
                self.oblige("gt0", a)
            if len(args) == 2:
                self.oblige("ne0", sp.log(args[1]))
                return sp.log(args[0]) / sp.log(args[1])
        elif name == "sqrt":
            self.oblige("ge0", args[0])
        elif name in ("asin", "acos"):
            self.oblige("ge0", 1 - args[0])
            self.oblige("ge0", 1 + args[0])
        elif name == "tan":
            self.oblige("ne0", sp.cos(args[0]))
        result = func(*args)
        if not result.free_symbols and result.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise self.fail(node, "expression is undefined (infinite value)")
        return result


def _counts(counts: tuple[int, ...]) -> str:
    if len(counts) == 1:
        return str(counts[0])
    return f"{counts[0]} to {counts[-1]}"
