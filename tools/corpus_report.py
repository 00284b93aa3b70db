"""Run ``skd.verify.check`` on the two operator corpora and report soundness and decision rate.

Corpora: ``tests/corpus.py`` (BROKEN + CORRECT) and ``tests/adversarial_corpus.py`` (issue 12).
For every operator and axiom whose truth is settled by hand the verdict is classified as

* **unsound** — ``proved`` where the axiom fails or ``refuted`` where it holds (must be 0);
* decided — any other ``proved`` / ``refuted``;
* unknown — grouped by ``reason_kind`` and a normalised prefix of the reason.

It also reports the time: seconds per operator (median, p90, max, the slowest five) and per
verdict by axiom and status (issue 17, item 3).

A crash of ``check`` (e.g. ``InternalConsistencyError``, the CLI's exit 4) is recorded as exit
code 4 for that operator and all its settled cells count as undecided.

    python tools/corpus_report.py                 # both corpora, text report on stdout
    python tools/corpus_report.py --json          # the same as one JSON object
    python tools/corpus_report.py --only adversarial --match "sqrt"
    python tools/corpus_report.py --cache /tmp/report.jsonl   # resumable

Progress goes to stderr. Exit status: 0 when there is no unsound verdict and no crash, else 1.
"""

from __future__ import annotations

import argparse
import collections
import json
import pathlib
import re
import sys
import time
import traceback

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AXES = ("well_defined", "ranking", "continuity", "entropy", "identity", "boundary_cold", "boundary_hot")


def load_corpora(only: str | None) -> list[tuple[str, str, dict, str]]:
    """(corpus, score, truths, category) for every operator."""
    from tests.adversarial_corpus import CASES
    from tests.corpus import BROKEN, CORRECT

    out = []
    if only in (None, "corpus"):
        out += [("corpus", s, t, "corpus.BROKEN") for s, t, _ in BROKEN]
        out += [("corpus", s, {a: True for a in AXES}, "corpus.CORRECT") for s, _ in CORRECT]
    if only in (None, "adversarial"):
        out += [("adversarial", c.score, c.truths, c.category) for c in CASES]
    return out


def normalise_reason(reason: str | None) -> str:
    """A short, stable key for grouping unknown verdicts: the prover's part, numbers and lists elided."""
    text = (reason or "").strip()
    text = text.split("; refuter:")[0]
    text = re.sub(r"\[[^\[\]]*\]", "[...]", text)
    text = re.sub(r"\[[^\[\]]*\]", "[...]", text)
    text = re.sub(r"'[^']*'", "'...'", text)
    text = re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "N", text)
    text = re.sub(r"\s+", " ", text)
    return text[:110]


def _load_cache(path: pathlib.Path | None) -> dict[str, dict]:
    if path is None or not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            out[rec["score"]] = rec
    return out


def run(only: str | None, match: str | None, timeout: float, attack_seconds: float,
        cache: pathlib.Path | None = None) -> dict:
    from skd.operators import separable
    from skd.verify import check

    entries = [e for e in load_corpora(only) if not match or match in e[1]]
    cached = _load_cache(cache)
    operators = []
    start = time.monotonic()
    for k, (corpus, score, truths, category) in enumerate(entries, 1):
        if score in cached:
            rec = dict(cached[score], corpus=corpus, category=category, truths=truths)
            operators.append(rec)
            print(f"[{k}/{len(entries)} cached] exit {rec['exit_code']} {corpus}: {score}", file=sys.stderr, flush=True)
            continue
        t0 = time.monotonic()
        rec = {"corpus": corpus, "score": score, "category": category, "truths": truths, "verdicts": {},
               "exit_code": None, "error": None}
        try:
            report = check(separable(score, name=f"{corpus}_{k}"), timeout=timeout, attack_seconds=attack_seconds)
            rec["exit_code"] = report.exit_code
            for v in report.verdicts:
                rec["verdicts"][v.axiom] = {"status": v.status, "method": v.method, "reason_kind": v.reason_kind,
                                            "reason": v.reason, "seconds": round(v.seconds, 3)}
        except Exception as exc:  # noqa: BLE001 - a crash is data here (exit 4)
            rec["exit_code"] = 4
            rec["error"] = f"{type(exc).__name__}: {str(exc)[:400]}"
            rec["traceback"] = traceback.format_exc(limit=4)[-1500:]
        rec["seconds"] = round(time.monotonic() - t0, 2)
        operators.append(rec)
        if cache is not None:
            with cache.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({k2: v for k2, v in rec.items() if k2 not in ("truths",)}, default=str) + "\n")
        print(f"[{k}/{len(entries)} {time.monotonic() - start:6.0f}s] exit {rec['exit_code']} {rec['seconds']:5.1f}s "
              f"{corpus}: {score}", file=sys.stderr, flush=True)
    return summarise(operators)


def summarise(operators: list[dict]) -> dict:
    unsound = []
    unknown = []
    per_corpus = collections.defaultdict(lambda: {"settled": 0, "decided": 0, "unsound": 0, "operators": 0})
    exit_codes = collections.Counter()
    crashes = []
    for rec in operators:
        pc = per_corpus[rec["corpus"]]
        pc["operators"] += 1
        exit_codes[rec["exit_code"]] += 1
        if rec["error"]:
            crashes.append({"score": rec["score"], "error": rec["error"]})
        for axiom, truth in rec["truths"].items():
            if truth is None:
                continue
            pc["settled"] += 1
            v = rec["verdicts"].get(axiom)
            if v is None:
                unknown.append({"score": rec["score"], "axiom": axiom, "truth": truth, "reason_kind": "crash",
                                "key": "check crashed: " + (rec["error"] or "")[:80], "reason": rec["error"]})
                continue
            status = v["status"]
            if (truth and status == "refuted") or (not truth and status == "proved"):
                pc["unsound"] += 1
                unsound.append({"corpus": rec["corpus"], "score": rec["score"], "axiom": axiom, "truth": truth,
                                "status": status, "method": v["method"]})
            if status != "unknown":
                pc["decided"] += 1
            else:
                unknown.append({"score": rec["score"], "axiom": axiom, "truth": truth,
                                "reason_kind": v["reason_kind"], "key": normalise_reason(v["reason"]),
                                "reason": v["reason"]})
    groups = collections.defaultdict(list)
    for u in unknown:
        groups[(u["reason_kind"] or "?", u["key"])].append(f"{u['score']} / {u['axiom']}")
    table = sorted(({"reason_kind": k, "reason": r, "count": len(cells), "cells": cells}
                    for (k, r), cells in groups.items()), key=lambda g: (-g["count"], g["reason_kind"], g["reason"]))
    settled = sum(pc["settled"] for pc in per_corpus.values())
    decided = sum(pc["decided"] for pc in per_corpus.values())
    return {
        "unsound": unsound,
        "settled": settled,
        "decided": decided,
        "rate": decided / settled if settled else 0.0,
        "per_corpus": {k: dict(v) for k, v in per_corpus.items()},
        "exit_codes": {str(k): n for k, n in sorted(exit_codes.items(), key=lambda kv: str(kv[0]))},
        "crashes": crashes,
        "unknown_by_reason": table,
        "unknown_by_axiom": dict(collections.Counter(u["axiom"] for u in unknown)),
        "timing": timing(operators),
        "operators": operators,
    }


def _quantiles(values: list[float]) -> dict[str, float]:
    v = sorted(values)
    if not v:
        return {}
    at = lambda q: v[min(len(v) - 1, int(q * len(v)))]  # noqa: E731 - nearest-rank quantile
    return {"n": len(v), "median": at(0.5), "p90": at(0.9), "max": v[-1], "total": round(sum(v), 1)}


def timing(operators: list[dict]) -> dict:
    """Seconds per operator (``check`` wall time, in this process) and per axiom (each verdict's
    ``seconds``: its prover and refuter workers, by status), with the slowest operators."""
    per_axiom: dict[str, dict[str, list[float]]] = collections.defaultdict(lambda: collections.defaultdict(list))
    for rec in operators:
        for axiom, v in rec["verdicts"].items():
            if v.get("seconds") is not None:
                per_axiom[axiom][v["status"]].append(v["seconds"])
                per_axiom[axiom]["all"].append(v["seconds"])
    slowest = sorted((r for r in operators if r.get("seconds") is not None), key=lambda r: -r["seconds"])[:5]
    return {
        "operator": _quantiles([r["seconds"] for r in operators if r.get("seconds") is not None]),
        "per_axiom": {a: {st: _quantiles(xs) for st, xs in by.items()} for a, by in per_axiom.items()},
        "slowest": [{"score": r["score"], "seconds": r["seconds"]} for r in slowest],
    }


def render(s: dict) -> str:
    lines = []
    lines.append(f"UNSOUND VERDICTS: {len(s['unsound'])} (must be 0)")
    for u in s["unsound"]:
        lines.append(f"  {u['corpus']:11s} {u['axiom']:13s} truth={u['truth']!s:5s} got {u['status']:8s} "
                     f"{u['score']}   [{u['method'][:70]}]")
    lines.append("")
    lines.append(f"decided {s['decided']}/{s['settled']} settled cells = {s['rate']:.1%}")
    for name, pc in s["per_corpus"].items():
        rate = pc["decided"] / pc["settled"] if pc["settled"] else 0.0
        lines.append(f"  {name:12s} operators {pc['operators']:4d}  settled {pc['settled']:4d}  decided "
                     f"{pc['decided']:4d} ({rate:.1%})  unsound {pc['unsound']}")
    lines.append("")
    lines.append("exit codes (0 qualifies, 1 refuted, 3 undecided, 4 crash): "
                 + ", ".join(f"{k}: {n}" for k, n in s["exit_codes"].items()))
    for c in s["crashes"]:
        lines.append(f"  CRASH {c['score']}: {c['error'][:200]}")
    lines.append("")
    lines.append("unknown settled cells by axiom: "
                 + ", ".join(f"{a}: {n}" for a, n in sorted(s["unknown_by_axiom"].items(), key=lambda kv: -kv[1])))
    lines.append("")
    t = s.get("timing") or {}
    if t.get("operator"):
        o = t["operator"]
        lines.append(f"seconds per operator (check, in this process): median {o['median']:.2f}, p90 {o['p90']:.2f}, "
                     f"max {o['max']:.2f}, total {o['total']:.0f} over {o['n']}")
        for r in t["slowest"]:
            lines.append(f"  {r['seconds']:6.2f}  {r['score']}")
        lines.append("seconds per verdict, by axiom (median / p90 / max over all verdicts; then by status):")
        for axiom, by in t["per_axiom"].items():
            a = by["all"]
            rest = ", ".join(f"{st} {q['n']} x {q['median']:.2f}" for st, q in sorted(by.items()) if st != "all")
            lines.append(f"  {axiom:14s} {a['median']:5.2f} / {a['p90']:5.2f} / {a['max']:5.2f}   ({rest})")
        lines.append("")
    lines.append("unknown settled cells by reason (reason_kind | normalised reason prefix | count):")
    for g in s["unknown_by_reason"]:
        lines.append(f"  {g['count']:4d}  [{g['reason_kind']}] {g['reason']}")
        for cell in g["cells"][:6]:
            lines.append(f"          - {cell}")
        if len(g["cells"]) > 6:
            lines.append(f"          ... and {len(g['cells']) - 6} more")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
    ap.add_argument("--only", choices=["corpus", "adversarial"], help="one corpus only")
    ap.add_argument("--match", help="only scores containing this substring")
    ap.add_argument("--timeout", type=float, default=20.0, help="per-obligation budget of check (default 20)")
    ap.add_argument("--attack-seconds", type=float, default=0.5, help="refuter attack on proofs (default 0.5)")
    ap.add_argument("--cache", type=pathlib.Path,
                    help="JSON-lines file of per-operator results: reused when present, appended to as operators "
                         "finish (resume an interrupted run; delete it after changing the code under test)")
    args = ap.parse_args(argv)
    summary = run(args.only, args.match, args.timeout, args.attack_seconds, args.cache)
    if args.json:
        print(json.dumps(summary, indent=1, default=str))
    else:
        print(render(summary))
    return 0 if not summary["unsound"] and not summary["crashes"] else 1


if __name__ == "__main__":
    sys.exit(main())
