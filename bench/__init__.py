"""Dataset generator and benchmarks."""
