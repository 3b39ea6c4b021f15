"""Anki notes -> srs cards: fields to Markdown, cloze deletions, kinds, tags and card ids.

Each field goes through `fields.to_markdown` (Markdown escaped only where it would misread the
text, Anki's LaTeX as srs math, images as figures beside the deck). srs's own notes (`own`) come
back as the cards they were exported from; Basic (and reversed) notes take their first field as the
front and the others as the back; other note types show what their first template shows
(`template`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from srs.anki.import_.collection import AnkiNote
from srs.anki.import_.fields import FieldNotes, MediaLookup, to_markdown
from srs.anki.import_.notetypes import Shape
from srs.anki.import_.own import OwnDeck, is_own, own_parts
from srs.anki.import_.template import answer_part, is_empty, render
from srs.anki.own_note_types import CLOZE_FIELDS
from srs.core import cloze
from srs.core.cardtext import printable, strip_control_chars
from srs.core.deckfile.clozeparts import items
from srs.core.model import KINDS, Card, Kind, Quote
from srs.core.notetype import is_basic
from srs.core.ticker import IMPORTING, Ticker, no_ticker, report_every

_SLUG_WORDS = re.compile(r"[a-z0-9]+")
SLUG_WORDS = 8
_SHOWN = 10  # sound files named in the warning

__all__ = ["Converted", "convert_notes", "to_markdown"]


@dataclass
class Converted:
    """The cards made from the notes, with a warning for everything not carried over, and for
    each card the Anki card ids it came from (for its progress)."""

    cards: list[Card] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)  # srs card id -> Anki card id
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    unshown: dict[str, int] = field(default_factory=dict)  # note type -> fields dropped
    too_many: int | None = None  # the id of a note with more deletions than the bound


@dataclass(frozen=True)
class _Made:
    """One note's card before it is named: its text, and what srs's own notes keep."""

    front: str
    back: str
    kind: Kind
    tags: tuple[str, ...]
    source: str
    guid: str | None
    card_id: str | None = None
    quotes: tuple[Quote, ...] = ()
    own: bool = False


def convert_notes(
    notes: Sequence[AnkiNote],
    kind: Kind,
    kind_from_tag: bool,
    source: str,
    ticker: Ticker = no_ticker,
    max_deletions: int = 100,
    figures: MediaLookup | None = None,
    own: OwnDeck | None = None,
) -> Converted:
    """Cards for `notes`: Basic (and reversed) notes one card each, a cloze note one cloze card
    (one item a deletion, `CARD_ID#c1`), srs's own notes (of the deck `own`) as they were.

    `figures` finds the images fields use beside the deck. A cloze note with more than
    `max_deletions` deletions stops the conversion: `too_many` names it. Linear in the text: card
    ids are made unique with a counter a slug."""
    out = Converted()
    used = _Ids()
    seen = FieldNotes()
    reversed_notes = 0
    for index, note in enumerate(notes):
        report_every(ticker, IMPORTING, index, len(notes))
        made = _made(note, kind, kind_from_tag, source, figures, seen, own, out.unshown)
        if note.cloze:
            cards = _cloze_cards(note, made, used, max_deletions)
            if cards is None:
                out.too_many = note.nid
                return out
            if cards:
                by_ord = {c.ord: c.id for c in note.cards}
                for number, card in cards:
                    out.cards.append(card)
                    if number - 1 in by_ord:  # cloze n is the card of ord n - 1
                        out.sources[card.id] = by_ord[number - 1]
            else:
                out.skipped += 1
            continue
        if not made.front.strip() or not made.back.strip():
            out.skipped += 1
            continue
        if note.templates > 1 and not made.own:
            reversed_notes += 1
        card = Card(
            id=used.unique(made.card_id or _slug(made.front, note.nid)),
            kind=made.kind,
            front=made.front,
            back=made.back,
            source=made.source,
            tags=made.tags,
            guid=made.guid,
            # Without a guid, Anki would not match the note anyway.
            anki_note_type=note.note_type if made.guid and not made.own else None,
            quotes=made.quotes,
        )
        out.cards.append(card)
        first = min(note.cards, key=lambda c: c.ord, default=None)
        if first is not None:
            out.sources[card.id] = first.id
    if reversed_notes:
        out.warnings.append(
            f"{reversed_notes} notes have more than one card in Anki (e.g. Basic and reversed); "
            "srs keeps the front-to-back card of each"
        )
    if out.skipped:
        out.warnings.append(f"{out.skipped} notes skipped: an empty front or back")
    for type_name, count in out.unshown.items():
        out.warnings.append(
            f"{count} fields of notes of type {printable(type_name)!r} were left out: its "
            "first card template does not show them"
        )
    out.warnings += _media_warnings(seen)
    return out


def _made(
    note: AnkiNote,
    kind: Kind,
    kind_from_tag: bool,
    source: str,
    figures: MediaLookup | None,
    seen: FieldNotes,
    own: OwnDeck | None,
    unshown: dict[str, int],
) -> _Made:
    """The note's card text and keys: srs's own as exported; Basic and cloze notes from their
    fields; others as their first template shows them."""
    tags, card_kind = _tags(note.tags, kind, kind_from_tag)
    if own is not None and is_own(note):
        parts = own_parts(note, own)
        return _Made(
            front=to_markdown(parts.front_html, figures, seen),
            back=to_markdown(parts.back_html, figures, seen),
            kind=parts.kind or card_kind,
            tags=parts.tags,
            source=parts.source,
            guid=parts.guid,
            card_id=parts.card_id,
            quotes=parts.quotes,
            own=True,
        )
    names = note.field_names
    if note.shape is not None and not note.cloze and not is_basic(names):
        front, back = _rendered(note, note.shape, unshown)
        return _Made(
            to_markdown(front, figures, seen),
            to_markdown(back, figures, seen),
            card_kind,
            tags,
            source,
            note.guid or None,
        )
    fields = [to_markdown(text, figures, seen) for text in note.fields]
    if note.cloze and names == CLOZE_FIELDS:  # srs's, of no deck found: its extra only
        fields = fields[:2]
    # Extra fields join the back, except the switch of "Basic (optional reversed card)".
    back = "\n\n".join(
        f
        for i, f in enumerate(fields[1:], start=1)
        if f.strip() and (i >= len(names) or names[i] != "Add Reverse")
    )
    return _Made(fields[0] if fields else "", back, card_kind, tags, source, note.guid or None)


def _media_warnings(seen: FieldNotes) -> list[str]:
    warnings = [
        f"media not imported: {printable(name)} (referenced by a field)" for name in seen.missing
    ]
    if seen.sounds:
        names = [printable(n) for n in list(seen.sounds)[:_SHOWN]]
        more = f" and {len(seen.sounds) - _SHOWN} more" if len(seen.sounds) > _SHOWN else ""
        warnings.append(
            f"sound not imported (a deck file holds text and images): {', '.join(names)}{more}"
        )
    if seen.bad_math:
        warnings.append(
            f"{seen.bad_math} pieces of Anki LaTeX srs cannot show as math (empty, unbalanced or "
            "with a command srs refuses) are kept as text"
        )
    return warnings


def _rendered(note: AnkiNote, shape: Shape, unshown: dict[str, int]) -> tuple[str, str]:
    """The note's front and back HTML as its first template shows them; the fields it does not
    show are counted in `unshown` by note type."""
    values = dict(zip(note.field_names, note.fields, strict=False))
    values.update(
        Tags=" ".join(note.tags),
        Type=shape.name,
        Deck=note.deck,
        Subdeck=note.deck.rsplit("::", 1)[-1],
        Card=shape.card,
    )
    question = render(shape.qfmt, values, shape.css)
    values["FrontSide"] = ""  # the back is what the answer adds below the question
    answer = render(shape.afmt, values, shape.css)
    shown = question.shown | answer.shown
    left = sum(
        1 for name, value in values.items()
        if name in note.field_names and name not in shown and not is_empty(value)
    )  # fmt: skip
    if left:
        unshown[shape.name] = unshown.get(shape.name, 0) + left
    return question.html, answer_part(answer.html)


def _cloze_cards(
    note: AnkiNote, made: _Made, used: _Ids, max_deletions: int
) -> list[tuple[int, Card]] | None:
    """The note as one cloze card: its items, one a deletion number, each with the note's guid
    (so that an export updates the same note); None when there are more than `max_deletions`.
    Deletions are read by `core.cloze`'s linear scan, the one the deck checker uses."""
    text = made.front
    numbers = cloze.numbers(text)
    if len(numbers) > max_deletions:
        return None
    if not numbers or max(numbers) > cloze.MAX_DELETION:
        return []
    card = Card(
        id=used.unique(made.card_id or _slug(cloze.full_text(text), note.nid)),
        kind=made.kind,
        front=text,
        back=made.back.strip(),
        source=made.source,
        tags=made.tags,
        guid=made.guid,
        quotes=made.quotes,
    )
    return [(c.deletion, c) for c in items(card, numbers)]


def _tags(raw: tuple[str, ...], kind: Kind, kind_from_tag: bool) -> tuple[tuple[str, ...], Kind]:
    tags: dict[str, str] = {}
    chosen = kind
    for tag in raw:
        tag = strip_control_chars(tag).strip()
        if not tag:
            continue
        if kind_from_tag:
            last = tag.rsplit("::", 1)[-1].casefold()
            if last in KINDS:
                chosen = Kind(last)
                continue
        tags.setdefault(tag.casefold(), tag)
    return tuple(tags.values()), chosen


def _slug(text: str, nid: int = 0) -> str:
    """A card id from the front's first words; for a front with no ASCII letter or digit (a
    Chinese deck, say), from the note's id, which is stable across imports of the same note."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _SLUG_WORDS.findall(ascii_text.lower())[:SLUG_WORDS]
    slug = "-".join(words)[:60].strip("-")
    return slug or (f"note-{nid}" if nid > 0 else "card")


class _Ids:
    """Card ids made unique with a counter a slug: `card`, `card-2`, `card-3`, ... in one step
    each (trying `card-2` onwards again for every card was quadratic: 30,000 fronts without a
    letter took minutes)."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.next: dict[str, int] = {}

    def unique(self, slug: str) -> str:
        """`slug`, or `slug-N` for the first N not used yet."""
        candidate, n = slug, self.next.get(slug, 2)
        if candidate in self.used:
            candidate = f"{slug}-{n}"
            while candidate in self.used:
                n += 1
                candidate = f"{slug}-{n}"
            self.next[slug] = n + 1
        self.used.add(candidate)
        return candidate
