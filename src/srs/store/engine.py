"""Opening a collection (a SQLite file or any SQLAlchemy URL), its migration, and transactions.

`read()` transactions never take the write lock; `write()` ones do: `BEGIN IMMEDIATE` on SQLite,
so two sessions writing at once wait for each other (busy timeout) instead of failing on a
read-to-write lock upgrade, and `SELECT ... FOR UPDATE` where a server needs a row locked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self
from urllib.parse import parse_qs

from sqlalchemy import create_engine, delete, event, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from srs.core.errors import SchemaTooNewError, StoreError
from srs.store.migrations import upgrade
from srs.store.schema import SCHEMA_VERSION, meta_table, metadata
from srs.store.sqlite_file import APPLICATION_ID, Found, probe, ro_uri

_WRITE = "srs_write"  # execution option: this transaction will write


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

    def __init__(
        self, engine: Engine, label: str, learner: str = "default", read_only: bool = False
    ) -> None:
        self.engine = engine
        self.label = label
        self.learner = learner
        self.read_only = read_only

    @classmethod
    def open(cls, url: str, label: str | None = None, learner: str = "default") -> Self:
        """Open (creating if needed) the collection at `url`; refuse one from a newer srs, one
        of another program, or a damaged one, without writing to it.

        A SQLite file srs cannot write, or named by a URL ending in `?mode=ro`, is opened
        read-only: commands that only read work, and `require_writable` refuses the others
        before they start.
        """
        label = label or url
        is_sqlite = url.startswith("sqlite")
        read_only = False
        found: Found | None = None
        file = sqlite_file(url, label)
        try:
            if file is not None:
                path, want_read_only = file
                if not want_read_only:
                    _prepare_sqlite_path(path, label)
                found = probe(path, label, want_read_only)
                read_only = found.read_only
                engine = _sqlite_engine(path, found, label)
            else:
                engine = create_engine(url)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"{label}: cannot open database: {_reason(exc)}") from None
        if is_sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        store = cls(engine, label, learner, read_only)
        if not read_only:
            store._migrate(found)
        return store

    def require_writable(self) -> None:
        """Refuse, in one line and before any card is shown, to change a read-only collection."""
        if self.read_only:
            raise StoreError(
                f"{self.label}: the collection is read-only (the file or its folder cannot be "
                "written, or the URL asks for mode=ro); only status, stats, history, deck list "
                "and export can use it"
            )

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    def _migrate(self, found: Found | None) -> None:
        """Check the schema version, create the tables of a new collection, then turn WAL on.

        A SQLite file was already checked read-only (`sqlite_file.probe`); WAL is switched on
        only after the checks, so a database this version refuses is left byte for byte.
        """
        try:
            with self.engine.begin() as conn:
                if found is None:
                    self._check_or_create_schema(conn)
                elif found.version != SCHEMA_VERSION:
                    self._create_or_upgrade(conn, found.version or 0)
                if found is not None and not found.marked:
                    conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            if self.engine.dialect.name == "sqlite":
                raw = self.engine.raw_connection()
                try:  # outside any transaction, where SQLite allows the change
                    raw.cursor().execute("PRAGMA journal_mode = WAL")
                finally:
                    raw.close()
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.label}: cannot open database: {_reason(exc)}") from None

    def _check_or_create_schema(self, conn: Connection) -> None:
        """A server database: the same rules as `sqlite_file.probe`, by its tables and version."""
        tables = set(inspect(conn).get_table_names())
        version = 0
        if "meta" in tables:
            found = conn.execute(
                select(meta_table.c.value).where(meta_table.c.key == "schema_version")
            ).scalar()
            if found is None or not str(found).isdigit() or not str(found).isascii():
                what = "no schema version" if found is None else f"schema version {found!r}"
                raise StoreError(f"{self.label}: {what} is not a version srs knows; left untouched")
            version = int(found)
            if version > SCHEMA_VERSION:
                raise SchemaTooNewError(
                    f"{self.label}: database schema version {version} was written by a newer "
                    f"srs (this one reads up to {SCHEMA_VERSION}); left untouched"
                )
            if version == SCHEMA_VERSION:
                return
        elif tables:
            raise StoreError(f"{self.label}: not an srs database (it holds other tables)")
        self._create_or_upgrade(conn, version)

    def _create_or_upgrade(self, conn: Connection, version: int) -> None:
        if version > 0:
            upgrade(conn, version, SCHEMA_VERSION)
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
            raise StoreError(f"{self.label}: {_reason(exc)}") from None

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction, committed when the block ends; failures become a one-line
        `StoreError` and roll back."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.label}: {_reason(exc)}") from None

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


def sqlite_file(url: str, label: str) -> tuple[Path, bool] | None:
    """The file of a `sqlite:///PATH` URL and whether it asks to be read-only (`?mode=ro`).

    Any other query string is refused in one line rather than ignored. None for other URLs.
    """
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return None
    rest = url[len("sqlite:///") :]
    where, _, query = rest.partition("?")
    options = parse_qs(query, keep_blank_values=True) if query else {}
    if options not in ({}, {"mode": ["ro"]}):
        raise StoreError(
            f"{label}: the SQLite URL option {query!r} is not supported; "
            "the only one srs understands is ?mode=ro"
        )
    return Path(where), bool(options)


def _sqlite_engine(path: Path, found: Found, label: str) -> Engine:
    if not found.read_only:
        return create_engine(f"sqlite:///{path}")
    if found.version is None:
        raise StoreError(f"{label}: no srs collection here, and it is read-only")
    if found.version < SCHEMA_VERSION:
        raise StoreError(
            f"{label}: the collection is read-only and from an older srs; open it writable once "
            "so that it can be upgraded"
        )
    uri = ro_uri(path)
    return create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
    )


def _prepare_sqlite_path(path: Path, label: str) -> None:
    """Create the database's folder; fail early, with the path, where that cannot work."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{label}: cannot create folder {path.parent}: {exc.strerror}") from None
    if path.is_dir():
        raise StoreError(f"{label}: is a directory, not a database file")
