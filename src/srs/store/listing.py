"""Cards listed with this learner's state (`srs cards`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, select

from srs.core.model import CardRow, Kind
from srs.store.engine import Database
from srs.store.schema import card_table, deck_table, state_table


class ListingQueries:
    """Every card of some decks with this learner's state of it."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def card_rows(self, deck_ids: Sequence[str]) -> list[CardRow]:
        """The active cards of `deck_ids`, deck by deck in file order, with their state."""
        s = state_table.alias("s")
        query = (
            select(
                card_table.c.deck_id,
                card_table.c.card_id,
                card_table.c.kind,
                card_table.c.front,
                card_table.c.back,
                s.c.due,
                s.c.interval,
                s.c.lapses,
                s.c.suspended_at,
                s.c.buried_on,
            )
            .select_from(
                card_table.join(deck_table, deck_table.c.id == card_table.c.deck_id).outerjoin(
                    s, and_(s.c.card_pk == card_table.c.pk, s.c.learner == self.db.learner)
                )
            )
            .where(card_table.c.deck_id.in_(list(deck_ids)), card_table.c.retired_at.is_(None))
            .order_by(deck_table.c.seq, card_table.c.position)
        )
        with self.db.read() as conn:
            rows = conn.execute(query).all()
        return [
            CardRow(
                deck_id=r.deck_id,
                card_id=r.card_id,
                kind=Kind(r.kind),
                front=r.front,
                back=r.back,
                due=r.due,
                interval=r.interval or 0,
                lapses=r.lapses or 0,
                suspended=r.suspended_at is not None,
                buried_on=r.buried_on,
            )
            for r in rows
        ]
