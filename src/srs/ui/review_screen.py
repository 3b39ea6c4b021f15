"""The review screen: renders a review session with rich. It knows no database.

Deck text is untrusted: it is stripped of control characters and always handed to rich as
`Text` or `Markdown` objects, never as markup strings, so `[red]` or an escape sequence in a card
is shown literally or dropped, never obeyed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from srs.core.cardtext import safe_text
from srs.core.model import GRADE_MEANINGS, Grade, Kind, QueuedCard, Summary
from srs.ui.keys import KeyReader
from srs.ui.text import KIND_STYLE, plain, when

REVEAL_KEYS = {" ", "\r", "\n"}
GRADE_KEYS = {str(g.value): g for g in Grade}


class Session(Protocol):
    """What the screen needs of a review session (`srs.review.ReviewSession`)."""

    @property
    def answered(self) -> int: ...

    @property
    def remaining(self) -> int: ...

    def current(self) -> QueuedCard | None: ...

    def answer(self, grade: int, now: datetime) -> object: ...

    def undo(self) -> object | None: ...

    def bury(self) -> object | None: ...

    def summary(self) -> Summary: ...


def card_text(text: str) -> Markdown:
    """Card Markdown, made safe for the terminal: control and bidirectional characters shown as
    visible escapes, and a link shown as its text and its target, `text (url)`, never as a
    terminal hyperlink (which could show one address and open another)."""
    return Markdown(safe_text(text), hyperlinks=False)


def grade_legend() -> Table:
    """The six SM-2 grades and what each means, kept on screen while grading."""
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold")
    table.add_column()
    for grade, meaning in GRADE_MEANINGS.items():
        table.add_row(str(grade.value), meaning)
    return table


def card_view(card: QueuedCard, done: int, left: int, revealed: bool) -> RenderableType:
    """One card: deck, kind and progress; the prompt; and, once revealed, answer and source."""
    stored = card.stored
    kind = stored.card.kind
    title = Text.assemble(
        plain(stored.deck_title, "bold"),
        " · ",
        (kind.value, f"bold {KIND_STYLE[kind]}"),
        " · ",
        (card.mode.value, "dim"),
    )
    # A plain header line wraps on a narrow terminal, where a rule's title would be cut.
    parts: list[RenderableType] = [
        title,
        Text(f"done {done} · left {left}", style="dim"),
        Rule(style="dim"),
    ]
    if kind is Kind.MISREADING:
        parts.append(Text("What is wrong with this reading?", style="italic"))
    parts.append(Padding(card_text(stored.card.front), (0, 0, 1, 2)))
    if not revealed:
        parts.append(Text("space/enter show answer · s bury · u undo · q quit", style="dim"))
        return Group(*parts)
    parts.append(Rule(style="dim"))
    parts.append(Padding(card_text(stored.card.back), (0, 0, 1, 2)))
    source = stored.card.source or "(no source given)"
    parts.append(Text.assemble(("Source: ", "bold"), plain(source)))
    parts.append(Text(""))
    parts.append(grade_legend())
    parts.append(Text("0-5 grade · u undo · s bury · q quit", style="dim"))
    return Group(*parts)


def summary_view(summary: Summary, today: date) -> RenderableType:
    """The end-of-session screen."""
    grades = "  ".join(f"{g}:{summary.grades.get(g, 0)}" for g in range(6))
    next_due = when(summary.next_due, today, missing="none scheduled")
    lines: list[RenderableType] = [
        Rule(Text("Session summary", style="bold"), align="left"),
        Text(f"Cards reviewed: {summary.reviewed} ({summary.answers} answers)"),
        Text(f"Grades: {grades}"),
        Text(f"Due tomorrow: {summary.due_tomorrow}"),
        Text(f"Next card due: {next_due}"),
    ]
    if summary.left:
        lines.append(Text(f"Left in today's queue: {summary.left} (run srs review to go on)"))
    return Group(*lines)


def nothing_due_view(next_due: date | None, today: date) -> Text:
    """What to say when no card is due."""
    return Text(f"Nothing is due today. Next card due: {when(next_due, today, 'none scheduled')}")


def run_review(
    session: Session,
    console: Console,
    keys: KeyReader,
    clock: Callable[[], datetime],
) -> Summary:
    """Drive a review until the queue is empty or the learner quits; return the summary."""
    with keys.raw():
        while (card := session.current()) is not None:
            action = _show_card(session, card, console, keys)
            if action == "quit":
                break
            if action == "undo":
                if session.undo() is None:
                    console.print(Text("Nothing to undo.", style="yellow"))
                continue
            if action == "bury":
                session.bury()
                continue
            session.answer(int(action), clock())
    return session.summary()


def _show_card(session: Session, card: QueuedCard, console: Console, keys: KeyReader) -> str:
    revealed = False
    while True:
        if console.is_terminal:
            console.clear()
        console.print(card_view(card, session.answered, session.remaining, revealed))
        while True:
            key = keys.read().lower()
            if key == "q":
                return "quit"
            if key == "u":
                return "undo"
            if key == "s":
                return "bury"
            if not revealed and key in REVEAL_KEYS:
                revealed = True
                break
            if revealed and key in GRADE_KEYS:
                return key
