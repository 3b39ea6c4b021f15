"""Card-quality warnings: each at an exact line and column, with a fix hint, never an error."""

from __future__ import annotations

import random
from typing import Any

import pytest

from srs.authoring import scaffold_deck
from srs.core.deckfile import MAX_BACK_WORDS, QUALITY_CODES, check_deck, parse_deck
from srs.core.deckfile import quality as quality_module
from srs.core.deckfile.quality import (
    COMMON_BACKS,
    SCAFFOLD_MARKERS,
    Back,
    list_items,
    similar_backs,
    words,
)
from srs.core.deckfile.scanner import KeyPath

HEAD = '[deck]\nid = "demo"\ntitle = "Demo"\n\n'  # 4 lines: the first card header is line 5
CORRECTION = "The paper shows this only for the largest models it trained (§4.3)."


def card(kind: str, front: str, back: str, source: str = "§4.2", cid: str = "c1") -> str:
    """One [[card]] table: header, id, kind, front, back, source on consecutive lines."""
    return (
        f'[[card]]\nid = "{cid}"\nkind = "{kind}"\nfront = "{front}"\nback = "{back}"\n'
        f'source = "{source}"\n\n'
    )


def deck(*cards: str) -> str:
    """A deck whose first card header is line 5, front line 8, back line 9, source line 10."""
    return HEAD + "".join(cards)


def quality(text: str, **kw: int) -> list[tuple[str, int, int, str | None]]:
    """(code, line, col, card) of every quality warning."""
    return [
        (d.code, d.line, d.col, d.card_id)
        for d in check_deck(text, "t.toml", **kw)
        if d.code in QUALITY_CODES
    ]


def messages(text: str, code: str) -> list[str]:
    return [d.message for d in check_deck(text, "t.toml") if d.code == code]


def test_back_over_the_word_limit_is_warned_at_the_back_and_the_limit_is_settable() -> None:
    at_limit = " ".join(["fact"] * MAX_BACK_WORDS)
    assert quality(deck(card("finding", "Q?", at_limit))) == []
    over = deck(card("finding", "Q?", at_limit + " more"))
    assert quality(over) == [("long-back", 9, 8, "c1")]
    assert "61 words (over 60)" in messages(over, "long-back")[0]
    assert "split it" in messages(over, "long-back")[0]
    assert quality(deck(card("finding", "Q?", "one two three")), max_back_words=2) == [
        ("long-back", 9, 8, "c1")
    ]


def test_words_are_counted_as_a_reader_counts_them() -> None:
    assert len(words("**Bold** text — with `code`, (§4.2) and 55%.")) == 7


def test_a_back_listing_more_than_three_items_is_warned() -> None:
    series = "Accuracy, speed, memory use and cost."
    assert quality(deck(card("finding", "Q?", series))) == [("list-back", 9, 8, "c1")]
    assert "4 items" in messages(deck(card("finding", "Q?", series)), "list-back")[0]
    three = "Accuracy, speed and cost."
    assert quality(deck(card("finding", "Q?", three))) == []


@pytest.mark.parametrize(
    "back, items",
    [
        ("- one\n- two\n- three\n- four\n", 4),
        ("1. one\n2. two\n3. three\n", 3),
        ("(1) SFT, (2) RL, (3) adversarial training and (4) honeypots.", 4),
        ("A, B, C, D, or E.", 5),
        ("In 2024, after RL fine-tuning with the preference model, the rate stayed near 55%.", 0),
        ("The model, trained with SFT on filtered data, wrote secure code.", 0),
    ],
)
def test_list_items_counts_markdown_lists_numbered_marks_and_series(back: str, items: int) -> None:
    assert list_items(back) == items


def test_two_cards_with_nearly_the_same_back_are_warned_at_the_later_one() -> None:
    back_a = "Adversarial training taught the models to hide the backdoor rather than remove it."
    back_b = "Adversarial training taught models to hide their backdoor rather than remove it."
    text = deck(card("finding", "Q1?", back_a), card("finding", "Q2?", back_b, cid="c2"))
    assert quality(text) == [("similar-back", 16, 8, "c2")]
    (msg,) = messages(text, "similar-back")
    assert "card 'c1' (line 5)" in msg and "merge" in msg


def test_different_backs_sharing_a_few_words_are_not_similar() -> None:
    back_a = "Adversarial training taught the models to hide the backdoor rather than remove it."
    back_b = "Supervised fine-tuning removed the backdoor from the smallest models only."
    text = deck(card("finding", "Q1?", back_a), card("finding", "Q2?", back_b, cid="c2"))
    assert quality(text) == []


def test_short_identical_backs_are_not_similar_but_longer_identical_ones_are() -> None:
    yes = deck(card("finding", "Q1?", "Yes."), card("finding", "Q2?", "Yes.", cid="c2"))
    assert quality(yes) == []
    same = "About 55 percent in 2024."
    text = deck(card("finding", "Q1?", same), card("finding", "Q2?", same, cid="c2"))
    assert quality(text) == [("similar-back", 16, 8, "c2")]


class Collected:
    """The smallest `Reporter`: each path's position is its card index, warnings are kept."""

    def __init__(self) -> None:
        self.warnings: list[tuple[str, str | None]] = []

    def at(self, path: KeyPath, part: str = "value") -> tuple[int, int]:
        return (int(path[1]), 1)

    def char_at(self, path: KeyPath, value: str, index: int) -> tuple[int, int]:
        return self.at(path)

    def warn(self, code: str, msg: str, where: tuple[int, int], card: str | None = None) -> None:
        self.warnings.append((code, card))


def test_similar_backs_of_a_large_deck_are_found_without_comparing_every_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(17)
    vocabulary = [f"word{i}" for i in range(3000)]
    texts = [" ".join(rng.sample(vocabulary, 10)) + " and the result." for _ in range(5000)]
    backs = [Back(f"c{i}", text, ("card", i), i) for i, text in enumerate(texts)]
    backs.append(Back("dup", texts[7].replace("result", "outcome"), ("card", 5000), 5000))
    compared: list[int] = []  # a bound on work, not on time: the pairs confirmed one by one

    def counted(*pair: Any) -> bool:
        compared.append(1)
        return bool(similar(*pair))

    similar = quality_module._similar
    monkeypatch.setattr(quality_module, "_similar", counted)
    rep = Collected()
    similar_backs(rep, backs)
    # Pair by pair, with difflib, would be 5001 * 5000 / 2 = 12.5 million comparisons (minutes);
    # the search promises at most `COMMON_BACKS` candidates a card (about 98k here).
    assert len(compared) <= len(backs) * COMMON_BACKS
    assert rep.warnings == [("similar-back", "dup")]


def test_front_holding_the_key_words_of_its_back_is_warned_at_the_first_of_them() -> None:
    text = deck(card("finding", "Was the RL done with PPO or with DPO?", "PPO, not DPO."))
    assert quality(text) == [("answer-words", 8, 31, "c1")]
    (msg,) = messages(text, "answer-words")
    assert "'dpo', 'ppo'" in msg and "ask without naming them" in msg


def test_a_front_sharing_only_some_key_words_is_fine_and_misreadings_are_exempt() -> None:
    back = "Proximal policy optimisation, with a preference model as the reward."
    assert quality(deck(card("finding", "Which policy algorithm was used?", back))) == []
    claim = "“The RL used DPO, not PPO.”"
    assert (
        quality(deck(card("misreading", claim, "PPO, not DPO: §4.1 says so plainly, twice."))) == []
    )


def test_scaffold_text_left_in_a_deck_is_warned_where_it_starts() -> None:
    text = deck(card("finding", "Q?", "Well. Replace this with the result."))
    assert quality(text) == [("scaffold-text", 9, 15, "c1")]
    head = '[deck]\nid = "d"\ntitle = "T"\nsource = "Authors (year). Title of the paper."\n'
    assert [(c, line, col) for c, line, col, _ in quality(head)] == [("scaffold-text", 4, 11)]


def test_every_scaffold_marker_is_text_that_deck_new_writes() -> None:
    scaffold = scaffold_deck("x")
    assert all(marker in scaffold for marker in SCAFFOLD_MARKERS)
    assert {d.code for d in check_deck(scaffold, "x.toml")} == {"scaffold-text"}


def test_a_misreading_back_too_short_to_correct_is_warned() -> None:
    text = deck(card("misreading", "“It always works.”", "It is wrong (§4.3)."))
    assert quality(text) == [("short-correction", 9, 8, "c1")]
    assert quality(deck(card("misreading", "“It always works.”", CORRECTION))) == []
    assert quality(deck(card("finding", "What did it show?", "It works (§4.3)."))) == []


def test_limitation_and_misreading_need_a_precise_source() -> None:
    text = deck(card("limitation", "What was not tested?", "Larger triggers.", source="Discussion"))
    assert quality(text) == [("vague-source", 10, 10, "c1")]
    assert "'§4.2', 'Figure 3', 'footnote 12'" in messages(text, "vague-source")[0]
    misreading = deck(card("misreading", "“It always works.”", CORRECTION, source="the paper"))
    assert quality(misreading) == [("vague-source", 10, 10, "c1")]
    assert quality(deck(card("finding", "What did it find?", "X.", source="Abstract"))) == []


@pytest.mark.parametrize(
    "source",
    [
        "§4.2",
        "Section 6 (Limitations)",
        "Fig. 7",
        "Figure 11",
        "Figs. 19, 20",
        "Table 1",
        "footnote 26",
        "fn 21",
        "Appendix B",
    ],
)
def test_precise_sources(source: str) -> None:
    text = deck(card("limitation", "What was not tested?", "Larger triggers.", source=source))
    assert quality(text) == []


def test_misreading_front_asking_what_is_wrong_is_warned_at_the_question() -> None:
    front = "“It always works.” What is wrong with this reading?"
    text = deck(card("misreading", front, CORRECTION))
    assert quality(text) == [("question-in-misreading", 8, 29, "c1")]
    assert "remove it" in messages(text, "question-in-misreading")[0]
    for asked in ("“X.” What's wrong with that claim?", "“X.” What is the error in this?"):
        assert quality(deck(card("misreading", asked, CORRECTION)))[0][0] == (
            "question-in-misreading"
        )
    plain = "“Nothing is wrong with the training data.”"
    assert quality(deck(card("misreading", plain, CORRECTION))) == []


def test_quality_warnings_never_fail_a_deck() -> None:
    front = "“It always works.” What is wrong with this reading?"
    text = deck(card("misreading", front, "No.", source="the paper"))
    assert {d.severity for d in check_deck(text, "t.toml")} == {"warning"}
    assert parse_deck(text).cards[0].id == "c1"


def test_a_one_word_correction_is_counted_in_the_singular() -> None:
    text = deck(card("misreading", "\u201cIt always works.\u201d", "No."))
    (message,) = messages(text, "short-correction")
    assert "back of 1 word " in message
