"""`skd recheck` fails on the issue-12 reproducers stored as reports with their old, wrong
certificates (made by the prover before definedness was proved, commit 445498d): the
re-derivation no longer proves well_defined, and the kernel would reject the old steps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skd.verify.cli import main

DATA = Path(__file__).parent / "data" / "unsound_reports"
REPORTS = sorted(DATA.glob("*.json"))


def test_the_three_reproducers_are_stored():
    assert len(REPORTS) == 3
    for path in REPORTS:
        report = json.loads(path.read_text(encoding="utf-8"))
        wd = next(v for v in report["verdicts"] if v["axiom"] == "well_defined")
        assert wd["status"] == "proved", f"{path.name}: the stored report must carry the old wrong proof"


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
def test_recheck_fails_on_an_unsound_stored_proof(path, capsys):
    code = main(["recheck", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    line = next(ln for ln in out.splitlines() if "well_defined" in ln)
    assert "FAILED" in line
