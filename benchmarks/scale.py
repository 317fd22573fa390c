"""Scale benchmark: time and memory against the number of ratings, on MovieLens-shaped data.

    python benchmarks/scale.py [--shapes ml-1m,ml-10m,ml-25m,ml-32m] [--work-dir DIR]

GroupLens' larger releases cannot be downloaded here, so :mod:`recbench.datasets.synthetic`
draws seeded tables with their users, items and ratings (and MovieLens' skew) and writes
them in the releases' own layouts; every run then goes through the real loader
(``--dataset ml-25m --data-dir DIR``), like a user's. Each measurement is a fresh process:

* ``svd`` (5 epochs, the issue's setting) + ``popularity``, ``--split holdout`` (20% test),
  every metric, full ranking, one job at a time (``--n-jobs 1``; the ranking kernel and
  BLAS use both cores), the record and tables written to a temporary folder;
* item-based ``knnwithmeans`` alone, on the shapes up to ml-10m;
* first, an unrecorded warm-up run on 50,000 ratings, so numba's one-off compilation of the
  kernels (cached on disk) is in no measured run;
* ``--interactions N`` (default 10,000,000; 0 skips it): weighted ``popularity`` + ``ials``
  (weights as confidence, alpha 1, 5 iterations) on a seeded log of N weighted interactions
  (ml-10m's shape scaled to N, :mod:`recbench.datasets.sources.synthetic_log`), read as
  interactions with ``--weight-col weight``;
* on ``--dask-shape``: svd + popularity with ``--n-jobs 2`` and with a 2-worker Dask
  LocalCluster on 127.0.0.1 (``--scheduler local:2``), whose numbers must be identical.

Reported per run: wall time (process start to record written), each fit (``fit_time_s``),
each evaluation (``eval_time_s``: scoring, ranking and metrics), everything else (loading,
splitting, coding, records: wall minus fits and evaluations; sequential runs only), and peak
RSS (the process tree's resident memory, sampled every 50 ms, so children and Dask workers
count; for single-process runs also the kernel's exact high-water mark ``VmHWM``).
Writes ``results/scale/scale.json``, ``scale.md`` and ``scale.png``/``.svg`` (log-log time and
memory against ratings); exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SVD = ("svd", "svd", {"n_epochs": 5})
POP = ("popularity", "popularity", {})
KNN = ("knnwithmeans-item", "knnwithmeans", {"user_based": False})
IALS = ("ials", "ials", {"alpha": 1.0, "iterations": 5})
POP_W = ("popularity-weighted", "popularity", {"weighted": True})
GB = 1024 ** 3


# -- the child: one run in a fresh process ------------------------------------------------------

def child(config: dict) -> dict:
    t0 = time.perf_counter()
    import recbench
    from recbench.datasets import CsvOptions, load_dataset
    csv = CsvOptions(weight_col=config["weight_col"]) if config.get("weight_col") else None
    dataset = load_dataset(config.get("dataset", config["shape"]), data_dir=config["data_dir"],
                           csv_options=csv, download=False)
    loaded = time.perf_counter() - t0
    run = recbench.run(dataset, [tuple(a) for a in config["algorithms"]], split="holdout",
                       test_size=0.2, seed=0, n_jobs=config["n_jobs"],
                       scheduler=config.get("scheduler"))
    with tempfile.TemporaryDirectory() as out:
        run.save(Path(out) / "run")
    wall = time.perf_counter() - t0
    values = {(r["algorithm"], r["metric"]): r["mean"] for r in run.results}
    algos = sorted({a for a, _ in values})
    per_algo = {a: {m: values[(a, m)] for (b, m) in values if b == a} for a in algos}
    per_user = run.per_user.sort_values(["algorithm", "user"]).reset_index(drop=True)
    numbers = per_user.drop(columns=[c for c in per_user if c.endswith("_time_s")])
    return {"wall_s": wall, "load_s": loaded, "failures": len(run.failures),
            "users": dataset.provenance.n_users, "items": dataset.provenance.n_items,
            "ratings": dataset.provenance.n_ratings,
            "bytes_per_rating": float(dataset.ratings.memory_usage(deep=True).sum()
                                      / dataset.provenance.n_ratings),
            "fit_s": {a: per_algo[a]["fit_time_s"] for a in algos},
            "eval_s": {a: per_algo[a]["eval_time_s"] for a in algos},
            "ranked_users": run.record["protocol"]["counts"].get("ranked_users"),
            "metrics": {a: {m: v for m, v in per_algo[a].items() if not m.endswith("_time_s")}
                        for a in algos},
            "numbers_digest": _digest(numbers),
            "vm_hwm_bytes": _vm_hwm()}


def _digest(frame) -> str:
    import hashlib

    import pandas as pd
    return hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy()
                          .tobytes()).hexdigest()


def _vm_hwm() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


# -- the parent: data, runs, report -------------------------------------------------------------

def ensure_data(name: str, work: Path, seed: int) -> None:
    from recbench.datasets import synthetic
    spec = synthetic.SHAPES[name]
    marker = work / spec.folder / f"synthetic-seed{seed}.json"
    if marker.is_file():
        return
    t0 = time.perf_counter()
    frame = synthetic.movielens_shaped(spec, seed=seed)
    synthetic.write_release(frame, work, spec)
    marker.write_text(json.dumps({"shape": name, "seed": seed, "ratings": len(frame),
                                  "seconds": time.perf_counter() - t0}))
    print(f"  generated {name}: {len(frame):,} ratings in {time.perf_counter() - t0:.0f} s",
          flush=True)


def ensure_log(n: int, work: Path, seed: int) -> Path:
    """A seeded interaction log of ``n`` weighted interactions (ml-10m's shape scaled to n,
    :mod:`recbench.datasets.sources.synthetic_log`), written once to ``work``."""
    from recbench.datasets.sources import synthetic
    from recbench.datasets.sources.synthetic_log import interaction_log, write_log
    path = work / f"interactions-{n}-seed{seed}.csv"
    if not path.is_file():
        write_log(interaction_log(synthetic.shape("ml-10m", n), seed), path)
    return path


def interaction_config(n: int, work: Path, seed: int) -> dict:
    """The interaction-data case: popularity (weighted) + iALS (weights as confidence) on a
    log of ``n`` interactions, read as interactions through ``--weight-col weight``."""
    return {"kind": "interactions", "shape": f"log-{n:.0e}".replace("e+0", "e"),
            "dataset": str(ensure_log(n, work, seed)), "weight_col": "weight",
            "data_dir": str(work), "algorithms": [POP_W, IALS], "n_jobs": 1, "scheduler": None}


def measure(config: dict) -> dict:
    """Run ``config`` in a fresh process, sampling the process tree's RSS every 50 ms."""
    import psutil
    cmd = [sys.executable, __file__, "--child", json.dumps(config)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, text=True, env=env)
        root, peak = psutil.Process(proc.pid), 0
        while proc.poll() is None:
            try:
                tree = [root] + root.children(recursive=True)
                peak = max(peak, sum(_rss(p) for p in tree))
            except psutil.NoSuchProcess:
                pass
            time.sleep(0.05)
        err = proc.stderr.read()
        out.seek(0)
        lines = out.read().strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"scale run {config} failed (exit {proc.returncode}):\n{err[-3000:]}")
    result = json.loads(lines[-1])
    result["peak_rss_bytes"] = max(peak, result["vm_hwm_bytes"] if config["n_jobs"] == 1
                                   and not config.get("scheduler") else peak)
    return config | result


def _rss(p) -> int:
    try:
        return p.memory_info().rss
    except Exception:
        return 0


def sequential_parts(r: dict) -> dict:
    fits, evals = sum(r["fit_s"].values()), sum(r["eval_s"].values())
    return {"fits_s": fits, "evals_s": evals, "other_s": r["wall_s"] - fits - evals,
            "non_fit_s": r["wall_s"] - fits}


def slope(points) -> float:
    """Least-squares slope of log(y) on log(x)."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(max(y, 1e-9)) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def targets(runs: list[dict]) -> list[dict]:
    main = {r["shape"]: r for r in runs if r["kind"] == "svd+popularity"}
    out = []

    def add(name, value, limit, ok, note=""):
        out.append({"target": name, "measured": value, "limit": limit, "met": bool(ok),
                    "note": note})

    if "ml-10m" in main:
        r, p = main["ml-10m"], sequential_parts(main["ml-10m"])
        add("ml-10m: everything but the two fits <= 0.5x the fit time",
            round(p["non_fit_s"] / p["fits_s"], 2), 0.5, p["non_fit_s"] <= 0.5 * p["fits_s"])
        add("ml-10m: peak RSS <= 3 GB", round(r["peak_rss_bytes"] / GB, 2), 3.0,
            r["peak_rss_bytes"] <= 3 * GB)
    if "ml-32m" in main:
        r = main["ml-32m"]
        add("ml-32m: completes with peak RSS <= 12 GB", round(r["peak_rss_bytes"] / GB, 2), 12.0,
            r["peak_rss_bytes"] <= 12 * GB and not r["failures"])
        add("ml-32m: svd's evaluation (full ranking) <= 300 s", round(r["eval_s"]["svd"], 1),
            300.0, r["eval_s"]["svd"] <= 300)
    if len(main) >= 2:
        rs = sorted(main.values(), key=lambda r: r["ratings"])
        s_nonfit = slope([(r["ratings"], sequential_parts(r)["non_fit_s"]) for r in rs])
        s_other = slope([(r["ratings"], sequential_parts(r)["other_s"]) for r in rs])
        s_cells = slope([(r["ratings"], r["ranked_users"] * r["items"]) for r in rs])
        add("log-log slope of everything but the fits, against ratings", round(s_nonfit, 2),
            1.15, s_nonfit <= 1.15,
            f"full ranking scores every (evaluated user, item) cell; the cells grow with slope "
            f"{s_cells:.2f}")
        add("log-log slope of everything but fits and evaluations (load, split, records)",
            round(s_other, 2), 1.15, s_other <= 1.15)
    dask = [r for r in runs if r["kind"] == "dask"]
    jobs2 = [r for r in runs if r["kind"] == "n_jobs=2"]
    if dask and jobs2:
        d, j = dask[0], jobs2[0]
        add("Dask LocalCluster (2 workers): numbers identical to --n-jobs 2",
            d["numbers_digest"] == j["numbers_digest"] and d["metrics"] == j["metrics"], True,
            d["numbers_digest"] == j["numbers_digest"] and d["metrics"] == j["metrics"])
        add("Dask LocalCluster (2 workers): wall time <= 1.2x --n-jobs 2",
            round(d["wall_s"] / j["wall_s"], 2), 1.2, d["wall_s"] <= 1.2 * j["wall_s"])
    return out


def render(runs: list[dict], checks: list[dict], env: dict) -> str:
    lines = ["# Scale: time and memory against ratings", "",
             "Generated by `python benchmarks/scale.py` (see its docstring for the protocol). "
             f"Machine: {env['machine']}. Seeded synthetic data shaped like each MovieLens "
             "release (`recbench.datasets.synthetic`), read by the release's own loader; "
             "`--split holdout` (20% test), every metric, full ranking.", "",
             "| run | ratings | users × items | wall (s) | fits (s) | evaluations (s) | "
             "everything else (s) | peak RSS (GB) | loaded data (B/rating) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        seq = r["n_jobs"] == 1 and not r.get("scheduler")
        p = sequential_parts(r) if seq else None
        fits = " + ".join(f"{a} {v:.1f}" for a, v in r["fit_s"].items())
        evals = " + ".join(f"{a} {v:.1f}" for a, v in r["eval_s"].items())
        lines.append(f"| {r['shape']} {r['kind']} | {r['ratings']:,} | {r['users']:,} × "
                     f"{r['items']:,} | {r['wall_s']:.1f} | {fits} | {evals} | "
                     f"{p['other_s']:.1f} |" if seq else
                     f"| {r['shape']} {r['kind']} | {r['ratings']:,} | {r['users']:,} × "
                     f"{r['items']:,} | {r['wall_s']:.1f} | {fits} | {evals} | (parallel) |")
        lines[-1] += f" {r['peak_rss_bytes'] / GB:.2f} | {r['bytes_per_rating']:.1f} |"
    if checks:
        lines += ["", "## Targets", "", "| target | measured | limit | met |",
                  "|---|---|---|---|"]
    for c in checks:
        note = f" ({c['note']})" if c["note"] else ""
        lines.append(f"| {c['target']}{note} | {c['measured']} | {c['limit']} | "
                     f"{'yes' if c['met'] else '**no**'} |")
    if sum(r["kind"] == "svd+popularity" for r in runs) >= 2:      # plot() draws them
        lines += ["", "![time and memory against ratings](scale.png)"]
    lines.append("")
    return "\n".join(lines)


def plot(runs: list[dict], folder: Path) -> None:
    from matplotlib.figure import Figure
    main = sorted((r for r in runs if r["kind"] == "svd+popularity"), key=lambda r: r["ratings"])
    if len(main) < 2:
        return
    x = [r["ratings"] for r in main]
    fig = Figure(figsize=(10, 4.2))
    ax, bx = fig.subplots(1, 2)
    parts = [sequential_parts(r) for r in main]
    for label, ys in (("wall", [r["wall_s"] for r in main]),
                      ("fits", [p["fits_s"] for p in parts]),
                      ("evaluations", [p["evals_s"] for p in parts]),
                      ("everything else", [p["other_s"] for p in parts])):
        ax.loglog(x, ys, marker="o", label=label)
    ax.loglog(x, [parts[0]["non_fit_s"] * v / x[0] for v in x], ls=":", color="grey",
              label="linear from ml-1m")
    ax.set_xlabel("ratings")
    ax.set_ylabel("seconds")
    ax.set_title("svd (5 epochs) + popularity, holdout")
    ax.legend(fontsize=8)
    bx.loglog(x, [r["peak_rss_bytes"] / GB for r in main], marker="o", label="peak RSS")
    bx.loglog(x, [r["bytes_per_rating"] * r["ratings"] / GB for r in main], marker="s",
              label="loaded ratings frame")
    bx.set_xlabel("ratings")
    bx.set_ylabel("GB")
    bx.set_title("memory")
    bx.legend(fontsize=8)
    fig.tight_layout()
    for ext in ("png", "svg"):
        fig.savefig(folder / f"scale.{ext}", dpi=110)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shapes", default="ml-1m,ml-10m,ml-25m,ml-32m")
    p.add_argument("--knn-shapes", default="ml-1m,ml-10m")
    p.add_argument("--dask-shape", default="ml-10m")
    p.add_argument("--interactions", type=int, default=10_000_000,
                   help="also run popularity + iALS on a weighted interaction log of this many "
                        "interactions (0: not)")
    p.add_argument("--work-dir", default=str(Path(tempfile.gettempdir()) / "recbench-scale"),
                   help="where the synthetic releases are written (kept for the next run)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output-dir", default=str(ROOT / "results" / "scale"))
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0
    from recbench.reporting.manifest import library_versions, run_environment
    from recbench.reporting.storage import atomic_write_text
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    shapes = [s for s in args.shapes.split(",") if s]
    plan = [("svd+popularity", s, [SVD, POP], 1, None) for s in shapes]
    plan += [("knnwithmeans (item)", s, [KNN], 1, None)
             for s in args.knn_shapes.split(",") if s]
    if args.dask_shape:
        plan += [("n_jobs=2", args.dask_shape, [SVD, POP], 2, None),
                 ("dask", args.dask_shape, [SVD, POP], 1, "local:2")]
    # numba compiles the fits' and the ranking kernel's loops once per installation (cached
    # on disk): a small unrecorded run first, so no measured run pays for it
    warm = Path(tempfile.mkdtemp(prefix="recbench-scale-warm-"))
    from recbench.datasets import synthetic
    spec = synthetic.shape("ml-1m", 50_000)
    synthetic.write_release(synthetic.movielens_shaped(spec, args.seed), warm, spec)
    measure({"kind": "warm-up", "shape": "ml-1m", "data_dir": str(warm),
             "algorithms": [SVD, POP, KNN], "n_jobs": 1, "scheduler": None})
    runs = []
    if args.interactions:
        print(f"interaction log of {args.interactions:,} ...", flush=True)
        runs.append(measure(interaction_config(args.interactions, work, args.seed)))
    for kind, shape, algorithms, n_jobs, scheduler in plan:
        ensure_data(shape, work, args.seed)
        print(f"{shape} {kind} ...", flush=True)
        r = measure({"kind": kind, "shape": shape, "data_dir": str(work),
                     "algorithms": algorithms, "n_jobs": n_jobs, "scheduler": scheduler})
        print(f"  wall {r['wall_s']:.1f} s, fits {r['fit_s']}, evaluations {r['eval_s']}, "
              f"peak RSS {r['peak_rss_bytes'] / GB:.2f} GB", flush=True)
        runs.append(r)
    checks = targets(runs)
    env = run_environment()
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "scale.json", json.dumps(
        {"runs": runs, "targets": checks, "environment": env, "libraries": library_versions()},
        indent=1, default=str))
    atomic_write_text(out / "scale.md", render(runs, checks, {"machine": _machine(env)}))
    plot(runs, out)
    print(f"wrote {out / 'scale.md'}")
    for c in checks:
        print(f"  {'ok  ' if c['met'] else 'MISS'} {c['target']}: {c['measured']} "
              f"(limit {c['limit']})")
    return 0 if all(c["met"] for c in checks) else 1


def _machine(env: dict) -> str:
    m = env.get("machine", {})
    return f"{m.get('cpus')} CPUs ({m.get('processor')}), Python {env.get('python', '?')}"


if __name__ == "__main__":
    sys.exit(main())
