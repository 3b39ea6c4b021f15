"""A collection whose folder cannot be written (issue 28): the reading commands work, as the README
says, and nothing is created beside the file; the others are refused in one line.

Run as root (as in CI) a folder's mode bits do not stop a write, so the folder is made immutable
(`chattr +i`), which stops root too; as another user it is made read-only with `chmod`. Where
neither can be done, the tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from helpers import Result, run_srs, srs_env

NOW = "2026-03-02T10:00:00+00:00"
READING = [["status"], ["stats"], ["history", "sleeper-agents/{card}"], ["deck", "list"]]


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` cannot be written, by this user, for the block."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(stat.S_IRWXU)
        return
    chattr = shutil.which("chattr")
    made = chattr and subprocess.run([chattr, "+i", str(folder)], capture_output=True)
    if not made or made.returncode != 0:
        pytest.skip("root ignores directory permissions, and chattr +i is not available here")
    try:
        yield
    finally:
        subprocess.run([str(chattr), "-i", str(folder)], check=True)


def one_line(done: Result, *needles: str) -> None:
    assert done.returncode == 1, done.stdout
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("srs: error: "), done.stderr
    for needle in needles:
        assert needle in done.stderr


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """A collection with a few answers, closed cleanly (so with no WAL beside it)."""
    folder = tmp_path / "c"
    folder.mkdir()
    db = folder / "srs.db"
    assert run_srs(["review"], srs_env(db, NOW), input=" 4 5 2 q").returncode == 0
    return db


def answered_card(db: Path) -> str:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return str(
            conn.execute(
                "SELECT c.card_id FROM review_log l JOIN cards c ON c.pk = l.card_pk LIMIT 1"
            ).fetchone()[0]
        )


def test_reading_commands_work_on_a_collection_whose_folder_is_read_only(
    collection: Path, tmp_path: Path
) -> None:
    card = answered_card(collection)
    env = srs_env(collection, NOW)
    wanted = {args[0]: run_srs([a.format(card=card) for a in args], env) for args in READING}
    before = sorted(p.name for p in collection.parent.iterdir())
    with read_only(collection.parent):
        for args in READING:
            done = run_srs([a.format(card=card) for a in args], env)
            assert done.returncode == 0, (args, done.stderr)
            assert done.stdout == wanted[args[0]].stdout
        json = run_srs(["status", "--json"], env)
        assert json.returncode == 0 and '"sleeper-agents"' in json.stdout
        out = tmp_path / "out.apkg"
        exported = run_srs(["export", "anki", "-o", str(out)], env)
        assert exported.returncode == 0, exported.stderr
        assert out.stat().st_size > 0
        one_line(run_srs(["review"], env, input=" 5q"), "read-only", str(collection))
        one_line(run_srs(["suspend", card], env), "read-only")
        assert sorted(p.name for p in collection.parent.iterdir()) == before == ["srs.db"]


def test_a_read_only_folder_with_the_last_changes_only_in_the_wal_is_one_line(
    collection: Path,
) -> None:
    writer = sqlite3.connect(collection)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("DELETE FROM review_log")
    writer.commit()
    wal = collection.with_name("srs.db-wal")
    kept = wal.read_bytes()
    writer.close()  # the last connection checkpoints and removes the WAL: put it back, no -shm
    wal.write_bytes(kept)
    assert kept and not collection.with_name("srs.db-shm").exists()
    with read_only(collection.parent):
        one_line(run_srs(["status"], srs_env(collection, NOW)), "-wal", "read-only")


def test_a_read_only_folder_with_a_wal_and_its_index_is_read_through_them(
    collection: Path,
) -> None:
    """As left by a session still open (or killed): the WAL holds the latest answers."""
    writer = sqlite3.connect(collection)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("DELETE FROM review_log")
    writer.commit()  # kept open: its -wal and -shm stay beside the file
    try:
        with read_only(collection.parent):
            done = run_srs(["stats", "--json"], srs_env(collection, NOW))
            assert done.returncode == 0, done.stderr
            assert '"answers": 0' in done.stdout  # the change in the WAL is seen
    finally:
        writer.close()
