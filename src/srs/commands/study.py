"""`srs review`, and what a learner sets aside: `srs unbury`, `srs suspend`, `srs unsuspend`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from srs.commands.base import (
    CardArgs,
    DbOption,
    DeckArgs,
    NewPerDayOption,
    app,
    collection,
    console,
    fail,
    long_running,
    settings_for,
    today_of,
)

if TYPE_CHECKING:
    from srs.core.model import StoredCard
    from srs.store import Store


@app.command()
def review(
    decks: DeckArgs = None,
    db: DbOption = None,
    new_per_day: NewPerDayOption = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, max=100_000, help="Show at most N cards this session."),
    ] = None,
    minutes: Annotated[
        int | None,
        typer.Option(
            "--minutes", min=1, max=1440, help="Stop after M minutes (the card on screen ends)."
        ),
    ] = None,
) -> None:
    """Run today's review: due cards first, then new ones, then same-day drills.

    Keys: space/enter show the answer, 0-5 grade, j/k scroll a long answer, s bury until
    tomorrow, ! suspend, u undo the last action, p open the paper at the card's page
    ($SRS_PDF_VIEWER, as `srs open`), ? show the keys and the grades, q quit. Every answer is
    saved as it is given.
    """
    from srs.config import inline_images
    from srs.learner_config import answer_policy
    from srs.review import ReviewSession
    from srs.ui.keys import KeyReader
    from srs.ui.review_screen import nothing_due_view, run_review, summary_view

    settings = settings_for(db, new_per_day)
    today = today_of(settings)
    out = console()
    with collection(settings, writes=True) as store:
        deck_ids = store.content.require_decks(decks or [])
        if not deck_ids:
            fail("the collection holds no decks; add one with: srs deck add PATH")
        session = ReviewSession(
            store,
            deck_ids,
            today,
            settings.new_per_day,
            limit=limit,
            policy=answer_policy(
                store, settings.scheduling, settings.leech_lapses, settings.leech_suspend
            ),
            opener=lambda stored: _open_paper(store, stored),
            figure_opener=lambda stored, revealed: _open_figures(store, stored, revealed),
        )
        if session.current() is None:
            out.print(nothing_due_view(session.next_due(), today))
            return
        from srs.core.errors import ConnectionLostError, ServerNotAnsweringError
        from srs.core.wording import plural

        long_running()
        try:
            summary = run_review(
                session, out, KeyReader(), settings.clock, minutes, inline_images()
            )
        except KeyboardInterrupt:
            out.print()
            out.print(f"Interrupted. {plural(session.answered, 'answer')} saved.", markup=False)
            raise typer.Exit(130) from None
        except ServerNotAnsweringError:  # frozen or unreachable: every answer given is committed
            out.print()
            fail(f"the server is not answering; {plural(session.answered, 'answer')} saved")
        except ConnectionLostError:  # the server went away: every answer given is committed
            out.print()
            fail(f"lost the connection; {plural(session.answered, 'answer')} saved")
        out.print(summary_view(summary, today))


def _open_paper(store: Store, stored: StoredCard) -> list[str]:
    """The review's `p`: what `srs open` does for the card on screen (the paper's modules are
    imported only when the key is pressed), as the lines to show."""
    from srs.config import paper_cache_dir, pdf_viewer
    from srs.paper.opening import open_stored, opened_lines

    return opened_lines(open_stored(store, stored, pdf_viewer(), paper_cache_dir()))


def _open_figures(store: Store, stored: StoredCard, revealed: bool) -> list[str]:
    """The review's `o`: the card's figures with `SRS_OPEN` (else the system's opener)."""
    from srs.config import figure_opener
    from srs.figure_files import deck_path, open_figures

    return open_figures(stored, deck_path(store, stored.deck_id), revealed, figure_opener())


@app.command()
def unbury(
    cards: Annotated[
        list[str] | None, typer.Argument(help="CARD_ID or DECK_ID/CARD_ID (default: all).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Bring back cards buried today (all of them when none is named).

    A card named that is not buried is refused (exit 1) before any is changed, as `suspend`
    refuses a card already suspended."""
    from srs.core.errors import SuspensionError

    settings = settings_for(db)
    today = today_of(settings)
    with collection(settings, writes=True) as store:
        found = [store.content.find_card(ref) for ref in cards or []]
        buried = store.setaside.buried_today([stored.pk for stored in found], today)
        for stored in found:
            if stored.pk not in buried:
                raise SuspensionError(f"card {_name(stored.ref)} is not buried")
        pks = [stored.pk for stored in found]
        count = store.setaside.unbury(pks, store.content.require_decks([]), today)
    from srs.core.wording import plural

    typer.echo(f"unburied {plural(count, 'card')}")


def _name(ref: str) -> str:
    from srs.core.cardtext import printable

    return printable(ref)


def _set_suspended(cards: list[str], db: Path | None, suspended: bool) -> None:
    """Suspend (or unsuspend) each card named, all found before any changes; one line each."""
    from srs.core.errors import SuspensionError

    settings = settings_for(db)
    with collection(settings, writes=True) as store:
        found = [store.content.find_card(ref) for ref in cards]
        for stored in found:
            name = _name(stored.ref)
            if suspended and not store.setaside.suspend(stored.pk, settings.now):
                raise SuspensionError(f"card {name} is already suspended")
            if not suspended and not store.setaside.unsuspend(stored.pk):
                raise SuspensionError(f"card {name} is not suspended")
            typer.echo(f"{'suspended' if suspended else 'unsuspended'} {name}")


@app.command()
def suspend(cards: CardArgs, db: DbOption = None) -> None:
    """Suspend cards for you: they leave the queue and the counts until `srs unsuspend`."""
    _set_suspended(cards, db, suspended=True)


@app.command()
def unsuspend(cards: CardArgs, db: DbOption = None) -> None:
    """Bring suspended cards back into the queue."""
    _set_suspended(cards, db, suspended=False)
