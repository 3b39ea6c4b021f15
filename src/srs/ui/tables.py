"""The CLI's tables: `srs status` and `srs deck list` (`srs cards` is `cards_screen`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.table import Table

from srs.core.model import DeckStatus, DeckSummary
from srs.ui.text import plain


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
