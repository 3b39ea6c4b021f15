"""Reading a package for `srs merge anki`: the collection as `srs import anki` reads it (same
bounds, same temporary folder always removed: `import_.extracted`), and the FSRS memory state
of its cards.

Anki keeps a card's FSRS memory in the `data` column of `cards`, a JSON object whose `s` is the
stability (days) and `d` the difficulty (1 to 10), written only for cards FSRS scheduled. The
values are returned as the file holds them: `fsrs_memory` checks them.
"""

from __future__ import annotations

import json
import math
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from srs.anki.import_ import extracted, refuse_stand_in
from srs.anki.import_.collection import AnkiCollection, read_collection
from srs.anki.import_.limits import ImportLimits
from srs.anki.import_.reading import connect, failure
from srs.anki.import_.scheduling import OutOfRange
from srs.core.scheduling.bounds import MAX_STABILITY


@dataclass(frozen=True)
class MergePackage:
    """A package's collection (with its review log), and the raw `data` of each card whose
    `data` names an FSRS memory state, by Anki card id."""

    col: AnkiCollection
    memory: dict[int, str]


def read_merge_package(package: Path, limits: ImportLimits) -> MergePackage:
    """The collection in `package` and its cards' FSRS memory, read within `limits` as `srs
    import anki` reads it (`import_.extracted`). Raises `AnkiImportError` (one line)."""
    with extracted(package, limits) as collection:
        col = read_collection(package, collection, True, limits)
        memory = _memory(package, collection, limits)
    refuse_stand_in(package, col)
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
