"""A card -> its faces: what it asks, what it answers, and the lines shown under the answer.

The one place that decides how a card looks, whatever draws it: the terminal review
(`ui/review_screen.py`) and the Anki export (`anki/export.py`) both take a card's faces from
here and only dress them (rich text there, escaped HTML here). Pure: no I/O, no markup.

- `ask`: the question srs itself asks above the prompt (a misreading's front holds only the
  tempting wrong claim), or "" for the other kinds;
- `prompt` and `answer`: the card's front and back, Markdown as written;
- `quotes`: one line per quote, the paper's words in quotation marks, with the page when known:
  `“We find that …” (p. 3)`;
- `citation`: the paper the deck names, as one line (`Paper.citation()`), when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass

from srs.core.model import Card, Kind, Paper, Quote

MISREADING_QUESTION = "What is wrong with this reading?"


@dataclass(frozen=True, slots=True)
class Faces:
    """What a card shows: the question srs asks, the prompt, the answer and the extra lines."""

    ask: str
    prompt: str
    answer: str
    quotes: tuple[str, ...] = ()
    citation: str = ""

    @property
    def extra(self) -> tuple[str, ...]:
        """The plain lines under the answer, in order: each quote, then the citation."""
        return (*self.quotes, self.citation) if self.citation else self.quotes


def quote_line(quote: Quote) -> str:
    """A quote as shown: its words in curly quotation marks, then the page when known."""
    words = " ".join(quote.text.split())  # a quote written over several lines reads as one
    page = f" (p. {quote.page})" if quote.page else ""
    return f"“{words}”{page}"


def faces(card: Card, paper: Paper | None = None) -> Faces:
    """The faces of `card`; with the deck's `paper`, a citation line too (when it names
    anything)."""
    return Faces(
        ask=MISREADING_QUESTION if card.kind is Kind.MISREADING else "",
        prompt=card.front,
        answer=card.back,
        quotes=tuple(quote_line(q) for q in card.quotes),
        citation=paper.citation() if paper is not None else "",
    )
