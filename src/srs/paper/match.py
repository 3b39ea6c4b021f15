"""A quote against the paper: found (on which pages), or the closest passage and what differs.

The exact search compares keys (`srs.paper.text.key`), so it forgives what extraction breaks and
nothing else. A quote not found that way is compared with every passage of the paper as long as
itself by rapidfuzz, word by word; the best one is refined a word either side, and the words that
differ are named from rapidfuzz's edit operations.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from srs.paper.text import NUMBER, PaperText, key, words_of

NEGATIONS = frozenset({"not", "no", "never", "nor", "cannot", "neither", "none", "without"})
MAX_PASSAGE = 240  # characters of the closest passage shown in a message
MAX_DIFFERENCES = 3


@dataclass(frozen=True)
class Found:
    """A quote that is in the paper: the pages where it starts (the first is the one reported)."""

    pages: tuple[int, ...]

    @property
    def page(self) -> int:
        """The page reported for the quote."""
        return self.pages[0]


@dataclass(frozen=True)
class Missed:
    """A quote that is not in the paper: the closest passage, its page, how close (0-100), and
    the differences in words ("'13' where the paper has '12'")."""

    passage: str
    page: int
    score: float
    differences: tuple[str, ...]


def match_quote(paper: PaperText, quote: str) -> Found | Missed:
    """Where `quote` is in `paper`, or what the paper says instead."""
    pages = paper.find(quote)
    if pages:
        return Found(tuple(pages))
    return closest(paper, quote)


def closest(paper: PaperText, quote: str) -> Missed:
    """The passage of `paper` closest to `quote`, and what differs between them."""
    quote_words = [w for w in words_of(quote) if key(w)]
    quote_keys = [key(w) for w in quote_words]
    n = len(quote_keys)
    if not paper.word_keys or not n:
        return Missed("", 1, 0.0, ("the paper has no text",) if not paper.word_keys else ())
    wanted = " ".join(quote_keys)
    step = max(1, n // 4)
    starts = range(0, max(1, len(paper.word_keys) - n + 1), step)
    windows = [" ".join(paper.word_keys[i : i + n]) for i in starts]
    best = process.extractOne(wanted, windows, scorer=fuzz.ratio)
    assert best is not None
    first = starts[best[2]]
    score, start, stop = best[1], first, first + n
    # Refine: each start within a step, each length within a few words of the quote's.
    for s in range(max(0, first - step), min(len(paper.word_keys), first + step + 1)):
        for length in range(max(1, n - 3), n + 4):
            here = fuzz.ratio(wanted, " ".join(paper.word_keys[s : s + length]))
            if here > score:
                score, start, stop = here, s, s + length
    passage = " ".join(paper.words[start:stop])
    if len(passage) > MAX_PASSAGE:
        passage = passage[: MAX_PASSAGE - 3] + "..."
    found_keys = paper.word_keys[start:stop]
    diffs = differences(quote_words, quote_keys, paper.words[start:stop], found_keys)
    return Missed(passage, paper.word_pages[start], float(score), diffs)


def differences(
    quote_words: list[str], quote_keys: list[str], paper_words: list[str], paper_keys: list[str]
) -> tuple[str, ...]:
    """The word-level differences between a quote and a passage, at most `MAX_DIFFERENCES`."""
    said: list[str] = []
    for op in Levenshtein.opcodes(quote_keys, paper_keys):
        if op.tag == "equal":
            continue
        mine = " ".join(quote_words[op.src_start : op.src_end])
        theirs = " ".join(paper_words[op.dest_start : op.dest_end])
        if op.tag == "replace":
            what = (
                "a changed number" if _has_number(mine) or _has_number(theirs) else "a changed word"
            )
            said.append(f"{what}: the quote has {mine!r} where the paper has {theirs!r}")
        elif op.tag == "delete":
            said.append(f"the quote adds {mine!r}, which the paper does not have here")
        else:
            negation = set(paper_keys[op.dest_start : op.dest_end]) & NEGATIONS
            what = f"a missing {sorted(negation)[0]!r}" if negation else "missing words"
            said.append(f"{what}: the paper has {theirs!r} where the quote has nothing")
    if len(said) > MAX_DIFFERENCES:
        said = [*said[:MAX_DIFFERENCES], f"and {len(said) - MAX_DIFFERENCES} more"]
    return tuple(said)


def _has_number(text: str) -> bool:
    return NUMBER.search(text) is not None
