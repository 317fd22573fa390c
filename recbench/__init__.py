"""recbench: a benchmark harness for classical recommender algorithms.

    import recbench
    run = recbench.run("ml-latest-small", ["svd", "popularity"], k=[5, 10])
    run.summary()            # tidy DataFrame
    run.table()              # the table `recbench run` prints
    run.save("results/x")    # run.json, per-user values, tables, plots
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("recbench")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

from recbench.algorithms import Algorithm, AlgorithmSpec  # noqa: E402
from recbench.api import (compare, evaluate_predictions, execute, experiment, run,  # noqa: E402
                          transfer)
from recbench.datasets import CsvOptions, Dataset, DatasetLoader, load_dataset  # noqa: E402
from recbench.errors import ConfigError, DataError, RecbenchError  # noqa: E402
from recbench.evaluation.comparison import Comparison  # noqa: E402
from recbench.execution import Execution  # noqa: E402
from recbench.metrics import Metric, register as register_metric  # noqa: E402
from recbench.random import derive_rng, derive_seed  # noqa: E402
from recbench.reporting.run import Run  # noqa: E402
from recbench.tuning import Tuning  # noqa: E402

__all__ = ["__version__", "run", "experiment", "execute", "compare", "transfer",
           "evaluate_predictions", "Run", "Tuning",
           "Comparison", "Algorithm", "AlgorithmSpec", "Dataset", "DatasetLoader", "CsvOptions",
           "load_dataset", "Metric", "register_metric", "Execution", "derive_seed",
           "derive_rng", "RecbenchError", "ConfigError", "DataError"]
