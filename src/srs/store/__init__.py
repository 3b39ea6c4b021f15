"""The collection on SQLAlchemy Core: a SQLite file by default, any SQLAlchemy URL otherwise.

`Store` is one learner's view of a collection. Its queries live by concern, one class a module,
each over the transactions of `engine.Database`: `content` (decks and cards), `study` (state,
answers, undo), `setaside` (bury and suspend), `figures` (status and stats aggregates),
`listing` (cards with their state), `settings` (the learner's own settings) and `transfer`
(progress in bulk, to and from Anki). They take and return core types.
"""

from __future__ import annotations

from srs.store.listing import ListingQueries
from srs.store.schema import SCHEMA_VERSION
from srs.store.settings import SettingsQueries
from srs.store.transfer import TransferQueries


class Store(ListingQueries, SettingsQueries, TransferQueries):
    """A learner's view of one collection database: every query, by concern."""


__all__ = ["SCHEMA_VERSION", "Store"]
