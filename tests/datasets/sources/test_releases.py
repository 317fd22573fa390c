"""ml-1m, ml-10m, ml-20m, ml-25m, ml-32m: the MD5-verified download against a local HTTP
server on 127.0.0.1 serving zips with GroupLens' real layouts (built here), the readers'
fast and line-precise paths, and local copies found through --data-dir."""

import functools
import hashlib
import http.server
import io
import json
import threading
import zipfile

import pytest

from recbench.datasets import load_dataset
from recbench.datasets.sources import grouplens
from recbench.datasets.sources.releases import (
    RELEASES,
    read_csv_ratings,
    read_dat_ratings,
)
from recbench.errors import DataError

DAT = {
    "ratings.dat": b"1::10::5::978300760\n1::20::3::978302109\n2::10::4::978301968\n"
                   b"3::30::2::978300275\n",
    "movies.dat": "10::Léon: The Professional (1994)::Crime|Drama\n20::Heat (1995)::Action|"
                  "Crime|Thriller\n30::Shoah (1985)::(no genres listed)\n".encode("latin-1"),
    "users.dat": b"1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::15::55117\n",
}
DAT10 = {**{k: v for k, v in DAT.items() if k != "users.dat"},
         "ratings.dat": b"1::10::5::978300760\n1::20::3.5::978302109\n2::10::0.5::978301968\n"
                        b"3::30::2::978300275\n",
         "tags.dat": b"1::10::hitman::1188263867\n2::10::New York::1188263880\n"
                     b"3::20::odd::tag::1188263890\n"}
CSV = {
    "ratings.csv": b"userId,movieId,rating,timestamp\n1,10,4.0,1112486027\n1,20,3.5,1112484676\n"
                   b"2,10,0.5,1112484819\n3,30,5.0,1112484727\n",
    "movies.csv": 'movieId,title,genres\n10,"Léon: The Professional, the (1994)",Crime|Drama\n'
                  '20,Heat (1995),Action|Crime\n30,Shoah (1985),(no genres listed)\n'.encode(),
    "tags.csv": b"userId,movieId,tag,timestamp\n1,10,hitman,1139045764\n2,10,\"dark, sad\","
                b"1139045765\n",
    "links.csv": b"movieId,imdbId,tmdbId\n10,0110413,101\n",
}
LAYOUT = {"ml-1m": DAT, "ml-10m": DAT10, "ml-20m": CSV, "ml-25m": CSV, "ml-32m": CSV}


def zip_bytes(name: str, files=None) -> bytes:
    buf = io.BytesIO()
    folder = RELEASES[name].zip_folder
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for fname, data in (files or LAYOUT[name]).items():
            zf.writestr(f"{folder}/{fname}", data)
    return buf.getvalue()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.fixture
def www(tmp_path, monkeypatch):
    """A server on 127.0.0.1 (stopped at the end) serving ``root``; the pins set to the test
    zips' MD5; recbench's cache and Surprise's cache pointed into tmp_path."""
    root = tmp_path / "www"
    root.mkdir()
    pins = {}
    for name in LAYOUT:
        data = zip_bytes(name)
        (root / f"{name}.zip").write_bytes(data)
        (root / f"{name}.zip.md5").write_text(f"MD5 ({name}.zip) = {md5(data)}\n")
        pins[name] = md5(data)
    monkeypatch.setattr(grouplens, "PINNED_MD5", pins)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("RECBENCH_GROUPLENS_URL", f"http://127.0.0.1:{httpd.server_address[1]}")
    monkeypatch.setenv("RECBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SURPRISE_DATA_FOLDER", str(tmp_path / "nothing"))
    monkeypatch.delenv("RECBENCH_DATA_DIR", raising=False)
    yield root
    httpd.shutdown()
    thread.join(5)


@pytest.mark.parametrize("name", list(LAYOUT))
def test_download_verifies_unpacks_and_records(www, tmp_path, monkeypatch, name):
    ds = load_dataset(name)
    release = RELEASES[name]
    folder = tmp_path / "cache" / name
    ratings_bytes = LAYOUT[name][release.ratings_file]
    assert ds.provenance.source == str(folder.resolve())
    assert ds.provenance.sha256 == hashlib.sha256(ratings_bytes).hexdigest()
    assert ds.provenance.integrity == "verified"
    record = json.loads((folder / "recbench.json").read_text())
    assert record["ratings_sha256"] == ds.provenance.sha256
    assert record["zip_md5"] == record["published_md5"] == grouplens.PINNED_MD5[name]
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith(".")]
    assert list(ds.ratings["user"]) == ["1", "1", "2", "3"]
    assert list(ds.ratings["item"]) == ["10", "20", "10", "30"]
    assert ds.ratings["timestamp"].notna().all()
    assert ds.rating_scale == release.scale
    items = ds.items
    assert items.loc["10", "title"].startswith("Léon: The Professional")
    assert items.loc["10", "genres"] == "Crime|Drama" and items.loc["30", "genres"] == ""
    assert items.loc["20", "text"].startswith("Heat (1995) Action Crime")
    if name != "ml-1m":                                   # tags join the text
        assert "hitman" in items.loc["10", "text"]
    if name == "ml-10m":
        assert items.loc["20", "text"].endswith("odd::tag")   # a tag may hold '::'
        assert list(ds.ratings["rating"]) == [5, 3.5, 0.5, 2]
    # the second time it comes from the cache, with the server gone
    monkeypatch.setenv("RECBENCH_GROUPLENS_URL", "http://127.0.0.1:9")
    assert load_dataset(name).provenance == ds.provenance


def test_published_md5_disagreeing_with_the_pin_is_refused(www, tmp_path):
    (www / "ml-1m.zip.md5").write_text("0123456789abcdef0123456789abcdef  ml-1m.zip\n")
    with pytest.raises(DataError, match="is not the one recbench pins") as exc:
        load_dataset("ml-1m")
    assert "\n" not in str(exc.value) and "--data-dir" in str(exc.value)
    assert not (tmp_path / "cache" / "ml-1m").exists()


def test_zip_whose_md5_differs_from_the_pin_is_refused(www, tmp_path):
    other = zip_bytes("ml-20m", {**CSV, "ratings.csv": CSV["ratings.csv"] + b"4,10,1.0,1\n"})
    (www / "ml-20m.zip").write_bytes(other)        # the .md5 still says the pinned value
    with pytest.raises(DataError, match=f"has MD5 {md5(other)}, not the published"):
        load_dataset("ml-20m")
    assert not (tmp_path / "cache" / "ml-20m").exists()
    assert not list((tmp_path / "cache").iterdir())     # no scratch folder left either


@pytest.mark.parametrize("damage", ["crc", "truncated"])
def test_corrupt_zip_is_refused(www, tmp_path, monkeypatch, damage):
    data = bytearray(zip_bytes("ml-25m"))
    if damage == "crc":
        at = data.index(b"PK\x03\x04") + 30 + len("ml-25m/ratings.csv") + 5
        data[at] ^= 0xFF                                # inside the compressed ratings.csv
    else:
        data = data[: len(data) // 2]
    data = bytes(data)
    (www / "ml-25m.zip").write_bytes(data)
    (www / "ml-25m.zip.md5").write_text(md5(data))
    monkeypatch.setitem(grouplens.PINNED_MD5, "ml-25m", md5(data))   # MD5 passes: the zip fails
    with pytest.raises(DataError, match="corrupt|not a valid zip") as exc:
        load_dataset("ml-25m")
    assert "\n" not in str(exc.value)
    assert not (tmp_path / "cache" / "ml-25m").exists()


def test_missing_md5_file_warns_and_checks_the_pin(www, tmp_path):
    (www / "ml-32m.zip.md5").unlink()
    with pytest.warns(UserWarning, match="publishes no ml-32m.zip.md5"):
        ds = load_dataset("ml-32m")
    assert len(ds.ratings) == 4
    assert json.loads((tmp_path / "cache/ml-32m/recbench.json").read_text())["published_md5"] is None


def test_offline_and_no_download_are_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("RECBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SURPRISE_DATA_FOLDER", str(tmp_path / "nothing"))
    monkeypatch.delenv("RECBENCH_DATA_DIR", raising=False)
    monkeypatch.setenv("RECBENCH_GROUPLENS_URL", "http://127.0.0.1:9")
    with pytest.raises(DataError, match="could not download ml-1m") as exc:
        load_dataset("ml-1m")
    assert "\n" not in str(exc.value)
    with pytest.raises(DataError, match="ml-10m was not found"):
        load_dataset("ml-10m", download=False)


def unpack(tmp_path, name, files=None, folder=None):
    target = tmp_path / "data" / (folder or name)
    target.mkdir(parents=True)
    for fname, data in (files or LAYOUT[name]).items():
        (target / fname).write_bytes(data)
    return tmp_path / "data"


@pytest.mark.parametrize("name,folder", [("ml-1m", None), ("ml-10m", "ml-10M100K"),
                                         ("ml-20m", None)])
def test_local_copy_through_data_dir(tmp_path, monkeypatch, name, folder):
    monkeypatch.setenv("RECBENCH_GROUPLENS_URL", "http://127.0.0.1:9")   # never reached
    data_dir = unpack(tmp_path, name, folder=folder)
    ds = load_dataset(name, data_dir=data_dir)
    assert len(ds.ratings) == 4 and ds.provenance.integrity == "not checked"
    assert ds.provenance.source == str((data_dir / (folder or name)).resolve())
    monkeypatch.setenv("RECBENCH_DATA_DIR", str(data_dir))
    assert load_dataset(name).provenance == ds.provenance


@pytest.mark.parametrize("name,file,body,line", [
    ("ml-1m", "ratings.dat", b"1::10::5::978300760\n1::20::3::978302109\n2::10::4\n", 3),
    ("ml-1m", "ratings.dat", b"1::10::5::978300760\n1::20::x::978302109\n", 2),
    ("ml-10m", "ratings.dat", b"1::10::5::978300760\n1::20::5.5::978302109\n", 2),
    ("ml-20m", "ratings.csv", b"userId,movieId,rating,timestamp\n1,10,4.0,1\n1,20,,2\n", 3),
    ("ml-25m", "ratings.csv", b"userId,movieId,rating,timestamp\n1,10,4.0,1\n1,20,0.0,2\n", 3),
    ("ml-32m", "ratings.csv", b"userId,movieId,rating,timestamp\n1,10,4.0,1\n1,20,4.0,2,9\n", 3),
    ("ml-1m", "movies.dat", b"10::Heat (1995)::Action\n20 Heat (1995)\n", 2),
])
def test_malformed_local_files_name_file_and_line(tmp_path, name, file, body, line):
    data_dir = unpack(tmp_path, name, {**LAYOUT[name], file: body}, RELEASES[name].zip_folder)
    with pytest.raises(DataError) as exc:
        load_dataset(name, data_dir=data_dir)
    message = str(exc.value)
    assert f"{file}, line {line}" in message and "\n" not in message


def test_missing_file_is_named(tmp_path):
    files = {k: v for k, v in CSV.items() if k != "movies.csv"}
    data_dir = unpack(tmp_path, "ml-20m", files)
    with pytest.raises(DataError, match=r"movies.csv does not exist"):
        load_dataset("ml-20m", data_dir=data_dir)


def test_a_changed_download_is_refused_unless_verify_false(www, tmp_path):
    load_dataset("ml-1m")
    path = tmp_path / "cache" / "ml-1m" / "ratings.dat"
    path.write_bytes(path.read_bytes().replace(b"1::20::3", b"1::20::4"))
    with pytest.raises(DataError, match="differs from the file recbench downloaded"):
        load_dataset("ml-1m")
    assert load_dataset("ml-1m", verify=False).provenance.integrity.startswith("not verified")


def test_fast_path_equals_line_precise_path(tmp_path):
    from recbench.datasets.checks import checked_ratings
    from recbench.datasets.reading import read_table
    dat = tmp_path / "ratings.dat"
    dat.write_bytes(DAT10["ratings.dat"])
    fast, _ = read_dat_ratings(dat, (0.5, 5), "fix")
    slow = checked_ratings(read_table(dat, "::", "fix", names=list(fast.columns)), dat, (0.5, 5),
                           "fix", "fix")
    assert (fast.astype(str).values == slow.astype(str).values).all()
    csv_path = tmp_path / "ratings.csv"
    csv_path.write_bytes(CSV["ratings.csv"])
    fast, sha = read_csv_ratings(csv_path, (0.5, 5), "fix")
    assert sha == hashlib.sha256(CSV["ratings.csv"]).hexdigest()
    assert list(fast["rating"]) == [4.0, 3.5, 0.5, 5.0]
