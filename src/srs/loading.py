"""Load deck files into the collection: validate every file first, then write.

A deck that fails its check is never partly loaded, and when several files are named, none is
loaded unless all of them pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from srs.authoring import analyse_paths
from srs.config import bundled_decks_dir
from srs.errors import DeckFileError
from srs.model import Deck, LoadReport
from srs.store import Store

FIRST_RUN_FLAG = "first_run_done_at"  # set once any deck has been loaded, bundled or not


def read_decks(paths: Sequence[Path]) -> list[Deck]:
    """Parse every deck named (files, or folders of `*.toml`), refusing all of them if any has
    an error: the same errors, with the same positions, that `srs deck check` reports."""
    diagnostics, decks = analyse_paths(paths)
    errors = tuple(d for d in diagnostics if d.severity == "error")
    if errors:
        first = errors[0]
        raise DeckFileError(
            first.message, first.path, first.line, first.col, first.card_id, problems=errors
        )
    return decks


def load_paths(store: Store, paths: Sequence[Path], now: datetime) -> list[LoadReport]:
    """Validate, then load or update the decks at `paths`; one report a deck."""
    reports = [store.load_deck(deck, now) for deck in read_decks(paths)]
    _mark_first_run_done(store, now)
    return reports


def load_bundled_if_new(store: Store, now: datetime) -> list[LoadReport]:
    """On the first run of an empty collection, load the decks shipped with srs.

    This happens once: a learner who loads decks of their own first, or who later removes every
    deck, does not get the bundled ones unasked.
    """
    if store.get_meta(FIRST_RUN_FLAG) is not None:
        return []
    if not store.is_empty():
        _mark_first_run_done(store, now)
        return []
    return load_paths(store, [bundled_decks_dir()], now)


def _mark_first_run_done(store: Store, now: datetime) -> None:
    if store.get_meta(FIRST_RUN_FLAG) is None:
        store.set_meta(FIRST_RUN_FLAG, now.isoformat())
