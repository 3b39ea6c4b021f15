"""Upgrades of an existing collection, one schema version at a time.

A new collection gets the current tables from `schema.metadata` directly. An older one is brought
up by the steps below, in order, inside the same transaction that checks its version: each step
takes a collection at version `n - 1` to version `n` (for example by adding a column), so a
learner's progress survives every upgrade. Add a step and bump `schema.SCHEMA_VERSION` together.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection

Step = Callable[[Connection], None]


def _fsrs_columns(conn: Connection) -> None:
    """Version 2: FSRS beside SM-2. Every existing state and answer was SM-2's; FSRS's memory
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
        for name, kind in columns:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))


STEPS: dict[int, Step] = {
    # version: the step that upgrades a collection from version - 1 to it
    2: _fsrs_columns,
}


def upgrade(conn: Connection, found: int, target: int) -> None:
    """Run every step from version `found + 1` to `target`, in order."""
    for version in range(found + 1, target + 1):
        step = STEPS.get(version)
        if step is not None:
            step(conn)
