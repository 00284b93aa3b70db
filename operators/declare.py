"""Operator declarations: one small frozen value type, :class:`Operator`.

An operator is a map ``F : Δ^V × (0, ∞) → Δ^V``. Two kinds exist:

* **separable** — a score ``g(x, T, V) ≥ 0`` with ``F_T(p)_i = g(p_i) / Σ_j g(p_j)``, held as a
  SymPy expression in :data:`~skd.operators.symbols.x`, ``T``, ``V`` and named parameters;
* **vector** — an exact algorithm ``algorithm(p, T, ar)`` written once against an arithmetic
  ``ar`` (exact rationals, mpmath, Arb balls, floats — see :mod:`skd.operators.arith`), declared
  for a finite set of vocabulary sizes that every verdict names in its scope.

Operators are values: frozen, hashable, with a readable ``repr`` (the formula), a LaTeX form
and a content hash that depends only on the definition (not on the name). Combinators return
new operators.

>>> from skd.operators import separable
>>> op = separable("x**(1/T)", name="power")
>>> op
Operator('power', separable: x**(1/T))
>>> op.latex
'x^{\\\\frac{1}{T}}'
>>> reparametrize(op, "T**2").definition
'x**(T**(-2))'
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import inspect
import json
import types
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from .errors import ExpressionError, InvalidArgument
from .evaluate import exact_algorithm
from .kinds import OperatorKind
from .parse import Obligation, parse_formula, parse_with_obligations
from .symbols import RESERVED, T, V, param_symbol, x

__all__ = ["Param", "Operator", "separable", "vector", "reparametrize", "compose", "DEFAULT_SIZES"]

#: Vocabulary sizes at which vector operators are handled unless declared otherwise.
DEFAULT_SIZES: tuple[int, ...] = (2, 3, 4, 5)

Number = int | Fraction | str


def _rational(name: str, value: Number | None) -> sp.Rational | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Fraction, str, float)):
        raise InvalidArgument(name, value, "must be an int, Fraction, decimal string or None")
    if isinstance(value, float):
        raise InvalidArgument(name, value, "give bounds exactly (int, Fraction or a decimal string), not as a float")
    try:
        frac = Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise InvalidArgument(name, value, "is not a rational number") from None
    return sp.Rational(frac.numerator, frac.denominator)


@dataclasses.dataclass(frozen=True)
class Param:
    """A named parameter's domain: an interval with exact rational ends (``None`` = unbounded).

    >>> Param("a", lower=0, upper=None, lower_closed=False)
    Param('a' in (0, oo))
    """

    name: str
    lower: Number | None = None
    upper: Number | None = None
    lower_closed: bool = True
    upper_closed: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.isidentifier() or self.name in RESERVED:
            raise InvalidArgument("name", self.name, "a parameter name must be an identifier other than x, T, V")
        lo = _rational("lower", self.lower)
        hi = _rational("upper", self.upper)
        if lo is not None and hi is not None and (lo > hi or (lo == hi and not (self.lower_closed and self.upper_closed))):
            raise InvalidArgument("upper", self.upper, f"the domain of {self.name!r} is empty (lower={self.lower})")

    @property
    def symbol(self) -> sp.Symbol:
        return param_symbol(self.name)

    @property
    def bounds(self) -> tuple[sp.Rational | None, sp.Rational | None]:
        return _rational("lower", self.lower), _rational("upper", self.upper)

    def contains(self, value: Number) -> bool:
        v = _rational("value", value)
        lo, hi = self.bounds
        below = lo is not None and (v < lo or (v == lo and not self.lower_closed))
        above = hi is not None and (v > hi or (v == hi and not self.upper_closed))
        return not (below or above)

    def describe(self) -> str:
        lo, hi = self.bounds
        left = ("[" if self.lower_closed else "(") + ("-oo" if lo is None else str(lo))
        right = ("oo" if hi is None else str(hi)) + ("]" if self.upper_closed else ")")
        if lo is None:
            left = "(-oo"
        if hi is None:
            right = "oo)"
        return f"{left}, {right}"

    def __repr__(self) -> str:
        return f"Param({self.name!r} in {self.describe()})"


@dataclasses.dataclass(frozen=True, eq=False)
class Operator:
    """A softening-operator candidate. Build with :func:`separable` or :func:`vector`."""

    name: str
    kind: OperatorKind
    definition: str
    score: sp.Expr | None = None
    params: tuple[Param, ...] = ()
    algorithm: Callable[..., list[Any]] | None = None
    sizes: tuple[int, ...] = ()
    kernel: Callable[..., Any] | None = None
    cold_limit: Callable[..., Any] | None = None
    hot_limit: Callable[..., Any] | None = None
    doc: str = ""
    reference: str = ""
    latex_form: str = ""
    #: vector only: the output depends on p only through the order of its entries (ties to the
    #: lower index) and, within each order class, continuously on p (docs/theory/vector.md).
    order_based: bool = False
    #: separable only: side conditions of the formula as written that SymPy's automatic
    #: simplification removed from ``score`` (``x*(T - 1)/(T - 1)`` is held as ``x`` with the
    #: obligation ``T - 1 != 0``); ``definition`` is then the text as written. Proofs of
    #: well-definedness must discharge them (:func:`skd.operators.parse.parse_with_obligations`).
    obligations: tuple[Obligation, ...] = ()

    # -- identity ------------------------------------------------------------------------
    @functools.cached_property
    def hash(self) -> str:
        """SHA-256 of the canonical definition (independent of ``name``, ``doc`` and kernels).

        It keys every memoised result (:func:`skd.verify.prove.prove`, the pytest plugin's
        session cache), so it covers everything a verdict depends on: the score (or the
        algorithm's fingerprint — source, closure cells, defaults and the globals it reads, see
        :func:`_fingerprint` — its sizes and ``order_based``) and the parameters' ranges.
        Computed once per operator (operators are immutable values).
        """
        if self.kind == "separable":
            body = {"kind": "separable", "score": sp.srepr(self.score)}
        else:
            src = _algorithm_source(self.algorithm)
            # order_based is a declared property the refuter relies on (directional limits):
            # operators differing in it must not share memoised or cached results
            body = {"kind": str(self.kind), "definition": self.definition, "algorithm": src, "sizes": list(self.sizes),
                    "order_based": self.order_based}
        body["params"] = [[p.name, str(p.lower), str(p.upper), p.lower_closed, p.upper_closed] for p in self.params]
        if self.obligations:
            body["obligations"] = [[k, sp.srepr(e), sp.srepr(g)] for k, e, g in self.obligations]
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Operator) and self.hash == other.hash and self.name == other.name

    def __hash__(self) -> int:
        return hash((self.name, self.hash))

    def __repr__(self) -> str:
        return f"Operator({self.name!r}, {self.kind}: {self.definition})"

    @property
    def latex(self) -> str:
        """LaTeX of the score (separable) or the declared LaTeX form (vector)."""
        if self.latex_form:
            return self.latex_form
        if self.kind == "separable":
            return sp.latex(self.score)
        return r"\mathrm{" + self.name.replace("_", r"\_") + r"}_T(p)"

    @property
    def parameter_symbols(self) -> tuple[sp.Symbol, ...]:
        return tuple(p.symbol for p in self.params)

    # -- combinators ---------------------------------------------------------------------
    def fix(self, **values: Number) -> Operator:
        """Fix parameters to exact values; the result quantifies over the rest.

        >>> from skd.operators import separable, Param
        >>> op = separable("x**(a/T)", params=[Param("a", lower=0, lower_closed=False)], name="pa")
        >>> op.fix(a=2)
        Operator('pa[a=2]', separable: x**(2/T))
        """
        if self.kind != "separable" or self.score is None:  # a separable operator always has a score
            raise InvalidArgument("values", values, "only separable operators have parameters")
        known = {p.name: p for p in self.params}
        subs = {}
        for key, value in values.items():
            if key not in known:
                raise InvalidArgument(key, value, f"{self.name!r} has no parameter {key!r}; it has {sorted(known) or 'none'}")
            if not known[key].contains(value):
                raise InvalidArgument(key, value, f"outside the declared domain {known[key].describe()}")
            subs[known[key].symbol] = _rational(key, value)
        score = self.score.subs(subs)
        label = ",".join(f"{k}={v}" for k, v in values.items())
        rest = tuple(p for p in self.params if p.name not in values)
        fixed = separable(score, name=f"{self.name}[{label}]", params=rest, doc=self.doc, reference=self.reference)
        if self.obligations:
            kept = tuple((k, e.subs(subs), g.subs(subs)) for k, e, g in self.obligations)
            fixed = dataclasses.replace(fixed, obligations=kept)
        return fixed


def _lost_obligations(expr: sp.Expr, written: tuple[Obligation, ...], names: list[str]) -> tuple[Obligation, ...]:
    """The side conditions of the written formula that the parsed expression no longer shows:
    those absent from the side conditions of its own printed form."""
    try:
        _, kept = parse_with_obligations(sp.sstr(expr), names)
    except ExpressionError:
        return written
    shown = set(kept)
    return tuple(o for o in written if o not in shown and not _always_holds(o[0], o[1]))


def _always_holds(kind: str, e: sp.Expr) -> bool:
    """The side condition ``e`` of ``kind`` holds on the whole domain, the closed simplex included,
    when ``e`` is a monomial ``c * x**a * T**b * V**d`` (``c > 0``, rational exponents): always when
    it is free of ``x`` (``T > 0``, ``V >= 2``); with a factor ``x**a`` only for ``kind == "ge0"``
    and ``a > 0`` (a ``sqrt`` argument or the base of a positive rational power, ``>= 0`` at a zero
    entry too). A divisor ``x`` (``ne0``) or a ``log`` argument / real-power base ``x**a``
    (``gt0``) fails at a zero entry: kept (found by an adversarial review: ``x**(1/T)*x/x`` was
    stored as ``x**(1/T)`` without its condition and got closed-simplex proofs)."""
    x_exponent: sp.Expr = sp.Integer(0)
    for f in sp.Mul.make_args(e):
        base, exponent = f.as_base_exp()
        if f.is_Rational:
            if f <= 0:
                return False
        elif base not in (x, T, V) or not exponent.is_Rational:
            return False
        elif base == x:
            x_exponent += exponent
    return x_exponent == 0 or (kind == "ge0" and bool(x_exponent > 0))


def _algorithm_source(fn: Callable[..., Any] | None) -> str:
    """What a vector operator's hash records of its algorithm: :func:`_fingerprint`."""
    if fn is None:
        return ""
    return _fingerprint(fn, set())


#: how deep the fingerprint follows helper functions (globals and closure cells that are functions)
_FINGERPRINT_DEPTH = 6
#: the objects fingerprinted by their identity (:func:`_value_fingerprint`), kept alive for the
#: life of the process: CPython reuses the id of a freed object, and a hash built from a freed
#: object's id would then be shared by an operator over another object — which every memo keyed
#: by the hash (verdicts, the kernels' instantiations) would serve the first one's results.
#: Found by an adversarial review (two configurations of one factory, the first dropped).
_KEPT_BY_ID: dict[int, Any] = {}


def _value_fingerprint(v: Any, seen: set[int], depth: int) -> str:
    """A deterministic text for a value an algorithm closes over or reads as a global: exact for
    numbers, strings, SymPy expressions, NumPy arrays, operators and (recursively) functions and
    containers of those; for anything else its type and a digest of its ``repr`` when that repr is
    not an address (else its identity, which keeps two different objects apart in one process:
    such an object is kept alive, :data:`_KEPT_BY_ID`, so that its id is never reused)."""
    if v is None or isinstance(v, (bool, int, float, complex, str, bytes, Fraction)):
        return f"{type(v).__name__}:{v!r}"
    if isinstance(v, sp.Basic):
        return "sympy:" + sp.srepr(v)
    if isinstance(v, Operator):  # what it computes (not Operator.hash: no recursion through it)
        if v.score is not None:
            return "operator:" + sp.srepr(v.score)
        return "operator:" + (_fingerprint(v.algorithm, seen, depth + 1) if v.algorithm is not None and depth < _FINGERPRINT_DEPTH
                              else v.definition)
    if isinstance(v, np.ndarray):
        return f"ndarray:{v.dtype}:{v.shape}:" + hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest()
    if isinstance(v, (tuple, list, frozenset, set)):
        items = [_value_fingerprint(x, seen, depth) for x in v]
        return f"{type(v).__name__}:[" + ",".join(sorted(items) if isinstance(v, (set, frozenset)) else items) + "]"
    if isinstance(v, dict):
        return "dict:{" + ",".join(sorted(f"{_value_fingerprint(k, seen, depth)}={_value_fingerprint(x, seen, depth)}"
                                          for k, x in v.items())) + "}"
    if isinstance(v, types.ModuleType):
        return "module:" + v.__name__
    if callable(v) and (inspect.isfunction(v) or inspect.ismethod(v)):
        return "function:" + (_fingerprint(v, seen, depth + 1) if depth < _FINGERPRINT_DEPTH else getattr(v, "__qualname__", "?"))
    text = repr(v)
    if " at 0x" in text or " object at " in text:
        _KEPT_BY_ID.setdefault(id(v), v)  # its id is never reused while this process runs
        return f"object:{type(v).__qualname__}@{id(v)}"
    return f"{type(v).__qualname__}:" + hashlib.sha256(text.encode()).hexdigest()


def _fingerprint(fn: Callable[..., Any], seen: set[int], depth: int = 0) -> str:
    """The algorithm as its hash sees it: its qualified name and source text, and everything the
    source text does not show — the values its closure cells hold (two closures of one factory,
    ``make(1)`` and ``make(2)``, have one source), its default arguments, and the globals it reads
    (helper functions, recursively, and constants). Without source (a REPL, ``exec``) or for a
    ``lambda`` (two on one line share their source line) the bytecode and constants are recorded
    instead, which ties the hash to the interpreter version — only for such functions (and for
    ``functools.wraps`` wrappers, whose source ``inspect`` reports as their inner function's).

    Two algorithms with equal fingerprints compute the same function of ``(p, T, ar)`` unless
    they read state that changes between calls, which :func:`vector` excludes."""
    name = getattr(fn, "__qualname__", repr(fn))
    if id(fn) in seen:
        return f"<recursive {name}>"
    seen = seen | {id(fn)}
    code = getattr(fn, "__code__", None)
    parts = [name]
    try:
        parts.append(inspect.getsource(fn))
        has_source = True
    except (OSError, TypeError):
        has_source = False
    # inspect.getsource follows __wrapped__: a functools.wraps wrapper shows its inner function's
    # source (and name), not its own code, so two decorators of one function would look alike
    if code is not None and (not has_source or name.endswith("<lambda>") or hasattr(fn, "__wrapped__")):
        parts.append("code:" + _code_fingerprint(code))
    closure = getattr(fn, "__closure__", None) or ()
    if code is not None and closure:
        for var, cell in zip(code.co_freevars, closure, strict=False):
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                value = "<empty cell>"
            parts.append(f"closure {var}=" + _value_fingerprint(value, seen, depth))
    for label, defaults in (("defaults", getattr(fn, "__defaults__", None)), ("kwdefaults", getattr(fn, "__kwdefaults__", None))):
        if defaults:
            parts.append(f"{label}=" + _value_fingerprint(defaults, seen, depth))
    module_globals = getattr(fn, "__globals__", None)
    if code is not None and isinstance(module_globals, dict):
        for g in sorted(set(_global_names(code))):
            if g in module_globals:
                parts.append(f"global {g}=" + _value_fingerprint(module_globals[g], seen, depth))
    return "\n".join(parts)


def _global_names(code: types.CodeType) -> list[str]:
    """The names a code object (and the code objects nested in it) may look up as globals."""
    names = list(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names += _global_names(c)
    return names


def _code_fingerprint(code: types.CodeType) -> str:
    consts = [(_code_fingerprint(c) if isinstance(c, types.CodeType) else f"{type(c).__name__}:{c!r}") for c in code.co_consts]
    body = [code.co_code.hex(), repr(code.co_names), repr(code.co_varnames), repr(code.co_freevars), repr(consts)]
    return hashlib.sha256("|".join(body).encode()).hexdigest()


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name or len(name) > 80 or any(c.isspace() for c in name):
        raise InvalidArgument("name", name, "must be a non-empty string without spaces, at most 80 characters")
    return name


def separable(
    score: str | sp.Expr,
    *,
    name: str = "custom",
    params: Iterable[Param] = (),
    doc: str = "",
    reference: str = "",
    kernel: Callable[..., Any] | None = None,
    cold_limit: Callable[..., Any] | None = None,
    hot_limit: Callable[..., Any] | None = None,
) -> Operator:
    """Declare a separable operator ``F_T(p)_i ∝ g(p_i, T, V)`` from a score ``g``.

    ``score`` is a string (parsed by the safe parser) or a SymPy expression in the symbols of
    :mod:`skd.operators.symbols` and the parameters. Only built-ins pass ``kernel`` and the
    limit functions; a user operator is always evaluated as declared.

    >>> separable("x + Max(0, T - 1)**2/V", name="laplace")
    Operator('laplace', separable: x + Max(0, T - 1)**2/V)
    >>> separable("y**2")
    Traceback (most recent call last):
    ...
    skd.operators.errors.ExpressionError: cannot parse 'y**2' at 'y' (column 0): unknown symbol 'y'; allowed symbols: T, V, x
    """
    _check_name(name)
    params = tuple(params)
    for p in params:
        if not isinstance(p, Param):
            raise InvalidArgument("params", p, "each parameter must be a Param")
    names = [p.name for p in params]
    if len(set(names)) != len(names):
        raise InvalidArgument("params", names, "parameter names must be distinct")
    lost: tuple[Obligation, ...] = ()
    if isinstance(score, str):
        expr, written = parse_with_obligations(score, names)
        lost = _lost_obligations(expr, written, names)
    elif isinstance(score, sp.Expr):
        expr = score
        allowed = {x, T, V} | {p.symbol for p in params}
        extra = expr.free_symbols - allowed
        if extra:
            raise ExpressionError(str(expr), f"unknown symbols {sorted(map(str, extra))}; allowed: x, T, V and declared parameters")
    else:
        raise InvalidArgument("score", score, "must be a formula string or a SymPy expression")
    if x not in expr.free_symbols:
        simplified = f" (it simplifies to {sp.sstr(expr)[:80]})" if isinstance(score, str) and sp.sstr(expr) != score.strip() else ""
        raise InvalidArgument("score", score if isinstance(score, str) else sp.sstr(score),
                              f"the score does not depend on x{simplified}, so every output would be uniform; "
                              "a score must vary with the probability entry x")
    return Operator(
        name=name,
        kind=OperatorKind.SEPARABLE,
        definition=score.strip() if lost and isinstance(score, str) else sp.sstr(expr),
        score=expr,
        params=params,
        obligations=lost,
        kernel=kernel,
        cold_limit=cold_limit,
        hot_limit=hot_limit,
        doc=doc,
        reference=reference,
    )


def vector(
    algorithm: Callable[..., list[Any]],
    *,
    name: str,
    definition: str,
    sizes: Sequence[int] = DEFAULT_SIZES,
    doc: str = "",
    reference: str = "",
    latex: str = "",
    kernel: Callable[..., Any] | None = None,
    cold_limit: Callable[..., Any] | None = None,
    hot_limit: Callable[..., Any] | None = None,
    order_based: bool = False,
) -> Operator:
    """Declare a non-separable operator by an exact algorithm ``algorithm(p, T, ar) -> list``.

    ``p`` is a list of exact rationals (``fractions.Fraction``) or floats, ``T`` likewise, and
    ``ar`` an arithmetic from :mod:`skd.operators.arith`. Comparisons of input entries are exact;
    comparisons of derived values go through ``ar.gt`` so that ball arithmetic can report
    "undecided" instead of guessing. ``sizes`` are the vocabulary sizes the verifier covers.

    >>> from skd.operators.arith import FloatArith
    >>> def identity(p, T, ar):
    ...     return [ar.num(v) for v in p]
    >>> op = vector(identity, name="identity", definition="p")
    >>> op.sizes
    (2, 3, 4, 5)
    """
    _check_name(name)
    if not callable(algorithm):
        raise InvalidArgument("algorithm", algorithm, "must be callable as algorithm(p, T, ar)")
    sizes = tuple(sizes)
    if not sizes or any(not isinstance(v, int) or isinstance(v, bool) or v < 2 for v in sizes):
        raise InvalidArgument("sizes", sizes, "must be a non-empty sequence of integers >= 2")
    if not isinstance(definition, str) or not definition:
        raise InvalidArgument("definition", definition, "must be a non-empty description of the map")
    return Operator(
        name=name,
        kind=OperatorKind.VECTOR,
        definition=definition,
        algorithm=algorithm,
        sizes=tuple(sorted(set(sizes))),
        kernel=kernel,
        cold_limit=cold_limit,
        hot_limit=hot_limit,
        doc=doc,
        reference=reference,
        latex_form=latex,
        order_based=order_based,
    )


def reparametrize(op: Operator, phi: str | sp.Expr, *, name: str | None = None) -> Operator:
    """The operator ``T ↦ F_{φ(T)}`` for a temperature map ``φ`` (a formula in ``T``).

    Only the score changes; whether ``φ`` is an increasing bijection with ``φ(1) = 1`` is for
    the verifier to decide, not assumed here.

    >>> from skd.operators import separable
    >>> reparametrize(separable("x**(1/T)", name="power"), "T**2", name="power_T2")
    Operator('power_T2', separable: x**(T**(-2)))
    """
    if op.kind != "separable" or op.score is None:  # a separable operator always has a score
        raise InvalidArgument("op", op, "reparametrize needs a separable operator; use compose for vector ones")
    expr = parse_formula(phi, symbols=["T", "V"]) if isinstance(phi, str) else phi
    if not isinstance(expr, sp.Expr) or expr.free_symbols - {T, V}:
        raise InvalidArgument("phi", phi, "must be a formula in T (and V) only")
    new = separable(
        op.score.subs(T, expr),
        name=name or f"{op.name}∘φ",
        params=op.params,
        doc=f"{op.name} with temperature {expr}",
    )
    if op.obligations:
        # the written formula's side conditions hold for F_{φ(T)} exactly where they held for F at φ(T)
        kept = tuple((k, e.subs(T, expr), g.subs(T, expr)) for k, e, g in op.obligations)
        new = dataclasses.replace(new, obligations=kept)
    return new


def compose(outer: Operator, inner: Operator, *, name: str | None = None, sizes: Sequence[int] | None = None) -> Operator:
    """The operator ``p ↦ outer_T(inner_T(p))`` as a vector operator.

    A composition of separable operators is not separable in general (the inner normaliser
    depends on all of ``p``), so the result is a vector operator on the given ``sizes``.

    >>> from skd.operators import separable
    >>> c = compose(separable("x**(1/T)", name="a"), separable("x**(1/T)", name="b"))
    >>> c
    Operator('a∘b', vector: a(b(p)))
    """
    for arg, op in (("outer", outer), ("inner", inner)):
        if not isinstance(op, Operator):
            raise InvalidArgument(arg, op, "must be an Operator")
    f_out = exact_algorithm(outer)
    f_in = exact_algorithm(inner)

    def algorithm(p: list[Any], T_: Any, ar: Any) -> list[Any]:
        return f_out(f_in(p, T_, ar), T_, ar)

    algorithm.__qualname__ = f"compose({outer.hash},{inner.hash})"
    # a separable operand is defined for every V >= 2; a vector one only on its declared sizes
    allowed = [set(op.sizes) for op in (outer, inner) if op.kind == "vector" and op.sizes]
    if sizes is None:
        common = set.intersection(*allowed) if allowed else set(DEFAULT_SIZES)
        chosen = tuple(sorted(common))
        if not chosen:
            raise InvalidArgument("sizes", None, f"{outer.name} is declared on V in {sorted(outer.sizes)} and {inner.name} on "
                                  f"{sorted(inner.sizes)}: no common size; the composition would be defined nowhere")
    else:
        chosen = tuple(sizes)
        bad = [v for v in chosen if any(v not in a for a in allowed)]
        if bad:
            raise InvalidArgument("sizes", sizes, f"V = {bad} is not declared by both operands (outer: {list(outer.sizes)}, "
                                  f"inner: {list(inner.sizes)})")
    return vector(
        algorithm,
        name=name or f"{outer.name}∘{inner.name}",
        definition=f"{outer.name}({inner.name}(p))",
        sizes=chosen,
    )
