"""`srs deck add` of a deck file the collection already holds, byte for byte, does not parse it
again, and reports what a full reload would: every card unchanged."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

import srs.authoring
from helpers import SMALL_DECK, Result, run_srs, srs_env

NOW = "2026-03-02T09:00"


def run(args: list[str], db: Path) -> Result:
    return run_srs(args, srs_env(db, NOW))


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths `analyse_deck` is called on (a spy: the real function still runs)."""
    calls: list[str] = []
    real = srs.authoring.analyse_deck

    def spy(data: bytes | str, path: str = "<deck>", *args: Any, **kwargs: Any) -> object:
        calls.append(path)
        return real(data, path, *args, **kwargs)

    monkeypatch.setattr(srs.authoring, "analyse_deck", spy)
    return calls


def test_reloading_an_unchanged_file_does_not_parse_it_and_reports_all_unchanged(
    tmp_path: Path, parsed: list[str]
) -> None:
    db, deck = tmp_path / "srs.db", tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK)
    first = run(["deck", "add", str(deck)], db)
    assert first.returncode == 0, first.stderr
    assert parsed == [str(deck)]
    again = run(["deck", "add", str(deck)], db)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == (
        "updated deck tiny: 0 added, 0 updated, 0 retired, 0 restored, 3 unchanged"
    )
    assert parsed == [str(deck)]  # not parsed the second time


def test_an_edited_file_is_parsed_and_loaded_again(tmp_path: Path, parsed: list[str]) -> None:
    db, deck = tmp_path / "srs.db", tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK)
    assert run(["deck", "add", str(deck)], db).returncode == 0
    deck.write_text(SMALL_DECK.replace("Back of beta", "Back of beta, corrected"))
    done = run(["deck", "add", str(deck)], db)
    assert "1 updated" in done.stdout and len(parsed) == 2
    # ...and that new content is now what an unchanged reload skips.
    assert "3 unchanged" in run(["deck", "add", str(deck)], db).stdout and len(parsed) == 2
    con = sqlite3.connect(db)
    assert con.execute("SELECT back FROM cards WHERE card_id='beta'").fetchone() == (
        "Back of beta, corrected",
    )


def test_the_same_bytes_at_another_path_are_loaded_with_that_path(
    tmp_path: Path, parsed: list[str]
) -> None:
    db = tmp_path / "srs.db"
    first, moved = tmp_path / "tiny.toml", tmp_path / "moved.toml"
    first.write_text(SMALL_DECK)
    moved.write_text(SMALL_DECK)
    assert run(["deck", "add", str(first)], db).returncode == 0
    assert run(["deck", "add", str(moved)], db).returncode == 0
    assert parsed == [str(first), str(moved)]
    con = sqlite3.connect(db)
    assert con.execute("SELECT path FROM decks").fetchall() == [(str(moved),)]


def test_a_removed_deck_is_parsed_and_added_again(tmp_path: Path, parsed: list[str]) -> None:
    db, deck = tmp_path / "srs.db", tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK)
    assert run(["deck", "add", str(deck)], db).returncode == 0
    assert run(["deck", "remove", "tiny", "--yes"], db).returncode == 0
    done = run(["deck", "add", str(deck)], db)
    assert done.stdout.startswith("added deck tiny: 3 added") and len(parsed) == 2


def test_an_unchanged_file_still_clashes_with_another_file_of_its_deck_id(tmp_path: Path) -> None:
    db, deck, other = tmp_path / "srs.db", tmp_path / "a.toml", tmp_path / "b.toml"
    deck.write_text(SMALL_DECK)
    other.write_text(SMALL_DECK.replace("Back of alpha", "Another back"))
    assert run(["deck", "add", str(deck)], db).returncode == 0
    for order in ([deck, other], [other, deck]):
        done = run(["deck", "add", *map(str, order)], db)
        assert done.returncode == 1
        assert "duplicate-deck" in done.stderr or "also used by" in done.stderr, done.stderr
    con = sqlite3.connect(db)
    assert con.execute("SELECT back FROM cards WHERE card_id='alpha'").fetchone() == (
        "Back of alpha",
    )
