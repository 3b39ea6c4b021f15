"""The HTML most Anki fields hold, as Markdown without the full converter: bold and italics
(`b`, `strong`, `i`, `em`), line breaks, blocks and lists (`br`, `div`, `p`, `ul`, `ol`, `li`;
a list in a list flattened into it), and tags that only style (`u`, `span`, `font`, `sub`,
`sup`), which are dropped.

Anything else (links, code, tables, headings) returns None, for
`html-to-markdown`. Emphasis is written only where CommonMark reads it as such (its delimiters hug
their words, with the flanking rules about punctuation, neither nested, crossing nor touching
another); elsewhere its words stay, plain. A few passes of C regular expressions over the
field, a Python call only per emphasis span, list and block: a field pays little more than its
size. The text's
special characters are held as placeholders (`fields`), to be escaped later by where they land.
"""

from __future__ import annotations

import re
import unicodedata

_OTHER_TAG = re.compile(
    r"<(?!/?(?:b|strong|i|em|u|span|font|sub|sup|br|div|p|ul|ol|li)\b)[A-Za-z/!?]", re.I
)
_STYLE_TAG = re.compile(r"</?(?:u|span|font|sub|sup)\b[^>]*>", re.I)
_BR = re.compile(r"<br\b[^>]*>", re.I)
_SPACE = re.compile(r"[ \t\n\r\f]{2,}|[\t\n\r\f]")  # only where a space is not one already
_SPAN = re.compile(r"<(b|strong|i|em)\b[^>]*>([^<]*)</\1\s*>", re.I)
_EMPHASIS_TAG = re.compile(r"</?(?:b|strong|i|em)\b", re.I)
_EMPHASIS_WHOLE = re.compile(r"</?(?:b|strong|i|em)\b[^>]*>", re.I)
_TOUCHING = re.compile(r"</(?:b|strong|i|em)\s*><(?:b|strong|i|em)\b", re.I)
_BLOCK_TAG = re.compile(r"</?(?:div|p|ul|ol)\b[^>]*>|</li\s*>", re.I)
_ITEM_TAG = re.compile(r"<li\b[^>]*>", re.I)
_NUMBERED = re.compile(r"<ol\b[^>]*>(.*?)(?:</ol\s*>|\Z)", re.I | re.S)
_REFUSED = re.compile(_OTHER_TAG.pattern + "|[\x02-\x05]", re.I)  # other tags, our markers
_BREAK, _BLOCK, _ITEM = "\x02", "\x04", "\x05"
_MARK = {"b": "**", "strong": "**", "i": "*", "em": "*"}


def simple(held_html: str) -> str | None:
    """Field HTML whose text characters are already held (tags as written) as Markdown, or None
    when it holds more than this writes."""
    if _REFUSED.search(held_html) is not None:
        return None
    text = held_html
    if "<" in text:
        text = _STYLE_TAG.sub("", text)
    text = _SPACE.sub(" ", text)
    if "<" in text:
        text = _BR.sub(_BREAK, text)
    if "<" in text and _EMPHASIS_TAG.search(text) is not None:
        if _TOUCHING.search(text) is None:
            text = _SPAN.sub(_span, text)
        # Emphasis nested, crossing, unclosed or touching another: its words, plain (Markdown
        # cannot say all of these, and the converter's try can show its asterisks).
        text = _EMPHASIS_WHOLE.sub("", text)
    if "<" in text:
        if "<ol" in text or "<OL" in text:
            text = _NUMBERED.sub(_numbered, text)
        text = _ITEM_TAG.sub(_BLOCK + _ITEM + "- ", text)
        text = _BLOCK_TAG.sub(_BLOCK, text)
        if "<" in text:  # a `<` no tag of ours
            return None
    if _BLOCK not in text and _BREAK not in text:
        return text.strip(" ")
    out: list[str] = []
    after_item = False
    for block in text.split(_BLOCK):
        marker = ""
        if block[:1] == _ITEM:  # "\x05- " or "\x05N. "
            cut = block.index(" ") + 1
            marker, block = block[1:cut], block[cut:]
        if _BREAK in block:
            body = "  \n".join(line for line in (p.strip(" ") for p in block.split(_BREAK)) if line)
        else:
            body = block.strip(" ")
        if not body:
            continue
        if out:  # items of a list line by line; blocks a blank line apart
            out.append("\n" if marker and after_item else "\n\n")
        out.append(marker + body.replace("\n", "\n" + " " * len(marker)) if marker else body)
        after_item = bool(marker)
    return "".join(out)


def _numbered(found: re.Match[str]) -> str:
    """A numbered list's items marked with their numbers."""
    count = 0

    def item(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"{_BLOCK}{_ITEM}{count}. "

    return _BLOCK + _ITEM_TAG.sub(item, found.group(1)) + _BLOCK


def _span(found: re.Match[str]) -> str:
    """One emphasis span, its spaces moved outside; its words plain where CommonMark would not
    read the delimiters as emphasis."""
    inner = found.group(2)
    core = inner.strip(" ")
    if not core:
        return inner
    text, start, end = found.string, found.start(), found.end()
    before = " " if inner.startswith(" ") else (text[start - 1] if start else "")
    after = " " if inner.endswith(" ") else text[end : end + 1]
    if _opens(before, core[0]) and _closes(core[-1], after):
        mark = _MARK[found.group(1).lower()]
        return f"{' ' if inner.startswith(' ') else ''}{mark}{core}{mark}" + (
            " " if inner.endswith(" ") else ""
        )
    return inner


def _punct(ch: str) -> bool:
    if not ch or ch in "<>":  # a tag's edge: see `_blank`
        return False
    if ord(ch) >= 0xF0000:  # a held character: ASCII punctuation, perhaps escaped
        return True
    return unicodedata.category(ch)[0] in "PS"


def _blank(ch: str) -> bool:
    # A tag next to the span may go (a stray `</b>`) and bring a letter next to it: it counts
    # as a letter, the neighbour that asks most of the delimiter.
    return ch in ("", _BREAK) or ch.isspace()


def _opens(prev: str, first: str) -> bool:
    """Whether a delimiter between `prev` and `first` is left-flanking (it can open)."""
    return not _blank(first) and (not _punct(first) or _blank(prev) or _punct(prev))


def _closes(last: str, nxt: str) -> bool:
    """Whether a delimiter between `last` and `nxt` is right-flanking (it can close)."""
    return not _blank(last) and (not _punct(last) or _blank(nxt) or _punct(nxt))
