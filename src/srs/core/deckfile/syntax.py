"""The one diagnostic for a document that `tomllib` refuses, placed where the author will look."""

from __future__ import annotations

import re

from srs.core.cardtext import is_control
from srs.core.deckfile.scanner import Scanner
from srs.core.deckfile.text import TextPositions, char_name
from srs.core.errors import Diagnostic

_TOML_WHERE = re.compile(r" \(at line (\d+), column (\d+)\)$")
_TOML_END = " (at end of document)"


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
    elif scanner.duplicate and ("twice" in raw or "overwrite" in raw or "Duplicate" in raw):
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
