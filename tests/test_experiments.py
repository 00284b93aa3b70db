"""Reduced versions of the experiments of issue 5 (``experiments/``) and the drift checks.

The full runs (``python -m experiments``) take a few minutes; these check the same acceptance
properties on smaller grids. ``test_experiments_full_check`` (slow) recomputes everything and
compares with ``experiments/results.json``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments import (
    common,
    entropy,
    nstage,
    partial_access,
    pruning,
    run_all,
    sparse_dense,
)


# -- sparse student vs dense teacher ---------------------------------------------------------
def test_sparse_dense_closed_form_threshold() -> None:
    cf = sparse_dense.closed_form()
    d, k, n = 100, 20, 1000
    expected = (d / (n - d - 1) - k / (n - k - 1)) / (1 + k / (n - k - 1))
    assert cf["crossover"] == pytest.approx(expected, rel=1e-15)
    assert round(cf["crossover"], 4) == 0.0890
    assert cf["teacher"] == pytest.approx(0.111235, abs=5e-7)


def test_sparse_dense_simulated_crossover_within_interval() -> None:
    res = sparse_dense.run(reps=120)
    assert res["within"]
    assert abs(res["crossover"] - res["closed_form"]["crossover"]) <= res["half_width"]
    # the student's simulated risk sits on its closed form at the reference tails
    for s, v in res["points"].items():
        assert v["student"] == pytest.approx(v["student_closed"], abs=0.01), s


# -- partial access -------------------------------------------------------------------------
def test_partial_access_topk_reference_values() -> None:
    out = partial_access.topk_costs(np.array(partial_access.T_TABLE))
    assert np.round(out["tau"], 6).tolist() == [0.068493, 0.2, 0.327434, 0.409241]
    assert np.round(out["kl"], 6).tolist() == [0.070952, 0.223144, 0.396655, 0.526347]
    assert out["commute_err"] < 1e-12
    assert out["tau_nondecreasing"]


def test_partial_access_textonly_exact_bias_and_error() -> None:
    bias, mse = partial_access.exact_moments(partial_access.P_TEXT, 2.0, 50)
    assert np.round(bias, 5).tolist() == [0.0053, -0.00083, -0.00447]
    assert mse == pytest.approx((1 - 0.54) / 50, rel=1e-12)
    B = partial_access.delta_B(partial_access.P_TEXT, 2.0)
    assert np.round(B / 50, 5).tolist() == [0.00463, -0.00093, -0.0037]


# -- entropy -------------------------------------------------------------------------------
def test_entropy_builtins_monotone_and_flat_below_one() -> None:
    res = entropy.run()
    ops = res["ops"]
    assert all(o["monotone"] for o in ops.values())
    assert ops["mixture"]["flat_T_le_1"] and ops["laplace"]["flat_T_le_1"]
    assert not ops["power"]["flat_T_le_1"]
    assert ops["topk"]["support_at_Tmax"] == 2
    assert ops["topk"]["H_max"] <= math.log(2) + 1e-12


# -- n-stage -------------------------------------------------------------------------------
def test_nstage_temperature_path_below_bound_and_rate() -> None:
    res = nstage.temperature_path(ns=(1, 4, 16, 64, 256))
    assert res["below_bound"]
    assert -1.1 <= res["slope_4_256"] <= -0.9
    assert res["endpoint_max_dev"] < 1e-9
    assert res["S"][-1] * 256 < res["limit_const"] < res["bound_const"]


def test_nstage_pruning_path_below_bound_and_rate() -> None:
    pr = nstage.PruningProblem()
    g1 = pr.gamma(1.0)
    ns = (4, 16, 64)
    e = [float(np.linalg.norm(pr.chain(n) - g1)) for n in ns]
    slope = np.polyfit(np.log(ns), np.log(e), 1)[0]
    assert -1.1 <= slope <= -0.9
    for n, en in zip(ns, e):
        ell, rho = pr.local_constants(n, points=5)
        assert en <= nstage._bound(ell, rho, 0.0, n)


def test_nstage_affine_pruning_path_is_n_independent() -> None:
    assert nstage.affine_path_is_n_independent(ns=(1, 8)) < 1e-8


# -- iterative vs one-shot pruning ---------------------------------------------------------
def test_pruning_oneshot_at_least_twice_nstage_error() -> None:
    wins = 0
    for seed in range(3):
        pb = pruning.Problem(seed)
        e_n = pb.error(pb.chain(pruning.N_STAGES)[-1][0])
        e_1 = pb.error(pb.chain(1)[-1][0])
        wins += e_1 >= 2 * e_n
    assert wins == 3


@pytest.mark.slow
def test_pruning_oneshot_condition_predicts_failure() -> None:
    row = pruning.one_seed(1)
    assert row["d01"] > row["r_final"] > 0
    assert not row["pred_oneshot_ok"] and not row["ok_oneshot"]
    assert row["ok_nstage"]


# -- drift and documents -------------------------------------------------------------------
def test_experiments_results_drift_cheap() -> None:
    assert run_all.main(["--only", "entropy", "partial_access", "--check"]) == 0


def test_experiments_doc_rendered_from_results() -> None:
    stored = common.load_results()
    assert set(stored) >= {"nstage", "pruning", "sparse_dense", "partial_access", "entropy"}
    assert common.DOC.read_text() == run_all.render(stored)


def test_experiments_compare_reports_drift() -> None:
    assert common.compare({"a": [1.0, 2.0]}, {"a": [1.0, 2.0 + 1e-12]}) == []
    assert common.compare({"a": [1.0, 2.0]}, {"a": [1.0, 2.1]})
    assert common.compare({"a": 1}, {"b": 1})


def test_experiments_figures_written(tmp_path, monkeypatch) -> None:
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(common, "FIGURES", tmp_path)
    stored = common.load_results()
    paths = entropy.figure(stored["entropy"]) + partial_access.figure(stored["partial_access"])
    for p in paths:
        with open(p, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"



# The full drift check of every experiment (`python -m experiments --check`, 2-3 minutes) runs
# once in CI, inside `python tools/regenerate.py --check` (.ci/run), not a second time here.


# -- honest write-up (issue 15) ----------------------------------------------------------------
def test_experiments_doc_states_falsifying_outcomes_and_honest_labels() -> None:
    doc = run_all.render(common.load_results())
    for sec in ("## 1.", "## 2.", "## 3.", "## 4.", "## 5."):
        start = doc.index(sec)
        nxt = [doc.index(s) for s in ("## 1.", "## 2.", "## 3.", "## 4.", "## 5.") if doc.index(s) > start]
        assert "would have contradicted" in doc[start:min(nxt) if nxt else None], sec
    one = doc[doc.index("### 1a."):doc.index("## 2.")]
    assert "**cannot fail**" in one[:one.index("### 1b.")]
    onebee = one[one.index("### 1b."):]
    assert "**Derived bound**" not in onebee and "**Estimated bound**" in onebee
    assert "keeps falling" not in onebee  # results.json: 0.05503 (n = 64) < 0.05734 (n = 128)
    assert "rises from n = 64 to 128: 0.05503 → 0.05734" in onebee
    two = doc[doc.index("## 2."):doc.index("## 3.")]
    assert "predicts the one-shot outcome" not in two and "sufficient, not necessary" in two
    assert "does not test the homotopy conditions" in two


def test_nstage_docstring_describes_the_decay_not_a_linear_shrink() -> None:
    doc = nstage.__doc__
    pruning_part = doc[doc.index("**Pruning path**"):doc.index("**Finite samples**")]
    assert "decay" in pruning_part and "shrunk linearly" not in pruning_part
    assert "**Estimated** bound" in pruning_part
