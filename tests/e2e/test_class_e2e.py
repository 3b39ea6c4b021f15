"""Two learners review in real pseudo-terminals against one PostgreSQL server; the report shows
both; a server stopped mid-review loses nothing and the next run picks up."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    own_pg_server: PgServer, tmp_path: Path
) -> None:
    pg_server = own_pg_server  # this test stops or freezes its server
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


def server_processes(pg_server: PgServer) -> list[int]:
    """The postmaster and every process it started."""
    postmaster = int((pg_server.pgdata / "postmaster.pid").read_text().split()[0])
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(entry.name))
    return [postmaster, *children]


@contextmanager
def frozen(pg_server: PgServer) -> Iterator[None]:
    """The server and every process it started stopped (SIGSTOP) for the block: it accepts
    bytes on its socket and answers nothing, as a frozen or unplugged server does."""
    import os
    import signal

    processes = server_processes(pg_server)
    for pid in processes:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in processes:
            os.kill(pid, signal.SIGCONT)


def answering_on_a_frozen_server(
    pg_server: PgServer, tmp_path: Path, timeout: str
) -> tuple[str, str, pexpect.spawn]:
    """A learner's review with one answer saved and the second card shown: (database, learner,
    the review), for the caller to freeze the server under."""
    name = pg_server.unique("dee")
    database, _admin, urls = set_up(pg_server, tmp_path, name)
    child = spawn(["review", "tiny"], {**env_for(urls[name]), "SRS_SERVER_TIMEOUT": timeout})
    grade(child, FRONTS[0], "5")
    child.expect_exact(FRONTS[1])
    return database, name, child


def test_a_frozen_server_mid_review_is_one_line_and_earlier_answers_are_saved(
    own_pg_server: PgServer, tmp_path: Path
) -> None:
    database, name, child = answering_on_a_frozen_server(own_pg_server, tmp_path, "1")
    with frozen(own_pg_server):
        child.send(" ")
        child.expect_exact("perfect recall")
        child.send("4")
        child.expect_exact("srs: error: the server is not answering; 1 answer saved", timeout=10)
        child.expect(pexpect.EOF, timeout=10)
        child.close()
        assert child.exitstatus == 1
    with psycopg.connect(own_pg_server.url(database)) as conn:
        saved = conn.execute("SELECT learner, count(*) FROM srs.review_log GROUP BY 1").fetchall()
    assert saved == [(name, 1)]


def test_ctrl_c_while_the_server_is_frozen_ends_the_review_at_once(
    own_pg_server: PgServer, tmp_path: Path
) -> None:
    _database, _name, child = answering_on_a_frozen_server(own_pg_server, tmp_path, "60")
    with frozen(own_pg_server):
        child.send(" ")
        child.expect_exact("perfect recall")
        child.send("4")  # the answer waits on a server that never replies (60 s allowed)
        time.sleep(0.5)  # not a bound on anything: the answer is let reach its wait first
        child.sendintr()
        child.expect_exact("Interrupted. 1 answer saved.", timeout=10)
        child.expect(pexpect.EOF, timeout=10)
        child.close()
        assert child.exitstatus == 130


def test_a_server_restarted_while_the_learner_is_idle_saves_the_next_answer_once(
    own_pg_server: PgServer, tmp_path: Path
) -> None:
    pg_server = own_pg_server  # this test stops or freezes its server
    fay = pg_server.unique("fay")
    database, _admin, urls = set_up(pg_server, tmp_path, fay)
    child = spawn(["review", "tiny"], env_for(urls[fay]))
    grade(child, FRONTS[0], "5")
    child.expect_exact(FRONTS[1])
    pg_server.stop()
    pg_server.start()
    child.send(" ")
    child.expect_exact("perfect recall")
    child.send("4")  # on a fresh connection: the pooled one died with the server
    grade(child, FRONTS[2], "5")
    child.expect_exact("Cards reviewed: 3")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    with psycopg.connect(pg_server.url(database)) as conn:
        saved = conn.execute(
            "SELECT card_pk, count(*) FROM srs.review_log GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert [count for _pk, count in saved] == [1, 1, 1]
