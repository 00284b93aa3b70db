"""The proof kernel for vector operators (skd.verify.kernel_vector) and the prover it checks
(skd.verify.provers.vector): well_defined on the declared sizes, re-derived by running the
algorithm on the kernel's own symbolic arithmetic.

The rejections are the adversary's inputs: outputs that miss 1 by a little, a negative entry on a
path that only a large gap (or a small T) reaches, a pole at ties, a complex branch, an algorithm
that computes something else when it sees a symbolic arithmetic, a scope wider than what was
checked, a path explosion.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from skd.operators import library, vector
from skd.verify.kernel_vector import check_vector_proof
from skd.verify.outcome import Outcome
from skd.verify.prove import prove
from skd.verify.provers.vector import prove_well_defined_vector


def _proved(scope: str) -> Outcome:
    return Outcome("proved", "test", scope=scope)


def _op(alg, sizes=(2, 3), name="t"):
    return vector(alg, name=name, definition=f"test algorithm {name}", sizes=sizes)


def _no_lemma(axiom, op):  # the vector prover cites no lemma
    raise AssertionError("no lemma expected")


# -- the built-ins are accepted (small sizes here; the declared sizes in the slow test) ---------


@pytest.mark.parametrize("op", [library.topk, library.sparsemax, library.entmax15], ids=lambda o: o.name)
def test_kernel_vector_accepts_the_builtins_on_V_2_and_3(op):
    ok, msg = check_vector_proof("well_defined", op, _proved("V in {2, 3}"), sizes=(2, 3))
    assert ok, msg
    assert "16 order classes" in msg  # 3 classes for V = 2 (>, <, tie) and 13 for V = 3


@pytest.mark.parametrize("alg", [library.topk_algorithm, library.sparsemax_algorithm, library.entmax15_algorithm],
                         ids=["topk", "sparsemax", "entmax15"])
def test_vector_prover_proves_well_defined_of_the_builtin_algorithms_and_the_kernel_agrees(alg):
    op = _op(alg, sizes=(2, 3))
    out = prove_well_defined_vector(op, None, _no_lemma)
    assert out.status == "proved", out.reason
    assert out.scope == "V in {2, 3}"
    ok, msg = check_vector_proof("well_defined", op, out)
    assert ok, msg


# -- rejections: what the kernel must never accept ------------------------------------------------


def _renormalised_wrongly(p, T, ar):
    s = [ar.pow(ar.num(v), ar.num(1) / T) for v in p]
    tot = s[0]
    for v in s[1:]:
        tot = tot + v
    return [v / tot * ar.num(Fraction(1001, 1000)) for v in s]


def _sparsemax_without_clipping(p, T, ar):
    # the threshold of the whole vector, no support: sums to 1, negative entries when gaps are large
    z = [ar.log(ar.num(v)) / T for v in p]
    tau = (sum(z[1:], z[0]) - ar.num(1)) / ar.num(len(p))
    return [v - tau for v in z]


def _negative_only_past_a_large_gap(p, T, ar):
    # correct softmax of log p / T, except where log(p_0/p_1)/T > 40 (far outside any sampled grid)
    s = [ar.pow(ar.num(v), ar.num(1) / T) for v in p]
    tot = s[0]
    for v in s[1:]:
        tot = tot + v
    out = [v / tot for v in s]
    if ar.gt((ar.log(ar.num(p[0])) - ar.log(ar.num(p[1]))) / T, ar.num(40)):
        out[0], out[1] = out[0] + out[1] + ar.num(1), ar.num(-1)
    return out


def _pole_at_ties(p, T, ar):
    a, b = ar.num(p[0]), ar.num(p[1])
    w = (a - b) / (a - b)  # 1 where defined, 0/0 at p_0 = p_1
    return [w * a / (a + b), b / (a + b)] + [ar.num(0)] * (len(p) - 2)


def _complex_branch(p, T, ar):
    a, b = ar.num(p[0]), ar.num(p[1])
    r = ar.sqrt(b - a)  # imaginary when p_1 < p_0: never compared, never guarded
    return [a / (a + b) + r - r, b / (a + b)] + [ar.num(0)] * (len(p) - 2)


def _two_faced(p, T, ar):
    # well behaved when it sees the symbolic arithmetic, something else otherwise
    s = [ar.num(v) for v in p] if ar.name == "symbolic" else [ar.num(v) * ar.num(v) for v in p]
    tot = s[0]
    for v in s[1:]:
        tot = tot + v
    return [v / tot for v in s]


def _compares_an_entry_with_a_number(p, T, ar):
    if p[0] > Fraction(1, 2):
        return [ar.num(1)] + [ar.num(0)] * (len(p) - 1)
    return [ar.num(v) for v in p]


# -- found by an adversarial review (2026-12-06): pinned ------------------------------------------

_CACHE: dict = {}


def _stale_value_from_an_earlier_run(p, T, ar):
    # a constant kept between calls: the division and square root below would record their side
    # conditions on the run that created it, long finished, and SymPy simplifies (r*r)/x to 1
    one = _CACHE.setdefault(type(ar), ar.num(1))
    q = [ar.num(v) for v in p]
    s = sum(q[1:], q[0])
    x = one * q[0] * 2 - q[-1]
    r = x ** Fraction(1, 2)
    return [q[0] / s * ((r * r) / x)] + [v / s for v in q[1:]]


def _catches_the_kernels_rejection(p, T, ar):
    try:
        small = bool(p[0] < Fraction(1, 1000))  # refused by the kernel's entries; caught here
    except Exception:  # noqa: BLE001 - the adversary's point
        small = False
    q = [ar.num(v) for v in p]
    s = sum(q[1:], q[0])
    return [ar.num(-1), ar.num(2)] + [ar.num(0)] * (len(p) - 2) if small else [v / s for v in q]


def _computes_with_raw_entries(p, T, ar):
    try:
        small = bool(p[0] * 1000 < 1)  # arithmetic on an entry (not ar.num): a TypeError to catch, once
    except Exception:  # noqa: BLE001 - the adversary's point
        small = False
    q = [ar.num(v) for v in p]
    s = sum(q[1:], q[0])
    return [ar.num(-1), ar.num(2)] + [ar.num(0)] * (len(p) - 2) if small else [v / s for v in q]


def _exits(p, T, ar):
    raise SystemExit(3)


def _fails_in_mpmath_only(p, T, ar):
    q = [ar.num(v) for v in p]
    if ar.name == "mpmath":
        raise ValueError("not here")
    s = sum(q[1:], q[0])
    return [v / s for v in q]


@pytest.mark.parametrize("alg, words", [
    (_stale_value_from_an_earlier_run, "computed in an earlier run"),
    (_catches_the_kernels_rejection, "compares an entry of p"),
    (_computes_with_raw_entries, "computes with an entry of p directly"),
    (_exits, "SystemExit"),
    (_fails_in_mpmath_only, "fails in 40-digit arithmetic"),
], ids=["stale-value", "catches-rejection", "raw-entry-arithmetic", "system-exit", "fails-in-mpmath"])
def test_kernel_vector_rejects_what_the_adversary_found(alg, words):
    _CACHE.clear()
    op = _op(alg)
    # the adversary's own run first, so that a value from another arithmetic is cached
    import contextlib

    from skd.operators.arith import MpArith

    with contextlib.suppress(ValueError, ZeroDivisionError, SystemExit):
        alg([Fraction(1, 3), Fraction(2, 3)], Fraction(1), MpArith(30))
    ok, msg = check_vector_proof("well_defined", op, _proved("V in {2, 3}"))
    # (the stale value's x ** (1/2) is refused first since a fractional power written with ** is)
    assert not ok and (words in msg or (alg is _stale_value_from_an_earlier_run and "with **" in msg)), msg


@pytest.mark.parametrize("alg, words", [
    (_renormalised_wrongly, "do not sum to 1"),
    (_sparsemax_without_clipping, "not proved >= 0"),
    (_negative_only_past_a_large_gap, "not proved >= 0"),
    (_pole_at_ties, "the side condition 0 != 0"),
    (_complex_branch, ">= 0 of an operation is not proved"),
    (_two_faced, "does not run the same way in every arithmetic"),
    (_compares_an_entry_with_a_number, "compares an entry of p"),
], ids=["off-by-a-thousandth", "sparsemax-without-clipping", "negative-past-a-large-gap", "pole-at-ties",
        "complex-branch", "two-faced", "entry-vs-number"])
def test_kernel_vector_rejects(alg, words):
    op = _op(alg)
    ok, msg = check_vector_proof("well_defined", op, _proved("V in {2, 3}"))
    # (the stale value's x ** (1/2) is refused first since a fractional power written with ** is)
    assert not ok and (words in msg or (alg is _stale_value_from_an_earlier_run and "with **" in msg)), msg
    # and what a user sees (the prover, then the kernel gate) is never proved
    out = prove("well_defined", op)
    assert out.status != "proved", out


def test_kernel_vector_rejects_a_scope_wider_than_the_sizes_checked():
    ok, msg = check_vector_proof("well_defined", library.topk, _proved("V in {2, 3, 4, 5}"), sizes=(2, 3))
    assert not ok and "scope" in msg, msg
    ok, msg = check_vector_proof("well_defined", library.topk, _proved("full"), sizes=(2,))
    assert not ok and "scope" in msg, msg


def test_kernel_vector_rejects_other_axioms_statuses_and_separable_operators():
    ok, msg = check_vector_proof("continuity", library.topk, _proved("V in {2}"), sizes=(2,))
    assert not ok and "not continuity" in msg, msg
    assert not check_vector_proof("well_defined", library.topk, Outcome("unknown", "t", scope="V in {2}"), sizes=(2,))[0]
    assert not check_vector_proof("well_defined", library.power, _proved("V in {2}"), sizes=(2,))[0]


def test_kernel_vector_rejects_a_path_explosion(monkeypatch):
    import skd.verify.kernel_vector as kv

    def many_branches(p, T, ar):
        a = ar.num(p[0])
        for k in range(1, 12):  # 2**11 paths: no comparison settled by an earlier one (k log a - 1 - λ (j log a - 1)
            ar.gt(ar.log(a) * ar.num(k), ar.num(1))  # has no proved sign; k a - 1 = (a - 1) + (k - 1) a would be)
        return [ar.num(v) / sum((ar.num(w) for w in p[1:]), ar.num(p[0])) for v in p]

    ok, msg = kv.check_vector_proof("well_defined", _op(many_branches, sizes=(2,)), _proved("V in {2}"))
    assert not ok and "paths" in msg, msg


def test_kernel_vector_prunes_only_paths_proved_empty():
    """A comparison whose other branch is empty by an earlier condition opens no path (sparsemax:
    once 1 + k z_k <= cum_k fails, it fails for every larger k), and an independent comparison
    still opens two: the pieces of a strict class of V = 3 are the 3 feasible supports."""
    import skd.verify.kernel_vector as kv

    paths = kv._paths(library.sparsemax_algorithm, ((0,), (1,), (2,)))
    assert len(paths) == 3
    assert sorted(sum(1 for o in path.outs if o != 0) for path in paths) == [1, 2, 3]


def test_check_carries_the_vector_scope_and_recheck_refuses_a_widened_one():
    """The verdict states the sizes the proof covers (never "full"), the operator does not qualify
    on it, and a stored report that widens the scope fails its recheck."""
    import dataclasses

    from skd.verify import check
    from skd.verify.proofcheck import recheck_certificate

    op = _op(library.topk_algorithm, sizes=(2, 3), name="topk23")
    report = check(op, timeout=20, attack_seconds=0.2)
    wd = next(v for v in report.verdicts if v.axiom == "well_defined")
    assert (wd.status, wd.scope) == ("proved", "V in {2, 3}"), wd
    assert not wd.full and not report.qualifies
    assert recheck_certificate(op, wd)[0]
    ok, msg = recheck_certificate(op, dataclasses.replace(wd, scope="full"))
    assert not ok and "scope" in msg, msg


# -- ranking and identity (issue 14: the pointwise axioms of vector operators) ---------------------


def _softmax_of_log(p, T, ar):
    s = [ar.pow(ar.num(v), ar.num(1) / T) for v in p]
    tot = s[0]
    for v in s[1:]:
        tot = tot + v
    return [v / tot for v in s]


def _renormalised(p, T, ar):
    tot = ar.num(p[0])
    for v in p[1:]:
        tot = tot + ar.num(v)
    return [ar.num(v) / tot for v in p]


def _off_simplex_garbage(p, T, ar):
    """p / sum(p) on the simplex; where the entries sum to more than 1 (never on the simplex) the
    reversed vector — defined everywhere, so well_defined holds, and identity holds on the simplex."""
    tot = ar.num(p[0])
    for v in p[1:]:
        tot = tot + ar.num(v)
    out = [ar.num(v) / tot for v in p]
    return out[::-1] if ar.gt(tot, ar.num(1)) else out


def _identity_but_at_ties(p, T, ar):
    out = _renormalised(p, T, ar)
    if p[0] == p[1]:  # an exact comparison of two entries: only on the classes where they tie
        out[0], out[1] = out[0] + out[1] / 10, out[1] * Fraction(9, 10)
    return out


def _identity_but_from_V3(p, T, ar):
    out = _renormalised(p, T, ar)
    return out if len(p) < 3 else [out[-1], *out[1:-1], out[0]]


def _identity_but_where_p0_is_small(p, T, ar):
    out = _renormalised(p, T, ar)
    return out if ar.gt(ar.num(p[0]), ar.num(Fraction(1, 2))) else out[::-1]


def _ranking_but_where_p0_is_small(p, T, ar):
    out = _softmax_of_log(p, T, ar)
    if len(p) >= 3 and not ar.gt(ar.num(p[0]), ar.num(Fraction(1, 2))):
        mid = (out[1] + out[2]) / 2
        out[1], out[2] = mid, mid  # two entries of different value with equal outputs
    return out


@pytest.mark.parametrize("alg", [_softmax_of_log, _renormalised], ids=["softmax_of_log", "renormalised"])
def test_vector_prover_proves_ranking_and_identity_and_the_kernel_agrees(alg):
    op = _op(alg, sizes=(2, 3))
    for axiom in ("ranking", "identity"):
        out = prove(axiom, op)
        assert out.status == "proved", (axiom, out.reason)
        assert out.scope == "V in {2, 3}"
        ok, msg = check_vector_proof(axiom, op, out)
        assert ok, (axiom, msg)


def test_kernel_vector_identity_ignores_pieces_no_simplex_point_takes():
    ok, msg = check_vector_proof("identity", _op(_off_simplex_garbage), _proved("V in {2, 3}"))
    assert ok, msg
    assert prove("identity", _op(_off_simplex_garbage)).status == "proved"


def test_kernel_vector_ranking_of_topk_holds_up_to_V3_and_fails_from_V4():
    # k = 2: for V <= 3 only the smallest entry is dropped (to 0, below every kept one); for V = 4
    # the two smallest both get 0 although one is larger
    assert check_vector_proof("ranking", library.topk, _proved("V in {2, 3}"), sizes=(2, 3))[0]
    ok, msg = check_vector_proof("ranking", library.topk, _proved("V in {2, 3, 4}"), sizes=(2, 3, 4))
    assert not ok and "F_2 - F_3" in msg and "not proved > 0" in msg, msg
    assert prove("ranking", library.topk).status == "unknown"


@pytest.mark.parametrize("axiom, alg, sizes, words", [
    ("ranking", library.sparsemax_algorithm, (2, 3), "not proved > 0"),
    ("ranking", _ranking_but_where_p0_is_small, (2, 3), "not proved > 0"),
    ("identity", library.sparsemax_algorithm, (2,), "is not p_0"),
    ("identity", library.topk_algorithm, (2, 3), "is not p_"),
    ("identity", _identity_but_at_ties, (2, 3), "is not p_0"),
    ("identity", _identity_but_from_V3, (2, 3), "is not p_0"),
    ("identity", _identity_but_where_p0_is_small, (2,), "is not p_0"),
], ids=["sparsemax_ranking", "ranking_but_where_p0_is_small", "sparsemax_identity", "topk_identity",
        "identity_but_at_ties", "identity_but_from_V3", "identity_but_where_p0_is_small"])
def test_kernel_vector_rejects_false_ranking_and_identity_and_the_prover_does_not_claim_them(axiom, alg, sizes, words):
    op = _op(alg, sizes=sizes)
    scope = "V in {" + ", ".join(map(str, sizes)) + "}"
    ok, msg = check_vector_proof(axiom, op, _proved(scope))
    assert not ok and words in msg, msg
    assert prove(axiom, op).status != "proved"


def test_weak_profile_ranking_of_sparse_maps_is_proved_and_the_strict_kernel_still_refuses_it():
    """Sparsemax gives 0 to every entry below its threshold: ranking fails strictly, holds weakly
    (p_i > p_j => F_i >= F_j), which is what the weak profile asks."""
    from skd.theory.axioms import PROFILES

    op = _op(library.sparsemax_algorithm, sizes=(2, 3))
    weak = prove("ranking", op, PROFILES["weak"])
    assert weak.status == "proved" and weak.scope == "V in {2, 3}", weak.reason
    assert any("at least as large" in s.text for s in weak.steps)
    assert check_vector_proof("ranking", op, weak, weak_ranking=True)[0]
    ok, msg = check_vector_proof("ranking", op, weak)  # the paper profile's strict statement
    assert not ok and "not proved > 0" in msg, msg
    assert prove("ranking", op).status != "proved"


def _swaps_the_two_largest(p, T, ar):
    out = _softmax_of_log(p, T, ar)
    if len(p) >= 3 and not ar.gt(ar.num(p[0]), ar.num(Fraction(1, 2))):
        out[0], out[1] = out[1], out[0]
    return out


def test_weak_ranking_kernel_rejects_a_reversed_pair():
    from skd.theory.axioms import PROFILES

    op = _op(_swaps_the_two_largest, sizes=(3,))
    ok, msg = check_vector_proof("ranking", op, _proved("V in {3}"), weak_ranking=True)
    assert not ok and "not proved >= 0" in msg, msg
    assert prove("ranking", op, PROFILES["weak"]).status != "proved"


def test_recheck_of_a_weak_vector_ranking_verdict_uses_the_weak_statement():
    from skd.verify.checker import check_axiom
    from skd.verify.proofcheck import recheck_certificate

    op = _op(library.sparsemax_algorithm, sizes=(2, 3), name="sparse_small")
    v = check_axiom(op, "ranking", profile="weak", timeout=30)
    assert v.status == "proved" and v.scope == "V in {2, 3}", v.reason
    assert recheck_certificate(op, v, profile="weak")[0]
    ok, msg = recheck_certificate(op, v, profile="paper")  # the strict statement is not what was proved
    assert not ok, msg


def _two_faced_behind_a_vanishing_comparison(p, T, ar):
    """Out of contract (reads ar.name), a test of the guard: one comparison whose value is below
    1e-25 at both base spot points (exp(-1000/T) (T - 1)) made every piece 'unsure', so the spot
    check compared nothing and accepted (found by the adversarial review of 2026-12-06)."""
    q = [ar.num(v) for v in p]
    ar.gt(ar.exp(ar.num(-1000) / T) * (T - 1), ar.num(0))
    s = q if ar.name == "symbolic" else [v * v for v in q]
    tot = s[0]
    for v in s[1:]:
        tot = tot + v
    return [v / tot for v in s]


def _nothing_comparable_anywhere(p, T, ar):
    ar.gt(ar.exp(ar.num(-10**6) / T) * (T - 1), ar.num(0))
    return _renormalised(p, T, ar)


def test_kernel_vector_spot_check_falls_back_when_no_piece_can_be_compared_and_rejects_if_none_can():
    ok, msg = check_vector_proof("identity", _op(_two_faced_behind_a_vanishing_comparison), _proved("V in {2, 3}"))
    assert not ok and "does not run the same way in every arithmetic" in msg, msg
    ok, msg = check_vector_proof("well_defined", _op(_nothing_comparable_anywhere), _proved("V in {2, 3}"))
    assert not ok and "compares no piece" in msg, msg


def test_identity_at_T1_is_decided_in_symbols_without_together(monkeypatch):
    """The kernel's identity check of temperature scaling at ``T = 1`` on the simplex (a rational
    function of ``exp(d_k)``) is decided with the exponentials as symbols: ``together``, whose
    common-factor search took ~50 s for V <= 5, is not called; and a non-zero difference is still
    found non-zero."""
    import sympy as sp

    import skd.verify.kernel_vector as kv

    groups = ((0,), (1,), (2, 3))
    values, syms = kv._class_values(groups)
    a = syms[0]
    at = {a: 1 / sp.Add(*[v / a for v in values])}
    total = sp.Add(*values)
    F0 = (values[0] / total).xreplace(at)

    def no_together(*args, **kwargs):
        raise AssertionError("together called")

    monkeypatch.setattr(kv.sp, "together", no_together)
    assert kv._is_identically_zero(F0 - values[0].xreplace(at))
    monkeypatch.undo()
    assert not kv._is_identically_zero(F0 - values[1].xreplace(at))


def _boundary_piece(value_on_it):
    """Temperature scaling, except where log(p_0 / p_1) = 1 exactly (a boundary piece reached by two
    non-strict comparisons), where the outputs are ``value_on_it(F)``."""

    def alg(p, T, ar):
        s = [ar.pow(ar.num(v), ar.num(1) / T) for v in p]
        tot = s[0]
        for v in s[1:]:
            tot = tot + v
        F = [v / tot for v in s]
        d = ar.log(ar.num(p[0])) - ar.log(ar.num(p[1])) - ar.num(1)
        if ar.ge(d, ar.num(0)) and ar.ge(-d, ar.num(0)):
            return value_on_it(F, ar)
        return F

    return alg


def test_a_boundary_piece_is_checked_on_its_equality_and_still_refused_when_wrong():
    """A path pinned to ``c = 0`` by ``c >= 0`` and ``-c >= 0`` is checked with a gap eliminated
    (``_on_its_equalities``): a correct boundary piece passes; one whose outputs sum to 11/10 there is
    refused — the restriction never lets a wrong piece through."""
    import skd.verify.kernel_vector as kv

    fine = _op(_boundary_piece(lambda F, ar: F), sizes=(2,))
    ok, msg = kv.check_vector_proof("well_defined", fine, _proved("V in {2}"))
    assert ok, msg
    wrong = _op(_boundary_piece(lambda F, ar: [ar.num(Fraction(1, 2)), ar.num(Fraction(3, 5))]), sizes=(2,))
    ok, msg = kv.check_vector_proof("well_defined", wrong, _proved("V in {2}"))
    assert not ok and "sum to 1" in msg, msg
    paths = kv._paths(wrong.algorithm, ((0,), (1,)))
    assert any(rel == "==" for path in paths for _, rel in path.conds)
