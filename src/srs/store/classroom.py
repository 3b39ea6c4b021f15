"""A class on one PostgreSQL server: roles, grants, row-level security, and the report's queries.

Two group roles: `srs_learner` reads the decks and keeps their own `card_state`, `review_log`
and `learner_settings` rows (the policies compare `learner` with `current_user`); `srs_instructor`
is a learner too, and may also change decks and read every learner's rows. Role names are quoted
by the driver (`psycopg.sql.Identifier`), never formatted into SQL by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
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
)
from srs.core.errors import StoreError
from srs.core.model import Kind, ReviewKind
from srs.store.engine import Database
from srs.store.schema import card_table, deck_table, log_table, state_table
from srs.store.server import LOCK_SCHEMA

LEARNER_ROLE = "srs_learner"
INSTRUCTOR_ROLE = "srs_instructor"
MAX_ROLE_BYTES = 63  # PostgreSQL would silently cut a longer name
HARDEST = 20  # cards listed as the class's hardest

_OWN_ROWS = "learner = current_user"
_LEARNER_TABLES = ("card_state", "review_log", "learner_settings")


def _sql() -> Any:
    from psycopg import sql

    return sql


def _raw(conn: Connection) -> Any:
    """The psycopg connection under a SQLAlchemy one (same transaction)."""
    return conn.connection.driver_connection


def _exists(conn: Connection, query: str, **params: str) -> bool:
    return conn.execute(text(query), params).first() is not None


def set_up_class(db: Database) -> list[str]:
    """Create what is missing of the roles, grants and policies; the changes made, in words.

    Safe to run again: it changes nothing that is already in place.
    """
    if not db.on_server:
        raise StoreError("a class needs a PostgreSQL server (set SRS_DATABASE_URL)")
    sql = _sql()
    made: list[str] = []
    with db.write() as conn:
        db.advisory_lock(conn, LOCK_SCHEMA)
        cur = _raw(conn).cursor()
        for role in (LEARNER_ROLE, INSTRUCTOR_ROLE):
            if not _exists(conn, "SELECT 1 FROM pg_roles WHERE rolname = :r", r=role):
                cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
                made.append(f"role {role}")
        if not _exists(
            conn,
            "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles r ON r.oid = m.member WHERE g.rolname = :g AND r.rolname = :r",
            g=LEARNER_ROLE,
            r=INSTRUCTOR_ROLE,
        ):
            cur.execute(
                sql.SQL("GRANT {} TO {}").format(
                    sql.Identifier(LEARNER_ROLE), sql.Identifier(INSTRUCTOR_ROLE)
                )
            )
            made.append(f"{INSTRUCTOR_ROLE} in {LEARNER_ROLE}")
        learner, instructor = sql.Identifier(LEARNER_ROLE), sql.Identifier(INSTRUCTOR_ROLE)
        schema = sql.Identifier(conn.execute(text("SELECT current_schema()")).scalar_one())
        grants = [  # GRANT is idempotent: granting again changes nothing
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, learner),
            sql.SQL("GRANT SELECT ON meta, decks, cards TO {}").format(learner),
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON card_state, review_log, learner_settings "
                "TO {}"
            ).format(learner),
            sql.SQL("GRANT INSERT, UPDATE, DELETE ON meta, decks, cards TO {}").format(instructor),
        ]
        for table, column, role in (("review_log", "id", learner), ("cards", "pk", instructor)):
            seq = conn.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table, "c": column}
            ).scalar_one()
            grants.append(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(sql.SQL(seq), role))
        for grant in grants:
            cur.execute(grant)
        for table in _LEARNER_TABLES:
            forced = conn.execute(
                text(
                    "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class "
                    "WHERE oid = CAST(:t AS regclass)"
                ),
                {"t": table},
            ).scalar_one()
            if not forced:
                ident = sql.Identifier(table)
                cur.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(ident))
                cur.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(ident))
                made.append(f"row-level security on {table}")
            made += _policies(conn, cur, table)
    return made


def _policies(conn: Connection, cur: Any, table: str) -> list[str]:
    sql = _sql()
    wanted = {
        "srs_own_rows": sql.SQL(
            "CREATE POLICY srs_own_rows ON {} FOR ALL TO {} USING ({}) WITH CHECK ({})"
        ).format(
            sql.Identifier(table), sql.Identifier(LEARNER_ROLE), sql.SQL(_OWN_ROWS),
            sql.SQL(_OWN_ROWS),
        ),
        "srs_instructor_reads": sql.SQL(
            "CREATE POLICY srs_instructor_reads ON {} FOR SELECT TO {} USING (true)"
        ).format(sql.Identifier(table), sql.Identifier(INSTRUCTOR_ROLE)),
    }  # fmt: skip
    made = []
    for name, statement in wanted.items():
        if not _exists(
            conn,
            "SELECT 1 FROM pg_policies WHERE tablename = :t AND policyname = :p "
            "AND schemaname = current_schema()",
            t=table,
            p=name,
        ):
            cur.execute(statement)
            made.append(f"policy {name} on {table}")
    return made


def check_role_name(name: str) -> None:
    """Refuse a name PostgreSQL would cut or reserve; any other text is quoted safely."""
    if not name or not name.strip():
        raise StoreError("a learner's name must not be empty")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise StoreError(f"name {name!r} holds a control character")
    if len(name.encode()) > MAX_ROLE_BYTES:
        raise StoreError(f"name {name!r} is longer than {MAX_ROLE_BYTES} bytes")
    if name.startswith("pg_") or name in (LEARNER_ROLE, INSTRUCTOR_ROLE):
        raise StoreError(f"name {name!r} is reserved")


def create_login(db: Database, name: str, password: str, instructor: bool) -> None:
    """A login role `name` with `password`, in the learner or the instructor group."""
    check_role_name(name)
    if not password:
        raise StoreError("the password must not be empty")
    sql = _sql()
    group = INSTRUCTOR_ROLE if instructor else LEARNER_ROLE
    with db.write() as conn:
        if not _exists(conn, "SELECT 1 FROM pg_roles WHERE rolname = :r", r=group):
            raise StoreError("the class is not set up yet; run: srs class init")
        if _exists(conn, "SELECT 1 FROM pg_roles WHERE rolname = :r", r=name):
            raise StoreError(f"a database role named {name!r} already exists")
        # CREATE ROLE takes no bound parameters: the password is a literal quoted by the driver.
        _raw(conn).cursor().execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(name), sql.Literal(password), sql.Identifier(group)
            )
        )


# ---- the report ------------------------------------------------------------------------------


WEEK_ZERO = date(2000, 1, 3)  # a Monday: weeks are counted from it


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


def class_report(
    db: Database, deck_ids: Sequence[str], since: date | None, today: date, by_learner: bool
) -> ClassReport:
    """The class's figures over the decks named (all when empty), from `since` on.

    Two passes over the log: one grouped by (card, learner), from which the hardest cards, the
    persistent misreadings and each learner's figures are folded; one grouped by (week, kind,
    learner) for retention and activity. Both return a few thousand rows at most.
    """
    log, cards = log_table, card_table
    where: list[ColumnElement[bool]] = []
    if deck_ids:
        where.append(
            log.c.card_pk.in_(select(cards.c.pk).where(cards.c.deck_id.in_(list(deck_ids))))
        )
    if since is not None:
        where.append(log.c.day >= since)
    scheduled = log.c.review_kind == ReviewKind.REVIEW.value
    late = and_(log.c.review_kind != ReviewKind.DRILL.value, log.c.prev_reps >= 2)

    def count(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.sum(case((condition, 1), else_=0))

    with db.read() as conn:
        pairs = conn.execute(
            select(
                log.c.card_pk,
                log.c.learner,
                func.count(),
                count(scheduled),
                count(and_(scheduled, log.c.grade < 3)),
                count(late),
                count(and_(late, log.c.grade < 3)),
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
                count(scheduled),
                count(and_(scheduled, log.c.grade >= 3)),
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
        hardest_pks = sorted(
            (pk for pk, c in per_card.items() if c[1]),
            key=lambda pk: (
                -per_card[pk][1] / per_card[pk][0],
                -per_card[pk][3] / max(per_card[pk][2], 1),
                pk,
            ),
        )[:HARDEST]
        places = _places(conn, set(hardest_pks) | {pk for pk, m in misread.items() if m[1]})
        due = _due_by_learner(conn, deck_ids, today) if by_learner else {}
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
    learners = None
    if by_learner:
        names = sorted(set(people) | set(due))
        learners = tuple(
            LearnerFigures(
                name,
                people[name][0],
                people[name][1],
                people[name][2],
                due.get(name, 0),
                None if people[name][3] is None else _as_date(people[name][3]),
            )
            for name in names
        )
    persistent = sorted(
        (
            PersistentMisreading(places[pk], past, failing)
            for pk, (past, failing) in misread.items()
            if failing
        ),
        key=lambda m: (-m.still_failing / m.learners_past_second, m.place.where),
    )
    return ClassReport(
        today=today,
        since=since,
        decks=tuple(deck_ids),
        learners=len(people),
        answers=sum(c[4] for c in per_card.values()),
        hardest=tuple(HardCard(places[pk], *per_card[pk]) for pk in hardest_pks),
        retention=tuple(KindWeek(w, kind, n, p) for (w, kind), (n, p) in sorted(retention.items())),
        misreadings=tuple(persistent),
        active=tuple(sorted(active.items())),
        by_learner=learners,
    )


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
            deck_table.c.path,
        )
        .join(deck_table, deck_table.c.id == card_table.c.deck_id)
        .where(card_table.c.pk.in_(sorted(pks)))
    ).all()
    return {r.pk: CardPlace(r.deck_id, r.card_id, r.kind, r.path, r.line) for r in rows}


def _due_by_learner(conn: Connection, deck_ids: Sequence[str], today: date) -> dict[str, int]:
    """Each learner's backlog: scheduled cards due by `today`, retired cards left out."""
    state, cards = state_table, card_table
    where: list[ColumnElement[bool]] = [state.c.due <= today, cards.c.retired_at.is_(None)]
    if deck_ids:
        where.append(cards.c.deck_id.in_(list(deck_ids)))
    rows = conn.execute(
        select(state.c.learner, func.count())
        .select_from(state.join(cards, cards.c.pk == state.c.card_pk))
        .where(*where)
        .group_by(state.c.learner)
    ).all()
    return {learner: int(n) for learner, n in rows}
