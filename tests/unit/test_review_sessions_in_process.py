"""The daily review's logic, in process: `srs review` with the keys read from a string by the key
reader (the same session and screens as in a terminal; tests/e2e/test_review_e2e.py drives a real
pseudo-terminal for what only a terminal shows)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import SMALL_DECK, log_rows, run_srs, srs_env, states

DAY1 = "2026-03-02T09:00"
DAY2 = "2026-03-03T09:00"
DAY3 = "2026-03-04T09:00"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A fresh collection holding only the three-card test deck."""
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    path = tmp_path / "data" / "srs.db"
    done = run_srs(["deck", "add", str(deck)], srs_env(path, DAY1))
    assert done.returncode == 0, done.stderr
    return path


def status_json(db: Path, now: str) -> dict:
    done = run_srs(["status", "--json"], srs_env(db, now))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def review(db: Path, now: str, keys: str) -> str:
    """`srs review` in process with `keys` typed (the key reader reads them from a pipe)."""
    done = run_srs(["review"], srs_env(db, now), input=keys)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_later_day_session_shows_exactly_the_cards_sm2_made_due(db: Path) -> None:
    first = review(db, DAY1, " 5 5 5")
    assert "Cards reviewed: 3 (3 answers)" in first
    # all three have interval 1: alpha n=2 (six days), beta fails (tomorrow, and a drill now)
    second = review(db, DAY2, " 5 1 5 4")
    assert "done 0 · left 3" in second and "Due tomorrow: 1" in second
    third = review(db, DAY3, " 5")  # only beta is due
    assert "done 0 · left 1" in third
    assert "Cards reviewed: 1 (1 answer)" in third
    assert "Next card due: 2026-03-05 (tomorrow)" in third
    assert states(db)["alpha"] == (2, 270, 6, "2026-03-09")
    again = review(db, DAY3, "")
    assert "Nothing is due today. Next card due: 2026-03-05 (tomorrow)" in again


def test_undo_restores_the_state_and_shows_the_card_again(db: Path) -> None:
    shown = review(db, DAY1, " 3uq")
    after_undo = shown[shown.index("Front of beta") :]
    assert "done 0 · left 3" in after_undo and "Front of alpha" in after_undo
    assert "Cards reviewed: 0 (0 answers)" in shown
    assert log_rows(db) == []
    assert states(db) == {}


def test_quit_in_the_middle_keeps_answers_and_the_next_run_picks_up(db: Path) -> None:
    shown = review(db, DAY1, " 5q")
    assert "Front of beta" in shown and "Still due today: 2" in shown
    assert [r[0] for r in log_rows(db)] == ["alpha"]
    resumed = review(db, DAY1, "q")
    assert "done 0 · left 2" in resumed and "Front of beta" in resumed


def test_bury_hides_a_card_until_tomorrow(db: Path) -> None:
    shown = review(db, DAY1, "sq")
    assert "done 0 · left 2" in shown[shown.index("Front of alpha") :]
    assert "Front of beta" in shown
    assert status_json(db, DAY1)["decks"][0]["new"] == 2
    assert status_json(db, DAY2)["decks"][0]["new"] == 3
