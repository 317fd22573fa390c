"""The fused ranking kernel (the default; ``kernel="dense"`` or ``RECBENCH_RANKING_KERNEL=dense``
selects the reference implementation): one compiled pass per user over the algorithm's scores.

For user u (its position in the fold's evaluated users) and catalog position i, the tie key
is a counter-based hash, the splitmix64 output number ``n = u * 2**32 + i`` of a stream
seeded by one 64-bit ``key`` drawn from the fold's tie generator (seed, fold)::

    hash(u, i) = mix64(key + (n + 1) * 0x9E3779B97F4A7C15)

``mix64`` is a bijection of 64-bit words, so within a fold no two (u, i) share a hash: the
order (score descending, hash ascending) is strict, every ordering of tied items is equally
likely (as far as splitmix64 is random), and it is the same for every algorithm on a fold.
The hash is computed only where a tie or the top k needs it; nothing users x catalog is
materialised besides the scores.

Per user the pass skips the training items and

- keeps the top ``k`` candidates in a heap of (score, hash), sorted at the end;
- counts, for each relevant item j, the candidates ranked above it (``above``: higher score,
  or the same score and a smaller hash) and the non-relevant candidates scored strictly below
  it (``below``) or equal to it (``tied``). Each candidate is placed among the user's sorted
  relevant scores (a grid of 2R + 1 equal cells over their range, then a step or two) and
  counted in histograms and difference arrays, so the catalog is never sorted.

From these: rank of the first relevant item = 1 + min_j above_j (MRR);
AUC = sum_j (below_j + tied_j / 2) / (R * N). Users are split over
:func:`recbench.execution.thread_budget` threads; the result does not depend on their number.
Its tie rule draws other keys than the dense reference path's random array (same
distribution), so an algorithm with tied scores gets other, equally valid values there."""

from __future__ import annotations

import numpy as np
from numba import njit

from recbench.evaluation.kernels.dense import Batch
from recbench.evaluation.kernels.ties import tie_hash
from recbench.metrics.registry import RankCounts, RankingInput
from recbench.runtime.compiled import (
    heap_drain,
    heap_push,
    heap_replace_root,
    lower_bound,
    upper_bound,
)
from recbench.runtime.threads import in_threads

EXCLUDED, RELEVANT = 1, 2          # the marks of a user's catalog positions during the pass


@njit(cache=True)
def _mark(mark, ptr, idx, u, value):
    for p in range(ptr[u], ptr[u + 1]):
        mark[idx[p]] = value


@njit(cache=True)
def _sorted_relevant(row, rel_idx, r0, r1, key, u):
    """The user's relevant items by (score, hash) ascending: (order, scores, hashes)."""
    R = r1 - r0
    rs, rh = np.empty(R), np.empty(R, np.uint64)
    for j in range(R):
        rs[j], rh[j] = row[rel_idx[r0 + j]], tie_hash(key, u, rel_idx[r0 + j])
    order = np.argsort(rs, kind="mergesort")
    j = 0
    while j < R:                         # equal scores: by hash (runs are short)
        j2 = j + 1
        while j2 < R and rs[order[j2]] == rs[order[j]]:
            j2 += 1
        if j2 - j > 1:
            sub = order[j:j2]
            order[j:j2] = sub[np.argsort(rh[sub])]
        j = j2
    return order, rs[order], rh[order]


@njit(cache=True)
def _grid(ss):
    """grid[g]: the first relevant scored >= the left edge of cell g of 2R + 1 equal cells
    spanning [ss[0], ss[R - 1]] (a score in cell g has its place at grid[g] or a few after);
    and the cells per unit of score (0 when every relevant score is equal)."""
    R = len(ss)
    n_grid = 2 * R + 1
    grid = np.zeros(n_grid + 1, np.int64)
    scale = 0.0
    if R > 0 and ss[R - 1] > ss[0]:
        scale = n_grid / (ss[R - 1] - ss[0])
        j = 0
        for g in range(n_grid + 1):
            edge = ss[0] + g / scale
            while j < R and ss[j] < edge:
                j += 1
            grid[g] = j
    return grid, scale


@njit(cache=True, inline="always")
def _place(s, ss, grid, scale):
    """The number of relevant scores below ``s`` (``ss`` ascending, R > 0)."""
    R = len(ss)
    if s < ss[0]:
        return 0
    if s > ss[R - 1]:
        return R
    n_grid = len(grid) - 1
    g = min(int((s - ss[0]) * scale), n_grid)
    lo, end = grid[g], grid[min(g + 1, n_grid)]
    if end - lo > 8:                     # a crowded cell: bisect it
        lo = lower_bound(ss, lo, end, s)
    while lo > 0 and ss[lo - 1] >= s:    # rounding at a cell edge
        lo -= 1
    while ss[lo] < s:
        lo += 1
    return lo


@njit(cache=True, nogil=True)
def _rank_rows(scores, first, rows, ex_ptr, ex_idx, rel_ptr, rel_idx, key, k,
               top, ranked_rel, n_cand, above, below, tied):
    """Rows ``rows`` of the batch ``scores`` (batch row r is user ``first + r``)."""
    n = scores.shape[1]
    base = rel_ptr[first]                    # above/below/tied hold these users' entries
    mark = np.zeros(n, np.int8)
    hs, hh, hi = np.empty(k), np.empty(k, np.uint64), np.empty(k, np.int64)
    for r in rows:
        u = first + r
        row = scores[r]
        _mark(mark, ex_ptr, ex_idx, u, EXCLUDED)
        r0, r1 = rel_ptr[u], rel_ptr[u + 1]
        R = r1 - r0
        _mark(mark, rel_ptr, rel_idx, u, RELEVANT)
        order, ss, sh = _sorted_relevant(row, rel_idx, r0, r1, key, u)
        grid, scale = _grid(ss)
        lo_hist = np.zeros(R + 1, np.int64)  # candidates by #relevant scored below them
        hi_hist = np.zeros(R + 1, np.int64)  # negatives by #relevant scored <= them
        tie_diff = np.zeros(R + 1, np.int64)
        ahead_diff = np.zeros(R + 1, np.int64)
        m = 0
        count = 0
        for c in range(n):
            flag = mark[c]
            if flag == EXCLUDED:
                continue
            count += 1
            s = row[c]
            if m < k:                        # fill the heap
                m = heap_push(hs, hh, hi, m, s, tie_hash(key, u, c), c)
            elif s >= hs[0]:
                h = tie_hash(key, u, c)
                if s > hs[0] or h < hh[0]:
                    heap_replace_root(hs, hh, hi, m, s, h, c)
            if R == 0:
                continue
            lo = _place(s, ss, grid, scale)
            hi_ = lo
            if lo < R and ss[lo] == s:       # tied with relevant items (rare)
                while hi_ < R and ss[hi_] == s:
                    hi_ += 1
                if flag != RELEVANT:
                    tie_diff[lo] += 1
                    tie_diff[hi_] -= 1
            lo_hist[lo] += 1
            hi_hist[hi_] += 1 - (flag >> 1)  # negatives only (flag 0; relevant: 2)
            if hi_ > lo:                     # same score: ahead of those with a larger hash
                a = upper_bound(sh, lo, hi_, tie_hash(key, u, c))
                ahead_diff[a] += 1
                ahead_diff[hi_] -= 1
        n_cand[r] = count
        _write_top(top, ranked_rel, r, k, m, hs, hh, hi, mark)
        _write_counts(above, below, tied, r0 - base, order, lo_hist, hi_hist, tie_diff,
                      ahead_diff)
        _mark(mark, ex_ptr, ex_idx, u, 0)
        _mark(mark, rel_ptr, rel_idx, u, 0)


@njit(cache=True)
def _write_top(top, ranked_rel, r, k, m, hs, hh, hi, mark):
    """Row r of the top: the heap's entries best first, then -1 (no more candidates)."""
    for t in range(k):
        top[r, t] = -1
        ranked_rel[r, t] = False
    heap_drain(hs, hh, hi, m, top[r])
    for t in range(m):
        ranked_rel[r, t] = mark[top[r, t]] == RELEVANT


@njit(cache=True)
def _write_counts(above, below, tied, offset, order, lo_hist, hi_hist, tie_diff, ahead_diff):
    """above/below/tied of each relevant item, back in CSR order."""
    R = len(order)
    strictly_ahead = 0
    for t in range(1, R + 1):
        strictly_ahead += lo_hist[t]
    run_below, run_tie, run_ahead = 0, 0, 0
    for j in range(R):
        run_below += hi_hist[j]
        run_tie += tie_diff[j]
        run_ahead += ahead_diff[j]
        dest = offset + order[j]
        above[dest] = strictly_ahead + run_ahead
        below[dest] = run_below
        tied[dest] = run_tie
        strictly_ahead -= lo_hist[j + 1]


def rank_block(scores, first: int, ex_ptr, ex_idx, rel_ptr, rel_idx, key: int, k: int):
    """The kernel over one batch: users ``first .. first + len(scores) - 1``.
    ``ex_*``/``rel_*``: CSR rows (excluded items, relevant items) of every evaluated user
    (relevant items must be candidates). Returns ``top`` (-1: no candidate), ``ranked_rel``,
    ``n_candidates`` and ``above``, ``below``, ``tied`` for the relevant entries of these
    users (CSR order)."""
    scores = np.ascontiguousarray(scores, dtype=np.float64)
    n_users = scores.shape[0]
    top = np.empty((n_users, k), np.int64)
    ranked_rel = np.empty((n_users, k), bool)
    n_cand = np.empty(n_users, np.int64)
    size = int(rel_ptr[first + n_users] - rel_ptr[first])
    above, below, tied = (np.zeros(size, np.int64) for _ in range(3))
    ukey, k = np.uint64(key), int(k)
    in_threads(lambda s: _rank_rows(scores, first, np.arange(s.start, s.stop, dtype=np.int64),
                                    ex_ptr, ex_idx, rel_ptr, rel_idx, ukey, k,
                                    top, ranked_rel, n_cand, above, below, tied), n_users)
    return top, ranked_rel, n_cand, above, below, tied


def _csr(m):
    m = m.tocsr()
    m.sort_indices()
    return m.indptr.astype(np.int64), m.indices.astype(np.int64)


class FusedRanker:
    """The kernel for one fold (see :class:`recbench.evaluation.kernels.dense.DenseRanker`)."""

    name = "fused"

    def __init__(self, excluded, relevant, key: int, popularity: np.ndarray):
        self.ex_ptr, self.ex_idx = _csr(excluded)
        relevant = (relevant.astype(np.int8) - relevant.multiply(excluded).astype(np.int8)) > 0
        self.rel_ptr, self.rel_idx = _csr(relevant)
        self.key, self.popularity = key, popularity

    @staticmethod
    def serves(metric) -> bool:
        """Can the kernel compute ``metric`` (it reads only the top k or the rank counts)?"""
        return metric.kind != "ranking" or metric.top_k_only or metric.from_ranks is not None

    @staticmethod
    def value(spec, x: RankingInput) -> np.ndarray:
        compute = spec.metric.from_ranks or spec.metric.compute
        return np.asarray(compute(x, spec.k), dtype=float)

    def rank(self, scores: np.ndarray, start: int, k: int, kmax: int) -> Batch:
        top, ranked_rel, n_cand, above, below, tied = rank_block(
            scores, start, self.ex_ptr, self.ex_idx, self.rel_ptr, self.rel_idx, self.key, k)
        indptr = self.rel_ptr[start:start + len(scores) + 1] - self.rel_ptr[start]
        n_rel = np.diff(indptr)
        counts = RankCounts(indptr, above, below, tied, n_cand - n_rel)
        x = RankingInput(ranked_rel[:, :kmax], top[:, :kmax], n_rel, None, None, None, None,
                         self.popularity, ranks=counts)
        return Batch(x, top, n_cand)
