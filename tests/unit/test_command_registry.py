"""A run that names a command imports only that command's module (srs.cli.register); the map
from command to module must name every command where it is registered."""

from __future__ import annotations

from srs import cli


def test_the_command_map_names_the_module_of_every_command() -> None:
    app = cli.app  # every command registered
    found = {c.name or c.callback.__name__: c.callback.__module__ for c in app.registered_commands}
    assert {name: f"srs.commands.{cli.COMMAND_MODULES[name]}" for name in found} == found
    groups = {g.name for g in app.registered_groups}
    assert groups | set(found) == set(cli.COMMAND_MODULES)
    for group in app.registered_groups:
        module = f"srs.commands.{cli.COMMAND_MODULES[group.name or '']}"
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


def test_help_lists_the_commands_in_the_same_order_whichever_ran_first() -> None:
    cli.register(["status"])
    app = cli.app
    modules = [c.callback.__module__ for c in app.registered_commands if c.callback]
    order = [f"srs.commands.{m}" for m in cli.MODULES]
    assert modules == sorted(modules, key=order.index)
