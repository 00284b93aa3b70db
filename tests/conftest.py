"""Shared test configuration: Hypothesis profiles.

* ``ci`` — derandomised (a CI failure reproduces bit for bit), at most 60 examples per test, no
  deadline (shared CI machines have noisy timings), and the reproduction blob printed on failure;
* ``dev`` — for local runs: random (a new seed each run, so local runs explore), at most 50
  examples per test and no deadline, so that the README's ``pytest`` stays a fast inner loop
  (CI draws more, derandomised).

The ``ci`` profile is loaded when the ``CI`` environment variable is set (CI runners set
``CI=true``), ``dev`` otherwise. A test that needs fewer examples (an expensive reference) says
so with its own ``@settings(max_examples=...)``, which applies on top of the profile.
"""

from __future__ import annotations

import os

# One BLAS thread per process (the pytest-xdist workers are started after this file is read, and
# inherit it): every matrix here is small (the experiments' Newton fits: 48 x 48), and with two
# workers on two cores OpenBLAS's extra threads spin for CPU the other worker needs —
# tests/test_experiments.py took 49 s of CPU with them, 22 s without (AMD EPYC, 2026-12-07)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from hypothesis import settings

settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, print_blob=True)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_collection_modifyitems(config, items):  # noqa: ARG001 - pytest's hook signature
    """The long tests (marked ``slow``) first, in their collected order, then the rest.

    Only the schedule changes (every test is independent of the others): pytest-xdist hands out
    tests in this order, so the long ones start while the short ones can still fill the other
    worker, instead of the last long test running alone at the end. With ``--dist worksteal``
    (``.ci/run``) an idle worker also takes pending tests from a busy one."""
    items.sort(key=lambda item: (item.get_closest_marker("slow") is None, -_expected_seconds(item.nodeid)))


#: The longest tests, seconds each in ``.ci/run`` (AMD EPYC, 2 workers, 2026-12-07), by node-id prefix:
#: started longest first (with ``--dist worksteal`` a worker that runs dry steals from the end of
#: the other's queue, so the last test running alone is a short one, not a 2-minute shard that
#: happened to start late: a tail of ~70 s with one core idle before this order)
LONGEST = {
    "tests/test_adversarial_corpus.py::test_verifier_is_sound_never_crashes_and_decides_enough_of_the_corpora": 140,
    "tests/test_soundness_fuzz.py::test_fuzz_proved_verdicts_survive_the_root_search": 100,
    "tests/test_docs.py::test_docs_ci_page_runs_as_written": 57,
    "tests/test_vector_fuzz.py::test_vector_fuzz_proved_and_refuted_verdicts_survive_the_oracle": 50,
    "tests/test_derive_sensitivity.py::test_entmax15_logit_bound_and_lower_bound": 35,
    "tests/test_derive_multistage.py::test_explicit_rate_crosscheck_passes_and_catches_corrupted_constants": 35,
    "tests/test_derive.py::test_cli_derive_all_goldens_round_trip_and_detect_a_changed_definition": 34,
    "tests/test_determinism.py::test_determinism_twenty_runs_give_identical_verdicts_and_reasons": 30,
}


def _expected_seconds(nodeid: str) -> int:
    return next((v for k, v in LONGEST.items() if nodeid.startswith(k)), 0)


#: Heavy integration variants run in CI only (``slow``): each repeats, for one more operator or
#: formula, what a faster test of the same module pins, or what a CI step checks in full (``skd
#: crosscheck --all``, the derivation goldens of ``tools/regenerate.py --check``). Seconds: the
#: test's setup + call in the README's ``pytest`` on a fresh clone (AMD EPYC, 2 workers,
#: 2026-12-07: 6 min 15 s with them, the issue's bound is 5 min).
CI_ONLY = {
    "tests/test_derive_sensitivity.py::test_sparsemax_is_one_over_T_lipschitz_in_logits": 26,
    "tests/test_derive_sensitivity.py::test_topk_separable_theorems_unknown_with_a_reason": 7,
    "tests/test_derive_multistage.py::test_glued_path_energy_hybrid_established_on_full_scope": 16,
    "tests/test_derive_multistage.py::test_glued_path_energy_hybrid_limit_is_the_integral_split_at_T_1": 6,
    "tests/test_derive_multistage.py::test_glued_path_with_a_0_over_0_formula_at_a_junction_is_never_full_scope"
    "[Piecewise((x**(1/T), T <= 2), (x**((T**2 - 4)/(T - 2)), True))-2]": 19,
    "tests/test_derive_multistage.py::test_multistage_with_0_over_0_at_T_1_is_unknown_not_exit_4": 12,
    "tests/test_derive_multistage.py::test_exact_projection_chain_topk_unsupported": 8,
    "tests/test_crosscheck_sensitivity_multistage.py::test_crosscheck_multistage_every_check_passes[power]": 10,
    "tests/test_crosscheck_sensitivity_multistage.py::test_crosscheck_sensitivity_every_check_passes[power]": 9,
    "tests/test_crosscheck_sensitivity_multistage.py::test_crosscheck_topk_sensitivity_and_multistage_skipped_with_reasons": 7,
    "tests/test_crosscheck_equivalence.py::test_crosscheck_equivalence_vector_operator_skips_with_reasons": 10,
    "tests/test_crosscheck_biasvar_access.py::test_crosscheck_biasvar_every_check_passes[power]": 12,
    "tests/test_crosscheck_biasvar_access.py::test_crosscheck_topk_delta_method_and_access_skipped_with_reason": 11,
    "tests/test_crosscheck_biasvar_access.py::test_crosscheck_access_checks_pass_or_skip_with_reason[mixture]": 9,
    "tests/test_closed.py::test_vector_closed_theorems_are_accepted_only_under_the_closed_profile": 8,
    # second round (5 min 32 s with the ones above; docs/index.md's examples stay in the fast run)
    "tests/test_docs.py::test_docs_every_python_example_in_the_guide_runs[docs/adding-an-operator.md]": 13,
    "tests/test_docs.py::test_docs_every_python_example_in_the_guide_runs[docs/ci.md]": 9,
    "tests/test_crosscheck.py::test_crosscheck_vector_operator_is_skipped_with_reason": 10,
    "tests/test_crosscheck_equivalence.py::test_cli_crosscheck_equivalence_json": 8,
    "tests/test_experiments.py::test_nstage_temperature_path_below_bound_and_rate": 7,
    "tests/test_derive_multistage.py::test_glued_forms_refuses_a_path_that_jumps_at_the_junction": 7,
    "tests/test_crosscheck_sensitivity_multistage.py::test_crosscheck_multistage_catches_a_wrong_limit_value": 7,
    "tests/test_derive_multistage.py::test_a_step_in_x_is_not_power_type_nor_a_path_family"
    "[x**(1/T)*(1 + Heaviside(1/2 - x))]": 7,
    # third round (4 min 57 s from a fresh clone with them, 2026-12-07): .ci/run's regenerate step
    # cross-checks every derivation it computed, the same path these two run on a few operators
    "tests/test_crosscheck.py::test_cli_crosscheck_jobs_runs_operators_in_parallel_with_the_same_checks": 15,
    "tests/test_crosscheck.py::test_regenerate_crosscheck_checks_each_derivation_it_computed_as_skd_crosscheck_does": 7,
    # the lemma-order mechanism itself stays in the fast run (the well_defined test, on topk)
    "tests/test_verifier_caches.py::test_check_starts_entropy_once_its_lemmas_ranking_and_continuity_are_settled": 8,
}


def pytest_itemcollected(item):
    """Mark the :data:`CI_ONLY` tests ``slow`` (before ``-m`` selects): ``.ci/run`` still runs them."""
    if item.nodeid in CI_ONLY:
        item.add_marker("slow")
