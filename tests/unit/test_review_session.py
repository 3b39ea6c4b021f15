"""`ReviewSession` over a real store in a temporary SQLite file.

Earlier days are set up by answering through the store on those days, so every state in these
tests comes from the scheduler itself.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from factories import deck, pk_of, shown_kind
from srs.core.model import NEW_STATE, QueuedCard, ReviewKind, SchedState
from srs.core.scheduling import sm2
from srs.review import ReviewSession
from srs.store import Store

T0 = datetime(2024, 6, 10, 9, 0, tzinfo=UTC)
D = date(2024, 6, 10)  # "today" in most tests

NEW, REVIEW, DRILL = ReviewKind.NEW, ReviewKind.REVIEW, ReviewKind.DRILL


def day(k: int) -> date:
    return D + timedelta(days=k)


def at(k: int) -> datetime:
    return T0 + timedelta(days=k)


def answer_on(store: Store, ref: str, grade: int, k: int) -> None:
    """Answer a card through the store alone, on day `k`, as an earlier session would have."""
    store.study.record_answer(pk_of(store, ref), grade, at(k), day(k))


def run(
    session: ReviewSession, grade: int | Callable[[QueuedCard], int] = 5, k: int = 0
) -> list[tuple[str, ReviewKind]]:
    """Answer every card the session shows, returning what was shown in order."""
    seen = []
    while (card := session.current()) is not None:
        seen.append((card.stored.card.id, card.review_kind))
        session.answer(grade if isinstance(grade, int) else grade(card), at(k))
        assert len(seen) < 1000
    return seen


# ---- the queue -------------------------------------------------------------------------------


def test_queue_is_due_reviews_most_overdue_first_then_new_cards_then_drills(store: Store) -> None:
    store.content.load_deck(deck("alpha", "a1", "a2", "a3", "a4", "a5"), at(-20))
    store.content.load_deck(deck("beta", "b1", "b2", "b3", "b4"), at(-20))
    answer_on(store, "a3", 4, -10)  # due day -9
    answer_on(store, "b1", 4, -5)  # due day -4
    answer_on(store, "b2", 4, -1)  # due today
    answer_on(store, "a1", 4, -1)  # due today too: alpha was loaded first, so a1 before b2
    answer_on(store, "a5", 2, 0)  # failed earlier today: a drill is pending
    session = ReviewSession(store, ["alpha", "beta"], D, new_per_day=2)
    # new cards: alpha has introduced a5 today, so 2 - 1 = 1 more (a2); beta 2 (b3, b4)
    assert session.remaining == 8
    assert run(session) == [
        ("a3", REVIEW),
        ("b1", REVIEW),
        ("a1", REVIEW),
        ("b2", REVIEW),
        ("a2", NEW),
        ("b3", NEW),
        ("b4", NEW),
        ("a5", DRILL),
    ]
    assert session.remaining == 0


def test_new_cards_come_in_deck_order_up_to_the_daily_limit_per_deck(store: Store) -> None:
    store.content.load_deck(deck("alpha", "a1", "a2", "a3"), T0)
    store.content.load_deck(deck("beta", "b1", "b2", "b3"), T0)
    assert run(ReviewSession(store, ["alpha", "beta"], D, new_per_day=2)) == [
        ("a1", NEW),
        ("a2", NEW),
        ("b1", NEW),
        ("b2", NEW),
    ]
    # the day's allowance is spent: a second session today has no new card
    assert run(ReviewSession(store, ["alpha", "beta"], D, new_per_day=2)) == []
    # tomorrow: the four are due, and two more new ones come
    assert run(ReviewSession(store, ["alpha", "beta"], day(1), new_per_day=2), k=1) == [
        ("a1", REVIEW),
        ("a2", REVIEW),
        ("b1", REVIEW),
        ("b2", REVIEW),
        ("a3", NEW),
        ("b3", NEW),
    ]


def test_a_session_covers_only_the_decks_it_was_opened_for(store: Store) -> None:
    store.content.load_deck(deck("alpha", "a1"), T0)
    store.content.load_deck(deck("beta", "b1"), T0)
    assert run(ReviewSession(store, ["beta"], D, new_per_day=5)) == [("b1", NEW)]


def test_new_per_day_zero_shows_only_reviews(store: Store) -> None:
    store.content.load_deck(deck("alpha", "a1", "a2"), T0)
    answer_on(store, "a2", 5, -1)
    assert run(ReviewSession(store, ["alpha"], D, new_per_day=0)) == [("a2", REVIEW)]


# ---- drills ----------------------------------------------------------------------------------


def test_a_card_graded_below_4_comes_back_until_graded_4_or_5(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    grades = iter([3, 5, 2, 3, 4])  # x: 3; y: 5; x again: 2, then 3, then 4
    assert run(session, lambda _card: next(grades)) == [
        ("x", NEW),
        ("y", NEW),
        ("x", DRILL),
        ("x", DRILL),
        ("x", DRILL),
    ]
    x = pk_of(store, "x")
    assert store.study.state(x) == sm2.review(NEW_STATE, 3, D)  # only the first answer counted
    assert [r.review_kind for r in store.study.log_for_card(x)] == [NEW, DRILL, DRILL, DRILL]
    assert [r.grade for r in store.study.log_for_card(x)] == [3, 2, 3, 4]


@pytest.mark.parametrize("grade", [0, 1, 2, 3])
def test_every_grade_below_4_queues_a_drill(store: Store, grade: int) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(grade, T0)
    assert shown_kind(session) == ("x", DRILL)


@pytest.mark.parametrize("grade", [4, 5])
def test_a_grade_of_4_or_5_needs_no_drill(store: Store, grade: int) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(grade, T0)
    assert shown_kind(session) is None


def test_drill_answers_change_neither_n_ef_nor_interval_of_a_lapsed_review(store: Store) -> None:
    store.content.load_deck(deck("alpha", "r"), T0)
    r = pk_of(store, "r")
    answer_on(store, "r", 5, -7)  # n1, ef 260, interval 1, due day -6
    answer_on(store, "r", 5, -6)  # n2, ef 270, interval 6, due today
    before = store.study.state(r)
    session = ReviewSession(store, ["alpha"], D, new_per_day=0)
    assert shown_kind(session) == ("r", REVIEW)
    session.answer(1, T0)  # the lapse: n0, ef 270 kept, interval 1, lapses 1
    lapsed = sm2.review(before, 1, D)
    assert (lapsed.n, lapsed.ef, lapsed.interval, lapsed.lapses) == (0, 270, 1, 1)
    for grade in (0, 2, 3, 5):
        card = session.current()
        assert card is not None
        assert card.review_kind is DRILL
        assert card.state == lapsed  # the drill shows the state the lapse gave
        session.answer(grade, T0)
        assert store.study.state(r) == lapsed
    assert shown_kind(session) is None


# ---- undo ------------------------------------------------------------------------------------


def test_undo_restores_a_new_card_and_shows_it_again(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(5, T0)
    assert shown_kind(session) == ("y", NEW)
    undone = session.undo()
    assert undone is not None
    assert undone.card.id == "x"
    assert shown_kind(session) == ("x", NEW)
    assert session.remaining == 2
    assert session.answered == 0
    x = pk_of(store, "x")
    assert store.study.state(x) == NEW_STATE
    assert store.study.log_for_card(x) == []
    assert session.answer(4, T0).review_kind is NEW  # a first answer again, not a drill


def test_undo_of_a_review_restores_the_exact_prior_state(store: Store) -> None:
    store.content.load_deck(deck("alpha", "r"), T0)
    answer_on(store, "r", 3, -1)
    before = store.study.state(pk_of(store, "r"))
    session = ReviewSession(store, ["alpha"], D, new_per_day=0)
    session.answer(0, T0)
    session.undo()
    assert store.study.state(pk_of(store, "r")) == before
    assert shown_kind(session) == ("r", REVIEW)
    assert session.remaining == 1  # the drill the lapse queued is gone with it


def test_undo_of_a_drill_shows_the_drill_again_and_keeps_the_state(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(2, T0)  # x: lapse on a new card, drill queued
    session.answer(5, T0)  # y
    after_first = store.study.state(pk_of(store, "x"))
    assert shown_kind(session) == ("x", DRILL)
    session.answer(3, T0)  # x drill, still below 4: queued again
    undone = session.undo()
    assert undone is not None
    assert undone.card.id == "x"
    assert shown_kind(session) == ("x", DRILL)
    assert session.remaining == 1
    assert store.study.state(pk_of(store, "x")) == after_first
    assert [r.review_kind for r in store.study.log_for_card(pk_of(store, "x"))] == [NEW]
    session.answer(5, T0)
    assert shown_kind(session) is None


def test_undo_of_the_drill_that_passed_brings_the_drill_back(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(3, T0)
    session.answer(4, T0)  # drill passed: the card is done
    assert shown_kind(session) is None
    session.undo()
    assert shown_kind(session) == ("x", DRILL)
    assert store.study.pending_drill_pks(["alpha"], D) == [pk_of(store, "x")]


def test_undo_walks_back_through_the_whole_session(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y", "z"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    grades = iter([2, 5, 4, 5])  # x 2, y 5, z 4, x drill 5
    assert run(session, lambda _c: next(grades)) == [
        ("x", NEW),
        ("y", NEW),
        ("z", NEW),
        ("x", DRILL),
    ]
    for expected in [("x", DRILL), ("z", NEW), ("y", NEW), ("x", NEW)]:
        assert session.undo() is not None
        assert shown_kind(session) == expected
    assert session.undo() is None
    assert session.remaining == 3
    assert all(store.study.state(pk_of(store, c)) == NEW_STATE for c in "xyz")
    assert run(session) == [("x", NEW), ("y", NEW), ("z", NEW)]


def test_undo_with_nothing_answered_does_nothing(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    assert session.undo() is None
    assert shown_kind(session) == ("x", NEW)


# ---- bury ------------------------------------------------------------------------------------


def test_a_buried_new_card_is_gone_for_the_day_and_back_the_next(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    buried = session.bury()
    assert buried is not None
    assert buried.card.id == "x"
    assert run(session) == [("y", NEW)]
    assert run(ReviewSession(store, ["alpha"], D, new_per_day=10)) == []
    assert run(ReviewSession(store, ["alpha"], day(1), new_per_day=10), k=1) == [
        ("y", REVIEW),
        ("x", NEW),
    ]


def test_a_buried_review_is_gone_for_the_day_and_due_the_next(store: Store) -> None:
    store.content.load_deck(deck("alpha", "r", "s"), T0)
    answer_on(store, "r", 4, -1)
    answer_on(store, "s", 4, -1)
    before = store.study.state(pk_of(store, "r"))
    session = ReviewSession(store, ["alpha"], D, new_per_day=0)
    session.bury()
    assert run(session) == [("s", REVIEW)]
    assert store.study.state(pk_of(store, "r")) == before  # burying does not reschedule
    assert run(ReviewSession(store, ["alpha"], D, new_per_day=0)) == []
    assert run(ReviewSession(store, ["alpha"], day(1), new_per_day=0), k=1) == [("r", REVIEW)]


def test_burying_a_card_in_drill_drops_its_drills_for_the_day(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(1, T0)  # x
    session.answer(5, T0)  # y
    assert shown_kind(session) == ("x", DRILL)
    session.bury()
    assert shown_kind(session) is None
    assert run(ReviewSession(store, ["alpha"], D, new_per_day=10)) == []
    assert run(ReviewSession(store, ["alpha"], day(1), new_per_day=10), k=1) == [
        ("x", REVIEW),
        ("y", REVIEW),
    ]


def test_bury_with_nothing_queued_does_nothing(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=0)
    assert session.bury() is None


# ---- across days -----------------------------------------------------------------------------


def test_each_day_shows_exactly_the_cards_sm2_made_due(store: Store) -> None:
    ids = [f"c{i}" for i in range(6)]
    store.content.load_deck(deck("alpha", *ids), T0)
    model: dict[str, SchedState] = dict.fromkeys(ids, NEW_STATE)  # our own SM-2 bookkeeping
    rng = random.Random(20240610)
    busy_days = 0
    for k in range(60):
        today = day(k)
        due = sorted(
            (c for c in ids if model[c].due is not None and model[c].due <= today),
            key=lambda c: (model[c].due, ids.index(c)),
        )
        new = [c for c in ids if model[c].is_new][:2]
        session = ReviewSession(store, ["alpha"], today, new_per_day=2)
        first_showings: list[tuple[str, ReviewKind]] = []
        drills: Counter[str] = Counter()
        while (card := session.current()) is not None:
            cid = card.stored.card.id
            if card.review_kind is DRILL:
                drills[cid] += 1
                grade = 5 if drills[cid] > 2 else rng.randint(0, 5)
            else:
                first_showings.append((cid, card.review_kind))
                grade = rng.choice([0, 1, 2, 3, 3, 4, 4, 5, 5, 5])
                after = sm2.review(model[cid], grade, today)
                if model[cid].is_new:  # a new card's first answer is never a lapse (README)
                    after = replace(after, lapses=0)
                model[cid] = after
            assert card.state == store.study.state(card.stored.pk)
            session.answer(grade, at(k))
            assert store.study.state(card.stored.pk) == model[cid]
        assert first_showings == [(c, REVIEW) for c in due] + [(c, NEW) for c in new]
        busy_days += bool(first_showings)
    assert busy_days >= 10
    assert all(not s.is_new for s in model.values())


def test_summary_counts_cards_answers_grades_and_what_comes_next(store: Store) -> None:
    store.content.load_deck(deck("alpha", "r", "x", "y", "z"), T0)
    answer_on(store, "r", 5, -1)  # n1, due today
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    grades = iter([5, 5, 3, 4, 2, 4])  # r 5 (n2: due in 6 days); x 5; y 3; z 4; y drill 2, 4
    assert run(session, lambda _c: next(grades)) == [
        ("r", REVIEW),
        ("x", NEW),
        ("y", NEW),
        ("z", NEW),
        ("y", DRILL),
        ("y", DRILL),
    ]
    summary = session.summary()
    assert summary.reviewed == 4
    assert summary.answers == 6
    assert summary.grades == Counter({5: 2, 4: 2, 3: 1, 2: 1})
    assert summary.due_tomorrow == 3  # x, y, z have interval 1; r is due on day 6
    assert summary.next_due == day(1)
    assert summary.left == 0


def test_summary_next_due_skips_to_the_first_due_date(store: Store) -> None:
    store.content.load_deck(deck("alpha", "r"), T0)
    answer_on(store, "r", 5, -1)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    run(session)
    summary = session.summary()
    assert (summary.reviewed, summary.answers, summary.due_tomorrow) == (1, 1, 0)
    assert summary.next_due == day(6)


def test_summary_of_an_unfinished_session(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y", "z"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(1, T0)
    summary = session.summary()
    assert (summary.reviewed, summary.answers, summary.left) == (1, 1, 3)  # y, z and x's drill
    assert summary.next_due == D
    assert summary.grades == Counter({1: 1})


def test_summary_after_a_limit_counts_what_is_still_due_today(store: Store) -> None:
    store.content.load_deck(deck("alpha", "r1", "r2", "r3", "r4", "n1", "n2"), T0)
    for ref in ("r1", "r2", "r3", "r4"):
        answer_on(store, ref, 5, -1)  # due today
    session = ReviewSession(store, ["alpha"], D, new_per_day=10, limit=2)
    assert run(session) == [("r1", REVIEW), ("r2", REVIEW)]
    summary = session.summary()
    assert summary.left == 4  # r3, r4 and the two new cards: the session's cut queue is empty
    assert summary.next_due == D
    assert summary.due_tomorrow == 0  # r3 and r4 are due today, not tomorrow


def test_summary_due_tomorrow_leaves_out_what_is_still_due_today(store: Store) -> None:
    store.content.load_deck(deck("alpha", "r1", "r2", "r3"), T0)
    for ref in ("r1", "r2"):
        answer_on(store, ref, 5, -1)  # due today
    answer_on(store, "r3", 5, -2)
    answer_on(store, "r3", 5, -1)  # due on day 5
    session = ReviewSession(store, ["alpha"], D, new_per_day=0, limit=1)
    session.answer(2, at(0))  # r1 failed: due tomorrow, a drill today
    summary = session.summary()
    assert (summary.left, summary.due_tomorrow) == (2, 1)  # r1's drill and r2; r1 tomorrow


def test_a_session_reopened_later_the_same_day_picks_up_pending_drills(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y", "z"), T0)
    first = ReviewSession(store, ["alpha"], D, new_per_day=10)
    first.answer(2, T0)  # x: drill pending
    first.answer(3, T0)  # y: a pass, but below 4: drill pending
    first.answer(5, T0)  # z
    x_state, y_state = store.study.state(pk_of(store, "x")), store.study.state(pk_of(store, "y"))
    # the learner quits here; later that day:
    later = ReviewSession(store, ["alpha"], D, new_per_day=10)
    assert later.remaining == 2
    assert sorted(run(later, k=0)) == [("x", DRILL), ("y", DRILL)]
    assert store.study.state(pk_of(store, "x")) == x_state
    assert store.study.state(pk_of(store, "y")) == y_state
    assert run(ReviewSession(store, ["alpha"], D, new_per_day=10)) == []
    assert run(ReviewSession(store, ["alpha"], day(1), new_per_day=10), k=1) == [
        ("x", REVIEW),
        ("y", REVIEW),
        ("z", REVIEW),
    ]


def test_a_reopened_session_shows_leftover_drills_in_the_order_they_were_failed(
    store: Store,
) -> None:
    store.content.load_deck(deck("alpha", "a", "b"), T0)
    first = ReviewSession(store, ["alpha"], D, new_per_day=10)
    first.answer(2, T0)  # a
    first.answer(2, T0)  # b
    first.answer(3, T0)  # a's drill, still below 4: now b's miss is the older one
    assert shown_kind(first) == ("b", DRILL)  # this session would show b, then a
    later = ReviewSession(store, ["alpha"], D, new_per_day=10)
    assert run(later) == [("b", DRILL), ("a", DRILL)]


# ---- the next card, drawn with the answer ----------------------------------------------------


def test_the_card_shown_after_an_answer_carries_the_state_that_answer_saved(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(2, T0)  # the only card, failed: it comes straight back as a drill
    again = session.current()
    assert again is not None and again.review_kind is DRILL
    saved = replace(sm2.review(NEW_STATE, 2, D), lapses=0)  # a first answer is not a lapse
    assert again.state == store.study.state(pk_of(store, "x")) == saved


def test_after_an_undo_and_an_answer_elsewhere_each_card_shows_its_saved_state(
    store: Store,
) -> None:
    store.content.load_deck(deck("alpha", "x", "y"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(5, T0)  # x; y is drawn with this answer
    session.undo()  # x is back on top, with its state before the answer
    card = session.current()
    assert card is not None and (card.stored.card.id, card.review_kind) == ("x", NEW)
    assert card.state == NEW_STATE
    y = pk_of(store, "y")
    store.study.record_answer(y, 4, T0, D)  # another session answers y meanwhile
    session.answer(5, T0)  # x again; y is drawn in this answer's transaction
    shown_y = session.current()
    assert shown_y is not None and shown_y.stored.card.id == "y"
    assert shown_y.state == store.study.state(y) == sm2.review(NEW_STATE, 4, D)
