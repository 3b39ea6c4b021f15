"""A class on one PostgreSQL server: roles, grants, row-level security, and the report's queries.

Two group roles: `srs_learner` reads the decks and keeps their own `card_state` and `review_log`
rows (the policies compare `learner` with `current_user`); `srs_instructor` is a learner too,
and may also change decks and read every learner's rows. Role names are quoted by the driver
(`psycopg.sql.Identifier`), never formatted into SQL by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, and_, case, cast, func, literal_column, select, text
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
from srs.store.engine import LOCK_SCHEMA, Database
from srs.store.schema import card_table, deck_table, log_table, state_table

LEARNER_ROLE = "srs_learner"
INSTRUCTOR_ROLE = "srs_instructor"
MAX_ROLE_BYTES = 63  # PostgreSQL would silently cut a longer name
HARDEST = 20  # cards listed as the class's hardest

_OWN_ROWS = "learner = current_user"
_LEARNER_TABLES = ("card_state", "review_log")


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
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON card_state, review_log TO {}").format(
                learner
            ),
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


def _week(db: Database, day: Any) -> ColumnElement[Any]:
    """The Monday starting the week of `day`."""
    if db.on_server:
        return cast(func.date_trunc("week", day), Date)
    return func.date(day, literal_column("'weekday 0'"), literal_column("'-6 days'"))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def class_report(
    db: Database, deck_ids: Sequence[str], since: date | None, today: date, by_learner: bool
) -> ClassReport:
    """The class's figures over the decks named (all when empty), from `since` on."""
    log, cards = log_table, card_table
    where: list[ColumnElement[bool]] = []
    if deck_ids:
        where.append(cards.c.deck_id.in_(list(deck_ids)))
    if since is not None:
        where.append(log.c.day >= since)
    scheduled = log.c.review_kind == ReviewKind.REVIEW.value
    lapse = and_(scheduled, log.c.grade < 3)
    joined = log.join(cards, cards.c.pk == log.c.card_pk)
    with db.read() as conn:
        per_pair = (
            select(
                log.c.card_pk,
                func.count().label("answers"),
                func.sum(case((scheduled, 1), else_=0)).label("reviews"),
                func.sum(case((lapse, 1), else_=0)).label("lapses"),
            )
            .select_from(joined)
            .where(*where)
            .group_by(log.c.card_pk, log.c.learner)
            .subquery()
        )
        cards_rows = conn.execute(
            select(
                per_pair.c.card_pk,
                func.count().label("learners"),
                func.sum(case((per_pair.c.lapses > 0, 1), else_=0)).label("lapsed"),
                func.sum(per_pair.c.reviews),
                func.sum(per_pair.c.lapses),
                func.sum(per_pair.c.answers),
            ).group_by(per_pair.c.card_pk)
        ).all()
        week = _week(db, log.c.day)
        retention = conn.execute(
            select(week, cards.c.kind, func.count(), func.sum(case((log.c.grade >= 3, 1), else_=0)))
            .select_from(joined)
            .where(scheduled, *where)
            .group_by(week, cards.c.kind)
            .order_by(week, cards.c.kind)
        ).all()
        active_rows = conn.execute(
            select(week, func.count(func.distinct(log.c.learner)))
            .select_from(joined)
            .where(*where)
            .group_by(week)
            .order_by(week)
        ).all()
        late = and_(log.c.review_kind != ReviewKind.DRILL.value, log.c.prev_reps >= 2)
        misreading_rows = conn.execute(
            select(
                log.c.card_pk,
                log.c.learner,
                func.sum(case((log.c.grade < 3, 1), else_=0)),
            )
            .select_from(joined)
            .where(cards.c.kind == Kind.MISREADING.value, late, *where)
            .group_by(log.c.card_pk, log.c.learner)
        ).all()
        learners = _learner_figures(conn, deck_ids, since, today) if by_learner else None
        hardest_pks = sorted(
            (r for r in cards_rows if r.lapsed),
            key=lambda r: (
                -r.lapsed / r.learners,
                -int(r[4] or 0) / max(int(r[3] or 0), 1),
                r.card_pk,
            ),
        )[:HARDEST]
        misreadings: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for pk, _learner, failed in misreading_rows:
            misreadings[pk][0] += 1
            misreadings[pk][1] += 1 if failed else 0
        places = _places(conn, {r.card_pk for r in hardest_pks} | set(misreadings))
        total_learners = conn.execute(
            select(func.count(func.distinct(log.c.learner))).select_from(joined).where(*where)
        ).scalar_one()
    hardest = tuple(
        HardCard(
            places[r.card_pk],
            int(r.learners),
            int(r.lapsed),
            int(r[3] or 0),
            int(r[4] or 0),
            int(r[5] or 0),
        )
        for r in hardest_pks
    )
    persistent = sorted(
        (
            PersistentMisreading(places[pk], past, failing)
            for pk, (past, failing) in misreadings.items()
            if failing
        ),
        key=lambda m: (-m.still_failing / m.learners_past_second, m.place.where),
    )
    return ClassReport(
        today=today,
        since=since,
        decks=tuple(deck_ids),
        learners=int(total_learners),
        answers=sum(int(r[5] or 0) for r in cards_rows),
        hardest=hardest,
        retention=tuple(
            KindWeek(_as_date(w), kind, int(n), int(p or 0)) for w, kind, n, p in retention
        ),
        misreadings=tuple(persistent),
        active=tuple((_as_date(w), int(n)) for w, n in active_rows),
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


def _learner_figures(
    conn: Connection, deck_ids: Sequence[str], since: date | None, today: date
) -> tuple[LearnerFigures, ...]:
    log, cards, state = log_table, card_table, state_table
    where: list[ColumnElement[bool]] = []
    if deck_ids:
        where.append(cards.c.deck_id.in_(list(deck_ids)))
    scheduled = log.c.review_kind == ReviewKind.REVIEW.value
    since_where = [log.c.day >= since] if since is not None else []
    answers = conn.execute(
        select(
            log.c.learner,
            func.count(),
            func.sum(case((scheduled, 1), else_=0)),
            func.sum(case((and_(scheduled, log.c.grade >= 3), 1), else_=0)),
            func.max(log.c.day),
        )
        .select_from(log.join(cards, cards.c.pk == log.c.card_pk))
        .where(*where, *since_where)
        .group_by(log.c.learner)
    ).all()
    due: dict[str, int] = dict(
        conn.execute(
            select(state.c.learner, func.count())
            .select_from(state.join(cards, cards.c.pk == state.c.card_pk))
            .where(state.c.due <= today, cards.c.retired_at.is_(None), *where)
            .group_by(state.c.learner)
        ).all()
    )
    figures = [
        LearnerFigures(
            learner,
            int(n),
            int(r or 0),
            int(p or 0),
            int(due.get(learner, 0)),
            None if last is None else _as_date(last),
        )
        for learner, n, r, p, last in answers
    ]
    figures += [LearnerFigures(name, 0, 0, 0, int(n), None) for name, n in due.items()
                if name not in {f.learner for f in figures}]  # fmt: skip
    return tuple(sorted(figures, key=lambda f: f.learner))
