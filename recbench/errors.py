"""Errors meant for the user (the CLI prints their message and exits with code 2), and the
one-line reason a failed job or trial reports."""

import traceback


class RecbenchError(Exception):
    """A problem the user can fix (bad input, missing data, bad option)."""


class DataError(RecbenchError):
    """A dataset file is missing, unreadable or malformed."""


class ConfigError(RecbenchError):
    """An option or experiment file is invalid."""


class StorageError(RecbenchError):
    """A result could not be written (a full or read-only disk); what was there is kept."""


class ResourceError(RecbenchError):
    """A model would need more memory (or another resource) than the budget allows."""


def failure_reason(exc: BaseException, verbose: bool) -> str:
    """One line for a failed job or trial (the traceback with ``verbose``)."""
    if verbose:
        return traceback.format_exc()
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})"
    return f"{type(exc).__name__}: {exc}"
