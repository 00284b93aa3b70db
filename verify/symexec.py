"""Symbolic execution of vector algorithms: an operator declared by an algorithm, as pieces.

This is the first stage of the prover for vector operators (issue 14, item 1). An algorithm
``algorithm(p, T, ar)`` (see :func:`skd.operators.vector`) is written once against an
:class:`~skd.operators.arith.Arith`; here it runs in :class:`PathArith`, whose numbers are SymPy
expressions in one positive symbol per *value* of ``p`` and the temperature ``T``:

* the entries of ``p`` are :class:`Entry` objects fixed by an **order class** (which entries are
  larger, which are tied, which are zero): the algorithm's own exact comparisons of inputs
  (sorting, ``p[i] > 0``) are answered by the class, so one run covers the whole class;
* a comparison of *derived* values (``ar.gt``, ``ar.ge``, ``ar.is_zero``, and ``ar.max``/``ar.min``
  through them) that SymPy cannot settle is a **branch**: the run takes the branch its decision
  script names (``True`` past the script's end) and records the condition. :func:`pieces`
  re-runs the algorithm once per path, depth first, as Hypothesis replays a choice sequence.

The result is a finite list of :class:`Piece` objects: a path condition (a conjunction of signs
of expressions) and the output expressions valid where it holds. The pieces of one order class
cover it: every point of the class satisfies the conditions of exactly the path the algorithm
takes there. **Nothing here decides anything**: a path condition may be unsatisfiable, and every
obligation about a piece is for a prover to decide and for the kernel to check.
Running user code on SymPy expressions can take long: a prover that uses :func:`pieces` runs it
inside its time budget, like every other symbolic step (``max_paths`` bounds only the path count).

>>> from skd.operators.library import topk_algorithm
>>> (piece,) = pieces(topk_algorithm, OrderClass.strict(3))
>>> piece.conditions, piece.outputs[2]
((), 0)
>>> piece.outputs[0]
p_0**(1/T)/(p_0**(1/T) + p_1**(1/T))
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from skd.operators.arith import Arith
from skd.operators.errors import SkdError
from skd.operators.symbols import T

from .signs import number_sign

__all__ = ["Condition", "Entry", "NotSymbolic", "OrderClass", "PathArith", "PathLimit", "Piece", "Settle", "T_SYMBOL",
           "order_classes", "pieces"]

#: the temperature: the project's one symbol ``T`` (positive), the one every formula is written in
T_SYMBOL = T

#: the default bound on the number of paths of one order class
MAX_PATHS = 4096


class NotSymbolic(SkdError):
    """The algorithm cannot be run on symbols (it compares derived values itself, calls a
    function the symbolic arithmetic does not have, or uses floats): no pieces, so no proof."""


class PathLimit(SkdError):
    """More paths than the bound: the pieces would not be finite in practice."""


@dataclasses.dataclass(frozen=True)
class Condition:
    """``expr rel 0`` with ``rel`` one of ``>``, ``>=``, ``<``, ``<=``, ``==``, ``!=``."""

    expr: sp.Expr
    rel: str

    def holds(self, values: dict[sp.Symbol, Any], dps: int = 50) -> bool | None:
        """Whether the condition holds at ``values`` (numbers for every symbol), in mpmath at
        ``dps`` digits; None when the value is within ``10**(-dps/2)`` of 0 (too close to call).
        For tests and exploration, never for a proof."""
        import mpmath

        with mpmath.workdps(dps):
            v = sp.N(self.expr.xreplace(values), dps)
            if not v.is_real:
                return None
            f = mpmath.mpf(str(v))
            if abs(f) < mpmath.mpf(10) ** (-dps // 2):
                return None
            return {">": f > 0, ">=": f > 0, "<": f < 0, "<=": f < 0, "==": False, "!=": True}[self.rel]

    def __str__(self) -> str:
        return f"{self.expr} {self.rel} 0"


_NEGATION = {">": "<=", ">=": "<", "==": "!="}


@dataclasses.dataclass(frozen=True)
class OrderClass:
    """Which entries of ``p`` are larger, tied or zero: ``groups`` lists groups of indices by
    decreasing value (the entries of a group are equal), ``zero`` the indices equal to 0.

    >>> OrderClass.strict(3).groups
    ((0,), (1,), (2,))
    >>> OrderClass(((1,), (0, 2)), ()).values()
    (p_0, p_1, p_0)
    """

    groups: tuple[tuple[int, ...], ...]
    zero: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        seen = [i for g in self.groups for i in g] + list(self.zero)
        if not self.groups or any(not g for g in self.groups) or sorted(seen) != list(range(len(seen))):
            raise ValueError(f"an order class partitions the indices 0..V-1 into non-empty groups: {self}")

    @classmethod
    def strict(cls, V: int) -> OrderClass:
        """``p_0 > p_1 > … > p_{V-1} > 0``."""
        return cls(tuple((i,) for i in range(V)))

    @property
    def V(self) -> int:
        return sum(len(g) for g in self.groups) + len(self.zero)

    def symbol(self, group: int) -> sp.Symbol:
        """The value of a group: the positive symbol ``p_<its first index>``."""
        return sp.Symbol(f"p_{self.groups[group][0]}", positive=True)

    def values(self) -> tuple[sp.Expr, ...]:
        """The value of each entry (a group's symbol, or 0)."""
        out: list[sp.Expr] = [sp.Integer(0)] * self.V
        for k, g in enumerate(self.groups):
            for i in g:
                out[i] = self.symbol(k)
        return tuple(out)

    @classmethod
    def of(cls, p: Sequence[Fraction]) -> OrderClass:
        """The order class of an exact vector (entries >= 0, at least one > 0).

        >>> OrderClass.of([Fraction(1, 4), Fraction(1, 2), Fraction(1, 4), Fraction(0)])
        OrderClass(groups=((1,), (0, 2)), zero=(3,))
        """
        if not p or any(v < 0 for v in p) or not any(v > 0 for v in p):
            raise ValueError(f"p={list(p)}: entries >= 0, at least one > 0")
        levels = sorted({v for v in p if v > 0}, reverse=True)
        return cls(tuple(tuple(i for i, v in enumerate(p) if v == lv) for lv in levels),
                   tuple(i for i, v in enumerate(p) if v == 0))

    def entries(self, at: Sequence[Fraction] | None = None) -> list[Entry]:
        """The entries of ``p`` for a run: their values the group symbols, or, with ``at``, the
        exact numbers of a vector of this class (then every expression is in ``T`` alone)."""
        rank = {i: k for k, g in enumerate(self.groups) for i in g} | {i: len(self.groups) for i in self.zero}
        if at is None:
            vals = self.values()
        else:
            if len(at) != self.V or OrderClass.of(at) != self:
                raise ValueError(f"p={list(at)} is not in the order class {self.groups} (zero: {self.zero})")
            vals = tuple(sp.Rational(v.numerator, v.denominator) for v in map(Fraction, at))
        return [Entry(i, rank[i], vals[i], i in self.zero) for i in range(self.V)]


def order_classes(V: int, *, ties: bool = True, zeros: bool = False) -> Iterator[OrderClass]:
    """Every order class of ``V`` entries: ordered set partitions of the indices (the strict
    orders when ``ties`` is False), with at least one non-zero entry; with ``zeros``, also every
    proper subset of the indices set to 0 (the closed simplex).

    >>> sum(1 for _ in order_classes(3)), sum(1 for _ in order_classes(3, ties=False))
    (13, 6)
    """
    if V < 1:
        raise ValueError(f"V={V}: at least one entry")
    idx = range(V)
    zero_sets: list[tuple[int, ...]] = [()]
    if zeros:
        zero_sets = [z for r in range(V) for z in itertools.combinations(idx, r)]
    for z in zero_sets:
        rest = [i for i in idx if i not in z]
        for groups in _ordered_partitions(rest, ties):
            yield OrderClass(groups, z)


def _ordered_partitions(items: list[int], ties: bool) -> Iterator[tuple[tuple[int, ...], ...]]:
    if not ties:
        for perm in itertools.permutations(items):
            yield tuple((i,) for i in perm)
        return
    if not items:
        yield ()
        return
    # choose the first (largest) group, then order the rest
    for r in range(1, len(items) + 1):
        for first in itertools.combinations(items, r):
            rest = [i for i in items if i not in first]
            for tail in _ordered_partitions(rest, ties):
                yield (first, *tail)


class Entry:
    """An entry of ``p`` in an order class: it compares with entries by rank and with 0 by
    whether it is zero, exactly as the algorithm's input comparisons need, and nothing else."""

    __slots__ = ("index", "rank", "value", "is_zero", "sign")

    def __init__(self, index: int, rank: int, value: sp.Expr, is_zero: bool, sign: int = 1) -> None:
        self.index, self.rank, self.value, self.is_zero, self.sign = index, rank, value, is_zero, sign

    def _key(self, other: object) -> tuple[int, int]:
        """(self, other) as comparable numbers: minus the rank (larger value = smaller rank)."""
        if isinstance(other, Entry):
            if other.sign != self.sign:
                raise NotSymbolic("an entry of p compared with the negative of another entry")
            return (-self.rank * self.sign, -other.rank * other.sign)
        if isinstance(other, (int, Fraction)) and other == 0:
            me = 0 if self.is_zero else self.sign
            return (me, 0)
        raise NotSymbolic(f"an entry of p compared with {other!r}: only entries and 0 can be compared exactly")

    def __lt__(self, other: object) -> bool:
        a, b = self._key(other)
        return a < b

    def __le__(self, other: object) -> bool:
        a, b = self._key(other)
        return a <= b

    def __gt__(self, other: object) -> bool:
        a, b = self._key(other)
        return a > b

    def __ge__(self, other: object) -> bool:
        a, b = self._key(other)
        return a >= b

    def __eq__(self, other: object) -> bool:
        a, b = self._key(other)
        return a == b

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash((self.rank, self.sign, self.is_zero))

    def __neg__(self) -> Entry:
        return Entry(self.index, self.rank, -self.value, self.is_zero, -self.sign)

    def __repr__(self) -> str:
        return f"Entry({self.index}, {'-' if self.sign < 0 else ''}{self.value})"

    def __float__(self) -> float:
        raise NotSymbolic("an entry of p converted to float: symbolic execution is exact")


class PathArith(Arith):
    """SymPy expressions; a comparison SymPy cannot settle follows ``script`` and is recorded."""

    name = "symbolic"

    def __init__(self, script: Sequence[bool] = (), settle: Settle | None = None) -> None:
        self.script = tuple(script)
        self.taken: list[bool] = []
        self.conditions: list[Condition] = []
        self.settle = settle

    # -- numbers -----------------------------------------------------------------------------
    def num(self, v: Any) -> sp.Expr:
        if isinstance(v, Entry):
            return v.value
        if isinstance(v, bool) or not isinstance(v, (int, Fraction, sp.Expr)):
            raise NotSymbolic(f"ar.num({v!r}): symbolic execution takes exact numbers and entries of p only")
        if isinstance(v, Fraction):
            return sp.Rational(v.numerator, v.denominator)
        return sp.sympify(v)  # safe: an int or a SymPy expression, never text

    def log(self, a: Any) -> sp.Expr:
        return sp.log(a)

    def exp(self, a: Any) -> sp.Expr:
        return sp.exp(a)

    def sqrt(self, a: Any) -> sp.Expr:
        return sp.sqrt(a)

    def pow(self, a: Any, b: Any) -> sp.Expr:
        if a == 0:
            # 0**b = 0 for b > 0 (the contract of Arith.pow); other arithmetics give 1 for b = 0 and
            # fail for b < 0, so anything but a certainly positive b stops the run
            b = sp.sympify(b)  # safe: a SymPy expression or number built by the algorithm
            positive = number_sign(b) == "pos" if b.is_number else b.is_positive is True
            if not positive:
                raise NotSymbolic(f"ar.pow(0, {b}): 0 to a power not certainly positive")
            return sp.Integer(0)
        return a**b

    def func(self, name: str, a: Any) -> sp.Expr:
        f = getattr(sp, name, None)
        if name not in {"tanh", "sinh", "cosh", "sin", "cos", "atan", "erf"} or f is None:
            raise NotSymbolic(f"ar.func({name!r}): not available in the symbolic arithmetic")
        return f(a)

    @property
    def pi(self) -> sp.Expr:
        return sp.pi

    # -- branches ----------------------------------------------------------------------------
    def _branch(self, d: Any, rel: str) -> bool:
        d = sp.sympify(d)  # safe: a SymPy expression built by the algorithm from numbers and entries
        if d.is_number:
            # a number is settled by its exact value or a rigorous Arb enclosure, never by SymPy's
            # assumptions, which can be wrong (sympy/sympy#23874: is_nonnegative True for a number
            # near -1.2e51, found by the adversarial review of the limits at exact p); undecided, it
            # is a branch like any other, and the condition goes to whoever decides the pieces
            s = number_sign(d)
            if s is not None:
                return {">": s == "pos", ">=": s != "neg", "==": s == "zero"}[rel]
        if self.settle is not None:
            decided = self.settle(d, rel, tuple(self.conditions))
            if decided is not None:
                return decided  # the caller proved the other branch empty: no path, no condition
        k = len(self.taken)
        take = self.script[k] if k < len(self.script) else True
        self.taken.append(take)
        self.conditions.append(Condition(d, rel if take else _NEGATION[rel]))
        return take

    def gt(self, a: Any, b: Any) -> bool:
        return self._branch(sp.sympify(a) - sp.sympify(b), ">")  # safe: SymPy objects

    def ge(self, a: Any, b: Any) -> bool:
        return self._branch(sp.sympify(a) - sp.sympify(b), ">=")  # safe: SymPy objects

    def is_zero(self, a: Any) -> bool:
        return self._branch(sp.sympify(a), "==")  # safe: a SymPy object


#: ``settle(d, rel, conditions) -> bool | None``: see :func:`pieces`
Settle = Callable[[sp.Expr, str, tuple["Condition", ...]], "bool | None"]


@dataclasses.dataclass(frozen=True)
class Piece:
    """One path of the algorithm on one order class: where ``conditions`` all hold, the
    algorithm's outputs are ``outputs`` (in the symbols of ``order`` and :data:`T_SYMBOL`)."""

    order: OrderClass
    conditions: tuple[Condition, ...]
    outputs: tuple[sp.Expr, ...]
    path: tuple[bool, ...]


def pieces(algorithm: Callable[..., Sequence[Any]], order: OrderClass, *,
           max_paths: int = MAX_PATHS, settle: Settle | None = None, at: Sequence[Fraction] | None = None) -> list[Piece]:
    """Every path of ``algorithm`` on the order class ``order``, as :class:`Piece` objects.
    ``at``: one exact vector of the class instead of all of it — conditions and outputs are then
    expressions in ``T`` alone, and a comparison its numbers settle is no branch.

    ``settle(d, rel, conditions)``, if given, may decide a comparison ``d rel 0`` from the order
    class and the conditions so far (True/False: the other branch is empty, so it is neither
    explored nor recorded); None leaves it a branch. Pieces are then every path *not proved
    empty* by ``settle`` — whoever passes it answers for its soundness.

    Raises :class:`NotSymbolic` when the algorithm cannot run on symbols and :class:`PathLimit`
    past ``max_paths`` paths.
    """
    if max_paths < 1:
        raise ValueError(f"max_paths={max_paths}: at least 1")
    out: list[Piece] = []
    pending: list[tuple[bool, ...]] = [()]
    while pending:
        script = pending.pop()
        if len(out) >= max_paths:
            raise PathLimit(f"more than {max_paths} paths on the order class {order.groups} (zero: {order.zero})")
        ar = PathArith(script, settle)
        try:
            result = algorithm(order.entries(at), T_SYMBOL, ar)
        except SkdError:
            raise
        except TypeError as exc:
            # SymPy refuses bool() of an undecided relational: the algorithm compared derived
            # values itself instead of through ar.gt / ar.ge
            raise NotSymbolic(f"the algorithm cannot run on symbols ({type(exc).__name__}: {exc}); "
                              "compare derived values through ar.gt / ar.ge") from None
        except Exception as exc:  # noqa: BLE001 - any failure of user code on symbols: no pieces
            raise NotSymbolic(f"the algorithm failed on symbols ({type(exc).__name__}: {exc})") from None
        outputs = tuple(sp.sympify(v) for v in result)  # safe: SymPy objects or numbers
        if len(outputs) != order.V:
            raise NotSymbolic(f"the algorithm returned {len(outputs)} values for V = {order.V}")
        # the branches this run opened past its script, deepest first popped last
        for k in range(len(script), len(ar.taken)):
            pending.append((*ar.taken[:k], not ar.taken[k]))
        out.append(Piece(order, tuple(ar.conditions), outputs, tuple(ar.taken)))
    return out
