"""Hostile Anki packages (issue 28): each is refused or read within its bound, in one line with
exit 0 or 1, leaving nothing in $TMPDIR and nothing beside the output but the deck file."""

from __future__ import annotations

import os
import signal
import sqlite3
import struct
import tempfile
import zipfile
from pathlib import Path

import pytest
import zstandard

import srs.anki.import_ as importer
from anki_packages import TABLES, package
from helpers import run_srs, srs_env
from srs.anki.import_ import limits as limits_module
from srs.anki.import_.collection import read_collection
from srs.anki.import_.limits import ImportLimits
from srs.anki.import_.reading import Budget

NOW = "2026-03-02T10:00:00+00:00"


@pytest.fixture(autouse=True)
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$TMPDIR of this test: checked empty after each import."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def use_limits(monkeypatch: pytest.MonkeyPatch, **bounds: int) -> None:
    monkeypatch.setattr(limits_module, "LIMITS", ImportLimits(**bounds))


def run_import(tmp_path: Path, apkg: Path, *extra: str) -> tuple[int, str]:
    """`srs import anki APKG -o out/deck.toml`: exit code and stderr; nothing left behind."""
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    done = run_srs(
        ["import", "anki", str(apkg), "-o", str(out / "deck.toml"), *extra],
        srs_env(tmp_path / "srs.db", NOW),
    )
    assert done.returncode in (0, 1), done.stderr
    if done.returncode:
        assert done.stderr.count("\n") == 1 and "internal error" not in done.stderr, done.stderr
        assert list(out.iterdir()) == []
    else:
        assert [p.name for p in out.iterdir()] == ["deck.toml"]
    assert list((tmp_path / "tmp").iterdir()) == []
    return done.returncode, done.stderr


def test_a_collection_whose_notes_are_an_endless_recursive_view_is_refused_unread(
    tmp_path: Path,
) -> None:
    apkg = package(
        tmp_path / "v.apkg",
        script="DROP TABLE notes; CREATE VIEW notes AS WITH RECURSIVE r(i) AS "
        "(SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT i AS id, 7 AS mid, 'g' AS guid, "
        "'' AS tags, 'a' || char(31) || 'b' AS flds FROM r ORDER BY random();",
    )
    code, err = run_import(tmp_path, apkg)
    assert code == 1
    assert err == f"srs: error: {apkg}: not an Anki collection (it holds a view, 'notes'; " \
        "srs reads only tables)\n"  # fmt: skip


@pytest.mark.parametrize(
    "script",
    [
        "CREATE TRIGGER t AFTER INSERT ON notes BEGIN SELECT 1; END;",
        "CREATE VIRTUAL TABLE fts USING fts5(x);",
    ],
)
def test_triggers_and_virtual_tables_are_refused(tmp_path: Path, script: str) -> None:
    code, err = run_import(tmp_path, package(tmp_path / "t.apkg", script=script))
    assert code == 1 and "srs reads only tables" in err


def test_reading_stops_at_the_work_budget_counted_by_the_progress_handler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fronts = [f"Question {i}" for i in range(3000)]
    apkg = package(tmp_path / "big.apkg", fronts)
    use_limits(monkeypatch, work=2)
    monkeypatch.setattr("srs.anki.import_.reading.STEP", 1000)
    calls: list[int] = []
    real_call = Budget.__call__

    def counted(self: Budget) -> int:
        calls.append(self.calls)
        return real_call(self)

    monkeypatch.setattr(Budget, "__call__", counted)
    code, err = run_import(tmp_path, apkg)
    assert code == 1 and "took more than its work budget (2 steps)" in err
    assert len(calls) == 3  # two steps allowed, the third stopped the statement


def test_ctrl_c_while_a_statement_runs_interrupts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apkg = package(tmp_path / "big.apkg", [f"Question {i}" for i in range(3000)])
    monkeypatch.setattr("srs.anki.import_.reading.STEP", 1000)
    real_call = Budget.__call__

    def pressed(self: Budget) -> int:
        if self.calls == 3:
            os.kill(os.getpid(), signal.SIGINT)  # as if pressed while the statement runs
        return real_call(self)

    monkeypatch.setattr(Budget, "__call__", pressed)
    out = tmp_path / "deck.toml"
    done = run_srs(["import", "anki", str(apkg), "-o", str(out)], srs_env(tmp_path / "srs.db", NOW))
    assert done.returncode == 130 and "error" not in done.stderr  # as Ctrl-C anywhere else
    assert not out.exists() and list((tmp_path / "tmp").iterdir()) == []


def test_a_value_over_the_length_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apkg = package(tmp_path / "huge.apkg", ["x" * 300_000])
    use_limits(monkeypatch, value=100_000)
    code, err = run_import(tmp_path, apkg)
    assert code == 1 and "holds a value over 100000 bytes" in err


@pytest.mark.parametrize(("bound", "most", "what"), [("notes", 5, "notes"), ("cards", 5, "cards")])
def test_more_notes_or_cards_than_the_bound_are_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bound: str, most: int, what: str
) -> None:
    apkg = package(tmp_path / "many.apkg", [f"Q{i}" for i in range(6)])
    use_limits(monkeypatch, **{bound: most})
    code, err = run_import(tmp_path, apkg)
    assert code == 1 and f"has more than {most} {what}, the most srs imports" in err


def test_more_zip_entries_than_the_bound_are_refused_before_they_are_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apkg = package(tmp_path / "e.apkg", extra={f"{i}": b"" for i in range(20)})
    use_limits(monkeypatch, entries=10)
    built: list[object] = []
    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", lambda self: built.append(self))
    code, err = run_import(tmp_path, apkg)
    assert code == 1 and "the package has 22 entries, over the 10 srs reads" in err
    assert built == []  # zipfile never read the central directory


def test_a_zstd_bomb_stops_at_the_unpacked_bound_and_the_media_map_is_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zeros = zstandard.ZstdCompressor(level=19).compress(bytes(50 << 20))
    assert len(zeros) < 10_000
    apkg = package(tmp_path / "m.apkg")
    with zipfile.ZipFile(apkg, "a") as zf:
        zf.writestr("media2", zeros)  # a media map of zstd'd zeros: ignored
    code, _ = run_import(tmp_path, apkg)
    assert code == 0
    (tmp_path / "out" / "deck.toml").unlink()
    bomb = tmp_path / "b.apkg"
    with zipfile.ZipFile(bomb, "w") as zf:
        zf.writestr("collection.anki21b", zeros)
    use_limits(monkeypatch, unpacked=1 << 20)
    code, err = run_import(tmp_path, bomb)
    assert code == 1 and "the collection is larger than 1048576 bytes unpacked" in err


def test_a_meta_entry_over_its_bound_is_refused(tmp_path: Path) -> None:
    apkg = package(tmp_path / "meta.apkg", extra={"meta": b"\x08\x02" + bytes(2 << 20)})
    code, err = run_import(tmp_path, apkg)
    assert code == 1 and "meta is larger than 1048576 bytes unpacked" in err


def damaged(path: Path, method: int, flag: int = 0, corrupt: bool = False) -> Path:
    """A package whose collection entry uses compression `method` with general flag `flag`."""
    good = package(path.with_name("good-" + path.name))
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("collection.anki21")
    local, central = info.header_offset, data.rfind(b"PK\x01\x02", 0, data.find(b"PK\x05\x06"))
    central = data.find(b"PK\x01\x02")  # the first central record is the collection's
    for at, flag_at in ((local + 8, local + 6), (central + 10, central + 8)):
        struct.pack_into("<H", data, at, method)
        struct.pack_into("<H", data, flag_at, flag)
    if corrupt:
        start = local + 30 + len(info.filename) + 10
        data[start : start + 64] = bytes(range(64))
    path.write_bytes(bytes(data))
    good.unlink()
    return path


@pytest.mark.parametrize(
    ("method", "flag", "corrupt"),
    [(8, 0, True), (14, 0, False), (12, 0, False), (99, 0, False), (8, 1, False)],
    ids=["corrupt deflate", "not LZMA data", "not bzip2 data", "unknown method", "encrypted"],
)
def test_a_damaged_or_unsupported_zip_entry_is_one_line(
    tmp_path: Path, method: int, flag: int, corrupt: bool
) -> None:
    code, err = run_import(tmp_path, damaged(tmp_path / "d.apkg", method, flag, corrupt))
    assert code == 1 and "damaged Anki package" in err


@pytest.mark.parametrize(
    "script",
    [
        "UPDATE col SET ver = NULL",
        "UPDATE col SET ver = 'eleven'",
        "UPDATE col SET crt = NULL",
        "UPDATE col SET crt = 'x'",
        "UPDATE col SET crt = 99999999999999999",
        "UPDATE notes SET mid = 'seven'",
        "UPDATE notes SET id = 1.5",
        "UPDATE cards SET ord = 'zero'",
        "INSERT INTO cards VALUES (9, 1, 1, 'one', 0, 0, 0, 0, 0, 0, 0, 0, 0)",
        "UPDATE cards SET nid = NULL",
        "UPDATE col SET models = '" + "[" * 100_000 + "'",
        'UPDATE col SET models = \'{"7": {"flds": [{"ord": "x"}, {"ord": [1]}]}}\'',
        'UPDATE col SET models = \'{"x7": 1, "99999999999999999999999": {}}\'',
        'UPDATE col SET decks = \'{"1": {"name": ["a"]}}\'',
        "UPDATE notes SET flds = x'00ff', tags = 5, guid = NULL",
        "UPDATE cards SET odid = 'x', odue = 'y'",
        "DROP TABLE notes",
        "DELETE FROM col",
    ],
)
def test_malformed_collection_values_are_one_line_never_an_internal_error(
    tmp_path: Path, script: str
) -> None:
    run_import(tmp_path, package(tmp_path / "m.apkg", script=script))


def test_dev_zero_and_a_fifo_as_the_package_are_refused_without_reading(tmp_path: Path) -> None:
    code, err = run_import(tmp_path, Path("/dev/zero"))
    assert (code, err) == (
        1,
        "srs: error: /dev/zero: not a regular file (a pipe, device or socket); not read\n",
    )
    fifo = tmp_path / "p.apkg"
    os.mkfifo(fifo)
    code, err = run_import(tmp_path, fifo)  # would block forever if opened for reading
    assert code == 1 and "not a regular file" in err


def test_leftovers_of_a_killed_import_are_removed_at_the_next_start(
    tmp_path: Path, private_tmp: Path
) -> None:
    dead = 2**22 + 12345  # above the usual pid_max: no such process
    (private_tmp / f"srs-import-{dead}-abc").mkdir()
    (private_tmp / f"srs-import-{dead}-abc" / "collection.sqlite").write_bytes(b"x" * 100)
    (private_tmp / f"srs-export-{dead}-def").mkdir()
    (private_tmp / "someone-else").mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / f".deck.toml.{dead}.0a1b2c3d.part").write_text("half", encoding="utf-8")
    (out / f".other.toml.{dead}.0a1b2c3d.part").write_text("not ours", encoding="utf-8")
    done = run_srs(
        ["import", "anki", str(package(tmp_path / "p.apkg")), "-o", str(out / "deck.toml")],
        srs_env(tmp_path / "srs.db", NOW),
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in private_tmp.iterdir()) == ["someone-else"]
    assert sorted(p.name for p in out.iterdir()) == [
        f".other.toml.{dead}.0a1b2c3d.part",
        "deck.toml",
    ]


def test_a_deck_over_the_deck_file_bound_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "MAX_DECK_BYTES", 4096)
    apkg = package(tmp_path / "big.apkg", [f"Question number {i}" for i in range(200)])
    code, err = run_import(tmp_path, apkg, "--with-progress")
    assert code == 1 and "over the 0 MiB a deck file may hold" in err
    assert not (tmp_path / "srs.db").exists()


def test_reading_a_collection_with_a_budget_counts_its_work(tmp_path: Path) -> None:
    """A 2,000-note collection costs a few steps of the budget: the default is generous."""
    col = tmp_path / "c.sqlite"
    with sqlite3.connect(col) as conn:
        conn.executescript(TABLES)
    conn.close()
    from anki_packages import collection_file

    col = collection_file(tmp_path / "d.sqlite", [f"Q{i}" for i in range(2000)])
    found = read_collection(tmp_path / "d.apkg", col, True, ImportLimits(work=1000))
    assert len(found.notes) == 2000
