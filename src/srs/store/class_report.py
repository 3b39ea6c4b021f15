"""The instructor's report of a class: the figures of `srs class report`, read from the store.

On a server the report reads the running totals the server keeps as answers are saved
(`report_totals`: a few rows per learner and card, and per learner and week), not the million
rows of the log. With `--since`, and on a SQLite collection, it reads the log itself: twice,
grouped by (card, learner) and by (week, kind, learner). Both roads fill the same tallies, from
which the report is built; row-level security applies to both (an instructor reads every
learner's rows, a learner only their own). On a server, the rows of the class's instructors
(members of the instructor group, superusers included) are no learner's and are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, literal_column, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from srs.core.classreport import (
    CardPlace,
    ClassReport,
    HardCard,
    KindWeek,
    LearnerFigures,
    PersistentMisreading,
    wilson_lower,
)
from srs.core.grades import PASS_MARK
from srs.core.model import Kind, ReviewKind
from srs.store.classroom import class_groups
from srs.store.engine import Database
from srs.store.report_totals import LATE_REPS, card_totals, installed, week_totals
from srs.store.schema import card_table, deck_table, log_table, state_table

HARDEST = 20  # cards listed as the class's hardest
WEEK_ZERO = date(2000, 1, 3)  # a Monday: weeks are counted from it


def instructor_group(conn: Connection) -> str | None:
    """The name of the class's instructor group role, whose members' rows are no learner's
    (None on a server collection that is no class)."""
    groups = class_groups(conn)
    return None if groups is None else groups.instructors


def instructors(conn: Connection) -> list[str]:
    """The login names whose answers the report leaves out: on a server, every role that is a
    member of the instructor group (superusers are members of every role); none on SQLite.
    A group that does not exist (a server collection that is no class) has no members."""
    group = instructor_group(conn) if conn.dialect.name == "postgresql" else None
    if group is None:
        return []
    return list(
        conn.execute(
            text(
                "SELECT r.rolname FROM pg_catalog.pg_roles r JOIN pg_catalog.pg_roles g "
                "ON g.rolname = :group WHERE pg_catalog.pg_has_role(r.oid, g.oid, 'MEMBER') "
                "ORDER BY 1"
            ),
            {"group": group},
        ).scalars()
    )


def _week(db: Database) -> ColumnElement[Any]:
    """The number of the week (Monday to Sunday) of a log row's day, counted from `WEEK_ZERO`:
    integer arithmetic on dates, much cheaper than `date_trunc` over a million rows."""
    if db.on_server:
        return literal_column("(review_log.day - DATE '2000-01-03') / 7")
    return literal_column(
        "CAST((julianday(review_log.day) - julianday('2000-01-03')) / 7 AS INTEGER)"
    )


def _week_start(number: int) -> date:
    return WEEK_ZERO + timedelta(days=7 * int(number))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.sum(case((condition, 1), else_=0))


@dataclass
class _Tallies:
    """What the report is built from, whichever road filled it."""

    # card: [learners, lapsed learners, scheduled reviews, lapses, answers]
    cards: dict[int, list[int]] = field(default_factory=dict)
    # misreading card: [learners past their second review, of them still failing]
    misread: dict[int, list[int]] = field(default_factory=dict)
    # learner: [answers, reviews, passed, last day]
    people: dict[str, list[Any]] = field(default_factory=dict)
    # (week, kind): [reviews, passed]
    retention: dict[tuple[date, str], list[int]] = field(default_factory=dict)
    active: dict[date, int] = field(default_factory=dict)  # week: learners who answered


def class_report(
    db: Database, deck_ids: Sequence[str], since: date | None, today: date, by_learner: bool
) -> ClassReport:
    """The class's figures over the decks named (all when empty), from `since` on."""
    with db.read() as conn:
        left_out = instructors(conn)
        if since is None and db.on_server and installed(conn):
            tallies = _from_totals(conn, deck_ids, left_out)
        else:
            tallies = _from_log(db, conn, deck_ids, since, left_out)
        per_card = tallies.cards
        hardest_pks = sorted(
            (pk for pk, c in per_card.items() if c[1]),
            key=lambda pk: (
                -wilson_lower(per_card[pk][1], per_card[pk][0]),
                -per_card[pk][3] / max(per_card[pk][2], 1),
                pk,
            ),
        )[:HARDEST]
        failing = {pk for pk, m in tallies.misread.items() if m[1]}
        places = _places(conn, set(hardest_pks) | failing)
        due = _due_by_learner(conn, deck_ids, today, left_out) if by_learner else {}
    people = tallies.people
    learners = None
    if by_learner:
        learners = tuple(
            LearnerFigures(
                name,
                int(people[name][0]) if name in people else 0,
                int(people[name][1]) if name in people else 0,
                int(people[name][2]) if name in people else 0,
                due.get(name, 0),
                None if name not in people else _as_date(people[name][3]),
            )
            for name in sorted(set(people) | set(due))
        )
    persistent = sorted(
        (PersistentMisreading(places[pk], past, fails) for pk, (past, fails) in _items(tallies)),
        key=lambda m: (-m.still_failing / m.learners_past_second, m.place.where),
    )
    return ClassReport(
        today=today,
        since=since,
        decks=tuple(deck_ids),
        learners=len(people),
        answers=sum(c[4] for c in per_card.values()),
        hardest=tuple(HardCard(places[pk], *per_card[pk]) for pk in hardest_pks),
        retention=tuple(
            KindWeek(w, kind, n, p) for (w, kind), (n, p) in sorted(tallies.retention.items()) if n
        ),
        misreadings=tuple(persistent),
        active=tuple(sorted(tallies.active.items())),
        by_learner=learners,
    )


def _items(tallies: _Tallies) -> list[tuple[int, list[int]]]:
    return [(pk, m) for pk, m in tallies.misread.items() if m[1]]


def _from_totals(conn: Connection, deck_ids: Sequence[str], left_out: list[str]) -> _Tallies:
    """The tallies from the server's running totals: a few hundred rows, summed by the server."""
    t, w, cards = card_totals, week_totals, card_table
    tallies = _Tallies()
    mine: list[ColumnElement[bool]] = [t.c.answers > 0]
    if left_out:
        mine.append(t.c.learner.not_in(left_out))
    if deck_ids:
        mine.append(t.c.card_pk.in_(select(cards.c.pk).where(cards.c.deck_id.in_(deck_ids))))
    for pk, kind, *figures, past, fails in conn.execute(
        select(
            t.c.card_pk,
            func.min(cards.c.kind),
            func.count(),
            func.count().filter(t.c.lapses > 0),
            func.sum(t.c.reviews),
            func.sum(t.c.lapses),
            func.sum(t.c.answers),
            func.count().filter(t.c.late > 0),
            func.count().filter(t.c.late_failed > 0),
        )
        .join(cards, cards.c.pk == t.c.card_pk)
        .where(*mine)
        .group_by(t.c.card_pk)
    ):
        tallies.cards[pk] = [int(n) for n in figures]
        if kind == Kind.MISREADING.value and past:
            tallies.misread[pk] = [int(past), int(fails)]
    for learner, answers, reviews, lapses, last in conn.execute(
        select(
            t.c.learner,
            func.sum(t.c.answers),
            func.sum(t.c.reviews),
            func.sum(t.c.lapses),
            func.max(t.c.last_day),
        )
        .where(*mine)
        .group_by(t.c.learner)
    ):
        tallies.people[learner] = [int(answers), int(reviews), int(reviews) - int(lapses), last]
    in_decks = [w.c.deck_id.in_(deck_ids)] if deck_ids else []
    if left_out:
        in_decks.append(w.c.learner.not_in(left_out))
    for week, kind, reviews, passed in conn.execute(
        select(w.c.week, w.c.kind, func.sum(w.c.reviews), func.sum(w.c.passed))
        .where(*in_decks)
        .group_by(w.c.week, w.c.kind)
    ):
        tallies.retention[(_week_start(week), kind)] = [int(reviews), int(passed)]
    for week, learners in conn.execute(
        select(w.c.week, func.count(w.c.learner.distinct()))
        .where(w.c.answers > 0, *in_decks)
        .group_by(w.c.week)
    ):
        tallies.active[_week_start(week)] = int(learners)
    return tallies


def _from_log(
    db: Database,
    conn: Connection,
    deck_ids: Sequence[str],
    since: date | None,
    left_out: list[str],
) -> _Tallies:
    """The tallies from the log: one pass grouped by (card, learner), folded here into cards,
    misreadings and learners; one grouped by (week, kind, learner) for retention and activity.
    Both return a few thousand rows at most."""
    log, cards = log_table, card_table
    where: list[ColumnElement[bool]] = []
    if deck_ids:
        where.append(
            log.c.card_pk.in_(select(cards.c.pk).where(cards.c.deck_id.in_(list(deck_ids))))
        )
    if since is not None:
        where.append(log.c.day >= since)
    if left_out:
        where.append(log.c.learner.not_in(left_out))
    scheduled = log.c.review_kind == ReviewKind.REVIEW.value
    late = and_(scheduled, log.c.prev_reps >= LATE_REPS)
    pairs = conn.execute(
        select(
            log.c.card_pk,
            log.c.learner,
            func.count(),
            _count(scheduled),
            _count(and_(scheduled, log.c.grade < PASS_MARK)),
            _count(late),
            _count(and_(late, log.c.grade < PASS_MARK)),
            func.max(log.c.day),
        )
        .where(*where)
        .group_by(log.c.card_pk, log.c.learner)
    ).all()
    week = _week(db)
    weekly = conn.execute(
        select(
            week,
            cards.c.kind,
            log.c.learner,
            _count(scheduled),
            _count(and_(scheduled, log.c.grade >= PASS_MARK)),
        )
        .select_from(log.join(cards, cards.c.pk == log.c.card_pk))
        .where(*where)
        .group_by(week, cards.c.kind, log.c.learner)
    ).all()
    kinds = dict(conn.execute(select(cards.c.pk, cards.c.kind)).all())
    per_card: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    misread: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    people: dict[str, list[Any]] = defaultdict(lambda: [0, 0, 0, None])
    for pk, learner, answers, reviews, lapses, late_n, late_failed, last in pairs:
        c = per_card[pk]
        c[0] += 1
        c[1] += 1 if lapses else 0
        c[2] += int(reviews or 0)
        c[3] += int(lapses or 0)
        c[4] += int(answers)
        if kinds.get(pk) == Kind.MISREADING.value and late_n:
            misread[pk][0] += 1
            misread[pk][1] += 1 if late_failed else 0
        p = people[learner]
        p[0] += int(answers)
        p[1] += int(reviews or 0)
        p[2] += int(reviews or 0) - int(lapses or 0)
        p[3] = last if p[3] is None or (last is not None and last > p[3]) else p[3]
    retention: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
    active: dict[date, int] = defaultdict(int)
    seen: set[tuple[date, str]] = set()
    for w, kind, learner, reviews, passed in weekly:
        day = _week_start(w)
        if reviews:
            r = retention[(day, kind)]
            r[0] += int(reviews)
            r[1] += int(passed or 0)
        if (day, learner) not in seen:
            seen.add((day, learner))
            active[day] += 1
    return _Tallies(dict(per_card), dict(misread), dict(people), dict(retention), dict(active))


def _places(conn: Connection, pks: set[int]) -> dict[int, CardPlace]:
    if not pks:
        return {}
    rows = conn.execute(
        select(
            card_table.c.pk,
            card_table.c.deck_id,
            card_table.c.card_id,
            card_table.c.kind,
            card_table.c.line,
            card_table.c.retired_at,
            deck_table.c.path,
        )
        .join(deck_table, deck_table.c.id == card_table.c.deck_id)
        .where(card_table.c.pk.in_(sorted(pks)))
    ).all()
    return {
        r.pk: CardPlace(
            r.deck_id,
            r.card_id,
            r.kind,
            r.path,
            None if r.retired_at is not None else r.line,
            retired=r.retired_at is not None,
        )
        for r in rows
    }


def _due_by_learner(
    conn: Connection, deck_ids: Sequence[str], today: date, left_out: list[str]
) -> dict[str, int]:
    """Each learner's backlog: scheduled cards due by `today`, retired cards and the cards the
    learner suspended left out."""
    state, cards = state_table, card_table
    where: list[ColumnElement[bool]] = [
        state.c.due <= today,
        state.c.suspended_at.is_(None),
        cards.c.retired_at.is_(None),
    ]
    if deck_ids:
        where.append(cards.c.deck_id.in_(list(deck_ids)))
    if left_out:
        where.append(state.c.learner.not_in(left_out))
    rows = conn.execute(
        select(state.c.learner, func.count())
        .select_from(state.join(cards, cards.c.pk == state.c.card_pk))
        .where(*where)
        .group_by(state.c.learner)
    ).all()
    return {learner: int(n) for learner, n in rows}
