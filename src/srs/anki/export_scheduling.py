"""`srs export anki --with-progress`: the learner's SM-2 schedule and review log, in Anki's terms.

genanki writes every card as new. After it has built the collection, each reviewed card's row is
rewritten as an Anki review card and its answers are added as revlog rows:

- `cards`: type 2 and queue 2 (review), `ivl` the interval in days, `due` the due date as a day
  number counted from the collection's creation day (`col.crt`), `factor` the ease in permille
  (`ef * 10`, ef being in hundredths), `reps` and `lapses` as srs counts them;
- `revlog`: one row an answer, its id the answer's time in milliseconds; `ease` is the button
  (grade < 3 -> Again, 3 -> Hard, 4 -> Good, 5 -> Easy); `type` 0 for a first answer (learn),
  1 for a scheduled review, 2 for a same-day drill (relearn); `ivl`, `lastIvl` and `factor` from
  the state after and before the answer.

Anki reads due days relative to the package's "today" when it imports (the days since `crt`), so
`crt` is set to the start of a fixed study day (`CRT_DAY` at the rollover hour, in the learner's
time zone) and dues stay right whenever the package is imported. Anki applies all this only to
cards it does not have yet, and only with "Import scheduling" on. Cards never reviewed stay new.

A cloze card's items are the cards of its one Cloze note: each item's schedule goes to the card of
its deletion (ord = deletion number - 1).

A card the learner suspended goes to Anki suspended (`queue` -1), one buried today buried by the
learner (`queue` -3), reviewed or not.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from pathlib import Path

from srs.anki.export import ExportReport, export_apkg, export_items, note_guid
from srs.core.grades import anki_button
from srs.core.model import LogRecord, ReviewKind, SchedState
from srs.core.scheduling.bounds import valid_state
from srs.core.ticker import Ticker, no_ticker
from srs.store import Store

CRT_DAY = date(2006, 1, 1)
"""Day 0 of the exported collection's day numbering (any fixed day before every due date)."""

_SUSPENDED, _BURIED = -1, -3  # Anki's queue for a suspended card, and one the learner buried
_TYPE = {ReviewKind.NEW: 0, ReviewKind.REVIEW: 1, ReviewKind.DRILL: 2}


def anki_ease(grade: int) -> int:
    """An SM-2 grade as Anki's answer button: 1 Again, 2 Hard, 3 Good, 4 Easy."""
    return anki_button(grade)


def crt_for(tz: tzinfo, rollover_hour: int) -> int:
    """The collection creation time that makes Anki's day 0 the study day `CRT_DAY`."""
    return int(datetime.combine(CRT_DAY, time(rollover_hour), tz).timestamp())


def due_number(due: date) -> int:
    """A due date as Anki's day number in the exported collection."""
    return (due - CRT_DAY).days


def export_decks_with_progress(
    store: Store,
    deck_ids: Sequence[str],
    out: Path,
    today: date,
    tz: tzinfo,
    rollover_hour: int,
    ticker: Ticker = no_ticker,
    force: bool = False,
) -> ExportReport:
    """Export like `export_decks`, with this learner's state and review log for each card.
    (`ticker` is the terminal's bar.) A state out of bounds is left out, as a new card's."""
    items = export_items(store, deck_ids)
    chosen = store.content.require_decks(deck_ids)
    by_key = {(c.deck_id, c.card.id): c.pk for c in store.content.cards(chosen)}
    reviewed = store.transfer.progress_of(chosen)
    aside = store.transfer.set_aside_of(chosen, today)
    schedules: list[tuple[str, int, SchedState, list[LogRecord]]] = []
    set_aside: list[tuple[str, int, bool]] = []
    for item in items:
        pk = by_key[(item.deck.id, item.card.id)]
        # the note's card: a cloze item's is its deletion's (ord n - 1), any other the first
        guid, ord_ = note_guid(item.deck, item.card), max(item.card.deletion - 1, 0)
        if pk in aside:
            set_aside.append((guid, ord_, aside[pk]))
        found = reviewed.get(pk)
        if found is None or found[0].is_new or valid_state(found[0]) is None:
            continue
        schedules.append((guid, ord_, *found))
    crt = crt_for(tz, rollover_hour)

    def amend(cursor: sqlite3.Cursor) -> None:
        write_progress(cursor, schedules, crt, set_aside)

    return export_apkg(items, out, amend, ticker, force)


def write_progress(
    cursor: sqlite3.Cursor,
    progress: Sequence[tuple[str, int, SchedState, Sequence[LogRecord]]],
    crt: int,
    set_aside: Sequence[tuple[str, int, bool]] = (),
) -> None:
    """Turn the cards named by note guid and card ord into review cards, and add their revlog
    rows; then suspend (True) or bury (False) the cards `set_aside` names."""
    # schedVer 2: without it Anki takes the package for its v1 scheduler, whose learning answers
    # had three buttons, and on import turns a first answer's Good (3) into Easy (4).
    cursor.execute("UPDATE col SET crt = ?, conf = json_set(conf, '$.schedVer', 2)", (crt,))
    used: set[int] = set()
    for guid, ord_, state, log in progress:
        row = cursor.execute(
            "SELECT cards.id FROM cards JOIN notes ON notes.id = cards.nid "
            "WHERE notes.guid = ? AND cards.ord = ?",
            (guid, ord_),
        ).fetchone()
        if row is None or state.due is None:
            continue
        cid = int(row[0])
        cursor.execute(
            "UPDATE cards SET type = 2, queue = 2, ivl = ?, due = ?, factor = ?, reps = ?, "
            "lapses = ?, left = 0 WHERE id = ?",
            (
                max(state.interval, 1),
                due_number(state.due),
                state.ef * 10,
                state.reps,
                state.lapses,
                cid,
            ),
        )
        last_ivl = 0
        for record in log:
            rid = int(record.reviewed_at.timestamp() * 1000)
            while rid in used:  # revlog ids are unique: answers in one millisecond move apart
                rid += 1
            used.add(rid)
            cursor.execute(
                "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                "VALUES (?, ?, -1, ?, ?, ?, ?, 0, ?)",
                (
                    rid,
                    cid,
                    anki_ease(record.grade),
                    record.interval,
                    last_ivl,
                    record.ef * 10,
                    _TYPE[record.review_kind],
                ),
            )
            if record.review_kind is not ReviewKind.DRILL:
                last_ivl = record.interval
    for guid, ord_, suspended in set_aside:
        cursor.execute(
            "UPDATE cards SET queue = ? WHERE ord = ? AND nid IN "
            "(SELECT id FROM notes WHERE guid = ?)",
            (_SUSPENDED if suspended else _BURIED, ord_, guid),
        )
