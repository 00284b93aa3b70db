"""Theorems of the biasvar topic (being written; see issue 4)."""
