"""Read notes, their cards and review logs from an Anki collection file (SQLite), either schema.

Legacy collections (schema 11: `collection.anki2`, `collection.anki21`) keep note types and decks
as JSON in the `col` row; current ones (schema 18: `collection.anki21b`) keep them in the
`notetypes`, `fields`, `templates` and `decks` tables, with the note type's kind (standard or
cloze) in a protobuf `config` blob. Both have the same `notes`, `cards` and `revlog` tables.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from srs.anki.import_.package import protobuf_varint
from srs.core.errors import AnkiImportError
from srs.core.model import AnkiNoteType
from srs.core.notetype import note_type_from, note_type_problem

NEWEST_SCHEMA = 18
"""The newest collection schema srs reads (Anki 2.1.50 to 25.x)."""


class AnkiCard(NamedTuple):
    """One Anki card's scheduling: `type` 0 new, 1 learning, 2 review, 3 relearning.

    A named tuple, made straight from its row: 10k frozen dataclasses cost a tenth of a second."""

    id: int
    ord: int
    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int


@dataclass(frozen=True, slots=True)
class RevlogEntry:
    """One Anki review-log row: `id` is the review time in ms, `ease` 1 (Again) to 4 (Easy)."""

    id: int
    ease: int
    ivl: int
    factor: int
    type: int


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


@dataclass(frozen=True)
class AnkiCollection:
    """The notes (in creation order), the review log by card id, and the day numbering."""

    notes: list[AnkiNote]
    revlog: dict[int, list[RevlogEntry]]
    crt: int


@dataclass(frozen=True, slots=True)
class _NoteType:
    cloze: bool
    fields: tuple[str, ...]
    templates: int
    identity: AnkiNoteType | None = None


def _identity(
    ntid: int, name: object, fields: tuple[str, ...], templates: list[str], cloze: bool
) -> AnkiNoteType | None:
    """The note type's identity, when a card can keep it (not a cloze type; names Anki takes)."""
    raw = {"id": ntid, "name": name, "fields": list(fields), "templates": templates}
    if cloze or note_type_problem(raw) is not None:
        return None
    return note_type_from(raw)


def read_collection(package: Path, path: Path, with_progress: bool) -> AnkiCollection:
    """Every note of the collection at `path` (extracted from `package`, named in errors)."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            conn.text_factory = lambda b: b.decode("utf-8", "replace")
            ver, crt, models, decks = _col_row(package, conn)
            if ver > NEWEST_SCHEMA:
                raise AnkiImportError(
                    f"{package}: made by a newer Anki (collection schema {ver}; srs reads up "
                    f"to {NEWEST_SCHEMA})"
                )
            if ver >= 15:
                types, deck_names = _modern_types(conn), _modern_decks(conn)
            else:
                types, deck_names = _legacy_types(models), _legacy_decks(decks)
            notes = _notes(conn, types, deck_names)
            revlog = _revlog(conn) if with_progress else {}
    except sqlite3.Error as exc:
        raise AnkiImportError(f"{package}: damaged Anki collection ({exc})") from None
    return AnkiCollection(notes, revlog, crt)


def _col_row(package: Path, conn: sqlite3.Connection) -> tuple[int, int, str, str]:
    try:
        row = conn.execute("SELECT ver, crt, models, decks FROM col").fetchone()
    except sqlite3.DatabaseError:
        raise AnkiImportError(f"{package}: not an Anki package (no Anki collection)") from None
    if row is None:
        raise AnkiImportError(f"{package}: not an Anki package (empty collection)")
    return int(row[0]), int(row[1]), str(row[2] or ""), str(row[3] or "")


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _legacy_types(models: str) -> dict[int, _NoteType]:
    types: dict[int, _NoteType] = {}
    for key, model in _json(models).items():
        if not isinstance(model, dict):
            continue
        flds = sorted(
            (f for f in model.get("flds", []) if isinstance(f, dict)),
            key=lambda f: int(f.get("ord", 0)),
        )
        tmpls = model.get("tmpls", [])
        tmpls = tmpls if isinstance(tmpls, list) else []
        names = tuple(str(f.get("name", "")) for f in flds)
        cloze = model.get("type") == 1
        tnames = [str(t.get("name", "")) if isinstance(t, dict) else "" for t in tmpls]
        types[int(key)] = _NoteType(
            cloze=cloze,
            fields=names,
            templates=len(tmpls) or 1,
            identity=_identity(int(key), model.get("name"), names, tnames, cloze),
        )
    return types


def _legacy_decks(decks: str) -> dict[int, str]:
    return {int(k): str(d.get("name", "")) for k, d in _json(decks).items() if isinstance(d, dict)}


def _modern_types(conn: sqlite3.Connection) -> dict[int, _NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(int(ntid), []).append(str(name))
    templates: dict[int, list[str]] = {}
    for ntid, name in conn.execute("SELECT ntid, name FROM templates ORDER BY ntid, ord"):
        templates.setdefault(int(ntid), []).append(str(name))
    names = dict(conn.execute("SELECT id, name FROM notetypes"))
    conn.text_factory = bytes
    try:
        rows = conn.execute("SELECT id, config FROM notetypes").fetchall()
    finally:
        conn.text_factory = lambda b: b.decode("utf-8", "replace")
    types = {}
    for ntid, config in rows:
        # NotetypeConfig.kind (field 1): 0 normal, 1 cloze
        cloze = protobuf_varint(bytes(config or b""), 1) == 1
        own = tuple(fields.get(int(ntid), ()))
        tnames = templates.get(int(ntid), [])
        types[int(ntid)] = _NoteType(
            cloze=cloze,
            fields=own,
            templates=len(tnames) or 1,
            identity=_identity(int(ntid), names.get(ntid), own, tnames, cloze),
        )
    return types


def _modern_decks(conn: sqlite3.Connection) -> dict[int, str]:
    # Nested deck names are stored with \x1f between the levels.
    return {
        int(i): str(n).replace("\x1f", "::") for i, n in conn.execute("SELECT id, name FROM decks")
    }


def _notes(
    conn: sqlite3.Connection, types: dict[int, _NoteType], decks: dict[int, str]
) -> list[AnkiNote]:
    cards: dict[int, list[AnkiCard]] = {}
    card_deck: dict[int, int] = {}
    make = AnkiCard._make
    # A card in a filtered deck: `due` is its place there and `odue` its own; `odid` its home deck.
    for nid, home, *card in conn.execute(
        "SELECT nid, CASE WHEN odid THEN odid ELSE did END, id, ord, type, queue, "
        "CASE WHEN odid AND odue THEN odue ELSE due END, ivl, factor, reps, lapses "
        "FROM cards ORDER BY nid, ord"
    ):
        found = cards.get(nid)
        if found is None:
            cards[nid] = [make(card)]
            card_deck[nid] = home
        else:
            found.append(make(card))
    notes: list[AnkiNote] = []
    unknown = _NoteType(cloze=False, fields=(), templates=1)
    for nid, mid, guid, tags, flds in _text_rows(
        conn, "SELECT id, mid, guid, tags, flds FROM notes ORDER BY id"
    ):
        kind = types.get(int(mid), unknown)
        notes.append(
            AnkiNote(
                guid=str(guid),
                cloze=kind.cloze,
                templates=kind.templates,
                field_names=kind.fields,
                fields=tuple(str(flds).split("\x1f")),
                tags=tuple(str(tags).split()),
                deck=decks.get(card_deck.get(nid, 0), ""),
                cards=cards.get(nid, []),
                note_type=kind.identity,
            )
        )
    return notes


def _text_rows(conn: sqlite3.Connection, sql: str) -> list[Any]:
    """The rows, text decoded by sqlite3 itself; by the replacing decoder (a Python call a
    value) only when some text is not valid UTF-8."""
    slow = conn.text_factory
    conn.text_factory = str
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # "Could not decode to UTF-8 column ..."
        conn.text_factory = slow
        return conn.execute(sql).fetchall()
    finally:
        conn.text_factory = slow


def _revlog(conn: sqlite3.Connection) -> dict[int, list[RevlogEntry]]:
    log: dict[int, list[RevlogEntry]] = {}
    for rid, cid, ease, ivl, factor, typ in _rows(
        conn, "SELECT id, cid, ease, ivl, factor, type FROM revlog ORDER BY cid, id"
    ):
        log.setdefault(int(cid), []).append(RevlogEntry(rid, ease, ivl, factor, typ))
    return log


def _rows(conn: sqlite3.Connection, sql: str) -> Iterator[tuple[Any, ...]]:
    yield from conn.execute(sql)
