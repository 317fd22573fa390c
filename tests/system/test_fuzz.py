"""Fuzzing the readers of user files with hypothesis: only RecbenchError may escape.

(a) the custom rating-file reader on random bytes and on random CSV shapes (separators,
headers, missing and extra fields, non-numeric, NaN and infinite ratings, empty files,
duplicates, encodings, line endings, random options); whatever it accepts must be a valid
dataset. (b) the experiment-file loader on random TOML-like text, on bytes that are not
UTF-8, and on random valid TOML documents (random keys and types, serialised here).
"""

from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recbench.config import CSV_KEYS, KEYS, load_experiment
from recbench.datasets.custom import DUPLICATE_POLICIES, CsvOptions, read_custom
from recbench.errors import RecbenchError

FUZZ = settings(max_examples=1000, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# -- (a) custom rating files -------------------------------------------------------------------

# Hypothesis favours the first (simplest) choice of each draw, so the ordinary case comes
# first everywhere and the odd cases after it: most files and options are plausible enough
# to get deep into the reader, and the rest probe every check on the way.
SEPARATORS = [",", "\t", ";", "|", " ", "::", ":", ".", '"', "ab"]
ENCODINGS = ["utf-8", "latin-1", "utf-16", "cp1252", "ascii", "utf-8-sig", "shift_jis"]
NAMES = ["user", "item", "rating", "timestamp", "userId", "movieId", "stars", "", " user", "1"]

odd_text = st.one_of(
    st.sampled_from(["1e309", "-inf", "inf", "NaN", "nan", "", " 4 ", "4,5", "1_0", "0x10",
                     "١٠", "²", "true", "None", "NA", '"3"', '"a,b"', '"unclosed', "9" * 40,
                     "1e300", "1.7976931348623157e308", "-1", "0", "u1", "\u00e9", "\u2028",
                     "\x00", "\x0c"]),
    st.integers(-10, 10).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=8),
)
ids = st.sampled_from(["a", "b", "c", "d", "x", "y", "é", " ", ""]) | st.text(max_size=4)


@st.composite
def csv_files(draw):
    """(bytes, separator, encoding) of a rating file: six in ten clean (every row plausible),
    the others of random shape."""
    clean = draw(st.sampled_from([True] * 6 + [False] * 4))
    pick = (lambda common, odd: draw(common)) if clean else \
        (lambda common, odd: draw(common) if draw(st.booleans()) else draw(odd))
    sep = draw(st.sampled_from(SEPARATORS[:5] if clean else SEPARATORS))
    width = pick(st.sampled_from([3, 4]), st.integers(0, 6))
    lines = []
    if draw(st.booleans()):
        lines.append(sep.join(pick(st.just(NAMES[:width]),
                                   st.lists(st.sampled_from(NAMES), max_size=6))))
    users = st.sampled_from(["a", "b", "c", "d", "é", "u 1"])
    for n_row in range(draw(st.integers(1, 12))):
        n = pick(st.just(width), st.sampled_from([max(0, width - 1), width + 1]))
        fields = [pick(users, ids), pick(st.just(f"i{n_row}"), ids),
                  pick(st.sampled_from(["4", "3", "5", "1", "2", "3.5", "0.5"]), odd_text),
                  pick(st.integers(0, 2_000_000_000).map(str), odd_text)]
        fields += [draw(odd_text) for _ in range(max(0, n - 4))]
        lines.append(sep.join(fields[:n]))
        if pick(st.just(False), st.integers(0, 4).map(lambda x: x == 4)):
            lines.append(draw(st.sampled_from(["", " ", sep])))    # a blank line
    if pick(st.just(False), st.booleans()):
        lines.insert(0, "")                                        # leading blank line
    if draw(st.integers(0, 3)) == 3:
        lines.append(lines[-1])                                    # a duplicate row
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = eol.join(lines) + draw(st.sampled_from([eol, ""]))
    if not clean and draw(st.booleans()):                          # cut short anywhere
        text = text[:draw(st.integers(0, len(text)))]
    encoding = draw(st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 9:
        data = b"\xef\xbb\xbf" + data                              # a byte-order mark
    return data, sep, encoding


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-10, max_value=10)
good_scales = st.sampled_from([None, (1, 5), (0.5, 5), (0, 10), (-3, 3)])
odd_scales = st.one_of(
    st.tuples(finite, finite), st.tuples(st.floats(), st.floats()), st.just((5, 1)), st.just((float("nan"), 5)),
    st.just((1, 2, 3)), st.just("1,5"), st.just(("1", "5")), st.just(5),
)
columns = st.sampled_from(["user", "item", "rating", "stars", "0", "1", "2", "3", "7", "²", ""]) \
    | st.integers(0, 5)


@st.composite
def csv_options(draw, sep=None, encoding="utf-8", odd=True):
    """Three in four plausible (the file's encoding, its separator or none, a valid policy
    and scale); the others (with ``odd``) with each option odd half the time."""
    plausible = not odd or draw(st.sampled_from([True, True, True, False]))
    pick = (lambda common, odd: draw(common)) if plausible else \
        (lambda common, odd: draw(common) if draw(st.booleans()) else draw(odd))
    return CsvOptions(
        sep=pick(st.sampled_from([None, sep]),
                 st.sampled_from([",", "\t", "", "\n", "::", "\\t", "(", 5])),
        user_col=pick(st.sampled_from(["user", "0"]), columns),
        item_col=pick(st.sampled_from(["item", "1"]), columns),
        rating_col=pick(st.sampled_from(["rating", "2"]), columns),
        timestamp_col=draw(st.sampled_from(["timestamp", None, "3", "9"])),
        header=draw(st.sampled_from([None, True, False])),
        rating_scale=pick(good_scales, odd_scales),
        duplicates=pick(st.sampled_from(DUPLICATE_POLICIES), st.just("bogus")),
        encoding=pick(st.just(encoding), st.sampled_from([*ENCODINGS, "no-such-codec"])),
    )


def load_or_refuse(path, opts):
    """read_custom either refuses with a RecbenchError or returns a valid dataset."""
    try:
        ds = read_custom(path, opts)
    except RecbenchError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        return None
    r = ds.ratings
    lo, hi = ds.rating_scale
    assert len(r) > 0 and math.isfinite(lo) and math.isfinite(hi) and lo < hi
    values = r["rating"].to_numpy(dtype=float)
    assert np.isfinite(values).all() and (values >= lo).all() and (values <= hi).all()
    assert (r["user"].str.strip() != "").all() and (r["item"].str.strip() != "").all()
    assert str(r["timestamp"].dtype) in ("Int64", "Int32", "int32")   # compact: int32 when all fit
    assert not r.duplicated(["user", "item"]).any()
    return ds


@FUZZ
@given(data=st.binary(max_size=3000)
       | st.text(st.sampled_from(list("ab12345.,;|\t \n\r\"'-einf\x00é")), max_size=600).map(
           lambda t: t.encode("utf-8")),
       opts=csv_options(odd=False))
def test_custom_reader_on_random_bytes(folder, data, opts):
    path = folder / "random.csv"
    path.write_bytes(data)
    load_or_refuse(path, opts)


@FUZZ
@given(st.data())
def test_custom_reader_on_random_csv_shapes(folder, data):
    content, sep, encoding = data.draw(csv_files())
    opts = data.draw(csv_options(sep=sep, encoding=encoding))
    path = folder / "shape.csv"
    path.write_bytes(content)
    load_or_refuse(path, opts)


# -- (b) experiment files ----------------------------------------------------------------------

ALGORITHM_NAMES = ["svd", "knnwithmeans", "globalmean", "GlobalMean", "bogus", "",
                   "recbench.algorithms.baselines:GlobalMean", "no.such.module:X", ":", "a:",
                   ":b", "recbench.errors:DataError", "recbench.algorithms.base:Algorithm"]
METRICS = ["rmse", "mae", "ndcg@10", "precision@5", "precision", "ndcg@0", "ndcg@-1",
           "precision@²", "recall@١٠", "auc@3", "bogus", "ndcg@10.5", "", "@", "mrr@"]
SAFE_TEXT = st.text(st.characters(blacklist_characters=":", blacklist_categories=("Cs",)),
                    max_size=10)


def toml_scalar():
    return st.one_of(
        SAFE_TEXT, st.sampled_from(ALGORITHM_NAMES + METRICS),
        st.integers(), st.integers(-3, 30), st.booleans(),
        st.sampled_from([2**63, -(2**63) - 1, 10**400, -(10**400)]),   # tomllib reads any size
        st.floats(allow_nan=True, allow_infinity=True),
        st.dates(), st.times(), st.datetimes(),
        st.datetimes(timezones=st.just(dt.timezone.utc)),
    )


toml_value = st.recursive(
    toml_scalar(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(SAFE_TEXT, inner, max_size=4),
    max_leaves=12,
)
HUGE = st.sampled_from([2**63, -(2**63) - 1, 10**400, -(10**400)])


def typed_value(types):
    """Values of the declared TOML type of a top-level key, edges included."""
    options = []
    for kind in types if isinstance(types, tuple) else (types,):
        options.append({
            str: SAFE_TEXT | st.sampled_from(["ml-100k", "kfold", "u1-u5", "x/../y", ".hidden",
                                               "ok-name", "", "ratings.csv"]),
            int: st.integers() | HUGE,
            float: st.floats() | st.integers() | HUGE,
            list: st.lists(st.sampled_from(METRICS) | toml_scalar(), max_size=4),
            dict: st.dictionaries(SAFE_TEXT, toml_value, max_size=3),
        }[kind])
    return st.one_of(options)


PARAM_NAMES = ["algorithm", "n_factors", "n_epochs", "k", "sim", "user_based", "random_state",
               "damping", "bogus"]


@st.composite
def experiments(draw):
    """Mostly known keys with values of their type (so that validation gets past the first
    check), now and then an unknown key or a value of any type."""
    doc = {}
    for key in draw(st.lists(st.sampled_from(list(KEYS)), unique=True, max_size=8)):
        kind = KEYS[key][0]
        doc[key] = draw(st.one_of(typed_value(kind), typed_value(kind), toml_value))
    if draw(st.integers(0, 9)) == 9:
        doc[draw(SAFE_TEXT)] = draw(toml_value)
    if draw(st.sampled_from([True, True, True, False])):
        numbers = st.integers(-5, 300) | toml_value
        plausible = st.fixed_dictionaries({}, optional={
            "n_factors": numbers, "n_epochs": numbers, "random_state": numbers}) | \
            st.fixed_dictionaries({"algorithm": st.sampled_from(ALGORITHM_NAMES)},
                                  optional={"k": numbers, "sim": toml_value | st.sampled_from(
                                      ["msd", "pearson", "bogus"]), "user_based": toml_value})
        params = st.dictionaries(st.sampled_from(PARAM_NAMES) | SAFE_TEXT,
                                 toml_value | st.sampled_from(ALGORITHM_NAMES), max_size=4)
        doc["algorithms"] = draw(st.dictionaries(
            st.sampled_from(["svd", "knn-item", "globalmean", "GlobalMean", "x"]) | SAFE_TEXT,
            plausible | plausible | params | toml_scalar(), min_size=1, max_size=3))
    if draw(st.booleans()):
        doc["csv"] = draw(st.dictionaries(st.sampled_from(sorted(CSV_KEYS)) | SAFE_TEXT,
                                          toml_value, max_size=4))
    if draw(st.booleans()):
        doc["published"] = draw(st.dictionaries(
            st.sampled_from(["svd", "globalmean", "x"]),
            st.dictionaries(st.sampled_from(METRICS), toml_value, max_size=3) | toml_scalar(),
            max_size=2))
    return doc


def toml_key(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def toml_literal(value) -> str:
    """A TOML value (inline tables and arrays for nesting). Strings are JSON-escaped, which
    TOML's basic strings read the same way, except for the escapes TOML lacks (\\/)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") \
            if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\\/", "/")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def to_toml(doc: dict) -> str:
    """Top-level tables of tables as [a.b] sections, the rest as key = value lines."""
    lines, sections = [], []
    for key, value in doc.items():
        if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
            for sub, table in value.items():
                sections.append(f"[{toml_key(key)}.{toml_key(sub)}]")
                sections += [f"{toml_key(k)} = {toml_literal(v)}" for k, v in table.items()]
        else:
            lines.append(f"{toml_key(key)} = {toml_literal(value)}")
    return "\n".join(lines + sections) + "\n"


def load_or_refuse_experiment(path):
    try:
        exp = load_experiment(path)
    except RecbenchError as exc:
        assert str(exc) and "\n" not in str(exc).strip()
        return None
    assert exp.algorithms and all(isinstance(k, int) and k > 0 for k in exp.k)
    return exp


@FUZZ
@given(doc=experiments())
def test_experiment_loader_on_random_valid_toml(folder, doc):
    import tomllib
    text = to_toml(doc)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:      # e.g. a key given twice after lower-casing: skip
        return
    path = folder / "experiment.toml"
    path.write_text(text, encoding="utf-8")
    load_or_refuse_experiment(path)


TOML_PIECES = st.sampled_from([
    "name = ", "dataset = ", "folds = ", "k = ", "metrics = ", "seed = ", "split = ",
    "test_size = ", "n_jobs = ", "relevance_threshold = ", "[algorithms.svd]", "[csv]",
    "[published.svd]", "[algorithms.knn]", "algorithm = ", "n_factors = ", "rmse = ",
    "rating_scale = ", "sep = ", "[[algorithms]]", "[algorithms]", "\n", "\n", "\n", " ",
    '"svd"', '"ml-100k"', "1", "0", "-5", "1e400", "nan", "inf", "true", "[1, 2]", "[]",
    '["rmse", "ndcg@10"]', "{a = 1}", "1979-05-27", "07:32:00", "1979-05-27T07:32:00Z",
    "1979-13-45", "'''", '"""', "#", "=", ".", '"', "'", "[", "]", "{", "}", ",", "\\u00e9",
    "9" * 400, "precision@²", '"a:b"', "x", "ü", "\t", "\r\n", "\x00",
    "x = " + "[" * 3000, "x = " + "{a = " * 3000,             # nested deeper than recursion
])


@FUZZ
@given(parts=st.lists(TOML_PIECES | st.text(max_size=5), max_size=40))
def test_experiment_loader_on_random_toml_like_text(folder, parts):
    path = folder / "text.toml"
    path.write_text("".join(parts), encoding="utf-8", errors="surrogatepass")
    load_or_refuse_experiment(path)


@FUZZ
@given(data=st.binary(max_size=400))
def test_experiment_loader_on_random_bytes(folder, data):
    path = folder / "bytes.toml"
    path.write_bytes(data)
    load_or_refuse_experiment(path)
