"""An independent high-precision evaluator of separable softening operators.

It shares **no code with skd** (a test inspects this module's imports): the score text is parsed
here with :func:`ast.parse` and a whitelist of node types and names, and evaluated with exact
rationals where the operations are rational and with mpmath at two working precisions
(``LO = 60`` and ``HI = 110`` digits) otherwise. Nothing is ever ``eval``-ed.

Semantics (real-valued, as the axioms read them):

* ``F_T(p)_i = g(p_i, T, V) / sum_j g(p_j, T, V)`` with ``V = len(p)``; ``F`` is **undefined**
  when some ``g`` is undefined (a pole, a complex value, no Piecewise branch applies) or the
  normaliser is zero. Negative scores are not repaired: ``F`` is *outside the simplex* when an
  entry is negative (all-negative scores give a positive ratio and are fine).
* ``b**e``: exact for rational ``b`` and integer ``e``; ``b < 0`` with a non-integer ``e`` is
  complex (undefined); ``0**e`` is ``0`` for ``e > 0``, ``1`` for ``e = 0``, undefined for ``e < 0``.
* ``sqrt``/``log`` of a negative number, ``log(0)``, ``asin``/``acos`` outside ``[-1, 1]``,
  ``tan`` where ``cos = 0``, any division by zero: undefined.
* ``Heaviside(0) = 1/2``, ``sign(0) = 0`` (SymPy's and skd's conventions), ``floor``/``ceiling``
  as usual, ``Min``/``Max`` of reals, ``Piecewise`` takes the first piece whose condition holds.
* Zero tests. Exact values are compared exactly. An inexact value is carried at both precisions;
  it is taken to be **zero** when the two disagree in more than their last 30 digits relative to
  the 110-digit value (catastrophic cancellation, e.g. ``sin(pi*T)`` at ``T = 1`` or ``T**2 - 2``
  at ``T = sqrt(2)``) — a numerical judgement, good to ~30 digits, which is what a witness needs.

Witness checks (:func:`check_witness`) confirm a counterexample to one axiom; sample checks
(:func:`sample_check`) look for counterexamples to an axiom believed true (evidence, not proof).
"""

from __future__ import annotations

import ast
import math
import random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Union

import mpmath

__all__ = [
    "LO", "HI", "Undefined", "Approx", "parse", "value", "scores", "evaluate", "outcome", "entropy",
    "check_witness", "sample_check", "to_mpf", "sign",
]

LO = 60
HI = 110
#: relative disagreement between the LO and HI values above which an inexact value counts as zero
ZERO_REL = mpmath.mpf(10) ** -30
#: exact integer exponents up to this size are applied exactly to rationals
MAX_EXACT_EXPONENT = 4096
MAX_LENGTH = 4000
MAX_DEPTH = 60


class Undefined(Exception):
    """``g`` or ``F`` is undefined at the point (pole, complex value, zero normaliser...)."""


class Approx:
    """An inexact real carried at two precisions: ``lo`` (LO digits) and ``hi`` (HI digits)."""

    __slots__ = ("lo", "hi")

    def __init__(self, lo: mpmath.mpf, hi: mpmath.mpf) -> None:
        self.lo = lo
        self.hi = hi

    def __repr__(self) -> str:
        return f"Approx({mpmath.nstr(self.hi, 30)})"


Num = Union[Fraction, Approx]


def _mp(v: Num, dps: int) -> mpmath.mpf:
    if isinstance(v, Approx):
        return v.lo if dps == LO else v.hi
    with mpmath.workdps(dps):
        return mpmath.mpf(v.numerator) / v.denominator


def to_mpf(v: Num) -> mpmath.mpf:
    """The HI-precision value."""
    return _mp(v, HI)


def _lift(fn, *args: Num) -> Approx:
    """Apply an mpmath function at both precisions."""
    out = []
    for dps in (LO, HI):
        with mpmath.workdps(dps):
            r = fn(*[_mp(a, dps) for a in args])
            if isinstance(r, mpmath.mpc):
                if r.imag != 0:
                    raise Undefined("complex value")
                r = r.real
            if not mpmath.isfinite(r):
                raise Undefined("non-finite value")
            out.append(mpmath.mpf(r))
    return Approx(out[0], out[1])


def sign(v: Num) -> int:
    """-1, 0, +1; inexact values that vanish under cancellation count as 0 (see module doc)."""
    if isinstance(v, Fraction):
        return (v > 0) - (v < 0)
    lo, hi = v.lo, v.hi
    if hi == 0 and lo == 0:
        return 0
    with mpmath.workdps(HI):
        if hi == 0 or abs(lo - hi) > ZERO_REL * abs(hi):
            return 0
    return 1 if hi > 0 else -1


def _add(a: Num, b: Num) -> Num:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a + b
    return _lift(lambda u, v: u + v, a, b)


def _sub(a: Num, b: Num) -> Num:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a - b
    return _lift(lambda u, v: u - v, a, b)


def _mul(a: Num, b: Num) -> Num:
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a * b
    if (isinstance(a, Fraction) and a == 0) or (isinstance(b, Fraction) and b == 0):
        return Fraction(0)
    return _lift(lambda u, v: u * v, a, b)


def _div(a: Num, b: Num) -> Num:
    if sign(b) == 0:
        raise Undefined("division by zero")
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a / b
    if isinstance(a, Fraction) and a == 0:
        return Fraction(0)
    return _lift(lambda u, v: u / v, a, b)


def _neg(a: Num) -> Num:
    if isinstance(a, Fraction):
        return -a
    with mpmath.workdps(LO):
        lo = -a.lo
    with mpmath.workdps(HI):
        hi = -a.hi
    return Approx(lo, hi)


def _int_value(e: Num) -> int | None:
    """``e`` as an int when it is (exactly, or numerically to 30 digits) an integer."""
    if isinstance(e, Fraction):
        return int(e) if e.denominator == 1 else None
    with mpmath.workdps(HI):
        n = int(mpmath.nint(e.hi))
    return n if sign(_sub(e, Fraction(n))) == 0 else None


def _exact_root(q: Fraction, k: int) -> Fraction | None:
    if q < 0:
        return None
    def iroot(n: int) -> int | None:
        r = round(n ** (1.0 / k)) if n < 2**1000 else None
        if r is None:
            return None
        for c in (r - 1, r, r + 1):
            if c >= 0 and c**k == n:
                return c
        return None
    a, b = iroot(q.numerator), iroot(q.denominator)
    return None if a is None or b is None else Fraction(a, b)


def _pow(b: Num, e: Num) -> Num:
    n = _int_value(e)
    sb = sign(b)
    if n is not None:
        if sb == 0:
            if n < 0:
                raise Undefined("zero to a negative power")
            return Fraction(1) if n == 0 else Fraction(0)
        if isinstance(b, Fraction) and abs(n) <= MAX_EXACT_EXPONENT:
            return b**n
        if sb > 0:
            return _lift(lambda u: mpmath.exp(n * mpmath.log(u)), b)
        s = -1 if n % 2 else 1
        return _lift(lambda u: s * mpmath.exp(n * mpmath.log(-u)), b)
    # non-integer exponent: real only for b > 0 (b = 0: 0 for e > 0)
    if sb < 0:
        raise Undefined("negative base to a non-integer power (complex)")
    se = sign(e)
    if sb == 0:
        if se > 0:
            return Fraction(0)
        raise Undefined("zero to a non-positive non-integer power")
    if isinstance(b, Fraction) and isinstance(e, Fraction) and e.denominator <= 64:
        root = _exact_root(b, e.denominator)
        if root is not None and abs(e.numerator) <= MAX_EXACT_EXPONENT:
            return root**e.numerator
    return _lift(lambda u, v: mpmath.exp(v * mpmath.log(u)), b, e)


def _cmp(a: Num, b: Num) -> int:
    return sign(_sub(a, b))


# -- unary functions --------------------------------------------------------------------------

def _exp(a: Num) -> Num:
    if isinstance(a, Fraction) and a == 0:
        return Fraction(1)
    return _lift(mpmath.exp, a)


def _log(a: Num) -> Num:
    s = sign(a)
    if s <= 0:
        raise Undefined("log of a non-positive number")
    if isinstance(a, Fraction) and a == 1:
        return Fraction(0)
    return _lift(mpmath.log, a)


def _sqrt(a: Num) -> Num:
    return _pow(a, Fraction(1, 2)) if sign(a) != 0 else Fraction(0)


def _sin(a: Num) -> Num:
    if isinstance(a, Fraction) and a == 0:
        return Fraction(0)
    return _lift(mpmath.sin, a)


def _cos(a: Num) -> Num:
    if isinstance(a, Fraction) and a == 0:
        return Fraction(1)
    return _lift(mpmath.cos, a)


def _tan(a: Num) -> Num:
    c = _cos(a)
    if sign(c) == 0:
        raise Undefined("tan at a pole")
    return _div(_sin(a), c)


def _asin(a: Num) -> Num:
    if _cmp(a, Fraction(1)) > 0 or _cmp(a, Fraction(-1)) < 0:
        raise Undefined("asin outside [-1, 1]")
    if isinstance(a, Fraction) and a == 0:
        return Fraction(0)
    return _lift(lambda u: mpmath.asin(max(min(u, 1), -1)), a)


def _acos(a: Num) -> Num:
    if _cmp(a, Fraction(1)) > 0 or _cmp(a, Fraction(-1)) < 0:
        raise Undefined("acos outside [-1, 1]")
    if isinstance(a, Fraction) and a == 1:
        return Fraction(0)
    return _lift(lambda u: mpmath.acos(max(min(u, 1), -1)), a)


def _odd(fn):
    def f(a: Num) -> Num:
        if isinstance(a, Fraction) and a == 0:
            return Fraction(0)
        return _lift(fn, a)
    return f


def _cosh(a: Num) -> Num:
    if isinstance(a, Fraction) and a == 0:
        return Fraction(1)
    return _lift(mpmath.cosh, a)


def _abs(a: Num) -> Num:
    return _neg(a) if sign(a) < 0 else a


def _sign(a: Num) -> Num:
    return Fraction(sign(a))


def _heaviside(a: Num) -> Num:
    s = sign(a)
    return Fraction(1) if s > 0 else (Fraction(0) if s < 0 else Fraction(1, 2))


def _floor(a: Num) -> Num:
    if isinstance(a, Fraction):
        return Fraction(math.floor(a))
    with mpmath.workdps(HI):
        n = int(mpmath.nint(a.hi))
    if sign(_sub(a, Fraction(n))) == 0:
        return Fraction(n)
    with mpmath.workdps(HI):
        return Fraction(int(mpmath.floor(a.hi)))


def _ceiling(a: Num) -> Num:
    return _neg(_floor(_neg(a)))


_UNARY = {
    "exp": _exp, "log": _log, "sqrt": _sqrt, "sin": _sin, "cos": _cos, "tan": _tan,
    "asin": _asin, "acos": _acos, "atan": _odd(mpmath.atan), "tanh": _odd(mpmath.tanh),
    "sinh": _odd(mpmath.sinh), "cosh": _cosh, "erf": _odd(mpmath.erf), "Abs": _abs,
    "sign": _sign, "Heaviside": _heaviside, "floor": _floor, "ceiling": _ceiling,
}
_VARIADIC = {"Min", "Max"}
_NAMES = {"x", "T", "V"}


def _pi() -> Approx:
    with mpmath.workdps(LO):
        lo = +mpmath.pi
    with mpmath.workdps(HI):
        hi = +mpmath.pi
    return Approx(lo, hi)


def _e() -> Approx:
    with mpmath.workdps(LO):
        lo = mpmath.e + 0
    with mpmath.workdps(HI):
        hi = mpmath.e + 0
    return Approx(lo, hi)


_CONSTANTS = {"pi": _pi, "E": _e}


# -- parsing --------------------------------------------------------------------------------------

class Expr:
    """A parsed score; ``Expr(text)(x=..., T=..., V=...)`` evaluates it."""

    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise ValueError("formula too long")
        self.text = text
        self.tree = ast.parse(text.strip(), mode="eval").body
        self._validate(self.tree, 0, condition=False)

    # whitelist check, once
    def _validate(self, node: ast.AST, depth: int, condition: bool) -> None:
        if depth > MAX_DEPTH:
            raise ValueError("nesting too deep")
        d = depth + 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                if not condition:
                    raise ValueError("True/False outside a condition")
                return
            if not isinstance(node.value, (int, float)):
                raise ValueError(f"constant {node.value!r} not allowed")
            return
        if isinstance(node, ast.Name):
            if node.id not in _NAMES and node.id not in _CONSTANTS:
                raise ValueError(f"name {node.id!r} not allowed")
            return
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, (ast.USub, ast.UAdd)) or (isinstance(node.op, ast.Not) and condition):
                return self._validate(node.operand, d, condition if isinstance(node.op, ast.Not) else False)
            raise ValueError("unary operator not allowed")
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
                raise ValueError(f"operator {type(node.op).__name__} not allowed")
            self._validate(node.left, d, False)
            self._validate(node.right, d, False)
            return
        if isinstance(node, ast.Compare):
            if not condition:
                raise ValueError("comparison outside a condition")
            for op in node.ops:
                if not isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq)):
                    raise ValueError("comparison operator not allowed")
            self._validate(node.left, d, False)
            for c in node.comparators:
                self._validate(c, d, False)
            return
        if isinstance(node, ast.BoolOp):
            if not condition:
                raise ValueError("and/or outside a condition")
            for v in node.values:
                self._validate(v, d, True)
            return
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.keywords:
                raise ValueError("only plain calls of whitelisted functions")
            name = node.func.id
            if name == "Piecewise":
                for arg in node.args:
                    if not (isinstance(arg, ast.Tuple) and len(arg.elts) == 2):
                        raise ValueError("Piecewise pieces must be pairs")
                    self._validate(arg.elts[0], d, False)
                    self._validate(arg.elts[1], d, True)
                return
            if name == "log":
                if len(node.args) not in (1, 2):
                    raise ValueError("log takes 1 or 2 arguments")
            elif name in _UNARY:
                if len(node.args) != 1:
                    raise ValueError(f"{name} takes one argument")
            elif name in _VARIADIC:
                if len(node.args) < 2:
                    raise ValueError(f"{name} takes at least 2 arguments")
            else:
                raise ValueError(f"function {name!r} not allowed")
            for a in node.args:
                self._validate(a, d, False)
            return
        raise ValueError(f"{type(node).__name__} not allowed")

    def __call__(self, **env: Num) -> Num:
        return self._ev(self.tree, env)

    def _ev(self, node: ast.AST, env: dict[str, Num]) -> Num:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, int):
                return Fraction(node.value)
            src = ast.get_source_segment(self.text.strip(), node) or repr(node.value)
            return Fraction(src.replace("_", ""))
        if isinstance(node, ast.Name):
            if node.id in _CONSTANTS:
                return _CONSTANTS[node.id]()
            if node.id not in env:
                raise ValueError(f"{node.id} has no value")
            return env[node.id]
        if isinstance(node, ast.UnaryOp):
            v = self._ev(node.operand, env)
            return _neg(v) if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a = self._ev(node.left, env)
            b = self._ev(node.right, env)
            op = type(node.op)
            if op is ast.Add:
                return _add(a, b)
            if op is ast.Sub:
                return _sub(a, b)
            if op is ast.Mult:
                return _mul(a, b)
            if op is ast.Div:
                return _div(a, b)
            return _pow(a, b)
        if isinstance(node, ast.Call):
            name = node.func.id
            if name == "Piecewise":
                for piece in node.args:
                    if self._cond(piece.elts[1], env):
                        return self._ev(piece.elts[0], env)
                raise Undefined("no Piecewise branch applies")
            args = [self._ev(a, env) for a in node.args]
            if name == "log":
                return _log(args[0]) if len(args) == 1 else _div(_log(args[0]), _log(args[1]))
            if name in _VARIADIC:
                best = args[0]
                for a in args[1:]:
                    c = _cmp(a, best)
                    if (name == "Max" and c > 0) or (name == "Min" and c < 0):
                        best = a
                return best
            return _UNARY[name](args[0])
        raise ValueError(f"cannot evaluate {type(node).__name__}")

    def _cond(self, node: ast.AST, env: dict[str, Num]) -> bool:
        if isinstance(node, ast.Constant):
            return bool(node.value)
        if isinstance(node, ast.BoolOp):
            vals = (self._cond(v, env) for v in node.values)
            return all(vals) if isinstance(node.op, ast.And) else any(vals)
        if isinstance(node, ast.UnaryOp):
            return not self._cond(node.operand, env)
        if isinstance(node, ast.Compare):
            left = self._ev(node.left, env)
            for op, comp in zip(node.ops, node.comparators):
                right = self._ev(comp, env)
                c = _cmp(left, right)
                ok = {ast.Lt: c < 0, ast.LtE: c <= 0, ast.Gt: c > 0, ast.GtE: c >= 0, ast.Eq: c == 0}[type(op)]
                if not ok:
                    return False
                left = right
            return True
        raise ValueError("bad condition")


_CACHE: dict[str, Expr] = {}


def parse(text: str) -> Expr:
    if text not in _CACHE:
        _CACHE[text] = Expr(text)
    return _CACHE[text]


def value(v: Any) -> Num:
    """An input: Fraction/int as is, a string as a constant expression (``"7/3"``, ``"sqrt(2)"``)."""
    if isinstance(v, Fraction):
        return v
    if isinstance(v, int):
        return Fraction(v)
    if isinstance(v, Approx):
        return v
    if isinstance(v, str):
        return parse(v)()
    raise TypeError(f"cannot use {v!r} as an exact input")


# -- the operator ---------------------------------------------------------------------------------

def scores(score: str, p: Sequence[Any], T: Any) -> list[Num]:
    """``[g(p_i, T, V)]`` with ``V = len(p)``; raises :class:`Undefined`."""
    e = parse(score)
    T = value(T)
    V = Fraction(len(p))
    return [e(x=value(pi), T=T, V=V) for pi in p]


def outcome(score: str, p: Sequence[Any], T: Any) -> tuple[str, list[Num] | None, str]:
    """``("ok", F, "")``, ``("outside", F, why)`` (an entry < 0) or ``("undefined", None, why)``."""
    try:
        gs = scores(score, p, T)
        total = gs[0]
        for g in gs[1:]:
            total = _add(total, g)
        F = [_div(g, total) for g in gs]
    except Undefined as exc:
        return "undefined", None, str(exc)
    neg = [i for i, f in enumerate(F) if sign(f) < 0]
    if neg:
        return "outside", F, f"entry {neg[0]} of F is negative"
    return "ok", F, ""


def evaluate(score: str, p: Sequence[Any], T: Any) -> list[mpmath.mpf]:
    """``F_T(p)`` at HI digits; raises :class:`Undefined` when undefined (not when outside)."""
    kind, F, why = outcome(score, p, T)
    if kind == "undefined":
        raise Undefined(why)
    return [to_mpf(f) for f in F]


def entropy(F: Sequence[mpmath.mpf]) -> mpmath.mpf:
    with mpmath.workdps(HI):
        return -mpmath.fsum(f * mpmath.log(f) for f in F if f > 0)


def _in_open_simplex(p: Sequence[Any]) -> bool:
    vals = [value(v) for v in p]
    if any(sign(v) <= 0 for v in vals):
        return False
    total = vals[0]
    for v in vals[1:]:
        total = _add(total, v)
    return sign(_sub(total, Fraction(1))) == 0


def _target(axiom: str, p: Sequence[Any]) -> list[mpmath.mpf]:
    V = len(p)
    with mpmath.workdps(HI):
        if axiom == "boundary_hot":
            return [mpmath.mpf(1) / V] * V
        vals = [value(v) for v in p]
        top = vals[0]
        for v in vals[1:]:
            if _cmp(v, top) > 0:
                top = v
        M = [i for i, v in enumerate(vals) if _cmp(v, top) == 0]
        return [mpmath.mpf(1) / len(M) if i in M else mpmath.mpf(0) for i in range(V)]


def _dist(a: Sequence[mpmath.mpf], b: Sequence[mpmath.mpf]) -> mpmath.mpf:
    with mpmath.workdps(HI):
        return max(abs(u - v) for u, v in zip(a, b))


def _limit_Ts(axiom: str, w: dict) -> list[Any]:
    if "Ts" in w:
        return [value(t) for t in w["Ts"]]
    k0, k1, step = w.get("ks", (4, 40, 4))
    two = Fraction(2)
    return [two ** (-k) if axiom == "boundary_cold" else two**k for k in range(k0, k1 + 1, step)]


def check_witness(score: str, axiom: str, w: dict) -> tuple[bool, str]:
    """Does ``w`` show that ``axiom`` fails for ``score``? Returns (confirmed, explanation)."""
    p = w["p"]
    if not _in_open_simplex(p):
        return False, f"p={p} is not in the open simplex"
    if axiom == "well_defined":
        kind, _, why = outcome(score, p, w["T"])
        return kind != "ok", f"F at T={w['T']}: {kind} {why}"
    if axiom == "identity":
        kind, F, why = outcome(score, p, 1)
        if kind == "undefined":
            return False, f"F_1 undefined ({why}): not a witness under every reading"
        d = _dist([to_mpf(f) for f in F], [to_mpf(value(v)) for v in p])
        return d > mpmath.mpf(10) ** -30, f"max |F_1(p) - p| = {mpmath.nstr(d, 10)}"
    if axiom == "ranking":
        i, j = w["i"], w["j"]
        if _cmp(value(p[i]), value(p[j])) <= 0:
            return False, "needs p_i > p_j"
        kind, F, why = outcome(score, p, w["T"])
        if kind == "undefined":
            return False, f"F undefined ({why})"
        c = _cmp(F[i], F[j])
        return c <= 0, f"F_i - F_j sign {c}: F_i={mpmath.nstr(to_mpf(F[i]), 15)} F_j={mpmath.nstr(to_mpf(F[j]), 15)}"
    if axiom == "entropy":
        T1, T2 = value(w["T1"]), value(w["T2"])
        if _cmp(T1, T2) >= 0:
            return False, "needs T1 < T2"
        hs = []
        for t in (T1, T2):
            kind, F, why = outcome(score, p, t)
            if kind != "ok":
                return False, f"F at T={t} is {kind}: {why}"
            hs.append(entropy([to_mpf(f) for f in F]))
        with mpmath.workdps(HI):
            gap = hs[0] - hs[1]
        return gap > mpmath.mpf(10) ** -30, f"H(T1) - H(T2) = {mpmath.nstr(gap, 10)}"
    if axiom == "continuity":
        T0 = value(w["T"])
        dp = [value(v) for v in w.get("dp", [0] * len(p))]
        dT = value(w.get("dT", 0))
        gap = mpmath.mpf(w.get("gap", "0.01"))
        k0, k1 = w.get("ks", (10, 40))
        jumps = []
        for k in range(k0, k1 + 1, 10):
            s = Fraction(1, 2**k)
            sides = []
            for sg in (s, -s):
                pp = [_add(value(pi), _mul(sg, di)) for pi, di in zip(p, dp)]
                tt = _add(T0, _mul(sg, dT))
                if sign(tt) <= 0 or any(sign(v) <= 0 for v in pp):
                    return False, "path leaves the domain"
                kind, F, why = outcome(score, pp, tt)
                if kind == "undefined":
                    return False, f"F undefined on the path ({why})"
                sides.append([to_mpf(f) for f in F])
            jumps.append(_dist(sides[0], sides[1]))
        ok = all(j >= gap for j in jumps)
        return ok, f"|F(+s) - F(-s)| for s = 2^-k: {[mpmath.nstr(j, 6) for j in jumps]}"
    if axiom in ("boundary_cold", "boundary_hot"):
        L = [to_mpf(value(v)) for v in w["limit"]]
        target = _target(axiom, p)
        sep = _dist(L, target)
        if sep < mpmath.mpf(w.get("sep", "0.001")):
            return False, "the stated limit equals the target"
        ds = []
        for t in _limit_Ts(axiom, w):
            kind, F, why = outcome(score, p, t)
            if kind == "undefined":
                return False, f"F undefined at T={t} ({why})"
            ds.append(_dist([to_mpf(f) for f in F], L))
        tol = mpmath.mpf(w.get("tol", "1e-6"))
        tail = ds[-3:]
        tiny = mpmath.mpf(10) ** -50
        with mpmath.workdps(HI):
            ok = ds[-1] < tol and all(b <= a * (1 + mpmath.mpf(10) ** -20) or b < tiny for a, b in zip(tail, tail[1:]))
        return ok, f"|F - L| along T: {[mpmath.nstr(d, 4) for d in ds]}; |L - target| = {mpmath.nstr(sep, 6)}"
    raise ValueError(f"unknown axiom {axiom}")


# -- sampling for cells believed true ----------------------------------------------------------

def random_p(rng: random.Random, V: int | None = None, ties: bool = False) -> list[Fraction]:
    V = V or rng.choice([2, 2, 3, 3, 4, 5])
    w = [rng.randint(1, 40) for _ in range(V)]
    if ties and V >= 3:
        w[1] = w[0] = max(w)
    s = sum(w)
    return [Fraction(a, s) for a in w]


def random_T(rng: random.Random, lo: int = -5, hi: int = 5) -> Fraction:
    return Fraction(2) ** rng.randint(lo, hi) * Fraction(rng.randint(64, 127), 64)


def sample_check(score: str, axiom: str, rng: random.Random, n: int = 4, opts: dict | None = None) -> tuple[bool, str]:
    """Search ``n`` random points for a counterexample to ``axiom`` (believed true)."""
    opts = opts or {}
    Vs = opts.get("Vs")
    for _ in range(n):
        p = random_p(rng, rng.choice(Vs) if Vs else None, ties=rng.random() < 0.25)
        T = random_T(rng, *opts.get("T_range", (-5, 5)))
        if axiom == "well_defined":
            kind, _, why = outcome(score, p, T)
            if kind != "ok":
                return False, f"F {kind} at p={p}, T={T}: {why}"
        elif axiom == "ranking":
            kind, F, why = outcome(score, p, T)
            if kind == "undefined":
                continue
            for i in range(len(p)):
                for j in range(len(p)):
                    if p[i] > p[j] and _cmp(F[i], F[j]) <= 0:
                        return False, f"ranking fails at p={p}, T={T}, i={i}, j={j}"
        elif axiom == "continuity":
            kind, F, _ = outcome(score, p, T)
            if kind == "undefined":
                continue
            eps = Fraction(1, 10**25)
            pp = list(p)
            pp[0] += eps
            pp[-1] -= eps
            kind2, F2, why = outcome(score, pp, T * (1 + eps))
            if kind2 == "undefined":
                return False, f"undefined next to a defined point: p={p}, T={T}"
            d = _dist([to_mpf(f) for f in F], [to_mpf(f) for f in F2])
            if d > mpmath.mpf(10) ** -8:
                return False, f"jump {mpmath.nstr(d, 5)} at p={p}, T={T}"
        elif axiom == "entropy":
            T2 = T * Fraction(rng.randint(65, 256), 64)
            hs = []
            for t in (T, T2):
                kind, F, _ = outcome(score, p, t)
                if kind != "ok":
                    break
                hs.append(entropy([to_mpf(f) for f in F]))
            with mpmath.workdps(HI):
                worse = len(hs) == 2 and hs[0] - hs[1] > mpmath.mpf(10) ** -40
            if worse:
                return False, f"H decreases from T={T} to T={T2} at p={p}: {mpmath.nstr(hs[0] - hs[1], 5)}"
        elif axiom == "identity":
            kind, F, why = outcome(score, p, 1)
            if kind == "undefined":
                return False, f"F_1 undefined at p={p}: {why}"
            d = _dist([to_mpf(f) for f in F], [to_mpf(v) for v in p])
            if d > mpmath.mpf(10) ** -40:
                return False, f"F_1(p) != p at p={p}: {mpmath.nstr(d, 5)}"
        elif axiom in ("boundary_cold", "boundary_hot"):
            target = _target(axiom, p)
            ks = opts.get("ks", (4, 40, 6))
            ds = []
            for k in range(ks[0], ks[1] + 1, ks[2]):
                t = Fraction(2) ** (-k if axiom == "boundary_cold" else k)
                kind, F, why = outcome(score, p, t)
                if kind == "undefined":
                    return False, f"F undefined at T={t}, p={p}: {why}"
                ds.append(_dist([to_mpf(f) for f in F], target))
            tol = mpmath.mpf(opts.get("tol", "1e-3"))
            if ds[-1] > tol:
                return False, f"{axiom}: |F - target| = {[mpmath.nstr(d, 4) for d in ds]} at p={p}"
        else:
            raise ValueError(axiom)
    return True, "no counterexample found"
