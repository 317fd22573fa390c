"""Content-based models over item text."""
