"""Reading delimited text files as strings, line by line, with one-sentence errors that name
the file and the line; and the SHA-256 of a file.
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pandas as pd

from recbench.errors import DataError


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_QUOTE = re.compile(r"EOF inside string starting (?:at|with) row (\d+)")


def read_table(path: Path, sep: str, fix: str, header: bool = False, names=None,
               encoding: str = "utf-8", quoting: int = csv.QUOTE_MINIMAL,
               skip: int = 0) -> pd.DataFrame:
    """A delimited text file as strings (``""`` where a field is missing), indexed by 1-based
    line number, blank lines dropped, after ``skip`` leading lines. With ``header`` the first
    remaining row names the columns (repeated names get ``.1``, ``.2``...), and every row
    must fit within it. Any failure to read is a DataError naming the file (and the line
    where the parser tells it); ``fix`` ends the sentence."""
    engine = "c" if len(sep) == 1 else "python"
    try:
        raw = pd.read_csv(path, sep=sep if engine == "c" else re.escape(sep), header=None,
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
