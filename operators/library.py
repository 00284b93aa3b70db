"""The built-in operator library.

Several of these do **not** qualify as softening operators; that is the point of having them:
the verifier must say which axiom each one breaks (see ``verify/data/expected_matrix.json``).

======================  ==========  ==================================================================
name                    kind        definition
======================  ==========  ==================================================================
``power``               separable   ``x**(1/T)`` — temperature scaling, ``p^{1/T}/Σp^{1/T}``
``power_T2``            separable   ``x**(1/T**2)`` — power reparametrised by ``T ↦ T²``
``hybrid``              separable   power for ``T ≤ 1``, mixture ``x/T + (1 − 1/T)/V`` for ``T ≥ 1``
``mixture``             separable   ``x·min(1, 1/T) + (1 − min(1, 1/T))/V`` — label smoothing type
``laplace``             separable   ``x + max(0, T − 1)²/V`` — additive smoothing
``topk``                vector      keep the 2 largest entries (ties: lower index), power-soften them
``sparsemax``           vector      sparsemax of ``log(p)/T``
``entmax15``            vector      1.5-entmax (Tsallis) of ``log(p)/T``
======================  ==========  ==================================================================

>>> from skd.operators import library
>>> library.power
Operator('power', separable: x**(1/T))
>>> [op.name for op in library.ALL]
['power', 'power_T2', 'hybrid', 'mixture', 'laplace', 'topk', 'sparsemax', 'entmax15']
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from .arith import Arith
from .declare import Operator, separable, vector
from .errors import InvalidArgument
from .kernels import BuiltinKernel

__all__ = [
    "power",
    "power_T2",
    "hybrid",
    "mixture",
    "laplace",
    "topk",
    "sparsemax",
    "entmax15",
    "ALL",
    "get",
    "topk_algorithm",
    "sparsemax_algorithm",
    "entmax15_algorithm",
]

TOPK_K = 2
VECTOR_SIZES = (2, 3, 4, 5)


def _kernel(name: str) -> BuiltinKernel:
    """The kernel of the built-in ``name``: ``KERNELS[name]``, whose checked form
    :func:`skd.operators.apply` runs first (:class:`~skd.operators.kernels.BuiltinKernel`)."""
    return BuiltinKernel(name)


# -- explicit limits (each proved in docs/theory/limits.md) ----------------------------------


def _uniform_on(mask: np.ndarray) -> np.ndarray:
    mask = mask.astype(np.float64)
    return mask / mask.sum(axis=-1, keepdims=True)


def uniform_on_argmax(p: Any) -> np.ndarray:
    """Limit ``T → 0⁺`` of power-type operators: uniform on the argmax set of each row."""
    a = np.asarray(p, dtype=np.float64)
    return _uniform_on(a == a.max(axis=-1, keepdims=True))


def uniform_on_support(p: Any) -> np.ndarray:
    """Limit ``T → ∞`` of power-type operators: uniform on the support of each row."""
    return _uniform_on(np.asarray(p, dtype=np.float64) > 0)


def uniform_on_all(p: Any) -> np.ndarray:
    """Limit ``T → ∞`` of mixture-type operators: uniform on all ``V`` classes."""
    a = np.asarray(p, dtype=np.float64)
    return np.full_like(a, 1.0 / a.shape[-1])


def identity_limit(p: Any) -> np.ndarray:
    """Limit ``T → 0⁺`` of mixture-type operators, which equal the identity for ``T ≤ 1``."""
    return np.array(p, dtype=np.float64, copy=True)


def _topk_mask(a: np.ndarray, k: int = TOPK_K) -> np.ndarray:
    # stable sort on -p: ties broken by the lower index, as in topk_algorithm
    order = np.argsort(-a, axis=-1, kind="stable")[..., :k]
    mask = np.zeros(a.shape, dtype=bool)
    np.put_along_axis(mask, order, True, axis=-1)
    return mask & (a > 0)


def topk_cold_limit(p: Any) -> np.ndarray:
    """Limit ``T → 0⁺`` of ``topk``: uniform on the argmax set within the kept set."""
    a = np.asarray(p, dtype=np.float64)
    kept = np.where(_topk_mask(a), a, -np.inf)
    return _uniform_on(kept == kept.max(axis=-1, keepdims=True))


def topk_hot_limit(p: Any) -> np.ndarray:
    """Limit ``T → ∞`` of ``topk``: uniform on the kept set (its positive entries)."""
    return _uniform_on(_topk_mask(np.asarray(p, dtype=np.float64)))


# -- vector algorithms, written once for every arithmetic ------------------------------------


def _order(p: Sequence[Any]) -> list[int]:
    """Indices sorted by decreasing ``p`` (exact comparison of inputs), ties by lower index."""
    return sorted(range(len(p)), key=lambda i: (-p[i], i))


def _inv_T(T: Any, ar: Arith) -> Any:
    if isinstance(T, (Fraction, int)):
        return ar.num(Fraction(1) / Fraction(T))
    if isinstance(T, float):
        return ar.num(1.0 / T) if ar.name == "float" else ar.num(1) / ar.num(T)
    return ar.num(1) / T


def topk_algorithm(p: Sequence[Any], T: Any, ar: Arith, k: int = TOPK_K) -> list[Any]:
    """Keep the ``k`` largest entries (ties to the lower index), zero the rest, power-soften."""
    keep = [i for i in _order(p)[:k] if p[i] > 0]
    beta = _inv_T(T, ar)
    scores = {i: ar.pow(ar.num(p[i]), beta) for i in keep}
    total = None
    for i in keep:
        total = scores[i] if total is None else total + scores[i]
    zero = ar.num(0)
    return [scores[i] / total if i in scores else zero for i in range(len(p))]


def _log_scores(p: Sequence[Any], T: Any, ar: Arith) -> tuple[list[int], dict[int, Any]]:
    order = [i for i in _order(p) if p[i] > 0]
    beta = _inv_T(T, ar)
    return order, {i: ar.log(ar.num(p[i])) * beta for i in order}


def sparsemax_algorithm(p: Sequence[Any], T: Any, ar: Arith) -> list[Any]:
    """Sparsemax of ``z = log(p)/T`` (Martins & Astudillo 2016), by the sort-based threshold.

    Support size ``k = max{k : 1 + k z_(k) > Σ_{j≤k} z_(j)}``, threshold ``τ = (Σ_{j≤k} z_(j) − 1)/k``,
    output ``max(z_i − τ, 0)``: entries outside the support are exactly 0.
    """
    order, z = _log_scores(p, T, ar)
    one = ar.num(1)
    cum = None
    k_best, cum_best = 1, z[order[0]]
    for k, i in enumerate(order, start=1):
        cum = z[i] if cum is None else cum + z[i]
        if ar.gt(one + ar.num(k) * z[i], cum):
            k_best, cum_best = k, cum
    tau = (cum_best - one) / ar.num(k_best)
    support = set(order[:k_best])
    zero = ar.num(0)
    return [z[i] - tau if i in support else zero for i in range(len(p))]


def entmax15_algorithm(p: Sequence[Any], T: Any, ar: Arith) -> list[Any]:
    """1.5-entmax of ``z = log(p)/T`` (Peters, Niculae & Martins 2019), exact sort-based form.

    With ``u = z/2`` sorted decreasingly, support size ``k`` has threshold
    ``τ_k = mean_k − sqrt(δ_k)``, ``δ_k = (1 − Σ_{j≤k}(u_j − mean_k)²)/k``; the support is the
    largest ``k`` with ``δ_k ≥ 0`` and ``u_(k) > τ_k``; output ``(u_i − τ)²`` on the support.
    """
    order, z = _log_scores(p, T, ar)
    half = ar.num(Fraction(1, 2))
    u = {i: z[i] * half for i in order}
    one, zero = ar.num(1), ar.num(0)
    k_best, tau_best = 1, u[order[0]] - one
    s = None
    q = None
    for k, i in enumerate(order, start=1):
        s = u[i] if s is None else s + u[i]
        q = u[i] * u[i] if q is None else q + u[i] * u[i]
        kk = ar.num(k)
        mean = s / kk
        delta = (one - (q - kk * mean * mean)) / kk
        if not ar.ge(delta, zero):
            break
        tau = mean - ar.sqrt(delta)
        if ar.gt(u[i], tau):
            k_best, tau_best = k, tau
        else:
            break
    support = set(order[:k_best])
    out = []
    for i in range(len(p)):
        if i in support:
            d = u[i] - tau_best
            out.append(d * d)
        else:
            out.append(zero)
    return out


# -- the library ------------------------------------------------------------------------------

power = separable(
    "x**(1/T)",
    name="power",
    doc="Temperature scaling in the probability domain: F_T(p) = p^{1/T} / Σ_j p_j^{1/T}, equal to "
    "softmax(z/T) when p = softmax(z). Domain: T > 0, every V >= 2.",
    reference="Hinton, Vinyals & Dean (2015); theory-notes §3.1",
    kernel=_kernel("power"),
    cold_limit=uniform_on_argmax,
    hot_limit=uniform_on_support,
)

power_T2 = separable(
    "x**(1/T**2)",
    name="power_T2",
    doc="The power operator reparametrised by T -> T^2 (an increasing bijection of (0, oo) fixing 1): "
    "same orbit as power, so reparametrisation-equivalent to it.",
    reference="theory-notes §3.4",
    kernel=_kernel("power_T2"),
    cold_limit=uniform_on_argmax,
    hot_limit=uniform_on_support,
)

hybrid = separable(
    "Piecewise((x**(1/T), T <= 1), (x/T + (1 - 1/T)/V, True))",
    name="hybrid",
    doc="Power for T <= 1 (sharpening), mixture with uniform weight 1 - 1/T for T >= 1 (softening); "
    "both pieces equal p at T = 1.",
    reference="theory-notes §3.3",
    kernel=_kernel("hybrid"),
    cold_limit=uniform_on_argmax,
    hot_limit=uniform_on_all,
)

mixture = separable(
    "x*Min(1, 1/T) + (1 - Min(1, 1/T))/V",
    name="mixture",
    doc="Mixture with the uniform distribution, weight lambda = min(1, 1/T) on p (label-smoothing type). "
    "It is the identity for T <= 1, so it can never sharpen.",
    reference="theory-notes §3.2",
    kernel=_kernel("mixture"),
    cold_limit=identity_limit,
    hot_limit=uniform_on_all,
)

laplace = separable(
    "x + Max(0, T - 1)**2/V",
    name="laplace",
    doc="Additive (Laplace) smoothing with pseudo-count c = max(0, T-1)^2 / V per class: "
    "(p_i + c)/(1 + Vc). A reparametrisation of mixture (lambda = 1/(1 + max(0,T-1)^2)).",
    reference="theory-notes §3.2",
    kernel=_kernel("laplace"),
    cold_limit=identity_limit,
    hot_limit=uniform_on_all,
)

topk = vector(
    topk_algorithm,
    name="topk",
    definition="keep the 2 largest entries of p (ties to the lower index), zero the rest, then x**(1/T) and renormalise",
    sizes=VECTOR_SIZES,
    doc="Top-k truncation (k = 2) followed by power softening: what a teacher API returning only its "
    "top-k probabilities gives after temperature scaling.",
    reference="theory-notes §5.6",
    latex=r"\frac{\mathbf 1[i \in K_2(p)]\, p_i^{1/T}}{\sum_{j \in K_2(p)} p_j^{1/T}}",
    kernel=_kernel("topk"),
    order_based=True,
    cold_limit=topk_cold_limit,
    hot_limit=topk_hot_limit,
)

sparsemax = vector(
    sparsemax_algorithm,
    name="sparsemax",
    definition="sparsemax(log(p)/T)",
    sizes=VECTOR_SIZES,
    doc="Sparsemax (Euclidean projection onto the simplex) of the tempered log-probabilities. "
    "Sends small entries to exactly 0.",
    reference="Martins & Astudillo (2016)",
    latex=r"\mathrm{sparsemax}(\log p / T)",
    kernel=_kernel("sparsemax"),
    order_based=True,
)

entmax15 = vector(
    entmax15_algorithm,
    name="entmax15",
    definition="entmax_1.5(log(p)/T)",
    sizes=VECTOR_SIZES,
    doc="1.5-entmax (Tsallis entropy regulariser) of the tempered log-probabilities.",
    reference="Peters, Niculae & Martins (2019)",
    latex=r"1.5\text{-}\mathrm{entmax}(\log p / T)",
    kernel=_kernel("entmax15"),
    order_based=True,
)

ALL: tuple[Operator, ...] = (power, power_T2, hybrid, mixture, laplace, topk, sparsemax, entmax15)
_BY_NAME = {op.name: op for op in ALL}


def get(name: str) -> Operator:
    """The built-in operator called ``name``.

    >>> get("hybrid").kind
    'separable'
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise InvalidArgument("name", name, f"no built-in operator of that name; choose from {sorted(_BY_NAME)}") from None
