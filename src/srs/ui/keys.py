"""Reading single key presses from a terminal (cbreak mode) or from a pipe."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TextIO


class KeyReader:
    """Reads one key press at a time, without waiting for enter, from a terminal or a pipe."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        try:
            self.fd: int | None = self.stream.fileno()
        except (AttributeError, OSError, ValueError):
            self.fd = None
        self.is_tty = self.fd is not None and os.isatty(self.fd)
        self._pending: list[str] = []  # keys typed ahead, read together with an earlier one

    @contextmanager
    def raw(self) -> Iterator[KeyReader]:
        """Put the terminal in cbreak mode (Ctrl-C still interrupts) for the block.

        The terminal is restored however the block ends: normally, by an exception, or by a
        signal that would end the process (SIGTERM, SIGHUP, SIGQUIT), which is then delivered
        as before so that the exit status still says which signal it was. Ctrl-Z (SIGTSTP)
        restores it while stopped and takes cbreak mode back on `fg`.
        """
        if not self.is_tty:
            yield self
            return
        import termios
        import tty

        assert self.fd is not None
        fd = self.fd
        saved = termios.tcgetattr(fd)

        def restore() -> None:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)

        # TCSANOW keeps keys typed ahead (TCSAFLUSH, the default, drops them)
        with _signals_restoring(restore, lambda: tty.setcbreak(fd, termios.TCSANOW)):
            try:
                tty.setcbreak(fd, termios.TCSANOW)
                yield self
            finally:
                restore()

    def read(self) -> str:
        """One key; 'q' at end of input so that a closed pipe ends the session cleanly."""
        if self._pending:
            return self._pending.pop(0)
        if self.is_tty:
            assert self.fd is not None
            data = os.read(self.fd, 32)  # an arrow key arrives as several bytes: read them at once
            if not data:
                return "q"
            keys = data.decode("utf-8", "replace")
            if keys.startswith("\x1b"):
                return ""  # an arrow or function key: ignored
            self._pending.extend(keys[1:])  # keys typed ahead are kept, in order
            return keys[0]
        ch = self.stream.read(1)
        return ch or "q"


_ENDING = ("SIGTERM", "SIGHUP", "SIGQUIT")


@contextmanager
def _signals_restoring(restore: Callable[[], None], resume: Callable[[], None]) -> Iterator[None]:
    """While the block runs, signals that would end or stop the process restore the terminal
    first. Handlers can only be set from the main thread; elsewhere this does nothing."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}

    def ending(signum: int, frame: FrameType | None) -> None:
        restore()
        handler = previous.get(signum, signal.SIG_DFL)
        if callable(handler):
            handler(signum, frame)
            return
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # ends the process, by the signal it was sent

    def stopping(signum: int, frame: FrameType | None) -> None:
        restore()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # stops here until `fg`
        signal.signal(signum, stopping)
        resume()

    wanted: list[tuple[int, Callable[[int, FrameType | None], None]]] = [
        (getattr(signal, name), ending) for name in _ENDING if hasattr(signal, name)
    ]
    if hasattr(signal, "SIGTSTP"):
        wanted.append((signal.SIGTSTP, stopping))
    for signum, handler in wanted:
        old = signal.getsignal(signum)
        if old == signal.SIG_IGN:  # e.g. SIGHUP under nohup: keep ignoring it
            continue
        previous[signum] = old
        signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)
