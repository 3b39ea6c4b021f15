"""`srs cards`: find a card, with this learner's state, by deck, text, kind or state."""

from __future__ import annotations

from typing import Annotated

import typer

from srs.commands.base import (
    DbOption,
    DeckArgs,
    JsonOption,
    app,
    collection,
    console,
    echo_json,
    fail,
    settings_for,
    today_of,
)

KINDS = ("finding", "limitation", "misreading")
SORTS = ("deck", "due", "lapses", "interval", "id")  # as srs.progress.SORTS, without importing it


@app.command()
def cards(
    decks: DeckArgs = None,
    search: Annotated[
        str | None, typer.Option("--search", help="Text in the id, front or back (any case).")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--kind", help="Only cards of this kind: " + ", ".join(KINDS))
    ] = None,
    due: Annotated[bool, typer.Option("--due", help="Only cards due today.")] = False,
    suspended: Annotated[bool, typer.Option("--suspended", help="Only suspended cards.")] = False,
    leeches: Annotated[
        bool, typer.Option("--leeches", help="Only leeches ($SRS_LEECH_LAPSES lapses, 8).")
    ] = False,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            help="Order: " + ", ".join(SORTS) + " (due: earliest first, new last; lapses: most"
            " first; interval: shortest first).",
        ),
    ] = "deck",
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Show at most N cards.")
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List cards with their state: due date, interval, lapses, overdue, suspended, buried,
    leech."""
    from srs.core.model import Kind
    from srs.progress import list_cards

    kind = None if kind is None else kind.strip().lower()  # as `config set` reads its values
    if kind is not None and kind not in KINDS:
        fail(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    if sort not in SORTS:
        fail(f"unknown order {sort!r}; one of: {', '.join(SORTS)}")
    settings = settings_for(db)
    today = today_of(settings)
    with collection(settings) as store:
        rows = list_cards(
            store,
            decks or [],
            today,
            search=search,
            kind=None if kind is None else Kind(kind),
            due=due,
            suspended=suspended,
            leeches=settings.leech_lapses if leeches else None,
            sort=sort,
            limit=limit,
        )
    if as_json:
        from srs.core.reports import cards_json

        echo_json(cards_json(rows, settings.leech_lapses))
        return
    if not rows:
        typer.echo("no cards match")
        return
    from srs.ui.cards_screen import cards_view
    from srs.ui.console import fold_of

    out = console()
    out.print(cards_view(rows, today, settings.leech_lapses, out.size.width, fold_of(out)))
