"""Typer's parameter conversion without pydantic, for the plain types srs's options use.

typer (0.29) converts every non-flag parameter through a pydantic `TypeAdapter`, built when the
command runs; importing pydantic for that costs about 80 ms of a command's start-up (measured
with `python -X importtime`), more than the SQL of `srs status`. srs's options are all plain:
`str`, `Path`, `int` (with typer's `min`/`max`), `bool` and lists of them. `SrsGroup`, the class of
every srs typer app, gives the resolved command's parameters a converter of the same behaviour
and the same messages for these types before typer would build its adapter; a parameter of any
other type is left to typer. If typer's internals are not what this was written against, it
changes nothing and typer works as it does on its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.core import TyperGroup

try:
    from typer._click.exceptions import BadParameter
    from typer._coercion import RuntimeParam
    from typer._param_types import coerce_cli_path
    from typer.core import _TyperParameter
except ImportError:  # pragma: no cover - another typer: leave conversion to it
    RuntimeParam = None  # type: ignore[assignment,misc]


def _to_int(value: Any, minimum: float | None, maximum: float | None) -> int:
    """An int as pydantic's lax mode reads it, with its messages (typer shows them)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("Input should be a valid integer")
    if isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            raise ValueError(
                "Input should be a valid integer, unable to parse string as an integer"
            ) from None
    else:
        number = value
    if minimum is not None and number < minimum:
        raise ValueError(f"Input should be greater than or equal to {minimum}")
    if maximum is not None and number > maximum:
        raise ValueError(f"Input should be less than or equal to {maximum}")
    return number


_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


def _to_bool(value: Any) -> bool:
    """A flag's value (typer passes flags as bools already; an environment value as text)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("Input should be a valid boolean")


if RuntimeParam is not None:

    class _Plain(RuntimeParam):
        """Conversion of `str`, `Path`, `int` and lists of one of them."""

        def _one(self, kind: Any, value: Any, param: Any, ctx: Any) -> Any:
            info = self.parameter_info
            if kind is str:
                if isinstance(value, bytes):
                    return value.decode("utf-8", "replace")
                return str(value)
            try:
                if kind is bool:
                    return _to_bool(value)
                if kind is int:
                    return _to_int(value, info.min, info.max)
            except ValueError as exc:
                raise BadParameter(str(exc), ctx=ctx, param=param) from None
            if isinstance(value, bytes):
                value = value.decode("utf-8", "replace")
            if isinstance(value, str):
                value = Path(value)  # as pydantic's adapter makes it, without pydantic
            return coerce_cli_path(value, info, path_type=Path, param=param, ctx=ctx)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            annotation = self.annotation
            if annotation in _ITEMS:
                kind = _ITEMS[annotation]
                items = value if isinstance(value, list | tuple) else [value]
                return [self._one(kind, item, param, ctx) for item in items]
            return self._one(annotation, value, param, ctx)


_ITEMS: dict[Any, type] = {list[str]: str, list[Path]: Path, list[int]: int}


def _plain(param: Any) -> bool:
    """Whether srs converts this parameter itself: a plain type, no parser or path checks."""
    descriptor = param.type_descriptor
    info = descriptor.parameter_info
    annotation = descriptor.annotation
    if descriptor.file_annotation is not None or info.parser is not None or info.clamp:
        return False
    if annotation not in (str, int, bool, Path) and annotation not in _ITEMS:
        return False
    kinds = {annotation, _ITEMS.get(annotation)}
    if Path in kinds:
        checks = (info.exists, info.resolve_path, info.path_type, info.allow_dash)
        checks_on = any(checks) or not (info.file_okay and info.dir_okay)
        if checks_on or info.writable or info.readable is False:
            return False
    return int in kinds or (info.min is None and info.max is None)


_TYPE_NAMES: dict[Any, str] = {str: "TEXT", int: "N", float: "NUMBER", Path: "PATH"}


def name_plainly(param: Any) -> None:
    """What `--help` shows of a parameter: a word for its value (TEXT, N, PATH), never a Python
    type (`<list[str]>`, `<bool>`); nothing for a flag; an argument by its name in capitals,
    the same in the usage line and the table (`[DECKS]...`, `CARDS...`, `CARD`)."""
    if getattr(param, "_srs_named", False):
        return
    param._srs_named = True
    annotation = param.type_descriptor.annotation
    kind = _ITEMS.get(annotation, annotation)
    if getattr(param, "param_type_name", "") == "argument":
        name = param.metavar or param.name.upper()
        param.metavar = name
        shown = f"{name}..." if param.nargs != 1 else name
        usage = shown if param.required else f"[{shown}]"
        param._usage_display_name = lambda: usage
        param._rich_display_name = lambda: shown
        param.display_type_rich = lambda ctx: None
    elif getattr(param, "is_flag", False) or kind is bool:
        param.display_type_rich = lambda ctx: None
    elif param.metavar is None and kind in _TYPE_NAMES:
        param.metavar = _TYPE_NAMES[kind]


def use_plain_params(command: Any, ctx: Any) -> None:
    """Give `command`'s plain parameters, its help option included, srs's converter (once;
    others are left to typer). `ctx` is the command's context or its parent's, from which it
    takes its help option names."""
    if RuntimeParam is None:  # pragma: no cover
        return
    help_option = command.get_help_option(ctx)
    for param in [*getattr(command, "params", ()), help_option]:
        if not isinstance(param, _TyperParameter):
            continue
        name_plainly(param)
        if getattr(param, "_runtime_param", True) is not None:
            continue
        if _plain(param):
            descriptor = param.type_descriptor
            param._runtime_param = _Plain(descriptor.parameter_info, descriptor.annotation)


def flow_help(command: Any) -> None:
    """Join the lines of each paragraph of a command's help (its docstring's line breaks), so
    that the terminal wraps sentences at its own width instead of breaking them mid-line. A
    paragraph whose lines are a list (`- ` items) or marked with `\\b` is kept as written."""
    text = getattr(command, "help", None)
    if not text or getattr(command, "_srs_flowed", False):
        return
    command._srs_flowed = True
    paragraphs = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.splitlines()
        if paragraph.startswith("\b") or any(line.lstrip().startswith("- ") for line in lines):
            paragraphs.append(paragraph)
        else:
            paragraphs.append(" ".join(line.strip() for line in lines))
    command.help = "\n\n".join(paragraphs)


class SrsGroup(TyperGroup):
    """typer's group, with srs's converter for the plain parameters of the command it runs,
    and help that names values plainly and flows to the terminal's width."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """typer's own, with the listed commands' help flowed (`flow_help`)."""
        flow_help(self)
        for command in self.commands.values():
            flow_help(command)
        super().format_help(ctx, formatter)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        """typer's own, with the plain converter for the group's own options."""
        use_plain_params(self, ctx)
        rest: list[str] = super().parse_args(ctx, args)
        return rest

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """typer's own, then the plain converter for the resolved command's parameters."""
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            use_plain_params(command, ctx)
            flow_help(command)
        return name, command, rest
