"""Surprise's k-NN estimates for many (x, y) at once, compiled with numba.

Surprise's KNN models (user-based: x = user, y = item; item-based: the other way round)
estimate r(x, y) from the neighbours x2 of x that rated y, in the order of
``trainset.yr[y]``: the ``k`` with the largest similarity (``heapq.nlargest``, which keeps
the earlier entry of ``yr[y]`` among equal similarities), of which those with a positive
similarity count:

    est = base(x, y) + sum_j sim(x, x2_j) * dev(x2_j, y) / sum_j sim(x, x2_j)

Two routes give the same sums:

* ``knn_pair_sums``, for scattered pairs, does what Surprise does per pair: it selects the
  top ``k`` of the similarities of y's raters (a partition, then ties in ``yr[y]`` order).
* ``knn_sums``, for a whole block of x and y (full ranking), walks each x's neighbours once,
  from the most similar down to the last positive similarity, and hands each rating of a
  neighbour to its y until that y holds ``k`` neighbours. Every y so receives exactly its
  ``k`` most similar raters, and the cost is one pass over the ratings per x instead of a
  selection per (x, y). Two details keep it fast and exact:

  - the y are numbered by their number of raters, most first, and each neighbour's
    ratings are sorted that way, so the leading run of y already full (popular y fill
    first) is skipped with a binary search instead of being visited;
  - ties. When one order of the x2 agrees with every ``yr[y]`` (it does when the rating
    file is grouped by x, as MovieLens' sorted files are), neighbours of equal similarity
    are walked in that order. Otherwise a group of equal similarity is taken together and
    a y it would overfill takes the members earliest in ``yr[y]``.

The x (or pairs) are independent and run in as many threads as the execution settings
allow (``recbench.runtime.threads.thread_budget``); the result does not depend on the number of
threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from recbench.runtime.compiled import lower_bound
from recbench.runtime.threads import in_threads


class RatingsByNeighbour:
    """``trainset.yr`` flattened, y by y: entry j says neighbour ``x[j]`` rated ``y[j]``
    with deviation ``dev[j]`` and sits at position ``pos[j]`` of ``yr[y[j]]``."""

    def __init__(self, neighbours: list[np.ndarray], deviations: list[np.ndarray], n_x: int):
        lengths = np.array([len(n) for n in neighbours], dtype=np.int64)
        self.n_x, self.n_y = n_x, len(neighbours)
        self.indptr = np.zeros(self.n_y + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.indptr[1:])
        self.x = np.concatenate([np.zeros(0, np.int64), *neighbours]).astype(np.int64)
        self.y = np.repeat(np.arange(self.n_y, dtype=np.int64), lengths)
        self.dev = np.concatenate([np.zeros(0), *deviations]).astype(float)
        self.pos = np.arange(len(self.x), dtype=np.int64) - np.repeat(self.indptr[:-1], lengths)
        self.longest = int(lengths.max()) if self.n_y else 0
        self.tie_order = consistent_order(n_x, self.x, self.y)
        # the y numbered by rater count, most first; entries neighbour by neighbour, each
        # neighbour's ratings in that numbering (what the walk reads)
        self.rank = np.empty(self.n_y, dtype=np.int64)
        self.rank[np.argsort(-lengths, kind="stable")] = np.arange(self.n_y)
        self.by_neighbour = np.lexsort((self.rank[self.y], self.x))


def neighbour_lists(yr: dict, n_y: int):
    """``trainset.yr`` as arrays: per y, neighbour ids and their ratings, in Surprise's order."""
    ids, ratings = [], []
    for y in range(n_y):
        pairs = yr[y]
        ids.append(np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs)))
        ratings.append(np.fromiter((p[1] for p in pairs), dtype=float, count=len(pairs)))
    return ids, ratings


def consistent_order(n_x: int, x: np.ndarray, y: np.ndarray):
    """An order of 0..n_x-1 in which every ``yr[y]`` list is increasing, or None when no
    such order exists (a topological sort of "x2 comes before x3 in some yr[y]")."""
    same = y[1:] == y[:-1]
    src, dst = x[:-1][same], x[1:][same]
    by_src = np.argsort(src, kind="stable")
    indptr = np.zeros(n_x + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n_x), out=indptr[1:])
    order = _topological_order(n_x, indptr, dst[by_src])
    return order if len(order) == n_x else None


@njit(cache=True)
def _topological_order(n, indptr, dst):
    indegree = np.zeros(n, np.int64)
    for d in dst:
        indegree[d] += 1
    queue = np.empty(n, np.int64)
    head = tail = 0
    for v in range(n):
        if indegree[v] == 0:
            queue[tail] = v
            tail += 1
    while head < tail:
        v = queue[head]
        head += 1
        for e in range(indptr[v], indptr[v + 1]):
            w = dst[e]
            indegree[w] -= 1
            if indegree[w] == 0:
                queue[tail] = w
                tail += 1
    return queue[:tail]          # shorter than n when there is a cycle


def knn_sums(sim: np.ndarray, xs: np.ndarray, ys: np.ndarray, ratings: RatingsByNeighbour,
             k: int):
    """For every x in ``xs`` and y in ``ys`` (inner ids, all known): the sum of
    sim * deviation and of sim over the positive-similarity neighbours among the ``k``
    most similar raters of y, and how many there were. Three arrays of shape
    (len(xs), len(ys))."""
    xs, ys = np.asarray(xs, dtype=np.int64), np.asarray(ys, dtype=np.int64)
    wanted = np.unique(ys)
    if len(wanted) < len(ys):            # a y asked for twice: compute once, then repeat
        sums = knn_sums(sim, xs, wanted, ratings, k)
        return tuple(a[:, np.searchsorted(wanted, ys)] for a in sums)
    # kernel column c = the c-th most rated of the wanted y; it is written to ``dest[c]``
    wanted_rank = np.zeros(ratings.n_y, dtype=bool)   # by global rank
    wanted_rank[ratings.rank[ys]] = True
    column = np.cumsum(wanted_rank) - 1      # global rank -> kernel column (order kept)
    dest = np.empty(len(ys), dtype=np.int64)
    dest[column[ratings.rank[ys]]] = np.arange(len(ys))
    entries = ratings.by_neighbour[wanted_rank[ratings.rank[ratings.y[ratings.by_neighbour]]]]
    indptr = np.zeros(ratings.n_x + 1, dtype=np.int64)
    np.cumsum(np.bincount(ratings.x[entries], minlength=ratings.n_x), out=indptr[1:])
    shape = (len(xs), len(ys))
    sum_dev, sum_sim, count = np.empty(shape), np.empty(shape), np.empty(shape, dtype=np.int64)
    tie_order = ratings.tie_order
    if len(xs) and len(ys):
        shared = (np.ascontiguousarray(sim, dtype=float), indptr,
                  column[ratings.rank[ratings.y[entries]]], ratings.dev[entries],
                  ratings.pos[entries], ratings.longest + 1, int(k), tie_order is not None,
                  np.arange(ratings.n_x) if tie_order is None else tie_order, dest)
        in_threads(lambda s: _walk(xs[s], *shared, sum_dev[s], sum_sim[s], count[s]), len(xs))
    return sum_dev, sum_sim, count


@njit(cache=True, nogil=True)
def _walk(xs, sim, indptr, cols, devs, pos, pos_bound, k, ordered_ties, tie_order, dest,
          sum_dev, sum_sim, count):
    for a in range(len(xs)):
        row = sim[xs[a]]
        # similarity descending; equal ones in tie_order (a stable sort)
        order = tie_order[np.argsort(-row[tie_order], kind="mergesort")]
        _walk_one(row, order, ordered_ties, indptr, cols, devs, pos, pos_bound, k, dest,
                  sum_dev[a], sum_sim[a], count[a])


@njit(cache=True)
def _walk_one(row, order, ordered_ties, indptr, cols, devs, pos, pos_bound, k, dest,
              sum_dev, sum_sim, count):
    """One x: its neighbours in ``order``, a group of equal similarity at a time (one by
    one when ``ordered_ties``), each rating going to its column while it has room."""
    n, n_cols = len(row), len(sum_dev)
    cnt = np.zeros(n_cols, np.int64)
    acc = np.zeros((n_cols, 2))          # sum of sim, sum of sim * deviation
    pending = np.zeros(n_cols, np.int64)
    full = 0                             # columns 0 .. full-1 hold k neighbours
    g0 = 0
    while g0 < n:
        s = row[order[g0]]
        if not s > 0:
            break
        g1 = g0 + 1
        while not ordered_ties and g1 < n and row[order[g1]] == s:
            g1 += 1
        if g1 - g0 == 1:
            x2 = order[g0]
            for p in range(lower_bound(cols, indptr[x2], indptr[x2 + 1], full), indptr[x2 + 1]):
                c = cols[p]
                if cnt[c] < k:
                    cnt[c] += 1
                    acc[c, 0] += s
                    acc[c, 1] += s * devs[p]
        else:
            _take_tied(order[g0:g1], s, indptr, cols, devs, pos, pos_bound, k, full, cnt, acc,
                       pending)
        while full < n_cols and cnt[full] >= k:
            full += 1
        g0 = g1
    for c in range(n_cols):
        sum_sim[dest[c]] = acc[c, 0]
        sum_dev[dest[c]] = acc[c, 1]
        count[dest[c]] = cnt[c]


@njit(cache=True)
def _take_tied(group, s, indptr, cols, devs, pos, pos_bound, k, full, cnt, acc, pending):
    """Neighbours of equal similarity ``s``: a column they would overfill takes the ones
    earliest in yr[y] (smallest pos); every other column takes them all while it has room.
    ``pending`` (zeros on entry and on return) counts the group's entries per column and
    then marks the overfilled columns with -1."""
    for x2 in group:
        for p in range(lower_bound(cols, indptr[x2], indptr[x2 + 1], full), indptr[x2 + 1]):
            pending[cols[p]] += 1
    keys = np.empty(0)                   # column * pos_bound + pos, exact in a float64
    held = np.empty(0)
    n_held = 0
    for x2 in group:
        for p in range(lower_bound(cols, indptr[x2], indptr[x2 + 1], full), indptr[x2 + 1]):
            c = cols[p]
            if pending[c] > 0:           # the column's first entry decides for all of them
                pending[c] = -1 if cnt[c] < k < cnt[c] + pending[c] else 0
            if pending[c] < 0:
                if n_held == len(keys):
                    keys = np.concatenate((keys, np.empty(max(64, n_held))))
                    held = np.concatenate((held, np.empty(max(64, n_held))))
                keys[n_held] = c * pos_bound + pos[p]
                held[n_held] = devs[p]
                n_held += 1
            elif cnt[c] < k:
                cnt[c] += 1
                acc[c, 0] += s
                acc[c, 1] += s * devs[p]
    for t in np.argsort(keys[:n_held], kind="mergesort"):
        c = int(keys[t]) // pos_bound
        pending[c] = 0
        if cnt[c] < k:
            cnt[c] += 1
            acc[c, 0] += s
            acc[c, 1] += s * held[t]


def knn_pair_sums(sim: np.ndarray, xs: np.ndarray, ys: np.ndarray, ratings: RatingsByNeighbour,
                  k: int):
    """``knn_sums`` for the pairs (xs[j], ys[j]): three arrays of len(xs)."""
    xs, ys = np.asarray(xs, dtype=np.int64), np.asarray(ys, dtype=np.int64)
    sum_dev, sum_sim, count = np.zeros(len(xs)), np.zeros(len(xs)), np.zeros(len(xs), np.int64)
    if len(xs):
        sim = np.ascontiguousarray(sim, dtype=float)
        in_threads(lambda s: _pairs(xs[s], ys[s], sim, ratings.indptr, ratings.x, ratings.dev,
                                    int(k), sum_dev[s], sum_sim[s], count[s]), len(xs))
    return sum_dev, sum_sim, count


@njit(cache=True, nogil=True)
def _pairs(xs, ys, sim, indptr, neighbours, devs, k, sum_dev, sum_sim, count):
    longest = 0
    for y in ys:
        longest = max(longest, indptr[y + 1] - indptr[y])
    sims, work = np.empty(longest), np.empty(longest)
    for q in range(len(xs)):
        row = sim[xs[q]]
        start, m = indptr[ys[q]], indptr[ys[q] + 1] - indptr[ys[q]]
        for j in range(m):
            sims[j] = row[neighbours[start + j]]
        cut, room = -np.inf, m           # take everything when there are at most k
        if m > k:                        # the k-th largest; ties at it in yr[y] order
            work[:m] = sims[:m]
            cut = _kth_largest(work[:m], k)
            room = k
            for j in range(m):
                if sims[j] > cut:
                    room -= 1
        for j in range(m):
            v = sims[j]
            if v > cut or (v == cut and room > 0):
                if v == cut:
                    room -= 1
                if v > 0:
                    count[q] += 1
                    sum_sim[q] += v
                    sum_dev[q] += v * devs[start + j]


@njit(cache=True)
def _kth_largest(values, k):
    """The k-th largest of ``values`` (k from 1), which it reorders (quickselect)."""
    target, lo, hi = k - 1, 0, len(values) - 1
    while lo < hi:
        pivot = values[(lo + hi) >> 1]
        i, j = lo, hi
        while i <= j:            # Hoare partition, descending
            while values[i] > pivot:
                i += 1
            while values[j] < pivot:
                j -= 1
            if i <= j:
                values[i], values[j] = values[j], values[i]
                i += 1
                j -= 1
        if target <= j:
            hi = j
        elif target >= i:
            lo = i
        else:
            break
    return values[target]
