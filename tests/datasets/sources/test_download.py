"""The real ml-100k download path, against a local HTTP server on 127.0.0.1."""

import functools
import hashlib
import http.server
import io
import threading
import zipfile

import pytest

from recbench.datasets import load_dataset
from recbench.datasets.sources.download import download_ml100k
from recbench.errors import DataError

UDATA = b"1\t10\t4\t881250949\n2\t10\t3\t881250950\n2\t20\t5\t881250951\n"
UITEM = ("10|Le Samouraï (1967)|01-Jan-1967||http://x|" + "|".join(["0"] * 8 + ["1"] + ["0"] * 10) +
         "\n20|Heat (1995)|01-Jan-1995||http://y|" + "|".join(["0"] * 6 + ["1"] + ["0"] * 12) + "\n"
         ).encode("latin-1")


def make_zip(folder) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ml-100k/u.data", UDATA)
        zf.writestr("ml-100k/u.item", UITEM)
    (folder / "ml-100k.zip").write_bytes(buf.getvalue())


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    make_zip(root)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def sums():
    return {"u.data": hashlib.sha256(UDATA).hexdigest(), "u.item": hashlib.sha256(UITEM).hexdigest()}


def test_download_verifies_and_unpacks_into_cache(server, tmp_path):
    folder = download_ml100k(tmp_path / "cache", f"{server}/ml-100k.zip", checksums=sums())
    assert folder == tmp_path / "cache" / "ml-100k"
    assert (folder / "u.data").read_bytes() == UDATA
    assert not [p for p in (tmp_path / "cache").iterdir() if p.name.startswith(".")]


def test_checksum_mismatch_is_a_clear_error(server, tmp_path):
    with pytest.raises(DataError, match="checksum mismatch for u.data") as exc:
        download_ml100k(tmp_path / "cache", f"{server}/ml-100k.zip")   # the real checksums
    assert "--data-dir" in str(exc.value)
    assert not (tmp_path / "cache" / "ml-100k").exists()


def test_offline_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="could not download ml-100k"):
        download_ml100k(tmp_path / "cache", "http://127.0.0.1:9/ml-100k.zip", timeout=2)


def test_loader_downloads_when_nothing_is_local(server, tmp_path, monkeypatch):
    import recbench.datasets.sources.download as dl
    import recbench.datasets.sources.movielens as ml
    monkeypatch.setattr(dl, "ML100K_SHA256", sums())
    monkeypatch.setattr(ml, "ML100K_SHA256", sums())     # what the reader checks after
    monkeypatch.setattr(dl.download_ml100k, "__defaults__", (dl.ML100K_URL, 30.0, sums()))
    monkeypatch.setenv("RECBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SURPRISE_DATA_FOLDER", str(tmp_path / "nothing"))
    monkeypatch.delenv("RECBENCH_DATA_DIR", raising=False)
    monkeypatch.setenv("RECBENCH_ML100K_URL", f"{server}/ml-100k.zip")
    ds = load_dataset("ml-100k")
    assert len(ds.ratings) == 3 and ds.items.loc["10", "genres"] == "Drama"
    assert ds.items.loc["10", "title"] == "Le Samouraï (1967)"
    # second time it comes from the cache, with the server gone
    monkeypatch.setenv("RECBENCH_ML100K_URL", "http://127.0.0.1:9/none.zip")
    assert len(load_dataset("ml-100k").ratings) == 3


def test_read_only_cache_is_a_clear_error(tmp_path, monkeypatch):
    """A cache that cannot be written (here: its parent is a file, which stops root too)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("RECBENCH_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setenv("SURPRISE_DATA_FOLDER", str(tmp_path / "nothing"))
    monkeypatch.delenv("RECBENCH_DATA_DIR", raising=False)
    monkeypatch.setenv("RECBENCH_ML100K_URL", "http://127.0.0.1:9/none.zip")
    with pytest.raises(DataError, match="the cache folder .* is not writable") as exc:
        load_dataset("ml-100k")
    assert "RECBENCH_CACHE_DIR" in str(exc.value) and "\n" not in str(exc.value)
