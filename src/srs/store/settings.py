"""A learner's own settings, kept with their state: `srs config set KEY VALUE` writes them."""

from __future__ import annotations

from sqlalchemy import delete, select

from srs.store.engine import Database
from srs.store.schema import settings_table


class SettingsQueries:
    """Read and write this learner's settings (the scheduler and FSRS's options)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def learner_settings(self) -> dict[str, str]:
        """Every setting this learner has stored, by key."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(settings_table.c.key, settings_table.c.value).where(
                    settings_table.c.learner == self.db.learner
                )
            )
            return {key: value for key, value in rows}

    def set_learner_setting(self, key: str, value: str) -> None:
        """Store one setting for this learner, replacing its old value."""
        with self.db.write() as conn:
            conn.execute(
                delete(settings_table).where(
                    settings_table.c.learner == self.db.learner, settings_table.c.key == key
                )
            )
            conn.execute(
                settings_table.insert().values(learner=self.db.learner, key=key, value=value)
            )
