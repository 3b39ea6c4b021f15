"""A rich progress bar on stderr for long commands, drawn only on a terminal.

Output that is piped or redirected gets nothing, so scripts and `--json` stay clean. The bar
appears for work of at least `MIN_ITEMS` items (a 10k-card deck takes seconds), or for any work
still running after `DELAY_S` (a long simulation of few days); a small job is done before a bar
could be read, so it draws none. The bar is erased when the command ends.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from srs.core.ticker import Ticker, no_ticker

if TYPE_CHECKING:
    from rich.progress import Progress as Bar
    from rich.progress import TaskID

MIN_ITEMS = 1000
"""The least work (cards, notes or days) that gets a bar at once."""

DELAY_S = 0.5
"""Smaller work gets a bar once it has run this long."""


@contextmanager
def terminal_ticker(stream: TextIO | None = None) -> Iterator[Ticker]:
    """A `Ticker` that draws a bar on `stream` (stderr by default) when it is a terminal."""
    out = sys.stderr if stream is None else stream
    if not out.isatty():
        yield no_ticker
        return
    bar: Bar | None = None
    tasks: dict[str, TaskID] = {}
    started = time.monotonic()

    def report(step: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total < MIN_ITEMS and time.monotonic() - started < DELAY_S:
            return
        if bar is None:  # started on the first report worth a bar, so small jobs draw nothing
            # Imported here: a command whose output is piped never pays for rich.progress.
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=out, markup=False, highlight=False),
                transient=True,
            )
            bar.start()
        if step not in tasks:
            tasks[step] = bar.add_task(step, total=total)
        bar.update(tasks[step], completed=done, total=total)

    try:
        yield report
    finally:
        if bar is not None:
            bar.stop()
