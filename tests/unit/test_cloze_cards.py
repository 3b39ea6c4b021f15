"""Cloze cards: read from a deck file, checked at line and column, expanded into one item per
deletion (`CARD_ID#c1`), stored and scheduled as items, and shown through the faces."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from srs.core import cloze
from srs.core.deckfile import check_deck, parse_deck
from srs.core.faces import faces
from srs.store import Store

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
TEXT = "Safety training {{c1::did not remove}} the backdoor in the {{c2::largest::size}} models."
HEAD = '[deck]\nid = "demo"\ntitle = "Demo"\n\n'  # the first card header is line 5


def deck_with(body: str) -> str:
    return HEAD + '[[card]]\nid = "sleeper"\nkind = "finding"\nsource = "§4"\n' + body


GOOD = deck_with(f'cloze = "{TEXT}"\nextra = "Hubinger et al. (2024)"\n')


def errors(text: str) -> list[tuple[int, int, str]]:
    return [(d.line, d.col, d.code) for d in check_deck(text, "t") if d.severity == "error"]


def test_a_cloze_card_becomes_one_item_per_deletion_number() -> None:
    items = parse_deck(GOOD).cards
    assert [c.id for c in items] == ["sleeper#c1", "sleeper#c2"]
    assert [c.deletion for c in items] == [1, 2]
    assert all(c.cloze == TEXT and c.extra == "Hubinger et al. (2024)" for c in items)


def test_an_item_asks_its_deletion_as_a_blank_or_its_hint_and_shows_the_others() -> None:
    first, second = (faces(c) for c in parse_deck(GOOD).cards)
    assert first.prompt == "Safety training [...] the backdoor in the largest models."
    assert second.prompt == "Safety training did not remove the backdoor in the [size] models."
    assert first.answer.startswith("Safety training **did not remove** the backdoor")
    assert first.answer.endswith("\n\nHubinger et al. (2024)")
    assert first.ask == ""


def test_a_deletion_used_twice_is_one_item_asking_both_places() -> None:
    (item,) = parse_deck(deck_with('cloze = "{{c1::A}} and {{c1::B}}"\n')).cards
    assert faces(item).prompt == "[...] and [...]"


def test_a_blank_before_a_colon_is_never_read_as_a_link_definition() -> None:
    assert cloze.prompt("{{c1::Term}}: its meaning", 1) == "[...\\]: its meaning"


def test_a_cloze_with_no_deletion_is_an_error_at_its_value() -> None:
    assert errors(deck_with('cloze = "no deletion here"\n')) == [(9, 9, "no-deletion")]


def test_an_opening_that_never_closes_is_an_error_at_its_braces() -> None:
    assert errors(deck_with('cloze = "open {{c1::never"\n')) == [(9, 15, "bad-cloze")]


def test_cloze_beside_front_is_an_error_at_the_front_key() -> None:
    found = errors(deck_with(f'cloze = "{TEXT}"\nfront = "x"\n'))
    assert found == [(10, 1, "cloze-and-front")]


def test_extra_without_cloze_is_an_error() -> None:
    text = deck_with('front = "Q?"\nback = "A."\nextra = "x"\n')
    assert errors(text) == [(11, 1, "cloze-and-front")]


@pytest.mark.parametrize(
    ("value", "col"),
    [
        ("{{c0::a}}", 10),  # numbers start at 1
        ("{{c101::a}}", 10),  # past cloze.MAX_DELETION
        ("{{c1:a}}", 10),  # one colon
        ("{{c::a}}", 10),  # no number
        ("{{c1::}}", 10),  # nothing to recall
        ("{{c1::a {{c2::b}} c}}", 18),  # a deletion inside another: at the inner one
    ],
)
def test_each_malformed_deletion_is_an_error_at_its_column(value: str, col: int) -> None:
    assert errors(deck_with(f'cloze = "{value}"\n')) == [(9, col, "bad-cloze")]


def test_the_checker_reads_a_hostile_cloze_in_linear_time() -> None:
    # a bound on work, not on time: 200,000 openings, each looked at once
    text = "{{c1::" + "::" * 100_000 + "{{c9999999999999999" * 100_000
    assert cloze.numbers(text) == ()
    found = check_deck(deck_with(f'cloze = "{text}"\n'), "t")
    assert any(d.code == "bad-cloze" for d in found)


def test_a_cloze_card_id_leaves_room_for_its_items_ids() -> None:
    long_id = "a" * 199
    text = HEAD + f'[[card]]\nid = "{long_id}"\nkind = "finding"\ncloze = "{{{{c1::x}}}}"\n'
    assert ("bad-id" in {d.code for d in check_deck(text, "t")}) is True


def test_items_are_stored_and_scheduled_each_as_their_own_row(store: Store, db: Path) -> None:
    store.content.load_deck(parse_deck(GOOD), NOW)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT card_id, deletion, cloze, front_html FROM cards").fetchall()
    con.close()
    assert [(r[0], r[1]) for r in rows] == [("sleeper#c1", 1), ("sleeper#c2", 2)]
    assert rows[0][2] == TEXT
    assert "{{c1::did not remove}}" in rows[0][3] and "{{c2::largest::size}}" in rows[0][3]
    stored = store.content.find_card("demo/sleeper#c2")
    assert stored.card.deletion == 2 and stored.card.cloze == TEXT
    assert faces(stored.card).prompt.endswith("the [size] models.")


def test_editing_the_cloze_text_is_an_edit_of_every_item(store: Store) -> None:
    store.content.load_deck(parse_deck(GOOD), NOW)
    edited = GOOD.replace("the backdoor", "the hidden backdoor")
    report = store.content.load_deck(parse_deck(edited), NOW)
    assert report.updated == 2


def test_removing_a_deletion_retires_its_item_only(store: Store) -> None:
    store.content.load_deck(parse_deck(GOOD), NOW)
    fewer = GOOD.replace("{{c2::largest::size}}", "largest")
    report = store.content.load_deck(parse_deck(fewer), NOW)
    assert report.retired == 1
    assert store.content.find_card("demo/sleeper#c2").retired


def test_a_version_13_collection_gains_the_cloze_columns(db: Path) -> None:
    Store.open(f"sqlite:///{db}", str(db)).close()
    con = sqlite3.connect(db)
    for column in ("cloze", "extra", "deletion"):
        con.execute(f"ALTER TABLE cards DROP COLUMN {column}")
    con.execute("UPDATE meta SET value = '13' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    opened = Store.open(f"sqlite:///{db}", str(db))
    opened.content.load_deck(parse_deck(GOOD), NOW)
    assert opened.content.find_card("demo/sleeper#c1").card.deletion == 1
    opened.close()


def test_a_deck_using_math_figures_and_cloze_passes_deck_check(tmp_path: Path) -> None:
    from math_deck import write_math_deck
    from srs.core.deckfile import analyse_deck

    path = write_math_deck(tmp_path)
    text = path.read_text(encoding="utf-8") + (
        '\n[[card]]\nid = "persists"\nkind = "finding"\nsource = "§4"\n'
        "cloze = 'Training {{c1::did not remove}} $\\alpha^2$ ![Loss](figures/fig3.png)'\n"
    )
    found = analyse_deck(text, str(path), folder=tmp_path)
    assert found.errors == () and found.deck is not None
    assert [c.id for c in found.deck.cards][-1] == "persists#c1"
