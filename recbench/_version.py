"""recbench's version, from the installed distribution's metadata (one place, imported by
every module that records it, so that no module imports the bare package)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("recbench")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
