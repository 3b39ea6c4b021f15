"""Every screen on an output that takes only ASCII (`PYTHONIOENCODING=ascii`), at 80 columns:
card text is folded to ASCII (curly quotes straight, `…` as `...`, `—` as `--`, accents
dropped, Greek letters named) before rich measures it, so no character is written as `?` and
no line is wider than the terminal. The review in a real terminal: test_review_screen_e2e.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.rule import Rule
from rich.text import Text

from helpers import EncodedIO, Result, run_srs, srs_env
from srs.ui.ascii import Fold, cut, fold_text
from srs.ui.console import make_console

NOW = "2026-03-02T09:00"
CLAIM = "\u201cBigger models are always safer\u201d \u2014 the paper\u2019s main claim\u2026"
CLAIM_ASCII = '"Bigger models are always safer" -- the paper\'s main claim...'
BACK = (
    "No \u2014 the paper\u2019s result says the opposite: \u03b1 and \u03b2\u2026 both grow "
    "with size. Na\u00efve caf\u00e9 r\u00e9sum\u00e9, \u2264 3 steps \u2192 none."
)
BACK_ASCII = "No -- the paper's result says the opposite: alpha and beta... both grow"
TITLE = "Caf\u00e9 \u2014 \u201cquotes\u201d and ellipses\u2026 in a title long enough to be cut"
DECK = f'''\
[deck]
id = "uni"
title = "{TITLE}"
source = "M\u00fcller et al. 2024"

[[card]]
id = "curly-claim"
kind = "misreading"
front = "{CLAIM}"
back = "{BACK}"
source = "\u00a73 \u2014 p. 4"

[[card]]
id = "plain-one"
kind = "finding"
front = "What does the ellipsis\u2026 do \u2014 here, in a front long enough to be cut"
back = "It \u201cstands\u201d for \u2264 3 things \u2192 none"
source = "\u00a71"
'''
# the screens' own question marks; any other `?` would stand for a character
SCREEN_QUESTION_MARKS = re.compile(r"What is wrong with this reading\?|\? keys|\?\s+show or hide")


def run(args: list[str], db: Path, input: str = "") -> Result:
    env = {**srs_env(db, NOW), "COLUMNS": "80"}
    done = run_srs(args, env, input=input, encoding="ascii")
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def collection(folder: Path) -> Path:
    """A collection holding the Unicode deck."""
    (folder / "uni.toml").write_text(DECK, encoding="utf-8")
    db = folder / "srs.db"
    run(["deck", "add", str(folder / "uni.toml")], db)
    return db


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collection with the Unicode deck, both cards answered."""
    db = collection(tmp_path_factory.mktemp("ascii"))
    run(["review", "uni"], db, input=" 4 1 5q")
    return db


def assert_ascii_screen(out: str) -> None:
    assert out.strip() and out.isascii()
    assert "?" not in SCREEN_QUESTION_MARKS.sub("", out), out
    too_wide = [line for line in out.splitlines() if len(line) > 80]
    assert not too_wide, too_wide


def test_a_review_on_an_ascii_output_folds_card_text_and_keeps_to_80_columns(
    tmp_path: Path,
) -> None:
    out = run(["review", "uni"], collection(tmp_path), input=" 4 ? 4q").stdout
    assert_ascii_screen(out)
    assert CLAIM_ASCII in out and BACK_ASCII in out


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["stats"],
        ["stats", "uni"],
        ["cards", "uni"],
        ["history", "uni/curly-claim"],
        ["simulate", "--days", "5"],
    ],
)
def test_every_screen_on_an_ascii_output_folds_text_and_keeps_to_80_columns(
    reviewed: Path, args: list[str]
) -> None:
    out = run(args, reviewed, input=" 4 4q").stdout
    assert_ascii_screen(out)


def test_card_text_on_an_ascii_output_reads_as_ascii_equivalents(reviewed: Path) -> None:
    history = run(["history", "uni/curly-claim"], reviewed).stdout
    assert CLAIM_ASCII in history
    assert 'Cafe -- "quotes" and ellipses...' in history
    cards = run(["cards", "uni"], reviewed).stdout
    assert '"Bigger models are' in cards and "What does the ellipsis..." in cards
    assert all(line.endswith("...") for line in cards.splitlines()[1:])  # cut, in ASCII


def test_the_answer_on_an_ascii_output_names_greek_letters_and_drops_accents() -> None:
    fold = Fold("ascii")
    assert fold(BACK).startswith(BACK_ASCII)
    assert fold("Na\u00efve caf\u00e9 \u2264 3 \u2192 \u00a71") == "Naive cafe <= 3 -> S1"
    assert fold("\u2603") == "\\u2603"  # no equivalent: a visible escape, never `?`


def test_a_folded_text_keeps_its_styles_on_the_same_words() -> None:
    text = Text.assemble(("\u201chot\u201d", "bold"), " \u2026 ", ("cold", "italic"))
    folded = fold_text(text, Fold("ascii"))
    assert folded.plain == '"hot" ... cold'
    assert [(folded.plain[s.start : s.end], s.style) for s in folded.spans] == [
        ('"hot"', "bold"),
        ("cold", "italic"),
    ]


def test_a_text_cut_for_an_ascii_output_ends_in_dots_within_its_width() -> None:
    cut_text = cut(Text("one \u2014 two \u2014 three \u2014 four"), 12, Fold("ascii"))
    assert cut_text.plain == "one -- tw..."
    assert cut(Text("one \u2014 two"), 5).plain == "one \u2026"  # a UTF-8 output keeps `…`


def test_a_latin1_output_keeps_what_it_can_write_and_folds_the_rest() -> None:
    stream = EncodedIO("latin-1")
    make_console(stream, width=40).print(Text("caf\u00e9 \u00b7 \u201cquoted\u201d \u2026"))
    assert stream.getvalue().rstrip() == 'caf\u00e9 \u00b7 "quoted" ...'


def test_rich_cutting_a_rule_title_on_an_ascii_output_keeps_the_line_width() -> None:
    stream = EncodedIO("ascii")
    make_console(stream, width=40).print(Rule("a title \u2014 far too long " * 4))
    shown = stream.getvalue()
    assert [len(line) for line in shown.splitlines()] == [40]
    assert "..." in shown
