"""Terminal rendering (:mod:`skd.verify.render`): user text shown verbatim (never console
markup), the one-line summaries of a report, counterexamples with every input, the matrix's
``got ≠ expected`` cells and the recheck table. Verdicts are built by hand: no checker runs."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console

from skd.operators import library
from skd.verify.render import first_line, library_table, matrix_table, print_counterexample, print_report, recheck_table
from skd.verify.verdict import Counterexample, Enclosure, Report, Step, Verdict

OP = {"name": "demo", "kind": "separable", "definition": "x**[1/T]", "hash": "abc123"}
CE = Counterexample(statement="F_T(p)_1 < F_T(p)_2 although p_1 > p_2", p=("7/10", "3/10"), V=2, T="1/2",
                    lhs=Enclosure("[0.25 +/- 1e-50]", "0.25"), rhs=Enclosure("[0.75 +/- 1e-50]", "0.75"),
                    relation="<", reproduce="print(1)", certified_by="disjoint Arb balls at 200 bits",
                    T2="2", i=0, j=1, values=(("a", "1/2"),), limit="lim_{T->0+} F_T(p) = [1, 0]")


def _proved(axiom: str, steps: int = 1, scope: str = "full") -> Verdict:
    cert = tuple(Step(f"step {k} [bold]x[/bold]", "positive") for k in range(steps))
    return Verdict(axiom=axiom, status="proved", method="symbolic", certificate=cert, scope=scope)


def _unknown(axiom: str) -> Verdict:
    return Verdict(axiom=axiom, status="unknown", method="none", reason="budget [5s] spent", reason_kind="budget")


def _refuted(axiom: str) -> Verdict:
    return Verdict(axiom=axiom, status="refuted", method="search", counterexample=CE)


def _render(fn: Any, *args: Any) -> str:
    console = Console(width=300, color_system=None)
    with console.capture() as cap:
        fn(console, *args)
    return cap.get()


def _table(table: Any) -> str:
    console = Console(width=300, color_system=None)
    with console.capture() as cap:
        console.print(table)
    return cap.get()


# -- first_line ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, want", [(None, ""), ("", ""), ("  One. Two.", "One."), ("a.b c", "a.b c"),
                                        ("line one\nline two", "line one"), ("v1.2. Next", "v1.2.")])
def test_render_first_line_is_the_first_sentence_or_line(text: str | None, want: str) -> None:
    assert first_line(text) == want


def test_render_first_line_is_cut_to_the_limit_with_an_ellipsis() -> None:
    out = first_line("w" * 300, limit=50)
    assert len(out) == 50 and out.endswith("…")
    assert first_line("w" * 50, limit=50) == "w" * 50


# -- print_report ----------------------------------------------------------------------------


def test_render_report_shows_user_text_verbatim_not_as_markup() -> None:
    out = _render(print_report, Report(operator=OP, profile="paper", verdicts=(_proved("identity"), _unknown("ranking"))))
    assert "x**[1/T]" in out and "[bold]x[/bold]" in out and "budget [5s] spent" in out
    assert "hash abc123  profile paper  seed 0" in out


def test_render_report_summary_when_everything_is_proved() -> None:
    out = _render(print_report, Report(operator=OP, profile="paper", verdicts=(_proved("identity"), _proved("ranking"))))
    assert "demo qualifies as a softening operator (profile paper)." in out


def test_render_report_summary_names_refuted_then_undecided_and_partial_axioms() -> None:
    rep = Report(operator=OP, profile="paper",
                 verdicts=(_refuted("ranking"), _unknown("entropy"), _proved("identity", scope="V in {2, 3}")))
    out = _render(print_report, rep)
    assert "demo does not qualify: refuted ranking; undecided: entropy, identity (partial scope)." in out
    assert "counterexample to ranking:" in out and "(counterexample below)" in out
    assert "scope: V in {2, 3}; step 0" in out


def test_render_report_summary_without_refutation_lists_what_is_undecided() -> None:
    out = _render(print_report, Report(operator=OP, profile="paper", verdicts=(_unknown("entropy"), _proved("ranking"))))
    assert "demo: nothing refuted, undecided: entropy." in out and "does not qualify" not in out


@pytest.mark.parametrize("steps, suffix", [(1, ""), (2, "(+1 more step)"), (4, "(+3 more steps)")])
def test_render_report_proved_detail_counts_the_further_steps(steps: int, suffix: str) -> None:
    out = _render(print_report, Report(operator=OP, profile="paper", verdicts=(_proved("identity", steps),)))
    assert ("more step" in out) == bool(suffix) and suffix in out


def test_render_report_labels_axioms_and_shows_params_and_sizes() -> None:
    op = dict(OP, params={"a": "(0, oo)"}, sizes=[2, 3])
    out = _render(print_report, Report(operator=op, profile="paper", verdicts=(_proved("boundary_hot"),)))
    assert "boundary_hot A5+" in out and "params a in (0, oo)" in out and "sizes V in {2, 3}" in out


# -- print_counterexample --------------------------------------------------------------------


def test_render_counterexample_lists_every_input_both_sides_and_the_reproducer() -> None:
    out = _render(print_counterexample, "ranking", CE.to_json())
    for piece in ("counterexample to ranking: F_T(p)_1 < F_T(p)_2", "p = (7/10, 3/10)", "V = 2", "T = 1/2", "T2 = 2",
                  "i = 0", "j = 1", "a = 1/2", "limit: lim_{T->0+} F_T(p) = [1, 0]", "violated: lhs < rhs",
                  "lhs = 0.25   [0.25 +/- 1e-50]", "rhs = 0.75   [0.75 +/- 1e-50]",
                  "certified by: disjoint Arb balls at 200 bits", "reproduce: print(1)"):
        assert piece in out, piece


def test_render_counterexample_omits_absent_optional_inputs() -> None:
    d = dict(CE.to_json(), T=None, T2=None, i=None, j=None, values={}, limit=None)
    out = _render(print_counterexample, "boundary_hot", d)
    assert "T =" not in out and "T2" not in out and "i =" not in out and "limit:" not in out


# -- tables ----------------------------------------------------------------------------------


def test_render_library_table_has_one_row_per_operator_with_its_first_sentence() -> None:
    out = _table(library_table(library.ALL))
    for op in library.ALL:
        assert op.name in out
    assert "Temperature scaling in the probability domain: F_T(p) = p^{1/T} / Σ_j p_j^{1/T}, equal to softmax(z/T) when p =" in out
    assert "Domain: T > 0" not in out  # only the first sentence


def test_render_matrix_marks_cells_that_differ_from_expected() -> None:
    a = Report(operator=OP, profile="paper", verdicts=(_proved("identity"), _refuted("ranking")))
    b = Report(operator=dict(OP, name="other"), profile="paper", verdicts=(_proved("identity"),))
    expected = {"demo": {"identity": "proved", "ranking": "proved"}, "other": {"identity": "proved", "ranking": "refuted"}}
    out = _table(matrix_table([a, b], expected))
    assert "refuted ≠ proved" in out and "— ≠ refuted" in out
    assert "A4=identity  A1=ranking" in out
    plain = _table(matrix_table([a, b]))
    assert "≠" not in plain and "—" in plain


def test_render_matrix_qualifies_column() -> None:
    good = _table(matrix_table([Report(operator=OP, profile="paper", verdicts=(_proved("identity"),))]))
    bad = _table(matrix_table([Report(operator=OP, profile="paper", verdicts=(_unknown("identity"),))]))
    assert "yes" in good and "yes" not in bad and " no " in bad


def test_render_recheck_table_shows_ok_and_failed_rows() -> None:
    out = _table(recheck_table("power", [("ranking", True, "certificate re-checked"), ("entropy", False, "[ball] moved")]))
    assert "recheck power" in out and "ok" in out and "FAILED" in out and "[ball] moved" in out
