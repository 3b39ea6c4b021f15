"""The one diagnostic for a document that `tomllib` refuses, placed where the author will look."""

from __future__ import annotations

import json
import re
import tomllib

from srs.core.cardtext import is_control, printable
from srs.core.deckfile.scanner import Scanner
from srs.core.deckfile.text import TextPositions, char_name
from srs.core.errors import Diagnostic

_TOML_WHERE = re.compile(r" \(at line (\d+), column (\d+)\)$")
_TOML_END = " (at end of document)"
_UNCLOSED = re.compile(r"Unterminated string|Expected \"(?:'|\'\'\')\"")
_SINGLE_CARD = re.compile(r"^[ \t]*\[[ \t]*card[ \t]*\][ \t]*(?:#.*)?$", re.MULTILINE)
_KEY_EQUALS = re.compile(r"\A[ \t]*[\w.\"' -]+=[ \t]*\Z")
_AFTER_STATEMENT = "Expected newline or end of document after a statement"


def syntax_error(
    exc: Exception, text: TextPositions, scanner: Scanner, path: str
) -> Diagnostic:  # the one diagnostic for a document tomllib refuses
    raw = str(exc)
    m = _TOML_WHERE.search(raw)
    if m:
        line, col = int(m.group(1)), int(m.group(2))
        raw = raw[: m.start()]
    else:
        line, col = text.end()
        raw = raw.removesuffix(_TOML_END)
    if isinstance(exc, RecursionError):
        raw = "values are nested too deeply"
    elif scanner.opened is not None and _UNCLOSED.match(raw):
        return _unclosed(text, scanner.opened, path)
    single = _SINGLE_CARD.search(text.text)
    if single and ("twice" in raw or "overwrite" in raw):
        line, col = text.pos(single.start() + single.group().index("["))
        msg = "[card] is a single table: start each card with [[card]] (two brackets)"
        return Diagnostic(path, line, col, "error", "toml-syntax", msg)
    unquoted = _unquoted(raw, text, line, col, path)
    if unquoted is not None:
        return unquoted
    if scanner.duplicate and ("twice" in raw or "overwrite" in raw or "Duplicate" in raw):
        dup, offset, first = scanner.duplicate
        line, col = text.pos(offset)
        names = ".".join(str(p) for p in dup if isinstance(p, str))
        msg = f"{names!r} is defined twice (first at line {text.pos(first)[0]})"
        return Diagnostic(path, line, col, "error", "toml-syntax", msg)
    bad = re.fullmatch(r"Illegal character (.+)", raw)
    offset = text.starts[line - 1] + col - 1 if 0 < line <= len(text.starts) else -1
    ch = text.text[offset] if 0 <= offset < len(text.text) else ""
    if bad and ch == "\n":
        msg = 'string not closed before the end of the line (use """ for text over several lines)'
        return Diagnostic(path, line, col, "error", "toml-syntax", msg)
    if bad and ch and is_control(ch):
        msg = f"control character {char_name(ch)} is not allowed"
        return Diagnostic(path, line, col, "error", "control-char", msg)
    msg = f"invalid TOML: {raw[:1].lower()}{raw[1:]}"
    return Diagnostic(path, max(line, 1), max(col, 1), "error", "toml-syntax", msg)


def _unclosed(text: TextPositions, opened: int, path: str) -> Diagnostic:
    """A string that runs to the end of the file, reported where it opens."""
    quotes = text.text[opened : opened + 3]
    if quotes not in ('"""', "'''"):
        quotes = quotes[0]
    line, col = text.pos(opened)
    msg = f"string opened here with {quotes} is never closed; add the closing {quotes}"
    return Diagnostic(path, line, col, "error", "toml-syntax", msg)


def _unquoted(raw: str, text: TextPositions, line: int, col: int, path: str) -> Diagnostic | None:
    """Text written as a value without quotes (`title = My deck`): say to add them."""
    if not 0 < line <= len(text.starts):
        return None
    start = text.starts[line - 1]
    end = text.text.find("\n", start)
    row = text.text[start : len(text.text) if end < 0 else end]
    if raw == _AFTER_STATEMENT:  # `title = 3 body problem`: the value starts after "="
        eq = row.find("=")
        if eq < 0 or not _KEY_EQUALS.match(row[: eq + 1]):
            return None
        col = eq + 2 + len(row[eq + 1 :]) - len(row[eq + 1 :].lstrip(" \t"))
    elif raw != "Invalid value":
        return None
    before, rest = row[: col - 1], row[col - 1 :]
    if not rest[:1].isalnum():
        return None
    if _KEY_EQUALS.match(before):  # the whole value, to the end of the line
        word = rest.rstrip()
    else:  # an item of an array or inline table
        word = re.split(r"[,\]}#]", rest, maxsplit=1)[0].rstrip()
    if _parses(word):
        return None
    shown = printable(json.dumps(word[:60], ensure_ascii=False))
    msg = f"text values need quotes: add quotes, as in {shown}"
    return Diagnostic(path, line, col, "error", "toml-syntax", msg)


def _parses(value: str) -> bool:
    """True when `value` is already a valid TOML value on its own (then quotes are no fix)."""
    try:
        tomllib.loads(f"v = {value}")
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return False
    return True
