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

import time

import numpy as np
import pandas as pd
from numba import njit

from recbench.evaluation.kernels.ties import tie_hash, tie_key
from recbench.metrics.registry import RankCounts, RankingInput
from recbench.runtime.threads import in_threads


@njit(cache=True, inline="always")
def _worse(s1, h1, s2, h2):
    """(s1, h1) ranks after (s2, h2)."""
    return s1 < s2 or (s1 == s2 and h1 > h2)


@njit(cache=True)
def _sift_down(hs, hh, hi, m, p):
    """Restore the heap (worst entry at the root) below position p."""
    while True:
        c = 2 * p + 1
        if c >= m:
            return
        if c + 1 < m and _worse(hs[c + 1], hh[c + 1], hs[c], hh[c]):
            c += 1
        if not _worse(hs[c], hh[c], hs[p], hh[p]):
            return
        hs[p], hs[c] = hs[c], hs[p]
        hh[p], hh[c] = hh[c], hh[p]
        hi[p], hi[c] = hi[c], hi[p]
        p = c


@njit(cache=True, nogil=True)
def _rank_rows(scores, first, rows, train_ptr, train_idx, rel_ptr, rel_idx, key, k,
               top, ranked_rel, n_cand, above, below, tied):
    """Rows ``rows`` of the batch ``scores`` (batch row r is user ``first + r``)."""
    n = scores.shape[1]
    base = rel_ptr[first]                    # above/below/tied hold these users' entries
    mark = np.zeros(n, np.int8)              # 1: training item, 2: relevant
    hs, hh, hi = np.empty(k), np.empty(k, np.uint64), np.empty(k, np.int64)
    for r in rows:
        u = first + r
        row = scores[r]
        for p in range(train_ptr[u], train_ptr[u + 1]):
            mark[train_idx[p]] = 1
        r0, r1 = rel_ptr[u], rel_ptr[u + 1]
        R = r1 - r0
        for p in range(r0, r1):
            mark[rel_idx[p]] = 2
        # the relevant items by (score, hash) ascending
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
        ss, sh = rs[order], rh[order]
        # grid[g]: the first relevant scored >= the left edge of cell g of n_grid equal cells
        # spanning [ss[0], ss[R - 1]]; a score in cell g has its place at grid[g] or a few after
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
        lo_hist = np.zeros(R + 1, np.int64)  # candidates by #relevant scored below them
        hi_hist = np.zeros(R + 1, np.int64)  # negatives by #relevant scored <= them
        tie_diff = np.zeros(R + 1, np.int64)
        ahead_diff = np.zeros(R + 1, np.int64)
        m = 0
        count = 0
        for c in range(n):
            flag = mark[c]
            if flag == 1:
                continue
            count += 1
            s = row[c]
            if m < k:                        # fill the heap
                hs[m], hh[m], hi[m] = s, tie_hash(key, u, c), c
                p = m
                m += 1
                while p > 0:
                    q = (p - 1) >> 1
                    if not _worse(hs[p], hh[p], hs[q], hh[q]):
                        break
                    hs[p], hs[q] = hs[q], hs[p]
                    hh[p], hh[q] = hh[q], hh[p]
                    hi[p], hi[q] = hi[q], hi[p]
                    p = q
            elif s >= hs[0]:
                h = tie_hash(key, u, c)
                if s > hs[0] or h < hh[0]:
                    hs[0], hh[0], hi[0] = s, h, c
                    _sift_down(hs, hh, hi, m, 0)
            if R == 0:
                continue
            if s < ss[0]:
                lo = 0
            elif s > ss[R - 1]:
                lo = R
            else:                            # a grid over the relevant scores, then a step
                g = min(int((s - ss[0]) * scale), n_grid)
                lo, end = grid[g], grid[min(g + 1, n_grid)]
                if end - lo > 8:             # a crowded cell: bisect it
                    while lo < end:
                        mid = (lo + end) >> 1
                        if ss[mid] < s:
                            lo = mid + 1
                        else:
                            end = mid
                while lo > 0 and ss[lo - 1] >= s:    # rounding at a cell edge
                    lo -= 1
                while ss[lo] < s:
                    lo += 1
            hi_ = lo
            if lo < R and ss[lo] == s:       # tied with relevant items (rare)
                while hi_ < R and ss[hi_] == s:
                    hi_ += 1
                if flag != 2:
                    tie_diff[lo] += 1
                    tie_diff[hi_] -= 1
            lo_hist[lo] += 1
            hi_hist[hi_] += 1 - (flag >> 1)  # negatives only (flag 0; relevant: 2)
            if hi_ > lo:                     # same score: ahead of those with a larger hash
                h = tie_hash(key, u, c)
                a, b = lo, hi_
                while a < b:
                    mid = (a + b) >> 1
                    if sh[mid] <= h:
                        a = mid + 1
                    else:
                        b = mid
                ahead_diff[a] += 1
                ahead_diff[hi_] -= 1
        n_cand[r] = count
        # the top, best first
        for t in range(k):
            top[r, t] = -1
            ranked_rel[r, t] = False
        while m > 0:
            m -= 1
            top[r, m] = hi[0]
            ranked_rel[r, m] = mark[hi[0]] == 2
            hs[0], hh[0], hi[0] = hs[m], hh[m], hi[m]
            _sift_down(hs, hh, hi, m, 0)
        # per relevant item, back in CSR order
        strictly_ahead = 0
        for t in range(1, R + 1):
            strictly_ahead += lo_hist[t]
        run_below, run_tie, run_ahead = 0, 0, 0
        for j in range(R):
            run_below += hi_hist[j]
            run_tie += tie_diff[j]
            run_ahead += ahead_diff[j]
            dest = r0 - base + order[j]
            above[dest] = strictly_ahead + run_ahead
            below[dest] = run_below
            tied[dest] = run_tie
            strictly_ahead -= lo_hist[j + 1]
        for p in range(train_ptr[u], train_ptr[u + 1]):
            mark[train_idx[p]] = 0
        for p in range(r0, r1):
            mark[rel_idx[p]] = 0


def rank_block(scores, first: int, train_ptr, train_idx, rel_ptr, rel_idx, key: int, k: int):
    """The kernel over one batch: users ``first .. first + len(scores) - 1``.
    ``train_*``/``rel_*``: CSR rows of every evaluated user (relevant items must be
    candidates). Returns ``top`` (-1: no candidate), ``ranked_rel``, ``n_candidates`` and
    ``above``, ``below``, ``tied`` for the relevant entries of these users (CSR order)."""
    scores = np.ascontiguousarray(scores, dtype=np.float64)
    n_users = scores.shape[0]
    top = np.empty((n_users, k), np.int64)
    ranked_rel = np.empty((n_users, k), bool)
    n_cand = np.empty(n_users, np.int64)
    size = int(rel_ptr[first + n_users] - rel_ptr[first])
    above, below, tied = (np.zeros(size, np.int64) for _ in range(3))
    ukey, k = np.uint64(key), int(k)
    in_threads(lambda s: _rank_rows(scores, first, np.arange(s.start, s.stop, dtype=np.int64),
                                    train_ptr, train_idx, rel_ptr, rel_idx, ukey, k,
                                    top, ranked_rel, n_cand, above, below, tied), n_users)
    return top, ranked_rel, n_cand, above, below, tied


def _csr(m):
    m = m.tocsr()
    m.sort_indices()
    return m.indptr.astype(np.int64), m.indices.astype(np.int64)


def fused_batches(algo, eval_users, catalog, train_m, rel_m, popularity, specs, kmax, keep,
                  step, rng, check):
    """``evaluate_ranking``'s batch loop on the kernel: (rows, recommended, kept, seconds)."""
    key = tie_key(rng)
    train_ptr, train_idx = _csr(train_m)
    rel_m = (rel_m.astype(np.int8) - rel_m.multiply(train_m).astype(np.int8)) > 0
    rel_ptr, rel_idx = _csr(rel_m)
    k = max(kmax, keep)
    rows, recommended, kept, seconds = [], [], [], 0.0
    for start in range(0, len(eval_users), step):
        users = eval_users[start:start + step]
        t0 = time.perf_counter()
        scores = np.asarray(algo.score(users.to_numpy(), catalog.to_numpy()), dtype=float)
        seconds += time.perf_counter() - t0
        check(algo, scores, len(users), len(catalog))
        top, ranked_rel, n_cand, above, below, tied = rank_block(
            scores, start, train_ptr, train_idx, rel_ptr, rel_idx, key, k)
        if keep:
            kept.append(_lists(users, catalog, top[:, :keep], scores))
        top, ranked_rel = top[:, :kmax], ranked_rel[:, :kmax]
        recommended.append(top)
        indptr = rel_ptr[start:start + len(users) + 1] - rel_ptr[start]
        n_rel = np.diff(indptr)
        counts = RankCounts(indptr, above, below, tied, n_cand - n_rel)
        batch = RankingInput(ranked_rel, top, n_rel, None, None, None, None, popularity,
                             ranks=counts)
        values = {"user": users.to_numpy(), "n_relevant": n_rel, "n_candidates": n_cand}
        for spec in specs:
            if spec.metric.kind == "ranking":
                compute = spec.metric.from_ranks or spec.metric.compute
                values[spec.name] = np.asarray(compute(batch, spec.k), dtype=float)
        rows.append(pd.DataFrame(values))
    return rows, recommended, kept, seconds


def serves(metric) -> bool:
    """Can the fused path compute ``metric`` (it reads only the top k or the rank counts)?"""
    return metric.kind != "ranking" or metric.top_k_only or metric.from_ranks is not None


def _lists(users, catalog, top, scores) -> pd.DataFrame:
    rows, ranks = np.nonzero(top >= 0)
    items = top[rows, ranks]
    return pd.DataFrame({"user": users.to_numpy()[rows], "item": catalog.to_numpy()[items],
                         "rank": (ranks + 1).astype(np.int64),
                         "score": scores[rows, items].astype(np.float64)})
