"""`srs import anki` shows a note as its note type's first template does (issue 27): checked
against the real Anki backend's own `card.question()` and `card.answer()`, as text."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from anki.collection import Collection, ExportAnkiPackageOptions
from anki.decks import DeckId

from anki_helpers import import_apkg
from helpers import run_srs, srs_env
from srs.anki.import_ import import_package
from srs.anki.import_.template import render, without_hidden
from srs.core.cardspans import parser, spans
from srs.core.deckfile import check_deck, read_deck_file

AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


def as_text(fragment: str) -> str:
    """HTML as a reader sees it: styles gone, tags gone, entities decoded, whitespace as one."""
    fragment = re.sub(r"<style>.*?</style>", " ", fragment, flags=re.S)
    fragment = re.sub(r'<div style="display: ?none">.*?</div>', " ", fragment, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", fragment)).split())


def shown(markdown: str) -> str:
    return as_text(parser().render(markdown))


def note_type(col: Collection, name: str, fields: list[str], qfmt: str, afmt: str) -> object:
    models = col.models
    model = models.new(name)
    for field_name in fields:
        models.add_field(model, models.new_field(field_name))
    template = models.new_template("Card 1")
    template["qfmt"], template["afmt"] = qfmt, afmt
    models.add_template(model, template)
    models.add(model)
    return models.by_name(name)


def add(col: Collection, model: object, **values: str) -> None:
    note = col.new_note(model)  # type: ignore[arg-type]
    for key, value in values.items():
        note[key] = value
    col.add_note(note, DeckId(1))


def test_notes_of_other_types_show_what_ankis_own_rendering_shows(
    tmp_path: Path, col: Collection
) -> None:
    ipa = note_type(
        col,
        "Basic (+IPA)",
        ["Word", "Meaning", "IPA"],
        "{{Word}}",
        "{{FrontSide}}<hr id=answer>{{Meaning}}",
    )
    add(col, ipa, Word="xin chào", Meaning="<b>hello</b> [greeting]", IPA="[sin˧˧ t͡ɕaw˨˩]")
    add(col, ipa, Word="cảm ơn", Meaning="thank you - a &lt; b", IPA="[kam˧˩ ən˧˧]")
    vocab = note_type(
        col,
        "Vocab",
        ["Term", "Definition", "Example", "Source"],
        "{{Term}}{{^Example}} <i>(no example)</i>{{/Example}}{{type:Definition}}",
        "{{FrontSide}}<hr id=answer>{{Definition}}{{#Example}}<br>e.g. {{text:Example}}"
        '{{/Example}}<div style="display: none">{{Source}}</div>',
    )
    add(col, vocab, Term="entropy", Definition="disorder", Example="<b>ice</b> melting")
    add(col, vocab, Term="enthalpy", Definition="heat content", Source="a book")
    expected = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        answer = card.answer().split("<hr id=answer>", 1)[1]
        # `[[type:...]]` is where Anki's own screen puts its typing box: text for no one
        question = re.sub(r"\[\[type:[^\]]*\]\]", "", card.question())
        expected[as_text(question)] = as_text(answer)
    apkg = tmp_path / "types.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
    )
    col.export_anki_package(out_path=str(apkg), options=options, limit=None)

    out = tmp_path / "types.toml"
    result = import_package(apkg, out, now=AT, today=AT.date(), day_of=lambda at: at.date())
    cards = read_deck_file(out).cards
    assert [d for d in check_deck(out.read_bytes()) if d.severity == "error"] == []
    assert {shown(c.front): shown(c.back) for c in cards} == expected
    assert "a < b" in expected["cảm ơn"] and "(no example)" in next(
        q for q in expected if q.startswith("enthalpy")
    )
    warned = [w for w in result.warnings if "left out" in w]
    assert warned == [
        "2 fields of notes of type 'Basic (+IPA)' were left out: its first card template does "
        "not show them"
    ]  # the hidden Source is shown by the template, only CSS hides it
    assert not any("IPA" in c.back or "˧" in c.back for c in cards)
    backs = {c.back for c in cards}  # text as written: no escapes Markdown does not need
    assert "**hello** [greeting]" in backs and "thank you - a < b" in backs


def test_ankis_five_latex_forms_in_a_real_package_become_srs_math(
    tmp_path: Path, col: Collection
) -> None:
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"] = "Which laws hold?"
    note["Back"] = (
        "[$]\\alpha &lt; \\beta[/$], [$$]\\sum_i x_i[/$$], [latex]$\\textbf{C}$[/latex], "
        "\\(x^2\\) and <div>\\[E = mc^2\\]</div> cost $5"
    )
    col.add_note(note, DeckId(1))
    apkg = tmp_path / "math.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
    )
    col.export_anki_package(out_path=str(apkg), options=options, limit=None)
    out = tmp_path / "math.toml"
    import_package(apkg, out, now=AT, today=AT.date(), day_of=lambda at: at.date())
    (card,) = read_deck_file(out).cards
    assert [(m.latex, m.display) for m in spans(card.back).math] == [
        ("\\alpha < \\beta", False),
        ("\\sum_i x_i", True),
        ("\\textbf{C}", False),
        ("x^2", False),
        ("E = mc^2", True),
    ]
    assert card.back.endswith("cost \\$5")
    assert [d for d in check_deck(out.read_bytes()) if d.severity == "error"] == []


def test_the_renderer_takes_sections_filters_and_hidden_classes() -> None:
    fields = {"A": "<b>x</b>", "B": "", "C": "y", "Tags": "t1 t2"}
    made = render("{{#A}}a={{text:A}}{{/A}}{{^B}} no-b{{/B}}{{#B}}never{{/B}} {{hint:C}}", fields)
    assert made.html == "a=x no-b y" and made.shown == {"A", "C"}
    hidden = render('<span class="secret">{{C}}</span>{{A}}', fields, ".secret { display:none }")
    assert hidden.html == "<b>x</b>"
    assert render("{{#A}}{{#A}}deep{{/A}}", fields).html == "deep"  # unclosed: runs to the end
    assert render("{{/A}}{{Tags}}{{Nope}}{{tts en_US:C}}", fields).html == "t1 t2"
    nested = '<div style="display:none"><div>in</div>still</div>out'
    assert without_hidden(nested) == "out"


def test_a_template_repeating_a_long_field_stops_at_the_bound() -> None:
    from srs.anki.import_.template import MAX_SIDE

    made = render("{{A}}" * 100_000, {"A": "x" * 1000})  # 100 MB if written out
    assert len(made.html) == MAX_SIDE


def test_a_note_of_another_type_sent_back_to_anki_keeps_the_fields_srs_left_out(
    tmp_path: Path, col: Collection
) -> None:
    ipa = note_type(
        col, "Basic (+IPA)", ["Word", "Meaning", "IPA"], "{{Word}}", "{{FrontSide}}{{Meaning}}"
    )
    add(col, ipa, Word="xin chào", Meaning="hello", IPA="[sin˧˧ t͡ɕaw˨˩]")
    apkg = tmp_path / "ipa.apkg"
    options = ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False
    )
    col.export_anki_package(out_path=str(apkg), options=options, limit=None)
    later = datetime.now(UTC) + timedelta(days=1)  # srs loads the deck after Anki's last edit
    env = srs_env(tmp_path / "srs.db", later.isoformat())
    deck = tmp_path / "ipa.toml"
    assert run_srs(["import", "anki", str(apkg), "-o", str(deck)], env).returncode == 0
    assert run_srs(["deck", "add", str(deck)], env).returncode == 0
    back = tmp_path / "back.apkg"
    assert run_srs(["export", "anki", "-o", str(back)], env).returncode == 0

    log = import_apkg(col, back)  # the collection the notes came from, as a learner's phone
    (nid,) = col.find_notes("")
    assert col.get_note(nid)["IPA"] == "[sin˧˧ t͡ɕaw˨˩]"  # not emptied by srs's copy
    assert (len(log.updated), len(log.new)) == (0, 0)
    fresh = Collection(str(tmp_path / "fresh.anki2"))  # where it is missing, it is added
    try:
        assert len(import_apkg(fresh, back).new) == 1
    finally:
        fresh.close()
