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
with a warning about the cost, for a subclass that brings no vectorised scorer.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

from recbench.algorithms._surprise import import_surprise
from recbench.algorithms.base import Algorithm, pair_scores, positions
from recbench.algorithms.constraints import Interval, Options
from recbench.tuning.space import FloatRange, IntRange
from recbench.algorithms.compiled_fits import fit_baselines, fit_svd, fit_svdpp
from recbench.algorithms.rating_codes import CodedRatings

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
SEED = [None, Interval(int, 0, 2**32 - 1)]        # what numpy's RandomState(seed) accepts
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


class _Biased(SurpriseAlgorithm):
    """Shared by models whose estimate starts from global mean + known user/item biases."""

    def _bias(self, u, i):
        return biased_mean(self.global_mean_, self.model_.bu, self.model_.bi, u, i)


ENGINE = [Options({"compiled", "surprise"})]


class _CompiledFit:
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


class SVD(_CompiledFit, _Biased):
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


class BaselineOnly(_CompiledFit, _Biased):
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


class NormalPredictor(SurpriseAlgorithm):
    """Random ratings from a normal distribution fitted to the training ratings."""

    name = "normalpredictor"
    description = "Random draws from N(mean, std) of the training ratings (Surprise NormalPredictor)."
    surprise_class = surprise.NormalPredictor
    param_constraints = {"random_state": SEED}

    def __init__(self, random_state=None):
        self.random_state = random_state

    def _surprise_kwargs(self):
        return {}

    def _prepare(self):
        self.rng_ = np.random.default_rng(self.random_state)

    def _block(self, u, i):
        return self.rng_.normal(self.model_.trainset.global_mean, self.model_.sigma, (len(u), len(i)))

    def _pairs(self, u, i):
        return self.rng_.normal(self.model_.trainset.global_mean, self.model_.sigma, len(u))


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


class SlopeOne(SurpriseAlgorithm):
    """Surprise's SlopeOne: user mean + the mean deviation dev(i, j) over the items j the user
    rated that share a rater with i. Scored vectorised with matrix products over the
    item-item ``freq`` and ``dev`` matrices Surprise keeps (n_items^2 floats each)."""

    name = "slopeone"
    description = "Slope One: user mean plus mean item-item rating deviations (Surprise SlopeOne)."
    surprise_class = surprise.SlopeOne
    param_constraints: dict = {}        # no parameters
    block_size = 200_000

    def __init__(self):
        pass

    def _surprise_kwargs(self):
        return {}

    def _prepare(self):
        m = self.model_
        rated = np.zeros((m.trainset.n_users, m.trainset.n_items))
        for u, pairs in m.trainset.ur.items():
            rated[u, [j for j, _ in pairs]] = 1.0
        self.rated_ = rated
        self.user_mean_ = np.asarray(m.user_mean, dtype=float)

    def _block(self, u, i):
        out = np.full((len(u), len(i)), self.global_mean_)
        ru, ci = np.flatnonzero(u >= 0), np.flatnonzero(i >= 0)
        if len(ru) and len(ci):
            step = max(1, 20_000_000 // max(1, self.rated_.shape[1]))
            for start in range(0, len(ci), step):
                cols = ci[start:start + step]
                shares = np.asarray(self.model_.freq)[i[cols]] > 0
                devs = np.where(shares, np.asarray(self.model_.dev)[i[cols]], 0.0)
                r = self.rated_[u[ru]]
                count, total = r @ shares.T, r @ devs.T
                with np.errstate(divide="ignore", invalid="ignore"):
                    mean_dev = np.where(count > 0, total / count, 0.0)
                out[np.ix_(ru, cols)] = self.user_mean_[u[ru]][:, None] + mean_dev
        return out

    def _pairs(self, u, i):
        return pair_scores(self, u, i, self.block_size, score=self._block)   # on inner ids


class CoClustering(SurpriseAlgorithm):
    """Surprise's CoClustering: co-cluster mean + user and item offsets from their clusters."""

    name = "coclustering"
    description = "Co-clustering of users and items (Surprise CoClustering)."
    surprise_class = surprise.CoClustering
    param_constraints = {"n_cltr_u": [Interval(int, 1, MAX_CLUSTERS)],
                         "n_cltr_i": [Interval(int, 1, MAX_CLUSTERS)],
                         "n_epochs": EPOCHS, "random_state": SEED}
    search_space = {"n_cltr_u": IntRange(1, 30), "n_cltr_i": IntRange(1, 30),
                    "n_epochs": IntRange(5, 100)}

    def __init__(self, n_cltr_u=3, n_cltr_i=3, n_epochs=20, random_state=None):
        self.n_cltr_u, self.n_cltr_i, self.n_epochs = n_cltr_u, n_cltr_i, n_epochs
        self.random_state = random_state

    def _estimates(self, u, i):
        m = self.model_
        cu, ci = np.asarray(m.cltr_u)[np.maximum(u, 0)], np.asarray(m.cltr_i)[np.maximum(i, 0)]
        est = (np.asarray(m.avg_cocltr)[cu, ci]
               + np.asarray(m.user_mean)[np.maximum(u, 0)] - np.asarray(m.avg_cltr_u)[cu]
               + np.asarray(m.item_mean)[np.maximum(i, 0)] - np.asarray(m.avg_cltr_i)[ci])
        return np.where((u >= 0) & (i >= 0), est, self.global_mean_)

    def _block(self, u, i):
        return self._estimates(u[:, None], i[None, :])

    def _pairs(self, u, i):
        return self._estimates(u, i)
