"""Benchmarks: long runs that print their figures and save them under benchmarks/results/."""
