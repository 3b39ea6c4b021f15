"""Deck bytes -> text, and offsets in that text -> 1-based line and column."""

from __future__ import annotations

import bisect
import re

from srs.core.errors import Diagnostic

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def char_name(ch: str) -> str:
    return f"U+{ord(ch):04X}"


class TextPositions:
    """Maps string offsets in the (CRLF-normalised) text to 1-based line and column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    @property
    def starts(self) -> list[int]:
        """Offset of each line's first character, built on first use (a valid deck rarely asks)."""
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        return self._starts

    def pos(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def end(self) -> tuple[int, int]:
        return self.pos(len(self.text))


def decode(data: bytes | str, path: str) -> tuple[str | None, Diagnostic | None]:
    """Bytes -> text, or a `not-utf8` diagnostic at the first bad byte (or lone surrogate)."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            start = exc.start
            line = data.count(b"\n", 0, start) + 1
            line_start = data.rfind(b"\n", 0, start) + 1
            before = data[line_start:start]
            if line_start == 0:  # the byte-order mark is dropped below, so it takes no column
                before = before.removeprefix(b"\xef\xbb\xbf")
            col = len(before.decode("utf-8", errors="replace")) + 1
            msg = f"file is not valid UTF-8 (byte 0x{data[start]:02X}); save it as UTF-8"
            return None, Diagnostic(path, line, col, "error", "not-utf8", msg)
    else:
        text = data
    # A byte-order mark is invisible in editors; dropping it keeps columns as the author sees them.
    text = text.removeprefix("\ufeff")
    # The TOML spec lets a parser read CRLF as LF; tomllib does, so positions must too.
    text = text.replace("\r\n", "\n")
    bad = _SURROGATE.search(text)
    if bad:
        line, col = TextPositions(text).pos(bad.start())
        msg = f"text is not valid Unicode (lone surrogate {char_name(bad.group())})"
        return None, Diagnostic(path, line, col, "error", "not-utf8", msg)
    return text, None
