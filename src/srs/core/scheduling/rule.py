"""The answer rule: whether an answer is a first review, a scheduled review or a same-day drill.

It is core, not store: given a card's state before the answer, the grade, the study day and whether
the card was already answered that day, `decide_answer` returns the record to persist. The store
only writes that record, inside one write transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from srs.core.model import ReviewKind, SchedState

DRILL_PASS = 4  # a same-day drill repeats until the card is graded at least this


@dataclass(frozen=True, slots=True)
class PastAnswer:
    """One scheduled answer (new or review, never a drill) of a card's log: its day and grade."""

    day: date
    grade: int


class Scheduler(Protocol):
    """A pure scheduler: the state after a scheduled review, with the day passed in.

    `name` is what the state and the review log record ("sm2" or "fsrs"). `key` names the card
    (deck id / card id) for a scheduler that draws fuzz from it; others ignore it.
    """

    name: str

    def answer(self, state: SchedState, grade: int, day: date, key: str = "") -> SchedState:
        """The state after a scheduled review graded `grade` on `day`; `state` is not changed."""
        ...

    def adopt(self, state: SchedState, history: Sequence[PastAnswer]) -> SchedState:
        """The state this scheduler starts from for a card another scheduler last scheduled,
        given the card's scheduled answers, oldest first."""
        ...


def check_grade(grade: int) -> int:
    """`grade` as an int when it is a whole number from 0 to 5; `ValueError` otherwise."""
    if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= 5:
        raise ValueError(f"grade must be an integer from 0 to 5, got {grade!r}")
    return int(grade)


def needs_drill(grade: int) -> bool:
    """True when a card graded `grade` must come back later in the same session."""
    return check_grade(grade) < DRILL_PASS


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """What one answer changes: its kind, and the card's state before and after it."""

    kind: ReviewKind
    grade: int
    before: SchedState
    after: SchedState

    @property
    def moves_schedule(self) -> bool:
        """False for a drill, which is logged but leaves the state as it was."""
        return self.kind is not ReviewKind.DRILL


def _no_history() -> Sequence[PastAnswer]:
    return ()


def decide_answer(
    scheduler: Scheduler,
    before: SchedState,
    grade: int,
    day: date,
    answered_today: bool,
    history: Callable[[], Sequence[PastAnswer]] = _no_history,
    key: str = "",
) -> AnswerRecord:
    """The record of one answer. The first answer of the day to a card is scheduled (new or
    review); any later one that day is a drill and changes nothing in the schedule.

    A card last scheduled by another scheduler is first adopted by this one from its scheduled
    answers (`history` is called only then); the record keeps `before` as it was stored, so that
    undo restores it exactly.
    """
    grade = check_grade(grade)
    if answered_today:
        return AnswerRecord(ReviewKind.DRILL, grade, before, before)
    kind = ReviewKind.NEW if before.is_new else ReviewKind.REVIEW
    basis = before
    if not before.is_new and before.scheduler != scheduler.name:
        basis = scheduler.adopt(before, history())
    return AnswerRecord(kind, grade, before, scheduler.answer(basis, grade, day, key))


def preview_answers(
    scheduler: Scheduler,
    before: SchedState,
    day: date,
    answered_today: bool,
    history: Callable[[], Sequence[PastAnswer]] = _no_history,
    key: str = "",
) -> dict[int, AnswerRecord]:
    """What each grade would do to a card now: the very records `decide_answer` would return, so
    that a screen can show each grade's outcome without computing a schedule of its own."""
    return {
        grade: decide_answer(scheduler, before, grade, day, answered_today, history, key)
        for grade in range(6)
    }


DEFAULT_LEECH_LAPSES = 8
"""Lapses that make a card a leech, as in Anki (settable with SRS_LEECH_LAPSES)."""


def is_new_leech(lapses_before: int, lapses_after: int, threshold: int) -> bool:
    """True when an answer takes a card's lapses to the leech threshold (flagged once, there)."""
    return lapses_before < threshold <= lapses_after
