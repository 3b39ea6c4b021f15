"""`srs cards`: each card's id, kind, due date, interval, lapses and flags, and the start of its
front, laid out for the terminal's width.

The id is what a learner copies into other commands: it is never cut. The front is what gives
way: it takes the room the other columns leave, and when that is too little for it to be worth
reading, it goes to a line of its own under the card, with the flags if they do not fit either.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.console import Group, RenderableType
from rich.text import Text

from srs.core.model import CardRow
from srs.ui.ascii import Fold, cut
from srs.ui.text import KIND_STYLE, plain

HEADERS = ("card", "kind", "due", "ivl", "lapses", "flags", "front")
RIGHT = {"ivl", "lapses"}
FRONT_ROOM = 20  # the front shares the card's line only when it gets this many columns


def flags(row: CardRow, today: date, leech_lapses: int) -> list[str]:
    """What is special about a card: overdue, suspended, buried today, a leech."""
    overdue = row.due is not None and row.due < today and not row.suspended
    return [
        flag
        for flag, on in (
            ("overdue", overdue),
            ("suspended", row.suspended),
            ("buried", row.buried_on == today),
            ("leech", row.lapses >= leech_lapses),
        )
        if on
    ]


def _cell(text: str | Text, width: int, right: bool = False) -> Text:
    cell = text if isinstance(text, Text) else Text(text)
    cell = cell.copy()
    pad = " " * max(0, width - cell.cell_len)
    return Text.assemble(pad, cell) if right else Text.assemble(cell, pad)


def _width(value: str | Text) -> int:
    return value.cell_len if isinstance(value, Text) else Text(value).cell_len


def _front(row: CardRow, room: int, fold: Fold | None) -> Text:
    return cut(plain(" ".join(row.front.split())), max(1, room), fold)


def cards_view(
    rows: Sequence[CardRow],
    today: date,
    leech_lapses: int,
    width: int = 80,
    fold: Fold | None = None,
) -> RenderableType:
    """The cards, one line each when the front gets at least FRONT_ROOM columns, else two.
    When even the full ids (`DECK/CARD`) leave too little room, each deck's name heads its
    cards and they show their card ids alone. Fronts are folded with `fold` (the console's,
    `srs.ui.console.fold_of`) before they are cut."""
    layout = _Layout(rows, today, leech_lapses, full_ids=True)
    if layout.fixed > width:
        layout = _Layout(rows, today, leech_lapses, full_ids=False)
    return layout.render(width, fold)


class _Layout:
    """The cells of every row and the width of each column."""

    def __init__(
        self, rows: Sequence[CardRow], today: date, leech_lapses: int, full_ids: bool
    ) -> None:
        self.rows = rows
        self.full_ids = full_ids
        self.cells = [
            (
                plain(r.ref if full_ids else r.card_id),
                Text(r.kind.value, style=KIND_STYLE[r.kind]),
                "new" if r.due is None else r.due.isoformat(),
                f"{r.interval}d",
                str(r.lapses),
                ",".join(flags(r, today, leech_lapses)),
            )
            for r in rows
        ]
        self.widths = [
            max([len(HEADERS[i]), *(_width(c[i]) for c in self.cells)]) for i in range(6)
        ]
        self.fixed = sum(self.widths[:5]) + 4  # id to lapses, with the spaces between

    def line(self, values: Sequence[str | Text]) -> Text:
        """One row's cells, each padded to its column."""
        parts = [_cell(v, self.widths[i], HEADERS[i] in RIGHT) for i, v in enumerate(values)]
        return Text(" ").join(parts)

    def render(self, width: int, fold: Fold | None = None) -> RenderableType:
        """The header and the rows at `width`."""
        flags_width = 1 + self.widths[5]
        one_line = self.fixed + flags_width + 1 + FRONT_ROOM <= width
        flags_first = one_line or self.fixed + flags_width <= width
        columns = 6 if flags_first else 5
        head = self.line(HEADERS[:columns])
        room = width - head.cell_len - 1
        if one_line:
            head.append(" front")
        else:
            head.append("\n  " + ("front" if flags_first else "flags · front"))
        lines = [Text.assemble(head, style="bold")]
        deck = None
        for row, values in zip(self.rows, self.cells, strict=True):
            if not self.full_ids and row.deck_id != deck:
                deck = row.deck_id
                lines.append(plain(f"{deck}/", "bold cyan"))
            first = self.line(values[:columns])
            if one_line:
                lines.append(Text.assemble(first, " ", _front(row, room, fold)))
                continue
            first.rstrip()
            lines.append(first)
            second = Text("  ")
            if not flags_first and values[5]:
                second.append(f"{values[5]} · ", style="bold")
            second.append_text(_front(row, width - second.cell_len, fold))
            lines.append(Text.assemble(second, style="dim"))
        return Group(*lines)
