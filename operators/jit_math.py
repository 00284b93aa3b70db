"""The elementary functions of the Numba kernels: bit casts, ``fma``, ``log`` and ``exp``.

float64: fdlibm's ``log`` and ``exp`` (error below 1 ulp), and on CPUs with FMA instructions
(:func:`host_has_fma`, :data:`FMA`) their fused forms — ``log`` with its products and sums fused,
``exp`` by a degree-13 Taylor polynomial without fdlibm's division — which run ~20 % faster;
float32: musl's ``logf``/``expf`` with their integer steps on i32. All branch-free, written with
bit casts, so that LLVM vectorises the loops that call them (libm calls would not vectorise), and
without fast-math flags (IEEE semantics, no reassociation).

:mod:`.jit` (sums, row kernels, drivers) imports them; this module imports nothing of skd.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np

__all__ = ["host_has_fma", "Typing"]

try:  # Numba is a dependency, but a broken install must not break skd (see .jit)
    import numba
    from llvmlite import ir
    from numba.core import cgutils, types
    from numba.extending import intrinsic
except ImportError as _exc:  # pragma: no cover - exercised only without numba
    _IMPORT_ERROR: BaseException | None = _exc
else:
    _IMPORT_ERROR = None

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
    def fma64(typingctx: Any, a: Any, b: Any, c: Any) -> Typing:
        """``a·b + c`` rounded once (``llvm.fma.f64``; LLVM vectorises it). Used only when the CPU
        has FMA instructions (:data:`FMA`): elsewhere LLVM would call libm's slow software fma."""
        if not (a == b == c == types.float64):
            return None

        def codegen(context: Any, builder: ir.IRBuilder, sig: Any, args: Sequence[Any]) -> Any:
            d = ir.DoubleType()
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(d, [d, d, d]), "llvm.fma.f64")
            return builder.call(fn, list(args))

        return types.float64(a, b, c), codegen

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

    @kernel_intrinsic
    def fma32(typingctx: Any, a: Any, b: Any, c: Any) -> Typing:
        """``a·b + c`` rounded once in float32 (``llvm.fma.f32``), as :func:`fma64`."""
        if not (a == b == c == types.float32):
            return None

        def codegen(context: Any, builder: ir.IRBuilder, sig: Any, args: Sequence[Any]) -> Any:
            f = ir.FloatType()
            fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(f, [f, f, f]), "llvm.fma.f32")
            return builder.call(fn, list(args))

        return types.float32(a, b, c), codegen

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
