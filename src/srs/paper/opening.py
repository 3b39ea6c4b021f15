"""`srs open CARD` and the review's `p`: the deck's PDF at the card's page, or the paper's URL.

The page is the first of: the page stored with the card's quote (found when the deck was loaded
or checked), the quote looked up in the PDF's text (cached by digest), the first page the card's
`source` names ("p. 12"). A card with none of these opens the first page, and says so.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from srs.core.cardtext import printable
from srs.core.errors import SrsError
from srs.core.model import Card, Paper, StoredCard
from srs.paper.check import source_pages
from srs.paper.match import Found, match_quote
from srs.paper.source import PaperError, read_paper

if TYPE_CHECKING:
    from srs.store import Store

# Viewers that take a page on their command line, tried in this order when SRS_PDF_VIEWER is unset.
VIEWERS: tuple[str, ...] = (
    "zathura --page={page} {file}",
    "evince --page-index={page} {file}",
    "okular --page {page} {file}",
    "mupdf {file} {page}",
    "qpdfview {file}#{page}",
)


@dataclass(frozen=True)
class Opened:
    """What `open_card` did: the command run (or None), the URL to show (or ""), the page, and
    whether the page was a guess (the card names none)."""

    command: list[str] | None
    url: str
    page: int
    guessed: bool


def card_page(card: Card, pdf: Path | None, cache_dir: Path | None) -> int | None:
    """The page of the paper `card` rests on, when anything says it."""
    for quote in card.quotes:
        if quote.page:
            return quote.page
    if pdf is not None and card.quotes:
        try:
            text = read_paper(pdf, cache_dir).text
        except PaperError:
            text = None
        if text is not None:
            for quote in card.quotes:
                found = match_quote(text, quote.text)
                if isinstance(found, Found):
                    return found.page
    pages = source_pages(card.source)
    return min(pages) if pages else None


def viewer_command(template: str | None, pdf: Path, page: int) -> list[str]:
    """The command that opens `pdf` at `page`: `template` (SRS_PDF_VIEWER, with `{file}` and
    `{page}`), else the first viewer found that takes a page, else the system's opener. The
    template is split like a shell line but never run by a shell, so a file name cannot inject."""
    if template is None:
        for candidate in VIEWERS:
            if shutil.which(candidate.split()[0]):
                template = candidate
                break
    if template is None:
        return [system_opener(), str(pdf)]
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise SrsError(f"SRS_PDF_VIEWER={template!r} cannot be split into words ({exc})") from None
    if not words:
        raise SrsError("SRS_PDF_VIEWER is empty")
    if not any("{file}" in w for w in words):
        words.append("{file}")
    return [w.replace("{file}", str(pdf)).replace("{page}", str(page)) for w in words]


def open_card(
    card: Card,
    paper: Paper | None,
    deck_path: str | None,
    template: str | None,
    cache_dir: Path | None,
) -> Opened:
    """Open the deck's PDF at `card`'s page with the viewer, or give the paper's URL there."""
    pdf: Path | None = None
    if paper is not None and paper.pdf and deck_path:
        candidate = Path(deck_path).parent / paper.pdf
        pdf = candidate if candidate.is_file() else None
    page = card_page(card, pdf, cache_dir)
    guessed = page is None
    shown = page or 1
    if pdf is None:
        url = paper.page_url(shown) if paper is not None else ""
        if not url:
            raise SrsError(
                "the card's deck names no paper to open (add paper = { pdf = ..., arxiv = ... })"
            )
        return Opened(None, url, shown, guessed)
    command = viewer_command(template, pdf, shown)
    try:
        start_detached(command)
    except OSError as exc:
        raise SrsError(f"cannot run the PDF viewer {command[0]!r}: {exc.strerror or exc}") from None
    return Opened(command, "", shown, guessed)


def open_stored(
    store: Store, stored: StoredCard, template: str | None, cache_dir: Path | None
) -> Opened:
    """`open_card` for a card of the collection: its deck's file (for the `pdf` beside it) and
    paper found through the store. `srs open` and the review's `p` both come here."""
    path = next((d.path for d in store.content.decks() if d.id == stored.deck_id), None)
    return open_card(stored.card, deck_paper(path), path, template, cache_dir)


def opened_lines(opened: Opened) -> list[str]:
    """What to tell the learner: the URL, or the page opened and with what; a guessed page said
    so. Safe to print (untrusted names escaped)."""
    if opened.url:
        lines = [printable(opened.url)]
    else:
        assert opened.command is not None
        lines = [f"opened page {opened.page} with {printable(opened.command[0])}"]
    if opened.guessed:
        lines.append("the card names no page (no quote found, no page in its source): page 1")
    return lines


def system_opener() -> str:
    """The system's opener of any file: `open` on macOS, `xdg-open` elsewhere."""
    return "open" if sys.platform == "darwin" else "xdg-open"


def start_detached(command: list[str]) -> None:
    """Start the viewer in a session of its own, its output away from the terminal, without
    waiting for it (a viewer may stay open for as long as the reader reads)."""
    if os.name != "posix":  # pragma: no cover
        subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        return
    null = os.devnull
    actions = [(os.POSIX_SPAWN_OPEN, fd, null, os.O_RDWR, 0) for fd in (0, 1, 2)]
    os.posix_spawnp(command[0], command, dict(os.environ), file_actions=actions, setsid=True)


def deck_paper(deck_path: str | None) -> Paper | None:
    """The paper the deck file at `deck_path` names, read again from the file (its `pdf` is
    relative to it); None when the file is gone or names none."""
    from srs.core.deckfile import read_deck_file
    from srs.core.errors import DeckFileError

    if not deck_path or not Path(deck_path).is_file():
        return None
    try:
        return read_deck_file(Path(deck_path)).paper
    except DeckFileError:
        return None
