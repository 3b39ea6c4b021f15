"""What a SQLite file is, found out before srs writes a byte to it.

An srs collection carries its own marker: SQLite's `application_id` header field set to
`APPLICATION_ID` when srs creates it. A collection made before the marker existed is recognised by
its exact set of tables and an integer schema version, and gets the marker at its next write.
Anything else (another program's file, even one with a `meta` table) is refused untouched.

Every check reads through a `mode=ro` connection: a read-only connection never checkpoints a WAL
on close, so a file that is refused (too new, foreign, damaged) keeps every byte, WAL included
(only SQLite's shared-memory index, `-shm`, may appear beside a WAL that has content).
"""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import stat
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from srs.core.errors import StoreError
from srs.store.schema import SCHEMA_VERSION, metadata, readable_version

APPLICATION_ID = 0x53525331  # "SRS1" in ASCII: the `PRAGMA application_id` of an srs collection
SRS_TABLES = frozenset(metadata.tables)
QUICK_CHECK_BYTES = 32 * 1024 * 1024
"""Collections up to this size (32 MiB) are checked for damage on every open;
the check reads the whole file (about 0.05 s for 16 MB), so larger ones skip it."""
_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class Found:
    """What the file holds: `version` None for a new (or empty) database; whether srs may write."""

    version: int | None
    read_only: bool
    marked: bool  # carries srs's application id already
    checked: bool = True  # checked for damage (not when over `QUICK_CHECK_BYTES`)


def ro_uri(path: Path) -> str:
    """The `file:` URI that opens `path` read-only."""
    return f"file:{quote(str(path.absolute()))}?mode=ro"


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def writable(path: Path) -> bool:
    """Whether srs can write the file and create its journal beside it."""
    return os.access(_folder(path), os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def read_only_uri(path: Path, label: str) -> str:
    """The URI a read-only connection to `path` uses for as long as it is open.

    SQLite reads a WAL database through its `-shm` index, which it must be able to create. In a
    folder srs can write, `mode=ro` does that, and sees what other sessions commit. In a folder
    (or file system) no one can write, nothing can change the file either (a writer would need
    to create a `-wal`), so with no WAL beside it the file is opened `immutable`: no `-shm`, no
    locks. A WAL left with content needs its `-shm` to be read; without one it cannot be.
    """
    if os.access(_folder(path), os.W_OK):
        return ro_uri(path)
    wal_size = _size(path.with_name(path.name + "-wal"))
    if wal_size is not None and _size(path.with_name(path.name + "-shm")) is not None:
        return ro_uri(path)  # a session may be writing (through files that exist): follow it
    if not wal_size:
        return ro_uri(path) + "&immutable=1"
    raise StoreError(
        f"{label}: the collection's last changes are still in its -wal file, and its folder is "
        "read-only; open it once where its folder can be written"
    )


def probe(path: Path, label: str, read_only: bool) -> Found:
    """Check the SQLite file at `path` without changing it; raise `StoreError` to refuse it.

    `read_only` is asked for (a `?mode=ro` URL); a file or folder srs cannot write is read-only
    too. A 0-byte file is refused unless its WAL holds data: it is what a collection truncated by
    a full disk or a stray `>` looks like, and starting over in it would hide the loss.
    """
    if regular_file(path, label) is None:
        if read_only:
            raise StoreError(f"{label}: no such database (it is opened read-only)")
        if not writable(path):
            raise StoreError(f"{label}: cannot create the collection: its folder is not writable")
        return Found(None, read_only=False, marked=False)
    read_only = read_only or not writable(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_HEADER))
    except OSError as exc:
        raise StoreError(f"{label}: cannot read database: {exc.strerror}") from None
    wal = path.with_name(path.name + "-wal")
    if not head and not (wal.exists() and wal.stat().st_size > 0):
        raise StoreError(
            f"{label}: the file is empty (0 bytes), not an srs collection; "
            "delete it to start a new collection there"
        )
    if head and head != _HEADER:
        raise StoreError(f"{label}: not a SQLite database (file is corrupt or of another kind)")
    # With no WAL content the whole database is in the file: read it as immutable, which makes
    # SQLite create no -wal or -shm file beside it. A WAL with content must be read (read-only).
    # In a read-only folder, a WAL with content is read only through its -shm (`read_only_uri`).
    wal_size = _size(wal)
    uri = read_only_uri(path, label) if wal_size else ro_uri(path) + "&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"{label}: cannot open database: {exc}") from None
    try:
        return _inspect(conn, label, read_only)
    except sqlite3.Error as exc:
        if "malformed" in str(exc):  # flipped bits in the schema itself
            raise StoreError(
                f"{label}: the database is damaged ({exc}); restore it from a backup"
            ) from None
        raise StoreError(f"{label}: cannot read database: {exc}") from None
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection, label: str, read_only: bool) -> Found:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    tables = {n for n in names if not n.startswith("sqlite_")}
    if app_id not in (0, APPLICATION_ID):
        raise StoreError(
            f"{label}: not an srs database (it belongs to another program, "
            f"application id {app_id:#x}); left untouched"
        )
    if not tables:
        if app_id == 0:
            return Found(None, read_only, marked=False)  # an empty SQLite database: new
        raise StoreError(f"{label}: an srs collection with no tables; it is damaged")
    if app_id == 0 and tables != SRS_TABLES:
        raise StoreError(f"{label}: not an srs database (it holds other tables); left untouched")
    if "meta" not in tables:
        raise StoreError(f"{label}: an srs collection without its meta table; it is damaged")
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = readable_version(None if row is None else row[0], label)
    if version < 1 and app_id == 0:
        raise StoreError(f"{label}: not an srs database (schema version {version})")
    checked = _quick_check(conn, label)
    return Found(version, read_only, marked=app_id == APPLICATION_ID, checked=checked)


def _quick_check(conn: sqlite3.Connection, label: str, whole: bool = False) -> bool:
    """Refuse a damaged file: flipped bits in an index page can make queries quietly return
    nothing (`srs stats` printed zeros). Linear in the file, so on opening only up to
    `QUICK_CHECK_BYTES`, unless `whole`; returns whether the file was checked."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    if pages * page_size > QUICK_CHECK_BYTES and not whole:
        return False
    damage = str(conn.execute("PRAGMA quick_check(1)").fetchone()[0])
    if damage != "ok":
        where = damage.strip().splitlines()[-1]  # the first line only says "in database main"
        raise StoreError(f"{label}: the database is damaged ({where}); restore it from a backup")
    return True


def check_damage(conn: sqlite3.Connection, label: str) -> None:
    """Check the whole file for damage, whatever its size: for a command that reads it all."""
    try:
        _quick_check(conn, label, whole=True)
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{label}: the database is damaged ({exc}); restore it from a backup"
        ) from None


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    # The driver's own transaction handling is turned off so that each transaction starts with
    # the BEGIN this module chooses: IMMEDIATE for writes, a plain (deferred) one for reads.
    dbapi_conn.isolation_level = None  # type: ignore[attr-defined]
    cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cur.execute("PRAGMA busy_timeout = 15000")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


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


def sqlite_engine(path: Path, found: Found, label: str) -> Engine:
    """The engine of a checked collection file: read-only through a `mode=ro` URI when it must be,
    with the pragmas and the BEGIN of each transaction set on every connection."""
    return listen(_engine(path, found, label))


def listen(engine: Engine) -> Engine:
    """Set the pragmas on each new connection (a pool event: statements dispatch no event).
    Each transaction's BEGIN is sent by `Database` (IMMEDIATE for writes, deferred for reads)."""
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _engine(path: Path, found: Found, label: str) -> Engine:
    if not found.read_only:
        return create_engine(f"sqlite:///{path}")
    if found.version is None:
        raise StoreError(f"{label}: no srs collection here, and it is read-only")
    if found.version < SCHEMA_VERSION:
        raise StoreError(
            f"{label}: the collection is read-only and from an older srs; open it writable once "
            "so that it can be upgraded"
        )
    uri = read_only_uri(path, label)
    return create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
    )


def regular_file(path: Path, label: str) -> os.stat_result | None:
    """The file's status, None when there is none; `StoreError` for a path that is too long or
    cannot be looked at, and for anything but a regular file (a FIFO would block, a device never
    end), which is never opened."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"{label}: cannot use the database path: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{label}: is a directory, not a database file")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{label}: not a regular file (a pipe, device or socket); not opened")
    return info


def prepare_path(path: Path, label: str) -> None:
    """Create the database's folder; fail early, with the path, where that cannot work."""
    regular_file(path, label)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{label}: cannot create folder {path.parent}: {exc.strerror}") from None
    if path.is_dir():
        raise StoreError(f"{label}: is a directory, not a database file")


_NEW = re.compile(r"\.(.+)\.(\d+)\.[0-9a-f]+\.new(?:-journal|-wal|-shm)?$")


def create_whole(path: Path, label: str, build: Callable[[Engine], None]) -> None:
    """Make a new collection at `path` whole or not at all.

    `build` creates the schema on an engine over a file beside `path`, named after this process;
    only once it is complete and on disk is that file linked into place. A first run that cannot
    write (a full disk) therefore leaves no empty `srs.db` that every later run would refuse.
    When another first run made `path` meanwhile, theirs is kept. What a killed first run left
    is removed here, once its process is gone.
    """
    _remove_killed_builds(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    engine = listen(create_engine(f"sqlite:///{temp}"))
    try:
        build(engine)
        engine.dispose()
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)  # never replaces a collection another run made meanwhile
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            if not path.exists():
                os.rename(temp, path)
    except OSError as exc:
        raise StoreError(f"{label}: cannot create the collection: {exc.strerror or exc}") from None
    finally:
        engine.dispose()
        for suffix in ("", "-journal", "-wal", "-shm"):
            with suppress(OSError):
                os.unlink(f"{temp}{suffix}")


def _remove_killed_builds(path: Path) -> None:
    """Remove the files of first runs at `path` whose process is gone (killed while building)."""
    try:
        entries = list(os.scandir(_folder(path)))
    except OSError:
        return
    for entry in entries:
        found = _NEW.match(entry.name)
        if found is None or found.group(1) != path.name or _alive(int(found.group(2))):
            continue
        with suppress(OSError):
            os.unlink(entry.path)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # another user's process, or not a pid: left alone
    return True
