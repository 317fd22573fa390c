"""Compiled (numba) building blocks shared by the model and evaluation kernels: searches in a
sorted array and a bounded heap. Written once here; each is a few lines a kernel would
otherwise repeat inline."""

from __future__ import annotations

from numba import njit


@njit(cache=True, inline="always")
def lower_bound(a, lo, hi, x):
    """The first position p in ``lo .. hi`` with ``a[p] >= x`` (``hi`` when none; ``a[lo:hi]``
    ascending)."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True, inline="always")
def upper_bound(a, lo, hi, x):
    """The first position p in ``lo .. hi`` with ``a[p] > x`` (``hi`` when none)."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if a[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo


# -- a heap of (score, key, index) entries whose root is the entry ranked last: ranked by
# score descending, then key ascending. It keeps the best m entries seen so far.

@njit(cache=True, inline="always")
def worse(s1, h1, s2, h2):
    """(s1, h1) ranks after (s2, h2): a lower score, or the same score and a larger key."""
    return s1 < s2 or (s1 == s2 and h1 > h2)


@njit(cache=True, inline="always")
def _swap(hs, hh, hi, a, b):
    hs[a], hs[b] = hs[b], hs[a]
    hh[a], hh[b] = hh[b], hh[a]
    hi[a], hi[b] = hi[b], hi[a]


@njit(cache=True)
def heap_sift_down(hs, hh, hi, m, p):
    """Restore the heap of the first ``m`` entries below position ``p``."""
    while True:
        c = 2 * p + 1
        if c >= m:
            return
        if c + 1 < m and worse(hs[c + 1], hh[c + 1], hs[c], hh[c]):
            c += 1
        if not worse(hs[c], hh[c], hs[p], hh[p]):
            return
        _swap(hs, hh, hi, p, c)
        p = c


@njit(cache=True, inline="always")
def heap_push(hs, hh, hi, m, s, h, i):
    """Add (s, h, i) to the heap of the first ``m`` entries (room for one more); returns m + 1."""
    hs[m], hh[m], hi[m] = s, h, i
    p = m
    while p > 0:
        q = (p - 1) >> 1
        if not worse(hs[p], hh[p], hs[q], hh[q]):
            break
        _swap(hs, hh, hi, p, q)
        p = q
    return m + 1


@njit(cache=True, inline="always")
def heap_replace_root(hs, hh, hi, m, s, h, i):
    """Put (s, h, i), which ranks before the root, in the root's place."""
    hs[0], hh[0], hi[0] = s, h, i
    heap_sift_down(hs, hh, hi, m, 0)


@njit(cache=True)
def heap_drain(hs, hh, hi, m, out):
    """Empty the heap into ``out[0 .. m-1]``, best first (the index of each entry)."""
    while m > 0:
        m -= 1
        out[m] = hi[0]
        hs[0], hh[0], hi[0] = hs[m], hh[m], hi[m]
        heap_sift_down(hs, hh, hi, m, 0)
