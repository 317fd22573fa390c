"""Reporting: run records on disk, manifests and tables. Nothing here computes metrics."""
