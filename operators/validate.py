"""Validation of numeric inputs, done once, up front, with errors that name the argument.

Tolerance for rows: ``|Σ_i p_i − 1| ≤ sqrt(eps)`` of the array's dtype (1.5e-8 for float64,
3.5e-4 for float32), the sum computed in float64. Rows are used as given, never renormalised.

>>> import numpy as np
>>> check_distribution([0.5, 0.5]).dtype
dtype('float64')
>>> check_temperature(0.0)
Traceback (most recent call last):
...
skd.operators.errors.InvalidArgument: T=0.0: must be finite and > 0
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import InvalidArgument

__all__ = ["check_distribution", "check_temperature", "row_tolerance"]


def row_tolerance(dtype: Any) -> float:
    """Allowed deviation of a row sum from 1 for arrays of ``dtype``."""
    return float(np.sqrt(np.finfo(dtype).eps))


def check_distribution(p: Any, *, dtype: Any = None) -> np.ndarray:
    """Return ``p`` as a float array of shape ``(..., V)``, ``V >= 2``, or raise InvalidArgument."""
    if isinstance(p, np.ndarray) and p.dtype.kind == "f":
        arr = p if dtype is None else p.astype(dtype, copy=False)
    else:
        try:
            arr = np.asarray(p, dtype=dtype if dtype is not None else np.float64)
        except (TypeError, ValueError) as exc:
            raise InvalidArgument("p", p, f"is not a numeric array ({exc})") from None
    if arr.dtype not in (np.float32, np.float64):
        raise InvalidArgument("p", f"array of dtype {arr.dtype}", "dtype must be float32 or float64")
    if arr.ndim == 0:
        raise InvalidArgument("p", p, "is 0-dimensional; give distributions along the last axis")
    if arr.size == 0:
        raise InvalidArgument("p", f"array of shape {arr.shape}", "is empty")
    V = arr.shape[-1]
    if V < 2:
        raise InvalidArgument("p", f"array of shape {arr.shape}", f"needs V >= 2 classes in the last axis, got V={V}")
    if not np.isfinite(arr).all():
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise InvalidArgument("p", f"entry {idx} = {arr[idx]!r}", "entries must be finite (no NaN or inf)")
    if (arr < 0).any():
        idx = tuple(int(i) for i in np.argwhere(arr < 0)[0])
        raise InvalidArgument("p", f"entry {idx} = {arr[idx]!r}", "entries must be >= 0")
    sums = arr.sum(axis=-1, dtype=np.float64)
    tol = row_tolerance(arr.dtype)
    bad = np.abs(sums - 1.0) > tol
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(np.atleast_1d(bad))[0]) if arr.ndim > 1 else ()
        raise InvalidArgument("p", f"row {idx} summing to {float(np.atleast_1d(sums)[0] if not idx else sums[idx])!r}",
                              f"rows must sum to 1 within {tol:.2g}")
    return arr


def check_temperature(T: Any) -> float:
    """Return ``T`` as a float, or raise InvalidArgument unless it is finite and > 0."""
    if isinstance(T, bool):
        raise InvalidArgument("T", T, "must be a number, not a bool")
    try:
        t = float(T)
    except (TypeError, ValueError):
        raise InvalidArgument("T", T, "must be a real number") from None
    if not math.isfinite(t) or t <= 0:
        raise InvalidArgument("T", T, "must be finite and > 0")
    return t
