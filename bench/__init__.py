"""Benchmarks of the delivery API and the publish pipeline (see bench/README.md)."""
