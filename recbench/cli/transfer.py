"""``recbench transfer``: pre-train on a source dataset, fine-tune on a target, and report the
gain over training from scratch as the target's training data shrinks."""

from __future__ import annotations

import sys

from recbench import api
from recbench.algorithms.registry import parse_param
from recbench.cli.parser import folder, whole_number
from recbench.errors import ConfigError
from recbench.experiments.transfer import FRACTIONS
from recbench.reporting.layout import check_output_folder


def add_parser(sub) -> None:
    p = sub.add_parser("transfer", help="pre-train an MLP on one dataset, fine-tune on another")
    p.add_argument("--source", default="ml-latest-small", help="dataset to pre-train on")
    p.add_argument("--target", default="ml-100k", help="dataset to fine-tune and test on")
    p.add_argument("--data-dir", help="folder holding dataset folders (default: $RECBENCH_DATA_DIR)")
    p.add_argument("--fractions", default=",".join(f"{f:g}" for f in FRACTIONS),
                   help="shares of the target's training ratings (default 0.1,0.25,0.5,1)")
    p.add_argument("--split", default="kfold", help="split of the target (default kfold)")
    p.add_argument("--folds", type=whole_number, default=5, help="folds for --split kfold (default 5)")
    p.add_argument("--seed", type=whole_number, default=0, help="root random seed (default 0)")
    p.add_argument("--n-jobs", type=whole_number, default=1, help="folds run in parallel")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="TransferMLP parameter, e.g. --param max_iter=20 (repeatable)")
    p.add_argument("--output-dir", type=folder, default="results/transfer",
                   help="folder for the table, record and plot (default results/transfer)")
    p.set_defaults(func=cmd_transfer)


def cmd_transfer(args) -> int:
    try:
        fractions = tuple(float(x) for x in args.fractions.split(",") if x.strip())
    except ValueError:
        raise ConfigError(f"--fractions {args.fractions!r} is malformed; e.g. --fractions 0.1,0.5,1") from None
    params = {}
    for text in args.param:
        name, sep, _ = text.partition("=")
        if not sep or not name.strip() or "." in name:
            raise ConfigError(f"--param {text!r} is malformed; write NAME=VALUE with a parameter "
                              f"of mlp-transfer, e.g. --param max_iter=20.")
        _, key, value = parse_param(f"mlp-transfer.{text}")
        params[key] = value
    check_output_folder(args.output_dir, replaced=False)     # study files go into it
    if not args.quiet:
        print(f"pre-training on {args.source}, fine-tuning on {args.target} ({args.split}, "
              f"fractions {', '.join(f'{f:g}' for f in fractions)})", file=sys.stderr)
    study = api.transfer(args.source, args.target, fractions=fractions, split=args.split,
                         folds=args.folds, seed=args.seed, n_jobs=args.n_jobs, params=params,
                         data_dir=args.data_dir, command=" ".join(["recbench", *args.argv]))
    study.save(args.output_dir)
    print(study.table("github"))
    if not args.quiet:
        print(f"Written to {args.output_dir}/{study.name}.{{md,csv,json,png,svg}}", file=sys.stderr)
    return 0
