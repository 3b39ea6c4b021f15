"""Cloze text, `{{c1::words}}` and `{{c2::words::hint}}`: cut into its parts, in one linear scan.

Anki's syntax, read the way Anki reads it: a deletion opens with `{{c`, its number and `::`, and
ends at the first `}}` after that; a `::` inside it starts its hint. Deletion numbers are bounded
(`MAX_DELETION`), so a number of 5,000 digits is never handed to `int`. The scan never
backtracks: the pattern `{{c(\\d+)::(.*?)(?:::(.*?))?}}` took minutes on `{{c1::` followed by
40,000 `::`. The Anki importer reads a note's cloze text with it, and the deck checker (through
`deckfile.clozeparts`) the text an author wrote, so both agree on what a deletion is.

Also here, the three ways one item of a cloze card is written, each once:
- `prompt`: the text with the asked deletion as `[...]` (or `[hint]`), the others shown;
- `answer`: the full text with the asked deletion in bold;
- `anki_html`: the text as the `Text` field of an Anki Cloze note, `{{c1::...}}` kept and every
  part between rendered by `cardtext.render_markdown`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from srs.core.cardtext import render_markdown

MAX_DELETION = 100
"""The highest deletion number a card may use (Anki's own cloze numbers are small)."""

CLOZE_OPEN = re.compile(r"\{\{c([0-9]{1,3})::")
"""The opening of a deletion: `{{c`, a number of one to three digits, `::`."""

ITEM_MARK = "#c"
"""What joins a cloze card's id to a deletion number in its items' ids: `CARD_ID#c1` (a `#` is
never in an id an author writes, so an item id cannot clash with a card's)."""

_SENTINELS = re.compile("[\ue000-\ue003]")
_HELD = re.compile("\ue000([0-9]{1,3})\ue001|\ue002|\ue003")


class Deletion(NamedTuple):
    """One deletion: its number, its words, its hint (None without one), and its offsets in
    the text (`start` at `{{`, `end` past `}}`)."""

    number: int
    text: str
    hint: str | None
    start: int = 0
    end: int = 0


def parts(text: str) -> list[str | Deletion]:
    """The text cut into plain runs and deletions, in order, in one pass. An opening that never
    closes is left as text (the checker reports it)."""
    found_parts: list[str | Deletion] = []
    pos = 0
    while (found := CLOZE_OPEN.search(text, pos)) is not None:
        end = text.find("}}", found.end())
        if end < 0:
            break
        inside = text[found.end() : end]
        body, sep, hint = inside.partition("::")
        found_parts.append(text[pos : found.start()])
        found_parts.append(
            Deletion(int(found.group(1)), body, hint if sep else None, found.start(), end + 2)
        )
        pos = end + 2
    found_parts.append(text[pos:])
    return found_parts


def numbers(text: str) -> tuple[int, ...]:
    """The deletion numbers the text uses, in increasing order."""
    return tuple(sorted({p.number for p in parts(text) if isinstance(p, Deletion)}))


def item_id(card_id: str, number: int) -> str:
    """The id of deletion `number` of cloze card `card_id`: `CARD_ID#c1`."""
    return f"{card_id}{ITEM_MARK}{number}"


def parent_of(item: str) -> str:
    """The card id an item id belongs to: `CARD_ID` of `CARD_ID#c1`, the id itself otherwise."""
    return item.partition(ITEM_MARK)[0]


def full_text(text: str) -> str:
    """The text with every deletion shown as its words, unmarked."""
    return "".join(p if isinstance(p, str) else p.text for p in parts(text))


def prompt(text: str, number: int) -> str:
    """What item `number` asks: its deletions as `[...]` or `[hint]`, every other shown.

    A `]` followed by `(`, `[` or `:` is escaped, so that the blank never reads as a link."""
    pieces = parts(text)
    out: list[str] = []
    for index, part in enumerate(pieces):
        if isinstance(part, str):
            out.append(part)
        elif part.number != number:
            out.append(part.text)
        else:
            after = pieces[index + 1] if index + 1 < len(pieces) else ""
            follows = after[:1] if isinstance(after, str) else "{"
            close = "\\]" if follows in ("(", "[", ":") else "]"
            out.append(f"[{(part.hint or '').strip() or '...'}{close}")
    return "".join(out)


def answer(text: str, number: int) -> str:
    """The full text, the words of item `number`'s deletions in bold."""
    return "".join(
        p
        if isinstance(p, str)
        else p.text
        if p.number != number or not p.text.strip()
        else f"**{p.text.strip()}**"
        for p in parts(text)
    )


def anki_html(text: str, media: Mapping[str, str] | None = None) -> str:
    """The text as an Anki Cloze note's `Text` field: each `{{cN::words::hint}}` kept for Anki's
    `{{cloze:Text}}`, the words around and inside rendered as any card text is (math for
    MathJax, figures as `<img>`, no raw HTML, no other Anki markup)."""
    held: list[str] = []
    for part in parts(_SENTINELS.sub("", text)):
        if isinstance(part, str):
            held.append(part)
            continue
        hint = "" if part.hint is None else f"\ue002{part.hint}"
        held.append(f"\ue000{part.number}\ue001{part.text}{hint}\ue003")
    rendered = render_markdown("".join(held), media)
    return _HELD.sub(_anki_mark, rendered)


def _anki_mark(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return f"{{{{c{match.group(1)}::"
    return "::" if match.group() == "\ue002" else "}}"
