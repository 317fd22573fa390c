"""Downloads and archives that used to hang, fill the disk or end in a traceback: a server
trickling bytes, an oversized download, garbage download URLs, encrypted or unsupported
members, zip bombs, escaping paths and links. Servers listen on 127.0.0.1 only."""

import http.server
import io
import struct
import threading
import time
import zipfile

import pytest

from recbench.cli.main import main
from recbench.datasets import load_dataset
from recbench.datasets.sources.download import download_ml100k
from recbench.errors import ConfigError, DataError
from recbench.runtime.env import check_environment

UDATA = b"1\t10\t4\t881250949\n"


def zip_of(files: dict, method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in files.items():
            if isinstance(data, zipfile.ZipInfo):
                zf.writestr(data, b"target")
            else:
                zf.writestr(name, data)
    return buf.getvalue()


def patch_headers(data: bytes, flag: int | None = None, method: int | None = None,
                  size: int | None = None) -> bytes:
    """Rewrite every local and central header's flag bits, method or uncompressed size."""
    data = bytearray(data)
    for sig, off_flag, off_size in ((b"PK\x03\x04", 6, 22), (b"PK\x01\x02", 8, 24)):
        at = data.find(sig)
        while at != -1:
            if flag is not None:
                struct.pack_into("<H", data, at + off_flag, flag)
            if method is not None:
                struct.pack_into("<H", data, at + off_flag + 2, method)
            if size is not None:
                struct.pack_into("<I", data, at + off_size, size)
            at = data.find(sig, at + 4)
    return bytes(data)


class Server:
    """Serves ``body`` at every path; ``trickle`` seconds between bytes (0: all at once);
    ``length`` the Content-Length sent (None: none, the connection's end marks the end)."""

    def __init__(self, body: bytes, trickle: float = 0.0, length="auto"):
        self.body, self.trickle = body, trickle
        self.length = len(body) if length == "auto" else length
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                if outer.length is not None:
                    self.send_header("Content-Length", str(outer.length))
                self.end_headers()
                try:
                    if not outer.trickle:
                        self.wfile.write(outer.body)
                    for byte in outer.body if outer.trickle else b"":
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(outer.trickle)
                except OSError:
                    pass

            def log_message(self, *a, **k):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/ml-100k.zip"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(*a, **k):
        servers.append(Server(*a, **k))
        return servers[-1].url
    yield start
    for s in servers:
        s.close()


def leftovers(cache):
    return sorted(p.name for p in cache.rglob("*")) if cache.exists() else []


def test_a_trickling_server_hits_the_deadline(serve, tmp_path, monkeypatch):
    url = serve(b"x" * 1000, trickle=0.05)         # 20 bytes a second: would take 50 s
    monkeypatch.setenv("RECBENCH_DOWNLOAD_DEADLINE", "0.6")
    start = time.monotonic()
    with pytest.raises(DataError) as exc:
        download_ml100k(tmp_path / "cache", url)
    assert time.monotonic() - start < 5
    message = str(exc.value)
    assert "took longer than the 0.6 s download deadline" in message and url in message
    assert "RECBENCH_DOWNLOAD_DEADLINE" in message and "bytes received" in message
    assert "\n" not in message
    assert leftovers(tmp_path / "cache") == []         # no partial file, no scratch folder


@pytest.mark.parametrize("length", ["auto", None])
def test_an_oversized_download_is_stopped(serve, tmp_path, monkeypatch, length):
    url = serve(b"x" * 200_000, length=length)
    monkeypatch.setenv("RECBENCH_DOWNLOAD_MAX", "64K")
    with pytest.raises(DataError) as exc:
        download_ml100k(tmp_path / "cache", url)
    message = str(exc.value)
    assert "64 KiB download limit" in message and "RECBENCH_DOWNLOAD_MAX" in message
    assert url in message and "\n" not in message
    if length is None:                                  # no Content-Length: counted
        assert "bytes received" in message
    assert leftovers(tmp_path / "cache") == []


@pytest.mark.parametrize("name", ["RECBENCH_ML100K_URL", "RECBENCH_GROUPLENS_URL"])
@pytest.mark.parametrize("value", ["::nonsense", "ftp://x", "", "http://", "http://h:port/"])
def test_garbage_download_urls_are_refused_before_any_work(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as exc:
        check_environment()
    message = str(exc.value)
    assert message.startswith(f"{name}=") and "unset it" in message and "\n" not in message


def test_a_garbage_url_is_refused_by_the_loader_and_the_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RECBENCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SURPRISE_DATA_FOLDER", str(tmp_path / "nothing"))
    monkeypatch.delenv("RECBENCH_DATA_DIR", raising=False)
    monkeypatch.setenv("RECBENCH_ML100K_URL", "")
    with pytest.raises(ConfigError, match="RECBENCH_ML100K_URL='' is empty"):
        load_dataset("ml-100k")
    monkeypatch.setenv("RECBENCH_ML100K_URL", "ftp://x")
    code = main(["run", "--dataset", "ml-100k", "--algorithms", "globalmean", "-q",
                 "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "RECBENCH_ML100K_URL" in err
    assert leftovers(tmp_path / "cache") == []


@pytest.mark.parametrize("name,value", [("RECBENCH_DOWNLOAD_DEADLINE", "soon"),
                                        ("RECBENCH_DOWNLOAD_DEADLINE", "0"),
                                        ("RECBENCH_DOWNLOAD_MAX", "lots"),
                                        ("RECBENCH_UNPACK_MAX", "-1"),
                                        ("RECBENCH_UNPACK_MEMBER_MAX", "0")])
def test_bad_limits_are_refused_before_any_work(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        check_environment()


def symlink_member():
    info = zipfile.ZipInfo("ml-100k/u.item")
    info.external_attr = (0o120777 << 16)
    return info


GOOD = {"ml-100k/u.data": UDATA}
ARCHIVES = {
    "encrypted": (patch_headers(zip_of(GOOD), flag=0x1), "is encrypted"),
    "deflate64": (patch_headers(zip_of(GOOD), method=9), "compression method 9 (deflate64)"),
    "bomb": (zip_of({"ml-100k/u.data": b"\0" * (3 * 2**20)}), "above the 1 MiB limit for one file"),
    "many": (zip_of({f"ml-100k/u{i}.base": b"\0" * (900 * 2**10) for i in range(4)}),
             "more than the 2 MiB limit for one archive"),
    "lying": (patch_headers(zip_of({"ml-100k/u.data": b"\0" * (3 * 2**20)}), size=100),
              "is corrupt"),
    "slip": (zip_of({**GOOD, "../../evil.txt": b"x"}), "outside the folder"),
    "absolute": (zip_of({**GOOD, "/tmp/evil.txt": b"x"}), "outside the folder"),
    "link": (zip_of({**GOOD, "ml-100k/u.item": symlink_member()}), "is a symbolic link"),
}


@pytest.mark.parametrize("kind", list(ARCHIVES))
def test_unsafe_archives_are_refused(serve, tmp_path, monkeypatch, kind):
    data, expected = ARCHIVES[kind]
    url = serve(data)
    monkeypatch.setenv("RECBENCH_UNPACK_MEMBER_MAX", "1M")
    monkeypatch.setenv("RECBENCH_UNPACK_MAX", "2M")
    with pytest.raises(DataError) as exc:
        download_ml100k(tmp_path / "cache", url)
    message = str(exc.value)
    assert expected in message and "ml-100k.zip" in message and "\n" not in message
    if kind not in ("lying",):
        assert "member" in message
    assert leftovers(tmp_path / "cache") == []
    assert not (tmp_path / "evil.txt").exists()


def test_a_good_archive_within_the_limits_still_unpacks(serve, tmp_path, monkeypatch):
    import hashlib
    url = serve(zip_of({"ml-100k/u.data": UDATA, "ml-100k/u.item": b"10|x\n"}))
    monkeypatch.setenv("RECBENCH_DOWNLOAD_DEADLINE", "30")
    sums = {"u.data": hashlib.sha256(UDATA).hexdigest()}
    folder = download_ml100k(tmp_path / "cache", url, checksums=sums)
    assert (folder / "u.data").read_bytes() == UDATA
    assert leftovers(tmp_path / "cache") == ["ml-100k", "u.data", "u.item"]
