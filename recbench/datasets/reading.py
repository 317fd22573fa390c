"""Reading delimited text files as strings, line by line, with one-sentence errors that name
the file and the line; the SHA-256 of a file; and a rating file's bytes, read once (so that
the SHA-256 describes the bytes parsed), with a sentence saying what a file that is not
delimited text is instead (compressed, Parquet, UTF-16, a pipe or a device, a symlink loop).
"""

from __future__ import annotations

import csv
import errno
import gzip
import hashlib
import io
import os
import re
import stat
import zlib
from pathlib import Path

import pandas as pd

from recbench.errors import DataError


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# (magic bytes, what the file is, what to do): checked in this order
_MAGIC = [
    (b"PAR1", "a Parquet file, not delimited text",
     "convert it to CSV (pandas: pd.read_parquet(path).to_csv('ratings.csv', index=False)) or "
     "pass the DataFrame to recbench.run"),
    (b"PK\x03\x04", "a zip archive", "extract the rating file from it and give that file"),
    (b"BZh", "bzip2-compressed", "decompress it (bunzip2) and give the decompressed file"),
    (b"\xfd7zXZ\x00", "xz-compressed", "decompress it (unxz) and give the decompressed file"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed", "decompress it (unzstd) and give the "
     "decompressed file"),
]
_BOMS = [(b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")]


def file_kind_error(path: Path, option: str, kind_of_file: str = "a rating file") -> str | None:
    """A sentence saying what ``path`` is when it is not a regular file (a folder, a named
    pipe, a device, a socket, a symlink loop, a dangling link, nothing), else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return (f"{path} is a symbolic link loop (following it leads back to a link); point "
                    f"it at {kind_of_file}, or give {option} the file's own path.")
        if os.path.islink(path):
            return (f"{path} is a symbolic link to {os.readlink(path)}, which does not exist; "
                    f"check the link or give {option} the file's own path.")
        if exc.errno == errno.ENOENT:
            return f"{path} does not exist; check the path given to {option}."
        return f"{path} could not be read ({exc.strerror or exc}); check the path given to {option}."
    if stat.S_ISDIR(mode):
        return f"{path} is a folder; give {option} the path of a file inside it."
    kinds = [(stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")]
    for test, kind in kinds:
        if test(mode):
            return (f"{path} is {kind}, not {kind_of_file}; give {option} the path of a regular "
                    f"file (save the data to a file first).")
    return None


def read_rating_bytes(path: Path, option: str = "--dataset", encoding: str = "utf-8",
                      kind_of_file: str = "a rating file"):
    """``path``'s bytes as text to parse (a gzip file decompressed) and the SHA-256 of the
    bytes read from disk, read once so that the digest describes exactly what is parsed. A
    DataError saying what the file is when it is not a regular file or not delimited text."""
    problem = file_kind_error(path, option, kind_of_file)
    if problem:
        raise DataError(problem)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise DataError(f"{path} could not be read ({exc.strerror or exc}).") from None
    digest = hashlib.sha256(data).hexdigest()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path} is gzip-compressed but cannot be decompressed ({exc}); "
                            f"check the file (gzip -t), or give the decompressed file.") from None
    for magic, kind, fix in _MAGIC:
        if data.startswith(magic):
            raise DataError(f"{path} is {kind}; {fix}.")
    if encoding.replace("_", "-").lower().removesuffix("-sig") in ("utf-8", "utf8", "u8"):
        for bom, name in _BOMS:
            if data.startswith(bom):
                raise DataError(f"{path} is {name.upper()} text (it starts with a {name.upper()} "
                                f"byte-order mark), not UTF-8; pass --encoding {name}.")
    return data, digest


_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_QUOTE = re.compile(r"EOF inside string starting (?:at|with) row (\d+)")


def read_table(path: Path, sep: str, fix: str, header: bool = False, names=None,
               encoding: str = "utf-8", quoting: int = csv.QUOTE_MINIMAL,
               skip: int = 0, data: bytes | None = None) -> pd.DataFrame:
    """A delimited text file as strings (``""`` where a field is missing), indexed by 1-based
    line number, blank lines dropped, after ``skip`` leading lines. With ``header`` the first
    remaining row names the columns (repeated names get ``.1``, ``.2``...), and every row
    must fit within it. Any failure to read is a DataError naming the file (and the line
    where the parser tells it); ``fix`` ends the sentence. ``data``: the file's bytes, when
    already read (``path`` then only names it)."""
    engine = "c" if len(sep) == 1 else "python"
    try:
        raw = pd.read_csv(path if data is None else io.BytesIO(data), sep=sep if engine == "c" else re.escape(sep), header=None,
                          names=names, dtype=str, keep_default_na=False, na_filter=False,
                          skip_blank_lines=False, encoding=encoding, quoting=quoting,
                          engine=engine, skiprows=skip or None)
    except FileNotFoundError:
        raise DataError(f"{path} does not exist; {fix}.") from None
    except UnicodeError:     # UnicodeDecodeError, or e.g. utf-16 without its BOM
        raise DataError(f"{path} is not valid {encoding.removesuffix('-sig')} text; pass "
                        f"--encoding with the file's encoding, e.g. --encoding latin-1.") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} holds no rows to read; {fix}.") from None
    except (LookupError, ValueError, csv.Error) as exc:   # unknown encoding, tokenising
        raise DataError(_parse_error(path, sep, str(exc), fix)) from None
    except OSError as exc:
        raise DataError(f"{path} could not be read ({exc.strerror or exc}); {fix}.") from None
    raw = raw.fillna("").astype(str)
    raw.index = raw.index + 1 + skip
    if raw.shape[1] == 0:
        return raw
    empty = raw == ""
    blank = empty.all(axis=1)
    rest_empty = empty.iloc[:, 1:].all(axis=1) & ~blank      # only the first field has text
    if rest_empty.any():
        blank[rest_empty] = raw.loc[rest_empty, raw.columns[0]].str.strip() == ""
    raw = raw[~blank]
    if header and len(raw):
        raw, raw.columns = raw.iloc[1:], _unique_names(raw.iloc[0].tolist())
    return raw


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        base, n = name, seen.get(name, 0)
        while name in seen:
            n += 1
            name = f"{base}.{n}"
        seen[base] = n
        seen[name] = 0
        out.append(name)
    return out


def _parse_error(path, sep, message: str, fix: str) -> str:
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    if m := _FIELDS.search(message):
        expected, line, saw = m.groups()
        return (f"{path}, line {line}: {saw} fields where the lines before have {expected} "
                f"(separator {sep!r}); {fix}.")
    if m := _QUOTE.search(message):
        return (f"{path}, near line {int(m.group(1)) + 1}: a quote (\") opens a field that is "
                f"never closed; {fix}.")
    if "unknown encoding" in first or "codec" in first:
        return f"{path}: {first}; pass --encoding with a known encoding, e.g. utf-8 or latin-1."
    return f"{path} could not be parsed with separator {sep!r} ({first}); {fix}."
