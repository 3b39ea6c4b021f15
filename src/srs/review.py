"""A review session: today's queue, same-day drills, bury and undo. It knows no terminal.

The queue is built once when the session opens: due reviews (most overdue first), then new cards
in deck order, then the drills left over from earlier today. Every answer is written to the store
and committed before the next card is shown.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from srs.core.model import Answer, QueuedCard, ReviewKind, StoredCard, Summary
from srs.core.scheduling.rule import needs_drill
from srs.store import Store


@dataclass(frozen=True, slots=True)
class _Done:
    answer: Answer
    was_requeued: bool


__all__ = ["QueuedCard", "ReviewSession", "Summary"]


class ReviewSession:
    """One learner's review of some decks on one study day."""

    def __init__(
        self,
        store: Store,
        deck_ids: Sequence[str],
        today: date,
        new_per_day: int,
    ) -> None:
        self.store = store
        self.deck_ids = list(deck_ids)
        self.today = today
        due = store.due_review_pks(self.deck_ids, today)
        new = store.new_card_pks(self.deck_ids, today, new_per_day)
        drills = store.pending_drill_pks(self.deck_ids, today)  # in the order they were failed
        self._drilling: set[int] = set(drills)
        self._queue: deque[int] = deque([*due, *new, *drills])
        self._done: list[_Done] = []
        self._current: QueuedCard | None = None

    # ---- what is on screen ----------------------------------------------------------------

    @property
    def remaining(self) -> int:
        """Cards still to show, counting each queued drill."""
        return len(self._queue)

    @property
    def answered(self) -> int:
        """Answers given in this session (drills included)."""
        return len(self._done)

    def current(self) -> QueuedCard | None:
        """The card to show now, or None when the queue is empty."""
        if not self._queue:
            self._current = None
            return None
        pk = self._queue[0]
        if self._current is None or self._current.stored.pk != pk:
            mode: ReviewKind
            state = self.store.state(pk)
            if pk in self._drilling:
                mode = ReviewKind.DRILL
            else:
                mode = ReviewKind.NEW if state.is_new else ReviewKind.REVIEW
            self._current = QueuedCard(self.store.card(pk), state, mode)
        return self._current

    # ---- actions --------------------------------------------------------------------------

    def answer(self, grade: int, now: datetime) -> Answer:
        """Grade the current card; it is saved before this returns.

        A card graded below 4 goes to the back of the queue as a drill until it is graded 4 or 5.
        """
        card = self.current()
        if card is None:
            raise IndexError("no card to answer")
        result = self.store.record_answer(card.stored.pk, grade, now, self.today)
        self._queue.popleft()
        requeue = needs_drill(grade)
        if requeue:
            self._drilling.add(card.stored.pk)
            self._queue.append(card.stored.pk)
        else:
            self._drilling.discard(card.stored.pk)
        self._done.append(_Done(result, requeue))
        self._current = None
        return result

    def undo(self) -> StoredCard | None:
        """Take back the last answer of this session: its log entry goes, its state returns,
        and the card is shown again. Returns the card, or None when there is nothing to undo."""
        if not self._done:
            return None
        last = self._done.pop()
        pk = self.store.undo_answer(last.answer.log_id)
        if last.was_requeued:
            # drop the drill copy this answer queued (the last occurrence of this card)
            for i in range(len(self._queue) - 1, -1, -1):
                if self._queue[i] == pk:
                    del self._queue[i]
                    break
        if last.answer.review_kind is ReviewKind.DRILL:
            self._drilling.add(pk)
        else:
            self._drilling.discard(pk)
        self._queue.appendleft(pk)
        self._current = None
        return self.store.card(pk)

    def bury(self) -> StoredCard | None:
        """Hide the current card until tomorrow, drills of it included."""
        card = self.current()
        if card is None:
            return None
        pk = card.stored.pk
        self.store.bury(pk, self.today)
        self._queue = deque(p for p in self._queue if p != pk)
        self._drilling.discard(pk)
        self._current = None
        return card.stored

    def summary(self) -> Summary:
        """Figures for the end-of-session screen."""
        grades = Counter(d.answer.grade for d in self._done)
        tomorrow = self.today + timedelta(days=1)
        return Summary(
            reviewed=len({d.answer.card_pk for d in self._done}),
            answers=len(self._done),
            grades=grades,
            due_tomorrow=self.store.due_on_or_before(self.deck_ids, tomorrow),
            next_due=self.next_due(),
            left=len(self._queue),
        )

    def next_due(self) -> date | None:
        """When a card is next due: today if any is still queued, else the first due date."""
        if self._queue:
            return self.today
        return self.store.next_due(self.deck_ids, after=self.today)
