"""``recbench list``: every registry is listed from the registry itself."""

from __future__ import annotations

from recbench.cli.main import main
from recbench.splitting.registry import splitters


def test_list_splits_shows_every_registered_split_and_its_options(capsys):
    assert main(["list", "splits"]) == 0
    out = capsys.readouterr().out
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip()
            for line in out.splitlines()[2:]}
    assert set(splitters()) <= set(rows)
    assert rows["user"] == "--test-size, --leave-out"
    assert rows["kfold"] == "--folds"
    assert "u1..u5" in out


def test_list_metrics_shows_the_builtin_families(capsys):
    assert main(["list", "metrics"]) == 0
    out = capsys.readouterr().out
    assert "| ndcg@k" in out and "| rmse" in out and "lower" in out
    # the beyond-accuracy metrics: opt-in, with their direction
    gini = next(line for line in out.splitlines() if line.startswith("| gini@k"))
    assert "| lower" in gini and "when named" in gini
    assert "when named" in next(line for line in out.splitlines() if line.startswith("| ild@k"))
