"""Benchmark (and accuracy survey) of the power kernel — a plain script, not part of pytest.

Timing (default)::

    python benchmarks/bench_kernels.py [--runs 15] [--T 1.5] [--clock wall|cpu] [--busy] [--small]
                                       [--kinds dirichlet1,dirichlet0.1,lm,zipf]

times the power operator on ``(64, 32768)`` (``--small``: also ``(4096, 512)``), float64 and
float32, for Dirichlet(1), Dirichlet(0.1), LM-like (softmax of N(0, 3²) logits) and Zipf-like
(``p ∝ 1/rank^1.1``) rows: the public ``apply(library.power, p, T)`` (validation included),
``KERNELS["power"]`` (the variant the per-CPU calibration of :mod:`skd.operators.choice` chose,
printed with the cache file), each variant, and

* SciPy: ``scipy.special.softmax(np.log(p) / T, axis=-1)`` (SciPy is not a dependency of skd:
  it is imported here only, and skipped if missing),
* the *transcendental floor*: single-threaded ``np.log(p, out=a)`` + ``np.exp(p, out=b)`` into
  preallocated arrays — the cost of one log and one exp per entry, which any log-domain kernel
  pays,

reporting the median of ``--runs`` (>= 9) runs after a warm-up, the ratios ``apply/kernel``
(target <= 1.05), ``SciPy/apply`` (target >= 3), ``apply/floor`` (target <= 1.0), float32 vs
float64 (target >= 1.7), and the first three again as paired ratios. ``--busy`` starts one
competing CPU-bound process (a Python busy loop) for the whole measurement.

Passes of the Numba kernel, one thread::

    python benchmarks/bench_kernels.py --passes [--runs 31]

Accuracy survey::

    python benchmarks/bench_kernels.py --accuracy [--trials 400] [--seed 0]

Each variant on one and two threads, unchecked and checked, and the paired cost of the checks::

    python benchmarks/bench_kernels.py --overhead [--runs 31]

Worst ulp error of each elementary function (``log``/``exp``, plain and fused forms, float64 and
float32; 10 rounds of ``--samples`` random arguments, against ``longdouble``/float64 NumPy)::

    python benchmarks/bench_kernels.py --ulps [--samples 2000000] [--seed 0]

draws random rows (entries down to 1e-300, ties, zeros, one-hot rows, near-ties; ``V`` up to
64, and rows up to ``V = 65536`` built from at most 256 distinct values), temperatures
log-uniform in ``[1e-4, 1e4]`` plus the extremes, and prints for every kernel variant and dtype
the worst ``error / bound`` over all entries, the bound being the one documented in
:mod:`skd.operators.kernels` (reference: 50-digit mpmath on the exact inputs).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np


CLOCK = time.perf_counter


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()
    fn()  # warm-up (JIT compilation, caches, page faults)
    times = []
    for _ in range(runs):
        t0 = CLOCK()
        fn()
        times.append(CLOCK() - t0)
    return statistics.median(times) * 1e3


def paired_ratio(num: Callable[[], object], den: Callable[[], object], runs: int) -> float:
    """Median over ``runs`` of time(num)/time(den), the two timed back to back in each run.

    Interleaving makes both sides see the same machine state, so drift in the background load
    (a shared VM) cancels in each ratio instead of landing on one side of a ratio of medians. The
    order alternates from run to run (num first, then den first): the first of two calls pays
    ~1 % more here (a kernel timed against itself gives 1.01 with a fixed order).
    """
    for f in (num, den, num, den):
        f()  # warm-up
    ratios = []
    for k in range(runs):
        first, second = (num, den) if k % 2 == 0 else (den, num)
        t0 = CLOCK()
        first()
        t1 = CLOCK()
        second()
        t2 = CLOCK()
        a, b = t1 - t0, t2 - t1
        ratios.append(a / b if k % 2 == 0 else b / a)
    return statistics.median(ratios)


def make_input(kind: str, shape: tuple[int, int], seed: int = 0) -> np.ndarray:
    """float64 rows of the given kind: ``dirichlet1``/``dirichlet0.1`` (Dirichlet(α)), ``lm``
    (softmax of N(0, 3²) logits, like a language model's next-token distribution) or ``zipf``
    (``p ∝ 1/rank^1.1``, ranks shuffled per row)."""
    rng = np.random.default_rng(seed)
    n, V = shape
    if kind.startswith("dirichlet"):
        p = rng.dirichlet(np.full(V, float(kind[len("dirichlet"):])), size=n)
    elif kind == "lm":
        z = rng.normal(0.0, 3.0, shape)
        p = np.exp(z - z.max(axis=-1, keepdims=True))
    elif kind == "zipf":
        w = 1.0 / np.arange(1, V + 1, dtype=np.float64) ** 1.1
        p = np.stack([rng.permutation(w) for _ in range(n)])
    else:
        raise ValueError(kind)
    return p / p.sum(axis=-1, keepdims=True)


def as_rows(p64: np.ndarray, dtype: type) -> np.ndarray:
    q = p64.astype(dtype).astype(np.float64)
    return (q / q.sum(axis=-1, keepdims=True)).astype(dtype)


KINDS_TIMED = ("dirichlet1", "dirichlet0.1", "lm", "zipf")


def timing(runs: int, T: float, kinds: tuple[str, ...], shapes: list[tuple[int, int]]) -> None:
    """``apply`` vs ``KERNELS`` vs each variant vs SciPy vs the floor, per input kind."""
    from skd.operators import apply, choice, jit, library
    from skd.operators import kernels as K

    try:
        from scipy.special import softmax
    except ImportError:  # pragma: no cover - scipy is optional here
        softmax = None

    numba_ok = jit.available()
    nthreads = 0
    if numba_ok:
        import numba

        nthreads = numba.get_num_threads()
    print(f"CPU {choice.cpu_model()!r}, {os.cpu_count()} CPUs; numpy {np.__version__}, numba "
          f"{__import__('numba').__version__ if numba_ok else 'n/a'} ({nthreads} threads); T={T}; "
          f"median of {runs} runs, ms ({'wall' if CLOCK is time.perf_counter else 'CPU'} time)")
    fma = jit.FMA if numba_ok else False
    print(f"CPU identity {choice.cpu_identity()!r}; NumPy SIMD dispatch {choice.numpy_simd()!r}; Numba kernels in "
          f"{'fused (FMA)' if fma else 'plain'} forms")
    print(f"calibrated choice (cache {choice.cache_path()}): {choice.choices()}"
          f"{' (provisional: the calibration was disturbed)' if choice.provisional() else ''}")
    print(f"SKD_KERNEL={os.environ.get('SKD_KERNEL')!r}; threads the kernels would use now: {choice.threads()}"
          f" (free CPUs {choice.free_cpus()})")
    cols = ["floor", "scipy", "apply", "KERNELS", "numpy", "numba"]
    print(f"{'shape':12s} {'dtype':8s} {'input':13s} " + " ".join(f"{c:>8s}" for c in cols)
          + "   apply/kernel  scipy/apply  apply/floor  chosen")
    table: dict[tuple, dict[str, float]] = {}
    for shape in shapes:
        for kind in kinds:
            base = make_input(kind, shape)
            for dtype in (np.float64, np.float32):
                p = as_rows(base, dtype)
                a, b = np.empty_like(p), np.empty_like(p)
                row: dict[str, float] = {}
                row["floor"] = median_ms(lambda: (np.log(p, out=a), np.exp(p, out=b)), runs)
                if softmax is not None:
                    row["scipy"] = median_ms(lambda: softmax(np.log(p) / T, axis=-1), runs)
                row["apply"] = median_ms(lambda: apply(library.power, p, T), runs)
                row["KERNELS"] = median_ms(lambda: K.KERNELS["power"](p, T), runs)
                row["numpy"] = median_ms(lambda: K.NUMPY_KERNELS["power"](p, T), runs)
                if numba_ok:
                    row["numba"] = median_ms(lambda: K.NUMBA_KERNELS["power"](p, T), runs)
                table[(shape, np.dtype(dtype).name, kind)] = row
                cells = " ".join(f"{row[c]:8.2f}" if c in row else f"{'-':>8s}" for c in cols)
                sc = f"{row['scipy'] / row['apply']:10.2f}x" if "scipy" in row else f"{'-':>11s}"
                print(f"{str(shape):12s} {np.dtype(dtype).name:8s} {kind:13s} {cells}   "
                      f"{row['apply'] / row['KERNELS']:11.3f}  {sc}  {row['apply'] / row['floor']:10.2f}   "
                      f"{K.chosen('power', p)}")
    print()
    for shape in shapes:
        for kind in kinds:
            r64, r32 = table[(shape, "float64", kind)], table[(shape, "float32", kind)]
            print(f"{str(shape):12s} {kind:13s} float32 speed-up vs float64 through apply: "
                  f"{r64['apply'] / r32['apply']:5.2f}x (target >= 1.7)")
    # the acceptance ratios once more, measured pairwise (see paired_ratio)
    shape = shapes[0]
    p64 = as_rows(make_input(kinds[0], shape), np.float64)
    a, b = np.empty_like(p64), np.empty_like(p64)
    kern = K.KERNELS["power"]
    print()
    print(f"paired ratios on {shape} float64 {kinds[0]} (median of {runs} per-run ratios, runs interleaved):")
    if softmax is not None:
        r = paired_ratio(lambda: softmax(np.log(p64) / T, axis=-1), lambda: apply(library.power, p64, T), runs)
        print(f"  SciPy / apply           {r:5.2f}x (target >= 3)")
    r = paired_ratio(lambda: apply(library.power, p64, T), lambda: (np.log(p64, out=a), np.exp(p64, out=b)), runs)
    print(f"  apply / floor           {r:5.2f}  (target <= 1.0)")
    r = paired_ratio(lambda: apply(library.power, p64, T), lambda: kern(p64, T), runs)
    print(f"  apply / KERNELS         {r:5.3f}  (target <= 1.05)")


class Busy:
    """One competing CPU-bound process (a Python busy loop) for the duration of a ``with``."""

    def __enter__(self) -> "Busy":
        import subprocess

        self.proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.3)  # let it get going
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.kill()
        self.proc.wait()


# -- accuracy survey --------------------------------------------------------------------------------

KINDS = ("spread", "wide", "ties", "onehot", "zeros", "near_ties", "extreme")


def make_row(kind: str, V: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "onehot":
        w = np.zeros(V)
        w[rng.integers(V)] = 1.0
        return w
    if kind == "extreme":
        p = np.where(rng.random(V) < 0.5, 1e-300, 0.0)
        big = p == 0
        big[rng.integers(V)] = True
        p[big] = 0.0
        p[big] = (1.0 - p.sum()) / big.sum()
        return p
    e = {
        "spread": lambda: rng.uniform(-3.0, 0.0, V),
        "wide": lambda: rng.uniform(-300.0, 0.0, V),
        "ties": lambda: rng.choice(rng.uniform(-6.0, 0.0, size=int(rng.integers(1, 4))), V),
        "near_ties": lambda: -rng.uniform(0.0, 1e-9, V),
        "zeros": lambda: rng.uniform(-30.0, 0.0, V),
    }[kind]()
    e[rng.integers(V)] = 0.0
    w = 10.0**e
    if kind == "zeros":
        drop = rng.random(V) < 0.5
        drop[np.argmax(w)] = False
        w[drop] = 0.0
    return w / w.sum()


def as_dtype(p: np.ndarray, dtype: type) -> np.ndarray:
    if dtype == np.float64:
        return p
    q = p.astype(dtype).astype(np.float64)
    return (q / q.sum()).astype(dtype)


def accuracy(trials: int, seed: int) -> None:
    import mpmath

    from skd.operators import evaluate_mp, jit, library
    from skd.operators import kernels as K
    from skd.operators.arith import MpArith
    from skd.operators.evaluate import eval_expr
    from skd.operators.symbols import T as T_SYM
    from skd.operators.symbols import V as V_SYM
    from skd.operators.symbols import x as X_SYM

    mp = mpmath.MPContext()
    mp.dps = 50
    variants = [(n, "numpy") for n in K.NUMPY_KERNELS]
    if jit.available():
        variants += [(n, "numba") for n in K.SEPARABLE]
    worst: dict[tuple[str, str, str], float] = {}
    rng = np.random.default_rng(seed)

    def exact_by_value(name: str, p: np.ndarray, T: float) -> dict[float, object]:
        if p.shape[-1] <= 64:
            return {i: mp.mpf(v) for i, v in enumerate(evaluate_mp(library.get(name), [float(v) for v in p], T))}
        op = library.get(name)
        ar = MpArith(50)
        values, counts = np.unique(p, return_counts=True)
        env = {T_SYM: ar.num(Fraction(T)), V_SYM: ar.num(p.shape[-1])}
        scores = {}
        for v in values:
            env[X_SYM] = ar.num(Fraction(float(v)))
            scores[float(v)] = mp.mpf(eval_expr(op.score, env, ar))
        total = mp.fsum(scores[float(v)] * int(c) for v, c in zip(values, counts))
        return {i: scores[float(p[i])] / total for i in range(p.shape[-1])}

    for trial in range(trials):
        big = trial % 10 == 9
        kind = KINDS[int(rng.integers(len(KINDS)))]
        if big:
            V = int(rng.choice([65536, int(rng.integers(1000, 65536))]))
            pool = make_row(kind, int(rng.integers(2, 257)), rng)
            idx = rng.integers(0, pool.size, V)
            idx[: pool.size] = np.arange(pool.size)
            w = pool[idx]
            p64 = w / w.sum()
        else:
            V = int(rng.integers(2, 65))
            p64 = make_row(kind, V, rng)
        r = rng.random()
        T = float(rng.choice([1e-4, 1e4, 1.0])) if r < 0.15 else float(10.0 ** rng.uniform(-4, 4))
        for name, variant in variants:
            if big and name not in K.SEPARABLE:
                continue
            for dtype in (np.float64, np.float32):
                p = as_dtype(p64, dtype)
                out = K.variant(name, variant)(p, T)
                assert out.dtype == p.dtype and np.isfinite(out).all()
                exact = exact_by_value(name, p, T)
                u = mp.mpf(float(np.finfo(dtype).eps)) / 2
                tiny = mp.mpf(float(np.finfo(dtype).tiny))
                pmax = mp.mpf(float(p.max()))
                te = mp.mpf(T) ** 2 if name == "power_T2" else mp.mpf(T)
                extra = 0
                if name in ("sparsemax", "entmax15"):
                    extra = 8 * u * (1 + sum(abs(mp.log(mp.mpf(float(p[j])) / pmax)) / mp.mpf(T) for j, e in exact.items() if e > 0))
                if big:  # the extreme outputs of each distinct value cover every entry
                    idxs = set()
                    for v in np.unique(p):
                        pos = np.flatnonzero(p == v)
                        idxs.update((int(pos[np.argmin(out[pos])]), int(pos[np.argmax(out[pos])])))
                else:
                    idxs = set(range(p.shape[-1]))
                ratio = 0.0
                for i in idxs:
                    e = exact[i]
                    L = 0 if p[i] == 0 else abs(mp.log(mp.mpf(float(p[i])) / pmax))
                    bound = 8 * u * (1 + (1 + L) / te) * e + tiny + extra
                    ratio = max(ratio, float(abs(mp.mpf(float(out[i])) - e) / bound))
                key = (name, variant, np.dtype(dtype).name)
                worst[key] = max(worst.get(key, 0.0), ratio)
        if (trial + 1) % 50 == 0:
            print(f"... {trial + 1} trials", file=sys.stderr)
    print(f"worst error / bound over {trials} random inputs (seed {seed}); 1.0 = at the bound")
    print(f"{'kernel':10s} {'numpy f64':>10s} {'numpy f32':>10s} {'numba f64':>10s} {'numba f32':>10s}")
    for name in K.NUMPY_KERNELS:
        cells = [worst.get((name, v, d)) for v in ("numpy", "numba") for d in ("float64", "float32")]
        print(f"{name:10s} " + " ".join(f"{c:10.3f}" if c is not None else f"{'-':>10s}" for c in cells))
    assert max(worst.values()) <= 1.0, "a kernel exceeded its documented bound"


def passes(runs: int, T: float) -> None:
    """One thread, ``(64, 32768)``: the time of each pass of the Numba power kernel."""
    import numba

    from skd.operators import jit as J
    from skd.operators import kernels as K

    if not J.available():
        sys.exit("numba cannot be imported: no Numba kernel to break down")
    njit = numba.njit(error_model="numpy")

    @njit
    def max_pass(x):  # type: ignore[no-untyped-def]
        s = 0.0
        for r in range(x.shape[0]):
            s += np.float64(J.row_max(x[r]))
        return s

    @njit
    def logexp_pass32(x, out, it):  # type: ignore[no-untyped-def]
        for r in range(x.shape[0]):
            xr, orow = x[r], out[r]
            c = np.float32(J.TWO_24 / np.float64(J.row_max(xr)))
            for i in range(xr.shape[0]):  # two loops, as jit.power_row32_m
                orow[i] = J.log_ratio32(xr[i], c) * it
            for i in range(xr.shape[0]):
                orow[i] = J.exp32_nonpos(orow[i])

    @njit
    def logexp_pass64(x, out, it):  # type: ignore[no-untyped-def]
        for r in range(x.shape[0]):
            xr, orow = x[r], out[r]
            c = J.TWO_54 / J.row_max(xr)
            for i in range(xr.shape[0]):  # two loops, as jit.power_row64_m
                orow[i] = J.log_ratio64(xr[i], c) * it
            for i in range(xr.shape[0]):
                orow[i] = J.exp64_nonpos(orow[i])

    @njit
    def sum_pass(out):  # type: ignore[no-untyped-def]
        s = 0.0
        for r in range(out.shape[0]):
            s += J.accurate_sum(out[r])
        return s

    numba.set_num_threads(1)
    rng = np.random.default_rng(0)
    base = rng.dirichlet(np.ones(32768), size=64)
    print(f"one thread, (64, 32768), T={T}, median of {runs} runs (ms); the log/exp pass includes its row maximum; "
          f"float64 log/exp in {'fused (FMA)' if J.FMA else 'plain'} forms")
    for dtype in (np.float64, np.float32):
        x = base.astype(dtype)
        out = np.empty_like(x)
        it = dtype(1.0 / T)
        logexp = logexp_pass32 if dtype == np.float32 else logexp_pass64
        row = {
            "row max": median_ms(lambda: max_pass(x), runs),
            "log/exp": median_ms(lambda: logexp(x, out, it), runs),
            "sum": median_ms(lambda: sum_pass(out), runs),
            "whole kernel": median_ms(lambda: K.NUMBA_KERNELS["power"](x, T), runs),
        }
        print(f"  {np.dtype(dtype).name:8s} " + "  ".join(f"{k} {v:6.3f}" for k, v in row.items()))


def overhead(runs: int, T: float) -> None:
    """``(64, 32768)`` float64 Dirichlet(1): each variant on one and on two threads, unchecked and
    checked (what ``apply`` runs), against the one-thread floor; and the paired cost of the checks
    (ABBA order), in the variants' wrappers and in the bare Numba drivers (preallocated output)."""
    from skd.operators import jit as J
    from skd.operators import kernels as K
    from skd.operators.primitives import check_tolerance

    p = as_rows(make_input("dirichlet1", (64, 32768)), np.float64)
    a, b = np.empty_like(p), np.empty_like(p)
    floor = median_ms(lambda: (np.log(p, out=a), np.exp(p, out=b)), runs)
    print(f"(64, 32768) float64 dirichlet1, T={T}, median of {runs} runs (ms); floor {floor:.2f}; "
          f"paired ratios: median of {runs} per-run ratios, ABBA order")
    variants = {"numpy": K.power_tempered}
    if J.available():
        variants["numba"] = J.power_tempered
    for name, fn in variants.items():
        for n in (1, 2):
            t = median_ms(lambda: fn(p, T, threads=n), runs)
            tc = median_ms(lambda: fn(p, T, threads=n, check=True), runs)
            r = paired_ratio(lambda: fn(p, T, threads=n, check=True), lambda: fn(p, T, threads=n), runs)
            print(f"  {name:5s} {n} thread(s): unchecked {t:6.2f} ({t / floor:.2f}x floor)  checked {tc:6.2f}  "
                  f"checked/unchecked paired {r:.3f}")
    if J.available():
        o, ok = np.empty_like(p), np.empty(p.shape[0], dtype=np.bool_)
        tol = check_tolerance(p.dtype, p.shape[1])
        r = paired_ratio(lambda: J.power_rows64_checked(p, 1.0 / T, o, tol, ok), lambda: J.power_rows64(p, 1.0 / T, o), runs)
        print(f"  bare Numba drivers (two threads, preallocated output): power_rows64_checked / power_rows64 paired {r:.3f}")


def ulps(samples: int, seed: int) -> None:
    """The worst error, in ulps, of each elementary function of the Numba kernels (both forms,
    both dtypes) on ``samples`` random arguments per function and round: ``exp`` on ``[-708, 0]``
    (normal results) and ``[-1, 0]``, ``log`` on ``e^[-700, 700]`` and ``[0.7, 1.42]``; the
    reference is NumPy's ``exp``/``log`` in ``longdouble`` (x87 extended, 64-bit significand) for
    float64 and in float64 for float32. Ten rounds."""
    import numba

    from skd.operators import jit as M

    if not M.FMA:
        print("this CPU has no FMA: only the plain forms are used (and scanned)")

    def runner(fn: Any, scale: Any) -> Any:
        @numba.njit
        def run(x):  # type: ignore[no-untyped-def]
            o = np.empty_like(x)
            for i in range(x.shape[0]):
                o[i] = fn(x[i]) if scale is None else fn(x[i], scale)
            return o

        return run

    forms = ["plain"] + (["fma"] if M.FMA else [])
    fns = {}
    for form in forms:
        fns[("exp", "float64", form)] = runner(getattr(M, f"exp64_nonpos_{form}"), None)
        fns[("log", "float64", form)] = runner(getattr(M, f"log64_{form}"), 0)
        fns[("exp", "float32", form)] = runner(getattr(M, f"exp32_nonpos_{form}"), None)
        fns[("log", "float32", form)] = runner(getattr(M, f"log32_{form}"), np.float32(0.0))
    rng = np.random.default_rng(seed)
    worst = dict.fromkeys(fns, 0.0)
    for _ in range(10):
        q = samples // 4
        x64 = np.concatenate([-rng.uniform(0.0, 708.0, samples - q), -rng.uniform(0.0, 1.0, q)])
        y64 = np.concatenate([np.exp(rng.uniform(-700.0, 700.0, samples - q)), 1.0 + rng.uniform(-0.3, 0.42, q)])
        x32 = np.concatenate([-rng.uniform(0.0, 87.0, samples - q), -rng.uniform(0.0, 1.0, q)]).astype(np.float32)
        y32 = np.concatenate([np.exp(rng.uniform(-80.0, 80.0, samples - q)), 1.0 + rng.uniform(-0.3, 0.42, q)]).astype(np.float32)
        for (fn, dt, form), run in fns.items():
            arg = {("exp", "float64"): x64, ("log", "float64"): y64, ("exp", "float32"): x32, ("log", "float32"): y32}[(fn, dt)]
            wide = np.longdouble if dt == "float64" else np.float64
            ref = (np.exp if fn == "exp" else np.log)(arg.astype(wide))
            got = run(arg).astype(wide)
            keep = ref != 0
            ulp = np.spacing(np.abs(ref[keep]).astype(dt)).astype(wide)
            worst[(fn, dt, form)] = max(worst[(fn, dt, form)], float(np.max(np.abs(got[keep] - ref[keep]) / ulp)))
    print(f"worst error in ulps over {10 * samples} arguments per function (seed {seed})")
    for (fn, dt, form), w in worst.items():
        print(f"  {fn:4s} {dt:8s} {form:6s} {w:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--accuracy", action="store_true", help="run the accuracy survey instead of the timing")
    ap.add_argument("--passes", action="store_true", help="time each pass of the Numba power kernel (one thread)")
    ap.add_argument("--overhead", action="store_true", help="each variant on one and two threads, unchecked and checked")
    ap.add_argument("--ulps", action="store_true", help="scan the kernels' log/exp (both forms and dtypes) for their worst ulp error")
    ap.add_argument("--samples", type=int, default=2_000_000, help="arguments per function and round of --ulps")
    ap.add_argument("--runs", type=int, default=15, help="timed runs per case (median reported; >= 9)")
    ap.add_argument("--T", type=float, default=1.5, help="temperature for the timing (not 2: p**0.5 is a sqrt fast path in NumPy)")
    ap.add_argument("--trials", type=int, default=400, help="random inputs for the accuracy survey")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--busy", action="store_true", help="start one competing CPU-bound process during the timing")
    ap.add_argument("--kinds", default=",".join(KINDS_TIMED), help=f"inputs timed, of {KINDS_TIMED}")
    ap.add_argument("--small", action="store_true", help="also time (4096, 512)")
    ap.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="wall: elapsed time (default); cpu: CPU time of the process (all threads), steadier on a "
        "shared machine for single-threaded variants, but it counts the work of parallel ones, not their latency",
    )
    args = ap.parse_args()
    global CLOCK
    CLOCK = time.perf_counter if args.clock == "wall" else time.process_time
    if args.accuracy:
        accuracy(args.trials, args.seed)
    elif args.ulps:
        ulps(args.samples, args.seed)
    elif args.overhead:
        overhead(max(9, args.runs), args.T)
    elif args.passes:
        passes(max(9, args.runs), args.T)
    else:
        kinds = tuple(k for k in args.kinds.split(",") if k)
        shapes = [(64, 32768)] + ([(4096, 512)] if args.small else [])
        if args.busy:
            with Busy() as busy:
                print(f"one competing CPU-bound process running (pid {busy.proc.pid})")
                timing(max(9, args.runs), args.T, kinds, shapes)
        else:
            timing(max(9, args.runs), args.T, kinds, shapes)


if __name__ == "__main__":
    main()
