"""Cross-checks of the ``access`` topic: every quantity by direct evaluation of the operator.

``F_T`` is evaluated with :func:`evaluate_mp` (50 digits) and the NumPy kernel, never through the
derivation's exact arithmetic: top-k commutation side by side, the truncation cost summed
directly, the tail mass at ordered temperatures, zeros kept at zero, the derived inverse applied
to ``F_T(p)``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from skd.operators import apply, evaluate_mp
from skd.operators.arith import Undecided
from skd.operators.errors import NotWellDefined
from skd.operators.symbols import T, V, x
from skd.theory.access import Q_I, TAU, Z_Q

from ...checks import Check, compare_values, draw, skip
from ...strategies import rational_distributions, temperatures
from ..common import fstr, mpq, pstr, rational

if TYPE_CHECKING:
    from skd.operators.declare import Operator

    from .. import Derivation
    from ..claims import Claim

__all__ = ["crosscheck"]

#: The reference point of theory-notes §6 item 7: p, K = top-2 (indices 0, 1), T values.
REFERENCE_P = (Fraction(1, 2), Fraction(3, 10), Fraction(3, 20), Fraction(1, 20))
REFERENCE_K = (0, 1)
REFERENCE_T = (Fraction(1, 2), Fraction(1), Fraction(2), Fraction(4))

#: One input: (p, a top-k index set K, T).
Input = tuple[list[Fraction], tuple[int, ...], Fraction]
Row = tuple[dict[str, str], float, float]


def _top_set(p: Sequence[Fraction], k: int) -> tuple[int, ...]:
    """The indices of the ``k`` largest entries (ties broken by index): a top-k set."""
    return tuple(sorted(sorted(range(len(p)), key=lambda i: (-p[i], i))[:k]))


def _skip(quantity: str, claim: Claim) -> Check:
    return skip(quantity, "none", f"conclusion {claim.status}: {claim.reason}")


def _at(p: Sequence[Fraction], K: Sequence[int], t: Fraction) -> dict[str, str]:
    return {"p": pstr(p), "K": ",".join(map(str, K)), "T": fstr(t)}


def _access_inputs(op: Operator, cases: int, seed: int, *, max_size: int = 6) -> list[Input]:
    """Reference point (top-2 at every reference T) and ``cases`` draws of (p, top-k set, T) fitting ``op.sizes``."""
    drawn = draw(st.tuples(rational_distributions(max_size=max_size, max_denominator=100), st.integers(1, 5),
                           temperatures(min_value=0.05, max_value=20)), cases, seed=seed)
    out: list[Input] = [(list(REFERENCE_P), REFERENCE_K, t) for t in REFERENCE_T]
    out += [(list(p), _top_set(p, min(k, len(p) - 1)), t) for p, k, t in drawn]
    if op.kind == "vector":
        out = [(p, K, t) for p, K, t in out if len(p) in op.sizes]
    return out


def _established(c: Claim) -> bool:
    return c.status in ("established", "conditional")


def crosscheck(d: Derivation, cases: int) -> list[Check]:
    """Access quantities against direct evaluation of the operator (mpmath, 50 digits; NumPy kernel).

    * top-k commutation: ``F_T(p|_K)`` and ``F_T(p)|_K`` evaluated separately at drawn ``(p, K, T)``;
    * truncation cost: the derived ``TV = τ`` and ``KL = −log(1 − τ)`` against ``½Σ|q − q|_K|`` and
      ``Σ q|_K log(q|_K / q)`` summed directly, in mpmath and with the NumPy kernel;
    * tail mass: ``τ_{T1} ≤ τ_{T2}`` for ``T1 < T2`` (deviation = largest violation);
    * zero preservation: ``F_T(p)_i`` at inputs with zero entries (mpmath and kernel);
    * invertibility: the derived inverse applied to ``q = F_T(p)`` gives back ``p``.

    A conclusion that is not established gives a skipped check with its reason.
    """
    out = [_commutation_check(d, cases)]
    out += _truncation_checks(d, cases)
    out.append(_tail_monotone_check(d, cases))
    out += _zero_checks(d, cases)
    out.append(_inverse_check(d, cases))
    # DP post-processing: no quantity
    c = d.claim("dp_post_processing.conclusion")
    out.append(skip("dp_post_processing.conclusion", "none",
                    f"conclusion {c.status}: {c.reason}" if c.status != "conditional" else
                    "conditional on the DP release; the theorem has no numeric quantity (post-processing "
                    "of a mechanism) to compare"))
    return out


def _commutation_check(d: Derivation, cases: int) -> Check:
    op = d.op
    c = d.claim("topk_commutation.conclusion")
    q_name = "topk_commutation.conclusion"
    if not _established(c):
        return _skip(q_name, c)
    rows: list[Row] = []
    with mpmath.workdps(50):
        for p, K, t in _access_inputs(op, cases, 10):
            mass = sum((p[i] for i in K), Fraction(0))
            if len(K) < 2 and op.kind == "vector":
                continue
            lhs = evaluate_mp(op, [p[i] / mass for i in K], t, dps=50) if len(K) > 1 else [mpmath.mpf(1)]
            full = evaluate_mp(op, p, t, dps=50)
            z = mpmath.fsum(full[i] for i in K)
            for j, i in enumerate(K):
                rows.append(({**_at(p, K, t), "i": str(i)}, float(lhs[j]), float(full[i] / z)))
    dev, worst, n = compare_values(rows, relative=False)
    return Check(q_name, "F_T(p|_K) vs F_T(p)|_K, both by evaluate_mp (50 digits) at drawn (p, top-k set K, T)",
                 n, dev, 1e-40, relative=False, worst=worst)


def _truncation_checks(d: Derivation, cases: int) -> list[Check]:
    op = d.op
    c = d.claim("truncation_cost.conclusion")
    if not _established(c):
        return [_skip("truncation_cost.conclusion:TV", c), _skip("truncation_cost.conclusion:KL", c)]
    tv_k, kl_k = d.constant("truncation_cost.conclusion:TV"), d.constant("truncation_cost.conclusion:KL")
    rows_mp: dict[str, list[Row]] = {"TV": [], "KL": []}
    rows_np: dict[str, list[Row]] = {"TV": [], "KL": []}
    for p, K, t in _access_inputs(op, cases, 11):
        at = _at(p, K, t)
        with mpmath.workdps(50):
            q = evaluate_mp(op, p, t, dps=50)
            tau = mpmath.fsum(q[i] for i in range(len(p)) if i not in K)
            if not tau < 1:
                continue
            cond = [q[i] / (1 - tau) if i in K else mpmath.mpf(0) for i in range(len(p))]
            tv = mpmath.fsum(abs(a - b) for a, b in zip(q, cond, strict=True)) / 2
            kl = mpmath.fsum(a * mpmath.log(a / b) for a, b in zip(cond, q, strict=True) if a > 0)
            sym = {name: mpmath.mpf(sp.N(k.expr.subs(TAU, sp.Float(mpmath.nstr(tau, 55), 55)), 50))
                   for name, k in (("TV", tv_k), ("KL", kl_k))}
            rows_mp["TV"].append((at, float(sym["TV"]), float(tv)))
            rows_mp["KL"].append((at, float(sym["KL"]), float(kl)))
        qf = apply(op, np.array([float(v) for v in p]), float(t))
        mask = np.array([i in K for i in range(len(p))])
        condf = np.where(mask, qf, 0.0) / qf[mask].sum()
        tvf = 0.5 * float(np.abs(qf - condf).sum())
        pos = condf > 0
        klf = float(np.sum(condf[pos] * np.log(condf[pos] / qf[pos])))
        rows_np["TV"].append((at, float(sym["TV"]), tvf))
        rows_np["KL"].append((at, float(sym["KL"]), klf))
    out = []
    for name in ("TV", "KL"):
        direct = ("½ Σ|q_i - q|_K,i|" if name == "TV" else "Σ_K q|_K,i log(q|_K,i / q_i)")
        dev, worst, n = compare_values(rows_mp[name], relative=True, floor=1e-30)
        out.append(Check(f"truncation_cost.conclusion:{name}", f"derived constant at tau = q(K^c) vs {direct} summed "
                         "directly, q = evaluate_mp at 50 digits, drawn (p, top-k set K, T)", n, dev, 1e-12,
                         worst=worst))
        dev, worst, n = compare_values(rows_np[name], relative=False)
        out.append(Check(f"truncation_cost.conclusion:{name} (kernel)", f"derived constant (tau at 50 digits) vs "
                         f"{direct} with q from the NumPy kernel (float64)", n, dev, 1e-12, relative=False,
                         worst=worst))
    return out


def _tail_monotone_check(d: Derivation, cases: int) -> Check:
    op = d.op
    c = d.claim("tail_mass_monotone.conclusion")
    if not _established(c):
        return _skip("tail_mass_monotone.conclusion", c)
    t2s = draw(temperatures(min_value=0.05, max_value=20), max(cases, 1), seed=12)
    grid = (Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(2), Fraction(4), Fraction(8))
    rows: list[Row] = []
    pairs = []
    # the drawn inputs only (the reference point comes with the grid below); lengths differ when op.sizes filters
    for (p, K, t), t2 in zip(_access_inputs(op, cases, 12)[len(REFERENCE_T):], t2s, strict=False):
        if t != t2:
            pairs.append((p, K, min(t, t2), max(t, t2)))
    pairs += [(list(REFERENCE_P), K, a, b) for K in ((0,), (0, 1), (0, 1, 2)) for a, b in itertools.pairwise(grid)]
    if op.kind == "vector":
        pairs = [pr for pr in pairs if len(pr[0]) in op.sizes]
    with mpmath.workdps(50):
        for p, K, t1, t2 in pairs:
            tau1 = mpmath.fsum(v for i, v in enumerate(evaluate_mp(op, p, t1, dps=50)) if i not in K)
            tau2 = mpmath.fsum(v for i, v in enumerate(evaluate_mp(op, p, t2, dps=50)) if i not in K)
            rows.append(({**_at(p, K, t1), "T2": fstr(t2), "tau_T1": mpmath.nstr(tau1, 15),
                          "tau_T2": mpmath.nstr(tau2, 15)}, max(float(tau1 - tau2), 0.0), 0.0))
    dev, worst, n = compare_values(rows, relative=False)
    return Check("tail_mass_monotone.conclusion", "tau_T = F_T(p)(K^c) by evaluate_mp (50 digits) at T1 < T2 "
                 "(drawn pairs and a grid at the reference point); deviation = largest tau_T1 - tau_T2 > 0",
                 n, dev, 1e-40, relative=False, worst=worst)


def _zero_checks(d: Derivation, cases: int) -> list[Check]:
    op = d.op
    c = d.claim("zero_preservation.conclusion")
    if not _established(c):
        return [_skip("zero_preservation.conclusion", c)]
    rows: list[Row] = []
    rows_np_z: list[Row] = []
    for p, K, t in _access_inputs(op, cases, 13):
        # zero every entry outside K (the closed simplex minus its vertices needs >= 2 positive entries)
        keep = K if len(K) >= 2 else _top_set(p, 2)
        if len(keep) == len(p):
            continue
        mass = sum((p[i] for i in keep), Fraction(0))
        pz = [p[i] / mass if i in keep else Fraction(0) for i in range(len(p))]
        at = {"p": pstr(pz), "T": fstr(t)}
        with mpmath.workdps(50):
            try:
                q = evaluate_mp(op, pz, t, dps=50)
            except (NotWellDefined, Undecided, ZeroDivisionError, ValueError):
                # the formula is undefined at 0: the theorem extends g by its limit x -> 0+
                if op.score is None:
                    raise
                g = op.score.subs({T: rational(t), V: len(pz)})
                gs = [sp.limit(g, x, 0, "+") if v == 0 else g.subs(x, rational(v)) for v in pz]
                q = [mpmath.mpf(sp.N(gi / sum(gs), 50)) for gi in gs]
                at["g(0)"] = "limit x -> 0+"
        rows.append((at, max(float(abs(q[i])) for i in range(len(pz)) if pz[i] == 0), 0.0))
        try:
            qf = apply(op, np.array([float(v) for v in pz]), float(t))
            rows_np_z.append((at, float(np.max(np.abs(qf[np.array([v == 0 for v in pz])]))), 0.0))
        except (NotWellDefined, ValueError, FloatingPointError) as exc:
            rows_np_z.append(({**at, "error": str(exc)[:80]}, math.nan, 0.0))
    dev, worst, n = compare_values(rows, relative=False)
    out = [Check("zero_preservation.conclusion", "max F_T(p)_i over the zero entries of p (all entries outside a "
                 "top set zeroed), evaluate_mp at 50 digits", n, dev, 0.0, relative=False, worst=worst)]
    dev, worst, n = compare_values(rows_np_z, relative=False)
    out.append(Check("zero_preservation.conclusion (kernel)", "max F_T(p)_i over the zero entries of p with the "
                     "NumPy kernel (float64)", n, dev, 0.0, relative=False, worst=worst))
    return out


def _inverse_check(d: Derivation, cases: int) -> Check:
    op = d.op
    c = d.claim("invertibility.conclusion")
    consts = {k.name: k for k in c.constants}
    if not _established(c):
        return _skip("invertibility.conclusion:inverse", c)
    if "inverse" not in consts:
        return skip("invertibility.conclusion:inverse", "none",
                    "injectivity is proved but no explicit inverse was derived for this score")
    inv = consts["inverse"].expr
    rows: list[Row] = []
    for p, _, t in _access_inputs(op, cases, 14):
        at = {"p": pstr(p), "T": fstr(t)}
        with mpmath.workdps(60):
            q = evaluate_mp(op, p, t, dps=60)
            e = inv.subs({T: rational(t), V: len(p)})
            if Z_Q in e.free_symbols:
                expo = sp.simplify(Q_I * sp.diff(sp.log(e.subs(Z_Q, 1)), Q_I))
                if Q_I in expo.free_symbols:
                    rows.append(({**at, "error": f"exponent of q_i not constant: {expo}"}, math.nan, 0.0))
                    continue
                ex = mpmath.mpf(sp.N(expo, 65))
                zq = mpmath.fsum(qj**ex for qj in q)
            else:
                zq = None
            f = sp.lambdify([Q_I, Z_Q], e, "mpmath")
            back = [f(qi, zq if zq is not None else 1) for qi in q]
            dev = max(abs(b - mpq(pi)) for b, pi in zip(back, p, strict=True))
            rows.append(({**at, "p_back": ",".join(mpmath.nstr(b, 12) for b in back)}, float(dev), 0.0))
    dev, worst, n = compare_values(rows, relative=False)
    return Check("invertibility.conclusion:inverse", "derived inverse applied to q = F_T(p) (evaluate_mp, 60 "
                 "digits) vs p; deviation = max_i |p_back_i - p_i|", n, dev, 1e-40, relative=False, worst=worst)
