"""The collection store (`srs.store.Store`) on real SQLite files in a temporary folder.

The files are inspected with the standard `sqlite3` module, not through the store, so the tests see
what is really on disk.
"""

from __future__ import annotations

import os
import random
import sqlite3
import stat
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from factories import card, deck, pk_of
from srs.config import sqlite_url
from srs.core.errors import SchemaTooNewError, StoreError, UnknownCardError
from srs.core.model import NEW_STATE, Card, Kind, LoadReport, ReviewKind
from srs.core.scheduling import sm2
from srs.core.scheduling.rule import AnswerPolicy
from srs.core.scheduling.sm2 import SM2
from srs.store import SCHEMA_VERSION, Store

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
D0 = date(2024, 3, 1)


def day(k: int) -> date:
    return D0 + timedelta(days=k)


def at(k: int, hour: int = 9) -> datetime:
    return T0 + timedelta(days=k, hours=hour - 9)


def open_store(path: Path, learner: str = "default") -> Store:
    return Store.open(sqlite_url(path), label=str(path), learner=learner)


def query(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def table(path: Path, name: str) -> list[tuple[object, ...]]:
    return sorted(query(path, f"SELECT * FROM {name}"), key=repr)


# ---- opening -------------------------------------------------------------------------------


def test_the_database_is_created_on_first_use_with_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "srs.db"
    s = open_store(path)
    s.close()
    assert path.is_file()
    names = {r[0] for r in query(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"meta", "decks", "cards", "card_state", "review_log"} <= names


def test_the_database_is_in_wal_mode(store: Store, db: Path) -> None:
    assert query(db, "PRAGMA journal_mode") == [("wal",)]


def test_the_schema_version_is_recorded_in_meta(store: Store, db: Path) -> None:
    assert query(db, "SELECT value FROM meta WHERE key='schema_version'") == [
        (str(SCHEMA_VERSION),)
    ]
    assert store.get_meta("schema_version") == str(SCHEMA_VERSION)


def test_reopening_keeps_the_data(db: Path) -> None:
    s = open_store(db)
    s.content.load_deck(deck("paper", card("a")), T0)
    s.set_meta("flag", "yes")
    s.close()
    again = open_store(db)
    assert [c.card.id for c in again.content.cards()] == ["a"]
    assert again.get_meta("flag") == "yes"
    again.close()


def test_a_database_from_a_newer_srs_is_refused_and_left_byte_for_byte(db: Path) -> None:
    open_store(db).close()
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.close()  # the last connection checkpoints the WAL into the file and removes it
    before = db.read_bytes()
    with pytest.raises(SchemaTooNewError) as info:
        open_store(db)
    assert str(db) in str(info.value)
    assert f"version {SCHEMA_VERSION + 1}" in str(info.value)
    assert isinstance(info.value, StoreError)
    assert db.read_bytes() == before
    assert query(db, "SELECT value FROM meta WHERE key='schema_version'") == [
        (str(SCHEMA_VERSION + 1),)
    ]


def make_foreign_sqlite(path: Path) -> None:
    """A SQLite file of some other program, in SQLite's default rollback-journal mode."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.execute("INSERT INTO notes (body) VALUES ('keep me')")
    con.commit()
    con.close()


def test_a_sqlite_file_of_another_program_is_refused(db: Path) -> None:
    make_foreign_sqlite(db)
    with pytest.raises(StoreError, match="not an srs database") as info:
        open_store(db)
    assert str(db) in str(info.value)
    names = {r[0] for r in query(db, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert names == {"notes"}
    assert query(db, "SELECT body FROM notes") == [("keep me",)]


def test_a_refused_sqlite_file_of_another_program_is_left_byte_for_byte(db: Path) -> None:
    make_foreign_sqlite(db)
    before = db.read_bytes()
    with pytest.raises(StoreError):
        open_store(db)
    assert db.read_bytes() == before
    assert query(db, "PRAGMA journal_mode") == [("delete",)]


def test_a_too_new_database_in_rollback_journal_mode_is_left_byte_for_byte(db: Path) -> None:
    open_store(db).close()
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode = DELETE")  # as a copy made by another tool may be
    con.execute("UPDATE meta SET value=? WHERE key='schema_version'", (str(SCHEMA_VERSION + 1),))
    con.commit()
    con.close()
    before = db.read_bytes()
    with pytest.raises(SchemaTooNewError):
        open_store(db)
    assert db.read_bytes() == before


def test_a_corrupt_file_is_a_store_error_naming_the_path(db: Path) -> None:
    garbage = random.Random(7).randbytes(8192)
    db.write_bytes(garbage)
    with pytest.raises(StoreError) as info:
        open_store(db)
    assert str(db) in str(info.value)
    assert db.read_bytes() == garbage


def test_a_corrupt_file_behind_a_valid_header_is_a_store_error_naming_the_path(db: Path) -> None:
    db.write_bytes(b"SQLite format 3\x00" + random.Random(8).randbytes(8192))
    with pytest.raises(StoreError) as info:
        open_store(db)
    assert str(db) in str(info.value)


def test_without_a_label_the_error_still_names_the_path(db: Path) -> None:
    db.write_bytes(b"not a database at all, just some text\n" * 10)
    with pytest.raises(StoreError) as info:
        Store.open(sqlite_url(db))
    assert str(db) in str(info.value)


def test_a_path_under_a_regular_file_is_a_store_error_naming_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("I am a file, not a folder\n")
    path = blocker / "srs.db"
    with pytest.raises(StoreError) as info:
        open_store(path)
    assert str(path) in str(info.value)


def test_a_directory_in_place_of_the_file_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "srs.db"
    path.mkdir()
    with pytest.raises(StoreError, match="directory") as info:
        open_store(path)
    assert str(path) in str(info.value)


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions"
)
def test_a_path_under_an_unwritable_folder_is_a_store_error_naming_the_path(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        path = folder / "srs.db"
        with pytest.raises(StoreError) as info:
            open_store(path)
        assert str(path) in str(info.value)
    finally:
        folder.chmod(stat.S_IRWXU)


# ---- deck content apart from learner state ------------------------------------------------


def test_loading_a_deck_writes_deck_content_only(store: Store, db: Path) -> None:
    store.content.load_deck(deck("paper", card("a"), card("b")), T0)
    assert len(table(db, "decks")) == 1
    assert len(table(db, "cards")) == 2
    assert table(db, "card_state") == []
    assert table(db, "review_log") == []


def test_answering_writes_learner_state_only(store: Store, db: Path) -> None:
    store.content.load_deck(deck("paper", card("a"), card("b")), T0)
    content = (table(db, "decks"), table(db, "cards"))
    store.study.record_answer(pk_of(store, "paper/a"), 5, T0, D0)
    store.study.record_answer(pk_of(store, "paper/a"), 2, T0, D0)
    store.setaside.bury(pk_of(store, "paper/b"), D0)
    assert (table(db, "decks"), table(db, "cards")) == content
    assert len(table(db, "card_state")) == 2
    assert len(table(db, "review_log")) == 2


def test_reloading_an_edited_deck_leaves_learner_state_alone(store: Store, db: Path) -> None:
    store.content.load_deck(deck("paper", card("a"), card("b"), card("c")), T0)
    store.study.record_answer(pk_of(store, "paper/a"), 4, T0, D0)
    store.study.record_answer(pk_of(store, "paper/b"), 1, T0, D0)
    learner = (table(db, "card_state"), table(db, "review_log"))
    store.content.load_deck(deck("paper", card("a", "edited"), card("d")), at(1))
    assert (table(db, "card_state"), table(db, "review_log")) == learner


def test_each_learner_has_their_own_state_on_shared_cards(db: Path) -> None:
    ada, bob = open_store(db, "ada"), open_store(db, "bob")
    ada.content.load_deck(deck("paper", card("a"), card("b")), T0)
    pk = pk_of(ada, "paper/a")
    ada.study.record_answer(pk, 5, T0, D0)
    assert ada.study.state(pk).reps == 1
    assert bob.study.state(pk) == NEW_STATE
    assert bob.study.new_card_pks(["paper"], D0, 10) == [pk, pk_of(bob, "paper/b")]
    assert ada.study.new_card_pks(["paper"], D0, 10) == [pk_of(ada, "paper/b")]
    assert bob.study.log_for_card(pk) == []
    ada.close()
    bob.close()


# ---- load_deck: updates by stable id --------------------------------------------------------


def test_a_first_load_adds_every_card_and_creates_the_deck(any_store: Store) -> None:
    store = any_store  # on SQLite and on PostgreSQL
    report = store.content.load_deck(deck("paper", card("a"), card("b"), card("c")), T0)
    assert report == LoadReport("paper", added=3, created_deck=True)
    assert [c.card.id for c in store.content.cards(["paper"])] == ["a", "b", "c"]
    assert all(c.edited_at == T0 for c in store.content.cards())


def test_loading_the_same_deck_again_changes_nothing(store: Store, db: Path) -> None:
    store.content.load_deck(deck("paper", card("a"), card("b")), T0)
    cards_before = table(db, "cards")
    report = store.content.load_deck(deck("paper", card("a"), card("b")), at(1))
    assert report == LoadReport("paper", unchanged=2)
    assert table(db, "cards") == cards_before


@pytest.mark.parametrize(
    "edit",
    [
        {"front": "a new prompt"},
        {"back": "a better answer"},
        {"source": "§7, Table 2"},
        {"kind": Kind.MISREADING},
        {"tags": ("new", "tags")},
    ],
    ids=["front", "back", "source", "kind", "tags"],
)
def test_an_edited_card_is_updated_keeping_its_state_and_log(
    store: Store, edit: dict[str, object]
) -> None:
    store.content.load_deck(deck("paper", card("a"), card("b")), T0)
    pk = pk_of(store, "paper/a")
    store.study.record_answer(pk, 5, T0, D0)
    state = store.study.state(pk)
    edited = Card(**{**_fields(card("a")), **edit})  # type: ignore[arg-type]
    report = store.content.load_deck(deck("paper", edited, card("b")), at(1))
    assert report == LoadReport("paper", updated=1, unchanged=1)
    stored = store.content.card(pk)
    assert stored.card == edited
    assert stored.edited_at == at(1)
    assert store.content.card(pk_of(store, "paper/b")).edited_at == T0
    assert pk_of(store, "paper/a") == pk  # same row: identity is the stable id
    assert store.study.state(pk) == state
    assert [r.grade for r in store.study.log_for_card(pk)] == [5]


def _fields(c: Card) -> dict[str, object]:
    return {f: getattr(c, f) for f in ("id", "kind", "front", "back", "source", "tags", "line")}


def test_moving_a_card_is_not_an_edit_but_changes_the_new_card_order(any_store: Store) -> None:
    store = any_store  # on SQLite and on PostgreSQL
    store.content.load_deck(deck("paper", card("a"), card("b"), card("c")), T0)
    report = store.content.load_deck(deck("paper", card("c"), card("a"), card("b")), at(1))
    assert report == LoadReport("paper", unchanged=3)
    assert all(c.edited_at == T0 for c in store.content.cards())
    assert [
        store.content.card(pk).card.id for pk in store.study.new_card_pks(["paper"], D0, 10)
    ] == [
        "c",
        "a",
        "b",
    ]


def test_a_card_removed_from_the_file_is_retired_with_its_history(any_store: Store) -> None:
    store = any_store  # on SQLite and on PostgreSQL
    store.content.load_deck(deck("paper", card("a"), card("b"), card("c")), T0)
    a, b, c = (pk_of(store, f"paper/{x}") for x in "abc")
    store.study.record_answer(b, 4, T0, D0)  # due tomorrow
    report = store.content.load_deck(deck("paper", card("a")), at(1))
    assert report == LoadReport("paper", retired=2, unchanged=1)
    assert [s.card.id for s in store.content.cards(["paper"])] == ["a"]
    retired = {s.card.id: s.retired for s in store.content.cards(["paper"], include_retired=True)}
    assert retired == {"a": False, "b": True, "c": True}
    assert store.study.due_review_pks(["paper"], day(5)) == []
    assert store.study.new_card_pks(["paper"], day(5), 10) == [a]
    assert [r.grade for r in store.study.log_for_card(b)] == [4]
    assert store.study.state(b).reps == 1
    assert c not in store.study.new_card_pks(["paper"], D0, 10)
    assert store.content.decks()[0].active == 1
    assert store.content.decks()[0].retired == 2


def test_a_retired_card_that_comes_back_is_restored_with_its_old_state(any_store: Store) -> None:
    store = any_store  # on SQLite and on PostgreSQL
    store.content.load_deck(deck("paper", card("a"), card("b")), T0)
    b = pk_of(store, "paper/b")
    store.study.record_answer(b, 5, T0, D0)
    state = store.study.state(b)
    store.content.load_deck(deck("paper", card("a")), at(1))
    report = store.content.load_deck(deck("paper", card("a"), card("b")), at(2))
    assert report == LoadReport("paper", restored=1, unchanged=1)
    assert pk_of(store, "paper/b") == b
    assert store.study.state(b) == state
    assert store.study.due_review_pks(["paper"], day(1)) == [b]
    assert not store.content.card(b).retired
    assert store.content.card(b).edited_at == T0  # its text did not change


def test_a_card_restored_with_new_text_counts_as_restored_and_records_the_edit(
    store: Store,
) -> None:
    store.content.load_deck(deck("paper", card("a"), card("b")), T0)
    store.content.load_deck(deck("paper", card("a")), at(1))
    report = store.content.load_deck(deck("paper", card("a"), card("b", "reworded")), at(2))
    assert report == LoadReport("paper", restored=1, unchanged=1)
    b = store.content.card(pk_of(store, "paper/b"))
    assert b.card.front == "reworded"
    assert b.edited_at == at(2)


def test_one_load_reports_every_kind_of_change(any_store: Store) -> None:
    store = any_store  # on SQLite and on PostgreSQL
    store.content.load_deck(deck("paper", card("a"), card("b"), card("c"), card("d")), T0)
    # a kept; b edited; c removed; d kept (moved up one place); e added
    v2 = deck("paper", card("a"), card("b", "edited b"), card("d"), card("e"))
    assert store.content.load_deck(v2, at(1)) == LoadReport(
        "paper", added=1, updated=1, retired=1, unchanged=2
    )
    # c back, e gone again; a, b, d as in v2
    v3 = deck("paper", card("a"), card("b", "edited b"), card("c"), card("d"))
    assert store.content.load_deck(v3, at(2)) == LoadReport(
        "paper", retired=1, restored=1, unchanged=3
    )


def test_reloading_updates_the_deck_title(any_store: Store) -> None:
    store = any_store  # on SQLite and on PostgreSQL
    store.content.load_deck(deck("paper", card("a"), title="Old title"), T0)
    store.content.load_deck(deck("paper", card("a"), title="New title"), at(1))
    assert [d.title for d in store.content.decks()] == ["New title"]
    assert store.content.card(pk_of(store, "paper/a")).deck_title == "New title"


def test_the_same_card_id_in_two_decks_is_two_cards(any_store: Store) -> None:
    store = any_store  # on SQLite and on PostgreSQL
    store.content.load_deck(deck("one", card("x", "first")), T0)
    store.content.load_deck(deck("two", card("x", "second")), T0)
    assert store.content.find_card("one/x").card.front == "first"
    assert store.content.find_card("two/x").card.front == "second"
    with pytest.raises(UnknownCardError, match="several decks"):
        store.content.find_card("x")


# ---- record_answer and undo_answer ---------------------------------------------------------


@pytest.fixture
def loaded(any_store: Store) -> Store:
    """Deck "paper" (a, b, c) on SQLite, then on PostgreSQL."""
    any_store.content.load_deck(deck("paper", card("a"), card("b"), card("c")), T0)
    return any_store


@pytest.fixture
def loaded_file(store: Store) -> Store:
    """Deck "paper" (a, b, c) in a SQLite file the test reads directly."""
    store.content.load_deck(deck("paper", card("a"), card("b"), card("c")), T0)
    return store


@pytest.mark.parametrize("grade", [0, 3, 5])
def test_the_first_answer_to_a_new_card_schedules_it(loaded: Store, grade: int) -> None:
    a = pk_of(loaded, "paper/a")
    answer = loaded.study.record_answer(a, grade, T0, D0)
    assert answer.review_kind is ReviewKind.NEW
    # SM-2's schedule, but a failed first answer is no lapse (README)
    assert answer.state == replace(sm2.review(NEW_STATE, grade, D0), lapses=0)
    assert loaded.study.state(a) == answer.state


def test_later_answers_the_same_day_are_drills_that_leave_the_state(loaded: Store) -> None:
    a = pk_of(loaded, "paper/a")
    first = loaded.study.record_answer(a, 3, T0, D0)
    drills = [loaded.study.record_answer(a, g, at(0, 10), D0) for g in (0, 2, 5)]
    assert [d.review_kind for d in drills] == [ReviewKind.DRILL] * 3
    assert all(d.state == first.state for d in drills)
    assert loaded.study.state(a) == first.state
    assert [(r.review_kind, r.grade) for r in loaded.study.log_for_card(a)] == [
        (ReviewKind.NEW, 3),
        (ReviewKind.DRILL, 0),
        (ReviewKind.DRILL, 2),
        (ReviewKind.DRILL, 5),
    ]


def test_the_first_answer_on_a_later_day_is_a_scheduled_review(loaded: Store) -> None:
    a = pk_of(loaded, "paper/a")
    first = loaded.study.record_answer(a, 5, T0, D0)
    loaded.study.record_answer(a, 5, T0, D0)  # a drill the same day
    second = loaded.study.record_answer(a, 4, at(1), day(1))
    assert second.review_kind is ReviewKind.REVIEW
    assert second.state == sm2.review(first.state, 4, day(1))
    assert (second.state.n, second.state.interval, second.state.due) == (2, 6, day(7))


def test_the_log_keeps_when_what_and_the_schedule_it_gave(loaded: Store) -> None:
    a = pk_of(loaded, "paper/a")
    loaded.study.record_answer(a, 5, at(0, 23), D0)
    (record,) = loaded.study.log_for_card(a)
    assert record.reviewed_at == at(0, 23)
    assert record.reviewed_at.tzinfo is not None
    assert (record.day, record.grade, record.review_kind) == (D0, 5, ReviewKind.NEW)
    assert (record.ef, record.interval, record.due) == (260, 1, day(1))
    assert (record.deck_id, record.card_id, record.kind) == ("paper", "a", Kind.FINDING)


def test_an_invalid_grade_writes_nothing(loaded_file: Store, db: Path) -> None:
    with pytest.raises(ValueError):
        loaded_file.study.record_answer(pk_of(loaded_file, "paper/a"), 6, T0, D0)
    assert table(db, "review_log") == []
    assert table(db, "card_state") == []


def test_undoing_a_new_cards_first_answer_leaves_no_state_row(loaded_file: Store, db: Path) -> None:
    a = pk_of(loaded_file, "paper/a")
    answer = loaded_file.study.record_answer(a, 5, T0, D0)
    assert loaded_file.study.undo_answer(answer.log_id) == a
    assert query(db, "SELECT * FROM card_state WHERE card_pk=?", a) == []
    assert loaded_file.study.state(a) == NEW_STATE
    assert loaded_file.study.log_for_card(a) == []
    assert a in loaded_file.study.new_card_pks(["paper"], D0, 10)
    # and the next answer is a first answer again, not a drill
    assert loaded_file.study.record_answer(a, 4, T0, D0).review_kind is ReviewKind.NEW


def test_undoing_a_review_restores_the_exact_prior_state(loaded_file: Store, db: Path) -> None:
    a = pk_of(loaded_file, "paper/a")
    loaded_file.study.record_answer(a, 5, T0, D0)
    loaded_file.study.record_answer(a, 5, at(1), day(1))
    before = loaded_file.study.state(a)
    row_before = query(db, "SELECT * FROM card_state WHERE card_pk=?", a)
    answer = loaded_file.study.record_answer(a, 1, at(7), day(7))
    assert loaded_file.study.state(a) != before
    loaded_file.study.undo_answer(answer.log_id)
    assert loaded_file.study.state(a) == before
    assert query(db, "SELECT * FROM card_state WHERE card_pk=?", a) == row_before
    assert [r.day for r in loaded_file.study.log_for_card(a)] == [D0, day(1)]


def test_undoing_a_drill_removes_only_its_log_row(loaded: Store) -> None:
    a = pk_of(loaded, "paper/a")
    first = loaded.study.record_answer(a, 2, T0, D0)
    drill = loaded.study.record_answer(a, 4, at(0, 10), D0)
    loaded.study.undo_answer(drill.log_id)
    assert loaded.study.state(a) == first.state
    assert [r.id for r in loaded.study.log_for_card(a)] == [first.log_id]
    assert loaded.study.pending_drill_pks(["paper"], D0) == [a]
    assert loaded.study.record_answer(a, 5, at(0, 11), D0).review_kind is ReviewKind.DRILL


def test_undoing_the_answer_to_a_card_buried_earlier_keeps_the_burial_row(
    loaded_file: Store, db: Path
) -> None:
    a = pk_of(loaded_file, "paper/a")
    loaded_file.setaside.bury(a, D0)
    assert a not in loaded_file.study.new_card_pks(["paper"], D0, 10)
    answer = loaded_file.study.record_answer(a, 5, at(1), day(1))
    assert answer.review_kind is ReviewKind.NEW
    loaded_file.study.undo_answer(answer.log_id)
    assert query(db, "SELECT buried_on, due FROM card_state WHERE card_pk=?", a) == [
        (D0.isoformat(), None)
    ]
    assert loaded_file.study.state(a) == NEW_STATE
    assert a in loaded_file.study.new_card_pks(["paper"], day(1), 10)


def test_undoing_an_unknown_answer_is_refused(loaded: Store) -> None:
    with pytest.raises(UnknownCardError, match="nothing to undo"):
        loaded.study.undo_answer(12345)


def test_undo_cannot_take_back_another_learners_answer(db: Path, loaded_file: Store) -> None:
    a = pk_of(loaded_file, "paper/a")
    answer = loaded_file.study.record_answer(a, 5, T0, D0)
    other = open_store(db, "someone-else")
    with pytest.raises(UnknownCardError):
        other.study.undo_answer(answer.log_id)
    other.close()
    assert len(loaded_file.study.log_for_card(a)) == 1


# ---- two stores, two threads ----------------------------------------------------------------


def test_two_stores_answering_different_cards_at_once_lose_no_answer(db: Path) -> None:
    setup = open_store(db)
    setup.content.load_deck(deck("paper", card("a"), card("b")), T0)
    pks = [pk_of(setup, "paper/a"), pk_of(setup, "paper/b")]
    setup.close()
    rounds, days = 30, 3
    stores = [open_store(db), open_store(db)]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(s: Store, pk: int, seed: int) -> None:
        rng = random.Random(seed)
        try:
            start.wait()
            for k in range(days):
                for _ in range(rounds):
                    s.study.record_answer(pk, rng.randint(0, 5), at(k), day(k))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(s, pk, i))
        for i, (s, pk) in enumerate(zip(stores, pks, strict=True))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert query(db, "SELECT count(*) FROM review_log") == [(2 * days * rounds,)]
    for pk in pks:
        log = stores[0].study.log_for_card(pk)
        assert len(log) == days * rounds
        scheduled = [r for r in log if r.review_kind is not ReviewKind.DRILL]
        assert [r.day for r in scheduled] == [day(k) for k in range(days)]
        assert stores[0].study.state(pk).reps == days
    for s in stores:
        s.close()


def test_two_stores_answering_the_same_new_card_at_once_schedule_it_once(db: Path) -> None:
    setup = open_store(db)
    setup.content.load_deck(deck("paper", card("a")), T0)
    a = pk_of(setup, "paper/a")
    setup.close()
    stores = [open_store(db), open_store(db)]
    start = threading.Barrier(2)
    kinds: list[ReviewKind] = []
    errors: list[BaseException] = []

    def work(s: Store) -> None:
        try:
            start.wait()
            for _ in range(20):
                kinds.append(s.study.record_answer(a, 4, T0, D0).review_kind)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert len(kinds) == 40
    assert kinds.count(ReviewKind.NEW) == 1
    assert stores[0].study.state(a) == sm2.review(NEW_STATE, 4, D0)
    for s in stores:
        s.close()


# ---- status ---------------------------------------------------------------------------------


@pytest.fixture
def collection(any_store: Store) -> Store:
    """alpha: a1..a5; beta: b1, b2. On day 0: a1 graded 5 and b1 graded 4 (due day 1), a2 graded
    2 (due day 1, drill pending), a3 buried."""
    any_store.content.load_deck(deck("alpha", *(card(f"a{i}") for i in range(1, 6))), T0)
    any_store.content.load_deck(deck("beta", card("b1"), card("b2")), T0)
    any_store.study.record_answer(any_store.content.find_card("a1").pk, 5, T0, D0)
    any_store.study.record_answer(any_store.content.find_card("a2").pk, 2, T0, D0)
    any_store.study.record_answer(any_store.content.find_card("b1").pk, 4, T0, D0)
    any_store.setaside.bury(any_store.content.find_card("a3").pk, D0)
    return any_store


def figures(store: Store, today: date, new_per_day: int = 3) -> dict[str, tuple[object, ...]]:
    return {
        s.id: (s.due, s.new, s.drill, s.total, s.next_due)
        for s in store.aggregates.status(["alpha", "beta"], today, new_per_day)
    }


def test_status_on_the_day_of_the_answers(collection: Store) -> None:
    # alpha: nothing due yet; unseen and not buried: a4, a5 -> 2, but only 3 - 2 introduced
    # today = 1 more new card; a2 is still to be drilled; 5 cards; first due date is day 1.
    # beta: unseen b2 -> 1 (room 3 - 1 = 2); no drill; 2 cards; next due day 1.
    assert figures(collection, D0) == {
        "alpha": (0, 1, 1, 5, day(1)),
        "beta": (0, 1, 0, 2, day(1)),
    }


def test_status_the_next_day(collection: Store) -> None:
    # alpha: a1, a2 due; a3 (buried yesterday), a4, a5 new, the full 3 allowed; no drill today.
    # beta: b1 due; b2 new.
    assert figures(collection, day(1)) == {
        "alpha": (2, 3, 0, 5, day(1)),
        "beta": (1, 1, 0, 2, day(1)),
    }


def test_status_of_overdue_cards_gives_today_as_next_due(collection: Store) -> None:
    assert figures(collection, day(4), new_per_day=2) == {
        "alpha": (2, 2, 0, 5, day(4)),
        "beta": (1, 1, 0, 2, day(4)),
    }


def test_status_leaves_out_a_buried_drill_and_retired_cards(collection: Store) -> None:
    collection.setaside.bury(collection.content.find_card("a2").pk, D0)
    collection.content.load_deck(deck("alpha", *(card(f"a{i}") for i in range(1, 5))), at(0, 10))
    # a5 retired: total 4, unseen a4 only; a2 buried: no drill
    assert figures(collection, D0)["alpha"] == (0, 1, 0, 4, day(1))


def test_status_of_a_deck_with_no_cards_left(any_store: Store) -> None:
    store = any_store  # on SQLite and on PostgreSQL
    store.content.load_deck(deck("empty", card("x")), T0)
    store.content.load_deck(deck("empty"), at(1))
    (s,) = store.aggregates.status(["empty"], D0, 20)
    assert (s.due, s.new, s.drill, s.total, s.next_due) == (0, 0, 0, 0, None)
    assert s.title == "A paper"


def test_new_cards_respect_the_daily_limit_per_deck(collection: Store) -> None:
    # alpha has had 2 new cards today (a1, a2): with a limit of 3 only a4 is offered; beta: b2.
    new = collection.study.new_card_pks(["alpha", "beta"], D0, 3)
    assert [collection.content.card(pk).card.id for pk in new] == ["a4", "b2"]
    assert collection.study.new_card_pks(["alpha"], D0, 2) == []


@pytest.mark.parametrize("first", [True, False], ids=["first-answer", "later-answer"])
def test_a_leech_is_suspended_with_its_answer_saved(any_store: Store, first: bool) -> None:
    """The suspension lands on the state row the same answer writes (on a server the state's
    write and the log's insert are one statement). An answer that makes the row is a new card's
    first, which is never a lapse: it is saved, and makes no leech even at a threshold of 1."""
    from sqlalchemy import select

    from srs.store.schema import log_table, state_table

    any_store.content.load_deck(deck("paper", card("a")), T0)
    pk = any_store.content.cards(["paper"])[0].pk
    day = T0.date()
    if not first:
        any_store.study.answer_and_draw(pk, 4, T0, day)
        day = day + timedelta(days=1)
    done, _ = any_store.study.answer_and_draw(pk, 1, T0, day, AnswerPolicy(SM2(), 1, True))
    assert done.leech is done.suspended is (not first)
    with any_store.engine.connect() as conn:
        suspended = conn.execute(select(state_table.c.suspended_at)).scalar_one()
        logged = conn.execute(select(log_table.c.id, log_table.c.grade)).all()
    assert (suspended is not None) is (not first)
    assert logged[-1] == (done.log_id, 1) and len(logged) == (1 if first else 2)


def test_new_cards_come_with_the_kinds_taking_turns_each_in_deck_order(any_store: Store) -> None:
    store = any_store  # on SQLite and on PostgreSQL
    kinds = {"f": Kind.FINDING, "l": Kind.LIMITATION, "m": Kind.MISREADING}
    ids = ["f1", "f2", "f3", "f4", "l1", "m1", "l2", "f5"]
    store.content.load_deck(deck("paper", *(card(i, kind=kinds[i[0]]) for i in ids)), T0)
    order = [store.content.card(pk).card.id for pk in store.study.new_card_pks(["paper"], D0, 20)]
    assert order == ["f1", "l1", "m1", "f2", "l2", "f3", "f4", "f5"]
    first_three = store.study.new_card_pks(["paper"], D0, 3)  # the day's limit cuts the turns
    assert [store.content.card(pk).card.id for pk in first_three] == ["f1", "l1", "m1"]
    store.study.record_answer(pk_of(store, "paper/l1"), 4, T0, D0)  # seen: the turns go on
    order = [store.content.card(pk).card.id for pk in store.study.new_card_pks(["paper"], D0, 20)]
    assert order == ["f1", "l2", "m1", "f2", "f3", "f4", "f5"]


def test_the_deck_ids_are_those_of_the_deck_list_in_the_same_order(tmp_path: Path) -> None:
    store = open_store(tmp_path / "srs.db")
    for name in ("zeta", "alpha", "mid"):
        store.content.load_deck(deck(name, "a", "b"), at(0))
    store.content.load_deck(deck("empty"), at(0))
    store.content.load_deck(deck("alpha", "c"), at(1))  # loaded again: keeps its place
    assert store.content.deck_ids() == [d.id for d in store.content.decks()]
    assert store.content.deck_ids() == ["zeta", "alpha", "mid", "empty"]
    assert store.content.require_decks([]) == store.content.deck_ids()


# ---- merging from Anki --------------------------------------------------------------------


def test_a_merged_answer_is_stored_as_the_answer_path_stores_it(tmp_path: Path) -> None:
    """`merge_progress` writes its log and state rows in bulk (`store.bulk`); on disk they are
    the rows `log_rows.log_row` and `state_values` write through SQLAlchemy, down to the text of
    times and dates."""
    from zoneinfo import ZoneInfo

    from srs.core.merging import MergedProgress
    from srs.core.model import PastReview, SchedState
    from srs.store.log_rows import log_row
    from srs.store.schema import log_table, state_table, state_values

    paris = datetime(2024, 3, 5, 23, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Paris"))
    before = SchedState(n=1, ef=250, interval=1, due=day(1), reps=1)
    after = SchedState(
        n=2, ef=236, interval=6, due=day(10), reps=2, scheduler="fsrs", stability=6.5,
        difficulty=4.25,
    )  # fmt: skip
    answers = (
        PastReview(at(0), day(0), 4, ReviewKind.NEW, NEW_STATE, before, True, 1_709_283_600_000),
        PastReview(paris, day(4), 3, ReviewKind.REVIEW, before, after, False, 1_709_677_815_123),
    )
    rows = []
    for name, merged in (("merged", True), ("written", False)):
        s = open_store(tmp_path / f"{name}.db")
        try:
            s.content.load_deck(deck("d", card("a")), T0)
            pk = pk_of(s, "d/a")
            if merged:
                items = [MergedProgress(pk, answers, after, True, day(4))]
                assert s.transfer.merge_progress(items, T0) == 2
            else:
                with s.write() as conn:
                    conn.execute(
                        log_table.insert(),
                        [
                            log_row("default", pk, p.reviewed_at, p.day, p.grade,
                                    p.review_kind.value, p.before, p.after, not p.first,
                                    anki_id=p.anki_id)
                            for p in answers
                        ],
                    )  # fmt: skip
                    conn.execute(
                        state_table.insert(),
                        [{"learner": "default", "card_pk": pk, **state_values(after),
                          "buried_on": day(4), "suspended_at": T0}],
                    )  # fmt: skip
        finally:
            s.close()
        path = tmp_path / f"{name}.db"
        rows.append(query(path, "SELECT * FROM review_log ORDER BY id"))
        rows.append(query(path, "SELECT * FROM card_state"))
    assert rows[0] == rows[2] and len(rows[0]) == 2
    assert rows[1] == rows[3] and len(rows[1]) == 1
    assert rows[0][1][3] == "2024-03-05 22:30:15.123456"  # Paris time stored as UTC
