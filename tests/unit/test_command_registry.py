"""The registry of top-level commands (srs.commands.registry) against the real typer app: a run
that names a command imports only that command's module, and `srs --help` lists every command
from the registry without importing any, so the registry must name every command, its module,
its help line and its place exactly as the real app has them."""

from __future__ import annotations

import gc
import inspect
from pathlib import Path
from typing import Any

import pytest
import typer.main

from helpers import run_srs, srs_env
from srs import cli
from srs.commands.base import Placeholder, TopGroup
from srs.commands.plain_params import flow_help
from srs.commands.registry import COMMAND_MODULES, COMMANDS


def full_group() -> Any:
    """The top-level click group with every command module imported."""
    return typer.main.get_command(cli.app)


def listed_line(command: Any) -> str:
    """What `srs --help` shows beside a command: the first paragraph of its flowed help."""
    flow_help(command)
    return inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0].strip()


def test_the_registry_names_the_module_of_every_command() -> None:
    app = cli.app  # every command registered
    found = {c.name or c.callback.__name__: c.callback.__module__ for c in app.registered_commands}
    assert {name: f"srs.commands.{COMMAND_MODULES[name]}" for name in found} == found
    groups = {g.name for g in app.registered_groups}
    assert groups | set(found) == set(COMMAND_MODULES)
    for group in app.registered_groups:
        module = f"srs.commands.{COMMAND_MODULES[group.name or '']}"
        typer_app = group.typer_instance
        assert typer_app is not None
        owners = {c.callback.__module__ for c in typer_app.registered_commands if c.callback}
        owners |= {
            g.typer_instance.registered_callback.callback.__module__
            for g in typer_app.registered_groups
            if g.typer_instance
            and g.typer_instance.registered_callback
            and g.typer_instance.registered_callback.callback
        }
        assert owners <= {module}, (group.name, owners)


def test_the_registry_holds_each_commands_help_line_as_the_real_command_has_it() -> None:
    group = full_group()
    real = {name: listed_line(command) for name, command in group.commands.items()}
    assert real == {entry.name: entry.summary for entry in COMMANDS}
    assert not any(isinstance(c, Placeholder) for c in group.commands.values())


@pytest.mark.parametrize("rich", ["1", "0"], ids=["rich help", "plain help"])
def test_help_from_the_registry_reads_as_help_from_the_loaded_commands(
    rich: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TYPER_USE_RICH", rich)
    monkeypatch.setenv("COLUMNS", "100")
    loaded = full_group()
    lazy = full_group()
    assert isinstance(lazy, TopGroup)
    for entry in COMMANDS:  # as if no command module were imported
        lazy.commands[entry.name] = Placeholder(name=entry.name, help=entry.summary)
    texts = []
    for group in (loaded, lazy):
        with group.make_context("srs", [], resilient_parsing=True) as ctx:
            printed = group.get_help(ctx)  # rich prints it; plain returns it
        texts.append(printed + capsys.readouterr().out)
    assert "unsuspend" in texts[0]
    assert texts[1] == texts[0]


def test_a_command_not_loaded_is_loaded_when_it_is_resolved() -> None:
    group = full_group()
    group.commands["status"] = Placeholder(name="status", help="placeholder")
    with group.make_context("srs", [], resilient_parsing=True) as ctx:
        command = group.get_command(ctx, "status")
    assert not isinstance(command, Placeholder)
    assert command is not None and command.callback is not None
    assert any(p.name == "decks" for p in command.params)


def test_a_run_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    # srs.cli.main runs the command without the cyclic collector (start-up), then restores it.
    assert gc.isenabled()
    done = run_srs(["--version"], srs_env(tmp_path / "srs.db", "2026-02-02T09:00"))
    assert done.returncode == 0 and done.stdout.startswith("srs ")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize("columns", [40, 80, 132])
def test_the_top_level_help_is_drawn_as_typer_draws_it(
    columns: int,
    colour: bool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import typer.rich_utils

    from srs.commands import top_help

    monkeypatch.setenv("COLUMNS", str(columns))
    if colour:
        monkeypatch.setenv("FORCE_COLOR", "1")
        monkeypatch.setattr(typer.rich_utils, "FORCE_TERMINAL", True)  # read at its import
    group = full_group()
    drawn = []
    with group.make_context("srs", [], resilient_parsing=True) as ctx:
        assert top_help.drawable(group, ctx)
        for command in [group, *group.commands.values()]:
            flow_help(command)
        typer.rich_utils.rich_format_help(obj=group, ctx=ctx, markup_mode="rich")
        drawn.append(capsys.readouterr().out)
        top_help.draw(group, ctx)
        drawn.append(capsys.readouterr().out)
    assert "Commands" in drawn[0] and ("\x1b[" in drawn[0]) == colour
    assert drawn[1] == drawn[0]


def test_help_of_a_command_with_arguments_is_left_to_typer() -> None:
    from srs.commands import top_help

    group = full_group()
    deck = group.commands["deck"]
    check = deck.commands["check"]
    with check.make_context("check", ["x.toml"], resilient_parsing=True) as ctx:
        assert not top_help.drawable(check, ctx)
