"""Opening a database: srs's own collections by their marker; anything else refused untouched."""

from __future__ import annotations

import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from helpers import Result, run_srs, srs_env
from srs.store import SCHEMA_VERSION, sqlite_file
from srs.store.sqlite_file import APPLICATION_ID

NOW = "2026-03-02T09:00"


def one_line_error(done: Result, *needles: str) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("srs: error: "), done.stderr
    assert "internal error" not in lines[0]
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def files(folder: Path) -> dict[str, bytes]:
    """Every file of the folder by name: the database, and its -wal and -shm when present."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def sql(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def app_id(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("PRAGMA application_id").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """A collection made by srs, with the bundled decks loaded and closed cleanly."""
    db = tmp_path / "srs.db"
    assert run_srs(["status"], srs_env(db, NOW)).returncode == 0
    return db


def test_a_new_collection_carries_the_srs_application_id(collection: Path) -> None:
    assert app_id(collection) == APPLICATION_ID


@pytest.mark.parametrize(
    "setup",
    [
        [
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
            "INSERT INTO meta VALUES ('a', 'b')",
        ],
        [
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
            "INSERT INTO meta VALUES ('schema_version', '1')",
        ],
        ["CREATE TABLE meta (key TEXT, value TEXT)", "CREATE TABLE notes (body TEXT)"],
    ],
)
def test_another_programs_file_with_a_meta_table_is_refused_byte_for_byte(
    tmp_path: Path, setup: list[str]
) -> None:
    db = tmp_path / "other.db"
    sql(db, *setup)
    before = files(tmp_path)
    one_line_error(run_srs(["status"], srs_env(db, NOW)), str(db), "not an srs database")
    one_line_error(run_srs(["deck", "add", "x.toml"], srs_env(db, NOW)), "not an srs database")
    assert files(tmp_path) == before


def test_a_file_with_srs_tables_but_another_application_id_is_refused(collection: Path) -> None:
    sql(collection, "PRAGMA application_id = 1234")
    before = files(collection.parent)
    one_line_error(run_srs(["status"], srs_env(collection, NOW)), "another program", "0x4d2")
    assert files(collection.parent) == before


def test_a_collection_made_before_the_marker_is_recognised_and_marked(collection: Path) -> None:
    sql(collection, "PRAGMA application_id = 0")
    assert run_srs(["status"], srs_env(collection, NOW)).returncode == 0
    assert app_id(collection) == APPLICATION_ID


@pytest.mark.parametrize("version", ["2.0", "abc", "", " 1", "-1", "\uff11"])
def test_a_schema_version_that_is_not_a_whole_number_is_one_line(
    collection: Path, version: str
) -> None:
    sql(collection, f"UPDATE meta SET value = '{version}' WHERE key = 'schema_version'")
    before = files(collection.parent)
    for command in (["status"], ["review"], ["stats"]):
        line = one_line_error(run_srs(command, srs_env(collection, NOW)), str(collection))
        assert "schema version" in line
    assert files(collection.parent) == before


def test_a_newer_collection_with_its_last_write_in_the_wal_is_refused_untouched(
    collection: Path, tmp_path: Path
) -> None:
    writer = sqlite3.connect(collection)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute(f"UPDATE meta SET value = '{SCHEMA_VERSION + 1}' WHERE key = 'schema_version'")
    writer.commit()
    # A copy taken now is a newer srs's collection after a crash: its last write only in the WAL.
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in ("srs.db", "srs.db-wal"):
        shutil.copyfile(tmp_path / name, copy / name)
    writer.close()
    assert (copy / "srs.db-wal").stat().st_size > 0
    before = {k: v for k, v in files(copy).items() if not k.endswith("-shm")}
    for command in (["status"], ["review"], ["deck", "list"]):
        one_line_error(run_srs(command, srs_env(copy / "srs.db", NOW)), "newer srs")
    after = {k: v for k, v in files(copy).items() if not k.endswith("-shm")}
    assert after == before  # no checkpoint: the WAL still holds the write, the file is as it was


@pytest.mark.slow
def test_a_read_only_collection_is_refused_for_review_before_any_card_is_shown(
    collection: Path,
) -> None:
    env = srs_env(collection, NOW, SRS_DATABASE_URL=f"sqlite:///{collection}?mode=ro")
    env.pop("SRS_DB")
    before = files(collection.parent)
    review = run_srs(["review"], env, input=" 5q")
    one_line_error(review, "read-only", str(collection))
    assert review.stdout == ""  # no card was shown, so no answer was taken and lost
    one_line_error(run_srs(["deck", "add", "x.toml"], env), "read-only")
    one_line_error(run_srs(["deck", "remove", "--yes", "sleeper-agents"], env), "read-only")
    status = run_srs(["status", "--json"], env)  # reading commands still work
    assert status.returncode == 0 and "sleeper-agents" in status.stdout
    assert run_srs(["stats"], env).returncode == 0
    assert run_srs(["deck", "list"], env).returncode == 0
    out = collection.parent / "out"
    out.mkdir()
    exported = run_srs(["export", "anki", "-o", str(out / "ro.apkg")], env)
    assert exported.returncode == 0, exported.stderr
    after = files(collection.parent)
    assert after["srs.db"] == before["srs.db"]
    assert after.get("srs.db-wal", b"") == b""  # SQLite's empty WAL of a reader, at most


@pytest.mark.parametrize("query", ["mode=rw", "cache=shared", "mode=ro&x=1", "mode=memory"])
def test_other_options_in_a_sqlite_url_are_refused_in_one_line(
    collection: Path, query: str
) -> None:
    env = srs_env(collection, NOW, SRS_DATABASE_URL=f"sqlite:///{collection}?{query}")
    env.pop("SRS_DB")
    one_line_error(run_srs(["status"], env), "?mode=ro")


def test_an_empty_file_is_refused_not_made_a_new_collection(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    db.touch()
    line = one_line_error(run_srs(["status"], srs_env(db, NOW)), str(db))
    assert "empty (0 bytes)" in line
    assert files(tmp_path) == {"srs.db": b""}


def test_an_empty_sqlite_database_becomes_a_new_collection(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    sql(db, "PRAGMA user_version = 0", "VACUUM")  # a valid database file with no table
    done = run_srs(["status"], srs_env(db, NOW))
    assert done.returncode == 0, done.stderr
    assert app_id(db) == APPLICATION_ID


def test_bit_flips_in_later_pages_make_stats_fail_in_one_line(collection: Path) -> None:
    env = srs_env(collection, NOW)
    assert run_srs(["review"], env, input=" 4 5 3 4 4 5 2 4 1 5 5 5 5 5 5q").returncode == 0
    data = bytearray(collection.read_bytes())
    assert not Path(f"{collection}-wal").exists()
    rng = random.Random(1)
    page = 4096
    for number in range(len(data) // page // 2, len(data) // page):
        for _ in range(20):
            data[number * page + rng.randrange(page)] ^= 1 << rng.randrange(8)
    collection.write_bytes(bytes(data))
    for command in (["stats"], ["stats", "--json"], ["status"]):
        line = one_line_error(run_srs(command, env), str(collection))
        assert "damaged" in line


def test_stats_on_a_damaged_collection_too_large_to_check_on_opening_fails_in_one_line(
    collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over `QUICK_CHECK_BYTES` opening skips the check; stats, which reads it all, makes it."""
    env = srs_env(collection, NOW)
    assert run_srs(["review"], env, input=" 4 5 3 4 4 5 2 4 1 5 5 5 5 5 5q").returncode == 0
    data = bytearray(collection.read_bytes())
    rng = random.Random(1)
    page = 4096
    for number in range(len(data) // page // 2, len(data) // page):
        for _ in range(20):
            data[number * page + rng.randrange(page)] ^= 1 << rng.randrange(8)
    collection.write_bytes(bytes(data))
    monkeypatch.setattr(sqlite_file, "QUICK_CHECK_BYTES", page)  # as if the file were larger
    for command in (["stats"], ["stats", "--json"], ["stats", "sleeper-agents"]):
        line = one_line_error(run_srs(command, env), str(collection))
        assert "damaged" in line


def test_stats_on_a_sound_collection_too_large_to_check_on_opening_works(
    collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_file, "QUICK_CHECK_BYTES", 4096)
    done = run_srs(["stats", "--json"], srs_env(collection, NOW))
    assert done.returncode == 0, done.stderr
