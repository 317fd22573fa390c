"""Adapters around scikit-surprise models.

The adapters wrap (never subclass) Surprise's models. ``fit`` builds a Surprise trainset
from the training frame in its row order, so inner ids, neighbour order and therefore every
estimate equal what Surprise gives when it reads the same file itself. SVD, SVD++ and
BaselineOnly fit by default (``engine="compiled"``) with the numba kernels of
``compiled_fits`` on integer codes of the same ratings, equal to Surprise's fit to the bit;
``engine="surprise"`` runs Surprise's own.

Every built-in adapter scores user x item blocks with numpy, equal to Surprise's
``estimate`` (unknown users/items included, where Surprise's ``predict`` falls back to the
global mean); the KNN adapters are in ``surprise_knn``. ``SurpriseAlgorithm`` itself falls back to Surprise's per-pair ``estimate``,
with a warning about the cost, for a subclass that brings no vectorised scorer."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from recbench.algorithms.base import Algorithm, positions
from recbench.algorithms.params import Interval, Options
from recbench.algorithms.surprise._import import import_surprise
from recbench.algorithms.surprise.codes import CodedRatings

surprise = import_surprise()
PredictionImpossible = surprise.PredictionImpossible

# Parameter constraints (checked before any fold is fitted; see ``constraints``). Upper bounds:
# counts handed to Surprise's Cython code and the compiled kernels stay far below 2**31;
# ``n_factors`` <= 10,000 keeps the factor matrices (users and items x n_factors floats)
# within memory for the datasets recbench reads (ml-latest-small: 9,742 items x 10,000 x 8
# bytes = 0.8 GB); CoClustering's co-cluster table is clusters_u x clusters_i floats and its
# fit loops over every cluster for every rating, so both counts stay <= 1,000.
MAX_COUNT = 10**9
MAX_FACTORS = 10_000
MAX_CLUSTERS = 1_000
SIMILARITIES = ("cosine", "msd", "pearson", "pearson_baseline")   # Surprise's sim names
POSITIVE = [Interval(float, 0, None, closed="neither")]
NON_NEGATIVE = [Interval(float, 0, None)]
EPOCHS = [Interval(int, 0, MAX_COUNT)]
PAIR_BLOCK = 1 << 16            # rating pairs per block of the vectorised prediction
FACTORS = [Interval(int, 1, MAX_FACTORS)]


def build_trainset(train: pd.DataFrame):
    """A Surprise trainset with the ratings of ``train`` in row order."""
    scale = (float(train["rating"].min()), float(train["rating"].max()))
    # what Dataset.load_from_df builds, without iterating the frame row by row in pandas
    data = surprise.Dataset.load_from_df(train[["user", "item", "rating"]].iloc[:0],
                                         surprise.Reader(rating_scale=scale))
    data.raw_ratings = list(zip(train["user"].to_numpy(dtype=object).tolist(),
                                train["item"].to_numpy(dtype=object).tolist(),
                                train["rating"].to_numpy(dtype=float).tolist(),
                                [None] * len(train)))
    return data.build_full_trainset()


class SurpriseAlgorithm(Algorithm):
    surprise_class = None

    def _surprise_kwargs(self) -> dict:
        return self.get_params()

    def fit(self, train, items=None):
        trainset = build_trainset(train)
        self.model_ = self.surprise_class(**self._surprise_kwargs()).fit(trainset)
        self.users_ = pd.Index([trainset.to_raw_uid(u) for u in range(trainset.n_users)])
        self.items_ = pd.Index([trainset.to_raw_iid(i) for i in range(trainset.n_items)])
        self.global_mean_ = trainset.global_mean
        self._prepare()
        return self

    def _prepare(self) -> None:
        """Precompute arrays for vectorised scoring (subclasses)."""

    def score(self, users, items) -> np.ndarray:
        return self._block(positions(self.users_, users), positions(self.items_, items))

    def predict(self, users, items) -> np.ndarray:
        return self._pairs(positions(self.users_, users), positions(self.items_, items))

    # -- the per-pair route through Surprise's own estimate(), for models without a fast path
    def _estimate(self, u: int, i: int) -> float:
        uid = int(u) if u >= 0 else "UKN__"
        iid = int(i) if i >= 0 else "UKN__"
        try:
            est = self.model_.estimate(uid, iid)
        except PredictionImpossible:
            return self.model_.default_prediction()
        return est[0] if isinstance(est, tuple) else est

    def _warn_slow(self, n_pairs: int) -> None:
        start = time.perf_counter()
        for _ in range(min(50, n_pairs)):
            self._estimate(0, 0)
        per_pair = (time.perf_counter() - start) / max(1, min(50, n_pairs))
        warnings.warn(f"{self.name} has no vectorised scorer: scoring {n_pairs:,} pairs through "
                      f"Surprise's per-pair estimate() takes about {per_pair * n_pairs:.0f} s.",
                      stacklevel=3)

    def _block(self, u, i):
        self._warn_slow(len(u) * len(i))
        return np.array([[self._estimate(a, b) for b in i] for a in u], dtype=float).reshape(len(u), len(i))

    def _pairs(self, u, i):
        self._warn_slow(len(u))
        return np.array([self._estimate(a, b) for a, b in zip(u, i)], dtype=float)


def biased_mean(global_mean, bu, bi, u, i):
    """global mean + user bias (known users) + item bias (known items); -1 marks unknown ids."""
    bu, bi = np.asarray(bu), np.asarray(bi)
    return (global_mean + np.where(u >= 0, bu[np.maximum(u, 0)], 0.0)
            + np.where(i >= 0, bi[np.maximum(i, 0)], 0.0))


class BiasedAdapter(SurpriseAlgorithm):
    """Shared by models whose estimate starts from global mean + known user/item biases."""

    def _bias(self, u, i):
        return biased_mean(self.global_mean_, self.model_.bu, self.model_.bi, u, i)


ENGINE = [Options({"compiled", "surprise"})]


class CompiledFit:
    """For adapters with an ``engine`` parameter: ``"compiled"`` fits with the numba kernels
    of ``compiled_fits`` on integer codes (``rating_codes``), equal to Surprise's fit, and
    puts the result on an unfitted Surprise model of the same class and parameters, with a
    ``CodedTrainset`` as its trainset, so everything after ``fit`` reads what Surprise's
    ``fit`` would have left; ``"surprise"`` calls Surprise's own ``fit``."""

    def fit(self, train, items=None):
        if self.get_params().get("engine", "surprise") == "surprise":
            return super().fit(train, items)
        coded = CodedRatings(train)
        model = self.surprise_class(**self._surprise_kwargs())
        model.trainset = coded.trainset()
        for name, value in self._compiled_fit(coded, model).items():
            setattr(model, name, value)
        self.model_, self.users_, self.items_ = model, coded.users, coded.items
        self.global_mean_ = coded.global_mean
        self._prepare()
        return self

    def _surprise_kwargs(self):
        params = super()._surprise_kwargs()
        params.pop("engine", None)
        return params
