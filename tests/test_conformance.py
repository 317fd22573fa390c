"""Every registered algorithm passes the conformance kit."""

import warnings

import pytest

from recbench.algorithms import load_class, registered
from recbench.testing import check_algorithm, fixture

# declared RMSE ranges on the kit's fixture (random uniform guessing scores about 1.7)
RMSE = {"random": (1.0, 2.5), "normalpredictor": (0.9, 2.0)}


@pytest.mark.parametrize("name", sorted(registered()))
def test_registered_algorithm_conforms(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # per-pair Surprise models warn about the cost
        assert check_algorithm(load_class(name), rmse_range=RMSE.get(name, (0.0, 1.3)))


def test_kit_catches_a_broken_algorithm():
    from recbench.algorithms.baselines import GlobalMean

    class NaNScores(GlobalMean):
        def score(self, users, items):
            out = super().score(users, items)
            out[0, 0] = float("nan")
            return out

    with pytest.raises(AssertionError, match="finite"):
        check_algorithm(NaNScores)


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
