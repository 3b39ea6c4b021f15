"""Where each key of a valid deck sits, found only for the keys a diagnostic points at.

Walking a whole 10k-card deck with the `Scanner` (every key, every string character) took longer
than parsing it. A valid deck needs only the line of each `[[card]]` header, which one regular
expression finds; the position of anything inside a card is found by walking that card's table
alone, when a diagnostic asks for it. Anything the shortcut cannot vouch for (a card header
written another way, a table that is not a card after the first card) falls back to walking the
whole text once, as before.
"""

from __future__ import annotations

import bisect
import contextlib
import re

from srs.core.deckfile.limits import OPAQUE
from srs.core.deckfile.scanner import KeyPath, Loc, ScanError, Scanner

# A `[[card]]` header alone on its line (a trailing comment allowed). In valid TOML a line start
# outside a multi-line string is never inside a value, so each match is a real header.
_CARD_HEADER = re.compile(r"^\[\[[ \t]*card[ \t]*\]\][ \t]*(?:#[^\n]*)?$", re.MULTILINE)
# Any table header at a line start: after the first card, only card headers keep the shortcut.
_ANY_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)


class Places:
    """Key path -> `Loc`, like the scanner's `locs`, but walked lazily, card by card.

    Built for a document `tomllib`-compatible parsing accepted, holding `cards` `[[card]]` tables.
    """

    def __init__(self, text: str, cards: int, whole: dict[KeyPath, Loc] | None = None) -> None:
        self.text = text
        self.tables: dict[int, dict[KeyPath, Loc]] = {}  # card index -> its table's locations
        self.head: dict[KeyPath, Loc] | None = None  # what precedes the first card
        self.whole = whole  # every location, when the whole text is (or has been) walked
        self.multiline: list[tuple[int, int]] = []
        self.starts: list[int] = []
        self.lines: list[int] = []
        if whole is not None:
            return
        self.multiline = _multiline_spans(text)
        self.starts = [m.start() for m in _CARD_HEADER.finditer(text) if self._outside(m.start())]
        line, previous = 1, 0
        for start in self.starts:
            line += text.count("\n", previous, start)
            previous = start
            self.lines.append(line)
        if not self._shortcut_holds(cards):
            self.whole = self._walk(0, None, 0)

    @classmethod
    def walked(cls, text: str, locs: dict[KeyPath, Loc]) -> Places:
        """Places over locations the scanner has already recorded for the whole text."""
        return cls(text, 0, whole=locs)

    def _outside(self, offset: int) -> bool:
        """Whether `offset` is outside every multi-line string."""
        i = bisect.bisect_right(self.multiline, (offset, len(self.text))) - 1
        return i < 0 or offset >= self.multiline[i][1]

    def _shortcut_holds(self, cards: int) -> bool:
        if len(self.starts) != cards:
            return False
        if not self.starts:
            return True
        found = _ANY_HEADER.finditer(self.text, self.starts[0])
        headers = sum(1 for m in found if self._outside(m.start()))
        # Every line starting with `[` after the first card is one of its headers; more lines
        # may be sub-tables or array rows, which the per-card walk would not place correctly.
        return headers == cards

    def get(self, path: KeyPath) -> Loc | None:
        """The recorded offsets of `path`, or None where it has none."""
        if self.whole is not None:
            return self.whole.get(path)
        index = path[1] if len(path) >= 2 and path[0] == "card" else None
        if isinstance(index, int) and 0 <= index < len(self.starts):
            if len(path) == 2:
                return Loc(key=self.starts[index])
            if index not in self.tables:
                stop = self.starts[index + 1] if index + 1 < len(self.starts) else None
                self.tables[index] = self._walk(self.starts[index], stop, index)
            return self.tables[index].get(path)
        if self.head is None:
            self.head = self._walk(0, self.starts[0] if self.starts else None, 0)
        return self.head.get(path)

    def card_line(self, index: int) -> int | None:
        """1-based line of the `index`-th `[[card]]` header, when the shortcut knows it."""
        if self.whole is not None or not 0 <= index < len(self.starts):
            return None
        return self.lines[index]

    def card_text(self, index: int) -> str | None:
        """The text of the `index`-th card's table, from its header to the next card's (or the
        end), when the shortcut knows it: what a card's kept checks are keyed by."""
        if self.whole is not None or not 0 <= index < len(self.starts):
            return None
        stop = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[index] : stop]

    def _walk(self, start: int, stop: int | None, card: int) -> dict[KeyPath, Loc]:
        scanner = Scanner(self.text)
        if card:
            scanner.aot[("card",)] = card  # the header at `start` is then card number `card`
        with contextlib.suppress(ScanError, IndexError, RecursionError):
            scanner.scan(start, stop)
        return scanner.locs


def _multiline_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every multi-line string, in order; none without triple quotes."""
    if '"""' not in text and "'''" not in text:
        return []
    return [m.span() for m in OPAQUE.finditer(text) if m.group().startswith(('"""', "'''"))]
