"""A learner's progress, read from the collection: status, stats and one card's history.

Each function is what one CLI command asks of the store, so that the CLI stays one call per
command and the figures are computed here, once, from the core's pure `stats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from srs.core.model import DeckStatus, LogRecord, SchedState, StoredCard
from srs.core.stats import Stats, build, retention_start, window_start
from srs.store import Store


def deck_status(
    store: Store, deck_ids: Sequence[str], today: date, new_per_day: int
) -> list[DeckStatus]:
    """`srs status`: each named deck's counts (every deck when none is named)."""
    return store.status(store.require_decks(deck_ids), today, new_per_day)


def stats(store: Store, deck_ids: Sequence[str], today: date, days: int, weeks: int) -> Stats:
    """`srs stats`: every figure, over the named decks or (when none is named) all of them."""
    # None (every deck) lets the store skip the join to cards where it can
    chosen = store.require_decks(deck_ids) if deck_ids else None
    return build(
        today=today,
        days=days,
        counts=store.stats_today(chosen, today),
        study_days=store.stats_study_days(chosen),
        per_day=store.stats_answers_per_day(chosen, window_start(today, days), today),
        retention_rows=store.stats_retention_counts(chosen, retention_start(today, weeks), today),
        ef_rows=store.stats_ef_counts(chosen),
        due_rows=store.stats_due_counts(chosen, today),
        hardest=store.stats_hardest(chosen),
        weeks=weeks,
        decks=chosen,
    )


@dataclass(frozen=True, slots=True)
class CardHistory:
    """One card, this learner's state for it, and every answer to it, oldest first."""

    card: StoredCard
    state: SchedState
    log: list[LogRecord]
    retrievability: float | None = None  # FSRS's chance of recall today (FSRS cards only)


def card_history(store: Store, ref: str, today: date | None = None) -> CardHistory:
    """`srs history`: the card named `CARD_ID` or `DECK_ID/CARD_ID`; for a card FSRS scheduled,
    with its chance of recall on `today` (which loads FSRS)."""
    stored = store.find_card(ref)
    state = store.state(stored.pk)
    recall = None
    if today is not None and state.scheduler == "fsrs" and not state.is_new:
        from srs.core.scheduling.fsrs import FSRS

        recall = FSRS().retrievability(state, today)
    return CardHistory(stored, state, store.log_for_card(stored.pk), recall)
