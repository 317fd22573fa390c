"""Declared parameter constraints of the built-in algorithms (``param_constraints``)."""

import numpy as np
import pytest

from recbench.algorithms.params import allowed, check_params
from recbench.algorithms.registry import load_class, registered
from recbench.errors import ConfigError

# the modules whose classes must declare a constraint for every parameter
DECLARING = ("recbench.algorithms.surprise.", "recbench.algorithms.baselines",
             "recbench.algorithms.content.")


def declaring_algorithms() -> list[str]:
    return sorted(n for n, ep in registered().items()
                  if ep.value.split(":")[0].startswith(DECLARING))


@pytest.mark.parametrize("name", sorted(registered()))
def test_default_parameters_pass(name):
    cls = load_class(name)
    check_params(name, cls, cls.default_params())


@pytest.mark.parametrize("name", declaring_algorithms())
def test_every_parameter_is_declared(name):
    cls = load_class(name)
    assert set(cls.param_constraints) == set(cls.param_names())


BAD = [
    ("svd", "n_factors", -5), ("svd", "n_factors", 0), ("svd", "n_factors", "abc"),
    ("svd", "n_factors", 1e9), ("svd", "n_factors", 10**9), ("svd", "n_factors", 5.0),
    ("svd", "n_factors", True), ("svd", "n_factors", None), ("svd", "n_epochs", -1),
    ("svd", "lr_all", 0), ("svd", "lr_all", -0.1), ("svd", "lr_all", float("nan")),
    ("svd", "lr_all", float("inf")), ("svd", "reg_all", -1), ("svd", "init_std_dev", -0.1),
    ("svd", "init_mean", "0"), ("svd", "biased", "yes"), ("svd", "biased", 1),
    ("svd", "random_state", -1), ("svd", "random_state", 2**32), ("svd", "random_state", 1.5),
    ("svd", "random_state", "0"), ("svdpp", "n_factors", 20_000), ("svdpp", "n_epochs", 2.5),
    ("nmf", "n_factors", 10**9), ("nmf", "biased", "false"),
    ("knnwithmeans", "sim", "bogus"), ("knnwithmeans", "sim", ["msd"]),
    ("knnwithmeans", "user_based", "yes"), ("knnwithmeans", "k", 0), ("knnbasic", "k", 10**12),
    ("knnbasic", "min_k", 0), ("knnbasic", "min_support", -1), ("knnbasic", "shrinkage", -1),
    ("knnbaseline", "bsl_method", "sgdx"), ("knnbaseline", "bsl_n_epochs", -3),
    ("knnbaseline", "bsl_learning_rate", 0),
    ("baselineonly", "method", "bogus"), ("baselineonly", "learning_rate", 0),
    ("baselineonly", "reg_u", -1), ("baselineonly", "n_epochs", "10"),
    ("coclustering", "n_cltr_u", 0), ("coclustering", "n_cltr_i", 10**6),
    ("coclustering", "n_epochs", -1), ("normalpredictor", "random_state", "x"),
    ("bestrated", "damping", -1), ("bestrated", "damping", float("nan")),
    ("random", "random_state", -1),
    ("tfidf", "k", 0), ("tfidf", "min_df", 0), ("tfidf", "min_df", 1.5),
    ("tfidf", "max_features", 0), ("tfidf", "sublinear_tf", "no"),
]


@pytest.mark.parametrize("name,param,value", BAD, ids=[f"{n}.{p}={v!r}" for n, p, v in BAD])
def test_bad_value_is_a_config_error_naming_everything(name, param, value):
    cls = load_class(name)
    with pytest.raises(ConfigError) as exc:
        check_params(name, cls, {param: value})
    msg = str(exc.value)
    assert msg.startswith(f"{name}: ")
    assert f"parameter {param}={value!r}" in msg
    assert allowed(cls.param_constraints[param]) in msg
    assert "\n" not in msg


def test_allowed_values_read_well():
    svd, knn = load_class("svd"), load_class("knnwithmeans")
    assert allowed(svd.param_constraints["n_factors"]) == "a whole number >= 1 and <= 10000"
    assert allowed(svd.param_constraints["lr_all"]) == "a number > 0"
    assert allowed(knn.param_constraints["sim"]) == \
        "one of 'cosine', 'msd', 'pearson', 'pearson_baseline'"


# the edges of every range, which Surprise (and scikit-learn for tfidf) must accept
EDGES = [
    ("svd", dict(n_factors=1, n_epochs=0, init_std_dev=0, reg_all=0, random_state=2**32 - 1)),
    ("svd", dict(n_factors=2, n_epochs=1, biased=False, lr_all=1e-9, random_state=0)),
    ("svdpp", dict(n_factors=1, n_epochs=0, reg_all=0, random_state=0)),
    ("nmf", dict(n_factors=1, n_epochs=0, biased=True, random_state=0)),
    ("baselineonly", dict(method="sgd", n_epochs=0, reg=0, learning_rate=1e-9)),
    ("baselineonly", dict(method="als", n_epochs=1, reg_u=0, reg_i=0)),
    ("knnbasic", dict(k=1, min_k=1, sim="cosine", min_support=0)),
    ("knnwithmeans", dict(k=10**9, sim="pearson", user_based=False)),
    ("knnbaseline", dict(sim="pearson_baseline", shrinkage=0, bsl_method="sgd", bsl_n_epochs=0,
                         bsl_reg=0, bsl_learning_rate=1e-9)),
    ("coclustering", dict(n_cltr_u=1, n_cltr_i=1, n_epochs=0, random_state=0)),
    ("normalpredictor", dict(random_state=2**32 - 1)),
    ("bestrated", dict(damping=0)),
    ("random", dict(random_state=0)),
    ("tfidf", dict(k=1, min_df=1.0, max_features=1, sublinear_tf=False)),
]


@pytest.mark.parametrize("name,params", EDGES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(EDGES)])
def test_edge_values_are_accepted_and_fit(name, params, tiny):
    cls = load_class(name)
    check_params(name, cls, params)
    algo = cls(**params).fit(tiny)
    users, items = tiny["user"].unique()[:5], tiny["item"].unique()[:7]
    scores = algo.score(users, items)
    assert scores.shape == (5, 7) and np.isfinite(scores).all()
