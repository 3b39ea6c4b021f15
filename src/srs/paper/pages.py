"""Quotes' pages found when a deck is loaded (`srs deck add`), from the deck's own paper.

When a deck names its PDF or text (`[deck.paper] pdf`, relative to the deck file) and the file
is at hand, each quote is looked up in it and stored with its page, so that the review and the
Anki export show the page and `srs open` and the review's `p` need not read the PDF again. Only
the exact search runs here (the one `deck check --paper` forgives extraction with); a quote not
found, a paper that cannot be read, or a deck without one loads as written, without pages:
finding why is `srs deck check --own-paper`'s work, not the load's.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from srs.core.model import Card, Deck
from srs.paper.check import preferred_page, section_pages
from srs.paper.source import PaperError, read_paper
from srs.paper.text import PaperText


def own_paper(deck: Deck) -> Path | None:
    """The deck's own paper file (`[deck.paper] pdf` beside the deck file), when it is there."""
    if deck.paper is None or not deck.paper.pdf or not deck.path:
        return None
    file = Path(deck.path).parent / deck.paper.pdf
    return file if file.is_file() else None


def with_quote_pages(deck: Deck, cache_dir: Path | None) -> Deck:
    """`deck` with the page of each quote its own paper holds; `deck` itself when it has no
    quotes, no paper at hand, or a paper that cannot be read."""
    if not any(card.quotes for card in deck.cards):
        return deck
    file = own_paper(deck)
    if file is None:
        return deck
    try:
        paper = read_paper(file, cache_dir).text
    except PaperError:
        return deck
    sections = section_pages(paper)
    return replace(deck, cards=tuple(_paged(card, paper, sections) for card in deck.cards))


def _paged(card: Card, paper: PaperText, sections: dict[str, tuple[int, int]]) -> Card:
    if not card.quotes:
        return card
    quotes = []
    for quote in card.quotes:
        found = paper.find(quote.text)
        page = preferred_page(tuple(found), card.source, sections) if found else None
        quotes.append(replace(quote, page=page))
    return replace(card, quotes=tuple(quotes))
