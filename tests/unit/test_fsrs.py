"""FSRS through `srs.core.scheduling.fsrs`, checked against the `fsrs` package's own Scheduler.

The reference is py-fsrs run as its documentation shows: one Card reviewed with each rating at
noon UTC of the study day, with no learning or relearning steps and fuzz off. Our wrapper keeps
only day-based state (stability, difficulty, interval, due), so these tests show that nothing is
lost on the way: the due dates, stabilities and difficulties are the package's own.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest
from fsrs import Card, Rating, Scheduler
from hypothesis import given, settings
from hypothesis import strategies as st

from srs.core.model import NEW_STATE, SchedState
from srs.core.scheduling.fsrs import FSRS, fuzz_range, fuzzed, moment, rating
from srs.core.scheduling.rule import AnswerPolicy, PastAnswer, decide_answer
from srs.core.scheduling.sm2 import SM2

D0 = date(2026, 1, 5)
FAST = settings(max_examples=150, deadline=None)
GRADE_OF = {Rating.Again: 1, Rating.Hard: 3, Rating.Good: 4, Rating.Easy: 5}


def reference(steps: list[tuple[int, Rating]], retention: float = 0.9) -> list[Card]:
    """py-fsrs itself: a card reviewed `gap` days after the previous review with each rating."""
    scheduler = Scheduler(
        desired_retention=retention, learning_steps=(), relearning_steps=(), enable_fuzzing=False
    )
    card = Card(card_id=1)
    when = datetime(D0.year, D0.month, D0.day, 12, tzinfo=UTC)
    out = []
    for gap, r in steps:
        when += timedelta(days=gap)
        card, _ = scheduler.review_card(card, r, when)
        out.append(card)
    return out


def ours(steps: list[tuple[int, Rating]], retention: float = 0.9) -> list[SchedState]:
    scheduler = FSRS(desired_retention=retention, fuzz=False)
    state, day, out = NEW_STATE, D0, []
    for gap, r in steps:
        day += timedelta(days=gap)
        state = scheduler.answer(state, GRADE_OF[r], day)
        out.append(state)
    return out


def assert_same(steps: list[tuple[int, Rating]], retention: float = 0.9) -> None:
    for theirs, mine in zip(reference(steps, retention), ours(steps, retention), strict=True):
        assert mine.due is not None
        assert moment(mine.due) == theirs.due
        assert mine.stability == theirs.stability
        assert mine.difficulty == theirs.difficulty


HAND_PICKED = {
    "good on every due day": [(0, Rating.Good), (2, Rating.Good), (10, Rating.Good)],
    "again first": [(0, Rating.Again), (1, Rating.Good), (3, Rating.Good)],
    "easy then hard": [(0, Rating.Easy), (15, Rating.Hard), (20, Rating.Good)],
    "lapse after a long gap": [(0, Rating.Good), (3, Rating.Good), (90, Rating.Again)],
    "early reviews": [(0, Rating.Good), (1, Rating.Good), (1, Rating.Good), (1, Rating.Easy)],
    "late review": [(0, Rating.Hard), (400, Rating.Good), (5, Rating.Again)],
}


@pytest.mark.parametrize("steps", HAND_PICKED.values(), ids=HAND_PICKED.keys())
def test_intervals_equal_the_fsrs_packages_own_for_hand_picked_sequences(
    steps: list[tuple[int, Rating]],
) -> None:
    assert_same(steps)


def test_a_lower_desired_retention_gives_the_packages_longer_intervals() -> None:
    steps = [(0, Rating.Good), (3, Rating.Good), (8, Rating.Good)]
    assert_same(steps, retention=0.8)
    assert ours(steps, 0.8)[-1].interval > ours(steps, 0.9)[-1].interval


@FAST
@given(
    st.lists(
        st.tuples(st.integers(min_value=1, max_value=500), st.sampled_from(list(Rating))),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([0.8, 0.85, 0.9, 0.95]),
)
def test_intervals_equal_the_fsrs_packages_own_for_any_sequence(
    steps: list[tuple[int, Rating]], retention: float
) -> None:
    assert_same([(0, steps[0][1]), *steps[1:]], retention)


def test_grades_map_zero_to_two_to_again_three_hard_four_good_five_easy() -> None:
    assert [rating(g) for g in range(6)] == [
        Rating.Again,
        Rating.Again,
        Rating.Again,
        Rating.Hard,
        Rating.Good,
        Rating.Easy,
    ]


def test_every_answer_gives_a_due_date_in_whole_days_even_again() -> None:
    state = FSRS(fuzz=False).answer(NEW_STATE, 0, D0)
    assert state.interval >= 1
    assert state.due == D0 + timedelta(days=state.interval)
    assert (state.n, state.lapses, state.reps, state.scheduler) == (0, 1, 1, "fsrs")


def test_fsrs_answers_leave_the_sm2_easiness_alone() -> None:
    state = SM2().answer(NEW_STATE, 3, D0)
    after = FSRS(fuzz=False).adopt(state, [PastAnswer(D0, 3)])
    after = FSRS(fuzz=False).answer(after, 5, D0 + timedelta(days=1))
    assert after.ef == state.ef == 236
    assert after.n == 2


def test_fuzz_is_the_same_for_the_same_card_and_review_count() -> None:
    state = FSRS(fuzz=False).answer(NEW_STATE, 5, D0)
    day = state.due
    assert day is not None
    first = [FSRS().answer(state, 4, day, key="deck/card").due for _ in range(3)]
    assert len(set(first)) == 1


def test_fuzz_spreads_cards_with_the_same_history_within_the_packages_range() -> None:
    plain = FSRS(fuzz=False).answer(NEW_STATE, 5, D0)
    assert plain.due is not None
    unfuzzed = FSRS(fuzz=False).answer(plain, 4, plain.due).interval
    low, high = fuzz_range(unfuzzed)
    intervals = {FSRS().answer(plain, 4, plain.due, key=f"d/c{i}").interval for i in range(40)}
    assert len(intervals) > 1
    assert all(low <= i <= high + 1 for i in intervals)


def test_short_intervals_are_not_fuzzed() -> None:
    assert fuzzed(1, "any") == 1
    assert fuzzed(2, "any") == 2


def test_switching_to_fsrs_replays_the_sm2_log_like_the_package_would() -> None:
    sm2 = SM2()
    state, day, history = NEW_STATE, D0, []
    for grade in (4, 4, 3, 5):
        state = sm2.answer(state, grade, day)
        history.append(PastAnswer(day, grade))
        assert state.due is not None
        day = state.due
    adopted = FSRS(fuzz=False).adopt(state, history)
    steps = [(0, rating(4))]
    steps += [((b.day - a.day).days, rating(b.grade)) for a, b in pairwise(history)]
    replayed = reference(steps)[-1]
    assert (adopted.stability, adopted.difficulty) == (replayed.stability, replayed.difficulty)
    assert (adopted.n, adopted.ef, adopted.due) == (state.n, state.ef, state.due)


def test_the_answer_rule_adopts_a_card_another_scheduler_last_scheduled() -> None:
    day = D0
    state = SM2().answer(NEW_STATE, 4, day)
    asked: list[bool] = []

    def history() -> list[PastAnswer]:
        asked.append(True)
        return [PastAnswer(day, 4)]

    assert state.due is not None
    record = decide_answer(AnswerPolicy(FSRS(fuzz=False)), state, 4, state.due, False, history)
    assert asked == [True]
    assert record.before == state  # what undo restores
    assert record.after.scheduler == "fsrs"
    assert record.after.stability is not None
    drill = decide_answer(AnswerPolicy(FSRS(fuzz=False)), record.after, 4, state.due, True, history)
    assert drill.after == record.after
    assert asked == [True]  # a drill needs no history


def test_retrievability_is_highest_just_after_an_answer_and_falls() -> None:
    scheduler = FSRS(fuzz=False)
    state = scheduler.answer(NEW_STATE, 4, D0)
    figures = [scheduler.retrievability(state, D0 + timedelta(days=d)) for d in (0, 3, 30)]
    assert figures[0] == 1.0
    assert figures[0] > figures[1] > figures[2]  # type: ignore[operator]
    assert scheduler.retrievability(NEW_STATE, D0) is None
