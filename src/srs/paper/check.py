"""`srs deck check --paper`: every quote of a deck against the paper's text.

- a quote found: its page is reported (`PaperCheck.pages`), and a card whose `source` names other
  pages or sections than the one holding the quote gets a `source-not-quote` warning;
- a quote not found: `quote-not-in-paper` at the quote's line, naming the closest passage, its
  page and what differs (an error under `--strict`, as every warning);
- a number in a card's back found neither in the card's quotes nor in the paper:
  `number-not-in-paper`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from srs.core.cloze import parent_of
from srs.core.errors import Diagnostic
from srs.core.model import Card, Deck
from srs.paper.match import Found, match_quote
from srs.paper.text import PaperText, numbers_in

CLOSE = 60.0  # a closest passage below this score (0-100) is "nothing close"

_PAGE = re.compile(r"\b(?:pages?|pp?)\.?\s*(\d{1,4})(?:\s*[-\u2013]\s*(\d{1,4}))?", re.IGNORECASE)
_SECTION = re.compile(r"(?:§|\bsections?\s+)\s*(\d{1,2}(?:\.\d{1,2})*)", re.IGNORECASE)
_HEADING = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+[A-Z][^\n]{0,80}$", re.MULTILINE)


@dataclass
class PaperCheck:
    """What checking decks against a paper found: diagnostics, and the pages of each card's
    quotes (`DECK_ID/CARD_ID` -> one page per quote, None for a quote not found)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    pages: dict[str, list[int | None]] = field(default_factory=dict)


def source_pages(source: str) -> set[int]:
    """The pages a card's `source` names ("p. 12", "pp. 3-4", "page 7")."""
    pages: set[int] = set()
    for m in _PAGE.finditer(source):
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) else first
        pages.update(range(first, min(last, first + 50) + 1))
    return pages


def source_sections(source: str) -> list[str]:
    """The numbered sections a card's `source` names ("§3.2", "Section 4")."""
    return [m.group(1) for m in _SECTION.finditer(source)]


def section_pages(paper: PaperText) -> dict[str, tuple[int, int]]:
    """Numbered section -> its first and last page, from the headings found in the text.

    A heading is a line that starts with a section number and a capital letter, in order: a
    number seen again later (a numbered list) is not taken.
    """
    starts: list[tuple[str, int]] = []
    seen: set[str] = set()
    for page_no, page in enumerate(paper.pages, start=1):
        for m in _HEADING.finditer(page):
            number = m.group(1)
            if number not in seen:
                seen.add(number)
                starts.append((number, page_no))
    spans: dict[str, tuple[int, int]] = {}
    for i, (number, first) in enumerate(starts):
        last = len(paper.pages)
        for other, other_page in starts[i + 1 :]:
            if not (other + ".").startswith(number + "."):
                last = other_page
                break
        spans[number] = (first, last)
    return spans


def check_decks(decks: list[Deck], paper: PaperText) -> PaperCheck:
    """Every deck's quotes and numbers against `paper`."""
    out = PaperCheck()
    sections = section_pages(paper)
    for deck in decks:
        checked: set[str] = set()  # a cloze card's items share its quotes: checked once
        for card in deck.cards:
            if parent_of(card.id) not in checked:
                checked.add(parent_of(card.id))
                _check_card(deck, card, paper, sections, out)
    out.diagnostics.sort(key=lambda d: (d.path, d.line, d.col, d.code))
    return out


def _check_card(
    deck: Deck,
    card: Card,
    paper: PaperText,
    sections: dict[str, tuple[int, int]],
    out: PaperCheck,
) -> None:
    path = deck.path or deck.id
    pages: list[int | None] = []
    for quote in card.quotes:
        line = quote.line or card.line or 1
        result = match_quote(paper, quote.text)
        if isinstance(result, Found):
            page = preferred_page(result.pages, card.source, sections)
            pages.append(page)
            problem = _source_problem(card.source, page, sections)
            if problem:
                out.diagnostics.append(
                    Diagnostic(
                        path, line, 1, "warning", "source-not-quote", problem, parent_of(card.id)
                    )
                )
            continue
        pages.append(None)
        if result.score < CLOSE:
            msg = (
                f"quote not in the paper, and nothing in it is close; the closest passage "
                f"(page {result.page}): {result.passage!r}"
            )
        else:
            what = "; ".join(result.differences) or "they differ in punctuation only"
            msg = (
                f"quote not in the paper; closest passage (page {result.page}): "
                f"{result.passage!r}; {what}"
            )
        out.diagnostics.append(
            Diagnostic(path, line, 1, "warning", "quote-not-in-paper", msg, parent_of(card.id))
        )
    if card.quotes:
        out.pages[f"{deck.id}/{parent_of(card.id)}"] = pages
    quoted = set().union(*(numbers_in(q.text) for q in card.quotes)) if card.quotes else set()
    for number in sorted(numbers_in(card.back) - quoted - paper.numbers):
        msg = f"the number {number} in the back is in neither the card's quotes nor the paper"
        out.diagnostics.append(
            Diagnostic(
                path, card.line or 1, 1, "warning", "number-not-in-paper", msg, parent_of(card.id)
            )
        )


def preferred_page(
    found: tuple[int, ...], source: str, sections: dict[str, tuple[int, int]]
) -> int:
    """Of the pages a quote is on, one the card's source names, else the first."""
    named = _named_pages(source, sections)
    return next((p for p in found if p in named), found[0])


def _named_pages(source: str, sections: dict[str, tuple[int, int]]) -> set[int]:
    named = source_pages(source)
    for number in source_sections(source):
        if number in sections:
            first, last = sections[number]
            named.update(range(first, last + 1))
    return named


def _source_problem(source: str, page: int, sections: dict[str, tuple[int, int]]) -> str | None:
    """A warning when the card's source names pages or sections, none of which holds `page`."""
    pages = source_pages(source)
    known = [s for s in source_sections(source) if s in sections]
    if not pages and not known:
        return None  # the source names nothing this check can place
    if page in _named_pages(source, sections):
        return None
    named = [f"p. {p}" for p in sorted(pages)[:3]] + [f"§{s}" for s in known[:3]]
    return f"the quote is on page {page}, but the card's source names {', '.join(named)}"
