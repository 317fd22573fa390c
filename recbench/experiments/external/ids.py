"""Whether a prediction file's ids are those of the split at all.

Ids are compared as text on both sides (the rating files and the prediction files are read
as strings), so ``10.0`` in a prediction file is not user ``10`` of the test file. A file
none of whose users is a test user, none of whose items is in the data, or (rating
predictions) none of whose pairs is a test pair cannot be evaluated: that is an error
naming the file with one id of each side. A file that meets the split only in part is
evaluated, and the record says how much of it met (see ``systems.counts``).
"""

from __future__ import annotations

import pandas as pd

from recbench.errors import DataError


def check_ids(fold, system, test_name: str) -> None:
    """Raise DataError when a file of ``system`` shares no user, no item or (ratings) no
    pair with ``fold``; ``test_name`` names the test part in the message."""
    test = fold.test
    users = pd.Index(test["user"].unique())
    items = pd.Index(pd.concat([fold.train["item"], test["item"]]).unique())
    for f in system.files:
        for part in (f.ratings, f.ranking):
            if part is None or not len(part):
                continue
            for col, known, where in (("user", users, "the test part"),
                                      ("item", items, "the training or test part")):
                if not part[col].isin(known).any():
                    raise DataError(f"{f.name}: none of its {col} ids is "
                                    f"{'a user' if col == 'user' else 'an item'} of {where}, "
                                    f"so the ids do not match (ids like "
                                    f"{_shown(part[col].iloc[0])} in {f.name}, "
                                    f"{_shown(test[col].iloc[0])} in {test_name}); write the ids "
                                    f"as the rating files do.")
        ratings = f.ratings
        if ratings is not None and len(ratings):
            have = pd.MultiIndex.from_arrays([ratings["user"], ratings["item"]])
            if not have.isin(pd.MultiIndex.from_arrays([test["user"], test["item"]])).any():
                raise DataError(f"{f.name}: none of its {len(ratings):,} rating predictions is "
                                f"for a (user, item) pair of {test_name} (pairs like "
                                f"({_shown(ratings['user'].iloc[0])}, "
                                f"{_shown(ratings['item'].iloc[0])}) in {f.name}, "
                                f"({_shown(test['user'].iloc[0])}, {_shown(test['item'].iloc[0])})"
                                f" in {test_name}); predict the pairs of the test part.")


def _shown(value) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:39] + "…")
