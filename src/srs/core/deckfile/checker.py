"""The deck checker: every problem in a parsed deck, each with an exact line and column."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from srs.core.cardtext import CONTROL_CHARS, find_raw_html
from srs.core.deckfile import cardcheck, cardparts, clozecard, formerids, paper, quality
from srs.core.deckfile.places import Places
from srs.core.deckfile.scanner import KeyPath
from srs.core.deckfile.text import TextPositions, char_name
from srs.core.deckfile.wording import describe, slugify, suggest, type_name
from srs.core.defaults import MAX_BACK_WORDS
from srs.core.errors import Diagnostic, Severity
from srs.core.model import KINDS, MAX_ID_LENGTH, Card, Deck, Paper
from srs.core.ticker import CHECKING, Ticker, no_ticker, report_every

# \A and \Z rather than ^ and $: "$" also matches before a trailing newline.
SLUG = re.compile(r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z")

_SPACE = re.compile(r"\s")
# TOML escapes that can decode to a control char, after an even run of backslashes: a doubled
# backslash is an escaped one, which is how a basic string writes LaTeX's \frac or \beta.
_CONTROL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\[bfruU]")

# Anki's own guids are 10 characters of base91; genanki's too. Anything printable is accepted
# (Anki accepts any string), bounded so a hostile file cannot make one huge.

"""A front longer than this many characters draws a `long-prompt` warning."""

DECK_KEYS: tuple[str, ...] = ("id", "title", "source", "paper")
CARD_KEYS: tuple[str, ...] = cardcheck.CHECKED_KEYS
TOP_KEYS: tuple[str, ...] = ("deck", "card")


MAX_DIAGNOSTICS = 1000  # kept for one file; the rest are counted in one `more-problems` line


class Checker:
    """Runs every check over a parsed document, using the scanner's positions."""

    def __init__(
        self,
        path: str,
        text: TextPositions,
        locs: Places,
        max_back_words: int = MAX_BACK_WORDS,
        ticker: Ticker = no_ticker,
        cache: cardcheck.CardCache | None = None,
        figures: cardparts.FigureReader | None = None,
    ) -> None:
        self.path = path
        self.figures = figures  # reads a figure beside the deck; None: paths checked only
        self.ticker = ticker
        self.text = text
        self.locs = locs
        self.max_back_words = max_back_words
        self.diags: list[Diagnostic] = []
        self.dropped = 0
        self.dropped_error = False
        self.backs: list[quality.Back] = []
        self.paper: Paper | None = None
        self.sink: list[Diagnostic] | None = None  # a card's own checks, kept whole
        self.control_flagged = False  # the text may hold a control character somewhere
        self.cache = cache
        self.known: Mapping[str, cardcheck.CardEntry] = {}  # entries kept from earlier runs
        self.entries: dict[str, cardcheck.CardEntry] = {}  # this run's, to keep
        self.checked = 0  # cards whose own checks ran (not taken from `known`)

    # -- positions
    def at(self, path: KeyPath, part: Literal["key", "value"] = "value") -> tuple[int, int]:
        """Position of a key path's value (or key), falling back to its nearest known parent."""
        for cut in range(len(path), 0, -1):
            loc = self.locs.get(path[:cut])
            if loc is None:
                continue
            offset = loc.value if part == "value" and cut == len(path) else None
            if offset is None:
                offset = loc.key if loc.key is not None else loc.value
            if offset is not None:
                return self.text.pos(offset)
        return 1, 1

    def char_at(self, path: KeyPath, value: str, index: int) -> tuple[int, int]:
        """Position of one character of a string value; the value's start if not mapped."""
        loc = self.locs.get(path)
        if loc and loc.string == value and loc.chars is not None and 0 <= index < len(loc.chars):
            return self.text.pos(loc.chars[index])
        return self.at(path)

    def add(
        self,
        severity: Severity,
        code: str,
        message: str,
        where: tuple[int, int],
        card_id: str | None = None,
    ) -> None:
        if self.sink is not None:
            diag = Diagnostic(self.path, where[0], where[1], severity, code, message, card_id)
            self.sink.append(diag)
            return
        if len(self.diags) >= MAX_DIAGNOSTICS:  # counted, not kept: memory stays flat
            self.dropped += 1
            self.dropped_error = self.dropped_error or severity == "error"
            return
        self.diags.append(
            Diagnostic(self.path, where[0], where[1], severity, code, message, card_id)
        )

    def error(self, code: str, msg: str, where: tuple[int, int], card: str | None = None) -> None:
        self.add("error", code, msg, where, card)

    def warn(self, code: str, msg: str, where: tuple[int, int], card: str | None = None) -> None:
        self.add("warning", code, msg, where, card)

    # -- generic checks
    def control_chars(self, node: Any, path: KeyPath, card: str | None) -> None:
        """Control characters anywhere: in keys and in every string value, however nested."""
        if isinstance(node, str):
            bad = CONTROL_CHARS.search(node)
            if bad:
                msg = f"control character {char_name(bad.group())} in {describe(path)}"
                self.error("control-char", msg, self.char_at(path, node, bad.start()), card)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                if path == ("card",) and isinstance(item, dict):
                    continue  # a card's table is walked with its own checks (`cardcheck`)
                self.control_chars(item, (*path, i), card)
        elif isinstance(node, dict):
            if len(path) == 2 and path[0] == "card" and isinstance(node.get("id"), str):
                card = node["id"] or None  # name the card in diagnostics about its text
            for key, item in node.items():
                bad = CONTROL_CHARS.search(key)
                if bad:
                    msg = f"control character {char_name(bad.group())} in key {key!r}"
                    self.error("control-char", msg, self.at((*path, key), "key"), card)
                self.control_chars(item, (*path, key), card)

    def unknown_keys(
        self,
        table: dict[str, Any],
        path: KeyPath,
        allowed: tuple[str, ...],
        where: str,
        card: str | None = None,
    ) -> None:
        for key in table:
            if key in allowed:
                continue
            hint = suggest(key, allowed)
            msg = f"unknown key {key!r} {where}"
            if hint:
                msg += f"; did you mean {hint!r}?"
            elif not path and key in DECK_KEYS:
                msg += f"; {key!r} belongs in the [deck] table"
            elif path and key in TOP_KEYS:
                # `card = [...]` written after [deck] lands inside it; TOML has no "end of table".
                msg += f"; a top-level {key!r} must come before the first table header"
            else:
                msg += f" (allowed: {', '.join(allowed)})"
            self.error("unknown-key", msg, self.at((*path, key), "key"), card)

    def string_field(
        self,
        table: dict[str, Any],
        path: KeyPath,
        key: str,
        what: str,
        required: bool,
        card: str | None = None,
    ) -> str | None:
        """A string field's value when it is usable; reports missing, empty and mistyped ones."""
        if key not in table:
            if required:
                msg = f"{what} is missing required field {key!r}"
                self.error("missing-field", msg, self.at(path, "key"), card)
            return None
        value = table[key]
        if not isinstance(value, str):
            msg = f"{key!r} must be a string, not {type_name(value)}"
            self.error("wrong-type", msg, self.at((*path, key)), card)
            return None
        if required and not value.strip():
            self.error("empty-field", f"{key!r} is empty", self.at((*path, key)), card)
            return None
        return value

    def slug(self, value: str, path: KeyPath, what: str, card: str | None = None) -> bool:
        if SLUG.match(value):
            if len(value) <= MAX_ID_LENGTH:
                return True
            msg = f"{what} is {len(value)} characters long; at most {MAX_ID_LENGTH} fit the store"
            self.error("bad-id", msg, self.at(path), card)
            return False
        msg = f"{what} {value!r} is not a slug (lowercase letters and digits joined by hyphens)"
        fixed = slugify(value)
        if fixed:
            msg += f"; try {fixed!r}"
        self.error("bad-id", msg, self.at(path), card)
        return False

    def raw_html(self, value: str, path: KeyPath, key: str, card: str | None) -> None:
        found = find_raw_html(value)
        if found is None:
            return
        offset, html = found
        snippet = html if len(html) <= 40 else html[:37] + "..."
        msg = (
            f"raw HTML {snippet!r} in {key}; card text is Markdown without HTML "
            "(put code in `backticks`)"
        )
        self.error("raw-html", msg, self.char_at(path, value, offset), card)

    # -- the document
    def document(self, doc: dict[str, Any]) -> tuple[Deck | None, tuple[int, int] | None]:
        # Every decoded character is one of the text's own or comes from an escape: with neither
        # a control character nor an escape that makes one, no value or key can hold one.
        if CONTROL_CHARS.search(self.text.text) or _CONTROL_ESCAPE.search(self.text.text):
            self.control_flagged = True
            self.control_chars(doc, (), None)
        self.unknown_keys(doc, (), TOP_KEYS, "at the top level")
        deck_head = self.deck_table(doc)
        cards = self.cards(doc)
        if (
            deck_head is None
            or any(d.severity == "error" for d in self.diags)
            or self.dropped_error
        ):
            return None, None
        deck_id, title, source, id_at = deck_head
        return Deck(deck_id, title, source, tuple(cards), self.path, paper=self.paper), id_at

    def deck_table(self, doc: dict[str, Any]) -> tuple[str, str, str, tuple[int, int]] | None:
        if "deck" not in doc:
            self.error("missing-table", "missing [deck] table (with id and title)", (1, 1))
            return None
        head = doc["deck"]
        if self.cache is not None and isinstance(head, dict) and isinstance(head.get("id"), str):
            self.known = self.cache.entries(head["id"])
        if not isinstance(head, dict):
            msg = f"'deck' must be a table ([deck]), not {type_name(head)}"
            self.error("wrong-type", msg, self.at(("deck",)))
            return None
        path: KeyPath = ("deck",)
        self.unknown_keys(head, path, DECK_KEYS, "in [deck]")
        self.paper = paper.paper_table(self, head)
        deck_id = self.string_field(head, path, "id", "[deck]", required=True)
        title = self.string_field(head, path, "title", "[deck]", required=True)
        source = self.string_field(head, path, "source", "[deck]", required=False)
        if source:
            quality.scaffold_text(self, (*path, "source"), source, None)
        if deck_id is not None and not self.slug(deck_id, (*path, "id"), "deck id"):
            deck_id = None
        if deck_id is None or title is None:
            return None
        return deck_id, title, source or "", self.at((*path, "id"))

    def cards(self, doc: dict[str, Any]) -> list[Card]:
        raw_cards = doc.get("card", [])
        if not isinstance(raw_cards, list):
            msg = f"'card' must be an array of tables (write [[card]]), not {type_name(raw_cards)}"
            if isinstance(raw_cards, dict):
                msg = "[card] is a single table: start each card with [[card]] (two brackets)"
            self.error("wrong-type", msg, self.at(("card",), "key"))
            return []
        cards: list[Card] = []
        seen: dict[str, KeyPath] = {}  # card id -> the path of its first use
        kinds: set[str] = set()
        for index, raw in enumerate(raw_cards):
            report_every(self.ticker, CHECKING, index, len(raw_cards))
            cards.extend(self.card(raw, ("card", index), seen, kinds))
        formerids.clashes(self, raw_cards, seen)
        quality.similar_backs(self, self.backs)
        where = self.at(("deck",), "key")
        if not raw_cards:
            self.warn("no-cards", "deck has no cards (add [[card]] tables)", where)
        else:
            for kind in KINDS:
                if kind not in kinds:
                    msg = f"deck has no {kind} card; a good deck has at least one of each kind"
                    self.warn("missing-kind", msg, where)
        return cards

    def card(
        self, raw: Any, path: KeyPath, seen: dict[str, KeyPath], kinds: set[str]
    ) -> list[Card]:
        """The card's items: the card itself, or one per deletion of a cloze card; none when
        the card has an error."""
        index = path[1]
        line = self.locs.card_line(index) if isinstance(index, int) else None
        # The shortcut's headers start their line, so (line, 1) is exact and costs no walk.
        header = (line, 1) if line is not None else self.at(path, "key")
        if not isinstance(raw, dict):
            msg = f"each card must be a table ([[card]]), not {type_name(raw)}"
            self.error("wrong-type", msg, header)
            return []
        if clozecard.is_cloze(raw):
            items = clozecard.check_cloze_card(self, raw, path, header, kinds)
            self.checked += 1  # a cloze card is checked every time (`clozecard`)
            self._seen_id(raw, path, seen)
            return items
        # A card's own checks are kept by its text when the shortcut knows where it starts and
        # ends; their lines then count from its header, so the card may move.
        base = 0 if line is None else line
        text = self.locs.card_text(index) if isinstance(index, int) else None
        # A card naming a figure is always checked: the figure's bytes are not in its text.
        cacheable = text is not None and self.cache is not None and "![" not in text
        key = self.cache_key(text) if cacheable and text is not None else None
        entry = None if key is None else self.known.get(key)
        built: Card | None = None
        if entry is not None:
            try:
                built = cardcheck.build(raw, entry, header[0])
            except cardcheck.Unfit:
                entry = None
        if entry is None:
            entry = cardcheck.check_card(self, raw, path, header, base)
            built = cardcheck.build(raw, entry, header[0])
            self.checked += 1
        if key is not None:
            self.entries[key] = entry
        cardcheck.replay(self, entry, base)
        card = self._seen_id(raw, path, seen)
        kind = cardcheck.usable(raw, "kind")
        if kind in KINDS:
            kinds.add(kind)
        back = cardcheck.usable(raw, "back")
        if back is not None:
            where = (*path, "back")
            self.backs.append(quality.Back(card, back, where, header[0], entry.folded, entry.keys))
        return [] if built is None else [built]

    def _seen_id(self, raw: dict[str, Any], path: KeyPath, seen: dict[str, KeyPath]) -> str | None:
        """Note the card's id, or report it as a duplicate (a deck-wide check, run every
        time); the card's id as diagnostics name it."""
        raw_id = raw.get("id")
        card = raw_id if isinstance(raw_id, str) and raw_id else None
        cid = cardcheck.usable(raw, "id")
        if cid is not None:
            if cid in seen:
                id_at = self.at((*path, "id"))
                msg = (
                    f"duplicate card id {cid!r}: first used at line {self.at(seen[cid])[0]}, "
                    f"again at line {id_at[0]}"
                )
                self.error("duplicate-id", msg, id_at, card)
            else:
                seen[cid] = (*path, "id")
        return card

    def cache_key(self, text: str) -> str:
        """The key of a card's kept checks (`cardcheck.card_key`)."""
        assert self.cache is not None
        # Blank lines after a card's last value move with its place in the file (the last card
        # has none), and change nothing its checks find.
        return cardcheck.card_key(self.cache.salt, self.max_back_words, text.rstrip())

    def tags(self, raw: dict[str, Any], path: KeyPath, card: str | None) -> tuple[str, ...] | None:
        if "tags" not in raw:
            return ()
        tags = raw["tags"]
        tags_path = (*path, "tags")
        if not isinstance(tags, list):
            msg = f"'tags' must be an array of strings, not {type_name(tags)}"
            self.error("wrong-type", msg, self.at(tags_path), card)
            return None
        good = True
        for i, tag in enumerate(tags):
            if not isinstance(tag, str):
                msg = f"each tag must be a string, not {type_name(tag)}"
                self.error("wrong-type", msg, self.at((*tags_path, i)), card)
                good = False
            elif not tag.strip():
                self.error("empty-field", "empty tag", self.at((*tags_path, i)), card)
                good = False
            elif _SPACE.search(tag):
                msg = f"tag {tag!r} contains a space; use a hyphen ({'-'.join(tag.split())!r})"
                self.error("tag-space", msg, self.at((*tags_path, i)), card)
                good = False
        return tuple(tags) if good else None
