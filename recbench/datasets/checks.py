"""Line-precise checks shared by the readers: every field of every line, the first bad one
named by file and line in one sentence. The frames they take are indexed by 1-based line
number in the file (or, for a DataFrame, by 0-based row position; see :class:`Origin`).

:func:`check_ratings` holds the rules every source of ratings a user gives must meet - a
custom file, a DataFrame, a Dataset: ids present (surrounding whitespace stripped), ratings
finite numbers inside the scale, timestamps whole seconds (or ISO dates), and one rating per
(user, item) pair unless a duplicates policy says which one to keep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recbench.errors import ConfigError, DataError

DUPLICATE_POLICIES = ("error", "first", "last", "mean")


@dataclass(frozen=True)
class Origin:
    """Where ratings come from, as a message names it: ``name`` (a file's path, or "the
    DataFrame"), what its index counts (``line``: 1-based lines of a file; ``row``: 0-based row
    positions) and how the user gives the rating scale and a duplicates policy there."""

    name: str
    unit: str = "line"
    scale_option: str = "--rating-scale {low},{high}"
    duplicates_option: str = "--duplicates first|last|mean"

    def at(self, n) -> str:
        return f"{self.name}, {self.unit} {n}"

    def __str__(self) -> str:
        return self.name


FRAME = Origin("the DataFrame", "row",
               "csv={{'rating_scale': ({low}, {high})}} to recbench.run (rating_scale= to "
               "from_frame)",
               "csv={'duplicates': 'first'|'last'|'mean'} to recbench.run (duplicates= to "
               "from_frame)")


def at(where, n) -> str:
    """``where`` (an :class:`Origin` or a file path) and line ``n``, as messages name them."""
    return where.at(n) if isinstance(where, Origin) else f"{where}, line {n}"


def shown(value, limit: int = 60) -> str:
    """``value`` as a message shows it: its repr (control and other unprintable characters
    escaped), cut to about ``limit`` characters."""
    text = repr(value if isinstance(value, str) else str(value))
    return text if len(text) <= limit else text[:limit - 4] + "...'"


# -- checks shared by the readers: line-precise, one sentence each -----------------------------

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
        text = str(values.loc[line]).strip()
        if text == "" or text.lower() in {"<na>", "nat"} or pd.isna(values.loc[line]):
            kind = "missing"
        elif text.lower() in {"nan", "-nan", "+nan", "na", "n/a", "null", "none"}:
            kind = f"missing (written {shown(text, 14)})"
        elif np.isnan(num.loc[line]):
            kind = f"not a number ({shown(text)})"
        else:
            kind = f"not finite ({shown(text)})"
        raise DataError(f"{at(path, line)}: the {what} is {kind}; {fix}.")
    return num


def check_in_scale(ratings: pd.Series, path, scale, fix: str) -> None:
    """A DataError naming ``path`` and the line of the first rating outside ``scale``."""
    outside = (ratings < scale[0]) | (ratings > scale[1])
    if outside.any():
        line = first_line(outside)
        raise DataError(f"{at(path, line)}: rating {ratings.loc[line]:g} lies outside the "
                        f"rating scale {scale[0]:g}-{scale[1]:g}; {fix}.")


_ISO_DATE = re.compile(r"\s*\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                       r"(Z|[+-]\d{2}:?\d{2})?)?\s*")


def parse_timestamps(values: pd.Series, path, fix: str) -> pd.Series:
    """``values`` as whole seconds since 1970 (nullable Int64, rounded): numbers, or ISO dates
    such as ``2020-01-02`` or ``2020-01-02T10:00:00+01:00`` (read as UTC when they name no
    zone) when the first value that is not a number is one; a DataError naming the line of
    the first one that is neither or lies beyond what a timestamp can be."""
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
        return _epoch_seconds(values, values, path, fix)
    failed = pd.to_numeric(values, errors="coerce").isna()
    if failed.any() and _ISO_DATE.fullmatch(str(values[failed].iloc[0])):
        return _epoch_seconds(values.astype(str).str.strip(), values, path, fix)
    num = parse_numbers(values, path, "timestamp", fix).round()
    beyond = num.abs() > 2**53          # past exact floats (and ~285 million years)
    if beyond.any():
        line = first_line(beyond)
        raise DataError(f"{at(path, line)}: the timestamp {shown(str(values.loc[line]).strip())} "
                        f"is out of range; timestamps are whole seconds since 1970: fix the "
                        f"{getattr(path, 'unit', 'line')}.")
    return num.astype("Int64")


def _epoch_seconds(dates: pd.Series, values: pd.Series, path, fix: str) -> pd.Series:
    if isinstance(dates.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dates):
        parsed = pd.Series(pd.to_datetime(dates, utc=True), index=dates.index)
        bad = parsed.isna()
    else:
        iso = dates.str.fullmatch(_ISO_DATE.pattern)
        parsed = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns, UTC]")
        if iso.any():
            parsed[iso] = pd.to_datetime(dates[iso], utc=True, format="ISO8601", errors="coerce")
        bad = parsed.isna()
    if bad.any():
        line = first_line(bad)
        raise DataError(f"{at(path, line)}: the timestamp {shown(str(values.loc[line]).strip())} "
                        f"is neither whole seconds since 1970 nor an ISO date (2020-01-02 or "
                        f"2020-01-02T10:00:00); {fix}.")
    seconds = (parsed - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
    return seconds.astype("Int64")


def require_fields(frame: pd.DataFrame, path, columns, fix: str) -> None:
    """A DataError naming the line of the first row where one of ``columns`` is empty
    (a field missing from a line cut short, or left blank)."""
    for col in columns:
        empty = frame[col] == ""
        if empty.any():
            raise DataError(f"{at(path, first_line(empty))}: the {col} field is missing or "
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


# -- the rules for ratings a user gives: a custom file, a DataFrame, a Dataset -----------------

def check_ratings(frame: pd.DataFrame, where: Origin, scale, duplicates: str = "error"):
    """``frame``'s ``user``, ``item``, ``rating`` (and ``timestamp`` when it has one), indexed by
    line (or row), checked by the one set of rules for ratings a user gives, and the rating
    scale (``scale``, or the ratings' min and max). Ids are strings with surrounding
    whitespace stripped (so ``" 1"`` and ``"1"`` are one id) and must not be empty; ratings
    finite numbers inside the scale; timestamps whole seconds or ISO dates; a repeated
    (user, item) pair is refused, naming its first repeat, unless ``duplicates`` (first, last,
    mean) says which rating to keep. Returns ``(ratings, scale)``."""
    if duplicates not in DUPLICATE_POLICIES:
        raise ConfigError(f"unknown duplicate policy {shown(duplicates)}; use "
                        f"{where.duplicates_option}.")
    out = pd.DataFrame({"user": clean_ids(frame["user"], where, "user"),
                        "item": clean_ids(frame["item"], where, "item")}, index=frame.index)
    out["rating"] = parse_numbers(frame["rating"], where, "rating", _numeric_fix("rating", where))
    if "timestamp" in frame:
        out["timestamp"] = parse_timestamps(frame["timestamp"], where,
                                            _numeric_fix("timestamp", where))
    scale = _checked_scale(out["rating"], where, scale)
    return _apply_duplicates(out, where, duplicates), scale


def _numeric_fix(what: str, where: Origin) -> str:
    if where.unit == "line":
        return (f"every row needs a numeric {what} (a line cut short lacks it; check --sep and "
                f"--{what}-col)")
    return f"every row needs a numeric {what}"


def clean_ids(col: pd.Series, where: Origin, what: str) -> pd.Series:
    """Ids as strings with surrounding whitespace stripped (integer ids stay integers: they
    have none); a DataError naming the first row whose id is missing or empty."""
    if pd.api.types.is_integer_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
        return col
    missing = col.isna()
    if missing.any():
        raise DataError(f"{where.at(first_line(missing))}: the {what} id is missing; every "
                        f"row needs a {what} id.")
    text = col.astype(str)
    stripped = text.str.strip()
    blank = stripped == ""
    if blank.any():
        raise DataError(f"{where.at(first_line(blank))}: the {what} id is empty; every row "
                        f"needs a {what} id.")
    return stripped


def _checked_scale(ratings: pd.Series, where: Origin, scale):
    lo, hi = ratings.min(), ratings.max()
    if scale is None:
        if lo == hi:
            raise DataError(f"{where}: every rating is {lo:g}, so no rating scale can be "
                            f"inferred; pass {where.scale_option.format(low='LOW', high='HIGH')} "
                            f"(e.g. {where.scale_option.format(low=1, high=5)}).")
        return (float(lo), float(hi))
    check_in_scale(ratings, where, scale, "fix the " + where.unit + " or pass " +
                   where.scale_option.format(low=f"{min(lo, scale[0]):g}",
                                             high=f"{max(hi, scale[1]):g}"))
    return scale


def _apply_duplicates(frame: pd.DataFrame, where: Origin, policy: str) -> pd.DataFrame:
    dup = frame.duplicated(["user", "item"], keep="first")
    if not dup.any():
        return frame
    if policy == "error":
        line = first_line(dup)
        user, item = frame.at[line, "user"], frame.at[line, "item"]
        raise DataError(f"{where.at(line)}: user {shown(user)} rated item {shown(item)} again ({int(dup.sum())} duplicate (user, item) "
                        f"rows in all); keep one rating per pair, or pass "
                        f"{where.duplicates_option} to choose which to keep.")
    if policy in ("first", "last"):
        return frame[~frame.duplicated(["user", "item"], keep=policy)]
    agg = {"rating": "mean"} | ({"timestamp": "max"} if "timestamp" in frame else {})
    return frame.groupby(["user", "item"], sort=False, as_index=False).agg(agg)


def check_dataset(ds) -> None:
    """The rules of :func:`check_ratings` for a :class:`Dataset` built elsewhere (its
    ratings already coded): ids not empty and not differing only by surrounding whitespace,
    ratings finite inside its scale, one rating per (user, item) pair."""
    where = Origin(f"the Dataset {ds.name!r}", "rating row", "rating_scale=({low}, {high})",
                   "a Dataset with one rating per pair (e.g. drop_duplicates(['user', 'item']) "
                   "on its ratings before building it)")
    r = ds.ratings.reset_index(drop=True)
    for what in ("user", "item"):
        col = r[what]
        ids = pd.Index(col.cat.categories if isinstance(col.dtype, pd.CategoricalDtype)
                       else col.dropna().unique()).astype(str)
        stripped = ids.str.strip()
        if (stripped == "").any():
            bad = ids[np.flatnonzero(stripped == "")[0]]
            line = first_line(col.astype(str) == bad)
            raise DataError(f"{where.at(line)}: the {what} id is empty ({shown(bad)}); every "
                            f"rating needs a {what} id.")
        if not stripped.is_unique:
            twin = stripped[stripped.duplicated()][0]
            pair = ids[stripped == twin]
            raise DataError(f"{where}: the {what} ids {shown(pair[0])} and {shown(pair[1])} "
                            f"differ only by surrounding whitespace; strip the ids before "
                            f"building the Dataset.")
        if col.isna().any():
            raise DataError(f"{where.at(first_line(col.isna()))}: the {what} id is missing; "
                            f"every rating needs a {what} id.")
    values = pd.Series(r["rating"].to_numpy(dtype=float))
    bad = ~np.isfinite(values)
    if bad.any():
        raise DataError(f"{where.at(first_line(bad))}: the rating is not a finite number; "
                        f"every rating must be one.")
    check_in_scale(values, where, ds.rating_scale, f"fix the rating or the Dataset's "
                   f"rating_scale {ds.rating_scale}")
    codes = [r[c].cat.codes.to_numpy(np.int64) if isinstance(r[c].dtype, pd.CategoricalDtype)
             else pd.factorize(r[c])[0] for c in ("user", "item")]
    if pd.Series(codes[0] * (int(codes[1].max(initial=0)) + 1) + codes[1]).duplicated().any():
        _apply_duplicates(r, where, "error")        # names the first repeat
