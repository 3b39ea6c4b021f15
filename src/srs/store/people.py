"""The people of a class on a server: logins made and removed, passwords, the roster.

A password never travels to the server in clear: the client computes its SCRAM-SHA-256 verifier
(libpq's `PQencryptPasswordConn`, through psycopg) and sends only that, so no server log (with
`log_statement = 'all'`, or the statement of a failed command) can hold it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.engine import Connection

from srs.core.errors import StoreError
from srs.store.classroom import (
    MAX_ROLE_BYTES,
    OLD_GROUPS,
    Groups,
    class_groups,
    is_member,
    raw,
    require_groups,
    role_exists,
    sql,
)
from srs.store.engine import Database
from srs.store.schema import log_table, settings_table, state_table

_REMOVED = re.compile(r"\(removed [0-9]{4}-[0-9]{2}-[0-9]{2}(?: [0-9]+)?\)$")


@dataclass(frozen=True)
class RosterEntry:
    """One person of the class: name, whether an instructor, answers, and their last day."""

    name: str
    instructor: bool
    answers: int
    last_day: date | None


def check_role_name(name: str, groups: Groups | None = None) -> None:
    """Refuse a name PostgreSQL would cut or reserve; any other text is quoted safely."""
    if not name or not name.strip():
        raise StoreError("a learner's name must not be empty")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise StoreError(f"name {name!r} holds a control character")
    if len(name.encode()) > MAX_ROLE_BYTES:
        raise StoreError(f"name {name!r} is longer than {MAX_ROLE_BYTES} bytes")
    reserved = {*OLD_GROUPS, *((groups.learners, groups.instructors) if groups else ())}
    if name.startswith("pg_") or name in reserved or _REMOVED.search(name):
        raise StoreError(f"name {name!r} is reserved")


def verifier(conn: Connection, name: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of `password` for role `name`, computed here, not by the
    server."""
    if not password:
        raise StoreError("the password must not be empty")
    pgconn = conn.connection.driver_connection.pgconn  # type: ignore[union-attr]
    secret: bytes = pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")
    return secret.decode()


def _may_create_roles(conn: Connection) -> None:
    allowed = conn.execute(
        text(
            "SELECT rolcreaterole OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = session_user"
        )
    ).scalar()
    if not allowed:
        raise StoreError(
            "the user in SRS_DATABASE_URL may not create roles (it lacks CREATEROLE); "
            "use the class's admin user"
        )


def create_login(db: Database, name: str, password: str, instructor: bool) -> None:
    """A login role `name` with `password`, in the class's learner or instructor group."""
    s = sql()
    with db.write() as conn:
        groups = require_groups(conn)
        check_role_name(name, groups)
        _may_create_roles(conn)
        if role_exists(conn, name):
            raise StoreError(f"a database role named {name!r} already exists")
        secret = verifier(conn, name, password)
        group = groups.instructors if instructor else groups.learners
        raw(conn).execute(
            s.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                s.Identifier(name), s.Literal(secret), s.Identifier(group)
            )
        )


def _require_person(conn: Connection, groups: Groups, name: str) -> bool:
    """True for an instructor, False for a learner; one line for anyone else."""
    if not role_exists(conn, name):
        raise StoreError(f"no database role named {name!r}")
    if is_member(conn, name, groups.instructors):
        return True
    if is_member(conn, name, groups.learners):
        return False
    raise StoreError(f"{name!r} is not a learner or instructor of this class")


def set_password(db: Database, name: str | None, password: str) -> None:
    """Set the password of `name` (the admin, for a person of the class), or of the session's
    own user when `name` is None (anyone, for themselves)."""
    s = sql()
    with db.write() as conn:
        if name is None:
            own = str(conn.execute(text("SELECT session_user")).scalar_one())
            target = s.SQL("SESSION_USER")
            secret = verifier(conn, own, password)
        else:
            _require_person(conn, require_groups(conn), name)
            _may_create_roles(conn)
            target = s.Identifier(name)
            secret = verifier(conn, name, password)
        raw(conn).execute(s.SQL("ALTER ROLE {} PASSWORD {}").format(target, s.Literal(secret)))


def remove_login(db: Database, name: str, keep_history: bool, today: date) -> tuple[int, str]:
    """Drop the login `name`. Their answers are deleted, or with `keep_history` kept under
    `NAME (removed DAY)`, a name no new login may take, so a person given the same name later
    starts empty. Returns the answers deleted or kept, and the name they are kept under."""
    s = sql()
    with db.write() as conn:
        groups = require_groups(conn)
        _require_person(conn, groups, name)
        _may_create_roles(conn)
        answers = int(
            conn.execute(
                select(func.count()).select_from(log_table).where(log_table.c.learner == name)
            ).scalar_one()
        )
        kept = f"{name} (removed {today.isoformat()})"
        taken = 1
        while conn.execute(
            select(log_table.c.id).where(log_table.c.learner == kept).limit(1)
        ).first():
            taken += 1
            kept = f"{name} (removed {today.isoformat()} {taken})"
        for table in (state_table, log_table, settings_table):
            if keep_history and table is not settings_table:
                conn.execute(update(table).where(table.c.learner == name).values(learner=kept))
            else:
                conn.execute(delete(table).where(table.c.learner == name))
        if keep_history:
            for totals in ("report_card", "report_week"):
                conn.execute(
                    text(f"UPDATE srs.{totals} SET learner = :kept WHERE learner = :name"),
                    {"kept": kept, "name": name},
                )
        raw(conn).execute(s.SQL("DROP ROLE {}").format(s.Identifier(name)))
    return answers, kept


def roster(db: Database) -> list[RosterEntry]:
    """Every person of the class, including those who never answered, with their answers and
    last day; then any history kept of people removed."""
    with db.read() as conn:
        groups = class_groups(conn)
        if groups is None:
            raise StoreError("the class is not set up yet; run: srs class init")
        people = conn.execute(
            text(
                "SELECT r.rolname, g.rolname = :i FROM pg_catalog.pg_auth_members m "
                "JOIN pg_catalog.pg_roles g ON g.oid = m.roleid "
                "JOIN pg_catalog.pg_roles r ON r.oid = m.member "
                "WHERE g.rolname IN (:l, :i) AND r.rolname NOT IN (:l, :i) AND r.rolcanlogin"
            ),
            {"l": groups.learners, "i": groups.instructors},
        ).all()
        figures = {
            str(learner): (int(count), last)
            for learner, count, last in conn.execute(
                select(log_table.c.learner, func.count(), func.max(log_table.c.day)).group_by(
                    log_table.c.learner
                )
            )
        }
    found: dict[str, bool] = {}
    for name, instructor in people:
        found[str(name)] = found.get(str(name), False) or bool(instructor)
    entries = [
        RosterEntry(name, instructor, *figures.get(name, (0, None)))
        for name, instructor in sorted(found.items())
    ]
    entries += [
        RosterEntry(name, False, count, last)
        for name, (count, last) in sorted(figures.items())
        if name not in found and _REMOVED.search(name)
    ]
    return entries
