"""Typed errors for bad input.

Every error raised for a user's mistake is a :class:`SkdInputError`, a ``ValueError``
subclass that names the argument and the offending value, so callers can catch one type.

>>> from skd.operators.errors import InvalidArgument
>>> try:
...     raise InvalidArgument("T", -1.0, "must be > 0")
... except ValueError as e:
...     print(e)
T=-1.0: must be > 0
"""

from __future__ import annotations

__all__ = [
    "SkdError",
    "SkdInputError",
    "InvalidArgument",
    "ExpressionError",
    "NotWellDefined",
]


class SkdError(Exception):
    """The root of every exception skd defines (``except SkdError`` catches them all): input
    errors (:class:`SkdInputError`), undecided arithmetic, budgets, recheck failures, internal
    consistency errors. Each subclass also keeps its standard base (``ValueError``,
    ``ArithmeticError``, ``TimeoutError`` ...) so existing ``except`` clauses still match."""


class SkdInputError(SkdError, ValueError):
    """Base class of every error caused by input from the user."""


class InvalidArgument(SkdInputError):
    """An argument has a bad value. ``argument`` and ``value`` name it."""

    def __init__(self, argument: str, value: object, problem: str) -> None:
        self.argument = argument
        self.value = value
        self.problem = problem
        shown = repr(value)
        if len(shown) > 200:
            shown = shown[:200] + "..."
        super().__init__(f"{argument}={shown}: {problem}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.argument, self.value, self.problem))


class ExpressionError(SkdInputError):
    """An operator formula was rejected by the safe parser.

    ``token`` is the offending piece of text and ``position`` its 0-based column.
    """

    def __init__(self, text: str, problem: str, token: str | None = None, position: int | None = None) -> None:
        self.text = text
        self.problem = problem
        self.token = token
        self.position = position
        where = ""
        if token is not None:
            where = f" at {token!r}"
        if position is not None:
            where += f" (column {position})"
        shown = text if len(text) <= 120 else text[:117] + "..."
        super().__init__(f"cannot parse {shown!r}{where}: {problem}")

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.text, self.problem, self.token, self.position))


class MissingParameter(SkdInputError, KeyError):
    """An operator with a free parameter was evaluated without a value for it (a ``KeyError`` too,
    for code written against the earlier bare ``KeyError``)."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class NotWellDefined(SkdInputError):
    """An operator produced a value outside the simplex (negative, NaN or infinite score)."""
