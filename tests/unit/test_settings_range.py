"""Settings outside what srs can represent are refused in one line, never an internal error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from helpers import SMALL_DECK, Result, run_srs, srs_env


def one_line_error(done: Result, *needles: str) -> None:
    assert done.returncode == 1, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("srs: error: "), done.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    "now", ["9999-12-31T23:59", "0001-01-01T00:00", "9000-01-01T00:00", "1969-12-31T23:59"]
)
@pytest.mark.parametrize("command", [["review"], ["status"], ["stats"], ["history", "x"]])
def test_a_clock_outside_the_dates_srs_can_use_is_one_line(
    tmp_path: Path, now: str, command: list[str]
) -> None:
    done = run_srs(command, srs_env(tmp_path / "srs.db", now))
    one_line_error(done, f"SRS_NOW='{now}'", "1970-01-01 to 8999-12-31")
    assert not (tmp_path / "srs.db").exists()  # refused before anything was opened


@pytest.mark.parametrize("now", ["0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00"])
def test_an_offset_that_overflows_at_the_edge_of_the_calendar_is_one_line(
    tmp_path: Path, now: str
) -> None:
    one_line_error(run_srs(["status"], srs_env(tmp_path / "srs.db", now)), "SRS_NOW")


@pytest.mark.parametrize("now", ["1970-01-01T00:00", "8999-12-31T12:00"])
def test_the_first_and_last_days_of_the_range_work(tmp_path: Path, now: str) -> None:
    env = srs_env(tmp_path / "srs.db", now)
    for command in (["status"], ["stats"], ["stats", "--json"]):
        done = run_srs(command, env)
        assert done.returncode == 0, done.stderr
    review = run_srs(["review"], env, input=" 5 5 5 5 5q")
    assert review.returncode == 0, review.stderr
    out = tmp_path / "out.apkg"
    export = run_srs(["export", "anki", "-o", str(out)], env)
    assert export.returncode == 0, export.stderr


@pytest.mark.parametrize("value", ["99999999999999999999", "100001"])
def test_a_new_card_limit_beyond_what_srs_can_count_is_one_line(tmp_path: Path, value: str) -> None:
    env = srs_env(tmp_path / "srs.db", "2026-03-02T09:00")
    one_line_error(run_srs(["review", "--new-per-day", value], env), "--new-per-day", "100000")
    one_line_error(run_srs(["status"], {**env, "SRS_NEW_PER_DAY": value}), "SRS_NEW_PER_DAY")


def test_a_card_dated_before_1970_is_not_exported_as_2096(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    env = srs_env(db, "2026-03-02T09:00")
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    assert run_srs(["deck", "add", str(deck)], env).returncode == 0
    with sqlite3.connect(db) as conn:  # as an older srs run with a clock before 1970 left it
        conn.execute("UPDATE cards SET edited_at = '1969-06-01 00:00:00.000000'")
    conn.close()
    out = tmp_path / "tiny.apkg"
    one_line_error(run_srs(["export", "anki", "tiny", "-o", str(out)], env), "before 1970")
    assert not out.exists()
