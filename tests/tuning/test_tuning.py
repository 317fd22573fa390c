"""Equal-budget tuning nested inside each training fold (recbench.tuning)."""

from __future__ import annotations

import copy
import csv
import json

import pandas as pd
import pytest

import recbench
from recbench.algorithms import load_class, registered
from recbench.algorithms.baselines import BestRated
from recbench.algorithms.params import check_space
from recbench.algorithms.spec import resolve_algorithms
from recbench.cli.main import main
from recbench.errors import ConfigError
from recbench.evaluation.protocol import Protocol, Relevance
from recbench.experiments.job import EvalSettings, run_job
from recbench.metrics import resolve
from recbench.random import derive_rng
from recbench.splitting import Fold
from recbench.splitting.per_user import per_user
from recbench.testing import fixture
from recbench.tuning import FloatRange, IntRange, Tuning
from recbench.tuning.nested import validation_score
from recbench.tuning.settings import tuned_algorithms
from recbench.tuning.space import default_space
from tests.support import tiny_ratings


class Recorder(BestRated):
    """BestRated that logs every rating it is fitted on and every (user, item) it scores or
    predicts, in call order (one list for the whole process: jobs run in-process here)."""

    name = "recorder"
    LOG: list = []

    def fit(self, train, items=None):
        Recorder.LOG.append(("fit", set(zip(train["user"], train["item"], train["rating"]))))
        return super().fit(train, items)

    def score(self, users, items):
        Recorder.LOG.append(("score", set(map(str, users)), set(map(str, items))))
        return super().score(users, items)

    def predict(self, users, items):
        Recorder.LOG.append(("predict", set(zip(map(str, users), map(str, items)))))
        return super().predict(users, items)


class Interrupted(BestRated):
    """BestRated whose fit number ``STOP_AT`` (1-based, counted over the process) raises
    KeyboardInterrupt, as Ctrl-C would in the middle of a trial."""

    name = "interrupted"
    STOP_AT: int | None = None
    FITS = 0

    def fit(self, train, items=None):
        Interrupted.FITS += 1
        if Interrupted.STOP_AT is not None and Interrupted.FITS == Interrupted.STOP_AT:
            raise KeyboardInterrupt
        return super().fit(train, items)


def _without_timings(record: dict) -> dict:
    """The record minus what may differ between two identical runs: clock readings."""
    r = copy.deepcopy(record)
    r["manifest"].pop("created", None)
    r["results"] = [x for x in r["results"] if not x["metric"].endswith("_time_s")]
    for job in r.get("tuning", {}).get("jobs", []):
        job.pop("seconds")
        for t in job["trials"]:
            t.pop("seconds")
    return r


def _ids(entry) -> set:
    """Every user and item id a log entry names."""
    if entry[0] == "score":
        return entry[1] | entry[2]
    return {x for t in entry[1] for x in t[:2]}


# -- search spaces -------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(registered()))
def test_every_default_space_lies_inside_the_constraints_and_holds_the_defaults(name):
    cls = load_class(name)
    space = default_space(cls)
    check_space(name, cls, space)           # raises when a range leaves param_constraints
    defaults = cls.default_params()
    for param, r in space.items():
        r.start(defaults[param])            # raises ValueError when the default is outside


def test_the_declared_spaces_follow_the_literature():
    from recbench.algorithms.topn.ease import EASE
    from recbench.algorithms.topn.knn import ItemKNN
    assert ItemKNN.search_space["k"] == IntRange(5, 1000, log=True)
    assert ItemKNN.search_space["shrink"] == FloatRange(0, 1000)
    assert EASE.search_space["l2"] == FloatRange(1, 1e7, log=True)
    tunable = {n for n in registered() if default_space(load_class(n))}
    assert {"svd", "svdpp", "nmf", "knnbasic", "knnwithmeans", "knnbaseline", "coclustering",
            "itemknn", "userknn", "ease", "rp3beta", "puresvd", "ials", "bpr", "tfidf",
            "bestrated", "mlp"} <= tunable


def test_a_space_outside_the_constraints_is_refused():
    from recbench.algorithms.topn.ease import EASE
    with pytest.raises(ConfigError, match="leaves the parameter's constraints"):
        check_space("ease", EASE, {"l2": FloatRange(0, 10)})      # l2 > 0
    with pytest.raises(ConfigError, match="not a parameter"):
        check_space("ease", EASE, {"lambda": FloatRange(1, 10)})


# -- (a) the test fold is never seen while tuning -------------------------------------------

@pytest.mark.parametrize("objective", ["ndcg@10", "rmse"])
def test_the_test_fold_is_never_seen_while_tuning(objective):
    train, test, items = fixture()
    # a user and an item that exist only in the test part: any tuning call naming one of
    # them would have read the test fold
    cold = pd.DataFrame({"user": ["cold-user"] * 3 + ["u1"], "item": ["i1", "i2", "i3", "cold-item"],
                         "rating": [5.0, 4.0, 5.0, 5.0],
                         "timestamp": pd.array([0, 0, 0, 0], dtype="Int64")})
    fold = Fold("f1", train, pd.concat([test, cold], ignore_index=True))
    trials = 4
    spec, = tuned_algorithms(resolve_algorithms([Recorder()]),
                             Tuning(trials=trials, objective=objective, defaults=False))
    settings = EvalSettings(tuple(resolve(["rmse", "ndcg@10"], [10])), Protocol(Relevance(4.0), rating_scale=(1.0, 5.0)), 0)
    Recorder.LOG.clear()
    result = run_job(spec, fold, items, settings)
    assert result.error is None
    log = list(Recorder.LOG)
    fits = [i for i, entry in enumerate(log) if entry[0] == "fit"]
    assert len(fits) == trials + 1                     # every trial, then the one refit
    tuning, final = log[:fits[-1]], log[fits[-1]:]

    train_ratings = set(zip(train["user"], train["item"], train["rating"]))
    train_pairs = {(u, i) for u, i, _ in train_ratings}
    test_pairs = set(zip(fold.test["user"], fold.test["item"]))
    cold_ids = {"cold-user", "cold-item"}
    for entry in tuning:
        if entry[0] == "fit":
            assert entry[1] < train_ratings            # a part of the training ratings only
            assert not {(u, i) for u, i, _ in entry[1]} & test_pairs
        elif entry[0] == "predict":
            assert entry[1] <= train_pairs - {(u, i) for u, i, _ in log[0][1]}   # validation
            assert not entry[1] & test_pairs
        else:
            users, items_scored = entry[1], entry[2]
            assert users <= set(train["user"]) and items_scored <= set(train["item"])
        assert not cold_ids & _ids(entry)
    kinds = {e[0] for e in tuning}
    assert kinds == ({"fit", "predict"} if objective == "rmse" else {"fit", "score"})
    # the recorder does see the test fold where it should: the refit and its evaluation
    assert final[0][1] == train_ratings
    predicted = set().union(*[e[1] for e in final if e[0] == "predict"])
    assert predicted == test_pairs and "cold-item" in {i for _, i in predicted}
    assert "cold-user" in set().union(*[e[1] for e in final if e[0] == "score"])
    v = result.tuning["validation"]
    assert v["fit_ratings"] + v["validation_ratings"] == len(train)


# -- (b) same seed, same tuning; (c) trial 0 is the defaults ---------------------------------

def _tiny_run(seed=0, **tune):
    return recbench.run(tiny_ratings(40, 50, 0.35), ["itemknn", "svd", "popularity"], folds=2,
                        k=10, seed=seed, metrics=["rmse", "ndcg@10"],
                        tune=Tuning(**({"trials": 5} | tune)))


def test_the_same_seed_gives_the_same_best_parameters_and_record():
    a, b = _tiny_run(), _tiny_run()
    best = lambda run: [(j["algorithm"], j["fold"], j["best"]) for j in run.record["tuning"]["jobs"]]
    assert best(a) == best(b) and len(best(a)) == 4
    assert _without_timings(a.record) == _without_timings(b.record)
    assert a.per_user.equals(b.per_user)
    other = _tiny_run(seed=1)
    assert [j["trials"][1]["params"] for j in other.record["tuning"]["jobs"]] != \
        [j["trials"][1]["params"] for j in a.record["tuning"]["jobs"]]


def test_trial_0_is_the_defaults_and_scores_as_a_default_model():
    run = recbench.run(tiny_ratings(40, 50, 0.35), [("svd", "svd", {"n_epochs": 10})],
                       split="holdout", k=10, seed=3, tune={"trials": 3, "objective": "rmse"})
    job, = run.record["tuning"]["jobs"]
    assert job["trials"][0]["params"] == {"n_factors": 100, "lr_all": 0.005, "reg_all": 0.02}
    assert job["fixed"] == {"n_epochs": 10} and "n_epochs" not in job["space"]
    assert run.record["tuning"]["direction"] == "minimize"
    # the same default model, fitted and scored by hand on the same validation part
    from recbench.algorithms.surprise.svd import SVD
    from recbench.splitting import make_folds
    ds = recbench.load_dataset(tiny_ratings(40, 50, 0.35))
    fold, = make_folds(ds, "holdout", derive_rng(3, "split"))
    keys = ("fold", fold.name, "algorithm", "svd (tuned)")
    part, = per_user(fold.train, derive_rng(3, *keys, "validation"), test_size=0.2)
    algo = SVD(n_epochs=10, random_state=job["seeds"]["random_state"]).fit(part.train)
    settings = EvalSettings((), Protocol(Relevance(4.0), rating_scale=ds.rating_scale), 3)
    value = validation_score(algo, part.train, part.test, resolve(["rmse"], [10])[0], settings,
                             derive_rng(3, *keys, "validation", "ties"))
    assert job["trials"][0]["value"] == pytest.approx(value, abs=1e-12)


def test_tuned_rows_sit_beside_default_rows_with_their_tuning_time():
    run = _tiny_run(trials=2)
    assert run.algorithms == ["itemknn", "itemknn (tuned)", "svd", "svd (tuned)", "popularity"]
    timed = {r["algorithm"] for r in run.results if r["metric"] == "tune_time_s"}
    assert timed == {"itemknn (tuned)", "svd (tuned)"}
    assert run.record["tuning"]["tuned"] == ["itemknn (tuned)", "svd (tuned)"]
    only = recbench.run(tiny_ratings(40, 50, 0.35), ["ease", "popularity"], folds=2,
                        tune=Tuning(trials=2, defaults=False))
    assert only.algorithms == ["ease (tuned)", "popularity"]


def test_optuna_logging_is_left_as_it_was(capsys):
    import optuna
    before = optuna.logging.get_verbosity()
    _tiny_run(trials=2)
    assert optuna.logging.get_verbosity() == before
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


# -- (d) a small-budget tuning run end to end through the command line ----------------------

TOML = """name = "tuned-tiny"
dataset = "{csv}"
folds = 2
k = [10]
metrics = ["rmse", "ndcg@10", "precision@10"]
{extra}
[algorithms.itemknn]
[algorithms.ease]
[algorithms.svd]
[algorithms.popularity]
"""


@pytest.fixture
def ratings_csv(tmp_path):
    path = tmp_path / "ratings.csv"
    tiny_ratings(50, 60, 0.3).to_csv(path, index=False)
    return path


def test_small_budget_tuning_run_through_the_cli(tmp_path, ratings_csv, capsys):
    exp = tmp_path / "tuned.toml"
    exp.write_text(TOML.format(csv=ratings_csv, extra="[tuning]\ntrials = 3\n"
                               "[tuning.space.svd]\nn_factors = {low = 5, high = 150, log = true}"
                               "\n[tuning.fixed.itemknn]\nnormalize = true"))
    out = tmp_path / "results" / "tuned-tiny"
    assert main(["run", str(exp), "--output-dir", str(out), "-q"]) == 0
    table = capsys.readouterr().out
    assert "svd (tuned)" in table and "ease (tuned)" in table and "tune_time_s" in table
    record = json.loads((out / "run.json").read_text())
    jobs = record["tuning"]["jobs"]
    assert len(jobs) == 2 * 3 and all(len(j["trials"]) == 3 for j in jobs)
    assert {j["algorithm"]: j["space"].get("n_factors") for j in jobs}["svd (tuned)"] == \
        {"type": "int", "low": 5, "high": 150, "log": True}
    assert all(j["fixed"] == {"normalize": True} for j in jobs if j["base"] == "itemknn")
    rows = list(csv.DictReader((out / "trials.csv").open()))
    assert len(rows) == 2 * 3 * 3
    assert {r["fold"] for r in rows} == {"fold1", "fold2"}
    assert all(json.loads(r["params"]) for r in rows)
    assert "## Tuning" in (out / "results.md").read_text()
    assert main(["tables", str(out), "--check"]) == 0          # re-rendered byte for byte
    assert main(["compare", str(out), str(out), "-q"]) == 0     # compare works as on any run
    assert main(["compare", str(out), "--a", "svd", "--b", "svd (tuned)"]) in (0, 1)
    assert not (tmp_path / "results" / ".tuned-tiny.jobs").exists()    # store removed


def test_tune_flags_on_the_command_line(tmp_path, ratings_csv, capsys):
    out = tmp_path / "flags"
    assert main(["run", "--dataset", str(ratings_csv), "--folds", "2", "--algorithms",
                 "puresvd,popularity", "--metrics", "ndcg@10", "--tune", "--trials", "2",
                 "--objective", "precision@5", "--output-dir", str(out), "-q"]) == 0
    record = json.loads((out / "run.json").read_text())
    assert record["tuning"]["trials"] == 2 and record["tuning"]["objective"] == "precision@5"
    assert [a["algorithm"] for a in record["algorithms"]] == ["puresvd", "puresvd (tuned)",
                                                               "popularity"]


# -- (e) bad tuning settings: exit 2, one sentence, nothing run ------------------------------

@pytest.mark.parametrize("extra,words", [
    ("[tuning]\ntrails = 3", "unknown key 'trails' in [tuning]"),
    ("tuning = 5", "'tuning' = 5 must be a table: write [tuning] on its own line"),
    ("[tuning]\nobjective = \"ndgc@10\"", "ndgc"),
    ("[tuning]\nobjective = \"fit_time_s\"", "timing metric"),
    ("[tuning]\ntrials = 0", "trials 0 is invalid"),
    ("[tuning]\ntrials = \"many\"", "[tuning] trials = 'many' has the wrong type"),
    ("[tuning]\nvalidation_share = 1.5", "validation_share 1.5 is invalid"),
    ("[tuning.space.nope]\nk = {low = 1, high = 2}", "[tuning.space.nope] names no algorithm"),
    ("[tuning.space.svd]\nn_factors = {low = 0, high = 10, log = true}", "log scale"),
    ("[tuning.space.svd]\nn_factors = {low = 5, hi = 10}", "unknown key 'hi'"),
    ("[tuning.space.svd]\nbogus = {low = 1, high = 2}", "not a parameter"),
    ("[tuning.space.svd]\nn_factors = {low = 10, high = 50}",
     "trial 0 starts from n_factors=100 (its default), which lies outside the search space "
     "int range [10, 50]; widen the range"),
    ("[tuning.space.svd]\nn_factors = {low = 10.0, high = 200.0}",
     "float range [10.0, 200.0] leaves the parameter's constraints; it must be a whole number"),
    ("[tuning]\nalgorithms = [\"svd\"]\n[tuning.space.itemknn]\nk = {low = 5, high = 50}",
     "[tuning.space.itemknn] is given, but [tuning] algorithms leaves itemknn out"),
    ("[tuning]\nalgorithms = [\"svd\"]\n[tuning.fixed.itemknn]\nk = 5",
     "[tuning.fixed.itemknn] is given, but [tuning] algorithms leaves itemknn out"),
    ("[tuning.fixed.popularity]\nk = 5", "popularity has no search space"),
    ("[tuning.space.svd]\nn_factors = {low = 10, high = 200}\n[tuning.fixed.svd]\nn_factors = 50",
     "svd's n_factors is both searched ([tuning.space.svd]) and fixed ([tuning.fixed.svd])"),
    ("[tuning]\nalgorithms = []", "tuning algorithms is empty"),
    ("[tuning]\nalgorithms = [\"ease\"]\n[tuning.fixed.ease]\nl2 = 50.0",
     "every parameter of ease's search space is fixed"),
    # popularity's one parameter is weighted (issue 23), so the space names no parameter of it
    ("[tuning.space.popularity]\nk = {low = 1, high = 2}",
     "the search space names 'k', which is not a parameter; its parameters are: weighted"),
    ("[tuning.space.ease]\nl2 = {low = 0.0, high = 10.0}", "leaves the parameter's constraints"),
    ("[tuning.fixed.svd]\nn_factor = 3", "'n_factor' is not a parameter"),
    ("[tuning]\nobjective = \"rmse\"", "predicts no ratings, so it cannot be tuned on rmse"),
    ("[tuning]\nalgorithms = [\"popularity\"]", "popularity has no search space"),
])
def test_bad_tuning_settings_exit_2_with_one_sentence(tmp_path, ratings_csv, capsys, extra, words):
    exp = tmp_path / "bad.toml"
    exp.write_text(TOML.format(csv=ratings_csv, extra=extra))
    out = tmp_path / "out"
    assert main(["run", str(exp), "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("recbench: error: ") and len(err.splitlines()) == 1
    assert words in err and str(exp) in err and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize("argv,words", [
    (["--tune", "--trials", "0"], "trials 0 is invalid"),
    (["--tune", "--objective", "nope@10"], "nope"),
    (["--trials", "3"], "--trials only applies to a tuned run; add --tune"),
    (["--tune", "--validation-share", "0"], "validation_share 0.0 is invalid"),
])
def test_bad_tune_flags_exit_2(tmp_path, ratings_csv, capsys, argv, words):
    code = main(["run", "--dataset", str(ratings_csv), "--algorithms", "svd", "--folds", "2",
                 "--output-dir", str(tmp_path / "out"), *argv])
    err = capsys.readouterr().err.strip()
    assert code == 2 and words in err and len(err.splitlines()) == 1


def test_bad_tuning_in_the_api_is_refused_before_any_fit():
    with pytest.raises(ConfigError, match="tuning option 'trails' is unknown"):
        recbench.experiment(tiny_ratings(), ["svd"], tune={"trails": 3})
    with pytest.raises(ConfigError, match="tuning names the algorithm 'ease'"):
        recbench.experiment(tiny_ratings(), ["svd"], tune={"space": {"ease": {}}})


# -- (f) an interrupted tuning run resumes where it stopped ---------------------------------

def _interrupted_run(store, resume=False):
    return recbench.run(tiny_ratings(40, 50, 0.35), [Interrupted(), "popularity"],
                        split="holdout", k=10, metrics=["ndcg@10"], seed=2,
                        tune=Tuning(trials=4, defaults=False), job_store=store, resume=resume)


def test_interrupted_tuning_resumes_at_the_trial_it_reached(tmp_path):
    Interrupted.FITS, Interrupted.STOP_AT = 0, 3          # Ctrl-C inside trial 2 (of 0..3)
    with pytest.raises(KeyboardInterrupt):
        _interrupted_run(tmp_path / "jobs")
    journals = list((tmp_path / "jobs").glob("*.trials.journal"))
    assert len(journals) == 1
    Interrupted.FITS, Interrupted.STOP_AT = 0, None
    resumed = _interrupted_run(tmp_path / "jobs", resume=True)
    assert Interrupted.FITS == 2 + 1                      # trials 2 and 3, then the refit
    Interrupted.FITS = 0
    whole = _interrupted_run(tmp_path / "whole")
    assert Interrupted.FITS == 4 + 1
    job, = resumed.record["tuning"]["jobs"]
    assert [t["trial"] for t in job["trials"]] == [0, 1, 2, 3]
    assert _without_timings(resumed.record) == _without_timings(whole.record)
    assert resumed.per_user.equals(whole.per_user)


def test_tuning_settings_are_part_of_the_job_key(tmp_path):
    from recbench.experiments.jobstore import job_key
    a = recbench.experiment(tiny_ratings(), ["ease"], tune=Tuning(trials=3))
    b = recbench.experiment(tiny_ratings(), ["ease"], tune=Tuning(trials=4))
    c = recbench.experiment(tiny_ratings(), ["ease"], tune=Tuning(trials=3, objective="map@10"))
    keys = [job_key(e, e.algorithms[1], "fold1") for e in (a, b, c)]
    assert len(set(keys)) == 3
    assert job_key(a, a.algorithms[0], "fold1") == job_key(b, b.algorithms[0], "fold1")


def test_fixed_parameters_hold_for_names_and_instances():
    from recbench.algorithms.topn.knn import ItemKNN
    run = recbench.run(tiny_ratings(40, 50, 0.35),
                       [ItemKNN(k=20), ("knn2", "itemknn", {"shrink": 10.0})], folds=2, k=10,
                       metrics=["ndcg@10"],
                       tune=Tuning(trials=2, fixed={"itemknn": {"normalize": True},
                                                    "knn2": {"normalize": True}}))
    params = {a["algorithm"]: a["params"] for a in run.record["algorithms"]}
    assert params["itemknn (tuned)"]["normalize"] is True and params["itemknn (tuned)"]["k"] == 20
    assert params["knn2 (tuned)"]["normalize"] is True and params["knn2 (tuned)"]["shrink"] == 10.0
    assert params["itemknn"]["normalize"] is False            # the default rows stay as given
    jobs = {j["algorithm"]: j for j in run.record["tuning"]["jobs"]}
    assert set(jobs["itemknn (tuned)"]["space"]) == {"shrink"}   # k set on the instance
    assert set(jobs["knn2 (tuned)"]["space"]) == {"k"}


def test_a_tuned_row_whose_best_trial_is_the_defaults_equals_the_default_row():
    """Trial 0 is the defaults and the refit keeps the default row's random_state, so with a
    budget of one trial the tuned row is the default row, value for value."""
    run = recbench.run(tiny_ratings(40, 50, 0.35), ["puresvd", "svd"], folds=2, k=10,
                       metrics=["rmse", "ndcg@10"], tune=Tuning(trials=1))
    pu = run.per_user
    for base in ("puresvd", "svd"):
        rows = [pu[pu.algorithm == label].drop(columns="algorithm").reset_index(drop=True)
                for label in (base, base + " (tuned)")]
        pd.testing.assert_frame_equal(*rows)
    seeds = {a["algorithm"]: a["seeds"] for a in run.record["algorithms"]}
    assert seeds["svd"] == seeds["svd (tuned)"]


def test_defaults_vs_tuned_table_pairs_folds_and_survives_a_failed_job():
    from recbench.reporting.tuning import defaults_vs_tuned_lines
    record = {"tuning": {"objective": "ndcg@10", "direction": "maximize",
                         "tuned": ["svd (tuned)", "ease (tuned)"]},
              "results": [
                  {"algorithm": "svd", "metric": "ndcg@10", "mean": 0.2, "folds": [0.1, 0.2, 0.3]},
                  {"algorithm": "svd (tuned)", "metric": "ndcg@10", "mean": 0.35,
                   "folds": [0.3, None, 0.4]},          # fold 2's tuned job failed
                  {"algorithm": "ease", "metric": "ndcg@10", "mean": 0.4, "folds": [0.4]},
                  {"algorithm": "ease (tuned)", "metric": "ndcg@10", "mean": None, "folds": [None]}]}
    text = "\n".join(defaults_vs_tuned_lines(record))
    row = next(line for line in text.splitlines() if line.startswith("| svd"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    # folds 1 and 3 only: defaults (0.1 + 0.3) / 2, tuned (0.3 + 0.4) / 2, both folds better
    assert cells == ["svd", "0.2000", "0.3500", "+0.1500", "+75.0%", "2/2"]
    assert "| ease" not in text            # no fold where both rows have a value


@pytest.mark.parametrize("described, value, edge", [
    ({"type": "float", "low": 0.0, "high": 100.0, "log": False}, 96.7, "high"),   # 96.7% of the way
    ({"type": "float", "low": 0.0, "high": 100.0, "log": False}, 94.9, None),
    ({"type": "float", "low": 0.0, "high": 1000.0, "log": False}, 50.0, "low"),   # 5.0% exactly
    ({"type": "float", "low": 0.0, "high": 1000.0, "log": False}, 50.1, None),
    # log 1..1e4: 10 sits at 25% of the log width, 1.5 at 4.4%, 9000 at 98.9%
    ({"type": "float", "low": 1.0, "high": 1e4, "log": True}, 10.0, None),
    ({"type": "float", "low": 1.0, "high": 1e4, "log": True}, 1.5, "low"),
    ({"type": "int", "low": 5, "high": 1000, "log": True}, 100, None),     # 56.5% of the log width
    ({"type": "int", "low": 5, "high": 1000, "log": True}, 1000, "high"),
    ({"type": "choice", "values": [1, 2]}, 1, None),
    ({"type": "int", "low": 3, "high": 3, "log": False}, 3, None),                   # no width
    ({"type": "float", "low": 0.3, "high": 0.7, "log": False}, 0.32, "low"),   # 5%, rounded up
    ({"type": "float", "low": 0.0, "high": 1.0, "log": False}, 5.0, None),     # not in the range
    ({"type": "int", "high": 3}, 1, None),                                     # malformed entry
    ({"type": "float", "low": None, "high": 3.0}, 1.0, None),
])
def test_a_best_value_at_the_end_of_its_range_is_flagged(described, value, edge):
    from recbench.tuning.space import at_edge
    assert at_edge(described, value) == edge


def test_the_per_fold_tuning_table_marks_parameters_at_an_end():
    from recbench.reporting.tuning import tuning_lines
    space = {"damping": {"type": "float", "low": 0.0, "high": 100.0, "log": False},
             "k": {"type": "int", "low": 5, "high": 1000, "log": True}}
    record = {"tuning": {
        "trials": 3, "objective": "ndcg@10", "direction": "maximize", "validation_share": 0.2,
        "optuna": "x", "sampler": {"name": "TPESampler", "n_startup_trials": 2,
                                   "multivariate": True},
        "tuned": ["a (tuned)"], "jobs": [
            {"algorithm": "a (tuned)", "fold": "fold1", "space": space, "completed": 3,
             "failed": 0, "seconds": 1.0, "trials": [{"value": 0.1}],
             "best": {"trial": 2, "value": 0.2, "params": {"damping": 99.0, "k": 50}}}]},
        "results": []}
    text = "\n".join(tuning_lines(record))
    assert "| damping=99 (high end), k=50 " in text
    assert "within 5% of that end of its range" in text
    record["tuning"]["jobs"][0]["best"]["params"]["damping"] = 50.0
    text = "\n".join(tuning_lines(record))
    assert "| damping=50, k=50 " in text and "end)" not in text
