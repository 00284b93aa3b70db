"""The cross-checks of ``skd crosscheck``, one module per derivation topic.

``crosschecks.<topic>.crosscheck(d, cases)`` compares what the derivation ``d`` states for its
operator (constants, stated values, counterexamples) with a computation that does not use the
derivation's code: finite differences and direct sums of :func:`~skd.operators.evaluate_mp`, the
NumPy kernel, exact enumeration, Monte Carlo. Independence is the point of a cross-check, so a
module here imports :mod:`skd.operators`, :mod:`skd.theory`, :mod:`skd.verify.checks`,
:mod:`skd.verify.strategies`, the neutral helpers of :mod:`skd.verify.derivations.common` and the
data types it reads (:class:`~skd.verify.derivations.claims.Claim`, ``Derivation``) — never a
derivation topic module (``basics``, ``entropy``, …) or a name from one
(``tests/test_crosscheck_independence.py`` enforces it). The topics and their cross-checks are
listed in :mod:`skd.verify.derivations.registry`.
"""
