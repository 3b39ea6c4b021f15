"""Text folded to what a narrow output encoding can write, before anything measures it.

Under `PYTHONIOENCODING=ascii` (or any encoding that cannot take a character) a curly quote
would print as `?` and an ellipsis, measured as one column, as three: lines came out too wide.
A `Fold` turns each character the encoding cannot write into an ASCII equivalent (`…` -> `...`,
curly quotes -> straight, `—` -> `--`, `é` -> `e`, a Greek letter -> its name, else a visible
escape such as `\\u2603`), and `fold_renderable` applies it to rich's text, tables, rules and
groups, so rich measures the folded text. `srs.ui.console` decides once, from the output's encoding,
whether a console folds.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import sys
import unicodedata
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Span, Text

if TYPE_CHECKING:  # a screen without card text loads no Markdown parser
    from rich.markdown import Markdown

LOOKALIKES: dict[str, str] = {
    "·": "-",
    "•": "*",
    "‣": "*",
    "─": "-",
    "━": "=",
    "│": "|",
    "┃": "|",
    "→": "->",
    "←": "<-",
    "↔": "<->",
    "⇒": "=>",
    "…": "...",
    "—": "--",
    "\u2013": "-",  # en dash
    "\u2212": "-",  # minus sign
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2033": '"',
    "«": '"',
    "»": '"',
    "\u00a0": " ",  # no-break space
    "\u202f": " ",
    "\u2009": " ",
    "\u200b": "",  # zero-width space
    "\u00d7": "x",  # multiplication sign
    "÷": "/",
    "±": "+/-",
    "≤": "<=",
    "≥": ">=",
    "≠": "!=",
    "≈": "~",
    "\u223c": "~",  # tilde operator
    "°": " deg",
    "✓": "v",
    "✔": "v",
    "✗": "x",
    "✘": "x",
    "░": "-",
    "▒": "+",
    "▓": "*",
    "█": "#",
    "▏": "|",
    "▕": "|",
    "§": "S",
    "¶": "P",
    "©": "(c)",
    "®": "(R)",
    "™": "(TM)",
    "€": "EUR",
    "£": "GBP",
}


class Fold:
    """Text made writable in `encoding`: characters it can write are kept, the others folded."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._cache: dict[str, str] = {}

    def char(self, c: str) -> str:
        """One character as the encoding can write it."""
        if c < "\x80":
            return c
        folded = self._cache.get(c)
        if folded is None:
            folded = self._cache[c] = c if self._writable(c) else _ascii(c)
        return folded

    def __call__(self, text: str) -> str:
        """`text` with every character the encoding cannot write folded."""
        if text.isascii():
            return text
        return "".join(self.char(c) for c in text)

    def keeping(self, kept: str) -> Fold:
        """This fold, but leaving the characters of `kept` as they are."""
        other = Fold(self.encoding)
        other._cache.update(self._cache)
        other._cache.update({c: c for c in kept})
        return other

    def _writable(self, c: str) -> bool:
        try:
            c.encode(self.encoding)
        except (UnicodeEncodeError, LookupError):
            return False
        return True


def _ascii(c: str) -> str:
    """An ASCII stand-in for one character: a look-alike, its letters without accents, a Greek
    letter's name, or a visible escape (never `?`)."""
    if c in LOOKALIKES:
        return LOOKALIKES[c]
    decomposed = unicodedata.normalize("NFKD", c)
    kept = "".join(part for part in decomposed if part.isascii())
    if kept.strip():
        return kept
    name = unicodedata.name(c, "")
    if name.startswith("GREEK ") and " LETTER " in name:
        letter = name.rsplit(" ", 1)[-1].lower()
        return letter.capitalize() if "CAPITAL" in name else letter
    if unicodedata.category(c) == "Mn":  # a combining mark on its own: the letter carries it
        return ""
    return f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"


def fold_text(text: Text, fold: Fold) -> Text:
    """A copy of `text` folded, its styles kept on the same characters."""
    plain = text.plain
    if plain.isascii():
        return text
    offsets = [0]
    pieces = []
    for c in plain:
        piece = fold.char(c)
        pieces.append(piece)
        offsets.append(offsets[-1] + len(piece))
    folded = text.blank_copy("".join(pieces))
    end = len(plain)
    folded.spans = [
        Span(offsets[min(s.start, end)], offsets[min(s.end, end)], s.style) for s in text.spans
    ]
    return folded


def fold_renderable(renderable: RenderableType, fold: Fold) -> RenderableType:
    """`renderable` with its text folded where rich measures it: text and strings, and the
    cells, headers and titles of tables, rule titles and what groups and paddings hold.
    Anything else is left as it is (its own text is folded when the console renders it)."""
    if isinstance(renderable, Text):
        return fold_text(renderable, fold)
    if isinstance(renderable, str):
        return fold(renderable)
    if isinstance(renderable, Table):
        return _fold_table(renderable, fold)
    if isinstance(renderable, Rule) and renderable.title:
        rule = copy.copy(renderable)
        rule.title = _fold_any(renderable.title, fold)
        return rule
    if isinstance(renderable, Group):
        parts = (fold_renderable(r, fold) for r in renderable.renderables)
        return Group(*parts, fit=renderable.fit)
    if isinstance(renderable, Padding):
        padding = copy.copy(renderable)
        padding.renderable = fold_renderable(renderable.renderable, fold)
        return padding
    markdown = sys.modules.get("rich.markdown")  # only a screen that imported it shows one
    if markdown is not None and isinstance(renderable, markdown.Markdown):
        return _fold_markdown(renderable, fold)
    return renderable


def _fold_markdown(markdown: Markdown, fold: Fold) -> Markdown:
    """A copy of `markdown` whose parsed text is folded (its markup is not parsed again)."""
    folded = copy.copy(markdown)
    folded.parsed = copy.deepcopy(markdown.parsed)
    tokens = list(folded.parsed)
    while tokens:
        token = tokens.pop()
        token.content = fold(token.content)
        tokens.extend(token.children or ())
    return folded


def _fold_any(value: str | Text, fold: Fold) -> str | Text:
    return fold(value) if isinstance(value, str) else fold_text(value, fold)


def _fold_table(table: Table, fold: Fold) -> Table:
    folded = copy.copy(table)
    if table.title is not None and isinstance(table.title, str | Text):
        folded.title = _fold_any(table.title, fold)
    if table.caption is not None and isinstance(table.caption, str | Text):
        folded.caption = _fold_any(table.caption, fold)
    folded.columns = [
        dataclasses.replace(
            column,
            header=fold_renderable(column.header, fold),
            footer=fold_renderable(column.footer, fold),
            _cells=[fold_renderable(cell, fold) for cell in column._cells],
        )
        for column in table.columns
    ]
    return folded


def cut(text: Text, width: int, fold: Fold | None = None) -> Text:
    """`text` (folded with `fold`, if any) cut to `width` columns with an ellipsis the output
    can write: `…`, or `...` when the fold cannot write `…`."""
    if fold is not None:
        text = fold_text(text, fold)
    if fold is None or fold.char(ELLIPSIS) == ELLIPSIS or text.cell_len <= width:
        text.truncate(width, overflow="ellipsis")
        return text
    text.truncate(max(0, width - len(DOTS)))
    text.append(DOTS[: max(0, width)])
    return text


ELLIPSIS, DOTS = "…", "..."
_CUT_MARK = re.compile(r"[^\n…]{0,2}…")


def ascii_ellipses(text: str) -> str:
    """Rich's own ellipsis (where it cut a line to fit) as dots in the same columns: the two
    characters before it give way, so that the line keeps its width."""
    return _CUT_MARK.sub(lambda m: "." * len(m.group()), text)
