"""The Anki note type a card brought in from Anki is exported under: its own, by id and names.

Anki (with its default import options) updates a note it already holds only when the package
carries it under a note type of the same id whose fields and templates match the collection's by
name; under any other note type it skips the note as a conflict. So `srs export anki` writes the
notes of imported cards under a copy of their note type (`Card.anki_note_type`):

- the same id, name, field names and template names;
- modification time 0, so that Anki never takes this copy's templates over the learner's own
  (it updates a note type only from a newer one); in a collection that lacks the note type,
  Anki adds this copy, whose templates show the first field, then the second;
- the card's front in the first field, its back in the second, any other field empty, and one
  card, the first template's, per note. Only Basic's fields are the whole note: the importer
  reads any other note type through its template and leaves out the fields it does not show, so
  such a note goes with modification time 0 (`export._note`), and Anki never overwrites the
  learner's own with it.
"""

from __future__ import annotations

from typing import Any

import genanki

from srs.core.errors import ExportError
from srs.core.model import AnkiNoteType, Card

CSS = ".card { font-family: arial; font-size: 20px; text-align: center; }\n"


class SourceModel(genanki.Model):
    """A card's Anki note type, stamped with modification time 0."""

    def __init__(self, note_type: AnkiNoteType) -> None:
        first, second = (f"{{{{{name}}}}}" for name in note_type.fields[:2])
        templates = [
            {
                "name": name,
                "qfmt": first if ord_ == 0 else second,
                "afmt": "{{FrontSide}}\n\n<hr id=answer>\n\n" + (second if ord_ == 0 else first),
            }
            for ord_, name in enumerate(note_type.templates)
        ]
        super().__init__(
            note_type.id,
            note_type.name,
            fields=[{"name": name} for name in note_type.fields],
            templates=templates,
            css=CSS,
        )
        self.note_type = note_type

    @property
    def _req(self) -> list[list[Any]]:
        # What genanki would work out by rendering the templates, stated: each template needs
        # the field it shows on the front. (Its renderer would read some field names as tags.)
        return [[i, "any", [0 if i == 0 else 1]] for i in range(len(self.note_type.templates))]

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        return super().to_json(0, deck_id)


def source_model(
    sources: dict[int, SourceModel], deck_id: str, card: Card, own_id: int
) -> SourceModel | None:
    """The model for `card`'s Anki note type, made once per id in `sources`; None for a card
    not from Anki. Raises `ExportError` for a note type id given two shapes, or srs's own id."""
    wanted = card.anki_note_type
    if wanted is None:
        return None
    found = sources.get(wanted.id)
    if found is None:
        if wanted.id == own_id:
            raise ExportError(
                f"card {card.id!r} of deck {deck_id!r}: its anki_note_type has the id "
                "of srs's own note type"
            )
        found = sources[wanted.id] = SourceModel(wanted)
    elif found.note_type != wanted:
        raise ExportError(
            f"card {card.id!r} of deck {deck_id!r}: Anki note type {wanted.id} is "
            "given two different names, fields or templates; make its anki_note_type the same "
            "in every card"
        )
    return found


def source_fields(note_type: AnkiNoteType, front: str, back: str) -> list[str]:
    """The note's fields: the front, the back, then the note type's other fields left empty."""
    return [front, back] + [""] * (len(note_type.fields) - 2)
