"""Data options (dataset, data folder and the custom rating file's CSV options)."""

from __future__ import annotations

import argparse
import re

from recbench.cli.preprocessing import add_preprocess_options
from recbench.datasets import CsvOptions
from recbench.datasets.scale import parse_scale
from recbench.errors import ConfigError


def add_data_options(p: argparse.ArgumentParser, preprocess: bool = False) -> None:
    g = p.add_argument_group("data")
    g.add_argument("--dataset",
                   help="ml-latest-small (default, embedded), ml-100k, or a rating file path")
    g.add_argument("--data-dir", help="folder holding dataset folders, e.g. DIR/ml-100k/u.data "
                                      "(default: $RECBENCH_DATA_DIR)")
    g.add_argument("--sep", help="custom file: field separator (default: sniffed)")
    g.add_argument("--user-col", default="user", help="custom file: user column name or position")
    g.add_argument("--item-col", default="item", help="custom file: item column name or position")
    g.add_argument("--rating-col", default="rating", help="custom file: rating column")
    g.add_argument("--timestamp-col", default="timestamp", help="custom file: timestamp column")
    g.add_argument("--header", choices=["auto", "yes", "no"], default="auto",
                   help="custom file: whether the first line is a header")
    g.add_argument("--rating-scale", help="custom file: LOW,HIGH, e.g. 1,5 or -3,3 (default: "
                                          "inferred from data)")
    g.add_argument("--duplicates", choices=["error", "first", "last", "mean", "count"],
                   help="custom file: what to do with repeated (user, item) rows (default: "
                        "error for ratings, count for interactions)")
    g.add_argument("--feedback", choices=["explicit", "interactions"],
                   help="custom file: ratings, or a log of (user, item) interactions (default: "
                        "interactions when the header names no rating column)")
    g.add_argument("--weight-col", help="interactions: a weight column (plays, clicks, counts)")
    g.add_argument("--encoding", default="utf-8", help="custom file: text encoding")
    g.add_argument("--items", help="custom file: item metadata file")
    g.add_argument("--item-id-col", default="item", help="item file: id column")
    g.add_argument("--item-text-cols", default="title,genres", help="item file: text columns")
    if preprocess:
        add_preprocess_options(p)


_NEGATIVE_PAIR = re.compile(r"-\s*[\d.]+(e[+-]?\d+)?\s*,.*", re.IGNORECASE)


def attach_negative_values(argv: list[str]) -> list[str]:
    """``argv`` with ``--rating-scale -3,3`` written as ``--rating-scale=-3,3``: argparse
    takes a value starting with ``-`` that is not a plain number for an option."""
    out, i = [], 0
    while i < len(argv):
        if (argv[i] == "--rating-scale" and i + 1 < len(argv)
                and _NEGATIVE_PAIR.fullmatch(argv[i + 1])):
            out.append(f"--rating-scale={argv[i + 1]}")
            i += 2
            continue
        if argv[i] == "--":
            return out + argv[i:]
        out.append(argv[i])
        i += 1
    return out


def csv_options(args, from_file: dict | None = None) -> CsvOptions:
    """Custom-file options from the command line; an experiment file's ``[csv]`` table
    fills in the ones the command line leaves at their defaults."""
    if from_file:
        args = argparse.Namespace(**vars(args))
        for key, value in from_file.items():
            if key == "item_text_cols" and isinstance(value, list):
                value = ",".join(value)
            if key == "rating_scale" and isinstance(value, list):
                value = ",".join(str(v) for v in value)
            if key == "header" and isinstance(value, bool):
                value = "yes" if value else "no"
            if key == "items":
                value = str(value)
            default = _DEFAULTS.get(key)
            if getattr(args, key, None) in (None, default):
                setattr(args, key, value)
    scale = parse_scale(args.rating_scale) if args.rating_scale else None
    return CsvOptions(
        sep=_separator(args.sep) if args.sep is not None else None,
        user_col=args.user_col, item_col=args.item_col, rating_col=args.rating_col,
        timestamp_col=args.timestamp_col,
        header={"auto": None, "yes": True, "no": False}[args.header],
        rating_scale=scale, duplicates=args.duplicates, encoding=args.encoding,
        items_path=args.items, item_id_col=args.item_id_col,
        item_text_cols=tuple(c.strip() for c in args.item_text_cols.split(",") if c.strip()),
        feedback=args.feedback, weight_col=args.weight_col,
    )


_DEFAULTS = {"user_col": "user", "item_col": "item", "rating_col": "rating",
             "timestamp_col": "timestamp", "header": "auto", "duplicates": None,
             "encoding": "utf-8", "item_id_col": "item", "item_text_cols": "title,genres"}


def _separator(text: str) -> str:
    """``--sep`` with escapes such as ``\\t`` read as the characters they name."""
    try:
        return text.encode().decode("unicode_escape")
    except UnicodeDecodeError:
        raise ConfigError(f"--sep {text!r} is malformed; give the separator itself or an escape "
                          f"such as '\\t' for a tab.") from None
