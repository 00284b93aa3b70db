"""Theorems of the access topic (being written; see issue 4)."""
