"""Progress in and out of the collection: a learner's state and log taken from another program
(`srs import anki --with-progress`), and read in bulk for an export with progress."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from srs.core.model import ImportedProgress, LogRecord, SchedState
from srs.store.engine import Database
from srs.store.schema import (
    card_table,
    log_row,
    log_table,
    state_from,
    state_table,
    state_values,
)
from srs.store.study import read_log


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
