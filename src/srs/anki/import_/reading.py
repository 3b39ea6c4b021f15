"""The reading connection to an untrusted collection: only tables, bounded values, bounded work.

A collection file is SQLite that anyone can write. Its `notes` may be a view over an endless
recursive query (a 924-byte package ran forever and filled the disk with a temporary sort file), a
trigger or a virtual table may run code of its own, a value may be hundreds of megabytes. So the
connection is read-only and refuses any schema but plain tables and indexes; `trusted_schema` is
off; SQLITE_LIMIT_LENGTH bounds every value; temporary storage is in memory (a sort never spills to
a file); and a progress handler counts the work and interrupts the statement past the budget, or
when Ctrl-C is pressed (the signal would otherwise wait for the statement to end).
"""

from __future__ import annotations

import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from srs.anki.import_.limits import STEP, ImportLimits
from srs.core.errors import AnkiImportError


class Budget:
    """The reading connection's progress handler: counts calls (each `STEP` instructions) and
    asks SQLite to stop past `limit` calls or on Ctrl-C."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.calls = 0
        self.interrupted = False

    def __call__(self) -> int:
        self.calls += 1
        return 1 if self.calls > self.limit or self.interrupted else 0

    @contextmanager
    def catching_ctrl_c(self) -> Iterator[None]:
        """While reading, Ctrl-C marks the budget interrupted (the handler then stops the
        statement, and `failure` raises KeyboardInterrupt): raised inside the progress handler
        instead, sqlite3 would swallow it. Only the main thread can set a signal handler."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def pressed(signum: int, frame: object) -> None:
            self.interrupted = True

        previous = signal.signal(signal.SIGINT, pressed)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
        if self.interrupted:
            raise KeyboardInterrupt

    @property
    def spent(self) -> bool:
        """Whether the budget stopped a statement."""
        return self.calls > self.limit


def connect(package: Path, path: Path, limits: ImportLimits) -> tuple[sqlite3.Connection, Budget]:
    """A read-only connection to the collection at `path` (named as `package` in errors), with
    its budget; refused when the file holds views, triggers or virtual tables."""
    budget = Budget(limits.work)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, limits.value)
        conn.set_progress_handler(budget, STEP)
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA query_only = ON")
        odd = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE type NOT IN ('table', 'index') "
            "OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL%') LIMIT 1"
        ).fetchone()
    except sqlite3.Error as exc:
        conn.close()
        raise failure(package, exc, budget, limits) from None
    except BaseException:
        conn.close()
        raise
    if odd is not None:
        conn.close()
        what = "virtual table" if odd[0] == "table" else str(odd[0])
        raise AnkiImportError(
            f"{package}: not an Anki collection (it holds a {what}, "
            f"{_name(odd[1])}; srs reads only tables)"
        )
    return conn, budget


def failure(
    package: Path, exc: sqlite3.Error, budget: Budget, limits: ImportLimits
) -> AnkiImportError:
    """The one-line error for a failed statement on the reading connection (Ctrl-C raised)."""
    if budget.interrupted:
        raise KeyboardInterrupt
    if budget.spent:
        return AnkiImportError(
            f"{package}: reading the collection took more than its work budget "
            f"({limits.work} steps); refused"
        )
    text = str(exc)
    if "too big" in text:
        return AnkiImportError(
            f"{package}: the collection holds a value over {limits.value} bytes; refused"
        )
    return AnkiImportError(f"{package}: damaged Anki collection ({text})")


def _name(value: object) -> str:
    from srs.core.cardtext import printable

    text = value if isinstance(value, str) else repr(value)
    return repr(printable(text[:80]))
