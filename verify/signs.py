"""A sound sign prover for expressions in strictly positive variables.

After the substitutions of :mod:`skd.verify.regions`, every free symbol of an obligation is a
strictly positive real. :func:`sign_of` then returns ``"pos"``, ``"neg"``, ``"zero"`` or
``None`` (undecided). It never guesses: every rule is a lemma of
``docs/theory/reductions.md#piecewise-scores``:

* **positivity lemma** — a polynomial with non-negative coefficients, not identically zero, is
  positive at every point with positive coordinates; a rational function is handled through
  its numerator and denominator after :func:`sympy.cancel`;
* **opaque atoms** — a transcendental subterm whose sign is known is replaced by a fresh
  positive symbol (times −1 if negative) before the polynomial test: the conclusion then holds
  for *every* positive value of the atom, in particular the true one;
* structural rules: ``exp(a) > 0``; ``log(a)`` has the sign of ``a − 1`` (for ``a > 0``);
  ``b**e > 0`` for ``b > 0``; products multiply signs; ``Max``/``Min``/``Abs`` as usual;
  odd increasing functions (``tanh``, ``sinh``, ``atan``, ``erf``) keep the sign.

**Definedness comes first** (``docs/theory/reductions.md#definedness``): :func:`sign_of` returns
a sign only for an expression that :func:`defined` proves defined, finite and real at *every*
point with positive symbols — denominators proved non-zero, ``log`` arguments proved > 0, real
powers of bases proved > 0, ``asin``/``acos`` arguments proved in ``[-1, 1]``, ``tan`` arguments
with ``cos`` proved non-zero; any other function is not known to be defined, so undecided.
A sign of an expression that may have a pole or a complex branch is never returned.

SymPy's own ``is_positive``/``ask`` are not used.

>>> import sympy as sp
>>> u, t = sp.symbols("u t", positive=True)
>>> sign_of(-1 / ((1 + u) * t**2))
'neg'
>>> sign_of(sp.log(1 + u) + 1)
'pos'
>>> sign_of(u - t) is None
True
>>> sign_of(sp.exp(1 / (t - 1))) is None      # a pole at t = 1: no sign
True
>>> sign_of(sp.sqrt(u - 1) + 1) is None        # complex for u < 1: no sign
True
"""

from __future__ import annotations

from typing import Literal

import sympy as sp

from .budget import Memo

__all__ = ["Sign", "sign_of", "poly_sign", "positive_variables", "defined", "domain_conditions", "number_sign",
           "expand_logs"]

Sign = Literal["pos", "neg", "zero"]

_ODD_INCREASING = (sp.tanh, sp.sinh, sp.atan, sp.asin, sp.erf)
_MAX_POLY_TERMS = 4000


def positive_variables(expr: sp.Basic) -> bool:
    """True if every free symbol of ``expr`` is declared positive (the prover's precondition)."""
    return all(s.is_positive is True for s in expr.free_symbols)


def _neg(s: Sign | None) -> Sign | None:
    return {"pos": "neg", "neg": "pos", "zero": "zero", None: None}[s]


def poly_sign(expr: sp.Expr) -> Sign | None:
    """Sign of a polynomial in positive symbols by the positivity lemma (None if mixed)."""
    expr = sp.expand(expr)
    if expr == 0:
        return "zero"
    gens = sorted(expr.free_symbols, key=str)
    if not gens:
        return number_sign(expr)
    try:
        poly = sp.Poly(expr, *gens)
    except sp.PolynomialError:
        return None
    coeffs = poly.coeffs()
    if len(coeffs) > _MAX_POLY_TERMS:
        return None
    signs = set()
    for c in coeffs:
        if not c.is_Rational:
            s = number_sign(c)
            if s is None:
                return None
            signs.add(s)
        else:
            signs.add("pos" if c > 0 else "neg" if c < 0 else "zero")
    signs.discard("zero")
    if signs == {"pos"}:
        return "pos"
    if signs == {"neg"}:
        return "neg"
    return None


def number_sign(c: sp.Expr) -> Sign | None:
    """The sign of a constant (no free symbols): exact for rationals, else from a rigorous Arb enclosure."""
    if c.free_symbols:
        return None
    if c.is_Rational:
        return "pos" if c > 0 else "neg" if c < 0 else "zero"
    # A constant like log(2) - 1 or pi - 3: decide with a rigorous enclosure.
    from skd.operators.arith import ArbArith, Undecided
    from skd.operators.evaluate import eval_expr

    ar = ArbArith(prec=256)
    try:
        v = eval_expr(c, {}, ar)
    except (Undecided, TypeError, ValueError, KeyError, ZeroDivisionError):
        return None
    if v > 0:
        return "pos"
    if v < 0:
        return "neg"
    if v.is_zero():
        return "zero"
    return None


class _Atoms:
    """Replaces sign-known transcendental subterms by fresh positive symbols."""

    def __init__(self) -> None:
        self.count = 0

    def fresh(self) -> sp.Symbol:
        self.count += 1
        return sp.Symbol(f"_atom{self.count}", positive=True)


def _is_polynomial_node(e: sp.Basic) -> bool:
    return isinstance(e, (sp.Add, sp.Mul)) or (
        isinstance(e, sp.Pow) and isinstance(e.args[1], sp.Integer)
    )


def _opaque(expr: sp.Expr, atoms: _Atoms, depth: int) -> sp.Expr | None:
    """``expr`` with every non-rational subterm replaced by ±(fresh positive symbol)."""
    if isinstance(expr, sp.Symbol) or expr.is_Rational:
        return expr
    if isinstance(expr, sp.Number) or not expr.free_symbols:
        # a real constant of decided sign stays itself: the polynomial lemma then sums the
        # constant coefficients of each monomial (10 - pi > 0) before deciding their signs
        s = number_sign(expr)
        if s is None:
            return None
        return sp.Integer(0) if s == "zero" else expr
    if _is_polynomial_node(expr):
        args = [_opaque(a, atoms, depth) for a in expr.args]
        if any(a is None for a in args):
            return None
        return expr.func(*args)
    s = _structural(expr, depth + 1)
    if s is None:
        return None
    if s == "zero":
        return sp.Integer(0)
    return atoms.fresh() if s == "pos" else -atoms.fresh()


def _rational_sign(expr: sp.Expr, depth: int) -> Sign | None:
    atoms = _Atoms()
    op = _opaque(expr, atoms, depth)
    if op is None:
        return None
    if op == 0:
        return "zero"
    num, den = _reduced_fraction(op)
    sn = poly_sign(num)
    if sn == "zero":
        return "zero"
    sd = poly_sign(den)
    if sn is None or sd is None or sd == "zero":
        return None
    return sn if sd == "pos" else _neg(sn)


def _reduced_fraction(op: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """``(num, den)`` polynomials with ``num/den == op`` and no common factor, for ``op`` built of
    ``+``, ``*`` and integer powers over symbols and constants (what :func:`_opaque` returns).

    ``sp.cancel((n, d))`` on ``op.as_numer_denom()``: the same reduced fraction as
    ``sp.fraction(sp.cancel(sp.together(op)))`` (both expand into polynomials over the same
    generators and cancel their gcd), without ``together``'s and ``factor_terms``' term-by-term
    gcds, which query the assumptions of every subterm (~a third of the prover's time on the
    soundness fuzz's scores)."""
    n, d = op.as_numer_denom()
    c, num, den = sp.cancel((n, d), _signsimp=False)
    return c * num, den


# No factorisation here (there was one, ``_factored_sign``, until 2026-12-07): a polynomial's sign
# is decided from its coefficients only. Factoring cannot decide more. If every factor ``f_j`` of
# ``c * prod f_j**k_j`` has coefficients (as a polynomial in the positive symbols) of one strict
# sign ``s_j``, every coefficient of the expanded product is ``c`` times a sum of products of one
# coefficient per factor, all of sign ``sign(c) * prod s_j**k_j``: no cancellation, so
# :func:`poly_sign` on the product decides the same sign (pinned by
# ``tests/test_signs.py::test_poly_sign_decides_every_product_of_one_signed_polynomials``); if some
# factor is not one-signed, the factorisation decided nothing either. Measured before removing it:
# 8660 calls over 300 fuzz operators and both corpora, none decided a sign. What it cost: SymPy
# factors multivariate polynomials by Wang's algorithm, which draws random evaluation points (from
# an unseeded generator), so one obligation took 2 s in one run and over 40 s in the next
# (``x**(1/T)*(1 + x/log(2 + T))``, boundary_cold: the 20-s budget hit at random).


def _structural(e: sp.Expr, depth: int) -> Sign | None:
    if depth > 60:
        return None
    if isinstance(e, sp.Symbol):
        return "pos" if e.is_positive is True else None
    if not e.free_symbols:
        return number_sign(e)
    if isinstance(e, sp.exp):
        return "pos" if _is_real(e.args[0]) else None
    if isinstance(e, sp.log):
        a = e.args[0]
        if sign_of(a, depth + 1) != "pos":
            return None
        return sign_of(sp.expand_log(a - 1, force=True), depth + 1) or sign_of(sp.together(a - 1), depth + 1)
    if isinstance(e, sp.Pow):
        b, ex = e.args
        sb = sign_of(b, depth + 1)
        if sb == "pos":
            return "pos" if _is_real(ex) else None
        if isinstance(ex, sp.Integer):
            n = int(ex)
            if sb == "zero":
                return "zero" if n > 0 else None
            if sb == "neg":
                return "pos" if n % 2 == 0 else "neg"
        return None
    if isinstance(e, sp.Mul):
        result: Sign = "pos"
        for a in e.args:
            s = sign_of(a, depth + 1)
            if s is None:
                return None
            if s == "zero":
                return "zero"
            if s == "neg":
                result = _neg(result)  # type: ignore[assignment]
        return result
    if isinstance(e, sp.Add):
        signs = [sign_of(a, depth + 1) for a in e.args]
        if None not in signs:
            nz = set(signs) - {"zero"}
            if not nz:
                return "zero"
            if nz == {"pos"}:
                return "pos"
            if nz == {"neg"}:
                return "neg"
        return _log_sum_sign(e, depth) or _bounded_sum_sign(e, depth) or _log_compare_sign(e, signs, depth)
    if isinstance(e, sp.Abs):
        s = sign_of(e.args[0], depth + 1)
        return None if s is None else ("zero" if s == "zero" else "pos")
    if isinstance(e, (sp.Max, sp.Min)):
        signs = [sign_of(a, depth + 1) for a in e.args]
        if isinstance(e, sp.Max):
            if "pos" in signs:
                return "pos"
            if None not in signs and set(signs) == {"neg"}:
                return "neg"
            if None not in signs and set(signs) <= {"neg", "zero"}:
                return "zero"
        else:
            if "neg" in signs:
                return "neg"
            if None not in signs and set(signs) == {"pos"}:
                return "pos"
            if None not in signs and set(signs) <= {"pos", "zero"}:
                return "zero"
        return None
    if isinstance(e, _ODD_INCREASING):
        return sign_of(e.args[0], depth + 1)
    if isinstance(e, sp.cosh):
        return "pos" if _is_real(e.args[0]) else None
    return None


def _log_sum_sign(e: sp.Add, depth: int) -> Sign | None:
    """``Σ k_i log(a_i)`` with integer ``k_i`` and every ``a_i > 0`` equals ``log(Π a_i^k_i)``:
    its sign is that of ``Π a_i^k_i − 1`` (decided as a rational function)."""
    prod = sp.Integer(1)
    for term in e.args:
        k, rest = term.as_coeff_Mul()
        if not (isinstance(rest, sp.log) and k.is_Integer):
            return None
        a = rest.args[0]
        if sign_of(a, depth + 1) != "pos":
            return None
        prod *= a ** int(k)
    diff = sp.cancel(sp.together(prod - 1))
    return sign_of(diff, depth + 1) if diff.free_symbols or diff.is_Number else None


def _log_compare_sign(e: sp.Add, signs: list[Sign | None], depth: int) -> Sign | None:
    """``A - B`` with ``A, B > 0`` (two terms of opposite proved signs) has the sign of
    ``log A - log B``; logs of products and powers of positive factors are split (exact), so
    ``1 - u**(1/t)`` with ``u`` in (0, 1) becomes ``-log(u)/t``."""
    if len(e.args) != 2 or set(signs) != {"pos", "neg"}:
        return None
    a, b = e.args if signs[0] == "pos" else e.args[::-1]
    d = expand_logs(sp.log(a)) - expand_logs(sp.log(-b))
    if d.has(sp.log) and any(isinstance(t, sp.log) and t.args[0] in (a, -b) for t in sp.preorder_traversal(d)):
        return None  # nothing was split: no progress
    return sign_of(sp.expand(d), depth + 1)


def expand_logs(e: sp.Expr) -> sp.Expr:
    """Split ``log`` of products/powers whose factors are provably positive (exact rewrite)."""
    def rec(a: sp.Expr) -> sp.Expr:
        if not a.args:
            return a
        if isinstance(a, sp.log):
            inner = rec(a.args[0])
            if isinstance(inner, sp.Mul):
                facs = sp.Mul.make_args(inner)
                if all(sign_of(f) == "pos" for f in facs):
                    return sp.Add(*[rec(sp.log(f)) for f in facs])
            if isinstance(inner, sp.Pow) and sign_of(inner.args[0]) == "pos" and inner.args[1].is_real:
                return inner.args[1] * rec(sp.log(inner.args[0]))
            if isinstance(inner, sp.exp):
                return inner.args[0]
            return sp.log(inner)
        return a.func(*[rec(b) if isinstance(b, sp.Expr) else b for b in a.args])

    return rec(e)


_BOUNDED = (sp.sin, sp.cos, sp.tanh)


def _bounded_sum_sign(e: sp.Add, depth: int) -> Sign | None:
    """``c + Σ k_i b_i`` with constants ``c``, ``k_i`` and ``|b_i| ≤ 1`` (``sin``, ``cos``,
    ``tanh`` of real arguments, or their squares): positive if ``c > Σ|k_i|``, negative if
    ``c < −Σ|k_i|`` (``≥``/``≤`` suffice when every bounded term is a ``tanh``, ``|tanh| < 1``)."""
    const = sp.Integer(0)
    budget = sp.Integer(0)
    strict = True  # |tanh(a)| < 1 strictly; |sin|, |cos| reach 1
    for term in e.args:
        if not term.free_symbols:
            if not term.is_Rational:
                return None
            const += term
            continue
        k, rest = term.as_coeff_Mul()
        base = rest.args[0] if (isinstance(rest, sp.Pow) and rest.args[1] == 2) else rest
        if not (isinstance(base, _BOUNDED) and _is_real(base.args[0]) and k.is_Rational):
            return None
        budget += abs(k)
        strict = strict and isinstance(base, sp.tanh)
    if const > budget or (strict and budget > 0 and const >= budget):
        return "pos"
    if const < -budget or (strict and budget > 0 and const <= -budget):
        return "neg"
    return None


def _is_real(e: sp.Expr) -> bool:
    return all(s.is_real is True for s in e.free_symbols) and not e.has(sp.I, sp.zoo, sp.nan)



# -- definedness ----------------------------------------------------------------------------------

#: functions defined, finite and real for every real argument
#: (steps — Heaviside, sign, floor, ceiling — are total but not continuous: the provers rewrite
#: them into pieces first, and an unrewritten one is an unsupported construct here)
_TOTAL = (sp.exp, sp.sin, sp.cos, sp.tanh, sp.sinh, sp.cosh, sp.atan, sp.erf, sp.Abs, sp.Max, sp.Min)
_DEFINED_CACHE: dict[sp.Basic, bool] = {}


def domain_conditions(expr: sp.Basic) -> list[tuple[str, sp.Expr]]:
    """The side conditions under which ``expr`` is defined, finite and real, one per node:
    ``("ne0", d)`` (a denominator), ``("gt0", b)`` (a ``log`` argument, the base of a real
    power), ``("ge0", e)`` (``asin``/``acos`` ranges: ``1 - a``, ``1 + a``), and ``("unsupported", e)``
    for a construct whose domain is not described here (``Piecewise``, unknown functions).

    >>> import sympy as sp
    >>> t = sp.Symbol("t", positive=True)
    >>> domain_conditions(sp.log(t - 1) / (t - 2))
    [('ne0', t - 2), ('gt0', t - 1)]
    """
    out: list[tuple[str, sp.Expr]] = []

    def walk(e: sp.Basic) -> None:
        if not isinstance(e, sp.Expr) or isinstance(e, (sp.Symbol, sp.Number, sp.NumberSymbol)):
            if e in (sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I) or (isinstance(e, sp.Expr) and e.has(sp.I, sp.zoo, sp.nan)):
                out.append(("unsupported", e))
            return
        if e.has(sp.I, sp.zoo, sp.nan, sp.oo):
            out.append(("unsupported", e))
            return
        if isinstance(e, sp.Pow):
            b, ex = e.args
            if isinstance(ex, sp.Integer):
                if ex < 0:
                    out.append(("ne0", b))
            else:
                out.append(("gt0", b))
        elif isinstance(e, sp.log):
            out.append(("gt0", e.args[0]))
        elif isinstance(e, (sp.asin, sp.acos)):
            out.append(("ge0", 1 - e.args[0]))
            out.append(("ge0", 1 + e.args[0]))
        elif isinstance(e, sp.tan):
            out.append(("ne0", sp.cos(e.args[0])))
        elif isinstance(e, (sp.Add, sp.Mul) + _TOTAL):
            pass
        else:
            out.append(("unsupported", e))
            return
        for a in e.args:
            walk(a)

    walk(expr)
    return out


def defined(expr: sp.Basic) -> bool:
    """True if ``expr`` is proved defined, finite and real at every point with positive
    symbols: each of its :func:`domain_conditions` is proved by :func:`sign_of`. False means
    *not proved* (it may still be defined).

    >>> import sympy as sp
    >>> t = sp.Symbol("t", positive=True)
    >>> defined(sp.log(1 + t) / t), defined(1 / (t - 7)), defined(sp.asin(1 / (1 + t)))
    (True, False, True)
    """
    hit = _DEFINED_CACHE.get(expr)
    if hit is not None:
        return hit
    ok = _defined(expr)
    if len(_DEFINED_CACHE) > 50_000:
        _DEFINED_CACHE.clear()
    _DEFINED_CACHE[expr] = ok
    return ok


def _defined(expr: sp.Basic) -> bool:
    if isinstance(expr, sp.Expr) and expr.has(sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo):
        return False
    for kind, e in domain_conditions(expr):
        if kind == "unsupported":
            return False
        s = _sign_unchecked_defined(e)
        if kind == "ne0" and s not in ("pos", "neg"):
            return False
        if kind == "gt0" and s != "pos":
            return False
        if kind == "ge0" and s not in ("pos", "zero"):
            return False
    return True


def _sign_unchecked_defined(e: sp.Expr) -> Sign | None:
    # each condition's expression is a proper subterm (or 1 -+ a subterm): sign_of checks
    # its definedness in turn, so the recursion is on strictly smaller terms
    return sign_of(e, 1)


#: ``sign_of(expr, depth)`` by ``(expr, depth)``: a pure function of the two (the region is
#: already substituted into ``expr``, as positive symbols whose assumptions are part of the key;
#: ``depth`` only cuts the recursion off), so a hit returns exactly what the call would compute.
_SIGN_MEMO = Memo("signs.sign_of", limit=50_000)


def sign_of(expr: sp.Expr, depth: int = 0) -> Sign | None:
    """The sign of ``expr`` for all positive values of its (positive) symbols, or None.

    None also when ``expr`` is not proved :func:`defined` everywhere (a pole, a complex
    branch, a construct whose domain is unknown). Raises ``ValueError`` if a free symbol is
    not declared positive: the caller must substitute first.
    """
    expr = sp.sympify(expr)  # safe: expr is already a SymPy object built by skd
    if depth == 0 and not positive_variables(expr):
        bad = sorted(str(s) for s in expr.free_symbols if s.is_positive is not True)
        raise ValueError(f"sign_of needs positive symbols; substitute {bad} first")
    key = (expr, depth)
    found, value = _SIGN_MEMO.lookup(key)
    if found:
        return value
    value = _sign_of_uncached(expr, depth)
    _SIGN_MEMO.store(key, value)
    return value


def _sign_of_uncached(expr: sp.Expr, depth: int) -> Sign | None:
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
        return None
    if depth > 60 or not defined(expr):
        return None
    if not expr.free_symbols:
        return number_sign(expr)
    s = _structural(expr, depth)
    if s is not None:
        return s
    return _rational_sign(expr, depth)
