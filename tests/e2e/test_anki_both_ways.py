"""Anki both ways, against the real Anki backend: progress out with `srs export anki
--with-progress`, and packages in with `srs import anki`, in all three package formats."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import zstandard
from anki.collection import Collection, ExportAnkiPackageOptions
from anki.decks import DeckId
from anki.scheduler.v3 import CardAnswer

from anki_helpers import import_apkg
from helpers import SMALL_DECK, run_srs, srs_env
from srs.anki.import_ import limits as anki_limits
from srs.core.days import study_day
from srs.core.deckfile import read_deck_file
from srs.store import Store

NOW = datetime.now(UTC).replace(microsecond=0)


def env_for(db: Path, now: datetime = NOW) -> dict[str, str]:
    """srs at the same moment as the Anki backend (which reads the real clock), in UTC."""
    return srs_env(db, now.isoformat())


# --- progress out -----------------------------------------------------------------------------


def test_exported_progress_becomes_each_reviewed_cards_anki_schedule(
    tmp_path: Path, col: Collection
) -> None:
    db = tmp_path / "srs.db"
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    assert run_srs(["deck", "add", str(deck)], env_for(db)).returncode == 0
    today = study_day(NOW, UTC)
    store = Store.open(f"sqlite:///{db}", str(db))
    try:
        pks = {c.card.id: c.pk for c in store.content.cards()}
        for days_ago, grade in ((10, 5), (9, 5), (3, 4)):  # alpha: 1, 6, then 17 days
            at = NOW - timedelta(days=days_ago)
            store.study.record_answer(pks["alpha"], grade, at, study_day(at, UTC))
        store.study.record_answer(pks["beta"], 2, NOW, today)  # a lapse-free failure, then a drill
        store.study.record_answer(pks["beta"], 4, NOW, today)
        expected = {cid: store.study.state(pks[cid]) for cid in ("alpha", "beta")}
        logs = {cid: len(store.study.log_for_card(pks[cid])) for cid in ("alpha", "beta")}
    finally:
        store.close()

    out = tmp_path / "tiny.apkg"
    result = run_srs(["export", "anki", "-o", str(out), "--with-progress"], env_for(db))
    assert result.returncode == 0, result.stderr
    assert "only to cards it does not have yet" in result.stdout
    assert "Import scheduling" in result.stdout
    import_apkg(col, out, with_scheduling=True)

    by_front = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        by_front[card.note()["CardId"]] = card
    assert by_front["gamma"].type == 0  # never reviewed: new in Anki too
    for card_id, state in expected.items():
        card = by_front[card_id]
        assert (card.type, card.queue) == (2, 2)
        assert card.ivl == state.interval
        assert card.factor == state.ef * 10
        assert state.due is not None
        assert card.due - col.sched.today == (state.due - today).days
        assert (card.reps, card.lapses) == (state.reps, state.lapses)
        assert len(col.card_stats_data(card.id).revlog) == logs[card_id]

    # Anki's own scheduler takes it from there: a review card with srs's interval and ease.
    alpha = by_front["alpha"]
    states = col._backend.get_scheduling_states(alpha.id)
    review = states.current.normal.review
    assert review.scheduled_days == expected["alpha"].interval
    assert review.ease_factor == pytest.approx(expected["alpha"].ef / 100)
    alpha.start_timer()
    col.sched.answer_card(col.sched.build_answer(card=alpha, states=states, rating=CardAnswer.GOOD))
    assert col.get_card(alpha.id).ivl > expected["alpha"].interval


# --- packages in --------------------------------------------------------------------------------


def fill(col: Collection) -> set[str]:
    """Basic, Basic-and-reversed and Cloze notes; returns their guids."""
    basic = col.models.by_name("Basic")
    note = col.new_note(basic)
    note["Front"] = "What does <b>attention</b> cost?"
    note["Back"] = "O(n<sup>2</sup>) &lt;per layer&gt;"
    note.tags = ["complexity", "limitation"]
    col.add_note(note, DeckId(1))
    rev = col.new_note(col.models.by_name("Basic (and reversed card)"))
    rev["Front"], rev["Back"] = "Katze", "cat"
    rev.tags = ["german"]
    col.add_note(rev, DeckId(1))
    cloze = col.new_note(col.models.by_name("Cloze"))
    cloze["Text"] = "{{c1::Paris}} is the capital of {{c2::France::country}}"
    col.add_note(cloze, DeckId(1))
    return {note.guid, rev.guid, cloze.guid}


def legacy_anki2(legacy: Path, out: Path) -> Path:
    """Anki's legacy package with its collection as `collection.anki2` (the pre-2.1 name)."""
    with zipfile.ZipFile(legacy) as src, zipfile.ZipFile(out, "w") as dst:
        dst.writestr("collection.anki2", src.read("collection.anki21"))
        dst.writestr("media", src.read("media"))
    return out


@pytest.mark.parametrize("form", ["anki2", "anki21", "anki21b", "colpkg"])
def test_packages_anki_writes_import_with_text_tags_and_guids(
    tmp_path: Path, col: Collection, form: str
) -> None:
    guids = fill(col)
    reverse = col.models.by_name("Basic (and reversed card)")  # (a .colpkg export closes col)
    path = tmp_path / f"in.{'colpkg' if form == 'colpkg' else 'apkg'}"
    if form == "colpkg":
        col.export_collection_package(str(path), include_media=True, legacy=False)
    else:
        options = ExportAnkiPackageOptions(
            with_scheduling=False,
            with_deck_configs=False,
            with_media=True,
            legacy=form != "anki21b",
        )
        col.export_anki_package(out_path=str(path), options=options, limit=None)
        if form == "anki2":
            path = legacy_anki2(path, tmp_path / "old.apkg")
    with zipfile.ZipFile(path) as zf:
        assert "collection.anki2" in zf.namelist()  # the dummy is there for the new formats too

    out = tmp_path / "bio.toml"
    env = env_for(tmp_path / "srs.db")
    result = run_srs(["import", "anki", str(path), "-o", str(out), "--kind-from-tag"], env)
    assert result.returncode == 0, result.stderr
    assert "cloze" not in result.stderr and "Please update" not in out.read_text("utf-8")
    check = run_srs(["deck", "check", str(out)], env)
    assert check.returncode == 0 and "0 errors" in check.stdout

    deck = read_deck_file(out)
    cards = {c.front: c for c in deck.cards}
    first = cards["What does **attention** cost?"]
    assert first.back == "O(n2) \\<per layer>"
    assert first.kind.value == "limitation" and first.tags == ("complexity",)
    assert cards["Katze"].back == "cat" and cards["Katze"].tags == ("german",)
    kept = cards["Katze"].anki_note_type
    assert kept is not None and (kept.id, kept.name) == (reverse["id"], reverse["name"])
    assert kept.fields == ("Front", "Back") and kept.templates == ("Card 1", "Card 2")
    assert cards["[...] is the capital of France"].anki_note_type is None  # from a cloze note
    assert {c.guid for c in deck.cards if c.guid} == guids
    # the cloze note is one cloze card: an item a deletion, the note's guid on each
    asked = cards["[...] is the capital of France"]
    assert asked.back == "**Paris** is the capital of France" and asked.deletion == 1
    assert cards["Paris is the capital of [country]"].guid == asked.guid


def test_a_package_whose_collection_srs_cannot_read_is_not_taken_for_its_dummy(
    tmp_path: Path, col: Collection
) -> None:
    fill(col)
    path = tmp_path / "new.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
    )
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    future = tmp_path / "future.apkg"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(future, "w") as dst:
        dst.writestr("collection.anki2", src.read("collection.anki2"))  # the dummy
        dst.writestr("collection.anki21c", src.read("collection.anki21b"))  # an unknown format
    out = tmp_path / "f.toml"
    result = run_srs(["import", "anki", str(future), "-o", str(out)], env_for(tmp_path / "s.db"))
    assert result.returncode == 1 and "made by a newer Anki" in result.stderr
    assert result.stderr.count("\n") == 1 and not out.exists()


def test_anki_notes_round_trip_through_srs_and_update_in_place_with_ankis_default_options(
    tmp_path: Path, col: Collection
) -> None:
    basic = col.models.by_name("Basic")
    for i in range(3):
        note = col.new_note(basic)
        note["Front"], note["Back"] = f"Question {i}", f"Answer {i}"
        col.add_note(note, DeckId(1))
    # Study the first card in Anki so that --with-progress has something to bring.
    queued = col.sched.get_queued_cards().cards[0]
    card = col.get_card(queued.card.id)
    card.start_timer()
    col.sched.answer_card(
        col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.EASY)
    )
    studied = col.get_card(card.id)
    apkg = tmp_path / "mine.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False
    )
    col.export_anki_package(out_path=str(apkg), options=options, limit=None)
    before = col.note_count()
    note_types = sorted(n.id for n in col.models.all_names_and_ids())

    db, out = tmp_path / "srs.db", tmp_path / "mine.toml"
    # srs takes the notes in after Anki last changed them (Anki's note times are in seconds)
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    env = env_for(db, moment)
    result = run_srs(["import", "anki", str(apkg), "-o", str(out), "--with-progress"], env)
    assert result.returncode == 0, result.stderr
    assert "Anki progress given to 1 cards" in result.stdout
    assert f"anki_note_type = {{ id = {basic['id']}, name = " in out.read_text("utf-8")
    store = Store.open(f"sqlite:///{db}", str(db))
    try:
        (stored,) = [c for c in store.content.cards() if c.card.guid == studied.note().guid]
        state = store.study.state(stored.pk)
        log = [(r.grade, r.review_kind.value) for r in store.study.log_for_card(stored.pk)]
    finally:
        store.close()
    assert state.interval == studied.ivl and state.ef == studied.factor // 10
    assert log == [(5, "new")]  # Anki's Easy, the card's first answer
    assert state.due == study_day(moment, UTC) + timedelta(days=studied.due - col.sched.today)

    # The learner edits an answer in the deck file and loads it again, as they would.
    text = out.read_text("utf-8").replace('back = "Answer 1"', 'back = "Answer *one*"')
    out.write_text(text, "utf-8")
    assert run_srs(["deck", "add", str(out)], env).returncode == 0
    assert run_srs(["deck", "check", str(out)], env).returncode == 0
    back = tmp_path / "back.apkg"
    assert run_srs(["export", "anki", "mine", "-o", str(back)], env).returncode == 0

    result_log = import_apkg(col, back)  # Anki's default options: no "merge note types"
    assert col.note_count() == before
    assert (len(result_log.new), len(result_log.updated)) == (0, before)
    assert not result_log.conflicting
    assert sorted(n.id for n in col.models.all_names_and_ids()) == note_types  # no copy
    assert col.models.by_name("Basic")["tmpls"] == basic["tmpls"]  # the learner's own
    answers = {col.get_note(nid)["Front"]: col.get_note(nid)["Back"] for nid in col.find_notes("")}
    assert answers["<p>Question 1</p>"] == "<p>Answer <em>one</em></p>"
    note = col.get_card(studied.id).note()
    assert note.guid == studied.note().guid and note.mid == basic["id"]
    assert (col.get_card(studied.id).ivl, col.get_card(studied.id).due) == (
        studied.ivl,
        studied.due,
    )


# --- hostile packages ---------------------------------------------------------------------------


def hostile_package(tmp_path: Path, col: Collection) -> Path:
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"] = "<script>alert(1)</script>Hi {{c1::x}} {{Front}} \x1b[2J\x1b]2;PWNED\x07"
    note["Back"] = '<img src="../../x.png"><a href="javascript:alert(1)">click</a> [sound:../y.mp3]'
    col.add_note(note, DeckId(1))
    path = tmp_path / "hostile.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=False, legacy=True
    )
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    with zipfile.ZipFile(path) as src:
        entries = {n: src.read(n) for n in src.namelist()}
    entries["media"] = b'{"0": "../../x", "1": "/etc/passwd"}'
    entries["0"] = b"not written anywhere"
    entries["1"] = b"nor this"
    with zipfile.ZipFile(path, "w") as dst:
        for name, data in entries.items():
            dst.writestr(name, data)
    return path


def test_a_hostile_package_arrives_as_text_and_writes_only_the_deck_file(
    tmp_path: Path, col: Collection
) -> None:
    path = hostile_package(tmp_path, col)
    work = tmp_path / "work"
    (work / "decks").mkdir(parents=True)
    before = sorted(p for p in tmp_path.rglob("*") if "anki" not in p.parts)
    result = run_srs(
        ["import", "anki", str(path), "-o", "decks/evil.toml"], env_for(tmp_path / "s.db"), cwd=work
    )
    assert result.returncode == 0, result.stderr
    after = sorted(p for p in tmp_path.rglob("*") if "anki" not in p.parts)
    assert set(after) - set(before) == {work / "decks" / "evil.toml"}
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.png").exists()
    assert "\x1b" not in result.stdout + result.stderr
    assert "media not imported: ../../x.png" in result.stderr

    (card,) = read_deck_file(work / "decks" / "evil.toml").cards
    assert "alert" not in card.front and "\x1b" not in card.front
    assert "{{c1::x}}" in card.front  # text, which the exporter entity-escapes for Anki
    check = run_srs(["deck", "check", "decks/evil.toml"], env_for(tmp_path / "s.db"), cwd=work)
    assert check.returncode == 0


def test_a_zstd_bomb_stops_at_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(anki_limits, "LIMITS", anki_limits.ImportLimits(unpacked=1 << 20))
    compressor = zstandard.ZstdCompressor(level=1)
    bomb = compressor.compress(b"\0" * (64 << 20))  # 64 MiB of zeros in a few kilobytes
    path = tmp_path / "bomb.apkg"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("meta", b"\x08\x03")
        zf.writestr("collection.anki21b", bomb)
    result = run_srs(["import", "anki", str(path), "-o", str(tmp_path / "b.toml")], {})
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "larger than 1048576 bytes" in result.stderr
    assert not (tmp_path / "b.toml").exists()
