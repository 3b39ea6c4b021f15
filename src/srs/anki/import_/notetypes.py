"""Note types as a collection keeps them: their fields, templates, identity and how they show
their notes (`Shape`), in the legacy JSON (`col.models`) or the current tables (`notetypes`,
`fields`, `templates`, with protobuf configs); and the small readers of untrusted values both
schemas share."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from srs.anki.import_.package import protobuf_text, protobuf_varint
from srs.core.model import AnkiNoteType
from srs.core.notetype import note_type_from, note_type_problem


@dataclass(frozen=True, slots=True)
class Shape:
    """How a note type shows its notes: its name, its first template's question and answer
    formats, its first template's name, and its CSS."""

    name: str
    qfmt: str
    afmt: str
    card: str = ""
    css: str = ""


@dataclass(frozen=True, slots=True)
class NoteType:
    """What the conversion needs of a note type."""

    cloze: bool
    fields: tuple[str, ...]
    templates: int
    identity: AnkiNoteType | None = None
    shape: Shape | None = None


def _identity(
    ntid: int, name: object, fields: tuple[str, ...], templates: list[str], cloze: bool
) -> AnkiNoteType | None:
    """The note type's identity, when a card can keep it (not a cloze type; names Anki takes)."""
    raw = {"id": ntid, "name": name, "fields": list(fields), "templates": templates}
    if cloze or note_type_problem(raw) is not None:
        return None
    return note_type_from(raw)


def decode(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def text_of(value: object) -> str:
    """A text column's value as text, whatever SQLite type the file gave it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return decode(value)
    return "" if value is None else str(value)


def json_of(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def int_of(value: object, default: int = 0) -> int:
    """An integer from JSON or a column, or `default` for anything else (text, a float, null)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def key_of(key: object) -> int | None:
    text = str(key)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 20 else None


def legacy_types(models: str) -> dict[int, NoteType]:
    types: dict[int, NoteType] = {}
    for key, model in json_of(models).items():
        ntid = key_of(key)
        if not isinstance(model, dict) or ntid is None:
            continue
        flds = model.get("flds", [])
        flds = [f for f in flds if isinstance(f, dict)] if isinstance(flds, list) else []
        flds.sort(key=lambda f: int_of(f.get("ord")))
        tmpls = model.get("tmpls", [])
        tmpls = tmpls if isinstance(tmpls, list) else []
        names = tuple(text_of(f.get("name", "")) for f in flds)
        cloze = model.get("type") == 1
        tnames = [text_of(t.get("name", "")) if isinstance(t, dict) else "" for t in tmpls]
        first = min(
            (t for t in tmpls if isinstance(t, dict)),
            key=lambda t: int_of(t.get("ord")),
            default={},
        )
        shape = None
        if "qfmt" in first:
            shape = Shape(
                text_of(model.get("name", "")),
                text_of(first.get("qfmt", "")),
                text_of(first.get("afmt", "")),
                text_of(first.get("name", "")),
                text_of(model.get("css", "")),
            )
        types[ntid] = NoteType(
            cloze=cloze,
            fields=names,
            templates=len(tmpls) or 1,
            identity=_identity(ntid, model.get("name"), names, tnames, cloze),
            shape=shape,
        )
    return types


def modern_types(conn: sqlite3.Connection) -> dict[int, NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, name in conn.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(int_of(ntid, -1), []).append(text_of(name))
    templates: dict[int, list[str]] = {}
    for ntid, name in conn.execute("SELECT ntid, name FROM templates ORDER BY ntid, ord"):
        templates.setdefault(int_of(ntid, -1), []).append(text_of(name))
    names = {int_of(i, -1): n for i, n in conn.execute("SELECT id, name FROM notetypes")}
    conn.text_factory = bytes
    try:
        rows = conn.execute("SELECT id, config FROM notetypes").fetchall()
        formats = _first_formats(conn)
    finally:
        conn.text_factory = decode
    types = {}
    for raw_id, config in rows:
        ntid = int_of(raw_id, -1)
        # NotetypeConfig.kind (field 1): 0 normal, 1 cloze
        blob = config if isinstance(config, bytes) else b""
        cloze = protobuf_varint(blob, 1) == 1
        own = tuple(fields.get(ntid, ()))
        tnames = templates.get(ntid, [])
        shape = None
        if ntid in formats:
            qfmt, afmt = formats[ntid]
            card = tnames[0] if tnames else ""
            shape = Shape(text_of(names.get(ntid)), qfmt, afmt, card, protobuf_text(blob, 3))
        types[ntid] = NoteType(
            cloze=cloze,
            fields=own,
            templates=len(tnames) or 1,
            identity=_identity(ntid, names.get(ntid), own, tnames, cloze),
            shape=shape,
        )
    return types


def _first_formats(conn: sqlite3.Connection) -> dict[int, tuple[str, str]]:
    """Each note type's first template's question and answer formats (CardTemplateConfig
    fields 1 and 2); none from a table without them."""
    try:
        rows = conn.execute("SELECT ntid, config FROM templates WHERE ord = 0").fetchall()
    except sqlite3.OperationalError:  # no config column: a table no Anki writes
        return {}
    found = {}
    for ntid, config in rows:
        blob = config if isinstance(config, bytes) else b""
        found[int_of(ntid, -1)] = (protobuf_text(blob, 1), protobuf_text(blob, 2))
    return found
