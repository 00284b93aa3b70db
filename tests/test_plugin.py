"""The pytest plugin ``skd.verify.pytest_plugin`` (entry point ``pytest11``, name ``skd``).

Message and argument tests build reports by hand (no checker); the fixtures, options and the
example downstream project run through pytest's ``pytester`` with the real checker on
power-type operators (~2 s per check), marked ``slow`` when above a few seconds.
"""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path
from typing import Any

import pytest
from skd.operators import library, separable
from skd.operators.errors import InvalidArgument
from skd.verify import pytest_plugin as plugin
from skd.verify.pytest_plugin import CheckResult, assert_axioms, check_operator
from skd.verify.verdict import (
    Counterexample,
    Enclosure,
    Report,
    Step,
    Verdict,
    operator_json,
)

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "downstream"
AXIOMS = ["well_defined", "ranking", "continuity", "entropy", "identity", "boundary_cold", "boundary_hot"]
PROOF = (Step("g > 0", "positive"),)
CE = Counterexample(statement="F_1(p)_0 != p_0", p=("1/2", "1/3", "1/6"), V=3, T="1",
                    lhs=Enclosure("[0.64 +/- 0.01]", "0.642857"), rhs=Enclosure("0.5", "0.5"), relation="!=",
                    reproduce="print('reproduced')", certified_by="exact rational arithmetic")


def _result(op: Any = library.power, **statuses: str) -> CheckResult:
    """A hand-made CheckResult: every axiom proved except those given (refuted/unknown/budget/partial)."""
    verdicts = []
    for a in AXIOMS:
        s = statuses.get(a, "proved")
        if s == "proved":
            verdicts.append(Verdict(a, "proved", "symbolic", certificate=PROOF))
        elif s == "partial":
            verdicts.append(Verdict(a, "proved", "search", scope="V in {2, 3}", certificate=PROOF))
        elif s == "refuted":
            verdicts.append(Verdict(a, "refuted", "certified counterexample search", counterexample=CE))
        else:
            verdicts.append(Verdict(a, "unknown", "prover and refuter", reason=f"prover: {s} here",
                                    reason_kind="budget" if s == "budget" else "undecided"))
    return CheckResult(op, Report(operator=operator_json(op), profile="paper", verdicts=tuple(verdicts)), 7.0)


# -- messages (hand-made reports) ---------------------------------------------------------------


def test_plugin_assert_qualifies_message_shows_axiom_counterexample_and_reproduce_line() -> None:
    with pytest.raises(AssertionError) as info:
        _result(identity="refuted").assert_qualifies()
    msg = str(info.value)
    assert "operator 'power' (separable: x**(1/T)) does not qualify" in msg
    assert "identity: expected proved, got refuted" in msg
    assert "counterexample: F_1(p)_0 != p_0" in msg
    assert "p = [1/2, 1/3, 1/6] (V = 3), T = 1" in msg
    assert "lhs = 0.642857  !=  rhs = 0.5" in msg
    assert """reproduce: python -c "print('reproduced')\"""" in msg
    assert "all verdicts:" in msg and "ranking proved" in msg


def test_plugin_assert_qualifies_fails_on_unknown_with_reason_and_budget_hint() -> None:
    with pytest.raises(AssertionError) as info:
        _result(entropy="budget").assert_qualifies()
    msg = str(info.value)
    assert "entropy: expected proved, got unknown" in msg
    assert "reason (budget): prover: budget here" in msg
    assert "the budget was 7 s" in msg


def test_plugin_assert_qualifies_fails_on_partial_scope_proof() -> None:
    with pytest.raises(AssertionError, match=r"ranking: expected proved, got proved only on scope V in \{2, 3\}"):
        _result(ranking="partial").assert_qualifies()


def test_plugin_assert_qualifies_passes_when_every_axiom_is_proved() -> None:
    _result().assert_qualifies()
    plugin.assert_qualifies(_result())


def test_plugin_assert_axioms_lists_every_mismatch() -> None:
    r = _result(identity="refuted", entropy="undecided")
    r.assert_axioms(proved=["ranking"], refuted=["identity"], unknown=["entropy"])
    with pytest.raises(AssertionError) as info:
        r.assert_axioms(proved=["identity", "entropy"], refuted=["ranking"])
    msg = str(info.value)
    assert "3 axiom verdict(s) differ" in msg
    assert "identity: expected proved, got refuted" in msg and "counterexample: F_1(p)_0 != p_0" in msg
    assert "entropy: expected proved, got unknown" in msg and "reason (undecided): prover: undecided here" in msg
    assert "ranking: expected refuted, got proved" in msg and "certificate: 1 step(s)" in msg


def test_plugin_assert_axioms_unknown_expected_but_proved_is_a_mismatch_marked_improvement() -> None:
    with pytest.raises(AssertionError, match="an improvement"):
        _result().assert_axioms(unknown=["entropy"])


def test_plugin_assert_axioms_proved_never_accepts_partial_scope() -> None:
    with pytest.raises(AssertionError, match="got proved only on scope"):
        _result(ranking="partial").assert_axioms(proved=["ranking"])


# -- argument validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"proved": ["identiy"]}, r"proved='identiy': unknown axiom id; valid ids \(profile 'paper'\): well_defined, .*boundary_hot"),
        ({"refuted": ["nope"]}, r"refuted='nope': unknown axiom id"),
        ({"proved": ["identity"], "refuted": ["identity"]}, r"refuted='identity': is also listed in proved="),
        ({"proved": "identity"}, r"proved='identity': must be a list of axiom ids, e\.g\. proved=\['identity'\]"),
        ({"unknown": 3}, r"unknown=3: must be a list of axiom ids"),
        ({}, r"name at least one axiom"),
    ],
)
def test_plugin_assert_axioms_rejects_bad_arguments_naming_them(kwargs: dict[str, Any], pattern: str) -> None:
    with pytest.raises(InvalidArgument, match=pattern):
        _result().assert_axioms(**kwargs)


def test_plugin_assert_axioms_validates_before_checking(monkeypatch: pytest.MonkeyPatch) -> None:
    from skd.verify import checker

    def no_check(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the checker ran before the arguments were validated")

    monkeypatch.setattr(checker, "check", no_check)
    with pytest.raises(InvalidArgument, match="unknown axiom id"):
        assert_axioms("x**(1/T)", proved=["identity"], refuted=["bogus"])
    with pytest.raises(InvalidArgument, match="profile='nope'"):
        assert_axioms("x**(1/T)", proved=["identity"], profile="nope")


def test_plugin_check_operator_rejects_unsafe_formula_and_non_operator() -> None:
    with pytest.raises(ValueError, match="cannot parse"):
        check_operator("__import__('os').system('true')")
    with pytest.raises(InvalidArgument, match="op=42: must be an Operator"):
        check_operator(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="name='other'"):
        check_operator(library.power, name="other")


def test_plugin_check_operator_reuses_cached_report(monkeypatch: pytest.MonkeyPatch) -> None:
    from skd.verify import checker

    calls: list[str] = []

    def fake_check(op: Any, **kwargs: Any) -> Report:
        calls.append(op.name)
        return _result(op).report

    monkeypatch.setattr(checker, "check", fake_check)
    cache: dict[Any, Report] = {}
    a = check_operator("x**(1/T)", name="pw", timeout=5, cache=cache)
    b = check_operator(separable("x**(1/T)", name="pw"), timeout=5, cache=cache)
    assert a.report is b.report and calls == ["pw"]
    check_operator("x**(1/T)", name="pw", timeout=6, cache=cache)  # another budget: another check
    check_operator("x**(1/T)", name="other", timeout=5, cache=cache)  # same hash, other name
    assert calls == ["pw", "pw", "other"]


# -- report goldens (hand-made reports) ------------------------------------------------------------


def test_plugin_golden_report_missing_update_regression_and_budget(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=r"no golden report for operator 'power'.*pytest --skd-update"):
        plugin.golden_report(_result(), tmp_path)
    with pytest.warns(plugin.SkdGoldenWarning, match="wrote the golden report"):
        path = plugin.golden_report(_result(), tmp_path, update=True)
    assert path == tmp_path / "skd_goldens" / "power.report.json"
    assert "seconds" not in path.read_text() and "tool" not in json.loads(path.read_text())
    plugin.golden_report(_result(), tmp_path)
    with pytest.raises(AssertionError) as info:
        plugin.golden_report(_result(identity="refuted"), tmp_path)
    msg = str(info.value)
    assert "power / identity: proved → refuted" in msg and "counterexample: F_1(p)_0 != p_0" in msg
    with pytest.warns(plugin.SkdGoldenWarning, match="budget unknowns"):
        plugin.golden_report(_result(entropy="budget"), tmp_path)
    with pytest.raises(AssertionError, match=r"\(strict\)"):
        plugin.golden_report(_result(entropy="budget"), tmp_path, strict=True)


# -- derivation goldens: comparison by meaning (real derive, one shared check) ----------------------


@pytest.fixture(scope="module")
def power_golden(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """A golden of power's entropy derivation, and a checker reusing one real check."""
    cache: dict[Any, Report] = {}
    op = separable("x**(1/T)", name="pw")

    def checker(o: Any, timeout: float = 10.0) -> Report:
        return check_operator(o, timeout=timeout, cache=cache).report

    folder = tmp_path_factory.mktemp("golden")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", plugin.SkdGoldenWarning)
        plugin.golden_derivation(op, folder, topics=["entropy"], timeout=10.0, update=True, checker=checker)
    return folder, checker


def _edit_constant(path: Path, claim: str, name: str, expr: str) -> None:
    d = json.loads(path.read_text())
    for c in d["claims"]:
        if c["id"] == claim:
            for k in c["constants"]:
                if k["name"] == name:
                    k["expr"] = expr
    path.write_text(json.dumps(d, indent=2))


@pytest.mark.slow
def test_plugin_golden_derivation_changed_constant_fails_and_reprint_passes(power_golden: tuple[Path, Any]) -> None:
    folder, checker = power_golden
    op = separable("x**(1/T)", name="pw")
    path = folder / "skd_goldens" / "pw.json"
    original = path.read_text()
    plugin.golden_derivation(op, folder, topics=["entropy"], timeout=10.0, checker=checker)  # unchanged: passes
    try:
        _edit_constant(path, "entropy_rate_power_type.conclusion", "dH_dT", "VarQ_logp*T**(-3)")
        plugin.golden_derivation(op, folder, topics=["entropy"], timeout=10.0, checker=checker)  # re-printing
        _edit_constant(path, "entropy_rate_power_type.conclusion", "dH_dT", "VarQ_logp/T**2")
        with pytest.raises(AssertionError) as info:
            plugin.golden_derivation(op, folder, topics=["entropy"], timeout=10.0, checker=checker)
    finally:
        path.write_text(original)
    msg = str(info.value)
    assert "differs in meaning from the golden" in msg and "changed constants:" in msg
    assert "entropy_rate_power_type.conclusion:dH_dT: VarQ_logp/T**2 → VarQ_logp/T**3" in msg
    assert "pytest --skd-update" in msg


# -- fixtures and options through pytester (real checker) ----------------------------------------------


def test_plugin_is_loaded_with_its_options(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--skd-update*", "*--skd-strict*", "*skd_timeout*"])


@pytest.mark.slow
def test_plugin_skd_check_fixture_passes_power_fails_x_2_over_T_naming_identity(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_ops="""
        SEEN = []

        def test_power_qualifies(skd_check):
            r = skd_check("x**(1/T)", name="power", timeout=10)
            r.assert_qualifies()
            SEEN.append(r.report)

        def test_power_report_is_cached_for_the_session(skd_check):
            assert skd_check("x**(1/T)", name="power", timeout=10).report is SEEN[0]

        def test_sharp_qualifies(skd_check):
            skd_check("x**(2/T)", name="sharp", timeout=10).assert_qualifies()
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*operator 'sharp' (separable: x**(2/T)) does not qualify under profile 'paper': 1 of 7 axioms not proved",
        "*identity: expected proved, got refuted*",
        "*counterexample: F_1(p)_0 != p_0",
        "*p = [[]*[]] (V = *), T = 1*",
        "*reproduce: python -c *separable('x**(2/T)')*",
    ])


@pytest.mark.slow
def test_plugin_skd_golden_missing_fails_update_writes_then_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_golden="""
        from skd.operators import separable

        def test_golden(skd_golden):
            skd_golden(separable("x**(1/T)", name="pw"), topics=["entropy"], timeout=10)
    """)
    golden = pytester.path / "skd_goldens" / "pw.json"
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no golden derivation for operator 'pw'*run `pytest --skd-update`*"])
    assert not golden.exists()
    result = pytester.runpytest("-p", "no:cacheprovider", "--skd-update")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*SkdGoldenWarning: skd: wrote the golden derivation*pw.json"])
    assert json.loads(golden.read_text())["operator"]["name"] == "pw"
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


# -- acceptance: the example downstream project ------------------------------------------------------


def _copy_example(pytester: pytest.Pytester, name: str) -> Path:
    dest = pytester.path / name
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".hypothesis", "*.egg-info"))
    return dest


@pytest.mark.slow
def test_plugin_example_project_passes_and_fails_naming_identity_when_broken(pytester: pytest.Pytester) -> None:
    good = _copy_example(pytester, "good")
    result = pytester.runpytest("-p", "no:cacheprovider", str(good))
    result.assert_outcomes(passed=4)

    broken = _copy_example(pytester, "broken")
    module = broken / "src" / "myops" / "__init__.py"
    text = module.read_text()
    assert 'separable("3*x**(1/T)"' in text
    module.write_text(text.replace('separable("3*x**(1/T)"', 'separable("3*x**(2/T)"'))
    result = pytester.runpytest("-p", "no:cacheprovider", str(broken))
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines([
        "*operator 'scaled_power' (separable: 3*x**(2/T)) does not qualify*",
        "*identity: expected proved, got refuted*",
        "*counterexample: F_1(p)_0 != p_0",
        "*p = [[]*[]] (V = *), T = 1*",
        "*reproduce: python -c *",
    ])
    result.stdout.fnmatch_lines(["*changed constants:*", "*dH_dT: VarQ_logp/T**3 → 4*VarQ_logp/T**3*"])
