"""The provers of the pointwise, pair, continuity and monotone axioms of a separable operator:
``well_defined``, ``ranking``, ``identity``, ``continuity``, ``entropy`` (the reduction theorems of
``docs/theory/reductions.md``), each with the signature ``prover(op, profile, lemma)``.

>>> from skd.operators import library
>>> prove_ranking(library.power, None, lambda axiom_id, op: None).status
'proved'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

from skd.operators.declare import Operator
from skd.operators.symbols import T, V, x

from ..outcome import Outcome
from ..regions import Piece, normalize, resolve_piecewise, resolve_v, t_pieces, x_pieces
from ..signs import Sign
from ..verdict import Counterexample, Step
from .common import (
    OBLIGATION_OK,
    OBLIGATION_WORDS,
    SIGN_WORDS,
    Subs,
    base_cases,
    candidates_for,
    certify_or_none,
    defined_on,
    defined_under,
    derive,
    frac,
    fresh_x,
    guarded,
    is_negated,
    p_with,
    require_separable,
    sample_values,
    score_with_obligations,
    separable_pieces,
    sign_step,
    t_sub,
    values_dict,
    x_sub,
)
from .poles import discontinuity_counterexample, pole_jump, refute_pole

if TYPE_CHECKING:  # annotations only: the axiom registry imports the provers
    from skd.theory.axioms import Profile

    from ..axioms.base import LemmaFn

__all__ = ["prove_continuity", "prove_entropy", "prove_identity", "prove_ranking", "prove_well_defined"]


def prove_well_defined(op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
    """g defined, finite, real and > 0 on every piece (``sign_of`` proves definedness before any
    sign), and every side condition of the formula as written (``op.obligations``: divisors
    and branches that SymPy's simplification cancelled) holds where its guard holds."""
    require_separable(op)
    obligations, combined = score_with_obligations(op)
    steps: list[Step] = []
    undecided: list[str] = []
    for tp in t_pieces(combined):
        for base, blabel in base_cases(op):
            if tp.expr is None:
                return _refute_undefined(op, tp, base, f"no Piecewise branch applies for {tp.label}")
            for xp in x_pieces(tp.expr):
                where = f"{tp.label}, {xp.label}, {blabel}"
                if xp.expr is None:
                    return _refute_undefined(op, tp, base, f"no Piecewise branch applies for {where}", xp)
                parts = xp.expr.args if obligations else (xp.expr,)
                g, written = parts[0], parts[1:]
                subs = [t_sub(tp), x_sub(xp)] + base
                s, step, _ = sign_step(g, subs, "g", where, g)
                if s == "pos":
                    steps.append(step)
                else:
                    if s in ("neg", "zero"):
                        out = _refute_undefined(op, tp, base, f"g is {SIGN_WORDS[s]} on {where}", xp)
                        if out.status == "refuted":
                            return out
                    pole = refute_pole(op, tp, xp, base, g)
                    if pole is not None:
                        return pole
                    undecided.append(f"g on {where}" + (" (not proved defined there)" if s is None and not defined_on(g, subs) else ""))
                for k, (ob, e) in enumerate(zip(obligations, written, strict=True)):
                    if e == 1:
                        continue  # the guard does not hold on this piece
                    kind = ob[0]
                    se, step_o, _ = sign_step(e, subs, f"written side condition {k}", where, e)
                    if se in OBLIGATION_OK[kind]:
                        steps.append(step_o)
                    else:
                        pole = refute_pole(op, tp, xp, base, g)
                        if pole is not None:
                            return pole
                        undecided.append(f"the written formula's side condition {sp.sstr(ob[1])} {OBLIGATION_WORDS[kind]} on {where} "
                                         "(SymPy's simplification removed it from the score)")
    if undecided:
        return Outcome("unknown", "sign analysis", reason=f"definedness and positivity of g not proved: {undecided[:3]}",
                       reason_kind="undecided")
    return Outcome("proved", "reduction: g defined, finite and > 0 on every piece (docs/theory/reductions.md#well-defined)", steps)


def _refute_undefined(op: Operator, tp: Piece, base: Subs, why: str,
                      xp: Piece | None = None) -> Outcome:
    vals = sample_values([t_sub(tp)] + ([x_sub(xp)] if xp else [(x, sp.Rational(1, 3))]) + list(base))
    Tv, xv = frac(vals[T]), frac(vals[x])
    values = values_dict(op, base)
    if Tv is not None and xv is not None:
        for Vn in (2, 3, 4):
            p = p_with([xv], Vn)
            if p is None:
                continue
            ce = certify_or_none("certify_well_defined", op, p, Tv, values=values)
            if ce is not None:
                return Outcome("refuted", f"sign analysis: {why}", counterexample=ce)
    return Outcome("unknown", "sign analysis", reason=f"{why}, but no certified counterexample was built", reason_kind="undecided")


def _glue(op: Operator, tp: Piece, base: Subs, blabel: str, strict_order: bool,
          what: str) -> tuple[list[Step], list[str], list[tuple[str, Sign | None, sp.Expr, sp.Expr]]]:
    """Shared walk over the x-pieces of one T-piece: derivative signs on open x-pieces and
    jumps at x-breakpoints. ``what`` is ``"dg/dx"`` (ranking) or ``"d/dx (g/x)"`` (identity)."""
    steps: list[Step] = []
    undecided: list[str] = []
    bad: list[tuple[str, Sign | None, sp.Expr, sp.Expr]] = []
    xps = x_pieces(tp.expr)
    f = (lambda g: g) if what == "dg/dx" else (lambda g: g / x)
    for k, xp in enumerate(xps):
        where = f"{tp.label}, {xp.label}, {blabel}"
        if xp.expr is None:
            undecided.append(f"undefined on {where}")
            continue
        if not xp.point:
            subs = [t_sub(tp), x_sub(xp)] + list(base)
            s, step, _ = sign_step(derive(what, xp.expr), subs, what, where, xp.expr)
            ok = (s == "pos" or (s == "zero" and not strict_order)) if what == "dg/dx" else s == "zero"
            if ok:
                steps.append(step)
            elif s is None:
                undecided.append(where)
            else:
                bad.append((where, s, xp.expr, sp.Integer(0)))
            continue
        c = xp.lo
        for nb, direction in ((xps[k - 1], "left"), (xps[k + 1], "right")):
            if nb.expr is None:
                undecided.append(f"undefined next to {where}")
                continue
            at = f(xp.expr).subs(x, c)
            near = f(nb.expr).subs(x, c)
            diff = (at - near) if direction == "left" else (near - at)
            subs = [t_sub(tp)] + list(base)
            label = f"jump at x = {c} from the {direction} ({what.split()[-1] if what != 'dg/dx' else 'g'})"
            s, step, _ = sign_step(diff, subs, label, f"{tp.label}, {blabel}", diff)
            ok = s in ("pos", "zero") if what == "dg/dx" else s == "zero"
            if ok:
                steps.append(step)
            elif s is None:
                undecided.append(f"{label} on {tp.label}, {blabel}")
            else:
                bad.append((f"{label}, {tp.label}, {blabel}", s, xp.expr, nb.expr))
    return steps, undecided, bad


def prove_ranking(op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
    """g strictly increasing in x (non-decreasing if the profile allows ties) on every piece, with no downward jump in x."""
    strict = True if profile is None else profile.strict_ranking
    steps: list[Step] = []
    undecided: list[str] = []
    bad: list[str] = []
    for tp in separable_pieces(op):
        for base, blabel in base_cases(op):
            if tp.expr is None:
                undecided.append(f"undefined on {tp.label}")
                continue
            st, und, bd = _glue(op, tp, base, blabel, strict, "dg/dx")
            steps += st
            undecided += und
            bad += [b[0] for b in bd]
    if not undecided and not bad:
        word = "strictly increasing" if strict else "non-decreasing"
        return Outcome("proved", f"reduction: g {word} in x on (0,1) (docs/theory/reductions.md#ranking)", steps)
    if bad:
        return Outcome("unknown", "sign analysis", reason=f"g is not increasing on {bad[:2]}; a counterexample search follows",
                       reason_kind="undecided")
    return Outcome("unknown", "sign analysis", reason=f"monotonicity of g undecided on {undecided[:3]}", reason_kind="undecided")


def _at_T(expr: sp.Expr, value: sp.Expr) -> sp.Expr | None:
    r = resolve_piecewise(normalize(expr), {T: value})
    return None if r is None else r.subs(T, value)


def prove_identity(op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
    """g(x, 1, V)/x a non-zero constant (so F_1(p) = p), defined at T = 1 as written; refuted by a certified point otherwise."""
    separable_pieces(op)
    g1 = _at_T(op.score, sp.Integer(1))
    if g1 is None:
        return Outcome("unknown", "sign analysis", reason="no Piecewise branch applies at T = 1", reason_kind="undecided")
    # the score must be defined at T = 1 as it stands, before SymPy evaluates the substitution
    # (cosh(sqrt(T - 2)) at T = 1 evaluates to the real cos(1); as written it is not real)
    g1_T = resolve_piecewise(normalize(op.score), {T: sp.Integer(1)})
    for base, blabel in base_cases(op):
        for xp in x_pieces(g1_T) if g1_T is not None else []:
            if xp.expr is None or not defined_under(resolve_v(xp.expr, dict(base)[V]),
                                                     [(T, sp.Integer(1)), x_sub(xp)] + list(base)):
                return Outcome("unknown", "sign analysis", reason=f"g is not proved defined at T = 1 on {xp.label}, {blabel} "
                               "(before SymPy's evaluation of the substitution)", reason_kind="undecided")
    tp = Piece(T, sp.Integer(1), sp.Integer(1), True, g1)
    steps: list[Step] = []
    undecided: list[str] = []
    bad: list[tuple[tuple[str, Sign | None, sp.Expr, sp.Expr], list[tuple[sp.Symbol, sp.Expr]]]] = []
    for base, blabel in base_cases(op):
        st, und, bd = _glue(op, tp, base, blabel, True, "d/dx (g/x)")
        steps += st
        undecided += und
        bad += [(b, base) for b in bd]
    if not undecided and not bad:
        # the constant c = g(x,1,V)/x must be non-zero (else F_1 is 0/0)
        for base, blabel in base_cases(op):
            open_xp = next((q for q in x_pieces(g1) if not q.point), None)
            if open_xp is None or open_xp.expr is None:
                return Outcome("unknown", "sign analysis", reason="no open piece in x at T = 1", reason_kind="undecided")
            s, step, _ = sign_step(open_xp.expr / x, [x_sub(open_xp)] + list(base), "g(x,1,V)/x", f"{open_xp.label}, {blabel}",
                                   open_xp.expr)
            if s not in ("pos", "neg"):
                return Outcome("unknown", "sign analysis", reason=f"g(x,1,V)/x not proved non-zero on {blabel}",
                               reason_kind="undecided")
            steps.append(step)
        # the written formula must be defined at T = 1 too (side conditions SymPy cancelled)
        for k, ob in enumerate(op.obligations):
            e1 = _at_T(guarded(ob), sp.Integer(1))
            if e1 is None or e1.has(sp.Piecewise):
                return Outcome("unknown", "sign analysis", reason=f"the written formula's side condition {sp.sstr(ob[1])} "
                               f"{OBLIGATION_WORDS[ob[0]]} is not resolved at T = 1", reason_kind="undecided")
            for base, blabel in base_cases(op):
                s, step, _ = sign_step(e1, [(x, fresh_x())] + list(base), f"written side condition {k} at T = 1",
                                        f"x in (0, 1), {blabel}", e1)
                if s not in OBLIGATION_OK[ob[0]]:
                    return Outcome("unknown", "sign analysis", reason=f"the written formula's side condition {sp.sstr(ob[1])} "
                                   f"{OBLIGATION_WORDS[ob[0]]} is not proved at T = 1 on {blabel} (SymPy's simplification "
                                   "removed it from the score)", reason_kind="undecided")
                steps.append(step)
        return Outcome("proved", "reduction: g(x,1,V)/x a non-zero constant (docs/theory/reductions.md#identity)", steps)
    if bad:
        ce = _identity_counterexample(op, g1, bad[0][1])
        if ce is not None:
            return Outcome("refuted", "reduction: g(x,1,V)/x depends on x, necessary for V >= 3", counterexample=ce)
        return Outcome("unknown", "sign analysis",
                       reason=f"g(x,1)/x depends on x on {bad[0][0][0]} but no certified counterexample was built", reason_kind="undecided")
    return Outcome("unknown", "sign analysis", reason=f"constancy of g(x,1)/x undecided on {undecided[:3]}", reason_kind="undecided")


def _identity_counterexample(op: Operator, g1: sp.Expr, base: Subs) -> Counterexample | None:
    values = values_dict(op, base)
    for p in candidates_for(base):
        ce = certify_or_none("certify_identity", op, p, values=values)
        if ce is not None:
            return ce
    return None


def prove_continuity(op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
    """The ratios g(x,T)/g(y,T) continuous in T: continuous pieces that glue at every breakpoint; refuted at a certified jump."""
    steps: list[Step] = []
    undecided: list[str] = []
    tps = separable_pieces(op)
    for k, tp in enumerate(tps):
        for base, blabel in base_cases(op):
            if tp.expr is None:
                undecided.append(f"undefined on {tp.label}")
                continue
            # g > 0 and elementary on every open piece: continuous there; x-pieces glue exactly.
            if not tp.point:
                for xp in x_pieces(tp.expr):
                    where = f"{tp.label}, {xp.label}, {blabel}"
                    if xp.expr is None:
                        undecided.append(where)
                        continue
                    if xp.point:
                        continue
                    s, step, _ = sign_step(xp.expr, [t_sub(tp), x_sub(xp)] + list(base), "g", where, xp.expr)
                    (steps.append(step) if s == "pos" else undecided.append(f"positivity of g on {where}"))
                st, und, bd = _x_continuity(tp, base, blabel)
                steps += st
                undecided += und
                if bd:
                    return Outcome("unknown", "sign analysis", reason=f"g jumps in x at {bd[0]}: the refuter decides",
                                   reason_kind="undecided")
                continue
            # T-breakpoint b: each neighbouring piece, continued to b, must give the same ratios.
            b = tp.lo
            for nb in (tps[k - 1], tps[k + 1]):
                if nb.expr is None:
                    undecided.append(f"undefined next to {tp.label}")
                    continue
                g_nb = resolve_v(normalize(nb.expr), dict(base)[V]).subs(T, b)
                g_b = resolve_v(tp.expr, dict(base)[V]).subs(T, b)
                if g_nb.has(sp.Piecewise) or g_b.has(sp.Piecewise):
                    undecided.append(f"pieces in x at the T-breakpoint {b}")
                    continue
                s_def, step_def, _ = sign_step(g_nb, [(x, fresh_x())] + list(base), f"g of {nb.label} continued to T = {b}",
                                                f"x in (0, 1), {blabel}", g_nb)
                if s_def != "pos":
                    undecided.append(f"continuation of {nb.label} to T = {b}")
                    continue
                ratio = sp.diff(g_nb / g_b, x)
                s, step, _ = sign_step(ratio, [(x, fresh_x())] + list(base),
                                        f"d/dx [g({nb.label} at T = {b}) / g(T = {b})]", f"x in (0, 1), {blabel}", ratio)
                if s == "zero":
                    steps += [step_def, step]
                elif s is None:
                    undecided.append(f"gluing at T = {b}")
                else:
                    left, right = (normalize(n.expr).subs(T, b) if n.expr is not None else None for n in (tps[k - 1], tps[k + 1]))
                    ce = discontinuity_counterexample(op, b, left, right, base) if left is not None and right is not None else None
                    if ce is not None:
                        return Outcome("refuted", f"one-sided limits at T = {b} differ (docs/theory/reductions.md#continuity)",
                                       counterexample=ce)
                    undecided.append(f"jump at T = {b} without a certified counterexample")
    if undecided:
        for tp in tps:
            if tp.point or tp.expr is None:
                continue
            for base, _blabel in base_cases(op):
                ce = pole_jump(op, tp, base)
                if ce is not None:
                    return Outcome("refuted", "one-sided limits of F at a pole of the score differ "
                                   "(docs/theory/reductions.md#continuity)", counterexample=ce)
        return Outcome("unknown", "sign analysis", reason=f"continuity undecided: {undecided[:3]}", reason_kind="undecided")
    return Outcome("proved", "reduction: ratios g(x,T)/g(y,T) jointly continuous (docs/theory/reductions.md#continuity)", steps)


def _x_continuity(tp: Piece, base: Subs, blabel: str) -> tuple[list[Step], list[str], list[str]]:
    steps: list[Step] = []
    undecided: list[str] = []
    bad: list[str] = []
    xps = x_pieces(tp.expr)
    for k, xp in enumerate(xps):
        if not xp.point:
            continue
        c = xp.lo
        for nb in (xps[k - 1], xps[k + 1]):
            if nb.expr is None or xp.expr is None:
                undecided.append(f"undefined at x = {c}")
                continue
            diff = nb.expr.subs(x, c) - xp.expr.subs(x, c)
            s, step, _ = sign_step(diff, [t_sub(tp)] + list(base), f"jump of g at x = {c}", f"{tp.label}, {blabel}", diff)
            if s == "zero":
                steps.append(step)
            elif s is None:
                undecided.append(f"jump at x = {c}")
            else:
                bad.append(f"x = {c} ({tp.label})")
    return steps, undecided, bad


def prove_entropy(op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
    """H(F_T(p)) non-decreasing in T: the lemmas ranking and continuity and d2(log g)/dxdT <= 0 (or the reversed order, E.6)."""
    rank = lemma("ranking", op)
    if rank.status != "proved":
        reversed_ = _entropy_reversed(op, lemma)
        if reversed_ is not None:
            return reversed_
        return Outcome("unknown", "reduction", reason="needs ranking (or g strictly decreasing in x), which is not proved",
                       reason_kind="undecided")
    cont = lemma("continuity", op)
    if cont.status != "proved":
        return Outcome("unknown", "reduction", reason="needs continuity in T, which is not proved", reason_kind="undecided")
    steps = [Step("ranking proved (g strictly increasing in x)", "lemma", (("axiom", "ranking"),)),
             Step("continuity proved (F continuous in T across pieces)", "lemma", (("axiom", "continuity"),))]
    undecided: list[str] = []
    for tp in separable_pieces(op):
        if tp.point or tp.expr is None:
            continue
        xps = x_pieces(tp.expr)
        if len(xps) > 1:
            return Outcome("unknown", "reduction", reason=f"the entropy reduction needs no pieces in x ({tp.label} has {len(xps)})",
                           reason_kind="unsupported")
        for base, blabel in base_cases(op):
            where = f"{tp.label}, x in (0, 1), {blabel}"
            s, step, _ = sign_step(derive("d2(log g)/dxdT", tp.expr), [t_sub(tp), (x, fresh_x())] + list(base),
                                    "d2(log g)/dxdT", where, tp.expr)
            if s in ("neg", "zero"):
                steps.append(step)
            else:
                undecided.append(where)
    if undecided:
        return Outcome("unknown", "reduction", reason=f"sign of d2(log g)/dxdT not <= 0 proved on {undecided[:3]}",
                       reason_kind="undecided")
    return Outcome("proved", "reduction: dH/dT = -Cov_q(d_T s, s) >= 0 by Chebyshev (docs/theory/reductions.md#entropy)", steps)


def _entropy_reversed(op: Operator, lemma: LemmaFn) -> Outcome | None:
    """Corollary E.6: g strictly decreasing in x and d2(log g)/dxdT >= 0 on every T-piece make
    s and d_T s oppositely ordered (reversed order), so Theorem E.4 applies. None if not proved."""
    cont = lemma("continuity", op)
    if cont.status != "proved" or is_negated(cont):
        return None
    steps = [Step("continuity proved (F continuous in T across pieces)", "lemma", (("axiom", "continuity"),))]
    for tp in separable_pieces(op):
        if tp.point or tp.expr is None:
            continue
        if len(x_pieces(tp.expr)) > 1:
            return None
        for base, blabel in base_cases(op):
            where = f"{tp.label}, x in (0, 1), {blabel}"
            subs = [t_sub(tp), (x, fresh_x())] + list(base)
            s1, step1, _ = sign_step(derive("dg/dx", tp.expr), subs, "dg/dx", where, tp.expr)
            if s1 != "neg":
                return None
            s2, step2, _ = sign_step(derive("d2(log g)/dxdT", tp.expr), subs, "d2(log g)/dxdT", where, tp.expr)
            if s2 not in ("pos", "zero"):
                return None
            steps += [step1, step2]
    return Outcome("proved", "reduction: g decreasing in x and d2(log g)/dxdT >= 0: dH/dT = -Cov_q(d_T s, s) >= 0 "
                   "(docs/theory/reductions.md#entropy, E.6)", steps)
