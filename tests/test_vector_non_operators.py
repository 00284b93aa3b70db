"""Maps that are no operators (``well_defined`` false) on their other axioms: the truth table of
``tests/vector_corpus.py`` complete, each settled cell never contradicted, each unsettled one left
``unknown``.

Pinned here: every (operator, axiom) cell of the corpus has exactly one truth; a false cell's
witness shows the failure in 50–60-digit arithmetic before the verdict is looked at; a settled
cell is decided (or listed in ``KNOWN_UNDECIDED`` with the reason the verdict gives) and never
contradicted, a refutation re-established by ``skd recheck``; a cell whose two readings disagree
(``None``) gets no verdict of our own reading. Declared on ``V in {2, 3}``.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest

from skd.operators import vector
from skd.operators.arith import MpArith

from .vector_corpus import AXIOMS, CORPUS, LIMITS, NON_OPERATORS, POINTWISE, SMOOTH, truth

ALGS = {name: alg for name, alg, _, _ in CORPUS}

#: settled cells not decided today, and a phrase of the verdict's reason (a change here is news)
KNOWN_UNDECIDED: dict[tuple[str, str], str] = {
    # a limit that does not exist: the certifier refutes a limit by the exact limit it finds
    ("sparsemax_without_clipping", "boundary_cold"): "",
    # (large_gap_flips_sign's continuity was here until a jump somewhere in a segment of T was
    # certified, Theorem V.3''': its flip at log(p_max / p_min) / T = 30 is irrational at rational p)
}


def _cells():
    return [(name, axiom, *cell) for name, cells in NON_OPERATORS.items() for axiom, cell in cells.items()]


def _op(name):
    return vector(ALGS[name], name=name.replace("/", "_"), definition=f"corpus: {name}", sizes=(2, 3))


def test_every_cell_of_the_corpus_has_exactly_one_truth():
    """``truth`` raises on a cell with none or two; the maps that are no operators are exactly the
    rows of ``NON_OPERATORS``, each false cell there has a witness, and no limit there is also in
    ``LIMITS``."""
    for name, _, _, _ in CORPUS:
        for axiom in AXIOMS:
            holds, why = truth(name, axiom)
            assert holds in (True, False, None) and why
    assert set(NON_OPERATORS) == {name for name, _, holds, _ in CORPUS if not holds}
    assert not set(NON_OPERATORS) & (set(POINTWISE) | set(SMOOTH))
    settled = [truth(n, a)[0] for n, *_ in CORPUS for a in AXIOMS if truth(n, a)[0] is not None]
    assert len(settled) >= 0.8 * len(CORPUS) * len(AXIOMS)
    for name, cells in NON_OPERATORS.items():  # a false cell carries the witness the test below checks
        for axiom, (holds, why, witness) in cells.items():
            assert holds is not False or witness is not None, (name, axiom, why)
            assert axiom not in LIMITS.get(name, {}), (name, axiom)


def _mp(v):
    return mpmath.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else mpmath.mpf(v)


def _witness_shows(name, axiom, witness) -> bool:
    alg = ALGS[name]
    with mpmath.workdps(60):
        if axiom in ("ranking", "identity"):
            p, T = witness
            P = [_mp(v) for v in p]
            F = alg(P, _mp(T), MpArith(60))
            if axiom == "identity":
                return max(abs(f - v) for f, v in zip(F, P, strict=True)) > mpmath.mpf(10) ** -20
            return any(P[i] > P[j] and F[i] <= F[j] for i in range(len(P)) for j in range(len(P)))
        if axiom == "continuity":
            p, q, T = witness
            assert max(abs(_mp(a) - _mp(b)) for a, b in zip(p, q, strict=True)) < mpmath.mpf(10) ** -30
            Fp = alg([_mp(v) for v in p], _mp(T), MpArith(60))
            Fq = alg([_mp(v) for v in q], _mp(T), MpArith(60))
            return max(abs(a - b) for a, b in zip(Fp, Fq, strict=True)) > mpmath.mpf(10) ** -3
        p, entry = witness   # a limit that does not exist: the entry is unbounded as T -> 0+
        P = [_mp(v) for v in p]
        sizes = [abs(alg(P, mpmath.mpf(2) ** -k, MpArith(60))[entry]) for k in (10, 20, 40)]
        return sizes[0] * 2**9 < sizes[1] and sizes[1] * 2**19 < sizes[2]


@pytest.mark.parametrize("name, axiom, holds, why, witness", _cells(), ids=[f"{c[0]}-{c[1]}" for c in _cells()])
def test_a_map_that_is_no_operator_is_decided_where_both_readings_agree_and_only_there(name, axiom, holds, why,
                                                                                       witness):
    from skd.verify.checker import check_axiom
    from skd.verify.recheck import recheck_counterexample

    if holds is False:
        assert witness is not None and _witness_shows(name, axiom, witness), f"{name}: no failure shown ({why})"
    op = _op(name)
    v = check_axiom(op, axiom, timeout=20)
    if holds is None:
        assert v.status == "unknown", f"{name} / {axiom} ({why}): {v.status}, a reading of our own"
        return
    if (name, axiom) in KNOWN_UNDECIDED:
        assert v.status == "unknown" and KNOWN_UNDECIDED[(name, axiom)] in (v.reason or ""), (v.status, v.reason)
    elif holds:
        assert v.status == "proved", f"{name} / {axiom}: {v.status}: {v.reason}"
        assert v.scope == "V in {2, 3}"
    else:
        assert v.status == "refuted", f"{name} / {axiom} ({why}): {v.status}: {v.reason}"
        ok, msg = recheck_counterexample(op, axiom, v.counterexample)
        assert ok, msg
