"""Benchmark of the verifier — a plain script, not part of pytest (timings never gate tests).

::

    python benchmarks/bench_verifier.py [--runs 5] [--json benchmarks/results/verifier.json]

measures, on this machine:

* ``skd check`` over the built-in library in a **cold process** (a new interpreter each run,
  so imports, JIT and in-process memos are paid every time): median of ``--runs`` (>= 5);
* per operator and per axiom: the seconds each verdict took (``Verdict.seconds``) in one
  ``check_library`` run in this process;
* ``skd derive --all`` in a cold process (into a temporary directory): median of 3;
* the import time of ``skd.verify`` (``python -X importtime``, cumulative microseconds of the
  package) and the wall time of ``python -c "import skd.verify.checker"`` (the checker with
  SymPy), medians of 5.

The targets of issue 7 are: ``skd check`` library median ≤ 30 s, ``import skd.verify`` ≤ 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _wall(cmd: list[str]) -> tuple[float, int]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0, proc.returncode


def _skd(*args: str) -> list[str]:
    return [sys.executable, "-m", "skd.verify", *args]


def cold_check(runs: int) -> dict[str, object]:
    times = []
    for i in range(runs):
        t, rc = _wall(_skd("check"))
        if rc != 0:
            raise SystemExit(f"skd check exited {rc}: the library differs from the expected matrix")
        times.append(t)
        print(f"  skd check (cold) run {i + 1}/{runs}: {t:.2f} s", flush=True)
    return {"runs": [round(t, 3) for t in times], "median_s": round(statistics.median(times), 3)}


def per_axiom() -> dict[str, dict[str, float]]:
    from skd.verify.checker import check_library

    out: dict[str, dict[str, float]] = {}
    for report in check_library():
        out[report.operator["name"]] = {v.axiom: round(v.seconds, 3) for v in report.verdicts}
    return out


def cold_derive(runs: int = 3) -> dict[str, object]:
    times = []
    for i in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            t, rc = _wall(_skd("derive", "--all", "--out", tmp))
        if rc != 0:
            raise SystemExit(f"skd derive --all exited {rc}")
        times.append(t)
        print(f"  skd derive --all (cold) run {i + 1}/{runs}: {t:.2f} s", flush=True)
    return {"runs": [round(t, 3) for t in times], "median_s": round(statistics.median(times), 3)}


def import_times(runs: int = 5) -> dict[str, float]:
    cumulative = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import skd.verify"], capture_output=True, text=True)
        line = next(ln for ln in proc.stderr.splitlines()[::-1] if ln.rstrip().endswith("skd.verify"))
        cumulative.append(int(line.split("|")[1]) / 1e6)
    checker = [_wall([sys.executable, "-c", "import skd.verify.checker"])[0] for _ in range(runs)]
    return {"import_skd_verify_s": round(statistics.median(cumulative), 4),
            "import_checker_wall_s": round(statistics.median(checker), 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="cold runs of skd check (median reported; >= 5)")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args()
    if args.runs < 5:
        ap.error(f"--runs must be >= 5, got {args.runs}")
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
               "processor": platform.processor() or "unknown", "date": time.strftime("%Y-%m-%d")}
    print(f"machine: {machine}")
    print("import times …", flush=True)
    imports = import_times()
    print("skd check, cold …", flush=True)
    check = cold_check(args.runs)
    print("per axiom …", flush=True)
    axioms = per_axiom()
    print("skd derive --all, cold …", flush=True)
    derive = cold_derive()
    result = {"machine": machine, "imports": imports, "check_library_cold": check, "per_axiom_seconds": axioms,
              "derive_all_cold": derive}
    print()
    print("| figure | value | target |")
    print("|---|---|---|")
    print(f"| `skd check` library, cold, median of {args.runs} | {check['median_s']:.2f} s | ≤ 30 s |")
    print(f"| `import skd.verify` (cumulative) | {imports['import_skd_verify_s'] * 1e3:.1f} ms | ≤ 1.5 s |")
    print(f"| `import skd.verify.checker` (process wall) | {imports['import_checker_wall_s']:.2f} s | — |")
    print(f"| `skd derive --all`, cold, median of 3 | {derive['median_s']:.2f} s | — |")
    print()
    names = list(axioms)
    ax_ids = list(next(iter(axioms.values())))
    print("| operator | " + " | ".join(ax_ids) + " | total |")
    print("|---|" + "---|" * (len(ax_ids) + 1))
    for n in names:
        row = axioms[n]
        print(f"| {n} | " + " | ".join(f"{row[a]:.2f}" for a in ax_ids) + f" | {sum(row.values()):.2f} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
