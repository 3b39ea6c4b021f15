"""Reading single key presses from a terminal (cbreak mode) or from a pipe."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


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
        """Put the terminal in cbreak mode (Ctrl-C still interrupts) for the block."""
        if not self.is_tty:
            yield self
            return
        import termios
        import tty

        assert self.fd is not None
        saved = termios.tcgetattr(self.fd)
        try:
            tty.setcbreak(self.fd, termios.TCSANOW)  # keep keys typed ahead (TCSAFLUSH drops them)
            yield self
        finally:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, saved)

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
