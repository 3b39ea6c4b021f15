"""Deck text -> model objects. Errors name the file, line and card.

Interim parser: the full checker (every problem, warnings, columns) replaces this module's
internals, keeping `parse_deck` and `read_deck_file` as the public entry points.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from srs.errors import DeckFileError
from srs.model import Card, Deck, Kind

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CARD_HEADER = re.compile(r"^\s*\[\[\s*card\s*\]\]")


def _card_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if _CARD_HEADER.match(line)]


def parse_deck(data: bytes | str, path: str = "<deck>") -> Deck:
    """Parse deck text into a `Deck`, or raise `DeckFileError` naming the place of the problem."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DeckFileError("file is not valid UTF-8", path, 1, exc.start + 1) from None
    else:
        text = data
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc).split(" (at line")[0]
        raise DeckFileError(
            f"TOML syntax: {msg}", path, getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        ) from None
    head = doc.get("deck")
    if not isinstance(head, dict):
        raise DeckFileError("missing [deck] table", path)
    for key in ("id", "title"):
        if not isinstance(head.get(key), str) or not head[key].strip():
            raise DeckFileError(f"[deck] needs a non-empty {key}", path)
    if not SLUG.match(head["id"]):
        raise DeckFileError(f"deck id {head['id']!r} is not a slug", path)
    raw_cards = doc.get("card", [])
    lines = _card_lines(text)
    cards: list[Card] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_cards):
        line = lines[i] if i < len(lines) else 1
        cid = raw.get("id")
        if not isinstance(cid, str) or not SLUG.match(cid):
            raise DeckFileError(f"card id {cid!r} is not a slug", path, line)
        if cid in seen:
            raise DeckFileError(f"duplicate card id (first at line {seen[cid]})", path, line, 1, cid)
        seen[cid] = line
        for key in ("kind", "front", "back"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise DeckFileError(f"missing or empty {key}", path, line, 1, cid)
        try:
            kind = Kind(raw["kind"])
        except ValueError:
            raise DeckFileError(f"unknown kind {raw['kind']!r}", path, line, 1, cid) from None
        tags = tuple(raw.get("tags", ()))
        cards.append(
            Card(cid, kind, raw["front"], raw["back"], raw.get("source", ""), tags, line)
        )
    return Deck(head["id"], head["title"], head.get("source", ""), tuple(cards), path)


def read_deck_file(path: Path) -> Deck:
    """Read and parse one deck file from disk."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeckFileError(f"cannot read file: {exc.strerror}", str(path)) from None
    return parse_deck(data, str(path))
