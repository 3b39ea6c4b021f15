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


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The paths each call of the checker's `analyse_paths` was given (a spy)."""
    calls: list[list[str]] = []
    real = srs.authoring.analyse_paths

    def spy(paths: list[Path], *args: Any, **kwargs: Any) -> object:
        calls.append([str(p) for p in paths])
        return real(paths, *args, **kwargs)

    monkeypatch.setattr(srs.authoring, "analyse_paths", spy)
    return calls


def test_files_all_unchanged_are_reported_without_the_checker(
    tmp_path: Path, analysed: list[list[str]]
) -> None:
    db, deck = tmp_path / "srs.db", tmp_path / "tiny.toml"
    other = tmp_path / "other.toml"
    deck.write_text(SMALL_DECK)
    other.write_text(SMALL_DECK.replace('id = "tiny"', 'id = "other"'))
    assert run(["deck", "add", str(tmp_path)], db).returncode == 0
    assert len(analysed) == 1
    again = run(["deck", "add", str(deck), str(tmp_path), str(deck)], db)  # each file once
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [
        "updated deck tiny: 0 added, 0 updated, 0 retired, 0 restored, 3 unchanged",
        "updated deck other: 0 added, 0 updated, 0 retired, 0 restored, 3 unchanged",
    ]
    assert len(analysed) == 1  # the checker was not called


def test_one_changed_file_among_unchanged_ones_goes_through_the_checker(
    tmp_path: Path, analysed: list[list[str]], parsed: list[str]
) -> None:
    db, deck, other = tmp_path / "srs.db", tmp_path / "tiny.toml", tmp_path / "other.toml"
    deck.write_text(SMALL_DECK)
    other.write_text(SMALL_DECK.replace('id = "tiny"', 'id = "other"'))
    assert run(["deck", "add", str(deck), str(other)], db).returncode == 0
    other.write_text(SMALL_DECK.replace('id = "tiny"', 'id = "other"').replace("alpha", "alfa"))
    done = run(["deck", "add", str(deck), str(other)], db)
    assert done.returncode == 0, done.stderr
    assert "tiny: 0 added, 0 updated, 0 retired, 0 restored, 3 unchanged" in done.stdout
    assert "other: 1 added, 0 updated, 1 retired" in done.stdout
    assert len(analysed) == 2 and parsed[-1] == str(other)


def test_a_missing_path_beside_an_unchanged_file_is_still_an_error(tmp_path: Path) -> None:
    db, deck = tmp_path / "srs.db", tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK)
    assert run(["deck", "add", str(deck)], db).returncode == 0
    done = run(["deck", "add", str(deck), str(tmp_path / "gone.toml")], db)
    assert done.returncode == 1
    assert "no such file or folder" in done.stderr


def test_the_unchanged_check_reads_no_more_than_the_checker_would() -> None:
    from srs.core.deckfile.limits import MAX_DECK_BYTES
    from srs.deckpaths import MAX_UNCHANGED_BYTES

    assert MAX_UNCHANGED_BYTES == MAX_DECK_BYTES


def test_an_unchanged_file_naming_a_figure_is_checked_again(
    tmp_path: Path, analysed: list[list[str]]
) -> None:
    from math_deck import PNG_EDITED, write_math_deck

    db, deck = tmp_path / "srs.db", write_math_deck(tmp_path)
    assert run(["deck", "add", str(deck)], db).returncode == 0
    (tmp_path / "figures" / "fig3.png").write_bytes(PNG_EDITED)  # the deck's bytes unchanged
    done = run(["deck", "add", str(deck)], db)
    assert done.returncode == 0, done.stderr
    assert len(analysed) == 2 and "1 updated" in done.stdout


def test_an_unchanged_reload_counts_only_the_cards_still_in_the_file(tmp_path: Path) -> None:
    db, deck = tmp_path / "srs.db", tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK)
    assert run(["deck", "add", str(deck)], db).returncode == 0
    without_gamma = SMALL_DECK[: SMALL_DECK.index('[[card]]\nid = "gamma"')]
    deck.write_text(without_gamma)
    assert "1 retired" in run(["deck", "add", str(deck)], db).stdout
    again = run(["deck", "add", str(deck)], db)
    assert again.stdout.strip().endswith("0 retired, 0 restored, 2 unchanged"), again.stdout
