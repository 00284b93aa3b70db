"""skd.operators — the subjects: declarations, safe parsing, the built-in library, evaluators.

>>> import numpy as np
>>> from skd.operators import separable, apply
>>> op = separable("x**(1/T)", name="power")
>>> apply(op, np.array([0.7, 0.2, 0.1]), 0.5).round(6)
array([0.907407, 0.074074, 0.018519])
"""

from __future__ import annotations

from . import library
from .declare import DEFAULT_SIZES, Operator, Param, compose, reparametrize, separable, vector
from .errors import ExpressionError, InvalidArgument, NotWellDefined, SkdInputError
from .evaluate import apply, evaluate_mp, exact_algorithm
from .parse import parse_formula
from .symbols import T, V, x

__all__ = [
    "Operator",
    "Param",
    "separable",
    "vector",
    "reparametrize",
    "compose",
    "apply",
    "evaluate_mp",
    "exact_algorithm",
    "parse_formula",
    "library",
    "DEFAULT_SIZES",
    "SkdInputError",
    "InvalidArgument",
    "ExpressionError",
    "NotWellDefined",
    "x",
    "T",
    "V",
]
