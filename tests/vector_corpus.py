"""User-style vector operators written as algorithms, with the truth of ``well_defined`` written
from the mathematics (issue 14's corpus, first part: the axiom the vector prover decides).

Each entry: ``(name, algorithm, well_defined_holds, why)``. The algorithms use only what a user
of :func:`skd.operators.vector` has: exact comparisons of entries of ``p`` (with each other and
with 0) and ``ar`` for everything derived. The false ones fail at an explicit point, named in
``why`` (checked numerically by tests/test_vector_corpus.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

Alg = Callable[[Sequence[Any], Any, Any], list[Any]]


def _order(p: Sequence[Any]) -> list[int]:
    return sorted(range(len(p)), key=lambda i: (-p[i], i))


def _total(xs: Sequence[Any]) -> Any:
    t = xs[0]
    for v in xs[1:]:
        t = t + v
    return t


def _powers(p: Sequence[Any], T: Any, ar: Any, scale: Any = None) -> list[Any]:
    beta = ar.num(1) / (T if scale is None else T * scale)
    return [ar.pow(ar.num(v), beta) for v in p]


def temperature_scaling(p, T, ar):
    s = _powers(p, T, ar)
    tot = _total(s)
    return [v / tot for v in s]


def temperature_scaling_via_logs(p, T, ar):
    """softmax(log p / T), written with exp and log, shifted by the largest logit."""
    z = [ar.log(ar.num(v)) / T for v in p]
    m = z[_order(p)[0]]
    e = [ar.exp(v - m) for v in z]
    tot = _total(e)
    return [v / tot for v in e]


def _truncate(k: int) -> Alg:
    def alg(p, T, ar):
        keep = set(_order(p)[:k])
        s = {i: ar.pow(ar.num(p[i]), ar.num(1) / T) for i in keep}
        tot = _total([s[i] for i in sorted(keep)])
        return [s[i] / tot if i in keep else ar.num(0) for i in range(len(p))]

    alg.__name__ = f"top{k}"
    return alg


def _threshold(z: Sequence[Any], order: Sequence[int], ar: Any) -> tuple[Any, int]:
    """Sparsemax's threshold ``tau`` of the logits ``z`` (visited in ``order``, largest first) and
    the size of its support."""
    one = ar.num(1)
    k_best, cum_best, cum = 1, z[order[0]], None
    for k, i in enumerate(order, start=1):
        cum = z[i] if cum is None else cum + z[i]
        if ar.gt(one + ar.num(k) * z[i], cum):
            k_best, cum_best = k, cum
    return (cum_best - one) / ar.num(k_best), k_best


def _sparsemax_at(scale: Fraction, square_T: bool = False) -> Alg:
    def alg(p, T, ar):
        temp = T * T if square_T else T * ar.num(scale)
        order = _order(p)
        z = [ar.log(ar.num(v)) / temp for v in p]
        tau, k_best = _threshold(z, order, ar)
        support = set(order[:k_best])
        return [z[i] - tau if i in support else ar.num(0) for i in range(len(p))]

    alg.__name__ = "sparsemax_T2" if square_T else f"sparsemax_x{scale}"
    return alg


def entmax15_by_sorting(p, T, ar):
    """1.5-entmax of log p / T written by a user (the sort-based exact threshold of Peters, Niculae &
    Martins 2019): u = z / 2 sorted, tau_k = mean_k - sqrt(delta_k), output (u_i - tau)^2 on the
    support (alpha = 1.5 between temperature scaling's alpha = 1 and sparsemax's 2)."""
    order = _order(p)
    u = {i: ar.log(ar.num(p[i])) / T * ar.num(Fraction(1, 2)) for i in order}
    one, zero = ar.num(1), ar.num(0)
    k_best, tau_best = 1, u[order[0]] - one
    s = q = None
    for k, i in enumerate(order, start=1):
        s = u[i] if s is None else s + u[i]
        q = u[i] * u[i] if q is None else q + u[i] * u[i]
        mean = s / ar.num(k)
        delta = (one - (q - ar.num(k) * mean * mean)) / ar.num(k)
        if not ar.ge(delta, zero):
            break
        tau = mean - ar.sqrt(delta)
        if not ar.gt(u[i], tau):
            break
        k_best, tau_best = k, tau
    support = set(order[:k_best])
    return [(u[i] - tau_best) * (u[i] - tau_best) if i in support else zero for i in range(len(p))]


def sparsemax_clipped_by_max(p, T, ar):
    """Sparsemax written as most users would: the threshold from the sorted logits, then
    ``max(z_i - tau, 0)`` for every entry (the clipping opens boundary pieces where z_i = tau)."""
    z = [ar.log(ar.num(v)) / T for v in p]
    tau, _ = _threshold(z, _order(p), ar)
    return [ar.max(v - tau, ar.num(0)) for v in z]


def keep_above_mean(p, T, ar):
    """Keep the entries at least the mean of p (the largest always is), power-soften, renormalise."""
    mean = _total([ar.num(v) for v in p]) / ar.num(len(p))
    keep = [i for i in range(len(p)) if ar.ge(ar.num(p[i]), mean)]
    s = {i: ar.pow(ar.num(p[i]), ar.num(1) / T) for i in keep}
    tot = _total([s[i] for i in keep])
    return [s[i] / tot if i in s else ar.num(0) for i in range(len(p))]


def top_p_nine_tenths(p, T, ar):
    """Nucleus (top-p) truncation: the largest entries until their mass reaches 9/10, power-softened
    and renormalised."""
    keep, mass = [], ar.num(0)
    for i in _order(p):
        keep.append(i)
        mass = mass + ar.num(p[i])
        if ar.ge(mass, ar.num(Fraction(9, 10))):
            break
    s = {i: ar.pow(ar.num(p[i]), ar.num(1) / T) for i in keep}
    tot = _total([s[i] for i in keep])
    return [s[i] / tot if i in s else ar.num(0) for i in range(len(p))]


def mixed_with_uniform(p, T, ar):
    """(1 - w) softmax(log p / T) + w / V with w = 1 / (1 + T)."""
    s = _powers(p, T, ar)
    tot = _total(s)
    w = ar.num(1) / (ar.num(1) + T)
    n = ar.num(len(p))
    return [(ar.num(1) - w) * v / tot + w / n for v in s]


def renormalised_p(p, T, ar):
    tot = _total([ar.num(v) for v in p])
    return [ar.num(v) / tot for v in p]


# -- false ones ----------------------------------------------------------------------------------


def renormalised_with_a_thousandth_too_much(p, T, ar):
    s = _powers(p, T, ar)
    tot = _total(s)
    return [v / tot * ar.num(Fraction(1001, 1000)) for v in s]


def sparsemax_without_clipping(p, T, ar):
    z = [ar.log(ar.num(v)) / T for v in p]
    tau = (_total(z) - ar.num(1)) / ar.num(len(p))
    return [v - tau for v in z]


def truncation_without_renormalising(p, T, ar):
    keep = set(_order(p)[:1])
    return [ar.num(p[i]) if i in keep else ar.num(0) for i in range(len(p))]


def negative_from_V3(p, T, ar):
    out = temperature_scaling(p, T, ar)
    if len(p) >= 3:
        i, j = _order(p)[0], _order(p)[-1]
        out[i], out[j] = out[i] + out[j] + ar.num(Fraction(1, 10)), ar.num(Fraction(-1, 10))
    return out


def pole_at_ties(p, T, ar):
    out = temperature_scaling(p, T, ar)
    a, b = ar.num(p[0]), ar.num(p[1])
    out[0] = out[0] * ((a - b) / (a - b))
    return out


def log_of_a_difference(p, T, ar):
    out = temperature_scaling(p, T, ar)
    a, b = ar.num(p[0]), ar.num(p[1])
    out[1] = out[1] + ar.log(a - b) * ar.num(0)  # times 0, but log(p_0 - p_1) is undefined where p_0 <= p_1
    return out


def sqrt_squared_of_a_log_gap(p, T, ar):
    out = temperature_scaling(p, T, ar)
    gap = ar.log(ar.num(p[0])) - ar.log(ar.num(p[1]))
    r = ar.sqrt(gap)  # imaginary where p_0 < p_1
    out[0] = out[0] + r * r - gap
    return out


def large_gap_flips_sign(p, T, ar):
    out = temperature_scaling(p, T, ar)
    o = _order(p)
    if ar.gt((ar.log(ar.num(p[o[0]])) - ar.log(ar.num(p[o[-1]]))) / T, ar.num(30)):
        out[o[0]], out[o[-1]] = out[o[0]] + out[o[-1]] + ar.num(1), ar.num(-1)
    return out


#: (name, algorithm, well_defined holds, why / where it fails)
CORPUS: list[tuple[str, Alg, bool, str]] = [
    ("temperature_scaling", temperature_scaling, True, "p^(1/T) renormalised"),
    ("temperature_scaling_via_logs", temperature_scaling_via_logs, True, "softmax of log p / T, shifted"),
    ("top1", _truncate(1), True, "one kept entry: (1, 0, ...)"),
    ("top2", _truncate(2), True, "two kept entries renormalised"),
    ("top3", _truncate(3), True, "three kept entries renormalised (all when V = 3)"),
    ("sparsemax_T2", _sparsemax_at(Fraction(1), square_T=True), True, "sparsemax at temperature T^2"),
    ("sparsemax_x2", _sparsemax_at(Fraction(2)), True, "sparsemax at temperature 2T"),
    ("sparsemax_x1/3", _sparsemax_at(Fraction(1, 3)), True, "sparsemax at temperature T/3"),
    ("sparsemax_clipped_by_max", sparsemax_clipped_by_max, True, "sparsemax(log p / T) with max(z - tau, 0)"),
    ("entmax15_by_sorting", entmax15_by_sorting, True, "1.5-entmax of log p / T (the exact sort-based threshold)"),
    ("keep_above_mean", keep_above_mean, True, "the largest entry is always at least the mean"),
    ("top_p_nine_tenths", top_p_nine_tenths, True, "the kept prefix is never empty"),
    ("mixed_with_uniform", mixed_with_uniform, True, "a convex combination of two distributions"),
    ("renormalised_p", renormalised_p, True, "p / sum(p)"),
    ("renormalised_with_a_thousandth_too_much", renormalised_with_a_thousandth_too_much, False,
     "sums to 1001/1000 everywhere"),
    ("sparsemax_without_clipping", sparsemax_without_clipping, False,
     "p = (0.98, 0.02), T = 1/10: the small entry is negative"),
    ("truncation_without_renormalising", truncation_without_renormalising, False, "p = (1/2, 1/2): sums to 1/2"),
    ("negative_from_V3", negative_from_V3, False, "V = 3: an entry is -1/10 (V = 2 is fine)"),
    ("pole_at_ties", pole_at_ties, False, "p_0 = p_1: 0/0"),
    ("log_of_a_difference", log_of_a_difference, False, "p_0 <= p_1: log of a non-positive number"),
    ("sqrt_squared_of_a_log_gap", sqrt_squared_of_a_log_gap, False, "p_0 < p_1: square root of a negative number"),
    ("large_gap_flips_sign", large_gap_flips_sign, False,
     "log(p_max / p_min) / T > 30 (e.g. p = (1 - 1e-14, 1e-14), T = 1): an entry is -1"),
]


#: ranking and identity on V in {2, 3} (the sizes tests/test_vector_corpus.py declares), for the
#: entries whose well_defined holds: name -> {axiom: (holds, why; for a False cell the witness
#: (p, T) where it fails, checked numerically by the test)}
POINTWISE: dict[str, dict[str, tuple[bool, str, tuple[list[float], float] | None]]] = {
    "temperature_scaling": {"ranking": (True, "p^(1/T) is increasing in p", None),
                            "identity": (True, "p^1 / sum(p) = p on the simplex", None)},
    "temperature_scaling_via_logs": {"ranking": (True, "exp is increasing", None),
                                     "identity": (True, "softmax(log p) = p on the simplex", None)},
    "top1": {"ranking": (False, "V = 3: F = (1, 0, 0), F_1 = F_2 although p_1 > p_2", ([0.5, 0.3, 0.2], 1)),
             "identity": (False, "F_1(p) = (1, 0)", ([0.7, 0.3], 1))},
    "top2": {"ranking": (True, "V <= 3: only the smallest entry is dropped, to 0 < every kept output", None),
             "identity": (False, "V = 3: F_2 = 0 != p_2", ([0.5, 0.3, 0.2], 1))},
    "top3": {"ranking": (True, "V <= 3: every entry is kept (temperature scaling)", None),
             "identity": (True, "V <= 3: temperature scaling", None)},
    "sparsemax_T2": {"ranking": (False, "two entries below the threshold both get 0", ([0.5, 0.3, 0.2], 0.1)),
                     "identity": (False, "sparsemax(log p) != p", ([0.7, 0.3], 1))},
    "sparsemax_x2": {"ranking": (False, "two entries below the threshold both get 0", ([0.5, 0.3, 0.2], 0.1)),
                     "identity": (False, "sparsemax(log p / 2) != p", ([0.7, 0.3], 1))},
    "sparsemax_x1/3": {"ranking": (False, "two entries below the threshold both get 0", ([0.5, 0.3, 0.2], 0.1)),
                       "identity": (False, "sparsemax(3 log p) != p", ([0.7, 0.3], 1))},
    "sparsemax_clipped_by_max": {"ranking": (False, "two entries below the threshold both get 0", ([0.5, 0.3, 0.2], 0.1)),
                                 "identity": (False, "sparsemax(log p) != p", ([0.7, 0.3], 1))},
    "entmax15_by_sorting": {"ranking": (False, "two entries below the threshold both get 0", ([0.5, 0.3, 0.2], 0.1)),
                            "identity": (False, "1.5-entmax(log p) != p", ([0.7, 0.3], 1))},
    "keep_above_mean": {"ranking": (False, "V = 3: only the largest is kept, F_1 = F_2 = 0", ([0.5, 0.3, 0.2], 1)),
                        "identity": (False, "V = 3: F = (1, 0, 0)", ([0.5, 0.3, 0.2], 1))},
    "top_p_nine_tenths": {"ranking": (False, "V = 3: 19/20 >= 9/10 keeps the largest only, F_1 = F_2 = 0",
                                      ([0.95, 0.03, 0.02], 1)),
                          "identity": (False, "F_1(p) = (1, 0): the largest entry alone has mass >= 9/10",
                                       ([0.95, 0.05], 1))},
    "mixed_with_uniform": {"ranking": (True, "(1 - w) softmax + w / V with w < 1: increasing in p", None),
                           "identity": (False, "T = 1: w = 1/2, F_0 = 0.35 + 0.25 = 0.6", ([0.7, 0.3], 1))},
    "renormalised_p": {"ranking": (True, "F = p", None), "identity": (True, "F = p", None)},
}


#: the cold and hot limits (profile paper: uniform on argmax p as T -> 0+, uniform on all V as
#: T -> oo) on V in {2, 3}, for the entries whose well_defined holds and for the false ones whose
#: outputs are defined (finite, real) everywhere, read literally: "F_T(p) tends to the target" (a
#: map that is no operator may tend to a vector that is no distribution): name -> {axiom: (holds,
#: why; for a False cell the exact p and the exact limit of F_T(p) there, checked by the test along T)}
LIMITS: dict[str, dict[str, tuple[bool, str, tuple[list[Fraction], list[Fraction]] | None]]] = {
    "temperature_scaling": {"boundary_cold": (True, "p^(1/T) renormalised: the argmax entries dominate", None),
                            "boundary_hot": (True, "p^(1/T) -> 1 for every entry", None)},
    "temperature_scaling_via_logs": {"boundary_cold": (True, "softmax(log p / T)", None),
                                     "boundary_hot": (True, "softmax(log p / T) -> uniform", None)},
    "top1": {"boundary_cold": (False, "a tie at the top: one of the two kept, F = (1, 0) for every T",
                               ([Fraction(1, 2), Fraction(1, 2)], [Fraction(1), Fraction(0)])),
             "boundary_hot": (False, "F = (1, 0) for every T", ([Fraction(7, 10), Fraction(3, 10)], [Fraction(1), Fraction(0)]))},
    "top2": {"boundary_cold": (False, "V = 3, three tied entries: two kept, F = (1/2, 1/2, 0) for every T",
                               ([Fraction(1, 3)] * 3, [Fraction(1, 2), Fraction(1, 2), Fraction(0)])),
             "boundary_hot": (False, "V = 3: uniform on the two kept entries",
                              ([Fraction(1, 2), Fraction(3, 10), Fraction(1, 5)], [Fraction(1, 2), Fraction(1, 2), Fraction(0)]))},
    "top3": {"boundary_cold": (True, "V <= 3: every entry is kept (temperature scaling)", None),
             "boundary_hot": (True, "V <= 3: temperature scaling", None)},
    "sparsemax_T2": {"boundary_cold": (True, "the gaps log(p_i / p_j) / T^2 grow: the support shrinks to argmax p", None),
                     "boundary_hot": (True, "z = log p / T^2 -> 0: every entry in the support, z_i - tau -> 1/V", None)},
    "sparsemax_x2": {"boundary_cold": (True, "sparsemax at temperature 2T: as at T", None),
                     "boundary_hot": (True, "sparsemax at temperature 2T: as at T", None)},
    "sparsemax_x1/3": {"boundary_cold": (True, "sparsemax at temperature T/3: as at T", None),
                       "boundary_hot": (True, "sparsemax at temperature T/3: as at T", None)},
    "sparsemax_clipped_by_max": {"boundary_cold": (True, "sparsemax(log p / T): u_M for T <= m log(p_max / p_next)", None),
                                 "boundary_hot": (True, "sparsemax(log p / T) -> u_V", None)},
    "entmax15_by_sorting": {"boundary_cold": (True, "1.5-entmax(log p / T) -> u_M (L.3 of docs/theory/vector.md)", None),
                            "boundary_hot": (True, "1.5-entmax(log p / T) -> u_V (L.3)", None)},
    "keep_above_mean": {"boundary_cold": (True, "the argmax entries are kept; power-softened, they dominate", None),
                        "boundary_hot": (False, "V = 2: only the larger entry is at least the mean",
                                         ([Fraction(7, 10), Fraction(3, 10)], [Fraction(1), Fraction(0)]))},
    "top_p_nine_tenths": {
        "boundary_cold": (True, "V <= 9: a maximal entry is kept before the mass reaches 9/10 (a dropped one is "
                          "smaller than a kept one); power-softened, the argmax entries dominate", None),
        "boundary_hot": (False, "the largest entry alone has mass 19/20: F = (1, 0) for every T",
                         ([Fraction(19, 20), Fraction(1, 20)], [Fraction(1), Fraction(0)]))},
    "mixed_with_uniform": {"boundary_cold": (False, "w = 1/(1 + T) -> 1: F -> uniform on all V",
                                             ([Fraction(7, 10), Fraction(3, 10)], [Fraction(1, 2), Fraction(1, 2)])),
                           "boundary_hot": (True, "w -> 0 and softmax(log p / T) -> uniform", None)},
    "renormalised_p": {"boundary_cold": (False, "F = p for every T", ([Fraction(7, 10), Fraction(3, 10)], [Fraction(7, 10), Fraction(3, 10)])),
                       "boundary_hot": (False, "F = p for every T", ([Fraction(7, 10), Fraction(3, 10)], [Fraction(7, 10), Fraction(3, 10)]))},
    # -- maps that are no operators (well_defined false) but defined everywhere
    "renormalised_with_a_thousandth_too_much": {
        "boundary_cold": (False, "1001/1000 times temperature scaling: -> (1001/1000) e_argmax",
                          ([Fraction(7, 10), Fraction(3, 10)], [Fraction(1001, 1000), Fraction(0)])),
        "boundary_hot": (False, "-> 1001/1000 times uniform",
                         ([Fraction(7, 10), Fraction(3, 10)], [Fraction(1001, 2000), Fraction(1001, 2000)]))},
    "sparsemax_without_clipping": {
        "boundary_hot": (True, "z = log p / T -> 0, tau -> -1/V: every entry -> 1/V", None)},
    "truncation_without_renormalising": {
        "boundary_cold": (False, "F = (p_max, 0, ...) for every T", ([Fraction(7, 10), Fraction(3, 10)], [Fraction(7, 10), Fraction(0)])),
        "boundary_hot": (False, "F = (p_max, 0, ...) for every T", ([Fraction(7, 10), Fraction(3, 10)], [Fraction(7, 10), Fraction(0)]))},
    "negative_from_V3": {
        "boundary_cold": (False, "V = 3: the smallest entry is -1/10, the largest gets 1 + 1/10 in the limit",
                          ([Fraction(1, 2), Fraction(3, 10), Fraction(1, 5)], [Fraction(11, 10), Fraction(0), Fraction(-1, 10)])),
        "boundary_hot": (False, "V = 3: (1/3 + 1/3 + 1/10, 1/3, -1/10) in the limit",
                         ([Fraction(1, 2), Fraction(3, 10), Fraction(1, 5)], [Fraction(23, 30), Fraction(1, 3), Fraction(-1, 10)]))},
    "large_gap_flips_sign": {
        "boundary_cold": (False, "log(p_max / p_min) / T > 30 for small T: (1 + 1, -1) in the limit",
                          ([Fraction(7, 10), Fraction(3, 10)], [Fraction(2), Fraction(-1)])),
        "boundary_hot": (True, "for large T the gap condition is false: temperature scaling -> uniform", None)},
}


#: continuity and entropy on V in {2, 3}, for the entries whose well_defined holds: name -> {axiom:
#: (holds, why; for a False cell a witness checked numerically by the test: continuity (p, q, T) with
#: q within 10**-30 of p and F_T(p), F_T(q) far apart; entropy (p, T1, T2) with T1 < T2 and
#: H(F_T2(p)) < H(F_T1(p)))}
SMOOTH: dict[str, dict[str, tuple[bool, str, tuple[Any, ...] | None]]] = {
    "temperature_scaling": {"continuity": (True, "one formula p^(1/T) / sum", None),
                            "entropy": (True, "dH/dT = Var_q(log p) / T^3 >= 0", None)},
    "temperature_scaling_via_logs": {"continuity": (True, "softmax(log p / T) on every class", None),
                                     "entropy": (True, "temperature scaling", None)},
    "top1": {"continuity": (False, "the kept entry jumps across a tie",
                            ([Fraction(1, 2), Fraction(1, 2)],
                             [Fraction(1, 2) - Fraction(1, 10**40), Fraction(1, 2) + Fraction(1, 10**40)], 1)),
             "entropy": (True, "F = (1, 0, ...): H = 0 for every T", None)},
    "top2": {"continuity": (False, "V = 3: the kept set jumps across a tie of the two smaller entries",
                            ([Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)],
                             [Fraction(1, 2), Fraction(1, 4) - Fraction(1, 10**40), Fraction(1, 4) + Fraction(1, 10**40)], 1)),
             "entropy": (True, "the kept set does not move with T: temperature scaling on it", None)},
    "top3": {"continuity": (True, "V <= 3: temperature scaling", None),
             "entropy": (True, "V <= 3: temperature scaling", None)},
    "sparsemax_T2": {"continuity": (True, "sparsemax(log p / T^2)", None),
                     "entropy": (True, "sparsemax's entropy grows with its temperature T^2", None)},
    "sparsemax_x2": {"continuity": (True, "sparsemax(log p / (2T))", None),
                     "entropy": (True, "sparsemax at temperature 2T", None)},
    "sparsemax_x1/3": {"continuity": (True, "sparsemax(3 log p / T)", None),
                       "entropy": (True, "sparsemax at temperature T/3", None)},
    "sparsemax_clipped_by_max": {"continuity": (True, "sparsemax(log p / T)", None),
                                 "entropy": (True, "sparsemax's entropy grows with T", None)},
    "entmax15_by_sorting": {"continuity": (True, "1.5-entmax is continuous (V.8 of docs/theory/vector.md)", None),
                            "entropy": (True, "1.5-entmax's entropy grows with T (V.9)", None)},
    "keep_above_mean": {"continuity": (False, "V = 3: an entry at the mean is kept, just below it dropped",
                                       ([Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)],
                                        [Fraction(1, 2) + Fraction(1, 10**40), Fraction(1, 3) - Fraction(1, 10**40), Fraction(1, 6)], 1)),
                        "entropy": (True, "the kept set does not move with T: temperature scaling on it", None)},
    "top_p_nine_tenths": {"continuity": (False, "at p = (9/10, 1/10) the largest entry alone has mass 9/10 and is "
                                         "kept alone; just below, both are kept",
                                         ([Fraction(9, 10), Fraction(1, 10)],
                                          [Fraction(9, 10) - Fraction(1, 10**40), Fraction(1, 10) + Fraction(1, 10**40)], 1)),
                          "entropy": (True, "the kept set depends on p only: temperature scaling on it", None)},
    "mixed_with_uniform": {"continuity": (True, "a convex combination of continuous maps, continuous weights", None),
                           "entropy": (False, "uniform as T -> 0+ (w -> 1), not at T = 1",
                                       ([Fraction(7, 10), Fraction(3, 10)], Fraction(1, 100), Fraction(1)))},
    "renormalised_p": {"continuity": (True, "F = p", None),
                       "entropy": (True, "F = p: H constant in T", None)},
}


#: the gap of ``large_gap_flips_sign``'s jump: at T = 1 the flip happens where log(p_0 / p_1) = 30,
#: i.e. p_1 = 1 / (1 + e^30) = 9.35762296883929895383956...e-14 (irrational); these two rationals
#: lie 10^-50 apart on either side of it
_FLIP_BELOW = Fraction(9357622968839298953839562653284984111, 10**50)
_FLIP_ABOVE = _FLIP_BELOW + Fraction(1, 10**50)

#: the axioms other than ``well_defined`` of the maps that are no operators (well_defined false),
#: read as tests/adversarial_corpus.py reads them: a cell is *settled* (True / False) only where the
#: literal reading (a statement about an undefined value fails) and the "where defined" reading
#: agree, and ``None`` where they disagree — no verdict is right under both, so the tool must leave
#: it ``unknown`` (the axioms presuppose F defined; "false because undefined" would be a reading of
#: our own). Shannon entropy is a function of a *distribution*: ``H(F_T(p))`` of a vector that is no
#: distribution is undefined, so entropy is ``None`` for every map here (vacuous where defined).
#: The limits are in ``LIMITS`` (a cell here only when it is ``None`` or not yet decided there).
#: name -> {axiom: (holds | None, why, witness)}: witnesses as in ``POINTWISE`` (ranking, identity;
#: floats, checked in 50 digits), ``SMOOTH`` (continuity: exact p, q, T) and, for a limit that does
#: not exist, ``(p, entry)``: that entry of F_T(p) is unbounded as T -> 0+.
NON_OPERATORS: dict[str, dict[str, tuple[bool | None, str, Any]]] = {
    "renormalised_with_a_thousandth_too_much": {
        "ranking": (True, "1001/1000 times temperature scaling: increasing in p", None),
        "identity": (False, "F_1 = (1001/1000) p", ([0.7, 0.3], 1)),
        "continuity": (True, "1001/1000 times one formula", None),
        "entropy": (None, "F sums to 1001/1000: H(F) is the entropy of no distribution", None)},
    "sparsemax_without_clipping": {
        "ranking": (True, "z_i - tau with z = log p / T: increasing in p", None),
        "identity": (False, "F_1(p)_0 = (log(7/3) + 1) / 2 = 0.92 at p = (0.7, 0.3)", ([0.7, 0.3], 1)),
        "continuity": (True, "one formula, log p / T - (sum log p / T - 1) / V", None),
        "entropy": (None, "an entry is negative at small T: H undefined there, non-decreasing where defined", None),
        "boundary_cold": (False, "(log(p_i) - mean log p) / T + 1/V: the smaller entry tends to -oo, no limit",
                          ([Fraction(7, 10), Fraction(3, 10)], 1))},
    "truncation_without_renormalising": {
        "ranking": (False, "V = 3: F = (p_0, 0, 0), F_1 = F_2 although p_1 > p_2", ([0.5, 0.3, 0.2], 1)),
        "identity": (False, "F_1(p) = (p_max, 0)", ([0.7, 0.3], 1)),
        "continuity": (False, "the kept entry jumps across a tie",
                       ([Fraction(1, 2), Fraction(1, 2)],
                        [Fraction(1, 2) - Fraction(1, 10**40), Fraction(1, 2) + Fraction(1, 10**40)], 1)),
        "entropy": (None, "F sums to p_max < 1: H(F) is the entropy of no distribution", None)},
    "negative_from_V3": {
        "ranking": (True, "the largest output grows, the smallest is -1/10 < every other output (each > 0); "
                    "V = 2: temperature scaling", None),
        "identity": (False, "V = 3: F_1(p)_2 = -1/10", ([0.5, 0.3, 0.2], 1)),
        "continuity": (False, "V = 3: which of two tied largest entries gets the extra mass jumps",
                       ([Fraction(2, 5), Fraction(2, 5), Fraction(1, 5)],
                        [Fraction(2, 5) - Fraction(1, 10**40), Fraction(2, 5) + Fraction(1, 10**40), Fraction(1, 5)], 1)),
        "entropy": (None, "V = 3: an entry is -1/10 for every p, T: H undefined", None)},
    "pole_at_ties": {
        "ranking": (None, "V = 3: F undefined at p = (1/4, 1/4, 1/2), where p_2 > p_0; temperature scaling "
                    "where defined", None),
        "identity": (None, "F_1 undefined at ties, = p elsewhere", None),
        "continuity": (None, "a removable pole at ties: continuous where defined", None),
        "entropy": (None, "undefined at ties, temperature scaling elsewhere", None),
        "boundary_cold": (None, "at a tie p_0 = p_1 F_T(p) is undefined for every T", None),
        "boundary_hot": (None, "at a tie p_0 = p_1 F_T(p) is undefined for every T", None)},
    "log_of_a_difference": {
        "ranking": (None, "undefined where p_1 > p_0 (a pair the axiom quantifies over); temperature scaling "
                    "where defined", None),
        "identity": (None, "F_1 undefined where p_0 <= p_1, = p elsewhere", None),
        "continuity": (None, "continuous where defined (p_0 > p_1)", None),
        "entropy": (None, "undefined where p_0 <= p_1, temperature scaling elsewhere", None),
        "boundary_cold": (None, "undefined for every T where p_0 <= p_1", None),
        "boundary_hot": (None, "undefined for every T where p_0 <= p_1", None)},
    "sqrt_squared_of_a_log_gap": {
        "ranking": (None, "undefined where p_1 > p_0; temperature scaling where defined", None),
        "identity": (None, "F_1 undefined where p_0 < p_1, = p elsewhere", None),
        "continuity": (None, "continuous where defined (p_0 >= p_1)", None),
        "entropy": (None, "undefined where p_0 < p_1, temperature scaling elsewhere", None),
        "boundary_cold": (None, "undefined for every T where p_0 < p_1", None),
        "boundary_hot": (None, "undefined for every T where p_0 < p_1", None)},
    "large_gap_flips_sign": {
        "ranking": (True, "the largest output grows, the smallest is -1 < every other output (each > 0)", None),
        "identity": (False, "T = 1, log(p_0 / p_1) > 30: F_1(p) = (2, -1)", ([1 - 1e-14, 1e-14], 1)),
        "continuity": (False, "T = 1: the flip at log(p_0 / p_1) = 30 (p_1 = 1 / (1 + e^30), irrational)",
                       ([1 - _FLIP_BELOW, _FLIP_BELOW], [1 - _FLIP_ABOVE, _FLIP_ABOVE], 1)),
        "entropy": (None, "an entry is -1 at small T: H undefined there, non-decreasing where defined", None)},
}

AXIOMS = ("well_defined", "ranking", "continuity", "entropy", "identity", "boundary_cold", "boundary_hot")


#: the cells whose truth on V in {2, ..., 5} (the benchmark's sizes) differs from that on {2, 3}:
#: top3 keeps every entry only while V <= 3, top2 drops one entry only while V <= 3 (every other
#: entry's truth above holds for every V; top2's ranking was missing here until the benchmark
#: reported the verdict on V = 4 as contradicting the V <= 3 truth)
LARGER_V: dict[tuple[str, str], tuple[bool, str]] = {
    ("top2", "ranking"): (False, "V = 4: the two smallest entries both get 0"),
    ("top3", "ranking"): (False, "V = 5: the two smallest entries both get 0"),
    ("top3", "identity"): (False, "V = 4: the smallest entry gets 0"),
    ("top3", "continuity"): (False, "V = 4: the kept set jumps across a tie of the two smallest entries"),
    ("top3", "boundary_cold"): (False, "V = 4, four tied entries: three kept, (1/3, 1/3, 1/3, 0) for every T"),
    ("top3", "boundary_hot"): (False, "V = 4: uniform on the three kept entries"),
}


def truth(name: str, axiom: str, largest_V: int = 3) -> tuple[bool | None, str]:
    """The truth of one cell on V in {2, ..., largest_V} (3 or 5) and why (``None``: not
    settled, see ``NON_OPERATORS``).

    >>> truth("temperature_scaling", "entropy")[0], truth("pole_at_ties", "identity")[0]
    (True, None)
    >>> truth("top3", "identity")[0], truth("top3", "identity", largest_V=5)[0]
    (True, False)
    """
    if largest_V not in (3, 5):
        raise ValueError(f"largest_V must be 3 or 5, got {largest_V!r}")
    if largest_V == 5 and (name, axiom) in LARGER_V:
        return LARGER_V[(name, axiom)]
    if axiom == "well_defined":
        row = next(c for c in CORPUS if c[0] == name)
        return row[2], row[3]
    found = [t[name][axiom][:2] for t in (POINTWISE, LIMITS, SMOOTH, NON_OPERATORS)
             if axiom in t.get(name, {})]
    if len(found) != 1:
        raise KeyError(f"{name} / {axiom}: {len(found)} truths (exactly one expected)")
    holds, why = found[0]
    return holds, why
