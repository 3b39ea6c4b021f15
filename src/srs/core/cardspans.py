"""Where math and figures are in card Markdown, with their offsets, from one parse.

`$...$` and `$$...$$` are found by mdit-py-plugins' dollarmath, the plugin markdown-it-py's own
project keeps, and figures (`![alt](path)`) by markdown-it's image rule: never a hand-written
scanner, so code spans, code blocks and `\\$` are left alone the way a reader expects. A `$` that
opens nothing is kept as a stray dollar, for the checker to report (money such as `$5` is warned
about, any other is an error). markdown-it gives inline tokens no offsets; they are found in the
source in order, each search starting after the last token found, as `cardtext` finds raw HTML.
Results are cached by text: a deck of 10,000 cards parses each card once, and the same
tokens serve the Anki HTML (`tokens`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MATH_TOKENS = frozenset({"math_inline", "math_inline_double", "math_block", "math_block_label"})


@dataclass(frozen=True, slots=True)
class MathSpan:
    """One piece of math: its LaTeX, whether it is displayed on its own line, and where it is
    (`start` at its first `$`, `end` past its last; -1 when it could not be placed)."""

    latex: str
    display: bool
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class FigureRef:
    """One Markdown image: its alt text, its path as written, and where it is (as `MathSpan`)."""

    alt: str
    path: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Spans:
    """What a card text holds besides Markdown: math, figures, and the offsets of stray `$`."""

    math: tuple[MathSpan, ...] = ()
    figures: tuple[FigureRef, ...] = ()
    stray_dollars: tuple[int, ...] = ()


NONE = Spans()


def parser() -> MarkdownIt:
    """A new CommonMark parser with dollarmath, raw HTML off: how card text reads math and
    figures, for rendering it.

    `$` must hug its content (`$ x$` is not math) and a closing `$` may not be followed by a
    digit, so `$5 and $10` is money, not math (Pandoc's rule).
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False})
    return md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)


@functools.cache
def _parser() -> MarkdownIt:
    # `text_join` off keeps an escaped `\$` (text_special) apart from a stray `$` (text).
    return parser().disable("text_join")


def spans(text: str) -> Spans:
    """The math, figures and stray dollars of card Markdown `text`, cached by content."""
    if "$" not in text and "![" not in text:
        return NONE
    return _spans(text)


# One line that starts with a letter, with no surrounding space: CommonMark reads it as one
# paragraph whatever follows (no block starts with a letter, and setext needs a second line).
_ONE_PARAGRAPH = re.compile(r"[A-Za-z][^\n\r\x00]*")


@functools.lru_cache(maxsize=16384)
def tokens(text: str) -> tuple[Token, ...]:
    """markdown-it's tokens for card Markdown `text` (dollarmath on, `text_join` off), parsed
    once and cached by content: the checker reads its spans (`spans`) and the Anki HTML is
    rendered from the same tokens (`cardtext.render_markdown`). Read-only.

    One line that is plainly a paragraph skips the block parser: its inline tokens are wrapped
    in the paragraph tokens the block parser would have made (tests hold the two equal).
    """
    md = _parser()
    if _ONE_PARAGRAPH.fullmatch(text) is None or text[-1].isspace():
        return tuple(md.parse(text))
    from markdown_it.token import Token

    (inline,) = md.parseInline(text)
    inline.level, inline.block = 1, True
    opening = Token("paragraph_open", "p", 1, map=[0, 1], block=True)
    return opening, inline, Token("paragraph_close", "p", -1, block=True)


# The quick reading (`quick_spans`): one paragraph line of plain characters, code spans with
# no `$` and `$...$` math with no backtick. Nothing here is read two ways by markdown-it: no
# escape, link, image, autolink, entity or double backtick outside math.
_QUICK = re.compile(r"(?:[^$\\`\[\]<&\n\r\x00]++|(?<!`)`[^`$\n\r]++`(?!`)|\$[^$`\n\r]++\$)*+")


@functools.lru_cache(maxsize=16384)
def quick_spans(text: str) -> Spans | None:
    """The spans of a line that is plainly text, code spans and `$...$` math, found without
    markdown-it, exactly as dollarmath finds them (tests hold the two equal); None for any
    other text, and for any `$` dollarmath would not open or close (left to the full parse).
    Cached by content: the check and the Anki HTML (`cardtext`) ask for the same text."""
    first = text[:1]
    if not (first.isascii() and first.isalpha()) or text[-1].isspace() or "``" in text:
        return None  # `_QUICK` keeps out line breaks: then `_ONE_PARAGRAPH` holds
    if _QUICK.fullmatch(text) is None:
        return None
    from markdown_it.common.utils import isWhiteSpace

    # Every `$` of such a line delimits math (neither text nor code holds one): they pair up.
    math: list[MathSpan] = []
    parts = text.split("$")
    start = len(parts[0])
    for i in range(1, len(parts), 2):
        latex = parts[i]
        end = start + len(latex) + 2
        if (
            isWhiteSpace(ord(latex[0]))
            or isWhiteSpace(ord(latex[-1]))
            or latex[-1] == "\\"
            or text[start - 1].isdigit()
            or text[end : end + 1].isdigit()
        ):
            return None  # dollarmath's rules for money and spacing: the full parse decides
        math.append(MathSpan(latex, False, start, end))
        start = end + len(parts[i + 1])
    return Spans(tuple(math))


@functools.lru_cache(maxsize=16384)
def _spans(text: str) -> Spans:
    quick = quick_spans(text)
    return quick if quick is not None else _parsed_spans(text)


def _parsed_spans(text: str) -> Spans:
    """The spans of `text` read from markdown-it's tokens."""
    math: list[MathSpan] = []
    figures: list[FigureRef] = []
    strays: list[int] = []
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for tok in tokens(text):
        base = starts[tok.map[0]] if tok.map and tok.map[0] < len(starts) else 0
        if tok.type in ("math_block", "math_block_label"):
            at = text.find("$$", base)
            end = text.find("$$", at + 2 + len(tok.content.strip())) if at >= 0 else -1
            math.append(MathSpan(tok.content.strip(), True, at, end + 2 if end >= 0 else -1))
        elif tok.type == "inline" and tok.children:
            _inline(text, base, tok.children, math, figures, strays)
    return Spans(tuple(math), tuple(figures), tuple(strays))


def _inline(
    text: str,
    cursor: int,
    children: list[Token],
    math: list[MathSpan],
    figures: list[FigureRef],
    strays: list[int],
) -> None:
    for child in children:
        if child.type in MATH_TOKENS:
            mark = "$$" if child.markup == "$$" or child.type == "math_inline_double" else "$"
            at = text.find(mark + child.content, cursor)
            end = at + len(child.content) + 2 * len(mark) if at >= 0 else -1
            math.append(MathSpan(child.content, mark == "$$", at, end))
            cursor = max(cursor, end)
        elif child.type == "image":
            at = text.find("![", cursor)
            close = text.find(")", text.find("](", at)) if at >= 0 else -1
            end = close + 1 if close >= 0 else -1
            alt = "".join(c.content for c in child.children or ())
            figures.append(FigureRef(alt, str(child.attrs.get("src", "")), at, end))
            cursor = max(cursor, end)
        elif child.type == "code_inline":
            at = text.find(child.content, text.find(child.markup, cursor))
            cursor = cursor if at < 0 else at + len(child.content) + len(child.markup)
        elif child.type == "text_special":
            at = text.find(child.markup, cursor)
            cursor = cursor if at < 0 else at + len(child.markup)
        elif child.type == "text" and child.content:
            at = text.find(child.content, cursor)
            if "$" in child.content:
                offset = at if at >= 0 else cursor
                strays.extend(offset + i for i, ch in enumerate(child.content) if ch == "$")
            cursor = cursor if at < 0 else at + len(child.content)
        elif child.children:
            _inline(text, cursor, child.children, math, figures, strays)


def looks_like_money(text: str, offset: int) -> bool:
    """Whether the `$` at `offset` starts an amount (`$5`, `$1.2 million`)."""
    return text[offset + 1 : offset + 2].isdigit()
