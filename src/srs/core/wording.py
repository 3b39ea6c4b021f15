"""Counts in words: "1 answer", "2 answers", "6 d"."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` with `word`, in the plural unless it is one: plural(1, "answer") -> "1 answer"."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def days_word(days: int) -> str:
    """An interval in days, in words: "today", "1 day", "6 days"."""
    return "today" if days == 0 else plural(days, "day")


def search_form(text: str) -> str:
    """`text` as `srs cards --search` compares it: case, accents, and the hyphens, spaces and
    punctuation between words all alike ("Chain-of-Thought" and "chain of thought" match;
    "naïve" matches "naive")."""
    import re
    import unicodedata

    bare = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    return " ".join(re.split(r"[\W_]+", bare.casefold())).strip()
