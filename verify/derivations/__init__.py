"""``skd derive``: theorems of :mod:`skd.theory` instantiated for one operator, as a claim graph.

Each topic module (``basics``, ``entropy``, ``sensitivity``, ``biasvar``, ``multistage``,
``equivalence``, ``access``) exposes ``derive(ctx) -> list[Claim]``; :func:`derive` runs them in
the order of :data:`skd.theory.theorems.TOPICS`, settles the conclusions (:func:`claims.resolve`)
and returns a :class:`Derivation`. Their cross-checks (``skd crosscheck``) live in
:mod:`.crosschecks`, one module per topic that imports no topic module; both are listed in
:mod:`.registry`, and the helpers both sides use in :mod:`.common`.

>>> from skd.operators import library
>>> d = derive(library.power, topics=["entropy"])
>>> d.claim("entropy_rate.conclusion").status
'established'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from skd.operators import Operator
from skd.operators.errors import InvalidArgument
from skd.theory.theorems import TOPICS

from ..verdict import operator_json, tool_versions
from .claims import Claim, Context, DerivedConstant, resolve

__all__ = ["derive", "Derivation", "Claim", "DerivedConstant", "Context", "TOPICS", "DERIVATION_SCHEMA_VERSION"]

DERIVATION_SCHEMA_VERSION = 1
#: Topics whose claims another topic depends on (run first, whether or not asked for).
TOPIC_REQUIRES: dict[str, tuple[str, ...]] = {"multistage": ("sensitivity",)}


@dataclasses.dataclass(frozen=True)
class Derivation:
    """The claim graph of one operator."""

    op: Operator
    claims: tuple[Claim, ...]
    topics: tuple[str, ...]
    #: the ``skd check`` report the axiom hypotheses came from (``None`` if no theorem needed one);
    #: not part of the JSON (it carries timings).
    report: Any = dataclasses.field(default=None, compare=False)

    def claim(self, claim_id: str) -> Claim:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(f"no claim {claim_id!r} for {self.op.name}; claims: {[c.id for c in self.claims]}")

    def constant(self, name: str) -> DerivedConstant:
        """The constant called ``name`` (names are ``<claim id>:<constant>``)."""
        claim_id, _, const = name.rpartition(":")
        for k in self.claim(claim_id).constants:
            if k.name == const:
                return k
        raise KeyError(f"claim {claim_id!r} has no constant {const!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": DERIVATION_SCHEMA_VERSION,
            "kind": "derivation",
            "tool": tool_versions(),
            "operator": operator_json(self.op),
            "topics": list(self.topics),
            "claims": [c.to_json() for c in self.claims],
        }


def derive(op: Operator, *, topics: Sequence[str] | None = None, timeout: float = 20.0,
           progress: Callable[[str], None] | None = None, report: Any = None,
           checker: Callable[..., Any] | None = None) -> Derivation:
    """Instantiate every theorem of ``topics`` (default: all) for ``op``: the Python face of
    ``skd derive``.

    Each theorem's hypotheses are proved, refuted (with a certified counterexample) or left
    unknown for ``op``; each conclusion is ``established``, ``conditional`` (on a stated
    assumption about training) or ``not_established`` (naming the blocking hypothesis), and
    carries its constants as SymPy closed forms.

    * ``topics``: a subset of ``TOPICS`` (``basics``, ``entropy``, ``sensitivity``, ``biasvar``,
      ``multistage``, ``equivalence``, ``access``);
    * ``report``: an existing ``skd check`` report for ``op`` (else one is computed when a
      theorem needs an axiom); ``checker``: the function computing it (default ``check``);
    * ``timeout``: the budget in seconds of each symbolic step; ``progress(message)`` is called
      as topics advance.

    The result renders with ``skd.verify.derivations.render.markdown`` / ``latex_document`` /
    ``json_text`` (what ``skd derive --format`` prints).
    """
    if not isinstance(op, Operator):
        raise InvalidArgument("op", op, "must be an Operator (build one with separable() or vector())")
    asked = tuple(TOPICS if topics is None else topics)
    for t in asked:
        if t not in TOPICS:
            raise InvalidArgument("topics", t, f"unknown topic; choose from {list(TOPICS)}")
    needed = set(asked) | {r for t in asked for r in TOPIC_REQUIRES.get(t, ())}
    chosen = tuple(t for t in TOPICS if t in needed)
    ctx = Context(op=op, timeout=timeout, report=report, progress=progress, _checker=checker)
    claims: list[Claim] = []
    from .registry import DERIVERS

    for t in chosen:
        ctx.note(f"{op.name}: {t}")
        claims.extend(DERIVERS[t](ctx))
    return Derivation(op, tuple(resolve(claims)), chosen, ctx.report)
