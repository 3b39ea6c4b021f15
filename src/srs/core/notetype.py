"""An Anki note type kept with an imported card (`anki_note_type`): checked, and as JSON.

Anki updates a re-imported note in place only when it comes under a note type of the same id whose
fields and card templates match the collection's by name (with Anki's default import options);
otherwise it skips the note as a conflict. So a card from Anki keeps that identity, and
`srs export anki` writes its note under it. The names become Anki template references
(`{{Front}}`), so only names Anki itself accepts for fields are kept.
"""

from __future__ import annotations

import json
import re
from typing import Any

from srs.core.cardtext import CONTROL_CHARS
from srs.core.model import AnkiNoteType

MAX_ID = (1 << 63) - 1
MAX_NAME = 100
MAX_NAMES = 50
# Anki refuses these in field names: they would break `{{Field}}` references.
_BAD_FIELD_NAME = re.compile(r'[:{}"]|\A[#/^]')
_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]")


def note_type_problem(raw: object) -> str | None:
    """Why `raw` (a parsed TOML value) is not a usable `anki_note_type`; None when it is."""
    if not isinstance(raw, dict):
        return "must be an inline table { id = ..., name = ..., fields = [...], templates = [...] }"
    extra = sorted(set(raw) - {"id", "name", "fields", "templates"})
    if extra:
        return f"has unknown key {extra[0]!r} (allowed: id, name, fields, templates)"
    ident = raw.get("id")
    if not isinstance(ident, int) or isinstance(ident, bool) or not 0 < ident <= MAX_ID:
        return "needs an 'id': the note type's positive integer id in Anki"
    name = raw.get("name")
    if not isinstance(name, str) or _name_problem(name):
        return f"needs a 'name': the note type's name, 1 to {MAX_NAME} characters"
    for key, least in (("fields", 2), ("templates", 1)):
        names = raw.get(key)
        if not isinstance(names, list) or not least <= len(names) <= MAX_NAMES:
            return f"needs {key!r}: a list of {least} to {MAX_NAMES} names, in Anki's order"
        for item in names:
            if not isinstance(item, str) or _name_problem(item):
                return f"has a bad name in {key!r}: {item!r}"
            if key == "fields" and (_BAD_FIELD_NAME.search(item) or item != item.strip()):
                return f"has a field name Anki does not accept: {item!r}"
        if len({n for n in names}) != len(names):
            return f"has a name twice in {key!r}"
    return None


def _name_problem(name: str) -> bool:
    """Empty, too long, or holding a control character or a line break (names are one line)."""
    return (
        not name.strip()
        or len(name) > MAX_NAME
        or CONTROL_CHARS.search(name) is not None
        or _BREAKS.search(name) is not None
    )


def note_type_from(raw: dict[str, Any]) -> AnkiNoteType:
    """The note type of a value `note_type_problem` accepted."""
    return AnkiNoteType(
        int(raw["id"]), str(raw["name"]), tuple(raw["fields"]), tuple(raw["templates"])
    )


def note_type_json(note_type: AnkiNoteType | None) -> str | None:
    """The note type as the store keeps it (compact JSON, keys in a fixed order), or None."""
    if note_type is None:
        return None
    value = {
        "id": note_type.id,
        "name": note_type.name,
        "fields": list(note_type.fields),
        "templates": list(note_type.templates),
    }
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def note_type_from_json(text: str | None) -> AnkiNoteType | None:
    """The note type the store kept; None for none (or for a value it can no longer use)."""
    if not text:
        return None
    try:
        raw = json.loads(text)
    except ValueError:
        return None
    return None if note_type_problem(raw) else note_type_from(raw)


def is_basic(fields: tuple[str, ...]) -> bool:
    """Whether a note type's fields are Anki's Basic or one of its reversed forms: the only
    imported notes whose front and back are the whole note (any other is read through its
    template, and the fields it does not show are left out)."""
    return fields[:2] == ("Front", "Back") and (len(fields) == 2 or fields[2:] == ("Add Reverse",))
