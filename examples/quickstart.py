"""recbench from Python, offline: a run on the embedded ml-latest-small, its tables, a plot,
a saved record loaded back, and a comparison.

    python examples/quickstart.py [OUTPUT_DIR]

OUTPUT_DIR (default: a new temporary folder) receives the run folder and the plot.
"""

import sys
import tempfile
from pathlib import Path

import recbench
from recbench.algorithms.baselines import BestRated


def main(out: Path) -> None:
    run = recbench.run("ml-latest-small", ["svd", "popularity", BestRated(damping=5)],
                       folds=3, k=[5, 10], metrics=["rmse", "precision", "ndcg", "auc"], seed=0)
    print(run.table("plain"))
    summary = run.summary()
    best = summary[summary.metric == "ndcg@10"].sort_values("mean", ascending=False).iloc[0]
    print(f"\nbest ndcg@10: {best.algorithm} {best['mean']:.4f} "
          f"[{best.ci_low:.4f}, {best.ci_high:.4f}]")
    folder = run.save(out / "quickstart-run")
    again = recbench.Run.load(folder)
    assert again == run
    comparison = recbench.compare(run, again, gate_metric="ndcg@10")
    print(f"compared with itself: {'no regression' if comparison.passed else 'REGRESSED'}")
    run.plot("metrics").savefig(out / "quickstart-metrics.png")
    print(f"run folder: {folder}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="recbench-")))
