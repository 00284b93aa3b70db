"""The proof kernel for vector operators: ``well_defined``, ``ranking`` and ``identity`` on the
declared sizes, re-derived; and proofs of the built-ins by a V-generic theorem, instantiated.

Trusted, like :mod:`skd.verify.kernel`, and independent of the prover it checks
(:mod:`skd.verify.provers.vector`, built on :mod:`skd.verify.symexec`): it imports only the
kernel's public sign rules and the project's symbol ``T``, and re-does everything itself:

1. **the order classes** — for each declared size ``V``, every ordered partition of the indices
   (which entries are larger, which tie; all entries ``> 0``: the open simplex), enumerated here;
2. **the paths** — the operator's algorithm runs on this module's own symbolic arithmetic: the
   entries of ``p`` compare by their class, a comparison of derived values that is not settled by
   SymPy's own evaluation of numbers opens two branches, and every branch is explored (a bound on
   the number of paths turns into a rejection, never into a skipped path). The values of a class
   are ``a * exp(d_k + ... )`` with positive symbols ``a, d_k`` (:func:`_class_values`), so that every sign fact the
   order gives is visible to the sign rules;
3. **each piece** (path condition, outputs): every output defined (denominators, ``log``
   arguments and real-power bases proved positive, a square-root argument proved ``>= 0`` or named
   ``>= 0`` by the path condition); the outputs sum to exactly 1 (the numerator of the sum minus 1,
   over a common denominator, expands to 0); every output ``>= 0`` — by the sign rules, as an even
   power of a defined real, or as ``λ c + r`` with ``c >= 0`` a condition of the path, ``λ >= 0``
   rational and ``r`` proved ``>= 0`` (a one-condition Farkas certificate; how ``λ`` is found does
   not matter to soundness, only that ``r`` is checked).

4. **the axiom's own check of each piece**, after 3 (every axiom presupposes ``F`` defined):
   ``ranking`` — every output of a group exceeds every output of the next group down (strictly:
   by the sign rules or a one-condition certificate ``λ c + r``; transitivity through the
   non-empty groups covers the rest; tied entries are not compared), which also proves the weak
   profile's ``>=``; ``identity`` — at ``T = 1`` with the class's scale fixed so that the entries
   sum to 1, every output minus its entry is identically 0, unless a condition of the piece has,
   there, a sign that contradicts it (then no point of the simplex takes the piece at ``T = 1``).

5. **proofs by theorem** (the built-ins only): the operator's content hash is the built-in's, the
   theorem is this module's own table's (:data:`_THEOREMS`) for that built-in and axiom, the
   scope is ``full`` (every ``V >= 2``); for ``well_defined``, every piece of every order class
   of every declared size passes 3 and computes the map the theorem is about (:data:`_FORMS`:
   the threshold forms of sparsemax and entmax15, the power form of topk on a kept set that
   does not move with ``T``; docs/theory/vector.md, "Proofs by theorem", T1–T3); the other
   axioms cite that ``well_defined`` proof as a lemma, whose form is checked here.

6. **proofs by form** (a user's operator, a step ``vector_form``): continuity, entropy and the
   limits on the declared sizes, when every piece of every order class is defined (3) and is the
   power-softening ``p**beta`` on a kept set or sparsemax of ``beta log p``, with one exponent
   ``beta = c T**(-k)`` read off the pieces, plus what the axiom needs (every entry kept; no
   condition involving ``T``; dropped entries smaller than kept ones; ``k > 0``):
   :func:`_check_user_form`, Theorems U.1 and U.2 of docs/theory/vector.md.

A piece whose path condition is unsatisfiable is still checked (nothing is gained by skipping it),
except by ``identity``'s contradiction test above, which is itself a proof that no point takes it.
Proving the statements for **all positive vectors** (not only those summing to 1) proves them on
the open simplex, a subset. The scope of the proof is the declared sizes; the outcome must say so.

What this relies on: the algorithm is *the* definition of the operator and runs the same way in
every arithmetic (``ar``) — it is written once against the arithmetic (:func:`skd.operators.vector`).
An algorithm that inspects its arithmetic (``ar.name``) or the type of its inputs to compute
something else is outside that contract; as a guard, each class is also evaluated at one exact
point in 40-digit arithmetic and compared with the piece whose conditions hold there.

Size: the trusted kernel is one file on purpose, to be audited end to end; it shares no code with
the prover it checks.

>>> from skd.operators import library
>>> check_vector_proof("well_defined", library.topk, _Claim("proved", "V in {2, 3}"), sizes=(2, 3))
(True, 'kernel (vector): V in {2, 3}: 16 order classes, 16 pieces checked')
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from skd.operators.symbols import T

from .kernel import KernelRejection, kernel_defined
from .kernel import kernel_sign as _kernel_sign_uncached

__all__ = ["check_vector_proof", "MAX_PATHS_PER_CLASS"]

#: more paths than this on one order class: the kernel rejects (it never checks part of a class)
MAX_PATHS_PER_CLASS = 512


#: kernel_sign, expand and the log splitting are pure functions of the expression (its symbols
#: carry their assumptions); the pieces of one class share most subexpressions, so their answers
#: are kept, bounded
_MEMO_MAX = 50_000


@functools.lru_cache(maxsize=_MEMO_MAX)
def kernel_sign(e: sp.Expr) -> str | None:
    return _kernel_sign_uncached(e)


def _number_is(e: sp.Expr, *signs: str) -> bool:
    """Whether the number ``e`` certainly has one of ``signs`` ("pos", "neg", "zero"): by its exact
    value or a 300-bit Arb ball (the kernel's sign of a constant), never by SymPy's assumptions,
    which can be wrong for a number (sympy/sympy#23874: ``is_nonnegative`` True for a nested-radical
    number near -1.2e51, found by the adversarial review of the limits at exact p)."""
    return kernel_sign(e) in signs


@dataclasses.dataclass(frozen=True)
class _Claim:
    """The two fields of an outcome the kernel reads (for the doctest)."""

    status: str
    scope: str


# -- order classes and the symbolic arithmetic ---------------------------------------------------


def _ordered_partitions(items: tuple[int, ...]) -> Iterator[tuple[tuple[int, ...], ...]]:
    if not items:
        yield ()
        return
    for r in range(1, len(items) + 1):
        for first in itertools.combinations(items, r):
            rest = tuple(i for i in items if i not in first)
            for tail in _ordered_partitions(rest):
                yield (first, *tail)


#: the run (the kernel's arithmetic) the algorithm is executing right now; values of any other
#: run are refused (a value kept from an earlier run would record its side conditions there)
_LIVE: list[Any] = [None]


def _fail(message: str) -> KernelRejection:
    """A rejection that sticks: recorded on the live run before it is raised, so that an
    algorithm which catches the exception still has its run rejected when it returns."""
    run = _LIVE[0]
    if run is not None and run._failure is None:
        run._failure = message
    return KernelRejection(message)


class _KEntry:
    """An entry of ``p``: compares with entries by its group's rank, with 0 as positive."""

    __slots__ = ("rank", "value", "sign")

    def __init__(self, rank: int, value: sp.Expr, sign: int = 1) -> None:
        self.rank, self.value, self.sign = rank, value, sign

    def _pair(self, other: object) -> tuple[int, int]:
        if isinstance(other, _KEntry) and other.sign == self.sign:
            return (-self.rank * self.sign, -other.rank * other.sign)
        if isinstance(other, (int, Fraction)) and not isinstance(other, bool) and other == 0:
            return (self.sign, 0)
        raise _fail(f"the algorithm compares an entry of p with {other!r}")

    def __lt__(self, o: object) -> bool:
        a, b = self._pair(o)
        return a < b

    def __le__(self, o: object) -> bool:
        a, b = self._pair(o)
        return a <= b

    def __gt__(self, o: object) -> bool:
        a, b = self._pair(o)
        return a > b

    def __ge__(self, o: object) -> bool:
        a, b = self._pair(o)
        return a >= b

    def __eq__(self, o: object) -> bool:
        a, b = self._pair(o)
        return a == b

    def __ne__(self, o: object) -> bool:
        return not self == o

    def __hash__(self) -> int:
        return hash((self.rank, self.sign))

    def __neg__(self) -> _KEntry:
        return _KEntry(self.rank, -self.value, -self.sign)

    def __float__(self) -> float:
        raise _fail("the algorithm converts an entry of p to float")

    def __getattr__(self, name: str) -> Any:
        raise _fail(f"the algorithm uses {name!r} of an entry of p (entries only compare; ar.num(p[i]) is the number)")

    def _arith(self, *_: Any) -> Any:
        raise _fail("the algorithm computes with an entry of p directly instead of ar.num(p[i])")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _arith
    __pow__ = __rpow__ = __abs__ = __round__ = __int__ = __index__ = _arith


_FUNCS = {"tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh, "sin": sp.sin, "cos": sp.cos, "atan": sp.atan, "erf": sp.erf}


class _KVal:
    """A number of the kernel's arithmetic: a SymPy expression, and the run it belongs to. Every
    operation that is not defined everywhere (division, ``log``, ``sqrt``, real powers) records
    its side condition in the run *before* SymPy simplifies anything away (``(a - b)/(a - b)`` is
    1 to SymPy, undefined at ``a = b`` to every other arithmetic)."""

    __slots__ = ("e", "run")

    def __init__(self, e: sp.Expr, run: _KArith) -> None:
        self.e, self.run = e, run

    def _other(self, o: Any) -> sp.Expr:
        if self.run is not _LIVE[0]:
            raise _fail("the algorithm uses a value computed in an earlier run (kept between calls)")
        return self.run.num(o).e

    def _own(self) -> sp.Expr:
        if self.run is not _LIVE[0]:
            raise _fail("the algorithm uses a value computed in an earlier run (kept between calls)")
        return self.e

    def __add__(self, o: Any) -> _KVal:
        return _KVal(self.e + self._other(o), self.run)

    def __radd__(self, o: Any) -> _KVal:
        return _KVal(self._other(o) + self.e, self.run)

    def __sub__(self, o: Any) -> _KVal:
        return _KVal(self.e - self._other(o), self.run)

    def __rsub__(self, o: Any) -> _KVal:
        return _KVal(self._other(o) - self.e, self.run)

    def __mul__(self, o: Any) -> _KVal:
        return _KVal(self.e * self._other(o), self.run)

    def __rmul__(self, o: Any) -> _KVal:
        return _KVal(self._other(o) * self.e, self.run)

    def __truediv__(self, o: Any) -> _KVal:
        d = self._other(o)
        self.run._require(d, "ne0")
        return _KVal(self.e / d, self.run)

    def __rtruediv__(self, o: Any) -> _KVal:
        self.run._require(self._own(), "ne0")
        return _KVal(self._other(o) / self.e, self.run)

    def __neg__(self) -> _KVal:
        return _KVal(-self._own(), self.run)

    def __pos__(self) -> _KVal:
        return self

    def __pow__(self, o: Any) -> _KVal:
        self._own()
        exponent = self.run.num(o).e
        if not exponent.is_Integer:  # ar.pow is the contract: the evaluators pass T as an exact
            # Fraction, on which Python's ** with a fractional exponent is a float
            raise _fail(f"the algorithm raises a value to the power {sp.sstr(exponent)[:40]} with ** (ar.pow is "
                        "the arithmetic's real power)")
        return self.run.pow(self, o)

    def __rpow__(self, o: Any) -> _KVal:
        self._own()
        raise _fail("the algorithm raises a number to a derived power with ** (ar.pow is the arithmetic's real power)")

    def _no(self, *_: Any) -> bool:
        raise _fail("the algorithm compares or tests derived values itself (not through ar.gt / ar.ge)")

    __lt__ = __le__ = __gt__ = __ge__ = __bool__ = _no

    def __eq__(self, o: object) -> bool:
        return self._no()

    def __ne__(self, o: object) -> bool:
        return self._no()

    __hash__ = None  # type: ignore[assignment]  # not hashable, like a value that cannot be compared

    def __float__(self) -> float:
        raise _fail("the algorithm converts a derived value to float")


class _KArith:
    """The kernel's symbolic arithmetic: every unsettled comparison a branch, every partial
    operation a recorded side condition."""

    name = "symbolic"

    def __init__(self, script: Sequence[bool], settled: dict[Any, bool | None] | None = None,
                 simplex: dict[sp.Symbol, sp.Expr] | None = None) -> None:
        #: the class's scale on the simplex (``a -> 1 / W``: the values sum to 1), for comparisons
        #: the class alone does not decide (a mass against 9/10); None: the class alone
        self.simplex = simplex
        #: whether a comparison was decided on the simplex only (the spot check then samples there)
        self.used_simplex = False
        self.script = tuple(script)
        self.taken: list[bool] = []
        self.conds: list[tuple[sp.Expr, str]] = []
        #: per class: (d, rel, conditions so far) -> decided or None (the runs replay prefixes)
        self.settled: dict[Any, bool | None] = {} if settled is None else settled
        #: side conditions of the partial operations: (expression, "ne0" | "gt0" | "ge0")
        self._needs: list[tuple[sp.Expr, str]] = []
        #: the first rejection raised during the run (sticky: see :func:`_fail`)
        self._failure: str | None = None

    def _require(self, e: sp.Expr, kind: str) -> None:
        self._needs.append((e, kind))

    def num(self, v: Any) -> _KVal:
        if self is not _LIVE[0]:
            raise _fail("the algorithm uses the arithmetic of an earlier run (kept between calls)")
        if isinstance(v, _KVal):
            if v.run is not self:
                raise _fail("the algorithm uses a value computed in an earlier run (kept between calls)")
            return v
        if isinstance(v, _KEntry):
            return _KVal(v.value, self)
        if isinstance(v, Fraction):
            return _KVal(sp.Rational(v.numerator, v.denominator), self)
        if isinstance(v, int) and not isinstance(v, bool):
            return _KVal(sp.Integer(v), self)
        if v is T:
            return _KVal(T, self)
        raise _fail(f"ar.num({type(v).__name__}): the kernel takes exact numbers only")

    def log(self, a: Any) -> _KVal:
        x = self.num(a).e
        self._require(x, "gt0")
        return _KVal(sp.log(x), self)

    def exp(self, a: Any) -> _KVal:
        return _KVal(sp.exp(self.num(a).e), self)

    def sqrt(self, a: Any) -> _KVal:
        x = self.num(a).e
        self._require(x, "ge0")
        return _KVal(sp.sqrt(x), self)

    def pow(self, a: Any, b: Any) -> _KVal:
        x, y = self.num(a).e, self.num(b).e
        if x == 0:  # the arithmetics' convention 0**b = 0, for b > 0
            self._require(y, "gt0")
            return _KVal(sp.Integer(0), self)
        if y.is_Integer and y >= 0:
            return _KVal(x**y, self)
        self._require(x, "ne0" if y.is_Integer else "gt0")
        return _KVal(sp.Pow(x, y), self)

    def func(self, name: str, a: Any) -> _KVal:
        if name not in _FUNCS:
            raise _fail(f"ar.func({name!r}) is not in the kernel's arithmetic")
        return _KVal(_FUNCS[name](self.num(a).e), self)

    @property
    def pi(self) -> _KVal:
        return _KVal(sp.pi, self)

    @property
    def e(self) -> _KVal:
        return _KVal(sp.E, self)

    def _branch(self, d: sp.Expr, rel: str) -> bool:
        d = _expanded(d)
        if d.is_number:
            sd = kernel_sign(d)
            if sd is not None:
                return {">": sd == "pos", ">=": sd != "neg", "==": sd == "zero"}[rel]
        key = (d, rel, tuple(self.conds))
        if key not in self.settled:
            self.settled[key] = _settle(d, rel, key[2])
            if (self.settled[key] is None and self.simplex is not None and not d.has(sp.log)
                    and next(iter(self.simplex)) in d.free_symbols):
                self.settled[key] = _settle_on_simplex(d, rel, self.simplex)
                if self.settled[key] is not None:
                    self.settled[("simplex", key)] = True
        if ("simplex", key) in self.settled:
            self.used_simplex = True
        if self.settled[key] is not None:
            return bool(self.settled[key])  # the other branch is proved empty: not a path
        k = len(self.taken)
        take = self.script[k] if k < len(self.script) else True
        self.taken.append(take)
        self.conds.append((d, rel if take else {">": "<=", ">=": "<", "==": "!="}[rel]))
        return take

    def gt(self, a: Any, b: Any) -> bool:
        return self._branch(self.num(a).e - self.num(b).e, ">")

    def ge(self, a: Any, b: Any) -> bool:
        return self._branch(self.num(a).e - self.num(b).e, ">=")

    def is_zero(self, a: Any) -> bool:
        return self._branch(self.num(a).e, "==")

    def max(self, a: Any, b: Any) -> Any:
        return a if self.ge(a, b) else b

    def min(self, a: Any, b: Any) -> Any:
        return b if self.ge(a, b) else a


@functools.lru_cache(maxsize=_MEMO_MAX)
def _expanded(d: sp.Expr) -> sp.Expr:
    """``sp.expand(d)``, memoised: the runs of a class replay the same comparisons."""
    return sp.expand(d)


@functools.lru_cache(maxsize=_MEMO_MAX)
def _settle(d: sp.Expr, rel: str, conds: tuple[tuple[sp.Expr, str], ...]) -> bool | None:
    """``d rel 0`` decided on the whole class (its sign proved) or by one earlier condition.
    Memoised across classes: a pure function of its arguments, whose symbols (``a, d_k > 0``,
    :func:`_class_values`) carry every fact of the class."""
    if not d.has(sp.log) or _is_log_linear(_log_linear(d)):  # (quadratic forms in logs: rarely decided, slowly)
        sign = kernel_sign(d)  # proved for every point of the class
        if sign is None and not d.has(sp.log):
            sign = _sign_in_gaps(d)
        if sign is not None:
            return {">": sign == "pos", ">=": sign != "neg", "==": sign == "zero"}[rel]
    if rel in (">", ">="):
        return _implied(d, rel, conds)
    return None


#: a comparison decided on the simplex only when at most this many gaps remain in it
_SIMPLEX_MAX_GAPS = 4


def _settle_on_simplex(d: sp.Expr, rel: str, simplex: dict[sp.Symbol, sp.Expr]) -> bool | None:
    ((a, inv_w),) = simplex.items()
    return _settle_on_simplex_memo(d, rel, a, inv_w)


@functools.lru_cache(maxsize=_MEMO_MAX)
def _settle_on_simplex_memo(d: sp.Expr, rel: str, a: sp.Symbol, inv_w: sp.Expr) -> bool | None:
    """``d rel 0`` decided on the class's part of the open simplex: the scale ``a`` replaced by
    ``1 / W`` (``W`` the sum of the values over ``a``), the sign proved for every gap. Only for a
    comparison without logarithms that involves the scale (a mass against a number). Every axiom
    is a statement about the open simplex, so a branch no point of it takes is no path."""
    if d.has(sp.log) or a not in d.free_symbols:
        return None
    if sp.expand(d.xreplace({a: 2 * a}) - 2 * d) == 0:  # homogeneous in the scale: the simplex adds nothing
        return None
    ds = d.xreplace({a: inv_w})
    # (most such comparisons depend on the gaps: no proof to look for; and with more than
    # _SIMPLEX_MAX_GAPS gaps the sign rules on these rational functions of exponentials are slow)
    if len(ds.free_symbols) > _SIMPLEX_MAX_GAPS or _takes_both_signs(ds):
        return None
    # one fraction: the sign of its expanded numerator (a mass against a number: a sum of
    # exponentials of gaps with coefficients) times its denominator's (a power of W > 0)
    num, den = sp.fraction(sp.together(ds))
    num = sp.expand(num)
    signs = []
    for part in (num, den):
        sg = "zero" if part == 0 else kernel_sign(part)
        if sg is None and not part.has(sp.log):
            sg = _sign_in_gaps(part)
        if sg is None:
            return None
        signs.append(sg)
    if signs[1] not in ("pos", "neg"):
        return None
    sign = signs[0] if signs[1] == "pos" or signs[0] == "zero" else {"pos": "neg", "neg": "pos"}[signs[0]]
    return {">": sign == "pos", ">=": sign != "neg", "==": sign == "zero"}[rel]


def _takes_both_signs(e: sp.Expr) -> bool:
    """``e`` is certainly positive at one point of its symbols and certainly negative at another
    (30-digit values at small and at large gaps): no sign holds for all of them. Only ever used to
    skip a search for a sign, never to decide one."""
    syms = sorted(e.free_symbols, key=lambda x: x.name)
    seen = set()
    levels = (sp.Rational(1, 20), sp.Rational(1, 2), sp.Integer(2), sp.Integer(8))
    with mpmath.workdps(30):
        for j in range(8):
            memo: dict[sp.Expr, Any] = {x: mpmath.mpf(levels[(j + k * (j // 4 + 1)) % 4].p) / levels[(j + k * (j // 4 + 1)) % 4].q
                                        for k, x in enumerate(syms)}
            try:
                v = _mp_value(e, memo)
            except (TypeError, ValueError, ArithmeticError, KeyError):
                return False
            if isinstance(v, mpmath.mpf) and abs(v) > mpmath.mpf(10) ** -20:
                seen.add(bool(v > 0))
            if len(seen) == 2:
                return True
    return False


@functools.lru_cache(maxsize=_MEMO_MAX)
def _sign_in_gaps(d: sp.Expr) -> str | None:
    """The sign of ``d`` (no logarithm in it) on the class, with every gap written
    ``d_k = log(1 + u_k)``, ``u_k > 0`` (a bijection of ``(0, oo)`` onto itself): each value
    ``a exp(d_k + ...)`` becomes ``a`` times a product of ``(1 + u_k)``, so that an order fact such
    as "the largest entry is at least the mean" becomes a polynomial whose coefficients have one
    sign (``2(1+u_0)(1+u_1) - (1+u_1) - 1 = 2u_0 + u_1 + 2u_0u_1``), which the sign rules decide."""
    gaps = sorted((g for g in d.free_symbols if g.name.startswith("_kd")), key=lambda g: g.name)
    if not gaps:
        return None
    sub = {g: sp.log(1 + sp.Symbol("_ku" + g.name[3:], positive=True)) for g in gaps}
    e = sp.expand(sp.expand(d.xreplace(sub), power_exp=True, mul=False, multinomial=False, log=False))
    if e.has(sp.log) or e.has(sp.exp):
        return None
    return kernel_sign(e)


def _implied_by_difference(d: sp.Expr, rel: str, conds: Sequence[tuple[sp.Expr, str]]) -> bool | None:
    """``d rel 0`` decided by one earlier condition ``c`` as ``d = c + r`` with the sign of ``r``
    proved with the gaps as ``log(1 + u_k)`` (:func:`_sign_in_gaps`; ``r`` free of logarithms):
    ``c < 0`` and ``r <= 0`` (or ``c <= 0`` and ``r < 0``) give ``d < 0``; ``c >= 0`` and
    ``r >= 0`` give ``d >= 0``, strictly if either is strict."""
    for c, crel in conds:
        if crel not in ("<", "<=", ">", ">=") or c.has(sp.log):
            continue
        r = sp.expand(d - c)
        rs = "zero" if r == 0 else kernel_sign(r) or _sign_in_gaps(r)
        # d <= 0 (< 0 if either is strict): d > 0 is empty, and d >= 0 when strict
        if crel in ("<", "<=") and rs in ("neg", "zero") and (rel == ">" or crel == "<" or rs == "neg"):
            return False
        if crel in (">", ">=") and rs in ("pos", "zero") and (rel == ">=" or crel == ">" or rs == "pos"):
            return True
    return None


def _implied(d: sp.Expr, rel: str, conds: Sequence[tuple[sp.Expr, str]]) -> bool | None:
    """Whether ``d rel 0`` (``rel`` ``>`` or ``>=``) is decided by one earlier condition ``c``:
    ``d = λ c + r`` with ``λ >= 0`` rational and ``r`` of a proved sign. True/False when the
    other branch is proved empty, None when not decided (then both branches are explored)."""
    if not d.has(sp.log):
        by_difference = _implied_by_difference(d, rel, conds)
        if by_difference is not None:
            return by_difference
    dl = _log_linear(d)
    if not _is_log_linear(dl):
        return None  # only linear forms in the logarithms are compared (λ from the constant parts)
    d0 = _constant(dl)
    for c, crel in conds:
        if crel == "==" or crel == "!=":
            continue
        cl = _log_linear(c)
        if not _is_log_linear(cl):
            continue
        c0 = _constant(cl)
        if c0 == 0 or d0 == 0:
            continue
        lam = sp.cancel(d0 / c0)
        if not (lam.is_Rational and lam > 0):
            continue
        r = sp.expand(dl - lam * cl)
        rs = "zero" if r == 0 else kernel_sign(r)
        if crel in ("<", "<=") and rs in ("neg", "zero"):  # d = λ c + r <= 0 (< 0 if c < 0 or r < 0)
            strict = crel == "<" or rs == "neg"
            if rel == ">" or strict:
                return False
        if crel in (">", ">=") and rs in ("pos", "zero"):  # d >= 0 (> 0 if c > 0 or r > 0)
            strict = crel == ">" or rs == "pos"
            if rel == ">=" or strict:
                return True
    return None


def _class_values(groups: tuple[tuple[int, ...], ...]) -> tuple[list[sp.Expr], list[sp.Symbol]]:
    """The value of each index: the last group is ``a``, each group above is the one below times
    ``exp(d_k)`` (``a, d_k > 0``): the values of a class, each exactly once (every positive
    vector of the class is ``a exp(d_k + ...)`` for one choice of the symbols), and every order
    fact a sign fact about positive symbols — ``log(p_i / p_j)`` is a sum of ``d``'s."""
    m = len(groups)
    a = sp.Symbol("_ka", positive=True)
    ds = [sp.Symbol(f"_kd{k}", positive=True) for k in range(m - 1)]
    vals: dict[int, sp.Expr] = {}
    gap: sp.Expr = sp.Integer(0)
    for k in range(m - 1, -1, -1):
        if k < m - 1:
            gap = gap + ds[k]
        for i in groups[k]:
            vals[i] = a * sp.exp(gap)
    return [vals[i] for i in range(len(vals))], [a, *ds]


class _PathList(list["_Path"]):
    """The paths of a class; ``on_simplex``: a comparison was decided on the class's part of the
    simplex only, so the paths cover that part (what every axiom is about), not the whole class."""

    on_simplex = False


@functools.lru_cache(maxsize=4096)
def _simplex_scale_of(groups: tuple[tuple[int, ...], ...]) -> tuple[sp.Symbol, sp.Expr]:
    values, syms = _class_values(groups)
    return syms[0], 1 / sp.Add(*[v / syms[0] for v in values])


def _simplex_scale(groups: tuple[tuple[int, ...], ...]) -> dict[sp.Symbol, sp.Expr]:
    """``a -> 1 / W``: the class's values (``a`` times exponentials of gaps) then sum to 1."""
    a, inv_w = _simplex_scale_of(groups)
    return {a: inv_w}


def _paths(algorithm: Any, groups: tuple[tuple[int, ...], ...]) -> _PathList:
    values, syms = _class_values(groups)
    rank = {i: k for k, g in enumerate(groups) for i in g}
    out = _PathList()
    pending: list[tuple[bool, ...]] = [()]
    settled: dict[Any, bool | None] = {}
    simplex = _simplex_scale(groups)
    while pending:
        if len(out) >= MAX_PATHS_PER_CLASS:
            raise KernelRejection(f"more than {MAX_PATHS_PER_CLASS} paths on the order class {groups}")
        script = pending.pop()
        ar = _KArith(script, settled, simplex)
        entries = [_KEntry(rank[i], values[i]) for i in range(len(values))]
        _LIVE[0] = ar
        try:
            res = algorithm(entries, _KVal(T, ar), ar)
            outs = [ar.num(v).e for v in res]
        except KernelRejection:
            raise
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code that fails on symbols is not proved
            raise KernelRejection(f"the algorithm fails on the order class {groups}: {type(exc).__name__}: {exc}") from None
        finally:
            _LIVE[0] = None
        if ar._failure is not None:  # raised inside the algorithm and caught there: still a rejection
            raise KernelRejection(ar._failure)
        if len(outs) != len(values):
            raise KernelRejection(f"the algorithm returns {len(outs)} values for V = {len(values)}")
        for k in range(len(script), len(ar.taken)):
            pending.append((*ar.taken[:k], not ar.taken[k]))
        pinned = _pinned_parts(tuple(ar.conds), tuple(outs), tuple(ar._needs))
        out.append(_Path(list(pinned[0]), list(pinned[1]), list(pinned[2]), pinned[3]))
        out.on_simplex = out.on_simplex or ar.used_simplex
    return out


def _ratio_moves(a: sp.Expr, b: sp.Expr) -> bool:
    """``b / a`` differs clearly between two rational points (30-digit values): it is no number, and
    the exact ``cancel`` (slow on square roots) is skipped — which only leaves a path unpinned.
    False whenever a value is not a number or ``a`` is 0 there."""
    syms = sorted(a.free_symbols | b.free_symbols, key=lambda x: x.name)
    seen = []
    for k in (3, 5):
        at = {x: sp.Rational(2 * i + k, i + 2) for i, x in enumerate(syms)}
        try:
            va, vb = complex(a.xreplace(at).evalf(30)), complex(b.xreplace(at).evalf(30))
        except (TypeError, ValueError, ArithmeticError):
            return False
        if va == 0 or va != va or vb != vb:  # (a NaN is not equal to itself)
            return False
        seen.append(vb / va)  # complex at a point where a square root's argument is negative: b = c a holds there too
    return abs(seen[0] - seen[1]) > 1e-9 * max(1.0, abs(seen[0]))


@functools.lru_cache(maxsize=_MEMO_MAX)
def _pinned_parts(conds: tuple[tuple[sp.Expr, str], ...], outs: tuple[sp.Expr, ...],
                  needs: tuple[tuple[sp.Expr, str], ...]) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...],
                                                               tuple[tuple[sp.Symbol, sp.Expr], ...]]:
    """:func:`_on_its_equalities` of the path with these parts, memoised: a pure function of them (the
    classes of one shape share most of their paths: entmax15 on V <= 5)."""
    path = _on_its_equalities(_Path(list(conds), list(outs), list(needs)))
    return tuple(path.conds), tuple(path.outs), tuple(path.needs), path.sub


def _on_its_equalities(path: _Path) -> _Path:
    """A path whose conditions pin ``c = 0`` (``c == 0``, or ``c >= 0`` with ``-λ c >= 0`` for a
    number ``λ > 0``: the boundary piece of a clipping ``max(w, 0)``) holds only where ``c = 0``. When ``c`` is linear in
    a gap ``d`` with a coefficient of proved sign, ``d`` is replaced by the solution of ``c = 0`` in
    the outputs, the side conditions and the other conditions; the equality stays as ``(c, "==")``
    (unsubstituted: the spot check then compares no point with the piece, and identity reads its
    sign), and the eliminated gap's own positivity ``-rest/slope > 0`` becomes a condition (true at
    every point of the piece). Every later check holds for all positive values of the remaining
    symbols that meet the conditions — a superset of the piece's points — so it is sound on the piece."""
    conds = list(path.conds)
    eqs = [c for c, rel in conds if rel == "=="]
    pinned: set[int] = set()  # indices of the conditions an equality replaces
    signed = [(k, _log_linear(c if rel == ">=" else -c)) for k, (c, rel) in enumerate(conds) if rel in (">=", "<=")]
    for a, (ka, sa) in enumerate(signed):  # sa >= 0 and sb = -λ sa >= 0 (λ > 0 a number): sa = 0
        for kb, sb in signed[a + 1:]:
            ratio = sp.cancel(sb / sa) if sa != 0 and not _ratio_moves(sa, sb) else None
            if ratio is not None and ratio.is_number and kernel_sign(ratio) == "neg" and conds[ka][0] not in eqs:
                eqs.append(conds[ka][0])
                pinned |= {ka, kb}
    if not eqs:
        return path
    sub: dict[sp.Symbol, sp.Expr] = {}
    positive: list[tuple[sp.Expr, str]] = []  # the eliminated gaps stay > 0: a fact of every point
    for c in eqs:
        e = _log_linear(c.xreplace(sub))  # log(a exp(d)) = log(a) + d: the gaps appear as themselves
        for g in sorted((g for g in e.free_symbols if g.name.startswith("_kd")), key=lambda g: g.name):
            slope = sp.expand(e.diff(g))
            rest = sp.expand(e - slope * g)
            slope_sign = kernel_sign(slope)
            if slope.has(g) or rest.has(g) or slope_sign not in ("pos", "neg"):
                continue
            sol = -rest / slope
            sub = {k: v.xreplace({g: sol}) for k, v in sub.items()}
            positive = [(q.xreplace({g: sol}), r) for q, r in positive]
            sub[g] = sol
            positive.append((rest, ">" if slope_sign == "neg" else "<"))  # g = -rest/slope > 0
            break
    if not sub:
        return path
    kept = [(c.xreplace(sub), rel) for k, (c, rel) in enumerate(conds) if k not in pinned and rel != "=="]
    return _Path(kept + positive + [(c, "==") for c in eqs], [o.xreplace(sub) for o in path.outs],
                 [(e.xreplace(sub), kind) for e, kind in path.needs], tuple(sub.items()))


@dataclasses.dataclass(frozen=True)
class _Path:
    """One path: its conditions, its outputs, the side conditions of its partial operations, and
    the gaps an equality of the path eliminated (:func:`_on_its_equalities`; apply to the class's
    values before comparing them with the outputs)."""

    conds: list[tuple[sp.Expr, str]]
    outs: list[sp.Expr]
    needs: list[tuple[sp.Expr, str]]
    sub: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()

    def values(self, values: Sequence[sp.Expr]) -> list[sp.Expr]:
        """The class's values on this path (an eliminated gap replaced by its solution)."""
        return [v.xreplace(dict(self.sub)) for v in values] if self.sub else list(values)


# -- the checks of one piece ---------------------------------------------------------------------


#: the node types an output may consist of (anything else: rejected, never assumed defined)
_ALLOWED = (sp.Add, sp.Mul, sp.Pow, sp.Symbol, sp.Rational, sp.exp, sp.log, sp.core.numbers.Pi, sp.core.numbers.Exp1,
            *_FUNCS.values())


#: outputs already found to be built of allowed nodes only (a pure property of the expression)
_WELL_FORMED: set[sp.Expr] = set()


def _defined(e: sp.Expr, conds: Sequence[tuple[sp.Expr, str]], where: str) -> None:
    """``e`` is a finite real expression built of the arithmetic's operations only.

    The side conditions of its partial operations (divisions, ``log``, ``sqrt``, real powers)
    were recorded by the arithmetic when the algorithm performed them and are checked by
    :func:`_need_holds` (before SymPy could simplify them away); here a power of a *number* with
    a negative or fractional exponent must still have a positive base (SymPy evaluates those
    itself), and a node of any other type is rejected."""
    if e in _WELL_FORMED:
        return
    if not isinstance(e, sp.Expr) or e.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I) or any(
            not s.is_positive for s in e.free_symbols):
        raise KernelRejection(f"{where}: {sp.sstr(e)[:200]} is not a finite real expression in the class's values and T")
    for sub in sp.preorder_traversal(e):
        if isinstance(sub, sp.Pow):
            base, ex = sub.args
            if not (ex.is_Integer and ex >= 0) and base.is_number and not _number_is(base, "pos"):
                raise KernelRejection(f"{where}: the power {sub} is not defined")
        elif not isinstance(sub, _ALLOWED):
            raise KernelRejection(f"{where}: {type(sub).__name__} ({sp.sstr(sub)[:80]}) is not in the kernel's arithmetic")
    if len(_WELL_FORMED) >= _MEMO_MAX:
        _WELL_FORMED.clear()
    _WELL_FORMED.add(e)


@functools.lru_cache(maxsize=_MEMO_MAX)
def _log_linear(e: sp.Expr) -> sp.Expr:
    """``e`` with logarithms of products of positive factors split, expanded (memoised)."""
    return sp.expand(sp.expand_log(e, force=False))


def _constant(e: sp.Expr) -> sp.Expr:
    """The part of a log-linear form that no entry of ``p`` moves: every logarithm and every
    symbol of the class set to 0 (``T`` kept)."""
    e = _as_expr(e.xreplace({g: sp.Integer(0) for g in e.atoms(sp.log)}))
    return _as_expr(e.xreplace({s: sp.Integer(0) for s in e.free_symbols if s != T}))


def _as_expr(v: Any) -> sp.Expr:
    """A SymPy number for the plain 0 an ``xreplace`` of the whole expression may return."""
    return sp.Integer(v) if isinstance(v, int) else v


def _is_log_linear(e: sp.Expr) -> bool:
    """A sum of terms each with at most one logarithm factor, to the first power, and no other
    function or fractional power (the form in which the constant parts fix λ)."""
    for term in sp.Add.make_args(e):
        logs = 0
        for f in sp.Mul.make_args(term):
            if isinstance(f, sp.log):
                logs += 1
            elif f.is_Rational or (f.is_Symbol) or (isinstance(f, sp.Pow) and f.exp.is_Integer and f.base.is_Symbol):
                continue
            else:
                return False
        if logs > 1:
            return False
    return True


@functools.lru_cache(maxsize=_MEMO_MAX)
def _nonneg(e: sp.Expr, conds: tuple[tuple[sp.Expr, str], ...]) -> bool:
    """``e >= 0`` on the piece (``e`` already proved defined)."""
    if e.is_number:
        return _number_is(e, "pos", "zero")
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp % 2 == 0:
        return True  # an even power of a real (defined) number
    lin = _log_linear(e)
    if not _is_log_linear(lin):
        return kernel_sign(e) in ("pos", "zero") or kernel_sign(lin) in ("pos", "zero")
    if kernel_sign(lin) in ("pos", "zero") or _paired(lin, strict=False):
        return True
    return _by_one_condition(lin, conds, strict=False)


def _paired(e: sp.Expr, *, strict: bool) -> bool:
    """``e >= 0`` (``strict``: ``> 0``) term by term: each term of no positive sign (by the sign
    rules) cancelled by a positive term, the pair's sum ``>= 0`` over a common denominator; strictly,
    one such sum ``> 0`` or a positive term unused. A sum of non-negative parts, one positive."""
    terms = sp.Add.make_args(e)
    if not 2 <= len(terms) <= 8:
        return False
    signs = [kernel_sign(t) for t in terms]
    unused = [i for i, s in enumerate(signs) if s == "pos"]
    positive_pair = False
    for i, s in enumerate(signs):
        if s in ("pos", "zero"):
            continue
        partner = next((j for j in unused if kernel_sign(sp.together(terms[i] + terms[j])) in ("pos", "zero")), None)
        if partner is None:
            return False
        unused.remove(partner)
        positive_pair = positive_pair or kernel_sign(sp.together(terms[i] + terms[partner])) == "pos"
    return not strict or positive_pair or bool(unused)


def _by_one_condition(lin: sp.Expr, conds: tuple[tuple[sp.Expr, str], ...], *, strict: bool) -> bool:
    """``lin >= 0`` (``strict``: ``> 0``) on the piece as ``λ c + r``: ``c`` a condition of the path
    (``c >= 0`` or ``c > 0``; ``<``/``<=`` conditions as ``-c``), ``λ >= 0`` rational (read off the
    constant parts; how it is found does not matter, ``r`` is recomputed) and ``r`` of proved sign:
    ``r >= 0``; strictly, ``r > 0``, or ``r = 0`` with ``λ > 0`` and ``c > 0``. ``lin`` is log-linear."""
    e0 = _constant(lin)
    for c, rel in conds:
        if rel not in (">", ">=", "<", "<="):
            continue
        cl = _log_linear(c if rel in (">", ">=") else -c)
        if not _is_log_linear(cl):
            continue
        c0 = _constant(cl)
        lam = sp.cancel(e0 / c0) if c0 != 0 else None
        if lam is None or not lam.is_Rational or lam < 0:
            continue
        r = sp.expand(lin - lam * cl)
        rs = "zero" if r == 0 else kernel_sign(r)
        if rs == "pos" or (rs == "zero" and (not strict or (lam > 0 and rel in (">", "<")))):
            return True
    return False


def _matches(e: sp.Expr, conds: Sequence[tuple[sp.Expr, str]], rels: tuple[str, ...], neg_rels: tuple[str, ...]) -> bool:
    """``e`` is (up to expansion) the expression of a path condition with a relation in ``rels``,
    or its negative with a relation in ``neg_rels``."""
    z = sp.expand(e)
    return any((rel in rels and sp.expand(z - c) == 0) or (rel in neg_rels and sp.expand(z + c) == 0) for c, rel in conds)


@functools.lru_cache(maxsize=_MEMO_MAX)
def _need_holds(e: sp.Expr, kind: str, conds: tuple[tuple[sp.Expr, str], ...]) -> bool:
    """A side condition of a partial operation (``e != 0``, ``> 0`` or ``>= 0``) holds on the piece."""
    if not isinstance(e, sp.Expr) or e.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
        return False
    s = kernel_sign(e)  # a number too: its exact value or a ball, never SymPy's assumptions
    if s is None and not e.is_number:
        s = kernel_sign(_log_linear(e))
    ok = {"ne0": ("pos", "neg"), "gt0": ("pos",), "ge0": ("pos", "zero")}[kind]
    if s in ok:
        return True
    if kind == "ne0":
        return _matches(e, conds, ("!=", ">", "<"), ("!=", ">", "<"))
    if kind == "gt0":
        return _matches(e, conds, (">",), ("<",))
    return _matches(e, conds, (">", ">="), ("<", "<="))


def _check_defined(path: _Path, where: str) -> None:
    """Every side condition of the piece's partial operations holds on it, and every output is a
    finite real expression there (what ranking needs of ``F``: its values, not a distribution)."""
    conds = tuple(path.conds)
    for e, kind in dict.fromkeys(path.needs):  # each side condition once, in order
        if not _need_holds(e, kind, conds):
            raise KernelRejection(f"{where}: the side condition {sp.sstr(e)[:160]} {_NEED_TEXT[kind]} of an operation "
                                  "is not proved on this path")
    for i, o in enumerate(path.outs):
        _defined(o, path.conds, f"{where}, output {i}")


def _check_piece(path: _Path, where: str) -> None:
    """Definedness, sum 1 and entries ``>= 0`` on one piece. Each check is a pure function of
    its expressions and the path's conditions, memoised: the classes of one shape share most of
    their pieces when the algorithm treats the entries alike (entmax15, V = 5: 114 distinct
    pieces among 4451), and a memo hit is the answer the check gave to the same question."""
    conds = tuple(path.conds)
    _check_defined(path, where)
    problem = _sum_problem(sp.Add(*path.outs))
    if problem is not None:
        raise KernelRejection(f"{where}: the outputs do not sum to 1 (numerator {problem})")
    for i, o in enumerate(path.outs):
        if not _nonneg(o, conds):
            raise KernelRejection(f"{where}: output {i} = {sp.sstr(o)[:200]} is not proved >= 0")


_NEED_TEXT = {"ne0": "!= 0", "gt0": "> 0", "ge0": ">= 0"}


@functools.lru_cache(maxsize=_MEMO_MAX)
def _sum_problem(total: sp.Expr) -> str | None:
    """None when ``total`` (the sum of a piece's outputs) is identically 1 — a polynomial identity
    (sparsemax, entmax), else over a common denominator; else the numerator of ``total - 1``."""
    if _is_identically_zero(total - 1):
        return None
    return sp.sstr(sp.fraction(sp.together(total - 1))[0])[:200]


@functools.lru_cache(maxsize=_MEMO_MAX)
def _positive(e: sp.Expr, conds: tuple[tuple[sp.Expr, str], ...]) -> bool:
    """``e > 0`` on the piece (``e`` already proved defined): by the sign rules, or as
    ``λ c + r`` with ``c`` a condition of the path, ``λ >= 0`` rational and either ``c > 0``
    strictly with ``λ > 0`` and ``r >= 0``, or ``r > 0`` (``r`` by the sign rules)."""
    if e.is_number:
        return _number_is(e, "pos")
    if kernel_sign(e) == "pos":
        return True
    lin = _log_linear(e)
    if kernel_sign(lin) == "pos" or _paired(lin, strict=True):
        return True
    return _is_log_linear(lin) and _by_one_condition(lin, conds, strict=True)


def _check_ranking(path: _Path, groups: tuple[tuple[int, ...], ...], where: str, weak: bool = False) -> None:
    """Ranking on the piece: every output of a group exceeds (``weak``: is at least) every output
    of the next group down (so, by transitivity through the non-empty groups between, of every
    group below). Tied entries (one group) are not compared: the axiom says nothing about them."""
    holds, rel = (_nonneg, ">= 0") if weak else (_positive, "> 0")
    for k in range(len(groups) - 1):
        for i in groups[k]:
            for j in groups[k + 1]:
                if not holds(path.outs[i] - path.outs[j], tuple(path.conds)):
                    raise KernelRejection(f"{where}: F_{i} - F_{j} = {sp.sstr(path.outs[i] - path.outs[j])[:160]} "
                                          f"(p_{i} > p_{j}) is not proved {rel}")


def _is_identically_zero(e: sp.Expr) -> bool:
    """``e`` is 0 as an expression: its numerator over a common denominator expands to 0 —
    first with every ``exp(±d_k)`` of a gap replaced by a positive symbol ``E_k**±1`` (a rational
    function of symbols that is 0 is 0 at every value, ``E_k = exp(d_k)`` included; without the
    exponentials SymPy's algebra asks no assumptions: temperature scaling's identity on V <= 5,
    ~50 s -> seconds), then as it stands (``together``)."""
    if sp.expand(e) == 0:
        return True
    split = sp.expand_power_exp(e)
    sub: dict[sp.Expr, sp.Expr] = {}
    for a in split.atoms(sp.exp):
        arg = a.args[0]
        g = -arg if arg.could_extract_minus_sign() else arg
        if g.is_Symbol and g.name.startswith("_kd"):
            E = sp.Symbol("_kE" + g.name[3:], positive=True)
            sub[a] = E if g == arg else 1 / E
    if sub and sp.expand(split.xreplace(sub).as_numer_denom()[0]) == 0:
        return True
    num, _ = sp.fraction(sp.together(e))
    return bool(sp.expand(num) == 0)


_CONTRADICTS = {">": ("neg", "zero"), ">=": ("neg",), "<": ("pos", "zero"), "<=": ("pos",), "==": ("pos", "neg"),
                "!=": ("zero",)}


def _check_identity(path: _Path, groups: tuple[tuple[int, ...], ...], where: str) -> None:
    """``F_1(p) = p`` on the piece, for ``p`` in the simplex: at ``T = 1`` and with the class's
    scale ``a = 1 / (sum of exp(gap) over the entries)`` (so that the entries sum to 1) every
    output minus its entry is identically 0 — or the piece holds at no such point: one of its
    conditions, at ``T = 1`` on the simplex, has a sign (by the sign rules) that contradicts it."""
    values, syms = _class_values(groups)
    values = path.values(values)  # on a path pinned by an equality: the gap it eliminated, solved
    a = syms[0]
    scale = sp.Add(*[v / a for v in values])
    at = {T: sp.Integer(1), a: 1 / scale}
    for c, rel in path.conds:
        c1 = c.xreplace(at)
        if ("zero" if _is_identically_zero(c1) else kernel_sign(c1)) in _CONTRADICTS[rel]:
            return  # no point of the simplex at T = 1 takes this path
    for i, (o, v) in enumerate(zip(path.outs, values, strict=True)):
        if not _is_identically_zero(o.xreplace(at) - v.xreplace(at)):
            raise KernelRejection(f"{where}: at T = 1 on the simplex, output {i} = {sp.sstr(o.xreplace(at))[:160]} "
                                  f"is not p_{i} = {sp.sstr(v.xreplace(at))[:80]}")


#: what the kernel checks of each piece, per axiom, after :func:`_check_piece` (definedness, sum
#: 1, entries >= 0: every axiom presupposes that ``F`` is defined)
_AXIOM_CHECKS = {
    "well_defined": lambda path, groups, where: None,
    "ranking": _check_ranking,
    "identity": _check_identity,
}
#: the weak profile's ranking (``p_i > p_j => F_i >= F_j``)
_WEAK_RANKING = functools.partial(_check_ranking, weak=True)


# -- V-generic theorems about the built-ins, instantiated -------------------------------------------

#: the theorems of docs/theory/vector.md the kernel accepts as proofs for all ``V``, per built-in
#: and axiom: (theorem, the map the theorem is about). The kernel's own table (the prover's is not
#: read); the theorems hold on the open simplex, for the paper and weak readings of these axioms
#: (the two profiles differ only in ranking)
_THEOREMS: dict[tuple[str, str], tuple[str, str]] = {
    ("topk", "well_defined"): ("L.1", "power"),
    ("sparsemax", "well_defined"): ("V.6", "sparsemax"),
    ("entmax15", "well_defined"): ("V.7", "entmax"),
    ("topk", "entropy"): ("V.9", "power"),
    ("sparsemax", "continuity"): ("V.8", "sparsemax"),
    ("sparsemax", "entropy"): ("V.9", "sparsemax"),
    ("sparsemax", "boundary_cold"): ("L.2", "sparsemax"),
    ("sparsemax", "boundary_hot"): ("L.2", "sparsemax"),
    ("entmax15", "continuity"): ("V.8", "entmax"),
    ("entmax15", "entropy"): ("V.9", "entmax"),
    ("entmax15", "boundary_cold"): ("L.3", "entmax"),
    ("entmax15", "boundary_hot"): ("L.3", "entmax"),
}
#: theorems for the weak profile's reading of an axiom (``p_i > p_j => F_i >= F_j``), accepted
#: only when the caller's profile states it (``weak_ranking``)
_WEAK_THEOREMS: dict[tuple[str, str], tuple[str, str]] = {
    ("topk", "ranking"): ("V.10", "power"),
    ("sparsemax", "ranking"): ("V.10", "sparsemax"),
    ("entmax15", "ranking"): ("V.10", "entmax"),
}
#: theorems for the closed simplex (profile ``closed``), accepted only when the caller's profile
#: allows zeros (``closed``): Lemma Z.1 (the algorithm drops the zero entries and runs on the
#: support, read off the pinned code and spot-checked by :func:`_zeros_dropped`) with an
#: open-simplex theorem on the support (Z.2), and continuity across a zero entry (Z.3)
_CLOSED_THEOREMS: dict[tuple[str, str], tuple[str, str]] = {
    ("topk", "well_defined"): ("Z.2", "power"),
    ("sparsemax", "well_defined"): ("Z.2", "sparsemax"),
    ("entmax15", "well_defined"): ("Z.2", "entmax"),
    ("topk", "entropy"): ("Z.2", "power"),
    ("sparsemax", "entropy"): ("Z.2", "sparsemax"),
    ("entmax15", "entropy"): ("Z.2", "entmax"),
    ("sparsemax", "continuity"): ("Z.3", "sparsemax"),
    ("entmax15", "continuity"): ("Z.3", "entmax"),
    ("sparsemax", "boundary_cold"): ("Z.2", "sparsemax"),
    ("sparsemax", "boundary_hot"): ("Z.2", "sparsemax"),
    ("entmax15", "boundary_cold"): ("Z.2", "entmax"),
    ("entmax15", "boundary_hot"): ("Z.2", "entmax"),
}
#: the content hash of each built-in's algorithm as it was when its theorems were checked against
#: it (docs/theory/vector.md reads that code): a change to the algorithm (or to what it reads)
#: changes the hash, and the kernel then refuses the theorems until someone has re-read the
#: proofs against the new code and updated this table — the library's own hash is not enough,
#: since it changes together with the code
_PINNED = {"topk": "0773e2dad6cc81e6", "sparsemax": "1a4fd7419f685631", "entmax15": "400c488abc35cbaf"}
#: the scope of a theorem's proof: the axiom's whole statement ("for every V >= 2, p in the open
#: simplex and T > 0"), as for a separable proof — the theorems are V-generic
THEOREM_SCOPE = "full"


def _ell(v: sp.Expr) -> sp.Expr:
    """``log v`` for a value of the class, as a sum of its symbols' logarithms and gaps."""
    return _log_linear(sp.log(v))


def _support(path: _Path, where: str) -> list[int]:
    """The entries whose output is not the number 0 (an output that is 0 only after
    simplification counts as in the support: it must then pass the support's checks)."""
    support = [i for i, o in enumerate(path.outs) if not (o.is_number and o == 0)]
    if not support:
        raise KernelRejection(f"{where}: every output is 0")
    return support


def _common(taus: Sequence[sp.Expr], where: str, what: str) -> sp.Expr:
    for k, t in enumerate(taus[1:], start=1):
        if not _is_identically_zero(_log_linear(t - taus[0])):
            raise KernelRejection(f"{where}: {what} differs between two entries of the support "
                                  f"({sp.sstr(taus[0])[:80]} vs {sp.sstr(t)[:80]} at position {k})")
    return taus[0]


def _is_threshold_piece(path: _Path, values: Sequence[sp.Expr], where: str, *, power: int,
                        beta: sp.Expr | None = None) -> None:
    """On the piece, the outputs are ``(w - τ)_+ ** power`` for one ``τ`` (``w = log p / T``
    for ``power = 1``, ``log p / (2T)`` for ``power = 2``): on the support each output is
    ``(w_i - τ) ** power`` with ``w_i - τ >= 0`` (and ``τ`` the same for every entry of the
    support), off it the output is 0 and ``w_j - τ <= 0``. With the outputs summing to 1
    (:func:`_check_piece`) this is the threshold form whose ``τ`` is unique (Lemma V.5), i.e. the
    piece computes sparsemax(log p / T) (``power = 1``) or entmax15(log p / T) (``power = 2``):
    Theorems V.6 and V.7 of docs/theory/vector.md, checked here instead of trusted. With ``beta``
    (a user's operator in this form, docs/theory/vector.md#user-operators-in-a-recognised-form),
    ``w = beta * log p`` instead."""
    conds = tuple(path.conds)
    w = [(1 / (T * power) if beta is None else beta) * _ell(v) for v in values]
    support = _support(path, where)
    bases: list[sp.Expr] = []
    for i in support:
        o = path.outs[i]
        if power == 1:
            bases.append(o)
        elif isinstance(o, sp.Pow) and o.exp == 2:
            bases.append(o.base)
        elif o.is_Rational and o > 0:  # SymPy evaluated the square of a number (a support of one entry: 1)
            bases.append(sp.sqrt(o))
        else:
            raise KernelRejection(f"{where}: output {i} = {sp.sstr(o)[:120]} is not a square")
    tau = _common([w[i] - b for i, b in zip(support, bases, strict=True)], where, "the threshold")
    for i, b in zip(support, bases, strict=True):
        if not (_number_is(b, "pos", "zero") if b.is_number else _above_a_condition(b, conds) if power == 2
                else _nonneg(b, conds)):
            raise KernelRejection(f"{where}: w_{i} - tau = {sp.sstr(b)[:160]} is not proved >= 0")
    for j in range(len(values)):
        if j in support:
            continue
        if _below_threshold_sq(tuple(w[i] for i in support), w[j], conds) if power == 2 else _nonneg(tau - w[j], conds):
            continue
        raise KernelRejection(f"{where}: entry {j} is outside the support but tau - w_{j} = "
                              f"{sp.sstr(tau - w[j])[:160]} is not proved >= 0")


@functools.lru_cache(maxsize=_MEMO_MAX)
def _above_a_condition(e: sp.Expr, conds: tuple[tuple[sp.Expr, str], ...]) -> bool:
    """``e >= 0`` as ``c' + r``: ``c' >= 0`` a condition of the path (``<``/``<=`` ones negated)
    and ``r = e - c'`` (logarithms split, expanded: square roots of equal arguments cancel)
    identically 0 or of sign ``>= 0`` by the sign rules."""
    le = _log_linear(e)
    for c, rel in conds:
        if rel not in (">", ">=", "<", "<="):
            continue
        # _log_linear(e) - _log_linear(c') is e - c' (each is an identity of its argument), and equals
        # _log_linear(e - c') term for term (expand_log and expand act on each term of a sum, a sum of
        # expanded sums is expanded: identical on all 2090 pairs of entmax15's instantiation); memoised
        # per expression, not per pair (the pairs were ~1/3 of entmax15's instantiation)
        lc = _log_linear(c)
        r = le - lc if rel in (">", ">=") else le + lc
        if r == 0 or (not _has_root(r) and kernel_sign(r) in ("pos", "zero")):
            return True
    return False


def _has_root(e: sp.Expr) -> bool:
    return any(a.exp == sp.Rational(1, 2) for a in e.atoms(sp.Pow))


def _plainly_nonneg(e: sp.Expr) -> bool:
    """``e >= 0`` syntactically: built from numbers ``>= 0`` and positive symbols by sums,
    products and integer powers, or an even power of a real expression (every expression here is
    real: polynomials in the class's gaps and ``1/T``)."""
    if e.is_number:
        return _number_is(e, "pos", "zero")
    if e.is_Symbol:
        return bool(e.is_positive)
    if isinstance(e, sp.Pow) and e.exp.is_Integer:
        base_positive = kernel_sign(e.base) == "pos"  # the kernel's rules, not SymPy's assumptions
        return e.exp % 2 == 0 or (_plainly_nonneg(e.base) and (e.exp > 0 or base_positive))
    if isinstance(e, (sp.Add, sp.Mul)):
        return all(_plainly_nonneg(a) for a in e.args)
    return False


@functools.lru_cache(maxsize=_MEMO_MAX)
def _below_threshold_sq(ws: tuple[sp.Expr, ...], wj: sp.Expr, conds: tuple[tuple[sp.Expr, str], ...]) -> bool:
    """``w_j <= τ`` for the squared threshold form, where ``Σ_S (w_i - τ)^2 = 1`` with every
    ``w_i - τ >= 0`` (both checked before): ``Q(t) = Σ_S (w_i - t)^2`` is strictly decreasing
    for ``t <= min_S w``, so if ``w_j <= min_S w`` then ``w_j <= τ  <=  Q(w_j) >= Q(τ) = 1``.
    So: every ``w_i - w_j >= 0`` (plainly: a sum of gaps) and ``P = Σ_S (w_i - w_j)^2 - 1 >= 0`` on the
    piece, as ``λ c' + r`` with ``c' >= 0`` a condition of the path, or — when ``c'`` holds one
    square root ``s = sqrt(D)`` — as ``λ c' (c' + 2 s) + r`` with ``c' + 2 s >= 0`` (``s**2``
    replaced by ``D``: sqrt-free), ``λ >= 0`` rational read off the constant parts and ``r``
    identically 0 or of proved sign ``>= 0`` (after factoring)."""
    if not all(_plainly_nonneg(_log_linear(wi - wj)) for wi in ws):
        return False
    P = _log_linear(sp.Add(*[(wi - wj) ** 2 for wi in ws]) - 1)

    def nonneg_rest(r: sp.Expr) -> bool:
        """``r`` is 0, or factors into positive numbers, positive symbols and even powers (of real
        expressions: everything here is a polynomial in the class's gaps and ``1/T``)."""
        r = sp.expand(r)
        return r == 0 or _plainly_nonneg(sp.factor(r))

    p0 = _constant(P)
    for c, rel in conds:
        if rel not in (">", ">=", "<", "<="):
            continue
        cp = _log_linear(c if rel in (">", ">=") else -c)
        roots = [a for a in cp.atoms(sp.Pow) if a.exp == sp.Rational(1, 2)]
        if not roots:
            E = cp
        elif len(roots) == 1:
            s_, D = roots[0], roots[0].base
            if not _need_holds(D, "ge0", conds):  # s real on the path
                continue
            # c' + 2 s >= 0: it is affine in s (c' holds s once, to the first power) and plainly
            # >= 0 for every s > 0, so also at s = 0 (continuity)
            g = sp.expand(cp + 2 * s_)
            sv = sp.Dummy("s", positive=True)
            g_s = g.xreplace({s_: sv})
            if g_s.has(s_) or sp.degree(g_s, sv) > 1 or not _plainly_nonneg(g_s):
                continue
            E = _log_linear(sp.expand(cp * (cp + 2 * s_)).subs(s_ ** 2, D))
            if E.has(s_):
                continue
        else:
            continue
        e0 = _constant(E)
        if e0 == 0:
            continue
        lam = sp.cancel(p0 / e0)
        if not lam.is_Rational or lam < 0:
            continue
        if nonneg_rest(P - lam * E):
            return True
    return nonneg_rest(P)


def _is_power_piece(path: _Path, values: Sequence[sp.Expr], where: str) -> None:
    """On the piece, the outputs are the power-softening of ``p`` restricted to the support
    ``K``: ``F_i = p_i ** (1/T) / D`` on ``K`` (one ``D``; the outputs sum to 1, so ``D`` is
    ``Σ_K p_j ** (1/T)``), 0 off it; no condition of the piece involves ``T``, so that ``K``
    does not move with ``T``; and ``K`` is a prefix of the order (Theorem L.1's hypotheses)."""
    for c, _ in path.conds:
        if T in c.free_symbols:
            raise KernelRejection(f"{where}: the condition {sp.sstr(c)[:120]} involves T (the kept set may move with T)")
    support = _support(path, where)
    _common([_ell(values[i]) / T - _log_linear(sp.log(path.outs[i])) for i in support], where, "log p_i / T - log F_i")
    for j in support:  # K is a prefix of the order: an entry larger than a kept one is kept
        for i in range(len(values)):
            gap = _log_linear(_ell(values[i]) - _ell(values[j]))
            if i not in support and gap != 0 and _plainly_nonneg(gap):
                raise KernelRejection(f"{where}: entry {i} is larger than the kept entry {j} but is not kept")


_FORMS: dict[str, Callable[[_Path, Sequence[sp.Expr], str], None]] = {
    "sparsemax": functools.partial(_is_threshold_piece, power=1),
    "entmax": functools.partial(_is_threshold_piece, power=2),
    "power": _is_power_piece,
}
#: pieces whose form was checked: the check is the same for every numbering of the entries, so
#: the key is the path's conditions with its (value, output) pairs in a canonical order — the
#: classes of one shape share their pieces up to that numbering (entmax15, V = 4: 467 pieces, 8 shapes)
_FORM_CHECKED: set[tuple[Any, ...]] = set()


def _check_form(form: str, path: _Path, values: Sequence[sp.Expr], where: str) -> None:
    values = path.values(values)  # on a path pinned by an equality: the gap it eliminated, solved
    pairs = sorted(zip(values, path.outs, strict=True), key=lambda vo: sp.default_sort_key(vo[0]))
    key = (form, tuple(pairs), tuple(path.conds))
    if key in _FORM_CHECKED:
        return
    _FORMS[form](_Path(path.conds, [o for _, o in pairs], path.needs, path.sub), [v for v, _ in pairs], where)
    if len(_FORM_CHECKED) >= _MEMO_MAX:
        _FORM_CHECKED.clear()
    _FORM_CHECKED.add(key)
#: instantiations already checked in this process: (operator hash, form, sizes) -> message
_INSTANTIATED: dict[tuple[str, str, tuple[int, ...]], str] = {}


def _theorem_step(outcome: Any, axiom: str, op: Any, weak_ranking: bool = False,
                  closed: bool = False) -> tuple[str, str, str]:
    """The built-in, theorem and map of a proof by theorem of ``axiom`` for ``op``: its theorem
    step cites the kernel's theorem for this built-in and axiom, the operator *is* that built-in
    (its content hash equals that of the library's operator of that name: the same algorithm and
    declared sizes), and the scope is every ``V``."""
    from skd.operators import library

    if getattr(outcome, "status", None) != "proved":
        raise KernelRejection(f"the outcome of {axiom} is {getattr(outcome, 'status', None)}, not proved")
    steps = [s for s in outcome.steps if s.check == "theorem"]
    if len(steps) != 1:
        raise KernelRejection("a proof by theorem cites exactly one theorem")
    args = dict(steps[0].args)
    name = args.get("builtin", "")
    table = _CLOSED_THEOREMS if closed else {**_THEOREMS, **_WEAK_THEOREMS} if weak_ranking else _THEOREMS
    if (name, axiom) not in table:
        raise KernelRejection(f"no theorem of the kernel proves {axiom} for {name!r}"
                              + ("" if weak_ranking else " (under this profile)"))
    theorem, form = table[(name, axiom)]
    if args.get("theorem") != theorem:
        raise KernelRejection(f"{axiom} of {name} is theorem {theorem}, the certificate cites {args.get('theorem')!r}")
    try:
        builtin = library.get(name)
    except (KeyError, ValueError) as exc:
        raise KernelRejection(f"no built-in {name!r}") from exc
    if getattr(op, "hash", None) != builtin.hash:
        raise KernelRejection(f"the operator is not the built-in {name} (its content hash differs): the theorem "
                              "is about that algorithm only")
    if builtin.hash != _PINNED.get(name):
        raise KernelRejection(f"the built-in {name} has changed (content hash {builtin.hash}, the theorems were checked "
                              f"against {_PINNED.get(name)}): re-read docs/theory/vector.md against the new algorithm, "
                              "then update kernel_vector._PINNED")
    if outcome.scope != THEOREM_SCOPE:
        raise KernelRejection(f"the outcome states the scope {outcome.scope!r}, a theorem proves {THEOREM_SCOPE!r}")
    return name, theorem, form


def _compositions(n: int) -> Iterator[tuple[int, ...]]:
    """The block sizes of the ordered partitions of ``n`` items, each sequence once."""
    if n == 0:
        yield ()
        return
    for first in range(1, n + 1):
        for rest in _compositions(n - first):
            yield (first, *rest)


def _consecutive(blocks: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """The order class with these block sizes whose blocks are runs of consecutive indices:
    ``(2, 1, 2)`` -> ``((0, 1), (2,), (3, 4))``."""
    out, start = [], 0
    for b in blocks:
        out.append(tuple(range(start, start + b)))
        start += b
    return tuple(out)


def _instantiate(op: Any, form: str) -> str:
    """On every declared size, every piece of the algorithm is defined (:func:`_check_piece`),
    computes the map ``form`` (:data:`_FORMS`) and agrees with the algorithm run in 40 digits
    (:func:`_spot_check`): Theorems V.6/V.7 (L.1 for topk) re-checked on those sizes rather than
    trusted.

    Symbolically on one order class per sequence of block sizes (the class ``R`` whose blocks are
    runs of consecutive indices: 30 classes on V <= 5 instead of 632): for the pinned built-ins,
    Lemma V.0 of docs/theory/vector.md (read off the pinned code: the input is read through
    ``_order``, which breaks ties by the lower index, and each output ``i`` through ``p_i`` and the
    sorted values) says that on a class ``G`` with the same block sizes the algorithm makes the
    same comparisons on the same values and its outputs are ``R``'s relabelled by the map that is
    increasing on each block. V.0 is spot-checked on every ordered partition
    (:func:`_relabelling_check`, 40 digits, two points each). This is sound only for an
    algorithm of which V.0 holds: the caller (:func:`_check_theorem`) admits only the pinned
    built-ins."""
    sizes = tuple(sorted(set(op.sizes)))
    key = (op.hash, form, sizes)
    if key not in _INSTANTIATED:
        n_classes = n_pieces = n_reps = 0
        for Vn in sizes:
            for blocks in _compositions(Vn):
                groups = _consecutive(blocks)
                values, _ = _class_values(groups)
                paths = _paths(op.algorithm, groups)
                for j, path in enumerate(paths):
                    where = f"V = {Vn}, class {groups}, path {j}"
                    _check_piece(path, where)
                    _check_form(form, path, values, where)
                _spot_check(op.algorithm, groups, paths)
                n_reps += 1
                n_pieces += len(paths)
            at_reps: dict[Any, list[Any]] = {}  # the algorithm at each representative's spot points, once
            for groups in _ordered_partitions(tuple(range(Vn))):
                _relabelling_check(op.algorithm, groups, at_reps)
                n_classes += 1
        _INSTANTIATED[key] = (f"every piece is defined and computes the {form} map on V in {set(sizes)} "
                              f"({n_reps} order classes checked symbolically, {n_pieces} pieces; "
                              f"Lemma V.0 spot-checked on all {n_classes})")
    return _INSTANTIATED[key]


def _relabelling_check(algorithm: Any, groups: tuple[tuple[int, ...], ...],
                       at_reps: dict[Any, list[Any]] | None = None) -> None:
    """Lemma V.0 at the two :data:`_SPOT_POINTS` of the class ``groups``: the algorithm there
    (40 digits) equals its value at the same point of the consecutive class with the same block
    sizes, relabelled (index ``groups[k][j]`` takes the output of ``rep[k][j]``: both blocks are
    sorted, so the relabelling is increasing on each block, as V.0 requires). ``at_reps`` keeps
    the algorithm's values at the representatives' points across the classes of one size."""
    rep = _consecutive(tuple(len(g) for g in groups))
    moved = {r: g for rb, gb in zip(rep, groups, strict=True) for r, g in zip(rb, gb, strict=True)}
    values, syms = _class_values(rep)
    at_reps = {} if at_reps is None else at_reps
    for n_point, (a, gap, t) in enumerate(_SPOT_POINTS):
        point = {syms[0]: a, T: t}
        for k, s in enumerate(syms[1:]):
            point[s] = gap(k)
        with mpmath.workdps(40):
            p_rep = [mpmath.mpf(str(sp.N(v.xreplace(point), 45))) for v in values]
            p = [mpmath.mpf(0)] * len(p_rep)
            for r, g in moved.items():
                p[g] = p_rep[r]
            try:
                t_mp = mpmath.mpf(t.p) / t.q
                if (rep, n_point) not in at_reps:
                    at_reps[(rep, n_point)] = [mpmath.mpmathify(v) for v in algorithm(p_rep, t_mp, _MpArith())]
                got_rep = at_reps[(rep, n_point)]
                got = [mpmath.mpmathify(v) for v in algorithm(p, t_mp, _MpArith())]
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code
                raise KernelRejection(f"the algorithm fails in 40-digit arithmetic at a point of {groups} "
                                      f"({type(exc).__name__}: {str(exc)[:120]})") from None
            if len(got) != len(p) or len(got_rep) != len(p):
                raise KernelRejection(f"the algorithm returns {len(got)} values for V = {len(p)}")
            if any(abs(got[g] - got_rep[r]) > mpmath.mpf(10) ** -25 for r, g in moved.items()):
                raise KernelRejection(f"the algorithm does not relabel like the built-ins (Lemma V.0) on the class {groups}: "
                                      f"{got} at a point, {got_rep} at the same values in the order {rep}")


def _check_theorem(axiom: str, op: Any, outcome: Any, lemmas: Mapping[str, Any], weak_ranking: bool = False,
                   closed: bool = False) -> str:
    """A proof by a theorem of docs/theory/vector.md (:func:`_theorem_step`).

    ``well_defined``: the theorem that the algorithm computes its map for every ``V`` (V.6, V.7;
    L.1 for topk), instantiated by :func:`_instantiate`. Every other axiom: its one theorem step
    plus the lemma ``well_defined``, whose proved outcome must come in ``lemmas`` and be a proof
    by theorem of the same built-in; that outcome is checked here for its form, not instantiated
    again: like every proved outcome it reached the caller only through this kernel (the
    instantiation is the expensive part, ~17 s for entmax15; ``skd recheck`` re-derives the
    lemma in its own worker, whose kernel instantiates it)."""
    name, theorem, form = _theorem_step(outcome, axiom, op, weak_ranking, closed)
    if axiom == "well_defined":
        if len(outcome.steps) != 1:
            raise KernelRejection("a proof by theorem of well_defined has exactly one step")
        zeros = f"; zeros: {_zeros_dropped(op)}" if closed else ""
        return f"kernel (vector): theorem {theorem} for {name}, {THEOREM_SCOPE}; instantiation: {_instantiate(op, form)}{zeros}"
    cited = [dict(s.args).get("axiom") for s in outcome.steps if s.check == "lemma"]
    if len(outcome.steps) != 2 or cited != ["well_defined"]:
        raise KernelRejection("a proof by theorem of an axiom other than well_defined has two steps: the lemma "
                              "well_defined and the theorem")
    wd = lemmas.get("well_defined")
    if wd is None:
        raise KernelRejection("the lemma well_defined is cited but its outcome is not given")
    wd_name, wd_theorem, wd_form = _theorem_step(wd, "well_defined", op, closed=closed)
    if wd_name != name or wd_form != form or len(wd.steps) != 1:
        raise KernelRejection(f"the lemma well_defined is not the theorem proof for {name}")
    return (f"kernel (vector): theorem {theorem} for {name}, {THEOREM_SCOPE}, on the lemma well_defined "
            f"(theorem {wd_theorem}, instantiated when it was proved)")


#: the supports tried by :func:`_zeros_dropped` on a size V: the first k, the last k, every other
def _supports(Vn: int) -> list[tuple[int, ...]]:
    out = {tuple(range(k)) for k in range(1, Vn)} | {tuple(range(Vn - k, Vn)) for k in range(1, Vn)}
    out |= {tuple(range(0, Vn, 2)), tuple(range(1, Vn, 2))}
    return sorted(s for s in out if 0 < len(s) < Vn)


_ZEROS_CHECKED: dict[tuple[str, tuple[int, ...]], str] = {}


def _zeros_dropped(op: Any) -> str:
    """Lemma Z.1 (docs/theory/vector.md) is read off the pinned code: the algorithm keeps the
    positive entries only and runs on them. Spot-checked here, in 40-digit arithmetic, on every
    declared size and the supports of :func:`_supports`, at two temperatures and with ties: the
    entries outside the support are exactly 0 and the others equal the algorithm run on the
    support alone (a guard against a pin updated without re-reading the lemma)."""
    sizes = tuple(sorted(set(op.sizes)))
    key = (op.hash, sizes)
    if key not in _ZEROS_CHECKED:
        n = 0
        with mpmath.workdps(40):
            for Vn in sizes:
                for support in _supports(Vn):
                    for weights in ([3 + 2 * j for j in range(len(support))], [2] * len(support),
                                    [1 + (j % 2) for j in range(len(support))]):
                        total = sum(weights)
                        sub = [mpmath.mpf(w) / total for w in weights]
                        full = [mpmath.mpf(0)] * Vn
                        for i, v in zip(support, sub, strict=True):
                            full[i] = v
                        for t in (mpmath.mpf(5) / 4, mpmath.mpf(2) / 7):
                            try:
                                got = [mpmath.mpmathify(g) for g in op.algorithm(full, t, _MpArith())]
                                want = [mpmath.mpmathify(g) for g in op.algorithm(sub, t, _MpArith())]
                            except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code
                                raise KernelRejection(f"the algorithm fails on a point with zeros of size {Vn} "
                                                      f"({type(exc).__name__}: {str(exc)[:120]})") from None
                            off = [got[i] for i in range(Vn) if i not in support]
                            on = [got[i] for i in support]
                            if any(v != 0 for v in off) or len(want) != len(on) or any(
                                    abs(a - b) > mpmath.mpf(10) ** -30 for a, b in zip(on, want, strict=True)):
                                raise KernelRejection(f"on size {Vn} with support {support} the algorithm gives {got}, "
                                                      f"on the support alone {want}: the zeros are not dropped (Z.1)")
                            n += 1
        _ZEROS_CHECKED[key] = f"Z.1 spot-checked at {n} points with zeros on V in {set(sizes)}"
    return _ZEROS_CHECKED[key]


#: the points of each class where the algorithm is also run in 40-digit arithmetic:
#: (a, the gaps d_k = num(k) / den(k), T)
_SPOT_POINTS = (
    (sp.Rational(3, 7), lambda k: sp.Rational(2 + k, 3 + 2 * k), sp.Rational(5, 4)),
    (sp.Rational(1, 9), lambda k: sp.Rational(7 + 3 * k, 2 + k), sp.Rational(2, 7)),
)
#: tried, in order, when at a point of ``_SPOT_POINTS`` no piece could be compared (each piece had
#: a condition within 10**-25 of 0 there): other gaps and much larger or smaller temperatures
_FALLBACK_POINTS = (
    (sp.Rational(5, 3), lambda k: sp.Rational(3 + 2 * k, 5 + k), sp.Rational(61, 2)),
    (sp.Rational(2, 5), lambda k: sp.Rational(1 + k, 7), sp.Rational(1000)),
    (sp.Rational(7, 2), lambda k: sp.Rational(9 + k, 4 + 3 * k), sp.Rational(1, 50)),
)


def _spot_check(algorithm: Any, groups: tuple[tuple[int, ...], ...], paths: Sequence[_Path]) -> None:
    """At two points of the class, the algorithm in 40-digit arithmetic (not the kernel's) runs,
    and agrees with the piece whose conditions hold there — a guard against algorithms that
    inspect their arithmetic or their inputs' types. A failure in mpmath at a point of the class
    is a rejection (the operator is not defined there, or the algorithm is not arithmetic-neutral).
    A point where no piece can be compared (every piece has a condition within ``10**-25`` of 0
    there) does not count: the fallback points are tried instead, and if none of them compares a
    piece either, the class is rejected (a guard that compares nothing is switched off)."""
    fallbacks = list(_FALLBACK_POINTS)
    on_simplex = bool(getattr(paths, "on_simplex", False))
    for spot in _SPOT_POINTS:
        candidates = [spot]
        while candidates:
            if _spot_compare(algorithm, groups, paths, *candidates.pop(0), on_simplex=on_simplex):
                break
            if not fallbacks:
                raise KernelRejection(f"the spot check compares no piece of {groups}: at every point tried, each piece "
                                      "has a condition within 10**-25 of 0")
            candidates.append(fallbacks.pop(0))


def _spot_compare(algorithm: Any, groups: tuple[tuple[int, ...], ...], paths: Sequence[_Path],
                  a: sp.Rational, gap: Any, t: sp.Rational, on_simplex: bool = False) -> bool:
    """One spot point: True when a piece was compared there (and agreed), False when every piece
    was too close to a boundary to say; a disagreement or a failure is a rejection. ``on_simplex``:
    the scale is the one that makes the values sum to 1 (the paths cover the simplex's part)."""
    values, syms = _class_values(groups)
    point = {syms[0]: a, T: t}
    for k, s in enumerate(syms[1:]):
        point[s] = gap(k)
    if on_simplex:
        point[syms[0]] = sp.Integer(1) / sp.N(sp.Add(*[v / syms[0] for v in values]).xreplace(point), 60)
    with mpmath.workdps(40):
        p = [mpmath.mpf(str(sp.N(v.xreplace(point), 45))) for v in values]
        try:
            got = [mpmath.mpmathify(g) for g in algorithm(p, mpmath.mpf(t.p) / t.q, _MpArith())]
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code
            raise KernelRejection(f"the algorithm fails in 40-digit arithmetic at a point of {groups} "
                                  f"({type(exc).__name__}: {str(exc)[:120]})") from None
        # each distinct subexpression once (the pieces of a class share most of them)
        memo: dict[sp.Expr, Any] = {k: mpmath.mpf(v.p) / v.q if v.is_Rational else mpmath.mpf(str(v))
                                    for k, v in point.items()}
        unsure = False
        for path in paths:
            signs = [_mp_value(c, memo) for c, _ in path.conds]
            if any(not isinstance(v, mpmath.mpf) or abs(v) < mpmath.mpf(10) ** -25 for v in signs):
                unsure = True  # on a boundary of this piece (or an equality): not compared here
                continue
            if all({">": v > 0, ">=": v >= 0, "<": v < 0, "<=": v <= 0, "==": False, "!=": True}[rel]
                   for v, (_, rel) in zip(signs, path.conds, strict=True)):
                if len(got) != len(path.outs):
                    raise KernelRejection(f"the algorithm returns {len(got)} values in mpmath, {len(path.outs)} on symbols")
                for o, g in zip(path.outs, got, strict=True):
                    want = _mp_value(o, memo)
                    if not isinstance(want, mpmath.mpf) or not isinstance(g, mpmath.mpf) or abs(want - g) > mpmath.mpf(10) ** -25:
                        raise KernelRejection(f"the algorithm at an exact point of {groups} gives {got}, its symbolic "
                                              f"run {path.outs}: it does not run the same way in every arithmetic")
                return True
        if not unsure:
            raise KernelRejection(f"no piece of {groups} holds at an exact point of the class: its paths do not cover it")
        return False


_MP_FUNCS = {sp.exp: mpmath.exp, sp.log: mpmath.log, sp.tanh: mpmath.tanh, sp.sinh: mpmath.sinh, sp.cosh: mpmath.cosh,
             sp.sin: mpmath.sin, sp.cos: mpmath.cos, sp.atan: mpmath.atan, sp.erf: mpmath.erf}


def _mp_value(e: sp.Expr, memo: dict[sp.Expr, Any]) -> Any:
    """``e`` in mpmath at the point in ``memo`` (symbols -> values), each shared subexpression
    once; the value may be complex or raise nothing but return None where undefined."""
    if e in memo:
        return memo[e]
    v: Any
    try:
        if e.is_Rational:
            v = mpmath.mpf(e.p) / e.q
        elif e is sp.pi:
            v = +mpmath.pi
        elif e is sp.E:
            v = +mpmath.e
        elif isinstance(e, sp.Add):
            v = mpmath.fsum(_mp_value(a, memo) for a in e.args)
        elif isinstance(e, sp.Mul):
            v = mpmath.fprod(_mp_value(a, memo) for a in e.args)
        elif isinstance(e, sp.Pow):
            v = mpmath.power(_mp_value(e.base, memo), _mp_value(e.exp, memo))
        elif e.func in _MP_FUNCS:
            v = _MP_FUNCS[e.func](_mp_value(e.args[0], memo))
        else:
            v = None
    except (TypeError, ValueError, ZeroDivisionError):
        v = None
    memo[e] = v
    return v


class _MpArith:
    name = "mpmath"

    def num(self, v: Any) -> Any:
        if isinstance(v, Fraction):
            return mpmath.mpf(v.numerator) / v.denominator
        return mpmath.mpf(v)

    def log(self, a: Any) -> Any:
        return mpmath.log(a)

    def exp(self, a: Any) -> Any:
        return mpmath.exp(a)

    def sqrt(self, a: Any) -> Any:
        return mpmath.sqrt(a)

    def pow(self, a: Any, b: Any) -> Any:
        return mpmath.mpf(0) if a == 0 else mpmath.power(a, b)

    def func(self, name: str, a: Any) -> Any:
        return getattr(mpmath, name)(a)

    @property
    def pi(self) -> Any:
        return mpmath.pi

    @property
    def e(self) -> Any:
        return mpmath.e

    def gt(self, a: Any, b: Any) -> bool:
        return bool(a > b)

    def ge(self, a: Any, b: Any) -> bool:
        return bool(a >= b)

    def is_zero(self, a: Any) -> bool:
        return bool(a == 0)

    def max(self, a: Any, b: Any) -> Any:
        return a if a >= b else b

    def min(self, a: Any, b: Any) -> Any:
        return b if a >= b else a


# -- a user's operator in a recognised form (docs/theory/vector.md, Theorems U.1, U.2) ---------------

#: the forms a user's operator may be proved to compute, per axiom: (theorem, what the kernel
#: requires beyond the form on every piece). ``beta`` is the exponent ``c * T**(-k)`` read off the
#: pieces (one for the whole operator); "k>0": the limits need ``beta -> oo`` as ``T -> 0+`` and
#: ``-> 0`` as ``T -> oo``; "all": every entry kept on every piece; "prefix": every dropped entry
#: is smaller than some kept one (so argmax p is kept); "T-free": no condition of a piece involves ``T``
_USER_FORMS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("power", "continuity"): ("U.1", frozenset({"all"})),
    ("power", "entropy"): ("U.1", frozenset({"T-free"})),
    ("power", "boundary_cold"): ("U.1", frozenset({"T-free", "prefix", "k>0"})),
    ("power", "boundary_hot"): ("U.1", frozenset({"all", "k>0"})),
    **{(form, axiom): ("U.2", frozenset({"k>0"} if axiom.startswith("boundary") else set()))
       for form in ("sparsemax",) for axiom in ("continuity", "entropy", "boundary_cold", "boundary_hot")},
    **{("entmax15", axiom): ("U.3", frozenset({"k>0"} if axiom.startswith("boundary") else set()))
       for axiom in ("continuity", "entropy", "boundary_cold", "boundary_hot")},
}


def _form_bases(path: _Path, form: str) -> dict[int, sp.Expr]:
    """Per entry of the support, the expression that is affine in ``beta log p_i`` with one common
    offset under ``form``: ``log F_i`` (power), ``F_i`` (sparsemax) or the base of the square
    ``F_i`` (entmax15; an output that is no square has none: the form check then rejects it)."""
    if form == "entmax15":
        return {i: o.base for i, o in enumerate(path.outs) if isinstance(o, sp.Pow) and o.exp == 2}
    return {i: _log_linear(sp.log(o)) if form == "power" else o
            for i, o in enumerate(path.outs) if not (o.is_number and o == 0)}


def _beta_of(path: _Path, values: Sequence[sp.Expr], form: str) -> sp.Expr | None:
    """The exponent the piece determines: ``(b_i - b_j) / (log p_i - log p_j)`` for the first two
    entries of the support with different values (None when all of them tie). Whatever it is, the
    form check then verifies every entry against it."""
    bases = _form_bases(path, form)
    if not bases:
        return None
    idx = sorted(bases)
    for j in idx[1:]:
        gap = _log_linear(_ell(values[j]) - _ell(values[idx[0]]))
        if gap != 0:
            return sp.cancel(_log_linear(bases[j] - bases[idx[0]]) / gap)
    return None


def _monomial_in_T(beta: sp.Expr) -> tuple[sp.Expr, sp.Rational]:
    """``beta = c * T**(-k)`` with ``c > 0`` a number and ``k >= 0`` rational: ``(c, k)``."""
    c, e = beta.as_coeff_exponent(T)
    if c.free_symbols or not e.is_Rational or e > 0 or not _number_is(c, "pos") or not _is_identically_zero(
            beta - c * T ** e):
        raise KernelRejection(f"the exponent {sp.sstr(beta)[:80]} is not c * T**(-k) with c > 0 and k >= 0")
    return c, -e


def _check_user_form(axiom: str, op: Any, outcome: Any, sizes: tuple[int, ...], want: str) -> str:
    """A proof that a user's vector operator computes, on the declared sizes, one map of a
    recognised form (Theorem U.1: the power-softening ``p_i ** beta(T)`` renormalised on a kept
    set; U.2: ``sparsemax(beta(T) log p)``; U.3: ``(beta(T) log p_i - tau)_+**2``, 1.5-entmax),
    with ``beta = c T**(-k)``: every
    piece of every order class of every size is defined (:func:`_check_piece`), has the form with
    the one ``beta`` (:func:`_is_power_piece`, :func:`_is_threshold_piece`), and meets what the
    axiom needs (:data:`_USER_FORMS`); each class is spot-checked in 40 digits. No lemma and no
    relabelling shortcut: a user's algorithm is run on every class."""
    steps = [s_ for s_ in outcome.steps if getattr(s_, "check", None) == "vector_form"]
    if len(steps) != 1:
        raise KernelRejection("a proof by form cites exactly one form")
    args = dict(steps[0].args)
    form = args.get("form", "")
    if (form, axiom) not in _USER_FORMS:
        raise KernelRejection(f"no theorem of the kernel proves {axiom} from the form {form!r}")
    theorem, needs = _USER_FORMS[(form, axiom)]
    if args.get("theorem") != theorem:
        raise KernelRejection(f"{axiom} from the {form} form is theorem {theorem}, the certificate cites {args.get('theorem')!r}")
    pending: list[tuple[_Path, list[sp.Expr], tuple[tuple[int, ...], ...], str]] = []
    beta: sp.Expr | None = None
    n_classes = n_skipped = 0
    for Vn in sizes:
        for groups in _ordered_partitions(tuple(range(Vn))):
            values, _ = _class_values(groups)
            paths = _paths(op.algorithm, groups)
            for j, path in enumerate(paths):
                where = f"V = {Vn}, class {groups}, path {j}"
                if axiom == "boundary_hot" and _eventually_empty(path):
                    n_skipped += 1  # off the piece for all large T at every p of the class (U.1, 4)
                    continue
                _check_piece(path, where)
                if beta is None:
                    beta = _beta_of(path, path.values(values), form)
                pending.append((path, path.values(values), groups, where))
            _spot_check(op.algorithm, groups, paths)
            n_classes += 1
    if beta is None:
        # on every piece the kept entries tie (the support's values are equal): each piece has the
        # form for every exponent, checked below with this one
        beta = 1 / T
    c, k = _monomial_in_T(beta)
    if "k>0" in needs and not k > 0:
        raise KernelRejection(f"the exponent {sp.sstr(beta)} does not tend to oo as T -> 0+ (k = {k})")
    for path, values, _groups, where in pending:
        if form == "power":
            # (the prefix check of topk's _is_power_piece is not applied: entropy does not need it,
            # and the stricter one below, for the cold limit, is)
            if "T-free" in needs:
                for c_, _ in path.conds:
                    if T in c_.free_symbols:
                        raise KernelRejection(f"{where}: the condition {sp.sstr(c_)[:120]} involves T "
                                              "(the kept set may move with T)")
            _common([beta * _ell(values[i]) - _log_linear(sp.log(path.outs[i])) for i in _support(path, where)],
                    where, "beta log p_i - log F_i")
        else:
            _is_threshold_piece(path, values, where, power=2 if form == "entmax15" else 1, beta=beta)
        support = _support(path, where)
        if "all" in needs and len(support) != len(values):
            raise KernelRejection(f"{where}: the entries {sorted(set(range(len(values))) - set(support))} are dropped "
                                  f"({axiom} from the {form} form needs every entry kept)")
        if "prefix" in needs:  # a dropped entry smaller than some kept one is not maximal: argmax p is kept
            for i in set(range(len(values))) - set(support):
                if not any(kernel_sign(_log_linear(_ell(values[j]) - _ell(values[i]))) == "pos" for j in support):
                    raise KernelRejection(f"{where}: entry {i} is dropped but not proved smaller than a kept entry")
    skipped = f" ({n_skipped} pieces empty for all large T)" if n_skipped else ""
    return (f"kernel (vector): theorem {theorem}, the {form} form with beta = {sp.sstr(beta)}, on {want}: "
            f"{n_classes} order classes, {len(pending)} pieces checked{skipped}")


class _KOpaqueEntry(_KEntry):
    """An entry of ``p`` with no order: compares with 0 (positive), never with another entry."""

    __slots__ = ()

    def _pair(self, other: object) -> tuple[int, int]:
        if isinstance(other, _KEntry):
            raise _fail("the algorithm compares entries of p (it is not comparison-free)")
        return super()._pair(other)

    def __neg__(self) -> _KOpaqueEntry:  # -p_i is no more ordered than p_i
        return _KOpaqueEntry(self.rank, -self.value, -self.sign)


def _comparison_free_outputs(op: Any, Vn: int) -> list[sp.Expr]:
    """The outputs of the algorithm run on ``Vn`` positive symbols with no order between them,
    after checking that it compares nothing not settled for every positive ``p`` and ``T`` (no
    path condition: one piece) and that they are defined there (every side condition of a
    partial operation proved, every node continuous where defined)."""
    syms = [sp.Symbol(f"_kq{i}", positive=True) for i in range(Vn)]
    ar = _KArith((), {})
    _LIVE[0] = ar
    try:
        res = op.algorithm([_KOpaqueEntry(0, v) for v in syms], _KVal(T, ar), ar)
        outs = [ar.num(v).e for v in res]
    except KernelRejection:
        raise
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - user code
        raise KernelRejection(f"V = {Vn}: the algorithm fails on entries with no order ({type(exc).__name__}: "
                              f"{str(exc)[:120]})") from None
    finally:
        _LIVE[0] = None
    if ar._failure is not None:
        raise KernelRejection(f"V = {Vn}: {ar._failure}")
    if ar.taken:
        raise KernelRejection(f"V = {Vn}: the algorithm makes a comparison that is not settled for every p and T "
                              f"({sp.sstr(ar.conds[0][0])[:120]})")
    if len(outs) != Vn:
        raise KernelRejection(f"the algorithm returns {len(outs)} values for V = {Vn}")
    where = f"V = {Vn}, entries with no order"
    for e, kind in dict.fromkeys(ar._needs):
        if not _need_holds(e, kind, ()):
            raise KernelRejection(f"{where}: the side condition {sp.sstr(e)[:160]} {_NEED_TEXT[kind]} of an "
                                  "operation is not proved for every p and T")
    for i, o in enumerate(outs):
        _defined(o, [], f"{where}, output {i}")
    return outs


def _check_comparison_free(op: Any, sizes: tuple[int, ...], want: str) -> str:
    """Theorem U.0 (docs/theory/vector.md): on each declared size the algorithm, run on ``V``
    positive symbols with no order between them, compares nothing that is not settled for every
    positive ``p`` and ``T`` (no path condition: one piece), and its outputs are defined there
    (:func:`_comparison_free_outputs`). So ``F`` is one elementary expression, defined on the whole
    domain: jointly continuous. The sum and the signs of the outputs are not needed (continuity is
    a statement about ``F`` alone)."""
    for Vn in sizes:
        _comparison_free_outputs(op, Vn)
    return f"kernel (vector): theorem U.0, one expression defined for every p and T, on {want}"


#: the hot limit of a node: ("fin", L) with L finite and defined for every positive value of the
#: class's symbols, ("+oo", sp.oo) or ("-oo", -sp.oo); None when the limit laws do not establish it
_Lim = tuple[str, sp.Expr]


def _hot_limit(e: sp.Expr, free_defined: Callable[[sp.Expr], bool] | None = None) -> _Lim | None:
    """The limit of ``e`` as ``T -> oo`` for every positive value of the other symbols, by the
    limit laws node by node (Theorem U.0, second part, docs/theory/vector.md). ``e`` is a node of
    an output :func:`_defined` for every positive value and ``T``, so a node free of ``T`` is its
    own finite limit. Every indeterminate form (``oo - oo``, ``0 * oo``, a sign not proved for every
    value, ``0`` to a negative power, a logarithm or real power at a base tending to ``0``) is None,
    never guessed: only continuity at a point of the domain and the rules for ``+-oo`` are used.
    ``free_defined``: for a node not known to be defined (a path condition of a piece that is not
    checked), the test each node free of ``T`` must pass."""
    if T not in e.free_symbols:
        if free_defined is not None and not free_defined(e):
            return None
        return ("fin", e)
    if e == T:
        return ("+oo", sp.oo)
    if isinstance(e, sp.Add):
        parts = [_hot_limit(a, free_defined) for a in e.args]
        if any(q is None for q in parts):
            return None
        infs = {q[0] for q in parts if q is not None and q[0] != "fin"}
        if len(infs) > 1:
            return None  # oo - oo
        if infs:
            return ("+oo", sp.oo) if infs.pop() == "+oo" else ("-oo", -sp.oo)
        return ("fin", sp.Add(*[q[1] for q in parts if q is not None and q[0] == "fin"]))
    if isinstance(e, sp.Mul):
        parts = [_hot_limit(a, free_defined) for a in e.args]
        if any(q is None for q in parts):
            return None
        fins = [q[1] for q in parts if q is not None and q[0] == "fin"]
        n_inf = [q[0] for q in parts if q is not None and q[0] != "fin"]
        if not n_inf:
            return ("fin", sp.Mul(*fins))
        sign = -1 if n_inf.count("-oo") % 2 else 1
        for f in fins:
            sf = kernel_sign(f)
            if sf not in ("pos", "neg"):
                return None  # 0 * oo, or a sign not proved
            sign = -sign if sf == "neg" else sign
        return ("+oo", sp.oo) if sign > 0 else ("-oo", -sp.oo)
    if isinstance(e, sp.Pow):
        base, ex = e.args
        lb = _hot_limit(base, free_defined)
        if lb is None:
            return None
        if T not in ex.free_symbols:
            if not ex.is_Rational:
                return None
            if lb[0] == "fin":
                if ex.is_Integer and ex >= 0:
                    return ("fin", lb[1] ** ex)
                sb = kernel_sign(lb[1])
                if sb == "pos" or (ex.is_Integer and sb == "neg"):
                    return ("fin", sp.Pow(lb[1], ex))
                return None
            if ex < 0:  # 1/oo: a real power of a base -> -oo only for an integer exponent
                return ("fin", sp.Integer(0)) if lb[0] == "+oo" or ex.is_Integer else None
            if lb[0] == "+oo":
                return ("+oo", sp.oo)
            if ex.is_Integer:
                return ("-oo", -sp.oo) if ex % 2 else ("+oo", sp.oo)
            return None
        le = _hot_limit(ex, free_defined)
        if lb[0] != "fin" or le is None or le[0] != "fin" or kernel_sign(lb[1]) != "pos":
            return None  # a real power is continuous at a positive base and a finite exponent only
        return ("fin", sp.Pow(lb[1], le[1]))
    if isinstance(e, sp.exp):
        la = _hot_limit(e.args[0], free_defined)
        if la is None:
            return None
        if la[0] == "fin":
            return ("fin", sp.exp(la[1]))
        return ("fin", sp.Integer(0)) if la[0] == "-oo" else ("+oo", sp.oo)
    if isinstance(e, sp.log):
        la = _hot_limit(e.args[0], free_defined)
        if la is None:
            return None
        if la[0] == "+oo":
            return ("+oo", sp.oo)
        if la[0] == "fin" and kernel_sign(la[1]) == "pos":
            return ("fin", sp.log(la[1]))
        return None
    return None


#: a path condition ``c rel 0`` is false for all large T when c's hot limit is (by its sign):
_EVENTUALLY_FALSE = {">": ("neg", "-oo"), ">=": ("neg", "-oo"), "<": ("pos", "+oo"), "<=": ("pos", "+oo"),
                     "==": ("pos", "neg", "+oo", "-oo"), "!=": ()}


def _eventually_empty(path: _Path) -> bool:
    """Some condition of the piece is false, at every point of the class, for all large ``T``:
    its limit as ``T -> oo`` (:func:`_hot_limit`, every node free of ``T`` proved defined for every
    positive value) has the sign that contradicts it. Then for each ``p`` of the class, ``(p, T)``
    is off the piece once ``T`` is large enough, and the hot limit does not see the piece."""
    for c, rel in path.conds:
        if T not in c.free_symbols:
            continue
        lim = _hot_limit(c, kernel_defined)
        if lim is None:
            continue
        sign = lim[0] if lim[0] != "fin" else kernel_sign(lim[1])
        if sign in _EVENTUALLY_FALSE[rel]:
            return True
    return False


def _check_hot_limit_comparison_free(op: Any, sizes: tuple[int, ...], want: str) -> str:
    """Theorem U.0, second part (docs/theory/vector.md): the algorithm is comparison-free on each
    declared size (:func:`_comparison_free_outputs`) and the limit of every output as ``T -> oo``,
    by the limit laws for every positive ``p`` (:func:`_hot_limit`), is exactly ``1/V``. A statement
    about ``F`` alone: neither the sum nor the signs of the outputs are needed."""
    for Vn in sizes:
        for i, o in enumerate(_comparison_free_outputs(op, Vn)):
            lim = _hot_limit(o)
            if lim is None or lim[0] != "fin":
                raise KernelRejection(f"V = {Vn}, output {i}: the limit laws do not give a finite limit as T -> oo "
                                      f"for every p ({sp.sstr(o)[:160]})")
            if not _is_identically_zero(lim[1] - sp.Rational(1, Vn)):
                raise KernelRejection(f"V = {Vn}, output {i}: the limit as T -> oo is {sp.sstr(lim[1])[:160]}, "
                                      f"not 1/{Vn}")
    return f"kernel (vector): theorem U.0, one expression whose every entry tends to 1/V as T -> oo, on {want}"


# -- entry point ---------------------------------------------------------------------------------


def scope_of(sizes: Sequence[int]) -> str:
    """The scope a proof over these sizes states (the wording of the vector kind's scope)."""
    return "V in {" + ", ".join(str(v) for v in sorted(set(sizes))) + "}"


def check_vector_proof(axiom: str, op: Any, outcome: Any, *, sizes: Sequence[int] | None = None,
                       weak_ranking: bool = False, closed: bool = False,
                       lemmas: Mapping[str, Any] | None = None) -> tuple[bool, str]:
    """Accept or reject a ``proved`` outcome of ``axiom`` for the vector operator ``op``.

    ``well_defined``, ``ranking`` (strict; ``weak_ranking``: the weak profile's ``>=``, which the
    caller asks for exactly when its profile states it) and ``identity``: every piece passes
    :func:`_check_piece` and the axiom's own piece check (:data:`_AXIOM_CHECKS`).
    The scope must name exactly the sizes checked (the operator's declared sizes, or ``sizes``
    for a test). A proof by theorem (a step ``theorem``): :func:`_check_theorem`, with the
    lemma ``well_defined`` from ``lemmas``. Returns ``(accepted, message)``."""
    try:
        if any(getattr(s, "check", None) == "theorem" for s in getattr(outcome, "steps", ())):
            if getattr(op, "kind", None) != "vector" or getattr(outcome, "status", None) != "proved":
                raise KernelRejection("a proof by theorem is for a proved outcome of a vector built-in")
            return True, _check_theorem(axiom, op, outcome, lemmas or {}, weak_ranking, closed)
        if closed:
            raise KernelRejection("on the closed simplex only the theorems about the built-ins are accepted "
                                  "(the pieces of the algorithm are checked on the open simplex)")
        by_form = any(getattr(s_, "check", None) == "vector_form" for s_ in getattr(outcome, "steps", ()))
        if axiom not in _AXIOM_CHECKS and not by_form:
            raise KernelRejection(f"the vector kernel checks {sorted(_AXIOM_CHECKS)}, not {axiom}")
        if getattr(op, "kind", None) != "vector" or getattr(op, "algorithm", None) is None:
            raise KernelRejection("not a vector operator with an algorithm")
        if getattr(outcome, "status", None) != "proved":
            raise KernelRejection(f"outcome is {getattr(outcome, 'status', None)}, not proved")
        checked_sizes = tuple(sorted(set(op.sizes if sizes is None else sizes)))
        if not checked_sizes or any(v < 2 for v in checked_sizes):
            raise KernelRejection(f"sizes {checked_sizes}")
        want = scope_of(checked_sizes)
        if outcome.scope != want:
            raise KernelRejection(f"the outcome states the scope {outcome.scope!r}, the kernel checks {want!r}")
        if by_form and axiom == "continuity" and any(dict(getattr(s_, "args", ())).get("form") == "comparison-free"
                                                     for s_ in outcome.steps):
            if [dict(s_.args).get("theorem") for s_ in outcome.steps if s_.check == "vector_form"] != ["U.0"]:
                raise KernelRejection("continuity of a comparison-free algorithm is theorem U.0, cited once")
            return True, _check_comparison_free(op, checked_sizes, want)
        if by_form and axiom == "boundary_hot" and any(dict(getattr(s_, "args", ())).get("form") == "comparison-free"
                                                       for s_ in outcome.steps):
            if [dict(s_.args).get("theorem") for s_ in outcome.steps if s_.check == "vector_form"] != ["U.0"]:
                raise KernelRejection("the hot limit of a comparison-free algorithm is theorem U.0, cited once")
            return True, _check_hot_limit_comparison_free(op, checked_sizes, want)
        if by_form:
            return True, _check_user_form(axiom, op, outcome, checked_sizes, want)
        axiom_check = _WEAK_RANKING if axiom == "ranking" and weak_ranking else _AXIOM_CHECKS[axiom]
        n_classes = n_pieces = 0
        for Vn in checked_sizes:
            for groups in _ordered_partitions(tuple(range(Vn))):
                paths = _paths(op.algorithm, groups)
                for j, path in enumerate(paths):
                    # ranking is a statement about the values of F: defined on the piece suffices
                    # (a map that is no distribution may still rank); the others need a distribution
                    (_check_defined if axiom == "ranking" else _check_piece)(path, f"V = {Vn}, class {groups}, path {j}")
                    axiom_check(path, groups, f"V = {Vn}, class {groups}, path {j}")
                _spot_check(op.algorithm, groups, paths)
                n_classes += 1
                n_pieces += len(paths)
    except KernelRejection as exc:
        return False, f"kernel (vector) rejected the proof: {exc}"
    except (TypeError, ValueError, AttributeError, ArithmeticError, NotImplementedError, RecursionError,
            sp.PolynomialError) as exc:
        return False, f"kernel (vector) could not check the proof ({type(exc).__name__}: {str(exc)[:200]})"
    return True, f"kernel (vector): {want}: {n_classes} order classes, {n_pieces} pieces checked"
