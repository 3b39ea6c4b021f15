"""Figures of `srs stats`: the pure module on hand-made rows, then the store's SQL aggregates.

Every expected value below is worked out by hand in the comments next to it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from srs.core import reports, stats
from srs.core.days import study_day
from srs.core.model import Card, Deck, Kind
from srs.core.stats import (
    DayCount,
    DueCount,
    EfBucket,
    EfCount,
    HardCard,
    Rate,
    RetentionCount,
    Streaks,
    TodayCounts,
)
from srs.store import Store

PARIS = ZoneInfo("Europe/Paris")
D = date  # short constructor for the tables below


def paris(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=PARIS)


# ---- streaks --------------------------------------------------------------------------------


def test_streak_across_the_rollover_counts_a_late_night_for_the_day_before() -> None:
    instants = [
        paris(2026, 3, 2, 22),  # Mon 22:00 -> 03-02
        paris(2026, 3, 4, 1, 30),  # Wed 01:30, before the 4 a.m. rollover -> 03-03
        paris(2026, 3, 4, 20),  # Wed 20:00 -> 03-04
        paris(2026, 3, 6, 3, 59),  # Fri 03:59 -> 03-05
        paris(2026, 3, 6, 4, 0),  # Fri 04:00 -> 03-06
    ]
    days = [study_day(t, PARIS, 4) for t in instants]
    assert days == [D(2026, 3, 2), D(2026, 3, 3), D(2026, 3, 4), D(2026, 3, 5), D(2026, 3, 6)]
    # five study days in a row, the last one today
    assert stats.streaks(days, D(2026, 3, 6)) == Streaks(current=5, longest=5)


def test_the_same_instants_without_a_rollover_break_the_streak() -> None:
    instants = [
        paris(2026, 3, 2, 22),
        paris(2026, 3, 4, 1, 30),
        paris(2026, 3, 4, 20),
        paris(2026, 3, 6, 3, 59),
        paris(2026, 3, 6, 4, 0),
    ]
    days = [study_day(t, PARIS, 0) for t in instants]
    # midnight days: 03-02, 03-04, 03-04, 03-06, 03-06 -> no two consecutive days
    assert sorted(set(days)) == [D(2026, 3, 2), D(2026, 3, 4), D(2026, 3, 6)]
    assert stats.streaks(days, D(2026, 3, 6)) == Streaks(current=1, longest=1)


def test_rollover_is_applied_in_the_learners_time_zone_not_utc() -> None:
    # 03:30 UTC is 04:30 in Paris (UTC+1 in March): past the 4 a.m. rollover there, so the
    # study day is already 03-04; a learner in UTC is still on 03-03.
    late = datetime(2026, 3, 4, 3, 30, tzinfo=UTC)
    assert study_day(late, PARIS, 4) == D(2026, 3, 4)
    assert study_day(late, UTC, 4) == D(2026, 3, 3)


def test_current_streak_survives_until_the_day_is_over() -> None:
    days = [D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 3)]
    # today 03-04, nothing answered yet: the run ending yesterday still counts
    assert stats.streaks(days, D(2026, 3, 4)) == Streaks(current=3, longest=3)
    # a whole day without answers (03-04) ends it
    assert stats.streaks(days, D(2026, 3, 5)) == Streaks(current=0, longest=3)


def test_longest_streak_is_kept_after_a_gap_and_duplicates_and_order_do_not_matter() -> None:
    days = [
        D(2026, 1, 10),
        D(2026, 1, 8),
        D(2026, 1, 9),
        D(2026, 1, 9),  # duplicate
        D(2026, 1, 11),  # 01-08..01-11: four days
        D(2026, 1, 20),
        D(2026, 1, 21),  # 01-20..01-21: two days, ending today
    ]
    assert stats.streaks(days, D(2026, 1, 21)) == Streaks(current=2, longest=4)


def test_streaks_of_an_empty_log_and_days_after_today() -> None:
    assert stats.streaks([], D(2026, 1, 1)) == Streaks(0, 0)
    # a clock set back: days after today are ignored
    assert stats.streaks([D(2026, 1, 2), D(2026, 1, 3)], D(2026, 1, 1)) == Streaks(0, 0)


# ---- heatmap ------------------------------------------------------------------------------


def test_heatmap_grid_weeks_start_on_monday_and_cells_outside_the_window_are_none() -> None:
    today = D(2026, 3, 4)  # a Wednesday
    per_day = [
        DayCount(D(2026, 2, 22), 99),  # before the window: ignored
        DayCount(D(2026, 2, 23), 2),
        DayCount(D(2026, 2, 25), 8),
        DayCount(D(2026, 3, 4), 4),
    ]
    heat = stats.heatmap(per_day, today, days=10)  # 02-23 (Mon) .. 03-04
    assert heat.start == D(2026, 2, 23)
    assert heat.first == D(2026, 2, 23)
    assert heat.max == 8
    assert heat.weeks == [
        [2, 0, 8, 0, 0, 0, 0],  # 02-23 .. 03-01
        [0, 0, 4, None, None, None, None],  # 03-02 .. 03-04, then the future
    ]
    # level = ceil(4 * count / 8): 2 -> 1, 4 -> 2, 8 -> 4
    assert [heat.level(c) for c in (0, 2, 4, 8)] == [0, 1, 2, 4]
    assert heat.level_ranges() == [(1, 2), (3, 4), (5, 6), (7, 8)]

    # one day fewer: the window opens on Tuesday, so Monday 02-23 is outside it
    heat = stats.heatmap(per_day, today, days=9)
    assert heat.start == D(2026, 2, 23)
    assert heat.weeks[0][0] is None
    assert heat.max == 8


def test_level_ranges_with_few_answers_leave_empty_levels_out() -> None:
    # busiest day 2: level 1 is empty (0, 0), level 2 holds 1, level 4 holds 2
    assert stats.level_ranges(2) == [(0, 0), (1, 1), (0, 0), (2, 2)]
    assert [stats.heat_level(c, 2) for c in (0, 1, 2)] == [0, 2, 4]


# ---- forecast -----------------------------------------------------------------------------


def test_forecast_counts_overdue_today_and_stops_after_fourteen_days() -> None:
    today = D(2026, 3, 10)
    due = [
        DueCount(D(2026, 3, 5), 2),  # overdue: today
        DueCount(D(2026, 3, 10), 1),  # today
        DueCount(D(2026, 3, 11), 3),  # tomorrow
        DueCount(D(2026, 3, 23), 4),  # today + 13: the last day shown
        DueCount(D(2026, 3, 24), 5),  # today + 14: beyond the forecast
    ]
    result = stats.forecast(due, today)
    assert [f.day for f in result] == [today + timedelta(days=i) for i in range(14)]
    assert [f.due for f in result] == [3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]


# ---- retention ----------------------------------------------------------------------------

RETENTION_ROWS = [
    RetentionCount(D(2026, 3, 1), "finding", 9, 0),  # Sunday before the window: ignored
    RetentionCount(D(2026, 3, 2), "finding", 4, 4),
    RetentionCount(D(2026, 3, 3), "limitation", 5, 3),
    RetentionCount(D(2026, 3, 5), "misreading", 2, 1),
    RetentionCount(D(2026, 3, 10), "finding", 6, 5),
    RetentionCount(D(2026, 3, 11), "limitation", 4, 2),
    RetentionCount(D(2026, 3, 14), "misreading", 5, 2),
]


def test_retention_by_kind_and_by_week() -> None:
    today = D(2026, 3, 15)  # Sunday; two weeks: Mon 03-02 .. Sun 03-15
    r = stats.retention(RETENTION_ROWS, today, weeks=2)
    assert r.first == D(2026, 3, 2)
    # finding 4/4 + 6/5 = 10/9; limitation 5/3 + 4/2 = 9/5; misreading 2/1 + 5/2 = 7/3
    assert r.by_kind == {
        "finding": Rate(10, 9),
        "limitation": Rate(9, 5),
        "misreading": Rate(7, 3),
    }
    assert r.total == Rate(26, 17)
    assert r.by_kind["finding"].rate == pytest.approx(0.9)
    assert r.by_kind["limitation"].rate == pytest.approx(5 / 9)
    assert r.by_kind["misreading"].rate == pytest.approx(3 / 7)
    # the learner forgets misreadings and limitations faster than findings
    assert r.by_kind["misreading"].rate < r.by_kind["limitation"].rate < r.by_kind["finding"].rate
    assert [w.week for w in r.weekly] == [D(2026, 3, 2), D(2026, 3, 9)]
    first, second = r.weekly
    assert first.total == Rate(11, 8)  # 4/4 + 5/3 + 2/1
    assert first.by_kind == {
        "finding": Rate(4, 4),
        "limitation": Rate(5, 3),
        "misreading": Rate(2, 1),
    }
    assert second.total == Rate(15, 9)  # 6/5 + 4/2 + 5/2
    assert second.by_kind["misreading"] == Rate(5, 2)


def test_retention_weeks_without_reviews_are_zero_not_missing() -> None:
    r = stats.retention([RetentionCount(D(2026, 3, 2), "finding", 1, 1)], D(2026, 3, 22), 3)
    assert [w.week for w in r.weekly] == [D(2026, 3, 2), D(2026, 3, 9), D(2026, 3, 16)]
    assert [w.total for w in r.weekly] == [Rate(1, 1), Rate(0, 0), Rate(0, 0)]
    assert r.weekly[1].total.rate is None


# ---- ef histogram and the whole build ---------------------------------------------------------


def test_ef_histogram_fills_gaps_between_buckets() -> None:
    rows = [EfCount(130, 1), EfCount(150, 2), EfCount(250, 3)]
    buckets = stats.ef_histogram(rows)
    assert buckets[0] == EfBucket(130, 139, 1)
    assert buckets[2] == EfBucket(150, 159, 2)
    assert buckets[-1] == EfBucket(250, 259, 3)
    assert len(buckets) == 13  # 130, 140, ..., 250
    assert sum(b.cards for b in buckets) == 6
    assert stats.ef_histogram([]) == []


def test_build_and_json_shape() -> None:
    today = D(2026, 3, 15)
    hard = HardCard("d", "c1", "limitation", "Why?", 2, 180, 5, D(2026, 3, 16))
    figures = stats.build(
        today=today,
        days=14,
        counts=TodayCounts(answers=3, reviewed=2, new_seen=1, due=4),
        study_days=[D(2026, 3, 1), D(2026, 3, 14), D(2026, 3, 15)],
        per_day=[DayCount(D(2026, 3, 1), 7), DayCount(D(2026, 3, 14), 2)],
        retention_rows=RETENTION_ROWS,
        ef_rows=[EfCount(180, 1)],
        due_rows=[DueCount(D(2026, 3, 16), 1)],
        hardest=[hard],
        weeks=2,
    )
    data = json.loads(json.dumps(reports.stats_json(figures)))
    assert data["date"] == "2026-03-15"
    assert data["decks"] is None
    assert data["today"] == {"answers": 3, "reviewed": 2, "new_seen": 1, "due": 4}
    assert data["streak"] == {"current": 2, "longest": 2}
    # 03-01 is outside the 14-day window: left out of the per-day list and the heatmap
    assert data["reviews_per_day"] == [{"day": "2026-03-14", "answers": 2}]
    assert data["heatmap"]["max"] == 2
    assert data["heatmap"]["weeks"][1] == [0, 0, 0, 0, 0, 2, 0]
    assert data["forecast"][1] == {"day": "2026-03-16", "due": 1}
    assert len(data["forecast"]) == 14
    assert data["retention"]["counts_new_cards"] is False
    assert (data["retention"]["weeks"], data["retention"]["first"]) == (2, "2026-03-02")
    assert data["retention"]["total"] == {"reviews": 26, "passed": 17, "rate": 0.6538}
    assert data["retention"]["by_kind"]["finding"] == {"reviews": 10, "passed": 9, "rate": 0.9}
    assert data["retention"]["weekly"][0]["week"] == "2026-03-02"
    assert data["ef_histogram"] == [{"low": 180, "high": 189, "cards": 1}]
    assert data["hardest"] == [
        {
            "deck": "d",
            "card": "c1",
            "kind": "limitation",
            "prompt": "Why?",
            "lapses": 2,
            "ef": 180,
            "reps": 5,
            "due": "2026-03-16",
        }
    ]


# ---- the store's aggregates -------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def day(k: int) -> date:
    return D(2026, 3, 2) + timedelta(days=k)


def at(k: int) -> datetime:
    return T0 + timedelta(days=k)


@pytest.fixture
def store(store: Store) -> Store:
    """The shared fresh store, holding two decks: one, with a card of each kind, and two."""
    s = store
    cards = (
        Card("f", Kind.FINDING, "Finding prompt", "b"),
        Card("l", Kind.LIMITATION, "Limitation prompt", "b"),
        Card("m", Kind.MISREADING, "Misreading prompt", "b"),
    )
    s.content.load_deck(Deck("one", "One", "src", cards), T0)
    s.content.load_deck(
        Deck("two", "Two", "src", (Card("x", Kind.FINDING, "Other deck", "b"),)), T0
    )
    return s


def pks(store: Store) -> dict[str, int]:
    return {c.card.id: c.pk for c in store.content.cards()}


def answer(store: Store, card_id: str, grade: int, k: int) -> None:
    store.study.record_answer(pks(store)[card_id], grade, at(k), day(k))


def test_store_retention_leaves_out_first_answers_and_drills(store: Store) -> None:
    # day 0: all new (never counted); l and m fail -> drills (never counted)
    answer(store, "f", 5, 0)
    answer(store, "l", 2, 0)
    answer(store, "m", 1, 0)
    answer(store, "l", 4, 0)  # drill
    answer(store, "m", 4, 0)  # drill
    answer(store, "x", 4, 0)
    # day 1: scheduled reviews: f passes, l passes (3), m fails (2), x passes
    answer(store, "f", 4, 1)
    answer(store, "l", 3, 1)
    answer(store, "m", 2, 1)
    answer(store, "m", 5, 1)  # drill
    answer(store, "x", 5, 1)
    rows = store.aggregates.stats_retention_counts(None, day(0), day(1))
    assert sorted(rows) == [
        RetentionCount(day(1), "finding", 2, 2),  # f and x
        RetentionCount(day(1), "limitation", 1, 1),
        RetentionCount(day(1), "misreading", 1, 0),
    ]
    # deck "one" only: x is left out
    assert RetentionCount(day(1), "finding", 1, 1) in store.aggregates.stats_retention_counts(
        ["one"], day(0), day(1)
    )
    # outside the window: nothing
    assert store.aggregates.stats_retention_counts(None, day(2), day(9)) == []


def test_store_days_counts_today_ef_due_and_hardest(store: Store) -> None:
    answer(store, "f", 5, 0)  # f: ef 260, due day 1
    answer(store, "l", 3, 0)  # l: ef 236, due day 1 (then a drill)
    answer(store, "l", 4, 0)
    answer(store, "f", 4, 1)  # f: n 2, interval 6, due day 7
    answer(store, "l", 1, 1)  # l: lapse, ef 236, due day 2 (then a drill)
    answer(store, "l", 4, 1)
    answer(store, "m", 3, 3)  # m: new on day 3, ef 236, due day 4
    answer(store, "x", 3, 3)  # x: ef 236, due day 4 (other deck)
    assert store.aggregates.stats_study_days(None) == [day(0), day(1), day(3)]
    assert store.aggregates.stats_study_days(["two"]) == [day(3)]
    assert store.aggregates.stats_answers_per_day(None, day(1), day(3)) == [
        DayCount(day(1), 3),
        DayCount(day(3), 2),
    ]
    # on day 3: two first answers; l (due day 2) is still due
    assert store.aggregates.stats_today(None, day(3)) == TodayCounts(2, 2, 2, 1)
    assert store.aggregates.stats_today(["one"], day(3)) == TodayCounts(1, 1, 1, 1)
    # current ef: f 260, l 236, m 236, x 236 -> buckets 230: 3, 260: 1
    assert store.aggregates.stats_ef_counts(None) == [EfCount(230, 3), EfCount(260, 1)]
    due = {d: n for d, n in store.aggregates.stats_due_counts(None, day(3)) if n}
    assert due == {day(3): 1, day(4): 2, day(7): 1}  # l overdue; m and x; f
    # bury l today: it comes back tomorrow
    store.setaside.bury(pks(store)["l"], day(3))
    forecast = stats.forecast(store.aggregates.stats_due_counts(None, day(3)), day(3))
    assert [f.due for f in forecast[:5]] == [0, 3, 0, 0, 1]
    assert store.aggregates.stats_today(None, day(3)).due == 0
    hardest = store.aggregates.stats_hardest(None)
    # most lapses first (l), then lowest ef, then deck and file order: m before x; f is not hard
    assert [(h.card_id, h.lapses, h.ef) for h in hardest] == [
        ("l", 1, 236),
        ("m", 0, 236),
        ("x", 0, 236),
    ]
    assert hardest[0].front == "Limitation prompt"
    assert [h.card_id for h in store.aggregates.stats_hardest(["two"])] == ["x"]


def test_store_stats_queries_use_indexes_and_never_scan_a_table(store: Store) -> None:
    """With every deck and with a deck named, as `srs stats` and `srs stats DECK` run them."""
    for k in range(3):
        for cid in ("f", "l", "m", "x"):
            answer(store, cid, 3 + k % 3, k)
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        for decks in (None, ["one"]):
            store.aggregates.stats_study_days(decks)
            store.aggregates.stats_answers_per_day(decks, day(0), day(2))
            store.aggregates.stats_retention_counts(decks, day(0), day(2))
            store.aggregates.stats_today(decks, day(2))
            store.aggregates.stats_ef_counts(decks)
            store.aggregates.stats_due_counts(decks, day(2))
            store.aggregates.stats_hardest(decks)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    assert len(seen) == 20
    tables = ("review_log", "card_state", "cards")
    with store.engine.connect() as conn:
        for statement, params in seen:
            plan = [
                row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)
            ]
            # every table is reached by an index SEARCH, never a SCAN of all its rows
            for step in plan:
                if any(f" {t} " in f" {step} " for t in tables):
                    assert step.startswith("SEARCH"), (statement, plan)
            if "GROUP BY review_log.day, review_log.grade" in statement or (
                "GROUP BY card_state.ef" in statement
            ):  # retention and the ef histogram follow their index's order: no sort
                assert not any("TEMP B-TREE" in step for step in plan), plan


def test_retention_window_is_whole_weeks_ending_with_todays() -> None:
    # Wed 03-11: the current week opened Mon 03-09; twelve weeks go back to Mon 12-22
    assert stats.retention_start(D(2026, 3, 11), 1) == D(2026, 3, 9)
    assert stats.retention_start(D(2026, 3, 11), 12) == D(2025, 12, 22)
    with pytest.raises(ValueError):
        stats.retention_start(D(2026, 3, 11), 0)
