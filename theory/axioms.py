"""The axioms, as data.

Each axiom is a value with an id, the paper's label, a statement, and the reduction theorem(s)
under which it is checked for separable operators (proved in ``docs/theory/``). A *profile* is
an ordered selection of axioms with its domain: ``paper`` (default; open simplex), ``closed``
(closed simplex; hot limit uniform on the support) and ``weak`` (ranking with ≥).

>>> from skd.theory.axioms import PROFILES
>>> [a.id for a in PROFILES["paper"].axioms]
['well_defined', 'ranking', 'continuity', 'entropy', 'identity', 'boundary_cold', 'boundary_hot']
>>> PROFILES["paper"].get("ranking").label
'A1'
"""

from __future__ import annotations

import dataclasses
from typing import Literal

__all__ = ["Axiom", "Profile", "AXIOMS", "PROFILES", "AXIOM_IDS"]


@dataclasses.dataclass(frozen=True)
class Axiom:
    id: str
    label: str
    name: str
    statement: str
    #: ``limit`` axioms are refuted only by exact limits, never by one finite T.
    kind: Literal["pointwise", "pair", "limit", "continuity", "monotone"]
    reduction: str

    def __str__(self) -> str:
        return f"{self.id} ({self.label} {self.name}): {self.statement}"


WELL_DEFINED = Axiom(
    "well_defined", "A0", "maps into the simplex",
    "for every V >= 2, p in the open simplex and T > 0, F_T(p) has finite entries >= 0 summing to 1",
    "pointwise",
    "separable: g(x, T, V) is finite and > 0 for x in (0,1), T > 0, V >= 2 (docs/theory/reductions.md#well-defined)",
)
RANKING = Axiom(
    "ranking", "A1", "strict ranking preservation",
    "p_i > p_j  =>  F_T(p)_i > F_T(p)_j, for every p in the open simplex and T > 0",
    "pair",
    "separable: g(., T, V) strictly increasing on (0,1) (docs/theory/reductions.md#ranking)",
)
CONTINUITY = Axiom(
    "continuity", "A2", "joint continuity",
    "(p, T) -> F_T(p) is continuous on (open simplex) x (0, oo)",
    "continuity",
    "separable: the ratios g(x,T)/g(y,T) are jointly continuous (docs/theory/reductions.md#continuity)",
)
ENTROPY = Axiom(
    "entropy", "A3", "entropy monotonicity",
    "T -> H(F_T(p)) is non-decreasing on (0, oo) for every p in the open simplex",
    "monotone",
    "separable: ranking, continuity in T, and d2(log g)/dx dT <= 0 on each T-piece (docs/theory/reductions.md#entropy)",
)
IDENTITY = Axiom(
    "identity", "A4", "identity at unity",
    "F_1(p) = p for every p in the open simplex",
    "pointwise",
    "separable: g(x, 1, V)/x independent of x; necessary for V >= 3 (docs/theory/reductions.md#identity)",
)
BOUNDARY_COLD = Axiom(
    "boundary_cold", "A5-", "cold boundary",
    "F_T(p) -> uniform distribution on argmax(p) as T -> 0+",
    "limit",
    "separable: g(x,T)/g(y,T) -> 0 as T -> 0+ for all 0 < x < y < 1 (docs/theory/reductions.md#boundary)",
)
BOUNDARY_HOT = Axiom(
    "boundary_hot", "A5+", "hot boundary",
    "F_T(p) -> uniform distribution on all V classes as T -> oo",
    "limit",
    "separable: g(x,T)/g(y,T) -> 1 as T -> oo for all 0 < x < y < 1 (docs/theory/reductions.md#boundary)",
)

AXIOMS: tuple[Axiom, ...] = (WELL_DEFINED, RANKING, CONTINUITY, ENTROPY, IDENTITY, BOUNDARY_COLD, BOUNDARY_HOT)
AXIOM_IDS: tuple[str, ...] = tuple(a.id for a in AXIOMS)


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    description: str
    axioms: tuple[Axiom, ...]
    open_simplex: bool = True
    strict_ranking: bool = True

    def get(self, axiom_id: str) -> Axiom:
        for a in self.axioms:
            if a.id == axiom_id:
                return a
        raise KeyError(f"profile {self.name!r} has no axiom {axiom_id!r}; it has {[a.id for a in self.axioms]}")


def _closed_reduction(a: Axiom) -> str:
    """The closed-simplex reading of an axiom's reduction (docs/theory/closed.md, vector.md)."""
    end = {"boundary_cold": ", = 0 for T near 0", "boundary_hot": ", = 0 for large T"}.get(a.id, "")
    cont = "; c_k, a_k continuous up to the pieces' ends" if a.id == "continuity" else ""
    return (f"separable: {a.id} on the open simplex, and on each piece of the T-axis g = c_0 + sum_k c_k x**a_k "
            f"with a_k > 0, c_k > 0, c_0 = g(0, T, V) >= 0{end}{cont} (docs/theory/closed.md#theorem-c-increasing-power-sums); "
            "vector built-ins: zeros dropped, Z.1-Z.3 (docs/theory/vector.md#the-closed-simplex)")


PROFILES: dict[str, Profile] = {
    "paper": Profile(
        "paper",
        "default: open simplex, strict ranking, cold limit uniform on argmax, hot limit uniform on V",
        AXIOMS,
    ),
    "closed": Profile(
        "closed",
        "closed simplex (zeros allowed); hot limit uniform on the support",
        tuple(
            dataclasses.replace(
                a,
                statement=(a.statement.replace("open simplex", "closed simplex") if a.id != "boundary_hot"
                           else "F_T(p) -> uniform distribution on supp(p) as T -> oo"),
                reduction=_closed_reduction(a),
            )
            for a in AXIOMS
        ),
        open_simplex=False,
    ),
    "weak": Profile(
        "weak",
        "open simplex, weak ranking (p_i > p_j => F_T(p)_i >= F_T(p)_j)",
        tuple(
            dataclasses.replace(a, name="weak ranking preservation", statement="p_i > p_j  =>  F_T(p)_i >= F_T(p)_j")
            if a.id == "ranking"
            else a
            for a in AXIOMS
        ),
        strict_ranking=False,
    ),
}
