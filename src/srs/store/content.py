"""Deck content in the collection: decks and cards, shared by every learner."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, select, text, update
from sqlalchemy.engine import Row
from sqlalchemy.sql.elements import ColumnElement

from srs.core.cardtext import printable
from srs.core.errors import UnknownCardError, UnknownDeckError
from srs.core.model import Deck, DeckSummary, LoadReport, StoredCard, card_ref
from srs.core.paper_json import paper_from_json
from srs.core.ticker import Ticker, no_ticker
from srs.store.engine import Database
from srs.store.schema import (
    card_from,
    card_table,
    deck_table,
    log_table,
    not_retired,
    state_table,
)
from srs.store.sync import load_deck


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END): portable across SQLAlchemy backends."""
    return func.sum(case((condition, 1), else_=0))


_MAY_CHANGE_DECKS = text("SELECT has_table_privilege('srs.decks', 'UPDATE')")


def stored_card(row: Row[Any]) -> StoredCard:
    """The `StoredCard` of a `cards` row read with its deck's title (`deck_title`)."""
    return StoredCard(
        row.pk,
        row.deck_id,
        row.deck_title,
        card_from(row),
        row.edited_at,
        row.retired_at is not None,
    )


class ContentQueries:
    """Loading, listing, finding and removing decks and cards."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def is_empty(self) -> bool:
        """True when the collection holds no deck at all."""
        with self.db.read() as conn:
            return conn.execute(select(func.count()).select_from(deck_table)).scalar_one() == 0

    def load_deck(self, deck: Deck, now: datetime, ticker: Ticker = no_ticker) -> LoadReport:
        """Add or update `deck` by stable card ids, in one transaction (`sync.load_deck`)."""
        return load_deck(self.db, deck, now, ticker)

    def deck_digests(self) -> dict[str, str]:
        """`authoring.file_digest` of the file each deck was last loaded from -> the deck's id.

        Empty for a learner on a server: only an instructor may load decks there, and a learner's
        `srs deck add` of an unchanged file must still be refused, not skipped as done."""
        with self.db.read() as conn:
            if self.db.on_server and not conn.execute(_MAY_CHANGE_DECKS).scalar():
                return {}
            rows = conn.execute(
                select(deck_table.c.file_sha256, deck_table.c.id).where(
                    deck_table.c.file_sha256.is_not(None)
                )
            ).all()
        return {r[0]: r[1] for r in rows}

    def unchanged_report(self, deck_id: str) -> LoadReport:
        """The report of loading a deck's file again unchanged: every active card unchanged.
        (Not retired is a NOT IN over the few retired cards: the deck's cards are counted from
        their index, no card's row read.)"""
        with self.db.read() as conn:
            count = conn.execute(
                select(func.count())
                .select_from(card_table)
                .where(
                    card_table.c.deck_id == deck_id,
                    not_retired(card_table.c.pk),
                )
            ).scalar_one()
        return LoadReport(deck_id=deck_id, unchanged=int(count))

    def decks(self) -> list[DeckSummary]:
        """Every deck in load order, with active and retired card counts (a deck retired on a
        server is left out)."""
        active = count_if(card_table.c.retired_at.is_(None))
        retired = count_if(card_table.c.retired_at.is_not(None))
        with self.db.read() as conn:
            rows = conn.execute(
                select(
                    deck_table.c.id,
                    deck_table.c.title,
                    deck_table.c.source,
                    deck_table.c.path,
                    deck_table.c.loaded_at,
                    func.coalesce(active, 0),
                    func.coalesce(retired, 0),
                    deck_table.c.paper,
                )
                .outerjoin(card_table, card_table.c.deck_id == deck_table.c.id)
                .where(deck_table.c.retired_at.is_(None))
                .group_by(deck_table.c.id)
                .order_by(deck_table.c.seq)
            ).all()
        return [
            DeckSummary(r[0], r[1], r[2], r[3], int(r[5]), int(r[6]), r[4], paper_from_json(r[7]))
            for r in rows
        ]

    def deck_ids(self) -> list[str]:
        """The ids of `decks()`, in the same order, without counting their cards."""
        with self.db.read() as conn:
            return list(
                conn.execute(
                    select(deck_table.c.id)
                    .where(deck_table.c.retired_at.is_(None))
                    .order_by(deck_table.c.seq)
                ).scalars()
            )

    def require_decks(self, deck_ids: Sequence[str]) -> list[str]:
        """Return `deck_ids` (all decks when empty), or raise `UnknownDeckError`."""
        known = self.deck_ids()
        if not deck_ids:
            return known
        for deck_id in deck_ids:
            if deck_id not in known:
                # Ids from the database are untrusted text: quoted as visible escapes.
                listed = ", ".join(printable(k) for k in known)
                hint = f"; known decks: {listed}" if known else "; the collection is empty"
                close = difflib.get_close_matches(deck_id, known, n=1, cutoff=0.5)
                if close:
                    hint = f"; did you mean {printable(close[0])!r}?{hint}"
                raise UnknownDeckError(f"unknown deck {deck_id!r}{hint}")
        return list(dict.fromkeys(deck_ids))

    def deck_history(self, deck_id: str) -> tuple[int, int]:
        """The learners who answered cards of a deck, and their answers (those this user may
        read: on a server, an instructor reads everyone's)."""
        pks = select(card_table.c.pk).where(card_table.c.deck_id == deck_id)
        with self.db.read() as conn:
            row = conn.execute(
                select(func.count(func.distinct(log_table.c.learner)), func.count()).where(
                    log_table.c.card_pk.in_(pks)
                )
            ).one()
        return int(row[0]), int(row[1])

    def retire_deck(self, deck_id: str, now: datetime) -> int:
        """Retire a deck for everyone, keeping every learner's history: its cards leave every
        queue, the deck leaves every list, and loading its file again brings it back."""
        self.require_decks([deck_id])
        with self.db.write() as conn:
            self.db.class_lock(conn)
            count = conn.execute(
                update(card_table)
                .where(card_table.c.deck_id == deck_id, card_table.c.retired_at.is_(None))
                .values(retired_at=now)
            ).rowcount
            conn.execute(
                update(deck_table)
                .where(deck_table.c.id == deck_id)
                .values(retired_at=now, file_sha256=None)
            )
        return int(count)

    def remove_deck(self, deck_id: str) -> int:
        """Delete a deck, its cards, and every learner's state and log for them."""
        self.require_decks([deck_id])
        with self.db.write() as conn:
            self.db.class_lock(conn)
            pks = select(card_table.c.pk).where(card_table.c.deck_id == deck_id)
            conn.execute(delete(log_table).where(log_table.c.card_pk.in_(pks)))
            conn.execute(delete(state_table).where(state_table.c.card_pk.in_(pks)))
            count = conn.execute(delete(card_table).where(card_table.c.deck_id == deck_id)).rowcount
            conn.execute(delete(deck_table).where(deck_table.c.id == deck_id))
        return int(count)

    def cards(
        self, deck_ids: Sequence[str] = (), include_retired: bool = False
    ) -> list[StoredCard]:
        """Cards of the named decks (all when empty), deck by deck in file order."""
        query = (
            select(card_table, deck_table.c.title.label("deck_title"))
            .join(deck_table, deck_table.c.id == card_table.c.deck_id)
            .order_by(deck_table.c.seq, card_table.c.position)
        )
        if deck_ids:
            query = query.where(card_table.c.deck_id.in_(list(deck_ids)))
        if not include_retired:
            query = query.where(card_table.c.retired_at.is_(None))
        with self.db.read() as conn:
            rows = conn.execute(query).all()
        return [stored_card(r) for r in rows]

    def card(self, pk: int) -> StoredCard:
        """One card by its internal key."""
        with self.db.read() as conn:
            row = conn.execute(
                select(card_table, deck_table.c.title.label("deck_title"))
                .join(deck_table, deck_table.c.id == card_table.c.deck_id)
                .where(card_table.c.pk == pk)
            ).first()
        if row is None:
            raise UnknownCardError(f"no card with key {pk}")
        return stored_card(row)

    def find_card(self, ref: str) -> StoredCard:
        """A card named as `CARD_ID` or `DECK_ID/CARD_ID`; an ambiguous bare id is refused."""
        deck_id, _, card_id = ref.rpartition("/")
        query = (
            select(card_table, deck_table.c.title.label("deck_title"))
            .join(deck_table, deck_table.c.id == card_table.c.deck_id)
            .where(card_table.c.card_id == card_id)
        )
        if deck_id:
            query = query.where(card_table.c.deck_id == deck_id)
        with self.db.read() as conn:
            rows = conn.execute(query).all()
        if not rows:
            raise UnknownCardError(f"unknown card {ref!r}{self._closest(deck_id, card_id)}")
        if len(rows) > 1:
            options = ", ".join(printable(card_ref(r.deck_id, r.card_id)) for r in rows)
            raise UnknownCardError(f"card id {ref!r} is in several decks; name one of: {options}")
        return stored_card(rows[0])

    def _closest(self, deck_id: str, card_id: str) -> str:
        """ "; did you mean: ..." with up to three ids the collection holds closest to the one
        asked for (in the deck named, when it is known); empty when none is close."""
        with self.db.read() as conn:
            known: list[tuple[str, str]] = [
                (d, c) for d, c in conn.execute(select(card_table.c.deck_id, card_table.c.card_id))
            ]
        if deck_id and any(d == deck_id for d, _ in known):
            known = [(d, c) for d, c in known if d == deck_id]
        by_id: dict[str, list[str]] = {}
        for d, c in known:
            by_id.setdefault(c, []).append(f"{d}/{c}" if deck_id else c)
        close = difflib.get_close_matches(card_id, list(by_id), n=3, cutoff=0.6)
        names = [name for c in close for name in by_id[c]][:3]
        return f"; did you mean: {', '.join(names)}?" if names else ""
