"""Module paths of recbench 0.1's flat layout, kept importable for plugins and scripts.

recbench 0.2 gave every idea a folder of its own (see the README's Layout section); a module
that plugins may have imported under its old path still imports there, with a
``DeprecationWarning`` naming the new place. An old path is the module (or the union of the
modules) that now holds its names - the very same objects, so ``isinstance`` checks and
subclassing keep working. The finder is installed by ``import recbench``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings

_A = "recbench.algorithms."
_S = _A + "surprise."
_T = _A + "topn."
#: old module path -> the module(s) that now hold its names
MOVED: dict[str, tuple[str, ...]] = {
    "recbench.execution": ("recbench.runtime.execution", "recbench.runtime.threads",
                           "recbench.runtime.env"),
    "recbench.execution_dask": ("recbench.runtime.dask_backend",),
    _A + "memory": ("recbench.runtime.memory", "recbench.runtime.env"),
    _A + "constraints": (_A + "params",),
    _A + "_surprise": (_S + "_import",),
    _A + "surprise_models": (_S + "adapter", _S + "svd", _S + "baseline_only", _S + "slope_one",
                             _S + "co_clustering", _S + "normal_predictor"),
    _A + "surprise_knn": (_S + "knn",),
    _A + "neighbour_walk": (_S + "knn_kernels", "recbench.runtime.threads"),
    _A + "compiled_fits": (_S + "fits",),
    _A + "rating_codes": (_S + "codes",),
    _A + "interactions": (_T + "interactions", "recbench.runtime.threads"),
    _A + "knn_topn": (_T + "knn",),
    _A + "linear": (_T + "ease",),
    _A + "graph": (_T + "rp3beta",),
    _A + "puresvd": (_T + "puresvd",),
    _A + "implicit_models": (_T + "ials", _T + "bpr"),
    _A + "features": (_A + "neural.features",),
    _A + "mlp": (_A + "neural.mlp", _A + "neural.transfer_mlp"),
    "recbench.datasets.movielens": ("recbench.datasets.sources.movielens",),
    "recbench.datasets.movielens_family": ("recbench.datasets.sources.releases",),
    "recbench.datasets.builtin": ("recbench.datasets.sources.loaders",),
    "recbench.datasets.download": ("recbench.datasets.sources.download",),
    "recbench.datasets.grouplens": ("recbench.datasets.sources.grouplens",),
    "recbench.datasets.synthetic": ("recbench.datasets.sources.synthetic",),
    "recbench.evaluation.config": ("recbench.config",),
    "recbench.evaluation.experiment": ("recbench.experiments.experiment",
                                       "recbench.experiments.runner"),
    "recbench.evaluation.job": ("recbench.experiments.job",),
    "recbench.evaluation.jobstore": ("recbench.experiments.jobstore",),
    "recbench.evaluation.transfer": ("recbench.experiments.transfer",),
    "recbench.evaluation.aggregate": ("recbench.statistics.intervals",
                                      "recbench.statistics.aggregate"),
    "recbench.evaluation.significance": ("recbench.statistics.significance",),
    "recbench.evaluation.comparison": ("recbench.statistics.comparison",),
    "recbench.evaluation.external": ("recbench.experiments.external.systems",),
    "recbench.evaluation.external_experiment": ("recbench.experiments.external.experiment",),
    "recbench.evaluation.prediction_files": ("recbench.experiments.external.files",),
    "recbench.evaluation.fused": ("recbench.evaluation.kernels.fused",
                                  "recbench.evaluation.kernels.ties"),
}


class _Loader(importlib.abc.Loader):
    def create_module(self, spec):
        targets = MOVED[spec.name]
        warnings.warn(f"{spec.name} moved to {' and '.join(targets)}; import it from there "
                      f"(the old path goes away in a later release).", DeprecationWarning,
                      stacklevel=6)
        modules = [importlib.import_module(t) for t in targets]
        if len(modules) == 1:
            return modules[0]
        union = types.ModuleType(spec.name, modules[0].__doc__)
        for module in reversed(modules):      # the first module wins a shared name
            union.__dict__.update({k: v for k, v in vars(module).items()
                                   if not k.startswith("__")})
        return union

    def exec_module(self, module):
        pass


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED:
            return importlib.machinery.ModuleSpec(fullname, _Loader())
        return None


def install() -> None:
    """Put the finder on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
