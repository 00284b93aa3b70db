"""The derivation topics and their cross-checks, listed once (no import strings, no ``getattr``).

One entry per topic of :data:`skd.theory.theorems.TOPICS`: the topic module's ``derive(ctx)`` and
the ``crosscheck(derivation, cases)`` of its own module in :mod:`.crosschecks` (which imports no
derivation topic: a cross-check is independent of what it checks). A topic missing here, or one
without either function, fails at import (a test checks the keys equal ``TOPICS``) instead of
being skipped silently.

>>> list(DERIVERS) == list(CROSSCHECKS)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..checks import Check
from . import access, basics, biasvar, entropy, equivalence, multistage, sensitivity
from .claims import Claim, Context
from .crosschecks import access as access_checks
from .crosschecks import basics as basics_checks
from .crosschecks import biasvar as biasvar_checks
from .crosschecks import entropy as entropy_checks
from .crosschecks import equivalence as equivalence_checks
from .crosschecks import multistage as multistage_checks
from .crosschecks import sensitivity as sensitivity_checks

if TYPE_CHECKING:
    from . import Derivation

__all__ = ["DERIVERS", "CROSSCHECKS"]

#: topic -> derive(ctx) -> claims (in the order of ``TOPICS``)
DERIVERS: dict[str, Callable[[Context], Sequence[Claim]]] = {
    "basics": basics.derive,
    "entropy": entropy.derive,
    "sensitivity": sensitivity.derive,
    "biasvar": biasvar.derive,
    "multistage": multistage.derive,
    "equivalence": equivalence.derive,
    "access": access.derive,
}

#: topic -> crosscheck(derivation, cases) -> checks
CROSSCHECKS: dict[str, Callable[[Derivation, int], Sequence[Check]]] = {
    "basics": basics_checks.crosscheck,
    "entropy": entropy_checks.crosscheck,
    "sensitivity": sensitivity_checks.crosscheck,
    "biasvar": biasvar_checks.crosscheck,
    "multistage": multistage_checks.crosscheck,
    "equivalence": equivalence_checks.crosscheck,
    "access": access_checks.crosscheck,
}
