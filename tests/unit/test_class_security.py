"""A class no learner can subvert: each finding of issue 23, tried as a learner with plain SQL
(psycopg with the URL srs gave them) against the session's real PostgreSQL server."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import psycopg
import pytest
from test_class_server import D0, T0, answer_all, env_for

from conftest import PgServer
from helpers import SMALL_DECK, run_srs
from srs.core.errors import StoreError
from srs.store import Store
from srs.store.server import Timeouts


@dataclass
class Fresh:
    """A class set up with `srs class init` on a database of its own (not a copy)."""

    server: PgServer
    database: str

    @property
    def admin(self) -> str:
        return self.server.url(self.database)

    def add(self, name: str, instructor: bool = False, password: str = "pw-1") -> str:
        kind = "add-instructor" if instructor else "add-learner"
        done = run_srs(
            ["class", kind, name, "--password-stdin"], env_for(self.admin), input=password
        )
        assert done.returncode == 0, done.stderr
        return self.server.url(self.database, name, password)

    def groups(self) -> tuple[str, str]:
        with self.server.admin(self.database) as conn:
            rows = dict(conn.execute("SELECT key, value FROM srs.meta").fetchall())
        return rows["class_learners_role"], rows["class_instructors_role"]


_SET_UP: dict[int, str] = {}  # per server: a database set up once with `srs class init`


def fresh_class(server: PgServer, before: str = "", own: bool = False) -> Fresh:
    """A class set up with `srs class init`: a copy of one set up once (the schema, its grants
    and policies, the class's groups); with `before` run first, or `own`, set up on a database
    of its own, for what a copy does not keep (the database's own CONNECT and TEMPORARY)."""
    if before or own:
        database = server.new_database()
        if before:
            with server.admin(database) as conn:
                conn.execute(before)
        done = run_srs(["class", "init"], env_for(server.url(database)))
        assert done.returncode == 0, done.stderr
        return Fresh(server, database)
    if id(server) not in _SET_UP:
        _SET_UP[id(server)] = fresh_class(server, own=True).database
    return Fresh(server, server.new_database(template=_SET_UP[id(server)]))


def as_psql(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """What a learner with psql has: the URL, autocommit, and the server's default path."""
    return psycopg.connect(url, autocommit=True)


# ---- no password anywhere but where it belongs ------------------------------------------------


def test_the_admins_password_in_the_user_part_or_the_query_string_is_never_printed(
    pg_server: PgServer,
) -> None:
    klass = fresh_class(pg_server)
    base = pg_server.url(klass.database)  # the superuser logs in without one (trust)
    name = pg_server.unique("eve")
    for url in (
        base.replace("postgres@", "postgres:adminpw@"),
        base + "&password=adminpw",
    ):
        added = run_srs(["class", "add-learner", name, "--password-stdin"], env_for(url), "pw")
        again = run_srs(["class", "add-learner", name, "--password-stdin"], env_for(url), "pw")
        status = run_srs(["status"], env_for(url.replace(klass.database, "no_such_db")))
        for result in (added, again, status):
            assert "adminpw" not in result.stdout + result.stderr
        name = pg_server.unique("eve")
    printed = shlex.split(added.stdout.splitlines()[-1])
    assert printed[0] == "export"
    assert printed[1].startswith("SRS_DATABASE_URL=postgresql://eve")
    assert again.returncode == 1 and "already exists" in again.stderr


def test_with_every_statement_logged_no_password_reaches_the_server_log(
    pg_server: PgServer,
) -> None:
    klass = fresh_class(pg_server)
    with pg_server.admin() as conn:
        conn.execute(f"ALTER DATABASE {klass.database} SET log_statement = 'all'")
    name = pg_server.unique("fay")
    learner = klass.add(name, password="Fay-secret-1")
    env = env_for(klass.admin)
    changed = run_srs(["class", "set-password", name, "--password-stdin"], env, "Fay-secret-2")
    assert changed.returncode == 0, changed.stderr
    failed = run_srs(["class", "add-learner", name, "--password-stdin"], env, "Fay-secret-3")
    assert failed.returncode == 1  # the name is taken: the command fails
    own = env_for(pg_server.url(klass.database, name, "Fay-secret-2"))
    assert run_srs(["class", "passwd", "--password-stdin"], own, "Fay-secret-4").returncode == 0
    with psycopg.connect(pg_server.url(klass.database, name, "Fay-secret-4")) as conn:
        assert conn.execute("SELECT session_user").fetchone() == (name,)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(learner)  # the first password no longer works
    log = (pg_server.pgdata / "log").read_text(errors="replace")
    assert "SCRAM-SHA-256$" in log  # statements were logged: verifiers only
    for secret in ("Fay-secret-1", "Fay-secret-2", "Fay-secret-3", "Fay-secret-4"):
        assert secret not in log


def test_adding_people_without_createrole_is_one_line_naming_it(pg_server: PgServer) -> None:
    klass = fresh_class(pg_server)
    teacher = klass.add(pg_server.unique("tom"), instructor=True)
    result = run_srs(
        ["class", "add-learner", pg_server.unique("x"), "--password-stdin"], env_for(teacher), "p"
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "lacks CREATEROLE" in result.stderr


# ---- nothing a learner creates ever runs as someone else --------------------------------------

PLANTED = """
CREATE TABLE public.caught (who text);
GRANT INSERT ON public.caught TO PUBLIC;
CREATE FUNCTION public.spy_eq(varchar, varchar) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.caught VALUES (current_user); RETURN $1::text = $2::text; END $$;
CREATE OPERATOR public.= (LEFTARG = varchar, RIGHTARG = varchar, FUNCTION = public.spy_eq);
CREATE FUNCTION public.count(anyelement) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.caught VALUES (current_user); RETURN 0; END $$;
CREATE FUNCTION public.hashtext(text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.caught VALUES (current_user); RETURN 0; END $$;
"""


def test_objects_planted_in_public_before_the_upgrade_are_never_called(
    pg_server: PgServer, tmp_path: Path
) -> None:
    # as PostgreSQL 14 and older left every database: PUBLIC may create in `public`
    database = pg_server.new_database()
    with pg_server.admin(database) as conn:
        conn.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")
        conn.execute(PLANTED)
    init = run_srs(["class", "init"], env_for(pg_server.url(database)))
    assert init.returncode == 0, init.stderr
    assert "revoked CREATE on schema public from PUBLIC" in init.stdout
    klass = Fresh(pg_server, database)
    teacher = klass.add(pg_server.unique("tia"), instructor=True)
    learner_name = pg_server.unique("lou")
    learner = klass.add(learner_name)
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    assert run_srs(["deck", "add", str(deck)], env_for(teacher)).returncode == 0
    store = Store.open(learner, learner_name)
    assert answer_all(store, 2) > 0
    store.close()
    for command in (["status"], ["stats"], ["history", "tiny/alpha"]):
        done = run_srs(command, env_for(learner))
        assert done.returncode == 0, done.stderr
    report = run_srs(["class", "report", "--by-learner"], env_for(teacher))
    assert report.returncode == 0, report.stderr
    with pg_server.admin(database) as conn:
        assert conn.execute("SELECT who FROM public.caught").fetchall() == []
    with as_psql(learner) as conn:
        for attempt in (
            "CREATE TABLE public.mine (i int)",
            "CREATE TEMP TABLE mine (i int)",
            "CREATE FUNCTION srs.mine() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "CREATE SCHEMA mine",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(attempt)


# ---- identity that SET ROLE cannot change -----------------------------------------------------


def test_after_set_role_to_each_group_no_other_learners_row_is_read_or_written(
    pg_server: PgServer,
) -> None:
    klass = fresh_class(pg_server)
    ann, ben = pg_server.unique("ann"), pg_server.unique("ben")
    urls = {ann: klass.add(ann), ben: klass.add(ben)}
    for name, url in urls.items():
        store = Store.open(url, name)
        answer_all(store, 4)
        store.close()
    learners, instructors = klass.groups()
    with as_psql(urls[ann]) as conn:
        pk = conn.execute("SELECT min(pk) FROM srs.cards").fetchone()
        assert pk is not None
        conn.execute(f'SET ROLE "{learners}"')
        assert conn.execute(
            "SELECT count(*) FROM srs.review_log WHERE learner <> session_user"
        ).fetchone() == (0,)
        assert conn.execute("SELECT DISTINCT learner FROM srs.card_state").fetchall() == [(ann,)]
        for forged in (ben, learners):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(
                    "INSERT INTO srs.card_state (learner, card_pk, n, ef, interval, lapses, reps) "
                    "VALUES (%s, %s, 0, 250, 0, 0, 0)",
                    [forged, pk[0]],
                )
        assert (
            conn.execute(
                "UPDATE srs.card_state SET ef = 130 WHERE learner <> session_user"
            ).rowcount
            == 0
        )
        conn.execute("RESET ROLE")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f'SET ROLE "{instructors}"')


# ---- learners write only through the server's rules -------------------------------------------

LOG_ROW = (
    "INSERT INTO srs.review_log (learner, card_pk, reviewed_at, day, grade, review_kind, "
    "had_state, prev_n, prev_ef, prev_interval, prev_lapses, prev_reps, ef, interval) "
    "VALUES (session_user, %s, now(), %s, %s, 'review', 0, 0, 250, 0, 0, 0, 250, 1)"
)


def test_a_learner_cannot_choose_ids_call_sequences_write_totals_or_write_out_of_range(
    pg_server: PgServer,
) -> None:
    klass = fresh_class(pg_server)
    name = pg_server.unique("ivy")
    url = klass.add(name)
    with as_psql(url) as conn:
        pk = conn.execute("SELECT min(pk) FROM srs.cards").fetchone()
        assert pk is not None
        conn.execute(LOG_ROW, [pk[0], date.today(), 4])  # the server's rules allow this one
        refused: list[tuple[str, list[object]]] = [
            (LOG_ROW.replace("(learner,", "(id, learner,").replace(
                "VALUES (", "OVERRIDING SYSTEM VALUE VALUES (999999, "), [pk[0], date.today(), 4]),
            ("SELECT nextval(pg_get_serial_sequence('srs.review_log', 'id'))", []),
            ("SELECT nextval(pg_get_serial_sequence('srs.cards', 'pk'))", []),
            ("UPDATE srs.report_card SET lapses = 1000", []),
            ("INSERT INTO srs.report_week VALUES (session_user, 1, 'x', 'finding', 1, 1, 1)", []),
            ("DELETE FROM srs.report_card", []),
            ("SELECT srs.srs_repair_totals()", []),
            ("SELECT key FROM srs.meta FOR UPDATE", []),
        ]  # fmt: skip
        for statement, params in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement, params)
        for day, grade in ((date.today(), 7), (date(9999, 1, 1), 4), (date(1, 1, 1), 4)):
            with pytest.raises(
                (psycopg.errors.CheckViolation, psycopg.errors.InsufficientPrivilege)
            ):
                conn.execute(LOG_ROW, [pk[0], day, grade])
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # years ahead of the server
            conn.execute(LOG_ROW, [pk[0], date(date.today().year + 6, 1, 1), 4])


def test_no_lock_a_learner_takes_holds_another_answer_or_a_deck_add_past_lock_timeout(
    pg_server: PgServer, tmp_path: Path
) -> None:
    klass = fresh_class(pg_server)
    eve, ada = pg_server.unique("eve"), pg_server.unique("ada")
    eve_url, ada_url = klass.add(eve), klass.add(ada)
    teacher = klass.add(pg_server.unique("tim"), instructor=True)
    ada_store = Store.open(ada_url, ada, timeouts=Timeouts(2.0))
    pk = ada_store.content.cards()[0].pk
    with as_psql(eve_url) as conn:
        conn.execute(  # every advisory lock an older srs took, held by the learner
            "SELECT pg_advisory_lock(k) FROM generate_series(1380122625, 1380122630) k"
        )
        conn.execute("SELECT pg_advisory_lock(hashtext(%s), %s)", [ada, pk])
        ada_store.study.record_answer(pk, 4, T0, D0)  # srs takes none of them
        conn.execute("BEGIN")
        conn.execute("LOCK TABLE srs.review_log IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(StoreError, match="waited too long for a lock"):
            ada_store.study.record_answer(pk, 5, T0, D0)
        deck = tmp_path / "tiny.toml"
        deck.write_text(SMALL_DECK, encoding="utf-8")
        env = {**env_for(teacher), "SRS_SERVER_TIMEOUT": "2"}
        added = run_srs(["deck", "add", str(deck)], env)
        conn.execute("ROLLBACK")
    ada_store.close()
    assert added.returncode in (0, 1)
    if added.returncode == 1:
        assert "waited too long for a lock" in added.stderr
        assert added.stderr.count("\n") == 1


# ---- two classes on one server ----------------------------------------------------------------


def test_two_classes_on_one_server_are_closed_to_each_other(pg_server: PgServer) -> None:
    a, b = fresh_class(pg_server, own=True), fresh_class(pg_server, own=True)
    a_teacher, a_learner = pg_server.unique("ta"), pg_server.unique("la")
    urls = {a_teacher: a.add(a_teacher, instructor=True), a_learner: a.add(a_learner)}
    b_learner = pg_server.unique("lb")
    store = Store.open(b.add(b_learner), b_learner)
    answer_all(store, 3)
    store.close()
    for name in urls:
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(pg_server.url(b.database, name, "pw-1"))
        result = run_srs(["class", "report"], env_for(pg_server.url(b.database, name, "pw-1")))
        assert result.returncode == 1
        assert "may not connect to that database" in result.stderr
    assert a.groups() != b.groups()


# ---- people come and go -----------------------------------------------------------------------


def test_a_removed_learners_name_given_again_starts_empty(pg_server: PgServer) -> None:
    klass = fresh_class(pg_server)
    name = pg_server.unique("rex")
    store = Store.open(klass.add(name), name)
    answered = answer_all(store, 2)
    store.close()
    removed = run_srs(["class", "remove-learner", name], env_for(klass.admin))
    assert removed.returncode == 0, removed.stderr
    assert f"deleted {answered} answers" in removed.stdout
    store = Store.open(klass.add(name, password="pw-2"), name)
    assert store.study.log_for_card(store.content.cards()[0].pk) == []
    store.close()


def test_keeping_a_removed_learners_history_keeps_it_under_a_name_no_one_can_take(
    pg_server: PgServer,
) -> None:
    klass = fresh_class(pg_server)
    name, never = pg_server.unique("sue"), pg_server.unique("new")
    klass.add(never)
    store = Store.open(klass.add(name), name)
    answer_all(store, 1)
    store.close()
    env = {**env_for(klass.admin), "SRS_NOW": "2024-03-05T09:00"}
    kept = run_srs(["class", "remove-learner", name, "--keep-history"], env)
    assert kept.returncode == 0, kept.stderr
    assert f"{name} (removed 2024-03-05)" in kept.stdout
    roster = run_srs(["class", "roster", "--json"], env)
    entries = {e["name"]: e for e in json.loads(roster.stdout)}
    assert entries[never]["answers"] == 0 and entries[never]["last_day"] is None
    assert entries[f"{name} (removed 2024-03-05)"]["answers"] > 0
    report = run_srs(["class", "report", "--by-learner", "--json"], env)
    assert f"{name} (removed 2024-03-05)" in report.stdout
    taken = run_srs(
        ["class", "add-learner", f"{name} (removed 2024-03-05)", "--password-stdin"], env, "p"
    )
    assert taken.returncode == 1 and "reserved" in taken.stderr
    fresh = Store.open(klass.add(name, password="pw-3"), name)
    assert fresh.study.log_for_card(fresh.content.cards()[0].pk) == []
    fresh.close()


def test_removing_a_deck_on_a_server_retires_it_and_purge_says_what_goes(
    pg_server: PgServer, tmp_path: Path
) -> None:
    klass = fresh_class(pg_server)
    teacher = klass.add(pg_server.unique("ted"), instructor=True)
    deck = tmp_path / "tiny.toml"
    deck.write_text(SMALL_DECK, encoding="utf-8")
    assert run_srs(["deck", "add", str(deck)], env_for(teacher)).returncode == 0
    name = pg_server.unique("uma")
    store = Store.open(klass.add(name), name)
    answered = answer_all(store, 4)
    store.close()
    retired = run_srs(["deck", "remove", "tiny", "--yes"], env_for(teacher))
    assert retired.returncode == 0, retired.stderr
    assert "retired deck tiny (3 cards); history kept" in retired.stdout
    with pg_server.admin(klass.database) as conn:
        kept = conn.execute(
            "SELECT count(*) FROM srs.review_log l JOIN srs.cards c ON c.pk = l.card_pk "
            "WHERE c.deck_id = 'tiny'"
        ).fetchone()
    assert kept is not None and kept[0] > 0
    listed = run_srs(["deck", "list"], env_for(teacher))
    assert "tiny" not in listed.stdout
    assert run_srs(["deck", "add", str(deck)], env_for(teacher)).returncode == 0  # comes back
    purged = run_srs(["deck", "remove", "tiny", "--yes", "--purge"], env_for(teacher))
    assert purged.returncode == 0, purged.stderr
    assert "of 1 learner; --purge deletes them" in purged.stdout
    assert answered > 0


# ---- a report an instructor can trust, and repair -----------------------------------------------


def test_a_bad_row_in_the_totals_is_named_in_one_line_and_repair_rebuilds_them(
    pg_server: PgServer,
) -> None:
    klass = fresh_class(pg_server)
    teacher = klass.add(pg_server.unique("tom"), instructor=True)
    name = pg_server.unique("val")
    store = Store.open(klass.add(name), name)
    answer_all(store, 2)
    store.close()
    with pg_server.admin(klass.database) as conn:  # as an older srs let a learner write it
        conn.execute("ALTER TABLE srs.review_log DROP CONSTRAINT review_log_day")
        conn.execute(
            LOG_ROW.replace("session_user", "%s"), [name, _first_pk(conn), date(9999, 1, 1), 1]
        )
        conn.execute(
            "ALTER TABLE srs.review_log ADD CONSTRAINT review_log_day "
            "CHECK (day BETWEEN '1969-12-30' AND '9000-01-01') NOT VALID"
        )
    broken = run_srs(["class", "report"], env_for(teacher))
    assert broken.returncode == 1
    assert broken.stderr.count("\n") == 1
    assert repr(name) in broken.stderr and "srs class repair" in broken.stderr
    as_learner = run_srs(
        ["class", "repair"], env_for(klass.server.url(klass.database, name, "pw-1"))
    )
    assert as_learner.returncode == 1
    assert "only an instructor can rebuild the report's totals" in as_learner.stderr
    repaired = run_srs(["class", "repair"], env_for(teacher))
    assert repaired.returncode == 0, repaired.stderr
    assert "left out 1 answer" in repaired.stdout
    with pg_server.admin(klass.database) as conn:
        weeks = conn.execute("SELECT max(week) FROM srs.report_week").fetchone()
    assert weeks is not None and weeks[0] < 2000


def _first_pk(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    row = conn.execute("SELECT min(pk) FROM srs.cards").fetchone()
    assert row is not None
    return int(str(row[0]))


# ---- each connection failure says what it is ----------------------------------------------------


def test_each_connection_failure_says_what_it_is(pg_server: PgServer) -> None:
    import socket

    klass = fresh_class(pg_server, own=True)
    name = pg_server.unique("wes")
    klass.add(name)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    cases = {
        pg_server.url(klass.database, name, "wrong"): "wrong password",
        pg_server.url(klass.database, name): "no password given",
        pg_server.url("no_such_database", name, "pw-1"): "unknown database",
        f"postgresql://u:p@127.0.0.1:{port}/srs": "the server refused the connection",
        "postgresql://u:p@no-such-host.invalid/srs": "unknown host",
    }
    for url, said in cases.items():
        with pytest.raises(StoreError) as caught:
            Store.open(url, "server", timeouts=Timeouts(2.0))
        assert f"cannot connect: {said}" in str(caught.value)
        assert "lost the connection" not in str(caught.value)


def test_a_server_older_than_srs_supports_is_one_line_naming_both_versions(
    pg_server: PgServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from srs.store import server

    # the session's server is PostgreSQL 18: ask for one newer than any, as if it were too old
    monkeypatch.setattr(server, "OLDEST_SERVER", (99,))
    with pytest.raises(StoreError) as caught:
        Store.open(pg_server.url(pg_server.store_database()), "server")
    message = str(caught.value)
    assert "the server runs PostgreSQL 18" in message and "srs needs 99 or later" in message
    assert "\n" not in message
