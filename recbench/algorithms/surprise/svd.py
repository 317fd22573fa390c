"""Surprise's matrix factorisations: ``svd`` (SVD), ``svdpp`` (SVD++) and ``nmf`` (NMF).

SVD and SVD++ fit by default (``engine="compiled"``) with the numba kernels of
:mod:`recbench.algorithms.surprise.fits`, equal to Surprise's fit to the bit; every model
scores user x item blocks with numpy, equal to Surprise's ``estimate``.
"""

from __future__ import annotations

import numpy as np

from recbench.algorithms.params import SEED, FloatRange, IntRange
from recbench.algorithms.surprise.adapter import (
    ENGINE,
    EPOCHS,
    FACTORS,
    NON_NEGATIVE,
    PAIR_BLOCK,
    POSITIVE,
    BiasedAdapter,
    CompiledFit,
    surprise,
)
from recbench.algorithms.surprise.fits import fit_svd, fit_svdpp


class SVD(CompiledFit, BiasedAdapter):
    """Surprise's SVD (Funk matrix factorisation with biases, SGD)."""

    name = "svd"
    description = "Matrix factorisation with user/item biases trained by SGD (Surprise SVD)."
    surprise_class = surprise.SVD
    param_constraints = {
        "n_factors": FACTORS, "n_epochs": EPOCHS, "biased": [bool], "init_mean": [float],
        "init_std_dev": NON_NEGATIVE, "lr_all": POSITIVE, "reg_all": NON_NEGATIVE,
        "random_state": SEED, "engine": ENGINE,
    }
    # the usual ranges of SGD matrix factorisation (Koren, Bell & Volinsky 2009; Rendle,
    # Zhang & Koren, "On the difficulty of evaluating baselines", 2019), log-uniform but epochs
    search_space = {"n_factors": IntRange(10, 300, log=True), "n_epochs": IntRange(5, 100),
                    "lr_all": FloatRange(1e-4, 0.1, log=True),
                    "reg_all": FloatRange(1e-3, 1.0, log=True)}

    def __init__(self, n_factors=100, n_epochs=20, biased=True, init_mean=0.0, init_std_dev=0.1,
                 lr_all=0.005, reg_all=0.02, random_state=None, engine="compiled"):
        self.n_factors, self.n_epochs, self.biased = n_factors, n_epochs, biased
        self.init_mean, self.init_std_dev = init_mean, init_std_dev
        self.lr_all, self.reg_all, self.random_state = lr_all, reg_all, random_state
        self.engine = engine

    def _compiled_fit(self, coded, model):
        return fit_svd(coded, model)

    def _user_factors(self) -> np.ndarray:
        return self.model_.pu

    def _factors(self, u, i):
        """Factor rows of the users and items, zero for unknown ones."""
        pu = np.where((u >= 0)[:, None], self._user_factors()[np.maximum(u, 0)], 0.0)
        qi = np.where((i >= 0)[:, None], np.asarray(self.model_.qi)[np.maximum(i, 0)], 0.0)
        return pu, qi

    def _block(self, u, i):
        pu, qi = self._factors(u, i)
        if self.biased:
            return self._bias(u[:, None], i[None, :]) + pu @ qi.T
        known = (u[:, None] >= 0) & (i[None, :] >= 0)
        return np.where(known, pu @ qi.T, self.global_mean_)

    def _pairs(self, u, i):
        known = np.flatnonzero((u >= 0) & (i >= 0))      # the dot product is 0 elsewhere
        dot = np.zeros(len(u))
        pu, qi = self._user_factors(), np.asarray(self.model_.qi)
        for s in range(0, len(known), PAIR_BLOCK):       # no (pairs x factors) arrays
            rows = known[s:s + PAIR_BLOCK]
            dot[rows] = np.einsum("ij,ij->i", np.take(pu, u[rows], axis=0),
                                  np.take(qi, i[rows], axis=0))
        if self.biased:
            return self._bias(u, i) + dot
        return np.where((u >= 0) & (i >= 0), dot, self.global_mean_)


class SVDpp(SVD):
    """Surprise's SVD++: SVD whose user vector adds |I_u|^-1/2 * sum of y_j over the items
    j the user rated (implicit feedback). Scored vectorised: that sum is computed once per
    user."""

    name = "svdpp"
    description = "SVD with implicit feedback from which items a user rated (Surprise SVDpp)."
    surprise_class = surprise.SVDpp
    param_constraints = {"n_factors": FACTORS, "n_epochs": EPOCHS, "lr_all": POSITIVE,
                         "reg_all": NON_NEGATIVE, "random_state": SEED, "engine": ENGINE}
    # SVD's ranges, with fewer factors and epochs: a fit costs about factors x epochs, and
    # the default (20 x 20) already takes ~18 s on ml-100k
    search_space = {"n_factors": IntRange(5, 100, log=True), "n_epochs": IntRange(5, 40),
                    "lr_all": FloatRange(1e-4, 0.1, log=True),
                    "reg_all": FloatRange(1e-3, 1.0, log=True)}

    def __init__(self, n_factors=20, n_epochs=20, lr_all=0.007, reg_all=0.02, random_state=None,
                 engine="compiled"):
        self.n_factors, self.n_epochs, self.lr_all, self.reg_all = n_factors, n_epochs, lr_all, reg_all
        self.random_state, self.engine = random_state, engine

    def _compiled_fit(self, coded, model):
        return fit_svdpp(coded, model)

    biased = True       # SVD++ always has biases; not a parameter

    def _prepare(self):
        m = self.model_
        yj = np.asarray(m.yj)
        implicit = np.zeros_like(np.asarray(m.pu))
        for u, rated in m.trainset.ur.items():
            if rated:
                idx = np.fromiter((j for j, _ in rated), dtype=np.int64, count=len(rated))
                implicit[u] = yj[idx].sum(axis=0) / np.sqrt(len(rated))
        self.user_vectors_ = np.asarray(m.pu) + implicit

    def _user_factors(self):
        return self.user_vectors_


class NMF(SVD):
    """Surprise's NMF; its estimate has SVD's form (q_i . p_u, plus biases when biased)."""

    name = "nmf"
    description = "Non-negative matrix factorisation (Surprise NMF)."
    surprise_class = surprise.NMF
    param_constraints = {"n_factors": FACTORS, "n_epochs": EPOCHS, "biased": [bool],
                         "random_state": SEED}
    search_space = {"n_factors": IntRange(5, 200, log=True), "n_epochs": IntRange(10, 100)}

    def __init__(self, n_factors=15, n_epochs=50, biased=False, random_state=None):
        self.n_factors, self.n_epochs, self.biased = n_factors, n_epochs, biased
        self.random_state = random_state
