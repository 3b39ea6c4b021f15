"""The CLI's tables: `srs status`, `srs deck list` and `srs cards`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.table import Table
from rich.text import Text

from srs.core.model import CardRow, DeckStatus, DeckSummary
from srs.ui.text import KIND_STYLE, plain


def status_table(today: date, rows: Sequence[DeckStatus]) -> Table:
    """Per deck: due, new, drill, total and the next due date."""
    table = Table(title=f"srs status for {today.isoformat()}", title_justify="left")
    for name in ("deck", "due", "new", "drill", "total", "suspended", "next due"):
        table.add_column(name, justify="left" if name == "deck" else "right")
    for r in rows:
        table.add_row(
            plain(r.title),
            str(r.due),
            str(r.new),
            str(r.drill),
            str(r.total),
            str(r.suspended),
            "-" if r.next_due is None else r.next_due.isoformat(),
        )
    return table


def cards_table(rows: Sequence[CardRow], today: date, leech_lapses: int) -> Table:
    """`srs cards`: each card's id, kind, state and the start of its prompt."""
    table = Table(box=None, padding=(0, 1, 0, 0), header_style="bold")
    # the id is what a learner copies into other commands: the prompt is cut first, never it
    longest = max((len(r.ref) for r in rows), default=4)
    table.add_column("card", no_wrap=True, min_width=longest)
    table.add_column("kind", no_wrap=True, min_width=10)
    table.add_column("due", no_wrap=True, min_width=10)
    table.add_column("ivl", justify="right", no_wrap=True, min_width=5)
    table.add_column("lapses", justify="right", no_wrap=True, min_width=6)
    table.add_column("flags", no_wrap=True)
    table.add_column("front", no_wrap=True, overflow="ellipsis", min_width=8, max_width=60)
    for r in rows:
        flags = [
            flag
            for flag, on in (
                ("suspended", r.suspended),
                ("buried", r.buried_on == today),
                ("leech", r.lapses >= leech_lapses),
            )
            if on
        ]
        table.add_row(
            plain(r.ref),
            Text(r.kind.value, style=KIND_STYLE[r.kind]),
            "new" if r.due is None else r.due.isoformat(),
            f"{r.interval}d",
            str(r.lapses),
            " ".join(flags),
            plain(" ".join(r.front.split())),
        )
    return table


def deck_table(decks: Sequence[DeckSummary]) -> Table:
    """The decks in the collection, with card counts and the file each came from."""
    table = Table()
    for name in ("id", "title", "cards", "retired", "path"):
        table.add_column(name)
    for d in decks:
        table.add_row(
            plain(d.id), plain(d.title), str(d.active), str(d.retired), plain(d.path or "")
        )
    return table
