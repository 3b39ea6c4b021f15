"""srs's own conversion of plain options (no pydantic at start-up) says what typer's says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers import run_srs, srs_env

NOW = "2026-02-02T09:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["stats", "--days", "0"],
            "Invalid value for '--days': Input should be greater than or equal to 1",
        ),
        (
            ["stats", "--weeks", "521"],
            "Invalid value for '--weeks': Input should be less than or equal to 520",
        ),
        (
            ["stats", "--days", "ten"],
            "Invalid value for '--days': Input should be a valid integer, "
            "unable to parse string as an integer",
        ),
    ],
)
def test_a_bad_number_is_refused_with_typers_own_words(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = run_srs(args, srs_env(tmp_path / "srs.db", NOW))
    assert done.returncode == 2
    assert done.stderr.startswith(f"srs: error: {message} (see: srs stats --help)")


def test_numbers_paths_lists_and_flags_reach_the_command_converted(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    done = run_srs(
        ["stats", "sleeper-agents", "--days", " 30 ", "--weeks", "4", "--db", str(db), "--json"],
        srs_env(tmp_path / "srs.db", NOW),
    )
    assert done.returncode == 0, done.stderr
    assert db.exists() and not (tmp_path / "srs.db").exists()
    report = json.loads(done.stdout)
    assert report["days"] == 30 and report["retention"]["weeks"] == 4
    assert list(report["decks"]) == ["sleeper-agents"]
