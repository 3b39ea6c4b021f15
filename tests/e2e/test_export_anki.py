"""The Anki exporter, checked against the real Anki backend (the `anki` package from PyPI).

Like genanki's own tests, every package is imported into a fresh Anki collection, and the result is
read back through Anki's API: notes, cards, decks, rendering, the database check and the scheduler.
"""

from __future__ import annotations

import html
import re
import sqlite3
import tempfile
import warnings
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import genanki
import pytest
from anki.collection import Collection
from anki.import_export_pb2 import ImportResponse
from anki.scheduler.v3 import CardAnswer
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from anki_helpers import import_apkg
from srs.anki import export, package_file
from srs.anki.export import (
    FIELDS,
    MODEL_ID,
    MODEL_NAME,
    ExportCard,
    anki_deck_id,
    export_apkg,
)
from srs.core import cardtext
from srs.core.errors import ExportError
from srs.core.model import Card, Deck, Kind

T1 = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
T2 = T1 + timedelta(days=40)

PAPER = Deck("attention", "Attention Is All You Need", "Vaswani et al., NeurIPS 2017")
CARDS = (
    Card(
        "attention-cost",
        Kind.FINDING,
        "What is the cost of *self-attention* per layer?",
        "O(n² · d), against O(n · d²) for a recurrent layer.",
        "Table 1",
        ("complexity", "self attention"),
    ),
    Card(
        "short-sequences",
        Kind.LIMITATION,
        "When is self-attention cheaper than recurrence?",
        "When the sequence length n is smaller than the dimension d.",
        "§4",
    ),
    Card(
        "positional",
        Kind.MISREADING,
        "The model needs no notion of word order.",
        "It needs one: positional encodings are **added** to the embeddings.",
        "§3.5",
    ),
)
OTHER = Deck("bert", "BERT", "Devlin et al., NAACL 2019")
OTHER_CARD = Card("mlm", Kind.FINDING, "What does BERT pre-train on?", "Masked LM and NSP.", "§3.1")


def selection(edited_at: datetime = T1) -> list[ExportCard]:
    return [ExportCard(PAPER, card, edited_at) for card in CARDS] + [
        ExportCard(OTHER, OTHER_CARD, edited_at)
    ]


def import_package(col: Collection, path: Path) -> ImportResponse.Log:
    """Import as Anki's dialog does by default (see `anki_helpers.import_apkg`)."""
    return import_apkg(col, path)


def notes_by_card_id(col: Collection) -> dict[str, object]:
    notes = (col.get_note(nid) for nid in col.find_notes(""))
    return {note["CardId"]: note for note in notes}


def visible_text(rendered: str) -> str:
    """What a learner reads: tags dropped, entities decoded."""
    without_style = re.sub(r"<style>.*?</style>", "", rendered, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", "", without_style))


# --- what Anki sees after an import ---------------------------------------------------------------


def test_import_gives_notes_cards_decks_and_note_type(tmp_path: Path, col: Collection) -> None:
    out = tmp_path / "papers.apkg"
    report = export_apkg(selection(), out)

    assert report.path == out
    assert report.notes == 4
    assert report.decks == (
        "Attention Is All You Need::Findings",
        "Attention Is All You Need::Limitations",
        "Attention Is All You Need::Misreadings",
        "BERT::Findings",
    )

    log = import_package(col, out)
    assert len(log.new) == 4
    assert col.note_count() == 4
    assert col.card_count() == 4
    names = {deck.name for deck in col.decks.all_names_and_ids()}
    assert set(report.decks) <= names
    assert {"Attention Is All You Need", "BERT"} <= names  # parents made by Anki from `::`

    notes = notes_by_card_id(col)
    for card in (*CARDS, OTHER_CARD):
        note = notes[card.id]
        notetype = note.note_type()
        assert notetype["id"] == MODEL_ID
        assert notetype["name"] == MODEL_NAME
        assert [field["name"] for field in notetype["flds"]] == list(FIELDS)
        assert note["Kind"] == card.kind.value
        (anki_card,) = note.cards()
        deck = PAPER if card is not OTHER_CARD else OTHER
        assert col.decks.name(anki_card.did) == export.anki_deck_name(deck, card.kind)
        assert note.guid == genanki.guid_for(deck.id, card.id)
        # The note's modification time is the card's edit time, not the export's.
        assert note.mod == int(T1.timestamp())

    cost = notes["attention-cost"]
    assert cost["Front"] == "<p>What is the cost of <em>self-attention</em> per layer?</p>"
    assert cost["Back"] == "<p>O(n² · d), against O(n · d²) for a recurrent layer.</p>"
    assert cost["Source"] == "Vaswani et al., NeurIPS 2017 · Table 1"
    assert cost["Deck"] == "Attention Is All You Need"
    assert cost["CardId"] == "attention-cost"
    # Anki tags cannot hold spaces; the kind and the deck id come first.
    assert sorted(cost.tags) == sorted(["finding", "attention", "complexity", "self_attention"])
    assert sorted(notes["mlm"].tags) == ["bert", "finding"]


def test_cards_show_kind_badge_and_source(tmp_path: Path, col: Collection) -> None:
    export_apkg(selection(), tmp_path / "papers.apkg")
    import_package(col, tmp_path / "papers.apkg")
    (card,) = notes_by_card_id(col)["short-sequences"].cards()

    question = card.question()
    assert 'class="srs-kind srs-kind-limitation">limitation<' in question
    assert "Vaswani et al., NeurIPS 2017 · §4" in question
    assert ".nightMode" in question and ".night_mode" in question
    answer = visible_text(card.answer())
    assert "When the sequence length n is smaller than the dimension d." in answer


def test_misreading_asks_what_is_wrong(tmp_path: Path, col: Collection) -> None:
    export_apkg(selection(), tmp_path / "papers.apkg")
    import_package(col, tmp_path / "papers.apkg")
    notes = notes_by_card_id(col)

    (misreading,) = notes["positional"].cards()
    question = visible_text(misreading.question())
    assert question.count("What is wrong with this reading?") == 1  # the front holds the claim
    assert "The model needs no notion of word order." in question
    assert "positional encodings are added" in visible_text(misreading.answer())

    (finding,) = notes["attention-cost"].cards()
    assert "What is wrong" not in finding.question()


def test_anki_database_check_finds_no_problems(tmp_path: Path, col: Collection) -> None:
    export_apkg(selection(), tmp_path / "papers.apkg")
    import_package(col, tmp_path / "papers.apkg")

    problems, ok = col.fix_integrity()
    assert ok, problems


# --- re-imports -----------------------------------------------------------------------------------


def answer_one_card(col: Collection, deck_name: str) -> int:
    """Study `deck_name` in Anki and answer its first card Easy; returns the card id."""
    col.decks.select(col.decks.id_for_name(deck_name))
    queued = col.sched.get_queued_cards().cards[0]
    card = col.get_card(queued.card.id)
    card.start_timer()
    col.sched.answer_card(
        col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.EASY)
    )
    return card.id


def test_edited_card_updates_note_and_keeps_anki_schedule(tmp_path: Path, col: Collection) -> None:
    export_apkg(selection(), tmp_path / "v1.apkg")
    import_package(col, tmp_path / "v1.apkg")
    card_id = answer_one_card(col, "BERT::Findings")
    studied = col.get_card(card_id)
    assert studied.ivl > 0 and studied.type == 2  # graduated to review by the Easy answer

    edited = Card("mlm", Kind.FINDING, "What are BERT's *two* pre-training tasks?", "MLM and NSP.")
    items = [ExportCard(PAPER, card, T1) for card in CARDS] + [ExportCard(OTHER, edited, T2)]
    export_apkg(items, tmp_path / "v2.apkg")
    log = import_package(col, tmp_path / "v2.apkg")

    assert len(log.updated) == 1
    assert not log.new
    assert col.note_count() == 4  # updated, not duplicated
    note = notes_by_card_id(col)["mlm"]
    assert note["Front"] == "<p>What are BERT's <em>two</em> pre-training tasks?</p>"
    assert note.mod == int(T2.timestamp())
    after = col.get_card(card_id)
    assert (after.ivl, after.due, after.type, after.queue) == (
        studied.ivl,
        studied.due,
        studied.type,
        studied.queue,
    )


def test_renamed_card_updates_the_same_note_and_keeps_anki_schedule(
    tmp_path: Path, col: Collection
) -> None:
    export_apkg(selection(), tmp_path / "v1.apkg")
    import_package(col, tmp_path / "v1.apkg")
    card_id = answer_one_card(col, "BERT::Findings")
    studied = col.get_card(card_id)

    # `was = ["mlm"]`: the card's former id; a load stamps the rename as an edit (T2)
    renamed = replace(OTHER_CARD, id="bert-pretraining", was=("mlm",))
    items = [ExportCard(PAPER, card, T1) for card in CARDS] + [ExportCard(OTHER, renamed, T2)]
    export_apkg(items, tmp_path / "v2.apkg")
    log = import_package(col, tmp_path / "v2.apkg")

    assert (len(log.updated), len(log.new)) == (1, 0)
    assert col.note_count() == 4  # the same note, under its new id
    assert "mlm" not in notes_by_card_id(col)
    assert notes_by_card_id(col)["bert-pretraining"].guid == genanki.guid_for("bert", "mlm")
    after = col.get_card(card_id)
    assert (after.ivl, after.due, after.type) == (studied.ivl, studied.due, studied.type)


def test_unchanged_export_updates_nothing_and_keeps_learner_edit(
    tmp_path: Path, col: Collection
) -> None:
    export_apkg(selection(), tmp_path / "v1.apkg")
    import_package(col, tmp_path / "v1.apkg")
    note = notes_by_card_id(col)["positional"]
    note["Back"] = "My own words: order comes from the positional encodings."
    col.update_note(note)

    export_apkg(selection(), tmp_path / "again.apkg")
    log = import_package(col, tmp_path / "again.apkg")

    assert not log.updated
    assert not log.new
    assert len(log.duplicate) == 4  # Anki's word for "already there, not newer"
    assert col.note_count() == 4
    notes = notes_by_card_id(col)
    assert notes["positional"]["Back"] == "My own words: order comes from the positional encodings."
    assert notes["attention-cost"]["Front"].startswith("<p>What is the cost")


# --- hostile text ---------------------------------------------------------------------------------

HOSTILE = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "{{Front}}",
    "{{#x}}",
    "a < b",
    "\x1b[2J",
    "[sound:boom.mp3]",
)


def test_hostile_text_reaches_anki_only_as_escaped_text(tmp_path: Path, col: Collection) -> None:
    deck = Deck("evil", "Evil\x1b[31m {{Deck}}", "<b>source</b>\x07")
    cards = [
        Card(f"h{i}", Kind.FINDING, f"front {text}", f"back {text}", f"src {text}", (f"t{text}",))
        for i, text in enumerate(HOSTILE)
    ] + [Card("mis", Kind.MISREADING, " ".join(HOSTILE), " ".join(HOSTILE), "\x9b§1")]
    export_apkg([ExportCard(deck, card, T1) for card in cards], tmp_path / "evil.apkg")
    import_package(col, tmp_path / "evil.apkg")

    assert col.note_count() == len(cards)
    rendered_all = []
    for note in notes_by_card_id(col).values():
        (anki_card,) = note.cards()
        rendered_all += [anki_card.question(), anki_card.answer()]
    for rendered in rendered_all:
        assert "<script" not in rendered
        assert "<img" not in rendered
        assert not re.search(r"<[^>]*onerror", rendered)
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", rendered)
        assert "[anki:play" not in rendered  # [sound:...] was not turned into audio

    # Each fragment reads back as itself, minus control characters: the braces in the fields
    # were not read as template syntax, nor `<` as markup.
    notes = notes_by_card_id(col)
    for i, text in enumerate(HOSTILE):
        shown = text.replace("\x1b", "")
        (anki_card,) = notes[f"h{i}"].cards()
        question, answer = visible_text(anki_card.question()), visible_text(anki_card.answer())
        assert f"front {shown}" in question
        assert f"<b>source</b> · src {shown}" in question
        assert f"back {shown}" in answer
    (mis,) = notes["mis"].cards()
    assert " ".join(t.replace("\x1b", "") for t in HOSTILE) in visible_text(mis.question())

    assert notes["h0"].tags == ["evil", "finding", "t<script>alert(1)</script>"]
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert "Evil[31m {{Deck}}::Findings" in names
    problems, ok = col.fix_integrity()
    assert ok, problems


def test_plain_fields_are_escaped() -> None:
    assert cardtext.plain_field('<b a="1">&\x00\x1f\x7f\x85 {x}') == (
        "&lt;b a=&quot;1&quot;&gt;&amp; &#123;x&#125;"
    )
    assert cardtext.render_markdown("tab\there\r\nnext") == "<p>tab\there\nnext</p>"
    assert "href" not in cardtext.render_markdown("[x](javascript:alert(1))")


# --- the file -------------------------------------------------------------------------------------


def many_cards(n: int = 40) -> list[ExportCard]:
    text = "Self-attention relates every position of a sequence to every other position. "
    return [
        ExportCard(PAPER, Card(f"c{i}", Kind.FINDING, f"{i}: {text}", text * 3, "§3"), T1)
        for i in range(n)
    ]


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point tempfile at an empty directory of this test, so leftovers can be seen."""
    tmp = tmp_path / "systmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    return tmp


def test_package_is_deflated_and_leaves_no_temporary_files(
    tmp_path: Path, private_tmp: Path
) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "papers.apkg"
    export_apkg(many_cards(), out)

    assert list(private_tmp.iterdir()) == []
    assert [p.name for p in out_dir.iterdir()] == ["papers.apkg"]
    with zipfile.ZipFile(out) as zf:
        assert {info.filename for info in zf.infolist()} == {"collection.anki2", "media"}
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in zf.infolist())
        assert zf.read("media") == b"{}"

    # genanki's own writer: the same notes, stored uncompressed (and its temp file left behind).
    package, stamp, _, _ = export._build_package(tuple(many_cards()))
    plain = tmp_path / "genanki.apkg"
    package.write_to_file(str(plain), timestamp=stamp)
    assert out.stat().st_size < plain.stat().st_size / 3


def collection_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("collection.anki2")


def test_unchanged_content_gives_identical_package(tmp_path: Path) -> None:
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    export_apkg(selection(), first)
    export_apkg(selection(), second)

    assert collection_bytes(first) == collection_bytes(second)
    assert first.read_bytes() == second.read_bytes()

    export_apkg(selection(T2), tmp_path / "c.apkg")
    assert collection_bytes(tmp_path / "c.apkg") != collection_bytes(first)


def test_collection_stamps_come_from_content(tmp_path: Path) -> None:
    out = tmp_path / "papers.apkg"
    items = selection()
    items[0] = ExportCard(PAPER, CARDS[0], T2)
    export_apkg(items, out)
    db = tmp_path / "collection.anki2"
    db.write_bytes(collection_bytes(out))
    with sqlite3.connect(db) as conn:
        note_mods = {guid: mod for guid, mod in conn.execute("SELECT guid, mod FROM notes")}
        card_mods = {mod for (mod,) in conn.execute("SELECT mod FROM cards")}
    conn.close()

    assert note_mods[genanki.guid_for(PAPER.id, CARDS[0].id)] == int(T2.timestamp())
    assert sorted(note_mods.values()) == [int(T1.timestamp())] * 3 + [int(T2.timestamp())]
    assert card_mods == {int(T1.timestamp()), int(T2.timestamp())}


def test_genanki_sees_valid_html(tmp_path: Path) -> None:
    items = selection() + many_cards(3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # genanki warns of invalid HTML tags in a field
        report = export_apkg(items, tmp_path / "papers.apkg")
    assert [str(w.message) for w in caught] == []
    (tmp_path / "collection.anki2").write_bytes(
        zipfile.ZipFile(report.path).read("collection.anki2")
    )
    with sqlite3.connect(tmp_path / "collection.anki2") as conn:
        rows = conn.execute("SELECT flds FROM notes").fetchall()
    fields = [field for (flds,) in rows for field in flds.split("\x1f")]
    assert report.notes == len(rows) == len(items)
    assert "<p>What is the cost of <em>self-attention</em> per layer?</p>" in fields  # HTML it is
    assert [f for f in fields if genanki.Note._find_invalid_html_tags_in_field(f)] == []


# --- ids and errors -------------------------------------------------------------------------------


def test_deck_ids_are_stable_and_in_genanki_range() -> None:
    name = "Attention Is All You Need::Findings"
    # a fixed literal: a changed derivation would move every learner's cards to new Anki decks
    assert anki_deck_id(name) == 1453331581
    assert anki_deck_id(name) != anki_deck_id("Attention Is All You Need::Limitations")
    assert 1 << 30 <= anki_deck_id(name) < 1 << 31


def test_empty_selection_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="nothing to export: no cards selected"):
        export_apkg([], tmp_path / "x.apkg")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["missing-dir", "parent-is-file", "is-dir"])
def test_unwritable_output_is_an_error_naming_the_path(tmp_path: Path, where: str) -> None:
    if where == "missing-dir":
        out = tmp_path / "nowhere" / "x.apkg"
    elif where == "parent-is-file":
        (tmp_path / "file").write_text("")
        out = tmp_path / "file" / "x.apkg"
    else:
        out = tmp_path / "x.apkg"
        out.mkdir()

    with pytest.raises(ExportError, match=re.escape(str(out))):
        export_apkg(selection(), out)
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".part")]


def test_failed_write_keeps_the_previous_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "papers.apkg"
    export_apkg(selection(), out)
    before = out.read_bytes()

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(package_file.os, "replace", refuse)
    with pytest.raises(ExportError, match=r"cannot write .*papers\.apkg: Permission denied"):
        export_apkg(selection(T2), out, force=True)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["papers.apkg"]


def test_card_selected_twice_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="selected twice"):
        export_apkg(selection() + selection(), tmp_path / "x.apkg")


def test_naive_edit_time_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        export_apkg([ExportCard(PAPER, CARDS[0], datetime(2024, 1, 1))], tmp_path / "x.apkg")


def test_markdown_images_reach_anki_as_text_not_remote_fetches(
    tmp_path: Path, col: Collection
) -> None:
    card = Card("img", Kind.FINDING, "See ![chart](http://tracker.example/p.png)", "Back.")
    export_apkg([ExportCard(OTHER, card, T1)], tmp_path / "img.apkg")
    import_package(col, tmp_path / "img.apkg")
    question = col.get_card(col.find_cards("")[0]).question()
    assert "<img" not in question
    assert "See &#91;figure: chart&#93;" in question  # only figures the deck carries are <img>


# Characters that matter to Markdown and HTML, and some that only look as if they might.
TRICKY = list("ab Z9.)(-+=*_`#>!<&\"'\\[]{}|~:/\t\n\u00a0\u2028\u00e91")


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRICKY)))
def test_fast_path_for_plain_fields_renders_exactly_as_markdown_it(text: str) -> None:
    slow = MarkdownIt("commonmark", {"html": False}).disable("image").render(text).strip()
    assert cardtext.render_markdown(text) == slow.translate(cardtext._ANKI_MARKUP)
