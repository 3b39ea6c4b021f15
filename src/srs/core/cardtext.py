"""What card text may hold, in one place: control characters, raw HTML, and Markdown -> safe HTML.

Deck files and Anki packages are untrusted. The terminal, the Anki exporter and the checker all
use these definitions, so "control character" and "raw HTML" mean the same thing everywhere.
Standard library plus markdown-it-py, which is imported only when Markdown is parsed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from srs.core.cardmath import to_unicode
from srs.core.cardspans import quick_spans, spans, tokens

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# C0 controls except tab and newline, DEL, and C1 controls (which some terminals obey as CSI).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_control_chars(text: str) -> str:
    """Remove every control character but tab and newline (ESC included, so no escape sequence
    survives)."""
    return CONTROL_CHARS.sub("", text)


def is_control(ch: str) -> bool:
    """True for one character that `CONTROL_CHARS` matches."""
    return CONTROL_CHARS.fullmatch(ch) is not None


# What a terminal may obey or reorder: the controls above plus tab, newline and CR, and the
# bidirectional controls that make text read differently from how it is stored (U+061C, U+200E,
# U+200F, U+202A-U+202E, U+2066-U+2069), and the line and paragraph separators.
_UNSAFE_MULTILINE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_UNSAFE_ONE_LINE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str, multiline: bool = True) -> str:
    """Untrusted text made safe to print: every control character (C0, DEL, C1) and every
    bidirectional control shown as a visible escape such as `\\x1b` or `\\u202e`.

    The one function every message, table and screen passes deck text, file names and ids from
    the database through. `multiline` keeps tab and newline (card text); without it they are
    escaped too, so a message stays on one line.
    """
    pattern = _UNSAFE_MULTILINE if multiline else _UNSAFE_ONE_LINE
    return pattern.sub(_visible, text)


def printable(text: str) -> str:
    """`safe_text` on one line: for a path, key or id quoted in a message."""
    return safe_text(text, multiline=False)


# ---- raw HTML in card Markdown ------------------------------------------------------------

_checker_md: MarkdownIt | None = None


def _html_finder() -> MarkdownIt:
    # Imported lazily: only checking card text needs it, and `srs --help` should stay fast.
    global _checker_md
    if _checker_md is None:
        from markdown_it import MarkdownIt

        _checker_md = MarkdownIt("commonmark", {"html": True})
    return _checker_md


_UNESCAPED_LT = re.compile(r"(?<!\\)(?:\\\\)*<")


def find_raw_html(text: str) -> tuple[int, str] | None:
    """Offset and source of the first raw HTML in Markdown `text`, or None.

    Uses a real CommonMark parser, so `<b>` inside a code span or code block, an autolink such as
    `<https://example.org>`, and a bare `a < b` are not HTML.
    """
    if "<" not in text or _UNESCAPED_LT.search(text) is None:
        # HTML starts with a `<` that no backslash escapes (a backslash inside code is literal,
        # but then the `<` is inside that code too): the parser could only agree, at more cost.
        return None
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for tok in _html_finder().parse(text):
        line = tok.map[0] if tok.map else 0
        base = starts[line] if line < len(starts) else 0
        if tok.type == "html_block":
            at = text.find("<", base)
            return (at if at >= 0 else base), tok.content.strip()
        if tok.type == "inline" and tok.children:
            cursor = base
            for child in tok.children:
                if child.type == "html_inline":
                    at = text.find(child.content, cursor)
                    if at < 0:
                        at = max(text.find(child.content), base)
                    return at, child.content
                cursor = _skip_past(text, cursor, child)
    return None


def _skip_past(text: str, cursor: int, child: Token) -> int:
    """Move the cursor past an inline token's source, so a later search cannot land inside it.

    Best effort: token content is sometimes transformed (entities, escapes), and then the cursor
    just stays where it was.
    """
    if child.type == "code_inline":
        opening = text.find(child.markup, cursor)
        if opening < 0:
            return cursor
        inner = text.find(child.content.strip(), opening + len(child.markup))
        if inner < 0:
            return cursor
        closing = text.find(child.markup, inner + len(child.content.strip()))
        return cursor if closing < 0 else closing + len(child.markup)
    if child.type == "text" and child.content:
        at = text.find(child.content, cursor)
        return cursor if at < 0 else at + len(child.content)
    return cursor


# ---- Markdown -> HTML for Anki ------------------------------------------------------------

# Characters Anki reads inside field content after the template is rendered: `[sound:...]`,
# `[latex]`, and cloze `{{c1::...}}` should a learner switch the note type. Entities display the
# same and are decoded back inside attribute values, so links keep working.
_ANKI_MARKUP = str.maketrans({"[": "&#91;", "]": "&#93;", "{": "&#123;", "}": "&#125;"})

# One line, no character Markdown or HTML reads specially, and no start that opens a block.
_PLAIN = re.compile(r"[^\s\\`*_\[\]<>&!#|~{}+=-][^\n\r\t\\`*_\[\]<>&!#|~{}]*")
_BLOCK_START = re.compile(r"\d{1,9}[.)]")

_render_md: MarkdownIt | None = None


def _renderer() -> MarkdownIt:
    # markdown-it's link validation already refuses javascript:, vbscript:, file: and most data:
    # URLs. No raw HTML. Math is dollarmath's (`cardspans.parser`), written for MathJax; an
    # image becomes `<img>` only for a figure the deck carries as media (`media` of
    # `render_markdown`), so Anki never fetches an address the deck's author chose.
    global _render_md
    if _render_md is None:
        from srs.core.cardspans import parser

        md = parser()
        _render_md = md
        for name in ("math_inline", "math_inline_double", "math_block", "math_block_label"):
            md.add_render_rule(name, _math_html)
        md.add_render_rule("image", _image_html)
        # The shared tokens (`cardspans.tokens`) keep `\\$` as text_special: written as text.
        md.add_render_rule("text_special", _text_html)
    return _render_md


def _text_html(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    """Text as markdown-it writes it (for the `text_special` tokens `text_join` would merge)."""
    from markdown_it.common.utils import escapeHtml

    return escapeHtml(tokens[idx].content)


def _math_html(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    """Math for MathJax: `\\(...\\)` inline, `\\[...\\]` displayed, its LaTeX escaped.
    A placeholder stands in until the Anki escaping is done, so that the delimiters survive."""
    tok = tokens[idx]
    display = tok.type.startswith("math_block") or tok.type == "math_inline_double"
    held: list[str] = env.setdefault("math", [])
    held.append(_math_for_mathjax(tok.content, display))
    mark = f"\x00{len(held) - 1}\x00"
    return f"<p>{mark}</p>\n" if tok.type.startswith("math_block") else mark


def _image_html(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: dict[str, Any]
) -> str:
    """A figure the deck carries as `<img>` naming its media file; any other image as its
    alt text."""
    tok = tokens[idx]
    alt = html.escape("".join(c.content for c in tok.children or ()), quote=True)
    name = env.get("media", {}).get(str(tok.attrs.get("src", "")))
    if name is None:
        return f"[figure: {alt}]"
    return f'<img src="{html.escape(name, quote=True)}" alt="{alt}">'


def _is_plain(text: str) -> bool:
    return (
        _PLAIN.fullmatch(text) is not None
        and not text[-1].isspace()
        and _BLOCK_START.match(text) is None
    )


# One line of plain text with simple `*emphasis*` and `code` spans: emphasis of letters, digits
# and inner spaces or `'.,-`, never next to another `*`; code without a backtick, not starting or
# ending with a space, never next to another backtick. CommonMark's delimiter rules give these
# one reading, which `_inline` writes directly (tests hold it to markdown-it's output).
_GAP = r"[^\n\r\t\\`*_\[\]<>&!#|~{}]"
_EM = r"(?<!\*)\*([A-Za-z0-9](?:[A-Za-z0-9 '.,-]*[A-Za-z0-9])?)\*(?!\*)"
_CODE = r"(?<!`)`([^`\s](?:[^`\n\r\t]*[^`\s])?)`(?!`)"
_INLINE = re.compile(rf"(?:{_GAP}|{_EM}|{_CODE})+")
_SPAN = re.compile(rf"{_EM}|{_CODE}")
_INLINE_FIRST = re.compile(r"[^\s\\_\[\]<>&!#|~{}+=-]")


def _inline(text: str) -> str | None:
    """markdown-it's HTML for simple inline text, written directly; None for anything else."""
    if (
        _INLINE.fullmatch(text) is None
        or _INLINE_FIRST.match(text) is None
        or text[-1].isspace()
        or _BLOCK_START.match(text) is not None
    ):
        return None
    out: list[str] = []
    at = 0
    for span in _SPAN.finditer(text):
        out.append(text[at : span.start()].replace('"', "&quot;"))
        em, code = span.groups()
        if em is not None:
            out.append(f"<em>{em}</em>")
        else:
            out.append(f"<code>{html.escape(code, quote=True).replace('&#x27;', chr(39))}</code>")
        at = span.end()
    out.append(text[at:].replace('"', "&quot;"))
    return "<p>" + "".join(out) + "</p>"


def _math_for_mathjax(latex: str, display: bool) -> str:
    escaped = html.escape(latex.strip(), quote=False).translate(_ANKI_MARKUP)
    return f"\\[{escaped}\\]" if display else f"\\({escaped}\\)"


def _quick_math_html(text: str) -> str | None:
    """markdown-it's HTML for a line of text, simple emphasis and code spans, and `$...$` math
    (`cardspans.quick_spans`), written directly: the text around the math goes through the
    fast paths above with each formula held by a placeholder. None for anything else (tests
    hold it to markdown-it's output)."""
    found = quick_spans(text)
    if found is None:
        return None
    held = [_math_for_mathjax(m.latex, m.display) for m in found.math]
    pieces: list[str] = []
    at = 0
    for i, math in enumerate(found.math):
        pieces += [text[at : math.start], f"\x00{i}\x00"]
        at = math.end
    masked = "".join([*pieces, text[at:]])
    if "*" in masked or "`" in masked:
        rendered = _inline(masked)
    elif _is_plain(masked):
        rendered = "<p>" + masked.replace('"', "&quot;") + "</p>"
    else:
        rendered = None
    if rendered is None:
        return None
    return _HELD.sub(lambda m: held[int(m.group(1))], rendered.translate(_ANKI_MARKUP))


def render_markdown(text: str, media: Mapping[str, str] | None = None) -> str:
    """Card Markdown to HTML that is safe as an Anki field: no raw HTML, no Anki markup; math
    for MathJax, and each figure named in `media` (its path as written -> its media file name)
    as `<img>`."""
    text = strip_control_chars(text)
    if "$" in text or "![" in text:
        quick = _quick_math_html(text)
        if quick is not None:
            return quick
        env: dict[str, Any] = {"media": media or {}}
        md = _renderer()
        rendered = md.renderer.render(tokens(text), md.options, env).strip()
        rendered = rendered.translate(_ANKI_MARKUP)
        held: list[str] = env.get("math", [])
        return _HELD.sub(lambda m: held[int(m.group(1))], rendered)
    if _is_plain(text):
        # What markdown-it gives for one line with no Markdown syntax, at a fraction of the cost
        # (tests hold the two to the same output).
        rendered = "<p>" + text.replace('"', "&quot;") + "</p>"
    else:
        simple = _inline(text) if ("*" in text or "`" in text) else None
        rendered = simple if simple is not None else str(_renderer().render(text)).strip()
    return rendered.translate(_ANKI_MARKUP)


_HELD = re.compile("\x00([0-9]+)\x00")
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$&])")
FIGURE_LINE = "[figure: {alt} - press o to open]"
"""How a figure shows in the terminal (the review's `o` opens it)."""


def terminal_markdown(text: str) -> str:
    """Card Markdown for the terminal: math as Unicode (`$\\alpha^2$` -> `α²`) and each figure
    as its `FIGURE_LINE`, both escaped so that Markdown shows them as written."""
    found = spans(text)
    if not found.math and not found.figures:
        return text
    pieces = [(m.start, m.end, _md_escape(to_unicode(m.latex))) for m in found.math]
    pieces += [(f.start, f.end, _md_escape(FIGURE_LINE.format(alt=f.alt))) for f in found.figures]
    out: list[str] = []
    at = 0
    for start, end, shown in sorted(p for p in pieces if p[0] >= at and p[1] > p[0]):
        if start < at:
            continue
        out += [text[at:start], shown]
        at = end
    return "".join([*out, text[at:]])


def _md_escape(text: str) -> str:
    return _MD_PUNCT.sub(r"\\\1", text)


def plain_field(text: str) -> str:
    """Plain text as an Anki field: control characters removed, HTML and Anki markup escaped."""
    return html.escape(strip_control_chars(text), quote=True).translate(_ANKI_MARKUP)
