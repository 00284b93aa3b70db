"""Corpus of separable operators with their TRUE axiom values, written from the mathematics.

Each entry: (score, truths, reason). ``truths`` maps axiom id -> True (holds), False (fails)
or None (not settled by hand; excluded from soundness and decision-rate counts). Axiom order:
W well_defined, R ranking, C continuity, E entropy, I identity, BC boundary_cold, BH boundary_hot.
"""

from __future__ import annotations

AXES = ("well_defined", "ranking", "continuity", "entropy", "identity", "boundary_cold", "boundary_hot")


def _t(s: str) -> dict[str, bool | None]:
    """'1101011' -> truths; '?' marks an unsettled axiom."""
    return {a: (None if c == "?" else c == "1") for a, c in zip(AXES, s)}


BROKEN = [
    ("x**(1/T + 1/1000)", _t("1111010"), "identity off by a factor x**(1/1000); hot limit (x/y)**(1/1000) != 1"),
    ("Piecewise((x**(1/T), T <= 1), (x**T, T <= 11/10), (x**(121/(100*T)), True))", _t("1110111"),
     "continuous exponent that increases on (1, 11/10): a window of entropy decrease near T = 1"),
    ("Piecewise((x**(1/T), T <= 1), (x**(1/(2*T)), True))", _t("1101111"),
     "jump in T at 1 towards softer outputs: discontinuous, entropy still non-decreasing"),
    ("Piecewise((x**(1/T), T <= 1), (x**(2/T), True))", _t("1100111"),
     "jump in T at 1 towards sharper outputs: each piece monotone, entropy drops across the jump"),
    ("Piecewise((x**(1/T), x <= 1/2), (x**(1/T)/2, True))", _t("100?010"),
     "downward jump in x at 1/2: ranking and continuity fail; T=1 gives g/x in {1, 1/2}"),
    ("x**(1/2 + 1/(2*T))", _t("1111110"), "hot limit stops short of uniform: F -> p**(1/2) normalised"),
    ("x**(2/T - 1)", _t("1010110"), "exponent turns negative for T > 2: order reversal at large T"),
    ("x - (T - 1)**2/V", _t("0???1??"), "score negative for small x and large T"),
    ("x**2", _t("1111000"), "T-independent squaring: F_1(p) != p, no limits move"),
    ("x + T", _t("1111001"), "identity fails (x+1), cold limit is p (ratio -> x/y)"),
    ("exp(x/T)", _t("1111011"), "softmax of probabilities: every axiom but identity"),
    ("x**(1/T)*(1 + x)", _t("1111010"), "extra factor (1+x): identity and hot limit fail"),
    ("Max(x, 1/4)**(1/T)", _t("1011001"), "flat below 1/4: ranking (ties), identity and cold limit fail"),
    ("(1 - x)**(-1/T)", _t("1111011"), "increasing transform of x: identity fails only"),
    ("x**(-1/T)", _t("1011001"), "reversed power: order reversed, cold limit on the argmin"),
    ("x**(1/T) + 1", _t("1110001"), "cold limit uniform on V; entropy is log V at T -> 0, lower at T = 1"),
    ("x*T", _t("1111100"), "T-only factor cancels: F = p for every T, so no limit moves"),
    ("(x + 1/1000)**(1/T)", _t("1111011"), "shifted power: identity fails"),
    ("Piecewise((x**(1/T), T <= 2), (sqrt(x), True))", _t("1111110"), "frozen at T = 2: hot limit is p**(1/2) normalised"),
    ("Piecewise((x, T <= 1), (x**(1/T), True))", _t("1111101"), "identity for T <= 1: cold limit is p"),
    ("Piecewise((x**(1/T), x <= 1/2), (2*x**(1/T), True))", _t("110?010"),
     "upward jump in x: ranking holds, continuity and identity fail, hot ratio -> 1/2"),
    ("tanh(x)**(1/T)", _t("1111011"), "tanh(x) is not proportional to x: identity fails"),
    ("x**(1/T) - 1/2", _t("0??????"), "score negative where x**(1/T) < 1/2"),
    ("x - 9/10", _t("00??0??"), "increasing but negative score: the normaliser turns negative and F's order reverses"),
    ("exp(-1/(x*T))", _t("1111011"), "exp(-1/x) transform: identity fails"),
    ("x**(1/T)*Heaviside(T - 1) + x*Heaviside(1 - T)", _t("1111101"), "identity below T = 1 via Heaviside: cold limit is p"),
    # exponent 3/T - 2: 1 at T = 1, -> oo as T -> 0, negative for T > 3/2 (reversal), -> -2 as T -> oo;
    # T = 3/2 gives uniform, T -> oo the sharp reversed p**-2: entropy fails.
    ("x**(3/T) / x**2", _t("1010110"), "exponent 3/T - 2 turns negative for T > 3/2: order reversal, hot limit p**-2"),
]

CORRECT = [
    ("x**(1/T)*exp(-T)", "a factor depending only on T cancels in the normalisation"),
    ("x**(1/T)*(2 + sin(T))", "a positive T-only factor cancels"),
    ("x**(1/T**3)", "reparametrisation T -> T**3"),
    ("exp(log(x)/T)", "power written through exp and log"),
    ("(x**2)**(1/(2*T))", "power written as a power of a square"),
    ("x**(1/T)/V", "a V-only factor cancels"),
    ("x**(1/sqrt(T))", "reparametrisation T -> sqrt(T)"),
    ("x**(2/(T + T**2))", "reparametrisation with exponent 2/(T + T**2)"),
    ("Piecewise((x**(1/T**2), T <= 1), (x**(1/T), True))", "two reparametrisations glued continuously at T = 1"),
    ("(x/V)**(1/T)", "the factor V**(-1/T) cancels"),
    ("x**(1/T)*T**5", "a T-only factor cancels"),
]
