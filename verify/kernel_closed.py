"""The trusted check of a closed-simplex proof for a separable score (Theorem C of
``docs/theory/closed.md``).

A proof on the closed simplex (profile ``closed``: zeros allowed) of an axiom for a separable
operator is the same axiom's proof on the open simplex (the profile ``paper``) plus the
**increasing power-sum extension**: the T-axis is cut at the certificate's breakpoints into
open intervals and points, and on each such region ``R`` and for every ``V >= 2`` the score
resolves (its ``Piecewise``/``Min``/``Max``/``Abs``/``Heaviside``/``sign`` decided on ``R``) to

    h(x, T, V) = c_0(T, V) + sum_k c_k(T, V) * x**a_k(T, V)

structurally (a sum of terms, each an ``x``-free factor times ``x`` or a power of ``x`` with an
``x``-free exponent), with ``a_k > 0``, ``c_k > 0`` and ``c_0 >= 0`` on ``R`` (for ``continuity``
also at the region's finite ends, where ``h`` stays defined, built from continuous functions);
for a limit, ``c_0 = 0`` on the region at that end of the T-axis. The evaluators compute
``g(0, T, V) = c_0`` (``0**a = 0`` for ``a > 0``), ``h`` is continuous and strictly increasing on
``[0, 1]``, and Theorem C transfers the axiom from the open simplex to the closed one.

This module re-does all of it from the operator's score and the breakpoints alone (the prover's
regions, pieces and decompositions are not read), decides every sign with the separable kernel's
own rules (:func:`skd.verify.kernel.kernel_sign`, :func:`~skd.verify.kernel.kernel_defined`), and
re-checks the open-simplex proof with :func:`skd.verify.kernel.check_proof`. It imports nothing
from the provers (a test checks the imports). The power sum is read off the score **as written**:
switches are replaced without letting SymPy merge the rest (``x**(2/T)*Piecewise((x**(-1/T), ..))``
computes ``0 * (1/0)`` at ``x = 0`` and is refused, not read as ``x**(1/T)``), and every
coefficient and exponent is proved defined as written before its sign is decided.

Contract: the open-simplex outcome comes from the caller, and the separable kernel re-checks the
steps it shows, not that they are the reduction of *this* axiom (the structure is what
``skd recheck`` re-derives, as for every separable proof). :func:`skd.verify.prove.prove` passes
``prove(axiom, op, paper)`` for the same axiom and operator, and recheck re-derives it; so a
closed-simplex verdict is exactly as trustworthy as the open-simplex verdict it extends.

>>> from skd.operators import library
>>> from skd.theory.axioms import PROFILES
>>> from skd.verify.prove import prove
>>> out = prove("boundary_hot", library.power, PROFILES["closed"])
>>> out.status, out.scope, [s.check for s in out.steps]
('proved', 'full', ['lemma', 'closed_extension'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import sympy as sp

from skd.operators.symbols import T, V, x

from .kernel import check_proof, kernel_defined, kernel_sign

__all__ = ["CLOSED_STEP", "OPEN_LEMMA", "check_closed_proof", "parse_breakpoints"]

#: the step of a closed-simplex certificate that carries the breakpoints
CLOSED_STEP = "closed_extension"
#: the argument of the lemma step that cites the axiom's proof on the open simplex
OPEN_LEMMA = "open_simplex_axiom"

_t = sp.Symbol("_ct", positive=True)
_v = sp.Symbol("_cv", positive=True)
#: V = 2, and V = 2 + v for v > 0 (every real V > 2, so every integer V >= 3)
_V_CASES = (sp.Integer(2), 2 + _v)
#: functions continuous on their (real) domain, besides + * and powers
_CONTINUOUS = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.tanh, sp.sinh, sp.cosh, sp.atan, sp.asin, sp.acos, sp.erf,
               sp.Abs, sp.Min, sp.Max)
_MAX_BREAKPOINTS = 32


class _ClosedRejection(Exception):
    """The closed-simplex certificate is not accepted (the message says why)."""


def parse_breakpoints(text: str) -> list[sp.Rational]:
    """The certificate's breakpoints (``"1, 5/2"``): positive rationals, strictly increasing."""
    out: list[sp.Rational] = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        try:
            f = Fraction(part)
        except (ValueError, ZeroDivisionError) as exc:
            raise _ClosedRejection(f"breakpoint {part!r} is not a rational number") from exc
        out.append(sp.Rational(f.numerator, f.denominator))
    if len(out) > _MAX_BREAKPOINTS:
        raise _ClosedRejection(f"{len(out)} breakpoints (at most {_MAX_BREAKPOINTS})")
    if any(b <= 0 for b in out) or any(a >= b for a, b in zip(out, out[1:], strict=False)):
        raise _ClosedRejection(f"breakpoints {text!r} are not positive and strictly increasing")
    return out


def _regions(bps: Sequence[sp.Rational]) -> list[tuple[str, sp.Expr, list[sp.Rational]]]:
    """(label, T as a monotone map of _t or a point, finite ends in (0, oo)) covering (0, oo)."""
    ends: list[Any] = [sp.Integer(0), *bps, sp.oo]
    out: list[tuple[str, sp.Expr, list[sp.Rational]]] = []
    for a, b in zip(ends, ends[1:], strict=False):
        if a == 0 and b is sp.oo:
            sub = _t
        elif a == 0:
            sub = b / (1 + _t)
        elif b is sp.oo:
            sub = a + _t
        else:
            sub = (a + b * _t) / (1 + _t)
        out.append((f"T in ({a}, {b})", sub, [e for e in (a, b) if e != 0 and e is not sp.oo]))
        if b is not sp.oo:
            out.append((f"T = {b}", b, []))
    return out


def _decide(e: sp.Expr, subs: Mapping[sp.Symbol, sp.Expr]) -> str:
    if x in e.free_symbols:
        raise _ClosedRejection(f"a switch of the score depends on x ({e}): outside Theorem C")
    s = kernel_sign(sp.sympify(e).xreplace(dict(subs)))  # safe: SymPy object from the definition
    if s is None:
        raise _ClosedRejection(f"the sign of {e} is not decided on the region")
    return s


def _truth(cond: sp.Basic, subs: Mapping[sp.Symbol, sp.Expr]) -> bool:
    if cond is sp.true:
        return True
    if cond is sp.false:
        return False
    if isinstance(cond, sp.And):
        return all(_truth(c, subs) for c in cond.args)
    if isinstance(cond, sp.Or):
        return any(_truth(c, subs) for c in cond.args)
    if isinstance(cond, sp.Not):
        return not _truth(cond.args[0], subs)
    if isinstance(cond, sp.core.relational.Relational):
        s = _decide(cond.lhs - cond.rhs, subs)
        return {"<": s == "neg", "<=": s in ("neg", "zero"), ">": s == "pos", ">=": s in ("pos", "zero"),
                "==": s == "zero", "!=": s != "zero"}[cond.rel_op]
    raise _ClosedRejection(f"condition {cond} is not supported")


def _resolve(e: sp.Basic, subs: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """``e`` with every switch replaced by its branch on the region (conditions free of x)."""
    if not isinstance(e, sp.Expr) or not e.args:
        return e
    if isinstance(e, sp.Piecewise):
        for value, cond in e.args:
            if _truth(cond, subs):
                return _resolve(value, subs)
        raise _ClosedRejection("no Piecewise branch applies on the region")
    args = [_resolve(a, subs) for a in e.args]
    if isinstance(e, (sp.Min, sp.Max)):
        best = args[0]
        for a in args[1:]:
            s = _decide(a - best, subs)
            if (s == "pos") == isinstance(e, sp.Max) and s != "zero":
                best = a
        return best
    if isinstance(e, sp.Abs):
        return -args[0] if _decide(args[0], subs) == "neg" else args[0]
    if isinstance(e, (sp.Heaviside, sp.sign)):
        s = _decide(args[0], subs)
        if isinstance(e, sp.Heaviside):
            return {"pos": sp.Integer(1), "neg": sp.Integer(0), "zero": sp.Rational(1, 2)}[s]
        return {"pos": sp.Integer(1), "neg": sp.Integer(-1), "zero": sp.Integer(0)}[s]
    # rebuilt as written (no evaluation): SymPy would merge x**(2/T)*x**(-1/T), kept apart by a
    # switch, into x**(1/T), which is defined at x = 0 where the stored tree computes 0 * (1/0)
    return e.func(*args, evaluate=False) if any(a is not b for a, b in zip(args, e.args, strict=True)) else e


def _power_sum(h: sp.Expr) -> tuple[sp.Expr, list[tuple[sp.Expr, sp.Expr]]]:
    """``h = c_0 + sum_k c_k x**a_k`` read off the tree as it stands (no expansion): each term an
    ``x``-free factor times ``x`` or ``Pow(x, a)`` with ``a`` free of ``x``."""
    free: list[sp.Expr] = []
    terms: list[tuple[sp.Expr, sp.Expr]] = []
    for term in sp.Add.make_args(h):
        if x not in term.free_symbols:
            free.append(term)
            continue
        factors = sp.Mul.make_args(term)
        dep = [f for f in factors if x in f.free_symbols]
        if len(dep) != 1:
            raise _ClosedRejection(f"term {term} is not a power of x times a factor free of x")
        f = dep[0]
        if f == x:
            a = sp.Integer(1)
        elif isinstance(f, sp.Pow) and f.args[0] == x and x not in f.args[1].free_symbols:
            a = f.args[1]
        else:
            raise _ClosedRejection(f"term {term} is not a power of x times a factor free of x")
        terms.append((sp.Mul(*[g for g in factors if x not in g.free_symbols], evaluate=False), a))
    if not terms:
        raise _ClosedRejection("the score does not depend on x on a region")
    return sp.Add(*free, evaluate=False) if free else sp.Integer(0), terms


def _evaluated(e: sp.Basic) -> sp.Basic:
    """``e`` rebuilt with SymPy's evaluation (after its definedness as written was checked)."""
    if not isinstance(e, sp.Basic) or not e.args:
        return e
    return e.func(*[_evaluated(a) for a in e.args])


def _defined_as_written(e: sp.Expr, at: Mapping[sp.Symbol, sp.Expr]) -> bool:
    """Every node of ``e`` (free of x, as written: not merged by SymPy) is inside its domain at
    ``at`` (a region's substitution or a point): each divisor ``!= 0``, real-power base and ``log``
    argument ``> 0``, ``asin``/``acos`` argument in ``[-1, 1]``, ``cos != 0`` under ``tan``; the
    conditions are decided after substituting, each on its own subexpression."""
    for node in sp.preorder_traversal(e):
        if not isinstance(node, sp.Expr) or not node.args:
            continue
        conditions: list[tuple[tuple[str, ...], sp.Expr]] = []
        if isinstance(node, sp.Pow):
            b, n = node.args
            if not n.is_Integer:
                conditions.append((("pos",), b))
            elif n < 0:
                conditions.append((("pos", "neg"), b))
        elif isinstance(node, sp.log):
            conditions.append((("pos",), node.args[0]))
        elif isinstance(node, (sp.asin, sp.acos)):
            conditions += [(("pos", "zero"), 1 - node.args[0]), (("pos", "zero"), 1 + node.args[0])]
        elif isinstance(node, sp.tan):
            conditions.append((("pos", "neg"), sp.cos(node.args[0])))
        elif not isinstance(node, (sp.Add, sp.Mul, *_CONTINUOUS)):
            return False
        for want, c in conditions:
            cv = sp.sympify(c).xreplace(dict(at))  # safe: SymPy object from the definition
            if cv.has(sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo) or kernel_sign(cv) not in want:
                return False
    return True


def _continuous_there(e: sp.Expr) -> bool:
    """``e`` (free of x, at a point or on a region) is defined and built from continuous functions."""
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Expr) and node.args and not isinstance(node, (sp.Add, sp.Mul, sp.Pow, *_CONTINUOUS)):
            return False
    return kernel_defined(e)


def _check_region(axiom: str, h_on: sp.Expr, t_sub: sp.Expr, ends: Sequence[sp.Rational], v_sub: sp.Expr,
                  where: str, end_of_limit: bool) -> None:
    c0, terms = _power_sum(h_on)
    points = [{T: t_sub, V: v_sub}]
    if axiom == "continuity":
        points += [{T: e, V: v_sub} for e in ends]
    for at in points:
        label = where if at is points[0] else f"{where}, at its end T = {at[T]}"
        for part in [*(f for c, a in terms for f in (c, a)), *sp.Add.make_args(c0)]:
            if not _defined_as_written(part, at):
                raise _ClosedRejection(f"{label}: {part} (as written) is not proved defined")
        for c, a in terms:
            for what, e, want in (("exponent", a, ("pos",)), ("coefficient", c, ("pos",))):
                ev = _evaluated(sp.sympify(e).xreplace(at))  # safe: SymPy object from the definition
                if not kernel_defined(ev) or kernel_sign(ev) not in want:
                    raise _ClosedRejection(f"{label}: the {what} {e} of x**({a}) is not proved > 0")
        ev0 = _evaluated(sp.sympify(c0).xreplace(at))  # safe: SymPy object from the definition
        want0 = ("zero",) if end_of_limit else ("pos", "zero")
        if not (ev0 == 0 or kernel_defined(ev0)) or kernel_sign(ev0) not in want0:
            raise _ClosedRejection(f"{label}: g(0, T, V) = {c0} is not proved " + ("= 0" if end_of_limit else ">= 0"))
        if axiom == "continuity":
            for e in [c0, *(c for c, _ in terms), *(a for _, a in terms)]:
                ev = _evaluated(sp.sympify(e).xreplace(at))  # safe: SymPy object from the definition
                if not (ev.is_Rational or _continuous_there(ev)):
                    raise _ClosedRejection(f"{label}: {e} is not proved continuous (defined, elementary)")


def check_closed_proof(axiom: str, op: Any, outcome: Any, *, open_outcome: Any,
                       open_lemmas: Mapping[str, Any]) -> tuple[bool, str]:
    """Accept or reject a ``proved`` closed-simplex outcome of ``axiom`` for the separable ``op``:
    the open-simplex proof ``open_outcome`` (with its lemmas) passes the separable kernel, cites
    ``g`` itself (not ``-g`` or ``sigma(V) g``), and Theorem C's extension holds on every region
    cut by the certificate's breakpoints, for ``V = 2`` and every real ``V > 2``."""
    try:
        if getattr(op, "kind", None) != "separable" or getattr(op, "score", None) is None:
            raise _ClosedRejection("not a separable operator")
        if op.params:
            raise _ClosedRejection("an operator with free parameters (Theorem C is checked for fixed operators)")
        if getattr(op, "obligations", ()):
            raise _ClosedRejection("the formula as written has side conditions (outside Theorem C)")
        if getattr(outcome, "status", None) != "proved" or outcome.scope != "full":
            raise _ClosedRejection("the outcome is not a proof with full scope")
        checks = [s.check for s in outcome.steps]
        if checks != ["lemma", CLOSED_STEP]:
            raise _ClosedRejection(f"a closed-simplex proof has two steps (lemma, {CLOSED_STEP}), not {checks}")
        if dict(outcome.steps[0].args).get(OPEN_LEMMA) != axiom or len(outcome.steps[0].args) != 1:
            raise _ClosedRejection(f"the lemma must cite {axiom} on the open simplex")
        if getattr(open_outcome, "status", None) != "proved" or open_outcome.scope != "full":
            raise _ClosedRejection(f"{axiom} is not proved with full scope on the open simplex")
        if any(s.check == "lemma" and set(dict(s.args)) != {"axiom"} for s in open_outcome.steps):
            raise _ClosedRejection("the open-simplex proof is not about g itself (it goes through -g or sigma(V) g)")
        ok, message = check_proof(axiom, op, open_outcome, lemmas=open_lemmas)
        if not ok:
            raise _ClosedRejection(f"the open-simplex proof is rejected: {message}")
        bps = parse_breakpoints(dict(outcome.steps[1].args).get("breakpoints", ""))
        regions = _regions(bps)
        n = 0
        for v_sub in _V_CASES:
            for k, (label, t_sub, ends) in enumerate(regions):
                where = f"{label}, V = {v_sub.xreplace({_v: sp.Symbol('v')})}"
                h_on = _resolve(op.score, {T: t_sub, V: v_sub})
                end = (axiom == "boundary_cold" and k == 0) or (axiom == "boundary_hot" and k == len(regions) - 1)
                _check_region(axiom, h_on, t_sub, ends, v_sub, where, end)
                n += 1
    except _ClosedRejection as exc:
        return False, f"kernel (closed) rejected the proof: {exc}"
    except (TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError, sp.PolynomialError) as exc:
        return False, f"kernel (closed) could not check the proof ({type(exc).__name__}: {str(exc)[:200]})"
    return True, f"kernel (closed): the open-simplex proof and Theorem C's extension on {n} regions (T x V cases)"
