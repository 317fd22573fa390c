"""Download ml-100k from GroupLens, verify it and unpack it atomically into the cache."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from recbench.datasets.sources import movielens
from recbench.datasets.sources.guarded import extract_zip, fetch
from recbench.errors import DataError

ML100K_URL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip"
#: checked in the archive before it is unpacked into the cache (the reader then checks every
#: file it reads against ``movielens.ML100K_SHA256``)
ML100K_SHA256 = {name: movielens.ML100K_SHA256[name] for name in ("u.data", "u.item")}
#: about the size of GroupLens' ml-100k.zip (it scales the default download deadline)
ML100K_ZIP_BYTES = 5_000_000


def download_ml100k(cache_dir: Path, url: str = ML100K_URL, timeout: float = 30.0,
                    checksums: dict[str, str] = ML100K_SHA256) -> Path:
    """Fetch ``url`` (a zip holding ``ml-100k/``), check the SHA-256 of its key files and
    move the folder into ``cache_dir/ml-100k`` in one rename. Returns that folder. The
    download and the unpacking are bounded (deadline, size caps: :mod:`.guarded`)."""
    cache_dir = Path(cache_dir)
    target = cache_dir / "ml-100k"
    hint = (f"put the unpacked ml-100k folder (with u.data) in {target}, "
            f"or pass --data-dir DIR where DIR/ml-100k/u.data exists")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        scratch = tempfile.TemporaryDirectory(dir=cache_dir, prefix=".ml-100k-")
    except OSError as exc:
        raise DataError(f"ml-100k must be downloaded but the cache folder {cache_dir} is not "
                        f"writable ({exc.strerror or exc}); set RECBENCH_CACHE_DIR to a writable "
                        f"folder, or pass --data-dir DIR where DIR/ml-100k/u.data exists.") from None
    with scratch as tmp:
        archive = Path(tmp) / "ml-100k.zip"
        fetch(url, archive, what="ml-100k", hint=hint, expected_bytes=ML100K_ZIP_BYTES,
              timeout=timeout)
        extract_zip(archive, Path(tmp) / "unpacked", what=f"the ml-100k.zip from {url}",
                    hint=hint)
        unpacked = Path(tmp) / "unpacked" / "ml-100k"
        for name, expected in checksums.items():
            path = unpacked / name
            actual = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
            if actual != expected:
                raise DataError(f"checksum mismatch for {name} downloaded from {url} "
                                f"(expected {expected}, got {actual}); {hint}.")
        try:
            os.replace(unpacked, target)
        except OSError as exc:  # another process won the race, or an old copy is in the way
            if not (target / "u.data").is_file():
                raise DataError(f"could not move the downloaded ml-100k into {target} "
                                f"({exc.strerror or exc}); remove what is in the way, or "
                                f"{hint}.") from exc
    return target
