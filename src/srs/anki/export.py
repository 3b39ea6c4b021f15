r"""Export decks to an Anki package (.apkg) that re-imports cleanly.

Anki decides what to do with a re-imported note by its guid and its modification time, so both are
derived from the project's stable data and never from the clock:

- the guid is `genanki.guid_for(deck id, card id)`, so editing a card's text updates the same note
  (a renamed card's is its first former id's, `was = [...]`, so the rename does too);
- a note's `mod` is when the card's text was last edited, so an export of unchanged content updates
  nothing in Anki and never overwrites a learner's own edits;
- the package is byte-for-byte reproducible: same content in, same file out.

Card text is Markdown rendered with raw HTML disabled, and anything Anki would interpret inside a
field (`[sound:...]`, `{{c1::...}}`) is entity-escaped (`srs.core.cardtext`); math goes to Anki's
MathJax as `\(...\)` and `\[...\]`, and figures travel as the package's media
(`package_file`). This module imports
genanki at import time; the CLI imports it lazily.
"""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any

import genanki

from srs.anki.note_types import SourceModel, source_fields, source_model
from srs.anki.own_note_types import (
    CLOZE_FIELDS,
    FIELDS,
    MODEL_ID,
    MODEL_NAME,
    NOTE_TYPE_REVISED,
    OwnModel,
    cloze_model,
    paper_model,
)
from srs.anki.package_file import figure_media, write_package

# Stripping controls also removes \x1f, Anki's field separator.
from srs.anki.tempfiles import check_output, remove_stale, temp_prefix
from srs.anki.text import anki_tags, deck_title, one_line, repeated_plain_field
from srs.core import cloze
from srs.core.cardtext import plain_field, render_markdown
from srs.core.errors import ExportError
from srs.core.faces import Faces, faces
from srs.core.model import Card, Deck, Kind
from srs.core.notetype import is_basic
from srs.core.ticker import EXPORTING, Ticker, no_ticker, report_every

if TYPE_CHECKING:
    from srs.store import Store

# genanki's recommended range for deck and model ids.
_ID_LOW, _ID_SPAN = 1 << 30, 1 << 30

SUBDECKS: dict[Kind, str] = {
    Kind.FINDING: "Findings",
    Kind.LIMITATION: "Limitations",
    Kind.MISREADING: "Misreadings",
}
__all__ = ["CLOZE_FIELDS", "FIELDS", "MODEL_ID", "MODEL_NAME", "ExportCard", "export_apkg"]


@dataclass(frozen=True)
class ExportCard:
    """One card to export, with its deck and when its text was last edited (timezone-aware)."""

    deck: Deck
    card: Card
    edited_at: datetime


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote: the file, the number of notes, and the Anki deck names used."""

    path: Path
    notes: int
    decks: tuple[str, ...]


Amend = Callable[[sqlite3.Cursor], None]
"""A last change to the collection genanki built, before it is packed (progress uses it)."""


def export_apkg(
    items: Sequence[ExportCard],
    out: Path,
    amend: Amend | None = None,
    ticker: Ticker = no_ticker,
    force: bool = False,
) -> ExportReport:
    """Write `items` to the Anki package `out`, atomically; an existing `out` only with `force`,
    and never one that is not a regular file (a FIFO, a device such as /dev/null, a folder).

    Notes are grouped into `<deck title>::Findings`, `::Limitations` and `::Misreadings`. Raises
    `ExportError` when nothing is selected, a card is selected twice, the output is refused, or
    the file cannot be written. Raises `ValueError` for a naive `edited_at`.
    """
    items = tuple(items)
    out = Path(out)
    check_output(out, force, ExportError)
    if not items:
        raise ExportError("nothing to export: no cards selected")
    package, stamp, notes, names = _build_package(items, ticker)
    media = figure_media((item.deck.path, item.card.figures) for item in items)

    tmp_root = tempfile.gettempdir()
    remove_stale(Path(tmp_root), out)
    try:
        # genanki's own write_to_file leaves its SQLite file behind and stores it uncompressed, so
        # the collection is built here in a directory that is always removed.
        with tempfile.TemporaryDirectory(prefix=temp_prefix("export")) as tmp:
            collection = Path(tmp) / "collection.anki2"
            try:
                _write_collection(package, collection, stamp, amend)
            except (OSError, sqlite3.Error) as exc:
                raise ExportError(
                    f"cannot build the Anki collection in {tmp_root}: {_reason(exc)}"
                ) from None
            try:
                write_package(collection, out, media)
            except OSError as exc:
                raise ExportError(f"cannot write {out}: {_reason(exc)}") from None
    except OSError as exc:  # creating or removing the temporary directory
        raise ExportError(
            f"cannot use the temporary directory {tmp_root}: {_reason(exc)}"
        ) from None
    return ExportReport(path=out, notes=notes, decks=names)


def anki_deck_name(deck: Deck, kind: Kind) -> str:
    """The Anki deck for cards of `kind` from `deck`, e.g. `Attention Is All You Need::Findings`."""
    return _subdeck_name(deck_title(deck), kind)


def _subdeck_name(title: str, kind: Kind) -> str:
    return f"{title}::{SUBDECKS[kind]}"


def anki_deck_id(name: str) -> int:
    """A stable deck id derived from the Anki deck name (Anki matches decks by name anyway)."""
    digest = int.from_bytes(sha256(name.encode("utf-8")).digest()[:8], "big")
    return _ID_LOW + digest % _ID_SPAN


def note_guid(deck: Deck, card: Card) -> str:
    """The note's identity in Anki: the guid the card was imported with from Anki, else one made
    from the project's deck and card ids, never from the card's text: its first former id for a
    renamed card (`Card.was`), so the note it had keeps its identity. The items of a cloze
    card are one note's cards, so they share its guid."""
    if card.guid:
        return card.guid
    named = card.was[0] if card.was else card.id
    return genanki.guid_for(deck.id, cloze.parent_of(named))  # a cloze item: its card's note


class _Note(genanki.Note):
    """A note stamped with its own modification time.

    genanki writes the package timestamp as every note's and card's `mod`; Anki compares the note's
    `mod` on re-import, so it must be when the card was edited.
    """

    def __init__(self, *, mod: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mod = mod

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Any) -> None:
        super().write_to_db(cursor, self.mod, deck_id, id_gen)


def _build_package(
    items: tuple[ExportCard, ...], ticker: Ticker = no_ticker
) -> tuple[genanki.Package, int, int, tuple[str, ...]]:
    """The genanki package for `items`, its timestamp, the note count and the deck names."""
    model, clozes = paper_model(), cloze_model()
    sources: dict[int, SourceModel] = {}
    seen: set[tuple[str, str]] = set()
    groups: dict[tuple[str, Kind], list[_Note | list[ExportCard]]] = {}
    cloze_items: dict[tuple[str, str], list[ExportCard]] = {}  # a cloze card's, by (deck, card)
    for index, item in enumerate(items):
        report_every(ticker, EXPORTING, index, len(items))
        key = (item.deck.id, item.card.id)
        if key in seen:
            raise ExportError(f"card {item.card.id!r} of deck {item.deck.id!r} is selected twice")
        seen.add(key)
        group = groups.setdefault((deck_title(item.deck), item.card.kind), [])
        if item.card.deletion:  # one note for all the items of a cloze card, where the first is
            parent = (item.deck.id, cloze.parent_of(item.card.id))
            if parent not in cloze_items:
                group.append(cloze_items.setdefault(parent, []))
            cloze_items[parent].append(item)
            continue
        group.append(_note(model, item, source_model(sources, item.deck.id, item.card, MODEL_ID)))

    # Decks in order of first appearance, then Findings, Limitations, Misreadings.
    titles = list(dict.fromkeys(title for title, _ in groups))
    decks: list[genanki.Deck] = []
    count = 0
    for title in titles:
        for kind in SUBDECKS:
            notes = groups.get((title, kind))
            if not notes:
                continue
            name = _subdeck_name(title, kind)
            deck = genanki.Deck(anki_deck_id(name), name)
            for note in notes:
                deck.add_note(note if isinstance(note, _Note) else _cloze_note(clozes, note))
                count += 1
            decks.append(deck)

    # The package timestamp only seeds genanki's note and card ids; taking it from the content
    # keeps the file reproducible. Anki matches notes by guid, so new ids after an edit are fine.
    stamp = max(max(_epoch(item.edited_at) for item in items), NOTE_TYPE_REVISED)
    return genanki.Package(decks), stamp, count, tuple(deck.name for deck in decks)


def _note(model: OwnModel, item: ExportCard, source: SourceModel | None = None) -> _Note:
    """The card's note: under srs's note type, or under `source`, its own from Anki."""
    deck, card = item.deck, item.card
    shown = faces(card, deck.paper)
    # Cards from a collection carry the HTML rendered when they were loaded.
    front = card.front_html if card.front_html is not None else render_markdown(shown.prompt)
    back = card.back_html if card.back_html is not None else render_markdown(shown.answer)
    back += _extra_html(shown)
    if shown.ask:
        # A misreading's front holds the tempting wrong claim; the question srs asks heads it.
        front = (
            f'<p class="srs-ask">{plain_field(shown.ask)}</p>\n'
            f'<blockquote class="srs-claim">{front}</blockquote>'
        )
    if source is not None:
        # A note of another type holds fields srs did not keep (read through its template): it
        # is never newer than the learner's own, so Anki adds it where it is missing and never
        # overwrites the one it has (edits made in srs stay in srs).
        whole = is_basic(source.note_type.fields)
        note = _Note(
            mod=_epoch(item.edited_at) if whole else 0,
            model=source,
            fields=source_fields(source.note_type, front, back),
            tags=anki_tags(deck, card),
            guid=note_guid(deck, card),
        )
        note.cards = [genanki.Card(0)]  # srs has one card a note: the first template's
        return note
    origin = " · ".join(s for s in (one_line(deck.source), one_line(card.source)) if s)
    fields = [
        front,
        back,
        repeated_plain_field(card.kind.value),
        repeated_plain_field(origin),
        repeated_plain_field(deck_title(deck)),
        plain_field(card.id),
    ]
    return _Note(
        mod=_epoch(item.edited_at),
        model=model,
        fields=fields,
        tags=anki_tags(deck, card),
        guid=note_guid(deck, card),
    )


def _cloze_note(model: OwnModel, items: list[ExportCard]) -> _Note:
    """The Cloze note of one cloze card: its text with the deletions kept (Anki's
    `{{cloze:Text}}` makes each deletion number a card, ord = number - 1), its extra, the quotes
    and citation under it; one card per item exported, modified when any item last was."""
    deck, card = items[0].deck, items[0].card
    shown = faces(card, deck.paper)
    text = card.front_html if card.front_html is not None else cloze.anki_html(card.cloze)
    extra = card.back_html
    if extra is None:
        extra = render_markdown(card.extra) if card.extra.strip() else ""
    origin = " · ".join(s for s in (one_line(deck.source), one_line(card.source)) if s)
    fields = [
        text,
        extra + _extra_html(shown),
        repeated_plain_field(card.kind.value),
        repeated_plain_field(origin),
        repeated_plain_field(deck_title(deck)),
        plain_field(cloze.parent_of(card.id)),
    ]
    note = _Note(
        mod=max(_epoch(item.edited_at) for item in items),
        model=model,
        fields=fields,
        tags=anki_tags(deck, card),
        guid=note_guid(deck, card),
    )
    note.cards = [genanki.Card(n - 1) for n in sorted({i.card.deletion for i in items})]
    return note


def _extra_html(shown: Faces) -> str:
    """The lines under the answer (`Faces.extra`: the quotes, then the citation) as escaped
    HTML; "" for a card with neither."""
    parts = [f'\n<p class="srs-quote">{plain_field(q)}</p>' for q in shown.quotes]
    if shown.citation:
        parts.append(f'\n<p class="srs-citation">{repeated_plain_field(shown.citation)}</p>')
    return "".join(parts)


def _epoch(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"edited_at must be timezone-aware, got naive {moment.isoformat()}")
    stamp = int(moment.timestamp())
    if stamp < 0:  # Anki reads times as unsigned: 1969 would come back as 2096
        raise ExportError(
            f"a card was last edited at {moment.isoformat()}, before 1970, which Anki cannot "
            "store; load its deck again with the right clock"
        )
    return stamp


def _write_collection(
    package: genanki.Package, path: Path, stamp: int, amend: Amend | None = None
) -> None:
    """Write the package's SQLite collection (Anki's legacy schema) to `path`."""
    with closing(sqlite3.connect(path)) as conn:
        cursor = conn.cursor()
        package.write_to_db(cursor, stamp, itertools.count(stamp * 1000))
        if amend is not None:
            amend(cursor)
        conn.commit()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def export_items(store: Store, deck_ids: Sequence[str]) -> list[ExportCard]:
    """The active cards of `deck_ids` (all decks when empty), as the exporter takes them."""
    chosen = store.content.require_decks(deck_ids)
    decks = {
        d.id: Deck(d.id, d.title, d.source, path=d.path, paper=d.paper)
        for d in store.content.decks()
    }
    return [ExportCard(decks[c.deck_id], c.card, c.edited_at) for c in store.content.cards(chosen)]


def export_decks(
    store: Store,
    deck_ids: Sequence[str],
    out: Path,
    ticker: Ticker = no_ticker,
    force: bool = False,
) -> ExportReport:
    """Export the active cards of `deck_ids` (all decks when empty) from the collection."""
    return export_apkg(export_items(store, deck_ids), out, ticker=ticker, force=force)
