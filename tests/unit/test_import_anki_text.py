"""`srs import anki` gives text that reads as it did in Anki: Markdown escaped only where Markdown
would misread it, Anki's five LaTeX forms as srs math, and srs's own export back as the deck it
was made from (issues 26 and 27)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import genanki
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import run_srs, srs_env
from srs.anki.export import ExportCard, export_apkg
from srs.anki.import_ import ImportResult, import_package
from srs.anki.import_.fields import to_markdown
from srs.core.cardspans import parser, spans
from srs.core.deckfile import check_deck, read_deck_file
from srs.core.errors import AnkiImportError
from srs.core.model import Deck

BUNDLED = Path(__file__).resolve().parents[2] / "decks" / "sleeper-agents.toml"
AT = datetime(2026, 3, 1, 9, tzinfo=UTC)


def shown(markdown: str) -> str:
    """What a reader sees of card Markdown: its rendered text, tags gone, whitespace as one."""
    rendered = parser().render(markdown)
    rendered = re.sub(r"</?(?:p|br|li|ul|ol|h[1-6]|blockquote|pre|hr)\b[^>]*>", " ", rendered)
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", rendered)).split())


LATEX = re.compile(r"\\[(\[]|\[\$|\[latex\]", re.I)
TEXT = st.lists(
    st.sampled_from(
        ["a", "b", "1", "2.", " ", "\\", "`", "*", "_", "[", "]", "(", ")", "#", "-", "+", ".",
         "!", ">", "<", "&", "amp;", "$", "=", ":", "x_y", "***", "---", "1)", "|", "~", "{{"]
    ),
    max_size=25,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_plain_field_text_reads_the_same_once_imported(text: str) -> None:
    assume(not LATEX.search(text))  # Anki's math: its own test below
    field = html.escape(text, quote=False)
    imported = to_markdown(field)
    assert shown(imported) == " ".join(text.split())
    assert not spans(imported).stray_dollars and not spans(imported).math


def test_hyphens_and_brackets_arrive_without_escapes() -> None:
    assert to_markdown("chain-of-thought") == "chain-of-thought"
    ipa = "xin chào [sin˧˧ t͡ɕaːw˨˩]"  # noqa: RUF001 (the IPA length mark)
    assert to_markdown(ipa) == ipa
    assert to_markdown("<b>[1]</b> see (a) - b_c") == "**[1]** see (a) - b_c"
    assert to_markdown("- not a list<br>1. nor this") == "\\- not a list  \n1\\. nor this"
    assert to_markdown("[x](y) costs $5") == "[x\\](y) costs \\$5"


@pytest.mark.parametrize(
    ("field", "markdown"),
    [
        ("[$]\\alpha &lt; \\beta[/$]", "$\\alpha < \\beta$"),
        ("[$$]\\sum_{i=1}^n x_i[/$$]", "$$\\sum_{i=1}^n x_i$$"),
        ("[latex]$\\textbf{C}$[/latex]", "$\\textbf{C}$"),
        ("so \\(x^2 &amp; y\\) holds", "so $x^2 & y$ holds"),
        ("<div>\\[E = mc^2\\]</div>", "$$E = mc^2$$"),
        ("[$]\\text{Identity Law of } \\textbf{C}[/$]", "$\\text{Identity Law of } \\textbf{C}$"),
    ],
)
def test_ankis_latex_forms_become_srs_math(field: str, markdown: str) -> None:
    assert to_markdown(field) == markdown
    (math,) = spans(markdown).math
    assert f"${math.latex}$" in markdown


def test_latex_srs_refuses_is_kept_as_text_with_a_count() -> None:
    from srs.anki.import_.fields import FieldNotes

    seen = FieldNotes()
    kept = to_markdown("see \\(\\input{/etc/passwd}\\) here", notes=seen)
    assert shown(kept) == "see \\(\\input{/etc/passwd}\\) here" and not spans(kept).math
    assert seen.bad_math == 1
    assert to_markdown("an \\( opener alone") == "an \\\\( opener alone"


def export_bundled(tmp_path: Path) -> tuple[Path, Deck]:
    deck = read_deck_file(BUNDLED)
    apkg = tmp_path / "sleeper.apkg"
    export_apkg([ExportCard(deck, card, AT) for card in deck.cards], apkg)
    return apkg, deck


def imported(apkg: Path, out: Path, **kw: Any) -> ImportResult:
    return import_package(apkg, out, now=AT, today=AT.date(), day_of=lambda at: at.date(), **kw)


def test_srs_own_export_imports_back_to_the_deck_it_was_made_from(tmp_path: Path) -> None:
    apkg, original = export_bundled(tmp_path)
    out = tmp_path / "anything.toml"
    result = imported(apkg, out)
    assert result.warnings == ()
    assert [d for d in check_deck(out.read_bytes()) if d.severity == "error"] == []
    back = read_deck_file(out)
    assert (back.id, back.title, back.source) == (
        original.id,
        original.title,
        original.source,
    )
    before = original.cards
    assert [c.id for c in back.cards] == [c.id for c in before]
    for mine, theirs in zip(back.cards, before, strict=True):
        for name in ("kind", "front", "back", "source", "tags", "quotes", "cloze", "extra",
                     "deletion", "anki_note_type"):  # fmt: skip
            assert getattr(mine, name) == getattr(theirs, name), (mine.id, name)
        # a renamed card's note keeps its first former id's guid, which comes back written out
        # (Anki holds no former ids); any other card's guid is derived from its ids again
        kept = genanki.guid_for(original.id, theirs.was[0]) if theirs.was else theirs.guid
        assert mine.guid == kept, mine.id
    misreadings = [c for c in back.cards if c.kind.value == "misreading"]
    assert misreadings and not any("What is wrong" in c.front for c in misreadings)


def test_own_export_with_progress_into_a_collection_with_that_deck_points_to_merge(
    tmp_path: Path,
) -> None:
    apkg, _ = export_bundled(tmp_path)
    env = srs_env(tmp_path / "srs.db", AT.isoformat())
    assert run_srs(["deck", "list"], env).returncode == 0  # the bundled deck is loaded
    out = tmp_path / "again.toml"
    done = run_srs(["import", "anki", str(apkg), "-o", str(out), "--with-progress"], env)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert "'sleeper-agents' is already in your collection" in done.stderr
    assert f"srs merge anki {apkg}" in done.stderr and not out.exists()
    with pytest.raises(AnkiImportError):  # the same in the service, and another deck is fine
        imported(apkg, out, with_progress=True, has_deck={"sleeper-agents"}.__contains__)
    imported(apkg, out, with_progress=True, has_deck={"other"}.__contains__)
    assert read_deck_file(out).id == "sleeper-agents"


SIMPLE_HTML = st.lists(
    st.sampled_from(
        ["<b>", "</b>", "<i>", "</i>", "<em>", "</em>", "<br>", "<div>", "</div>", "<u>", "</u>",
         "a", "b", " ", "*", "(", ")", ".", "-", "1.", "&amp;", "&lt;", "_", "[", "]", "#", "\\",
         "<ul><li>", "</li><li>", "</li></ul>", "<ol><li>"]
    ),
    max_size=20,
).map("".join)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(SIMPLE_HTML)
def test_simple_field_html_reads_the_same_once_imported(field: str) -> None:
    assume(not LATEX.search(field))
    blocks_apart = re.sub(r"<(?:br|/?div|/?li|/?ul|/?ol)>", " ", field)  # inline tags part no words
    expected = " ".join(html.unescape(re.sub(r"<[^>]*>", "", blocks_apart)).split())
    imported = to_markdown(field)
    assert shown(imported) == expected
    assert not spans(imported).stray_dollars


def test_bold_and_italics_are_kept_where_markdown_reads_them() -> None:
    assert to_markdown("<b> x </b>y and <i>it</i>") == "**x** y and *it*"
    assert to_markdown("a<b>(x)</b>b") == "a(x)b"  # `a**(x)**b` would show its asterisks
    assert to_markdown("<i>a</i><b>b</b>") == "ab"
    assert to_markdown("<div>one<br></div><div>two</div>") == "one\n\ntwo"
    assert to_markdown("<ol><li>a<br>b</li><li><b>c</b></li></ol>after") == (
        "1. a  \n   b\n2. **c**\n\nafter"
    )
