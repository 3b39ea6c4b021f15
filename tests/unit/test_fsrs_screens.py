"""FSRS on the screens: `srs history`, the review screen's progress line and `srs simulate`,
printed to a `Console` writing to a string."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from factories import render
from srs.core.model import (
    NEW_STATE,
    Card,
    Deck,
    Kind,
    LogRecord,
    QueuedCard,
    ReviewKind,
    SchedState,
    StoredCard,
)
from srs.core.reports import history_json
from srs.core.scheduling.choice import SchedulerChoice
from srs.core.scheduling.fsrs import FSRS
from srs.core.simulation import StartCard, simulate
from srs.store import Store
from srs.ui.history_screen import history_view
from srs.ui.review_screen import card_view
from srs.ui.simulate_screen import simulation_view
from srs.ui.text import memory_text

STORED = StoredCard(
    3,
    "deck",
    "Deck",
    Card("c", Kind.FINDING, "front", "back"),
    datetime(2026, 3, 1, tzinfo=UTC),
    False,
)
FSRS_STATE = SchedState(
    n=2,
    ef=250,
    interval=12,
    due=date(2026, 3, 20),
    lapses=0,
    reps=2,
    scheduler="fsrs",
    stability=11.62,
    difficulty=4.93,
)
SM2_STATE = SchedState(n=2, ef=236, interval=6, due=date(2026, 3, 20), lapses=0, reps=2)
LOG = [
    LogRecord(
        1, 3, "deck", "c", Kind.FINDING, datetime(2026, 3, 1, 9, tzinfo=UTC), date(2026, 3, 1),
        4, ReviewKind.NEW, 250, 2, date(2026, 3, 3), "fsrs", 2.31, 5.0,
    ),
    LogRecord(
        2, 3, "deck", "c", Kind.FINDING, datetime(2026, 3, 8, 9, tzinfo=UTC), date(2026, 3, 8),
        4, ReviewKind.REVIEW, 250, 12, date(2026, 3, 20), "fsrs", 11.62, 4.93,
    ),
]  # fmt: skip


T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


WIDTH = 70


def test_history_of_an_fsrs_card_shows_stability_difficulty_and_recall_today() -> None:
    text = render(history_view(STORED, FSRS_STATE, LOG, date(2026, 3, 10), UTC, 0.947), WIDTH)
    assert re.search(r"Scheduler\s+FSRS", text)
    assert re.search(r"Stability\s+11\.6 d", text)
    assert re.search(r"Difficulty\s+4\.93 \(1 to 10\)", text)
    assert re.search(r"Recall today\s+94\.7%", text)
    assert "EF  " not in text.split("answered")[0]  # no SM-2 easiness in the state
    assert re.search(r"review\s+4\s+S11\.6\s+12d\s+2026-03-20", text)


def test_history_of_an_sm2_card_shows_sm2_figures_only() -> None:
    text = render(history_view(STORED, SM2_STATE, [], date(2026, 3, 10), UTC), WIDTH)
    assert re.search(r"EF\s+2\.36", text)
    assert "Stability" not in text and "Recall today" not in text


def test_history_json_of_an_fsrs_card_has_its_memory_state() -> None:
    data = history_json(STORED, FSRS_STATE, LOG, 0.947)
    state = data["state"]
    assert isinstance(state, dict)
    assert state["fsrs"] == {"stability": 11.62, "difficulty": 4.93, "retrievability": 0.947}
    assert [(e["scheduler"], e["stability"]) for e in data["log"]] == [  # type: ignore[attr-defined]
        ("fsrs", 2.31),
        ("fsrs", 11.62),
    ]
    assert "fsrs" not in history_json(STORED, SM2_STATE, [])["state"]  # type: ignore[operator]


def test_the_review_screen_shows_the_figures_of_the_cards_scheduler() -> None:
    fsrs = render(card_view(QueuedCard(STORED, FSRS_STATE, ReviewKind.REVIEW), 1, 5, False), WIDTH)
    sm2 = render(card_view(QueuedCard(STORED, SM2_STATE, ReviewKind.REVIEW), 1, 5, False), WIDTH)
    new = render(card_view(QueuedCard(STORED, NEW_STATE, ReviewKind.NEW), 1, 5, False), WIDTH)
    assert "done 1 · left 5 · FSRS · S 11.6 d · D 4.9" in fsrs
    assert "done 1 · left 5 · SM-2 · EF 2.36 · 6 d" in sm2
    assert "done 1 · left 5\n" in new
    assert memory_text(NEW_STATE) == ""
    recalled = QueuedCard(STORED, FSRS_STATE, ReviewKind.REVIEW, recall=0.8766)
    assert "FSRS · S 11.6 d · D 4.9 · R 87.7%" in render(card_view(recalled, 1, 5, False), WIDTH)


def test_the_simulate_screen_compares_both_and_charts_their_workload() -> None:
    cards = [StartCard(f"d/c{i}", NEW_STATE) for i in range(30)]
    sim = simulate(cards, date(2026, 1, 1), 60, 10, 1, SchedulerChoice())
    text = render(simulation_view(sim), 80)
    sm2, fsrs = sim.run("sm2"), sim.run("fsrs")
    assert re.search(
        rf"total reviews\s+{sm2.total}\s+{fsrs.total}\s+{fsrs.total - sm2.total:+d}", text
    )
    assert re.search(rf"reviews a day \(peak\)\s+{sm2.peak}\s+{fsrs.peak}", text)
    chart = [line for line in text.splitlines() if line.startswith(("SM-2 ", "FSRS "))]
    assert len(chart) == 2
    assert "█" in "".join(chart)  # the busiest span is a full block
    assert "a review takes 10 s" in text.replace("\n", " ")
    assert all(len(line) <= 80 for line in text.splitlines())


def test_a_review_session_gives_an_fsrs_card_its_chance_of_recall_today(store: Store) -> None:
    from srs.learner_config import answer_policy
    from srs.review import ReviewSession

    policy = answer_policy(store, {"scheduler": "fsrs", "fsrs-fuzz": "off"}, 8, False)
    store.content.load_deck(Deck("d", "D", "", (Card("c", Kind.FINDING, "Q", "A", "§1"),)), T0)
    pk = store.content.cards()[0].pk
    store.study.record_answer(pk, 4, T0, T0.date(), policy)
    later = date(2026, 3, 20)
    card = ReviewSession(store, ["d"], later, 20, policy=policy).current()
    assert card is not None and card.recall is not None
    expected = FSRS().retrievability(store.study.state(pk), later)
    assert card.recall == expected and 0 < expected < 1


def test_the_review_header_shows_the_chosen_scheduler_as_soon_as_it_is_chosen(
    store: Store,
) -> None:
    from srs.learner_config import answer_policy
    from srs.review import ReviewSession

    sm2 = answer_policy(store, {}, 8, False)
    fsrs = answer_policy(store, {"scheduler": "fsrs", "fsrs-fuzz": "off"}, 8, False)
    store.content.load_deck(Deck("d", "D", "", (Card("c", Kind.FINDING, "Q", "A", "§1"),)), T0)
    pk = store.content.cards()[0].pk
    store.study.record_answer(pk, 4, T0, T0.date(), sm2)  # SM-2 schedules it, due tomorrow
    tomorrow = date(2026, 3, 3)
    # `config set scheduler fsrs`: the next review shows FSRS's figures before any answer
    card = ReviewSession(store, ["d"], tomorrow, 20, policy=fsrs).current()
    assert card is not None and card.state.scheduler == "sm2"  # stored as SM-2 left it
    assert card.shown is not None and card.shown.scheduler == "fsrs"
    assert card.recall is not None and 0 < card.recall <= 1
    header = render(card_view(card, 0, 1, False), WIDTH)
    assert "FSRS · S " in header and "SM-2" not in header
    # and back: under SM-2 the same card shows SM-2's figures
    again = ReviewSession(store, ["d"], tomorrow, 20, policy=sm2).current()
    assert again is not None and "SM-2 · EF 2.50" in render(card_view(again, 0, 1, False), WIDTH)
