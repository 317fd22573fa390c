"""Every ``RECBENCH_*`` environment variable recbench reads, read here and nowhere else.

Each reader returns the setting (None when unset) and raises a ConfigError naming the
variable                     and the fix when it is malformed; :func:`check_environment` calls every reader
before any work, so a bad value is refused before the first fold is fitted.

===========================  =================================================================
variable                     meaning
===========================  =================================================================
RECBENCH_THREADS             caps the threads of each job (a whole number >= 1)
RECBENCH_MEMORY_BUDGET       bytes one model may allocate ("8G", "500M", "64K" or bytes)
RECBENCH_BATCH_CELLS         user x item cells the ranking evaluation scores at once
RECBENCH_RANKING_KERNEL      the ranking kernel, "fused" (default) or "dense" (same values)
RECBENCH_DATA_DIR            a folder to look for dataset folders in (after --data-dir)
RECBENCH_CACHE_DIR           where downloads are unpacked (default ~/.cache/recbench)
RECBENCH_ML100K_URL          the ml-100k zip's address (tests point it at 127.0.0.1)
RECBENCH_GROUPLENS_URL       GroupLens' files server for ml-1m ... ml-32m
RECBENCH_DOWNLOAD_DEADLINE   seconds one download may take in all (default: scaled to its size)
RECBENCH_DOWNLOAD_MAX        bytes one download may hold ("400M" by default)
RECBENCH_UNPACK_MAX          bytes one archive may unpack to in all ("2G" by default)
RECBENCH_UNPACK_MEMBER_MAX   bytes one file of an archive may unpack to ("1536M" by default)
===========================  =================================================================
"""

from __future__ import annotations

import os
import re
import urllib.parse

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


_URL_EXAMPLE = {"RECBENCH_ML100K_URL": "https://files.grouplens.org/datasets/movielens/ml-100k.zip",
                "RECBENCH_GROUPLENS_URL": "https://files.grouplens.org/datasets/movielens"}


def check_url(value: str, name: str) -> str:
    """``value`` stripped when it is an http://, https:// or file:// address (a host for the
    first two, a path for the last); else a ConfigError naming ``name`` and the fix."""
    url = value.strip()
    example = _URL_EXAMPLE.get(name, "https://files.grouplens.org/datasets/movielens")
    problem = None
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port                              # a port that is not a number raises here
    except ValueError:
        parts, problem = None, "is not a URL"
    if parts is None:
        pass
    elif not url:
        problem = "is empty"
    elif parts.scheme.lower() not in ("http", "https", "file"):
        problem = (f"has scheme {parts.scheme!r}, which recbench cannot download from"
                   if parts.scheme else "is not a URL (it has no http://, https:// or file://)")
    elif parts.scheme.lower() != "file" and not parts.hostname:
        problem = "names no host"
    elif parts.scheme.lower() == "file" and not parts.path.strip("/"):
        problem = "names no file"
    elif any(c.isspace() or not c.isprintable() for c in url):
        problem = "holds a space or a control character"
    if problem:
        raise ConfigError(f"{name}={value!r} {problem}; give an http://, https:// or file:// "
                          f"address such as {example}, or unset it.")
    return url


def _url(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else check_url(value, name)   # set but empty is refused


def ml100k_url() -> str | None:
    """``RECBENCH_ML100K_URL``: where to download ml-100k.zip from, or None."""
    return _url("RECBENCH_ML100K_URL")


def grouplens_url() -> str | None:
    """``RECBENCH_GROUPLENS_URL``: the server of the larger MovieLens zips, or None."""
    return _url("RECBENCH_GROUPLENS_URL")


#: what one download and one archive may take unless the variables below say otherwise: the
#: caps sit above the largest release (ml-25m.zip, about 250 MB, unpacking to about 1.2 GB
#: with a 680 MB ratings.csv; ml-32m's ratings.csv is about 880 MB)
DOWNLOAD_MAX = 400 * 2**20
UNPACK_MAX = 2 * 2**30
UNPACK_MEMBER_MAX = 1536 * 2**20
#: the default deadline: this many seconds, plus one second per DEADLINE_RATE bytes of the
#: expected size (a link slower than 64 KiB/s on average is given up on)
DEADLINE_BASE = 600.0
DEADLINE_RATE = 64 * 2**10


def download_deadline() -> float | None:
    """``RECBENCH_DOWNLOAD_DEADLINE``: seconds one whole download may take, or None (then
    :func:`default_deadline` of its size)."""
    value = _get("RECBENCH_DOWNLOAD_DEADLINE")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not (seconds > 0 and seconds != float("inf")):
        raise ConfigError(f"RECBENCH_DOWNLOAD_DEADLINE={value!r} is invalid; give the seconds "
                          f"one download may take, a number > 0 such as 3600, or unset it.")
    return seconds


def default_deadline(expected_bytes: int) -> float:
    return DEADLINE_BASE + expected_bytes / DEADLINE_RATE


def _size(name: str, default: int) -> int:
    value = _get(name)
    if value is None:
        return default
    size = parse_size(value, name)
    if size < 1:
        raise ConfigError(f"{name}={value!r} is invalid; give a size of at least 1 byte, such "
                          f"as 1G or 500M, or unset it.")
    return size


def download_max() -> int:
    """``RECBENCH_DOWNLOAD_MAX``: the bytes one download may hold (default 400 MiB)."""
    return _size("RECBENCH_DOWNLOAD_MAX", DOWNLOAD_MAX)


def unpack_max() -> int:
    """``RECBENCH_UNPACK_MAX``: the bytes one archive may unpack to in all (default 2 GiB)."""
    return _size("RECBENCH_UNPACK_MAX", UNPACK_MAX)


def unpack_member_max() -> int:
    """``RECBENCH_UNPACK_MEMBER_MAX``: the bytes one member of an archive may unpack to
    (default 1.5 GiB)."""
    return _size("RECBENCH_UNPACK_MEMBER_MAX", UNPACK_MEMBER_MAX)


READERS = (threads, memory_budget, batch_cells, ranking_kernel, data_dir, cache_dir,
           ml100k_url, grouplens_url, download_deadline, download_max, unpack_max,
           unpack_member_max)


def check_environment() -> None:
    """Refuse, before any work, a malformed ``RECBENCH_*`` setting a run would read later
    (each a ConfigError naming the variable and the fix)."""
    for read in READERS:
        read()
