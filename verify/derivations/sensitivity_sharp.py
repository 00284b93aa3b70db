"""``lipschitz_eps_sharp`` (``V ≥ 3``): the sharp ℓ1 constant on ``Δ_ε``, ℓ2 bounds and a certified ℓ2 witness.

For power-type pieces with ``0 < c ≤ 1`` the exact ℓ1 constant is :func:`sharp_l1_form`; for affine
pieces ``|r|`` in every norm. The ℓ2 constant is bracketed, and an Arb-certified chord ratio at
``V = 3`` (:func:`l2_witness`) shows it does not follow the ℓ1 asymptotic.

>>> sharp_l1_form(sp.Rational(1, 2)).subs({EPS: sp.Rational(1, 1000), V: 3}).evalf(12)
14.8848782685
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from skd.operators.arith import ArbArith
from skd.operators.evaluate import evaluate_in
from skd.operators.symbols import T, V
from skd.theory.sensitivity import LIPSCHITZ_EPS_SHARP

from ..regions import Piece
from ..reproduce import format_fraction
from .claims import Claim, DerivedConstant
from .sensitivity_analysis import EPS, dec_outward, frac_of, piece_info_at, piecewise_by_piece

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = ["L2_FACTOR", "L2_WITNESS_EPS", "L2_WITNESS_T", "SHARP_V_POINTS", "affine_abs_r", "l2_witness",
           "lipschitz_eps_sharp_claims", "sharp_l1_form"]

#: (T, eps, V) at which the sharp V >= 3 constants are printed for readers (T = 2, eps = 1/1000, V = 3 is issue 15's point).
SHARP_V_POINTS: tuple[tuple[Fraction, Fraction, int], ...] = (
    (Fraction(2), Fraction(1, 1000), 3), (Fraction(2), Fraction(1, 1000), 4), (Fraction(2), Fraction(1, 100), 3),
    (Fraction(3, 2), Fraction(1, 100), 3), (Fraction(4), Fraction(1, 10**6), 5))
#: The certified l2 witness: V = 3 at T = 2, the first eps below whose chord ratio exceeds L2_FACTOR * c eps^(c-1).
L2_WITNESS_T = Fraction(2)
L2_WITNESS_EPS = (Fraction(1, 10**6), Fraction(1, 10**9), Fraction(1, 10**12))
L2_FACTOR = Fraction(21, 20)


def sharp_l1_form(c: sp.Expr) -> sp.Expr:
    """``c ε^{c−1} / ((V−1) ε^c + (1 − (V−1)ε)^c)``: the sharp ℓ1 constant on ``Δ_ε`` for ``V ≥ 3`` (``0 < c ≤ 1``)."""
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


def l2_witness(op: Operator, c: sp.Expr) -> dict[str, Any] | None:
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
        num = sum(((x1 - x0) ** 2 for x0, x1 in zip(fa, fb, strict=True)), ar.num(0))
        den = sum(ar.num((b - a) ** 2) for a, b in zip(pa, pb, strict=True))
        ratio = (num / den).sqrt()
        e_b = ar.num(eps)
        level = ar.num(L2_FACTOR) * ar.num(cq) * e_b ** ar.num(cq - 1)
        if ratio > level:
            return {"T": t, "eps": eps, "p": pa, "p2": pb, "ratio": ratio, "level": level, "c": cq}
    return None


def affine_abs_r(af: dict[str, Any]) -> tuple[sp.Expr, sp.Expr]:
    """``(r, |r|)`` of an affine piece ``F_T(p) = r p + (1 − r)/V``, ``|r|`` written by the sign the prover gave ``r``."""
    r = af["r"]
    return r, sp.simplify(r if af["r_sign"] in ("pos", "zero") else (-r if af["r_sign"] == "neg" else sp.Abs(r)))


def lipschitz_eps_sharp_claims(op: Operator, closed: list[dict[str, Any]]) -> list[Claim]:
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
            r, absval = affine_abs_r(af)
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
                if witness is None and piece_info_at([i], L2_WITNESS_T) is not None:
                    witness = l2_witness(op, c)
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
        expr = piecewise_by_piece(items[name], cover_all=full and len(items[name]) == len(closed))
        kind = next(k.kind for k in LIPSCHITZ_EPS_SHARP.constants if k.name == name)
        consts.append(DerivedConstant(name, expr, kind, meanings[name] + "; defined only where its T-condition holds",
                                      values=_sharp_v_values(expr)))
    if witness is not None:
        w = witness
        # the Arb lower end, rounded DOWN to 15 significant digits (still a certified lower bound; an exact
        # dyadic end would be a ~70-digit rational, beyond what the safe parser reads back)
        lo = Fraction(dec_outward(frac_of(w["ratio"].lower()), 15, up=False))
        at = {"T": format_fraction(w["T"]), "eps": format_fraction(w["eps"]), "V": "3", "p": ",".join(map(format_fraction, w["p"])),
              "p2": ",".join(map(format_fraction, w["p2"]))}
        consts.append(DerivedConstant(
            "L2_witness", sp.Rational(lo.numerator, lo.denominator), "lower_bound",
            f"certified lower bound on the least l2 constant at V = 3, T = {format_fraction(w['T'])}, "
            f"eps = {format_fraction(w['eps'])}: the l2 chord "
            f"ratio of the pair (p, p2) in Delta_eps, an Arb ball {w['ratio'].str(20, radius=True)} > "
            f"{format_fraction(L2_FACTOR)} c eps^(c-1) "
            f"= {w['level'].str(15, radius=True)} (c = {format_fraction(w['c'])}) >= {format_fraction(L2_FACTOR)} L1_sharp: "
            "the l2 constant is not "
            "the l1 one", values=((at, dec_outward(lo, 15, up=False)),)))
    return [hyp, Claim(f"{key}.conclusion", key, "conclusion", "pending", LIPSCHITZ_EPS_SHARP.conclusion,
                       method=f"theorem {key} (closed form; l2: two-sided bounds, Arb chord witness)", scope=scope,
                       depends_on=(wd_id, hid), constants=tuple(consts))]


def _sharp_v_values(expr: sp.Expr) -> tuple[tuple[dict[str, str], str], ...]:
    vals = []
    for t, e, vv in SHARP_V_POINTS:
        v = expr.subs({T: sp.Rational(t.numerator, t.denominator), EPS: sp.Rational(e.numerator, e.denominator), V: vv})
        if v.free_symbols or v is sp.nan or not v.is_finite:
            continue
        vals.append(({"T": format_fraction(t), "eps": format_fraction(e), "V": str(vv)}, sp.sstr(sp.N(v, 15))))
    return tuple(vals)
