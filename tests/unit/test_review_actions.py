"""Undo as the last action, suspend, leeches, cards gone under a session, and the grade preview:
`ReviewSession` over a real store in a temporary SQLite file."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factories import deck, pk_of, shown
from srs.core.model import ReviewKind
from srs.core.scheduling.rule import AnswerPolicy
from srs.core.scheduling.sm2 import SM2
from srs.review import ReviewSession
from srs.store import Store

T0 = datetime(2024, 6, 10, 9, 0, tzinfo=UTC)
D = date(2024, 6, 10)


def open_second(store: Store) -> Store:
    return Store.open(str(store.engine.url), "second")


# ---- undo is the last action ---------------------------------------------------------------


def test_bury_then_undo_brings_the_buried_card_back_and_says_so(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(5, T0)  # x
    session.bury()  # y
    assert session.take_notices()[-1] == "buried y until tomorrow"
    assert shown(session) is None
    undone = session.undo()
    assert undone is not None and undone.message == "unburied y"
    assert shown(session) == "y"
    assert store.study.state(pk_of(store, "x")).reps == 1  # the grade before the bury stays
    assert store.aggregates.status(["alpha"], D, 10)[0].new == 1  # y counts as new again today


def test_undo_after_a_grade_says_which_grade_it_took_back(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(4, T0)
    assert session.take_notices() == ["x: grade 4, next in 1 day"]
    session.undo()
    assert session.take_notices() == ["undid grade 4 on x"]


def test_undo_at_the_start_of_a_session_says_there_is_nothing_to_undo(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    assert session.undo() is None
    assert session.take_notices() == ["nothing to undo"]


def test_undo_after_another_session_answered_the_card_changes_nothing(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    first = ReviewSession(store, ["alpha"], D, new_per_day=10)
    second_store = open_second(store)
    try:
        second = ReviewSession(second_store, ["alpha"], D, new_per_day=10)
        first.answer(4, T0)
        second.answer(5, T0)  # the same card, a drill there: the first answer is no longer last
        state, log = (
            store.study.state(pk_of(store, "x")),
            store.study.log_for_card(pk_of(store, "x")),
        )
        undone = first.undo()
        assert undone is not None
        assert undone.message == "x was answered elsewhere since; not undone"
        assert store.study.state(pk_of(store, "x")) == state
        assert store.study.log_for_card(pk_of(store, "x")) == log
        assert [r.review_kind for r in log] == [ReviewKind.NEW, ReviewKind.DRILL]
        assert state.reps == 1 and state.due is not None  # state and log agree
    finally:
        second_store.close()


# ---- suspend ---------------------------------------------------------------------------------


def test_a_suspended_card_leaves_the_queue_and_the_counts_until_unsuspended(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.suspend(T0)
    assert session.take_notices() == ["suspended x (u takes it back)"]
    assert session.remaining == 1
    (status,) = store.aggregates.status(["alpha"], D, 10)
    assert (status.new, status.suspended) == (1, 1)
    assert shown(ReviewSession(store, ["alpha"], D + timedelta(days=3), new_per_day=10)) == "y"
    assert store.setaside.unsuspend(pk_of(store, "x"))
    assert store.aggregates.status(["alpha"], D, 10)[0].suspended == 0


def test_undo_takes_a_suspend_back(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.suspend(T0)
    assert shown(session) is None
    undone = session.undo()
    assert undone is not None and undone.message == "unsuspended x"
    assert shown(session) == "x"
    assert not store.setaside.is_suspended(pk_of(store, "x"))


def test_a_suspended_review_is_not_due_and_not_in_the_next_due_date(store: Store) -> None:
    store.content.load_deck(deck("alpha", "r"), T0)
    store.study.record_answer(pk_of(store, "r"), 4, T0 - timedelta(days=1), D - timedelta(days=1))
    assert store.setaside.suspend(pk_of(store, "r"), T0)
    assert not store.setaside.suspend(pk_of(store, "r"), T0)  # already suspended: nothing changes
    assert store.study.due_review_pks(["alpha"], D) == []
    assert store.aggregates.next_due(["alpha"]) is None
    assert store.aggregates.status(["alpha"], D, 10)[0].due == 0


# ---- leeches ---------------------------------------------------------------------------------


def lapse_days(store: Store, ref: str, lapses: int, leech_lapses: int, suspend: bool) -> list:
    """Fail the card once a day, `lapses` times after its first answer (a new card's failed
    first answer is not a lapse); return each answer after the first."""
    answers = []
    for k in range(lapses + 1):
        answers.append(
            store.study.record_answer(
                pk_of(store, ref),
                0,
                T0 + timedelta(days=k),
                D + timedelta(days=k),
                AnswerPolicy(SM2(), leech_lapses, suspend),
            )
        )
    return answers[1:]


def test_a_card_is_flagged_a_leech_once_when_it_reaches_the_lapse_threshold(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    answers = lapse_days(store, "x", 10, 8, False)
    assert [a.leech for a in answers] == [False] * 7 + [True, False, False]
    assert not store.setaside.is_suspended(pk_of(store, "x"))


def test_a_leech_is_suspended_when_the_setting_asks_for_it(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y"), T0)
    lapse_days(store, "x", 2, 3, True)
    session = ReviewSession(
        store, ["alpha"], D + timedelta(days=3), 10, policy=AnswerPolicy(SM2(), 3, True)
    )
    assert shown(session) == "x"
    answer = session.answer(1, T0 + timedelta(days=3))
    assert answer is not None and answer.leech and answer.suspended
    assert (
        session.take_notices()[-1]
        == "x is a leech: 3 lapses; suspended (srs unsuspend brings it back)"
    )
    assert shown(session) == "y"  # not drilled: it is suspended
    assert store.setaside.is_suspended(pk_of(store, "x"))


# ---- cards gone under an open session --------------------------------------------------------


def test_a_card_retired_under_an_open_session_is_skipped_with_a_notice(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    assert shown(session) == "x"
    store.content.load_deck(deck("alpha", "y"), T0)  # x retired by a concurrent `deck add`
    assert session.answer(5, T0) is None
    assert session.take_notices() == ["skipped alpha/x: retired or removed since the session began"]
    assert store.study.log_for_card(pk_of(store, "x")) == []
    assert shown(session) == "y"


def test_a_card_of_a_deck_removed_under_an_open_session_is_skipped(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    store.content.load_deck(deck("beta", "b"), T0)
    session = ReviewSession(store, ["alpha", "beta"], D, new_per_day=10)
    assert shown(session) == "x"
    store.content.remove_deck("beta")
    assert session.answer(5, T0) is not None
    assert shown(session) is None
    assert (
        session.take_notices()[-1] == "skipped a card: retired or removed since the session began"
    )
    assert session.summary().answers == 1


def test_a_card_removed_while_on_screen_is_not_answered(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    assert shown(session) == "x"
    store.content.remove_deck("alpha")
    assert session.answer(3, T0) is None  # no "FOREIGN KEY constraint failed"
    assert shown(session) is None


# ---- the grade preview is the answer ---------------------------------------------------------

HISTORY = st.lists(st.tuples(st.integers(0, 5), st.integers(1, 40)), max_size=8)


EXAMPLE = itertools.count()


# One collection for every example, each in a deck of its own: a new collection per example
# cost a second per 10 examples and checked nothing more.
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=HISTORY, grade=st.integers(0, 5), drill=st.booleans())
@example(history=[(3, 1), (3, 1), (3, 1), (3, 1), (4, 1)], grade=0, drill=False)  # due after +50
def test_the_interval_shown_for_each_grade_is_the_one_the_answer_gives(
    store: Store, history: list[tuple[int, int]], grade: int, drill: bool
) -> None:
    deck_id = f"alpha{next(EXAMPLE)}"
    ref = f"{deck_id}/x"
    store.content.load_deck(deck(deck_id, "x"), T0)
    k = 0
    for g, gap in history:  # a state the scheduler itself made, answer by answer
        k += gap
        store.study.record_answer(
            pk_of(store, ref), g, T0 + timedelta(days=k), D + timedelta(days=k)
        )
    due = store.study.state(pk_of(store, ref)).due
    if due is not None:  # a day the card is due on, however long its interval
        k = max(k + 50, (due - D).days)
    else:
        k += 50
    today = D + timedelta(days=k)
    if drill:  # answered once today already: the next answer is a drill
        store.study.record_answer(pk_of(store, ref), 0, T0 + timedelta(days=k), today)
    session = ReviewSession(store, [deck_id], today, new_per_day=10)
    card = session.current()
    assert card is not None
    preview = session.preview()
    answer = session.answer(grade, T0 + timedelta(days=k))
    assert answer is not None
    assert preview[grade].review_kind is answer.review_kind
    assert preview[grade].after == answer.state
    assert preview[grade].after.interval == answer.state.interval


def test_bury_suspend_and_undo_of_a_card_removed_meanwhile_fail_nothing(store: Store) -> None:
    store.content.load_deck(deck("alpha", "x", "y", "z"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    session.answer(5, T0)  # x
    assert shown(session) == "y"
    store.content.remove_deck("alpha")
    assert session.bury() is None
    assert session.suspend(T0) is None  # z: gone as well
    undone = session.undo()
    assert undone is not None and undone.message == "x was removed since; not undone"
    assert shown(session) is None
    notices = session.take_notices()
    assert "skipped alpha/y: retired or removed since the session began" in notices


def test_a_session_with_its_minutes_used_up_stops_before_the_next_card(store: Store) -> None:
    import io

    from rich.console import Console

    from srs.ui.keys import KeyReader
    from srs.ui.review_screen import run_review

    store.content.load_deck(deck("alpha", "x", "y"), T0)
    session = ReviewSession(store, ["alpha"], D, new_per_day=10)
    out = io.StringIO()
    summary = run_review(
        session, Console(file=out, width=80), KeyReader(io.StringIO(" 5 5")), lambda: T0, 0
    )
    assert summary.answers == 0 and summary.left == 2
    assert "Time is up (0 minutes)." in out.getvalue()


@pytest.mark.parametrize("scheduler", ["sm2", "fsrs"])
def test_failing_a_new_cards_first_answer_is_no_lapse_and_no_step_to_a_leech(
    scheduler: str,
) -> None:
    from srs.core.model import NEW_STATE
    from srs.core.scheduling.fsrs import FSRS
    from srs.core.scheduling.rule import decide_answer

    chosen = SM2() if scheduler == "sm2" else FSRS(fuzz=False)
    policy = AnswerPolicy(chosen, leech_lapses=1, leech_suspend=True)
    first = decide_answer(policy, NEW_STATE, 0, D, answered_today=False)
    assert first.review_kind is ReviewKind.NEW
    assert first.after.lapses == 0 and not first.leech and not first.suspend
    assert first.after.due == D + timedelta(days=1)  # failed all the same: due again tomorrow
    # a failed review of a card already learned is a lapse, and here it makes a leech
    review = decide_answer(policy, first.after, 0, D + timedelta(days=1), answered_today=False)
    assert review.review_kind is ReviewKind.REVIEW
    assert review.after.lapses == 1 and review.leech and review.suspend
