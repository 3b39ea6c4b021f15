"""The console every screen prints to, with an ASCII fallback for terminals that need one.

Whether a console folds text is decided once, when it is made, from its output's encoding: when
that encoding cannot take every character, for example under `PYTHONIOENCODING=ascii`, the
console is a `FoldingConsole`. It folds text (`srs.ui.ascii`: `…` -> `...`, curly quotes ->
straight, `é` -> `e`) before rich measures it, so lines keep their width and no character is
written as `?`; the stream is wrapped as well, so that a character drawn by rich itself (a list
bullet) is folded rather than raising `UnicodeEncodeError`. Rich sees the narrow encoding too,
and draws its rules and tables in ASCII. Screens that measure on a console of their own take
one from `measuring_console`, which folds as the screen's console does.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from typing import IO, Any

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

from srs.ui.ascii import ELLIPSIS, LOOKALIKES, Fold, ascii_ellipses, fold_renderable

SCREEN_CHARS = "".join(LOOKALIKES)
"""The non-ASCII characters the screens themselves may draw."""


def can_encode(encoding: str | None, text: str = SCREEN_CHARS) -> bool:
    """True when `encoding` can write `text` (unknown encodings count as able)."""
    if not encoding:
        return True
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    except LookupError:
        return True
    return True


class AsciiStream:
    """A text stream that writes what its encoding cannot take folded (`srs.ui.ascii`)."""

    def __init__(self, stream: IO[str], fold: Fold) -> None:
        self.stream = stream
        self.fold = fold
        self.encoding = fold.encoding

    def write(self, text: str) -> int:
        """Write `text`, made encodable."""
        safe = self.fold(text).encode(self.encoding, "replace")
        return self.stream.write(safe.decode(self.encoding))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class FoldingConsole(Console):
    """A console that folds every text it renders (`fold`) before measuring it.

    What it is asked to print or lay out is folded whole (texts, tables, rules, groups,
    Markdown), `…` to `...`. Text a renderable yields while it is drawn comes to `render` and
    is folded too, except for `…`: folded text holds none, so one there is where rich cut a line
    (a rule's title, a cell), and it becomes dots in the same columns once rendered."""

    def __init__(self, fold: Fold, **options: Any) -> None:
        super().__init__(**options)
        self.fold = fold
        self._cut_marks = fold.char(ELLIPSIS) != ELLIPSIS
        self._inner = fold.keeping(ELLIPSIS) if self._cut_marks else fold

    def print(self, *objects: Any, **options: Any) -> None:
        """Print `objects` folded (see `rich.console.Console.print` for the options)."""
        super().print(*(fold_renderable(o, self.fold) for o in objects), **options)

    def render_lines(
        self, renderable: RenderableType, options: ConsoleOptions | None = None, **kw: Any
    ) -> list[list[Segment]]:
        """Lay out `renderable` folded (see `rich.console.Console.render_lines`)."""
        return super().render_lines(fold_renderable(renderable, self.fold), options, **kw)

    def render(
        self, renderable: RenderableType, options: ConsoleOptions | None = None
    ) -> Iterable[Segment]:
        """Render `renderable` folded but for rich's own `…`, which becomes dots."""
        segments = super().render(fold_renderable(renderable, self._inner), options)
        if not self._cut_marks:
            yield from segments
            return
        for segment in segments:
            if ELLIPSIS in segment.text:
                segment = Segment(ascii_ellipses(segment.text), segment.style, segment.control)
            yield segment


def fold_of(console: Console) -> Fold | None:
    """The fold `console` applies, or None when its output takes every character."""
    return console.fold if isinstance(console, FoldingConsole) else None


def make_console(file: IO[str] | None = None, **options: Any) -> Console:
    """A rich console on `file` (stdout by default), folding text when its encoding needs it."""
    stream = file if file is not None else sys.stdout
    encoding = getattr(stream, "encoding", None)
    if can_encode(encoding):
        return Console(file=stream, highlight=False, **options)
    fold = Fold(encoding or "ascii")
    return FoldingConsole(fold, file=AsciiStream(stream, fold), highlight=False, **options)


def measuring_console(width: int, fold: Fold | None = None) -> Console:
    """A console that only measures (no colour, no terminal) at `width`, folding with `fold`."""
    options: dict[str, Any] = {
        "file": io.StringIO(),
        "width": width,
        "color_system": None,
        "force_terminal": False,
    }
    return Console(**options) if fold is None else FoldingConsole(fold, **options)
