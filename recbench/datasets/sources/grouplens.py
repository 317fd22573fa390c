"""Download a MovieLens zip from GroupLens' files server, verify it by MD5 and unpack it
atomically into the cache.

GroupLens publishes the MD5 of each zip beside it (``<zip>.md5``). recbench pins those
values (:data:`PINNED_MD5`) and checks three things before anything reaches the cache:

1. the published ``.md5`` agrees with the pin (else GroupLens changed the release, or the
   server is not GroupLens: refused);
2. the downloaded zip's MD5 equals the pin (refused otherwise);
3. every member of the zip passes its CRC check (a corrupt archive is refused).

A missing ``.md5`` (HTTP 404) is **not** refused: the zip is still checked against the pin,
which is the authority; the missing corroboration is given as a warning and recorded as
``published_md5: null`` in ``recbench.json``. The folder is unpacked into a scratch folder
of the cache, ``recbench.json`` (pinned and published MD5, the ratings file's SHA-256, the
URL) is written beside the files, and the folder is renamed into place in one step.

``RECBENCH_GROUPLENS_URL`` replaces the server (tests point it at 127.0.0.1). Both downloads
and the unpacking are bounded (a deadline scaled to :data:`ZIP_BYTES`, size caps, refusal of
encrypted, unsupported, linked or escaping members: :mod:`.guarded`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path

from recbench.datasets.reading import sha256_file
from recbench.datasets.sources.guarded import extract_zip, fetch
from recbench.errors import DataError
from recbench.runtime import env

GROUPLENS_URL = "https://files.grouplens.org/datasets/movielens"
#: MD5 of each zip as GroupLens publishes it beside the zip (checked at every download)
PINNED_MD5 = {
    "ml-1m": "c4d9eecfca2ab87c1945afe126590906",
    "ml-10m": "ce571fd55effeba0271552578f2648bd",
    "ml-20m": "cd245b17a1ae2cc31bb14903e1204af3",
    "ml-25m": "6b51fb2759a8657d3bfcbfc42b592ada",
    "ml-32m": "d472be332d4daa821edc399621853b57",
}
#: about the size of each zip (it scales the default download deadline; see runtime/env.py)
ZIP_BYTES = {"ml-1m": 6_000_000, "ml-10m": 66_000_000, "ml-20m": 199_000_000,
             "ml-25m": 262_000_000, "ml-32m": 239_000_000}
#: the most a published ``.md5`` file may hold
MD5_FILE_BYTES = 64 * 2**10
#: the file recbench writes beside a downloaded dataset's files
RECORD = "recbench.json"
_MD5 = re.compile(r"\b[0-9a-fA-F]{32}\b")


def base_url() -> str:
    return env.grouplens_url() or GROUPLENS_URL


def read_record(folder: Path) -> dict | None:
    """The ``recbench.json`` of a downloaded folder, or None (a copy put there by hand)."""
    try:
        return json.loads((Path(folder) / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def download(name: str, zip_folder: str, ratings_file: str, cache_dir: Path,
             url: str | None = None, timeout: float = 60.0, pinned: dict | None = None) -> Path:
    """Fetch ``<url>/<name>.zip`` (holding ``zip_folder/``) and its ``.md5``, verify both,
    and move the folder into ``cache_dir/<name>`` in one rename. Returns that folder."""
    pinned = PINNED_MD5 if pinned is None else pinned
    expected = pinned[name]
    zip_url = f"{(url or base_url()).rstrip('/')}/{name}.zip"
    cache_dir = Path(cache_dir)
    target = cache_dir / name
    hint = (f"download {name}.zip yourself and unpack it so that {target / ratings_file} "
            f"exists, or pass --data-dir DIR where DIR/{name}/{ratings_file} exists")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        scratch = tempfile.TemporaryDirectory(dir=cache_dir, prefix=f".{name}-")
    except OSError as exc:
        raise DataError(f"{name} must be downloaded but the cache folder {cache_dir} is not "
                        f"writable ({exc.strerror or exc}); set RECBENCH_CACHE_DIR to a writable "
                        f"folder, or pass --data-dir DIR where DIR/{name}/{ratings_file} "
                        f"exists.") from None
    with scratch as tmp:
        return _download(name, zip_folder, ratings_file, Path(tmp), zip_url, target, expected,
                         timeout, hint)


def _download(name, zip_folder, ratings_file, tmp: Path, zip_url, target, expected, timeout,
              hint) -> Path:
    published = _published_md5(name, zip_url, tmp, timeout, hint)
    if published is not None and published != expected:
        raise DataError(f"the MD5 GroupLens publishes for {name}.zip ({published}, from "
                        f"{zip_url}.md5) is not the one recbench pins ({expected}), so the "
                        f"release changed or the server is not GroupLens'; {hint}.")
    archive = tmp / f"{name}.zip"
    actual = fetch(zip_url, archive, what=name, hint=hint, timeout=timeout,
                   expected_bytes=ZIP_BYTES.get(name, env.DOWNLOAD_MAX))
    if actual != expected:
        raise DataError(f"{name}.zip downloaded from {zip_url} has MD5 {actual}, not the "
                        f"published {expected}; {hint}.")
    unpacked = _unpack(archive, tmp / "unpacked", zip_url, name, hint) / zip_folder
    ratings = unpacked / ratings_file
    if not ratings.is_file():
        raise DataError(f"{name}.zip from {zip_url} holds no {zip_folder}/{ratings_file}; "
                        f"{hint}.")
    record = {"name": name, "url": zip_url, "zip_md5": actual, "published_md5": published,
              "ratings_file": ratings_file, "ratings_sha256": sha256_file(ratings)}
    (unpacked / RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    try:
        os.replace(unpacked, target)
    except OSError as exc:     # another process won the race, or an old copy is in the way
        if not (target / ratings_file).is_file():
            raise DataError(f"could not move the downloaded {name} into {target} "
                            f"({exc.strerror or exc}); remove what is in the way, or "
                            f"{hint}.") from exc
    return target


def _published_md5(name: str, zip_url: str, tmp: Path, timeout: float, hint: str) -> str | None:
    path = tmp / f"{name}.zip.md5"
    if fetch(f"{zip_url}.md5", path, what=f"{name}.zip.md5", hint=hint, timeout=timeout,
             expected_bytes=0, max_bytes=MD5_FILE_BYTES, missing_ok=True) is None:
        warnings.warn(f"GroupLens publishes no {name}.zip.md5 at {zip_url}.md5; the zip is "
                      f"checked against the MD5 recbench pins only.", stacklevel=4)
        return None
    text = path.read_bytes()[:4096].decode("ascii", "replace")
    match = _MD5.search(text)
    if match is None:
        raise DataError(f"{zip_url}.md5 holds no MD5 checksum ({text.strip()[:60]!r}); {hint}.")
    return match.group(0).lower()


def _unpack(archive: Path, into: Path, url: str, name: str, hint: str) -> Path:
    extract_zip(archive, into, what=f"{name}.zip from {url}", hint=hint)
    shutil.rmtree(into / "__MACOSX", ignore_errors=True)
    return into
