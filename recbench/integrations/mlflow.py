"""Log a recbench run to MLflow (the optional extra: ``pip install 'recbench[mlflow]'``).

``log_run(run, tracking_uri, experiment_name="recbench")`` makes one parent MLflow run for
the recbench run and one nested child run per algorithm:

- parent: parameters (dataset, split, folds, seed, cutoffs, metrics, relevance threshold),
  tags (below) and the whole run folder (``run.json``, per-user values, tables, plots,
  recommendation lists) as artifacts;
- child (tag ``mlflow.parentRunId``): the algorithm's parameters and, for every metric, its
  mean (``ndcg_at_10``), ``_std``, ``_ci_low``, ``_ci_high`` and each fold's value
  (``ndcg_at_10_fold_u1``);
- tags on both: ``recbench.dataset_sha256``, ``recbench.split``, ``recbench.protocol``
  (the protocol's rules as JSON), ``recbench.version`` (and ``recbench.algorithm``).

MLflow metric and parameter names cannot hold ``@``: it becomes ``_at_`` (``ndcg@10`` ->
``ndcg_at_10``), and any other character MLflow refuses becomes ``_``. Values longer than
MLflow accepts are cut, ending in ``...``.

The tracking URI is explicit (a local folder path is taken as a ``file:`` store). MLflow 3
keeps its file store in maintenance mode and refuses it unless ``MLFLOW_ALLOW_FILE_STORE``
is set: for a ``file:`` URI recbench sets it while it logs, and restores it after.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from recbench._version import __version__
from recbench.errors import ConfigError, RecbenchError

INSTALL = "MLflow is not installed; run pip install 'recbench[mlflow]' to log runs to MLflow."
RULE_KEYS = ("candidates", "relevance", "ranking", "ties", "skipped_users", "cold_start",
             "rating_metrics", "aggregation", "cutoffs", "relevance_threshold")
PARAM_LENGTH, TAG_LENGTH, KEY_LENGTH = 6000, 8000, 250


def require():
    """The MLflow client class, or a ConfigError saying how to install it."""
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise ConfigError(INSTALL) from None
    return MlflowClient


def metric_name(name: str) -> str:
    """``ndcg@10`` -> ``ndcg_at_10``; characters MLflow refuses become ``_``."""
    return re.sub(r"[^A-Za-z0-9_\-./ ]", "_", str(name).replace("@", "_at_"))[:KEY_LENGTH]


def tracking_uri(uri) -> str:
    """A URI as given (``file:``, ``sqlite:``, ``http(s):``...) or a local path as a file URI."""
    text = str(uri)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", text) and not re.match(r"^[A-Za-z]:[\\/]", text):
        return text
    return Path(text).expanduser().resolve().as_uri()


SCHEMES = ("file", "http", "https", "sqlite", "postgresql", "mysql", "mssql", "databricks",
           "databricks-uc", "uc")
PROBE_TIMEOUT = 3.0


def check_target(tracking_uri_or_path, experiment_name: str = "recbench",
                 timeout: float = PROBE_TIMEOUT) -> str:
    """Check, before any work, that runs can be logged to ``tracking_uri_or_path``: MLflow is
    installed, the experiment has a name, the scheme is one MLflow knows, an http(s) server
    answers (one request, ``timeout`` seconds, no retries) and a file store's folder can be
    created and written. Returns the tracking URI; a ConfigError says what is wrong."""
    require()
    uri = tracking_uri(tracking_uri_or_path)
    if not isinstance(experiment_name, str) or not experiment_name.strip():
        raise ConfigError(f"--mlflow-experiment {experiment_name!r} is not an experiment name; "
                          f"give a name such as recbench.")
    scheme = urllib.parse.urlparse(uri).scheme.lower()
    if scheme.split("+")[0] not in SCHEMES:
        raise ConfigError(f"--mlflow {uri}: MLflow has no tracking store for scheme {scheme!r}; "
                          f"give a folder or a URI of scheme {', '.join(SCHEMES)}.")
    if scheme in ("http", "https"):
        _probe(uri, timeout)
    elif scheme == "file":
        _check_store_folder(uri, Path(urllib.request.url2pathname(urllib.parse.urlparse(uri).path)))
    return uri


def _probe(uri: str, timeout: float) -> None:
    """One request to the server; any HTTP answer (even an error status) means it is there."""
    try:
        with urllib.request.urlopen(uri, timeout=timeout):
            pass
    except urllib.error.HTTPError as answer:
        answer.close()
    except (OSError, ValueError) as exc:   # refused, unknown host, timeout, TLS, bad URL
        reason = getattr(exc, "reason", None) or exc
        raise ConfigError(f"--mlflow {uri}: no MLflow server answered within {timeout:g} s "
                          f"({_one_line(reason)}); start the tracking server or give another "
                          f"URI.") from None


def _check_store_folder(uri: str, folder: Path) -> None:
    """The file store's folder exists or can be made, and takes a file; folders made to
    check are removed again."""
    made, p = [], folder
    while not p.exists() and p != p.parent:
        made.append(p)
        p = p.parent
    if not p.is_dir():
        where = "is a file" if p == folder else f"is under {p}, a file"
        raise ConfigError(f"--mlflow {uri}: the store folder {folder} {where}; give a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ConfigError(f"--mlflow {uri}: the store folder {folder} cannot be written "
                          f"({exc.strerror or exc}); give a folder you can write.") from None
    finally:
        for path in made:
            with contextlib.suppress(OSError):
                path.rmdir()


def _one_line(value, limit: int = 300) -> str:
    return _cut(" ".join(str(value).split()), limit)


def log_run(run, tracking_uri_or_path, experiment_name: str = "recbench",
            run_name: str | None = None) -> str:
    """Log ``run`` (a :class:`recbench.Run`) to the MLflow tracking store at
    ``tracking_uri_or_path``; returns the parent MLflow run's id."""
    client_class = require()
    from mlflow.exceptions import MlflowException
    uri = tracking_uri(tracking_uri_or_path)
    try:
        return _log(client_class, uri, run, experiment_name, run_name)
    except (MlflowException, OSError) as exc:  # one sentence, as for any bad input
        kept = "" if run.folder is None else (
            f" (the run folder {run.folder} is saved: log it again with "
            f"recbench.integrations.mlflow.log_run)")
        why = _one_line(getattr(exc, "message", None) or exc)
        why = why[:-1] if why.endswith(".") and not why.endswith("...") else why
        raise RecbenchError(f"MLflow at {uri} refused the run: {why}{kept}.") from None


def _log(client_class, uri, run, experiment_name, run_name) -> str:
    with _file_store_allowed(uri):
        client = client_class(tracking_uri=uri)
        found = client.get_experiment_by_name(experiment_name)
        experiment_id = found.experiment_id if found else client.create_experiment(experiment_name)
        tags = _tags(run)
        name = run_name or f"{run.manifest['dataset']['name']}-{run.manifest['split']}"
        parent = client.create_run(experiment_id, run_name=name, tags=tags).info.run_id
        try:
            _log_params(client, parent, _run_params(run))
            for entry in run.record.get("algorithms", []):
                _log_algorithm(client, experiment_id, parent, run, entry, tags)
            _log_folder(client, parent, run)
        except BaseException:
            client.set_terminated(parent, "FAILED")
            raise
        client.set_terminated(parent, "FINISHED")
    return parent


@contextlib.contextmanager
def _file_store_allowed(uri: str):
    if not uri.startswith("file:") or "MLFLOW_ALLOW_FILE_STORE" in os.environ:
        yield
        return
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
    try:
        yield
    finally:
        os.environ.pop("MLFLOW_ALLOW_FILE_STORE", None)


def _tags(run) -> dict:
    rules = {k: run.protocol[k] for k in RULE_KEYS if k in run.protocol}
    return {"recbench.dataset_sha256": run.manifest["dataset"]["sha256"],
            "recbench.dataset": run.manifest["dataset"]["name"],
            "recbench.split": run.manifest["split"],
            "recbench.protocol": _cut(json.dumps(rules, sort_keys=True), TAG_LENGTH),
            "recbench.version": run.manifest.get("recbench_version", __version__),
            "recbench.command": _cut(run.manifest.get("command") or "", TAG_LENGTH)}


def _run_params(run) -> dict:
    m = run.manifest
    return {"dataset": m["dataset"]["name"], "split": m["split"], "n_folds": m.get("n_folds"),
            "seed": m.get("seed"), "k": m.get("k"), "metrics": m.get("metrics") or "all",
            "relevance_threshold": run.protocol.get("relevance_threshold"),
            "algorithms": run.algorithms}


def _log_algorithm(client, experiment_id, parent, run, entry, tags) -> None:
    label = entry["algorithm"]
    child = client.create_run(experiment_id, run_name=label, tags=tags | {
        "mlflow.parentRunId": parent, "recbench.algorithm": label}).info.run_id
    try:
        _log_params(client, child, _flat(entry.get("params") or {}) | {
            f"seed_{fold}": seed for fold, seed in (entry.get("seeds") or {}).items()})
        folds = [f["fold"] for f in run.record.get("folds", [])]
        failed = {f["fold"] for f in run.record.get("failures", []) if f["algorithm"] == label}
        ran = [f for f in folds if f not in failed]
        metrics = {}
        for r in run.results:
            if r["algorithm"] != label:
                continue
            key = metric_name(r["metric"])
            for suffix, field in (("", "mean"), ("_std", "std"), ("_ci_low", "ci_low"),
                                  ("_ci_high", "ci_high")):
                metrics[key + suffix] = r.get(field)
            values = r.get("folds") or []
            if len(values) == len(ran):
                metrics |= {f"{key}_fold_{metric_name(f)}": v for f, v in zip(ran, values)}
        _log_metrics(client, child, metrics)
    except BaseException:
        client.set_terminated(child, "FAILED")
        raise
    client.set_terminated(child, "FINISHED" if entry.get("status") == "ok" else "FAILED")


def _log_params(client, run_id, params: dict) -> None:
    from mlflow.entities import Param
    items = [Param(metric_name(k)[:KEY_LENGTH], _cut(_text(v), PARAM_LENGTH))
             for k, v in params.items()]
    for start in range(0, len(items), 100):           # MLflow takes at most 100 per batch
        client.log_batch(run_id, params=items[start:start + 100])


def _log_metrics(client, run_id, metrics: dict) -> None:
    import time

    from mlflow.entities import Metric
    now = int(time.time() * 1000)
    items = [Metric(k, float(v), now, 0) for k, v in metrics.items()
             if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)]
    for start in range(0, len(items), 1000):          # and at most 1000 metrics
        client.log_batch(run_id, metrics=items[start:start + 1000])


def _log_folder(client, run_id, run) -> None:
    if run.folder is not None and (Path(run.folder) / "run.json").is_file():
        client.log_artifacts(run_id, str(run.folder))
        return
    with tempfile.TemporaryDirectory(prefix="recbench-mlflow-") as tmp:
        for name, data in run.files().items():
            (Path(tmp) / name).write_bytes(data)
        client.log_artifacts(run_id, tmp)


def _flat(params: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value and len(out) < 90:
            out |= _flat(value, name + ".")
        else:
            out[name] = value
    return out


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."
