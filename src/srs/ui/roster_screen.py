"""`srs class roster` on the terminal: every person of the class, names kept literal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from rich.table import Table

from srs.ui.text import plain


class Person(Protocol):
    """What the roster shows of one person (the store's roster entry)."""

    @property
    def name(self) -> str: ...
    @property
    def instructor(self) -> bool: ...
    @property
    def answers(self) -> int: ...
    @property
    def last_day(self) -> date | None: ...


def roster_view(entries: Sequence[Person]) -> Table:
    """A table of the class: name, role, answers and last day ("never" for no answer yet)."""
    table = Table(title=f"Class roster: {len(entries)}", title_justify="left")
    for name in ("name", "role", "answers", "last day"):
        table.add_column(name, justify="right" if name == "answers" else "left")
    for e in entries:
        table.add_row(
            plain(e.name),
            "instructor" if e.instructor else "learner",
            str(e.answers),
            e.last_day.isoformat() if e.last_day else "never",
        )
    return table
