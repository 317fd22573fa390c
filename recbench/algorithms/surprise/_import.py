"""The one place recbench imports scikit-surprise.

Importing ``surprise`` creates its data folder (``$SURPRISE_DATA_FOLDER``, default
``~/.surprise_data``: ``surprise.builtin_datasets.get_dataset_dir`` runs at import time) and
raises when that folder cannot be created, e.g. under a read-only or missing ``HOME``. That
would break every recbench command, ``--version`` included, although recbench never uses the
folder (it reads datasets itself; ``locate`` only looks there for a copy Surprise
downloaded earlier).

:func:`import_surprise` therefore checks first. Only when the folder neither exists nor can be
created does it point ``SURPRISE_DATA_FOLDER`` at a new, empty temporary folder (removed at
exit while still empty) before the import. That environment variable is the one
process-level change recbench makes; child processes (``--n-jobs``) inherit it and find the
folder in place.
"""

from __future__ import annotations

import atexit
import os
import tempfile


def surprise_data_folder() -> str:
    """The folder Surprise will create on import (its own default rule)."""
    return os.environ.get("SURPRISE_DATA_FOLDER", os.path.expanduser("~") + "/.surprise_data/")


def import_surprise():
    """``import surprise``, after making sure its data folder can exist; returns the module."""
    folder = surprise_data_folder()
    if not os.path.exists(folder):   # Surprise accepts an existing one, even read-only
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError:
            fallback = tempfile.mkdtemp(prefix="recbench-surprise-data-")
            atexit.register(_remove_if_empty, fallback)
            os.environ["SURPRISE_DATA_FOLDER"] = fallback
    import surprise
    return surprise


def _remove_if_empty(folder: str) -> None:
    try:
        os.rmdir(folder)
    except OSError:
        pass
