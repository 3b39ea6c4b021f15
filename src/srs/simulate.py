"""`srs simulate`: SM-2 and FSRS compared on a simulated learner studying the learner's decks.

The simulation itself is pure (`srs.core.simulation`); this service reads where it starts from:
the decks' active cards, in study order, with this learner's state and log (new cards where
there is none), and the learner's FSRS options (desired retention, fuzz).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from srs.core.errors import ConfigError
from srs.core.scheduling.choice import choose
from srs.core.simulation import Simulation, simulate
from srs.core.ticker import Ticker, no_ticker
from srs.learner_config import stored_settings
from srs.store import Store


def simulate_decks(
    store: Store,
    deck_ids: Sequence[str],
    today: date,
    days: int,
    new_per_day: int,
    seed: int,
    overrides: Mapping[str, str],
    ticker: Ticker = no_ticker,
) -> Simulation:
    """Simulate `days` days from `today` under each scheduler, on the named decks (all when
    none is named), from this learner's real state."""
    chosen = store.content.require_decks(deck_ids)
    cards = store.aggregates.simulation_start(chosen)
    if not cards:
        raise ConfigError("no cards to simulate: the decks named hold no active card")
    choice = choose(stored_settings(store), overrides)
    return simulate(cards, today, days, new_per_day, seed, choice, ticker)
