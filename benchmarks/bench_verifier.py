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

``--corpus`` measures instead the user-score side (issue 17, item 3): ``check`` on every
operator of ``tests/corpus.py`` and ``tests/adversarial_corpus.py`` in this process (the CLI's
defaults: ``timeout`` 20 s, attack 1 s), the distribution over operators (median, p90, max) and
per axiom; and ``skd check --score`` as a cold process on every ``--stride``-th operator.

``--vector`` times ``check`` on the user vector operators of ``tests/vector_corpus.py`` declared on
``V in {2, ..., 5}`` (issue 14) and counts their cells against the corpus's truths
(``tests.vector_corpus.truth``): decided of the *settled* cells (a cell whose literal and
"where defined" readings disagree is not settled — the convention of ``tests/adversarial_corpus.py``),
decided of all cells, verdicts on unsettled cells, and every verdict contradicting a truth.

Every cold run also records its CPU seconds (the process and all its workers, user + system) and
the load average: on a machine that is not idle the CPU time is the figure to compare, and an A/B
comparison should alternate the two versions under the same load. ``--library-only`` times only
the cold ``skd check`` runs of the library.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _wall(cmd: list[str]) -> tuple[float, int]:
    t, rc, _ = _wall_cpu(cmd)
    return t, rc


def _wall_cpu(cmd: list[str]) -> tuple[float, int, float]:
    """Wall seconds, exit code and CPU seconds (user + system, the process and all its workers).

    The CPU time depends much less on other processes than the wall time does, so it is the
    figure to compare when the machine is not idle (report the load average with it)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, proc.returncode, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def _skd(*args: str) -> list[str]:
    return [sys.executable, "-m", "skd.verify", *args]


def cold_check(runs: int) -> dict[str, object]:
    times, cpus, loads = [], [], []
    for i in range(runs):
        t, rc, cpu = _wall_cpu(_skd("check"))
        if rc != 0:
            raise SystemExit(f"skd check exited {rc}: the library differs from the expected matrix")
        times.append(t)
        cpus.append(cpu)
        loads.append(os.getloadavg()[0])
        print(f"  skd check (cold) run {i + 1}/{runs}: {t:.2f} s wall, {cpu:.2f} s CPU, load {loads[-1]:.2f}", flush=True)
    return {"runs": [round(t, 3) for t in times], "median_s": round(statistics.median(times), 3),
            "cpu_runs": [round(c, 3) for c in cpus], "median_cpu_s": round(statistics.median(cpus), 3),
            "loadavg": [round(v, 2) for v in loads]}


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


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _dist(values: list[float]) -> dict[str, float]:
    v = sorted(values)
    return {"n": len(v), "median_s": round(statistics.median(v), 3), "p90_s": round(v[int(0.9 * (len(v) - 1))], 3),
            "max_s": round(v[-1], 3)}


def corpus(stride: int) -> dict[str, object]:
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from tests.adversarial_corpus import CASES
    from tests.corpus import BROKEN, CORRECT

    from skd.operators import separable
    from skd.verify import check

    scores = [s for s, _, _ in BROKEN] + [s for s, _ in CORRECT] + [c.score for c in CASES]
    per_op: list[float] = []
    per_axiom: dict[str, list[float]] = {}
    slowest: list[tuple[float, str]] = []
    for k, score in enumerate(scores, 1):
        t0 = time.perf_counter()
        report = check(separable(score, name=f"op{k}"), timeout=20, attack_seconds=1.0)
        dt = time.perf_counter() - t0
        per_op.append(dt)
        slowest.append((dt, score))
        for v in report.verdicts:
            per_axiom.setdefault(v.axiom, []).append(v.seconds)
        print(f"  [{k}/{len(scores)}] {dt:5.2f} s  {score}", flush=True)
    cold, cold_cpu = [], []
    for score in scores[::stride]:
        t, rc, cpu = _wall_cpu(_skd("check", "--score", score))
        if rc == 4:
            raise SystemExit(f"skd check --score {score!r} exited 4 (a bug)")
        cold.append(t)
        cold_cpu.append(cpu)
        print(f"  cold skd check --score {score!r}: {t:.2f} s, {cpu:.2f} s CPU (exit {rc})", flush=True)
    return {"in_process": _dist(per_op), "per_axiom": {a: _dist(v) for a, v in per_axiom.items()},
            "cli_cold": _dist(cold), "cli_cold_cpu": _dist(cold_cpu), "cli_cold_stride": stride,
            "loadavg_at_end": os.getloadavg()[0],
            "slowest": [{"score": s, "seconds": round(t, 2)} for t, s in sorted(slowest, reverse=True)[:8]]}


def vector_corpus(sizes: tuple[int, ...], stride: int) -> dict[str, object]:
    """``check`` (timeout 60 s, attack 1 s) on every ``stride``-th user vector operator of
    ``tests/vector_corpus.py``, declared on ``sizes`` (issue 14: <= 60 s median with sizes up to
    5, per-axiom seconds reported)."""
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from tests.vector_corpus import CORPUS, truth

    from skd.operators import vector
    from skd.verify import check

    if max(sizes) not in (3, 5):
        raise SystemExit(f"the corpus's truths are written for V up to 3 or 5, not {max(sizes)}")
    per_op: list[float] = []
    per_axiom: dict[str, list[float]] = {}
    rows = []
    tally = {"cells": 0, "settled": 0, "decided": 0, "decided_unsettled": 0}
    contradictions: list[str] = []
    chosen = CORPUS[::stride]
    for k, (name, alg, _, _) in enumerate(chosen, 1):
        op = vector(alg, name=name, definition=f"tests/vector_corpus.py: {name}", sizes=sizes)
        t0 = time.perf_counter()
        report = check(op, timeout=60, attack_seconds=1.0)
        dt = time.perf_counter() - t0
        per_op.append(dt)
        for v in report.verdicts:
            per_axiom.setdefault(v.axiom, []).append(v.seconds)
        rows.append({"operator": name, "seconds": round(dt, 2),
                     "verdicts": {v.axiom: [v.status, round(v.seconds, 2)] for v in report.verdicts}})
        for v in report.verdicts:
            holds, _ = truth(name, v.axiom, largest_V=max(sizes))
            tally["cells"] += 1
            tally["settled"] += holds is not None
            tally["decided"] += holds is not None and v.status in ("proved", "refuted")
            tally["decided_unsettled"] += holds is None and v.status in ("proved", "refuted")
            if holds is not None and v.status == ("refuted" if holds else "proved"):
                contradictions.append(f"{name} / {v.axiom}: {v.status}, the truth is {holds}")
        print(f"  [{k}/{len(chosen)}] {dt:6.2f} s  {name}: "
              + " ".join(f"{v.axiom}={v.status}({v.seconds:.1f}s)" for v in report.verdicts), flush=True)
    return {"sizes": list(sizes), "stride": stride, "in_process": _dist(per_op),
            "per_axiom": {a: _dist(v) for a, v in per_axiom.items()}, "operators": rows,
            "cells": {**tally, "contradictions": contradictions}, "loadavg_at_end": os.getloadavg()[0]}


def profiles(runs: int) -> dict[str, object]:
    """``skd check --profile P`` over the library, cold, for the three profiles in turn (each must
    exit 0: every verdict equals that profile's matrix); ``runs`` rounds, medians and their sum
    (issue 14: the three together <= 90 s)."""
    out: dict[str, object] = {}
    total = []
    for r in range(runs):
        t_round = 0.0
        for prof in ("paper", "weak", "closed"):
            t, rc, cpu = _wall_cpu(_skd("check", "--profile", prof, "--timeout", "60"))
            if rc != 0:
                raise SystemExit(f"skd check --profile {prof} exited {rc} (0 expected: the library equals the matrix)")
            out.setdefault(prof, {"wall": [], "cpu": []})["wall"].append(round(t, 2))  # type: ignore[union-attr,index]
            out[prof]["cpu"].append(round(cpu, 2))  # type: ignore[index]
            t_round += t
            print(f"  round {r + 1}: --profile {prof}: {t:.2f} s, {cpu:.2f} s CPU", flush=True)
        total.append(t_round)
    return {**out, "together_wall_s": [round(t, 2) for t in total],
            "together_median_s": round(statistics.median(total), 2), "loadavg_at_end": os.getloadavg()[0]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="cold runs of skd check (median reported; >= 5)")
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    ap.add_argument("--corpus", action="store_true", help="time check() on the two operator corpora instead")
    ap.add_argument("--stride", type=int, default=5, help="with --corpus: every stride-th operator also as a cold CLI run")
    ap.add_argument("--vector", action="store_true",
                    help="time check() on the user vector operators of tests/vector_corpus.py (sizes 2..5) instead")
    ap.add_argument("--profiles", action="store_true",
                    help="time cold `skd check --profile P` of the library for paper, weak and closed instead")
    ap.add_argument("--library-only", action="store_true",
                    help="only the cold `skd check` runs of the library (no imports, per-axiom or derive figures)")
    args = ap.parse_args()
    if args.runs < 5:
        ap.error(f"--runs must be >= 5, got {args.runs}")
    if args.stride < 1:
        ap.error(f"--stride must be >= 1, got {args.stride}")
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
               "processor": _cpu_model(), "date": time.strftime("%Y-%m-%d"),
               "loadavg_at_start": os.getloadavg()[0]}
    print(f"machine: {machine}")
    if args.vector:
        res = vector_corpus((2, 3, 4, 5), args.stride)
        print()
        d = res["in_process"]
        print(f"| check(), user vector operator, V in {{2..5}} | {d['n']} | {d['median_s']:.2f} s | {d['p90_s']:.2f} s | "  # type: ignore[index]
              f"{d['max_s']:.2f} s |")  # type: ignore[index]
        for a, d in res["per_axiom"].items():  # type: ignore[attr-defined]
            print(f"| axiom {a} (Verdict.seconds) | {d['n']} | {d['median_s']:.2f} s | {d['p90_s']:.2f} s | {d['max_s']:.2f} s |")
        c = res["cells"]
        print(f"cells: {c['decided']} of {c['settled']} settled cells decided ({c['decided'] / c['settled']:.1%}); "  # type: ignore[index]
              f"{c['decided']} of all {c['cells']} ({c['decided'] / c['cells']:.1%}); "  # type: ignore[index]
              f"verdicts on unsettled cells: {c['decided_unsettled']}; contradicting a truth: "  # type: ignore[index]
              f"{len(c['contradictions'])} {c['contradictions']}")  # type: ignore[index]
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"machine": machine, **res}, indent=2) + "\n", encoding="utf-8")
        return 0
    if args.profiles:
        res = profiles(max(1, args.runs // 5))
        print(f"| `skd check --profile paper|weak|closed`, library, cold, together | median {res['together_median_s']:.2f} s |")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"machine": machine, **res}, indent=2) + "\n", encoding="utf-8")
        return 0
    if args.corpus:
        res = corpus(args.stride)
        print()
        print("| figure | n | median | p90 | max |")
        print("|---|---|---|---|---|")
        for name, d in [("check(), in process, per operator", res["in_process"]),
                        (f"skd check --score, cold process (every {args.stride}th)", res["cli_cold"]),
                        (f"skd check --score, cold process, CPU seconds (every {args.stride}th)", res["cli_cold_cpu"])]:
            print(f"| {name} | {d['n']} | {d['median_s']:.2f} s | {d['p90_s']:.2f} s | {d['max_s']:.2f} s |")
        for a, d in res["per_axiom"].items():
            print(f"| axiom {a} (Verdict.seconds) | {d['n']} | {d['median_s']:.2f} s | {d['p90_s']:.2f} s | {d['max_s']:.2f} s |")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"machine": machine, **res}, indent=2) + "\n", encoding="utf-8")
            print(f"\nwrote {args.json}")
        return 0
    if args.library_only:
        check = cold_check(args.runs)
        machine["loadavg_at_end"] = os.getloadavg()[0]
        print(f"| `skd check` library, cold, median of {args.runs} | {check['median_s']:.2f} s wall | "
              f"{check['median_cpu_s']:.2f} s CPU | load {machine['loadavg_at_start']:.2f} -> {machine['loadavg_at_end']:.2f} |")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"machine": machine, "check_library_cold": check}, indent=2) + "\n",
                                 encoding="utf-8")
        return 0
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
