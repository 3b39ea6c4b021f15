"""Cards listed with this learner's state (`srs cards`), and the ids closest to a mistyped one."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sqlalchemy import and_, select

from srs.core.errors import UnknownCardError
from srs.core.model import CardRow, Kind, StoredCard
from srs.store.figures import FigureQueries
from srs.store.schema import card_table, deck_table, state_table
from srs.store.setaside import SetAsideQueries


class ListingQueries(SetAsideQueries, FigureQueries):
    """Every card of some decks with its state; card ids resolved with suggestions."""

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
                    s, and_(s.c.card_pk == card_table.c.pk, s.c.learner == self.learner)
                )
            )
            .where(card_table.c.deck_id.in_(list(deck_ids)), card_table.c.retired_at.is_(None))
            .order_by(deck_table.c.seq, card_table.c.position)
        )
        with self.read() as conn:
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

    def find_card(self, ref: str) -> StoredCard:
        """A card named as `CARD_ID` or `DECK_ID/CARD_ID`; an unknown one is refused with the
        closest ids the collection holds."""
        try:
            return super().find_card(ref)
        except UnknownCardError as exc:
            if not str(exc).startswith("unknown card"):
                raise
            deck_id, _, card_id = ref.rpartition("/")
            with self.read() as conn:
                known: list[tuple[str, str]] = [
                    (d, c)
                    for d, c in conn.execute(select(card_table.c.deck_id, card_table.c.card_id))
                ]
            if deck_id and any(d == deck_id for d, _ in known):
                known = [(d, c) for d, c in known if d == deck_id]
            by_id: dict[str, list[str]] = {}
            for d, c in known:
                by_id.setdefault(c, []).append(f"{d}/{c}" if deck_id else c)
            close = difflib.get_close_matches(card_id, list(by_id), n=3, cutoff=0.6)
            if close:
                names = [name for c in close for name in by_id[c]][:3]
                raise UnknownCardError(
                    f"unknown card {ref!r}; did you mean: {', '.join(names)}?"
                ) from None
            raise
