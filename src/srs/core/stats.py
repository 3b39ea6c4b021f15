"""Figures for `srs stats`, computed from small pre-aggregated rows. Standard library only.

The store aggregates the review log in SQL (counts per day, per day and card kind, per ef bucket,
per due date) and hands the rows here; this module turns them into streaks, the heatmap grid,
the retention series, the forecast and the ef histogram. It reads no clock: `today` (the learner's
study day, see `srs.core.days.study_day`) is always passed in.

Definitions (also in docs/stats.md):

- An *answer* is one row of the review log: a first answer to a new card, a scheduled review, or a
  same-day drill. The heatmap, the streaks and "answers today" count every answer.
- A *study day* with at least one answer extends a streak. The current streak ends today, or
  yesterday when nothing has been answered yet today (a streak is not lost until the day is over).
- *Retention* is the share of scheduled reviews (review kind ``review``) graded 3 or more. First
  answers to new cards do not count: the learner had never seen the answer, so they measure
  learning, not recall. Same-day drills never count. It covers whole Monday-to-Sunday weeks (the
  current one so far), a window of its own: the heatmap's year would cost a card lookup for
  every review of the year.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from srs.core.model import KINDS

FORECAST_DAYS = 14
RETENTION_WEEKS = 12  # default span of the retention figures, in Monday-to-Sunday weeks
EF_BUCKET = 10  # width of an ef histogram bucket, in hundredths (0.1 of easiness)
HEAT_LEVELS = 4  # intensity levels above zero in the heatmap
HARDEST_LIMIT = 10
"""Cards `srs stats` lists as the hardest."""

# ---- input rows, as the store returns them ----------------------------------------------------


class DayCount(NamedTuple):
    """Answers given on one study day."""

    day: date
    answers: int


class RetentionCount(NamedTuple):
    """Scheduled reviews of one card kind on one study day, and how many were graded 3+."""

    day: date
    kind: str
    reviews: int
    passed: int


class EfCount(NamedTuple):
    """Reviewed cards whose current ef falls in the bucket starting at `low` (hundredths)."""

    low: int
    cards: int


class DueCount(NamedTuple):
    """Cards due on `day`; overdue cards come as days before today."""

    day: date
    cards: int


class TodayCounts(NamedTuple):
    """What happened today, and what is still due."""

    answers: int
    reviewed: int  # distinct cards answered
    new_seen: int  # first answers to new cards
    due: int  # scheduled cards still due now (overdue included, buried ones not)


class HardCard(NamedTuple):
    """A card with a history of trouble: lapses, or an ef below the start value."""

    deck_id: str
    card_id: str
    kind: str
    front: str
    lapses: int
    ef: int
    reps: int
    due: date | None


# ---- figures ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Streaks:
    """Runs of consecutive study days with at least one answer."""

    current: int
    longest: int


@dataclass(frozen=True, slots=True)
class Rate:
    """Scheduled reviews and how many passed (graded 3 or more)."""

    reviews: int = 0
    passed: int = 0

    @property
    def rate(self) -> float | None:
        """Passed / reviews, or None when there was no review to judge by."""
        return self.passed / self.reviews if self.reviews else None

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.reviews + other.reviews, self.passed + other.passed)


@dataclass(frozen=True, slots=True)
class WeekRetention:
    """Retention over one Monday-to-Sunday study week."""

    week: date  # the Monday
    total: Rate
    by_kind: dict[str, Rate]


@dataclass(frozen=True, slots=True)
class Retention:
    """Retention over the last weeks: overall, by card kind, and week by week."""

    first: date  # the Monday the window opens on
    total: Rate
    by_kind: dict[str, Rate]
    weekly: list[WeekRetention]


@dataclass(frozen=True, slots=True)
class Heatmap:
    """Answers per day as a grid: one column a week (Monday first), 7 cells a column.

    A cell is None outside the window (before its first day or after today).
    """

    start: date  # the Monday of the first column
    first: date  # first day of the window
    last: date  # today
    weeks: list[list[int | None]]
    max: int

    def level(self, count: int | None) -> int:
        """Colour intensity of a cell, 0 (no answers) to HEAT_LEVELS (the busiest day)."""
        return heat_level(count or 0, self.max)

    def level_ranges(self) -> list[tuple[int, int]]:
        """The answer counts (low, high) each level above zero stands for, for the legend."""
        return level_ranges(self.max)


@dataclass(frozen=True, slots=True)
class ForecastDay:
    """Cards due on one of the coming days (today's count includes overdue cards)."""

    day: date
    due: int


@dataclass(frozen=True, slots=True)
class EfBucket:
    """Reviewed cards whose ef lies in [low, high] (hundredths)."""

    low: int
    high: int
    cards: int


@dataclass(frozen=True, slots=True)
class Stats:
    """Everything `srs stats` shows."""

    today: date
    days: int  # window of the heatmap and the per-day counts
    weeks: int  # window of the retention figures
    counts: TodayCounts
    streaks: Streaks
    per_day: list[DayCount]  # days in the window with answers, oldest first
    heatmap: Heatmap
    forecast: list[ForecastDay]
    retention: Retention
    ef_histogram: list[EfBucket]
    hardest: list[HardCard]
    decks: list[str] | None = field(default=None)  # None: every deck


def streaks(days: Iterable[date], today: date) -> Streaks:
    """Current and longest runs of consecutive `days` (days with answers, in any order).

    The current streak counts back from today, or from yesterday when today has no answer yet.
    Days after `today` (a clock set back) are ignored.
    """
    ordered = sorted({d for d in days if d <= today})
    longest = run = 0
    previous: date | None = None
    for day in ordered:
        run = run + 1 if previous is not None and (day - previous).days == 1 else 1
        longest = max(longest, run)
        previous = day
    current = 0
    if previous is not None and (today - previous).days <= 1:
        current = run  # the last run is still alive
    return Streaks(current=current, longest=longest)


def window_start(today: date, days: int) -> date:
    """First day of a window of `days` days ending today."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    return today - timedelta(days=days - 1)


def monday(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def retention_start(today: date, weeks: int) -> date:
    """The Monday that opens a window of `weeks` whole weeks, the last one holding today."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    return monday(today) - timedelta(weeks=weeks - 1)


def heat_level(count: int, busiest: int) -> int:
    """0 for no answers; else 1..HEAT_LEVELS in proportion to the busiest day, rounded up."""
    if count <= 0 or busiest <= 0:
        return 0
    return min(HEAT_LEVELS, math.ceil(HEAT_LEVELS * count / busiest))


def level_ranges(busiest: int) -> list[tuple[int, int]]:
    """(low, high) answer counts of levels 1..HEAT_LEVELS; empty ranges are (0, 0)."""
    ranges: list[tuple[int, int]] = []
    for level in range(1, HEAT_LEVELS + 1):
        # level L holds counts c with (L-1)/LEVELS < c/busiest <= L/LEVELS, i.e. integer c in
        # [floor((L-1)*busiest/LEVELS) + 1, floor(L*busiest/LEVELS)]
        low = (level - 1) * busiest // HEAT_LEVELS + 1
        high = level * busiest // HEAT_LEVELS
        ranges.append((low, high) if low <= high else (0, 0))
    return ranges


def heatmap(per_day: Iterable[DayCount], today: date, days: int) -> Heatmap:
    """The contribution-graph grid of answers per day over the last `days` days."""
    first = window_start(today, days)
    counts = {d: n for d, n in per_day if first <= d <= today}
    start = monday(first)
    weeks: list[list[int | None]] = []
    column_start = start
    while column_start <= today:
        column: list[int | None] = []
        for offset in range(7):
            day = column_start + timedelta(days=offset)
            column.append(counts.get(day, 0) if first <= day <= today else None)
        weeks.append(column)
        column_start += timedelta(days=7)
    return Heatmap(start, first, today, weeks, max(counts.values(), default=0))


def forecast(due: Iterable[DueCount], today: date, days: int = FORECAST_DAYS) -> list[ForecastDay]:
    """Cards due on each of the `days` days from today; overdue cards are counted today."""
    totals = [0] * days
    for day, cards in due:
        offset = max(0, (day - today).days)
        if offset < days:
            totals[offset] += cards
    return [ForecastDay(today + timedelta(days=i), n) for i, n in enumerate(totals)]


def retention(rows: Iterable[RetentionCount], today: date, weeks: int) -> Retention:
    """Retention over the last `weeks` weeks, by card kind and per Monday-to-Sunday week.

    Every week appears, with zero reviews where there were none, so a series has no holes.
    """
    first = retention_start(today, weeks)
    by_week: dict[date, dict[str, Rate]] = {}
    week = first
    while week <= today:
        by_week[week] = {k: Rate() for k in KINDS}
        week += timedelta(days=7)
    for day, kind, reviews, passed in rows:
        if not first <= day <= today:
            continue
        by_kind = by_week[monday(day)]
        by_kind[kind] = by_kind.get(kind, Rate()) + Rate(reviews, passed)
    weekly = [
        WeekRetention(week=w, total=_sum_rates(k.values()), by_kind=k) for w, k in by_week.items()
    ]
    by_kind_total: dict[str, Rate] = {k: Rate() for k in KINDS}
    for w in weekly:
        for kind, rate in w.by_kind.items():
            by_kind_total[kind] = by_kind_total.get(kind, Rate()) + rate
    return Retention(first, _sum_rates(by_kind_total.values()), by_kind_total, weekly)


def _sum_rates(rates: Iterable[Rate]) -> Rate:
    total = Rate()
    for rate in rates:
        total = total + rate
    return total


def ef_histogram(rows: Iterable[EfCount], width: int = EF_BUCKET) -> list[EfBucket]:
    """Buckets of `width` hundredths from the lowest to the highest filled one, gaps as zero."""
    counts: dict[int, int] = {}
    for low, cards in rows:
        bucket = low // width * width  # tolerate rows bucketed finer than `width`
        counts[bucket] = counts.get(bucket, 0) + cards
    if not counts:
        return []
    return [
        EfBucket(low, low + width - 1, counts.get(low, 0))
        for low in range(min(counts), max(counts) + 1, width)
    ]


def build(
    *,
    today: date,
    days: int,
    counts: TodayCounts,
    study_days: Iterable[date],
    per_day: Sequence[DayCount],
    retention_rows: Iterable[RetentionCount],
    ef_rows: Iterable[EfCount],
    due_rows: Iterable[DueCount],
    hardest: Sequence[HardCard],
    weeks: int = RETENTION_WEEKS,
    decks: Sequence[str] | None = None,
) -> Stats:
    """Put every figure together.

    `study_days` are the days with answers over the whole log (for the longest streak);
    `per_day` need only cover the `days` days ending today, and `retention_rows` the `weeks`
    weeks from `retention_start(today, weeks)`.
    """
    first = window_start(today, days)
    return Stats(
        today=today,
        days=days,
        weeks=weeks,
        counts=counts,
        streaks=streaks(study_days, today),
        per_day=sorted(r for r in per_day if first <= r.day <= today and r.answers > 0),
        heatmap=heatmap(per_day, today, days),
        forecast=forecast(due_rows, today),
        retention=retention(retention_rows, today, weeks),
        ef_histogram=ef_histogram(ef_rows),
        hardest=list(hardest),
        decks=None if decks is None else list(decks),
    )


__all__ = [
    "DayCount",
    "DueCount",
    "EfBucket",
    "EfCount",
    "ForecastDay",
    "HardCard",
    "Heatmap",
    "Rate",
    "Retention",
    "RetentionCount",
    "Stats",
    "Streaks",
    "TodayCounts",
    "WeekRetention",
    "build",
    "ef_histogram",
    "forecast",
    "heat_level",
    "heatmap",
    "level_ranges",
    "retention",
    "retention_start",
    "streaks",
]
