"""A corpus of bad inputs: every one is exit code 2 with one sentence naming what is wrong,
and no traceback. Each case runs the real command line in-process (``recbench.cli.main``)."""

import gzip
import json
import os
from pathlib import Path

import pytest

from recbench.cli.main import main
from tests.support import ML100K, tiny_ratings

GOOD_CSV = tiny_ratings(n_users=12, n_items=10, density=0.6, seed=1).to_csv(index=False)
TOML_OK = 'name = "ok"\ndataset = "r.csv"\nfolds = 2\n[algorithms.globalmean]\n'


def toml(extra: str) -> dict:
    return {"e.toml": extra}


RUN = ["run", "--dataset", "r.csv", "--folds", "2", "--algorithms", "globalmean", "-q"]

# (id, argv, files to create, words the message must contain)
CASES = [
    # -- command-line options of run -------------------------------------------------------
    ("seed-negative", RUN + ["--seed", "-1"], {}, ["seed -1"]),
    ("seed-huge", RUN + ["--seed", str(2**40)], {}, ["seed", "4294967295"]),
    ("seed-text", RUN + ["--seed", "abc"], {}, ["--seed"]),
    ("n-jobs-zero", RUN + ["--n-jobs", "0"], {}, ["n_jobs=0"]),
    ("n-jobs-negative", RUN + ["--n-jobs", "-4"], {}, ["n_jobs=-4"]),
    ("threads-zero", RUN + ["--threads", "0"], {}, ["threads=0"]),
    ("format-bogus", RUN + ["--format", "bogus"], {}, ["--format", "bogus"]),
    ("k-zero", RUN + ["--k", "0"], {}, ["--k"]),
    ("k-text", RUN + ["--k", "a,b"], {}, ["--k", "malformed"]),
    ("k-empty", RUN + ["--k", ","], {}, ["--k"]),
    ("folds-one", RUN + ["--folds", "1"], {}, ["--folds 1"]),
    ("folds-huge", RUN + ["--folds", "100000"], {}, ["--folds 100000"]),
    ("folds-not-a-number", RUN + ["--folds", "2.5"], {},
     ["argument --folds: '2.5' is not a whole number", "recbench run --help"]),
    ("trials-not-a-number", RUN + ["--tune", "--trials", "abc"], {},
     ["argument --trials: 'abc' is not a whole number"]),
    ("share-not-a-number", RUN + ["--tune", "--validation-share", "x"], {},
     ["argument --validation-share: 'x' is not a finite number"]),
    ("objective-two-metrics", RUN + ["--tune", "--objective", "ndcg@10,rmse"], {},
     ["names several metrics"]),
    ("unknown-option", RUN + ["--nosuch"], {}, ["unrecognized arguments: --nosuch"]),
    ("sep-empty", RUN + ["--sep", ""], {}, ["--sep '' is not a field separator"]),
    ("output-dir-empty", RUN + ["--output-dir", ""], {},
     ["argument --output-dir: an empty folder name"]),
    ("items-a-folder", RUN + ["--items", "adir"], {"adir/x.csv": "item,title\n1,a\n"},
     ["adir is a folder; give --items the path of a file inside it"]),
    ("items-empty", RUN + ["--items", "empty.csv"], {"empty.csv": ""},
     ["empty.csv is empty; it needs a header, then one item per line"]),
    ("eval-prediction-folder", ["eval", "--train", "r.csv", "--test", "r.csv", "p=adir"],
     {"adir/x.csv": "x"}, ["adir is a folder; give LABEL=PATH"]),
    ("data-dir-missing", ["run", "--dataset", "ml-100k", "--data-dir", "nowhere", "-q"], {},
     ["--data-dir (data_dir) nowhere does not exist; give the folder that holds the datasets"]),
    ("resume-without-folder", RUN + ["--resume"], {},
     ["--resume continues the run in a named folder; give the interrupted run's --output-dir"]),
    ("same-column-twice", RUN + ["--user-col", "user", "--item-col", "user"], {},
     ["--user-col and --item-col both name column 'user'"]),
    ("temporal-without-timestamps", ["run", "--dataset", "r.csv", "--algorithms", "globalmean",
                                     "--split", "temporal"], {"r.csv": "user,item,rating\n"
     + "\n".join(f"u{u},i{i},{1 + (u + i) % 5}" for u in range(6) for i in range(5))},
     ["--split temporal needs a timestamp on every rating, and this dataset has none",
      "--timestamp-col"]),
    ("timestamp-col-missing", RUN + ["--timestamp-col", "nosuch"], {},
     ["r.csv has no column 'nosuch'", "--timestamp-col"]),
    ("toml-folds-with-holdout", ["run", "e.toml", "-q"],
     toml('name = "x"\ndataset = "r.csv"\nsplit = "holdout"\nfolds = 3\n[algorithms.globalmean]\n'),
     ["e.toml", "'folds' applies only to split = \"kfold\""]),
    ("toml-column-not-computed", ["run", "e.toml", "-q"],
     toml('name = "x"\ndataset = "r.csv"\nfolds = 2\nmetrics = ["rmse"]\ncolumns = ["ndcg@10"]\n'
          '[algorithms.globalmean]\n'),
     ["e.toml", "'columns' shows ndcg@10, which this run does not compute"]),
    ("toml-column-cutoff-not-in-k", ["run", "e.toml", "-q"],
     toml('name = "x"\ndataset = "r.csv"\nfolds = 2\nk = [5]\ncolumns = ["ndcg@10"]\n'
          '[algorithms.globalmean]\n'), ["'columns' shows ndcg@10", "k = [5]"]),
    ("tables-missing-folder", ["tables", "nosuch"], {}, ["nosuch does not exist; give a run folder"]),
    # an output folder that is not a run: replacing it would delete what it holds
    ("output-dir-not-a-run", RUN + ["--output-dir", "mydocs"], {"mydocs/notes.txt": "mine"},
     ["--output-dir mydocs holds files (notes.txt) and it is not a recbench run folder"]),
    ("output-dir-empty-run-json", RUN + ["--output-dir", "proj"],
     {"proj/run.json": "{}", "proj/thesis.tex": "mine"},
     ["proj holds files (run.json, thesis.tex)", "not a recbench run record"]),
    ("output-dir-invalid-run-json", RUN + ["--output-dir", "proj"],
     {"proj/run.json": "{not json", "proj/thesis.tex": "mine"}, ["not a recbench run record"]),
    ("output-dir-run-json-only", RUN + ["--output-dir", "proj"], {"proj/run.json": "[1, 2]"},
     ["proj holds files (run.json)", "not a recbench run record"]),
    ("output-dir-working-folder", RUN + ["--output-dir", "."], {},
     ["--output-dir . is the working folder or one above it"]),
    ("output-dir-parent", RUN + ["--output-dir", ".."], {}, ["is the working folder or one above"]),
    ("eval-output-dir-not-a-run", ["eval", "--train", "r.csv", "--test", "r.csv", "p=p.csv",
                                   "--output-dir", "mydocs"],
     {"mydocs/notes.txt": "mine", "p.csv": GOOD_CSV.replace("rating", "prediction", 1)},
     ["holds files (notes.txt) and it is not a recbench run folder"]),
    ("suite-same-name", ["run", "--suite", "suite", "-q"],
     {"suite/a.toml": TOML_OK, "suite/b.toml": TOML_OK},
     ["suite/a.toml and suite/b.toml both write results/ok (the same name); rename one"]),
    ("compare-unknown-a", ["compare", "good", "--a", "nosuch", "--b", "globalmean"], {},
     ["--a nosuch: run A has no algorithm of that label; its algorithms are: globalmean"]),
    ("compare-unknown-b", ["compare", "good", "good", "--a", "globalmean", "--b", "nosuch"], {},
     ["--b nosuch: run B has no algorithm of that label"]),
    ("plugin-typo", RUN[:-2] + ["globalmean,nosuchmod:Foo", "-q"], {},
     ["no module named 'nosuchmod' can be imported"]),
    ("transfer-output-file", ["transfer", "--source", "r.csv", "--target", "r.csv",
                              "--output-dir", "afile"], {"afile": "x"}, ["--output-dir afile is a file"]),
    ("test-size-with-kfold", RUN + ["--test-size", "0.2"], {}, ["--test-size", "does not apply"]),
    ("leave-out-with-holdout", ["run", "--dataset", "r.csv", "--split", "holdout", "--leave-out",
                                "2", "--algorithms", "globalmean"], {}, ["--leave-out", "does not apply"]),
    ("leave-out-negative", ["run", "--dataset", "r.csv", "--split", "user", "--leave-out", "-3",
                            "--algorithms", "globalmean"], {}, ["--leave-out -3"]),
    ("test-size-above-one", ["run", "--dataset", "r.csv", "--split", "holdout", "--test-size",
                             "1.5", "--algorithms", "globalmean"], {}, ["--test-size 1.5"]),
    ("test-size-zero", ["run", "--dataset", "r.csv", "--split", "holdout", "--test-size", "0",
                        "--algorithms", "globalmean"], {}, ["--test-size 0"]),
    ("split-bogus", RUN + ["--split", "bogus"], {}, ["unknown --split 'bogus'"]),
    ("split-predefined-missing", RUN + ["--split", "u1"], {}, ["unknown --split 'u1'"]),
    ("threshold-above-scale", RUN + ["--relevance-threshold", "6"], {}, ["--relevance-threshold 6", "scale"]),
    ("threshold-below-scale", RUN + ["--relevance-threshold", "0"], {}, ["--relevance-threshold 0"]),
    ("threshold-nan", RUN + ["--relevance-threshold", "nan"], {}, ["--relevance-threshold: 'nan' is not a finite number"]),
    ("metric-unknown", RUN + ["--metrics", "bogus"], {}, ["unknown metric 'bogus'"]),
    ("metric-cutoff-zero", RUN + ["--metrics", "ndcg@0"], {}, ["ndcg@0", "cutoff"]),
    ("metric-needless-cutoff", RUN + ["--metrics", "rmse@5"], {}, ["rmse@5", "takes no cutoff"]),
    ("metric-cutoff-text", RUN + ["--metrics", "ndcg@ten"], {}, ["ndcg@ten"]),
    ("algorithms-empty", RUN[:5] + ["--algorithms", ","], {}, ["--algorithms is empty"]),
    ("algorithm-unknown", RUN[:5] + ["--algorithms", "bogus"], {}, ["unknown algorithm 'bogus'"]),
    ("algorithm-twice", RUN[:5] + ["--algorithms", "svd,svd"], {}, ["--algorithms names svd twice"]),
    ("algorithm-twice-other-case", RUN[:5] + ["--algorithms", "svd,SVD"], {},
     ["--algorithms names svd twice (svd, SVD; names ignore case)", "[algorithms.svd-2]",
      'algorithm = "svd"']),
    ("algorithm-twice-plugin-classes", RUN[:5] + ["--algorithms", "a:Foo,b:foo"], {},
     ["--algorithms names foo twice (a:Foo, b:foo"]),
    ("param-negative", RUN[:5] + ["--algorithms", "svd", "--param", "svd.n_factors=-5"], {}, ["svd", "n_factors", "-5"]),
    ("param-text", RUN[:5] + ["--algorithms", "svd", "--param", "svd.n_factors=abc"], {}, ["n_factors", "'abc'"]),
    ("param-float-huge", RUN[:5] + ["--algorithms", "svd", "--param", "svd.n_factors=1e9"], {}, ["n_factors", "1000000000.0"]),
    ("param-int-huge", RUN[:5] + ["--algorithms", "svd", "--param", "svd.n_factors=1000000000"], {}, ["n_factors", "1000000000"]),
    ("param-unknown", RUN[:5] + ["--algorithms", "svd", "--param", "svd.bogus=1"], {}, ["no parameter 'bogus'"]),
    ("param-choice", RUN[:5] + ["--algorithms", "knnwithmeans", "--param", "knnwithmeans.sim=bogus"], {}, ["sim", "'bogus'"]),
    ("param-bool", RUN[:5] + ["--algorithms", "knnwithmeans", "--param", "knnwithmeans.user_based=yes"], {}, ["user_based", "'yes'"]),
    ("param-seed", RUN[:5] + ["--algorithms", "svd", "--param", "svd.random_state=-1"], {}, ["random_state", "-1"]),
    ("param-malformed", RUN[:5] + ["--algorithms", "svd", "--param", "bogus"], {}, ["--param 'bogus' is malformed"]),
    ("param-other-algorithm", RUN[:5] + ["--algorithms", "svd", "--param", "knnbasic.k=3"], {}, ["knnbasic", "not among"]),
    ("param-hybrid-component", RUN[:5] + ["--algorithms", "popularity,itemknn", "--param", "itemknn.k=0"], {}, ["itemknn", "k=0"]),
    ("output-dir-is-a-file", RUN + ["--output-dir", "afile"], {"afile": "x"}, ["--output-dir afile is a file"]),
    ("output-dir-under-a-file", RUN + ["--output-dir", "afile/sub"], {"afile": "x"}, ["afile", "is a file"]),
    ("experiment-and-config", ["run", "e.toml", "--config", "e.toml"], toml(TOML_OK), ["either as an argument or with --config"]),
    ("suite-with-file", ["run", "e.toml", "--suite", "."], toml(TOML_OK), ["--suite", "no experiment file"]),
    ("suite-empty", ["run", "--suite", "empty"], {"empty/.keep": ""}, ["--suite empty", "no experiment files"]),
    ("header-choice", RUN + ["--header", "maybe"], {}, ["--header"]),
    ("duplicates-choice", RUN + ["--duplicates", "bogus"], {}, ["--duplicates"]),
    # -- datasets and rating files ---------------------------------------------------------
    ("dataset-missing-file", ["run", "--dataset", "nope.csv", "--algorithms", "globalmean"], {}, ["nope.csv"]),
    ("dataset-directory", ["run", "--dataset", "adir", "--algorithms", "globalmean"], {"adir/x": ""}, ["adir", "folder"]),
    ("dataset-unknown-name", ["run", "--dataset", "ml-999k", "--algorithms", "globalmean"], {}, ["unknown dataset 'ml-999k'"]),
    ("csv-empty", RUN, {"r.csv": ""}, ["r.csv"]),
    ("csv-header-only", RUN, {"r.csv": "user,item,rating\n"}, ["r.csv"]),
    ("csv-text-rating", RUN, {"r.csv": "user,item,rating\nu1,i1,4\nu1,i2,good\nu2,i1,3\n"}, ["r.csv", "line 3"]),
    ("csv-missing-rating", RUN, {"r.csv": "user,item,rating\nu1,i1,4\nu1,i2,\nu2,i1,3\n"}, ["r.csv", "line 3"]),
    ("csv-inf-rating", RUN, {"r.csv": "user,item,rating\nu1,i1,4\nu1,i2,inf\nu2,i1,3\n"}, ["r.csv", "line 3"]),
    ("csv-truncated-line", RUN, {"r.csv": GOOD_CSV + "u99,i1"}, ["r.csv", "line"]),
    ("csv-duplicates", RUN, {"r.csv": "user,item,rating\nu1,i1,4\nu1,i1,3\nu2,i1,3\n"}, ["r.csv", "--duplicates"]),
    ("csv-blank-user", RUN, {"r.csv": "user,item,rating\nu1,i1,4\n ,i2,3\nu2,i1,3\n"}, ["r.csv", "line 3", "user"]),
    ("csv-outside-given-scale", RUN + ["--rating-scale", "1,5"], {"r.csv": "user,item,rating\nu1,i1,4\nu1,i2,9\nu2,i1,3\n"}, ["r.csv", "9"]),
    ("csv-missing-column", RUN + ["--rating-col", "stars"], {}, ["stars"]),
    ("csv-column-position", RUN + ["--rating-col", "7"], {}, ["--rating-col"]),
    ("csv-latin1", RUN, {"r.csv": "user,item,rating\nu1,Ren\xe9,4\nu2,i1,3\n".encode("latin-1")}, ["r.csv", "encoding"]),
    ("rating-scale-nan", RUN + ["--rating-scale", "nan,5"], {}, ["--rating-scale"]),
    ("rating-scale-reversed", RUN + ["--rating-scale", "5,1"], {}, ["--rating-scale"]),
    ("rating-scale-text", RUN + ["--rating-scale", "low,high"], {}, ["--rating-scale", "malformed"]),
    ("sep-malformed", RUN + ["--sep", "\\"], {}, ["--sep", "malformed"]),
    ("metric-unicode-digit", RUN + ["--metrics", "ndcg@\u00b2"], {}, ["ndcg@\u00b2"]),
    ("csv-one-rating", RUN + ["--rating-scale", "1,5"], {"r.csv": "user,item,rating\nu1,i1,4\n"}, ["holds 1 rating", "at least 2"]),
    ("encoding-unknown", RUN + ["--encoding", "bogus-8"], {}, ["bogus-8"]),
    ("items-file-missing", RUN + ["--items", "nope-items.csv"], {}, ["nope-items.csv"]),
    # -- experiment files ------------------------------------------------------------------
    ("toml-unknown-key", ["run", "e.toml"], toml("bogus = 1\n" + TOML_OK), ["e.toml", "unknown key 'bogus'"]),
    ("toml-wrong-type", ["run", "e.toml"], toml('name = "x"\nfolds = "five"\n[algorithms.svd]\n'), ["e.toml", "'folds'"]),
    ("toml-name-traversal", ["run", "e.toml"], toml('name = "../../x"\n[algorithms.svd]\n'), ["e.toml", "'../../x'", "folder name"]),
    ("toml-name-empty", ["run", "e.toml"], toml('name = ""\n[algorithms.svd]\n'), ["e.toml", "folder name"]),
    ("toml-name-absolute", ["run", "e.toml"], toml('name = "/tmp/x"\n[algorithms.svd]\n'), ["e.toml", "'/tmp/x'"]),
    ("toml-not-toml", ["run", "e.toml"], toml("this is = = not toml\n"), ["e.toml", "not valid TOML"]),
    ("toml-is-a-directory", ["run", "adir"], {"adir/x": ""}, ["adir"]),
    ("toml-missing", ["run", "nope.toml"], {}, ["nope.toml", "does not exist"]),
    ("toml-unknown-algorithm", ["run", "e.toml"], toml('name = "x"\n[algorithms.bogus]\n'), ["e.toml", "bogus"]),
    ("toml-param-string", ["run", "e.toml"], toml('name = "x"\ndataset = "r.csv"\n[algorithms.svd]\nn_factors = "abc"\n'), ["n_factors", "'abc'"]),
    ("toml-param-unknown", ["run", "e.toml"], toml('name = "x"\n[algorithms.svd]\nbogus = 1\n'), ["e.toml", "bogus"]),
    ("toml-metric-unknown", ["run", "e.toml"], toml('name = "x"\nmetrics = ["bogus"]\n[algorithms.svd]\n'), ["e.toml", "bogus"]),
    ("toml-k-zero", ["run", "e.toml"], toml('name = "x"\nk = 0\n[algorithms.svd]\n'), ["e.toml", "'k'"]),
    ("toml-csv-wrong-type", ["run", "e.toml"], toml('name = "x"\n[csv]\nsep = 5\n[algorithms.svd]\n'), ["e.toml", "sep"]),
    ("toml-published-unknown", ["run", "e.toml"], toml('name = "x"\n[algorithms.svd]\n[published.knn]\nrmse = 1\n'), ["e.toml", "published.knn"]),
    ("toml-algorithm-subtable", ["run", "e.toml"], toml('name = "x"\n[algorithms.svd.extra]\na = 1\n'),
     ["e.toml", "algorithms.svd.extra is a table", "its parameters: n_factors, n_epochs"]),
    ("toml-algorithm-inline-table", ["run", "e.toml"], toml('name = "x"\n[algorithms.svd]\nfoo = {a = 1}\n'),
     ["e.toml", "algorithms.svd.foo is a table", "its parameters: n_factors"]),
    ("toml-algorithm-subtable-known-name", ["run", "e.toml"],
     toml('name = "x"\n[algorithms.svd.n_factors]\na = 1\n'), ["algorithms.svd.n_factors is a table"]),
    ("toml-algorithm-subtable-no-params", ["run", "e.toml"],
     toml('name = "x"\n[algorithms.globalmean.x]\na = 1\n'),
     ["algorithms.globalmean.x is a table, and globalmean has no parameters"]),
    ("toml-name-too-long", ["run", "e.toml"], toml('name = "' + "a" * 300 + '"\n[algorithms.svd]\n'),
     ["e.toml", "is 300 characters long; experiment names may have at most 100"]),
    ("trec-label-too-long", ["run", "e.toml", "-q", "--save-recommendations", "3", "--trec"],
     toml('name = "x"\ndataset = "r.csv"\nfolds = 2\n[algorithms.' + "b" * 250
          + ']\nalgorithm = "globalmean"\n'),
     ["bbbbbbbb…' is 250 characters long", "labels may have at most 200"]),
    ("toml-no-algorithms", ["run", "e.toml"], toml('name = "x"\n'), ["e.toml", "no algorithms"]),
    ("toml-not-utf8", ["run", "e.toml"], {"e.toml": b'name = "\xff"\n'}, ["e.toml", "UTF-8"]),
    ("suite-second-file-bad", ["run", "--suite", "suite"], {"suite/a.toml": TOML_OK,
                                                            "suite/b.toml": 'name = "b"\nbogus = 1\n'}, ["b.toml", "bogus"]),
    # -- run records under compare and tables ----------------------------------------------
    ("compare-missing", ["compare", "nope"], {}, ["nope", "not a run record"]),
    ("compare-no-per-user", ["compare", "rec"], {"rec/run.json": "GOOD_RECORD"},
     ["rec: this run has no per-user values"]),
    ("compare-per-user-wrong-columns", ["compare", "good", "rec"],
     {"rec/run.json": "GOOD_RECORD", "rec/per_user.csv.gz": gzip.compress(b"x\n1\n")},
     ["per_user.csv.gz has no 'algorithm' column"]),
    ("compare-bad-json", ["compare", "rec"], {"rec/run.json": "{not json"}, ["run.json", "not valid JSON"]),
    ("compare-json-list", ["compare", "rec"], {"rec/run.json": "[1, 2]"}, ["run.json", "no JSON object"]),
    ("compare-bad-manifest", ["compare", "rec"], {"rec/run.json": json.dumps({"manifest": 3, "results": []})}, ["run.json", "manifest"]),
    ("compare-bad-results", ["compare", "rec"], {"rec/run.json": "GOOD_RECORD:results=7"}, ["run.json", "results"]),
    ("compare-bad-per-user", ["compare", "good", "rec"], {"rec/run.json": "GOOD_RECORD", "rec/per_user.csv.gz": b"garbage"}, ["per_user.csv.gz", "cannot be read"]),
    ("compare-metric-bogus", ["compare", "good", "--metric", "bogus"], {}, ["unknown metric 'bogus'"]),
    ("compare-gate-bogus", ["compare", "good", "good", "--gate-metric", "bogus"], {}, ["unknown metric 'bogus'"]),
    ("compare-tolerance-negative", ["compare", "good", "good", "--tolerance", "-1"], {}, ["--tolerance -1"]),
    ("compare-tolerance-inf", ["compare", "good", "good", "--tolerance", "inf"], {},
     ["'inf' is not a finite number"]),
    ("compare-format-bogus", ["compare", "good", "--format", "bogus"], {}, ["--format 'bogus'"]),
    ("compare-a-without-b", ["compare", "good", "good", "--a", "globalmean"], {}, ["--a and --b"]),
    ("compare-metric-not-per-user", ["compare", "good", "--metric", "coverage@10"], {}, ["coverage@10", "per-user"]),
    ("tables-bad-json", ["tables", "--results-dir", "res"], {"res/x/run.json": "{"}, ["run.json", "not valid JSON"]),
    ("tables-empty", ["tables", "--results-dir", "res"], {"res/.keep": ""}, ["no run records", "res"]),
    ("tables-bad-transfer", ["tables", "--results-dir", "res"], {"res/transfer/t.json": "[]"}, ["t.json"]),
    # -- transfer --------------------------------------------------------------------------
    ("transfer-fractions-range", ["transfer", "--fractions", "0,2", "--target", "r.csv"], {}, ["--fractions"]),
    ("transfer-fractions-text", ["transfer", "--fractions", "abc", "--target", "r.csv"], {}, ["--fractions", "malformed"]),
    ("transfer-seed", ["transfer", "--seed", "-1", "--target", "r.csv"], {}, ["seed -1"]),
    ("transfer-param", ["transfer", "--param", "bogus=1", "--target", "r.csv"], {}, ["bogus"]),
]


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("good")
    (folder / "r.csv").write_text(GOOD_CSV)
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        assert main(["run", "--dataset", "r.csv", "--folds", "2", "--algorithms",
                     "globalmean,popularity", "-q", "--output-dir", "good"]) == 0
    finally:
        os.chdir(cwd)
    return folder / "good"


def _write(tmp: Path, name: str, content, good_run: Path):
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str) and content.startswith("GOOD_RECORD"):
        record = json.loads((good_run / "run.json").read_text())
        if ":" in content:
            key, value = content.split(":", 1)[1].split("=")
            record[key] = json.loads(value)
        content = json.dumps(record)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())


@pytest.mark.parametrize("argv,files,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_exit_2_with_one_sentence(tmp_path, monkeypatch, capsys, good_run, argv, files, words):
    import shutil
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.csv").write_text(GOOD_CSV)
    shutil.copytree(good_run, tmp_path / "good")
    for name, content in files.items():
        _write(tmp_path, name, content, good_run)
    try:
        code = main(list(argv))
    except SystemExit as exc:          # argparse's own usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    message = err.strip().splitlines()[-1]
    for word in words:
        assert word in message, f"{word!r} not in: {message}"
    assert not (tmp_path / "results").exists(), "nothing was run before the error"


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 80 and len({c[0] for c in CASES}) == len(CASES)


def test_modified_ml100k_is_refused_then_accepted_knowingly(tmp_path, capsys):
    if not (ML100K / "u.data").is_file():
        pytest.skip("ml-100k is not available")
    import shutil
    copy = tmp_path / "ml-100k"
    shutil.copytree(ML100K, copy)
    lines = (copy / "u.data").read_text().splitlines()
    user, item, rating, stamp = lines[0].split("\t")
    lines[0] = "\t".join([user, item, str(int(rating) % 5 + 1), stamp])     # another valid rating
    (copy / "u.data").write_text("\n".join(lines) + "\n")
    argv = ["run", "--dataset", "ml-100k", "--data-dir", str(tmp_path), "--split", "u1",
            "--algorithms", "globalmean", "-q", "--output-dir", str(tmp_path / "out")]
    assert main(argv) == 2
    assert "u.data" in capsys.readouterr().err
    assert main(argv + ["--no-verify-data"]) == 0
    rec = json.loads((tmp_path / "out" / "run.json").read_text())
    assert "not verified" in rec["manifest"]["dataset"]["integrity"]


def test_an_experiment_file_with_a_byte_order_mark_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.csv").write_text(GOOD_CSV)
    (tmp_path / "e.toml").write_bytes(b"\xef\xbb\xbf" + TOML_OK.encode())
    assert main(["run", "e.toml", "-q", "--output-dir", "out"]) == 0
    assert json.loads((tmp_path / "out" / "run.json").read_text())["experiment"]["name"] == "ok"


def test_a_content_model_without_item_text_is_a_warning_in_the_record(tmp_path, monkeypatch,
                                                                      capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.csv").write_text(GOOD_CSV)
    assert main(["run", "--dataset", "r.csv", "--folds", "2", "--algorithms",
                 "tfidf,globalmean", "-q", "--output-dir", "out"]) == 0
    warnings = json.loads((tmp_path / "out" / "run.json").read_text())["warnings"]
    assert any(w.startswith("tfidf uses item features, and r has no item text") for w in warnings)
    assert "pass --items FILE" in capsys.readouterr().err


def test_metric_families_in_a_file_reach_the_table_and_the_compare_gate(tmp_path, monkeypatch,
                                                                        capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.csv").write_text(GOOD_CSV)
    (tmp_path / "f.toml").write_text('name = "f"\ndataset = "r.csv"\nfolds = 2\nk = [5, 10]\n'
                                     'metrics = ["rmse", "precision", "ndcg"]\n'
                                     '[algorithms.popularity]\n[algorithms.baselineonly]\n')
    assert main(["run", "f.toml", "-q", "--output-dir", "out"]) == 0
    header = next(line for line in (tmp_path / "out" / "results.md").read_text().splitlines()
                  if line.startswith("| algorithm"))
    for col in ("rmse", "precision@5", "precision@10", "ndcg@5", "ndcg@10"):
        assert f" {col} " in header, header
    capsys.readouterr()
    assert main(["compare", "out", "out"]) == 0
    assert "Gate: ndcg@10" in capsys.readouterr().out


def test_columns_are_checked_against_the_run_with_its_overrides(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.csv").write_text(GOOD_CSV)
    (tmp_path / "c.toml").write_text('name = "c"\ndataset = "r.csv"\nfolds = 2\nk = [10]\n'
                                     'columns = ["rmse", "ndcg@20"]\n[algorithms.globalmean]\n')
    assert main(["run", "c.toml", "-q", "--k", "10,20", "--output-dir", "ok"]) == 0
    assert main(["run", "c.toml", "-q", "--output-dir", "no"]) == 2
    assert "'columns' shows ndcg@20, which this run does not compute" in capsys.readouterr().err
    assert main(["run", "c.toml", "-q", "--k", "10,20", "--metrics", "rmse",
                 "--output-dir", "no"]) == 2
    assert not (tmp_path / "no").exists()


def test_a_missing_recbench_data_dir_is_only_a_place_not_found(monkeypatch, tmp_path):
    from recbench.datasets import load_dataset
    monkeypatch.setenv("RECBENCH_DATA_DIR", str(tmp_path / "nowhere"))
    assert len(load_dataset("ml-latest-small").ratings) == 100836      # the embedded copy


def test_a_folder_holding_only_a_gitkeep_takes_a_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.csv").write_text(GOOD_CSV)
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / ".gitkeep").write_text("")
    assert main(RUN + ["--output-dir", "keep"]) == 0
    assert (tmp_path / "keep" / "run.json").is_file()
