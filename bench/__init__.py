"""Benchmarks (`make bench`): run them on a quiet machine and record medians in docs/benchmarks.md."""
