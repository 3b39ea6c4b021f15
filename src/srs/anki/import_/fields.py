r"""One Anki field's HTML -> card Markdown that reads as the field did in Anki.

Markdown escaping only where Markdown would misread the text (`escaping`): each character of the
field's text that Markdown might read (`*`, `[`, `-`, ...) stands in the HTML as a placeholder
while the structure (bold, lists, links) is written, by `inline_html` for the HTML most fields
hold and by `html-to-markdown` (an HTML5 parser and converter in Rust) for the rest; each
placeholder then becomes the character, escaped only where its place in the Markdown would give
it a meaning (`-` opening a line, `]` before `(`, `<` before a letter...). So
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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from srs.anki.import_ import inline_html
from srs.anki.import_.escaping import (
    BASE,
    HELD,
    IMG_OPEN,
    MARK_CLOSE,
    MATH_OPEN,
    TEXT_SPECIAL,
    UNHOLD_TABLE,
    held_char,
    hold,
    unhold,
)
from srs.core.cardmath import latex_problem
from srs.core.cardspans import spans
from srs.core.cardtext import find_raw_html, strip_control_chars

_MATH_OPEN, _IMG_OPEN, _CLOSE = MATH_OPEN, IMG_OPEN, MARK_CLOSE  # (`escaping`)
_MARKER = re.compile(f"([{_MATH_OPEN}{_IMG_OPEN}])([0-9]+){_CLOSE}")
_TAG_WITH_HELD = re.compile(f"<[A-Za-z/!?][^<>]*?[{chr(BASE)}-{chr(BASE + 0xFF)}][^>]*>")
_ENTITY_ANY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,40});?")
_CODE = re.compile(r"<(?:code|pre)\b", re.I)
_OURS = re.compile(f"[{chr(BASE)}-{chr(BASE + 0x1FF)}]")
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
        markdown = hold(text)
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
    text = unhold(markdown)
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
        held = TEXT_SPECIAL.sub(held_char, html_text)
        if "&" in held:
            held = _ENTITY_ANY.sub(_held_entity, held)
        if HELD.search(held) is None:
            return held
        return _TAG_WITH_HELD.sub(lambda m: m.group().translate(UNHOLD_TABLE), held)
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


def _held_entity(m: re.Match[str]) -> str:
    return hold(html.unescape(m.group()))


def _held_run(text: str, code: int) -> str:
    if not text or code:
        return text
    if "&" in text:
        text = html.unescape(text)
    return hold(text)


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
