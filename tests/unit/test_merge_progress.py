"""The store's side of `srs merge anki` (`store.transfer`), on SQLite and PostgreSQL alike:
answers keyed by Anki's review id are added once, and a state, a suspension and a burial set;
and Anki's FSRS memory state as a merge takes it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from factories import card, deck, pk_of
from srs.anki.import_.scheduling import OutOfRange
from srs.anki.merge_read import fsrs_memory
from srs.core.merging import MergedProgress
from srs.core.model import NEW_STATE, PastReview, ReviewKind, SchedState
from srs.store import Store

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
D0 = date(2026, 3, 1)


def anki_answer(anki_id: int, grade: int, after: SchedState) -> PastReview:
    """One answer as a merge brings it from Anki's review log."""
    return PastReview(T0, D0, grade, ReviewKind.NEW, NEW_STATE, after, True, anki_id)


def test_merged_answers_are_added_once_and_the_state_and_set_asides_are_applied(
    any_store: Store,
) -> None:
    store = any_store  # on SQLite and on PostgreSQL
    store.content.load_deck(deck("paper", card("a"), card("b")), T0)
    a, b = pk_of(store, "paper/a"), pk_of(store, "paper/b")
    after = SchedState(n=1, ef=250, interval=3, due=D0 + timedelta(days=3), reps=1)
    items = [
        MergedProgress(a, (anki_answer(1_700_000_000_000, 4, after),), after, False, None),
        MergedProgress(b, (), None, True, D0),
    ]
    assert store.transfer.merge_progress(items, T0) == 1
    assert store.transfer.merge_progress(items, T0 + timedelta(hours=1)) == 0
    found = store.transfer.stored_progress([a, b])
    assert found[a].state == after
    assert [(x.grade, x.anki_id) for x in found[a].answers] == [(4, 1_700_000_000_000)]
    assert found[b].state == NEW_STATE and found[b].suspended and found[b].buried_on == D0
    (record,) = store.study.log_for_card(a)
    assert record.from_anki and record.grade == 4


def test_anki_fsrs_memory_is_taken_only_as_finite_numbers_in_fsrs_ranges() -> None:
    assert fsrs_memory('{"pos":2,"s":2.3065,"d":2.111,"dr":0.9}') == (2.3065, 2.111)
    assert fsrs_memory('{"pos":2,"lrt":1796644923}') is None  # scheduled with SM-2
    assert fsrs_memory(None) is None and fsrs_memory("not json") is None
    for hostile in ('{"s":1e999,"d":5}', '{"s":-1,"d":5}', '{"s":3,"d":11}', '{"s":"3","d":5}',
                    '{"s":true,"d":5}', '{"s":3,"d":null}', '{"s":2e6,"d":5}'):  # fmt: skip
        with pytest.raises(OutOfRange):
            fsrs_memory(hostile)


def test_a_merge_leaves_python_s_cycle_collector_running_also_when_it_fails(
    store: Store, tmp_path: Path
) -> None:
    """`srs.cli.main` runs every command, a merge among them, with the collector paused; the
    merge itself leaves it as it found it."""
    import gc

    from srs.anki.merge import merge_package
    from srs.core.errors import AnkiImportError

    bad = tmp_path / "not-a-package.apkg"
    bad.write_bytes(b"not a zip")
    assert gc.isenabled()
    with pytest.raises(AnkiImportError):
        merge_package(store, bad, now=T0, today=D0, day_of=lambda at: at.date())
    assert gc.isenabled()
