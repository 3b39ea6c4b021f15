"""Faults of the database path and of `deck new` (issue 28): `SRS_DB` that is not a regular file,
or a path too long, is one line; `deck new` on a full disk leaves no empty deck file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import run_srs, srs_env

NOW = "2026-03-02T10:00:00+00:00"


@pytest.mark.parametrize("command", [["status"], ["stats"], ["deck", "list"]])
def test_srs_db_as_a_fifo_or_a_device_is_one_line_and_never_opened(
    tmp_path: Path, command: list[str]
) -> None:
    fifo = tmp_path / "srs.db"
    os.mkfifo(fifo)  # opening it for reading would block forever
    for db in (fifo, Path("/dev/zero")):
        done = run_srs(command, srs_env(db, NOW))
        assert (done.returncode, done.stderr.count("\n")) == (1, 1), done.stderr
        assert "not a regular file (a pipe, device or socket); not opened" in done.stderr


def test_a_database_path_too_long_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / ("d" * 5000) / "srs.db"
    done = run_srs(["status"], srs_env(db, NOW))
    assert (done.returncode, done.stderr.count("\n")) == (1, 1), done.stderr
    assert "File name too long" in done.stderr and "internal error" not in done.stderr


def test_deck_new_on_a_full_disk_leaves_no_empty_deck_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    done = run_srs(["deck", "new", "bio", "--dir", str(tmp_path)], srs_env(tmp_path / "s.db", NOW))
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert done.returncode == 1
    assert (
        done.stderr
        == f"srs: error: cannot write {tmp_path / 'bio.toml'}: No space left on device\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_deck_new_still_refuses_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "bio.toml").write_text("keep", encoding="utf-8")
    done = run_srs(["deck", "new", "bio", "--dir", str(tmp_path)], srs_env(tmp_path / "s.db", NOW))
    assert done.returncode == 1 and "already exists; not overwriting it" in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["bio.toml"]
    assert (tmp_path / "bio.toml").read_text("utf-8") == "keep"


def test_a_first_run_killed_while_building_is_cleaned_up_by_the_next(tmp_path: Path) -> None:
    dead = 2**22 + 4321  # above the usual pid_max: no such process
    left = [tmp_path / f".srs.db.{dead}.0a1b2c3d.new{s}" for s in ("", "-journal")]
    for path in left:
        path.write_bytes(b"half a collection")
    other = tmp_path / f".other.db.{dead}.0a1b2c3d.new"
    other.write_bytes(b"not this collection's")
    done = run_srs(["status"], srs_env(tmp_path / "srs.db", NOW))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [other.name, "srs.db"]
