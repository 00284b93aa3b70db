"""Numba kernels for the separable built-ins (power, power_T2, hybrid, mixture, laplace).

Imported only on demand (by :data:`skd.operators.kernels.NUMBA_KERNELS`, or by
``KERNELS`` for the built-ins whose fastest variant is the Numba one): importing :mod:`skd`
never imports Numba. If ``import numba`` fails, :func:`available` is False, :func:`kernels`
raises that ImportError and :data:`~skd.operators.kernels.NUMBA_KERNELS` falls back to the
NumPy kernels. This module imports :mod:`.choice` (the thread count) and :mod:`.primitives`
(what both variants share), never :mod:`.kernels`, which imports it.

Size: every Numba function a cached kernel calls must be defined in this file — Numba invalidates
a cached function only when the file defining it changes, so an elementary function edited in
another module would leave the kernels running its old, inlined code (it happened).

Design:

* per row after the row maximum: a loop writing ``log(p_i/p_max)/T`` to the output and a loop
  replacing it by its ``exp`` over the in-cache row (two short vector loops run ~20 % faster than
  one fused loop, with the same operations and bits), then an accurate sum (blocks of 256
  summed in 16 float64 vector lanes by an LLVM intrinsic, the block sums added with Neumaier
  compensation; float32 entries are widened, so the normaliser is accumulated in float64), then
  the scaling; rows in parallel (``prange``);
* ``log`` and ``exp`` are fdlibm/musl (error below 1 ulp) written out in Numba with bit casts,
  branch-free, so that LLVM vectorises the loop — calls to libm would not vectorise — and on
  CPUs with FMA (:func:`host_has_fma`, :data:`FMA`) their fused forms: ``log`` with its products
  and sums fused, ``exp`` by a polynomial without fdlibm's division (about 1 ulp, well inside the
  kernels' bound). The float32 kernels use the float32 versions (musl ``logf``/``expf``);
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

import math
from collections.abc import Callable, Sequence
from typing import Any, Literal, cast, overload

import numpy as np
import numpy.typing as npt

from . import choice
from .primitives import check_tolerance, separable_kernels

__all__ = ["available", "kernels", "import_error", "host_has_fma", "PARALLEL_MIN_SIZE"]

#: Inputs with at least this many entries (and more than one row) are processed with rows in
#: parallel; smaller ones serially, where starting the worker threads would cost more.
PARALLEL_MIN_SIZE = 1 << 16

try:  # Numba is a dependency, but a broken install must not break skd: fall back to NumPy
    import numba
    from llvmlite import ir
    from numba import prange
    from numba.core import cgutils, types
    from numba.extending import intrinsic
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


def host_has_fma() -> bool:
    """Whether Numba compiles for a CPU with fused multiply-add instructions: the host CPU
    (``NUMBA_CPU_NAME`` unset or ``host``) with the ``fma`` feature, or a named CPU whose
    ``NUMBA_CPU_FEATURES`` list ``+fma``. Without them ``llvm.fma`` becomes a call to libm's
    software fma, so the kernels keep the forms without it."""
    if _IMPORT_ERROR is not None:
        return False
    name = getattr(numba.config, "CPU_NAME", None)
    if name not in (None, "host"):
        return "+fma" in (getattr(numba.config, "CPU_FEATURES", None) or "").split(",")
    from llvmlite import binding

    try:
        return bool(binding.get_host_cpu_features().get("fma", False))
    except RuntimeError:  # features unknown on this platform
        return False


if _IMPORT_ERROR is None:

    def kernel_intrinsic(defn: Callable[..., Typing]) -> Callable[..., Any]:
        """``numba.extending.intrinsic``, typed as the kernels call it: without the typing
        context (Numba's stubs keep ``typingctx`` in the signature of the intrinsic's call)."""
        return cast("Callable[..., Any]", intrinsic(defn))

    # -- bit casts ------------------------------------------------------------------------

    @kernel_intrinsic
    def as_int(typingctx: Any, x: Any) -> Typing:
        rt: types.Integer[Any]
        if x == types.float64:
            rt, lt = types.int64, ir.IntType(64)
        elif x == types.float32:
            rt, lt = types.int32, ir.IntType(32)
        else:
            return None

        def codegen(context: Any, builder: ir.IRBuilder, sig: Any, args: Sequence[Any]) -> Any:
            return builder.bitcast(args[0], lt)

        return rt(x), codegen

    @kernel_intrinsic
    def as_float(typingctx: Any, x: Any) -> Typing:
        rt: types.Float[Any]
        if x == types.int64:
            rt, lt = types.float64, ir.DoubleType()
        elif x == types.int32:
            rt, lt = types.float32, ir.FloatType()
        else:
            return None

        def codegen(context: Any, builder: ir.IRBuilder, sig: Any, args: Sequence[Any]) -> Any:
            return builder.bitcast(args[0], lt)

        return rt(x), codegen

    jit = numba.njit(cache=True, error_model="numpy")

    f32 = np.float32

    # -- float64 log / exp (fdlibm / musl) -------------------------------------------------
    LG1 = 6.666666666666735130e-01
    LG2 = 3.999999999940941908e-01
    LG3 = 2.857142874366239149e-01
    LG4 = 2.222219843214978396e-01
    LG5 = 1.818357216161805012e-01
    LG6 = 1.531383769920937332e-01
    LG7 = 1.479819860511658591e-01
    LN2_HI = 6.93147180369123816490e-01
    LN2_LO = 1.90821492927058770002e-10
    INV_LN2 = 1.44269504088896338700e00
    P1 = 1.66666666666666019037e-01
    P2 = -2.77777777770155933842e-03
    P3 = 6.61375632143793436117e-05
    P4 = -1.65339022054652515390e-06
    P5 = 4.13813679705723846039e-08
    TWO_M1000 = 2.0**-1000
    TWO_54 = 2.0**54
    TWO_24 = 2.0**24

    @kernel_intrinsic
    def fma(typingctx: Any, a: Any, b: Any, c: Any) -> Typing:
        """``a·b + c`` rounded once, for three float64 or three float32 (``llvm.fma.f64`` /
        ``.f32``; LLVM vectorises it). Used only when the CPU has FMA instructions (:data:`FMA`):
        elsewhere LLVM would call libm's slow software fma."""
        if not (a == b == c and a in (types.float64, types.float32)):
            return None
        lt, name = (ir.DoubleType(), "llvm.fma.f64") if a == types.float64 else (ir.FloatType(), "llvm.fma.f32")

        def codegen(context: Any, builder: ir.IRBuilder, sig: Any, args: Sequence[Any]) -> Any:
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(lt, [lt, lt, lt]), name)
            return builder.call(fn, list(args))

        return a(a, b, c), codegen

    fma64 = fma32 = fma  # the float64 and float32 forms read as what they compute

    @jit
    def log64_plain(x: float, kscale: int) -> float:
        """log(x · 2^-kscale) for a positive normal x (fdlibm e_log.c; the scale is exact)."""
        ix = as_int(x)
        hx = (ix >> 32) + (0x3FF00000 - 0x3FE6A09E)
        k = (hx >> 20) - 0x3FF - kscale
        hx = (hx & 0x000FFFFF) + 0x3FE6A09E
        f = as_float((hx << 32) | (ix & 0xFFFFFFFF)) - 1.0
        hfsq = 0.5 * f * f
        s = f / (2.0 + f)
        z = s * s
        w = z * z
        t1 = w * (LG2 + w * (LG4 + w * LG6))
        t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)))
        R = t2 + t1
        dk = float(k)
        return s * (hfsq + R) + dk * LN2_LO - hfsq + f + dk * LN2_HI

    @jit
    def log64_fma(x: float, kscale: int) -> float:
        """:func:`log64_plain` with its products and sums fused where fdlibm has ``a·b + c``: the
        same reduction and polynomial, fewer roundings (each fused step replaces two roundings
        by one), ~20 % fewer instructions."""
        ix = as_int(x)
        hx = (ix >> 32) + (0x3FF00000 - 0x3FE6A09E)
        k = (hx >> 20) - 0x3FF - kscale
        hx = (hx & 0x000FFFFF) + 0x3FE6A09E
        f = as_float((hx << 32) | (ix & 0xFFFFFFFF)) - 1.0
        hfsq = 0.5 * f * f
        s = f / (2.0 + f)
        z = s * s
        w = z * z
        t1 = w * fma64(w, fma64(w, LG6, LG4), LG2)
        t2 = z * fma64(w, fma64(w, fma64(w, LG7, LG5), LG3), LG1)
        R = t2 + t1
        dk = float(k)
        return fma64(s, hfsq + R, dk * LN2_LO) - hfsq + f + dk * LN2_HI

    @jit
    def exp64_nonpos_plain(x: float) -> float:
        """exp(x) for x <= 0, x = -inf allowed (fdlibm e_exp.c, branch-free)."""
        x = x if x > -746.0 else -746.0
        k = int(x * INV_LN2 - 0.5)
        dk = float(k)
        hi = x - dk * LN2_HI
        lo = dk * LN2_LO
        r = hi - lo
        rr = r * r
        c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))))
        y = 1.0 + (r * c / (2.0 - c) - lo + hi)
        big = k < -1000
        kk = k + 1000 if big else k
        y = y * as_float((kk + 1023) << 52)
        return y * TWO_M1000 if big else y

    #: ``exp(r) = 1 + r + r²·g(r)``, ``g(r) = Σ G[k]·r^k`` (k = 0..9): mpmath's Chebyshev fit
    #: (``chebyfit``, 60 digits) of ``(exp(r) − 1 − r)/r²`` on ``|r| <= 1.0001·ln2/2``, error
    #: below ``0.12u`` relative to ``exp``; rounded to double (``tests/test_kernels.py`` re-derives
    #: them).
    EXP_G = (0.5000000000000001, 0.16666666666666669, 0.04166666666662413, 0.008333333333330062,
             0.0013888888917213717, 0.00019841269863053618, 2.4801521295954376e-05,
             2.7557268459997064e-06, 2.7620088445409746e-07, 2.510038549551032e-08)
    G0, G1, G2, G3, G4, G5, G6, G7, G8, G9 = EXP_G
    #: 1.5·2^52: ``x + SHIFT - SHIFT`` rounds ``|x| < 2^51`` to the nearest integer
    SHIFT = 6755399441055744.0
    SHIFT_BITS = 0x4338000000000000

    @jit
    def exp64_nonpos_fma(x: float) -> float:
        """exp(x) for x <= 0, x = -inf allowed, without a division or a branch (for CPUs with FMA).

        ``k = round(x/ln 2)`` (by the 1.5·2^52 shift), ``r = x − k·ln 2`` in two fused steps with
        fdlibm's two-part ``ln 2`` (the first exact: ``LN2_HI`` has 32 bits), ``exp(r) = 1 + r +
        r²·g(r)`` with the degree-9 fit :data:`EXP_G` by Horner's rule in fused steps, then
        ``·2^k`` as two factors ``2^⌊k/2⌋·2^(k−⌊k/2⌋)``, each normal (``k >= -1076``), so a
        subnormal result is rounded once and no select is needed. Error about 1 ulp (the last
        additions ``1 + q`` round where the result is just below 1; measured below 1.25 ulp by the
        tests, and the kernels' bound ``8u(1 + (1 + |L|)/T)`` absorbs it many times over).
        """
        x = x if x > -746.0 else -746.0
        kd = fma64(x, INV_LN2, SHIFT)
        dk = kd - SHIFT
        r = fma64(-dk, LN2_HI, x)
        r = fma64(-dk, LN2_LO, r)
        p = fma64(r, G9, G8)
        p = fma64(p, r, G7)
        p = fma64(p, r, G6)
        p = fma64(p, r, G5)
        p = fma64(p, r, G4)
        p = fma64(p, r, G3)
        p = fma64(p, r, G2)
        p = fma64(p, r, G1)
        p = fma64(p, r, G0)
        y = 1.0 + fma64(p, r * r, r)
        k = as_int(kd) - SHIFT_BITS
        k1 = k >> 1
        y = y * as_float((k1 + 1023) << 52)
        return y * as_float((k - k1 + 1023) << 52)

    #: Whether the float64 kernels use the fused forms (:func:`log64_fma`, :func:`exp64_nonpos_fma`):
    #: only when Numba compiles for this machine's CPU and it has FMA instructions.
    FMA = host_has_fma()
    log64 = log64_fma if FMA else log64_plain
    exp64_nonpos = exp64_nonpos_fma if FMA else exp64_nonpos_plain

    @jit
    def log_ratio64(xi: float, scaled_inv_m: float) -> float:
        """log(xi/m) for 0 <= xi <= m, given 2^54/m; log 0 = -inf.

        The quotient is formed as ``xi · (2^54/m)``, a normal number even for subnormal ``xi``
        (so it keeps full relative accuracy), and the factor 2^54 is removed exactly from the
        exponent inside the log.
        """
        L = log64(xi * scaled_inv_m, 54)
        return L if xi > 0.0 else -np.inf

    # -- float32 log / exp (musl logf.c / expf.c, fdlibm-derived) --------------------------
    LGF1 = f32(0.66666662693)
    LGF2 = f32(0.40000972152)
    LGF3 = f32(0.28498786688)
    LGF4 = f32(0.24279078841)
    LN2F_HI = f32(6.9313812256e-01)
    LN2F_LO = f32(9.0580006145e-06)
    ELN2F_HI = f32(6.9314575195e-01)
    ELN2F_LO = f32(1.4286067653e-06)
    INV_LN2F = f32(1.4426950216e00)
    PF1 = f32(1.6666625440e-1)
    PF2 = f32(-2.7667332906e-3)
    HALF_F = f32(0.5)
    ONE_F = f32(1.0)
    TWO_F = f32(2.0)
    TWO_M100F = f32(2.0**-100)
    ZERO_F = f32(0.0)
    NINF_F = f32(-np.inf)
    UNDER_F = f32(-104.0)
    M100_F = f32(-100.0)
    HUNDRED_F = f32(100.0)
    F24 = f32(24.0)

    # The integer steps of the float32 functions are written as LLVM intrinsics on i32: in
    # Numba's own arithmetic an int32 is promoted to int64, which halves the vector width of the
    # loop (16 float32 lanes become 8 int64 lanes) and costs conversions. The results are
    # bit-identical to the int64 formulation (tests/test_kernels.py checks this).
    I32 = ir.IntType(32)

    def _c32(v: int) -> ir.Constant:
        return ir.Constant(I32, v)

    @kernel_intrinsic
    def logf_mantissa(typingctx: Any, x: Any) -> Typing:
        """``f = m − 1`` for the reduction ``x = 2^k·m``, ``m`` in [√2/2, √2) (musl logf), in i32."""
        if x != types.float32:
            return None

        def codegen(context: Any, builder: ir.IRBuilder, sig: Any, args: Sequence[Any]) -> Any:
            ix = builder.add(builder.bitcast(args[0], I32), _c32(0x3F800000 - 0x3F3504F3))
            ix = builder.add(builder.and_(ix, _c32(0x007FFFFF)), _c32(0x3F3504F3))
            return builder.fsub(builder.bitcast(ix, ir.FloatType()), ir.Constant(ir.FloatType(), 1.0))

        return types.float32(x), codegen

    @kernel_intrinsic
    def logf_exponent(typingctx: Any, x: Any) -> Typing:
        """``k`` of the same reduction, as a float32 (exact: ``|k| <= 150``)."""
        if x != types.float32:
            return None

        def codegen(context: Any, builder: ir.IRBuilder, sig: Any, args: Sequence[Any]) -> Any:
            ix = builder.add(builder.bitcast(args[0], I32), _c32(0x3F800000 - 0x3F3504F3))
            return builder.sitofp(builder.sub(builder.ashr(ix, _c32(23)), _c32(0x7F)), ir.FloatType())

        return types.float32(x), codegen

    @kernel_intrinsic
    def pow2f(typingctx: Any, k: Any) -> Typing:
        """``2^k`` for an integral float32 ``k`` in [−126, 127] (built from its bits)."""
        if k != types.float32:
            return None

        def codegen(context: Any, builder: ir.IRBuilder, sig: Any, args: Sequence[Any]) -> Any:
            ki = builder.fptosi(args[0], I32)
            return builder.bitcast(builder.shl(builder.add(ki, _c32(127)), _c32(23)), ir.FloatType())

        return types.float32(k), codegen

    @jit
    def log32_plain(x: np.float32, kscale: np.float32) -> np.float32:
        """logf(x · 2^-kscale) for a positive normal float32 x (musl logf.c; exact scale).

        ``kscale`` is a float32 integer; ``k − kscale`` is exact.
        """
        f = logf_mantissa(x)
        dk = logf_exponent(x) - kscale
        s = f / (TWO_F + f)
        z = s * s
        w = z * z
        t1 = w * (LGF2 + w * LGF4)
        t2 = z * (LGF1 + w * LGF3)
        R = t2 + t1
        hfsq = HALF_F * f * f
        return s * (hfsq + R) + dk * LN2F_LO - hfsq + f + dk * LN2F_HI

    @jit
    def exp32_nonpos_plain(x: np.float32) -> np.float32:
        """expf(x) for x <= 0, x = -inf allowed (musl expf.c, branch-free).

        ``k = trunc(x/ln2 − 1/2)`` is kept as a float32 integer (``np.trunc``, as ``int()`` would
        truncate), so the loop needs no integer lanes except in :func:`pow2f`.
        """
        x = x if x > UNDER_F else UNDER_F
        dk = np.trunc(x * INV_LN2F - HALF_F)
        hi = x - dk * ELN2F_HI
        lo = dk * ELN2F_LO
        r = hi - lo
        rr = r * r
        c = r - rr * (PF1 + rr * PF2)
        y = ONE_F + (r * c / (TWO_F - c) - lo + hi)
        big = dk < M100_F
        kk = dk + HUNDRED_F if big else dk
        y = y * pow2f(kk)
        return y * TWO_M100F if big else y

    @jit
    def log32_fma(x: np.float32, kscale: np.float32) -> np.float32:
        """:func:`log32_plain` with its products and sums fused where musl has ``a·b + c``."""
        f = logf_mantissa(x)
        dk = logf_exponent(x) - kscale
        s = f / (TWO_F + f)
        z = s * s
        w = z * z
        t1 = w * fma32(w, LGF4, LGF2)
        t2 = z * fma32(w, LGF3, LGF1)
        R = t2 + t1
        hfsq = HALF_F * f * f
        return fma32(s, hfsq + R, dk * LN2F_LO) - hfsq + f + dk * LN2F_HI

    # expf by a Taylor polynomial: 1/i! for i = 2..7, rounded to float32
    EF2, EF3, EF4, EF5, EF6, EF7 = (f32(1.0 / math.factorial(i)) for i in range(2, 8))
    SHIFT_F = f32(12582912.0)  # 1.5·2^23: x + SHIFT_F − SHIFT_F rounds |x| < 2^22 to an integer

    @jit
    def exp32_nonpos_fma(x: np.float32) -> np.float32:
        """expf(x) for x <= 0, x = -inf allowed, without a division (for CPUs with FMA).

        As :func:`exp64_nonpos_fma` in float32: ``k = round(x/ln 2)``, ``r = x − k·ln 2`` with
        musl's two-part ``ln 2`` (the first step exact), ``exp(r)`` by the degree-7 Taylor
        polynomial (truncation ``< 0.35^8/8!·e^0.35 < 0.1u``), the scale from the bits. Its
        error reaches ~1 ulp where the result is just below 1 (a float32 ``r`` carries a relative
        rounding that the division-based musl form avoids), which the kernels' bound
        ``8u(1 + (1 + |L|)/T)`` absorbs many times over; the tests and the accuracy survey measure it.
        """
        x = x if x > UNDER_F else UNDER_F
        kd = fma32(x, INV_LN2F, SHIFT_F)
        dk = kd - SHIFT_F
        r = fma32(-dk, ELN2F_HI, x)
        r = fma32(-dk, ELN2F_LO, r)
        p = fma32(r, EF7, EF6)
        p = fma32(p, r, EF5)
        p = fma32(p, r, EF4)
        p = fma32(p, r, EF3)
        p = fma32(p, r, EF2)
        y = ONE_F + fma32(p, r * r, r)
        big = dk < M100_F
        kk = dk + HUNDRED_F if big else dk
        y = y * pow2f(kk)
        return y * TWO_M100F if big else y

    log32 = log32_fma if FMA else log32_plain
    exp32_nonpos = exp32_nonpos_fma if FMA else exp32_nonpos_plain

    @jit
    def log_ratio32(xi: np.float32, scaled_inv_m: np.float32) -> np.float32:
        """log(xi/m) for 0 <= xi <= m, given 2^24/m (as float32); log 0 = -inf."""
        L = log32(xi * scaled_inv_m, F24)
        return L if xi > ZERO_F else NINF_F

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
