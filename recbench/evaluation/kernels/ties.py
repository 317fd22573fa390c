"""The tie rule of every ranking kernel: a seeded hash key per (fold, user, item).

For user u (its position in the fold's evaluated users) and catalog position i, the tie key
is a counter-based hash, the splitmix64 output number ``n = u * 2**32 + i`` of a stream
seeded by one 64-bit ``key`` drawn from the fold's tie generator (seed, fold)::

    hash(u, i) = mix64(key + (n + 1) * 0x9E3779B97F4A7C15)

``mix64`` is a bijection of 64-bit words, so within a fold no two (u, i) share a hash: the
order (score descending, hash ascending) is strict, every ordering of tied items is equally
likely (as far as splitmix64 is random), and it is the same for every algorithm on a fold and
in every kernel (the dense kernel materialises them with :func:`tie_matrix`, the fused one
computes them only where a tie or the top k needs them).
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: the rule in words, as the record states it
TIE_RULE = ("a splitmix64 hash of the fold's 64-bit tie key and the (user, item) positions; "
            "score descending, then hash ascending")
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


def tie_matrix(key: int, first_user: int, n_users: int, n_items: int) -> np.ndarray:
    """hash(u, i) for users ``first_user .. first_user + n_users - 1`` and every catalog
    position i: the dense kernel's (n_users, n_items) tie keys, the same the fused kernel
    computes where it needs them."""
    return _matrix(np.uint64(key), np.int64(first_user), np.int64(n_users), np.int64(n_items))


@njit(cache=True)
def _matrix(key, first, n_users, n_items):
    out = np.empty((n_users, n_items), np.uint64)
    for r in range(n_users):
        for c in range(n_items):
            out[r, c] = tie_hash(key, first + r, c)
    return out
