"""How long-running work says how far it has got, without knowing who (if anyone) shows it.

A `Ticker` is called as `ticker(step, done, total)`: `step` is one of the fixed phrases
below (never text from a deck or package, so it can be shown as it is), `done` of `total`
items are finished. The work calls it every so often; the terminal's bar (`ui/ticker.py`)
decides whether anything is drawn.
"""

from __future__ import annotations

from collections.abc import Callable

Ticker = Callable[[str, int, int], None]

CHECKING = "checking cards"
LOADING = "loading cards"
EXPORTING = "writing notes"
IMPORTING = "converting notes"
SIMULATING = "simulating days"

EVERY = 64
"""Items between two calls: often enough for a smooth bar, rare enough to cost nothing."""


def no_ticker(step: str, done: int, total: int) -> None:
    """The `Ticker` of work nobody watches."""


def report_every(ticker: Ticker, step: str, index: int, total: int) -> None:
    """Call `ticker` for item `index` (0-based) of `total` when it is due: every `EVERY`
    items, and at the last one."""
    if index % EVERY == 0 or index == total - 1:
        ticker(step, index + 1, total)
