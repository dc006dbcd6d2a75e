"""Benchmarks: relevance scoring and runners (not part of the installed package)."""
