"""What a stored state may hold: the one check, made where a state is read, so that no review,
history or simulation ever computes with a state that would crash it.

A state can come from outside srs (an Anki package, a collection file edited by hand): `ef` the
REAL 1e300, an interval of 2**62 days, a due date past the year 9999 all made `srs review` crash
on the card's grade preview. `valid_state` keeps the bounds of this module: integers where srs
writes integers, an interval up to a hundred years, `ef` from SM-2's floor to 10 (ease 1300 to
10000 permille in Anki's terms), dates within `FIRST_DAY` and `LAST_DAY` (so the next interval
always fits in a date), finite FSRS figures in FSRS's ranges.
"""

from __future__ import annotations

import math
from datetime import date

from srs.core.model import SchedState

MAX_INTERVAL = 36500
"""The longest interval, in days (a hundred years; FSRS's own maximum)."""

MIN_EF = 130
"""SM-2's floor for `ef` (hundredths)."""

MAX_EF = 1000
"""The highest `ef` (hundredths): Anki's ease of 10000 permille."""

MAX_COUNT = 1_000_000
"""The most repetitions, lapses or successes in a row a state may count."""

FIRST_DAY = date(1970, 1, 1)
"""The earliest due date."""

LAST_DAY = date(8000, 12, 31)
"""The latest due date: a thousand years of `MAX_INTERVAL * MAX_EF / 100` still fit after it."""

MAX_STABILITY = 1e6
"""FSRS stability, in days: above it the memory state means nothing."""

_INTS = ("n", "ef", "interval", "lapses", "reps")


def is_int(value: object) -> bool:
    """An int that is not a bool (SQLite and JSON give ints, floats, text, bytes or None)."""
    return isinstance(value, int) and not isinstance(value, bool)


def valid_state(state: SchedState) -> SchedState | None:
    """`state` when every field is of its type and within the bounds above, else None.

    A caller treats None as a card with no usable progress (new), and may count such cards."""
    if not all(is_int(getattr(state, name)) for name in _INTS):
        return None
    if not (0 <= state.n <= MAX_COUNT and 0 <= state.lapses <= MAX_COUNT):
        return None
    if not (0 <= state.reps <= MAX_COUNT and MIN_EF <= state.ef <= MAX_EF):
        return None
    if not 0 <= state.interval <= MAX_INTERVAL:
        return None
    due = state.due
    if due is not None and not (type(due) is date and FIRST_DAY <= due <= LAST_DAY):
        return None
    if state.scheduler not in ("sm2", "fsrs"):
        return None
    if not _fsrs_ok(state.stability, state.difficulty):
        return None
    return state


def valid_day(day: object) -> bool:
    """Whether `day` is a date srs can count from (between `FIRST_DAY` and `LAST_DAY`)."""
    return type(day) is date and FIRST_DAY <= day <= LAST_DAY


def _fsrs_ok(stability: object, difficulty: object) -> bool:
    if stability is None and difficulty is None:
        return True
    for value in (stability, difficulty):
        if not isinstance(value, float | int) or isinstance(value, bool):
            return False
        if not math.isfinite(value):
            return False
    assert isinstance(stability, float | int) and isinstance(difficulty, float | int)
    return 0 < stability <= MAX_STABILITY and 1 <= difficulty <= 10
