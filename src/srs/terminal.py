"""The review screen: renders with rich and reads single key presses. It knows no database.

Deck text is untrusted: it is stripped of control characters and always handed to rich as
`Text` or `Markdown` objects, never as markup strings, so `[red]` or an escape sequence in a card
is shown literally or dropped, never obeyed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TextIO

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from srs.model import GRADE_MEANINGS, Grade, Kind
from srs.review import QueuedCard, ReviewSession, Summary
from srs.safetext import strip_control_chars

KIND_STYLE = {Kind.FINDING: "green", Kind.LIMITATION: "yellow", Kind.MISREADING: "magenta"}
REVEAL_KEYS = {" ", "\r", "\n"}
GRADE_KEYS = {str(g.value): g for g in Grade}


def card_text(text: str) -> Markdown:
    """Card Markdown, made safe for the terminal."""
    return Markdown(strip_control_chars(text))


def plain(text: str, style: str = "") -> Text:
    """Untrusted text as a literal `Text`: never parsed as rich markup."""
    return Text(strip_control_chars(text), style=style)


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
    next_due = _when(summary.next_due, today)
    lines = [
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
    return Text(f"Nothing is due today. Next card due: {_when(next_due, today)}")


def _when(day: date | None, today: date) -> str:
    if day is None:
        return "none scheduled"
    if day <= today:
        return f"{day.isoformat()} (today)"
    if (day - today).days == 1:
        return f"{day.isoformat()} (tomorrow)"
    return f"{day.isoformat()} (in {(day - today).days} days)"


class KeyReader:
    """Reads one key press at a time, without waiting for enter, from a terminal or a pipe."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        try:
            self.fd: int | None = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            self.fd = None
        self.is_tty = self.fd is not None and os.isatty(self.fd)

    @contextmanager
    def raw(self) -> Iterator[KeyReader]:
        """Put the terminal in cbreak mode (Ctrl-C still interrupts) for the block."""
        if not self.is_tty:
            yield self
            return
        import termios
        import tty

        assert self.fd is not None
        saved = termios.tcgetattr(self.fd)
        try:
            tty.setcbreak(self.fd)
            yield self
        finally:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)

    def read(self) -> str:
        """One key; 'q' at end of input so that a closed pipe ends the session cleanly."""
        if self.is_tty:
            assert self.fd is not None
            data = os.read(self.fd, 32)  # an arrow key arrives as several bytes: read them at once
            if not data:
                return "q"
            key = data.decode("utf-8", "replace")
            return key if len(key) == 1 else ""
        ch = self.stream.read(1)
        return ch or "q"


def run_review(
    session: ReviewSession,
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


def _show_card(session: ReviewSession, card: QueuedCard, console: Console, keys: KeyReader) -> str:
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
