"""Comparing a run with a stored report: ``skd check --baseline`` and the pytest plugin's goldens.

One home for :func:`compare_with_baseline` (status and scope only; timings and seeds are never
compared), used by the command line and by :mod:`skd.verify.pytest_plugin` alike.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from .verdict import STATUS_ORDER

__all__ = ["Comparison", "compare_with_baseline"]


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

    def name(r: Mapping[str, Any]) -> Any:
        return r["operator"]["name"]

    def digest(r: Mapping[str, Any]) -> Any:
        return r["operator"].get("hash")

    def matches(rule: str, o: Mapping[str, Any], r: Mapping[str, Any]) -> bool:
        if rule == "both":
            return bool(name(o) == name(r) and digest(o) == digest(r))
        if rule == "hash":
            return bool(digest(o) == digest(r) and digest(o) is not None)
        return bool(name(o) == name(r))

    def take(rule: str, r: Mapping[str, Any]) -> Mapping[str, Any] | None:
        for k, old in enumerate(free):
            if matches(rule, old, r):
                return free.pop(k)
        return None

    for rule in ("both", "hash", "name"):
        for k, report in enumerate(current):
            if keyed[k] is not None:
                continue
            old = take(rule, report)
            if rule == "both":
                note = ""
            elif rule == "hash":
                note = f"{name(report)}: renamed from {name(old)!r} (same definition)" if old else ""
            else:
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
