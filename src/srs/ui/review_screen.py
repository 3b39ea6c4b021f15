"""The review screen: renders a review session with rich. It knows no database.

Deck text is untrusted: it is stripped of control characters and always handed to rich as
`Text` or `Markdown` objects, never as markup strings, so `[red]` or an escape sequence in a card
is shown literally or dropped, never obeyed.

On a short terminal the screen is fitted to its height: the grade legend folds to one line, and
the header and question always stay; the answer is what gets cut, with a marker, if anything must.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.padding import Padding
from rich.rule import Rule
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

from srs.core.cardtext import safe_text
from srs.core.model import GRADE_MEANINGS, Grade, Kind, QueuedCard, ReviewKind, Summary
from srs.core.scheduling.rule import AnswerRecord, needs_drill
from srs.core.wording import plural
from srs.ui.keys import KeyReader
from srs.ui.text import KIND_STYLE, memory_text, plain, when

REVEAL_KEYS = {" ", "\r", "\n"}
GRADE_KEYS = {str(g.value): g for g in Grade}
MISREADING_QUESTION = "What is wrong with this reading?"
SHORT_TERMINAL = 30  # rows: below this the legend folds to one line
KEYS_HELP = (
    ("space, enter", "show the answer"),
    ("0-5", "grade the card (see the legend)"),
    ("s", "bury: hide the card until tomorrow"),
    ("!", "suspend: hide the card until `srs unsuspend`"),
    ("u", "undo the last action (a grade, a bury or a suspend)"),
    ("?", "show or hide these keys"),
    ("q", "quit (every answer is already saved)"),
)


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

    def take_notices(self) -> list[str]: ...

    def summary(self) -> Summary: ...


def card_text(text: str) -> Markdown:
    """Card Markdown, made safe for the terminal: control and bidirectional characters shown as
    visible escapes, and a link shown as its text and its target, `text (url)`, never as a
    terminal hyperlink (which could show one address and open another)."""
    return Markdown(safe_text(text), hyperlinks=False)


def outcome(record: AnswerRecord) -> str:
    """What one grade does to the card, in a few characters: "6 d", "drill again"."""
    if record.review_kind is ReviewKind.DRILL:
        return "drill again" if needs_drill(record.grade) else "done today"
    return f"{record.after.interval} d"


def grade_legend(preview: Mapping[int, AnswerRecord] | None = None, folded: bool = False) -> Table:
    """The six grades, what each means and (given the scheduler's preview) where each takes the
    card; folded to one line for a short terminal."""
    preview = preview or {}
    if folded:
        line = Text()
        for grade in Grade:
            if line:
                line.append(" · ", style="dim")
            line.append(str(grade.value), style="bold")
            if grade.value in preview:
                line.append(f" {outcome(preview[grade.value])}")
        table = Table.grid()
        table.add_row(line)
        return table
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold")
    table.add_column()
    table.add_column(style="cyan")
    for grade, meaning in GRADE_MEANINGS.items():
        after = preview.get(grade.value)
        table.add_row(str(grade.value), meaning, "" if after is None else f"-> {outcome(after)}")
    return table


def keys_help() -> Table:
    """Every key of the review screen, for `?`."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for keys, meaning in KEYS_HELP:
        table.add_row(keys, meaning)
    return table


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
) -> RenderableType:
    """One card: deck, kind and progress; the prompt; and, once revealed, the answer, its source,
    the card's id and the grade legend. Given `height`, fitted to it: see the module's note."""
    stored = card.stored
    kind = stored.card.kind
    title = Text.assemble(
        plain(stored.deck_title, "bold"),
        " · ",
        (kind.value, f"bold {KIND_STYLE[kind]}"),
        " · ",
        (card.review_kind.value, "dim"),
    )
    # A plain header line wraps on a narrow terminal, where a rule's title would be cut.
    progress = " · ".join(
        filter(None, (f"done {done} · left {left}", memory_text(card.state, card.recall)))
    )
    top: list[RenderableType] = [title, Text(progress, style="dim")]
    top.extend(plain(notice, "yellow") for notice in notices[-2:])
    top.append(Rule(style="dim"))
    if kind is Kind.MISREADING:  # the renderer owns the question; the front holds the claim
        top.append(Text(MISREADING_QUESTION, style="italic"))
    top.append(Padding(card_text(stored.card.front), (0, 0, 1, 2)))
    if show_keys:
        top.append(keys_help())
    if not revealed:
        top.append(
            Text(
                "space/enter show answer · s bury · ! suspend · u undo · ? keys · q quit",
                style="dim",
            )
        )
        return Group(*top)
    top.append(Rule(style="dim"))
    answer: RenderableType = Padding(card_text(stored.card.back), (0, 0, 1, 2))
    source = stored.card.source or "(no source given)"
    bottom: list[RenderableType] = [
        Text.assemble(("Source: ", "bold"), plain(source)),
        plain(f"card {stored.deck_id}/{stored.card.id}", "dim"),
    ]
    folded = height is not None and height < SHORT_TERMINAL
    if not folded:
        bottom.append(Text(""))
    bottom.append(grade_legend(preview, folded))
    bottom.append(Text("0-5 grade · u undo · s bury · ! suspend · ? keys · q quit", style="dim"))
    if height is not None:
        answer = _fit(answer, top, bottom, height, width)
    return Group(*top, answer, *bottom)


def _lines(renderables: Sequence[RenderableType], width: int) -> list[list[Segment]]:
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    return console.render_lines(Group(*renderables), console.options, pad=False)


def _fit(
    answer: RenderableType,
    top: Sequence[RenderableType],
    bottom: Sequence[RenderableType],
    height: int,
    width: int,
) -> RenderableType:
    """The answer, cut with a marker when the screen (one row kept for the cursor) is too short."""
    room = height - 1 - len(_lines([*top, *bottom], width))
    lines = _lines([answer], width)
    if len(lines) <= room:
        return answer
    keep = max(0, room - 1)
    segments: list[Segment] = []
    for line in lines[:keep]:
        segments.extend(line)
        segments.append(Segment.line())
    marker = Text("  … (answer cut: the terminal is too short)", style="dim")
    return Group(Segments(segments), marker)


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
) -> Summary:
    """Drive a review until the queue is empty, the learner quits or `minutes` have passed (the
    card on screen is finished first); return the summary."""
    deadline = None if minutes is None else time.monotonic() + minutes * 60
    with keys.raw():
        while (card := session.current()) is not None:
            if deadline is not None and time.monotonic() >= deadline:
                console.print(Text(f"Time is up ({plural(int(minutes or 0), 'minute')})."))
                break
            action = _show_card(session, card, console, keys)
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


def _show_card(session: Session, card: QueuedCard, console: Console, keys: KeyReader) -> str:
    revealed = False
    show_keys = False
    notices = session.take_notices()
    preview = session.preview()
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
            )
        )
        while True:
            key = keys.read()
            if key == "?":
                show_keys = not show_keys
                break
            key = key.lower()
            if key == "q":
                return "quit"
            if key == "u":
                return "undo"
            if key == "s":
                return "bury"
            if key == "!":
                return "suspend"
            if not revealed and key in REVEAL_KEYS:
                revealed = True
                break
            if revealed and key in GRADE_KEYS:
                return key
