"""The review screen: renders a review session with rich. It knows no database.

Deck text is untrusted: it is stripped of control characters and always handed to rich as
`Text` or `Markdown` objects, never as markup strings, so `[red]` or an escape sequence in a card
is shown literally or dropped, never obeyed.

On a short terminal the screen is fitted to its height (`review_layout`): the deck title, the
question and the answer's first line always stay, the legend shortens to the grades in a few
words, and a long answer is cut with a marker and scrolled with j/k.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.padding import Padding
from rich.rule import Rule
from rich.text import Text

from srs.core.cardtext import safe_text, terminal_markdown
from srs.core.faces import faces
from srs.core.model import Figure, Grade, QueuedCard, Summary
from srs.core.scheduling.rule import AnswerRecord
from srs.core.wording import plural
from srs.ui.ascii import Fold, cut
from srs.ui.console import fold_of, measuring_console
from srs.ui.keys import KeyReader
from srs.ui.review_keys import (
    SCROLL_DOWN,
    SCROLL_UP,
    compact_legend,
    footer,
    grade_legend,
    keys_help,
    outcome,
    short_footer,
)
from srs.ui.review_layout import Part, fit
from srs.ui.text import KIND_STYLE, memory_text, plain, when

__all__ = ["card_view", "grade_legend", "keys_help", "outcome", "run_review", "summary_view"]

FigureImages = Callable[[Figure], RenderableType | None]
"""A figure of the card on screen as an inline image, or None where only its line shows."""

REVEAL_KEYS = {" ", "\r", "\n"}
GRADE_KEYS = {str(g.value): g for g in Grade}
SHORT_TERMINAL = 30  # rows: below this the legend gives the grades in a few words


class Session(Protocol):
    """What the screen needs of a review session (`srs.review.ReviewSession`)."""

    @property
    def answered(self) -> int: ...

    @property
    def remaining(self) -> int: ...

    def current(self) -> QueuedCard | None: ...

    def preview(self) -> Mapping[int, AnswerRecord]: ...

    def answer(self, grade: int, now: datetime) -> object: ...

    def undo(self) -> object | None: ...

    def bury(self) -> object | None: ...

    def suspend(self, now: datetime) -> object | None: ...

    def open_paper(self) -> None: ...

    def open_figures(self, revealed: bool) -> None: ...

    def figure_data(self, figure: Figure) -> tuple[bytes, str] | None: ...

    def take_notices(self) -> list[str]: ...

    def summary(self) -> Summary: ...


def card_text(text: str) -> Markdown:
    """Card Markdown, made safe for the terminal: math as Unicode and each figure as its line
    (`cardtext.terminal_markdown`), control and bidirectional characters shown as visible
    escapes, and a link shown as its text and its target, `text (url)`, never as a terminal
    hyperlink (which could show one address and open another)."""
    return Markdown(safe_text(terminal_markdown(text)), hyperlinks=False)


def card_view(
    card: QueuedCard,
    done: int,
    left: int,
    revealed: bool,
    preview: Mapping[int, AnswerRecord] | None = None,
    notices: Sequence[str] = (),
    height: int | None = None,
    width: int = 80,
    show_keys: bool = False,
    scroll: int = 0,
    fold: Fold | None = None,
    images: FigureImages | None = None,
) -> RenderableType:
    """One card: deck, kind and progress; the prompt; and, once revealed, the answer with the
    paper's words it rests on (`core.faces`), its source, the card's id and the grade legend.
    Given `height`, fitted to it (`review_layout`), with the answer shown from its line `scroll`
    on. With `images`, each figure is drawn under the text that shows it (its line stays)."""
    stored = card.stored
    kind = stored.card.kind
    shown = faces(stored.card)
    preview = preview or {}
    rest = Text.assemble(
        " · ", (kind.value, f"bold {KIND_STYLE[kind]}"), " · ", (card.review_kind.value, "dim")
    )
    title = plain(stored.deck_title, "bold")
    if height is not None:  # fitted: on one line, where the deck's title gives way
        title = cut(title, max(8, width - rest.cell_len), fold)
        title.no_wrap, title.overflow = True, "ellipsis"
    title.append_text(rest)
    progress = " · ".join(
        filter(
            None, (f"done {done} · left {left}", memory_text(card.shown or card.state, card.recall))
        )
    )
    question: list[RenderableType] = []
    if shown.ask:  # the renderer owns the question; a misreading's front holds the claim
        question.append(Text(shown.ask, style="italic"))
    question.append(Padding(card_text(shown.prompt), (0, 0, 0, 2)))
    question += _drawn(shown.prompt_figures, images)
    blank, rule = Text(""), Rule(style="dim")
    parts = [
        Part(title),
        Part(Text(progress, style="dim"), rank=4),
        *(Part(plain(notice, "yellow"), rank=7) for notice in notices[-2:]),
        Part(rule, rank=8),
        Part(Group(*question)),
        Part(blank, rank=9),
    ]
    if show_keys:
        parts.append(Part(keys_help(), cut=True))
    answer_at = None
    long_answer = False
    if revealed:
        answer = _answer(card, images)
        long_answer = height is not None and _too_long(card, height, width, fold, images)
        source = stored.card.source or "(no source given)"
        compact = Part(compact_legend(preview, width), rank=3)
        tall = height is None or height >= SHORT_TERMINAL
        legend = Part(grade_legend(preview), rank=6, shorter=compact)
        parts.append(Part(rule, rank=8))
        answer_at = len(parts)
        parts += [
            Part(answer),
            Part(blank, rank=9),
            Part(Text.assemble(("Source: ", "bold"), plain(source)), rank=5),
            Part(plain(f"card {stored.deck_id}/{stored.card.id}", "dim"), rank=5),
        ]
        if not show_keys:  # the keys' help holds the grades already
            parts += [Part(blank, rank=9), legend if tall else compact]
    parts.append(
        Part(footer(revealed, long_answer, width), rank=6, shorter=Part(short_footer(), 2))
    )
    if height is None:
        return Group(*(p.renderable for p in parts))
    return fit(parts, answer_at, height, width, scroll, fold)


def _drawn(figures: Sequence[Figure], images: FigureImages | None) -> list[RenderableType]:
    """The inline images of `figures` that `images` can draw, each indented as the text is."""
    if images is None:
        return []
    drawn = (images(figure) for figure in figures)
    return [Padding(image, (0, 0, 0, 2)) for image in drawn if image is not None]


def _answer(card: QueuedCard, images: FigureImages | None = None) -> RenderableType:
    """The card's answer as the screen shows it: its text (and the figures it adds to the
    prompt's, drawn when `images` can), then the paper's words it rests on."""
    shown = faces(card.stored.card)
    answer: RenderableType = Padding(card_text(shown.answer), (0, 0, 0, 2))
    new = [f for f in shown.answer_figures if f not in shown.prompt_figures]
    if drawn := _drawn(new, images):
        answer = Group(answer, *drawn)
    if shown.extra:  # the paper's words, scrolled and cut with the answer
        quotes = [Padding(plain(line, "italic"), (0, 0, 0, 2)) for line in shown.extra]
        answer = Group(answer, Text(""), *quotes)
    return answer


def _answer_lines(
    card: QueuedCard, width: int, fold: Fold | None = None, images: FigureImages | None = None
) -> int:
    """How many lines the card's answer (with its quotes) takes at `width`."""
    console = measuring_console(width, fold)
    return len(console.render_lines(_answer(card, images), console.options, pad=False))


def _too_long(
    card: QueuedCard, height: int, width: int, fold: Fold | None, images: FigureImages | None
) -> bool:
    """Whether the answer alone would take half the screen or more (the footer then offers
    j/k to scroll it)."""
    return _answer_lines(card, width, fold, images) >= height // 2


def figure_images(session: Session, console: Console, protocol: str | None) -> FigureImages | None:
    """How the review draws the current card's figures on `console`: inline with `protocol`
    (`config.inline_images`: what the terminal declares it can show) on a terminal, else None
    (their lines only)."""
    if protocol is None or not console.is_terminal:
        return None
    from srs.ui.figure_view import figure_image  # a terminal's review only

    def draw(figure: Figure) -> RenderableType | None:
        found = session.figure_data(figure)
        if found is None:
            return None
        return figure_image(found[0], found[1], protocol, console.size.width - 4)

    return draw


def summary_view(summary: Summary, today: date) -> RenderableType:
    """The end-of-session screen."""
    grades = "  ".join(f"{g}:{summary.grades.get(g, 0)}" for g in range(6))
    next_due = when(summary.next_due, today, missing="none scheduled")
    lines: list[RenderableType] = [
        Rule(Text("Session summary", style="bold"), align="left"),
        Text(f"Cards reviewed: {summary.reviewed} ({plural(summary.answers, 'answer')})"),
        Text(f"Grades: {grades}"),
        Text(f"Due tomorrow: {summary.due_tomorrow}"),
        Text(f"Next card due: {next_due}"),
    ]
    if summary.left:
        lines.append(Text(f"Still due today: {summary.left} (run srs review to go on)"))
    return Group(*lines)


def nothing_due_view(next_due: date | None, today: date) -> Text:
    """What to say when no card is due."""
    return Text(f"Nothing is due today. Next card due: {when(next_due, today, 'none scheduled')}")


def run_review(
    session: Session,
    console: Console,
    keys: KeyReader,
    clock: Callable[[], datetime],
    minutes: float | None = None,
    images: str | None = None,
) -> Summary:
    """Drive a review until the queue is empty, the learner quits or `minutes` have passed (the
    card on screen is finished first); return the summary. With `images` (`kitty` or `sixel`),
    figures are drawn inline too."""
    deadline = None if minutes is None else time.monotonic() + minutes * 60
    with keys.raw():
        while (card := session.current()) is not None:
            if deadline is not None and time.monotonic() >= deadline:
                console.print(Text(f"Time is up ({plural(int(minutes or 0), 'minute')})."))
                break
            action = _show_card(session, card, console, keys, images)
            if action == "quit":
                break
            if action == "undo":
                session.undo()
            elif action == "bury":
                session.bury()
            elif action == "suspend":
                session.suspend(clock())

            else:
                session.answer(int(action), clock())
    for notice in session.take_notices()[-2:]:
        console.print(plain(notice, "yellow"))
    return session.summary()


def _show_card(
    session: Session, card: QueuedCard, console: Console, keys: KeyReader, protocol: str | None
) -> str:
    revealed = False
    show_keys = False
    scroll = 0
    notices = session.take_notices()
    preview = session.preview()
    images = figure_images(session, console, protocol)
    while True:
        if console.is_terminal:
            console.clear()
        height = console.size.height if console.is_terminal else None
        console.print(
            card_view(
                card,
                session.answered,
                session.remaining,
                revealed,
                preview,
                notices,
                height,
                console.size.width,
                show_keys,
                scroll,
                fold_of(console),
                images,
            )
        )
        while True:
            key = keys.read()
            if key == "?":
                show_keys = not show_keys
                break
            if revealed and (key in SCROLL_DOWN or key in SCROLL_UP):
                step = max(1, (height or 24) // 2) * (1 if key in SCROLL_DOWN else -1)
                last = _answer_lines(card, console.size.width, fold_of(console), images) - 1
                if scroll != (scroll := max(0, min(last, scroll + step))):
                    break
                continue
            key = key.lower()
            if key == "q":
                return "quit"
            if key == "u":
                return "undo"
            if key == "s":
                return "bury"
            if key == "!":
                return "suspend"
            if key == "p":  # the paper at the card's page; the card stays on screen
                session.open_paper()
                notices = [*notices, *session.take_notices()]
                break
            if key == "o":  # the card's figures in the system's viewer; the card stays
                session.open_figures(revealed)
                notices = [*notices, *session.take_notices()]
                break
            if not revealed and key in REVEAL_KEYS:
                revealed = True
                break
            if revealed and key in GRADE_KEYS:
                return key
