"""Symbolic analysis and Arb numerics of a separable score, for the ``sensitivity`` topic.

Per ``T``-piece of the score: ``a = ∂_x log g``, the signs the sign prover decides, the power-type
exponent ``c(T)`` and the affine form (:func:`analyse_score`); piecewise constants assembled per
piece (:func:`piecewise_by_piece`); the ``V = 2`` tangent derivative, its Arb branch-and-bound
enclosure (:func:`sharp_enclosure`) and the closed-simplex chord ratio (:func:`chord_ratio_arb`).
:mod:`skd.verify.derivations.sensitivity` turns these into claims.

>>> from skd.operators.symbols import x, T
>>> analyse_score(x ** (1 / T))["pieces"][0]["c"]
1/T
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from skd.operators.arith import ArbArith, Undecided
from skd.operators.evaluate import eval_expr, evaluate_in, log_score
from skd.operators.symbols import T, V, x
from skd.theory.theorems import symbol

from ..regions import Piece, Unsupported, fresh_symbol, t_pieces, x_pieces
from ..signs import sign_of
from .common import piece_at

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = [
    "EPS",
    "MAX_BOXES",
    "PREC",
    "REL_GAP",
    "analyse_score",
    "arb_eval_v2",
    "chord_ratio_arb",
    "dec_outward",
    "frac_of",
    "piece_info_at",
    "piecewise_by_piece",
    "sharp_enclosure",
    "sign_on",
    "tangent_derivative_v2",
]

EPS = symbol("eps")
#: Branch-and-bound limits: boxes evaluated per (T, eps), working precision, relative target gap.
MAX_BOXES = 2000
PREC = 96
REL_GAP = Fraction(1, 10**7)


def sign_on(e: sp.Expr, pc: Piece) -> str | None:
    """Sign of ``e`` for all x in (0, 1), T in the piece, real V >= 2 (None: undecided)."""
    e = sp.sympify(e)  # safe: e is an expression skd derived (or a Python number), never user text
    sub: dict[sp.Symbol, sp.Expr] = {}
    if x in e.free_symbols:
        sub[x] = 1 / (1 + fresh_symbol(x))
    if T in e.free_symbols:
        sub[T] = pc.substitution(fresh_symbol(T))
    vs = [sp.Integer(2), 2 + fresh_symbol(V)] if V in e.free_symbols else [None]
    signs = set()
    for vv in vs:
        s2 = dict(sub)
        if vv is not None:
            s2[V] = vv
        try:
            sg = sign_of(e.subs(s2))
        except ValueError:
            return None
        if sg is None:
            return None
        signs.add(sg)
    return signs.pop() if len(signs) == 1 else None


def _split_at_one(pieces: Sequence[Piece]) -> list[Piece]:
    """Refine T-pieces so that each lies in (0, 1] or in (1, oo)."""
    out: list[Piece] = []
    one = sp.Integer(1)
    for pc in pieces:
        lo = sp.Integer(0) if pc.lo is None else pc.lo
        hi = sp.oo if pc.hi is None else pc.hi
        if pc.point or not (lo < one < hi):
            out.append(pc)
            continue
        out.append(Piece(T, pc.lo, one, False, pc.expr))
        out.append(Piece(T, one, one, True, pc.expr))
        out.append(Piece(T, one, pc.hi, False, pc.expr))
    return out


def _piece_info(pc: Piece) -> dict[str, Any]:
    g = pc.expr
    if g is None:
        return {"piece": pc, "label": pc.label, "error": "no branch of the score applies on this piece"}
    if pc.point:
        g = sp.simplify(g.subs(T, pc.lo))
    info: dict[str, Any] = {"piece": pc, "label": pc.label, "g": g, "error": None}
    xs = x_pieces(g)
    info["x_smooth"] = len(xs) == 1 and not xs[0].point
    if not info["x_smooth"]:
        info["error"] = "the score has a piece boundary in x on (0, 1): " + ", ".join(q.label for q in xs)
        return info
    g = xs[0].expr
    info["g"] = g
    info["g_sign"] = sign_on(g, pc)
    s = log_score(g)
    a = sp.simplify(sp.diff(s, x))
    da = sp.simplify(sp.diff(a, x))
    info.update(s=s, a=a, da=da, a_sign=sign_on(a, pc), da_sign=sign_on(da, pc))
    c = sp.simplify(x * a)
    info["c"] = c if x not in c.free_symbols else None
    info["c_sign"] = sign_on(info["c"], pc) if info["c"] is not None else None
    info["cm1_sign"] = sign_on(info["c"] - 1, pc) if info["c"] is not None else None
    alpha = sp.simplify(sp.diff(g, x))
    info["affine"] = None
    if x not in alpha.free_symbols:
        b0 = sp.simplify(g - alpha * x)
        if x not in b0.free_symbols:
            den = sp.simplify(alpha + V * b0)
            r = sp.simplify(alpha / den)
            info["affine"] = {"alpha": alpha, "b0": b0, "den": den, "den_sign": sign_on(den, pc),
                              "r": r, "r_sign": sign_on(r, pc)}
    return info


def analyse_score(score: sp.Expr) -> dict[str, Any]:
    """Per-``T``-piece analysis of a separable score: ``a = ∂_x s``, signs, power-type / affine forms.

    Returns ``{"pieces": [...], "closed": [...]}`` (the second list refined at ``T = 1``), or
    ``{"error": reason}``. SymPy-heavy: call it under :func:`budgeted`.

    >>> from skd.operators.symbols import x, T
    >>> info = analyse_score(x ** (1 / T))["pieces"][0]
    >>> info["a"], info["c"], info["a_sign"], info["da_sign"]
    (1/(T*x), 1/T, 'pos', 'neg')
    """
    try:
        pieces = t_pieces(score)
    except Unsupported as exc:
        return {"error": f"unsupported score: {exc}"}
    return {"pieces": [_piece_info(pc) for pc in pieces],
            "closed": [_piece_info(pc) for pc in _split_at_one(pieces)]}


def _group_cond(pcs: Sequence[Piece]) -> sp.Basic:
    first, last = pcs[0], pcs[-1]
    conds = []
    if first.point:
        conds.append(T >= first.lo)
    elif first.lo is not None and first.lo != 0:
        conds.append(T > first.lo)
    if last.point:
        conds.append(T <= last.lo)
    elif last.hi is not None and last.hi is not sp.oo:
        conds.append(T < last.hi)
    if len(pcs) == 1 and first.point:
        return sp.Eq(T, first.lo)
    return sp.And(*conds) if conds else sp.true


def piecewise_by_piece(items: Sequence[tuple[Piece, sp.Expr]], cover_all: bool = True) -> sp.Expr:
    """One expression per T-piece (in T order) as a Piecewise; adjacent pieces with one formula merge.

    With ``cover_all`` False the result always carries its T-condition (undefined elsewhere).
    """
    groups: list[tuple[list[Piece], sp.Expr, bool]] = []
    for pc, e in items:
        if groups:
            pcs, f, has_open = groups[-1]
            adjacent = (pcs[-1].hi == pc.lo) if not pcs[-1].point else (pc.lo == pcs[-1].lo)
            if pc.point:
                adjacent = pcs[-1].hi == pc.lo if not pcs[-1].point else False
                ok = adjacent and sp.simplify(f.subs(T, pc.lo) - e) == 0
            elif has_open:
                ok = adjacent and sp.simplify(f - e) == 0
            else:
                ok = adjacent and all(sp.simplify(e.subs(T, p.lo) - f) == 0 for p in pcs)
            if ok:
                groups[-1] = (pcs + [pc], f if has_open else e if not pc.point else f, has_open or not pc.point)
                continue
        groups.append(([pc], e, not pc.point))
    if len(groups) == 1 and cover_all:
        return groups[0][1]
    return sp.Piecewise(*[(f, _group_cond(pcs)) for pcs, f, _ in groups])


def tangent_derivative_v2(g: sp.Expr) -> sp.Expr:
    """``d/dx F_1(x, 1 − x)`` for ``V = 2``, as ``q_1 q_2 (a(x) + a(1 − x))`` (the Jacobian on ``(1, −1)``).

    >>> from skd.operators.symbols import x
    >>> sp.simplify(tangent_derivative_v2(x) - 1)
    0
    """
    g2 = g.subs(V, 2)
    a = sp.diff(log_score(g2), x)
    g1, gb = g2, g2.subs(x, 1 - x)
    return g1 * gb * (a + a.subs(x, 1 - x)) / (g1 + gb) ** 2


# -- Arb: point values, branch and bound, chord ratio ----------------------------------------------


def frac_of(b: Any) -> Fraction:
    """The exact value of an Arb ball's end (an ``arf``) as a Fraction."""
    m, e = b.man_exp()
    return Fraction(int(m)) * (Fraction(2) ** int(e))


def dec_outward(q: Fraction, digits: int, up: bool) -> str:
    """``q`` rounded outward (down or up) to ``digits`` significant digits, as a decimal string."""
    if q == 0:
        return "0"
    sign = -1 if q < 0 else 1
    a = abs(q)
    k = math.floor(math.log10(a.numerator) - math.log10(a.denominator))
    scale = Fraction(10) ** (digits - 1 - k)
    n = a * scale
    toward_up = up if sign > 0 else not up
    i = math.ceil(n) if toward_up else math.floor(n)
    val = Fraction(i) / scale
    s = f"{float(val):.{digits}g}" if digits <= 15 else str(val)
    # make sure the printed value still rounds outward
    pv = Fraction(s)
    if (toward_up and pv < val) or (not toward_up and pv > val):
        s = str(val)
    return ("-" if sign < 0 else "") + s


def arb_eval_v2(expr: sp.Expr, xv: Any, t: Fraction, ar: ArbArith) -> Any:
    """``expr`` at ``x = xv`` (a ball), ``T = t``, ``V = 2`` in Arb."""
    return eval_expr(expr, {x: xv, T: ar.num(t), V: ar.num(2)}, ar)


def sharp_enclosure(hp: sp.Expr, t: Fraction, eps: Fraction, max_boxes: int = MAX_BOXES, prec: int = PREC) -> dict[str, Any]:
    """Rigorous enclosure ``[lo, hi]`` of ``sup_{x ∈ [eps, 1/2]} |hp(x)|`` at ``T = t`` (``V = 2``).

    ``hp`` is the ``V = 2`` tangent derivative (symmetric under ``x ↦ 1 − x``, so ``[eps, 1/2]``
    covers ``[eps, 1 − eps]``). ``lo`` is a certified lower bound of ``|hp|`` at a sampled exact
    point; ``hi`` bounds ``|hp|`` on every box still open (Arb interval evaluation over the box,
    best-first bisection, at most ``max_boxes`` evaluations).

    >>> from skd.operators.symbols import x
    >>> r = sharp_enclosure(tangent_derivative_v2(sp.sqrt(x)), Fraction(2), Fraction(1, 10))
    >>> round(float(r["lo"]), 6), round(float(r["hi"]), 6), r["argmax"]
    (1.041667, 1.041667, Fraction(1, 10))
    """
    ar = ArbArith(prec)
    flint = ar.flint

    def ball(a: Fraction, b: Fraction) -> Any:
        ar._ctx()
        return flint.arb(flint.fmpq(a.numerator, a.denominator)).union(flint.arb(flint.fmpq(b.numerator, b.denominator)))

    def upper(a: Fraction, b: Fraction) -> Fraction | None:
        try:
            v = abs(arb_eval_v2(hp, ball(a, b), t, ar))
        except (Undecided, ZeroDivisionError, ValueError):
            return None
        if not v.is_finite():
            return None
        return frac_of(v.upper())

    def lower_at(a: Fraction) -> Fraction:
        try:
            v = abs(arb_eval_v2(hp, ar.num(a), t, ar))
        except (Undecided, ZeroDivisionError, ValueError):
            return Fraction(0)
        return frac_of(v.lower()) if v.is_finite() else Fraction(0)

    lo_x, hi_x = eps, Fraction(1, 2)
    best = Fraction(0)
    best_x = lo_x
    for k in range(9):
        pt = lo_x + (hi_x - lo_x) * k / 8
        v = lower_at(pt)
        if v > best:
            best, best_x = v, pt
    # heap entries: (-upper, a, b); a box Arb could not bound gets upper = +oo (key -inf) and is split first
    heap: list[tuple[float | Fraction, Fraction, Fraction]] = []

    def push(a: Fraction, b: Fraction) -> None:
        u = upper(a, b)
        if u is None:
            heapq.heappush(heap, (-math.inf, a, b))
        elif u > best:
            heapq.heappush(heap, (-u, a, b))

    push(lo_x, hi_x)
    evals = 1
    while heap and evals < max_boxes:
        neg_u, a, b = heap[0]
        if neg_u != -math.inf and -neg_u - best <= REL_GAP * best:
            break
        heapq.heappop(heap)
        m = (a + b) / 2
        v = lower_at(m)
        if v > best:
            best, best_x = v, m
        push(a, m)
        push(m, b)
        evals += 2
    unbounded = any(h[0] == -math.inf for h in heap)
    hi = None if unbounded else max([best] + [-h[0] for h in heap])
    return {"lo": best, "hi": hi, "argmax": best_x, "boxes": evals, "prec": prec,
            "open_boxes": len(heap), "complete": not unbounded}


def chord_ratio_arb(op: Operator, t: Fraction, eps: Fraction, prec: int = 128) -> Any:
    """Arb ball of ``‖F_T(p) − F_T(p')‖ / ‖p − p'‖`` for ``p = (ε, 1 − ε)``, ``p' = (0, 1)`` (``V = 2``).

    Uses ``F_T(p') = (0, 1)``, the continuous extension for a power-type score with exponent
    ``c > 0`` (``g(x) = e^d x^c → 0``); then both differences are multiples of ``(1, −1)`` and
    the ratio is ``F_T(p)_1 / ε`` in ``ℓ1`` and ``ℓ2`` alike.

    >>> from skd.operators import library
    >>> b = chord_ratio_arb(library.power, Fraction(2), Fraction(1, 400))
    >>> b > 10
    True
    """
    ar = ArbArith(prec)
    q = evaluate_in(op, [eps, 1 - eps], t, ar)
    return q[0] / ar.num(eps)


def piece_info_at(pieces: Sequence[dict[str, Any]], t: Fraction) -> dict[str, Any] | None:
    """The :func:`analyse_score` entry whose ``T``-piece contains ``T = t``, or ``None``."""
    return piece_at(pieces, t, lambda info: (info["piece"].lo, info["piece"].hi, info["piece"].point))
