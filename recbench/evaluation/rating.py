"""Rating-prediction evaluation of one fitted algorithm on one fold."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from recbench import metrics


def evaluate_ratings(algo, train: pd.DataFrame, test: pd.DataFrame, scale: tuple[float, float]):
    """Predictions for every test rating, clipped to ``scale``. Returns per-user error sums,
    fold values (rmse, mae, and both over the pairs whose user and item are known in
    training) and the seconds spent predicting."""
    t0 = time.perf_counter()
    pred = np.asarray(algo.predict(test["user"].to_numpy(), test["item"].to_numpy()), float)
    seconds = time.perf_counter() - t0
    pred = np.clip(pred, scale[0], scale[1])
    truth = test["rating"].to_numpy(float)
    known = (test["user"].isin(train["user"].unique())
             & test["item"].isin(train["item"].unique())).to_numpy()
    values = {
        "rmse": metrics.root_mean_squared_error(truth, pred),
        "mae": metrics.mean_absolute_error(truth, pred),
        "rmse_known": metrics.root_mean_squared_error(truth[known], pred[known]),
        "mae_known": metrics.mean_absolute_error(truth[known], pred[known]),
        "fallback_share": float(1 - known.mean()) if len(known) else float("nan"),
    }
    err = pred - truth
    per_user = (pd.DataFrame({"user": test["user"].to_numpy(), "sq_error_sum": err ** 2,
                              "abs_error_sum": np.abs(err), "n_test_ratings": 1})
                .groupby("user", sort=False, as_index=False).sum())
    per_user["rmse"] = np.sqrt(per_user["sq_error_sum"] / per_user["n_test_ratings"])
    per_user["mae"] = per_user["abs_error_sum"] / per_user["n_test_ratings"]
    counts = {"fallback_predictions": int((~known).sum()), "test_ratings": int(len(known))}
    return per_user, values, counts, seconds
