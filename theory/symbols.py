"""The three symbols every formula of skd is written in, defined once.

``x`` is one probability entry in (0, 1), ``T`` the temperature in (0, oo) and ``V`` the
vocabulary size (an integer >= 2). :mod:`skd.theory.theorems` writes its constants in them and
:mod:`skd.operators.symbols` re-exports them for operator formulas (the layer below may not
import the one above, so the definition lives here, in the lowest layer).

>>> from skd.theory.symbols import x, T, V
>>> from skd.operators.symbols import x as x2
>>> x is x2
True
"""

from __future__ import annotations

import sympy as sp

__all__ = ["x", "T", "V"]

x = sp.Symbol("x", positive=True)
T = sp.Symbol("T", positive=True)
V = sp.Symbol("V", positive=True, integer=True)
