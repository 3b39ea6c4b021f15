"""FSRS as a `Scheduler`, through the `fsrs` package (py-fsrs 6.x). The one core module that
imports it; everything else imports this module lazily, so SM-2 users never load it.

srs runs FSRS day by day, as SM-2:
- no learning or relearning steps: every scheduled answer gives a due date in whole days, and
  same-day relearning is srs's drill (a grade below 4 comes back in the session), which changes
  nothing in the schedule;
- every answer on a study day happens at noon UTC of that day, so the scheduler stays pure and
  the elapsed time between two answers is a whole number of days;
- grades map to ratings: 0-2 Again, 3 Hard, 4 Good, 5 Easy (docs/scheduling.md);
- fuzz is py-fsrs's own fuzz range, but drawn from a random generator seeded with the card's key
  and its review count, so the same history gives the same due date on every machine.

A card's last review day is `due - interval`: every answer sets both, so nothing else is stored.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from fsrs import Card, Rating, Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS, FUZZ_RANGES

from srs.core.grades import anki_button, passed
from srs.core.model import SchedState
from srs.core.scheduling.rule import PastAnswer, check_grade

NAME = "fsrs"
MAXIMUM_INTERVAL = 36500  # py-fsrs's default: a hundred years

RATINGS: dict[int, Rating] = {grade: Rating(anki_button(grade)) for grade in range(6)}
"""The 0-5 grade of srs as an FSRS rating, which are Anki's buttons (`srs.core.grades`)."""

_CARD_ID = 1  # py-fsrs stamps a new card with the clock unless given an id


def rating(grade: int) -> Rating:
    """The FSRS rating of a 0-5 grade: 0-2 Again, 3 Hard, 4 Good, 5 Easy."""
    return RATINGS[check_grade(grade)]


def moment(day: date) -> datetime:
    """The instant FSRS sees for an answer on study day `day`: noon UTC."""
    return datetime.combine(day, time(12), tzinfo=UTC)


def fuzz_range(interval: int, maximum: int = MAXIMUM_INTERVAL) -> tuple[int, int]:
    """py-fsrs's bounds for a fuzzed `interval` (days); `interval` itself below 2.5 days."""
    if interval < 2.5:
        return interval, interval
    delta = 1.0
    for band in FUZZ_RANGES:
        delta += band["factor"] * max(min(float(interval), band["end"]) - band["start"], 0.0)
    low = max(2, round(interval - delta))
    high = min(round(interval + delta), maximum)
    return min(low, high), high


def fuzzed(interval: int, seed: str, maximum: int = MAXIMUM_INTERVAL) -> int:
    """`interval` fuzzed as py-fsrs does it, with the draw taken from `seed` instead of the
    process's random generator."""
    low, high = fuzz_range(interval, maximum)
    if low == high == interval:
        return interval
    draw = random.Random(seed).random()
    return min(round(draw * (high - low + 1) + low), maximum)


class FSRS:
    """FSRS as a `Scheduler` object for the answer rule: default parameters, no steps."""

    name = NAME

    def __init__(
        self,
        desired_retention: float = 0.9,
        fuzz: bool = True,
        parameters: Sequence[float] = DEFAULT_PARAMETERS,
    ) -> None:
        self.desired_retention = desired_retention
        self.fuzz = fuzz
        self.fsrs = Scheduler(
            parameters=parameters,
            desired_retention=desired_retention,
            learning_steps=(),
            relearning_steps=(),
            maximum_interval=MAXIMUM_INTERVAL,
            enable_fuzzing=False,
        )
        self._decay = -self.fsrs.parameters[20]
        self._factor: float = 0.9 ** (1 / self._decay) - 1

    def card(self, state: SchedState) -> Card:
        """The py-fsrs card holding `state`'s memory (a new one when FSRS has none)."""
        if state.is_new or state.stability is None or state.difficulty is None:
            return Card(card_id=_CARD_ID, due=moment(date(2000, 1, 1)))
        assert state.due is not None
        return Card(
            card_id=_CARD_ID,
            state=State.Review,
            step=None,
            stability=state.stability,
            difficulty=state.difficulty,
            due=moment(state.due),
            last_review=moment(state.due - timedelta(days=state.interval)),
        )

    def memory(
        self, stability: float | None, difficulty: float | None, elapsed: int, grade: int
    ) -> tuple[float, float, int]:
        """(stability, difficulty, unfuzzed interval) after an answer `elapsed` days after the
        last one; a first answer when `stability` is None."""
        day = date(2000, 1, 1) + timedelta(days=max(elapsed, 0))
        if stability is None or difficulty is None:
            card = Card(card_id=_CARD_ID, due=moment(day))
        else:
            card = Card(
                card_id=_CARD_ID,
                state=State.Review,
                step=None,
                stability=stability,
                difficulty=difficulty,
                due=moment(day),
                last_review=moment(date(2000, 1, 1)),
            )
        after, _ = self.fsrs.review_card(card, rating(grade), moment(day))
        assert after.stability is not None and after.difficulty is not None
        return after.stability, after.difficulty, (after.due - moment(day)).days

    def answer(self, state: SchedState, grade: int, day: date, key: str = "") -> SchedState:
        """The state after a scheduled review graded `grade` on `day`.

        Stability, difficulty and the interval come from py-fsrs's `review_card` at noon UTC of
        `day`; the interval is then fuzzed from `key` and the review count (when fuzz is on).
        n, lapses and reps follow SM-2's counting; ef is left as it was.
        """
        q = check_grade(grade)
        after, _ = self.fsrs.review_card(self.card(state), rating(q), moment(day))
        assert after.stability is not None and after.difficulty is not None
        interval = (after.due - moment(day)).days
        if self.fuzz:
            interval = fuzzed(interval, f"{key}:{state.reps}")
        return replace(
            state,
            n=state.n + 1 if passed(q) else 0,
            interval=interval,
            due=day + timedelta(days=interval),
            lapses=state.lapses if passed(q) else state.lapses + 1,
            reps=state.reps + 1,
            scheduler=self.name,
            stability=after.stability,
            difficulty=after.difficulty,
        )

    def adopt(self, state: SchedState, history: Sequence[PastAnswer]) -> SchedState:
        """FSRS's memory state for a card SM-2 last scheduled, replayed from its scheduled
        answers (py-fsrs `reschedule_card`); its due date stays as SM-2 set it."""
        if not history:
            return replace(state, scheduler=self.name, stability=None, difficulty=None)
        stability, difficulty = self.replay(history)
        return replace(state, scheduler=self.name, stability=stability, difficulty=difficulty)

    def replay(self, history: Sequence[PastAnswer]) -> tuple[float, float]:
        """(stability, difficulty) after the scheduled answers of `history`, oldest first."""
        card = Card(card_id=_CARD_ID, due=moment(history[0].day))
        for past in sorted(history, key=lambda p: p.day):
            card, _ = self.fsrs.review_card(card, rating(past.grade), moment(past.day))
        assert card.stability is not None and card.difficulty is not None
        return card.stability, card.difficulty

    def retrievability(self, state: SchedState, day: date) -> float | None:
        """FSRS's probability of recalling the card on `day`; None without a memory state."""
        if state.stability is None or state.is_new:
            return None
        return float(self.fsrs.get_card_retrievability(self.card(state), moment(day)))

    def recall_probability(self, stability: float, elapsed: int) -> float:
        """FSRS's forgetting curve: the chance of recall `elapsed` days after the last answer."""
        return float((1 + self._factor * max(elapsed, 0) / stability) ** self._decay)


__all__ = ["FSRS", "NAME", "RATINGS", "fuzz_range", "fuzzed", "moment", "rating"]
