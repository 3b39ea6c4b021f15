"""Deck text -> model objects, and the deck checker behind `srs deck check`.

A deck file is TOML (see docs/deck-format.md). `tomllib` reads the values but reports no positions
for them, so a light scanner (`_Scanner`) walks the same text and records where every key, value
and string character sits. The checker then reports every problem it finds, each as a `Diagnostic`
with an exact line and column, and `parse_deck` refuses a deck that has any error.

Core module: standard library plus markdown-it-py (imported lazily, only when card text is checked).
No clock and no disk access except inside `read_deck_file`.
"""

from __future__ import annotations

import bisect
import contextlib
import difflib
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from srs.errors import DeckFileError
from srs.model import Card, Deck, Kind
from srs.safetext import CONTROL_CHARS

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# \A and \Z rather than ^ and $: "$" also matches before a trailing newline.
SLUG = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")

LONG_PROMPT = 400
"""A front longer than this many characters draws a `long-prompt` warning."""

Severity = Literal["error", "warning"]

DECK_KEYS: tuple[str, ...] = ("id", "title", "source")
CARD_KEYS: tuple[str, ...] = ("id", "kind", "front", "back", "source", "tags")
TOP_KEYS: tuple[str, ...] = ("deck", "card")
KINDS: tuple[str, ...] = tuple(k.value for k in Kind)

# Names people reach for from other flashcard tools; mapped to ours for a better "did you mean".
_ALIASES: dict[str, str] = {
    "question": "front",
    "prompt": "front",
    "q": "front",
    "answer": "back",
    "a": "back",
    "type": "kind",
    "tag": "tags",
    "name": "title",
    "ref": "source",
    "reference": "source",
    "cards": "card",
    "decks": "deck",
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a deck file, at an exact 1-based line and column."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    card_id: str | None = None

    def format(self) -> str:
        """Ruff-style one-liner: `path:line:col: severity: message (card 'id') [code]`."""
        card = f" (card {self.card_id!r})" if self.card_id is not None else ""
        where = f"{_printable(self.path)}:{self.line}:{self.col}"
        return f"{where}: {self.severity}: {self.message}{card} [{self.code}]"


@dataclass(frozen=True, slots=True)
class DeckCheck:
    """Everything the checker learnt about one deck file.

    `deck` is None when there is any error. `deck_id_at` is the (line, col) of the deck id value,
    when there is one, so that callers checking many files can point at a clash between them.
    """

    diagnostics: tuple[Diagnostic, ...]
    deck: Deck | None
    deck_id_at: tuple[int, int] | None = None

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics of severity "error"."""
        return tuple(d for d in self.diagnostics if d.severity == "error")


# --------------------------------------------------------------------------------------------
# Public entry points


def check_deck(data: bytes | str, path: str = "<deck>") -> list[Diagnostic]:
    """Every problem in a deck, errors and warnings, sorted by position. Never raises."""
    return list(analyse_deck(data, path).diagnostics)


def parse_deck(data: bytes | str, path: str = "<deck>") -> Deck:
    """Parse deck text into a `Deck`.

    Raises `DeckFileError` carrying the place of the first error, with every error in `.problems`.
    A deck with any error is refused whole; warnings never raise.
    """
    result = analyse_deck(data, path)
    errors = result.errors
    if errors or result.deck is None:
        first = errors[0] if errors else Diagnostic(path, 1, 1, "error", "internal", "no deck")
        raise DeckFileError(
            first.message, first.path, first.line, first.col, first.card_id, problems=errors
        )
    return result.deck


def read_deck_file(path: Path) -> Deck:
    """Read and parse one deck file from disk; an unreadable file is a `DeckFileError`."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        diag = Diagnostic(str(path), 1, 1, "error", "read-error", f"cannot read file: {reason}")
        raise DeckFileError(diag.message, diag.path, problems=(diag,)) from None
    return parse_deck(data, str(path))


def analyse_deck(data: bytes | str, path: str = "<deck>") -> DeckCheck:
    """Check a deck and, when it has no error, build it. Never raises."""
    try:
        return _analyse(data, path)
    except Exception as exc:  # a checker bug must still come out as a diagnostic
        diag = Diagnostic(
            path,
            1,
            1,
            "error",
            "internal-error",
            f"the deck checker failed: {exc!r}; please report",
        )
        return DeckCheck((diag,), None)


# --------------------------------------------------------------------------------------------
# Text and positions


def _printable(text: str) -> str:
    """Escape what must not reach a terminal (control characters and other non-printables)."""
    if text.isprintable():
        return text
    return repr(text)[1:-1]


def _is_control(ch: str) -> bool:
    """C0 except newline and tab, DEL, and C1."""
    o = ord(ch)
    return (o < 0x20 and ch not in "\n\t") or 0x7F <= o <= 0x9F


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X}"


class _Text:
    """Maps string offsets in the (CRLF-normalised) text to 1-based line and column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def pos(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def end(self) -> tuple[int, int]:
        return self.pos(len(self.text))


def _decode(data: bytes | str, path: str) -> tuple[str | None, Diagnostic | None]:
    """Bytes -> text, or a `not-utf8` diagnostic at the first bad byte (or lone surrogate)."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            start = exc.start
            line = data.count(b"\n", 0, start) + 1
            line_start = data.rfind(b"\n", 0, start) + 1
            col = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
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
        line, col = _Text(text).pos(bad.start())
        msg = f"text is not valid Unicode (lone surrogate {_char_name(bad.group())})"
        return None, Diagnostic(path, line, col, "error", "not-utf8", msg)
    return text, None


# --------------------------------------------------------------------------------------------
# The scanner: where each key and value of a (valid) TOML document sits


@dataclass(slots=True)
class _Loc:
    """Offsets of one key path in the text. `chars` holds one offset per decoded string char."""

    key: int | None = None
    value: int | None = None
    string: str | None = None
    chars: list[int] | None = None


class _ScanError(Exception):
    """The scanner met text it does not understand; positions found so far are kept."""


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^,\]}#\n]*")
_ML_TRIM = re.compile(r"\\[ \t]*\n[ \t\n]*")
_BASIC_RUN = re.compile(r'[^"\\\n]+')  # characters a basic string takes as they are
_ML_BASIC_RUN = re.compile(r'[^"\\]+')
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}

Path_ = tuple[str | int, ...]


class _Scanner:
    """A forgiving TOML walker that records positions; tomllib stays the judge of validity.

    Paths mirror the parsed document: ("card", 2, "front") is the front of the third [[card]].
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.locs: dict[Path_, _Loc] = {}
        self.aot: dict[Path_, int] = {}  # array-of-tables path -> number of elements so far
        self.defined: dict[Path_, int] = {}
        self.duplicate: tuple[Path_, int, int] | None = None  # path, offset, first offset

    # -- low-level helpers
    def peek(self, s: str) -> bool:
        return self.text.startswith(s, self.i)

    def expect(self, s: str) -> None:
        if not self.peek(s):
            raise _ScanError(f"expected {s!r} at {self.i}")
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

    def record(self, path: Path_, offset: int) -> None:
        if path in self.defined and self.duplicate is None:
            self.duplicate = (path, offset, self.defined[path])
        self.defined.setdefault(path, offset)

    # -- document
    def scan(self) -> None:
        table: Path_ = ()
        n = len(self.text)
        while True:
            self.skip_blank()
            if self.i >= n:
                return
            start = self.i
            if self.peek("[["):
                self.i += 2
                names = [name for name, _ in self.key()]
                self.skip_ws()
                self.expect("]]")
                array = (*self.resolve(names[:-1]), names[-1])
                index = self.aot.get(array, 0)
                self.aot[array] = index + 1
                table = (*array, index)
                self.locs.setdefault(array, _Loc(key=start))
                self.locs[table] = _Loc(key=start)
            elif self.peek("["):
                self.i += 1
                names = [name for name, _ in self.key()]
                self.skip_ws()
                self.expect("]")
                table = self.resolve(names)
                self.record(table, start)
                self.locs.setdefault(table, _Loc(key=start))
            else:
                self.pair(table)
            self.skip_line()

    def resolve(self, names: list[str]) -> Path_:
        """A header's dotted name -> document path, stepping into the latest array element."""
        path: Path_ = ()
        for name in names:
            path = (*path, name)
            if path in self.aot:
                path = (*path, self.aot[path] - 1)
        return path

    def pair(self, table: Path_) -> None:
        parts = self.key()
        self.skip_ws()
        self.expect("=")
        self.skip_ws()
        path = (*table, *(name for name, _ in parts))
        self.record(path, parts[0][1])
        loc = _Loc(key=parts[0][1])
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
                    raise _ScanError(f"no key at {self.i}")
                name, self.i = m.group(), m.end()
            parts.append((name, start))
            self.skip_ws()
            if not self.peek("."):
                return parts
            self.i += 1

    # -- values
    def value(self, path: Path_, loc: _Loc) -> None:
        loc.value = self.i
        if self.peek('"""'):
            loc.string, loc.chars = self.ml_basic()
        elif self.peek("'''"):
            loc.string, loc.chars = self.ml_literal()
        elif self.peek('"'):
            loc.string, loc.chars = self.basic()
        elif self.peek("'"):
            loc.string, loc.chars = self.literal()
        elif self.peek("["):
            self.array(path)
        elif self.peek("{"):
            self.inline_table(path)
        else:
            m = _SCALAR.match(self.text, self.i)
            self.i = m.end() if m else self.i + 1

    def array(self, path: Path_) -> None:
        self.expect("[")
        index = 0
        while True:
            self.skip_blank()
            if self.i >= len(self.text):
                raise _ScanError("unclosed array")
            if self.peek("]"):
                self.i += 1
                return
            sub = (*path, index)
            loc = _Loc(key=self.i)
            self.locs[sub] = loc
            self.value(sub, loc)
            index += 1
            self.skip_blank()
            if self.peek(","):
                self.i += 1

    def inline_table(self, path: Path_) -> None:
        self.expect("{")
        while True:
            self.skip_ws()
            if self.i >= len(self.text) or self.peek("\n"):
                raise _ScanError("unclosed inline table")
            if self.peek("}"):
                self.i += 1
                return
            self.pair(path)
            self.skip_ws()
            if self.peek(","):
                self.i += 1

    # -- strings: each returns (decoded text, offset of the source of every decoded char)
    def escape(self, out: list[str], chars: list[int]) -> None:
        start = self.i
        code = self.text[self.i + 1 : self.i + 2]
        if code in ("u", "U"):
            width = 4 if code == "u" else 8
            digits = self.text[self.i + 2 : self.i + 2 + width]
            try:
                out.append(chr(int(digits, 16)))
            except ValueError:
                raise _ScanError("bad unicode escape") from None
            self.i += 2 + width
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
            self.i += 2
        else:
            raise _ScanError("bad escape")
        chars.append(start)

    def basic(self) -> tuple[str, list[int]]:
        self.expect('"')
        out: list[str] = []
        chars: list[int] = []
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
                raise _ScanError("newline in string")
            if ch == "\\":
                self.escape(out, chars)
            else:
                out.append(ch)
                chars.append(self.i)
                self.i += 1

    def literal(self) -> tuple[str, list[int]]:
        self.expect("'")
        end = self.text.find("'", self.i)
        if end < 0 or "\n" in self.text[self.i : end]:
            raise _ScanError("unclosed literal string")
        start, self.i = self.i, end + 1
        return self.text[start:end], list(range(start, end))

    def closing(self, quote: str) -> int:
        """At a run of 3+ quotes: how many of them belong to the content (TOML allows up to 2)."""
        j = self.i
        while j < len(self.text) and self.text[j] == quote:
            j += 1
        return min(j - self.i - 3, 2)

    def ml_basic(self) -> tuple[str, list[int]]:
        self.expect('"""')
        if self.peek("\n"):
            self.i += 1  # a newline right after the opening quotes is trimmed
        out: list[str] = []
        chars: list[int] = []
        while True:
            run = _ML_BASIC_RUN.match(self.text, self.i)
            if run:
                out.append(run.group())
                chars.extend(range(run.start(), run.end()))
                self.i = run.end()
            if self.i >= len(self.text):
                raise _ScanError("unclosed string")
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

    def ml_literal(self) -> tuple[str, list[int]]:
        self.expect("'''")
        if self.peek("\n"):
            self.i += 1
        start = self.i
        end = self.text.find("'''", self.i)
        if end < 0:
            raise _ScanError("unclosed string")
        self.i = end
        end += self.closing("'")
        self.i = end + 3
        return self.text[start:end], list(range(start, end))


# --------------------------------------------------------------------------------------------
# The checks


_TOML_WHERE = re.compile(r" \(at line (\d+), column (\d+)\)$")
_TOML_END = " (at end of document)"


def _type_name(value: object) -> str:
    """The TOML name of a parsed value's type, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime | date | time):
        return "a date or time"
    return type(value).__name__


def _suggest(word: str, choices: tuple[str, ...]) -> str | None:
    """The closest allowed name, for "did you mean" hints."""
    low = word.lower().strip()
    if low in choices:
        return low
    alias = _ALIASES.get(low)
    if alias in choices:
        return alias
    close = difflib.get_close_matches(low, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _slugify(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def _normalise(text: str) -> str:
    """Case- and whitespace-insensitive form, for spotting a front that gives away its back."""
    return " ".join(text.casefold().split())


def _quote(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


_md: MarkdownIt | None = None


def _markdown() -> MarkdownIt:
    # Imported lazily: only checking card text needs it, and `srs --help` should stay fast.
    global _md
    if _md is None:
        from markdown_it import MarkdownIt

        _md = MarkdownIt("commonmark", {"html": True})
    return _md


def find_raw_html(text: str) -> tuple[int, str] | None:
    """Offset and source of the first raw HTML in Markdown `text`, or None.

    Uses a real CommonMark parser, so `<b>` inside a code span or code block, an autolink such as
    `<https://example.org>`, and a bare `a < b` are not HTML.
    """
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for tok in _markdown().parse(text):
        line = tok.map[0] if tok.map else 0
        base = starts[line] if line < len(starts) else 0
        if tok.type == "html_block":
            at = text.find("<", base)
            return (at if at >= 0 else base), tok.content.strip()
        if tok.type == "inline" and tok.children:
            cursor = base
            for child in tok.children:
                if child.type == "html_inline":
                    at = text.find(child.content, cursor)
                    if at < 0:
                        at = max(text.find(child.content), base)
                    return at, child.content
                cursor = _skip_past(text, cursor, child)
    return None


def _skip_past(text: str, cursor: int, child: Token) -> int:
    """Move the cursor past an inline token's source, so a later search cannot land inside it.

    Best effort: token content is sometimes transformed (entities, escapes), and then the cursor
    just stays where it was.
    """
    if child.type == "code_inline":
        opening = text.find(child.markup, cursor)
        if opening < 0:
            return cursor
        inner = text.find(child.content.strip(), opening + len(child.markup))
        if inner < 0:
            return cursor
        closing = text.find(child.markup, inner + len(child.content.strip()))
        return cursor if closing < 0 else closing + len(child.markup)
    if child.type == "text" and child.content:
        at = text.find(child.content, cursor)
        return cursor if at < 0 else at + len(child.content)
    return cursor


class _Checker:
    """Runs every check over a parsed document, using the scanner's positions."""

    def __init__(self, path: str, text: _Text, locs: dict[Path_, _Loc]) -> None:
        self.path = path
        self.text = text
        self.locs = locs
        self.diags: list[Diagnostic] = []

    # -- positions
    def at(self, path: Path_, part: Literal["key", "value"] = "value") -> tuple[int, int]:
        """Position of a key path's value (or key), falling back to its nearest known parent."""
        for cut in range(len(path), 0, -1):
            loc = self.locs.get(path[:cut])
            if loc is None:
                continue
            offset = loc.value if part == "value" and cut == len(path) else None
            if offset is None:
                offset = loc.key if loc.key is not None else loc.value
            if offset is not None:
                return self.text.pos(offset)
        return 1, 1

    def char_at(self, path: Path_, value: str, index: int) -> tuple[int, int]:
        """Position of one character of a string value; the value's start if not mapped."""
        loc = self.locs.get(path)
        if loc and loc.string == value and loc.chars is not None and 0 <= index < len(loc.chars):
            return self.text.pos(loc.chars[index])
        return self.at(path)

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        where: tuple[int, int],
        card_id: str | None = None,
    ) -> None:
        self.diags.append(
            Diagnostic(self.path, where[0], where[1], severity, code, message, card_id)
        )

    def error(self, code: str, msg: str, where: tuple[int, int], card: str | None = None) -> None:
        self.add("error", code, msg, where, card)

    def warn(self, code: str, msg: str, where: tuple[int, int], card: str | None = None) -> None:
        self.add("warning", code, msg, where, card)

    # -- generic checks
    def control_chars(self, node: Any, path: Path_, card: str | None) -> None:
        """Control characters anywhere: in keys and in every string value, however nested."""
        if isinstance(node, str):
            bad = CONTROL_CHARS.search(node)
            if bad:
                msg = f"control character {_char_name(bad.group())} in {_describe(path)}"
                self.error("control-char", msg, self.char_at(path, node, bad.start()), card)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                self.control_chars(item, (*path, i), card)
        elif isinstance(node, dict):
            if len(path) == 2 and path[0] == "card" and isinstance(node.get("id"), str):
                card = node["id"] or None  # name the card in diagnostics about its text
            for key, item in node.items():
                bad = CONTROL_CHARS.search(key)
                if bad:
                    msg = f"control character {_char_name(bad.group())} in key {key!r}"
                    self.error("control-char", msg, self.at((*path, key), "key"), card)
                self.control_chars(item, (*path, key), card)

    def unknown_keys(
        self,
        table: dict[str, Any],
        path: Path_,
        allowed: tuple[str, ...],
        where: str,
        card: str | None = None,
    ) -> None:
        for key in table:
            if key in allowed:
                continue
            hint = _suggest(key, allowed)
            msg = f"unknown key {key!r} {where}"
            if hint:
                msg += f"; did you mean {hint!r}?"
            elif not path and key in DECK_KEYS:
                msg += f"; {key!r} belongs in the [deck] table"
            elif path and key in TOP_KEYS:
                # `card = [...]` written after [deck] lands inside it; TOML has no "end of table".
                msg += f"; a top-level {key!r} must come before the first table header"
            else:
                msg += f" (allowed: {', '.join(allowed)})"
            self.error("unknown-key", msg, self.at((*path, key), "key"), card)

    def string_field(
        self,
        table: dict[str, Any],
        path: Path_,
        key: str,
        what: str,
        required: bool,
        card: str | None = None,
    ) -> str | None:
        """A string field's value when it is usable; reports missing, empty and mistyped ones."""
        if key not in table:
            if required:
                msg = f"{what} is missing required field {key!r}"
                self.error("missing-field", msg, self.at(path, "key"), card)
            return None
        value = table[key]
        if not isinstance(value, str):
            msg = f"{key!r} must be a string, not {_type_name(value)}"
            self.error("wrong-type", msg, self.at((*path, key)), card)
            return None
        if required and not value.strip():
            self.error("empty-field", f"{key!r} is empty", self.at((*path, key)), card)
            return None
        return value

    def slug(self, value: str, path: Path_, what: str, card: str | None = None) -> bool:
        if SLUG.match(value):
            return True
        msg = f"{what} {value!r} is not a slug (lowercase letters and digits joined by hyphens)"
        fixed = _slugify(value)
        if fixed:
            msg += f"; try {fixed!r}"
        self.error("bad-id", msg, self.at(path), card)
        return False

    def raw_html(self, value: str, path: Path_, key: str, card: str | None) -> None:
        found = find_raw_html(value)
        if found is None:
            return
        offset, html = found
        snippet = html if len(html) <= 40 else html[:37] + "..."
        msg = (
            f"raw HTML {snippet!r} in {key}; card text is Markdown without HTML "
            "(put code in `backticks`)"
        )
        self.error("raw-html", msg, self.char_at(path, value, offset), card)

    # -- the document
    def document(self, doc: dict[str, Any]) -> tuple[Deck | None, tuple[int, int] | None]:
        self.control_chars(doc, (), None)
        self.unknown_keys(doc, (), TOP_KEYS, "at the top level")
        deck_head = self.deck_table(doc)
        cards = self.cards(doc)
        if deck_head is None or any(d.severity == "error" for d in self.diags):
            return None, None
        deck_id, title, source, id_at = deck_head
        return Deck(deck_id, title, source, tuple(cards), self.path), id_at

    def deck_table(self, doc: dict[str, Any]) -> tuple[str, str, str, tuple[int, int]] | None:
        if "deck" not in doc:
            self.error("missing-table", "missing [deck] table (with id and title)", (1, 1))
            return None
        head = doc["deck"]
        if not isinstance(head, dict):
            msg = f"'deck' must be a table ([deck]), not {_type_name(head)}"
            self.error("wrong-type", msg, self.at(("deck",)))
            return None
        path: Path_ = ("deck",)
        self.unknown_keys(head, path, DECK_KEYS, "in [deck]")
        deck_id = self.string_field(head, path, "id", "[deck]", required=True)
        title = self.string_field(head, path, "title", "[deck]", required=True)
        source = self.string_field(head, path, "source", "[deck]", required=False)
        if deck_id is not None and not self.slug(deck_id, (*path, "id"), "deck id"):
            deck_id = None
        if deck_id is None or title is None:
            return None
        return deck_id, title, source or "", self.at((*path, "id"))

    def cards(self, doc: dict[str, Any]) -> list[Card]:
        raw_cards = doc.get("card", [])
        if not isinstance(raw_cards, list):
            msg = f"'card' must be an array of tables (write [[card]]), not {_type_name(raw_cards)}"
            self.error("wrong-type", msg, self.at(("card",), "key"))
            return []
        cards: list[Card] = []
        seen: dict[str, int] = {}
        kinds: set[str] = set()
        for index, raw in enumerate(raw_cards):
            card = self.card(raw, ("card", index), seen, kinds)
            if card is not None:
                cards.append(card)
        where = self.at(("deck",), "key")
        if not raw_cards:
            self.warn("no-cards", "deck has no cards (add [[card]] tables)", where)
        else:
            for kind in KINDS:
                if kind not in kinds:
                    msg = f"deck has no {kind} card; a good deck has at least one of each kind"
                    self.warn("missing-kind", msg, where)
        return cards

    def card(self, raw: Any, path: Path_, seen: dict[str, int], kinds: set[str]) -> Card | None:
        header = self.at(path, "key")
        if not isinstance(raw, dict):
            msg = f"each card must be a table ([[card]]), not {_type_name(raw)}"
            self.error("wrong-type", msg, header)
            return None
        raw_id = raw.get("id")
        card = raw_id if isinstance(raw_id, str) and raw_id else None
        self.unknown_keys(raw, path, CARD_KEYS, "in [[card]]", card)
        cid = self.string_field(raw, path, "id", "card", required=True, card=card)
        if cid is not None:
            id_at = self.at((*path, "id"))
            if cid in seen:
                msg = (
                    f"duplicate card id {cid!r}: first used at line {seen[cid]}, "
                    f"again at line {id_at[0]}"
                )
                self.error("duplicate-id", msg, id_at, card)
            else:
                seen[cid] = id_at[0]
            self.slug(cid, (*path, "id"), "card id", card)
        kind = self.string_field(raw, path, "kind", "card", required=True, card=card)
        if kind is not None:
            if kind in KINDS:
                kinds.add(kind)
            else:
                hint = _suggest(kind, KINDS)
                msg = f"unknown kind {kind!r}"
                msg += f"; did you mean {hint!r}?" if hint else f" (expected {_quote(list(KINDS))})"
                self.error("unknown-kind", msg, self.at((*path, "kind")), card)
        front = self.string_field(raw, path, "front", "card", required=True, card=card)
        back = self.string_field(raw, path, "back", "card", required=True, card=card)
        for key, value in (("front", front), ("back", back)):
            if value is not None:
                self.raw_html(value, (*path, key), key, card)
        source = self.string_field(raw, path, "source", "card", required=False, card=card)
        if "source" not in raw or (source is not None and not source.strip()):
            msg = "card has no source: say where in the paper it comes from"
            self.warn("no-source", msg, header, card)
        tags = self.tags(raw, path, card)
        if front is not None and back is not None:
            self.prompt_warnings(front, back, path, card)
        if None in (cid, kind, front, back, tags) or kind not in KINDS:
            return None
        return Card(cid, Kind(kind), front, back, source or "", tags, header[0])

    def tags(self, raw: dict[str, Any], path: Path_, card: str | None) -> tuple[str, ...] | None:
        if "tags" not in raw:
            return ()
        tags = raw["tags"]
        tags_path = (*path, "tags")
        if not isinstance(tags, list):
            msg = f"'tags' must be an array of strings, not {_type_name(tags)}"
            self.error("wrong-type", msg, self.at(tags_path), card)
            return None
        good = True
        for i, tag in enumerate(tags):
            where = self.at((*tags_path, i))
            if not isinstance(tag, str):
                msg = f"each tag must be a string, not {_type_name(tag)}"
                self.error("wrong-type", msg, where, card)
                good = False
            elif not tag.strip():
                self.error("empty-field", "empty tag", where, card)
                good = False
            elif re.search(r"\s", tag):
                msg = f"tag {tag!r} contains a space; use a hyphen ({'-'.join(tag.split())!r})"
                self.error("tag-space", msg, where, card)
                good = False
        return tuple(tags) if good else None

    def prompt_warnings(self, front: str, back: str, path: Path_, card: str | None) -> None:
        where = self.at((*path, "front"))
        nf, nb = _normalise(front), _normalise(back).strip(" .!?;:,")
        if nb and nf.strip(" .!?;:,") == nb:
            self.warn("answer-in-prompt", "front and back are the same text", where, card)
        # The substring test first: the word-boundary regex is built per card, and compiling
        # one for every card cost seconds on a 10k-card deck.
        elif nb and nb in nf and re.search(r"(?<!\w)" + re.escape(nb) + r"(?!\w)", nf):
            msg = "front gives away the answer: it contains the back word for word"
            self.warn("answer-in-prompt", msg, where, card)
        if len(front) > LONG_PROMPT:
            msg = (
                f"front is {len(front)} characters long (over {LONG_PROMPT}); "
                "split it into smaller cards"
            )
            self.warn("long-prompt", msg, where, card)


def _describe(path: Path_) -> str:
    """A key path as the author would name it: "front", "[deck] title", "tags"."""
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return "a value"
    if names[0] == "deck" and len(names) > 1:
        return f"[deck] {'.'.join(names[1:])}"
    if names[0] == "card" and len(names) > 1:
        return ".".join(names[1:])
    return ".".join(names)


def _syntax_error(
    exc: Exception, text: _Text, scanner: _Scanner, path: str
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
    if bad and ch and _is_control(ch):
        msg = f"control character {_char_name(ch)} is not allowed"
        return Diagnostic(path, line, col, "error", "control-char", msg)
    msg = f"invalid TOML: {raw[:1].lower()}{raw[1:]}"
    return Diagnostic(path, max(line, 1), max(col, 1), "error", "toml-syntax", msg)


def _analyse(data: bytes | str, path: str) -> DeckCheck:
    text, problem = _decode(data, path)
    if text is None:
        assert problem is not None
        return DeckCheck((problem,), None)
    positions = _Text(text)
    scanner = _Scanner(text)
    # Positions recorded before a scanner stop stay usable; the others fall back to a parent's.
    with contextlib.suppress(_ScanError, IndexError, RecursionError):
        scanner.scan()
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        return DeckCheck((_syntax_error(exc, positions, scanner, path),), None)
    checker = _Checker(path, positions, scanner.locs)
    deck, id_at = checker.document(doc)
    diags = tuple(sorted(checker.diags, key=_sort_key))
    return DeckCheck(diags, deck, id_at)


def _sort_key(d: Diagnostic) -> tuple[int, int, int, str]:
    return d.line, d.col, 0 if d.severity == "error" else 1, d.code


__all__ = [
    "CARD_KEYS",
    "DECK_KEYS",
    "KINDS",
    "LONG_PROMPT",
    "SLUG",
    "DeckCheck",
    "Diagnostic",
    "analyse_deck",
    "check_deck",
    "find_raw_html",
    "parse_deck",
    "read_deck_file",
]
