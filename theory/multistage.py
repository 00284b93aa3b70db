"""Theorems of the multistage topic (being written; see issue 4)."""
