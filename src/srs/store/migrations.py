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


def _card_guid(conn: Connection) -> None:
    """Version 2: `cards.guid`, the Anki note guid of a card imported from Anki (NULL otherwise)."""
    conn.execute(text("ALTER TABLE cards ADD COLUMN guid VARCHAR(64)"))


STEPS: dict[int, Step] = {
    # version: the step that upgrades a collection from version - 1 to it
    2: _card_guid,
}


def upgrade(conn: Connection, found: int, target: int) -> None:
    """Run every step from version `found + 1` to `target`, in order."""
    for version in range(found + 1, target + 1):
        step = STEPS.get(version)
        if step is not None:
            step(conn)
