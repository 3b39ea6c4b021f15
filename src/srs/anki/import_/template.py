"""Anki card templates, rendered as Anki renders them: a note's front and back as its note type's
first template shows them.

The syntax is Anki's (a Mustache subset): `{{Field}}`, `{{FrontSide}}`, sections
`{{#Field}}...{{/Field}}` (shown when the field is not empty) and `{{^Field}}...{{/Field}}` (when
it is), filters before the field name (`{{text:Field}}`, `{{hint:Field}}`, chained as
`{{text:hint:Field}}`), and the special fields `Tags`, `Type`, `Deck`, `Subdeck` and `Card`.
Here `text:` gives the field's text (escaped, so that it stays text), `hint:` the field itself
(what Anki shows once the hint is clicked), `type:` and text-to-speech nothing; other filters
leave the field as it is. Elements hidden by CSS (`style="display: none"`, or a class the note
type's CSS hides) are left out.

Pure and linear: a template is parsed once (cached) into a tree by one scan of its tags; sections
nest at most `MAX_DEPTH` deep (deeper tags are text); hidden elements are found by one scan of the
rendered HTML's tags.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass

MAX_DEPTH = 50
"""The deepest nesting of sections read; a deeper section is text."""

MAX_SIDE = 1 << 20
"""The most characters a rendered side may have (1 Mi): a card, not a book."""

_TAG = re.compile(r"\{\{([^{}]*)\}\}")
_EMPTY = re.compile(r"(?:\s|</?(?:br|div)\s?/?>|&nbsp;)*\Z", re.I)
_HTML_TAG = re.compile(r"<[^>]*>")
_ANSWER_RULE = re.compile(r"""<hr\s+id\s*=\s*["']?answer["']?\s*/?>""", re.I)
_SILENT = ("type", "tts", "tts-voices")


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    filters: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Section:
    name: str
    inverted: bool
    body: tuple[_Node, ...]


_Node = str | _Field | _Section


def _parse(template: str) -> tuple[_Node, ...]:
    """The template as a tree; cached unless it is large (a real template is a few KB)."""
    template = template[:MAX_SIDE]
    return _parse_cached(template) if len(template) < 1 << 16 else _parse_once(template)


@functools.lru_cache(maxsize=256)
def _parse_cached(template: str) -> tuple[_Node, ...]:
    return _parse_once(template)


def _parse_once(template: str) -> tuple[_Node, ...]:
    """The template as a tree, in one scan of its `{{...}}` tags; a stray closing tag is text,
    an unclosed section runs to the end."""
    stack: list[tuple[str, bool, list[_Node]]] = [("", False, [])]
    at = 0
    for tag in _TAG.finditer(template):
        body = stack[-1][2]
        if tag.start() > at:
            body.append(template[at : tag.start()])
        at = tag.end()
        inner = tag.group(1).strip()
        if inner[:1] in "#^" and len(stack) <= MAX_DEPTH:
            stack.append((inner[1:].strip(), inner[0] == "^", []))
        elif inner[:1] == "/":
            name = inner[1:].strip()
            if len(stack) > 1 and stack[-1][0] == name:
                done_name, inverted, done = stack.pop()
                stack[-1][2].append(_Section(done_name, inverted, tuple(done)))
            # else: a closing tag that closes nothing shows nothing, as in Anki
        elif inner[:1] in "#^/":
            body.append(tag.group())
        else:
            *filters, name = inner.split(":")
            body.append(_Field(name.strip(), tuple(f.strip() for f in filters)))
    if at < len(template):
        stack[-1][2].append(template[at:])
    while len(stack) > 1:  # unclosed sections: their content as if closed at the end
        done_name, inverted, done = stack.pop()
        stack[-1][2].append(_Section(done_name, inverted, tuple(done)))
    return tuple(stack[0][2])


def is_empty(value: str) -> bool:
    """Whether Anki counts a field as empty: only whitespace, `<br>` and `<div>` tags."""
    return _EMPTY.match(value) is not None


@dataclass
class Rendered:
    """A side of a card as HTML, and the fields it showed."""

    html: str
    shown: set[str]


def render(template: str, fields: Mapping[str, str], css: str = "") -> Rendered:
    """`template` with the note's `fields` (field name -> HTML; `FrontSide` and the special
    fields among them when wanted), elements that `css` or their own style hide left out.

    A side is at most `MAX_SIDE` characters: a template that repeats a long field past it (a
    hostile package) stops there, and the side is cut."""
    out: list[str] = []
    shown: set[str] = set()
    _render(_parse(template), fields, out, shown, [0])
    return Rendered(without_hidden("".join(out), css), shown)


def _render(nodes: tuple[_Node, ...], fields: Mapping[str, str], out: list[str],
            shown: set[str], size: list[int]) -> None:  # fmt: skip
    for node in nodes:
        if size[0] > MAX_SIDE:
            return
        if isinstance(node, str):
            piece = node
        elif isinstance(node, _Field):
            value = fields.get(node.name)
            if value is None:
                continue
            shown.add(node.name)
            piece = _filtered(value, node.filters)
        else:
            if is_empty(fields.get(node.name, "")) == node.inverted:
                _render(node.body, fields, out, shown, size)
            continue
        size[0] += len(piece)
        out.append(piece if size[0] <= MAX_SIDE else piece[: MAX_SIDE - size[0] + len(piece)])


def _filtered(value: str, filters: tuple[str, ...]) -> str:
    for name in reversed(filters):  # Anki applies the filter nearest the field first
        kind = name.split(" ", 1)[0].lower()
        if kind in _SILENT:
            return ""
        if kind == "text":
            value = html.escape(html.unescape(_HTML_TAG.sub("", value)), quote=False)
    return value


def answer_part(answer_html: str) -> str:
    """The answer without the question above it: what follows Anki's `<hr id=answer>`."""
    return answer_html[max((m.end() for m in _ANSWER_RULE.finditer(answer_html)), default=0) :]


_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)
_CLASS_SELECTOR = re.compile(r"\s*\.([A-Za-z_][\w-]*)\s*")
_OPEN_OR_CLOSE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b([^>]*)>")
_STYLE_HIDDEN = re.compile(r"""style\s*=\s*["'][^"']*display\s*:\s*none""", re.I)
_CLASSES = re.compile(r"""class\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col"})


@functools.lru_cache(maxsize=256)
def hidden_classes(css: str) -> frozenset[str]:
    """The classes a note type's CSS hides (`.x { display: none }`, plain class selectors only),
    in one pass over its rules."""
    if "none" not in css:
        return frozenset()
    found: set[str] = set()
    for rule in css.split("}"):
        head, brace, body = rule.partition("{")
        if brace and _DISPLAY_NONE.search(body):
            for selector in head.split(","):
                plain = _CLASS_SELECTOR.fullmatch(selector)
                if plain is not None:
                    found.add(plain.group(1))
    return frozenset(found)


def without_hidden(text: str, css: str = "") -> str:
    """The HTML without the elements CSS hides: by their own `style` or a hidden class."""
    if "display" not in text and not (css and "none" in css):
        return text
    classes = hidden_classes(css[: 1 << 16])  # a note type's CSS is a few KB
    out: list[str] = []
    at = 0
    hiding: str | None = None
    depth = 0
    for tag in _OPEN_OR_CLOSE.finditer(text):
        closing, name, attrs = tag.group(1), tag.group(2).lower(), tag.group(3)
        if hiding is not None:
            if name == hiding and name not in _VOID:
                depth += -1 if closing else 1
                if depth == 0:
                    hiding, at = None, tag.end()
            continue
        if closing or name in _VOID or not _hides(attrs, classes):
            continue
        out.append(text[at : tag.start()])
        hiding, depth = name, 1
    if hiding is None:
        out.append(text[at:])
    return "".join(out)


def _hides(attrs: str, classes: frozenset[str]) -> bool:
    if _STYLE_HIDDEN.search(attrs):
        return True
    if classes:
        found = _CLASSES.search(attrs)
        if found is not None:
            names = next(g for g in found.groups() if g is not None).split()
            return any(n in classes for n in names)
    return False
