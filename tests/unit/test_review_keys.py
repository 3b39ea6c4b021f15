"""The review's keys are written once (`srs.ui.review_keys.KEYS`): the footer, the `?` help, the
README and `srs review --help` all say the same."""

from __future__ import annotations

from pathlib import Path

from factories import render
from srs.commands.study import review
from srs.ui.review_keys import KEYS, footer, keys_help, readme_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_the_keys_the_screen_knows() -> None:
    assert readme_table() in README.read_text("utf-8")


def test_the_help_behind_question_mark_lists_every_key_and_every_grade() -> None:
    text = render(keys_help(), 100)
    for key in KEYS:
        assert key.keys in text and key.meaning in text
    assert "complete blackout" in text and "perfect recall" in text


def test_the_footer_offers_the_keys_that_work_at_each_step() -> None:
    question = render(footer(revealed=False), 200)
    answer = render(footer(revealed=True, cut=True), 200)
    assert "space/enter show answer" in question and "0-5 grade" not in question
    assert "0-5 grade" in answer and "j/k scroll" in answer and "show answer" not in answer
    assert "j/k" not in render(footer(revealed=True, cut=False), 200)


def test_the_footer_never_splits_a_key_across_lines() -> None:
    lines = render(footer(revealed=True, cut=True, width=30), 30).splitlines()
    labels = {key.label for key in KEYS}
    for line in lines:
        assert all(part.strip() in labels for part in line.split("·"))


def test_review_help_names_every_key() -> None:
    doc = review.__doc__ or ""
    for key in KEYS:
        assert key.label.split()[0] in doc, key.label
