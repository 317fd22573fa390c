"""User groups: every per-user metric reported per group of users, with its interval.

Specs: ``activity:N`` (below); ``DATASET:COLUMN`` a column of the dataset's own user table
(``ml-100k:gender``, ``ml-100k:occupation``); ``FILE:COLUMN`` a CSV file with a ``user``
column and COLUMN (read as text). With a column, a user's group is its value there, the same
in every fold; evaluated users the table does not hold form the group ``(none)``.

``activity:N`` puts the users of each fold into N quantile bins of their training
interactions (N = 3: light, medium, heavy). The bin edges of a fold are the j/N quantiles
(j = 1..N-1, numpy's linear interpolation) of its training users' interaction counts; a user
with count c is in bin 1 + #{edges e : c > e} (so a user exactly at an edge is in the lower
bin), and a test user unseen in training (count 0) is in the lightest. Group values follow
the run's aggregation: per fold, the mean over the group's users with a value; then mean,
std and a 95% t interval across folds (a single split: a bootstrap over the group's users).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recbench.errors import ConfigError
from recbench.random import derive_rng
from recbench.statistics.intervals import bootstrap_interval, fold_interval

NAMES = {2: ["light", "heavy"], 3: ["light", "medium", "heavy"]}
EXAMPLE = "e.g. --groups activity:3 (light, medium, heavy users by training interactions)"


NONE = "(none)"


@dataclass(frozen=True, eq=False)
class GroupSpec:
    kind: str                         # "activity", or "column"
    bins: int = 0
    source: str = ""                  # column groups: "ml-100k:gender", "FILE:COLUMN"
    labels: pd.Series | None = None   # column groups: user id (text) -> group

    @property
    def text(self) -> str:
        return self.source if self.kind == "column" else f"{self.kind}:{self.bins}"

    @property
    def names(self) -> list[str]:
        if self.kind == "column":
            return [*sorted(pd.unique(self.labels)), NONE]
        return NAMES.get(self.bins, [f"q{j + 1}" for j in range(self.bins)])

    def describe(self) -> str:
        if self.kind == "column":
            return (f"users by their value in {self.source} (the same in every fold; users "
                    f"it does not hold in {NONE}); per group the mean over its users per fold, "
                    f"then the run's interval")
        return (f"users in {self.bins} quantile bins of their training interactions per fold "
                f"({', '.join(self.names)}): edges at the j/{self.bins} quantiles of the fold's "
                f"training users' counts, a user at an edge in the lower bin, test users unseen "
                f"in training in the lightest; per group the mean over its users per fold, then "
                f"the run's interval")


def parse_groups(text, dataset=None) -> GroupSpec | None:
    """``"activity:3"``, ``"ml-100k:gender"`` (with ``dataset``, the run's Dataset) or
    ``"FILE:COLUMN"`` -> GroupSpec; None stays None; one sentence for anything else."""
    if text is None:
        return None
    if isinstance(text, GroupSpec):
        return text
    where, _, column = str(text).strip().rpartition(":")
    if where.lower() != "activity" and where:
        return _column_groups(str(text).strip(), where, column, dataset)
    kind, _, n = str(text).strip().lower().partition(":")
    if kind != "activity":
        raise ConfigError(f"--groups {text!r} is unknown; give activity:N, DATASET:COLUMN of "
                          f"the dataset's user table or FILE:COLUMN, {EXAMPLE}.")
    if not (n.isascii() and n.isdigit()) or int(n) < 2:
        raise ConfigError(f"--groups {text!r} needs a whole number of bins >= 2 after "
                          f"'activity:', {EXAMPLE}.")
    return GroupSpec(kind, int(n))


def _column_groups(text, where, column, dataset) -> GroupSpec:
    if dataset is not None and where == dataset.name:
        table = dataset.users
        if table is None or column not in table:
            have = ", ".join(map(str, table.columns)) if table is not None else "no user table"
            raise ConfigError(f"--groups {text!r}: {dataset.name} has no user column "
                              f"{column!r} ({have}); name one of its columns.")
        labels = table[column]
    elif Path(where).is_file():
        try:
            table = pd.read_csv(where, dtype=str, keep_default_na=False)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--groups {text!r}: {where} is not a readable CSV file "
                              f"({type(exc).__name__}); give a file with a header line.") from None
        missing = [c for c in ("user", column) if c not in table]
        if missing:
            raise ConfigError(f"--groups {text!r}: {where} has no column {missing[0]!r}; give a "
                              f"CSV file with a 'user' column and the group column.")
        if table["user"].duplicated().any():
            raise ConfigError(f"--groups {text!r}: {where} names user "
                              f"{table['user'][table['user'].duplicated()].iloc[0]!r} twice; "
                              f"give each user one row.")
        labels = table.set_index("user")[column]
    else:
        raise ConfigError(f"--groups {text!r} is unknown; give activity:N, DATASET:COLUMN of "
                          f"the dataset's user table or FILE:COLUMN of an existing file, "
                          f"{EXAMPLE}.")
    labels = labels.astype(str)
    labels.index = labels.index.astype(str)
    if labels.nunique() < 2:
        raise ConfigError(f"--groups {text!r} puts every user in one group "
                          f"({labels.iloc[0] if len(labels) else 'none'!r}); name a column with "
                          f"at least two values.")
    return GroupSpec("column", 0, text, labels)


def check_groups(spec: GroupSpec | None, ratings: pd.DataFrame) -> None:
    """Refuse, before any fold, more bins than the dataset has distinct activity levels."""
    if spec is None or spec.kind != "activity":
        return
    levels = ratings["user"].value_counts().nunique()
    if spec.bins > levels:
        raise ConfigError(f"--groups {spec.text} asks for {spec.bins} bins but the users have "
                          f"only {levels} distinct activity levels; give at most "
                          f"activity:{levels}.")


def assign(spec: GroupSpec, train: pd.DataFrame, users) -> tuple[pd.Series, list[float]]:
    """(user -> group name for ``users``, the fold's bin edges; None for column groups)."""
    if spec.kind == "column":
        users = pd.Index(pd.unique(np.asarray(users).astype(str)))
        return spec.labels.reindex(users).fillna(NONE), None
    counts = train["user"].astype(str).value_counts()
    edges = [float(e) for e in np.quantile(counts.to_numpy(float),
                                           np.arange(1, spec.bins) / spec.bins)]
    users = pd.Index(pd.unique(np.asarray(users).astype(str)))
    c = counts.reindex(users, fill_value=0).to_numpy(float)
    bins = (c[:, None] > np.asarray(edges)[None, :]).sum(axis=1)
    return pd.Series(np.asarray(spec.names, dtype=object)[bins], index=users), edges


def group_results(per_user: pd.DataFrame, groups: dict, metrics, fold_names, names,
                  seed: int = 0) -> list[dict]:
    """Records ``{algorithm, group, metric, mean, std, ci_low, ci_high, interval, folds,
    users}`` per algorithm, group and per-user metric; ``groups``: fold -> (user -> group)."""
    if per_user.empty:
        return []
    label = pd.Series([groups.get(f, pd.Series(dtype=object)).get(u) for f, u in
                       zip(per_user["fold"], per_user["user"].astype(str))], index=per_user.index)
    frame = per_user.assign(group=label)
    out = []
    for algo in dict.fromkeys(frame["algorithm"]):
        mine = frame[frame["algorithm"] == algo]
        for group in names:
            rows = mine[mine["group"] == group]
            for metric in metrics:
                if metric not in rows:
                    continue
                folds = [_fold_mean(rows[rows["fold"] == f], metric) for f in fold_names]
                if all(v is None for v in folds):     # e.g. RMSE of a ranking-only model
                    continue
                mean, std, lo, hi = fold_interval(folds)
                interval = "t over folds"
                if len(fold_names) == 1:
                    boot = bootstrap_interval(rows, metric, derive_rng(
                        seed, "bootstrap", algo, metric, "group", group))
                    if boot is not None:
                        (lo, hi), interval = boot, "bootstrap over users"
                out.append({"algorithm": algo, "group": group, "metric": metric, "mean": mean,
                            "std": std, "ci_low": lo, "ci_high": hi, "interval": interval,
                            "folds": folds, "users": int(rows[metric].notna().sum())})
    return out


def _fold_mean(rows: pd.DataFrame, metric: str):
    """The fold's value over these users: RMSE / MAE pooled from their error sums (as the
    run's), any other metric the mean over the users with a value."""
    sums = {"rmse": "sq_error_sum", "mae": "abs_error_sum"}.get(metric)
    if sums in rows and "n_test_ratings" in rows:
        n = float(np.nansum(rows["n_test_ratings"].to_numpy(float)))
        if n == 0:
            return None
        value = float(np.nansum(rows[sums].to_numpy(float))) / n
        return float(np.sqrt(value)) if metric == "rmse" else value
    values = rows[metric].to_numpy(float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else None
