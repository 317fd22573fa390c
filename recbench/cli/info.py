"""``recbench datasets`` and ``recbench list algorithms|datasets|metrics|splits``."""

from __future__ import annotations

from tabulate import tabulate

from recbench.algorithms import AlgorithmUnavailable, load_class, registered
from recbench.datasets import available_datasets, load_dataset
from recbench.errors import RecbenchError
from recbench.metrics import registered as registered_metrics
from recbench.splitting.registry import splitters
from recbench.splitting.spec import descriptions


def add_parsers(sub) -> None:
    p = sub.add_parser("datasets", help="show the datasets that are available, with a summary")
    p.add_argument("--data-dir", help="folder holding dataset folders")
    p.set_defaults(func=cmd_datasets)
    p = sub.add_parser("list", help="list algorithms, datasets, metrics or splits")
    p.add_argument("what", choices=["algorithms", "datasets", "metrics", "splits"])
    p.add_argument("--data-dir", help="folder holding dataset folders")
    p.set_defaults(func=cmd_list)


def cmd_datasets(args) -> int:
    rows = []
    for entry in available_datasets(args.data_dir):
        if entry["location"] is None:
            rows.append([entry["name"], "not found (downloaded on first use)", "", "", "", "", ""])
            continue
        try:
            s = load_dataset(entry["name"], args.data_dir, download=False).summary()
        except RecbenchError as exc:
            rows.append([entry["name"], f"unreadable: {exc}", "", "", "", "", ""])
            continue
        dist = " ".join(f"{k}:{v:.0%}" for k, v in s["rating_distribution"].items())
        rows.append([entry["name"], entry["location"], f"{s['users']:,}", f"{s['items']:,}",
                     f"{s['ratings']:,}", f"{s['density']:.2%}", dist])
    print(tabulate(rows, headers=["dataset", "location", "users", "items", "ratings", "density",
                                  "rating distribution"], tablefmt="github"))
    print("\nAny rating file works too: --dataset path/to/ratings.csv (see --help).")
    return 0


def cmd_list(args) -> int:
    if args.what == "datasets":
        return cmd_datasets(args)
    if args.what == "metrics":
        rows = [[f"{m.family}@k" if m.takes_k else m.family, m.kind,
                 "higher" if m.higher_is_better else "lower",
                 "yes" if m.in_default else "when named", m.description]
                for m in registered_metrics().values()]
        print(tabulate(rows, headers=["metric", "kind", "better", "default", "definition"],
                       tablefmt="github"))
        return 0
    if args.what == "splits":
        rows = [[s.name, ", ".join(f"--{o.replace('_', '-')}" for o in s.options), s.description]
                for s in splitters().values()]
        rows.append(["<predefined>", "", descriptions()["<predefined>"]])
        print(tabulate(rows, headers=["split", "options", "description"], tablefmt="github"))
        return 0
    rows = []
    for name, entry in sorted(registered().items()):
        try:
            cls = load_class(name)
        except AlgorithmUnavailable as exc:
            rows.append([name, "unavailable", str(exc), ""])
            continue
        defaults = ", ".join(f"{k}={v!r}" for k, v in cls.default_params().items())
        module = cls.__module__ if isinstance(entry, type) else entry.value.split(":")[0]
        rows.append([name, module, getattr(cls, "description", ""), defaults])
    print(tabulate(rows, headers=["algorithm", "module", "description", "parameters (defaults)"],
                   tablefmt="github"))
    return 0
