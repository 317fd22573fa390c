"""Every registered algorithm passes the conformance kit."""

import warnings

import pytest

from recbench.algorithms import load_class, registered
from recbench.testing import CHECKS, check_algorithm, fixture, parametrize_with_checks

CLASSES = [load_class(name) for name in sorted(registered())]
# declared RMSE ranges on the kit's fixture (random uniform guessing scores about 1.7)
RMSE = {c.__name__: (0.0, 1.3) for c in CLASSES} | {"Random": (1.0, 2.5),
                                                     "NormalPredictor": (0.9, 2.0)}


@parametrize_with_checks(CLASSES, rmse_range=RMSE)
def test_registered_algorithm_conforms(cls, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # per-pair Surprise models warn about the cost
        check(cls)


def test_one_test_id_per_algorithm_and_check():
    marks = parametrize_with_checks(CLASSES[:2]).args[1]
    assert [m.id for m in marks][:len(CHECKS)] == [f"{CLASSES[0].__name__}-{n}" for n in CHECKS]
    assert len(marks) == 2 * len(CHECKS)


def test_kit_catches_a_broken_algorithm():
    from recbench.algorithms.baselines import GlobalMean

    class NaNScores(GlobalMean):
        def score(self, users, items):
            out = super().score(users, items)
            out[0, 0] = float("nan")
            return out

    with pytest.raises(AssertionError, match="fails scores: score must be finite"):
        check_algorithm(NaNScores)

    class Mutating(GlobalMean):
        def fit(self, train, items=None):
            train["rating"] = 5.0
            return super().fit(train, items)

    with pytest.raises(AssertionError, match="fit changed the training frame"):
        CHECKS["fit_leaves_its_input"](Mutating)

    class Undeclared(GlobalMean):
        needs_ratings = "yes"

    with pytest.raises(AssertionError, match="needs_ratings must be True or False"):
        CHECKS["declarations"](Undeclared)


def test_learned_models_beat_the_global_mean_on_the_fixture():
    """The fixture's ratings are driven by item genres: the content filter, which reads them,
    must win clearly; collaborative models must still beat the global mean."""
    import numpy as np

    from recbench.algorithms.baselines import GlobalMean
    from recbench.algorithms.content.tfidf import TfidfContent
    from recbench.algorithms.surprise.knn import KNNBaseline
    from recbench.algorithms.surprise.svd import SVD
    train, test, items = fixture()
    def rmse(a):
        p = np.clip(a.fit(train, items).predict(test["user"].to_numpy(), test["item"].to_numpy()), 1, 5)
        return np.sqrt(np.mean((p - test["rating"].to_numpy()) ** 2))
    base = rmse(GlobalMean())
    assert rmse(TfidfContent()) < base - 0.1
    assert rmse(SVD(random_state=0)) < base and rmse(KNNBaseline()) < base
