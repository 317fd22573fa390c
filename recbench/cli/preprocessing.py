"""Preprocessing options of `recbench run` (binarisation, interaction-count filters, k-core)
and their conversion to ``recbench.run(preprocess=...)``; the values are checked by
:class:`recbench.preprocessing.Preprocess`."""

from __future__ import annotations

import argparse

from recbench.cli.parser import number, whole_number
from recbench.preprocessing import PREPROCESS_KEYS


def add_preprocess_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("preprocessing (in this order, after reading, before splitting)")
    g.add_argument("--positive-threshold", type=number, metavar="T",
                   help="keep ratings >= T as interactions, drop the rest")
    g.add_argument("--min-user-interactions", type=whole_number, metavar="N",
                   help="drop users with fewer than N interactions (one pass)")
    g.add_argument("--min-item-interactions", type=whole_number, metavar="N",
                   help="drop items with fewer than N interactions (one pass)")
    g.add_argument("--k-core", type=whole_number, metavar="N",
                   help="drop users and items with fewer than N interactions, repeated until "
                        "none is left")
    g.add_argument("--k-core-rounds", type=whole_number, metavar="R",
                   help="at most R k-core rounds (default 100; the run warns if not converged)")


def preprocess_options(args, from_file: dict | None = None) -> dict | None:
    """The preprocessing steps: an experiment file's ``[preprocess]`` table, with the
    command line's options over it (checked by :class:`recbench.preprocessing.Preprocess`)."""
    out = dict(from_file or {})
    for key in PREPROCESS_KEYS:
        if getattr(args, key, None) is not None:
            out[key] = getattr(args, key)
    return out or None
