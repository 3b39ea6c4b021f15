"""The `srs` command line: parses arguments, calls services, and turns `SrsError` into one line.

The commands live in `srs.commands`, one module a concern, registered on the typer app of
`srs.commands.base`; this module gathers them and holds the entry point, the one place where
errors become a line. A run imports only the module of the command it names, and `srs --help`
none (it lists the commands from `srs.commands.registry`); heavy libraries (sqlalchemy, rich,
genanki) are imported inside the commands that use them, so that `srs --help` and shell
completion start fast.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from srs.commands.base import app as _app
from srs.commands.registry import COMMAND_MODULES, MODULES, load_module
from srs.core.errors import DeckFileError, SrsError

_everything = False


def register(argv: Sequence[str] | None = None) -> None:
    """Import the command modules that this run needs. Given the arguments of a run that names a
    command, only the module of that command: typer builds a click command for every command
    registered, and a run needs one. Given arguments that name none (`srs --help`, `srs
    --version`, no arguments), none: the help lists the commands from `srs.commands.registry`.
    Called without `argv` (`srs.cli.app`), or for shell completion, all of them."""
    global _everything
    completing = bool(os.environ.get("_SRS_COMPLETE"))
    if argv is not None and not completing:
        name = next((a for a in argv if not a.startswith("-")), "")
        if name in COMMAND_MODULES:
            load_module(COMMAND_MODULES[name])
        return
    if _everything:
        return
    for module in MODULES:
        load_module(module)
    _everything = True


def __getattr__(name: str) -> typer.Typer:
    """`srs.cli.app`: the whole app, every command registered."""
    if name == "app":
        register()
        return _app
    raise AttributeError(name)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"srs {version('srs')}")
        except PackageNotFoundError:
            typer.echo("srs (version unknown: not installed)")
        raise typer.Exit()


@_app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Spaced repetition for research papers: an honest SM-2 review in the terminal."""


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

    The command runs without Python's cyclic garbage collector: start-up builds some 50,000
    tracked objects that nearly all live to the end (modules, classes, SQLAlchemy's constructs),
    and every collection would walk them for nothing (one run of `srs status` spent 30 to 50 ms
    in collections, a full one among them). A command that then waits on a person turns it back
    on (`srs.commands.base.long_running`); the collector's state is restored on return.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        _run()
    finally:
        gc.unfreeze()  # in a process that goes on (tests), as before
        if collecting:
            gc.enable()


def _run() -> None:
    """Register what this run needs, run it, and turn every error into one line."""
    register(sys.argv[1:])
    try:
        code = _app(standalone_mode=False)  # so usage errors come here, to be put on one line
        sys.exit(code if isinstance(code, int) else 0)
    except _usage_errors() as exc:
        from srs.core.cardtext import printable  # this and below: loaded only on an error

        usage: Any = exc  # click's ClickException: ctx, format_message(), exit_code
        if not usage.format_message().strip():  # no subcommand: the help, printed already
            sys.exit(0)
        ctx = getattr(usage, "ctx", None)
        where = ctx.command_path if ctx else "srs"
        message = printable(usage.format_message())  # it may quote an argument as typed
        typer.echo(f"srs: error: {message} (see: {printable(where)} --help)", err=True)
        sys.exit(usage.exit_code)
    except typer.Abort:  # a confirmation prompt closed by Ctrl-C or end of input
        typer.echo("srs: aborted", err=True)
        sys.exit(1)
    except DeckFileError as exc:
        from srs.core.cardtext import printable

        if exc.problems:  # a checker's diagnostics, one ruff-style line each
            for problem in exc.problems:
                typer.echo(problem.format(), err=True)
        else:
            typer.echo(f"srs: error: {printable(str(exc))}", err=True)
        sys.exit(1)
    except SrsError as exc:  # messages quote paths and ids: shown, never obeyed by the terminal
        from srs.core.cardtext import printable

        typer.echo(f"srs: error: {printable(str(exc))}", err=True)
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
        from srs.core.cardtext import printable

        first = printable(str(exc).splitlines()[0]) if str(exc) else ""
        typer.echo(
            f"srs: internal error: {type(exc).__name__}: {first} "
            "(a bug; run again with SRS_DEBUG=1 for the traceback)",
            err=True,
        )
        sys.exit(2)
