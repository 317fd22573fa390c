"""The ranking kernels: the fused one (the default) gives every value the dense reference gives,
ties included (one tie rule), and the rule is uniform and seeded."""

import numpy as np
import pytest
from scipy import sparse, stats

from recbench.algorithms import Algorithm
from recbench.algorithms.baselines import GlobalMean
from recbench.algorithms.surprise.svd import SVD
from recbench.algorithms.topn.ease import EASE
from recbench.evaluation.kernels.fused import rank_block
from recbench.evaluation.kernels.ties import tie_hashes
from recbench.evaluation.ranking import evaluate_ranking
from recbench.experiments.job import tie_keys
from recbench.metrics import Metric, register, unregister
from recbench.random import derive_rng

CUTOFFS = [1, 5, 10, 20]


def both(algo, fold, seed=0, **kw):
    dense = evaluate_ranking(algo, fold.train, fold.test, CUTOFFS, 4.0,
                             np.random.default_rng(seed), kernel="dense", **kw)
    fused = evaluate_ranking(algo, fold.train, fold.test, CUTOFFS, 4.0,
                             np.random.default_rng(seed), **kw)
    assert dense.kernel == "dense" and fused.kernel == "fused"
    return dense, fused


def assert_same(dense, fused):
    """Every per-user value, fold value and count equal: one tie rule in both kernels."""
    a, b = dense.per_user, fused.per_user
    assert list(a.columns) == list(b.columns)
    assert a.equals(b)
    assert dense.fold_values == fused.fold_values
    assert dense.counts == fused.counts


@pytest.fixture(scope="module")
def small_folds():
    from recbench.datasets import load_dataset
    from recbench.splitting import make_folds
    return make_folds(load_dataset("ml-latest-small"), "kfold", np.random.default_rng(0), n_folds=2)


def test_svd_every_value_equals_the_dense_kernel_on_u1(u1):
    assert_same(*both(SVD(random_state=0).fit(u1.train), u1))


def test_tied_scores_give_the_same_values_in_both_kernels_on_u1(u1):
    # EASE gives items with identical training columns identical scores, GlobalMean ties
    # every item: the tie rule decides their @k values and MRR, the same rule in both kernels
    for algo in (EASE().fit(u1.train), GlobalMean().fit(u1.train)):
        assert_same(*both(algo, u1))


@pytest.mark.slow
def test_same_values_as_dense_kernel_on_ml_latest_small(small_folds):
    for fold in small_folds:
        algo = SVD(random_state=0).fit(fold.train)
        # small batches too: the values must not depend on the batching
        assert_same(*both(algo, fold, batch_cells=50_000))
        assert_same(*both(EASE().fit(fold.train), fold))


def brute_force(scores, train, rel, key, k):
    """The rule written out: per user, candidates by (score desc, hash asc), full sort."""
    n_users, n = scores.shape
    tops, above, below, tied = [], [], [], []
    for u in range(n_users):
        cand = np.flatnonzero(~train[u])
        h = tie_hashes(key, np.full(len(cand), u), cand)
        order = cand[np.lexsort((h, -scores[u, cand]))]
        tops.append(np.concatenate([order[:k], -np.ones(max(0, k - len(order)), int)]))
        neg = cand[~rel[u, cand]]
        for j in np.flatnonzero(rel[u]):
            above.append(int(np.flatnonzero(order == j)[0]))
            below.append(int((scores[u, neg] < scores[u, j]).sum()))
            tied.append(int((scores[u, neg] == scores[u, j]).sum()))
    return np.array(tops), np.array(above), np.array(below), np.array(tied)


def csr(mask):
    m = sparse.csr_matrix(mask)
    return m.indptr.astype(np.int64), m.indices.astype(np.int64)


@pytest.mark.parametrize("kind", ["four-values", "two-decimals", "skewed"])
def test_kernel_equals_the_rule_written_out(rng, kind):
    n_users, n, k = 60, 50, 7
    if kind == "four-values":                                       # heavily tied
        scores = rng.integers(0, 4, (n_users, n)).astype(float)
    elif kind == "two-decimals":                                    # a few ties
        scores = np.round(rng.normal(size=(n_users, n)), 2)
    else:                                 # one outlier: the other scores crowd one grid cell
        scores = rng.random((n_users, n)) * 1e-3
        scores[:, 0] = -1.0
    train = rng.random((n_users, n)) < 0.3
    train[0, 3:] = True                                             # fewer candidates than k
    rel = (rng.random((n_users, n)) < (0.6 if kind == "skewed" else 0.2)) & ~train
    if kind == "skewed":
        train[:, 0], rel[:, 0] = False, True
    rel[np.arange(n_users), np.argmax(~train, axis=1)] = True       # one relevant at least
    key = 0x1234_5678_9ABC_DEF0
    top, ranked_rel, n_cand, above, below, tied = rank_block(scores, 0, *csr(train), *csr(rel),
                                                             key, k)
    want_top, want_above, want_below, want_tied = brute_force(scores, train, rel, key, k)
    assert np.array_equal(top, want_top)
    assert np.array_equal(ranked_rel, np.where(top >= 0, rel[np.arange(n_users)[:, None],
                                                             np.maximum(top, 0)], False))
    assert np.array_equal(n_cand, (~train).sum(axis=1))
    assert np.array_equal(above, want_above)
    assert np.array_equal(below, want_below)
    assert np.array_equal(tied, want_tied)


def test_constant_scorer_stays_at_chance(u1):
    pu = evaluate_ranking(GlobalMean().fit(u1.train), u1.train, u1.test, [10], 4.0,
                          np.random.default_rng(0), kernel="fused").per_user
    assert (pu["auc"] == 0.5).all()                 # every pair is a tie: exactly 1/2
    # the hits of a user are hypergeometric, mean 10 p and variance <= 10 p (1 - p) with
    # p = R / n_candidates; users are independent, so the mean precision@10 has standard
    # deviation <= sqrt(sum p (1 - p) / 10) / n_users; 4 of them fail a fair rule ~1/16000
    p = (pu["n_relevant"] / pu["n_candidates"]).to_numpy()
    noise = np.sqrt((p * (1 - p) / 10).sum()) / len(p)
    assert abs(pu["precision@10"].mean() - p.mean()) < 4 * noise


def tied_positions(m, n_users, n_keys, item=0):
    """Position (0-based) of ``item`` among m tied candidates, over users x fold keys."""
    scores = np.zeros((n_users, m))
    train = np.zeros((n_users, m), bool)
    rel = np.zeros((n_users, m), bool)
    rel[:, item] = True
    out = []
    for key in range(n_keys):
        key = int(np.random.default_rng(key).integers(0, 2 ** 64, dtype=np.uint64))
        out.append(rank_block(scores, 0, *csr(train), *csr(rel), key, 1)[3])
    return np.concatenate(out)


def flat_p_value(values, n_bins):
    counts = np.bincount(values, minlength=n_bins)
    return stats.chisquare(counts).pvalue


def test_position_of_a_tied_item_is_flat():
    m = 10
    positions = tied_positions(m, n_users=500, n_keys=40)           # 20,000 draws
    assert flat_p_value(positions, m) > 1e-3
    # the test has power: a rule that puts the item first 1.3 times too often fails it
    biased = np.full(m, (1 - 1.3 / m) / (m - 1))
    biased[0] = 1.3 / m
    draws = np.random.default_rng(7).choice(m, size=len(positions), p=biased)
    assert flat_p_value(draws, m) < 1e-6
    # and ordering ties by item code (item 0 always first) fails it outright
    assert flat_p_value(np.zeros(len(positions), int), m) < 1e-100


def test_every_ordering_of_three_tied_items_is_equally_likely():
    n_users = 6000
    scores = np.zeros((n_users, 3))
    none = np.zeros((n_users, 3), bool)
    rel = none.copy()
    rel[:, 0] = True
    top = rank_block(scores, 0, *csr(none), *csr(rel), 99, 3)[0]
    perm = top[:, 0] * 9 + top[:, 1] * 3 + top[:, 2]
    codes = np.unique(perm, return_inverse=True)
    assert len(codes[0]) == 6
    assert stats.chisquare(np.bincount(codes[1])).pvalue > 1e-3


def lists(fold, rng):
    out = evaluate_ranking(GlobalMean().fit(fold.train), fold.train, fold.test, [10], 4.0, rng,
                           keep=10, kernel="fused")
    return out.recommendations


def test_same_seed_same_order_other_fold_other_order(u1):
    a = lists(u1, derive_rng(0, *tie_keys("u1")))
    b = lists(u1, derive_rng(0, *tie_keys("u1")))
    c = lists(u1, derive_rng(0, *tie_keys("u2")))
    d = lists(u1, derive_rng(1, *tie_keys("u1")))
    assert a.equals(b)
    assert len(a) == len(c) and (a["item"].to_numpy() != c["item"].to_numpy()).mean() > 0.9
    assert (a["item"].to_numpy() != d["item"].to_numpy()).mean() > 0.9


class Scores(Algorithm):
    def __init__(self, seed=0):
        self.seed = seed

    def fit(self, train, items=None):
        return self

    def score(self, users, items):
        return np.random.default_rng(self.seed).random((len(users), len(items)))


def test_a_metric_reading_the_dense_arrays_falls_back_to_the_dense_kernel(tiny, monkeypatch):
    register(Metric("rel_mass", "ranking", "test-only", lambda x, k: x.relevant.sum(axis=1) * 1.0))
    try:
        from recbench.metrics import resolve
        specs = resolve(["precision@5", "rel_mass"], [5])
        with pytest.warns(UserWarning, match="rel_mass"):
            out = evaluate_ranking(Scores(), tiny, tiny.sample(frac=0.3, random_state=0),
                                   specs, 4.0, np.random.default_rng(0), kernel="fused")
        assert out.kernel == "dense"
        # the environment variable chooses the kernel when the call does not; here every
        # test pair is a training pair too, so some users have no relevant candidate
        test = tiny.sample(frac=0.3, random_state=0)
        specs = resolve(["precision@5", "mrr", "auc"], [5])
        out = evaluate_ranking(Scores(), tiny, test, specs, 4.0, np.random.default_rng(0))
        assert out.kernel == "fused"                                    # the default
        monkeypatch.setenv("RECBENCH_RANKING_KERNEL", "dense")
        dense = evaluate_ranking(Scores(), tiny, test, specs, 4.0, np.random.default_rng(0))
        assert dense.kernel == "dense"
        none = out.per_user["n_relevant"] == 0
        assert none.any() and (out.per_user.loc[none, "mrr"] == 0).all()   # found nowhere
        assert out.per_user.equals(dense.per_user)
    finally:
        unregister("rel_mass")


def test_the_record_names_the_kernel_that_ranked(tiny):
    """A metric only the dense kernel can compute sends its folds there; the protocol says so."""
    import recbench
    run = recbench.run(tiny, ["popularity"], folds=2, metrics=["ndcg@5"], k=[5])
    assert run.protocol["ranking_kernels"] == ["fused"] and "every ranking kernel" in run.protocol["ties"]
    register(Metric("rel_mass2", "ranking", "test-only", lambda x, k: x.relevant.sum(axis=1) * 1.0))
    try:
        with pytest.warns(UserWarning, match="rel_mass2"):
            run = recbench.run(tiny, ["popularity"], folds=2, metrics=["ndcg@5", "rel_mass2"], k=[5])
        assert run.protocol["ranking_kernels"] == ["dense"]
    finally:
        unregister("rel_mass2")


def test_a_value_never_depends_on_the_other_metrics_requested():
    """The README's custom metric reads the dense arrays, so it sends the folds to the dense
    kernel; the built-in values of popularity and globalmean stay the same to the bit, and so
    do the beyond-accuracy ones (opt-in) computed alone, on the fused kernel."""
    import recbench
    from recbench.metrics import registered
    algos = ["popularity", "globalmean"]
    beyond = ["gini", "entropy", "tail_coverage", "arp", "tail", "ild", "miscalibration"]
    alone = recbench.run("ml-latest-small", algos, folds=2, k=[10])
    beyond_alone = recbench.run("ml-latest-small", algos, folds=2, k=[10], metrics=beyond)
    everything = [f for f, m in registered().items() if m.in_default] + beyond + ["hits"]
    register(Metric("hits", "ranking", "relevant items in the top k",
                    lambda x, k: x.ranked_rel[:, :k].sum(axis=1).astype(float), takes_k=True))
    try:
        with pytest.warns(UserWarning, match="hits@10"):
            both_ = recbench.run("ml-latest-small", algos, folds=2, k=[10])   # every metric
        with pytest.warns(UserWarning, match="hits@10"):
            all_ = recbench.run("ml-latest-small", algos, folds=2, k=[10], metrics=everything)
    finally:
        unregister("hits")
    assert alone.protocol["ranking_kernels"] == ["fused"]
    assert beyond_alone.protocol["ranking_kernels"] == ["fused"]
    assert both_.protocol["ranking_kernels"] == ["dense"] == all_.protocol["ranking_kernels"]
    columns = [c for c in alone.per_user.columns if not c.endswith("_time_s")]
    assert alone.per_user[columns].equals(both_.per_user[columns])
    assert alone.per_user[columns].equals(all_.per_user[columns])
    assert "hits@10" in both_.per_user.columns
    # the rating metrics add rows for users without a ranking (outer merge): compare the
    # ranked users' rows, in one order
    keys = ["algorithm", "fold", "user"]
    per_user = [*keys, "arp@10", "tail@10", "ild@10", "miscalibration@10"]

    def ranked(frame):
        frame = frame.loc[frame["n_relevant"].notna(), per_user]
        return frame.sort_values(keys).reset_index(drop=True)
    assert ranked(beyond_alone.per_user).equals(ranked(all_.per_user))
    fold_level = {(r["algorithm"], r["metric"]): r["folds"] for r in beyond_alone.results}
    for r in all_.results:
        if r["metric"].partition("@")[0] in beyond:
            assert fold_level[(r["algorithm"], r["metric"])] == r["folds"], r["metric"]
