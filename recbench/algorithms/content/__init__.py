"""Content-based models over item text (``recbench.algorithms.content.TfidfContent`` keeps the
0.1 import path working)."""

from recbench.algorithms.content.tfidf import TfidfContent

__all__ = ["TfidfContent"]
