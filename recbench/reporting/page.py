"""A run's ``results.md``: table, legend, failures, plots, protocol and manifest."""

from __future__ import annotations

from recbench.reporting.tables import baseline_table, legend, table
from recbench.reporting.tuning import tuning_lines

PLOTS = {"metrics": "per-metric means with 95% intervals",
         "precision_recall": "precision@k and recall@k over k",
         "rmse_vs_precision": "RMSE against precision@10"}


def render_markdown(record: dict, plot_files: list[str] = ()) -> str:
    m, exp = record["manifest"], record.get("experiment") or {}
    d = m["dataset"]
    title = exp.get("name") or d["name"]
    lines = [f"# {title}: {d['name']}, split {m['split']}", ""]
    if exp.get("description"):
        lines += [exp["description"], ""]
    lines += [table(record, "github"), "", legend()]
    if d.get("feedback") == "interactions":
        lines += ["", f"RMSE/MAE are not computed: {d['name']} holds interactions, not ratings "
                      f"(every held-out interaction is relevant)."]
    if exp.get("published"):
        lines += ["", "`published …` columns: " + (exp.get("published_source") or
                                                      "reference numbers given in the experiment file") + "."]
    if exp.get("baseline"):
        b = exp["baseline"]
        lines += ["", f"## Against {b}", "", baseline_table(record, b, "github"), "",
                  f"Each cell: the algorithm's mean minus {b}'s, over the (fold, user) pairs both "
                  f"have; `*`: the paired Wilcoxon test is significant (Holm-adjusted p < "
                  f"0.05, adjusted over every pair of algorithms of the run)."]
    if record.get("warnings"):
        lines += ["", *[f"Warning: {w}" for w in record["warnings"]]]
    if record.get("failures"):
        lines += ["", "Failed or unavailable jobs:", ""] + \
                 [f"- {f['algorithm']} on {f['fold']}: {f['error'].splitlines()[0]}"
                  for f in record["failures"]]
    if record.get("groups"):                    # one table per metric, by user group
        lines += ["", *group_lines(record["groups"])]
    if record.get("tuning"):                    # budget, defaults vs best validation values
        lines += ["", *tuning_lines(record)][:-1]
    if plot_files:
        lines += ["", "## Plots", ""] + [f"- [{PLOTS[p]}]({p}.svg) ([PNG]({p}.png))"
                                         for p in plot_files]
    lines += ["", "Also as [CSV](results.csv) and [JSON](results.json); the full record is "
                  "[run.json](run.json).", "",
              "## Protocol", "", *footer_lines(record["protocol"]), "",
              *preprocessing_lines(d),
              "## Manifest", "",
              f"- dataset {d['name']}: {d.get('n_ratings', 0):,} "
              f"{'interactions' if d.get('feedback') == 'interactions' else 'ratings'}, "
              f"{d.get('n_users', 0):,} users, {d.get('n_items', 0):,} items; "
              f"{'weights: ' + d['weight'] + '; ' if d.get('weight') else ''}"
              f"ratings SHA-256 `{d['sha256']}`",
              f"- split {m['split']}, seed {m.get('seed')}, k {m['k']}, relevance threshold "
              f"{record['protocol']['relevance_threshold']:g}",
              f"- recbench {m.get('recbench_version', '?')}, Python {m.get('python', '?')}, " +
              ", ".join(f"{k} {v}" for k, v in (m.get("libraries") or {}).items()),
              f"- created {m.get('created', '?')} on {m.get('platform', '?')} "
              f"({(m.get('machine') or {}).get('cpus', '?')} CPUs)",
              f"- command: `{m.get('command', '?')}`", ""]
    return "\n".join(lines)



def preprocessing_lines(dataset: dict) -> list[str]:
    """The preprocessing section: one line per step with its counts before and after."""
    steps = dataset.get("preprocessing") or []
    if not steps:
        return []
    lines = ["## Preprocessing", "", "Applied in this order after reading, before splitting:", ""]
    for s in steps:
        b, a = s["before"], s["after"]
        params = ", ".join(f"{k} {v:g}" for k, v in s["parameters"].items())
        extra = ""
        if "kept" in s:
            extra = f"; {s['kept']:,} ratings kept as interactions, {s['dropped']:,} dropped"
        if "rounds" in s:
            extra = f"; {s['rounds']} rounds" + ("" if s["converged"] else ", not converged")
        lines.append(f"- {s['step']} ({params}): {b['users']:,} users, {b['items']:,} items, "
                     f"{b['interactions']:,} interactions -> {a['users']:,} users, "
                     f"{a['items']:,} items, {a['interactions']:,} interactions{extra}")
    return lines + [""]


def group_lines(groups: dict) -> list[str]:
    """``## By user group``: per per-user metric, algorithms x groups (mean [95% interval])."""
    names = groups["names"]
    lines = [f"## By user group ({groups['spec']})", "", f"Groups: {groups['definition']}."]
    if groups.get("edges"):
        lines.append("Bin edges per fold: " + "; ".join(
            f"{fold} {', '.join(f'{e:g}' for e in edges)}"
            for fold, edges in groups["edges"].items()) + ".")
    lines.append("")
    by_metric: dict = {}
    for r in groups["results"]:
        by_metric.setdefault(r["metric"], {}).setdefault(r["algorithm"], {})[r["group"]] = r
    for metric, algos in by_metric.items():
        lines += [f"### {metric}", "", "| algorithm | " + " | ".join(names) + " |",
                  "|---|" + "---|" * len(names)]
        for algo, cells in algos.items():
            lines.append(f"| {algo} | " + " | ".join(_cell(cells.get(g)) for g in names) + " |")
        lines.append("")
    return lines[:-1]


def _cell(r) -> str:
    if r is None or r["mean"] is None or r["mean"] != r["mean"]:
        return "-"
    lo, hi = r.get("ci_low"), r.get("ci_high")
    ci = "" if lo is None or lo != lo else f" [{lo:.4f}, {hi:.4f}]"
    return f"{r['mean']:.4f}{ci}"


PROTOCOL_KEYS = ["candidates", "relevance", "ranking", "ties", "skipped_users", "cold_start",
                 "rating_metrics", "aggregation"]


def footer_lines(protocol: dict) -> list[str]:
    """The protocol section of a page: each rule, then the counts."""
    lines = [f"- **{k.replace('_', ' ')}**: {protocol[k]}" for k in PROTOCOL_KEYS if k in protocol]
    c = protocol.get("counts", {})
    if c:
        lines.append("- **counts** (summed over folds): " +
                     ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in c.items()))
    return lines
