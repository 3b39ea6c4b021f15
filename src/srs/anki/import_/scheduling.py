"""Anki's scheduling -> SM-2 state and review log, for `srs import anki --with-progress`.

The mapping, documented in the README:
- a review card (type 2) keeps its interval and due date; Anki's ease factor in permille becomes
  SM-2's ef in hundredths (`factor / 10`); repetitions and lapses are kept, and the SM-2
  repetition count is the number of passing answers since the last failure;
- a card in (re)learning is due today with a one-day interval;
- a new card stays new;
- each review-log row becomes an answer: Again -> grade 1, Hard -> 3, Good -> 4, Easy -> 5; the
  card's first answer counts as new, later answers on a day already answered as drills. Manual
  rescheduling rows (no answer) are skipped.

Every number is checked before anything is made of it: an integer (SQLite gives whatever the file
holds), within `core.scheduling.bounds` (an interval up to a hundred years, an ease of 1300 to
10000 permille, dates srs can count). A card with any value out of range, in its row or its
review log, keeps no progress: `card_progress` raises `OutOfRange` and the import counts them.

Anki numbers days from the collection's creation (`crt`); the day numbers are turned into dates
relative to `today`, the learner's study day now, the way Anki does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

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
from srs.core.scheduling.bounds import (
    FIRST_DAY,
    LAST_DAY,
    MAX_COUNT,
    MAX_EF,
    MAX_INTERVAL,
    MIN_EF,
    is_int,
    valid_day,
    valid_state,
)
from srs.core.scheduling.rule import review_kind

_FIRST_MS = int(datetime(FIRST_DAY.year, 1, 1, tzinfo=UTC).timestamp() * 1000)
_LAST_MS = int(datetime(LAST_DAY.year, 1, 1, tzinfo=UTC).timestamp() * 1000)
_LEARNING_SECONDS = 10**9  # a learning step's negative interval, in seconds: far beyond any


class OutOfRange(ValueError):
    """A card's scheduling or review log holds a value srs cannot take as progress."""


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
    """The srs state and log for one Anki card; None for a card never studied.

    Raises `OutOfRange` when a value of the card or its log is not an integer in range."""
    state = anki_state(card, log, crt, now, today)
    if state is None:
        return None
    log = [without_fsrs_factor(entry) for entry in log]
    return ImportedProgress(card_id, state, tuple(replay(log, day_of)))


def without_fsrs_factor(entry: RevlogEntry) -> RevlogEntry:
    """A review-log row of a card Anki schedules with FSRS, whose `factor` then holds the
    difficulty in hundredths (100 to 1000), below any SM-2 ease (1300 up): kept as no ease, so
    the answer keeps the ease before it. Any other value is checked as an ease."""
    factor = entry.factor
    if isinstance(factor, int) and not isinstance(factor, bool) and 100 <= factor <= 1000:
        return entry._replace(factor=0)
    return entry


def anki_state(
    card: AnkiCard, log: Sequence[RevlogEntry], crt: int, now: datetime, today: date
) -> SchedState | None:
    """The SM-2 state of one Anki card (`log` its whole review log, oldest first); None for a
    card never studied. Raises `OutOfRange` for a value that is not an integer in range."""
    kind = _checked(card.type, 0, 3)
    if kind == 0:
        return None
    ef = _ef(card.factor)
    reps, lapses = _checked(card.reps, 0, MAX_COUNT), _checked(card.lapses, 0, MAX_COUNT)
    if kind == 2:
        offset = _checked(card.due, -(10**7), 10**7) - anki_today(crt, now)
        interval = max(_checked(card.ivl, 0, MAX_INTERVAL), 1)
        if abs(offset) > (LAST_DAY - FIRST_DAY).days:
            raise OutOfRange("due")
        due = _day(today.toordinal() + offset)
        n = _streak(log) or (2 if interval >= 6 else 1)
    else:  # learning or relearning: due now
        due, interval, n = today, 1, 0
    state = SchedState(n=n, ef=ef, interval=interval, due=due, lapses=lapses, reps=reps)
    if valid_state(state) is None:
        raise OutOfRange("state")
    return state


def review_time(entry: RevlogEntry) -> datetime:
    """When a review-log row's answer was given (its id, in ms); `OutOfRange` past srs's days."""
    return datetime.fromtimestamp(_checked(entry.id, _FIRST_MS, _LAST_MS) / 1000, UTC)


def _checked(value: object, low: int, high: int) -> int:
    if not is_int(value):
        raise OutOfRange("not an integer")
    assert isinstance(value, int)
    if not low <= value <= high:
        raise OutOfRange("out of range")
    return value


def _day(ordinal: int) -> date:
    if not FIRST_DAY.toordinal() <= ordinal <= LAST_DAY.toordinal():
        raise OutOfRange("date")
    return date.fromordinal(ordinal)


def _ef(factor: object) -> int:
    """Anki's ease (permille; 0 for a card never reviewed) as SM-2's ef (hundredths)."""
    value = _checked(factor, 0, MAX_EF * 10)
    if value == 0:
        return EF_START
    if value < MIN_EF * 10:
        raise OutOfRange("ease")
    return value // 10


def _streak(log: Sequence[RevlogEntry]) -> int:
    n = 0
    for entry in log:
        if entry.ease == 0:
            continue
        n = 0 if entry.ease == 1 else n + 1
    return n


def replay(
    log: Sequence[RevlogEntry],
    day_of: Callable[[datetime], date],
    start: SchedState = NEW_STATE,
    answered: frozenset[date] = frozenset(),
    had_state: bool = False,
) -> list[PastReview]:
    """The answers of `log` (oldest first), each with the state before and after it, from the
    state `start` on (`answered`: the days the card was already answered, whose later answers
    are drills; `had_state`: whether a state row was there before the first). Each keeps its
    Anki review id. Raises `OutOfRange` for a value that is not an integer in range."""
    reviews: list[PastReview] = []
    state = start
    days = set(answered)
    for entry in log:
        grade = grade_of_button(_checked(entry.ease, 0, 4))
        _checked(entry.type, 0, 10)
        if grade is None:  # a manual reschedule: no answer was given
            continue
        at = review_time(entry)
        day = day_of(at)
        if not valid_day(day):
            raise OutOfRange("review day")
        kind = review_kind(state, answered_today=day in days)
        days.add(day)
        before = state
        ivl = _checked(entry.ivl, -_LEARNING_SECONDS, MAX_INTERVAL)
        factor = _checked(entry.factor, 0, MAX_EF * 10)
        if kind is not ReviewKind.DRILL:
            interval = ivl if ivl > 0 else 1  # negative: seconds of a learning step
            passed = is_pass(grade)
            state = SchedState(
                n=min(state.n + 1, MAX_COUNT) if passed else 0,
                ef=_ef(factor) if factor else state.ef,
                interval=interval,
                due=_day(day.toordinal() + interval),
                lapses=min(state.lapses + (0 if passed or state.is_new else 1), MAX_COUNT),
                reps=min(state.reps + 1, MAX_COUNT),
            )
        first = not reviews and not had_state
        reviews.append(
            PastReview(at, day, grade, kind, before, state, first, _checked(entry.id, 0, _LAST_MS))
        )
    return reviews
