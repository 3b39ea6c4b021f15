"""`srs import anki` in-process: its one-line errors, the HTML and cloze conversion, the deck file
it writes, the `guid` card key, and the schema step that adds it to older collections."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

from helpers import SMALL_DECK, run_srs, srs_env
from srs.anki.export import note_guid
from srs.anki.import_.collection import AnkiNote
from srs.anki.import_.convert import convert_notes, to_markdown
from srs.anki.import_.deckwriter import deck_toml
from srs.core.deckfile import check_deck, parse_deck
from srs.core.model import Card, Kind
from srs.store import SCHEMA_VERSION, Store

NOW = "2026-03-02T10:00:00+00:00"


def run_import(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = run_srs(["import", "anki", *args], srs_env(tmp_path / "srs.db", NOW))
    return result.returncode, result.stderr


def test_a_file_that_is_not_an_anki_package_is_one_line_and_exit_1(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.apkg"
    bogus.write_text("just text", encoding="utf-8")
    code, err = run_import(tmp_path, str(bogus), "-o", str(tmp_path / "d.toml"))
    assert (code, err) == (1, f"srs: error: {bogus}: not an Anki package (not a zip file)\n")
    plain_zip = tmp_path / "plain.apkg"
    with zipfile.ZipFile(plain_zip, "w") as zf:
        zf.writestr("readme.txt", "hello")
    code, err = run_import(tmp_path, str(plain_zip), "-o", str(tmp_path / "d.toml"))
    assert code == 1 and "not an Anki package (no collection inside)" in err
    assert not (tmp_path / "d.toml").exists()


def test_a_package_that_cannot_be_read_is_named_with_the_reason(tmp_path: Path) -> None:
    missing = tmp_path / "nothere.apkg"
    code, err = run_import(tmp_path, str(missing), "-o", str(tmp_path / "d.toml"))
    assert (code, err) == (1, f"srs: error: cannot read {missing}: No such file or directory\n")
    code, err = run_import(tmp_path, str(tmp_path), "-o", str(tmp_path / "d.toml"))
    assert (code, err) == (1, f"srs: error: cannot read {tmp_path}: Is a directory\n")


def test_a_package_from_a_newer_anki_is_refused_in_one_line(tmp_path: Path) -> None:
    newer = tmp_path / "newer.apkg"
    with zipfile.ZipFile(newer, "w") as zf:
        zf.writestr("meta", b"\x08\x09")  # PackageMetadata { version: 9 }
        zf.writestr("collection.anki21c", b"?")
    code, err = run_import(tmp_path, str(newer), "-o", str(tmp_path / "d.toml"))
    assert code == 1 and err.count("\n") == 1
    assert "made by a newer Anki (package format 9; srs reads up to 3)" in err


def test_an_existing_output_needs_force_and_an_unwritable_one_is_named(tmp_path: Path) -> None:
    existing = tmp_path / "d.toml"
    existing.write_text("keep me", encoding="utf-8")
    code, err = run_import(tmp_path, "missing.apkg", "-o", str(existing))
    assert (code, err) == (1, f"srs: error: {existing} exists; pass --force to replace it\n")
    assert existing.read_text("utf-8") == "keep me"
    nowhere = tmp_path / "no-such-folder" / "d.toml"
    code, err = run_import(tmp_path, "missing.apkg", "-o", str(nowhere))
    assert code == 1 and f"cannot write {nowhere}: no folder" in err


def test_field_html_becomes_markdown_without_raw_html() -> None:
    assert to_markdown("<b>bold</b> and <i>it</i>") == "**bold** and *it*"
    assert to_markdown("a &lt;b&gt; c<script>alert(1)</script>") == "a \\<b> c"
    assert to_markdown("<ul><li>one</li><li>two</li></ul>") == "- one\n- two"
    assert to_markdown("x\x1b[2J\x9by") == "x[2Jy"  # ESC and CSI gone, the rest text


def note(fields: tuple[str, ...], cloze: bool = False, **kw: object) -> AnkiNote:
    defaults: dict[str, object] = dict(
        guid="g1", templates=1, field_names=("Front", "Back"), tags=(), deck="D"
    )
    defaults.update(kw)
    return AnkiNote(fields=fields, cloze=cloze, **defaults)  # type: ignore[arg-type]


def test_a_cloze_note_becomes_a_cloze_card_keeping_its_guid_without_a_warning() -> None:
    made = convert_notes(
        [note(("{{c1::Paris}} is in {{c2::France::country}}", ""), cloze=True, guid="g")],
        Kind.FINDING,
        False,
        "src",
    )
    assert [(c.id, c.front, c.back) for c in made.cards] == [
        ("paris-is-in-france#c1", "[...] is in France", "**Paris** is in France"),
        ("paris-is-in-france#c2", "Paris is in [country]", "Paris is in **France**"),
    ]
    assert {c.cloze for c in made.cards} == {"{{c1::Paris}} is in {{c2::France::country}}"}
    assert all(c.guid == "g" for c in made.cards)
    assert not any("cloze" in w for w in made.warnings)


def test_card_ids_are_slugs_of_the_front_made_unique_and_media_is_named() -> None:
    made = convert_notes(
        [
            note(("Über die Zellteilung?", "Mitose"), guid="a"),
            note(("Über die Zellteilung?", '<img src="cell.png">Meiose'), guid="b"),
            note(("[sound:q.mp3]", "x"), guid="c"),
        ],
        Kind.LIMITATION,
        False,
        "src",
    )
    assert [c.id for c in made.cards] == ["uber-die-zellteilung", "uber-die-zellteilung-2"]
    assert [c.guid for c in made.cards] == ["a", "b"]
    assert "media not imported: cell.png (referenced by a field)" in made.warnings
    assert any(w.startswith("sound not imported") and "q.mp3" in w for w in made.warnings)
    assert any("1 notes skipped" in w for w in made.warnings)


def test_kind_from_tag_takes_the_kind_and_drops_that_tag() -> None:
    made = convert_notes(
        [note(("q", "a"), tags=("paper::misreading", "Methods", "methods"))],
        Kind.FINDING,
        True,
        "src",
    )
    (card,) = made.cards
    assert card.kind is Kind.MISREADING and card.tags == ("Methods",)


def test_the_written_deck_file_reads_back_to_the_same_cards() -> None:
    cards = [
        Card(
            "a", Kind.FINDING, 'Quote " and \\ back', "two\nlines\n\nhere", "s", ("t",), 0, 'g`"\\'
        ),
        Card("b", Kind.LIMITATION, 'Ends with quote"', 'x"""y', "s", (), 0, None),
    ]
    text = deck_toml("bio", 'Bio "deck"', "", cards)
    assert [d for d in check_deck(text) if d.severity == "error"] == []
    deck = parse_deck(text)
    assert deck.title == 'Bio "deck"'
    assert [(c.front, c.back, c.guid) for c in deck.cards] == [
        (c.front, c.back, c.guid) for c in cards
    ]


def test_a_guid_must_be_printable_ascii_without_spaces() -> None:
    bad = SMALL_DECK.replace('source = "§1"', 'source = "§1"\nguid = "has space"')
    (diag,) = [d for d in check_deck(bad) if d.severity == "error"]
    assert diag.code == "bad-guid" and diag.line == 12


def test_an_imported_guid_is_the_exported_note_guid() -> None:
    deck = parse_deck(SMALL_DECK.replace('source = "§1"', 'source = "§1"\nguid = "Ab1:x{"'))
    alpha, beta = deck.cards[:2]
    assert note_guid(deck, alpha) == "Ab1:x{"
    assert note_guid(deck, beta) not in {"", "Ab1:x{"}


def test_a_version_1_collection_gains_the_guid_column_and_keeps_progress(db: Path) -> None:
    store = Store.open(f"sqlite:///{db}", str(db))
    store.content.load_deck(parse_deck(SMALL_DECK), datetime(2026, 3, 1, tzinfo=UTC))
    pk = store.content.cards()[0].pk
    store.study.record_answer(pk, 5, datetime(2026, 3, 1, 9, tzinfo=UTC), date(2026, 3, 1))
    store.close()
    with sqlite3.connect(db) as conn:  # as srs before schema 2 left it
        conn.execute("ALTER TABLE cards DROP COLUMN guid")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    store = Store.open(f"sqlite:///{db}", str(db))
    try:
        assert store.study.state(pk).interval == 1 and store.content.cards()[0].card.guid is None
        assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
    finally:
        store.close()


def test_extra_fields_join_the_back_but_not_the_add_reverse_switch() -> None:
    made = convert_notes(
        [
            note(("q", "a", "y"), field_names=("Front", "Back", "Add Reverse")),
            note(("q2", "a2", "more"), field_names=("Front", "Back", "Notes")),
        ],
        Kind.FINDING,
        False,
        "src",
    )
    assert [c.back for c in made.cards] == ["a", "a2\n\nmore"]


def test_imported_progress_never_overwrites_progress_made_in_srs(db: Path) -> None:
    from srs.core.model import ImportedProgress, PastReview, ReviewKind, SchedState

    store = Store.open(f"sqlite:///{db}", str(db))
    try:
        store.content.load_deck(parse_deck(SMALL_DECK), datetime(2026, 3, 1, tzinfo=UTC))
        pks = {c.card.id: c.pk for c in store.content.cards()}
        store.study.record_answer(
            pks["alpha"], 5, datetime(2026, 3, 1, 9, tzinfo=UTC), date(2026, 3, 1)
        )
        mine = store.study.state(pks["alpha"])
        anki = SchedState(n=3, ef=230, interval=20, due=date(2026, 3, 15), lapses=1, reps=5)
        past = PastReview(
            datetime(2026, 2, 1, 8, tzinfo=UTC),
            date(2026, 2, 1),
            4,
            ReviewKind.NEW,
            SchedState(),
            anki,
            first=True,
        )
        items = [ImportedProgress(cid, anki, (past,)) for cid in ("alpha", "beta", "nope")]
        assert store.transfer.import_progress("tiny", items) == 1
        assert store.study.state(pks["alpha"]) == mine
        assert store.study.state(pks["beta"]) == anki
        assert [(r.grade, r.day) for r in store.study.log_for_card(pks["beta"])] == [
            (4, date(2026, 2, 1))
        ]
        assert store.transfer.import_progress("tiny", items) == 0  # a second import changes nothing
    finally:
        store.close()
