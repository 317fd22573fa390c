"""``Run``: a finished run as a value - its record, per-user values, tables and plots.

``recbench.run(...)`` returns one; ``Run.load(folder)`` reads one back. Everything shown is
rendered from the record, so a loaded run prints the same table as the run that saved it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from recbench.errors import ConfigError
from recbench.reporting import files as files_mod
from recbench.reporting import recommendations as recs_mod
from recbench.reporting.layout import folder_lock
from recbench.reporting.storage import (
    clean,
    clean_leftovers,
    not_written,
    per_user_bytes,
    read_run,
    record_json,
    write_run_folder,
)
from recbench.reporting.tables import legend, table

SUMMARY_COLUMNS = ["algorithm", "metric", "mean", "std", "ci_low", "ci_high", "n", "interval"]


class Run:
    """A run record (``record``: the dict written as ``run.json``) with its per-user values."""

    def __init__(self, record: dict, per_user: pd.DataFrame | None = None,
                 folder: Path | None = None, recommendations: pd.DataFrame | None = None):
        self.record = json.loads(json.dumps(clean(record)))     # exactly what run.json holds
        self.per_user = per_user
        self.folder = Path(folder) if folder is not None else None
        #: each algorithm's top-K list per user and fold (``save_recommendations=K``), or None
        self.recommendations = recs_mod.canonical(recommendations)
        self.trec = False      # whether save() writes TREC run files (True when loaded with them)

    # -- the record's parts -------------------------------------------------------------
    @property
    def manifest(self) -> dict:
        return self.record["manifest"]

    @property
    def protocol(self) -> dict:
        return self.record["protocol"]

    @property
    def seeds(self) -> dict:
        return self.record.get("seeds", {})

    @property
    def results(self) -> list[dict]:
        return self.record["results"]

    @property
    def algorithms(self) -> list[str]:
        return [a["algorithm"] for a in self.record.get("algorithms", [])]

    @property
    def failures(self) -> pd.DataFrame:
        """One row per failed or unavailable (algorithm, fold) job, with the reason."""
        return pd.DataFrame(self.record.get("failures", []), columns=["algorithm", "fold", "error"])

    @property
    def significance(self) -> pd.DataFrame:
        """Paired tests between the algorithms, per metric, Holm-adjusted."""
        return pd.DataFrame(self.record.get("significance", []),
                            columns=["metric", "a", "b", "n_pairs", "mean_a", "mean_b", "mean_diff",
                                     "wilcoxon_p", "ttest_p", "wilcoxon_p_holm", "ttest_p_holm"])

    @property
    def succeeded(self) -> bool:
        """Whether at least one job finished."""
        return len(self.failures) < len(self.record.get("algorithms", [])) * max(
            1, len(self.record.get("folds", [])))

    def summary(self, by: str | None = None) -> pd.DataFrame:
        """Tidy results: algorithm, metric, mean, std, ci_low, ci_high, n (folds with a
        value) and how the interval was made. ``by="group"``: every per-user metric per
        user group (a run with ``groups=``), with a ``group`` column after ``algorithm`` and
        ``users`` (user-fold values in the group)."""
        if by is not None:
            return self._group_summary(by)
        rows = [{"algorithm": r["algorithm"], "metric": r["metric"], "mean": r.get("mean"),
                 "std": r.get("std"), "ci_low": r.get("ci_low"), "ci_high": r.get("ci_high"),
                 "n": sum(v is not None for v in r.get("folds", [])),
                 "interval": r.get("interval")} for r in self.results]
        out = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
        for c in ("mean", "std", "ci_low", "ci_high"):
            out[c] = out[c].astype(float)
        return out

    def _group_summary(self, by: str) -> pd.DataFrame:
        if by != "group":
            raise ConfigError(f"summary(by={by!r}) is unknown; give by='group' (or nothing).")
        groups = self.record.get("groups")
        if not groups:
            raise ConfigError("summary(by='group') needs a run with user groups; run with "
                              "groups='activity:3' (--groups activity:3).")
        columns = ["algorithm", "group", *SUMMARY_COLUMNS[1:], "users"]
        rows = [{**{k: r.get(k) for k in columns},
                 "n": sum(v is not None for v in r.get("folds", []))} for r in groups["results"]]
        out = pd.DataFrame(rows, columns=columns)
        for c in ("mean", "std", "ci_low", "ci_high"):
            out[c] = out[c].astype(float)
        return out

    # -- rendering ----------------------------------------------------------------------
    def table(self, fmt: str = "github") -> str:
        """The results table exactly as ``recbench run`` prints it."""
        return table(self.record, fmt)

    @staticmethod
    def legend() -> str:
        return legend()

    def plot(self, kind: str = "metrics"):
        """A matplotlib Figure: ``metrics``, ``precision_recall`` or ``rmse_vs_precision``."""
        figs = files_mod.figures(self.record)
        if kind not in figs:
            raise ConfigError(f"plot {kind!r} does not apply to this run; it has: "
                              f"{', '.join(figs) or 'none'}.")
        return figs[kind]

    def files(self, trec: bool | None = None) -> dict[str, bytes]:
        """Every file of the run folder: record, per-user values, tables and plots, and the
        recommendation lists when kept (``trec``: also as TREC run files; None: ``self.trec``)."""
        out = {"run.json": record_json(self.record).encode()}
        if self.per_user is not None:
            out["per_user.csv.gz"] = per_user_bytes(self.per_user)
        if self.recommendations is not None:
            out[recs_mod.PARQUET] = recs_mod.parquet_bytes(self.recommendations)
            if self.trec if trec is None else trec:
                out.update(recs_mod.trec_files(self.recommendations))
        elif trec:
            raise ConfigError("trec=True writes the kept recommendation lists, and this run "
                              "kept none; run with save_recommendations=K (--save-recommendations K).")
        out.update(files_mod.render_files(self.record))
        return out

    def save(self, folder: str | Path, trec: bool | None = None) -> Path:
        """Write the whole run folder atomically (the folder is swapped in as a whole),
        holding the folder's lock; leftovers of an interrupted earlier write are removed.
        ``trec=True`` also writes ``recommendations-<algorithm>.trec`` per algorithm."""
        files = self.files(trec)
        with folder_lock(folder):
            clean_leftovers(Path(folder))
            try:
                self.folder = write_run_folder(Path(folder), files)
            except OSError as exc:      # a full or read-only disk: the earlier folder is kept
                raise not_written(Path(folder), exc) from exc
        return self.folder

    def rerender(self, check: bool = False) -> list[str]:
        """Re-render the tables and plots of the folder it was loaded from; the names that
        differ (rewritten unless ``check``)."""
        try:
            return files_mod.sync_files(self.folder, files_mod.render_files(self.record),
                                        write=not check)
        except OSError as exc:
            raise not_written(Path(self.folder), exc) from exc

    @classmethod
    def load(cls, path: str | Path) -> "Run":
        record, per_user = read_run(path)
        path = Path(path)
        folder = path if path.is_dir() else path.parent
        run = cls(record, per_user, folder, recs_mod.read(folder))
        run.trec = run.recommendations is not None and recs_mod.has_trec(folder)
        return run

    # -- comparisons and display --------------------------------------------------------
    def __eq__(self, other) -> bool:
        if not isinstance(other, Run):
            return NotImplemented
        if self.record != other.record:
            return False
        if (self.recommendations is None) != (other.recommendations is None) or (
                self.recommendations is not None
                and not self.recommendations.equals(other.recommendations)):
            return False
        if self.per_user is None or other.per_user is None:
            return self.per_user is None and other.per_user is None
        return self.per_user.reset_index(drop=True).equals(other.per_user.reset_index(drop=True))

    def __repr__(self) -> str:
        d = self.manifest["dataset"]
        return (f"<recbench.Run {d['name']}, split {self.manifest['split']}, "
                f"{len(self.algorithms)} algorithms, {len(self.record.get('folds', []))} folds>")

    def _repr_html_(self) -> str:
        return self.table("html")

