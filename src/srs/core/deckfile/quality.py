"""Card-quality warnings: the rules of good flashcards, checked on a deck that already parses.

Each rule is a form of SuperMemo's "minimum information principle" (a card asks one thing and is
answered in a sentence or two) or of this project's own rules for the three kinds of card (a
misreading corrects its claim, a limitation or misreading names where in the paper to look). Every
warning names the card, points at the exact place, and says how to fix it. None is ever an error.

The checker calls `card_quality` once per card and `similar_backs` once per deck.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from srs.core.deckfile.scanner import KeyPath
from srs.core.defaults import MAX_BACK_WORDS
from srs.core.wording import plural

MAX_LIST_ITEMS = 3
"""A back that lists more items than this draws `list-back`."""

MIN_CORRECTION_WORDS = 8
"""A misreading back with fewer words than this draws `short-correction`."""

SIMILAR_JACCARD = 0.5
"""Two backs whose key-word sets overlap this much (Jaccard) draw `similar-back`."""

SIMILAR_RATIO = 0.85
"""...as do two backs whose text `difflib` finds this similar."""

SIMILAR_PREFIX = 1000
"""The characters of each back `difflib` compares: its work is quadratic in their length (two
backs of 50 KB took minutes); the Jaccard index still counts every word."""

COMMON_BACKS = 64
"""A key word in more backs than this does not make two backs candidates for `similar-back`."""

GIVEAWAY_SHARE = 0.6
"""A front holding this share of the key words of its back's first clause draws `answer-words`."""

SCAFFOLD_MARKERS: tuple[str, ...] = (
    "Replace this with",
    "Authors (year). Title of the paper",
)
"""Placeholder text of `srs deck new`; any of it left in a deck draws `scaffold-text`."""

QUALITY_CODES: tuple[str, ...] = (
    "long-back",
    "list-back",
    "similar-back",
    "answer-words",
    "scaffold-text",
    "short-correction",
    "vague-source",
    "question-in-misreading",
)
"""Every warning code this module emits (docs/deck-format.md lists each one)."""

_STOP = frozenset(
    """a an the and or but nor of to in on at by for with from as into onto than then that this
    these those it its is are was were be been being has have had do does did not no yes so such
    which who whom whose what when where why how if only also even more most less least very can
    could would should may might will shall must their there they them he she his her we our you
    your me my one two each every all any both either neither about after before over under up
    down out off again once same other own just too still while because until per vs via eg ie
    etc paper authors model models""".split()  # noqa: SIM905 (a list literal would run 200 lines)
)
_APOSTROPHES = "'\u2019"
_WORD = re.compile(rf"[^\W_](?:[\w{_APOSTROPHES}.-]*[^\W_])?")
_POINTER = re.compile(
    r"§\s*\d|\bsections?\s+\d|\bsec\.\s*\d|\bappendix\s+[A-Z0-9]|\bfig(?:ure)?s?\.?\s*\d"
    r"|\btables?\s+\d|\bfootnotes?\s+\d|\bfn\.?\s*\d",
    re.IGNORECASE,
)
_QUESTION = re.compile(
    r"\bwhat(?:\s+is|['\u2019]s)\s+(?:wrong|mistaken|incorrect)\b"
    r"|\bwhat(?:\s+is|['\u2019]s)\s+the\s+(?:error|mistake|problem|flaw)\s+(?:in|with)\b"
    r"|\bwhere\s+(?:is|does)\s+(?:this|that|the)\s+(?:reading|claim)\s+(?:wrong|go\s+wrong)\b",
    re.IGNORECASE,
)
_LIST_LINE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+\S", re.MULTILINE)
_NUMBER_MARK = re.compile(r"\((\d{1,2})\)|(?<![\w.])(\d{1,2})\)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SERIES_ITEM_WORDS = 4
_CLAUSE_END = re.compile(r"[.:;]\s|\n\n")
_SERIES_END = re.compile(r"(?:^|[\s,;])(?:and|or)\s")  # where `_series` can find a last item


class Reporter(Protocol):
    """What the checks need from the checker: positions, and a place to put warnings."""

    def at(self, path: KeyPath, part: Literal["key", "value"] = "value") -> tuple[int, int]:
        """Position of a key path's value (or key)."""
        ...

    def char_at(self, path: KeyPath, value: str, index: int) -> tuple[int, int]:
        """Position of one character of a string value."""
        ...

    def warn(self, code: str, msg: str, where: tuple[int, int], card: str | None = None) -> None:
        """Record a warning."""
        ...


@dataclass(frozen=True, slots=True)
class Back:
    """One card's back, kept for the deck-wide comparison of backs."""

    card_id: str | None
    text: str
    path: KeyPath
    line: int
    folded: str | None = None  # `folded_words(text)` one space apart, when already known
    keys: str | None = None  # and `back_keys(folded)`, when already known


def words(text: str) -> list[str]:
    """The words of a text, as a reader counts them: punctuation and Markdown marks are not."""
    return list(_words(text))


# A card's back is split into words by several checks and again by `similar_backs`; a few
# hundred recent texts cover one card's checks.
@functools.lru_cache(maxsize=256)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text))


def folded_words(text: str) -> tuple[str, ...]:
    """The words of a text, case-folded: what `similar-back` compares."""
    return _words(text.casefold())


def back_keys(folded: tuple[str, ...]) -> str:
    """The key words `similar-back` compares a back by, sorted, one space apart."""
    return " ".join(sorted(_key_words_of(folded)))


def key_words(text: str) -> set[str]:
    """The words that carry a text's meaning: lower-cased, no stop words, no one-letter words."""
    # Case-folding the whole text is one call instead of one per word.
    return _key_words_of(_words(text.casefold()))


def _key_words_of(folded: tuple[str, ...]) -> set[str]:
    return {w for w in set(folded).difference(_STOP) if len(w) > 2}


def card_quality(
    rep: Reporter,
    path: KeyPath,
    card: str | None,
    kind: str | None,
    fields: dict[str, str],
    max_back_words: int = MAX_BACK_WORDS,
) -> None:
    """Every per-card quality warning for one card; `fields` holds its usable string fields."""
    front, back, source = fields.get("front"), fields.get("back"), fields.get("source")
    for key, value in fields.items():
        scaffold_text(rep, (*path, key), value, card)
    if back is not None:
        long_back(rep, (*path, "back"), back, card, max_back_words)
        list_back(rep, (*path, "back"), back, card)
    if front is not None and back is not None and kind != "misreading":
        answer_words(rep, (*path, "front"), front, back, card)
    if kind == "misreading":
        if front is not None:
            question_in_misreading(rep, (*path, "front"), front, card)
        if back is not None and len(_words(back)) < MIN_CORRECTION_WORDS:
            msg = (
                f"a misreading's back of {plural(len(_words(back)), 'word')} cannot correct much; "
                "say what the paper shows instead, and where"
            )
            rep.warn("short-correction", msg, rep.at((*path, "back")), card)
    precise = source is None or not source.strip() or _POINTER.search(source) is not None
    if kind in ("limitation", "misreading") and not precise:
        msg = (
            f"source {source!r} names no section, figure, table or footnote; "
            "point to one (e.g. '§4.2', 'Figure 3', 'footnote 12') so a learner can check"
        )
        rep.warn("vague-source", msg, rep.at((*path, "source")), card)


def scaffold_text(rep: Reporter, path: KeyPath, value: str, card: str | None) -> None:
    """`scaffold-text`: placeholder text of `srs deck new` left in a value."""
    for marker in SCAFFOLD_MARKERS:
        index = value.find(marker)
        if index >= 0:
            msg = f"placeholder text from `srs deck new` ({marker!r}...); write the real text"
            rep.warn("scaffold-text", msg, rep.char_at(path, value, index), card)
            return


def long_back(rep: Reporter, path: KeyPath, back: str, card: str | None, limit: int) -> None:
    """`long-back`: a back over the word limit."""
    count = len(_words(back))
    if count > limit:
        msg = (
            f"back has {plural(count, 'word')} (over {limit}); a card should ask one thing: "
            "split it into cards or cut it to the fact asked for"
        )
        rep.warn("long-back", msg, rep.at(path), card)


def list_items(back: str) -> int:
    """How many items the back lists: Markdown list lines, (1) (2)... marks, or a series."""
    best = len(_LIST_LINE.findall(back))
    if ")" in back:  # each mark has one; the test is far cheaper than the search
        best = max(best, len({int(a or b) for a, b in _NUMBER_MARK.findall(back)}))
    for sentence in _SENTENCE.split(back):
        if _SERIES_END.search(sentence):  # a series ends in one of them
            best = max(best, _series(sentence))
    return best


def _series(sentence: str) -> int:
    """Items of the longest "a, b, c and d" series in a sentence: short items, comma-separated,
    the last joined by "and" or "or"."""
    best = run = 0
    for segment in re.split(r"[,;]", sentence):
        seg = segment.strip()
        n = len(_words(seg))
        joined = re.match(r"(?:and|or)\s", seg) is not None
        inner = re.search(r"\s(?:and|or)\s", seg) is not None and not joined
        if n == 0 or n > _SERIES_ITEM_WORDS + (2 if joined or inner else 0):
            run = 0
            continue
        run += 1
        if joined or inner:
            best = max(best, run + (1 if inner else 0))
            run = 0
    return best


def list_back(rep: Reporter, path: KeyPath, back: str, card: str | None) -> None:
    """`list-back`: a back enumerating more than a few items."""
    count = list_items(back)
    if count > MAX_LIST_ITEMS:
        msg = (
            f"back lists {count} items; a list is hard to recall whole: "
            "make one card per item, or ask for one item at a time"
        )
        rep.warn("list-back", msg, rep.at(path), card)


def answer_words(rep: Reporter, path: KeyPath, front: str, back: str, card: str | None) -> None:
    """`answer-words`: the front holds most key words of the back's first clause."""
    first = _CLAUSE_END.split(back.strip(), maxsplit=1)[0]
    keys = key_words(first)
    if len(keys) < 2:
        return
    shown = keys & key_words(front)
    if len(shown) / len(keys) < GIVEAWAY_SHARE:
        return
    index = min(
        (m.start() for m in (_find_word(front, w) for w in shown) if m is not None), default=0
    )
    listed = ", ".join(repr(w) for w in sorted(shown))
    msg = (
        f"front already holds the key words of its answer ({listed}); "
        "ask without naming them, so the learner has to recall them"
    )
    rep.warn("answer-words", msg, rep.char_at(path, front, index), card)


def _find_word(text: str, word: str) -> re.Match[str] | None:
    return re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text, re.IGNORECASE)


def question_in_misreading(rep: Reporter, path: KeyPath, front: str, card: str | None) -> None:
    """`question-in-misreading`: the front asks "what is wrong", which the renderer already asks."""
    m = _QUESTION.search(front)
    if m:
        msg = (
            "a misreading front holds the claim only: the question "
            "('What is wrong with this reading?') is added when the card is shown; remove it"
        )
        rep.warn("question-in-misreading", msg, rep.char_at(path, front, m.start()), card)


def similar_backs(rep: Reporter, backs: Sequence[Back]) -> None:
    """`similar-back`: a back nearly the same as an earlier card's, reported at the later one.

    A deck of thousands of cards is not compared pair by pair. Candidates come from the PPJoin
    filters (Xiao et al., "Efficient similarity joins for near duplicate detection", WWW 2008):
    backs are taken by size, their key words in one global order, rarest first; two sets with a
    Jaccard index of `SIMILAR_JACCARD` or more must share a word among the first few of each, at
    positions that leave room for enough overlap. Each candidate is then confirmed by Jaccard or
    by `difflib`'s ratio. Backs of fewer than three key words are never compared.

    A word in more than `COMMON_BACKS` backs is left out of the search (it still counts when a
    candidate is confirmed): it cannot tell backs apart, and in a large deck drawn from a small
    vocabulary it made every pair a candidate (ten minutes on 10k cards). So the search is exact
    for decks of up to `COMMON_BACKS` cards; in larger ones, backs alike only in their common
    words are not reported. Each word then lists at most `COMMON_BACKS` backs, which bounds the
    work by the number of cards times that.
    """
    t = SIMILAR_JACCARD
    sets: list[set[str]] = []
    normal: list[str] = []  # each back's words, case-folded, one space apart
    for back in backs:
        if back.folded is None or back.keys is None:
            folded = _words(back.text.casefold())  # once a back: it is the costly part
            sets.append(_key_words_of(folded))
            normal.append(" ".join(folded))
        else:  # kept from an earlier check (`cardcheck`)
            sets.append(set(back.keys.split(" ")) if back.keys else set())
            normal.append(back.folded)
    freq = Counter(w for s in sets for w in s)
    partner: dict[int, int] = {}  # a back -> the first earlier back found nearly the same
    exact: dict[str, int] = {}
    for i, text in enumerate(normal):
        first = exact.setdefault(text, i) if text.count(" ") >= 2 else i
        if first != i:
            partner[i] = first
    # Rarest first, so a back's searched words (the uncommon ones) are a prefix of its order.
    rank = {w: r for r, w in enumerate(sorted(freq, key=lambda w: (freq[w], w)))}
    ordered = [sorted(s, key=rank.__getitem__) for s in sets]
    sizes = [sum(1 for w in order if freq[w] <= COMMON_BACKS) for order in ordered]
    index: dict[str, list[tuple[int, int]]] = {}  # word -> (back, position in its order)
    for i in sorted(range(len(backs)), key=lambda k: (sizes[k], k)):
        size = sizes[i]
        if len(sets[i]) < 3 or size == 0:
            continue
        probe = ordered[i][: size - math.ceil(t * size) + 1]
        for j in _candidates(probe, size, index, sizes):
            later, earlier = max(i, j), min(i, j)
            if partner.get(later, later) > earlier and _similar(
                sets[i], sets[j], normal[i], normal[j]
            ):
                partner[later] = earlier
        # Every later back is at least this big, so a shorter prefix is enough to be found.
        for position, w in enumerate(ordered[i][: size - math.ceil(2 * t / (1 + t) * size) + 1]):
            index.setdefault(w, []).append((i, position))
    for later in sorted(partner):
        other = backs[partner[later]]
        name = f"card {other.card_id!r}" if other.card_id else "another card"
        msg = (
            f"back is nearly the same as the back of {name} (line {other.line}); "
            "teach each fact once: merge the cards or make each ask something different"
        )
        rep.warn("similar-back", msg, rep.at(backs[later].path), backs[later].card_id)


def _candidates(
    prefix: list[str], size: int, index: dict[str, list[tuple[int, int]]], sizes: list[int]
) -> list[int]:
    """Backs already indexed that may reach the Jaccard threshold with this one."""
    t = SIMILAR_JACCARD
    share = t / (1 + t)  # Jaccard t needs an overlap of at least share * (size + other)
    low, high = t * size, size / t
    overlap: dict[int, int] = {}  # back -> prefix words shared so far; -1 once ruled out
    for p, w in enumerate(prefix):
        rest = size - p - 1  # words after this one in this back
        for j, q in index.get(w, ()):
            shared = overlap.get(j, 0)
            if shared < 0:
                continue
            other = sizes[j]
            room = min(rest, other - q - 1)
            fits = low <= other <= high and shared + 1 + room >= share * (size + other)
            overlap[j] = shared + 1 if fits else -1
    return sorted(j for j, shared in overlap.items() if shared > 0)


def _similar(a: set[str], b: set[str], text_a: str, text_b: str) -> bool:
    common = len(a & b)
    jaccard = common / (len(a) + len(b) - common)
    if jaccard >= SIMILAR_JACCARD:
        return True
    if jaccard < SIMILAR_JACCARD / 2:  # too few words in common for the texts to be alike
        return False
    matcher = difflib.SequenceMatcher(
        None, text_a[:SIMILAR_PREFIX], text_b[:SIMILAR_PREFIX], autojunk=False
    )
    return matcher.real_quick_ratio() >= SIMILAR_RATIO and matcher.ratio() >= SIMILAR_RATIO
