"""Fit time of the compiled fits against Surprise's on ml-100k u1 (benchmarks/README.md,
"Compiled fits").

    python benchmarks/compiled_fits.py --data-dir ../shared/datasets

Each adapter is fitted on u1's training ratings with engine="compiled" and
engine="surprise" (Surprise's trainset built from the frame + its own fit): one warm-up fit
each (numba compiles or loads its cache), then the best of ``--repeats``. The two fits'
predictions on every u1 test pair are compared too. One thread; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from recbench.algorithms import surprise_models as sm
from recbench.datasets import load_dataset
from recbench.splitting import make_folds

CASES = [("svd", sm.SVD, {"random_state": 0}),
         ("svd (biased=False)", sm.SVD, {"random_state": 0, "biased": False}),
         ("svdpp", sm.SVDpp, {"random_state": 0}),
         ("baselineonly (als)", sm.BaselineOnly, {}),
         ("baselineonly (sgd)", sm.BaselineOnly, {"method": "sgd"})]


def best_fit(cls, params, train, repeats):
    algo = cls(**params).fit(train)                      # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        algo = cls(**params).fit(train)
        times.append(time.perf_counter() - start)
    return min(times), algo


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", default="../shared/datasets")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    fold = make_folds(load_dataset("ml-100k", data_dir=args.data_dir), "u1")[0]
    users, items = fold.test["user"].to_numpy(), fold.test["item"].to_numpy()
    print("| model | compiled fit (s) | Surprise fit (s) | ratio | max abs prediction difference |")
    print("|---|---|---|---|---|")
    for label, cls, params in CASES:
        ours_s, ours = best_fit(cls, {**params, "engine": "compiled"}, fold.train, args.repeats)
        theirs_s, theirs = best_fit(cls, {**params, "engine": "surprise"}, fold.train, args.repeats)
        diff = np.abs(ours.predict(users, items) - theirs.predict(users, items)).max()
        print(f"| {label} | {ours_s:.4f} | {theirs_s:.3f} | {theirs_s / ours_s:.1f}x | {diff:.1e} |")


if __name__ == "__main__":
    main()
