"""The answer rule: whether an answer is a first review, a scheduled review or a same-day drill,
and whether it makes the card a leech.

It is core, not store: given the learner's answer policy (the scheduler and the leech rule, as
Anki keeps them in its scheduler's context), a card's state before the answer, the grade, the
study day and whether the card was already answered that day, `decide_answer` returns the record
to persist. The store only writes that record, inside one write transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

from srs.core.grades import DRILL_PASS
from srs.core.model import ReviewKind, SchedState


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


DEFAULT_LEECH_LAPSES = 8
"""Lapses that make a card a leech, as in Anki (settable with SRS_LEECH_LAPSES)."""


@dataclass(frozen=True, slots=True)
class AnswerPolicy:
    """How a learner's answers are decided: the scheduler, and the leech rule (the lapses that
    make a card a leech, and whether a leech is suspended)."""

    scheduler: Scheduler
    leech_lapses: int = DEFAULT_LEECH_LAPSES
    leech_suspend: bool = False


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """What one answer changes: its kind, the card's state before and after it, and whether it
    made the card a leech (`leech`) to be suspended (`suspend`)."""

    review_kind: ReviewKind
    grade: int
    before: SchedState
    after: SchedState
    leech: bool = False
    suspend: bool = False

    @property
    def moves_schedule(self) -> bool:
        """False for a drill, which is logged but leaves the state as it was."""
        return self.review_kind is not ReviewKind.DRILL


def review_kind(before: SchedState, answered_today: bool) -> ReviewKind:
    """The kind of an answer: the first of the day to a card is scheduled (new for a card never
    scheduled, else a review); any later one that day is a drill. The one place this is said."""
    if answered_today:
        return ReviewKind.DRILL
    return ReviewKind.NEW if before.is_new else ReviewKind.REVIEW


def _no_history() -> Sequence[PastAnswer]:
    return ()


def adopted(
    scheduler: Scheduler, before: SchedState, history: Callable[[], Sequence[PastAnswer]]
) -> SchedState:
    """The state `scheduler` answers from: `before`, or, for a card another scheduler last
    scheduled, the state this one adopts from the card's scheduled answers (`history` is
    called only then). The review screen shows a card's figures from it, so that they are
    the chosen scheduler's as soon as it is chosen."""
    if not before.is_new and before.scheduler != scheduler.name:
        return scheduler.adopt(before, history())
    return before


_adopted = adopted


def _record(
    policy: AnswerPolicy, before: SchedState, basis: SchedState, grade: int, day: date, key: str
) -> AnswerRecord:
    kind = review_kind(before, answered_today=False)
    after = policy.scheduler.answer(basis, grade, day, key)
    if kind is ReviewKind.NEW and after.lapses != before.lapses:
        # a new card failed at its first answer was never learned: no lapse, as in Anki, so it
        # counts neither in the card's lapses nor towards a leech (whichever the scheduler)
        after = replace(after, lapses=before.lapses)
    leech = is_new_leech(before.lapses, after.lapses, policy.leech_lapses)
    return AnswerRecord(kind, grade, before, after, leech, leech and policy.leech_suspend)


def decide_answer(
    policy: AnswerPolicy,
    before: SchedState,
    grade: int,
    day: date,
    answered_today: bool,
    history: Callable[[], Sequence[PastAnswer]] = _no_history,
    key: str = "",
) -> AnswerRecord:
    """The record of one answer. The first answer of the day to a card is scheduled (new or
    review); any later one that day is a drill and changes nothing in the schedule. A scheduled
    answer that takes the card's lapses to the policy's threshold makes it a leech (once). A new
    card's first answer is never a lapse, even when it fails (as in Anki).

    A card last scheduled by another scheduler is first adopted by this one from its scheduled
    answers (`history` is called only then); the record keeps `before` as it was stored, so that
    undo restores it exactly.
    """
    grade = check_grade(grade)
    if review_kind(before, answered_today) is ReviewKind.DRILL:
        return AnswerRecord(ReviewKind.DRILL, grade, before, before)
    basis = _adopted(policy.scheduler, before, history)
    return _record(policy, before, basis, grade, day, key)


def preview_answers(
    policy: AnswerPolicy,
    before: SchedState,
    day: date,
    answered_today: bool,
    history: Callable[[], Sequence[PastAnswer]] = _no_history,
    key: str = "",
) -> dict[int, AnswerRecord]:
    """What each grade would do to a card now: the very records `decide_answer` would return, so
    that a screen can show each grade's outcome without computing a schedule of its own. The
    card is adopted once (its history read and replayed once), then each grade answered from it."""
    if answered_today:
        return {g: AnswerRecord(ReviewKind.DRILL, g, before, before) for g in range(6)}
    basis = _adopted(policy.scheduler, before, history)
    return {g: _record(policy, before, basis, g, day, key) for g in range(6)}


def is_new_leech(lapses_before: int, lapses_after: int, threshold: int) -> bool:
    """True when an answer takes a card's lapses to the leech threshold (flagged once, there)."""
    return lapses_before < threshold <= lapses_after
