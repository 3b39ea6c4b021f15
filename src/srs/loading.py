"""Load deck files into the collection: validate every file first, then write.

A deck that fails its check is never partly loaded, and when several files are named, none is
loaded unless all of them pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from srs.authoring import check_paths, deck_paths
from srs.config import bundled_decks_dir
from srs.deckfile import read_deck_file
from srs.errors import DeckFileError
from srs.model import Deck, LoadReport
from srs.store import Store

BUNDLED_FLAG = "bundled_decks_loaded_at"


def read_decks(paths: Sequence[Path]) -> list[Deck]:
    """Parse every deck named (files, or folders of `*.toml`), refusing all of them if any has
    an error: the same errors, with the same positions, that `srs deck check` reports."""
    diagnostics = check_paths(paths)
    errors = tuple(d for d in diagnostics if d.severity == "error")
    if errors:
        first = errors[0]
        raise DeckFileError(
            first.message, first.path, first.line, first.col, first.card_id, problems=errors
        )
    files, _ = deck_paths(paths)
    return [read_deck_file(f) for f in dict.fromkeys(f.resolve() for f in files)]


def load_paths(store: Store, paths: Sequence[Path], now: datetime) -> list[LoadReport]:
    """Validate, then load or update the decks at `paths`; one report a deck."""
    return [store.load_deck(deck, now) for deck in read_decks(paths)]


def load_bundled_if_new(store: Store, now: datetime) -> list[LoadReport]:
    """On the first run of an empty collection, load the decks shipped with srs.

    This happens once: a learner who later removes every deck does not get them back unasked.
    """
    if store.get_meta(BUNDLED_FLAG) is not None or not store.is_empty():
        return []
    reports = load_paths(store, [bundled_decks_dir()], now)
    store.set_meta(BUNDLED_FLAG, now.isoformat())
    return reports
