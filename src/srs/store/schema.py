"""The collection's tables, its schema version, and the mapping between rows and core types.

Deck content (`decks`, `cards`) is kept apart from each learner's scheduling state (`card_state`)
and review log (`review_log`), so that a class can share one server.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    or_,
    select,
)
from sqlalchemy.engine import Row
from sqlalchemy.sql.elements import ColumnElement

from srs.core.errors import SchemaTooNewError, StoreError
from srs.core.model import (
    EF_START,
    MAX_ID_LENGTH,
    MAX_LEARNER_LENGTH,
    NEW_STATE,
    Card,
    Kind,
    SchedState,
)
from srs.core.notetype import note_type_from_json
from srs.core.paper_json import figures_from_json, quotes_from_json
from srs.core.scheduling.bounds import valid_state

SCHEMA_VERSION = 15  # 5: another branch's step (renumbered when merged)
SERVER_SCHEMA = "srs"
"""On a server, the schema that holds every srs table and function (a class's own, which no
learner may create objects in). SQLite files have no schemas."""
# A change in any of these is an edit of the card.
CONTENT_FIELDS = (
    "kind",
    "front",
    "back",
    "source",
    "tags",
    "guid",
    "anki_note_type",
    "quotes",
    "figures",  # with each figure's digest: new bytes are an edit, which Anki then takes
    "cloze",  # a cloze item's card text: an edit of any deletion updates its Anki note
    "extra",
)
_VERSION = re.compile(r"[0-9]{1,9}")


def readable_version(raw: object, label: str) -> int:
    """The schema version stored as `raw`, when this srs can read it; otherwise one line, and the
    database is left untouched: no or a malformed version (`StoreError`), or a newer one
    (`SchemaTooNewError`)."""
    if not isinstance(raw, str) or _VERSION.fullmatch(raw) is None:
        what = "no schema version" if raw is None else f"schema version {str(raw)!r}"
        raise StoreError(f"{label}: {what} is not a version srs knows; left untouched")
    version = int(raw)
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"{label}: database schema version {version} was written by a newer "
            f"srs (this one reads up to {SCHEMA_VERSION}); left untouched"
        )
    return version


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
    Column("id", String(MAX_ID_LENGTH), primary_key=True),
    Column("title", Text, nullable=False),
    Column("source", Text, nullable=False, default=""),
    Column("path", Text, nullable=True),
    # sha256 of the deck file's path and bytes as last loaded (version 8): an unchanged file is
    # not parsed again. NULL for a deck not loaded from a file.
    Column("file_sha256", String(64), nullable=True),
    Column("seq", Integer, nullable=False),  # load order: new cards come deck by deck
    Column("loaded_at", UTCDateTime, nullable=False),
    # set when an instructor removes the deck on a server, keeping every learner's history
    # (version 10); loading its file again clears it
    Column("retired_at", UTCDateTime, nullable=True),
    Column("paper", Text, nullable=True),  # the deck's paper as JSON (version 11)
)

# Card content. `card_id` is the stable id from the deck file; `pk` never leaves the store.
card_table = Table(
    "cards",
    metadata,
    # an identity on a server (version 10): ids no one chooses, drawn from no sequence a user can
    # call
    Column("pk", Integer, Identity(always=True), primary_key=True),
    Column("deck_id", ForeignKey("decks.id", ondelete="CASCADE"), nullable=False),
    Column("card_id", String(MAX_ID_LENGTH), nullable=False),
    Column("position", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("front", Text, nullable=False),
    Column("back", Text, nullable=False),
    Column("source", Text, nullable=False, default=""),
    Column("tags", Text, nullable=False, default="[]"),  # JSON list
    Column("line", Integer, nullable=False, default=0),
    Column("guid", String(64), nullable=True),  # Anki note guid of an imported card (version 4)
    # that note's Anki note type, as `srs.core.notetype.note_type_json` writes it (version 6)
    Column("anki_note_type", Text, nullable=True),
    # front and back rendered for Anki when the text was loaded (version 9); NULL until then
    Column("front_html", Text, nullable=True),
    Column("back_html", Text, nullable=True),
    Column("quotes", Text, nullable=True),  # the paper's words, JSON (version 11)
    Column("figures", Text, nullable=True),  # its figures and their digests, JSON (version 13)
    # one item of a cloze card (version 14): its card's text as written and `extra`, and the
    # deletion it asks; `card_id` is `CARD_ID#c<deletion>`. NULL for any other card.
    Column("cloze", Text, nullable=True),
    Column("extra", Text, nullable=True),
    Column("deletion", Integer, nullable=True),
    # the card's former ids in its deck, JSON (version 15): the export keeps the Anki note of the
    # first; NULL for a card that was never renamed
    Column("was", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("edited_at", UTCDateTime, nullable=False),
    Column("retired_at", UTCDateTime, nullable=True),
    UniqueConstraint("deck_id", "card_id"),
    Index("ix_cards_deck_position", "deck_id", "position"),
    # `srs stats`: the cards of each kind, and the few retired cards, without a table scan
    Index("ix_cards_kind", "kind", "pk"),
    Index("ix_cards_retired", "retired_at"),
)

# One learner's scheduling state for one card: SM-2's figures, and FSRS's memory state once FSRS
# has scheduled it (`scheduler` names the scheduler of the last scheduled answer).
state_table = Table(
    "card_state",
    metadata,
    Column("learner", String(MAX_LEARNER_LENGTH), primary_key=True),
    Column("card_pk", ForeignKey("cards.pk", ondelete="CASCADE"), primary_key=True),
    Column("n", Integer, nullable=False, default=0),
    Column("ef", Integer, nullable=False, default=EF_START),
    Column("interval", Integer, nullable=False, default=0),
    Column("due", Date, nullable=True),
    Column("lapses", Integer, nullable=False, default=0),
    Column("reps", Integer, nullable=False, default=0),
    Column("buried_on", Date, nullable=True),
    Column("suspended_at", UTCDateTime, nullable=True),  # the learner's own suspension
    Column("scheduler", String(8), nullable=False, default="sm2", server_default="sm2"),
    Column("stability", Float, nullable=True),
    Column("difficulty", Float, nullable=True),
    Index("ix_state_learner_due", "learner", "due"),
    # `srs stats`: the ef histogram and the hardest cards, read from the index alone
    Index("ix_state_stats", "learner", "ef", "lapses", "due", "reps", "card_pk"),
)

GRADE_CHECK = "grade BETWEEN 0 AND 5"
KIND_CHECK = "review_kind IN ('new', 'review', 'drill')"
# the study days srs can have (`config.EARLIEST` to `LATEST`, a day either side for the time zone);
# ISO text, which compares as a date on either backend
DAY_CHECK = "day BETWEEN '1969-12-30' AND '9000-01-01'"
REPS_CHECK = "prev_reps >= 0 AND prev_n >= 0 AND prev_lapses >= 0"
LOG_CHECKS = {
    "review_log_grade": GRADE_CHECK,
    "review_log_kind": KIND_CHECK,
    "review_log_day": DAY_CHECK,
    "review_log_reps": REPS_CHECK,
}
"""The log's CHECK constraints by name (a server's upgrade adds them to an older log)."""

# One answer. The state before it is kept so that undo can restore it exactly.
log_table = Table(
    "review_log",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), Identity(always=True), primary_key=True
    ),
    Column("learner", String(MAX_LEARNER_LENGTH), nullable=False),
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
    # which scheduler scheduled this answer (a drill: the card's), and FSRS's state around it
    Column("scheduler", String(8), nullable=False, default="sm2", server_default="sm2"),
    Column("prev_scheduler", String(8), nullable=False, default="sm2", server_default="sm2"),
    Column("prev_stability", Float, nullable=True),
    Column("prev_difficulty", Float, nullable=True),
    Column("stability", Float, nullable=True),
    Column("difficulty", Float, nullable=True),
    # an answer merged from Anki (`srs merge anki`): Anki's review id, so that merging the same
    # package twice adds it once (version 12); NULL for an answer given in srs
    Column("anki_id", BigInteger, nullable=True),
    # what any writer may put in the log (version 10; a server's learners write it directly)
    CheckConstraint(GRADE_CHECK, name="review_log_grade"),
    CheckConstraint(KIND_CHECK, name="review_log_kind"),
    CheckConstraint(DAY_CHECK, name="review_log_day"),
    CheckConstraint(REPS_CHECK, name="review_log_reps"),
    Index("ix_log_learner_day", "learner", "day"),
    Index("ix_log_card", "card_pk", "learner", "day"),
    # covers the retention figures of `srs stats`: one range scan, in (day, grade) order
    Index("ix_log_retention", "learner", "review_kind", "day", "grade", "card_pk"),
    Index("ix_log_anki", "learner", "card_pk", "anki_id", unique=True),
)


# A learner's own settings (`srs config set KEY VALUE`): the scheduler and FSRS's options.
settings_table = Table(
    "learner_settings",
    metadata,
    Column("learner", String(100), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


STATE_FIELDS = (
    "n",
    "ef",
    "interval",
    "due",
    "lapses",
    "reps",
    "scheduler",
    "stability",
    "difficulty",
)
"""The `card_state` columns that hold a `SchedState`, named as its fields."""


def state_values(state: SchedState, prefix: str = "") -> dict[str, Any]:
    """A `SchedState` as column values (`prev_n`... with `prefix="prev_"`)."""
    return {f"{prefix}{name}": getattr(state, name) for name in STATE_FIELDS}


LOGGED_AFTER = ("ef", "interval", "due", "scheduler", "stability", "difficulty")
"""The state columns the log keeps from after the answer."""


def state_from(row: Row[Any] | None, prefix: str = "") -> SchedState:
    """The `SchedState` held in a row's columns; the new state when there is no row, or when
    what the row holds is out of bounds (`core.scheduling.bounds`: written by hand or by an older
    import), so that nothing downstream computes with a state that would crash it."""
    if row is None:
        return NEW_STATE
    mapping = row._mapping
    state = SchedState(**{name: mapping[f"{prefix}{name}"] for name in STATE_FIELDS})
    return valid_state(state) or NEW_STATE


def card_from(row: Row[Any]) -> Card:
    """The `Card` held in a `cards` row."""
    return Card(
        id=row.card_id,
        kind=Kind(row.kind),
        front=row.front,
        back=row.back,
        source=row.source,
        tags=tuple(json.loads(row.tags)),
        line=row.line,
        guid=row.guid,
        anki_note_type=note_type_from_json(row.anki_note_type),
        front_html=row.front_html,
        back_html=row.back_html,
        quotes=quotes_from_json(row.quotes),
        figures=figures_from_json(row.figures),
        cloze=row.cloze or "",
        extra=row.extra or "",
        deletion=row.deletion or 0,
        was=tuple(json.loads(row.was)) if row.was else (),
    )


def not_retired(pk: Any) -> ColumnElement[bool]:
    """The card whose key is `pk` (a column) is not retired, as a NOT IN over the few retired
    cards: with an index on the other columns asked for, no card's row is read."""
    retired = select(card_table.c.pk).where(card_table.c.retired_at.is_not(None))
    return pk.not_in(retired.correlate(None))  # type: ignore[no-any-return]


def not_set_aside(state: Any, today: date) -> ColumnElement[bool]:
    """The state row (of `state_table` or an alias) is neither buried on `today` nor suspended;
    NULL-safe, so a missing row (outer join) counts as neither."""
    return and_(
        or_(state.c.buried_on.is_(None), state.c.buried_on != today),
        state.c.suspended_at.is_(None),
    )
