"""Anki notes -> srs cards: field HTML to Markdown, cloze deletions, kinds, tags and card ids.

Field HTML goes through `html-to-markdown` (an HTML5 parser and converter in Rust, about 20 times
faster than markdownify on BeautifulSoup, which made a 10k-note import take half a minute) with its
escaping on, so text that Anki showed as `<b>` or `&lt;script&gt;` arrives as text, never as raw
HTML: `<` is escaped, and script and style elements are dropped with their content. Media (images,
`[sound:...]`) cannot travel in a deck file, so each reference is removed and reported by file name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from srs.anki.import_.collection import AnkiNote
from srs.anki.own_note_types import CLOZE_FIELDS
from srs.core import cloze
from srs.core.cardtext import find_raw_html, printable, strip_control_chars
from srs.core.deckfile.clozeparts import items
from srs.core.model import KINDS, Card, Kind
from srs.core.ticker import IMPORTING, Ticker, no_ticker, report_every

_SOUND = re.compile(r"\[sound:([^\]]*)\]")
_IMG = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_BLANK_LINES = re.compile(r"\n{3,}")
_SLUG_WORDS = re.compile(r"[a-z0-9]+")
SLUG_WORDS = 8


@dataclass
class Converted:
    """The cards made from the notes, with a warning for everything not carried over, and for
    each card the Anki card ids it came from (for its progress)."""

    cards: list[Card] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)  # srs card id -> Anki card id
    warnings: list[str] = field(default_factory=list)
    skipped: int = 0
    too_many: int | None = None  # the id of a note with more deletions than the bound


def convert_notes(
    notes: Sequence[AnkiNote],
    kind: Kind,
    kind_from_tag: bool,
    source: str,
    ticker: Ticker = no_ticker,
    max_deletions: int = 100,
) -> Converted:
    """Cards for `notes`: Basic (and reversed) notes one card each, a cloze note one cloze card
    (one item a deletion, `CARD_ID#c1`).

    A cloze note with more than `max_deletions` deletions stops the conversion: `too_many` names
    it. Linear in the text: card ids are made unique with a counter a slug."""
    out = Converted()
    used = _Ids()
    media: dict[str, None] = {}
    reversed_notes = 0
    for index, note in enumerate(notes):
        report_every(ticker, IMPORTING, index, len(notes))
        fields = [_field(text, media) for text in note.fields]
        tags, card_kind = _tags(note.tags, kind, kind_from_tag)
        if note.cloze:
            made = _cloze_cards(note, fields, tags, card_kind, source, used, max_deletions)
            if made is None:
                out.too_many = note.nid
                return out
            if made:
                by_ord = {c.ord: c.id for c in note.cards}
                for number, card in made:
                    out.cards.append(card)
                    if number - 1 in by_ord:  # cloze n is the card of ord n - 1
                        out.sources[card.id] = by_ord[number - 1]
            else:
                out.skipped += 1
            continue
        front = fields[0] if fields else ""
        # Extra fields join the back, except the switch of "Basic (optional reversed card)".
        names = note.field_names
        back = "\n\n".join(
            f
            for i, f in enumerate(fields[1:], start=1)
            if f.strip() and (i >= len(names) or names[i] != "Add Reverse")
        )
        if not front.strip() or not back.strip():
            out.skipped += 1
            continue
        if note.templates > 1:
            reversed_notes += 1
        card = Card(
            id=used.unique(_slug(front, note.nid)),
            kind=card_kind,
            front=front,
            back=back,
            source=source,
            tags=tags,
            guid=note.guid,
            # Without a guid, Anki would not match the note anyway.
            anki_note_type=note.note_type if note.guid else None,
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
    for name in media:
        out.warnings.append(f"media not imported: {printable(name)} (referenced by a field)")
    return out


def _field(html_text: str, media: dict[str, Any]) -> str:
    """One field's HTML as Markdown without raw HTML, media references removed and recorded."""
    if "[sound:" in html_text:
        for match in _SOUND.finditer(html_text):
            media[match.group(1)] = None
        html_text = _SOUND.sub("", html_text)
    if "<" in html_text:
        for match in _IMG.finditer(html_text):
            media[next(g for g in match.groups() if g is not None)] = None
    return to_markdown(html_text)


def to_markdown(html_text: str) -> str:
    """Field HTML -> Markdown: escaped so that nothing in it reads as raw HTML."""
    text = _convert(html_text)
    text = strip_control_chars(text).replace("\r\n", "\n").replace("\xa0", " ")
    text = _BLANK_LINES.sub("\n\n", text).strip()
    # A last guard: anything still parsed as HTML (the converter keeps `<` in code spans, which is
    # fine, but a hostile field may find another way) loses its angle brackets.
    if "<" in text:
        while (found := find_raw_html(text)) is not None:
            at, raw = found
            text = text[:at] + raw.replace("<", "\\<").replace(">", "\\>") + text[at + len(raw) :]
    return text


_NATIVE: Any = None  # (the native convert, its options), made on first use


def _convert(html_text: str) -> str:
    """html-to-markdown's conversion of one field, with options built once.

    The package's public `convert` rebuilds its options from Python on every call, which costs
    five times the conversion of a short field; its native `convert`, which that one calls, takes
    them ready-made."""
    global _NATIVE
    if _NATIVE is None:
        from html_to_markdown import _html_to_markdown as native

        options = native.ConversionOptions(
            heading_style=native.HeadingStyle.ATX,
            bullets="-",
            escape_misc=True,
            escape_asterisks=True,
            escape_underscores=True,
            autolinks=False,
            skip_images=True,
            extract_metadata=False,
            strip_tags=["audio", "video", "iframe", "object", "embed"],
        )
        _NATIVE = (native.convert, options)
    convert, options = _NATIVE
    return str(convert(html=html_text, options=options, visitor=None).content or "")


def _cloze_cards(
    note: AnkiNote,
    fields: list[str],
    tags: tuple[str, ...],
    kind: Kind,
    source: str,
    used: _Ids,
    max_deletions: int,
) -> list[tuple[int, Card]] | None:
    """The note as one cloze card: its items, one a deletion number, each with the note's guid
    (so that an export updates the same note); None when there are more than `max_deletions`.
    Deletions are read by `core.cloze`'s linear scan, the one the deck checker uses."""
    text = fields[0] if fields else ""
    # srs's own cloze note: its other fields (kind, source, deck, id) are not the card's extra.
    own = note.field_names == CLOZE_FIELDS
    extra = fields[1] if own else "\n\n".join(f for f in fields[1:] if f.strip())
    numbers = cloze.numbers(text)
    if len(numbers) > max_deletions:
        return None
    if not numbers or max(numbers) > cloze.MAX_DELETION:
        return []
    card = Card(
        id=used.unique(_slug(cloze.full_text(text), note.nid)),
        kind=kind,
        front=text,
        back=extra.strip(),
        source=source,
        tags=tags,
        guid=note.guid,
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
