"""Partial access and privacy, instantiated for one operator (``docs/theory/access.md``).

Six theorems: top-k commutation, the cost of truncation (TV and KL in the tail mass ``tau``),
monotonicity of the tail mass in ``T``, preservation of zeros (never-sampled classes), invertibility
(softening alone gives no privacy) and DP post-processing. Separable scores are handled
symbolically per ``T``-piece (sign prover of :mod:`skd.verify.signs` on the substitutions of
:mod:`skd.verify.regions`); vector operators through their exact algorithms, run in
:class:`SymArith` (exact SymPy numbers, comparisons decided exactly or by disjoint Arb balls).
Refutations are exact or Arb-certified counterexamples.

>>> from skd.operators import library
>>> from skd.verify.derivations import derive
>>> d = derive(library.mixture, topics=["access"])
>>> d.claim("topk_commutation.scale_invariant_ratio").counterexample["lhs"]["exact"]
'9/16, 7/16'
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from skd.operators.arith import ArbArith, Arith, Undecided
from skd.operators.errors import NotWellDefined
from skd.operators.evaluate import eval_expr, evaluate_in, log_score
from skd.operators.symbols import T, V, x
from skd.theory.access import (
    DP_POST_PROCESSING,
    INVERTIBILITY,
    Q_I,
    TAIL_MASS_MONOTONE,
    TAU,
    TOPK_COMMUTATION,
    TRUNCATION_COST,
    Z_Q,
    ZERO_PRESERVATION,
)

from ..regions import V_CASES, Piece, expand_logs, fresh_symbol, t_pieces, x_pieces
from ..reproduce import format_fraction, list_code, snippet
from ..signs import sign_of
from .claims import Budgeted, Claim, Context, DerivedConstant, budgeted
from .common import in_piece, pstr
from .symarith import SymArith

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = [
    "derive",
    "SymArith",
    "commutation_sides",
    "tail_mass",
    "REFERENCE_P",
    "REFERENCE_K",
    "REFERENCE_T",
]

#: The reference point of theory-notes §6 item 7: p, K = top-2 (indices 0, 1), T values.
REFERENCE_P = (Fraction(1, 2), Fraction(3, 10), Fraction(3, 20), Fraction(1, 20))
REFERENCE_K = (0, 1)
REFERENCE_T = (Fraction(1, 2), Fraction(1), Fraction(2), Fraction(4))
_TIE_P = (Fraction(2, 5), Fraction(3, 10), Fraction(3, 10))


def _enc(ar: SymArith, v: Any) -> dict[str, str]:
    b = ar.ball(v)
    out = {"ball": b.str(20, radius=True), "decimal": b.str(12, radius=False)}
    if sp.sympify(v).is_Rational:  # safe: SymPy number
        out["exact"] = str(v)
    return out


def _enc_vec(ar: SymArith, vs: Sequence[Any]) -> dict[str, str]:
    encs = [_enc(ar, v) for v in vs]
    out = {"ball": "(" + ", ".join(e["ball"] for e in encs) + ")",
           "decimal": "(" + ", ".join(e["decimal"] for e in encs) + ")"}
    if all("exact" in e for e in encs):
        out["exact"] = ", ".join(e["exact"] for e in encs)
    return out


# -- the quantities of the theorems, in any arithmetic -----------------------------------------


def commutation_sides(op: Operator, p: Sequence[Fraction], K: Sequence[int], t: Fraction, ar: Arith) -> tuple[list[Any], list[Any]]:
    """``(F_T(p|_K), F_T(p)|_K)`` in arithmetic ``ar`` (``K`` a list of indices, kept in order).

    >>> from skd.operators import library
    >>> lhs, rhs = commutation_sides(library.mixture, REFERENCE_P, REFERENCE_K, Fraction(2), SymArith())
    >>> lhs, rhs
    ([9/16, 7/16], [15/26, 11/26])
    """
    c = sum((p[i] for i in K), Fraction(0))
    restricted = [p[i] / c for i in K]
    full = evaluate_in(op, list(p), t, ar)
    mass = full[K[0]]
    for i in K[1:]:
        mass = mass + full[i]
    rhs = [full[i] / mass for i in K]
    lhs = evaluate_in(op, restricted, t, ar)
    return list(lhs), rhs


def tail_mass(op: Operator, p: Sequence[Fraction], K: Sequence[int], t: Fraction, ar: Arith) -> Any:
    """``τ_T = F_T(p)(K^c)``, the softened mass outside ``K``, in arithmetic ``ar``.

    >>> from skd.operators import library
    >>> tail_mass(library.power, REFERENCE_P, REFERENCE_K, Fraction(1), SymArith())
    1/5
    """
    q = evaluate_in(op, list(p), t, ar)
    out = ar.num(0)
    for i in range(len(p)):
        if i not in K:
            out = out + q[i]
    return out


def _repro(op: Operator, body: str) -> str:
    return snippet(op, {}, body)


# -- topk_commutation ---------------------------------------------------------------------------


def _commutation_symbolic(score: sp.Expr) -> list[tuple[str, str, bool | None, Any]]:
    """Per T-piece: (label, simplified ratio defect, zero?, piece)."""
    c = sp.Symbol("c", positive=True)
    y = sp.Symbol("y", positive=True)
    W = sp.Symbol("W", positive=True)
    out: list[tuple[str, str, bool | None, Any]] = []
    for piece in t_pieces(score):
        g = piece.expr
        if g is None:
            out.append((piece.label, "undefined", None, piece))
            continue
        if g.has(sp.Piecewise):
            out.append((piece.label, "piecewise in x", None, piece))
            continue
        s = log_score(g)
        scaled = s.subs({x: c * x, V: W}, simultaneous=True) - s.subs({x: c * y, V: W}, simultaneous=True)
        plain = s - s.subs(x, y)
        d = sp.simplify(expand_logs(scaled - plain))
        # g > 0 on (0, 1) (so s = log g is real), by the sign prover on every V case
        xp = Piece(x, None, None, False, g)
        positive = all(sign_of(g.subs(subs, simultaneous=True)) == "pos" for subs, _ in _subs_cases(piece, xp))
        out.append((piece.label, sp.sstr(d) if positive else f"{sp.sstr(d)} (g > 0 not proved)", d == 0 and positive, piece))
    return out


def _t_candidates(piece: Piece) -> list[Fraction]:
    out: list[Fraction] = []
    vals = [piece.sample()] + [sp.Rational(t.numerator, t.denominator) for t in REFERENCE_T]
    for v in vals:
        if not v.is_Rational or v <= 0:
            continue
        f = Fraction(int(v.p), int(v.q))
        if in_piece(f, piece.lo, piece.hi, piece.point) and f not in out:
            out.append(f)
    return out


def _commutation_counterexample(op: Operator, cases: Sequence[tuple[Sequence[Fraction], Sequence[int]]],
                                ts: Sequence[Fraction]) -> dict[str, Any] | None:
    ar = SymArith()
    for (p, K), t in itertools.product(cases, ts):
        if op.kind == "vector" and (len(K) not in op.sizes or len(p) not in op.sizes):
            continue
        try:
            lhs, rhs = commutation_sides(op, p, K, t, ar)
        except (Undecided, NotWellDefined, ZeroDivisionError):
            continue
        if not any(ar.nonzero(a - b) for a, b in zip(lhs, rhs, strict=True)):
            continue
        exact = all(sp.sympify(v).is_Rational for v in lhs + rhs)  # safe: SymPy numbers
        mass = sum((p[j] for j in K), Fraction(0))
        restricted = [p[i] / mass for i in K]
        tie = any(p[i] == p[j] for i in K for j in range(len(p)) if j not in K)
        body = (f"f = evaluate_mp(op, {list_code(p)}, {_q(t)}); m = sum(f[i] for i in {tuple(K)}); "
                f"print(evaluate_mp(op, {list_code(restricted)}, {_q(t)}), [f[i] / m for i in {tuple(K)}])")
        stmt = (f"F_T(p|_K) != F_T(p)|_K at p = ({pstr(p)}), K = {{{', '.join(str(i) for i in K)}}} "
                f"(a top-{len(K)} set{', with a tie at its boundary' if tie else ''}), T = {format_fraction(t)}: "
                f"softening the truncated teacher is not the conditioned softened teacher")
        return {
            "statement": stmt,
            "reproduce": _repro(op, body),
            "certified_by": "exact" if exact else "arb",
            "p": pstr(p), "K": ",".join(str(i) for i in K), "T": format_fraction(t),
            "lhs": _enc_vec(ar, lhs), "rhs": _enc_vec(ar, rhs),
        }
    return None


def _q(t: Fraction) -> str:
    return f"Q({t.numerator})" if t.denominator == 1 else f"Q({t.numerator},{t.denominator})"


def _commutation(ctx: Context) -> list[Claim]:
    op, thm = ctx.op, TOPK_COMMUTATION
    key = thm.key
    wd = ctx.axiom_claim(f"{key}.well_defined", key, "well_defined", thm.hypothesis("well_defined").statement)
    hid = f"{key}.scale_invariant_ratio"
    stmt = thm.hypothesis("scale_invariant_ratio").statement
    cases = [(REFERENCE_P, REFERENCE_K), (REFERENCE_P, (0, 1, 2)), (_TIE_P, (0, 2))]
    hyp: Claim
    if op.params:
        hyp = _unsupported(hid, key, stmt, "operators with free parameters: fix them first (op.fix(...))")
    elif op.kind == "vector":
        res = budgeted(_commutation_counterexample, op, cases, (Fraction(1),) + REFERENCE_T, seconds=ctx.timeout,
                       what="exact search for a commutation counterexample")
        if res.ok and res.value is not None:
            hyp = Claim(hid, key, "hypothesis", "refuted", stmt, method=f"exact algorithm, {res.value['certified_by']}",
                        counterexample=res.value)
        else:
            hyp = Claim(hid, key, "hypothesis", "unknown", stmt, method="exact algorithm at sample points",
                        reason=res.reason if not res.ok else
                        "vector operator: no symbolic proof; F_T(p|_K) = F_T(p)|_K at every sample point tried "
                        "(no counterexample found)",
                        reason_kind=res.reason_kind if not res.ok else "unsupported")
    else:
        res = budgeted(_commutation_symbolic, op.score, seconds=ctx.timeout, what="ratio scale invariance")
        if not res.ok:
            hyp = Claim(hid, key, "hypothesis", "unknown", stmt, method="sympy", reason=res.reason, reason_kind=res.reason_kind)
        else:
            rows = res.value
            if all(ok for _, _, ok, _ in rows):
                hyp = Claim(hid, key, "hypothesis", "proved", stmt, method="sympy: log-score differences",
                            certificate=tuple(f"{lab}: s(c x, T, W) - s(c y, T, W) - [s(x, T, V) - s(y, T, V)] simplifies to 0 "
                                              "for all c, x, y, W > 0 (s = log g; logs of positive products split); "
                                              "g > 0 on (0, 1) (sign prover)"
                                              for lab, _, _, _ in rows))
            else:
                bad = [pc for _, _, ok, pc in rows if not ok]
                ts: list[Fraction] = []
                for pc in bad:
                    ts += [t for t in _t_candidates(pc) if t not in ts]
                ce = budgeted(_commutation_counterexample, op, cases[:2], ts, seconds=ctx.timeout,
                              what="exact search for a commutation counterexample")
                if ce.ok and ce.value is not None:
                    hyp = Claim(hid, key, "hypothesis", "refuted", stmt,
                                method=f"counterexample to the conclusion ({ce.value['certified_by']}); by the sufficiency "
                                "theorem the ratio is then not scale invariant", counterexample=ce.value)
                else:
                    why = "; ".join(f"{lab}: defect {d}" for lab, d, ok, _ in rows if not ok)
                    hyp = Claim(hid, key, "hypothesis", "unknown", stmt, method="sympy",
                                reason=f"the ratio defect does not simplify to 0 ({why}) and no counterexample was found "
                                "at the reference point" + (f" ({ce.reason})" if not ce.ok else ""),
                                reason_kind=ce.reason_kind if not ce.ok else "undecided")
    concl = Claim(f"{key}.conclusion", key, "conclusion", "pending", thm.conclusion, method="theorem topk_commutation",
                  depends_on=(wd.id, hid))
    return [wd, hyp, concl]


def _unsupported(cid: str, key: str, stmt: str, why: str) -> Claim:
    return Claim(cid, key, "hypothesis", "unknown", stmt, method="none", reason=why, reason_kind="unsupported")


# -- truncation_cost ----------------------------------------------------------------------------


def _tail_values(op: Operator) -> list[tuple[dict[str, str], str, str]]:
    ar = ArbArith(200)
    out = []
    for t in REFERENCE_T:
        try:
            q = evaluate_in(op, list(REFERENCE_P), t, ar)
        except (Undecided, NotWellDefined, ZeroDivisionError):
            continue
        tau = ar.num(0)
        for i in range(len(REFERENCE_P)):
            if i not in REFERENCE_K:
                tau = tau + q[i]
        if not tau < 1:
            continue
        kl = -((1 - tau).log())
        at = {"p": pstr(REFERENCE_P), "K": "top-2", "T": format_fraction(t)}
        out.append((at, tau.str(15, radius=False), kl.str(15, radius=False)))
    return out


def _truncation_cost(ctx: Context) -> list[Claim]:
    op, thm = ctx.op, TRUNCATION_COST
    key = thm.key
    wd = ctx.axiom_claim(f"{key}.well_defined", key, "well_defined", thm.hypothesis("well_defined").statement)
    consts: tuple[DerivedConstant, ...] = ()
    if not op.params and (op.kind == "separable" or len(REFERENCE_P) in op.sizes):
        res = budgeted(_tail_values, op, seconds=ctx.timeout, what="tail mass at the reference point")
        vals = res.value if res.ok else []
        consts = (
            DerivedConstant("TV", TAU, "exact", "TV(F_T(p), F_T(p)|_K) = tau, the softened mass outside K",
                            values=tuple((at, tv) for at, tv, _ in vals)),
            DerivedConstant("KL", -sp.log(1 - TAU), "exact", "KL(F_T(p)|_K || F_T(p)) = -log(1 - tau)",
                            values=tuple((at, kl) for at, _, kl in vals)),
        )
    else:
        consts = (DerivedConstant("TV", TAU, "exact", "TV(F_T(p), F_T(p)|_K) = tau"),
                  DerivedConstant("KL", -sp.log(1 - TAU), "exact", "KL(F_T(p)|_K || F_T(p)) = -log(1 - tau)"))
    concl = Claim(f"{key}.conclusion", key, "conclusion", "pending", thm.conclusion, method="theorem truncation_cost",
                  depends_on=(wd.id,), constants=consts)
    return [wd, concl]


# -- tail_mass_monotone -------------------------------------------------------------------------


def _subs_cases(tp: Piece, xp: Piece) -> list[tuple[dict[sp.Symbol, sp.Expr], str]]:
    out = []
    for v_sub, v_label in V_CASES:
        out.append(({T: tp.substitution(fresh_symbol(T)), x: xp.substitution(fresh_symbol(x)), V: v_sub},
                    f"{tp.label}, {xp.label}, {v_label}"))
    return out


def _cross_signs(score: sp.Expr) -> tuple[list[str], list[str]]:
    """(certificate lines, failures) for d/dx d/dT log g <= 0 on every open T-piece."""
    lines, bad = [], []
    for tp in t_pieces(score):
        if tp.point:
            continue
        if tp.expr is None:
            bad.append(f"{tp.label}: no branch applies")
            continue
        xps = [xp for xp in x_pieces(tp.expr) if not xp.point]
        if len(xps) != 1:
            bad.append(f"{tp.label}: the score has breakpoints in x (jumps of d_T s in x are not checked)")
            continue
        xp = xps[0]
        g = xp.expr
        if g is None:
            bad.append(f"{tp.label}: no branch applies on {xp.label}")
            continue
        cross = sp.diff(log_score(g), T, x)
        for subs, where in _subs_cases(tp, xp):
            if sign_of(g.subs(subs, simultaneous=True)) != "pos":
                bad.append(f"{where}: g > 0 not proved")
                continue
            e = expand_logs(cross.subs(subs, simultaneous=True))
            sg = sign_of(e)
            if sg in ("neg", "zero"):
                lines.append(f"{where}: d/dx d/dT log g = {sp.sstr(sp.simplify(e))} is "
                             f"{'< 0' if sg == 'neg' else 'identically 0'}, and g > 0 (sign prover)")
            else:
                bad.append(f"{where}: sign of d/dx d/dT log g = {sp.sstr(e)} is {sg or 'undecided'}")
    return lines, bad


_MONO_T = (Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(2), Fraction(4), Fraction(8))


def _monotone_counterexample(op: Operator) -> dict[str, Any] | None:
    ar = ArbArith(200)
    cases = [(REFERENCE_P, K) for K in ((0,), (0, 1), (0, 1, 2))] + [(_TIE_P, (0,)), (_TIE_P, (0, 2))]
    for p, K in cases:
        if op.kind == "vector" and len(p) not in op.sizes:
            continue
        taus = []
        for t in _MONO_T:
            try:
                taus.append((t, tail_mass(op, p, K, t, ar)))
            except (Undecided, NotWellDefined, ZeroDivisionError):
                continue
        for (t1, a), (t2, b) in itertools.combinations(taus, 2):
            if a > b:  # disjoint balls, t1 < t2
                body = (f"f = lambda t: 1 - sum(evaluate_mp(op, {list_code(p)}, t)[i] for i in {tuple(K)}); "
                        f"print(f({_q(t1)}), f({_q(t2)}))")
                return {
                    "statement": f"tau_T = F_T(p)(K^c) decreases from T = {format_fraction(t1)} to T = {format_fraction(t2)} "
                                 f"at p = ({pstr(p)}), K = {{{', '.join(map(str, K))}}}",
                    "reproduce": _repro(op, body), "certified_by": "arb",
                    "p": pstr(p), "K": ",".join(map(str, K)), "T": format_fraction(t1), "T2": format_fraction(t2),
                    "lhs": {"ball": a.str(20, radius=True), "decimal": a.str(12, radius=False)},
                    "rhs": {"ball": b.str(20, radius=True), "decimal": b.str(12, radius=False)},
                }
    return None


def _tail_monotone(ctx: Context) -> list[Claim]:
    op, thm = ctx.op, TAIL_MASS_MONOTONE
    key = thm.key
    cont = ctx.axiom_claim(f"{key}.continuity", key, "continuity", thm.hypothesis("continuity").statement)
    hid = f"{key}.cross_derivative_nonpositive"
    stmt = thm.hypothesis("cross_derivative_nonpositive").statement
    if op.params:
        hyp = _unsupported(hid, key, stmt, "operators with free parameters: fix them first (op.fix(...))")
    else:
        lines: list[str] = []
        bad: list[str] = ["vector operator: no symbolic score"]
        why_kind = "unsupported"
        if op.kind == "separable":
            res = budgeted(_cross_signs, op.score, seconds=ctx.timeout, what="sign of d/dx d/dT log g")
            if res.ok:
                lines, bad = res.value
                why_kind = "undecided"
            else:
                bad, why_kind = [res.reason or "failed"], res.reason_kind or "undecided"
        if not bad:
            hyp = Claim(hid, key, "hypothesis", "proved", stmt, method="sign prover per (T-piece, x-piece, V case)",
                        certificate=tuple(lines))
        else:
            ce = budgeted(_monotone_counterexample, op, seconds=ctx.timeout, what="Arb search for a decreasing tail mass")
            if ce.ok and ce.value is not None:
                hyp = Claim(hid, key, "hypothesis", "refuted", stmt,
                            method="counterexample to the conclusion (arb); by the theorem the hypothesis then fails",
                            counterexample=ce.value)
            else:
                hyp = Claim(hid, key, "hypothesis", "unknown", stmt, method="sign prover; Arb search",
                            reason="; ".join(bad) + "; no decrease of tau_T found on the sample grid",
                            reason_kind=why_kind)
    concl = Claim(f"{key}.conclusion", key, "conclusion", "pending", thm.conclusion, method="theorem tail_mass_monotone",
                  depends_on=(cont.id, hid))
    return [cont, hyp, concl]


# -- zero_preservation --------------------------------------------------------------------------


def _zero_limits(score: sp.Expr) -> list[dict[str, Any]]:
    """Per T-piece: the limit of g at x -> 0+ (T, V substituted) and the sign of g on (0, 1)."""
    out = []
    for tp in t_pieces(score):
        row: dict[str, Any] = {"label": tp.label, "piece": tp, "limits": [], "signs": [], "ok": False}
        if tp.expr is None:
            row["why"] = "no branch applies"
            out.append(row)
            continue
        xps = x_pieces(tp.expr)
        first = next((xp for xp in xps if not xp.point and xp.lo is None), None)
        if first is None or first.expr is None:
            row["why"] = "no x-piece at 0"
            out.append(row)
            continue
        ok = True
        for v_sub, v_label in V_CASES:
            g0 = first.expr.subs({T: tp.substitution(fresh_symbol(T)), V: v_sub}, simultaneous=True)
            lim = sp.limit(g0, x, 0, "+")
            zero = lim == 0
            row["limits"].append((v_label, lim))
            ok = ok and zero
            for xp in xps:
                if xp.expr is None:
                    ok = False
                    continue
                e = xp.expr.subs({T: tp.substitution(fresh_symbol(T)), V: v_sub, x: xp.substitution(fresh_symbol(x))},
                                 simultaneous=True)
                sg = sign_of(e)
                row["signs"].append((f"{xp.label}, {v_label}", sg))
                ok = ok and sg == "pos"
        row["ok"] = ok
        out.append(row)
    return out


def _zero_counterexample(op: Operator, piece: Piece) -> dict[str, Any] | None:
    ar = SymArith()
    p = (Fraction(1, 2), Fraction(1, 2), Fraction(0))
    for t in _t_candidates(piece):
        tv = sp.Rational(t.numerator, t.denominator)
        g = piece.expr
        first = next((xp for xp in x_pieces(g) if not xp.point and xp.lo is None), None)
        if first is None or first.expr is None:
            return None
        lim = sp.limit(first.expr.subs({T: tv, V: 3}, simultaneous=True), x, 0, "+")
        if not lim.is_number or lim.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
            continue
        try:
            if ar.sign(lim) <= 0:
                continue
            half = eval_expr(g, {x: sp.Rational(1, 2), T: tv, V: sp.Integer(3)}, ar)
            if ar.sign(half) <= 0:
                continue
            f3 = lim / (2 * half + lim)
        except (Undecided, NotWellDefined, ZeroDivisionError, TypeError):
            continue
        try:  # does the declared formula at x = 0 give the limit? then evaluate_mp reproduces it
            same = ar.sign(evaluate_in(op, list(p), t, ar)[2] - f3) == 0
        except (Undecided, NotWellDefined, ZeroDivisionError, TypeError, ValueError):
            same = False
        exact = sp.sympify(f3).is_Rational  # safe: SymPy number
        body = f"print(evaluate_mp(op, {list_code(p)}, {_q(t)}))"
        return {
            "statement": (f"F_T(p)_3 = {_enc(ar, f3)['decimal']} > 0 although p_3 = 0, at p = (1/2,1/2,0), "
                          f"T = {format_fraction(t)}: lim_(x->0+) g(x, T, 3) = {lim} > 0, so a never-sampled class "
                          "receives mass"),
            "reproduce": _repro(op, body) if same else "limit of g: " + sp.sstr(first.expr) + " at x -> 0+",
            "certified_by": "exact" if exact and lim.is_Rational else "arb",
            "p": pstr(p), "T": format_fraction(t), "limit_g0": str(lim),
            "lhs": _enc(ar, f3), "rhs": {"ball": "0", "decimal": "0", "exact": "0"},
        }
    return None


def _zero_preservation(ctx: Context) -> list[Claim]:
    op, thm = ctx.op, ZERO_PRESERVATION
    key = thm.key
    wd = ctx.axiom_claim(f"{key}.well_defined", key, "well_defined", thm.hypothesis("well_defined").statement)
    hid = f"{key}.score_vanishes_at_zero"
    stmt = thm.hypothesis("score_vanishes_at_zero").statement
    if op.params:
        hyp = _unsupported(hid, key, stmt, "operators with free parameters: fix them first (op.fix(...))")
    elif op.kind == "vector":
        hyp = _unsupported(hid, key, stmt, "vector operator: no score; the boundary behaviour of the algorithm is not "
                           "proved symbolically (the built-in vector algorithms drop zero entries before softening)")
    else:
        res = budgeted(_zero_limits, op.score, seconds=ctx.timeout, what="limit of g at x -> 0+")
        if not res.ok:
            hyp = Claim(hid, key, "hypothesis", "unknown", stmt, method="sympy limit", reason=res.reason,
                        reason_kind=res.reason_kind)
        elif all(r["ok"] for r in res.value):
            cert = []
            for r in res.value:
                cert.append(f"{r['label']}: lim_(x->0+) g = " + ", ".join(f"{sp.sstr(lim)} ({vl})" for vl, lim in r["limits"])
                            + "; g > 0 on " + ", ".join(w for w, _ in r["signs"]) + " (sign prover)")
            hyp = Claim(hid, key, "hypothesis", "proved", stmt, method="sympy limit + sign prover per T-piece",
                        certificate=tuple(cert))
        else:
            rows = res.value
            bad = [r for r in rows if not r["ok"]]
            good = [r["label"] for r in rows if r["ok"]]
            ce: Budgeted | None = None
            for r in bad:
                ce = budgeted(_zero_counterexample, op, r["piece"], seconds=ctx.timeout, what="exact zero-mass counterexample")
                if ce.ok and ce.value is not None:
                    break
            if ce is not None and ce.ok and ce.value is not None:
                cex = dict(ce.value)
                if good:
                    cex["statement"] += "; zeros are preserved on " + ", ".join(good)
                hyp = Claim(hid, key, "hypothesis", "refuted", stmt, method=f"sympy limit, {cex['certified_by']} evaluation",
                            counterexample=cex)
            else:
                why = "; ".join(f"{r['label']}: " + (r.get("why") or ", ".join(f"limit {sp.sstr(lim)} ({vl})" for vl, lim in r["limits"])
                                                     + "; signs " + ", ".join(f"{w}: {s}" for w, s in r["signs"]))
                                for r in bad)
                hyp = Claim(hid, key, "hypothesis", "unknown", stmt, method="sympy limit + sign prover",
                            reason=why, reason_kind="undecided")
    concl = Claim(f"{key}.conclusion", key, "conclusion", "pending", thm.conclusion, method="theorem zero_preservation",
                  depends_on=(wd.id, hid))
    return [wd, hyp, concl]


# -- invertibility ------------------------------------------------------------------------------


def _inverse_pieces(score: sp.Expr) -> dict[str, Any]:
    """Injectivity (d/dx log g > 0) and an explicit inverse per T-piece, each verified symbolically."""
    lines: list[str] = []
    bad: list[str] = []
    branches: list[tuple[Piece, sp.Expr | None, str]] = []
    single = len([tp for tp in t_pieces(score) if not tp.point]) == 1
    for tp in t_pieces(score):
        if tp.expr is None:
            bad.append(f"{tp.label}: no branch applies")
            continue
        xps = [xp for xp in x_pieces(tp.expr) if not xp.point]
        if len(xps) != 1:
            bad.append(f"{tp.label}: the score has breakpoints in x")
            continue
        g = xps[0].expr
        if g is None:
            bad.append(f"{tp.label}: no branch applies on {xps[0].label}")
            continue
        if tp.point:
            g = g.subs(T, tp.lo)
        ds = sp.diff(log_score(g), x)
        for subs, where in _subs_cases(tp, xps[0]):
            e = expand_logs(ds.subs(subs, simultaneous=True))
            sg = sign_of(e)
            if sg == "pos":
                lines.append(f"{where}: d/dx log g = {sp.sstr(sp.simplify(e))} > 0 (sign prover), so g(., T) is strictly "
                             "increasing and F_T is injective (lemma docs/theory/access.md#invertibility)")
            else:
                bad.append(f"{where}: sign of d/dx log g = {sp.sstr(e)} is {sg or 'undecided'}")
        # explicit inverse
        inv: sp.Expr | None = None
        how = ""
        if sp.simplify(sp.diff(g, x, 2)) == 0:
            alpha = sp.simplify(sp.diff(g, x))
            beta = sp.simplify(g - alpha * x)
            cand = ((alpha + V * beta) * Q_I - beta) / alpha
            if alpha != 0 and sp.simplify(cand.subs(Q_I, (alpha * x + beta) / (alpha + V * beta)) - x) == 0:
                inv = sp.simplify(cand)
                how = (f"{tp.label}: g = alpha x + beta with alpha = {sp.sstr(alpha)}, beta = {sp.sstr(beta)}; "
                       f"p_i = {sp.sstr(inv)} checked by substituting q_i = (alpha p_i + beta)/(alpha + V beta) (simplify to p_i)")
        if inv is None:
            a = sp.simplify(x * sp.diff(log_score(g), x))
            if x not in a.free_symbols and a != 0:
                zz = sp.Symbol("Z", positive=True)
                if sp.simplify(sp.powsimp(sp.powdenest((x ** a / zz) ** (1 / a), force=False)) - x / zz ** (1 / a)) == 0:
                    inv = Q_I ** sp.simplify(1 / a) / Z_Q
                    how = (f"{tp.label}: log g = a log x + b(T, V) with a = {sp.sstr(a)}, so q_i = p_i^a/sum_j p_j^a and "
                           f"q_i^(1/a) = p_i / (sum_j p_j^a)^(1/a): p_i = q_i^({sp.sstr(sp.simplify(1 / a))})/Z_q")
                    if single and sp.simplify(a.subs(T, 1 / T) * a) == 1:
                        how += "; a(1/T) = 1/a(T), so the inverse is F_{1/T} itself: F_{1/T}(F_T(p)) = p"
        branches.append((tp, inv, how))
    return {"lines": lines, "bad": bad, "branches": branches}


def _inverse_constant(branches: list[tuple[Piece, sp.Expr | None, str]]) -> sp.Expr | None:
    """One Piecewise over the open T-pieces; each breakpoint joins the side whose formula it equals."""
    if any(inv is None for _, inv, _ in branches):
        return None
    opens = [(tp, inv) for tp, inv, _ in branches if not tp.point and inv is not None]
    points = {tp.lo: inv for tp, inv, _ in branches if tp.point and inv is not None}
    if len(opens) == 1:
        return opens[0][1]
    args: list[tuple[sp.Expr, Any]] = []
    for k, (tp, inv) in enumerate(opens):
        if tp.hi is None:
            args.append((inv, True))
            continue
        at = points.get(tp.hi)
        if at is None or k + 1 >= len(opens):
            return None
        b = tp.hi
        if sp.simplify(at.subs(T, b) - opens[k + 1][1].subs(T, b)) == 0:
            args.append((inv, T < b))
        elif sp.simplify(at.subs(T, b) - inv.subs(T, b)) == 0:
            args.append((inv, T <= b))
        else:
            return None
    return sp.Piecewise(*args)


_PAIRS = (
    (REFERENCE_P, (Fraction(1, 2), Fraction(3, 10), Fraction(1, 8), Fraction(3, 40))),
    ((Fraction(3, 5), Fraction(1, 4), Fraction(3, 20)), (Fraction(3, 5), Fraction(1, 4), Fraction(3, 20))),
    ((Fraction(7, 10), Fraction(1, 5), Fraction(1, 10)), (Fraction(7, 10), Fraction(3, 20), Fraction(3, 20))),
)


def _collision(op: Operator) -> dict[str, Any] | None:
    """Two distinct p with exactly equal F_T(p) (exact SymPy arithmetic), if found on the sample grid."""
    ar = SymArith()
    for (p, p2), t in itertools.product(_PAIRS, (Fraction(1), Fraction(1, 2), Fraction(1, 4), Fraction(2))):
        if p == p2 or len(p) not in op.sizes:
            continue
        try:
            a = evaluate_in(op, list(p), t, ar)
            b = evaluate_in(op, list(p2), t, ar)
        except (Undecided, NotWellDefined, ZeroDivisionError):
            continue
        if all(u == v or sp.simplify(u - v) == 0 for u, v in zip(a, b, strict=False)):
            exact_out = all(sp.sympify(u).is_Rational for u in a)  # safe: SymPy numbers
            body = f"print(evaluate_mp(op, {list_code(p)}, {_q(t)}), evaluate_mp(op, {list_code(p2)}, {_q(t)}))"
            return {
                "statement": (f"F_T is not injective: F_T(p) = F_T(p') for p = ({pstr(p)}) != p' = ({pstr(p2)}) at "
                              f"T = {format_fraction(t)} (equal as exact numbers{'' if exact_out else ', identical closed forms'}): "
                              "truncation/zeroing loses information (lossy), privacy still needs a formal mechanism"),
                "reproduce": _repro(op, body), "certified_by": "exact",
                "comparisons": "branch decisions of the algorithm exact (rationals) or by disjoint Arb enclosures",
                "p": pstr(p), "p2": pstr(p2), "T": format_fraction(t),
                "lhs": _enc_vec(ar, a), "rhs": _enc_vec(ar, b),
            }
    return None


def _invertibility(ctx: Context) -> list[Claim]:
    op, thm = ctx.op, INVERTIBILITY
    key = thm.key
    wd = ctx.axiom_claim(f"{key}.well_defined", key, "well_defined", thm.hypothesis("well_defined").statement)
    hid = f"{key}.injective"
    stmt = thm.hypothesis("injective").statement
    consts: tuple[DerivedConstant, ...] = ()
    if op.params:
        hyp = _unsupported(hid, key, stmt, "operators with free parameters: fix them first (op.fix(...))")
    elif op.kind == "vector":
        res = budgeted(_collision, op, seconds=ctx.timeout, what="exact search for two inputs with the same output")
        if res.ok and res.value is not None:
            hyp = Claim(hid, key, "hypothesis", "refuted", stmt, method="exact algorithm in exact arithmetic",
                        counterexample=res.value)
        else:
            hyp = Claim(hid, key, "hypothesis", "unknown", stmt, method="exact algorithm at sample pairs",
                        reason=res.reason if not res.ok else "vector operator: no symbolic proof of injectivity and no "
                        "collision found on the sample pairs", reason_kind=res.reason_kind if not res.ok else "unsupported")
    else:
        res = budgeted(_inverse_pieces, op.score, seconds=ctx.timeout, what="injectivity and explicit inverse")
        if not res.ok:
            hyp = Claim(hid, key, "hypothesis", "unknown", stmt, method="sympy", reason=res.reason, reason_kind=res.reason_kind)
        else:
            v = res.value
            hows = [h for _, _, h in v["branches"] if h]
            if v["bad"]:
                hyp = Claim(hid, key, "hypothesis", "unknown", stmt, method="sign prover per (T-piece, V case)",
                            reason="; ".join(v["bad"]), reason_kind="undecided")
            else:
                hyp = Claim(hid, key, "hypothesis", "proved", stmt, method="sign prover: d/dx log g > 0; explicit inverse",
                            certificate=tuple(v["lines"] + hows))
            inv = _inverse_constant(v["branches"])
            if inv is not None:
                consts = (DerivedConstant("inverse", inv, "exact",
                                          "p_i from the released q = F_T(p); Z_q = sum_j q_j^e with e the exponent of q_i in "
                                          "the same branch (absent for affine scores)"),)
    concl = Claim(f"{key}.conclusion", key, "conclusion", "pending", thm.conclusion, method="theorem invertibility",
                  depends_on=(wd.id, hid), constants=consts)
    return [wd, hyp, concl]


# -- dp_post_processing -------------------------------------------------------------------------


def _dp(ctx: Context) -> list[Claim]:
    thm = DP_POST_PROCESSING
    key = thm.key
    ass = Claim(f"{key}.dp_release", key, "assumption", "unknown", thm.hypothesis("dp_release").statement,
                method="stated", reason="an assumption about the release mechanism, not a property of the operator",
                reason_kind="unsupported")
    wd = ctx.axiom_claim(f"{key}.well_defined", key, "well_defined", thm.hypothesis("well_defined").statement)
    concl = Claim(f"{key}.conclusion", key, "conclusion", "pending", thm.conclusion, method="theorem dp_post_processing",
                  depends_on=(ass.id, wd.id))
    return [ass, wd, concl]


def derive(ctx: Context) -> list[Claim]:
    """The claims of the access topic for ``ctx.op`` (see the module docstring)."""
    claims: list[Claim] = []
    for part in (_commutation, _truncation_cost, _tail_monotone, _zero_preservation, _invertibility, _dp):
        claims.extend(part(ctx))
    return claims
