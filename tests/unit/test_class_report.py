"""`srs class report` as an instructor uses it: places never cut, CSV for a spreadsheet, cards
ranked by evidence, backlogs without suspended cards, instructors' answers left out, the second
review counted as documented, retired cards marked, a future `--since` refused, counts spelled
right. SQLite collections in a temporary directory, and the session's embedded PostgreSQL server
where the behaviour is the server's."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console
from test_class_server import T0, Klass, class_template, env_for, klass

from helpers import SMALL_DECK, run_srs
from srs.classroom import report
from srs.core.classreport import ClassReport, wilson_lower
from srs.store import Store
from srs.ui.class_screen import print_class_report

__all__ = ["class_template", "klass"]  # the class fixtures, shared with test_class_server

TODAY = date(2024, 3, 11)


def sqlite_env(db: Path, now: str = "2024-03-11T09:00") -> dict[str, str]:
    """The environment of a run on the SQLite collection `db`, with a fixed clock."""
    return {"SRS_DB": str(db), "SRS_NOW": now, "SRS_TZ": "UTC", "TERM": "dumb", "COLUMNS": "80"}


def deck_in_a_deep_folder(tmp_path: Path, text: str = SMALL_DECK) -> Path:
    """The small deck in a folder deep enough that its `file:line` is wider than a terminal."""
    folder = tmp_path / "a-course-folder-with-a-long-name" / "week-03-the-reading-list"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "tiny.toml"
    path.write_text(text)
    return path


def load(db: Path, deck_file: Path) -> None:
    result = run_srs(["deck", "add", str(deck_file)], sqlite_env(db))
    assert result.returncode == 0, result.stderr


def answer(db: Path, learner: str, grades: dict[str, list[int]], first: int = 1) -> None:
    """`learner` answers each card of the small deck with its grades, one a day from March
    `first` (so each is scheduled: the first answer of its day)."""
    store = Store.open(f"sqlite:///{db}", str(db), learner=learner)
    pks = {c.card.id: c.pk for c in store.content.cards(["tiny"])}
    for card_id, card_grades in grades.items():
        for k, grade in enumerate(card_grades):
            store.study.record_answer(pks[card_id], grade, T0, date(2024, 3, first + k))
    store.close()


def read_report(db: Path, since: date | None = None) -> ClassReport:
    store = Store.open(f"sqlite:///{db}", str(db))
    try:
        return report(store, [], since, TODAY, by_learner=True)
    finally:
        store.close()


def rendered(result: ClassReport, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, highlight=False)
    print_class_report(console, result)
    out = console.file.getvalue()
    assert isinstance(out, str)
    return out


def test_the_text_report_keeps_each_file_line_whole_on_a_line_of_its_own_at_any_width(
    db: Path, tmp_path: Path
) -> None:
    deck_file = deck_in_a_deep_folder(tmp_path)
    load(db, deck_file)
    answer(db, "ann", {"alpha": [4, 1], "gamma": [4, 1, 0, 1]})
    result = read_report(db)
    places = {h.place.where for h in result.hardest} | {m.place.where for m in result.misreadings}
    assert len(places) == 2 and all(p.startswith(str(deck_file.resolve())) for p in places)
    for width in (40, 60, 120):
        lines = [line.strip() for line in rendered(result, width).splitlines()]
        for place in places:
            assert place in lines, (width, place)


def test_the_report_as_csv_is_one_block_per_section_with_a_header_row(
    db: Path, tmp_path: Path
) -> None:
    load(db, deck_in_a_deep_folder(tmp_path))
    answer(db, "ann, the first", {"alpha": [4, 1], "gamma": [4, 1, 0, 1]})
    answer(db, 'ben "b"', {"alpha": [5, 5]})
    result = run_srs(["class", "report", "--format", "csv", "--by-learner"], sqlite_env(db))
    assert result.returncode == 0, result.stderr
    blocks = [list(csv.reader(io.StringIO(b))) for b in result.stdout.split("\n\n")]
    names = [b[1:] and b[1][0] for b in blocks]
    assert [b[0][0] for b in blocks] == ["section"] * 6
    assert names == [
        "report",
        "hardest",
        "retention_by_kind",
        "persistent_misreadings",
        "active_learners",
        "by_learner",
    ]
    for block in blocks:
        assert all(len(row) == len(block[0]) and row[0] == block[1][0] for row in block[1:])
    hardest = [dict(zip(blocks[1][0], row, strict=True)) for row in blocks[1][1:]]
    assert [(h["card"], h["lapsed_learners"], h["learners"]) for h in hardest] == [
        ("gamma", "1", "1"),
        ("alpha", "1", "2"),
    ]
    assert hardest[0]["line"].isdigit() and hardest[0]["retired"] == "no"
    learners = [row[1] for row in blocks[5][1:]]
    assert learners == ["ann, the first", 'ben "b"']  # quoted by the csv module, read back whole
    as_json = run_srs(["class", "report", "--json"], sqlite_env(db))
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["answers"] == 8
    both = run_srs(["class", "report", "--json", "--format", "csv"], sqlite_env(db))
    assert (both.returncode, both.stderr.count("\n")) == (1, 1)


def test_a_card_is_ranked_by_the_wilson_lower_bound_so_1_of_1_no_longer_outranks_10_of_11(
    db: Path, tmp_path: Path
) -> None:
    assert round(wilson_lower(1, 1), 4) == 0.2065
    assert round(wilson_lower(10, 11), 4) == 0.6226
    assert wilson_lower(0, 0) == 0.0
    load(db, deck_in_a_deep_folder(tmp_path))
    for k in range(11):
        answer(db, f"learner {k}", {"alpha": [4, 1 if k < 10 else 5]})
    answer(db, "learner 0", {"beta": [4, 0]})  # beta: 1 learner of 1 lapsed
    result = read_report(db)
    ranked = [(h.place.card_id, h.lapsed_learners, h.learners) for h in result.hardest]
    assert ranked == [("alpha", 10, 11), ("beta", 1, 1)]
    assert result.hardest[1].lapse_rate == 1.0  # the displayed figures are unchanged
    data = json.loads(run_srs(["class", "report", "--json"], sqlite_env(db)).stdout)
    assert data["hardest"][0]["share_lapsed_lower_bound"] == 0.6226


def test_the_backlog_leaves_out_the_cards_a_learner_suspended(db: Path, tmp_path: Path) -> None:
    load(db, deck_in_a_deep_folder(tmp_path))
    answer(db, "ann", {"alpha": [4], "beta": [4], "gamma": [4]})  # all due by the 11th
    store = Store.open(f"sqlite:///{db}", str(db), learner="ann")
    pk = next(c.pk for c in store.content.cards(["tiny"]) if c.card.id == "beta")
    assert store.setaside.suspend(pk, T0)
    store.close()
    result = read_report(db)
    assert result.by_learner is not None
    assert [(f.learner, f.due) for f in result.by_learner] == [("ann", 2)]


def test_still_failing_after_the_second_review_counts_only_scheduled_reviews_after_two(
    db: Path, tmp_path: Path
) -> None:
    load(db, deck_in_a_deep_folder(tmp_path))
    store = Store.open(f"sqlite:///{db}", str(db), learner="ann")
    pk = next(c.pk for c in store.content.cards(["tiny"]) if c.card.id == "gamma")
    # the first answer, a failed first review and its failed same-day drill, a failed second
    for day, grade in ((1, 4), (2, 1), (2, 1), (3, 0)):
        store.study.record_answer(pk, grade, T0, date(2024, 3, day))
    assert read_report(db).misreadings == ()
    store.study.record_answer(
        pk, 1, T0, date(2024, 3, 4)
    )  # the third review, failed: after the second
    store.close()
    result = read_report(db)
    figures = [
        (m.place.card_id, m.learners_past_second, m.still_failing) for m in result.misreadings
    ]
    assert figures == [("gamma", 1, 1)]


RETIRED_DECK = SMALL_DECK.replace(
    '[[card]]\nid = "alpha"\nkind = "finding"\nfront = "Front of alpha"\nback = "Back of alpha"\n'
    'source = "§1"\n\n',
    "",
)


def test_a_retired_card_is_marked_retired_not_pointed_at_a_line_another_card_now_holds(
    db: Path, tmp_path: Path
) -> None:
    deck_file = deck_in_a_deep_folder(tmp_path)
    load(db, deck_file)
    answer(db, "ann", {"alpha": [4, 1], "beta": [4, 0]})
    assert '"alpha"' not in RETIRED_DECK
    deck_in_a_deep_folder(tmp_path, RETIRED_DECK)  # alpha removed: beta now on alpha's line
    load(db, deck_file)
    data = json.loads(run_srs(["class", "report", "--json"], sqlite_env(db)).stdout)
    places = {h["card"]: (h["retired"], h["line"]) for h in data["hardest"]}
    assert places["alpha"] == (True, None)
    assert places["beta"][0] is False and isinstance(places["beta"][1], int)
    text = run_srs(["class", "report"], sqlite_env(db, "2024-03-11T09:00") | {"COLUMNS": "200"})
    assert f"retired (removed from {deck_file.resolve()})" in text.stdout


def test_a_since_after_todays_study_day_is_refused_in_one_line(db: Path, tmp_path: Path) -> None:
    load(db, deck_in_a_deep_folder(tmp_path))
    future = run_srs(["class", "report", "--since", "2024-03-12"], sqlite_env(db))
    assert future.returncode == 1
    assert future.stderr == (
        "srs: error: --since 2024-03-12 is after today (2024-03-11); give a day up to today\n"
    )
    today = run_srs(["class", "report", "--since", "2024-03-11"], sqlite_env(db))
    assert today.returncode == 0, today.stderr


def test_one_learner_and_one_answer_are_spelled_in_the_singular(db: Path, tmp_path: Path) -> None:
    load(db, deck_in_a_deep_folder(tmp_path))
    answer(db, "ann", {"alpha": [4]})
    assert "1 learner, 1 answer\n" in rendered(read_report(db), 120)
    answer(db, "ben", {"alpha": [4]})
    assert "2 learners, 2 answers\n" in rendered(read_report(db), 120)


# ---- on the server ------------------------------------------------------------------------


def test_the_instructors_own_answers_are_not_a_learners_on_either_road(
    klass: Klass, tmp_path: Path
) -> None:
    teacher_name = klass.server.unique("teach")
    teacher = klass.add(teacher_name, instructor=True)
    deck_file = tmp_path / "tiny.toml"
    deck_file.write_text(SMALL_DECK)
    assert run_srs(["deck", "add", str(deck_file)], env_for(teacher)).returncode == 0
    learner, gone = klass.server.unique("l"), klass.server.unique("gone")
    urls = {teacher_name: teacher, "admin": klass.admin_url}  # a superuser: in every role
    for name in (teacher_name, "admin", learner, gone):
        store = Store.open(urls[name] if name in urls else klass.add(name), name)
        for pk in [c.pk for c in store.content.cards(["tiny"])]:
            store.study.record_answer(pk, 4, T0, date(2024, 3, 1))
            store.study.record_answer(pk, 1 if name in urls else 5, T0, date(2024, 3, 2))
        store.close()
    with klass.server.admin(klass.database) as conn:  # a learner whose login was dropped
        conn.execute(f'DROP OWNED BY "{gone}"')
        conn.execute(f'DROP ROLE "{gone}"')
    store = Store.open(teacher, "t")
    try:
        for since in (None, date(2024, 3, 1)):  # the running totals, then the log
            result = report(store, ["tiny"], since, TODAY, by_learner=True)
            assert (result.learners, result.answers) == (2, 12)
            assert result.hardest == ()  # only the instructor lapsed
            assert result.by_learner is not None
            assert sorted(f.learner for f in result.by_learner) == sorted([learner, gone])
            assert result.active == ((date(2024, 2, 26), 2),)
    finally:
        store.close()


def test_the_second_review_rule_is_the_same_in_the_servers_totals_and_the_log(
    klass: Klass, tmp_path: Path
) -> None:
    teacher = klass.add(klass.server.unique("teach"), instructor=True)
    deck_file = tmp_path / "tiny.toml"
    deck_file.write_text(SMALL_DECK)
    assert run_srs(["deck", "add", str(deck_file)], env_for(teacher)).returncode == 0
    early, late = klass.server.unique("early"), klass.server.unique("late")
    for name, grades in ((early, [4, 1, 0]), (late, [4, 5, 5, 1])):
        store = Store.open(klass.add(name), name)
        pk = next(c.pk for c in store.content.cards(["tiny"]) if c.card.id == "gamma")
        for k, grade in enumerate(grades):
            store.study.record_answer(pk, grade, T0, date(2024, 3, 1 + k))
            if grade < 3:
                store.study.record_answer(pk, 1, T0, date(2024, 3, 1 + k))  # a failed drill
        store.close()
    store = Store.open(teacher, "t")
    try:
        for since in (None, date(2024, 3, 1)):
            result = report(store, ["tiny"], since, TODAY, by_learner=False)
            figures = [(m.learners_past_second, m.still_failing) for m in result.misreadings]
            assert figures == [(1, 1)]  # `late` alone got past its second review
    finally:
        store.close()


@pytest.mark.parametrize("flag", ["--json", "--format=json"])
def test_json_is_asked_for_with_either_flag(db: Path, tmp_path: Path, flag: str) -> None:
    load(db, deck_in_a_deep_folder(tmp_path))
    result = run_srs(["class", "report", flag], sqlite_env(db))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["learners"] == 0
