"""A card's former ids (`was = ["old-id", ...]`): the ids it had in this deck before a rename.

Loading a deck whose card is new under its id but known under a former one renames the stored
card in place, so every learner's progress stays with it (`store.sync`); the Anki export keeps
the note of its first former id. `former_ids` checks one card's list (part of the card's own,
kept checks); `clashes` runs every time, over the whole deck: a former id that is also a card's
id, or the former id of two cards, would make a rename ambiguous.
"""

from __future__ import annotations

from typing import Any, Protocol

from srs.core.deckfile import checks
from srs.core.deckfile.scanner import KeyPath
from srs.core.deckfile.wording import type_name

KEY = "was"
FORMER_ID_CODES = ("duplicate-former-id", "former-id-in-use")


class Checker(checks.Checker, Protocol):
    """What these checks need from the deck checker: its checks' and its id check."""

    def slug(self, value: str, path: KeyPath, what: str, card: str | None = None) -> bool:
        """Report an id that is not a slug."""
        ...


def former_ids(
    checker: Checker, raw: dict[str, Any], path: KeyPath, card: str | None
) -> tuple[str, ...] | None:
    """The card's former ids, in order (empty without `was`); None when the list is unusable.

    Each must be a card id (a slug), given once; the deck-wide checks are `clashes`."""
    if KEY not in raw:
        return ()
    value = raw[KEY]
    where: KeyPath = (*path, KEY)
    if not isinstance(value, list):
        msg = f"'was' must be an array of former card ids, not {type_name(value)}"
        checker.error("wrong-type", msg, checker.at(where), card)
        return None
    found: list[str] = []
    good = True
    for i, item in enumerate(value):
        at: KeyPath = (*where, i)
        if not isinstance(item, str):
            msg = f"each former id in 'was' must be a string, not {type_name(item)}"
            checker.error("wrong-type", msg, checker.at(at), card)
            good = False
        elif not checker.slug(item, at, "former id", card):
            good = False
        elif item in found:
            msg = f"former id {item!r} is given twice in 'was'"
            checker.error("duplicate-former-id", msg, checker.at(at), card)
            good = False
        else:
            found.append(item)
    return tuple(found) if good else None


def clashes(checker: Checker, raw_cards: list[Any], ids: dict[str, KeyPath]) -> None:
    """Report, at each one, a former id that is also a card id of the deck (`ids`: card id ->
    the path of its id) or that two cards give."""
    first: dict[str, tuple[KeyPath, str]] = {}  # former id -> where it was first given, by whom
    for index, raw in enumerate(raw_cards):
        if not isinstance(raw, dict) or not isinstance(raw.get(KEY), list):
            continue
        raw_id = raw.get("id")
        card = raw_id if isinstance(raw_id, str) and raw_id else None
        for i, item in enumerate(raw[KEY]):
            if not isinstance(item, str):
                continue
            at: KeyPath = ("card", index, KEY, i)
            if item in ids:
                line = checker.at(ids[item])[0]
                where = "this card's own id" if item == card else f"the id of a card at line {line}"
                msg = f"former id {item!r} is {where}; a former id must name no current card"
                checker.error("former-id-in-use", msg, checker.at(at), card)
            elif item in first and first[item][1] != card:
                line = checker.at(first[item][0])[0]
                msg = (
                    f"former id {item!r} is already given by card {first[item][1]!r} at line "
                    f"{line}; a former id belongs to one card"
                )
                checker.error("duplicate-former-id", msg, checker.at(at), card)
            else:
                first.setdefault(item, (at, card or "?"))
