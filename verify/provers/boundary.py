"""The limit prover: ``boundary_cold`` (``T -> 0+``) and ``boundary_hot`` (``T -> oo``) of a
separable operator (docs/theory/reductions.md#boundary), with the growth lemmas B.5 and the
local positivity lemma B.0 (``g > 0`` near the end of the T-axis suffices for a limit).

The ratio lemma: ``F_T(p)`` tends to the uniform distribution on the argmax (cold) or on all
entries (hot) when ``g(x,T)/g(y,T) -> 0`` (cold) or ``-> 1`` (hot) for all ``0 < x < y < 1``;
it is decided from ``log(g(x)/g(y))`` in ``beta = 1/T``. Exact limits that miss the target
become certified counterexamples.

>>> from skd.operators import library
>>> prove_boundary_cold(library.power, None, lambda axiom_id, op: None).status
'proved'
>>> to_infinity(beta + sp.sin(beta)), to_infinity(beta * sp.sin(beta))
(True, False)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import sympy as sp

from skd.operators.declare import Operator
from skd.operators.evaluate import log_score
from skd.operators.symbols import T, V, x

from ..outcome import Outcome
from ..regions import Piece, expand_logs, fresh_symbol, normalize, resolve_piecewise, resolve_v, t_pieces, x_pieces
from ..signs import domain_conditions, sign_of
from ..verdict import Step
from .common import (
    OBLIGATION_OK,
    Subs,
    base_cases,
    candidates_for,
    certify_or_none,
    frac,
    interval,
    sample_values,
    score_with_obligations,
    separable_pieces,
    sign_step,
    t_sub,
    values_dict,
    x_sub,
)

if TYPE_CHECKING:  # annotations only: the axiom registry imports the provers
    from skd.theory.axioms import Profile

    from ..axioms.base import LemmaFn

__all__ = ["beta", "local_positivity", "prove_boundary_cold", "prove_boundary_hot", "to_infinity", "y"]


#: ``1/T``: the cold end is ``beta -> oo``, the hot end ``beta -> 0+``
beta = sp.Symbol("beta", positive=True)
#: a second probability entry (the ratio lemma compares ``g(x)`` with ``g(y)``, ``x < y``)
y = sp.Symbol("y", positive=True)


def prove_boundary_cold(op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
    """``F_T(p)`` tends to the uniform distribution on the argmax as ``T -> 0+`` (ratio lemma)."""
    return _prove_boundary(op, "cold")


def prove_boundary_hot(op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
    """``F_T(p)`` tends to the uniform distribution as ``T -> oo`` (ratio lemma)."""
    return _prove_boundary(op, "hot")


def _pair_subs() -> list[tuple[sp.Symbol, sp.Expr]]:
    """0 < x < y < 1 as y = 1/(1+u), x = y/(1+w)."""
    u, w = fresh_symbol(x), sp.Symbol("w", positive=True)
    yv = 1 / (1 + u)
    return [(y, yv), (x, yv / (1 + w))]


def _prove_boundary(op: Operator, which: str) -> Outcome:
    tps = [tp for tp in separable_pieces(op) if not tp.point]
    tp = tps[0] if which == "cold" else tps[-1]
    if tp.expr is None:
        return Outcome("unknown", "limit", reason=f"undefined on {tp.label}", reason_kind="undecided")
    if len(x_pieces(tp.expr)) > 1:
        return _boundary_x_pieces(op, tp, which)
    steps: list[Step] = []
    for base, blabel in base_cases(op):
        case = _boundary_case(op, tp, which, base, blabel)
        if isinstance(case, Outcome):
            return case
        steps += case
    lemma = "g(x,T)/g(y,T) -> 0 as T -> 0+" if which == "cold" else "g(x,T)/g(y,T) -> 1 as T -> oo"
    return Outcome("proved", f"reduction: {lemma} for all 0 < x < y < 1 (docs/theory/reductions.md#boundary)", steps)


def _boundary_case(op: Operator, tp: Piece, which: str, base: Subs, blabel: str) -> list[Step] | Outcome:
    """The steps proving the limit lemma in one V case (or the Outcome that ends the proof there):
    an eventually constant log-ratio, a factored log-ratio ``c(x, y) h(1/T)``, or one polynomial
    in ``1/T``; the other forms in :func:`_case_fallbacks`."""
    g = resolve_v(tp.expr, dict(base)[V])
    if g.has(sp.Piecewise):
        return Outcome("unknown", "limit", reason="the limit lemma needs no pieces near the limit", reason_kind="unsupported")
    D = log_score(g) - log_score(g).subs(x, y)
    # T = 1/beta with beta -> oo (cold) or beta -> 0+ (hot)
    Db = sp.expand(expand_logs(D.subs(T, 1 / beta)))
    subs = _pair_subs() + list(base)
    # eventually constant: D independent of T on the piece
    dT = sp.diff(D, T)
    s_const, step_const, _ = sign_step(dT, [t_sub(tp)] + subs, "d/dT log(g(x)/g(y))", f"{tp.label}, 0<x<y<1, {blabel}", dT)
    if s_const == "zero":
        return _eventually_constant(op, tp, base, which)
    factored = _factored_limit(Db, which)
    if factored is not None:
        cf, kind, h_lim, h_text = factored
        step_h = Step(f"log(g(x)/g(y)) = c(x, y) * h(1/T) with {h_text}", "limit", (("h", h_text),))
        if which == "cold" and kind == "inf":
            s, step, _ = sign_step(cf, subs, "c(x, y) in log(g(x)/g(y)) = c(x, y) * h(1/T)", f"0<x<y<1, {blabel}", cf)
            if s != "neg":
                return Outcome("unknown", "limit", reason=f"sign of c(x, y) is {s} on {blabel}", reason_kind="undecided")
            return [step_h, step]
        if which == "hot" and kind == "zero":
            return [step_h]
        if kind == "finite":
            return _ratio_limit_refutation(op, sp.exp(cf * h_lim), base, which)
        return Outcome("unknown", "limit", reason=f"h(1/T) tends to {kind} at the {which} end", reason_kind="undecided")
    try:
        poly = sp.Poly(Db, beta)
    except sp.PolynomialError:
        poly = None
    if poly is not None and all(not c.has(beta) for c in poly.coeffs()):
        deg = poly.degree()
        if which == "cold":
            if deg < 1:
                return Outcome("unknown", "limit", reason="log-ratio bounded as T -> 0+", reason_kind="undecided")
            lc = poly.LC()
            s, step, _ = sign_step(lc, subs, f"leading coefficient of log(g(x)/g(y)) in 1/T (degree {deg})",
                                    f"0<x<y<1, {blabel}", lc)
            if s != "neg":
                return Outcome("unknown", "limit", reason=f"leading coefficient sign is {s} on {blabel}", reason_kind="undecided")
            return [step]
        else:
            c0 = poly.eval(0) if deg >= 0 else sp.Integer(0)
            s, step, _ = sign_step(c0, subs, "log(g(x)/g(y)) at 1/T = 0 (polynomial in 1/T)", f"0<x<y<1, {blabel}", c0)
            if s == "zero":
                return [step]
            if s is None:
                return Outcome("unknown", "limit", reason="the hot limit of log(g(x)/g(y)) is undecided", reason_kind="undecided")
            return _ratio_limit_refutation(op, sp.exp(c0), base, which)
    return _case_fallbacks(op, which, g, D, Db, subs, base, blabel)


def _case_fallbacks(op: Operator, which: str, g: sp.Expr, D: sp.Expr, Db: sp.Expr, subs: Subs, base: Subs,
                    blabel: str) -> list[Step] | Outcome:
    """The limit lemma in one V case when :func:`_boundary_case`'s forms do not apply: polynomial in
    ``1/T`` after substituting x, y (B.4), rational growth in ``1/T``, continuity at ``1/T = 0``
    (B.3), or the ratio rational in ``T``."""
    target = "0" if which == "cold" else "1"
    # the same log-ratio with x, y substituted first: logs of factors positive only for
    # 0 < x < y < 1 (like 1 - x) split too. Proofs only (refutations need L in x and y).
    Db2 = sp.expand(expand_logs(D.subs(T, 1 / beta).subs(dict(subs), simultaneous=True)))
    try:
        poly2 = sp.Poly(Db2, beta) if Db2 != Db else None
    except sp.PolynomialError:
        poly2 = None
    if poly2 is not None and all(not c.has(beta) for c in poly2.coeffs()):
        if which == "cold" and poly2.degree() >= 1:
            s, step, _ = sign_step(poly2.LC(), subs, f"leading coefficient of log(g(x)/g(y)) in 1/T (degree {poly2.degree()})",
                                    f"0<x<y<1, {blabel}", poly2.LC())
            if s == "neg":
                return [step]
        if which == "hot":
            c0 = poly2.eval(0)
            s, step, _ = sign_step(c0, subs, "log(g(x)/g(y)) at 1/T = 0 (polynomial in 1/T)", f"0<x<y<1, {blabel}", c0)
            if s == "zero":
                return [step]
    if which == "cold" and beta in Db2.free_symbols:
        # log-ratio rational in beta = 1/T (B.4): D = N(beta)/M(beta) with deg N > deg M tends
        # to sign(lc N / lc M) * oo; -oo proves the cold limit
        lc = _rational_growth(Db2)
        if lc is not None:
            s, step, _ = sign_step(lc, subs, "leading coefficient ratio of log(g(x)/g(y)) as a rational function of 1/T",
                                    f"0<x<y<1, {blabel}", lc)
            if s == "neg":
                return [step]
    if which == "hot":
        # continuity at 1/T = 0 (B.3): log(g(x)/g(y)) as a function of beta = 1/T is defined
        # at beta = 0 with every side condition strict there, so it is continuous at 0 and
        # its limit is its value. Tried on the x, y form, then on the substituted form and its
        # combined fractions (equal for small beta > 0, where every denominator is non-zero)
        substituted = False
        d0 = _continuous_value_at_zero(Db, subs)
        if d0 is None and beta in Db2.free_symbols:
            substituted = True
            d0 = _continuous_value_at_zero(Db2, subs)
            if d0 is None:
                d0 = _continuous_value_at_zero(sp.cancel(sp.together(Db2)), subs)
        if d0 is not None:
            s, step, _ = sign_step(d0, subs, "log(g(x)/g(y)) at 1/T = 0 (defined and continuous there)",
                                    f"0<x<y<1, {blabel}", d0)
            if s == "zero":
                return [step]
            if s in ("pos", "neg") and not substituted:
                return _ratio_limit_refutation(op, sp.exp(d0), base, which)
    # rational in T: limit of the ratio by degrees
    R = sp.cancel(sp.together(g / g.subs(x, y)))
    num, den = sp.fraction(R)
    try:
        pn, pd = sp.Poly(num, T), sp.Poly(den, T)
    except sp.PolynomialError:
        return Outcome("unknown", "limit", reason="the limit lemma needs log(g(x)/g(y)) polynomial in 1/T, rational in T, "
                       "or defined and continuous at 1/T = 0", reason_kind="unsupported")
    if which == "hot":
        if pn.degree() != pd.degree():
            return Outcome("unknown", "limit", reason="degrees differ", reason_kind="undecided")
        L = pn.LC() / pd.LC()
    else:
        (ln, cn), (ld, cd) = _trailing(pn), _trailing(pd)
        if ln < ld:
            return Outcome("unknown", "limit", reason="the ratio g(x)/g(y) diverges as T -> 0+", reason_kind="undecided")
        L = sp.Integer(0) if ln > ld else cn / cd
    diff = L - (0 if which == "cold" else 1)
    s, step, _ = sign_step(diff, subs, f"lim g(x,T)/g(y,T) - {target} (ratio of rational functions in T)",
                            f"0<x<y<1, {blabel}", diff)
    if s == "zero":
        return [step]
    if s is None:
        return Outcome("unknown", "limit", reason="limit of the ratio undecided", reason_kind="undecided")
    return _ratio_limit_refutation(op, L, base, which)


def _pair_regions(xps: Sequence[Piece]) -> list[tuple[str, list[tuple[sp.Symbol, sp.Expr]], sp.Expr, sp.Expr]]:
    """Every (x-piece of x) <= (x-piece of y) with x < y: (label, substitution, g there at x,
    g there at y). Within one open piece ``x = lo + (y - lo)/(1 + w)``; across pieces each
    variable ranges over its own piece (or is its point)."""
    w, u2 = sp.Symbol("w", positive=True), sp.Symbol("u2", positive=True)
    out = []
    for i, pi in enumerate(xps):
        for j in range(i, len(xps)):
            pj = xps[j]
            if i == j:
                if pi.point:
                    continue
                yv = pi.substitution(u2)
                lo = sp.Integer(0) if pi.lo is None else pi.lo
                xv = lo + (yv - lo) / (1 + w)
            else:
                xv, yv = pi.substitution(fresh_symbol(x)), pj.substitution(u2)
            out.append((f"{pi.label}, {pj.label.replace('x', 'y', 1)}, x < y",
                        [(y, yv), (x, xv)], pi.expr, pj.expr))
    return out


def _boundary_x_pieces(op: Operator, tp: Piece, which: str) -> Outcome:
    """B.6: pieces in ``x`` near the limit. The ratio lemma needs ``g(x,T)/g(y,T) -> 0`` (cold) or
    ``-> 1`` (hot) for all ``0 < x < y < 1``; with constant x-thresholds it is proved for each
    pair of pieces (x in one piece, y in the same or a later one) from the log-ratio
    ``log g_i(x) - log g_j(y)``, polynomial in ``1/T``: a negative leading coefficient (cold), a
    zero value at ``1/T = 0`` (hot). Proofs only; anything else is undecided."""
    xps = x_pieces(tp.expr)
    if any(xp.expr is None or xp.expr.has(sp.Piecewise) for xp in xps):
        return Outcome("unknown", "limit", reason="an x-piece near the limit is undefined or still has pieces", reason_kind="undecided")
    steps: list[Step] = []
    for base, blabel in base_cases(op):
        v_sub = dict(base)[V]
        for label, subs, gi, gj in _pair_regions(xps):
            gi, gj = resolve_v(gi, v_sub), resolve_v(gj, v_sub)
            D = log_score(gi) - log_score(gj).subs(x, y)
            Db = sp.expand(expand_logs(D.subs(T, 1 / beta).subs(dict(subs + list(base)), simultaneous=True)))
            try:
                poly = sp.Poly(Db, beta)
            except sp.PolynomialError:
                poly = None
            if poly is None or any(c.has(beta) for c in poly.coeffs()):
                return Outcome("unknown", "limit", reason=f"log(g(x)/g(y)) is not polynomial in 1/T for {label}",
                               reason_kind="undecided")
            where = f"{label}, {blabel}"
            if which == "cold":
                if poly.degree() < 1:
                    return Outcome("unknown", "limit", reason=f"log-ratio bounded as T -> 0+ for {label}", reason_kind="undecided")
                s, step, _ = sign_step(poly.LC(), subs + list(base), f"leading coefficient of log(g(x)/g(y)) in 1/T "
                                        f"(degree {poly.degree()})", where, poly.LC())
                if s != "neg":
                    return Outcome("unknown", "limit", reason=f"leading coefficient sign is {s} for {where}", reason_kind="undecided")
            else:
                c0 = poly.eval(0)
                s, step, _ = sign_step(c0, subs + list(base), "log(g(x)/g(y)) at 1/T = 0 (polynomial in 1/T)", where, c0)
                if s != "zero":
                    return Outcome("unknown", "limit", reason=f"the hot limit of log(g(x)/g(y)) is {s or 'undecided'} for {where}",
                                   reason_kind="undecided")
            steps.append(step)
    lemma = "g(x,T)/g(y,T) -> 0 as T -> 0+" if which == "cold" else "g(x,T)/g(y,T) -> 1 as T -> oo"
    return Outcome("proved", f"reduction: {lemma} for all 0 < x < y < 1, pair by pair of x-pieces "
                   "(docs/theory/reductions.md#boundary)", steps)


def _rational_growth(Db: sp.Expr) -> sp.Expr | None:
    """``lc(N)/lc(M)`` when ``Db = N(beta)/M(beta)`` (after combining fractions, an identity where
    every denominator is non-zero) with polynomial ``N``, ``M`` in beta, coefficients free of beta,
    and ``deg N > deg M``: then ``Db -> sign(lc N / lc M) * oo`` as beta -> oo. Else None."""
    num, den = sp.fraction(sp.cancel(sp.together(Db)))
    try:
        pn, pd = sp.Poly(num, beta), sp.Poly(den, beta)
    except sp.PolynomialError:
        return None
    if any(c.has(beta) for c in pn.coeffs() + pd.coeffs()) or pn.degree() <= pd.degree():
        return None
    return pn.LC() / pd.LC()


def _continuous_value_at_zero(Db: sp.Expr, subs: Subs) -> sp.Expr | None:
    """``Db(beta = 0)`` when every side condition of ``Db`` (signs.domain_conditions) holds
    strictly at ``beta = 0`` for all 0 < x < y < 1 — so ``Db`` is defined on a neighbourhood of 0
    and, being built from functions continuous on their domains, continuous at 0 — else None."""
    if beta not in Db.free_symbols:
        return None
    sub = dict(subs)
    for kind, c in domain_conditions(Db):
        if kind == "unsupported":
            return None
        c0 = c.subs(beta, 0)
        if c0.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            return None
        s = sign_of(expand_logs(c0.subs(sub, simultaneous=True)))
        if not ((kind == "ne0" and s in ("pos", "neg")) or (kind in ("gt0", "ge0") and s == "pos")):
            return None
    d0 = Db.subs(beta, 0)
    return None if d0.has(sp.zoo, sp.nan, sp.oo, -sp.oo) else d0


def _factored_limit(Db: sp.Expr, which: str) -> tuple[sp.Expr, str, sp.Expr | None, str] | None:
    """``D(beta) = c(x, y) * h(beta)`` with ``h`` rational in a root of ``beta``: the limit of ``h``
    as ``beta -> oo`` (cold) or ``beta -> 0+`` (hot), by degrees (exact). Returns
    ``(c, "inf" | "zero" | "finite" | "-inf", limit_of_h, description)`` or None."""
    cf, h = sp.factor_terms(Db).as_independent(beta, as_Add=False)
    if h.free_symbols != {beta} and len(sp.Add.make_args(Db)) <= 12:
        try:
            cf, h = sp.factor(Db).as_independent(beta, as_Add=False)  # (exp(beta) - 1)*(log(x) - log(y))
        except (sp.PolynomialError, NotImplementedError, ValueError, TypeError):
            return None
    if h.free_symbols != {beta} or cf.has(beta) or cf == 0:
        return None
    if not _rational_in_root(h):
        # h is not rational in a root of beta: the growth lemmas B.5 (exp, log, roots, bounded
        # oscillating terms) decide h -> +-oo at the cold end and h -> 0 at the hot end
        if which == "cold":
            if to_infinity(h):
                return (cf, "inf", None, f"h = {sp.sstr(h)} -> oo (growth lemmas B.5)")
            if to_infinity(-h):
                return (cf, "-inf", None, f"h = {sp.sstr(h)} -> -oo (growth lemmas B.5)")
        elif _to_zero_hot(h):
            return (cf, "zero", sp.Integer(0), f"h = {sp.sstr(h)} -> 0 as 1/T -> 0+ (growth lemmas B.5)")
        return None
    dens = [sp.Rational(a.exp).q for a in h.atoms(sp.Pow) if a.base == beta and a.exp.is_Rational]
    L = math.lcm(1, *(int(d) for d in dens))
    gamma = sp.Symbol("gamma", positive=True)
    hg = sp.cancel(sp.together(h.subs(beta, gamma**L)))
    num, den = sp.fraction(hg)
    try:
        pn, pd = sp.Poly(num, gamma), sp.Poly(den, gamma)
    except sp.PolynomialError:
        return None
    if which == "cold":
        d = pn.degree() - pd.degree()
        ratio = pn.LC() / pd.LC()
    else:
        (ln, cn), (ld, cd) = _trailing(pn), _trailing(pd)
        d = ld - ln  # h ~ (cn/cd) * gamma^(ln - ld) as gamma -> 0+
        ratio = cn / cd
    if not ratio.is_Rational or ratio == 0:
        return None
    text = f"h = {sp.sstr(h)}"
    if d > 0:
        return (cf, "inf" if ratio > 0 else "-inf", None, text + f" -> {'oo' if ratio > 0 else '-oo'}")
    if d < 0:
        return (cf, "zero", sp.Integer(0), text + " -> 0")
    return (cf, "finite", ratio, text + f" -> {ratio}")


def _rational_in_root(h: sp.Expr) -> bool:
    """``h`` is built from ``beta``, its rational powers and constants by + and * only."""
    if not h.has(beta):
        return True
    if h == beta:
        return True
    if isinstance(h, sp.Pow):
        if not h.base.has(beta):
            return not h.exp.has(beta)
        if h.exp.is_Integer:
            return _rational_in_root(h.base)
        return bool(h.exp.is_Rational) and h.base == beta
    if isinstance(h, (sp.Add, sp.Mul)):
        return all(_rational_in_root(a) for a in h.args)
    return False


# -- growth lemmas B.5 (docs/theory/reductions.md#growth) ---------------------------------------
# As beta -> oo: beta**a -> oo (a > 0); exp(u), log(u), u**a (a > 0) -> oo when u -> oo; c*u
# -> oo for a constant c > 0; a sum -> oo when one term does and every other is bounded below
# (a constant, sin/cos/tanh/atan/erf of a real argument times a constant, exp(.) > 0, a term
# -> 0 or -> oo); a product -> oo when one factor does and the others are >= a constant > 0.

_BOUNDED_FUNCS = (sp.sin, sp.cos, sp.tanh, sp.atan, sp.erf)
_MAX_GROWTH_DEPTH = 12


def _real_beta(e: sp.Expr) -> bool:
    return e.free_symbols <= {beta} and not e.has(sp.I, sp.zoo, sp.nan, sp.oo)


def to_infinity(h: sp.Expr, depth: int = 0) -> bool:
    """``h(beta) -> +oo`` as ``beta -> oo`` by lemmas B.5 (False: not proved)."""
    if depth > _MAX_GROWTH_DEPTH or not _real_beta(h) or not h.has(beta):
        return False
    if h == beta:
        return True
    if isinstance(h, sp.Pow):
        b, e = h.args
        return bool(e.is_Rational and e > 0 and not e.has(beta) and to_infinity(b, depth + 1))
    if isinstance(h, (sp.exp, sp.log)):
        return to_infinity(h.args[0], depth + 1)
    if isinstance(h, sp.Add):
        growing = [a for a in h.args if to_infinity(a, depth + 1)]
        return bool(growing) and all(a in growing or _bounded_below(a, depth + 1) for a in h.args)
    if isinstance(h, sp.Mul):
        c, rest = h.as_coeff_Mul()
        if c.is_Rational and c < 0:
            return False
        factors = sp.Mul.make_args(rest)
        growing = [f for f in factors if to_infinity(f, depth + 1)]
        return bool(growing) and all(f in growing or _positive_floor(f, depth + 1) for f in factors) and (c > 0)
    return False


def _to_zero_cold(h: sp.Expr, depth: int) -> bool:
    """``h -> 0`` as ``beta -> oo``: ``u**(-a)`` with ``u -> oo`` (a > 0), times a constant, sums."""
    if depth > _MAX_GROWTH_DEPTH or not _real_beta(h):
        return False
    if isinstance(h, sp.Pow):
        b, e = h.args
        return bool(e.is_Rational and e < 0 and to_infinity(b, depth + 1))
    if isinstance(h, sp.Mul):
        c, rest = h.as_coeff_Mul()
        return c.is_Rational and rest != 1 and _to_zero_cold(rest, depth + 1)
    if isinstance(h, sp.Add):
        return all(_to_zero_cold(a, depth + 1) for a in h.args)
    return False


def _bounded_below(a: sp.Expr, depth: int) -> bool:
    """A term bounded below for large beta (B.5)."""
    if not a.has(beta):
        return a.is_real is True and a.is_finite is True
    c, rest = a.as_coeff_Mul()
    if isinstance(rest, _BOUNDED_FUNCS) and c.is_Rational and _real_beta(rest.args[0]):
        return True  # c * f(u) >= -|c| (|f| <= 1, or |atan| < pi/2 < 2)
    if isinstance(rest, sp.exp) and c.is_Rational and c > 0 and _real_beta(rest.args[0]):
        return True
    return to_infinity(a, depth) or _to_zero_cold(a, depth)


def _positive_floor(f: sp.Expr, depth: int) -> bool:
    """``f >= eps > 0`` for large beta: a positive constant, ``c + Σ k_i b_i`` with ``|b_i| <= 1``
    (sin, cos of a real argument) and ``c > Σ |k_i|``, or a factor -> +oo."""
    if not f.has(beta):
        return f.is_positive is True and f.is_finite is True
    if isinstance(f, sp.Add):
        const, budget = sp.Integer(0), sp.Integer(0)
        for t in f.args:
            if not t.has(beta):
                if not t.is_Rational:
                    return False
                const += t
                continue
            k, rest = t.as_coeff_Mul()
            if not (k.is_Rational and isinstance(rest, (sp.sin, sp.cos)) and _real_beta(rest.args[0])):
                return False
            budget += abs(k)
        return bool(const > budget)
    return to_infinity(f, depth + 1)


def _to_zero_hot(h: sp.Expr, depth: int = 0) -> bool:
    """``h(beta) -> 0`` as ``beta -> 0+`` (B.5): ``beta**a`` (a > 0); ``u**(-a)`` with ``|u| -> oo``
    (``log(beta) -> -oo``, ``1/beta -> oo``); constants times such terms; sums and products
    of them with bounded factors (sin, cos of a real argument, constants)."""
    if depth > _MAX_GROWTH_DEPTH or not _real_beta(h) or not h.has(beta):
        return False
    if h == beta:
        return True
    if isinstance(h, sp.Pow):
        b, e = h.args
        if not (e.is_Rational and not e.has(beta)):
            return False
        if e > 0:
            return _to_zero_hot(b, depth + 1)
        return _hot_diverges(b, depth + 1)
    if isinstance(h, sp.Add):
        return all(_to_zero_hot(a, depth + 1) for a in h.args)
    if isinstance(h, sp.Mul):
        factors = sp.Mul.make_args(h)
        zero = [f for f in factors if _to_zero_hot(f, depth + 1)]
        bounded = [f for f in factors if f not in zero and (not f.has(beta) and f.is_finite is True
                                                            or isinstance(f, _BOUNDED_FUNCS) and _real_beta(f.args[0]))]
        return bool(zero) and len(zero) + len(bounded) == len(factors)
    return False


def _hot_diverges(u: sp.Expr, depth: int) -> bool:
    """``|u(beta)| -> oo`` as ``beta -> 0+``: ``log(beta)`` (-> -oo), ``beta**(-a)``, constants times them."""
    if depth > _MAX_GROWTH_DEPTH:
        return False
    if isinstance(u, sp.log) and u.args[0] == beta:
        return True
    if isinstance(u, sp.Pow) and u.args[0] == beta and u.args[1].is_Rational and u.args[1] < 0:
        return True
    if isinstance(u, sp.Mul):
        c, rest = u.as_coeff_Mul()
        return c.is_Rational and c != 0 and rest != u and _hot_diverges(rest, depth + 1)
    return False


def _trailing(p: sp.Poly) -> tuple[int, sp.Expr]:
    """Lowest degree and its coefficient of a non-zero polynomial."""
    (deg,), coeff = min(p.terms(), key=lambda t: t[0][0])
    return deg, coeff


def _target(p: Sequence[Fraction], which: str) -> list[Fraction]:
    if which == "hot":
        return [Fraction(1, len(p))] * len(p)
    m = max(p)
    k = sum(1 for v in p if v == m)
    return [Fraction(1, k) if v == m else Fraction(0) for v in p]


def _eventually_constant(op: Operator, tp: Piece, base: Subs, which: str) -> Outcome:
    values = values_dict(op, base)
    T_star = frac(tp.sample())
    if T_star is None:
        return Outcome("unknown", "limit", reason="no rational sample temperature", reason_kind="undecided")

    for p in candidates_for(base):
        exact = _exact_F(op, p, T_star, values)
        if exact is None:
            continue
        ce = certify_or_none("certify_limit", op, p, which, exact, _target(p, which), values=values,
                             proof=f"F_T(p) is constant for {tp.label} (the ratios g(x,T)/g(y,T) do not depend on T there), "
                                   f"so its limit is F_{T_star}(p)")
        if ce is not None:
            return Outcome("refuted", f"eventually constant: F_T = F_{{{T_star}}} on {tp.label} (docs/theory/reductions.md#boundary)",
                           counterexample=ce)
    return Outcome("unknown", "limit", reason="F is eventually constant but no certified counterexample was built", reason_kind="undecided")


def _exact_F(op: Operator, p: Sequence[Fraction], Tv: Fraction, values: dict[str, Fraction] | None) -> list[sp.Expr] | None:
    env = {T: sp.Rational(Tv.numerator, Tv.denominator), V: sp.Integer(len(p))}
    for prm in op.params:
        if values is None:
            return None
        env[prm.symbol] = sp.Rational(values[prm.name].numerator, values[prm.name].denominator)
    g = resolve_piecewise(normalize(op.score), env)
    if g is None:
        return None
    g = g.subs(env)
    gs = []
    for q in p:
        gv = resolve_piecewise(g, {x: sp.Rational(q.numerator, q.denominator)})
        if gv is None:
            return None
        gs.append(gv.subs(x, sp.Rational(q.numerator, q.denominator)))
    total = sp.Add(*gs)
    return [sp.simplify(gi / total) if all(v.is_Rational for v in gs) else gi / total for gi in gs]


def _ratio_limit_refutation(op: Operator, L: sp.Expr, base: Subs, which: str) -> Outcome:
    """The ratio g(x)/g(y) tends to L(x, y) in (0, oo): F tends to the normalised L-weights."""
    values = values_dict(op, base)
    vals = sample_values(base)
    for p in candidates_for(base):
        env = {V: sp.Integer(len(p)), **{s: v for s, v in vals.items() if s != V}}
        ref = sp.Rational(p[0].numerator, p[0].denominator)
        # weights w_i = lim g(p_i)/g(p_0) = L(p_i, p_0)
        w = [L.subs(env).subs({x: sp.Rational(q.numerator, q.denominator), y: ref}, simultaneous=True) for q in p]
        if any(v.has(sp.nan, sp.zoo, sp.oo) for v in w):
            continue
        total = sp.Add(*w)
        limit = [wi / total for wi in w]
        ce = certify_or_none("certify_limit", op, p, which, limit, _target(p, which), values=values,
                             proof=f"g(x,T)/g(y,T) -> {L} as T -> {'0+' if which == 'cold' else 'oo'}")
        if ce is not None:
            return Outcome("refuted", f"exact limit of the ratio: {L} (docs/theory/reductions.md#boundary)", counterexample=ce)
    return Outcome("unknown", "limit", reason=f"ratio tends to {L}, not the target, but no certified counterexample was built",
                   reason_kind="undecided")


_COLD_ENDS = (sp.Rational(1, 2), sp.Rational(1, 10), sp.Rational(1, 100), sp.Rational(1, 10000))
_HOT_ENDS = (sp.Integer(2), sp.Integer(10), sp.Integer(100), sp.Integer(10000))


def local_positivity(op: Operator, which: str) -> list[Step] | None:
    """Steps proving g defined and > 0 (and the written side conditions) for every x in (0, 1)
    and every V case on an end interval of the T-axis: the limit's own end piece, or
    ``(0, c)`` / ``(c, oo)`` inside it. None if no such interval is found."""
    obligations, combined = score_with_obligations(op)
    tps = [tp for tp in t_pieces(combined) if not tp.point]
    tp = tps[0] if which == "cold" else tps[-1]
    if tp.expr is None:
        return None
    lo, hi = interval(tp)
    ends = [c for c in (_COLD_ENDS if which == "cold" else _HOT_ENDS)
            if (which == "cold" and (hi is None or c < hi)) or (which == "hot" and c > lo)]
    for c in [None, *ends]:
        piece = tp if c is None else (Piece(T, tp.lo, c, False, tp.expr) if which == "cold" else Piece(T, c, None, False, tp.expr))
        steps: list[Step] = []
        ok = True
        for base, blabel in base_cases(op):
            for xp in x_pieces(tp.expr):
                if xp.expr is None:
                    return None
                parts = xp.expr.args if obligations else (xp.expr,)
                where = f"{piece.label}, {xp.label}, {blabel}"
                subs = [t_sub(piece), x_sub(xp)] + list(base)
                s, step, _ = sign_step(parts[0], subs, "g", where, parts[0])
                if s != "pos":
                    ok = False
                    break
                steps.append(step)
                for k, (ob, e) in enumerate(zip(obligations, parts[1:], strict=True)):
                    if e == 1:
                        continue
                    se, step_o, _ = sign_step(e, subs, f"written side condition {k}", where, e)
                    if se not in OBLIGATION_OK[ob[0]]:
                        ok = False
                        break
                    steps.append(step_o)
                if not ok:
                    break
            if not ok:
                break
        if ok:
            end = "T -> 0+" if which == "cold" else "T -> oo"
            return [Step(f"g > 0 on {piece.label} (proved below) suffices for the limit {end}", "lemma",
                         (("local", which),)), *steps]
    return None
