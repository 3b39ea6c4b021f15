"""A class on one PostgreSQL server: its group roles, privileges and row-level security.

Each class (one database) has two group roles of its own, named from the database when the class
is set up and kept in `meta`: learners (read the decks, keep their own `card_state`, `review_log`
and `learner_settings` rows, read their own report totals) and instructors (learners too, who may
also change decks, read every learner's rows, and rebuild the report's totals). Policies compare
`learner` with `session_user`, which `SET ROLE` cannot change. Nobody but the class's groups may
connect to the database, and no learner may create any object in it: `CREATE` on `public` and
`TEMPORARY` on the database are revoked from PUBLIC. Role names are quoted by the driver
(`psycopg.sql.Identifier`), never formatted into SQL by hand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.engine import Connection

from srs.core.errors import StoreError
from srs.store.engine import Database
from srs.store.schema import SERVER_SCHEMA, meta_table

LEARNERS_KEY = "class_learners_role"
INSTRUCTORS_KEY = "class_instructors_role"
OLD_GROUPS = ("srs_learner", "srs_instructor")  # server-wide groups of srs before version 10
MAX_ROLE_BYTES = 63  # PostgreSQL would silently cut a longer name

_OWN = "learner = session_user"
_FUTURE_DAYS = 1830  # a learner's answer may be dated at most this far past the server's date
_OWN_TABLES = ("card_state", "learner_settings")
_TOTALS = ("report_card", "report_week")
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


def _named(database: str, suffix: str) -> str:
    """`<database>_<suffix>`, shortened with a hash of the whole when it would pass 63 bytes."""
    whole = f"{database}_{suffix}"
    if len(whole.encode()) <= MAX_ROLE_BYTES:
        return whole
    digest = hashlib.sha256(database.encode()).hexdigest()[:8]
    room = MAX_ROLE_BYTES - len(suffix.encode()) - len(digest) - 2
    head = database.encode()[:room].decode(errors="ignore")
    return f"{head}_{digest}_{suffix}"


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


def require_groups(conn: Connection) -> Groups:
    """The class's group roles; one line when the class is not set up."""
    groups = class_groups(conn)
    if groups is None or not role_exists(conn, groups.learners):
        raise StoreError("the class is not set up yet; run: srs class init")
    return groups


def set_up_class(db: Database) -> list[str]:
    """Create what is missing of the roles, privileges and policies; the changes made, in words.

    Safe to run again: it changes nothing that is already in place."""
    if not db.on_server:
        raise StoreError("a class needs a PostgreSQL server (set SRS_DATABASE_URL)")
    made: list[str] = []
    with db.write() as conn:
        db.class_lock(conn)
        groups = class_groups(conn)
        if groups is None:
            database = str(conn.execute(text("SELECT current_database()")).scalar_one())
            groups = Groups(_named(database, "learners"), _named(database, "instructors"))
            for key, value in (
                (LEARNERS_KEY, groups.learners),
                (INSTRUCTORS_KEY, groups.instructors),
            ):
                conn.execute(delete(meta_table).where(meta_table.c.key == key))
                conn.execute(meta_table.insert().values(key=key, value=value))
        made += _make_groups(conn, groups)
        made += _close_the_doors(conn, groups)
        _grant(conn, groups)
        made += _protect(conn, groups)
        made += _adopt_old_groups(conn, groups)
    return made


def grant_after_upgrade(conn: Connection) -> None:
    """After a server's schema upgrade, the class's privileges granted again, as `srs class
    init` run again would: learners may then write the columns the new version added (the
    review log's are granted by name). Nothing for a database no class was set up on."""
    groups = class_groups(conn)
    if groups is None or not role_exists(conn, groups.learners):
        return
    if role_exists(conn, groups.instructors):
        _grant(conn, groups)


def _make_groups(conn: Connection, groups: Groups) -> list[str]:
    s, cur, made = sql(), raw(conn), []
    for role in (groups.learners, groups.instructors):
        if not role_exists(conn, role):
            cur.execute(s.SQL("CREATE ROLE {} NOLOGIN").format(s.Identifier(role)))
            made.append(f"role {role}")
    if not exists(
        conn,
        "SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g "
        "ON g.oid = m.roleid JOIN pg_catalog.pg_roles r ON r.oid = m.member "
        "WHERE g.rolname = :g AND r.rolname = :r",
        g=groups.learners,
        r=groups.instructors,
    ):
        cur.execute(
            s.SQL("GRANT {} TO {}").format(
                s.Identifier(groups.learners), s.Identifier(groups.instructors)
            )
        )
        made.append(f"{groups.instructors} in {groups.learners}")
    return made


def _public_may(conn: Connection, catalog: str, name_column: str, acl: str, what: str) -> bool:
    """True when PUBLIC (grantee 0) holds privilege `what` on the object named `current`."""
    return exists(
        conn,
        f"SELECT 1 FROM pg_catalog.{catalog} o, "
        f"LATERAL pg_catalog.aclexplode(coalesce(o.{acl}, acldefault(:kind, o.{name_column}))) a "
        f"WHERE o.oid = :oid AND a.grantee = 0 AND a.privilege_type = :what",
        kind="n" if catalog == "pg_namespace" else "d",
        oid=_oid(conn, catalog),
        what=what,
    )


def _oid(conn: Connection, catalog: str) -> int:
    if catalog == "pg_namespace":
        return int(conn.execute(text("SELECT 'public'::regnamespace::oid")).scalar_one())
    return int(
        conn.execute(
            text("SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()")
        ).scalar_one()
    )


def _close_the_doors(conn: Connection, groups: Groups) -> list[str]:
    """Only the class's groups may connect, and no one but the owner may create anything."""
    s, cur, made = sql(), raw(conn), []
    database = s.Identifier(str(conn.execute(text("SELECT current_database()")).scalar_one()))
    if exists(conn, "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'public'") and (
        _public_may(conn, "pg_namespace", "nspowner", "nspacl", "CREATE")
    ):
        cur.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        made.append("revoked CREATE on schema public from PUBLIC (learners create nothing)")
    for what in ("CONNECT", "TEMPORARY"):
        if _public_may(conn, "pg_database", "datdba", "datacl", what):
            cur.execute(s.SQL(f"REVOKE {what} ON DATABASE {{}} FROM PUBLIC").format(database))
            made.append(f"revoked {what} on the database from PUBLIC")
    cur.execute(
        s.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, s.Identifier(groups.learners))
    )
    cur.execute(f"REVOKE ALL ON SCHEMA {SERVER_SCHEMA} FROM PUBLIC")
    return made


def _grant(conn: Connection, groups: Groups) -> None:
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
        s.SQL("REVOKE INSERT, UPDATE, DELETE ON {} FROM {}").format(tables(_TOTALS), learners),
        s.SQL("GRANT SELECT ON {} TO {}").format(tables(_TOTALS), learners),
        s.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(
            tables(("meta", "decks", "cards")), instructors
        ),
        s.SQL("GRANT EXECUTE ON FUNCTION {}() TO {}").format(
            s.Identifier(SERVER_SCHEMA, "srs_repair_totals"), instructors
        ),
    ]
    for statement in statements:
        cur.execute(statement)


def _policy_wanted(table: str, groups: Groups) -> dict[str, Any]:
    s = sql()
    ident = s.Identifier(SERVER_SCHEMA, table)
    learners, instructors = s.Identifier(groups.learners), s.Identifier(groups.instructors)
    check = _OWN
    if table == "review_log":  # no answer dated far past the server's own date
        check = f"{_OWN} AND day <= CURRENT_DATE + {_FUTURE_DAYS}"
    own = (
        s.SQL("CREATE POLICY own_rows ON {} FOR SELECT TO {} USING ({})").format(
            ident, learners, s.SQL(_OWN)
        )
        if table in _TOTALS
        else s.SQL("CREATE POLICY own_rows ON {} FOR ALL TO {} USING ({}) WITH CHECK ({})").format(
            ident, learners, s.SQL(_OWN), s.SQL(check)
        )
    )
    reads = s.SQL("CREATE POLICY instructors_read ON {} FOR SELECT TO {} USING (true)").format(
        ident, instructors
    )
    return {"own_rows": own, "instructors_read": reads}


def _protect(conn: Connection, groups: Groups) -> list[str]:
    """Row-level security (enabled; the owner, who runs upgrades, reads past it) and the two
    policies on each table that holds a learner's rows. Policies of srs before version 10 go."""
    s, cur, made = sql(), raw(conn), []
    for table in ("card_state", "review_log", "learner_settings", *_TOTALS):
        ident = s.Identifier(SERVER_SCHEMA, table)
        enabled, forced = conn.execute(
            text(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_catalog.pg_class "
                "WHERE oid = CAST(:t AS regclass)"
            ),
            {"t": f"{SERVER_SCHEMA}.{table}"},
        ).one()
        if not enabled:
            cur.execute(s.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(ident))
            made.append(f"row-level security on {table}")
        if forced:  # the owner's trigger and repair read every row
            cur.execute(s.SQL("ALTER TABLE {} NO FORCE ROW LEVEL SECURITY").format(ident))
        present = {
            str(name): list(roles)
            for name, roles in conn.execute(
                text(
                    "SELECT policyname, roles FROM pg_catalog.pg_policies "
                    "WHERE schemaname = :s AND tablename = :t"
                ),
                {"s": SERVER_SCHEMA, "t": table},
            )
        }
        wanted = _policy_wanted(table, groups)
        for name in present:
            if name not in wanted:  # a policy of an older srs, on the old groups
                cur.execute(s.SQL("DROP POLICY {} ON {}").format(s.Identifier(name), ident))
        for name, statement in wanted.items():
            if name not in present:
                cur.execute(statement)
                made.append(f"policy {name} on {table}")
    return made


def _adopt_old_groups(conn: Connection, groups: Groups) -> list[str]:
    """A class of srs before version 10 used two server-wide groups: their members join this
    class's groups, and the old groups lose every privilege here."""
    s, cur, made = sql(), raw(conn), []
    for old, new in zip(OLD_GROUPS, (groups.learners, groups.instructors), strict=True):
        if not role_exists(conn, old):
            continue
        members = conn.execute(
            text(
                "SELECT r.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g "
                "ON g.oid = m.roleid JOIN pg_catalog.pg_roles r ON r.oid = m.member "
                "WHERE g.rolname = :g AND r.rolname <> ALL(:skip)"
            ),
            {"g": old, "skip": list(OLD_GROUPS)},
        ).scalars()
        for member in members:
            if not is_member(conn, str(member), new):
                cur.execute(
                    s.SQL("GRANT {} TO {}").format(s.Identifier(new), s.Identifier(str(member)))
                )
                made.append(f"{member} moved from {old} to {new}")
        cur.execute(
            s.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(
                s.Identifier(SERVER_SCHEMA), s.Identifier(old)
            )
        )
        cur.execute(
            s.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(
                s.Identifier(SERVER_SCHEMA), s.Identifier(old)
            )
        )
    return made


def is_member(conn: Connection, name: str, group: str) -> bool:
    """True when role `name` is a direct member of `group`."""
    return exists(
        conn,
        "SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g "
        "ON g.oid = m.roleid JOIN pg_catalog.pg_roles r ON r.oid = m.member "
        "WHERE g.rolname = :g AND r.rolname = :r",
        g=group,
        r=name,
    )
