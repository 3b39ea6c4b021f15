"""The checks of a cloze card (`cloze = "..."`, with an optional `extra`), which becomes one item
per deletion number (`CARD_ID#c1`). A cloze card is always checked whole, never taken from the
incremental check's kept entries (`cardcheck`): its items are built from its text each time.
"""

from __future__ import annotations

from typing import Any

from srs.core.deckfile import (
    cardcheck,
    cardparts,
    clozeparts,
    formerids,
    imported,
    paper,
    prompts,
    quality,
)
from srs.core.deckfile.scanner import KeyPath
from srs.core.deckfile.wording import quote, suggest
from srs.core.model import KINDS, Card, Figure, Kind


def is_cloze(raw: dict[str, Any]) -> bool:
    """True for a card that holds a cloze text (or an `extra`, which only a cloze card may)."""
    return "cloze" in raw or "extra" in raw


def check_cloze_card(
    ch: cardcheck.Checker,
    raw: dict[str, Any],
    path: KeyPath,
    header: tuple[int, int],
    kinds: set[str],
) -> list[Card]:
    """Check one cloze card and return its items (none when it has an error). The deck-wide
    checks (duplicate ids) are the caller's."""
    raw_id = raw.get("id")
    card = raw_id if isinstance(raw_id, str) and raw_id else None
    ch.unknown_keys(raw, path, cardcheck.CHECKED_KEYS, "in [[card]]", card)
    cid = ch.string_field(raw, path, "id", "card", required=True, card=card)
    if cid is not None:
        ch.slug(cid, (*path, "id"), "card id", card)
    kind = ch.string_field(raw, path, "kind", "card", required=True, card=card)
    if kind is not None:
        if kind in KINDS:
            kinds.add(kind)
        else:
            hint = suggest(kind, KINDS)
            msg = f"unknown kind {kind!r}"
            msg += f"; did you mean {hint!r}?" if hint else f" (expected {quote(list(KINDS))})"
            ch.error("unknown-kind", msg, ch.at((*path, "kind")), card)
    texts, numbers, good_form = clozeparts.sides(ch, raw, path, card)
    (_, front), (_, back) = texts
    figures: list[Figure] | None = []
    for key, value in texts:
        if value is not None:
            ch.raw_html(value, (*path, key), key, card)
            found = cardparts.card_text(ch, value, (*path, key), key, card, ch.figures)
            figures = None if found is None or figures is None else [*figures, *found]
    source = ch.string_field(raw, path, "source", "card", required=False, card=card)
    if "source" not in raw or (source is not None and not source.strip()):
        msg = "card has no source: say where in the paper it comes from"
        ch.warn("no-source", msg, header, card)
    tags = ch.tags(raw, path, card)
    was = formerids.former_ids(ch, raw, path, card)
    guid = imported.guid(ch, raw, path, card)
    note_type = imported.note_type(ch, raw, path, card)
    quotes = paper.quotes(ch, raw, path, card)
    if front is not None and back is not None and numbers is None:
        prompts.prompt_warnings(ch, front, back, path, card)
    fields = {k: v for k, v in (*texts, ("source", source)) if v}
    quality.card_quality(ch, path, card, kind, fields, ch.max_back_words)
    if cid is None or kind not in KINDS or front is None or back is None or tags is None:
        return []
    if quotes is None or figures is None or was is None or not good_form:
        return []
    text = (cid, Kind(kind), front, back, source or "", tags, header[0], guid, note_type)
    made = Card(*text, quotes=quotes, figures=tuple(dict.fromkeys(figures)), was=was)
    return [made] if numbers is None else clozeparts.items(made, numbers)
