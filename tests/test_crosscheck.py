"""``skd crosscheck``: the engine, the CLI, and that a wrong derivation is caught."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest
import sympy as sp

from skd.operators import library
from skd.verify import cli
from skd.verify.crosscheck import Check, compare_values, crosscheck, draw
from skd.verify.derivations import derive
from skd.verify.strategies import rational_distributions


def test_crosscheck_draw_is_reproducible_and_validates_n():
    a = draw(rational_distributions(max_size=4), 6)
    assert a == draw(rational_distributions(max_size=4), 6) and len(a) == 6
    with pytest.raises(ValueError, match="n"):
        draw(rational_distributions(), 0)


def test_crosscheck_compare_values_keeps_the_worst_case_and_fails_on_nan():
    dev, worst, n = compare_values([({"T": "1"}, 1.0, 1.0), ({"T": "2"}, 1.5, 1.0)], relative=True)
    assert n == 2 and dev == pytest.approx(0.5) and worst["T"] == "2"
    dev, _, _ = compare_values([({"T": "3"}, math.nan, 1.0)])
    assert dev == math.inf


def test_crosscheck_skipped_and_empty_checks_never_pass():
    assert not Check("q", "m", 0, 0.0, 1.0).passed
    assert Check("q", "m", 0, math.nan, 1.0, skipped="why").status == "skipped"


def test_crosscheck_power_entropy_passes():
    result = crosscheck(library.power, topics=["entropy"], cases=5)
    assert result.checks and not result.failed and all(c.passed for c in result.checks)


def test_crosscheck_catches_a_wrong_entropy_derivative():
    """Corrupt the derived ∂_T s of power (a factor 2 too large): the finite differences must disagree."""
    from skd.verify.derivations.crosschecks import entropy as ent

    d = derive(library.power, topics=["entropy"])
    cid = "entropy_rate.conclusion"
    concl = d.claim(cid)
    consts = tuple(dataclasses.replace(k, expr=2 * k.expr) if k.name == "dT_s" else k for k in concl.constants)
    bad = dataclasses.replace(d, claims=tuple(dataclasses.replace(c, constants=consts) if c.id == cid else c for c in d.claims))
    assert {c.quantity: c.status for c in ent.crosscheck(d, 3)}["entropy_rate.conclusion:dH_dT"] == "pass"
    general = next(c for c in ent.crosscheck(bad, 3) if c.quantity == "entropy_rate.conclusion:dH_dT")
    assert general.status == "FAIL" and general.worst


def test_crosscheck_vector_operator_is_skipped_with_reason():
    result = crosscheck(library.topk, topics=["entropy"], cases=2)
    assert all(c.status == "skipped" and c.skipped for c in result.checks)


def test_cli_crosscheck_json_and_exit_codes(capsys):
    assert cli.main(["crosscheck", "power", "--topic", "entropy", "--cases", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["operators"][0]["name"] == "power" and all(c["status"] == "pass" for c in data["operators"][0]["checks"])
    assert cli.main(["crosscheck"]) == 2
    assert cli.main(["crosscheck", "power", "--cases", "0"]) == 2


def test_crosscheck_topic_over_budget_is_skipped_not_passed(monkeypatch):
    import time

    from skd.verify.derivations import registry

    monkeypatch.setitem(registry.CROSSCHECKS, "entropy", lambda d, cases: time.sleep(30) or [])
    result = crosscheck(library.power, topics=["entropy"], cases=2, topic_budget=0.5)
    assert [c.status for c in result.checks] == ["skipped"] and "time budget" in result.checks[0].skipped


def test_crosscheck_registry_lists_every_topic_once_with_both_functions():
    from skd.theory.theorems import TOPICS
    from skd.verify.derivations.registry import CROSSCHECKS, DERIVERS

    assert list(DERIVERS) == list(TOPICS) and list(CROSSCHECKS) == list(TOPICS)
    assert all(callable(f) for f in (*DERIVERS.values(), *CROSSCHECKS.values()))


def test_topic_modules_do_not_import_the_crosscheck_engine():
    # the engine imports the topics (through the registry); a topic importing the engine back would be a cycle
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "verify" / "derivations"
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                mod = ("." * node.level) + (node.module or "")
                assert mod not in ("..crosscheck", "skd.verify.crosscheck"), f"{path.name} imports {mod}"


def test_cli_crosscheck_reports_takes_the_verdicts_from_a_stored_report_instead_of_checking(tmp_path, monkeypatch, capsys):
    """``skd crosscheck --reports FILE``: the derivations read the axioms' verdicts from the stored
    ``skd check --json`` report (CI hands it the library's), so no check runs, and the checks are
    those of a crosscheck that checked for itself."""
    from skd.verify import checker
    from skd.verify.derivations import claims

    report = checker.check(library.power, timeout=30, attack_seconds=0.1)
    stored = tmp_path / "power.json"
    stored.write_text(json.dumps(report.to_json()), encoding="utf-8")
    claims._REPORTS.clear()
    assert cli.main(["crosscheck", "power", "--topic", "entropy", "--cases", "2", "--json"]) == 0
    fresh = json.loads(capsys.readouterr().out)

    def no_check(*args, **kwargs):
        raise AssertionError("checked although a report was given")

    monkeypatch.setattr(checker, "check", no_check)
    claims._REPORTS.clear()
    assert cli.main(["crosscheck", "power", "--topic", "entropy", "--cases", "2", "--json", "--reports", str(stored)]) == 0
    given = json.loads(capsys.readouterr().out)
    assert [(c["quantity"], c["status"]) for c in given["operators"][0]["checks"]] == \
        [(c["quantity"], c["status"]) for c in fresh["operators"][0]["checks"]]


@pytest.mark.parametrize(("argv", "message"), [
    (["mixture"], "has no report of 'mixture'"),                  # another operator
    (["--score", "x**(2/T)", "--name", "power"], "another definition of 'power'"),  # same name, other formula
])
def test_cli_crosscheck_reports_refuses_a_report_of_another_operator(tmp_path, capsys, argv, message):
    """Exit 2, naming the mismatch: a stored report is untrusted input."""
    from skd.verify import checker

    stored = tmp_path / "r.json"
    stored.write_text(json.dumps(checker.check(library.power, timeout=30, attack_seconds=0.05).to_json()), encoding="utf-8")
    assert cli.main(["crosscheck", *argv, "--topic", "entropy", "--cases", "1", "--reports", str(stored)]) == 2
    assert message in capsys.readouterr().err


def test_cli_crosscheck_jobs_runs_operators_in_parallel_with_the_same_checks(tmp_path, capsys):
    """``--jobs 2``: the operators of a file are cross-checked two at a time, each in its own
    process, and give the checks (same quantities, cases and verdicts, in the operators' order)
    of a serial run; a non-positive job count is a usage error."""
    ops = tmp_path / "ops.py"
    ops.write_text("from skd.operators import separable\n"
                   "sharp = separable('x**(2/T)', name='sharp')\n"
                   "shifted = separable('(x + 1/10)**(1/T)', name='shifted')\n", encoding="utf-8")
    argv = ["crosscheck", "--file", str(ops), "--topic", "entropy", "--cases", "2", "--json"]
    assert cli.main([*argv, "--jobs", "2"]) == 0
    parallel = json.loads(capsys.readouterr().out)
    assert cli.main(argv) == 0
    serial = json.loads(capsys.readouterr().out)
    assert [o["name"] for o in parallel["operators"]] == ["sharp", "shifted"]

    def summary(body):
        return [(o["name"], [(c["quantity"], c["cases"], c["status"]) for c in o["checks"]]) for o in body["operators"]]

    assert summary(parallel) == summary(serial) and all(o["checks"] for o in parallel["operators"])
    for bad in ("0", "-3", "two"):
        assert cli.main([*argv, "--jobs", bad]) == 2
        assert "--jobs" in capsys.readouterr().err


def test_regenerate_crosscheck_checks_each_derivation_it_computed_as_skd_crosscheck_does():
    """``tools/regenerate.py --crosscheck N`` (CI): each derivation is cross-checked in the worker that
    derived it (``derive_outputs(..., after=...)``), with the checks ``skd crosscheck`` makes on a
    derivation of its own; without ``after`` nothing more is done."""
    import functools

    from skd.verify.derivations.command import derive_outputs

    from .test_derive import _regenerate_module

    regen = _regenerate_module()
    after = functools.partial(regen._crosscheck_derivation, cases=2, timeout=30.0, topics=["entropy"])
    out = derive_outputs(library.power, ["entropy"], 30.0, None, after)
    alone = crosscheck(library.power, topics=["entropy"], cases=2)

    def summary(result):
        return [(c.quantity, c.cases, c.status) for c in result.checks]

    assert out["after"].operator == "power" and out["after"].checks
    assert summary(out["after"]) == summary(alone)
    assert "after" not in derive_outputs(library.power, ["entropy"], 30.0)


def test_regenerate_crosscheck_cases_must_be_positive(capsys):
    from .test_derive import _regenerate_module

    regen = _regenerate_module()
    for bad in ("0", "-1"):
        with pytest.raises(SystemExit) as exc:
            regen.main(["--check", "--skip-experiments", "--crosscheck", bad])
        assert exc.value.code == 2 and "--crosscheck" in capsys.readouterr().err
