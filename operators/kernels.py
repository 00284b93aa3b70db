"""NumPy kernels for the built-in operators: log domain, batched over ``(..., V)``.

``KERNELS[name](p, T)`` is what :func:`skd.operators.apply` runs; for large inputs of the
separable built-ins it is the variant found fastest **on this CPU** (:mod:`.choice`: a one-time
calibration cached on disk, ``SKD_KERNEL=numpy|numba`` overrides it). Every variant is also
exposed on its own so that tests can check each one:

* :data:`NUMPY_KERNELS` — pure NumPy, all eight built-ins, float32 and float64. The power-type
  kernels are *blocked*: rows in fixed blocks of about 2^16 entries, each block's chain of
  ufuncs (NumPy's SIMD ``log``/``exp``) written into the preallocated output while it is in the
  L2 cache, the blocks shared among threads (NumPy releases the GIL);
* :data:`NUMBA_KERNELS` — Numba kernels of the separable built-ins (:mod:`.jit`), compiled
  lazily on first use; importing :mod:`skd` or this module never imports Numba, and when Numba
  cannot be imported every entry falls back to the NumPy kernel (``jit.available()`` says which).

Both run on one thread when the other cores are busy (:func:`.choice.threads`); the bits never
depend on the number of threads. :func:`checked` (with :data:`NUMPY_CHECKED`,
:data:`NUMBA_CHECKED`) is the same computation with the input checks of :func:`apply` fused into
the kernel's passes.

Layering: :mod:`.choice` (threads, the calibrated choice) and :mod:`.primitives` (what both
variants share) sit below this module and :mod:`.jit`; this module loads :mod:`.jit` on demand
and hands :mod:`.choice` the candidates its calibration times (:func:`.choice.register`, on import).

Contract (design §3)
--------------------
Input ``p``: a float32 or float64 array of shape ``(..., V)``, ``V >= 2``, entries finite and
``>= 0`` (zeros allowed), rows summing to ~1 (validated by :func:`.validate.check_distribution`;
kernels do not validate). Output: same shape and dtype, rows on the simplex. The kernel computes
``F_T(p)_i = g(p_i) / Σ_j g(p_j)`` of the **given** entries (rows are not assumed to sum to 1
exactly), so it is compared with :func:`skd.operators.evaluate_mp` on the same, exact, inputs.

* Power-type maps (``power``, ``power_T2``, ``hybrid`` for ``T <= 1``, ``topk``) are evaluated as
  ``w_i = exp(y_i)``, ``y_i = log(p_i / p_max) / T_eff`` (the quotient first: it is exact to one
  rounding, whereas ``log(p_i) − log(p_max)`` loses ``u·|log p_max|`` absolutely), then
  ``w / Σ w``. Since ``y_i <= 0`` and ``w_max = 1``, nothing overflows and the normaliser lies in
  ``[1, V]`` for every ``T`` in ``[1e-4, 1e4]`` (in fact for every ``T > 0``). A zero entry gives
  ``log 0 = −inf``, ``w = 0``: zeros stay exactly zero, never NaN. A quotient ``p_i/p_max`` below
  the smallest normal number is formed from ``p_i·2^s`` (``s`` = 54 for float64, 24 for float32)
  so that it keeps full relative accuracy.
* ``T_eff`` is ``T`` for power/hybrid/topk and ``T²`` for ``power_T2``.
* ``mixture``, ``laplace`` and ``hybrid`` for ``T > 1`` compute ``g_i = p_i + c`` with
  ``c = (T − 1)/V`` (mixture and hybrid: ``x/T + (1 − 1/T)/V`` multiplied by ``T``) or
  ``c = (T − 1)²/V`` (laplace): sums of non-negative terms, so no cancellation; the normaliser
  is ``Σp + V·c`` rather than a sum of ``V`` nearly equal ``g_i`` (whose rounding errors would
  not average out).
* ``T == 1`` short-circuit, ``F_1(p) = p/Σp`` (the identity, up to the row sum): only for
  ``power``, ``power_T2``, ``hybrid``, ``mixture`` and ``laplace``, whose identity axiom is
  proved. Never for ``topk``, ``sparsemax``, ``entmax15`` (they are not the identity at ``T = 1``).
* ``topk`` (k = 2): the two largest entries by a stable double ``argmax`` (ties go to the lower
  index, as in :func:`~skd.operators.library.topk_algorithm`), a zero second entry is not kept.
* ``sparsemax`` and ``entmax15``: the sort-based thresholds of
  :func:`~skd.operators.library.sparsemax_algorithm` and
  :func:`~skd.operators.library.entmax15_algorithm`, vectorised over rows (sort, cumulative sums,
  support size by the same tests), on ``z = log(p/p_max)/T`` — both maps are invariant under
  shifts of ``z``, and in this frame the support scores lie in ``[−1, 0]`` (sparsemax) or
  ``[−2, 0]`` (entmax15), so the threshold arithmetic is well scaled for every ``T``. For those
  two, ``log(p_i/p_max)`` uses ``log1p((p_i − p_max)/p_max)`` when ``p_i >= p_max/2`` (the
  difference is exact by Sterbenz's lemma), which gives it a small *relative* error: at small
  ``T`` the support consists of near-ties, whose score differences must be accurate.
* Vector operators and the mixture-type maps are computed in float64 for float32 input and
  rounded once at the end. The float32 power kernels compute ``log``/``exp`` in float32 and
  accumulate the normaliser in float64.

Accuracy (checked against 50-digit mpmath in ``tests/test_kernels.py``)
-----------------------------------------------------------------------
With ``u`` the unit roundoff of the dtype (``finfo.eps/2``), ``L_i = log(p_i/p_max)`` and
``T_eff`` as above, every entry of every separable kernel and of ``topk`` satisfies::

    |computed_i − exact_i| <= 8u·(1 + (1 + |L_i|)/T_eff)·exact_i + tiny

and every row sums to 1 within ``4uV``. The relative term is the conditioning of the problem
(a relative perturbation ``u`` of ``p_i`` or of ``T`` moves the output by about
``u(1 + |L_i|)/T`` relatively), not a flat constant. ``tiny = finfo(dtype).tiny`` (the smallest
normal number) is an absolute allowance for entries whose exact value underflows: an entry
below the smallest normal cannot carry relative accuracy (its spacing is fixed at the subnormal
step), so such entries are only required to be within ``tiny`` — in practice they are the
correctly rounded subnormal or zero.

``sparsemax`` and ``entmax15`` outputs are *differences* (``z_i − τ``, ``(z_i/2 − τ)²``) and an
entry near the edge of the support is small while its inputs are not, so no per-entry relative
bound holds for them (the problem itself is ill-conditioned there). They satisfy the bound above
plus an absolute term ``8u·(1 + Σ_{j∈S}|z_j|)`` (``S`` the exact support, ``z_j = L_j/T``;
the sum is at most ``|S|`` for sparsemax and ``2|S|`` for entmax15), and at an exactly degenerate support edge (an entry with exact output
0 that a rounding puts on the other side) the differing entry is below that absolute term.

Measured worst case of ``error / bound`` (``python benchmarks/bench_kernels.py --accuracy``:
random rows with entries down to 1e-300, ties, zeros, one-hot rows and near-ties, ``V`` up to 64
and rows up to ``V = 65536``, ``T`` log-uniform in ``[1e-4, 1e4]`` plus the extremes; every entry
compared with 50-digit mpmath; 1.0 would be at the bound)::

    kernel      numpy f64  numpy f32  numba f64  numba f32
    power         0.55       0.34       0.42       0.23
    power_T2      0.53       0.34       0.41       0.20
    hybrid        0.45       0.21       0.41       0.22
    mixture       0.33       0.12       0.41       0.12
    laplace       0.32       0.12       0.32       0.12
    topk          0.20       0.12        —          —
    sparsemax     0.41       0.03        —          —
    entmax15      0.22       0.04        —          —

(1200 inputs: ``--trials 600`` with seeds 0 and 1.) The largest ratios come from large ``T`` (``|y_i|`` tiny), where the
bound is ``≈ 8u`` and the error is the rounding of ``exp``, of the sum of ``V`` nearly equal
terms and of the division: about ``4.5u``.

>>> import numpy as np
>>> NUMPY_KERNELS["power"](np.array([0.5, 0.25, 0.25, 0.0]), 0.5)
array([0.66666667, 0.16666667, 0.16666667, 0.        ])
>>> NUMPY_KERNELS["topk"](np.array([0.25, 0.25, 0.5]), 1.0)
array([0.33333333, 0.        , 0.66666667])
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal, TypeVar, overload

import numpy as np

from . import choice
from .primitives import SEPARABLE, check_tolerance, separable_kernels

__all__ = [
    "release_threads",
    "THREAD_PREFIX",
    "KERNELS",
    "NUMPY_KERNELS",
    "NUMBA_KERNELS",
    "NUMPY_CHECKED",
    "NUMBA_CHECKED",
    "SEPARABLE",
    "VECTOR",
    "IDENTITY_AT_ONE",
    "BEST",
    "AUTO_MIN_SIZE",
    "chosen",
    "checked",
    "check_tolerance",
    "variant",
    "BuiltinKernel",
]

Kernel = Callable[[np.ndarray, float], np.ndarray]
#: A kernel's output: an array, or (the checked kernels) an array or ``None``.
_Out = TypeVar("_Out", bound="np.ndarray | None")
#: Built-ins that are vector operators.
VECTOR: tuple[str, ...] = ("topk", "sparsemax", "entmax15")
#: Built-ins whose identity axiom ``F_1(p) = p`` is proved: the only ones allowed a ``T == 1``
#: short-circuit.
IDENTITY_AT_ONE: frozenset[str] = frozenset(SEPARABLE)

TOPK_K = 2
_LN2 = math.log(2.0)
# Rows are processed in blocks of about this many entries, so that the chain of ufuncs of one
# block stays in the L2 cache.
_BLOCK = 1 << 16
# Inputs with fewer entries run on one thread (handing blocks to a pool costs ~0.1 ms).
_PARALLEL_MIN_SIZE = 1 << 17
# Scaling of tiny entries before the quotient p_i / p_max, so that it is a normal number.
_SCALE_BITS = {np.dtype(np.float64): 54, np.dtype(np.float32): 24}


def _rows(p: np.ndarray) -> np.ndarray:
    """``p`` as a C-contiguous 2-d array ``(rows, V)`` (a view when possible)."""
    V = p.shape[-1]
    return np.ascontiguousarray(p).reshape(-1, V)


def _blocks(n: int, V: int) -> tuple[range, int]:
    """The row blocks of an ``(n, V)`` input: fixed by the shape alone (never by the number of
    threads), so that the bits of the output do not depend on how the blocks are shared out."""
    step = max(1, _BLOCK // max(V, 1))
    return range(0, n, step), step


def _fix_tiny_quotients(x: np.ndarray, m: np.ndarray, L: np.ndarray) -> None:
    """Recompute ``L = log(x/m)`` where the quotient is below the smallest normal number.

    The plain quotient rounds to a subnormal with a large relative error; ``x·2^s / m`` does
    not, and ``s·ln 2`` is subtracted again (``|L| > 87`` there, so that rounding is harmless).
    """
    dt = x.dtype
    thr = math.log(float(np.finfo(dt).tiny))
    mask = (L < thr) & (x > 0)
    if not mask.any():
        return
    rows, cols = np.nonzero(mask)
    s = _SCALE_BITS[dt]
    xs = x[rows, cols] * dt.type(2.0**s)
    L[rows, cols] = np.log(xs / m[rows, 0]) - dt.type(s * _LN2)


def _numba_max_pass(x: np.ndarray) -> bool:
    """Whether the blocks of ``x`` take their row maxima (and checks) in Numba: for large inputs
    (where loading the Numba kernels, once, is worth it; importing skd or a small call never
    imports Numba) whose rows the Numba passes can read (native byte order, aligned, C order)."""
    if x.size < _PARALLEL_MIN_SIZE or x.dtype not in (np.float32, np.float64) or not x.dtype.isnative:
        return False
    if not (x.flags.aligned and x.flags.c_contiguous):
        return False
    from . import jit

    return jit.available()


def _block_max(x: np.ndarray, tol: float, fast: bool) -> np.ndarray | None:
    """The row maxima of a block, shape ``(rows, 1)``; with ``tol >= 0`` after the row checks
    (finite entries ``>= 0``, row sum within ``tol`` of 1), ``None`` when a row fails them.

    ``fast`` (:func:`_numba_max_pass`): one Numba pass without the GIL
    (:func:`.jit.rows_max_checked`: the checks cost no pass of their own); else NumPy's max, and
    its pairwise sum for the checks (a ufunc, which releases the GIL: ``einsum`` did not, and
    serialised the threads), the few sums of a block compared in Python (four tiny array
    operations per block cost more than the sum). The maxima are exact either way, so the
    output's bits do not depend on which ran. (Only the entry checks differ: without ``fast`` a
    negative entry or NaN shows up as NaN in the caller's ``log(x/max)``.)
    """
    if fast:  # see _numba_max_pass
        from . import jit

        m = np.empty(x.shape[0], dtype=x.dtype)
        if tol >= 0.0:
            if not jit.rows_max_checked(x, tol, m):
                return None
        else:
            jit.rows_max(x, m)
        return m[:, None]
    if tol >= 0.0 and not all(abs(v - 1.0) <= tol for v in np.add.reduce(x, axis=1).tolist()):
        return None
    return x.max(axis=1, keepdims=True)


def _power_block(x: np.ndarray, o: np.ndarray, inv_t: float, tol: float, fast: bool = False) -> bool:
    """``o = normalise(exp(log(x/max)·inv_t))`` row-wise, in place, in the dtype of ``x``.

    With ``tol >= 0`` (the checked kernels) the rows are first checked (:func:`_block_max`: row
    sums within ``tol`` of 1; with ``fast``, also every entry finite and ``>= 0``, ``-0.0`` sent
    to the exact check) and then, in NumPy's own passes, no NaN in ``log(x/max)`` — a negative
    entry, ``±inf`` or NaN makes one (``x/m < 0``, ``inf/inf``, ``-inf/m``, NaN), while ``-0.0``
    gives ``-inf`` like ``+0.0``. Returns False (``o`` partly written) when a row fails; the
    arithmetic is the same in both modes.
    """
    dt = x.dtype
    m = _block_max(x, tol, fast)
    if m is None:
        return False
    np.divide(x, m, out=o)
    np.log(o, out=o)
    mn = o.min()
    if mn != mn:  # NaN: an invalid entry (unreachable for validated input)
        if tol >= 0.0:
            return False
    elif mn < math.log(float(np.finfo(dt).tiny)):
        _fix_tiny_quotients(x, m, o)
    np.multiply(o, dt.type(inv_t), out=o)
    np.exp(o, out=o)
    s = o.sum(axis=1, keepdims=True, dtype=np.float64)
    np.multiply(o, (1.0 / s).astype(dt), out=o)
    return True


class _Pool:
    """A small, lazily started thread pool for the row blocks of the NumPy kernels (NumPy's
    ufuncs release the GIL). One per process: a fork gets a new one."""

    def __init__(self) -> None:
        self._pid = -1
        self._ex: Any = None
        self._size = 0

    def get(self, workers: int) -> Any:
        import os

        if self._ex is None or self._pid != os.getpid() or self._size < workers:
            from concurrent.futures import ThreadPoolExecutor

            self._ex = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=THREAD_PREFIX)
            self._pid, self._size = os.getpid(), workers
        return self._ex

    def release(self) -> None:
        """Stop this process's pool and join its threads (idle between calls: every block a call
        submits is waited for before the call returns); the next call starts a new one."""
        import os

        ex, self._ex = self._ex, None
        if ex is not None and self._pid == os.getpid():
            ex.shutdown(wait=True)


#: the name prefix of the kernel pool's threads (see :func:`release_threads`)
THREAD_PREFIX = "skd-kernel"
_POOL = _Pool()


def release_threads() -> None:
    """Join the kernels' idle worker threads, so that a caller that must not fork a
    multi-threaded process (``skd.verify.budget``) is single-threaded again; they are started
    anew by the next kernel call that uses them.

    >>> import threading
    >>> release_threads()
    >>> any(t.name.startswith(THREAD_PREFIX) for t in threading.enumerate())
    False
    """
    _POOL.release()


def _over_blocks(work: Callable[[int, int], bool], n: int, V: int, threads: int | None) -> bool:
    """``work(r0, r1)`` over the fixed row blocks of ``(n, V)``; the blocks are shared out in
    contiguous runs among up to ``threads`` threads (``None``: as many as
    :func:`.choice.threads` allows, one when the other cores are busy). True if every call was."""
    starts, step = _blocks(n, V)
    nb = len(starts)
    k = 1
    if nb > 1 and n * V >= _PARALLEL_MIN_SIZE:
        if threads is None:
            threads = choice.threads()
        k = max(1, min(int(threads), nb))

    def run(b0: int, b1: int) -> bool:
        ok = True
        with np.errstate(divide="ignore", under="ignore", invalid="ignore"):
            for b in range(b0, b1):
                r = starts[b]
                ok = work(r, min(r + step, n)) and ok
        return ok

    if k == 1:
        return run(0, nb)
    cuts = [nb * i // k for i in range(k + 1)]
    ex = _POOL.get(k - 1)
    futures = [ex.submit(run, cuts[i], cuts[i + 1]) for i in range(1, k)]
    ok = run(cuts[0], cuts[1])
    for f in futures:
        ok = f.result() and ok
    return ok


@overload
def _normalise(p: np.ndarray, *, threads: int | None = None, check: Literal[False] = False) -> np.ndarray: ...
@overload
def _normalise(p: np.ndarray, *, threads: int | None = None, check: bool) -> np.ndarray | None: ...


def _normalise(p: np.ndarray, *, threads: int | None = None, check: bool = False) -> np.ndarray | None:
    """``p / Σp`` row-wise (the ``T == 1`` identity of the operators whose identity is proved)."""
    x = _rows(p)
    s = x.sum(axis=1, keepdims=True, dtype=np.float64)
    if check:
        tol = check_tolerance(x.dtype, x.shape[1])
        if not ((np.abs(s - 1.0) <= tol).all() and x.min() >= 0):
            return None
    out = x / s if x.dtype == np.float64 else (x.astype(np.float64) / s).astype(x.dtype)
    return out.reshape(p.shape)


@overload
def power_tempered(p: np.ndarray, t_eff: float, *, threads: int | None = None, check: Literal[False] = False) -> np.ndarray: ...
@overload
def power_tempered(p: np.ndarray, t_eff: float, *, threads: int | None = None, check: bool) -> np.ndarray | None: ...


def power_tempered(p: np.ndarray, t_eff: float, *, threads: int | None = None, check: bool = False) -> np.ndarray | None:
    """``p^{1/t_eff} / Σ p^{1/t_eff}`` in the log domain (the core of the power-type kernels).

    Rows are processed in fixed blocks of about ``_BLOCK`` entries (each block's chain of
    ufuncs stays in the L2 cache, written into the preallocated output), the blocks shared out
    among up to ``threads`` threads. ``check=True``: validate in the same blocks and return
    ``None`` when a row fails (:func:`checked`).
    """
    if t_eff == 1.0:
        return _normalise(p, threads=threads, check=check)
    x = _rows(p)
    n, V = x.shape
    out = np.empty_like(x)
    inv_t = 1.0 / t_eff
    tol = check_tolerance(x.dtype, V) if check else -1.0
    fast = _numba_max_pass(x)

    def work(r0: int, r1: int) -> bool:
        return _power_block(x[r0:r1], out[r0:r1], inv_t, tol, fast)

    if not _over_blocks(work, n, V, threads):
        return None
    return out.reshape(p.shape)


@overload
def _shifted(p: np.ndarray, c: float, *, threads: int | None = None, check: Literal[False] = False) -> np.ndarray: ...
@overload
def _shifted(p: np.ndarray, c: float, *, threads: int | None = None, check: bool) -> np.ndarray | None: ...


def _shifted(p: np.ndarray, c: float, *, threads: int | None = None, check: bool = False) -> np.ndarray | None:
    """``(p + c) / Σ(p + c)`` row-wise, computed in float64 (``c >= 0``).

    The normaliser is ``Σp + V·c``: a sum of ``V`` nearly equal terms ``p_i + c`` (``c``
    dominates for large ``T``) would accumulate systematic rounding errors in the pairwise sum,
    while ``Σp`` is at most ~1 and ``V·c`` is one rounding.
    """
    x = _rows(p)
    x64 = x.astype(np.float64, copy=False)
    sx = x64.sum(axis=1, keepdims=True)
    if check:
        tol = check_tolerance(x.dtype, x.shape[1])
        if not ((np.abs(sx - 1.0) <= tol).all() and x.min() >= 0):
            return None
    g = x64 + c
    s = sx + x.shape[1] * c
    out = g / s
    return out.astype(p.dtype, copy=False).reshape(p.shape)


# -- vector operators -------------------------------------------------------------------------


def _log_ratio_accurate(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``log(x/m)`` (float64) with a small relative error for every ``x`` in ``[0, m]``.

    ``log1p((x − m)/m)`` where ``x >= m/2`` (the difference is exact), ``log(x/m)`` elsewhere
    (``|log| > 0.69`` there, so the quotient's rounding is relatively small), the scaled
    quotient below the smallest normal number, ``−inf`` for zeros.
    """
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        near = x >= 0.5 * m
        L = np.log(x / m)
        L = np.where(near, np.log1p((x - m) / m), L)
        if L.min() < math.log(float(np.finfo(np.float64).tiny)):
            _fix_tiny_quotients(x, m, L)
    return L


def topk(p: np.ndarray, T: float) -> np.ndarray:
    """Keep the 2 largest entries (ties to the lower index), zero the rest, power-soften."""
    x = _rows(p).astype(np.float64, copy=False)
    n, V = x.shape
    r = np.arange(n)
    i1 = np.argmax(x, axis=1)  # first occurrence: ties go to the lower index
    m = x[r, i1]
    rest = x.copy()
    rest[r, i1] = -1.0
    i2 = np.argmax(rest, axis=1)
    v2 = x[r, i2]
    with np.errstate(divide="ignore", under="ignore"):
        L2 = np.log(v2 / m)
        L2 = np.where(v2 > 0, L2, -np.inf)
        tiny = (v2 > 0) & (L2 < math.log(float(np.finfo(np.float64).tiny)))
        if tiny.any():
            L2 = np.where(tiny, np.log(v2 * 2.0**54 / m) - 54 * _LN2, L2)
        w2 = np.exp(L2 / float(T))
    out = np.zeros((n, V), dtype=np.float64)
    out[r, i1] = 1.0 / (1.0 + w2)
    # i2 != i1 always (V >= 2); a zero second entry gives w2 = 0 and stays 0
    out[r, i2] = w2 / (1.0 + w2)
    return out.astype(p.dtype, copy=False).reshape(p.shape)


def _sorted_scores(p: np.ndarray, T: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``z = log(p/p_max)/T`` (float64 rows, ``−inf`` for zeros) and ``z`` sorted decreasingly."""
    x = _rows(p).astype(np.float64, copy=False)
    m = x.max(axis=1, keepdims=True)
    z = _log_ratio_accurate(x, m) / float(T)
    zs = -np.sort(-z, axis=1)
    return x, z, zs


def _renormalised(out: np.ndarray) -> np.ndarray:
    """Rows divided by their sum. The threshold outputs are differences whose rounding errors
    scale with ``Σ|z_j|``, so without this a row could miss the ``4uV`` sum contract (found by
    Hypothesis: V = 28, T ≈ 2.25, a row off by 1.35e-14); the division moves each entry by at most
    the row's sum error, relatively, which the documented absolute allowance covers."""
    return out / out.sum(axis=1, keepdims=True)


def sparsemax(p: np.ndarray, T: float) -> np.ndarray:
    """Sparsemax of ``log(p)/T`` (sort-based threshold, vectorised over rows)."""
    x, z, zs = _sorted_scores(p, T)
    n, V = x.shape
    valid = np.isfinite(zs)  # zeros of p are never in the support
    zf = np.where(valid, zs, 0.0)
    cum = np.cumsum(zf, axis=1)
    ks = np.arange(1, V + 1, dtype=np.float64)
    cond = valid & (1.0 + ks * zf > cum)
    # the largest k passing the test (the reference scans every k and keeps the last one)
    k = V - np.argmax(cond[:, ::-1], axis=1)
    r = np.arange(n)
    # the support by value keeps tie blocks whole (in exact arithmetic they always are)
    support = z >= zs[r, k - 1][:, None]
    k = support.sum(axis=1)
    tau = (cum[r, k - 1] - 1.0) / k
    with np.errstate(invalid="ignore"):
        out = np.where(support, z - tau[:, None], 0.0)
    return _renormalised(out).astype(p.dtype, copy=False).reshape(p.shape)


def entmax15(p: np.ndarray, T: float) -> np.ndarray:
    """1.5-entmax of ``log(p)/T`` (sort-based exact threshold, vectorised over rows)."""
    x, z, zs = _sorted_scores(p, T)
    n, V = x.shape
    u = 0.5 * z
    us = 0.5 * zs
    valid = np.isfinite(us)
    uf = np.where(valid, us, 0.0)
    ks = np.arange(1, V + 1, dtype=np.float64)
    s = np.cumsum(uf, axis=1)
    q = np.cumsum(uf * uf, axis=1)
    mean = s / ks
    delta = (1.0 - (q - s * mean)) / ks
    tau = mean - np.sqrt(np.maximum(delta, 0.0))
    cond = valid & (delta >= 0) & (us > tau)
    # the reference stops at the first k that fails; k = 1 always passes
    k = np.where(cond.all(axis=1), V, np.argmin(cond, axis=1))
    r = np.arange(n)
    support = u >= us[r, k - 1][:, None]
    k = support.sum(axis=1)
    t = tau[r, k - 1][:, None]
    with np.errstate(invalid="ignore"):
        d = u - t
        out = np.where(support, d * d, 0.0)
    return _renormalised(out).astype(p.dtype, copy=False).reshape(p.shape)


# -- registries -------------------------------------------------------------------------------

NUMPY_KERNELS: dict[str, Kernel] = {
    **separable_kernels(power_tempered, _shifted, _normalise),
    "topk": topk,
    "sparsemax": sparsemax,
    "entmax15": entmax15,
}

NUMPY_CHECKED: dict[str, Callable[[np.ndarray, float], np.ndarray | None]] = separable_kernels(
    lambda p, t: power_tempered(p, t, check=True),
    lambda p, c: _shifted(p, c, check=True),
    lambda p: _normalise(p, check=True),
)

#: Which variant ``KERNELS`` uses for each built-in, read at every call (so it can be changed at
#: run time, e.g. ``BEST["power"] = "numpy"``): ``"numpy"``, ``"numba"`` or ``"auto"``. ``"auto"``
#: (the default for the separable built-ins) runs inputs of at least :data:`AUTO_MIN_SIZE`
#: entries in more than one row on the variant that :mod:`.choice` picked for this CPU (a
#: one-time calibration cached on disk, or ``SKD_KERNEL``), and smaller inputs on NumPy (they
#: never import Numba, whose first call in a fresh environment compiles for seconds).
BEST: dict[str, str] = {name: ("auto" if name in SEPARABLE else "numpy") for name in NUMPY_KERNELS}
#: Smallest input (entries, more than one row) that ``"auto"`` gives to the calibrated choice.
AUTO_MIN_SIZE = 1 << 16
#: The primitive whose calibration decides each separable built-in (``hybrid`` is a power map
#: for ``T <= 1``).
FAMILY: dict[str, str] = {"power": "power", "power_T2": "power", "hybrid": "power", "mixture": "shifted", "laplace": "shifted"}


class _NumbaTable(Mapping[str, Callable[[np.ndarray, float], _Out]]):
    """Numba kernels of the separable built-ins, loaded (and compiled) on first access.

    If Numba cannot be imported, each entry is the NumPy kernel (``jit.available()`` is False).
    """

    def _table(self) -> dict[str, Callable[[np.ndarray, float], _Out]]:
        raise NotImplementedError

    _loaded: dict[str, Callable[[np.ndarray, float], _Out]] | None = None

    def __getitem__(self, name: str) -> Callable[[np.ndarray, float], _Out]:
        table = self._loaded
        if table is None:  # loaded once (whether Numba is usable does not change in a process)
            table = self._loaded = self._table()
        return table[name]

    def __iter__(self) -> Iterator[str]:
        return iter(SEPARABLE)

    def __len__(self) -> int:
        return len(SEPARABLE)

    def __contains__(self, name: object) -> bool:
        return name in SEPARABLE


class _NumbaKernels(_NumbaTable[np.ndarray]):
    """The Numba kernels of the separable built-ins (:func:`.jit.kernels`)."""

    def _table(self) -> dict[str, Kernel]:
        from . import jit

        if not jit.available():
            return {name: NUMPY_KERNELS[name] for name in SEPARABLE}
        return jit.kernels()


class _NumbaChecked(_NumbaTable["np.ndarray | None"]):
    """The checked Numba kernels (:func:`.jit.checked_kernels`): ``None`` when a row fails."""

    def _table(self) -> dict[str, Callable[[np.ndarray, float], np.ndarray | None]]:
        from . import jit

        if not jit.available():
            return {name: NUMPY_CHECKED[name] for name in SEPARABLE}
        return jit.checked_kernels()


NUMBA_KERNELS: Mapping[str, Kernel] = _NumbaKernels()
#: The checked Numba kernels (see :func:`checked`).
NUMBA_CHECKED: Mapping[str, Callable[[np.ndarray, float], np.ndarray | None]] = _NumbaChecked()


def chosen(name: str, p: np.ndarray) -> str:
    """The variant (``"numpy"`` or ``"numba"``) that ``KERNELS[name]`` runs for input ``p``.

    >>> chosen("power", np.full((4, 3), 1 / 3))
    'numpy'
    >>> chosen("power", np.full((64, 32768), 1 / 32768)) in ("numpy", "numba")  # per CPU
    True
    """
    which = BEST[name]
    if which == "auto":
        if p.ndim >= 2 and p.shape[0] > 1 and p.size >= AUTO_MIN_SIZE:
            return choice.choose(FAMILY[name], p.dtype)
        return "numpy"
    return which


def _dispatch(name: str) -> Kernel:
    numpy_kernel = NUMPY_KERNELS[name]

    def run(p: np.ndarray, T: float) -> np.ndarray:
        if chosen(name, p) == "numba":
            return NUMBA_KERNELS[name](p, T)
        return numpy_kernel(p, T)

    run.__name__ = run.__qualname__ = f"{name}_best"
    run.__doc__ = f"The {name} kernel of the variant named by ``BEST[{name!r}]``."
    return run


class _Best(dict[str, Kernel]):
    def __missing__(self, key: str) -> Kernel:
        if key not in NUMPY_KERNELS:
            raise KeyError(key)
        fn = _dispatch(key)
        self[key] = fn
        return fn


#: ``KERNELS[name](p, T)``: the fastest variant for each built-in.
KERNELS: dict[str, Kernel] = _Best()


def checked(name: str, p: np.ndarray, T: float) -> np.ndarray | None:
    """``KERNELS[name](p, T)`` with the checks of :func:`.validate.check_distribution` fused
    into the kernel's own passes, or ``None``.

    For the separable built-ins and ``p`` a float32/float64 array of shape ``(..., V)``,
    ``V >= 2`` (the caller checks that much, and ``T``): each row is checked in the kernel's
    blocks, while it is in the cache — entries finite and ``>= 0``, row sum within
    :func:`check_tolerance` of 1 — and the output, when every row passes, is bit for bit that of
    ``KERNELS[name](p, T)``. ``None`` when a row fails, when its sum is too close to the
    tolerance to be decided by a differently ordered sum, or for the vector built-ins: the
    caller then runs the full check (which raises the documented error, or passes, and then the
    kernel). So the checks are never weaker, and a valid input costs no separate pass.
    """
    if name not in SEPARABLE:
        return None
    if chosen(name, p) == "numba":
        return NUMBA_CHECKED[name](p, T)
    return NUMPY_CHECKED[name](p, T)


class BuiltinKernel:
    """The ``kernel`` of a built-in operator: ``KERNELS[name]``, with its checked form.

    :mod:`skd.operators.library` gives each built-in one; :func:`skd.operators.apply` recognises
    a built-in by it and first runs :meth:`checked` (the input checks fused into the kernel), so
    the evaluation never needs to look the library up.

    >>> k = BuiltinKernel("power")
    >>> k.__name__, k(np.array([0.5, 0.5]), 2.0).tolist()
    ('power_kernel', [0.5, 0.5])
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.__name__ = self.__qualname__ = f"{name}_kernel"

    def __call__(self, p: np.ndarray, T: float) -> np.ndarray:
        """``KERNELS[name](p, T)`` (``p`` validated by the caller)."""
        return KERNELS[self.name](p, T)

    def checked(self, p: np.ndarray, T: float) -> np.ndarray | None:
        """:func:`checked` of this built-in: the output, or ``None`` when the caller must validate."""
        return checked(self.name, p, T)

    def __repr__(self) -> str:
        return f"<kernel {self.name}>"


def variant(name: str, which: str) -> Any:
    """The kernel ``name`` of variant ``which`` (``"numpy"`` or ``"numba"``)."""
    if which == "numpy":
        return NUMPY_KERNELS[name]
    if which == "numba":
        return NUMBA_KERNELS[name]
    raise KeyError(which)


# -- the candidates of the calibration (:mod:`.choice` sits below this module) ------------------


def _numba_version() -> str | None:
    """Numba's version when the Numba kernels are usable, else None; ``+fma`` when the float64
    kernels use their fused forms (:data:`skd.operators.jit.FMA`): another kernel, another
    calibration."""
    from . import jit

    if not jit.available():
        return None
    import numba

    return f"{numba.__version__}{'+fma' if jit.FMA else ''}"


def _calibration_primitive(candidate: str, primitive: str) -> Callable[..., Any]:
    """The primitive (``"power"``: :func:`power_tempered`; ``"shifted"``: ``(p + c)/Σ(p + c)``) of
    ``candidate`` that the calibration times in its checked form."""
    table: dict[str, Callable[..., Any]]
    if candidate == "numba":
        from . import jit

        table = {"power": jit.power_tempered, "shifted": jit.shifted}
    else:
        table = {"power": power_tempered, "shifted": _shifted}
    return table[primitive]


choice.register(choice.Candidates(numba_version=_numba_version, primitive=_calibration_primitive))
