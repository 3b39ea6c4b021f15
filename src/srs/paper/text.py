"""A paper's text, page by page, made ready for finding quotes in it.

What text extraction breaks is forgiven by comparing *keys*: the text in Unicode's compatibility
form (so the ligatures ﬁ and ﬂ are two letters), case-folded, with everything that is not a
letter or a digit left out. Whitespace and line breaks, a hyphen at the end of a line (or
PDFium's mark for one), curly against straight quotes and apostrophes, and dashes therefore all
vanish; a changed word or number, or a dropped "not", does not.

The words are kept too, each with its page, for what the fuzzy search needs: passages to compare
a quote that is not found with, and a word-by-word account of what differs.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

_NOT_KEY = re.compile(r"[\W_]+")
# A word cut at the end of a line: a hyphen and the line break, or PDFium's mark for one (U+0002
# or U+FFFE, with or without the break).
_LINE_END_HYPHEN = re.compile(r"[-\u00ad\u0002\ufffe][ \t]*\r?\n\s*|[\u0002\ufffe]")
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*%?")


def fold(text: str) -> str:
    """`text` in compatibility form, case-folded: ligatures split, full-width forms plain."""
    return unicodedata.normalize("NFKC", text).casefold()


def key(text: str) -> str:
    """The letters and digits of `text`, folded: what two texts are compared by."""
    return _NOT_KEY.sub("", fold(text))


def words_of(text: str) -> list[str]:
    """The words of `text`, with words cut at a line's end joined again."""
    return unicodedata.normalize("NFKC", _LINE_END_HYPHEN.sub("", text)).split()


def numbers_in(text: str) -> set[str]:
    """The numbers written in `text` ("2024", "0.5", "95%" as "95"), thousands commas dropped."""
    return {m.group().rstrip("%").replace(",", "") for m in NUMBER.finditer(fold(text))}


@dataclass
class PaperText:
    """A paper's pages (1-based when named to a user), and what finding quotes needs of them.

    `keys` is every page's key joined, `starts` where each page's key begins in it, so a quote
    that runs over a page break is still found; `words` and `word_pages` are for fuzzy search.
    """

    pages: tuple[str, ...]
    keys: str = ""
    starts: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    word_keys: list[str] = field(default_factory=list)
    word_pages: list[int] = field(default_factory=list)
    _numbers: set[str] | None = None

    @classmethod
    def of(cls, pages: tuple[str, ...]) -> PaperText:
        """The paper of these pages' texts."""
        paper = cls(pages)
        parts: list[str] = []
        offset = 0
        for number, page in enumerate(pages, start=1):
            page_key = key(page)
            paper.starts.append(offset)
            parts.append(page_key)
            offset += len(page_key)
            for word in words_of(page):
                word_key = key(word)
                if word_key:
                    paper.words.append(word)
                    paper.word_keys.append(word_key)
                    paper.word_pages.append(number)
        paper.keys = "".join(parts)
        return paper

    def page_at(self, offset: int) -> int:
        """The page (1-based) holding the key character at `offset`."""
        return max(1, bisect_right(self.starts, offset))

    def find(self, quote: str, limit: int = 20) -> list[int]:
        """The pages where `quote`'s key starts, at most `limit` of them, in order."""
        needle = key(quote)
        if not needle:
            return []
        found: list[int] = []
        at = self.keys.find(needle)
        while at >= 0 and len(found) < limit:
            found.append(self.page_at(at))
            at = self.keys.find(needle, at + 1)
        return found

    @property
    def numbers(self) -> set[str]:
        """Every number written in the paper."""
        if self._numbers is None:
            self._numbers = (
                set().union(*(numbers_in(p) for p in self.pages)) if self.pages else set()
            )
        return self._numbers


def split_pages(text: str) -> tuple[str, ...]:
    """A plain-text paper's pages: split on form feeds, if it has any."""
    return tuple(text.split("\f"))
