"""Certification: turn a candidate violation into a rigorous :class:`Counterexample`, or ``None``.

Soundness is the first promise (design §5): a counterexample is returned only when the
violated relation is decided **with certainty** from exact inputs (``fractions.Fraction``
entries of ``p`` and temperatures). Values are computed in the *hybrid* arithmetic of
:mod:`skd.verify.hybrid` (:class:`~skd.verify.hybrid.HybridArith`): exact rationals wherever an
operation has a rational result (sums, products, integer powers, exact roots, ``Max``/``Min`` of
rationals, Piecewise conditions on rationals), Arb balls (python-flint) everywhere else. Then a
relation is

* certified by **exact rational arithmetic** when both sides are exact rationals, or
* certified by **disjoint Arb enclosures at N bits** otherwise (``N`` = 128, 256, 512, 1024;
  overlapping balls raise :class:`~skd.operators.arith.Undecided` and the precision goes up;
  after 1024 bits the candidate is given up and ``None`` is returned).

This module holds that decision loop (``_decide``: try each precision, confirm once more at a
higher one) and one certifier per axiom. Every certified relation is confirmed once more at a
higher precision (the enclosures of the two runs must overlap), and for vector operators the
Arb values are cross-checked against an independent mpmath evaluation at 60 digits (a wrong
branch in a user algorithm shows up there). Comparisons of balls never guess: they raise
``Undecided``. Division by an exact zero and a Piecewise with no applicable branch are *certain*
failures; everything uncertain is not a counterexample.

Limits are never refuted by one finite temperature: :func:`certify_limit` takes the **exact**
limit (proved by the caller, or computed by :func:`skd.verify.limits.separable_T_limit` with the
limit laws) and confirms it by enclosures along ``T_k = 2^-k`` (or ``2^k``); a limit the
enclosures do not approach is refused. Continuity is refuted by one-sided limits that differ:
:func:`certify_discontinuity_T` (exact limits in ``T``, sides confirmed by enclosures),
:func:`certify_vector_discontinuity` (order-based vector operators: the exact directional limit
from the order class, Theorem V.3 of docs/theory/vector.md, with strict derived comparisons; any
other algorithm: entries compared as ``p0 + t d``, V.3', and a derived comparison equal at ``p0``
decided by its derivative along ``d``, V.3'') and
:func:`certify_discontinuity_x` (separable operators: exact one-sided limits of the score in
``x`` from :mod:`skd.verify.limits`, Piecewise branches chosen by one-sided limits or Taylor
coefficients of the conditions).

:func:`shrink` re-certifies every simplification of a pointwise counterexample: fewer classes
for separable pair violations, then simple temperatures and entries (the search is
:mod:`skd.verify.shrink`; the driver lives here, beside the certifiers it re-runs).

Modules: :mod:`skd.verify.hybrid` (numbers) <- :mod:`skd.verify.limits` (symbolic limits) <-
this module -> :mod:`skd.verify.shrink` (the search); none of them imports this one.

Size: one decision loop and the ten certifiers that share its private helpers.
(Each function is under 120 lines; splitting the certifiers by axiom would export ``_decide``,
``_Sides``, ``_make``, ``_evidence`` and ``_largest_gap`` across modules.)

>>> from fractions import Fraction as Q
>>> from skd.operators import library
>>> ce = certify_ranking(library.topk, [Q(4, 10), Q(3, 10), Q(2, 10), Q(1, 10)], Q(1), 2, 3)
>>> ce.statement
'p_2 > p_3 but F_T(p)_2 <= F_T(p)_3 at T = 1'
>>> ce.certified_by
'exact rational arithmetic'
>>> certify_ranking(library.power, [Q(7, 10), Q(3, 10)], Q(1, 2), 0, 1) is None
True
"""

from __future__ import annotations

import dataclasses
import decimal
import functools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeVar, cast

import flint
import sympy as sp

from skd.operators.arith import Arith, MpArith, Undecided
from skd.operators.errors import NotWellDefined
from skd.operators.evaluate import eval_expr, exact_algorithm
from skd.operators.symbols import T as T_SYM
from skd.operators.symbols import V as V_SYM
from skd.operators.symbols import x as X_SYM
from skd.verify.hybrid import (
    DISPLAY_PREC,
    XV,
    ExactZeroDivision,
    HoldsNote,
    HybridArith,
    UndefinedNote,
    ball_of,
    exact_values,
    frac,
    lift,
    note,
    xlog,
)
from skd.verify.limits import num_env, one_sided, sign_of
from skd.verify.reproduce import format_fraction, fraction_code, list_code, snippet
from skd.verify.shrink import index_reductions, pair_reductions, shrink_vector, simple_temperatures, simplify_fraction
from skd.verify.verdict import Counterexample, Enclosure

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = [
    "EVIDENCE_K",
    "PRECISIONS",
    "certify_discontinuity_T",
    "certify_discontinuity_x",
    "certify_entropy",
    "certify_identity",
    "certify_limit",
    "certify_T_segment_jump",
    "certify_ranking",
    "certify_undefined_at_constant",
    "certify_vector_discontinuity",
    "certify_well_defined",
    "evaluate_certified",
    "exactly_zero",
    "limit_target",
    "shrink",
]

#: Precisions (bits) tried in turn; a candidate still undecided at the last one is given up.
PRECISIONS: tuple[int, ...] = (128, 256, 512, 1024)
#: Limit evidence: exponents k of the sequences T_k = 2^-k (cold) / 2^k (hot) / T0 -+ 2^-k.
EVIDENCE_K: tuple[int, ...] = (8, 16, 32, 64, 128)

_R = TypeVar("_R")
#: evidence for a limit: ``(k, make)`` with ``make() -> (p, T)``, the k-th point of a sequence
#: approaching the limit point (None: the sequence has no k-th point)
_Points = Sequence[tuple[int, Callable[[], tuple[list[Fraction], Fraction] | None]]]


# =============================================================================================
# Inputs
# =============================================================================================


def _required(v: _R | None, what: str) -> _R:
    """``v``, which is never None where this is called (a decided relation's index, a shrunk
    counterexample's temperature); a ``TypeError`` naming ``what`` otherwise."""
    if v is None:
        raise TypeError(f"no {what}")
    return v


def _exact_p(op: Operator, p: Sequence[Any], open_simplex: bool, notes: list[str] | None) -> list[Fraction] | None:
    P = [frac(v) for v in p]
    if len(P) < 2:
        note(notes, f"p has {len(P)} entries; V >= 2 is required")
        return None
    if op.kind == "vector" and len(P) not in op.sizes:
        note(notes, f"{op.name} is declared for V in {op.sizes}, not V = {len(P)}")
        return None
    if any(v < 0 for v in P) or (open_simplex and any(v == 0 for v in P)):
        note(notes, "p is not in the " + ("open" if open_simplex else "closed") + " simplex")
        return None
    if sum(P) != 1:
        note(notes, f"p sums to {sum(P)}, not exactly 1")
        return None
    return P


def _exact_T(T: Any, notes: list[str] | None) -> Fraction | None:
    t = frac(T)
    if t <= 0:
        note(notes, f"T = {t} is not > 0")
        return None
    return t



# =============================================================================================
# Evaluation
# =============================================================================================


def _scores(op: Operator, P: Sequence[Fraction], T: Fraction, ar: HybridArith, vals: Mapping[str, Fraction]) -> list[XV]:
    env: dict[sp.Symbol, Any] = {prm.symbol: ar.num(vals[prm.name]) for prm in op.params}
    env[T_SYM] = ar.num(T)
    env[V_SYM] = ar.num(len(P))
    out = []
    cache: dict[Fraction, XV] = {}
    for v in P:
        if v not in cache:  # equal entries have equal scores: evaluate each value once
            env[X_SYM] = ar.num(v)
            cache[v] = lift(eval_expr(op.score, env, ar))
        out.append(cache[v])
    return out


def _F(op: Operator, P: Sequence[Fraction], T: Fraction, ar: HybridArith, vals: Mapping[str, Fraction]) -> list[XV]:
    """``F_T(p)`` as XV values; raises NotWellDefined when ``F`` is certainly not a distribution
    (separable: scores of both strict signs, or summing to 0), Undecided when that cannot be
    decided."""
    if op.kind == "separable":
        g = _scores(op, P, T, ar, vals)
        # reductions.md Lemma W.1: F = g / Σg is a distribution iff the scores do not take both
        # strict signs and their sum is non-zero (all-negative scores are fine: g and -g agree)
        negative = any(gi < 0 for gi in g)
        if negative and any(gi > 0 for gi in g):
            raise NotWellDefined("scores of both strict signs")
        total = g[0]
        for gi in g[1:]:
            total = total + gi
        if not (total < 0 if negative else total > 0):
            raise NotWellDefined("the scores sum to 0")
        return [gi / total for gi in g]
    out = exact_algorithm(op)(list(P), T, ar)
    if len(out) != len(P):
        raise NotWellDefined(f"the algorithm returned {len(out)} entries for V = {len(P)}")
    return [lift(v) for v in out]


def evaluate_certified(op: Operator, p: Sequence[Any], T: Any, *, values: Mapping[str, Any] | None = None,
                       precisions: Sequence[int] = PRECISIONS) -> tuple[int, list[XV]] | None:
    """``F_T(p)`` in hybrid arithmetic at the first precision that decides every branch."""
    P = [frac(v) for v in p]
    t = frac(T)
    vals = exact_values(op, values, None) or {}
    for prec in precisions:
        ar = HybridArith(prec)
        try:
            with ar.active():
                return prec, _F(op, P, t, ar, vals)
        except Undecided:
            continue
    return None


def _entropy(q: Sequence[XV]) -> XV:
    """Shannon entropy; entries exactly 0 (or exactly 1) contribute exactly 0."""
    total = XV(Fraction(0))
    for v in q:
        if v.q is not None and (v.q == 0 or v.q == 1):
            continue
        if not v > 0:
            raise NotWellDefined("a negative entry has no entropy")
        total = total - v * xlog(v)
    return total


# =============================================================================================
# The decision loop
# =============================================================================================


def _hinted(items: Iterable[tuple[int, Any]], hint: int | None) -> list[tuple[int, Any]]:
    """``items`` with the hinted index first (a confirmation re-uses the first run's index)."""
    items = list(items)
    if hint is None:
        return items
    return [it for it in items if it[0] == hint] + [it for it in items if it[0] != hint]


@dataclasses.dataclass
class _Sides:
    lhs: XV
    rhs: XV
    i: int | None = None
    j: int | None = None
    info: dict[str, Any] = dataclasses.field(default_factory=dict)

    def consistent(self, other: _Sides) -> bool:
        return self.i == other.i and self.j == other.j and self.lhs.same_as(other.lhs) and self.rhs.same_as(other.rhs)


def _decide(attempt: Callable[[HybridArith], _Sides | None], notes: list[str] | None,
            precisions: Sequence[int] = PRECISIONS) -> tuple[int, _Sides, list[Any]] | None:
    """Run ``attempt`` at increasing precision until it decides.

    ``attempt(ar)`` returns the two sides of a certainly violated relation, ``None`` when the
    relation certainly holds, or raises Undecided. A positive answer is confirmed at a higher
    precision; the result holds the confirming precision, its sides, and their enclosures
    rendered inside the confirming precision's context.
    """
    for prec in precisions:
        ar = HybridArith(prec)
        try:
            with ar.active():
                first = attempt(ar)
        except Undecided as exc:
            note(notes, f"undecided at {prec} bits: {exc}")
            continue
        except (NotWellDefined, ExactZeroDivision) as exc:
            note(notes, UndefinedNote(f"F is not well defined there: {exc}"))
            return None
        if first is None:
            note(notes, HoldsNote(f"the relation certainly holds (decided at {prec} bits)"))
            return None
        prec2 = max(2 * prec, DISPLAY_PREC)
        ar2 = HybridArith(prec2)
        ar2.hint = first.i
        try:
            with ar2.active():
                second = attempt(ar2)
                if second is None or not first.consistent(second):
                    note(notes, f"inconsistent evaluations at {prec} and {prec2} bits; refusing to certify")
                    return None
                rendered = [_enclosure(second.lhs), _enclosure(second.rhs)]
        except (Undecided, NotWellDefined, ExactZeroDivision) as exc:
            note(notes, f"confirmation at {prec2} bits failed: {exc}")
            return None
        return prec2, second, rendered
    note(notes, f"still undecided at {precisions[-1]} bits")
    return None


def _how(prec: int, s: _Sides) -> str:
    if s.lhs.exact and s.rhs.exact:
        return "exact rational arithmetic"
    lb, rb = s.lhs.ball, s.rhs.ball
    if lb.overlaps(rb):
        # only possible for relations like <= decided on touching exact balls
        return f"Arb enclosures at {prec} bits (exact endpoints)"
    return f"disjoint Arb enclosures at {prec} bits"


def _dec50(q: Fraction) -> str:
    if q == 0:
        return "0"
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        return str(decimal.Decimal(q.numerator) / decimal.Decimal(q.denominator))


def _enclosure(v: XV) -> Enclosure:
    if v.q is not None:
        return Enclosure(ball=ball_of(v.q).str(radius=True), decimal=_dec50(v.q))
    return _ball_enclosure(v.ball)


def _mp_agrees(op: Operator, P: Sequence[Fraction], T: Fraction, vals: Mapping[str, Fraction],
               checks: Mapping[int, XV], notes: list[str] | None) -> bool:
    """Independent mpmath evaluation of a vector operator must match the Arb values."""
    if op.kind != "vector":
        return True
    ar = MpArith(60)
    try:
        out = exact_algorithm(op)(list(P), T, ar)
    except Exception as exc:  # noqa: BLE001 - any failure means no cross-check, so no certificate
        note(notes, f"mpmath cross-check failed to evaluate: {type(exc).__name__}: {exc}")
        return False
    for k, v in checks.items():
        m = float(out[k])
        ref = float(v)
        tol = (0.0 if v.q is not None else float(v.ball.rad())) + 1e-40 * max(1.0, abs(ref))
        if not abs(m - ref) <= tol:
            note(notes, f"mpmath value {out[k]} disagrees with the enclosure of entry {k}; refusing to certify")
            return False
    return True


# =============================================================================================
# Formatting
# =============================================================================================


def _values_field(vals: Mapping[str, Fraction]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, format_fraction(v)) for k, v in vals.items()))


def _make(op: Operator, *, statement: str, P: Sequence[Fraction], T: str | None, decided: tuple[int, _Sides, list[Any]],
          reproduce: str, vals: Mapping[str, Fraction], relation: str, T2: str | None = None,
          limit: str | None = None, certified_suffix: str = "") -> Counterexample:
    prec, sides, (lhs, rhs) = decided
    how = _how(prec, sides)
    return Counterexample(
        statement=statement,
        p=tuple(format_fraction(v) for v in P),
        V=len(P),
        T=T,
        T2=T2,
        i=sides.i,
        j=sides.j,
        values=_values_field(vals),
        limit=limit,
        lhs=lhs,
        rhs=rhs,
        relation=relation,
        certified_by=how + certified_suffix,
        reproduce=reproduce,
    )


# =============================================================================================
# Pointwise axioms
# =============================================================================================


def certify_ranking(op: Operator, p: Sequence[Any], T: Any, i: int, j: int, *, strict: bool = True,
                    values: Mapping[str, Any] | None = None, open_simplex: bool = True,
                    notes: list[str] | None = None) -> Counterexample | None:
    """``p_i > p_j`` but ``F_T(p)_i <= F_T(p)_j`` (strict profile) / ``<`` (weak profile)."""
    P = _exact_p(op, p, open_simplex, notes)
    t = _exact_T(T, notes)
    vals = exact_values(op, values, notes)
    if P is None or t is None or vals is None:
        return None
    V = len(P)
    if not (0 <= i < V and 0 <= j < V and i != j):
        note(notes, f"bad indices i={i}, j={j} for V={V}")
        return None
    if not P[i] > P[j]:
        note(notes, f"p_{i} > p_{j} does not hold")
        return None
    rel = "<=" if strict else "<"

    def attempt(ar: HybridArith) -> _Sides | None:
        F = _F(op, P, t, ar, vals)
        holds = (F[i] <= F[j]) if strict else (F[i] < F[j])
        return _Sides(F[i], F[j], i, j) if holds else None

    decided = _decide(attempt, notes)
    if decided is None:
        return None
    s = decided[1]
    if not _mp_agrees(op, P, t, vals, {i: s.lhs, j: s.rhs}, notes):
        return None
    body = f"F = evaluate_mp(op, {list_code(P)}, {fraction_code(t)}); print(F[{i}], F[{j}])"
    return _make(op, statement=f"p_{i} > p_{j} but F_T(p)_{i} {rel} F_T(p)_{j} at T = {format_fraction(t)}",
                 P=P, T=format_fraction(t), decided=decided, reproduce=snippet(op, vals, body), vals=vals, relation=rel)


def certify_identity(op: Operator, p: Sequence[Any], values: Mapping[str, Any] | None = None, *,
                     open_simplex: bool = True, notes: list[str] | None = None) -> Counterexample | None:
    """Some ``i`` with ``F_1(p)_i != p_i`` (the entry with the largest certified gap is reported)."""
    P = _exact_p(op, p, open_simplex, notes)
    vals = exact_values(op, values, notes)
    if P is None or vals is None:
        return None
    one = Fraction(1)

    def attempt(ar: HybridArith) -> _Sides | None:
        return _largest_gap(_F(op, P, one, ar, vals), [XV(v) for v in P], ar.hint, "F_1(p) = p at some entry")

    decided = _decide(attempt, notes)
    if decided is None:
        return None
    i = _required(decided[1].i, "index")
    if not _mp_agrees(op, P, one, vals, {i: decided[1].lhs}, notes):
        return None
    body = f"p = {list_code(P)}; F = evaluate_mp(op, p, Q(1)); print(F[{i}], p[{i}])"
    return _make(op, statement=f"F_1(p)_{i} != p_{i}", P=P, T="1", decided=decided,
                 reproduce=snippet(op, vals, body), vals=vals, relation="!=")


def certify_entropy(op: Operator, p: Sequence[Any], T1: Any, T2: Any, values: Mapping[str, Any] | None = None, *,
                    open_simplex: bool = True, notes: list[str] | None = None) -> Counterexample | None:
    """``T1 < T2`` and ``H(F_T2(p)) < H(F_T1(p))`` (Shannon entropy, exact zeros contribute 0)."""
    P = _exact_p(op, p, open_simplex, notes)
    t1, t2 = _exact_T(T1, notes), _exact_T(T2, notes)
    vals = exact_values(op, values, notes)
    if P is None or t1 is None or t2 is None or vals is None:
        return None
    if not t1 < t2:
        note(notes, f"T1 = {t1} is not < T2 = {t2}")
        return None

    def attempt(ar: HybridArith) -> _Sides | None:
        H1 = _entropy(_F(op, P, t1, ar, vals))
        H2 = _entropy(_F(op, P, t2, ar, vals))
        return _Sides(H2, H1) if H2 < H1 else None

    decided = _decide(attempt, notes)
    if decided is None:
        return None
    if op.kind == "vector":
        # cross-check both evaluations entrywise
        for t in (t1, t2):
            res = evaluate_certified(op, P, t, values=vals, precisions=(DISPLAY_PREC,))
            if res is None or not _mp_agrees(op, P, t, vals, dict(enumerate(res[1])), notes):
                return None
    body = (f"p = {list_code(P)}; H = lambda q: -sum(v*mpmath.log(v) for v in q if v > 0); "
            f"print(H(evaluate_mp(op, p, {fraction_code(t2)})), H(evaluate_mp(op, p, {fraction_code(t1)})))")
    return _make(op, statement=f"T1 < T2 but H(F_T2(p)) < H(F_T1(p)) with T1 = {format_fraction(t1)}, T2 = {format_fraction(t2)}",
                 P=P, T=format_fraction(t1), T2=format_fraction(t2), decided=decided,
                 reproduce=snippet(op, vals, body, extra_imports="import mpmath; mpmath.mp.dps = 50"),
                 vals=vals, relation="<")


_UNDEFINED = Enclosure(ball="undefined", decimal="undefined")


_CONDITION_WORDS = {"ne0": "!= 0", "gt0": "> 0", "ge0": ">= 0"}


def _written_condition_fails(op: Operator, env: Mapping[sp.Symbol, Any], ar: Any) -> str | None:
    """The first side condition of the formula *as written* (``op.obligations``: a divisor or a
    branch that SymPy's simplification cancelled, e.g. ``T - 1`` in ``x*(T - 1)/(T - 1)``) that
    certainly fails at ``env`` (its guard holds there), described; None if none certainly fails."""
    for kind, e, guard in getattr(op, "obligations", ()):
        cond = e if guard is sp.true else sp.Piecewise((e, guard), (sp.Integer(1), True))
        try:
            v = lift(eval_expr(cond, env, ar))
            fails = (v == 0) if kind == "ne0" else (v <= 0) if kind == "gt0" else (v < 0)
        except (Undecided, NotWellDefined, ExactZeroDivision, TypeError, ValueError):
            continue
        if fails:
            return f"the written formula's side condition {sp.sstr(e)} {_CONDITION_WORDS.get(kind, kind)} fails"
    return None


_MAX_CONSTANT_OPS = 60


def exactly_zero(c: sp.Expr) -> bool:
    """True only if the real constant ``c`` is proved to be exactly 0: SymPy's automatic exact
    evaluation gives the literal 0 (``sqrt(2)**2 - 2``, ``sin(pi)``, ``log(pi*(1/pi))``), or
    ``c`` is algebraic and its minimal polynomial is ``z`` (exact algebraic arithmetic)."""
    if c.free_symbols or c.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
        return False
    if c == 0:
        return True
    if sp.count_ops(c) > _MAX_CONSTANT_OPS:
        return False
    e = sp.expand(c)
    if e == 0:
        return True
    if e.is_algebraic is not True:
        return False
    z = sp.Dummy("z")
    try:
        return bool(sp.minimal_polynomial(e, z) == z)
    except (NotImplementedError, ValueError, TypeError, sp.PolynomialError):
        return False


def _zero_divisors(expr: sp.Expr) -> list[sp.Expr]:
    """Every subterm of ``expr`` that must be non-zero for it to be defined: bases of negative
    integer powers, arguments of ``log``, ``cos`` of ``tan`` arguments."""
    out: list[sp.Expr] = []
    for e in sp.preorder_traversal(expr):
        if (isinstance(e, sp.Pow) and e.args[1].is_number and e.args[1].is_negative) or isinstance(e, sp.log):
            out.append(e.args[0])
        elif isinstance(e, sp.tan):
            out.append(sp.cos(e.args[0]))
    return out


def certify_undefined_at_constant(op: Operator, p: Sequence[Any], T0: sp.Expr, values: Mapping[str, Any] | None = None, *,
                                  open_simplex: bool = True, notes: list[str] | None = None) -> Counterexample | None:
    """``F_T0(p)`` undefined at an exact irrational temperature ``T0`` (``sqrt(2)``, ``pi/2``,
    a ``CRootOf``) of a separable operator: a divisor of the score (or of a side condition of
    the formula as written), a ``log`` argument or the normaliser is exactly 0 there
    (:func:`exactly_zero`). ``T0 > 0`` must follow from SymPy's exact assumptions. None otherwise."""
    if op.kind != "separable":
        note(notes, "certify_undefined_at_constant is for separable operators")
        return None
    P = _exact_p(op, p, open_simplex, notes)
    vals = exact_values(op, values, notes)
    T0 = sp.sympify(T0)  # safe: a SymPy object built by skd (never user text)
    if P is None or vals is None:
        return None
    if T0.free_symbols or T0.has(sp.zoo, sp.nan, sp.oo, sp.I) or not T0.is_real:
        note(notes, f"T0 = {T0} is not a real constant")
        return None
    if cast("sp.Expr", op.score).has(sp.Piecewise) or any(e.has(sp.Piecewise) for _k, e, _g in getattr(op, "obligations", ())):
        # a divisor in a branch that is not taken does not make the score undefined
        note(notes, "scores with Piecewise branches are not evaluated symbolically here")
        return None
    if T0.is_positive is not True:  # SymPy's exact assumptions (sqrt(2), pi/2, 1/pi, 3**(1/3))
        note(notes, f"T0 = {T0} is not proved > 0")
        return None
    Vn = len(P)
    env = {prm.symbol: sp.Rational(vals[prm.name].numerator, vals[prm.name].denominator) for prm in op.params}
    env.update({T_SYM: T0, V_SYM: sp.Integer(Vn)})
    # the score, and the unguarded side conditions of the formula as written that must be != 0
    exprs = [(op.score, False)] + [(e, True) for kind, e, guard in getattr(op, "obligations", ())
                                   if guard is sp.true and kind in ("ne0", "gt0")]
    why = None
    where = None
    for k, v in enumerate(P):
        point = {**env, X_SYM: sp.Rational(v.numerator, v.denominator)}
        for expr, itself in exprs:
            for d in (_zero_divisors(expr) + ([expr] if itself else [])):
                c = d.subs(point, simultaneous=True)
                if exactly_zero(c):
                    why, where = f"{sp.sstr(d)} is exactly 0", k
                    break
            if why:
                break
        if why:
            break
    if why is None:
        scores = [cast("sp.Expr", op.score).subs({**env, X_SYM: sp.Rational(v.numerator, v.denominator)}, simultaneous=True) for v in P]
        if all(exactly_zero(sc) for sc in scores):
            why = "every score is exactly 0, so the normaliser is 0"
    if why is None:
        note(notes, f"nothing is certainly undefined at T = {T0}")
        return None
    tq = sp.sstr(T0)
    plist = list_code(P)
    check_rational = (f"assert T0 == {fraction_code(Fraction(int(T0.p), int(T0.q)))}; " if T0.is_Rational else "")
    body = (f"import sympy as sp; from skd.operators.parse import parse_formula; from skd.operators.symbols import x, T, V; "
            f"p = {plist}; T0 = parse_formula({tq!r}, symbols=()); "
            f"{check_rational}print([op.score.subs({{x: sp.Rational(v.numerator, v.denominator), T: T0, V: len(p)}}) for v in p])")
    return Counterexample(
        statement="F_T(p) is undefined" + (f" at entry {where}" if where is not None else "") + f" at T = {tq}: {why}",
        p=tuple(format_fraction(v) for v in P), V=Vn, T=tq, i=where, values=_values_field(vals),
        lhs=Enclosure(ball="undefined", decimal=why), rhs=_UNDEFINED, relation="undefined",
        certified_by="exact symbolic evaluation at the exact temperature (SymPy's exact arithmetic; "
                     "zero by automatic evaluation or by a minimal polynomial z)",
        reproduce=snippet(op, vals, body),
    )


def _well_defined_attempt(op: Operator, P: Sequence[Fraction], t: Fraction,
                          vals: Mapping[str, Fraction]) -> Callable[[HybridArith], _Sides | None]:
    """The attempt of :func:`certify_well_defined`: the sides of a certain failure at ``(P, t)``
    (``info["kind"]``: undefined, zero normaliser, negative entry, sum != 1), None if ``F`` is
    certainly a distribution there."""
    V = len(P)

    def attempt(ar: HybridArith) -> _Sides | None:
        if op.kind == "separable":
            env: dict[sp.Symbol, Any] = {prm.symbol: ar.num(vals[prm.name]) for prm in op.params}
            env[T_SYM], env[V_SYM] = ar.num(t), ar.num(V)
            g: list[XV] = []
            undecided: Undecided | None = None
            for k, v in enumerate(P):
                env[X_SYM] = ar.num(v)
                failed = _written_condition_fails(op, env, ar)
                if failed is not None:
                    return _Sides(XV(Fraction(0)), XV(Fraction(0)), k, info={"kind": "undefined", "why": failed})
                try:
                    g.append(lift(eval_expr(op.score, env, ar)))
                except (NotWellDefined, ExactZeroDivision) as exc:
                    return _Sides(XV(Fraction(0)), XV(Fraction(0)), k, info={"kind": "undefined", "why": str(exc)})
                except Undecided as exc:
                    undecided = exc  # raised once every entry has been checked for a certain failure
            if undecided is not None:
                raise undecided
            total = g[0]
            for gk in g[1:]:
                total = total + gk
            if total.q is not None and total.q == 0 or (total.q is None and total.ball.is_zero()):
                return _Sides(total, XV(Fraction(0)), None, info={"kind": "zero"})
            F = [gk / total for gk in g]  # Undecided if the normaliser's sign is unknown
        else:
            try:
                F = [lift(v) for v in exact_algorithm(op)(list(P), t, ar)]
            except (NotWellDefined, ExactZeroDivision) as exc:
                return _Sides(XV(Fraction(0)), XV(Fraction(0)), None, info={"kind": "undefined", "why": str(exc)})
            if len(F) != V:
                return None
        best, best_gap, undecided_sign = None, -1.0, False
        for k, v in _hinted(enumerate(F), ar.hint):
            try:
                if v < 0:
                    gap = -v.upper_float()
                    if gap > best_gap:
                        best, best_gap = k, gap
                    if k == ar.hint:
                        break
            except Undecided:
                undecided_sign = True
        if best is not None:
            return _Sides(F[best], XV(Fraction(0)), best, info={"kind": "negative"})
        s = F[0]
        for f in F[1:]:
            s = s + f
        try:
            if s != 1:
                return _Sides(s, XV(Fraction(1)), None, info={"kind": "sum"})
        except Undecided:
            if not undecided_sign:
                return None  # sum not decided but compatible with 1, and no negative entry
        if undecided_sign:
            raise Undecided("the sign of some entry is undecided")
        return None

    return attempt


def certify_well_defined(op: Operator, p: Sequence[Any], T: Any, values: Mapping[str, Any] | None = None, *,
                         open_simplex: bool = True, notes: list[str] | None = None) -> Counterexample | None:
    """An entry of ``F_T(p)`` certainly negative, ``F_T(p)`` certainly not summing to 1, or
    ``F_T(p)`` certainly undefined (no Piecewise branch applies, division by exactly 0, a zero
    normaliser). ``Undecided`` is never a counterexample."""
    P = _exact_p(op, p, open_simplex, notes)
    t = _exact_T(T, notes)
    vals = exact_values(op, values, notes)
    if P is None or t is None or vals is None:
        return None
    V = len(P)
    attempt = _well_defined_attempt(op, P, t, vals)
    decided = _decide(attempt, notes)
    if decided is None:
        return None
    prec, s, rendered = decided
    kind = s.info["kind"]
    tq = format_fraction(t)
    plist = list_code(P)
    if kind == "undefined":
        where = f"at entry {s.i}" if s.i is not None else ""
        why = s.info["why"]
        body = f"evaluate_mp(op, {plist}, {fraction_code(t)})  # raises: F_T(p) is undefined"
        ce = Counterexample(
            statement=f"F_T(p) is undefined {where} at T = {tq}: {why}".replace("  ", " "),
            p=tuple(format_fraction(v) for v in P), V=V, T=tq, i=s.i, values=_values_field(vals),
            lhs=Enclosure(ball="undefined", decimal=why), rhs=_UNDEFINED, relation="undefined",
            certified_by=(f"certain failure in exact/Arb arithmetic at {prec} bits "
                          "(no branch applies, or division by exactly 0)"),
            reproduce=snippet(op, vals, body),
        )
        return ce
    if op.kind == "vector":
        res = evaluate_certified(op, P, t, values=vals, precisions=(DISPLAY_PREC, 2 * DISPLAY_PREC))
        if res is None or not _mp_agrees(op, P, t, vals, dict(enumerate(res[1])), notes):
            return None
    if kind == "negative":
        stmt = f"F_T(p)_{s.i} < 0 at T = {tq}"
        rel = "<"
        if op.kind == "separable":
            body = (f"ar = MpArith(50); p = {plist}; g = [eval_expr(op.score, {{x: ar.num(v), T: ar.num({fraction_code(t)}), "
                    f"V: ar.num(len(p))}}, ar) for v in p]; print(g[{s.i}]/sum(g), 0)")
            extra = ("from skd.operators.arith import MpArith; from skd.operators.evaluate import eval_expr; "
                     "from skd.operators.symbols import x, T, V")
        else:
            body = f"F = evaluate_mp(op, {plist}, {fraction_code(t)}); print(F[{s.i}], 0)"
            extra = ""
    elif kind == "sum":
        stmt = f"the entries of F_T(p) do not sum to 1 at T = {tq}"
        rel = "!="
        body = f"F = evaluate_mp(op, {plist}, {fraction_code(t)}); print(sum(F), 1)"
        extra = ""
    else:  # zero normaliser
        stmt = f"the normaliser sum_j g(p_j, T, V) is 0 at T = {tq}, so F_T(p) is undefined"
        rel = "=="
        body = (f"ar = MpArith(50); p = {plist}; print(sum(eval_expr(op.score, {{x: ar.num(v), T: ar.num({fraction_code(t)}), "
                f"V: ar.num(len(p))}}, ar) for v in p), 0)")
        extra = ("from skd.operators.arith import MpArith; from skd.operators.evaluate import eval_expr; "
                 "from skd.operators.symbols import x, T, V")
    return _make(op, statement=stmt, P=P, T=tq, decided=decided, reproduce=snippet(op, vals, body, extra_imports=extra),
                 vals=vals, relation=rel)


# =============================================================================================
# Limits and continuity
# =============================================================================================


def limit_target(p: Sequence[Any], which: str, profile: str = "paper") -> list[Fraction]:
    """The distribution an axiom asks for: cold — uniform on argmax(p); hot — uniform on all V
    classes (profiles paper/weak) or on the support (profile closed)."""
    P = [frac(v) for v in p]
    V = len(P)
    if which == "cold":
        top = max(P)
        mask = [v == top for v in P]
    elif which == "hot":
        mask = [v > 0 for v in P] if profile == "closed" else [True] * V
    else:
        raise ValueError(f"which={which!r}: must be 'cold' or 'hot'")
    m = sum(mask)
    return [Fraction(1, m) if b else Fraction(0) for b in mask]


def _sym_number(v: Any) -> sp.Expr:
    if isinstance(v, bool):
        raise TypeError("a bool is not a number")
    if isinstance(v, (Fraction, int)):
        q = Fraction(v)
        return sp.Rational(q.numerator, q.denominator)
    if isinstance(v, float):
        raise TypeError(f"an exact limit is needed, not the float {v!r}")
    if isinstance(v, sp.Basic):
        if v.free_symbols:
            raise TypeError(f"limit entry {v} has free symbols")
        return v
    if isinstance(v, str):
        from skd.operators.parse import parse_formula

        return parse_formula(v, symbols=[])
    raise TypeError(f"not an exact number: {v!r}")


def _sym_str(e: sp.Expr) -> str:
    if isinstance(e, sp.Rational):
        return format_fraction(Fraction(int(e.p), int(e.q)))
    return sp.sstr(e)


def _vec_str(es: Sequence[sp.Expr]) -> str:
    return "[" + ", ".join(_sym_str(e) for e in es) + "]"


def _enclose_all(es: Sequence[sp.Expr], ar: HybridArith) -> list[XV]:
    return [lift(eval_expr(e, {}, ar)) for e in es]


def _check_distribution(vals: Sequence[XV]) -> bool | None:
    """True: certainly a distribution-compatible vector; False: certainly not; None: unknown."""
    try:
        if any(v < 0 for v in vals):
            return False
    except Undecided:
        return None
    s = vals[0]
    for v in vals[1:]:
        s = s + v
    try:
        return s == 1
    except Undecided:
        return True  # a ball containing 1


def _distance_upper(F: Sequence[XV], L: Sequence[XV]) -> float:
    return max(abs(a - b).upper_float() for a, b in zip(F, L, strict=True))


def _F_at(op: Operator, P: Sequence[Fraction], t: Fraction, vals: Mapping[str, Fraction], min_prec: int) -> list[XV] | None:
    for prec in sorted({min_prec, 2 * min_prec, 4 * min_prec}):
        ar = HybridArith(prec)
        try:
            with ar.active():
                return _F(op, P, t, ar, vals)
        except Undecided:
            continue
        except (NotWellDefined, ExactZeroDivision):
            return None
    return None


def _evidence(op: Operator, vals: Mapping[str, Fraction], L: Sequence[sp.Expr], gap: float,
              points: _Points, label: str, notes: list[str] | None) -> str | None:
    """Evaluate F along a sequence approaching the limit point; require approach to ``L``.

    ``points`` is a list of ``(k, make)`` with ``make() -> (p, T)``. The last distances must be at
    most ``gap / 4`` and not larger than the first one (or than ``gap / 1000``). Returns a description or None.
    """
    ds: list[tuple[int, float]] = []
    for k, make in points:
        pt = make()
        if pt is None:
            continue
        P, t = pt
        F = _F_at(op, P, t, vals, max(DISPLAY_PREC, k + 128))
        if F is None:
            continue
        ar = HybridArith(max(DISPLAY_PREC, k + 128))
        with ar.active():
            Lx = _enclose_all(L, ar)
            ds.append((k, _distance_upper(F, Lx)))
    if len(ds) < 3:
        note(notes, f"too few evaluations along {label} to confirm the limit ({len(ds)})")
        return None
    first, last = ds[0][1], ds[-1][1]
    if not (last <= gap / 4 and last <= max(first, gap / 1000)):
        note(notes, f"F does not approach the supplied limit along {label}: distances "
             + ", ".join(f"{d:.3g}" for _, d in ds) + f" (gap {gap:.3g}); refusing to certify")
        return None
    return (f"confirmed along {label}, k = " + ", ".join(str(k) for k, _ in ds)
            + ": max_i |F - limit| <= " + ", ".join(f"{d:.2g}" for _, d in ds))


def _largest_gap(Lx: Sequence[Any], Rx: Sequence[Any], hint: Any, what: str) -> _Sides | None:
    """The index where two lists of enclosures certainly differ the most (the hinted index
    first), or None if they certainly agree everywhere; Undecided if some pair cannot be told."""
    best, best_gap, undecided = None, -1.0, False
    for k, (a, b) in _hinted(enumerate(zip(Lx, Rx, strict=False)), hint):
        try:
            if a != b:
                gap = abs(a - b).lower_float()
                if gap > best_gap:
                    best, best_gap = k, gap
                if k == hint:
                    break
        except Undecided:
            undecided = True
    if best is not None:
        return _Sides(Lx[best], Rx[best], best, info={"gap": best_gap})
    if undecided:
        raise Undecided(f"{what} undecided")
    return None


def _limit_attempt(L: Sequence[sp.Expr], R: Sequence[sp.Expr]) -> Callable[[HybridArith], _Sides | None]:
    def attempt(ar: HybridArith) -> _Sides | None:
        return _largest_gap(_enclose_all(L, ar), _enclose_all(R, ar), ar.hint, "limit entries")

    return attempt


def certify_limit(op: Operator, p: Sequence[Any], which: str, limit: Sequence[Any], target: Sequence[Any], *,
                  values: Mapping[str, Any] | None = None, proof: str = "supplied by the caller",
                  open_simplex: bool = True, profile: str | None = None,
                  notes: list[str] | None = None) -> Counterexample | None:
    """The exact limit of ``F_T(p)`` as ``T -> 0+`` (``which="cold"``) or ``T -> oo`` (``"hot"``)
    differs from the axiom's ``target`` at some index.

    ``limit`` must be the *proved* exact limit (Fractions or SymPy numbers). It is also confirmed
    by enclosures of ``F`` along ``T_k = 2^-k`` (cold) or ``2^k`` (hot): if those do not approach
    ``limit``, nothing is certified. With ``profile`` given, ``target`` must be that profile's
    target (:func:`limit_target`).
    """
    if which not in ("cold", "hot"):
        raise ValueError(f"which={which!r}: must be 'cold' or 'hot'")
    if profile is not None:
        open_simplex = profile != "closed"
    P = _exact_p(op, p, open_simplex, notes)
    vals = exact_values(op, values, notes)
    if P is None or vals is None:
        return None
    L = [_sym_number(v) for v in limit]
    R = [_sym_number(v) for v in target]
    if len(L) != len(P) or len(R) != len(P):
        note(notes, "limit / target length differs from V")
        return None
    ar = HybridArith(DISPLAY_PREC)
    with ar.active():
        try:
            okR = _check_distribution(_enclose_all(R, ar))
        except Undecided:
            okR = None
    if okR is not True:
        note(notes, "the supplied target is not a probability vector")
        return None
    # The limit itself need not be a probability vector: the axiom says "F_T(p) -> target", and a
    # map whose outputs are no distribution (well_defined refuted) may tend to one that is none
    # either (1.001 e_argmax, an entry -1). What certifies is the exact limit differing from the
    # target and the enclosures of F approaching the limit, both checked below.
    if profile is not None:
        want = limit_target(P, which, profile)
        if [sp.Rational(v.numerator, v.denominator) for v in want] != list(R):
            note(notes, f"the target is not the {which} target of profile {profile!r}")
            return None
    decided = _decide(_limit_attempt(L, R), notes)
    if decided is None:
        return None
    prec, s, _ = decided
    cold = which == "cold"

    def point(k: int) -> tuple[list[Fraction], Fraction]:
        return P, (Fraction(1, 2**k) if cold else Fraction(2**k))

    pts: _Points = [(k, functools.partial(point, k)) for k in EVIDENCE_K]
    label, tlabel = ("T_k = 2^-k", "0+") if cold else ("T_k = 2^k", "oo")
    ev = _evidence(op, vals, L, s.info["gap"], pts, label, notes)
    if ev is None:
        return None
    i = _required(s.i, "index")
    tk = "Q(1, 2**64)" if which == "cold" else "Q(2**64)"
    body = (f"F = evaluate_mp(op, {list_code(P)}, {tk}); print(F[{i}], '-> limit', {_sym_str(L[i])!r}, "
            f"'target', {_sym_str(R[i])!r})")
    return _make(op, statement=(f"lim_{{T->{tlabel}}} F_T(p)_{i} = {_sym_str(L[i])} but the axiom requires "
                                f"{_sym_str(R[i])}"),
                 P=P, T=tlabel, decided=decided, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                 limit=f"lim_{{T->{tlabel}}} F_T(p) = {_vec_str(L)}",
                 certified_suffix=f"; exact limit: {proof}; {ev}")


def certify_discontinuity_T(op: Operator, p: Sequence[Any], T0: Any, left: Sequence[Any], right: Sequence[Any], *,
                            values: Mapping[str, Any] | None = None, proof: str = "supplied by the caller",
                            open_simplex: bool = True, notes: list[str] | None = None) -> Counterexample | None:
    """Discontinuity of ``T -> F_T(p)`` at ``T0`` from exact one-sided limits.

    ``left`` / ``right`` are exact vectors: normally the limits as ``T -> T0-`` and ``T -> T0+``;
    either may instead be the other side's limit or ``F_T0(p)`` itself (callers that know one
    neighbouring piece and the value at the breakpoint). Which side each vector is the limit of
    is confirmed by enclosures along ``T0 - 2^-k`` / ``T0 + 2^-k``. Certified: the two one-sided
    limits differ, or a confirmed one-sided limit differs from ``F_T0(p)`` (computed here).
    """
    P = _exact_p(op, p, open_simplex, notes)
    t0 = _exact_T(T0, notes)
    vals = exact_values(op, values, notes)
    if P is None or t0 is None or vals is None:
        return None
    A = [_sym_number(v) for v in left]
    B = [_sym_number(v) for v in right]
    if len(A) != len(P) or len(B) != len(P):
        note(notes, "one-sided limits must have V entries")
        return None

    def below(k: int) -> tuple[list[Fraction], Fraction] | None:
        return (P, t0 - Fraction(1, 2**k)) if t0 > Fraction(1, 2**k) else None

    def above(k: int) -> tuple[list[Fraction], Fraction]:
        return P, t0 + Fraction(1, 2**k)

    pts: dict[str, _Points] = {
        "-": [(k, functools.partial(below, k)) for k in EVIDENCE_K],
        "+": [(k, functools.partial(above, k)) for k in EVIDENCE_K],
    }
    tq = format_fraction(t0)
    label = {"-": "T0 - 2^-k", "+": "T0 + 2^-k"}

    # 1. the two vectors as the two one-sided limits (either order)
    decided = _decide(_limit_attempt(A, B), notes)
    if decided is not None:
        gap = decided[1].info["gap"]
        for sa, sb in (("-", "+"), ("+", "-")):
            ev1 = _evidence(op, vals, A, gap, pts[sa], label[sa], notes)
            ev2 = _evidence(op, vals, B, gap, pts[sb], label[sb], notes) if ev1 else None
            if ev1 and ev2:
                Lf, Rt, dec = (A, B, decided) if sa == "-" else (B, A, _swap(decided))
                i = _required(dec[1].i, "index")
                body = (f"p = {list_code(P)}; e = Q(1, 2**64); print(evaluate_mp(op, p, {fraction_code(t0)} - e)[{i}], "
                        f"evaluate_mp(op, p, {fraction_code(t0)} + e)[{i}])")
                return _make(op, statement=(f"lim_{{T->{tq}-}} F_T(p)_{i} != lim_{{T->{tq}+}} F_T(p)_{i}: "
                                            "F is discontinuous in T"),
                             P=P, T=tq, decided=dec, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                             limit=f"lim_{{T->T0-}} F_T(p) = {_vec_str(Lf)}; lim_{{T->T0+}} F_T(p) = {_vec_str(Rt)}",
                             certified_suffix=f"; exact one-sided limits: {proof}; {ev1}; {ev2}")
    # 2. one vector as a one-sided limit, compared with F_T0(p) computed rigorously
    for L in (A, B):
        at_value = _decide(_value_attempt(op, P, t0, vals, L), notes)
        if at_value is None:
            continue
        gap = at_value[1].info["gap"]
        for side in ("+", "-"):
            ev = _evidence(op, vals, L, gap, pts[side], label[side], notes)
            if ev is None:
                continue
            i = _required(at_value[1].i, "index")
            sgn = "-" if side == "-" else "+"
            body = (f"p = {list_code(P)}; e = Q(1, 2**64); print(evaluate_mp(op, p, {fraction_code(t0)} {sgn} e)[{i}], "
                    f"evaluate_mp(op, p, {fraction_code(t0)})[{i}])")
            return _make(op, statement=(f"lim_{{T->{tq}{side}}} F_T(p)_{i} != F_T(p)_{i} at T = {tq}: "
                                        "F is discontinuous in T"),
                         P=P, T=tq, decided=at_value, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                         limit=f"lim_{{T->T0{side}}} F_T(p) = {_vec_str(L)}; F_T0(p)",
                         certified_suffix=f"; exact one-sided limit: {proof}; {ev}")
    return None


def _swap(decided: tuple[int, _Sides, list[Any]]) -> tuple[int, _Sides, list[Any]]:
    prec, s, (lhs, rhs) = decided
    return prec, _Sides(s.rhs, s.lhs, s.i, s.j, s.info), [rhs, lhs]


def _value_attempt(op: Operator, P: Sequence[Fraction], t0: Fraction, vals: Mapping[str, Fraction],
                   L: Sequence[sp.Expr]) -> Callable[[HybridArith], _Sides | None]:
    def attempt(ar: HybridArith) -> _Sides | None:
        return _largest_gap(_enclose_all(L, ar), _F(op, P, t0, ar, vals), ar.hint, "limit vs value")

    return attempt



def certify_discontinuity_x(op: Operator, p0: Sequence[Any], a: int, b: int, T: Any, *,
                            values: Mapping[str, Any] | None = None, open_simplex: bool = True,
                            notes: list[str] | None = None) -> Counterexample | None:
    """Discontinuity of a separable ``F_T`` in ``p`` at ``p0`` along ``d = e_a - e_b``.

    Along ``p0 + t d`` only entries ``a`` (up) and ``b`` (down) move, so the one-sided limit of
    ``F`` is the normalised vector of scores with ``g(p_a+)`` and ``g(p_b-)`` (exact one-sided
    limits of the score, :func:`score_one_sided_limit`) and ``g(p_k)`` elsewhere; likewise along
    ``-d``. Certified: the two directional limits differ, or one differs from ``F_T(p0)``; the
    limit is also confirmed by enclosures along ``p0 +/- 2^-k d``.
    """
    if op.kind != "separable":
        note(notes, "certify_discontinuity_x is for separable operators")
        return None
    P = _exact_p(op, p0, open_simplex, notes)
    t = _exact_T(T, notes)
    vals = exact_values(op, values, notes)
    if P is None or t is None or vals is None:
        return None
    V = len(P)
    if not (0 <= a < V and 0 <= b < V and a != b):
        note(notes, f"bad indices a={a}, b={b}")
        return None
    env = num_env(op, t, V, vals)
    g = cast("sp.Expr", op.score).subs(env)
    fixed = {}
    for k in range(V):
        if k not in (a, b):
            e = g.subs(X_SYM, sp.Rational(P[k].numerator, P[k].denominator))
            if e.free_symbols or e.has(sp.Piecewise, sp.zoo, sp.nan):
                note(notes, f"g(p_{k}) does not evaluate to a number")
                return None
            fixed[k] = e

    def limit_along(sign: int) -> list[sp.Expr] | None:
        ga = one_sided(g, sp.Rational(P[a].numerator, P[a].denominator), "+" if sign > 0 else "-")
        gb = one_sided(g, sp.Rational(P[b].numerator, P[b].denominator), "-" if sign > 0 else "+")
        if ga is None or gb is None:
            return None
        scores = [ga if k == a else gb if k == b else fixed[k] for k in range(V)]
        if any(sign_of(s) not in (0, 1) for s in scores):
            return None
        total = sp.Add(*scores)
        if sign_of(total) != 1:
            return None
        return [s / total for s in scores]

    D = [Fraction(0)] * V
    D[a], D[b] = Fraction(1), Fraction(-1)
    Lp, Lm = limit_along(1), limit_along(-1)
    if Lp is None and Lm is None:
        note(notes, "one-sided limits of the score could not be established")
        return None
    scale = min(Fraction(1), P[b] / 2, P[a] / 2)
    tq = format_fraction(t)
    dvec = _vec_str([sp.Rational(v.numerator, v.denominator) for v in D])

    def pts(sign: int) -> _Points:
        def at(k: int) -> tuple[list[Fraction], Fraction]:
            return [v + sign * (scale / 2**k) * w for v, w in zip(P, D, strict=True)], t

        return [(k, functools.partial(at, k)) for k in EVIDENCE_K]

    if Lp is not None and Lm is not None:
        decided = _decide(_limit_attempt(Lp, Lm), notes)
        if decided is not None:
            gap = decided[1].info["gap"]
            ev1 = _evidence(op, vals, Lp, gap, pts(1), "p + 2^-k d", notes)
            ev2 = _evidence(op, vals, Lm, gap, pts(-1), "p - 2^-k d", notes) if ev1 else None
            if ev1 and ev2:
                i = decided[1].i
                body = (f"p = {list_code(P)}; d = {list_code(D)}; e = Q(1, 2**64); "
                        f"print(evaluate_mp(op, [u + e*w for u, w in zip(p, d)], {fraction_code(t)})[{i}], "
                        f"evaluate_mp(op, [u - e*w for u, w in zip(p, d)], {fraction_code(t)})[{i}])")
                return _make(op, statement=(f"F_T is discontinuous at p: lim_{{t->0+}} F_T(p + t*d)_{i} != "
                                            f"lim_{{t->0+}} F_T(p - t*d)_{i} at T = {tq}"),
                             P=P, T=tq, decided=decided, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                             limit=(f"lim_{{t->0+}} F_T(p + t*d) = {_vec_str(Lp)}; "
                                    f"lim_{{t->0+}} F_T(p - t*d) = {_vec_str(Lm)}, d = {dvec}"),
                             certified_suffix=("; exact one-sided limits of the score in x (branch signs by "
                                               f"one-sided limits / Taylor coefficients); {ev1}; {ev2}"))
    for sign, L in ((1, Lp), (-1, Lm)):
        if L is None:
            continue
        decided = _decide(_value_attempt(op, P, t, vals, L), notes)
        if decided is None:
            continue
        ev = _evidence(op, vals, L, decided[1].info["gap"], pts(sign), f"p {'+' if sign > 0 else '-'} 2^-k d", notes)
        if ev is None:
            continue
        i = decided[1].i
        sg = "+" if sign > 0 else "-"
        body = (f"p = {list_code(P)}; d = {list_code(D)}; e = Q(1, 2**64); "
                f"print(evaluate_mp(op, [u {sg} e*w for u, w in zip(p, d)], {fraction_code(t)})[{i}], "
                f"evaluate_mp(op, p, {fraction_code(t)})[{i}])")
        return _make(op, statement=f"F_T is discontinuous at p: lim_{{t->0+}} F_T(p {sg} t*d)_{i} != F_T(p)_{i} at T = {tq}",
                     P=P, T=tq, decided=decided, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                     limit=f"lim_{{t->0+}} F_T(p {sg} t*d) = {_vec_str(L)}, d = {dvec}",
                     certified_suffix=("; exact one-sided limits of the score in x (branch signs by one-sided "
                                       f"limits / Taylor coefficients); {ev}"))
    return None


def _direction_order(P: Sequence[Fraction], D: Sequence[Fraction]) -> list[int]:
    """The order of the entries of ``p + t d`` for all small ``t > 0`` (ties to the lower index)."""
    return sorted(range(len(P)), key=lambda k: (-P[k], -D[k], k))


class _TieBroken(Fraction):
    """An entry of ``p0`` that compares with the other entries as the entries of ``p0 + t d`` do
    for every small ``t > 0`` — by ``(p0_i, d_i)`` lexicographically — and with 0 likewise; its
    number (``ar.num``) is ``p0_i``. Arithmetic on the entry itself is refused: an algorithm that
    computes with raw entries outside ``ar`` could compare the results without the tie-breaking."""

    _d: Fraction
    _v: Fraction

    def __new__(cls, value: Fraction, d: Fraction) -> _TieBroken:
        self = super().__new__(cls, value)
        self._d = Fraction(d)
        self._v = Fraction(value)
        return self

    def _key(self, other: Any) -> tuple[Fraction, Fraction]:
        if isinstance(other, _TieBroken):
            return other.value_key
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return (Fraction(0), Fraction(0))
        raise TypeError(f"an entry of p compared with {other!r}: only entries and 0 compare exactly")

    def skd_exact_value(self) -> Fraction:
        """``p0_i``, for ``ar.num`` (:func:`skd.verify.hybrid.lift`) only."""
        return self._v

    @property
    def value_key(self) -> tuple[Fraction, Fraction]:
        return (self.skd_exact_value(), self._d)

    # an entry is no plain number: Fraction(entry), its numerator, its text would let an algorithm
    # compute with p0_i outside ar, where no comparison is broken as p0 + t d (and a derived one
    # escapes Theorem V.3''); the certifier's sampling cannot be relied on to catch that
    def _opaque(self, *_: Any) -> Any:
        raise TypeError("an entry of p is read through ar.num(p[i]) only")

    numerator = property(_opaque)
    denominator = property(_opaque)
    as_integer_ratio = limit_denominator = __reduce__ = __format__ = __copy__ = __deepcopy__ = _opaque  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<an entry of p: compares only>"

    __str__ = __repr__

    def __lt__(self, o: Any) -> bool:
        return self.value_key < self._key(o)

    def __le__(self, o: Any) -> bool:
        return self.value_key <= self._key(o)

    def __gt__(self, o: Any) -> bool:
        return self.value_key > self._key(o)

    def __ge__(self, o: Any) -> bool:
        return self.value_key >= self._key(o)

    def __eq__(self, o: Any) -> bool:
        return self.value_key == self._key(o)

    def __ne__(self, o: Any) -> bool:
        return not self == o

    def __hash__(self) -> int:  # type: ignore[override]  # consistent with __eq__ (Fraction's is by value)
        return hash(self.value_key)

    def __neg__(self) -> _TieBroken:
        return _TieBroken(-self.skd_exact_value(), -self._d)

    def __bool__(self) -> bool:  # a zero entry moved by d != 0 is not 0 for small t > 0
        return self.value_key != (Fraction(0), Fraction(0))

    def _no_arith(self, *_: Any) -> Any:
        raise TypeError("the algorithm computes with an entry of p directly instead of ar.num(p[i])")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _no_arith
    __truediv__ = __rtruediv__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = _no_arith
    __pow__ = __rpow__ = __abs__ = __pos__ = __float__ = __int__ = __round__ = __trunc__ = _no_arith  # type: ignore[assignment]  # refused on purpose


class _Dual:
    """``a + b t``: a value computed along ``p0 + t d`` to first order in ``t`` (Theorem V.3'',
    docs/theory/vector.md): ``a`` its value at ``t = 0``, ``b`` its derivative there (XV numbers).
    Only :class:`_DualArith` decides comparisons; comparing two duals directly is refused."""

    __slots__ = ("a", "b")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, a: XV, b: XV) -> None:
        self.a, self.b = a, b

    @staticmethod
    def of(v: Any) -> _Dual:
        if isinstance(v, _Dual):
            return v
        if isinstance(v, _TieBroken):
            raise TypeError("the algorithm computes with an entry of p directly instead of ar.num(p[i])")
        return _Dual(lift(v), XV(Fraction(0)))

    def __add__(self, o: Any) -> _Dual:
        o = _Dual.of(o)
        return _Dual(self.a + o.a, self.b + o.b)

    __radd__ = __add__

    def __sub__(self, o: Any) -> _Dual:
        o = _Dual.of(o)
        return _Dual(self.a - o.a, self.b - o.b)

    def __rsub__(self, o: Any) -> _Dual:
        return _Dual.of(o) - self

    def __mul__(self, o: Any) -> _Dual:
        o = _Dual.of(o)
        return _Dual(self.a * o.a, self.a * o.b + self.b * o.a)

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> _Dual:
        o = _Dual.of(o)
        if _exactly_zero(o.a):
            raise Undecided("division by a value that is 0 at t = 0 (no first-order limit)")
        return _Dual(self.a / o.a, (self.b * o.a - self.a * o.b) / (o.a * o.a))

    def __rtruediv__(self, o: Any) -> _Dual:
        return _Dual.of(o) / self

    def __neg__(self) -> _Dual:
        return _Dual(-self.a, -self.b)

    def __pos__(self) -> _Dual:
        return self

    def __pow__(self, o: Any) -> _Dual:
        return _dual_pow(self, _Dual.of(o))

    def __rpow__(self, o: Any) -> _Dual:
        return _dual_pow(_Dual.of(o), self)

    def _no(self, *_: Any) -> bool:
        raise TypeError("values are compared through ar.gt / ar.ge / ar.is_zero only")

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = __bool__ = _no


def _exactly_zero(v: XV) -> bool:
    """``v`` is certainly 0 (an exact 0, or a ball of radius 0 at 0); False when certainly not;
    Undecided for a ball that contains 0."""
    if v.q is not None:
        return v.q == 0
    if v.ball.is_zero():
        return True
    if v.ball.contains(0):
        raise Undecided(f"cannot decide whether {v.ball.str(15, radius=True)} is 0")
    return False


def _dual_pow(x: _Dual, y: _Dual) -> _Dual:
    """``x**y`` to first order: ``y x**(y-1) x' + x**y log(x) y'``; at a base that is 0 at ``t = 0``
    only a non-negative integer power is differentiable (``x`` may be ``o(t)`` and not 0)."""
    if _exactly_zero(x.a):
        if y.a.q is None or y.a.q.denominator != 1 or y.a.q < 0 or not _exactly_zero(y.b):
            raise Undecided("a power of a value that is 0 at t = 0 (not differentiable there)")
        n = int(y.a.q)
        if n == 0:
            return _Dual(XV(Fraction(1)), XV(Fraction(0)))
        return _Dual(XV(Fraction(0)), x.b if n == 1 else XV(Fraction(0)))
    v = x.a ** y.a
    b = y.a * v / x.a * x.b
    if not _exactly_zero(y.b):
        b = b + v * xlog(x.a) * y.b
    return _Dual(v, b)


class _DualArith:
    """The algorithm's arithmetic along ``p0 + t d`` to first order (Theorem V.3''): entries are
    ``(p0_i, d_i)``; a derived comparison is decided by the sign of its value at ``t = 0``, or,
    when that is exactly 0, of its derivative (the sign for all small ``t > 0``); a comparison
    equal to first order, an operation not differentiable at its argument, or anything not
    certain is :class:`Undecided`. Every operation failing at ``t = 0`` is Undecided too: the
    limit along the path, not ``F(p0)``, is computed here."""

    name = "dual"

    def __init__(self, base: HybridArith) -> None:
        self.base = base
        self.prec = base.prec

    def num(self, v: Any) -> _Dual:
        if isinstance(v, _TieBroken):
            return _Dual(XV(v.skd_exact_value()), XV(v._d))
        return _Dual.of(v)

    def log(self, a: Any) -> _Dual:
        x = self.num(a)
        if not x.a > 0:
            raise Undecided("log of a value not positive at t = 0")
        return _Dual(xlog(x.a), x.b / x.a)

    def exp(self, a: Any) -> _Dual:
        x = self.num(a)
        v = self.base.exp(x.a)
        return _Dual(v, v * x.b)

    def sqrt(self, a: Any) -> _Dual:
        x = self.num(a)
        if not x.a > 0:
            raise Undecided("sqrt of a value not positive at t = 0 (not differentiable there)")
        r = self.base.sqrt(x.a)
        return _Dual(r, x.b / (2 * r))

    def pow(self, a: Any, b: Any) -> _Dual:
        return _dual_pow(self.num(a), self.num(b))

    def func(self, name: str, a: Any) -> _Dual:
        raise Undecided(f"ar.func({name!r}) along a direction (no derivative rule)")

    @property
    def pi(self) -> _Dual:
        return _Dual(self.base.pi, XV(Fraction(0)))

    @property
    def e(self) -> _Dual:
        return _Dual(self.base.e, XV(Fraction(0)))

    def _sign(self, z: _Dual) -> int:
        if _exactly_zero(z.a):
            if _exactly_zero(z.b):
                raise Undecided("a derived comparison is equal at t = 0 to first order")
            return 1 if z.b > 0 else -1
        return 1 if z.a > 0 else -1

    def gt(self, a: Any, b: Any) -> bool:
        return self._sign(self.num(a) - self.num(b)) > 0

    def ge(self, a: Any, b: Any) -> bool:  # never equal for small t > 0: as gt
        return self._sign(self.num(a) - self.num(b)) > 0

    def is_zero(self, a: Any) -> bool:
        self._sign(self.num(a))  # Undecided when 0 to first order
        return False

    def max(self, a: Any, b: Any) -> _Dual:
        return self.num(a) if self.ge(a, b) else self.num(b)

    def min(self, a: Any, b: Any) -> _Dual:
        return self.num(b) if self.ge(a, b) else self.num(a)


def _directional_limit(op: Operator, P: Sequence[Fraction], D: Sequence[Fraction], t: Fraction,
                       ar: HybridArith) -> list[XV]:
    """``lim_{s->0+} F_t(P + s D)`` of an algorithm that is not ``order_based``: Theorem V.3' (the
    entries compare as ``P + s D``, every derived comparison strict at ``P``), else V.3'' (a derived
    comparison equal at ``P`` decided by its derivative along ``D``). Undecided when neither
    applies."""
    alg = exact_algorithm(op)
    entries = [_TieBroken(a, b) for a, b in zip(P, D, strict=True)]
    try:
        return [lift(v) for v in alg(list(entries), t, HybridArith(ar.prec, strict=True))]
    except Undecided:
        pass
    try:
        out = alg(list(entries), t, cast("Arith", _DualArith(HybridArith(ar.prec))))  # an Arith in all but name
    except (NotWellDefined, ZeroDivisionError) as exc:  # at t = 0 on the path: no limit from here
        raise Undecided(f"the path's value at t = 0 is undefined ({exc})") from None
    return [_Dual.of(v).a for v in out]


def certify_vector_discontinuity(op: Operator, p0: Sequence[Any], d: Sequence[Any], T: Any, *,
                                 values: Mapping[str, Any] | None = None, open_simplex: bool = True,
                                 notes: list[str] | None = None) -> Counterexample | None:
    """Discontinuity of an order-based vector operator at ``p0`` along the direction ``d``.

    For ``op.order_based`` operators (the output depends on ``p`` through the order of its
    entries, ties to the lower index, and continuously on ``p`` within each order class;
    docs/theory/vector.md), ``lim_{t->0+} F_T(p0 + t d)`` is the algorithm evaluated at ``p0``
    permuted so that index-order tie-breaking realises the order of ``p0 + t d``, then
    un-permuted. A discontinuity is certified where that limit differs from ``F_T(p0)``.
    """
    if op.kind != "vector" or op.algorithm is None:
        note(notes, "directional limits are computed for vector operators with an algorithm")
        return None
    order_based = bool(getattr(op, "order_based", False))
    P = _exact_p(op, p0, open_simplex, notes)
    t = _exact_T(T, notes)
    vals = exact_values(op, values, notes)
    if P is None or t is None or vals is None:
        return None
    D = [frac(v) for v in d]
    if len(D) != len(P) or sum(D) != 0 or all(v == 0 for v in D):
        note(notes, "d must be a non-zero vector of V exact entries summing to 0")
        return None
    if any(P[k] == 0 and D[k] < 0 for k in range(len(P))):
        note(notes, "p0 + t d leaves the simplex for every t > 0")
        return None
    sigma = _direction_order(P, D) if order_based else list(range(len(P)))
    Q = [P[k] for k in sigma]

    def attempt(ar: HybridArith) -> _Sides | None:
        # Theorem V.3 needs every derived comparison of the forced program to be strict
        # (else Theorems V.3' and V.3'' of docs/theory/vector.md: entries that compare as p0 + t d)
        strict = HybridArith(ar.prec, strict=True)
        out = ([lift(v) for v in exact_algorithm(op)(list(Q), t, strict)] if order_based
               else _directional_limit(op, P, D, t, ar))
        L: list[XV] = [XV(Fraction(0))] * len(P)
        for r, k in enumerate(sigma):
            L[k] = out[r]
        F0 = [lift(v) for v in exact_algorithm(op)(list(P), t, ar)]
        sides = _largest_gap(L, F0, ar.hint, "limit vs value")
        if sides is not None:
            sides.info["L"] = L
        return sides

    try:
        decided = _decide(attempt, notes)
    except TypeError as exc:  # the algorithm computes or compares outside the arithmetic's contract
        note(notes, f"the algorithm does not run on entries that only compare: {exc}")
        return None
    if decided is None:
        return None
    prec, s, _ = decided
    i = _required(s.i, "index")
    if not _mp_agrees(op, P, t, vals, {i: s.rhs}, notes) or (
            order_based and not _mp_agrees(op, Q, t, vals, {sigma.index(i): s.lhs}, notes)):
        return None
    # evidence: F(p0 + t_k d) approaches the limit
    neg = [P[k] / -D[k] for k in range(len(P)) if D[k] < 0]
    scale = min([Fraction(1)] + [v / 2 for v in neg])
    L_exact_free = s.info["L"]

    def point(k: int) -> tuple[list[Fraction], Fraction]:
        tk = scale / 2**k
        return [a + tk * b for a, b in zip(P, D, strict=True)], t

    ev = _evidence_vec(op, vals, L_exact_free, s.info["gap"], [(k, functools.partial(point, k)) for k in EVIDENCE_K],
                       notes)
    if ev is None:
        return None
    tq = format_fraction(t)
    body = (f"p = {list_code(P)}; d = {list_code(D)}; e = Q(1, 2**64); "
            f"print(evaluate_mp(op, [a + e*b for a, b in zip(p, d)], {fraction_code(t)})[{i}], "
            f"evaluate_mp(op, p, {fraction_code(t)})[{i}])")
    return _make(op, statement=f"F_T is discontinuous at p: lim_{{t->0+}} F_T(p + t*d)_{i} != F_T(p)_{i} at T = {tq}",
                 P=P, T=tq, decided=decided, reproduce=snippet(op, vals, body), vals=vals, relation="!=",
                 limit=f"lim_{{t->0+}} F_T(p + t*d), d = {_vec_str([sp.Rational(v.numerator, v.denominator) for v in D])}",
                 certified_suffix=("; one-sided limit from the order class of p + t*d ("
                                   + ("order_based operator" if order_based else
                                      "the algorithm run with the entries compared as p + t*d for small t, and every derived "
                                      "comparison equal at p decided by its derivative along d, Theorems V.3' and V.3''")
                                   + f", docs/theory/vector.md); {ev}"))


# -- a jump somewhere in a segment of T (Theorem V.3''') -------------------------------------------


class _Box:
    """A real number known only to lie in an Arb ball (the algorithm's value for some T of a
    segment): arithmetic only; a Python comparison, truth value or float is refused — a branch on
    such a value would be decided for the whole segment at once (the contract: derived comparisons
    go through ``ar``)."""

    __slots__ = ("a",)
    #: the refusals and undecided operations raised by values since the run began: an algorithm that
    #: catches one and goes on takes a path no arithmetic chose, and its run is discarded
    raised: list[str] = []

    def __init__(self, a: Any) -> None:
        self.a = a

    @classmethod
    def _raise(cls, exc: Exception) -> Any:
        cls.raised.append(str(exc))
        raise exc

    @staticmethod
    def of(v: Any) -> Any:
        if isinstance(v, _Box):
            return v.a
        if isinstance(v, bool) or not isinstance(v, (int, Fraction)):
            _Box._raise(TypeError(f"a segment value combines with exact rationals only, not {type(v).__name__}"))
        return ball_of(Fraction(v))

    def __add__(self, o: Any) -> _Box:
        return _Box(self.a + self.of(o))

    __radd__ = __add__

    def __sub__(self, o: Any) -> _Box:
        return _Box(self.a - self.of(o))

    def __rsub__(self, o: Any) -> _Box:
        return _Box(self.of(o) - self.a)

    def __mul__(self, o: Any) -> _Box:
        return _Box(self.a * self.of(o))

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> _Box:
        d = self.of(o)
        if d.contains(0):
            self._raise(Undecided("a divisor whose ball contains 0 on the segment"))
        return _Box(self.a / d)

    def __rtruediv__(self, o: Any) -> _Box:
        return _Box(self.of(o)) / self

    def __neg__(self) -> _Box:
        return _Box(-self.a)

    def __pos__(self) -> _Box:
        return self

    def __abs__(self) -> _Box:
        return _Box(abs(self.a))

    def __pow__(self, k: Any) -> _Box:
        if isinstance(k, bool) or not isinstance(k, int):
            self._raise(TypeError("a segment value to a power other than a Python int: use ar.pow"))
        if k < 0 and self.a.contains(0):
            self._raise(Undecided("a negative power of a ball that contains 0"))
        return _Box(self.a ** k)

    def _refuse(self, *_: Any) -> Any:
        return self._raise(TypeError("a value of the algorithm compared, tested or converted outside the "
                                     "arithmetic (ar.gt, ar.ge)"))

    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _refuse
    __bool__ = __float__ = __int__ = __index__ = __complex__ = __round__ = __trunc__ = __floor__ = __ceil__ = _refuse
    __rpow__ = __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __divmod__ = __rdivmod__ = _refuse
    __hash__ = None  # type: ignore[assignment]

    def __getattr__(self, name: str) -> Any:  # (only for names a _Box does not have: refused and remembered)
        return self._raise(AttributeError(f"a segment value has no attribute {name!r}"))


#: the named functions a segment run evaluates: continuous on the whole real line (no pole for a
#: ball to straddle, no step to hide)
_EVERYWHERE_CONTINUOUS = frozenset({"sin", "cos", "sinh", "cosh", "tanh", "atan", "erf"})


class _ForcedArith(Arith):
    """Arb balls over a segment of ``T``; the first derived comparison the balls cannot decide is
    answered ``choice`` (recorded in ``forced``), a second one raises: every ``T`` of the segment
    then takes this run's path or the other choice's (Theorem V.3''' of docs/theory/vector.md)."""

    name = "arb-segment"

    def __init__(self, choice: bool) -> None:
        self.choice = choice
        self.forced: str | None = None

    def num(self, v: Any) -> _Box:
        return _Box(_Box.of(v))

    def _positive(self, a: Any, what: str) -> Any:
        b = self.num(a).a
        if not b > 0:
            raise Undecided(f"{what} of a ball not certainly positive on the segment")
        return b

    def log(self, a: Any) -> _Box:
        return _Box(self._positive(a, "log").log())

    def exp(self, a: Any) -> _Box:
        return _Box(self.num(a).a.exp())

    def sqrt(self, a: Any) -> _Box:
        b = self.num(a).a
        if not b >= 0:
            raise Undecided("sqrt of a ball not certainly >= 0 on the segment")
        return _Box(b.sqrt())

    def pow(self, a: Any, b: Any) -> _Box:
        return _Box((self.num(b).a * self._positive(a, "a real power").log()).exp())

    def max(self, a: Any, b: Any) -> _Box:
        return _Box(self.num(a).a.max(self.num(b).a))

    def min(self, a: Any, b: Any) -> _Box:
        return _Box(self.num(a).a.min(self.num(b).a))

    def _branch(self, certain: bool, impossible: bool, what: str) -> bool:
        if certain or impossible:
            return certain
        if self.forced is not None:
            raise Undecided(f"a second comparison undecided on the segment ({what})")
        self.forced = what
        return self.choice

    def gt(self, a: Any, b: Any) -> bool:
        x, y = self.num(a).a, self.num(b).a
        return self._branch(bool(x > y), bool(x <= y), "gt")

    def ge(self, a: Any, b: Any) -> bool:
        x, y = self.num(a).a, self.num(b).a
        return self._branch(bool(x >= y), bool(x < y), "ge")

    def is_zero(self, a: Any) -> bool:
        x = self.num(a).a
        return self._branch(bool(x.is_zero()), not x.contains(0), "is_zero")

    def func(self, name: str, a: Any) -> _Box:
        if name not in _EVERYWHERE_CONTINUOUS:
            raise Undecided(f"ar.func({name!r}) on a segment: {sorted(_EVERYWHERE_CONTINUOUS)} only")
        return _Box(getattr(self.num(a).a, name)())

    @property
    def pi(self) -> _Box:
        return _Box(flint.arb.pi())

    @property
    def e(self) -> _Box:
        return _Box(flint.arb(1).exp())


def _segment_run(op: Operator, P: Sequence[Fraction], T1: Fraction, T2: Fraction, prec: int,
                 choice: bool) -> list[Any] | None:
    """The algorithm at ``P`` for all ``T`` in ``[T1, T2]`` at once, the one undecided comparison
    answered ``choice``: the outputs' balls, or None (no comparison undecided, two of them, or an
    operation undecided on the segment)."""
    old = flint.ctx.prec
    flint.ctx.prec = prec
    _Box.raised = []
    try:
        ar = _ForcedArith(choice)
        out = exact_algorithm(op)(list(P), _Box(ball_of(T1).union(ball_of(T2))), ar)
        if ar.forced is None or len(out) != len(P) or _Box.raised:
            return None
        balls = [_Box.of(v) for v in out]
        return balls if all(b.is_finite() for b in balls) and not _Box.raised else None
    except Exception:  # noqa: BLE001 - user code raising on the segment: no run, no certificate
        return None
    finally:
        flint.ctx.prec = old


def _ball_enclosure(b: Any) -> Enclosure:
    return Enclosure(ball=b.str(radius=True), decimal=b.str(50, radius=False, more=True))


def certify_T_segment_jump(op: Operator, p: Sequence[Any], T1: Any, T2: Any, *, open_simplex: bool = True,
                           notes: list[str] | None = None) -> Counterexample | None:
    """``T -> F_T(p)`` is discontinuous somewhere in ``[T1, T2]`` (Theorem V.3''' of
    docs/theory/vector.md): run over the whole segment at once in Arb, the algorithm meets exactly
    one comparison its balls cannot decide; each answer gives a run whose other comparisons are all
    decided, so every ``T`` of the segment follows one of the two runs and ``F_T(p)_i`` lies in one
    of their two balls ``X``, ``Y`` — disjoint — with ``F_T1(p)_i`` outside ``Y`` and ``F_T2(p)_i``
    outside ``X``. A continuous ``F_T(p)_i`` would map the connected segment into one of them.
    Where the jump is (an irrational ``T``, say) is not said."""
    if op.kind != "vector" or op.algorithm is None or op.params:
        note(notes, "a jump in a segment of T is certified for vector operators with an algorithm")
        return None
    P = _exact_p(op, p, open_simplex, notes)
    t1, t2 = _exact_T(T1, notes), _exact_T(T2, notes)
    if P is None or t1 is None or t2 is None:
        return None
    if not t1 < t2:
        note(notes, "the segment needs T1 < T2")
        return None
    q1, q2 = format_fraction(t1), format_fraction(t2)
    for prec in PRECISIONS:
        A, B = _segment_run(op, P, t1, t2, prec, True), _segment_run(op, P, t1, t2, prec, False)
        if A is None or B is None:
            continue
        ar = HybridArith(prec)
        try:
            with ar.active():
                V1 = [lift(v) for v in exact_algorithm(op)(list(P), t1, ar)]
                V2 = [lift(v) for v in exact_algorithm(op)(list(P), t2, ar)]
        except Exception:  # noqa: BLE001 - user code failing at an end of the segment: no certificate
            continue
        F1, F2 = [v.ball for v in V1], [v.ball for v in V2]
        for i in range(len(P)):
            for X, Y, label in ((A, B, "True"), (B, A, "False")):
                if X[i].overlaps(Y[i]) or F1[i].overlaps(Y[i]) or F2[i].overlaps(X[i]):
                    continue
                if not (_segment_evidence(op, P, t1, t2, X[i], Y[i], i, prec, notes)
                        and _mp_agrees(op, P, t1, {}, {i: V1[i]}, notes) and _mp_agrees(op, P, t2, {}, {i: V2[i]}, notes)):
                    return None
                body = (f"p = {list_code(P)}; print(evaluate_mp(op, p, {fraction_code(t1)})[{i}], "
                        f"evaluate_mp(op, p, {fraction_code(t2)})[{i}])")
                return Counterexample(
                    statement=(f"T -> F_T(p)_{i} is discontinuous at some T in [{q1}, {q2}]: on the segment it "
                               f"lies in two disjoint balls, at T = {q1} in the first, at T = {q2} in the second"),
                    p=tuple(format_fraction(v) for v in P), V=len(P), T=q1, T2=q2, i=i, j=None, values=(),
                    limit=f"jump in T in [{q1}, {q2}], the undecided comparison answered {label} at T1",
                    lhs=_ball_enclosure(X[i]), rhs=_ball_enclosure(Y[i]), relation="!=",
                    certified_by=(f"Arb at {prec} bits over the segment [{q1}, {q2}] of T, the one comparison the "
                                  "balls leave open answered both ways, the two runs' balls disjoint and each end "
                                  "in its own: Theorem V.3''' (docs/theory/vector.md)"),
                    reproduce=snippet(op, {}, body))
    note(notes, f"no certified jump in T in [{q1}, {q2}]")
    return None


def _segment_evidence(op: Operator, P: Sequence[Fraction], t1: Fraction, t2: Fraction, X: Any, Y: Any, i: int,
                      prec: int, notes: list[str] | None) -> bool:
    """Evidence against an algorithm that breaks the arithmetic's contract: at nine rationals of the
    segment the certified point value of ``F_T(p)_i`` lies in one of the two balls."""
    ar = HybridArith(prec)
    for k in range(1, 10):
        t = t1 + (t2 - t1) * k / 10
        try:
            with ar.active():
                v = lift(exact_algorithm(op)(list(P), t, ar)[i]).ball
        except (Undecided, NotWellDefined, ArithmeticError):
            continue
        except Exception:  # noqa: BLE001 - user code failing inside the segment: no evidence, no certificate
            return False
        if not (X.contains(v) or Y.contains(v)):
            note(notes, f"F_T(p)_{i} at T = {format_fraction(t)} lies in neither ball of the segment's two runs: "
                 "the algorithm does not compute one function in every arithmetic; refusing to certify")
            return False
    return True


def _evidence_vec(op: Operator, vals: Mapping[str, Fraction], L: Sequence[XV], gap: float,
                  points: Sequence[tuple[int, Callable[[], tuple[list[Fraction], Fraction]]]],
                  notes: list[str] | None) -> str | None:
    ds: list[tuple[int, float]] = []
    for k, make in points:
        P, t = make()
        if any(v <= 0 for v in P):
            continue
        F = _F_at(op, P, t, vals, max(DISPLAY_PREC, k + 128))
        if F is None:
            continue
        with HybridArith(DISPLAY_PREC).active():
            ds.append((k, _distance_upper(F, L)))
    if len(ds) < 3:
        note(notes, f"too few evaluations along p + t_k d to confirm the limit ({len(ds)})")
        return None
    first, last = ds[0][1], ds[-1][1]
    if not (last <= gap / 4 and last <= max(first, gap / 1000)):
        note(notes, "F(p + t_k d) does not approach the computed limit: "
             + ", ".join(f"{v:.3g}" for _, v in ds) + f" (gap {gap:.3g}); refusing to certify")
        return None
    return ("confirmed along t_k = 2^-k, k = " + ", ".join(str(k) for k, _ in ds)
            + ": max_i |F(p + t_k d) - limit| <= " + ", ".join(f"{v:.2g}" for _, v in ds))

# =============================================================================================
# Shrinking: the per-axiom driver (the search itself is skd.verify.shrink)
# =============================================================================================


def _late(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline


def _shrink_ranking(op: Operator, ce: Counterexample, vals: Mapping[str, Any], strict: bool, open_simplex: bool,
                    deadline: float | None) -> Counterexample:
    P = [Fraction(v) for v in ce.p]
    T = Fraction(_required(ce.T, "temperature"))
    i, j = _required(ce.i, "index i"), _required(ce.j, "index j")

    def cert(P_: Sequence[Fraction], T_: Fraction, i_: int, j_: int) -> Counterexample | None:
        return certify_ranking(op, P_, T_, i_, j_, strict=strict, values=vals, open_simplex=open_simplex)

    def at_p(P_: Sequence[Fraction]) -> Callable[[Fraction], bool]:
        return lambda t: cert(P_, t, i, j) is not None

    def at_t(T_: Fraction) -> Callable[[list[Fraction]], bool]:
        return lambda c: cert(c, T_, i, j) is not None

    best = ce
    if op.kind == "separable":
        for cand, a, b in pair_reductions(P, i, j):
            if _late(deadline):
                break
            c = cert(cand, T, a, b)
            if c is not None:
                P, i, j, best = cand, a, b, c
                break
    for _ in range(2):
        T0, P0 = T, P
        T = simplify_fraction(T, at_p(P), prefer=simple_temperatures(T), deadline=deadline)
        P = shrink_vector(P, at_t(T), open_simplex=open_simplex, deadline=deadline)
        if (T, P) == (T0, P0):
            break
    return cert(P, T, i, j) or best


def _shrink_identity(op: Operator, ce: Counterexample, vals: Mapping[str, Any], open_simplex: bool,
                     deadline: float | None) -> Counterexample:
    P = [Fraction(v) for v in ce.p]

    def cert_id(P_: Sequence[Fraction]) -> Counterexample | None:
        return certify_identity(op, P_, vals, open_simplex=open_simplex)

    best = ce
    if op.kind == "separable":
        for cand, _ in index_reductions(P, _required(ce.i, "index i")):
            if _late(deadline):
                break
            c = cert_id(cand)
            if c is not None:
                P, best = cand, c
                break
    P = shrink_vector(P, lambda c: cert_id(c) is not None, open_simplex=open_simplex, deadline=deadline)
    return cert_id(P) or best


def _shrink_entropy(op: Operator, ce: Counterexample, vals: Mapping[str, Any], open_simplex: bool,
                    deadline: float | None) -> Counterexample:
    P = [Fraction(v) for v in ce.p]
    T1, T2 = Fraction(_required(ce.T, "temperature T1")), Fraction(_required(ce.T2, "temperature T2"))

    def cert_h(P_: Sequence[Fraction], a: Fraction, b: Fraction) -> Counterexample | None:
        return certify_entropy(op, P_, a, b, vals, open_simplex=open_simplex)

    T1 = simplify_fraction(T1, lambda t: t < T2 and cert_h(P, t, T2) is not None, prefer=simple_temperatures(T1),
                           deadline=deadline)
    T2 = simplify_fraction(T2, lambda t: T1 < t and cert_h(P, T1, t) is not None, prefer=simple_temperatures(T2),
                           deadline=deadline)
    P = shrink_vector(P, lambda c: cert_h(c, T1, T2) is not None, open_simplex=open_simplex, deadline=deadline)
    return cert_h(P, T1, T2) or ce


def _shrink_well_defined(op: Operator, ce: Counterexample, vals: Mapping[str, Any], open_simplex: bool,
                         deadline: float | None) -> Counterexample:
    P = [Fraction(v) for v in ce.p]
    T = Fraction(_required(ce.T, "temperature"))

    def cert_w(P_: Sequence[Fraction], T_: Fraction) -> Counterexample | None:
        return certify_well_defined(op, P_, T_, vals, open_simplex=open_simplex)

    best = ce
    if op.kind == "separable" and ce.i is not None:
        for cand, _ in index_reductions(P, ce.i):
            if _late(deadline):
                break
            c = cert_w(cand, T)
            if c is not None:
                P, best = cand, c
                break
    T = simplify_fraction(T, lambda t: cert_w(P, t) is not None, prefer=simple_temperatures(T), deadline=deadline)
    P = shrink_vector(P, lambda c: cert_w(c, T) is not None, open_simplex=open_simplex, deadline=deadline)
    return cert_w(P, T) or best


def shrink(op: Operator, axiom_id: str, ce: Counterexample, *, profile: str = "paper",
           values: Mapping[str, Any] | None = None, deadline: float | None = None) -> Counterexample:
    """A simpler counterexample for a pointwise axiom (ranking, identity, entropy, well_defined):
    fewer classes for separable operators, then simpler temperatures and entries of ``p``; every
    step is re-certified. Other axioms are returned unchanged."""
    open_simplex = profile != "closed"
    vals = dict(ce.values) if ce.values else dict(values or {})
    if axiom_id == "ranking":
        return _shrink_ranking(op, ce, vals, profile != "weak", open_simplex, deadline)
    if axiom_id == "identity":
        return _shrink_identity(op, ce, vals, open_simplex, deadline)
    if axiom_id == "entropy":
        return _shrink_entropy(op, ce, vals, open_simplex, deadline)
    if axiom_id == "well_defined":
        return _shrink_well_defined(op, ce, vals, open_simplex, deadline)
    return ce
