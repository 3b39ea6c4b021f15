"""Which database a command uses: `--db`, then `SRS_DATABASE_URL`, then `SRS_DB`."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import run_srs, srs_env

NOW = "2026-03-02T09:00"


def decks_in(env: dict[str, str], *args: str) -> list[str]:
    done = run_srs(["deck", "list", "--json", *args], env)
    assert done.returncode == 0, done.stderr
    return [d["id"] for d in json.loads(done.stdout)]


def test_database_url_is_used_and_db_option_wins_over_it(tmp_path: Path) -> None:
    by_url, by_env, by_option = tmp_path / "url.db", tmp_path / "env.db", tmp_path / "opt.db"
    env = srs_env(by_env, NOW, SRS_DATABASE_URL=f"sqlite:///{by_url}")
    assert decks_in(env) == ["sleeper-agents"]  # first run of a new collection
    assert by_url.exists() and not by_env.exists()
    assert decks_in(env, "--db", str(by_option)) == ["sleeper-agents"]
    assert by_option.exists() and not by_env.exists()


def test_unusable_database_url_is_a_one_line_error(tmp_path: Path) -> None:
    env = srs_env(tmp_path / "x.db", NOW, SRS_DATABASE_URL="nosuchdialect://x")
    done = run_srs(["status"], env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "nosuchdialect" in done.stderr


def test_a_url_given_where_a_file_path_belongs_is_refused_and_creates_nothing(
    tmp_path: Path,
) -> None:
    url = "postgresql://learner@127.0.0.1:1/class"
    env = srs_env(tmp_path / "x.db", NOW)
    env["SRS_DB"] = url
    done = run_srs(["status"], env, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        1,
        "srs: error: SRS_DB takes a file path; for a database URL set SRS_DATABASE_URL\n",
    )
    done = run_srs(["status", "--db", url], srs_env(tmp_path / "x.db", NOW), cwd=tmp_path)
    assert done.returncode == 1 and "--db takes a file path" in done.stderr
    assert list(tmp_path.iterdir()) == []
