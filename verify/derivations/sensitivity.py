"""Sensitivity of a separable operator: Jacobian and Lipschitz constants (``docs/theory/sensitivity.md``).

For a separable score ``g(x, T, V)`` with log-score ``s = log g`` and ``q = F_T(p)``:

* ``jacobian`` — ``∂F/∂p = (diag q − q qᵀ) diag(a(p))``, ``a = ∂_x s`` (symbolic, per ``T``-piece);
* ``lipschitz_eps`` — on ``Δ_ε``: the labelled bound ``½ sup |a|`` (closed form when the sign
  prover shows ``|a|`` monotone in ``x``; power: ``1/(2Tε)``) and the sharp constant for
  ``V = 2``, enclosed by an Arb branch-and-bound on a stated grid of ``(T, ε)``;
* ``lipschitz_logit`` — ``|c(T)|/2`` in logit coordinates when ``x ∂_x s = c(T)``
  (power: ``1/(2T)``), ``|r(T)|/2`` when ``g`` is affine in ``x``;
* ``lipschitz_closed`` — Lipschitz on the closed simplex per range ``T ≤ 1`` / ``T > 1``:
  proved for affine pieces and power-type pieces with exponent ``c ≥ 1``; refuted with an
  Arb-certified counterexample for power-type pieces with ``0 < c < 1`` (power, ``T > 1``);
* ``lipschitz_eps_sharp`` — for ``V ≥ 3`` on power-type pieces with ``0 < c ≤ 1``: the exact ℓ1
  constant ``c ε^{c−1}/((V−1)ε^c + (1−(V−1)ε)^c)``, two-sided bounds giving ``(1/T) ε^{1/T−1}``
  asymptotically in ℓ1, ℓ2 bounds and an Arb witness that ℓ2 does not follow that asymptotic;
* ``lipschitz_vector`` — the library's vector algorithms: sparsemax ``1/T``-Lipschitz in the logits
  (attained), 1.5-entmax between ``1/(√2 T)`` and ``1/T``, top-k discontinuous at ties (refuted with
  Arb-certified chord ratios).

>>> from skd.operators import library
>>> from skd.verify.derivations import derive
>>> d = derive(library.power, topics=["sensitivity"])
>>> d.constant("lipschitz_eps.conclusion:L_bound").expr
1/(2*T*epsilon)
>>> d.claim("lipschitz_closed.global_lipschitz_T_gt_1").status
'refuted'
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp
from skd.operators.arith import ArbArith, Undecided
from skd.operators.evaluate import eval_expr, evaluate_in, log_score
from skd.operators.symbols import T, V, x
from skd.theory.sensitivity import (
    JACOBIAN,
    L_SHARP_V2,
    LIPSCHITZ_CLOSED,
    LIPSCHITZ_EPS,
    LIPSCHITZ_EPS_SHARP,
    LIPSCHITZ_LOGIT,
    LIPSCHITZ_VECTOR,
)
from skd.theory.theorems import symbol

from ..regions import Piece, Unsupported, fresh_symbol, t_pieces, x_pieces
from ..checks import gate as _gate
from ..checks import in_interval as _in_interval
from ..checks import one_sided as _one_sided
from ..checks import skip as _skip
from ..signs import sign_of
from .claims import Claim, Context, DerivedConstant, budgeted

__all__ = [
    "DERIVATIVE_POINTS",
    "SHARP_GRID_EPS",
    "SHARP_GRID_T",
    "analyse_score",
    "chord_ratio_arb",
    "crosscheck",
    "derive",
    "sharp_enclosure",
    "sharp_l1_form",
    "tangent_derivative_v2",
    "topk_counterexample",
    "topk_tie_pair",
]

EPS = symbol("eps")
#: The grid on which the sharp V = 2 constant is enclosed.
SHARP_GRID_T = (Fraction(1, 2), Fraction(1), Fraction(2))
SHARP_GRID_EPS = (Fraction(1, 100), Fraction(1, 10))
#: Points x = eps where the V = 2 tangent derivative is reported at T = 2 (theory-notes §6 item 8).
DERIVATIVE_POINTS = (Fraction(1, 10**2), Fraction(1, 10**4), Fraction(1, 10**6))
#: Branch-and-bound limits: boxes evaluated per (T, eps), working precision, relative target gap.
MAX_BOXES = 2000
PREC = 96
REL_GAP = Fraction(1, 10**7)
#: Lipschitz levels the closed-simplex counterexample is certified to exceed.
CLOSED_LEVELS = (10, 100, 1000)


# -- symbolic analysis (runs in a budgeted worker) -----------------------------------------------


def _sign_on(e: sp.Expr, pc: Piece) -> str | None:
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
    info["g_sign"] = _sign_on(g, pc)
    s = log_score(g)
    a = sp.simplify(sp.diff(s, x))
    da = sp.simplify(sp.diff(a, x))
    info.update(s=s, a=a, da=da, a_sign=_sign_on(a, pc), da_sign=_sign_on(da, pc))
    c = sp.simplify(x * a)
    info["c"] = c if x not in c.free_symbols else None
    info["c_sign"] = _sign_on(info["c"], pc) if info["c"] is not None else None
    info["cm1_sign"] = _sign_on(info["c"] - 1, pc) if info["c"] is not None else None
    alpha = sp.simplify(sp.diff(g, x))
    info["affine"] = None
    if x not in alpha.free_symbols:
        b0 = sp.simplify(g - alpha * x)
        if x not in b0.free_symbols:
            den = sp.simplify(alpha + V * b0)
            r = sp.simplify(alpha / den)
            info["affine"] = {"alpha": alpha, "b0": b0, "den": den, "den_sign": _sign_on(den, pc),
                              "r": r, "r_sign": _sign_on(r, pc)}
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


def _piecewise(items: Sequence[tuple[Piece, sp.Expr]], cover_all: bool = True) -> sp.Expr:
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


def _frac_of(b: Any) -> Fraction:
    m, e = b.man_exp()
    return Fraction(int(m)) * (Fraction(2) ** int(e))


def _dec(q: Fraction, digits: int, up: bool) -> str:
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


def _arb_eval(expr: sp.Expr, xv: Any, t: Fraction, ar: ArbArith) -> Any:
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
            v = abs(_arb_eval(hp, ball(a, b), t, ar))
        except (Undecided, ZeroDivisionError, ValueError):
            return None
        if not v.is_finite():
            return None
        return _frac_of(v.upper())

    def lower_at(a: Fraction) -> Fraction:
        try:
            v = abs(_arb_eval(hp, ar.num(a), t, ar))
        except (Undecided, ZeroDivisionError, ValueError):
            return Fraction(0)
        return _frac_of(v.lower()) if v.is_finite() else Fraction(0)

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
    hi = None if unbounded else max([best] + [-h[0] for h in heap])  # type: ignore[operator]
    return {"lo": best, "hi": hi, "argmax": best_x, "boxes": evals, "prec": prec,
            "open_boxes": len(heap), "complete": not unbounded}


def chord_ratio_arb(op: Any, t: Fraction, eps: Fraction, prec: int = 128) -> Any:
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


# -- claims ----------------------------------------------------------------------------------------


def _unsupported(ctx: Context, why: str, kind: str = "unsupported") -> list[Claim]:
    out: list[Claim] = []
    for thm, hyps in ((JACOBIAN, ("score_differentiable",)), (LIPSCHITZ_EPS, ("score_differentiable", "derivative_monotone")),
                      (LIPSCHITZ_LOGIT, ("score_form",)), (LIPSCHITZ_EPS_SHARP, ("sharp_form",)),
                      (LIPSCHITZ_CLOSED, ("global_lipschitz_T_le_1", "global_lipschitz_T_gt_1"))):
        key = thm.key
        wd = ctx.axiom_claim(f"{key}.well_defined", key, "well_defined", thm.hypothesis("well_defined").statement)
        out.append(wd)
        ids = [wd.id]
        for h in hyps:
            cid = f"{key}.{h}"
            out.append(Claim(cid, key, "hypothesis", "unknown", thm.hypothesis(h).statement, method="none",
                             reason=why, reason_kind=kind))
            ids.append(cid)
        out.append(Claim(f"{key}.conclusion", key, "conclusion", "pending", thm.conclusion, method=f"theorem {key}",
                         depends_on=tuple(ids)))
    return out


def _fmt(q: Fraction) -> str:
    return f"{q.numerator}" if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _piece_at(pieces: Sequence[dict[str, Any]], t: Fraction) -> dict[str, Any] | None:
    tv = sp.Rational(t.numerator, t.denominator)
    for info in pieces:
        pc = info["piece"]
        if pc.point:
            if pc.lo == tv:
                return info
            continue
        lo = sp.Integer(0) if pc.lo is None else pc.lo
        hi = sp.oo if pc.hi is None else pc.hi
        if bool(lo < tv) and bool(tv < hi):
            return info
    return None


def _sharp_work(pieces: list[dict[str, Any]]) -> dict[str, Any]:
    """Tangent derivatives per grid T, their Arb enclosures and the T = 2 point values (worker)."""
    out: dict[str, Any] = {"grid": [], "points": [], "hp_by_piece": []}
    for info in pieces:
        if info.get("error") is None:
            out["hp_by_piece"].append((info["piece"], sp.simplify(tangent_derivative_v2(info["g"]))))
    for t in SHARP_GRID_T:
        info = _piece_at(pieces, t)
        if info is None or info.get("error"):
            out["grid"].append((t, None, "no smooth score piece at this T"))
            continue
        tq = sp.Rational(t.numerator, t.denominator)
        hp = sp.simplify(tangent_derivative_v2(info["g"].subs(T, tq)))
        for eps in SHARP_GRID_EPS:
            out["grid"].append((t, eps, sharp_enclosure(hp, t, eps)))
    info = _piece_at(pieces, Fraction(2))
    if info is not None and not info.get("error"):
        hp = tangent_derivative_v2(info["g"])
        ar = ArbArith(128)
        for e in DERIVATIVE_POINTS:
            try:
                b = _arb_eval(hp, ar.num(e), Fraction(2), ar)
                out["points"].append((e, b.str(30, radius=True), b.str(20, radius=False)))
            except (Undecided, ZeroDivisionError, ValueError) as exc:
                out["points"].append((e, None, str(exc)))
    return out


_THEOREMS = (JACOBIAN, LIPSCHITZ_EPS, LIPSCHITZ_LOGIT, LIPSCHITZ_EPS_SHARP, LIPSCHITZ_CLOSED)

#: Why the separable-score theorems say nothing about a vector operator (lipschitz_vector does).
_VECTOR_WHY = ("vector operator: no symbolic score g, so the separable-score hypotheses (a = d/dx log g, its sign and "
               "monotonicity, x a = c(T), affinity) cannot be stated; its Lipschitz behaviour is decided by lipschitz_vector")
_SEPARABLE_WHY = ("separable operator: lipschitz_vector is about the library's vector algorithms; the separable theorems "
                  "(lipschitz_logit, lipschitz_eps, lipschitz_eps_sharp, lipschitz_closed) apply instead")


def derive(ctx: Context) -> list[Claim]:
    """The sensitivity claims of ``ctx.op`` (see the module docstring)."""
    op = ctx.op
    if op.kind != "separable":
        if op.params:
            why = "operators with free parameters: fix them first (op.fix(...))"
            return _unsupported(ctx, why) + _vector_unsupported(ctx, why)
        return _unsupported(ctx, _VECTOR_WHY) + _lipschitz_vector(ctx)
    return _derive_separable(ctx) + _vector_unsupported(ctx, _SEPARABLE_WHY)


def _derive_separable(ctx: Context) -> list[Claim]:
    op = ctx.op
    if op.params:
        return _unsupported(ctx, "operators with free parameters: fix them first (op.fix(...))")
    res = budgeted(analyse_score, op.score, seconds=ctx.timeout, what="x-derivative of the log-score")
    if not res.ok:
        return _unsupported(ctx, res.reason or "analysis failed", res.reason_kind or "undecided")
    if "error" in res.value:
        return _unsupported(ctx, res.value["error"], "unsupported")
    pieces: list[dict[str, Any]] = res.value["pieces"]
    closed: list[dict[str, Any]] = res.value["closed"]
    sharp = budgeted(_sharp_work, pieces, seconds=ctx.timeout, what="Arb enclosure of the sharp V = 2 constant")
    if not sharp.ok:
        ctx.note(f"sharp constant: {sharp.reason}")
    body = budgeted(_assemble, op, pieces, closed, sharp.value if sharp.ok else None, sharp.reason,
                    seconds=ctx.timeout, what="constants of the sensitivity theorems")
    if not body.ok:
        return _unsupported(ctx, body.reason or "assembly failed", body.reason_kind or "undecided")
    out: list[Claim] = []
    for thm in _THEOREMS:
        out.append(ctx.axiom_claim(f"{thm.key}.well_defined", thm.key, "well_defined", thm.hypothesis("well_defined").statement))
        out.extend(body.value[thm.key])
    return out


def _assemble(op: Any, pieces: list[dict[str, Any]], closed: list[dict[str, Any]], sharp: dict[str, Any] | None,
              sharp_reason: str | None) -> dict[str, list[Claim]]:
    """Every non-axiom claim, by theorem key (SymPy simplifications: run under a budget)."""
    return {
        JACOBIAN.key: _jacobian(pieces),
        LIPSCHITZ_EPS.key: _lipschitz_eps(pieces, sharp, sharp_reason),
        LIPSCHITZ_LOGIT.key: _lipschitz_logit(pieces),
        LIPSCHITZ_EPS_SHARP.key: _lipschitz_eps_sharp(op, closed),
        LIPSCHITZ_CLOSED.key: _lipschitz_closed(op, closed),
    }


def _diff_claim(thm_key: str, statement: str, pieces: list[dict[str, Any]]) -> Claim:
    cid = f"{thm_key}.score_differentiable"
    bad = [(i["label"], i["error"] or (f"g > 0 not proved (sign: {i.get('g_sign')})" if i.get("g_sign") != "pos" else None))
           for i in pieces]
    bad = [(lab, why) for lab, why in bad if why]
    if bad:
        return Claim(cid, thm_key, "hypothesis", "unknown", statement, method="x-pieces + sign prover",
                     reason="; ".join(f"{lab}: {why}" for lab, why in bad), reason_kind="undecided")
    scope = "full" if len(pieces) == 1 else "every T-piece: " + "; ".join(i["label"] for i in pieces)
    cert = tuple(f"{i['label']}: g = {sp.sstr(i['g'])} is one expression for x in (0, 1); g > 0 there (sign prover, "
                 f"x = 1/(1+u), V = 2 and V = 2+v); d/dx log g = {sp.sstr(i['a'])}" for i in pieces)
    return Claim(cid, thm_key, "hypothesis", "proved", statement, method="x-pieces + sign prover + sympy diff",
                 scope=scope, certificate=cert)


def _jacobian(pieces: list[dict[str, Any]]) -> list[Claim]:
    key = JACOBIAN.key
    wd_id = f"{key}.well_defined"
    diff = _diff_claim(key, JACOBIAN.hypothesis("score_differentiable").statement, pieces)
    consts: tuple[DerivedConstant, ...] = ()
    if diff.status == "proved":
        consts = (DerivedConstant("dx_s", _piecewise([(i["piece"], i["a"]) for i in pieces]), "exact",
                                  "a(x, T) = d/dx log g: column j of the Jacobian is (diag q - q q^T) e_j a(p_j)"),)
    return [diff, Claim(f"{key}.conclusion", key, "conclusion", "pending", JACOBIAN.conclusion,
                        method="theorem jacobian", scope=diff.scope if diff.status == "proved" else "full",
                        depends_on=(wd_id, diff.id), constants=consts)]


def _abs_at(i: dict[str, Any], point: sp.Expr) -> sp.Expr:
    a = i["a"]
    val = a.subs(x, point)
    return sp.simplify(val if i["a_sign"] in ("pos", "zero") else -val)


def _lipschitz_eps(pieces: list[dict[str, Any]], sharp: dict[str, Any] | None, sharp_reason: str | None) -> list[Claim]:
    key = LIPSCHITZ_EPS.key
    wd_id = f"{key}.well_defined"
    diff = _diff_claim(key, LIPSCHITZ_EPS.hypothesis("score_differentiable").statement, pieces)
    mono_stmt = LIPSCHITZ_EPS.hypothesis("derivative_monotone").statement
    mono_id = f"{key}.derivative_monotone"
    consts: list[DerivedConstant] = []
    if diff.status != "proved":
        mono = Claim(mono_id, key, "hypothesis", "unknown", mono_stmt, method="sign prover",
                     reason="the score is not shown C^1 in x (see score_differentiable)", reason_kind="undecided")
    else:
        bad = [i["label"] for i in pieces if i["a_sign"] is None or i["da_sign"] is None]
        if bad:
            mono = Claim(mono_id, key, "hypothesis", "unknown", mono_stmt, method="sign prover on a and d/dx a",
                         reason="the sign prover cannot decide the sign of a = d/dx log g or of d/dx a on "
                         + ", ".join(bad) + "; the sup of |a| has no closed form here", reason_kind="undecided")
        else:
            cert = []
            bounds = []
            top = 1 - (V - 1) * EPS
            for i in pieces:
                sa, sd = i["a_sign"], i["da_sign"]
                decreasing = (sa == "pos" and sd == "neg") or (sa == "neg" and sd == "pos")
                if sa == "zero" or sd == "zero":
                    where, endpoint = "constant", EPS
                elif decreasing:
                    where, endpoint = "decreasing: sup at x = eps", EPS
                else:
                    where, endpoint = "increasing: sup at x = 1 - (V-1) eps", top
                cert.append(f"{i['label']}: a = {sp.sstr(i['a'])} has sign {sa}, d/dx a = {sp.sstr(i['da'])} has sign {sd} "
                            f"for x in (0, 1) (sign prover): |a| is {where}")
                bounds.append((i["piece"], sp.simplify(_abs_at(i, endpoint) / 2)))
            mono = Claim(mono_id, key, "hypothesis", "proved", mono_stmt, method="sign prover on a and d/dx a",
                         scope=diff.scope, certificate=tuple(cert))
            consts.append(DerivedConstant(
                "L_bound", _piecewise(bounds), "upper_bound",
                "labelled upper bound (1/2) sup_{x in [eps, 1-(V-1)eps]} |d/dx log g| on the Lipschitz constant of F_T on "
                "Delta_eps, l1 and l2, 0 < eps <= 1/V; not sharp",
                values=_bound_values(_piecewise(bounds))))
    if diff.status == "proved":
        consts += _sharp_constants(sharp, sharp_reason)
    grid = (f"T in {{{', '.join(_fmt(t) for t in SHARP_GRID_T)}}}, eps in {{{', '.join(_fmt(e) for e in SHARP_GRID_EPS)}}}")
    scope = ("L_bound: every T > 0, V >= 2, 0 < eps <= 1/V" + ("" if diff.scope == "full" else f" ({diff.scope})")
             + f"; L_sharp: V = 2 only, enclosed at {grid}")
    return [diff, mono, Claim(f"{key}.conclusion", key, "conclusion", "pending", LIPSCHITZ_EPS.conclusion,
                              method="theorem lipschitz_eps; Arb branch-and-bound for the sharp V = 2 constant",
                              scope=scope, depends_on=(wd_id, diff.id, mono_id), constants=tuple(consts))]


def _bound_values(expr: sp.Expr) -> tuple[tuple[dict[str, str], str], ...]:
    vals = []
    for t in SHARP_GRID_T:
        for e in SHARP_GRID_EPS:
            v = expr.subs({T: sp.Rational(t.numerator, t.denominator), EPS: sp.Rational(e.numerator, e.denominator), V: 2})
            if v.free_symbols:
                continue
            vals.append(({"T": _fmt(t), "eps": _fmt(e), "V": "2"}, sp.sstr(sp.N(v, 15))))
    return tuple(vals)


def _sharp_constants(work: dict[str, Any] | None, reason: str | None) -> list[DerivedConstant]:
    if work is None:
        return [DerivedConstant("L_sharp", L_SHARP_V2, "sharp", f"not enclosed: {reason}")]
    out: list[DerivedConstant] = []
    if work["hp_by_piece"]:
        pts = tuple(({"T": "2", "V": "2", "x": _fmt(e)}, dec if ball else f"not evaluated: {dec}")
                    for e, ball, dec in work["points"])
        out.append(DerivedConstant(
            "dF1_dx_V2", _piecewise(work["hp_by_piece"]), "exact",
            "d/dx F_T(x, 1-x)_1 for V = 2 (the tangent derivative q1 q2 (a(x) + a(1-x))); values at T = 2, x = eps "
            "are Arb balls printed to 20 digits", values=pts))
    parts, vals = [], []
    for t, eps, enc in work["grid"]:
        if eps is None:
            parts.append(f"T={_fmt(t)}: {enc}")
            continue
        at = f"T={_fmt(t)}, eps={_fmt(eps)}"
        if not enc["complete"] or enc["hi"] is None:
            parts.append(f"{at}: not enclosed (Arb could not bound the derivative on a box)")
            continue
        lo, hi = _dec(enc["lo"], 12, up=False), _dec(enc["hi"], 12, up=True)
        parts.append(f"{at}: [{lo}, {hi}]")
        vals.append(({"T": _fmt(t), "eps": _fmt(eps), "V": "2"}, f"[{lo}, {hi}]"))
    boxes = max((enc["boxes"] for _, e, enc in work["grid"] if e is not None), default=0)
    out.append(DerivedConstant(
        "L_sharp", L_SHARP_V2, "sharp",
        f"least Lipschitz constant of F_T on Delta_eps for V = 2 (l1 and l2 agree): sup_{{x in [eps, 1-eps]}} |dF1_dx_V2|; "
        f"rigorous enclosures [lo, hi] (lo: Arb value at a sampled point; hi: Arb interval branch-and-bound over "
        f"[eps, 1/2], using the symmetry x -> 1-x, <= {MAX_BOXES} boxes per point, {PREC}-bit balls, at most {boxes} used); "
        f"covered: V = 2 and the stated (T, eps) grid only",
        enclosure="; ".join(parts), values=tuple(vals)))
    return out


def _lipschitz_logit(pieces: list[dict[str, Any]]) -> list[Claim]:
    key = LIPSCHITZ_LOGIT.key
    wd_id = f"{key}.well_defined"
    hid = f"{key}.score_form"
    stmt = LIPSCHITZ_LOGIT.hypothesis("score_form").statement
    cert, items, bad = [], [], []
    for i in pieces:
        if i.get("error"):
            bad.append(f"{i['label']}: {i['error']}")
            continue
        if i["c"] is not None and i.get("g_sign") == "pos":
            c = i["c"]
            absval = c if i["c_sign"] in ("pos", "zero") else (-c if i["c_sign"] == "neg" else sp.Abs(c))
            cert.append(f"{i['label']}: x d/dx log g = {sp.sstr(c)} is free of x, so s = c(T) log x + d(T, V) and "
                        "F_T(softmax(z)) = softmax(c(T) z)")
            items.append((i["piece"], sp.simplify(absval / 2)))
        elif i["affine"] is not None and i["affine"]["den_sign"] in ("pos", "neg"):
            af = i["affine"]
            r = af["r"]
            absval = r if af["r_sign"] in ("pos", "zero") else (-r if af["r_sign"] == "neg" else sp.Abs(r))
            cert.append(f"{i['label']}: g = {sp.sstr(af['alpha'])} x + {sp.sstr(af['b0'])} is affine in x, normaliser "
                        f"{sp.sstr(af['den'])} has sign {af['den_sign']}, so F_T(p) = r p + (1 - r)/V with r = {sp.sstr(r)}")
            items.append((i["piece"], sp.simplify(absval / 2)))
        else:
            bad.append(f"{i['label']}: x d/dx log g = {sp.sstr(sp.simplify(x * i['a']))} depends on x and g is not affine "
                       "in x: F_T o softmax is not a rescaled softmax, and no logit-space bound is claimed")
    consts: tuple[DerivedConstant, ...] = ()
    if bad:
        h = Claim(hid, key, "hypothesis", "unknown", stmt, method="sympy: x d/dx log g, d^2 g/dx^2",
                  reason="; ".join(bad), reason_kind="undecided")
    else:
        h = Claim(hid, key, "hypothesis", "proved", stmt, method="sympy: x d/dx log g, d^2 g/dx^2 + sign prover",
                  scope="full" if len(pieces) == 1 else "every T-piece", certificate=tuple(cert))
        consts = (DerivedConstant("L_logit", _piecewise(items), "sharp",
                                  "least l2 Lipschitz constant of z -> F_T(softmax(z)) over all V >= 2 "
                                  "(softmax Jacobian diag q - q q^T has spectral norm <= 1/2, approached as q -> (1/2, 1/2, 0, ...))"),)
    return [h, Claim(f"{key}.conclusion", key, "conclusion", "pending", LIPSCHITZ_LOGIT.conclusion,
                     method="theorem lipschitz_logit", depends_on=(wd_id, hid), constants=consts)]


def _closed_counterexample(op: Any, info: dict[str, Any]) -> dict[str, Any] | None:
    """Arb-certified chord ratios above CLOSED_LEVELS at the sample T of a piece with 0 < c < 1."""
    from ..reproduce import operator_code

    pc: Piece = info["piece"]
    ts = pc.sample()
    if not isinstance(ts, sp.Rational):
        return None
    t = Fraction(int(ts.p), int(ts.q))
    cval = sp.nsimplify(info["c"].subs(T, ts))
    cf = float(cval)
    if not 0 < cf < 1:
        return None
    rows = []
    for level in CLOSED_LEVELS:
        m = max(1, math.ceil(math.log10(2 * level) / (1 - cf)))
        for _ in range(4):
            eps = Fraction(1, 10**m)
            b = chord_ratio_arb(op, t, eps)
            if b > level:
                rows.append((level, eps, b))
                break
            m += 1
        else:
            return None
    imp, expr = operator_code(op, {})
    e_last = rows[-1][1]
    reproduce = "; ".join(p for p in [
        "from fractions import Fraction as Q", imp, "from skd.operators import evaluate_mp", f"op = {expr}",
        f"e = Q(1, {e_last.denominator}); print(evaluate_mp(op, [e, 1 - e], Q({t.numerator}, {t.denominator}))[0] / e)"] if p)
    return {
        "statement": (f"at T = {_fmt(t)} (exponent c = {sp.sstr(cval)} < 1), p = (eps, 1 - eps), p' = (0, 1), "
                      f"F_T(p') = (0, 1): the chord ratio ||F_T(p) - F_T(p')|| / ||p - p'|| = F_T(p)_1 / eps "
                      f"(l1 and l2) exceeds " + ", ".join(f"{lv} at eps = 1/{e.denominator}" for lv, e, _ in rows)
                      + "; it is >= eps^(c-1)/2 for every eps (docs/theory/sensitivity.md), so no finite L works"),
        "reproduce": reproduce,
        "certified_by": "arb",
        "T": _fmt(t),
        "V": 2,
        "p": ["eps", "1 - eps"],
        "p2": ["0", "1"],
        "points": [{"eps": _fmt(e), "L": str(lv), "lhs": {"ball": b.str(radius=True), "decimal": b.str(30, radius=False)},
                    "rhs": {"ball": f"[{lv} +/- 0]", "decimal": str(lv)}, "relation": ">"} for lv, e, b in rows],
        "limit_of_F_at_p2": "g(x) = exp(d) x^c with c > 0 tends to 0 as x -> 0+, so F_T(0, 1) = (0, 1) by continuity",
    }


def _lipschitz_closed(op: Any, closed: list[dict[str, Any]]) -> list[Claim]:
    key = LIPSCHITZ_CLOSED.key
    wd_id = f"{key}.well_defined"
    out: list[Claim] = []
    bound_items: list[tuple[Piece, sp.Expr]] = []
    rate_items: list[tuple[Piece, sp.Expr]] = []
    sharp_only = True
    one = sp.Integer(1)
    for hkey, in_range in (("global_lipschitz_T_le_1", lambda pc: (pc.hi is not None and pc.hi <= one)),
                           ("global_lipschitz_T_gt_1", lambda pc: (pc.lo is not None and pc.lo >= one and not (pc.point and pc.lo == one)))):
        stmt = LIPSCHITZ_CLOSED.hypothesis(hkey).statement
        mine = [i for i in closed if in_range(i["piece"])]
        cert: list[str] = []
        unknown: list[str] = []
        refuted: dict[str, Any] | None = None
        for i in mine:
            if i.get("error"):
                unknown.append(f"{i['label']}: {i['error']}")
                continue
            af = i["affine"]
            if af is not None and af["den_sign"] in ("pos", "neg"):
                r, absval = _affine_abs_r(af)
                cert.append(f"{i['label']}: g = {sp.sstr(af['alpha'])} x + {sp.sstr(af['b0'])} is affine, normaliser "
                            f"{sp.sstr(af['den'])} != 0 (sign {af['den_sign']}), so F_T(p) = r p + (1 - r)/V on the closed "
                            f"simplex with r = {sp.sstr(r)}: Lipschitz with the exact constant |r| (any norm)")
                bound_items.append((i["piece"], absval))
                continue
            c = i["c"]
            if c is not None and i["c_sign"] == "pos" and i["cm1_sign"] in ("pos", "zero"):
                cert.append(f"{i['label']}: power type, x d/dx log g = c = {sp.sstr(c)} >= 1 (sign prover on c - 1: "
                            f"{i['cm1_sign']}), so F_T(p) = p^c / sum p^c extends continuously to the faces and is "
                            "Lipschitz with L <= 2 c V^(c-1) in l1 and 2 c V^(c-1/2) in l2 (docs)")
                bound_items.append((i["piece"], sp.simplify(2 * c * V ** (c - 1))))
                sharp_only = False
                continue
            if c is not None and i["c_sign"] == "pos" and i["cm1_sign"] == "neg":
                ce = _closed_counterexample(op, i)
                if ce is not None:
                    refuted = refuted or ce
                    rate_items.append((i["piece"], EPS ** sp.simplify(c - 1)))
                    continue
                unknown.append(f"{i['label']}: power type with 0 < c < 1 but the Arb certification of the chord ratio failed")
                continue
            unknown.append(f"{i['label']}: neither affine in x nor power type with a decided exponent; no closed-simplex "
                           "Lipschitz claim is made")
        hid = f"{key}.{hkey}"
        if refuted is not None:
            out.append(Claim(hid, key, "hypothesis", "refuted", stmt, method="power-type lemma + Arb chord ratios",
                             counterexample=refuted, certificate=tuple(cert)))
        elif unknown or not mine:
            out.append(Claim(hid, key, "hypothesis", "unknown", stmt, method="affine / power-type recognition",
                             reason="; ".join(unknown) or "no T-piece in this range", reason_kind="undecided"))
        else:
            out.append(Claim(hid, key, "hypothesis", "proved", stmt, method="affine / power-type recognition + sign prover",
                             scope="every T-piece in the range: " + "; ".join(i["label"] for i in mine),
                             certificate=tuple(cert)))
    consts: list[DerivedConstant] = []
    if bound_items:
        consts.append(DerivedConstant(
            "L_closed", _piecewise(bound_items, cover_all=len(bound_items) == len(closed)), "sharp" if sharp_only else "upper_bound",
            "Lipschitz constant on the closed simplex (l1; tangent directions) where one is proved: exact |r| on affine "
            "pieces, bound 2 c V^(c-1) on power-type pieces with c >= 1 (l2: multiply by sqrt(V)); defined only where its T-condition holds"))
    if rate_items:
        consts.append(DerivedConstant(
            "blowup_rate", _piecewise(rate_items, cover_all=False), "rate",
            "the chord ratio between (eps, 1-eps) and (0, 1) equals eps^(c-1)/(eps^c + (1-eps)^c), which is >= eps^(c-1)/2 "
            "and ~ eps^(c-1) -> oo as eps -> 0 (power: c = 1/T, for every T > 1)"))
    out.append(Claim(f"{key}.conclusion", key, "conclusion", "pending", LIPSCHITZ_CLOSED.conclusion,
                     method="theorem lipschitz_closed",
                     depends_on=(wd_id, f"{key}.global_lipschitz_T_le_1", f"{key}.global_lipschitz_T_gt_1"),
                     constants=tuple(consts)))
    return out


# -- lipschitz_eps_sharp: V >= 3 (power type with 0 < c <= 1, affine) ---------------------------------

#: (T, eps, V) at which the sharp V >= 3 constants are printed for readers (T = 2, eps = 1/1000, V = 3 is issue 15's point).
SHARP_V_POINTS: tuple[tuple[Fraction, Fraction, int], ...] = (
    (Fraction(2), Fraction(1, 1000), 3), (Fraction(2), Fraction(1, 1000), 4), (Fraction(2), Fraction(1, 100), 3),
    (Fraction(3, 2), Fraction(1, 100), 3), (Fraction(4), Fraction(1, 10**6), 5))
#: The certified l2 witness: V = 3 at T = 2, the first eps below whose chord ratio exceeds L2_FACTOR * c eps^(c-1).
L2_WITNESS_T = Fraction(2)
L2_WITNESS_EPS = (Fraction(1, 10**6), Fraction(1, 10**9), Fraction(1, 10**12))
L2_FACTOR = Fraction(21, 20)


def sharp_l1_form(c: sp.Expr) -> sp.Expr:
    """``c ε^{c−1} / ((V−1) ε^c + (1 − (V−1)ε)^c)``: the sharp ℓ1 constant on ``Δ_ε`` for ``V ≥ 3`` (``0 < c ≤ 1``).

    >>> sharp_l1_form(sp.Rational(1, 2)).subs({EPS: sp.Rational(1, 1000), V: 3}).evalf(12)
    14.8848782685
    """
    return c * EPS ** (c - 1) / ((V - 1) * EPS ** c + (1 - (V - 1) * EPS) ** c)


def _l2_witness_search(c: float, eps: float) -> tuple[float, float, float, float]:
    """Float search (not a certificate) for ``δ`` and a unit tangent ``v`` maximising ‖J v‖₂ at ``(ε, δ, 1−ε−δ)``."""
    import numpy as np

    basis = np.array([[1.0, -1.0, 0.0], [1.0, 1.0, -2.0]]).T / np.array([math.sqrt(2), math.sqrt(6)])

    def top(d: float) -> tuple[float, Any]:
        p = np.array([eps, d, 1 - eps - d])
        w = p ** c
        q = w / w.sum()
        jm = (np.diag(q) - np.outer(q, q)) @ np.diag(c / p)
        u, s, vt = np.linalg.svd(jm @ basis)
        return float(s[0]), basis @ vt[0]

    lds = [math.log(eps) + (math.log(0.3) - math.log(eps)) * k / 600 for k in range(601)]
    best = max(lds, key=lambda ld: top(math.exp(ld))[0])
    d = math.exp(best)
    s, v = top(d)
    if v[0] < 0:
        v = -v
    return d, float(v[0]), float(v[1]), s


def _l2_witness(op: Any, c: sp.Expr) -> dict[str, Any] | None:
    """Arb-certified chord ratio in ℓ2 above ``L2_FACTOR · c ε^{c−1}`` at ``V = 3``, ``T = 2`` (or None)."""
    t = L2_WITNESS_T
    cv = sp.nsimplify(c.subs(T, sp.Rational(t.numerator, t.denominator)))
    cf = float(cv)
    if not 0 < cf < 1 or not isinstance(cv, sp.Rational):
        return None
    cq = Fraction(int(cv.p), int(cv.q))
    ar = ArbArith(256)
    for eps in L2_WITNESS_EPS:
        d, v1, v2, _s = _l2_witness_search(cf, float(eps))
        dq = Fraction(d).limit_denominator(10**12)
        vq = [Fraction(v1).limit_denominator(1000), Fraction(v2).limit_denominator(1000)]
        vq.append(-vq[0] - vq[1])
        h = eps / 10**9
        pa = [eps + h * vq[0], dq + h * vq[1], 1 - eps - dq + h * vq[2]]
        pb = [eps + 2 * h * vq[0], dq + 2 * h * vq[1], 1 - eps - dq + 2 * h * vq[2]]
        if min(pa + pb) < eps or vq[0] <= 0:
            continue
        fa, fb = evaluate_in(op, pa, t, ar), evaluate_in(op, pb, t, ar)
        num = sum(((x1 - x0) ** 2 for x0, x1 in zip(fa, fb)), ar.num(0))
        den = sum(ar.num((b - a) ** 2) for a, b in zip(pa, pb))
        ratio = (num / den).sqrt()
        e_b = ar.num(eps)
        level = ar.num(L2_FACTOR) * ar.num(cq) * e_b ** ar.num(cq - 1)
        if ratio > level:
            return {"T": t, "eps": eps, "p": pa, "p2": pb, "ratio": ratio, "level": level, "c": cq}
    return None


def _affine_abs_r(af: dict[str, Any]) -> tuple[sp.Expr, sp.Expr]:
    """``(r, |r|)`` of an affine piece ``F_T(p) = r p + (1 − r)/V``, ``|r|`` written by the sign the prover gave ``r``."""
    r = af["r"]
    return r, sp.simplify(r if af["r_sign"] in ("pos", "zero") else (-r if af["r_sign"] == "neg" else sp.Abs(r)))


def _lipschitz_eps_sharp(op: Any, closed: list[dict[str, Any]]) -> list[Claim]:
    key = LIPSCHITZ_EPS_SHARP.key
    wd_id, hid = f"{key}.well_defined", f"{key}.sharp_form"
    stmt = LIPSCHITZ_EPS_SHARP.hypothesis("sharp_form").statement
    items: dict[str, list[tuple[Piece, sp.Expr]]] = {k: [] for k in ("L1_sharp", "L1_upper", "L1_lower", "L2_lower",
                                                                      "L2_upper", "L2_rate_lower")}
    cert: list[str] = []
    skipped: list[str] = []
    witness: dict[str, Any] | None = None
    for i in closed:
        if i.get("error"):
            skipped.append(f"{i['label']}: {i['error']}")
            continue
        af = i["affine"]
        if af is not None and af["den_sign"] in ("pos", "neg"):
            r, absval = _affine_abs_r(af)
            cert.append(f"{i['label']}: g = {sp.sstr(af['alpha'])} x + {sp.sstr(af['b0'])} is affine, normaliser "
                        f"{sp.sstr(af['den'])} has sign {af['den_sign']}: F_T(p) - F_T(p') = r (p - p'), r = {sp.sstr(r)}, "
                        "so |r| is the exact constant in every norm")
            for k in ("L1_sharp", "L1_upper", "L1_lower", "L2_lower", "L2_upper"):
                items[k].append((i["piece"], absval))
            continue
        c = i["c"]
        if c is not None and i.get("g_sign") == "pos" and i["c_sign"] == "pos" and i["cm1_sign"] in ("neg", "zero"):
            cert.append(f"{i['label']}: power type, x d/dx log g = c = {sp.sstr(c)} with c > 0 and c - 1 of sign "
                        f"{i['cm1_sign']} (sign prover): 0 < c <= 1, g > 0 on (0, 1)")
            l1 = sharp_l1_form(c)
            items["L1_sharp"].append((i["piece"], l1))
            items["L1_upper"].append((i["piece"], c * EPS ** (c - 1)))
            items["L1_lower"].append((i["piece"], c * EPS ** (c - 1) / (1 + (V - 1) * EPS ** c)))
            items["L2_lower"].append((i["piece"], l1))
            items["L2_upper"].append((i["piece"], sp.sqrt(V / 2) * l1))
            if i["cm1_sign"] == "neg":
                items["L2_rate_lower"].append((i["piece"], sp.sqrt(2 * (V - 1) / V) * c * EPS ** (c - 1)))
                if witness is None and _piece_at([i], L2_WITNESS_T) is not None:
                    witness = _l2_witness(op, c)
            continue
        why = ("power type with exponent c > 1 (or of undecided sign): the sup over Delta_eps is not at the vertex "
               "(T < 1 for power); only the bound of lipschitz_eps applies" if c is not None
               else "neither affine in x nor power type")
        skipped.append(f"{i['label']}: {why}")
    covered = [pc for pc, _ in items["L1_sharp"]]
    if not covered:
        hyp = Claim(hid, key, "hypothesis", "unknown", stmt, method="affine / power-type recognition + sign prover",
                    reason="; ".join(skipped) or "no T-piece", reason_kind="undecided")
        return [hyp, Claim(f"{key}.conclusion", key, "conclusion", "pending", LIPSCHITZ_EPS_SHARP.conclusion,
                           method=f"theorem {key}", depends_on=(wd_id, hid))]
    labels = "; ".join(pc.label for pc in covered)
    scope = f"V >= 3, 0 < eps < 1/V, T-pieces: {labels}" + (f" (not claimed on: {'; '.join(skipped)})" if skipped else "")
    hyp = Claim(hid, key, "hypothesis", "proved", stmt, method="affine / power-type recognition + sign prover",
                scope=scope, certificate=tuple(cert))
    full = len(covered) == len(closed)
    meanings = {k.name: k.meaning for k in LIPSCHITZ_EPS_SHARP.constants}
    consts: list[DerivedConstant] = []
    for name in items:
        if not items[name]:
            continue
        expr = _piecewise(items[name], cover_all=full and len(items[name]) == len(closed))
        kind = next(k.kind for k in LIPSCHITZ_EPS_SHARP.constants if k.name == name)
        consts.append(DerivedConstant(name, expr, kind, meanings[name] + "; defined only where its T-condition holds",
                                      values=_sharp_v_values(expr)))
    if witness is not None:
        w = witness
        # the Arb lower end, rounded DOWN to 15 significant digits (still a certified lower bound; an exact
        # dyadic end would be a ~70-digit rational, beyond what the safe parser reads back)
        lo = Fraction(_dec(_frac_of(w["ratio"].lower()), 15, up=False))
        at = {"T": _fmt(w["T"]), "eps": _fmt(w["eps"]), "V": "3", "p": ",".join(map(_fmt, w["p"])),
              "p2": ",".join(map(_fmt, w["p2"]))}
        consts.append(DerivedConstant(
            "L2_witness", sp.Rational(lo.numerator, lo.denominator), "lower_bound",
            f"certified lower bound on the least l2 constant at V = 3, T = {_fmt(w['T'])}, eps = {_fmt(w['eps'])}: the l2 chord "
            f"ratio of the pair (p, p2) in Delta_eps, an Arb ball {w['ratio'].str(20, radius=True)} > {_fmt(L2_FACTOR)} c eps^(c-1) "
            f"= {w['level'].str(15, radius=True)} (c = {_fmt(w['c'])}) >= {_fmt(L2_FACTOR)} L1_sharp: the l2 constant is not "
            "the l1 one", values=((at, _dec(lo, 15, up=False)),)))
    return [hyp, Claim(f"{key}.conclusion", key, "conclusion", "pending", LIPSCHITZ_EPS_SHARP.conclusion,
                       method=f"theorem {key} (closed form; l2: two-sided bounds, Arb chord witness)", scope=scope,
                       depends_on=(wd_id, hid), constants=tuple(consts))]


def _sharp_v_values(expr: sp.Expr) -> tuple[tuple[dict[str, str], str], ...]:
    vals = []
    for t, e, vv in SHARP_V_POINTS:
        v = expr.subs({T: sp.Rational(t.numerator, t.denominator), EPS: sp.Rational(e.numerator, e.denominator), V: vv})
        if v.free_symbols or v is sp.nan or not v.is_finite:
            continue
        vals.append(({"T": _fmt(t), "eps": _fmt(e), "V": str(vv)}, sp.sstr(sp.N(v, 15))))
    return tuple(vals)


# -- lipschitz_vector: sparsemax, entmax15 (logit constants), topk (not Lipschitz) -------------------------

#: Levels the top-k chord ratio is certified to exceed, and the temperatures.
TOPK_LEVELS = (10, 100, 1000)
TOPK_T = (Fraction(1), Fraction(2))


def _recognised(op: Any) -> str | None:
    """``"topk"``, ``"sparsemax"`` or ``"entmax15"`` when ``op`` runs that library algorithm (identity of the function)."""
    from skd.operators import library

    alg = getattr(op, "algorithm", None)
    if op.kind != "vector" or op.params or alg is None:
        return None
    for name, fn in (("topk", library.topk_algorithm), ("sparsemax", library.sparsemax_algorithm),
                     ("entmax15", library.entmax15_algorithm)):
        if alg is fn:
            return name
    return None


def topk_tie_pair(t: Fraction) -> tuple[list[Fraction], list[Fraction]]:
    """``p = (1/2, 1/4 + t, 1/4 − t)`` and ``p' = (1/2, 1/4 − t, 1/4 + t)``: the tie at ``(1/2, 1/4, 1/4)`` broken both ways.

    >>> topk_tie_pair(Fraction(1, 100))[1]
    [Fraction(1, 2), Fraction(6, 25), Fraction(13, 50)]
    """
    a, b = Fraction(1, 4) + t, Fraction(1, 4) - t
    return [Fraction(1, 2), a, b], [Fraction(1, 2), b, a]


def topk_counterexample(op: Any, prec: int = 128) -> dict[str, Any] | None:
    """Arb-certified ℓ1 (= ℓ2) chord ratios of top-k above TOPK_LEVELS at the tie pairs, T in TOPK_T."""
    from ..reproduce import operator_code

    ar = ArbArith(prec)
    points = []
    for temp in TOPK_T:
        for level in TOPK_LEVELS:
            t = Fraction(1, 10 * level)  # ratio >= 2^(-1/T)/(4t) = 2.5 * 2^(-1/T) * level > level for T >= 1
            p, p2 = topk_tie_pair(t)
            f1, f2 = evaluate_in(op, p, temp, ar), evaluate_in(op, p2, temp, ar)
            num = sum((abs(a - b) for a, b in zip(f1, f2)), ar.num(0))
            ratio = num / ar.num(4 * t)
            if not ratio > level:
                return None
            points.append({"T": _fmt(temp), "t": _fmt(t), "L": str(level), "p": [_fmt(v) for v in p], "p2": [_fmt(v) for v in p2],
                           "lhs": {"ball": ratio.str(radius=True), "decimal": ratio.str(30, radius=False)},
                           "rhs": {"ball": f"[{level} +/- 0]", "decimal": str(level)}, "relation": ">"})
    imp, expr = operator_code(op, {})
    reproduce = "; ".join(s for s in [
        "from fractions import Fraction as Q", imp, "from skd.operators import evaluate_mp", f"op = {expr}",
        "t = Q(1, 10000); p = [Q(1, 2), Q(1, 4) + t, Q(1, 4) - t]; p2 = [Q(1, 2), Q(1, 4) - t, Q(1, 4) + t]",
        "print(sum(abs(a - b) for a, b in zip(evaluate_mp(op, p, 1), evaluate_mp(op, p2, 1))) / (4 * t))"] if s)
    return {
        "statement": ("V = 3, p = (1/2, 1/4 + t, 1/4 - t), p' = (1/2, 1/4 - t, 1/4 + t): top-k keeps {1, 2} at p and {1, 3} at p', "
                      "so ||F_T(p) - F_T(p')||_1 = 2 F_T(p)_2 >= 2^(-1/T) while ||p - p'||_1 = 4t; the chord ratio (l1 and l2 "
                      "alike) exceeds " + ", ".join(f"{pt['L']} at T = {pt['T']}, t = {pt['t']}" for pt in points)
                      + " (Arb), and is >= 2^(-1/T)/(4t) for every t in (0, 1/4) and T > 0 (docs/theory/sensitivity.md): "
                      "F_T is not continuous at p0 = (1/2, 1/4, 1/4), so not Lipschitz on the open simplex, on Delta_eps "
                      "(eps < 1/4) nor in the logits"),
        "reproduce": reproduce,
        "certified_by": "arb",
        "V": 3,
        "points": points,
    }


def _vector_projection_work(op: Any) -> dict[str, Any]:
    """What the vector theorem needs (worker): the recognised algorithm and, for top-k, the certified counterexample."""
    name = _recognised(op)
    return {"name": name, "topk": topk_counterexample(op) if name == "topk" else None}


def _lipschitz_vector(ctx: Context) -> list[Claim]:
    op, thm = ctx.op, LIPSCHITZ_VECTOR
    key = thm.key
    cid, pid = f"{key}.continuous_at_ties", f"{key}.projection_form"
    cstmt, pstmt = thm.hypothesis("continuous_at_ties").statement, thm.hypothesis("projection_form").statement
    res = budgeted(_vector_projection_work, op, seconds=ctx.timeout, what="recognition and top-k tie counterexample")
    name = res.value["name"] if res.ok else None
    consts: tuple[DerivedConstant, ...] = ()
    if not res.ok:
        cont = Claim(cid, key, "hypothesis", "unknown", cstmt, method="recognised algorithm", reason=res.reason,
                     reason_kind=res.reason_kind)
        proj = Claim(pid, key, "hypothesis", "unknown", pstmt, method="recognised algorithm", reason=res.reason,
                     reason_kind=res.reason_kind)
    elif name == "topk":
        ce = res.value["topk"]
        cont = (Claim(cid, key, "hypothesis", "refuted", cstmt, method="tie lemma + Arb chord ratios", counterexample=ce)
                if ce is not None else
                Claim(cid, key, "hypothesis", "unknown", cstmt, method="tie lemma + Arb chord ratios",
                      reason="the Arb certification of the top-k chord ratios failed", reason_kind="undecided"))
        proj = Claim(pid, key, "hypothesis", "unknown", pstmt, method="recognised algorithm",
                     reason="top-k is not sparsemax or 1.5-entmax of log(p)/T (and is not continuous): no logit constant",
                     reason_kind="unsupported")
    elif name in ("sparsemax", "entmax15"):
        thm_no = "V.6" if name == "sparsemax" else "V.7"
        cont = Claim(cid, key, "hypothesis", "proved", cstmt, method="recognised algorithm + Corollary V.8",
                     certificate=(f"op.algorithm is skd.operators.library.{name}_algorithm; by Theorem {thm_no} and Corollary "
                                  "V.8 of docs/theory/vector.md it computes a map jointly continuous on the open simplex",))
        proj = Claim(pid, key, "hypothesis", "proved", pstmt, method=f"recognised algorithm + Theorem {thm_no}",
                     certificate=(f"op.algorithm is skd.operators.library.{name}_algorithm, which equals "
                                  f"{'sparsemax' if name == 'sparsemax' else 'entmax_1.5'}(log(p)/T) (Theorem {thm_no}); with "
                                  "p = softmax(z), log p = z - logsumexp(z) 1 and the map is shift invariant",))
        tt = symbol("T")
        if name == "sparsemax":
            consts = (
                DerivedConstant("L_logit_vec", 1 / tt, "sharp",
                                "least l2 Lipschitz constant of z -> sparsemax(z/T): the Euclidean projection onto the simplex is "
                                "1-Lipschitz, and the ratio is exactly 1/T between z = 0 and z = s (e_1 - e_2), |s| <= T/2"),
                DerivedConstant("L_eps_vec", 1 / (tt * EPS), "upper_bound",
                                "l2 Lipschitz bound of F_T on Delta_eps (|log a - log b| <= |a - b|/eps on [eps, 1]); not claimed sharp"),
            )
        else:
            consts = (
                DerivedConstant("L_logit_vec", 1 / tt, "upper_bound",
                                "l2 Lipschitz bound of z -> entmax_1.5(z/T): Jacobian (diag r - r r^T/sum r)/T with r = sqrt(q), "
                                "positive semidefinite and <= diag(r) <= I"),
                DerivedConstant("L_logit_vec_lower", 1 / (sp.sqrt(2) * tt), "lower_bound",
                                "the Jacobian norm at z = 0, V = 2 (q = (1/2, 1/2)): the least constant is >= 1/(sqrt 2 T)"),
                DerivedConstant("L_eps_vec", 1 / (tt * EPS), "upper_bound",
                                "l2 Lipschitz bound of F_T on Delta_eps (|log a - log b| <= |a - b|/eps on [eps, 1]); not claimed sharp"),
            )
    else:
        why = ("a user-defined vector operator: continuity and the logit constant are proved only for the library's "
               "sparsemax and entmax15 algorithms (and refuted for its top-k)")
        cont = Claim(cid, key, "hypothesis", "unknown", cstmt, method="recognised algorithm", reason=why, reason_kind="unsupported")
        proj = Claim(pid, key, "hypothesis", "unknown", pstmt, method="recognised algorithm", reason=why, reason_kind="unsupported")
    # no A0 hypothesis: the recognised algorithms are maps into the simplex by Theorems V.6/V.7, and the
    # top-k refutation needs only two evaluations
    return [cont, proj, Claim(f"{key}.conclusion", key, "conclusion", "pending", thm.conclusion,
                              method=f"theorem {key}", depends_on=(cid, pid), constants=consts)]


def _vector_unsupported(ctx: Context, why: str) -> list[Claim]:
    thm = LIPSCHITZ_VECTOR
    key = thm.key
    out: list[Claim] = []
    for h in ("continuous_at_ties", "projection_form"):
        out.append(Claim(f"{key}.{h}", key, "hypothesis", "unknown", thm.hypothesis(h).statement, method="none",
                         reason=why, reason_kind="unsupported"))
    out.append(Claim(f"{key}.conclusion", key, "conclusion", "pending", thm.conclusion, method=f"theorem {key}",
                     depends_on=tuple(c.id for c in out)))
    return out


# -- cross-checks (skd crosscheck) ----------------------------------------------------------------

#: Inputs of the cross-checks besides the Hypothesis draws (theory-notes §6 item 2).
_REF_P = (Fraction(7, 10), Fraction(1, 5), Fraction(1, 10))
_REF_T = (Fraction(1, 2), Fraction(1), Fraction(2))
_EPS_CHOICES = (Fraction(1, 1000), Fraction(1, 100), Fraction(1, 20), Fraction(1, 10))
#: eps at which the closed-simplex chord ratio is evaluated directly.
_BLOWUP_EPS = (Fraction(1, 10**2), Fraction(1, 10**4), Fraction(1, 10**6), Fraction(1, 10**9))


def _value_at(expr: sp.Expr, env: dict[sp.Symbol, Any], dps: int = 40) -> Any:
    """``expr`` at exact inputs (Fractions/ints) as a global-context mpf; ``None`` where undefined."""
    from skd.operators.arith import MpArith
    from skd.operators.errors import NotWellDefined

    ar = MpArith(dps)
    try:
        v = eval_expr(expr, {k: ar.num(Fraction(val)) for k, val in env.items()}, ar)
    except (NotWellDefined, Undecided, ZeroDivisionError, ValueError, TypeError):
        return None
    with mpmath.workdps(dps):
        v = mpmath.mpf(v)
    return v if mpmath.isfinite(v) else None


def _mp_eval(op: Any, p: Sequence[Fraction], t: Fraction, dps: int = 50) -> list[Any]:
    from skd.operators import evaluate_mp

    with mpmath.workdps(dps):
        return [mpmath.mpf(v) for v in evaluate_mp(op, p, t, dps=dps)]


def _fd_direction(op: Any, p: Sequence[Fraction], u: Sequence[Fraction], t: Fraction, dps: int = 50) -> list[Any]:
    """Central difference of ``F_T`` at ``p`` along the tangent direction ``u`` (exact inputs, ``dps`` digits).

    The step is ``min(p)·10⁻¹²`` (``u`` is scaled so that ``max |u_i| = 1``): both points stay in the open
    simplex, truncation error ``O(10⁻²⁴)`` relative, rounding ``O(10^{12−dps})``.
    """
    h = min(p) / 10**12
    plus = _mp_eval(op, [pi + h * ui for pi, ui in zip(p, u)], t, dps)
    minus = _mp_eval(op, [pi - h * ui for pi, ui in zip(p, u)], t, dps)
    with mpmath.workdps(dps):
        hm = mpmath.mpf(h.numerator) / h.denominator
        return [(a - b) / (2 * hm) for a, b in zip(plus, minus)]


def _tangent(ints: Sequence[int], v: int) -> list[Fraction]:
    """A tangent direction (sum 0, max |u_i| = 1) from drawn integers; ``e_0 − e_1`` when they are constant."""
    raw = [Fraction(k) for k in ints[:v]]
    m = sum(raw) / v
    u = [k - m for k in raw]
    top = max(abs(k) for k in u)
    if top == 0:
        return [Fraction(1), Fraction(-1)] + [Fraction(0)] * (v - 2)
    return [k / top for k in u]


def _constant_or_none(d: Any, claim_id: str, name: str) -> DerivedConstant | None:
    return next((k for k in d.claim(claim_id).constants if k.name == name), None)


def _jacobian_formula(a_expr: sp.Expr, q: Sequence[Any], p: Sequence[Fraction], u: Sequence[Fraction], t: Fraction) -> list[Any] | None:
    """``(diag q − q qᵀ) diag(a(p)) u`` with ``a`` the derived ``∂_x s`` (mpmath)."""
    a = [_value_at(a_expr, {x: pj, T: t, V: len(p)}) for pj in p]
    if any(v is None for v in a):
        return None
    with mpmath.workdps(50):
        w = [aj * (mpmath.mpf(uj.numerator) / uj.denominator) for aj, uj in zip(a, u)]
        m = mpmath.fsum(qi * wi for qi, wi in zip(q, w))
        return [qi * (wi - m) for qi, wi in zip(q, w)]


def _tangent_fd_v2(op: Any, xv: Fraction, t: Fraction) -> Any:
    """``d/dx F_T(x, 1 − x)_1`` by a central difference of :func:`evaluate_mp` (50 digits)."""
    return _fd_direction(op, [xv, 1 - xv], [Fraction(1), Fraction(-1)], t)[0]


def _max_abs_tangent(op: Any, t: Fraction, eps: Fraction, grid: int = 40, iters: int = 40) -> Any:
    """``max_{x ∈ [eps, 1 − eps]} |d/dx F_T(x, 1 − x)_1|``: a grid, then golden section around the best node."""
    xs = [eps + (1 - 2 * eps) * Fraction(k, grid) for k in range(grid + 1)]
    vals = [abs(_tangent_fd_v2(op, xv, t)) for xv in xs]
    i = max(range(len(xs)), key=lambda j: vals[j])
    best = vals[i]
    a, b = xs[max(i - 1, 0)], xs[min(i + 1, grid)]

    def frac(v: Any) -> Fraction:
        man, exp = v.man_exp
        return Fraction(int(man)) * Fraction(2) ** int(exp)

    with mpmath.workdps(50):
        g = (mpmath.sqrt(5) - 1) / 2
        lo, hi = mpmath.mpf(a.numerator) / a.denominator, mpmath.mpf(b.numerator) / b.denominator
        c1, c2 = hi - g * (hi - lo), lo + g * (hi - lo)
        f1, f2 = abs(_tangent_fd_v2(op, frac(c1), t)), abs(_tangent_fd_v2(op, frac(c2), t))
        for _ in range(iters):
            if f1 >= f2:
                hi, c2, f2 = c2, c1, f1
                c1 = hi - g * (hi - lo)
                f1 = abs(_tangent_fd_v2(op, frac(c1), t))
            else:
                lo, c1, f1 = c1, c2, f2
                c2 = lo + g * (hi - lo)
                f2 = abs(_tangent_fd_v2(op, frac(c2), t))
        return max(best, f1, f2)


def _closed_ratio(op: Any, p: Sequence[Fraction], p2: Sequence[Fraction], t: Fraction) -> tuple[Any, Any]:
    """``ℓ1`` and ``ℓ2`` chord ratios ``‖F_T(p) − F_T(p')‖ / ‖p − p'‖`` (mpmath, faces allowed)."""
    f1, f2 = _mp_eval(op, p, t), _mp_eval(op, p2, t)
    with mpmath.workdps(50):
        din = [mpmath.mpf((a - b).numerator) / (a - b).denominator for a, b in zip(p, p2)]
        dout = [a - b for a, b in zip(f1, f2)]
        r1 = mpmath.fsum(abs(v) for v in dout) / mpmath.fsum(abs(v) for v in din)
        r2 = mpmath.sqrt(mpmath.fsum(v * v for v in dout)) / mpmath.sqrt(mpmath.fsum(v * v for v in din))
        return r1, r2


def crosscheck(d: Any, cases: int) -> list[Any]:
    """Jacobian and Lipschitz constants against finite differences, direct chord ratios and the NumPy kernel.

    Inputs: the reference point of theory-notes §6 item 2 and ``cases`` Hypothesis draws of
    rational ``p`` (V ≤ 6), ``T`` in [1/20, 20], ``ε`` in {1/1000, 1/100, 1/20, 1/10} (at most
    1/(2V)), tangent directions and logits. Upper bounds are checked one-sidedly
    (``max(0, sampled − bound)/bound``), enclosures by the distance of an independent maximum
    outside them.
    """
    import numpy as np
    from hypothesis import strategies as st
    from skd.operators import apply
    from skd.operators.errors import NotWellDefined

    from ..checks import Check, compare_values, draw
    from ..strategies import rational_distributions, temperatures

    op = d.op
    out: list[Any] = []
    if op.kind == "separable":
        out += _crosscheck_sharp(d, cases)
    else:
        out += _crosscheck_vector(d, cases)
    ints = st.lists(st.integers(-4, 4), min_size=6, max_size=6)
    logits = st.lists(st.integers(-60, 60), min_size=2, max_size=6)
    drawn = draw(st.tuples(rational_distributions(max_size=6, max_denominator=200), temperatures(min_value=0.05, max_value=20),
                           st.sampled_from(_EPS_CHOICES), ints, logits), cases, seed=0)
    inputs = [(list(_REF_P), t, Fraction(1, 100), [1, -1, 0, 0, 0, 0], [10, 0, -10]) for t in _REF_T] + [tuple(c) for c in drawn]

    # -- jacobian: dx_s ----------------------------------------------------------------------------
    q_jac = "jacobian.conclusion:dx_s"
    why = _gate(d, "jacobian.conclusion")
    a_const = None if why else _constant_or_none(d, "jacobian.conclusion", "dx_s")
    if why or a_const is None:
        why = why or "no derived dx_s"
        out.append(_skip(q_jac, "Jacobian formula vs central differences of F_T, mpmath 50 digits", why))
        out.append(_skip(q_jac + " (kernel)", "Jacobian formula vs central differences of the NumPy kernel", why))
    else:
        rows, krows = [], []
        for p, t, _e, _u, _z in inputs:
            q = _mp_eval(op, p, t)
            k = max(range(len(p)), key=lambda i: p[i])
            arr = np.array([float(v) for v in p])
            for j in range(len(p)):
                if j == k:
                    continue
                u = [Fraction(int(i == j) - int(i == k)) for i in range(len(p))]
                at = {"p": ",".join(map(str, p)), "T": str(t), "direction": f"e{j}-e{k}"}
                sym = _jacobian_formula(a_const.expr, q, p, u, t)
                fd = _fd_direction(op, p, u, t)
                if sym is None:
                    rows.append((at, math.nan, 0.0))
                    continue
                scale = max(max(abs(v) for v in fd), mpmath.mpf(10) ** -20)  # absolute floor: 50-digit FD resolves ~1e-35
                i = max(range(len(p)), key=lambda i: abs(sym[i] - fd[i]))
                rows.append((at, float(sym[i] / scale), float(fd[i] / scale)))
                # the NumPy kernel: central difference in float64, step 1e-6·min(p)
                h = 1e-6 * float(min(p))
                uu = np.array([float(v) for v in u])
                kd = (apply(op, arr + h * uu, float(t)) - apply(op, arr - h * uu, float(t))) / (2 * h)
                ks = max(float(np.max(np.abs(kd))), 1.0)  # float64 FD error ~ 1e-16/h is absolute (|F| <= 1)
                i = int(np.argmax(np.abs(np.array([float(v) for v in sym]) - kd)))
                krows.append((at, float(sym[i]) / ks, float(kd[i]) / ks))
        dev, worst, n = compare_values(rows, relative=False)
        out.append(Check(q_jac, "(diag q − q qᵀ) diag(a(p)) u vs central difference of F_T along u = e_j − e_k, mpmath 50 digits "
                         "(deviation relative to max(max |∂_u F|, 1e-20))", n, dev, 1e-12, relative=False, worst=worst))
        dev, worst, n = compare_values(krows, relative=False)
        out.append(Check(q_jac + " (kernel)", "Jacobian formula vs central difference of the NumPy kernel apply() (float64, step "
                         "1e-6·min p; relative to max(max |∂_u F|, 1))", n, dev, 1e-5, relative=False, worst=worst))

    # -- lipschitz_eps: L_bound, dF1_dx_V2, L_sharp --------------------------------------------------
    why = _gate(d, "lipschitz_eps.conclusion")
    bound = None if why else _constant_or_none(d, "lipschitz_eps.conclusion", "L_bound")
    q_b = "lipschitz_eps.conclusion:L_bound"
    if why or bound is None:
        out.append(_skip(q_b, "sampled directional derivative ratios on Δ_ε", why or "no derived L_bound"))
    else:
        rows = []
        extremal = [([e, 1 - e], t, e, [Fraction(1), Fraction(-1)]) for t in _REF_T for e in SHARP_GRID_EPS]
        pts = list(extremal)
        for w, t, e, iv, _z in inputs:
            v = len(w)
            e = min(e, Fraction(1, 2 * v))
            variants = [list(w)]
            j = min(range(v), key=lambda i: w[i])
            w0 = [Fraction(0) if i == j else wi for i, wi in enumerate(w)]
            variants.append([wi / sum(w0) for wi in w0])
            for ww in variants:
                p = [e + (1 - v * e) * wi for wi in ww]
                lo, hi = min(range(v), key=lambda i: p[i]), max(range(v), key=lambda i: p[i])
                pts.append((p, t, e, _tangent(iv, v)))
                if lo != hi:
                    pts.append((p, t, e, [Fraction(int(i == lo) - int(i == hi)) for i in range(v)]))
        for p, t, e, u in pts:
            b = _value_at(bound.expr, {T: t, EPS: e, V: len(p)})
            du = _fd_direction(op, p, u, t)
            with mpmath.workdps(50):
                un = [mpmath.mpf(k.numerator) / k.denominator for k in u]
                r1 = mpmath.fsum(abs(k) for k in du) / mpmath.fsum(abs(k) for k in un)
                r2 = mpmath.sqrt(mpmath.fsum(k * k for k in du)) / mpmath.sqrt(mpmath.fsum(k * k for k in un))
            at = {"p": ",".join(map(str, p)), "T": str(t), "eps": str(e), "u": ",".join(map(str, u))}
            rows.append(({**at, "norm": "l1"}, math.nan if b is None else b, r1))
            rows.append(({**at, "norm": "l2"}, math.nan if b is None else b, r2))
        dev, worst, n = _one_sided(rows)
        out.append(Check(q_b, "‖∂_u F_T(p)‖/‖u‖ (ℓ1, ℓ2; central differences, mpmath 50 digits) at p ∈ Δ_ε incl. faces "
                         "p_i = ε must not exceed L_bound(T, ε, V); deviation max(0, sampled − bound)/bound",
                         n, dev, 1e-10, worst=worst))

    q_t = "lipschitz_eps.conclusion:dF1_dx_V2"
    tang = None if why else _constant_or_none(d, "lipschitz_eps.conclusion", "dF1_dx_V2")
    if why or tang is None:
        out.append(_skip(q_t, "central differences of F_T(x, 1 − x)_1", why or "no derived dF1_dx_V2"))
    else:
        rows = []
        for w, t, _e, _u, _z in inputs:
            xv = min(w)
            at = {"x": str(xv), "T": str(t), "V": "2"}
            sym = _value_at(tang.expr, {x: xv, T: t, V: 2})
            rows.append((at, math.nan if sym is None else float(sym), float(_tangent_fd_v2(op, xv, t))))
        for at, val in tang.values:
            if val.startswith("not evaluated"):
                continue
            xv, t = Fraction(at["x"]), Fraction(at["T"])
            rows.append(({**at, "stated": "yes"}, float(val), float(_tangent_fd_v2(op, xv, t))))
        dev, worst, n = compare_values(rows, relative=True)
        out.append(Check(q_t, "d/dx F_T(x, 1 − x)_1: derived expression and stated 20-digit values vs central difference "
                         "of evaluate_mp (50 digits)", n, dev, 1e-12, worst=worst))

    q_s = "lipschitz_eps.conclusion:L_sharp"
    sharp = None if why else _constant_or_none(d, "lipschitz_eps.conclusion", "L_sharp")
    if why or sharp is None or not sharp.values:
        out.append(_skip(q_s, "grid + golden-section maximisation of |d/dx F_T(x, 1 − x)_1|",
                         why or (sharp.meaning if sharp is not None else "no derived L_sharp")))
    else:
        rows = []
        for at, val in sharp.values:
            lo, hi = (mpmath.mpf(s) for s in val.strip("[]").split(","))
            m = _max_abs_tangent(op, Fraction(at["T"]), Fraction(at["eps"]))
            rows.append((dict(at), lo, hi, m))
        dev, worst, n = _in_interval(rows)
        out.append(Check(q_s, "V = 2: max over [ε, 1 − ε] of |central difference of F_T(x, 1 − x)_1| (41-point grid + 40 "
                         "golden-section steps, mpmath 50 digits) must lie in the Arb enclosure [lo, hi]",
                         n, dev, 1e-10, worst=worst))

    # -- lipschitz_logit: L_logit (NumPy kernel) -------------------------------------------------------
    q_l = "lipschitz_logit.conclusion:L_logit"
    why = _gate(d, "lipschitz_logit.conclusion")
    logit = None if why else _constant_or_none(d, "lipschitz_logit.conclusion", "L_logit")
    if why or logit is None:
        out.append(_skip(q_l, "spectral norms of the Jacobian of z ↦ F_T(softmax(z)) (NumPy kernel)", why or "no derived L_logit"))
        out.append(_skip(q_l + " (attained)", "spectral norm at z = 0, V = 2", why or "no derived L_logit"))
    else:
        def jac_norm(z: np.ndarray, t: float) -> float:
            def f(zz: np.ndarray) -> np.ndarray:
                s = np.exp(zz - zz.max())
                return apply(op, s / s.sum(), t)

            h = 1e-6
            cols = [(f(z + h * e) - f(z - h * e)) / (2 * h) for e in np.eye(len(z))]
            return float(np.linalg.norm(np.array(cols).T, 2))

        rows, sharp_rows = [], []
        for _w, t, _e, _u, zs in inputs:
            lv = _value_at(logit.expr, {T: t})
            b = math.nan if lv is None else float(lv)
            z = np.array(zs, dtype=float) / 10
            rows.append(({"z": ",".join(f"{v:g}" for v in z), "T": str(t)}, b, jac_norm(z, float(t))))
            sharp_rows.append(({"z": "0,0", "T": str(t)}, b, jac_norm(np.zeros(2), float(t))))
        dev, worst, n = _one_sided(rows)
        out.append(Check(q_l, "‖J‖₂ of z ↦ apply(op, softmax(z), T) (central differences, float64) at drawn logits must not "
                         "exceed L_logit(T); deviation max(0, sampled − bound)/bound", n, dev, 1e-6, worst=worst))
        dev, worst, n = compare_values(sharp_rows, relative=True)
        out.append(Check(q_l + " (attained)", "sharpness: ‖J‖₂ at z = 0, V = 2 (q = (1/2, 1/2)) equals L_logit(T) "
                         "(NumPy kernel, central differences)", n, dev, 1e-6, worst=worst))

    # -- lipschitz_closed: L_closed (proved ranges), blowup_rate (refuted range) ----------------------
    key = "lipschitz_closed"
    hyps = {h: d.claim(f"{key}.{h}") for h in ("global_lipschitz_T_le_1", "global_lipschitz_T_gt_1")}
    lc = _constant_or_none(d, f"{key}.conclusion", "L_closed")
    q_c = f"{key}.conclusion:L_closed"
    if lc is None:
        reasons = "; ".join(f"{h}: {c.status} ({c.reason or 'no constant'})" for h, c in hyps.items())
        out.append(_skip(q_c, "direct chord ratios on the closed simplex", f"no L_closed derived ({reasons})"))
    else:
        pairs = draw(st.tuples(st.integers(2, 6).flatmap(lambda v: st.tuples(
            st.lists(st.one_of(st.just(0), st.integers(1, 60)), min_size=v, max_size=v),
            st.lists(st.one_of(st.just(0), st.integers(1, 60)), min_size=v, max_size=v))),
            temperatures(min_value=0.05, max_value=20)), cases, seed=0)
        rows, eq_rows = [], []
        tries = [((7, 2, 1), (0, 5, 5), t) for t in (*_REF_T, Fraction(1, 4), Fraction(3))] + [(a, b, t) for (a, b), t in pairs]
        for a, b, t in tries:
            if sum(a) == 0 or sum(b) == 0:
                continue
            p, p2 = [Fraction(k, sum(a)) for k in a], [Fraction(k, sum(b)) for k in b]
            if p == p2:
                continue
            L = _value_at(lc.expr, {T: t, V: len(p)})
            if L is None:
                continue  # outside the T-range where a closed-simplex constant is claimed
            try:
                r1, r2 = _closed_ratio(op, p, p2, t)
            except (NotWellDefined, ZeroDivisionError):
                continue  # a face where F_T is not defined: not a case
            at = {"p": ",".join(map(str, p)), "p2": ",".join(map(str, p2)), "T": str(t)}
            rows.append(({**at, "norm": "l1"}, L, r1))
            rows.append(({**at, "norm": "l2 (bound·sqrt V)"}, L * mpmath.sqrt(len(p)), r2))
            if lc.kind == "sharp":
                eq_rows.append((at, float(L), float(r1)))
        if not rows:
            out.append(_skip(q_c, "direct chord ratios on the closed simplex", "no drawn T in the range where L_closed is defined"))
        else:
            dev, worst, n = _one_sided(rows)
            out.append(Check(q_c, "ℓ1 chord ratios ‖F_T(p) − F_T(p')‖₁/‖p − p'‖₁ (ℓ2: against L·√V) of evaluate_mp at pairs "
                             "with zero entries must not exceed L_closed(T, V)", n, dev, 1e-12, worst=worst))
        if eq_rows:
            dev, worst, n = compare_values(eq_rows, relative=True)
            out.append(Check(q_c + " (attained)", "sharp (affine) constant: every ℓ1 chord ratio equals |r(T)|", n, dev, 1e-12,
                             worst=worst))
    rate = _constant_or_none(d, f"{key}.conclusion", "blowup_rate")
    refuted = [(h, c) for h, c in hyps.items() if c.status == "refuted"]
    q_r = f"{key}.conclusion:blowup_rate"
    if rate is None or not refuted:
        why = "no hypothesis of lipschitz_closed is refuted" if not refuted else "no blow-up rate derived"
        out.append(_skip(q_r, "direct chord ratios between (ε, 1 − ε) and (0, 1)", why))
    else:
        ident, lemma = [], []
        temps = [Fraction(2), Fraction(3), Fraction(1, 2)] + [c[1] for c in inputs]
        for t in temps:
            for e in _BLOWUP_EPS:
                r_e = _value_at(rate.expr, {T: t, EPS: e})
                r_1e = _value_at(rate.expr, {T: t, EPS: 1 - e})
                if r_e is None or r_1e is None:
                    break  # no blow-up claimed at this T
                ratio, _ = _closed_ratio(op, [e, 1 - e], [Fraction(0), Fraction(1)], t)
                with mpmath.workdps(50):
                    em = mpmath.mpf(e.numerator) / e.denominator
                    pred = r_e / (em * r_e + (1 - em) * r_1e)
                at = {"T": str(t), "eps": str(e)}
                ident.append((at, float(pred), float(ratio)))
                lemma.append((at, float(ratio), float(r_e / 2)))
        if not ident:
            out.append(_skip(q_r, "direct chord ratios", "no T among the inputs where the rate is defined"))
        else:
            dev, worst, n = compare_values(ident, relative=True)
            out.append(Check(q_r, "chord ratio ‖F_T(ε, 1−ε) − F_T(0, 1)‖₁/(2ε) of evaluate_mp vs rate(ε)/(ε·rate(ε) + (1−ε)·rate(1−ε)) "
                             "(= ε^(c−1)/(ε^c + (1−ε)^c) for g = e^d x^c)", n, dev, 1e-12, worst=worst))
            dev, worst, n = _one_sided(lemma)
            out.append(Check(q_r + " (lemma)", "chord ratio ≥ rate(ε)/2 (docs/theory/sensitivity.md); deviation "
                             "max(0, rate/2 − ratio)/ratio", n, dev, 1e-12, worst=worst))
        for h, c in refuted:
            ce = c.counterexample or {}
            rows, above = [], []
            t = Fraction(str(ce.get("T", "0")))
            for pt in ce.get("points", []):
                e = Fraction(pt["eps"])
                ratio, _ = _closed_ratio(op, [e, 1 - e], [Fraction(0), Fraction(1)], t)
                at = {"T": str(t), "eps": pt["eps"], "L": pt["L"]}
                rows.append((at, float(mpmath.mpf(pt["lhs"]["decimal"])), float(ratio)))
                above.append((at, float(ratio), float(pt["L"])))
            if rows:
                dev, worst, n = compare_values(rows, relative=True)
                dev2, worst2, _ = _one_sided(above)
                if dev2 > 0:
                    dev, worst = math.inf, {**worst2, "failed": "chord ratio not above the certified level"}
                out.append(Check(f"{key}.{h}:counterexample", "stated Arb chord ratios (30 digits) vs direct evaluate_mp (50 digits), "
                                 "compared as floats; each must exceed its level L", n, dev, 1e-15, worst=worst))
    return out


def _crosscheck_sharp(d: Any, cases: int) -> list[Any]:
    """lipschitz_eps_sharp against 50-digit finite differences of evaluate_mp (no derivation helper)."""
    from hypothesis import strategies as st

    from ..checks import Check, compare_values, draw
    from ..strategies import rational_distributions

    key = "lipschitz_eps_sharp.conclusion"
    names = ("L1_sharp", "L1_upper", "L1_lower", "L2_lower", "L2_upper", "L2_rate_lower", "L2_witness")
    why = _gate(d, key)
    ks = {nm: (None if why else _constant_or_none(d, key, nm)) for nm in names}
    if why or ks["L1_sharp"] is None:
        reason = why or "no derived L1_sharp"
        return [_skip(f"{key}:{nm}", "finite differences on Delta_eps, V >= 3", reason) for nm in names[:5]]
    op = d.op
    out: list[Any] = []
    temps = [Fraction(1), Fraction(3, 2), Fraction(2), Fraction(4)]
    drawn = draw(st.tuples(rational_distributions(min_size=3, max_size=6, max_denominator=50),
                           st.sampled_from(temps), st.sampled_from(_EPS_CHOICES), st.lists(st.integers(-4, 4), min_size=6, max_size=6)),
                 cases, seed=1)
    vertex_rows, lo_rows, up_rows, bound1, bound2, l2_vertex = [], [], [], [], [], []
    settings = [(t, Fraction(1, 1000), 3) for t in temps] + [(t, e, len(w)) for w, t, e, _ in drawn]
    for t, e, vv in settings:
        e = min(e, Fraction(1, 2 * vv))
        env = {T: t, EPS: e, V: vv}
        l1 = _value_at(ks["L1_sharp"].expr, env)
        if l1 is None:
            continue
        # the vertex (eps, ..., eps, 1 - (V-1) eps) and direction e_1 - e_2: l1 and l2 ratios
        pv = [e] * (vv - 1) + [1 - (vv - 1) * e]
        u = [Fraction(1), Fraction(-1)] + [Fraction(0)] * (vv - 2)
        du = _fd_direction(op, pv, u, t)
        with mpmath.workdps(50):
            r1 = mpmath.fsum(abs(k) for k in du) / 2
            r2 = mpmath.sqrt(mpmath.fsum(k * k for k in du)) / mpmath.sqrt(2)
        at = {"T": str(t), "eps": str(e), "V": str(vv)}
        vertex_rows.append((at, float(l1), float(r1)))
        l2l = _value_at(ks["L2_lower"].expr, env) if ks["L2_lower"] is not None else None
        if l2l is not None:
            l2_vertex.append((at, float(l2l), float(r2)))
        for nm, rows, upper in (("L1_lower", lo_rows, False), ("L1_upper", up_rows, True)):
            kk = ks[nm]
            b = None if kk is None else _value_at(kk.expr, env)
            if b is not None:
                rows.append((at, b, r1) if upper else (at, r1, b))
    for w, t, e, iv in drawn:
        vv = len(w)
        e = min(e, Fraction(1, 2 * vv))
        env = {T: t, EPS: e, V: vv}
        l1 = _value_at(ks["L1_sharp"].expr, env)
        l2u = _value_at(ks["L2_upper"].expr, env) if ks["L2_upper"] is not None else None
        if l1 is None:
            continue
        p = [e + (1 - vv * e) * wi for wi in w]
        dirs = [[Fraction(int(k == i) - int(k == j)) for k in range(vv)] for i in range(vv) for j in range(vv) if i != j]
        dirs.append(_tangent(iv, vv))
        for u in dirs:
            du = _fd_direction(op, p, u, t)
            with mpmath.workdps(50):
                r1 = mpmath.fsum(abs(k) for k in du) / mpmath.fsum(abs(mpmath.mpf(k.numerator) / k.denominator) for k in u)
                r2 = mpmath.sqrt(mpmath.fsum(k * k for k in du)) / mpmath.sqrt(mpmath.fsum((mpmath.mpf(k.numerator) / k.denominator) ** 2 for k in u))
            at = {"p": ",".join(map(str, p)), "T": str(t), "eps": str(e), "u": ",".join(map(str, u))}
            bound1.append((at, l1, r1))
            if l2u is not None:
                bound2.append((at, l2u, r2))
    dev, worst, n = compare_values(vertex_rows, relative=True)
    out.append(Check(f"{key}:L1_sharp (attained)", "ℓ1 ratio ‖∂_u F_T‖₁/‖u‖₁ at the vertex (ε, …, ε, 1 − (V−1)ε), u = e₁ − e₂ "
                     "(central differences of evaluate_mp, 50 digits) equals L1_sharp", n, dev, 1e-12, worst=worst))
    dev, worst, n = _one_sided(bound1)
    out.append(Check(f"{key}:L1_sharp", "ℓ1 ratios at drawn p ∈ Δ_ε (V ≥ 3) along every e_i − e_j and a drawn tangent u must "
                     "not exceed L1_sharp", n, dev, 1e-10, worst=worst))
    for nm, rows, what in (("L1_lower", lo_rows, "L1_lower ≤ attained ℓ1 ratio"), ("L1_upper", up_rows, "attained ℓ1 ratio ≤ L1_upper")):
        if rows:
            dev, worst, n = _one_sided(rows)
            out.append(Check(f"{key}:{nm}", what + " at the vertex (finite differences)", n, dev, 1e-12, worst=worst))
        else:
            out.append(_skip(f"{key}:{nm}", what, "not derived"))
    if l2_vertex:
        dev, worst, n = compare_values(l2_vertex, relative=True)
        out.append(Check(f"{key}:L2_lower", "ℓ2 ratio at the vertex along e₁ − e₂ equals L2_lower (so L2 ≥ L2_lower)", n, dev, 1e-12,
                         worst=worst))
    if bound2:
        dev, worst, n = _one_sided(bound2)
        out.append(Check(f"{key}:L2_upper", "ℓ2 ratios at drawn p ∈ Δ_ε along every e_i − e_j and a drawn tangent u must not "
                         "exceed L2_upper", n, dev, 1e-10, worst=worst))
    rate = ks["L2_rate_lower"]
    if rate is not None:
        rows = []
        for t in (Fraction(3, 2), Fraction(2), Fraction(3)):
            for vv in (3, 4):
                e = Fraction(1, 10**400)
                r = _value_at(rate.expr, {T: t, EPS: e, V: vv})
                if r is None:
                    continue
                eta = Fraction(1, 10**200)  # eta = sqrt(eps): the family of the liminf proof
                p = [e] + [eta] * (vv - 2) + [1 - e - (vv - 2) * eta]
                u = [Fraction(1)] + [Fraction(-1, vv - 1)] * (vv - 1)
                du = _fd_direction(op, p, u, t, dps=450)
                with mpmath.workdps(450):
                    r2 = mpmath.sqrt(mpmath.fsum(k * k for k in du)) / mpmath.sqrt(mpmath.fsum((mpmath.mpf(k.numerator) / k.denominator) ** 2 for k in u))
                rows.append(({"T": str(t), "V": str(vv), "eps": "1e-400", "eta": "1e-200", "rate": mpmath.nstr(r, 15)}, 1.0,
                                 float(r2 / r)))  # as a quotient: both sides overflow a float
        if rows:
            dev, worst, n = compare_values(rows, relative=True)
            out.append(Check(f"{key}:L2_rate_lower", "ℓ2 ratio along the family p = (ε, η, …, η, rest), η = √ε, u = (1, −1/(V−1), …) "
                             "at ε = 1e-400 (450-digit finite differences) divided by the liminf constant √(2(V−1)/V) c ε^(c−1) "
                             "(must be 1; relative error terms ε^((1−c)/2), ε^(c/2), below 1e-20 for c ≥ 1/9)", n, dev, 1e-9, worst=worst))
    wit = ks["L2_witness"]
    if wit is not None and wit.values:
        rows, above = [], []
        for at, val in wit.values:
            t, e = Fraction(at["T"]), Fraction(at["eps"])
            p = [Fraction(s) for s in at["p"].split(",")]
            p2 = [Fraction(s) for s in at["p2"].split(",")]
            _r1, r2 = _closed_ratio(op, p, p2, t)
            c = _value_at(ks["L1_upper"].expr, {T: t, EPS: e, V: 3}) if ks["L1_upper"] is not None else None
            rows.append(({**at, "p": at["p"][:30], "p2": at["p2"][:30]}, float(r2), float(mpmath.mpf(val))))
            inside = min(p + p2) >= e and sum(p) == 1 and sum(p2) == 1
            above.append(({"T": at["T"], "eps": at["eps"], "in Delta_eps": str(inside)},
                          float(val) if inside else math.inf, float(c * L2_FACTOR) if c is not None else math.inf))
        dev, worst, n = _one_sided(rows)
        dev2, worst2, _ = _one_sided(above)
        if dev2 > 0:
            dev, worst = math.inf, {**worst2, "failed": "the witness is not above 21/20 c eps^(c-1) or leaves Delta_eps"}
        out.append(Check(f"{key}:L2_witness", "stated lower bound ≤ ℓ2 chord ratio of the stated pair (evaluate_mp, 50 digits), "
                         "pair in Δ_ε, and stated bound > (21/20) L1_upper", n, dev, 1e-12, worst=worst))
    return out


def _softmax_f(z: Sequence[float]) -> Any:
    import numpy as np

    a = np.asarray(z, dtype=float)
    s = np.exp(a - a.max())
    return s / s.sum()


def _crosscheck_vector(d: Any, cases: int) -> list[Any]:
    """lipschitz_vector: logit chord ratios (NumPy kernel), Δ_ε chord ratios and the top-k counterexample (evaluate_mp)."""
    import numpy as np
    from skd.operators import apply

    from ..checks import Check, compare_values

    key = "lipschitz_vector"
    op = d.op
    out: list[Any] = []
    cont = d.claim(f"{key}.continuous_at_ties")
    if cont.status == "refuted":
        ce = cont.counterexample or {}
        rows, above = [], []
        for pt in ce.get("points", []):
            t = Fraction(pt["T"])
            p, p2 = [Fraction(s) for s in pt["p"]], [Fraction(s) for s in pt["p2"]]
            r1, r2 = _closed_ratio(op, p, p2, t)
            at = {"T": pt["T"], "t": pt["t"], "L": pt["L"]}
            rows.append((at, float(mpmath.mpf(pt["lhs"]["decimal"])), float(r1)))
            above.append(({**at, "norm": "l1"}, float(pt["L"]), float(r1)))
            above.append(({**at, "norm": "l2"}, float(pt["L"]), float(r2)))
        if rows:
            dev, worst, n = compare_values(rows, relative=True)
            below = [(at, v, b) for at, b, v in above]  # ratio must be > L: one-sided on L - ratio
            dev2, worst2, _ = _one_sided(below)
            if dev2 > 0 or any(float(v) <= float(b) for _, b, v in above):
                dev, worst = math.inf, {**worst2, "failed": "chord ratio not above the certified level"}
            out.append(Check(f"{key}.continuous_at_ties:counterexample", "stated Arb chord ratios vs direct evaluate_mp (50 digits) "
                             "at the tie pairs; each ℓ1 and ℓ2 ratio must exceed its level L", n, dev, 1e-15, worst=worst))
        else:
            out.append(_skip(f"{key}.continuous_at_ties:counterexample", "direct chord ratios", "no points stated"))
    why = _gate(d, f"{key}.conclusion")
    ll = None if why else _constant_or_none(d, f"{key}.conclusion", "L_logit_vec")
    if why or ll is None:
        for q in ("L_logit_vec", "L_logit_vec (attained)", "L_eps_vec"):
            out.append(_skip(f"{key}.conclusion:{q}", "chord ratios", why or "no derived constant"))
        return out
    rng = np.random.default_rng(0)
    rows, att = [], []
    lower = _constant_or_none(d, f"{key}.conclusion", "L_logit_vec_lower")
    for t in (Fraction(1, 2), Fraction(1), Fraction(2), Fraction(5)):
        b = float(_value_at(ll.expr, {T: t}))
        for _ in range(max(cases, 1) * 40):
            vv = int(rng.integers(2, 6))
            z = rng.normal(scale=3, size=vv)
            z2 = z + rng.normal(scale=rng.choice([1e-3, 0.1, 2.0]), size=vv)
            f1, f2 = apply(op, _softmax_f(z), float(t)), apply(op, _softmax_f(z2), float(t))
            rows.append(({"T": str(t), "z": ",".join(f"{v:.3g}" for v in z)}, b,
                         float(np.linalg.norm(f1 - f2) / np.linalg.norm(z - z2))))
        # attainment / approach: z = 0 against s (e_1 - e_2), V = 2
        s = 1e-4
        f0, f1 = apply(op, _softmax_f([0.0, 0.0]), float(t)), apply(op, _softmax_f([s, -s]), float(t))
        want = b if ll.kind == "sharp" else (float(_value_at(lower.expr, {T: t})) if lower is not None else math.nan)
        att.append(({"T": str(t), "z": "0 vs (s, -s)", "s": str(s)}, want, float(np.linalg.norm(f1 - f0) / (s * math.sqrt(2)))))
    dev, worst, n = _one_sided(rows)
    out.append(Check(f"{key}.conclusion:L_logit_vec", "ℓ2 chord ratios ‖G(z) − G(z')‖/‖z − z'‖ of G(z) = apply(op, softmax(z), T) "
                     "(NumPy kernel) at random logit pairs must not exceed L_logit_vec(T)", n, dev, 1e-9, worst=worst))
    dev, worst, n = compare_values(att, relative=True)
    out.append(Check(f"{key}.conclusion:L_logit_vec (attained)", "chord ratio between z = 0 and (s, −s), s = 1e-4, V = 2 "
                     "equals the sharp constant (sparsemax) or the stated lower bound (entmax15)", n, dev, 1e-6, worst=worst))
    le = _constant_or_none(d, f"{key}.conclusion", "L_eps_vec")
    if le is not None:
        from hypothesis import strategies as st

        from ..checks import draw
        from ..strategies import rational_distributions, temperatures

        pairs = draw(st.tuples(rational_distributions(min_size=3, max_size=3, max_denominator=60),
                               rational_distributions(min_size=3, max_size=3, max_denominator=60),
                               temperatures(min_value=0.1, max_value=10), st.sampled_from(_EPS_CHOICES)), max(cases, 1) * 5, seed=2)
        erows = []
        for w1, w2, t, e in pairs:
            p1 = [e + (1 - 3 * e) * a for a in w1]
            p2 = [e + (1 - 3 * e) * a for a in w2]
            if p1 == p2:
                continue
            _r1, r2 = _closed_ratio(op, p1, p2, t)
            erows.append(({"p": ",".join(map(str, p1)), "p2": ",".join(map(str, p2)), "T": str(t), "eps": str(e)},
                          _value_at(le.expr, {T: t, EPS: e}), r2))
        dev, worst, n = _one_sided(erows)
        out.append(Check(f"{key}.conclusion:L_eps_vec", "ℓ2 chord ratios of evaluate_mp at drawn pairs in Δ_ε (V = 3) must not "
                         "exceed L_eps_vec(T, ε)", n, dev, 1e-12, worst=worst))
    return out
