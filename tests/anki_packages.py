"""Anki packages built in the tests, hostile ones included: a legacy collection (schema 11) made
with sqlite3 and zipped, changed by an SQL script before it is packed."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Sequence
from pathlib import Path

BASIC = {"type": 0, "name": "Basic", "flds": [{"name": "Front", "ord": 0}, {"name": "Back",
         "ord": 1}], "tmpls": [{"name": "Card 1"}]}  # fmt: skip
CLOZE = {"type": 1, "name": "Cloze", "flds": [{"name": "Text", "ord": 0}, {"name": "Extra",
         "ord": 1}], "tmpls": [{"name": "Cloze"}]}  # fmt: skip

TABLES = (
    "CREATE TABLE col (ver, crt, models, decks);"
    "CREATE TABLE notes (id, mid, guid, tags, flds);"
    "CREATE TABLE cards (id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses,"
    " odid, odue);"
    "CREATE TABLE revlog (id, cid, ease, ivl, factor, type);"
)


def collection_file(
    path: Path,
    fronts: Sequence[str] = ("What is a cell?",),
    script: str = "",
    cloze: bool = False,
    params: Sequence[object] = (),
) -> Path:
    """A legacy collection: one Basic (or Cloze) note a front, each with one new card, then
    `script` (one statement when `params` are given)."""
    with sqlite3.connect(path) as conn:
        conn.executescript(TABLES)
        conn.execute(
            "INSERT INTO col VALUES (11, 1700000000, ?, ?)",
            (json.dumps({"7": BASIC, "8": CLOZE}), json.dumps({"1": {"name": "Bio"}})),
        )
        mid = 8 if cloze else 7
        conn.executemany(
            "INSERT INTO notes VALUES (?, ?, ?, '', ?)",
            [(i, mid, f"g{i}", f"{front}\x1fAnswer {i}") for i, front in enumerate(fronts, 1)],
        )
        conn.executemany(
            "INSERT INTO cards VALUES (?, ?, 1, 0, 0, 0, ?, 0, 0, 0, 0, 0, 0)",
            [(100 + i, i, i) for i in range(1, len(fronts) + 1)],
        )
        if params:
            conn.execute(script, tuple(params))
        elif script:
            conn.executescript(script)
    conn.close()
    return path


def package(
    path: Path,
    fronts: Sequence[str] = ("What is a cell?",),
    script: str = "",
    cloze: bool = False,
    params: Sequence[object] = (),
    extra: dict[str, bytes] | None = None,
    media: str = "{}",
) -> Path:
    """An .apkg holding `collection_file(...)` as `collection.anki21`, the `media` map, and
    `extra` entries."""
    col = collection_file(path.with_suffix(".anki21"), fronts, script, cloze, params)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(col, "collection.anki21")
        zf.writestr("media", media)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    col.unlink()
    return path
