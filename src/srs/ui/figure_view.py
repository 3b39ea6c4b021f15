"""A card's figures inline, on a terminal that declares it can show images.

Which terminals can is read from their environment, never by querying the terminal
(`config.inline_images`: kitty's graphics protocol, or sixels; `SRS_IMAGES` to choose).
Elsewhere, and for an SVG (never drawn in the terminal), the card shows only the figure's line,
`[figure: alt - press o to open]`, which stays under an inline image too, so the alt text is
never lost.

The images are drawn by textual-image's rich renderables (`textual_image.renderable.tgp` and
`.sixel`), imported only when a figure is shown on such a terminal: srs's start-up never loads
it or Pillow. Two of its ways are worth knowing: importing it asks a terminal on stdout which
protocols it speaks (it writes two queries and waits up to 0.1 s for each answer), and its kitty
renderable sends the image to `sys.__stdout__` itself, not through rich's console, then draws
kitty's placeholder characters where the image goes.
"""

from __future__ import annotations

import functools
import io

from rich.console import RenderableType

PROTOCOLS = ("kitty", "sixel")
MAX_CELLS = 60
"""The widest an inline figure is drawn, in terminal cells."""


def figure_image(data: bytes, kind: str, protocol: str | None, width: int) -> RenderableType | None:
    """The figure whose bytes are `data` (of type `kind`) as an inline image at most `width`
    cells wide, or None where it shows only as its line: no `protocol`, an SVG, or bytes the
    image library cannot decode."""
    if protocol not in PROTOCOLS or kind == "svg" or width < 4:
        return None
    return _image(data, protocol, min(width, MAX_CELLS))


@functools.cache
def _quiet_library() -> None:
    """Keep textual-image's log off the review screen: it warns, with a traceback, when the
    terminal does not answer its cell-size query, and with no handler of srs's own Python
    would print that over the card."""
    import logging

    logging.getLogger("textual_image").addHandler(logging.NullHandler())


@functools.lru_cache(maxsize=16)
def _image(data: bytes, protocol: str, width: int) -> RenderableType | None:
    # Cached: the review draws the screen again at every key, and a kitty image is sent to the
    # terminal once, then only its placeholders are drawn.
    _quiet_library()
    try:
        from PIL import Image as PILImage

        picture = PILImage.open(io.BytesIO(data))
        picture.load()  # decoded here, so a damaged or oversized file fails here
        if protocol == "kitty":
            from textual_image.renderable.tgp import Image as KittyImage

            return KittyImage(picture, width=width)
        from textual_image.renderable.sixel import Image as SixelImage

        return SixelImage(picture, width=width)
    except Exception:  # any image it cannot decode or draw shows as its line only
        return None
