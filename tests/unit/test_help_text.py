"""`--help` (issue 25): `-h` works everywhere, values are named in words (TEXT, N, PATH) and never
by a Python type, arguments read the same in the usage line and the table, and sentences flow to
the terminal's width instead of breaking where the docstring did."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import run_srs, srs_env
from srs.cli import app

NOW = "2026-03-02T10:00:00+00:00"


def every_command() -> list[list[str]]:
    """The path of every command and group, `srs` itself first."""
    import typer.main

    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        found.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def help_of(path: list[str], flag: str, tmp_path: Path, columns: int = 80) -> str:
    env = srs_env(tmp_path / "srs.db", NOW)
    env["COLUMNS"] = str(columns)
    done = run_srs([*path, flag], env)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("path", every_command(), ids=lambda p: " ".join(["srs", *p]))
def test_dash_h_is_help_and_help_names_no_python_type(path: list[str], tmp_path: Path) -> None:
    text = help_of(path, "--help", tmp_path)
    assert help_of(path, "-h", tmp_path) == text
    for python in ("<bool>", "<str>", "<int", "<path>", "list[", "<float>", "<Path>"):
        assert python not in text, (python, text)
    usage = next(line for line in text.splitlines() if "Usage:" in line)
    assert "{" not in usage and not re.search(r"\[[a-z]", usage), usage


def test_arguments_read_the_same_in_the_usage_and_the_table(tmp_path: Path) -> None:
    suspend = help_of(["suspend"], "--help", tmp_path)
    assert "Usage: srs suspend [OPTIONS] CARDS..." in suspend
    assert re.search(r"\*\s+CARDS\s+CARD_ID", suspend)
    cards = help_of(["cards"], "--help", tmp_path)
    assert "Usage: srs cards [OPTIONS] [DECKS...]" in cards
    assert re.search(r"--limit\s+N \[x>=1\]\s+Show at most N cards", cards)
    assert re.search(r"--due\s+Only cards due today", cards)  # a flag: no value to name
    history = help_of(["history"], "--help", tmp_path)
    assert "Usage: srs history [OPTIONS] CARD " in history


def test_help_sentences_flow_to_the_width_of_the_terminal(tmp_path: Path) -> None:
    deck = help_of(["deck"], "--help", tmp_path)
    assert "retire it for everyone and keep the history (--purge deletes it)." in deck
    assert "Exit 1 on errors" in deck and "(or, with --strict, on any warning)" in deck
    review = " ".join(help_of(["review"], "--help", tmp_path, columns=200).split())
    assert "s bury until tomorrow, ! suspend" in review
