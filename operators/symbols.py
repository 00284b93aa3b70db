"""The symbols every operator formula is written in.

``x`` is one probability entry in (0, 1), ``T`` the temperature in (0, oo) and ``V`` the
vocabulary size (an integer >= 2), defined once in :mod:`skd.theory.symbols` (the theorems are
written in the same objects). Formulas parsed from text use exactly these objects, so
expressions built in Python and parsed from strings compare equal.

>>> from skd.operators.symbols import x, T, V
>>> (x ** (1 / T)).free_symbols == {x, T}
True
"""

from __future__ import annotations

import sympy as sp

from skd.theory.symbols import T, V, x

__all__ = ["x", "T", "V", "RESERVED", "param_symbol"]

RESERVED = {"x": x, "T": T, "V": V}


def param_symbol(name: str) -> sp.Symbol:
    """The SymPy symbol used for a named operator parameter (real-valued)."""
    return sp.Symbol(name, real=True)
