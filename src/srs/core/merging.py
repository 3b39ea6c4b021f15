"""What a merge of another program's progress compares and changes (`srs merge anki`): a
learner's stored progress on a card, and the changes to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from srs.core.model import PastReview, SchedState


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """One answer a learner already has, as a merge compares it with another program's log."""

    reviewed_at: datetime
    grade: int
    day: date
    anki_id: int | None  # Anki's review id when the answer was merged from Anki


@dataclass(frozen=True, slots=True)
class StoredProgress:
    """One learner's progress on one card, as a merge finds it: the state row (None when the
    card has none), whether the card is set aside, and its answers, oldest first."""

    state: SchedState | None
    suspended: bool
    buried_on: date | None
    answers: tuple[StoredAnswer, ...]


@dataclass(frozen=True, slots=True)
class MergedProgress:
    """What a merge changes for one card: answers to add, the state that replaces the stored
    one (None: kept), and whether to suspend it or bury it (on `bury_on`)."""

    card_pk: int
    log: tuple[PastReview, ...]
    state: SchedState | None
    suspend: bool
    bury_on: date | None
