"""Numba kernels for the separable built-ins (power, power_T2, hybrid, mixture, laplace).

Imported only on demand (by :data:`skd.operators.kernels.NUMBA_KERNELS`, or by
``KERNELS`` for the built-ins whose fastest variant is the Numba one): importing :mod:`skd`
never imports Numba. If ``import numba`` fails, :func:`available` is False, :func:`kernels`
raises that ImportError and :data:`~skd.operators.kernels.NUMBA_KERNELS` falls back to the
NumPy kernels. This module imports :mod:`.choice` (the thread count), :mod:`.jit_math` (the
elementary functions) and :mod:`.primitives` (what both variants share), never :mod:`.kernels`,
which imports it.

Design:

* per row after the row maximum: a loop writing ``log(p_i/p_max)/T`` to the output and a loop
  replacing it by its ``exp`` over the in-cache row (two short vector loops run ~20 % faster than
  one fused loop, with the same operations and bits), then an accurate sum (blocks of 256
  summed in 16 float64 vector lanes by an LLVM intrinsic, the block sums added with Neumaier
  compensation; float32 entries are widened, so the normaliser is accumulated in float64), then
  the scaling; rows in parallel (``prange``);
* ``log`` and ``exp`` are those of :mod:`.jit_math`: fdlibm/musl (error below 1 ulp) written
  out in Numba with bit casts, so that LLVM vectorises the loop — calls to libm would not
  vectorise — in fused, division-free forms on CPUs with FMA (``exp`` about 1 ulp, well inside
  the kernels' bound). The float32 kernels use the float32 versions (musl ``logf``/``expf``);
* ``cache=True``, ``error_model="numpy"`` (no ZeroDivisionError checks in the loops), and **no
  fastmath flags at all**: inf/NaN semantics are IEEE, and the results do not depend on how
  LLVM vectorises (no reassociation).
* the row maximum is an integer maximum of the IEEE bit patterns (monotone for non-negative
  floats), which vectorises without any fastmath flag and is exact.

* every driver has a serial twin; the wrappers take ``threads`` (default: what
  :func:`skd.operators.choice.threads` allows, one when the other cores are busy) and run the
  same row code either way, so the bits do not depend on the thread count;
* the *checked* drivers (``*_checked``, used by :func:`skd.operators.apply` through
  :func:`skd.operators.kernels.checked`) replace the row-maximum pass by :func:`sum_umax`, which
  reads the row once for its sum and the unsigned maximum of its bit patterns: the entry checks
  (finite, ``>= 0``) and the row-sum check cost no extra pass over memory.

The error bounds are those stated in :mod:`skd.operators.kernels`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from . import choice
from .primitives import check_tolerance, separable_kernels

__all__ = ["available", "kernels", "import_error", "PARALLEL_MIN_SIZE"]

#: Inputs with at least this many entries (and more than one row) are processed with rows in
#: parallel; smaller ones serially, where starting the worker threads would cost more.
PARALLEL_MIN_SIZE = 1 << 16

try:  # Numba is a dependency, but a broken install must not break skd: fall back to NumPy
    import numba
    from llvmlite import ir
    from numba import prange
    from numba.core import cgutils, types
except ImportError as _exc:  # pragma: no cover - exercised only without numba
    _IMPORT_ERROR: BaseException | None = _exc
else:
    _IMPORT_ERROR = None

#: The annotations of the kernels below are for the reader and mypy: Numba ignores them and types
#: each call from its arguments (a float32 row gets float32 scalars).
F64Array = npt.NDArray[np.float64]
F32Array = npt.NDArray[np.float32]
FloatArray = npt.NDArray[np.floating[Any]]
BoolArray = npt.NDArray[np.bool_]
#: What an ``@intrinsic`` returns at typing time: the signature and its code generator, or
#: ``None`` for argument types it does not accept.
Typing = tuple[Any, Callable[..., Any]] | None

if _IMPORT_ERROR is None:

    from .jit_math import (  # the elementary functions of the kernels
        TWO_24,
        TWO_54,
        as_float,
        as_int,
        exp32_nonpos,
        exp64_nonpos,
        f32,
        jit,
        kernel_intrinsic,
        log_ratio32,
        log_ratio64,
    )

    par = numba.njit(cache=True, error_model="numpy", parallel=True)

    # -- sums and maxima ---------------------------------------------------------------------

    #: Lanes of the vector sum: 16 float64 partial sums (two AVX-512 or four AVX2 registers).
    LANES = 16
    #: Entries per block of :func:`accurate_sum` (each lane adds at most 16 terms per block).
    SUM_BLOCK = 256

    @kernel_intrinsic
    def lane_sum(typingctx: Any, a: Any, lo: Any, hi: Any) -> Typing:
        """Σ a[lo:hi] in float64, as 16 lane sums added in a fixed tree.

        Lane ``j`` adds ``a[lo + j], a[lo + 16 + j], a[lo + 32 + j], ...`` (every index below
        ``hi``) in that order; the lanes are then added pairwise (``j`` with ``j + 8``, then
        ``j + 4``, ...). With fewer than 16 entries every lane holds at most one, so a short row
        is summed by a pure tree. The order of every addition is fixed in the IR (LLVM vector
        ``fadd`` without fast-math flags), so the result does not depend on the machine's vector
        width — but the loop runs in vector registers, which Numba's scalar code does not get
        (Numba disables LLVM's SLP vectoriser, so scalar accumulators stay scalar). float32
        entries are widened exactly to float64.
        """
        if not (isinstance(a, types.Array) and a.ndim == 1 and a.layout in ("C", "F") and a.aligned
                and a.dtype in (types.float32, types.float64)):
            return None  # a strided view would be read wrongly: refuse it at typing time
        sig = types.float64(a, types.intp, types.intp)

        def codegen(context: Any, builder: ir.IRBuilder, sig: Any, args: Sequence[Any]) -> Any:
            aty = sig.args[0]
            arr = context.make_array(aty)(context, builder, args[0])
            lo, hi = args[1], args[2]
            intp = lo.type
            elt = context.get_value_type(aty.dtype)
            align = context.get_abi_sizeof(elt)
            wide = aty.dtype == types.float32
            vt = ir.VectorType(elt, LANES)
            dvt = ir.VectorType(ir.DoubleType(), LANES)
            zero = ir.Constant(dvt, [0.0] * LANES)
            accp = cgutils.alloca_once_value(builder, zero)
            nvec = builder.ashr(builder.sub(hi, lo), ir.Constant(intp, 4))  # hi >= lo
            with cgutils.for_range(builder, nvec) as loop:
                idx = builder.add(lo, builder.shl(loop.index, ir.Constant(intp, 4)))
                v = builder.load(builder.bitcast(builder.gep(arr.data, [idx]), vt.as_pointer()), align=align)
                builder.store(builder.fadd(builder.load(accp), builder.fpext(v, dvt) if wide else v), accp)
            # the 0-15 remaining entries: lane j gets a[base + j], the next term of its sequence
            base = builder.add(lo, builder.shl(nvec, ir.Constant(intp, 4)))
            rem = builder.sub(hi, base)
            tailp = cgutils.alloca_once_value(builder, zero)
            for j in range(LANES - 1):
                with builder.if_then(builder.icmp_signed(">", rem, ir.Constant(intp, j))):
                    x = builder.load(builder.gep(arr.data, [builder.add(base, ir.Constant(intp, j))]), align=align)
                    x = builder.fpext(x, ir.DoubleType()) if wide else x
                    builder.store(builder.insert_element(builder.load(tailp), x, ir.Constant(ir.IntType(32), j)), tailp)
            acc = builder.fadd(builder.load(accp), builder.load(tailp))  # + 0.0 where a lane has no tail
            lanes = [builder.extract_element(acc, ir.Constant(ir.IntType(32), j)) for j in range(LANES)]
            while len(lanes) > 1:
                h = len(lanes) // 2
                lanes = [builder.fadd(lanes[j], lanes[j + h]) for j in range(h)]
            return lanes[0]

        return sig, codegen

    @jit
    def accurate_sum(a: FloatArray) -> float:
        """Σ a[i] (entries >= 0) in float64: blocks of 256 summed by :func:`lane_sum`, the block
        sums added with Neumaier compensation.

        No fastmath: the order of every addition is fixed. The relative error is a few u (each
        block: 16 sequential chains of at most 16 terms and a 4-level tree).
        """
        n = a.shape[0]
        s = 0.0
        comp = 0.0
        for lo in range(0, n, SUM_BLOCK):
            b = lane_sum(a, lo, min(lo + SUM_BLOCK, n))
            t = s + b
            if abs(s) >= abs(b):
                comp += (s - t) + b
            else:
                comp += (b - t) + s
            s = t
        return s + comp

    @kernel_intrinsic
    def sum_umax(typingctx: Any, a: Any) -> Typing:
        """``(Σ a[i] in float64, unsigned max of the bit patterns as int64)`` in one pass.

        The validation pass of the checked kernels (:func:`power_rows64_checked`, ...), used by
        :func:`skd.operators.apply`: it reads the row once and gives both the row sum (16 float64
        lanes, lane ``j`` adding ``a[j], a[16 + j], ...`` in order, then a fixed tree: an error
        below ``(V/16 + 4)·u·Σa``; the check allows for any summation order) and the largest bit
        pattern read as an *unsigned* integer. For a row of finite entries ``>= 0`` that maximum
        is the bit pattern of the row maximum; a negative entry (sign bit set, ``-0.0`` included),
        ``+inf`` or a NaN makes it ``< 0`` or ``>=`` the bits of ``+inf`` (as a signed int64), so
        one comparison flags the row. (``-0.0`` is a valid entry: a flagged row is only sent to
        the exact check of :mod:`.validate`, never rejected here.)
        """
        if not (isinstance(a, types.Array) and a.ndim == 1 and a.layout in ("C", "F") and a.aligned
                and a.dtype in (types.float32, types.float64)):
            return None
        sig = types.Tuple((types.float64, types.int64))(a)

        def codegen(context: Any, builder: ir.IRBuilder, sig: Any, args: Sequence[Any]) -> Any:
            aty = sig.args[0]
            arr = context.make_array(aty)(context, builder, args[0])
            n = builder.extract_value(arr.shape, 0)
            intp = n.type
            elt = context.get_value_type(aty.dtype)
            align = context.get_abi_sizeof(elt)
            wide = aty.dtype == types.float32
            bits = 32 if wide else 64
            it = ir.IntType(bits)
            vt = ir.VectorType(elt, LANES)
            ivt = ir.VectorType(it, LANES)
            dvt = ir.VectorType(ir.DoubleType(), LANES)
            sign = ir.Constant(it, -(1 << (bits - 1)))
            vsign = ir.Constant(ivt, [sign.constant] * LANES)
            accp = cgutils.alloca_once_value(builder, ir.Constant(dvt, [0.0] * LANES))
            # keys are bits ^ sign: a signed max of the keys is the unsigned max of the bits;
            # the smallest key is the bits 0 (+0.0)
            keyp = cgutils.alloca_once_value(builder, vsign)
            nvec = builder.ashr(n, ir.Constant(intp, 4))
            with cgutils.for_range(builder, nvec) as loop:
                idx = builder.shl(loop.index, ir.Constant(intp, 4))
                v = builder.load(builder.bitcast(builder.gep(arr.data, [idx]), vt.as_pointer()), align=align)
                builder.store(builder.fadd(builder.load(accp), builder.fpext(v, dvt) if wide else v), accp)
                k = builder.xor(builder.bitcast(v, ivt), vsign)
                cur = builder.load(keyp)
                builder.store(builder.select(builder.icmp_signed(">", k, cur), k, cur), keyp)
            acc = builder.load(accp)
            keys = builder.load(keyp)
            lanes = [builder.extract_element(acc, ir.Constant(ir.IntType(32), j)) for j in range(LANES)]
            while len(lanes) > 1:
                h = len(lanes) // 2
                lanes = [builder.fadd(lanes[j], lanes[j + h]) for j in range(h)]
            kl = [builder.extract_element(keys, ir.Constant(ir.IntType(32), j)) for j in range(LANES)]
            kmax = kl[0]
            for kj in kl[1:]:
                kmax = builder.select(builder.icmp_signed(">", kj, kmax), kj, kmax)
            sp_ = cgutils.alloca_once_value(builder, lanes[0])
            kp = cgutils.alloca_once_value(builder, kmax)
            # the 0-15 remaining entries, in order
            base = builder.shl(nvec, ir.Constant(intp, 4))
            with cgutils.for_range(builder, builder.sub(n, base)) as loop:
                x = builder.load(builder.gep(arr.data, [builder.add(base, loop.index)]), align=align)
                builder.store(builder.fadd(builder.load(sp_), builder.fpext(x, ir.DoubleType()) if wide else x), sp_)
                k = builder.xor(builder.bitcast(x, it), sign)
                cur = builder.load(kp)
                builder.store(builder.select(builder.icmp_signed(">", k, cur), k, cur), kp)
            u = builder.xor(builder.load(kp), sign)
            if wide:
                u = builder.sext(u, ir.IntType(64))
            return context.make_tuple(builder, sig.return_type, [builder.load(sp_), u])

        return sig, codegen

    #: Bit patterns of +inf: a row passes the entry check iff ``0 <= umax < INF_BITS``.
    INF_BITS64 = 0x7FF0000000000000
    INF_BITS32 = 0x7F800000

    @jit
    def row_max(a: FloatArray) -> Any:
        """max of a non-negative row, as the integer max of the bit patterns (exact)."""
        mi = as_int(a[0])
        for i in range(1, a.shape[0]):
            b = as_int(a[i])
            mi = b if b > mi else mi
        return as_float(mi)

    # -- row kernels -------------------------------------------------------------------------

    @jit
    def power_row64(xr: F64Array, inv_t: float, orow: F64Array) -> None:
        power_row64_m(xr, row_max(xr), inv_t, orow)

    @jit
    def power_row64_m(xr: F64Array, m: float, inv_t: float, orow: F64Array) -> None:
        """The row kernel given the row maximum ``m``.

        The ``log`` and the ``exp`` run in two loops, the second over the row the first left in
        the cache: the same operations (the same bits) as one fused loop, ~20 % faster — LLVM
        schedules the two short vector bodies better than one long one."""
        c = TWO_54 / m
        for i in range(xr.shape[0]):
            orow[i] = log_ratio64(xr[i], c) * inv_t
        for i in range(xr.shape[0]):
            orow[i] = exp64_nonpos(orow[i])
        inv_s = 1.0 / accurate_sum(orow)
        for i in range(xr.shape[0]):
            orow[i] = orow[i] * inv_s

    @jit
    def power_row32(xr: F32Array, inv_t: float, orow: F32Array) -> None:
        power_row32_m(xr, row_max(xr), inv_t, orow)

    @jit
    def power_row32_m(xr: F32Array, m: np.float32, inv_t: float, orow: F32Array) -> None:
        """The row kernel given the row maximum ``m`` (a float32)."""
        it = f32(inv_t)
        c = f32(TWO_24 / np.float64(m))
        for i in range(xr.shape[0]):
            orow[i] = log_ratio32(xr[i], c) * it
        for i in range(xr.shape[0]):
            orow[i] = exp32_nonpos(orow[i])  # two loops, as in power_row64_m
        inv_s = 1.0 / accurate_sum(orow)
        for i in range(xr.shape[0]):
            orow[i] = f32(np.float64(orow[i]) * inv_s)

    @jit
    def shifted_row(xr: FloatArray, c: float, orow: FloatArray) -> None:
        """(x + c)/Σ(x + c); float64 arithmetic, rounded once to the output's dtype.

        The normaliser is Σx + V·c (see ``kernels._shifted``): no systematic rounding from
        summing V nearly equal terms.
        """
        s = accurate_sum(xr) + xr.shape[0] * c
        for i in range(xr.shape[0]):
            orow[i] = (np.float64(xr[i]) + c) / s

    # -- checked rows (the validation of :func:`skd.operators.apply`, fused into the kernel) ---

    @jit
    def row_ok64(s: float, u: int, tol: float) -> bool:
        return u >= 0 and u < INF_BITS64 and abs(s - 1.0) <= tol

    @jit
    def row_ok32(s: float, u: int, tol: float) -> bool:
        return u >= 0 and u < INF_BITS32 and abs(s - 1.0) <= tol

    @jit
    def power_row64_checked(xr: F64Array, inv_t: float, orow: F64Array, tol: float) -> bool:
        """:func:`power_row64` after the entry and row-sum checks (one pass, :func:`sum_umax`);
        False (and the row left unwritten) when the row fails them."""
        s, u = sum_umax(xr)
        if not row_ok64(s, u, tol):
            return False
        power_row64_m(xr, as_float(u), inv_t, orow)
        return True

    @jit
    def power_row32_checked(xr: F32Array, inv_t: float, orow: F32Array, tol: float) -> bool:
        s, u = sum_umax(xr)
        if not row_ok32(s, u, tol):
            return False
        power_row32_m(xr, as_float(np.int32(u)), inv_t, orow)
        return True

    @jit
    def shifted_row_checked(xr: FloatArray, c: float, orow: FloatArray, tol: float) -> bool:
        s, u = sum_umax(xr)
        inf_bits = INF_BITS32 if xr.itemsize == 4 else INF_BITS64
        if not (u >= 0 and u < inf_bits and abs(s - 1.0) <= tol):
            return False
        shifted_row(xr, c, orow)
        return True

    # -- the row maxima of the NumPy kernels' blocks (called from their worker threads) ----------

    nogil = numba.njit(cache=True, error_model="numpy", nogil=True)

    @nogil
    def rows_max(x: FloatArray, m: FloatArray) -> None:
        """``m[r] = max(x[r])`` for the rows of a block (exact: :func:`row_max`), without the GIL."""
        for r in range(x.shape[0]):
            m[r] = row_max(x[r])

    @nogil
    def rows_max_checked(x: FloatArray, tol: float, m: FloatArray) -> bool:
        """:func:`rows_max` after the entry and row-sum checks, in the same pass (:func:`sum_umax`);
        False as soon as a row fails them (``m`` then partly written)."""
        for r in range(x.shape[0]):
            s, u = sum_umax(x[r])
            if x.itemsize == 4:
                if not row_ok32(s, u, tol):
                    return False
                m[r] = as_float(np.int32(u))
            else:
                if not row_ok64(s, u, tol):
                    return False
                m[r] = as_float(u)
        return True

    # rows in parallel (large inputs) and serially (small inputs: no thread start-up); every row
    # is computed by the same code whichever driver runs it, so the bits do not depend on the
    # number of threads

    @par
    def power_rows64(x: F64Array, inv_t: float, out: F64Array) -> None:
        for r in prange(x.shape[0]):
            power_row64(x[r], inv_t, out[r])

    @jit
    def power_rows64_serial(x: F64Array, inv_t: float, out: F64Array) -> None:
        for r in range(x.shape[0]):
            power_row64(x[r], inv_t, out[r])

    @par
    def power_rows32(x: F32Array, inv_t: float, out: F32Array) -> None:
        for r in prange(x.shape[0]):
            power_row32(x[r], inv_t, out[r])

    @jit
    def power_rows32_serial(x: F32Array, inv_t: float, out: F32Array) -> None:
        for r in range(x.shape[0]):
            power_row32(x[r], inv_t, out[r])

    @par
    def shifted_rows(x: FloatArray, c: float, out: FloatArray) -> None:
        for r in prange(x.shape[0]):
            shifted_row(x[r], c, out[r])

    @jit
    def shifted_rows_serial(x: FloatArray, c: float, out: FloatArray) -> None:
        for r in range(x.shape[0]):
            shifted_row(x[r], c, out[r])

    @par
    def power_rows64_checked(x: F64Array, inv_t: float, out: F64Array, tol: float, ok: BoolArray) -> None:
        for r in prange(x.shape[0]):
            ok[r] = power_row64_checked(x[r], inv_t, out[r], tol)

    @jit
    def power_rows64_checked_serial(x: F64Array, inv_t: float, out: F64Array, tol: float, ok: BoolArray) -> None:
        for r in range(x.shape[0]):
            ok[r] = power_row64_checked(x[r], inv_t, out[r], tol)

    @par
    def power_rows32_checked(x: F32Array, inv_t: float, out: F32Array, tol: float, ok: BoolArray) -> None:
        for r in prange(x.shape[0]):
            ok[r] = power_row32_checked(x[r], inv_t, out[r], tol)

    @jit
    def power_rows32_checked_serial(x: F32Array, inv_t: float, out: F32Array, tol: float, ok: BoolArray) -> None:
        for r in range(x.shape[0]):
            ok[r] = power_row32_checked(x[r], inv_t, out[r], tol)

    @par
    def shifted_rows_checked(x: FloatArray, c: float, out: FloatArray, tol: float, ok: BoolArray) -> None:
        for r in prange(x.shape[0]):
            ok[r] = shifted_row_checked(x[r], c, out[r], tol)

    @jit
    def shifted_rows_checked_serial(x: FloatArray, c: float, out: FloatArray, tol: float, ok: BoolArray) -> None:
        for r in range(x.shape[0]):
            ok[r] = shifted_row_checked(x[r], c, out[r], tol)

    # -- wrappers ------------------------------------------------------------------------------

    def _rows(p: np.ndarray) -> np.ndarray:
        """``p`` as C-contiguous, aligned, native-byte-order rows (what the loops and
        :func:`lane_sum` read); copies only when ``p`` is not already so."""
        x = np.require(p, dtype=p.dtype.newbyteorder("="), requirements=("C", "A"))
        return x.reshape(-1, p.shape[-1])

    def _run(x: np.ndarray, parallel: Callable[..., None], serial: Callable[..., None], args: tuple[Any, ...],
             threads: int | None) -> None:
        """Run ``parallel(*args)`` on up to ``threads`` threads (``None``: as many as
        :func:`skd.operators.choice.threads` allows — one when the other cores are busy), or
        ``serial(*args)`` for small inputs or one thread."""
        if x.shape[0] <= 1 or x.size < PARALLEL_MIN_SIZE:
            serial(*args)
            return
        if threads is None:
            threads = choice.threads()
        have = numba.get_num_threads()
        n = min(int(threads), have)
        if n <= 1:
            serial(*args)
        elif n == have:
            parallel(*args)
        else:
            numba.set_num_threads(n)
            try:
                parallel(*args)
            finally:
                numba.set_num_threads(have)

    def _checked(x: np.ndarray, parallel: Callable[..., None], serial: Callable[..., None], a0: float, threads: int | None,
                 out: np.ndarray) -> np.ndarray | None:
        ok = np.empty(x.shape[0], dtype=np.bool_)
        _run(x, parallel, serial, (x, a0, out, check_tolerance(x.dtype, x.shape[1]), ok), threads)
        return out if ok.all() else None

    @overload
    def power_tempered(p: np.ndarray, t_eff: float, *, threads: int | None = None, check: Literal[False] = False) -> np.ndarray: ...
    @overload
    def power_tempered(p: np.ndarray, t_eff: float, *, threads: int | None = None, check: bool) -> np.ndarray | None: ...

    def power_tempered(p: np.ndarray, t_eff: float, *, threads: int | None = None, check: bool = False) -> np.ndarray | None:
        """``p^{1/t_eff}`` normalised. With ``check=True`` the rows are validated in the same
        pass as the row maximum (finite, ``>= 0``, sum within :func:`.primitives.check_tolerance`
        of 1) and ``None`` is returned if any row fails; the output is otherwise bit-identical."""
        x = _rows(p)
        out = np.empty_like(x)
        if t_eff == 1.0:
            if check:
                res = _checked(x, shifted_rows_checked, shifted_rows_checked_serial, 0.0, threads, out)
                return None if res is None else res.reshape(p.shape)
            _run(x, shifted_rows, shifted_rows_serial, (x, 0.0, out), threads)
        elif x.dtype == np.float32:
            if check:
                res = _checked(x, power_rows32_checked, power_rows32_checked_serial, 1.0 / t_eff, threads, out)
                return None if res is None else res.reshape(p.shape)
            _run(x, power_rows32, power_rows32_serial, (x, 1.0 / t_eff, out), threads)
        else:
            if check:
                res = _checked(x, power_rows64_checked, power_rows64_checked_serial, 1.0 / t_eff, threads, out)
                return None if res is None else res.reshape(p.shape)
            _run(x, power_rows64, power_rows64_serial, (x, 1.0 / t_eff, out), threads)
        return out.reshape(p.shape)

    @overload
    def shifted(p: np.ndarray, c: float, *, threads: int | None = None, check: Literal[False] = False) -> np.ndarray: ...
    @overload
    def shifted(p: np.ndarray, c: float, *, threads: int | None = None, check: bool) -> np.ndarray | None: ...

    def shifted(p: np.ndarray, c: float, *, threads: int | None = None, check: bool = False) -> np.ndarray | None:
        """``(p + c)/Σ(p + c)``; ``check`` as in :func:`power_tempered`."""
        x = _rows(p)
        out = np.empty_like(x)
        if check:
            res = _checked(x, shifted_rows_checked, shifted_rows_checked_serial, float(c), threads, out)
            return None if res is None else res.reshape(p.shape)
        _run(x, shifted_rows, shifted_rows_serial, (x, float(c), out), threads)
        return out.reshape(p.shape)

    _TABLE = separable_kernels(power_tempered, shifted, lambda p: shifted(p, 0.0))
    _CHECKED = separable_kernels(
        lambda p, t: power_tempered(p, t, check=True),
        lambda p, c: shifted(p, c, check=True),
        lambda p: shifted(p, 0.0, check=True),
    )


def _require() -> None:
    """Raise the ImportError of :func:`import_error`, if any."""
    if _IMPORT_ERROR is not None:
        raise ImportError(f"the Numba kernels are not available: {_IMPORT_ERROR}") from _IMPORT_ERROR


def kernels() -> dict[str, Callable[[np.ndarray, float], np.ndarray]]:
    """``{name: kernel}`` for the separable built-ins; ImportError if Numba is missing
    (:data:`skd.operators.kernels.NUMBA_KERNELS` then falls back to the NumPy kernels)."""
    _require()
    return dict(_TABLE)


def checked_kernels() -> dict[str, Callable[[np.ndarray, float], np.ndarray | None]]:
    """``{name: kernel}`` that validate each row in the kernel's own pass and return ``None``
    when a row fails (see :func:`skd.operators.kernels.checked`); ImportError if Numba is missing."""
    _require()
    return dict(_CHECKED)


def available() -> bool:
    """True if the Numba kernels are in use (Numba imported and the kernels were defined)."""
    return _IMPORT_ERROR is None


def import_error() -> BaseException | None:
    """The ImportError that made :func:`available` False, if any."""
    return _IMPORT_ERROR
