"""A card's figures inline, on a terminal that declares it can show images.

Which terminals can is read from their environment only, never by querying the terminal:
`KITTY_WINDOW_ID` or `TERM=xterm-kitty` is kitty's graphics protocol; iTerm2
(`TERM_PROGRAM=iTerm.app`), WezTerm, foot and mlterm show sixels. `SRS_IMAGES=off` turns inline
images off, and `SRS_IMAGES=kitty` or `sixel` declares a terminal this list does not know.
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
from collections.abc import Mapping

from rich.console import RenderableType

PROTOCOLS = ("kitty", "sixel")
_SIXEL_PROGRAMS = frozenset({"iTerm.app", "WezTerm"})
_SIXEL_TERMS = frozenset({"foot", "foot-extra", "mlterm", "xterm-sixel"})
MAX_CELLS = 60
"""The widest an inline figure is drawn, in terminal cells."""


def inline_protocol(env: Mapping[str, str]) -> str | None:
    """The inline-image protocol the terminal declares in `env` (`kitty` or `sixel`), or None
    for a terminal that shows only the figure's line."""
    chosen = env.get("SRS_IMAGES", "").strip().lower()
    if chosen in PROTOCOLS:
        return chosen
    if chosen in ("off", "0", "no", "none"):
        return None
    term = env.get("TERM", "")
    if env.get("KITTY_WINDOW_ID") or term == "xterm-kitty":
        return "kitty"
    if env.get("TERM_PROGRAM", "") in _SIXEL_PROGRAMS or term in _SIXEL_TERMS:
        return "sixel"
    return None


def figure_image(data: bytes, kind: str, protocol: str | None, width: int) -> RenderableType | None:
    """The figure whose bytes are `data` (of type `kind`) as an inline image at most `width`
    cells wide, or None where it shows only as its line: no `protocol`, an SVG, or bytes the
    image library cannot decode."""
    if protocol not in PROTOCOLS or kind == "svg" or width < 4:
        return None
    return _image(data, protocol, min(width, MAX_CELLS))


@functools.lru_cache(maxsize=16)
def _image(data: bytes, protocol: str, width: int) -> RenderableType | None:
    # Cached: the review draws the screen again at every key, and a kitty image is sent to the
    # terminal once, then only its placeholders are drawn.
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
