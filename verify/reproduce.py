"""Pasteable Python for counterexamples: exact numbers and operators as code.

Every certified counterexample carries a one-line reproducer a person can paste into a fresh
interpreter (CrossHair-style); these helpers build it. Exact inputs are
:class:`fractions.Fraction` values, written ``Q(n,d)`` after ``from fractions import Fraction as Q``
(the snippet printed below is one line, wrapped here).

>>> from fractions import Fraction
>>> list_code([Fraction(1, 3), Fraction(2, 3)])
'[Q(1,3), Q(2,3)]'
>>> from skd.operators import library
>>> print(snippet(library.power, {}, "print(evaluate_mp(op, [Q(1,2), Q(1,2)], 2))"))
from fractions import Fraction as Q; from skd.operators.library import get; from skd.operators import evaluate_mp;
op = get('power'); print(evaluate_mp(op, [Q(1,2), Q(1,2)], 2))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

import sympy as sp

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = ["format_fraction", "fraction_code", "list_code", "is_builtin", "operator_code", "snippet"]


def format_fraction(q: Fraction) -> str:
    """``q`` as ``n`` or ``n/d`` (the text the safe parser reads back).

    >>> format_fraction(Fraction(-3, 4)), format_fraction(Fraction(2))
    ('-3/4', '2')
    """
    return f"{q.numerator}" if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def fraction_code(q: Fraction) -> str:
    """``q`` as Python source, ``Q(n)`` or ``Q(n,d)``.

    >>> fraction_code(Fraction(5, 7))
    'Q(5,7)'
    """
    return f"Q({q.numerator})" if q.denominator == 1 else f"Q({q.numerator},{q.denominator})"


def list_code(P: Sequence[Fraction]) -> str:
    """A list of exact numbers as Python source (see :func:`fraction_code`)."""
    return "[" + ", ".join(fraction_code(v) for v in P) + "]"


def is_builtin(op: Any) -> bool:
    """True if ``op`` is the built-in of its name, definition unchanged (same content hash).

    >>> from skd.operators import library, separable
    >>> is_builtin(library.power), is_builtin(separable("x**(2/T)", name="power"))
    (True, False)
    """
    from skd.operators import library

    try:
        ref = library.get(op.name)
    except Exception:  # noqa: BLE001
        return False
    return ref.hash == op.hash


def operator_code(op: Operator, vals: Mapping[str, Fraction]) -> tuple[str, str]:
    """(import statement, expression) that rebuild ``op`` in a fresh interpreter, its
    parameters fixed at ``vals``. A user-defined vector operator has no source form: the
    expression is ``op`` and the user binds it first.

    >>> from skd.operators import Param, separable
    >>> operator_code(separable("x**(a/T)", params=[Param("a", 0, 2)]), {"a": Fraction(1, 2)})
    ('from skd.operators import separable', "separable('x**(1/(2*T))')")
    """
    if is_builtin(op) and not op.params:
        return "from skd.operators.library import get", f"get({op.name!r})"
    written: tuple[Any, ...] = getattr(op, "obligations", ())
    if op.kind == "separable" and written and not op.params:
        # the formula as written: SymPy's simplified score lost side conditions it states
        return "from skd.operators import separable", f"separable({op.definition!r})"
    if op.kind == "separable":
        expr = cast("sp.Expr", op.score).subs({prm.symbol: sp.Rational(vals[prm.name].numerator, vals[prm.name].denominator)
                              for prm in op.params})
        return "from skd.operators import separable", f"separable({sp.sstr(expr)!r})"
    return "", "op"  # a user-defined vector operator: bind it to `op` first


def snippet(op: Operator, vals: Mapping[str, Fraction], body: str, *, extra_imports: str = "") -> str:
    """One pasteable line: the imports, ``op = <operator_code>``, then ``body``."""
    imp, expr = operator_code(op, vals)
    parts = ["from fractions import Fraction as Q"]
    if extra_imports:
        parts.append(extra_imports)
    if imp:
        parts.append(imp)
    parts.append("from skd.operators import evaluate_mp")
    parts.append(f"op = {expr}" if expr != "op" else "op = op")
    parts.append(body)
    return "; ".join(parts)
