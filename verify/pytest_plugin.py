"""A pytest plugin for projects that maintain their own softening operators.

Installing ``skd`` registers this module with pytest (entry point ``pytest11``, name ``skd``), so
every test suite in an environment with ``skd`` gets it; ``pytest -p no:skd`` turns it off.

Fixtures
--------
``skd_check(op_or_formula, *, name=None, timeout=None, profile="paper", seed=0, attack_seconds=1.0)``
    Check an :class:`~skd.operators.Operator` (or a formula string, read by the safe parser
    :func:`skd.operators.separable`) and return a :class:`CheckResult`. The report is cached for
    the session (key: operator hash and name, profile, timeout, seed, attack seconds).
``skd_golden(op, topics=None, *, timeout=None, strict=None)``
    Derive the claim graph of ``op`` (``skd derive``) and compare it **by meaning** with the
    golden ``<test dir>/skd_goldens/<op name>.json``. A changed constant (``VarQ_logp/T**3`` →
    ``VarQ_logp/T**2``) or a regression (a proved hypothesis now unknown or refuted) fails and
    the message lists every section of the comparison; a mere re-printing of a constant
    (``VarQ_logp*T**(-3)``) passes. Budget unknowns, improvements and added claims fail only
    under ``strict`` (``--skd-strict``); otherwise they are reported as a warning.
``skd_golden_report(op, *, timeout=None, profile="paper", strict=None)``
    The same for the verdicts of ``skd check``: ``<test dir>/skd_goldens/<op name>.report.json``
    (the report without tool versions and timings); fails on a verdict regression (proved →
    unknown/refuted, unknown → refuted).

A missing golden fails with the command that writes it; ``pytest --skd-update`` (re)writes the
goldens instead of comparing (the test then passes with a warning saying what was written).
Commit the ``skd_goldens/`` folder.

Options: ``--skd-update``, ``--skd-strict`` (command line) and the ini option ``skd_timeout``
(seconds per proof obligation; default 20), e.g. in ``pyproject.toml``::

    [tool.pytest.ini_options]
    skd_timeout = "30"

A downstream test module::

    from myops import scaled_power

    def test_scaled_power_qualifies(skd_check):
        skd_check(scaled_power).assert_qualifies()

    def test_too_sharp_breaks_only_identity(skd_check):
        skd_check("x**(2/T)", name="too_sharp").assert_axioms(
            proved=["ranking", "entropy"], refuted=["identity"])

    def test_scaled_power_derivation_unchanged(skd_golden):
        skd_golden(scaled_power, topics=["entropy"])

Soundness: ``assert_qualifies`` passes only when **every** axiom is proved on the full scope;
``assert_axioms(proved=[...])`` fails on an ``unknown`` verdict (with its reason), never passes
it. Failure messages name the axiom, the expected and the actual verdict, and the certified
counterexample (statement, ``p``, ``T`` and a one-line reproduction) or the unknown's reason.

The same assertions work without pytest fixtures (no caching unless you pass a dict):

>>> result = check_operator("x**(2/T)", name="too_sharp", timeout=30)
>>> result.assert_axioms(proved=["ranking", "entropy"], refuted=["identity"])
>>> result.assert_qualifies()
Traceback (most recent call last):
...
AssertionError: skd: operator 'too_sharp' (separable: x**(2/T)) does not qualify under profile 'paper': 1 of 7 axioms not proved
  identity: expected proved, got refuted (...)
    counterexample: F_1(p)_0 != p_0
      p = [...] (V = ...), T = 1...
      reproduce: python -c "from fractions import Fraction as Q;
        ...; print(F[0], p[0])"
  all verdicts: well_defined proved, ranking proved, continuity proved, entropy proved, identity refuted,
    boundary_cold proved, boundary_hot proved
>>> result.assert_axioms(proved=["identiy"])
Traceback (most recent call last):
...
skd.operators.errors.InvalidArgument: proved='identiy': unknown axiom id; valid ids (profile 'paper'):
    well_defined, ranking, continuity, entropy, identity, boundary_cold, boundary_hot
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
import warnings
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:  # the plain functions work without pytest; the fixtures need it
    import pytest
except ImportError:  # pragma: no cover - pytest is a test dependency
    pytest = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from skd.operators import Operator
    from skd.verify.verdict import Counterexample, Report, Verdict

__all__ = [
    "DEFAULT_TIMEOUT",
    "GOLDEN_DIR",
    "CheckResult",
    "SkdGoldenWarning",
    "assert_axioms",
    "assert_qualifies",
    "check_operator",
    "golden_derivation",
    "golden_path",
    "golden_report",
]

#: Folder (beside the test module) that holds the goldens.
GOLDEN_DIR = "skd_goldens"
#: Seconds per proof obligation unless the ``skd_timeout`` ini option says otherwise.
DEFAULT_TIMEOUT = 20.0
UPDATE_HINT = "run `pytest --skd-update` to write it, then review and commit it"

CacheKey = tuple[str, str, str, float, int, float]


class SkdGoldenWarning(UserWarning):
    """A golden was written, or differs in a way that does not fail (improvement, budget)."""


# -- operators -----------------------------------------------------------------------------------


def _as_operator(op_or_formula: Operator | str, name: str | None) -> Operator:
    """An Operator as is, or a formula string read by the safe parser."""
    from skd.operators import Operator, separable
    from skd.operators.errors import InvalidArgument

    if isinstance(op_or_formula, Operator):
        if name is not None and name != op_or_formula.name:
            raise InvalidArgument("name", name, f"is only for formula strings; the operator is already called {op_or_formula.name!r}")
        return op_or_formula
    if isinstance(op_or_formula, str):
        return separable(op_or_formula, name=name or "custom")
    raise InvalidArgument("op", op_or_formula, "must be an Operator (skd.operators.separable / vector) or a formula string")


# -- messages -------------------------------------------------------------------------------------


def _one_liner(code: str) -> str:
    """A shell command running ``code`` with ``python -c``."""
    if not any(c in code for c in '"$`\\!'):
        return f'python -c "{code}"'
    return "python -c " + shlex.quote(code)


def _counterexample_lines(ce: Counterexample, indent: str) -> list[str]:
    where = f"p = [{', '.join(ce.p)}] (V = {ce.V})"
    if ce.T is not None:
        where += f", T = {ce.T}"
    if ce.T2 is not None:
        where += f", T2 = {ce.T2}"
    if ce.i is not None:
        where += f", i = {ce.i}"
    if ce.j is not None:
        where += f", j = {ce.j}"
    if ce.values:
        where += ", " + ", ".join(f"{k} = {v}" for k, v in ce.values)
    lines = [f"{indent}counterexample: {ce.statement}", f"{indent}  {where}"]
    if ce.limit:
        lines.append(f"{indent}  limit: {ce.limit}")
    lines.append(f"{indent}  lhs = {ce.lhs.decimal}  {ce.relation}  rhs = {ce.rhs.decimal}  (certified by {ce.certified_by})")
    lines.append(f"{indent}  reproduce: {_one_liner(ce.reproduce)}")
    return lines


def _verdict_lines(v: Verdict, expected: str, timeout: float) -> list[str]:
    """Why ``v`` is not ``expected``: the counterexample, the reason, or the proof method."""
    got = v.status if v.status != "proved" or v.scope == "full" else f"proved only on scope {v.scope}"
    lines = [f"  {v.axiom}: expected {expected}, got {got} ({v.method})"]
    if v.counterexample is not None:
        lines += _counterexample_lines(v.counterexample, "    ")
    if v.status == "unknown":
        lines.append(f"    reason ({v.reason_kind}): {v.reason}")
        if v.reason_kind == "budget":
            lines.append(f"    hint: the budget was {timeout:g} s per obligation; pass a larger timeout= (or ini skd_timeout)")
    if v.status == "proved" and expected != "proved":
        lines.append(f"    certificate: {len(v.certificate)} step(s), first: {v.certificate[0].text if v.certificate else '-'}")
        if expected == "unknown":
            lines.append("    (an improvement: update the expectation)")
    return lines


# -- results --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The report of ``skd check`` for one operator, with assertions for tests."""

    op: Operator
    report: Report
    timeout: float

    @property
    def qualifies(self) -> bool:
        """Every axiom proved on the full scope."""
        return self.report.qualifies

    @property
    def statuses(self) -> dict[str, str]:
        """``{axiom id: status}`` in profile order."""
        return {v.axiom: v.status for v in self.report.verdicts}

    def verdict(self, axiom: str) -> Verdict:
        return self.report.verdict(axiom)

    def _header(self) -> str:
        return f"operator {self.op.name!r} ({self.op.kind}: {self.op.definition})"

    def _table(self) -> str:
        return "  all verdicts: " + ", ".join(f"{a} {s}" for a, s in self.statuses.items())

    def assert_qualifies(self) -> None:
        """Fail unless every axiom of the profile is proved on the full scope."""
        __tracebackhide__ = True
        bad = [v for v in self.report.verdicts if not v.full]
        if self.report.verdicts and not bad:
            return
        lines = [(f"skd: {self._header()} does not qualify under profile {self.report.profile!r}: "
                 f"{len(bad)} of {len(self.report.verdicts)} axioms not proved")]
        for v in bad:
            lines += _verdict_lines(v, "proved", self.timeout)
        lines.append(self._table())
        raise AssertionError("\n".join(lines))

    def assert_axioms(self, *, proved: Iterable[str] = (), refuted: Iterable[str] = (),
                      unknown: Iterable[str] = ()) -> None:
        """Fail unless each listed axiom has exactly the listed verdict (others are not checked).

        ``proved`` means proved on the full scope; an ``unknown`` never passes for ``proved``.
        """
        __tracebackhide__ = True
        want = _expectations(self.report.profile, proved=proved, refuted=refuted, unknown=unknown)
        lines: list[str] = []
        n = 0
        for axiom, expected in want.items():
            v = self.report.verdict(axiom)
            actual = "proved" if v.full else ("unknown" if v.status == "proved" else v.status)
            if actual != expected:
                n += 1
                lines += _verdict_lines(v, expected, self.timeout)
        if n:
            raise AssertionError("\n".join([(f"skd: {self._header()}: {n} axiom verdict(s) differ from the expectation "
                                            f"(profile {self.report.profile!r})")] + lines + [self._table()]))

    def __repr__(self) -> str:
        return f"CheckResult({self.op!r}, qualifies={self.qualifies}, {self.statuses})"


def _axiom_ids(profile: str) -> list[str]:
    from skd.operators.errors import InvalidArgument
    from skd.theory.axioms import PROFILES

    if profile not in PROFILES:
        raise InvalidArgument("profile", profile, f"choose from {sorted(PROFILES)}")
    return [a.id for a in PROFILES[profile].axioms]


def _expectations(profile: str, **lists: Iterable[str]) -> dict[str, str]:
    """``{axiom: expected status}``, validated: known ids, no axiom in two lists, not empty."""
    from skd.operators.errors import InvalidArgument

    valid = _axiom_ids(profile)
    out: dict[str, str] = {}
    for status, ids in lists.items():
        if isinstance(ids, str) or not isinstance(ids, Iterable):
            raise InvalidArgument(status, ids, f"must be a list of axiom ids, e.g. {status}=[{ids!r}]"
                                  if isinstance(ids, str) else "must be a list of axiom ids")
        for axiom in ids:
            if axiom not in valid:
                raise InvalidArgument(status, axiom, f"unknown axiom id; valid ids (profile {profile!r}): {', '.join(valid)}")
            if axiom in out and out[axiom] != status:
                raise InvalidArgument(status, axiom, f"is also listed in {out[axiom]}=; an axiom has one expected verdict")
            out[axiom] = status
    if not out:
        raise InvalidArgument("proved/refuted/unknown", [], "name at least one axiom (or use assert_qualifies)")
    return out


# -- checking -------------------------------------------------------------------------------------


def check_operator(op_or_formula: Operator | str, *, name: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                   profile: str = "paper", seed: int = 0, attack_seconds: float = 1.0,
                   cache: MutableMapping[CacheKey, Report] | None = None) -> CheckResult:
    """Run ``skd check`` on an operator or formula; reuse ``cache[key]`` when given."""
    from skd.verify.checker import check

    op = _as_operator(op_or_formula, name)
    _axiom_ids(profile)
    key: CacheKey = (op.hash, op.name, profile, float(timeout), int(seed), float(attack_seconds))
    report = cache.get(key) if cache is not None else None
    if report is None:
        report = check(op, profile=profile, timeout=timeout, seed=seed, attack_seconds=attack_seconds)
        if cache is not None:
            cache[key] = report
    return CheckResult(op, report, float(timeout))


def assert_qualifies(op_or_result: Operator | str | CheckResult, **check_args: Any) -> CheckResult:
    """Check (unless given a :class:`CheckResult`) and fail unless every axiom is proved."""
    __tracebackhide__ = True
    result = op_or_result if isinstance(op_or_result, CheckResult) else check_operator(op_or_result, **check_args)
    result.assert_qualifies()
    return result


def assert_axioms(op_or_result: Operator | str | CheckResult, *, proved: Iterable[str] = (),
                  refuted: Iterable[str] = (), unknown: Iterable[str] = (), **check_args: Any) -> CheckResult:
    """Validate the lists, check (unless given a :class:`CheckResult`), compare verdicts."""
    __tracebackhide__ = True
    proved, refuted, unknown = list(_listed(proved, "proved")), list(_listed(refuted, "refuted")), list(_listed(unknown, "unknown"))
    profile = op_or_result.report.profile if isinstance(op_or_result, CheckResult) else check_args.get("profile", "paper")
    _expectations(profile, proved=proved, refuted=refuted, unknown=unknown)
    result = op_or_result if isinstance(op_or_result, CheckResult) else check_operator(op_or_result, **check_args)
    result.assert_axioms(proved=proved, refuted=refuted, unknown=unknown)
    return result


def _listed(ids: Iterable[str], argument: str) -> Iterable[str]:
    from skd.operators.errors import InvalidArgument

    if isinstance(ids, str):
        raise InvalidArgument(argument, ids, f"must be a list of axiom ids, e.g. {argument}=[{ids!r}]")
    if not isinstance(ids, Iterable):
        raise InvalidArgument(argument, ids, "must be a list of axiom ids")
    return ids


# -- goldens --------------------------------------------------------------------------------------


def golden_path(folder: Path, op: Operator, suffix: str = ".json") -> Path:
    """``folder/skd_goldens/<op name><suffix>``, the name made safe for a file system."""
    safe = re.sub(r"[^\w.\-\[\]=,+]", "_", op.name).lstrip(".") or "operator"
    return Path(folder) / GOLDEN_DIR / f"{safe}{suffix}"


def _sections_text(sections: Sequence[tuple[str, list[str]]]) -> list[str]:
    lines = []
    for title, items in sections:
        if items:
            lines.append(f"  {title}:")
            lines += [f"    - {item}" for item in items]
    return lines


def _write(path: Path, text: str) -> bool:
    """Write ``text`` unless the file already holds it; whether the file changed."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def _read_json(path: Path) -> Any:
    __tracebackhide__ = True
    from skd.verify.reportio import ReportFileError, load_json

    try:
        return load_json(path, "golden")
    except ReportFileError as exc:
        raise AssertionError(f"skd: cannot read the golden {path}: {exc}; {UPDATE_HINT}") from None


def golden_derivation(op: Operator, folder: Path | str, *, topics: Sequence[str] | None = None,
                      timeout: float = DEFAULT_TIMEOUT, update: bool = False, strict: bool = False,
                      checker: Callable[..., Report] | None = None, stacklevel: int = 2) -> Path:
    """Compare ``skd derive`` of ``op`` with its golden in ``folder/skd_goldens`` (or write it).

    ``checker(op, timeout=...)`` supplies the ``skd check`` report the derivation needs (the
    fixture passes its session cache); ``stacklevel`` places the warnings (as in
    :func:`warnings.warn`). Returns the golden's path.
    """
    __tracebackhide__ = True
    from skd.operators import Operator
    from skd.operators.errors import InvalidArgument
    from skd.verify.derivations import derive
    from skd.verify.derivations.compare import compare_derivations
    from skd.verify.derivations.render import json_text

    if not isinstance(op, Operator):
        raise InvalidArgument("op", op, "must be an Operator (give formulas a name with skd.operators.separable(text, name=...))")
    path = golden_path(Path(folder), op)
    if not update and not path.exists():
        raise AssertionError(f"skd: no golden derivation for operator {op.name!r} at {path}; {UPDATE_HINT}")
    d = derive(op, topics=topics, timeout=timeout, checker=checker)
    text = json_text(d, canonical=True)
    if update:
        if _write(path, text):
            warnings.warn(SkdGoldenWarning(f"skd: wrote the golden derivation {path}"), stacklevel=stacklevel)
        return path
    stored = _read_json(path)
    old = stored["derivations"] if isinstance(stored, dict) and "derivations" in stored else [stored]
    if not (isinstance(old, list) and all(isinstance(o, dict) and isinstance(o.get("operator"), dict) for o in old)):
        raise AssertionError(f"skd: {path} is not a derivation JSON; {UPDATE_HINT}")
    cmp = compare_derivations(old, [json.loads(text)], seconds=min(10.0, timeout))
    sections = [(t, items) for t, items in cmp.sections() if items]
    if cmp.failed(strict=strict):
        raise AssertionError("\n".join(
            [f"skd: the derivation of operator {op.name!r} ({op.definition}) differs in meaning from the golden {path}"
             + (" (strict)" if strict else "")]
            + _sections_text(sections)
            + [f"  if the change is intended, {UPDATE_HINT.replace('write it', 'rewrite it')}"]))
    noted = [(t, items) for t, items in sections if t != "re-printed only (not a change)"]
    if noted:
        warnings.warn(SkdGoldenWarning("\n".join([(f"skd: the derivation of {op.name!r} differs from {path} without failing "
                                                  "(use --skd-strict to fail)")] + _sections_text(noted))), stacklevel=stacklevel)
    return path


def _canonical_report(report: Report) -> str:
    j = report.to_json()
    j.pop("tool", None)
    for v in j["verdicts"]:
        v.pop("seconds", None)
    return json.dumps(j, indent=2, ensure_ascii=False) + "\n"


def golden_report(result: CheckResult, folder: Path | str, *, update: bool = False, strict: bool = False,
                  stacklevel: int = 2) -> Path:
    """Compare the verdicts of ``result`` with ``folder/skd_goldens/<name>.report.json`` (or write it)."""
    __tracebackhide__ = True
    from skd.verify.baseline import compare_with_baseline

    path = golden_path(Path(folder), result.op, ".report.json")
    text = _canonical_report(result.report)
    if update:
        if _write(path, text):
            warnings.warn(SkdGoldenWarning(f"skd: wrote the golden report {path}"), stacklevel=stacklevel)
        return path
    if not path.exists():
        raise AssertionError(f"skd: no golden report for operator {result.op.name!r} at {path}; {UPDATE_HINT}")
    stored = _read_json(path)
    if not (isinstance(stored, dict) and isinstance(stored.get("verdicts"), list) and isinstance(stored.get("operator"), dict)):
        raise AssertionError(f"skd: {path} is not a report JSON; {UPDATE_HINT}")
    if stored.get("profile") != result.report.profile:
        raise AssertionError(f"skd: {path} was written for profile {stored.get('profile')!r}, "
                             f"checked now with {result.report.profile!r}; {UPDATE_HINT}")
    cmp = compare_with_baseline([stored], [json.loads(text)])
    if cmp.failed(strict):
        lines = [f"skd: the verdicts of operator {result.op.name!r} ({result.op.definition}) regressed against {path}"
                 + (" (strict)" if strict else "")]
        lines += _sections_text([("regressions", cmp.regressions), ("budget unknowns", cmp.budget),
                                 ("improvements", cmp.improvements), ("notes", cmp.notes)])
        old = {v["axiom"]: v["status"] for v in stored["verdicts"]}
        lines.append("  details:")
        for v in result.report.verdicts:
            if old.get(v.axiom) not in (None, v.status):
                lines += ["  " + ln for ln in _verdict_lines(v, str(old[v.axiom]), result.timeout)]
        lines.append(f"  if the change is intended, {UPDATE_HINT.replace('write it', 'rewrite it')}")
        raise AssertionError("\n".join(lines))
    noted = [("budget unknowns", cmp.budget), ("improvements", cmp.improvements), ("notes", cmp.notes)]
    if any(items for _, items in noted):
        warnings.warn(SkdGoldenWarning("\n".join([f"skd: the verdicts of {result.op.name!r} differ from {path} without failing"]
                                                 + _sections_text(noted))), stacklevel=stacklevel)
    return path


# -- pytest hooks and fixtures ----------------------------------------------------------------------


def pytest_addoption(parser: Any) -> None:
    """``--skd-update``, ``--skd-strict`` and the ini option ``skd_timeout``."""
    group = parser.getgroup("skd", "skd: softening-operator checks")
    group.addoption("--skd-update", action="store_true", default=False,
                    help="rewrite the skd goldens (skd_goldens/*.json) instead of comparing with them")
    group.addoption("--skd-strict", action="store_true", default=False,
                    help="skd goldens: also fail on improvements, budget unknowns and added claims")
    parser.addini("skd_timeout", help=f"skd: seconds per proof obligation (default {DEFAULT_TIMEOUT:g})", default=str(DEFAULT_TIMEOUT))


def _ini_timeout(config: Any) -> float:
    from skd.operators.errors import InvalidArgument

    raw = config.getini("skd_timeout")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise InvalidArgument("skd_timeout", raw, "the ini option must be a number of seconds") from None
    if not value > 0:
        raise InvalidArgument("skd_timeout", raw, "the ini option must be > 0 seconds")
    return value


if pytest is not None:

    @pytest.fixture(scope="session")
    def _skd_session_cache() -> dict[CacheKey, Report]:
        """Reports of this session, by (hash, name, profile, timeout, seed, attack seconds)."""
        return {}

    @pytest.fixture
    def skd_check(request: Any, _skd_session_cache: dict[CacheKey, Report]) -> Callable[..., CheckResult]:
        """``skd_check(op_or_formula, *, name=None, timeout=None, profile="paper", ...) -> CheckResult``."""
        default_timeout = _ini_timeout(request.config)

        def run(op_or_formula: Operator | str, *, name: str | None = None, timeout: float | None = None,
                profile: str = "paper", seed: int = 0, attack_seconds: float = 1.0) -> CheckResult:
            return check_operator(op_or_formula, name=name, timeout=default_timeout if timeout is None else timeout,
                                  profile=profile, seed=seed, attack_seconds=attack_seconds, cache=_skd_session_cache)

        return run

    @pytest.fixture
    def skd_golden(request: Any, _skd_session_cache: dict[CacheKey, Report]) -> Callable[..., Path]:
        """``skd_golden(op, topics=None, *, timeout=None, strict=None) -> Path`` (see the module docstring)."""
        default_timeout = _ini_timeout(request.config)
        folder = Path(request.path).parent

        def run(op: Operator, topics: Sequence[str] | None = None, *, timeout: float | None = None,
                strict: bool | None = None) -> Path:
            __tracebackhide__ = True
            budget = default_timeout if timeout is None else timeout

            def checker(o: Operator, timeout: float = budget) -> Report:
                return check_operator(o, timeout=timeout, cache=_skd_session_cache).report

            return golden_derivation(op, folder, topics=topics, timeout=budget,
                                     update=request.config.getoption("skd_update"),
                                     strict=request.config.getoption("skd_strict") if strict is None else strict,
                                     checker=checker, stacklevel=3)

        return run

    @pytest.fixture
    def skd_golden_report(request: Any, skd_check: Callable[..., CheckResult]) -> Callable[..., Path]:
        """``skd_golden_report(op, *, timeout=None, profile="paper", strict=None) -> Path``."""
        folder = Path(request.path).parent

        def run(op: Operator | CheckResult, *, timeout: float | None = None, profile: str = "paper",
                strict: bool | None = None) -> Path:
            __tracebackhide__ = True
            result = op if isinstance(op, CheckResult) else skd_check(op, timeout=timeout, profile=profile)
            return golden_report(result, folder, update=request.config.getoption("skd_update"),
                                 strict=request.config.getoption("skd_strict") if strict is None else strict,
                                 stacklevel=3)

        return run

