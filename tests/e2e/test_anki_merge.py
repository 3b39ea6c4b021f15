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
from anki.deck_config_pb2 import UpdateDeckConfigsMode
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


class Phone:
    """An Anki collection whose clock runs ahead of the real one, as a phone used on later days.

    The Anki backend reads the real clock, so the phone's days are made the way Anki counts them:
    Anki's day number is (now - crt) / 86400 from the collection's creation time `crt`. To answer
    on day `k` after the import, `crt` is moved back `k` days and the collection reopened (the
    backend caches its day), so Anki's own scheduler sees day `k`: intervals, due days and fuzz
    are computed as on that day. Anki stamps what it writes with the real clock: each review-log
    id made on day `k` is moved `k` days forward afterwards. `finish` then puts `crt` back: the
    collection is then the one a phone whose clock read those days would hold (due days are
    numbers from `crt`; review ids the answers' times). Anki refuses to export an .apkg whose
    review ids lie ahead of the real clock, so the phone exports its whole collection (.colpkg,
    which holds the scheduling), as its backup does. A card left in (re)learning keeps the due
    time in seconds Anki gave it; srs takes such a card as due on the day it merges."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.col = Collection(str(path))
        self.crt = self.col.crt
        self.day = 0
        self.stamped: set[int] = set()

    def on_day(self, day: int) -> Collection:
        """The collection with Anki's clock `day` days after the import."""
        self._stamp()
        self.col.crt = self.crt - day * 86400
        self.col.close()
        self.col = Collection(str(self.path))
        self.day = day
        return self.col

    def _stamp(self) -> None:
        """Move the review ids written since the last call to the phone's day."""
        for rid in set(self.col.db.list("SELECT id FROM revlog")) - self.stamped:
            moved = rid + self.day * 86_400_000
            self.col.db.execute("UPDATE revlog SET id = ? WHERE id = ?", moved, rid)
            self.stamped.add(moved)

    def finish(self) -> Collection:
        """The collection as the phone holds it on its last day: `crt` back where it was."""
        self._stamp()
        self.col.crt = self.crt
        return self.col


def test_the_phone_loop_brings_ankis_answers_on_later_days_back_with_ankis_schedule(
    tmp_path: Path,
) -> None:
    """srs reviews on two days, exports with progress; Anki imports it with scheduling and its
    own scheduler answers on days 1, 2, 4 and 5 after (two Agains among them); Anki exports its
    collection and `srs merge anki` brings it back on day 5 (see `Phone` for how Anki's days are
    made)."""
    db = srs_with_reviews(tmp_path, {"alpha": [(10, 5), (9, 5)], "beta": [(10, 4)]})
    with closing(Store.open(f"sqlite:///{db}", str(db))) as store:
        ids_before = sorted((c.pk, c.deck_id, c.card.id) for c in store.content.cards())
    (tmp_path / "phone").mkdir()
    phone = Phone(tmp_path / "phone" / "collection.anki2")
    ids = to_anki(tmp_path, db, phone.col)
    answered = {1: {"alpha": CardAnswer.AGAIN, "beta": CardAnswer.GOOD, "gamma": CardAnswer.EASY},
                2: {"alpha": CardAnswer.GOOD}, 4: {"alpha": CardAnswer.HARD},
                5: {"gamma": CardAnswer.AGAIN}}  # fmt: skip
    for day, answers in answered.items():
        col = phone.on_day(day)
        for card_id, rating in answers.items():
            answer_in_anki(col, ids[card_id], rating)
    due_in_anki = col.find_cards("is:due")
    assert due_in_anki == [ids["gamma"]]  # on day 5: gamma, relearning, and no other
    col = phone.finish()
    package = tmp_path / "phone.colpkg"
    col.export_collection_package(str(package), include_media=False, legacy=False)
    col = Collection(str(phone.path))  # the export closed it
    day5 = NOW + timedelta(days=5)
    before = rows(db)

    dry = run_srs(["merge", "anki", str(package), "--dry-run"], env_for(db, day5))
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.count("\n") == 1 and "would merge" in dry.stdout
    assert "6 answers added, 3 states replaced" in dry.stdout
    assert rows(db) == before

    merged = run_srs(["merge", "anki", str(package)], env_for(db, day5))
    assert merged.returncode == 0, merged.stderr
    assert "3 cards from srs, 6 answers added, 3 states replaced" in merged.stdout
    found = progress(db)
    day = [(TODAY + timedelta(days=n)).isoformat() for n in range(6)]
    # srs's own answers once, then Anki's on their days with their grades
    assert found["alpha"][1] == [
        ((TODAY - timedelta(days=10)).isoformat(), 5, "new"),
        ((TODAY - timedelta(days=9)).isoformat(), 5, "review"),
        (day[1], 1, "review"),
        (day[2], 4, "review"),
        (day[4], 3, "review"),
    ]
    assert found["beta"][1] == [((TODAY - timedelta(days=10)).isoformat(), 4, "new"),
                                (day[1], 4, "review")]  # fmt: skip
    assert found["gamma"][1] == [(day[1], 5, "new"), (day[5], 1, "review")]
    for card_id in ("alpha", "beta", "gamma"):
        card = col.get_card(ids[card_id])
        state = found[card_id][0]
        assert state.ef == card.factor // 10 and state.lapses == card.lapses
        if card_id == "gamma":  # relearning in Anki: due today in srs
            assert (card.type, state.due) == (3, TODAY + timedelta(days=5))
        else:
            assert card.type == 2
            assert (state.interval, state.due) == (card.ivl, TODAY + timedelta(days=card.due))
    status = json.loads(run_srs(["status", "--json"], env_for(db, day5)).stdout)
    assert status["today"] == day[5]
    assert status["decks"][0]["due"] == len(due_in_anki)
    with closing(Store.open(f"sqlite:///{db}", str(db))) as store:
        assert sorted((c.pk, c.deck_id, c.card.id) for c in store.content.cards()) == ids_before
    history = json.loads(run_srs(["history", "tiny/alpha", "--json"], env_for(db, day5)).stdout)
    assert [(e["day"], e["grade"], e["from_anki"]) for e in history["log"]][2:] == [
        (day[1], 1, True),
        (day[2], 4, True),
        (day[4], 3, True),
    ]

    after = rows(db)
    again = run_srs(["merge", "anki", str(package)], env_for(db, day5))
    assert again.returncode == 0, again.stderr
    assert "0 answers added, 0 states replaced" in again.stdout
    assert rows(db) == after
    col.close()


CLOZE_DECK = """[deck]
id = "sleeper"
title = "Sleeper agents"

[[card]]
id = "persists"
kind = "finding"
cloze = "Safety training {{c1::did not remove}} the backdoor in the {{c2::largest}} models."
source = "§4"
"""


def use_fsrs(col: Collection) -> None:
    """Turn FSRS on, as Anki's deck options do (FSRS is one switch for the whole collection)."""
    found = col._backend.get_deck_configs_for_update(DeckId(1))
    col._backend.update_deck_configs(
        target_deck_id=DeckId(1),
        configs=[c.config for c in found.all_config],
        removed_config_ids=[],
        mode=UpdateDeckConfigsMode.UPDATE_DECK_CONFIGS_MODE_NORMAL,
        card_state_customizer="",
        limits=found.current_deck.limits,
        new_cards_ignore_review_limit=False,
        fsrs=True,
        apply_all_parent_limits=False,
        fsrs_reschedule=False,
        fsrs_health_check=False,
    )


def test_each_card_of_a_cloze_note_answered_with_fsrs_comes_back_to_its_item_with_its_memory(
    tmp_path: Path, col: Collection
) -> None:
    db = tmp_path / "srs.db"
    deck = tmp_path / "sleeper.toml"
    deck.write_text(CLOZE_DECK, encoding="utf-8")
    assert run_srs(["deck", "add", str(deck)], env_for(db)).returncode == 0
    with closing(Store.open(f"sqlite:///{db}", str(db))) as store:
        pks = {c.card.id: c.pk for c in store.content.cards()}
        at = NOW - timedelta(days=3)
        store.study.record_answer(pks["persists#c2"], 5, at, study_day(at, UTC))
    out = tmp_path / "to-phone.apkg"
    assert (
        run_srs(["export", "anki", "-o", str(out), "--with-progress"], env_for(db)).returncode == 0
    )
    import_apkg(col, out, with_scheduling=True)
    use_fsrs(col)
    cards = {col.get_card(cid).ord: cid for cid in col.find_cards("")}
    answer_in_anki(col, cards[0], CardAnswer.EASY)
    answer_in_anki(col, cards[1], CardAnswer.HARD)
    package = from_anki(tmp_path, col)

    result = run_srs(["merge", "anki", str(package)], env_for(db))
    assert result.returncode == 0, result.stderr
    assert "2 cards from srs, 2 answers added, 2 states replaced" in result.stdout
    found = progress(db)
    for ord_, item, grades in ((0, "persists#c1", [5]), (1, "persists#c2", [5, 3])):
        card = col.get_card(cards[ord_])
        state, log = found[item]
        assert [g for _, g, _ in log] == grades
        assert (state.interval, state.due) == (
            card.ivl,
            TODAY + timedelta(days=card.due - col.sched.today),
        )
        assert state.scheduler == "fsrs" and card.memory_state is not None
        assert state.stability == pytest.approx(card.memory_state.stability, abs=1e-3)
        assert state.difficulty == pytest.approx(card.memory_state.difficulty, abs=1e-3)


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


def test_answers_on_a_note_exported_before_its_card_was_renamed_come_back_to_the_card(
    tmp_path: Path, col: Collection
) -> None:
    db = srs_with_reviews(tmp_path, {"alpha": [(10, 5)]})
    ids = to_anki(tmp_path, db, col)
    answer_in_anki(col, ids["alpha"], CardAnswer.GOOD)
    package = from_anki(tmp_path, col)
    renamed = tmp_path / "tiny.toml"  # the author renames alpha after the phone got it
    renamed.write_text(
        SMALL_DECK.replace('id = "alpha"', 'id = "first"\nwas = ["alpha"]'), encoding="utf-8"
    )
    assert run_srs(["deck", "add", str(renamed)], env_for(db)).returncode == 0

    result = run_srs(["merge", "anki", str(package)], env_for(db, NOW + timedelta(hours=1)))
    assert result.returncode == 0, result.stderr
    assert "1 answers added" in result.stdout or "1 answer added" in result.stdout
    assert [g for _, g, _ in progress(db)["first"][1]] == [5, 4]


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
