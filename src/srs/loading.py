"""Load deck files into the collection: validate every file first, then write.

A deck that fails its check is never partly loaded, and when several files are named, none is
loaded unless all of them pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING

from srs.config import bundled_decks_dir
from srs.core.errors import DeckFileError
from srs.core.model import Deck, LoadReport
from srs.core.ticker import Ticker, no_ticker
from srs.store import Store

if TYPE_CHECKING:  # the checker is loaded only by a run that reads a deck file
    from srs.authoring import Analysis
    from srs.core.deckfile import CardCache

FIRST_RUN_FLAG = "first_run_done_at"  # set once any deck has been loaded, bundled or not


def read_decks(paths: Sequence[Path]) -> list[Deck]:
    """Parse every deck named (files, or folders of `*.toml`), refusing all of them if any has
    an error: the same errors, with the same positions, that `srs deck check` reports."""
    from srs.authoring import analyse_paths

    return _checked(analyse_paths(paths)).decks


def load_paths(
    store: Store,
    paths: Sequence[Path],
    now: datetime,
    ticker: Ticker = no_ticker,
    cache: CardCache | None = None,
    cache_dir: Path | None = None,
) -> list[LoadReport]:
    """Validate, then load or update the decks at `paths`; one report a deck.

    A file holding exactly what the collection loaded from it last time (same bytes, same path)
    is not parsed again: its report counts every card unchanged; when every file named is such a
    file, the checker is not even imported (`srs.deckpaths.unchanged_decks`). With a `cache`
    (`srs.checkcache`), the cards of a changed file that were checked before are not checked
    again. A deck whose own paper is at hand (`[deck.paper] pdf`) has its quotes' pages looked
    up in it (`srs.paper.pages`; the PDF's text cached in `cache_dir`).
    """
    from srs.deckpaths import unchanged_decks

    digests = store.content.deck_digests()
    unchanged = unchanged_decks(paths, digests)
    if unchanged is not None:
        reports = [store.content.unchanged_report(deck_id) for deck_id in unchanged]
        _mark_first_run_done(store, now)
        return reports
    from srs.authoring import analyse_paths

    found = _checked(analyse_paths(paths, loaded=digests, ticker=ticker, cache=cache))
    decks = [_with_pages(_resolved(deck), cache_dir) for deck in found.decks]
    reports = [store.content.load_deck(deck, now, ticker) for deck in decks]
    reports += [store.content.unchanged_report(deck_id) for deck_id in found.unchanged]
    _mark_first_run_done(store, now)
    return reports


def _resolved(deck: Deck) -> Deck:
    """The deck with the path of its file absolute (as `srs deck list` shows it and the review
    finds its figures and paper from any folder), not as it was typed."""
    return deck if deck.path is None else replace(deck, path=str(Path(deck.path).resolve()))


def _with_pages(deck: Deck, cache_dir: Path | None) -> Deck:
    """The deck with its quotes' pages when it names its own paper file; the paper's modules
    (rapidfuzz, the PDF reader) are imported only then."""
    if deck.paper is None or not deck.paper.pdf:
        return deck
    from srs.paper.pages import with_quote_pages

    return with_quote_pages(deck, cache_dir)


def _checked(found: Analysis) -> Analysis:
    errors = tuple(d for d in found.diagnostics if d.severity == "error")
    if errors:
        raise DeckFileError.from_diagnostics(errors)
    return found


def sync_bundled_decks(
    store: Store, now: datetime, directory: Path | None = None
) -> list[LoadReport]:
    """Load the decks shipped with srs on the first run, and bring them up to date later.

    On the first run of an empty collection every bundled deck is loaded. Afterwards a bundled
    file whose content changed (a new srs release with corrected cards) is reloaded by stable
    card ids, so learners get the corrections and keep their progress. A bundled deck the learner
    never had or has removed is not added unasked, and neither are bundled decks for a learner
    whose first run loaded decks of their own.
    """
    directory = bundled_decks_dir() if directory is None else directory
    if store.get_meta(FIRST_RUN_FLAG) is None and not store.content.is_empty():
        _mark_first_run_done(store, now)
    first_run = store.get_meta(FIRST_RUN_FLAG) is None
    present: set[str] | None = None
    reports: list[LoadReport] = []
    for file in sorted(directory.glob("*.toml")):
        digest = sha256(file.read_bytes()).hexdigest()
        key = f"bundled_sha256:{file.name}"
        if store.get_meta(key) == digest:
            continue  # the common case: one small read a file, no parsing
        (deck,) = read_decks([file])
        if present is None:
            present = {d.id for d in store.content.decks()}
        if first_run or deck.id in present:
            reports.append(store.content.load_deck(deck, now))
        store.set_meta(key, digest)
    _mark_first_run_done(store, now)
    return reports


def _mark_first_run_done(store: Store, now: datetime) -> None:
    if store.get_meta(FIRST_RUN_FLAG) is None:
        store.set_meta(FIRST_RUN_FLAG, now.isoformat())


@contextmanager
def open_collection(
    url: str,
    label: str,
    learner: str | None,
    now: datetime,
    load_bundled: bool = True,
    scheduling: Mapping[str, str] | None = None,
    server_timeout: float | None = None,
) -> Iterator[Store]:
    """Open the collection at `url`; unless told not to, bring the bundled decks up to date
    (loading them all on the first run of an empty collection). The learner's chosen scheduler
    is checked first (`scheduling`: this run's overrides). Closed when the block ends.

    On a server the class's decks are the instructor's: `srs class init` loads the bundled
    ones, and a learner's run changes no deck. A read-only collection is shown as it is."""
    from srs.learner_config import chosen_scheduler
    from srs.store.server import Timeouts

    timeouts = Timeouts(server_timeout) if server_timeout else None
    store = Store.open(url, label, learner, timeouts)
    try:
        chosen_scheduler(store, scheduling or {})  # a bad choice is refused before any work
        if load_bundled and not store.read_only and not store.on_server:
            sync_bundled_decks(store, now)
        yield store
    finally:
        store.close()
