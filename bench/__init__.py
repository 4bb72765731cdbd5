"""Benchmarks: they print figures and assert nothing (run them with `make bench`)."""
