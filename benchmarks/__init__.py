"""Benchmarks: timings live here, never as pass/fail thresholds in tests. Run all with `make bench`."""
