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

``RECBENCH_GROUPLENS_URL`` replaces the server (tests point it at 127.0.0.1).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from pathlib import Path

from recbench.datasets.reading import sha256_file
from recbench.errors import DataError

GROUPLENS_URL = "https://files.grouplens.org/datasets/movielens"
#: MD5 of each zip as GroupLens publishes it beside the zip (checked at every download)
PINNED_MD5 = {
    "ml-1m": "c4d9eecfca2ab87c1945afe126590906",
    "ml-10m": "ce571fd55effeba0271552578f2648bd",
    "ml-20m": "cd245b17a1ae2cc31bb14903e1204af3",
    "ml-25m": "6b51fb2759a8657d3bfcbfc42b592ada",
    "ml-32m": "d472be332d4daa821edc399621853b57",
}
#: the file recbench writes beside a downloaded dataset's files
RECORD = "recbench.json"
_MD5 = re.compile(r"\b[0-9a-fA-F]{32}\b")


def base_url() -> str:
    return os.environ.get("RECBENCH_GROUPLENS_URL") or GROUPLENS_URL


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
    published = _published_md5(name, zip_url, timeout, hint)
    if published is not None and published != expected:
        raise DataError(f"the MD5 GroupLens publishes for {name}.zip ({published}, from "
                        f"{zip_url}.md5) is not the one recbench pins ({expected}), so the "
                        f"release changed or the server is not GroupLens'; {hint}.")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        scratch = tempfile.TemporaryDirectory(dir=cache_dir, prefix=f".{name}-")
    except OSError as exc:
        raise DataError(f"{name} must be downloaded but the cache folder {cache_dir} is not "
                        f"writable ({exc.strerror or exc}); set RECBENCH_CACHE_DIR to a writable "
                        f"folder, or pass --data-dir DIR where DIR/{name}/{ratings_file} "
                        f"exists.") from None
    with scratch as tmp:
        archive = Path(tmp) / f"{name}.zip"
        actual = _fetch(zip_url, archive, timeout, name, hint)
        if actual != expected:
            raise DataError(f"{name}.zip downloaded from {zip_url} has MD5 {actual}, not the "
                            f"published {expected}; {hint}.")
        unpacked = _unpack(archive, Path(tmp) / "unpacked", zip_url, name, hint) / zip_folder
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


def _published_md5(name: str, zip_url: str, timeout: float, hint: str) -> str | None:
    try:
        with urllib.request.urlopen(f"{zip_url}.md5", timeout=timeout) as resp:
            text = resp.read(4096).decode("ascii", "replace")
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            warnings.warn(f"GroupLens publishes no {name}.zip.md5 at {zip_url}.md5; the zip is "
                          f"checked against the MD5 recbench pins only.", stacklevel=3)
            return None
        raise DataError(f"could not download {zip_url}.md5 ({exc}); {hint}.") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DataError(f"could not download {name} from {zip_url} ({exc}); {hint}.") from None
    match = _MD5.search(text)
    if match is None:
        raise DataError(f"{zip_url}.md5 holds no MD5 checksum ({text.strip()[:60]!r}); {hint}.")
    return match.group(0).lower()


def _fetch(url: str, path: Path, timeout: float, name: str, hint: str) -> str:
    """Stream ``url`` into ``path``; its MD5."""
    digest = hashlib.md5(usedforsecurity=False)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(path, "wb") as out:
            for block in iter(lambda: resp.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
    except (urllib.error.URLError, OSError) as exc:
        raise DataError(f"could not download {name} from {url} ({exc}); {hint}.") from None
    return digest.hexdigest()


def _unpack(archive: Path, into: Path, url: str, name: str, hint: str) -> Path:
    try:
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise DataError(f"{name}.zip from {url} is corrupt ({bad} fails its CRC "
                                f"check); {hint}.")
            zf.extractall(into)
    except (zipfile.BadZipFile, EOFError, zlib.error, zipfile.LargeZipFile) as exc:
        raise DataError(f"the file downloaded from {url} is not a valid zip archive ({exc}); "
                        f"{hint}.") from None
    except OSError as exc:
        raise DataError(f"could not unpack {name}.zip into {into.parent} "
                        f"({exc.strerror or exc}); {hint}.") from None
    shutil.rmtree(into / "__MACOSX", ignore_errors=True)
    return into
