"""A class on one PostgreSQL server: roles, grants, row-level security, and the report's queries.

Two group roles: `srs_learner` reads the decks and keeps their own `card_state`, `review_log`
and `learner_settings` rows (the policies compare `learner` with `current_user`); `srs_instructor`
is a learner too, and may also change decks and read every learner's rows. Role names are quoted
by the driver (`psycopg.sql.Identifier`), never formatted into SQL by hand. The report's running
totals (`report_totals`) are under the same policies. The report itself is `class_report.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from srs.core.errors import StoreError
from srs.store.engine import Database
from srs.store.report_totals import TOTALS_TABLES
from srs.store.server import LOCK_SCHEMA

LEARNER_ROLE = "srs_learner"
INSTRUCTOR_ROLE = "srs_instructor"
MAX_ROLE_BYTES = 63  # PostgreSQL would silently cut a longer name

_OWN_ROWS = "learner = current_user"
_LEARNER_TABLES = ("card_state", "review_log", "learner_settings", *TOTALS_TABLES)


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
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in _LEARNER_TABLES), learner
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
        made += _protect(conn, cur, _LEARNER_TABLES)
    return made


def protect_totals(conn: Connection) -> None:
    """Give the report's totals tables, just created in an existing class, the grants and
    policies of `review_log` (nothing to do before `srs class init` has made the roles)."""
    if _exists(conn, "SELECT 1 FROM pg_roles WHERE rolname = :r", r=LEARNER_ROLE):
        sql = _sql()
        cur = _raw(conn).cursor()
        cur.execute(
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(
                sql.SQL(", ").join(sql.Identifier(t) for t in TOTALS_TABLES),
                sql.Identifier(LEARNER_ROLE),
            )
        )
        _protect(conn, cur, TOTALS_TABLES)


def _protect(conn: Connection, cur: Any, tables: Sequence[str]) -> list[str]:
    """Row-level security, enabled and forced, and the two policies on each of `tables`."""
    sql = _sql()
    made: list[str] = []
    for table in tables:
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
