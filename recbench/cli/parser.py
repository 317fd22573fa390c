"""The argument parser of every ``recbench`` command: a usage error is one line that names
the option and points at ``--help`` (exit code 2), and numeric options say what they take."""

from __future__ import annotations

import argparse
import math


class Parser(argparse.ArgumentParser):
    """argparse, but an error is one sentence on stderr instead of the whole usage block."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}; see `{self.prog} --help`.\n")


def folder(text: str) -> str:
    """A folder option's value: not empty (an empty value would silently mean the default)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty folder name; give a folder, e.g. results/my-run")
    return text


def whole_number(text: str) -> int:
    """An option's value as an int: ``'abc'`` or ``'2.5'`` is refused, naming the value."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (write e.g. 5)") \
            from None


def number(text: str) -> float:
    """An option's value as a finite float."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number (write e.g. 0.2)")
    return value
