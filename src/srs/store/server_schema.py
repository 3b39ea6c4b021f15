"""The `srs` schema on a PostgreSQL server: creating it, moving an older srs's tables into it,
and the server-only parts of schema version 10 (identities, the log's CHECK constraints).

Every name here is this module's constant, never input.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from srs.store.schema import LOG_CHECKS, SERVER_SCHEMA

S = SERVER_SCHEMA
SRS_TABLES = (
    "meta",
    "decks",
    "cards",
    "card_state",
    "review_log",
    "learner_settings",
    "report_card",
    "report_week",
)
_IDENTITIES = (("review_log", "id", "bigint"), ("cards", "pk", "integer"))


def create_schema(conn: Connection) -> None:
    """Create the `srs` schema when it is missing. Two first runs at once: the second fails on
    the catalog's unique name (the caller opens again and finds the schema made)."""
    found = conn.execute(
        text("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = :s"), {"s": S}
    ).first()
    if found is None:
        conn.execute(text(f"CREATE SCHEMA {S}"))


def legacy_tables(conn: Connection) -> set[str]:
    """srs's tables in `public`, where srs before schema version 10 kept them."""
    rows = conn.execute(
        text(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' "
            "AND tablename = ANY(:names)"
        ),
        {"names": list(SRS_TABLES)},
    )
    return {str(name) for name in rows.scalars()}


def move_legacy_tables(conn: Connection) -> None:
    """Move an older srs's tables from `public` into the `srs` schema (their owner runs this,
    in the upgrade's transaction); the report's old trigger function goes too, to be made
    again with a pinned `search_path`."""
    conn.execute(text("LOCK TABLE public.meta IN ACCESS EXCLUSIVE MODE"))
    create_schema(conn)
    conn.execute(text("DROP TRIGGER IF EXISTS srs_report_totals ON public.review_log"))
    conn.execute(text("DROP FUNCTION IF EXISTS public.srs_report_totals()"))
    for table in SRS_TABLES:
        if table in legacy_tables(conn):
            conn.execute(text(f"ALTER TABLE public.{table} SET SCHEMA {S}"))


def harden(conn: Connection) -> None:
    """Schema version 10 on a server: ids become identities drawn from sequences no user may
    call, the log's CHECK constraints are added (`NOT VALID`: rows already there are left for
    `srs class repair` to skip, every new row is checked), and the report's totals are dropped,
    to be filled again from the log with this version's counting (`report_totals.install`)."""
    for table, column, kind in _IDENTITIES:
        is_identity = conn.execute(
            text(
                "SELECT is_identity = 'YES' FROM information_schema.columns "
                "WHERE table_schema = :s AND table_name = :t AND column_name = :c"
            ),
            {"s": S, "t": table, "c": column},
        ).scalar()
        if is_identity:
            continue
        serial = conn.execute(
            text("SELECT pg_catalog.pg_get_serial_sequence(:t, :c)"),
            {"t": f"{S}.{table}", "c": column},
        ).scalar()
        conn.execute(text(f"ALTER TABLE {S}.{table} ALTER COLUMN {column} DROP DEFAULT"))
        if serial:
            conn.execute(text(f"DROP SEQUENCE {serial}"))
        conn.execute(text(f"ALTER TABLE {S}.{table} ALTER COLUMN {column} TYPE {kind}"))
        conn.execute(
            text(f"ALTER TABLE {S}.{table} ALTER COLUMN {column} ADD GENERATED ALWAYS AS IDENTITY")
        )
        conn.execute(
            text(
                "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(:t, :c), "
                f"coalesce(max({column}), 0) + 1, false) FROM {S}.{table}"
            ),
            {"t": f"{S}.{table}", "c": column},
        )
    # the totals counted "after the second review" the old way: made again from the log
    conn.execute(text(f"DROP TABLE IF EXISTS {S}.report_card, {S}.report_week"))
    present = set(
        conn.execute(
            text(
                "SELECT conname FROM pg_catalog.pg_constraint "
                f"WHERE conrelid = '{S}.review_log'::regclass"
            )
        ).scalars()
    )
    for name, check in LOG_CHECKS.items():
        if name not in present:
            conn.execute(
                text(f"ALTER TABLE {S}.review_log ADD CONSTRAINT {name} CHECK ({check}) NOT VALID")
            )
