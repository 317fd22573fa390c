"""Data integrity: checksums of the MovieLens files, and line-precise checks of every rating.

The ml-100k copies are built under tmp_path (links to the shared, unmodified files, with the
file under test replaced by a modified copy); nothing of ml-100k enters the repository.
"""

import os
import shutil
from pathlib import Path

import pytest

from recbench.cli.main import main
from recbench.datasets.custom import CsvOptions, read_custom
from recbench.datasets.locate import embedded_folder
from recbench.datasets.reading import sha256_file
from recbench.datasets.sources.movielens import (
    ML100K_SHA256,
    ML_LATEST_SMALL_SHA256,
    read_ml100k,
    read_ml_latest_small,
)
from recbench.errors import ConfigError, DataError


def copy_with(source: Path, dest: Path, name: str, edit) -> Path:
    """``dest``: every file of ``source`` linked, except ``name``, rewritten by ``edit``
    (a function of the file's lines, returning its new bytes)."""
    dest.mkdir()
    for path in source.iterdir():
        if path.name != name:
            os.symlink(path, dest / path.name)
    lines = (source / name).read_bytes().split(b"\n")
    (dest / name).write_bytes(edit(lines))
    return dest


def set_field(line_no: int, field: int, value: bytes, sep=b"\t"):
    def edit(lines):
        fields = lines[line_no - 1].split(sep)
        fields[field] = value
        lines[line_no - 1] = sep.join(fields)
        return b"\n".join(lines)
    return edit


def cut_last_line(lines):
    """The file ends in the middle of its last line: ``12\\t20`` instead of ``12\\t203\\t3\\t...``."""
    body = lines[:-1] if lines[-1] == b"" else lines
    return b"\n".join(body[:-1] + [body[-1][:5]])


def test_published_checksums_are_those_of_the_shared_copies(ml100k_dir):
    assert ML100K_SHA256["u.data"].startswith("06416e59")
    assert ML100K_SHA256["u.item"].startswith("553841eb")
    for name, digest in ML100K_SHA256.items():
        assert sha256_file(ml100k_dir / name) == digest, name
    folder = embedded_folder("ml-latest-small")
    for name, digest in ML_LATEST_SMALL_SHA256.items():
        assert sha256_file(folder / name) == digest, name


def test_unmodified_copies_are_verified(ml100k):
    assert ml100k.provenance.integrity == "verified"
    assert ml100k.provenance.to_dict()["integrity"] == "verified"
    assert read_ml_latest_small(embedded_folder("ml-latest-small")).provenance.integrity == "verified"


def test_changed_rating_is_refused_by_checksum_then_by_scale(ml100k_dir, tmp_path):
    """Rating 9 on line 5 of u.data: the checksum refuses the file first; with verify=False
    the scale check still refuses the rating, naming the file and the line."""
    copy = copy_with(ml100k_dir, tmp_path / "ml-100k", "u.data", set_field(5, 2, b"9"))
    with pytest.raises(DataError) as exc:
        read_ml100k(copy)
    msg = str(exc.value)
    assert str(copy / "u.data") in msg and "SHA-256" in msg
    assert "verify=False" in msg and "--no-verify-data" in msg and "\n" not in msg
    with pytest.raises(DataError, match=r"u\.data, line 5: rating 9 lies outside the rating "
                                        r"scale 1-5") as exc:
        read_ml100k(copy, verify=False)
    assert str(copy / "u.data") in str(exc.value)


def test_knowingly_modified_copy_loads_with_verify_false(ml100k_dir, tmp_path):
    line = (ml100k_dir / "u.data").read_bytes().split(b"\n")[4].split(b"\t")
    new = b"4" if line[2] != b"4" else b"3"
    copy = copy_with(ml100k_dir, tmp_path / "ml-100k", "u.data", set_field(5, 2, new))
    with pytest.raises(DataError, match="u.data differs"):
        read_ml100k(copy)
    ds = read_ml100k(copy, verify=False)
    assert ds.ratings["rating"].iloc[4] == float(new)
    assert ds.provenance.integrity == "not verified: u.data differ (verify=False)"
    assert ds.provenance.to_dict()["integrity"] == ds.provenance.integrity
    assert ds.provenance.sha256 != ML100K_SHA256["u.data"] and len(ds.ratings) == 100_000


def test_truncated_last_line_is_refused_naming_file_and_line(ml100k_dir, tmp_path):
    copy = copy_with(ml100k_dir, tmp_path / "ml-100k", "u.data", cut_last_line)
    with pytest.raises(DataError, match="u.data differs"):
        read_ml100k(copy)
    with pytest.raises(DataError, match=r"u\.data, line 100000: the rating field is missing"
                                        r".*cut short") as exc:
        read_ml100k(copy, verify=False)
    assert str(copy / "u.data") in str(exc.value) and "\n" not in str(exc.value)


def test_truncated_fold_file_is_refused(ml100k_dir, tmp_path):
    copy = copy_with(ml100k_dir, tmp_path / "ml-100k", "u1.test", cut_last_line)
    with pytest.raises(DataError, match=r"u1\.test differs"):
        read_ml100k(copy)
    with pytest.raises(DataError, match=r"u1\.test, line 20000: the rating field is missing"):
        read_ml100k(copy, verify=False)


@pytest.mark.parametrize("name,edit,message", [
    ("u.data", set_field(10, 2, b"x"), r"u\.data, line 10: the rating is not a number \('x'\)"),
    ("u.data", set_field(11, 2, b"nan"), r"u\.data, line 11: the rating is missing"),
    ("u.data", set_field(12, 2, b"inf"), r"u\.data, line 12: the rating is not finite"),
    ("u.data", set_field(13, 2, b""), r"u\.data, line 13: the rating field is missing"),
    ("u.data", set_field(14, 3, b"later"), r"u\.data, line 14: the timestamp is not a number"),
    ("u.data", set_field(7, 3, b"881250949\t5"), r"u\.data, line 7: 5 fields where the lines "
                                                 r"before have 4"),
    ("u.item", set_field(3, 6, b"2", sep=b"|"), r"u\.item, line 3: a genre flag is not 0 or 1"),
    ("u2.base", set_field(9, 1, b"99999"), r"u2\.base, line 9: user '.*'s rating of item "
                                           r"'99999' is not in u\.data"),
])
def test_malformed_lines_name_file_and_line(ml100k_dir, tmp_path, name, edit, message):
    copy = copy_with(ml100k_dir, tmp_path / "ml-100k", name, edit)
    with pytest.raises(DataError, match=rf"{name.replace('.', '[.]')} differs"):
        read_ml100k(copy)
    with pytest.raises(DataError, match=message) as exc:
        read_ml100k(copy, verify=False)
    assert "\n" not in str(exc.value)


def test_missing_u_item_is_a_data_error(ml100k_dir, tmp_path):
    copy = tmp_path / "ml-100k"
    copy.mkdir()
    os.symlink(ml100k_dir / "u.data", copy / "u.data")
    with pytest.raises(DataError, match=r"u\.item does not exist"):
        read_ml100k(copy, verify=False)


def test_ml_latest_small_checked_the_same_way(tmp_path):
    source = embedded_folder("ml-latest-small")
    copy = copy_with(source, tmp_path / "ml-latest-small", "ratings.csv",
                     set_field(3, 2, b"9", sep=b","))
    with pytest.raises(DataError, match=r"ratings\.csv differs from the ml-latest-small release"):
        read_ml_latest_small(copy)
    with pytest.raises(DataError, match=r"ratings\.csv, line 3: rating 9 lies outside the "
                                        r"rating scale 0\.5-5"):
        read_ml_latest_small(copy, verify=False)
    shutil.rmtree(copy)
    copy = copy_with(source, tmp_path / "ml-latest-small", "ratings.csv", cut_last_line)
    with pytest.raises(DataError, match=r"ratings\.csv, line 100837: the rating field is missing"):
        read_ml_latest_small(copy, verify=False)


# -- custom files ------------------------------------------------------------------------------

def write(tmp_path, content: bytes, name="r.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_custom_files_are_not_checked_for_integrity(tmp_path):
    ds = read_custom(write(tmp_path, b"user,item,rating\na,x,4\nb,y,2\n"))
    assert ds.provenance.integrity == "not checked"


def test_custom_truncated_last_line(tmp_path):
    path = write(tmp_path, b"user,item,rating,timestamp\na,x,4,100\nb,y,3,200\nc,z")
    with pytest.raises(DataError, match=r"r\.csv, line 4: the rating is missing.*cut short"):
        read_custom(path)


@pytest.mark.parametrize("content", [b"a,x,4\n", b"user,item,rating\na,x,4\n", b"a,x,4"])
def test_one_line_csv_is_a_clear_error_or_a_clean_load(tmp_path, content):
    path = write(tmp_path, content)
    with pytest.raises(DataError, match=r"every rating is 4, so no rating scale can be "
                                        r"inferred; pass --rating-scale"):
        read_custom(path)
    ds = read_custom(path, CsvOptions(rating_scale=(1, 5)))
    assert len(ds.ratings) == 1 and ds.rating_scale == (1.0, 5.0)


def test_header_only_csv(tmp_path):
    with pytest.raises(DataError, match="holds a header but no ratings"):
        read_custom(write(tmp_path, b"user,item,rating\n"))


def test_missing_rating_column_does_not_blame_the_separator(tmp_path):
    with pytest.raises(DataError, match="found only 2 columns") as exc:
        read_custom(write(tmp_path, b"a,x\nb,y\n"))
    assert "--sep" not in str(exc.value) and "add the missing" in str(exc.value)
    assert "--feedback interactions" in str(exc.value)


@pytest.mark.parametrize("content", [b"user,item\na,x\nb,y\n", b"user\titem\na\tx\nb\ty\n"])
def test_header_without_rating_column_is_interactions(tmp_path, content):
    ds = read_custom(write(tmp_path, content))       # issue 23: a log of (user, item) pairs
    assert ds.feedback == "interactions" and len(ds.ratings) == 2


def test_misnamed_rating_column_names_the_option(tmp_path):
    with pytest.raises(DataError, match="has no column 'rating'") as exc:
        read_custom(write(tmp_path, b"user,item,stars\na,x,4\nb,y,3\n"))
    assert "--rating-col" in str(exc.value) and "--sep" not in str(exc.value)


@pytest.mark.parametrize("scale,message", [
    ((float("nan"), 5), "not a pair of finite numbers"),
    ((float("inf"), 5), "not a pair of finite numbers"),
    ((5, 1), "is empty"), ((3, 3), "is empty"), (("1", 5), "is malformed"), ((1, 2, 3), "is malformed"),
])
def test_bad_rating_scale_is_a_config_error(tmp_path, scale, message):
    with pytest.raises(ConfigError, match=message):
        read_custom(write(tmp_path, b"a,x,4\nb,y,2\n"), CsvOptions(rating_scale=scale))


@pytest.mark.parametrize("scale", ["nan,5", "5,1", "inf,5", "1,-inf"])
def test_bad_rating_scale_on_the_command_line(tmp_path, capsys, scale):
    path = write(tmp_path, b"user,item,rating\na,x,4\nb,y,2\n")
    code = main(["run", "--dataset", str(path), "--algorithms", "globalmean", "-q",
                 "--rating-scale", scale, "--output-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "--rating-scale" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_utf8_byte_order_mark_is_not_part_of_the_header(tmp_path):
    ds = read_custom(write(tmp_path, b"\xef\xbb\xbfuser,item,rating\na,x,4\nb,y,2\n"))
    assert ds.ratings["user"].tolist() == ["a", "b"]


def test_multibyte_character_at_the_head_boundary(tmp_path):
    """Separator/header detection reads the first 64 KiB; a character cut there is fine."""
    from recbench.datasets.custom import HEAD_BYTES
    prefix = b"user,item,rating\n"
    filler = b"".join(b"u%d,i,3\n" % n for n in range(HEAD_BYTES // 7))
    body = prefix + filler[:HEAD_BYTES - len(prefix) - 1]
    body = body[:body.rfind(b"\n") + 1]
    pad = HEAD_BYTES - 1 - len(body)        # the two bytes of "é" straddle the boundary
    content = body + b"v" * pad + "é".encode() + b",x,4\nlast,y,5\n"
    assert content[HEAD_BYTES - 1:HEAD_BYTES + 1] == "é".encode()
    ds = read_custom(write(tmp_path, content))
    assert ds.ratings["user"].iloc[-2].endswith("é")
