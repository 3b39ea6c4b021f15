"""Finding a card, suspending and unburying it, and the small things of the CLI, in-process:
`srs cards`, `suspend`, `unsuspend`, `unbury`, `--version`, `review --limit`, an ASCII terminal."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from helpers import SMALL_DECK, Result, run_srs, srs_env

NOW = "2026-03-02T09:00"


def run(args: list[str], db: Path, input: str = "", **env: str) -> Result:
    return run_srs(args, srs_env(db, NOW, **env), input=input)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A collection holding only the small deck `tiny` (alpha, beta, gamma)."""
    db = tmp_path / "srs.db"
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK)
    assert run(["deck", "add", str(deck)], db).returncode == 0
    return db


def test_cards_lists_every_card_with_its_state(tiny: Path) -> None:
    done = run(["cards", "tiny"], tiny)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()[1:]] == [
        "tiny/alpha",
        "tiny/beta",
        "tiny/gamma",
    ]


def test_cards_filters_by_text_kind_and_state(tiny: Path) -> None:
    def ids(*args: str) -> list[str]:
        done = run(["cards", "tiny", "--json", *args], tiny)
        assert done.returncode == 0, done.stderr
        return [row["card"] for row in json.loads(done.stdout)]

    assert ids("--search", "BACK OF BETA") == ["beta"]
    assert ids("--kind", "misreading") == ["gamma"]
    assert ids("--due") == []
    run(["review", "tiny"], tiny, input=" 4")  # alpha answered: due tomorrow, not today
    assert ids("--due") == []
    assert run(["suspend", "beta"], tiny).returncode == 0
    assert ids("--suspended") == ["beta"]
    assert ids("--leeches") == []


def test_cards_json_holds_each_cards_state(tiny: Path) -> None:
    run(["review", "tiny"], tiny, input=" 4q")
    (alpha,) = json.loads(run(["cards", "--json", "--search", "alpha"], tiny).stdout)
    assert alpha == {
        "deck": "tiny",
        "card": "alpha",
        "kind": "finding",
        "front": "Front of alpha",
        "due": "2026-03-03",
        "interval": 1,
        "lapses": 0,
        "suspended": False,
        "buried_on": None,
        "leech": False,
    }


def test_leeches_are_listed_from_the_lapse_setting(tiny: Path) -> None:
    run(["review", "tiny"], tiny, input=" 0 5q")  # alpha's first answer fails: no lapse
    none = run(["cards", "--leeches", "--json"], tiny, SRS_LEECH_LAPSES="1")
    assert json.loads(none.stdout) == []
    tomorrow = run_srs(["review", "tiny"], srs_env(tiny, "2026-03-03T09:00"), input=" 0 5q")
    assert tomorrow.returncode == 0  # alpha's review fails: its first lapse
    done = run(["cards", "--leeches", "--json"], tiny, SRS_LEECH_LAPSES="1")
    assert [row["card"] for row in json.loads(done.stdout)] == ["alpha"]


def test_kind_is_read_in_any_case_as_config_values_are(tiny: Path, tmp_path: Path) -> None:
    from anki_packages import package

    done = run(["cards", "tiny", "--json", "--kind", "Misreading"], tiny)
    assert [row["card"] for row in json.loads(done.stdout)] == ["gamma"]
    out = tmp_path / "bio.toml"
    apkg = package(tmp_path / "p.apkg")
    imported = run(["import", "anki", str(apkg), "-o", str(out), "--kind", "LIMITATION"], tiny)
    assert imported.returncode == 0, imported.stderr
    assert 'kind = "limitation"' in out.read_text(encoding="utf-8")


def test_a_bad_kind_is_one_line(tiny: Path) -> None:
    done = run(["cards", "--kind", "findings"], tiny)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "unknown kind 'findings'" in done.stderr


@pytest.mark.parametrize("command", ["history", "suspend", "unsuspend", "unbury"])
def test_an_unknown_card_suggests_the_closest_ids(tiny: Path, command: str) -> None:
    done = run([command, "tiny/alhpa"], tiny)
    assert done.returncode == 1
    assert done.stderr == "srs: error: unknown card 'tiny/alhpa'; did you mean: tiny/alpha?\n"


def test_an_unknown_deck_suggests_the_closest_deck(tiny: Path) -> None:
    done = run(["cards", "tiyn"], tiny)
    assert done.returncode == 1
    assert "did you mean 'tiny'?" in done.stderr


def test_suspend_and_unsuspend_say_what_they_did_and_refuse_a_repeat(tiny: Path) -> None:
    assert run(["suspend", "alpha"], tiny).stdout == "suspended tiny/alpha\n"
    again = run(["suspend", "alpha"], tiny)
    assert (again.returncode, again.stderr) == (
        1,
        "srs: error: card tiny/alpha is already suspended\n",
    )
    status = json.loads(run(["status", "--json", "tiny"], tiny).stdout)["decks"][0]
    assert (status["suspended"], status["new"], status["total"]) == (1, 2, 3)
    assert "suspended" in run(["status", "tiny"], tiny).stdout
    assert run(["unsuspend", "alpha"], tiny).stdout == "unsuspended tiny/alpha\n"
    assert run(["unsuspend", "alpha"], tiny).returncode == 1


def test_unbury_brings_back_cards_buried_today(tiny: Path) -> None:
    run(["review", "tiny"], tiny, input="sq")  # alpha buried
    assert json.loads(run(["status", "--json", "tiny"], tiny).stdout)["decks"][0]["new"] == 2
    assert run(["unbury"], tiny).stdout == "unburied 1 card\n"
    assert json.loads(run(["status", "--json", "tiny"], tiny).stdout)["decks"][0]["new"] == 3
    assert run(["unbury"], tiny).stdout == "unburied 0 cards\n"  # none named: nothing to do


def test_unbury_of_a_card_that_is_not_buried_is_refused_as_suspend_refuses_a_repeat(
    tiny: Path,
) -> None:
    run(["review", "tiny"], tiny, input="sq")  # alpha buried
    done = run(["unbury", "beta", "alpha"], tiny)
    assert (done.returncode, done.stdout, done.stderr) == (
        1,
        "",
        "srs: error: card tiny/beta is not buried\n",
    )
    assert json.loads(run(["status", "--json", "tiny"], tiny).stdout)["decks"][0]["new"] == 2
    assert run(["unbury", "alpha"], tiny).stdout == "unburied 1 card\n"
    assert run(["unbury", "alpha"], tiny).returncode == 1


def test_review_says_what_each_key_did(tiny: Path) -> None:
    done = run(["review", "tiny"], tiny, input="u 4sq")
    assert done.returncode == 0, done.stderr
    assert "nothing to undo" in done.stdout
    assert "alpha: grade 4, next in 1 day" in done.stdout
    assert "buried beta until tomorrow" in done.stdout
    assert "card tiny/alpha" in done.stdout  # the id, with the answer


def test_review_limit_caps_the_session_and_bad_values_are_one_line(tiny: Path) -> None:
    done = run(["review", "tiny", "--limit", "1"], tiny, input=" 5 5 5")
    assert "Cards reviewed: 1 (1 answer)" in done.stdout
    for bad in (["--limit", "0"], ["--limit", "x"], ["--minutes", "0"]):
        refused = run(["review", "tiny", *bad], tiny)
        assert refused.returncode == 2
        assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("srs: error:")


def test_version_is_printed(tmp_path: Path) -> None:
    done = run(["--version"], tmp_path / "srs.db")
    assert done.returncode == 0
    assert done.stdout.startswith("srs ")


@pytest.mark.parametrize(
    "args",
    [
        ["review", "tiny"],
        ["stats"],
        ["history", "tiny/gamma"],
        ["status"],
        ["deck", "list"],
        ["cards"],
    ],
)
def test_every_screen_runs_on_an_ascii_terminal(tiny: Path, args: list[str]) -> None:
    run(["review", "tiny"], tiny, input=" 1 4 0 5 5 5q")  # some history to draw
    done = run_srs(args, srs_env(tiny, NOW), input=" 4 4 4q", encoding="ascii")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()


def test_a_collection_of_version_1_keeps_its_progress_and_gains_suspension(tiny: Path) -> None:
    run(["review", "tiny"], tiny, input=" 4q")
    with sqlite3.connect(tiny) as conn:  # as an srs of schema version 1 left it
        conn.execute("ALTER TABLE card_state DROP COLUMN suspended_at")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    assert run(["suspend", "beta"], tiny).returncode == 0
    rows = {r["card"]: r for r in json.loads(run(["cards", "--json"], tiny).stdout)}
    assert rows["alpha"]["due"] == "2026-03-03"
    assert rows["beta"]["suspended"]


def test_question_mark_shows_the_keys(tiny: Path) -> None:
    done = run(["review", "tiny"], tiny, input="?q")
    assert "undo the last action (a grade, a bury or a suspend)" in done.stdout
    assert "suspend: hide the card until" in done.stdout


def test_status_takes_new_per_day_and_agrees_with_the_review_it_stands_for(tiny: Path) -> None:
    (deck,) = json.loads(run(["status", "--json", "--new-per-day", "2"], tiny).stdout)["decks"]
    assert deck["new"] == 2
    review = run(["review", "tiny", "--new-per-day", "2"], tiny, input=" 4 4 4 4q")
    assert "Cards reviewed: 2" in review.stdout
    (after,) = json.loads(run(["status", "--json", "--new-per-day", "2"], tiny).stdout)["decks"]
    assert after["new"] == 0
    (more,) = json.loads(run(["status", "--json", "--new-per-day", "3"], tiny).stdout)["decks"]
    assert more["new"] == 1
