"""Adapters around scikit-surprise's models, one module per model family, and the compiled
(numba) kernels that fit and score them exactly as Surprise does."""
