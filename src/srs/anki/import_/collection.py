"""Read notes, their cards and review logs from an Anki collection file (SQLite), either schema.

Legacy collections (schema 11: `collection.anki2`, `collection.anki21`) keep note types and decks
as JSON in the `col` row; current ones (schema 18: `collection.anki21b`) keep them in the
`notetypes`, `fields`, `templates` and `decks` tables, with the note type's kind (standard or
cloze) in a protobuf `config` blob. Both have the same `notes`, `cards` and `revlog` tables.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from srs.anki.import_ import limits as bounds
from srs.anki.import_.limits import ImportLimits
from srs.anki.import_.notetypes import (
    NoteType,
    Shape,
    decode,
    int_of,
    json_of,
    key_of,
    legacy_types,
    modern_types,
    text_of,
)
from srs.anki.import_.reading import connect, failure
from srs.core.errors import AnkiImportError
from srs.core.model import AnkiNoteType

NEWEST_SCHEMA = 18
"""The newest collection schema srs reads (Anki 2.1.50 to 25.x)."""


class AnkiCard(NamedTuple):
    """One Anki card's scheduling: `type` 0 new, 1 learning, 2 review, 3 relearning.

    A named tuple, made straight from its row: 10k frozen dataclasses cost a tenth of a second.
    `id` and `ord` are checked integers; the scheduling values are as the file holds them (any
    SQLite type), checked by `scheduling.card_progress` before anything is made of them."""

    id: int
    ord: int
    type: object
    queue: object
    due: object
    ivl: object
    factor: object
    reps: object
    lapses: object


class RevlogEntry(NamedTuple):
    """One Anki review-log row: `id` is the review time in ms, `ease` 1 (Again) to 4 (Easy).

    The values are as the file holds them, checked by `scheduling` before use."""

    id: object
    ease: object
    ivl: object
    factor: object
    type: object


@dataclass(slots=True)
class AnkiNote:
    """One note with what the conversion needs; `note_type` when srs can keep its identity."""

    guid: str
    cloze: bool
    templates: int
    field_names: tuple[str, ...]
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck: str
    cards: list[AnkiCard] = field(default_factory=list)
    note_type: AnkiNoteType | None = None
    nid: int = 0
    shape: Shape | None = None  # how its note type shows it, when the collection says


@dataclass(frozen=True)
class AnkiCollection:
    """The notes (in creation order), the review log by card id, and the day numbering."""

    notes: list[AnkiNote]
    revlog: dict[int, list[RevlogEntry]]
    crt: int


def read_collection(
    package: Path, path: Path, with_progress: bool, limits: ImportLimits | None = None
) -> AnkiCollection:
    """Every note of the collection at `path` (extracted from `package`, named in errors).

    Read through `reading.connect` (tables only, bounded values and work) and within `limits`:
    anything else is one `AnkiImportError` line."""
    limits = bounds.LIMITS if limits is None else limits
    conn, budget = connect(package, path, limits)
    try:
        with budget.catching_ctrl_c(), closing(conn):
            conn.text_factory = decode
            ver, crt, models, decks = _col_row(package, conn)
            if ver > NEWEST_SCHEMA:
                raise AnkiImportError(
                    f"{package}: made by a newer Anki (collection schema {ver}; srs reads up "
                    f"to {NEWEST_SCHEMA})"
                )
            _check_counts(package, conn, with_progress, limits)
            if ver >= 15:
                types, deck_names = modern_types(conn), _modern_decks(conn)
            else:
                types, deck_names = legacy_types(models), _legacy_decks(decks)
            notes = _notes(package, conn, types, deck_names)
            revlog = _revlog(conn) if with_progress else {}
    except sqlite3.Error as exc:
        raise failure(package, exc, budget, limits) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # A value of a type or size no Anki writes, somewhere the checks above did not name.
        raise AnkiImportError(f"{package}: damaged Anki collection ({exc})") from None
    return AnkiCollection(notes, revlog, crt)


def _col_row(package: Path, conn: sqlite3.Connection) -> tuple[int, int, str, str]:
    try:
        row = conn.execute("SELECT ver, crt, models, decks FROM col").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such" not in str(exc):
            raise
        raise AnkiImportError(f"{package}: not an Anki package (no Anki collection)") from None
    if row is None:
        raise AnkiImportError(f"{package}: not an Anki package (empty collection)")
    ver, crt = row[0], row[1]
    if not isinstance(ver, int) or not 0 <= ver < 1000:
        raise AnkiImportError(f"{package}: damaged Anki collection (col.ver is {_shown(ver)})")
    if not isinstance(crt, int) or not 0 <= crt < MAX_CRT:
        raise AnkiImportError(f"{package}: damaged Anki collection (col.crt is {_shown(crt)})")
    return ver, crt, text_of(row[2]), text_of(row[3])


MAX_CRT = 253402300800
"""The first second after 9999-12-31 (UTC): a collection's creation time must come before it."""


def _shown(value: object) -> str:
    if isinstance(value, int | float):
        return "a number out of range" if isinstance(value, int) else "not an integer"
    return "missing" if value is None else "not a number"


def _check_counts(
    package: Path, conn: sqlite3.Connection, with_progress: bool, limits: ImportLimits
) -> None:
    tables = [("notes", limits.notes), ("cards", limits.cards)]
    if with_progress:
        tables.append(("revlog", limits.revlog))
    for table, most in tables:
        # LIMIT: counting stops one past the bound, so a huge table costs no more than the bound.
        (count,) = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT ?)", (most + 1,)
        ).fetchone()
        if count > most:
            raise AnkiImportError(
                f"{package}: the collection has more than {most} {_WHAT[table]}, the most srs "
                "imports at once; import one Anki deck at a time with --deck, from a package "
                "of that deck"
            )


_WHAT = {"notes": "notes", "cards": "cards", "revlog": "review-log rows"}


def _legacy_decks(decks: str) -> dict[int, str]:
    found: dict[int, str] = {}
    for key, deck in json_of(decks).items():
        did = key_of(key)
        if did is not None and isinstance(deck, dict):
            found[did] = text_of(deck.get("name", ""))
    return found


def _modern_decks(conn: sqlite3.Connection) -> dict[int, str]:
    # Nested deck names are stored with \x1f between the levels.
    return {
        int_of(i, -1): text_of(n).replace("\x1f", "::")
        for i, n in conn.execute("SELECT id, name FROM decks")
    }


def _notes(
    package: Path, conn: sqlite3.Connection, types: dict[int, NoteType], decks: dict[int, str]
) -> list[AnkiNote]:
    cards: dict[int, list[AnkiCard]] = {}
    card_deck: dict[int, object] = {}
    make = AnkiCard._make
    # A card in a filtered deck: `due` is its place there and `odue` its own; `odid` its home deck.
    for nid, did, odid, odue, *card in conn.execute(
        "SELECT nid, did, odid, odue, id, ord, type, queue, due, ivl, factor, reps, lapses "
        "FROM cards ORDER BY nid, ord"
    ):
        cid, ordinal = card[0], card[1]
        if not (isinstance(nid, int) and isinstance(cid, int) and isinstance(ordinal, int)):
            raise AnkiImportError(
                f"{package}: damaged Anki collection (card {_ident(cid)}: its id, note or "
                "ordinal is not an integer)"
            )
        if odid and odue:
            card[4] = odue
        found = cards.get(nid)
        if found is None:
            cards[nid] = [make(card)]
            card_deck[nid] = odid or did
        else:
            found.append(make(card))
    notes: list[AnkiNote] = []
    unknown = NoteType(cloze=False, fields=(), templates=1)
    for nid, mid, guid, tags, flds in _text_rows(
        conn, "SELECT id, mid, guid, tags, flds FROM notes ORDER BY id"
    ):
        if not isinstance(nid, int) or not isinstance(mid, int):
            raise AnkiImportError(
                f"{package}: damaged Anki collection (note {_ident(nid)}: its id or note type "
                "is not an integer)"
            )
        kind = types.get(mid, unknown)
        home = card_deck.get(nid, 0)
        notes.append(
            AnkiNote(
                guid=text_of(guid),
                cloze=kind.cloze,
                templates=kind.templates,
                field_names=kind.fields,
                fields=tuple(text_of(flds).split("\x1f")),
                tags=tuple(text_of(tags).split()),
                deck=decks.get(home, "") if isinstance(home, int) else "",
                cards=cards.get(nid, []),
                note_type=kind.identity,
                nid=nid,
                shape=kind.shape,
            )
        )
    return notes


def _ident(value: object) -> str:
    return str(value) if isinstance(value, int) else "(not a number)"


def _text_rows(conn: sqlite3.Connection, sql: str) -> list[Any]:
    """The rows, text decoded by sqlite3 itself; by the replacing decoder (a Python call a
    value) only when some text is not valid UTF-8."""
    slow = conn.text_factory
    conn.text_factory = str
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError as exc:  # "Could not decode to UTF-8 column ..."
        if "decode" not in str(exc):
            raise
        conn.text_factory = slow
        return conn.execute(sql).fetchall()
    finally:
        conn.text_factory = slow


def _revlog(conn: sqlite3.Connection) -> dict[int, list[RevlogEntry]]:
    log: dict[int, list[RevlogEntry]] = {}
    make = RevlogEntry._make
    for cid, *entry in conn.execute(
        "SELECT cid, id, ease, ivl, factor, type FROM revlog ORDER BY cid, id"
    ):
        if isinstance(cid, int):
            log.setdefault(cid, []).append(make(entry))
    return log
