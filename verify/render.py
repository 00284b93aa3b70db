"""Readable terminal output for the command line: rich tables, never used for JSON.

Everything that comes from an operator or a verdict (formulas, Arb balls such as
``[0.5 +/- 1e-10]``) is printed as plain :class:`rich.text.Text`, never as console markup, so
brackets in user text are shown as written.

>>> from rich.console import Console
>>> from skd.verify.verdict import Report, Verdict
>>> v = Verdict(axiom="identity", status="unknown", method="none", reason="not tried", reason_kind="unsupported")
>>> console = Console(width=100, color_system=None)
>>> with console.capture() as cap:
...     print_report(console, Report(operator={"name": "demo", "kind": "separable", "definition": "x", "hash": "0"},
...                                  profile="paper", verdicts=(v,)))
>>> "undecided" in cap.get() and "not tried" in cap.get()
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..theory.axioms import AXIOMS

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = [
    "STATUS_STYLE",
    "library_table",
    "print_report",
    "print_counterexample",
    "matrix_table",
    "recheck_table",
    "first_line",
]

STATUS_STYLE: dict[str, str] = {"proved": "green", "refuted": "bold red", "unknown": "yellow"}
_LABELS = {a.id: a.label for a in AXIOMS}


def first_line(text: str | None, limit: int = 200) -> str:
    """The first sentence (or line) of ``text``, at most ``limit`` characters.

    >>> first_line("Temperature scaling. More words.")
    'Temperature scaling.'
    """
    if not text:
        return ""
    line = text.strip().splitlines()[0]
    cut = line.find(". ")
    if cut != -1:
        line = line[: cut + 1]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _status(status: str, text: str | None = None) -> Text:
    return Text(text or status, style=STATUS_STYLE.get(status, ""))


def library_table(operators: Iterable[Operator]) -> Table:
    """The built-in library: name, kind, formula (or definition), one-line description."""
    table = Table(title="skd built-in operators", title_justify="left", show_lines=False)
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("definition")
    table.add_column("description")
    for op in operators:
        table.add_row(Text(op.name), Text(op.kind), Text(op.definition), Text(first_line(op.doc)))
    return table


def _detail(v: Mapping[str, Any]) -> Text:
    status = v["status"]
    if status == "proved":
        steps = v.get("certificate") or []
        text = steps[0]["step"] if steps else ""
        if len(steps) > 1:
            text += f"  (+{len(steps) - 1} more step{'s' if len(steps) > 2 else ''})"
        if v.get("scope", "full") != "full":
            text = f"scope: {v['scope']}; " + text
        return Text(text)
    if status == "refuted":
        ce = v.get("counterexample") or {}
        return Text(ce.get("statement", "") + "  (counterexample below)")
    return Text(f"{v.get('reason_kind')}: {v.get('reason')}")


def print_report(console: Console, report: Any) -> None:
    """One operator: a header, a table axiom × (status, method, detail), then counterexamples."""
    data = report.to_json() if hasattr(report, "to_json") else report
    op = data["operator"]
    header = Text()
    header.append(op["name"], style="bold")
    header.append(f"  ({op['kind']})  ")
    header.append(op["definition"])
    header.append(f"\nhash {op['hash']}  profile {data['profile']}  seed {data['seed']}")
    if op.get("params"):
        header.append("  params " + ", ".join(f"{k} in {v}" for k, v in op["params"].items()))
    if op.get("sizes"):
        header.append("  sizes V in {" + ", ".join(map(str, op["sizes"])) + "}")
    console.print(header)
    table = Table(show_header=True, header_style="bold")
    table.add_column("axiom", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("method")
    table.add_column("certificate step / counterexample / reason")
    for v in data["verdicts"]:
        label = _LABELS.get(v["axiom"], "")
        table.add_row(Text(f"{v['axiom']} {label}".strip()), _status(v["status"]), Text(v["method"]), _detail(v))
    console.print(table)
    for v in data["verdicts"]:
        if v["status"] == "refuted" and v.get("counterexample"):
            print_counterexample(console, v["axiom"], v["counterexample"])
    refuted = [v["axiom"] for v in data["verdicts"] if v["status"] == "refuted"]
    unknown = [v["axiom"] for v in data["verdicts"] if v["status"] == "unknown"]
    partial = [v["axiom"] for v in data["verdicts"] if v["status"] == "proved" and v.get("scope", "full") != "full"]
    if data.get("qualifies"):
        console.print(Text(f"{op['name']} qualifies as a softening operator (profile {data['profile']}).", style="green"))
    elif refuted:
        rest = unknown + [f"{a} (partial scope)" for a in partial]
        console.print(Text(f"{op['name']} does not qualify: refuted {', '.join(refuted)}"
                           + (f"; undecided: {', '.join(rest)}" if rest else "") + ".", style="bold red"))
    else:
        parts = unknown + [f"{a} (partial scope)" for a in partial]
        console.print(Text(f"{op['name']}: nothing refuted, undecided: {', '.join(parts)}.", style="yellow"))


def print_counterexample(console: Console, axiom: str, ce: Mapping[str, Any]) -> None:
    """A counterexample a person can read and paste: exact inputs, both sides, a reproducer."""
    lines = [f"counterexample to {axiom}: {ce['statement']}"]
    inputs = [f"p = ({', '.join(ce['p'])})", f"V = {ce['V']}"]
    if ce.get("T") is not None:
        inputs.append(f"T = {ce['T']}")
    if ce.get("T2") is not None:
        inputs.append(f"T2 = {ce['T2']}")
    for key in ("i", "j"):
        if ce.get(key) is not None:
            inputs.append(f"{key} = {ce[key]}")
    for key, value in (ce.get("values") or {}).items():
        inputs.append(f"{key} = {value}")
    lines.append("  " + "   ".join(inputs))
    if ce.get("limit"):
        lines.append(f"  limit: {ce['limit']}")
    lines.append(f"  violated: lhs {ce['relation']} rhs")
    lines.append(f"    lhs = {ce['lhs']['decimal']}   {ce['lhs']['ball']}")
    lines.append(f"    rhs = {ce['rhs']['decimal']}   {ce['rhs']['ball']}")
    lines.append(f"  certified by: {ce['certified_by']}")
    lines.append(f"  reproduce: {ce['reproduce']}")
    console.print(Text("\n".join(lines)), soft_wrap=True)


def matrix_table(reports: Sequence[Any], expected: Mapping[str, Mapping[str, str]] | None = None) -> Table:
    """Operator × axiom statuses; a cell that differs from ``expected`` shows ``got ≠ expected``."""
    datas = [r.to_json() if hasattr(r, "to_json") else r for r in reports]
    axioms: list[str] = []
    for d in datas:
        for v in d["verdicts"]:
            if v["axiom"] not in axioms:
                axioms.append(v["axiom"])
    table = Table(title="operator × axiom", title_justify="left", header_style="bold")
    width = max([len(d["operator"]["name"]) for d in datas] + [len("operator")])
    table.add_column("operator", no_wrap=True, min_width=width)
    for a in axioms:
        table.add_column(_LABELS.get(a, a), min_width=len("refuted"))
    table.add_column("qualifies", no_wrap=True, min_width=len("qualifies"))
    partial: set[str] = set()
    for d in datas:
        name = d["operator"]["name"]
        row: list[Text] = [Text(name)]
        by_axiom = {v["axiom"]: v for v in d["verdicts"]}
        for a in axioms:
            v = by_axiom.get(a)
            want = (expected or {}).get(name, {}).get(a)
            if v is None:
                row.append(Text("—" if want is None else f"— ≠ {want}", style="bold magenta" if want else ""))
                continue
            if expected is not None and want != v["status"]:
                row.append(Text(f"{v['status']} ≠ {want}", style="bold magenta"))
            else:
                cell = _status(v["status"])
                if v["status"] == "proved" and v.get("scope", "full") != "full":
                    cell.append("*")  # proved on a stated scope only (the caption says which)
                    partial.add(v["scope"])
                row.append(cell)
        row.append(Text("yes", style="green") if d.get("qualifies") else Text("no"))
        table.add_row(*row)
    table.caption = "  ".join(f"{_LABELS.get(a, a)}={a}" for a in axioms)
    if partial:
        table.caption += "\n* the scope the proof states: " + "; ".join(sorted(partial)) + " (V in {...}: the operator's declared sizes)"
    return table


def recheck_table(name: str, results: Sequence[tuple[str, bool, str]]) -> Table:
    """The outcome of ``skd recheck`` for one operator: one row per re-validated verdict."""
    table = Table(title=f"recheck {name}", title_justify="left", header_style="bold")
    table.add_column("axiom", no_wrap=True)
    table.add_column("result", no_wrap=True)
    table.add_column("detail")
    for axiom, ok, detail in results:
        table.add_row(Text(axiom), Text("ok", style="green") if ok else Text("FAILED", style="bold red"), Text(detail))
    return table
