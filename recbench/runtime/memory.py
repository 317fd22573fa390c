"""A memory budget for models whose state grows with the square of the users or items.

Such a model estimates what it is about to allocate and calls :func:`require_memory` first,
which refuses, in one sentence, anything above :func:`memory_budget`: the environment
variable ``RECBENCH_MEMORY_BUDGET`` ("8G", "500M", "64K" or a number of bytes), else half of
the machine's physical memory.
"""

from __future__ import annotations

import os

from recbench.errors import ResourceError
from recbench.runtime import env

ENV = "RECBENCH_MEMORY_BUDGET"


def physical_memory() -> int | None:
    """The machine's physical memory in bytes, or None where the system does not say."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return None


def memory_budget() -> int:
    """Bytes a single model may allocate: ``$RECBENCH_MEMORY_BUDGET``, else half of the
    physical memory (8 GiB where it cannot be read)."""
    given = env.memory_budget()
    if given is not None:
        return given
    total = physical_memory()
    return total // 2 if total else 8 * 2**30


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def require_memory(algorithm: str, n_bytes: int, what: str, alternative: str) -> None:
    """Raise :class:`ResourceError` when ``n_bytes`` (the estimate for ``what``) exceeds the
    budget; the message gives the estimate, the budget and ``alternative``."""
    budget = memory_budget()
    if n_bytes > budget:
        raise ResourceError(f"{algorithm}: {what} would need about {format_bytes(n_bytes)}, more "
                            f"than the memory budget of {format_bytes(budget)} (set {ENV} to "
                            f"change it); {alternative}.")


#: bytes the ranking evaluator holds per user x item cell of a batch (scores, ranked copy,
#: tie keys, masks and sort buffers), and the bounds of an automatic batch
BYTES_PER_CELL = 48
BATCH_CELLS_MIN, BATCH_CELLS_MAX = 100_000, 20_000_000


def evaluation_batch_cells() -> int:
    """User x item cells the ranking evaluator scores at once: ``$RECBENCH_BATCH_CELLS``,
    else a tenth of the memory budget at :data:`BYTES_PER_CELL` bytes a cell, between
    100,000 and 20 million. The batch size never changes a result (users are independent
    and the tie keys are drawn in the same order either way)."""
    given = env.batch_cells()
    if given is not None:
        return given
    return int(min(BATCH_CELLS_MAX, max(BATCH_CELLS_MIN, memory_budget() // 10 // BYTES_PER_CELL)))
