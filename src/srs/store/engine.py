"""Opening a collection (a SQLite file or any SQLAlchemy URL), its migration, and transactions.

`read()` transactions never take the write lock; `write()` ones do: `BEGIN IMMEDIATE` on SQLite,
so two sessions writing at once wait for each other (busy timeout) instead of failing on a
read-to-write lock upgrade, and `SELECT ... FOR UPDATE` where a server needs a row locked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

from sqlalchemy import create_engine, delete, event, inspect, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from srs.core.errors import SchemaTooNewError, StoreError
from srs.store.migrations import upgrade
from srs.store.schema import SCHEMA_VERSION, meta_table, metadata

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

    def __init__(self, engine: Engine, label: str, learner: str = "default") -> None:
        self.engine = engine
        self.label = label
        self.learner = learner

    @classmethod
    def open(cls, url: str, label: str | None = None, learner: str = "default") -> Self:
        """Open (creating if needed) the collection at `url`; refuse one from a newer srs."""
        label = label or url
        is_sqlite = url.startswith("sqlite")
        if is_sqlite and url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            path = Path(url[len("sqlite:///") :])
            _prepare_sqlite_path(path, label)
        try:
            engine = create_engine(url)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(f"{label}: cannot open database: {_reason(exc)}") from None
        if is_sqlite:
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "begin", _sqlite_begin)
        store = cls(engine, label, learner)
        store._migrate()
        return store

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
            if self.engine.dialect.name == "sqlite":
                raw = self.engine.raw_connection()
                try:  # outside any transaction, where SQLite allows the change
                    raw.cursor().execute("PRAGMA journal_mode = WAL")
                finally:
                    raw.close()
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.label}: cannot open database: {_reason(exc)}") from None

    def _check_or_create_schema(self, conn: Connection) -> None:
        tables = set(inspect(conn).get_table_names())
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
