"""The Optuna side of tuning: storage, sampler, quiet logging and the sequential trial loop.

Trials run one after the other (Optuna's ``n_jobs=1``), driven by ask/tell. Trial 0 is the
algorithm's defaults (``enqueue_trial``); every later trial is sampled by a TPE sampler that
is made afresh for it and seeded from its index, so what a trial samples depends only on the
seed and the trials before it - a study resumed from its journal samples exactly what an
uninterrupted one would. A trial that raises (an algorithm refusing a parameter value, a
non-finite objective) is a failed trial: it counts against the budget, its reason is kept,
and TPE does not learn from it. A trial left running by an interruption (Ctrl-C, kill -9)
is neither: the resumed study runs that trial again.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from recbench.errors import failure_reason


@dataclass
class TrialRecord:
    trial: int              # 0 = the defaults
    params: dict
    value: float | None     # None: failed
    seconds: float
    state: str              # "complete" or "failed"
    error: str | None = None

    def to_dict(self) -> dict:
        return {"trial": self.trial, "params": self.params, "value": self.value,
                "seconds": self.seconds, "state": self.state, "error": self.error}


@contextlib.contextmanager
def quiet_optuna():
    """Optuna with its logging at ERROR and its experimental warnings off, for the block
    only: the verbosity it had is restored afterwards."""
    import optuna
    before = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield optuna
    finally:
        optuna.logging.set_verbosity(before)


def _sampler(optuna, seed_of, n_startup: int):
    class PerTrialTPE(optuna.samplers.BaseSampler):
        """TPE whose random state depends only on the trial's index (``index``, set by the
        loop before each ``ask``)."""

        def __init__(self):
            self.index = 0
            self._tpe = None

        def before_trial(self, study, trial):
            self._tpe = optuna.samplers.TPESampler(
                seed=seed_of(self.index), n_startup_trials=n_startup, multivariate=True,
                constant_liar=False)
            self._tpe.before_trial(study, trial)

        def infer_relative_search_space(self, study, trial):
            return self._tpe.infer_relative_search_space(study, trial)

        def sample_relative(self, study, trial, search_space):
            return self._tpe.sample_relative(study, trial, search_space)

        def sample_independent(self, study, trial, name, distribution):
            return self._tpe.sample_independent(study, trial, name, distribution)

        def after_trial(self, study, trial, state, values):
            self._tpe.after_trial(study, trial, state, values)

    return PerTrialTPE()


def repair_journal(journal: Path) -> int:
    """Cut a journal back to its last complete operation: a kill during a write leaves its
    last line torn, which Optuna cannot read. Returns the bytes removed (0: it was whole).
    The trial that was being written is then unfinished, so it does not count and is run
    again: the study resumes from its last complete trial."""
    try:
        data = Path(journal).read_bytes()
    except FileNotFoundError:
        return 0
    keep = len(data)
    while keep:
        start = data.rfind(b"\n", 0, keep - 1) + 1
        line = data[start:keep]
        try:
            if line.endswith(b"\n"):
                json.loads(line)
                break
        except ValueError:
            pass
        keep = start
    if keep < len(data):
        with open(journal, "r+b") as fh:
            fh.truncate(keep)
    return len(data) - keep


def _storage(optuna, journal):
    if journal is None:
        return optuna.storages.InMemoryStorage()
    from optuna.storages.journal import JournalFileBackend, JournalStorage
    Path(journal).parent.mkdir(parents=True, exist_ok=True)
    repair_journal(Path(journal))
    return JournalStorage(JournalFileBackend(str(journal)))


def _finished(optuna, study) -> list:
    """Trials that count against the budget, in order: completed ones and those this loop
    failed (an interrupted trial is still RUNNING and does not count)."""
    states = optuna.trial.TrialState
    return [t for t in study.get_trials(deepcopy=False)
            if t.state == states.COMPLETE or (t.state == states.FAIL and "error" in t.user_attrs)]


def optimise(objective, space: dict, start: dict, n_trials: int, direction: str, seed_of,
             n_startup: int, journal=None, name: str = "recbench", verbose: bool = False):
    """Run ``objective(params) -> float`` until ``n_trials`` trials have finished (those in
    ``journal`` included) and return their :class:`TrialRecord` list, trial 0 first."""
    with quiet_optuna() as optuna:
        states = optuna.trial.TrialState
        sampler = _sampler(optuna, seed_of, n_startup)
        study = optuna.create_study(storage=_storage(optuna, journal), study_name=name,
                                    direction=direction, sampler=sampler, load_if_exists=True)
        done = _finished(optuna, study)
        waiting = study.get_trials(deepcopy=False, states=(states.WAITING,))
        if not done and not waiting:
            study.enqueue_trial(start, user_attrs={"defaults": True})
        while len(done) < n_trials:
            sampler.index = len(done)
            trial = study.ask()
            params = {key: r.suggest(trial, key) for key, r in space.items()}
            t0 = time.perf_counter()
            try:
                value, error = float(objective(params)), None
                if not math.isfinite(value):
                    error = (f"the objective is {value} on the validation part (no validation "
                             f"user with a relevant candidate?)")
            except (Exception, SystemExit) as exc:   # one failed trial; the study goes on
                value, error = None, failure_reason(exc, verbose)
            trial.set_user_attr("seconds", time.perf_counter() - t0)
            if error is None:
                study.tell(trial, value)
            else:
                trial.set_user_attr("error", error)
                study.tell(trial, state=states.FAIL)
            done = _finished(optuna, study)
        return [TrialRecord(i, dict(t.params), t.value if t.state == states.COMPLETE else None,
                            float(t.user_attrs.get("seconds", 0.0)),
                            "complete" if t.state == states.COMPLETE else "failed",
                            t.user_attrs.get("error"))
                for i, t in enumerate(done[:n_trials])]


def best_trial(trials: list[TrialRecord], direction: str) -> TrialRecord | None:
    """The completed trial with the best value; the earliest among equals (so the defaults
    win a tie)."""
    done = [t for t in trials if t.state == "complete"]
    if not done:
        return None
    sign = -1.0 if direction == "maximize" else 1.0
    return min(done, key=lambda t: (sign * t.value, t.trial))
