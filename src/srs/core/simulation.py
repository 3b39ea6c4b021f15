"""`srs simulate`, the pure part: a simulated learner studies cards under SM-2 and under FSRS.

The learner's memory follows FSRS with its default parameters (the model fitted to millions of
Anki reviews): each card has a true stability and difficulty, a review recalls it with FSRS's
forgetting-curve probability, and the answer updates the memory as FSRS says it would. The
scheduler under test only decides when the card comes back. Every draw comes from one random
generator seeded with `seed`, so the same inputs give the same figures.

Assumptions, also in docs/scheduling.md:
- the learner reviews every due card every day, and at most `new_per_day` new cards a deck a
  day, in deck order (as `srs review` does);
- a recalled card is graded Hard, Good or Easy with fixed chances (RECALL_GRADES), a forgotten
  one Again (grade 1); a new card's first grade is drawn from FIRST_GRADES;
- a grade below 4 costs one same-day drill, counted as a review; drills do not change memory;
- every review (drills included) takes SECONDS_PER_REVIEW seconds.

The `fsrs` package is imported (through `srs.core.scheduling.fsrs`) only when this runs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from srs.core.grades import DRILL_PASS
from srs.core.model import SchedState
from srs.core.scheduling.choice import SchedulerChoice, make_scheduler
from srs.core.scheduling.rule import PastAnswer
from srs.core.ticker import SIMULATING, Ticker, no_ticker, report_every

SECONDS_PER_REVIEW = 10
"""The stated pace of a review, drills included, for the minutes figure."""

FIRST_GRADES = ((1, 0.24), (3, 0.094), (4, 0.495), (5, 0.171))
"""(grade, chance) of a new card's first answer: Anki's simulator defaults for Again..Easy."""

RECALL_GRADES = ((3, 0.224), (4, 0.632), (5, 0.144))
"""(grade, chance) of an answer when the card is recalled: Anki's simulator defaults."""

FORGOTTEN_GRADE = 1
SCHEDULER_ORDER = ("sm2", "fsrs")


@dataclass(frozen=True, slots=True)
class StartCard:
    """A card as the simulation starts from it: its name (DECK_ID/CARD_ID), the learner's state
    and its scheduled answers so far (none for a new card)."""

    key: str
    state: SchedState
    history: tuple[PastAnswer, ...] = ()


@dataclass(frozen=True, slots=True)
class SchedulerRun:
    """What one scheduler cost the simulated learner, and what it left them knowing."""

    scheduler: str
    daily: tuple[int, ...]  # reviews (drills included) on each simulated day
    total: int
    mean: float
    peak: int
    minutes: float
    retention_end: float | None  # mean recall chance of the studied cards on the last day
    studied: int  # cards seen at least once by the end


@dataclass(frozen=True, slots=True)
class Simulation:
    """Both runs, with everything they assumed."""

    start: date
    days: int
    new_per_day: int
    seed: int
    cards: int
    from_real_state: int  # cards that start from the learner's own state and log
    desired_retention: float
    fuzz: bool
    seconds_per_review: int
    runs: tuple[SchedulerRun, ...]

    def run(self, name: str) -> SchedulerRun:
        """The run of scheduler `name`."""
        return next(r for r in self.runs if r.scheduler == name)


def _draw(rng: random.Random, table: Sequence[tuple[int, float]]) -> int:
    u = rng.random() * sum(p for _, p in table)
    for grade, chance in table:
        u -= chance
        if u < 0:
            return grade
    return table[-1][0]


def run_scheduler(
    name: str,
    cards: Sequence[StartCard],
    start: date,
    days: int,
    new_per_day: int,
    seed: int,
    choice: SchedulerChoice,
    ticker: Ticker = no_ticker,
) -> SchedulerRun:
    """One scheduler's year (or `days`) with the simulated learner; `ticker` hears of the
    days simulated."""
    from srs.core.scheduling.fsrs import FSRS

    memory_model = FSRS(fuzz=False)
    scheduler = make_scheduler(
        SchedulerChoice(name, choice.desired_retention, choice.fuzz),
    )
    rng = random.Random(f"{seed}")
    states = [c.state for c in cards]
    # true memory: (stability, difficulty, day offset of the last answer), None when unseen
    memory: list[tuple[float, float, int] | None] = []
    due_on: dict[int, list[int]] = {}
    new_queues: dict[str, list[int]] = {}  # per deck, in deck order
    for i, card in enumerate(cards):
        if card.state.is_new or not card.history:
            memory.append(None)
            new_queues.setdefault(card.key.split("/", 1)[0], []).append(i)
            continue
        stability, difficulty = memory_model.replay(card.history)
        memory.append((stability, difficulty, (card.history[-1].day - start).days))
        assert card.state.due is not None
        due_on.setdefault(max(0, (card.state.due - start).days), []).append(i)
    for queue in new_queues.values():
        queue.reverse()  # pop() takes them in deck order
    daily: list[int] = []
    for offset in range(days):
        report_every(ticker, f"{SIMULATING} ({name})", offset, days)
        day = start + timedelta(days=offset)
        today = sorted(due_on.pop(offset, []))
        for queue in new_queues.values():
            for _ in range(min(new_per_day, len(queue))):
                today.append(queue.pop())
        reviews = 0
        for i in today:
            known = memory[i]
            if known is None:
                grade = _draw(rng, FIRST_GRADES)
                stability, difficulty, _ = memory_model.memory(None, None, 0, grade)
            else:
                elapsed = offset - known[2]
                recalled = rng.random() < memory_model.recall_probability(known[0], elapsed)
                grade = _draw(rng, RECALL_GRADES) if recalled else FORGOTTEN_GRADE
                stability, difficulty, _ = memory_model.memory(known[0], known[1], elapsed, grade)
            memory[i] = (stability, difficulty, offset)
            state = states[i]
            if not state.is_new and state.scheduler != scheduler.name:
                state = scheduler.adopt(state, cards[i].history)
            state = scheduler.answer(state, grade, day, key=cards[i].key)
            states[i] = state
            reviews += 1 if grade >= DRILL_PASS else 2  # one drill brings it to 4
            assert state.due is not None
            next_offset = (state.due - start).days
            if next_offset < days:
                due_on.setdefault(next_offset, []).append(i)
        daily.append(reviews)
    studied = [m for m in memory if m is not None]
    retention = (
        sum(memory_model.recall_probability(s, days - last) for s, _, last in studied)
        / len(studied)
        if studied
        else None
    )
    total = sum(daily)
    return SchedulerRun(
        scheduler=name,
        daily=tuple(daily),
        total=total,
        mean=total / days,
        peak=max(daily, default=0),
        minutes=total * SECONDS_PER_REVIEW / 60,
        retention_end=retention,
        studied=len(studied),
    )


def simulate(
    cards: Sequence[StartCard],
    start: date,
    days: int,
    new_per_day: int,
    seed: int,
    choice: SchedulerChoice,
    ticker: Ticker = no_ticker,
) -> Simulation:
    """Both schedulers, each on the same cards from the same start, with the same seed."""
    runs = tuple(
        run_scheduler(name, cards, start, days, new_per_day, seed, choice, ticker)
        for name in SCHEDULER_ORDER
    )
    return Simulation(
        start=start,
        days=days,
        new_per_day=new_per_day,
        seed=seed,
        cards=len(cards),
        from_real_state=sum(1 for c in cards if c.history and not c.state.is_new),
        desired_retention=choice.desired_retention,
        fuzz=choice.fuzz,
        seconds_per_review=SECONDS_PER_REVIEW,
        runs=runs,
    )
