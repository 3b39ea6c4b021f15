"""`srs stats` and `srs history` after a scripted multi-day history of REAL review sessions.

Each session is `srs review` run through `cli.main` with its keys on stdin, as from a pipe (space
reveals, a digit grades, end of input quits), with the clock fixed through SRS_NOW; the pipe and
the terminal themselves are covered by tests/e2e/test_review_e2e.py. Every expected figure is
worked out by hand from the SM-2 rules in DESIGN.md, in the comments.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from helpers import Result, run_srs

DECK = """\
[deck]
id = "tiny-stats"
title = "Stats deck"
source = "a test"

[[card]]
id = "f"
kind = "finding"
front = "Finding prompt"
back = "Finding answer"
source = "§1"

[[card]]
id = "l"
kind = "limitation"
front = "Limitation prompt"
back = "Limitation answer"
source = "§2"

[[card]]
id = "m"
kind = "misreading"
front = "Misreading prompt"
back = "Misreading answer"
source = "§3"
"""

# (SRS_NOW, keys, what happens) -- the study day is the UTC date shifted back by 4 hours.
SESSIONS = [
    # Mon 03-02. Queue f, l, m (new). f 5: ef 260, due 03-03. l 3: ef 236, due 03-03, drilled.
    # m 4: ef 250, due 03-03. The drill of l, 4: logged, no change.
    ("2026-03-02T09:00", " 5 3 4 4"),
    # Tue 03-03. f 4: ef 260, n 2, interval 6, due 03-09. l 2: lapse, ef 236, due 03-04,
    # drilled. m 5: ef 260, n 2, due 03-09. The drill of l, 5.
    ("2026-03-03T10:00", " 4 2 5 5"),
    # 01:30 on Thu 03-05 is still study day Wed 03-04 (rollover at 4 a.m.).
    # l 3: ef 222, n 1, due 03-05, drilled; the drill 4.
    ("2026-03-05T01:30", " 3 4"),
    # Nothing on 03-05 and 03-06. Sat 03-07: l is overdue: 4, ef 222, n 2, interval 6, due 03-13.
    ("2026-03-07T15:00", " 4"),
]
STATS_AT = "2026-03-07T20:00"


def session(env: dict[str, str], keys: str) -> str:
    """One `srs review` reading `keys` from stdin; what it printed."""
    done = run_srs(["review"], env, input=keys)
    assert done.returncode == 0, done.stderr
    return done.stdout


def run(args: list[str], env: dict[str, str]) -> Result:
    """Any other command, in-process (through `cli.main`, as the console script runs it)."""
    done = run_srs(args, env)
    assert done.returncode == 0, done.stderr
    return done


def env_for(db: Path, now: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRS_")}
    env.update(SRS_DB=str(db), SRS_NOW=now, SRS_TZ="UTC", SRS_ROLLOVER_HOUR="4", COLUMNS="60")
    return env


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("stats-e2e")
    deck = folder / "tiny-stats.toml"
    deck.write_text(DECK, encoding="utf-8")
    path = folder / "srs.db"
    run(["deck", "add", str(deck)], env_for(path, SESSIONS[0][0]))
    for now, keys in SESSIONS:
        out = session(env_for(path, now), keys)
        assert "Session summary" in out
    return path


@pytest.fixture(scope="module")
def figures(db: Path) -> dict[str, Any]:
    args = ["stats", "--json", "--days", "14", "--weeks", "3"]
    return json.loads(run(args, env_for(db, STATS_AT)).stdout)


def test_today_and_streaks(figures: dict[str, Any]) -> None:
    assert figures["date"] == "2026-03-07"
    assert figures["days"] == 14
    assert figures["decks"] is None
    # one answer today (l), on one card, no new card; nothing else due today
    assert figures["today"] == {"answers": 1, "reviewed": 1, "new_seen": 0, "due": 0}
    # study days 03-02, 03-03, 03-04 (the 01:30 session), then 03-07 after a two-day gap
    assert figures["streak"] == {"current": 1, "longest": 3}


def test_reviews_per_day_and_heatmap(figures: dict[str, Any]) -> None:
    assert figures["reviews_per_day"] == [
        {"day": "2026-03-02", "answers": 4},
        {"day": "2026-03-03", "answers": 4},
        {"day": "2026-03-04", "answers": 2},
        {"day": "2026-03-07", "answers": 1},
    ]
    heat = figures["heatmap"]
    # 14 days end on Sat 03-07, so start on Sun 02-22, whose week begins Mon 02-16
    assert (heat["start"], heat["first"], heat["last"]) == (
        "2026-02-16",
        "2026-02-22",
        "2026-03-07",
    )
    assert heat["max"] == 4
    assert heat["weeks"] == [
        [None, None, None, None, None, None, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [4, 4, 2, 0, 0, 1, None],
    ]
    assert heat["levels"] == [[1, 1], [2, 2], [3, 3], [4, 4]]


def test_forecast(figures: dict[str, Any]) -> None:
    # f and m are due Mon 03-09 (today + 2), l on Fri 03-13 (today + 6)
    assert [d["due"] for d in figures["forecast"]] == [0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    assert figures["forecast"][0]["day"] == "2026-03-07"
    assert figures["forecast"][-1]["day"] == "2026-03-20"


def test_retention_counts_scheduled_reviews_only(figures: dict[str, Any]) -> None:
    r = figures["retention"]
    assert r["counts_new_cards"] is False
    # three weeks, the last holding Sat 03-07: from Mon 02-16
    assert (r["weeks"], r["first"]) == (3, "2026-02-16")
    # scheduled reviews: 03-03 f 4 (pass), l 2 (fail), m 5 (pass); 03-04 l 3 (pass);
    # 03-07 l 4 (pass). The three first answers and the four drills are left out.
    assert r["total"] == {"reviews": 5, "passed": 4, "rate": 0.8}
    assert r["by_kind"] == {
        "finding": {"reviews": 1, "passed": 1, "rate": 1.0},
        "limitation": {"reviews": 3, "passed": 2, "rate": 0.6667},
        "misreading": {"reviews": 1, "passed": 1, "rate": 1.0},
    }
    assert [w["week"] for w in r["weekly"]] == ["2026-02-16", "2026-02-23", "2026-03-02"]
    assert r["weekly"][2]["total"] == {"reviews": 5, "passed": 4, "rate": 0.8}
    assert r["weekly"][0]["total"] == {"reviews": 0, "passed": 0, "rate": None}


def test_ef_histogram_and_hardest(figures: dict[str, Any]) -> None:
    # current ef: f 260, m 260, l 222
    assert figures["ef_histogram"] == [
        {"low": 220, "high": 229, "cards": 1},
        {"low": 230, "high": 239, "cards": 0},
        {"low": 240, "high": 249, "cards": 0},
        {"low": 250, "high": 259, "cards": 0},
        {"low": 260, "high": 269, "cards": 2},
    ]
    # only l has a lapse or an ef below 2.50
    assert figures["hardest"] == [
        {
            "deck": "tiny-stats",
            "card": "l",
            "kind": "limitation",
            "prompt": "Limitation prompt",
            "lapses": 1,
            "ef": 222,
            "reps": 4,
            "due": "2026-03-13",
        }
    ]


def test_deck_filter_and_unknown_deck(db: Path) -> None:
    env = env_for(db, STATS_AT)
    one = json.loads(run(["stats", "tiny-stats", "--json", "--days", "14"], env).stdout)
    assert one["decks"] == ["tiny-stats"]
    assert one["streak"] == {"current": 1, "longest": 3}
    assert one["retention"]["total"]["reviews"] == 5
    bad = run_srs(["stats", "nope"], env)
    assert bad.returncode == 1
    assert bad.stderr.startswith("srs: error: unknown deck 'nope'")


def test_stats_screen_in_a_pipe_is_plain_and_readable(db: Path) -> None:
    out = run(["stats", "--days", "14"], env_for(db, STATS_AT)).stdout
    assert "\x1b" not in out
    assert "1 answer on 1 card, 0 new; 0 still due" in out
    assert "1 day (longest 3)" in out
    assert "tiny-stats/l" in out
    assert max(len(line) for line in out.splitlines()) <= 60


def test_history_of_one_card(db: Path) -> None:
    env = env_for(db, STATS_AT)
    data = json.loads(run(["history", "tiny-stats/l", "--json"], env).stdout)
    assert data["state"] == {
        "n": 2,
        "ef": 222,
        "interval": 6,
        "due": "2026-03-13",
        "lapses": 1,
        "reps": 4,
    }
    assert [(r["day"], r["review_kind"], r["grade"]) for r in data["log"]] == [
        ("2026-03-02", "new", 3),
        ("2026-03-02", "drill", 4),
        ("2026-03-03", "review", 2),
        ("2026-03-03", "drill", 5),
        ("2026-03-04", "review", 3),
        ("2026-03-04", "drill", 4),
        ("2026-03-07", "review", 4),
    ]
    # the 01:30 answer is logged at its real time but on the previous study day
    assert data["log"][4]["reviewed_at"] == "2026-03-05T01:30:00+00:00"
    screen = run(["history", "l"], env).stdout  # a bare card id is enough when unique
    assert "Limitation prompt" in screen
    assert "2026-03-13 (in 6 days)" in screen
    assert "7 answers: 1 first, 3 scheduled, 3 drills; retention 2/3" in screen
    missing = run_srs(["history", "zzz"], env)
    assert missing.returncode == 1
    assert missing.stderr == "srs: error: unknown card 'zzz'\n"
