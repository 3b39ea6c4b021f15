"""The daily review, driven end to end in a real pseudo-terminal with single key presses."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pexpect
import pytest

from helpers import SMALL_DECK, log_rows, run_srs, spawn, srs_env, states

DAY1 = "2026-03-02T09:00"
DAY2 = "2026-03-03T09:00"
DAY3 = "2026-03-04T09:00"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A fresh collection holding only the three-card test deck."""
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    path = tmp_path / "data" / "srs.db"
    done = run_srs(["deck", "add", str(deck)], srs_env(path, DAY1))  # set-up: in-process
    assert done.returncode == 0, done.stderr
    return path


def reveal_and_grade(child: pexpect.spawn, front: str, grade: str) -> None:
    """Wait for a card's prompt, reveal it, check the answer screen, and grade it."""
    child.expect_exact(front)
    child.send(" ")
    child.expect_exact("Source:")
    child.expect_exact("perfect recall")  # the grade legend stays on screen
    child.send(grade)


def status_json(db: Path, now: str) -> dict:
    done = run_srs(["status", "--json"], srs_env(db, now))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_first_day_session_reviews_new_cards_drills_failures_and_summarises(db: Path) -> None:
    child = spawn(["review"], srs_env(db, DAY1))
    child.expect_exact("Tiny deck")
    child.expect_exact("finding")
    child.expect_exact("done 0 · left 3")
    reveal_and_grade(child, "Front of alpha", "5")
    child.expect_exact("limitation")
    reveal_and_grade(child, "Front of beta", "2")  # below 4: comes back as a drill
    child.expect_exact("What is wrong with this reading?")
    reveal_and_grade(child, "Front of gamma", "4")
    child.expect_exact("drill")
    reveal_and_grade(child, "Front of beta", "3")  # still below 4: again
    reveal_and_grade(child, "Front of beta", "5")
    child.expect_exact("Cards reviewed: 3 (5 answers)")
    child.expect_exact("Grades: 0:0  1:0  2:1  3:1  4:1  5:2")
    child.expect_exact("Due tomorrow: 3")
    child.expect_exact("Next card due: 2026-03-03 (tomorrow)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert log_rows(db) == [
        ("alpha", 5, "new", "2026-03-02"),
        ("beta", 2, "new", "2026-03-02"),
        ("gamma", 4, "new", "2026-03-02"),
        ("beta", 3, "drill", "2026-03-02"),
        ("beta", 5, "drill", "2026-03-02"),
    ]
    # drills changed nothing: beta keeps the state of its failed first answer
    assert states(db) == {
        "alpha": (1, 260, 1, "2026-03-03"),
        "beta": (0, 250, 1, "2026-03-03"),
        "gamma": (1, 250, 1, "2026-03-03"),
    }


def test_ctrl_c_loses_no_answer_already_given(db: Path) -> None:
    child = spawn(["review"], srs_env(db, DAY1))
    reveal_and_grade(child, "Front of alpha", "4")
    child.expect_exact("Front of beta")
    child.sendintr()
    child.expect_exact("Interrupted. 1 answer saved.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert [r[:2] for r in log_rows(db)] == [("alpha", 4)]


def test_kill_9_loses_no_answer_already_given(db: Path) -> None:
    child = spawn(["review"], srs_env(db, DAY1))
    reveal_and_grade(child, "Front of alpha", "5")
    reveal_and_grade(child, "Front of beta", "4")
    child.expect_exact("Front of gamma")
    time.sleep(0.2)
    child.kill(signal.SIGKILL)
    child.close(force=True)
    assert [r[:2] for r in log_rows(db)] == [("alpha", 5), ("beta", 4)]
    resumed = run_srs(["review"], srs_env(db, DAY1), input="q").stdout
    assert "done 0 · left 1" in resumed and "Front of gamma" in resumed


def test_two_reviews_at_once_on_one_database_lose_no_answers(db: Path) -> None:
    first = spawn(["review"], srs_env(db, DAY1))
    second = spawn(["review"], srs_env(db, DAY1))
    for child in (first, second):
        child.expect_exact("Front of alpha")
    for child in (first, second):
        child.send(" ")
        child.expect_exact("Source:")
    first.send("5")
    second.send("4")
    for child in (first, second):
        child.expect_exact("Front of beta")
        child.send("q")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    rows = log_rows(db)
    assert sorted(r[:2] for r in rows) == [("alpha", 4), ("alpha", 5)]
    # the second answer to the same card on the same day is a drill, never a second schedule
    assert sorted(r[2] for r in rows) == ["drill", "new"]


def test_fresh_collection_loads_the_bundled_deck_and_shows_it_first(tmp_path: Path) -> None:
    child = spawn(["review"], srs_env(tmp_path / "fresh.db", DAY1))
    child.expect_exact("Sleeper Agents")
    child.expect_exact("done 0 · left 20")
    child.send("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
