"""The top-level commands by name: the module that registers each, and the line `srs --help`
shows for it, so that `srs --help` lists every command without importing any command module.

`COMMANDS` is the one place that names them; `tests/unit/test_command_registry.py` holds it
true to the real typer app (the same names, modules, lines and order). `TopGroup`, the class of
srs's top-level click group (`srs.commands.base`), lists a command that is not loaded from its
entry here, and loads its module (`srs.commands.<module>`) only when the command is resolved to
run or to show its own help.
"""

from __future__ import annotations

from importlib import import_module
from typing import NamedTuple


class Entry(NamedTuple):
    """One top-level command or group: its name, its module under `srs.commands`, and the
    first paragraph of its help as `srs --help` lists it."""

    name: str
    module: str
    summary: str


COMMANDS: tuple[Entry, ...] = (
    Entry(
        "review",
        "study",
        "Run today's review: due cards first, then new ones, then same-day drills.",
    ),
    Entry("unbury", "study", "Bring back cards buried today (all of them when none is named)."),
    Entry(
        "suspend",
        "study",
        "Suspend cards for you: they leave the queue and the counts until `srs unsuspend`.",
    ),
    Entry("unsuspend", "study", "Bring suspended cards back into the queue."),
    Entry(
        "cards",
        "cards",
        "List cards with their state: due date, interval, lapses, overdue, suspended, buried, "
        "leech.",
    ),
    Entry(
        "status",
        "progress",
        "Per deck: due today, new available, drills pending, total, and the next due date.",
    ),
    Entry(
        "stats",
        "progress",
        "Progress from the review log: today, streaks, heatmap, forecast, retention, EF, hardest.",
    ),
    Entry(
        "history",
        "progress",
        "One card's full review log, oldest first, and its current SM-2 state.",
    ),
    Entry(
        "simulate",
        "scheduling",
        "Compare SM-2 and FSRS on a simulated learner studying these decks.",
    ),
    Entry(
        "open",
        "paper",
        "Open the deck's PDF at the card's page ($SRS_PDF_VIEWER, with {file} and {page}), or "
        "print the paper's URL at that page when the deck has no PDF at hand.",
    ),
    Entry(
        "draft",
        "paper",
        "Begin a deck from a paper: its metadata, and a commented-out card skeleton for each "
        "sentence that states a finding or a limitation. Never finished cards: write them.",
    ),
    Entry("deck", "decks", "Write, check and load decks."),
    Entry("export", "decks", "Export decks to other tools."),
    Entry(
        "config",
        "scheduling",
        "This learner's settings: scheduler (sm2|fsrs), desired-retention, fsrs-fuzz (on|off).",
    ),
    Entry("import", "imports", "Import decks from other tools."),
    Entry("merge", "imports", "Bring back reviews done in other tools."),
    Entry(
        "class",
        "classes",
        "A class on one PostgreSQL server: roles, learners, and the instructor's report.",
    ),
)
"""Every top-level command and group, in the order `srs --help` lists them."""

COMMAND_MODULES: dict[str, str] = {entry.name: entry.module for entry in COMMANDS}
"""The command module that registers each top-level command or group."""

MODULES: tuple[str, ...] = tuple(dict.fromkeys(entry.module for entry in COMMANDS))
"""The command modules, in the order their commands are listed."""


def load_module(module: str) -> None:
    """Import `srs.commands.<module>`, which registers its commands on the typer app."""
    import_module(f"srs.commands.{module}")
