"""A corpus of bad inputs: every one is exit code 2 with one sentence naming what is wrong,
and no traceback. Each case runs the real command line in-process (``recbench.cli.main``)."""

import gzip
import io
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from recbench.cli.main import main
from tests.support import ML100K, saved_run, tiny_ratings

GOOD_CSV = tiny_ratings(n_users=12, n_items=10, density=0.6, seed=1).to_csv(index=False)
TOML_OK = 'name = "ok"\ndataset = "r.csv"\nfolds = 2\n[algorithms.globalmean]\n'


def toml(extra: str) -> dict:
    return {"e.toml": extra}


RUN = ["run", "--dataset", "r.csv", "--folds", "2", "--algorithms", "globalmean", "-q"]
EVAL = ["eval", "--train", "r.csv", "--test", "r.csv"]
PRED = GOOD_CSV.replace("rating", "prediction", 1)        # a prediction for every pair
HEAD = 'name = "x"\ndataset = "r.csv"\nfolds = 2\n'
SVD_OK = HEAD + "[algorithms.svd]\n"
_buffer = io.BytesIO()
pd.read_csv(io.StringIO(GOOD_CSV)).to_parquet(_buffer)
PARQUET = _buffer.getvalue()

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
    # -- file kinds given as rating, experiment, item or prediction files ------------------
    ("csv-utf16", RUN, {"r.csv": GOOD_CSV.encode("utf-16")},
     ["r.csv is UTF-16 text", "pass --encoding utf-16"]),
    ("csv-is-parquet", RUN, {"r.csv": PARQUET},
     ["r.csv is a Parquet file, not delimited text", "convert it to CSV"]),
    ("dataset-fifo", ["run", "--dataset", "p.csv", "--algorithms", "globalmean", "-q"],
     {"p.csv": "FIFO"}, ["p.csv is a named pipe (FIFO), not a rating file", "--dataset"]),
    ("items-fifo", RUN + ["--items", "p.csv"], {"p.csv": "FIFO"},
     ["p.csv is a named pipe (FIFO), not an item file", "--items"]),
    ("toml-fifo", ["run", "p.toml"], {"p.toml": "FIFO"},
     ["p.toml is a named pipe (FIFO), not an experiment file"]),
    ("eval-prediction-fifo", EVAL + ["a=p.csv"], {"p.csv": "FIFO"},
     ["p.csv is a named pipe (FIFO), not a prediction file", "LABEL=PATH"]),
    ("eval-test-fifo", ["eval", "--train", "r.csv", "--test", "p.csv", "a=r.csv"],
     {"p.csv": "FIFO"}, ["p.csv is a named pipe (FIFO)", "give --test the path"]),
    ("dataset-symlink-loop", ["run", "--dataset", "loop.csv", "--algorithms", "globalmean"],
     {"loop.csv": "SYMLINK:loop.csv"}, ["loop.csv is a symbolic link loop", "--dataset"]),
    ("dataset-dangling-symlink", ["run", "--dataset", "dl.csv", "--algorithms", "globalmean"],
     {"dl.csv": "SYMLINK:nowhere.csv"}, ["dl.csv is a symbolic link to nowhere.csv, which does not exist"]),
    ("toml-symlink-loop", ["run", "loop.toml"], {"loop.toml": "SYMLINK:loop.toml"},
     ["loop.toml is a symbolic link loop", "an experiment file"]),
    # -- rating scales, duplicates, ids and timestamps --------------------------------------
    ("rating-scale-negative-reversed", RUN + ["--rating-scale", "3,-3"], {},
     ["--rating-scale 3,-3 is empty", "LOW < HIGH"]),
    ("rating-scale-equal", RUN + ["--rating-scale", "3,3"], {}, ["--rating-scale 3,3 is empty"]),
    ("rating-scale-infinite", RUN + ["--rating-scale", "1,inf"], {},
     ["--rating-scale 1,inf is not a pair of finite numbers"]),
    ("rating-scale-three-numbers", RUN + ["--rating-scale", "1,3,5"], {},
     ["--rating-scale", "malformed", "LOW,HIGH"]),
    ("csv-duplicates-error", RUN + ["--duplicates", "error"],
     {"r.csv": "user,item,rating\nu1,i1,4\nu1,i1,3\nu2,i1,3\nu2,i2,1\n"},
     ["r.csv, line 3: user 'u1' rated item 'i1' again", "--duplicates first|last|mean"]),
    ("trec-whitespace-ids", RUN + ["--save-recommendations", "3", "--trec"],
     {"r.csv": "user,item,rating\n" + "\n".join(f"u {u},i{i},{1 + (u + i) % 5}"
                                              for u in range(6) for i in range(5))},
     ["the user id 'u 0' contains whitespace, which a TREC run file cannot hold"]),
    ("timestamp-iso-unparseable", RUN + ["--timestamp-col", "timestamp"],
     {"r.csv": "user,item,rating,timestamp\nu1,i1,4,2020-01-01\nu1,i2,3,2020-13-45\n"
               "u2,i1,3,2020-01-02\nu2,i2,1,2020-01-03\n"},
     ["r.csv, line 3: the timestamp '2020-13-45' is neither whole seconds since 1970 nor an ISO date"]),
    # -- recommendation lists, TREC files and MLflow ----------------------------------------
    ("trec-labels-collide", ["run", "e.toml", "-q", "--save-recommendations", "3", "--trec"],
     toml(HEAD + '[algorithms."a b"]\nalgorithm = "globalmean"\n[algorithms.a_b]\n'
          'algorithm = "popularity"\n'),
     ["the labels 'a b' and 'a_b' would both be written to recommendations-a_b.trec"]),
    ("trec-without-lists", RUN + ["--trec"], {}, ["--trec writes the kept recommendation lists"]),
    ("save-recommendations-zero", RUN + ["--save-recommendations", "0"], {},
     ["save_recommendations=0 is invalid", "a whole number >= 1"]),
    ("save-recommendations-negative", RUN + ["--save-recommendations", "-2"], {},
     ["save_recommendations=-2 is invalid"]),
    ("save-recommendations-text", RUN + ["--save-recommendations", "ten"], {},
     ["argument --save-recommendations: 'ten' is not a whole number"]),
    ("save-recommendations-fraction", RUN + ["--save-recommendations", "2.5"], {},
     ["argument --save-recommendations: '2.5' is not a whole number"]),
    ("mlflow-unknown-scheme", RUN + ["--mlflow=bogus://x"], {},
     ["--mlflow bogus://x: MLflow has no tracking store for scheme 'bogus'"]),
    ("mlflow-empty-experiment", RUN + ["--mlflow=mlruns", "--mlflow-experiment", ""], {},
     ["--mlflow-experiment '' is not an experiment name"]),
    ("mlflow-blank-experiment", RUN + ["--mlflow=mlruns", "--mlflow-experiment", "  "], {},
     ["--mlflow-experiment '  ' is not an experiment name"]),
    # -- stored records under compare and tables --------------------------------------------
    ("compare-per-user-duplicated-row", ["compare", "good", "rec"],
     {"rec/run.json": "GOOD_RECORD", "rec/per_user.csv.gz": "GOOD_PER_USER:dup"},
     ["per_user.csv.gz holds 1 duplicated (algorithm, fold, user) rows", "line 3"]),
    ("compare-per-user-text-value", ["compare", "good", "rec"],
     {"rec/run.json": "GOOD_RECORD", "rec/per_user.csv.gz": "GOOD_PER_USER:value=abc"},
     ["per_user.csv.gz has 'abc' at line 2", "where a finite number belongs"]),
    ("compare-per-user-infinite-value", ["compare", "good", "rec"],
     {"rec/run.json": "GOOD_RECORD", "rec/per_user.csv.gz": "GOOD_PER_USER:value=inf"},
     ["per_user.csv.gz has 'inf' at line 2"]),
    ("compare-400-digit-number", ["compare", "rec"], {"rec/run.json": "GOOD_RECORD:seed=" + "1" * 400},
     ["rec/run.json: key seed holds a 400-digit number"]),
    ("tables-nested-too-deep", ["tables", "--results-dir", "res"],
     {"res/x/run.json": "[" * 200 + "]" * 200}, ["nests arrays or objects more than 64 levels deep"]),
    ("tables-key-nested-too-deep", ["tables", "--results-dir", "res"],
     {"res/x/run.json": "GOOD_RECORD:extra=" + "[" * 100 + "]" * 100},
     ["res/x/run.json: key extra[0][0]", "more than 64 levels deep"]),
    ("tables-400-digit-number", ["tables", "--results-dir", "res"],
     {"res/x/run.json": "GOOD_RECORD:seed=" + "9" * 400}, ["key seed holds a 400-digit number"]),
    ("tables-format-bogus", ["tables", "--format", "bogus"], {}, ["argument --format: invalid choice: 'bogus'"]),
    ("tables-one-run-missing", ["tables", "good", "nosuch"], {}, ["nosuch does not exist; give a run folder"]),
    # -- experiment files: every table ------------------------------------------------------
    ("toml-csv-unknown-key", ["run", "e.toml"], toml(HEAD + "[algorithms.globalmean]\n[csv]\nbogus = 1\n"),
     ["e.toml: unknown key 'bogus' in [csv]"]),
    ("toml-csv-header-text", ["run", "e.toml"], toml(HEAD + '[algorithms.globalmean]\n[csv]\nheader = "yes"\n'),
     ["[csv] header = 'yes' has the wrong type; it must be true or false"]),
    ("toml-csv-scale-three-numbers", ["run", "e.toml"],
     toml(HEAD + "[algorithms.globalmean]\n[csv]\nrating_scale = [1, 3, 5]\n"),
     ["[csv] rating_scale = [1, 3, 5] has the wrong type", "[LOW, HIGH]"]),
    ("toml-csv-scale-strings", ["run", "e.toml"],
     toml(HEAD + '[algorithms.globalmean]\n[csv]\nrating_scale = ["a", "b"]\n'), ["[csv] rating_scale"]),
    ("toml-csv-duplicates-policy", ["run", "e.toml"],
     toml(HEAD + '[algorithms.globalmean]\n[csv]\nduplicates = "bogus"\n'), ["e.toml", "duplicate policy 'bogus'"]),
    ("toml-csv-column-fraction", ["run", "e.toml"], toml(HEAD + "[algorithms.globalmean]\n[csv]\nuser_col = 1.5\n"),
     ["[csv] user_col = 1.5 has the wrong type; it must be a column name or 0-based position"]),
    ("toml-csv-text-columns-numbers", ["run", "e.toml"],
     toml(HEAD + "[algorithms.globalmean]\n[csv]\nitem_text_cols = [1, 2]\n"), ["[csv] item_text_cols"]),
    ("toml-csv-not-a-table", ["run", "e.toml"], toml("csv = 3\n" + HEAD + "[algorithms.globalmean]\n"),
     ["'csv' = 3 must be a table: write [csv] on its own line"]),
    ("toml-param-of-parameterless", ["run", "e.toml"], toml(HEAD + "[algorithms.globalmean]\npublished = 1\n"),
     ["unknown parameter 'published': globalmean has no parameters"]),
    ("toml-published-text", ["run", "e.toml"],
     toml(HEAD + '[algorithms.globalmean]\n[published.globalmean]\nrmse = "low"\n'),
     ["[published.globalmean] rmse must be a number"]),
    ("toml-published-boolean", ["run", "e.toml"],
     toml(HEAD + "[algorithms.globalmean]\n[published.globalmean]\nrmse = true\n"), ["rmse must be a number"]),
    ("toml-published-unknown-metric", ["run", "e.toml"],
     toml(HEAD + "[algorithms.globalmean]\n[published.globalmean]\nbogus = 1\n"),
     ["[published.globalmean]: unknown metric 'bogus'"]),
    ("toml-algorithms-not-a-table", ["run", "e.toml"], toml('name = "x"\nalgorithms = 1\n'),
     ["'algorithms' = 1 must be a table: write [algorithms.svd]"]),
    ("toml-algorithm-not-a-table", ["run", "e.toml"], toml('name = "x"\nalgorithms = {svd = 1}\n'),
     ["algorithms.svd must be a table"]),
    ("toml-algorithm-name-number", ["run", "e.toml"], toml('name = "x"\n[algorithms.a]\nalgorithm = 3\n'),
     ["algorithms.a.algorithm must be a string"]),
    ("toml-baseline-unknown", ["run", "e.toml"], toml('baseline = "svd"\n' + HEAD + "[algorithms.globalmean]\n"),
     ["'baseline' 'svd' names no algorithm of this file (globalmean)"]),
    ("toml-seed-fraction", ["run", "e.toml"], toml("seed = 1.5\n" + TOML_OK), ["'seed' has the wrong type (float)"]),
    ("toml-seed-negative", ["run", "e.toml"], toml("seed = -1\n" + TOML_OK), ["e.toml: seed -1 is invalid"]),
    ("toml-n-jobs-text", ["run", "e.toml"], toml('n_jobs = "two"\n' + TOML_OK), ["'n_jobs' has the wrong type (str)"]),
    ("toml-n-jobs-zero", ["run", "e.toml", "-q"], toml("n_jobs = 0\n" + TOML_OK), ["e.toml: n_jobs=0 is invalid"]),
    ("toml-threshold-text", ["run", "e.toml"], toml('relevance_threshold = "high"\n' + TOML_OK),
     ["'relevance_threshold' has the wrong type (str)"]),
    ("toml-threshold-above-scale", ["run", "e.toml", "-q"], toml("relevance_threshold = 99\n" + TOML_OK),
     ["e.toml", "99.0 is outside the rating scale"]),
    ("toml-threshold-30-digits", ["run", "e.toml", "-q"], toml("relevance_threshold = " + "9" * 30 + "\n" + TOML_OK),
     ["e.toml", "is outside the rating scale"]),
    ("toml-split-bogus", ["run", "e.toml", "-q"],
     toml('name = "x"\ndataset = "r.csv"\nsplit = "bogus"\n[algorithms.globalmean]\n'), ["e.toml: unknown --split 'bogus'"]),
    ("toml-k-text", ["run", "e.toml"], toml('k = ["a"]\n' + TOML_OK), ["'k' ['a'] is invalid"]),
    ("toml-k-negative", ["run", "e.toml"], toml("k = [5, -1]\n" + TOML_OK), ["'k' [5, -1] is invalid"]),
    ("toml-metrics-a-string", ["run", "e.toml"], toml('metrics = "rmse"\n' + TOML_OK), ["'metrics' has the wrong type (str)"]),
    ("toml-columns-unknown", ["run", "e.toml"], toml('columns = ["bogus"]\n' + TOML_OK), ["'columns': unknown metric 'bogus'"]),
    ("toml-description-number", ["run", "e.toml"], toml("description = 5\n" + TOML_OK), ["'description' has the wrong type (int)"]),
    ("toml-test-size-text", ["run", "e.toml"],
     toml('name = "x"\nsplit = "holdout"\ntest_size = "half"\n[algorithms.globalmean]\n'),
     ["'test_size' has the wrong type (str)"]),
    ("toml-folds-fraction", ["run", "e.toml"], toml(TOML_OK.replace("folds = 2", "folds = 2.5")),
     ["'folds' has the wrong type (float)"]),
    ("toml-dataset-missing-file", ["run", "e.toml", "-q"], toml(TOML_OK.replace('"r.csv"', '"nope.csv"')),
     ["e.toml: nope.csv does not exist"]),
    ("toml-dataset-number", ["run", "e.toml"], toml(TOML_OK.replace('"r.csv"', "5")), ["'dataset' has the wrong type (int)"]),
    ("toml-nested-too-deep", ["run", "e.toml"], toml("x = " + "[" * 2000 + "]" * 2000 + "\n"),
     ["e.toml: arrays or tables are nested too deeply to read"]),
    ("toml-param-list", ["run", "e.toml"], toml('name = "x"\n[algorithms.svd]\nn_factors = [1, 2]\n'),
     ["svd: parameter n_factors=[1, 2] is invalid"]),
    ("toml-param-boolean-for-int", ["run", "e.toml", "-q"],
     toml('name = "x"\ndataset = "r.csv"\n[algorithms.svd]\nn_factors = true\n'), ["parameter n_factors=True is invalid"]),
    # -- experiment files: [tuning] ---------------------------------------------------------
    ("tuning-unknown-key", ["run", "e.toml"], toml(TOML_OK + "[tuning]\nbogus = 1\n"),
     ["e.toml: unknown key 'bogus' in [tuning]"]),
    ("tuning-trials-text", ["run", "e.toml"], toml(SVD_OK + '[tuning]\ntrials = "many"\n'),
     ["[tuning] trials = 'many' has the wrong type"]),
    ("tuning-trials-zero", ["run", "e.toml"], toml(SVD_OK + "[tuning]\ntrials = 0\n"), ["tuning trials 0 is invalid"]),
    ("tuning-trials-huge", ["run", "e.toml"], toml(SVD_OK + "[tuning]\ntrials = 10000000\n"),
     ["tuning trials 10000000 is invalid", "from 1 to 100,000"]),
    ("tuning-objective-unknown", ["run", "e.toml"], toml(SVD_OK + '[tuning]\nobjective = "bogus"\n'),
     ["tuning objective: unknown metric 'bogus'"]),
    ("tuning-share-above-one", ["run", "e.toml"], toml(SVD_OK + "[tuning]\nvalidation_share = 1.5\n"),
     ["tuning validation_share 1.5 is invalid"]),
    ("tuning-algorithms-unknown", ["run", "e.toml"], toml(SVD_OK + '[tuning]\nalgorithms = ["knn"]\n'),
     ["[tuning] algorithms names 'knn', which is not an algorithm of this file (svd)"]),
    ("tuning-space-unknown-label", ["run", "e.toml"], toml(SVD_OK + "[tuning.space.knn]\nk = [1, 5]\n"),
     ["[tuning.space.knn] names no algorithm of this file"]),
    ("tuning-space-unknown-parameter", ["run", "e.toml"], toml(SVD_OK + "[tuning.space.svd]\nbogus = [1, 5]\n"),
     ["the search space names 'bogus', which is not a parameter"]),
    ("tuning-space-not-a-range", ["run", "e.toml"], toml(SVD_OK + '[tuning.space.svd]\nn_factors = "lots"\n'),
     ["[tuning.space.svd] n_factors = 'lots' is not a range"]),
    ("tuning-space-without-default", ["run", "e.toml"], toml(SVD_OK + "[tuning.space.svd]\nn_factors = [50, 10]\n"),
     ["trial 0 starts from n_factors=100 (its default)"]),
    ("tuning-fixed-invalid", ["run", "e.toml"], toml(SVD_OK + "[tuning.fixed.svd]\nn_factors = -3\n"),
     ["tuning.fixed.svd: parameter n_factors=-3 is invalid"]),
    ("tuning-defaults-text", ["run", "e.toml"], toml(SVD_OK + '[tuning]\ndefaults = "no"\n'),
     ["[tuning] defaults = 'no' has the wrong type"]),
    ("tuning-not-a-table", ["run", "e.toml"], toml("tuning = 3\n" + TOML_OK), ["'tuning' = 3 must be a table"]),
    ("tuning-space-label-not-a-table", ["run", "e.toml"], toml(SVD_OK + "[tuning]\nspace = {svd = 1}\n"),
     ["[tuning.space.svd] must be a table"]),
    ("tuning-nothing-tunable", ["run", "e.toml", "-q"], toml(TOML_OK + "[tuning]\ntrials = 2\n"),
     ["none of the algorithms has a search space (globalmean)"]),
    # -- eval -------------------------------------------------------------------------------
    ("eval-no-systems", EVAL, {}, ["the following arguments are required: LABEL=PATH"]),
    ("eval-no-label", EVAL + ["p.csv"], {"p.csv": PRED}, ["'p.csv' is not LABEL=PATH"]),
    ("eval-empty-label", EVAL + ["=p.csv"], {"p.csv": PRED}, ["'=p.csv' is not LABEL=PATH"]),
    ("eval-label-with-slash", EVAL + ["a/b=p.csv"], {"p.csv": PRED}, ["system label 'a/b' is invalid"]),
    ("eval-two-rating-files", EVAL + ["a=p.csv", "a=q.csv"], {"p.csv": PRED, "q.csv": PRED},
     ["a: both p.csv and q.csv give rating predictions"]),
    ("eval-prediction-missing", EVAL + ["a=nope.csv"], {}, ["nope.csv does not exist", "LABEL=PATH"]),
    ("eval-no-user-column", EVAL + ["a=p.csv"], {"p.csv": "who,item,prediction\nu0,i0,3\n"},
     ["p.csv has no 'user' column (columns: who, item, prediction)"]),
    ("eval-no-value-column", EVAL + ["a=p.csv"], {"p.csv": "user,item,stars\nu0,i0,3\n"},
     ["p.csv has none of the columns prediction, score and rank"]),
    ("eval-prediction-file-empty", EVAL + ["a=p.csv"], {"p.csv": ""}, ["p.csv is empty"]),
    ("eval-prediction-text", EVAL + ["a=p.csv"], {"p.csv": "user,item,prediction\nu0,i0,high\n"},
     ["p.csv, line 2: the prediction 'high' is not a finite number"]),
    ("eval-score-infinite", EVAL + ["a=p.csv"], {"p.csv": "user,item,score\nu0,i0,inf\n"},
     ["p.csv, line 2: the score 'inf' is not a finite number"]),
    ("eval-score-complex", EVAL + ["a=p.csv"], {"p.csv": "user,item,score\nu0,i0,1+2j\n"},
     ["p.csv, line 2: the score '1+2j' is a complex number; give real numbers"]),
    ("eval-prediction-complex", EVAL + ["a=p.csv"], {"p.csv": "user,item,prediction\nu0,i0,3-0.5j\n"},
     ["p.csv, line 2: the prediction '3-0.5j' is a complex number"]),
    ("eval-rank-zero", EVAL + ["a=p.csv"], {"p.csv": "user,item,rank\nu0,i0,0\n"},
     ["p.csv, line 2: rank 0 is not a whole number >= 1"]),
    ("eval-rank-fraction", EVAL + ["a=p.csv"], {"p.csv": "user,item,rank\nu0,i0,1.5\n"},
     ["p.csv, line 2: rank 1.5 is not a whole number >= 1"]),
    ("eval-pair-twice", EVAL + ["a=p.csv"], {"p.csv": "user,item,score\nu0,i0,1\nu0,i0,2\n"},
     ["p.csv, line 3: user 'u0' and item 'i0' are listed again"]),
    ("eval-user-empty", EVAL + ["a=p.csv"], {"p.csv": "user,item,score\n,i0,1\n"},
     ["p.csv, line 2: the user id is empty"]),
    ("eval-user-ids-match-nothing", EVAL + ["a=p.csv"], {"p.csv": "user,item,score\n10.0,i0,1\n11.0,i1,2\n"},
     ["p.csv: none of its user ids is a user of the test part, so the ids do not match",
      "ids like '10.0' in p.csv, 'u0' in r.csv"]),
    ("eval-item-ids-match-nothing", EVAL + ["a=p.csv"], {"p.csv": "user,item,score\nu0,x0,1\nu1,x1,2\n"},
     ["none of its item ids is an item of the training or test part", "ids like 'x0' in p.csv"]),
    ("eval-pairs-match-nothing", ["eval", "--train", "t.csv", "--test", "s.csv", "a=p.csv",
                                  "--missing-predictions", "global-mean"],
     {"t.csv": "user,item,rating\nu0,i0,4\nu0,i1,2\nu1,i0,5\nu1,i1,1\n",
      "s.csv": "user,item,rating\nu0,i2,4\nu1,i2,3\n", "p.csv": "user,item,prediction\nu0,i0,3\n"},
     ["p.csv: none of its 1 rating predictions is for a (user, item) pair of s.csv",
      "pairs like ('u0', 'i0') in p.csv, ('u0', 'i2') in s.csv"]),
    ("eval-predictions-missing", EVAL + ["a=p.csv"], {"p.csv": "user,item,prediction\nu0,i0,3\n"},
     ["p.csv: no rating prediction for 68 of the 69 test pairs", "--missing-predictions global-mean"]),
    ("eval-trec-five-fields", EVAL + ["a=p.trec"], {"p.trec": "u0 Q0 i0 1 0.5\n"},
     ["p.trec, line 1: a TREC run line has 6 fields"]),
    ("eval-trec-not-utf8", EVAL + ["a=p.trec"], {"p.trec": b"u0 Q0 \xff 1 0.5 x\n"},
     ["p.trec cannot be read as UTF-8 text"]),
    ("eval-parquet-garbage", EVAL + ["a=p.parquet"], {"p.parquet": b"not parquet"},
     ["p.parquet cannot be read as a parquet file"]),
    ("eval-algorithm-column-other-label", EVAL + ["a=p.csv"], {"p.csv": "algorithm,user,item,score\nsvd,u0,i0,1\n"},
     ["p.csv: no row has algorithm 'a' (it holds: svd)"]),
    ("eval-fold-column-other-fold", EVAL + ["a=p.csv"], {"p.csv": "fold,user,item,score\nu9,u0,i0,1\n"},
     ["p.csv: no row has fold 'r' (it holds: u9)"]),
    ("eval-dataset-and-parts", ["eval", "--dataset", "r.csv", "--train", "r.csv", "--test", "r.csv", "a=p.csv"],
     {"p.csv": PRED}, ["give either a dataset with a split or the train and test parts, not both"]),
    ("eval-dataset-without-split", ["eval", "--dataset", "r.csv", "a=p.csv"], {"p.csv": PRED},
     ["a dataset needs the split the predictions were made on"]),
    ("eval-train-without-test", ["eval", "--train", "r.csv", "a=p.csv"], {"p.csv": PRED},
     ["give the training and test parts (--train FILE --test FILE)"]),
    ("eval-split-with-parts", EVAL + ["--split", "holdout", "a=p.csv"], {"p.csv": PRED},
     ["--split applies to --dataset"]),
    ("eval-split-of-many-folds", ["eval", "--dataset", "r.csv", "--split", "kfold", "a=p.csv"], {"p.csv": PRED},
     ["--split kfold makes 5 folds", "one train/test split"]),
    ("eval-missing-predictions-choice", EVAL + ["--missing-predictions", "zero", "a=p.csv"], {"p.csv": PRED},
     ["argument --missing-predictions: invalid choice: 'zero'"]),
    ("eval-seed-negative", EVAL + ["--seed", "-3", "a=p.csv"], {"p.csv": PRED}, ["seed -3 is invalid"]),
    ("eval-k-zero", EVAL + ["--k", "0", "a=p.csv"], {"p.csv": PRED}, ["--k [0] is invalid"]),
    ("eval-metric-unknown", EVAL + ["--metrics", "bogus", "a=p.csv"], {"p.csv": PRED}, ["unknown metric 'bogus'"]),
    ("eval-save-recommendations-zero", EVAL + ["--save-recommendations", "0", "a=p.csv"], {"p.csv": PRED},
     ["save_recommendations=0 is invalid"]),
    ("eval-train-missing", ["eval", "--train", "nope.csv", "--test", "r.csv", "a=p.csv"], {"p.csv": PRED},
     ["nope.csv does not exist; check the path given to --train"]),
    ("eval-test-a-folder", ["eval", "--train", "r.csv", "--test", "adir", "a=p.csv"], {"p.csv": PRED, "adir/x": ""},
     ["adir is a folder; give --test the path of a file inside it"]),
    ("eval-mlflow-unknown-scheme", EVAL + ["--mlflow=bogus://x", "a=p.csv"], {"p.csv": PRED},
     ["MLflow has no tracking store for scheme 'bogus'"]),
    # -- transfer ---------------------------------------------------------------------------
    ("transfer-folds-one", ["transfer", "--target", "r.csv", "--folds", "1"], {}, ["--folds 1 is invalid"]),
    ("transfer-split-unknown", ["transfer", "--target", "r.csv", "--split", "bogus"], {}, ["unknown --split 'bogus'"]),
    ("transfer-n-jobs-zero", ["transfer", "--target", "r.csv", "--n-jobs", "0"], {}, ["n_jobs=0 is invalid"]),
    ("transfer-param-out-of-range", ["transfer", "--target", "r.csv", "--param", "max_iter=-1"], {},
     ["mlp-transfer: parameter max_iter=-1 is invalid"]),
    ("transfer-param-without-value", ["transfer", "--target", "r.csv", "--param", "max_iter"], {},
     ["--param 'max_iter' is malformed; write NAME=VALUE", "--param max_iter=20"]),
    ("transfer-param-with-algorithm", ["transfer", "--target", "r.csv", "--param", "svd.max_iter=3"], {},
     ["--param 'svd.max_iter=3' is malformed"]),
    ("transfer-source-missing", ["transfer", "--source", "nope.csv", "--target", "r.csv"], {},
     ["nope.csv does not exist; check the path given to --source"]),
    ("transfer-target-unknown", ["transfer", "--target", "ml-999k"], {}, ["unknown dataset 'ml-999k'"]),
    ("transfer-fractions-empty", ["transfer", "--target", "r.csv", "--fractions", ","], {},
     ["--fractions []: every share must be in (0, 1]"]),
    ("transfer-fractions-zero", ["transfer", "--target", "r.csv", "--fractions", "0"], {},
     ["--fractions [0.0]: every share must be in (0, 1]"]),
    # -- list, datasets and the command itself ----------------------------------------------
    ("list-unknown-kind", ["list", "bogus"], {}, ["argument what: invalid choice: 'bogus'"]),
    ("list-nothing", ["list"], {}, ["the following arguments are required: what"]),
    ("list-extra-argument", ["list", "metrics", "extra"], {}, ["unrecognized arguments: extra"]),
    ("list-datasets-data-dir-missing", ["list", "datasets", "--data-dir", "nowhere"], {},
     ["--data-dir (data_dir) nowhere does not exist"]),
    ("datasets-data-dir-missing", ["datasets", "--data-dir", "nowhere"], {},
     ["--data-dir (data_dir) nowhere does not exist"]),
    ("command-unknown", ["bogus"], {}, ["argument COMMAND: invalid choice: 'bogus'"]),
]


@pytest.fixture(scope="module")
def good_run(tmp_path_factory):
    return saved_run(tmp_path_factory.mktemp("good"), GOOD_CSV)


def _write(tmp: Path, name: str, content, good_run: Path):
    """Write one file of a case. Besides text and bytes, ``content`` may be "FIFO" (a named
    pipe), "SYMLINK:<target>" (a symbolic link), "GOOD_RECORD[:key=json]" (the good run's
    run.json, one key replaced) or "GOOD_PER_USER:<edit>" (its per_user.csv.gz, edited)."""
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if content == "FIFO":
        os.mkfifo(path)
        return
    if isinstance(content, str) and content.startswith("SYMLINK:"):
        os.symlink(content.split(":", 1)[1], path)
        return
    if isinstance(content, str) and content.startswith("GOOD_PER_USER:"):
        lines = gzip.decompress((good_run / "per_user.csv.gz").read_bytes()).decode().splitlines()
        edit = content.split(":", 1)[1]
        if edit == "dup":                       # one (algorithm, fold, user) row twice
            lines.insert(2, lines[1])
        elif edit.startswith("value="):         # the first row's last value replaced
            lines[1] = lines[1].rsplit(",", 1)[0] + "," + edit.split("=", 1)[1]
        content = gzip.compress(("\n".join(lines) + "\n").encode())
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
    assert len(CASES) >= 200 and len({c[0] for c in CASES}) == len(CASES)


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
