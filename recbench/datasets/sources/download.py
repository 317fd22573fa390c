"""Download ml-100k from GroupLens, verify it and unpack it atomically into the cache."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from recbench.datasets.sources import movielens
from recbench.errors import DataError

ML100K_URL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip"
#: checked in the archive before it is unpacked into the cache (the reader then checks every
#: file it reads against ``movielens.ML100K_SHA256``)
ML100K_SHA256 = {name: movielens.ML100K_SHA256[name] for name in ("u.data", "u.item")}


def download_ml100k(cache_dir: Path, url: str = ML100K_URL, timeout: float = 30.0,
                    checksums: dict[str, str] = ML100K_SHA256) -> Path:
    """Fetch ``url`` (a zip holding ``ml-100k/``), check the SHA-256 of its key files and
    move the folder into ``cache_dir/ml-100k`` in one rename. Returns that folder."""
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
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp, open(archive, "wb") as out:
                shutil.copyfileobj(resp, out)
        except (urllib.error.URLError, OSError) as exc:
            raise DataError(f"could not download ml-100k from {url} ({exc}); {hint}.") from exc
        try:
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(Path(tmp) / "unpacked")
        except zipfile.BadZipFile as exc:
            raise DataError(f"the file downloaded from {url} is not a zip archive; {hint}.") from exc
        except OSError as exc:
            raise DataError(f"could not unpack the ml-100k archive into {cache_dir} "
                            f"({exc.strerror or exc}); {hint}.") from exc
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
