"""``ease``: Steck's embarrassingly shallow autoencoder EASE^R (WWW 2019)."""

from __future__ import annotations

import numpy as np

from recbench.algorithms.params import FloatRange, Interval
from recbench.algorithms.topn.interactions import InteractionModel, columns
from recbench.runtime.threads import blas_threads

#: dense items x items float64 matrices alive at once while fitting (the Gram matrix, its
#: inverse and the inversion's workspace)
DENSE_COPIES = 3


class EASE(InteractionModel):
    """EASE^R (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019),
    ranking only.

    With X the binary users x items matrix::

        P = (XᵀX + λI)⁻¹
        B = I − P · diagMat(1 / diag(P))      (so B[i, j] = −P[i, j] / P[j, j], diag(B) = 0)
        score(u, ·) = x_u B

    B is the closed-form least-squares item-item regression with a zero diagonal.
    Default ``l2=500``: Cornac's default for its EASE model and the λ of the order Steck
    used on ML-20M; not tuned on recbench's folds (ml-latest-small, another data set,
    scores 100 and 500 alike).
    ``min_rating``: None counts every training rating as an interaction; a number keeps
    only ratings >= it. The items x items matrices are checked against the memory budget
    before they are allocated.
    """

    name = "ease"
    description = "EASE^R (Steck 2019): closed-form item-item regression, zero diagonal (ranking only)."
    param_constraints = {"l2": [Interval(float, 0, None, closed="neither")],
                         "min_rating": [None, Interval(float)]}
    search_space = {"l2": FloatRange(1, 1e7, log=True)}   # Ferrari Dacrema et al. 2019

    @classmethod
    def memory_needed(cls, params, n_users, n_items):
        return (DENSE_COPIES * n_items * n_items * 8, f"the {n_items:,} x {n_items:,} item matrices",
                "use itemknn or rp3beta, which keep k neighbours per item")

    def __init__(self, l2=500.0, min_rating=None):
        self.l2, self.min_rating = l2, min_rating

    def fit(self, train, items=None):
        x = self._interactions(train)
        n = x.shape[1]
        with blas_threads():
            gram = (x.T @ x).toarray()
            gram[np.diag_indices(n)] += self.l2
            p = _spd_inverse(gram)          # Gram + λI is symmetric positive definite
            del gram
            b = p / (-np.diag(p))           # column j divided by -P[j, j]
            np.fill_diagonal(b, 0.0)
        self.weights_ = b
        self.matrix_ = x
        return self

    def _block_scores(self, rows, cols):
        with blas_threads():
            return np.asarray(self.matrix_[rows] @ columns(self.weights_, cols))


def _spd_inverse(a: np.ndarray) -> np.ndarray:
    """The inverse of a symmetric positive definite matrix by Cholesky (LAPACK potrf +
    potri): about a quarter less work than a general inverse; ``a`` is overwritten."""
    from scipy.linalg import lapack
    c, info = lapack.dpotrf(a, lower=False, clean=False, overwrite_a=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"the regularised Gram matrix is not positive definite ({info})")
    inv, info = lapack.dpotri(c, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"the Cholesky inverse failed ({info})")
    upper = np.triu(inv)
    return upper + np.triu(upper, 1).T
