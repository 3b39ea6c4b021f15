r"""Markdown escaping only where Markdown would misread the text: what `fields` converts with.

Each character Markdown may read (`SPECIALS`) stands in a field's text as a placeholder from
Unicode's plane-15 private use area (`hold`) while the HTML around it becomes Markdown; `unhold`
then puts each back, escaped only where its place would give it a meaning: a `-`, `+`, `#`, `>`
or `~` opening a line's content (after a list item's marker too), a line of only `-`, `*`, `_`
and `=`, a `]` before `(`, `[` or `:`, a `.` or `)` after a line's leading digits, a `<` before a
letter, `/`, `!` or `?`, an `&` that would start an entity, `*` and `_` unless Markdown cannot
read them as emphasis there, and always `` ` ``, `$` and a `\` before punctuation. Only the
characters whose neighbours might matter (`_CANDIDATE`, in C) are judged one by one.
"""

from __future__ import annotations

import re

SPECIALS = "\\`*_[]#-+.)>!<&$=~"
BASE = 0xF0000
_UNHOLD = {chr(BASE + i): c for i, c in enumerate(SPECIALS)}
HELD = re.compile(f"[{chr(BASE)}-{chr(BASE + len(SPECIALS) - 1)}]")
# `str.translate` with a table to these placeholders looks each character up in a dict: a
# regular expression finds the few special characters in C, and only they cost a call.
_ANY_SPECIAL = re.compile("[" + re.escape(SPECIALS) + "]")
TEXT_SPECIAL = re.compile("[" + re.escape(SPECIALS.translate({60: None, 62: None, 38: None})) + "]")
_HOLD_CHAR = {c: chr(BASE + i) for i, c in enumerate(SPECIALS)}
MATH_OPEN, IMG_OPEN, MARK_CLOSE = chr(BASE + 0x100), chr(BASE + 0x101), chr(BASE + 0x102)
"""Math and figures stand as `open index close` until the Markdown is final."""
_ENTITY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,40});")
_LINE_HEAD = re.compile(r"(?:[ \t]*(?:[-+*]|[0-9]{1,9}[.)])[ \t]+)*[ \t]*")
_ORDERED = re.compile(r"[0-9]{1,9}\Z")
_RULE_LINE = re.compile(r"[ \t]*[-*_=][-*_= \t]*\Z")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def hold(text: str) -> str:
    """Each special character of `text` as its placeholder."""
    return _ANY_SPECIAL.sub(held_char, text)


def held_char(m: re.Match[str]) -> str:
    """The placeholder of a matched special character (for `re.sub`)."""
    return _HOLD_CHAR[m.group()]


def _unheld_char(m: re.Match[str]) -> str:
    return _UNHOLD[m.group()]


def unhold(markdown: str) -> str:
    """Each placeholder as its character, escaped only where Markdown would read it.

    Only the held characters whose neighbours might give them a meaning (`_CANDIDATE`: a `-`
    after a space or a line's start, a `]` before `(`...) are judged one by one (`_misread`);
    the rest are put back in one translation."""
    if HELD.search(markdown) is None:
        return markdown
    rule_lines: set[int] = set()
    if HELDRULE.search(markdown) is not None:
        start = 0
        for line in markdown.split("\n"):
            plain = line.translate(UNHOLD_TABLE)
            first = HELD.search(line)
            if first is not None and _RULE_LINE.match(plain):
                rule_lines.add(start + first.start())
            start += len(line) + 1

    def one(m: re.Match[str]) -> str:
        ch = _UNHOLD[m.group()]
        at = m.start()
        return "\\" + ch if at in rule_lines or _misread(markdown, at, ch) else ch

    if rule_lines or _CANDIDATE.search(markdown) is not None:
        markdown = _CANDIDATE.sub(one, markdown)
    return HELD.sub(_unheld_char, markdown)


def _h(chars: str) -> str:
    """The placeholders of `chars`, for a character class."""
    return "".join(chr(BASE + SPECIALS.index(c)) for c in chars)


_CANDIDATE = re.compile(
    "[" + _h("\\`$*_") + "]"
    + "|" + _h("&") + "(?=[#A-Za-z])|" + _h("<") + "(?=[A-Za-z/!?])"
    + "|" + _h("]") + "(?=[(:\\[" + _h("[") + "])"
    + "|[" + _h("-+#>~=") + "](?<=(?<![^ \t\n])[" + _h("-+#>~=") + "])"
    + "|[" + _h(".)") + "](?<=[0-9][" + _h(".)") + "])"
)  # fmt: skip
HELDRULE = re.compile("(?m)^[ \t]*[-*_=" + _h("-*_=") + "][-*_= \t" + _h("-*_=") + "]*$")


UNHOLD_TABLE = str.maketrans({ord(k): v for k, v in _UNHOLD.items()})


def _char(text: str, at: int) -> str:
    """The character at `at` as the reader sees it ("" past either end; a math marker is `$`)."""
    if at < 0 or at >= len(text):
        return ""
    ch = text[at]
    if ch == MATH_OPEN:
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
        rest = text[at : at + 50].translate(UNHOLD_TABLE)
        return _ENTITY.match(rest) is not None
    return False  # `[`, `!`, `=`: only as part of a form decided elsewhere


def _space(ch: str) -> bool:
    return ch == "" or ch.isspace()
