"""The proof kernel: an independent checker that sees every proof before the user does.

The provers (:mod:`skd.verify.prove`, :mod:`skd.verify.signs`, :mod:`skd.verify.regions`) are
large and untrusted. This module is small and shares **no code** with them (a test checks its
imports): it reads the operator's definition (the score and the side conditions of the formula
as written) and uses SymPy for exact algebra and python-flint for rigorous constants, nothing
else. A ``proved`` outcome is reported only if :func:`check_proof` accepts it; a rejection makes
the verdict ``unknown`` (and is a prover bug to report).

What the kernel re-does itself, for every ``sign`` step of a certificate:

1. **the region** — the step's substitution maps ``T``, ``x``, ``V`` and the parameters to
   expressions in fresh positive symbols; the kernel checks each is a monotone (Möbius) map or a
   point and reads off the interval it covers;
2. **the expression** — for the named derivations (``g``, ``dg/dx``, ``d/dx (g/x)``,
   ``d2(log g)/dxdT``, written side conditions) it resolves the score's ``Piecewise``, ``Min``,
   ``Max``, ``Abs``, ``Heaviside`` and ``sign`` on that region by deciding the sign of every
   condition there itself, then differentiates; other steps (jumps, limits, gluing) carry a
   prover-built expression whose *sign claim* it re-decides;
3. **definedness, then the sign** — every denominator, ``log`` argument, real-power base and
   ``asin``/``acos`` range is proved on the region before any sign rule is used
   (``docs/theory/reductions.md#definedness``), by its own small rule set: the positivity lemma
   for polynomials in positive variables (after replacing sign-known transcendental subterms by
   fresh positive symbols), ``exp > 0``, ``log a`` has the sign of ``a - 1``, odd increasing
   functions keep the sign, products multiply signs, Arb enclosures for constants.

For ``well_defined`` it also checks that the regions of the certificate **cover** the domain
(``T`` in ``(0, oo)``, ``x`` in ``(0, 1)``, ``V`` in ``{2} U (2, oo)``, each parameter's declared
interval), and that every written side condition holds on each region.

What it does not re-check: that the per-axiom reduction theorems
(``docs/theory/reductions.md``) are correctly instantiated beyond the steps shown (which
breakpoints need a jump step, say). That structure is re-derived and compared by
``skd recheck`` (:mod:`skd.verify.proofcheck`).

Size: the trusted kernel is one file on purpose, to be audited end to end; it may share no code
with the provers, so its rules cannot move into the provers' modules, and splitting it would
only spread the trusted base over several files.

>>> from skd.operators import library
>>> from skd.verify.prove import lemma_outcomes, prove
>>> out = prove("ranking", library.power)
>>> check_proof("ranking", library.power, out, lemmas=lemma_outcomes(library.power, out))
(True, 'kernel: 2 steps checked')
>>> check_proof("ranking", library.power, out)[1]
"kernel rejected the certificate: lemma 'well_defined' cited without its proof"
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import flint
import sympy as sp

from skd.operators.symbols import T, V, x

__all__ = ["KernelRejection", "check_proof", "KernelSign", "kernel_sign", "kernel_defined", "REJECTIONS"]

KernelSign = Literal["pos", "neg", "zero"]

#: (axiom, operator definition, reason) of every certificate rejected in this process
REJECTIONS: list[tuple[str, str, str]] = []

_MAX_TERMS = 3000
_MAX_DEPTH = 80


class KernelRejection(Exception):
    """The kernel does not accept a certificate (the message says which step and why)."""


# =============================================================================================
# Rigorous constants (python-flint Arb balls)
# =============================================================================================

_ARB_UNARY = {sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.tanh: "tanh", sp.sinh: "sinh",
              sp.cosh: "cosh", sp.atan: "atan", sp.asin: "asin", sp.acos: "acos", sp.erf: "erf"}


def _arb(e: sp.Expr) -> Any:
    """A ball enclosing the real constant ``e`` (raises ValueError if not evaluable)."""
    if e.is_Rational:
        return flint.arb(flint.fmpq(int(e.p), int(e.q)))
    if e is sp.pi:
        return flint.arb.pi()
    if e is sp.E:
        return flint.arb(1).exp()
    if isinstance(e, sp.Add):
        out = flint.arb(0)
        for a in e.args:
            out += _arb(a)
        return out
    if isinstance(e, sp.Mul):
        out = flint.arb(1)
        for a in e.args:
            out *= _arb(a)
        return out
    if isinstance(e, sp.Pow):
        b, n = _arb(e.args[0]), e.args[1]
        if n.is_Integer:
            if n < 0 and b.contains(0):
                raise ValueError("division by a ball containing 0")
            return b ** int(n) if n >= 0 else 1 / (b ** int(-n))
        if not b > 0:
            raise ValueError("real power of a base not certainly positive")
        return (_arb(n) * b.log()).exp()
    for cls, name in _ARB_UNARY.items():
        if isinstance(e, cls):
            a = _arb(e.args[0])
            if name == "log" and not a > 0:
                raise ValueError("log of a ball not certainly positive")
            if name in ("asin", "acos") and not (a >= -1 and a <= 1):
                raise ValueError(f"{name} of a ball not certainly in [-1, 1]")
            return getattr(a, name)()
    if isinstance(e, sp.Abs):
        return abs(_arb(e.args[0]))
    raise ValueError(f"cannot enclose {type(e).__name__}")


def _constant_sign(e: sp.Expr) -> KernelSign | None:
    if e.is_Rational:
        return "pos" if e > 0 else "neg" if e < 0 else "zero"
    if e.has(sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo):
        return None
    flint.ctx.prec, old = 300, flint.ctx.prec
    try:
        b = _arb(e)
    except (ValueError, ZeroDivisionError, TypeError):
        return None
    finally:
        flint.ctx.prec = old
    if b > 0:
        return "pos"
    if b < 0:
        return "neg"
    return None


# =============================================================================================
# Definedness and sign, for expressions whose free symbols are all positive
# =============================================================================================

_TOTAL = (sp.exp, sp.sin, sp.cos, sp.tanh, sp.sinh, sp.cosh, sp.atan, sp.erf, sp.Abs, sp.Max, sp.Min)
_KEEPS_SIGN = (sp.tanh, sp.sinh, sp.atan, sp.erf, sp.asin)
#: nodes that bind a variable (``diff(floor(x), x)`` stays ``Derivative(floor(x), x)``): a region's
#: substitution is structural (``xreplace``), which is not the substitution of a value into them,
#: so an expression holding one is never decided (nor substituted) on a region
_BINDS = (sp.Derivative, sp.Subs, sp.Integral, sp.Sum, sp.Product, sp.Lambda)


class _Decider:
    """Sign facts valid at every point with positive symbols; None when not proved."""

    def __init__(self) -> None:
        self._signs: dict[sp.Basic, KernelSign | None] = {}
        self._defined: dict[sp.Basic, bool] = {}
        self._fresh = 0

    # -- definedness -----------------------------------------------------------------------
    def defined(self, e: sp.Basic, depth: int = 0) -> bool:
        if e in self._defined:
            return self._defined[e]
        ok = self._defined_now(e, depth)
        self._defined[e] = ok
        return ok

    def _defined_now(self, e: sp.Basic, depth: int) -> bool:
        if depth > _MAX_DEPTH or not isinstance(e, sp.Expr):
            return False
        if e.has(sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo):
            return False
        if isinstance(e, sp.Symbol):
            return e.is_positive is True
        if e.is_Rational or e in (sp.pi, sp.E):
            return True
        if not all(self.defined(a, depth + 1) for a in e.args):
            return False
        if isinstance(e, (sp.Add, sp.Mul, *_TOTAL)):
            return True
        if isinstance(e, sp.Pow):
            b, n = e.args
            sb = self.sign(b, depth + 1)
            if n.is_Integer:
                return n >= 0 or sb in ("pos", "neg")
            return sb == "pos"
        if isinstance(e, sp.log):
            return self.sign(e.args[0], depth + 1) == "pos"
        if isinstance(e, (sp.asin, sp.acos)):
            a = e.args[0]
            return self.sign(1 - a, depth + 1) in ("pos", "zero") and self.sign(1 + a, depth + 1) in ("pos", "zero")
        if isinstance(e, sp.tan):
            return self.sign(sp.cos(e.args[0]), depth + 1) in ("pos", "neg")
        return False  # Piecewise, floor, unknown functions: not known to be defined

    # -- sign -------------------------------------------------------------------------------
    def sign(self, e: sp.Expr, depth: int = 0) -> KernelSign | None:
        if e in self._signs:
            return self._signs[e]
        s = self._sign_now(e, depth) if self.defined(e, depth) else None
        self._signs[e] = s
        return s

    def _sign_now(self, e: sp.Expr, depth: int) -> KernelSign | None:
        if depth > _MAX_DEPTH:
            return None
        if not e.free_symbols:
            return _constant_sign(e)
        if isinstance(e, sp.Symbol):
            return "pos"
        if isinstance(e, sp.Mul):
            out: KernelSign = "pos"
            for a in e.args:
                s = self.sign(a, depth + 1)
                if s is None:
                    return self._polynomial_sign(e, depth)
                if s == "zero":
                    return "zero"
                if s == "neg":
                    out = "neg" if out == "pos" else "pos"
            return out
        if isinstance(e, sp.Pow):
            b, n = e.args
            sb = self.sign(b, depth + 1)
            if sb == "pos":
                return "pos"
            if n.is_Integer and sb in ("neg", "zero"):
                if sb == "zero":
                    return "zero" if n > 0 else None
                return "pos" if int(n) % 2 == 0 else "neg"
            return None
        if isinstance(e, (sp.exp, sp.cosh)):
            return "pos"
        if isinstance(e, sp.log):
            return self.sign(sp.together(e.args[0] - 1), depth + 1)
        if isinstance(e, _KEEPS_SIGN):
            return self.sign(e.args[0], depth + 1)
        if isinstance(e, sp.Abs):
            s = self.sign(e.args[0], depth + 1)
            return None if s is None else ("zero" if s == "zero" else "pos")
        if isinstance(e, (sp.Max, sp.Min)):
            signs = [self.sign(a, depth + 1) for a in e.args]
            if None in signs:
                return None
            if isinstance(e, sp.Max):
                return "pos" if "pos" in signs else ("zero" if "zero" in signs else "neg")
            return "neg" if "neg" in signs else ("zero" if "zero" in signs else "pos")
        if isinstance(e, sp.Add):
            signs = [self.sign(a, depth + 1) for a in e.args]
            strict = {s for s in signs if s != "zero"}
            if None not in signs:
                if not strict:
                    return "zero"
                if len(strict) == 1:
                    return strict.pop()
            return (self._log_sum_sign(e, depth) or self._bounded_sum_sign(e) or self._log_compare_sign(e, signs, depth)
                    or self._polynomial_sign(e, depth))
        return None

    def _split(self, e: sp.Expr, depth: int) -> sp.Expr:
        """``log e`` for ``e > 0``, split over products and powers whose factors / bases the
        kernel proves > 0 (exact for positive reals)."""
        if isinstance(e, sp.exp):
            return e.args[0]
        if isinstance(e, sp.Pow) and self.sign(e.args[0], depth + 1) == "pos":
            return e.args[1] * self._split(e.args[0], depth)
        if isinstance(e, sp.Mul) and all(self.sign(f, depth + 1) == "pos" for f in e.args):
            return sp.Add(*[self._split(f, depth) for f in e.args])
        return sp.log(e)

    def _log_compare_sign(self, e: sp.Add, signs: list[KernelSign | None], depth: int) -> KernelSign | None:
        """``A - B`` with ``A > 0`` and ``B > 0`` has the sign of ``log A - log B``."""
        if len(e.args) != 2 or set(signs) != {"pos", "neg"}:
            return None
        a, b = e.args if signs[0] == "pos" else e.args[::-1]
        la, lb = self._split(a, depth), self._split(-b, depth)
        if not (isinstance(a, (sp.exp, sp.Pow, sp.Mul)) or isinstance(-b, (sp.exp, sp.Pow, sp.Mul))):
            return None  # nothing to split: log A - log B is no simpler than A - B
        return self.sign(sp.expand(la - lb), depth + 1)

    def _bounded_sum_sign(self, e: sp.Add) -> KernelSign | None:
        """``c + Σ k_i b_i`` with rational ``c``, ``k_i`` and each ``b_i`` one of ``sin``, ``cos``,
        ``tanh`` (or a square of one) of a real argument, so ``|b_i| <= 1``: positive when
        ``c > Σ|k_i|``, negative when ``c < -Σ|k_i|``."""
        c, budget = sp.Integer(0), sp.Integer(0)
        strict = True  # |tanh| < 1 strictly, so c >= Σ|k_i| suffices when every b_i is a tanh
        for term in e.args:
            if not term.free_symbols:
                if not term.is_Rational:
                    return None
                c += term
                continue
            k, rest = term.as_coeff_Mul()
            b = rest.args[0] if isinstance(rest, sp.Pow) and rest.args[1] == 2 else rest
            if not (k.is_Rational and isinstance(b, (sp.sin, sp.cos, sp.tanh))):
                return None
            budget += abs(k)
            strict = strict and isinstance(b, sp.tanh)
        if c > budget or (strict and budget > 0 and c >= budget):
            return "pos"
        if c < -budget or (strict and budget > 0 and c <= -budget):
            return "neg"
        return None

    def _atom(self, s: KernelSign) -> sp.Expr:
        self._fresh += 1
        sym = sp.Symbol(f"_k{self._fresh}", positive=True)
        return {"pos": sym, "neg": -sym, "zero": sp.Integer(0)}[s]

    def _abstract(self, e: sp.Expr, depth: int) -> sp.Expr | None:
        """``e`` with each maximal non-polynomial subterm replaced by ±(fresh positive symbol)."""
        if isinstance(e, sp.Symbol) or e.is_Rational:
            return e
        if not e.free_symbols:
            c = _constant_sign(e)  # a real constant stays itself; its monomial's coefficients are summed
            return None if c is None else (sp.Integer(0) if c == "zero" else e)
        if isinstance(e, (sp.Add, sp.Mul)) or (isinstance(e, sp.Pow) and e.args[1].is_Integer):
            args = [self._abstract(a, depth) for a in e.args]
            if any(a is None for a in args):
                return None
            return e.func(*args)
        s = self.sign(e, depth + 1)
        return None if s is None else self._atom(s)

    def _polynomial_sign(self, e: sp.Expr, depth: int) -> KernelSign | None:
        """Positivity lemma: a rational function of positive variables whose numerator and
        denominator have coefficients of one strict sign each. Cancelling common factors is
        safe: every denominator of ``e`` was proved non-zero by :meth:`defined`."""
        a = self._abstract(e, depth)
        if a is None:
            return None
        # The reduced fraction of a: sp.cancel on a.as_numer_denom() (n/d == a identically, d a
        # product of a's denominators, so non-zero), not on sp.together(a), whose term-by-term gcds
        # (gcd_terms, factor_terms) were ~40 % of the vector kernel's time on sparsemax. A reduced
        # fraction is unique up to a constant factor that num and den share: the same sign decided.
        n_, d_ = a.as_numer_denom()
        c_, num, den = sp.cancel((n_, d_), _signsimp=False)
        num = c_ * num
        # From the coefficients only: a factorisation decides nothing more (a product of factors
        # whose coefficients have one strict sign each has, expanded, coefficients of one strict
        # sign: no cancellation), and SymPy's multivariate factorisation picks random evaluation
        # points, so its time varied from run to run (removed 2026-12-07)
        sn, sd = self._coefficient_sign(num), self._coefficient_sign(den)
        if sn == "zero":
            return "zero"
        if sn is None or sd is None or sd == "zero":
            return None
        return sn if sd == "pos" else ("neg" if sn == "pos" else "pos")

    @staticmethod
    def _coefficient_sign(p: sp.Expr) -> KernelSign | None:
        p = sp.expand(p)
        if p == 0:
            return "zero"
        terms = sp.Add.make_args(p)
        if len(terms) > _MAX_TERMS:
            return None
        # coefficient of each monomial: the product of its constant factors, summed over terms
        coefficient: dict[sp.Expr, sp.Expr] = {}
        for term in terms:
            constant, monomial = sp.Integer(1), sp.Integer(1)
            for f in sp.Mul.make_args(term):
                if not f.free_symbols:
                    constant *= f
                elif isinstance(f, sp.Symbol) or (isinstance(f, sp.Pow) and isinstance(f.args[0], sp.Symbol)
                                                  and f.args[1].is_Integer and f.args[1] > 0):
                    monomial *= f
                else:
                    return None
            coefficient[monomial] = coefficient.get(monomial, sp.Integer(0)) + constant
        signs = set()
        for c in coefficient.values():
            sc = _constant_sign(c)
            if sc is None:
                return None
            if sc != "zero":
                signs.add(sc)
        if not signs:
            return "zero"
        return signs.pop() if len(signs) == 1 else None

    def _log_sum_sign(self, e: sp.Add, depth: int) -> KernelSign | None:
        """``Σ k_i log a_i`` (integer ``k_i``, every ``a_i > 0``) has the sign of ``Π a_i^k_i - 1``."""
        prod = sp.Integer(1)
        for term in e.args:
            k, rest = term.as_coeff_Mul()
            if not (isinstance(rest, sp.log) and k.is_Integer):
                return None
            if self.sign(rest.args[0], depth + 1) != "pos":
                return None
            prod *= rest.args[0] ** int(k)
        return self.sign(sp.cancel(sp.together(prod - 1)), depth + 1)


def kernel_sign(e: sp.Expr) -> KernelSign | None:
    """The kernel's sign of ``e`` (positive symbols) at every point, or None; None also when
    ``e`` is not proved defined everywhere.

    >>> import sympy as sp
    >>> t = sp.Symbol("t", positive=True)
    >>> kernel_sign(sp.exp(1 / t) + t), kernel_sign(sp.exp(1 / (t - 2))), kernel_sign(sp.log(1 + t))
    ('pos', None, 'pos')
    """
    if any(s.is_positive is not True for s in e.free_symbols):
        return None
    return _Decider().sign(e)


def kernel_defined(e: sp.Expr) -> bool:
    """True if the kernel proves ``e`` defined, finite and real at every positive point."""
    if any(s.is_positive is not True for s in e.free_symbols):
        return False
    return _Decider().defined(e)


# =============================================================================================
# Regions: substitutions to positive symbols, and what they cover
# =============================================================================================


@dataclasses.dataclass(frozen=True)
class _Span:
    lo: sp.Expr
    hi: sp.Expr  # sp.oo allowed
    point: bool


#: ``_span`` of a substitution already examined (a pure function of the SymPy expression, which
#: is immutable): a certificate names the same few regions in many steps, and a process checks
#: many certificates. A rejection is remembered as its message. Bounded: cleared when full.
_SPANS: dict[sp.Expr, _Span | str] = {}
_SPANS_MAX = 4096


def _span(sub: sp.Expr) -> _Span:
    """The set covered by ``sub`` as its positive symbol ranges over (0, oo): a point, or the
    open interval between its values at 0 and oo for a Möbius map ``(a + b s)/(c + d s)`` whose
    denominator is positive on (0, oo) (so the map is continuous and monotone there)."""
    got = _SPANS.get(sub)
    if got is None:
        try:
            got = _span_uncached(sub)
        except KernelRejection as exc:
            got = str(exc)
        if len(_SPANS) >= _SPANS_MAX:
            _SPANS.clear()
        _SPANS[sub] = got
    if isinstance(got, str):
        raise KernelRejection(got)
    return got


def _span_uncached(sub: sp.Expr) -> _Span:
    syms = sub.free_symbols
    if not syms:
        return _Span(sub, sub, True)
    if len(syms) != 1:
        raise KernelRejection(f"substitution {sub} uses several symbols")
    (s,) = syms
    if s.is_positive is not True:
        raise KernelRejection(f"substitution {sub}: {s} is not a positive symbol")
    num, den = sp.fraction(sp.cancel(sp.together(sub)))
    try:
        pn, pd = sp.Poly(num, s), sp.Poly(den, s)
    except sp.PolynomialError:
        raise KernelRejection(f"substitution {sub} is not a Möbius map") from None
    if pn.degree() > 1 or pd.degree() > 1 or any(c.free_symbols for c in pn.all_coeffs() + pd.all_coeffs()):
        raise KernelRejection(f"substitution {sub} is not a Möbius map")
    a, b = pn.coeff_monomial(1), pn.coeff_monomial(s)
    c, d = pd.coeff_monomial(1), pd.coeff_monomial(s)
    sc, sd = _constant_sign(c), _constant_sign(d)
    if sc == "neg" or (sc == "zero" and sd == "neg"):
        a, b, c, d = -a, -b, -c, -d
        sc, sd = _constant_sign(c), _constant_sign(d)
    if sc != "pos" or sd not in ("pos", "zero"):
        raise KernelRejection(f"substitution {sub}: denominator not certainly positive on (0, oo)")
    at0 = a / c
    if sd == "pos":
        at_inf = b / d
    else:
        sb = _constant_sign(b)
        at_inf = sp.oo if sb == "pos" else -sp.oo if sb == "neg" else at0
    if _equal(at0, at_inf):
        raise KernelRejection(f"substitution {sub} is constant")
    lo, hi = (at0, at_inf) if _less(at0, at_inf) else (at_inf, at0)
    return _Span(lo, hi, False)


def _less(a: sp.Expr, b: sp.Expr) -> bool:
    """a < b, certainly (ends may be -oo, oo)."""
    if a is sp.oo or b is -sp.oo:
        return False
    if b is sp.oo or a is -sp.oo:
        return True
    return _constant_sign(b - a) == "pos"


def _equal(a: sp.Expr, b: sp.Expr) -> bool:
    if a in (sp.oo, -sp.oo) or b in (sp.oo, -sp.oo):
        return a == b
    d = b - a
    return d == 0 or sp.nsimplify(d) == 0


def _covers(spans: Sequence[_Span], lo: sp.Expr, hi: sp.Expr, lo_closed: bool = False, hi_closed: bool = False) -> bool:
    """True if the union of ``spans`` contains the interval from ``lo`` to ``hi`` (each end
    included when closed), every comparison decided exactly or by Arb."""
    points = [s.lo for s in spans if s.point]
    opens = [(s.lo, s.hi) for s in spans if not s.point]

    def has_point(v: sp.Expr) -> bool:
        return any(_equal(p, v) for p in points)

    def inside(v: sp.Expr) -> bool:
        return any(_less(a, v) and _less(v, b) for a, b in opens)

    if lo_closed and not has_point(lo):
        return False
    cur, first = lo, True
    for _ in range(len(opens) + 1):
        if _equal(cur, hi) or _less(hi, cur):
            break
        if not first and not (has_point(cur) or inside(cur)):
            return False
        reach = [b for a, b in opens if (_equal(a, cur) or _less(a, cur)) and _less(cur, b)]
        if not reach:
            return False
        best = reach[0]
        for b in reach[1:]:
            if _less(best, b):
                best = b
        cur, first = best, False
    else:
        return False
    return not (hi_closed and not has_point(hi))


_MAX_INTEGER_SCAN = 100_000


def _covers_integers(spans: Sequence[_Span], start: int) -> bool:
    """True if every integer >= ``start`` lies in one of ``spans`` (V is a vocabulary size):
    one span must be unbounded above, and each integer below its finite end is checked."""
    tails = [s for s in spans if not s.point and s.hi is sp.oo]
    if not tails:
        return False
    a = tails[0].lo
    for s in tails[1:]:
        if _less(s.lo, a):
            a = s.lo
    if not a.is_Rational:
        return False
    last = int(sp.floor(a)) + 1
    if last - start > _MAX_INTEGER_SCAN:
        return False
    rational = all((s.lo.is_Rational or s.lo in (sp.oo, -sp.oo)) and (s.hi.is_Rational or s.hi in (sp.oo, -sp.oo)) for s in spans)
    for k in range(start, last + 1):
        kk = sp.Integer(k)
        if rational:
            hit = any((s.point and s.lo == kk) or (not s.point and (s.lo is -sp.oo or s.lo < kk) and (s.hi is sp.oo or kk < s.hi))
                      for s in spans)
        else:
            hit = any((s.point and _equal(s.lo, kk)) or (not s.point and _less(s.lo, kk) and _less(kk, s.hi)) for s in spans)
        if not hit:
            return False
    return True


# =============================================================================================
# Resolving the score on a region, and the named derivations
# =============================================================================================


class _Region:
    """One region: the substitution of the original symbols, and a decider for sign facts on it."""

    def __init__(self, subs: Sequence[tuple[sp.Symbol, sp.Expr]], decider: _Decider) -> None:
        self.subs = dict(subs)
        # applied structurally (``xreplace``: every occurrence at once, no pattern matching),
        # which is the substitution of variables only when every key is a symbol
        if not all(isinstance(k, sp.Symbol) for k in self.subs):
            raise KernelRejection(f"a region substitutes {sorted(map(str, self.subs))}: only symbols may be substituted")
        self.decider = decider

    def sign(self, e: sp.Expr) -> KernelSign | None:
        e = sp.sympify(e)  # safe: SymPy object built from the definition
        if not self.defined_before(e):
            return None
        v = e.xreplace(self.subs)
        if v.free_symbols - {s for val in self.subs.values() for s in val.free_symbols}:
            return None  # a variable the region does not fix
        return self.decider.sign(v)

    def defined_before(self, e: sp.Expr) -> bool:
        """Every node of ``e`` *as it stands* is inside its domain on the region. SymPy evaluates
        while substituting, and a complex intermediate can vanish (``cosh(sqrt(T - 2))`` at
        ``T = 1`` becomes ``cos(1)``), so the conditions are taken before the substitution."""
        if e.has(*_BINDS):
            return False
        for node in sp.preorder_traversal(e):
            if not isinstance(node, sp.Expr) or not node.args:
                continue
            conditions: list[tuple[str, sp.Expr]] = []
            if isinstance(node, sp.Pow):
                b, n = node.args
                if not n.is_Integer:
                    conditions.append(("gt0", b))
                elif n < 0:
                    conditions.append(("ne0", b))
            elif isinstance(node, sp.log):
                conditions.append(("gt0", node.args[0]))
            elif isinstance(node, (sp.asin, sp.acos)):
                conditions += [("ge0", 1 - node.args[0]), ("ge0", 1 + node.args[0])]
            elif isinstance(node, sp.tan):
                conditions.append(("ne0", sp.cos(node.args[0])))
            elif not isinstance(node, (sp.Add, sp.Mul) + _TOTAL):
                return False
            for kind, c in conditions:
                cv = c.xreplace(self.subs)
                if cv.has(sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo) or any(s.is_positive is not True for s in cv.free_symbols):
                    return False
                s = self.decider.sign(cv)
                if s not in {"ne0": ("pos", "neg"), "gt0": ("pos",), "ge0": ("pos", "zero")}[kind]:
                    return False
        return True

    def truth(self, cond: sp.Basic) -> bool:
        if cond is sp.true:
            return True
        if cond is sp.false:
            return False
        if isinstance(cond, sp.And):
            return all(self.truth(c) for c in cond.args)
        if isinstance(cond, sp.Or):
            return any(self.truth(c) for c in cond.args)
        if isinstance(cond, sp.Not):
            return not self.truth(cond.args[0])
        if isinstance(cond, sp.core.relational.Relational):
            if cond.has(sp.floor, sp.ceiling):
                return self._integer_part_truth(cond)
            s = self.sign(cond.lhs - cond.rhs)
            if s is None:
                raise KernelRejection(f"condition {cond} does not have one truth value on the region {self.describe()}")
            return {"<": s == "neg", "<=": s in ("neg", "zero"), ">": s == "pos", ">=": s in ("pos", "zero"),
                    "==": s == "zero", "!=": s != "zero"}[cond.rel_op]
        raise KernelRejection(f"condition {cond} is not supported by the kernel")

    def resolve(self, e: sp.Basic, evaluate: bool = True) -> sp.Expr:
        """``e`` with every Piecewise/Min/Max/Abs/Heaviside/sign replaced by its value's
        expression on the region (each choice decided by the kernel's sign of a difference).
        ``evaluate=False``: the rest rebuilt as written, without SymPy's automatic merging (what
        the evaluators compute: ``(T - 1)*Piecewise((1/(T - 1), ...))`` stays a product that
        divides by ``T - 1``, instead of becoming ``1``)."""
        if not isinstance(e, sp.Expr) or not e.args:
            return e
        if isinstance(e, sp.Piecewise):
            for value, cond in e.args:
                if self.truth(cond):
                    return self.resolve(value, evaluate)
            raise KernelRejection(f"no Piecewise branch applies on the region {self.describe()}")
        args = [self.resolve(a, evaluate) for a in e.args]
        if isinstance(e, (sp.Min, sp.Max)):
            best = args[0]
            for a in args[1:]:
                s = self.sign(a - best)
                if s is None:
                    raise KernelRejection(f"{type(e).__name__} not resolved on the region {self.describe()}")
                if (s == "pos") == isinstance(e, sp.Max) and s != "zero":
                    best = a
            return best
        if isinstance(e, sp.Abs):
            s = self.sign(args[0])
            if s is None:
                raise KernelRejection(f"Abs not resolved on the region {self.describe()}")
            return -args[0] if s == "neg" else args[0]
        if isinstance(e, (sp.Heaviside, sp.sign)):
            s = self.sign(args[0])
            if s is None:
                raise KernelRejection(f"{type(e).__name__} not resolved on the region {self.describe()}")
            if isinstance(e, sp.Heaviside):
                return {"pos": sp.Integer(1), "neg": sp.Integer(0), "zero": sp.Rational(1, 2)}[s]
            return {"pos": sp.Integer(1), "neg": sp.Integer(-1), "zero": sp.Integer(0)}[s]
        if isinstance(e, (sp.floor, sp.ceiling)):
            return self._integer_part(e.func, args[0])
        if not evaluate:
            return e.func(*args, evaluate=False) if any(a is not b for a, b in zip(args, e.args, strict=True)) else e
        return e.func(*args)

    def _integer_part(self, func: Any, u: sp.Expr) -> sp.Expr:
        """``floor(u)`` / ``ceiling(u)`` constant on the region: the integer ``n`` at a sample
        point, then ``n <= u < n + 1`` (resp. ``n - 1 < u <= n``) decided on the whole region."""
        if u.has(*_BINDS):
            raise KernelRejection(f"{func.__name__}({u}) binds a variable")
        at = u.xreplace(self.subs)
        sample = at.subs({s: sp.Integer(1) for s in at.free_symbols})
        if not sample.is_number or sample.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise KernelRejection(f"{func.__name__}({u}) has no value at the region's sample point")
        n = sp.Integer(func(sample))
        inside = sp.And(sp.Ge(u, n), sp.Lt(u, n + 1)) if func is sp.floor else sp.And(sp.Gt(u, n - 1), sp.Le(u, n))
        if not self.truth(inside):
            raise KernelRejection(f"{func.__name__}({u}) is not constant on the region {self.describe()}")
        return n

    def _integer_part_truth(self, cond: sp.Basic) -> bool:
        """A comparison of ``floor(u)`` / ``ceiling(u)`` with an integer ``n``, decided through
        ``u``: ``floor(u) < n`` iff ``u < n``, ``floor(u) >= n`` iff ``u >= n``, ``ceiling(u) <= n``
        iff ``u <= n``, ``ceiling(u) > n`` iff ``u > n``; ``==``/``!=`` as both one-sided tests."""
        lhs, rhs, rel = cond.lhs, cond.rhs, cond.rel_op
        if isinstance(rhs, (sp.floor, sp.ceiling)):
            lhs, rhs, rel = rhs, lhs, {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}[rel]
        if not (isinstance(lhs, (sp.floor, sp.ceiling)) and rhs.is_Integer):
            return self.truth(cond.func(self.resolve(cond.lhs), self.resolve(cond.rhs)))
        u, n = self.resolve(lhs.args[0]), rhs
        is_floor = isinstance(lhs, sp.floor)

        def below(k: sp.Expr) -> bool:
            """``floor(u) < k`` iff ``u < k``; ``ceiling(u) < k`` iff ``u <= k - 1``."""
            return self.truth(sp.Lt(u, k)) if is_floor else self.truth(sp.Le(u, k - 1))
        if rel == "<":
            return below(n)
        if rel == "<=":
            return below(n + 1)
        if rel == ">":
            return not below(n + 1)
        if rel == ">=":
            return not below(n)
        equal = (not below(n)) and below(n + 1)
        return equal if rel == "==" else not equal

    def describe(self) -> str:
        return ", ".join(f"{k} = {v}" for k, v in self.subs.items())


def _split_log(g: sp.Expr, region: _Region) -> sp.Expr:
    """``log g`` with logs of products and powers split where the kernel proves each factor
    (or base) > 0 on the region: exact there."""
    if isinstance(g, sp.exp):
        return g.args[0]
    if isinstance(g, sp.Pow) and region.sign(g.args[0]) == "pos":
        return g.args[1] * _split_log(g.args[0], region)
    if isinstance(g, sp.Mul) and all(region.sign(f) == "pos" for f in g.args):
        return sp.Add(*[_split_log(f, region) for f in g.args])
    return sp.log(g)


def _derive(name: str, op: Any, region: _Region) -> sp.Expr:
    if name.startswith("written side condition"):
        k = int(name.split()[3])
        obligations = getattr(op, "obligations", ())
        if not 0 <= k < len(obligations):
            raise KernelRejection(f"{name}: the operator has {len(obligations)} written side conditions")
        _, e, guard = obligations[k]
        return region.resolve(e) if region.truth(guard) else sp.Integer(1)
    # the score as the evaluators compute it (switches decided, nothing merged) must be defined
    # on the region: SymPy's merging when the switches are replaced can remove a division or a
    # logarithm of the written formula (docs/theory/reductions.md#definedness)
    if not region.defined_before(region.resolve(op.score, evaluate=False)):
        raise KernelRejection(f"the score as written is not proved defined on the region {region.describe()}")
    g = region.resolve(op.score)
    if name == "g":
        return g
    if name == "dg/dx":
        return sp.diff(g, x)
    if name == "d/dx (g/x)":
        return sp.diff(g / x, x)
    if name == "d2(log g)/dxdT":
        return sp.diff(_split_log(g, region), x, T)
    raise KeyError(name)


_RE_DERIVED = ("g", "dg/dx", "d/dx (g/x)", "d2(log g)/dxdT")


def _claimed_ok(claim: str, got: KernelSign | None) -> bool:
    return got is not None and claim == got


# =============================================================================================
# The check
# =============================================================================================


def check_proof(axiom: str, op: Any, outcome: Any, lemmas: Mapping[str, Any] | None = None) -> tuple[bool, str]:
    """Accept or reject ``outcome`` (a ``proved`` prover outcome for ``axiom`` and ``op``).

    Every ``sign`` step is re-decided from an expression the kernel derives itself where the
    step names a derivation of the score, and its region is checked to be a valid substitution;
    for ``well_defined`` the regions must cover the domain and every written side condition must
    hold on each. An axiom cited as a lemma (``g > 0`` from ``well_defined``, ranking and
    continuity for entropy) must come with its own proved outcome in ``lemmas``, which is
    checked in turn and must prove ``g > 0`` directly (not through ``-g``). Returns
    ``(accepted, message)``; a rejection is also recorded in :data:`REJECTIONS`.
    """
    try:
        n = _check(axiom, op, outcome, lemmas or {}, 0)
    except KernelRejection as exc:
        REJECTIONS.append((axiom, getattr(op, "definition", "?"), str(exc)))
        return False, f"kernel rejected the certificate: {exc}"
    except (TypeError, ValueError, ArithmeticError, NotImplementedError, RecursionError, sp.PolynomialError) as exc:
        msg = f"kernel could not check the certificate ({type(exc).__name__}: {str(exc)[:200]})"
        REJECTIONS.append((axiom, getattr(op, "definition", "?"), msg))
        return False, msg
    return True, f"kernel: {n} steps checked"


def _sign_factor(outcome: Any) -> sp.Expr | None:
    """The factor ``sigma(V)`` of a proof through ``sigma(V) g``, checked to be +1 or -1 for every
    V: a Piecewise in ``V`` alone whose values are all ``1`` or ``-1`` and whose last condition is
    ``True`` (total). None when the proof has no such step; rejects a malformed one."""
    keys = [dict(s.args)["sign_factor"] for s in outcome.steps if s.check == "lemma" and "sign_factor" in dict(s.args)]
    if not keys:
        return None
    if len(keys) > 1:
        raise KernelRejection("more than one sign factor")
    sigma = (getattr(outcome, "exprs", {}) or {}).get(keys[0])
    if not isinstance(sigma, sp.Piecewise) or sigma.free_symbols - {V}:
        raise KernelRejection(f"sign factor {sigma!r} is not a Piecewise in V alone")
    if sigma.args[-1].cond is not sp.true or any(e.expr not in (sp.Integer(1), sp.Integer(-1)) for e in sigma.args):
        raise KernelRejection(f"sign factor {sp.sstr(sigma)} is not +-1 for every V")
    return sigma


def _negated(outcome: Any) -> bool:
    return any(s.check == "lemma" and dict(s.args).get("negated_score") == "true" for s in outcome.steps)


def _check(axiom: str, op: Any, outcome: Any, lemmas: Mapping[str, Any], depth: int) -> int:
    if op.kind != "separable" or op.score is None:
        raise KernelRejection("the kernel checks proofs of separable operators only")
    if outcome.status != "proved":
        raise KernelRejection(f"outcome is {outcome.status}, not proved")
    if depth > 4:
        raise KernelRejection("lemmas nested too deeply")
    if _negated(outcome):
        if depth:
            raise KernelRejection(f"lemma {axiom} is proved through -g, not for g itself")
        # F is the same map for the scores g and -g: g_i / Σ_j g_j = (-g_i) / Σ_j (-g_j), each
        # side defined exactly where the other is. The steps are checked against -g.
        op = dataclasses.replace(op, score=-op.score)
    sigma = _sign_factor(outcome)
    if sigma is not None:
        if depth:
            raise KernelRejection(f"lemma {axiom} is proved through sigma(V) g, not for g itself")
        # for each fixed V, sigma(V) is +1 or -1: the same map F (the argument for -g, per V)
        op = dataclasses.replace(op, score=sigma * op.score)
    for step in outcome.steps:
        cited = dict(step.args).get("axiom") if step.check == "lemma" else None
        if cited is None:
            continue
        if cited == axiom or cited not in lemmas:
            raise KernelRejection(f"lemma {cited!r} cited without its proof")
        _check(cited, op, lemmas[cited], lemmas, depth + 1)
    subs_of: Mapping[str, tuple[tuple[sp.Symbol, sp.Expr], ...]] = getattr(outcome, "subs", {}) or {}
    exprs: Mapping[str, sp.Expr] = getattr(outcome, "exprs", {}) or {}
    decider = _Decider()
    regions_g: list[tuple[tuple[sp.Symbol, sp.Expr], ...]] = []
    checked = 0
    for k, step in enumerate(outcome.steps):
        if step.check != "sign":
            continue
        args = dict(step.args)
        claim = args.get("sign")
        if claim not in ("pos", "neg", "zero"):
            raise KernelRejection(f"step {k + 1} claims no sign")
        subs = subs_of.get(args.get("subs", ""))
        if subs is None:
            raise KernelRejection(f"step {k + 1} has no substitution")
        region = _Region(subs, decider)
        name = args.get("derivation", "")
        if name in _RE_DERIVED or name.startswith("written side condition") and "T = 1" not in name:
            if x not in region.subs or T not in region.subs:
                raise KernelRejection(f"step {k + 1} ({name}) does not fix both T and x")
            for _, e in subs:
                _span(e)  # each variable ranges over a point or an interval (rejects anything else)
            try:
                expr = _derive(name, op, region)
            except KeyError:
                raise KernelRejection(f"step {k + 1}: unknown derivation {name!r}") from None
            got = region.sign(expr)
            if name == "g":
                regions_g.append(tuple(subs))
        else:
            e = exprs.get(args.get("expr", ""))
            if e is None:
                raise KernelRejection(f"step {k + 1} has no expression")
            got = decider.sign(e) if all(s.is_positive for s in e.free_symbols) else None
        if name.startswith("written side condition"):
            # the obligation's kind fixes which signs discharge it; re-check against the operator
            idx = int(name.split()[3])
            kind = op.obligations[idx][0]
            ok = got in {"ne0": ("pos", "neg"), "gt0": ("pos",), "ge0": ("pos", "zero")}[kind]
            if not ok:
                raise KernelRejection(f"step {k + 1} ({step.text}): the kernel decides {got}")
        elif not _claimed_ok(claim, got):
            raise KernelRejection(f"step {k + 1} ({step.text}): claimed {claim}, the kernel decides {got}")
        checked += 1
    if axiom == "identity":
        _check_defined_at_T1(op, outcome, subs_of, decider)
    if axiom == "well_defined":
        _check_well_defined_cover(op, regions_g, decider)
    elif axiom in ("boundary_cold", "boundary_hot") and not any(
            s.check == "lemma" and dict(s.args).get("axiom") == "well_defined" for s in outcome.steps):
        _check_local_positivity(op, regions_g, "cold" if axiom == "boundary_cold" else "hot")
    return checked


def _check_defined_at_T1(op: Any, outcome: Any, subs_of: Mapping[str, Any], decider: _Decider) -> None:
    """F_1 = p needs g(x, 1, V) defined for every x in (0, 1): the score as it stands (before
    SymPy evaluates T = 1) must satisfy its side conditions there, for every V case used."""
    u = sp.Symbol("_kx", positive=True)
    bases = set()
    for step in outcome.steps:
        subs = subs_of.get(dict(step.args).get("subs", ""))
        if subs:
            bases.add(tuple((s, e) for s, e in subs if s not in (T, x)))
    if not bases:
        raise KernelRejection("identity: no V case is named by the certificate")
    for base in bases:
        region = _Region([*base, (T, sp.Integer(1)), (x, 1 / (1 + u))], decider)
        g = region.resolve(op.score)
        if not region.defined_before(g) or not decider.defined(g.xreplace(region.subs)):
            raise KernelRejection(f"identity: g is not proved defined at T = 1 on {region.describe()}")


def _check_local_positivity(op: Any, regions: Sequence[tuple[tuple[sp.Symbol, sp.Expr], ...]], which: str) -> None:
    """A limit proved without ``well_defined`` needs g > 0 on an end interval of the T-axis
    (``(0, c)`` for T -> 0+, ``(c, oo)`` for T -> oo), for every x in (0, 1) and every V case."""
    if not regions:
        raise KernelRejection(f"boundary_{which}: neither well_defined nor g > 0 near the limit is proved")
    by_base: dict[tuple[tuple[str, sp.Expr], ...], dict[sp.Expr, list[_Span]]] = {}
    for subs in regions:
        d = dict(subs)
        span = _span(d[T])
        if span.point or not ((which == "cold" and _equal(span.lo, sp.Integer(0))) or (which == "hot" and span.hi is sp.oo)):
            raise KernelRejection(f"boundary_{which}: a positivity region does not reach the limit's end of the T-axis")
        base = tuple(sorted(((str(s), e) for s, e in subs if s not in (T, x)), key=lambda a: a[0]))
        by_base.setdefault(base, {}).setdefault(d[T], []).append(_span(d[x]))
    for per_t in by_base.values():
        if not any(_covers(xs, sp.Integer(0), sp.Integer(1)) for xs in per_t.values()):
            raise KernelRejection(f"boundary_{which}: the x-regions near the limit do not cover (0, 1)")
    spans = [_span(dict(b)["V"]) for b in by_base if "V" in dict(b)]
    if not _covers_integers(spans, 2):
        raise KernelRejection(f"boundary_{which}: the V cases near the limit do not cover every V >= 2")


def _check_well_defined_cover(op: Any, regions: Sequence[tuple[tuple[sp.Symbol, sp.Expr], ...]], decider: _Decider) -> None:
    """The ``g > 0`` regions cover T in (0, oo) × x in (0, 1) × V in {2} ∪ (2, oo) × parameter
    domains, and every written side condition holds on each region."""
    if not regions:
        raise KernelRejection("well_defined: no region proves g > 0")
    by_base: dict[tuple[tuple[str, sp.Expr], ...], dict[sp.Expr, list[_Span]]] = {}
    t_spans: dict[tuple[tuple[str, sp.Expr], ...], dict[sp.Expr, _Span]] = {}
    for subs in regions:
        d = dict(subs)
        base = tuple(sorted(((str(s), e) for s, e in subs if s not in (T, x)), key=lambda a: a[0]))
        by_base.setdefault(base, {}).setdefault(d[T], []).append(_span(d[x]))
        t_spans.setdefault(base, {})[d[T]] = _span(d[T])
        region = _Region(subs, decider)
        for k, (kind, e, guard) in enumerate(getattr(op, "obligations", ())):
            if not region.truth(guard):
                continue
            s = region.sign(region.resolve(e))
            if s not in {"ne0": ("pos", "neg"), "gt0": ("pos",), "ge0": ("pos", "zero")}[kind]:
                raise KernelRejection(f"well_defined: written side condition {k} ({e} {kind}) not proved on {region.describe()}")
    for base, per_t in by_base.items():
        if not _covers(list(t_spans[base].values()), sp.Integer(0), sp.oo):
            raise KernelRejection(f"well_defined: the T-regions of {dict(base)} do not cover (0, oo)")
        for t_sub, xs in per_t.items():
            if not _covers(xs, sp.Integer(0), sp.Integer(1)):
                raise KernelRejection(f"well_defined: the x-regions at T = {t_sub} do not cover (0, 1)")
    # V and parameters: the bases must cover V in {2} ∪ (2, oo) and each declared parameter interval
    names = ["V"] + [p.name for p in op.params]
    for name in names:
        spans = [_span(dict(b)[name]) for b in by_base if name in dict(b)]
        if name == "V":
            ok = _covers_integers(spans, 2)
        else:
            prm = next(p for p in op.params if p.name == name)
            lo, hi = prm.bounds
            ok = _covers(spans, lo if lo is not None else -sp.oo, hi if hi is not None else sp.oo,
                         lo_closed=lo is not None and prm.lower_closed, hi_closed=hi is not None and prm.upper_closed)
        if not ok:
            raise KernelRejection(f"well_defined: the regions do not cover the domain of {name}")
    # every combination of V case and parameter case must have been covered (a product of cases)
    combos = {tuple(sorted(dict(b).items())) for b in by_base}
    per_name = {name: {dict(b)[name] for b in by_base if name in dict(b)} for name in names}
    expected = 1
    for vals in per_name.values():
        expected *= len(vals)
    if len(combos) != expected:
        raise KernelRejection("well_defined: the V/parameter cases are not a full product of their ranges")
