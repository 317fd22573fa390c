"""Recommendation lists in a run folder: ``recommendations.parquet`` (always, when kept) and,
on request, one TREC run file per algorithm, ``recommendations-<algorithm>.trec``.

The parquet file has the columns ``algorithm, fold, user, item, rank, score`` with the
original string ids, ranks 1-based and the raw (unclipped) scores, in recbench's ranking
order. A TREC line is ``qid Q0 docno rank score run_tag`` with ``qid = <fold>:<user>``,
``docno`` the item and ``run_tag`` the algorithm; scores are written with every digit
(``repr``), so they read back exactly. TREC tools (trec_eval, ranx) order a run by its
scores and break ties their own way (trec_eval: by docno); where an algorithm gives equal
scores, recbench's order - ties broken by the protocol's seeded keys - is in the ``rank``
column and in the parquet file.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from recbench.errors import ConfigError, DataError
from recbench.evaluation.recommendations import COLUMNS
from recbench.reporting.layout import shortened

PARQUET = "recommendations.parquet"
_SPACE = re.compile(r"\s")


def parquet_bytes(recs: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame = recs[COLUMNS].astype({"algorithm": str, "fold": str, "user": str, "item": str,
                                  "rank": np.int64, "score": np.float64})
    frame.to_parquet(buf, index=False, engine="pyarrow")
    return buf.getvalue()


def canonical(recs: pd.DataFrame | None) -> pd.DataFrame | None:
    """The lists exactly as ``recommendations.parquet`` gives them back."""
    if recs is None:
        return None
    return pd.read_parquet(io.BytesIO(parquet_bytes(recs)), engine="pyarrow")


def read(folder: Path) -> pd.DataFrame | None:
    path = Path(folder) / PARQUET
    if not path.is_file():
        return None
    try:
        recs = pd.read_parquet(path, engine="pyarrow")
    except Exception as exc:          # an unreadable file is one sentence, not a traceback
        raise DataError(f"{path} cannot be read ({type(exc).__name__}: {exc}); re-run the "
                        f"experiment to rewrite it.") from None
    missing = [c for c in COLUMNS if c not in recs.columns]
    if missing:
        raise DataError(f"{path} has no column {missing[0]!r}; it is not a recbench "
                        f"recommendation file (columns: {', '.join(COLUMNS)}).")
    return recs[COLUMNS]


def trec_name(algorithm: str) -> str:
    return f"recommendations-{re.sub(r'[^A-Za-z0-9._+-]', '_', algorithm)}.trec"


MAX_TREC_LABEL = 200    # recommendations-<label>.trec stays within a file name's 255 bytes


def check_trec_names(labels) -> None:
    """Refuse, before any work, two algorithm labels that would share one TREC file name
    (``x y`` and ``x_y`` both give ``recommendations-x_y.trec``), and a label too long to be
    part of a file name."""
    seen = {}
    for label in labels:
        name = trec_name(str(label))
        if len(str(label)) > MAX_TREC_LABEL:
            raise ConfigError(f"label {shortened(str(label))!r} is {len(str(label))} characters "
                              f"long; with --trec (files recommendations-<label>.trec) labels "
                              f"may have at most {MAX_TREC_LABEL}.")
        if name in seen and seen[name] != label:
            raise ConfigError(f"the labels {seen[name]!r} and {label!r} would both be written "
                              f"to {name}; give one of them another label ([algorithms.<label>] "
                              f"in an experiment file, or a (label, name, params) tuple).")
        seen[name] = label


def has_trec(folder: Path) -> bool:
    return any(Path(folder).glob("recommendations-*.trec"))


def check_trec_ids(ratings: pd.DataFrame, name: str) -> None:
    """Refuse, before any work, user or item ids a TREC run file cannot hold (whitespace)."""
    for col in ("user", "item"):
        ids = ratings[col]
        values = ids.cat.categories if hasattr(ids, "cat") else pd.unique(ids)
        bad = pd.Index(values).astype(str).str.contains(_SPACE)
        if bad.any():
            raise ConfigError(f"{name}: the {col} id {str(pd.Index(values)[bad][0])!r} contains "
                              f"whitespace, which a TREC run file cannot hold; leave out --trec "
                              f"(recommendations.parquet keeps every id).")


def run_tag(algorithm: str) -> str:
    """An algorithm label as a TREC run tag (one token): whitespace becomes '_'."""
    return re.sub(r"\s+", "_", str(algorithm).strip())


def trec_files(recs: pd.DataFrame) -> dict[str, bytes]:
    """One TREC run file per algorithm (``qid Q0 docno rank score run_tag``; the tag is the
    label with whitespace as '_', e.g. ``svd_(tuned)``)."""
    for col in ("fold", "user", "item"):
        bad = recs[col].astype(str).str.contains(_SPACE)
        if bad.any():
            raise ConfigError(f"the {col} id {recs[col][bad].iloc[0]!r} contains whitespace, "
                              f"which a TREC run file cannot hold; save without trec (the "
                              f"parquet file keeps every id).")
    check_trec_names(pd.unique(recs["algorithm"]))
    out = {}
    for algorithm, part in recs.groupby("algorithm", sort=False):
        scores = [repr(s) for s in part["score"].astype(float).tolist()]
        lines = (part["fold"].astype(str) + ":" + part["user"].astype(str) + " Q0 "
                 + part["item"].astype(str) + " " + part["rank"].astype(str) + " "
                 + pd.Series(scores, index=part.index) + " " + run_tag(algorithm))
        out[trec_name(str(algorithm))] = ("\n".join(lines) + "\n").encode()
    return out


def describe(recs: pd.DataFrame, k: int) -> dict:
    """What the record says about the lists."""
    return {"k": int(k), "file": PARQUET, "rows": int(len(recs)), "columns": COLUMNS,
            "users": "every evaluated user (a user with at least one relevant candidate) of "
                     "every fold; a list is shorter than k only when the user has fewer "
                     "candidates",
            "order": "recbench's ranking: raw score descending, ties broken by the fold's "
                     "seeded random keys (the order every ranking metric used)"}
