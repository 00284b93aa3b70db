"""Shared helpers: results file, drift comparison, lazy matplotlib, progress output."""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.json"
FIGURES = ROOT / "docs" / "figures"
DOC = ROOT / "docs" / "experiments.md"

#: Default drift tolerances for ``--check``: every run is seeded, so differences come only from
#: floating-point summation order (BLAS, NumPy versions).
RTOL = 1e-6
ATOL = 1e-9


def progress(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def load_results() -> dict[str, Any]:
    if RESULTS.exists():
        return json.loads(RESULTS.read_text())
    return {}


def save_results(res: dict[str, Any]) -> None:
    RESULTS.write_text(json.dumps(res, indent=1, sort_keys=True) + "\n")


def _clean(x: Any) -> Any:
    """Convert NumPy scalars/arrays to plain JSON values (floats rounded to 12 significant digits)."""
    import numpy as np

    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, np.ndarray):
        return _clean(x.tolist())
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        v = float(x)
        return v if not math.isfinite(v) or v == 0 else float(f"{v:.12g}")
    return x


clean = _clean


def compare(old: Any, new: Any, path: str = "", rtol: float = RTOL, atol: float = ATOL) -> list[str]:
    """Differences between two result trees (numbers within ``rtol``/``atol`` agree)."""
    out: list[str] = []
    if isinstance(old, dict) and isinstance(new, dict):
        if old.get("_rtol") is not None:
            rtol = float(old["_rtol"])
        for k in sorted(set(old) | set(new)):
            if k not in old or k not in new:
                out.append(f"{path}/{k}: present in only one of stored/recomputed")
            else:
                out += compare(old[k], new[k], f"{path}/{k}", rtol, atol)
    elif isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            out.append(f"{path}: length {len(old)} != {len(new)}")
        else:
            for i, (a, b) in enumerate(zip(old, new)):
                out += compare(a, b, f"{path}[{i}]", rtol, atol)
    elif isinstance(old, bool) or isinstance(new, bool) or isinstance(old, str) or isinstance(new, str):
        if old != new:
            out.append(f"{path}: {old!r} != {new!r}")
    elif isinstance(old, (int, float)) and isinstance(new, (int, float)):
        if not math.isclose(float(old), float(new), rel_tol=rtol, abs_tol=atol):
            out.append(f"{path}: stored {old!r}, recomputed {new!r} (rtol {rtol:g})")
    elif old != new:
        out.append(f"{path}: {old!r} != {new!r}")
    return out


def pyplot() -> Any:
    """matplotlib.pyplot with the Agg backend (matplotlib is the optional extra ``experiments``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "font.size": 9})
    return plt


def savefig(fig: Any, name: str) -> Path:
    FIGURES.mkdir(parents=True, exist_ok=True)
    path = FIGURES / name
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def fmt(x: float, digits: int = 4) -> str:
    """Format a number for the docs (significant digits, no trailing noise)."""
    if isinstance(x, int):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) >= 1e-3 and abs(x) < 1e5:
        return f"{x:.{digits}g}"
    return f"{x:.{digits - 1}e}"
