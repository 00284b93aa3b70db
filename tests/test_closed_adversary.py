"""Adversarial review of the closed simplex (profile ``closed``): Theorem C's trusted check
(skd.verify.kernel_closed), its prover and wiring (skd.verify.provers.closed, skd.verify.prove),
``skd recheck`` and the vector built-ins' closed theorems (Z.1-Z.3).

Every truth below is established by an independent mpmath evaluation written here (40+ digits,
never skd's evaluators), following the semantics stated in docs/theory/closed.md: at p_i = 0 the
score's formula *as written* is evaluated at x = 0 (a value of the formula, not a limit), and a
formula undefined at 0 (0 to a negative power, division by 0) makes F undefined on every p with
a zero.

Tests named ``test_hole_*`` / ``test_kernel_contract_*`` FAIL on the code they were written
against: each demonstrates a false ``proved`` (its docstring states the right behaviour).
Tests named ``test_held_*`` pass and name the attack they pin.
"""

from __future__ import annotations

from fractions import Fraction as Q

import mpmath
import pytest

from skd.operators import library, separable
from skd.theory.axioms import PROFILES
from skd.verify.kernel_closed import CLOSED_STEP, OPEN_LEMMA, check_closed_proof
from skd.verify.outcome import Outcome
from skd.verify.prove import lemma_outcomes, prove
from skd.verify.verdict import Step, Verdict

CLOSED, PAPER = PROFILES["closed"], PROFILES["paper"]
AX = ("well_defined", "ranking", "continuity", "entropy", "identity", "boundary_cold", "boundary_hot")

_MP = mpmath.MPContext()
_MP.dps = 50


# -- independent evaluation (mpmath, written here) -----------------------------------------------


def _pow(base, ex):
    """base**ex as the formula is written; None when undefined (0 to a power <= 0 with a
    division by 0, or a non-finite result)."""
    base, ex = _MP.mpf(base), _MP.mpf(ex)
    if base == 0:
        if ex > 0:
            return _MP.zero
        if ex == 0:
            return _MP.one
        return None  # 0 to a negative power: 1/0
    return _MP.power(base, ex)


def _mul(*factors):
    if any(f is None for f in factors):
        return None
    out = _MP.one
    for f in factors:
        out *= f
    return out


def _F(g, p, T):
    """F_T(p) = g(p_i)/sum_j g(p_j) from an independent score g(x, T, V) (None if undefined)."""
    V = len(p)
    gs = [g(_MP.mpf(Q(v).numerator) / Q(v).denominator, _MP.mpf(Q(T).numerator) / Q(T).denominator, V) for v in p]
    if any(v is None or not _MP.isfinite(v) for v in gs):
        return None
    Z = sum(gs)
    if Z == 0:
        return None
    return [v / Z for v in gs]


def _forged(axiom: str, breakpoints: str = "", extra: tuple = ()) -> Outcome:
    return Outcome("proved", "forged", scope="full", steps=[
        Step("open", "lemma", ((OPEN_LEMMA, axiom),)),
        Step("closed", CLOSED_STEP, (("breakpoints", breakpoints), *extra))])


def _kernel(axiom: str, op, out: Outcome, open_out: Outcome | None = None, open_op=None) -> tuple[bool, str]:
    open_out = open_out or prove(axiom, op, PAPER)
    return check_closed_proof(axiom, op, out, open_outcome=open_out,
                              open_lemmas=lemma_outcomes(open_op or op, open_out, PAPER))


# -- HOLE 1: _resolve rebuilds the score with SymPy's automatic simplification --------------------
#
# kernel_closed._resolve replaces each switch by its branch and rebuilds every node with
# ``e.func(*args)``; SymPy then merges x**(2/T) * x**(-1/T) into x**(1/T) (and x**2 * x**-1 into
# x). The kernel reads the power sum off the *merged* tree, while the evaluators compute the tree
# as stored: 0**(2/T) * 0**(-1/T) = 0 * (1/0) at x = 0, undefined. On the open simplex both
# operators below are exactly power / the identity map, so every open-simplex proof is genuine.

#: as written: x**(2/T) * x**(-1/T) for T < 1 and 2 * x**(2/T) * x**(-1/T) for T >= 1
ZERO_TIMES_INF = "x**(2/T)*Piecewise((x**(-1/T), T < 1), (2*x**(-1/T), True))"
#: as written: x**2 * (1/x) (T < 1) and x**2 * (2/x) (T >= 1): F = p on the open simplex
DIV_BY_X = "x**2*Piecewise((1/x, T < 1), (2/x, True))"


def _g_zero_times_inf(x, T, V):
    branch = _pow(x, -1 / T) if T < 1 else _mul(2, _pow(x, -1 / T))
    return _mul(_pow(x, 2 / T), branch)


def _g_div_by_x(x, T, V):
    inv = None if x == 0 else 1 / x
    return _mul(x ** 2, inv if T < 1 else _mul(2, inv))


def test_independent_truth_of_the_two_hole_operators():
    """(Passes: the ground truth of the holes below.) Both written formulas are undefined at
    x = 0 for every T, so F_T(p) is undefined at p = (1, 0) and (1/2, 1/2, 0) for every T (here
    T = 2/3, 1, 5/2), while on the open simplex they are power and the identity map."""
    for g in (_g_zero_times_inf, _g_div_by_x):
        for T in (Q(2, 3), Q(1), Q(5, 2)):
            assert _F(g, [Q(1), Q(0)], T) is None
            assert _F(g, [Q(1, 2), Q(1, 2), Q(0)], T) is None
    # open simplex: power (x**(1/T)) and identity
    F = _F(_g_zero_times_inf, [Q(7, 10), Q(3, 10)], Q(2, 3))
    want = [_MP.mpf(7) ** 1.5 / (_MP.mpf(7) ** 1.5 + _MP.mpf(3) ** 1.5), None]
    assert abs(F[0] - want[0]) < _MP.mpf(10) ** -40
    F = _F(_g_div_by_x, [Q(7, 10), Q(3, 10)], Q(5, 2))
    assert abs(F[0] - _MP.mpf(7) / 10) < _MP.mpf(10) ** -40


@pytest.mark.parametrize("axiom", AX)
def test_hole_resolve_merges_zero_times_infinity_into_a_power_sum(axiom):
    """HOLE. ``prove(axiom, separable(ZERO_TIMES_INF), closed)`` returns ``proved`` for all seven
    axioms, but F is undefined at every p with a zero (0**(2/T) * 0**(-1/T) = 0 * (1/0)), e.g.
    p = (1, 0), T = 2/3: each axiom's closed statement fails there. Right behaviour: ``unknown``
    (or ``refuted``) — the kernel must decide Theorem C on the tree the evaluators compute (no
    re-simplification when a switch is resolved, or a definedness check of every node at x = 0)."""
    assert _F(_g_zero_times_inf, [Q(1), Q(0)], Q(2, 3)) is None
    op = separable(ZERO_TIMES_INF, name="zero_times_inf")
    assert prove(axiom, op, PAPER).status == "proved"  # genuine: on the open simplex this is power
    out = prove(axiom, op, CLOSED)
    assert out.status != "proved", f"{axiom}: false 'proved' on the closed simplex ({out.method})"


@pytest.mark.parametrize("axiom", ("well_defined", "ranking", "identity"))
def test_hole_resolve_merges_division_by_x(axiom):
    """HOLE. ``x**2*Piecewise((1/x, T < 1), (2/x, True))``: the kernel resolves the Piecewise and
    reads ``x`` (resp. ``2*x``), the evaluators compute x**2 * (1/x), a division by exactly 0 at
    p_i = 0 (ZeroDivisionError in every arithmetic). Closed well_defined/ranking/identity are
    false at p = (1, 0) (F undefined); right behaviour: not ``proved``."""
    assert _F(_g_div_by_x, [Q(1), Q(0)], Q(1, 2)) is None
    op = separable(DIV_BY_X, name="div_by_x")
    out = prove(axiom, op, CLOSED)
    assert out.status != "proved", f"{axiom}: false 'proved' on the closed simplex"


def test_hole_the_trusted_kernel_accepts_the_certificate_directly():
    """HOLE (the trusted check itself). ``check_closed_proof`` accepts the certificate (open
    lemma + breakpoints ``1``) for ZERO_TIMES_INF's well_defined. Right behaviour: rejected."""
    op = separable(ZERO_TIMES_INF, name="zero_times_inf")
    ok, msg = _kernel("well_defined", op, _forged("well_defined", "1"))
    assert not ok, msg


def test_hole_public_checker_reports_proved_for_a_single_axiom():
    """HOLE through the public checker. ``check_axiom(op, "ranking", profile="closed")`` returns
    a ``proved`` verdict (the refuter only attacks briefly after a proof, and catches only
    well_defined's undefinedness, where ``check`` then raises InternalConsistencyError). Ranking
    is false at p = (1, 0), T = 2/3 (F undefined). Right behaviour: not ``proved``."""
    from skd.verify.checker import check_axiom

    op = separable(ZERO_TIMES_INF, name="zero_times_inf")
    verdict = check_axiom(op, "ranking", profile="closed", timeout=60, attack_seconds=0.2)
    assert verdict.status != "proved", verdict


def test_hole_recheck_accepts_the_false_certificate():
    """HOLE through ``skd recheck``: the closed well_defined certificate of ZERO_TIMES_INF is
    re-derived and accepted. Right behaviour: recheck fails (the statement is false)."""
    from skd.verify.proofcheck import recheck_certificate

    op = separable(ZERO_TIMES_INF, name="zero_times_inf")
    out = prove("well_defined", op, CLOSED)
    if out.status != "proved":
        return  # nothing to recheck: the prover no longer claims it
    verdict = Verdict(axiom="well_defined", status="proved", method=out.method, scope=out.scope,
                      certificate=tuple(out.steps))
    ok, msg = recheck_certificate(op, verdict, profile="closed")
    assert not ok, msg


# -- HOLE 2 (kernel contract): the open-simplex lemma is not bound to the axiom ---------------------


def test_kernel_contract_the_open_outcome_is_bound_by_the_caller_and_prove_binds_the_axioms_own():
    """The trusted check takes the open-simplex outcome from its caller, and the separable kernel
    re-checks only the steps shown (as for every separable proof: the structure is re-derived by
    ``skd recheck``), so ``check_closed_proof("identity", x**2, ...)`` given x**2's open
    *well_defined* proof would accept it (stated in kernel_closed's docstring). The entry points
    bind it: ``prove`` passes ``prove(axiom, op, paper)`` for the same axiom and operator, and
    recheck re-derives it. Pinned here through ``prove``: identity and the cold limit of x**2 are
    false on the closed simplex (F_1((2/3, 1/3, 0)) = (4/5, 1/5, 0); F_T does not move with T) and
    are not proved."""
    sq = separable("x**2", name="sq")
    F = _F(lambda x, T, V: x ** 2, [Q(2, 3), Q(1, 3), Q(0)], Q(1))
    assert abs(F[0] - _MP.mpf(4) / 5) < _MP.mpf(10) ** -40  # identity false, limit false
    assert prove("identity", sq, CLOSED).status != "proved"
    assert prove("boundary_cold", sq, CLOSED).status != "proved"


# -- attacks that held ------------------------------------------------------------------------------


def test_held_exponent_vanishing_at_V_2_is_not_proved():
    """x**(V-2)*x**(1/T)... written as x**(V - 2): at V = 2 the score is 0**0 = 1 = g(1), so
    F((1, 0)) = (1/2, 1/2) and closed ranking is false; the kernel's V = 2 case refuses it."""
    F = _F(lambda x, T, V: _pow(x, V - 2), [Q(1), Q(0)], Q(1))
    assert F[0] == F[1]
    assert prove("ranking", separable("x**(V - 2)", name="v2"), CLOSED).status != "proved"


def test_held_negative_constant_term_is_not_proved():
    """x**(1/T) - 1/10: a zero entry gets a negative share at p = (1, 0); closed well_defined is
    not proved (c_0 >= 0 fails)."""
    F = _F(lambda x, T, V: _pow(x, 1 / T) - _MP.mpf(1) / 10, [Q(1), Q(0)], Q(1))
    assert F[1] < 0
    assert prove("well_defined", separable("x**(1/T) - 1/10", name="neg"), CLOSED).status != "proved"


def test_held_switch_in_x_is_not_proved():
    """Max(x, 1/10)*x**0...: Max(x, 1/10) is flat on [0, 1/10], so p = (1/20, 0, 19/20) has
    F_1 = F_2 with p_1 > p_2: closed ranking is false; a switch in x is outside Theorem C."""
    F = _F(lambda x, T, V: max(x, _MP.mpf(1) / 10), [Q(1, 20), Q(0), Q(19, 20)], Q(1))
    assert F[0] == F[1]
    assert prove("ranking", separable("Max(x, 1/10)", name="mx"), CLOSED).status != "proved"
    assert prove("ranking", separable("x**(1/T)*Max(x, 1/10)", name="mx2"), CLOSED).status != "proved"


def test_held_pseudo_count_hot_limit_is_not_proved():
    """x**(1/T) + 1/V: at p = (1, 0), T = 10**8 the zero keeps mass ~ 1/4 (g(0) = 1/2, g(1) ~ 3/2), not
    the u_S limit 0."""
    F = _F(lambda x, T, V: _pow(x, 1 / T) + _MP.mpf(1) / V, [Q(1), Q(0)], Q(10**8))
    assert abs(F[1] - _MP.mpf(1) / 4) < _MP.mpf(10) ** -6
    assert prove("boundary_hot", separable("x**(1/T) + 1/V", name="pc"), CLOSED).status != "proved"


@pytest.mark.parametrize("score", ["exp(log(x)/T)", "x**(1/T)*(1 - log(x))", "x**(1/T) + x*log(x) + 1", "x**(T - 1)"])
def test_held_scores_outside_the_class_are_not_proved(score):
    """log(0) in the written score (undefined at a zero in exact arithmetic, closed.md), an
    exponent that is <= 0 on part of the T-axis (x**(T - 1): 0**0 = 1 = g(1) at T = 1, so ranking
    fails at p = (1, 0); 1/0 at T = 1/2): closed well_defined and ranking are not proved."""
    assert _F(lambda x, T, V: _pow(x, T - 1), [Q(1), Q(0)], Q(1, 2)) is None
    F = _F(lambda x, T, V: _pow(x, T - 1), [Q(1), Q(0)], Q(1))
    assert F[0] == F[1]
    op = separable(score, name="outside")
    for axiom in ("well_defined", "ranking"):
        assert prove(axiom, op, CLOSED).status != "proved", (score, axiom)


def test_held_open_lemma_of_another_operator_with_sign_steps_is_rejected():
    """power's open identity certificate (a sign step d/dx(g/x) = 0 re-derived from the score)
    is refused for x**2: the kernel re-derives sign steps from the operator in hand."""
    sq = separable("x**2", name="sq")
    ident = prove("identity", library.power, PAPER)
    ok, msg = _kernel("identity", sq, _forged("identity"), open_out=ident, open_op=library.power)
    assert not ok, msg


@pytest.mark.parametrize("bad", ["1/0", "nan", "inf", "0", "-1", "2, 1", "1, 1", "pi", "1 2",
                                 ", ".join(str(i) for i in range(1, 40))])
def test_held_malformed_breakpoints_are_refused(bad):
    ok, msg = _kernel("well_defined", library.mixture, _forged("well_defined", bad))
    assert not ok, (bad, msg)


def test_held_extra_certificate_steps_or_lemma_args_are_refused():
    op = library.power
    out = _forged("ranking")
    bad_steps = Outcome("proved", "forged", scope="full", steps=[*out.steps, Step("x", "lemma", (("axiom", "x"),))])
    bad_lemma = Outcome("proved", "forged", scope="full", steps=[
        Step("open", "lemma", ((OPEN_LEMMA, "ranking"), ("extra", "1"))), out.steps[1]])
    partial = Outcome("proved", "forged", scope="V in {2}", steps=list(out.steps))
    for forged in (bad_steps, bad_lemma, partial):
        ok, msg = _kernel("ranking", op, forged)
        assert not ok, msg


def test_held_parameters_and_written_side_conditions_are_refused():
    from skd.operators import Param

    op = separable("x**(1/T)*a", name="pa", params=[Param("a", 1, 2)])
    assert prove("well_defined", op, CLOSED).status != "proved"
    op = separable("x**(1/T)*(T - 1)/(T - 1)", name="sc")
    assert prove("well_defined", op, CLOSED).status != "proved"


def test_held_sqrt_and_nested_power_are_proved_and_true():
    """sqrt(x) and (x**2)**(1/T) are increasing power sums with g(0) = 0 as computed; the closed
    ranking proof of sqrt(x) is true (independent values at p = (1/3, 0, 2/3)). (x**2)**(1/T) is
    parsed to x**(2/T) with the written condition x**2 > 0 (the base of a real power): kept since
    a divisor x or a log argument x, which the parser records alike, fails at a zero entry
    (tests/test_declare.py), so its closed proof is now ``unknown`` — conservative, not wrong."""
    for score, g, proved in (("sqrt(x)", lambda x, T, V: _MP.sqrt(x), True),
                             ("(x**2)**(1/T)", lambda x, T, V: _pow(_pow(x, 2), 1 / T), False)):
        op = separable(score, name="ok")
        assert (prove("ranking", op, CLOSED).status == "proved") is proved, score
        F = _F(g, [Q(1, 3), Q(0), Q(2, 3)], Q(3, 7))
        assert F[1] == 0 and F[0] > 0 and F[2] > F[0] and abs(sum(F) - 1) < _MP.mpf(10) ** -45


# -- vector built-ins on the closed simplex ------------------------------------------------------


def _sparsemax_indep(z):
    zs = sorted(z, reverse=True)
    k_best, cum_best, cum = 1, zs[0], _MP.zero
    for k, v in enumerate(zs, start=1):
        cum += v
        if 1 + k * v > cum:
            k_best, cum_best = k, cum
    tau = (cum_best - 1) / k_best
    return [max(v - tau, _MP.zero) for v in z]


@pytest.mark.parametrize("p", [(Q(1, 2), Q(0), Q(1, 3), Q(1, 6)), (Q(0), Q(1), Q(0), Q(0)),
                               (Q(1, 2), Q(0), Q(1, 2), Q(0)), (Q(0), Q(3, 5), Q(0), Q(2, 5))])
def test_held_sparsemax_zeros_dropped_against_an_independent_sparsemax(p):
    """Z.1/Z.2 for sparsemax: at points with zeros (|S| = 1, ties, x + y = 1) skd's algorithm
    equals an independent 50-digit sparsemax of log(p_S)/T padded with zeros, sums to 1 and is
    >= 0; near a point with several zeros (e = 10**-500) the small entries are 0 (Z.3)."""
    from skd.operators.arith import MpArith

    for T in (Q(1, 3), Q(2), Q(40)):
        got = library.sparsemax.algorithm(list(p), T, MpArith(50))
        S = [i for i, v in enumerate(p) if v > 0]
        tt = _MP.mpf(T.numerator) / T.denominator
        sub = _sparsemax_indep([_MP.log(_MP.mpf(p[i].numerator) / p[i].denominator) / tt for i in S])
        want = [_MP.zero] * len(p)
        for i, v in zip(S, sub):
            want[i] = v
        assert all(abs(_MP.mpf(a) - b) < _MP.mpf(10) ** -40 for a, b in zip(got, want))
    e = Q(1, 10**500)
    near = library.sparsemax.algorithm([1 - 2 * e, e, e], Q(40), MpArith(60))
    assert near[1] == 0 and near[2] == 0 and near[0] == 1
