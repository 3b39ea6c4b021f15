"""Opening a collection (a SQLite file or any SQLAlchemy URL), its migration, and transactions.

`read()` transactions never take the write lock; `write()` ones do: `BEGIN IMMEDIATE` on SQLite,
so two sessions writing at once wait for each other (busy timeout) instead of failing on a
read-to-write lock upgrade, and `SELECT ... FOR UPDATE` where a server needs a row locked.

A SQLite file is checked read-only before anything writes to it (`sqlite_file.probe`). On
PostgreSQL (`server.py`, `connection.py`) every table lives in the `srs` schema, the learner is
the session's user (`session_user`, which `SET ROLE` cannot change), and every lock srs takes is
a row lock on a row the caller may update: the learner's own state rows, or the class's lock row
in `meta`, which only an instructor may update. `write_retrying()` runs a transaction again when
the server reports a deadlock or a serialization failure.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Self, TypeVar

from sqlalchemy import create_engine, delete, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from srs.core.errors import StoreError
from srs.core.model import MAX_LEARNER_LENGTH
from srs.store import server
from srs.store.migrations import upgrade
from srs.store.report_totals import install as install_report_totals
from srs.store.schema import (
    SCHEMA_VERSION,
    SERVER_SCHEMA,
    meta_table,
    metadata,
    readable_version,
)
from srs.store.server import Timeouts
from srs.store.sqlite_file import (
    APPLICATION_ID,
    Found,
    check_damage,
    create_whole,
    listen,
    prepare_path,
    probe,
    sqlite_engine,
    sqlite_file,
)
from srs.store.urls import masked_url

T = TypeVar("T")

DEFAULT_LEARNER = "default"
LOCK_KEY = "lock"  # the `meta` row whose row lock serialises deck loads and class set-up
_DUPLICATE = frozenset({"23505", "42P06"})  # two first runs creating the schema at once


class Database:
    """One collection database, seen by one learner: the engine and its transactions."""

    def __init__(
        self,
        engine: Engine,
        label: str,
        learner: str = DEFAULT_LEARNER,
        read_only: bool = False,
    ) -> None:
        self.engine = engine
        self.label = label
        self.learner = learner
        self.read_only = read_only
        self._sqlite = engine.dialect.name == "sqlite"
        self._damage_checked = True

    @property
    def on_server(self) -> bool:
        """True on a database server (PostgreSQL), where the learner is the database user."""
        return not self._sqlite

    @classmethod
    def open(
        cls,
        url: str,
        label: str | None = None,
        learner: str | None = None,
        timeouts: Timeouts | None = None,
    ) -> Self:
        """Open (creating if needed) the collection at `url`; refuse one from a newer srs, one
        of another program, or a damaged one, without writing to it.

        A SQLite file srs cannot write, or named by a URL ending in `?mode=ro`, is opened
        read-only: commands that only read work, and `require_writable` refuses the others
        before they start. On SQLite the learner is `learner` (else "default"); on a server it
        is the database user, and a different `learner` is refused. `timeouts` bound every wait
        on a server.
        """
        label = label or masked_url(url)
        if learner is not None and len(learner) > MAX_LEARNER_LENGTH:
            raise StoreError(
                f"learner name is {len(learner)} characters long; at most {MAX_LEARNER_LENGTH}"
            )
        read_only = False
        found: Found | None = None
        file = sqlite_file(url, label)
        try:
            if file is not None:
                path, want_read_only = file
                if not want_read_only:
                    prepare_path(path, label)
                found = probe(path, label, want_read_only)
                if found.version is None and not found.read_only and not path.exists():
                    new = found
                    create_whole(path, label, lambda built: cls(built, label)._migrate(new, False))
                    found = probe(path, label, want_read_only)
                read_only = found.read_only
                engine = sqlite_engine(path, found, label)
            else:
                url = server.server_url(url)
                timeouts = timeouts or Timeouts()
                engine = create_engine(url, **server.engine_options(url, label, timeouts))
                if url.startswith("sqlite"):
                    listen(engine)
                elif engine.dialect.name == "postgresql":
                    from srs.store.connection import attach

                    attach(engine, timeouts)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"{label}: cannot open database: {server.reason(exc)}") from None
        store = cls(engine, label, learner or DEFAULT_LEARNER, read_only)
        store._damage_checked = found is None or found.checked
        if store.on_server:
            store._connect_first()
        if not read_only:
            try:
                store._migrate(found)
            except _SchemaRace:  # another first run created the schema meanwhile: use theirs
                store._migrate(found)
        if store.on_server:
            store._become_the_database_user(learner)
        return store

    def check_damage(self) -> None:
        """Check a SQLite file too large to be checked on opening for damage, for a command
        that reads all of it anyway (`srs stats`); `StoreError` in one line when it is damaged."""
        if self._damage_checked:
            return
        with self.read() as conn:
            driver: Any = conn.connection.driver_connection
            check_damage(driver, self.label)
        self._damage_checked = True

    def require_writable(self) -> None:
        """Refuse, in one line and before any card is shown, to change a read-only collection."""
        if self.read_only:
            raise StoreError(
                f"{self.label}: the collection is read-only (the file or its folder cannot be "
                "written, or the URL asks for mode=ro); only status, stats, history, deck list "
                "and export can use it"
            )

    def _connect_first(self) -> None:
        """Make the first connection, naming a failure in one line by its cause (wrong password,
        unknown database, refused...), and refuse a server too old for srs."""
        try:
            with self.engine.connect():
                pass
        except SQLAlchemyError as exc:
            self.close()
            raise server.connect_failure(exc, self.label) from None
        version = self.engine.dialect.server_version_info or (0,)
        if self.engine.dialect.name == "postgresql" and version < server.OLDEST_SERVER:
            self.close()
            shown = ".".join(str(part) for part in version)
            raise StoreError(
                f"{self.label}: the server runs PostgreSQL {shown}; srs needs "
                f"{server.OLDEST_SERVER[0]} or later"
            )

    def _become_the_database_user(self, asked: str | None) -> None:
        """On a server the learner is `session_user` (which `SET ROLE` cannot change); a
        different name asked for is refused."""
        with self.read() as conn:
            user = str(conn.execute(text("SELECT session_user")).scalar_one())
        if asked is not None and asked != user:
            self.close()
            raise StoreError(
                f"on a database server the learner is the database user ({user!r}), "
                f"not {asked!r}; unset SRS_LEARNER"
            )
        if len(user) > MAX_LEARNER_LENGTH:
            self.close()
            raise StoreError(f"database user name longer than {MAX_LEARNER_LENGTH} characters")
        self.learner = user

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    def _migrate(self, found: Found | None, wal: bool = True) -> None:
        """Check the schema version, create the tables of a new collection, then turn WAL on.

        A SQLite file was already checked read-only (`sqlite_file.probe`); WAL is switched on
        only after the checks, so a database this version refuses is left byte for byte. A new
        collection is built without it (`wal` False), so that all of it is in its one file.
        """
        try:
            with self.engine.begin() as conn:
                self._begin(conn, write=True)
                if found is None:
                    self._check_or_create_schema(conn)
                elif found.version != SCHEMA_VERSION:
                    self._create_or_upgrade(conn, found.version or 0)
                if found is not None and not found.marked:
                    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            if wal and not self.on_server:
                raw = self.engine.raw_connection()
                try:  # outside any transaction, where SQLite allows the change
                    raw.cursor().execute("PRAGMA journal_mode = WAL")
                finally:
                    raw.close()
        except SQLAlchemyError as exc:
            if self.on_server and server.sqlstate(exc) in _DUPLICATE:
                raise _SchemaRace from None
            raise self._error(exc) from None

    def _check_or_create_schema(self, conn: Connection) -> None:
        """A server database: the same rules as `sqlite_file.probe`, by its tables and version.

        srs's tables live in the `srs` schema; a collection an older srs made in `public` is moved
        there by its owner. Of several first runs at once on an empty server, one creates the
        schema; the others fail on it and open again (`_SchemaRace`), finding it made.
        """
        from srs.store.server_schema import create_schema, legacy_tables, move_legacy_tables

        tables = set(inspect(conn).get_table_names(schema=SERVER_SCHEMA))
        version = 0
        if not tables and "meta" in legacy_tables(conn):
            version = self._version(conn, legacy=True)
            move_legacy_tables(conn)
            self._create_or_upgrade(conn, version)
            return
        if "meta" in tables:
            version = self._version(conn)
            if version == SCHEMA_VERSION:
                return
            self.class_lock(conn)  # one upgrade at a time; learners cannot take this lock
            version = self._version(conn)
            if version == SCHEMA_VERSION:
                return
        elif tables:
            raise StoreError(f"{self.label}: not an srs database (it holds other tables)")
        else:
            create_schema(conn)
        self._create_or_upgrade(conn, version)

    def _version(self, conn: Connection, legacy: bool = False) -> int:
        """The schema version stored in `meta` (in `public` for a collection of an older srs)."""
        table = "public.meta" if legacy else f"{SERVER_SCHEMA}.meta"
        found = conn.execute(
            text(f"SELECT value FROM {table} WHERE key = 'schema_version'")
        ).scalar()
        return readable_version(found, self.label)

    def _create_or_upgrade(self, conn: Connection, version: int) -> None:
        if version > 0:
            upgrade(conn, version, SCHEMA_VERSION)
        metadata.create_all(conn)  # the tables a new collection or a new version lacks
        install_report_totals(conn)  # a server's report totals (nothing on SQLite)
        if version > 0 and self.on_server:
            from srs.store.classroom import grant_after_upgrade

            grant_after_upgrade(conn)  # learners may write the new columns
        conn.execute(delete(meta_table).where(meta_table.c.key == "schema_version"))
        conn.execute(meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        if (
            conn.execute(select(meta_table.c.key).where(meta_table.c.key == LOCK_KEY)).first()
            is None
        ):
            conn.execute(meta_table.insert().values(key=LOCK_KEY, value=""))

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read transaction: a consistent snapshot that takes no write lock."""
        try:
            with self.engine.connect() as conn, conn.begin():
                self._begin(conn, write=False)
                yield conn
        except SQLAlchemyError as exc:
            raise self._error(exc) from None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction, committed when the block ends; failures become a one-line
        `StoreError` and roll back."""
        try:
            with self.engine.begin() as conn:
                self._begin(conn, write=True)
                yield conn
        except SQLAlchemyError as exc:
            raise self._error(exc) from None

    def write_retrying(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one write transaction; where the server asks for it (a deadlock or a
        serialization failure), roll back and run it again, so the learner never sees one."""
        for attempt in range(server.RETRY_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    self._begin(conn, write=True)
                    return work(conn)
            except DBAPIError as exc:
                last = attempt == server.RETRY_ATTEMPTS - 1
                if server.sqlstate(exc) not in server.RETRY_STATES or last:
                    raise self._error(exc) from None
            except SQLAlchemyError as exc:
                raise self._error(exc) from None
            time.sleep(random.uniform(0.001, 0.005) * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _begin(self, conn: Connection, write: bool) -> None:
        """Open the transaction on SQLite: `BEGIN IMMEDIATE` for a write (it takes the write lock
        at once, so two writers wait for each other instead of failing on a lock upgrade), a
        deferred `BEGIN` for a read. pysqlite runs in autocommit mode (`isolation_level` None),
        so SQLAlchemy's own begin sends nothing and its commit ends this transaction. Sent
        straight to the driver here rather than from a "begin" event listener: any engine
        event makes SQLAlchemy dispatch events on every statement, a quarter of an answer."""
        if self._sqlite:
            driver: Any = conn.connection.driver_connection
            try:
                driver.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.Error as exc:  # sent to the driver, so not wrapped by SQLAlchemy
                raise StoreError(f"{self.label}: {exc}") from None

    def _error(self, exc: SQLAlchemyError) -> StoreError:
        """The one-line error for a failed transaction."""
        return server.failure(exc, self.label, self.on_server)

    def class_lock(self, conn: Connection) -> None:
        """On a server, hold the class's lock row until this transaction ends: deck loads and
        set-up run one at a time. Taking it needs the right to update `meta`, which no learner
        has, so no learner can hold it (SQLite's writes already exclude each other)."""
        if self.on_server:
            conn.execute(
                select(meta_table.c.key).where(meta_table.c.key == LOCK_KEY).with_for_update()
            )

    def get_meta(self, key: str) -> str | None:
        """A value from the collection's own key-value table."""
        with self.read() as conn:
            return conn.execute(select(meta_table.c.value).where(meta_table.c.key == key)).scalar()

    def set_meta(self, key: str, value: str) -> None:
        """Set a value in the collection's own key-value table."""
        with self.write() as conn:
            conn.execute(delete(meta_table).where(meta_table.c.key == key))
            conn.execute(meta_table.insert().values(key=key, value=value))


class _SchemaRace(Exception):
    """Another first run created the schema while this one tried to: open again."""
