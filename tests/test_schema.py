"""The shipped JSON Schema (verify/data/report.schema.json) against real Report.to_json() output."""

from __future__ import annotations

import copy
import json
from importlib import resources

import jsonschema
import pytest

from skd.operators import library
from skd.theory.axioms import AXIOM_IDS, PROFILES
from skd.verify.verdict import (
    SCHEMA_VERSION,
    Counterexample,
    Enclosure,
    Report,
    Step,
    Verdict,
    operator_json,
    tool_versions,
)


def load_schema() -> dict:
    text = resources.files("skd.verify").joinpath("data/report.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def proved(axiom: str) -> Verdict:
    return Verdict(
        axiom=axiom,
        status="proved",
        method="reduction",
        certificate=(
            Step("g(x, 1, V)/x = 1 does not depend on x", "independent_of_x", (("expr", "Integer(1)"),)),
            Step("hence F_1(p) = p", "conclude"),
        ),
        seconds=0.1234,
    )


def refuted(axiom: str = "identity") -> Verdict:
    ce = Counterexample(
        statement="F_1(p)_0 = p_0",
        p=("7/10", "3/10"),
        V=2,
        T="1",
        lhs=Enclosure("[0.71 +/- 1e-50]", "0.71000000000000000000000000000000000000000000000000"),
        rhs=Enclosure("[0.7 +/- 1e-50]", "0.70000000000000000000000000000000000000000000000000"),
        relation="!=",
        reproduce="from skd.operators import library; print(library.mixture)",
        certified_by="disjoint Arb enclosures",
        i=0,
        values=(("a", "2"),),
    )
    return Verdict(axiom=axiom, status="refuted", method="search", counterexample=ce, seconds=2.5)


def limit_refuted() -> Verdict:
    ce = Counterexample(
        statement="F_T(p) -> uniform on argmax(p) as T -> 0+",
        p=("1/2", "1/3", "1/6"),
        V=3,
        T="0+",
        T2=None,
        lhs=Enclosure("[0.5 +/- 0]", "0.5"),
        rhs=Enclosure("[1.0 +/- 0]", "1.0"),
        relation="!=",
        reproduce="...",
        certified_by="exact limit",
        limit="1/2",
    )
    return Verdict(axiom="boundary_cold", status="refuted", method="exact limit", counterexample=ce)


def unknown(axiom: str, kind: str = "budget") -> Verdict:
    return Verdict(axiom=axiom, status="unknown", method="interval", reason="killed after 20 s", reason_kind=kind, scope="V <= 5")


def full_report() -> Report:
    verdicts = [proved(a) for a in AXIOM_IDS]
    verdicts[4] = refuted("identity")
    verdicts[5] = limit_refuted()
    verdicts[3] = unknown("entropy")
    return Report(operator=operator_json(library.mixture), profile="paper", verdicts=tuple(verdicts), seed=7)


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_accepts_real_report_json(validator) -> None:
    data = full_report().to_json()
    validator.validate(data)
    # The same through text, as the CLI prints it.
    validator.validate(json.loads(full_report().dumps()))


def test_schema_accepts_qualifying_and_vector_reports(validator) -> None:
    power = Report(operator=operator_json(library.power), profile="paper", verdicts=tuple(proved(a) for a in AXIOM_IDS))
    assert power.qualifies
    validator.validate(power.to_json())
    topk = Report(operator=operator_json(library.topk), profile="closed", verdicts=(unknown("ranking", "unsupported"),))
    data = topk.to_json()
    assert data["operator"]["sizes"]
    validator.validate(data)


def test_schema_accepts_multi_report(validator) -> None:
    multi = {"schema_version": SCHEMA_VERSION, "tool": tool_versions(), "operators": [full_report().to_json()] * 2}
    validator.validate(multi)


def test_schema_round_trips_through_from_json(validator) -> None:
    data = full_report().to_json()
    again = Report.from_json(data).to_json()
    assert again == data
    validator.validate(again)


def test_schema_enums_match_the_code() -> None:
    defs = load_schema()["$defs"]
    assert defs["verdict"]["properties"]["axiom"]["enum"] == list(AXIOM_IDS)
    assert sorted(defs["report"]["properties"]["profile"]["enum"]) == sorted(PROFILES)
    assert defs["report"]["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def _break(path: list, value, *, delete: bool = False):
    data = full_report().to_json()
    target = data
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


BROKEN = {
    "missing verdicts": (["verdicts"], None, True),
    "wrong schema_version": (["schema_version"], 2, False),
    "unknown profile": (["profile"], "lenient", False),
    "unknown status": (["verdicts", 0, "status"], "probably", False),
    "unknown axiom": (["verdicts", 0, "axiom"], "A6", False),
    "proved without certificate": (["verdicts", 0, "certificate"], [], False),
    "certificate step as bare string": (["verdicts", 0, "certificate"], ["by magic"], False),
    "refuted without counterexample": (["verdicts", 4, "counterexample"], None, False),
    "unknown without reason": (["verdicts", 3, "reason"], None, False),
    "unknown with bad reason_kind": (["verdicts", 3, "reason_kind"], "gave up", False),
    "float p": (["verdicts", 4, "counterexample", "p"], [0.7, 0.3], False),
    "decimal string p": (["verdicts", 4, "counterexample", "p"], ["0.7", "0.3"], False),
    "V below 2": (["verdicts", 4, "counterexample", "V"], 1, False),
    "enclosure without decimal": (["verdicts", 4, "counterexample", "lhs"], {"ball": "[1 +/- 0]"}, False),
    "counterexample without reproduce": (["verdicts", 4, "counterexample", "reproduce"], None, True),
    "negative seconds": (["verdicts", 0, "seconds"], -1, False),
    "extra verdict field": (["verdicts", 0, "confidence"], 0.9, False),
    "operator without hash": (["operator", "hash"], None, True),
    "qualifies as string": (["qualifies"], "yes", False),
    "tool without sympy": (["tool", "sympy"], None, True),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_schema_rejects_broken_reports(validator, case: str) -> None:
    path, value, delete = BROKEN[case]
    data = _break(list(path), copy.deepcopy(value), delete=delete)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(data)


def test_schema_rejects_multi_with_broken_member(validator) -> None:
    bad = full_report().to_json()
    del bad["verdicts"][0]["method"]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"schema_version": 1, "tool": tool_versions(), "operators": [bad]})
