"""Untrusted text reaches the terminal only as visible text: one function, used everywhere."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from factories import render
from helpers import SMALL_DECK, run_srs, srs_env
from srs.core.cardtext import printable, safe_text
from srs.core.errors import Diagnostic
from srs.core.model import NEW_STATE, Card, Deck, Kind, QueuedCard, ReviewKind, StoredCard
from srs.store import Store
from srs.ui.review_screen import card_view
from srs.ui.text import plain

# Anything a terminal obeys or reorders: C0 but newline, DEL, C1, bidirectional controls.
RAW = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
HOSTILE = "a\x1b]52;c;cHduZWQ=\x07b\x9b2Jc\u202egnp.exe\u2066d\u2069\x00e"


def test_controls_and_bidi_characters_become_visible_escapes() -> None:
    assert safe_text("x\x1b[2Jy") == "x\\x1b[2Jy"
    assert safe_text("\x9b\x7f\x00") == "\\x9b\\x7f\\x00"
    assert safe_text("evil\u202etxt.exe") == "evil\\u202etxt.exe"
    assert safe_text("\u2066\u2067\u2068\u2069\u202a") == "\\u2066\\u2067\\u2068\\u2069\\u202a"
    assert RAW.search(safe_text(HOSTILE)) is None


def test_card_text_keeps_its_lines_and_a_message_stays_on_one() -> None:
    assert safe_text("one\n\ttwo") == "one\n\ttwo"
    assert printable("one\ntwo\r") == "one\\x0atwo\\x0d"
    assert safe_text("plain text, café, 日本語") == "plain text, café, 日本語"


def test_plain_text_on_screen_shows_escapes_literally() -> None:
    shown = render(plain(HOSTILE), 200, color=True)
    assert "\\x1b]52;c;" in shown and "\\u202e" in shown
    assert "\x1b]52" not in shown and "\u202e" not in shown and "\x9b" not in shown


def render_card(front: str, back: str) -> str:
    card = Card("c", Kind.FINDING, front, back, "src")
    stored = StoredCard(1, "d", "Deck", card, datetime.now(UTC), False)
    view = card_view(QueuedCard(stored, NEW_STATE, ReviewKind.NEW), 0, 1, revealed=True)
    return render(view, 120, color=True)


def test_a_link_in_card_text_shows_its_target_and_is_no_terminal_hyperlink() -> None:
    shown = render_card("See [the docs](https://good.example)", "Go [here](ssh://evil.example/x)")
    assert "\x1b]8;" not in shown  # OSC 8: a clickable terminal hyperlink
    text = re.sub(r"\x1b\[[0-9;]*m", "", shown)  # colours off, to read the words
    assert "the docs (https://good.example)" in text
    assert "here (ssh://evil.example/x)" in text


def test_bidi_and_escapes_in_card_text_are_shown_not_obeyed() -> None:
    shown = render_card("x\u202eyz", "\x1b]2;title\x07 \u2066q\u2069")
    assert "\\u202e" in shown and "\\x1b]2;title\\x07" in shown
    for raw in ("\u202e", "\u2066", "\x07", "\x1b]2"):
        assert raw not in shown


def test_a_diagnostic_line_quotes_paths_keys_and_ids_as_visible_text() -> None:
    diag = Diagnostic(
        f"dir/{HOSTILE}.toml", 3, 1, "error", "unknown-key", f"key {HOSTILE}", HOSTILE
    )
    line = diag.format()
    assert RAW.search(line) is None
    assert "\n" not in line


def hostile_deck(tmp_path: Path) -> Path:
    deck = tmp_path / "evil\x1b]0;TITLE\x07\u202e.toml"
    deck.write_text(
        '[deck]\nid = "evil"\ntitle = "Evil"\n'
        '"\\u001b]52;c;cHduZWQ=\\u0007" = 1\n'
        '"tab\\u202eles" = 2\n\n'
        '[[card]]\nid = "c1"\nkind = "finding"\nfront = "f"\nback = "b"\n'
        '"fr\\u009b2Jont" = "x"\n',
        encoding="utf-8",
    )
    return deck


def test_deck_check_output_on_a_hostile_deck_has_no_raw_control_characters(
    tmp_path: Path,
) -> None:
    deck = hostile_deck(tmp_path)
    twin = tmp_path / "twin.toml"  # the same deck id: a duplicate-deck message names `deck`
    twin.write_text(SMALL_DECK.replace('"tiny"', '"evil"'), encoding="utf-8")
    clean = tmp_path / "clean\u2066.toml"
    clean.write_text(SMALL_DECK.replace('"tiny"', '"evil"'), encoding="utf-8")
    result = run_srs(["deck", "check", str(deck), str(clean), str(twin)], {})
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert RAW.search(output) is None, output
    assert "\\x1b]52;c;" in output and "\\u202e" in output
    assert "also used by" in output and "\\u2066" in output
    result = run_srs(["deck", "add", str(deck)], {"SRS_DB": str(tmp_path / "srs.db")})
    assert result.returncode == 1 and RAW.search(result.stdout + result.stderr) is None


@pytest.fixture
def hostile_ids(tmp_path: Path) -> Path:
    """A collection whose deck and card ids hold escapes (as another tool might write them)."""
    db = tmp_path / "srs.db"
    store = Store.open(f"sqlite:///{db}")
    card = Card("same", Kind.FINDING, "f", "b", "")
    for deck_id in ("one\x1b[2J", "two\u202e"):
        store.content.load_deck(Deck(deck_id, "T", "", (card,)), datetime.now(UTC))
    store.close()
    with sqlite3.connect(db) as conn:  # no first-run loading of bundled decks
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('first_run_done_at', 'x')")
    return db


def test_ids_from_the_database_in_error_messages_are_visible_text(hostile_ids: Path) -> None:
    env = srs_env(hostile_ids, "2026-03-02T09:00")
    unknown = run_srs(["status", "nope"], env)
    assert unknown.returncode == 1
    assert "known decks: one\\x1b[2J, two\\u202e" in unknown.stderr
    several = run_srs(["history", "same"], env)
    assert several.returncode == 1
    assert "one\\x1b[2J/same" in several.stderr and "two\\u202e/same" in several.stderr
    for result in (unknown, several, run_srs(["deck", "list"], env), run_srs(["status"], env)):
        assert RAW.search(result.stdout + result.stderr) is None
