"""What differs on a database server (PostgreSQL through psycopg 3): the driver, the connect
timeout, the advisory locks, which failures are retried, and how a failure is named to a learner.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from srs.core.errors import ConnectionLostError, NotAnInstructorError, StoreError

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


def server_url(url: str) -> str:
    """A PostgreSQL URL with the psycopg 3 driver named (SQLAlchemy's default is psycopg2)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def engine_options(url: str, label: str) -> dict[str, Any]:
    """`create_engine` options for `url`: for psycopg, the connect timeout and the driver check."""
    if not url.startswith("postgresql+psycopg"):
        return {}
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise StoreError(f"{label}: {DRIVER_HINT}") from None
    return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "srs"}}


def sqlstate(exc: BaseException) -> str | None:
    """The server's SQLSTATE code of a failed statement, when it sent one."""
    orig = exc.orig if isinstance(exc, DBAPIError) else None
    state = getattr(orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def reason(exc: BaseException) -> str:
    """The driver's own one-line message, without SQLAlchemy's SQL echo and links."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).splitlines()[0]
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def failure(exc: SQLAlchemyError, label: str, on_server: bool) -> StoreError:
    """The one-line error for a failed transaction: a learner changing decks, a lost server,
    or the driver's own message."""
    why = reason(exc)
    state = sqlstate(exc) or ""
    if state == "42501" and why.endswith(_CONTENT_TABLES):
        return NotAnInstructorError("only an instructor can change the class's decks")
    lost = isinstance(exc, DBAPIError) and exc.connection_invalidated
    if on_server and isinstance(exc, OperationalError):
        # no SQLSTATE: the socket closed; 08: connection exception; 57P0x: server shutdown
        lost = lost or not state or state.startswith(("08", "57P0"))
    if lost:
        return ConnectionLostError(f"{label}: lost the connection: {why}")
    return StoreError(f"{label}: {why}")


def card_lock(learner: Any, card_pk: Any) -> ColumnElement[Any]:
    """The call that takes one learner's transaction-level lock on one card (a server only)."""
    return func.pg_advisory_xact_lock(func.hashtext(learner), card_pk)
