"""`srs import anki`: an Anki package (.apkg or .colpkg) -> a deck file, and the learner's progress.

The package is unpacked into a temporary directory that is always removed (`package`), its notes
read (`collection`), turned into cards (`convert`) and written as TOML (`deckwriter`) through a
temporary file and an atomic rename; the images its fields use go to a folder beside it
(`media`). Nothing else is written. With progress,
each card's Anki scheduling becomes its SM-2 state (`scheduling`); `apply_progress` writes it
through `Store.import_progress`.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from srs.anki.import_ import limits as bounds
from srs.anki.import_.collection import AnkiCollection, read_collection
from srs.anki.import_.convert import convert_notes
from srs.anki.import_.deckwriter import deck_toml
from srs.anki.import_.fields import figure_names
from srs.anki.import_.limits import ImportLimits
from srs.anki.import_.media import read_figures, write_figures
from srs.anki.import_.own import is_own, own_deck
from srs.anki.import_.package import extract
from srs.anki.import_.scheduling import OutOfRange, card_progress
from srs.anki.tempfiles import check_output, remove_stale, temp_prefix, write_atomically
from srs.core.cardtext import strip_control_chars
from srs.core.deckfile import SLUG
from srs.core.deckfile.imported import GUID
from srs.core.deckfile.limits import MAX_DECK_BYTES
from srs.core.errors import AnkiImportError
from srs.core.model import Deck, ImportedProgress, Kind, LoadReport
from srs.core.ticker import Ticker, no_ticker

if TYPE_CHECKING:
    from srs.store import Store


_DUMMY = "Please update to the latest Anki version"


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote, what it could not carry over, and the progress to apply."""

    path: Path
    deck: Deck
    notes: int
    warnings: tuple[str, ...]
    progress: tuple[ImportedProgress, ...]


def import_package(
    package: Path,
    out: Path,
    *,
    kind: Kind = Kind.FINDING,
    kind_from_tag: bool = False,
    anki_deck: str | None = None,
    with_progress: bool = False,
    force: bool = False,
    now: datetime,
    today: date,
    day_of: Callable[[datetime], date],
    ticker: Ticker = no_ticker,
    limits: ImportLimits | None = None,
    has_deck: Callable[[str], bool] | None = None,
) -> ImportResult:
    """Write the deck file `out` from the Anki `package`; its progress when asked.

    `ticker` is the terminal's bar (notes converted); `limits` the bounds the package is read
    within (`limits.LIMITS` by default). Raises `AnkiImportError` (one line) for a file that is
    not an Anki package, is damaged or beyond a bound, a newer format, an output that exists
    (without `force`) or cannot be written, a deck too large for one deck file, or an empty
    selection. Nothing is written but `out`.

    A package of srs's own notes gives back their deck's id, title and source; with progress,
    one whose deck the collection already has (`has_deck`) is refused: `srs merge anki` brings
    its reviews back without a copy.
    """
    package, out = Path(package), Path(out)
    limits = bounds.LIMITS if limits is None else limits
    _check_output(out, force)
    deck_id = _deck_id(out)
    remove_stale(Path(tempfile.gettempdir()), out)
    col = read_package(package, with_progress, limits)
    notes = col.notes
    if anki_deck is not None:
        notes = [n for n in notes if n.deck == anki_deck or n.deck.startswith(anki_deck + "::")]
        if not notes:
            names = sorted({n.deck for n in col.notes})[:5]
            raise AnkiImportError(
                f"{package}: no notes in an Anki deck named {anki_deck!r} "
                f"(decks: {', '.join(repr(strip_control_chars(n)) for n in names)})"
            )
    title = _title(anki_deck, [n.deck for n in notes]) or deck_id
    source = f"Anki deck {title}"
    deck_source = ""
    warnings: list[str] = []
    own = own_deck([n for n in notes if is_own(n)])
    if own is not None:
        if own.id is not None:
            deck_id = own.id
        title, deck_source, source = own.title or title, own.source, ""
        if own.decks > 1:
            warnings.append(
                f"the package holds cards of {own.decks} srs decks; all are written as deck "
                f"{deck_id!r}: import one at a time with --deck TITLE"
            )
        if with_progress and has_deck is not None and has_deck(deck_id):
            raise AnkiImportError(
                f"{package}: deck {deck_id!r} is already in your collection; to bring back "
                f"the reviews done in Anki, run: srs merge anki {package}"
            )
    bad_guids = 0
    for note in notes:
        if not GUID.match(note.guid):
            note.guid, bad_guids = "", bad_guids + 1
    wanted = {name: None for note in notes for text in note.fields for name in figure_names(text)}
    figures = read_figures(package, list(wanted), out, limits)
    warnings += [f"media not imported: {why}" for why in figures.refused]
    converted = convert_notes(
        notes, kind, kind_from_tag, source, ticker, limits.deletions, figures.paths.get, own
    )
    if converted.too_many is not None:
        raise AnkiImportError(
            f"{package}: note {converted.too_many} has more than {limits.deletions} cloze "
            "deletions, the most srs imports from one note"
        )
    if not converted.cards:
        raise AnkiImportError(f"{package}: no cards to import (no note has a front and a back)")
    warnings += converted.warnings
    if bad_guids:
        warnings.append(f"{bad_guids} notes have an unusable guid; they export as new notes")
    # Written to pass `srs deck check` (ids are unique slugs, text has no raw HTML or control
    # characters, guids are checked above; tests hold every format and a hostile package to it).
    # The checker is not run again here: it would double the time of a large import. Its one
    # bound on the whole file, the size, is checked here before anything is written.
    text = deck_toml(deck_id, title, deck_source, converted.cards)
    size = len(text.encode("utf-8"))
    if size > MAX_DECK_BYTES:
        raise AnkiImportError(
            f"{package}: the deck would be {size // (1 << 20)} MiB, over the "
            f"{MAX_DECK_BYTES >> 20} MiB a deck file may hold; import one Anki deck at a time "
            "with --deck"
        )
    imported: list[ImportedProgress] = []
    if with_progress:
        cards = {c.id: c for note in notes for c in note.cards}
        unusable = 0
        for card_id, anki_id in converted.sources.items():
            try:
                made = card_progress(
                    card_id, cards[anki_id], col.revlog.get(anki_id, []), col.crt, now, today,
                    day_of,
                )  # fmt: skip
            except OutOfRange:
                unusable += 1
                continue
            if made is not None:
                imported.append(made)
        if unusable:
            warnings.append(
                f"{unusable} cards have scheduling values out of range (an interval, ease, date "
                "or count no Anki writes); they keep no progress"
            )
    write_figures(figures, force)
    write_atomically(out, text, AnkiImportError)
    deck = Deck(deck_id, title, deck_source, tuple(converted.cards), str(out))
    return ImportResult(out, deck, len(notes), tuple(warnings), tuple(imported))


def read_package(package: Path, with_progress: bool, limits: ImportLimits) -> AnkiCollection:
    """The collection in `package`, read within `limits` (its review log `with_progress`) from a
    temporary directory that is always removed. Raises `AnkiImportError` (one line)."""
    with extracted(package, limits) as collection:
        col = read_collection(package, collection, with_progress, limits)
    refuse_stand_in(package, col)
    return col


@contextmanager
def extracted(package: Path, limits: ImportLimits) -> Iterator[Path]:
    """The package's collection as a SQLite file in a temporary directory, removed after the
    block; an `OSError` in it is one line (`AnkiImportError`)."""
    try:
        with tempfile.TemporaryDirectory(prefix=temp_prefix("import")) as tmp:
            yield extract(package, Path(tmp), limits).collection
    except OSError as exc:
        raise AnkiImportError(f"cannot read {package}: {exc.strerror or exc}") from None


def refuse_stand_in(package: Path, col: AnkiCollection) -> None:
    """Refuse the stand-in collection that new packages carry for old Ankis (the real one is in
    an entry this srs does not know), in one line."""
    notes = col.notes
    if len(notes) == 1 and notes[0].fields and notes[0].fields[0].startswith(_DUMMY):
        raise AnkiImportError(
            f"{package}: made by a newer Anki (its collection is in a format srs cannot read); "
            "export it from Anki with 'Support older Anki versions' ticked"
        )


def apply_progress(store: Store, result: ImportResult, now: datetime) -> tuple[LoadReport, int]:
    """Load the imported deck (as `srs deck add` does) and give its cards their Anki progress.

    Cards already reviewed in srs keep their srs progress. Returns the load report and the
    number of cards whose progress was set.
    """
    report = store.content.load_deck(result.deck, now)
    return report, store.transfer.import_progress(result.deck.id, result.progress)


def _check_output(out: Path, force: bool) -> None:
    check_output(out, force, AnkiImportError)
    if out.suffix != ".toml":
        raise AnkiImportError(f"cannot write {out}: a deck file's name ends in .toml")


def _deck_id(out: Path) -> str:
    deck_id = "-".join("".join(c if c.isalnum() else " " for c in out.stem.lower()).split())
    deck_id = "".join(c for c in deck_id if c.isascii())
    if not SLUG.match(deck_id):
        raise AnkiImportError(
            f"cannot name a deck after {out.name}: use a file name of lowercase letters, digits "
            "and hyphens, e.g. decks/biology.toml"
        )
    return deck_id


def _title(chosen: str | None, decks: list[str]) -> str:
    if chosen is not None:
        return strip_control_chars(chosen).strip()
    tops = Counter(d.split("::", 1)[0] for d in decks if d)
    if not tops:
        return ""
    return strip_control_chars(tops.most_common(1)[0][0]).strip()
