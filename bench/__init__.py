"""Benchmarks: run with `make bench`; they print figures and are never part of `make test`."""
