"""How long-running work says how far it has got, without knowing who (if anyone) shows it.

A `Progress` is called as `progress(step, done, total)`: `step` is one of the fixed phrases
below (never text from a deck or package, so it can be shown as it is), `done` of `total`
items are finished. The work calls it every so often; the terminal's bar (`ui/progress.py`)
decides whether anything is drawn.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, int], None]

CHECKING = "checking cards"
LOADING = "loading cards"
EXPORTING = "writing notes"
IMPORTING = "converting notes"
SIMULATING = "simulating days"

EVERY = 64
"""Items between two calls: often enough for a smooth bar, rare enough to cost nothing."""


def no_progress(step: str, done: int, total: int) -> None:
    """The `Progress` of work nobody watches."""


def report_every(progress: Progress, step: str, index: int, total: int) -> None:
    """Call `progress` for item `index` (0-based) of `total` when it is due: every `EVERY`
    items, and at the last one."""
    if index % EVERY == 0 or index == total - 1:
        progress(step, index + 1, total)
