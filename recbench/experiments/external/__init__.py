"""Predictions made elsewhere, evaluated under recbench's protocol as ordinary algorithms."""
