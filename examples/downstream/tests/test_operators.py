"""Theory regressions of our operators, with skd's pytest plugin (fixtures ``skd_check``, ``skd_golden``).

The plugin comes with the ``skd`` package (entry point ``pytest11``): nothing to import or
register here. ``pytest --skd-update`` rewrites the goldens in ``tests/skd_goldens/``.
"""

from __future__ import annotations

from myops import cubic_temperature, scaled_power, too_sharp


def test_scaled_power_qualifies(skd_check):
    skd_check(scaled_power).assert_qualifies()


def test_cubic_temperature_qualifies(skd_check):
    skd_check(cubic_temperature).assert_qualifies()


def test_too_sharp_breaks_exactly_identity(skd_check):
    skd_check(too_sharp).assert_axioms(
        proved=["well_defined", "ranking", "continuity", "entropy", "boundary_cold", "boundary_hot"],
        refuted=["identity"],
    )


def test_scaled_power_entropy_derivation_matches_golden(skd_golden):
    # compares the claim graph (statuses and constants, by meaning) with skd_goldens/scaled_power.json
    skd_golden(scaled_power, topics=["entropy"])
