"""srs text as Anki takes it: tags, one-line titles and sources, and plain-text fields.

An export applies these to every card, mostly to the same few strings (every card of a deck has
its deck's title, source and id; tags and sources repeat), so each is cached: a sixth of an
export of 10k cards.
"""

from __future__ import annotations

import functools
import re

from srs.core.cardtext import plain_field, strip_control_chars
from srs.core.model import Card, Deck

_WHITESPACE = re.compile(r"\s+")


def anki_tags(deck: Deck, card: Card) -> list[str]:
    """The kind, the deck id and the card's own tags, as Anki tags (no spaces, no duplicates)."""
    tags: dict[str, str] = {}
    for raw in (card.kind.value, deck.id, *card.tags):
        tag = _anki_tag(raw)
        # Anki tags are case-insensitive: keep the first spelling.
        if tag:
            tags.setdefault(tag.casefold(), tag)
    return list(tags.values())


@functools.lru_cache(maxsize=4096)
def _anki_tag(raw: str) -> str:
    return _WHITESPACE.sub("_", strip_control_chars(raw).strip())


def deck_title(deck: Deck) -> str:
    """The deck's title as one Anki deck name level (its id when the title is blank)."""
    return _title_of(deck.title, deck.id)


@functools.lru_cache(maxsize=1024)
def _title_of(title: str, deck_id: str) -> str:
    # `::` would nest the deck one level deeper in Anki; a title is one level.
    return one_line(title).replace("::", ":") or deck_id


@functools.lru_cache(maxsize=4096)
def one_line(text: str) -> str:
    """Text on one line: control characters removed, runs of whitespace made one space."""
    return _WHITESPACE.sub(" ", strip_control_chars(text)).strip()


repeated_plain_field = functools.lru_cache(maxsize=4096)(plain_field)
"""`plain_field`, cached: for the fields that repeat across cards (kind, origin, deck title)."""
