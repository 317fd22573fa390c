"""The one randomness module: every seed of a run is derived here from its root seed.

``derive_seed(root, "fold", 3, "algorithm", "svd")`` turns a root seed and readable keys into
a 32-bit seed; ``derive_rng(...)`` into a ``numpy.random.Generator``. The keys are hashed
(SHA-256 of their text, so every Python process and platform derives the same numbers) into
``numpy.random.SeedSequence``'s spawn key: different key paths give independent streams, the
same path always gives the same stream. Nothing else in recbench seeds a generator from
anything but these two functions or an algorithm's own ``random_state``.

The keys a run uses (recorded in its ``run.json``: generators under ``seeds`` with their
keys and spawn keys, algorithm seeds per fold under ``algorithms``):

- ``("split",)`` - the random folds;
- ``("fold", name, "ties")`` - the tie-breaking keys of every algorithm on that fold;
- ``("fold", name, "algorithm", label)`` - the algorithm's ``random_state`` when it has one
  and it was left unset;
- ``("bootstrap", label, metric)`` - the bootstrap interval over users on a single split;
- ``("transfer", "fold", name, "subsets")`` - the nested subsets of the transfer study.
"""

from __future__ import annotations

import hashlib

import numpy as np

from recbench.errors import ConfigError

MAX_SEED = 2**32 - 1


def _key_words(keys) -> tuple[int, ...]:
    words = []
    for key in keys:
        digest = hashlib.sha256(repr(key if isinstance(key, str) else int(key)).encode()).digest()
        words.append(int.from_bytes(digest[:4], "little"))
    return tuple(words)


def check_seed(seed) -> int:
    """A root seed must be a whole number from 0 to 2**32 - 1."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"seed {seed!r} is invalid; give a whole number from 0 to {MAX_SEED}.")
    return int(seed)


def spawn_key(*keys) -> tuple[int, ...]:
    """The ``SeedSequence`` spawn key that ``keys`` stand for."""
    return _key_words(keys)


def seed_sequence(root: int, *keys) -> np.random.SeedSequence:
    return np.random.SeedSequence(check_seed(root), spawn_key=_key_words(keys))


def derive_seed(root: int, *keys) -> int:
    """A 32-bit seed for ``keys`` under ``root`` (e.g. ``derive_seed(0, "split")``)."""
    return int(seed_sequence(root, *keys).generate_state(1)[0])


def derive_rng(root: int, *keys) -> np.random.Generator:
    """A generator for ``keys`` under ``root``."""
    return np.random.default_rng(seed_sequence(root, *keys))
