"""Line-precise checks shared by the readers: every field of every line, the first bad one
named by file and line in one sentence. The frames they take are indexed by 1-based line
number in the file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recbench.errors import DataError

# -- checks shared by the readers: line-precise, one sentence each -----------------------------
# The frames they take are indexed by 1-based line number in the file.

def first_line(mask) -> int:
    """The line number (index) of the first True in ``mask``."""
    return int(mask.index[np.flatnonzero(np.asarray(mask))[0]])


def parse_numbers(values: pd.Series, path, what: str, fix: str) -> pd.Series:
    """``values`` (strings) as floats; a DataError naming ``path`` and the line of the first
    one that is missing, not a number, or not finite (``fix`` ends the sentence)."""
    num = pd.to_numeric(values, errors="coerce").astype(float)    # surrounding blanks are fine
    bad = num.isna() | ~np.isfinite(num.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        line = first_line(bad)
        shown = str(values.loc[line]).strip()
        if shown == "":
            kind = "missing"
        elif shown.lower() in {"nan", "-nan", "+nan", "na", "n/a", "null", "none"}:
            kind = f"missing (written {shown[:10]!r})"
        elif np.isnan(num.loc[line]):
            kind = f"not a number ({shown[:40]!r})"
        else:
            kind = f"not finite ({shown[:40]!r})"
        raise DataError(f"{path}, line {line}: the {what} is {kind}; {fix}.")
    return num


def check_in_scale(ratings: pd.Series, path, scale, fix: str) -> None:
    """A DataError naming ``path`` and the line of the first rating outside ``scale``."""
    outside = (ratings < scale[0]) | (ratings > scale[1])
    if outside.any():
        line = first_line(outside)
        raise DataError(f"{path}, line {line}: rating {ratings.loc[line]:g} lies outside the "
                        f"rating scale {scale[0]:g}-{scale[1]:g}; {fix}.")


def parse_timestamps(values: pd.Series, path, fix: str) -> pd.Series:
    """``values`` as whole seconds (nullable Int64, rounded); a DataError naming the line of
    the first one that is not a number or lies beyond what a timestamp can be."""
    num = parse_numbers(values, path, "timestamp", fix).round()
    beyond = num.abs() > 2**53          # past exact floats (and ~285 million years)
    if beyond.any():
        line = first_line(beyond)
        raise DataError(f"{path}, line {line}: the timestamp {values.loc[line].strip()[:40]} is "
                        f"out of range; timestamps are whole seconds since 1970: fix the line.")
    return num.astype("Int64")


def require_fields(frame: pd.DataFrame, path, columns, fix: str) -> None:
    """A DataError naming the line of the first row where one of ``columns`` is empty
    (a field missing from a line cut short, or left blank)."""
    for col in columns:
        empty = frame[col] == ""
        if empty.any():
            raise DataError(f"{path}, line {first_line(empty)}: the {col} field is missing or "
                            f"empty; {fix}.")


def checked_ratings(raw: pd.DataFrame, path, scale, fix: str, scale_fix: str,
                    names=("user", "item", "rating", "timestamp")) -> pd.DataFrame:
    """``user``, ``item``, ``rating``, ``timestamp`` from a frame of raw text fields (whose
    columns for them are ``names``), every field of every line checked, the first bad one
    named by file and line: present, the rating a finite number inside ``scale``, the
    timestamp a whole number."""
    if raw.empty:
        raise DataError(f"{path} holds no ratings; {fix}.")
    user, item, rating, timestamp = names
    require_fields(raw, path, list(names), fix)
    frame = pd.DataFrame({"user": raw[user], "item": raw[item]})
    frame["rating"] = parse_numbers(raw[rating], path, "rating", fix)
    check_in_scale(frame["rating"], path, scale, scale_fix)
    frame["timestamp"] = parse_timestamps(raw[timestamp], path, fix)
    return frame.reset_index(drop=True)
