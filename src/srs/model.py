"""Domain types shared by every layer. Standard library only: frozen dataclasses and enums."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum


class Kind(StrEnum):
    """What a card teaches about its paper."""

    FINDING = "finding"
    LIMITATION = "limitation"
    MISREADING = "misreading"


class Grade(IntEnum):
    """SM-2 response quality, 0 (blackout) to 5 (perfect)."""

    BLACKOUT = 0
    WRONG_BUT_FAMILIAR = 1
    WRONG_BUT_EASY_ONCE_SEEN = 2
    RIGHT_WITH_DIFFICULTY = 3
    RIGHT_AFTER_HESITATION = 4
    PERFECT = 5

    @property
    def meaning(self) -> str:
        """The SM-2 description of this grade, for the on-screen legend."""
        return GRADE_MEANINGS[self]

    @property
    def passed(self) -> bool:
        """Grades of 3 and above count as a successful recall."""
        return self >= 3


GRADE_MEANINGS: dict[Grade, str] = {
    Grade.BLACKOUT: "complete blackout",
    Grade.WRONG_BUT_FAMILIAR: "wrong, but familiar once seen",
    Grade.WRONG_BUT_EASY_ONCE_SEEN: "wrong, but the answer seemed easy",
    Grade.RIGHT_WITH_DIFFICULTY: "right, with serious difficulty",
    Grade.RIGHT_AFTER_HESITATION: "right, after a hesitation",
    Grade.PERFECT: "perfect recall",
}


@dataclass(frozen=True, slots=True)
class Card:
    """One card of a deck: content only, shared by every learner."""

    id: str
    kind: Kind
    front: str
    back: str
    source: str = ""
    tags: tuple[str, ...] = ()
    line: int = 0  # line of the [[card]] header in its file; 0 when not read from a file


@dataclass(frozen=True, slots=True)
class Deck:
    """A deck as written in its file."""

    id: str
    title: str
    source: str
    cards: tuple[Card, ...] = ()
    path: str | None = None


@dataclass(frozen=True, slots=True)
class SchedState:
    """One learner's SM-2 state for one card.

    `ef` is the easiness factor in hundredths (250 means 2.5). `due` is None for a card never
    reviewed.
    """

    n: int = 0
    ef: int = 250
    interval: int = 0
    due: date | None = None
    lapses: int = 0
    reps: int = 0

    @property
    def is_new(self) -> bool:
        """A card that has never had a scheduled review."""
        return self.due is None


NEW_STATE = SchedState()


class ReviewKind(StrEnum):
    """How an answer was counted: a first-ever review, a scheduled review, or a same-day drill."""

    NEW = "new"
    REVIEW = "review"
    DRILL = "drill"


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What loading a deck file into the collection changed."""

    deck_id: str
    added: int = 0
    updated: int = 0
    retired: int = 0
    restored: int = 0
    unchanged: int = 0
    created_deck: bool = False
