"""Upgrades of an existing collection, one schema version at a time.

A new collection gets the current tables from `schema.metadata` directly. An older one is brought
up by the steps below, in order, inside the same transaction that checks its version: each step
takes a collection at version `n - 1` to version `n` (for example by adding a column), so a
learner's progress survives every upgrade. Add a step and bump `schema.SCHEMA_VERSION` together.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from srs.store.report_totals import install
from srs.store.schema import SERVER_SCHEMA

Step = Callable[[Connection], None]


def _add_columns(conn: Connection, table: str, columns: list[tuple[str, str]]) -> None:
    """Add the columns a table lacks (names and types are this module's constants, never input).

    A column already there is left alone, so a step never fails on a collection that some other
    step, or a test building an old collection, left with part of a later schema.
    """
    schema = SERVER_SCHEMA if conn.dialect.name == "postgresql" else None
    present = {c["name"] for c in inspect(conn).get_columns(table, schema=schema)}
    named = f"{schema}.{table}" if schema else table  # every statement names the server's schema
    for name, kind in columns:
        if name not in present:
            conn.execute(text(f"ALTER TABLE {named} ADD COLUMN {name} {kind}"))


def _add_suspension(conn: Connection) -> None:
    """Version 2: a learner may suspend a card (`card_state.suspended_at`)."""
    _add_columns(conn, "card_state", [("suspended_at", "TIMESTAMP")])


def _fsrs_columns(conn: Connection) -> None:
    """Version 3: FSRS beside SM-2. Every existing state and answer was SM-2's; FSRS's memory
    columns start empty. (The `learner_settings` table is created with the missing tables.)"""
    scheduler = "VARCHAR(8) NOT NULL DEFAULT 'sm2'"
    for table, columns in (
        ("card_state", [("scheduler", scheduler), ("stability", "FLOAT"), ("difficulty", "FLOAT")]),
        (
            "review_log",
            [
                ("scheduler", scheduler),
                ("prev_scheduler", scheduler),
                ("prev_stability", "FLOAT"),
                ("prev_difficulty", "FLOAT"),
                ("stability", "FLOAT"),
                ("difficulty", "FLOAT"),
            ],
        ),
    ):
        _add_columns(conn, table, columns)


def _card_guid(conn: Connection) -> None:
    """Version 4: `cards.guid`, the Anki note guid of a card imported from Anki (NULL otherwise)."""
    _add_columns(conn, "cards", [("guid", "VARCHAR(64)")])


def _card_note_type(conn: Connection) -> None:
    """Version 6: `cards.anki_note_type`, the Anki note type of a card imported from Anki."""
    _add_columns(conn, "cards", [("anki_note_type", "TEXT")])


def _report_totals(conn: Connection) -> None:
    """Version 7 (PostgreSQL only): the class report's running totals, filled from the log so
    far and kept by a trigger on `review_log` (see `report_totals`)."""
    install(conn)


def _deck_file_digest(conn: Connection) -> None:
    """Version 8: `decks.file_sha256`, so an unchanged deck file is not parsed again. Decks
    loaded before have none, and their next load parses them once."""
    _add_columns(conn, "decks", [("file_sha256", "VARCHAR(64)")])


def _card_html(conn: Connection) -> None:
    """Version 9: `cards.front_html` and `back_html`, the Anki HTML rendered at load time. Cards
    loaded before have none; the export renders those itself. A release whose
    `cardtext.render_markdown` writes different HTML adds a step that sets both back to NULL."""
    _add_columns(conn, "cards", [("front_html", "TEXT"), ("back_html", "TEXT")])


def _server_hardening(conn: Connection) -> None:
    """Version 10: `decks.retired_at` (a deck removed on a server keeps its history); and on
    PostgreSQL only, identities for ids and CHECK constraints on the log
    (`server_schema.harden`); the report's trigger is made again by the caller, with a pinned
    `search_path`. A SQLite file keeps its tables: only a server's learners write SQL."""
    _add_columns(conn, "decks", [("retired_at", "TIMESTAMP")])
    if conn.dialect.name == "postgresql":
        from srs.store.server_schema import harden

        harden(conn)


def _paper_and_quotes(conn: Connection) -> None:
    """Version 11: `decks.paper` (the paper's metadata) and `cards.quotes` (its words a card
    rests on), both JSON; NULL for decks and cards loaded before, until their next load."""
    _add_columns(conn, "decks", [("paper", "TEXT")])
    _add_columns(conn, "cards", [("quotes", "TEXT")])


def _anki_review_ids(conn: Connection) -> None:
    """Version 12: `review_log.anki_id`, Anki's review id of an answer merged from Anki (NULL
    for every answer before), unique per learner and card, so a merge never adds one twice."""
    _add_columns(conn, "review_log", [("anki_id", "BIGINT")])
    table = f"{SERVER_SCHEMA}.review_log" if conn.dialect.name == "postgresql" else "review_log"
    conn.execute(
        text(
            f"CREATE UNIQUE INDEX IF NOT EXISTS ix_log_anki ON {table} (learner, card_pk, anki_id)"
        )
    )


def _math_and_figures(conn: Connection) -> None:
    """Version 13: `cards.figures` (a card's images and their digests, JSON; NULL until its
    next load), and card HTML cleared: `render_markdown` now writes math for MathJax and figures
    as `<img>`, so the export renders each card again until its next load."""
    _add_columns(conn, "cards", [("figures", "TEXT")])
    table = f"{SERVER_SCHEMA}.cards" if conn.dialect.name == "postgresql" else "cards"
    conn.execute(text(f"UPDATE {table} SET front_html = NULL, back_html = NULL"))


def _cloze_items(conn: Connection) -> None:
    """Version 14: `cards.cloze`, `extra` and `deletion`, for the items of cloze cards (each
    deletion its own row, `CARD_ID#c1`); NULL for every card before, none of which is one."""
    _add_columns(conn, "cards", [("cloze", "TEXT"), ("extra", "TEXT"), ("deletion", "INTEGER")])


def _former_ids(conn: Connection) -> None:
    """Version 15: `cards.was`, a card's former ids (JSON), whose first names its Anki note;
    NULL for every card before, none of which was renamed."""
    _add_columns(conn, "cards", [("was", "TEXT")])


STEPS: dict[int, Step] = {
    # version: the step that upgrades a collection from version - 1 to it
    2: _add_suspension,
    3: _fsrs_columns,
    4: _card_guid,
    # 5: taken by another change; the integrator renumbers
    6: _card_note_type,
    7: _report_totals,
    8: _deck_file_digest,
    9: _card_html,
    10: _server_hardening,
    11: _paper_and_quotes,
    12: _anki_review_ids,
    13: _math_and_figures,
    14: _cloze_items,
    15: _former_ids,
}


def upgrade(conn: Connection, found: int, target: int) -> None:
    """Run every step from version `found + 1` to `target`, in order."""
    for version in range(found + 1, target + 1):
        step = STEPS.get(version)
        if step is not None:
            step(conn)
