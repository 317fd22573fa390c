"""Surprise's ``BaselineOnly`` (``baselineonly``): global mean + user bias + item bias.
"""

from __future__ import annotations

import numpy as np

from recbench.algorithms.params import Options
from recbench.algorithms.surprise.adapter import (
    ENGINE,
    EPOCHS,
    NON_NEGATIVE,
    POSITIVE,
    BiasedAdapter,
    CompiledFit,
    surprise,
)
from recbench.algorithms.surprise.fits import fit_baselines


class BaselineOnly(CompiledFit, BiasedAdapter):
    """Surprise's BaselineOnly: global mean + user bias + item bias."""

    name = "baselineonly"
    description = "Global mean plus user and item biases fitted by ALS or SGD (Surprise BaselineOnly)."
    surprise_class = surprise.BaselineOnly
    param_constraints = {
        "method": [Options({"als", "sgd"})], "n_epochs": [None, *EPOCHS],
        "reg_u": [None, *NON_NEGATIVE], "reg_i": [None, *NON_NEGATIVE],
        "reg": [None, *NON_NEGATIVE], "learning_rate": [None, *POSITIVE],
        "engine": ENGINE,
    }

    def __init__(self, method="als", n_epochs=None, reg_u=None, reg_i=None, reg=None,
                 learning_rate=None, engine="compiled"):
        self.method, self.n_epochs = method, n_epochs
        self.reg_u, self.reg_i, self.reg, self.learning_rate = reg_u, reg_i, reg, learning_rate
        self.engine = engine

    def _surprise_kwargs(self):
        return {"bsl_options": baseline_options(self.get_params()), "verbose": False}

    def _compiled_fit(self, coded, model):
        return fit_baselines(coded, model.bsl_options)

    def _prepare(self):
        self.model_.bu, self.model_.bi = np.asarray(self.model_.bu), np.asarray(self.model_.bi)

    def _block(self, u, i):
        return self._bias(u[:, None], i[None, :])

    def _pairs(self, u, i):
        return self._bias(u, i)


def baseline_options(params: dict, prefix: str = "") -> dict:
    """Surprise's ``bsl_options`` from flat parameters, leaving out the ones left at None."""
    keys = ("method", "n_epochs", "reg_u", "reg_i", "reg", "learning_rate")
    return {k: params[prefix + k] for k in keys if params.get(prefix + k) is not None}
