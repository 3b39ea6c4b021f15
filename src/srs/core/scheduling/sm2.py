"""The SM-2 scheduler as pure functions: no I/O, no clock, no floats.

Easiness is kept in hundredths as an integer, and intervals use exact integer ceiling division,
so a schedule never drifts by a day through float rounding. See DESIGN.md, "SM-2, exactly".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from srs.core.grades import DRILL_PASS, passed
from srs.core.model import EF_START, SchedState
from srs.core.scheduling.rule import AnswerPolicy, PastAnswer, check_grade, needs_drill

EF_FLOOR = 130

# EF' = EF + (0.1 - (5-q)(0.08 + (5-q)0.02)), in hundredths: exact for q = 3, 4, 5.
_EF_DELTA: dict[int, int] = {5: 10, 4: 0, 3: -14}


def ef_delta(grade: int) -> int:
    """Change in easiness (hundredths) for a passing grade of 3, 4 or 5."""
    return _EF_DELTA[check_grade(grade)]


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
    q = check_grade(grade)
    if passed(q):
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


class SM2:
    """SM-2 as a `Scheduler` object, for the answer rule."""

    name = "sm2"

    def answer(self, state: SchedState, grade: int, day: date, key: str = "") -> SchedState:
        """The state after a scheduled review: `review(state, grade, day)`, marked as SM-2's.

        FSRS's memory figures, if the card has them from before, are dropped: SM-2 does not keep
        them up to date, and FSRS, chosen again, replays the card's answers instead (`adopt`)."""
        after = review(state, grade, day)
        if after.scheduler == self.name and after.stability is None and after.difficulty is None:
            return after
        return replace(after, scheduler=self.name, stability=None, difficulty=None)

    def adopt(self, state: SchedState, history: Sequence[PastAnswer]) -> SchedState:
        """A card FSRS last scheduled goes on from its SM-2 figures as they stand: FSRS answers
        leave ef alone and keep n (successes in a row) and the interval up to date."""
        return state


__all__ = [
    "DRILL_PASS",
    "EF_FLOOR",
    "EF_START",
    "SM2",
    "ef_delta",
    "needs_drill",
    "next_interval",
    "review",
]


SM2_POLICY = AnswerPolicy(SM2())
"""The answer policy of a learner who chose nothing: SM-2, leeches flagged, not suspended."""
