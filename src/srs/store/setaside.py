"""Cards a learner sets aside: buried until tomorrow, or suspended until unsuspended.

Both are the learner's own (columns of `card_state`), so they never touch another learner's queue.
A card with no state row gets one (with the new state) when it is buried or suspended, under the
same per-card lock as an answer, so a first answer and a bury at once never both insert it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from srs.core.errors import CardGoneError
from srs.core.model import NEW_STATE
from srs.store import answer_sql, queue
from srs.store.engine import Database
from srs.store.schema import card_table, state_table, state_values


class SetAsideQueries:
    """Bury, unbury, suspend and unsuspend one learner's cards."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def _ensure_row(self, conn: Connection, card_pk: int) -> None:
        """Give the card a state row; `CardGoneError` when it was retired or removed meanwhile.

        On a server the row is inserted unless there (`placeholder_state`): a first answer in
        another session that is inserting the row finishes first, and this one then finds the
        row instead of inserting a duplicate."""
        card = conn.execute(
            select(card_table.c.retired_at).where(card_table.c.pk == card_pk)
        ).first()
        if card is None or card.retired_at is not None:
            raise CardGoneError("the card was retired or removed since the session began")
        if self.db.on_server:
            params = {"learner": self.db.learner, "card_pk": card_pk}
            conn.execute(
                answer_sql.placeholder_state(), {**params, **state_values(NEW_STATE, "new_")}
            )
            return
        found = conn.execute(
            select(state_table.c.card_pk).where(queue.mine(self.db.learner, card_pk))
        ).first()
        if found is None:
            conn.execute(
                state_table.insert().values(
                    learner=self.db.learner,
                    card_pk=card_pk,
                    buried_on=None,
                    **state_values(NEW_STATE),
                )
            )

    def bury(self, card_pk: int, today: date) -> date | None:
        """Hide a card until the next day; returns the day it was buried on before (for undo)."""
        with self.db.write() as conn:
            self._ensure_row(conn, card_pk)
            before: date | None = conn.execute(
                select(state_table.c.buried_on).where(queue.mine(self.db.learner, card_pk))
            ).scalar_one()
            conn.execute(
                update(state_table)
                .where(queue.mine(self.db.learner, card_pk))
                .values(buried_on=today)
            )
            return before

    def set_buried(self, card_pk: int, day: date | None) -> None:
        """Put a card's burial back to `day` (None: not buried); used by undo."""
        with self.db.write() as conn:
            conn.execute(
                update(state_table)
                .where(queue.mine(self.db.learner, card_pk))
                .values(buried_on=day)
            )

    def unbury(self, card_pks: Sequence[int], deck_ids: Sequence[str], today: date) -> int:
        """Unbury the cards named (every card of `deck_ids` buried today when none is); returns
        how many were buried."""
        where = [state_table.c.learner == self.db.learner, state_table.c.buried_on == today]
        if card_pks:
            where.append(state_table.c.card_pk.in_(list(card_pks)))
        else:
            in_decks = select(card_table.c.pk).where(card_table.c.deck_id.in_(list(deck_ids)))
            where.append(state_table.c.card_pk.in_(in_decks))
        with self.db.write() as conn:
            return int(
                conn.execute(update(state_table).where(*where).values(buried_on=None)).rowcount
            )

    def buried_today(self, card_pks: Sequence[int], today: date) -> set[int]:
        """Those of the cards that this learner buried `today`."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(state_table.c.card_pk).where(
                    state_table.c.learner == self.db.learner,
                    state_table.c.buried_on == today,
                    state_table.c.card_pk.in_(list(card_pks)),
                )
            )
            return {int(row.card_pk) for row in rows}

    def is_suspended(self, card_pk: int) -> bool:
        """True when this learner has suspended the card."""
        with self.db.read() as conn:
            found = conn.execute(
                select(state_table.c.suspended_at).where(queue.mine(self.db.learner, card_pk))
            ).first()
        return found is not None and found.suspended_at is not None

    def suspend(self, card_pk: int, now: datetime) -> bool:
        """Suspend a card for this learner; False (and nothing changes) when it already was."""
        with self.db.write() as conn:
            self._ensure_row(conn, card_pk)
            done = conn.execute(
                update(state_table)
                .where(queue.mine(self.db.learner, card_pk), state_table.c.suspended_at.is_(None))
                .values(suspended_at=now)
            ).rowcount
        return bool(done)

    def unsuspend(self, card_pk: int) -> bool:
        """Bring a suspended card back; False when it was not suspended."""
        with self.db.write() as conn:
            done = conn.execute(
                update(state_table)
                .where(
                    queue.mine(self.db.learner, card_pk), state_table.c.suspended_at.is_not(None)
                )
                .values(suspended_at=None)
            ).rowcount
        return bool(done)
