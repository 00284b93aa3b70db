"""The ``skd`` command line: exit codes, outputs, JSON, baselines, recheck.

Most tests replace the checking module with a fast stand-in (``fake_checker``) that returns
hand-built reports; ``test_cli_check_power_json_end_to_end`` runs the real checker.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import types
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from skd.operators import SkdInputError, library
from skd.theory.axioms import AXIOM_IDS
from skd.verify import cli
from skd.verify.verdict import Counterexample, Enclosure, InternalConsistencyError, Report, Step, Verdict, operator_json

SCHEMA = json.loads(resources.files("skd.verify").joinpath("data/report.schema.json").read_text(encoding="utf-8"))


def validate(data: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(data)


# -- hand-built verdicts and reports -------------------------------------------------------------


def proved(axiom: str, scope: str = "full") -> Verdict:
    return Verdict(axiom, "proved", "reduction", scope, certificate=(Step(f"key step of {axiom}", "positive"),), seconds=0.5)


def refuted(axiom: str) -> Verdict:
    ce = Counterexample(
        statement="F_1(p) = p",
        p=("7/10", "3/10"),
        V=2,
        T="1",
        i=0,
        lhs=Enclosure("[0.71 +/- 1e-50]", "0.71000000000000000000000000000000000000000000000000"),
        rhs=Enclosure("[0.7 +/- 1e-50]", "0.70000000000000000000000000000000000000000000000000"),
        relation="!=",
        reproduce="python -c 'print(1)'",
        certified_by="disjoint Arb enclosures",
    )
    return Verdict(axiom, "refuted", "search", counterexample=ce, seconds=1.0)


def unknown(axiom: str, kind: str = "undecided") -> Verdict:
    return Verdict(axiom, "unknown", "prover and refuter", reason=f"{kind} reason", reason_kind=kind, seconds=20.0)


def report(op, statuses: dict[str, str] | None = None, *, seed: int = 0, profile: str = "paper") -> Report:
    statuses = statuses or {}
    make = {"proved": proved, "refuted": refuted, "unknown": unknown, "budget": lambda a: unknown(a, "budget"),
            "partial": lambda a: proved(a, "V in {2, 3}")}
    verdicts = tuple(make[statuses.get(a, "proved")](a) for a in AXIOM_IDS)
    return Report(operator=operator_json(op), profile=profile, verdicts=verdicts, seed=seed)


class FakeChecker:
    """Stand-in for ``skd.verify.checker`` with the same contract, returning canned reports."""

    def __init__(self, statuses: dict[str, dict[str, str]] | None = None, error: BaseException | None = None) -> None:
        self.statuses = statuses or {}
        self.error = error
        self.calls: list[dict] = []

    def check(self, op, *, profile="paper", timeout=20.0, seed=0, values=None, progress=None, attack_seconds=1.0):
        self.calls.append({"op": op, "profile": profile, "timeout": timeout, "seed": seed, "attack_seconds": attack_seconds})
        if self.error is not None:
            raise self.error
        for axiom in AXIOM_IDS:
            if progress:
                progress(axiom, None)
                progress(axiom, self.statuses.get(op.name, {}).get(axiom, "proved"))
        return report(op, self.statuses.get(op.name), seed=seed, profile=profile)

    def check_library(self, *, profile="paper", timeout=20.0, seed=0, progress=None, attack_seconds=1.0):
        return [self.check(op, profile=profile, timeout=timeout, seed=seed, progress=progress, attack_seconds=attack_seconds)
                for op in library.ALL]

    def load_expected_matrix(self, profile="paper"):
        return {
            "profile": profile,
            "operators": {op.name: {a: "proved" for a in AXIOM_IDS} for op in library.ALL},
            "reasons": {},
        }

    @staticmethod
    def compare_with_expected(reports, expected=None):
        from skd.verify.checker import compare_with_expected

        return compare_with_expected(reports, expected)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    def install(statuses=None, error=None) -> FakeChecker:
        checker = FakeChecker(statuses, error)
        monkeypatch.setattr(cli, "_checker", lambda: checker)
        return checker

    return install


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables as wide as they need: assertions must not depend on the runner's COLUMNS."""
    monkeypatch.setenv("COLUMNS", "240")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- list and usage ------------------------------------------------------------------------------


def test_cli_list_shows_every_builtin_with_formula(capsys) -> None:
    code, out, err = run(capsys, "list")
    assert code == 0 and err == ""
    for op in library.ALL:
        assert op.name in out
    assert "x**(1/T)" in out and "separable" in out and "vector" in out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["check", "--profile", "lenient", "power"],
        ["check", "--timeout", "0", "power"],
        ["check", "--timeout", "soon", "power"],
        ["check", "--seed", "-1", "power"],
        ["check", "--attack", "0", "power"],
        ["check", "--attack", "-1", "power"],
        ["derive", "--format", "pdf", "power"],
        ["derive", "--topic", "astrology", "power"],
        ["crosscheck", "--cases", "many", "power"],
    ],
)
def test_cli_usage_errors_exit_2(capsys, argv) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "usage: skd" in err


def test_cli_help_exits_0(capsys) -> None:
    code, out, _ = run(capsys, "check", "--help")
    assert code == 0
    assert "--baseline" in out and "exit codes" in out


def test_cli_unknown_operator_exits_2_naming_the_choices(capsys, fake) -> None:
    checker = fake()
    code, out, err = run(capsys, "check", "no_such_op")
    assert code == 2 and out == ""
    assert "no_such_op" in err and "power" in err
    assert checker.calls == []


@pytest.mark.parametrize(
    "score, token",
    [
        ("x^2", "'^' is not a power here"),
        ("x + foo(x)", "'foo(x)' (column 4)"),
        ("__import__('os').system('true')", "column 0"),
        ("y**2", "unknown symbol 'y'"),
        ("9**9**8", "constant exponent"),
    ],
)
def test_cli_unparsable_score_exits_2_naming_the_token(capsys, fake, score, token) -> None:
    checker = fake()
    code, out, err = run(capsys, "check", "--score", score)
    assert code == 2 and out == ""
    assert token in err
    assert checker.calls == []


def test_cli_two_selectors_exit_2(capsys, fake) -> None:
    fake()
    code, _, err = run(capsys, "check", "power", "--score", "x**(1/T)")
    assert code == 2 and "give one of" in err


def test_cli_strict_without_baseline_exits_2(capsys, fake) -> None:
    fake()
    code, _, err = run(capsys, "check", "power", "--strict")
    assert code == 2 and "--baseline" in err


def test_cli_name_without_score_exits_2(capsys, fake) -> None:
    fake()
    code, _, err = run(capsys, "check", "power", "--name", "mine")
    assert code == 2 and "--name" in err


# -- one operator --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statuses, expected",
    [
        ({}, 0),
        ({"identity": "refuted"}, 1),
        ({"identity": "refuted", "entropy": "unknown"}, 1),
        ({"entropy": "unknown"}, 3),
        ({"entropy": "budget"}, 3),
        ({"entropy": "partial"}, 3),
    ],
)
def test_cli_check_exit_code_follows_the_report(capsys, fake, statuses, expected) -> None:
    fake({"power": statuses})
    code, out, err = run(capsys, "check", "power")
    assert code == expected
    assert "power" in out and "x**(1/T)" in out
    assert err == ""  # stderr is not a TTY here: no progress display


def test_cli_check_passes_options_to_the_checker(capsys, fake) -> None:
    checker = fake()
    code, _, _ = run(capsys, "check", "hybrid", "--profile", "weak", "--timeout", "2.5", "--seed", "11")
    assert code == 0
    assert checker.calls == [{"op": library.hybrid, "profile": "weak", "timeout": 2.5, "seed": 11, "attack_seconds": 1.0}]
    checker.calls.clear()
    code, _, _ = run(capsys, "check", "--profile", "closed", "--attack", "0.1")  # the library: CI's profile checks
    assert code == 0
    assert {c["attack_seconds"] for c in checker.calls} == {0.1} and len(checker.calls) == len(library.ALL)


def test_cli_check_table_shows_the_counterexample_in_full(capsys, fake) -> None:
    fake({"power": {"identity": "refuted", "entropy": "budget"}})
    code, out, _ = run(capsys, "check", "power")
    assert code == 1
    assert "refuted" in out and "key step of ranking" in out and "budget: budget reason" in out
    # the counterexample block: exact inputs, the relation, 50-digit sides, the Arb balls as text
    assert "p = (7/10, 3/10)" in out and "T = 1" in out and "i = 0" in out
    assert "violated: lhs != rhs" in out
    assert "0.71000000000000000000000000000000000000000000000000" in out
    assert "[0.71 +/- 1e-50]" in out  # not swallowed as console markup
    assert "reproduce: python -c 'print(1)'" in out
    assert "does not qualify: refuted identity" in out


def test_cli_check_score_uses_the_given_name(capsys, fake) -> None:
    checker = fake()
    code, out, _ = run(capsys, "check", "--score", "x**(2/T)", "--name", "square", "--json")
    assert code == 0
    assert checker.calls[0]["op"].definition == "x**(2/T)"
    assert json.loads(out)["operator"]["name"] == "square"


def test_cli_check_json_is_one_valid_object(capsys, fake) -> None:
    fake({"mixture": {"boundary_cold": "refuted", "entropy": "budget"}})
    code, out, err = run(capsys, "check", "mixture", "--json")
    assert code == 1
    data = json.loads(out)  # stdout holds exactly one JSON document
    validate(data)
    assert data["operator"]["name"] == "mixture"
    assert [v["axiom"] for v in data["verdicts"]] == list(AXIOM_IDS)
    assert data["qualifies"] is False
    assert err == ""


def test_cli_progress_goes_to_stderr_only_and_never_with_json(capsys, fake, monkeypatch) -> None:
    fake()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("TERM", raising=False)
    seen = []
    real = cli._progress

    def spy(enabled, total, label):
        seen.append(enabled)
        return real(enabled, total, label)

    monkeypatch.setattr(cli, "_progress", spy)
    code, out, _ = run(capsys, "check", "power", "--json")
    assert code == 0 and seen == [False]
    json.loads(out)
    code, out, _ = run(capsys, "check", "power")
    assert code == 0 and seen == [False, True]
    assert out.startswith("power")  # nothing of the progress display on stdout


def test_cli_progress_display_counts_finished_axioms() -> None:
    with cli._progress(True, 3, "demo") as update:
        assert callable(update)
        update("ranking", None)
        update("ranking", "proved")
    with cli._progress(False, 3, "demo") as update:
        assert update is None


# -- errors inside the checker -------------------------------------------------------------------


@pytest.mark.parametrize(
    "error, expected",
    [
        (InternalConsistencyError("power/ranking: proved and refuted"), 4),
        (RuntimeError("boom"), 4),
        (ValueError("a bug, not bad input"), 4),
        (SkdInputError("T=-1: must be > 0"), 2),
    ],
)
def test_cli_checker_errors_are_never_a_refutation(capsys, fake, error, expected) -> None:
    fake(error=error)
    code, out, err = run(capsys, "check", "power", "--json")
    assert code == expected
    assert out == ""
    assert str(error) in err
    if expected == 4:
        assert "internal" in err and "not a verdict" in err


def test_cli_missing_checker_module_is_an_internal_error(capsys, monkeypatch) -> None:
    def missing():
        raise ModuleNotFoundError("No module named 'skd.verify.checker'")

    monkeypatch.setattr(cli, "_checker", missing)
    code, _, err = run(capsys, "check", "power")
    assert code == 4 and "skd.verify.checker" in err


# -- --file --------------------------------------------------------------------------------------

USER_FILE = textwrap.dedent(
    """
    from skd.operators import separable

    mine = separable("x**(2/T)", name="mine")
    other = separable("x**(1/T) + 1/V", name="other_op")
    alias = mine
    NOT_AN_OPERATOR = 3
    """
)


def test_cli_file_takes_every_operator_in_the_file(capsys, fake, tmp_path: Path) -> None:
    path = tmp_path / "ops.py"
    path.write_text(USER_FILE)
    checker = fake({"other_op": {"ranking": "refuted"}})
    code, out, _ = run(capsys, "check", "--file", str(path), "--json")
    assert [c["op"].name for c in checker.calls] == ["mine", "other_op"]
    assert code == 1
    data = json.loads(out)
    validate(data)
    assert set(data) == {"schema_version", "tool", "operators"}
    assert [r["operator"]["name"] for r in data["operators"]] == ["mine", "other_op"]


@pytest.mark.parametrize("name", ["mine", "other", "other_op"])
def test_cli_file_with_name_picks_one(capsys, fake, tmp_path: Path, name: str) -> None:
    path = tmp_path / "ops.py"
    path.write_text(USER_FILE)
    checker = fake()
    code, out, _ = run(capsys, "check", "--file", f"{path}:{name}", "--json")
    assert code == 0
    assert len(checker.calls) == 1
    assert json.loads(out)["operator"]["name"] in {"mine", "other_op"}


def test_cli_file_may_import_modules_beside_it(capsys, fake, tmp_path: Path) -> None:
    (tmp_path / "helpers_for_skd_test.py").write_text("SCORE = 'x**(3/T)'\n")
    path = tmp_path / "ops.py"
    path.write_text("from helpers_for_skd_test import SCORE\nfrom skd.operators import separable\nop = separable(SCORE, name='cube')\n")
    checker = fake()
    code, _, err = run(capsys, "check", "--file", str(path))
    assert code == 0, err
    assert checker.calls[0]["op"].definition == "x**(3/T)"
    assert str(tmp_path) not in sys.path
    sys.modules.pop("helpers_for_skd_test", None)


@pytest.mark.parametrize(
    "content, spec_suffix, message",
    [
        (None, "", "no such file"),
        (USER_FILE, ":nope", "no Operator named 'nope'"),
        (USER_FILE, ":NOT_AN_OPERATOR", "no Operator named"),
        ("x = 1\n", "", "defines no Operator"),
        ("def broken(:\n", "", "SyntaxError"),
        ("raise RuntimeError('user bug')\n", "", "user bug"),
        ("import sys\nsys.exit(3)\n", "", "SystemExit"),
        ("from skd.operators import separable\nop = separable('x^2')\n", "", "'^' is not a power"),
    ],
)
def test_cli_file_bad_input_exits_2(capsys, fake, tmp_path: Path, content, spec_suffix, message) -> None:
    path = tmp_path / "ops.py"
    if content is not None:
        path.write_text(content)
    checker = fake()
    code, out, err = run(capsys, "check", "--file", f"{path}{spec_suffix}")
    assert code == 2 and out == ""
    assert message in err
    assert checker.calls == []


# -- the whole library ---------------------------------------------------------------------------


def test_cli_library_matches_expected_matrix_exits_0(capsys, fake) -> None:
    fake()
    code, out, _ = run(capsys, "check")
    assert code == 0
    for op in library.ALL:
        assert op.name in out
    assert "every verdict equals the expected matrix" in out


def test_cli_library_difference_exits_1_and_names_it(capsys, fake) -> None:
    fake({"hybrid": {"entropy": "refuted"}})
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert "hybrid/entropy: expected proved, got refuted" in out
    assert "refuted ≠ proved" in out  # the matrix cell marks the difference


def test_cli_library_json_is_a_multi_report(capsys, fake) -> None:
    fake({"topk": {"ranking": "unknown"}})
    code, out, err = run(capsys, "check", "--json")
    assert code == 1
    data = json.loads(out)
    validate(data)
    assert [r["operator"]["name"] for r in data["operators"]] == [op.name for op in library.ALL]
    assert "topk/ranking" in err  # differences go to stderr under --json


def test_cli_library_checks_every_profile_against_that_profiles_matrix(capsys, fake) -> None:
    checker = fake()
    code, out, _ = run(capsys, "check", "--profile", "weak")
    assert code == 0 and "every verdict equals the expected matrix" in out
    assert {c["profile"] for c in checker.calls} == {"weak"} and len(checker.calls) == len(library.ALL)


# -- --baseline ----------------------------------------------------------------------------------


def write_baseline(tmp_path: Path, reports: list[Report]) -> str:
    path = tmp_path / "baseline.json"
    if len(reports) == 1:
        path.write_text(reports[0].dumps())
    else:
        path.write_text(json.dumps({"schema_version": 1, "tool": {}, "operators": [r.to_json() for r in reports]}))
    return str(path)


@pytest.mark.parametrize(
    "before, after, code, strict_code, words",
    [
        ({}, {}, 0, 0, "no changes"),
        ({}, {"ranking": "refuted"}, 1, 1, "proved → refuted"),
        ({}, {"ranking": "unknown"}, 1, 1, "proved → unknown (undecided)"),
        ({"ranking": "unknown"}, {"ranking": "refuted"}, 1, 1, "unknown (undecided) → refuted"),
        ({}, {"ranking": "partial"}, 1, 1, "proved → proved (scope: V in {2, 3})"),
        ({}, {"ranking": "budget"}, 0, 1, "proved → unknown (budget)"),
        ({"ranking": "unknown"}, {}, 0, 1, "unknown (undecided) → proved"),
        ({"ranking": "refuted"}, {"ranking": "refuted"}, 0, 0, "no changes"),
    ],
)
def test_cli_baseline_regressions_fail_improvements_do_not(capsys, fake, tmp_path, before, after, code, strict_code, words) -> None:
    baseline = write_baseline(tmp_path, [report(library.mixture, before, seed=5)])
    fake({"mixture": after})
    got, out, _ = run(capsys, "check", "mixture", "--baseline", baseline)
    assert got == code
    assert words in out
    got, out, _ = run(capsys, "check", "mixture", "--baseline", baseline, "--strict")
    assert got == strict_code


def test_cli_baseline_never_compares_timings_or_seeds(capsys, fake, tmp_path) -> None:
    stored = report(library.power).to_json()
    for v in stored["verdicts"]:
        v["seconds"] = 999.0
    stored["seed"] = 42
    path = tmp_path / "b.json"
    path.write_text(json.dumps(stored))
    fake()
    code, out, _ = run(capsys, "check", "power", "--baseline", str(path), "--strict")
    assert code == 0 and "no changes" in out


def test_cli_baseline_with_library_and_multi_report(capsys, fake, tmp_path) -> None:
    baseline = write_baseline(tmp_path, [report(op) for op in library.ALL])
    fake({"laplace": {"entropy": "refuted"}})
    code, out, _ = run(capsys, "check", "--baseline", baseline)
    assert code == 1
    assert "laplace / entropy: proved → refuted" in out


def test_cli_baseline_json_keeps_stdout_clean(capsys, fake, tmp_path) -> None:
    baseline = write_baseline(tmp_path, [report(library.power)])
    fake({"power": {"identity": "refuted"}})
    code, out, err = run(capsys, "check", "power", "--json", "--baseline", baseline)
    assert code == 1
    validate(json.loads(out))
    assert "proved → refuted" in err


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        ("{not json", "is not JSON"),
        ('{"schema_version": 1, "operators": []}', "holds no operator reports"),
        ('{"schema_version": 1, "verdicts": []}', "is not an skd report"),
        ("[1, 2]", "is not an skd report"),
    ],
)
def test_cli_baseline_bad_file_exits_2(capsys, fake, tmp_path, content, message) -> None:
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content)
    checker = fake()
    code, _, err = run(capsys, "check", "power", "--baseline", str(path))
    assert code == 2 and message in err
    assert checker.calls == []


def test_cli_baseline_profile_mismatch_exits_2(capsys, fake, tmp_path) -> None:
    baseline = write_baseline(tmp_path, [report(library.power, profile="weak")])
    fake()
    code, _, err = run(capsys, "check", "power", "--baseline", baseline)
    assert code == 2 and "profile" in err


def test_cli_compare_with_baseline_notes_changed_definitions() -> None:
    old = report(library.power).to_json()
    new = report(library.power).to_json()
    new["operator"]["hash"] = "0" * 16
    comp = cli.compare_with_baseline([old], [new])
    assert not comp.failed(strict=True)
    assert any("definition changed" in n for n in comp.notes)


# -- recheck -------------------------------------------------------------------------------------


@pytest.fixture
def fake_recheck(monkeypatch):
    def install(results):
        module = types.SimpleNamespace(recheck_report=lambda data, **_: results(data))
        monkeypatch.setattr(cli, "_rechecker", lambda: module)

    return install


def test_cli_recheck_all_valid_exits_0(capsys, fake_recheck, tmp_path) -> None:
    path = tmp_path / "r.json"
    path.write_text(report(library.power).dumps())
    fake_recheck(lambda data: [(v["axiom"], True, "re-derived") for v in data["verdicts"]])
    code, out, _ = run(capsys, "recheck", str(path))
    assert code == 0 and "ranking" in out and "re-validated" in out


def test_cli_recheck_tampered_exits_1(capsys, fake_recheck, tmp_path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"schema_version": 1, "tool": {}, "operators": [report(library.power).to_json()]}))
    fake_recheck(lambda data: [("ranking", False, "step 2 differs from the re-derived one"), ("identity", True, "ok")])
    code, out, _ = run(capsys, "recheck", str(path))
    assert code == 1 and "FAILED" in out and "step 2 differs" in out


@pytest.mark.parametrize("content, message", [(None, "no such file"), ("nope", "is not JSON")])
def test_cli_recheck_bad_file_exits_2(capsys, fake_recheck, tmp_path, content, message) -> None:
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content)
    fake_recheck(lambda data: [])
    code, _, err = run(capsys, "recheck", str(path))
    assert code == 2 and message in err


_USER_VECTOR_FILE = """
from skd.operators import vector


def keep_above_mean(p, T, ar):
    mean = ar.num(0)
    for v in p:
        mean = mean + ar.num(v)
    mean = mean / ar.num(len(p))
    keep = [i for i in range(len(p)) if ar.ge(ar.num(p[i]), mean)]
    s = {i: ar.pow(ar.num(p[i]), ar.num(1) / T) for i in keep}
    tot = ar.num(0)
    for i in keep:
        tot = tot + s[i]
    return [s[i] / tot if i in s else ar.num(0) for i in range(len(p))]


op = vector(keep_above_mean, name="keep_above_mean", definition="keep the entries >= the mean", sizes=(2, 3))
"""


def test_cli_recheck_rebuilds_a_user_vector_operator_from_its_file_and_refuses_tampering(capsys, tmp_path) -> None:
    """A report holds no code: ``skd recheck --file`` takes the user's vector operator from its file
    (same name, same hash) and re-validates every verdict (a proof by form, a V.3'' jump at an entry
    equal to the mean, refutations); without the file it says what is missing; a counterexample
    whose direction is reversed, or a file whose operator differs, fails (exit 1)."""
    src = tmp_path / "ops.py"
    src.write_text(_USER_VECTOR_FILE)
    code, out, err = run(capsys, "check", "--file", str(src), "--json", "--timeout", "60")
    assert code == 1, err  # it does not qualify: ranking, continuity, identity, hot limit refuted
    rep = tmp_path / "r.json"
    rep.write_text(out)
    code, out, _ = run(capsys, "recheck", str(rep), "--file", str(src))
    assert code == 0 and "re-validated" in out, out
    code, out, _ = run(capsys, "recheck", str(rep))
    assert code == 1 and "give the file" in out, out
    data = json.loads(rep.read_text())
    ops = data["operators"] if "operators" in data else [data]
    cont = next(v for v in ops[0]["verdicts"] if v["axiom"] == "continuity")
    assert cont["status"] == "refuted", cont
    d_text = cont["counterexample"]["limit"].split("d = ")[1]
    flipped = "[" + ", ".join(str(-int(x)) for x in d_text.strip("[]").split(", ")) + "]"
    cont["counterexample"]["limit"] = cont["counterexample"]["limit"].replace(d_text, flipped)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    code, out, _ = run(capsys, "recheck", str(bad), "--file", str(src))
    assert code == 1 and "FAILED" in out, out
    other = tmp_path / "other.py"
    other.write_text(_USER_VECTOR_FILE.replace("ar.ge(ar.num(p[i]), mean)", "ar.gt(ar.num(p[i]), mean)"))
    code, out, _ = run(capsys, "recheck", str(rep), "--file", str(other))
    assert code == 1 and "hash" in out, out


# -- entry points and the real checker -----------------------------------------------------------


def test_cli_python_dash_m_runs_main(tmp_path) -> None:
    proc = subprocess.run([sys.executable, "-m", "skd.verify", "list"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "power" in proc.stdout


@pytest.mark.slow
def test_cli_check_power_json_end_to_end_and_recheck(capsys, tmp_path) -> None:
    code, out, err = run(capsys, "check", "power", "--json", "--timeout", "60")
    assert code == 0, err
    data = json.loads(out)
    validate(data)
    assert data["qualifies"] is True
    assert data["operator"]["definition"] == "x**(1/T)"
    assert {v["status"] for v in data["verdicts"]} == {"proved"}
    assert all(v["certificate"] for v in data["verdicts"])
    # the stored report re-validates; a tampered certificate does not
    path = tmp_path / "power.json"
    path.write_text(out)
    code, out, err = run(capsys, "recheck", str(path))
    assert code == 0, out + err
    step = data["verdicts"][1]["certificate"][0]
    step["step"] = step["step"].replace(">", "<") + " (tampered)"
    path.write_text(json.dumps(data))
    code, out, _ = run(capsys, "recheck", str(path))
    assert code == 1 and "FAILED" in out


# -- the README's example is real output -----------------------------------------------------------

README = Path(__file__).resolve().parents[1] / "README.md"


def _readme_blocks() -> list[tuple[str, str]]:
    import re

    return re.findall(r"```(\w+)\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.slow
def test_cli_readme_python_example_prints_what_it_shows(tmp_path) -> None:
    blocks = _readme_blocks()
    index = next(i for i, (lang, _) in enumerate(blocks) if lang == "python")
    code, (lang, shown) = blocks[index][1], blocks[index + 1]
    assert lang == "text"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == shown


@pytest.mark.slow
@pytest.mark.parametrize("which", range(sum(1 for lang, _ in _readme_blocks() if lang == "console")))
def test_cli_readme_console_example_prints_what_it_shows(tmp_path, which) -> None:
    import shlex

    console = [body for lang, body in _readme_blocks() if lang == "console"][which]
    # (command, shown lines) in order; "..." marks omitted lines, "echo $?" checks the exit code
    sessions: list[tuple[str, list[str]]] = []
    for line in console.splitlines():
        if line.startswith("$ "):
            sessions.append((line[2:], []))
        else:
            sessions[-1][1].append(line)
    last_code = None
    assert sessions
    for command, shown in sessions:
        if command == "echo $?":
            assert shown == [str(last_code)], f"exit code {last_code}, README shows {shown}"
            continue
        argv = shlex.split(command)
        assert argv[0] == "skd"
        proc = subprocess.run([sys.executable, "-m", "skd.verify", *argv[1:]], capture_output=True, text=True,
                              cwd=tmp_path, timeout=600, env={**os.environ, "COLUMNS": "120"})  # as README shows
        last_code = proc.returncode
        real = [line.rstrip() for line in (proc.stdout + proc.stderr).splitlines()]
        for line in shown:
            if line == "...":
                continue
            if line.startswith("│"):  # a table row: compare its cells, whatever the column widths
                cells = [c.strip() for c in line.strip("│").split("│")]
                assert any([c.strip() for c in r.strip("│").split("│")][: len(cells)] == cells
                           for r in real if r.startswith("│")), line
            else:
                assert line.rstrip() in real, line


@pytest.mark.parametrize("module", ["skd", "skd.verify"])
def test_python_dash_m_runs_the_command_line(module, tmp_path):
    # skd is a namespace package: its own portion (skd_main/ in the source tree) holds only
    # __main__.py, so `python -m skd` works without an skd/__init__.py
    from skd.verify import __version__

    proc = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"skd {__version__}"
