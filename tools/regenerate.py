"""Regenerate every generated artefact — or, with ``--check``, verify none has drifted.

One command for all of them (run from the repository root)::

    python tools/regenerate.py            # write everything
    python tools/regenerate.py --check    # exit 1 on drift (CI runs this)
    skd check --json > lib.json && python tools/regenerate.py --check --reports lib.json
                                          # the derivations use those reports instead of checking again
    python tools/regenerate.py --check --crosscheck 8
                                          # and each derivation cross-checked (skd crosscheck --all --cases 8)

Artefacts:

* ``docs/derivations/<name>.{json,md}`` and ``README.md`` — ``skd derive --all`` (JSON compared by
  meaning under ``--check``: canonical form, then symbolic equality);
* ``docs/derivations/classes.md`` — ``skd derive --classes``;
* ``docs/paper-check.md`` — ``skd derive --paper``;
* the reference pages of ``tools/gen_docs.py`` (operator pages, CLI, axioms, schemas);
* the experiments (``python -m experiments``; skipped with a message when matplotlib, the
  ``experiments`` extra, is not installed — CI installs it).

Derivations are computed once and used for the goldens, the paper check and the operator pages.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "docs" / "derivations"


def _say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _given_reports(path: str, ops: Any) -> dict[str, Any]:
    """``skd check --json``'s reports in ``path``, one per library operator (untrusted input:
    :func:`skd.verify.reportio.reports_for`); ValueError naming what does not match."""
    from skd.verify.reportio import ReportFileError, reports_for

    try:
        return reports_for(path, ops, "--reports")
    except ReportFileError as exc:
        raise ValueError(str(exc)) from None


def _crosscheck_derivation(op: Any, derivation: Any, cases: int, timeout: float, topics: Any = None) -> Any:
    """``--crosscheck``: the checks of ``skd crosscheck`` on the derivation just computed (in its worker)."""
    from skd.verify.crosscheck import crosscheck

    return crosscheck(op, topics=topics, cases=cases, timeout=timeout, derivation=derivation)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate (or --check) every generated artefact.")
    parser.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 on drift")
    parser.add_argument("--jobs", type=int, default=2, help="operators derived in parallel (default 2)")
    # 60 s, not skd's 20 s default: the library's slowest obligation (entmax15's well_defined on V <= 5,
    # ~15 s idle on a 2-core AMD EPYC) must not meet its budget when CI runs this beside other jobs;
    # no golden records a budget hit, so a larger budget changes no artefact
    parser.add_argument("--timeout", type=float, default=60.0, help="budget per symbolic step (default 60 s)")
    parser.add_argument("--skip-experiments", action="store_true", help="leave the experiments out")
    parser.add_argument("--reports", metavar="FILE",
                        help="the library's `skd check --json` reports (profile paper), used by the derivations instead "
                             "of checking the library again (CI passes its own check step's); each must match its "
                             "operator's current definition")
    parser.add_argument("--crosscheck", type=int, metavar="CASES",
                        help="also cross-check each operator's derivation (what `skd crosscheck --all --cases CASES` "
                             "checks, on the derivation computed here instead of a second one); exit 1 on a FAIL")
    args = parser.parse_args(argv)
    if args.crosscheck is not None and args.crosscheck < 1:
        parser.error(f"--crosscheck must be >= 1, got {args.crosscheck}")

    from rich.console import Console

    from skd.operators import library
    from skd.verify.derivations.classes_render import classes_markdown
    from skd.verify.derivations.command import _derive_many, _index
    from skd.verify.derivations.compare import compare_derivations
    from skd.verify.derivations.equivalence import partition
    from skd.verify.derivations.paper import paper_check

    drift: list[str] = []
    err = Console(file=sys.stderr, highlight=False)
    ns = argparse.Namespace(topic=None, jobs=args.jobs, timeout=args.timeout)
    given = None
    if args.reports:
        try:
            given = _given_reports(args.reports, library.ALL)
        except ValueError as exc:
            print(f"regenerate.py: error: {exc}", file=sys.stderr)
            return 2
        _say(f"using the check reports of {args.reports} ({len(given)} operators)")
    also = f", each derivation cross-checked on {args.crosscheck} cases per quantity" if args.crosscheck else ""
    _say(f"deriving {len(library.ALL)} operators ({args.jobs} in parallel){also}")
    after = functools.partial(_crosscheck_derivation, cases=args.crosscheck, timeout=args.timeout) if args.crosscheck else None
    results = _derive_many(library.ALL, ns, err, reports=given, after=after)
    failed_checks: list[str] = []
    if args.crosscheck:
        for r in results:
            cc = r["after"]
            skipped = [c for c in cc.checks if c.skipped]
            _say(f"crosscheck {cc.operator}: {len(cc.checks) - len(skipped) - len(cc.failed)} passed, "
                 f"{len(cc.failed)} failed, {len(skipped)} skipped (not established or no independent computation)")
            for c in cc.failed:
                where = ", ".join(f"{k}={v}" for k, v in c.worst.items())
                failed_checks.append(f"crosscheck {cc.operator} / {c.quantity}: deviation {c.deviation:.3g} > "
                                     f"{c.tolerance:g} at {where}")

    texts: dict[Path, str] = {}
    for r in results:
        texts[GOLDEN / f"{r['name']}.md"] = r["md"]
    texts[GOLDEN / "README.md"] = _index(results)
    _say("partitioning the library under each equivalence notion")
    from skd.verify.verdict import Report

    reports = {r["name"]: Report.from_json(r["report"]) for r in results if r["report"] is not None}
    classes = partition(library.ALL, timeout=args.timeout, reports=reports)
    texts[GOLDEN / "classes.md"] = classes_markdown(classes)
    texts[ROOT / "docs" / "paper-check.md"] = paper_check(results, classes=classes)

    if args.check:
        stored = []
        for r in results:
            path = GOLDEN / f"{r['name']}.json"
            if path.exists():
                stored.append(json.loads(path.read_text(encoding="utf-8")))
            else:
                drift.append(f"missing {path.relative_to(ROOT)}")
        comp = compare_derivations(stored, [r["json"] for r in results], seconds=args.timeout)
        for name, items in comp.sections():
            if items and "re-printed" not in name:
                drift += [f"derivations — {name}: {i}" for i in items]
        for path, text in texts.items():
            if not path.exists():
                drift.append(f"missing {path.relative_to(ROOT)}")
            elif path.read_text(encoding="utf-8") != text:
                if path.suffix == ".md" and path.parent == GOLDEN and path.name not in ("README.md", "classes.md"):
                    continue  # golden Markdown: its meaning is compared through the JSON above
                drift.append(f"{path.relative_to(ROOT)} differs from what the code generates")
    else:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for r in results:
            (GOLDEN / f"{r['name']}.json").write_text(json.dumps(r["json"], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        _say(f"wrote {len(texts) + len(results)} derivation artefacts")

    _say("reference pages (tools/gen_docs.py)")
    rc = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_docs.py")] + (["--check"] if args.check else []), cwd=ROOT).returncode
    if rc:
        drift.append("reference pages are stale (python tools/gen_docs.py)")

    if args.skip_experiments:
        _say("experiments skipped (--skip-experiments)")
    elif importlib.util.find_spec("matplotlib") is None:
        _say("experiments skipped: matplotlib is not installed (pip install '.[experiments]')")
    elif (ROOT / "experiments" / "__main__.py").exists():
        _say("experiments (python -m experiments)")
        rc = subprocess.run([sys.executable, "-m", "experiments"] + (["--check"] if args.check else []), cwd=ROOT).returncode
        if rc:
            drift.append("experiments: numbers drifted from experiments/results.json" if args.check else "experiments failed")

    if failed_checks:
        print("CROSS-CHECK FAILURES (a derived quantity disagrees with its independent computation):")
        for d in failed_checks:
            print(f"  {d}")
    if drift:
        print("DRIFT:" if args.check else "PROBLEMS:")
        for d in drift:
            print(f"  {d}")
        if args.check:
            print("regenerate with: python tools/regenerate.py  (then review the diff)")
    if drift or failed_checks:
        return 1
    _say("no drift" if args.check else "done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
