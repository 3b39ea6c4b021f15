"""The console every screen prints to, with an ASCII fallback for terminals that need one.

When the output's encoding cannot take the characters the screens use (`·`, box lines, heat
blocks), for example under `PYTHONIOENCODING=ascii`, the stream is wrapped so that those
characters are written as ASCII look-alikes and anything else (card text) as `?`, instead of a
`UnicodeEncodeError`. Rich sees the narrow encoding too, and draws its rules and tables in ASCII.
"""

from __future__ import annotations

import sys
from typing import IO, Any

from rich.console import Console

ASCII_LOOKALIKES = str.maketrans(
    {
        "·": "-",
        "─": "-",
        "━": "=",
        "│": "|",
        "┃": "|",
        "→": "->",
        "…": "...",
        "—": "--",
        "\u2013": "-",  # en dash
        "░": "-",
        "▒": "+",
        "▓": "*",
        "█": "#",
        "§": "S",
    }
)


SCREEN_CHARS = "".join(chr(code) for code in ASCII_LOOKALIKES)
"""The non-ASCII characters the screens themselves draw."""


def can_encode(encoding: str | None, text: str = SCREEN_CHARS) -> bool:
    """True when `encoding` can write `text` (unknown encodings count as able)."""
    if not encoding:
        return True
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    except LookupError:
        return True
    return True


class AsciiStream:
    """A text stream that writes what its encoding cannot take as ASCII look-alikes or `?`."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.encoding = getattr(stream, "encoding", None) or "ascii"

    def write(self, text: str) -> int:
        """Write `text`, made encodable."""
        safe = text.translate(ASCII_LOOKALIKES).encode(self.encoding, "replace")
        return self.stream.write(safe.decode(self.encoding))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def make_console(file: IO[str] | None = None, **options: Any) -> Console:
    """A rich console on `file` (stdout by default), with the ASCII fallback when it needs one."""
    stream = file if file is not None else sys.stdout
    if not can_encode(getattr(stream, "encoding", None)):
        stream = AsciiStream(stream)
    return Console(file=stream, highlight=False, **options)
