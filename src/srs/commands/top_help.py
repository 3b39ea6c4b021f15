"""`srs --help` drawn as typer draws it, without importing typer's help module.

typer's `rich_utils` imports rich's Markdown renderer, and with it markdown-it-py and pygments,
for every help screen: about 27 ms of CPU on this machine, a fifth of `srs --help`. The top-level
help needs none of them: it is typer's rich layout (usage, text, the Options and Commands
panels) of plain text, flags and one line a command. This module draws exactly that layout
with rich's own parts, under the same styles, theme and highlighters; any other help screen is
typer's. `tests/unit/test_command_registry.py` holds its output equal to typer's own, in colour
and without, at several widths, so a typer release that draws help differently shows there.
"""

from __future__ import annotations

import inspect
from functools import cache
from os import getenv
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich is imported when the help is drawn, as in every command module
    from rich.columns import Columns
    from rich.console import Console, Group
    from rich.highlighter import RegexHighlighter
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

_THEME = {
    "option": "bold cyan",
    "switch": "bold green",
    "negative_option": "bold magenta",
    "negative_switch": "bold red",
    "types": "bold yellow",
    "types_sep": "dim",
    "usage": "yellow",
}
_DIM = "dim"
_COMMAND_COLUMN = "bold cyan"
_HIGHLIGHTS = {
    "options": [
        r"(^|\W)(?P<switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
        r"(?P<types>\<[^\>]+\>)",
        r"(?P<usage>Usage: )",
    ],
    "negative": [
        r"(^|\W)(?P<negative_switch>\-\w+)(?![a-zA-Z0-9])",
        r"(^|\W)(?P<negative_option>\-\-[\w\-]+)(?![a-zA-Z0-9])",
    ],
    "types": [
        r"^(?P<types_sep>(\[|<))",
        r"(?P<types_sep>\|)",
        r"(?P<types_sep>(\]|>))(\.\.\.)?$",
    ],
}
"""typer's three highlighters (`rich_utils.OptionHighlighter`, ...), by their patterns."""


@cache
def _highlighter(name: str) -> RegexHighlighter:
    from rich.highlighter import RegexHighlighter

    made: RegexHighlighter = type(name, (RegexHighlighter,), {"highlights": _HIGHLIGHTS[name]})()
    return made


def drawable(group_: Any, ctx: Any) -> bool:
    """Whether this module draws the group's help as typer would: rich help in rich markup
    mode, every parameter an option without a value (a flag), none required."""
    from typer.core import HAS_RICH, TyperArgument

    if not HAS_RICH or getattr(group_, "rich_markup_mode", None) != "rich" or group_.deprecated:
        return False
    for param in group_.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        if isinstance(param, TyperArgument) or param.required or getattr(param, "envvar", None):
            return False
        if getattr(param, "rich_help_panel", None) or not getattr(param, "is_flag", False):
            return False
        if param.display_type_rich(ctx=ctx) is not None:
            return False
        if getattr(param, "_get_number_range_help_str", lambda: "")():
            return False
    commands = [group_.get_command(ctx, name) for name in group_.list_commands(ctx)]
    return not any(c is not None and (c.deprecated or c.rich_help_panel) for c in commands)


def _console() -> Console:
    from rich.console import Console
    from rich.theme import Theme

    asked = getenv("GITHUB_ACTIONS") or getenv("FORCE_COLOR") or getenv("PY_COLORS")
    force = True if asked else None
    if getenv("_TYPER_FORCE_DISABLE_TERMINAL"):
        force = False
    width = getenv("TERMINAL_WIDTH")
    return Console(
        theme=Theme(_THEME),
        highlighter=_highlighter("options"),
        color_system="auto",
        force_terminal=force,
        width=int(width) if width else None,
    )


def _text(text: str, style: str = "") -> Text:
    from rich.text import Text

    text = inspect.cleandoc(text)
    if "\033[" in text:
        return _highlighter("options")(Text.from_ansi(text, style=style))
    return _highlighter("options")(Text.from_markup(text, style=style))


def _help_text(help_: str) -> Group:
    from rich.console import Group
    from rich.text import Text

    first, *rest = inspect.cleandoc(help_).partition("\f")[0].split("\n\n")
    if not first.startswith("\b"):
        first = first.replace("\n", " ")
    parts: list[Text] = [_text(first.strip())]
    if rest:
        parts += [Text(""), _text("\n\n".join(rest), style=_DIM)]
    return Group(*parts)


def _option_help(param: Any, ctx: Any) -> Columns:
    from rich.columns import Columns
    from rich.text import Text
    from typer.core import TyperOption

    items: list[Text] = []
    if param.help:
        paragraphs = [
            p.replace("\n", " ").strip() if not p.startswith("\b") else p.strip("\b\n") + "\n"
            for p in param.help.split("\n\n")
        ]
        items.append(_text("\n".join(paragraphs).strip()))
    if not isinstance(param, TyperOption):
        return Columns(items)
    default = param._extract_default_help_str(ctx=ctx)
    shown_as = isinstance(param.show_default, str)
    if shown_as or (default is not None and (param.show_default or ctx.show_default)):
        text = param._get_default_string(
            ctx=ctx, show_default_is_str=shown_as, default_value=default
        )
        if text:
            items.append(Text(f"[default: {text}]", style=_DIM))
    return Columns(items)


def _panel(table: Table, title: str) -> Panel:
    from rich.panel import Panel

    return Panel(table, border_style=_DIM, title=title, title_align="left")


def _table(highlight: bool) -> Table:
    from rich.table import Table

    return Table(
        highlight=highlight,
        show_header=False,
        expand=True,
        box=None,
        show_lines=False,
        leading=0,
        border_style=None,
        row_styles=None,
        pad_edge=False,
        padding=(0, 1),
    )


def draw(group_: Any, ctx: Any) -> None:
    """Print the group's help (a group `drawable` says this module draws)."""
    from rich.align import Align
    from rich.padding import Padding
    from rich.text import Text

    options, negative, types = (_highlighter(n) for n in ("options", "negative", "types"))
    console = _console()
    console.print(Padding(options(group_.get_usage(ctx)), 1), style="bold")
    if group_.help:
        console.print(Padding(Align(_help_text(group_.help), pad=False), (0, 1, 1, 1)))
    table = _table(highlight=True)
    for param in group_.get_params(ctx):
        if getattr(param, "hidden", False):
            continue
        table.add_row(
            options(",".join(o for o in param.opts if "--" in o)),
            options(",".join(o for o in param.opts if "--" not in o)),
            negative(",".join(o for o in param.secondary_opts if "--" in o)),
            negative(",".join(o for o in param.secondary_opts if "--" not in o)),
            types(Text(style="bold yellow", overflow="fold")),
            _option_help(param, ctx),
        )
    if table.row_count:
        console.print(_panel(table, "Options"))
    commands = [group_.get_command(ctx, name) for name in group_.list_commands(ctx)]
    shown = [c for c in commands if c is not None and not c.hidden]
    width = max((len(c.name or "") for c in shown), default=0)
    table = _table(highlight=False)
    table.add_column(style=_COMMAND_COLUMN, no_wrap=True, width=width)
    table.add_column("Description", justify="left", no_wrap=False, ratio=10)
    for command in shown:
        first = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
        if first.startswith("\b"):
            first = first.replace("\b\n", "")
        table.add_row(Text(command.name or ""), _text(first.strip()))
    if table.row_count:
        console.print(_panel(table, "Commands"))
    if group_.epilog:
        epilog = "\n\n".join(group_.epilog.split("\n\n"))
        console.print(Padding(Align(_text(epilog), pad=False), 1))
