"""Surprise's SGD and ALS fits (SVD, SVD++, baselines), compiled with numba, exactly.

Each kernel is the loop of Surprise's Cython code (``matrix_factorization.pyx``,
``optimize_baselines.pyx``) written again over integer-coded arrays
(``rating_codes.CodedRatings``): the same initial draws (``get_rng(random_state).normal``,
user factors first, then item factors, then SVD++'s implicit factors), the ratings in
``trainset.all_ratings()`` order (users in inner-id order, each user's ratings in insertion
order), and every update as the same expression in the same order, so the floating-point
results are bit for bit Surprise's. No ``fastmath``: reassociating the dot products or fusing
multiply-adds would change the last bits, and SGD amplifies them.

With ``e = r - (mu + b_u + b_i + q_i . p_u)`` (``mu = b_u = b_i = 0`` for an unbiased SVD):

SVD, per rating and epoch::

    b_u += lr_bu (e - reg_bu b_u)            b_i += lr_bi (e - reg_bi b_i)     (biased only)
    p_uf += lr_pu (e q_if - reg_pu p_uf)     q_if += lr_qi (e p_uf - reg_qi q_if)   (old p_uf, q_if)

SVD++: ``p_u`` is replaced by ``p_u + z_u`` in the estimate, ``z_u = sum_j y_j / sqrt|I_u|``
over the items j the user rated (recomputed before each rating, as Surprise does), and::

    q_if += lr_qi (e (p_uf + z_uf) - reg_qi q_if)
    y_jf += lr_yj (e q_if / sqrt|I_u| - reg_yj y_jf)     for every j in I_u (old q_if)

Baselines by SGD (``BaselineOnly``/``KNNBaseline`` with ``method="sgd"``): the two bias
updates of SVD with ``lr`` and ``reg``. Baselines by ALS, per epoch, items then users::

    b_i = sum_{u in U_i} (r_ui - mu - b_u) / (reg_i + |U_i|)
    b_u = sum_{i in I_u} (r_ui - mu - b_i) / (reg_u + |I_u|)
"""

from __future__ import annotations

import numpy as np
from numba import njit

from recbench.algorithms.surprise._import import import_surprise
from recbench.algorithms.surprise.codes import CodedRatings

get_rng = import_surprise().utils.get_rng


@njit(cache=True)
def svd_epochs(u, i, r, global_mean, bu, bi, pu, qi, n_epochs, biased,
               lr_bu, lr_bi, lr_pu, lr_qi, reg_bu, reg_bi, reg_pu, reg_qi):
    """SVD's SGD, in place on ``bu, bi, pu, qi``."""
    n_factors = pu.shape[1]
    for _ in range(n_epochs):
        for k in range(len(r)):
            uu, ii = u[k], i[k]
            dot = 0.0
            for f in range(n_factors):
                dot += qi[ii, f] * pu[uu, f]
            err = r[k] - (global_mean + bu[uu] + bi[ii] + dot)
            if biased:
                bu[uu] += lr_bu * (err - reg_bu * bu[uu])
                bi[ii] += lr_bi * (err - reg_bi * bi[ii])
            for f in range(n_factors):
                puf, qif = pu[uu, f], qi[ii, f]
                pu[uu, f] += lr_pu * (err * qif - reg_pu * puf)
                qi[ii, f] += lr_qi * (err * puf - reg_qi * qif)


@njit(cache=True)
def svdpp_epochs(user_indptr, i, r, global_mean, bu, bi, pu, qi, yj, n_epochs,
                 lr_bu, lr_bi, lr_pu, lr_qi, lr_yj, reg_bu, reg_bi, reg_pu, reg_qi, reg_yj):
    """SVD++'s SGD, in place on ``bu, bi, pu, qi, yj``. Surprise updates ``y_jf`` factor by
    factor, each over every j; here j by j, each over every factor (contiguous rows). Each
    ``y_jf`` sees the same updates in the same order (an update reads only ``y_jf`` itself
    and the old ``q_if``), so the results are the same to the bit."""
    n_factors = pu.shape[1]
    implicit = np.zeros(n_factors)
    step = np.zeros(n_factors)      # err q_if / sqrt|I_u| per factor, from the old q_if
    for _ in range(n_epochs):
        for uu in range(len(user_indptr) - 1):
            start, end = user_indptr[uu], user_indptr[uu + 1]
            sqrt_iu = np.sqrt(np.float64(end - start))
            for k in range(start, end):
                ii = i[k]
                implicit[:] = 0.0
                for m in range(start, end):
                    j = i[m]
                    for f in range(n_factors):
                        implicit[f] += yj[j, f] / sqrt_iu
                dot = 0.0
                for f in range(n_factors):
                    dot += qi[ii, f] * (pu[uu, f] + implicit[f])
                err = r[k] - (global_mean + bu[uu] + bi[ii] + dot)
                bu[uu] += lr_bu * (err - reg_bu * bu[uu])
                bi[ii] += lr_bi * (err - reg_bi * bi[ii])
                for f in range(n_factors):
                    puf, qif = pu[uu, f], qi[ii, f]
                    pu[uu, f] += lr_pu * (err * qif - reg_pu * puf)
                    qi[ii, f] += lr_qi * (err * (puf + implicit[f]) - reg_qi * qif)
                    step[f] = err * qif / sqrt_iu
                for m in range(start, end):
                    j = i[m]
                    for f in range(n_factors):
                        yj[j, f] += lr_yj * (step[f] - reg_yj * yj[j, f])


@njit(cache=True)
def baseline_sgd_epochs(u, i, r, global_mean, bu, bi, n_epochs, reg, lr):
    """Surprise's ``baseline_sgd``, in place on ``bu, bi``."""
    for _ in range(n_epochs):
        for k in range(len(r)):
            uu, ii = u[k], i[k]
            err = r[k] - (global_mean + bu[uu] + bi[ii])
            bu[uu] += lr * (err - reg * bu[uu])
            bi[ii] += lr * (err - reg * bi[ii])


@njit(cache=True)
def baseline_als_epochs(user_indptr, user_items, user_ratings, item_indptr, item_users,
                        item_ratings, global_mean, bu, bi, n_epochs, reg_u, reg_i):
    """Surprise's ``baseline_als``, in place on ``bu, bi``."""
    for _ in range(n_epochs):
        for ii in range(len(item_indptr) - 1):
            dev_i = 0.0
            for k in range(item_indptr[ii], item_indptr[ii + 1]):
                dev_i += item_ratings[k] - global_mean - bu[item_users[k]]
            bi[ii] = dev_i / (reg_i + (item_indptr[ii + 1] - item_indptr[ii]))
        for uu in range(len(user_indptr) - 1):
            dev_u = 0.0
            for k in range(user_indptr[uu], user_indptr[uu + 1]):
                dev_u += user_ratings[k] - global_mean - bi[user_items[k]]
            bu[uu] = dev_u / (reg_u + (user_indptr[uu + 1] - user_indptr[uu]))


def _draws(rng, algo, rows: int) -> np.ndarray:
    return np.ascontiguousarray(rng.normal(algo.init_mean, algo.init_std_dev,
                                           size=(rows, algo.n_factors)), dtype=np.float64)


def fit_svd(c: CodedRatings, algo) -> dict:
    """``bu, bi, pu, qi`` of ``algo.fit`` on the same ratings; ``algo`` is an unfitted
    ``surprise.SVD``, whose own ``__init__`` resolved the learning rates and
    regularisations (``lr_bu``... fall back to ``lr_all``)."""
    rng = get_rng(algo.random_state)
    bu, bi = np.zeros(c.n_users), np.zeros(c.n_items)
    pu, qi = _draws(rng, algo, c.n_users), _draws(rng, algo, c.n_items)
    svd_epochs(c.u, c.i, c.r, c.global_mean if algo.biased else 0.0, bu, bi, pu, qi,
               int(algo.n_epochs), bool(algo.biased), *_rates(algo, "bu", "bi", "pu", "qi"))
    return {"bu": bu, "bi": bi, "pu": pu, "qi": qi}


def fit_svdpp(c: CodedRatings, algo) -> dict:
    """``bu, bi, pu, qi, yj`` of ``algo.fit`` (an unfitted ``surprise.SVDpp``)."""
    rng = get_rng(algo.random_state)
    bu, bi = np.zeros(c.n_users), np.zeros(c.n_items)
    pu, qi = _draws(rng, algo, c.n_users), _draws(rng, algo, c.n_items)
    yj = _draws(rng, algo, c.n_items)
    svdpp_epochs(c.user_indptr, c.i, c.r, c.global_mean, bu, bi, pu, qi, yj, int(algo.n_epochs),
                 *_rates(algo, "bu", "bi", "pu", "qi", "yj"))
    return {"bu": bu, "bi": bi, "pu": pu, "qi": qi, "yj": yj}


def _rates(algo, *names) -> list[float]:
    """The learning rates, then the regularisations, of ``names`` as Surprise holds them."""
    return [float(getattr(algo, f"{kind}_{n}")) for kind in ("lr", "reg") for n in names]


def fit_baselines(c: CodedRatings, bsl_options: dict) -> dict:
    """``bu, bi`` of Surprise's ``compute_baselines`` for ``bsl_options``, with its defaults
    (als: 10 epochs, reg_u 15, reg_i 10; sgd: 20 epochs, reg 0.02, learning_rate 0.005)."""
    bu, bi = np.zeros(c.n_users), np.zeros(c.n_items)
    method = bsl_options.get("method", "als")
    if method == "als":
        baseline_als_epochs(c.user_indptr, c.i, c.r, c.item_indptr, c.item_users, c.item_ratings,
                            c.global_mean, bu, bi, int(bsl_options.get("n_epochs", 10)),
                            float(bsl_options.get("reg_u", 15)), float(bsl_options.get("reg_i", 10)))
    elif method == "sgd":
        baseline_sgd_epochs(c.u, c.i, c.r, c.global_mean, bu, bi,
                            int(bsl_options.get("n_epochs", 20)),
                            float(bsl_options.get("reg", 0.02)),
                            float(bsl_options.get("learning_rate", 0.005)))
    else:
        raise ValueError(f"unknown baseline method {method!r} (als or sgd)")
    return {"bu": bu, "bi": bi}
