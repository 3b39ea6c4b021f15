"""`srs export anki` end to end: deck file -> collection -> .apkg -> a real Anki collection."""

from __future__ import annotations

from pathlib import Path

import pytest
from anki.collection import Collection
from test_export_anki import answer_one_card, import_package, notes_by_card_id

from helpers import SMALL_DECK, Result, run_srs, srs_env

DAY1 = "2026-03-02T09:00"
DAY2 = "2026-03-03T09:00"


def srs(args: list[str], db: Path, now: str, ok: bool = True) -> Result:
    done = run_srs(args, srs_env(db, now))
    if ok:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[Path, Path]:
    db, deck = tmp_path / "srs.db", tmp_path / "tiny.toml"
    (tmp_path / "anki").mkdir(exist_ok=True)
    deck.write_text(SMALL_DECK, encoding="utf-8")
    srs(["deck", "add", str(deck)], db, DAY1)
    return db, deck


def test_edit_in_deck_file_updates_the_anki_note_in_place_and_keeps_its_schedule(
    tmp_path: Path, loaded: tuple[Path, Path], col: Collection
) -> None:
    db, deck = loaded
    first = tmp_path / "v1.apkg"
    assert "3 notes" in srs(["export", "anki", "-o", str(first)], db, DAY1).stdout
    log = import_package(col, first)
    assert len(log.new) == 3
    assert sorted(col.decks.all_names()) == sorted(
        [
            "Default",
            "Tiny deck",
            "Tiny deck::Findings",
            "Tiny deck::Limitations",
            "Tiny deck::Misreadings",
        ]
    )
    card_id = answer_one_card(col, "Tiny deck::Findings")
    studied = col.get_card(card_id)

    deck.write_text(SMALL_DECK.replace("Back of alpha", "Back of alpha, fixed"), encoding="utf-8")
    srs(["deck", "add", str(deck)], db, DAY2)
    second = tmp_path / "v2.apkg"
    srs(["export", "anki", "-o", str(second)], db, DAY2)
    log = import_package(col, second)
    assert len(log.updated) == 1 and not log.new
    assert col.note_count() == 3
    assert "Back of alpha, fixed" in notes_by_card_id(col)["alpha"]["Back"]
    after = col.get_card(card_id)
    assert (after.ivl, after.due, after.queue) == (studied.ivl, studied.due, studied.queue)

    third = tmp_path / "v3.apkg"
    srs(["export", "anki", "-o", str(third)], db, DAY2)
    log = import_package(col, third)
    assert not log.updated and not log.new
    assert col.fix_integrity()[1]


def test_retired_cards_are_left_out_and_named_decks_only(
    tmp_path: Path, loaded: tuple[Path, Path], col: Collection
) -> None:
    db, deck = loaded
    deck.write_text("[[card]]".join(p for p in SMALL_DECK.split("[[card]]") if "gamma" not in p))
    srs(["deck", "add", str(deck)], db, DAY2)
    out = tmp_path / "tiny.apkg"
    srs(["export", "anki", "tiny", "-o", str(out)], db, DAY2)
    import_package(col, out)
    assert sorted(notes_by_card_id(col)) == ["alpha", "beta"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["export", "anki", "nope", "-o", "{tmp}/x.apkg"], "nope"),
        (["export", "anki", "-o", "{tmp}/no/such/folder/x.apkg"], "no/such/folder"),
        (["export", "anki", "-o", "{tmp}"], "{tmp}"),
    ],
)
def test_export_errors_are_one_line(
    tmp_path: Path, loaded: tuple[Path, Path], args: list[str], needle: str
) -> None:
    db, _ = loaded
    done = srs([a.format(tmp=tmp_path) for a in args], db, DAY1, ok=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert needle.format(tmp=tmp_path) in done.stderr


def test_export_of_a_deck_with_every_card_retired_is_an_empty_selection(
    tmp_path: Path, loaded: tuple[Path, Path]
) -> None:
    db, deck = loaded
    deck.write_text(SMALL_DECK.split("[[card]]")[0], encoding="utf-8")
    srs(["deck", "add", str(deck)], db, DAY2)
    done = srs(["export", "anki", "-o", str(tmp_path / "x.apkg")], db, DAY2, ok=False)
    assert done.returncode == 1
    assert "nothing to export" in done.stderr
    assert not (tmp_path / "x.apkg").exists()
