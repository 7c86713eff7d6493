"""Benchmarks (`make bench`): figures go to BENCHMARKS.md; never part of `make test`."""
