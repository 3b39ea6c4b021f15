"""Hostile card text in a real pseudo-terminal: shown inert, never obeyed."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pexpect

from helpers import HOSTILE_BACK, HOSTILE_FRONT, spawn, srs_env
from srs.core.model import Card, Deck, Kind
from srs.store import Store


def test_hostile_card_in_a_real_terminal_session_is_shown_inert(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    store = Store.open(f"sqlite:///{db}")
    # Straight into the store: the deck checker would refuse these control characters.
    store.load_deck(
        Deck("evil", "Evil", "", (Card("c", Kind.FINDING, HOSTILE_FRONT, HOSTILE_BACK, "§1"),)),
        datetime.now(UTC),
    )
    store.close()
    child = spawn(["review", "evil"], srs_env(db, "2026-03-02T09:00"))
    child.logfile_read = io.StringIO()
    child.expect_exact("[red]x[/red]")
    child.send(" ")
    child.expect_exact("Source:")
    child.send("q")
    child.expect(pexpect.EOF)
    seen = child.logfile_read.getvalue()
    assert "\x1b]2;PWNED" not in seen
    assert "\x1b[31mred" not in seen
    assert "[link=http://evil]click[/link]" in seen
