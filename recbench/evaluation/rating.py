"""Rating-prediction evaluation of one fitted algorithm on one fold."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from recbench.errors import RecbenchError
from recbench.metrics import RatingInput, resolve


class PredictionError(RecbenchError):
    """An algorithm's predictions have the wrong shape or are not finite."""


def evaluate_ratings(algo, train: pd.DataFrame, test: pd.DataFrame, scale: tuple[float, float],
                     specs=None):
    """Predictions for every test rating, clipped to ``scale``, and the rating metrics of
    ``specs`` (all rating metrics when None). Returns per-user values (with the error sums
    that pooled intervals need), fold values, counts and the seconds spent predicting."""
    specs = [s for s in (specs if specs is not None else resolve(None, ()))
             if s.metric.kind == "rating"]
    t0 = time.perf_counter()
    pred = np.asarray(algo.predict(test["user"].to_numpy(), test["item"].to_numpy()))
    seconds = time.perf_counter() - t0
    name = getattr(algo, "name", "") or type(algo).__name__
    if np.iscomplexobj(pred):       # a cast to float would drop the imaginary part silently
        raise PredictionError(f"{name}.predict returned complex predictions; rating "
                              f"predictions must be real numbers (take .real if the imaginary "
                              f"parts are meant to be 0).")
    pred = pred.astype(float, copy=False)
    if pred.shape != (len(test),):
        raise PredictionError(f"{name}.predict returned shape {pred.shape}, expected "
                              f"({len(test)},).")
    if not np.isfinite(pred).all():
        raise PredictionError(f"{name}.predict returned {int((~np.isfinite(pred)).sum())} NaN or "
                              f"infinite predictions; every test pair needs a finite prediction.")
    pred = np.clip(pred, scale[0], scale[1])
    truth = test["rating"].to_numpy(float)
    known = (test["user"].isin(train["user"].unique())
             & test["item"].isin(train["item"].unique())).to_numpy()
    users, codes = np.unique(test["user"].to_numpy(str), return_inverse=True)
    x = RatingInput(truth, pred, known, codes, len(users))
    values = {s.name: float(s.metric.compute(x)) for s in specs}
    per_user = pd.DataFrame({"user": users})
    err = pred - truth
    wanted = {s.name for s in specs}
    if wanted & {"rmse", "mae"} or any(s.metric.per_user for s in specs):
        per_user["n_test_ratings"] = np.bincount(codes, minlength=len(users))
    if "rmse" in wanted:
        per_user["sq_error_sum"] = np.bincount(codes, weights=err ** 2, minlength=len(users))
    if "mae" in wanted:
        per_user["abs_error_sum"] = np.bincount(codes, weights=np.abs(err), minlength=len(users))
    for s in specs:
        if s.metric.per_user is not None:
            per_user[s.name] = np.asarray(s.metric.per_user(x), float)
    counts = {"fallback_predictions": int((~known).sum()), "test_ratings": int(len(known))}
    return per_user, values, counts, seconds
