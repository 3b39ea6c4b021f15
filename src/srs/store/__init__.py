"""The collection on SQLAlchemy Core: a SQLite file by default, any SQLAlchemy URL otherwise.

`Store` is one learner's view of a collection: a `Database` (the engine and its transactions)
holding one query object per concern, each built on it and inheriting nothing of srs's:
`content` (decks and cards), `study` (state, answers, undo, the review queue), `setaside` (bury
and suspend), `aggregates` (status and stats numbers), `listing` (cards with their state),
`settings` (the learner's own settings) and `transfer` (progress in bulk, to and from Anki).
What several of them need of the learner's day is plain functions in `queue`. They take and
return core types.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from srs.store.aggregates import AggregateQueries
from srs.store.content import ContentQueries
from srs.store.engine import DEFAULT_LEARNER, Database
from srs.store.listing import ListingQueries
from srs.store.schema import SCHEMA_VERSION
from srs.store.setaside import SetAsideQueries
from srs.store.settings import SettingsQueries
from srs.store.study import StudyQueries
from srs.store.transfer import TransferQueries


class Store(Database):
    """A learner's view of one collection database: its transactions, and every query, by
    concern, as attributes."""

    def __init__(
        self, engine: Engine, label: str, learner: str = DEFAULT_LEARNER, read_only: bool = False
    ) -> None:
        super().__init__(engine, label, learner, read_only)
        self.content = ContentQueries(self)
        self.study = StudyQueries(self)
        self.setaside = SetAsideQueries(self)
        self.aggregates = AggregateQueries(self)
        self.listing = ListingQueries(self)
        self.settings = SettingsQueries(self)
        self.transfer = TransferQueries(self)


__all__ = ["SCHEMA_VERSION", "Store"]
