"""Two learners review in real pseudo-terminals against one PostgreSQL server; the report shows
both; a server stopped mid-review loses nothing and the next run picks up."""

from __future__ import annotations

import json
from pathlib import Path

import pexpect
import psycopg

from conftest import PgServer
from helpers import SMALL_DECK, run_srs, spawn

NOW = "2026-03-02T09:00"
FRONTS = ("Front of alpha", "Front of beta", "Front of gamma")


def env_for(url: str) -> dict[str, str]:
    return {
        "SRS_DATABASE_URL": url,
        "SRS_NOW": NOW,
        "SRS_TZ": "UTC",
        "TERM": "xterm-256color",
        "COLUMNS": "100",
        "PATH": "/usr/bin:/bin",
    }


def set_up(pg_server: PgServer, tmp_path: Path, *learners: str) -> tuple[str, str, dict[str, str]]:
    database = pg_server.new_database()
    admin = pg_server.url(database)
    assert run_srs(["class", "init"], env_for(admin)).returncode == 0
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    added = run_srs(["deck", "add", str(deck)], env_for(admin))
    assert added.returncode == 0, added.stderr
    urls = {}
    for name in learners:
        done = run_srs(
            ["class", "add-learner", name, "--password-stdin"], env_for(admin), input="pw-" + name
        )
        assert done.returncode == 0, done.stderr
        urls[name] = pg_server.url(database, name, "pw-" + name)
    return database, admin, urls


def grade(child: pexpect.spawn, front: str, key: str) -> None:
    child.expect_exact(front)
    child.send(" ")
    child.expect_exact("perfect recall")
    child.send(key)


def test_two_learners_review_at_once_and_the_report_shows_both(
    pg_server: PgServer, tmp_path: Path
) -> None:
    ada, bob = pg_server.unique("ada"), pg_server.unique("bob")  # roles are server-wide
    database, admin, urls = set_up(pg_server, tmp_path, ada, bob)
    children = {name: spawn(["review", "tiny"], env_for(url)) for name, url in urls.items()}
    keys = {ada: "5", bob: "4"}
    for front in FRONTS:  # both sessions open at once, answering in turn
        for name, child in children.items():
            grade(child, front, keys[name])
    for child in children.values():
        child.expect_exact("Cards reviewed: 3 (3 answers)")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    with psycopg.connect(pg_server.url(database, ada, "pw-" + ada)) as conn:
        mine = conn.execute("SELECT learner, count(*) FROM srs.review_log GROUP BY 1").fetchall()
    assert mine == [(ada, 3)]
    report = run_srs(["class", "report", "tiny", "--json", "--by-learner"], env_for(admin))
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["learners"] == 2
    assert data["answers"] == 6
    assert [(p["learner"], p["answers"]) for p in data["by_learner"]] == [(ada, 3), (bob, 3)]


def test_a_server_stopped_mid_review_loses_nothing_and_the_next_run_picks_up(
    pg_server: PgServer, tmp_path: Path
) -> None:
    cy = pg_server.unique("cy")
    _database, _admin, urls = set_up(pg_server, tmp_path, cy)
    child = spawn(["review", "tiny"], env_for(urls[cy]))
    grade(child, FRONTS[0], "5")
    child.expect_exact(FRONTS[1])
    pg_server.stop()
    try:
        child.send(" ")
        child.expect_exact("perfect recall")
        child.send("4")
        child.expect_exact("srs: error: lost the connection; 1 answer saved")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 1
    finally:
        pg_server.start()
    again = spawn(["review", "tiny"], env_for(urls[cy]))
    again.expect_exact("done 0 · left 2")
    grade(again, FRONTS[1], "5")
    grade(again, FRONTS[2], "5")
    again.expect_exact("Cards reviewed: 2 (2 answers)")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 0
