"""Reading a package for `srs merge anki`: the collection as `srs import anki` reads it (same
bounds, same temporary folder always removed), and the FSRS memory state of its cards.

Anki keeps a card's FSRS memory in the `data` column of `cards`, a JSON object whose `s` is the
stability (days) and `d` the difficulty (1 to 10), written only for cards FSRS scheduled. The
values are returned as the file holds them: `fsrs_memory` checks them.
"""

from __future__ import annotations

import json
import math
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from srs.anki.import_.collection import AnkiCollection, read_collection
from srs.anki.import_.limits import ImportLimits
from srs.anki.import_.package import extract
from srs.anki.import_.reading import connect, failure
from srs.anki.import_.scheduling import OutOfRange
from srs.anki.tempfiles import temp_prefix
from srs.core.errors import AnkiImportError
from srs.core.scheduling.bounds import MAX_STABILITY

_DUMMY = "Please update to the latest Anki version"


@dataclass(frozen=True)
class MergePackage:
    """A package's collection (with its review log), and the raw `data` of each card whose
    `data` names an FSRS memory state, by Anki card id."""

    col: AnkiCollection
    memory: dict[int, str]


def read_merge_package(package: Path, limits: ImportLimits) -> MergePackage:
    """The collection in `package` and its cards' FSRS memory, read within `limits` from a
    temporary directory that is always removed. Raises `AnkiImportError` (one line)."""
    try:
        with tempfile.TemporaryDirectory(prefix=temp_prefix("import")) as tmp:
            found = extract(package, Path(tmp), limits)
            col = read_collection(package, found.collection, True, limits)
            memory = _memory(package, found.collection, limits)
    except OSError as exc:
        raise AnkiImportError(f"cannot read {package}: {exc.strerror or exc}") from None
    notes = col.notes
    if len(notes) == 1 and notes[0].fields and notes[0].fields[0].startswith(_DUMMY):
        raise AnkiImportError(
            f"{package}: made by a newer Anki (its collection is in a format srs cannot read); "
            "export it from Anki with 'Support older Anki versions' ticked"
        )
    return MergePackage(col, memory)


def _memory(package: Path, path: Path, limits: ImportLimits) -> dict[int, str]:
    conn, budget = connect(package, path, limits)
    try:
        with budget.catching_ctrl_c(), closing(conn):
            rows = conn.execute(
                "SELECT id, CAST(data AS TEXT) FROM cards WHERE instr(data, '\"s\"') > 0"
            ).fetchall()
    except sqlite3.Error as exc:
        raise failure(package, exc, budget, limits) from None
    return {cid: data for cid, data in rows if isinstance(cid, int) and isinstance(data, str)}


def fsrs_memory(data: str | None) -> tuple[float, float] | None:
    """(stability, difficulty) of a card's `data`; None when it holds no FSRS memory state
    (no `s` and `d`, or not a JSON object). Raises `OutOfRange` for a stability or difficulty
    that is not a finite number in FSRS's range (`core.scheduling.bounds`)."""
    if data is None:
        return None
    try:
        found = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(found, dict) or "s" not in found or "d" not in found:
        return None
    s, d = found["s"], found["d"]
    for value in (s, d):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise OutOfRange("FSRS memory")
        if not math.isfinite(value):
            raise OutOfRange("FSRS memory")
    if not (0 < s <= MAX_STABILITY and 1 <= d <= 10):
        raise OutOfRange("FSRS memory")
    return float(s), float(d)
