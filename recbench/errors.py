"""Errors meant for the user: the CLI prints their message and exits with code 2."""


class RecbenchError(Exception):
    """A problem the user can fix (bad input, missing data, bad option)."""


class DataError(RecbenchError):
    """A dataset file is missing, unreadable or malformed."""


class ConfigError(RecbenchError):
    """An option or experiment file is invalid."""


class ResourceError(RecbenchError):
    """A model would need more memory (or another resource) than the budget allows."""
