"""What several provers share: sign steps and the step data they record, the derivations that
:mod:`skd.verify.proofcheck` recomputes, the V and parameter cases, regions and exact sample
points, the written side conditions of a formula, and the certifier's entry point.

>>> from skd.operators import library
>>> [label for _, label in base_cases(library.power)]
['V = 2', 'V > 2']
>>> p_with([Fraction(1, 2)], 3)
[Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any, cast

import sympy as sp

from skd.operators.declare import Operator
from skd.operators.evaluate import log_score
from skd.operators.kinds import OperatorKind
from skd.operators.parse import Obligation
from skd.operators.symbols import T, V, x

from ..budget import Memo
from ..outcome import Outcome
from ..regions import Piece, Unsupported, expand_logs, fresh_symbol, normalize, param_pieces, resolve_v, t_pieces, v_cases
from ..signs import Sign, defined, domain_conditions, sign_of
from ..verdict import Counterexample, Step

__all__ = [
    "DERIVATIONS", "NEGATION_LEMMA", "OBLIGATION_OK", "OBLIGATION_WORDS", "SIGN_FACTOR_LEMMA", "SIGN_WORDS", "Subs",
    "base_cases", "candidates_for", "certify_or_none", "defined_on", "defined_under", "derive", "fresh_x", "frac",
    "guarded", "interval", "is_negated", "p_with", "positive_free", "remember_expr", "require_separable", "sample_values",
    "score_with_obligations", "separable_pieces", "sign_step", "t_sub", "values_dict", "with_step_data", "x_sub",
]

#: a substitution (a region): original symbol -> expression in fresh positive symbols
Subs = Sequence[tuple[sp.Symbol, sp.Expr]]

#: srepr -> expression of every sign step made in this process (filtered per outcome)
_EXPRS: dict[str, sp.Expr] = {}
#: srepr -> substitution of every sign step made in this process (filtered per outcome)
_SUBS: dict[str, tuple[tuple[sp.Symbol, sp.Expr], ...]] = {}


def with_step_data(out: Outcome) -> Outcome:
    """``out`` with the expressions and substitutions of its sign steps attached (for the
    kernel and for proofcheck's spot checks)."""
    wanted = {dict(s.args).get("expr") for s in out.steps}
    wanted_subs = {dict(s.args).get("subs") for s in out.steps}
    return dataclasses.replace(out, exprs={k: v for k, v in _EXPRS.items() if k in wanted},
                               subs={k: v for k, v in _SUBS.items() if k in wanted_subs})


def remember_expr(expr: sp.Expr) -> str:
    """Record ``expr`` in the step data of this process and return its key (its srepr)."""
    key = sp.srepr(expr)
    _EXPRS[key] = expr
    return key


# -- derivations: named expressions that proofcheck recomputes from the definition ------------


def _d_dx(g: sp.Expr) -> sp.Expr:
    return sp.diff(g, x)


def _cross(g: sp.Expr) -> sp.Expr:
    return sp.diff(log_score(g), x, T)


def _over_x(g: sp.Expr) -> sp.Expr:
    return sp.diff(g / x, x)


def _itself(g: sp.Expr) -> sp.Expr:
    return g


#: the named derivations of a piece expression ``g`` that sign steps are about
DERIVATIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "g": _itself,
    "dg/dx": _d_dx,
    "d2(log g)/dxdT": _cross,
    "d/dx (g/x)": _over_x,
}


def derive(name: str, g: sp.Expr) -> sp.Expr:
    """The expression called ``name`` (a key of :data:`DERIVATIONS`) for piece expression ``g``."""
    return DERIVATIONS[name](g)


#: nodes that bind a variable (``diff(floor(x), x)`` stays ``Derivative(floor(x), x)``)
_BINDS = (sp.Derivative, sp.Subs, sp.Integral, sp.Sum, sp.Product, sp.Lambda)


def substitute(e: sp.Expr, env: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """``e`` with the symbols of ``env`` replaced, all at once: structurally (``xreplace``, several
    times faster than ``subs`` on the derivatives the provers decide), or by ``subs`` when ``e``
    holds a node that binds a variable (a ``Derivative`` needs ``subs``' ``Subs`` objects).

    >>> from skd.operators.symbols import T, x
    >>> substitute(x**(1/T), {x: sp.Rational(1, 4), T: sp.Rational(1, 2)})
    1/16
    """
    if e.has(*_BINDS):
        return e.subs(env, simultaneous=True)
    return e.xreplace(env)


# -- sign steps ---------------------------------------------------------------------------------

#: how a sign reads in a step's text
SIGN_WORDS: dict[Sign | None, str] = {"pos": "> 0", "neg": "< 0", "zero": "identically 0"}


#: ``srepr`` of expressions already printed (the same piece and region recur in many steps)
_SREPRS: dict[sp.Basic, str] = {}


def _srepr(e: sp.Basic) -> str:
    got = _SREPRS.get(e)
    if got is None:
        if len(_SREPRS) >= 4096:
            _SREPRS.clear()
        got = _SREPRS[e] = sp.srepr(e)
    return got


def sign_step(expr: sp.Expr, subs: Subs, what: str, where: str, piece_expr: sp.Expr) -> tuple[Sign | None, Step, sp.Expr]:
    """The sign of ``expr`` on the region ``subs`` (None: undecided or not proved defined), the
    certificate step claiming it, and the substituted expression; the step data is recorded."""
    s, e = _sign_on(sp.sympify(expr), tuple(subs))  # safe: SymPy object, not text
    e_key = _srepr(e)
    _EXPRS[e_key] = e
    subs_key = _srepr(sp.Tuple(*[sp.Tuple(a, b) for a, b in subs]))
    _SUBS[subs_key] = tuple((a, b) for a, b in subs)
    step = Step(
        text=f"{what} is {SIGN_WORDS.get(s, 'undecided')} on {where}",
        check="sign",
        args=(
            ("derivation", what),
            ("piece", _srepr(piece_expr)),
            ("subs", subs_key),
            ("expr", e_key),
            ("sign", str(s)),
        ),
    )
    return s, step, e


#: :func:`_sign_on` per (expression, region): the provers ask for the same sign on the same region
#: again (another axiom, the route through -g): a third of the calls on the soundness fuzz's scores
_SIGN_ON = Memo("provers.common._sign_on", limit=4096)


def _sign_on(expr: sp.Expr, subs: Subs) -> tuple[Sign | None, sp.Expr]:
    """The sign of ``expr`` on the region ``subs`` (None: undecided or not proved defined) and the
    substituted expression it was decided on; memoised (a pure function of its arguments)."""
    key = (expr, subs)
    found, value = _SIGN_ON.lookup(key)
    if found:
        return cast("tuple[Sign | None, sp.Expr]", value)
    v_sub = dict(subs).get(V)
    if v_sub is not None:
        expr = resolve_v(expr, v_sub)  # conditions in V alone are constant on the V case
    e = expand_logs(substitute(expr, dict(subs)))
    # definedness before substitution: SymPy evaluates as it substitutes, and a complex
    # intermediate can vanish (cosh(sqrt(T - 2)) at T = 1 becomes cos(1)); every side condition
    # of the expression as it stands must hold strictly on the region (reductions.md D.5)
    s = sign_of(e) if defined_under(expr, subs) else None
    _SIGN_ON.store(key, (s, e))
    return s, e


def defined_under(expr: sp.Expr, subs: Subs) -> bool:
    """Every side condition of ``expr`` (signs.domain_conditions, in the original symbols) holds
    on the region after substitution: denominators non-zero, log/real-power arguments > 0,
    asin/acos ranges, with nothing the walk does not know."""
    env = dict(subs)
    for kind, c in domain_conditions(expr):
        if kind == "unsupported":
            return False
        cs = expand_logs(substitute(c, env))
        if cs.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I) or not positive_free(cs):
            return False
        s = sign_of(cs)
        if not ((kind == "ne0" and s in ("pos", "neg")) or (kind == "gt0" and s == "pos") or (kind == "ge0" and s in ("pos", "zero"))):
            return False
    return True


def defined_on(e: sp.Expr, subs: Subs) -> bool:
    """``e`` is defined (signs.defined) after the substitution ``subs``."""
    return defined(expand_logs(substitute(sp.sympify(e), dict(subs))))  # safe: SymPy object


def positive_free(e: sp.Expr) -> bool:
    """Every free symbol of ``e`` is declared positive (the fresh symbols of a region are)."""
    return all(sym.is_positive is True for sym in e.free_symbols)


# -- cases and regions --------------------------------------------------------------------------


def require_separable(op: Operator) -> sp.Expr:
    """The score of a separable operator; :class:`~skd.verify.regions.Unsupported` for another kind."""
    if op.kind != OperatorKind.SEPARABLE or op.score is None:
        raise Unsupported("symbolic provers handle separable operators only")
    return op.score


def separable_pieces(op: Operator) -> list[Piece]:
    """The pieces in ``T`` of a separable operator's score (Unsupported for another kind)."""
    return t_pieces(require_separable(op))


def base_cases(op: Operator) -> list[tuple[list[tuple[sp.Symbol, sp.Expr]], str]]:
    """V cases × parameter cases, as substitution lists with labels."""
    pcs = param_pieces(op.params)
    out = []
    for v_sub, v_label in v_cases(normalize(op.score)):
        for combo in itertools.product(*pcs) if pcs else [()]:
            subs = [(V, v_sub)] + [(s, e) for s, e, _ in combo]
            out.append((subs, ", ".join([v_label] + [lab for _, _, lab in combo])))
    return out


def t_sub(tp: Piece) -> tuple[sp.Symbol, sp.Expr]:
    """``T`` on the piece ``tp``, in its fresh positive symbol."""
    return (T, tp.substitution(fresh_symbol(T)))


def x_sub(xp: Piece) -> tuple[sp.Symbol, sp.Expr]:
    """``x`` on the piece ``xp``, in its fresh positive symbol."""
    return (x, xp.substitution(fresh_symbol(x)))


def fresh_x() -> sp.Expr:
    """``x`` ranging over (0, 1), in its fresh positive symbol."""
    return 1 / (1 + fresh_symbol(x))


def interval(piece: Piece) -> tuple[sp.Expr, sp.Expr | None]:
    """The ends of a piece (``0`` below; ``1`` above in ``x``, None (unbounded) in ``T``)."""
    lo = sp.Integer(0) if piece.lo is None else piece.lo
    hi = (None if piece.var == T else sp.Integer(1)) if piece.hi is None else piece.hi
    return lo, hi


# -- exact sample points ------------------------------------------------------------------------


def sample_values(subs: Subs, k: int = 1) -> dict[sp.Symbol, sp.Expr]:
    """Exact values of the original symbols at fresh symbols = k."""
    vals = {}
    for sym, e in subs:
        vals[sym] = sp.nsimplify(e.subs({s: sp.Integer(k) for s in e.free_symbols}))
    return vals


def frac(v: sp.Expr) -> Fraction | None:
    """``v`` as a Fraction when it is rational (after nsimplify), else None."""
    v = sp.nsimplify(v)
    if v.is_Rational:
        return Fraction(int(v.p), int(v.q))
    return None


def p_with(entries: Sequence[Fraction], V_: int) -> list[Fraction] | None:
    """A point of the open simplex of size V_ containing ``entries`` (rest equal), or None."""
    rest = Fraction(1) - sum(entries, Fraction(0))
    k = V_ - len(entries)
    if k < 0:
        return None
    if k == 0:
        return list(entries) if rest == 0 else None
    if rest <= 0:
        return None
    return list(entries) + [rest / k] * k


def values_dict(op: Operator, base: Subs) -> dict[str, Fraction] | None:
    """The operator's parameter values at the sample point of the base case (None if irrational)."""
    vals = sample_values(base)
    out = {}
    for prm in op.params:
        f = frac(vals.get(prm.symbol, sp.nan))
        if f is None:
            return None
        out[prm.name] = f
    return out


_CANDIDATES = [
    [Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)],
    [Fraction(7, 10), Fraction(2, 10), Fraction(1, 10)],
    [Fraction(2, 3), Fraction(1, 3)],
    [Fraction(1, 10), Fraction(3, 10), Fraction(6, 10)],
    [Fraction(9, 10), Fraction(1, 20), Fraction(1, 20)],
]


def candidates_for(base: Subs) -> list[list[Fraction]]:
    """The fixed candidate points, or points of the base case's own size when it is larger."""
    n = frac(sample_values(base).get(V, sp.Integer(3)))
    if n is None or n.denominator != 1 or n <= 3:
        return _CANDIDATES
    size = int(n)
    return [p for p in (p_with([Fraction(1, 2), Fraction(1, 4)], size), p_with([Fraction(2, 3), Fraction(1, 6)], size)) if p]


def certify_or_none(name: str, *args: Any, **kwargs: Any) -> Counterexample | None:
    """``skd.verify.certify.<name>(*args, **kwargs)``; None when it fails or does not exist."""
    try:
        from .. import certify
    except ImportError:
        return None
    fn = getattr(certify, name, None)
    if fn is None:
        return None
    try:
        return fn(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a failed certification is simply no counterexample
        return None


# -- the written side conditions ----------------------------------------------------------------

#: wraps the score and the written side conditions so that one piece decomposition serves all
_ALL = sp.Function("_skd_all")

#: how a written side condition reads, by its kind
OBLIGATION_WORDS = {"ne0": "!= 0", "gt0": "> 0", "ge0": ">= 0"}
#: the signs that discharge a written side condition, by its kind
OBLIGATION_OK: dict[str, tuple[Sign, ...]] = {"ne0": ("pos", "neg"), "gt0": ("pos",), "ge0": ("pos", "zero")}


def guarded(ob: Obligation) -> sp.Expr:
    """A written side condition as an expression that is 1 (trivially satisfied) off its guard."""
    _, e, guard = ob
    return e if guard is sp.true else sp.Piecewise((e, guard), (sp.Integer(1), True))


def score_with_obligations(op: Operator) -> tuple[tuple[Obligation, ...], sp.Expr]:
    """The written side conditions and one expression holding the score and them (``_skd_all(g,
    c_1, ...)``; the score itself when there are none), so that one piece decomposition serves all."""
    obligations = tuple(op.obligations)
    combined = _ALL(op.score, *[guarded(o) for o in obligations]) if obligations else op.score
    return obligations, combined


# -- proofs through -g or sigma(V) g ------------------------------------------------------------

#: the lemma key of a proof through the score ``-g``
NEGATION_LEMMA = "negated_score"
#: the lemma key of a proof through the score ``sigma(V) g`` (its value: the srepr of sigma)
SIGN_FACTOR_LEMMA = "sign_factor"


def is_negated(out: Outcome) -> bool:
    """A proof through ``-g`` or ``sigma(V) * g`` (not about ``g > 0`` itself)."""
    return any(s.check == "lemma" and (dict(s.args).get(NEGATION_LEMMA) == "true" or SIGN_FACTOR_LEMMA in dict(s.args))
               for s in out.steps)
