"""Validation of numeric inputs, done once, up front, with errors that name the argument.

Every rejection is an :class:`~skd.operators.errors.InvalidArgument` (a ``ValueError``) whose
``argument`` is ``"p"`` or ``"T"``, whose ``value`` is the offending value (the entry, the row
sum, the temperature, or a short description of a non-numeric input) and whose message says
where and why.

``p`` must be a real array of shape ``(..., V)`` with ``V >= 2`` and at least one row: float32 or
float64 arrays are used as they are; lists (also of ``Fraction``), integer and float16 arrays
become float64 (or ``dtype``). Bool, complex, string and other object input is rejected rather
than converted. Entries must be finite and
``>= 0``. Each row must sum to 1 within the **row tolerance** ``sqrt(eps)`` of the array's dtype
(``1.5e-8`` for float64, ``3.5e-4`` for float32), the sum computed in float64: generous enough
for rows that went through a softmax or a float32 cast, tight enough to catch a row that is not
a distribution. Rows are used as given, never renormalised.

``T`` must be a real scalar (int, float, ``Fraction``, ``Decimal``, NumPy scalar, 0-d array),
finite and ``> 0``; bools, strings, complex numbers and arrays with ``ndim > 0`` are rejected.

All checks are vectorised passes over the array (no Python loop over entries), so a bad input
of any size is answered in about the time of one pass.

>>> import numpy as np
>>> check_distribution([0.5, 0.5]).dtype
dtype('float64')
>>> check_temperature(0.0)
Traceback (most recent call last):
...
skd.operators.errors.InvalidArgument: T=0.0: must be finite and > 0
>>> check_distribution([0.5, float("nan")])
Traceback (most recent call last):
...
skd.operators.errors.InvalidArgument: p=nan: entry (1,) must be finite (no NaN or inf)
"""

from __future__ import annotations

import decimal
import math
import numbers
from typing import Any

import numpy as np

from .errors import InvalidArgument

__all__ = ["check_distribution", "check_temperature", "row_tolerance"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def row_tolerance(dtype: Any) -> float:
    """Allowed deviation of a row sum from 1 for arrays of ``dtype``: ``sqrt(eps)``.

    >>> row_tolerance(np.float32) > row_tolerance(np.float64)
    True
    """
    return float(np.sqrt(np.finfo(dtype).eps))


def _describe(p: Any) -> str:
    """A short description of a rejected input (never the repr of a huge list)."""
    if isinstance(p, (list, tuple)) and len(p) > 16:
        return f"<{type(p).__name__} of {len(p)} items>"
    shown = repr(p)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _as_array(p: Any, dtype: Any) -> np.ndarray:
    if isinstance(p, (str, bytes)):
        raise InvalidArgument("p", _describe(p), "is a string, not a numeric array")
    if isinstance(p, np.ndarray) and p.dtype in _FLOATS:
        return p if dtype is None else p.astype(dtype, copy=False)
    try:
        raw = p if isinstance(p, np.ndarray) else np.asarray(p)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidArgument("p", _describe(p), f"is not a numeric array ({exc})") from None
    kind = raw.dtype.kind
    if kind == "O" and all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in raw.flat):
        raw = raw.astype(np.float64)  # e.g. a list of Fractions
        kind = "f"
    if kind not in "fiu":
        what = {"b": "bool", "c": "complex", "O": "object", "U": "string", "S": "bytes"}.get(kind, str(raw.dtype))
        raise InvalidArgument("p", _describe(p), f"has {what} entries; give real numbers (float32 or float64)")
    target = dtype if dtype is not None else (raw.dtype if raw.dtype in _FLOATS else np.float64)
    if np.dtype(target) not in _FLOATS:
        raise InvalidArgument("p", f"array of dtype {raw.dtype}", f"dtype {np.dtype(target)} is not supported; use float32 or float64")
    return raw.astype(target, copy=False)


def check_distribution(p: Any, *, dtype: Any = None) -> np.ndarray:
    """Return ``p`` as a float array of shape ``(..., V)``, ``V >= 2``, or raise InvalidArgument.

    >>> check_distribution(np.array([[0.25, 0.75], [1.0, 0.0]], dtype=np.float32)).shape
    (2, 2)
    """
    arr = _as_array(p, dtype)
    if arr.ndim == 0:
        raise InvalidArgument("p", _describe(p), "is 0-dimensional; give distributions along the last axis")
    if arr.size == 0:
        raise InvalidArgument("p", f"array of shape {arr.shape}", "is empty")
    V = arr.shape[-1]
    if V < 2:
        raise InvalidArgument("p", f"array of shape {arr.shape}", f"needs V >= 2 classes in the last axis, got V={V}")
    finite = np.isfinite(arr)
    if not finite.all():
        idx = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise InvalidArgument("p", arr[idx].item(), f"entry {idx} must be finite (no NaN or inf)")
    negative = arr < 0
    if negative.any():
        idx = tuple(int(i) for i in np.argwhere(negative)[0])
        raise InvalidArgument("p", arr[idx].item(), f"entry {idx} must be >= 0")
    sums = arr.sum(axis=-1, dtype=np.float64)
    tol = row_tolerance(arr.dtype)
    bad = np.abs(sums - 1.0) > tol
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(np.atleast_1d(bad))[0]) if arr.ndim > 1 else ()
        total = float(sums[idx]) if idx else float(sums)
        where = f"row {idx}" if idx else "the row"
        raise InvalidArgument(
            "p", total, f"{where} sums to {total!r}; rows must sum to 1 within {tol:.2g} (sqrt(eps) of {arr.dtype})"
        )
    return arr


def check_temperature(T: Any) -> float:
    """Return ``T`` as a float, or raise InvalidArgument unless it is a finite real number > 0.

    >>> check_temperature(2)
    2.0
    """
    if isinstance(T, (bool, np.bool_)):
        raise InvalidArgument("T", T, "must be a number, not a bool")
    if isinstance(T, (str, bytes)):
        raise InvalidArgument("T", T, "must be a real number, not a string")
    if isinstance(T, np.ndarray):
        if T.size != 1 or T.ndim > 0:
            raise InvalidArgument("T", T, "must be a scalar, not an array")
        T = T.item()
    if not isinstance(T, (numbers.Real, decimal.Decimal)):
        raise InvalidArgument("T", T, "must be a real number")
    try:
        t = float(T)
    except OverflowError:
        t = -math.inf if T < 0 else math.inf  # T is not 0 here (float(0) cannot overflow)
    except (TypeError, ValueError):
        raise InvalidArgument("T", T, "must be a real number") from None
    if not math.isfinite(t) or t <= 0:
        raise InvalidArgument("T", T, "must be finite and > 0")
    return t
