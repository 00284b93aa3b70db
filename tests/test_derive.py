"""The derivation engine: claim graph settling, comparison by meaning, rendering, ``skd derive``.

Topic-specific mathematics is tested in ``test_derive_<topic>.py``; this file pins the machinery
with the cheap ``entropy`` topic and hand-built claim graphs.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import sympy as sp

from skd.operators import library, separable
from skd.theory.theorems import SYMBOLS, all_theorems
from skd.verify import cli
from skd.verify.derivations import derive
from skd.verify.derivations.claims import Claim, DerivedConstant, resolve
from skd.verify.derivations.compare import compare_derivations, parse_constant, same_meaning
from skd.verify.derivations.render import json_text, latex_document, markdown

SCHEMA = json.loads(resources.files("skd.verify").joinpath("data/derivation.schema.json").read_text(encoding="utf-8"))
CE = {"statement": "x = 0 breaks it", "reproduce": "print(0)", "certified_by": "exact"}


def hyp(cid: str, status: str, **kw) -> Claim:
    extra = {"proved": {"certificate": ("step",)}, "refuted": {"counterexample": CE},
             "unknown": {"reason": "why", "reason_kind": kw.pop("reason_kind", "undecided")}}[status]
    return Claim(cid, "demo", "hypothesis", status, "H", **extra, **kw)


def concl(cid: str, *deps: str) -> Claim:
    return Claim(cid, "demo", "conclusion", "pending", "C", depends_on=deps)


# -- settling the graph --------------------------------------------------------------------------


def test_claims_conclusion_established_only_when_every_hypothesis_proved():
    out = {c.id: c for c in resolve([hyp("a", "proved"), hyp("b", "proved"), concl("c", "a", "b")])}
    assert out["c"].status == "established"
    out = {c.id: c for c in resolve([hyp("a", "proved"), hyp("b", "unknown"), concl("c", "a", "b")])}
    assert out["c"].status == "not_established" and "b is unknown" in out["c"].reason


def test_claims_refuted_hypothesis_is_named_with_its_counterexample():
    out = resolve([hyp("a", "refuted"), concl("c", "a")])
    assert "hypothesis a is refuted (x = 0 breaks it)" in out[1].reason


def test_claims_assumption_makes_a_conclusion_conditional_and_chains():
    a = Claim("rho", "demo", "assumption", "unknown", "contraction", reason="about training", reason_kind="unsupported")
    out = {c.id: c for c in resolve([a, hyp("h", "proved"), concl("c1", "rho", "h"), concl("c2", "c1")])}
    assert out["c1"].status == "conditional" and "rho" in out["c1"].reason
    assert out["c2"].status == "conditional"


def test_claims_cycle_and_dangling_dependency_are_errors():
    with pytest.raises(ValueError, match="cycle"):
        resolve([concl("a", "b"), concl("b", "a")])
    with pytest.raises(ValueError, match="not in the graph"):
        resolve([concl("a", "nope")])


def test_claims_refuse_proved_without_certificate_and_refuted_without_counterexample():
    with pytest.raises(ValueError, match="certificate"):
        Claim("a", "demo", "hypothesis", "proved", "H")
    with pytest.raises(ValueError, match="counterexample"):
        Claim("a", "demo", "hypothesis", "refuted", "H")
    with pytest.raises(ValueError, match="lacks"):
        Claim("a", "demo", "hypothesis", "refuted", "H", counterexample={"statement": "s"})
    with pytest.raises(ValueError, match="not allowed"):
        Claim("a", "demo", "hypothesis", "established", "H")


# -- comparison by meaning -----------------------------------------------------------------------


def test_compare_reprinted_constant_is_not_a_change():
    assert same_meaning("VarQ_logp/T**3", "VarQ_logp*T**(-3)", ["T", "VarQ_logp"]).verdict in ("same", "reprinted")
    assert same_meaning("(1 - 1/T)/V + x/T", "(T - 1 + V*x)/(T*V)", ["T", "V", "x"]).verdict == "reprinted"


def test_compare_changed_constant_is_detected_with_a_witness():
    m = same_meaning("1/(2*T*epsilon)", "1/(T*epsilon)", ["T", "epsilon"])
    assert m.verdict == "changed" and "differ at" in m.detail


def test_compare_stored_constant_is_read_by_the_safe_parser_not_eval():
    m = same_meaning("__import__('os').system('true')", "1", [])
    assert m.verdict == "changed" and "cannot read" in m.detail


def test_compare_parse_constant_maps_names_to_theorem_symbols():
    e = parse_constant("1/(2*T*epsilon)", ["T", "epsilon"])
    assert e.free_symbols == {SYMBOLS["T"], SYMBOLS["eps"]}


@pytest.fixture(scope="module")
def power_json():
    return json.loads(json_text(derive(library.power, topics=["entropy"]), canonical=True))


def _regressed(doc, claim_id, **changes):
    new = copy.deepcopy(doc)
    for c in new["claims"]:
        if c["id"] == claim_id:
            c.update(changes)
    return new


def test_compare_unchanged_derivation_passes(power_json):
    comp = compare_derivations([power_json], [copy.deepcopy(power_json)])
    assert not comp.failed(strict=True) and not comp.drifted()


def test_compare_proved_to_refuted_and_proved_to_unknown_are_regressions(power_json):
    cid = "entropy_rate.score_differentiable"
    refuted = _regressed(power_json, cid, status="refuted", counterexample=CE)
    comp = compare_derivations([power_json], [refuted])
    assert comp.failed() and any("proved → refuted" in r and "x = 0 breaks it" in r for r in comp.regressions)
    unknown = _regressed(power_json, cid, status="unknown", reason="r", reason_kind="undecided")
    assert compare_derivations([power_json], [unknown]).failed()


def test_compare_budget_unknown_fails_only_under_strict(power_json):
    budget = _regressed(power_json, "entropy_rate.score_differentiable", status="unknown", reason="out of time", reason_kind="budget")
    comp = compare_derivations([power_json], [budget])
    assert not comp.failed() and comp.budget and comp.failed(strict=True)


def test_compare_improvement_is_reported_not_failed(power_json):
    worse = _regressed(power_json, "entropy_rate.score_differentiable", status="unknown", reason="r", reason_kind="undecided")
    comp = compare_derivations([worse], [power_json])
    assert comp.improvements and not comp.failed() and comp.failed(strict=True)


def _with_constant(doc, text):
    new = copy.deepcopy(doc)
    for c in new["claims"]:
        for k in c["constants"]:
            if k["name"] == "dH_dT" and c["id"] == "entropy_rate_power_type.conclusion":
                k["expr"] = text
    return new


def test_compare_changed_constant_fails_and_reprinting_passes(power_json):
    changed = _with_constant(power_json, "VarQ_logp/T**2")
    comp = compare_derivations([power_json], [changed])
    assert comp.failed() and any("dH_dT" in c for c in comp.changed_constants)
    reprinted = _with_constant(power_json, "VarQ_logp*T**(-3)")
    comp = compare_derivations([power_json], [reprinted])
    assert not comp.failed(strict=True) and not comp.drifted()


def test_compare_changed_definition_is_drift(power_json):
    other = copy.deepcopy(power_json)
    other["operator"]["hash"] = "0" * 16
    comp = compare_derivations([power_json], [other])
    assert comp.drifted() and any("definition changed" in s for s in comp.structure)


# -- rendering and schema ------------------------------------------------------------------------


def test_render_json_validates_against_the_shipped_schema(power_json):
    jsonschema.Draft202012Validator(SCHEMA).validate(power_json)
    full = derive(library.mixture, topics=["entropy"]).to_json()
    jsonschema.Draft202012Validator(SCHEMA).validate(full)


@pytest.mark.slow
def test_render_every_constant_text_reads_back_equal_to_its_expression():
    for name in ("power", "hybrid", "mixture"):
        d = derive(library.get(name), topics=["entropy"])
        for c in d.claims:
            for k in c.constants:
                j = k.to_json()
                back = parse_constant(j["expr"], j["symbols"])
                assert sp.simplify(back - k.expr) == 0, (name, c.id, k.name)


def test_render_markdown_and_latex_carry_statuses_and_constants():
    d = derive(library.mixture, topics=["entropy"])
    md = markdown(d)
    assert "⛔ not established" in md and "score_affine_in_T_derivative" in md and "$$" in md
    tex = latex_document(d)
    assert tex.startswith("\\documentclass{article}") and tex.rstrip().endswith("\\end{document}")
    assert tex.count("\\begin{itemize}") == tex.count("\\end{itemize}")


def test_theorems_every_theorem_names_its_proof_page_and_the_page_exists():
    root = Path(__file__).resolve().parents[1]
    for key, thm in all_theorems().items():
        assert thm.proof, f"theorem {key} names no proof page"
        page, _, anchor = thm.proof.partition("#")
        path = root / page
        assert path.is_file(), (key, thm.proof)
        if anchor:
            heads = [line.lstrip("#").strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
            assert anchor in {_slug(h) for h in heads}, (key, thm.proof, sorted(_slug(h) for h in heads))


def _slug(heading: str) -> str:
    """The anchor Python-Markdown's toc extension (MkDocs) gives a heading."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


# -- the command line ----------------------------------------------------------------------------


def test_cli_derive_requires_an_operator_and_names_the_choices(capsys):
    assert cli.main(["derive"]) == 2
    assert "give an operator" in capsys.readouterr().err
    assert cli.main(["derive", "power", "--check"]) == 2
    assert cli.main(["derive", "--all", "power"]) == 2


def test_cli_derive_latex_and_json_formats(capsys):
    assert cli.main(["derive", "power", "--topic", "entropy", "--format", "latex"]) == 0
    assert "\\documentclass{article}" in capsys.readouterr().out
    assert cli.main(["derive", "--score", "x**(2/T)", "--name", "sq", "--topic", "entropy", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert data["operator"]["name"] == "sq"


@pytest.mark.slow
def test_cli_derive_all_goldens_round_trip_and_detect_a_changed_definition(tmp_path, monkeypatch, capsys):
    out = tmp_path / "goldens"
    args = ["derive", "--all", "--topic", "entropy", "--out", str(out), "--jobs", "1"]
    monkeypatch.setattr(library, "ALL", (library.power, library.mixture))
    assert cli.main(args) == 0
    assert {p.name for p in out.iterdir()} == {"power.json", "power.md", "mixture.json", "mixture.md", "README.md"}
    assert cli.main(["derive", "--all", "--topic", "entropy", "--out", str(out), "--check", "--jobs", "1"]) == 0
    assert "no drift" in capsys.readouterr().out
    # the user changes power's definition: --check fails until the goldens are regenerated
    changed = dataclasses.replace(separable("x**(2/T)", name="power"))
    monkeypatch.setattr(library, "ALL", (changed, library.mixture))
    assert cli.main(["derive", "--all", "--topic", "entropy", "--out", str(out), "--check", "--jobs", "1"]) == 1
    text = capsys.readouterr().out
    assert "definition changed" in text and "dH_dT" in text
    assert cli.main(args) == 0
    assert cli.main(["derive", "--all", "--topic", "entropy", "--out", str(out), "--check", "--jobs", "1"]) == 0


@pytest.mark.slow
def test_cli_derive_baseline_flags_changed_constant_and_passes_unchanged(tmp_path, capsys):
    base = tmp_path / "base.json"
    assert cli.main(["derive", "power", "--topic", "entropy", "--format", "json", "--out", str(tmp_path)]) == 0
    (tmp_path / "power.json").rename(base)
    assert cli.main(["derive", "power", "--topic", "entropy", "--baseline", str(base)]) == 0
    doc = json.loads(base.read_text())
    for c in doc["claims"]:
        for k in c["constants"]:
            if k["name"] == "dH_dT" and c["id"].startswith("entropy_rate_power_type"):
                k["expr"] = "VarQ_logp/T**2"
    base.write_text(json.dumps(doc))
    capsys.readouterr()
    assert cli.main(["derive", "power", "--topic", "entropy", "--baseline", str(base)]) == 1
    assert "changed constants" in capsys.readouterr().out


def test_cli_derive_baseline_rejects_a_non_derivation_file(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema_version": 1, "operators": []}))
    assert cli.main(["derive", "power", "--topic", "entropy", "--baseline", str(bad)]) == 2
    assert "not an skd derivation" in capsys.readouterr().err


# -- the whole library, every topic (what the goldens hold) ---------------------------------------


GOLDEN = Path(__file__).resolve().parent.parent / "docs" / "derivations"


@pytest.fixture(scope="module")
def library_goldens() -> list[dict]:
    """The committed derivation of every built-in operator (``docs/derivations/<name>.json``), in
    the shape of ``skd derive --all``'s results. They are what the code derives: CI's
    ``tools/regenerate.py --check`` derives the library from the built wheel and fails on any
    difference of meaning — so the library is derived once per CI run, there, and the tests below
    read its result instead of deriving it a second time (~110 s of CPU)."""
    out = []
    for op in library.ALL:
        path = GOLDEN / f"{op.name}.json"
        assert path.is_file(), f"{path} is missing: python tools/regenerate.py"
        out.append({"name": op.name, "json": json.loads(path.read_text(encoding="utf-8"))})
    return out


def test_derive_library_every_claim_graph_is_valid_and_constants_read_back(library_goldens):
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for r in library_goldens:
        validator.validate(r["json"])
        assert r["json"]["operator"]["name"] == r["name"]
        ids = [c["id"] for c in r["json"]["claims"]]
        assert len(ids) == len(set(ids)), r["name"]
        for c in r["json"]["claims"]:
            if c["status"] == "refuted":
                assert c["counterexample"]["reproduce"].strip(), (r["name"], c["id"])
            for k in c["constants"]:
                back = parse_constant(k["expr"], k["symbols"])  # must not raise
                assert sorted(s.name for s in back.free_symbols) == sorted(k["symbols"]), (r["name"], c["id"], k["name"])


def test_derive_library_power_acceptance_claims(library_goldens):
    power = next(r for r in library_goldens if r["name"] == "power")["json"]
    claims = {c["id"]: c for c in power["claims"]}
    closed = claims["lipschitz_closed.global_lipschitz_T_gt_1"]
    assert closed["status"] == "refuted" and closed["counterexample"]["certified_by"]
    eps = claims["lipschitz_eps.conclusion"]
    assert eps["status"] == "established"
    kinds = {k["name"]: k for k in eps["constants"]}
    assert kinds["L_bound"]["kind"] == "upper_bound" and kinds["L_sharp"]["kind"] == "sharp"
    assert same_meaning(kinds["L_bound"]["expr"], "1/(2*T*epsilon)", ["T", "epsilon"]).verdict in ("same", "reprinted")


def test_paper_check_summarises_the_library_from_the_claim_graphs():
    # the committed page: tools/regenerate.py --check (CI) regenerates it from the library's
    # derivations and their check reports and fails on any difference
    text = (GOLDEN.parent / "paper-check.md").read_text(encoding="utf-8")
    assert "3 of 8 built-in operators qualify: `power`, `power_T2`, `hybrid`" in text
    assert "hybrid vs power" in text and "certified non-equivalent" in text
    uniform = text[text.index("## 7."):text.index("## 8.")]
    # issue 15: operator properties and the paper's assumptions are not guarantees; partial scope is shown
    assert "the sentence is **not established** as stated" in uniform and "`lipschitz_closed`" in uniform
    assert "established, but on partial scope only" in uniform and "[S1]" in uniform
    # a classification (pairwise equivalence) is never counted as a failed guarantee
    assert "`reparam_equivalence` |" not in uniform


@pytest.mark.slow
@pytest.mark.parametrize("name", ["power", "topk"])  # one operator of each kind, every topic
def test_render_latex_of_a_derivation_is_ascii_apart_from_what_utf8_inputenc_knows(name):
    allowed = set("§–—")
    tex = latex_document(derive(getattr(library, name), timeout=60))
    odd = sorted({ch for ch in tex if ord(ch) > 127} - allowed)
    assert not odd, (name, odd)
    assert tex.count("\\begin{itemize}") == tex.count("\\end{itemize}")
    assert tex.count("\\begin{document}") == tex.count("\\end{document}") == 1


def test_claims_partial_scope_of_a_hypothesis_limits_the_conclusion():
    h = Claim("h", "demo", "hypothesis", "proved", "H", certificate=("s",), scope="V in {2, 3}")
    out = {c.id: c for c in resolve([h, concl("c", "h")])}
    assert out["c"].status == "established" and "V in {2, 3}" in out["c"].scope


def test_compare_full_scope_becoming_partial_is_a_regression(power_json):
    partial = _regressed(power_json, "entropy_rate.score_differentiable", scope="T in (0, 1)")
    comp = compare_derivations([power_json], [partial])
    assert comp.failed() and any("became partial" in r for r in comp.regressions)
    assert compare_derivations([partial], [power_json]).improvements


@pytest.mark.parametrize("out_of_time", [False, True])
def test_derive_reasons_drop_the_refuters_elapsed_seconds(out_of_time: bool) -> None:
    from skd.verify.derivations.claims import stable_reason
    from skd.verify.refute import SearchLog

    def log(seconds: float) -> SearchLog:
        return SearchLog(axiom="entropy", operator="topk", profile="paper", seed=0, seconds=seconds, budget=10.0,
                         candidates=8053, certify_attempts=0, sizes=(2, 3), T_range=("1/2", "2"),
                         strategies=("Hypothesis (targeted)",), out_of_time=out_of_time)

    fast, slow = log(1.4).reason, log(2.25).reason
    assert fast != slow  # the refuter's own summary carries the elapsed time...
    assert stable_reason(fast) == stable_reason(slow)  # ...a derivation's does not
    assert "seed 0, budget 10 s" in stable_reason(fast)
    assert ("(budget exhausted)" in stable_reason(fast)) is out_of_time


# -- tools/regenerate.py --reports: the library's check reports handed to the derivations -----------


def _regenerate_module():
    import importlib.util

    path = GOLDEN.parent.parent / "tools" / "regenerate.py"
    spec = importlib.util.spec_from_file_location("skd_tools_regenerate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerate_reports_are_matched_to_each_operator_definition_and_validated(tmp_path):
    from skd.verify import check

    regen = _regenerate_module()
    report = check(library.power, timeout=30).to_json()
    good = tmp_path / "power.json"
    good.write_text(json.dumps(report))
    got = regen._given_reports(str(good), [library.power])
    assert got["power"].to_json()["verdicts"] == report["verdicts"]
    # a report of the operator's earlier definition is refused (the derivation would use stale verdicts)
    changed = dataclasses.replace(separable("x**(2/T)", name="power"))
    with pytest.raises(ValueError, match="another definition of 'power'"):
        regen._given_reports(str(good), [changed])
    with pytest.raises(ValueError, match="no report of 'mixture'"):
        regen._given_reports(str(good), [library.power, library.mixture])
    closed = tmp_path / "closed.json"
    closed.write_text(json.dumps({**report, "profile": "closed"}))
    with pytest.raises(ValueError, match="profile 'closed'"):
        regen._given_reports(str(closed), [library.power])
    junk = tmp_path / "junk.json"
    junk.write_text('{"not": "a report"}')
    with pytest.raises(ValueError, match="--reports"):
        regen._given_reports(str(junk), [library.power])
    # the command line: exit 2 with the message, before anything is derived
    assert regen.main(["--check", "--skip-experiments", "--reports", str(junk)]) == 2
