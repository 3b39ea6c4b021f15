"""Key reading on a real pseudo-terminal pair: keys typed ahead are kept, in order."""

from __future__ import annotations

import os
import select
import sys

import pytest

from srs.ui.keys import KeyReader


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")
def test_keys_typed_ahead_are_all_read_in_order() -> None:
    main, side = os.openpty()
    try:
        with os.fdopen(side, "r", closefd=False) as stream:
            keys = KeyReader(stream)
            assert keys.is_tty
            with keys.raw():
                os.write(main, b" 4s")  # typed while the first card was still loading
                assert [keys.read() for _ in range(3)] == [" ", "4", "s"]
                os.write(main, b"\x1b[A")  # an arrow key: read as one, by its name
                assert keys.read() == "up"
                os.write(main, b"\x1bOP")  # F1: ignored as a whole
                assert keys.read() == ""
    finally:
        os.close(main)
        os.close(side)


def test_keys_typed_before_raw_mode_are_not_flushed() -> None:
    main, side = os.openpty()
    try:
        with os.fdopen(side, "r", closefd=False) as stream:
            keys = KeyReader(stream)
            os.write(main, b"q")  # typed before the screen switched to single keys
            with keys.raw():
                assert select.select([side], [], [], 2)[0], "the key was flushed"
                assert keys.read() == "q"
    finally:
        os.close(main)
        os.close(side)
