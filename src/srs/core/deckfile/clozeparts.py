"""Cloze cards, checked: `cloze = "... {{c1::words}} ... {{c2::words::hint}} ..."`, with `extra`.

A card is written either with `front` and `back` or with `cloze` (and an optional `extra`, shown
under the answer), never both. A cloze text needs at least one deletion; each must open with
`{{c`, a number from 1 to `cloze.MAX_DELETION` and `::`, close with `}}`, hold words, and not
hold another deletion. Each problem is an error at its line and column. The scan is
`core.cloze`'s, linear in the text: each `{{c` is looked at once, and each deletion's end is the
first `}}` after it.

A good cloze card becomes one item per deletion number (`items`): its id `CARD_ID#c1`, its front
and back the faces of that deletion (`faces.cloze_sides`), so that the store, the scheduler, the
listings and the reports see items as they see any card.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from srs.core import cloze
from srs.core.deckfile.checks import Checker
from srs.core.deckfile.scanner import KeyPath
from srs.core.faces import cloze_sides
from srs.core.model import MAX_ID_LENGTH, Card

CLOZE_CODES = ("bad-cloze", "no-deletion", "cloze-and-front")

_OPENING = re.compile(r"\{\{c([0-9]*)(:?:?)")  # every opening, well formed or not


def sides(
    checker: Checker, raw: dict[str, Any], path: KeyPath, card: str | None
) -> tuple[tuple[tuple[str, str | None], ...], tuple[int, ...] | None, bool]:
    """A card's two text fields as (key, value or None when unusable): `front` and `back`, or
    `cloze` and `extra` ("" when absent); the deletion numbers of a cloze card (None for a
    front-and-back one); and whether the form itself is good."""
    if "cloze" not in raw:
        if "extra" in raw:
            msg = "'extra' belongs to a cloze card; put this text in 'back'"
            checker.error("cloze-and-front", msg, checker.at((*path, "extra"), "key"), card)
        front = checker.string_field(raw, path, "front", "card", required=True, card=card)
        back = checker.string_field(raw, path, "back", "card", required=True, card=card)
        return (("front", front), ("back", back)), None, "extra" not in raw
    good = True
    cid = raw.get("id")
    if isinstance(cid, str) and len(cloze.item_id(cid, cloze.MAX_DELETION)) > MAX_ID_LENGTH:
        msg = (
            f"a cloze card's id may be at most {MAX_ID_LENGTH - 5} characters (its items add '#c1')"
        )
        checker.error("bad-id", msg, checker.at((*path, "id")), card)
        good = False
    for key in ("front", "back"):
        if key in raw:
            msg = f"a card has either 'cloze' or 'front' and 'back', not both: remove {key!r}"
            checker.error("cloze-and-front", msg, checker.at((*path, key), "key"), card)
            good = False
    text = checker.string_field(raw, path, "cloze", "card", required=True, card=card)
    extra = checker.string_field(raw, path, "extra", "card", required=False, card=card)
    numbers = None if text is None else deletions(checker, text, (*path, "cloze"), card)
    if "extra" in raw and extra is None:
        good = False
    return (("cloze", text), ("extra", extra or "")), numbers, good and numbers is not None


MAX_REPORTED = 20
"""Malformed deletions reported in one cloze text; the text is refused whatever their number."""


def deletions(
    checker: Checker, text: str, path: KeyPath, card: str | None
) -> tuple[int, ...] | None:
    """The deletion numbers of cloze `text`, or None after reporting each malformed one."""
    good = True
    reported = 0
    found: set[int] = set()
    end = -1  # past the last deletion read, so that an opening inside one is seen as nested
    next_close = -2  # where the next '}}' is (-1: none left); found again only once passed
    for match in _OPENING.finditer(text):
        at = match.start()
        digits, colons = match.group(1), match.group(2)
        problem = None
        if not digits or colons != "::":
            problem = "a deletion is written {{c1::words}}: '{{c', a number, '::'"
        elif len(digits) > 3 or not 1 <= int(digits) <= cloze.MAX_DELETION:
            problem = f"a deletion's number must be 1 to {cloze.MAX_DELETION}"
        elif at < end:
            problem = "a deletion inside another: close the first with '}}' before the next"
        if problem is None:
            if next_close != -1 and next_close < match.end():
                next_close = text.find("}}", match.end())  # each '}}' is looked for once
            close = next_close
            if close < 0:
                problem = f"'{{{{c{digits}::' never closes: end the deletion with '}}}}'"
            else:
                nested = text.find("{{c", match.end(), close)
                words = text[match.end() : close].partition("::")[0]
                if nested < 0 and not words.strip():
                    problem = "an empty deletion: put the words to recall before '}}'"
                end = close + 2
                found.add(int(digits))
        if problem is not None:
            good = False
            reported += 1
            if reported <= MAX_REPORTED:  # a hostile text's thousands of openings: a few said
                checker.error("bad-cloze", problem, checker.char_at(path, text, at), card)
    if not good:
        return None
    if not found:
        msg = "a cloze text needs at least one deletion, such as {{c1::the words to recall}}"
        checker.error("no-deletion", msg, checker.at(path), card)
        return None
    return tuple(sorted(found))


def items(card: Card, numbers: tuple[int, ...]) -> list[Card]:
    """The items of cloze `card` (whose `front` holds the cloze text and `back` its extra): one
    per deletion number, each with its own id and faces."""
    out = []
    for number in numbers:
        front, back = cloze_sides(card.front, number, card.back)
        out.append(
            dataclasses.replace(
                card,
                id=cloze.item_id(card.id, number),
                front=front,
                back=back,
                cloze=card.front,
                extra=card.back,
                deletion=number,
                was=tuple(cloze.item_id(old, number) for old in card.was),
            )
        )
    return out
