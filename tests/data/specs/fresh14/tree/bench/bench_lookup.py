# stand-in for bench_lookup (bench/bench_lookup.py)
