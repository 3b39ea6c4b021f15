"""The child process that reads a PDF's text with PDFium: `python -m srs.paper.pdf_child FILE`.

It runs under the limits `srs.paper.source` sets (memory, CPU time, a wall-clock timeout), so a
hostile PDF can at worst end this process. It prints `{"pages": [...], "title": ..., "author": ...}`
as JSON on success; on failure, one line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import sys

MAX_PAGES = 2000
MAX_PAGE_CHARS = 1_000_000
MAX_TOTAL_CHARS = 20_000_000


def _fail(message: str) -> None:
    print(message, file=sys.stderr)
    raise SystemExit(2)


def main(path: str) -> None:
    """Print the text of every page of the PDF at `path`, or fail in one line."""
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        text = str(exc)
        if "password" in text.lower():
            _fail("the PDF is encrypted; srs reads only PDFs that open without a password")
        _fail(f"not a readable PDF ({text.rstrip('.')})")
    count = len(doc)
    if count > MAX_PAGES:
        _fail(f"the PDF claims {count} pages; srs reads at most {MAX_PAGES}")
    pages: list[str] = []
    total = 0
    for index in range(count):
        try:
            page = doc[index]
            text = page.get_textpage().get_text_bounded()
        except pdfium.PdfiumError as exc:
            _fail(f"page {index + 1} cannot be read ({str(exc).rstrip('.')})")
        text = text[:MAX_PAGE_CHARS]
        total += len(text)
        if total > MAX_TOTAL_CHARS:
            _fail(f"the PDF holds more than {MAX_TOTAL_CHARS} characters of text")
        pages.append(text)
    meta = doc.get_metadata_dict(skip_empty=True)
    out = {"pages": pages, "title": meta.get("Title", ""), "author": meta.get("Author", "")}
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        _fail("usage: python -m srs.paper.pdf_child FILE")
    main(sys.argv[1])
