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
import dataclasses
import importlib
import importlib.util
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from ..operators import Operator, library, separable
from ..operators.errors import SkdInputError
from ..theory.axioms import PROFILES
from . import render
from .verdict import SCHEMA_VERSION, STATUS_ORDER, InternalConsistencyError, Report, tool_versions
from skd.operators.errors import SkdError

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


class UsageError(SkdError):
    """Bad input or usage: printed as ``skd: error: ...`` and exit code 2."""


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
        "whole built-in library against the committed expected matrix.",
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
    return parser


# -- selecting operators ------------------------------------------------------------------------


def _split_file_spec(spec: str) -> tuple[Path, str | None]:
    """``PATH[:NAME]`` → (path, name); a path that exists as written is never split."""
    path = Path(spec)
    if path.exists() or ":" not in spec:
        return path, None
    head, _, tail = spec.rpartition(":")
    if not tail:
        return Path(head), None
    return Path(head), tail


def load_file_operators(spec: str) -> list[Operator]:
    """Import the Python file of ``PATH[:NAME]`` and return its :class:`Operator` values.

    ``NAME`` is the variable the operator is bound to, or the operator's ``name``. Without
    ``NAME`` every operator defined at module level is returned (in definition order).
    Raises :class:`UsageError` for a missing file, an import that fails, or no match.
    """
    path, wanted = _split_file_spec(spec)
    if path.is_dir():
        raise UsageError(f"--file: {str(path)!r} is a directory; give a Python file (PATH[:NAME])")
    if not path.is_file():
        raise UsageError(f"--file: no such file: {str(path)!r}" + (" (it exists but is not a regular file)" if path.exists() else ""))
    module_name = f"_skd_user_{abs(hash(str(path.resolve())))}"
    loader_spec = importlib.util.spec_from_file_location(module_name, path)
    if loader_spec is None or loader_spec.loader is None:
        raise UsageError(f"--file: cannot import {str(path)!r} as a Python file")
    module = importlib.util.module_from_spec(loader_spec)
    sys.modules[module_name] = module
    # As when running the file as a script: modules beside it are importable.
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    try:
        loader_spec.loader.exec_module(module)
    except SkdInputError as exc:
        raise UsageError(f"--file {path}: {exc}") from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the user's file is input: report, do not crash
        tb = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-3)
        raise UsageError(f"--file {path}: importing it raised\n{''.join(tb).rstrip()}") from None
    finally:
        sys.modules.pop(module_name, None)
        if folder in sys.path:
            sys.path.remove(folder)
    found: dict[int, tuple[str, Operator]] = {}
    for var, value in vars(module).items():
        if isinstance(value, Operator) and id(value) not in found:
            found[id(value)] = (var, value)
    if wanted is not None:
        for var, op in found.values():
            if var == wanted:
                return _probed([op], path)
        matches = [(var, op) for var, op in found.values() if op.name == wanted]
        if len(matches) == 1:
            return _probed([matches[0][1]], path)
        if len(matches) > 1:
            raise UsageError(f"--file {path}: {len(matches)} Operators are named {wanted!r} (variables "
                             f"{', '.join(var for var, _ in matches)}); pick one by its variable name, e.g. "
                             f"--file {path}:{matches[0][0]}")
        names = sorted({var for var, _ in found.values()}) or "none"
        raise UsageError(f"--file {path}: no Operator named {wanted!r}; it defines: {names}")
    if not found:
        raise UsageError(f"--file {path}: the file defines no Operator (build one with skd.operators.separable or vector)")
    ops = [op for _, op in found.values()]
    by_name: dict[str, list[str]] = {}
    for var, op in found.values():
        by_name.setdefault(op.name, []).append(var)
    dup = {n: v for n, v in by_name.items() if len(v) > 1}
    if dup:
        n, v = next(iter(dup.items()))
        raise UsageError(f"--file {path}: {len(v)} Operators are named {n!r} (variables {', '.join(v)}); reports "
                         "identify operators by name: give each its own name=, or pick one with PATH:VARIABLE")
    return _probed(ops, path)


def _probed(ops: list[Operator], path: Path) -> list[Operator]:
    """Run each user vector algorithm on a few inputs first, so that an exception in the user's
    code is shown with its traceback (exit 2) instead of ending as 'no counterexample found'."""
    from fractions import Fraction

    from ..operators.arith import ArbArith, Undecided
    from ..operators.errors import NotWellDefined

    for op in ops:
        if op.kind != "vector" or op.algorithm is None:
            continue
        for size in op.sizes[:2]:
            weights = list(range(size, 0, -1))
            p = [Fraction(w, sum(weights)) for w in weights]
            for t in (Fraction(1, 2), Fraction(1), Fraction(2)):
                where = f"--file {path}: operator {op.name!r}: its algorithm(p, T, ar) at V = {size}, T = {t}"
                try:
                    out = op.algorithm(list(p), t, ArbArith(128))
                except (Undecided, NotWellDefined):
                    continue
                except Exception as exc:  # noqa: BLE001 - the user's code: show it, exit 2
                    tb = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-4)
                    raise UsageError(f"{where} raised (this is an error in the operator's code, not a verdict)\n"
                                     + "".join(tb).rstrip()) from None
                if not isinstance(out, (list, tuple)) or len(out) != size:
                    got = f"a {type(out).__name__}" + (f" of length {len(out)}" if isinstance(out, (list, tuple)) else "")
                    raise UsageError(f"{where} returned {got}; it must return a list of {size} values")
    return ops


def _select(args: argparse.Namespace) -> list[Operator] | None:
    """The operators to check, or ``None`` for the whole library."""
    given = [flag for flag, value in (("NAME", args.name), ("--score", args.score), ("--file", args.file)) if value is not None]
    if len(given) > 1:
        raise UsageError(f"give one of NAME, --score, --file (got {' and '.join(given)})")
    if args.score_name != "custom" and args.score is None:
        raise UsageError("--name only applies to --score")
    if args.name is not None:
        try:
            return [library.get(args.name)]
        except SkdInputError as exc:
            raise UsageError(f"NAME: {exc} (or use --score EXPR / --file PATH for your own operator)") from None
    if args.score is not None:
        try:
            return [separable(args.score, name=args.score_name)]
        except SkdInputError as exc:
            flag = "--name" if getattr(exc, "argument", None) == "name" else "--score"
            raise UsageError(f"{flag}: {exc}") from None
    if args.file is not None:
        return load_file_operators(args.file)
    return None


# -- baseline comparison ------------------------------------------------------------------------


@dataclasses.dataclass
class Comparison:
    """Differences between a stored report and a new one (status and scope only).

    ``regressions`` always fail; ``budget`` (proofs that ran out of time), ``improvements``,
    ``added`` (operators not in the baseline that do not qualify) and ``vanished`` (baseline
    operators missing from the run) fail under ``--strict``; ``notes`` never fail.
    """

    regressions: list[str] = dataclasses.field(default_factory=list)
    improvements: list[str] = dataclasses.field(default_factory=list)
    budget: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    added: list[str] = dataclasses.field(default_factory=list)
    vanished: list[str] = dataclasses.field(default_factory=list)

    def failed(self, strict: bool) -> bool:
        return bool(self.regressions or (strict and (self.improvements or self.budget or self.added or self.vanished)))


def _rank(v: Mapping[str, Any]) -> tuple[int, int]:
    """Status rank (proved < unknown < refuted), then full scope before partial scope."""
    return STATUS_ORDER[v["status"]], 0 if v.get("scope", "full") == "full" or v["status"] != "proved" else 1


def _describe(v: Mapping[str, Any]) -> str:
    if v["status"] == "proved" and v.get("scope", "full") != "full":
        return f"proved (scope: {v['scope']})"
    if v["status"] == "unknown":
        return f"unknown ({v.get('reason_kind')})"
    return v["status"]


def _label(report: Mapping[str, Any]) -> str:
    return f"{report['operator']['name']} (hash {report['operator'].get('hash')})"


def _match(baseline: Sequence[Mapping[str, Any]], current: Sequence[Mapping[str, Any]]
           ) -> tuple[list[tuple[Mapping[str, Any], Mapping[str, Any] | None, str]], list[Mapping[str, Any]]]:
    """Pair each current report with a stored one: by name and hash, then by hash (a rename),
    then by name (an edited definition). Returns the pairs (with a note) and the unmatched stored."""
    free = list(baseline)
    pairs: list[tuple[Mapping[str, Any], Mapping[str, Any] | None, str]] = []
    keyed: list[tuple[Mapping[str, Any], Mapping[str, Any] | None, str] | None] = [None] * len(current)

    def take(pred: Any) -> Mapping[str, Any] | None:
        for k, old in enumerate(free):
            if pred(old):
                return free.pop(k)
        return None

    def name(r: Mapping[str, Any]) -> Any:
        return r["operator"]["name"]

    def digest(r: Mapping[str, Any]) -> Any:
        return r["operator"].get("hash")

    for rule in ("both", "hash", "name"):
        for k, report in enumerate(current):
            if keyed[k] is not None:
                continue
            if rule == "both":
                old = take(lambda o: name(o) == name(report) and digest(o) == digest(report))
                note = ""
            elif rule == "hash":
                old = take(lambda o: digest(o) == digest(report) and digest(o) is not None)
                note = f"{name(report)}: renamed from {name(old)!r} (same definition)" if old else ""
            else:
                old = take(lambda o: name(o) == name(report))
                note = (f"{name(report)}: definition changed (hash {digest(old)} → {digest(report)})" if old else "")
            if old is not None:
                keyed[k] = (report, old, note)
    for k, report in enumerate(current):
        pairs.append(keyed[k] or (report, None, ""))
    return pairs, free


def compare_with_baseline(baseline: Sequence[Mapping[str, Any]], current: Sequence[Mapping[str, Any]],
                          expected: Mapping[str, Mapping[str, str]] | None = None) -> Comparison:
    """Compare report JSONs operator by operator and axiom by axiom. Timings and seeds are never
    compared.

    Operators are matched by name and content hash (then by hash alone: a rename, then by name
    alone: an edited definition; both noted). A regression is proved → unknown/refuted, unknown →
    refuted, or a full-scope proof that became partial; proved → unknown with ``reason_kind:
    budget`` is listed under ``budget``. An operator **not in the baseline** is judged on its own:
    a refuted axiom is a regression, an unknown one is listed under ``added`` (fails under
    ``--strict``) — unless its verdicts equal its row of ``expected`` (operator hash → the
    library's expected matrix row). A baseline operator **missing from the run** is listed under ``vanished`` (fails
    under ``--strict``).

    >>> old = [{"operator": {"name": "a", "hash": "h"}, "profile": "paper", "verdicts": [
    ...     {"axiom": "ranking", "status": "proved", "scope": "full", "seconds": 1.0}]}]
    >>> new = [{"operator": {"name": "a", "hash": "h"}, "profile": "paper", "verdicts": [
    ...     {"axiom": "ranking", "status": "refuted", "scope": "full", "seconds": 2.0}]}]
    >>> compare_with_baseline(old, new).regressions
    ['a / ranking: proved → refuted']
    >>> renamed = [{"operator": {"name": "b", "hash": "g"}, "profile": "paper", "verdicts": new[0]["verdicts"]}]
    >>> cmp = compare_with_baseline(old, renamed)
    >>> cmp.regressions, cmp.vanished
    (['b (hash g): not in the baseline, and ranking is refuted'], ['a (hash h): in the baseline, not checked now'])
    """
    out = Comparison()
    pairs, gone = _match(baseline, current)
    for report, old, note in pairs:
        name = report["operator"]["name"]
        if note:
            out.notes.append(note)
        if old is None:
            statuses = {v["axiom"]: v["status"] for v in report["verdicts"]}
            want = (expected or {}).get(report["operator"].get("hash"))
            if want is not None and dict(want) == statuses:
                out.notes.append(f"{_label(report)}: not in the baseline; its verdicts equal the expected matrix")
                continue
            refuted = [a for a, s in statuses.items() if s == "refuted"]
            partial = [v["axiom"] for v in report["verdicts"] if v["status"] == "unknown"
                       or (v["status"] == "proved" and v.get("scope", "full") != "full")]
            if refuted:
                out.regressions.append(f"{_label(report)}: not in the baseline, and {', '.join(refuted)} "
                                       f"{'is' if len(refuted) == 1 else 'are'} refuted")
            elif partial or not report["verdicts"]:
                out.added.append(f"{_label(report)}: not in the baseline, and it does not qualify "
                                 f"(not proved: {', '.join(partial) or 'no verdicts'})")
            else:
                out.notes.append(f"{_label(report)}: not in the baseline (it qualifies)")
            continue
        new_by_axiom = {v["axiom"]: v for v in report["verdicts"]}
        old_by_axiom = {v["axiom"]: v for v in old["verdicts"]}
        for axiom, ov in old_by_axiom.items():
            nv = new_by_axiom.get(axiom)
            where = f"{name} / {axiom}"
            if nv is None:
                out.regressions.append(f"{where}: {_describe(ov)} in the baseline, not checked now")
                continue
            before, after = _rank(ov), _rank(nv)
            change = f"{where}: {_describe(ov)} → {_describe(nv)}"
            if after > before:
                if nv["status"] == "unknown" and nv.get("reason_kind") == "budget":
                    out.budget.append(change + f" — {str(nv.get('reason'))[:300]}")
                else:
                    out.regressions.append(change)
            elif after < before:
                out.improvements.append(change)
        for axiom in new_by_axiom.keys() - old_by_axiom.keys():
            out.notes.append(f"{name} / {axiom}: not in the baseline (now {_describe(new_by_axiom[axiom])})")
    for old in gone:
        out.vanished.append(f"{_label(old)}: in the baseline, not checked now")
    return out


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
    matrix = checker.load_expected_matrix()
    if matrix.get("profile", "paper") != profile:
        return {}
    return {op.hash: matrix["operators"][op.name] for op in library.ALL if op.name in matrix.get("operators", {})}


def cmd_check(args: argparse.Namespace) -> int:
    operators = _select(args)
    baseline = _load_report_file(args.baseline, "--baseline") if args.baseline else None
    if args.strict and baseline is None:
        raise UsageError("--strict only applies with --baseline")
    if baseline is not None:
        for r in baseline:
            if r.get("profile") != args.profile:
                raise UsageError(f"--baseline: {r['operator']['name']} was checked under profile {r.get('profile')!r}, "
                                 f"this run uses {args.profile!r}; pass --profile {r.get('profile')}")
    checker = _checker()
    expected = None
    if operators is None:
        expected = checker.load_expected_matrix()
        if expected.get("profile", "paper") != args.profile:
            if baseline is None:
                raise UsageError(f"the committed expected matrix is for profile {expected.get('profile')!r}; "
                                 f"check a NAME or pass --baseline to check the library under {args.profile!r}")
            expected = None  # compare with the baseline only

    kwargs = {"profile": args.profile, "timeout": args.timeout, "seed": args.seed}
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
            results = rechecker.recheck_report(r)
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
        selected = _select(args)
        if selected is None:
            raise UsageError("give an operator (NAME, --score or --file) or --all")
        ops = selected
    results = []
    for op in ops:
        with _progress(_progress_enabled(args), 1, op.name) as cb:
            note = (lambda msg: cb(msg)) if cb is not None else None
            results.append(crosscheck(op, topics=args.topic, cases=args.cases, timeout=args.timeout, progress=note))
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
