"""Theorems as data: hypotheses, a conclusion, and constants as SymPy expressions.

A :class:`Theorem` is operator-agnostic: it states what must hold (its :class:`Hypothesis`
objects, each a checkable obligation for a given operator or an axiom of
:mod:`skd.theory.axioms`) and what then follows (the conclusion, with its :class:`Constant`
objects in the generic symbols below). ``skd derive`` instantiates theorems for one operator
and records, per hypothesis, ``proved`` / ``refuted`` / ``unknown`` — see
:mod:`skd.verify.derivations`. Every theorem names the page of ``docs/theory/`` that proves it.

Topic modules (``skd.theory.basics``, ``skd.theory.entropy``, ``.sensitivity``, ``.biasvar``, ``.multistage``,
``.equivalence``, ``.access``) each define their theorems with :func:`theorem` and register
them in :data:`THEOREMS` on import; :func:`all_theorems` imports them all.

>>> thm = get("entropy_rate")
>>> thm.title
'Entropy rate of a separable operator'
>>> [h.key for h in thm.hypotheses]
['well_defined', 'score_differentiable']
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Literal

import sympy as sp

from .symbols import T as _T
from .symbols import V as _V
from .symbols import x as _x

__all__ = [
    "Hypothesis",
    "Constant",
    "Theorem",
    "THEOREMS",
    "TOPICS",
    "theorem",
    "get",
    "all_theorems",
    "SYMBOLS",
    "symbol",
    "ConstantKind",
    "LATEX_NAMES",
    "placeholder",
]

# -- the generic symbols constants are written in --------------------------------------------
# ``x``, ``T`` and ``V`` are defined once, in ``skd.theory.symbols`` (``skd.operators.symbols``
# re-exports the same objects); the others belong to the theorems.
SYMBOLS: dict[str, sp.Symbol] = {
    "x": _x,
    "T": _T,
    "V": _V,
    "beta": sp.Symbol("beta", positive=True),  # 1/T
    "eps": sp.Symbol("epsilon", positive=True),  # floor of Delta_eps
    "m": sp.Symbol("m", positive=True, integer=True),  # samples seen of the teacher
    "n": sp.Symbol("n", positive=True, integer=True),  # number of stages
    "s": sp.Symbol("s", nonnegative=True),  # sparsity (pruned fraction)
    "rho": sp.Symbol("rho", positive=True),  # per-stage Lipschitz constant
    "kappa": sp.Symbol("kappa", nonnegative=True),  # rho <= 1 + kappa/n
    "c": sp.Symbol("c", positive=True),  # per-stage curvature constant
    "eps_m": sp.Symbol("epsilon_m", positive=True),  # per-stage statistical error
    "e0": sp.Symbol("e_0", nonnegative=True),  # initial error
    "L_gamma": sp.Symbol("L_gamma", positive=True),  # path Lipschitz constant
    "r": sp.Symbol("r", positive=True),  # basin radius
    "d": sp.Symbol("d", positive=True, integer=True),  # features (least squares model)
    "k": sp.Symbol("k", positive=True, integer=True),  # kept features / top-k size
    "N": sp.Symbol("N", positive=True, integer=True),  # training samples (least squares model)
    "sigma2": sp.Symbol("sigma2", positive=True),  # noise variance
    "tau": sp.Symbol("tau", nonnegative=True),  # truncated tail mass
}


#: Placeholder symbols (identifiers, so the safe parser reads constants back) and their LaTeX.
LATEX_NAMES: dict[sp.Symbol, str] = {
    SYMBOLS["eps"]: r"\varepsilon",
    SYMBOLS["eps_m"]: r"\varepsilon_m",
    SYMBOLS["e0"]: r"e_0",
    SYMBOLS["L_gamma"]: r"L_\gamma",
    SYMBOLS["sigma2"]: r"\sigma^2",
}


def placeholder(name: str, latex: str) -> sp.Symbol:
    r"""A real placeholder symbol for a quantity of (p, T) such as a q-variance, with its LaTeX.

    >>> placeholder("VarQ_logp", r"\operatorname{Var}_q(\log p)")
    VarQ_logp
    """
    if not name.isidentifier():
        raise ValueError(f"placeholder name must be an identifier, got {name!r}")
    sym = sp.Symbol(name, real=True)
    old = LATEX_NAMES.get(sym)
    if old is not None and old != latex:
        raise ValueError(f"placeholder {name!r} registered twice with different LaTeX")
    LATEX_NAMES[sym] = latex
    return sym


def symbol(name: str) -> sp.Symbol:
    """The generic symbol called ``name`` (a key of :data:`SYMBOLS`).

    >>> symbol("eps")
    epsilon
    """
    try:
        return SYMBOLS[name]
    except KeyError:
        raise KeyError(f"no theorem symbol {name!r}; known: {sorted(SYMBOLS)}") from None


ConstantKind = Literal[
    "exact",  # equal to the quantity, in closed form
    "upper_bound",  # a valid bound, not claimed sharp
    "lower_bound",
    "limit",  # the value of a limit (n -> oo, eps -> 0, ...), not a bound for finite arguments
    "sharp",  # the least constant (supremum), given as an enclosure or closed form
    "rate",  # an asymptotic rate (exponent or leading term)
    "minimiser_of_bound",  # minimiser of a bound; not a property of every process
    "threshold",  # the value where a condition changes truth
]


@dataclasses.dataclass(frozen=True)
class Hypothesis:
    """One hypothesis of a theorem.

    ``kind`` is ``axiom`` (an axiom id of :mod:`skd.theory.axioms`, checked by ``skd check``),
    ``obligation`` (checked per operator by a derivation module) or ``assumption`` (about the
    training process, e.g. a basin radius; stated, never claimed — a conclusion that needs it
    is *conditional* on it).
    """

    key: str
    statement: str
    kind: Literal["axiom", "obligation", "assumption"] = "obligation"

    def __post_init__(self) -> None:
        if not self.key.isidentifier():
            raise ValueError(f"Hypothesis key must be an identifier, got {self.key!r}")


@dataclasses.dataclass(frozen=True)
class Constant:
    """A constant of a theorem's conclusion in generic form (before instantiation)."""

    name: str
    expr: sp.Expr
    kind: ConstantKind
    meaning: str


@dataclasses.dataclass(frozen=True)
class Theorem:
    """A theorem of the framework, stated for a whole operator class.

    ``proof`` is the ``docs/theory/`` page (with anchor) that proves it; ``source`` says where
    the statement comes from (``theory-notes.md`` section and its label).
    """

    key: str
    topic: str
    title: str
    hypotheses: tuple[Hypothesis, ...]
    conclusion: str
    constants: tuple[Constant, ...] = ()
    proof: str = ""
    source: str = ""

    def hypothesis(self, key: str) -> Hypothesis:
        for h in self.hypotheses:
            if h.key == key:
                return h
        raise KeyError(f"theorem {self.key!r} has no hypothesis {key!r}; it has {[h.key for h in self.hypotheses]}")


#: Registry, filled by :func:`theorem` as the topic modules are imported.
THEOREMS: dict[str, Theorem] = {}
#: The topic modules, in the order derivations are presented.
TOPICS: tuple[str, ...] = ("basics", "entropy", "sensitivity", "biasvar", "multistage", "equivalence", "access")


def theorem(key: str, topic: str, title: str, hypotheses: list[Hypothesis] | tuple[Hypothesis, ...], conclusion: str,
            constants: list[Constant] | tuple[Constant, ...] = (), proof: str = "", source: str = "") -> Theorem:
    """Create a theorem and register it (keys are unique; re-registering the same theorem is allowed)."""
    if topic not in TOPICS:
        raise ValueError(f"topic must be one of {TOPICS}, got {topic!r}")
    thm = Theorem(key, topic, title, tuple(hypotheses), conclusion, tuple(constants), proof, source)
    old = THEOREMS.get(key)
    if old is not None and old != thm:
        raise ValueError(f"theorem key {key!r} is registered twice with different content")
    THEOREMS[key] = thm
    return thm


def all_theorems() -> dict[str, Theorem]:
    """Import every topic module and return the registry (ordered by topic)."""
    for topic in TOPICS:
        importlib.import_module(f"skd.theory.{topic}")
    return {k: v for t in TOPICS for k, v in THEOREMS.items() if v.topic == t}


def get(key: str) -> Theorem:
    """The theorem called ``key``."""
    thms = all_theorems()
    try:
        return thms[key]
    except KeyError:
        raise KeyError(f"no theorem {key!r}; known: {sorted(thms)}") from None
