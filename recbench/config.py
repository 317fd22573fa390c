"""Experiment files: one TOML file describes one experiment (read with ``tomllib``).

    name = "ml-100k"                  # results go to results/<name>/
    description = "..."
    dataset = "ml-100k"               # or a rating file path (then [csv] options apply)
    split = "kfold"                   # kfold, holdout, user, temporal, u1..u5, u1-u5, ua, ub
    folds = 5
    k = [5, 10, 20]
    relevance_threshold = 4.0         # optional; default from the rating scale
    seed = 0
    n_jobs = 2
    job_timeout = 600                 # optional: seconds a job may run before it is ended
    metrics = ["rmse", "mae", "precision@10", ...]   # optional: the table's columns

    [algorithms.svd]                  # label = a registered name ...
    n_factors = 100                   # ... and its parameters
    [algorithms.knn-item]             # or any label with algorithm = "<name or module:Class>"
    algorithm = "knnwithmeans"
    user_based = false

    [published.svd]                   # optional reference numbers shown beside recbench's
    rmse = 0.934
    mae = 0.737

    [tuning]                          # optional: nested tuning (see recbench.tuning.settings)
    trials = 20
    objective = "ndcg@10"
    [tuning.space.svd]                # override ranges; [tuning.fixed.svd] fixes parameters
    n_factors = {low = 10, high = 200, log = true}

Validation is strict: an unknown key, a wrong type or an unknown algorithm is an error that
names the file and the key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from recbench.algorithms.registry import (
    AlgorithmUnavailable,
    load_class,
    registered_class,
)
from recbench.algorithms.spec import AlgorithmSpec
from recbench.datasets.reading import file_kind_error
from recbench.errors import ConfigError
from recbench.metrics import registered as registered_metrics
from recbench.metrics.spec import check_cutoffs, parse_metric
from recbench.preprocessing import Preprocess
from recbench.reporting.layout import check_name
from recbench.splitting.registry import options as split_options
from recbench.splitting.registry import splitters, users_of
from recbench.tuning.settings import from_table

#: top-level key -> (accepted types, description)
KEYS = {
    "name": (str, "experiment name; results are written to results/<name>/"),
    "description": (str, "one line shown above the table"),
    "dataset": (str, "ml-latest-small, ml-100k or a rating file path"),
    "data_dir": (str, "folder holding dataset folders (the command line's --data-dir wins)"),
    "split": (str, "kfold, holdout, user, temporal, u1..u5, u1-u5, ua, ub"),
    "k": ((int, list), "ranking cutoff(s)"),
    "relevance_threshold": (float, "test ratings >= this are relevant"),
    "seed": (int, "root random seed"),
    "n_jobs": (int, "parallel (algorithm, fold) jobs"),
    "job_timeout": (float, "seconds each (algorithm, fold) job may run (default: no limit)"),
    "metrics": (list, "the metrics to compute (and show); default: every registered metric"),
    "columns": (list, "the table's columns (default: metrics, else rmse, mae, precision, ...)"),
    "csv": (dict, "custom rating file options (sep, user_col, item_col, ...)"),
    "preprocess": (dict, "preprocessing steps: positive_threshold, min_user_interactions, "
                         "min_item_interactions, k_core, k_core_rounds"),
    "algorithms": (dict, "one table per algorithm label"),
    "published": (dict, "reference numbers per algorithm label, e.g. [published.svd] rmse = 0.934"),
    "published_source": (str, "where the published numbers come from"),
    "baseline": (str, "an algorithm label; results.md adds every algorithm's paired difference from it"),
    "groups": (str, "user groups for per-group metrics: \"activity:3\" (light, medium, heavy), "
                    "\"ml-100k:gender\" or \"FILE:COLUMN\""),
    "tuning": (dict, "nested tuning: trials, objective, validation_share, algorithms, defaults, "
                     "[tuning.space.<label>], [tuning.fixed.<label>]"),
}
#: every registered split option is a top-level key too (folds, test_size, leave_out, ...)
SPLIT_KEYS = {name: (o.kind, f"{o.help} (for split = {', '.join(users_of(name))})")
              for name, o in split_options().items()}
CSV_KEYS = {"sep", "user_col", "item_col", "rating_col", "timestamp_col", "header",
            "rating_scale", "duplicates", "encoding", "items", "item_id_col", "item_text_cols",
            "feedback", "weight_col"}
#: [csv] key -> accepted types (keys not listed are not type-checked)
_COLUMN = ((str, int), "a column name or 0-based position")
CSV_TYPES = {
    "sep": (str, "a separator string"), "user_col": _COLUMN, "item_col": _COLUMN,
    "rating_col": _COLUMN, "timestamp_col": _COLUMN, "item_id_col": _COLUMN,
    "header": (bool, "true or false"), "duplicates": (str, "error, first, last, mean or count"),
    "feedback": (str, "explicit or interactions"), "weight_col": _COLUMN,
    "encoding": (str, "an encoding name such as utf-8"), "items": (str, "a file path"),
    "rating_scale": ((list, str), "[LOW, HIGH], e.g. [1, 5]"),
    "item_text_cols": ((list, str), "a list of column names"),
}


@dataclass
class ExperimentFile:
    path: Path
    name: str
    description: str = ""
    dataset: str = "ml-latest-small"
    data_dir: str | None = None
    split: str = "kfold"
    split_options: dict = field(default_factory=dict)    # folds, test_size, leave_out, ...
    k: tuple[int, ...] = (10,)
    relevance_threshold: float | None = None
    seed: int = 0
    n_jobs: int = 1
    job_timeout: float | None = None
    metrics: list[str] | None = None
    columns: list[str] | None = None
    csv: dict = field(default_factory=dict)
    preprocess: dict | None = None      # the [preprocess] table, checked (recbench.preprocessing)
    algorithms: list[AlgorithmSpec] = field(default_factory=list)
    published: dict = field(default_factory=dict)
    published_source: str = ""
    baseline: str | None = None
    groups: str | None = None
    tuning: dict | None = None          # the [tuning] table, checked (recbench.tuning)

    def settings(self, split: str | None = None) -> dict:
        """Keyword arguments of ``recbench.run`` that this file sets. When ``split`` (a
        command-line override) differs from the file's, the file's split options are left
        out: they were for its own split."""
        own = split is None or split == self.split
        return {"dataset": self.dataset, "algorithms": self.algorithms, "split": self.split,
                **(self.split_options if own else {}), "k": self.k,
                "metrics": self.metrics, "relevance_threshold": self.relevance_threshold,
                "seed": self.seed, "n_jobs": self.n_jobs, "job_timeout": self.job_timeout,
                "data_dir": self.data_dir, "tune": self.tuning, "preprocess": self.preprocess,
                **({"groups": self.groups} if self.groups else {})}

    def check_columns(self, exp) -> None:
        """Refuse table columns the run (this file with the command line's overrides) does
        not compute: they would silently be missing from the table."""
        computed = {m.name for m in exp.metric_specs()}
        for col in self.columns or []:
            if col not in computed:
                raise ConfigError(f"{self.path}: 'columns' shows {col}, which this run does not "
                                  f"compute (k = {list(exp.cutoffs)}, metrics = "
                                  f"{exp.metrics or 'all'}); add it to 'metrics' or its cutoff "
                                  f"to 'k', or drop the column.")

    def info(self) -> dict:
        """The record's ``experiment`` entry."""
        return {"name": self.name, "description": self.description, "file": self.path.as_posix(),
                "metrics": self.metrics, "columns": self.columns, "published": self.published,
                "published_source": self.published_source, "baseline": self.baseline}


def load_experiment(path: str | Path) -> ExperimentFile:
    """Read and check an experiment file; a ConfigError naming the file and the key."""
    path = Path(path)
    raw = _read(path)

    def fail(msg: str):             # one line, even when a key holds a line break
        raise ConfigError(f"{path}: {msg}".replace("\r", "\\r").replace("\n", "\\n"))

    _check_types(raw, fail)
    exp = ExperimentFile(path=path, name=raw.get("name", path.stem))
    _scalars(exp, raw, fail)
    _metric_lists(exp, raw, fail)
    _csv_table(exp, raw, fail)
    if "preprocess" in raw:
        try:
            exp.preprocess = {k: v for k, v in Preprocess.of(raw["preprocess"], "[preprocess]")
                              .describe().items() if k in raw["preprocess"]}
        except ConfigError as exc:
            fail(str(exc))
    algorithms = raw.get("algorithms", {})
    _algorithm_tables(algorithms, fail)
    if not algorithms:
        fail("no algorithms; add at least one table such as [algorithms.svd].")
    labels = {label.lower() for label in algorithms}
    exp.published = _published(raw.get("published", {}), labels, fail)
    if exp.baseline is not None and exp.baseline.lower() not in labels:
        fail(f"'baseline' {exp.baseline!r} names no algorithm of this file ({', '.join(sorted(labels))}).")
    if "tuning" in raw:
        exp.tuning = from_table(raw["tuning"], labels, fail)
    # last: a module:Class is imported here, which runs its code (README, Reliability)
    exp.algorithms = _algorithms(algorithms, fail)
    return exp


def _read(path: Path) -> dict:
    if os.path.lexists(path) and not path.is_dir():     # opening a FIFO would wait forever
        problem = file_kind_error(path, "recbench run", "an experiment file")
        if problem:
            raise ConfigError(problem)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))     # a BOM is not TOML
    except RecursionError:
        raise ConfigError(f"{path}: arrays or tables are nested too deeply to read.") from None
    except FileNotFoundError:
        raise ConfigError(f"experiment file {path} does not exist.") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); TOML files are UTF-8, "
                          f"save it as UTF-8.") from None
    except OSError as exc:
        raise ConfigError(f"experiment file {path} could not be read ({exc.strerror or exc}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from None


def _check_types(raw: dict, fail) -> None:
    known = KEYS | SPLIT_KEYS
    for key, value in raw.items():
        if key not in known:
            fail(f"unknown key {key!r}; known keys: {', '.join(known)}.")
        types, what = known[key]
        if isinstance(value, bool) or not isinstance(value, types):
            if types is float and isinstance(value, int):
                continue
            if types is dict:
                example = {"algorithms": "[algorithms.svd]", "published": "[published.svd]",
                           "csv": "[csv]"}.get(key, f"[{key}]")
                fail(f"{key!r} = {value!r} must be a table: write {example} on its own "
                     f"line, then its keys ({what}).")
            fail(f"{key!r} has the wrong type ({type(value).__name__}): {what}.")


def _scalars(exp: ExperimentFile, raw: dict, fail) -> None:
    """The plain settings, the split's options and the cutoffs."""
    for key in ("description", "dataset", "data_dir", "split", "seed", "n_jobs",
                "published_source", "baseline", "groups"):
        if key in raw:
            setattr(exp, key, raw[key])
    for key in ("relevance_threshold", "job_timeout"):
        if key in raw:
            setattr(exp, key, _float(key, raw[key], fail))
    exp.split_options = {k: _float(k, v, fail) if SPLIT_KEYS[k][0] is float else v
                         for k, v in raw.items() if k in SPLIT_KEYS}
    splitter = splitters().get(exp.split)
    for key in exp.split_options:
        if splitter is not None and key not in splitter.options:
            uses = " or ".join(f'"{u}"' for u in users_of(key))
            fail(f"{key!r} applies only to split = {uses}, and this file sets split = "
                 f"\"{exp.split}\"; remove {key!r} or change the split.")
    try:
        exp.k = check_cutoffs(raw.get("k", [10]), "'k'")
    except ConfigError as exc:
        fail(str(exc))
    try:
        check_name(exp.name)
    except ConfigError as exc:
        fail(f"'name': {exc}")


def _metric_lists(exp: ExperimentFile, raw: dict, fail) -> None:
    for key in ("metrics", "columns"):
        if key in raw:
            try:
                # metrics may name a family with a cutoff ("precision": at every k), as
                # --metrics and recbench.run do; a column is one metric at one cutoff
                setattr(exp, key, [_family(m) if key == "metrics" and _family(m)
                                   else parse_metric(str(m)).name for m in raw[key]])
            except ConfigError as exc:
                fail(f"{key!r}: {exc}")
            except ValueError:      # a cutoff int() cannot read, e.g. "ndcg@²"
                fail(f"{key!r}: a cutoff is not a whole number written with 0-9, e.g. 'ndcg@10'.")


def _csv_table(exp: ExperimentFile, raw: dict, fail) -> None:
    unknown_csv = set(raw.get("csv", {})) - CSV_KEYS
    if unknown_csv:
        fail(f"unknown key {sorted(unknown_csv)[0]!r} in [csv]; known: {', '.join(sorted(CSV_KEYS))}.")
    for key, value in raw.get("csv", {}).items():
        if not _csv_type_ok(key, value):
            fail(f"[csv] {key} = {value!r} has the wrong type; it must be {CSV_TYPES[key][1]}.")
    exp.csv = dict(raw.get("csv", {}))


def _published(table: dict, labels: set, fail) -> dict:
    for label, numbers in table.items():
        if label not in labels:
            fail(f"[published.{label}] names no algorithm of this file ({', '.join(sorted(labels))}).")
        if not isinstance(numbers, dict):
            fail(f"[published.{label}] must be a table of metric = value.")
        for metric, value in numbers.items():
            try:
                parse_metric(metric)
            except ConfigError as exc:
                fail(f"[published.{label}]: {exc}")
            except ValueError:      # a cutoff int() cannot read, e.g. "ndcg@²"
                fail(f"[published.{label}]: the cutoff of {metric!r} is not a whole number "
                     f"written with 0-9, e.g. 'ndcg@10'.")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                fail(f"[published.{label}] {metric} must be a number.")
    return {k: dict(v) for k, v in table.items()}


def _family(name) -> str | None:
    """``name`` when it is a registered family that takes a cutoff, written without one."""
    family = str(name).strip().lower()
    metric = registered_metrics().get(family)
    return family if metric is not None and metric.takes_k and "@" not in family else None


def _float(key: str, value, fail) -> float:
    try:
        return float(value)
    except OverflowError:           # a TOML integer beyond any float
        fail(f"{key!r} is too large a number; {(KEYS | SPLIT_KEYS)[key][1]}.")


def _csv_type_ok(key: str, value) -> bool:
    if key not in CSV_TYPES:
        return True
    types = CSV_TYPES[key][0]
    if (isinstance(value, bool) and types is not bool) or not isinstance(value, types):
        return False
    if isinstance(value, list) and key == "rating_scale":
        return len(value) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                       for v in value)
    return not isinstance(value, list) or all(isinstance(v, str) for v in value)


def _algorithm_tables(table: dict, fail) -> None:
    """The [algorithms.*] tables' shape, checked without importing anything."""
    for label, params in table.items():
        if not isinstance(params, dict):
            fail(f"algorithms.{label} must be a table, e.g. [algorithms.{label}].")
        if not isinstance(params.get("algorithm", label), str):
            fail(f"algorithms.{label}.algorithm must be a string.")


def _algorithms(table: dict, fail) -> list[AlgorithmSpec]:
    """The algorithms of checked tables (:func:`_algorithm_tables`): each class is loaded,
    a ``module:Class`` imported, and the parameter names checked against it."""
    specs = []
    for label, params in table.items():
        params = dict(params)
        name = params.pop("algorithm", label)
        name = name if ":" in name else name.lower()
        try:
            cls = load_class(name)
        except ConfigError as exc:
            fail(f"[algorithms.{label}]: {exc}")
        except AlgorithmUnavailable:
            cls = None          # reported as unavailable when the run gets to it
        if cls is not None:
            allowed = cls.param_names()
            for key, value in params.items():
                takes_table = dict in getattr(cls, "param_constraints", {}).get(key, ())
                if isinstance(value, dict) and not takes_table and not allowed:
                    fail(f"algorithms.{label}.{key} is a table, and {name} has no parameters; "
                         f"remove it.")
                if isinstance(value, dict) and not takes_table:   # [algorithms.svd.extra]
                    fail(f"algorithms.{label}.{key} is a table, and a parameter of {name} takes "
                         f"one value written under [algorithms.{label}] (e.g. "
                         f"{list(allowed)[0]} = ...); its parameters: {', '.join(allowed)}.")
                if key not in allowed and not allowed:
                    fail(f"[algorithms.{label}] unknown parameter {key!r}: {name} has no "
                         f"parameters; remove it.")
                if key not in allowed:
                    fail(f"[algorithms.{label}] unknown parameter {key!r} for {name}; "
                         f"its parameters: {', '.join(allowed)}.")
        specs.append(AlgorithmSpec(label.lower(), name, params, cls=registered_class(name)))
    return specs
