"""A class's privileges on its server, granted by `srs class init` (`classroom.set_up_class`)
and again by the run that upgrades the schema (`engine`), so that learners may write the
columns a new version adds. Kept apart from `classroom`, which opens the database, so that the
engine can call it without an import circle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from srs.store.schema import SERVER_SCHEMA, meta_table

LEARNERS_KEY = "class_learners_role"
INSTRUCTORS_KEY = "class_instructors_role"
TOTALS = ("report_card", "report_week")

_OWN_TABLES = ("card_state", "learner_settings")
_LOG_COLUMNS_WRITTEN = "id"  # the one log column no learner may choose


@dataclass(frozen=True)
class Groups:
    """The class's two group roles."""

    learners: str
    instructors: str


def sql() -> Any:
    """psycopg's SQL composition module (imported only on a server)."""
    from psycopg import sql as composition

    return composition


def raw(conn: Connection) -> Any:
    """A psycopg cursor on the connection under a SQLAlchemy one (same transaction)."""
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def exists(conn: Connection, query: str, **params: Any) -> bool:
    """True when `query` returns a row."""
    return conn.execute(text(query), params).first() is not None


def role_exists(conn: Connection, name: str) -> bool:
    """True when a role `name` exists on the server."""
    return exists(conn, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :r", r=name)


def class_groups(conn: Connection) -> Groups | None:
    """The class's group roles, as set up (None before `srs class init`)."""
    rows = dict(
        conn.execute(
            select(meta_table.c.key, meta_table.c.value).where(
                meta_table.c.key.in_((LEARNERS_KEY, INSTRUCTORS_KEY))
            )
        ).all()
    )
    if LEARNERS_KEY not in rows or INSTRUCTORS_KEY not in rows:
        return None
    return Groups(str(rows[LEARNERS_KEY]), str(rows[INSTRUCTORS_KEY]))


def grant(conn: Connection, groups: Groups) -> None:
    """The groups' privileges: GRANT is idempotent, so granting again changes nothing."""
    s, cur = sql(), raw(conn)
    learners, instructors = s.Identifier(groups.learners), s.Identifier(groups.instructors)
    schema = s.Identifier(SERVER_SCHEMA)

    def tables(names: Sequence[str]) -> Any:
        return s.SQL(", ").join(s.Identifier(SERVER_SCHEMA, n) for n in names)

    log_columns = [
        str(c)
        for c in conn.execute(
            text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = :s "
                "AND table_name = 'review_log' AND column_name <> :id ORDER BY ordinal_position"
            ),
            {"s": SERVER_SCHEMA, "id": _LOG_COLUMNS_WRITTEN},
        ).scalars()
    ]
    statements = [
        s.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, learners),
        s.SQL("GRANT SELECT ON {} TO {}").format(tables(("meta", "decks", "cards")), learners),
        s.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(
            tables(_OWN_TABLES), learners
        ),
        # ids are drawn by the server: no learner chooses one, even with OVERRIDING SYSTEM VALUE
        s.SQL("REVOKE INSERT, UPDATE ON {} FROM {}").format(tables(("review_log",)), learners),
        s.SQL("GRANT SELECT, DELETE ON {} TO {}").format(tables(("review_log",)), learners),
        s.SQL("GRANT INSERT ({}) ON {} TO {}").format(
            s.SQL(", ").join(s.Identifier(c) for c in log_columns),
            tables(("review_log",)),
            learners,
        ),
        s.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(tables(TOTALS), learners),
        s.SQL("GRANT SELECT ON {} TO {}").format(tables(TOTALS), learners),
        s.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(
            tables(("meta", "decks", "cards")), instructors
        ),
        s.SQL("GRANT EXECUTE ON FUNCTION {}() TO {}").format(
            s.Identifier(SERVER_SCHEMA, "srs_repair_totals"), instructors
        ),
    ]
    for statement in statements:
        cur.execute(statement)


def grant_after_upgrade(conn: Connection) -> None:
    """After a server's schema upgrade, the class's privileges granted again, as `srs class
    init` run again would: learners may then write the columns the new version added (the
    review log's are granted by name). Nothing for a database no class was set up on."""
    groups = class_groups(conn)
    if groups is None or not role_exists(conn, groups.learners):
        return
    if role_exists(conn, groups.instructors):
        grant(conn, groups)
