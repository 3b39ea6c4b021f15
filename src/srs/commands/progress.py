"""`srs status`, `srs stats` and `srs history`: a learner's progress, read from the collection."""

from __future__ import annotations

from typing import Annotated

import typer

from srs.commands.base import (
    DbOption,
    DeckArgs,
    JsonOption,
    NewPerDayOption,
    app,
    collection,
    console,
    echo_json,
    settings_for,
    today_of,
)


@app.command()
def status(
    decks: DeckArgs = None,
    db: DbOption = None,
    new_per_day: NewPerDayOption = None,
    as_json: JsonOption = False,
) -> None:
    """Per deck: due today, new available, drills pending, total, and the next due date.

    The new figure is what `srs review` with the same --new-per-day would introduce today.
    """
    from srs.progress import deck_status

    settings = settings_for(db, new_per_day)
    today = today_of(settings)
    with collection(settings) as store:
        rows = deck_status(store, decks or [], today, settings.new_per_day)
    if as_json:
        from srs.core.reports import status_json

        echo_json(status_json(today, rows))
        return
    from srs.ui.tables import status_table

    console().print(status_table(today, rows))


@app.command()
def stats(
    decks: DeckArgs = None,
    days: Annotated[
        int,
        typer.Option("--days", min=1, max=3660, help="Days of the heatmap and the per-day counts."),
    ] = 365,
    weeks: Annotated[
        int,
        typer.Option("--weeks", min=1, max=520, help="Weeks (Monday to Sunday) of retention."),
    ] = 12,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Progress from the review log: today, streaks, heatmap, forecast, retention, EF, hardest.

    Days are study days (local date shifted by the rollover hour). Retention counts scheduled
    reviews only (first answers to new cards and same-day drills are left out), graded 3+,
    over the last --weeks weeks; the heatmap covers the last --days days.

    --json prints one object (every key is described in docs/stats.md):
    date, days, decks (the ids named, or null);
    today {answers, reviewed, new_seen, due}; streak {current, longest};
    reviews_per_day: list of {day, answers};
    heatmap {start, first, last, max, levels: four (low, high) pairs,
    weeks: one list of 7 counts a week, Monday first, null outside the window};
    forecast: 14 of {day, due}, today first, overdue cards counted today;
    retention {weeks, first, counts_new_cards: false, total: RATE, by_kind {KIND: RATE},
    weekly: list of {week, total: RATE, by_kind {KIND: RATE}}};
    ef_histogram: list of {low, high, cards}, ef in hundredths;
    hardest: list of {deck, card, kind, prompt, lapses, ef, reps, due};
    where RATE is {reviews, passed, rate: passed / reviews, or null without reviews}.
    """
    from srs.progress import stats as collect_stats

    settings = settings_for(db)
    today = today_of(settings)
    with collection(settings) as store:
        figures = collect_stats(store, decks or [], today, days, weeks)
    if as_json:
        from srs.core.reports import stats_json

        echo_json(stats_json(figures))
        return
    from srs.ui.stats_screen import stats_view

    console().print(stats_view(figures, figures.decks or ()))


@app.command()
def history(
    card: Annotated[str, typer.Argument(metavar="CARD", help="CARD_ID or DECK_ID/CARD_ID.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One card's full review log, oldest first, and its current SM-2 state."""
    from srs.progress import card_history

    settings = settings_for(db)
    today = today_of(settings)
    with collection(settings) as store:
        found = card_history(store, card, today)
    if as_json:
        from srs.core.reports import history_json

        data = history_json(found.card, found.state, found.log, found.retrievability)
        echo_json(data)
        return
    from srs.ui.history_screen import history_view

    console().print(
        history_view(found.card, found.state, found.log, today, settings.tz, found.retrievability)
    )
