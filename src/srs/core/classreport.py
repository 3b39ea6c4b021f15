"""The instructor's report of a class: what the class fails, by card, by kind and by week.

Plain values built by the store from pre-aggregated rows, and their `--json` shape (documented in
docs/class.md). A *lapse* is a scheduled review (not a card's first answer, not a same-day
drill) graded below 3; *retention* is the share of scheduled reviews graded 3 or more. Cards are
ranked by evidence: the Wilson score lower bound of the share of learners who lapsed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from srs.core.model import card_ref

WILSON_Z = 1.96  # the normal quantile of a two-sided 95% interval


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def wilson_lower(successes: int, trials: int, z: float = WILSON_Z) -> float:
    """The lower bound of the Wilson score interval of `successes` out of `trials` (0 when
    there are no trials): 1 of 1 gives 0.21, 10 of 11 gives 0.62, so more evidence ranks higher."""
    if trials <= 0:
        return 0.0
    p = successes / trials
    z2 = z * z
    centre = p + z2 / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return max(0.0, (centre - margin) / (1 + z2 / trials))


@dataclass(frozen=True)
class CardPlace:
    """A card and where to edit it: the deck file and the line of its `[[card]]`. A retired card
    (removed from its deck file) has no line: the one it had may now hold another card."""

    deck_id: str
    card_id: str
    kind: str
    file: str | None
    line: int | None
    retired: bool = False

    @property
    def where(self) -> str:
        """`file:line`; for a retired card "retired" and the file it was removed from; the deck
        and card ids when the deck was not loaded from a file."""
        if self.retired:
            return f"retired (removed from {self.file})" if self.file else "retired"
        if self.file:
            return f"{self.file}:{self.line}"
        return card_ref(self.deck_id, self.card_id)


@dataclass(frozen=True)
class HardCard:
    """One card's failures across the class."""

    place: CardPlace
    learners: int  # learners who answered it
    lapsed_learners: int  # of them, those with at least one lapse
    reviews: int  # scheduled reviews (first answers and drills left out)
    lapses: int  # of them, those graded below 3
    answers: int  # every answer, drills included

    @property
    def share_lapsed(self) -> float | None:
        """Share of the learners who answered the card and lapsed on it at least once."""
        return _ratio(self.lapsed_learners, self.learners)

    @property
    def evidence(self) -> float:
        """What the card is ranked by: the Wilson lower bound (95%) of `share_lapsed`."""
        return wilson_lower(self.lapsed_learners, self.learners)

    @property
    def lapse_rate(self) -> float | None:
        """Lapses over scheduled reviews."""
        return _ratio(self.lapses, self.reviews)


@dataclass(frozen=True)
class KindWeek:
    """Retention of one kind of card across the class in one week (weeks start on Monday)."""

    week: date
    kind: str
    reviews: int
    passed: int

    @property
    def rate(self) -> float | None:
        """Passed over reviews."""
        return _ratio(self.passed, self.reviews)


@dataclass(frozen=True)
class PersistentMisreading:
    """A misreading card some learners still fail after their second review of it."""

    place: CardPlace
    learners_past_second: int  # learners with a scheduled review after their second one
    still_failing: int  # of them, those who failed one of those later reviews


@dataclass(frozen=True)
class LearnerFigures:
    """One learner's figures, for `--by-learner`."""

    learner: str
    answers: int
    reviews: int
    passed: int
    due: int  # scheduled cards due today or overdue: the backlog
    last_day: date | None

    @property
    def retention(self) -> float | None:
        """Passed over scheduled reviews."""
        return _ratio(self.passed, self.reviews)


@dataclass(frozen=True)
class ClassReport:
    """Everything `srs class report` shows."""

    today: date
    since: date | None
    decks: tuple[str, ...]
    learners: int
    answers: int
    hardest: tuple[HardCard, ...]
    retention: tuple[KindWeek, ...]
    misreadings: tuple[PersistentMisreading, ...]
    active: tuple[tuple[date, int], ...]  # (week, learners who answered that week)
    by_learner: tuple[LearnerFigures, ...] | None = None


def _place_json(place: CardPlace) -> dict[str, Any]:
    return {
        "deck": place.deck_id,
        "card": place.card_id,
        "kind": place.kind,
        "file": place.file,
        "line": place.line,
        "retired": place.retired,
    }


def class_report_json(report: ClassReport) -> dict[str, Any]:
    """The report as plain JSON-ready data; the shape is documented in docs/class.md."""
    data: dict[str, Any] = {
        "date": report.today.isoformat(),
        "since": None if report.since is None else report.since.isoformat(),
        "decks": list(report.decks),
        "learners": report.learners,
        "answers": report.answers,
        "hardest": [
            {
                **_place_json(h.place),
                "learners": h.learners,
                "lapsed_learners": h.lapsed_learners,
                "share_lapsed": _round(h.share_lapsed),
                "share_lapsed_lower_bound": _round(h.evidence),
                "reviews": h.reviews,
                "lapses": h.lapses,
                "lapse_rate": _round(h.lapse_rate),
                "answers": h.answers,
            }
            for h in report.hardest
        ],
        "retention_by_kind": [
            {
                "week": r.week.isoformat(),
                "kind": r.kind,
                "reviews": r.reviews,
                "passed": r.passed,
                "rate": _round(r.rate),
            }
            for r in report.retention
        ],
        "persistent_misreadings": [
            {
                **_place_json(m.place),
                "learners_past_second_review": m.learners_past_second,
                "still_failing": m.still_failing,
            }
            for m in report.misreadings
        ],
        "active_learners": [{"week": week.isoformat(), "learners": n} for week, n in report.active],
    }
    if report.by_learner is not None:
        data["by_learner"] = [
            {
                "learner": f.learner,
                "answers": f.answers,
                "reviews": f.reviews,
                "passed": f.passed,
                "retention": _round(f.retention),
                "due": f.due,
                "last_day": None if f.last_day is None else f.last_day.isoformat(),
            }
            for f in report.by_learner
        ]
    return data
