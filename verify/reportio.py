"""Reading stored JSON (reports, baselines, derivations): bounded, strict, and never a crash.

A stored file is untrusted input. Every reader of ``skd`` (``skd recheck``, ``skd check
--baseline``, ``skd derive --baseline``, the pytest plugin's goldens) goes through
:func:`load_json`, which enforces

* a **size cap** (``max_bytes``, default :data:`MAX_BYTES` = 8 MiB, or the environment variable
  ``SKD_MAX_REPORT_BYTES``): at most ``max_bytes + 1`` bytes are ever read, so ``/dev/zero`` or a
  FIFO cannot exhaust memory;
* **strict JSON**: UTF-8, no duplicate keys, no ``NaN``/``Infinity``, integers of at most
  :data:`MAX_INT_DIGITS` digits, nesting at most :data:`MAX_DEPTH` deep;

and :func:`load_reports` adds the shape of an ``skd check --json`` report and a **count cap**
(``max_operators``, default :data:`MAX_OPERATORS` = 256, or ``SKD_MAX_REPORT_OPERATORS``), with
each axiom at most once per operator. Every failure is a :class:`ReportFileError` whose message
names the argument, the file and the reason, and is bounded in length (:func:`short`).

>>> import tempfile, os
>>> with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
...     _ = f.write('{"a": 1, "a": 2}')
>>> try:
...     load_json(f.name, "--baseline")
... except ReportFileError as exc:
...     print(str(exc).replace(f.name, "F"))
--baseline: 'F' is not strict JSON: duplicate key 'a'
>>> os.unlink(f.name)
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from skd.operators.errors import SkdError

__all__ = ["ReportFileError", "load_json", "load_reports", "validate_reports", "reports_for", "short", "MAX_BYTES", "MAX_DEPTH",
           "MAX_INT_DIGITS", "MAX_OPERATORS", "MAX_MESSAGE", "default_max_bytes", "default_max_operators"]

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64
MAX_INT_DIGITS = 100
MAX_OPERATORS = 256
MAX_MESSAGE = 400


class ReportFileError(SkdError, ValueError):
    """A stored file that cannot be used: missing, too large, not strict JSON, or the wrong shape."""


def short(text: Any, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to ``limit`` characters (a message quoting untrusted data stays readable)."""
    s = str(text)
    return s if len(s) <= limit else s[: limit - 30] + f" … [{len(s) - limit + 30} more characters]"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ReportFileError(f"{name}={short(raw, 60)!r} is not an integer") from None
    if value < 1:
        raise ReportFileError(f"{name}={value} must be >= 1")
    return value


def default_max_bytes() -> int:
    return _env_int("SKD_MAX_REPORT_BYTES", MAX_BYTES)


def default_max_operators() -> int:
    return _env_int("SKD_MAX_REPORT_OPERATORS", MAX_OPERATORS)


class _Strict(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _Strict(f"duplicate key {short(k, 60)!r}")
        out[k] = v
    return out


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Strict(f"an integer with {len(text.lstrip('-'))} digits (at most {MAX_INT_DIGITS})")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Strict(f"the number {short(text, 40)} overflows a float")
    return value


def _constant(text: str) -> Any:
    raise _Strict(f"{text} is not a JSON number")


def _depth_ok(data: Any, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        node, d = stack.pop()
        if d > limit:
            return False
        if isinstance(node, dict):
            stack.extend((v, d + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, d + 1) for v in node)
    return True


def load_json(path_text: str | os.PathLike[str], what: str, *, max_bytes: int | None = None) -> Any:
    """The JSON value stored in ``path_text``, read under the caps above.

    ``what`` names the argument in messages (``"--baseline"``, ``"recheck"``).
    """
    limit = default_max_bytes() if max_bytes is None else max_bytes
    path = Path(path_text)
    shown = short(str(path_text), 200)
    try:
        if path.is_dir():
            raise ReportFileError(f"{what}: {shown!r} is a directory, not a JSON file")
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        raise ReportFileError(f"{what}: no such file: {shown!r}") from None
    except ReportFileError:
        raise
    except OSError as exc:
        raise ReportFileError(f"{what}: cannot read {shown!r}: {short(exc.strerror or exc, 120)}") from None
    if len(raw) > limit:
        raise ReportFileError(f"{what}: {shown!r} is larger than {limit} bytes (the cap; raise it with --max-bytes "
                              "or SKD_MAX_REPORT_BYTES)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportFileError(f"{what}: {shown!r} is not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except _Strict as exc:
        raise ReportFileError(f"{what}: {shown!r} is not strict JSON: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ReportFileError(f"{what}: {shown!r} is not JSON: {short(exc.msg, 100)} at line {exc.lineno} "
                              f"column {exc.colno}") from None
    except RecursionError:
        raise ReportFileError(f"{what}: {shown!r} nests arrays/objects more than {MAX_DEPTH} deep") from None
    except ValueError as exc:
        raise ReportFileError(f"{what}: {shown!r} is not strict JSON: {short(exc, 120)}") from None
    if not _depth_ok(data, MAX_DEPTH):
        raise ReportFileError(f"{what}: {shown!r} nests arrays/objects more than {MAX_DEPTH} deep")
    return data


_OPERATOR_FIELDS = {"name": str, "kind": str, "definition": str, "hash": str}


def validate_reports(data: Any, what: str, shown: str, *, max_operators: int | None = None) -> list[dict[str, Any]]:
    """The operator reports of a stored ``skd check --json`` value, after checking their shape.

    Checks: one report or ``{"schema_version", "tool", "operators": [...]}``; the schema version;
    at most ``max_operators`` reports; each report an object with an ``operator`` object
    (``name``, ``kind``, ``definition``, ``hash`` strings), a known ``profile`` and a list of
    verdict objects with an ``axiom`` string and a known ``status``, each axiom at most once.
    """
    from skd.theory.axioms import PROFILES

    from .verdict import SCHEMA_VERSION, STATUS_ORDER

    cap = default_max_operators() if max_operators is None else max_operators
    if not isinstance(data, dict):
        raise ReportFileError(f"{what}: {shown!r} is not an skd report (a JSON object; see verify/data/report.schema.json)")
    reports = data.get("operators") if "operators" in data else [data]
    if not isinstance(reports, list) or not reports:
        raise ReportFileError(f"{what}: {shown!r} holds no operator reports")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ReportFileError(f"{what}: {shown!r} has schema_version {short(repr(version), 40)}; this skd reads {SCHEMA_VERSION}")
    if len(reports) > cap:
        raise ReportFileError(f"{what}: {shown!r} holds {len(reports)} operator reports, more than the cap of {cap} "
                              "(raise it with --max-operators or SKD_MAX_REPORT_OPERATORS)")
    def bad(detail: str) -> ReportFileError:
        return ReportFileError(f"{what}: {shown!r} is not an skd report: {detail} (see verify/data/report.schema.json)")

    for k, r in enumerate(reports):
        if not isinstance(r, dict):
            raise bad(f"operator report {k} is not an object")
        op = r.get("operator")
        if not isinstance(op, dict):
            raise bad(f"operator report {k} has no 'operator' object")
        for field, typ in _OPERATOR_FIELDS.items():
            if not isinstance(op.get(field), typ) or not op.get(field):
                raise bad(f"operator report {k}: operator.{field} is missing or not a non-empty string")
        where = f"operator {short(op['name'], 80)!r}"
        profile = r.get("profile", "paper")
        if not isinstance(profile, str) or profile not in PROFILES:
            raise bad(f"{where}: unknown profile {short(repr(profile), 40)} (choose from {sorted(PROFILES)})")
        verdicts = r.get("verdicts")
        if not isinstance(verdicts, list):
            raise bad(f"{where}: 'verdicts' is not a list")
        n_axioms = len(PROFILES[profile].axioms)
        if len(verdicts) > n_axioms:
            raise bad(f"{where}: {len(verdicts)} verdicts, but profile {profile!r} has {n_axioms} axioms")
        seen: set[str] = set()
        for v in verdicts:
            if not (isinstance(v, dict) and isinstance(v.get("axiom"), str) and isinstance(v.get("status"), str)
                    and v["status"] in STATUS_ORDER):
                raise bad(f"{where}: a verdict is not an object with an 'axiom' and a status in {sorted(STATUS_ORDER)}")
            if v["axiom"] in seen:
                raise bad(f"{where}: axiom {short(v['axiom'], 40)!r} has more than one verdict")
            seen.add(v["axiom"])
    return reports


def load_reports(path_text: str, what: str, *, max_bytes: int | None = None,
                 max_operators: int | None = None) -> list[dict[str, Any]]:
    """:func:`load_json` then :func:`validate_reports`."""
    data = load_json(path_text, what, max_bytes=max_bytes)
    return validate_reports(data, what, short(str(path_text), 200), max_operators=max_operators)


def reports_for(path_text: str, ops: Any, what: str, *, profile: str = "paper") -> dict[str, Any]:
    """The stored ``skd check --json`` report of each operator of ``ops`` in ``path_text`` (an
    untrusted file: read under the caps above), as :class:`~skd.verify.verdict.Report` values by
    operator name. Each must exist, be of the operator's current definition (its content hash) and
    of ``profile``; else :class:`ReportFileError` naming what does not match. Used where a report
    already computed replaces a new check (``skd crosscheck --reports``, ``tools/regenerate.py``)."""
    from .verdict import Report

    stored = load_reports(path_text, what)
    shown = short(str(path_text), 200)
    by_name = {d["operator"]["name"]: d for d in stored}
    out: dict[str, Any] = {}
    for op in ops:
        d = by_name.get(op.name)
        if d is None:
            raise ReportFileError(f"{what}: {shown!r} has no report of {op.name!r}")
        if d["operator"].get("hash") != op.hash:
            raise ReportFileError(f"{what}: {shown!r} checked another definition of {op.name!r} "
                                  f"(hash {short(d['operator'].get('hash'), 40)}, now {op.hash})")
        if d.get("profile", "paper") != profile:
            raise ReportFileError(f"{what}: {shown!r} checked {op.name!r} under profile "
                                  f"{short(d.get('profile'), 40)!r}, not {profile!r}")
        try:
            out[op.name] = Report.from_json(d)
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportFileError(f"{what}: the report of {op.name!r} in {shown!r} is incomplete "
                                  f"({type(exc).__name__}: {short(exc, 200)})") from None
    return out


def profile_axioms(report: Mapping[str, Any]) -> list[str]:
    from skd.theory.axioms import PROFILES

    return [a.id for a in PROFILES[report.get("profile", "paper")].axioms]
