"""Reading single key presses from a terminal (cbreak mode) or from a pipe."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any, TextIO

ESCAPES = {
    "\x1b[A": "up",
    "\x1b[B": "down",
    "\x1bOA": "up",
    "\x1bOB": "down",
    "\x1b[5~": "pageup",
    "\x1b[6~": "pagedown",
}
"""Escape sequences read as one named key; any other is ignored."""


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
        self._wakeup: int | None = None  # read end of the signal wake-up pipe, in raw mode

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
        with (
            _signals_restoring(restore, lambda: tty.setcbreak(fd, termios.TCSANOW)),
            _signal_wakeup() as wakeup,
        ):
            self._wakeup = wakeup
            try:
                tty.setcbreak(fd, termios.TCSANOW)
                yield self
            finally:
                self._wakeup = None
                restore()

    def read(self) -> str:
        """One key; 'q' at end of input so that a closed pipe ends the session cleanly."""
        if self._pending:
            return self._pending.pop(0)
        if self.is_tty:
            assert self.fd is not None
            self._wait_for_key(self.fd)
            data = os.read(self.fd, 32)  # an arrow key arrives as several bytes: read them at once
            if not data:
                return "q"
            keys = data.decode("utf-8", "replace")
            if keys.startswith("\x1b"):
                return ESCAPES.get(keys, "")  # the arrows and page keys named; others ignored
            self._pending.extend(keys[1:])  # keys typed ahead are kept, in order
            return keys[0]
        ch = self.stream.read(1)
        return ch or "q"

    def _wait_for_key(self, fd: int) -> None:
        """Block until a key can be read, or until a signal's handler has run.

        A Ctrl-C that lands just before a blocking `read` starts would only be acted on after
        the next key press: its handler runs between bytecodes, and the read never returns.
        Waiting on the signal wake-up pipe as well closes that window (seen under heavy load)."""
        if self._wakeup is None:
            return
        import select

        while True:
            ready, _, _ = select.select([fd, self._wakeup], [], [])
            if self._wakeup in ready:
                with suppress(BlockingIOError):
                    os.read(self._wakeup, 512)  # the handler (e.g. KeyboardInterrupt) runs now
            if fd in ready:
                return


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


@contextmanager
def _signal_wakeup() -> Iterator[int | None]:
    """A pipe the C-level signal handler writes to (`signal.set_wakeup_fd`), so that a wait on
    it wakes for a signal however early it arrived. None off the main thread, where it cannot
    be set."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield None
        return
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    os.set_blocking(write_end, False)
    previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    try:
        yield read_end
    finally:
        signal.set_wakeup_fd(previous)
        os.close(read_end)
        os.close(write_end)
