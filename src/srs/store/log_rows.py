"""A `review_log` row, filled in one place for an answer given here and for one brought in
from another program: as a tuple of `LOG_COLUMNS` (a merge's 100k rows, no dict each) and as
a mapping (`log_row`)."""

from __future__ import annotations

from datetime import date, datetime
from operator import attrgetter
from typing import Any

from srs.core.model import SchedState
from srs.store.schema import LOGGED_AFTER, STATE_FIELDS

LOG_COLUMNS = (
    "learner",
    "card_pk",
    "reviewed_at",
    "day",
    "grade",
    "review_kind",
    "had_state",
    "prev_buried_on",
    *(f"prev_{name}" for name in STATE_FIELDS),
    *LOGGED_AFTER,
    "anki_id",
)
"""The `review_log` columns an answer fills, in the order of `log_tuple`."""

_STATE = attrgetter(*STATE_FIELDS)
_AFTER = attrgetter(*LOGGED_AFTER)


def log_tuple(
    learner: str,
    card_pk: int,
    reviewed_at: datetime,
    day: date,
    grade: int,
    review_kind: str,
    before: SchedState,
    after: SchedState,
    had_state: bool,
    prev_buried_on: date | None = None,
    anki_id: int | None = None,
) -> tuple[Any, ...]:
    """One `review_log` row as the values of `LOG_COLUMNS`: the one place its columns are
    filled, for an answer given here and for one imported from another program alike
    (`anki_id`: Anki's review id of an answer merged from Anki). A tuple, so that a merge's
    100k rows are built without a dict each."""
    head = (learner, card_pk, reviewed_at, day, grade, review_kind, 1 if had_state else 0)
    return (*head, prev_buried_on, *_STATE(before), *_AFTER(after), anki_id)


def log_row(
    learner: str,
    card_pk: int,
    reviewed_at: datetime,
    day: date,
    grade: int,
    review_kind: str,
    before: SchedState,
    after: SchedState,
    had_state: bool,
    prev_buried_on: date | None = None,
    anki_id: int | None = None,
) -> dict[str, Any]:
    """`log_tuple` by column name, for a statement that takes a row as a mapping. `anki_id`
    is named only when set: an answer given here writes the columns it always wrote."""
    values = log_tuple(
        learner, card_pk, reviewed_at, day, grade, review_kind, before, after, had_state,
        prev_buried_on, anki_id,
    )  # fmt: skip
    row = dict(zip(LOG_COLUMNS, values, strict=True))
    if anki_id is None:
        del row["anki_id"]
    return row
