"""A forgiving TOML walker that records where every key, value and string character sits.

`tomllib` reads the values but reports no positions for them; this scanner walks the same text so
the checker can point at an exact line and column. `tomllib` stays the judge of validity.
"""

from __future__ import annotations

import re
from array import array as Offsets
from dataclasses import dataclass


@dataclass(slots=True)
class Loc:
    """Offsets of one key path in the text. `chars` holds one offset per decoded string char,
    packed (4 bytes each, where a list of ints costs about 36), so a deck's positions stay small."""

    key: int | None = None
    value: int | None = None
    string: str | None = None
    chars: Offsets[int] | None = None


def _offsets() -> Offsets[int]:
    # "i" (4 bytes) holds any offset of a text within the deck size limit (MAX_DECK_BYTES).
    return Offsets("i")


class ScanError(Exception):
    """The scanner met text it does not understand; positions found so far are kept."""


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^,\]}#\n]*")
_ML_TRIM = re.compile(r"\\[ \t]*\n[ \t\n]*")
_BASIC_RUN = re.compile(r'[^"\\\n]+')  # characters a basic string takes as they are
_ML_BASIC_RUN = re.compile(r'[^"\\]+')
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}

KeyPath = tuple[str | int, ...]


class Scanner:
    """A forgiving TOML walker that records positions; tomllib stays the judge of validity.

    Paths mirror the parsed document: ("card", 2, "front") is the front of the third [[card]].
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.locs: dict[KeyPath, Loc] = {}
        self.aot: dict[KeyPath, int] = {}  # array-of-tables path -> number of elements so far
        self.defined: dict[KeyPath, int] = {}
        self.duplicate: tuple[KeyPath, int, int] | None = None  # path, offset, first offset
        self.opened: int | None = None  # offset of a string value whose end is not found yet

    # -- low-level helpers
    def peek(self, s: str) -> bool:
        return self.text.startswith(s, self.i)

    def expect(self, s: str) -> None:
        if not self.peek(s):
            raise ScanError(f"expected {s!r} at {self.i}")
        self.i += len(s)

    def skip_ws(self) -> None:
        while self.i < len(self.text) and self.text[self.i] in " \t":
            self.i += 1

    def skip_blank(self) -> None:
        """Whitespace, newlines and comments (inside arrays, and between statements)."""
        while self.i < len(self.text):
            ch = self.text[self.i]
            if ch in " \t\n\r":
                self.i += 1
            elif ch == "#":
                end = self.text.find("\n", self.i)
                self.i = len(self.text) if end < 0 else end
            else:
                break

    def skip_line(self) -> None:
        end = self.text.find("\n", self.i)
        self.i = len(self.text) if end < 0 else end + 1

    def record(self, path: KeyPath, offset: int) -> None:
        if path in self.defined and self.duplicate is None:
            self.duplicate = (path, offset, self.defined[path])
        self.defined.setdefault(path, offset)

    # -- document
    def scan(self, start: int = 0, stop: int | None = None) -> None:
        """Walk the text from `start`; raises `ScanError` where it stops understanding it.

        With `stop`, the walk ends at the first table header at or after that offset, so one
        table of a valid document can be walked alone (`places.Places` does, for a reported card).
        Every step of every loop consumes at least one character or raises, so the walk ends on
        any input (`x = [}]` once looped forever here).
        """
        table: KeyPath = ()
        n = len(self.text)
        self.i = start
        while True:
            self.skip_blank()
            if self.i >= n:
                return
            start = self.i
            if stop is not None and start >= stop and self.peek("["):
                return
            if self.peek("[["):
                self.i += 2
                names = [name for name, _ in self.key()]
                self.skip_ws()
                self.expect("]]")
                array = (*self.resolve(names[:-1]), names[-1])
                index = self.aot.get(array, 0)
                self.aot[array] = index + 1
                table = (*array, index)
                self.locs.setdefault(array, Loc(key=start))
                self.locs[table] = Loc(key=start)
            elif self.peek("["):
                self.i += 1
                names = [name for name, _ in self.key()]
                self.skip_ws()
                self.expect("]")
                table = self.resolve(names)
                self.record(table, start)
                self.locs.setdefault(table, Loc(key=start))
            else:
                self.pair(table)
            self.skip_line()
            if self.i <= start:
                raise ScanError(f"no progress at {start}")

    def resolve(self, names: list[str]) -> KeyPath:
        """A header's dotted name -> document path, stepping into the latest array element."""
        path: KeyPath = ()
        for name in names:
            path = (*path, name)
            if path in self.aot:
                path = (*path, self.aot[path] - 1)
        return path

    def pair(self, table: KeyPath) -> None:
        parts = self.key()
        self.skip_ws()
        self.expect("=")
        self.skip_ws()
        path = (*table, *(name for name, _ in parts))
        self.record(path, parts[0][1])
        loc = Loc(key=parts[0][1])
        self.locs[path] = loc
        self.value(path, loc)

    def key(self) -> list[tuple[str, int]]:
        parts: list[tuple[str, int]] = []
        while True:
            self.skip_ws()
            start = self.i
            if self.peek('"'):
                name, _ = self.basic()
            elif self.peek("'"):
                name, _ = self.literal()
            else:
                m = _BARE_KEY.match(self.text, self.i)
                if not m:
                    raise ScanError(f"no key at {self.i}")
                name, self.i = m.group(), m.end()
            parts.append((name, start))
            self.skip_ws()
            if not self.peek("."):
                return parts
            self.i += 1

    # -- values
    def value(self, path: KeyPath, loc: Loc) -> None:
        loc.value = self.i
        if self.peek('"') or self.peek("'"):
            self.opened = self.i  # kept when the scan stops inside the string: it is unclosed
            loc.string, loc.chars = self.string()
            self.opened = None
        elif self.peek("["):
            self.array(path)
        elif self.peek("{"):
            self.inline_table(path)
        else:
            m = _SCALAR.match(self.text, self.i)
            if m is None or m.end() == self.i:
                raise ScanError(f"no value at {self.i}")
            self.i = m.end()

    def string(self) -> tuple[str, Offsets[int]]:
        """Any of the four kinds of string at the current position."""
        if self.peek('"""'):
            return self.ml_basic()
        if self.peek("'''"):
            return self.ml_literal()
        if self.peek('"'):
            return self.basic()
        return self.literal()

    def array(self, path: KeyPath) -> None:
        self.expect("[")
        index = 0
        while True:
            self.skip_blank()
            if self.i >= len(self.text):
                raise ScanError("unclosed array")
            if self.peek("]"):
                self.i += 1
                return
            start = self.i
            sub = (*path, index)
            loc = Loc(key=self.i)
            self.locs[sub] = loc
            self.value(sub, loc)
            index += 1
            self.skip_blank()
            if self.peek(","):
                self.i += 1
            if self.i <= start:
                raise ScanError(f"no progress in array at {start}")

    def inline_table(self, path: KeyPath) -> None:
        self.expect("{")
        while True:
            self.skip_ws()
            if self.i >= len(self.text) or self.peek("\n"):
                raise ScanError("unclosed inline table")
            if self.peek("}"):
                self.i += 1
                return
            start = self.i
            self.pair(path)
            self.skip_ws()
            if self.peek(","):
                self.i += 1
            if self.i <= start:
                raise ScanError(f"no progress in inline table at {start}")

    # -- strings: each returns (decoded text, offset of the source of every decoded char)
    def escape(self, out: list[str], chars: Offsets[int]) -> None:
        start = self.i
        code = self.text[self.i + 1 : self.i + 2]
        if code in ("u", "U"):
            width = 4 if code == "u" else 8
            digits = self.text[self.i + 2 : self.i + 2 + width]
            try:
                out.append(chr(int(digits, 16)))
            except ValueError:
                raise ScanError("bad unicode escape") from None
            self.i += 2 + width
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
            self.i += 2
        else:
            raise ScanError("bad escape")
        chars.append(start)

    def basic(self) -> tuple[str, Offsets[int]]:
        self.expect('"')
        out: list[str] = []
        chars = _offsets()
        while True:
            # Runs of plain characters in one step: a per-character loop took seconds on a
            # 10k-card deck.
            run = _BASIC_RUN.match(self.text, self.i)
            if run:
                out.append(run.group())
                chars.extend(range(run.start(), run.end()))
                self.i = run.end()
            ch = self.text[self.i]  # IndexError at end of text is caught by the caller
            if ch == '"':
                self.i += 1
                return "".join(out), chars
            if ch == "\n":
                raise ScanError("newline in string")
            if ch == "\\":
                self.escape(out, chars)
            else:
                out.append(ch)
                chars.append(self.i)
                self.i += 1

    def literal(self) -> tuple[str, Offsets[int]]:
        self.expect("'")
        end = self.text.find("'", self.i)
        if end < 0 or "\n" in self.text[self.i : end]:
            raise ScanError("unclosed literal string")
        start, self.i = self.i, end + 1
        return self.text[start:end], Offsets("i", range(start, end))

    def closing(self, quote: str) -> int:
        """At a run of 3+ quotes: how many of them belong to the content (TOML allows up to 2)."""
        j = self.i
        while j < len(self.text) and self.text[j] == quote:
            j += 1
        return min(j - self.i - 3, 2)

    def ml_basic(self) -> tuple[str, Offsets[int]]:
        self.expect('"""')
        if self.peek("\n"):
            self.i += 1  # a newline right after the opening quotes is trimmed
        out: list[str] = []
        chars = _offsets()
        while True:
            run = _ML_BASIC_RUN.match(self.text, self.i)
            if run:
                out.append(run.group())
                chars.extend(range(run.start(), run.end()))
                self.i = run.end()
            if self.i >= len(self.text):
                raise ScanError("unclosed string")
            if self.peek('"""'):
                extra = self.closing('"')
                out.extend('"' * extra)
                chars.extend(range(self.i, self.i + extra))
                self.i += extra + 3
                return "".join(out), chars
            if self.peek("\\"):
                trim = _ML_TRIM.match(self.text, self.i)
                if trim:
                    self.i = trim.end()
                else:
                    self.escape(out, chars)
            else:
                out.append(self.text[self.i])
                chars.append(self.i)
                self.i += 1

    def ml_literal(self) -> tuple[str, Offsets[int]]:
        self.expect("'''")
        if self.peek("\n"):
            self.i += 1
        start = self.i
        end = self.text.find("'''", self.i)
        if end < 0:
            raise ScanError("unclosed string")
        self.i = end
        end += self.closing("'")
        self.i = end + 3
        return self.text[start:end], Offsets("i", range(start, end))
