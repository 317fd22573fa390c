"""The split options several splits share: how many folds, the test share, ratings per user."""

from __future__ import annotations

from recbench.splitting.registry import SplitOption, register_option


def _folds(value, n_ratings):
    if not 2 <= value <= n_ratings:
        return f"is invalid; use a whole number from 2 to the number of ratings ({n_ratings})"
    return None


def _share(value, n_ratings):
    return None if 0 < value < 1 else "is invalid; give a share between 0 and 1, e.g. 0.2"


def _at_least_one(value, n_ratings):
    return None if value >= 1 else "is invalid; give a whole number of ratings per user, at least 1"


FOLDS = register_option(SplitOption("folds", int, "number of folds (default 5)", _folds))
TEST_SIZE = register_option(SplitOption("test_size", float, "test share (default 0.2)", _share))
LEAVE_OUT = register_option(SplitOption("leave_out", int, "ratings per user to hold out",
                                        _at_least_one))
