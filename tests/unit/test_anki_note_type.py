"""The Anki note type kept with a card imported from Anki (`anki_note_type`): the deck-file key and
its checks, the store column and its schema step, and the note type the export writes it under."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from helpers import SMALL_DECK
from srs.anki.export import ExportCard, export_apkg
from srs.anki.import_.deckwriter import deck_toml
from srs.core.deckfile import check_deck, parse_deck
from srs.core.errors import ExportError
from srs.core.model import AnkiNoteType, Card, Deck, Kind
from srs.store import SCHEMA_VERSION, Store

BASIC = AnkiNoteType(1795836436345, 'Basic "mine"', ("Front", "Back", "Extra"), ("Card 1",))
KEPT = 'anki_note_type = { id = 1795836436345, name = "Basic", fields = ["Front", "Back"], '
KEPT += 'templates = ["Card 1"] }'
AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


def with_note_type(value: str = KEPT) -> str:
    return SMALL_DECK.replace('source = "§1"', f'source = "§1"\nguid = "Ab1"\n{value}', 1)


def test_the_deck_writer_and_the_checker_agree_on_a_kept_note_type() -> None:
    card = Card("a", Kind.FINDING, "Q", "A", "s", (), 0, "g1", BASIC)
    text = deck_toml("bio", "Bio", "", [card, Card("b", Kind.LIMITATION, "Q2", "A2", "s")])
    assert [d for d in check_deck(text) if d.severity == "error"] == []
    first, second = parse_deck(text).cards
    assert (first.anki_note_type, second.anki_note_type) == (BASIC, None)


@pytest.mark.parametrize(
    "value",
    [
        'anki_note_type = "Basic"',
        KEPT.replace("1795836436345", '"1795836436345"'),
        KEPT.replace('["Front", "Back"]', '["Front"]'),
        KEPT.replace('["Front", "Back"]', '["Front", "Ba{ck"]'),
        KEPT.replace('["Front", "Back"]', '["Front", "Front"]'),
        KEPT.replace('["Card 1"]', "[]"),
        KEPT.replace("templates", "templats"),
    ],
)
def test_a_bad_anki_note_type_is_one_error_at_its_line(value: str) -> None:
    (diag,) = [d for d in check_deck(with_note_type(value)) if d.severity == "error"]
    assert diag.code == "bad-anki-note-type" and diag.line == 13


def test_a_version_4_collection_gains_the_note_type_column_and_keeps_progress(db: Path) -> None:
    store = Store.open(f"sqlite:///{db}", str(db))
    store.content.load_deck(parse_deck(SMALL_DECK), AT)
    pk = store.content.cards()[0].pk
    store.study.record_answer(pk, 5, AT, date(2026, 3, 1))
    store.close()
    with sqlite3.connect(db) as conn:  # as srs at schema 4 left it
        conn.execute("ALTER TABLE cards DROP COLUMN anki_note_type")
        conn.execute("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    store = Store.open(f"sqlite:///{db}", str(db))
    try:
        assert (
            store.study.state(pk).interval == 1
            and store.content.cards()[0].card.anki_note_type is None
        )
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
        # Giving a card its note type is an edit: the next export must update the note.
        report = store.content.load_deck(parse_deck(with_note_type()), AT.replace(hour=10))
        assert report.updated == 1
        (alpha,) = [c for c in store.content.cards() if c.card.id == "alpha"]
        assert alpha.card.anki_note_type == AnkiNoteType(
            1795836436345, "Basic", ("Front", "Back"), ("Card 1",)
        )
        assert alpha.edited_at == AT.replace(hour=10) and store.study.state(pk).interval == 1
    finally:
        store.close()


def exported(tmp_path: Path, cards: list[Card]) -> sqlite3.Connection:
    deck = Deck("bio", "Bio", "")
    out = tmp_path / "out.apkg"
    export_apkg([ExportCard(deck, card, AT) for card in cards], out)
    with zipfile.ZipFile(out) as zf:
        (tmp_path / "col.anki2").write_bytes(zf.read("collection.anki2"))
    return sqlite3.connect(tmp_path / "col.anki2")


def test_a_card_from_anki_exports_under_its_own_note_type_which_never_overrides_ankis(
    tmp_path: Path,
) -> None:
    mine = Card("a", Kind.FINDING, "*Q*", "A", "s", (), 0, "g1", BASIC)
    srs_own = Card("b", Kind.FINDING, "Q2", "A2", "s")
    with exported(tmp_path, [mine, srs_own]) as conn:
        models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
        notes = dict(conn.execute("SELECT guid, mid FROM notes"))
        fields = conn.execute("SELECT flds FROM notes WHERE guid = 'g1'").fetchone()[0]
        cards = conn.execute("SELECT ord FROM cards JOIN notes ON nid = notes.id WHERE guid = 'g1'")
        ords = [o for (o,) in cards]
    model = models[str(BASIC.id)]
    assert (model["name"], model["mod"]) == (BASIC.name, 0)  # older than any: Anki keeps its own
    assert [f["name"] for f in model["flds"]] == list(BASIC.fields)
    assert [t["name"] for t in model["tmpls"]] == list(BASIC.templates)
    assert notes["g1"] == BASIC.id and len(models) == 2
    assert fields.split("\x1f") == ["<p><em>Q</em></p>", "<p>A</p>", ""] and ords == [0]


def test_one_note_type_id_with_two_shapes_is_refused(tmp_path: Path) -> None:
    other = AnkiNoteType(BASIC.id, "Basic", ("Front", "Back"), ("Card 1",))
    cards = [
        Card("a", Kind.FINDING, "Q", "A", "s", (), 0, "g1", BASIC),
        Card("b", Kind.FINDING, "Q2", "A2", "s", (), 0, "g2", other),
    ]
    with pytest.raises(ExportError, match="two different names"):
        exported(tmp_path, cards)
