"""Writing decks: check files and folders, scaffold a new deck, format the checker's output.

Never touches a database: `srs deck check` must work on a machine with no collection at all.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from srs.core.cardtext import printable
from srs.core.deckfile import (
    MAX_BACK_WORDS,
    SLUG,
    CardCache,
    analyse_deck,
    check_deck,
    read_deck_bytes,
)
from srs.core.errors import DeckFileError, Diagnostic, SrsError
from srs.core.model import Deck
from srs.core.ticker import Ticker, no_ticker
from srs.deckpaths import deck_paths, file_digest


def check_paths(
    paths: Sequence[Path],
    max_back_words: int = MAX_BACK_WORDS,
    ticker: Ticker = no_ticker,
    cache: CardCache | None = None,
) -> list[Diagnostic]:
    """Every problem in the deck files and folders named, file by file, each sorted by position.

    Besides each file's own checks, two files that declare the same deck id are an error
    (`duplicate-deck`), since loading them would make one overwrite the other. `max_back_words`
    is the word limit of the `long-back` warning. With a `cache` (`srs.checkcache`), a card
    checked before is not checked again; the diagnostics are the same.
    """
    return analyse_paths(paths, max_back_words, ticker=ticker, cache=cache).diagnostics


@dataclass
class Analysis:
    """What `analyse_paths` found: every diagnostic, the decks parsed without error, and the ids
    of decks whose file is exactly what the collection already holds (not parsed again)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    decks: list[Deck] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    checked: int = 0  # cards whose own checks ran (the others came from the cache)


def analyse_paths(
    paths: Sequence[Path],
    max_back_words: int = MAX_BACK_WORDS,
    loaded: Mapping[str, str] | None = None,
    ticker: Ticker = no_ticker,
    cache: CardCache | None = None,
) -> Analysis:
    """`check_paths`, plus the decks of the files that have no error, parsed once.

    `loaded` maps the `file_digest` of each deck in the collection to its id: a file with one
    of those digests is not parsed (it was checked when it was loaded, and loading it again would
    change nothing), unless another file named here claims the same deck id. `srs deck add` loads
    the decks only when the diagnostics hold no error at all.
    """
    files, problems = deck_paths(paths)
    out = Analysis(list(problems))
    first_file: dict[str, str] = {}
    seen: set[Path] = set()
    for file in files:
        resolved = file.resolve()
        if resolved in seen:  # the same file named twice (e.g. as a file and via its folder)
            continue
        seen.add(resolved)
        data = read_deck_bytes(file)  # a regular file within the size limit, or one problem
        if isinstance(data, Diagnostic):
            out.diagnostics.append(data)
            continue
        digest = file_digest(str(file), data)
        # A deck with figures is parsed again: its file may be the same and a figure's bytes not.
        kept = None if b"![" in data else (loaded or {}).get(digest)
        if kept is not None and kept not in first_file:
            first_file[kept] = str(file)
            out.unchanged.append(kept)
            continue
        result = analyse_deck(data, str(file), max_back_words, ticker, cache, folder=file.parent)
        out.checked += result.checked
        found = list(result.diagnostics)
        deck = result.deck
        if deck is not None and result.deck_id_at is not None:
            if deck.id in first_file:
                line, col = result.deck_id_at
                msg = f"deck id {deck.id!r} is also used by {printable(first_file[deck.id])}"
                found.append(Diagnostic(str(file), line, col, "error", "duplicate-deck", msg))
                found.sort(key=lambda d: (d.line, d.col, d.severity != "error", d.code))
            else:
                first_file[deck.id] = str(file)
                out.decks.append(replace(deck, digest=digest))
        out.diagnostics.extend(found)
    return out


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when any diagnostic is an error (the exit status of `srs deck check`)."""
    return any(d.severity == "error" for d in diagnostics)


def diagnostics_to_json(diagnostics: Iterable[Diagnostic]) -> str:
    """`srs deck check --json` (the shape is `srs.core.reports.diagnostics_json`)."""
    from srs.core.reports import diagnostics_json

    return diagnostics_json(diagnostics)


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    """One line such as "2 errors, 1 warning"."""
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def format_text(diagnostics: Sequence[Diagnostic]) -> str:
    """The human report: one `path:line:col: severity: message` line each, then the summary."""
    return "\n".join([*(d.format() for d in diagnostics), summary(diagnostics)])


# --------------------------------------------------------------------------------------------
# Scaffolding

_SCAFFOLD = """\
# A deck for srs: one [deck] table, then one [[card]] table per card.
# Format and advice on writing cards: docs/deck-format.md
# Check this file with:          srs deck check {filename}
# Load it (again after edits):   srs deck add {filename}
# Card ids are the cards' identity: keep them when you edit the text.

[deck]
id = {deck_id}
title = {title}
source = "Authors (year). Title of the paper. Venue. Link or DOI."

# A finding: what the paper shows, with the numbers and conditions that make it true.
[[card]]
id = "main-finding"
kind = "finding"
front = "What is the paper's main result, and under which conditions was it measured?"
back = "Replace this with the result, its size, and the setting it was measured in."
source = "Abstract; Section 4"
tags = ["example"]

# A limitation: where the result stops applying, or what the paper did not test.
[[card]]
id = "main-limitation"
kind = "limitation"
front = "What does the paper's evidence **not** show about its main result?"
back = "Replace this with the settings, scales or populations the result was not tested on."
source = "Section 6 (Limitations)"
tags = ["example"]

# A misreading: the tempting wrong claim only. srs asks "What is wrong with this reading?"
# when it shows the card, so the front must not ask it again.
[[card]]
id = "common-misreading"
kind = "misreading"
front = "“The paper proves this works everywhere.”"
back = "Replace this with the correction: the precise claim the paper makes, and its limits."
source = "Section 5"
tags = ["example"]
"""


def _toml_string(text: str) -> str:
    # JSON string syntax is a subset of TOML basic strings (\\uXXXX, \\n, \\" and so on).
    return json.dumps(text, ensure_ascii=False)


def _refuse_bad_id(deck_id: str, path: str) -> None:
    if not SLUG.match(deck_id):
        msg = f"deck id {deck_id!r} is not a slug (lowercase letters and digits joined by hyphens)"
        raise DeckFileError.from_diagnostics([Diagnostic(path, 1, 1, "error", "bad-id", msg)])


def scaffold_deck(deck_id: str, title: str | None = None, filename: str | None = None) -> str:
    """TOML text of a new deck with one example card of each kind.

    It checks with no error; its only warnings are `scaffold-text`, one for each placeholder the
    author has still to replace, so `srs deck check --strict` fails until the deck is written.

    `filename` only fills the how-to comments (default `decks/<id>.toml`). Raises `DeckFileError`
    for an id that is not a slug, or a title the checker refuses.
    """
    _refuse_bad_id(deck_id, filename or "<new deck>")
    if title is None:
        title = deck_id.replace("-", " ").capitalize()
    if filename is None or not filename.isprintable():  # a comment cannot hold a newline
        filename = f"decks/{deck_id}.toml"
    text = _SCAFFOLD.format(
        deck_id=_toml_string(deck_id), title=_toml_string(title), filename=filename
    )
    errors = [d for d in check_deck(text, filename) if d.severity == "error"]
    if errors:  # e.g. a title with a control character: never write a deck that will not load
        raise DeckFileError.from_diagnostics(errors)
    return text


def new_deck_file(deck_id: str, directory: Path, title: str | None = None) -> Path:
    """Write `<directory>/<deck_id>.toml` from `scaffold_deck`, creating the folder if needed.

    Refuses an id that is not a slug (`DeckFileError`) and an existing file (`SrsError`): a deck
    file may hold work, so it is never overwritten.
    """
    target = directory / f"{deck_id}.toml"
    _refuse_bad_id(deck_id, str(target))
    text = scaffold_deck(deck_id, title, str(target))
    part = directory / f".{deck_id}.toml.{os.getpid()}.part"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Written whole to a part file first (a full disk leaves no empty deck file), then
        # linked to its name: a link refuses an existing file atomically, with no race.
        with part.open("w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.link(part, target)
    except FileExistsError:
        raise SrsError(f"{target} already exists; not overwriting it") from None
    except OSError as exc:
        raise SrsError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            part.unlink()
    return target


# --------------------------------------------------------------------------------------------
# Quotes against the paper


def check_paths_with_paper(
    paths: Sequence[Path],
    paper: Path | None,
    cache_dir: Path | None,
    max_back_words: int = MAX_BACK_WORDS,
    ticker: Ticker = no_ticker,
    cache: CardCache | None = None,
) -> tuple[list[Diagnostic], dict[str, list[int | None]]]:
    """`check_paths`, then every quote of the decks without error against a paper.

    `paper` is a PDF or text file; None checks each deck against its own `[deck] paper.pdf`
    (relative to the deck file; a deck without one is an error). Returns the diagnostics and the
    page of each card's quotes (`DECK_ID/CARD_ID` -> pages, None for a quote not found). A paper
    that cannot be read raises `PaperError`.
    """
    from srs.paper.check import check_decks
    from srs.paper.source import read_paper

    analysis = analyse_paths(paths, max_back_words, ticker=ticker, cache=cache)
    diagnostics = list(analysis.diagnostics)
    pages: dict[str, list[int | None]] = {}
    groups: dict[Path, list[Deck]] = {}
    for deck in analysis.decks:
        target = paper if paper is not None else _own_pdf(deck)
        if target is None:
            msg = "the deck names no paper = { pdf = ... } to check its quotes against"
            diagnostics.append(Diagnostic(deck.path or deck.id, 1, 1, "error", "no-paper", msg))
            continue
        groups.setdefault(target, []).append(deck)
    for target, decks in groups.items():
        found = check_decks(decks, read_paper(target, cache_dir).text)
        diagnostics.extend(found.diagnostics)
        pages.update(found.pages)
    return diagnostics, pages


def _own_pdf(deck: Deck) -> Path | None:
    if deck.paper is None or not deck.paper.pdf or deck.path is None:
        return None
    return Path(deck.path).parent / deck.paper.pdf
