"""`srs class ...`: a class on one PostgreSQL server (set up, add people, the report).

Heavy libraries are imported inside the commands.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from srs.commands.base import app, echo_json
from srs.commands.plain_params import SrsGroup
from srs.core.errors import ConfigError

if TYPE_CHECKING:
    from srs.store.server import Timeouts

class_app = typer.Typer(
    cls=SrsGroup,
    help="A class on one PostgreSQL server: roles, learners, and the instructor's report.",
    no_args_is_help=True,
)
app.add_typer(class_app, name="class")


def _server_settings() -> tuple[str, str, Timeouts]:
    from srs.config import resolve
    from srs.store.server import Timeouts

    settings = resolve()
    if settings.db_path is not None or settings.db_url.startswith("sqlite"):
        raise ConfigError("a class needs a PostgreSQL server: set SRS_DATABASE_URL")
    return settings.db_url, settings.db_label, Timeouts(settings.server_timeout)


@class_app.command("init")
def class_init() -> None:
    """Create or upgrade the schema, roles, policies and bundled decks (idempotent)."""
    from srs.classroom import init_class
    from srs.config import resolve

    url, label, timeouts = _server_settings()
    made = init_class(url, label, resolve().now, timeouts)  # the clock as every command reads it
    if made:
        for change in made:
            typer.echo(
                f"created {change}" if not change.startswith(("revoked", "moved")) else change
            )
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
    import shlex

    from srs.classroom import add_person
    from srs.core.cardtext import printable

    url, label, timeouts = _server_settings()
    person = add_person(url, label, name, _password(password_stdin), instructor, timeouts)
    what = "instructor" if instructor else "learner"
    typer.echo(f"added {what} {printable(name)!r}; they set (and give their password when asked):")
    typer.echo(f"export SRS_DATABASE_URL={shlex.quote(person)}")


@class_app.command("add-learner")
def add_learner(name: NameArg, password_stdin: PasswordStdin = False) -> None:
    """Create a learner's login (password from a prompt, or --password-stdin)."""
    _add(name, password_stdin, instructor=False)


@class_app.command("add-instructor")
def add_instructor(name: NameArg, password_stdin: PasswordStdin = False) -> None:
    """Create an instructor's login (password from a prompt, or --password-stdin)."""
    _add(name, password_stdin, instructor=True)


@class_app.command("set-password")
def set_password(name: NameArg, password_stdin: PasswordStdin = False) -> None:
    """Set a learner's or instructor's password (the admin; prompt or --password-stdin)."""
    from srs.classroom import change_password
    from srs.core.cardtext import printable

    url, label, timeouts = _server_settings()
    change_password(url, label, name, _password(password_stdin), timeouts)
    typer.echo(f"password of {printable(name)!r} changed")


@class_app.command("passwd")
def passwd(password_stdin: PasswordStdin = False) -> None:
    """Change your own password (prompt, or --password-stdin)."""
    from srs.classroom import change_password

    url, label, timeouts = _server_settings()
    change_password(url, label, None, _password(password_stdin), timeouts)
    typer.echo("your password is changed; update PGPASSWORD or ~/.pgpass")


@class_app.command("remove-learner")
def remove_learner(
    name: NameArg,
    keep_history: Annotated[
        bool,
        typer.Option(
            "--keep-history", help="Keep their answers in the report, under 'NAME (removed DAY)'."
        ),
    ] = False,
) -> None:
    """Drop a learner's (or instructor's) login; their answers are deleted unless kept."""
    from srs.classroom import remove_person
    from srs.commands.base import today_of
    from srs.config import resolve
    from srs.core.cardtext import printable
    from srs.core.wording import plural

    url, label, timeouts = _server_settings()
    answers, kept = remove_person(url, label, name, keep_history, today_of(resolve()), timeouts)
    if keep_history:
        typer.echo(
            f"removed {printable(name)!r}; {plural(answers, 'answer')} kept as {printable(kept)!r}"
        )
    else:
        typer.echo(f"removed {printable(name)!r} and deleted {plural(answers, 'answer')}")


@class_app.command("roster")
def class_roster(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every learner and instructor, including those who never started, with their last day."""
    from srs.classroom import class_roster as read_roster

    url, label, timeouts = _server_settings()
    entries = read_roster(url, label, timeouts)
    if as_json:
        echo_json(
            [
                {
                    "name": e.name,
                    "role": "instructor" if e.instructor else "learner",
                    "answers": e.answers,
                    "last_day": e.last_day.isoformat() if e.last_day else None,
                }
                for e in entries
            ]
        )
        return
    from rich.console import Console

    from srs.ui.roster_screen import roster_view

    Console(highlight=False).print(roster_view(entries))


@class_app.command("repair")
def class_repair() -> None:
    """Rebuild the report's running totals from the log (an instructor)."""
    from srs.classroom import repair_totals
    from srs.core.wording import plural

    url, label, timeouts = _server_settings()
    skipped = repair_totals(url, label, timeouts)
    typer.echo("rebuilt the report's totals from the log")
    if skipped:
        typer.echo(f"left out {plural(skipped, 'answer')} dated or graded out of range")


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
    from srs.store.server import Timeouts

    shape = _report_format(output, as_json)
    settings = resolve()
    today = study_day(settings.now, settings.tz, settings.rollover_hour)
    start = _since(since, today)
    store = Store.open(
        settings.db_url, settings.db_label, settings.learner, Timeouts(settings.server_timeout)
    )
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
