"""What `srs import anki` makes of untrusted field text: never raw HTML nor control characters,
whatever the HTML, and text that is not valid UTF-8 read with replacement characters."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from srs.anki.import_ import import_package
from srs.anki.import_.convert import to_markdown
from srs.core.cardtext import CONTROL_CHARS, find_raw_html
from srs.core.days import study_day
from srs.core.deckfile import check_deck

PIECES = st.sampled_from(
    ["<", ">", "&", "&lt;", "<b>", "</b>", "<script>", "<!--", "-->", "<a href='x'>", "</a>",
     "<br>", "<ul><li>", "`", "*", "_", "#", "1.", "-", "\n", "\x1b", "\x9b", "{{c1::", "}}",
     "<img src=x>", "<pre>", "</pre>", "<code>", "</code>", "<div", "=", "x", " "]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(PIECES, max_size=30).map("".join))
def test_no_field_html_comes_out_as_raw_html_or_control_characters(html_text: str) -> None:
    text = to_markdown(html_text)
    assert find_raw_html(text) is None
    assert CONTROL_CHARS.search(text) is None


def legacy_package(path: Path, flds: bytes) -> Path:
    """The smallest legacy package: one Basic note whose fields are the raw bytes `flds`."""
    col = path.with_suffix(".anki21")
    model = {"type": 0, "name": "Basic", "flds": [{"name": "Front", "ord": 0}, {"name": "Back",
             "ord": 1}], "tmpls": [{"name": "Card 1"}]}  # fmt: skip
    with sqlite3.connect(col) as conn:
        conn.executescript(
            "CREATE TABLE col (ver, crt, models, decks);"
            "CREATE TABLE notes (id, mid, guid, tags, flds);"
            "CREATE TABLE cards (id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses,"
            " odid, odue);"
            "CREATE TABLE revlog (id, cid, ease, ivl, factor, type);"
        )
        conn.execute(
            "INSERT INTO col VALUES (11, 0, ?, ?)",
            (json.dumps({"7": model}), json.dumps({"1": {"name": "Default"}})),
        )
        conn.execute("INSERT INTO notes VALUES (1, 7, 'Ab1', ' t ', CAST(? AS TEXT))", (flds,))
        conn.execute("INSERT INTO cards VALUES (1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0)")
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(col, "collection.anki21")
        zf.writestr("media", "{}")
    col.unlink()
    return path


def test_field_text_that_is_not_utf8_arrives_with_replacement_characters(tmp_path: Path) -> None:
    apkg = legacy_package(tmp_path / "bad.apkg", b"Caf\xe9 <b>ok</b>\x1fAnswer \xff")
    now = datetime(2026, 3, 1, 9, tzinfo=UTC)
    result = import_package(
        apkg,
        tmp_path / "bad.toml",
        now=now,
        today=now.date(),
        day_of=lambda at: study_day(at, UTC),
    )
    (card,) = result.deck.cards
    assert (card.front, card.back) == ("Caf\ufffd **ok**", "Answer \ufffd")
    assert card.anki_note_type is not None and card.anki_note_type.id == 7
    text = (tmp_path / "bad.toml").read_bytes()
    assert [d for d in check_deck(text) if d.severity == "error"] == []
