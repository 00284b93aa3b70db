"""The prover dispatcher: :func:`prove` runs the symbolic prover of one axiom (:mod:`skd.verify.provers`)
and returns an :class:`Outcome`, memoised per definition and prover version.

Around each prover it adds what no single prover knows: the lemma ``g > 0`` (well_defined) that
every reduction theorem assumes, cited as a lemma step (or, for a limit, ``g > 0`` near its end);
the second routes through ``-g`` and through ``sigma(V) g`` (same ``F``) when the direct route is
undecided; and the independent kernel (:mod:`skd.verify.kernel`), which every ``proved`` outcome
passes before anyone sees it. Provers that cite another axiom get it through ``lemma``, which
calls back into :func:`prove`. Theorem statements and proofs: ``docs/theory/reductions.md``.

Obligations can be expensive; :mod:`skd.verify.checker` runs each prover in a worker process
under a time budget.

>>> from skd.operators import library
>>> prove("identity", library.power).status
'proved'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from fractions import Fraction

import sympy as sp

from skd.operators.arith import ArbArith
from skd.operators.declare import Operator
from skd.operators.errors import SkdError
from skd.operators.evaluate import eval_expr
from skd.operators.kinds import OperatorKind, spec_of
from skd.operators.symbols import T, V, x
from skd.theory.axioms import PROFILES, Profile

from .axioms import prover_for, rules_for
from .axioms.base import axiom_named
from .kernel_closed import CLOSED_STEP, check_closed_proof
from .outcome import Outcome, Prover
from .provers.boundary import local_positivity
from .provers.closed import prove_closed_separable
from .provers.common import (
    DERIVATIONS,
    NEGATION_LEMMA,
    SIGN_FACTOR_LEMMA,
    derive,
    is_negated,
    remember_expr,
    require_separable,
    with_step_data,
)
from .provers.theorems import is_by_theorem, prove_by_theorem
from .regions import Unsupported, resolve_v, v_cases
from .verdict import Step

__all__ = ["Outcome", "prove", "derive", "DERIVATIONS", "lemma_outcomes", "PROVER_VERSION", "memo_keys",
           "memo_since", "seed_memo"]

def _prover_for(axiom_id: str, op: Operator) -> Prover:
    """The prover the axiom's rules register for ``op``'s kind (:mod:`skd.verify.axioms`);
    :class:`~skd.verify.regions.Unsupported` when there is none (an ``unknown``, ``unsupported``)."""
    prover = prover_for(axiom_id, op.kind)
    if prover is None:
        raise Unsupported(f"no symbolic prover for {axiom_id} of {op.kind} operators")
    return prover


#: Bump when a prover's logic changes: memoised outcomes are keyed by it.
PROVER_VERSION = "7"
_MEMO: dict[tuple[str, str, str, str], Outcome] = {}


def prove(axiom_id: str, op: Operator, profile: Profile | None = None) -> Outcome:
    """Run the prover for ``axiom_id`` (no budget here; see :mod:`skd.verify.checker`).

    Outcomes are memoised in-process by (prover version, axiom, operator content hash,
    profile), never across different definitions or prover versions.
    """
    key = (PROVER_VERSION, axiom_id, op.hash, getattr(profile, "name", "paper"))
    if key not in _MEMO:
        out = _kernel_checked(axiom_id, op, _prove_with_lemmas(axiom_id, op, profile), profile)
        if out.status == "unknown" and _is_open(profile):
            # (the routes through -g and sigma(V) g are for the open simplex: Theorem C of the
            # closed simplex reads the score itself)
            out = _fallback(_via_negated_score, axiom_id, op, profile) or _fallback(_via_v_sign_factor, axiom_id, op, profile) or out
        _MEMO[key] = out
    return _MEMO[key]


def memo_keys() -> set[tuple[str, str, str, str]]:
    """The keys of the outcomes memoised in this process so far (see :func:`memo_since`)."""
    return set(_MEMO)


def memo_since(before: set[tuple[str, str, str, str]]) -> dict[tuple[str, str, str, str], Outcome]:
    """The outcomes memoised in this process since :func:`memo_keys` returned ``before``."""
    return {k: v for k, v in _MEMO.items() if k not in before}


def seed_memo(entries: Mapping[tuple[str, str, str, str], Outcome]) -> int:
    """Add outcomes that :func:`prove` computed in another process of the same check (keyed as
    :func:`prove` keys them: prover version, axiom, operator content hash, profile), so that
    this process does not compute them again. Entries of another prover version are ignored and
    an outcome already here is kept. Returns how many were added."""
    added = 0
    for key, out in entries.items():
        if (isinstance(key, tuple) and len(key) == 4 and key[0] == PROVER_VERSION and isinstance(out, Outcome)
                and key not in _MEMO):
            _MEMO[key] = out
            added += 1
    return added


_Route = Callable[[str, Operator, "Profile | None"], "Outcome | None"]


def _fallback(route: _Route, axiom_id: str, op: Operator, profile: Profile | None) -> Outcome | None:
    """A second route to a proof (through -g, through sigma(V) g): a construct it cannot handle
    means no proof by that route, never a crash."""
    try:
        return route(axiom_id, op, profile)
    except (Unsupported, TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError, sp.PolynomialError):
        return None


def _sign_factor_of(out: Outcome) -> sp.Expr | None:
    for s in out.steps:
        if s.check == "lemma" and SIGN_FACTOR_LEMMA in dict(s.args):
            return (out.exprs or {}).get(dict(s.args)[SIGN_FACTOR_LEMMA])
    return None


def lemma_outcomes(op: Operator, out: Outcome, profile: Profile | None = None) -> dict[str, Outcome]:
    """The proved outcomes of the axioms ``out`` cites as lemmas, transitively, for the kernel
    to check in turn (for the score -g, or sigma(V) * g, when ``out`` is a proof through it)."""
    sigma = _sign_factor_of(out)
    if sigma is not None:
        eff = dataclasses.replace(op, score=sigma * op.score)
    else:
        eff = dataclasses.replace(op, score=-require_separable(op)) if is_negated(out) else op
    found: dict[str, Outcome] = {}
    todo = [out]
    while todo:
        cur = todo.pop()
        for s in cur.steps:
            name = dict(s.args).get("axiom") if s.check == "lemma" else None
            if name and name not in found:
                found[name] = prove(name, eff, profile)
                todo.append(found[name])
    return found


# -- second routes: through -g and through sigma(V) g (F unchanged) -----------------------------

#: hashes of operators made by :func:`_negated` (never negated again)
_NEGATED: set[str] = set()


def _v_sign_factor(op: Operator) -> sp.Expr | None:
    """``sigma(V)``: a Piecewise of +-1 over the V cases of the score's V-only factor ``c(V)``,
    the sign of ``c`` on each case, when ``c`` is negative on some case; None otherwise.
    ``sigma(V) * g`` then has a positive V-only factor, and ``F`` is the same map (W.5, per V)."""
    if op.kind != OperatorKind.SEPARABLE or op.params or op.score is None:
        return None
    c, _rest = op.score.as_independent(x, T, as_Add=False)
    if V not in c.free_symbols or c.free_symbols != {V}:
        return None
    pieces: list[tuple[sp.Expr, sp.Basic]] = []
    any_negative = False
    cases = v_cases(c)
    for v_sub, _label in cases:
        sample = v_sub.subs({sym: sp.Integer(1) for sym in v_sub.free_symbols})
        val = resolve_v(c, v_sub).subs(V, sample)
        if not val.is_number or val.has(sp.zoo, sp.nan) or val == 0:
            return None
        sgn = _number_sign_exact(val)
        if sgn is None:
            return None
        any_negative = any_negative or sgn < 0
        if v_sub.is_Integer:
            cond: sp.Basic = sp.Eq(V, v_sub)
        else:
            # a Möbius map of one fresh positive symbol onto (lo, hi) or (lo, oo)
            (v,) = v_sub.free_symbols
            lo, hi = sp.limit(v_sub, v, 0, "+"), sp.limit(v_sub, v, sp.oo)
            cond = sp.true if hi is sp.oo else sp.And(V > lo, V < hi)
        pieces.append((sp.Integer(sgn), cond))
    if not any_negative or not pieces or pieces[-1][1] is not sp.true:
        return None
    return sp.Piecewise(*pieces)


def _number_sign_exact(v: sp.Expr) -> int | None:
    if v.is_Rational:
        return 1 if v > 0 else -1 if v < 0 else None
    n = sp.N(v, 30)
    return 1 if n > 1e-20 else -1 if n < -1e-20 else None


def _via_v_sign_factor(axiom_id: str, op: Operator, profile: Profile | None) -> Outcome | None:
    """The V-only factor of the score changes sign between V cases (``x**(1/T)*(V - 5/2)``):
    for each fixed ``V``, ``g`` and ``sigma(V) g`` define the same ``F`` (W.5), so the axiom is
    proved for ``sigma(V) g``, whose V-only factor is positive. Proofs only; None otherwise."""
    if op.hash in _NEGATED:
        return None
    sigma = _v_sign_factor(op)
    if sigma is None:
        return None
    op2 = dataclasses.replace(op, score=sigma * op.score, name=f"{op.name}__sign_normalised")
    _NEGATED.add(op2.hash)
    if axiom_named(axiom_id).kind != "limit" and prove("well_defined", op2, profile).status != "proved":
        return None
    out = prove(axiom_id, op2, profile)
    if out.status != "proved":
        return None
    key = remember_expr(sigma)
    lemma = Step(f"F_T(p) is unchanged when g is replaced by sigma(V) g with sigma = {sp.sstr(sigma)} "
                 "(+-1 for each V); the steps below are for sigma(V) g", "lemma", ((SIGN_FACTOR_LEMMA, key),))
    exprs = dict(out.exprs or {})
    exprs[key] = sigma
    return _kernel_checked(axiom_id, op, dataclasses.replace(out, steps=[lemma, *out.steps], exprs=exprs,
                                                             method=out.method + " applied to sigma(V) g (F unchanged)"))


def _negated(op: Operator) -> Operator | None:
    if op.kind != OperatorKind.SEPARABLE or op.hash in _NEGATED or op.score is None:
        return None
    neg = dataclasses.replace(op, score=-op.score, name=f"{op.name}__negated")
    _NEGATED.add(neg.hash)
    return neg


#: points (x, T, V) of the domain where :func:`_positive_at_a_point` evaluates the score
_PROBES = ((Fraction(1, 3), Fraction(1), 3), (Fraction(1, 2), Fraction(2), 2), (Fraction(1, 5), Fraction(1, 2), 4))
_POSITIVE_AT_A_POINT: dict[str, bool] = {}


def _positive_at_a_point(op: Operator) -> bool:
    """``g > 0`` at one of :data:`_PROBES`, certainly (an Arb ball of the score above 0); False
    when undecided, undefined there, or the score has parameters (a shortcut only: False costs
    nothing but time)."""
    if op.kind != OperatorKind.SEPARABLE or op.score is None or op.params:
        return False
    if op.hash not in _POSITIVE_AT_A_POINT:
        ar = ArbArith()
        found = False
        for xv, tv, vn in _PROBES:
            try:
                g = eval_expr(op.score, {x: ar.num(xv), T: ar.num(tv), V: ar.num(Fraction(vn))}, ar)
                found = bool(ar.gt(g, ar.num(0)))
            except (SkdError, TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError):
                found = False
            if found:
                break
        _POSITIVE_AT_A_POINT[op.hash] = found
    return _POSITIVE_AT_A_POINT[op.hash]


def _via_negated_score(axiom_id: str, op: Operator, profile: Profile | None) -> Outcome | None:
    """``F`` is unchanged when the score ``g`` is replaced by ``-g`` (the ratio ``g_i / Σ g_j``
    is, and so is where it is defined): a score that is negative everywhere is proved through
    ``-g > 0`` (docs/theory/reductions.md#negative-scores). Proofs only; None otherwise."""
    if op.hash in _NEGATED or (axiom_named(axiom_id).kind != "limit" and _positive_at_a_point(op)):
        # every axiom but a limit needs -g > 0 on the whole domain (well_defined for -g), which
        # one point with g > 0 rules out: no proof by this route, and none of its cost
        return None
    neg = _negated(op)
    if neg is None:
        return None
    # a limit needs -g > 0 only near its end (B.0), which its own proof for -g establishes
    if axiom_named(axiom_id).kind != "limit" and prove("well_defined", neg, profile).status != "proved":
        return None
    out = prove(axiom_id, neg, profile)
    if out.status != "proved":
        return None
    lemma = Step("F_T(p) is unchanged when g is replaced by -g; the steps below are for the score -g", "lemma",
                 ((NEGATION_LEMMA, "true"),))
    return _kernel_checked(axiom_id, op, dataclasses.replace(out, steps=[lemma, *out.steps],
                                                             method=out.method + " applied to -g (F unchanged)"))


# -- the kernel gate and the lemma g > 0 ---------------------------------------------------------


def _kernel_checked(axiom_id: str, op: Operator, out: Outcome, profile: Profile | None = None) -> Outcome:
    """Every ``proved`` outcome goes through the independent kernel (:mod:`skd.verify.kernel`)
    before anyone sees it; a rejected certificate becomes ``unknown`` (a prover bug)."""
    if out.status != "proved":
        return out
    if op.kind == OperatorKind.VECTOR:
        from .kernel_vector import check_vector_proof

        ok, message = check_vector_proof(axiom_id, op, out, weak_ranking=profile is not None and not profile.strict_ranking,
                                         closed=not _is_open(profile), lemmas=lemma_outcomes(op, out, profile))
        if not ok and any(s.check == "vector_form" for s in out.steps):
            # the prover proposes a form from what it sees (SymPy has already simplified (a - b)/(a - b)
            # to 1); whether every piece is in it, defined, is the kernel's decision, not a prover bug
            return Outcome("unknown", out.method, reason=f"the form is not established: {message}"[:600],
                           reason_kind="undecided", scope=out.scope)
    elif not _is_open(profile) or any(s.check == CLOSED_STEP for s in out.steps):
        # chosen by the profile, not by the certificate's content: under `closed` every separable
        # proof must pass the closed-simplex check (which accepts only its own two-step form), and
        # a closed-simplex certificate under an open profile is refused by it as well
        if _is_open(profile):
            return Outcome("unknown", out.method, reason="the independent proof checker rejected the certificate "
                           "(a prover bug; please report it): a closed-simplex certificate under an open profile",
                           reason_kind="undecided")
        open_out = prove(axiom_id, op, PROFILES["paper"])
        ok, message = check_closed_proof(axiom_id, op, out, open_outcome=open_out,
                                         open_lemmas=lemma_outcomes(op, open_out, PROFILES["paper"]))
        if not ok:
            # the prover proposes Theorem C whenever the open-simplex proof exists; whether the
            # score is in the theorem's class is the kernel's decision, not a prover bug
            return Outcome("unknown", out.method, reason=f"closed simplex: Theorem C does not apply ({message})"[:600],
                           reason_kind="undecided")
        return out
    else:
        from .kernel import check_proof

        ok, message = check_proof(axiom_id, op, out, lemmas=lemma_outcomes(op, out))
    if ok:
        return out
    return Outcome("unknown", out.method, reason=f"the independent proof checker rejected the certificate "
                   f"(a prover bug; please report it): {message}"[:600], reason_kind="undecided")


def _prove_with_lemmas(axiom_id: str, op: Operator, profile: Profile | None) -> Outcome:
    """Every reduction theorem assumes g > 0 (docs/theory/reductions.md): with scores of mixed
    sign the normaliser can be negative or zero and the order of F can reverse. So each axiom
    other than well_defined is proved only on top of a proof that g > 0; its refutations
    (certified counterexamples about F itself) need no such lemma."""
    out = _prove(axiom_id, op, profile)
    rules = rules_for(axiom_id)
    by_form = any(s.check == "vector_form" for s in out.steps)
    vector_ranking = op.kind == OperatorKind.VECTOR and axiom_id == "ranking"
    if (not rules.needs_positive_score or out.status != "proved" or is_by_theorem(out) or by_form or vector_ranking
            or not _is_open(profile)):
        # a proof by theorem carries its own definedness, for every V (the kernel re-checks it);
        # so does a proof by form (docs/theory/vector.md, U.1/U.2: every piece defined, re-checked)
        # and a vector operator's ranking on its pieces (the kernel proves each piece defined; the
        # ranking of F's values needs no distribution: no normaliser whose sign could reverse it);
        # a closed-simplex proof rests on the axiom's open-simplex proof, which carries its own
        # lemmas, and Theorem C's check proves g(0, T, V) >= 0 and g > 0 on (0, 1] itself
        return out
    wd = prove("well_defined", op, profile)
    if wd.status != "proved" or is_negated(wd):
        # the reductions need g > 0 itself; a proof through -g > 0 (g < 0) does not give it.
        # A limit needs it only near its end of the T-axis (reductions.md#boundary, B.0).
        if rules.end is not None:
            local = local_positivity(op, rules.end)
            if local is not None:
                return with_step_data(dataclasses.replace(out, steps=[*local, *out.steps]))
        return Outcome("unknown", out.method, reason=spec_of(op).undefined_reason, reason_kind="undecided")
    lemma = Step(spec_of(op).defined_lemma, "lemma", (("axiom", "well_defined"),))
    return dataclasses.replace(out, steps=[lemma, *out.steps])


def _is_open(profile: Profile | None) -> bool:
    return profile is None or profile.open_simplex


def _prove_closed(axiom_id: str, op: Operator, profile: Profile) -> Outcome:
    """The closed simplex (zeros allowed): the reductions of the open simplex do not apply as
    they stand. Separable scores: Theorem C of docs/theory/closed.md on top of the axiom's
    open-simplex proof; the vector built-ins: the closed-simplex theorems of
    docs/theory/vector.md (Z.1-Z.3); nothing else is proved there."""
    if op.kind == OperatorKind.VECTOR:
        return prove_by_theorem(axiom_id, op, profile, lambda a, o: prove(a, o, profile))
    return prove_closed_separable(axiom_id, op, prove(axiom_id, op, PROFILES["paper"]))


def _prove(axiom_id: str, op: Operator, profile: Profile | None = None) -> Outcome:
    if profile is not None and not profile.open_simplex:
        try:
            out = _prove_closed(axiom_id, op, profile)
        except (TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError, sp.PolynomialError) as exc:
            return Outcome("unknown", "closed", reason=f"closed simplex: could not handle the score "
                           f"({type(exc).__name__}: {exc})"[:300], reason_kind="undecided")
        return out
    try:
        prover = _prover_for(axiom_id, op)
        out = prover(op, profile, lambda a, o: prove(a, o, profile))
    except Unsupported as exc:
        return Outcome("unknown", "symbolic", reason=str(exc), reason_kind="unsupported")
    except (TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError, sp.PolynomialError) as exc:
        # A SymPy corner the prover does not handle: an honest unknown, never a guess.
        return Outcome("unknown", "symbolic", reason=f"prover could not handle the score ({type(exc).__name__}: {exc})"[:300],
                       reason_kind="undecided")
    if out.status == "proved":
        out = with_step_data(out)
    return out
