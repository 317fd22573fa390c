"""The Python API: ``recbench.run``, ``recbench.compare`` and ``recbench.transfer``.

    import recbench
    run = recbench.run("ml-100k", ["svd", "knnwithmeans"], split="u1", k=[5, 10],
                       data_dir="../shared/datasets")
    run.summary(); run.table(); run.save("results/x")

The CLI calls these same functions; nothing here prints or writes unless asked (``save``).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from recbench.algorithms.spec import resolve_algorithms
from recbench.datasets import CsvOptions, load_dataset
from recbench.errors import ConfigError, RecbenchError
from recbench.evaluation.recommendations import check_list_length
from recbench.experiments.experiment import Experiment, validate
from recbench.experiments.runner import run_experiment
from recbench.experiments.transfer import transfer_study
from recbench.metrics import check_cutoffs, is_timing
from recbench.preprocessing import Preprocess
from recbench.preprocessing import preprocess as apply_preprocessing
from recbench.reporting.comparison import Comparison
from recbench.reporting.record import build_record
from recbench.reporting.run import Run
from recbench.reporting.tables import columns_of
from recbench.reporting.transfer import TransferStudy, build_transfer_record
from recbench.runtime.env import check_environment
from recbench.runtime.execution import Execution
from recbench.splitting import SplitSpec
from recbench.splitting.registry import options as split_options
from recbench.statistics.comparison import WITHIN_NOTE, compare_records, within_run
from recbench.tuning.settings import resolve_tuning, tuned_algorithms


def _csv(csv, **given) -> CsvOptions | None:
    """``csv`` (a CsvOptions or a dict of its fields) with the reading settings given
    beside it (``feedback``, ``weight_col``, ``duplicates``: None when not given)."""
    given = {k: v for k, v in given.items() if v is not None}
    if csv is None or isinstance(csv, CsvOptions):
        opts = csv
    elif isinstance(csv, dict):
        known = {f.name for f in dataclasses.fields(CsvOptions)}
        unknown = sorted(set(csv) - known)
        if unknown:
            raise ConfigError(f"csv option {unknown[0]!r} is unknown; known: {', '.join(sorted(known))}.")
        opts = CsvOptions(**csv)
    else:
        raise ConfigError("csv must be a CsvOptions or a dict of its fields.")
    if not given:
        return opts
    opts = opts or CsvOptions()
    for key, value in given.items():
        if getattr(opts, key) is not None and getattr(opts, key) != value:
            raise ConfigError(f"{key}={value!r} and csv {key}={getattr(opts, key)!r} disagree; "
                              f"give it once.")
    return dataclasses.replace(opts, **given)


def experiment(dataset="ml-latest-small", algorithms=("svd", "knnwithmeans"), *,
               split: str = "kfold", k=10, metrics=None,
               relevance_threshold: float | None = None, seed: int = 0, n_jobs: int = 1,
               threads: int | None = None, data_dir=None, csv=None,
               feedback: str | None = None, weight_col: str | None = None,
               duplicates: str | None = None, preprocess=None, verify_data: bool = True,
               save_recommendations: int | None = None, tune=None,
               scheduler: str | None = None, job_timeout: float | None = None,
               groups: str | None = None, head_share: float = 0.2,
               **split_options) -> Experiment:
    """Resolve and validate every setting of a run (nothing is fitted). ``split_options``:
    the options of ``split`` (``folds``, ``test_size``, ``leave_out``, ...: every registered
    split option, see :mod:`recbench.splitting.registry`)."""
    check_environment()
    splitting = split_spec(split, split_options)
    check_list_length(save_recommendations)
    execution = Execution(n_jobs, threads, "dask" if scheduler else "local", scheduler,
                          job_timeout)
    tuning = resolve_tuning(tune)
    options = {} if verify_data else {"verify": False}
    ds = load_dataset(dataset, data_dir, _csv(csv, feedback=feedback, weight_col=weight_col,
                                              duplicates=duplicates), **options)
    ds = apply_preprocessing(ds, Preprocess.of(preprocess))
    specs = resolve_algorithms(algorithms)
    if tuning is not None:                  # a "<label> (tuned)" row per tunable algorithm
        specs = tuned_algorithms(specs, tuning)
    exp = Experiment(ds, specs, splitting, check_cutoffs(k), relevance_threshold, seed,
                     None if metrics is None else list(metrics), execution,
                     save_recommendations=save_recommendations, tuning=tuning, groups=groups,
                     head_share=head_share)
    validate(exp)
    return exp


def split_spec(split, given: dict) -> SplitSpec:
    """The split spec of ``split`` with the options in ``given``; a key that is neither a
    setting nor a split option is refused, naming both lists."""
    if isinstance(split, SplitSpec):
        return split
    unknown = sorted(set(given) - set(split_options()))
    if unknown:
        raise ConfigError(f"{unknown[0]!r} is not a setting of recbench.run; its split "
                          f"options are {', '.join(split_options())} (see help(recbench.run)).")
    return SplitSpec.of(split, **given)


def run(dataset="ml-latest-small", algorithms=("svd", "knnwithmeans"), *, progress=None,
        verbose: bool = False, command: str | None = None, experiment_info: dict | None = None,
        job_store=None, resume: bool = False, **settings) -> Run:
    """Evaluate ``algorithms`` on ``dataset`` and return the :class:`Run`.

    ``dataset``: a registered name, a rating file path (``csv=`` options), a pandas
    DataFrame (user, item, rating[, timestamp]) or a ``Dataset``. ``algorithms``: registered
    names, ``module:Class``, ``(label, name, params)`` tuples or ``Algorithm`` instances
    (cloned for every fold). Settings: ``split`` (kfold, holdout, user, temporal or a
    dataset's predefined split), ``folds``, ``test_size``, ``leave_out``, ``k`` (int or list),
    ``metrics`` (names to compute; default all), ``relevance_threshold``, ``seed``,
    ``n_jobs``, ``threads``, ``data_dir``, ``csv`` (and ``feedback``, ``weight_col``,
    ``duplicates``: the same as in ``csv``), ``preprocess`` (a dict of
    ``positive_threshold``, ``min_user_interactions``, ``min_item_interactions``, ``k_core``,
    ``k_core_rounds``; see :mod:`recbench.preprocessing`), ``verify_data``, ``save_recommendations``
    (K: keep each algorithm's top-K list per user and fold as ``run.recommendations``,
    saved as ``recommendations.parquet``; ``run.save(folder, trec=True)`` adds TREC run
    files), ``tune`` (a :class:`recbench.Tuning` or a dict of its fields: equal-budget
    Optuna tuning nested inside every training fold, a ``<label> (tuned)`` row beside each
    tunable algorithm's default row; see :mod:`recbench.tuning`). ``progress(job, total)``
    is called as each (algorithm, fold) job finishes. ``scheduler``: run the jobs on Dask
    (``"local:N"`` starts N workers on 127.0.0.1, ``"tcp://HOST:8786"`` joins a cluster;
    needs ``recbench[dask]``). ``job_timeout``: seconds each (algorithm, fold) job may run
    (default: no limit); a job still running then is ended (it runs in a worker process,
    terminated) and fails with the reason, and the run goes on. ``job_store`` (a folder) keeps every
    finished job at once; ``resume=True`` reuses the ones it holds. ``groups``:
    ``"activity:3"`` reports every per-user metric per group of users (light, medium,
    heavy by training interactions; ``run.summary(by="group")``, see
    :mod:`recbench.statistics.groups`). ``head_share`` (default 0.2): the share of the
    training interactions the long tail's head holds (tail@k, tail_coverage@k).
    """
    if resume and job_store is None:
        raise ConfigError("resume=True needs job_store=FOLDER, the folder the interrupted run "
                          "kept its finished jobs in.")
    exp = experiment(dataset, algorithms, **settings)
    return execute(exp, progress=progress, verbose=verbose,
                   command=command or _command(dataset, algorithms, settings),
                   experiment_info=experiment_info, job_store=job_store, resume=resume)


def execute(exp: Experiment, *, progress=None, verbose: bool = False, command: str = "",
            experiment_info: dict | None = None, job_store=None, resume: bool = False) -> Run:
    """Run a validated :class:`Experiment` (from :func:`experiment`) and build its record."""
    outcome = run_experiment(exp, progress=progress, verbose=verbose, job_store=job_store,
                             resume=resume)
    record, per_user = build_record(exp, outcome, command, experiment_info)
    return Run(record, per_user, recommendations=outcome.recommendations)


def _command(dataset, algorithms, settings) -> str:
    shown = dataset if isinstance(dataset, (str, Path)) else type(dataset).__name__
    algos = [a if isinstance(a, str) else getattr(a, "name", type(a).__name__) for a in
             ([algorithms] if isinstance(algorithms, str) else algorithms)]
    extra = "".join(f", {k}={v!r}" for k, v in settings.items())
    return f"recbench.run({str(shown)!r}, {algos!r}{extra})"


def _as_run(value) -> Run:
    return value if isinstance(value, Run) else Run.load(value)


def evaluate_predictions(predictions: dict, *, train=None, test=None, dataset=None,
                         split: str | None = None, k=10, csv=None, progress=None,
                         command: str | None = None, **settings) -> Run:
    """Evaluate predictions made elsewhere under recbench's protocol; an ordinary :class:`Run`.

    ``predictions``: ``{label: source}``, a source being a prediction file (user, item and
    prediction, score or rank; see :mod:`recbench.evaluation.prediction_files`), a DataFrame
    of the same columns, or a list of them (e.g. rating predictions and a ranking). The split:
    ``train`` and ``test`` (rating files read like ``dataset`` files, with ``csv=`` options, or
    DataFrames), or a ``dataset`` with one fold of ``split`` (e.g. ``"ml-100k"``, ``"u1"``).
    Settings as :func:`run` (``metrics``, ``relevance_threshold``, ``seed`` - the tie keys -,
    ``save_recommendations``, ``data_dir``, ``verify_data``, ``n_jobs``...) and
    ``missing_predictions`` ("error", or "global-mean": the training mean, counted).
    """
    from recbench.experiments.external.experiment import annotate, prepare
    check_environment()
    exp, facts = prepare(predictions, ks=check_cutoffs(k), train=train, test=test, dataset=dataset,
                         split=split, csv=_csv(csv), **settings)
    outcome = run_experiment(exp, progress=progress)
    annotate(outcome, facts)
    record, per_user = build_record(exp, outcome, command or f"recbench.evaluate_predictions("
                                    f"{sorted(facts['systems'])!r}, split={exp.split!r})", None)
    return Run(record, per_user, recommendations=outcome.recommendations)


def compare(a, b=None, *, metrics=None, gate_metric: str | None = None,
            tolerance: float = 0.01, a_algorithm: str | None = None,
            b_algorithm: str | None = None) -> Comparison:
    """Run ``b`` against run ``a`` (a :class:`Run` or a run folder), algorithm by algorithm,
    or, with one run and no algorithm pair, the paired tests between its algorithms."""
    run_a = _as_run(a)
    if b is None and not (a_algorithm and b_algorithm):
        try:
            rows = within_run(run_a.per_user, metrics)
        except RecbenchError as exc:            # name the run folder
            where = run_a.folder or "the run"
            raise type(exc)(f"{where}: {exc}") from None
        return Comparison("within", rows, notes=[WITHIN_NOTE])
    run_b = run_a if b is None else _as_run(b)
    if bool(a_algorithm) != bool(b_algorithm):
        raise ConfigError("give both algorithms to compare (--a and --b), or neither.")
    pairs = [(a_algorithm.lower(), b_algorithm.lower())] if a_algorithm else None
    for flag, run_, name in (("--a", run_a, a_algorithm), ("--b", run_b, b_algorithm)):
        labels = [x["algorithm"] for x in run_.record.get("algorithms", [])]
        if name and name.lower() not in labels:
            which = "A" if flag == "--a" or b is None else "B"
            raise ConfigError(f"{flag} {name}: run {which} has no algorithm of that label; its "
                              f"algorithms are: {', '.join(labels)}.")
    metrics = metrics or [m for m in columns_of(run_a.record) if not is_timing(m)]
    rows, gate, notes = compare_records(run_a.record, run_a.per_user, run_b.record,
                                        run_b.per_user, metrics, pairs, gate_metric, tolerance)
    return Comparison("runs", rows, gate, float(tolerance), notes)


def transfer(source="ml-latest-small", target="ml-100k", **settings):
    """The transfer study (see :mod:`recbench.experiments.transfer`); returns a
    :class:`~recbench.reporting.transfer.TransferStudy`. ``command``: what the record says
    ran (default: this call)."""
    command = settings.pop("command", None) or f"recbench.transfer({source!r}, {target!r})"
    out = transfer_study(source, target, **settings)
    return TransferStudy(build_transfer_record(out, command))
