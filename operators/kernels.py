"""NumPy reference kernels for the built-in operators (log domain, batched over ``(..., V)``).

Placeholder implementations; see the kernels issue for the optimised versions.
"""

from __future__ import annotations

import numpy as np

from .arith import FloatArith

__all__ = ["KERNELS"]


def _softmax_log(s: np.ndarray) -> np.ndarray:
    m = s.max(axis=-1, keepdims=True)
    w = np.exp(s - m)
    return w / w.sum(axis=-1, keepdims=True)


def power(p: np.ndarray, T: float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return _softmax_log(np.log(p) / T)


def _rows(algorithm):
    def run(p: np.ndarray, T: float) -> np.ndarray:
        ar = FloatArith()
        flat = p.reshape(-1, p.shape[-1])
        out = np.array([[float(v) for v in algorithm([float(v) for v in row], float(T), ar)] for row in flat])
        return out.reshape(p.shape).astype(p.dtype)
    return run


def _lazy():
    from . import library as L
    return {
        "power": power,
        "power_T2": lambda p, T: power(p, T * T),
        "hybrid": lambda p, T: power(p, T) if T <= 1 else p / T + (1 - 1 / T) / p.shape[-1],
        "mixture": lambda p, T: p if T <= 1 else p / T + (1 - 1 / T) / p.shape[-1],
        "laplace": lambda p, T: p if T <= 1 else (p + (T - 1) ** 2 / p.shape[-1]) / (1 + (T - 1) ** 2),
        "topk": _rows(L.topk_algorithm),
        "sparsemax": _rows(L.sparsemax_algorithm),
        "entmax15": _rows(L.entmax15_algorithm),
    }


class _Kernels(dict):
    def __missing__(self, key):
        self.update(_lazy())
        return dict.__getitem__(self, key)


KERNELS = _Kernels()
