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

from recbench.errors import DataError

ML100K_URL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip"
ML100K_SHA256 = {
    "u.data": "06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490",
    "u.item": "553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701",
}


def download_ml100k(cache_dir: Path, url: str = ML100K_URL, timeout: float = 30.0,
                    checksums: dict[str, str] = ML100K_SHA256) -> Path:
    """Fetch ``url`` (a zip holding ``ml-100k/``), check the SHA-256 of its key files and
    move the folder into ``cache_dir/ml-100k`` in one rename. Returns that folder."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / "ml-100k"
    hint = (f"put the unpacked ml-100k folder (with u.data) in {target}, "
            f"or pass --data-dir DIR where DIR/ml-100k/u.data exists")
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".ml-100k-") as tmp:
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
        unpacked = Path(tmp) / "unpacked" / "ml-100k"
        for name, expected in checksums.items():
            path = unpacked / name
            actual = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
            if actual != expected:
                raise DataError(f"checksum mismatch for {name} downloaded from {url} "
                                f"(expected {expected}, got {actual}); {hint}.")
        try:
            os.replace(unpacked, target)
        except OSError:  # another process won the race, or an old copy is in the way
            if not (target / "u.data").is_file():
                raise
    return target
