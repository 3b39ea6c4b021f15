"""Math and figures in card text, checked: `$...$` and `$$...$$`, and `![alt](path)`.

Math is found by dollarmath (`core.cardspans`) and its LaTeX parsed by pylatexenc
(`core.cardmath`): a `$` that opens nothing is an error, unless it reads as money (`$5`), which is
a warning that suggests `\\$`; LaTeX that cannot be parsed, or a refused command such as `\\input`
or `\\href`, is an error at its column. A figure's path must be relative, inside the deck's folder
and free of `..`; its alt text is required. When the checker has the deck's folder, the file is
read there (`limits.read_figure`: bounded, its type from its bytes), and the card records its
digest, so new bytes are an edit of the card.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

from srs.core.cardmath import latex_problem
from srs.core.cardspans import looks_like_money, spans
from srs.core.deckfile.checks import Checker
from srs.core.deckfile.limits import FigureFile
from srs.core.deckfile.scanner import KeyPath
from srs.core.model import Figure

FigureReader = Callable[[str], FigureFile | str]
"""Reads one figure by its path relative to the deck file: the file, or why it cannot be used."""

MATH_CODES = ("bad-math", "unbalanced-math", "money-dollar")
FIGURE_CODES = ("bad-figure", "figure-alt")

_SCHEME = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*:")


def card_text(
    checker: Checker,
    value: str,
    path: KeyPath,
    key: str,
    card: str | None,
    reader: FigureReader | None,
) -> tuple[Figure, ...] | None:
    """Check the math and figures of one text field; its figures, or None when one is bad."""
    found = spans(value)
    for math in found.math:
        problem: tuple[int, str] | None = latex_problem(math.latex)
        if problem is None:
            continue
        inner = value.find(math.latex, max(math.start, 0)) if math.latex else -1
        at = (inner if inner >= 0 else max(math.start, 0)) + problem[0]
        checker.error("bad-math", f"{problem[1]} in {key}", checker.char_at(path, value, at), card)
    for offset in found.stray_dollars:
        where = checker.char_at(path, value, offset)
        if looks_like_money(value, offset):
            msg = f"'$' before a number in {key} reads as money; write '\\$' so it is never math"
            checker.warn("money-dollar", msg, where, card)
        else:
            msg = (
                f"'$' in {key} opens math that never closes; close it, or write '\\$' for a dollar"
            )
            checker.error("unbalanced-math", msg, where, card)
    figures: list[Figure] = []
    good = True
    for ref in found.figures:
        where = checker.char_at(path, value, max(ref.start, 0))
        if not ref.alt.strip():
            msg = (
                f"figure {ref.path!r} in {key} has no alt text: write ![what it shows]({ref.path})"
            )
            checker.error("figure-alt", msg, where, card)
            good = False
        relative = unquote(ref.path)
        wrong = path_problem(relative)
        if wrong is None and reader is not None:
            read = reader(relative)
            if isinstance(read, str):
                wrong = read
            else:
                figures.append(Figure(relative, ref.alt, read.digest, read.kind))
                continue
        elif wrong is None:
            figures.append(Figure(relative, ref.alt))
            continue
        checker.error("bad-figure", f"figure {ref.path!r} in {key}: {wrong}", where, card)
        good = False
    return tuple(figures) if good else None


def path_problem(relative: str) -> str | None:
    """Why a figure's path is not one srs reads, or None: it must be relative to the deck file
    and stay in its folder (no URL, no absolute path, no `..`)."""
    if not relative.strip():
        return "the path is empty"
    if _SCHEME.match(relative) or relative.startswith("//"):
        return "a URL is not a figure: keep the file in the deck's folder"
    if relative.startswith(("/", "\\")):
        return "the path must be relative to the deck file, not absolute"
    if ".." in re.split(r"[/\\]", relative):
        return "the path must stay inside the deck's folder (no '..')"
    if "\\" in relative:
        return "write the path with '/', not '\\'"
    return None
