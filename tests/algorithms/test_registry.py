"""Plugins: the example package installs with pip, is discovered and runs; it conforms."""

import json
import os
import subprocess
import sys

import pytest

from recbench.testing import check_algorithm
from tests.support import ROOT

PLUGIN = ROOT / "examples" / "plugin"


def test_example_plugin_conforms():
    sys.path.insert(0, str(PLUGIN))
    try:
        from recbench_itemmean_plugin import ItemMean
        assert check_algorithm(ItemMean, {"damping": 5.0}, rmse_range=(0.0, 1.2))
    finally:
        sys.path.remove(str(PLUGIN))


@pytest.mark.slow
def test_example_plugin_installs_and_shows_up(tmp_path, tiny):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(PLUGIN)],
                   check=True, cwd=tmp_path)
    env = dict(os.environ, PYTHONPATH=str(target))
    listed = subprocess.run([sys.executable, "-m", "recbench", "list", "algorithms"], env=env,
                            capture_output=True, text=True, check=True).stdout
    assert "itemmean" in listed and "recbench_itemmean_plugin" in listed
    data = tmp_path / "r.csv"
    tiny.to_csv(data, index=False)
    subprocess.run([sys.executable, "-m", "recbench", "run", "--dataset", str(data), "-q",
                    "--folds", "2", "--algorithms", "globalmean,itemmean",
                    "--output-dir", str(tmp_path / "out")], env=env, check=True,
                   capture_output=True, text=True)
    rec = json.loads((tmp_path / "out" / "run.json").read_text())
    assert {a["algorithm"]: a["status"] for a in rec["algorithms"]} == {"globalmean": "ok", "itemmean": "ok"}
