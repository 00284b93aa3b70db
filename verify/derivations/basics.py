"""Reference values and the composition law of an operator (``docs/theory/basics.md``).

* ``reference_values`` — ``F_T(p)`` and ``H(F_T(p))`` at the teacher ``p = (7/10, 1/5, 1/10)`` of
  theory-notes §6 item 1, for ``T ∈ {1/2, 1, 2, 4, 10}``, at 50 digits (any operator whose
  exact algorithm runs);
* ``semigroup`` — ``F_S ∘ F_T = F_ψ(S,T)``: for a power-type score (``x ∂_x log g = c(T)``
  on its single ``T``-piece) ``ψ`` solves ``c(ψ) = c(S) c(T)``; for a score affine in ``x`` on
  every piece (``F_T(p) = r(T) p + (1 − r(T))/V``) ``ψ`` solves ``r(ψ) = r(S) r(T)``. Anything
  else is ``unknown`` — never guessed.

>>> from skd.operators import library
>>> from skd.verify.derivations import derive
>>> derive(library.power, topics=["basics"]).constant("semigroup.conclusion:psi").expr
S*T
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import mpmath
import sympy as sp

from skd.operators.arith import ArbArith, Undecided
from skd.operators.evaluate import eval_expr
from skd.operators.symbols import T, V, x
from skd.theory.basics import REFERENCE_VALUES, SEMIGROUP, Z_T

from ..reproduce import format_fraction, fraction_code, list_code, snippet
from .claims import Claim, Context, DerivedConstant, budgeted
from .common import REFERENCE_P, pstr

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = ["derive", "composition_temperature", "closure_counterexample", "REFERENCE_P", "REFERENCE_TS"]

REFERENCE_TS = (Fraction(1, 2), Fraction(1), Fraction(2), Fraction(4), Fraction(10))
S = sp.Symbol("S", positive=True)
_U = sp.Symbol("u", positive=True)


def _values(op: Operator) -> tuple[tuple[dict[str, str], str], ...]:
    from skd.operators import evaluate_mp

    out = []
    p_text = pstr(REFERENCE_P)
    for t in REFERENCE_TS:
        with mpmath.workdps(50):
            q = evaluate_mp(op, REFERENCE_P, t, dps=50)
            h = -mpmath.fsum(qi * mpmath.log(qi) for qi in q if qi > 0)
        out.append(({"p": p_text, "T": str(t), "what": "F_T(p)"}, ", ".join(mpmath.nstr(qi, 12) for qi in q)))
        out.append(({"p": p_text, "T": str(t), "what": "H(F_T(p))"}, mpmath.nstr(h, 12)))
    return tuple(out)


def composition_temperature(score: sp.Expr) -> dict[str, Any]:
    """``ψ(S, T)`` with ``F_S ∘ F_T = F_ψ`` for a power-type or affine score, with the certificate.

    Returns ``{"psi": expr, "steps": [...]}`` or ``{"reason": why}``. SymPy-heavy: call it under
    :func:`~skd.verify.derivations.claims.budgeted`.

    >>> composition_temperature(x ** (1 / T**2))["psi"]
    S*T
    """
    from .sensitivity_analysis import analyse_score

    info = analyse_score(score)
    if "error" in info:
        return {"reason": info["error"]}
    pieces = info["pieces"]
    if any(pc.get("error") for pc in pieces):
        return {"reason": "; ".join(pc["error"] for pc in pieces if pc.get("error"))}
    if len(pieces) == 1 and pieces[0]["c"] is not None:
        c = pieces[0]["c"]
        if c.free_symbols - {T}:
            return {"reason": f"the exponent c(T) = {c} depends on more than T"}
        sols = [s for s in sp.solve(sp.Eq(c.subs(T, _U), c * c.subs(T, S)), _U) if s.is_positive is not False]
        sols = [sp.simplify(s) for s in sols]
        good = [s for s in sols if s.free_symbols <= {S, T}
                and sp.simplify(c.subs(T, s) - c * c.subs(T, S)) == 0 and _positive_on_quadrant(s)]
        if len(good) != 1:
            return {"reason": f"c(psi) = c(S) c(T) with c(T) = {c}: {len(good)} positive solutions found ({sols})"}
        psi = good[0]
        return {"psi": psi, "steps": [
            f"power type on T in (0, oo): F_T(p) ∝ p^c(T) with c(T) = {sp.sstr(c)} (x ∂x log g = c(T))",
            "F_S(F_T(p)) ∝ (p^c(T)/Z)^c(S) ∝ p^(c(S) c(T)) (the normaliser cancels)",
            f"psi = {sp.sstr(psi)} solves c(psi) = c(S) c(T): simplify(c(psi) - c(S) c(T)) = 0, psi > 0 for S, T > 0"]}
    aff = [pc.get("affine") for pc in pieces]
    if all(a is not None for a in aff):
        # r(T) per piece; the composite weight r(S) r(T) must be r(psi) for some psi
        rs = [(pc["piece"], sp.simplify(a["r"])) for pc, a in zip(pieces, aff, strict=True)]
        inj = [(pc, r) for pc, r in rs if r.has(T)]
        const = [(pc, r) for pc, r in rs if not r.has(T)]
        if len(inj) != 1 or any(sp.simplify(r - 1) != 0 for _, r in const):
            return {"reason": "affine pieces: supported when r(T) = 1 on all pieces but one, on which r varies"}
        pc, r = inj[0]
        lo = sp.Integer(0) if pc.lo is None else pc.lo
        if not (lo == 1 and pc.hi is None and sp.limit(r, T, 1, "+") == 1 and sp.limit(r, T, sp.oo) == 0):
            return {"reason": f"affine piece {pc.label}: r(T) = {r} is not a weight going from 1 at T = 1 to 0 at oo"}
        dr = sp.simplify(sp.diff(r, T))
        from ..regions import fresh_symbol
        from ..signs import sign_of

        t_ = fresh_symbol(T)
        if sign_of(sp.simplify(dr.subs(T, 1 + t_))) not in ("neg",):
            return {"reason": f"r(T) = {r} not shown decreasing on T > 1"}
        sols = [sp.simplify(s) for s in sp.solve(sp.Eq(r, _U), T)]
        w_ = fresh_symbol(_U)
        # the branch of the inverse that lands on the piece T > 1 for every weight u in (0, 1)
        inv = [s for s in sols if sp.simplify(r.subs(T, s) - _U) == 0
               and sign_of(sp.simplify(s.subs(_U, 1 / (1 + w_)) - 1)) == "pos"]
        if len(inv) != 1:
            return {"reason": f"could not invert r(T) = {r} on T > 1 ({sols})"}
        rinv = inv[0]
        rS, rT = sp.Piecewise((r.subs(T, S), S > 1), (1, True)), sp.Piecewise((r, T > 1), (1, True))
        psi = sp.Piecewise((1, sp.And(S <= 1, T <= 1)), (sp.simplify(rinv.subs(_U, r.subs(T, S) * r)), sp.And(S > 1, T > 1)),
                           (T, S <= 1), (S, True))
        return {"psi": psi, "steps": [
            f"affine in x on every piece: F_T(p) = r(T) p + (1 - r(T))/V, r = 1 on T <= 1, r(T) = {sp.sstr(r)} on T > 1",
            "F_S(F_T(p)) = r(S) r(T) p + (1 - r(S) r(T))/V (direct substitution)",
            f"r is decreasing from 1 to 0 on T > 1 (sign of r'(T) = {sp.sstr(dr)}), with inverse r^-1(u) = {sp.sstr(rinv)} "
            "(r(r^-1(u)) - u simplifies to 0 and r^-1(u) > 1 for u in (0, 1), by the sign prover)",
            f"so psi = r^-1(r(S) r(T)) when S, T > 1, psi = T (S <= 1) or S (T <= 1): {sp.sstr(rS)} * {sp.sstr(rT)} = r(psi)"]}
    return {"reason": "neither power type on a single T-piece nor affine in x on every piece (a mixed family, e.g. "
                      "power for T <= 1 and mixture above, composes across families)"}


#: (S, T, p) tried, in order, for a certified counterexample to the composition law
CLOSURE_CANDIDATES: tuple[tuple[Fraction, Fraction, tuple[Fraction, ...]], ...] = tuple(
    (s_, t_, p_) for p_ in (REFERENCE_P, (Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)))
    for s_, t_ in ((Fraction(1, 2), Fraction(2)), (Fraction(2), Fraction(1, 2)), (Fraction(1, 3), Fraction(3)),
                   (Fraction(3), Fraction(1, 3))))
_CLOSURE_PREC = 200


def _arb_apply(score: sp.Expr, p: Sequence[Any], t: Fraction, ar: Any) -> list[Any]:
    """``F_t(p)`` in Arb: ``g(p_i, t, V) / Σ_j g(p_j, t, V)`` with ``p`` exact or balls."""
    env = {T: ar.num(t), V: ar.num(len(p))}
    g = [eval_expr(score, {**env, x: pi if not isinstance(pi, Fraction) else ar.num(pi)}, ar) for pi in p]
    z = g[0]
    for gi in g[1:]:
        z = z + gi
    return [gi / z for gi in g]


def _pair_dets(r: Sequence[Any], p: Sequence[Any]) -> list[Any]:
    """``(r_i − r_j)(p_j − p_k) − (r_j − r_k)(p_i − p_j)`` for consecutive triples: all 0 iff ``r`` is affine in ``p``
    along the coordinates (with a common slope)."""
    return [(r[i] - r[i + 1]) * (p[i + 1] - p[i + 2]) - (r[i + 1] - r[i + 2]) * (p[i] - p[i + 1]) for i in range(len(p) - 2)]


def closure_counterexample(op: Operator) -> dict[str, Any] | None:
    """A certified ``(S, T, p)`` with ``F_S(F_T(p)) ≠ F_ψ(p)`` for **every** ``ψ > 0``, or ``None``.

    Sound by construction (``docs/theory/basics.md#composition-law``, part (iii)): every ``T``-piece
    of the score must be power type (its image ``ψ ↦ F_ψ(p)`` lies in ``{p^c/Σ p^c : c ∈ ℝ}``) or affine
    in ``x`` (image in the line ``{λp + (1 − λ)u : λ ∈ ℝ}``); ``r = F_S(F_T(p))`` is enclosed in Arb
    balls, and for every piece a determinant that vanishes on that piece's family is certified
    non-zero (ball excluding 0). A piece of neither form, or a ball containing 0, gives ``None``.
    SymPy-heavy: call it under :func:`~skd.verify.derivations.claims.budgeted`.

    >>> from skd.operators import library
    >>> closure_counterexample(library.hybrid)["statement"][:40]
    'F_1/2(F_2(p)) at p = (7/10, 1/5, 1/10) i'
    >>> closure_counterexample(library.power) is None
    True
    """
    from .sensitivity_analysis import analyse_score

    if op.kind != "separable" or op.params:
        return None
    score = op.score
    info = analyse_score(score)
    if "error" in info or any(pc.get("error") for pc in info["pieces"]):
        return None
    pieces = info["pieces"]
    if any(pc["c"] is None and pc["affine"] is None for pc in pieces):
        return None
    ar = ArbArith(_CLOSURE_PREC)
    for s_, t_, p in CLOSURE_CANDIDATES:
        try:
            r = _arb_apply(score, _arb_apply(score, p, t_, ar), s_, ar)
            pb = [ar.num(pi) for pi in p]
            u = ar.num(Fraction(1, len(p)))
            log_r, log_p = [ar.log(v) for v in r], [ar.log(v) for v in pb]
        except (Undecided, ZeroDivisionError, ValueError, ArithmeticError):
            continue
        power_dets = _pair_dets(log_r, log_p)
        affine_dets = _pair_dets([v - u for v in r], [v - u for v in pb])
        why: list[str] = []
        for pc in pieces:
            tests = []
            if pc["c"] is not None:
                tests.append(("power type, F_psi(p) ∝ p^c", power_dets))
            if pc["affine"] is not None:
                tests.append(("affine, F_psi(p) = λp + (1 − λ)/V", affine_dets))
            hit = next(((name, d) for name, dets in tests for d in dets if not d.contains(0)), None)
            if hit is None:
                break
            why.append(f"piece {pc['label']} ({hit[0]}): determinant = {hit[1].str(8, radius=False)} ≠ 0")
        else:
            p_text = ", ".join(map(str, p))
            rs = ", ".join(v.str(12, radius=False) for v in r)
            body = (f"p = {list_code(p)}; q = evaluate_mp(op, p, {fraction_code(t_)}, dps=60); "
                    f"r = evaluate_mp(op, [Q(mpmath.nstr(v, 60)) for v in q], {fraction_code(s_)}, dps=50); "
                    "L = [mpmath.log(v) for v in r]; lp = [mpmath.log(mpmath.mpf(v.numerator) / v.denominator) for v in p]; "
                    "print([float(v) for v in r], "
                    "(L[0] - L[1]) * (lp[1] - lp[2]) - (L[1] - L[2]) * (lp[0] - lp[1]), "
                    "(r[0] - r[1]) * (p[1] - p[2]) - (r[1] - r[2]) * (p[0] - p[1]))")
            return {
                "statement": (f"F_{format_fraction(s_)}(F_{format_fraction(t_)}(p)) at p = ({p_text}) is r = ({rs}), which is "
                              f"F_psi(p) for no psi > 0: " + "; ".join(why)),
                "reproduce": snippet(op, {}, body, extra_imports="import mpmath"),
                "certified_by": "arb",
                "p": p_text, "S": format_fraction(s_), "T": format_fraction(t_),
                "r": [{"ball": v.str(20, radius=True), "decimal": v.str(12, radius=False)} for v in r],
            }
    return None


def _positive_on_quadrant(e: sp.Expr) -> bool:
    from ..signs import sign_of

    return sign_of(e) == "pos"


def derive(ctx: Context) -> list[Claim]:
    op = ctx.op
    rv, sg = REFERENCE_VALUES.key, SEMIGROUP.key
    claims: list[Claim] = []
    wd = ctx.axiom_claim(f"{rv}.well_defined", rv, "well_defined", REFERENCE_VALUES.hypothesis("well_defined").statement)
    claims.append(wd)
    consts: list[DerivedConstant] = []
    if not op.params:
        expr = (op.score / Z_T) if op.kind == "separable" else Z_T
        try:
            vals = _values(op)
        except Exception as exc:  # noqa: BLE001 - an operator that cannot be evaluated exactly: say so
            vals = ()
            ctx.note(f"{op.name}: reference values not computed ({exc})")
        consts.append(DerivedConstant("F_i", expr, "exact",
                                      "F_T(p)_i = g(p_i)/Z_T(p); values at the reference teacher (50 digits)" if op.kind == "separable"
                                      else "values of the exact algorithm at the reference teacher (50 digits)", values=vals))
    claims.append(Claim(f"{rv}.conclusion", rv, "conclusion", "pending", REFERENCE_VALUES.conclusion, method="evaluate_mp, 50 digits",
                        depends_on=(wd.id,), constants=tuple(consts)))

    wd2 = ctx.axiom_claim(f"{sg}.well_defined", sg, "well_defined", SEMIGROUP.hypothesis("well_defined").statement)
    claims.append(wd2)
    stmt = SEMIGROUP.hypothesis("one_family").statement
    law: Claim | None = None
    if op.kind != "separable" or op.params:
        why = "vector operators have no symbolic score" if op.kind != "separable" else "operators with free parameters: fix them first"
        fam = Claim(f"{sg}.one_family", sg, "hypothesis", "unknown", stmt, method="none", reason=why, reason_kind="unsupported")
        consts2: tuple[DerivedConstant, ...] = ()
    else:
        res = budgeted(composition_temperature, op.score, seconds=ctx.timeout, what="composition law")
        if not res.ok:
            fam = Claim(f"{sg}.one_family", sg, "hypothesis", "unknown", stmt, method="sympy", reason=res.reason,
                        reason_kind=res.reason_kind)
            consts2 = ()
        elif "reason" in res.value:
            ce = budgeted(closure_counterexample, op, seconds=ctx.timeout, what="counterexample search for the composition law")
            if ce.ok and ce.value is not None:
                # the theorem gives one_family ⇒ the law; the law fails at a certified point, so one_family fails
                fam = Claim(f"{sg}.one_family", sg, "hypothesis", "refuted", stmt,
                            method="contrapositive of theorem semigroup + Arb (the law fails, so its hypothesis does)",
                            counterexample=ce.value)
                law = Claim(f"{sg}.law", sg, "hypothesis", "refuted",
                            r"(the law itself, not a hypothesis of this theorem) for all $S, T > 0$ there is $\psi > 0$ with "
                            r"$F_S \circ F_T = F_\psi$",
                            method="Arb: every T-piece's family (power type or affine) excludes F_S(F_T(p))",
                            counterexample=ce.value)
            else:
                fam = Claim(f"{sg}.one_family", sg, "hypothesis", "unknown", stmt, method="sympy", reason=res.value["reason"] + (
                    "; no certified counterexample to the law among the candidates" if ce.ok else f"; {ce.reason}"),
                            reason_kind="undecided")
            consts2 = ()
        else:
            fam = Claim(f"{sg}.one_family", sg, "hypothesis", "proved", stmt, method="sympy solve + simplify",
                        certificate=tuple(res.value["steps"]))
            psi = res.value["psi"]
            consts2 = (DerivedConstant("psi", psi, "exact", "F_S ∘ F_T = F_psi(S,T): the temperature of two stages",
                                       values=_psi_values(psi)),)
    claims.append(fam)
    if law is not None:
        claims.append(law)
    claims.append(Claim(f"{sg}.conclusion", sg, "conclusion", "pending", SEMIGROUP.conclusion, method="theorem semigroup",
                        depends_on=(wd2.id, fam.id), constants=consts2))
    return claims


def _psi_values(psi: sp.Expr) -> tuple[tuple[dict[str, str], str], ...]:
    out = []
    for s_, t_ in ((2, 3), (Fraction(1, 2), 3), (3, Fraction(1, 2))):
        v = sp.nsimplify(psi.subs({S: sp.Rational(str(s_)), T: sp.Rational(str(t_))}))
        out.append(({"S": str(s_), "T": str(t_)}, str(v)))
    return tuple(out)
