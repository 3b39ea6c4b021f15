"""The collection: the SQLAlchemy tables, the engine, and every query.

Deck content (`decks`, `cards`) is kept apart from one learner's scheduling state (`card_state`)
and review log (`review_log`), so a class can later share one server. Each public write runs in
its own short transaction and is committed before the call returns.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    case,
    create_engine,
    delete,
    event,
    func,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from srs import sm2
from srs.errors import SchemaTooNewError, StoreError, UnknownCardError, UnknownDeckError
from srs.model import NEW_STATE, Card, Deck, Kind, LoadReport, ReviewKind, SchedState
from srs.stats import DayCount, DueCount, EfCount, HardCard, RetentionCount, TodayCounts

SCHEMA_VERSION = 1
_CONTENT_FIELDS = ("kind", "front", "back", "source", "tags")  # a change here is an edit


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes, stored as naive UTC so every backend compares them the same."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


# Plain SQLAlchemy Core tables, not ORM classes: every query here is Core, and importing the ORM
# would cost most of a command's start-up time.
metadata = MetaData()

meta_table = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# Deck content, shared by every learner.
deck_table = Table(
    "decks",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("title", Text, nullable=False),
    Column("source", Text, nullable=False, default=""),
    Column("path", Text, nullable=True),
    Column("seq", Integer, nullable=False),  # load order: new cards come deck by deck
    Column("loaded_at", UTCDateTime, nullable=False),
)

# Card content. `card_id` is the stable id from the deck file; `pk` never leaves the store.
card_table = Table(
    "cards",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("deck_id", ForeignKey("decks.id", ondelete="CASCADE"), nullable=False),
    Column("card_id", String(200), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("front", Text, nullable=False),
    Column("back", Text, nullable=False),
    Column("source", Text, nullable=False, default=""),
    Column("tags", Text, nullable=False, default="[]"),  # JSON list
    Column("line", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("edited_at", UTCDateTime, nullable=False),
    Column("retired_at", UTCDateTime, nullable=True),
    UniqueConstraint("deck_id", "card_id"),
    Index("ix_cards_deck_position", "deck_id", "position"),
    # `srs stats`: the cards of each kind, and the few retired cards, without a table scan
    Index("ix_cards_kind", "kind", "pk"),
    Index("ix_cards_retired", "retired_at"),
)

# One learner's SM-2 state for one card.
state_table = Table(
    "card_state",
    metadata,
    Column("learner", String(100), primary_key=True),
    Column("card_pk", ForeignKey("cards.pk", ondelete="CASCADE"), primary_key=True),
    Column("n", Integer, nullable=False, default=0),
    Column("ef", Integer, nullable=False, default=250),
    Column("interval", Integer, nullable=False, default=0),
    Column("due", Date, nullable=True),
    Column("lapses", Integer, nullable=False, default=0),
    Column("reps", Integer, nullable=False, default=0),
    Column("buried_on", Date, nullable=True),
    Index("ix_state_learner_due", "learner", "due"),
    # `srs stats`: the ef histogram and the hardest cards, read from the index alone
    Index("ix_state_stats", "learner", "ef", "lapses", "due", "reps", "card_pk"),
)

# One answer. The state before it is kept so that undo can restore it exactly.
log_table = Table(
    "review_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("learner", String(100), nullable=False),
    Column("card_pk", ForeignKey("cards.pk", ondelete="CASCADE"), nullable=False),
    Column("reviewed_at", UTCDateTime, nullable=False),
    Column("day", Date, nullable=False),
    Column("grade", Integer, nullable=False),
    Column("review_kind", String(10), nullable=False),
    Column("had_state", Integer, nullable=False),  # 0: there was no state row before
    Column("prev_n", Integer, nullable=False),
    Column("prev_ef", Integer, nullable=False),
    Column("prev_interval", Integer, nullable=False),
    Column("prev_due", Date, nullable=True),
    Column("prev_lapses", Integer, nullable=False),
    Column("prev_reps", Integer, nullable=False),
    Column("prev_buried_on", Date, nullable=True),
    Column("ef", Integer, nullable=False),
    Column("interval", Integer, nullable=False),
    Column("due", Date, nullable=True),
    Index("ix_log_learner_day", "learner", "day"),
    Index("ix_log_card", "card_pk", "learner", "day"),
    # covers the retention figures of `srs stats`: one range scan, in (day, grade) order
    Index("ix_log_retention", "learner", "review_kind", "day", "grade", "card_pk"),
)


@dataclass(frozen=True, slots=True)
class StoredCard:
    """A card as held in the collection, with where it came from and when its text changed."""

    pk: int
    deck_id: str
    deck_title: str
    card: Card
    edited_at: datetime
    retired: bool


@dataclass(frozen=True, slots=True)
class DeckSummary:
    """A deck in the collection, with its card counts."""

    id: str
    title: str
    source: str
    path: str | None
    active: int
    retired: int
    loaded_at: datetime


@dataclass(frozen=True, slots=True)
class DeckStatus:
    """Per-deck figures for `srs status`."""

    id: str
    title: str
    due: int
    new: int
    drill: int
    total: int
    next_due: date | None


@dataclass(frozen=True, slots=True)
class Answer:
    """The result of recording one answer."""

    log_id: int
    card_pk: int
    grade: int
    review_kind: ReviewKind
    state: SchedState


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One review-log row joined with its card, as the stats and history views read it."""

    id: int
    card_pk: int
    deck_id: str
    card_id: str
    kind: Kind
    reviewed_at: datetime
    day: date
    grade: int
    review_kind: ReviewKind
    ef: int
    interval: int
    due: date | None


def _state_from(row: Row[Any] | None) -> SchedState:
    if row is None:
        return NEW_STATE
    return SchedState(row.n, row.ef, row.interval, row.due, row.lapses, row.reps)


def _card_from(row: Row[Any]) -> Card:
    return Card(
        id=row.card_id,
        kind=Kind(row.kind),
        front=row.front,
        back=row.back,
        source=row.source,
        tags=tuple(json.loads(row.tags)),
        line=row.line,
    )


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    # The driver's own transaction handling is turned off so that every transaction can start
    # with BEGIN IMMEDIATE: two reviews writing at once then wait for each other (busy_timeout)
    # instead of failing on a read-to-write lock upgrade.
    dbapi_conn.isolation_level = None  # type: ignore[attr-defined]
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA busy_timeout = 15000")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    """A learner's view of one collection database."""

    def __init__(self, engine: Engine, label: str, learner: str = "default") -> None:
        self.engine = engine
        self.label = label
        self.learner = learner

    # ---- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str, label: str | None = None, learner: str = "default") -> Store:
        """Open (creating if needed) the collection at `url`; refuse one from a newer srs."""
        label = label or url
        is_sqlite = url.startswith("sqlite")
        if is_sqlite and url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            path = Path(url[len("sqlite:///") :])
            _prepare_sqlite_path(path, label)
        try:
            engine = create_engine(url)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"{label}: cannot open database: {_reason(exc)}") from None
        if is_sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        store = cls(engine, label, learner)
        store._migrate()
        return store

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    def _migrate(self) -> None:
        """Check the schema version, create the tables of a new collection, then turn WAL on.

        WAL is switched on only after the checks: a database this version refuses (too new, or
        another program's) is left byte for byte as it was.
        """
        try:
            with self.engine.begin() as conn:
                self._check_or_create_schema(conn)
            if self.engine.dialect.name == "sqlite":
                raw = self.engine.raw_connection()
                try:  # outside any transaction, where SQLite allows the change
                    raw.cursor().execute("PRAGMA journal_mode = WAL")
                finally:
                    raw.close()
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.label}: cannot open database: {_reason(exc)}") from None

    def _check_or_create_schema(self, conn: Connection) -> None:
        tables = set(inspect(conn).get_table_names())
        if "meta" in tables:
            found = conn.execute(
                select(meta_table.c.value).where(meta_table.c.key == "schema_version")
            ).scalar()
            version = int(found) if found is not None else 0
            if version > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"{self.label}: database schema version {version} was written by a newer "
                    f"srs (this one reads up to {SCHEMA_VERSION}); left untouched"
                )
            if version == SCHEMA_VERSION:
                return
        elif tables:
            raise StoreError(f"{self.label}: not an srs database (it holds other tables)")
        metadata.create_all(conn)
        conn.execute(delete(meta_table).where(meta_table.c.key == "schema_version"))
        conn.execute(meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One committed transaction; database failures become a one-line `StoreError`."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.label}: {_reason(exc)}") from None

    def get_meta(self, key: str) -> str | None:
        """A value from the collection's own key-value table."""
        with self._tx() as conn:
            return conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()

    def set_meta(self, key: str, value: str) -> None:
        """Set a value in the collection's own key-value table."""
        with self._tx() as conn:
            conn.execute(delete(meta_table).where(meta_table.c.key == key))
            conn.execute(meta_table.insert().values(key=key, value=value))

    # ---- deck content --------------------------------------------------------------------

    def is_empty(self) -> bool:
        """True when the collection holds no deck at all."""
        with self._tx() as conn:
            return conn.execute(select(func.count()).select_from(deck_table)).scalar_one() == 0

    def load_deck(self, deck: Deck, now: datetime) -> LoadReport:
        """Add or update `deck` by stable card ids, in one transaction.

        Edited text keeps the card's state and log and records `now` as its edit time; cards
        missing from the file are retired; a retired card that reappears is restored.
        """
        added = updated = retired = restored = unchanged = 0
        with self._tx() as conn:
            existing_deck = (
                conn.execute(select(deck_table.c.id).where(deck_table.c.id == deck.id)).first()
                is not None
            )
            if existing_deck:
                conn.execute(
                    update(deck_table)
                    .where(deck_table.c.id == deck.id)
                    .values(title=deck.title, source=deck.source, path=deck.path, loaded_at=now)
                )
            else:
                seq = conn.execute(
                    select(func.coalesce(func.max(deck_table.c.seq), 0))
                ).scalar_one()
                conn.execute(
                    deck_table.insert().values(
                        id=deck.id,
                        title=deck.title,
                        source=deck.source,
                        path=deck.path,
                        seq=seq + 1,
                        loaded_at=now,
                    )
                )
            current = {
                r.card_id: r
                for r in conn.execute(select(card_table).where(card_table.c.deck_id == deck.id))
            }
            seen: set[str] = set()
            inserts: list[dict[str, object]] = []
            for position, card in enumerate(deck.cards):
                seen.add(card.id)
                values = {
                    "position": position,
                    "kind": card.kind.value,
                    "front": card.front,
                    "back": card.back,
                    "source": card.source,
                    "tags": json.dumps(list(card.tags)),
                    "line": card.line,
                }
                old = current.get(card.id)
                if old is None:
                    inserts.append(
                        {
                            **values,
                            "deck_id": deck.id,
                            "card_id": card.id,
                            "created_at": now,
                            "edited_at": now,
                            "retired_at": None,
                        }
                    )
                    added += 1
                    continue
                content_changed = any(getattr(old, k) != values[k] for k in _CONTENT_FIELDS)
                placement_changed = old.position != position or old.line != card.line
                was_retired = old.retired_at is not None
                if not (content_changed or placement_changed or was_retired):
                    unchanged += 1
                    continue
                changes: dict[str, object] = dict(values)
                if content_changed:
                    changes["edited_at"] = now
                if was_retired:
                    changes["retired_at"] = None
                    restored += 1
                elif content_changed:
                    updated += 1
                else:
                    unchanged += 1
                conn.execute(update(card_table).where(card_table.c.pk == old.pk).values(**changes))
            if inserts:
                conn.execute(card_table.insert(), inserts)
            to_retire = [
                r.pk for cid, r in current.items() if cid not in seen and r.retired_at is None
            ]
            for chunk in _chunks(to_retire):
                conn.execute(
                    update(card_table).where(card_table.c.pk.in_(chunk)).values(retired_at=now)
                )
            retired = len(to_retire)
        return LoadReport(
            deck_id=deck.id,
            added=added,
            updated=updated,
            retired=retired,
            restored=restored,
            unchanged=unchanged,
            created_deck=not existing_deck,
        )

    def decks(self) -> list[DeckSummary]:
        """Every deck in load order, with active and retired card counts."""
        active = _count_if(card_table.c.retired_at.is_(None))
        retired = _count_if(card_table.c.retired_at.is_not(None))
        with self._tx() as conn:
            rows = conn.execute(
                select(
                    deck_table.c.id,
                    deck_table.c.title,
                    deck_table.c.source,
                    deck_table.c.path,
                    deck_table.c.loaded_at,
                    func.coalesce(active, 0),
                    func.coalesce(retired, 0),
                )
                .outerjoin(card_table, card_table.c.deck_id == deck_table.c.id)
                .group_by(deck_table.c.id)
                .order_by(deck_table.c.seq)
            ).all()
        return [DeckSummary(r[0], r[1], r[2], r[3], int(r[5]), int(r[6]), r[4]) for r in rows]

    def require_decks(self, deck_ids: Sequence[str]) -> list[str]:
        """Return `deck_ids` (all decks when empty), or raise `UnknownDeckError`."""
        known = [d.id for d in self.decks()]
        if not deck_ids:
            return known
        for deck_id in deck_ids:
            if deck_id not in known:
                hint = (
                    f"; known decks: {', '.join(known)}" if known else "; the collection is empty"
                )
                raise UnknownDeckError(f"unknown deck {deck_id!r}{hint}")
        return list(dict.fromkeys(deck_ids))

    def remove_deck(self, deck_id: str) -> int:
        """Delete a deck, its cards, and every learner's state and log for them."""
        self.require_decks([deck_id])
        with self._tx() as conn:
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
        with self._tx() as conn:
            rows = conn.execute(query).all()
        return [self._stored(r) for r in rows]

    @staticmethod
    def _stored(row: Row[Any]) -> StoredCard:
        return StoredCard(
            row.pk,
            row.deck_id,
            row.deck_title,
            _card_from(row),
            row.edited_at,
            row.retired_at is not None,
        )

    def card(self, pk: int) -> StoredCard:
        """One card by its internal key."""
        with self._tx() as conn:
            row = conn.execute(
                select(card_table, deck_table.c.title.label("deck_title"))
                .join(deck_table, deck_table.c.id == card_table.c.deck_id)
                .where(card_table.c.pk == pk)
            ).first()
        if row is None:
            raise UnknownCardError(f"no card with key {pk}")
        return self._stored(row)

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
        with self._tx() as conn:
            rows = conn.execute(query).all()
        if not rows:
            raise UnknownCardError(f"unknown card {ref!r}")
        if len(rows) > 1:
            options = ", ".join(f"{r.deck_id}/{r.card_id}" for r in rows)
            raise UnknownCardError(f"card id {ref!r} is in several decks; name one of: {options}")
        return self._stored(rows[0])

    # ---- learner state -------------------------------------------------------------------

    def state(self, card_pk: int) -> SchedState:
        """This learner's SM-2 state for a card (the new state when never reviewed)."""
        with self._tx() as conn:
            row = conn.execute(
                select(state_table).where(
                    state_table.c.learner == self.learner, state_table.c.card_pk == card_pk
                )
            ).first()
            return _state_from(row)

    def due_review_pks(self, deck_ids: Sequence[str], today: date) -> list[int]:
        """Review cards due by `today`, most overdue first, not buried today and not retired."""
        query = (
            select(state_table.c.card_pk)
            .join(card_table, card_table.c.pk == state_table.c.card_pk)
            .join(deck_table, deck_table.c.id == card_table.c.deck_id)
            .where(
                state_table.c.learner == self.learner,
                state_table.c.due.is_not(None),
                state_table.c.due <= today,
                or_(state_table.c.buried_on.is_(None), state_table.c.buried_on != today),
                card_table.c.retired_at.is_(None),
                card_table.c.deck_id.in_(list(deck_ids)),
            )
            .order_by(state_table.c.due, deck_table.c.seq, card_table.c.position)
        )
        with self._tx() as conn:
            return list(conn.execute(query).scalars())

    def new_card_pks(self, deck_ids: Sequence[str], today: date, per_deck_limit: int) -> list[int]:
        """New cards available today in deck order: at most `per_deck_limit` a deck a day,
        less those already introduced today."""
        result: list[int] = []
        with self._tx() as conn:
            introduced = self._introduced_on(conn, today)
            for deck_id in deck_ids:
                room = per_deck_limit - introduced.get(deck_id, 0)
                if room <= 0:
                    continue
                state = state_table.alias("s")
                result.extend(
                    conn.execute(
                        select(card_table.c.pk)
                        .outerjoin(
                            state,
                            and_(
                                state.c.card_pk == card_table.c.pk, state.c.learner == self.learner
                            ),
                        )
                        .where(
                            card_table.c.deck_id == deck_id,
                            card_table.c.retired_at.is_(None),
                            state.c.due.is_(None),
                            or_(state.c.buried_on.is_(None), state.c.buried_on != today),
                        )
                        .order_by(card_table.c.position)
                        .limit(room)
                    ).scalars()
                )
        return result

    def _introduced_on(self, conn: Connection, day: date) -> dict[str, int]:
        """New cards seen for the first time on `day`, per deck (for the daily new-card limit)."""
        query = (
            select(card_table.c.deck_id, func.count())
            .select_from(log_table)
            .join(card_table, card_table.c.pk == log_table.c.card_pk)
            .where(
                log_table.c.learner == self.learner,
                log_table.c.day == day,
                log_table.c.review_kind == ReviewKind.NEW.value,
            )
            .group_by(card_table.c.deck_id)
        )
        return {deck_id: int(count) for deck_id, count in conn.execute(query)}

    def pending_drill_pks(self, deck_ids: Sequence[str], today: date) -> list[int]:
        """Cards whose latest answer today was below the drill pass mark, in answer order."""
        return [pk for pk, _ in self._pending_drills(deck_ids, today)]

    def _pending_drills(self, deck_ids: Sequence[str], today: date) -> list[tuple[int, str]]:
        """(card, deck) of each card still to drill today, in the order of its latest answer."""
        if not deck_ids:
            return []
        with self._tx() as conn:
            rows = conn.execute(
                select(log_table.c.card_pk, log_table.c.grade, card_table.c.deck_id)
                .join(card_table, card_table.c.pk == log_table.c.card_pk)
                .where(
                    log_table.c.learner == self.learner,
                    log_table.c.day == today,
                    card_table.c.retired_at.is_(None),
                    card_table.c.deck_id.in_(list(deck_ids)),
                )
                .order_by(log_table.c.id)
            ).all()
        last: dict[int, tuple[int, str]] = {}
        for pk, grade, deck_id in rows:
            last.pop(pk, None)  # re-insert so the order follows each card's latest answer
            last[pk] = (grade, deck_id)
        buried = self._buried_today(list(last), today)
        return [
            (pk, deck_id)
            for pk, (grade, deck_id) in last.items()
            if sm2.needs_drill(grade) and pk not in buried
        ]

    def _buried_today(self, pks: list[int], today: date) -> set[int]:
        if not pks:
            return set()
        with self._tx() as conn:
            return set(
                conn.execute(
                    select(state_table.c.card_pk).where(
                        state_table.c.learner == self.learner,
                        state_table.c.buried_on == today,
                        state_table.c.card_pk.in_(pks),
                    )
                ).scalars()
            )

    def record_answer(self, card_pk: int, grade: int, now: datetime, today: date) -> Answer:
        """Save one answer, committed before returning.

        The first answer of the day to a card is a scheduled review (SM-2 moves it); later ones
        the same day are drills, logged without changing the state. This is decided inside the
        transaction, so two sessions answering the same card cannot both reschedule it.
        """
        grade = sm2._check_grade(grade)
        with self._tx() as conn:
            # FOR UPDATE serialises answers to one card on a server; SQLite omits it and relies
            # on BEGIN IMMEDIATE instead.
            row = conn.execute(
                select(state_table)
                .where(state_table.c.learner == self.learner, state_table.c.card_pk == card_pk)
                .with_for_update()
            ).first()
            before = _state_from(row)
            answered_today = conn.execute(
                select(log_table.c.id)
                .where(
                    log_table.c.card_pk == card_pk,
                    log_table.c.learner == self.learner,
                    log_table.c.day == today,
                )
                .limit(1)
            ).first()
            if answered_today is not None:
                kind, after = ReviewKind.DRILL, before
            else:
                kind = ReviewKind.NEW if before.is_new else ReviewKind.REVIEW
                after = sm2.review(before, grade, today)
                values = {
                    "n": after.n,
                    "ef": after.ef,
                    "interval": after.interval,
                    "due": after.due,
                    "lapses": after.lapses,
                    "reps": after.reps,
                }
                if row is None:
                    conn.execute(
                        state_table.insert().values(
                            learner=self.learner, card_pk=card_pk, buried_on=None, **values
                        )
                    )
                else:
                    conn.execute(
                        update(state_table)
                        .where(
                            state_table.c.learner == self.learner, state_table.c.card_pk == card_pk
                        )
                        .values(**values)
                    )
            log_id = conn.execute(
                log_table.insert().values(
                    learner=self.learner,
                    card_pk=card_pk,
                    reviewed_at=now,
                    day=today,
                    grade=grade,
                    review_kind=kind.value,
                    had_state=0 if row is None else 1,
                    prev_n=before.n,
                    prev_ef=before.ef,
                    prev_interval=before.interval,
                    prev_due=before.due,
                    prev_lapses=before.lapses,
                    prev_reps=before.reps,
                    prev_buried_on=None if row is None else row.buried_on,
                    ef=after.ef,
                    interval=after.interval,
                    due=after.due,
                )
            ).inserted_primary_key[0]
        return Answer(int(log_id), card_pk, grade, kind, after)

    def undo_answer(self, log_id: int) -> int:
        """Remove one log entry and restore the card's state from before it. Returns the card."""
        with self._tx() as conn:
            log = conn.execute(
                select(log_table).where(
                    log_table.c.id == log_id, log_table.c.learner == self.learner
                )
            ).first()
            if log is None:
                raise UnknownCardError(f"nothing to undo: answer {log_id} is not in the log")
            if log.review_kind != ReviewKind.DRILL.value:
                where = and_(
                    state_table.c.learner == self.learner, state_table.c.card_pk == log.card_pk
                )
                if log.had_state:
                    conn.execute(
                        update(state_table)
                        .where(where)
                        .values(
                            n=log.prev_n,
                            ef=log.prev_ef,
                            interval=log.prev_interval,
                            due=log.prev_due,
                            lapses=log.prev_lapses,
                            reps=log.prev_reps,
                            buried_on=log.prev_buried_on,
                        )
                    )
                else:
                    conn.execute(delete(state_table).where(where))
            conn.execute(delete(log_table).where(log_table.c.id == log_id))
            return log.card_pk

    def bury(self, card_pk: int, today: date) -> None:
        """Hide a card until the next day."""
        with self._tx() as conn:
            done = conn.execute(
                update(state_table)
                .where(state_table.c.learner == self.learner, state_table.c.card_pk == card_pk)
                .values(buried_on=today)
            ).rowcount
            if not done:
                conn.execute(
                    state_table.insert().values(
                        learner=self.learner,
                        card_pk=card_pk,
                        n=0,
                        ef=sm2.EF_START,
                        interval=0,
                        due=None,
                        lapses=0,
                        reps=0,
                        buried_on=today,
                    )
                )

    # ---- figures -------------------------------------------------------------------------

    def status(self, deck_ids: Sequence[str], today: date, new_per_day: int) -> list[DeckStatus]:
        """Per-deck due, new, drill and total counts and the next due date, for `today`."""
        s = state_table.alias("s")
        not_buried = or_(s.c.buried_on.is_(None), s.c.buried_on != today)
        joined = card_table.outerjoin(
            s, and_(s.c.card_pk == card_table.c.pk, s.c.learner == self.learner)
        )
        active = card_table.c.retired_at.is_(None)
        query = (
            select(
                card_table.c.deck_id,
                func.count(),
                _count_if(and_(s.c.due.is_not(None), s.c.due <= today, not_buried)),
                _count_if(and_(s.c.due.is_(None), not_buried)),
                func.min(s.c.due),
            )
            .select_from(joined)
            .where(active, card_table.c.deck_id.in_(list(deck_ids)))
            .group_by(card_table.c.deck_id)
        )
        with self._tx() as conn:
            counts = {r[0]: r[1:] for r in conn.execute(query)}
            introduced = self._introduced_on(conn, today)
            titles_q = select(deck_table.c.id, deck_table.c.title).where(
                deck_table.c.id.in_(list(deck_ids))
            )
            titles = {r[0]: r[1] for r in conn.execute(titles_q)}
        drills = Counter(deck_id for _, deck_id in self._pending_drills(deck_ids, today))
        result = []
        for deck_id in deck_ids:
            total, due, unseen, first_due = counts.get(deck_id, (0, 0, 0, None))
            room = max(0, new_per_day - int(introduced.get(deck_id, 0)))
            next_due = None if first_due is None else max(first_due, today)
            result.append(
                DeckStatus(
                    id=deck_id,
                    title=titles.get(deck_id, deck_id),
                    due=int(due or 0),
                    new=min(int(unseen or 0), room),
                    drill=drills.get(deck_id, 0),
                    total=int(total),
                    next_due=next_due,
                )
            )
        return result

    def due_on_or_before(self, deck_ids: Sequence[str], day: date) -> int:
        """Scheduled cards that will be due by `day` (overdue ones included)."""
        with self._tx() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(state_table)
                    .join(card_table, card_table.c.pk == state_table.c.card_pk)
                    .where(
                        state_table.c.learner == self.learner,
                        state_table.c.due <= day,
                        card_table.c.retired_at.is_(None),
                        card_table.c.deck_id.in_(list(deck_ids)),
                    )
                ).scalar_one()
            )

    def next_due(self, deck_ids: Sequence[str], after: date | None = None) -> date | None:
        """The earliest due date of a scheduled card (optionally only dates after `after`)."""
        query = (
            select(func.min(state_table.c.due))
            .join(card_table, card_table.c.pk == state_table.c.card_pk)
            .where(
                state_table.c.learner == self.learner,
                state_table.c.due.is_not(None),
                card_table.c.retired_at.is_(None),
                card_table.c.deck_id.in_(list(deck_ids)),
            )
        )
        if after is not None:
            query = query.where(state_table.c.due > after)
        with self._tx() as conn:
            return conn.execute(query).scalar_one()

    def log_for_card(self, card_pk: int) -> list[LogRecord]:
        """Every answer to one card, oldest first."""
        return self._log(log_table.c.card_pk == card_pk)

    def _log(self, *where: object) -> list[LogRecord]:
        query = (
            select(log_table, card_table.c.deck_id, card_table.c.card_id, card_table.c.kind)
            .join(card_table, card_table.c.pk == log_table.c.card_pk)
            .where(log_table.c.learner == self.learner, *where)
            .order_by(log_table.c.id)
        )
        with self._tx() as conn:
            rows = conn.execute(query).all()
        return [
            LogRecord(
                id=log.id,
                card_pk=log.card_pk,
                deck_id=log.deck_id,
                card_id=log.card_id,
                kind=Kind(log.kind),
                reviewed_at=log.reviewed_at,
                day=log.day,
                grade=log.grade,
                review_kind=ReviewKind(log.review_kind),
                ef=log.ef,
                interval=log.interval,
                due=log.due,
            )
            for log in rows
        ]

    # ---- stats queries -------------------------------------------------------------------
    # Each returns a few small aggregated rows (srs.stats input types); the log is only ever
    # read inside SQL, through covering indexes. `deck_ids=None` means every deck. Joins to
    # `cards` are avoided where a filter will do: retired cards are few, so "not retired" is a
    # NOT IN over a tiny list (ix_cards_retired) rather than one lookup per state row.

    def _log_in_decks(self, deck_ids: Sequence[str] | None) -> list[Any]:
        if deck_ids is None:
            return []
        pks = select(card_table.c.pk).where(card_table.c.deck_id.in_(list(deck_ids)))
        return [log_table.c.card_pk.in_(pks)]

    def _log_by_card(self, deck_ids: Sequence[str]) -> list[Any]:
        """This learner's answers to the cards of `deck_ids`, read card by card."""
        # The learner is compared as an expression so that SQLite cannot pick the
        # (learner, day) index, which would read every answer of the learner; the deck's cards
        # then lead through ix_log_card (card_pk, learner, day), reading only their answers.
        return [log_table.c.learner.concat("") == self.learner, *self._log_in_decks(deck_ids)]

    def _active_cards(self, deck_ids: Sequence[str] | None) -> Any:
        """A condition on state_table.c.card_pk: the card is not retired (and in `deck_ids`)."""
        if deck_ids is None:
            retired = select(card_table.c.pk).where(card_table.c.retired_at.is_not(None))
            return state_table.c.card_pk.not_in(retired)
        active = select(card_table.c.pk).where(
            card_table.c.deck_id.in_(list(deck_ids)), card_table.c.retired_at.is_(None)
        )
        return state_table.c.card_pk.in_(active)

    def _scheduled(self, deck_ids: Sequence[str] | None) -> list[Any]:
        """Conditions for this learner's reviewed (scheduled), active cards."""
        return [
            state_table.c.learner == self.learner,
            state_table.c.due.is_not(None),
            self._active_cards(deck_ids),
        ]

    def stats_study_days(self, deck_ids: Sequence[str] | None = None) -> list[date]:
        """Every study day with at least one answer, over the whole log, oldest first."""
        if deck_ids is not None:
            query = (
                select(log_table.c.day)
                .distinct()
                .where(*self._log_by_card(deck_ids))
                .order_by(log_table.c.day)
            )
            with self._tx() as conn:
                return list(conn.execute(query).scalars())
        # A recursive skip-scan of ix_log_learner_day: one index seek per study day, however
        # many answers each day holds (a plain DISTINCT reads every entry of the index).
        first = (
            select(func.min(log_table.c.day).label("day"))
            .where(log_table.c.learner == self.learner)
            .cte("study_days", recursive=True)
        )
        following = (
            select(func.min(log_table.c.day))
            .where(log_table.c.learner == self.learner, log_table.c.day > first.c.day)
            .scalar_subquery()
        )
        days = first.union_all(select(following).where(first.c.day.is_not(None)))
        query = select(days.c.day).where(days.c.day.is_not(None))
        with self._tx() as conn:
            return list(conn.execute(query).scalars())

    def stats_answers_per_day(
        self, deck_ids: Sequence[str] | None, first: date, last: date
    ) -> list[DayCount]:
        """Answers (new, review and drill) per study day from `first` to `last`, oldest first."""
        who = (
            [log_table.c.learner == self.learner]
            if deck_ids is None
            else self._log_by_card(deck_ids)
        )
        query = (
            select(log_table.c.day, func.count())
            .where(*who, log_table.c.day >= first, log_table.c.day <= last)
            .group_by(log_table.c.day)
            .order_by(log_table.c.day)
        )
        with self._tx() as conn:
            return [DayCount(day, int(n)) for day, n in conn.execute(query)]

    def stats_retention_counts(
        self, deck_ids: Sequence[str] | None, first: date, last: date
    ) -> list[RetentionCount]:
        """Scheduled reviews and those graded 3+, per (study day, card kind), from `first` to
        `last`. First answers to new cards and same-day drills are left out."""
        # Grouping by (day, grade) follows ix_log_retention's order, so SQLite needs no sort;
        # the kinds are summed side by side instead of grouped, which would need one. A card's
        # kind comes from a list of that kind's cards built once from ix_cards_kind: a join
        # would read each reviewed card's wide row. Every card has one of the Kind values (the
        # deck checker enforces it), so the first kind is the remainder.
        kinds = [k.value for k in Kind]

        def of_kind(kind: str) -> Any:
            return log_table.c.card_pk.in_(select(card_table.c.pk).where(card_table.c.kind == kind))

        query = (
            select(
                log_table.c.day,
                log_table.c.grade,
                func.count(),
                *(func.sum(case((of_kind(k), 1), else_=0)) for k in kinds[1:]),
            )
            .where(
                log_table.c.learner == self.learner,
                log_table.c.review_kind == ReviewKind.REVIEW.value,
                log_table.c.day >= first,
                log_table.c.day <= last,
                *self._log_in_decks(deck_ids),
            )
            .group_by(log_table.c.day, log_table.c.grade)
        )
        totals: dict[tuple[date, str], list[int]] = {}
        with self._tx() as conn:
            for day, grade, count, *rest in conn.execute(query):
                per_kind = [int(count) - sum(int(n) for n in rest), *(int(n) for n in rest)]
                for kind, n in zip(kinds, per_kind, strict=True):
                    if n:
                        cell = totals.setdefault((day, kind), [0, 0])
                        cell[0] += n
                        cell[1] += n if grade >= 3 else 0  # SM-2's pass mark (Grade.passed)
        return [RetentionCount(d, k, n, p) for (d, k), (n, p) in sorted(totals.items())]

    def stats_ef_counts(self, deck_ids: Sequence[str] | None, width: int = 10) -> list[EfCount]:
        """Reviewed active cards per current-ef bucket of `width` hundredths."""
        # grouped by the raw ef, in ix_state_stats order (no sort); a few dozen values at most
        query = (
            select(state_table.c.ef, func.count())
            .where(*self._scheduled(deck_ids))
            .group_by(state_table.c.ef)
            .order_by(state_table.c.ef)
        )
        buckets: dict[int, int] = {}
        with self._tx() as conn:
            for ef, n in conn.execute(query):
                low = int(ef) // width * width
                buckets[low] = buckets.get(low, 0) + int(n)
        return [EfCount(low, n) for low, n in sorted(buckets.items())]

    def stats_due_counts(
        self, deck_ids: Sequence[str] | None, today: date, days: int = 14
    ) -> list[DueCount]:
        """Active cards due per day from today to today + days - 1. Overdue cards count today;
        those buried today count tomorrow, when they come back."""
        horizon = today + timedelta(days=days - 1)
        scheduled = self._scheduled(deck_ids)
        ahead = (
            select(state_table.c.due, func.count())
            .where(*scheduled, state_table.c.due > today, state_table.c.due <= horizon)
            .group_by(state_table.c.due)
        )
        buried = state_table.c.buried_on == today
        not_buried = or_(
            state_table.c.buried_on.is_(None), state_table.c.buried_on != today
        )  # NULL-safe
        overdue = select(func.count()).where(*scheduled, state_table.c.due <= today)
        with self._tx() as conn:
            rows = [DueCount(day, int(n)) for day, n in conn.execute(ahead)]
            late = conn.execute(overdue.where(not_buried)).scalar_one()
            late_buried = conn.execute(overdue.where(buried)).scalar_one()
        rows.append(DueCount(today, int(late)))
        rows.append(DueCount(today + timedelta(days=1), int(late_buried)))
        return rows

    def stats_hardest(
        self, deck_ids: Sequence[str] | None, limit: int = 10, ef_start: int = sm2.EF_START
    ) -> list[HardCard]:
        """Active cards with lapses or an ef below the start: most lapses, then lowest ef, then
        load order."""
        # pick the few cards from the state index first; only they are joined to their text
        top = (
            select(
                state_table.c.card_pk,
                state_table.c.lapses,
                state_table.c.ef,
                state_table.c.reps,
                state_table.c.due,
            )
            .where(
                *self._scheduled(deck_ids),
                or_(state_table.c.lapses > 0, state_table.c.ef < ef_start),
            )
            .order_by(state_table.c.lapses.desc(), state_table.c.ef, state_table.c.card_pk)
            .limit(limit)
            .subquery("top")
        )
        query = (
            select(
                card_table.c.deck_id,
                card_table.c.card_id,
                card_table.c.kind,
                card_table.c.front,
                top.c.lapses,
                top.c.ef,
                top.c.reps,
                top.c.due,
            )
            .join(top, top.c.card_pk == card_table.c.pk)
            .order_by(top.c.lapses.desc(), top.c.ef, top.c.card_pk)
        )
        with self._tx() as conn:
            return [HardCard(*row) for row in conn.execute(query)]

    def stats_today(self, deck_ids: Sequence[str] | None, today: date) -> TodayCounts:
        """Today's answers, distinct cards answered, new cards seen, and cards still due."""
        new = func.sum(case((log_table.c.review_kind == ReviewKind.NEW.value, 1), else_=0))
        # naming every review kind lets the covering ix_log_retention serve (learner, kind,
        # day) seeks; without it SQLite may walk the learner's whole log
        answered = select(func.count(), func.count(log_table.c.card_pk.distinct()), new).where(
            log_table.c.learner == self.learner,
            log_table.c.review_kind.in_([k.value for k in ReviewKind]),
            log_table.c.day == today,
            *self._log_in_decks(deck_ids),
        )
        not_buried = or_(state_table.c.buried_on.is_(None), state_table.c.buried_on != today)
        due = select(func.count()).where(
            *self._scheduled(deck_ids), state_table.c.due <= today, not_buried
        )
        with self._tx() as conn:
            answers, cards, new_seen = conn.execute(answered).one()
            due_now = conn.execute(due).scalar_one()
        return TodayCounts(int(answers), int(cards), int(new_seen or 0), int(due_now))


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SUM(CASE WHEN condition THEN 1 ELSE 0 END): portable across SQLAlchemy backends."""
    return func.sum(case((condition, 1), else_=0))


def _chunks(items: list[int], size: int = 500) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reason(exc: BaseException) -> str:
    """The driver's own one-line message, without SQLAlchemy's SQL echo and links."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).splitlines()[0]
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _prepare_sqlite_path(path: Path, label: str) -> None:
    """Create the database's folder; fail early, with the path, where that cannot work."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{label}: cannot create folder {path.parent}: {exc.strerror}") from None
    if path.is_dir():
        raise StoreError(f"{label}: is a directory, not a database file")
    if path.exists():
        try:
            with path.open("rb") as handle:
                head = handle.read(16)
        except OSError as exc:
            raise StoreError(f"{label}: cannot read database: {exc.strerror}") from None
        if head and head != b"SQLite format 3\x00":
            raise StoreError(f"{label}: not a SQLite database (file is corrupt or of another kind)")


__all__ = [
    "Answer",
    "DeckStatus",
    "DeckSummary",
    "LogRecord",
    "Store",
    "StoredCard",
]
