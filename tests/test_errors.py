"""One error root (issue 13, item 6): every exception class skd defines for callers derives from
``skd.operators.SkdError`` and keeps its standard base, so ``except ValueError`` (and the others)
still match and exceptions still cross worker processes (pickling).

One deliberate exception: ``skd.verify.kernel.KernelRejection`` stays a plain ``Exception``. The
proof kernel imports nothing of skd but the symbols (its independence is tested in
``test_kernel.py``), and the rejection never leaves ``check_proof``."""

from __future__ import annotations

import pickle

import pytest

from skd.operators import SkdError
from skd.operators.arith import Undecided
from skd.operators.errors import ExpressionError, InvalidArgument, MissingParameter, NotWellDefined, SkdInputError
from skd.verify.budget import BudgetExceeded, WorkerError
from skd.verify.cli import UsageError
from skd.verify.hybrid import ExactZeroDivision
from skd.verify.recheck import RecheckError
from skd.verify.regions import Unsupported
from skd.verify.reportio import ReportFileError
from skd.verify.symexec import NotSymbolic, PathLimit
from skd.verify.verdict import InternalConsistencyError

STANDARD = {
    SkdInputError: ValueError, InvalidArgument: ValueError, MissingParameter: KeyError,
    ExpressionError: ValueError, NotWellDefined: ValueError,
    Undecided: ArithmeticError, ExactZeroDivision: ZeroDivisionError, InternalConsistencyError: RuntimeError,
    BudgetExceeded: TimeoutError, WorkerError: RuntimeError, ReportFileError: ValueError,
    UsageError: Exception, RecheckError: Exception, Unsupported: Exception, NotSymbolic: Exception,
    PathLimit: Exception,
}


@pytest.mark.parametrize("cls", list(STANDARD), ids=lambda c: c.__name__)
def test_errors_every_public_exception_derives_from_skd_error_and_its_standard_base(cls):
    assert issubclass(cls, SkdError) and issubclass(cls, STANDARD[cls])


def test_errors_budget_and_worker_errors_survive_pickling():
    for exc in (BudgetExceeded(2.5), WorkerError("Unsupported", "detail")):
        back = pickle.loads(pickle.dumps(exc))
        assert type(back) is type(exc) and str(back) == str(exc) and isinstance(back, SkdError)


def test_errors_the_package_defines_no_other_public_exception():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    names = set()
    for folder in ("theory", "operators", "verify"):
        for path in (root / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_") and any(
                        getattr(b, "id", getattr(b, "attr", "")).endswith(("Error", "Exception", "Exceeded", "Rejection",
                                                                             "Unsupported", "Undecided", "Division"))
                        for b in node.bases):
                    names.add(node.name)
    known = {c.__name__ for c in STANDARD} | {"SkdError", "KernelRejection"}
    assert names <= known, f"exception classes without a row here: {sorted(names - known)}"
