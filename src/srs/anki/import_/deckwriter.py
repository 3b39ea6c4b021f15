"""Write a deck file (TOML) that `srs deck check` reads back to the same cards."""

from __future__ import annotations

import re
from collections.abc import Sequence

from srs.core.cloze import parent_of
from srs.core.model import AnkiNoteType, Card

_SPECIAL = re.compile(r'["\\\x08\t\f\r]')  # what _ESCAPES changes: most text has none
_ESCAPES = str.maketrans(
    {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\f": "\\f", "\r": "\\r"}
)


def deck_toml(deck_id: str, title: str, source: str, cards: Sequence[Card]) -> str:
    """The deck file's text: `[deck]`, then one `[[card]]` table a card, in order."""
    lines = [
        "# Imported from Anki by `srs import anki`. `guid` keeps each card's Anki note, so that",
        "# `srs export anki` updates it in the learner's Anki instead of adding a copy;",
        "# `anki_note_type` is that note's type in Anki, which the update must match.",
        "[deck]",
        f"id = {_string(deck_id)}",
        f"title = {_string(title)}",
    ]
    if source:
        lines.append(f"source = {_string(source)}")
    note_types: dict[AnkiNoteType, str] = {}  # cards of one note type share its line
    written: set[str] = set()  # the cloze cards written: their items make one card each
    for card in cards:
        if card.deletion:
            if parent_of(card.id) in written:
                continue
            written.add(parent_of(card.id))
            text = [f"cloze = {_string(card.cloze)}"]
            text += [f"extra = {_string(card.extra)}"] if card.extra else []
        else:
            text = [f"front = {_string(card.front)}", f"back = {_string(card.back)}"]
        lines += [
            "",
            "[[card]]",
            f"id = {_string(parent_of(card.id))}",
            f"kind = {_string(card.kind.value)}",
            *text,
        ]
        if card.source:
            lines.append(f"source = {_string(card.source)}")
        if len(card.quotes) == 1:
            lines.append(f"quote = {_string(card.quotes[0].text)}")
        elif card.quotes:
            lines += ["quote = [", *(f"  {_string(q.text)}," for q in card.quotes), "]"]
        if card.tags:
            lines.append("tags = [" + ", ".join(_string(t) for t in card.tags) + "]")
        if card.guid:
            lines.append(f"guid = {_string(card.guid)}")
        if card.anki_note_type:
            line = note_types.get(card.anki_note_type)
            if line is None:
                line = note_types[card.anki_note_type] = _note_type(card.anki_note_type)
            lines.append(line)
    return "\n".join(lines) + "\n"


def _note_type(note_type: AnkiNoteType) -> str:
    """The key and its inline table: `anki_note_type = { id = 1, name = "Basic", ... }`."""
    fields = ", ".join(_string(f) for f in note_type.fields)
    templates = ", ".join(_string(t) for t in note_type.templates)
    return (
        f"anki_note_type = {{ id = {note_type.id}, name = {_string(note_type.name)}, "
        f"fields = [{fields}], templates = [{templates}] }}"
    )


def _string(text: str) -> str:
    """A TOML basic string; a multi-line one when the text has line breaks."""
    escaped = text.translate(_ESCAPES) if _SPECIAL.search(text) else text
    if "\n" in text:
        return '"""\n' + escaped + '"""'
    return f'"{escaped}"'
