"""A card's figure drawn inline on a terminal that declares it can show images (kitty's graphics
protocol, or sixels), through textual-image; elsewhere, and for an SVG, its line only."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image as PILImage
from rich.console import Console

from srs.config import inline_images
from srs.core.model import NEW_STATE, Card, Figure, Kind, QueuedCard, ReviewKind, StoredCard
from srs.ui import figure_view
from srs.ui.figure_view import figure_image
from srs.ui.review_screen import card_view, figure_images

LINE = "[figure: Loss against steps - press o to open]"
KITTY_START = "\x1b_G"  # an APC of kitty's graphics protocol


def png() -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", (40, 20), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


FIGURE = Figure("figures/fig3.png", "Loss against steps", "ab" * 32, "png")


def figure_card() -> QueuedCard:
    card = Card(
        "loss-curve",
        Kind.LIMITATION,
        "What does this curve leave out? ![Loss against steps](figures/fig3.png)",
        "Models above 13B parameters.",
        "Figure 3",
        figures=(FIGURE,),
    )
    stored = StoredCard(1, "math", "Math deck", card, datetime(2026, 3, 2, tzinfo=UTC), False)
    return QueuedCard(stored, NEW_STATE, ReviewKind.NEW)


class FigureBytes:
    """The part of a review session the screen asks for a figure's bytes."""

    def __init__(self, data: bytes, kind: str = "png") -> None:
        self.data, self.kind = data, kind

    def figure_data(self, figure: Figure) -> tuple[bytes, str] | None:
        return (self.data, self.kind) if figure == FIGURE else None


def terminal(width: int = 80) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=True, color_system="truecolor")


@pytest.mark.parametrize(
    ("env", "protocol"),
    [
        ({"TERM": "xterm-256color"}, None),
        ({"TERM": "xterm-kitty"}, "kitty"),
        ({"TERM": "xterm-256color", "KITTY_WINDOW_ID": "3"}, "kitty"),
        ({"TERM_PROGRAM": "iTerm.app"}, "sixel"),
        ({"TERM": "foot"}, "sixel"),
        ({"TERM": "xterm-kitty", "SRS_IMAGES": "off"}, None),
        ({"TERM": "xterm", "SRS_IMAGES": "sixel"}, "sixel"),
    ],
)
def test_the_terminal_declares_what_it_can_show_in_its_environment(
    env: dict[str, str], protocol: str | None
) -> None:
    assert inline_images(env) == protocol


def test_on_a_plain_terminal_the_figure_shows_as_its_line_only(
    capfd: pytest.CaptureFixture[str],
) -> None:
    console = terminal()
    protocol = inline_images({"TERM": "xterm-256color"})
    assert figure_images(FigureBytes(png()), console, protocol) is None  # type: ignore[arg-type]
    console.print(card_view(figure_card(), 0, 1, revealed=False))
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert LINE in shown and KITTY_START not in shown and "\U0010eeee" not in shown
    assert KITTY_START not in capfd.readouterr().out


def test_on_a_kitty_terminal_the_figure_is_drawn_inline_under_its_line(
    capfd: pytest.CaptureFixture[str],
) -> None:
    figure_view._image.cache_clear()  # a kitty image is sent to the terminal once per process
    console = terminal()
    protocol = inline_images({"TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"})
    images = figure_images(FigureBytes(png()), console, protocol)  # type: ignore[arg-type]
    assert images is not None
    console.print(card_view(figure_card(), 0, 1, revealed=False, images=images))
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert LINE in shown  # the alt text stays, above the image
    assert "\U0010eeee" in shown  # kitty's placeholder cells, where the image goes
    # textual-image sends the image itself straight to the process's stdout (fd 1)
    assert KITTY_START + "i=" in capfd.readouterr().out


def test_sixels_go_through_the_console_and_an_svg_is_never_drawn() -> None:
    sixel = figure_image(png(), "png", "sixel", 20)
    assert sixel is not None
    console = terminal()
    console.print(sixel)
    assert "\x1bP" in console.file.getvalue()  # type: ignore[attr-defined]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert figure_image(svg, "svg", "kitty", 20) is None
    assert figure_image(b"not an image at all", "png", "kitty", 20) is None


def test_the_review_session_reads_a_figure_beside_its_deck_for_drawing(tmp_path: Path) -> None:
    from math_deck import write_math_deck
    from srs.loading import load_paths
    from srs.review import ReviewSession
    from srs.store import Store

    path = write_math_deck(tmp_path, png())
    store = Store.open(f"sqlite:///{tmp_path / 'srs.db'}")
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    load_paths(store, [path], now)
    session = ReviewSession(store, ["math"], now.date(), new_per_day=20)
    while (current := session.current()) is not None and not current.stored.card.figures:
        session.bury()
    assert current is not None
    (figure,) = current.stored.card.figures
    assert session.figure_data(figure) == (png(), "png")
    (tmp_path / "figures" / "fig3.png").write_bytes(b"\x89PNG\r\n\x1a\n changed")
    assert session.figure_data(figure) is None  # changed since the deck was loaded: line only
    store.close()
