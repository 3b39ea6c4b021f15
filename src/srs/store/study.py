"""One learner's study: card state, answers, undo and bury, and the review queue's queries.

Each answer is one write transaction: the state row is read (locked on a server), the core's
answer rule decides new / review / drill, and the record it returns is written before the call
returns, so two sessions answering the same card never schedule it twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from srs.core.errors import AnsweredElsewhereError, CardGoneError, UnknownCardError
from srs.core.model import (
    NEW_STATE,
    Answer,
    Kind,
    LogRecord,
    ReviewKind,
    SchedState,
    StoredCard,
    card_ref,
)
from srs.core.scheduling.rule import (
    AnswerPolicy,
    AnswerRecord,
    PastAnswer,
    decide_answer,
)
from srs.core.scheduling.sm2 import SM2_POLICY
from srs.store import answer_sql, queue
from srs.store.content import stored_card
from srs.store.engine import Database
from srs.store.schema import (
    card_table,
    deck_table,
    log_table,
    not_set_aside,
    state_from,
    state_table,
    state_values,
)

Queued = tuple[StoredCard, SchedState]
"""A card as a review session shows it: the card, and this learner's state of it."""


class StudyQueries:
    """A learner's state and log, and the writes an answer, an undo or a bury makes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def state(self, card_pk: int) -> SchedState:
        """This learner's SM-2 state for a card (the new state when never reviewed)."""
        with self.db.read() as conn:
            row = conn.execute(
                answer_sql.STATE, {"learner": self.db.learner, "card_pk": card_pk}
            ).first()
            return state_from(row)

    def due_review_pks(self, deck_ids: Sequence[str], today: date) -> list[int]:
        """Review cards due by `today`, most overdue first, not buried today and not retired."""
        query = (
            select(state_table.c.card_pk)
            .join(card_table, card_table.c.pk == state_table.c.card_pk)
            .join(deck_table, deck_table.c.id == card_table.c.deck_id)
            .where(
                state_table.c.learner == self.db.learner,
                state_table.c.due.is_not(None),
                state_table.c.due <= today,
                not_set_aside(state_table, today),
                card_table.c.retired_at.is_(None),
                card_table.c.deck_id.in_(list(deck_ids)),
            )
            .order_by(state_table.c.due, deck_table.c.seq, card_table.c.position)
        )
        with self.db.read() as conn:
            return list(conn.execute(query).scalars())

    def new_card_pks(self, deck_ids: Sequence[str], today: date, per_deck_limit: int) -> list[int]:
        """New cards available today, deck by deck, the kinds taking turns within a deck
        (`queue.new_in_turns`): at most `per_deck_limit` a deck a day, less those already
        introduced today."""
        result: list[int] = []
        with self.db.read() as conn:
            allowance = queue.new_allowance(conn, self.db.learner, deck_ids, today, per_deck_limit)
            for deck_id in deck_ids:
                room = allowance[deck_id]
                if room > 0:
                    result += queue.new_in_turns(conn, self.db.learner, deck_id, today, room)
        return result

    def pending_drill_pks(self, deck_ids: Sequence[str], today: date) -> list[int]:
        """Cards whose latest answer today was below the drill pass mark, in answer order."""
        with self.db.read() as conn:
            return [pk for pk, _ in queue.pending_drills(conn, self.db.learner, deck_ids, today)]

    def record_answer(
        self,
        card_pk: int,
        grade: int,
        now: datetime,
        today: date,
        policy: AnswerPolicy = SM2_POLICY,
    ) -> Answer:
        """Save one answer, committed before returning (see `answer_and_draw`)."""
        return self.answer_and_draw(card_pk, grade, now, today, policy)[0]

    def answer_and_draw(
        self,
        card_pk: int,
        grade: int,
        now: datetime,
        today: date,
        policy: AnswerPolicy = SM2_POLICY,
        then: int | None = None,
        ref: str | None = None,
    ) -> tuple[Answer, Queued | None]:
        """Save one answer, committed before returning; with `then`, also read that card and
        its state after the answer's writes, in the same transaction (the card a review session
        shows next: no second transaction between two cards). None for a card gone.

        The first answer of the day to a card is a scheduled review (the scheduler moves it);
        later ones the same day are drills, logged without changing the state. This is decided
        inside the transaction, so two sessions answering the same card cannot both reschedule it.
        A card retired or removed since it was queued raises `CardGoneError` and nothing is saved.
        `ref` is the card's `DECK_ID/CARD_ID` when the caller has it (FSRS draws its fuzz from it);
        otherwise it is read.
        The record `policy` decides says whether the answer makes the card a leech, and whether
        to suspend it.

        One write transaction of three to five statements, all built once (`answer_sql`); on a
        server, the state's write and the log's insert are one of them.
        """
        mine: dict[str, Any] = {"learner": self.db.learner, "card_pk": card_pk}
        today_of_mine = {**mine, "today": today}

        def answer(conn: Connection) -> tuple[int, AnswerRecord, Queued | None]:
            row, answered_today, placeholder = self._locked_state(conn, card_pk, today_of_mine)
            key = ref or ""
            if not key and policy.scheduler.name != "sm2":  # a caller that did not pass it
                key = self._card_key(conn, card_pk)
            record = decide_answer(
                policy,
                state_from(row),
                grade,
                today,
                answered_today,
                history=lambda: self._scheduled_answers(conn, card_pk),
                key=key,
            )
            after = state_values(record.after)
            if record.moves_schedule and not self.db.on_server:
                if row is None:
                    conn.execute(answer_sql.INSERT_STATE, {**mine, "buried_on": None, **after})
                else:
                    conn.execute(answer_sql.UPDATE_STATE, {**answer_sql.where(mine), **after})
            values = answer_sql.log_values(mine, record, row, now, today)
            if placeholder and not record.moves_schedule:  # a drill: the card keeps no state
                conn.execute(answer_sql.DELETE_STATE, answer_sql.where(mine))
            if record.moves_schedule and self.db.on_server:
                both = answer_sql.state_and_log(row is None and not placeholder, tuple(values))
                params = answer_sql.state_and_log_params(mine, after, values)
                new_id = int(conn.execute(both, params).scalar_one())
            else:
                inserted = conn.execute(answer_sql.INSERT_LOG, values).inserted_primary_key
                assert inserted is not None
                new_id = int(inserted[0])
            if record.suspend:  # after the state's write, which makes a first state row
                conn.execute(answer_sql.SUSPEND, {**answer_sql.where(mine), "suspended_at": now})
            drawn = None if then is None else self._queued_card(conn, then)
            return new_id, record, drawn

        log_id, record, drawn = self.db.write_retrying(answer)
        done = Answer(
            log_id,
            card_pk,
            record.grade,
            record.review_kind,
            record.after,
            record.leech,
            record.suspend,
        )
        return done, drawn

    def _locked_state(
        self, conn: Connection, card_pk: int, params: dict[str, Any]
    ) -> tuple[Any, bool, bool]:
        """The learner's state row of a card about to be answered (None without one); whether
        the card was answered today; and whether a placeholder row was just made for it (on a
        server). `CardGoneError` for a retired or removed card. `params`: learner, card_pk, today.

        On SQLite, BEGIN IMMEDIATE already holds the write lock: one statement reads it all.
        On a server, a row lock on the learner's own state row (`RETIRED_LOCKING`) serialises
        answers to one card, and the row is read after it; a first answer has no row to lock
        yet, so it inserts one (`placeholder_state`): of two first answers at once, the second
        waits, then finds the card answered today.
        """
        gone = CardGoneError("the card was retired or removed since the session began")
        if not self.db.on_server:
            found = conn.execute(answer_sql.CARD_AND_STATE, params).first()
            if found is None or found.retired_at is not None:
                raise gone
            row = found if found.state_card_pk is not None else None
            return row, bool(found.answered_today), False
        retired = conn.execute(answer_sql.RETIRED_LOCKING, params).first()
        if retired is None or retired.retired_at is not None:
            raise gone
        if retired.locked:
            row = conn.execute(answer_sql.LOCKED_STATE, params).one()
            return row, bool(row.answered_today), False
        placeholder = {**params, **state_values(NEW_STATE, prefix="new_")}
        made = conn.execute(answer_sql.placeholder_state(), placeholder).first() is not None
        if not made:  # another session's first answer committed meanwhile: this one follows it
            row = conn.execute(answer_sql.LOCKED_STATE, params).one()
            return row, bool(row.answered_today), False
        # no state row before (never scheduled, or its state taken back): ask the log
        return None, conn.execute(answer_sql.ANSWERED_TODAY, params).first() is not None, True

    def queued_card(self, card_pk: int) -> Queued | None:
        """A card and this learner's state of it, in one statement (what a review session shows
        next); None when the card is gone."""
        with self.db.read() as conn:
            return self._queued_card(conn, card_pk)

    def _queued_card(self, conn: Connection, card_pk: int) -> Queued | None:
        row = conn.execute(
            answer_sql.QUEUED_CARD, {"learner": self.db.learner, "card_pk": card_pk}
        ).first()
        if row is None:
            return None
        state = NEW_STATE if row.state_card_pk is None else state_from(row)
        return stored_card(row), state

    def _card_key(self, conn: Connection, card_pk: int) -> str:
        """ "DECK_ID/CARD_ID": the card's name on every machine (FSRS draws its fuzz from it)."""
        row = conn.execute(
            select(card_table.c.deck_id, card_table.c.card_id).where(card_table.c.pk == card_pk)
        ).one()
        return card_ref(row.deck_id, row.card_id)

    def scheduled_answers(self, card_pk: int) -> list[PastAnswer]:
        """This learner's scheduled answers to a card, oldest first, in a read transaction."""
        with self.db.read() as conn:
            return self._scheduled_answers(conn, card_pk)

    def _scheduled_answers(self, conn: Connection, card_pk: int) -> list[PastAnswer]:
        """This learner's scheduled answers (new and review, not drills) to a card, oldest first:
        what a scheduler replays to take over a card another one scheduled."""
        rows = conn.execute(
            select(log_table.c.day, log_table.c.grade)
            .where(
                log_table.c.card_pk == card_pk,
                log_table.c.learner == self.db.learner,
                log_table.c.review_kind != ReviewKind.DRILL.value,
            )
            .order_by(log_table.c.id)
        )
        return [PastAnswer(day, grade) for day, grade in rows]

    def undo_answer(self, log_id: int) -> int:
        """Remove one log entry and restore the card's state from before it. Returns the card.

        Only the card's latest answer can be taken back: when the card was answered again since
        (in another session), `AnsweredElsewhereError` is raised and nothing changes, so the state
        and the log never disagree.
        """
        with self.db.write() as conn:
            log = conn.execute(
                select(log_table).where(
                    log_table.c.id == log_id, log_table.c.learner == self.db.learner
                )
            ).first()
            if log is None:
                raise UnknownCardError(f"nothing to undo: answer {log_id} is not in the log")
            latest = conn.execute(
                select(func.max(log_table.c.id)).where(
                    log_table.c.card_pk == log.card_pk, log_table.c.learner == self.db.learner
                )
            ).scalar_one()
            if latest != log_id:
                raise AnsweredElsewhereError("the card was answered elsewhere since; not undone")
            if log.review_kind != ReviewKind.DRILL.value:
                where = queue.mine(self.db.learner, log.card_pk)
                if log.had_state:
                    before = state_from(log, prefix="prev_")
                    conn.execute(
                        update(state_table)
                        .where(where)
                        .values(**state_values(before), buried_on=log.prev_buried_on)
                    )
                else:
                    conn.execute(delete(state_table).where(where))
            conn.execute(delete(log_table).where(log_table.c.id == log_id))
            return int(log.card_pk)

    def log_for_card(self, card_pk: int) -> list[LogRecord]:
        """Every answer to one card, oldest first."""
        return read_log(self.db, log_table.c.card_pk == card_pk)


def read_log(db: Database, *where: ColumnElement[bool]) -> list[LogRecord]:
    """This learner's answers matching `where`, oldest first, with their cards' ids and kinds."""
    query = (
        select(log_table, card_table.c.deck_id, card_table.c.card_id, card_table.c.kind)
        .join(card_table, card_table.c.pk == log_table.c.card_pk)
        .where(log_table.c.learner == db.learner, *where)
        .order_by(log_table.c.id)
    )
    with db.read() as conn:
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
            scheduler=log.scheduler,
            stability=log.stability,
            difficulty=log.difficulty,
            from_anki=log.anki_id is not None,
        )
        for log in rows
    ]
