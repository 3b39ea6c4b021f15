"""Write a deck file (TOML) that `srs deck check` reads back to the same cards."""

from __future__ import annotations

from collections.abc import Sequence

from srs.core.model import Card

_ESCAPES = str.maketrans(
    {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\f": "\\f", "\r": "\\r"}
)


def deck_toml(deck_id: str, title: str, source: str, cards: Sequence[Card]) -> str:
    """The deck file's text: `[deck]`, then one `[[card]]` table a card, in order."""
    lines = [
        "# Imported from Anki by `srs import anki`. `guid` keeps each card's Anki note, so that",
        "# `srs export anki` updates it in the learner's Anki instead of adding a copy.",
        "[deck]",
        f"id = {_string(deck_id)}",
        f"title = {_string(title)}",
    ]
    if source:
        lines.append(f"source = {_string(source)}")
    for card in cards:
        lines += [
            "",
            "[[card]]",
            f"id = {_string(card.id)}",
            f"kind = {_string(card.kind.value)}",
            f"front = {_string(card.front)}",
            f"back = {_string(card.back)}",
        ]
        if card.source:
            lines.append(f"source = {_string(card.source)}")
        if card.tags:
            lines.append("tags = [" + ", ".join(_string(t) for t in card.tags) + "]")
        if card.guid:
            lines.append(f"guid = {_string(card.guid)}")
    return "\n".join(lines) + "\n"


def _string(text: str) -> str:
    """A TOML basic string; a multi-line one when the text has line breaks."""
    escaped = text.translate(_ESCAPES)
    if "\n" in text:
        return '"""\n' + escaped + '"""'
    return f'"{escaped}"'
