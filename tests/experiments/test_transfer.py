"""Shared pair features, the MLP training loop, and the transfer experiment."""

import copy
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.neural_network import MLPRegressor

from recbench.algorithms.neural.features import (
    GENRES,
    PairFeatures,
    canonical_genre,
    item_content,
)
from recbench.algorithms.neural.mlp import train_mlp
from recbench.algorithms.neural.transfer_mlp import TransferMLP
from recbench.experiments.transfer import summarise_transfer


def _items():
    return pd.DataFrame({"title": ["Toy Story (1995)", "Heat (1995)", "No Year"],
                         "genres": ["Animation|Children's|Comedy", "Action|Crime", "Children|IMAX"],
                         "text": ["", "", ""]}, index=pd.Index(["a", "b", "c"], name="item"))


def test_genres_of_both_movielens_vocabularies_share_columns():
    assert canonical_genre("Children's") == canonical_genre("Children") == "children"
    content = item_content(_items(), ["a", "b", "c", "zz"])
    children = GENRES.index("children")
    assert content[:, children].tolist() == [1, 0, 1, 0]
    assert content[0, :len(GENRES)].sum() == 3 and content[2, :len(GENRES)].sum() == 1  # IMAX ignored
    year = content[:, len(GENRES)]
    assert year[0] == 1995 and year[1] == 1995 and np.isnan(year[2]) and np.isnan(year[3])
    # title words are hashed; equal titles give equal columns, the year is not a word
    again = item_content(pd.DataFrame({"title": ["Toy Story (1971)"], "genres": [""]},
                                      index=pd.Index(["q"])), ["q"])
    assert np.array_equal(again[0, len(GENRES) + 1:], content[0, len(GENRES) + 1:])


def test_statistics_leave_the_pair_out_on_training_pairs():
    train = pd.DataFrame({"user": ["u", "u", "u", "v"], "item": ["a", "b", "c", "a"],
                          "rating": [5.0, 3.0, 4.0, 1.0]})
    pf = PairFeatures(damping=1.0).fit(train, _items())
    g = train["rating"].mean()                                   # 3.25
    full = pf.transform(["u"], ["a"])[0]
    loo = pf.transform(["u"], ["a"], [5.0])[0]
    names = pf.names
    col = {n: j for j, n in enumerate(names)}
    assert full[col["user_mean"]] == pytest.approx((12 + g) / 4)          # damped, all three
    assert loo[col["user_mean"]] == pytest.approx((7 + g) / 3)            # without the 5
    assert loo[col["user_log_count"]] == pytest.approx(np.log1p(2))
    assert loo[col["user_std"]] == pytest.approx(0.5)                     # std of {3, 4}
    assert loo[col["item_mean"]] == pytest.approx((1 + g) / 2)            # item a without u's 5
    # an unknown pair gets the global mean and zero counts
    unk = pf.transform(["nobody"], ["nothing"])[0]
    assert unk[col["user_mean"]] == pytest.approx(g) and unk[col["item_log_count"]] == 0
    # the genre affinity of u on "children" leaves a's own deviation out
    um = (12 + g) / 4
    aff = col["user_affinity_children"]
    assert full[aff] == pytest.approx(((5 - um) + (4 - um)) / (2 + 1))
    assert loo[aff] == pytest.approx((4 - um) / (1 + 1))


def _regression(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    return X, X @ [1.0, -2.0, 0.5, 0.0] + 0.1 * rng.normal(size=n)


def test_training_loop_learns_and_keeps_the_best_epoch():
    X, y = _regression()
    mlp = train_mlp(MLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.01), X, y, 40, np.random.default_rng(0))
    assert np.mean((mlp.predict(X) - y) ** 2) < 0.1 * np.var(y)
    # fine-tuning on data the model already fits cannot make the kept weights worse on the
    # validation share: the starting weights are the first candidate
    before = mlp.predict(X)
    tuned = train_mlp(copy.deepcopy(mlp).set_params(learning_rate_init=1.0), X, y, 3,
                      np.random.default_rng(1))
    rows = np.random.default_rng(1).permutation(len(y))[:300]
    assert np.mean((tuned.predict(X[rows]) - y[rows]) ** 2) <= np.mean((before[rows] - y[rows]) ** 2)


def test_fine_tuning_starts_from_the_pretrained_weights():
    """A warm start continues the source network (zero epochs = the source network itself),
    and a real fine-tune moves it."""
    X, y = _regression()
    src = train_mlp(MLPRegressor(hidden_layer_sizes=(16,)), X, y, 20, np.random.default_rng(0))
    zero = train_mlp(copy.deepcopy(src), X, y + 3, 0, np.random.default_rng(0))
    assert np.array_equal(zero.predict(X), src.predict(X))
    moved = train_mlp(copy.deepcopy(src), X, y + 3, 20, np.random.default_rng(0))
    # the target is shifted by 3: the fine-tuned network follows it
    assert abs(np.mean(moved.predict(X) - y) - 3) < 0.5 < abs(np.mean(src.predict(X) - y) - 3)


def test_summary_gains_by_hand():
    rows = []
    for fold, (s, t) in {"f1": (1.10, 1.00), "f2": (1.20, 1.00)}.items():
        for variant, v in (("scratch", s), ("transfer", t), ("baselineonly", 1.05)):
            rows.append({"fold": fold, "fraction": 0.5, "n_train": 100, "variant": variant,
                         "rmse": v, "mae": v / 2})
    rec = summarise_transfer(rows, (0.5,))[0]
    assert rec["scratch_rmse"] == pytest.approx(1.15) and rec["transfer_rmse"] == pytest.approx(1.0)
    assert rec["gain_rmse"] == pytest.approx(0.15) and rec["gain_mae"] == pytest.approx(0.075)
    # t interval of the paired differences (0.1, 0.2): 0.15 +- 12.706 * 0.0707 / sqrt 2
    assert rec["gain_rmse_ci"] == pytest.approx([0.15 - 0.635, 0.15 + 0.635], abs=1e-3)


def test_pretraining_on_ml_latest_small_helps_a_small_ml100k_subset(ml100k, u1):
    """The real claim of the transfer command, on one fold: with 10% of u1's training
    ratings, the network pre-trained on ml-latest-small beats the same network from scratch."""
    from recbench.datasets import load_dataset
    src = load_dataset("ml-latest-small")
    params = {"max_train_pairs": 40_000, "max_iter": 15, "random_state": 0}
    pretrained = TransferMLP(**params).pretrain(src.ratings, src.items)
    subset = u1.train.sample(frac=0.1, random_state=0)
    truth = u1.test["rating"].to_numpy()

    def rmse(algo):
        p = np.clip(algo.predict(u1.test["user"].to_numpy(), u1.test["item"].to_numpy()), 1, 5)
        return float(np.sqrt(np.mean((p - truth) ** 2)))

    scratch = rmse(TransferMLP(**params).fit(subset, ml100k.items))
    transfer = rmse(copy.deepcopy(pretrained).fit(subset, ml100k.items))
    assert transfer < scratch - 0.01, (scratch, transfer)
    assert 0.9 < transfer < 1.2


def test_transfer_command_writes_table_record_and_plot(ml100k_dir, tmp_path):
    from recbench.cli.main import main
    out = tmp_path / "t"
    code = main(["transfer", "--data-dir", str(ml100k_dir.parent), "--folds", "2",
                 "--fractions", "0.25,1", "--param", "max_iter=3",
                 "--param", "max_train_pairs=20000", "--output-dir", str(out), "-q"])
    assert code == 0
    name = "ml-latest-small-to-ml-100k"
    for ext in ("md", "csv", "json", "png", "svg"):
        assert (out / f"{name}.{ext}").stat().st_size > 0
    record = json.loads((out / f"{name}.json").read_text())
    assert [r["fraction"] for r in record["summary"]] == [0.25, 1.0]
    assert record["summary"][0]["n_train"] == 12_500                    # 25% of 50,000
    assert len(record["rows"]) == 2 * 2 * 3                             # folds x fractions x variants
    for rec in record["summary"]:
        assert rec["gain_rmse"] == pytest.approx(rec["scratch_rmse"] - rec["transfer_rmse"])
        assert 0.8 < rec["transfer_rmse"] < 1.3
    assert f"({name}.png)" in (out / f"{name}.md").read_text()
    assert record["params"]["max_iter"] == 3


def test_transfer_rejects_bad_fractions(capsys):
    from recbench.cli.main import main
    assert main(["transfer", "--fractions", "0,1"]) == 2
    assert "(0, 1]" in capsys.readouterr().err


def test_source_parameter_pretrains_inside_fit():
    """``--param mlp-transfer.source=ml-latest-small``: fit loads the embedded dataset,
    pre-trains on it, then fine-tunes; the result differs from training from scratch."""
    from tests.support import tiny_ratings
    train = tiny_ratings(n_users=40, n_items=50, density=0.4, seed=2)
    params = {"max_iter": 2, "max_train_pairs": 5000, "random_state": 0}
    warm = TransferMLP(source="ml-latest-small", **params).fit(train)
    cold = TransferMLP(**params).fit(train)
    assert warm.pretrained_on_ == 100_836 and not hasattr(cold, "pretrained_on_")
    users, items = train["user"].to_numpy()[:20], train["item"].to_numpy()[:20]
    assert not np.allclose(warm.predict(users, items), cold.predict(users, items))


def test_a_single_split_writes_empty_interval_cells():
    from recbench.reporting.transfer import transfer_csv
    row = {"fraction": 1.0, "n_train": 10, "scratch_rmse": 1.0, "transfer_rmse": 0.9,
           "gain_rmse": 0.1, "gain_rmse_ci": [None, None], "baselineonly_rmse": 1.1,
           "scratch_mae": 0.8, "transfer_mae": 0.7, "gain_mae": 0.1}
    assert transfer_csv([row]).splitlines()[1] == "1,10,1,0.9,0.1,1.1,0.8,0.7,0.1,,"
    row["gain_rmse_ci"] = [0.05, 0.15]
    assert transfer_csv([row]).splitlines()[1].endswith(",0.05,0.15")
