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

from functools import cached_property
from typing import TYPE_CHECKING

from srs.store.content import ContentQueries
from srs.store.engine import DEFAULT_LEARNER, Database
from srs.store.schema import SCHEMA_VERSION

if TYPE_CHECKING:  # each imported when first asked for: a run pays only for what it queries
    from sqlalchemy.engine import Engine

    from srs.store.aggregates import AggregateQueries
    from srs.store.listing import ListingQueries
    from srs.store.setaside import SetAsideQueries
    from srs.store.settings import SettingsQueries
    from srs.store.study import StudyQueries
    from srs.store.transfer import TransferQueries


class Store(Database):
    """A learner's view of one collection database: its transactions, and every query, by
    concern, as attributes. `content` is made with the store; the others when first used, so
    that `srs status` does not import the transfer or listing queries, nor `srs deck add` the
    statistics."""

    def __init__(
        self, engine: Engine, label: str, learner: str = DEFAULT_LEARNER, read_only: bool = False
    ) -> None:
        super().__init__(engine, label, learner, read_only)
        self.content = ContentQueries(self)

    @cached_property
    def study(self) -> StudyQueries:
        """State, answers, undo and the review queue."""
        from srs.store.study import StudyQueries

        return StudyQueries(self)

    @cached_property
    def setaside(self) -> SetAsideQueries:
        """Bury and suspend."""
        from srs.store.setaside import SetAsideQueries

        return SetAsideQueries(self)

    @cached_property
    def aggregates(self) -> AggregateQueries:
        """The numbers of status and stats."""
        from srs.store.aggregates import AggregateQueries

        return AggregateQueries(self)

    @cached_property
    def listing(self) -> ListingQueries:
        """Cards with their state."""
        from srs.store.listing import ListingQueries

        return ListingQueries(self)

    @cached_property
    def settings(self) -> SettingsQueries:
        """The learner's own settings."""
        from srs.store.settings import SettingsQueries

        return SettingsQueries(self)

    @cached_property
    def transfer(self) -> TransferQueries:
        """Progress in bulk, to and from Anki."""
        from srs.store.transfer import TransferQueries

        return TransferQueries(self)


__all__ = ["SCHEMA_VERSION", "Store"]
