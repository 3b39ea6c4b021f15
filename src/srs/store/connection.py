"""A server connection that never hangs a learner: imported only for a PostgreSQL URL (it needs
psycopg).

- Each round trip waits at most `Timeouts.answer_s`; a server that stops answering (frozen,
  unplugged) then ends the connection with `ServerNotAnswering`, an OperationalError the store
  names in one line.
- Ctrl-C closes the connection at once. psycopg would first send a cancel request and wait for it,
  and a frozen server never reads one.
- A pooled connection the server has closed meanwhile (a restart while the learner was idle) is
  found on checkout, before anything is sent, and replaced: the next answer is sent once, on a
  fresh connection, and never twice.
"""

from __future__ import annotations

import select
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg import waiting
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

from srs.store.server import Timeouts

_POLL_S = 0.1  # how often a wait wakes up to notice Ctrl-C


class ServerNotAnswering(psycopg.OperationalError):
    """No reply from the server within the timeout; the connection was closed."""

    srs_silence = True  # what `server.failure` looks for (server.py imports no psycopg)


class AnsweringConnection(psycopg.Connection[Any]):
    """psycopg's connection with a bounded wait and an immediate Ctrl-C."""

    answer_s: float = Timeouts().answer_s

    def wait(self, gen: Any, interval: float = _POLL_S, timeout: float | None = None) -> Any:
        """Consume `gen` within `answer_s` (or `timeout`); close the connection when the server
        does not answer in time or the learner presses Ctrl-C."""
        try:
            return waiting.wait(
                gen, self.pgconn.socket, interval=interval, timeout=timeout or self.answer_s
            )
        except pg_errors._WaitTimeout:
            self.pgconn.finish()
            raise ServerNotAnswering("the server is not answering") from None
        except (KeyboardInterrupt, SystemExit):
            self.pgconn.finish()  # nothing was committed; a frozen server would never cancel
            raise


def _closed_by_server(fd: int) -> bool:
    """True when an idle connection's socket has something to read: the server's goodbye or its
    end of stream. An idle connection in good health has nothing to say."""
    try:
        readable, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def attach(engine: Engine, timeouts: Timeouts) -> None:
    """Make `engine` connect with `AnsweringConnection` and check each pooled connection is
    still open before lending it."""

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, record: Any, cargs: Any, cparams: Any) -> Any:
        connection = AnsweringConnection.connect(*cargs, **cparams)
        connection.answer_s = timeouts.answer_s
        return connection

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        raw = dbapi_connection
        if raw.closed or raw.broken or _closed_by_server(raw.pgconn.socket):
            raise DisconnectionError("the server closed the connection while it was idle")
