"""Beyond-accuracy metrics over item features: intra-list diversity and miscalibration.

Features are the item genres (``Dataset.items["genres"]``, pipe-separated): ``genres`` is the
catalog x genres matrix in which item i spreads a weight of 1 uniformly over its |G(i)|
genres (row i = 1/|G(i)| on its genres, all zeros for an item without genres), see
:func:`genre_matrix`. ``top`` holds catalog positions (users x k, -1: empty slot).
"""

from __future__ import annotations

import numpy as np

#: Steck (2018)'s mixing weight of the user's own distribution into the recommended one
ALPHA = 0.01


def genre_matrix(genres) -> np.ndarray:
    """Rows: items (``genres`` one pipe-separated string per item, "" for none); columns: the
    genres sorted by name; entries p(g|i) = 1/|G(i)| for g ∈ G(i), else 0."""
    sets = [sorted({g.strip() for g in str(text).split("|") if g.strip()}) for text in genres]
    names = sorted({g for s in sets for g in s})
    where = {g: j for j, g in enumerate(names)}
    out = np.zeros((len(sets), len(names)))
    for i, s in enumerate(sets):
        for g in s:
            out[i, where[g]] = 1.0 / len(s)
    return out


def intra_list_diversity(top, genres) -> np.ndarray:
    """Per-user ILD@k = mean over the pairs {i, j} of listed items of 1 − cos(v_i, v_j),
    v_i = item i's genre vector. Items without genres are left out of the pairs; NaN when
    fewer than two listed items have genres."""
    top = np.asarray(top)
    v = np.asarray(genres, float)
    norm = np.linalg.norm(v, axis=1)
    has = norm > 0
    unit = np.divide(v, norm[:, None], out=np.zeros_like(v), where=has[:, None])
    valid = (top >= 0) & has[np.maximum(top, 0)]
    vec = unit[np.maximum(top, 0)] * valid[..., None]
    cos = np.einsum("uig,ujg->uij", vec, vec)
    k = top.shape[1]
    pair = valid[:, :, None] & valid[:, None, :] & np.triu(np.ones((k, k), bool), 1)
    n_pairs = pair.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        ild = np.where(pair, 1.0 - cos, 0.0).sum(axis=(1, 2)) / n_pairs
    return np.where(n_pairs > 0, ild, np.nan)


def genre_distribution(item_sets, genres) -> np.ndarray:
    """p(g|u) = Σ_{i ∈ I(u)} p(g|i) / |I(u) with genres|, one row per user: ``item_sets`` a
    users x catalog 0/1 matrix (dense or scipy sparse) of the user's items. Each item
    weighs 1 (no rating weights); NaN rows for users none of whose items have genres."""
    mass = np.asarray(item_sets @ np.asarray(genres, float))
    total = mass.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, mass / total, np.nan)


def miscalibration(top, genres, profile, alpha: float = ALPHA) -> np.ndarray:
    """Per-user miscalibration@k (Steck 2018) = KL(p ‖ q̃) = Σ_g p(g|u) ln(p(g|u) / q̃(g|u)),
    q̃ = (1 − α) q + α p, α = 0.01: p(g|u) the genre distribution of the user's training items
    (``profile``, :func:`genre_distribution`), q(g|u) that of the user's top k, each listed
    item weighing 1 (no rank weights) and spreading it over its genres; listed items without
    genres are left out of q (q = 0 when none has genres: KL = ln(1/α) · Σ p = ln 100).
    Terms with p(g|u) = 0 are 0. NaN for a user whose training items have no genres."""
    top = np.asarray(top)
    w = np.asarray(genres, float)
    mass = (w[np.maximum(top, 0)] * (top >= 0)[..., None]).sum(axis=1)
    total = mass.sum(axis=1, keepdims=True)
    q = np.divide(mass, total, out=np.zeros_like(mass), where=total > 0)
    p = np.asarray(profile, float)
    q_tilde = (1 - alpha) * q + alpha * p
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(p > 0, p * np.log(p / q_tilde), 0.0)
    return np.where(np.isnan(p).any(axis=1), np.nan, terms.sum(axis=1))
