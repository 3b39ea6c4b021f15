"""The review screen's keys and grades, written once: the footer, the `?` help, the grade
legend and the README's table of keys are all made from `KEYS` and `GRADE_WORDS`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from srs.core.model import GRADE_MEANINGS, Grade, ReviewKind
from srs.core.scheduling.rule import AnswerRecord, needs_drill


@dataclass(frozen=True, slots=True)
class Key:
    """One key of the review screen: what to press, its footer label and what it does.

    `on` says when it works: "question" (before the answer is shown), "answer" (after), "cut"
    (after, when the answer is longer than the screen) or "always".
    """

    keys: str
    label: str
    meaning: str
    on: str = "always"


KEYS: tuple[Key, ...] = (
    Key("space, enter", "space/enter show answer", "show the answer", "question"),
    Key("0-5", "0-5 grade", "grade the card (the grades are below)", "answer"),
    Key("j, k, down, up", "j/k scroll", "scroll an answer too long for the screen", "cut"),
    Key("s", "s bury", "bury: hide the card until tomorrow"),
    Key("!", "! suspend", "suspend: hide the card until `srs unsuspend`"),
    Key("u", "u undo", "undo the last action (a grade, a bury or a suspend)"),
    Key("p", "p paper", "open the paper at the card's page ($SRS_PDF_VIEWER, as `srs open`)"),
    Key("?", "? keys", "show or hide these keys and the grades"),
    Key("q", "q quit", "quit (every answer is already saved)"),
)
SCROLL_DOWN = {"j", "down", "pagedown"}
SCROLL_UP = {"k", "up", "pageup"}

GRADE_WORDS: dict[Grade, str] = {
    Grade.BLACKOUT: "blackout",
    Grade.WRONG_BUT_FAMILIAR: "wrong, familiar",
    Grade.WRONG_BUT_EASY_ONCE_SEEN: "wrong, easy once seen",
    Grade.RIGHT_WITH_DIFFICULTY: "right, hard",
    Grade.RIGHT_AFTER_HESITATION: "right, hesitated",
    Grade.PERFECT: "perfect",
}
"""A grade's meaning in two or three words, for the legend on a short terminal."""


def footer(revealed: bool, cut: bool = False, width: int = 80) -> Text:
    """The keys that work now, dim, in as few lines of `width` as they take (a key is never
    split across lines)."""
    wanted = {"always", "answer" if revealed else "question"} | ({"cut"} if cut else set())
    return pack([Text(k.label) for k in KEYS if k.on in wanted], width, style="dim")


def pack(items: list[Text], width: int, style: str = "") -> Text:
    """`items` joined by " · " into lines no wider than `width`, none split across two."""
    lines: list[Text] = []
    for item in items:
        if lines and lines[-1].cell_len + 3 + item.cell_len <= width:
            lines[-1].append(" · ", style="dim")
            lines[-1].append_text(item)
        else:
            lines.append(item.copy())
    packed = Text("\n").join(lines)
    packed.stylize(style)
    return packed


def short_footer() -> Text:
    """The footer for a screen with no room for the whole of it."""
    return Text("? keys · q quit", style="dim")


def keys_help() -> Table:
    """Every key of the review screen and every grade, for `?`."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for key in KEYS:
        table.add_row(key.keys, key.meaning)
    for grade, meaning in GRADE_MEANINGS.items():
        table.add_row(f"  {grade.value}", meaning)
    return table


def readme_table() -> str:
    """The keys as the README's Markdown table shows them."""
    rows = ["| Key | What it does |", "| --- | --- |"]
    rows.extend(f"| {k.keys} | {k.meaning} |" for k in KEYS)
    rows.extend(f"| {g.value} | {meaning} |" for g, meaning in GRADE_MEANINGS.items())
    return "\n".join(rows)


def outcome(record: AnswerRecord) -> str:
    """What one grade does to the card, in a few characters: "6 d", "drill again"."""
    if record.review_kind is ReviewKind.DRILL:
        return "drill again" if needs_drill(record.grade) else "done today"
    return f"{record.after.interval} d"


def grade_legend(preview: Mapping[int, AnswerRecord] | None = None) -> Table:
    """The six grades, what each means and (given the scheduler's preview) where each takes
    the card: one row a grade."""
    preview = preview or {}
    table = Table.grid(padding=(0, 2))
    table.add_column(justify="right", style="bold")
    table.add_column()
    table.add_column(style="cyan")
    for grade, meaning in GRADE_MEANINGS.items():
        after = preview.get(grade.value)
        table.add_row(str(grade.value), meaning, "" if after is None else f"-> {outcome(after)}")
    return table


def compact_legend(preview: Mapping[int, AnswerRecord], width: int) -> RenderableType:
    """The six grades with their meaning in a few words, packed into as few lines as `width`
    allows (a grade is never split across lines)."""
    items: list[Text] = []
    for grade in Grade:
        item = Text.assemble((str(grade.value), "bold"), " ", GRADE_WORDS[grade])
        if grade.value in preview:
            item.append(f" ({outcome(preview[grade.value])})", style="cyan")
        items.append(item)
    return pack(items, width)
