r"""One Anki field's HTML -> card Markdown that reads as the field did in Anki.

Markdown escaping only where Markdown would misread the text: each character of the field's text
that Markdown might read (`*`, `[`, `-`, ...) stands in the HTML as a placeholder while
`html-to-markdown` (an HTML5 parser and converter in Rust) writes the structure (bold, lists,
links); each placeholder then becomes the character, escaped only where its place in the Markdown
would give it a meaning (`-` opening a line, `]` before `(`, `<` before a letter...). So
`chain-of-thought` and `[sin˧˧]` arrive as written, and text that Anki showed as `<b>` arrives as
text, never as raw HTML.

Anki's LaTeX (`[$]...[/$]`, `[$$]...[/$$]`, `[latex]...[/latex]`, `\(...\)`, `\[...\]`) becomes srs
math, `$...$` or `$$...$$`, its LaTeX unescaped and HTML entities decoded; a literal `$` is `\$`.
Delimiters are paired in one linear pass, so a field of many openers costs no more than its size.
Images (`<img src=...>`) become `![alt](path)` for the files `figures` names, else are recorded as
missing. A field with no markup at all (no `<` nor `&`) never goes through the converter.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from srs.anki.import_ import inline_html
from srs.core.cardmath import latex_problem
from srs.core.cardspans import spans
from srs.core.cardtext import find_raw_html, strip_control_chars

# The characters Markdown may read, each held as a placeholder from Unicode's plane-15 private use
# area while the converter runs.
_SPECIALS = "\\`*_[]#-+.)>!<&$=~"
_BASE = 0xF0000
_UNHOLD = {chr(_BASE + i): c for i, c in enumerate(_SPECIALS)}
_HELD = re.compile(f"[{chr(_BASE)}-{chr(_BASE + len(_SPECIALS) - 1)}]")
# Math and figures stand as `open index close` until the Markdown is final.
_MATH_OPEN, _IMG_OPEN, _CLOSE = chr(_BASE + 0x100), chr(_BASE + 0x101), chr(_BASE + 0x102)
_MARKER = re.compile(f"([{_MATH_OPEN}{_IMG_OPEN}])([0-9]+){_CLOSE}")
# `str.translate` with a table to these placeholders looks each character up in a dict: a
# regular expression finds the few special characters in C, and only they cost a call.
_ANY_SPECIAL = re.compile("[" + re.escape(_SPECIALS) + "]")
_TEXT_SPECIAL = re.compile(
    "[" + re.escape(_SPECIALS.translate({60: None, 62: None, 38: None})) + "]"
)
_HOLD_CHAR = {c: chr(_BASE + i) for i, c in enumerate(_SPECIALS)}
_TAG_WITH_HELD = re.compile(f"<[A-Za-z/!?][^<>]*?[{chr(_BASE)}-{chr(_BASE + 0xFF)}][^>]*>")
_ENTITY_ANY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,40});?")
_CODE = re.compile(r"<(?:code|pre)\b", re.I)
_OURS = re.compile(f"[{chr(_BASE)}-{chr(_BASE + 0x1FF)}]")
# One line of text Markdown reads as written: none of the characters that mean something wherever
# they are, no `]` before a link's `(`, `[` or `:`, and no start that opens a block.
_RISKY = re.compile(r"[\\`*_$<&]|\]\s*[(\[:]|\A\s*(?:[-+#>=~]|[0-9]+[.)])")

_TAG = re.compile(r"<(?:[A-Za-z][^>]*|/[A-Za-z][^>]*|![^>]*|\?[^>]*)>")
_CODE_TAG = re.compile(r"<(/?)(code|pre|script|style)\b", re.I)
_IMG = re.compile(r"""<img\b[^>]*>""", re.I)
_ATTR = re.compile(r"""\b(src|alt)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_SOUND = re.compile(r"\[sound:([^\]]*)\]")
_MATH_DELIMS = re.compile(
    r"\\\(|\\\)|\\\[|\\\]|\[\$\$\]|\[/\$\$\]|\[\$\]|\[/\$\]|\[latex\]|\[/latex\]", re.I
)
_CLOSER = {"\\(": "\\)", "\\[": "\\]", "[$]": "[/$]", "[$$]": "[/$$]", "[latex]": "[/latex]"}
_BLANK_LINES = re.compile(r"\n{3,}")
_ENTITY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,40});")
_LINE_HEAD = re.compile(r"(?:[ \t]*(?:[-+*]|[0-9]{1,9}[.)])[ \t]+)*[ \t]*")
_ORDERED = re.compile(r"[0-9]{1,9}\Z")
_RULE_LINE = re.compile(r"[ \t]*[-*_=][-*_= \t]*\Z")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_SURROUNDINGS = re.compile(r"\$+\s*(.*?)\s*\$+\Z", re.S)

MediaLookup = Callable[[str], str | None]
"""A field's image name -> the figure's path beside the deck, or None when it cannot be had."""


@dataclass
class FieldNotes:
    """What converting fields met that the deck cannot carry, by name (each once)."""

    missing: dict[str, None] = field(default_factory=dict)  # images not in the package
    sounds: dict[str, None] = field(default_factory=dict)
    bad_math: int = 0


def to_markdown(
    html_text: str, figures: MediaLookup | None = None, notes: FieldNotes | None = None
) -> str:
    """Field HTML -> card Markdown: escaped only where Markdown would misread it, Anki's math as
    `$...$`, images found by `figures` as `![alt](path)`; never raw HTML or control characters."""
    notes = FieldNotes() if notes is None else notes
    if "[sound:" in html_text:
        for match in _SOUND.finditer(html_text):
            notes.sounds[match.group(1)] = None
        html_text = _SOUND.sub("", html_text)
    if _OURS.search(html_text):  # our placeholders in the text itself: keep them out
        html_text = _OURS.sub("\ufffd", html_text)
    held: list[str] = []
    if "\\" in html_text or "[" in html_text:
        html_text = _hold_math(html_text, held, notes)
    if "<" not in html_text and "&" not in html_text:
        text = strip_control_chars(" ".join(html_text.split()))  # as a browser shows it
        if not held and _RISKY.search(text) is None:
            return text
        markdown = _hold(text)
    else:
        images: list[tuple[str, str]] = []
        if "<img" in html_text or "<IMG" in html_text:
            html_text = _IMG.sub(lambda m: _hold_image(m.group(), images), html_text)
        held_html = _hold_text(html_text)
        simple = None if _CODE.search(html_text) else inline_html.simple(held_html)
        markdown = simple if simple is not None else _convert(held_html)
        markdown = strip_control_chars(markdown).replace("\r\n", "\n").replace("\xa0", " ")
        markdown = _BLANK_LINES.sub("\n\n", markdown).strip()
        held += [_image(src, alt, figures, notes) for src, alt in images]
    text = _unhold(markdown)
    if held:
        text = _put_back(text, held, notes).strip()
    if "<" in text:  # a last guard: nothing may still read as raw HTML
        while (found := find_raw_html(text)) is not None:
            at, raw = found
            text = text[:at] + raw.replace("<", "\\<") + text[at + len(raw) :]
    return text


def _hold_text(html_text: str) -> str:
    """`html_text` with each special character of its text (outside tags, code and scripts) a
    placeholder, entities decoded first so that `&#91;` is held as `[` is.

    Without code or preformatted text, in C: the whole HTML is translated at once (all but
    `<`, `>` and `&`, which text holds only as entities), then each entity decoded and held, and
    the few tags that had a character held are put back as they were."""
    if _CODE.search(html_text) is None:
        held = _TEXT_SPECIAL.sub(_held_char, html_text)
        if "&" in held:
            held = _ENTITY_ANY.sub(_held_entity, held)
        if _HELD.search(held) is None:
            return held
        return _TAG_WITH_HELD.sub(lambda m: m.group().translate(_UNHOLD_TABLE), held)
    out: list[str] = []
    at = 0
    code = 0
    for tag in _TAG.finditer(html_text):
        out.append(_held_run(html_text[at : tag.start()], code))
        out.append(tag.group())
        found = _CODE_TAG.match(tag.group())
        if found is not None:
            code = max(0, code - 1) if found.group(1) else code + 1
        at = tag.end()
    out.append(_held_run(html_text[at:], code))
    return "".join(out)


def _hold(text: str) -> str:
    """Each special character of `text` as its placeholder."""
    return _ANY_SPECIAL.sub(_held_char, text)


def _held_char(m: re.Match[str]) -> str:
    return _HOLD_CHAR[m.group()]


def _unheld_char(m: re.Match[str]) -> str:
    return _UNHOLD[m.group()]


def _held_entity(m: re.Match[str]) -> str:
    return _hold(html.unescape(m.group()))


def _held_run(text: str, code: int) -> str:
    if not text or code:
        return text
    if "&" in text:
        text = html.unescape(text)
    return _hold(text)


def _hold_math(html_text: str, held: list[str], notes: FieldNotes) -> str:
    """Each of Anki's LaTeX spans replaced by a marker, its srs math kept in `held`; paired in
    one pass over the delimiters (an opener with no closer stays text, and so does LaTeX srs
    cannot show, counted in `notes`)."""
    out: list[str] = []
    at = 0
    opened: re.Match[str] | None = None
    for delim in _MATH_DELIMS.finditer(html_text):
        token = delim.group().lower()
        if opened is None:
            if token in _CLOSER:
                opened = delim
            continue
        if token != _CLOSER[opened.group().lower()]:
            if token in _CLOSER:
                opened = delim  # an opener inside an unclosed one: start again from it
            continue
        math = _math(opened.group().lower(), html_text[opened.end() : delim.start()])
        if math:
            out += [html_text[at : opened.start()], f"{_MATH_OPEN}{len(held)}{_CLOSE}"]
            held.append(math)
            at = delim.end()
        else:
            notes.bad_math += 1
        opened = None
    if not held:
        return html_text
    out.append(html_text[at:])
    return "".join(out)


def _math(kind: str, body: str) -> str:
    """Anki's LaTeX as srs math (`$...$` or `$$...$$`), or "" for LaTeX srs cannot keep."""
    latex = html.unescape(_TAG.sub(" ", body))
    latex = strip_control_chars(" ".join(latex.split()))
    display = kind in ("\\[", "[$$]")
    if kind == "[latex]":  # a LaTeX body: math mode inside it is ours to take
        inner = _SURROUNDINGS.fullmatch(latex)
        if inner is not None:
            display = latex.startswith("$$")
            latex = inner.group(1)
        elif latex.startswith("\\[") and latex.endswith("\\]"):
            display, latex = True, latex[2:-2].strip()
    if not latex or "$" in latex or latex_problem(latex) is not None:
        return ""
    return f"$${latex}$$" if display else f"${latex}$"


def _hold_image(tag: str, images: list[tuple[str, str]]) -> str:
    attrs = {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in
             _ATTR.finditer(tag)}  # fmt: skip
    src = html.unescape(attrs.get("src", "")).strip()
    if not src:
        return ""
    images.append((src, html.unescape(attrs.get("alt", ""))))
    return f"{_IMG_OPEN}{len(images) - 1}{_CLOSE}"


def _image(src: str, alt: str, figures: MediaLookup | None, notes: FieldNotes) -> str:
    path = None
    if figures is not None:  # Anki's editor writes names percent-encoded, older ones as they are
        path = figures(src) or figures(unquote(src))
    if path is None:
        notes.missing[src] = None
        return ""
    alt = " ".join(strip_control_chars(alt).split()) or unquote(src).rsplit("/", 1)[-1]
    alt = re.sub(r"([\\\[\]`*_<>&$!])", r"\\\1", alt)
    return f"![{alt}]({path})"


def _put_back(text: str, held: list[str], notes: FieldNotes) -> str:
    def one(m: re.Match[str]) -> str:
        index = int(m.group(2))
        made = held[index] if index < len(held) else ""
        # A closing `$` followed by a digit would not close (`$x$5` is money to Markdown).
        if made.startswith("$") and text[m.end() : m.end() + 1].isdigit():
            made += " "
        return made

    text = _MARKER.sub(one, text)
    if "$" in text and spans(text).stray_dollars:  # math Markdown does not read as such
        notes.bad_math += 1
        text = re.sub(r"(?<!\\)\$", r"\\$", text)
    return text


def _unhold(markdown: str) -> str:
    """Each placeholder as its character, escaped only where Markdown would read it.

    Only the held characters whose neighbours might give them a meaning (`_CANDIDATE`: a `-`
    after a space or a line's start, a `]` before `(`...) are judged one by one (`_misread`);
    the rest are put back in one translation."""
    if _HELD.search(markdown) is None:
        return markdown
    rule_lines: set[int] = set()
    if _HELD_RULE_LINE.search(markdown) is not None:
        start = 0
        for line in markdown.split("\n"):
            plain = line.translate(_UNHOLD_TABLE)
            first = _HELD.search(line)
            if first is not None and _RULE_LINE.match(plain):
                rule_lines.add(start + first.start())
            start += len(line) + 1

    def one(m: re.Match[str]) -> str:
        ch = _UNHOLD[m.group()]
        at = m.start()
        return "\\" + ch if at in rule_lines or _misread(markdown, at, ch) else ch

    if rule_lines or _CANDIDATE.search(markdown) is not None:
        markdown = _CANDIDATE.sub(one, markdown)
    return _HELD.sub(_unheld_char, markdown)


def _h(chars: str) -> str:
    """The placeholders of `chars`, for a character class."""
    return "".join(chr(_BASE + _SPECIALS.index(c)) for c in chars)


_CANDIDATE = re.compile(
    "[" + _h("\\`$*_") + "]"
    + "|" + _h("&") + "(?=[#A-Za-z])|" + _h("<") + "(?=[A-Za-z/!?])"
    + "|" + _h("]") + "(?=[(:\\[" + _h("[") + "])"
    + "|[" + _h("-+#>~=") + "](?<=(?<![^ \t\n])[" + _h("-+#>~=") + "])"
    + "|[" + _h(".)") + "](?<=[0-9][" + _h(".)") + "])"
)  # fmt: skip
_HELD_RULE_LINE = re.compile("(?m)^[ \t]*[-*_=" + _h("-*_=") + "][-*_= \t" + _h("-*_=") + "]*$")


_UNHOLD_TABLE = str.maketrans({ord(k): v for k, v in _UNHOLD.items()})


def _char(text: str, at: int) -> str:
    """The character at `at` as the reader sees it ("" past either end; a math marker is `$`)."""
    if at < 0 or at >= len(text):
        return ""
    ch = text[at]
    if ch == _MATH_OPEN:
        return "$"
    return _UNHOLD.get(ch, ch)


def _line_start(text: str, at: int) -> bool:
    """Whether `at` starts a line's content: only spaces and list item markers before it."""
    return _content_start(text, at) == at


def _content_start(text: str, at: int) -> int:
    """Where the content of the line holding `at` starts, past indentation and the list item
    markers the converter wrote (a list item's text starts a line of its own to Markdown)."""
    begin = text.rfind("\n", 0, at) + 1
    found = _LINE_HEAD.match(text, begin, at)
    return found.end() if found is not None else begin


def _misread(text: str, at: int, ch: str) -> bool:
    """Whether Markdown would read character `ch` at `at` of `text` as more than itself."""
    before, after = _char(text, at - 1), _char(text, at + 1)
    if ch in "`$":
        return True
    if ch == "\\":
        return after in _ASCII_PUNCT or after in ("", "\n")
    if ch == "*":
        if _line_start(text, at) and after in ("", " ", "\t", "\n"):
            return True
        return not (_space(before) and _space(after))
    if ch == "_":
        return not ((before.isalnum() and after.isalnum()) or (_space(before) and _space(after)))
    if ch == "]":
        return after in ("(", "[", ":")
    if ch in "-+#>":
        if not _line_start(text, at):
            return False
        return ch == ">" or after in ("", " ", "\t", "\n") or (ch == "#" and after == "#")
    if ch in ".)":
        if after not in ("", " ", "\t", "\n"):
            return False
        return _ORDERED.match(text[_content_start(text, at) : at]) is not None
    if ch == "~":  # a fence opens with three at a line's start
        return after == "~" and _line_start(text, at)
    if ch == "<":
        return after.isascii() and (after.isalpha() or after in "/!?")
    if ch == "&":
        rest = text[at : at + 50].translate(_UNHOLD_TABLE)
        return _ENTITY.match(rest) is not None
    return False  # `[`, `!`, `=`: only as part of a form decided elsewhere


def _space(ch: str) -> bool:
    return ch == "" or ch.isspace()


_NATIVE: Any = None  # (the native convert, its options), made on first use


def _convert(html_text: str) -> str:
    """html-to-markdown's conversion of one field, with options built once and its own escaping
    off (the placeholders do it).

    The package's public `convert` rebuilds its options from Python on every call, which costs
    five times the conversion of a short field; its native `convert`, which that one calls, takes
    them ready-made."""
    global _NATIVE
    if _NATIVE is None:
        from html_to_markdown import _html_to_markdown as native

        options = native.ConversionOptions(
            heading_style=native.HeadingStyle.ATX,
            bullets="-",
            escape_misc=False,
            escape_asterisks=False,
            escape_underscores=False,
            autolinks=False,
            skip_images=True,
            extract_metadata=False,
            strip_tags=["audio", "video", "iframe", "object", "embed"],
        )
        _NATIVE = (native.convert, options)
    convert, options = _NATIVE
    return str(convert(html=html_text, options=options, visitor=None).content or "")


def figure_names(html_text: str) -> list[str]:
    """The image names a field's `<img>` tags use, in order."""
    if "<img" not in html_text and "<IMG" not in html_text:
        return []
    names = []
    for tag in _IMG.finditer(html_text):
        for m in _ATTR.finditer(tag.group()):
            if m.group(1).lower() == "src":
                value = next(g for g in m.groups()[1:] if g is not None)
                names.append(html.unescape(value).strip())
    return [n for name in names if name for n in dict.fromkeys((name, unquote(name)))]


def as_mapping(found: Mapping[str, str]) -> MediaLookup:
    """A lookup over a ready mapping of image names to figure paths."""
    return found.get
