"""What a tuned run asks for (:class:`Tuning`) and the algorithms it adds (:class:`TunedSpec`).

``Tuning(trials=20, objective="ndcg@10")`` tunes every algorithm of the run that has a search
space: for each one a row ``<label> (tuned)`` is added beside its default row (``defaults=
False`` drops the default rows). ``algorithms`` limits tuning to some labels; ``space``
overrides ranges per label (``{"svd": {"n_factors": IntRange(10, 200)}}`` or the written
forms of :func:`~recbench.tuning.space.parse_range`); ``fixed`` fixes parameters per label
(they leave the search). Parameters set on the algorithm itself are fixed too, unless
``space`` names them. Everything is validated by :func:`tuned_algorithms` and
:func:`check_tuning` before any fold is fitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recbench.algorithms.params import (
    Choice,
    check_params,
    check_space,
    describe_space,
    range_text,
)
from recbench.algorithms.spec import AlgorithmSpec, spec_class
from recbench.errors import ConfigError
from recbench.metrics.spec import parse_metric
from recbench.tuning.space import default_space, parse_range

TUNED_SUFFIX = " (tuned)"
MAX_TRIALS = 100_000
#: the sampler settings (recorded, and part of every tuned job's key)
SAMPLER = {"name": "TPESampler", "multivariate": True, "constant_liar": False,
           "seeding": "a new TPESampler per trial, seeded by derive_seed(root, 'fold', fold, "
                      "'algorithm', label, 'sampler', trial)"}


@dataclass(frozen=True)
class Tuning:
    """Equal-budget tuning nested inside every training fold (see :mod:`recbench.tuning`)."""

    trials: int = 20
    objective: str = "ndcg@10"
    validation_share: float = 0.2
    algorithms: tuple | None = None         # labels to tune (None: all with a search space)
    space: dict = field(default_factory=dict)     # label -> {param: range}
    fixed: dict = field(default_factory=dict)     # label -> {param: value}
    defaults: bool = True                   # also run the untuned rows

    def objective_spec(self):
        return parse_metric(self.objective)

    def n_random_trials(self) -> int:
        """Random trials after trial 0 (the defaults) before TPE models the history: Optuna's
        10, fewer on small budgets (half of them)."""
        return max(1, min(10, self.trials // 2))

    def n_startup_trials(self) -> int:
        """Optuna's ``n_startup_trials``, which counts the enqueued defaults too."""
        return 1 + self.n_random_trials()

    def describe(self) -> dict:
        spec = self.objective_spec()
        return {"trials": self.trials, "objective": spec.name,
                "direction": "maximize" if spec.higher_is_better else "minimize",
                "validation_share": self.validation_share,
                "sampler": SAMPLER | {"n_startup_trials": self.n_startup_trials(),
                                      "random_trials_after_the_defaults": self.n_random_trials()}}


FIELDS = {"trials": "trials per tuned algorithm and fold (default 20)",
          "objective": "the validation metric to optimise (default ndcg@10)",
          "validation_share": "share of each user's training ratings held out (default 0.2)",
          "algorithms": "labels to tune (default: every algorithm with a search space)",
          "space": "[tuning.space.<label>] ranges that override the default search space",
          "fixed": "[tuning.fixed.<label>] parameters fixed while tuning",
          "defaults": "also run the untuned rows (default true)"}


def resolve_tuning(value) -> Tuning | None:
    """None, a :class:`Tuning`, or a dict of its fields; checked (objective, trials, share)."""
    if value is None or value is False:
        return None
    if value is True:
        value = Tuning()
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(FIELDS))
        if unknown:
            raise ConfigError(f"tuning option {unknown[0]!r} is unknown; known: "
                              f"{', '.join(FIELDS)}.")
        value = Tuning(**{k: (((v,) if isinstance(v, str) else tuple(v))
                              if k == "algorithms" and v is not None else v)
                          for k, v in value.items()})
    if not isinstance(value, Tuning):
        raise ConfigError(f"tune={value!r} is not a recbench.Tuning or a dict of its fields.")
    check_settings(value)
    return value


def check_settings(t: Tuning) -> None:
    if isinstance(t.trials, bool) or not isinstance(t.trials, int) or not 1 <= t.trials <= MAX_TRIALS:
        raise ConfigError(f"tuning trials {t.trials!r} is invalid; give a whole number from 1 "
                          f"to {MAX_TRIALS:,}, e.g. 20.")
    share = t.validation_share
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share < 1:
        raise ConfigError(f"tuning validation_share {share!r} is invalid; give a share between "
                          f"0 and 1, e.g. 0.2.")
    try:
        spec = t.objective_spec()
    except ValueError:
        raise ConfigError(f"tuning objective {t.objective!r}: a cutoff is not a whole number "
                          f"written with 0-9, e.g. 'ndcg@10'.") from None
    except ConfigError as exc:
        raise ConfigError(f"tuning objective: {exc}") from None
    if spec.metric.kind not in ("rating", "ranking", "list"):
        raise ConfigError(f"tuning objective {spec.name!r} is a {spec.metric.kind} metric; "
                          f"optimise a rating, ranking or list metric such as ndcg@10 or rmse.")
    if t.algorithms is not None and not t.algorithms:
        raise ConfigError("tuning algorithms is empty; list the labels to tune, or leave it out "
                          "to tune every algorithm with a search space.")
    if not isinstance(t.defaults, bool):
        raise ConfigError(f"tuning defaults {t.defaults!r} must be true or false.")
    for what in ("space", "fixed"):
        table = getattr(t, what)
        if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
            raise ConfigError(f"tuning {what} must map an algorithm label to a table of "
                              f"parameters, e.g. {{'svd': {{'n_factors': ...}}}}.")


@dataclass(frozen=True)
class TunedSpec(AlgorithmSpec):
    """An algorithm tuned inside each training fold. ``params`` are the fixed parameters;
    ``space`` what is searched; ``start`` the values of trial 0 (the defaults)."""

    base: str = ""
    space: dict = field(default_factory=dict)
    start: dict = field(default_factory=dict)
    fixed: dict = field(default_factory=dict)
    tuning: Tuning | None = None

    def describe_tuning(self) -> dict:
        """What determines the tuning (part of the job key and of the record)."""
        return self.tuning.describe() | {"space": describe_space(self.space),
                                         "fixed": dict(self.fixed), "defaults": dict(self.start)}


def tuned_algorithms(specs: list[AlgorithmSpec], tuning: Tuning) -> list[AlgorithmSpec]:
    """``specs`` with a tuned spec after each algorithm that has a search space (without the
    default rows when ``tuning.defaults`` is False)."""
    labels = [s.label for s in specs]
    named = set(tuning.algorithms or ()) | set(tuning.space) | set(tuning.fixed)
    for label in sorted(named):
        if label not in labels:
            raise ConfigError(f"tuning names the algorithm {label!r}, which is not among the "
                              f"algorithms of this run ({', '.join(labels)}).")
    out, tuned = [], 0
    for spec in specs:
        wanted = tuning.algorithms is None or spec.label in tuning.algorithms
        _check_named_tables(spec.label, tuning, wanted)
        cls = spec_class(spec) if wanted else None
        space = _space(spec, cls, tuning) if cls is not None else {}
        if wanted and cls is not None and not space and (
                tuning.algorithms is not None or spec.label in tuning.fixed):
            if default_space(cls) or spec.label in tuning.space:
                raise ConfigError(f"tuning: every parameter of {spec.label}'s search space is "
                                  f"fixed (by [tuning.fixed.{spec.label}] or the algorithm's own "
                                  f"parameters), so nothing is left to tune; unfix one or leave "
                                  f"{spec.label} out of the tuned algorithms.")
            raise ConfigError(f"tuning: {spec.label} has no search space (its class declares "
                              f"none and [tuning.space.{spec.label}] gives none); add one or "
                              f"leave it out of the tuned algorithms.")
        if not space:
            out.append(spec)
            continue
        tuned += 1
        if tuning.defaults:
            out.append(spec)
        out.append(_tuned(spec, cls, space, tuning))
    seen = [s.label for s in out]
    for label in seen:
        if seen.count(label) > 1:
            raise ConfigError(f"two algorithms share the label {label!r} once tuned rows are "
                              f"added; rename the algorithm labelled {label!r}.")
    if not tuned:
        raise ConfigError("tuning: none of the algorithms has a search space (" +
                          ", ".join(labels) + "); tune one that declares search_space, e.g. "
                          "svd, itemknn or ease, or give [tuning.space.<label>].")
    return out


def _check_named_tables(label: str, tuning: Tuning, wanted: bool) -> None:
    """A [tuning.space.<label>] or [tuning.fixed.<label>] table for an algorithm that is not
    tuned would be ignored: refuse it. A name both searched and fixed is refused too."""
    for what in ("space", "fixed"):
        if label in getattr(tuning, what) and not wanted:
            raise ConfigError(f"[tuning.{what}.{label}] is given, but [tuning] algorithms leaves "
                              f"{label} out, so it would be ignored; add {label} to algorithms "
                              f"or remove the table.")
    both = sorted(set(tuning.space.get(label, {})) & set(tuning.fixed.get(label, {})))
    if both:
        raise ConfigError(f"tuning: {label}'s {both[0]} is both searched ([tuning.space.{label}]) "
                          f"and fixed ([tuning.fixed.{label}]); keep one of the two.")


def _space(spec, cls, tuning) -> dict:
    overrides = tuning.space.get(spec.label, {})
    space = default_space(cls) | {name: parse_range(r, f"tuning.space.{spec.label}.{name}")
                                  for name, r in overrides.items()}
    given = _given(spec, cls)
    fixed = set(given) - set(overrides) | set(tuning.fixed.get(spec.label, {}))
    return {name: r for name, r in space.items() if name not in fixed}


def _given(spec, cls) -> dict:
    """Parameters set on the algorithm: a name's params, an instance's non-default ones."""
    if spec.instance is None:
        return dict(spec.params)
    defaults = cls.default_params() if hasattr(cls, "default_params") else {}
    return {k: v for k, v in spec.params.items() if k not in defaults or defaults[k] != v}


def _tuned(spec, cls, space, tuning) -> TunedSpec:
    label = spec.label + TUNED_SUFFIX
    names = cls.param_names() if hasattr(cls, "param_names") else None
    for key in tuning.fixed.get(spec.label, {}):
        if names is not None and key not in names:
            raise ConfigError(f"tuning.fixed.{spec.label}: {key!r} is not a parameter of "
                              f"{spec.name}; its parameters are: {', '.join(names)}.")
    check_space(label, cls, space)
    fixed = _given(spec, cls) | dict(tuning.fixed.get(spec.label, {}))
    fixed = {k: v for k, v in fixed.items() if k not in space}
    check_params(f"tuning.fixed.{spec.label}", cls, fixed)
    defaults = cls.default_params() if hasattr(cls, "default_params") else {}
    current = defaults | dict(spec.params)
    start = {}
    for name, r in space.items():
        if name not in current:
            raise ConfigError(f"{label}: {name} has no default value to start from.")
        try:
            start[name] = r.start(current[name])
        except ValueError:
            origin = "set for the algorithm" if name in spec.params else "its default"
            widen = (f"add {current[name]!r} to the choices" if isinstance(r, Choice)
                     else "widen the range")
            raise ConfigError(f"{label}: trial 0 starts from {name}={current[name]!r} "
                              f"({origin}), which lies outside the search space "
                              f"{range_text(r)}; {widen}, or fix {name}.") from None
    params = fixed if spec.instance is None else dict(spec.params)
    return TunedSpec(label, spec.name, params, spec.instance, spec.cls, base=spec.label, space=space,
                     start=start, fixed=fixed, tuning=tuning)


def check_tuning(exp) -> None:
    """The tuning of a built experiment: its settings and every tuned spec's space."""
    if exp.tuning is None:
        return
    check_settings(exp.tuning)
    spec = exp.tuning.objective_spec()
    for s in exp.algorithms:
        if not isinstance(s, TunedSpec):
            continue
        cls = spec_class(s)
        if cls is None:
            continue
        check_space(s.label, cls, s.space)
        kind = spec.metric.kind
        if kind == "rating" and not getattr(cls, "predicts_ratings", True):
            raise ConfigError(f"{s.base} predicts no ratings, so it cannot be tuned on "
                              f"{spec.name}; tune it on a ranking metric such as ndcg@10, or "
                              f"leave it out of the tuned algorithms.")
        if kind != "rating" and not getattr(cls, "ranks_items", True):
            raise ConfigError(f"{s.base} ranks no items, so it cannot be tuned on {spec.name}; "
                              f"tune it on a rating metric such as rmse.")


#: [tuning] key -> (accepted types, description)
TABLE_TYPES = {"trials": (int, "a whole number >= 1"), "objective": (str, "a metric name"),
               "validation_share": ((int, float), "a share between 0 and 1"),
               "algorithms": (list, "a list of algorithm labels"),
               "defaults": (bool, "true or false"), "space": (dict, "a table per label"),
               "fixed": (dict, "a table per label")}


def from_table(raw, labels, fail) -> dict:
    """The [tuning] table of an experiment file, checked strictly; ``fail(message)`` raises
    the error that names the file."""
    if not isinstance(raw, dict):
        fail("'tuning' must be a table: [tuning].")
    for key, value in raw.items():
        if key not in TABLE_TYPES:
            fail(f"unknown key {key!r} in [tuning]; known: {', '.join(TABLE_TYPES)}.")
        types, what = TABLE_TYPES[key]
        if (isinstance(value, bool) and types is not bool) or not isinstance(value, types):
            fail(f"[tuning] {key} = {value!r} has the wrong type; it must be {what}.")
    for label in raw.get("algorithms", []):
        if not isinstance(label, str) or label.lower() not in labels:
            fail(f"[tuning] algorithms names {label!r}, which is not an algorithm of this file "
                 f"({', '.join(sorted(labels))}).")
    out = {k: v for k, v in raw.items() if k not in ("space", "fixed", "algorithms")}
    if "algorithms" in raw:
        out["algorithms"] = [a.lower() for a in raw["algorithms"]]
    for what in ("space", "fixed"):
        tables = {}
        for label, table in raw.get(what, {}).items():
            where = f"[tuning.{what}.{label}]"
            if label.lower() not in labels:
                fail(f"{where} names no algorithm of this file ({', '.join(sorted(labels))}).")
            if not isinstance(table, dict):
                fail(f"{where} must be a table of parameter = value.")
            if what == "space":
                try:
                    table = {k: parse_range(v, f"{where} {k}") for k, v in table.items()}
                except ConfigError as exc:
                    fail(str(exc))
            tables[label.lower()] = dict(table)
        if tables:
            out[what] = tables
    try:
        resolve_tuning(out)
    except ConfigError as exc:
        fail(f"[tuning]: {exc}")
    return out
