"""`srs draft PAPER -o DECK`: a starting point for a deck about a paper, never finished cards.

The deck gets the paper's metadata (title, authors, arXiv id, from the PDF's own metadata and its
first page), and each sentence that states a finding ("we find", "we show", "results") or a
limitation ("we do not", "limitation", "future work") becomes a card skeleton, commented out: the
sentence as its `quote`, its page as `source`, an empty front and back. As written the deck has
no card, so it passes `srs deck check`; a skeleton the author fills in and uncomments has a quote
that `srs deck check --paper` finds, since it is the paper's own sentence.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

from srs.core.deckfile import check_deck
from srs.core.deckfile.wording import slugify
from srs.core.errors import DeckFileError
from srs.paper.source import read_paper
from srs.paper.text import words_of

ARXIV_ID = re.compile(r"arXiv:\s*(\d{4}\.\d{4,5})(v\d+)?", re.IGNORECASE)
FINDING = re.compile(
    r"\b(?:we (?:find|found|show|showed|demonstrate|observe)|our results|results (?:show|suggest|"
    r"indicate))\b",
    re.IGNORECASE,
)
LIMITATION = re.compile(
    r"\b(?:we (?:do|did) not|we cannot|limitations?|future work|does not generali[sz]e)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")
MAX_SKELETONS = 200
MIN_SENTENCE, MAX_SENTENCE = 30, 600


def clean(text: str) -> str:
    """`text` on one line, without control or format characters."""
    kept = "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cf", "Co", "Cs"})
    return " ".join(kept.split())


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def sentences(page: str) -> list[str]:
    """The sentences of a page's text, words cut at a line's end joined again."""
    return [clean(s) for s in _SENTENCE_END.split(" ".join(words_of(page)))]


def draft_text(pages: tuple[str, ...], title: str, author: str, deck_id: str, pdf: str) -> str:
    """The TOML of a drafted deck (see the module's note)."""
    first = pages[0] if pages else ""
    lines = [clean(x) for x in first.splitlines() if clean(x)]
    title = clean(title) or (lines[0] if lines else deck_id)
    arxiv = ARXIV_ID.search(" ".join(words_of(first)))
    authors = [clean(a) for a in re.split(r",|;|\band\b", author) if clean(a)] if author else []
    if not authors and len(lines) > 1:
        after = next((x for x in lines[1:] if not ARXIV_ID.search(x)), "")
        authors = [clean(a) for a in re.split(r",|\band\b", after) if clean(a)][:20]
    meta = [f"title = {_toml(title)}"]
    if authors:
        meta.append(f"authors = [{', '.join(_toml(a) for a in authors)}]")
    if arxiv:
        meta.append(f"year = {2000 + int(arxiv.group(1)[:2])}")
        meta.append(f"arxiv = {_toml(arxiv.group(1) + (arxiv.group(2) or ''))}")
    if pdf:
        meta.append(f"pdf = {_toml(pdf)}")
    out = [
        "# Drafted by `srs draft`: a starting point, not cards. For each skeleton below: uncomment",
        "# it, write a front and a back in your own words, keep the quote the card rests on, and",
        "# give it a better id. Check with: srs deck check --own-paper THIS_FILE",
        "",
        "[deck]",
        f"id = {_toml(deck_id)}",
        f"title = {_toml(title)}",
        f"paper = {{ {', '.join(meta)} }}",
    ]
    count = {"finding": 0, "limitation": 0}
    for page_no, page in enumerate(pages, start=1):
        for sentence in sentences(page):
            if not MIN_SENTENCE <= len(sentence) <= MAX_SENTENCE:
                continue
            kind = "limitation" if LIMITATION.search(sentence) else None
            kind = kind or ("finding" if FINDING.search(sentence) else None)
            if kind is None or sum(count.values()) >= MAX_SKELETONS:
                continue
            count[kind] += 1
            out += [
                "",
                "# [[card]]",
                f'# id = "{kind}-{count[kind]}"',
                f'# kind = "{kind}"',
                '# front = ""',
                '# back = ""',
                f'# source = "p. {page_no}"',
                f"# quote = {_toml(sentence)}",
            ]
    return "\n".join(out) + "\n"


def write_draft(paper: Path, output: Path, deck_id: str | None, cache_dir: Path | None) -> int:
    """Write the drafted deck to `output` (never over an existing file: `FileExistsError`);
    the number of skeletons written."""
    found = read_paper(paper, cache_dir)
    deck_id = deck_id or slugify(output.stem) or "paper"
    pdf = ""
    if paper.suffix.lower() == ".pdf":
        pdf = Path(os.path.relpath(paper.resolve(), output.resolve().parent)).as_posix()
    text = draft_text(found.text.pages, found.title, found.author, deck_id, pdf)
    errors = [d for d in check_deck(text, str(output)) if d.severity == "error"]
    if errors:  # never write a deck that will not load
        raise DeckFileError.from_diagnostics(errors)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return text.count("\n# [[card]]")
