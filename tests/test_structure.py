"""The package's shape, read from its own source with ``ast`` (nothing is imported): no import
circle between modules, imports between rooms that only run down the order below, and no
module but the command line importing the bare package.

Every ``import`` of a recbench module counts, at module level and inside functions alike. A
room is the first name under ``recbench`` (a subpackage, or a top-level module). ``ROOMS`` is
the one place the order of the rooms is written, lowest first: a room may import only the
rooms before it (and itself).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.support import ROOT

PACKAGE = ROOT / "recbench"

#: the rooms, ground floor first (README, "Layout")
ROOMS = [
    "_version", "errors", "random",      # the ground floor: no recbench imports but these
    "runtime",                           # execution seam, threads, memory, environment
    "datasets",                          # the Dataset value, readers, sources
    "preprocessing",                     # binarisation, interaction-count filters, k-core
    "splitting",                         # folds and the split registry
    "metrics",                           # pure metric functions and their registry
    "algorithms",                        # the contract, parameters, registry, models
    "evaluation",                        # protocol, rating and ranking evaluation, kernels
    "statistics",                        # intervals, aggregation, significance, comparison
    "tuning",                            # nested tuning with Optuna
    "experiments",                       # experiment, jobs, job store, transfer, external
    "reporting",                         # record, storage, tables, pages, plots, Run
    "config",                            # experiment files
    "integrations",                      # MLflow
    "testing",                           # the conformance kit
    "api",                               # the functions ``import recbench`` offers
    "_moved",                            # old module paths (imports nothing at import time)
    "cli", "__main__",                   # the command line
]
#: rooms that may import the bare package (``import recbench``)
MAY_IMPORT_PACKAGE = {"cli", "__main__"}


def modules() -> dict[str, Path]:
    out = {}
    for f in sorted(PACKAGE.rglob("*.py")):
        parts = list(f.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = f
    return out


def _resolve(name: str, mods) -> str | None:
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def imports(mods) -> tuple[dict[str, set[str]], set[str]]:
    """module -> the recbench modules it imports; and the modules importing the bare package."""
    edges, bare = defaultdict(set), set()
    for mod, f in mods.items():
        is_pkg = f.name == "__init__.py"
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.Import):
                for a in node.names:
                    targets.append(a.name)
                    if a.name == "recbench":
                        bare.add(mod)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = mod.split(".") if is_pkg else mod.split(".")[:-1]
                    base = base[:len(base) - (node.level - 1)]
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                for a in node.names:
                    full = f"{prefix}.{a.name}"
                    if prefix == "recbench" and full not in mods:
                        bare.add(mod)                 # from recbench import __version__
                    targets.append(full if full in mods else prefix)
                    if full in mods:              # ``from pkg import sub`` runs pkg/__init__ too
                        targets.append(prefix)
            for t in targets:
                if t == "recbench" or t.startswith("recbench."):
                    r = _resolve(t, mods)
                    if r and r != mod and r != "recbench":
                        edges[mod].add(r)
    return edges, bare


def room(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def cycles(graph: dict[str, set[str]], nodes) -> list[list[str]]:
    """Strongly connected groups of two or more nodes (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in nodes:
        if v not in index:
            visit(v)
    return out


def test_every_room_is_in_the_order():
    rooms = {room(m) for m in modules()} - {"__init__"}
    assert rooms <= set(ROOMS), f"rooms missing from ROOMS: {sorted(rooms - set(ROOMS))}"


def test_no_module_cycle():
    mods = modules()
    edges, _ = imports(mods)
    assert cycles(edges, list(mods)) == []


def test_imports_run_down_the_rooms():
    mods = modules()
    edges, _ = imports(mods)
    rank = {r: n for n, r in enumerate(ROOMS)}
    upward = sorted(f"{a} -> {b}" for a, bs in edges.items() for b in bs
                    if room(a) != "__init__" and room(b) != room(a)
                    and rank[room(b)] > rank[room(a)])
    assert upward == [], "imports that run up: " + "; ".join(upward)
    room_edges = defaultdict(set)
    for a, bs in edges.items():
        for b in bs:
            if "__init__" not in (room(a), room(b)) and room(a) != room(b):
                room_edges[room(a)].add(room(b))
    assert cycles(room_edges, ROOMS) == []


def test_only_the_command_line_imports_the_bare_package():
    _, bare = imports(modules())
    assert sorted(m for m in bare if room(m) not in MAY_IMPORT_PACKAGE) == []


def test_the_checker_sees_a_cycle_and_an_upward_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph, "abcd") == [["a", "b", "c"]]
    edges, bare = imports({"recbench.x": PACKAGE / "errors.py"})
    assert edges == {} and bare == set()


def test_old_module_paths_still_import_with_a_warning():
    """recbench 0.1's flat paths, which plugins may use, re-export the moved modules."""
    import importlib
    import sys
    import warnings

    from recbench._moved import MOVED
    for old, new in MOVED.items():
        sys.modules.pop(old, None)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = importlib.import_module(old)
        assert any(issubclass(w.category, DeprecationWarning) and old in str(w.message)
                   for w in caught), old
        first = importlib.import_module(new[0])
        public = [n for n in vars(first) if not n.startswith("_") and
                  getattr(vars(first)[n], "__module__", None) == first.__name__]
        assert all(getattr(module, n) is getattr(first, n) for n in public), old
    from recbench.algorithms.surprise_models import SVD as OldSVD

    from recbench.algorithms.surprise.svd import SVD
    assert OldSVD is SVD
