"""Continuity, entropy and the limits of a user's vector operator, from the form of its algorithm:
:class:`FormProver` (untrusted; the kernel's ``_check_user_form`` re-runs the algorithm and
re-checks every piece).

Theorems of docs/theory/vector.md ("User operators in a recognised form"): U.0 — the algorithm
compares nothing (one expression: continuity; its hot limit by the limit laws); U.1 — every piece
is the power-softening ``p**beta`` on a kept set; U.2 — ``sparsemax(beta log p)``; U.3 — the
1.5-entmax form ``(beta log p_i - tau)_+**2``; with one exponent ``beta = c T**(-k)``. What is
proved is stated for the declared sizes (scope ``V in {...}``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

import sympy as sp

from skd.operators.kinds import spec_of
from skd.operators.symbols import T

from ..outcome import LemmaFn, Outcome
from ..signs import sign_of
from ..symexec import Condition, Entry, NotSymbolic, PathArith, PathLimit, Piece, order_classes, pieces
from ..verdict import Step
from .vector import MAX_PATHS, identically_zero, in_order, logs_split, nonneg_on_piece, pinned, settler, values_of

if TYPE_CHECKING:  # annotations only
    from skd.operators.declare import Operator
    from skd.theory.axioms import Profile

__all__ = ["FormProver"]


# -- continuity, entropy and the limits of a user's operator in a recognised form ------------------

#: (form, axiom) -> (theorem of docs/theory/vector.md, what the axiom needs beyond the form on every
#: piece): "k>0" beta -> oo as T -> 0+ and -> 0 as T -> oo; "all" every entry kept; "prefix" every
#: dropped entry is smaller than some kept one (argmax p is kept); "T-free" no condition involves T
_FORM_NEEDS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("power", "continuity"): ("U.1", frozenset({"all"})),
    ("power", "entropy"): ("U.1", frozenset({"T-free"})),
    ("power", "boundary_cold"): ("U.1", frozenset({"T-free", "prefix", "k>0"})),
    ("power", "boundary_hot"): ("U.1", frozenset({"all", "k>0"})),
    **{(form, axiom): ("U.2", frozenset({"k>0"} if axiom.startswith("boundary") else set()))
       for form in ("sparsemax",) for axiom in ("continuity", "entropy", "boundary_cold", "boundary_hot")},
    **{("entmax15", axiom): ("U.3", frozenset({"k>0"} if axiom.startswith("boundary") else set()))
       for axiom in ("continuity", "entropy", "boundary_cold", "boundary_hot")},
}
_FORM_TEXT = {
    "power": "F_T(p)_i = p_i**beta / sum over the kept set K of p_j**beta on K, 0 off K",
    "sparsemax": "F_T(p) = sparsemax(beta log p)",
    "entmax15": "F_T(p)_i = (beta log p_i - tau)_+**2 (1.5-entmax of 2 beta log p)",
}
_AXIOM_TEXT = {
    "continuity": "one jointly continuous map on every piece",
    "entropy": "H(F_T(p)) does not decrease as beta decreases",
    "boundary_cold": "beta -> oo as T -> 0+, and the kept set holds argmax p",
    "boundary_hot": "beta -> 0 as T -> oo, and every entry is kept",
}


def _form_bases(outs: list[sp.Expr], form: str) -> dict[int, sp.Expr] | None:
    """Per kept entry, the expression affine in ``beta log p_i`` with a common offset: ``log F_i``
    (power), ``F_i`` (sparsemax) or the base of the square ``F_i`` (entmax15; None when an output
    is no square)."""
    if form != "entmax15":
        return {i: logs_split(sp.log(o)) if form == "power" else o for i, o in enumerate(outs) if o != 0}
    bases = {}
    for i, o in enumerate(outs):
        if o == 0:
            continue
        if isinstance(o, sp.Pow) and o.exp == 2:
            bases[i] = o.base
        elif o.is_Rational and o > 0:  # SymPy evaluated the square of a number (one kept entry: 1)
            bases[i] = sp.sqrt(o)
        else:
            return None
    return bases


def _fits_form(form: str, found: list[Piece], needs: frozenset[str]) -> tuple[sp.Expr | None, str | None]:
    """``(beta, None)`` when every piece has ``form`` with one exponent ``beta = c T**(-k)`` and
    meets ``needs``; else ``(None, why not)``."""
    beta: sp.Expr | None = None
    prepared = []
    for piece in found:
        outs = [in_order(o, piece.order) for o in piece.outputs]
        ells = [logs_split(sp.log(v)) for v in values_of(piece)]
        bases = _form_bases(outs, form)
        if bases is None:
            return None, f"the outputs are not of the {form} form (an output of {piece.order.groups} is no square)"
        if not bases:
            return None, f"every output of {piece.order.groups} is 0"
        prepared.append((piece, outs, ells, bases))
        if beta is None:
            idx = sorted(bases)
            for j in idx[1:]:
                gap = sp.expand(ells[j] - ells[idx[0]])
                if gap != 0:
                    beta = sp.cancel(sp.expand(bases[j] - bases[idx[0]]) / gap)
                    break
    if beta is None:  # on every piece the kept entries tie: the form holds for every exponent
        beta = 1 / T
    if beta.free_symbols - {T}:  # the "exponent" moves with p: the outputs are not of the form at all
        what = {"power": "log F_i - log F_j", "sparsemax": "F_i - F_j", "entmax15": "sqrt(F_i) - sqrt(F_j)"}[form]
        return None, f"the outputs are not of the {form} form ({what} is not proportional to log p_i - log p_j)"
    c, e = beta.as_coeff_exponent(T)
    if c.free_symbols or not e.is_Rational or e > 0 or not c.is_positive or sp.simplify(beta - c * T ** e) != 0:
        return None, f"the exponent {sp.sstr(beta)[:80]} is not c * T**(-k) with c > 0, k >= 0"
    if "k>0" in needs and e == 0:
        return None, f"the exponent {sp.sstr(beta)} does not move with T"
    for piece, outs, ells, bases in prepared:
        where = f"V = {piece.order.V}, order class {piece.order.groups}, path {list(piece.path)}"
        offsets = [sp.expand(beta * ells[i] - b) for i, b in bases.items()]
        if any(not identically_zero(logs_split(o - offsets[0])) for o in offsets[1:]):
            return None, f"{where}: not the {form} form with beta = {sp.sstr(beta)}"
        kept = set(bases)
        if "all" in needs and len(kept) != len(outs):
            return None, f"{where}: entries {sorted(set(range(len(outs))) - kept)} are dropped"
        if "T-free" in needs and any(T in in_order(c_.expr, piece.order).free_symbols for c_ in piece.conditions):
            return None, f"{where}: a condition involves T (the kept set may move with T)"
        if "prefix" in needs:
            for i in set(range(len(outs))) - kept:
                if not any(_smaller(ells[i], ells[j]) for j in kept):
                    return None, f"{where}: entry {i} is dropped but not proved smaller than a kept entry"
        if form == "sparsemax":
            conds = tuple(Condition(in_order(c_.expr, piece.order), c_.rel) for c_ in piece.conditions)
            tau = offsets[0]
            for j in set(range(len(outs))) - kept:
                if not nonneg_on_piece(sp.expand(tau - beta * ells[j]), conds):
                    return None, f"{where}: entry {j} is outside the support but not proved below the threshold"
    return beta, None


def _smaller(ell_i: sp.Expr, ell_j: sp.Expr) -> bool:
    """``log p_i < log p_j`` on the whole class (the sign rules), else False."""
    try:
        return sign_of(sp.expand(ell_j - ell_i)) == "pos"
    except ValueError:
        return False


class _OpaqueEntry(Entry):
    """An entry of ``p`` with no order: compares with 0 (positive), never with another entry."""

    __slots__ = ()

    def _key(self, other: object) -> tuple[int, int]:
        if isinstance(other, Entry):
            raise NotSymbolic("the algorithm compares entries of p")
        return super()._key(other)

    def __neg__(self) -> _OpaqueEntry:  # -p_i is no more ordered than p_i
        return _OpaqueEntry(self.index, self.rank, -self.value, self.is_zero, -self.sign)


def _comparison_free_problem(op: Operator, sizes: tuple[int, ...]) -> str | None:
    """None when, on each size, the algorithm run on positive symbols with no order opens no
    branch (SymPy settles every comparison it makes for all positive values) and its outputs hold
    no undefined node; else what stops it. (Theorem U.0: then F is one elementary expression.)"""
    for Vn in sizes:
        syms = [sp.Symbol(f"_pq{i}", positive=True) for i in range(Vn)]
        ar = PathArith((), _settle_everywhere)
        try:
            algorithm = op.algorithm
            if algorithm is None:
                return "a vector operator without an algorithm"
            result = list(algorithm([_OpaqueEntry(i, 0, v, False) for i, v in enumerate(syms)], T, ar))
            if any(not isinstance(v, (sp.Basic, int, Fraction)) or isinstance(v, bool) for v in result):
                return f"V = {Vn}: an output is not a number of the arithmetic"
            outs = [sp.sympify(v) for v in result]  # safe: SymPy objects and exact numbers only (checked above), never text
        except Exception as exc:  # noqa: BLE001 - user code: not comparison-free
            return f"V = {Vn}: {type(exc).__name__}: {str(exc)[:120]}"
        if ar.conditions:
            return f"V = {Vn}: a comparison not settled for every p and T ({ar.conditions[0]})"
        if any(o.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I) for o in outs):
            return f"V = {Vn}: an output is not finite and real"
    return None


def _looks_eventually_empty(piece: Piece) -> bool:
    """Some condition of the piece involving ``T`` is false at ``T = 10^40`` and ``10^80`` at a few
    points of its class (a proposal: the kernel proves it by the limit laws, or checks the piece)."""
    for c in piece.conditions:
        others = sorted(c.expr.free_symbols - {T}, key=lambda x: x.name)
        if T not in c.expr.free_symbols:
            continue
        points = [{x: sp.Rational(1, (k + 2) ** scale) for k, x in enumerate(others)} for scale in (1, 3)]
        try:
            if all(c.holds({**pt, T: sp.Float(10) ** k}) is False for pt in points for k in (40, 80)):
                return True
        except (ValueError, TypeError, ArithmeticError):  # a proposal only: no answer is no proposal
            continue
    return False


def _hot_by_numbers(op: Operator, sizes: tuple[int, ...]) -> str | None:
    """None when, in 50 digits at a few unequal ``p`` of each size, ``F_T(p)`` approaches the
    uniform vector along ``T = 2^40, 2^400`` (closer at the second, within 1/100: slow limits such
    as ``1/log T`` pass; a proposal only: the kernel proves the limit by the limit laws,
    :func:`skd.verify.kernel_vector.check_vector_proof`); else what it saw."""
    import mpmath

    from skd.operators.evaluate import evaluate_mp

    for Vn in sizes:
        w = [Fraction(k + 1) for k in range(Vn)]
        for p in ([v / sum(w) for v in w], [v * v / sum(u * u for u in w) for v in w]):
            try:
                far = [max(abs(f - mpmath.mpf(1) / Vn) for f in evaluate_mp(op, p, Fraction(2) ** k)) for k in (40, 400)]
            except Exception as exc:  # noqa: BLE001 - user code; nothing proposed
                return f"V = {Vn}: F could not be evaluated at large T ({type(exc).__name__})"
            if not far[1] < mpmath.mpf(1) / 100 or far[1] > far[0]:
                return f"V = {Vn}: F does not approach the uniform vector as T grows (numerically)"
    return None


def _settle_everywhere(d: sp.Expr, rel: str, conditions: tuple[Condition, ...]) -> bool | None:
    """A comparison decided for every positive value of its symbols (their sign), else None."""
    try:
        sign = sign_of(d)
    except ValueError:
        return None
    if sign is None:
        return None
    return {">": sign == "pos", ">=": sign != "neg", "==": sign == "zero"}[rel]


#: what theorem U.0 concludes, per axiom it proves
_U0_CONCLUSION = {
    "continuity": "so jointly continuous",
    "boundary_hot": "and by the limit laws every entry tends to 1/V as T -> oo for every p",
}


class FormProver:
    """Continuity, entropy or a limit of a vector operator declared by an algorithm, on its
    declared sizes, from the form of its pieces (Theorems U.1, U.2 of docs/theory/vector.md): every
    piece of every order class is the power-softening ``p**beta`` on a kept set, or sparsemax of
    ``beta log p``, with one exponent ``beta = c T**(-k)``. The kernel
    (:func:`skd.verify.kernel_vector.check_vector_proof`) re-runs the algorithm and re-checks every
    piece (definedness included) before anyone sees the proof."""

    def __init__(self, axiom_id: str) -> None:
        self.axiom_id = axiom_id

    def __repr__(self) -> str:
        return f"FormProver({self.axiom_id!r})"

    def __call__(self, op: Operator, profile: Profile | None, lemma: LemmaFn) -> Outcome:
        if op.algorithm is None:
            return Outcome("unknown", "form of the pieces", reason="a vector operator without an algorithm",
                           reason_kind="unsupported")
        sizes = tuple(sorted(set(op.sizes)))
        scope = spec_of(op).scope(op)
        why: list[str] = []
        if self.axiom_id in _U0_CONCLUSION:  # theorem U.0 first: one expression, if the algorithm compares nothing
            problem = _comparison_free_problem(op, sizes)
            if problem is None and self.axiom_id == "boundary_hot":
                problem = _hot_by_numbers(op, sizes)
            if problem is None:
                text = (f"on V in {set(sizes)}, the algorithm makes no comparison that depends on p or T: F is one "
                        f"expression, defined for every p and T, {_U0_CONCLUSION[self.axiom_id]}; theorem U.0 "
                        "(docs/theory/vector.md#user-operators-in-a-recognised-form)")
                step = Step(text, "vector_form", (("form", "comparison-free"), ("theorem", "U.0")))
                return Outcome("proved", "form of the algorithm (theorem U.0)", steps=[step], scope=scope)
            why.append(f"comparison-free: {problem}")
        found: list[Piece] = []
        for Vn in sizes:
            for order in order_classes(Vn):
                try:
                    found += [q for pc in pieces(op.algorithm, order, max_paths=MAX_PATHS, settle=settler(order))
                              if (q := pinned(pc)) is not None]
                except (NotSymbolic, PathLimit) as exc:
                    return Outcome("unknown", "form of the pieces", reason=f"V = {Vn}, order class {order.groups}: {exc}",
                                   reason_kind="unsupported", scope=scope)
        n_all = len(found)
        if self.axiom_id == "boundary_hot":  # pieces off which every p is for all large T do not count
            found = [pc for pc in found if not _looks_eventually_empty(pc)]
        left = (f" (except {n_all - len(found)} pieces with a condition false for all large T at every p)"
                if len(found) < n_all else "")
        for form in ("power", "sparsemax", "entmax15"):
            theorem, needs = _FORM_NEEDS[(form, self.axiom_id)]
            beta, problem = _fits_form(form, found, needs)
            if beta is None:
                why.append(f"{form}: {problem}")
                continue
            text = (f"on V in {set(sizes)}, every piece of every order class (ties included){left} is {_FORM_TEXT[form]}, "
                    f"with beta = {sp.sstr(beta)}; theorem {theorem} (docs/theory/vector.md#user-operators-in-a-recognised-form): "
                    f"{_AXIOM_TEXT[self.axiom_id]}")
            step = Step(text, "vector_form", (("form", form), ("theorem", theorem), ("beta", sp.sstr(beta))))
            return Outcome("proved", f"form of the pieces (theorem {theorem})", steps=[step], scope=scope)
        return Outcome("unknown", "form of the pieces", reason=(f"{self.axiom_id} of a vector operator is proved when its "
                       "pieces have a recognised form; " + "; ".join(why))[:600], reason_kind="undecided", scope=scope)
