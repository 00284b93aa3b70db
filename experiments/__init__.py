"""Reproducible experiments for issue 5 (numbers in ``docs/experiments.md``, figures in ``docs/figures``).

Run everything with ``python -m experiments`` (``--check`` recomputes and compares with
``experiments/results.json``); one experiment with ``python -m experiments.<name>``.
See ``experiments/README.md``.
"""

NAMES = ("nstage", "pruning", "sparse_dense", "partial_access", "entropy")
