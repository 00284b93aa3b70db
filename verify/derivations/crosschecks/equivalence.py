"""Cross-checks of the ``equivalence`` topic: reparametrisations, refutation certificates, ordinal, projection.

Every value is recomputed at 50 digits with :func:`evaluate_mp` and plain mpmath: an established
``F ~ G`` by ``F_T(p) = G_φ(T)(p)`` at drawn points, a refutation by the certificate's determinant at
the stated point, the ordinal claim by counting order violations, the projection example by
minimising the projection objective numerically (``findroot``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import mpmath
import sympy as sp
from hypothesis import strategies as st

from skd.operators import Operator, evaluate_mp, library
from skd.operators.symbols import T, V
from skd.theory.equivalence import (
    EXAMPLE_P,
    ORDINAL_EQUIVALENCE,
    PROJECTION_EQUIVALENCE_KL,
    PROJECTION_EQUIVALENCE_L2,
    REPARAM_EQUIVALENCE,
)

from ...checks import Check, compare_values, draw
from ...strategies import rational_distributions, temperatures
from ..claims import constant_text
from ..common import REFERENCE_P, mpq

if TYPE_CHECKING:
    from .. import Derivation

__all__ = ["CROSSCHECK_TOLERANCE", "FIXED_T", "crosscheck"]

#: Temperatures every established reparametrisation and the ordinal claim are checked at (with the reference
#: teacher), besides the Hypothesis draws: the temperatures the refutations try.
FIXED_T: tuple[Fraction, ...] = (Fraction(2), Fraction(1, 2), Fraction(3), Fraction(1, 3), Fraction(1), Fraction(10),
                                 Fraction(1, 10))

#: Tolerance of the 50-digit comparisons (``F_T(p)`` against ``G_φ(T)(p)``, students).
CROSSCHECK_TOLERANCE = 1e-40


def _at(p: Sequence[Any], t: Any) -> dict[str, str]:
    return {"p": ",".join(str(v) for v in p), "T": str(t)}


def _exact_value(e: sp.Expr) -> Fraction:
    """``e`` (a closed number) as a Fraction: exact if rational, else to 60 significant digits."""
    if e.is_Rational:
        return Fraction(int(e.p), int(e.q))
    r = sp.Rational(sp.N(e, 60))
    return Fraction(int(r.p), int(r.q))


def _operator_named(d: Derivation, name: str) -> Operator:
    return d.op if name == d.op.name else library.get(name)


def _recompute_determinant(kind: str, q: Sequence[Any], p: Sequence[Fraction]) -> tuple[Any, str]:
    """The certificate quantity of ``_off_curve`` recomputed in mpmath: (value, what it is)."""
    pm = [mpq(v) for v in p]
    third = mpmath.mpf(1) / 3
    if kind == "identity":
        return max(abs(a - b) for a, b in zip(q, pm, strict=True)), "max_i |q_i - p_i|"
    if kind == "power":
        zero = [i for i, v in enumerate(q) if v == 0]
        if zero:
            return mpmath.mpf(1), f"q_{zero[0]} = 0 exactly (off every power curve)"
        d = (mpmath.log(q[1] / q[0]) * mpmath.log(pm[2] / pm[0]) - mpmath.log(q[2] / q[0]) * mpmath.log(pm[1] / pm[0]))
        return d, "D_pow"
    if kind == "mixture":
        return (q[0] - third) * (pm[1] - third) - (q[1] - third) * (pm[0] - third), "D_mix"
    raise ValueError(kind)


def crosscheck(d: Derivation, cases: int) -> list[Check]:
    """Equivalence results against independent 50-digit mpmath computations.

    * every *established* reparametrisation ``F ~ G``: ``max_i |F_T(p)_i − G_φ(T)(p)_i|`` at the
      refutation teacher × :data:`FIXED_T` and ``cases`` Hypothesis draws of rational ``p``
      (``V ≤ 6``) and ``T`` in ``[1/20, 20]`` (both sides evaluated by ``evaluate_mp``, ``φ(T)`` to 60
      digits); tolerance 1e-40;
    * every *refuted* one: the certificate's quantity (``D_pow``, ``D_mix``, or ``q_i − p_i``) recomputed
      in mpmath at the counterexample's ``(p, T)``; deviation 0 if it is nonzero with the sign of
      the certified enclosure, else ``inf``;
    * ordinal equivalence (when A1 is proved): the number of pairs ``p_i > p_j`` with
      ``F_T(p)_i <= F_T(p)_j`` over ``cases`` draws with ``T`` in ``[1e-2, 1e2]`` and its ends;
    * the projection example (KL and L2): both students found by numerically minimising the
      projection objective (``findroot`` of its numerical derivative) from the two targets
      (``power`` at ``T = 2`` computed directly; the mixture with the derived ``λ``) agree, agree
      with the derived ``student_0``, and the targets differ.

    Claims not established (or unknown) are skipped with their reason.
    """
    op = d.op
    out: list[Any] = []
    thm = REPARAM_EQUIVALENCE.key
    hyps = [c for c in d.claims if c.theorem == thm and c.role == "hypothesis"]
    drawn: list[tuple[list[Fraction], Fraction]] | None = None
    for h in hyps:
        other = h.id[len(thm) + 1:]
        concl = d.claim(h.id + ".conclusion")
        if concl.status == "established":
            phi = next((k.expr for k in concl.constants if k.name == "phi"), None)
            if phi is None:
                out.append(Check(f"{concl.id}:phi", "F_T(p) vs G_phi(T)(p)", 0, math.nan, 0.0,
                                 skipped="established but no phi constant to check"))
                continue
            if drawn is None:
                drawn = draw(st.tuples(rational_distributions(max_size=6, max_denominator=200),
                                       temperatures(min_value=0.05, max_value=20)), cases, seed=0)
            G = _operator_named(d, other)
            rows = []
            for p, t in [(list(REFERENCE_P), t) for t in FIXED_T] + list(drawn):
                s = _exact_value(phi.subs({T: sp.Rational(t.numerator, t.denominator), V: len(p)}))
                with mpmath.workdps(50):
                    a = evaluate_mp(op, p, t, dps=50)
                    b = evaluate_mp(G, p, s, dps=50)
                    dev = max(abs(x1 - x2) for x1, x2 in zip(a, b, strict=True))
                rows.append(({**_at(p, t), "phi(T)": mpmath.nstr(mpq(s), 20), f"{op.name}_T(p)": mpmath.nstr(a, 15),
                              f"{other}_phi(T)(p)": mpmath.nstr(b, 15)}, float(dev), 0.0))
            dev, worst, n = compare_values(rows, relative=False)
            out.append(Check(f"{concl.id}:phi", f"max_i |{op.name}_T(p)_i - {other}_phi(T)(p)_i|, evaluate_mp 50 digits "
                             f"(phi = {constant_text(phi)})", n, dev, CROSSCHECK_TOLERANCE, relative=False, worst=worst))
        elif h.status == "refuted":
            ce = h.counterexample or {}
            try:
                A = _operator_named(d, ce["operator"])
                p = [Fraction(v) for v in ce["p"]]
                t = Fraction(ce["T"])
                curves = list(ce.get("curves") or [])
            except (KeyError, TypeError, ValueError) as exc:
                out.append(Check(f"{h.id}:certificate", "recompute the refutation", 1, math.inf, 0.0, relative=False,
                                 worst={"error": f"counterexample unreadable: {exc!r}"}))
                continue
            with mpmath.workdps(50):
                q = evaluate_mp(A, p, t, dps=50)
                dev, worst = 0.0, {**_at(p, t), "operator": A.name, "q": mpmath.nstr(q, 15)}
                for kind in curves:
                    val, what = _recompute_determinant(kind, q, p)
                    enc = (ce.get("enclosures") or {}).get(kind, {})
                    mid = enc.get("decimal")
                    ok = abs(val) > mpmath.mpf(10) ** -30
                    if ok and what.startswith("D_") and mid is not None and mpmath.mpf(mid) != 0:
                        ok = mpmath.sign(val) == mpmath.sign(mpmath.mpf(mid))
                    worst[f"{kind}: {what}"] = mpmath.nstr(val, 20) + (f" (certified {enc.get('ball')})" if enc else "")
                    if not ok:
                        dev = math.inf
            if not curves:
                dev, worst["error"] = math.inf, "counterexample names no curve"
            out.append(Check(f"{h.id}:certificate", f"certificate of {A.name}_T(p) off the orbit of {ce.get('orbit_of')} "
                             "recomputed in mpmath (nonzero, sign of the enclosure)", 1, dev, 0.0, relative=False,
                             worst=worst))
        else:
            out.append(Check(f"{concl.id}:phi", "F_T(p) vs G_phi(T)(p)", 0, math.nan, 0.0,
                             skipped=f"{h.status}: {h.reason or concl.reason}"))
    out.append(_crosscheck_ordinal(d, cases))
    out.extend(_crosscheck_projection(d))
    return out


def _crosscheck_ordinal(d: Derivation, cases: int) -> Check:
    concl = d.claim(f"{ORDINAL_EQUIVALENCE.key}.conclusion")
    name = f"{concl.id}:order"
    method = "pairs p_i > p_j with F_T(p)_i <= F_T(p)_j, evaluate_mp 50 digits (count)"
    if concl.status != "established":
        return Check(name, method, 0, math.nan, 0.0, skipped=f"conclusion {concl.status}: {concl.reason}")
    drawn = draw(st.tuples(rational_distributions(max_size=6, max_denominator=200),
                           temperatures(min_value=0.01, max_value=100, extremes=True)), cases, seed=1)
    violations, n = 0, 0
    worst: dict[str, str] = {}
    for p, t in [(list(REFERENCE_P), t) for t in FIXED_T] + list(drawn):
        n += 1
        with mpmath.workdps(50):
            q = evaluate_mp(d.op, p, t, dps=50)
        bad = [(i, j) for i in range(len(p)) for j in range(len(p)) if p[i] > p[j] and not q[i] > q[j]]
        if bad and not worst:
            i, j = bad[0]
            worst = {**_at(p, t), "pair": f"p_{i} > p_{j}", "q_i": mpmath.nstr(q[i], 20), "q_j": mpmath.nstr(q[j], 20)}
        violations += len(bad)
    return Check(name, method, n, float(violations), 0.0, relative=False, worst=worst)


def _projection_student(q: list[Any], loss: str) -> Any:
    """First coordinate of the student ``(a, (1-a)/2, (1-a)/2)`` nearest to ``q``, found numerically.

    ``kl``: argmin over θ of ``KL(q || (e^θ, 1, 1)/(e^θ + 2))``; ``l2``: argmin over ``a`` of the
    squared distance. Both by ``findroot`` of the numerical derivative of the objective (no
    moment-matching formula is used).
    """
    if loss == "kl":
        def obj(th: Any) -> Any:
            z = mpmath.exp(th) + 2
            g = [mpmath.exp(th) / z, 1 / z, 1 / z]
            return mpmath.fsum(qi * mpmath.log(qi / gi) for qi, gi in zip(q, g, strict=True))

        th = mpmath.findroot(lambda s: mpmath.diff(obj, s), mpmath.mpf(0))
        return mpmath.exp(th) / (mpmath.exp(th) + 2)

    def obj2(a: Any) -> Any:
        return (q[0] - a) ** 2 + (q[1] - (1 - a) / 2) ** 2 + (q[2] - (1 - a) / 2) ** 2

    return mpmath.findroot(lambda s: mpmath.diff(obj2, s), mpmath.mpf(1) / 2)


def _crosscheck_projection(d: Derivation) -> list[Check]:
    out = []
    for key, loss in ((PROJECTION_EQUIVALENCE_KL.key, "kl"), (PROJECTION_EQUIVALENCE_L2.key, "l2")):
        concl = d.claim(f"{key}.conclusion")
        if concl.status != "established":
            for what in ("students_equal", "targets_differ"):
                out.append(Check(f"{concl.id}:{what}", "projection example", 0, math.nan, 0.0,
                                 skipped=f"conclusion {concl.status}: {concl.reason}"))
            continue
        consts = {k.name: k.expr for k in concl.constants}
        with mpmath.workdps(50):
            p = [mpq(Fraction(int(v.p), int(v.q))) for v in EXAMPLE_P]
            root = [mpmath.sqrt(v) for v in p]
            target_pow = [r / mpmath.fsum(root) for r in root]  # power at T = 2, directly
            lam = mpmath.mpf(str(sp.N(consts["lambda"], 60)))
            target_mix = [lam * v + (1 - lam) / 3 for v in p]

            a_pow, a_mix = _projection_student(target_pow, loss), _projection_student(target_mix, loss)
            s0 = mpmath.mpf(str(sp.N(consts["student_0"], 60)))
            gap = max(abs(x1 - x2) for x1, x2 in zip(target_pow, target_mix, strict=True))
        at = {"p": "7/10,1/5,1/10", "T": "2", "lambda": mpmath.nstr(lam, 20)}
        dev_students = float(max(abs(a_pow - a_mix), abs(a_pow - s0)))
        out.append(Check(f"{concl.id}:students_equal",
                         f"{loss.upper()} projections of power_2(p) and mixture_lambda(p) found numerically (findroot), "
                         "against each other and the derived student_0", 1, dev_students, CROSSCHECK_TOLERANCE,
                         relative=False, worst={**at, "student(power)": mpmath.nstr(a_pow, 25),
                                                "student(mixture)": mpmath.nstr(a_mix, 25),
                                                "student_0 (derived)": mpmath.nstr(s0, 25)}))
        out.append(Check(f"{concl.id}:targets_differ", "max_i |power_2(p)_i - mixture_lambda(p)_i| > 1e-20 (mpmath)", 1,
                         0.0 if gap > mpmath.mpf(10) ** -20 else math.inf, 0.0, relative=False,
                         worst={**at, "max |difference|": mpmath.nstr(gap, 20)}))
    return out
