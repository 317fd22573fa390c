"""recbench: a benchmark harness for classical recommender algorithms.

    import recbench
    run = recbench.run("ml-latest-small", ["svd", "popularity"], k=[5, 10])
    run.summary()            # tidy DataFrame
    run.table()              # the table `recbench run` prints
    run.save("results/x")    # run.json, per-user values, tables, plots
"""

from recbench import _moved
from recbench._version import __version__

_moved.install()

from recbench.algorithms import Algorithm, AlgorithmSpec
from recbench.algorithms import register as register_algorithm
from recbench.api import (
                          compare,
                          evaluate_predictions,
                          execute,
                          experiment,
                          run,
                          transfer,
)
from recbench.datasets import CsvOptions, Dataset, DatasetLoader, load_dataset
from recbench.errors import ConfigError, DataError, RecbenchError
from recbench.metrics import Metric
from recbench.metrics import register as register_metric
from recbench.random import derive_rng, derive_seed
from recbench.reporting.comparison import Comparison
from recbench.reporting.run import Run
from recbench.runtime.execution import Execution
from recbench.tuning import Tuning

__all__ = ["__version__", "run", "experiment", "execute", "compare", "transfer",
           "evaluate_predictions", "Run", "Tuning",
           "Comparison", "Algorithm", "AlgorithmSpec", "Dataset", "DatasetLoader", "CsvOptions",
           "load_dataset", "Metric", "register_metric", "register_algorithm", "Execution", "derive_seed",
           "derive_rng", "RecbenchError", "ConfigError", "DataError"]
