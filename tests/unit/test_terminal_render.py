"""Untrusted card text is shown literally or stripped: never obeyed as markup or escapes."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from rich.console import Console

from helpers import HOSTILE_BACK, HOSTILE_FRONT
from srs.core.model import NEW_STATE, Card, Kind, QueuedCard, ReviewKind, StoredCard
from srs.ui.review_screen import card_view


def render(card: QueuedCard, revealed: bool, color: bool, width: int = 80) -> str:
    out = io.StringIO()
    console = Console(
        file=out, width=width, force_terminal=color, color_system="truecolor" if color else None
    )
    console.print(card_view(card, done=1, left=2, revealed=revealed))
    return out.getvalue()


def hostile_card() -> QueuedCard:
    card = Card("evil", Kind.MISREADING, HOSTILE_FRONT, HOSTILE_BACK, "§[blue]9[/blue]\x1b[5m")
    stored = StoredCard(1, "d", "Deck [green]title[/green]\x1b[H", card, datetime.now(UTC), False)
    return QueuedCard(stored, NEW_STATE, ReviewKind.NEW)


@pytest.mark.parametrize("color", [True, False])
def test_markup_in_card_text_is_shown_literally(color: bool) -> None:
    text = render(hostile_card(), revealed=True, color=color)
    assert "[red]x[/red]" in text
    assert "[bold]no[/]" in text
    assert "[link=http://evil]click[/link]" in text
    assert "§[blue]9[/blue]" in text
    assert "Deck [green]title[/green]" in text


@pytest.mark.parametrize("color", [True, False])
def test_escape_sequences_in_card_text_never_reach_the_terminal(color: bool) -> None:
    text = render(hostile_card(), revealed=True, color=color)
    for sequence in ("\x1b[2J", "\x1b]2;", "\x07", "\x1b[31m", "\x9b", "\x1b[5m", "\x1b[H"):
        assert sequence not in text
    assert "PWNED" in text  # the printable rest of the text is still shown


def test_without_colour_the_screen_has_no_escape_codes_at_all() -> None:
    text = render(hostile_card(), revealed=True, color=False)
    assert "\x1b" not in text


def test_answer_and_source_stay_hidden_until_revealed() -> None:
    hidden = render(hostile_card(), revealed=False, color=False)
    assert "Answer" not in hidden and "Source:" not in hidden
    assert "What is wrong with this reading?" in hidden
    shown = render(hostile_card(), revealed=True, color=False)
    assert "Source: §[blue]9[/blue]" in shown
    assert "perfect recall" in shown


def test_narrow_terminal_still_shows_the_card() -> None:
    text = render(hostile_card(), revealed=True, color=False, width=40)
    assert "done 1 · left 2" in text
    assert "misreading" in text
