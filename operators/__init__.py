"""skd.operators — the subjects: declarations, safe parsing, the built-in library, evaluators.

>>> import numpy as np
>>> from skd.operators import separable, apply
>>> op = separable("x**(1/T)", name="power")
>>> apply(op, np.array([0.7, 0.2, 0.1]), 0.5).round(6)
array([0.907407, 0.074074, 0.018519])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from . import library
from .declare import DEFAULT_SIZES, Operator, Param, compose, reparametrize, separable, vector
from .errors import ExpressionError, InvalidArgument, MissingParameter, NotWellDefined, SkdError, SkdInputError
from .evaluate import apply as _apply
from .evaluate import evaluate_mp, exact_algorithm
from .parse import parse_formula
from .symbols import T, V, x


def apply(op: Operator | str, p: Any, T: float, *, values: Mapping[str, Any] | None = None, dtype: Any = None) -> np.ndarray:
    """``F_T(p)`` for the distributions in the last axis of ``p``: the operator applied numerically.

    ``op`` is an :class:`Operator` or the name of a built-in operator (``"power"``, see
    ``skd list``). ``p`` holds finite entries ``>= 0`` summing to 1 per row, ``T`` is finite and
    ``> 0``; ``values`` fixes named parameters. Built-ins use their log-domain kernels, any other
    operator is evaluated as declared.

    >>> apply("power", [0.7, 0.2, 0.1], 2.0).round(6)
    array([0.522879, 0.279491, 0.19763 ])
    """
    if isinstance(op, str):
        op = library.get(op)
    elif not isinstance(op, Operator):
        raise InvalidArgument("op", op, "must be an Operator or the name of a built-in operator (see skd list)")
    return _apply(op, p, T, values=values, dtype=dtype)


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
    "SkdError",
    "SkdInputError",
    "InvalidArgument",
    "ExpressionError",
    "MissingParameter",
    "NotWellDefined",
    "x",
    "T",
    "V",
]
