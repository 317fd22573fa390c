"""Custom rating files (CSV/TSV) with strict, line-precise validation.

Every problem is one sentence naming the file and, where it is about a row, the 1-based line:
an unreadable or undecodable file, a line with more fields than the header, a missing or
non-numeric or infinite rating, a rating outside ``--rating-scale``, an empty id, a duplicate
(user, item) pair. Invalid options (an empty or non-finite scale, an unknown encoding or
duplicate policy) are a ConfigError naming the option.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recbench.datasets.checks import DUPLICATE_POLICIES, Origin, check_ratings, shown
from recbench.datasets.dataset import Dataset, make_dataset
from recbench.datasets.reading import read_rating_bytes, read_table
from recbench.datasets.scale import parse_scale
from recbench.errors import ConfigError, DataError

HEAD_BYTES = 65536          # what separator and header detection look at


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


def read_custom(path: str | Path, opts: CsvOptions | None = None,
                option: str = "--dataset") -> Dataset:
    """A rating file; ``option`` (--dataset, --train, --test) is named in its errors."""
    opts = opts or CsvOptions()
    scale = _check_options(opts)
    path = Path(path)
    raw, digest = _read_table(path, opts, option=option)
    frame = pd.DataFrame({
        "user": _column(raw, path, opts.user_col, "--user-col", 0),
        "item": _column(raw, path, opts.item_col, "--item-col", 1),
        "rating": _column(raw, path, opts.rating_col, "--rating-col", 2),
    })
    ts = _optional_column(raw, path, opts.timestamp_col, 3)
    if ts is not None:
        frame["timestamp"] = ts
    frame, scale = check_ratings(frame, Origin(str(path)), scale, opts.duplicates)
    items = read_items(opts) if opts.items_path else None
    name = Path(path.name.removesuffix(".gz")).stem
    return make_dataset(name, frame, items, scale, path.resolve(), digest)


def _check_options(opts: CsvOptions):
    """The rating scale as two floats (or None); a ConfigError naming a bad option."""
    if opts.duplicates not in DUPLICATE_POLICIES:
        raise ConfigError(f"unknown duplicate policy {opts.duplicates!r}; use --duplicates "
                          f"{'|'.join(DUPLICATE_POLICIES)}.")
    if opts.sep is not None and (not isinstance(opts.sep, str) or opts.sep in ("\n", "\r", "")):
        raise ConfigError(f"--sep {opts.sep!r} is not a field separator; give one such as "
                          f"--sep , or --sep '\\t'.")
    try:
        codecs.lookup(opts.encoding)
    except (LookupError, TypeError):
        raise ConfigError(f"--encoding {opts.encoding!r} is not a known text encoding; give "
                          f"one such as utf-8 or latin-1.") from None
    for option, value in (("--user-col", opts.user_col), ("--item-col", opts.item_col),
                          ("--rating-col", opts.rating_col), ("--item-id-col", opts.item_id_col)):
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ConfigError(f"{option} {value!r} must be a column name or 0-based position.")
    roles = {"--user-col": opts.user_col, "--item-col": opts.item_col,
             "--rating-col": opts.rating_col}
    if opts.timestamp_col is not None:
        roles["--timestamp-col"] = opts.timestamp_col
    seen: dict = {}
    for option, value in roles.items():
        if str(value) in seen:
            raise ConfigError(f"{seen[str(value)]} and {option} both name column {value!r}; "
                              f"give each role its own column.")
        seen[str(value)] = option
    return parse_scale(opts.rating_scale)


def _encoding(name: str) -> str:
    """utf-8 is read as utf-8-sig: the same, except that a leading byte-order mark is dropped."""
    return "utf-8-sig" if codecs.lookup(name).name == "utf-8" else name


def _head(path: Path, data: bytes, encoding: str) -> str:
    """The first ``HEAD_BYTES`` bytes of ``data`` as text (a character cut at the end is left
    out)."""
    data = data[:HEAD_BYTES]
    try:
        return codecs.getincrementaldecoder(encoding)().decode(data, final=len(data) < HEAD_BYTES)
    except UnicodeError as exc:     # UnicodeDecodeError, or e.g. utf-16 without its BOM
        where = f"byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else str(exc)
        if b"\x00" in data:
            raise DataError(f"{path} holds binary data (NUL bytes), not delimited text; give a "
                            f"CSV/TSV rating file (or, for UTF-16 text without a byte-order "
                            f"mark, pass --encoding utf-16-le).") from None
        raise DataError(f"{path} is not valid {encoding.removesuffix('-sig')} text ({where}); "
                        f"pass --encoding with the file's encoding, e.g. --encoding "
                        f"latin-1.") from None


def _read_table(path: Path, opts: CsvOptions, min_columns: int = 3,
                what: str = "user, item and rating", option: str = "--dataset",
                row: str = "one rating per line (user, item, rating)"):
    """The file's fields as strings, indexed by line, and the SHA-256 of the bytes parsed."""
    data, digest = read_rating_bytes(path, option, opts.encoding,
                                     "an item file" if option == "--items" else "a rating file")
    encoding = _encoding(opts.encoding)
    head = _head(path, data, encoding)
    if not head.strip():
        raise DataError(f"{path} is empty; it needs {row}.")
    lines = _lines(head)
    skip = next(n for n, line in enumerate(lines) if line.strip())   # leading blank lines
    head = "\n".join(lines[skip:])
    sep = opts.sep or _sniff(head)
    header = opts.header if opts.header is not None else _looks_like_header(head, sep, opts)
    raw = read_table(path, sep, f"fix that line, or pass --sep with the file's separator if "
                     f"it is not {sep!r}", header=bool(header), encoding=encoding, skip=skip,
                     data=data)
    if raw.empty:
        raise DataError(f"{path} holds a header but no ratings." if header else
                        f"{path} holds no ratings.")
    if raw.shape[1] < min_columns:
        first = shown(lines[skip])
        if raw.shape[1] == 1:       # most likely the wrong separator
            raise DataError(f"{path}: found 1 column(s) with separator {sep!r} (first line: "
                            f"{first}); the file needs {what} columns: pass --sep with the "
                            f"file's separator.")
        raise DataError(f"{path}: found only {raw.shape[1]} columns (first line: {first}); "
                        f"the file needs {what} columns: add the missing one(s).")
    return raw, digest


def _lines(text: str) -> list[str]:
    """Lines as the parser splits them (\\n, \\r\\n or \\r; not str.splitlines' others)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _sniff(head: str) -> str:
    try:
        return csv.Sniffer().sniff("\n".join(_lines(head)[:20]), delimiters=",\t;| ").delimiter
    except csv.Error:
        return ","


def _looks_like_header(head: str, sep: str, opts: CsvOptions) -> bool:
    first = _lines(head)[0].split(sep)
    names = {str(opts.user_col), str(opts.item_col), str(opts.rating_col)}
    if names & {f.strip().strip('"') for f in first}:
        return True
    try:
        float(first[2] if len(first) > 2 else "x")
        return False
    except ValueError:
        return True


def _position(spec) -> int | None:
    spec = str(spec)
    return int(spec) if spec.isascii() and spec.isdigit() else None


def _column(raw: pd.DataFrame, path: Path, spec, option: str, default: int) -> pd.Series:
    if spec in raw.columns:
        return raw[spec]
    pos = _position(spec)
    if pos is None and isinstance(raw.columns[0], (int, np.integer)):
        pos = default   # a headerless file: fall back to the conventional position
    if pos is not None and pos < raw.shape[1]:
        return raw.iloc[:, pos]
    raise DataError(f"{path} has no column {shown(spec) if isinstance(spec, str) else repr(spec)} (columns: {_names(raw)}); "
                    f"pass {option} with the right column name or 0-based position.")


def _names(raw: pd.DataFrame, most: int = 8) -> str:
    """The columns as a message lists them: each shown escaped and cut, at most ``most``."""
    names = [shown(c, 30) if isinstance(c, str) else str(c) for c in raw.columns[:most]]
    more = len(raw.columns) - most
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _optional_column(raw: pd.DataFrame, path: Path, spec, default: int):
    """The timestamp column: the default name "timestamp" is used when present (or the
    conventional position in a headerless file); a name or position given explicitly must
    exist."""
    if spec is None:
        return None
    if spec in raw.columns:
        return raw[spec]
    headerless = isinstance(raw.columns[0], (int, np.integer))
    if spec == "timestamp":
        return raw.iloc[:, default] if headerless and raw.shape[1] > default else None
    pos = _position(spec)
    if pos is not None and pos < raw.shape[1]:
        return raw.iloc[:, pos]
    raise DataError(f"{path} has no column {shown(spec) if isinstance(spec, str) else repr(spec)} (columns: {_names(raw)}); pass --timestamp-col "
                    f"(timestamp_col in [csv]) with the right column name or 0-based position, "
                    f"or leave it out.")


def read_items(opts: CsvOptions) -> pd.DataFrame:
    """Item metadata: one row per item id; the text columns are joined into ``text``."""
    path = Path(opts.items_path)
    raw, _ = _read_table(path, CsvOptions(header=True, encoding=opts.encoding),
                      min_columns=2, what="an item id and text", option="--items",
                      row="a header, then one item per line (id and text)")
    ids = _column(raw, path, opts.item_id_col, "--item-id-col", 0)
    text_cols = [_column(raw, path, c, "--item-text-cols", 1) for c in opts.item_text_cols]
    items = pd.DataFrame(index=pd.Index(ids.to_numpy(), name="item"))
    for name, col in zip(opts.item_text_cols, text_cols):
        items[name] = col.to_numpy()
    joined = [" ".join(v.replace("|", " ") for v in vals)
              for vals in zip(*(c.to_numpy() for c in text_cols))] if text_cols else ""
    items["text"] = pd.Series(joined, index=items.index, dtype=str).str.strip()
    return items[~items.index.duplicated()]
