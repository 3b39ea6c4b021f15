"""A review session: today's queue, same-day drills, bury, suspend and undo. It knows no terminal.

The queue is built once when the session opens: due reviews (most overdue first), then new cards
in deck order, then the drills left over from earlier today. Every answer is written to the store
and committed before the next card is shown. Undo takes back the session's last action, whatever
it was (an answer, a bury or a suspend), and every action leaves a one-line notice saying what it
did, for the screen to show.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from srs.core.errors import AnsweredElsewhereError, CardGoneError, SrsError, UnknownCardError
from srs.core.model import (
    Answer,
    Card,
    Figure,
    QueuedCard,
    ReviewKind,
    SchedState,
    StoredCard,
    Summary,
)
from srs.core.scheduling.rule import (
    AnswerPolicy,
    AnswerRecord,
    PastAnswer,
    adopted,
    needs_drill,
    preview_answers,
    review_kind,
)
from srs.core.scheduling.sm2 import SM2_POLICY
from srs.core.wording import days_word, plural
from srs.store import Store

__all__ = ["PaperOpener", "QueuedCard", "ReviewSession", "Summary", "Undone"]

PaperOpener = Callable[[StoredCard], Sequence[str]]
"""Opens the paper at a card's page and returns the lines that say what it did
(`srs.paper.opening.open_stored`, as `srs open` does); raises `SrsError` when it cannot."""

FigureOpener = Callable[[StoredCard, bool], Sequence[str]]
"""Opens the figures of the card on screen (the prompt's, and the answer's once `revealed`)
with the system's viewer, without waiting (`srs.figure_files.open_figures`); returns the lines
that say what it did, and raises `SrsError` when it cannot."""


@dataclass(frozen=True, slots=True)
class _Action:
    """One thing the session did, with what undo needs to take it back."""

    what: str  # "answer", "bury" or "suspend"
    stored: StoredCard
    answer: Answer | None = None
    was_requeued: bool = False
    queue: tuple[int, ...] = ()  # the queue before a bury or suspend
    drilling: frozenset[int] = field(default_factory=frozenset)
    buried_before: date | None = None


@dataclass(frozen=True, slots=True)
class Undone:
    """What undo took back: the card shown again, and the line that says so."""

    card: Card
    message: str


class ReviewSession:
    """One learner's review of some decks on one study day."""

    def __init__(
        self,
        store: Store,
        deck_ids: Sequence[str],
        today: date,
        new_per_day: int,
        limit: int | None = None,
        policy: AnswerPolicy = SM2_POLICY,
        opener: PaperOpener | None = None,
        figure_opener: FigureOpener | None = None,
    ) -> None:
        self.store = store
        self.opener = opener
        self.figure_opener = figure_opener
        self.deck_ids = list(deck_ids)
        self.today = today
        self.policy = policy
        self.new_per_day = new_per_day
        queue, drills = self._day_queue()
        if limit is not None:
            queue = queue[:limit]
        self._drilling: set[int] = set(drills) & set(queue)
        self._queue: deque[int] = deque(queue)
        self._done: list[_Action] = []
        self._answers: list[Answer] = []
        self._current: QueuedCard | None = None
        self._drawn: tuple[StoredCard, SchedState] | None = None  # the next card, read already
        self._notices: list[str] = []
        self._past: tuple[int, Sequence[PastAnswer]] | None = None  # (pk, its answers)

    def _day_queue(self) -> tuple[list[int], list[int]]:
        """Today's whole queue as the store has it now (due reviews, new cards, then drills in
        the order they were failed), and the drills among it."""
        due = self.store.study.due_review_pks(self.deck_ids, self.today)
        new = self.store.study.new_card_pks(self.deck_ids, self.today, self.new_per_day)
        drills = self.store.study.pending_drill_pks(self.deck_ids, self.today)
        return list(dict.fromkeys([*due, *new, *drills])), drills

    # ---- what is on screen ----------------------------------------------------------------

    @property
    def remaining(self) -> int:
        """Cards still to show, counting each queued drill."""
        return len(self._queue)

    @property
    def answered(self) -> int:
        """Answers given in this session (drills included)."""
        return len(self._answers)

    def take_notices(self) -> list[str]:
        """The one-line notices of what happened since the last call (and forget them)."""
        notices, self._notices = self._notices, []
        return notices

    def current(self) -> QueuedCard | None:
        """The card to show now, or None when the queue is empty.

        A card retired or removed since the session began (by `srs deck add` or `deck remove`
        elsewhere) is skipped, with a notice.
        """
        while self._queue:
            pk = self._queue[0]
            if self._current is not None and self._current.stored.pk == pk:
                return self._current
            drawn, self._drawn = self._drawn, None
            if drawn is not None and drawn[0].pk == pk:
                found: tuple[StoredCard, SchedState] | None = drawn  # read with the last answer
            else:
                found = self.store.study.queued_card(pk)  # one read: the card and its state
            if found is None or found[0].retired:
                self._skip_gone(pk, None if found is None else found[0])
                continue
            stored, state = found  # a state out of bounds reads as new (`schema.state_from`)
            kind = review_kind(state, answered_today=pk in self._drilling)
            shown = adopted(self.policy.scheduler, state, partial(self._history, pk))
            self._current = QueuedCard(stored, state, kind, self._recall(shown), shown)
            return self._current
        self._current = None
        return None

    def _history(self, pk: int) -> Sequence[PastAnswer]:
        """The card's scheduled answers, read once while it is on screen (for a card the other
        scheduler last scheduled: shown, then previewed, as the chosen one takes it over)."""
        if self._past is None or self._past[0] != pk:
            self._past = (pk, self.store.study.scheduled_answers(pk))
        return self._past[1]

    def _recall(self, state: SchedState) -> float | None:
        """FSRS's chance of recall today for a card FSRS scheduled (loads FSRS only then)."""
        if state.is_new or state.scheduler != "fsrs":
            return None
        from srs.core.scheduling.fsrs import FSRS

        return FSRS().retrievability(state, self.today)

    def preview(self) -> dict[int, AnswerRecord]:
        """What each grade would do to the current card, from the scheduler's own answer rule."""
        card = self.current()
        if card is None:
            return {}
        stored = card.stored
        return preview_answers(
            self.policy,
            card.state,
            self.today,
            card.review_kind is ReviewKind.DRILL,
            history=lambda: self._history(stored.pk),
            key=stored.ref,
        )

    def _skip_gone(self, pk: int, stored: StoredCard | None) -> None:
        name = "a card" if stored is None else stored.ref
        self._queue = deque(p for p in self._queue if p != pk)
        self._drilling.discard(pk)
        self._current = None
        self._notices.append(f"skipped {name}: retired or removed since the session began")

    # ---- actions --------------------------------------------------------------------------

    def answer(self, grade: int, now: datetime) -> Answer | None:
        """Grade the current card; it is saved before this returns.

        A card graded below 4 goes to the back of the queue as a drill until it is graded 4 or 5.
        Returns None (with a notice) when the card was retired or removed meanwhile.
        """
        card = self.current()
        if card is None:
            raise IndexError("no card to answer")
        pk = card.stored.pk
        # the card shown next, read in the answer's own transaction: the next in the queue, or
        # this one again when it is requeued as the only card left
        if len(self._queue) > 1:
            then: int | None = self._queue[1]
        else:
            then = pk if needs_drill(grade) else None
        try:
            result, self._drawn = self.store.study.answer_and_draw(
                pk, grade, now, self.today, self.policy, then, card.stored.ref
            )
        except CardGoneError:
            self._skip_gone(pk, card.stored)
            return None
        self._queue.popleft()
        requeue = needs_drill(grade) and not result.suspended
        if requeue:
            self._drilling.add(pk)
            self._queue.append(pk)
        else:
            self._drilling.discard(pk)
        self._done.append(_Action("answer", card.stored, result, requeue))
        self._answers.append(result)
        self._current = None
        name = card.stored.card.id
        if result.review_kind is ReviewKind.DRILL:
            again = "again later" if requeue else "done for today"
            self._notices.append(f"{name}: grade {grade}, drill, {again}")
        else:
            again = "; again today as a drill" if requeue else ""
            interval = days_word(result.state.interval)
            self._notices.append(f"{name}: grade {grade}, next in {interval}{again}")
        if result.leech:
            lapses = result.state.lapses
            tail = "; suspended (srs unsuspend brings it back)" if result.suspended else ""
            self._notices.append(f"{name} is a leech: {plural(lapses, 'lapse')}{tail}")
        return result

    def undo(self) -> Undone | None:
        """Take back the last action of this session (an answer, a bury or a suspend) and show
        its card again. Returns what was undone, or None when there is nothing to undo.

        An answer is taken back only while it is still the card's latest: when another session
        has answered the card since, nothing changes and the notice says so.
        """
        self._drawn = None  # read before the undo: stale once it is done
        if not self._done:
            self._notices.append("nothing to undo")
            return None
        last = self._done.pop()
        card = last.stored.card
        pk = last.stored.pk
        if last.what == "answer":
            assert last.answer is not None
            try:
                self.store.study.undo_answer(last.answer.log_id)
            except AnsweredElsewhereError:
                message = f"{card.id} was answered elsewhere since; not undone"
                self._notices.append(message)
                return Undone(card, message)
            except UnknownCardError:  # its deck was removed meanwhile, log and all
                message = f"{card.id} was removed since; not undone"
                self._notices.append(message)
                return Undone(card, message)
            self._answers.remove(last.answer)
            if last.answer.suspended:
                self.store.setaside.unsuspend(pk)
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
            message = f"undid grade {last.answer.grade} on {card.id}"
        else:
            if last.what == "bury":
                self.store.setaside.set_buried(pk, last.buried_before)
                message = f"unburied {card.id}"
            else:
                self.store.setaside.unsuspend(pk)
                message = f"unsuspended {card.id}"
            self._queue = deque(last.queue)
            self._drilling = set(last.drilling)
        self._current = None
        self._notices.append(message)
        return Undone(card, message)

    def _set_aside(self, what: str, now: datetime | None = None) -> StoredCard | None:
        card = self.current()
        self._drawn = None
        if card is None:
            return None
        pk = card.stored.pk
        queue, drilling = tuple(self._queue), frozenset(self._drilling)
        buried_before = None
        try:
            if what == "bury":
                buried_before = self.store.setaside.bury(pk, self.today)
                self._notices.append(f"buried {card.stored.card.id} until tomorrow")
            else:
                assert now is not None
                self.store.setaside.suspend(pk, now)
                self._notices.append(f"suspended {card.stored.card.id} (u takes it back)")
        except CardGoneError:
            self._skip_gone(pk, card.stored)
            return None
        self._done.append(_Action(what, card.stored, None, False, queue, drilling, buried_before))
        self._queue = deque(p for p in self._queue if p != pk)
        self._drilling.discard(pk)
        self._current = None
        return card.stored

    def bury(self) -> StoredCard | None:
        """Hide the current card until tomorrow, drills of it included."""
        return self._set_aside("bury")

    def suspend(self, now: datetime) -> StoredCard | None:
        """Suspend the current card for this learner until `srs unsuspend`."""
        return self._set_aside("suspend", now)

    def open_paper(self) -> None:
        """Open the paper at the current card's page; what happened (the page opened, the URL,
        or why nothing could be opened) is left as notices. Never raises for a deck with no
        paper, no PDF or no viewer: that is one notice."""
        self._open(self.opener, "paper viewer", "the paper")

    def open_figures(self, revealed: bool) -> None:
        """Open the current card's figures (the answer's too once `revealed`); what happened is
        left as notices, and the review goes on whatever it was."""
        self._open(self.figure_opener, "figure viewer", "the figure", revealed)

    def _open(self, opener: Callable[..., Sequence[str]] | None, viewer: str, what: str,
              *args: object) -> None:  # fmt: skip
        card = self.current()
        if card is None:
            return
        if opener is None:
            self._notices.append(f"no {viewer} in this session")
            return
        try:
            self._notices.extend(opener(card.stored, *args))
        except SrsError as exc:
            self._notices.append(f"cannot open {what}: {exc}")

    def figure_data(self, figure: Figure) -> tuple[bytes, str] | None:
        """The bytes and type of one of the current card's figures, read now beside its deck
        file through the checker's bounded read (`figure_files.figure_file`), for drawing it
        inline; None when they cannot be read or changed since the deck was loaded."""
        from srs import figure_files

        card = self.current()
        if card is None:
            return None
        try:
            deck_file = figure_files.deck_path(self.store, card.stored.deck_id)
            _, read = figure_files.figure_file(deck_file, figure)
        except SrsError:
            return None
        return read.data, read.kind

    def summary(self) -> Summary:
        """Figures for the end-of-session screen.

        What is left is read from the store, not from this session's queue: after `--limit` or
        `--minutes` the cards the session never took are still due today. "Due tomorrow" counts
        the cards that come due tomorrow besides those still due today.
        """
        grades = Counter(a.grade for a in self._answers)
        tomorrow = self.today + timedelta(days=1)
        left = len(self._day_queue()[0])
        due_today = len(self.store.study.due_review_pks(self.deck_ids, self.today))
        by_tomorrow = self.store.aggregates.due_on_or_before(self.deck_ids, tomorrow)
        return Summary(
            reviewed=len({a.card_pk for a in self._answers}),
            answers=len(self._answers),
            grades=grades,
            due_tomorrow=max(0, by_tomorrow - due_today),
            next_due=self.today if left else self._next_due_after_today(),
            left=left,
        )

    def next_due(self) -> date | None:
        """When a card is next due: today if any is still queued, else the first due date."""
        if self._queue:
            return self.today
        return self._next_due_after_today()

    def _next_due_after_today(self) -> date | None:
        return self.store.aggregates.next_due(self.deck_ids, after=self.today)
