"""The ``skd`` command line (``design.md`` §6).

::

    skd list
    skd check [NAME | --score EXPR | --file PATH[:NAME]] [--profile P] [--timeout S] [--seed N]
              [--json] [--baseline FILE] [--strict]
    skd recheck REPORT.json
    skd derive [NAME | --score EXPR | --file PATH[:NAME] | --all | --classes | --paper]
               [--format md|latex|json] [--out DIR] [--check] [--baseline FILE] [--strict]

See :mod:`skd.verify.derivations.command` for ``derive``.

Exit codes of ``skd check`` on operators: ``0`` qualifies, ``1`` some axiom refuted, ``3`` nothing
refuted but something undecided (the worst over several operators from ``--file``). With no
operator the whole built-in library is checked against the committed expected matrix: ``0`` iff
every verdict equals it, ``1`` otherwise. With ``--baseline`` the comparison with the stored
report decides instead: ``1`` for a regression, ``0`` otherwise. ``2`` is bad input or usage and
``4`` an internal error (a bug in skd) — never confused with a refutation.

>>> main(["check", "no_such_operator"])
2
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.text import Text

from ..operators import Operator, library
from ..operators.errors import SkdInputError
from ..theory.axioms import PROFILES
from . import render
from .baseline import Comparison, compare_with_baseline
from .selection import UsageError, load_file_operators, select_operators
from .verdict import SCHEMA_VERSION, InternalConsistencyError, Report, tool_versions

__all__ = [
    "main",
    "build_parser",
    "load_file_operators",
    "compare_with_baseline",
    "Comparison",
    "EXIT_OK",
    "EXIT_REFUTED",
    "EXIT_USAGE",
    "EXIT_UNDECIDED",
    "EXIT_INTERNAL",
]

EXIT_OK = 0
EXIT_REFUTED = 1  # also: library differs from the expected matrix, baseline regression, recheck failure
EXIT_USAGE = 2
EXIT_UNDECIDED = 3
EXIT_INTERNAL = 4


def _checker() -> Any:
    """The checking module (``skd.verify.checker``), imported on first use.

    Imported by name, not as an attribute of :mod:`skd.verify`, because the package may export
    a *function* called ``check`` that shadows the module attribute.
    """
    return importlib.import_module("skd.verify.checker")


def _report_file_error() -> type[Exception]:
    from .reportio import ReportFileError

    return ReportFileError


def _rechecker() -> Any:
    return importlib.import_module("skd.verify.recheck")


# -- argument parsing ---------------------------------------------------------------------------


def _positive_float(text: str) -> float:
    from .budget import MAX_SECONDS

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:60]!r} is not a number") from None
    if not 0 < value <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(f"{text[:60]!r}: must be a number of seconds > 0 and <= {MAX_SECONDS:g}")
    return value


def _byte_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:60]!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text[:60]!r}: must be >= 1")
    return value


def _job_count(text: str) -> int:
    try:
        value = int(text) if len(text) <= 6 else int("x")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:60]!r} is not an integer") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"{text[:60]!r}: must be between 1 and 64")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text) if len(text) <= 40 else int("x")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:60]!r} is not an integer (at most 40 digits)") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{text[:60]!r}: must be >= 0 and < 2**63")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skd",
        description="Check probability-domain softening operators against the axioms: "
        "a proof, a certified counterexample, or an honest 'undecided, because ...'.",
    )
    parser.add_argument("--version", action="version", version=f"skd {tool_versions()['skd']}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sub.add_parser("list", help="the built-in operator library with formulas", description="List the built-in operators.")

    chk = sub.add_parser(
        "check",
        help="check one operator (or the whole library) against the axioms",
        description="Check an operator against the axioms of a profile. With no operator, check the "
        "whole built-in library against the committed expected matrix of the profile "
        "(verify/data/expected_matrix*.json).",
        epilog="exit codes: 0 qualifies / library matches the expected matrix; 1 an axiom refuted / "
        "library differs / baseline regression; 2 bad input; 3 nothing refuted but something "
        "undecided; 4 internal error",
    )
    chk.add_argument("name", nargs="?", metavar="NAME", help="a built-in operator (see 'skd list')")
    chk.add_argument("--score", metavar="EXPR", help="a separable score g(x, T, V), e.g. 'x**(1/T)'")
    chk.add_argument("--name", dest="score_name", metavar="LABEL", default="custom",
                     help="the name to give the --score operator in reports (default: custom)")
    chk.add_argument("--file", metavar="PATH[:NAME]",
                     help="a Python file defining Operator values; NAME picks one (default: all of them)")
    chk.add_argument("--profile", default="paper", choices=sorted(PROFILES), help="axiom profile (default: paper)")
    chk.add_argument("--timeout", type=_positive_float, default=20.0, metavar="S",
                     help="budget in seconds per proof obligation (default: 20)")
    chk.add_argument("--seed", type=_seed, default=0, metavar="N", help="seed of the randomised refuter (default: 0)")
    chk.add_argument("--attack", type=_positive_float, default=1.0, metavar="S",
                     help="seconds the refuter cross-examines each proof before it is reported (default: 1; "
                     "a counterexample to a proof is an internal error, exit 4)")
    chk.add_argument("--json", action="store_true", help="print the report as JSON on stdout (no tables, no progress)")
    chk.add_argument("--baseline", metavar="FILE", help="compare with a stored report (JSON); a regression exits 1")
    chk.add_argument("--strict", action="store_true",
                     help="with --baseline: improvements and budget unknowns fail too")

    rc = sub.add_parser("recheck", help="re-validate the certificates and counterexamples of a stored report",
                        description="Re-validate a stored report independently of the prover; exit 1 if any "
                        "certificate or counterexample does not check.")
    rc.add_argument("report", metavar="REPORT.json")
    rc.add_argument("--max-bytes", type=_byte_count, default=None, metavar="N",
                    help="refuse a report larger than N bytes (default 8 MiB, or $SKD_MAX_REPORT_BYTES)")
    rc.add_argument("--max-operators", type=_byte_count, default=None, metavar="N",
                    help="refuse a report with more than N operators (default 256, or $SKD_MAX_REPORT_OPERATORS)")
    rc.add_argument("--max-seconds", type=_positive_float, default=900.0, metavar="S",
                    help="stop after S seconds; operators not reached count as failed (default 900)")
    rc.add_argument("--file", metavar="PATH[:NAME]",
                    help="a Python file defining the report's user vector operators (a report holds no code); "
                         "each is matched by name and must have the report's hash")

    from .derivations.command import add_parser as add_derive

    add_derive(sub, _positive_float)

    cc = sub.add_parser(
        "crosscheck",
        help="compare every derived quantity with an independent numeric computation",
        description="Derive the claim graph of an operator, then compare each derived quantity with an "
        "independent computation (finite differences at high precision, exact enumeration, direct sums, the "
        "NumPy kernel, Monte Carlo with a confidence interval) on Hypothesis-drawn inputs.",
        epilog="exit codes: 0 every check passed (skipped quantities are listed, not failed); 1 a disagreement; "
        "2 bad input; 4 internal error",
    )
    cc.add_argument("name", nargs="?", metavar="NAME", help="a built-in operator (see 'skd list')")
    cc.add_argument("--all", action="store_true", help="every operator of the built-in library")
    cc.add_argument("--score", metavar="EXPR", help="a separable score g(x, T, V)")
    cc.add_argument("--name", dest="score_name", metavar="LABEL", default="custom", help="name of the --score operator")
    cc.add_argument("--file", metavar="PATH[:NAME]", help="a Python file defining Operator values")
    cc.add_argument("--cases", type=int, default=20, metavar="N", help="Hypothesis-drawn inputs per quantity (default 20)")
    cc.add_argument("--topic", action="append", metavar="TOPIC", help="restrict to a topic (repeatable)")
    cc.add_argument("--timeout", type=_positive_float, default=20.0, metavar="S", help="budget per symbolic step")
    cc.add_argument("--json", action="store_true", help="print the results as JSON")
    cc.add_argument("--reports", metavar="FILE",
                    help="the operators' stored `skd check --json` reports (profile paper, the operators' current "
                         "definitions): the derivations take the axioms' verdicts from them instead of checking again")
    cc.add_argument("--jobs", type=_job_count, default=1, metavar="N",
                    help="operators cross-checked in parallel, each in its own process (default: 1)")
    return parser


def _load_report_file(path_text: str, what: str, *, max_bytes: int | None = None,
                      max_operators: int | None = None) -> list[dict[str, Any]]:
    """Operator report objects from a stored JSON file (one report or a multi-report), read under
    the caps of :mod:`skd.verify.reportio`."""
    from .reportio import ReportFileError, load_reports

    try:
        return load_reports(path_text, what, max_bytes=max_bytes, max_operators=max_operators)
    except ReportFileError as exc:
        raise UsageError(str(exc)) from None


# -- progress -----------------------------------------------------------------------------------


@contextmanager
def _progress(enabled: bool, total: int, label: str) -> Iterator[Callable[..., None] | None]:
    """A rich progress bar on stderr, or ``None`` when disabled (not a TTY, or ``--json``)."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(file=sys.stderr)
    # auto_refresh=False: no refresh thread, so that workers are never forked from a
    # multi-threaded process (see skd.verify.budget); the bar is redrawn on each update.
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True, auto_refresh=False) as bar:
        task = bar.add_task(label, total=total)

        def update(axiom: str, status: str | None = None, *_: Any) -> None:
            if status is None:
                bar.update(task, description=f"{label}: {axiom} …", refresh=True)
            else:
                bar.update(task, advance=1, description=f"{label}: {axiom} {status}", refresh=True)

        yield update


def _progress_enabled(args: argparse.Namespace) -> bool:
    return not args.json and sys.stderr.isatty() and os.environ.get("TERM") != "dumb"


# -- commands -----------------------------------------------------------------------------------


def _stdout() -> Console:
    # A pipe or file has no width: use 120 columns rather than rich's 80 unless COLUMNS says.
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(file=sys.stdout, highlight=False, width=120 if wide else None)


def _stderr() -> Console:
    return Console(file=sys.stderr, highlight=False)


def cmd_list(args: argparse.Namespace) -> int:
    _stdout().print(render.library_table(library.ALL))
    return EXIT_OK


def _multi_json(reports: Sequence[Report]) -> str:
    body = {"schema_version": SCHEMA_VERSION, "tool": tool_versions(), "operators": [r.to_json() for r in reports]}
    return json.dumps(body, indent=2, ensure_ascii=False)


def _print_comparison(console: Console, comp: Comparison, strict: bool) -> None:
    sections = (
        ("regressions", comp.regressions, "bold red"),
        ("budget unknowns (a proof ran out of time)" + (" — fail under --strict" if strict else ""), comp.budget, "yellow"),
        ("improvements" + (" — fail under --strict" if strict else ""), comp.improvements, "green"),
        ("operators not in the baseline that do not qualify" + (" — fail under --strict" if strict else ""),
         comp.added, "yellow"),
        ("operators missing from this run" + (" — fail under --strict" if strict else ""), comp.vanished, "yellow"),
        ("notes", comp.notes, ""),
    )
    printed = False
    for title, items, style in sections:
        if items:
            console.print(Text(f"baseline {title}:", style=style))
            for item in items:
                console.print(Text(f"  {item}"), soft_wrap=True)
            printed = True
    if not printed:
        console.print(Text("baseline: no changes in status or scope."))


def _overall(reports: Sequence[Report]) -> int:
    codes = {r.exit_code for r in reports}
    if EXIT_REFUTED in codes:
        return EXIT_REFUTED
    return EXIT_UNDECIDED if EXIT_UNDECIDED in codes else EXIT_OK


def _library_expectations(checker: Any, profile: str) -> dict[str, Any]:
    """The expected-matrix rows of the built-ins, keyed by operator hash (a user operator that
    merely shares a built-in's name gets no row)."""
    matrix = checker.load_expected_matrix(profile)
    return {op.hash: matrix["operators"][op.name] for op in library.ALL if op.name in matrix.get("operators", {})}


def cmd_check(args: argparse.Namespace) -> int:
    operators = select_operators(args)
    baseline = _load_report_file(args.baseline, "--baseline") if args.baseline else None
    if args.strict and baseline is None:
        raise UsageError("--strict only applies with --baseline")
    if baseline is not None:
        for stored in baseline:
            if stored.get("profile") != args.profile:
                raise UsageError(f"--baseline: {stored['operator']['name']} was checked under profile {stored.get('profile')!r}, "
                                 f"this run uses {args.profile!r}; pass --profile {stored.get('profile')}")
    checker = _checker()
    expected = None
    if operators is None:
        expected = checker.load_expected_matrix(args.profile)  # one per profile (verify/data/)

    kwargs = {"profile": args.profile, "timeout": args.timeout, "seed": args.seed, "attack_seconds": args.attack}
    axioms = len(PROFILES[args.profile].axioms)
    reports: list[Report] = []
    if operators is None:
        with _progress(_progress_enabled(args), axioms * len(library.ALL), "library") as cb:
            reports = list(checker.check_library(progress=cb, **kwargs))
    else:
        for op in operators:
            with _progress(_progress_enabled(args), axioms, op.name) as cb:
                reports.append(checker.check(op, progress=cb, **kwargs))

    out, err = _stdout(), _stderr()
    many = operators is None or len(reports) > 1
    if args.json:
        sys.stdout.write((_multi_json(reports) if many else reports[0].dumps()) + "\n")
        sys.stdout.flush()
    elif operators is None:
        out.print(render.matrix_table(reports, None if expected is None else expected.get("operators", {})))
    else:
        for i, r in enumerate(reports):
            if i:
                out.print()
            render.print_report(out, r)
    # Messages about the outcome go to stdout in table mode, to stderr under --json.
    msg = err if args.json else out

    code = EXIT_OK if operators is None else _overall(reports)
    if expected is not None:
        diffs = checker.compare_with_expected(reports, expected)
        if diffs:
            msg.print(Text(f"{len(diffs)} difference(s) from the expected matrix:", style="bold red"))
            for d in diffs:
                msg.print(Text(f"  {d}"), soft_wrap=True)
            msg.print(Text("('skd check NAME' shows each verdict with its counterexample, certificate or reason)"))
            code = EXIT_REFUTED
        else:
            msg.print(Text("every verdict equals the expected matrix.", style="green"))
    if baseline is not None:
        comp = compare_with_baseline(baseline, [r.to_json() for r in reports], _library_expectations(checker, args.profile))
        _print_comparison(msg, comp, args.strict)
        if operators is not None:
            code = EXIT_OK
        if comp.failed(args.strict):
            code = EXIT_REFUTED
    return code


def cmd_recheck(args: argparse.Namespace) -> int:
    reports = _load_report_file(args.report, "recheck", max_bytes=args.max_bytes, max_operators=args.max_operators)
    supplied = None
    if args.file:
        from .selection import load_file_operators

        supplied = {op.name: op for op in load_file_operators(args.file)}
    rechecker = _rechecker()
    out = _stdout()
    failures = 0
    import time

    deadline = time.monotonic() + args.max_seconds
    for k, r in enumerate(reports):
        if time.monotonic() > deadline:
            left = len(reports) - k
            out.print(Text(f"recheck: --max-seconds {args.max_seconds:g} reached; {left} operator report(s) not "
                           "rechecked (counted as failed)", style="bold red"))
            failures += left
            break
        try:
            results = rechecker.recheck_report(r, operators=supplied)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise UsageError(f"recheck: {args.report[:200]!r}: malformed report for {str(r['operator']['name'])[:80]!r}: "
                             f"{str(exc)[:200]}") from None
        out.print(render.recheck_table(str(r["operator"]["name"])[:80], results))
        failures += sum(1 for _, ok, _ in results if not ok)
    if failures:
        out.print(Text(f"{failures} check(s) failed to re-validate (report claims, certificates or counterexamples).", style="bold red"))
        return EXIT_REFUTED
    out.print(Text("every certificate and counterexample re-validated.", style="green"))
    return EXIT_OK


def cmd_derive(args: argparse.Namespace) -> int:
    from .derivations.command import cmd_derive as run

    return run(args)


def cmd_crosscheck(args: argparse.Namespace) -> int:
    from rich.table import Table

    from .crosscheck import crosscheck

    if args.cases < 1:
        raise UsageError(f"--cases must be >= 1, got {args.cases}")
    if args.all:
        if args.name or args.score or args.file:
            raise UsageError("--all checks the built-in library; do not also give an operator")
        ops: list[Operator] = list(library.ALL)
    else:
        selected = select_operators(args)
        if selected is None:
            raise UsageError("give an operator (NAME, --score or --file) or --all")
        ops = selected
    given: dict[str, Any] = {}
    if args.reports:
        from .reportio import reports_for

        given = reports_for(args.reports, ops, "--reports")
    results = []
    if args.jobs > 1 and len(ops) > 1:
        from .crosscheck import crosscheck_many

        err = _stderr()
        show = _progress_enabled(args)

        def finished(r: Any) -> None:
            if show:
                err.print(Text(f"crosscheck: {r.operator} done"), soft_wrap=True)

        results = crosscheck_many(ops, topics=args.topic, cases=args.cases, timeout=args.timeout, reports=given,
                                  jobs=args.jobs, on_done=finished)
    else:
        for op in ops:
            with _progress(_progress_enabled(args), 1, op.name) as cb:
                note = (lambda msg: cb(msg)) if cb is not None else None
                results.append(crosscheck(op, topics=args.topic, cases=args.cases, timeout=args.timeout, progress=note,
                                          report=given.get(op.name)))
    failed = sum(len(r.failed) for r in results)
    if args.json:
        body = {"schema_version": 1, "kind": "crosscheck", "cases": args.cases,
                "operators": [{"name": r.operator, "checks": [c.to_json() for c in r.checks]} for r in results]}
        sys.stdout.write(json.dumps(body, indent=2) + "\n")
    else:
        out = _stdout()
        for r in results:
            table = Table(title=f"{r.operator}: derived quantities vs independent computations", title_justify="left")
            for col in ("quantity", "method", "cases", "largest deviation", "tolerance", "verdict"):
                table.add_column(col)
            for c in r.checks:
                dev = "—" if c.skipped else f"{c.deviation:.3g}" + (" (rel)" if c.relative else "")
                verdict = {"pass": "[green]pass[/]", "FAIL": "[bold red]FAIL[/]", "skipped": "[yellow]skipped[/]"}[c.status]
                table.add_row(c.quantity, c.method if not c.skipped else c.skipped[:160], str(c.cases), dev, f"{c.tolerance:g}", verdict)
            out.print(table)
            for c in r.checks:
                if c.status == "FAIL":
                    out.print(Text(f"FAIL {r.operator} / {c.quantity}: deviation {c.deviation:.3g} > {c.tolerance:g} at "
                                   + ", ".join(f"{k}={v}" for k, v in c.worst.items()), style="bold red"), soft_wrap=True)
        total = sum(len(r.checks) for r in results)
        skipped = sum(1 for r in results for c in r.checks if c.skipped)
        out.print(Text(f"{total - skipped - failed} passed, {failed} failed, {skipped} skipped (not established or no "
                       "independent computation) over {len(results)} operator(s).".replace("{len(results)}", str(len(results))),
                       style="bold red" if failed else "green"))
    return EXIT_REFUTED if failed else EXIT_OK


_COMMANDS = {"list": cmd_list, "check": cmd_check, "recheck": cmd_recheck, "derive": cmd_derive, "crosscheck": cmd_crosscheck}


#: Options whose value may start with '-' (a score such as "-x**(1/T)", a path "-ops.py").
_TEXT_OPTIONS = ("--score", "--name", "--file", "--baseline", "--out")


def _option_strings(parser: argparse.ArgumentParser) -> set[str]:
    found: set[str] = set()
    for action in parser._actions:  # noqa: SLF001 - argparse has no public walk
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for sub in action.choices.values():
                found |= _option_strings(sub)
    return found


def _attach_dash_values(argv: Sequence[str], known: set[str]) -> list[str]:
    """``--score -x**(1/T)`` → ``--score=-x**(1/T)``: argparse would take the value for an option."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        tok = argv[i]
        if (tok in _TEXT_OPTIONS and i + 1 < len(argv) and argv[i + 1].startswith("-") and argv[i + 1] != "--"
                and argv[i + 1].split("=", 1)[0] not in known):
            out.append(f"{tok}={argv[i + 1]}")
            i += 2
            continue
        out.append(tok)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``skd`` command line; returns the exit code (never raises SystemExit)."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    argv = _attach_dash_values(argv, _option_strings(parser))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    err = _stderr()
    try:
        return _COMMANDS[args.command](args)
    except UsageError as exc:
        err.print(Text(f"skd: error: {exc}"), soft_wrap=True)
        return EXIT_USAGE
    except SkdInputError as exc:
        err.print(Text(f"skd: error: {exc}"), soft_wrap=True)
        return EXIT_USAGE
    except _report_file_error() as exc:
        err.print(Text(f"skd: error: {exc}"), soft_wrap=True)
        return EXIT_USAGE
    except InternalConsistencyError as exc:
        err.print(Text(f"skd: internal consistency error (a bug in skd, not a verdict): {exc}"), soft_wrap=True)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        err.print(Text("skd: interrupted"))
        return 130
    except Exception as exc:  # noqa: BLE001 - any other failure is a bug, reported as such
        err.print(Text("skd: internal error (a bug in skd, not a verdict):\n" + "".join(
            traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()), soft_wrap=True)
        return EXIT_INTERNAL
