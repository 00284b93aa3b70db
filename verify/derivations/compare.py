"""Compare two derivation JSONs by meaning (``skd derive --check`` and ``--baseline``).

Statuses are compared by rank (hypotheses: proved < unknown < refuted; conclusions:
established < conditional < not_established). Constants are compared by meaning: equal text;
else both texts are read back with the **safe parser** (a stored file is untrusted input, never
``sympify``'d) and compared in canonical form (``srepr``), then by symbolic equality
(``simplify(a − b) == 0`` under a time budget), then numerically at sample points. A
difference that is only a re-printing is reported as ``reprinted`` and never fails.

>>> same_meaning("1/(2*T*epsilon)", "(1/2)/(epsilon*T)", ["T", "epsilon"]).verdict
'reprinted'
>>> same_meaning("1/(2*T*epsilon)", "1/(T*epsilon)", ["T", "epsilon"]).verdict
'changed'
"""

from __future__ import annotations

import dataclasses
import random
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, Literal

import sympy as sp

from skd.operators.errors import ExpressionError
from skd.operators.parse import parse_formula
from skd.operators.symbols import RESERVED
from skd.theory.theorems import LATEX_NAMES, SYMBOLS

from .claims import budgeted

__all__ = ["Meaning", "same_meaning", "DerivationComparison", "compare_derivations", "parse_constant", "RANK"]

RANK: dict[str, int] = {"proved": 0, "unknown": 1, "refuted": 2, "established": 0, "conditional": 1, "not_established": 2,
                        "pending": 1}
_KNOWN = {s.name: s for s in list(SYMBOLS.values()) + list(LATEX_NAMES)}


def parse_constant(text: str, symbols: Sequence[str]) -> sp.Expr:
    """Read a stored constant back with the safe parser; names map to the theorem symbols.

    >>> parse_constant("VarQ_logp/T**3", ["T", "VarQ_logp"])
    VarQ_logp/T**3
    """
    if not isinstance(text, str):
        raise ExpressionError(repr(text), "a stored constant must be a string")
    params = [s for s in symbols if s not in RESERVED]
    for name in params:
        if not (isinstance(name, str) and name.isidentifier()):
            raise ExpressionError(text, f"invalid symbol name {name!r} in the stored constant")
    expr = parse_formula(text, parameters=params)
    subs = {}
    for sym in expr.free_symbols:
        known = _KNOWN.get(sym.name)
        if known is not None and known != sym:
            subs[sym] = known
    return expr.xreplace(subs) if subs else expr


@dataclasses.dataclass(frozen=True)
class Meaning:
    verdict: Literal["same", "reprinted", "changed", "undecided"]
    detail: str = ""


def _simplify_difference(a: sp.Expr, b: sp.Expr) -> str:
    d = sp.simplify(a - b)
    if d == 0:
        return "zero"
    if d.is_number and d != 0:
        return "nonzero"
    return "unknown"


def _numeric_probe(a: sp.Expr, b: sp.Expr, seed: int = 0) -> str:
    """``differ`` if a sample point separates a and b, ``agree`` if 8 points agree to 1e-12."""
    rng = random.Random(seed)
    syms = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    agreed = 0
    for _ in range(40):
        env = {}
        for s in syms:
            if s.is_integer:
                env[s] = sp.Integer(rng.randint(2, 9))
            elif s.is_positive or s.is_nonnegative:
                env[s] = sp.Rational(rng.randint(1, 99), 100) if s.name == "x" else sp.Rational(rng.randint(1, 400), 100)
            else:
                env[s] = sp.Rational(rng.randint(-300, 300), 100)
        try:
            va, vb = complex(sp.N(a.subs(env), 30)), complex(sp.N(b.subs(env), 30))
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if any(v != v or abs(v) == float("inf") for v in (va, vb)):
            continue
        if abs(va - vb) > 1e-12 * max(1.0, abs(va), abs(vb)):
            return f"differ at {', '.join(f'{k}={v}' for k, v in env.items())}: {va.real:.15g} vs {vb.real:.15g}"
        agreed += 1
        if agreed >= 8:
            return "agree"
    return "undecided"


def same_meaning(old: str, new: str, symbols: Sequence[str], *, seconds: float = 10.0) -> Meaning:
    """Compare two constant texts by meaning: equal text, canonical form, symbolic, numeric."""
    if old == new:
        return Meaning("same")
    try:
        a, b = parse_constant(old, symbols), parse_constant(new, symbols)
    except ExpressionError as exc:
        return Meaning("changed", f"cannot read the stored constant: {exc}")
    if sp.srepr(a) == sp.srepr(b):
        return Meaning("reprinted", "same canonical form")
    res = budgeted(_simplify_difference, a, b, seconds=seconds, what="simplify(old - new)")
    if res.ok and res.value == "zero":
        return Meaning("reprinted", "symbolically equal")
    pr = budgeted(_numeric_probe, a, b, seconds=seconds, what="numeric comparison")
    probe = pr.value if pr.ok else "undecided"
    if probe.startswith("differ") or (res.ok and res.value == "nonzero"):
        return Meaning("changed", probe if probe.startswith("differ") else "old - new simplifies to a non-zero number")
    if probe == "agree":
        return Meaning("undecided", "numerically equal at 8 sample points; symbolic equality not shown"
                       + (f" ({res.reason})" if not res.ok else ""))
    return Meaning("undecided", "neither symbolic nor numeric comparison decided")


_BALL = re.compile(r"^\[\s*([-+0-9.eE]+)\s*\+/-\s*([-+0-9.eE]+)\s*\]$")
_PAIR = re.compile(r"^\[\s*([-+0-9.eE]+)\s*,\s*([-+0-9.eE]+)\s*\]$")


def _interval(text: str) -> tuple[Fraction, Fraction] | None:
    """``[mid +/- rad]`` or ``[lo, hi]`` as exact endpoints (decimal text is exact as a Fraction)."""
    t = text.strip()
    try:
        m = _BALL.match(t)
        if m:
            mid, rad = Fraction(m.group(1)), Fraction(m.group(2))
            return mid - rad, mid + rad
        m = _PAIR.match(t)
        if m:
            return Fraction(m.group(1)), Fraction(m.group(2))
    except (ValueError, ZeroDivisionError):
        return None
    return None


def _arb_overlap(a: str, b: str) -> bool | None:
    """Whether two enclosures overlap; ``None`` when either is not an enclosure string."""
    x, y = _interval(a), _interval(b)
    if x is None or y is None:
        return None
    return x[0] <= y[1] and y[0] <= x[1]


@dataclasses.dataclass
class DerivationComparison:
    """Differences between stored and current derivations."""

    regressions: list[str] = dataclasses.field(default_factory=list)
    improvements: list[str] = dataclasses.field(default_factory=list)
    changed_constants: list[str] = dataclasses.field(default_factory=list)
    undecided_constants: list[str] = dataclasses.field(default_factory=list)
    budget: list[str] = dataclasses.field(default_factory=list)
    reprinted: list[str] = dataclasses.field(default_factory=list)
    structure: list[str] = dataclasses.field(default_factory=list)  # added/removed claims, definition changes

    def failed(self, strict: bool = False) -> bool:
        """Baseline semantics: regressions and changed constants fail; the rest only under ``strict``."""
        return bool(self.regressions or self.changed_constants
                    or (strict and (self.improvements or self.budget or self.undecided_constants or self.structure)))

    def drifted(self) -> bool:
        """Golden semantics (``--check``): any difference in meaning is drift; re-printing is not."""
        return bool(self.regressions or self.improvements or self.changed_constants or self.undecided_constants
                    or self.budget or self.structure)

    def sections(self) -> list[tuple[str, list[str]]]:
        return [("regressions", self.regressions), ("changed constants", self.changed_constants),
                ("constants whose equality is undecided", self.undecided_constants),
                ("budget unknowns", self.budget), ("improvements", self.improvements),
                ("claims added/removed or definition changed", self.structure), ("re-printed only (not a change)", self.reprinted)]


def _status_text(c: Mapping[str, Any]) -> str:
    s = str(c.get("status"))
    if c.get("reason_kind") and s in ("unknown", "not_established"):
        s += f" ({c.get('reason_kind')})"
    return s


def _values_differ(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> str | None:
    def key(v: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((str(k), str(x)) for k, x in (v.get("at") or {}).items()))

    olds = {key(v): v.get("value") for v in old}
    news = {key(v): v.get("value") for v in new}
    if olds.keys() != news.keys():
        return "sample points differ"
    for k, ov in olds.items():
        nv = news[k]
        try:
            a, b = float(ov), float(nv)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            if ov != nv:
                return f"value at {dict(k)}: {ov} → {nv}"
            continue
        if abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b)):
            return f"value at {dict(k)}: {ov} → {nv}"
    return None


def compare_derivations(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], *,
                        seconds: float = 10.0) -> DerivationComparison:
    """Compare stored derivation objects with current ones, by operator name (then by hash: a
    renamed operator is compared with its stored self, and the rename noted) and claim id."""
    out = DerivationComparison()
    stored = {d["operator"]["name"]: d for d in old}
    current_names = {d["operator"]["name"] for d in new}
    renamed: set[str] = set()
    for cur in new:
        name = cur["operator"]["name"]
        prev = stored.get(name)
        if prev is None:
            prev = next((d for n, d in stored.items() if n not in current_names and n not in renamed
                         and d["operator"].get("hash") == cur["operator"].get("hash")), None)
            if prev is None:
                out.structure.append(f"{name}: not in the stored file")
                continue
            renamed.add(prev["operator"]["name"])
            out.structure.append(f"{name}: renamed from {prev['operator']['name']!r} (same definition)")
        if prev["operator"].get("hash") != cur["operator"].get("hash"):
            out.structure.append(f"{name}: definition changed (hash {prev['operator'].get('hash')} → {cur['operator'].get('hash')})")
        if list(prev.get("topics") or []) != list(cur.get("topics") or []):
            out.structure.append(f"{name}: topics {prev.get('topics')} → {cur.get('topics')}")
        pc = {c["id"]: c for c in prev.get("claims", [])}
        nc = {c["id"]: c for c in cur.get("claims", [])}
        for cid in sorted(pc.keys() - nc.keys()):
            out.regressions.append(f"{name} / {cid}: {_status_text(pc[cid])} in the stored file, absent now")
        for cid in sorted(nc.keys() - pc.keys()):
            out.structure.append(f"{name} / {cid}: new claim ({_status_text(nc[cid])})")
        for cid in [c for c in nc if c in pc]:
            a, b = pc[cid], nc[cid]
            where = f"{name} / {cid}"
            ra, rb = RANK.get(str(a.get("status")), 1), RANK.get(str(b.get("status")), 1)
            change = f"{where}: {_status_text(a)} → {_status_text(b)}"
            if rb > ra:
                if b.get("reason_kind") == "budget":
                    out.budget.append(change + f" — {b.get('reason')}")
                else:
                    ce = (b.get("counterexample") or {}).get("statement")
                    out.regressions.append(change + (f" — counterexample: {ce}" if ce else f" — {b.get('reason') or ''}".rstrip(" —")))
            elif rb < ra:
                out.improvements.append(change)
            elif a.get("status") != b.get("status"):
                out.structure.append(change)
            elif a.get("scope", "full") != b.get("scope", "full") and b.get("status") in ("proved", "established", "conditional"):
                scope = f"{where}: {b.get('status')} on scope {a.get('scope', 'full')!r} → {b.get('scope', 'full')!r}"
                if a.get("scope", "full") == "full":
                    out.regressions.append(scope + " (a full-scope result became partial)")
                elif b.get("scope", "full") == "full":
                    out.improvements.append(scope)
                else:
                    out.structure.append(scope)
            ka = {k["name"]: k for k in a.get("constants", [])}
            kb = {k["name"]: k for k in b.get("constants", [])}
            for kname in sorted(ka.keys() - kb.keys()):
                out.changed_constants.append(f"{where}:{kname}: in the stored file ({ka[kname].get('expr')}), absent now")
            for kname in sorted(kb.keys() - ka.keys()):
                out.structure.append(f"{where}:{kname}: new constant {kb[kname].get('expr')}")
            for kname in [k for k in kb if k in ka]:
                x, y = ka[kname], kb[kname]
                label = f"{where}:{kname}"
                syms = sorted(set(x.get("symbols") or []) | set(y.get("symbols") or []))
                m = same_meaning(str(x.get("expr")), str(y.get("expr")), syms, seconds=seconds)
                if m.verdict == "changed":
                    out.changed_constants.append(f"{label}: {x.get('expr')} → {y.get('expr')} ({m.detail})")
                    continue
                if m.verdict == "undecided":
                    out.undecided_constants.append(f"{label}: {x.get('expr')} vs {y.get('expr')} ({m.detail})")
                elif m.verdict == "reprinted":
                    out.reprinted.append(f"{label}: {x.get('expr')} → {y.get('expr')} ({m.detail})")
                if x.get("kind") != y.get("kind"):
                    out.changed_constants.append(f"{label}: kind {x.get('kind')} → {y.get('kind')}")
                ea, eb = x.get("enclosure"), y.get("enclosure")
                if ea != eb:
                    overlap = _arb_overlap(ea, eb) if isinstance(ea, str) and isinstance(eb, str) else None
                    if overlap:
                        out.reprinted.append(f"{label}: enclosure {ea} → {eb} (overlapping balls)")
                    else:
                        out.changed_constants.append(f"{label}: enclosure {ea} → {eb}")
                vd = _values_differ(x.get("values") or [], y.get("values") or [])
                if vd:
                    out.changed_constants.append(f"{label}: {vd}")
    for name in sorted(stored.keys() - current_names - renamed):
        out.structure.append(f"{name}: in the stored file, not derived now")
    return out
