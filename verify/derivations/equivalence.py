"""Equivalence classes of operators (``docs/theory/equivalence.md``): find ``φ``, refute, partition.

* :func:`find_reparametrisation` decides ``F ~ G`` (``F_T = G_{φ(T)}``, ``φ`` an increasing
  bijection of ``(0, ∞)``): it *constructs* ``φ`` from an orbit description of both scores and
  then *verifies* it independently (ratio identity per T-piece, positivity, ``φ' > 0``,
  continuity, limits ``0`` and ``∞``); or it refutes with a point ``F_{T0}(p)`` that Arb balls
  certify to lie off every curve that contains ``G``'s orbit of ``p`` (or the reverse);
  otherwise ``unknown`` with a reason.
* :func:`projection_example` pins the worked example of theory-notes §6 item 14 exactly.
* :func:`partition` groups operators under each notion (used by ``skd derive --classes``).

>>> from skd.operators import library
>>> r = find_reparametrisation(library.power, library.power_T2)
>>> r.status, r.phi
('proved', sqrt(T))
>>> find_reparametrisation(library.power, library.mixture).status
'refuted'
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from skd.operators import Operator
from skd.operators.arith import ArbArith, Undecided
from skd.operators.evaluate import evaluate_in
from skd.operators.symbols import T, V, x
from skd.theory.equivalence import (
    EXAMPLE_P,
    FIXED_DATA,
    ORDINAL_EQUIVALENCE,
    PROJECTION_EQUIVALENCE_KL,
    PROJECTION_EQUIVALENCE_L2,
    REPARAM_EQUIVALENCE,
)

from ..regions import Piece, Unsupported, normalize, t_pieces
from .claims import Claim, Context, DerivedConstant, budgeted, constant_text

__all__ = [
    "REFUTATION_P",
    "REFUTATION_T",
    "OrbitPiece",
    "ReparamResult",
    "derive",
    "find_reparametrisation",
    "orbit_pieces",
    "partition",
    "projection_example",
    "student_set",
]

#: The teacher used by refutations (V = 3, pairwise distinct entries, not uniform).
REFUTATION_P: tuple[Fraction, ...] = (Fraction(7, 10), Fraction(1, 5), Fraction(1, 10))
#: Temperatures tried, in order, for a refuting point.
REFUTATION_T: tuple[Fraction, ...] = (Fraction(2), Fraction(1, 2), Fraction(3), Fraction(1, 3), Fraction(1), Fraction(10),
                                      Fraction(1, 10))

_Y = sp.Symbol("y", positive=True)
_TS = sp.Symbol("t", positive=True)
_U = sp.Symbol("u", positive=True)
_VV = sp.Symbol("v", positive=True)
_KINDS = ("identity", "power", "mixture")


# -- orbit description --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class OrbitPiece:
    """One T-piece of a separable score and the family of maps it traces.

    ``kind`` is ``identity`` (``F_T = id``), ``power`` (``F_T(p) ∝ p^a``, ``coord = a(T)``),
    ``mixture`` (``F_T(p) = λp + (1 − λ)u``, ``coord = λ(T)``) or ``None`` (not recognised).
    """

    piece: Piece
    kind: str | None
    coord: sp.Expr | None
    expr: sp.Expr | None  # score on the piece (T substituted on a point piece)

    @property
    def label(self) -> str:
        return self.piece.label


def _classify(e: sp.Expr) -> tuple[str | None, sp.Expr | None]:
    if e is None or e.has(sp.Piecewise):
        return None, None
    c = sp.simplify(x * sp.diff(e, x) / e)
    if x not in c.free_symbols:
        return ("identity", sp.Integer(1)) if sp.simplify(c - 1) == 0 else ("power", c)
    if sp.simplify(sp.diff(e, x, 2)) == 0:
        alpha = sp.simplify(sp.diff(e, x))
        beta = sp.simplify(e - alpha * x)
        lam = sp.simplify(alpha / (alpha + V * beta))
        if x in lam.free_symbols:
            return None, None
        return ("identity", sp.Integer(1)) if sp.simplify(lam - 1) == 0 else ("mixture", lam)
    return None, None


def orbit_pieces(op: Operator) -> list[OrbitPiece]:
    """The T-pieces of a separable score, each classified (SymPy; run it under a budget).

    >>> from skd.operators import library
    >>> [(o.label, o.kind, o.coord) for o in orbit_pieces(library.mixture)]
    [('T in (0, 1)', 'identity', 1), ('T = 1', 'identity', 1), ('T in (1, oo)', 'mixture', 1/T)]
    """
    out = []
    for pc in t_pieces(op.score):
        e = pc.expr
        if e is not None and pc.point:
            e = sp.simplify(normalize(e).subs(T, pc.lo))
        kind, coord = _classify(e) if e is not None else (None, None)
        out.append(OrbitPiece(pc, kind, coord, e))
    return out


_ORBIT_CACHE: dict[str, Any] = {}


def _orbit(op: Operator, timeout: float) -> tuple[list[OrbitPiece] | None, str | None, str | None]:
    """Cached, budgeted :func:`orbit_pieces`: (pieces, reason, reason_kind)."""
    if op.kind != "separable":
        return None, "vector operator: no symbolic score to describe its orbit", "unsupported"
    if op.params:
        return None, "operator with free parameters: fix them first (op.fix(...))", "unsupported"
    key = op.hash
    if key not in _ORBIT_CACHE:
        res = budgeted(orbit_pieces, op, seconds=timeout, what=f"orbit description of {op.name}")
        if res.ok:
            _ORBIT_CACHE[key] = (res.value, None, None)
        elif res.reason_kind == "undecided" and "Unsupported" in (res.reason or ""):
            _ORBIT_CACHE[key] = (None, res.reason, "unsupported")
        else:
            return None, res.reason, res.reason_kind  # budget hits are not cached
    pieces, reason, kind = _ORBIT_CACHE[key]
    if pieces is not None:
        bad = [o.label for o in pieces if o.kind is None]
        if bad:
            return None, (f"{op.name}: the score on {', '.join(bad)} is neither of power type (x d/dx log g free of x) "
                          "nor affine in x, so its orbit has no description here"), "unsupported"
    return pieces, reason, kind


# -- constructing and verifying phi ------------------------------------------------------------


class _NoPhi(Exception):
    pass


def _classified(o: OrbitPiece) -> tuple[sp.Expr, sp.Expr]:
    """``(coord, expr)`` of a classified piece (:func:`_orbit` hands out classified pieces only)."""
    if o.coord is None or o.expr is None:
        raise _NoPhi(f"{o.label} is not classified")
    return o.coord, o.expr


def _lo(pc: Piece) -> sp.Expr:
    return sp.Integer(0) if pc.lo is None else pc.lo


def _hi(pc: Piece) -> sp.Expr:
    return sp.oo if pc.hi is None else pc.hi


def _construct(dF: list[OrbitPiece], dG: list[OrbitPiece]) -> list[tuple[int, int, sp.Expr]]:
    """A candidate φ per open piece of F: (index in dF, index in dG, φ on that piece)."""
    opens_G = [(k, o) for k, o in enumerate(dG) if not o.piece.point]
    cur: sp.Expr = sp.Integer(0)
    out = []
    for j, J in enumerate(dF):
        if J.piece.point:
            continue
        found = None
        if J.kind == "identity":
            for k, K in opens_G:
                if K.kind == "identity" and sp.simplify(_lo(K.piece) - cur) == 0:
                    a, b, a2, b2 = _lo(J.piece), _hi(J.piece), _lo(K.piece), _hi(K.piece)
                    if b is not sp.oo and b2 is not sp.oo:
                        found = (k, sp.simplify(a2 + (T - a) * (b2 - a2) / (b - a)))
                    elif b is sp.oo and b2 is sp.oo:
                        found = (k, T - a + a2)
                    break
        else:
            ts = J.piece.sample()
            for k, K in opens_G:
                if K.kind != J.kind:
                    continue
                for sol in sp.solve(sp.Eq(_classified(K)[0].subs(T, _TS), _classified(J)[0]), _TS):
                    val = sol.subs({T: ts, V: 3})
                    if not (val.is_real and val.is_positive):
                        continue
                    if not (bool(val > _lo(K.piece)) and (K.piece.hi is None or bool(val < K.piece.hi))):
                        continue
                    start = sp.limit(sol, T, _lo(J.piece), "+")
                    if sp.simplify(start - cur) != 0:
                        continue
                    found = (k, sp.simplify(sol))
                    break
                if found:
                    break
        if found is None:
            raise _NoPhi(f"no piece of G matches F on {J.label} ({J.kind}, coordinate {J.coord}) starting at t = {cur}")
        out.append((j, found[0], found[1]))
        cur = sp.limit(found[1], T, _hi(J.piece), "-")
    return out


def _positive_on(e: sp.Expr, piece: Piece) -> bool:
    from ..signs import sign_of

    sub = {x: 1 / (1 + _U), V: 2 + _VV}
    if not piece.point:
        sub[T] = piece.substitution(_TS)
    try:
        return sign_of(sp.simplify(e.subs(sub))) == "pos"
    except ValueError:
        return False


def _score_at(op_score: sp.Expr, t_value: sp.Expr) -> sp.Expr:
    return sp.simplify(sp.piecewise_fold(normalize(op_score).subs(T, t_value)))


def _verify(dF: list[OrbitPiece], dG: list[OrbitPiece], plan: list[tuple[int, int, sp.Expr]],
            g_score: sp.Expr) -> tuple[sp.Expr, list[str]]:
    """Check the candidate φ; return (φ as a Piecewise, certificate steps) or raise _NoPhi."""
    from ..signs import sign_of

    steps: list[str] = []
    prev: sp.Expr = sp.Integer(0)
    branches = []
    for j, k, phi in plan:
        J, K = dF[j], dG[k]
        sub = J.piece.substitution(_TS)
        dphi = sp.simplify(sp.diff(phi, T).subs(T, sub).subs(V, 2 + _VV))
        if sign_of(dphi) != "pos":
            raise _NoPhi(f"phi' = {sp.diff(phi, T)} is not proved positive on {J.label}")
        lo_img = sp.limit(phi, T, _lo(J.piece), "+")
        hi_img = sp.limit(phi, T, _hi(J.piece), "-")
        if sp.simplify(lo_img - prev) != 0 if prev is not sp.oo else lo_img is not sp.oo:
            raise _NoPhi(f"phi jumps at T = {_lo(J.piece)}: {prev} then {lo_img}")
        if not (bool(sp.Ge(lo_img, _lo(K.piece))) and (hi_img == _hi(K.piece) or bool(sp.Le(hi_img, _hi(K.piece))))):
            raise _NoPhi(f"phi maps {J.label} onto ({lo_img}, {hi_img}), not inside G's piece {K.label}")
        eF, eG = _classified(J)[1], _classified(K)[1].subs(T, phi)
        if not (_positive_on(eF, J.piece) and _positive_on(eG, J.piece)):
            raise _NoPhi(f"scores not proved positive on {J.label}")
        d = sp.simplify((eF * eG.subs(x, _Y) - eF.subs(x, _Y) * eG).subs(T, sub))
        if d != 0:
            raise _NoPhi(f"g_F(x,T) g_G(y,phi) - g_F(y,T) g_G(x,phi) simplifies to {d}, not 0, on {J.label}")
        steps.append(f"{J.label}: phi(T) = {sp.sstr(phi)}, phi' = {sp.sstr(sp.simplify(sp.diff(phi, T)))} > 0, "
                     f"phi maps it onto ({lo_img}, {hi_img}) inside G's piece {K.label}; "
                     f"g_F(x,T) g_G(y,phi(T)) - g_F(y,T) g_G(x,phi(T)) simplifies to 0 and both scores are > 0 "
                     f"({J.kind} {sp.sstr(J.coord)} = {K.kind} coordinate at phi(T))")
        prev = hi_img
        if J.piece.hi is not None:
            b = J.piece.hi
            if sp.simplify(phi.subs(T, b) - hi_img) != 0:
                raise _NoPhi(f"phi({b}) = {phi.subs(T, b)} differs from its left limit {hi_img}")
            point = next(o for o in dF if o.piece.point and o.piece.lo == b)
            eG_b = _score_at(g_score, hi_img)
            if point.expr is None or not _positive_on(point.expr, point.piece) or not _positive_on(eG_b, point.piece):
                raise _NoPhi(f"scores at T = {b} not proved positive")
            d = sp.simplify(point.expr * eG_b.subs(x, _Y) - point.expr.subs(x, _Y) * eG_b)
            if d != 0:
                raise _NoPhi(f"F_{b} != G_{hi_img}: the ratio identity gives {d}")
            steps.append(f"T = {b}: phi({b}) = {hi_img} (continuous from the left); F_{b} = G_{hi_img} "
                         "(ratio identity simplifies to 0)")
            branches.append((phi, sp.Le(T, b)))
        else:
            branches.append((phi, sp.true))
    if prev is not sp.oo:
        raise _NoPhi(f"phi(T) -> {prev} as T -> oo, not oo: not onto (0, oo)")
    steps.append("phi is continuous, strictly increasing on (0, oo), with phi(0+) = 0 and phi(oo) = oo, hence an "
                 "increasing bijection of (0, oo); on the open simplex F_T(p)_i = g_F(p_i)/sum g_F = g_G(p_i)/sum g_G "
                 "= G_phi(T)(p)_i (docs/theory/equivalence.md#reparametrisation-equivalence)")
    phi_expr = branches[0][0] if len(branches) == 1 else sp.Piecewise(*branches)
    return phi_expr, steps


def _prove_job(dF: list[OrbitPiece], dG: list[OrbitPiece], g_score: sp.Expr) -> tuple[Any, Any]:
    try:
        plan = _construct(dF, dG)
        return _verify(dF, dG, plan, g_score)
    except _NoPhi as exc:
        return None, str(exc)


# -- refutation ----------------------------------------------------------------------------------


def _ball(a: Any) -> dict[str, str]:
    return {"ball": a.str(20, radius=True), "decimal": a.mid().str(20, radius=False)}


def _off_curve(kind: str, q: list[Any], p: Sequence[Fraction], ar: ArbArith) -> tuple[str, Any] | None:
    """A certified reason why ``q`` is off the ``kind`` curve through ``p`` (V = 3), or None."""
    pa = [ar.num(v) for v in p]
    third = ar.num(Fraction(1, 3))
    if kind == "identity":
        for i, (qi, pi) in enumerate(zip(q, pa, strict=True)):
            d = qi - pi
            if d > 0 or d < 0:
                return f"q_{i} - p_{i} != 0 (identity: orbit point is p)", d
        return None
    if kind == "power":
        for i, qi in enumerate(q):
            if qi.is_zero():
                return f"q_{i} = 0 exactly, while every point p^a/sum p^a (a real) of the power curve is > 0", qi
        try:
            d = ((q[1] / q[0]).log() * (pa[2] / pa[0]).log() - (q[2] / q[0]).log() * (pa[1] / pa[0]).log())
        except Exception:  # noqa: BLE001 - a ball containing 0 is no certificate
            return None
        if not all(qi > 0 for qi in q):
            return None
        if d > 0 or d < 0:
            return ("D_pow = log(q1/q0) log(p2/p0) - log(q2/q0) log(p1/p0) != 0, while D_pow = 0 on the power curve "
                    "{p^a/sum p^a : a real}"), d
        return None
    if kind == "mixture":
        d = (q[0] - third) * (pa[1] - third) - (q[1] - third) * (pa[0] - third)
        if d > 0 or d < 0:
            return ("D_mix = (q0 - 1/3)(p1 - 1/3) - (q1 - 1/3)(p0 - 1/3) != 0, while D_mix = 0 on the line "
                    "{lam p + (1 - lam) u : lam real}"), d
        return None
    raise ValueError(kind)


def _refute(A: Operator, B: Operator, dA: list[OrbitPiece] | None, dB: list[OrbitPiece]) -> dict[str, Any] | None:
    """A certified point of A's orbit off every curve containing B's orbit (B classified)."""
    kinds_B = sorted({o.kind for o in dB if o.kind is not None})  # identity pieces lie on every curve; keep them for B = id
    curves = [k for k in kinds_B if k != "identity"] or ["identity"]
    temps: list[Fraction] = []
    if dA is not None:
        for o in dA:
            if o.kind not in kinds_B and not o.piece.point:
                for t in REFUTATION_T:
                    tv = sp.Rational(t.numerator, t.denominator)
                    if bool(tv > _lo(o.piece)) and (o.piece.hi is None or bool(tv < o.piece.hi)):
                        temps.append(t)
        if not temps:
            return None
    temps += [t for t in REFUTATION_T if t not in temps]
    ar = ArbArith(200)
    p = REFUTATION_P
    for t0 in temps:
        try:
            q = evaluate_in(A, list(p), t0, ar)
        except (Undecided, ArithmeticError, ValueError):
            continue
        reasons = []
        for kind in curves:
            r = _off_curve(kind, q, p, ar)
            if r is None:
                break
            reasons.append((kind, r))
        else:
            ptxt = ", ".join(str(v) for v in p)
            return {
                "statement": (f"{A.name}_T(p) at T = {t0}, p = ({ptxt}) lies off the orbit {{{B.name}_t(p) : t > 0}}, "
                              f"which is contained in the {' and '.join(curves)} curve(s) through p: "
                              + "; ".join(f"{k}: {r[0]}" for k, r in reasons)),
                "reproduce": (f"from fractions import Fraction as Q; from skd.operators import library, evaluate_mp; "
                              f"print(evaluate_mp(library.get('{A.name}'), [Q({p[0].numerator},{p[0].denominator}), "
                              f"Q({p[1].numerator},{p[1].denominator}), Q({p[2].numerator},{p[2].denominator})], "
                              f"Q({t0.numerator},{t0.denominator})))"),
                "certified_by": "arb",
                "p": [str(v) for v in p],
                "T": str(t0),
                "operator": A.name,
                "orbit_of": B.name,
                "curves": curves,
                "q": [_ball(v) for v in q],
                "enclosures": {k: _ball(r[1]) for k, r in reasons},
            }
    return None


# -- the finder ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ReparamResult:
    """Outcome of :func:`find_reparametrisation` for ``F_T = G_{φ(T)}``.

    ``proved``: ``phi`` (SymPy, parseable by the safe parser) and ``certificate`` steps;
    ``refuted``: ``counterexample`` (``statement``, ``reproduce``, ``certified_by``, ``p``, ``T``,
    ``q``, ``enclosures``); ``unknown``: ``reason`` and ``reason_kind``.
    """

    F: str
    G: str
    status: str
    phi: sp.Expr | None = None
    certificate: tuple[str, ...] = ()
    counterexample: Mapping[str, Any] | None = None
    reason: str | None = None
    reason_kind: str | None = None

    def evidence(self) -> dict[str, Any]:
        """JSON-ready summary (used by :func:`partition`)."""
        out: dict[str, Any] = {"status": self.status}
        if self.phi is not None:
            out["phi"] = constant_text(self.phi)
            out["certificate"] = list(self.certificate)
        if self.counterexample is not None:
            out["counterexample"] = dict(self.counterexample)
        if self.reason:
            out["reason"], out["reason_kind"] = self.reason, self.reason_kind
        return out


_PAIR_CACHE: dict[tuple[str, str, str, str], ReparamResult] = {}


def find_reparametrisation(F: Operator, G: Operator, timeout: float = 20.0) -> ReparamResult:
    """Find ``φ`` with ``F_T = G_{φ(T)}`` (proved), refute it (certified point off ``G``'s orbit, or
    ``G``'s point off ``F``'s), or say why neither was possible (cached per pair).

    >>> from skd.operators import library
    >>> find_reparametrisation(library.laplace, library.mixture).phi
    Piecewise((T, T <= 1), ((T - 1)**2 + 1, True))
    """
    key = (F.name, F.hash, G.name, G.hash)
    if key in _PAIR_CACHE:
        return _PAIR_CACHE[key]
    res = _find(F, G, timeout)
    if res.status != "unknown" or res.reason_kind != "budget":
        _PAIR_CACHE[key] = res
    return res


def _find(F: Operator, G: Operator, timeout: float) -> ReparamResult:
    if F.hash == G.hash:
        return ReparamResult(F.name, G.name, "proved", T, ("identical definitions: F_T = G_T, phi = identity",))
    dF, rF, kF = _orbit(F, timeout)
    dG, rG, kG = _orbit(G, timeout)
    reasons = []
    if dF is not None and dG is not None:
        job = budgeted(_prove_job, dF, dG, G.score, seconds=timeout, what=f"phi for {F.name} ~ {G.name}")
        if job.ok and job.value[0] is not None:
            return ReparamResult(F.name, G.name, "proved", job.value[0], tuple(job.value[1]))
        reasons.append(f"no phi: {job.value[1] if job.ok else job.reason}")
        kind_budget = not job.ok and job.reason_kind == "budget"
    else:
        kind_budget = False
    for A, B, dA, dB in ((F, G, dF, dG), (G, F, dG, dF)):
        if dB is None:
            continue
        ce = _refute(A, B, dA, dB)
        if ce is not None:
            if A is G:
                ce = {**ce, "statement": ce["statement"] + f" (so G = {G.name} is not F = {F.name} reparametrised, and "
                      "by symmetry of the relation neither is F)"}
            return ReparamResult(F.name, G.name, "refuted", counterexample=ce)
    for d, r, op in ((dF, rF, F), (dG, rG, G)):
        if d is None:
            reasons.append(f"{op.name}: {r}")
    if dF is not None and dG is not None:
        reasons.append("no orbit point was certified off the other orbit (both orbits lie on the same curves)")
    elif dF is None and dG is None:
        reasons.append("neither orbit has a symbolic description, so no point can be certified off an orbit")
    kinds = {kF, kG} - {None}
    rk = ("budget" if kind_budget or "budget" in kinds
          else "unsupported" if "unsupported" in kinds and (dF is None and dG is None) else "undecided")
    return ReparamResult(F.name, G.name, "unknown", reason="; ".join(reasons), reason_kind=rk)


# -- projection: the worked example -------------------------------------------------------------


def projection_example() -> dict[str, Any]:
    """The exact worked example of theory-notes §6 item 14 (V = 3, φ(y) = 1[y = 0], p = (7/10, 1/5, 1/10)).

    >>> ex = projection_example()
    >>> round(float(ex["lambda"]), 6)
    0.516944
    >>> [round(float(v), 6) for v in ex["student"]]
    [0.522879, 0.23856, 0.23856]
    """
    p = EXAMPLE_P
    root = [sp.sqrt(v) for v in p]
    z = sum(root)
    power2 = [sp.simplify(r / z) for r in root]
    third = sp.Rational(1, 3)
    lam = sp.simplify((power2[0] - third) / (p[0] - third))
    mix = [lam * v + (1 - lam) * third for v in p]
    student = [power2[0], (1 - power2[0]) / 2, (1 - power2[0]) / 2]
    student_mix = [mix[0], (1 - mix[0]) / 2, (1 - mix[0]) / 2]
    return {"p": p, "power_T2": power2, "lambda": lam, "mixture": mix, "student": student, "student_mixture": student_mix}


def _projection_claims(ctx: Context) -> list[Claim]:
    ex = projection_example()
    ar = ArbArith(200)
    thm_kl, thm_l2 = PROJECTION_EQUIVALENCE_KL.key, PROJECTION_EQUIVALENCE_L2.key
    diff = [sp.simplify(a - b) for a, b in zip(ex["student"], ex["student_mixture"], strict=True)]
    eq_steps = (f"power_2(p)_0 = sqrt(7)/(1 + sqrt(2) + sqrt(7)) = {sp.N(ex['power_T2'][0], 12)}",
                f"lambda = (power_2(p)_0 - 1/3)/(p_0 - 1/3) = {constant_text(ex['lambda'])} = {sp.N(ex['lambda'], 12)}",
                ("mixture_lambda(p)_0 = lambda p_0 + (1 - lambda)/3 = power_2(p)_0 by the choice of lambda "
                f"(exact difference of the students: {[constant_text(d) for d in diff]})"))
    ok = all(d == 0 for d in diff)
    # the two targets differ: second coordinates, certified by disjoint Arb balls
    lam_b = (ar.num(7).sqrt() / (1 + ar.num(2).sqrt() + ar.num(7).sqrt())) * ar.num(Fraction(30, 11)) - ar.num(Fraction(10, 11))
    pow1 = ar.num(2).sqrt() / (1 + ar.num(2).sqrt() + ar.num(7).sqrt())
    mix1 = lam_b * ar.num(Fraction(1, 5)) + (1 - lam_b) * ar.num(Fraction(1, 3))
    differ = bool(pow1 > mix1)
    differ_steps = (f"power_2(p)_1 = sqrt(2)/(1 + sqrt(2) + sqrt(7)) in {pow1.str(20, radius=True)}",
                    f"mixture_lambda(p)_1 in {mix1.str(20, radius=True)} (disjoint Arb balls: the targets differ)")
    mm_steps = (("the forward-KL objective theta -> KL(q || g_theta) = -q_0 theta + log(e^theta + 2) + const is strictly "
                "convex (its second derivative is Var_{g_theta}(1[y=0]) > 0) and tends to +oo at both ends when "
                "0 < q_0 < 1, so the minimiser exists, is unique, and solves g_theta(0) = q_0 (moment matching)"),)
    claims = []
    for thm in (thm_kl, thm_l2):
        hyps = []
        if thm == thm_kl:
            hyps.append(Claim(f"{thm}.minimiser_unique", thm, "hypothesis", "proved",
                              PROJECTION_EQUIVALENCE_KL.hypothesis("minimiser_unique").statement, method="exact",
                              certificate=mm_steps))
        st = "proved" if ok else "unknown"
        hyps.append(Claim(f"{thm}.student_equal", thm, "hypothesis", st,
                          (PROJECTION_EQUIVALENCE_KL if thm == thm_kl else PROJECTION_EQUIVALENCE_L2).hypothesis("student_equal").statement,
                          method="exact (sympy)", certificate=eq_steps + (
                              ("the difference of the targets is (0, d, -d), orthogonal to (1,0,0) and (0,1,1)",) if thm == thm_l2 else ()),
                          reason=None if ok else "student difference did not simplify to 0",
                          reason_kind=None if ok else "undecided"))
        hyps.append(Claim(f"{thm}.targets_differ", thm, "hypothesis", "proved" if differ else "unknown",
                          "power_2(p) != mixture_lambda(p)", method="arb", certificate=differ_steps,
                          reason=None if differ else "balls overlap", reason_kind=None if differ else "undecided"))
        consts = (
            DerivedConstant("lambda", ex["lambda"], "exact", "mixture weight giving the same student as power at T = 2",
                            values=(({"p": "7/10,1/5,1/10"}, str(sp.N(ex["lambda"], 15))),)),
            DerivedConstant("student_0", ex["student"][0], "exact", "first coordinate of the common student",
                            values=(({"p": "7/10,1/5,1/10"}, str(sp.N(ex["student"][0], 15))),)),
        )
        claims.extend(hyps)
        claims.append(Claim(f"{thm}.conclusion", thm, "conclusion", "pending",
                            (PROJECTION_EQUIVALENCE_KL if thm == thm_kl else PROJECTION_EQUIVALENCE_L2).conclusion,
                            method=f"theorem {thm} (operator-independent worked example)", scope="fixed data: " +
                            FIXED_DATA["projection_kl" if thm == thm_kl else "projection_l2"],
                            depends_on=tuple(h.id for h in hyps), constants=consts))
    return claims


# -- projection: student sets at the fixed data -------------------------------------------------


def _student_set_job(d: list[OrbitPiece]) -> sp.Set:
    from ..signs import sign_of

    p = EXAMPLE_P
    a = sp.Symbol("a", positive=True)
    f_pow = p[0] ** a / sum(v ** a for v in p)
    out: sp.Set = sp.EmptySet
    for o in d:
        if o.kind == "identity":
            out = out | sp.FiniteSet(p[0])
            continue
        if o.piece.point:
            c = o.coord
            val = f_pow.subs(a, c) if o.kind == "power" else sp.Rational(1, 3) + c * (p[0] - sp.Rational(1, 3))
            out = out | sp.FiniteSet(sp.nsimplify(val) if val.is_Rational else val)
            continue
        sub = o.piece.substitution(_TS)
        dc = sp.simplify(sp.diff(o.coord, T).subs(T, sub).subs(V, 2 + _VV))
        s = sign_of(dc)
        if s not in ("pos", "neg"):
            raise Unsupported(f"coordinate {o.coord} not proved monotone on {o.label}")
        c_lo = sp.limit(o.coord, T, _lo(o.piece), "+")
        c_hi = sp.limit(o.coord, T, _hi(o.piece), "-")
        if c_lo.free_symbols or c_hi.free_symbols:
            raise Unsupported(f"coordinate limits depend on V on {o.label}")
        ends = sorted([c_lo, c_hi], key=lambda e: float(e) if e is not sp.oo else float("inf"))
        if o.kind == "power":
            # q0 = f_pow(a) is strictly increasing in a (p_0 is the unique maximum); f(0)=1/3, f(oo)=1
            if ends[0] < 0:
                raise Unsupported("negative power exponent")
            vals = [sp.Integer(1) if e is sp.oo else sp.nsimplify(f_pow.subs(a, e)) for e in ends]
        else:
            vals = [sp.Rational(1, 3) + e * (p[0] - sp.Rational(1, 3)) for e in ends]
            if any(v is sp.oo or v > 1 or v < 0 for v in vals):
                raise Unsupported("mixture weight outside [0, 1]")
        out = out | sp.Interval.open(vals[0], vals[1])
    return out


def student_set(op: Operator, timeout: float = 20.0) -> tuple[sp.Set | None, str | None]:
    """``{F_T(p)_0 : T > 0}`` at the projection fixed data (the student is ``(a, (1-a)/2, (1-a)/2)``).

    >>> student_set(__import__("skd.operators", fromlist=["library"]).library.mixture)[0]
    Interval.Lopen(1/3, 7/10)
    """
    d, r, _ = _orbit(op, timeout)
    if d is None:
        return None, r
    res = budgeted(_student_set_job, d, seconds=timeout, what=f"student set of {op.name}")
    return (res.value, None) if res.ok else (None, res.reason)


def _student_witness(A: Operator, sa: sp.Set, B: Operator, sb: sp.Set) -> dict[str, Any] | None:
    """A temperature at which one operator's student lies (Arb-certified) outside the other's set."""
    ar = ArbArith(200)
    p = EXAMPLE_P
    pf = [Fraction(int(v.p), int(v.q)) for v in p]
    for X, sx, Y, sy in ((A, sa, B, sb), (B, sb, A, sa)):
        diff = sp.Complement(sx, sy)
        if not isinstance(diff, sp.Interval) or not (diff.inf.is_Rational and diff.sup.is_Rational):
            continue
        lo = ar.num(Fraction(int(diff.inf.p), int(diff.inf.q)))
        hi = ar.num(Fraction(int(diff.sup.p), int(diff.sup.q)))
        for t0 in REFUTATION_T + (Fraction(1, 4), Fraction(4)):
            try:
                q = evaluate_in(X, pf, t0, ar)
            except (Undecided, ArithmeticError, ValueError):
                continue
            if q[0] > lo and q[0] < hi:
                return {
                    "statement": (f"at T = {t0} the student of {X.name} has first coordinate q_0 in "
                                  f"{q[0].str(15, radius=True)}, inside ({diff.inf}, {diff.sup}), which {Y.name} "
                                  f"reaches at no T (its set of q_0 is {sy})"),
                    "reproduce": (f"from fractions import Fraction as Q; from skd.operators import library, evaluate_mp; "
                                  f"print(evaluate_mp(library.get('{X.name}'), [Q(7,10), Q(1,5), Q(1,10)], "
                                  f"Q({t0.numerator},{t0.denominator}))[0])"),
                    "certified_by": "arb", "p": [str(v) for v in p], "T": str(t0), "operator": X.name,
                    "enclosures": {"q0": _ball(q[0])},
                }
    return None


# -- partition -----------------------------------------------------------------------------------


def _classes(names: list[str], rel: Mapping[tuple[str, str], str]) -> tuple[list[list[str]], list[list[str]]]:
    """Groups of names joined by ``proved`` pairs; pairs neither proved nor refuted across groups."""
    parent = {n: n for n in names}

    def root(n: str) -> str:
        while parent[n] != n:
            n = parent[n]
        return n

    for (a, b), st in rel.items():
        if st == "proved":
            parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for n in names:
        groups.setdefault(root(n), []).append(n)
    classes = list(groups.values())
    undecided = []
    for ca, cb in itertools.combinations(classes, 2):
        if not any(rel.get((a, b)) == "refuted" or rel.get((b, a)) == "refuted" for a in ca for b in cb):
            undecided.append([ca[0], cb[0]])
    return classes, undecided


def partition(ops: Sequence[Operator], timeout: float = 20.0, reports: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Partition ``ops`` under each notion of equivalence.

    Returns ``{notion: {"fixed_data": str, "classes": [[name, ...], ...], "undecided_pairs":
    [[a, b], ...], "evidence": {"a~b": {...}}}}`` for the notions ``reparametrisation``,
    ``projection_kl``, ``projection_l2`` and ``ordinal``. ``classes`` are groups *proved* equal
    (joined by proved pairs); two classes are separated by a certified refutation unless they
    appear together in ``undecided_pairs`` (named by one member each), so an unknown pair is never
    silently merged or split. ``evidence`` holds per pair the status and its proof (``phi`` and
    certificate), counterexample, or reason; for ``projection_*`` also ``student_sets`` (per
    operator, ``{F_T(p)_0 : T > 0}`` at the fixed data, or the reason it is unknown); for
    ``ordinal`` ``ranking`` (per operator, the A1 verdict). ``reports`` maps names to existing
    ``skd check`` reports (else the ranking axiom is checked alone).

    >>> from skd.operators import library
    >>> out = partition([library.power, library.power_T2, library.mixture])
    >>> out["reparametrisation"]["classes"], out["reparametrisation"]["undecided_pairs"]
    ([['power', 'power_T2'], ['mixture']], [])
    """
    names = [op.name for op in ops]
    out: dict[str, Any] = {}
    # reparametrisation
    rel: dict[tuple[str, str], str] = {}
    ev: dict[str, Any] = {}
    for op_a, op_b in itertools.combinations(ops, 2):
        r = find_reparametrisation(op_a, op_b, timeout)
        rel[(op_a.name, op_b.name)] = r.status
        ev[f"{op_a.name}~{op_b.name}"] = r.evidence()
    classes, undecided = _classes(names, rel)
    out["reparametrisation"] = {"fixed_data": FIXED_DATA["reparametrisation"], "classes": classes,
                                "undecided_pairs": undecided, "evidence": ev}
    # projection (student sets at the fixed data; reparametrisation-equivalent operators share them)
    sets = {op.name: student_set(op, timeout) for op in ops}
    by_name = {op.name: op for op in ops}
    rel_p: dict[tuple[str, str], str] = {}
    ev_p: dict[str, Any] = {}
    for a, b in itertools.combinations(names, 2):
        sa, sb = sets[a][0], sets[b][0]
        if sa is not None and sb is not None:
            st = "proved" if sa == sb else "refuted"
            e: dict[str, Any] = {"status": st, "sets": [str(sa), str(sb)]}
            if st == "refuted":
                e["witness"] = _student_witness(by_name[a], sa, by_name[b], sb)
        elif rel.get((a, b)) == "proved":
            st, e = "proved", {"status": "proved", "via": "reparametrisation equivalence (same orbit, same students)"}
        else:
            st = "unknown"
            e = {"status": "unknown", "reason": "; ".join(r for r in (sets[a][1], sets[b][1]) if r), "reason_kind": "undecided"}
        rel_p[(a, b)] = st
        ev_p[f"{a}~{b}"] = e
    classes_p, undecided_p = _classes(names, rel_p)
    for notion in ("projection_kl", "projection_l2"):
        out[notion] = {"fixed_data": FIXED_DATA[notion], "classes": classes_p, "undecided_pairs": undecided_p,
                       "evidence": ev_p,
                       "student_sets": {n: (str(s) if s is not None else {"unknown": r}) for n, (s, r) in sets.items()}}
    # ordinal
    from ..checker import check_axiom

    verdicts = {}
    for op in ops:
        if reports is not None and op.name in reports:
            verdicts[op.name] = reports[op.name].verdict("ranking")
        else:
            verdicts[op.name] = check_axiom(op, "ranking", timeout=timeout)
    rel_o: dict[tuple[str, str], str] = {}
    ev_o: dict[str, Any] = {}
    for a, b in itertools.combinations(names, 2):
        sa, sb = verdicts[a].status, verdicts[b].status
        if sa == sb == "proved":
            st, e = "proved", {"status": "proved", "via": "both satisfy A1, so both give the teacher's full strict order"}
        elif {sa, sb} == {"proved", "refuted"}:
            bad = a if sa == "refuted" else b
            st = "refuted"
            e = {"status": "refuted", "via": f"A1 refuted for {bad}: at its counterexample the target drops a strict "
                 "preference of the teacher, which no A1 operator does at any T",
                 "counterexample": verdicts[bad].counterexample.to_json() if verdicts[bad].counterexample else None}
        else:
            st = "unknown"
            e = {"status": "unknown", "reason": ("both refute A1: which preferences each drops, over all T, is not "
                                                 "compared" if sa == sb == "refuted" else "an A1 verdict is unknown"),
                 "reason_kind": "undecided"}
        rel_o[(a, b)] = st
        ev_o[f"{a}~{b}"] = e
    classes_o, undecided_o = _classes(names, rel_o)
    out["ordinal"] = {"fixed_data": FIXED_DATA["ordinal"], "classes": classes_o, "undecided_pairs": undecided_o,
                      "evidence": ev_o, "ranking": {n: v.status for n, v in verdicts.items()}}
    return out


# -- derive ---------------------------------------------------------------------------------------


def derive(ctx: Context) -> list[Claim]:
    from skd.operators import library

    op = ctx.op
    claims: list[Claim] = []
    thm = REPARAM_EQUIVALENCE.key
    stmt = REPARAM_EQUIVALENCE.hypothesis("phi_exists").statement
    for other in library.ALL:
        if other.name == op.name and other.hash == op.hash:
            continue
        ctx.note(f"{op.name}: reparametrisation vs {other.name}")
        r = find_reparametrisation(op, other, ctx.timeout)
        hid = f"{thm}.{other.name}"
        s = stmt + f" (F = {op.name}, G = {other.name})"
        if r.status == "proved":
            h = Claim(hid, thm, "hypothesis", "proved", s, method="construct phi from orbit coordinates, verify per T-piece",
                      certificate=r.certificate)
            consts: tuple[DerivedConstant, ...] = (DerivedConstant("phi", r.phi, "exact", f"{op.name}_T = {other.name}_phi(T)"),)
        elif r.status == "refuted":
            h = Claim(hid, thm, "hypothesis", "refuted", s, method="orbit point off the other orbit (Arb)",
                      counterexample=r.counterexample)
            consts = ()
        else:
            h = Claim(hid, thm, "hypothesis", "unknown", s, method="orbit description", reason=r.reason,
                      reason_kind=r.reason_kind)
            consts = ()
        claims.append(h)
        claims.append(Claim(f"{hid}.conclusion", thm, "conclusion", "pending",
                            REPARAM_EQUIVALENCE.conclusion + f" (F = {op.name}, G = {other.name})",
                            method=f"theorem {thm}", depends_on=(hid,), constants=consts))
    # ordinal
    thm_o = ORDINAL_EQUIVALENCE.key
    rk = ctx.axiom_claim(f"{thm_o}.ranking", thm_o, "ranking", ORDINAL_EQUIVALENCE.hypothesis("ranking").statement)
    claims.append(rk)
    claims.append(Claim(f"{thm_o}.conclusion", thm_o, "conclusion", "pending", ORDINAL_EQUIVALENCE.conclusion,
                        method=f"theorem {thm_o}", scope="fixed data: " + FIXED_DATA["ordinal"], depends_on=(rk.id,)))
    claims.extend(_projection_claims(ctx))
    return claims
