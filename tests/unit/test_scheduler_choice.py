"""Choosing FSRS or SM-2: `srs config`, the environment overrides, switching with history kept,
the schema upgrade that made room for FSRS, and `srs simulate`."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from helpers import SMALL_DECK, run_srs, srs_env
from srs.core.model import NEW_STATE, Card, Deck, Kind
from srs.core.scheduling.choice import SchedulerChoice
from srs.core.scheduling.fsrs import FSRS
from srs.core.scheduling.rule import AnswerPolicy, PastAnswer
from srs.core.scheduling.sm2 import SM2
from srs.core.simulation import StartCard, simulate
from srs.learner_config import answer_policy, chosen_scheduler
from srs.store import SCHEMA_VERSION, Store

NOW = "2026-02-02T09:00"


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(SMALL_DECK, encoding="utf-8")
    return path


def env_at(db: Path, day: int, **extra: str) -> dict[str, str]:
    when = datetime(2026, 2, 2, 9) + timedelta(days=day)
    return srs_env(db, when.strftime("%Y-%m-%dT%H:%M"), **extra)


def test_config_set_stores_the_learners_choice_and_show_lists_it(db: Path) -> None:
    env = srs_env(db, NOW)
    said = run_srs(["config", "set", "scheduler", "FSRS"], env)
    assert said.stdout == "scheduler = fsrs, saved for the learner named 'default'\n"
    assert run_srs(["config", "set", "desired-retention", "0.85"], env).returncode == 0
    assert run_srs(["config", "set", "fsrs-fuzz", "off"], env).returncode == 0
    shown = json.loads(run_srs(["config", "show", "--json"], env).stdout)
    assert shown["settings"] == {
        "scheduler": {"value": "fsrs", "source": "set"},
        "desired-retention": {"value": "0.85", "source": "set"},
        "fsrs-fuzz": {"value": "off", "source": "set"},
    }
    other = run_srs(["config", "show", "--json"], srs_env(db, NOW, SRS_LEARNER="bob"))
    assert json.loads(other.stdout)["settings"]["scheduler"] == {
        "value": "sm2",
        "source": "default",
    }


def test_environment_overrides_a_setting_for_one_run(db: Path) -> None:
    env = srs_env(db, NOW)
    run_srs(["config", "set", "scheduler", "fsrs"], env)
    shown = run_srs(["config", "show"], {**env, "SRS_SCHEDULER": "sm2"}).stdout
    assert "scheduler          sm2  (SRS_SCHEDULER)" in shown
    assert "scheduler          fsrs  (set)" in run_srs(["config", "show"], env).stdout


@pytest.mark.parametrize(
    ("args", "extra", "message"),
    [
        (["config", "set", "scheduler", "sm5"], {}, "scheduler: must be sm2 or fsrs, got 'sm5'"),
        (["config", "set", "desired-retention", "1.2"], {}, "must be from 0.7 to 0.99"),
        (["config", "set", "desired-retention", "high"], {}, "must be a number, got 'high'"),
        (["config", "set", "fsrs-fuzz", "maybe"], {}, "must be on or off"),
        (["config", "set", "colour", "blue"], {}, "unknown setting 'colour'"),
        (["status"], {"SRS_SCHEDULER": "anki"}, "SRS_SCHEDULER='anki': must be sm2 or fsrs"),
        (["status"], {"SRS_DESIRED_RETENTION": "2"}, "SRS_DESIRED_RETENTION='2': must be from"),
        (["status"], {"SRS_FSRS_FUZZ": "x"}, "SRS_FSRS_FUZZ='x': must be on or off"),
    ],
)
def test_a_bad_setting_is_one_line_and_changes_nothing(
    db: Path, args: list[str], extra: dict[str, str], message: str
) -> None:
    done = run_srs(args, srs_env(db, NOW, **extra))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("srs: error: ")
    assert message in done.stderr
    assert (
        not db.exists()
        or run_srs(["config", "show"], srs_env(db, NOW)).stdout.count("(default)") == 3
    )


def log_and_states(db: Path) -> tuple[list[tuple[str, str, str, int]], dict[str, str]]:
    with sqlite3.connect(db) as conn:
        log = conn.execute(
            "SELECT c.card_id, l.review_kind, l.scheduler, l.grade FROM review_log l "
            "JOIN cards c ON c.pk = l.card_pk ORDER BY l.id"
        ).fetchall()
        states = dict(
            conn.execute(
                "SELECT c.card_id, s.scheduler FROM card_state s JOIN cards c ON c.pk = s.card_pk"
            ).fetchall()
        )
    return log, states


def answer_all(db: Path, deck: Path, day: int, grade: int, **extra: str) -> None:
    """Answer every card queued on `day` with `grade` (4 or 5, so no drills) in-process."""
    from srs.config import resolve
    from srs.learner_config import answer_policy
    from srs.loading import open_collection
    from srs.review import ReviewSession

    settings = resolve(env=env_at(db, day, **extra))
    today = settings.now.date()
    with open_collection(
        settings.db_url, "t", settings.learner, settings.now, False, settings.scheduling
    ) as store:
        if store.content.is_empty():
            from srs.loading import load_paths

            load_paths(store, [deck], settings.now)
        policy = answer_policy(store, settings.scheduling, 8, False)
        session = ReviewSession(store, ["tiny"], today, 20, policy=policy)
        while session.current() is not None:
            session.answer(grade, settings.now)


def test_switching_to_fsrs_and_back_keeps_every_answer_and_fsrs_figures_only_on_fsrs_answers(
    db: Path, deck_file: Path
) -> None:
    answer_all(db, deck_file, 0, 4)  # SM-2: three new cards, due tomorrow
    answer_all(db, deck_file, 1, 4)  # SM-2 reviews, due in 6 days
    sm2_states = {r[0]: r for r in _state_rows(db)}
    assert run_srs(["config", "set", "scheduler", "fsrs"], env_at(db, 2)).returncode == 0
    answer_all(db, deck_file, 7, 5)  # FSRS takes over, replaying the SM-2 answers
    log, states = log_and_states(db)
    assert set(states.values()) == {"fsrs"}
    fsrs_rows = {r[0]: r for r in _state_rows(db)}
    replay = FSRS(fuzz=False).replay(
        [PastAnswer(date(2026, 2, 2), 4), PastAnswer(date(2026, 2, 3), 4)]
    )
    for card_id, row in fsrs_rows.items():
        # ef kept from SM-2; the memory state came from replaying the log, then one Easy
        assert row[2] == sm2_states[card_id][2]
        after = FSRS(fuzz=False).memory(replay[0], replay[1], 6, 5)  # 02-03 to 02-09
        assert row[6] == pytest.approx(after[0])
    assert run_srs(["config", "set", "scheduler", "sm2"], env_at(db, 8)).returncode == 0
    history = json.loads(run_srs(["history", "tiny/alpha", "--json"], env_at(db, 8)).stdout)
    assert [e["scheduler"] for e in history["log"]] == ["sm2", "sm2", "fsrs"]
    assert history["state"]["fsrs"]["retrievability"] < 1
    last_due = max(date.fromisoformat(str(r[4])) for r in _state_rows(db))  # fuzz spreads them
    days_until = (last_due - date(2026, 2, 2)).days
    answer_all(db, deck_file, days_until, 4)  # back to SM-2: ef and n go on from where they were
    log, states = log_and_states(db)
    assert set(states.values()) == {"sm2"}
    assert [r[2] for r in log if r[0] == "alpha"] == ["sm2", "sm2", "fsrs", "sm2"]
    back = {r[0]: r for r in _state_rows(db)}
    assert back["alpha"][1] == 4  # n: 3 successes in a row before, one more now
    assert back["alpha"][2] == sm2_states["alpha"][2]  # grade 4 leaves ef as it was
    stats = json.loads(run_srs(["stats", "--json"], env_at(db, days_until)).stdout)
    assert sum(d["answers"] for d in stats["reviews_per_day"]) == len(log) == 12
    assert stats["retention"]["total"]["reviews"] == 9  # 3 SM-2 + 3 FSRS + 3 SM-2 reviews
    # FSRS's stability and difficulty are on the answer FSRS made, not on SM-2's after it
    assert back["alpha"][6:] == (None, None)
    env = env_at(db, days_until)
    history = json.loads(run_srs(["history", "tiny/alpha", "--json"], env).stdout)
    figures = [
        (e["scheduler"], e["stability"] is None, e["difficulty"] is None) for e in history["log"]
    ]
    assert figures == [
        ("sm2", True, True),
        ("sm2", True, True),
        ("fsrs", False, False),
        ("sm2", True, True),
    ]


def _state_rows(db: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT c.card_id, s.n, s.ef, s.interval, s.due, s.scheduler, s.stability, "
            "s.difficulty FROM card_state s JOIN cards c ON c.pk = s.card_pk"
        ).fetchall()


def test_undo_of_an_fsrs_answer_restores_the_sm2_state_exactly(store: Store) -> None:
    store.content.load_deck(
        Deck("d", "D", "s", (Card("a", Kind.FINDING, "f", "b"),)),
        datetime.fromisoformat(NOW + "+00:00"),
    )
    now = datetime.fromisoformat(NOW + "+00:00")
    pk = store.content.cards(["d"])[0].pk
    store.study.record_answer(pk, 4, now, date(2026, 2, 2))
    before = store.study.state(pk)
    answer = store.study.record_answer(pk, 3, now, date(2026, 2, 3), AnswerPolicy(FSRS()))
    assert answer.state.scheduler == "fsrs" and answer.state.stability is not None
    store.study.undo_answer(answer.log_id)
    assert store.study.state(pk) == before


def test_answers_are_decided_with_the_learners_chosen_scheduler(store: Store) -> None:
    assert isinstance(answer_policy(store, {}, 8, False).scheduler, SM2)
    store.settings.set_learner_setting("scheduler", "fsrs")
    assert chosen_scheduler(store, {}) == SchedulerChoice("fsrs", 0.9, True)
    policy = answer_policy(store, {}, 5, True)
    assert isinstance(policy.scheduler, FSRS)
    assert (policy.leech_lapses, policy.leech_suspend) == (5, True)
    assert isinstance(answer_policy(store, {"scheduler": "sm2"}, 8, False).scheduler, SM2)


def test_a_version_1_collection_is_upgraded_with_its_progress(db: Path, deck_file: Path) -> None:
    answer_all(db, deck_file, 0, 4)
    with sqlite3.connect(db) as conn:  # back to what srs wrote before FSRS
        for column in ("scheduler", "stability", "difficulty"):
            conn.execute(f"ALTER TABLE card_state DROP COLUMN {column}")
        for column in (
            "scheduler",
            "prev_scheduler",
            "prev_stability",
            "prev_difficulty",
            "stability",
            "difficulty",
        ):
            conn.execute(f"ALTER TABLE review_log DROP COLUMN {column}")
        conn.execute("DROP TABLE learner_settings")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        before = conn.execute("SELECT card_pk, n, ef, interval, due FROM card_state").fetchall()
    assert run_srs(["config", "set", "scheduler", "fsrs"], env_at(db, 1)).returncode == 0
    with sqlite3.connect(db) as conn:
        after = conn.execute("SELECT card_pk, n, ef, interval, due FROM card_state").fetchall()
        kinds = conn.execute("SELECT DISTINCT scheduler FROM review_log").fetchall()
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert after == before
    assert kinds == [("sm2",)]
    assert version == (str(SCHEMA_VERSION),)
    answer_all(db, deck_file, 1, 4)
    assert set(log_and_states(db)[1].values()) == {"fsrs"}


# ---- simulate ----------------------------------------------------------------------------------


def cards(count: int) -> list[StartCard]:
    return [StartCard(f"d/c{i}", NEW_STATE) for i in range(count)]


def test_simulate_with_the_same_seed_gives_the_same_figures() -> None:
    start = date(2026, 1, 1)
    first = simulate(cards(60), start, 90, 10, 7, SchedulerChoice())
    again = simulate(cards(60), start, 90, 10, 7, SchedulerChoice())
    other = simulate(cards(60), start, 90, 10, 8, SchedulerChoice())
    assert first == again
    assert first != other
    assert [r.scheduler for r in first.runs] == ["sm2", "fsrs"]
    for run in first.runs:
        assert run.total == sum(run.daily) and run.peak == max(run.daily)
        assert run.studied == 60
        assert run.minutes == run.total * 10 / 60
        assert run.retention_end is not None and 0.5 < run.retention_end < 1


def test_a_lower_desired_retention_costs_fsrs_fewer_reviews_in_the_simulation() -> None:
    start = date(2026, 1, 1)
    high = simulate(cards(100), start, 180, 20, 1, SchedulerChoice(desired_retention=0.95))
    low = simulate(cards(100), start, 180, 20, 1, SchedulerChoice(desired_retention=0.75))
    assert low.run("fsrs").total < high.run("fsrs").total
    assert low.run("sm2") == high.run("sm2")


def test_simulate_starts_from_the_learners_real_state(db: Path, deck_file: Path) -> None:
    answer_all(db, deck_file, 0, 5)
    done = run_srs(["simulate", "--days", "30", "--json", "--seed", "3"], env_at(db, 0))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["cards"] == 3 and data["from_real_state"] == 3
    # nothing is new: the first day holds only what was due (the cards were answered today)
    assert data["schedulers"]["sm2"]["daily"][0] == 0
    assert set(data) == {
        "start",
        "days",
        "new_per_day",
        "seed",
        "cards",
        "from_real_state",
        "seconds_per_review",
        "fsrs",
        "schedulers",
        "difference",
    }
    again = run_srs(["simulate", "--days", "30", "--json", "--seed", "3"], env_at(db, 0))
    assert again.stdout == done.stdout
    screen = run_srs(["simulate", "--days", "30", "--seed", "3"], env_at(db, 0)).stdout
    assert "SM-2" in screen and "FSRS" in screen and "expected retention" in screen
    assert "a review takes 10 s" in screen


def test_simulate_leaves_out_the_cards_the_learner_suspended(db: Path, deck_file: Path) -> None:
    answer_all(db, deck_file, 0, 5)
    before = json.loads(run_srs(["simulate", "--days", "30", "--json"], env_at(db, 0)).stdout)
    (first, *_) = [
        c["card"] for c in json.loads(run_srs(["cards", "--json"], env_at(db, 0)).stdout)
    ]
    assert run_srs(["suspend", first], env_at(db, 0)).returncode == 0
    after = json.loads(run_srs(["simulate", "--days", "30", "--json"], env_at(db, 0)).stdout)
    assert (before["cards"], after["cards"]) == (3, 2)
    assert after["from_real_state"] == 2
