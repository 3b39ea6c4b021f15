"""`srs import ...`: bring decks in from other tools (heavy libraries load inside the command)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from srs.commands.base import (
    DbOption,
    JsonOption,
    app,
    collection,
    echo_json,
    fail,
    settings_for,
    today_of,
)
from srs.commands.plain_params import SrsGroup

import_app = typer.Typer(cls=SrsGroup, help="Import decks from other tools.", no_args_is_help=True)
app.add_typer(import_app, name="import")
merge_app = typer.Typer(
    cls=SrsGroup, help="Bring back reviews done in other tools.", no_args_is_help=True
)
app.add_typer(merge_app, name="merge")


@import_app.command("anki")
def import_anki(
    package: Annotated[Path, typer.Argument(metavar="FILE", help="An .apkg or .colpkg file.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The deck file to write, e.g. decks/bio.toml.")
    ],
    deck: Annotated[
        str | None,
        typer.Option("--deck", help="Import only this Anki deck (and its subdecks)."),
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="Kind of every card: finding, limitation, misreading.")
    ] = "finding",
    kind_from_tag: Annotated[
        bool,
        typer.Option(
            "--kind-from-tag", help="A note tagged finding/limitation/misreading takes that kind."
        ),
    ] = False,
    with_progress: Annotated[
        bool,
        typer.Option(
            "--with-progress",
            help="Also load the deck and give its cards their Anki schedule and review history.",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
    db: DbOption = None,
) -> None:
    """Write a deck file from an Anki package; --with-progress also loads it with its progress."""
    from srs.anki.import_ import apply_progress, import_package
    from srs.core.cardtext import printable
    from srs.core.days import study_day
    from srs.core.model import KINDS, Kind

    kind = kind.strip().lower()  # any case, as `config set` reads its values
    if kind not in KINDS:
        fail(f"unknown kind {kind!r} (expected finding, limitation or misreading)")
    from srs.anki.tempfiles import removed_on_signal
    from srs.ui.ticker import terminal_ticker

    settings = settings_for(db)

    def has_deck(deck_id: str) -> bool:  # asked only of a package of srs's own deck
        with collection(settings, load_bundled=False) as store:
            return any(d.id == deck_id for d in store.content.decks())

    with removed_on_signal(), terminal_ticker() as bar:
        result = import_package(
            package,
            output,
            kind=Kind(kind),
            kind_from_tag=kind_from_tag,
            anki_deck=deck,
            with_progress=with_progress,
            force=force,
            now=settings.now,
            today=today_of(settings),
            day_of=lambda at: study_day(at, settings.tz, settings.rollover_hour),
            ticker=bar,
            has_deck=has_deck if with_progress else None,
        )
    for warning in result.warnings:
        typer.echo(f"srs: warning: {warning}", err=True)
    typer.echo(
        f"wrote {printable(str(result.path))}: {len(result.deck.cards)} cards from "
        f"{result.notes} notes"
    )
    if with_progress:
        with collection(settings, load_bundled=False, writes=True) as store:
            report, applied = apply_progress(store, result, settings.now)
        typer.echo(
            f"loaded deck {report.deck_id}: {report.added} added, {report.updated} updated; "
            f"Anki progress given to {applied} cards"
        )


@merge_app.command("anki")
def merge_anki(
    package: Annotated[
        Path, typer.Argument(metavar="FILE", help="An .apkg or .colpkg exported with scheduling.")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change, and change nothing.")
    ] = False,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Bring back the reviews done in Anki on cards exported from srs."""
    from srs.anki.merge import merge_package
    from srs.anki.tempfiles import removed_on_signal
    from srs.core.days import study_day

    settings = settings_for(db)
    with (
        removed_on_signal(),
        collection(settings, load_bundled=False, writes=not dry_run) as store,
    ):
        report = merge_package(
            store,
            package,
            now=settings.now,
            today=today_of(settings),
            day_of=lambda at: study_day(at, settings.tz, settings.rollover_hour),
            dry_run=dry_run,
        )
    for warning in report.warnings:
        typer.echo(f"srs: warning: {warning}", err=True)
    if as_json:
        echo_json(report.as_json())
    else:
        typer.echo(report.summary)
