"""What differs on a database server (PostgreSQL through psycopg 3): the driver, the session's
pinned settings (schema, timeouts, keepalives), which failures are retried, and how a failure is
named to a person.

Every session srs opens on a server pins `search_path` to `pg_catalog, srs`, so no object in a
schema a learner could write is ever found by name, and sets `lock_timeout` and
`statement_timeout`: no wait is unbounded. The client also gives up on a server that stops
answering (`timeouts.answer_s`), and Ctrl-C closes the connection at once instead of waiting for a
cancel request the server may never read (see `connection.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from srs.core.errors import (
    ConnectionLostError,
    NotAnInstructorError,
    ServerNotAnsweringError,
    StoreError,
)
from srs.store.schema import SERVER_SCHEMA

RETRY_STATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
RETRY_ATTEMPTS = 8
OLDEST_SERVER = (13,)  # the oldest PostgreSQL srs runs a class on
_CONTENT_TABLES = ("table decks", "table cards", "table meta")  # what only an instructor changes
DRIVER_HINT = (
    "a PostgreSQL database needs the psycopg driver: install srs with the postgres extra, "
    "e.g. pip install 'srs[postgres]'"
)


@dataclass(frozen=True)
class Timeouts:
    """How long a server session may wait, in seconds. `answer_s` bounds one round trip on the
    client (the message comes within it); the server's own limits sit inside it."""

    answer_s: float = 8.0

    @property
    def statement_ms(self) -> int:
        """The server's `statement_timeout`: a statement running longer is cancelled there."""
        return max(100, int(self.answer_s * 1000) - 500)

    @property
    def lock_ms(self) -> int:
        """The server's `lock_timeout`: no lock anyone holds makes a statement wait longer."""
        return max(50, int(self.answer_s * 500))

    @property
    def connect_s(self) -> int:
        """libpq's `connect_timeout` (whole seconds, at least 2, as libpq requires)."""
        return max(2, round(self.answer_s))


def server_url(url: str) -> str:
    """A PostgreSQL URL with the psycopg 3 driver named (SQLAlchemy's default is psycopg2)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def engine_options(url: str, label: str, timeouts: Timeouts) -> dict[str, Any]:
    """`create_engine` options for `url`: for psycopg, the session's pinned settings and the
    driver check."""
    if not url.startswith("postgresql+psycopg"):
        return {}
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise StoreError(f"{label}: {DRIVER_HINT}") from None
    options = (
        f"-c search_path=pg_catalog,{SERVER_SCHEMA} -c lock_timeout={timeouts.lock_ms} "
        f"-c statement_timeout={timeouts.statement_ms}"
    )
    return {
        "connect_args": {
            "connect_timeout": timeouts.connect_s,
            "application_name": "srs",
            "options": options,
            # a peer that vanishes on TCP is noticed within seconds, not hours
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
            "tcp_user_timeout": int(timeouts.answer_s * 1000),
        },
        "execution_options": {"schema_translate_map": {None: SERVER_SCHEMA}},
    }


def sqlstate(exc: BaseException) -> str | None:
    """The server's SQLSTATE code of a failed statement, when it sent one."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    state = getattr(orig, "sqlstate", None)
    return state if isinstance(state, str) else None


_PASSWORD_IN_TEXT = re.compile(r"(password\s*=\s*)('[^']*'|\S+)", re.IGNORECASE)


def reason(exc: BaseException) -> str:
    """The driver's own one-line message, without SQLAlchemy's SQL echo and links, and with any
    `password=...` a driver might quote masked."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        text = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
    else:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return _PASSWORD_IN_TEXT.sub(r"\1***", text or type(exc).__name__)


# What libpq says when a connection cannot be made, and what srs tells the person instead.
_CONNECT_FAILURES = (
    ("28P01", "password authentication failed", "wrong password (or user name)"),
    ("", "no password supplied", "no password given (set PGPASSWORD or a ~/.pgpass line)"),
    ("3D000", "does not exist", "unknown database"),
    ("", "connection refused", "the server refused the connection (is it running, on that port?)"),
    ("", "could not translate host name", "unknown host"),
    ("", "name or service not known", "unknown host"),
    ("", "no such file or directory", "no server listens on that socket"),
    ("", "timeout expired", "the server did not answer in time"),
    ("28000", "no pg_hba.conf entry", "the server lets no such user in from here (pg_hba.conf)"),
    ("42501", "permission denied for database", "this user may not connect to that database"),
)  # fmt: skip


def connect_failure(exc: BaseException, label: str) -> StoreError:
    """The one-line error for a connection that could not be made: what went wrong, in words."""
    why = reason(exc)
    state = sqlstate(exc) or ""
    lowered = why.lower()
    for code, text, said in _CONNECT_FAILURES:
        if (code and state == code) or text in lowered:
            return StoreError(f"{label}: cannot connect: {said}")
    return StoreError(f"{label}: cannot connect: {why}")


def failure(exc: SQLAlchemyError, label: str, on_server: bool, answers: str = "") -> StoreError:
    """The one-line error for a failed transaction: a learner changing decks, a silent server, a
    lost one, or the driver's own message."""
    why = reason(exc)
    state = sqlstate(exc) or ""
    if state == "42501" and why.endswith(_CONTENT_TABLES):
        return NotAnInstructorError("only an instructor can change the class's decks")
    if state == "42501" and why.endswith("function srs_repair_totals"):
        return NotAnInstructorError("only an instructor can rebuild the report's totals")
    if state == "55P03":  # lock_not_available: lock_timeout passed
        return StoreError(f"{label}: waited too long for a lock held by another session; try again")
    if state == "57014":  # query_canceled: statement_timeout passed
        return StoreError(f"{label}: the server took too long to answer; try again")
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    if getattr(orig, "srs_silence", False):  # connection.ServerNotAnswering
        return ServerNotAnsweringError(f"{label}: the server is not answering")
    lost = isinstance(exc, DBAPIError) and exc.connection_invalidated
    if on_server and isinstance(exc, OperationalError):
        # no SQLSTATE: the socket closed; 08: connection exception; 57P0x: server shutdown
        lost = lost or not state or state.startswith(("08", "57P0"))
    if lost:
        return ConnectionLostError(f"{label}: lost the connection: {why}")
    return StoreError(f"{label}: {why}")
