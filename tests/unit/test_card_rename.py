"""Renaming a card (`was = ["old-id"]`): the deck check of former ids, and a load that renames the
stored card in place, so every learner's state, log and suspension stay with it."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from factories import card, deck
from helpers import SMALL_DECK, run_srs, srs_env
from srs.core.deckfile import check_deck, parse_deck
from srs.core.errors import UnknownCardError
from srs.store import Store

DAY1 = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY2 = datetime(2026, 3, 3, 9, tzinfo=UTC)
RENAMED_DECK = SMALL_DECK.replace('id = "alpha"', 'id = "first"\nwas = ["alpha"]')


def problems(text: str) -> list[str]:
    return [d.format() for d in check_deck(text, "d.toml") if d.severity == "error"]


def test_a_card_with_former_ids_reads_them_in_order() -> None:
    text = SMALL_DECK.replace('id = "alpha"', 'id = "first"\nwas = ["alpha", "a"]')
    assert problems(text) == []
    assert parse_deck(text).cards[0].was == ("alpha", "a")
    assert parse_deck(SMALL_DECK).cards[0].was == ()


def test_deck_check_refuses_a_former_id_that_is_a_current_card_id_at_its_place() -> None:
    text = SMALL_DECK.replace('id = "alpha"', 'id = "alpha"\nwas = ["beta", "alpha"]')
    assert problems(text) == [
        "d.toml:8:8: error: former id 'beta' is the id of a card at line 15; a former id must "
        "name no current card (card 'alpha') [former-id-in-use]",
        "d.toml:8:16: error: former id 'alpha' is this card's own id; a former id must name no "
        "current card (card 'alpha') [former-id-in-use]",
    ]


def test_deck_check_refuses_a_former_id_given_by_two_cards() -> None:
    text = SMALL_DECK.replace('id = "alpha"', 'id = "alpha"\nwas = ["old"]')
    text = text.replace('id = "beta"', 'id = "beta"\nwas = ["other", "old"]')
    assert problems(text) == [
        "d.toml:16:17: error: former id 'old' is already given by card 'alpha' at line 8; a "
        "former id belongs to one card (card 'beta') [duplicate-former-id]"
    ]


@pytest.mark.parametrize(
    ("was", "message"),
    [
        ('"alpha-old"', "'was' must be an array of former card ids, not a string"),
        ('["Old Alpha"]', "former id 'Old Alpha' is not a slug"),
        ("[3]", "each former id in 'was' must be a string, not an integer"),
        ('["old", "old"]', "former id 'old' is given twice in 'was'"),
    ],
)
def test_deck_check_refuses_former_ids_that_are_not_ids(was: str, message: str) -> None:
    text = SMALL_DECK.replace('id = "alpha"', f'id = "first"\nwas = {was}')
    (problem,) = problems(text)
    assert problem.startswith("d.toml:8:") and message in problem


def test_loading_a_renamed_card_keeps_its_row_state_log_and_suspension(store: Store) -> None:
    store.content.load_deck(deck("d", "alpha", "beta"), DAY1)
    pk = store.content.find_card("d/alpha").pk
    store.study.record_answer(pk, 5, DAY1, DAY1.date())
    store.setaside.suspend(pk, DAY1)
    state, log = store.study.state(pk), store.study.log_for_card(pk)

    moved = deck("d", replace(card("first", back="edited back"), was=("alpha",)), "beta")
    report = store.content.load_deck(moved, DAY2)

    assert (report.renamed, report.added, report.retired, report.updated) == (1, 0, 0, 0)
    stored = store.content.find_card("d/first")
    assert stored.pk == pk and stored.card.back == "edited back" and stored.card.was == ("alpha",)
    assert stored.edited_at == DAY2  # an edit for Anki: the note's card id changes
    assert store.study.state(pk) == state
    assert [(r.id, r.grade, r.card_id) for r in store.study.log_for_card(pk)] == [
        (r.id, r.grade, "first") for r in log
    ]
    assert store.setaside.is_suspended(pk)
    with pytest.raises(UnknownCardError):
        store.content.find_card("d/alpha")
    again = store.content.load_deck(moved, DAY2)  # the same file again: nothing to rename
    assert (again.renamed, again.unchanged) == (0, 2)


def test_a_retired_card_comes_back_renamed_with_its_progress(store: Store) -> None:
    store.content.load_deck(deck("d", "alpha", "beta"), DAY1)
    pk = store.content.find_card("d/alpha").pk
    store.study.record_answer(pk, 4, DAY1, DAY1.date())
    assert store.content.load_deck(deck("d", "beta"), DAY1).retired == 1
    back = replace(card("first"), was=("gone", "alpha"))
    report = store.content.load_deck(deck("d", back, "beta"), DAY2)
    assert (report.renamed, report.restored, report.added) == (1, 0, 0)
    stored = store.content.find_card("d/first")
    assert stored.pk == pk and not stored.retired
    assert len(store.study.log_for_card(pk)) == 1


def test_a_former_id_still_used_by_a_card_of_the_deck_is_not_taken(store: Store) -> None:
    store.content.load_deck(deck("d", "alpha"), DAY1)
    pk = store.content.find_card("d/alpha").pk
    report = store.content.load_deck(
        deck("d", "alpha", replace(card("first"), was=("alpha",))), DAY2
    )
    assert (report.renamed, report.added, report.unchanged) == (0, 1, 1)
    assert store.content.find_card("d/alpha").pk == pk


def test_renaming_a_cloze_card_keeps_each_items_progress(store: Store) -> None:
    cloze = """[deck]\nid = "c"\ntitle = "C"\n\n[[card]]\nid = "{id}"\n{was}kind = "finding"
cloze = "{{{{c1::Backdoors}}}} persist through {{{{c2::safety training}}}}."\nsource = "§1"\n"""
    old = parse_deck(cloze.format(id="persist", was=""))
    new = parse_deck(cloze.format(id="backdoors-persist", was='was = ["persist"]\n'))
    store.content.load_deck(old, DAY1)
    pks = [store.content.find_card(f"c/persist#c{n}").pk for n in (1, 2)]
    report = store.content.load_deck(new, DAY2)
    assert report.renamed == 2
    assert [store.content.find_card(f"c/backdoors-persist#c{n}").pk for n in (1, 2)] == pks


def test_deck_add_says_renamed_and_history_shows_the_answers_given_under_the_old_id(
    tmp_path: Path,
) -> None:
    db, path = tmp_path / "srs.db", tmp_path / "tiny.toml"
    env = srs_env(db, "2026-03-02T09:00:00+00:00")
    path.write_text(SMALL_DECK, encoding="utf-8")
    assert run_srs(["deck", "add", str(path)], env).returncode == 0
    store = Store.open(f"sqlite:///{db}")
    pk = store.content.find_card("tiny/alpha").pk
    store.study.record_answer(pk, 5, DAY1, DAY1.date())
    store.close()

    path.write_text(RENAMED_DECK, encoding="utf-8")
    added = run_srs(["deck", "add", str(path)], env)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == (
        "updated deck tiny: 0 added, 0 updated, 0 retired, 0 restored, 2 unchanged; renamed 1 card"
    )
    history = run_srs(["history", "first", "--json"], env)
    assert history.returncode == 0, history.stderr
    shown = json.loads(history.stdout)
    assert shown["card"]["id"] == "first" and [a["grade"] for a in shown["log"]] == [5]


def test_a_version_14_collection_gains_former_ids_and_its_cards_can_be_renamed(db: Path) -> None:
    store = Store.open(f"sqlite:///{db}", str(db))
    store.content.load_deck(deck("d", "alpha"), DAY1)
    pk = store.content.find_card("d/alpha").pk
    store.study.record_answer(pk, 5, DAY1, DAY1.date())
    store.close()
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE cards DROP COLUMN was")
    con.execute("UPDATE meta SET value = '14' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    opened = Store.open(f"sqlite:///{db}", str(db))
    assert opened.content.find_card("d/alpha").card.was == ()
    report = opened.content.load_deck(deck("d", replace(card("first"), was=("alpha",))), DAY2)
    assert report.renamed == 1 and opened.content.find_card("d/first").pk == pk
    assert len(opened.study.log_for_card(pk)) == 1
    opened.close()


def test_a_renamed_card_exported_and_imported_back_keeps_its_anki_note(tmp_path: Path) -> None:
    import genanki

    env = srs_env(tmp_path / "srs.db", "2026-03-02T09:00:00+00:00")
    path, apkg, back = tmp_path / "tiny.toml", tmp_path / "t.apkg", tmp_path / "back.toml"
    path.write_text(SMALL_DECK, encoding="utf-8")
    assert run_srs(["deck", "add", str(path)], env).returncode == 0
    path.write_text(RENAMED_DECK, encoding="utf-8")
    assert run_srs(["deck", "add", str(path)], env).returncode == 0
    assert run_srs(["export", "anki", "tiny", "-o", str(apkg)], env).returncode == 0
    done = run_srs(["import", "anki", str(apkg), "-o", str(back)], env)
    assert done.returncode == 0, done.stderr
    first = next(c for c in parse_deck(back.read_text("utf-8")).cards if c.id == "first")
    assert first.guid == genanki.guid_for("tiny", "alpha")  # the note it had before the rename
