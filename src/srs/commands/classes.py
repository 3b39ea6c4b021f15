"""`srs class ...`: a class on one PostgreSQL server (set up, add people, the report).

Heavy libraries are imported inside the commands.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer

from srs.commands.base import app, echo_json
from srs.commands.plain_params import SrsGroup
from srs.core.errors import ConfigError

class_app = typer.Typer(
    cls=SrsGroup,
    help="A class on one PostgreSQL server: roles, learners, and the instructor's report.",
    no_args_is_help=True,
)
app.add_typer(class_app, name="class")


def _server_settings() -> tuple[str, str]:
    from srs.config import resolve

    settings = resolve()
    if settings.db_path is not None or settings.db_url.startswith("sqlite"):
        raise ConfigError("a class needs a PostgreSQL server: set SRS_DATABASE_URL")
    return settings.db_url, settings.db_label


@class_app.command("init")
def class_init() -> None:
    """Create or upgrade the schema, roles, policies and bundled decks (idempotent)."""
    from srs.classroom import init_class
    from srs.config import resolve

    url, label = _server_settings()
    made = init_class(url, label, resolve().now)  # the clock as every command reads it
    if made:
        for change in made:
            typer.echo(f"created {change}")
    else:
        typer.echo("the class is already set up; nothing changed")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ConfigError("no terminal to ask for the password; pass --password-stdin")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
]
NameArg = Annotated[str, typer.Argument(metavar="NAME", help="The person's database user name.")]


def _add(name: str, password_stdin: bool, instructor: bool) -> None:
    from srs.classroom import add_person

    url, label = _server_settings()
    person = add_person(url, label, name, _password(password_stdin), instructor)
    what = "instructor" if instructor else "learner"
    typer.echo(f"added {what} {name!r}; they set (and give their password when asked):")
    typer.echo(f"SRS_DATABASE_URL={person}")


@class_app.command("add-learner")
def add_learner(name: NameArg, password_stdin: PasswordStdin = False) -> None:
    """Create a learner's login (password from a prompt, or --password-stdin)."""
    _add(name, password_stdin, instructor=False)


@class_app.command("add-instructor")
def add_instructor(name: NameArg, password_stdin: PasswordStdin = False) -> None:
    """Create an instructor's login (password from a prompt, or --password-stdin)."""
    _add(name, password_stdin, instructor=True)


REPORT_FORMATS = ("text", "json", "csv")


@class_app.command("report")
def class_report(
    decks: Annotated[list[str] | None, typer.Argument(help="Deck ids (default: all).")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only answers from this day on (YYYY-MM-DD).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    output: Annotated[
        str | None,
        typer.Option("--format", metavar="FORMAT", help="text (default), json or csv."),
    ] = None,
    by_learner: Annotated[
        bool, typer.Option("--by-learner", help="Each learner's backlog and retention.")
    ] = False,
) -> None:
    """What the class fails: hardest cards (file:line), retention, misreadings, activity."""
    from srs.classroom import report
    from srs.config import resolve
    from srs.core.days import study_day
    from srs.store import Store

    shape = _report_format(output, as_json)
    settings = resolve()
    today = study_day(settings.now, settings.tz, settings.rollover_hour)
    start = _since(since, today)
    store = Store.open(settings.db_url, settings.db_label, settings.learner)
    try:
        result = report(store, decks or [], start, today, by_learner)
    finally:
        store.close()
    if shape == "json":
        from srs.core.classreport import class_report_json

        echo_json(class_report_json(result))
    elif shape == "csv":
        from srs.core.classreport_csv import class_report_csv

        sys.stdout.write(class_report_csv(result))
    else:
        from rich.console import Console

        from srs.ui.class_screen import print_class_report

        print_class_report(Console(highlight=False), result)


def _report_format(output: str | None, as_json: bool) -> str:
    """The report's format from `--format` and `--json` (which is `--format json`)."""
    if output is not None and output not in REPORT_FORMATS:
        raise ConfigError(f"--format {output!r} is not one of: {', '.join(REPORT_FORMATS)}")
    if as_json and output not in (None, "json"):
        raise ConfigError(f"--json and --format {output} ask for two formats; give one")
    return "json" if as_json else output or "text"


def _since(since: str | None, today: date) -> date | None:
    """The `--since` day; one after today's study day is refused (it would report nothing)."""
    if not since:
        return None
    try:
        start = date.fromisoformat(since)
    except ValueError:
        raise ConfigError(f"--since {since!r} is not a date (YYYY-MM-DD)") from None
    if start > today:
        raise ConfigError(
            f"--since {start.isoformat()} is after today ({today.isoformat()}); "
            "give a day up to today"
        )
    return start
