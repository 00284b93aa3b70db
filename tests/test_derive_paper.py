"""The paper check and the renderers show scope next to status (issue 15), on constructed claim graphs."""

from __future__ import annotations

from skd.operators import library
from skd.verify.derivations import Derivation
from skd.verify.derivations.claims import Claim, resolve
from skd.verify.derivations.paper import paper_check, theorem_kind
from skd.verify.derivations.render import latex_document, markdown, status_with_scope

PARTIAL = "reference teacher p = (7/10,1/5,1/10), β ∈ [1/4, 1]"


def _claim(cid: str, theorem: str, status: str, scope: str = "full", role: str = "conclusion", **kw):
    return {"id": cid, "theorem": theorem, "role": role, "status": status, "scope": scope, "depends_on": [],
            "method": "", "counterexample": kw.get("counterexample"), "reason_kind": kw.get("reason_kind")}


def _result(name: str, claims: list[dict], qualifies: bool = True) -> dict:
    return {"name": name, "json": {"claims": claims}, "report": {"qualifies": qualifies, "verdicts": []}}


def _library(scope: str) -> list[dict]:
    refuted = _claim("zero_preservation.h", "zero_preservation", "refuted", role="hypothesis",
                     counterexample={"statement": "a zero receives mass"})
    concl = dict(_claim("zero_preservation.conclusion", "zero_preservation", "not_established"),
                 depends_on=["zero_preservation.h"])
    claims = [_claim("path_energy_bound.conclusion", "path_energy_bound", "established", scope), refuted, concl]
    return [_result("a", claims), _result("b", [_claim("path_energy_bound.conclusion", "path_energy_bound", "established")])]


def test_paper_check_marks_partial_scope_next_to_the_status():
    text = paper_check(_library(PARTIAL))
    sec5 = text[text.index("## 5."):text.index("## 6.")]
    assert "| `a` | — | established on partial scope [S1] |" in sec5
    assert "| `b` | — | established |" in sec5
    assert f"- [S1] {PARTIAL}" in sec5


def test_paper_check_full_scope_renders_plainly():
    text = paper_check(_library("full"))
    assert "partial scope" not in text[text.index("## 5."):text.index("## 6.")]
    uniform = text[text.index("## 7."):text.index("## 8.")]
    assert "| `path_energy_bound` | established on full scope |" in uniform


def test_uniformity_separates_guarantees_properties_and_assumptions():
    uniform = (t := paper_check(_library(PARTIAL)))[t.index("## 7."):t.index("## 8.")]
    # a guarantee proved on partial scope only: the sentence is not established, and not "established"
    assert "| `path_energy_bound` | established, but on partial scope only | scope: `a` [S1] |" in uniform
    assert "the sentence is **not established** as stated" in uniform
    # an operator property failing for a qualifying operator does not refute the sentence
    assert "**refuted**:" not in uniform and "`zero_preservation` differ across qualifying operators" in uniform
    assert theorem_kind("zero_preservation") == "property" and theorem_kind("lipschitz_closed") == "assumption"
    assert theorem_kind("delta_method") == "guarantee" and theorem_kind("exact_projection_chain") == "guarantee"


def test_render_shows_partial_scope_in_summary_claims_and_latex():
    h = Claim("demo.h", "path_energy_bound", "hypothesis", "proved", "H", certificate=("c",), scope=PARTIAL)
    c = Claim("demo.c", "path_energy_bound", "conclusion", "pending", "C", depends_on=("demo.h",))
    d = Derivation(op=library.power, claims=tuple(resolve([h, c])), topics=("multistage",))
    md = markdown(d)
    summary = md[md.index("## Summary"):md.index("## Multi")]
    assert "| ✅ established | partial: demo.h" in summary.replace("as far as its hypotheses hold — ", "")
    assert "**✅ established** (scope partial:" in md
    assert "(scope partial:" in latex_document(d)
    assert status_with_scope("established", PARTIAL).startswith("established (scope partial:")
    assert status_with_scope("established", "full") == "established"


def test_derivations_index_counts_operator_agnostic_theorems_once():
    from skd.verify.derivations.command import _index

    per_op = [_claim("euler_continuation.conclusion", "euler_continuation", "conditional"),
              _claim("path_energy_limit.conclusion", "path_energy_limit", "established", PARTIAL)]
    text = _index([_result("a", per_op), _result("b", per_op)])
    assert "| [a](a.md) | 1 | 1 | 0 | 0 |" in text  # euler_continuation is not counted per operator
    assert text.count("`euler_continuation` (conditional)") == 1
