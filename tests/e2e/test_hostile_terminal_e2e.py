"""Hostile card text in a real pseudo-terminal: shown inert, never obeyed."""

from __future__ import annotations

import io
import re
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
    store.content.load_deck(
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


BIDI_AND_C1_TITLE = "Evil\u202e\x1b]0;TITLE\x07 deck"
BIDI_AND_C1_ID = "c\x9b1m\u2066"
BIDI_FRONT = "Prompt \u202egnp.exe\u2069 and \x9b2J here, see [docs](ssh://evil.example/x)"


def test_escapes_c1_and_bidi_in_deck_text_and_ids_reach_the_terminal_as_visible_text(
    tmp_path: Path,
) -> None:
    db = tmp_path / "srs.db"
    store = Store.open(f"sqlite:///{db}")
    card = Card(BIDI_AND_C1_ID, Kind.FINDING, BIDI_FRONT, "back \u2067x\u2069", "§1\x1b[5m")
    store.content.load_deck(Deck("evil", BIDI_AND_C1_TITLE, "", (card,)), datetime.now(UTC))
    store.close()
    env = srs_env(db, "2026-03-02T09:00")
    child = spawn(["review", "evil"], env)
    child.logfile_read = io.StringIO()
    child.expect_exact("show answer")
    child.send(" ")
    child.expect_exact("Source:")
    child.send("5")
    child.expect(pexpect.EOF)
    history = spawn(["history", f"evil/{BIDI_AND_C1_ID}"], env)
    history.logfile_read = child.logfile_read
    history.expect(pexpect.EOF)
    seen = child.logfile_read.getvalue()
    for raw in ("\u202e", "\u2066", "\u2067", "\u2069", "\x9b", "\x1b]0;", "\x07", "\x1b]8;"):
        assert raw not in seen, repr(raw)
    for shown in ("\\u202e", "\\x9b2J", "\\x1b]0;TITLE\\x07", "\\u2066", "\\x1b[5m"):
        assert shown in seen, shown
    words = re.sub(r"\x1b\[[0-9;]*m", "", seen)  # without colours
    assert "docs (ssh://evil.example/x)" in words  # a link is its text and its target


def test_deck_check_on_a_hostile_deck_writes_no_raw_control_character(tmp_path: Path) -> None:
    deck = tmp_path / "evil\u202e\x1b]0;T\x07.toml"
    deck.write_text(
        '[deck]\nid = "evil"\ntitle = "Evil"\n"\\u001b]52;c;cHduZWQ=\\u0007" = 1\n'
        '[[card]]\nid = "c1"\nkind = "finding"\nfront = "f\\u202e"\nback = "b"\n'
        '"k\\u009b2J\\u2066" = 2\n',
        encoding="utf-8",
    )
    child = spawn(["deck", "check", str(deck)], srs_env(tmp_path / "srs.db", "2026-03-02T09:00"))
    child.expect(pexpect.EOF)
    output = child.before
    assert "error" in output and "\\x1b]52;c;" in output
    assert (
        re.search(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", output)
        is None
    )
