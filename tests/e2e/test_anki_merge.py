"""`srs merge anki`, against the real Anki backend: reviews done in Anki on cards exported from
srs come back, once, and the later review sets the card's state."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anki.collection import Collection, ExportAnkiPackageOptions
from anki.decks import DeckId
from anki.scheduler.v3 import CardAnswer

from anki_helpers import import_apkg
from helpers import SMALL_DECK, run_srs, srs_env
from srs.core.days import study_day
from srs.store import Store

pytestmark = pytest.mark.e2e

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = study_day(NOW, UTC)


def env_for(db: Path, now: datetime = NOW) -> dict[str, str]:
    """srs at the same moment as the Anki backend (which reads the real clock), in UTC."""
    return srs_env(db, now.isoformat())


def srs_with_reviews(tmp_path: Path, reviews: dict[str, list[tuple[int, int]]]) -> Path:
    """A collection with the small deck and, for each card id, answers (days ago, grade)."""
    db = tmp_path / "srs.db"
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    assert run_srs(["deck", "add", str(deck)], env_for(db)).returncode == 0
    with closing(Store.open(f"sqlite:///{db}", str(db))) as store:
        pks = {c.card.id: c.pk for c in store.content.cards()}
        for card_id, answers in reviews.items():
            for days_ago, grade in answers:
                at = NOW - timedelta(days=days_ago)
                store.study.record_answer(pks[card_id], grade, at, study_day(at, UTC))
    return db


def to_anki(tmp_path: Path, db: Path, col: Collection) -> dict[str, int]:
    """Export srs with progress into the Anki collection; Anki's card id of each srs card."""
    out = tmp_path / "to-phone.apkg"
    result = run_srs(["export", "anki", "-o", str(out), "--with-progress"], env_for(db))
    assert result.returncode == 0, result.stderr
    import_apkg(col, out, with_scheduling=True)
    return {col.get_card(cid).note()["CardId"]: cid for cid in col.find_cards("")}


def answer_in_anki(col: Collection, cid: int, rating: CardAnswer.Rating.V) -> None:
    """Answer one card with Anki's own scheduler, as the phone does."""
    card = col.get_card(cid)
    card.start_timer()
    states = col._backend.get_scheduling_states(cid)
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=rating))


def from_anki(
    tmp_path: Path, col: Collection, scheduling: bool = True, legacy: bool = False
) -> Path:
    """Anki's export of the whole collection (with its scheduling)."""
    path = tmp_path / "from-phone.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=scheduling, with_deck_configs=False, with_media=False, legacy=legacy
    )
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    return path


def rows(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every state and log row, to see that a run changed nothing."""
    with closing(sqlite3.connect(db)) as conn:
        states = conn.execute("SELECT * FROM card_state ORDER BY card_pk").fetchall()
        logs = conn.execute("SELECT * FROM review_log ORDER BY id").fetchall()
    return states, logs


def progress(db: Path) -> dict[str, tuple[object, list[tuple[str, int, str]]]]:
    """Each card's state and its log as (day, grade, review kind)."""
    with closing(Store.open(f"sqlite:///{db}", str(db))) as store:
        return {
            c.card.id: (
                store.study.state(c.pk),
                [
                    (r.day.isoformat(), r.grade, r.review_kind.value)
                    for r in store.study.log_for_card(c.pk)
                ],
            )
            for c in store.content.cards()
        }


def test_reviews_done_in_anki_come_back_once_and_set_each_cards_schedule(
    tmp_path: Path, col: Collection
) -> None:
    db = srs_with_reviews(tmp_path, {"alpha": [(10, 5), (9, 5)], "beta": [(10, 4)]})
    ids = to_anki(tmp_path, db, col)
    answer_in_anki(col, ids["alpha"], CardAnswer.GOOD)
    answer_in_anki(col, ids["beta"], CardAnswer.AGAIN)
    answer_in_anki(col, ids["gamma"], CardAnswer.GOOD)
    package = from_anki(tmp_path, col)
    before = rows(db)

    dry = run_srs(["merge", "anki", str(package), "--dry-run"], env_for(db))
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("\n") == 1 and "would merge" in dry.stdout
    assert "3 answers added, 3 states replaced" in dry.stdout
    assert rows(db) == before

    merged = run_srs(["merge", "anki", str(package)], env_for(db))
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.count("\n") == 1
    assert "3 cards from srs, 3 answers added, 3 states replaced" in merged.stdout
    found = progress(db)
    today = TODAY.isoformat()
    assert found["alpha"][1][-1] == (today, 4, "review")  # Anki's Good
    assert found["beta"][1][-1] == (today, 1, "review")  # Again
    assert found["gamma"][1] == [(today, 4, "new")]
    assert len(found["alpha"][1]) == 3 and len(found["beta"][1]) == 2  # srs's own kept, once
    for card_id in ("alpha", "beta", "gamma"):
        card = col.get_card(ids[card_id])
        state = found[card_id][0]
        if card.type == 2:
            assert state.interval == card.ivl
            assert state.due == TODAY + timedelta(days=card.due - col.sched.today)
            assert state.ef == card.factor // 10
        else:  # (re)learning in Anki: due today in srs
            assert state.due == TODAY
    due_in_anki = {
        card_id
        for card_id, cid in ids.items()
        if col.get_card(cid).queue in (1, 3)
        or (col.get_card(cid).queue == 2 and col.get_card(cid).due <= col.sched.today)
    }
    due_in_srs = {k for k, (state, _) in found.items() if state.due and state.due <= TODAY}
    assert due_in_srs == due_in_anki
    with closing(Store.open(f"sqlite:///{db}", str(db))) as store:
        assert {(c.deck_id, c.card.id) for c in store.content.cards()} == {
            ("tiny", "alpha"),
            ("tiny", "beta"),
            ("tiny", "gamma"),
        }
        merged_log = [r for c in store.content.cards() for r in store.study.log_for_card(c.pk)]
    assert len(merged_log) == 6

    after = rows(db)
    again = run_srs(["merge", "anki", str(package)], env_for(db))
    assert again.returncode == 0, again.stderr
    assert "0 answers added, 0 states replaced" in again.stdout
    assert rows(db) == after
    history = run_srs(["history", "tiny/beta", "--json"], env_for(db))
    assert history.returncode == 0, history.stderr
    log = json.loads(history.stdout)["log"]
    assert [(e["day"], e["grade"], e["from_anki"]) for e in log] == [
        ((TODAY - timedelta(days=10)).isoformat(), 4, False),
        (today, 1, True),
    ]


def test_a_card_reviewed_in_both_after_the_export_takes_the_later_state_and_keeps_both_answers(
    tmp_path: Path, col: Collection
) -> None:
    db = srs_with_reviews(tmp_path, {"alpha": [(10, 5)], "beta": [(10, 5)]})
    ids = to_anki(tmp_path, db, col)
    with closing(Store.open(f"sqlite:///{db}", str(db))) as store:
        pks = {c.card.id: c.pk for c in store.content.cards()}
        # after the export: beta an hour before Anki's answers, alpha an hour after them
        store.study.record_answer(pks["beta"], 3, NOW - timedelta(hours=1), TODAY)
        later = NOW + timedelta(hours=1)
        store.study.record_answer(pks["alpha"], 5, later, study_day(later, UTC))
        kept = store.study.state(pks["alpha"])
    answer_in_anki(col, ids["alpha"], CardAnswer.HARD)
    answer_in_anki(col, ids["beta"], CardAnswer.EASY)
    package = from_anki(tmp_path, col)

    result = run_srs(["merge", "anki", str(package)], env_for(db, NOW + timedelta(hours=2)))
    assert result.returncode == 0, result.stderr
    assert "2 answers added, 1 states replaced" in result.stdout
    found = progress(db)
    assert found["alpha"][0] == kept  # srs answered later
    assert [g for _, g, _ in found["alpha"][1]] == [5, 5, 3]  # both answers are in the history
    beta = col.get_card(ids["beta"])
    assert found["beta"][0].interval == beta.ivl  # Anki answered later
    assert found["beta"][0].due == TODAY + timedelta(days=beta.due - col.sched.today)
    assert [g for _, g, _ in found["beta"][1]] == [5, 3, 5]


def test_suspensions_and_buries_made_in_anki_are_applied_and_notes_not_from_srs_left_alone(
    tmp_path: Path, col: Collection
) -> None:
    db = srs_with_reviews(tmp_path, {"alpha": [(10, 5)]})
    ids = to_anki(tmp_path, db, col)
    col.sched.suspend_cards([ids["alpha"]])
    col.sched.bury_cards([ids["beta"]])
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "Made on the phone", "not from srs"
    col.add_note(note, DeckId(1))
    package = from_anki(tmp_path, col, legacy=True)

    result = run_srs(["merge", "anki", str(package)], env_for(db))
    assert result.returncode == 0, result.stderr
    assert "1 suspended, 1 buried" in result.stdout
    assert result.stderr.count("\n") == 1
    assert "1 notes did not come from srs" in result.stderr
    assert "'Made on the phone'" in result.stderr and "srs import anki" in result.stderr
    with closing(Store.open(f"sqlite:///{db}", str(db))) as store:
        pks = {c.card.id: c.pk for c in store.content.cards()}
        assert store.setaside.is_suspended(pks["alpha"])
        assert not store.setaside.is_suspended(pks["beta"])
        assert pks["beta"] not in store.study.due_review_pks([], TODAY)
        assert pks["beta"] not in store.study.new_card_pks([], TODAY, 10)
    after = rows(db)
    again = run_srs(["merge", "anki", str(package)], env_for(db))
    assert "0 suspended, 0 buried" in again.stdout and rows(db) == after
    as_json = json.loads(run_srs(["merge", "anki", str(package), "--json"], env_for(db)).stdout)
    assert (as_json["cards"], as_json["answers_added"], as_json["not_from_srs"]) == (3, 0, 1)


def test_a_package_without_scheduling_is_refused_with_one_line_saying_how_to_export_it(
    tmp_path: Path, col: Collection
) -> None:
    db = srs_with_reviews(tmp_path, {"alpha": [(10, 5)]})
    to_anki(tmp_path, db, col)
    package = from_anki(tmp_path, col, scheduling=False)
    before = rows(db)
    result = run_srs(["merge", "anki", str(package)], env_for(db))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Include scheduling information" in result.stderr
    assert rows(db) == before


def test_a_hostile_review_log_or_a_note_naming_another_card_is_skipped_with_one_line(
    tmp_path: Path, col: Collection
) -> None:
    db = srs_with_reviews(tmp_path, {"alpha": [(10, 5)], "beta": [(10, 5)]})
    ids = to_anki(tmp_path, db, col)
    for card_id in ("alpha", "beta", "gamma"):
        answer_in_anki(col, ids[card_id], CardAnswer.GOOD)
    package = from_anki(tmp_path, col, legacy=True)
    hostile = tmp_path / "hostile.apkg"
    with zipfile.ZipFile(package) as src:
        entries = {n: src.read(n) for n in src.namelist()}
    inner = tmp_path / "inner.anki21"
    inner.write_bytes(entries["collection.anki21"])
    year_20000 = int(datetime(9999, 1, 1, tzinfo=UTC).timestamp() * 1000) * 2
    with closing(sqlite3.connect(inner)) as conn:
        newest = "(SELECT max(id) FROM revlog WHERE cid = ?)"
        conn.execute(f"UPDATE revlog SET id = ? WHERE id = {newest}", (year_20000, ids["alpha"]))
        conn.execute(f"UPDATE revlog SET ease = 9 WHERE id = {newest}", (ids["beta"],))
        nid = col.get_card(ids["gamma"]).nid
        conn.execute(
            "UPDATE notes SET flds = replace(flds, char(31) || 'gamma', char(31) || 'alpha') "
            "WHERE id = ?",
            (nid,),
        )
        conn.commit()
    entries["collection.anki21"] = inner.read_bytes()
    with zipfile.ZipFile(hostile, "w") as dst:
        for name, data in entries.items():
            dst.writestr(name, data)
    before = rows(db)

    result = run_srs(["merge", "anki", str(hostile)], env_for(db))
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("\n") == 1 and "3 cards were skipped" in result.stderr
    assert "0 answers added" in result.stdout
    assert rows(db) == before


def test_a_card_suspended_in_srs_arrives_in_anki_suspended_and_one_buried_today_buried(
    tmp_path: Path, col: Collection
) -> None:
    db = srs_with_reviews(tmp_path, {"alpha": [(10, 5)]})
    with closing(Store.open(f"sqlite:///{db}", str(db))) as store:
        pks = {c.card.id: c.pk for c in store.content.cards()}
        store.setaside.suspend(pks["alpha"], NOW)
        store.setaside.bury(pks["beta"], TODAY)
    ids = to_anki(tmp_path, db, col)
    alpha, beta = col.get_card(ids["alpha"]), col.get_card(ids["beta"])
    assert (alpha.type, alpha.queue) == (2, -1)  # reviewed, and suspended
    assert beta.queue in (-2, -3) and col.get_card(ids["gamma"]).queue == 0
    package = from_anki(tmp_path, col)
    after = rows(db)
    result = run_srs(["merge", "anki", str(package)], env_for(db))
    assert "0 answers added, 0 states replaced, 0 suspended, 0 buried" in result.stdout
    assert rows(db) == after
