"""A card -> its faces: what it asks, what it answers, and the lines shown under the answer.

The one place that decides how a card looks, whatever draws it: the terminal review
(`ui/review_screen.py`) and the Anki export (`anki/export.py`) both take a card's faces from
here and only dress them (rich text there, escaped HTML here). Pure: no I/O, no markup.

- `ask`: the question srs itself asks above the prompt (a misreading's front holds only the
  tempting wrong claim), or "" for the other kinds;
- `prompt` and `answer`: the card's front and back, Markdown as written;
- `quotes`: one line per quote, the paper's words in quotation marks, with the page when known:
  `“We find that …” (p. 3)`;
- `citation`: the paper the deck names, as one line (`Paper.citation()`), when asked for;
- `prompt_figures` and `answer_figures`: the figures (media) each side shows, in order.

Math (`$...$`, `$$...$$`) and figures (`![alt](path)`) stay in the Markdown: each consumer
dresses them once, through `core.cardtext` (`terminal_markdown`: Unicode math and the figure line;
`render_markdown`: MathJax delimiters and `<img>` naming the media file).

What a side shows is decided by one builder per form of card: `_basic` (front and back) and
`cloze_sides` (one deletion of a cloze card: the text with that deletion as `[...]` or `[hint]`,
then the full text with it in bold, and the card's `extra` under it); everything around them (the
quotes, the citation, the figures of each side) is the same for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from srs.core import cloze
from srs.core.cardspans import spans
from srs.core.model import Card, Figure, Kind, Paper, Quote

MISREADING_QUESTION = "What is wrong with this reading?"


@dataclass(frozen=True, slots=True)
class Faces:
    """What a card shows: the question srs asks, the prompt, the answer and the extra lines."""

    ask: str
    prompt: str
    answer: str
    quotes: tuple[str, ...] = ()
    citation: str = ""
    prompt_figures: tuple[Figure, ...] = ()
    answer_figures: tuple[Figure, ...] = ()

    @property
    def figures(self) -> tuple[Figure, ...]:
        """Every figure the card shows, each once: the prompt's, then the answer's."""
        return tuple(dict.fromkeys((*self.prompt_figures, *self.answer_figures)))

    @property
    def extra(self) -> tuple[str, ...]:
        """The plain lines under the answer, in order: each quote, then the citation."""
        return (*self.quotes, self.citation) if self.citation else self.quotes


def quote_line(quote: Quote) -> str:
    """A quote as shown: its words in curly quotation marks, then the page when known."""
    words = " ".join(quote.text.split())  # a quote written over several lines reads as one
    page = f" (p. {quote.page})" if quote.page else ""
    return f"“{words}”{page}"


def figures_in(text: str, figures: tuple[Figure, ...]) -> tuple[Figure, ...]:
    """The figures of `figures` that Markdown `text` shows, in the order it shows them."""
    if not figures:
        return ()
    by_path = {f.path: f for f in figures}
    shown = (by_path.get(unquote(ref.path)) for ref in spans(text).figures)
    return tuple(dict.fromkeys(f for f in shown if f is not None))


def _basic(card: Card) -> tuple[str, str, str]:
    """What a front-and-back card asks and answers: (the question srs asks, prompt, answer)."""
    ask = MISREADING_QUESTION if card.kind is Kind.MISREADING else ""
    return ask, card.front, card.back


def cloze_sides(text: str, number: int, extra: str = "") -> tuple[str, str]:
    """What deletion `number` of cloze `text` asks and answers: (prompt, answer). The answer
    is the full text with the deletion in bold, then `extra` (when any) as a paragraph."""
    shown = cloze.answer(text, number)
    return cloze.prompt(text, number), f"{shown}\n\n{extra}" if extra.strip() else shown


def faces(card: Card, paper: Paper | None = None) -> Faces:
    """The faces of `card` (or of one cloze item); with the deck's `paper`, a citation line too
    (when it names anything)."""
    if card.deletion:
        ask, (prompt, answer) = "", cloze_sides(card.cloze, card.deletion, card.extra)
    else:
        ask, prompt, answer = _basic(card)
    return Faces(
        ask=ask,
        prompt=prompt,
        answer=answer,
        quotes=tuple(quote_line(q) for q in card.quotes),
        citation=paper.citation() if paper is not None else "",
        prompt_figures=figures_in(prompt, card.figures),
        answer_figures=figures_in(answer, card.figures),
    )
