"""scikit-learn MLPs that score (user, item) pairs.

* ``MLPScorer`` (``mlp``): shared pair features (``features.PairFeatures``) plus the latent
  factors of a Surprise SVD and the item's TF-IDF text reduced with ``TruncatedSVD``.
* ``TransferMLP`` (``mlp-transfer``): the shared pair features only, so a network pre-trained
  on one dataset (e.g. ml-latest-small) can be fine-tuned on another (e.g. ml-100k).

Both train with the same loop (``train_mlp``): one epoch of ``MLPRegressor.fit`` with
``warm_start=True`` and ``max_iter=1`` (a fresh Adam optimiser at ``learning_rate_init``,
starting from the current weights when there are any), then epochs of ``partial_fit``; early stopping on a seeded 10% validation share of the
training pairs with a patience of ``PATIENCE`` epochs, keeping the best epoch's weights.
The loop is written out rather than left to ``early_stopping=True`` because scikit-learn
carries ``best_validation_score_`` over a warm start: a fine-tune would be judged against
the source dataset's validation score and could silently return the pre-trained weights."""

from __future__ import annotations

import pandas as pd
from sklearn.preprocessing import StandardScaler

from recbench.algorithms.neural.features import PairFeatures
from recbench.algorithms.neural.mlp import PairMLP, train_mlp
from recbench.algorithms.params import SEED, Interval
from recbench.datasets import load_dataset
from recbench.random import derive_rng


class TransferMLP(PairMLP):
    """An MLP over the shared pair features only (``features.PairFeatures``), which mean
    the same on every MovieLens-style dataset, so it can learn on one and continue on another.

    * ``pretrain(ratings, items)`` trains the network on a source dataset and fixes the
      feature scaling;
    * ``fit(train, items)`` then fine-tunes it on the target (``warm_start``: the source
      weights are the starting point, with ``fine_tune_learning_rate``), its statistics
      recomputed from the target's training ratings. Without a pre-training it trains from
      scratch; with ``source`` set to a dataset name (e.g. ``"ml-latest-small"``) ``fit``
      loads and pre-trains on it first.
    """

    name = "mlp-transfer"
    description = ("MLPRegressor over dataset-independent features (genres, year, title words, "
                   "user/item statistics); source= pre-trains on another dataset, then fine-tunes.")

    param_constraints = {
        "hidden_layer_sizes": [list], "alpha": [Interval(float, 0, None)],
        "max_iter": [Interval(int, 1, 10_000)],
        "learning_rate": [Interval(float, 0, None, closed="neither")],
        "fine_tune_learning_rate": [Interval(float, 0, None, closed="neither")],
        "source": [None, str], "source_data_dir": [None, str],
        "max_train_pairs": [Interval(int, 10, None)],
        "random_state": SEED,
    }

    def __init__(self, hidden_layer_sizes=(64, 32), alpha=1e-4, max_iter=30,
                 learning_rate=1e-3, fine_tune_learning_rate=3e-4, source=None,
                 source_data_dir=None, max_train_pairs=200_000, random_state=None):
        self.hidden_layer_sizes, self.alpha, self.max_iter = hidden_layer_sizes, alpha, max_iter
        self.learning_rate, self.fine_tune_learning_rate = learning_rate, fine_tune_learning_rate
        self.source, self.source_data_dir = source, source_data_dir
        self.max_train_pairs, self.random_state = max_train_pairs, random_state

    def pretrain(self, ratings: pd.DataFrame, items: pd.DataFrame | None) -> "TransferMLP":
        self._learn(ratings, items, stream=1, warm=False)
        self.pretrained_on_ = len(ratings)
        return self

    def fit(self, train, items=None):
        if self.source is not None and not hasattr(self, "pretrained_on_"):
            src = load_dataset(self.source, self.source_data_dir)
            self.pretrain(src.ratings, src.items)
        self._learn(train, items, stream=2, warm=hasattr(self, "pretrained_on_"))
        return self

    def _learn(self, ratings, items, stream: int, warm: bool) -> None:
        """Statistics from ``ratings``, then training: from random weights and a new feature
        scaling, or (``warm``) from the current weights and scaling at the fine-tuning rate."""
        rng = derive_rng(self._seed(), "mlp", "pretrain" if stream == 1 else "fit")
        self.pairs_ = PairFeatures().fit(ratings, items)
        sample = self._sample(ratings, self.max_train_pairs, rng)
        X = self._pair_features(sample["user"].to_numpy(str), sample["item"].to_numpy(str),
                                sample["rating"].to_numpy(float))
        if warm:
            mlp = self.mlp_.set_params(learning_rate_init=self.fine_tune_learning_rate)
        else:
            self.scaler_ = StandardScaler().fit(X)
            mlp = self._new_mlp().set_params(learning_rate_init=self.learning_rate)
        self.mlp_ = train_mlp(mlp, self.scaler_.transform(X), sample["rating"].to_numpy(float),
                              self.max_iter, rng)

    def _seed(self) -> int:
        return 0 if self.random_state is None else int(self.random_state)

    def _pair_features(self, users, items, ratings=None):
        return self.pairs_.transform(users, items, ratings)
