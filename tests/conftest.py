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
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
