"""Benchmarks and scale measurements; not part of the app."""
