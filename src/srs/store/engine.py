"""Opening a collection (a SQLite file or any SQLAlchemy URL), its migration, and transactions.

`read()` transactions never take the write lock; `write()` ones do: `BEGIN IMMEDIATE` on SQLite,
so two sessions writing at once wait for each other (busy timeout) instead of failing on a
read-to-write lock upgrade, and `SELECT ... FOR UPDATE` where a server needs a row locked.

On PostgreSQL (psycopg 3) the learner is the database user; schema creation, deck loads and a
learner's first answers to one card are serialised with transaction-level advisory locks;
`write_retrying()` runs a transaction again when the server reports a deadlock or a
serialization failure; a lost connection is a `ConnectionLostError`, and a learner changing
decks is a `NotAnInstructorError`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

from sqlalchemy import create_engine, delete, event, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from srs.core.errors import (
    ConnectionLostError,
    NotAnInstructorError,
    SchemaTooNewError,
    StoreError,
)
from srs.core.model import MAX_LEARNER_LENGTH
from srs.store.migrations import upgrade
from srs.store.schema import SCHEMA_VERSION, meta_table, metadata

T = TypeVar("T")

_WRITE = "srs_write"  # execution option: this transaction will write
DEFAULT_LEARNER = "default"
CONNECT_TIMEOUT_S = 5  # an unreachable or silent server fails within this many seconds
RETRY_STATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
RETRY_ATTEMPTS = 8
# Keys of the transaction-level advisory locks (any two fixed numbers unlikely to clash).
LOCK_SCHEMA = 0x5253_0001
LOCK_DECKS = 0x5253_0002
_CONTENT_TABLES = ("table decks", "table cards", "table meta")  # what only an instructor changes
DRIVER_HINT = (
    "a PostgreSQL database needs the psycopg driver: install srs with the postgres extra, "
    "e.g. pip install 'srs[postgres]'"
)


def _server_url(url: str) -> str:
    """A PostgreSQL URL with the psycopg 3 driver named (SQLAlchemy's default is psycopg2)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _sqlstate(exc: BaseException) -> str | None:
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    state = getattr(orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    # The driver's own transaction handling is turned off so that each transaction starts with
    # the BEGIN this module chooses: IMMEDIATE for writes, a plain (deferred) one for reads.
    dbapi_conn.isolation_level = None  # type: ignore[attr-defined]
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA busy_timeout = 15000")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get(_WRITE, True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Database:
    """One collection database, seen by one learner: the engine and its transactions."""

    def __init__(self, engine: Engine, label: str, learner: str = DEFAULT_LEARNER) -> None:
        self.engine = engine
        self.label = label
        self.learner = learner

    @property
    def on_server(self) -> bool:
        """True on a database server (PostgreSQL), where the learner is the database user."""
        return self.engine.dialect.name != "sqlite"

    @classmethod
    def open(cls, url: str, label: str | None = None, learner: str | None = None) -> Self:
        """Open (creating if needed) the collection at `url`; refuse one from a newer srs.

        On SQLite the learner is `learner` (else "default"); on a server it is the database
        user, and a different `learner` is refused.
        """
        label = label or url
        is_sqlite = url.startswith("sqlite")
        if learner is not None and len(learner) > MAX_LEARNER_LENGTH:
            raise StoreError(
                f"learner name is {len(learner)} characters long; at most {MAX_LEARNER_LENGTH}"
            )
        if is_sqlite and url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            path = Path(url[len("sqlite:///") :])
            _prepare_sqlite_path(path, label)
        url = _server_url(url)
        options: dict[str, Any] = {}
        if url.startswith("postgresql+psycopg"):
            try:
                import psycopg  # noqa: F401
            except ImportError:
                raise StoreError(f"{label}: {DRIVER_HINT}") from None
            options["connect_args"] = {
                "connect_timeout": CONNECT_TIMEOUT_S,
                "application_name": "srs",
            }
        try:
            engine = create_engine(url, **options)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"{label}: cannot open database: {_reason(exc)}") from None
        if is_sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        store = cls(engine, label, learner or DEFAULT_LEARNER)
        store._migrate()
        if store.on_server:
            store._become_the_database_user(learner)
        return store

    def _become_the_database_user(self, asked: str | None) -> None:
        """On a server the learner is `current_user`; a different name asked for is refused."""
        with self.read() as conn:
            user = str(conn.execute(text("SELECT current_user")).scalar_one())
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

    def _migrate(self) -> None:
        """Check the schema version, create the tables of a new collection, then turn WAL on.

        WAL is switched on only after the checks: a database this version refuses (too new, or
        another program's) is left byte for byte as it was.
        """
        try:
            with self.engine.begin() as conn:
                self._check_or_create_schema(conn)
            if not self.on_server:
                raw = self.engine.raw_connection()
                try:  # outside any transaction, where SQLite allows the change
                    raw.cursor().execute("PRAGMA journal_mode = WAL")
                finally:
                    raw.close()
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.label}: cannot open database: {_reason(exc)}") from None

    def _check_or_create_schema(self, conn: Connection, locked: bool = False) -> None:
        tables = set(inspect(conn).get_table_names())
        version = 0
        if "meta" in tables:
            found = conn.execute(
                select(meta_table.c.value).where(meta_table.c.key == "schema_version")
            ).scalar()
            version = int(found) if found is not None else 0
            if version > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"{self.label}: database schema version {version} was written by a newer "
                    f"srs (this one reads up to {SCHEMA_VERSION}); left untouched"
                )
            if version == SCHEMA_VERSION:
                return
        if self.on_server and not locked:
            # Several first runs at once on an empty server: one creates, the others wait and
            # then find the tables made (each statement sees what committed before it).
            self.advisory_lock(conn, LOCK_SCHEMA)
            self._check_or_create_schema(conn, locked=True)
            return
        if "meta" in tables:
            if version > 0:
                upgrade(conn, version, SCHEMA_VERSION)
        elif tables:
            raise StoreError(f"{self.label}: not an srs database (it holds other tables)")
        metadata.create_all(conn)  # the tables a new collection or a new version lacks
        conn.execute(delete(meta_table).where(meta_table.c.key == "schema_version"))
        conn.execute(meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read transaction: a consistent snapshot that takes no write lock."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{_WRITE: False})
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise self._error(exc) from None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction, committed when the block ends; failures become a one-line
        `StoreError` and roll back."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise self._error(exc) from None

    def write_retrying(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one write transaction; where the server asks for it (a deadlock or a
        serialization failure), roll back and run it again, so the learner never sees one."""
        for attempt in range(RETRY_ATTEMPTS):
            try:
                with self.engine.begin() as conn:
                    return work(conn)
            except DBAPIError as exc:
                if _sqlstate(exc) not in RETRY_STATES or attempt == RETRY_ATTEMPTS - 1:
                    raise self._error(exc) from None
            except SQLAlchemyError as exc:
                raise self._error(exc) from None
            time.sleep(random.uniform(0.001, 0.005) * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _error(self, exc: SQLAlchemyError) -> StoreError:
        """The one-line error for a failed transaction."""
        reason = _reason(exc)
        if _sqlstate(exc) == "42501" and reason.endswith(_CONTENT_TABLES):
            return NotAnInstructorError("only an instructor can change the class's decks")
        state = _sqlstate(exc) or ""
        lost = isinstance(exc, DBAPIError) and exc.connection_invalidated
        if self.on_server and isinstance(exc, OperationalError):
            # no SQLSTATE: the socket closed; 08: connection exception; 57P0x: server shutdown
            lost = lost or not state or state.startswith(("08", "57P0"))
        if lost:
            return ConnectionLostError(f"{self.label}: lost the connection: {reason}")
        return StoreError(f"{self.label}: {reason}")

    def advisory_lock(self, conn: Connection, key: int) -> None:
        """On a server, hold lock `key` until this transaction ends (SQLite's writes already
        exclude each other)."""
        if self.on_server:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def card_lock(self, conn: Connection, card_pk: int) -> None:
        """On a server, hold this learner's lock on one card until the transaction ends: it
        serialises two first answers to a card, which have no row yet to lock FOR UPDATE."""
        if self.on_server:
            conn.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:learner), :card)"),
                {"learner": self.learner, "card": card_pk},
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


def _reason(exc: BaseException) -> str:
    """The driver's own one-line message, without SQLAlchemy's SQL echo and links."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).splitlines()[0]
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _prepare_sqlite_path(path: Path, label: str) -> None:
    """Create the database's folder; fail early, with the path, where that cannot work."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{label}: cannot create folder {path.parent}: {exc.strerror}") from None
    if path.is_dir():
        raise StoreError(f"{label}: is a directory, not a database file")
    if path.exists():
        try:
            with path.open("rb") as handle:
                head = handle.read(16)
        except OSError as exc:
            raise StoreError(f"{label}: cannot read database: {exc.strerror}") from None
        if head and head != b"SQLite format 3\x00":
            raise StoreError(f"{label}: not a SQLite database (file is corrupt or of another kind)")
