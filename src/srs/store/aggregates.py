"""Figures from the collection: `srs status`, and the small aggregates behind `srs stats`.

Each stats query returns a few small aggregated rows (`srs.core.stats` input types); the log is
only ever read inside SQL, through covering indexes. `deck_ids=None` means every deck. Joins to
`cards` are avoided where a filter will do: retired cards are few, so "not retired" is a NOT IN
over a tiny list (ix_cards_retired) rather than one lookup per state row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, or_, select

from srs.core.grades import passed
from srs.core.model import EF_START, KINDS, DeckStatus, ReviewKind, card_ref
from srs.core.scheduling.rule import PastAnswer
from srs.store import queue
from srs.store.content import count_if
from srs.store.engine import Database
from srs.store.schema import (
    card_table,
    deck_table,
    log_table,
    not_retired,
    not_set_aside,
    state_from,
    state_table,
)

if TYPE_CHECKING:  # loaded by the queries that use them (`srs status` needs none of them)
    from srs.core.simulation import StartCard
    from srs.core.stats import DayCount, DueCount, EfCount, HardCard, RetentionCount, TodayCounts


class AggregateQueries:
    """Read-only aggregates for status, stats and the forecast."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def due_on_or_before(self, deck_ids: Sequence[str], day: date) -> int:
        """Scheduled cards that will be due by `day` (overdue ones included)."""
        with self.db.read() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(state_table)
                    .join(card_table, card_table.c.pk == state_table.c.card_pk)
                    .where(
                        state_table.c.learner == self.db.learner,
                        state_table.c.due <= day,
                        state_table.c.suspended_at.is_(None),
                        card_table.c.retired_at.is_(None),
                        card_table.c.deck_id.in_(list(deck_ids)),
                    )
                ).scalar_one()
            )

    def next_due(self, deck_ids: Sequence[str], after: date | None = None) -> date | None:
        """The earliest due date of a scheduled card (optionally only dates after `after`)."""
        query = (
            select(func.min(state_table.c.due))
            .join(card_table, card_table.c.pk == state_table.c.card_pk)
            .where(
                state_table.c.learner == self.db.learner,
                state_table.c.due.is_not(None),
                state_table.c.suspended_at.is_(None),
                card_table.c.retired_at.is_(None),
                card_table.c.deck_id.in_(list(deck_ids)),
            )
        )
        if after is not None:
            query = query.where(state_table.c.due > after)
        with self.db.read() as conn:
            due: date | None = conn.execute(query).scalar_one()
            return due

    def status(self, deck_ids: Sequence[str], today: date, new_per_day: int) -> list[DeckStatus]:
        """Per-deck due, new, drill and total counts and the next due date, for `today`, read in
        one transaction."""
        s = state_table.alias("s")
        joined = card_table.outerjoin(
            s, and_(s.c.card_pk == card_table.c.pk, s.c.learner == self.db.learner)
        )
        active = not_retired(card_table.c.pk)  # no card row is read
        query = (
            select(
                card_table.c.deck_id,
                func.count(),
                count_if(and_(s.c.due.is_not(None), s.c.due <= today, not_set_aside(s, today))),
                count_if(and_(s.c.due.is_(None), not_set_aside(s, today))),
                func.min(case((s.c.suspended_at.is_(None), s.c.due))),
                count_if(s.c.suspended_at.is_not(None)),
            )
            .select_from(joined)
            .where(active, card_table.c.deck_id.in_(list(deck_ids)))
            .group_by(card_table.c.deck_id)
        )
        with self.db.read() as conn:
            counts = {r[0]: r[1:] for r in conn.execute(query)}
            allowance = queue.new_allowance(conn, self.db.learner, deck_ids, today, new_per_day)
            titles_q = select(deck_table.c.id, deck_table.c.title).where(
                deck_table.c.id.in_(list(deck_ids))
            )
            titles = {r[0]: r[1] for r in conn.execute(titles_q)}
            drills = Counter(
                deck_id
                for _, deck_id in queue.pending_drills(conn, self.db.learner, deck_ids, today)
            )
        result = []
        for deck_id in deck_ids:
            total, due, unseen, first_due, suspended = counts.get(deck_id, (0, 0, 0, None, 0))
            room = allowance[deck_id]
            next_due = None if first_due is None else max(first_due, today)
            result.append(
                DeckStatus(
                    id=deck_id,
                    title=titles.get(deck_id, deck_id),
                    due=int(due or 0),
                    new=min(int(unseen or 0), room),
                    drill=drills.get(deck_id, 0),
                    total=int(total),
                    next_due=next_due,
                    suspended=int(suspended or 0),
                )
            )
        return result

    def _log_in_decks(self, deck_ids: Sequence[str] | None) -> list[Any]:
        if deck_ids is None:
            return []
        pks = select(card_table.c.pk).where(card_table.c.deck_id.in_(list(deck_ids)))
        return [log_table.c.card_pk.in_(pks)]

    def _log_by_card(self, deck_ids: Sequence[str]) -> list[Any]:
        """This learner's answers to the cards of `deck_ids`, read card by card."""
        # The learner is compared as an expression so that SQLite cannot pick the
        # (learner, day) index, which would read every answer of the learner; the deck's cards
        # then lead through ix_log_card (card_pk, learner, day), reading only their answers.
        return [log_table.c.learner.concat("") == self.db.learner, *self._log_in_decks(deck_ids)]

    def _active_cards(self, deck_ids: Sequence[str] | None) -> Any:
        """A condition on state_table.c.card_pk: the card is not retired (and in `deck_ids`)."""
        if deck_ids is None:
            return not_retired(state_table.c.card_pk)
        active = select(card_table.c.pk).where(
            card_table.c.deck_id.in_(list(deck_ids)), card_table.c.retired_at.is_(None)
        )
        return state_table.c.card_pk.in_(active)

    def _scheduled(self, deck_ids: Sequence[str] | None) -> list[Any]:
        """Conditions for this learner's reviewed (scheduled), active cards."""
        return [
            state_table.c.learner == self.db.learner,
            state_table.c.due.is_not(None),
            self._active_cards(deck_ids),
        ]

    def stats_study_days(self, deck_ids: Sequence[str] | None = None) -> list[date]:
        """Every study day with at least one answer, over the whole log, oldest first."""
        if deck_ids is not None:
            query = (
                select(log_table.c.day)
                .distinct()
                .where(*self._log_by_card(deck_ids))
                .order_by(log_table.c.day)
            )
            with self.db.read() as conn:
                return list(conn.execute(query).scalars())
        # A recursive skip-scan of ix_log_learner_day: one index seek per study day, however
        # many answers each day holds (a plain DISTINCT reads every entry of the index).
        first = (
            select(func.min(log_table.c.day).label("day"))
            .where(log_table.c.learner == self.db.learner)
            .cte("study_days", recursive=True)
        )
        following = (
            select(func.min(log_table.c.day))
            .where(log_table.c.learner == self.db.learner, log_table.c.day > first.c.day)
            .scalar_subquery()
        )
        days = first.union_all(select(following).where(first.c.day.is_not(None)))
        query = select(days.c.day).where(days.c.day.is_not(None))
        with self.db.read() as conn:
            return list(conn.execute(query).scalars())

    def stats_answers_per_day(
        self, deck_ids: Sequence[str] | None, first: date, last: date
    ) -> list[DayCount]:
        """Answers (new, review and drill) per study day from `first` to `last`, oldest first."""
        from srs.core.stats import DayCount

        who = (
            [log_table.c.learner == self.db.learner]
            if deck_ids is None
            else self._log_by_card(deck_ids)
        )
        query = (
            select(log_table.c.day, func.count())
            .where(*who, log_table.c.day >= first, log_table.c.day <= last)
            .group_by(log_table.c.day)
            .order_by(log_table.c.day)
        )
        with self.db.read() as conn:
            return [DayCount(day, int(n)) for day, n in conn.execute(query)]

    def stats_retention_counts(
        self, deck_ids: Sequence[str] | None, first: date, last: date
    ) -> list[RetentionCount]:
        """Scheduled reviews and those graded 3+, per (study day, card kind), from `first` to
        `last`. First answers to new cards and same-day drills are left out."""
        from srs.core.stats import RetentionCount

        # Grouping by (day, grade) follows ix_log_retention's order, so SQLite needs no sort;
        # the kinds are summed side by side instead of grouped, which would need one. A card's
        # kind comes from a list of that kind's cards built once from ix_cards_kind: a join
        # would read each reviewed card's wide row. Every card has one of the Kind values (the
        # deck checker enforces it), so the first kind is the remainder.
        kinds = list(KINDS)

        def of_kind(kind: str) -> Any:
            return log_table.c.card_pk.in_(select(card_table.c.pk).where(card_table.c.kind == kind))

        query = (
            select(
                log_table.c.day,
                log_table.c.grade,
                func.count(),
                *(func.sum(case((of_kind(k), 1), else_=0)) for k in kinds[1:]),
            )
            .where(
                log_table.c.learner == self.db.learner,
                log_table.c.review_kind == ReviewKind.REVIEW.value,
                log_table.c.day >= first,
                log_table.c.day <= last,
                *self._log_in_decks(deck_ids),
            )
            .group_by(log_table.c.day, log_table.c.grade)
        )
        totals: dict[tuple[date, str], list[int]] = {}
        with self.db.read() as conn:
            for day, grade, count, *rest in conn.execute(query):
                per_kind = [int(count) - sum(int(n) for n in rest), *(int(n) for n in rest)]
                for kind, n in zip(kinds, per_kind, strict=True):
                    if n:
                        cell = totals.setdefault((day, kind), [0, 0])
                        cell[0] += n
                        cell[1] += n if passed(grade) else 0
        return [RetentionCount(d, k, n, p) for (d, k), (n, p) in sorted(totals.items())]

    def stats_ef_counts(self, deck_ids: Sequence[str] | None, width: int = 10) -> list[EfCount]:
        """Reviewed active cards per current-ef bucket of `width` hundredths."""
        from srs.core.stats import EfCount

        # grouped by the raw ef, in ix_state_stats order (no sort); a few dozen values at most
        query = (
            select(state_table.c.ef, func.count())
            .where(*self._scheduled(deck_ids))
            .group_by(state_table.c.ef)
            .order_by(state_table.c.ef)
        )
        buckets: dict[int, int] = {}
        with self.db.read() as conn:
            for ef, n in conn.execute(query):
                low = int(ef) // width * width
                buckets[low] = buckets.get(low, 0) + int(n)
        return [EfCount(low, n) for low, n in sorted(buckets.items())]

    def stats_due_counts(
        self, deck_ids: Sequence[str] | None, today: date, days: int = 14
    ) -> list[DueCount]:
        """Active cards due per day from today to today + days - 1. Overdue cards count today;
        those buried today count tomorrow, when they come back; suspended cards not at all."""
        from srs.core.stats import DueCount

        horizon = today + timedelta(days=days - 1)
        scheduled = [*self._scheduled(deck_ids), state_table.c.suspended_at.is_(None)]
        ahead = (
            select(state_table.c.due, func.count())
            .where(*scheduled, state_table.c.due > today, state_table.c.due <= horizon)
            .group_by(state_table.c.due)
        )
        buried = state_table.c.buried_on == today
        overdue = select(func.count()).where(*scheduled, state_table.c.due <= today)
        with self.db.read() as conn:
            rows = [DueCount(day, int(n)) for day, n in conn.execute(ahead)]
            late = conn.execute(overdue.where(not_set_aside(state_table, today))).scalar_one()
            late_buried = conn.execute(overdue.where(buried)).scalar_one()
        rows.append(DueCount(today, int(late)))
        rows.append(DueCount(today + timedelta(days=1), int(late_buried)))
        return rows

    def stats_hardest(
        self, deck_ids: Sequence[str] | None, limit: int | None = None, ef_start: int = EF_START
    ) -> list[HardCard]:
        """Active cards with lapses or an ef below the start: most lapses, then lowest ef, then
        load order; at most `limit` of them (`srs.core.stats.HARDEST_LIMIT` when None)."""
        from srs.core.stats import HARDEST_LIMIT, HardCard

        # pick the few cards from the state index first; only they are joined to their text
        top = (
            select(
                state_table.c.card_pk,
                state_table.c.lapses,
                state_table.c.ef,
                state_table.c.reps,
                state_table.c.due,
            )
            .where(
                *self._scheduled(deck_ids),
                or_(state_table.c.lapses > 0, state_table.c.ef < ef_start),
            )
            .order_by(state_table.c.lapses.desc(), state_table.c.ef, state_table.c.card_pk)
            .limit(HARDEST_LIMIT if limit is None else limit)
            .subquery("top")
        )
        query = (
            select(
                card_table.c.deck_id,
                card_table.c.card_id,
                card_table.c.kind,
                card_table.c.front,
                top.c.lapses,
                top.c.ef,
                top.c.reps,
                top.c.due,
            )
            .join(top, top.c.card_pk == card_table.c.pk)
            .order_by(top.c.lapses.desc(), top.c.ef, top.c.card_pk)
        )
        with self.db.read() as conn:
            return [HardCard(*row) for row in conn.execute(query)]

    def stats_today(self, deck_ids: Sequence[str] | None, today: date) -> TodayCounts:
        """Today's answers, distinct cards answered, new cards seen, and cards still due."""
        from srs.core.stats import TodayCounts

        new = func.sum(case((log_table.c.review_kind == ReviewKind.NEW.value, 1), else_=0))
        # naming every review kind lets the covering ix_log_retention serve (learner, kind,
        # day) seeks; without it SQLite may walk the learner's whole log
        answered = select(func.count(), func.count(log_table.c.card_pk.distinct()), new).where(
            log_table.c.learner == self.db.learner,
            log_table.c.review_kind.in_([k.value for k in ReviewKind]),
            log_table.c.day == today,
            *self._log_in_decks(deck_ids),
        )
        due = select(func.count()).where(
            *self._scheduled(deck_ids),
            state_table.c.due <= today,
            not_set_aside(state_table, today),
        )
        with self.db.read() as conn:
            answers, cards, new_seen = conn.execute(answered).one()
            due_now = conn.execute(due).scalar_one()
        return TodayCounts(int(answers), int(cards), int(new_seen or 0), int(due_now))

    def simulation_start(self, deck_ids: Sequence[str]) -> list[StartCard]:
        """Every active card of `deck_ids` in study order, with this learner's state and its
        scheduled answers (not drills), for `srs simulate`; read in one transaction. A card the
        learner suspended is left out, as the review leaves it out."""
        from srs.core.simulation import StartCard

        s = state_table.alias("s")
        cards = (
            select(card_table.c.pk, card_table.c.deck_id, card_table.c.card_id, s)
            .join(deck_table, deck_table.c.id == card_table.c.deck_id)
            .outerjoin(s, and_(s.c.card_pk == card_table.c.pk, s.c.learner == self.db.learner))
            .where(
                card_table.c.retired_at.is_(None),
                card_table.c.deck_id.in_(list(deck_ids)),
                s.c.suspended_at.is_(None),  # NULL too for a card with no state row
            )
            .order_by(deck_table.c.seq, card_table.c.position)
        )
        answers = (
            select(log_table.c.card_pk, log_table.c.day, log_table.c.grade)
            .where(
                *self._log_by_card(deck_ids),
                log_table.c.review_kind != ReviewKind.DRILL.value,
            )
            .order_by(log_table.c.id)
        )
        history: dict[int, list[PastAnswer]] = {}
        with self.db.read() as conn:
            rows = conn.execute(cards).all()
            for pk, day, grade in conn.execute(answers):
                history.setdefault(pk, []).append(PastAnswer(day, grade))
        return [
            StartCard(
                key=card_ref(row.deck_id, row.card_id),
                state=state_from(row if row.learner is not None else None),
                history=tuple(history.get(row.pk, ())),
            )
            for row in rows
        ]
