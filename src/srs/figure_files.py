"""Figures beside a deck file, for the review's `o` and the Anki export.

A card records each figure's path (relative to its deck file) and its bytes' digest when the deck
is loaded. Both uses go back to the deck's folder through `core.deckfile.limits.read_figure`, the
same bounded read the checker makes (inside the folder, a regular image file of at most 2 MiB),
and a file whose bytes no longer match the digest is refused: load the deck again first.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from srs.core.cardtext import printable
from srs.core.deckfile.limits import FigureFile, read_figure
from srs.core.errors import SrsError
from srs.core.faces import faces
from srs.core.model import Figure, StoredCard
from srs.paper.opening import start_detached, system_opener

if TYPE_CHECKING:
    from srs.store import Store


def deck_path(store: Store, deck_id: str) -> str | None:
    """The file a deck of the collection was last loaded from, if any."""
    return next((d.path for d in store.content.decks() if d.id == deck_id), None)


def figure_file(deck_file: str | None, figure: Figure) -> tuple[Path, FigureFile]:
    """The figure's path and bytes as read now beside `deck_file`; `SrsError` when it is gone,
    refused, or changed since the deck was loaded."""
    if not deck_file:
        raise SrsError("the card's deck was not loaded from a file, so its figures are not at hand")
    folder = Path(deck_file).parent
    read = read_figure(folder, figure.path)
    if isinstance(read, str):
        raise SrsError(f"figure {printable(figure.path)}: {read}")
    if figure.digest and read.digest != figure.digest:
        raise SrsError(
            f"figure {printable(figure.path)} changed since its deck was loaded; "
            "run srs deck add again"
        )
    return folder / figure.path, read


def opener_command(template: str | None, path: Path) -> list[str]:
    """`SRS_OPEN` split into words (never run by a shell) with the path at `{file}` or last;
    without it, the system's opener (`xdg-open`, `open` on macOS)."""
    if template is None:
        return [system_opener(), str(path)]
    try:
        words = shlex.split(template)
    except ValueError as exc:
        raise SrsError(f"SRS_OPEN={template!r} cannot be split into words ({exc})") from None
    if not words:
        raise SrsError("SRS_OPEN is empty")
    if not any("{file}" in w for w in words):
        words.append("{file}")
    return [w.replace("{file}", str(path)) for w in words]


def open_figures(
    stored: StoredCard, deck_file: str | None, revealed: bool, template: str | None
) -> list[str]:
    """Open the figures the card shows now (the prompt's; the answer's too once `revealed`),
    each with its own viewer, without waiting; the lines that say what was opened."""
    shown = faces(stored.card)
    figures = shown.figures if revealed else shown.prompt_figures
    if not figures:
        return ["this side of the card has no figure"]
    lines = []
    for figure in figures:
        path, _ = figure_file(deck_file, figure)
        command = opener_command(template, path)
        try:
            start_detached(command)
        except OSError as exc:
            raise SrsError(f"cannot run {printable(command[0])}: {exc.strerror or exc}") from None
        lines.append(f"opened {printable(figure.path)} with {printable(command[0])}")
    return lines
