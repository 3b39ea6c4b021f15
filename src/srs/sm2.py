"""The SM-2 scheduler as pure functions: no I/O, no clock, no floats.

Easiness is kept in hundredths as an integer, and intervals use exact integer ceiling division,
so a schedule never drifts by a day through float rounding. See DESIGN.md, "SM-2, exactly".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo

from srs.model import SchedState

EF_FLOOR = 130
EF_START = 250
DRILL_PASS = 4  # a same-day drill repeats until the card is graded at least this

# EF' = EF + (0.1 - (5-q)(0.08 + (5-q)0.02)), in hundredths: exact for q = 3, 4, 5.
_EF_DELTA: dict[int, int] = {5: 10, 4: 0, 3: -14}


def _check_grade(grade: int) -> int:
    if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= 5:
        raise ValueError(f"grade must be an integer from 0 to 5, got {grade!r}")
    return int(grade)


def ef_delta(grade: int) -> int:
    """Change in easiness (hundredths) for a passing grade of 3, 4 or 5."""
    return _EF_DELTA[_check_grade(grade)]


def next_interval(n: int, previous_interval: int, ef: int) -> int:
    """Days until the next review after the `n`-th successful repetition in a row.

    1 for the first, 6 for the second, then ceil(previous * ef / 100) in integer arithmetic.
    """
    if n <= 0:
        raise ValueError(f"n must be at least 1 after a successful review, got {n}")
    if n == 1:
        return 1
    if n == 2:
        return 6
    return -(-previous_interval * ef // 100)


def review(state: SchedState, grade: int, today: date) -> SchedState:
    """Return the state after a scheduled review of quality `grade` on day `today`.

    The input is never changed. Same-day drills must not be passed here: they leave the state as it
    is (see `needs_drill`).
    """
    q = _check_grade(grade)
    if q >= 3:
        ef = max(EF_FLOOR, state.ef + _EF_DELTA[q])
        n = state.n + 1
        interval = next_interval(n, state.interval, ef)
        lapses = state.lapses
    else:
        ef = state.ef
        n = 0
        interval = 1
        lapses = state.lapses + 1
    return replace(
        state,
        n=n,
        ef=ef,
        interval=interval,
        due=today + timedelta(days=interval),
        lapses=lapses,
        reps=state.reps + 1,
    )


def needs_drill(grade: int) -> bool:
    """True when a card graded `grade` must come back later in the same session."""
    return _check_grade(grade) < DRILL_PASS


def study_day(now: datetime, tz: tzinfo, rollover_hour: int = 4) -> date:
    """The learner's day for the instant `now`: the local date in `tz`, shifted by `rollover_hour`.

    A review at 01:30 with the default rollover of 4 a.m. still counts for the previous day.
    Naive datetimes are refused, because their day is ambiguous.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got naive datetime {now.isoformat()}")
    if not 0 <= rollover_hour <= 23:
        raise ValueError(f"rollover_hour must be from 0 to 23, got {rollover_hour}")
    return (now.astimezone(tz) - timedelta(hours=rollover_hour)).date()
