"""A learner's progress, read from the collection: status, stats and one card's history.

Each function is what one CLI command asks of the store, so that the CLI stays one call per
command and the figures are computed here, once, from the core's pure `stats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from srs.core.model import (
    CardRow,
    DeckStatus,
    Kind,
    LogRecord,
    SchedState,
    StoredCard,
)
from srs.core.wording import search_form
from srs.store import Store

if TYPE_CHECKING:  # `srs stats` alone computes them: `srs status` does not import the module
    from srs.core.stats import Stats


def deck_status(
    store: Store, deck_ids: Sequence[str], today: date, new_per_day: int
) -> list[DeckStatus]:
    """`srs status`: each named deck's counts (every deck when none is named)."""
    return store.aggregates.status(store.content.require_decks(deck_ids), today, new_per_day)


def stats(store: Store, deck_ids: Sequence[str], today: date, days: int, weeks: int) -> Stats:
    """`srs stats`: every figure, over the named decks or (when none is named) all of them.

    The figures read the whole log, so the whole file is checked for damage first, as opening
    checks a smaller one: damaged pages would otherwise read as fewer answers."""
    from srs.core.stats import HARDEST_LIMIT, build, retention_start, window_start

    store.check_damage()
    # None (every deck) lets the store skip the join to cards where it can
    chosen = store.content.require_decks(deck_ids) if deck_ids else None
    return build(
        today=today,
        days=days,
        counts=store.aggregates.stats_today(chosen, today),
        study_days=store.aggregates.stats_study_days(chosen),
        per_day=store.aggregates.stats_answers_per_day(chosen, window_start(today, days), today),
        retention_rows=store.aggregates.stats_retention_counts(
            chosen, retention_start(today, weeks), today
        ),
        ef_rows=store.aggregates.stats_ef_counts(chosen),
        due_rows=store.aggregates.stats_due_counts(chosen, today),
        hardest=store.aggregates.stats_hardest(chosen, HARDEST_LIMIT),
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
    stored = store.content.find_card(ref)
    state = store.study.state(stored.pk)
    recall = None
    if today is not None and state.scheduler == "fsrs" and not state.is_new:
        from srs.core.scheduling.fsrs import FSRS

        recall = FSRS().retrievability(state, today)
    return CardHistory(stored, state, store.study.log_for_card(stored.pk), recall)


def list_cards(
    store: Store,
    deck_ids: Sequence[str],
    today: date,
    search: str | None = None,
    kind: Kind | None = None,
    due: bool = False,
    suspended: bool = False,
    leeches: int | None = None,
    sort: str = "deck",
    limit: int | None = None,
) -> list[CardRow]:
    """`srs cards`: the active cards of the named decks (all when none is named), with their
    state, kept when they match every filter given: `search` in the id, front or back (case,
    accents, hyphens and spaces alike: `search_form`), the `kind`, due by `today`, suspended, or
    with at least `leeches` lapses. Sorted by `sort` (one of SORTS) and cut to `limit`."""
    needle = search_form(search or "")
    rows = []
    for row in store.listing.card_rows(store.content.require_decks(deck_ids)):
        text = search_form(f"{row.deck_id}/{row.card_id}\n{row.front}\n{row.back}")
        if needle and needle not in text:
            continue
        if kind is not None and row.kind is not kind:
            continue
        if due and (row.due is None or row.due > today or row.suspended):
            continue
        if suspended and not row.suspended:
            continue
        if leeches is not None and row.lapses < leeches:
            continue
        rows.append(row)
    rows = sort_cards(rows, sort)
    return rows if limit is None else rows[:limit]


SORTS = ("deck", "due", "lapses", "interval", "id")
"""The orders of `srs cards`: as in the deck; due first (new cards last); most lapses first;
shortest interval first; by id."""


def sort_cards(rows: list[CardRow], sort: str = "deck") -> list[CardRow]:
    """`rows` in the order `sort` names (stable: ties keep the deck's order)."""
    if sort == "due":
        return sorted(rows, key=lambda r: (r.due is None, r.due or date.min))
    if sort == "lapses":
        return sorted(rows, key=lambda r: -r.lapses)
    if sort == "interval":
        return sorted(rows, key=lambda r: (r.due is None, r.interval))
    if sort == "id":
        return sorted(rows, key=lambda r: r.ref)
    return rows
