"""What a card imported from another program carries besides its text: the note's guid and
note type, each checked as the deck file gives it."""

from __future__ import annotations

import re
from typing import Any

from srs.core.deckfile.checks import Checker
from srs.core.deckfile.scanner import KeyPath
from srs.core.model import AnkiNoteType
from srs.core.notetype import note_type_from, note_type_problem

GUID = re.compile(r"\A[!-~]{1,64}\Z")


def note_type(
    checker: Checker, raw: dict[str, Any], path: KeyPath, card: str | None
) -> AnkiNoteType | None:
    """The optional Anki note type of a card from Anki (`srs.core.notetype`)."""
    if "anki_note_type" not in raw:
        return None
    problem = note_type_problem(raw["anki_note_type"])
    if problem is not None:
        where = checker.at((*path, "anki_note_type"))
        checker.error("bad-anki-note-type", f"anki_note_type {problem}", where, card)
        return None
    return note_type_from(raw["anki_note_type"])


def guid(checker: Checker, raw: dict[str, Any], path: KeyPath, card: str | None) -> str | None:
    """The optional Anki note guid: a short string of printable ASCII, no spaces."""
    value = checker.string_field(raw, path, "guid", "card", required=False, card=card)
    if value is None:
        return None
    if not GUID.match(value):
        msg = (
            f"guid {value!r} is not an Anki note guid "
            "(1 to 64 printable ASCII characters, no spaces)"
        )
        checker.error("bad-guid", msg, checker.at((*path, "guid")), card)
        return None
    return value
