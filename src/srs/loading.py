"""Load deck files into the collection: validate every file first, then write.

A deck that fails its check is never partly loaded, and when several files are named, none is
loaded unless all of them pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from srs.config import bundled_decks_dir
from srs.deckfile import read_deck_file
from srs.errors import DeckFileError
from srs.model import Deck, LoadReport
from srs.store import Store

BUNDLED_FLAG = "bundled_decks_loaded_at"


def deck_files(paths: Sequence[Path]) -> list[Path]:
    """The deck files named: files as given, folders as their `*.toml` files in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.toml") if p.is_file()))
        elif path.exists():
            files.append(path)
        else:
            raise DeckFileError("no such file or folder", str(path), 1, 1)
    if not files:
        raise DeckFileError("no deck files (*.toml) found", ", ".join(map(str, paths)), 1, 1)
    return files


def read_decks(paths: Sequence[Path]) -> list[Deck]:
    """Parse every named deck, refusing all of them if any has an error or ids clash."""
    decks = [read_deck_file(f) for f in deck_files(paths)]
    seen: dict[str, str] = {}
    for deck in decks:
        if deck.id in seen:
            raise DeckFileError(
                f"deck id {deck.id!r} is also used by {seen[deck.id]}", deck.path or "?", 1, 1
            )
        seen[deck.id] = deck.path or "?"
    return decks


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
