"""``lipschitz_vector``: the library's vector algorithms — sparsemax, 1.5-entmax (logit constants), top-k (not Lipschitz).

The algorithm is recognised by identity of ``op.algorithm``; top-k is refuted by Arb-certified chord
ratios at the tie pairs :func:`topk_tie_pair` (:func:`topk_counterexample`).

>>> topk_tie_pair(Fraction(1, 100))[0]
[Fraction(1, 2), Fraction(13, 50), Fraction(6, 25)]
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import sympy as sp

from skd.operators.arith import ArbArith
from skd.operators.evaluate import evaluate_in
from skd.theory.sensitivity import LIPSCHITZ_VECTOR
from skd.theory.theorems import symbol

from ..reproduce import format_fraction
from .claims import Claim, Context, DerivedConstant, budgeted
from .sensitivity_analysis import EPS

if TYPE_CHECKING:
    from skd.operators.declare import Operator

__all__ = ["TOPK_LEVELS", "TOPK_T", "lipschitz_vector_claims", "topk_counterexample", "topk_tie_pair",
           "vector_unsupported_claims"]

#: Levels the top-k chord ratio is certified to exceed, and the temperatures.
TOPK_LEVELS = (10, 100, 1000)
TOPK_T = (Fraction(1), Fraction(2))


def _recognised(op: Operator) -> str | None:
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


def topk_counterexample(op: Operator, prec: int = 128) -> dict[str, Any] | None:
    """Arb-certified ℓ1 (= ℓ2) chord ratios of top-k above TOPK_LEVELS at the tie pairs, T in TOPK_T."""
    from ..reproduce import operator_code

    ar = ArbArith(prec)
    points = []
    for temp in TOPK_T:
        for level in TOPK_LEVELS:
            t = Fraction(1, 10 * level)  # ratio >= 2^(-1/T)/(4t) = 2.5 * 2^(-1/T) * level > level for T >= 1
            p, p2 = topk_tie_pair(t)
            f1, f2 = evaluate_in(op, p, temp, ar), evaluate_in(op, p2, temp, ar)
            num = sum((abs(a - b) for a, b in zip(f1, f2, strict=True)), ar.num(0))
            ratio = num / ar.num(4 * t)
            if not ratio > level:
                return None
            points.append({"T": format_fraction(temp), "t": format_fraction(t), "L": str(level),
                           "p": [format_fraction(v) for v in p], "p2": [format_fraction(v) for v in p2],
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


def _vector_projection_work(op: Operator) -> dict[str, Any]:
    """What the vector theorem needs (worker): the recognised algorithm and, for top-k, the certified counterexample."""
    name = _recognised(op)
    return {"name": name, "topk": topk_counterexample(op) if name == "topk" else None}


def lipschitz_vector_claims(ctx: Context) -> list[Claim]:
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


def vector_unsupported_claims(ctx: Context, why: str) -> list[Claim]:
    thm = LIPSCHITZ_VECTOR
    key = thm.key
    out: list[Claim] = []
    for h in ("continuous_at_ties", "projection_form"):
        out.append(Claim(f"{key}.{h}", key, "hypothesis", "unknown", thm.hypothesis(h).statement, method="none",
                         reason=why, reason_kind="unsupported"))
    out.append(Claim(f"{key}.conclusion", key, "conclusion", "pending", thm.conclusion, method=f"theorem {key}",
                     depends_on=tuple(c.id for c in out)))
    return out
