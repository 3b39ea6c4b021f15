"""Fitting the review screen to the terminal's height.

A screen is a list of parts, top to bottom. Some are never dropped: the deck title (one line,
cut at the right), the question, the answer's first line and, when `?` asked for it, the keys.
The others each have a rank, and on a screen too short for everything the part of the highest
rank gives way first, or is replaced by a shorter form of itself (the legend of six rows by the
grades in a few words, the footer by `? keys · q quit`). Every part is measured as rendered at
the terminal's width, so a line that wraps counts as the lines it takes. What room is left goes
to the answer, which is cut with a marker and scrolled with j/k when it is longer still.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console, Group, RenderableType
from rich.segment import Segment, Segments
from rich.text import Text

from srs.ui.ascii import Fold
from srs.ui.console import measuring_console

KEEP = 0  # the rank of a part that is never dropped


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of the screen, with its rank (KEEP: never dropped) and a shorter form."""

    renderable: RenderableType
    rank: int = KEEP
    shorter: Part | None = None
    cut: bool = False  # cut to the room left rather than dropped (the answer, the keys)


def _measure(console: Console, renderable: RenderableType) -> list[list[Segment]]:
    return console.render_lines(renderable, console.options, pad=False)


def _segments(lines: Sequence[list[Segment]]) -> Segments:
    out: list[Segment] = []
    for line in lines:
        out.extend(line)
        out.append(Segment.line())
    return Segments(out)


def fit(
    parts: Sequence[Part],
    answer: int | None,
    height: int,
    width: int,
    scroll: int = 0,
    fold: Fold | None = None,
) -> RenderableType:
    """The parts fitted to `height` rows (one kept for the cursor); `answer` is the index of
    the answer's part, shown from its line `scroll` on; measured folded with `fold` when the
    screen's console folds text (`srs.ui.console`)."""
    console = measuring_console(width, fold)
    room = height - 1
    shown = list(parts)
    lines = [_measure(console, p.renderable) for p in shown]

    def least(i: int) -> int:  # a part cut to fit keeps a line, and the marker if cut
        return min(len(lines[i]), 2) if shown[i].cut or i == answer else len(lines[i])

    def wanted(i: int) -> int:  # the answer a third of the screen at least, if it is that long
        return min(len(lines[i]), max(2, room // 3)) if i == answer else len(lines[i])

    while sum(wanted(i) for i in range(len(shown))) > room:
        ranked = [i for i, p in enumerate(shown) if p.rank != KEEP]
        if not ranked:
            break
        worst = max(ranked, key=lambda i: (shown[i].rank, i))
        shorter = shown[worst].shorter
        if shorter is not None:
            shown[worst] = shorter
            lines[worst] = _measure(console, shorter.renderable)
            continue
        del shown[worst], lines[worst]
        if answer is not None and worst < answer:
            answer -= 1
    cut = [i for i, p in enumerate(shown) if p.cut and i != answer]
    left = room - sum(len(lines[i]) for i in range(len(shown)) if i not in cut and i != answer)
    rows: dict[int, int] = {}
    for i in cut:  # the keys asked for with `?` first, then the answer has what remains
        rows[i] = max(least(i), min(len(lines[i]), left - (0 if answer is None else least(answer))))
        left -= rows[i]
    out: list[RenderableType] = []
    for i in range(len(shown)):
        if i == answer:
            out.append(_cut(lines[i], max(least(i), left), scroll, "j/k"))
        elif i in rows:
            out.append(_cut(lines[i], rows[i], 0, "taller terminal for more"))
        else:
            out.append(_segments(lines[i]))
    return Group(*out)


def _cut(lines: list[list[Segment]], room: int, scroll: int, hint: str) -> RenderableType:
    """`lines` from `scroll` on in `room` rows, the last a marker when they do not all fit."""
    if len(lines) <= room:
        return _segments(lines)
    keep = max(1, room - 1)
    first = max(0, min(scroll, len(lines) - keep))
    last = first + keep
    marker = Text(f"  … {hint}: lines {first + 1}-{last} of {len(lines)}", style="dim")
    marker.no_wrap, marker.overflow = True, "ellipsis"
    return Group(_segments(lines[first:last]), marker)
