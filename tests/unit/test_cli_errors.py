"""Bad input gets one clear line on stderr and exit 1: never a traceback, never lost data."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from helpers import SMALL_DECK, Result, run_srs, srs_env

NOW = "2026-03-02T09:00"


def run(args: list[str], env: dict[str, str]) -> Result:
    return run_srs(args, env)


def assert_one_line_error(done: Result, *needles: str) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("srs: error: ")
    for needle in needles:
        assert needle in lines[0]


def test_corrupt_database_file_is_named_and_left_alone(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    db.write_bytes(b"this is not sqlite at all" * 100)
    before = db.read_bytes()
    done = run(["status"], srs_env(db, NOW))
    assert_one_line_error(done, str(db))
    assert db.read_bytes() == before


def test_truncated_sqlite_file_is_named(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    assert run(["status"], srs_env(db, NOW)).returncode == 0
    db.write_bytes(db.read_bytes()[:150])
    for wal in tmp_path.glob("srs.db-*"):
        wal.unlink()
    assert_one_line_error(run(["status"], srs_env(db, NOW)), str(db))


def test_database_from_a_newer_srs_is_refused_and_not_touched(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    assert run(["status"], srs_env(db, NOW)).returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    conn.close()
    before = db.read_bytes()
    done = run(["review"], srs_env(db, NOW))
    assert_one_line_error(done, str(db), "newer")
    assert db.read_bytes() == before


def test_unwritable_database_folder_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    db = blocker / "srs.db"
    assert_one_line_error(run(["status"], srs_env(db, NOW)), str(blocker))


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    assert_one_line_error(run(["status"], srs_env(folder / "srs.db", NOW)), str(folder))


def test_database_path_that_is_a_folder_is_named(tmp_path: Path) -> None:
    assert_one_line_error(run(["status"], srs_env(tmp_path, NOW)), str(tmp_path))


def test_unknown_deck_is_a_one_line_error(tmp_path: Path) -> None:
    done = run(["review", "no-such-deck"], srs_env(tmp_path / "srs.db", NOW))
    assert_one_line_error(done, "no-such-deck")


def test_bad_srs_now_is_a_one_line_error(tmp_path: Path) -> None:
    done = run(["status"], srs_env(tmp_path / "srs.db", "next tuesday"))
    assert_one_line_error(done, "SRS_NOW")


def test_broken_deck_is_refused_whole_and_the_collection_is_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    good = tmp_path / "tiny.toml"
    good.write_text(SMALL_DECK, encoding="utf-8")
    assert run(["deck", "add", str(good)], srs_env(db, NOW)).returncode == 0
    edited = SMALL_DECK.replace("Front of alpha", "Edited alpha").replace(
        'kind = "limitation"', 'kind = "limitations"'
    )
    good.write_text(edited, encoding="utf-8")
    done = run(["deck", "add", str(good)], srs_env(db, NOW))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"{good}:15:8:" in done.stderr  # file:line:col of the bad kind
    assert "beta" in done.stderr
    with sqlite3.connect(db) as conn:
        fronts = [r[0] for r in conn.execute("SELECT front FROM cards ORDER BY position")]
    assert fronts == ["Front of alpha", "Front of beta", "Front of gamma"]


def test_missing_deck_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    done = run(["deck", "add", str(missing)], srs_env(tmp_path / "srs.db", NOW))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert str(missing) in done.stderr


def test_review_with_no_decks_left_says_how_to_add_one(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    assert run(["status"], srs_env(db, NOW)).returncode == 0  # first run loads the bundled deck
    assert run(["deck", "remove", "sleeper-agents", "--yes"], srs_env(db, NOW)).returncode == 0
    assert_one_line_error(run(["review"], srs_env(db, NOW)), "srs deck add")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["export", "anki"], "Missing option '--output'"),
        (["deck", "check"], "Missing argument"),
        (["review", "--new-per-day", "-1"], "--new-per-day"),
        (["nosuchcmd"], "No such command 'nosuchcmd'"),
    ],
)
def test_usage_errors_are_one_line_with_a_pointer_to_help(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    done = run(args, srs_env(tmp_path / "srs.db", NOW))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("srs: error: ") and needle in lines[0]
    assert "--help" in lines[0]


@pytest.mark.parametrize("args", [[], ["deck"], ["export"]])
def test_a_group_with_no_subcommand_prints_its_help_and_no_error(
    tmp_path: Path, args: list[str]
) -> None:
    done = run_srs(args, srs_env(tmp_path / "srs.db", "2026-03-02T09:00"))
    assert done.returncode == 0
    assert "Usage:" in done.stdout or "Commands" in done.stdout
    assert "error" not in done.stderr
