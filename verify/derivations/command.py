"""``skd derive``: the command line of the derivations (``design.md`` §6).

::

    skd derive NAME | --score EXPR | --file PATH[:NAME]   [--format md|latex|json] [--out DIR]
    skd derive --all [--out DIR] [--check] [--format ...]
    skd derive --classes [--format md|json] [--out DIR]
    skd derive --paper [--out DIR]
    ... [--baseline FILE] [--strict] [--timeout S] [--topic TOPIC ...]

Exit codes: ``0`` done (or no drift / no regression), ``1`` drift from the goldens under
``--check`` or a regression / changed constant under ``--baseline``, ``2`` bad input or usage,
``4`` internal error. A refuted hypothesis is a result, not an error: ``derive`` exits ``0``.

>>> from skd.verify.cli import main
>>> main(["derive", "no_such_operator"])
2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from skd.operators import Operator, library
from skd.theory.theorems import TOPICS

__all__ = ["add_parser", "cmd_derive", "DEFAULT_GOLDEN_DIR", "derive_outputs"]

DEFAULT_GOLDEN_DIR = Path("docs/derivations")
EXT = {"md": "md", "latex": "tex", "json": "json"}


def add_parser(sub: Any, positive_float: Callable[[str], float]) -> None:
    d = sub.add_parser(
        "derive",
        help="instantiate the framework's theorems for an operator (claim graph with constants)",
        description="Instantiate the theorems of the framework for an operator: each hypothesis proved, "
        "refuted (with a counterexample) or unknown (with a reason); each conclusion established or not, "
        "with its constants as closed forms in T, eps, m, n, s and the operator's own constants.",
        epilog="exit codes: 0 done / no drift / no regression; 1 drift (--check) or regression (--baseline); "
        "2 bad input; 4 internal error",
    )
    d.add_argument("name", nargs="?", metavar="NAME", help="a built-in operator (see 'skd list')")
    d.add_argument("--score", metavar="EXPR", help="a separable score g(x, T, V), e.g. 'x**(1/T)'")
    d.add_argument("--name", dest="score_name", metavar="LABEL", default="custom", help="name of the --score operator")
    d.add_argument("--file", metavar="PATH[:NAME]", help="a Python file defining Operator values")
    what = d.add_mutually_exclusive_group()
    what.add_argument("--all", action="store_true", help="every operator of the built-in library")
    what.add_argument("--classes", action="store_true", help="partition the built-in library under each equivalence notion")
    what.add_argument("--paper", action="store_true", help="write paper-check.md: each claim of the abstract, checked")
    d.add_argument("--format", choices=sorted(EXT), default="md", help="output format (default: md)")
    d.add_argument("--out", metavar="DIR", help="write files into DIR instead of printing (with --all: the goldens)")
    d.add_argument("--check", action="store_true",
                   help="with --all: compare with the goldens in --out (default docs/derivations) by meaning; drift exits 1")
    d.add_argument("--baseline", metavar="FILE", help="compare statuses and constants with a stored derive JSON")
    d.add_argument("--strict", action="store_true", help="with --baseline: improvements, budget unknowns and undecided equalities fail too")
    d.add_argument("--timeout", type=positive_float, default=20.0, metavar="S", help="budget per symbolic step (default: 20)")
    d.add_argument("--topic", action="append", choices=list(TOPICS), metavar="TOPIC",
                   help=f"restrict to a topic (repeatable): {', '.join(TOPICS)}")
    d.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                   help="operators derived in parallel with --all (default: 2)")


def _console(stream: Any) -> Console:
    wide = not stream.isatty() and "COLUMNS" not in os.environ
    return Console(file=stream, highlight=False, width=120 if wide else None)


#: ``after(op, derivation)``: more work on a fresh derivation in the worker that computed it (e.g.
#: ``tools/regenerate.py --crosscheck`` cross-checks it there instead of deriving the library again)
After = Callable[[Operator, Any], Any]


def derive_outputs(op: Operator, topics: Sequence[str] | None, timeout: float, report: Any = None,
                   after: After | None = None) -> dict[str, Any]:
    """Derive ``op`` and render it in every format (run in a worker process by ``--all``);
    ``report``: an existing ``skd check`` report of ``op`` (else computed when needed);
    ``after``: called with ``op`` and the derivation, its result under ``"after"``."""
    from . import derive
    from .render import json_text, latex_document, markdown

    d = derive(op, topics=topics, timeout=timeout, report=report)
    out = {"name": op.name, "json": json.loads(json_text(d, canonical=True)), "md": markdown(d), "latex": latex_document(d),
           "full_json": d.to_json(), "report": None if d.report is None else d.report.to_json()}
    if after is not None:
        out["after"] = after(op, d)
    return out


#: Operators of the running ``--all`` (workers are forked, so they see it without pickling:
#: operators hold kernels and algorithms that need not be picklable).
_FORKED_OPS: Sequence[Operator] = ()
#: ... and their existing check reports by operator name (see ``_derive_many``).
_FORKED_REPORTS: Mapping[str, Any] = {}
#: ... and the work to do after each derivation (see ``derive_outputs``): forked, never pickled
_FORKED_AFTER: After | None = None


def _derive_index(i: int, topics: Sequence[str] | None, timeout: float) -> dict[str, Any]:
    op = _FORKED_OPS[i]
    return derive_outputs(op, topics, timeout, _FORKED_REPORTS.get(op.name), _FORKED_AFTER)


def _derive_many(ops: Sequence[Operator], args: argparse.Namespace, err: Console,
                 reports: Mapping[str, Any] | None = None, after: After | None = None) -> list[dict[str, Any]]:
    """Derive every operator of ``ops`` (``args.jobs`` in parallel); ``reports``: existing
    ``skd check`` reports by operator name, used instead of checking those operators again (the
    caller has matched each to its operator's definition); ``after``: see :func:`derive_outputs`."""
    global _FORKED_REPORTS, _FORKED_AFTER
    reports = reports or {}
    topics = args.topic
    results: dict[str, dict[str, Any]] = {}
    show = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
    total = len(ops)
    if args.jobs > 1 and total > 1:
        global _FORKED_OPS
        _FORKED_OPS = tuple(ops)
        _FORKED_REPORTS = dict(reports)
        _FORKED_AFTER = after
        with ProcessPoolExecutor(max_workers=args.jobs, mp_context=get_context("fork")) as pool:
            futures = {pool.submit(_derive_index, i, topics, args.timeout): op.name for i, op in enumerate(ops)}
            from concurrent.futures import as_completed

            for i, fut in enumerate(as_completed(futures), 1):
                res = fut.result()
                results[res["name"]] = res
                err.print(Text(f"derive: {res['name']} done ({i}/{total})"), soft_wrap=True)
    else:
        for i, op in enumerate(ops, 1):
            if show:
                err.print(Text(f"derive: {op.name} … ({i}/{total})"))
            results[op.name] = derive_outputs(op, topics, args.timeout, reports.get(op.name), after)
    return [results[op.name] for op in ops]


def _select(args: argparse.Namespace) -> list[Operator] | None:
    """The operators of NAME / --score / --file (via ``skd check``'s selection), or ``None`` for the library."""
    from ..selection import UsageError, select_operators

    if args.all or args.classes or args.paper:
        given = [f for f, v in (("NAME", args.name), ("--score", args.score), ("--file", args.file)) if v is not None]
        flag = "--all" if args.all else "--classes" if args.classes else "--paper"
        if given:
            raise UsageError(f"{flag} derives the built-in library; do not also give {' and '.join(given)}")
        return None
    ops = select_operators(args)
    if ops is None:
        raise UsageError("give an operator (NAME, --score or --file), or --all, --classes or --paper")
    return ops


def _load_derivations(path: Path, what: str) -> list[dict[str, Any]]:
    from ..reportio import ReportFileError, load_json
    from ..selection import UsageError
    from . import DERIVATION_SCHEMA_VERSION

    try:
        data = load_json(path, what)
    except ReportFileError as exc:
        raise UsageError(str(exc)) from None
    items = data.get("derivations") if isinstance(data, dict) and data.get("kind") == "derivations" else [data]
    if not isinstance(items, list) or not all(
            isinstance(d, dict) and d.get("kind") == "derivation" and isinstance(d.get("operator"), dict)
            and isinstance(d.get("claims"), list) for d in items):
        raise UsageError(f"{what}: {str(path)!r} is not an skd derivation (see verify/data/derivation.schema.json)")
    for d in items:
        if d.get("schema_version") != DERIVATION_SCHEMA_VERSION:
            raise UsageError(f"{what}: {str(path)!r} has schema_version {d.get('schema_version')!r}; "
                             f"this skd reads {DERIVATION_SCHEMA_VERSION}")
    return items


def _print_comparison(console: Console, comp: Any, title: str) -> None:
    any_items = False
    for name, items in comp.sections():
        if items:
            any_items = True
            style = "bold red" if name in ("regressions", "changed constants") else ("" if "re-printed" in name else "yellow")
            console.print(Text(f"{title} — {name}:", style=style))
            for item in items:
                console.print(Text(f"  {item}"), soft_wrap=True)
    if not any_items:
        console.print(Text(f"{title}: no differences."))


def _check_out_dir(text: str) -> None:
    """``--out DIR`` must be a directory that exists or can be created, and writable — checked
    before any derivation runs."""
    import os

    from ..selection import UsageError

    shown = text[:200]
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out: {shown!r} exists and is not a directory")
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise UsageError(f"--out: {shown!r} cannot be created: {str(probe)[:200]!r} is not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(f"--out: {shown!r} is not writable (no write permission on {str(probe)[:200]!r})")


def cmd_derive(args: argparse.Namespace) -> int:
    from ..selection import UsageError
    from .compare import compare_derivations

    out, err = _console(sys.stdout), _console(sys.stderr)
    if args.check and not args.all:
        raise UsageError("--check applies to --all (the committed goldens)")
    if args.strict and not args.baseline:
        raise UsageError("--strict only applies with --baseline")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be >= 1, got {args.jobs}")
    if args.topic and (args.classes or args.paper):
        raise UsageError("--topic does not apply to --classes or --paper (they need every topic)")
    if args.out is not None:
        _check_out_dir(args.out)
    elif args.paper:
        _check_out_dir("docs")
    ops = _select(args)
    baseline = _load_derivations(Path(args.baseline), "--baseline") if args.baseline else None

    if args.classes:
        from .equivalence import partition

        result = partition(library.ALL, timeout=args.timeout)
        from .classes_render import classes_json, classes_markdown

        text = classes_json(result) if args.format == "json" else classes_markdown(result)
        if args.out:
            target = Path(args.out) / ("classes." + ("json" if args.format == "json" else "md"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            err.print(Text(f"wrote {target}"))
        else:
            sys.stdout.write(text)
        return 0

    if args.paper:
        from ..verdict import Report
        from .equivalence import partition
        from .paper import paper_check

        results = _derive_many(library.ALL, args, err)
        reports = {r["name"]: Report.from_json(r["report"]) for r in results if r["report"] is not None}
        classes = partition(library.ALL, timeout=args.timeout, reports=reports)
        text = paper_check(results, classes=classes)
        target = Path(args.out or "docs") / "paper-check.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        err.print(Text(f"wrote {target}"))
        return 0

    targets = library.ALL if ops is None else ops
    results = _derive_many(targets, args, err)
    code = 0
    if args.check:
        golden = Path(args.out) if args.out else DEFAULT_GOLDEN_DIR
        if not golden.is_dir():
            raise UsageError(f"--check: no golden directory {str(golden)!r} (generate it with skd derive --all --out {golden})")
        stored = []
        missing = []
        for r in results:
            path = golden / f"{r['name']}.json"
            if path.exists():
                stored.extend(_load_derivations(path, "--check"))
            else:
                missing.append(str(path))
        comp = compare_derivations(stored, [r["json"] for r in results], seconds=args.timeout)
        comp.structure.extend(f"missing golden {m}" for m in missing)
        for r in results:
            md = golden / f"{r['name']}.md"
            if not md.exists():
                comp.structure.append(f"missing golden {md}")
            elif md.read_text(encoding="utf-8") != r["md"]:
                comp.reprinted.append(f"{md}: text differs (meaning compared through the JSON)")
        _print_comparison(out, comp, f"derive --check against {golden}")
        if comp.drifted():
            out.print(Text(f"drift: regenerate with 'skd derive --all --out {golden}' and review the diff.", style="bold red"))
            code = 1
        else:
            out.print(Text("no drift: every derivation matches the goldens by meaning.", style="green"))
    elif args.out:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        for r in results:
            if ops is None:  # goldens: canonical JSON and Markdown
                (folder / f"{r['name']}.json").write_text(json.dumps(r["json"], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
                (folder / f"{r['name']}.md").write_text(r["md"], encoding="utf-8")
            else:
                body = json.dumps(r["full_json"], indent=2, ensure_ascii=False) + "\n" if args.format == "json" else r[args.format]
                (folder / f"{r['name']}.{EXT[args.format]}").write_text(body, encoding="utf-8")
        if ops is None:
            (folder / "README.md").write_text(_index(results), encoding="utf-8")
        err.print(Text(f"wrote {len(results)} derivation(s) to {folder}"))
    elif baseline is None:
        for i, r in enumerate(results):
            if args.format == "json":
                if len(results) == 1:
                    sys.stdout.write(json.dumps(r["full_json"], indent=2, ensure_ascii=False) + "\n")
                else:
                    if i == 0:
                        from . import DERIVATION_SCHEMA_VERSION

                        sys.stdout.write(json.dumps({"schema_version": DERIVATION_SCHEMA_VERSION, "kind": "derivations",
                                                     "derivations": [x["full_json"] for x in results]},
                                                    indent=2, ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(r[args.format] + ("\n" if i + 1 < len(results) else ""))
    if baseline is not None:
        comp = compare_derivations(baseline, [r["json"] for r in results], seconds=args.timeout)
        _print_comparison(err if args.format == "json" and not args.out else out, comp, f"derive --baseline {args.baseline}")
        if comp.failed(args.strict):
            code = 1
    return code


#: Theorems whose conclusion does not depend on the operator (identities, toy models, R3): the index
#: counts them once, not once per operator.
OPERATOR_AGNOSTIC = ("squared_loss_decomposition", "kl_decomposition", "empirical_teacher", "sparse_vs_dense",
                     "euler_continuation")


def _index(results: Sequence[dict[str, Any]]) -> str:
    lines = ["# Derivations of the built-in operators", "",
             "Generated by `skd derive --all --out docs/derivations` — do not edit; CI runs `skd derive --all --check`.",
             "", "Counts of the operator-specific conclusions (one per theorem, one per other operator for "
             "reparametrisation equivalence); *partial scope* counts the established ones that hold only "
             "on a stated scope (see each page).", "",
             "| operator | established | of which partial scope | conditional | not established |", "|---|---|---|---|---|"]
    agnostic: dict[str, set[str]] = {}
    for r in results:
        claims = [c for c in r["json"]["claims"] if c["role"] == "conclusion"]
        for c in claims:
            if c["theorem"] in OPERATOR_AGNOSTIC:
                agnostic.setdefault(c["theorem"], set()).add(c["status"])
        claims = [c for c in claims if c["theorem"] not in OPERATOR_AGNOSTIC]
        count = {s: sum(1 for c in claims if c["status"] == s) for s in ("established", "conditional", "not_established")}
        partial = sum(1 for c in claims if c["status"] == "established" and (c.get("scope") or "full") != "full")
        lines.append(f"| [{r['name']}]({r['name']}.md) | {count['established']} | {partial} | {count['conditional']} "
                     f"| {count['not_established']} |")
    if agnostic:
        lines += ["", "Operator-agnostic theorems, counted once (their conclusion is the same for every operator): "
                  + ", ".join(f"`{k}` ({'/'.join(sorted(v)).replace('_', ' ')})" for k, v in agnostic.items()) + "."]
    return "\n".join(lines) + "\n"
