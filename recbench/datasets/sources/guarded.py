"""Downloads and zip extraction that cannot run forever, fill the disk or escape their folder.

:func:`fetch` streams a URL into a file under an overall deadline (a watchdog shuts the
socket when it passes, so a server sending a byte a second is cut off too, not only one
that sends nothing) and a size cap (the declared ``Content-Length`` and the bytes actually
received); it writes a temporary file beside the target and renames it into place, so a
refused or failed download leaves nothing behind.

:func:`extract_zip` refuses, before writing anything, a member that is encrypted, uses a
compression recbench cannot read, is a link, or names a path outside the folder (absolute,
``..``); and an archive whose declared sizes pass the per-member or total cap. While it
extracts it counts the bytes it writes against the same caps (a header may lie) and checks
every member's CRC.

The limits are read from the environment (:mod:`recbench.runtime.env`): the deadline
``RECBENCH_DOWNLOAD_DEADLINE`` (default 10 minutes plus a second per 64 KiB of the expected
size), ``RECBENCH_DOWNLOAD_MAX`` (400 MiB), ``RECBENCH_UNPACK_MAX`` (2 GiB) and
``RECBENCH_UNPACK_MEMBER_MAX`` (1.5 GiB). Every refusal is a DataError of one sentence.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import stat
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from recbench.errors import DataError
from recbench.runtime import env

#: compression methods recbench unpacks (those the standard library reads)
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate",
            zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}
_NAMED = {9: "deflate64", 14: "lzma", 93: "zstandard", 95: "xz", 98: "ppmd", 99: "AES"}
_BLOCK = 1 << 16


def size_text(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.4g} {unit}"
    return f"{n} bytes"


class _Watch:
    """Shuts the download's socket down once the deadline has passed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sock = None
        self.expired = False

    def attach(self, sock):
        with self.lock:
            self.sock = sock
            if self.expired:
                self._shut()

    def expire(self):
        with self.lock:
            self.expired = True
            self._shut()

    def _shut(self):
        if self.sock is not None:
            try:      # the plain socket's shutdown (an SSL socket's would unwrap it first)
                socket.socket.shutdown(self.sock, socket.SHUT_RDWR)
            except OSError:
                pass


def _watched(http_class, watch: _Watch):
    class Watched(http_class):
        def connect(self):
            super().connect()
            watch.attach(self.sock)
    return Watched


def _opener(watch: _Watch):
    class HTTP(urllib.request.HTTPHandler):
        def do_open(self, http_class, req, **kw):
            return super().do_open(_watched(http_class, watch), req, **kw)

    class HTTPS(urllib.request.HTTPSHandler):
        def do_open(self, http_class, req, **kw):
            return super().do_open(_watched(http_class, watch), req, **kw)

    return urllib.request.build_opener(HTTP, HTTPS)


def suggest(n: int) -> str:
    """A size twice ``n`` as the variables take it ("800M")."""
    n *= 2
    for unit, scale in (("G", 2**30), ("M", 2**20), ("K", 2**10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale}{unit}"
    return f"{-(-n // 2**20)}M" if n >= 2**20 else str(n)


def fetch(url: str, path: Path, *, what: str, hint: str, expected_bytes: int,
          timeout: float = 60.0, max_bytes: int | None = None,
          deadline: float | None = None, missing_ok: bool = False) -> str | None:
    """Stream ``url`` into ``path`` (via a temporary file beside it, renamed into place);
    the MD5 of what was received (None for an HTTP 404 with ``missing_ok``). ``what`` names
    the download in errors ("ml-1m"), ``hint`` is the fix that ends them; ``expected_bytes``
    scales the default deadline. ``max_bytes`` and ``deadline`` default to the
    environment's."""
    path = Path(path)
    max_bytes = env.download_max() if max_bytes is None else max_bytes
    if deadline is None:
        deadline = env.download_deadline() or env.default_deadline(expected_bytes)
    cap = (f"the {size_text(max_bytes)} download limit (set RECBENCH_DOWNLOAD_MAX higher, "
           f"e.g. {suggest(max_bytes)}")
    watch = _Watch()
    timer = threading.Timer(deadline, watch.expire)
    timer.daemon = True
    digest = hashlib.md5(usedforsecurity=False)
    received = 0
    start = time.monotonic()

    def late() -> bool:
        return watch.expired or time.monotonic() - start > deadline

    fd, part = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    done = False
    try:
        with os.fdopen(fd, "wb") as out:
            timer.start()
            try:
                with _opener(watch).open(url, timeout=min(timeout, deadline)) as resp:
                    declared = (resp.headers.get("Content-Length") or "").strip()
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise DataError(f"{url} declares {int(declared)} bytes, more than {cap}), "
                                        f"so {what} was not downloaded; or {hint}.")
                    read = getattr(resp, "read1", None) or resp.read
                    while not late() and (block := read(_BLOCK)):
                        received += len(block)
                        if received > max_bytes:
                            raise DataError(f"{url} sent more than {cap}; {received} bytes "
                                            f"received), so the download of {what} was "
                                            f"stopped; or {hint}.")
                        digest.update(block)
                        out.write(block)
                if late():             # the watchdog's shutdown can look like the end
                    raise TimeoutError
            except DataError:
                raise
            except urllib.error.HTTPError as exc:
                if missing_ok and exc.code == 404:
                    return None
                raise DataError(f"could not download {what} from {url} ({exc}); "
                                f"{hint}.") from None
            except Exception as exc:  # URLError, OSError, http.client's and ssl's errors
                if late():
                    raise DataError(f"downloading {what} from {url} took longer than the "
                                    f"{deadline:g} s download deadline (set "
                                    f"RECBENCH_DOWNLOAD_DEADLINE to more seconds; {received} "
                                    f"bytes received), so it was stopped; or {hint}.") from None
                if isinstance(exc, ValueError):   # an address urllib cannot open
                    raise DataError(f"{url} is not an address recbench can download {what} "
                                    f"from ({exc}); {hint}.") from None
                raise DataError(f"could not download {what} from {url} ({exc}); "
                                f"{hint}.") from None
        os.replace(part, path)
        done = True
    finally:
        timer.cancel()
        if not done:
            try:
                os.unlink(part)
            except OSError:
                pass
    return digest.hexdigest()


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if info.flag_bits & 0x1:
        return "is encrypted, which recbench cannot unpack"
    if info.compress_type not in _METHODS:
        method = _NAMED.get(info.compress_type, "unknown")
        return (f"uses compression method {info.compress_type} ({method}), which recbench "
                f"cannot unpack")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link, which recbench does not unpack"
    if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)) and stat.S_IFMT(mode):
        return "is not a regular file or folder"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if (not parts or name.startswith(("/", "\\")) or ".." in parts
            or (parts and ":" in parts[0])):
        return "names a path outside the folder it unpacks to"
    return None


def extract_zip(archive: Path, into: Path, *, what: str, hint: str,
                max_total: int | None = None, max_member: int | None = None) -> Path:
    """Unpack ``archive`` into the folder ``into`` within the caps (default: the
    environment's); ``what`` names the archive in errors ("ml-1m.zip from URL"), ``hint``
    is the fix that ends them. Returns ``into``. A refusal removes ``into`` when this call
    created it."""
    max_total = env.unpack_max() if max_total is None else max_total
    max_member = env.unpack_member_max() if max_member is None else max_member
    member_cap = (f"the {size_text(max_member)} limit for one file (set "
                  f"RECBENCH_UNPACK_MEMBER_MAX higher")
    total_cap = (f"the {size_text(max_total)} limit for one archive (set RECBENCH_UNPACK_MAX "
                 f"higher")
    into = Path(into)
    created = not into.exists()
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            declared = 0
            for info in infos:
                problem = _member_problem(info)
                if problem:
                    raise DataError(f"{what} is refused: its member {info.filename!r} "
                                    f"{problem}; {hint}.")
                if info.file_size > max_member:
                    raise DataError(f"{what} is refused: its member {info.filename!r} would "
                                    f"unpack to {info.file_size} bytes, above {member_cap}); "
                                    f"or {hint}.")
                declared += info.file_size
                if declared > max_total:
                    raise DataError(f"{what} is refused: its members would unpack to more "
                                    f"than {total_cap}; {declared} bytes declared by "
                                    f"{info.filename!r} and those before it); or {hint}.")
            into.mkdir(parents=True, exist_ok=True)
            total = 0
            for info in infos:
                target = into.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                try:
                    with zf.open(info) as src, open(target, "wb") as out:
                        while block := src.read(_BLOCK):
                            written += len(block)
                            total += len(block)
                            if written > max_member:
                                raise DataError(f"{what} is refused: its member "
                                                f"{info.filename!r} unpacks to more than "
                                                f"{member_cap}; its header said "
                                                f"{info.file_size} bytes); or {hint}.")
                            if total > max_total:
                                raise DataError(f"{what} is refused: it unpacks to more than "
                                                f"{total_cap}; reached at member "
                                                f"{info.filename!r}); or {hint}.")
                            out.write(block)
                except zipfile.BadZipFile as exc:
                    raise DataError(f"{what} is corrupt ({info.filename} fails its CRC check "
                                    f"or is cut short: {exc}); {hint}.") from None
                except (NotImplementedError, RuntimeError) as exc:  # e.g. no bz2/lzma module
                    raise DataError(f"{what} is refused: its member {info.filename!r} cannot "
                                    f"be unpacked here ({exc}); {hint}.") from None
    except DataError:
        _discard(into, created)
        raise
    except (zipfile.BadZipFile, EOFError, zlib.error, zipfile.LargeZipFile) as exc:
        _discard(into, created)
        raise DataError(f"{what} is not a valid zip archive ({exc}); {hint}.") from None
    except OSError as exc:
        _discard(into, created)
        raise DataError(f"could not unpack {what} into {into.parent} "
                        f"({exc.strerror or exc}); {hint}.") from None
    return into


def _discard(folder: Path, created: bool) -> None:
    """Remove what a refused extraction wrote, when the folder was made for it."""
    if created:
        shutil.rmtree(folder, ignore_errors=True)
