"""Every ``RECBENCH_*`` environment variable recbench reads, read here and nowhere else.

Each reader returns the setting (None when unset) and raises a ConfigError naming the
variable and the fix when it is malformed; :func:`check_environment` calls every reader
before any work, so a bad value is refused before the first fold is fitted.

=========================  ===================================================================
variable                   meaning
=========================  ===================================================================
RECBENCH_THREADS           caps the threads of each job (a whole number >= 1)
RECBENCH_MEMORY_BUDGET     bytes one model may allocate ("8G", "500M", "64K" or bytes)
RECBENCH_BATCH_CELLS       user x item cells the ranking evaluation scores at once
RECBENCH_RANKING_KERNEL    the ranking kernel, "fused" (default) or "dense" (same values)
RECBENCH_DATA_DIR          a folder to look for dataset folders in (after --data-dir)
RECBENCH_CACHE_DIR         where downloads are unpacked (default ~/.cache/recbench)
RECBENCH_ML100K_URL        the ml-100k zip's address (tests point it at 127.0.0.1)
RECBENCH_GROUPLENS_URL     GroupLens' files server for ml-1m ... ml-32m
=========================  ===================================================================
"""

from __future__ import annotations

import os
import re

from recbench.errors import ConfigError

#: the ranking kernels; both compute the same values (one tie rule), the fused one faster
KERNELS = ("fused", "dense")
_UNITS = {"": 1, "B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def _get(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def parse_size(text: str, name: str = "RECBENCH_MEMORY_BUDGET") -> int:
    """"8G" -> 8 * 2**30 bytes; units K, M, G, T (powers of 1024), optional trailing "B"."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", str(text), re.IGNORECASE)
    if not match:
        raise ConfigError(f"{name}={text!r} is invalid; give a size such as 8G, 500M or a "
                          f"number of bytes.")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def threads() -> int | None:
    """``RECBENCH_THREADS``: the most threads a job may use, or None."""
    value = _get("RECBENCH_THREADS")
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and int(value) >= 1):
        raise ConfigError(f"RECBENCH_THREADS={value!r} is invalid; give a whole number of "
                          f"threads >= 1, e.g. 2, or unset it.")
    return int(value)


def memory_budget() -> int | None:
    """``RECBENCH_MEMORY_BUDGET`` in bytes, or None."""
    value = _get("RECBENCH_MEMORY_BUDGET")
    return None if value is None else parse_size(value)


def batch_cells() -> int | None:
    """``RECBENCH_BATCH_CELLS``, or None."""
    value = _get("RECBENCH_BATCH_CELLS")
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and int(value) >= 1):
        raise ConfigError(f"RECBENCH_BATCH_CELLS={value!r} is invalid; give a whole number "
                          f"of user x item cells, e.g. 2000000.")
    return int(value)


def ranking_kernel() -> str:
    """``RECBENCH_RANKING_KERNEL``, default "fused"."""
    value = _get("RECBENCH_RANKING_KERNEL") or "fused"
    if value not in KERNELS:
        raise ConfigError(f"RECBENCH_RANKING_KERNEL={value!r} is invalid; give "
                          f"{' or '.join(map(repr, KERNELS))}, or unset it (fused).")
    return value


def data_dir() -> str | None:
    """``RECBENCH_DATA_DIR``: one more folder to look for datasets in, or None."""
    return _get("RECBENCH_DATA_DIR")


def cache_dir() -> str | None:
    """``RECBENCH_CACHE_DIR``, or None (then ``$XDG_CACHE_HOME/recbench``)."""
    return _get("RECBENCH_CACHE_DIR")


_URL = re.compile(r"(https?|file)://\S+")


def _url(name: str) -> str | None:
    value = _get(name)
    if value is not None and not _URL.fullmatch(value.strip()):
        raise ConfigError(f"{name}={value!r} is not a URL; give an address such as "
                          f"https://files.grouplens.org/datasets/movielens, or unset it.")
    return None if value is None else value.strip()


def ml100k_url() -> str | None:
    """``RECBENCH_ML100K_URL``: where to download ml-100k.zip from, or None."""
    return _url("RECBENCH_ML100K_URL")


def grouplens_url() -> str | None:
    """``RECBENCH_GROUPLENS_URL``: the server of the larger MovieLens zips, or None."""
    return _url("RECBENCH_GROUPLENS_URL")


READERS = (threads, memory_budget, batch_cells, ranking_kernel, data_dir, cache_dir,
           ml100k_url, grouplens_url)


def check_environment() -> None:
    """Refuse, before any work, a malformed ``RECBENCH_*`` setting a run would read later
    (each a ConfigError naming the variable and the fix)."""
    for read in READERS:
        read()
