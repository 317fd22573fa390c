"""Prediction files of systems run elsewhere, as ``recbench eval`` reads them.

Formats, by file name:

- ``*.parquet``, or a pandas DataFrame: columns ``user``, ``item`` and at least one of
  ``prediction`` (a rating prediction), ``score`` (a ranking score, higher = better) and
  ``rank`` (1 = first); optionally ``algorithm`` and ``fold``. recbench's own
  ``recommendations.parquet`` is such a file.
- ``*.trec``: TREC run lines ``qid Q0 docno rank score tag``, qid ``<fold>:<user>`` (as
  recbench writes them) or ``<user>``.
- anything else: delimited text with a header line naming the columns as above; the
  separator is the first of tab, comma, semicolon and ``|`` found in that line (else a space).

A ``prediction`` column gives rating predictions; a ``score`` column a ranking by score; a
``rank`` column without a score a ranking by rank (score = -rank). With an ``algorithm``
column only the rows of the system's label are read, with a ``fold`` column (or a
``<fold>:`` qid) only those of the fold evaluated. Every problem is one DataError naming the
file and the line (the row, for parquet files and DataFrames).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recbench.datasets.reading import file_kind_error, read_table, sha256_file
from recbench.errors import DataError

VALUES = ("prediction", "score", "rank")
FIX = "fix the line; a prediction file has a header naming user, item and prediction, score or rank"


@dataclass(frozen=True)
class PredictionFile:
    name: str                          # the path, or "DataFrame <label>"
    sha256: str
    ratings: pd.DataFrame | None       # user, item, prediction
    ranking: pd.DataFrame | None       # user, item, score
    rows: int                          # rows read (after the label and fold filters)

    def info(self) -> dict:
        gives = [p for p, part in (("rating predictions", self.ratings),
                                   ("ranking", self.ranking)) if part is not None]
        return {"file": self.name, "sha256": self.sha256, "rows": self.rows, "gives": gives}


def read_predictions(source, label: str, fold: str) -> PredictionFile:
    """One prediction file (a path) or DataFrame, for system ``label`` on ``fold``."""
    if isinstance(source, pd.DataFrame):
        name = f"DataFrame {label}"
        raw, where = _numbered(source), "row"
        digest = hashlib.sha256(source.to_csv(index=False).encode()).hexdigest()
    else:
        path = Path(source)
        if path.is_dir():
            raise DataError(f"{path} is a folder; give LABEL=PATH with the path of a prediction "
                            f"file.")
        problem = file_kind_error(path, "LABEL=PATH", "a prediction file")
        if problem:
            raise DataError(problem)
        name, digest = str(path), sha256_file(path)
        if path.suffix.lower() == ".parquet":
            raw, where = _parquet(path), "row"
        elif path.suffix.lower() == ".trec":
            raw, where = _trec(path), "line"
        else:
            raw, where = _text(path), "line"
    return _parse(raw, name, digest, where, label, fold)


def _numbered(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [str(c).strip().lower() for c in out.columns]
    out.index = np.arange(1, len(out) + 1)
    return out


def _parquet(path: Path) -> pd.DataFrame:
    try:
        return _numbered(pd.read_parquet(path, engine="pyarrow"))
    except Exception as exc:              # any unreadable file is one sentence
        raise DataError(f"{path} cannot be read as a parquet file ({type(exc).__name__}: "
                        f"{exc}).") from None


def _trec(path: Path) -> pd.DataFrame:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError) as exc:
        raise DataError(f"{path} cannot be read as UTF-8 text ({exc}).") from None
    fields = pd.Series(lines, index=np.arange(1, len(lines) + 1)).str.split()
    fields = fields[fields.str.len() > 0]
    bad = fields.str.len() != 6
    if bad.any():
        line = int(fields.index[np.flatnonzero(bad.to_numpy())[0]])
        raise DataError(f"{path}, line {line}: a TREC run line has 6 fields (qid Q0 docno rank "
                        f"score tag), this one has {len(fields.loc[line])}; fix the line.")
    table = pd.DataFrame(fields.tolist(), index=fields.index,
                         columns=["qid", "q0", "item", "rank", "score", "tag"])
    fold_user = table["qid"].str.split(":", n=1, expand=True)
    if fold_user.shape[1] == 2:
        has_fold = fold_user[1].notna()
        table["fold"] = fold_user[0].where(has_fold)
        table["user"] = fold_user[1].where(has_fold, table["qid"])
    else:
        table["user"] = table["qid"]
    return table


def _text(path: Path) -> pd.DataFrame:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            first = next((line for line in fh if line.strip()), "")
    except (OSError, UnicodeError) as exc:
        raise DataError(f"{path} cannot be read as UTF-8 text ({exc}).") from None
    if not first:
        raise DataError(f"{path} is empty; {FIX}.")
    sep = next((c for c in "\t,;|" if c in first), " ")
    raw = read_table(path, sep, FIX, header=True, encoding="utf-8-sig")
    raw.columns = [str(c).strip().strip('"').lower() for c in raw.columns]
    return raw


def _parse(raw, name, digest, where, label, fold) -> PredictionFile:
    for col in ("user", "item"):
        if col not in raw.columns:
            raise DataError(f"{name} has no {col!r} column (columns: "
                            f"{', '.join(map(str, raw.columns))}); {FIX}.")
    given = [c for c in VALUES if c in raw.columns]
    if not given:
        raise DataError(f"{name} has none of the columns prediction, score and rank (columns: "
                        f"{', '.join(map(str, raw.columns))}); name the column that holds the "
                        f"values in the header.")
    raw = _only(raw, name, "algorithm", label, "name the system LABEL=PATH after one of them")
    raw = _only(raw, name, "fold", fold, "evaluate that fold (--split)")
    users, items = raw["user"].astype(str).str.strip(), raw["item"].astype(str).str.strip()
    for col, ids in (("user", users), ("item", items)):
        empty = (ids == "") | raw[col].isna()
        if empty.any():
            raise DataError(f"{name}, {where} {_first(empty)}: the {col} id is empty; every "
                            f"row needs a user and an item.")
    dup = pd.DataFrame({"u": users, "i": items}).duplicated()
    if dup.any():
        line = _first(dup)
        raise DataError(f"{name}, {where} {line}: user {users.loc[line]!r} and item "
                        f"{items.loc[line]!r} are listed again; give each pair once.")
    numbers = {c: _numbers(raw[c], name, where, c) for c in given}
    if "rank" in numbers:
        r = numbers["rank"]
        bad = (r < 1) | (r != np.floor(r))
        if bad.any():
            line = _first(bad)
            raise DataError(f"{name}, {where} {line}: rank {raw['rank'].loc[line]} is not a "
                            f"whole number >= 1; ranks start at 1.")
    ratings = ranking = None
    if "prediction" in numbers:
        ratings = pd.DataFrame({"user": users.to_numpy(), "item": items.to_numpy(),
                                "prediction": numbers["prediction"].to_numpy(float)})
    if "score" in numbers or "rank" in numbers:
        score = numbers["score"] if "score" in numbers else -numbers["rank"]
        ranking = pd.DataFrame({"user": users.to_numpy(), "item": items.to_numpy(),
                                "score": score.to_numpy(float)})
    return PredictionFile(name, digest, ratings, ranking, int(len(raw)))


def _only(raw, name, column, value, fix):
    if column not in raw.columns:
        return raw
    have = raw[column]
    keep = have.astype(str).str.strip().str.lower() == str(value).lower()
    if have.isna().all() and column == "fold":        # TREC qids without a fold prefix
        return raw
    if not keep.any():
        shown = ", ".join(sorted(have.dropna().astype(str).unique())[:10])
        raise DataError(f"{name}: no row has {column} {value!r} (it holds: {shown}); {fix}.")
    return raw[keep]


def _numbers(values: pd.Series, name, where, what) -> pd.Series:
    if np.iscomplexobj(values.to_numpy()):         # a complex column of a parquet file
        imaginary = pd.Series(np.imag(values.to_numpy()) != 0, index=values.index)
        if imaginary.any():
            line = _first(imaginary)
            raise DataError(f"{name}, {where} {line}: the {what} {values.loc[line]} is a "
                            f"complex number; give real numbers.")
        values = pd.Series(np.real(values.to_numpy()), index=values.index)
    num = pd.to_numeric(values, errors="coerce").astype(float)
    bad = pd.Series(~np.isfinite(num.to_numpy(dtype=float, na_value=np.nan)), index=values.index)
    if bad.any():
        line = _first(bad)
        text = str(values.loc[line]).strip()
        kind = ("a complex number; give real numbers" if _complex(text)
                else f"not a finite number; {FIX}")
        raise DataError(f"{name}, {where} {line}: the {what} {text[:40]!r} is {kind}.")
    return num


def _complex(text: str) -> bool:
    """Whether ``text`` reads as a complex number with an imaginary part, e.g. '1+2j'."""
    try:
        return complex(text.replace(" ", "")).imag != 0
    except ValueError:
        return False


def _first(mask: pd.Series) -> int:
    """The line (index) of the first True."""
    return int(mask.index[np.flatnonzero(mask.to_numpy(dtype=bool))[0]])
