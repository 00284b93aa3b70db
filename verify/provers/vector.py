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
on the declared sizes, by :class:`FormProver` when every piece has a recognised form (the
power-softening ``p**beta`` on a kept set, or sparsemax of ``beta log p``, with one exponent
``beta = c T**(-k)``: Theorems U.1, U.2 of docs/theory/vector.md); else ``unknown`` unless
refuted. Proving for all positive
vectors proves it on the open simplex (a subset); the closed simplex (zeros) is out of scope
here (the dispatcher answers ``unknown`` for that profile before any prover runs).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING

import sympy as sp

from skd.operators.kinds import spec_of
from skd.operators.symbols import T

from ..outcome import LemmaFn, Outcome
from ..signs import Sign, number_sign, sign_of
from ..symexec import Condition, Entry, NotSymbolic, OrderClass, PathArith, PathLimit, Piece, Settle, order_classes, pieces
from ..verdict import Step
from .theorems import THEOREM_SCOPE

if TYPE_CHECKING:  # annotations only
    from skd.operators.declare import Operator
    from skd.theory.axioms import Profile

__all__ = ["FormProver", "prove_identity_vector", "prove_ranking_vector", "prove_well_defined_vector"]

#: more paths than this on one order class: unknown (the kernel's own bound is the same)
MAX_PATHS = 512


@functools.lru_cache(maxsize=20_000)
def _logs_split(e: sp.Expr) -> sp.Expr:
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
def _in_order(e: sp.Expr, order: OrderClass) -> sp.Expr:
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
    split = _logs_split(e)
    if split == 0 or split.is_nonnegative is True or sp.factor_terms(split).is_nonnegative is True:
        return True
    try:
        return sign_of(e) in ("pos", "zero") or sign_of(split) in ("pos", "zero")
    except ValueError:  # a symbol that is not positive: no sign
        return False


@functools.lru_cache(maxsize=20_000)
def _nonneg_on_piece(o: sp.Expr, conditions: tuple[Condition, ...]) -> bool:
    if o.is_number:
        return bool(o.is_nonnegative)
    if isinstance(o, sp.Pow) and o.exp.is_Integer and o.exp % 2 == 0:
        return True
    if _sign_nonneg(o):
        return True
    return _by_one_condition(_logs_split(o), conditions, strict=False)


def _by_one_condition(lin: sp.Expr, conditions: tuple[Condition, ...], *, strict: bool) -> bool:
    """``lin >= 0`` (``strict``: ``> 0``) as ``λ c + r`` with ``c`` a path condition (``<``/``<=``
    ones as ``-c``), ``λ >= 0`` rational from the constant parts and ``r`` of proved sign: ``r >= 0``;
    strictly, ``r > 0``, or ``r = 0`` with ``λ > 0`` and ``c > 0``."""
    o0 = _constant_part(lin)
    for c in conditions:
        if c.rel not in (">", ">=", "<", "<="):
            continue
        cl = _logs_split(c.expr if c.rel in (">", ">=") else -c.expr)
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
    lin = [_logs_split(c.expr) for c in conds]
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


def _settler(order: OrderClass) -> Settle:
    """Decides a comparison of the algorithm when its sign on the whole class is proved
    (:func:`skd.verify.signs.sign_of`) or one earlier condition of the path forces it
    (:func:`_empty`): the other branch is then no path."""

    seen: dict[tuple[sp.Expr, str, tuple[Condition, ...]], bool | None] = {}

    a = sp.Symbol("_pa", positive=True)
    scale = {a: 1 / sp.Add(*[_in_order(v, order) / a for v in order.values()])}

    def settle(d: sp.Expr, rel: str, conditions: tuple[Condition, ...]) -> bool | None:
        # the paths of a class replay the same prefixes: each comparison is settled once per class,
        # and once in all, in the chained symbols, for the classes whose questions coincide there
        key = (d, rel, conditions)
        if key not in seen:
            chained = _in_order(d, order)
            seen[key] = _settle_chained(chained, rel,
                                        tuple(Condition(_in_order(c.expr, order), c.rel) for c in conditions))
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
    """The decision of :func:`_settler` for ``e rel 0`` after ``conditions``, all in the chained
    symbols of their class (``a, d_k > 0``, :func:`_order_substitution`). A pure function of its
    arguments (the chained symbols carry the class's every fact), so it is memoised across classes:
    a permutation-equivariant algorithm asks the classes of one shape the same questions there."""
    # square roots and products of logarithms (entmax's thresholds): the sign rules rarely decide, slowly
    if e.free_symbols and not _has_root(e) and _at_most_linear_in_logs(_logs_split(e)):
        try:
            sign = sign_of(_logs_split(e))
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


def _values_of(piece: Piece) -> list[sp.Expr]:
    """The class's values in the chained symbols, on the piece (an eliminated gap solved)."""
    vals = [_in_order(v, piece.order) for v in piece.order.values()]
    sub = dict(getattr(piece, "sub", ()))
    return [v.xreplace(sub) for v in vals] if sub else vals


def _pinned(piece: Piece) -> Piece | None:
    """``piece`` restricted to the equality its conditions pin, when one does and it is linear in a
    gap with a coefficient of proved sign (the boundary piece of a clipping ``max(w, 0)``); None when
    a condition then has a proved sign against it (no point takes the piece); else ``piece``
    unchanged. Every check of the result holds for all positive values of the remaining
    symbols that meet its conditions, a superset of the piece's points."""
    conds = [Condition(_in_order(c.expr, piece.order), c.rel) for c in piece.conditions]
    eqs = [c.expr for c in conds if c.rel == "=="]
    pinned: set[int] = set()
    signed = [(k, _logs_split(c.expr if c.rel == ">=" else -c.expr)) for k, c in enumerate(conds) if c.rel in (">=", "<=")]
    for n, (ka, sa) in enumerate(signed):
        for kb, sb in signed[n + 1:]:
            ratio = sp.cancel(sb / sa) if sa != 0 else None
            if ratio is not None and ratio.is_number and number_sign(ratio) == "neg" and conds[ka].expr not in eqs:
                eqs.append(conds[ka].expr)
                pinned |= {ka, kb}
    if not eqs:
        return piece
    sub: dict[sp.Symbol, sp.Expr] = {}
    positive: list[Condition] = []
    for c in eqs:
        e = _logs_split(c.xreplace(sub))
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
            sign = sign_of(_logs_split(c.expr))
        except ValueError:
            continue
        if sign in _CONTRADICTED_BY[c.rel]:
            return None
    outs = tuple(_in_order(o, piece.order).xreplace(sub) for o in piece.outputs)
    return _Pinned(piece.order, tuple(kept + positive + [Condition(c, "==") for c in eqs]), outs, piece.path,
                   tuple(sub.items()))


@functools.lru_cache(maxsize=20_000)
def _sums_to_one(total: sp.Expr) -> bool:
    """``total`` is identically 1 (memoised: the classes of one shape share their pieces)."""
    return sp.expand(total - 1) == 0 or sp.expand(sp.fraction(sp.together(total - 1))[0]) == 0


def _piece_problem(piece: Piece) -> str | None:
    """What keeps this piece from the proof, or None when it passes."""
    outs = [_in_order(o, piece.order) for o in piece.outputs]
    conds = tuple(Condition(_in_order(c.expr, piece.order), c.rel) for c in piece.conditions)
    if not _sums_to_one(sp.Add(*outs)):
        return f"the outputs do not sum to exactly 1 (sum - 1 = {sp.sstr(sp.Add(*piece.outputs) - 1)[:160]})"
    for i, o in enumerate(outs):
        if not _nonneg_on_piece(o, conds):
            return f"output {i} = {sp.sstr(piece.outputs[i])[:160]} is not proved >= 0"
    return None


@functools.lru_cache(maxsize=20_000)
def _positive_on_piece(o: sp.Expr, conditions: tuple[Condition, ...]) -> bool:
    """``o > 0`` on the piece: by its sign, or ``λ c + r`` with ``c`` a path condition (``λ > 0``
    and ``c > 0`` strict with ``r >= 0``, or ``λ >= 0`` and ``r > 0``)."""
    if o.is_number:
        return bool(o.is_positive)
    split = _logs_split(o)
    try:
        if split.is_positive is True or sign_of(o) == "pos" or sign_of(split) == "pos":
            return True
    except ValueError:  # a symbol that is not positive: no sign
        return False
    return _by_one_condition(split, conditions, strict=True)


def _ranking_problem(piece: Piece, weak: bool = False) -> str | None:
    """Ranking on the piece: each output of a group above (``weak``: at least) the outputs of the
    next group down (transitivity covers the groups further down); tied entries are not compared."""
    outs = [_in_order(o, piece.order) for o in piece.outputs]
    conds = tuple(Condition(_in_order(c.expr, piece.order), c.rel) for c in piece.conditions)
    holds, rel = (_nonneg_on_piece, ">= 0") if weak else (_positive_on_piece, "> 0")
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
    total = sp.Add(*_values_of(piece)) / a
    return {T: sp.Integer(1), a: 1 / sp.expand(total)}


_CONTRADICTED_BY = {">": ("neg", "zero"), ">=": ("neg",), "<": ("pos", "zero"), "<=": ("pos",), "==": ("pos", "neg"),
                    "!=": ("zero",)}


def _identically_zero(e: sp.Expr) -> bool:
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
        c1 = _in_order(c.expr, piece.order).xreplace(at)
        try:
            sign = "zero" if _identically_zero(c1) else sign_of(_logs_split(c1))
        except ValueError:
            continue
        if sign in _CONTRADICTED_BY[c.rel]:
            return None
    for i, (o, v) in enumerate(zip(piece.outputs, _values_of(piece), strict=True)):
        d = (_in_order(o, piece.order) - v).xreplace(at)
        if not _identically_zero(d):
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
                found = [q for pc in pieces(op.algorithm, order, max_paths=MAX_PATHS, settle=_settler(order))
                         if (q := _pinned(pc)) is not None]
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


# -- continuity, entropy and the limits of a user's operator in a recognised form ------------------

#: (form, axiom) -> (theorem of docs/theory/vector.md, what the axiom needs beyond the form on every
#: piece): "k>0" beta -> oo as T -> 0+ and -> 0 as T -> oo; "all" every entry kept; "prefix" every
#: dropped entry is smaller than some kept one (argmax p is kept); "T-free" no condition involves T
_FORM_NEEDS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("power", "continuity"): ("U.1", frozenset({"all"})),
    ("power", "entropy"): ("U.1", frozenset({"T-free"})),
    ("power", "boundary_cold"): ("U.1", frozenset({"T-free", "prefix", "k>0"})),
    ("power", "boundary_hot"): ("U.1", frozenset({"all", "k>0"})),
    **{(form, axiom): ("U.2", frozenset({"k>0"} if axiom.startswith("boundary") else set()))
       for form in ("sparsemax",) for axiom in ("continuity", "entropy", "boundary_cold", "boundary_hot")},
}
_FORM_TEXT = {
    "power": "F_T(p)_i = p_i**beta / sum over the kept set K of p_j**beta on K, 0 off K",
    "sparsemax": "F_T(p) = sparsemax(beta log p)",
}
_AXIOM_TEXT = {
    "continuity": "one jointly continuous map on every piece",
    "entropy": "H(F_T(p)) does not decrease as beta decreases",
    "boundary_cold": "beta -> oo as T -> 0+, and the kept set holds argmax p",
    "boundary_hot": "beta -> 0 as T -> oo, and every entry is kept",
}


def _form_bases(outs: list[sp.Expr], form: str) -> dict[int, sp.Expr]:
    """Per kept entry, the expression affine in ``beta log p_i`` with a common offset: ``log F_i``
    (power) or ``F_i`` (sparsemax)."""
    return {i: _logs_split(sp.log(o)) if form == "power" else o for i, o in enumerate(outs) if o != 0}


def _fits_form(form: str, found: list[Piece], needs: frozenset[str]) -> tuple[sp.Expr | None, str | None]:
    """``(beta, None)`` when every piece has ``form`` with one exponent ``beta = c T**(-k)`` and
    meets ``needs``; else ``(None, why not)``."""
    beta: sp.Expr | None = None
    prepared = []
    for piece in found:
        outs = [_in_order(o, piece.order) for o in piece.outputs]
        ells = [_logs_split(sp.log(v)) for v in _values_of(piece)]
        bases = _form_bases(outs, form)
        if not bases:
            return None, f"every output of {piece.order.groups} is 0"
        prepared.append((piece, outs, ells, bases))
        if beta is None:
            idx = sorted(bases)
            for j in idx[1:]:
                gap = sp.expand(ells[j] - ells[idx[0]])
                if gap != 0:
                    beta = sp.cancel(sp.expand(bases[j] - bases[idx[0]]) / gap)
                    break
    if beta is None:  # on every piece the kept entries tie: the form holds for every exponent
        beta = 1 / T
    if beta.free_symbols - {T}:  # the "exponent" moves with p: the outputs are not of the form at all
        what = "log F_i - log F_j" if form == "power" else "F_i - F_j"
        return None, f"the outputs are not of the {form} form ({what} is not proportional to log p_i - log p_j)"
    c, e = beta.as_coeff_exponent(T)
    if c.free_symbols or not e.is_Rational or e > 0 or not c.is_positive or sp.simplify(beta - c * T ** e) != 0:
        return None, f"the exponent {sp.sstr(beta)[:80]} is not c * T**(-k) with c > 0, k >= 0"
    if "k>0" in needs and e == 0:
        return None, f"the exponent {sp.sstr(beta)} does not move with T"
    for piece, outs, ells, bases in prepared:
        where = f"V = {piece.order.V}, order class {piece.order.groups}, path {list(piece.path)}"
        offsets = [sp.expand(beta * ells[i] - b) for i, b in bases.items()]
        if any(not _identically_zero(_logs_split(o - offsets[0])) for o in offsets[1:]):
            return None, f"{where}: not the {form} form with beta = {sp.sstr(beta)}"
        kept = set(bases)
        if "all" in needs and len(kept) != len(outs):
            return None, f"{where}: entries {sorted(set(range(len(outs))) - kept)} are dropped"
        if "T-free" in needs and any(T in _in_order(c_.expr, piece.order).free_symbols for c_ in piece.conditions):
            return None, f"{where}: a condition involves T (the kept set may move with T)"
        if "prefix" in needs:
            for i in set(range(len(outs))) - kept:
                if not any(_smaller(ells[i], ells[j]) for j in kept):
                    return None, f"{where}: entry {i} is dropped but not proved smaller than a kept entry"
        if form == "sparsemax":
            conds = tuple(Condition(_in_order(c_.expr, piece.order), c_.rel) for c_ in piece.conditions)
            tau = offsets[0]
            for j in set(range(len(outs))) - kept:
                if not _nonneg_on_piece(sp.expand(tau - beta * ells[j]), conds):
                    return None, f"{where}: entry {j} is outside the support but not proved below the threshold"
    return beta, None


def _smaller(ell_i: sp.Expr, ell_j: sp.Expr) -> bool:
    """``log p_i < log p_j`` on the whole class (the sign rules), else False."""
    try:
        return sign_of(sp.expand(ell_j - ell_i)) == "pos"
    except ValueError:
        return False


class _OpaqueEntry(Entry):
    """An entry of ``p`` with no order: compares with 0 (positive), never with another entry."""

    __slots__ = ()

    def _key(self, other: object) -> tuple[int, int]:
        if isinstance(other, Entry):
            raise NotSymbolic("the algorithm compares entries of p")
        return super()._key(other)

    def __neg__(self) -> _OpaqueEntry:  # -p_i is no more ordered than p_i
        return _OpaqueEntry(self.index, self.rank, -self.value, self.is_zero, -self.sign)


def _comparison_free_problem(op: Operator, sizes: tuple[int, ...]) -> str | None:
    """None when, on each size, the algorithm run on positive symbols with no order opens no
    branch (SymPy settles every comparison it makes for all positive values) and its outputs hold
    no undefined node; else what stops it. (Theorem U.0: then F is one elementary expression.)"""
    for Vn in sizes:
        syms = [sp.Symbol(f"_pq{i}", positive=True) for i in range(Vn)]
        ar = PathArith((), _settle_everywhere)
        try:
            algorithm = op.algorithm
            if algorithm is None:
                return "a vector operator without an algorithm"
            result = list(algorithm([_OpaqueEntry(i, 0, v, False) for i, v in enumerate(syms)], T, ar))
            if any(not isinstance(v, (sp.Basic, int, Fraction)) or isinstance(v, bool) for v in result):
                return f"V = {Vn}: an output is not a number of the arithmetic"
            outs = [sp.sympify(v) for v in result]  # safe: SymPy objects and exact numbers only (checked above), never text
        except Exception as exc:  # noqa: BLE001 - user code: not comparison-free
            return f"V = {Vn}: {type(exc).__name__}: {str(exc)[:120]}"
        if ar.conditions:
            return f"V = {Vn}: a comparison not settled for every p and T ({ar.conditions[0]})"
        if any(o.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I) for o in outs):
            return f"V = {Vn}: an output is not finite and real"
    return None


def _looks_eventually_empty(piece: Piece) -> bool:
    """Some condition of the piece involving ``T`` is false at ``T = 10^40`` and ``10^80`` at a few
    points of its class (a proposal: the kernel proves it by the limit laws, or checks the piece)."""
    for c in piece.conditions:
        others = sorted(c.expr.free_symbols - {T}, key=lambda x: x.name)
        if T not in c.expr.free_symbols:
            continue
        points = [{x: sp.Rational(1, (k + 2) ** scale) for k, x in enumerate(others)} for scale in (1, 3)]
        try:
            if all(c.holds({**pt, T: sp.Float(10) ** k}) is False for pt in points for k in (40, 80)):
                return True
        except (ValueError, TypeError, ArithmeticError):  # a proposal only: no answer is no proposal
            continue
    return False


def _hot_by_numbers(op: Operator, sizes: tuple[int, ...]) -> str | None:
    """None when, in 50 digits at a few unequal ``p`` of each size, ``F_T(p)`` approaches the
    uniform vector along ``T = 2^40, 2^400`` (closer at the second, within 1/100: slow limits such
    as ``1/log T`` pass; a proposal only: the kernel proves the limit by the limit laws,
    :func:`skd.verify.kernel_vector.check_vector_proof`); else what it saw."""
    import mpmath

    from skd.operators.evaluate import evaluate_mp

    for Vn in sizes:
        w = [Fraction(k + 1) for k in range(Vn)]
        for p in ([v / sum(w) for v in w], [v * v / sum(u * u for u in w) for v in w]):
            try:
                far = [max(abs(f - mpmath.mpf(1) / Vn) for f in evaluate_mp(op, p, Fraction(2) ** k)) for k in (40, 400)]
            except Exception as exc:  # noqa: BLE001 - user code; nothing proposed
                return f"V = {Vn}: F could not be evaluated at large T ({type(exc).__name__})"
            if not far[1] < mpmath.mpf(1) / 100 or far[1] > far[0]:
                return f"V = {Vn}: F does not approach the uniform vector as T grows (numerically)"
    return None


def _settle_everywhere(d: sp.Expr, rel: str, conditions: tuple[Condition, ...]) -> bool | None:
    """A comparison decided for every positive value of its symbols (their sign), else None."""
    try:
        sign = sign_of(d)
    except ValueError:
        return None
    if sign is None:
        return None
    return {">": sign == "pos", ">=": sign != "neg", "==": sign == "zero"}[rel]


#: what theorem U.0 concludes, per axiom it proves
_U0_CONCLUSION = {
    "continuity": "so jointly continuous",
    "boundary_hot": "and by the limit laws every entry tends to 1/V as T -> oo for every p",
}


class FormProver:
    """Continuity, entropy or a limit of a vector operator declared by an algorithm, on its
    declared sizes, from the form of its pieces (Theorems U.1, U.2 of docs/theory/vector.md): every
    piece of every order class is the power-softening ``p**beta`` on a kept set, or sparsemax of
    ``beta log p``, with one exponent ``beta = c T**(-k)``. The kernel
    (:func:`skd.verify.kernel_vector.check_vector_proof`) re-runs the algorithm and re-checks every
    piece (definedness included) before anyone sees the proof."""

    def __init__(self, axiom_id: str) -> None:
        self.axiom_id = axiom_id

    def __repr__(self) -> str:
        return f"FormProver({self.axiom_id!r})"

    def __call__(self, op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
        if op.algorithm is None:
            return Outcome("unknown", "form of the pieces", reason="a vector operator without an algorithm",
                           reason_kind="unsupported")
        sizes = tuple(sorted(set(op.sizes)))
        scope = spec_of(op).scope(op)
        why: list[str] = []
        if self.axiom_id in _U0_CONCLUSION:  # theorem U.0 first: one expression, if the algorithm compares nothing
            problem = _comparison_free_problem(op, sizes)
            if problem is None and self.axiom_id == "boundary_hot":
                problem = _hot_by_numbers(op, sizes)
            if problem is None:
                text = (f"on V in {set(sizes)}, the algorithm makes no comparison that depends on p or T: F is one "
                        f"expression, defined for every p and T, {_U0_CONCLUSION[self.axiom_id]}; theorem U.0 "
                        "(docs/theory/vector.md#user-operators-in-a-recognised-form)")
                step = Step(text, "vector_form", (("form", "comparison-free"), ("theorem", "U.0")))
                return Outcome("proved", "form of the algorithm (theorem U.0)", steps=[step], scope=scope)
            why.append(f"comparison-free: {problem}")
        found: list[Piece] = []
        for Vn in sizes:
            for order in order_classes(Vn):
                try:
                    found += [q for pc in pieces(op.algorithm, order, max_paths=MAX_PATHS, settle=_settler(order))
                              if (q := _pinned(pc)) is not None]
                except (NotSymbolic, PathLimit) as exc:
                    return Outcome("unknown", "form of the pieces", reason=f"V = {Vn}, order class {order.groups}: {exc}",
                                   reason_kind="unsupported", scope=scope)
        n_all = len(found)
        if self.axiom_id == "boundary_hot":  # pieces off which every p is for all large T do not count
            found = [pc for pc in found if not _looks_eventually_empty(pc)]
        left = (f" (except {n_all - len(found)} pieces with a condition false for all large T at every p)"
                if len(found) < n_all else "")
        for form in ("power", "sparsemax"):
            theorem, needs = _FORM_NEEDS[(form, self.axiom_id)]
            beta, problem = _fits_form(form, found, needs)
            if beta is None:
                why.append(f"{form}: {problem}")
                continue
            text = (f"on V in {set(sizes)}, every piece of every order class (ties included){left} is {_FORM_TEXT[form]}, "
                    f"with beta = {sp.sstr(beta)}; theorem {theorem} (docs/theory/vector.md#user-operators-in-a-recognised-form): "
                    f"{_AXIOM_TEXT[self.axiom_id]}")
            step = Step(text, "vector_form", (("form", form), ("theorem", theorem), ("beta", sp.sstr(beta))))
            return Outcome("proved", f"form of the pieces (theorem {theorem})", steps=[step], scope=scope)
        return Outcome("unknown", "form of the pieces", reason=(f"{self.axiom_id} of a vector operator is proved when its "
                       "pieces have a recognised form; " + "; ".join(why))[:600], reason_kind="undecided", scope=scope)
