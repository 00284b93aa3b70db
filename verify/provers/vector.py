"""The prover for vector operators declared by an algorithm: ``well_defined``, ``ranking`` and
``identity`` on the declared sizes.

Issue 14. For each declared size ``V`` and each order class of ``V`` positive entries (ties
included: the open simplex), :func:`skd.verify.symexec.pieces` runs the algorithm symbolically
and returns its pieces (path condition, outputs). On each piece:

* ``well_defined``: the outputs sum to exactly 1 and each is ``>= 0`` — directly by its sign, as
  an even power, or as ``λ c + r`` with ``c >= 0`` a condition of the path (the form the
  thresholds of sparsemax take);
* ``ranking``: each output of a group of tied entries exceeds each output of the next group down
  (strict, so the weak profile's ``>=`` too), by its sign or ``λ c + r``; that ``F`` is defined
  is the lemma ``well_defined``, which :mod:`skd.verify.prove` requires before it;
* ``identity``: at ``T = 1``, with the class's values scaled to sum to 1, each output equals its
  entry identically — or a condition of the piece contradicts itself there (no point of the
  simplex takes the piece at ``T = 1``); ``well_defined`` is required as a lemma after the pieces
  pass.

If every piece passes, the outcome is ``proved`` with the scope ``V in {sizes}``; the independent
kernel for vector operators (:mod:`skd.verify.kernel_vector`) re-runs the algorithm on its own
arithmetic and re-checks every piece before anyone sees it. The first piece that does not pass
ends the search with ``unknown`` naming it (the built-ins fail ranking and identity on their
first classes, at no cost); refutations are the certified search's.

Continuity, entropy and the limits: the built-ins' are proved for every ``V`` by theorem
(:mod:`skd.verify.provers.theorems`, which is also tried first for ``well_defined``); a user's,
on the declared sizes, by :class:`skd.verify.provers.vector_forms.FormProver` when the algorithm
compares nothing or every piece has a recognised form (Theorems U.0-U.3 of docs/theory/vector.md);
else ``unknown`` unless refuted. The helpers that module shares with this one (the class's chained
symbols, the pieces' settling and pinning, signs on a piece) are public here for it. Proving for all positive
vectors proves it on the open simplex (a subset); the closed simplex (zeros) is out of scope
here (the dispatcher answers ``unknown`` for that profile before any prover runs).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import sympy as sp

from skd.operators.kinds import spec_of
from skd.operators.symbols import T

from ..outcome import LemmaFn, Outcome
from ..signs import Sign, number_sign, sign_of
from ..symexec import Condition, NotSymbolic, OrderClass, PathLimit, Piece, Settle, order_classes, pieces
from ..verdict import Step
from .theorems import THEOREM_SCOPE

if TYPE_CHECKING:  # annotations only
    from skd.operators.declare import Operator
    from skd.theory.axioms import Profile

__all__ = ["MAX_PATHS", "identically_zero", "in_order", "logs_split", "nonneg_on_piece", "pinned", "prove_identity_vector",
           "prove_ranking_vector", "prove_well_defined_vector", "settler", "values_of"]

#: more paths than this on one order class: unknown (the kernel's own bound is the same)
MAX_PATHS = 512


@functools.lru_cache(maxsize=20_000)
def logs_split(e: sp.Expr) -> sp.Expr:
    """``e`` with logarithms of products of positive factors split, expanded (pure: memoised,
    the pieces of one class share most of their expressions)."""
    return sp.expand(sp.expand_log(e, force=False))


def _order_substitution(order: OrderClass) -> dict[sp.Symbol, sp.Expr]:
    """The group values as ``a * exp(d_k + ...)`` (the last group ``a``; ``a, d_k > 0``): order
    facts become sign facts about positive symbols, ``log(p_i/p_j)`` a sum of ``d``'s."""
    m = len(order.groups)
    a = sp.Symbol("_pa", positive=True)
    sub: dict[sp.Symbol, sp.Expr] = {}
    gap: sp.Expr = sp.Integer(0)
    for k in range(m - 1, -1, -1):
        if k < m - 1:
            gap = gap + sp.Symbol(f"_pd{k}", positive=True)
        sub[order.symbol(k)] = a * sp.exp(gap)
    return sub


@functools.lru_cache(maxsize=20_000)
def in_order(e: sp.Expr, order: OrderClass) -> sp.Expr:
    """``e`` in the chained symbols of ``order`` (memoised: the paths of a class share expressions)."""
    return e.xreplace(_order_substitution(order))


@functools.lru_cache(maxsize=20_000)
def _constant_part(e: sp.Expr) -> sp.Expr:
    """``e`` (log-split) with every logarithm and every symbol but ``T`` set to 0: the part that no
    entry of ``p`` moves (meaningful for forms linear in the logarithms and gaps)."""
    e = e.xreplace({a: 0 for a in e.atoms(sp.log)})
    return e.xreplace({v: 0 for v in e.free_symbols if v != T})


@functools.lru_cache(maxsize=20_000)
def _sign_nonneg(e: sp.Expr) -> bool:
    """``e >= 0`` for every positive value of its (positive) symbols, by SymPy's assumptions."""
    split = logs_split(e)
    if split == 0 or split.is_nonnegative is True or sp.factor_terms(split).is_nonnegative is True:
        return True
    try:
        return sign_of(e) in ("pos", "zero") or sign_of(split) in ("pos", "zero")
    except ValueError:  # a symbol that is not positive: no sign
        return False


@functools.lru_cache(maxsize=20_000)
def nonneg_on_piece(o: sp.Expr, conditions: tuple[Condition, ...]) -> bool:
    if o.is_number:
        return bool(o.is_nonnegative)
    if isinstance(o, sp.Pow) and o.exp.is_Integer and o.exp % 2 == 0:
        return True
    if _sign_nonneg(o):
        return True
    split = logs_split(o)
    return _by_pairs(split, strict=False) or _by_one_condition(split, conditions, strict=False)


def _by_one_condition(lin: sp.Expr, conditions: tuple[Condition, ...], *, strict: bool) -> bool:
    """``lin >= 0`` (``strict``: ``> 0``) as ``λ c + r`` with ``c`` a path condition (``<``/``<=``
    ones as ``-c``), ``λ >= 0`` rational from the constant parts and ``r`` of proved sign: ``r >= 0``;
    strictly, ``r > 0``, or ``r = 0`` with ``λ > 0`` and ``c > 0``."""
    o0 = _constant_part(lin)
    for c in conditions:
        if c.rel not in (">", ">=", "<", "<="):
            continue
        cl = logs_split(c.expr if c.rel in (">", ">=") else -c.expr)
        c0 = _constant_part(cl)
        if c0 == 0:
            continue
        lam = sp.cancel(o0 / c0)
        if not (lam.is_Rational and lam >= 0):
            continue
        r = sp.expand(lin - lam * cl)
        if not strict:
            if r == 0 or _sign_nonneg(r):
                return True
            continue
        try:
            rs = "zero" if r == 0 else sign_of(r)
        except ValueError:
            continue
        if rs == "pos" or (rs == "zero" and lam > 0 and c.rel in (">", "<")):
            return True
    return False


def _empty(conds: tuple[Condition, ...]) -> bool:
    """A later condition contradicts an earlier one: ``d = λ c + r`` (``λ > 0``) with the signs
    of ``c`` and ``r`` forcing ``d`` to the other side. Such a path is taken by no point."""
    lin = [logs_split(c.expr) for c in conds]
    const = [_constant_part(e) for e in lin]
    for j, cj in enumerate(conds):
        if cj.rel not in (">", ">=", "<", "<="):
            continue
        for i in range(j):
            ci = conds[i]
            if ci.rel not in (">", ">=", "<", "<=") or not (const[i].is_Rational and const[j].is_Rational):
                continue
            if const[i] == 0 or const[j] == 0:
                continue
            lam = const[j] / const[i]
            if not lam > 0:
                continue
            r = sp.expand(lin[j] - lam * lin[i])
            le0 = ci.rel in ("<", "<=") and (r == 0 or _sign_nonneg(-r))  # d <= 0
            ge0 = ci.rel in (">", ">=") and (r == 0 or _sign_nonneg(r))  # d >= 0
            try:  # d < 0 (> 0) also when r is strictly negative (positive), whatever c's relation
                r_sign = None if r == 0 else sign_of(r)
            except ValueError:
                r_sign = None
            strict = ci.rel in ("<", ">") or (le0 and r_sign == "neg") or (ge0 and r_sign == "pos")
            if le0 and (cj.rel == ">" or (cj.rel == ">=" and strict)):
                return True
            if ge0 and (cj.rel == "<" or (cj.rel == "<=" and strict)):
                return True
    return False


_NEGATED = {">": "<=", ">=": "<", "==": "!="}


@functools.lru_cache(maxsize=20_000)
def _at_most_linear_in_logs(e: sp.Expr) -> bool:
    """No term of ``e`` multiplies two logarithms or raises one to a power."""
    for term in sp.Add.make_args(e):
        logs = 0
        for f in sp.Mul.make_args(term):
            if isinstance(f, sp.log):
                logs += 1
            elif f.has(sp.log):
                return False
        if logs > 1:
            return False
    return True


@functools.lru_cache(maxsize=20_000)
def _has_root(e: sp.Expr) -> bool:
    return any(not a.exp.is_Integer and a.exp.free_symbols == set() for a in e.atoms(sp.Pow))


def settler(order: OrderClass) -> Settle:
    """Decides a comparison of the algorithm when its sign on the whole class is proved
    (:func:`skd.verify.signs.sign_of`) or one earlier condition of the path forces it
    (:func:`_empty`): the other branch is then no path."""

    seen: dict[tuple[sp.Expr, str, tuple[Condition, ...]], bool | None] = {}

    a = sp.Symbol("_pa", positive=True)
    scale = {a: 1 / sp.Add(*[in_order(v, order) / a for v in order.values()])}

    def settle(d: sp.Expr, rel: str, conditions: tuple[Condition, ...]) -> bool | None:
        # the paths of a class replay the same prefixes: each comparison is settled once per class,
        # and once in all, in the chained symbols, for the classes whose questions coincide there
        key = (d, rel, conditions)
        if key not in seen:
            chained = in_order(d, order)
            seen[key] = _settle_chained(chained, rel,
                                        tuple(Condition(in_order(c.expr, order), c.rel) for c in conditions))
            if (seen[key] is None and not chained.has(sp.log) and a in chained.free_symbols
                    and sp.expand(chained.xreplace({a: 2 * a}) - 2 * chained) != 0):  # (homogeneous: nothing to gain)
                seen[key] = _settle_on_simplex(chained.xreplace(scale), rel)
        return seen[key]

    return settle


@functools.lru_cache(maxsize=20_000)
def _settle_on_simplex(e: sp.Expr, rel: str) -> bool | None:
    """``e rel 0`` with the class's scale fixed so that its values sum to 1 (every axiom is about
    the open simplex: a branch none of its points takes is no path), by the sign rules or with the
    gaps written as logarithms."""
    syms = sorted(e.free_symbols, key=lambda x: x.name)
    signs = set()
    levels = (sp.Rational(1, 20), sp.Rational(1, 2), sp.Integer(2), sp.Integer(8))
    for j in range(8):  # a sign that differs at two points: nothing to prove (most of these questions)
        v = sp.N(e.xreplace({x: levels[(j + k * (j // 4 + 1)) % 4] for k, x in enumerate(syms)}), 30)
        if v.is_number and v.is_real and abs(v) > sp.Float(10) ** -20:
            signs.add(bool(v > 0))
        if len(signs) == 2:
            return None
    num, den = sp.fraction(sp.together(e))  # the numerator's sign over the denominator's (a power of the sum)
    try:
        sn = "zero" if sp.expand(num) == 0 else (sign_of(sp.expand(num)) or _sign_with_gaps_as_logs(sp.expand(num)))
        sd = sign_of(den) or _sign_with_gaps_as_logs(den)
    except ValueError:
        return None
    if sn is None or sd not in ("pos", "neg"):
        return None
    sign = sn if sd == "pos" or sn == "zero" else {"pos": "neg", "neg": "pos"}[sn]
    return {">": sign == "pos", ">=": sign != "neg", "==": sign == "zero"}[rel]


def _sign_with_gaps_as_logs(e: sp.Expr) -> Sign | None:
    """The sign of ``e`` (no logarithm) with each gap ``d_k = log(1 + u_k)``, ``u_k > 0``: the
    values become ``a`` times products of ``(1 + u_k)``, and order facts such as "the largest
    entry is at least the mean" polynomials with coefficients of one sign."""
    gaps = [g for g in e.free_symbols if g.name.startswith("_pd")]
    if not gaps:
        return None
    sub = {g: sp.log(1 + sp.Symbol("_pu" + g.name[3:], positive=True)) for g in gaps}
    poly = sp.expand(sp.expand(e.xreplace(sub), power_exp=True, mul=False, multinomial=False, log=False))
    if poly.has(sp.log) or poly.has(sp.exp):
        return None
    return sign_of(poly)


@functools.lru_cache(maxsize=20_000)
def _settle_chained(e: sp.Expr, rel: str, conditions: tuple[Condition, ...]) -> bool | None:
    """The decision of :func:`settler` for ``e rel 0`` after ``conditions``, all in the chained
    symbols of their class (``a, d_k > 0``, :func:`_order_substitution`). A pure function of its
    arguments (the chained symbols carry the class's every fact), so it is memoised across classes:
    a permutation-equivariant algorithm asks the classes of one shape the same questions there."""
    # square roots and products of logarithms (entmax's thresholds): the sign rules rarely decide, slowly
    if e.free_symbols and not _has_root(e) and _at_most_linear_in_logs(logs_split(e)):
        try:
            sign = sign_of(logs_split(e))
            if sign is None and not e.has(sp.log):
                sign = _sign_with_gaps_as_logs(e)
        except ValueError:
            sign = None
        if sign is not None:
            return {">": sign == "pos", ">=": sign != "neg", "==": sign == "zero"}[rel]
    if not conditions or rel == "==" or _has_root(e):
        return None
    # the new comparison against each earlier condition (the earlier ones are consistent)
    for c in conditions:
        if _has_root(c.expr):
            continue
        if not e.has(sp.log) and not c.expr.has(sp.log) and c.rel in (">", ">=", "<", "<="):
            # e = c + r, the sign of r with the gaps as logarithms
            r = sp.expand(e - c.expr)
            try:
                rs = "zero" if r == 0 else sign_of(r) or _sign_with_gaps_as_logs(r)
            except ValueError:
                rs = None
            if c.rel in ("<", "<=") and rs in ("neg", "zero") and (rel == ">" or c.rel == "<" or rs == "neg"):
                return False
            if c.rel in (">", ">=") and rs in ("pos", "zero") and (rel == ">=" or c.rel == ">" or rs == "pos"):
                return True
        if _empty((c, Condition(e, rel))):
            return False
        if _empty((c, Condition(e, _NEGATED[rel]))):
            return True
    return None


@dataclasses.dataclass(frozen=True)
class _Pinned(Piece):
    """A piece whose conditions pin ``c = 0`` (``c == 0``, or ``c >= 0`` with ``-λ c >= 0``): its
    conditions and outputs are in the chained symbols with one gap eliminated (``sub``), the
    equality kept as ``c == 0`` and the eliminated gap's positivity added as a condition."""

    sub: tuple[tuple[sp.Symbol, sp.Expr], ...] = ()


def values_of(piece: Piece) -> list[sp.Expr]:
    """The class's values in the chained symbols, on the piece (an eliminated gap solved)."""
    vals = [in_order(v, piece.order) for v in piece.order.values()]
    sub = dict(getattr(piece, "sub", ()))
    return [v.xreplace(sub) for v in vals] if sub else vals


def _may_be_proportional(a: sp.Expr, b: sp.Expr) -> bool:
    """False when ``b / a`` takes two clearly different values at two points (so it is no number:
    no exact ``cancel``, which is slow on entmax's square roots); True when it may be a number (or
    the points say nothing). The values may be complex (a square root of a negative number at the
    point): an identity ``b = c a`` holds there too. Skipping a pin only leaves a piece unpinned."""
    ratios = []
    for k in (1, 2):
        point = {x: sp.Rational(k + i + 2, 3 * k + 2 * i + 1) for i, x in
                 enumerate(sorted(a.free_symbols | b.free_symbols, key=lambda x: x.name))}
        try:
            va, vb = complex(a.xreplace(point).evalf(30)), complex(b.xreplace(point).evalf(30))
        except (TypeError, ValueError, ArithmeticError):
            return True
        if va == 0 or va != va or vb != vb:  # (a NaN is not equal to itself)
            return True
        ratios.append(vb / va)  # complex where a square root's argument is negative at the point
    if not all(abs(r) < float("inf") for r in ratios):
        return True
    return abs(ratios[0] - ratios[1]) <= 1e-9 * max(1.0, abs(ratios[0]))


@functools.lru_cache(maxsize=20_000)
def _equalities(conds: tuple[tuple[sp.Expr, str], ...]) -> tuple[tuple[sp.Expr, ...], frozenset[int]]:
    """The equalities ``c = 0`` these conditions pin (``==``, or ``c >= 0`` with ``-λ c >= 0``) and
    the indices of the inequality pairs that pin them; memoised (the classes of one shape share
    their paths)."""
    eqs = [e for e, rel in conds if rel == "=="]
    pinned: set[int] = set()
    signed = [(k, logs_split(e if rel == ">=" else -e)) for k, (e, rel) in enumerate(conds) if rel in (">=", "<=")]
    for n, (ka, sa) in enumerate(signed):
        for kb, sb in signed[n + 1:]:
            ratio = sp.cancel(sb / sa) if sa != 0 and _may_be_proportional(sa, sb) else None
            if ratio is not None and ratio.is_number and number_sign(ratio) == "neg" and conds[ka][0] not in eqs:
                eqs.append(conds[ka][0])
                pinned |= {ka, kb}
    return tuple(eqs), frozenset(pinned)


def pinned(piece: Piece) -> Piece | None:
    """``piece`` restricted to the equality its conditions pin, when one does and it is linear in a
    gap with a coefficient of proved sign (the boundary piece of a clipping ``max(w, 0)``); None when
    a condition then has a proved sign against it (no point takes the piece); else ``piece``
    unchanged. Every check of the result holds for all positive values of the remaining
    symbols that meet its conditions, a superset of the piece's points."""
    conds = [Condition(in_order(c.expr, piece.order), c.rel) for c in piece.conditions]
    found, pinned = _equalities(tuple((c.expr, c.rel) for c in conds))
    eqs = list(found)
    if not eqs:
        return piece
    sub: dict[sp.Symbol, sp.Expr] = {}
    positive: list[Condition] = []
    for c in eqs:
        e = logs_split(c.xreplace(sub))
        for g in sorted((g for g in e.free_symbols if g.name.startswith("_pd")), key=lambda g: g.name):
            slope = sp.expand(e.diff(g))
            rest = sp.expand(e - slope * g)
            try:  # a number's sign exactly or by an Arb ball, never by SymPy's assumptions
                slope_sign = number_sign(slope) if slope.is_number else sign_of(slope)
            except ValueError:
                slope_sign = None
            if slope.has(g) or rest.has(g) or slope_sign not in ("pos", "neg"):
                continue
            sol = -rest / slope
            sub = {k: v.xreplace({g: sol}) for k, v in sub.items()}
            positive = [Condition(q.expr.xreplace({g: sol}), q.rel) for q in positive]
            sub[g] = sol
            positive.append(Condition(rest, ">" if slope_sign == "neg" else "<"))
            break
    if not sub:
        return piece
    kept = [Condition(c.expr.xreplace(sub), c.rel) for k, c in enumerate(conds) if k not in pinned and c.rel != "=="]
    for c in kept:  # on the equality a condition may have a proved sign against it: no point takes the piece
        try:
            sign = sign_of(logs_split(c.expr))
        except ValueError:
            continue
        if sign in _CONTRADICTED_BY[c.rel]:
            return None
    outs = tuple(in_order(o, piece.order).xreplace(sub) for o in piece.outputs)
    return _Pinned(piece.order, tuple(kept + positive + [Condition(c, "==") for c in eqs]), outs, piece.path,
                   tuple(sub.items()))


@functools.lru_cache(maxsize=20_000)
def _sums_to_one(total: sp.Expr) -> bool:
    """``total`` is identically 1 (memoised: the classes of one shape share their pieces)."""
    return sp.expand(total - 1) == 0 or sp.expand(sp.fraction(sp.together(total - 1))[0]) == 0


def _piece_problem(piece: Piece) -> str | None:
    """What keeps this piece from the proof, or None when it passes."""
    outs = [in_order(o, piece.order) for o in piece.outputs]
    conds = tuple(Condition(in_order(c.expr, piece.order), c.rel) for c in piece.conditions)
    if not _sums_to_one(sp.Add(*outs)):
        return f"the outputs do not sum to exactly 1 (sum - 1 = {sp.sstr(sp.Add(*piece.outputs) - 1)[:160]})"
    for i, o in enumerate(outs):
        if not nonneg_on_piece(o, conds):
            return f"output {i} = {sp.sstr(piece.outputs[i])[:160]} is not proved >= 0"
    return None


@functools.lru_cache(maxsize=20_000)
def _positive_on_piece(o: sp.Expr, conditions: tuple[Condition, ...]) -> bool:
    """``o > 0`` on the piece: by its sign, or ``λ c + r`` with ``c`` a path condition (``λ > 0``
    and ``c > 0`` strict with ``r >= 0``, or ``λ >= 0`` and ``r > 0``)."""
    if o.is_number:
        return bool(o.is_positive)
    split = logs_split(o)
    try:
        if split.is_positive is True or sign_of(o) == "pos" or sign_of(split) == "pos":
            return True
    except ValueError:  # a symbol that is not positive: no sign
        return False
    return _by_pairs(split, strict=True) or _by_one_condition(split, conditions, strict=True)


def _by_pairs(e: sp.Expr, *, strict: bool) -> bool:
    """``e >= 0`` (``strict``: ``> 0``) as a sum whose terms of no proved positive sign are each
    paired with a positive term, every pair's sum of proved sign ``>= 0``, and (strictly) a pair
    of positive sum or a positive term left over — e.g. ``(s_0 - s_1 + s_2) / S + 1/10`` with
    ``s_0 > s_1``: a larger entry's output raised by a constant (``negative_from_V3``)."""
    terms = sp.Add.make_args(e)
    if not 2 <= len(terms) <= 8:
        return False
    try:
        signs = [sign_of(t) for t in terms]
        free = [i for i, s in enumerate(signs) if s == "pos"]
        strictly = False
        for i, s in enumerate(signs):
            if s in ("pos", "zero"):
                continue
            for j in free:
                pair = sign_of(sp.together(terms[i] + terms[j]))
                if pair in ("pos", "zero"):
                    free.remove(j)
                    strictly = strictly or pair == "pos"
                    break
            else:
                return False
    except ValueError:
        return False
    return not strict or strictly or bool(free)


def _ranking_problem(piece: Piece, weak: bool = False) -> str | None:
    """Ranking on the piece: each output of a group above (``weak``: at least) the outputs of the
    next group down (transitivity covers the groups further down); tied entries are not compared."""
    outs = [in_order(o, piece.order) for o in piece.outputs]
    conds = tuple(Condition(in_order(c.expr, piece.order), c.rel) for c in piece.conditions)
    holds, rel = (nonneg_on_piece, ">= 0") if weak else (_positive_on_piece, "> 0")
    groups = piece.order.groups
    for k in range(len(groups) - 1):
        for i in groups[k]:
            for j in groups[k + 1]:
                if not holds(outs[i] - outs[j], conds):
                    return f"F_{i} - F_{j} = {sp.sstr(piece.outputs[i] - piece.outputs[j])[:160]} (p_{i} > p_{j}) is not proved {rel}"
    return None


def _on_simplex_at_one(piece: Piece) -> dict[sp.Symbol, sp.Expr]:
    """``T = 1`` and the class's scale chosen so that its entries sum to 1 (the chained symbols;
    on a pinned piece, with its eliminated gap solved)."""
    a = sp.Symbol("_pa", positive=True)
    total = sp.Add(*values_of(piece)) / a
    return {T: sp.Integer(1), a: 1 / sp.expand(total)}


_CONTRADICTED_BY = {">": ("neg", "zero"), ">=": ("neg",), "<": ("pos", "zero"), "<=": ("pos",), "==": ("pos", "neg"),
                    "!=": ("zero",)}


def identically_zero(e: sp.Expr) -> bool:
    """``e`` is 0 as an expression: it expands to 0, or — with every ``exp(±d_k)`` of a gap a
    positive symbol ``E_k**±1`` (so a rational function of symbols, whose algebra has no
    assumptions to ask) — its numerator over a common denominator expands to 0. A rational function that is 0 as such is 0 for every
    value of its symbols, in particular for ``E_k = exp(d_k)``. (``together`` / ``cancel`` search
    for common factors first: 55 s for temperature scaling's identity on V <= 5, against seconds.)"""
    if sp.expand(e) == 0:
        return True
    e = sp.expand_power_exp(e)
    sub: dict[sp.Expr, sp.Expr] = {}
    for a in e.atoms(sp.exp):
        arg = a.args[0]
        g = -arg if arg.could_extract_minus_sign() else arg
        if g.is_Symbol and g.name.startswith("_pd"):
            E = sp.Symbol("_pE" + g.name[3:], positive=True)
            sub[a] = E if g == arg else 1 / E
    if sp.expand(e.xreplace(sub).as_numer_denom()[0]) == 0:
        return True
    return sp.expand(sp.fraction(sp.together(e))[0]) == 0  # (exp(2 d) is no E**2: the slow way too)


def _identity_problem(piece: Piece) -> str | None:
    """At ``T = 1`` on the simplex every output equals its entry (identically), or no such point
    takes this piece (a condition's sign there contradicts it)."""
    at = _on_simplex_at_one(piece)
    for c in piece.conditions:
        c1 = in_order(c.expr, piece.order).xreplace(at)
        try:
            sign = "zero" if identically_zero(c1) else sign_of(logs_split(c1))
        except ValueError:
            continue
        if sign in _CONTRADICTED_BY[c.rel]:
            return None
    for i, (o, v) in enumerate(zip(piece.outputs, values_of(piece), strict=True)):
        d = (in_order(o, piece.order) - v).xreplace(at)
        if not identically_zero(d):
            return f"at T = 1 on the simplex, output {i} = {sp.sstr(o.xreplace({T: 1}))[:160]} is not p_{i}"
    return None


def _prove_on_pieces(op: Operator, problem: Callable[[Piece], str | None], claim: str) -> Outcome:
    """``problem`` on every piece of every order class of every declared size: proved when it
    finds none (the statement ``claim`` per size), else unknown naming the first one."""
    if op.algorithm is None:
        return Outcome("unknown", "symbolic execution", reason="a vector operator without an algorithm",
                       reason_kind="unsupported")
    sizes = tuple(sorted(set(op.sizes)))
    scope = spec_of(op).scope(op)  # the vector kind's wording of its declared sizes
    steps: list[Step] = []
    for Vn in sizes:
        n_classes = n_pieces = 0
        for order in order_classes(Vn):
            try:
                found = [q for pc in pieces(op.algorithm, order, max_paths=MAX_PATHS, settle=settler(order))
                         if (q := pinned(pc)) is not None]
            except (NotSymbolic, PathLimit) as exc:
                return Outcome("unknown", "symbolic execution", reason=f"V = {Vn}, order class {order.groups}: {exc}",
                               reason_kind="unsupported", scope=scope)
            for piece in found:
                found_problem = problem(piece)
                if found_problem is not None:
                    return Outcome("unknown", "symbolic execution",
                                   reason=f"V = {Vn}, order class {order.groups}, path {list(piece.path)}: {found_problem}",
                                   reason_kind="undecided", scope=scope)
            n_classes += 1
            n_pieces += len(found)
        steps.append(Step(f"V = {Vn}: on each of the {n_pieces} pieces of the {n_classes} order classes (ties included), "
                          + claim, "vector_pieces", (("V", str(Vn)),)))
    return Outcome("proved", "symbolic execution of the algorithm (pieces per order class)", steps=steps, scope=scope)


def prove_well_defined_vector(op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
    """Every piece of every order class of every declared size: outputs summing to 1, each ``>= 0``."""
    return _prove_on_pieces(op, _piece_problem, "the outputs sum to exactly 1 and each is >= 0")


def prove_ranking_vector(op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
    """Ranking as the profile states it (strict, or the weak profile's ``>=``) on every piece of
    every order class; that ``F`` is defined there is the lemma ``well_defined``
    (:func:`skd.verify.prove.prove` requires it)."""
    if profile is not None and not profile.strict_ranking:
        return _prove_on_pieces(op, functools.partial(_ranking_problem, weak=True),
                                "an entry larger than another has an output at least as large")
    return _prove_on_pieces(op, _ranking_problem, "an entry larger than another has the larger output")


def prove_identity_vector(op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
    """``F_1(p) = p`` on the simplex: on every piece taken at ``T = 1``, each output is its entry.
    ``F`` must be defined: ``well_defined`` is required as a lemma here (the dispatcher does not
    ask for it for identity), after the pieces pass (an operator that fails them, such as every
    built-in, does not pay for the lemma)."""
    out = _prove_on_pieces(op, _identity_problem, "at T = 1 on the simplex each output equals its entry "
                           "(or no point of the simplex takes the piece at T = 1)")
    if out.status != "proved":
        return out
    wd = lemma("well_defined", op)
    if wd.status != "proved" or wd.scope not in (out.scope, THEOREM_SCOPE):  # by theorem: every V
        return Outcome("unknown", "symbolic execution", reason="identity presupposes that F is defined (well_defined), "
                       f"which is not proved on {out.scope}", reason_kind="undecided", scope=out.scope)
    step = Step(spec_of(op).defined_lemma, "lemma", (("axiom", "well_defined"),))
    return Outcome(out.status, out.method, steps=[step, *out.steps], scope=out.scope)
