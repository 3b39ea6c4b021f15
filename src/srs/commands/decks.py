"""`srs deck ...` and `srs export anki`: write, check, load, list and remove decks; export them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from srs.commands.base import (
    DbOption,
    DeckArgs,
    JsonOption,
    collection,
    console,
    deck_app,
    echo_json,
    export_app,
    fail,
    settings_for,
    today_of,
)
from srs.core.defaults import MAX_BACK_WORDS
from srs.core.errors import DeckFileError

if TYPE_CHECKING:
    from srs.core.model import DeckSummary


@deck_app.command("new")
def deck_new(
    deck_id: Annotated[str, typer.Argument(metavar="ID", help="Slug id of the new deck.")],
    directory: Annotated[Path, typer.Option("--dir", help="Folder to write into.")] = Path("decks"),
    title: Annotated[str | None, typer.Option(help="Deck title (default: from the id).")] = None,
) -> None:
    """Write a new deck file with one example card of each kind."""
    from srs.authoring import new_deck_file
    from srs.core.cardtext import printable

    try:
        path = new_deck_file(deck_id, directory, title)
    except DeckFileError as exc:  # its position would name a file that was never written
        fail(exc.message)
    typer.echo(f"wrote {printable(str(path))}")


@deck_app.command("check")
def deck_check(
    paths: Annotated[list[Path], typer.Argument(help="Deck files or folders.")],
    as_json: JsonOption = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) on warnings too, not only on errors.")
    ] = False,
    max_back_words: Annotated[
        int, typer.Option("--max-back-words", min=1, help="Word limit of a card's back.")
    ] = MAX_BACK_WORDS,
    paper: Annotated[
        Path | None,
        typer.Option(
            "--paper",
            metavar="FILE",
            help="Check every quote against this paper (.pdf needs srs[paper], or .txt).",
        ),
    ] = None,
    own_paper: Annotated[
        bool,
        typer.Option("--own-paper", help="Check quotes against each deck's own paper.pdf."),
    ] = False,
) -> None:
    """Check deck files without touching any database. Exit 1 on errors (or, with --strict, on
    any warning), 0 otherwise."""
    from srs.authoring import check_paths, diagnostics_to_json, format_text, has_errors
    from srs.checkcache import FileCardCache
    from srs.config import check_cache_dir
    from srs.ui.ticker import terminal_ticker

    cache = FileCardCache(check_cache_dir())

    pages: dict[str, list[int | None]] | None = None
    with terminal_ticker() as ticker:
        if paper is not None or own_paper:
            from srs.authoring import check_paths_with_paper
            from srs.config import paper_cache_dir

            if paper is not None and own_paper:
                fail("give --paper FILE or --own-paper, not both")
            diagnostics, pages = check_paths_with_paper(
                paths, paper, paper_cache_dir(), max_back_words, ticker, cache
            )
        else:
            diagnostics = check_paths(paths, max_back_words, ticker, cache)
    if as_json and pages is not None:
        from srs.core.reports import paper_check_json

        typer.echo(paper_check_json(diagnostics, pages))
    else:
        typer.echo(diagnostics_to_json(diagnostics) if as_json else format_text(diagnostics))
    if has_errors(diagnostics) or (strict and diagnostics):
        raise typer.Exit(1)


@deck_app.command("add")
def deck_add(
    paths: Annotated[list[Path], typer.Argument(help="Deck files or folders.")],
    db: DbOption = None,
) -> None:
    """Load or update decks in the collection, by stable card id."""
    from srs.checkcache import FileCardCache
    from srs.config import check_cache_dir, paper_cache_dir
    from srs.core.wording import plural
    from srs.loading import load_paths
    from srs.ui.ticker import terminal_ticker

    settings = settings_for(db)
    cache = FileCardCache(check_cache_dir())
    with collection(settings, load_bundled=False, writes=True) as store, terminal_ticker() as bar:
        reports = load_paths(store, paths, settings.now, bar, cache, paper_cache_dir())
    for r in reports:
        verb = "added deck" if r.created_deck else "updated deck"
        renamed = f"; renamed {plural(r.renamed, 'card')}" if r.renamed else ""
        typer.echo(
            f"{verb} {r.deck_id}: {r.added} added, {r.updated} updated, {r.retired} retired, "
            f"{r.restored} restored, {r.unchanged} unchanged{renamed}"
        )


@deck_app.command("list")
def deck_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the decks in the collection."""
    settings = settings_for(db)
    with collection(settings) as store:
        decks = [_path_resolved(d) for d in store.content.decks()]
    if as_json:
        from srs.core.reports import deck_list_json

        echo_json(deck_list_json(decks))
        return
    from srs.ui.tables import deck_table

    console().print(deck_table(decks))


def _path_resolved(deck: DeckSummary) -> DeckSummary:
    """The deck with its file's path absolute. Decks added before srs stored it so keep the
    path as it was typed: it is resolved here when it names a file from this folder."""
    from dataclasses import replace

    if deck.path is None or Path(deck.path).is_absolute() or not Path(deck.path).is_file():
        return deck
    return replace(deck, path=str(Path(deck.path).resolve()))


@deck_app.command("remove")
def deck_remove(
    deck_id: Annotated[str, typer.Argument(metavar="ID")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    purge: Annotated[
        bool,
        typer.Option(
            "--purge", help="On a server: delete every learner's history too (else it is kept)."
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """Delete a deck with its cards and history; on a class's server, retire it for everyone
    and keep the history (--purge deletes it)."""
    from srs.core.wording import plural

    settings = settings_for(db)
    with collection(settings, load_bundled=False, writes=True) as store:
        store.content.require_decks([deck_id])
        retire = store.on_server and not purge
        if retire:
            question = f"Retire deck {deck_id!r} for everyone, keeping every learner's history?"
        else:
            learners, answers = store.content.deck_history(deck_id)
            if store.on_server:
                typer.echo(
                    f"deck {deck_id} holds {plural(answers, 'answer')} of "
                    f"{plural(learners, 'learner')}; --purge deletes them"
                )
            question = f"Remove deck {deck_id!r} with all its progress and history?"
        if not yes:
            if not sys.stdin.isatty():
                fail(f"refusing to remove deck {deck_id!r} without confirmation; pass --yes")
            if not typer.confirm(question, default=False):
                typer.echo("kept")
                raise typer.Exit(1)
        if retire:
            count = store.content.retire_deck(deck_id, settings.now)
            typer.echo(f"retired deck {deck_id} ({plural(count, 'card')}); history kept")
            return
        count = store.content.remove_deck(deck_id)
    typer.echo(f"removed deck {deck_id} ({count} cards)")


@export_app.command("anki")
def export_anki(
    output: Annotated[Path, typer.Option("--output", "-o", help="The .apkg file to write.")],
    decks: DeckArgs = None,
    with_progress: Annotated[
        bool,
        typer.Option(
            "--with-progress",
            help="Include your schedule and review log (Anki applies them to new cards only).",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
    db: DbOption = None,
) -> None:
    """Export decks (all, or those named) to an Anki package. Retired cards are left out."""
    from srs.anki.export import export_decks
    from srs.anki.tempfiles import removed_on_signal
    from srs.core.cardtext import printable
    from srs.ui.ticker import terminal_ticker

    settings = settings_for(db)
    with removed_on_signal(), collection(settings) as store, terminal_ticker() as bar:
        if with_progress:
            from srs.anki.export_scheduling import export_decks_with_progress

            report = export_decks_with_progress(
                store,
                decks or [],
                output,
                today_of(settings),
                settings.tz,
                settings.rollover_hour,
                bar,
                force,
            )
        else:
            report = export_decks(store, decks or [], output, bar, force)
    typer.echo(
        f"wrote {printable(str(report.path))}: {report.notes} notes in "
        f"{len(report.decks)} Anki decks"
    )
    if with_progress:
        typer.echo(
            "progress included: Anki applies it only to cards it does not have yet, and only "
            "with 'Import scheduling' ticked in its import dialog"
        )
