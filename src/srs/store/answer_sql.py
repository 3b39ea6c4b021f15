"""The statements of the answer path, built once with bound parameters.

An answer is the hot path of a review: SQLAlchemy builds, and caches the compiled form of, a
statement object it has seen before far faster than a new one with literal values. So the
statements an answer and the next card's read run are made here, once, at import, and executed
with a parameter dictionary: `learner`, `card_pk` and `today` for the reads; the column values
(and `w_learner`, `w_card_pk` for the row) for the writes.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, select, update
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import BindParameter

from srs.core.scheduling.rule import AnswerRecord
from srs.store.log_rows import log_row
from srs.store.schema import (
    STATE_FIELDS,
    card_table,
    deck_table,
    log_table,
    state_table,
)

_learner: BindParameter[str] = bindparam("learner")
_card_pk: BindParameter[int] = bindparam("card_pk")
_today: BindParameter[date] = bindparam("today")
_mine = and_(state_table.c.learner == _learner, state_table.c.card_pk == _card_pk)

_mine_locked = select(state_table.c.card_pk).where(_mine).with_for_update().cte("locked")
RETIRED_LOCKING = select(
    card_table.c.retired_at,
    select(func.count()).select_from(_mine_locked).scalar_subquery().label("locked"),
).where(card_table.c.pk == _card_pk)
"""On a server, the card's retirement (no row: the card is gone), taking the lock on this
learner's own state row of it (`locked`: 1, or 0 when there is no row yet). A row lock no one
else can take (row-level security). The next statement's snapshot then holds any answer that
committed while this one waited."""

_answered_today = (
    select(log_table.c.id)
    .where(
        log_table.c.card_pk == _card_pk,
        log_table.c.learner == _learner,
        log_table.c.day == _today,
    )
    .limit(1)
)

ANSWERED_TODAY = _answered_today
"""A log row of this learner's for the card today (the card was answered today)."""


STATE = select(state_table).where(_mine)
"""This learner's state row of the card."""

LOCKED_STATE = select(state_table, exists(_answered_today).label("answered_today")).where(_mine)
"""This learner's state row of the card, and whether it was answered today; read on a server
after `RETIRED_LOCKING` has locked the row."""


@functools.cache
def placeholder_state() -> Any:
    """On a server, a first state row (the new state) for a card this learner has none of: the
    row the answer then locks and writes. Of two first answers at once, the second waits for the
    first to commit, inserts nothing (no row returned), and reads the row the first wrote.
    Parameters: `learner`, `card_pk`, and `new_<state column>`. Built on first use (the
    PostgreSQL dialect is not imported on SQLite)."""
    from sqlalchemy.dialects.postgresql import insert

    return (
        insert(state_table)
        .values(
            learner=_learner,
            card_pk=_card_pk,
            buried_on=None,
            **{name: bindparam(f"new_{name}") for name in STATE_FIELDS},
        )
        .on_conflict_do_nothing(index_elements=["learner", "card_pk"])
        .returning(state_table.c.card_pk)
    )


CARD_AND_STATE = (
    select(
        card_table.c.retired_at,
        state_table,
        state_table.c.card_pk.label("state_card_pk"),
        exists(_answered_today).label("answered_today"),
    )
    .select_from(card_table)
    .outerjoin(state_table, and_(state_table.c.card_pk == card_table.c.pk, _mine))
    .where(card_table.c.pk == _card_pk)
)
"""On SQLite, where BEGIN IMMEDIATE holds the write lock already, the retirement, `LOCKED_STATE` and
`ANSWERED_TODAY` in one statement (no row: the card is gone; NULL `state_card_pk`: no state)."""

INSERT_STATE = state_table.insert()
"""A first state row: `learner`, `card_pk`, `buried_on` and the state's columns."""

_where_mine = and_(
    state_table.c.learner == bindparam("w_learner"),
    state_table.c.card_pk == bindparam("w_card_pk"),
)
UPDATE_STATE = update(state_table).where(_where_mine)
"""The state's columns set on the row of `w_learner`, `w_card_pk`."""

DELETE_STATE = delete(state_table).where(_where_mine)
"""The row of `w_learner`, `w_card_pk` deleted (a placeholder a drill did not need)."""

SUSPEND = UPDATE_STATE
"""The same statement with `suspended_at` alone (a leech suspended): SQLAlchemy sets the columns
the parameters name."""

INSERT_LOG = log_table.insert()
"""One review_log row (every column but `id`)."""


@functools.lru_cache(maxsize=8)
def state_and_log(first: bool, log_keys: tuple[str, ...]) -> Insert:
    """On a server, the state's write and the log's insert in one statement (one round trip
    fewer): a data-modifying CTE writes the state (`INSERT_STATE` when `first`, else
    `UPDATE_STATE`), and the log row is inserted, returning its id. Parameters: `w_learner`,
    `w_card_pk`, `s_<state column>` and `l_<log column>` for each of `log_keys`, so that no
    parameter is taken for a column of either table. Built once per key set."""
    state: dict[str, Any] = {name: bindparam(f"s_{name}") for name in STATE_FIELDS}
    if first:
        write: Any = state_table.insert().values(
            learner=bindparam("w_learner"), card_pk=bindparam("w_card_pk"), buried_on=None, **state
        )
    else:
        write = update(state_table).where(_where_mine).values(**state)
    log = log_table.insert().values({key: bindparam(f"l_{key}") for key in log_keys})
    return log.add_cte(write.returning(state_table.c.card_pk).cte("state_write")).returning(
        log_table.c.id
    )


def state_and_log_params(
    mine: dict[str, Any], after: dict[str, Any], log: dict[str, Any]
) -> dict[str, Any]:
    """The parameters of `state_and_log`: the row's (`mine`), and each state and log value."""
    return {
        **where(mine),
        **{f"s_{key}": value for key, value in after.items()},
        **{f"l_{key}": value for key, value in log.items()},
    }


def log_values(
    mine: dict[str, Any], record: AnswerRecord, row: Any, now: datetime, today: date
) -> dict[str, Any]:
    """The `review_log` row of one answer (`log_rows.log_row`): `row` is the state row before it
    (None: none)."""
    return log_row(
        mine["learner"],
        mine["card_pk"],
        now,
        today,
        record.grade,
        record.review_kind.value,
        record.before,
        record.after,
        had_state=row is not None,
        prev_buried_on=None if row is None else row.buried_on,
    )


_state_cols = [state_table.c[name] for name in STATE_FIELDS]
QUEUED_CARD = (
    select(
        card_table,
        deck_table.c.title.label("deck_title"),
        state_table.c.card_pk.label("state_card_pk"),
        *_state_cols,
    )
    .join(deck_table, deck_table.c.id == card_table.c.deck_id)
    .outerjoin(state_table, and_(state_table.c.card_pk == card_table.c.pk, _mine))
    .where(card_table.c.pk == _card_pk)
)
"""A card with its deck's title and this learner's state of it (NULLs when it has none)."""


def where(mine: dict[str, Any]) -> dict[str, Any]:
    """The row parameters of `UPDATE_STATE` and `SUSPEND`, from `learner` and `card_pk`."""
    return {"w_learner": mine["learner"], "w_card_pk": mine["card_pk"]}
