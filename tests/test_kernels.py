"""Accuracy and behaviour of the numeric kernels of the built-in operators.

Every kernel variant (NumPy for all eight built-ins, Numba for the five separable ones), in
float64 and float32, is compared entry by entry with the 50-digit mpmath reference
(:func:`skd.operators.evaluate_mp`, inputs taken as exact rationals). The bound is the one in
the :mod:`skd.operators.kernels` docstring, with ``u = finfo(dtype).eps / 2``,
``L_i = log(p_i / p_max)`` and ``T_eff = T`` (``T²`` for ``power_T2``)::

    |computed_i − exact_i| <= 8u·(1 + (1 + |L_i|)/T_eff)·exact_i + finfo(dtype).tiny

* the ``tiny`` term is the absolute allowance for entries whose exact value underflows (an
  entry below the smallest normal number cannot carry relative accuracy);
* an entry whose exact value is 0 (zeros of ``p`` under power-type maps, the entries ``topk``
  drops) must be exactly 0;
* a zero entry of ``p`` with a positive exact output (mixture-type maps at ``T > 1``) is held to
  the tightest case of the bound, ``|L_i| = 0``;
* ``sparsemax``/``entmax15`` outputs are differences, ill-conditioned at the support edge: they
  get the additional absolute term ``8u·(1 + Σ_{j∈S}|z_j|)`` (``S`` the exact support,
  ``z_j = L_j/T``), which also covers an entry that a rounding moves across an exactly
  degenerate support edge. The power-type bound is never loosened.

Rows must sum to 1 within ``4uV`` and contain no NaN or inf.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, note, settings
from hypothesis import strategies as st

from skd.operators import apply, evaluate_mp, library
from skd.operators import kernels as K
from skd.operators.arith import MpArith
from skd.operators.evaluate import eval_expr
from skd.operators.symbols import T as T_SYM
from skd.operators.symbols import V as V_SYM
from skd.operators.symbols import x as X_SYM

MP = mpmath.MPContext()
MP.dps = 50

NAMES = [op.name for op in library.ALL]
DTYPES = [np.float64, np.float32]
DIFFERENCE_OPS = ("sparsemax", "entmax15")  # outputs are differences: extra absolute term
VECTOR_MAX_V = 64


def _numba_available() -> bool:
    from skd.operators import jit

    return jit.available()


def _variants() -> list[tuple[str, str]]:
    out = [(name, "numpy") for name in NAMES]
    out += [(name, "numba") for name in K.SEPARABLE]
    return out


def _kernel(name: str, variant: str):  # type: ignore[no-untyped-def]
    if variant == "numba" and not _numba_available():
        pytest.skip("numba cannot be imported here: the Numba variant is the NumPy fallback")
    return K.variant(name, variant)


CASES = [pytest.param(n, v, d, id=f"{n}-{v}-{np.dtype(d).name}") for n, v in _variants() for d in DTYPES]
SEPARABLE_CASES = [
    pytest.param(n, v, d, id=f"{n}-{v}-{np.dtype(d).name}") for n, v in _variants() if n in K.SEPARABLE for d in DTYPES
]

# -- inputs -------------------------------------------------------------------------------------

KINDS = ("spread", "wide", "ties", "onehot", "zeros", "near_ties", "extreme")


def make_row(kind: str, V: int, seed: int) -> np.ndarray:
    """A float64 distribution of length V (entries 0 or >= ~1e-300) of the given kind."""
    rng = np.random.default_rng(seed)
    if kind == "onehot":
        w = np.zeros(V)
        w[rng.integers(V)] = 1.0
        return w
    if kind == "extreme":  # entries of exactly 1e-300 next to O(1) entries
        p = np.where(rng.random(V) < 0.5, 1e-300, 0.0)
        big = p == 0
        big[rng.integers(V)] = True
        p[big] = 0.0
        p[big] = (1.0 - p.sum()) / big.sum()
        return p
    if kind == "spread":
        e = rng.uniform(-3.0, 0.0, V)
    elif kind == "wide":
        e = rng.uniform(-300.0, 0.0, V)
    elif kind == "ties":
        e = rng.choice(rng.uniform(-6.0, 0.0, size=int(rng.integers(1, 4))), V)
    elif kind == "near_ties":
        e = -rng.uniform(0.0, 1e-9, V)
    else:  # zeros
        e = rng.uniform(-30.0, 0.0, V)
    e[rng.integers(V)] = 0.0
    w = 10.0**e
    if kind == "zeros":
        drop = rng.random(V) < 0.5
        drop[np.argmax(w)] = False
        if V > 1 and not drop.any():
            drop[(np.argmax(w) + 1) % V] = True
        w[drop] = 0.0
    return w / w.sum()


def as_dtype(p: np.ndarray, dtype: type) -> np.ndarray:
    """``p`` as a representable distribution of ``dtype`` (cast, renormalise in float64, cast)."""
    if dtype == np.float64:
        return p.astype(np.float64)
    q = p.astype(dtype).astype(np.float64)
    return (q / q.sum()).astype(dtype)


@st.composite
def rows(draw: st.DrawFn, max_v: int = VECTOR_MAX_V) -> np.ndarray:
    V = draw(st.one_of(st.integers(2, 6), st.integers(2, max_v)))
    kind = draw(st.sampled_from(KINDS))
    seed = draw(st.integers(0, 2**32 - 1))
    note(f"row kind={kind} V={V} seed={seed}")
    return make_row(kind, V, seed)


EXACT_T = [1e-4, 1e4, 1.0, math.nextafter(1.0, 0.0), math.nextafter(1.0, 2.0)]
temperatures = st.one_of(st.sampled_from(EXACT_T), st.floats(-4.0, 4.0).map(lambda e: float(10.0**e)))

# -- the reference and the comparison ---------------------------------------------------------

_REF: dict[tuple[str, str, bytes, float], list] = {}  # type: ignore[type-arg]


def reference(name: str, p: np.ndarray, T: float) -> list:  # type: ignore[type-arg]
    """``evaluate_mp`` at 50 digits on the exact values of ``p`` (cached across variants)."""
    key = (name, p.dtype.str, p.tobytes(), T)
    if key not in _REF:
        if len(_REF) > 4096:
            _REF.clear()
        _REF[key] = [MP.mpf(v) for v in evaluate_mp(library.get(name), [float(v) for v in p], T, dps=50)]
    return _REF[key]


def t_eff(name: str, T: float):  # type: ignore[no-untyped-def]
    t = MP.mpf(T)
    return t * t if name == "power_T2" else t


def check_entries(name: str, p: np.ndarray, T: float, out: np.ndarray, ref: dict, label: str) -> float:  # type: ignore[type-arg]
    """Check ``out[i]`` against ``ref[i]`` for every index in ``ref``; return the worst error/bound."""
    dt = p.dtype
    u = MP.mpf(float(np.finfo(dt).eps)) / 2
    tiny = MP.mpf(float(np.finfo(dt).tiny))
    pmax = MP.mpf(float(p.max()))
    te = t_eff(name, T)
    extra = MP.zero
    if name in DIFFERENCE_OPS:
        s = sum(abs(MP.log(MP.mpf(float(p[j])) / pmax)) / MP.mpf(T) for j, r in ref.items() if r > 0)
        extra = 8 * u * (1 + s)
    worst = 0.0
    for i, r in ref.items():
        o = MP.mpf(float(out[i]))
        where = f"{label}: entry {i} p_i={float(p[i])!r} T={T!r} got {float(out[i])!r} exact {MP.nstr(r, 20)}"
        if r == 0 and name not in DIFFERENCE_OPS:
            assert o == 0, where + " (exact value is 0: must be exactly 0)"
            continue
        L = MP.zero if p[i] == 0 else abs(MP.log(MP.mpf(float(p[i])) / pmax))
        bound = 8 * u * (1 + (1 + L) / te) * r + tiny + extra
        err = abs(o - r)
        assert err <= bound, where + f" error {MP.nstr(err, 5)} > bound {MP.nstr(bound, 5)}"
        worst = max(worst, float(err / bound))
    return worst


def check_row_basics(p: np.ndarray, out: np.ndarray, label: str) -> None:
    assert out.dtype == p.dtype, f"{label}: output dtype {out.dtype} != input dtype {p.dtype}"
    assert out.shape == p.shape, f"{label}: output shape {out.shape} != input shape {p.shape}"
    assert np.isfinite(out).all(), f"{label}: NaN or inf in the output {out!r}"
    assert (out >= 0).all(), f"{label}: negative entry in {out!r}"
    u = float(np.finfo(p.dtype).eps) / 2
    V = p.shape[-1]
    for row in out.reshape(-1, V):
        total = math.fsum(float(v) for v in row)
        assert abs(total - 1.0) <= 4 * u * V, f"{label}: row sums to {total!r}, not within 4uV of 1"


# -- accuracy -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "variant", "dtype"), CASES)
@settings(deadline=None)  # the first call of a Numba kernel compiles (or loads its cache)
@given(p64=rows(), T=temperatures)
# a sparsemax row whose sum missed 4uV by rounding in the threshold (fixed by renormalising rows)
@example(p64=np.array([0.02815924] * 20 + [0.23970049] + [0.02815924] * 7) / np.array([0.02815924] * 20 + [0.23970049] + [0.02815924] * 7).sum(),
         T=2.2467900918126444)
def test_kernels_match_mp_reference_within_conditioning_bound(name: str, variant: str, dtype: type, p64: np.ndarray, T: float) -> None:
    kernel = _kernel(name, variant)
    p = as_dtype(p64, dtype)
    out = kernel(p, T)
    label = f"{name}/{variant}/{np.dtype(dtype).name}"
    check_row_basics(p, out, label)
    ref = reference(name, p, T)
    check_entries(name, p, T, out, dict(enumerate(ref)), label)


def grouped_reference(name: str, p: np.ndarray, T: float) -> dict[float, object]:
    """Exact ``F_T(p)`` per distinct value of ``p``: the score of the declared formula at 50
    digits for each distinct value, the normaliser as ``Σ count · score`` (exact inputs)."""
    op = library.get(name)
    ar = MpArith(50)
    values, counts = np.unique(p, return_counts=True)
    env = {T_SYM: ar.num(Fraction(T)), V_SYM: ar.num(p.shape[-1])}
    scores = {}
    for v in values:
        env[X_SYM] = ar.num(Fraction(float(v)))
        scores[float(v)] = MP.mpf(eval_expr(op.score, env, ar))
    total = MP.fsum(scores[float(v)] * int(c) for v, c in zip(values, counts))
    return {v: s / total for v, s in scores.items()}


def test_kernels_grouped_reference_matches_evaluate_mp() -> None:
    """The big-V reference below (grouped by distinct value) is the same map as evaluate_mp."""
    p = np.array([0.25, 0.125, 0.25, 0.0, 0.375])
    for name in K.SEPARABLE:
        for T in (0.3, 1.0, 2.5):
            grouped = grouped_reference(name, p, T)
            direct = evaluate_mp(library.get(name), [float(v) for v in p], T)
            for v, d in zip(p, direct):
                assert abs(grouped[float(v)] - MP.mpf(d)) <= MP.mpf(10) ** -45, (name, T, v)


@st.composite
def big_rows(draw: st.DrawFn) -> np.ndarray:
    """A row with V up to 65536 whose entries take at most 256 distinct values."""
    V = draw(st.one_of(st.sampled_from([65536, 4097]), st.integers(1000, 65536)))
    kind = draw(st.sampled_from(KINDS))
    K_distinct = draw(st.integers(2, 256))
    seed = draw(st.integers(0, 2**32 - 1))
    note(f"big row kind={kind} V={V} distinct={K_distinct} seed={seed}")
    pool = make_row(kind, K_distinct, seed)
    rng = np.random.default_rng(seed + 1)
    idx = rng.integers(0, K_distinct, V)
    idx[: K_distinct] = np.arange(K_distinct)  # every pool value occurs
    rng.shuffle(idx)
    w = pool[idx]
    return w / w.sum()


@pytest.mark.parametrize(("name", "variant", "dtype"), SEPARABLE_CASES)
@settings(max_examples=5, deadline=None)
@given(p64=big_rows(), T=temperatures)
def test_kernels_big_rows_match_mp_reference(name: str, variant: str, dtype: type, p64: np.ndarray, T: float) -> None:
    """V up to 65536: each distinct value's smallest and largest output are checked against the
    exact value, with the exact normaliser over all V entries (so every entry is covered)."""
    kernel = _kernel(name, variant)
    p = as_dtype(p64, dtype)
    out = kernel(p, T)
    label = f"{name}/{variant}/{np.dtype(dtype).name} V={p.shape[-1]}"
    check_row_basics(p, out, label)
    exact = grouped_reference(name, p, T)
    order = np.argsort(p, kind="stable")
    ps = p[order]
    starts = np.flatnonzero(np.r_[True, ps[1:] != ps[:-1]])
    ends = np.r_[starts[1:], ps.size]
    ref: dict[int, object] = {}
    for a, b in zip(starts, ends):
        block = order[a:b]
        vals = out[block]
        for i in (block[np.argmin(vals)], block[np.argmax(vals)]):
            ref[int(i)] = exact[float(p[i])]
    check_entries(name, p, T, out, ref, label)


# -- behaviour ----------------------------------------------------------------------------------

ALL_VARIANTS = [pytest.param(n, v, id=f"{n}-{v}") for n, v in _variants()]


@pytest.mark.parametrize(("name", "variant"), ALL_VARIANTS)
def test_kernels_extreme_temperatures_give_finite_normalised_rows(name: str, variant: str) -> None:
    kernel = _kernel(name, variant)
    base = np.array([[0.5, 0.25, 0.25 - 2e-300, 1e-300, 1e-300, 0.0], [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    for dtype in DTYPES:
        p = base.astype(dtype)
        for T in (1e-4, 1e-3, 0.5, 1.0, 3.0, 1e3, 1e4):
            out = kernel(p, T)
            check_row_basics(p, out, f"{name}/{variant} T={T}")


POWER_LIKE = [("power", 0.37), ("power_T2", 0.8), ("hybrid", 0.6), ("topk", 3.0), ("sparsemax", 0.5), ("entmax15", 0.5)]


@pytest.mark.parametrize(("name", "variant"), [p for p in ALL_VARIANTS if p.values[0] in dict(POWER_LIKE)])
def test_kernels_zero_entries_stay_exactly_zero_for_power_type_maps(name: str, variant: str) -> None:
    kernel = _kernel(name, variant)
    p = np.array([0.0, 0.6, 0.0, 0.3, 0.1, 0.0])
    for dtype in DTYPES:
        for T in (1e-4, dict(POWER_LIKE)[name], 1.0 if name in K.IDENTITY_AT_ONE else 2.0, 1e4 if name != "hybrid" else 0.99):
            out = kernel(p.astype(dtype), T)
            assert (out[p == 0] == 0).all(), f"{name}/{variant} T={T}: {out!r}"
            assert (out[p > 0] > 0).any()


@pytest.mark.parametrize(("name", "variant"), [p for p in ALL_VARIANTS if p.values[0] in ("power", "power_T2")])
def test_kernels_tiny_quotients_keep_relative_accuracy(name: str, variant: str) -> None:
    """p_i / p_max below the smallest normal number: the plain quotient is a subnormal with a
    large relative error (here 25%), which T_eff = 4 would carry into a *normal* output."""
    kernel = _kernel(name, variant)
    T = 4.0 if name == "power" else 2.0
    smallest32 = float(np.finfo(np.float32).smallest_subnormal)
    smallest64 = float(np.finfo(np.float64).smallest_subnormal)
    cases = [np.array([0.75, 0.25, smallest32, 0.0], dtype=np.float32), np.array([0.75, 0.25, smallest64, 0.0])]
    for p in cases:
        plain = p[2] / p[0]  # what a naive kernel would take the log of
        assert abs(Fraction(float(plain)) / (Fraction(float(p[2])) / Fraction(float(p[0]))) - 1) > Fraction(1, 5)
        out = kernel(p, T)
        check_row_basics(p, out, name)
        assert out[2] > np.finfo(p.dtype).tiny  # a normal output: relative accuracy is required
        check_entries(name, p, T, out, dict(enumerate(reference(name, p, T))), f"{name}/{variant}")


def test_kernels_identity_short_circuit_only_where_identity_is_proved() -> None:
    import json
    from pathlib import Path

    matrix = json.loads((Path(__file__).resolve().parents[1] / "verify" / "data" / "expected_matrix.json").read_text())
    proved = {name for name, row in matrix["operators"].items() if row["identity"] == "proved"}
    assert set(K.IDENTITY_AT_ONE) <= proved
    p = np.array([0.5, 0.3, 0.2])
    for name in K.IDENTITY_AT_ONE:
        out = K.NUMPY_KERNELS[name](p, 1.0)
        assert np.allclose(out, p, rtol=4e-16, atol=0), (name, out)
    # vector operators are not the identity at T = 1, and their kernels must not pretend
    expected = {"topk": [0.625, 0.375, 0.0], "sparsemax": None, "entmax15": None}
    for name in K.VECTOR:
        out = K.NUMPY_KERNELS[name](p, 1.0)
        ref = [float(v) for v in evaluate_mp(library.get(name), [0.5, 0.3, 0.2], 1)]
        assert np.allclose(out, ref, rtol=1e-14, atol=1e-15), (name, out, ref)
        assert not np.allclose(out, p, rtol=1e-6), name
        if expected[name] is not None:
            assert np.allclose(out, expected[name], rtol=1e-15), (name, out)


def test_topk_kernel_ties_go_to_the_lower_index() -> None:
    p = np.array([[0.1, 0.3, 0.3, 0.3], [0.3, 0.3, 0.3, 0.1], [0.25, 0.25, 0.25, 0.25], [0.0, 1.0, 0.0, 0.0]])
    out = K.NUMPY_KERNELS["topk"](p, 0.7)
    assert out.tolist() == [[0.0, 0.5, 0.5, 0.0], [0.5, 0.5, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]


@pytest.mark.parametrize(("name", "variant"), ALL_VARIANTS)
def test_kernels_batched_and_strided_inputs_match_row_by_row(name: str, variant: str) -> None:
    kernel = _kernel(name, variant)
    rng = np.random.default_rng(7)
    p = rng.dirichlet(np.ones(5), size=(2, 3))
    p[0, 1, 2] = 0.0
    p[0, 1] /= p[0, 1].sum()
    strided = np.asfortranarray(p)
    for dtype in DTYPES:
        q = strided.astype(dtype, order="F")
        out = kernel(q, 0.45)
        assert out.shape == q.shape and out.dtype == q.dtype
        u = float(np.finfo(dtype).eps) / 2
        for i in range(2):
            for j in range(3):
                row = kernel(np.ascontiguousarray(q[i, j]), 0.45)
                assert np.allclose(out[i, j], row, rtol=8 * u, atol=float(np.finfo(dtype).tiny)), (i, j)


@pytest.mark.parametrize("name", NAMES)
def test_kernels_registry_dispatches_every_builtin_to_its_best_variant(name: str) -> None:
    p = np.array([[0.6, 0.25, 0.15], [0.2, 0.2, 0.6]])
    T = 0.8
    best = K.variant(name, K.chosen(name, p))(p, T)
    assert np.array_equal(K.KERNELS[name](p, T), best)
    assert np.array_equal(apply(library.get(name), p, T), best)


@pytest.mark.parametrize("name", list(K.SEPARABLE))
def test_kernels_auto_sends_only_large_multirow_inputs_to_the_chosen_variant(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``auto``: small or one-row inputs run on NumPy; large ones on the variant chosen for this
    CPU (here forced to Numba by ``SKD_KERNEL``; tests/test_kernel_choice.py tests the choice)."""
    kernel = K.KERNELS[name]
    monkeypatch.setattr(K, "NUMBA_KERNELS", {name: lambda p, T: "numba variant"})
    monkeypatch.setitem(K.BEST, name, "auto")
    monkeypatch.setenv("SKD_KERNEL", "numba")
    small = np.full((4, 3), 1 / 3)
    large = np.full((2, K.AUTO_MIN_SIZE // 2), 2 / K.AUTO_MIN_SIZE)
    one_row = np.full((1, K.AUTO_MIN_SIZE), 1 / K.AUTO_MIN_SIZE)
    assert kernel(large, 0.7) == "numba variant"
    assert isinstance(kernel(small, 0.7), np.ndarray) and isinstance(kernel(one_row, 0.7), np.ndarray)


@pytest.mark.parametrize("name", list(K.SEPARABLE))
def test_kernels_registry_follows_best_at_call_time(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    p = np.array([[0.6, 0.25, 0.15], [0.2, 0.2, 0.6]])
    kernel = K.KERNELS[name]
    monkeypatch.setattr(K, "NUMBA_KERNELS", {name: lambda p, T: "numba variant"})
    monkeypatch.setitem(K.BEST, name, "numba")
    assert kernel(p, 0.3) == "numba variant"
    monkeypatch.setitem(K.BEST, name, "numpy")
    assert np.array_equal(kernel(p, 0.3), K.NUMPY_KERNELS[name](p, 0.3))


def test_kernels_vector_operators_are_vectorised_over_rows() -> None:
    """4096 rows must take well under a second: a Python loop over rows (~1 ms a row) cannot."""
    p = np.random.default_rng(3).dirichlet(np.ones(32), size=4096)
    for name in K.VECTOR:
        K.NUMPY_KERNELS[name](p[:8], 0.5)
        t0 = time.perf_counter()
        K.NUMPY_KERNELS[name](p, 0.5)
        assert time.perf_counter() - t0 < 1.0, name


def _run(code: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_kernels_importing_skd_does_not_import_numba() -> None:
    res = _run(
        "import sys, numpy as np\n"
        "import skd.operators, skd.operators.kernels as K\n"
        "K.NUMPY_KERNELS['power'](np.array([0.5, 0.5]), 2.0)\n"
        "print('numba' in sys.modules)\n"
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "False"


def test_kernels_numba_variant_falls_back_to_numpy_without_numba() -> None:
    res = _run(
        "import sys, numpy as np\n"
        "sys.modules['numba'] = None  # import numba now raises ImportError\n"
        "import skd.operators.kernels as K\n"
        "from skd.operators import jit\n"
        "out = K.NUMBA_KERNELS['power'](np.array([0.5, 0.25, 0.25]), 0.5)\n"
        "print(jit.available(), isinstance(jit.import_error(), ImportError), K.NUMBA_KERNELS['power'] is K.NUMPY_KERNELS['power'], out.round(6).tolist())\n"
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.split(" ", 3)[:3] == ["False", "True", "True"]
    assert res.stdout.split(" ", 3)[3].strip() == "[0.666667, 0.166667, 0.166667]"


def test_kernels_numba_functions_use_no_fastmath_flags() -> None:
    if not _numba_available():
        pytest.skip("numba cannot be imported here")
    import numba

    from skd.operators import jit

    dispatchers = [v for v in vars(jit).values() if isinstance(v, numba.core.registry.CPUDispatcher)]
    assert len(dispatchers) >= 8 and jit.log64_fma in dispatchers and jit.exp64_nonpos_fma in dispatchers
    for d in dispatchers:
        assert not d.targetoptions.get("fastmath"), d.py_func.__name__
        assert type(d._cache).__name__ != "NullCache", f"{d.py_func.__name__} is not cache=True"
    assert jit.power_rows64.targetoptions.get("parallel")


# -- the Numba building blocks, pinned against transcriptions of their documented algorithms --


def _musl_logf(x: np.ndarray, kscale: int) -> np.ndarray:
    """musl logf.c with the integer steps in int64 (the formulation jit.log32 replaced)."""
    f32 = np.float32
    ix = x.view(np.int32).astype(np.int64) + (0x3F800000 - 0x3F3504F3)
    k = (ix >> 23) - 0x7F - kscale
    ix = (ix & 0x007FFFFF) + 0x3F3504F3
    f = ix.astype(np.int32).view(np.float32) - f32(1.0)
    s = f / (f32(2.0) + f)
    z = s * s
    w = z * z
    t1 = w * (f32(0.40000972152) + w * f32(0.24279078841))
    t2 = z * (f32(0.66666662693) + w * f32(0.28498786688))
    R = t2 + t1
    hfsq = f32(0.5) * f * f
    dk = k.astype(np.float32)
    return s * (hfsq + R) + dk * f32(9.0580006145e-06) - hfsq + f + dk * f32(6.9313812256e-01)


def _musl_expf_nonpos(x: np.ndarray) -> np.ndarray:
    """musl expf.c for x <= 0 with the integer steps in int64."""
    f32 = np.float32
    x = np.where(x > f32(-104.0), x, f32(-104.0))
    k = (x * f32(1.4426950216) - f32(0.5)).astype(np.int64)  # truncation, as int()
    dk = k.astype(np.float32)
    hi = x - dk * f32(6.9314575195e-01)
    lo = dk * f32(1.4286067653e-06)
    r = hi - lo
    rr = r * r
    c = r - rr * (f32(1.6666625440e-1) + rr * f32(-2.7667332906e-3))
    y = f32(1.0) + (r * c / (f32(2.0) - c) - lo + hi)
    big = k < -100
    kk = np.where(big, k + 100, k)
    y = y * ((kk + 127) << 23).astype(np.int32).view(np.float32)
    return np.where(big, y * f32(2.0**-100), y)


def _positive_normal_float32_sample(step: int = 211) -> np.ndarray:
    bits = np.arange(0x00800000, 0x7F800000, step, dtype=np.int64)
    return bits.astype(np.int32).view(np.float32)


def test_jit_float32_log_and_exp_match_the_int64_musl_formulation_bit_for_bit() -> None:
    if not _numba_available():
        pytest.skip("numba cannot be imported here")
    import numba

    from skd.operators import jit

    @numba.njit
    def logs(x, kscale):  # type: ignore[no-untyped-def]
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = jit.log32_plain(x[i], kscale)
        return out

    @numba.njit
    def exps(x):  # type: ignore[no-untyped-def]
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = jit.exp32_nonpos_plain(x[i])
        return out

    x = _positive_normal_float32_sample()  # every binade, ~10^7 values
    for kscale in (0, 24):
        got, want = logs(x, np.float32(kscale)), _musl_logf(x, kscale)
        assert np.array_equal(got, want), f"kscale={kscale}: first mismatch at x={x[np.argmax(got != want)]!r}"
    y = -x[x <= np.float32(200.0)]  # [-200, 0): both underflow branches and the clamp
    y = np.concatenate([y, np.array([-np.inf, -0.0, 0.0], dtype=np.float32)])
    got, want = exps(y), _musl_expf_nonpos(y)
    assert np.array_equal(got, want), f"first mismatch at x={y[np.argmax(got != want)]!r}"


def _ulps(got: np.ndarray, x: np.ndarray, fn: str) -> float:
    """The largest ``|got − f(x)| / ulp(f(x))`` over the sample (``f`` = mpmath's ``exp`` or ``log``,
    40 digits; ulps of ``got``'s dtype, the ulp of a subnormal result being the smallest one)."""
    ctx = mpmath.MPContext()
    ctx.dps = 40
    worst = 0.0
    for g, xi in zip(got.tolist(), x.tolist()):
        ref = ctx.exp(xi) if fn == "exp" else ctx.log(xi)
        if ref == 0:
            assert g == 0.0, f"{fn}({xi!r}) = {g!r}, expected 0"
            continue
        fi = np.finfo(got.dtype)
        ulp = max(float(np.spacing(got.dtype.type(abs(float(ref))))), float(fi.smallest_subnormal))
        worst = max(worst, float(abs(ctx.mpf(g) - ref) / ulp))  # in mpmath: a float of a tiny error would round
    return worst


def _elementary(dtype: str, form: str):  # type: ignore[no-untyped-def]
    """Vectorised runners ``(logs, exps)`` of the kernels' ``log``/``exp`` of ``dtype`` in ``form``
    (``plain`` or ``fma``), after checking that the kernels use the fused forms exactly when
    :data:`jit.FMA` says the CPU has FMA; skips ``fma`` on a CPU without it."""
    import numba

    from skd.operators import jit

    bits = "64" if dtype == "float64" else "32"
    assert (getattr(jit, f"exp{bits}_nonpos") is getattr(jit, f"exp{bits}_nonpos_fma")) == jit.FMA \
        == (getattr(jit, f"log{bits}") is getattr(jit, f"log{bits}_fma"))
    if form == "fma" and not jit.FMA:
        pytest.skip("this CPU has no FMA instructions: the fused form is not used (nor fast) here")
    log_f = getattr(jit, f"log{bits}_{form}")
    exp_f = getattr(jit, f"exp{bits}_nonpos_{form}")
    kscale = 0 if bits == "64" else np.float32(0.0)

    @numba.njit
    def logs(x):  # type: ignore[no-untyped-def]
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = log_f(x[i], kscale)
        return out

    @numba.njit
    def exps(x):  # type: ignore[no-untyped-def]
        out = np.empty_like(x)
        for i in range(x.shape[0]):
            out[i] = exp_f(x[i])
        return out

    return logs, exps


@pytest.mark.parametrize("form", ["plain", "fma"])
def test_jit_float64_log_and_exp_stay_within_their_ulp_bounds(form: str) -> None:
    """The float64 ``log``/``exp`` of the Numba kernels: fdlibm's below 1 ulp; the fused forms
    used where the CPU has FMA — ``log`` below 1 ulp, ``exp`` by a fitted polynomial below 1.25
    ulp (about 1 ulp just below 1, see :func:`jit.exp64_nonpos_fma`) — on a sample of every
    binade of ``log``'s domain and the whole range of ``exp`` (the subnormal results, the clamp
    at -746, ``-inf``, ``±0``); the kernels use the fused forms exactly when :data:`jit.FMA` says
    the CPU has FMA."""
    if not _numba_available():
        pytest.skip("numba cannot be imported here")
    logs, exps = _elementary("float64", form)

    rng = np.random.default_rng(20261208)
    bits = rng.integers(0x0010000000000000, 0x7FF0000000000000, 1500, dtype=np.int64)
    x = np.concatenate([bits.view(np.float64), 1.0 + rng.uniform(-0.3, 0.42, 800),
                        1.0 + rng.uniform(-1e-8, 1e-8, 200), [1.0, 2.0, 0.5, 2.0**-1022, np.nextafter(1.0, 0.0)]])
    assert _ulps(logs(x), x, "log") < 1.0
    ln2 = math.log(2.0)
    y = np.concatenate([-rng.uniform(0.0, 746.0, 1500), -rng.uniform(0.0, 1.0, 500),
                        -rng.uniform(700.0, 746.0, 500),  # subnormal results and the clamp
                        -(rng.integers(0, 1076, 300) + 0.5) * ln2 + rng.uniform(-1e-9, 1e-9, 300),  # |r| at its largest
                        [0.0, -0.0, -745.2, -745.1, -746.0, -1e4, -np.inf, -1e-300, -472.32244442286463]])
    assert _ulps(exps(y), y, "exp") < (1.25 if form == "fma" else 1.0)


def test_jit_exp_coefficients_are_the_chebyshev_fit_they_claim() -> None:
    """:data:`jit.EXP_G` is re-derived: mpmath's ``chebyfit`` (60 digits) of
    ``(exp(r) − 1 − r)/r²`` on ``|r| <= 1.0001·ln2/2``, degree 9, rounded to double, with the fit's
    error below 0.12u relative to ``exp``."""
    if not _numba_available():
        pytest.skip("numba cannot be imported here")
    from skd.operators import jit

    ctx = mpmath.MPContext()
    ctx.dps = 60
    a = ctx.log(2) / 2 * ctx.mpf("1.0001")

    def g(r):  # type: ignore[no-untyped-def]
        if abs(r) < ctx.mpf(10) ** -8:  # the series: the quotient cancels catastrophically there
            return sum(r**k / ctx.factorial(k + 2) for k in range(8))
        return (ctx.exp(r) - 1 - r) / r**2

    poly, err = ctx.chebyfit(g, [-a, a], len(jit.EXP_G), error=True)
    assert tuple(float(c) for c in reversed(poly)) == jit.EXP_G
    assert err * a**2 < ctx.mpf("0.12") * ctx.mpf(2) ** -53



@pytest.mark.parametrize("form", ["plain", "fma"])
def test_jit_float32_log_and_exp_stay_within_their_ulp_bounds(form: str) -> None:
    """float32: musl's ``logf``/``expf`` below 1 ulp; the fused forms used on CPUs with FMA —
    ``logf`` below 1 ulp, ``expf`` by a Taylor polynomial below 1.25 ulp (it reaches ~1 ulp just
    below 1, see :func:`jit.exp32_nonpos_fma`) — on every binade of ``logf``'s domain and the
    whole range of ``expf`` (subnormal results, the clamp at -104, ``-inf``, ``±0``)."""
    if not _numba_available():
        pytest.skip("numba cannot be imported here")
    logs, exps = _elementary("float32", form)

    rng = np.random.default_rng(20261208)
    x = np.concatenate([rng.integers(0x00800000, 0x7F800000, 3000).astype(np.int32).view(np.float32),
                        (1.0 + rng.uniform(-0.3, 0.42, 1000)).astype(np.float32),
                        np.array([1.0, 2.0, 0.5, 2.0**-126, np.nextafter(np.float32(1.0), np.float32(0.0))], np.float32)])
    assert _ulps(logs(x), x, "log") < 1.0
    y = np.concatenate([-rng.uniform(0.0, 104.0, 6000), -rng.uniform(0.0, 1.0, 1000),
                        -rng.uniform(85.0, 104.0, 1000),  # subnormal results and the clamp
                        [0.0, -0.0, -103.9, -104.0, -1e4, -np.inf, -1e-30]]).astype(np.float32)
    assert _ulps(exps(y), y, "exp") < (1.25 if form == "fma" else 1.0)

def _reference_accurate_sum(a: np.ndarray) -> float:
    """The summation order documented in jit.accurate_sum, in plain Python floats."""
    vals = [float(v) for v in a]
    s = comp = 0.0
    for lo in range(0, len(vals), 256):
        block = vals[lo:lo + 256]
        lanes = [0.0] * 16
        for i, v in enumerate(block):  # lane j: block[j], block[16 + j], ... in order
            lanes[i % 16] += v
        while len(lanes) > 1:
            h = len(lanes) // 2
            lanes = [lanes[j] + lanes[j + h] for j in range(h)]
        b = lanes[0]
        t = s + b
        comp += ((s - t) + b) if abs(s) >= abs(b) else ((b - t) + s)
        s = t
    return s + comp


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 2, 15, 16, 17, 255, 256, 257, 1000, 4099])
def test_jit_accurate_sum_follows_its_documented_order_exactly(dtype: type, n: int) -> None:
    if not _numba_available():
        pytest.skip("numba cannot be imported here")
    from skd.operators import jit

    rng = np.random.default_rng(n)
    a = (rng.random(n) * 10.0 ** rng.integers(-30, 3, n)).astype(dtype)
    got = jit.accurate_sum(a)
    assert got == _reference_accurate_sum(a)
    assert abs(got - math.fsum(float(v) for v in a)) <= 32 * np.finfo(np.float64).eps * got


def test_jit_lane_sum_refuses_strided_arrays_at_typing_time() -> None:
    if not _numba_available():
        pytest.skip("numba cannot be imported here")
    import numba

    from skd.operators import jit

    a = np.arange(64, dtype=np.float64)
    assert jit.accurate_sum(a[::2].copy()) == float(np.sum(a[::2]))
    with pytest.raises(numba.core.errors.TypingError):
        jit.accurate_sum(a[::2])  # would read a[0:32] if the layout were ignored


@pytest.mark.parametrize("name", K.SEPARABLE)
@pytest.mark.parametrize("shape", [(3, 40), (4, 20000)])
def test_kernels_numba_accepts_big_endian_and_unaligned_inputs(name: str, shape: tuple[int, int]) -> None:
    if not _numba_available():
        pytest.skip("numba cannot be imported here")
    rng = np.random.default_rng(1)
    p = rng.random(shape)
    p /= p.sum(-1, keepdims=True)
    want = K.NUMBA_KERNELS[name](p, 1.5)
    buf = np.zeros(p.size * 8 + 1, np.uint8)
    unaligned = np.ndarray(p.shape, dtype=np.float64, buffer=buf, offset=1)
    unaligned[...] = p
    assert not unaligned.flags.aligned
    for q in (p.astype(">f8"), unaligned):
        got = K.NUMBA_KERNELS[name](q, 1.5)
        assert got.dtype == np.float64 and got.dtype.isnative
        assert np.array_equal(got, want)


@pytest.mark.slow
def test_kernels_without_fma_use_the_plain_forms_and_meet_the_bound(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A CPU without FMA (here: Numba told to compile for the generic x86-64 CPU, in a process of
    its own with its own Numba cache) gets fdlibm's and musl's forms, and its Numba kernels meet
    the documented bound on Dirichlet, LM-like and tiny-entry rows in both dtypes."""
    if not _numba_available():
        pytest.skip("numba cannot be imported here")
    code = (
        "import sys, numpy as np\n"
        "from skd.operators import jit, kernels as K\n"
        "print(jit.FMA, jit.exp64_nonpos is jit.exp64_nonpos_plain,"
        " jit.log32 is jit.log32_plain)\n"
        "p = np.load(sys.argv[1])\n"
        "for dt in (np.float64, np.float32):\n"
        "    q = p.astype(dt) / p.astype(dt).sum(axis=1, keepdims=True, dtype=dt)\n"
        "    np.save(sys.argv[1].replace('.npy', f'_{np.dtype(dt).name}_in.npy'), q)\n"
        "    np.save(sys.argv[1].replace('.npy', f'_{np.dtype(dt).name}_out.npy'), K.NUMBA_KERNELS['power'](q, 1.5))\n"
    )
    rng = np.random.default_rng(7)
    z = rng.normal(0.0, 3.0, 64)
    rows_ = [rng.dirichlet(np.ones(64)), np.exp(z - z.max()) / np.exp(z - z.max()).sum(),
             np.r_[1.0, np.full(63, 1e-300)] / (1.0 + 63e-300), np.r_[0.5, 0.5, np.zeros(62)]]
    path = tmp_path / "p.npy"
    np.save(path, np.array(rows_))
    env = {**__import__("os").environ, "NUMBA_CPU_NAME": "generic", "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    res = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=600, env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["False", "True", "True"]
    for dt in ("float64", "float32"):
        p = np.load(tmp_path / f"p_{dt}_in.npy")
        out = np.load(tmp_path / f"p_{dt}_out.npy")
        for r in range(p.shape[0]):
            check_row_basics(p[r], out[r], f"power/numba-generic/{dt}")
            check_entries("power", p[r], 1.5, out[r], dict(enumerate(reference("power", p[r], 1.5))), f"power/numba-generic/{dt}")


def test_kernels_call_only_numba_functions_defined_in_jit_py() -> None:
    """Numba invalidates a cached function only when its own file changes: a kernel that inlined
    an elementary function from another module kept running the old code after that module was
    edited (the float64 ``exp`` of 2026-12-08, measured stale for half an hour). So every Numba
    function reachable from :mod:`skd.operators.jit`'s globals is defined in ``jit.py``."""
    if not _numba_available():
        pytest.skip("numba cannot be imported here")
    import numba

    from skd.operators import jit

    foreign = [name for name, v in vars(jit).items() if isinstance(v, numba.core.registry.CPUDispatcher)
               and v.py_func.__code__.co_filename != jit.__file__]
    assert not foreign, f"Numba functions defined outside jit.py: {foreign}"
