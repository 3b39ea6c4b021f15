"""The `srs` command line: parses arguments, calls services, and turns `SrsError` into one line.

Heavy libraries (sqlalchemy, rich, genanki) are imported inside the commands that use them, so
that `srs --help` and shell completion start fast.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from srs.cli_class import class_app
from srs.core.errors import ConnectionLostError, DeckFileError, SrsError

if TYPE_CHECKING:
    from srs.config import Settings
    from srs.store import Store

app = typer.Typer(
    help="Spaced repetition for research papers: an honest SM-2 review in the terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
)
deck_app = typer.Typer(help="Write, check and load decks.", no_args_is_help=True)
export_app = typer.Typer(help="Export decks to other tools.", no_args_is_help=True)
app.add_typer(deck_app, name="deck")
app.add_typer(export_app, name="export")
app.add_typer(class_app, name="class")

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="SQLite file to use (else $SRS_DATABASE_URL, $SRS_DB, or the user data directory).",
        show_default=False,
    ),
]
DeckArgs = Annotated[list[str] | None, typer.Argument(help="Deck ids (default: all decks).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"srs: error: {message}", err=True)
    raise typer.Exit(code)


def _settings(db: Path | None, new_per_day: int | None = None) -> Settings:
    from srs.config import resolve

    return resolve(db=db, new_per_day=new_per_day)


def _today(settings: Settings) -> date:
    from srs.core.days import study_day

    return study_day(settings.now, settings.tz, settings.rollover_hour)


@contextmanager
def _collection(settings: Settings, load_bundled: bool = True) -> Iterator[Store]:
    """Open the store; bring the bundled decks up to date (all of them on a first run)."""
    from srs.loading import open_collection

    with open_collection(
        settings.db_url, settings.db_label, settings.learner, settings.now, load_bundled
    ) as store:
        yield store


# ---- review -------------------------------------------------------------------------------


@app.command()
def review(
    decks: DeckArgs = None,
    db: DbOption = None,
    new_per_day: Annotated[
        int | None,
        typer.Option(help="New cards a deck a day (default 20, or $SRS_NEW_PER_DAY).", min=0),
    ] = None,
) -> None:
    """Run today's review: due cards first, then new ones, then same-day drills."""
    from rich.console import Console

    from srs.review import ReviewSession
    from srs.ui.keys import KeyReader
    from srs.ui.review_screen import nothing_due_view, run_review, summary_view

    settings = _settings(db, new_per_day)
    today = _today(settings)
    console = Console(highlight=False)
    with _collection(settings) as store:
        deck_ids = store.require_decks(decks or [])
        if not deck_ids:
            _fail("the collection holds no decks; add one with: srs deck add PATH")
        session = ReviewSession(store, deck_ids, today, settings.new_per_day)
        if session.current() is None:
            console.print(nothing_due_view(session.next_due(), today))
            return
        try:
            summary = run_review(session, console, KeyReader(), settings.clock)
        except KeyboardInterrupt:
            console.print()
            console.print(f"Interrupted. {session.answered} answers saved.", markup=False)
            raise typer.Exit(130) from None
        except ConnectionLostError:
            console.print()
            _fail(f"lost the connection; {session.answered} answers saved")
        console.print(summary_view(summary, today))


# ---- status -------------------------------------------------------------------------------


@app.command()
def status(decks: DeckArgs = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Per deck: due today, new available, drills pending, total, and the next due date."""
    from srs.progress import deck_status

    settings = _settings(db)
    today = _today(settings)
    with _collection(settings) as store:
        rows = deck_status(store, decks or [], today, settings.new_per_day)
    if as_json:
        from srs.core.reports import status_json

        typer.echo(json.dumps(status_json(today, rows), indent=2))
        return
    from rich.console import Console

    from srs.ui.tables import status_table

    Console(highlight=False).print(status_table(today, rows))


# ---- decks --------------------------------------------------------------------------------


@deck_app.command("new")
def deck_new(
    deck_id: Annotated[str, typer.Argument(metavar="ID", help="Slug id of the new deck.")],
    directory: Annotated[Path, typer.Option("--dir", help="Folder to write into.")] = Path("decks"),
    title: Annotated[str | None, typer.Option(help="Deck title (default: from the id).")] = None,
) -> None:
    """Write a new deck file with one example card of each kind."""
    from srs.authoring import new_deck_file

    try:
        path = new_deck_file(deck_id, directory, title)
    except DeckFileError as exc:  # its position would name a file that was never written
        _fail(exc.message)
    typer.echo(f"wrote {path}")


@deck_app.command("check")
def deck_check(
    paths: Annotated[list[Path], typer.Argument(help="Deck files or folders.")],
    as_json: JsonOption = False,
) -> None:
    """Check deck files without touching any database. Exit 1 on errors, 0 on warnings only."""
    from srs.authoring import check_paths, diagnostics_to_json, format_text, has_errors

    diagnostics = check_paths(paths)
    typer.echo(diagnostics_to_json(diagnostics) if as_json else format_text(diagnostics))
    if has_errors(diagnostics):
        raise typer.Exit(1)


@deck_app.command("add")
def deck_add(
    paths: Annotated[list[Path], typer.Argument(help="Deck files or folders.")],
    db: DbOption = None,
) -> None:
    """Load or update decks in the collection, by stable card id."""
    from srs.loading import load_paths

    settings = _settings(db)
    with _collection(settings, load_bundled=False) as store:
        reports = load_paths(store, paths, settings.now)
    for r in reports:
        verb = "added deck" if r.created_deck else "updated deck"
        typer.echo(
            f"{verb} {r.deck_id}: {r.added} added, {r.updated} updated, {r.retired} retired, "
            f"{r.restored} restored, {r.unchanged} unchanged"
        )


@deck_app.command("list")
def deck_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the decks in the collection."""
    settings = _settings(db)
    with _collection(settings) as store:
        decks = store.decks()
    if as_json:
        from srs.core.reports import deck_list_json

        typer.echo(json.dumps(deck_list_json(decks), indent=2))
        return
    from rich.console import Console

    from srs.ui.tables import deck_table

    Console(highlight=False).print(deck_table(decks))


@deck_app.command("remove")
def deck_remove(
    deck_id: Annotated[str, typer.Argument(metavar="ID")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    db: DbOption = None,
) -> None:
    """Delete a deck with its cards, scheduling state and review log."""
    settings = _settings(db)
    with _collection(settings, load_bundled=False) as store:
        store.require_decks([deck_id])
        if not yes:
            if not sys.stdin.isatty():
                _fail(f"refusing to remove deck {deck_id!r} without confirmation; pass --yes")
            if not typer.confirm(
                f"Remove deck {deck_id!r} with all its progress and history?", default=False
            ):
                typer.echo("kept")
                raise typer.Exit(1)
        count = store.remove_deck(deck_id)
    typer.echo(f"removed deck {deck_id} ({count} cards)")


# ---- export -------------------------------------------------------------------------------


@export_app.command("anki")
def export_anki(
    output: Annotated[Path, typer.Option("--output", "-o", help="The .apkg file to write.")],
    decks: DeckArgs = None,
    db: DbOption = None,
) -> None:
    """Export decks (all, or those named) to an Anki package. Retired cards are left out."""
    from srs.export_anki import export_decks

    settings = _settings(db)
    with _collection(settings) as store:
        report = export_decks(store, decks or [], output)
    typer.echo(f"wrote {report.path}: {report.notes} notes in {len(report.decks)} Anki decks")


# ---- stats --------------------------------------------------------------------------------


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

    settings = _settings(db)
    today = _today(settings)
    with _collection(settings) as store:
        figures = collect_stats(store, decks or [], today, days, weeks)
    if as_json:
        from srs.core.reports import stats_json

        typer.echo(json.dumps(stats_json(figures), indent=2))
        return
    from rich.console import Console

    from srs.ui.stats_screen import stats_view

    Console(highlight=False).print(stats_view(figures, figures.decks or ()))


@app.command()
def history(
    card: Annotated[str, typer.Argument(metavar="CARD", help="CARD_ID or DECK_ID/CARD_ID.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One card's full review log, oldest first, and its current SM-2 state."""
    from srs.progress import card_history

    settings = _settings(db)
    today = _today(settings)
    with _collection(settings) as store:
        found = card_history(store, card)
    if as_json:
        from srs.core.reports import history_json

        typer.echo(json.dumps(history_json(found.card, found.state, found.log), indent=2))
        return
    from rich.console import Console

    from srs.ui.history_screen import history_view

    Console(highlight=False).print(
        history_view(found.card, found.state, found.log, today, settings.tz)
    )


# ---- entry point --------------------------------------------------------------------------


def _usage_errors() -> type[Exception]:
    """Click's exception for bad arguments, as vendored by the installed typer."""
    try:
        from typer._click.exceptions import ClickException as Vendored

        return Vendored
    except ImportError:  # typer releases that use click itself
        from click.exceptions import ClickException

        found: type[Exception] = ClickException
        return found


def main() -> None:
    """Console-script entry point: domain errors become one line on stderr and exit 1.

    Anything unexpected is a bug; it too is reported in one line (exit 2) unless `SRS_DEBUG` is
    set, in which case the traceback is shown. Answers are committed as they are given, so no
    error path can lose one.
    """
    import os

    try:
        code = app(standalone_mode=False)  # so usage errors come here, to be put on one line
        sys.exit(code if isinstance(code, int) else 0)
    except _usage_errors() as exc:
        usage: Any = exc  # click's ClickException: ctx, format_message(), exit_code
        ctx = getattr(usage, "ctx", None)
        where = ctx.command_path if ctx else "srs"
        typer.echo(f"srs: error: {usage.format_message()} (see: {where} --help)", err=True)
        sys.exit(usage.exit_code)
    except typer.Abort:  # a confirmation prompt closed by Ctrl-C or end of input
        typer.echo("srs: aborted", err=True)
        sys.exit(1)
    except DeckFileError as exc:
        if exc.problems:  # a checker's diagnostics, one ruff-style line each
            for problem in exc.problems:
                typer.echo(problem.format(), err=True)
        else:
            typer.echo(f"srs: error: {exc}", err=True)
        sys.exit(1)
    except SrsError as exc:
        typer.echo(f"srs: error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("srs: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:  # e.g. `srs status --json | head -1`
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("SRS_DEBUG"):
            raise
        first = str(exc).splitlines()[0] if str(exc) else ""
        typer.echo(
            f"srs: internal error: {type(exc).__name__}: {first} "
            "(a bug; run again with SRS_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(2)
