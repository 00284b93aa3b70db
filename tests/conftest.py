"""Shared test configuration: Hypothesis profiles.

* ``ci`` — derandomised (a CI failure reproduces bit for bit), at most 60 examples per test, no
  deadline (shared CI machines have noisy timings), and the reproduction blob printed on failure;
* ``dev`` — Hypothesis' defaults, for local runs.

The ``ci`` profile is loaded when the ``CI`` environment variable is set (CI runners set
``CI=true``), ``dev`` otherwise. A test that needs fewer examples (an expensive reference) says
so with its own ``@settings(max_examples=...)``, which applies on top of the profile.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, print_blob=True)
settings.register_profile("dev", settings.get_profile("default"))
settings.load_profile("ci" if os.environ.get("CI") else "dev")
