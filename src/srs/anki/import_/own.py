"""srs's own notes coming back: a package `srs export anki` wrote, read as the deck it came from.

A note of srs's note types (`own_note_types`: the fields Kind, Source, Deck and CardId) carries
its card: the card id, kind and title in fields of their own; the source as the deck's and the
card's joined by ` · `; the deck id as a tag (`text.anki_tags`: kind, deck id, the card's tags),
confirmed by the note's guid, which the export derives from the deck and card ids
(`export.note_guid`); a misreading's front as the claim under srs's question; the quotes and the
citation as the last paragraphs of the back. Each is taken back here, so that importing srs's own
export gives the deck it was made from.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from srs.anki.import_.collection import AnkiNote
from srs.anki.own_note_types import CLOZE_FIELDS, FIELDS
from srs.core.cardtext import strip_control_chars
from srs.core.deckfile import SLUG
from srs.core.model import KINDS, MAX_ID_LENGTH, Kind, Quote

_KIND, _SOURCE, _DECK, _CARD_ID = (FIELDS.index(n) for n in ("Kind", "Source", "Deck", "CardId"))
_CLAIM = re.compile(
    r'\A\s*<p class="srs-ask">[^<]*</p>\s*<blockquote class="srs-claim">(.*)</blockquote>\s*\Z',
    re.S,
)
# The lines the export puts under the answer (`export._extra_html`), last in the back.
_EXTRA = re.compile(r'\n?<p class="srs-(quote|citation)">([^<]*)</p>\s*\Z')
_MOST_EXTRA = 100  # quote and citation lines taken back from one note
_PAGE = re.compile(r"\s*\(p\. ([0-9]{1,6})\)\Z")
_JOIN = " · "


def is_own(note: AnkiNote) -> bool:
    """Whether the note is of srs's own note types (by its fields, whatever its type's id)."""
    return note.field_names in (FIELDS, CLOZE_FIELDS) and len(note.fields) == len(FIELDS)


@dataclass(frozen=True)
class OwnDeck:
    """The srs deck that srs's own notes of a package came from, as far as they tell."""

    id: str | None
    title: str
    source: str
    decks: int  # how many srs decks the notes name


def own_deck(notes: Sequence[AnkiNote]) -> OwnDeck | None:
    """The deck srs's own `notes` came from (the one most of them name), or None without any."""
    import genanki

    ids: Counter[str] = Counter()
    titles: Counter[str] = Counter()
    for note in notes:
        card_id = _plain(note.fields[_CARD_ID])
        titles[_plain(note.fields[_DECK])] += 1
        for tag in note.tags:
            if SLUG.match(tag) and genanki.guid_for(tag, card_id) == note.guid:
                ids[tag] += 1
                break
    if not titles:
        return None
    deck_id = ids.most_common(1)[0][0] if ids else None
    title = titles.most_common(1)[0][0]
    sources = [_plain(n.fields[_SOURCE]) for n in notes if _plain(n.fields[_DECK]) == title]
    return OwnDeck(deck_id, title, _deck_source(sources), max(len(ids), len(titles)))


def _deck_source(sources: list[str]) -> str:
    """The deck's part of the notes' sources: what every one starts with, up to ` · `."""
    first = next((s for s in sources if s), "")
    candidate = first.split(_JOIN, 1)[0]
    if candidate and all(s == candidate or s.startswith(candidate + _JOIN) for s in sources):
        return candidate
    return ""


def _plain(field: str) -> str:
    """A plain field (`cardtext.plain_field`) back as its text, on one line."""
    return " ".join(strip_control_chars(html.unescape(field)).split()) if field else ""


@dataclass(frozen=True)
class OwnParts:
    """What one of srs's notes holds, its HTML fields still to convert."""

    card_id: str | None
    kind: Kind | None
    source: str
    tags: tuple[str, ...]
    front_html: str
    back_html: str
    quotes: tuple[Quote, ...]
    guid: str | None


def own_parts(note: AnkiNote, deck: OwnDeck) -> OwnParts:
    """The card in one of srs's notes, for the deck it came from (`own_deck`)."""
    import genanki

    card_id = _plain(note.fields[_CARD_ID])
    if not SLUG.match(card_id) or len(card_id) > MAX_ID_LENGTH:
        card_id = ""
    kind_text = _plain(note.fields[_KIND]).lower()
    source = _plain(note.fields[_SOURCE])
    if deck.source and (source == deck.source or source.startswith(deck.source + _JOIN)):
        source = source[len(deck.source) + len(_JOIN) :] if source != deck.source else ""
    front = note.fields[0]
    claim = _CLAIM.match(front)
    if claim is not None:
        front = claim.group(1)
    back, quotes = _without_extra(note.fields[1])
    dropped = {kind_text, (deck.id or "").casefold()}
    tags = tuple(t for t in note.tags if t.casefold() not in dropped)
    derived = deck.id is not None and card_id and genanki.guid_for(deck.id, card_id) == note.guid
    return OwnParts(
        card_id=card_id or None,
        kind=Kind(kind_text) if kind_text in KINDS else None,
        source=source,
        tags=tags,
        front_html=front,
        back_html=back,
        quotes=quotes,
        guid=None if derived else note.guid,
    )


def _without_extra(back: str) -> tuple[str, tuple[Quote, ...]]:
    """The back without the quote and citation lines under it, and the quotes they held."""
    quotes: list[Quote] = []
    for _ in range(_MOST_EXTRA):  # each search scans the back: a bounded number of them
        found = _EXTRA.search(back)
        if found is None:
            break
        if found.group(1) == "quote":
            quotes.append(_quote(_plain(found.group(2))))
        back = back[: found.start()]
    return back, tuple(reversed(quotes))


def _quote(line: str) -> Quote:
    """A quote line (`faces.quote_line`: “words” (p. N)) back as its words and page."""
    page = _PAGE.search(line)
    if page is not None:
        line = line[: page.start()]
    if line.startswith("“") and line.endswith("”"):
        line = line[1:-1]
    return Quote(line, int(page.group(1)) if page is not None else None)
