"""What several query objects need of one learner's day: the cards introduced, the new-card
allowance, the drills still pending, and which state row is the learner's. Plain functions over
an open connection, so a query object never inherits another's private helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Connection

from srs.core.model import KINDS, ReviewKind
from srs.core.scheduling.rule import needs_drill
from srs.store.schema import card_table, log_table, not_set_aside, state_table


def mine(learner: str, card_pk: int) -> Any:
    """The condition selecting this learner's state row of one card."""
    return and_(state_table.c.learner == learner, state_table.c.card_pk == card_pk)


def introduced_on(conn: Connection, learner: str, day: date) -> dict[str, int]:
    """New cards seen for the first time on `day`, per deck."""
    query = (
        select(card_table.c.deck_id, func.count())
        .select_from(log_table)
        .join(card_table, card_table.c.pk == log_table.c.card_pk)
        .where(
            log_table.c.learner == learner,
            log_table.c.day == day,
            log_table.c.review_kind == ReviewKind.NEW.value,
        )
        .group_by(card_table.c.deck_id)
    )
    return {deck_id: int(count) for deck_id, count in conn.execute(query)}


def new_allowance(
    conn: Connection, learner: str, deck_ids: Sequence[str], day: date, per_deck: int
) -> dict[str, int]:
    """How many new cards each deck may still introduce on `day`: `per_deck` a day, less those
    already introduced. The one place the daily new-card limit is computed."""
    introduced = introduced_on(conn, learner, day)
    return {deck_id: max(0, per_deck - introduced.get(deck_id, 0)) for deck_id in deck_ids}


def new_in_turns(conn: Connection, learner: str, deck_id: str, day: date, room: int) -> list[int]:
    """Up to `room` of a deck's new cards, the kinds taking turns: the deck's first finding,
    its first limitation, its first misreading, then the second of each, and so on, each kind
    in deck order (a kind with no card left gives its turn to the next). The one place the
    order of new cards is decided; the README gives the rule."""
    state = state_table.alias("s")
    turn = (
        func.row_number()
        .over(partition_by=card_table.c.kind, order_by=card_table.c.position)
        .label("turn")
    )
    kind_order = case(
        {k: i for i, k in enumerate(KINDS)}, value=card_table.c.kind, else_=len(KINDS)
    )
    new = (
        select(card_table.c.pk, turn, kind_order.label("kind_order"), card_table.c.position)
        .outerjoin(state, and_(state.c.card_pk == card_table.c.pk, state.c.learner == learner))
        .where(
            card_table.c.deck_id == deck_id,
            card_table.c.retired_at.is_(None),
            state.c.due.is_(None),
            not_set_aside(state, day),
        )
        .subquery()
    )
    query = select(new.c.pk).order_by(new.c.turn, new.c.kind_order, new.c.position).limit(room)
    return list(conn.execute(query).scalars())


def pending_drills(
    conn: Connection, learner: str, deck_ids: Sequence[str], today: date
) -> list[tuple[int, str]]:
    """(card, deck) of each card still to drill today, in the order of its latest answer."""
    if not deck_ids:
        return []
    rows = conn.execute(
        select(log_table.c.card_pk, log_table.c.grade, card_table.c.deck_id)
        .join(card_table, card_table.c.pk == log_table.c.card_pk)
        .where(
            log_table.c.learner == learner,
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
    aside = set_aside_today(conn, learner, list(last), today)
    return [
        (pk, deck_id)
        for pk, (grade, deck_id) in last.items()
        if needs_drill(grade) and pk not in aside
    ]


def set_aside_today(conn: Connection, learner: str, pks: list[int], today: date) -> set[int]:
    """Those of `pks` the learner buried today or suspended."""
    if not pks:
        return set()
    return set(
        conn.execute(
            select(state_table.c.card_pk).where(
                state_table.c.learner == learner,
                or_(state_table.c.buried_on == today, state_table.c.suspended_at.is_not(None)),
                state_table.c.card_pk.in_(pks),
            )
        ).scalars()
    )
