"""FSRS next to SM-2: one answer (grade, save, next card) under each, and `srs simulate` of 1,000
cards over 365 days under both schedulers. Run by hand: `uv run python benchmarks/fsrs_bench.py`.

Targets (issue 15): one FSRS answer within 1.5x of an SM-2 answer; the simulation under 10 s.
Results are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from srs.core.model import NEW_STATE, Card, Deck, Kind
from srs.core.scheduling.choice import SchedulerChoice, make_scheduler
from srs.core.simulation import StartCard, simulate
from srs.review import ReviewSession
from srs.store import Store

CARDS = 300
ROUNDS = 3
GRADES = (4, 5, 4, 3, 5, 4, 2, 4, 5, 4)
DAY0 = date(2026, 1, 1)


def deck(cards: int) -> Deck:
    return Deck(
        "bench",
        "Bench",
        "synthetic",
        tuple(Card(f"c{i}", Kind.FINDING, f"front {i}", f"back {i}") for i in range(cards)),
    )


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def answer_times(folder: Path, first: str, second: str) -> list[float]:
    """Answer every card once with scheduler `first` on day 0, then time each answer (+ the next
    card) of the day-30 session under `second`, when every card is an overdue review."""
    db = folder / f"{first}-{second}.db"
    store = Store.open(f"sqlite:///{db}", str(db))
    try:
        store.content.load_deck(deck(CARDS), at(DAY0))
        store.scheduler = make_scheduler(SchedulerChoice(first))
        session = ReviewSession(store, ["bench"], DAY0, CARDS)
        for _ in range(CARDS):
            session.answer(4, at(DAY0))
        day = DAY0 + timedelta(days=30)
        store.scheduler = make_scheduler(SchedulerChoice(second))
        session = ReviewSession(store, ["bench"], day, 0)
        session.current()
        samples = []
        for i in range(CARDS):
            if session.current() is None:
                break
            t0 = time.perf_counter()
            session.answer(GRADES[i % len(GRADES)], at(day))
            session.current()
            samples.append(time.perf_counter() - t0)
        return samples
    finally:
        store.close()


def scheduler_alone(name: str) -> float:
    """Median time of one `answer` of the scheduler object alone (no database), in seconds."""
    scheduler = make_scheduler(SchedulerChoice(name))
    state = scheduler.answer(NEW_STATE, 4, DAY0, key="bench/c0")
    day = DAY0 + timedelta(days=30)
    runs = []
    for grade in GRADES * 20:
        t0 = time.perf_counter()
        scheduler.answer(state, grade, day, key="bench/c0")
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def timed(call: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.system()}")
    rows: list[tuple[str, float]] = []
    cases = (
        ("sm2", "sm2", "one answer + next card, SM-2"),
        ("fsrs", "fsrs", "one answer + next card, FSRS"),
        ("sm2", "fsrs", "first FSRS answer after SM-2 (replays the log)"),
    )
    samples: dict[str, list[float]] = {label: [] for _, _, label in cases}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(ROUNDS):  # rounds interleaved, so that load on the machine hits all alike
            for first, second, label in cases:
                folder = Path(tmp) / f"{r}"
                folder.mkdir(exist_ok=True)
                samples[label] += answer_times(folder, first, second)
    for _, _, label in cases:
        rows.append((label, statistics.median(samples[label]) * 1000))
        print(f"{label}: median {rows[-1][1]:.3f} ms", file=sys.stderr)
    for name in ("sm2", "fsrs"):
        rows.append((f"the scheduler alone, {name}: answer()", scheduler_alone(name) * 1000))
    cards = [StartCard(f"bench/c{i}", NEW_STATE) for i in range(1000)]
    sim = timed(lambda: simulate(cards, DAY0, 365, 20, 1, SchedulerChoice()), 3)
    rows.append(("simulate 1,000 cards x 365 days, both schedulers", statistics.median(sim) * 1000))
    sm2_ms, fsrs_ms = rows[0][1], rows[1][1]
    print()
    print("| measure | median (ms) |")
    print("| --- | ---: |")
    for label, ms in rows:
        print(f"| {label} | {ms:.2f} |")
    print(f"\nFSRS / SM-2 answer: {fsrs_ms / sm2_ms:.2f}x (target <= 1.5x)")
    print(f"simulate: {rows[-1][1] / 1000:.2f} s (target < 10 s)")


if __name__ == "__main__":
    main()
