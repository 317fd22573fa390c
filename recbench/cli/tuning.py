"""The tuning options of `recbench run` (--tune, --trials, --objective, --validation-share)
and their merge with an experiment file's [tuning] table."""

from __future__ import annotations

import argparse

from recbench.cli.parser import number, whole_number
from recbench.errors import ConfigError


def add_tune_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tune", action="store_true",
                   help="also run every algorithm that has a search space tuned inside each "
                        "training fold (Optuna TPE, equal budget), as '<name> (tuned)'")
    p.add_argument("--trials", type=whole_number, help="trials per tuned algorithm and fold (default 20)")
    p.add_argument("--objective",
                   help="the validation metric tuning optimises, e.g. ndcg@10 (default) or rmse")
    p.add_argument("--validation-share", type=number,
                   help="share of each user's training ratings tuning validates on (default 0.2)")


def tune_settings(args, from_file: dict | None) -> dict | None:
    """The ``tune`` setting: the file's [tuning] table with the command line's values on top;
    --tune alone tunes with the defaults."""
    given = {"trials": args.trials, "objective": args.objective,
             "validation_share": args.validation_share}
    given = {k: v for k, v in given.items() if v is not None}
    if from_file is None and not args.tune:
        if given:
            flags = ", ".join("--" + k.replace("_", "-") for k in given)
            verb = "applies" if len(given) == 1 else "apply"
            raise ConfigError(f"{flags} only {verb} to a tuned run; add --tune (or a [tuning] "
                              f"table to the experiment file).")
        return None
    return dict(from_file or {}) | given
