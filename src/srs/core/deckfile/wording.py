"""Words for the checker's messages: type names, "did you mean" hints, key paths as authors
name them, and the slug an id could have been."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime, time

from srs.core.deckfile.scanner import KeyPath

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


def type_name(value: object) -> str:
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


def suggest(word: str, choices: tuple[str, ...]) -> str | None:
    """The closest allowed name, for "did you mean" hints."""
    low = word.lower().strip()
    if low in choices:
        return low
    alias = _ALIASES.get(low)
    if alias in choices:
        return alias
    close = difflib.get_close_matches(low, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def slugify(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form, for spotting a front that gives away its back."""
    return " ".join(text.casefold().split())


def quote(names: list[str]) -> str:
    quoted = [repr(n) for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def describe(path: KeyPath) -> str:
    """A key path as the author would name it: "front", "[deck] title", "tags"."""
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return "a value"
    if names[0] == "deck" and len(names) > 1:
        return f"[deck] {'.'.join(names[1:])}"
    if names[0] == "card" and len(names) > 1:
        return ".".join(names[1:])
    return ".".join(names)
