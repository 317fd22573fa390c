"""Rating-prediction error metrics (lower is better)."""

from __future__ import annotations

import numpy as np


def root_mean_squared_error(y_true, y_pred) -> float:
    """RMSE = sqrt( (1/n) * sum_i (y_pred_i - y_true_i)^2 ); NaN for no ratings."""
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    return float(np.sqrt(np.mean((y_pred - y_true) ** 2))) if len(y_true) else float("nan")


def mean_absolute_error(y_true, y_pred) -> float:
    """MAE = (1/n) * sum_i |y_pred_i - y_true_i|; NaN for no ratings."""
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    return float(np.mean(np.abs(y_pred - y_true))) if len(y_true) else float("nan")
