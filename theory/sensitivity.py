"""Theorems of the sensitivity topic (being written; see issue 4)."""
