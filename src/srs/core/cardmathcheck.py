"""A quick pass that clears simple LaTeX without pylatexenc, for the deck checker's speed.

pylatexenc's walker takes about 0.3 ms a formula, and every card of a paper deck may hold a
different one, so `cardmath.latex_problem` first asks `plainly_fine`: a small reader of the same
grammar the walker reads (characters, `{...}` groups, commands and their `{` arguments, with the
argument specifications taken from pylatexenc's own default context). It answers only "fine" or
"not sure": whatever it is not sure of (a `%` comment, `$`, an environment, math-mode commands,
optional or starred arguments, a refused command, a missing argument, deep nesting) goes to
pylatexenc, which has the last word and writes the message. Tests hold the two to the same
verdict on a corpus and on generated formulas: whenever this says fine, pylatexenc finds nothing.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Set
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pylatexenc.macrospec import LatexContextDb

# Comments, math shifts, parameters and control characters (tab and newline are whitespace).
_UNSURE_CHARS = re.compile(r"[%$#\x00-\x08\x0b-\x1f\x7f]")
# Environments and math-mode switches: the walker pairs them, so they are left to it.
_UNSURE_COMMANDS = frozenset({"begin", "end", "(", ")", "[", "]"})
_BRACE_OR_COMMAND = re.compile(r"[{}\\]")
_NAME = re.compile(r"[A-Za-z]+")
_SPACE = re.compile(r"[ \t\n]*")
MAX_DEPTH = 32


class _Unsure(Exception):
    """The quick pass cannot vouch for this formula."""


@functools.cache
def walker_context() -> LatexContextDb:
    """pylatexenc's default context for its walker, built once (it costs as much as a parse)."""
    from pylatexenc.latexwalker import get_default_latex_context_db

    return get_default_latex_context_db()


@functools.cache
def _argspec(name: str) -> str | None:
    """The argument specification of command `name` in the walker's context (`"{{"` for
    `\\frac`), "" for a command with none, None for one read some other way."""
    spec = walker_context().get_macro_spec(name)
    if spec is None:
        return ""
    argspec = getattr(spec.args_parser, "argspec", None)
    return argspec if isinstance(argspec, str) else None


def plainly_fine(latex: str, refused: Set[str]) -> bool:
    """True when pylatexenc's walker would parse `latex` without an error and find no command
    of `refused` in it; False when this quick pass is not sure (ask pylatexenc)."""
    if _UNSURE_CHARS.search(latex):
        return False
    try:
        return _Reader(latex, refused).nodes(0, 0) == len(latex)
    except _Unsure:
        return False


class _Reader:
    def __init__(self, text: str, refused: Set[str]) -> None:
        self.text = text
        self.refused = refused

    def nodes(self, pos: int, depth: int) -> int:
        """Read nodes from `pos` up to a closing brace (at depth > 0) or the end; where it
        stopped."""
        text = self.text
        while True:
            found = _BRACE_OR_COMMAND.search(text, pos)
            if found is None:
                return len(text)
            pos = found.start()
            ch = text[pos]
            if ch == "}":
                if depth == 0:
                    raise _Unsure  # a stray brace: the walker's error
                return pos
            pos = self.group(pos, depth) if ch == "{" else self.command(pos, depth)

    def group(self, pos: int, depth: int) -> int:
        """Read the `{...}` group opening at `pos`; the position after its `}`."""
        if depth >= MAX_DEPTH:
            raise _Unsure
        end = self.nodes(pos + 1, depth + 1)
        if end >= len(self.text):
            raise _Unsure  # never closed
        return end + 1

    def name(self, pos: int) -> tuple[str, int]:
        """The command whose backslash is at `pos`, and the position after its name."""
        found = _NAME.match(self.text, pos + 1)
        if found is not None:
            name, after = found.group(), found.end()
        elif pos + 1 < len(self.text):
            name, after = self.text[pos + 1], pos + 2
        else:
            raise _Unsure  # a lone backslash at the end
        if name in self.refused or name in _UNSURE_COMMANDS:
            raise _Unsure
        return name, after

    def command(self, pos: int, depth: int) -> int:
        """Read the command at `pos` with its arguments; the position after them."""
        name, pos = self.name(pos)
        argspec = _argspec(name)
        if argspec is None or argspec.strip("{"):
            raise _Unsure  # optional or starred arguments: the walker's own rules
        for _ in argspec:
            space = _SPACE.match(self.text, pos)
            assert space is not None  # the pattern matches the empty string
            if "\n\n" in space.group():
                raise _Unsure  # a paragraph break before an argument
            pos = space.end()
            if pos >= len(self.text):
                raise _Unsure  # the argument is missing
            ch = self.text[pos]
            if ch == "{":
                pos = self.group(pos, depth)
            elif ch == "\\":
                pos = self.name(pos)[1]  # a command as an argument is taken without its own
            elif ch.isalnum() and ch.isascii():
                pos += 1
            else:
                raise _Unsure
        return pos
