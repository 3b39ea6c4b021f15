"""Progress in and out of the collection: a learner's state and log taken from another program
(`srs import anki --with-progress`), read in bulk for an export with progress, and merged back
(`srs merge anki`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import bindparam, select, update

from srs.core.merging import MergedProgress, StoredAnswer, StoredProgress
from srs.core.model import NEW_STATE, ImportedProgress, LogRecord, SchedState
from srs.store.bulk import insert_many
from srs.store.engine import Database
from srs.store.log_rows import LOG_COLUMNS, log_row, log_tuple
from srs.store.schema import (
    STATE_FIELDS,
    card_table,
    log_table,
    state_from,
    state_table,
    state_values,
)
from srs.store.study import read_log

_STATE = attrgetter(*STATE_FIELDS)
_NEW_STATE_COLUMNS = ("learner", "card_pk", *STATE_FIELDS, "buried_on", "suspended_at")


class TransferQueries:
    """Bulk reads and writes of one learner's progress."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def import_progress(self, deck_id: str, items: Sequence[ImportedProgress]) -> int:
        """Give this learner the state and log of `items` (cards of `deck_id`), in one transaction.

        Only cards this learner has never reviewed take the imported progress, so importing twice,
        or after reviewing in srs, never overwrites progress made here. Returns the cards set.
        """
        set_cards = 0
        with self.db.write() as conn:
            pks = {
                row.card_id: row.pk
                for row in conn.execute(
                    select(card_table.c.card_id, card_table.c.pk).where(
                        card_table.c.deck_id == deck_id
                    )
                )
            }
            have = set(
                conn.execute(
                    select(state_table.c.card_pk).where(state_table.c.learner == self.db.learner)
                ).scalars()
            ) | set(
                conn.execute(
                    select(log_table.c.card_pk).where(log_table.c.learner == self.db.learner)
                ).scalars()
            )
            states: list[dict[str, Any]] = []
            logs: list[dict[str, Any]] = []
            for item in items:
                pk = pks.get(item.card_id)
                if pk is None or pk in have:
                    continue
                set_cards += 1
                states.append(
                    {
                        "learner": self.db.learner,
                        "card_pk": pk,
                        "buried_on": None,
                        **state_values(item.state),
                    }
                )
                for past in item.log:
                    logs.append(
                        log_row(
                            self.db.learner,
                            pk,
                            past.reviewed_at,
                            past.day,
                            past.grade,
                            past.review_kind.value,
                            past.before,
                            past.after,
                            had_state=not past.first,
                            anki_id=past.anki_id,
                        )
                    )
            if states:
                conn.execute(state_table.insert(), states)
            if logs:
                conn.execute(log_table.insert(), logs)
        return set_cards

    def progress_of(self, deck_ids: Sequence[str]) -> dict[int, tuple[SchedState, list[LogRecord]]]:
        """Every reviewed card of `deck_ids` (by pk): its state and its answers, oldest first.
        Two queries, for exports of a whole collection."""
        in_decks = card_table.c.deck_id.in_(list(deck_ids))
        query = (
            select(state_table)
            .join(card_table, card_table.c.pk == state_table.c.card_pk)
            .where(state_table.c.learner == self.db.learner, in_decks)
        )
        found: dict[int, tuple[SchedState, list[LogRecord]]] = {}
        with self.db.read() as conn:
            for row in conn.execute(query):
                found[row.card_pk] = (state_from(row), [])
        for record in read_log(self.db, in_decks):
            if record.card_pk in found:
                found[record.card_pk][1].append(record)
        return found

    def set_aside_of(self, deck_ids: Sequence[str], today: date) -> dict[int, bool]:
        """The cards of `deck_ids` this learner has set aside (by pk): True for suspended, False
        for buried on `today`. One query, for an export with progress."""
        query = (
            select(state_table.c.card_pk, state_table.c.suspended_at)
            .join(card_table, card_table.c.pk == state_table.c.card_pk)
            .where(
                state_table.c.learner == self.db.learner,
                card_table.c.deck_id.in_(list(deck_ids)),
                (state_table.c.suspended_at.is_not(None)) | (state_table.c.buried_on == today),
            )
        )
        with self.db.read() as conn:
            return {row.card_pk: row.suspended_at is not None for row in conn.execute(query)}

    def stored_progress(self, card_pks: Sequence[int]) -> dict[int, StoredProgress]:
        """This learner's progress on each of `card_pks` (every one, reviewed or not): two
        queries, read in one transaction, for a merge to compare with another program's."""
        wanted = list(card_pks)
        found: dict[int, StoredProgress] = {}
        answers: dict[int, list[StoredAnswer]] = {pk: [] for pk in wanted}
        rows: dict[int, Any] = {}
        with self.db.read() as conn:
            for chunk in _chunks(wanted):
                for found_row in conn.execute(
                    select(state_table).where(
                        state_table.c.learner == self.db.learner, state_table.c.card_pk.in_(chunk)
                    )
                ):
                    rows[found_row.card_pk] = found_row
                for log in conn.execute(
                    select(
                        log_table.c.card_pk,
                        log_table.c.reviewed_at,
                        log_table.c.grade,
                        log_table.c.day,
                        log_table.c.anki_id,
                    )
                    .where(log_table.c.learner == self.db.learner, log_table.c.card_pk.in_(chunk))
                    .order_by(log_table.c.id)
                ):
                    answers[log.card_pk].append(
                        StoredAnswer(log.reviewed_at, log.grade, log.day, log.anki_id)
                    )
        for pk in wanted:
            row: Any = rows.get(pk)
            found[pk] = StoredProgress(
                state=None if row is None else state_from(row),
                suspended=row is not None and row.suspended_at is not None,
                buried_on=None if row is None else row.buried_on,
                answers=tuple(answers[pk]),
            )
        return found

    def merge_progress(self, items: Sequence[MergedProgress], now: datetime) -> int:
        """Apply a merge in one transaction: each item's answers (those whose Anki review id this
        learner's log lacks), its state, its suspension (at `now`) and its burial. Returns the
        answers added; an answer already there is never added again."""
        added = 0
        learner = self.db.learner
        with self.db.write() as conn:
            pks = [item.card_pk for item in items]
            have: set[tuple[int, int]] = set()
            with_state: set[int] = set()
            for chunk in _chunks(pks):
                have.update(
                    (row.card_pk, row.anki_id)
                    for row in conn.execute(
                        select(log_table.c.card_pk, log_table.c.anki_id).where(
                            log_table.c.learner == learner,
                            log_table.c.card_pk.in_(chunk),
                            log_table.c.anki_id.is_not(None),
                        )
                    )
                )
                with_state.update(
                    conn.execute(
                        select(state_table.c.card_pk).where(
                            state_table.c.learner == learner, state_table.c.card_pk.in_(chunk)
                        )
                    ).scalars()
                )
            logs: list[tuple[Any, ...]] = []
            new_rows: list[tuple[Any, ...]] = []
            states: list[dict[str, Any]] = []
            buries: list[dict[str, Any]] = []
            suspends: list[dict[str, Any]] = []
            for item in items:
                pk = item.card_pk
                for past in item.log:
                    if past.anki_id is None or (pk, past.anki_id) in have:
                        continue
                    have.add((pk, past.anki_id))
                    logs.append(
                        log_tuple(
                            learner,
                            pk,
                            past.reviewed_at,
                            past.day,
                            past.grade,
                            past.review_kind.value,
                            past.before,
                            past.after,
                            had_state=not past.first,
                            anki_id=past.anki_id,
                        )
                    )
                if item.state is None and item.bury_on is None and not item.suspend:
                    continue
                if item.card_pk not in with_state:
                    with_state.add(item.card_pk)
                    suspended_at = now if item.suspend else None
                    state = item.state or NEW_STATE
                    new_rows.append((learner, pk, *_STATE(state), item.bury_on, suspended_at))
                    continue
                if item.state is not None:
                    states.append({"b_pk": item.card_pk, **state_values(item.state, prefix="b_")})
                if item.bury_on is not None:
                    buries.append({"b_pk": item.card_pk, "b_buried_on": item.bury_on})
                if item.suspend:
                    suspends.append({"b_pk": item.card_pk})
            mine = (state_table.c.learner == learner, state_table.c.card_pk == bindparam("b_pk"))
            insert_many(conn, state_table, _NEW_STATE_COLUMNS, new_rows)
            if states:
                values: dict[str, Any] = {n: bindparam(f"b_{n}") for n in STATE_FIELDS}
                conn.execute(update(state_table).where(*mine).values(values), states)
            if buries:
                conn.execute(
                    update(state_table).where(*mine).values(buried_on=bindparam("b_buried_on")),
                    buries,
                )
            if suspends:
                conn.execute(
                    update(state_table)
                    .where(*mine, state_table.c.suspended_at.is_(None))
                    .values(suspended_at=now),
                    suspends,
                )
            insert_many(conn, log_table, LOG_COLUMNS, logs)
            added = len(logs)
        return added


def _chunks(pks: Sequence[int], size: int = 500) -> list[list[int]]:
    """`pks` in lists short enough for one IN (...) of bound parameters on either backend."""
    return [list(pks[i : i + size]) for i in range(0, len(pks), size)]
