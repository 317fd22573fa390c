"""Custom rating files (CSV/TSV) with strict, line-precise validation."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recbench.datasets.dataset import Dataset, make_dataset, sha256_file
from recbench.errors import DataError

DUPLICATE_POLICIES = ("error", "first", "last", "mean")


@dataclass
class CsvOptions:
    """How to read a custom rating file. Column options take a name or a 0-based position."""

    sep: str | None = None            # None: sniffed from the first lines
    user_col: str = "user"
    item_col: str = "item"
    rating_col: str = "rating"
    timestamp_col: str | None = "timestamp"   # optional: used when present
    header: bool | None = None        # None: detected (first row's rating is not a number)
    rating_scale: tuple[float, float] | None = None   # None: inferred from the data
    duplicates: str = "error"
    encoding: str = "utf-8"
    items_path: str | None = None
    item_id_col: str = "item"
    item_text_cols: tuple[str, ...] = ("title", "genres")


def read_custom(path: str | Path, opts: CsvOptions | None = None) -> Dataset:
    opts = opts or CsvOptions()
    path = Path(path)
    raw = _read_table(path, opts)
    frame = pd.DataFrame({
        "user": _column(raw, path, opts.user_col, "--user-col", 0),
        "item": _column(raw, path, opts.item_col, "--item-col", 1),
    })
    frame["rating"] = _numbers(_column(raw, path, opts.rating_col, "--rating-col", 2),
                               path, "rating")
    ts = _optional_column(raw, opts.timestamp_col, 3)
    if ts is not None:
        frame["timestamp"] = _numbers(ts, path, "timestamp").round().astype("Int64")
    for col in ("user", "item"):
        blank = frame[col].str.strip() == ""
        if blank.any():
            raise DataError(f"{path}, line {_line(frame, blank)}: the {col} id is "
                            f"empty; every row needs a {col} id.")
    scale = _check_scale(frame, path, opts.rating_scale)
    frame = _apply_duplicates(frame, path, opts.duplicates)
    items = read_items(opts) if opts.items_path else None
    return make_dataset(path.stem, frame, items, scale, path.resolve(), sha256_file(path))


def _read_table(path: Path, opts: CsvOptions, min_columns: int = 3,
                what: str = "user, item and rating") -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path} does not exist; check the path given to --dataset.")
    try:
        head = path.read_bytes()[:65536].decode(opts.encoding)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not valid {opts.encoding} text (byte {exc.start}); "
                        f"pass --encoding with the file's encoding, e.g. --encoding latin-1.") from None
    if not head.strip():
        raise DataError(f"{path} is empty; it needs one rating per line (user, item, rating).")
    sep = opts.sep or _sniff(head)
    opts.sep = sep
    if opts.header is None:
        opts.header = _looks_like_header(head, sep, opts)
    try:
        raw = pd.read_csv(path, sep=sep, header=0 if opts.header else None, dtype=str,
                          keep_default_na=False, skip_blank_lines=False, encoding=opts.encoding,
                          engine="python" if len(sep) > 1 else "c")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not valid {opts.encoding} text; pass --encoding with the "
                        f"file's encoding, e.g. --encoding latin-1.") from exc
    except pd.errors.ParserError as exc:
        raise DataError(f"{path} could not be parsed with separator {sep!r} ({exc}); "
                        f"pass --sep with the file's separator.") from None
    raw.index = raw.index + (2 if opts.header else 1)   # index = 1-based line number
    raw = raw[~(raw == "").all(axis=1)]
    if raw.empty:
        raise DataError(f"{path} holds a header but no ratings.")
    if raw.shape[1] < min_columns:
        raise DataError(f"{path}: found {raw.shape[1]} column(s) with separator {sep!r} "
                        f"(first line: {head.splitlines()[0][:60]!r}); the file needs {what} "
                        f"columns: pass --sep with the file's separator.")
    return raw


def _sniff(head: str) -> str:
    try:
        return csv.Sniffer().sniff("\n".join(head.splitlines()[:20]), delimiters=",\t;| ").delimiter
    except csv.Error:
        return ","


def _looks_like_header(head: str, sep: str, opts: CsvOptions) -> bool:
    first = head.splitlines()[0].split(sep)
    names = {opts.user_col, opts.item_col, opts.rating_col}
    if names & {f.strip().strip('"') for f in first}:
        return True
    try:
        float(first[2] if len(first) > 2 else "x")
        return False
    except ValueError:
        return True


def _position(spec: str) -> int | None:
    return int(spec) if str(spec).isdigit() else None


def _column(raw: pd.DataFrame, path: Path, spec: str, option: str, default: int) -> pd.Series:
    if spec in raw.columns:
        return raw[spec]
    pos = _position(spec)
    if pos is None and isinstance(raw.columns[0], (int, np.integer)):
        pos = default   # a headerless file: fall back to the conventional position
    if pos is not None and pos < raw.shape[1]:
        return raw.iloc[:, pos]
    names = ", ".join(map(str, raw.columns))
    raise DataError(f"{path} has no column {spec!r} (columns: {names}); "
                    f"pass {option} with the right column name or 0-based position.")


def _optional_column(raw: pd.DataFrame, spec: str | None, default: int):
    if spec is None:
        return None
    if spec in raw.columns:
        return raw[spec]
    if isinstance(raw.columns[0], (int, np.integer)) and raw.shape[1] > default:
        return raw.iloc[:, default]
    return None


def _line(frame, mask) -> int:
    return int(frame.index[np.flatnonzero(np.asarray(mask))[0]])


def _numbers(values: pd.Series, path: Path, what: str) -> pd.Series:
    num = pd.to_numeric(values.str.strip(), errors="coerce")
    bad = num.isna() | ~np.isfinite(num.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        line = _line(values, bad)
        shown = values.loc[line]
        kind = "missing" if shown.strip() == "" or shown.strip().lower() in {"nan", "na"} else \
            f"not a number ({shown!r})"
        raise DataError(f"{path}, line {line}: the {what} is {kind}; every row needs a numeric "
                        f"{what} (check --sep and --{what}-col).")
    return num.astype(float)


def _check_scale(frame, path, scale):
    lo, hi = frame["rating"].min(), frame["rating"].max()
    if scale is None:
        return (float(lo), float(hi))
    if scale[0] >= scale[1]:
        raise DataError(f"--rating-scale {scale[0]:g},{scale[1]:g} is empty; give LOW,HIGH with LOW < HIGH.")
    outside = (frame["rating"] < scale[0]) | (frame["rating"] > scale[1])
    if outside.any():
        line = _line(frame, outside)
        raise DataError(f"{path}, line {line}: rating {frame['rating'].loc[line]:g} lies outside "
                        f"the rating scale {scale[0]:g}-{scale[1]:g}; fix the row or pass "
                        f"--rating-scale {min(lo, scale[0]):g},{max(hi, scale[1]):g}.")
    return (float(scale[0]), float(scale[1]))


def _apply_duplicates(frame, path, policy):
    if policy not in DUPLICATE_POLICIES:
        raise DataError(f"unknown duplicate policy {policy!r}; use one of {', '.join(DUPLICATE_POLICIES)}.")
    dup = frame.duplicated(["user", "item"], keep="first")
    if not dup.any():
        return frame
    if policy == "error":
        line = _line(frame, dup)
        row = frame.loc[line]
        raise DataError(f"{path}, line {line}: user {row['user']!r} rated item {row['item']!r} "
                        f"again ({int(dup.sum())} duplicate (user, item) rows in all); pass "
                        f"--duplicates first|last|mean to choose which rating to keep.")
    if policy in ("first", "last"):
        return frame[~frame.duplicated(["user", "item"], keep=policy)]
    agg = {"rating": "mean"} | ({"timestamp": "max"} if "timestamp" in frame else {})
    return frame.groupby(["user", "item"], sort=False, as_index=False).agg(agg)


def read_items(opts: CsvOptions) -> pd.DataFrame:
    """Item metadata: one row per item id; the text columns are joined into ``text``."""
    path = Path(opts.items_path)
    raw = _read_table(path, CsvOptions(header=True, encoding=opts.encoding),
                      min_columns=2, what="an item id and text")
    ids = _column(raw, path, opts.item_id_col, "--item-id-col", 0)
    text_cols = [_column(raw, path, c, "--item-text-cols", 1) for c in opts.item_text_cols]
    items = pd.DataFrame(index=pd.Index(ids.to_numpy(), name="item"))
    for name, col in zip(opts.item_text_cols, text_cols):
        items[name] = col.to_numpy()
    items["text"] = pd.Series([" ".join(v.replace("|", " ") for v in vals)
                               for vals in zip(*(c.to_numpy() for c in text_cols))],
                              index=items.index).str.strip()
    return items[~items.index.duplicated()]
