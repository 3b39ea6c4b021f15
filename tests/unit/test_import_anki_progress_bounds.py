"""Progress from Anki is checked before it is stored (issue 28): a card whose scheduling holds a
value out of range keeps no progress, with a warning that counts them, and `srs review`,
`history`, `stats` and `simulate` work afterwards. States read back are checked once more."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from anki_packages import package
from helpers import run_srs, srs_env
from srs.anki.import_.collection import AnkiNote
from srs.anki.import_.convert import convert_notes
from srs.core.model import NEW_STATE, Kind, SchedState
from srs.core.scheduling.bounds import valid_state

NOW = "2026-03-02T10:00:00+00:00"
TODAY = 838  # Anki's day number of NOW in a collection created at 1700000000
SANE = f"UPDATE cards SET type = 2, queue = 2, due = {TODAY + 3}, ivl = 10, factor = 2500, " \
    "reps = 5, lapses = 1;" \
    "INSERT INTO revlog VALUES (1772000000000, 101, 3, 10, 2500, 1);" \
    "INSERT INTO revlog VALUES (1772000000000, 102, 3, 10, 2500, 1);"  # fmt: skip

HOSTILE = {
    "factor 1e300": "UPDATE cards SET factor = 1e300 WHERE id = 101",
    "factor 2^62": f"UPDATE cards SET factor = {2**62} WHERE id = 101",
    "factor 20000": "UPDATE cards SET factor = 20000 WHERE id = 101",
    "ivl 2^62": f"UPDATE cards SET ivl = {2**62} WHERE id = 101",
    "ivl 1e300": "UPDATE cards SET ivl = 1e300 WHERE id = 101",
    "due 2^62": f"UPDATE cards SET due = {2**62} WHERE id = 101",
    "due -2^62": f"UPDATE cards SET due = {-(2**62)} WHERE id = 101",
    "text reps": "UPDATE cards SET reps = 'many' WHERE id = 101",
    "negative lapses": "UPDATE cards SET lapses = -1 WHERE id = 101",
    "null type": "UPDATE cards SET type = NULL WHERE id = 101",
    "revlog id 2^62": f"UPDATE revlog SET id = {2**62} WHERE cid = 101",
    "revlog id text": "UPDATE revlog SET id = 'when' WHERE cid = 101",
    "revlog ease 9": "UPDATE revlog SET ease = 9 WHERE cid = 101",
    "revlog ivl 2^62": f"UPDATE revlog SET ivl = {2**62} WHERE cid = 101",
    "revlog factor 1e300": "UPDATE revlog SET factor = 1e300 WHERE cid = 101",
}


def srs(tmp_path: Path, *args: str, keys: str = "") -> str:
    done = run_srs(list(args), srs_env(tmp_path / "srs.db", NOW), input=keys)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr
    return done.stdout + done.stderr


def test_hostile_progress_values_leave_their_cards_new_and_every_command_works(
    tmp_path: Path,
) -> None:
    # one package, each hostile value on a card of its own (card 101 + i), the last card sane:
    # one import and one run of every command cover them all
    names = list(HOSTILE)
    hostile = "".join(
        HOSTILE[name].replace("= 101", f"= {101 + i}") + ";" for i, name in enumerate(names)
    )
    revlog = "".join(
        f"INSERT INTO revlog VALUES (1772000000000, {101 + i}, 3, 10, 2500, 1);"
        for i in range(len(names) + 1)
    )
    fronts = [f"Hostile card {i}?" for i in range(len(names))] + ["The sane one?"]
    apkg = package(tmp_path / "p.apkg", fronts, script=SANE.split(";")[0] + ";" + revlog + hostile)
    out = srs(tmp_path, "import", "anki", str(apkg), "-o", str(tmp_path / "deck.toml"),
              "--with-progress")  # fmt: skip
    assert f"{len(names)} cards have scheduling values out of range" in out
    assert "Anki progress given to 1 card" in out
    listed = json.loads(srs(tmp_path, "cards", "--json"))
    intervals = {card["front"]: card["interval"] for card in listed}
    assert intervals == {**dict.fromkeys(fronts[:-1], 0), "The sane one?": 10}, intervals
    srs(tmp_path, "review", keys=" 4 4 4 4")
    for card in listed[::4]:
        srs(tmp_path, "history", f"{card['deck']}/{card['card']}")
    srs(tmp_path, "stats")
    srs(tmp_path, "status")
    srs(tmp_path, "simulate", "--days", "30")


def test_a_card_anki_scheduled_with_fsrs_keeps_its_progress_and_log(tmp_path: Path) -> None:
    # with FSRS, Anki's review log holds the difficulty in hundredths where SM-2's ease was
    fsrs_log = SANE.replace("3, 10, 2500, 1);", "3, 10, 550, 1);")
    apkg = package(tmp_path / "p.apkg", ["What is a cell?", "Second question"], script=fsrs_log)
    out = srs(tmp_path, "import", "anki", str(apkg), "-o", str(tmp_path / "deck.toml"),
              "--with-progress")  # fmt: skip
    assert "out of range" not in out and "Anki progress given to 2 cards" in out
    history = json.loads(srs(tmp_path, "history", "deck/what-is-a-cell", "--json"))
    assert len(history["log"]) == 1


def test_valid_state_refuses_what_would_crash_a_review() -> None:
    good = SchedState(n=2, ef=250, interval=6, due=date(2026, 3, 8), lapses=0, reps=2)
    assert valid_state(good) is good and valid_state(NEW_STATE) is NEW_STATE
    bad = [
        replace(good, ef=1e300),  # type: ignore[arg-type]
        replace(good, ef=2**62),
        replace(good, ef=100),
        replace(good, interval=2**62),
        replace(good, interval=-1),
        replace(good, n="2"),  # type: ignore[arg-type]
        replace(good, reps=True),
        replace(good, due=date(9999, 1, 1)),
        replace(good, scheduler="other"),
        replace(good, scheduler="fsrs", stability=float("nan"), difficulty=5.0),
        replace(good, scheduler="fsrs", stability=3.0, difficulty=None),
        replace(good, scheduler="fsrs", stability=3.0, difficulty=11.0),
    ]
    assert [valid_state(s) for s in bad] == [None] * len(bad)


def note(front: str, cloze: bool = False, nid: int = 1) -> AnkiNote:
    return AnkiNote(guid=f"g{nid}", cloze=cloze, templates=1, field_names=("Front", "Back"),
                    fields=(front, "Back"), tags=(), deck="D", nid=nid)  # fmt: skip


def test_thirty_thousand_fronts_without_a_letter_get_unique_ids_in_linear_work() -> None:
    notes = [note("细胞", nid=0) for _ in range(30_000)]  # no note id: a counter on `card`
    notes += [note("card 5", nid=0)]  # a natural `card-5` taken after `card-5` was given
    started = time.process_time()
    cards = convert_notes(notes, Kind.FINDING, False, "src").cards
    spent = time.process_time() - started
    ids = [c.id for c in cards]
    assert ids[:3] == ["card", "card-2", "card-3"] and len(set(ids)) == len(ids) == 30_001
    assert ids[-1] == "card-5-2"
    assert spent < 20  # CPU seconds, a very wide margin: the quadratic way took 143 s


def test_a_front_without_a_letter_takes_its_notes_id_which_a_reimport_keeps() -> None:
    notes = [note("细胞", nid=1_700_000_000_001), note("核糖体", nid=1_700_000_000_002)]
    first = [c.id for c in convert_notes(notes, Kind.FINDING, False, "src").cards]
    again = [c.id for c in convert_notes(notes[::-1], Kind.FINDING, False, "src").cards]
    assert first == ["note-1700000000001", "note-1700000000002"]
    assert sorted(again) == sorted(first)  # the same ids whatever the order of the notes


def test_the_cloze_scan_is_linear_on_unclosed_and_huge_deletions() -> None:
    started = time.process_time()
    made = convert_notes(
        [note("{{c1::" + "::" * 40_000, cloze=True), note("{{c" + "9" * 5000 + "::x}}", True)],
        Kind.FINDING, False, "src",
    )  # fmt: skip
    assert time.process_time() - started < 10  # CPU seconds; the pattern backtracked for 130 s
    assert made.cards == [] and made.skipped == 2


def test_deletions_keep_their_hints_and_a_note_over_the_bound_is_named() -> None:
    made = convert_notes([note("A {{c1::cell::unit}} has {{c2::a wall}}.", cloze=True)],
                         Kind.FINDING, False, "src")  # fmt: skip
    assert [c.front for c in made.cards] == ["A [unit] has a wall.", "A cell has [...]."]
    text = " ".join(f"{{{{c{i}::w{i}}}}}" for i in range(1, 8))
    assert convert_notes([note(text, True, nid=42)], Kind.FINDING, False, "s", max_deletions=6
                         ).too_many == 42  # fmt: skip
