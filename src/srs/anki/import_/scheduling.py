"""Anki's scheduling -> SM-2 state and review log, for `srs import anki --with-progress`.

The mapping, documented in the README:
- a review card (type 2) keeps its interval and due date; Anki's ease factor in permille becomes
  SM-2's ef in hundredths (`factor / 10`, floored at 130); repetitions and lapses are kept, and the
  SM-2 repetition count is the number of passing answers since the last failure;
- a card in (re)learning is due today with a one-day interval;
- a new card stays new;
- each review-log row becomes an answer: Again -> grade 1, Hard -> 3, Good -> 4, Easy -> 5; the
  card's first answer counts as new, later answers on a day already answered as drills. Manual
  rescheduling rows (no answer) are skipped.

Anki numbers days from the collection's creation (`crt`); the day numbers are turned into dates
relative to `today`, the learner's study day now, the way Anki does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from srs.anki.import_.collection import AnkiCard, RevlogEntry
from srs.core.grades import grade_of_button
from srs.core.grades import passed as is_pass
from srs.core.model import (
    EF_START,
    NEW_STATE,
    ImportedProgress,
    PastReview,
    ReviewKind,
    SchedState,
)
from srs.core.scheduling.rule import review_kind
from srs.core.scheduling.sm2 import EF_FLOOR


def anki_today(crt: int, now: datetime) -> int:
    """Anki's day number for `now` in a collection created at `crt` (Unix seconds)."""
    return int((now.timestamp() - crt) // 86400)


def card_progress(
    card_id: str,
    card: AnkiCard,
    log: Sequence[RevlogEntry],
    crt: int,
    now: datetime,
    today: date,
    day_of: Callable[[datetime], date],
) -> ImportedProgress | None:
    """The srs state and log for one Anki card; None for a card never studied."""
    if card.type == 0:
        return None
    reviews = _reviews(log, day_of)
    ef = _ef(card.factor)
    if card.type == 2:
        due = today + timedelta(days=card.due - anki_today(crt, now))
        interval = max(card.ivl, 1)
        n = _streak(log) or (2 if interval >= 6 else 1)
    else:  # learning or relearning: due now
        due, interval, n = today, 1, 0
    state = SchedState(
        n=n, ef=ef, interval=interval, due=due, lapses=max(card.lapses, 0), reps=max(card.reps, 0)
    )
    return ImportedProgress(card_id, state, tuple(reviews))


def _ef(factor: int) -> int:
    return max(EF_FLOOR, factor // 10) if factor > 0 else EF_START


def _streak(log: Sequence[RevlogEntry]) -> int:
    n = 0
    for entry in log:
        if entry.ease == 0:
            continue
        n = 0 if entry.ease == 1 else n + 1
    return n


def _reviews(log: Sequence[RevlogEntry], day_of: Callable[[datetime], date]) -> list[PastReview]:
    reviews: list[PastReview] = []
    state = NEW_STATE
    days: set[date] = set()
    for entry in log:
        grade = grade_of_button(entry.ease)
        if grade is None:  # a manual reschedule: no answer was given
            continue
        at = datetime.fromtimestamp(entry.id / 1000, UTC)
        day = day_of(at)
        kind = review_kind(state, answered_today=day in days)
        days.add(day)
        before = state
        if kind is not ReviewKind.DRILL:
            interval = entry.ivl if entry.ivl > 0 else 1  # negative: seconds of a learning step
            passed = is_pass(grade)
            state = SchedState(
                n=state.n + 1 if passed else 0,
                ef=_ef(entry.factor) if entry.factor else state.ef,
                interval=interval,
                due=day + timedelta(days=interval),
                lapses=state.lapses + (0 if passed or state.is_new else 1),
                reps=state.reps + 1,
            )
        reviews.append(PastReview(at, day, grade, kind, before, state, first=not reviews))
    return reviews
