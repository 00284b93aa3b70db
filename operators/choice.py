"""Which kernel variant runs on this CPU, and on how many threads.

:data:`skd.operators.kernels.KERNELS` has two implementations of each separable built-in: blocked
NumPy (:data:`~skd.operators.kernels.NUMPY_KERNELS`: NumPy's own SIMD ``log``/``exp`` over
cache-sized row blocks, the blocks shared among threads) and Numba
(:data:`~skd.operators.kernels.NUMBA_KERNELS`: per row a log loop and an exp loop over the
in-cache row, with the hand-written ``log``/``exp`` of :mod:`.jit` — fused, division-free
forms on CPUs with FMA — rows in parallel). Which one is faster depends on the CPU, not on the
input, and it goes both ways:

* **Intel Xeon, AVX-512 (Sapphire Rapids)**, NumPy 2.4.6 dispatching its own AVX-512 ``log`` and
  ``exp``: one thread of ``np.log`` + ``np.exp`` (the *floor*) takes 2.55 ms on ``(64, 32768)``
  float64, while the two-thread Numba kernel of 2026-12-06 (fdlibm with its two divisions, no
  FMA, one fused loop) took 4.28 ms (2.34x the floor): LLVM's vectorisation of scalar code lost
  to NumPy's hand-tuned AVX-512 routines there. The Numba kernel of 2026-12-08 does ~35 % less
  work per entry (measured on AMD: one thread 6.85 → 4.2-4.5 ms); if Intel gains as much, it runs
  at ~2.8 ms there on two threads, while the blocked NumPy kernel (the floor plus a few in-cache
  passes, its maxima and checks in one Numba pass) is estimated at 2.3-2.8 ms. Which wins is
  not known without the machine: the calibration measures it there (not measured here).
* **AMD EPYC** (Zen 4, family 25 model 17; NumPy dispatches AVX-512 here too, but the floor is
  3.5-3.9 ms): the Numba kernel runs at 1.06-1.24x the floor on one thread and 0.54-0.63x on two,
  the blocked NumPy kernel at 1.6-1.9x on one and 0.9-1.1x on two
  (``python benchmarks/bench_kernels.py --overhead``). The
  calibration picks **numba** there. (``benchmarks/README.md`` has both sets of figures and the
  commands.)

So the choice is made **per CPU at run time**, by a one-time calibration:

1. ``SKD_KERNEL=numpy`` or ``SKD_KERNEL=numba`` in the environment overrides everything (read at
   every call). Without Numba (``jit.available()`` False) the answer is ``numpy``.
2. Otherwise the cached result for this machine is used: a JSON file in ``$SKD_CACHE_DIR`` (else
   ``~/.cache/skd/``), named after a hash of the **key** — the CPU model string of
   ``/proc/cpuinfo`` (``platform.processor()`` elsewhere) with the CPU's family, model,
   stepping and a digest of its flags (:func:`cpu_identity`: a virtual machine's model string
   can be a bare ``AMD EPYC``), the NumPy version and the SIMD extensions it dispatches to, the
   Numba version and the form of its kernels (``+fma``), the candidate set — and holding the key
   itself, which must match. The file is written atomically
   (a temporary file renamed over it); a missing, corrupt or unreadable file, or one with another
   key, is ignored and the calibration is redone (never an error); a cache directory that
   cannot be written only means the result lives in this process.
3. The calibration times, for each primitive (``power``: ``p^{1/T}`` normalised; ``shifted``:
   ``(p + c)/Σ(p + c)``) and dtype, both candidates **on one thread**, in their checked form
   (what :func:`skd.operators.apply` runs: the input checks fused into the kernel, which cost the
   NumPy variant one in-cache pass and the Numba variant none), on a fixed synthetic input
   (``(8, 32768)`` rows of a softmax of N(0, 3²) logits), interleaved, :data:`CALIBRATION_REPS`
   times each, and keeps the faster by the minimum time (the minimum is the figure least
   disturbed by other processes), once on one thread and once on all usable CPUs. Ties go to
   Numba. **A calibration that another process disturbed is not cached**: if a process was
   running on this process's CPUs just before or just after the timings, or a candidate's
   parallel time exceeds :data:`DISTURBED_RATIO` times its one-thread time (:func:`disturbed`),
   the timings are taken again (:data:`CALIBRATION_ATTEMPTS` in all); if every attempt was
   disturbed the choice serves this process only (:func:`provisional`) and is timed again after
   :data:`PROVISIONAL_RETRY` seconds. (Before this rule a calibration under load cached the
   choice of a collapsed parallel run for good.) It
   takes about 50 ms once the Numba kernels are loaded (loading them — a disk cache of compiled
   code — is paid by the first large call anyway).

Determinism: each variant gives the same bits for the same input on every run, whatever the
number of threads (rows, or fixed row blocks, are computed by the same code whichever thread
runs them). Both variants satisfy the same accuracy bound but need not agree bit for bit, so on
one machine the bits follow the cached choice; deleting the cache may change it only if the
two candidates time within noise of each other.

**Busy check** (:func:`threads`): a parallel kernel on a machine whose other cores are busy
collapses (the issue measured 16.3 ms, 6.3x the floor, for the two-thread Numba kernel beside
one competing process on two cores: every parallel region waits for the thread that shares a
core). So before a parallel run the kernels ask :func:`threads` how many cores are free: the
CPUs this process may use (``os.sched_getaffinity``) minus the processes that other programs
are running right now (``procs_running`` of ``/proc/stat`` minus this process's own running
threads). With one core or fewer free the kernel runs on one thread. The answer is sampled at
most every :data:`BUSY_INTERVAL` seconds (reading ``/proc`` costs ~50 µs). Without ``/proc`` the
1-minute load average stands in. ``SKD_THREADS=n`` overrides it.

**Layering**: this module imports no other module of skd. The kernels (:mod:`.kernels`,
:mod:`.jit`) import it for :func:`threads` and :func:`choose`; the candidates the calibration
times are handed down by :mod:`.kernels` when it is imported (:func:`register`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import platform
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "CANDIDATES",
    "CALIBRATION_REPS",
    "BUSY_INTERVAL",
    "choose",
    "calibrate",
    "choices",
    "cache_key",
    "cache_path",
    "cpu_model",
    "cpu_identity",
    "numpy_simd",
    "disturbed",
    "provisional",
    "threads",
    "free_cpus",
    "Candidates",
    "register",
    "candidates",
]

#: The variants compared by the calibration, in order of preference on a tie.
CANDIDATES: tuple[str, ...] = ("numba", "numpy")
#: Timed runs of each candidate in the calibration (the minimum is kept).
CALIBRATION_REPS = 5
#: Seconds for which one busy check is reused.
BUSY_INTERVAL = 0.5
#: Shape of the calibration input (rows, V): large enough for the cache behaviour of real rows,
#: small enough that the whole calibration takes ~50 ms.
CALIBRATION_SHAPE = (8, 32768)
#: A candidate's parallel time above this multiple of its one-thread time means another process
#: took a core during the calibration (no variant gets slower by parallelising over 8 rows).
DISTURBED_RATIO = 1.25
#: Calibrations tried in a row before a disturbed one is accepted as provisional.
CALIBRATION_ATTEMPTS = 3
#: Seconds after which a provisional choice (from a disturbed calibration) is calibrated again.
PROVISIONAL_RETRY = 60.0
_FORMAT = 4  # version of the cache layout (3: a second choice per primitive for the parallel run, "@<cpus>"
# keys; 4: CPU identity and SIMD dispatch in the key, nothing cached from a disturbed calibration)

_lock = threading.Lock()
_memo: dict[str, str] | None = None
_memo_key: str | None = None
_provisional_at: float | None = None  # time.monotonic() of a disturbed calibration, else None


# -- the key and the cache file --------------------------------------------------------------


def cpu_model() -> str:
    """The CPU model string (``model name`` of ``/proc/cpuinfo``; ``platform.processor()`` or
    the machine type elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith(("model name", "Model", "cpu model")):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


@dataclasses.dataclass(frozen=True)
class Candidates:
    """What the calibration times, supplied through :func:`register` by the module that owns the
    kernels (:mod:`.kernels`, which sits above this one: the kernels ask this module for the
    thread count and the choice, so it never imports them)."""

    #: Numba's version, or None when the Numba kernels are not usable (the choice is then NumPy)
    numba_version: Callable[[], str | None]
    #: ``primitive(candidate, name)``: the primitive ``name`` (``"power"``, called as
    #: ``f(p, t_eff, threads=n, check=True)``, or ``"shifted"``, ``f(p, c, threads=n, check=True)``)
    #: of ``candidate`` (``"numba"`` or ``"numpy"``)
    primitive: Callable[[str, str], Callable[..., Any]]


_candidates: Candidates | None = None


def register(found: Candidates) -> None:
    """Install the calibration's candidates (done by :mod:`skd.operators.kernels` on import)."""
    global _candidates
    _candidates = found


def candidates() -> Candidates:
    """The registered :class:`Candidates` (importing :mod:`skd.operators` registers them)."""
    if _candidates is None:
        raise RuntimeError("no kernel candidates registered: import skd.operators.kernels first")
    return _candidates


def _numba_version() -> str:
    version = candidates().numba_version()
    return "none" if version is None else version


def cpu_identity() -> str:
    """What tells this CPU apart from another with the same model string: ``/proc/cpuinfo``'s
    family, model and stepping and a digest of its feature flags (a virtual machine's
    ``model name`` can be as generic as ``AMD EPYC``, shared by generations whose vector units
    differ). Empty without ``/proc/cpuinfo``."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.strip():
                    break  # the first processor is enough
                name, _, value = line.partition(":")
                fields[name.strip()] = value.strip()
    except OSError:
        return ""
    flags = fields.get("flags", fields.get("Features", ""))
    digest = hashlib.sha256(" ".join(sorted(flags.split())).encode()).hexdigest()[:12]
    return "/".join(fields.get(k, "?") for k in ("cpu family", "model", "stepping")) + f"/flags:{digest}"


def numpy_simd() -> str:
    """The SIMD extensions NumPy dispatches to on this CPU (what its ``log``/``exp`` run), e.g.
    ``X86_V3,X86_V4,AVX512_ICL``; empty when NumPy does not say."""
    import importlib

    try:
        umath = importlib.import_module("numpy._core._multiarray_umath")
        dispatch, features = umath.__cpu_dispatch__, umath.__cpu_features__
    except (ImportError, AttributeError):  # another NumPy layout: the key is then only less specific
        return ""
    return ",".join(f for f in dispatch if features.get(f))


def cache_key() -> str:
    """What the calibration depends on: CPU model and identity, NumPy's version and SIMD
    dispatch, the Numba kernels' version (:attr:`Candidates.numba_version`), the candidates."""
    return (f"cpu={cpu_model()}|id={cpu_identity()}|numpy={np.__version__}|simd={numpy_simd()}"
            f"|numba={_numba_version()}|candidates={','.join(CANDIDATES)}|format={_FORMAT}")


def cache_dir() -> Path:
    """``$SKD_CACHE_DIR``, else ``~/.cache/skd``."""
    env = os.environ.get("SKD_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "skd"


def cache_path(key: str | None = None) -> Path:
    """The cache file of ``key`` (default: this machine's)."""
    key = cache_key() if key is None else key
    return cache_dir() / f"kernel-choice-{hashlib.sha256(key.encode()).hexdigest()[:16]}.json"


def _valid_choice(obj: Any) -> bool:
    return (isinstance(obj, dict) and bool(obj)
            and all(isinstance(k, str) and v in CANDIDATES for k, v in obj.items()))


def _read(path: Path, key: str) -> dict[str, str] | None:
    """The cached choice, or None if the file is missing, unreadable, corrupt or for another key."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("key") != key or not _valid_choice(data.get("choice")):
        return None
    return dict(data["choice"])


def _write(path: Path, record: dict[str, Any]) -> None:
    """Write ``record`` atomically (a temporary file in the same directory, renamed); errors
    are ignored (the result then lives in this process only)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".kernel-choice-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh, indent=1, sort_keys=True)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        pass


# -- the calibration ---------------------------------------------------------------------------


def calibration_input(dtype: Any) -> np.ndarray:
    """The fixed synthetic input: rows of a softmax of N(0, 3²) logits (seed 0)."""
    rng = np.random.default_rng(0)
    z = rng.normal(0.0, 3.0, CALIBRATION_SHAPE)
    w = np.exp(z - z.max(axis=1, keepdims=True))
    p = (w / w.sum(axis=1, keepdims=True)).astype(dtype)
    return p


def _timings(reps: int = CALIBRATION_REPS) -> dict[str, dict[str, float]]:
    """``{"power/float64": {"numba": seconds, "numpy": seconds}, ...}``: minimum of ``reps``
    interleaved one-thread runs of each candidate; with more than one usable CPU also
    ``"power/float64@<n>"`` for runs on ``n`` threads (what an idle machine runs: the variants
    do not parallelise equally well, so the two choices can differ)."""
    primitive = candidates().primitive

    # the checked kernels: what apply runs (the unchecked ones do the same work minus the
    # checks, which cost the NumPy variant one in-cache pass more than the Numba one)
    def prims(n: int) -> dict[str, dict[str, Callable[[np.ndarray], Any]]]:
        def power(c: str) -> Callable[[np.ndarray], Any]:
            f = primitive(c, "power")
            return lambda p: f(p, 1.5, threads=n, check=True)

        def shifted(c: str) -> Callable[[np.ndarray], Any]:
            f = primitive(c, "shifted")
            return lambda p: f(p, 0.25 / p.shape[-1], threads=n, check=True)

        return {c: {"power": power(c), "shifted": shifted(c)} for c in CANDIDATES}

    cpus = _allowed_cpus()
    out: dict[str, dict[str, float]] = {}
    for n in ([1, cpus] if cpus > 1 else [1]):
        out.update({(k if n == 1 else f"{k}@{n}"): v for k, v in _timings_at(prims(n), reps).items()})
    return out


def _timings_at(prims: dict[str, dict[str, Callable[[np.ndarray], Any]]], reps: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for dtype in (np.float64, np.float32):
        p = calibration_input(dtype)
        for prim in ("power", "shifted"):
            fns = {c: prims[c][prim] for c in CANDIDATES}
            for fn in fns.values():
                fn(p)  # warm-up (and compilation/loading)
            best = {c: float("inf") for c in CANDIDATES}
            for _ in range(reps):
                for c, fn in fns.items():
                    t0 = time.perf_counter()
                    fn(p)
                    best[c] = min(best[c], time.perf_counter() - t0)
            out[f"{prim}/{np.dtype(dtype).name}"] = best
    return out


def disturbed(times: dict[str, dict[str, float]]) -> bool:
    """Whether the timings show another process at work: some candidate ran slower on all CPUs
    (``"power/float64@2"``) than on one (``"power/float64"``) by more than
    :data:`DISTURBED_RATIO`. (A calibration under load once cached the choice of a collapsed
    parallel run — Numba at 6.6 ms on two threads against 1.1 ms on one — for good.)"""
    for key, per in times.items():
        base, _, n = key.partition("@")
        if n and base in times and any(per[c] > DISTURBED_RATIO * times[base][c] for c in per if c in times[base]):
            return True
    return False


def _quiet() -> bool:
    """No other process running on this process's CPUs right now (a fresh :func:`free_cpus`)."""
    return free_cpus() >= _allowed_cpus()


def calibrate(*, write: bool = True) -> dict[str, str]:
    """Time the candidates now, store the result (unless ``write=False``) and return
    ``{"power/float64": "numba" | "numpy", ...}``.

    A calibration that another process disturbed — the machine not quiet before or after the
    timings, or :func:`disturbed` timings — is tried again, up to :data:`CALIBRATION_ATTEMPTS`
    times in all; the last is then used by this process only (:func:`provisional`
    is then True), never written, and redone after :data:`PROVISIONAL_RETRY` seconds."""
    global _memo, _memo_key, _provisional_at
    key = cache_key()
    if candidates().numba_version() is None:
        choice = {f"{prim}/{dt}": "numpy" for prim in ("power", "shifted") for dt in ("float64", "float32")}
        times: dict[str, dict[str, float]] = {}
        settled = True
    else:
        for _ in range(CALIBRATION_ATTEMPTS):  # a burst of another process spoils one attempt, rarely three
            quiet_before = _quiet()
            times = _timings()
            settled = quiet_before and _quiet() and not disturbed(times)
            if settled:
                break
        choice = {k: min(CANDIDATES, key=lambda c: (t[c], CANDIDATES.index(c))) for k, t in times.items()}
    if write and settled:
        _write(cache_path(key), {
            "key": key,
            "choice": choice,
            "seconds": times,
            "shape": list(CALIBRATION_SHAPE),
            "reps": CALIBRATION_REPS,
            "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        })
    _memo, _memo_key = choice, key
    _provisional_at = None if settled else time.monotonic()
    return dict(choice)


def provisional() -> bool:
    """Whether this process's choice comes from a disturbed calibration (not cached; redone
    after :data:`PROVISIONAL_RETRY` seconds)."""
    return _provisional_at is not None


def choices() -> dict[str, str]:
    """This machine's calibrated choice: memoised, else read from the cache file, else
    :func:`calibrate` (once per process, or again every :data:`PROVISIONAL_RETRY` seconds while
    it is provisional)."""
    global _memo, _memo_key, _provisional_at
    if _memo is not None and (_provisional_at is None or time.monotonic() - _provisional_at < PROVISIONAL_RETRY):
        return _memo
    with _lock:
        if _memo is not None and (_provisional_at is None or time.monotonic() - _provisional_at < PROVISIONAL_RETRY):
            return _memo
        key = cache_key()
        got = _read(cache_path(key), key)
        if got is not None:  # (another process may have calibrated quietly since a provisional one)
            _memo, _memo_key, _provisional_at = got, key, None
            return got
        return calibrate()


def reset() -> None:
    """Forget the memoised choice (the next :func:`choices` reads the cache file again)."""
    global _memo, _memo_key, _provisional_at
    _memo = _memo_key = None
    _provisional_at = None


_warned: set[str] = set()


def choose(primitive: str, dtype: Any) -> str:
    """``"numba"`` or ``"numpy"`` for ``primitive`` (``"power"`` or ``"shifted"``) on arrays of
    ``dtype``: ``SKD_KERNEL`` if set to one of them, else the calibrated choice."""
    env = os.environ.get("SKD_KERNEL")
    if env:
        env = env.strip().lower()
        if env in CANDIDATES:
            return env
        if env not in _warned:
            _warned.add(env)
            warnings.warn(f"SKD_KERNEL={env!r} is not one of {CANDIDATES}; using the calibrated choice", stacklevel=3)
    made = choices()
    key = f"{primitive}/{np.dtype(dtype).name}"
    n = threads()
    if n > 1 and f"{key}@{n}" in made:
        return made[f"{key}@{n}"]  # the choice for the parallel run the kernel is about to make
    return made.get(key, "numpy")


# -- the busy check ----------------------------------------------------------------------------

_busy_at = -1e9
_busy_val = 1


def _allowed_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _running_elsewhere() -> float | None:
    """Runnable tasks of other processes right now (``procs_running`` of ``/proc/stat`` minus this
    process's running threads), or None without ``/proc``."""
    try:
        with open("/proc/stat", "rb") as fh:
            running = None
            for line in fh:
                if line.startswith(b"procs_running"):
                    running = int(line.split()[1])
                    break
        if running is None:
            return None
        own = 0
        for tid in os.listdir("/proc/self/task"):
            try:
                with open(f"/proc/self/task/{tid}/stat", "rb") as fh:
                    stat = fh.read()
            except OSError:
                continue
            # the state follows the parenthesised command name, which may contain spaces
            if stat[stat.rfind(b")") + 2: stat.rfind(b")") + 3] == b"R":
                own += 1
        return max(0, running - max(own, 1))
    except (OSError, ValueError):
        return None


_BUSY_SAMPLES = 3
_BUSY_SAMPLE_GAP = 0.002  # seconds between samples


def free_cpus() -> int:
    """CPUs this process may use that no other process is using right now (at least 1).

    ``procs_running`` is an instantaneous count: one sample misreads a short burst (a system
    task, a process starting) as a busy core. The least of a few samples a couple of
    milliseconds apart counts only what keeps running. An idle reading needs no confirmation:
    the first sample that sees no other process ends the check (no sleeping on an idle machine)."""
    n = _allowed_cpus()
    samples = []
    for k in range(_BUSY_SAMPLES):
        if k:
            time.sleep(_BUSY_SAMPLE_GAP)
        got = _running_elsewhere()
        if got is None:
            break
        samples.append(got)
        if got == 0:
            break
    others = min(samples) if samples else None
    if others is None:
        try:
            others = max(0.0, os.getloadavg()[0] - 1.0)  # minus (about) ourselves
        except (AttributeError, OSError):
            others = 0.0
    return max(1, n - int(round(others)))


def threads() -> int:
    """How many threads a parallel kernel should use now: ``SKD_THREADS`` if set, else
    :func:`free_cpus` (so one when the other cores are busy), sampled at most every
    :data:`BUSY_INTERVAL` seconds while every CPU is free, every tenth of it while some are busy."""
    global _busy_at, _busy_val
    env = os.environ.get("SKD_THREADS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            pass
    now = time.monotonic()
    # a reading of busy cores is kept for a tenth of the interval only: one burst of another
    # process must not send the next half second of kernel calls to one thread
    held = BUSY_INTERVAL if _busy_val >= _allowed_cpus() else BUSY_INTERVAL / 10
    if now - _busy_at >= held:
        _busy_val = free_cpus()
        _busy_at = now
    return _busy_val
