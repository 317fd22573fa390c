"""Bridges to tools outside recbench, each an optional extra (``recbench[mlflow]``)."""
