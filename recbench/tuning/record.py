"""What a tuned run keeps: the record's ``tuning`` entry (settings, then one entry per tuned
(algorithm, fold) job with its space, seeds, best trial and every trial)."""

from __future__ import annotations


def optuna_version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("optuna")
    except PackageNotFoundError:
        return None


def tuning_record(tuning, jobs) -> dict:
    """The run's ``tuning`` entry from its settings and finished jobs."""
    entries = [j.tuning for j in jobs if getattr(j, "tuning", None) is not None]
    return tuning.describe() | {
        "optuna": optuna_version(),
        "protocol": ("nested in each training fold: a per-user random validation share of the "
                     "training ratings; trials fitted on the rest and scored on it with the "
                     "test evaluation's candidates, relevance and tie rules; trial 0 = the "
                     "defaults; the best trial refitted on the whole training fold and "
                     "evaluated once on the test fold; the test fold is never used while tuning"),
        "tuned": list(dict.fromkeys(e["algorithm"] for e in entries)),
        "jobs": entries}
