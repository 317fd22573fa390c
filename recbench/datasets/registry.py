"""The dataset registry: loaders registered through the entry point group
``recbench.datasets`` (the built-ins register the same way, in ``pyproject.toml``).

A loader is an object with ``name``, ``description``, ``locate(data_dir)`` (the local folder
or None), ``load(data_dir=None, download=True)`` (a :class:`Dataset`) and ``splits`` (the
predefined splits it provides, name -> fold names, e.g. ``{"u1": ["u1"], "u1-u5": [...]}``).
Subclass :class:`DatasetLoader` to write one (``examples/dataset-plugin/`` is complete).
"""

from __future__ import annotations

import warnings
from importlib.metadata import entry_points
from pathlib import Path
from typing import ClassVar

GROUP = "recbench.datasets"


class DatasetLoader:
    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    #: predefined splits: split name -> the dataset's fold names it runs
    splits: ClassVar[dict[str, list[str]]] = {}

    def locate(self, data_dir: str | Path | None = None) -> Path | None:
        """The folder it would read without downloading, or None."""
        raise NotImplementedError

    def load(self, data_dir: str | Path | None = None, download: bool = True, **options):
        raise NotImplementedError


_cache: dict | None = None


def registered() -> dict[str, DatasetLoader]:
    """Name -> loader for every installed dataset; a plugin that fails to load is skipped
    with a warning."""
    global _cache
    if _cache is None:
        out = {}
        for ep in entry_points(group=GROUP):
            try:
                loader = ep.load()
                loader = loader() if isinstance(loader, type) else loader
                out[ep.name.lower()] = loader
            except Exception as exc:           # a broken plugin must not take the run down
                warnings.warn(f"dataset plugin {ep.name!r} is unavailable: "
                              f"{type(exc).__name__}: {exc}", stacklevel=2)
        _cache = out
    return dict(_cache)


def register(loader: DatasetLoader) -> DatasetLoader:
    """Register a loader in this process (plugins use the entry point group instead)."""
    registered()
    _cache[loader.name.lower()] = loader
    return loader
