"""The tie rule of every ranking kernel: a seeded hash key per (fold, user, item).

For user u (its position in the fold's evaluated users) and catalog position i, the tie key
is a counter-based hash, the splitmix64 output number ``n = u * 2**32 + i`` of a stream
seeded by one 64-bit ``key`` drawn from the fold's tie generator (seed, fold)::

    hash(u, i) = mix64(key + (n + 1) * 0x9E3779B97F4A7C15)

``mix64`` is a bijection of 64-bit words, so within a fold no two (u, i) share a hash: the
order (score descending, hash ascending) is strict, every ordering of tied items is equally
likely (as far as splitmix64 is random), and it is the same for every algorithm on a fold and
in every kernel.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def tie_key(rng: np.random.Generator) -> int:
    """The fold's 64-bit hash key, one draw from its tie generator."""
    return int(rng.integers(0, 2 ** 64, dtype=np.uint64))


@njit(cache=True, inline="always")
def tie_hash(key, user, item):
    z = key + (np.uint64(user) * np.uint64(4294967296) + np.uint64(item) + np.uint64(1)) * _GAMMA
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def tie_hashes(key: int, users, items) -> np.ndarray:
    """hash(u, i) for arrays of user and item codes (tests and readers of the rule)."""
    return _hashes(np.uint64(key), np.asarray(users, np.int64), np.asarray(items, np.int64))


@njit(cache=True)
def _hashes(key, users, items):
    out = np.empty(len(users), np.uint64)
    for t in range(len(users)):
        out[t] = tie_hash(key, users[t], items[t])
    return out
