"""Theorems of the equivalence topic (being written; see issue 4)."""
