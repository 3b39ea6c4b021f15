"""One card's own checks, as a value that can be kept and replayed: the incremental check.

A `[[card]]` table's checks (its fields, its HTML and control characters, the quality warnings)
depend on nothing but the card's own text, the `long-back` word limit and the checker's code. So
`check_card` runs them once and returns a `CardEntry`: the diagnostics with lines counted from
the card's header, whether the card had an error, its back's words for the deck-wide
`similar-back` search, and the lines of its quotes. `replay` turns an entry back into the same
diagnostics at the card's current place, and `build` makes the `Card`. A deck checked again
reuses the entries of the cards whose text it has seen (`card_key`), whatever their order,
position or file; the deck-wide checks (duplicate ids, kinds, similar backs) run every time, on
what the entries hold.

An entry is kept by a `CardCache` (in the service layer: a file under the user cache directory);
its key holds the cache's `salt`, a digest of the checker's code, so an entry is never trusted
across a change of srs's checks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from srs.core.deckfile import cardparts, checks, formerids, imported, paper, prompts, quality
from srs.core.deckfile.scanner import KeyPath
from srs.core.deckfile.wording import quote, suggest
from srs.core.errors import Diagnostic, Severity
from srs.core.model import KINDS, Card, Figure, Kind, Quote
from srs.core.notetype import note_type_from

DiagRow = tuple[int, int, Severity, str, str, str | None]
"""A kept diagnostic: line counted from the card's header line, column, severity, code,
message, card id."""


@dataclass(frozen=True, slots=True)
class CardEntry:
    """What one card's own checks found, with no position that another card could move."""

    ok: bool  # no error among `diags`: the card can be built from its table
    folded: str | None  # the back's words, case-folded, one space apart; None without a back
    keys: str | None  # the back's key words (`quality.back_keys`); None without a back
    quote_lines: tuple[int, ...]  # each quote's line, from the header line (when `ok`)
    diags: tuple[DiagRow, ...]
    figures: tuple[Figure, ...] = ()  # what its figures are (an entry with any is never kept)


class CardCache(Protocol):
    """Where entries are kept between runs, by deck id (see `srs.checkcache`)."""

    @property
    def salt(self) -> str:
        """Changes whenever the checker's code (or what it runs on) does."""
        ...

    def entries(self, deck_id: str) -> Mapping[str, CardEntry]:
        """The entries kept for this deck, by `card_key`; empty when none (or unreadable)."""
        ...

    def keep(self, deck_id: str, entries: Mapping[str, CardEntry]) -> None:
        """Keep exactly these entries for this deck (those of its cards of this run)."""
        ...


class Checker(checks.Checker, quality.Reporter, Protocol):
    """What a card's own checks need from the deck checker (`checker.Checker`)."""

    sink: list[Diagnostic] | None
    control_flagged: bool
    max_back_words: int
    figures: cardparts.FigureReader | None

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        where: tuple[int, int],
        card_id: str | None = None,
    ) -> None:
        """Record a diagnostic."""
        ...

    def control_chars(self, node: Any, path: KeyPath, card: str | None) -> None:
        """Report control characters in a value, however nested."""
        ...

    def unknown_keys(
        self,
        table: dict[str, Any],
        path: KeyPath,
        allowed: tuple[str, ...],
        where: str,
        card: str | None = None,
    ) -> None:
        """Report keys not in `allowed`."""
        ...

    def slug(self, value: str, path: KeyPath, what: str, card: str | None = None) -> bool:
        """Report an id that is not a slug."""
        ...

    def tags(self, raw: dict[str, Any], path: KeyPath, card: str | None) -> tuple[str, ...] | None:
        """A card's tags, each checked."""
        ...


def card_key(salt: str, max_back_words: int, text: str) -> str:
    """The key of one card's entry: its table's text, the word limit and the checker's salt."""
    head = f"{salt}\0{max_back_words}\0".encode()
    return hashlib.sha256(head + text.encode("utf-8", "surrogatepass")).hexdigest()


def check_card(
    ch: Checker, raw: dict[str, Any], path: KeyPath, header: tuple[int, int], base: int
) -> CardEntry:
    """Run one card's own checks; `base` is the line lines are counted from (its header's)."""
    sink: list[Diagnostic] = []
    ch.sink = sink
    try:
        if ch.control_flagged:
            ch.control_chars(raw, path, None)
        raw_id = raw.get("id")
        card = raw_id if isinstance(raw_id, str) and raw_id else None
        ch.unknown_keys(raw, path, CHECKED_KEYS, "in [[card]]", card)
        cid = ch.string_field(raw, path, "id", "card", required=True, card=card)
        if cid is not None:
            ch.slug(cid, (*path, "id"), "card id", card)
        kind = ch.string_field(raw, path, "kind", "card", required=True, card=card)
        if kind is not None and kind not in KINDS:
            hint = suggest(kind, KINDS)
            msg = f"unknown kind {kind!r}"
            msg += f"; did you mean {hint!r}?" if hint else f" (expected {quote(list(KINDS))})"
            ch.error("unknown-kind", msg, ch.at((*path, "kind")), card)
        front = ch.string_field(raw, path, "front", "card", required=True, card=card)
        back = ch.string_field(raw, path, "back", "card", required=True, card=card)
        figures: list[Figure] | None = []
        for key, value in (("front", front), ("back", back)):
            if value is not None:
                ch.raw_html(value, (*path, key), key, card)
                found = cardparts.card_text(ch, value, (*path, key), key, card, ch.figures)
                figures = None if found is None or figures is None else [*figures, *found]
        source = ch.string_field(raw, path, "source", "card", required=False, card=card)
        if "source" not in raw or (source is not None and not source.strip()):
            msg = "card has no source: say where in the paper it comes from"
            ch.warn("no-source", msg, header, card)
        ch.tags(raw, path, card)
        formerids.former_ids(ch, raw, path, card)
        imported.guid(ch, raw, path, card)
        imported.note_type(ch, raw, path, card)
        quotes = paper.quotes(ch, raw, path, card)
        if front is not None and back is not None:
            prompts.prompt_warnings(ch, front, back, path, card)
        fields = {k: v for k, v in (("front", front), ("back", back), ("source", source)) if v}
        quality.card_quality(ch, path, card, kind, fields, ch.max_back_words)
    finally:
        ch.sink = None
    ok = not any(d.severity == "error" for d in sink)
    folded = None if back is None else quality.folded_words(back)
    return CardEntry(
        ok,
        None if folded is None else " ".join(folded),
        None if folded is None else quality.back_keys(folded),
        tuple(q.line - base for q in quotes) if ok and quotes else (),
        tuple((d.line - base, d.col, d.severity, d.code, d.message, d.card_id) for d in sink),
        tuple(dict.fromkeys(figures or ())),
    )


def replay(ch: Checker, entry: CardEntry, base: int) -> None:
    """The entry's diagnostics, added to the checker at the card's current place."""
    for line, col, severity, code, message, card in entry.diags:
        ch.add(severity, code, message, (base + line, col), card)


def usable(raw: dict[str, Any], key: str) -> str | None:
    """A required string field's value as `Checker.string_field` takes it, without reporting."""
    value = raw.get(key)
    return value if isinstance(value, str) and value.strip() else None


class Unfit(Exception):
    """A kept entry that cannot stand for this table (a damaged cache): check the card again."""


def build(raw: dict[str, Any], entry: CardEntry, line: int) -> Card | None:
    """The card of a table whose own checks found no error (None otherwise). Raises `Unfit`
    when the table does not hold what such an entry promises."""
    if not entry.ok:
        return None
    try:
        return _build(raw, entry, line)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Unfit(str(exc)) from None


def _build(raw: dict[str, Any], entry: CardEntry, line: int) -> Card:
    quotes: tuple[Quote, ...] = ()
    if "quote" in raw:
        texts = [raw["quote"]] if isinstance(raw["quote"], str) else raw["quote"]
        quotes = tuple(
            Quote(" ".join(t.split()), None, line + rel)
            for t, rel in zip(texts, entry.quote_lines, strict=True)
        )
    note_type = raw.get("anki_note_type")
    return Card(
        raw["id"],
        Kind(raw["kind"]),
        raw["front"],
        raw["back"],
        raw.get("source") or "",
        tuple(raw.get("tags", ())),
        line,
        raw.get("guid"),
        None if note_type is None else note_type_from(note_type),
        quotes=quotes,
        figures=entry.figures,
        was=tuple(raw.get(formerids.KEY, ())),
    )


CHECKED_KEYS: tuple[str, ...] = (
    "id",
    "kind",
    "front",
    "back",
    "cloze",
    "extra",
    "source",
    "tags",
    "guid",
    "anki_note_type",
    "quote",
    formerids.KEY,
)
"""The keys a `[[card]]` table may hold (`checker.CARD_KEYS` is this tuple)."""
