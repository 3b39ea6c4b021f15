"""Shared set-up for tests that run the real `srs` command in a pseudo-terminal."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Mapping
from pathlib import Path

import pexpect

SRS = str(Path(sys.executable).with_name("srs"))

SMALL_DECK = """\
[deck]
id = "tiny"
title = "Tiny deck"
source = "a test"

[[card]]
id = "alpha"
kind = "finding"
front = "Front of alpha"
back = "Back of alpha"
source = "§1"

[[card]]
id = "beta"
kind = "limitation"
front = "Front of beta"
back = "Back of beta"
source = "§2"

[[card]]
id = "gamma"
kind = "misreading"
front = "Front of gamma"
back = "Back of gamma"
source = "§3"
"""


def srs_env(db: Path, now: str, **extra: str) -> dict[str, str]:
    """Environment for one run: a temp database, a fixed clock and time zone, a sane terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRS_")}
    env.update(
        SRS_DB=str(db), SRS_NOW=now, SRS_TZ="UTC", TERM="xterm-256color", COLUMNS="100", **extra
    )
    return env


def spawn(args: list[str], env: Mapping[str, str]) -> pexpect.spawn:
    """Start `srs ARGS` in a real pseudo-terminal."""
    return pexpect.spawn(
        SRS, args, env=dict(env), encoding="utf-8", timeout=90, dimensions=(50, 110)
    )


def log_rows(db: Path) -> list[tuple[str, int, str, str]]:
    """(card id, grade, review kind, day) of every logged answer, oldest first."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT c.card_id, l.grade, l.review_kind, l.day FROM review_log l "
            "JOIN cards c ON c.pk = l.card_pk ORDER BY l.id"
        ).fetchall()


def states(db: Path) -> dict[str, tuple[int, int, int, str | None]]:
    """card id -> (n, ef, interval, due) for every card with a state row."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT c.card_id, s.n, s.ef, s.interval, s.due FROM card_state s "
            "JOIN cards c ON c.pk = s.card_pk"
        ).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}
