"""Benchmarks run by `make bench` (see docs/benchmarks.md); not part of the app or the test suite."""
