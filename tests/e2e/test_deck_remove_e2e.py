"""`srs deck remove` asks for confirmation in a real terminal, and refuses without one."""

from __future__ import annotations

import json
from pathlib import Path

import pexpect

from helpers import SMALL_DECK, Result, run_srs, spawn, srs_env

NOW = "2026-03-02T09:00"


def run(args: list[str], db: Path) -> Result:
    return run_srs(args, srs_env(db, NOW))


def test_add_list_and_remove_with_confirmation(tmp_path: Path) -> None:
    db = tmp_path / "srs.db"
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK)
    added = run(["deck", "add", str(deck)], db)
    assert added.stdout.strip() == (
        "added deck tiny: 3 added, 0 updated, 0 retired, 0 restored, 0 unchanged"
    )
    listed = json.loads(run(["deck", "list", "--json"], db).stdout)
    assert [(d["id"], d["cards"], d["retired"]) for d in listed] == [("tiny", 3, 0)]

    child = spawn(["deck", "remove", "tiny"], srs_env(db, NOW))
    child.expect_exact("Remove deck 'tiny'")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert len(json.loads(run(["deck", "list", "--json"], db).stdout)) == 1

    piped = run(["deck", "remove", "tiny"], db)  # no terminal to ask on: refuse without --yes
    assert piped.returncode == 1 and "--yes" in piped.stderr

    assert run(["deck", "remove", "tiny", "--yes"], db).returncode == 0
    assert json.loads(run(["deck", "list", "--json"], db).stdout) == []
