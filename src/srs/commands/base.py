"""The typer apps and their top-level group, the options every command shares, and the few helpers
commands build on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand

from srs.commands.plain_params import SrsGroup, flow_help
from srs.commands.registry import COMMAND_MODULES, COMMANDS, load_module

if TYPE_CHECKING:
    from rich.console import Console

    from srs.config import Settings
    from srs.store import Store


class Placeholder(TyperCommand):
    """A command whose module is not loaded: its name and summary, for the listing only."""


class TopGroup(SrsGroup):
    """srs's top-level group: every command of `COMMANDS`, in that order, whether its module is
    loaded or not. A command not loaded is a `Placeholder` while the group lists its commands
    (help), and is loaded, with its module, when anything else asks for it."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        loaded = dict(self.commands)
        commands: dict[str, Any] = {}
        for entry in COMMANDS:
            commands[entry.name] = loaded.pop(entry.name, None) or Placeholder(
                name=entry.name, help=entry.summary
            )
        commands.update(loaded)  # a command with no entry (the registry test forbids it)
        self.commands = commands
        self._listing = False

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """The command named, loading its module first if it is not loaded and the group is
        not merely listing its commands."""
        command = self.commands.get(cmd_name)
        if isinstance(command, Placeholder) and not self._listing:
            command = self._load(cmd_name)
        return command

    def _load(self, name: str) -> Any:
        """Import the module of command `name` and put its real click commands in the group."""
        import typer.main

        load_module(COMMAND_MODULES[name])
        built = typer.main.get_command(app)
        for other, command in getattr(built, "commands", {}).items():
            if isinstance(self.commands.get(other), Placeholder) and not isinstance(
                command, Placeholder
            ):
                self.commands[other] = command
        return self.commands.get(name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """The group's help, listing the commands not loaded from their entries; drawn by
        `srs.commands.top_help` (typer's layout without typer's help module) when it can."""
        self._listing = True
        try:
            from srs.commands import top_help

            if top_help.drawable(self, ctx):
                flow_help(self)
                for command in self.commands.values():
                    flow_help(command)
                top_help.draw(self, ctx)
            else:
                super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    cls=TopGroup,  # lists every command, loads a command's module only when it runs
    help="Spaced repetition for research papers: an honest SM-2 review in the terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},  # every subcommand inherits it
)
deck_app = typer.Typer(cls=SrsGroup, help="Write, check and load decks.", no_args_is_help=True)
export_app = typer.Typer(cls=SrsGroup, help="Export decks to other tools.", no_args_is_help=True)
app.add_typer(deck_app, name="deck")
app.add_typer(export_app, name="export")

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="SQLite file to use (else $SRS_DATABASE_URL, $SRS_DB, or the user data directory).",
        show_default=False,
    ),
]
DeckArgs = Annotated[list[str] | None, typer.Argument(help="Deck ids (default: all decks).")]
CardArgs = Annotated[list[str], typer.Argument(help="CARD_ID or DECK_ID/CARD_ID, one or more.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
NewPerDayOption = Annotated[
    int | None,
    typer.Option(help="New cards a deck a day (default 20, or $SRS_NEW_PER_DAY).", min=0),
]


def echo_json(data: object) -> None:
    """Print `data` as indented JSON on stdout (json is imported only by a --json run)."""
    import json

    typer.echo(json.dumps(data, indent=2))


def fail(message: str, code: int = 1) -> NoReturn:
    """One `srs: error:` line on stderr, then exit."""
    from srs.core.cardtext import printable

    typer.echo(f"srs: error: {printable(message)}", err=True)
    raise typer.Exit(code)


def settings_for(db: Path | None, new_per_day: int | None = None) -> Settings:
    """The settings of this run, from the options given and the environment."""
    from srs.config import resolve

    return resolve(db=db, new_per_day=new_per_day)


def today_of(settings: Settings) -> date:
    """The study day of this run."""
    from srs.core.days import study_day

    return study_day(settings.now, settings.tz, settings.rollover_hour)


@contextmanager
def collection(
    settings: Settings, load_bundled: bool = True, writes: bool = False
) -> Iterator[Store]:
    """Open the store; bring the bundled decks up to date (all of them on a first run). A command
    that `writes` is refused up front on a read-only collection, before it shows or asks anything.
    """
    from srs.loading import open_collection

    with open_collection(
        settings.db_url,
        settings.db_label,
        settings.learner,
        settings.now,
        load_bundled,
        settings.scheduling,
        settings.server_timeout,
    ) as store:
        if writes:
            store.require_writable()
        yield store


def long_running() -> None:
    """Turn Python's cyclic garbage collector back on, for a command that is about to wait on a
    person (the review loop): `srs.cli.main` runs start-up without it. What start-up built is
    frozen first (`gc.freeze`), kept out of every later collection: it lives to the end."""
    import gc

    gc.freeze()
    gc.enable()


def console() -> Console:
    """The console screens print to, with the ASCII fallback when the output needs it."""
    from srs.ui.console import make_console

    return make_console()
