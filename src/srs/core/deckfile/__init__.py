"""Deck text -> model objects, and the deck checker behind `srs deck check`.

A deck file is TOML (see docs/deck-format.md). The package is split by concern:
`text` decodes bytes and maps offsets to positions, `scanner` records where each key and value
sits, `syntax` places the one error for text `tomllib` refuses, `checker` reports every
problem of a parsed deck, and `quality` adds the warnings about cards that are hard to learn
(long or list-like backs, near-duplicates, give-aways, vague sources). `parse_deck` refuses a deck
that has any error; warnings never stop it.

Core: standard library plus markdown-it-py (with dollarmath), pylatexenc and rtoml. No clock, and
no disk access but through `limits` (`read_deck_bytes`, `read_figure`): `read_deck_file` reads its
file, and a deck checked with its folder (`analyse_deck(..., folder=)`) reads the figures its
cards name there.
"""

from __future__ import annotations

import contextlib
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rtoml

from srs.core.deckfile.cardcheck import CardCache, CardEntry
from srs.core.deckfile.checker import (
    CARD_KEYS,
    DECK_KEYS,
    MAX_DIAGNOSTICS,
    SLUG,
    TOP_KEYS,
    Checker,
)
from srs.core.deckfile.limits import (
    MAX_DECK_BYTES,
    MAX_KEY_PARTS,
    MAX_NESTING,
    read_deck_bytes,
    read_figure,
    structure_problem,
)
from srs.core.deckfile.places import Places
from srs.core.deckfile.prompts import LONG_PROMPT
from srs.core.deckfile.quality import QUALITY_CODES
from srs.core.deckfile.scanner import ScanError, Scanner
from srs.core.deckfile.syntax import syntax_error
from srs.core.deckfile.text import TextPositions, decode
from srs.core.defaults import MAX_BACK_WORDS
from srs.core.errors import DeckFileError, Diagnostic
from srs.core.model import KINDS, Deck
from srs.core.ticker import Ticker, no_ticker

READER_VERSION: str = rtoml.__version__
"""The TOML reader's version: part of what the checker's kept results depend on."""


@dataclass(frozen=True, slots=True)
class DeckCheck:
    """Everything the checker learnt about one deck file.

    `deck` is None when there is any error. `deck_id_at` is the (line, col) of the deck id value,
    when there is one, so that callers checking many files can point at a clash between them.
    """

    diagnostics: tuple[Diagnostic, ...]
    deck: Deck | None
    deck_id_at: tuple[int, int] | None = None
    checked: int = 0  # cards whose own checks ran, not taken from the cache

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The diagnostics of severity "error"."""
        return tuple(d for d in self.diagnostics if d.severity == "error")


# Public entry points


def check_deck(
    data: bytes | str, path: str = "<deck>", max_back_words: int = MAX_BACK_WORDS
) -> list[Diagnostic]:
    """Every problem in a deck, errors and warnings, sorted by position. Never raises.

    `max_back_words` is the word limit of the `long-back` warning.
    """
    return list(analyse_deck(data, path, max_back_words).diagnostics)


def parse_deck(data: bytes | str, path: str = "<deck>", folder: Path | None = None) -> Deck:
    """Parse deck text into a `Deck` (with `folder`, the deck file's, its figures read there).

    Raises `DeckFileError` carrying the place of the first error, with every error in `.problems`.
    A deck with any error is refused whole; warnings never raise.
    """
    result = analyse_deck(data, path, folder=folder)
    errors = result.errors
    if errors or result.deck is None:
        problems = errors or (Diagnostic(path, 1, 1, "error", "internal", "no deck"),)
        raise DeckFileError.from_diagnostics(problems)
    return result.deck


def read_deck_file(path: Path) -> Deck:
    """Read and parse one deck file from disk; an unreadable file is a `DeckFileError`.

    Only a regular file of at most `MAX_DECK_BYTES` is read (see `read_deck_bytes`).
    """
    data = read_deck_bytes(path)
    if isinstance(data, Diagnostic):
        raise DeckFileError.from_diagnostics([data])
    return parse_deck(data, str(path), folder=path.parent)


def analyse_deck(
    data: bytes | str,
    path: str = "<deck>",
    max_back_words: int = MAX_BACK_WORDS,
    ticker: Ticker = no_ticker,
    cache: CardCache | None = None,
    folder: Path | None = None,
) -> DeckCheck:
    """Check a deck and, when it has no error, build it. Never raises. `ticker` hears of
    the cards checked. With a `cache`, a card whose text was checked before (under the same
    checker) is not checked again: its diagnostics are replayed (`cardcheck`), the same ones.
    With `folder` (the deck file's), the figures its cards name are read there; without, their
    paths are checked but no file is read."""
    try:
        return _analyse(data, path, max_back_words, ticker, cache, folder)
    except Exception as exc:  # a checker bug must still come out as a diagnostic
        diag = Diagnostic(
            path,
            1,
            1,
            "error",
            "internal-error",
            f"the deck checker failed: {exc!r}; please report",
        )
        return DeckCheck((diag,), None)


def _analyse(
    data: bytes | str,
    path: str,
    max_back_words: int,
    ticker: Ticker,
    cache: CardCache | None,
    folder: Path | None,
) -> DeckCheck:
    text, problem = decode(data, path)
    if text is None:
        assert problem is not None
        return DeckCheck((problem,), None)
    too_deep = structure_problem(text, path)
    if too_deep is not None:  # before either parser: see `structure_problem`
        return DeckCheck((too_deep,), None)
    positions = TextPositions(text)
    try:
        # rtoml (Rust) reads a valid deck four times faster than tomllib; whatever it refuses
        # takes the careful path below, whose messages and positions are tomllib's and ours.
        doc: dict[str, Any] = rtoml.loads(text)
    except Exception:
        refused = _careful(text, positions, path)
        if isinstance(refused, Diagnostic):
            return DeckCheck((refused,), None)
        doc, places = refused
    else:
        cards = doc.get("card")
        places = Places(text, len(cards) if isinstance(cards, list) else 0)
    reader = None if folder is None else functools.partial(read_figure, folder)
    checker = Checker(path, positions, places, max_back_words, ticker, cache, reader)
    deck, id_at = checker.document(doc)
    head = doc.get("deck")
    if cache is not None and isinstance(head, dict) and isinstance(head.get("id"), str):
        cache.keep(head["id"], checker.entries)
    diags = tuple(sorted(checker.diags, key=_sort_key))
    if checker.dropped:  # "... and N more", an error when one of them was
        diags += (
            Diagnostic(
                path,
                max((d.line for d in diags), default=1),
                1,
                "error" if checker.dropped_error else "warning",
                "more-problems",
                f"... and {checker.dropped} more problems (at most {MAX_DIAGNOSTICS} are shown)",
            ),
        )
    return DeckCheck(diags, deck, id_at, checker.checked)


def _careful(
    text: str, positions: TextPositions, path: str
) -> Diagnostic | tuple[dict[str, Any], Places]:
    """The document and every position, or the one syntax error, for text rtoml refused."""
    scanner = Scanner(text)
    # Positions recorded before a scanner stop stay usable; the others fall back to a parent's.
    with contextlib.suppress(ScanError, IndexError, RecursionError):
        scanner.scan()
    try:
        doc = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        return syntax_error(exc, positions, scanner, path)
    return doc, Places.walked(text, scanner.locs)


def _sort_key(d: Diagnostic) -> tuple[int, int, int, str]:
    return d.line, d.col, 0 if d.severity == "error" else 1, d.code


__all__ = [
    "CARD_KEYS",
    "DECK_KEYS",
    "KINDS",
    "LONG_PROMPT",
    "MAX_BACK_WORDS",
    "MAX_DECK_BYTES",
    "MAX_KEY_PARTS",
    "MAX_NESTING",
    "QUALITY_CODES",
    "READER_VERSION",
    "SLUG",
    "TOP_KEYS",
    "CardCache",
    "CardEntry",
    "DeckCheck",
    "Diagnostic",
    "analyse_deck",
    "check_deck",
    "parse_deck",
    "read_deck_bytes",
    "read_deck_file",
]
