"""The derivation topics and their cross-checks, listed once (no import strings, no ``getattr``).

One entry per topic of :data:`skd.theory.theorems.TOPICS`: the module's ``derive(ctx)`` and its
``crosscheck(derivation, cases)``. A topic missing here, or one without either function, fails
at import (a test checks the keys equal ``TOPICS``) instead of being skipped silently.

>>> list(DERIVERS) == list(CROSSCHECKS)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import access, basics, biasvar, entropy, equivalence, multistage, sensitivity
from .claims import Claim, Context

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
CROSSCHECKS: dict[str, Callable[[Any, int], Sequence[Any]]] = {
    "basics": basics.crosscheck,
    "entropy": entropy.crosscheck,
    "sensitivity": sensitivity.crosscheck,
    "biasvar": biasvar.crosscheck,
    "multistage": multistage.crosscheck,
    "equivalence": equivalence.crosscheck,
    "access": access.crosscheck,
}
