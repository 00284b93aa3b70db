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

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from skd.operators.arith import ArbArith, Undecided
from skd.operators.symbols import T, V, x
from skd.theory.sensitivity import (
    JACOBIAN,
    L_SHARP_V2,
    LIPSCHITZ_CLOSED,
    LIPSCHITZ_EPS,
    LIPSCHITZ_EPS_SHARP,
    LIPSCHITZ_LOGIT,
)

from ..regions import Piece
from ..reproduce import format_fraction
from .claims import Claim, Context, DerivedConstant, budgeted
from .sensitivity_analysis import (
    EPS,
    MAX_BOXES,
    PREC,
    analyse_score,
    arb_eval_v2,
    chord_ratio_arb,
    dec_outward,
    piece_info_at,
    piecewise_by_piece,
    sharp_enclosure,
    tangent_derivative_v2,
)
from .sensitivity_sharp import affine_abs_r, lipschitz_eps_sharp_claims, sharp_l1_form
from .sensitivity_vector import lipschitz_vector_claims, topk_counterexample, topk_tie_pair, vector_unsupported_claims

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = [
    "DERIVATIVE_POINTS",
    "EPS",
    "SHARP_GRID_EPS",
    "SHARP_GRID_T",
    "analyse_score",
    "chord_ratio_arb",
    "derive",
    "sharp_enclosure",
    "sharp_l1_form",
    "tangent_derivative_v2",
    "topk_counterexample",
    "topk_tie_pair",
]

#: The grid on which the sharp V = 2 constant is enclosed.
SHARP_GRID_T = (Fraction(1, 2), Fraction(1), Fraction(2))
SHARP_GRID_EPS = (Fraction(1, 100), Fraction(1, 10))
#: Points x = eps where the V = 2 tangent derivative is reported at T = 2 (theory-notes §6 item 8).
DERIVATIVE_POINTS = (Fraction(1, 10**2), Fraction(1, 10**4), Fraction(1, 10**6))
#: Lipschitz levels the closed-simplex counterexample is certified to exceed.
CLOSED_LEVELS = (10, 100, 1000)


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





def _sharp_work(pieces: list[dict[str, Any]]) -> dict[str, Any]:
    """Tangent derivatives per grid T, their Arb enclosures and the T = 2 point values (worker)."""
    out: dict[str, Any] = {"grid": [], "points": [], "hp_by_piece": []}
    for piece_info in pieces:
        if piece_info.get("error") is None:
            out["hp_by_piece"].append((piece_info["piece"], sp.simplify(tangent_derivative_v2(piece_info["g"]))))
    for t in SHARP_GRID_T:
        info = piece_info_at(pieces, t)
        if info is None or info.get("error"):
            out["grid"].append((t, None, "no smooth score piece at this T"))
            continue
        tq = sp.Rational(t.numerator, t.denominator)
        hp = sp.simplify(tangent_derivative_v2(info["g"].subs(T, tq)))
        for eps in SHARP_GRID_EPS:
            out["grid"].append((t, eps, sharp_enclosure(hp, t, eps)))
    info = piece_info_at(pieces, Fraction(2))
    if info is not None and not info.get("error"):
        hp = tangent_derivative_v2(info["g"])
        ar = ArbArith(128)
        for e in DERIVATIVE_POINTS:
            try:
                b = arb_eval_v2(hp, ar.num(e), Fraction(2), ar)
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
            return _unsupported(ctx, why) + vector_unsupported_claims(ctx, why)
        return _unsupported(ctx, _VECTOR_WHY) + lipschitz_vector_claims(ctx)
    return _derive_separable(ctx) + vector_unsupported_claims(ctx, _SEPARABLE_WHY)


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


def _assemble(op: Operator, pieces: list[dict[str, Any]], closed: list[dict[str, Any]], sharp: dict[str, Any] | None,
              sharp_reason: str | None) -> dict[str, list[Claim]]:
    """Every non-axiom claim, by theorem key (SymPy simplifications: run under a budget)."""
    return {
        JACOBIAN.key: _jacobian(pieces),
        LIPSCHITZ_EPS.key: _lipschitz_eps(pieces, sharp, sharp_reason),
        LIPSCHITZ_LOGIT.key: _lipschitz_logit(pieces),
        LIPSCHITZ_EPS_SHARP.key: lipschitz_eps_sharp_claims(op, closed),
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
        consts = (DerivedConstant("dx_s", piecewise_by_piece([(i["piece"], i["a"]) for i in pieces]), "exact",
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
                "L_bound", piecewise_by_piece(bounds), "upper_bound",
                "labelled upper bound (1/2) sup_{x in [eps, 1-(V-1)eps]} |d/dx log g| on the Lipschitz constant of F_T on "
                "Delta_eps, l1 and l2, 0 < eps <= 1/V; not sharp",
                values=_bound_values(piecewise_by_piece(bounds))))
    if diff.status == "proved":
        consts += _sharp_constants(sharp, sharp_reason)
    grid = (f"T in {{{', '.join(format_fraction(t) for t in SHARP_GRID_T)}}}, "
            f"eps in {{{', '.join(format_fraction(e) for e in SHARP_GRID_EPS)}}}")
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
            vals.append(({"T": format_fraction(t), "eps": format_fraction(e), "V": "2"}, sp.sstr(sp.N(v, 15))))
    return tuple(vals)


def _sharp_constants(work: dict[str, Any] | None, reason: str | None) -> list[DerivedConstant]:
    if work is None:
        return [DerivedConstant("L_sharp", L_SHARP_V2, "sharp", f"not enclosed: {reason}")]
    out: list[DerivedConstant] = []
    if work["hp_by_piece"]:
        pts = tuple(({"T": "2", "V": "2", "x": format_fraction(e)}, dec if ball else f"not evaluated: {dec}")
                    for e, ball, dec in work["points"])
        out.append(DerivedConstant(
            "dF1_dx_V2", piecewise_by_piece(work["hp_by_piece"]), "exact",
            "d/dx F_T(x, 1-x)_1 for V = 2 (the tangent derivative q1 q2 (a(x) + a(1-x))); values at T = 2, x = eps "
            "are Arb balls printed to 20 digits", values=pts))
    parts, vals = [], []
    for t, eps, enc in work["grid"]:
        if eps is None:
            parts.append(f"T={format_fraction(t)}: {enc}")
            continue
        at = f"T={format_fraction(t)}, eps={format_fraction(eps)}"
        if not enc["complete"] or enc["hi"] is None:
            parts.append(f"{at}: not enclosed (Arb could not bound the derivative on a box)")
            continue
        lo, hi = dec_outward(enc["lo"], 12, up=False), dec_outward(enc["hi"], 12, up=True)
        parts.append(f"{at}: [{lo}, {hi}]")
        vals.append(({"T": format_fraction(t), "eps": format_fraction(eps), "V": "2"}, f"[{lo}, {hi}]"))
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
        consts = (DerivedConstant("L_logit", piecewise_by_piece(items), "sharp",
                                  "least l2 Lipschitz constant of z -> F_T(softmax(z)) over all V >= 2 "
                                  "(softmax Jacobian diag q - q q^T has spectral norm <= 1/2, approached as q -> (1/2, 1/2, 0, ...))"),)
    return [h, Claim(f"{key}.conclusion", key, "conclusion", "pending", LIPSCHITZ_LOGIT.conclusion,
                     method="theorem lipschitz_logit", depends_on=(wd_id, hid), constants=consts)]


def _closed_counterexample(op: Operator, info: dict[str, Any]) -> dict[str, Any] | None:
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
        "statement": (f"at T = {format_fraction(t)} (exponent c = {sp.sstr(cval)} < 1), p = (eps, 1 - eps), p' = (0, 1), "
                      f"F_T(p') = (0, 1): the chord ratio ||F_T(p) - F_T(p')|| / ||p - p'|| = F_T(p)_1 / eps "
                      f"(l1 and l2) exceeds " + ", ".join(f"{lv} at eps = 1/{e.denominator}" for lv, e, _ in rows)
                      + "; it is >= eps^(c-1)/2 for every eps (docs/theory/sensitivity.md), so no finite L works"),
        "reproduce": reproduce,
        "certified_by": "arb",
        "T": format_fraction(t),
        "V": 2,
        "p": ["eps", "1 - eps"],
        "p2": ["0", "1"],
        "points": [{"eps": format_fraction(e), "L": str(lv), "lhs": {"ball": b.str(radius=True), "decimal": b.str(30, radius=False)},
                    "rhs": {"ball": f"[{lv} +/- 0]", "decimal": str(lv)}, "relation": ">"} for lv, e, b in rows],
        "limit_of_F_at_p2": "g(x) = exp(d) x^c with c > 0 tends to 0 as x -> 0+, so F_T(0, 1) = (0, 1) by continuity",
    }


def _lipschitz_closed(op: Operator, closed: list[dict[str, Any]]) -> list[Claim]:
    key = LIPSCHITZ_CLOSED.key
    wd_id = f"{key}.well_defined"
    out: list[Claim] = []
    bound_items: list[tuple[Piece, sp.Expr]] = []
    rate_items: list[tuple[Piece, sp.Expr]] = []
    sharp_only = True
    one = sp.Integer(1)
    for hkey, in_range in (("global_lipschitz_T_le_1", lambda pc: (pc.hi is not None and pc.hi <= one)),
                           ("global_lipschitz_T_gt_1",
                            lambda pc: (pc.lo is not None and pc.lo >= one and not (pc.point and pc.lo == one)))):
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
                r, absval = affine_abs_r(af)
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
            "L_closed", piecewise_by_piece(bound_items, cover_all=len(bound_items) == len(closed)),
            "sharp" if sharp_only else "upper_bound",
            "Lipschitz constant on the closed simplex (l1; tangent directions) where one is proved: exact |r| on affine "
            "pieces, bound 2 c V^(c-1) on power-type pieces with c >= 1 (l2: multiply by sqrt(V)); defined only where its "
            "T-condition holds"))
    if rate_items:
        consts.append(DerivedConstant(
            "blowup_rate", piecewise_by_piece(rate_items, cover_all=False), "rate",
            "the chord ratio between (eps, 1-eps) and (0, 1) equals eps^(c-1)/(eps^c + (1-eps)^c), which is >= eps^(c-1)/2 "
            "and ~ eps^(c-1) -> oo as eps -> 0 (power: c = 1/T, for every T > 1)"))
    out.append(Claim(f"{key}.conclusion", key, "conclusion", "pending", LIPSCHITZ_CLOSED.conclusion,
                     method="theorem lipschitz_closed",
                     depends_on=(wd_id, f"{key}.global_lipschitz_T_le_1", f"{key}.global_lipschitz_T_gt_1"),
                     constants=tuple(consts)))
    return out
