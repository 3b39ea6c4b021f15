"""Untrusted card text is shown literally or stripped: never obeyed as markup or escapes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from factories import render
from helpers import HOSTILE_BACK, HOSTILE_FRONT
from srs.core.model import NEW_STATE, Card, Kind, QueuedCard, ReviewKind, SchedState, StoredCard
from srs.core.scheduling.rule import preview_answers
from srs.core.scheduling.sm2 import SM2_POLICY
from srs.ui.review_screen import card_view


def card_text(card: QueuedCard, revealed: bool, color: bool, width: int = 80) -> str:
    return render(card_view(card, done=1, left=2, revealed=revealed), width, color=color)


def hostile_card() -> QueuedCard:
    card = Card("evil", Kind.MISREADING, HOSTILE_FRONT, HOSTILE_BACK, "§[blue]9[/blue]\x1b[5m")
    stored = StoredCard(1, "d", "Deck [green]title[/green]\x1b[H", card, datetime.now(UTC), False)
    return QueuedCard(stored, NEW_STATE, ReviewKind.NEW)


@pytest.mark.parametrize("color", [True, False])
def test_markup_in_card_text_is_shown_literally(color: bool) -> None:
    text = card_text(hostile_card(), revealed=True, color=color)
    assert "[red]x[/red]" in text
    assert "[bold]no[/]" in text
    assert "[link=http://evil]click[/link]" in text
    assert "§[blue]9[/blue]" in text
    assert "Deck [green]title[/green]" in text


@pytest.mark.parametrize("color", [True, False])
def test_escape_sequences_in_card_text_never_reach_the_terminal(color: bool) -> None:
    text = card_text(hostile_card(), revealed=True, color=color)
    for sequence in ("\x1b[2J", "\x1b]2;", "\x07", "\x1b[31m", "\x9b", "\x1b[5m", "\x1b[H"):
        assert sequence not in text
    assert "PWNED" in text  # the printable rest of the text is still shown


def test_without_colour_the_screen_has_no_escape_codes_at_all() -> None:
    text = card_text(hostile_card(), revealed=True, color=False)
    assert "\x1b" not in text


def test_answer_and_source_stay_hidden_until_revealed() -> None:
    hidden = card_text(hostile_card(), revealed=False, color=False)
    assert "Answer" not in hidden and "Source:" not in hidden
    assert "What is wrong with this reading?" in hidden
    shown = card_text(hostile_card(), revealed=True, color=False)
    assert "Source: §[blue]9[/blue]" in shown
    assert "perfect recall" in shown


def test_narrow_terminal_still_shows_the_card() -> None:
    text = card_text(hostile_card(), revealed=True, color=False, width=40)
    assert "done 1 · left 2" in text
    assert "misreading" in text


# ---- what the review screen shows, and how it fits -------------------------------------------

CLAIM = "Attention needs no positional information at all."


def misreading(back: str = "Order comes from the positional encodings.") -> QueuedCard:
    card = Card("no-order", Kind.MISREADING, CLAIM, back, "§3.5")
    stored = StoredCard(1, "attn", "Attention paper", card, datetime.now(UTC), False)
    return QueuedCard(stored, NEW_STATE, ReviewKind.NEW)


def screen(card: QueuedCard, revealed: bool, width: int, height: int | None = None) -> str:
    preview = preview_answers(SM2_POLICY, card.state, DAY, False)
    return render(card_view(card, 3, 7, revealed, preview, height=height, width=width), width)


DAY = datetime(2026, 3, 2).date()


@pytest.mark.parametrize("revealed", [False, True])
def test_a_misreading_asks_its_question_once_above_the_claim(revealed: bool) -> None:
    text = screen(misreading(), revealed, 80)
    assert text.count("What is wrong with this reading?") == 1
    assert text.index("What is wrong with this reading?") < text.index(CLAIM)


def test_the_card_id_is_shown_with_the_answer_only() -> None:
    assert "attn/no-order" not in screen(misreading(), False, 80)
    assert "card attn/no-order" in screen(misreading(), True, 80)


def test_the_grade_legend_shows_where_each_grade_takes_the_card() -> None:
    reviewed = SchedState(n=2, ef=250, interval=6, due=DAY, reps=2)
    card = misreading()
    card = QueuedCard(card.stored, reviewed, ReviewKind.REVIEW)
    text = screen(card, True, 100)
    for grade, days in ((0, 1), (2, 1), (3, 15), (4, 15), (5, 16)):
        assert re.search(rf"^{grade}  \S.*-> {days} d *$", text, re.MULTILINE), (grade, text)


@pytest.mark.parametrize(("width", "height"), [(60, 20), (80, 24), (120, 40)])
def test_a_long_answer_is_cut_so_that_header_and_question_stay_on_screen(
    width: int, height: int
) -> None:
    card = misreading(back="\n\n".join(f"Paragraph {i} of a long answer." for i in range(40)))
    lines = screen(card, True, width, height).splitlines()
    assert len(lines) <= height - 1
    text = "\n".join(lines)
    assert lines[0].startswith("Attention paper")
    assert "done 3 · left 7" in text
    assert CLAIM in text
    assert "j/k: lines 1-" in text  # the answer is cut, and scrolls
    assert "0-5 grade" in text
    folded = height < 30
    assert ("perfect recall" in text) is not folded  # the grades in a few words when short
    assert re.search(r"(^|· )5 +perfect", text, re.MULTILINE)


def test_a_short_answer_on_a_tall_terminal_is_not_cut() -> None:
    text = screen(misreading(), True, 120, 40)
    assert "j/k" not in text
    assert "Order comes from the positional encodings." in text


@pytest.mark.parametrize(("width", "height"), [(40, 12), (50, 16), (60, 20), (80, 24), (120, 40)])
@pytest.mark.parametrize(
    ("revealed", "keys"), [(False, False), (False, True), (True, False), (True, True)]
)
def test_title_question_and_the_answers_first_line_stay_on_screen_at_every_step(
    width: int, height: int, revealed: bool, keys: bool
) -> None:
    card = misreading(back="\n\n".join(f"Paragraph {i} of a long answer." for i in range(40)))
    preview = preview_answers(SM2_POLICY, card.state, DAY, False)
    notices = ["undid grade 3 on no-order", "a second notice, long enough to wrap at forty columns"]
    view = card_view(card, 3, 7, revealed, preview, notices, height, width, keys)
    lines = render(view, width).splitlines()
    assert len(lines) <= height - 1
    assert lines[0].startswith("Attention paper")
    text = "\n".join(lines)
    assert "What is wrong with this reading?" in text
    assert CLAIM in " ".join(line.strip() for line in lines)
    assert ("Paragraph 0 of a long answer." in text) is revealed
    if keys:
        assert "show the answer" in text


@pytest.mark.parametrize(("width", "height"), [(80, 24), (60, 20)])
def test_the_legend_says_what_each_grade_means_on_a_common_terminal(
    width: int, height: int
) -> None:
    text = screen(misreading(), True, width, height)
    for words in ("0 blackout", "1 wrong, familiar", "2 wrong, easy once seen", "3 right, hard"):
        assert words in text
    assert "4 right, hesitated" in text and "5 perfect" in text


def test_a_long_answer_scrolls_and_its_last_line_can_be_reached() -> None:
    card = misreading(back="\n\n".join(f"Paragraph {i} of a long answer." for i in range(40)))
    preview = preview_answers(SM2_POLICY, card.state, DAY, False)
    first = render(card_view(card, 3, 7, True, preview, (), 24, 80, scroll=0), 80)
    last = render(card_view(card, 3, 7, True, preview, (), 24, 80, scroll=1000), 80)
    assert "Paragraph 0 " in first and "Paragraph 39 " not in first
    assert "Paragraph 39 " in last and "Paragraph 0 " not in last
    assert CLAIM in last and last.splitlines()[0].startswith("Attention paper")


def test_a_long_deck_title_is_cut_on_one_line_and_the_kind_stays() -> None:
    card = misreading()
    stored = card.stored
    long_title = StoredCard(
        stored.pk,
        stored.deck_id,
        "A very long deck title " * 5,
        stored.card,
        stored.edited_at,
        False,
    )
    view = card_view(
        QueuedCard(long_title, card.state, card.review_kind), 0, 1, False, None, (), 12, 40
    )
    first = render(view, 40).splitlines()[0]
    assert first.endswith("misreading · new") and len(first) <= 40
