"""Budgets: obligations that would hang SymPy end as ``unknown`` with a reason, never a hang."""

from __future__ import annotations

import time

import pytest

from skd.operators import separable
from skd.verify import check
from skd.verify.budget import BudgetExceeded, run_with_budget

HARD = ["x**(x**(x**(x**x)))", "exp(exp(exp(1/T)))*x", "exp(exp(exp(x/T)))**(1/T)", "x**(1/T)*tanh(exp(exp(T)))**x"]


def _spin() -> None:
    while True:
        pass


def test_budget_kills_a_spinning_worker_on_time():
    start = time.monotonic()
    with pytest.raises(BudgetExceeded):
        run_with_budget(_spin, seconds=0.5)
    assert time.monotonic() - start < 3


def test_budget_reraises_worker_exceptions():
    with pytest.raises(ZeroDivisionError):
        run_with_budget(divmod, (1, 0), seconds=5)


@pytest.mark.slow
@pytest.mark.parametrize("score", HARD)
def test_check_returns_within_budget_on_hard_scores(score):
    timeout = 3.0
    start = time.monotonic()
    report = check(separable(score, name="hard"), timeout=timeout, attack_seconds=0.5)
    elapsed = time.monotonic() - start
    # 7 obligations on 2 threads, each at most: prover budget + refuter search (<= timeout) + slack
    assert elapsed < 7 * (2 * timeout + 35) / 2
    for v in report.verdicts:
        if v.status == "unknown":
            assert v.reason and v.reason_kind in ("budget", "undecided", "unsupported")


def test_budget_nested_budget_runs_inside_the_outer_worker_and_the_outer_kill_bounds_it():
    import time

    from skd.verify.budget import BudgetExceeded, run_with_budget

    def inner_ok() -> int:
        return run_with_budget(sum, ([1, 2, 3],), seconds=5)

    assert run_with_budget(inner_ok, seconds=10) == 6

    def inner_hangs() -> None:
        run_with_budget(time.sleep, (60,), seconds=30)

    t0 = time.monotonic()
    with pytest.raises(BudgetExceeded):
        run_with_budget(inner_hangs, seconds=0.5)
    assert time.monotonic() - t0 < 10
