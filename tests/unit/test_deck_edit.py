"""Editing, removing and re-adding a card in its file keeps the learner's progress."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import SMALL_DECK, Result, log_rows, run_srs, srs_env, states

DAY1 = "2026-03-02T09:00"
DAY2 = "2026-03-03T09:00"


def srs(args: list[str], db: Path, now: str, keys: str = "") -> Result:
    """`srs ARGS` in this process, with `keys` on stdin as from a pipe; it must succeed."""
    done = run_srs(args, srs_env(db, now), input=keys)
    assert done.returncode == 0, done.stderr
    return done


def status(db: Path, now: str) -> dict:
    return json.loads(srs(["status", "--json"], db, now).stdout)["decks"][0]


def test_edit_remove_and_readd_a_card_keeps_its_progress(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    srs(["deck", "add", str(deck)], db, DAY1)

    reviewed = srs(["review"], db, DAY1, keys=" 5 5 5").stdout
    assert all(f"Front of {name}" in reviewed for name in ("alpha", "beta", "gamma"))
    before = states(db)["alpha"]

    # Fix a typo in alpha: same id, new text.
    deck.write_text(SMALL_DECK.replace("Front of alpha", "Front of alpha, fixed"), encoding="utf-8")
    added = srs(["deck", "add", str(deck)], db, DAY2).stdout
    assert "0 added, 1 updated, 0 retired, 0 restored, 2 unchanged" in added
    assert states(db)["alpha"] == before  # interval, due date and n unchanged
    assert [r[0] for r in log_rows(db)].count("alpha") == 1  # review count unchanged

    assert "Front of alpha, fixed" in srs(["review"], db, DAY2, keys="q").stdout  # the new text

    # Remove beta from the file: retired, not due, history kept.
    without_beta = SMALL_DECK.split("[[card]]")
    deck.write_text("[[card]]".join(part for part in without_beta if "beta" not in part))
    assert "1 retired" in srs(["deck", "add", str(deck)], db, DAY2).stdout
    assert status(db, DAY2)["total"] == 2
    assert status(db, DAY2)["due"] == 2  # alpha and gamma; beta is due too but retired
    assert [r[0] for r in log_rows(db)].count("beta") == 1

    # Put it back: it returns with its old progress.
    beta_state = states(db)["beta"]
    deck.write_text(SMALL_DECK, encoding="utf-8")
    assert "1 restored" in srs(["deck", "add", str(deck)], db, DAY2).stdout
    assert states(db)["beta"] == beta_state
    assert status(db, DAY2)["due"] == 3
    assert status(db, DAY2)["new"] == 0


def test_changed_kind_and_tags_are_updated(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    srs(["deck", "add", str(deck)], db, DAY1)
    edited = SMALL_DECK.replace('kind = "finding"', 'kind = "limitation"\ntags = ["core"]', 1)
    deck.write_text(edited, encoding="utf-8")
    assert "1 updated" in srs(["deck", "add", str(deck)], db, DAY2).stdout
    from srs.store import Store

    store = Store.open(f"sqlite:///{db}")
    alpha = store.content.find_card("tiny/alpha")
    store.close()
    assert alpha.card.kind.value == "limitation"
    assert alpha.card.tags == ("core",)
    assert alpha.edited_at.date().isoformat() == "2026-03-03"  # the edit time is recorded
