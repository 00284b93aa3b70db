"""What the two kernel variants share, below both: the NumPy kernels (:mod:`.kernels`) and the
Numba kernels (:mod:`.jit`) build the five separable built-ins from the same two primitives
(:func:`separable_kernels`) and validate rows against the same tolerance (:func:`check_tolerance`).

Neither variant imports the other for these: :mod:`.kernels` (which loads :mod:`.jit` on demand)
and :mod:`.jit` both import this module.

>>> sorted(separable_kernels(lambda p, t: p, lambda p, c: p, lambda p: p)) == sorted(SEPARABLE)
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from .validate import row_tolerance

__all__ = ["SEPARABLE", "check_tolerance", "separable_kernels"]

#: Built-ins with a separable score (Numba kernels exist for these).
SEPARABLE: tuple[str, ...] = ("power", "power_T2", "hybrid", "mixture", "laplace")

#: A kernel's output: an array, or (the checked kernels) an array or ``None``.
_Out = TypeVar("_Out", bound="np.ndarray | None")


def check_tolerance(dtype: Any, V: int) -> float:
    """Row-sum tolerance of the fused checks of :func:`.kernels.checked`: the documented tolerance of
    :func:`.validate.row_tolerance` minus a margin for the difference between two summation
    orders (a quarter of the tolerance, plus ``V·2^-52``). A row whose sum lies within the margin
    of the tolerance is left to :func:`.validate.check_distribution`, which decides it exactly as
    it always has; so the fused check never accepts a row that check rejects.

    The margin covers every sum used: float64 sums (NumPy's pairwise sum, ``einsum``'s unrolled
    one, :func:`.jit.sum_umax`'s 16 lanes) err by at most ``V·2^-53`` relatively, and NumPy's pairwise float32 sum of a float32
    row by about ``(16 + log2 V)·2^-24 < 3e-6`` (``V < 2^30``), far below ``tol/4 = 8.6e-5``.
    """
    tol = row_tolerance(dtype)
    return tol - (0.25 * tol + V * 2.0**-52)


def separable_kernels(power_tempered: Callable[[np.ndarray, float], _Out], shifted: Callable[[np.ndarray, float], _Out],
                      normalise: Callable[[np.ndarray], _Out]) -> dict[str, Callable[[np.ndarray, float], _Out]]:
    """The five separable built-ins from two primitives — ``power_tempered(p, T)`` (``p^{1/T}``
    normalised) and ``shifted(p, c)`` (``(p + c)/Σ(p + c)``) — plus ``normalise`` for the
    identity range ``T <= 1`` of mixture and laplace. NumPy and Numba share this table (the checked
    primitives, which may return ``None``, give the checked table)."""

    def power(p: np.ndarray, T: float) -> _Out:
        """``x**(1/T)`` normalised."""
        return power_tempered(p, float(T))

    def power_T2(p: np.ndarray, T: float) -> _Out:
        """``x**(1/T**2)`` normalised."""
        t = float(T)
        return power_tempered(p, t * t)

    def hybrid(p: np.ndarray, T: float) -> _Out:
        """Power for ``T <= 1``, mixture ``x/T + (1 − 1/T)/V`` for ``T > 1``."""
        t = float(T)
        if t <= 1.0:
            return power_tempered(p, t)
        return shifted(p, (t - 1.0) / p.shape[-1])

    def mixture(p: np.ndarray, T: float) -> _Out:
        """``x·min(1, 1/T) + (1 − min(1, 1/T))/V`` normalised; for ``T > 1`` ∝ ``x + (T − 1)/V``."""
        t = float(T)
        if t <= 1.0:
            return normalise(p)
        return shifted(p, (t - 1.0) / p.shape[-1])

    def laplace(p: np.ndarray, T: float) -> _Out:
        """``x + max(0, T − 1)²/V`` normalised."""
        t = float(T)
        if t <= 1.0:
            return normalise(p)
        d = t - 1.0
        return shifted(p, d * d / p.shape[-1])

    return {"power": power, "power_T2": power_T2, "hybrid": hybrid, "mixture": mixture, "laplace": laplace}
